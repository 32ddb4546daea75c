#include "events/anonymous_limit.hpp"

#include <gtest/gtest.h>

namespace custos::events {

TEST(EventsAnonymousLimit, AdmitsUpToTheLimitPerAddressThenSaysHowLongToWait) {
  AnonymousLimit limit(3, 60'000);
  EXPECT_EQ(limit.admit("10.0.0.1", 1'000), 0);
  EXPECT_EQ(limit.admit("10.0.0.1", 2'000), 0);
  EXPECT_EQ(limit.admit("10.0.0.1", 3'000), 0);
  EXPECT_EQ(limit.admit("10.0.0.1", 4'000), 57'000);  // the first one leaves the window at 61 s
  EXPECT_EQ(limit.admit("10.0.0.2", 4'000), 0);       // another address is not affected
  EXPECT_EQ(limit.admit("10.0.0.1", 61'000), 0);      // the window slid past the first
  EXPECT_GT(limit.admit("10.0.0.1", 61'500), 0);
}

TEST(EventsAnonymousLimit, StaysBoundedUnderManyAddresses) {
  AnonymousLimit limit(1, 60'000, 100);
  for (int i = 0; i < 1000; ++i) EXPECT_EQ(limit.admit("a" + std::to_string(i), 1'000), 0);
  // After the window, old addresses are forgotten and a known one is admitted again.
  EXPECT_EQ(limit.admit("a999", 70'000), 0);
}

}  // namespace custos::events
