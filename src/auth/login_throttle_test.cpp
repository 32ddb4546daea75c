#include "auth/login_throttle.hpp"

#include <gtest/gtest.h>

namespace custos::auth {
namespace {

TEST(LoginThrottle, LocksAtThresholdWithinWindow) {
  LockoutPolicy p;
  ThrottleState s;
  bool locked = false;
  for (int i = 0; i < 4; ++i) {
    s = after_failure(s, 5, p, 1000 + i, locked);
    EXPECT_FALSE(locked);
  }
  s = after_failure(s, 5, p, 2000, locked);
  EXPECT_TRUE(locked);
  EXPECT_EQ(s.locked_until, 2000 + p.base_lock_ms);
  EXPECT_EQ(s.failures, 0);
  EXPECT_EQ(s.lockouts, 1);
}

TEST(LoginThrottle, ForgetsFailuresOutsideTheWindow) {
  LockoutPolicy p;
  ThrottleState s;
  bool locked = false;
  for (int i = 0; i < 4; ++i) s = after_failure(s, 5, p, 1000, locked);
  s = after_failure(s, 5, p, 1000 + p.window_ms + 1, locked);
  EXPECT_FALSE(locked);
  EXPECT_EQ(s.failures, 1);
}

TEST(LoginThrottle, BackoffDoublesUpToTheCap) {
  LockoutPolicy p;
  p.base_lock_ms = 1000;
  p.max_lock_ms = 5000;
  ThrottleState s;
  bool locked = false;
  std::vector<std::int64_t> durations;
  std::int64_t now = 0;
  for (int lockout = 0; lockout < 5; ++lockout) {
    for (int i = 0; i < 3; ++i) s = after_failure(s, 3, p, ++now, locked);
    ASSERT_TRUE(locked);
    durations.push_back(s.locked_until - now);
  }
  EXPECT_EQ(durations, (std::vector<std::int64_t>{1000, 2000, 4000, 5000, 5000}));
}

TEST(LoginThrottle, BackoffResetsAfterAQuietDay) {
  LockoutPolicy p;
  ThrottleState s;
  bool locked = false;
  for (int i = 0; i < 3; ++i) s = after_failure(s, 3, p, 1, locked);
  ASSERT_EQ(s.lockouts, 1);
  for (int i = 0; i < 3; ++i) s = after_failure(s, 3, p, 2 * 86'400'000LL, locked);
  EXPECT_EQ(s.locked_until - 2 * 86'400'000LL, p.base_lock_ms);
}

}  // namespace
}  // namespace custos::auth
