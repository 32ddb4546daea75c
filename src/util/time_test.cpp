#include "util/time.hpp"

#include <gtest/gtest.h>

namespace custos::util {
namespace {

TEST(Time, FormatsUtcWithMilliseconds) {
  EXPECT_EQ(to_rfc3339(0), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(to_rfc3339(1'795'000'000'123), "2026-11-18T11:06:40.123Z");
}

TEST(Time, ParsesZonesAndFractions) {
  EXPECT_EQ(parse_rfc3339("1970-01-01T00:00:00Z"), 0);
  EXPECT_EQ(parse_rfc3339("1970-01-01T01:00:00+01:00"), 0);
  EXPECT_EQ(parse_rfc3339("1970-01-01T00:00:00.5Z"), 500);
  EXPECT_EQ(parse_rfc3339("2026-11-18T11:06:40.123Z"), 1'795'000'000'123);
  EXPECT_EQ(parse_rfc3339(to_rfc3339(1'234'567'890'123)), 1'234'567'890'123);
}

TEST(Time, RejectsMalformedTimes) {
  for (const char* bad :
       {"", "2026-11-18", "2026-11-18T09:46:40", "2026-13-01T00:00:00Z", "2026-02-30T00:00:00Z",
        "2026-11-18T24:00:00Z", "2026-11-18T09:46:40.Z", "2026-11-18T09:46:40Zjunk",
        "2026-11-18T09:46:40+1:00", "x026-11-18T09:46:40Z"}) {
    EXPECT_FALSE(parse_rfc3339(bad).has_value()) << bad;
  }
}

TEST(Time, ParsesDurations) {
  EXPECT_EQ(parse_duration_ms("90d"), 90LL * 86'400'000);
  EXPECT_EQ(parse_duration_ms("12h"), 12LL * 3'600'000);
  EXPECT_EQ(parse_duration_ms("30m"), 30LL * 60'000);
  EXPECT_EQ(parse_duration_ms("45s"), 45'000);
  for (const char* bad : {"", "d", "0d", "-1d", "10", "10y", "1.5d", "99999999d"}) {
    EXPECT_FALSE(parse_duration_ms(bad).has_value()) << bad;
  }
}

}  // namespace
}  // namespace custos::util
