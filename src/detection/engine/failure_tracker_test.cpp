#include "detection/engine/failure_tracker.hpp"

#include <gtest/gtest.h>

#include "detection/engine/jail.hpp"

namespace custos::detection {
namespace {

TEST(FailureTracker, BansAtMaxretryWithinFindtime) {
  FailureTracker t({3, 600, 100});
  EXPECT_FALSE(t.add("192.0.2.1", 1000));
  EXPECT_FALSE(t.add("192.0.2.1", 1100));
  EXPECT_EQ(t.count("192.0.2.1", 1100), 2);
  EXPECT_TRUE(t.add("192.0.2.1", 1200));
  // Counting starts afresh after a ban.
  EXPECT_EQ(t.size(), 0U);
  EXPECT_FALSE(t.add("192.0.2.1", 1201));
}

TEST(FailureTracker, WindowSlides) {
  FailureTracker t({3, 600, 100});
  EXPECT_FALSE(t.add("a", 1000));
  EXPECT_FALSE(t.add("a", 1500));
  // 1000 has left the window ending at 1700: only two failures are in it.
  EXPECT_FALSE(t.add("a", 1700));
  EXPECT_EQ(t.count("a", 1700), 2);
  EXPECT_TRUE(t.add("a", 1800));
}

TEST(FailureTracker, KeysAreCountedApart) {
  FailureTracker t({2, 600, 100});
  EXPECT_FALSE(t.add("a", 1000));
  EXPECT_FALSE(t.add("b", 1000));
  EXPECT_TRUE(t.add("a", 1001));
  EXPECT_EQ(t.count("b", 1001), 1);
}

TEST(FailureTracker, LateLinesCountInOrderButStaleOnesDoNot) {
  FailureTracker t({3, 600, 100});
  EXPECT_FALSE(t.add("a", 2000));
  EXPECT_FALSE(t.add("a", 1900));  // arrived late, still in the window
  EXPECT_FALSE(t.add("b", 1000));  // 1000 ≤ 2000 - 600: stale
  EXPECT_EQ(t.stale_failures(), 1U);
  EXPECT_EQ(t.count("b", 2000), 0);
  EXPECT_TRUE(t.add("a", 2001));
}

TEST(FailureTracker, CapacityIsBoundedAndEvictionsAreCounted) {
  FailureTracker t({5, 600, 1000});
  for (int i = 0; i < 5000; ++i)
    t.add("10.0." + std::to_string(i / 256) + "." + std::to_string(i % 256), 1000);
  EXPECT_EQ(t.size(), 1000U);
  EXPECT_EQ(t.evictions(), 4000U);
}

TEST(FailureTracker, EvictionKeepsTheAttackersThatMatter) {
  // Ten persistent attackers with four failures each, then a flood of one-off addresses ten
  // times the capacity: the attackers must still be counted and banned at their fifth failure.
  FailureTracker t({5, 600, 1000});
  for (int round = 0; round < 4; ++round) {
    for (int a = 0; a < 10; ++a) t.add("attacker" + std::to_string(a), 1000 + round);
  }
  for (int i = 0; i < 10000; ++i) t.add("noise" + std::to_string(i), 1010);
  int banned = 0;
  for (int a = 0; a < 10; ++a) banned += t.add("attacker" + std::to_string(a), 1020) ? 1 : 0;
  EXPECT_EQ(banned, 10);
}

TEST(FailureTracker, EvictsKeysWhoseFailuresLeftTheWindowFirst) {
  FailureTracker t({3, 100, 2});
  t.add("old", 1000);
  t.add("old", 1001);
  t.add("new", 1200);  // "old" has nothing in the window ending at 1200
  t.add("newer", 1201);
  EXPECT_EQ(t.count("old", 1201), 0);
  EXPECT_EQ(t.count("new", 1201), 1);
  EXPECT_EQ(t.count("newer", 1201), 1);
}

TEST(BanSeconds, GrowsForRepeatOffendersUpToTheMaximum) {
  JailConfig j;
  j.bantime = 600;
  j.bantime_factor = 2;
  j.bantime_max = 3000;
  EXPECT_EQ(ban_seconds(j, 1), 600);
  EXPECT_EQ(ban_seconds(j, 2), 1200);
  EXPECT_EQ(ban_seconds(j, 3), 2400);
  EXPECT_EQ(ban_seconds(j, 4), 3000);
  EXPECT_EQ(ban_seconds(j, 1000), 3000);
  j.bantime_factor = 1;
  EXPECT_EQ(ban_seconds(j, 5), 600);
}

TEST(Jail, IgnoreipIsNeverCountedOrBanned) {
  JailConfig config;
  config.name = "sshd";
  config.maxretry = 2;
  config.ignoreip = {"127.0.0.1/8", "2001:db8::/32", "192.0.2.9"};
  Jail jail(config, nullptr, 100);
  for (int i = 0; i < 10; ++i) {
    EXPECT_FALSE(jail.record("127.3.4.5", 1000 + i, ""));
    EXPECT_FALSE(jail.record("2001:db8::7", 1000 + i, ""));
    EXPECT_FALSE(jail.record("::ffff:192.0.2.9", 1000 + i, ""));
  }
  EXPECT_EQ(jail.stats().ignored, 30U);
  EXPECT_EQ(jail.stats().failures, 0U);
  EXPECT_FALSE(jail.record("198.51.100.1", 1000, "root"));
  const auto ban = jail.record("::ffff:198.51.100.1", 1001, "admin");
  ASSERT_TRUE(ban);
  EXPECT_EQ(ban->address.to_string(), "198.51.100.1");
  EXPECT_EQ(ban->jail, "sshd");
  EXPECT_EQ(ban->user, "admin");
  EXPECT_FALSE(jail.record("host.example", 1002, ""));
  EXPECT_EQ(jail.stats().not_address, 1U);
}

}  // namespace
}  // namespace custos::detection
