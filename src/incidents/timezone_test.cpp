#include "incidents/timezone.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace custos::incidents {
namespace {

// Expected instants below were derived from the rules (EU: last Sunday of March/October at
// 01:00 UTC; US: second Sunday of March/first of November at 02:00 local; Lord Howe: first
// Sunday of October/April at 02:00 local, half-hour DST) and cross-checked once against
// `TZ=... date -d @EPOCH` while writing the test.
constexpr std::int64_t kBerlinSpring2026 = 1'774'746'000;   // 2026-03-29T01:00:00Z
constexpr std::int64_t kBerlinAutumn2026 = 1'792'890'000;   // 2026-10-25T01:00:00Z
constexpr std::int64_t kBerlinSpring2100 = 4'109'878'800;   // 2100-03-28T01:00:00Z
constexpr std::int64_t kBerlinAutumn2100 = 4'128'627'600;   // 2100-10-31T01:00:00Z
constexpr std::int64_t kBerlinSpring2300 = 10'420'966'800;  // 2300-03-25T01:00:00Z
constexpr std::int64_t kBerlinAutumn2300 = 10'439'715'600;  // 2300-10-28T01:00:00Z
constexpr std::int64_t kNewYorkSpring2026 = 1'772'953'200;  // 2026-03-08T07:00:00Z
constexpr std::int64_t kNewYorkAutumn2026 = 1'793'512'800;  // 2026-11-01T06:00:00Z
constexpr std::int64_t kNewYorkSpring2100 = 4'108'690'800;  // 2100-03-14T07:00:00Z
constexpr std::int64_t kNewYorkAutumn2100 = 4'129'250'400;  // 2100-11-07T06:00:00Z
constexpr std::int64_t kLordHoweEnd2026 = 1'775'314'800;    // 2026-04-04T15:00:00Z
constexpr std::int64_t kLordHoweStart2026 = 1'791'041'400;  // 2026-10-03T15:30:00Z
constexpr std::int64_t kLordHoweEnd2100 = 4'110'447'600;    // 2100-04-03T15:00:00Z
constexpr std::int64_t kLordHoweStart2100 = 4'126'174'200;  // 2100-10-02T15:30:00Z

constexpr int kHour = 3600;

void expect_change(const TimeZone& zone, std::int64_t at, int before, int after) {
  EXPECT_EQ(zone.offset_seconds_at(at - 1), before) << zone.name() << " @" << at - 1;
  EXPECT_EQ(zone.offset_seconds_at(at), after) << zone.name() << " @" << at;
}

void expect_change(const PosixTzRule& rule, std::int64_t at, int before, int after) {
  EXPECT_EQ(rule.offset_at(at - 1), before) << "@" << at - 1;
  EXPECT_EQ(rule.offset_at(at), after) << "@" << at;
}

PosixTzRule rule(std::string_view text) {
  auto parsed = PosixTzRule::parse(text);
  if (!parsed) throw std::invalid_argument(std::string(text));
  return *parsed;
}

std::int64_t utc_s(int y, int mo, int d, int h = 0, int mi = 0) {
  return days_from_civil(y, mo, d) * 86'400 + std::int64_t{h} * 3600 + std::int64_t{mi} * 60;
}

TEST(CivilDate, KnownDayNumbersAndWeekdays) {
  EXPECT_EQ(days_from_civil(1970, 1, 1), 0);
  EXPECT_EQ(days_from_civil(2000, 3, 1), 11'017);
  EXPECT_EQ(days_from_civil(2026, 3, 29), 20'541);
  EXPECT_EQ(days_from_civil(1600, 2, 29), -135'081);
  EXPECT_EQ(civil_from_days(20'541), (CivilDate{2026, 3, 29}));
  EXPECT_EQ(civil_from_days(-1), (CivilDate{1969, 12, 31}));
  EXPECT_EQ(weekday_from_days(0), 3);       // Thursday
  EXPECT_EQ(weekday_from_days(-1), 2);      // Wednesday
  EXPECT_EQ(weekday_from_days(20'541), 6);  // Sunday
  for (std::int64_t d = -800'000; d < 800'000; d += 997) {
    const CivilDate c = civil_from_days(d);
    ASSERT_EQ(days_from_civil(c.year, c.month, c.day), d);
    ASSERT_TRUE(is_valid_date(c));
  }
}

TEST(CivilDate, ParsesAndFormatsIsoDates) {
  EXPECT_EQ(parse_civil_date("2024-02-29"), (CivilDate{2024, 2, 29}));
  EXPECT_EQ(format_civil_date({2026, 1, 5}), "2026-01-05");
  for (const char* bad : {"", "2026-02-29", "2026-1-05", "2026-13-01", "2026-00-10", "2026-01-32",
                          "26-01-01", "2026/01/01", "2026-01-01T", "２026-01-01", "2026-01-0a"}) {
    EXPECT_FALSE(parse_civil_date(bad).has_value()) << bad;
  }
}

TEST(PosixTzRule, EuropeanRules) {
  const auto cet = rule("CET-1CEST,M3.5.0,M10.5.0/3");
  EXPECT_TRUE(cet.has_dst());
  expect_change(cet, kBerlinSpring2026, kHour, 2 * kHour);
  expect_change(cet, kBerlinAutumn2026, 2 * kHour, kHour);
  expect_change(cet, kBerlinSpring2100, kHour, 2 * kHour);
  expect_change(cet, kBerlinAutumn2100, 2 * kHour, kHour);
  const auto period = cet.period_at(kBerlinSpring2026 + 5);
  EXPECT_EQ(period.offset_seconds, 2 * kHour);
  EXPECT_EQ(period.begin_s, kBerlinSpring2026);
  EXPECT_EQ(period.end_s, kBerlinAutumn2026);
}

TEST(PosixTzRule, UsRulesAndDefaults) {
  const auto est = rule("EST5EDT,M3.2.0,M11.1.0");
  expect_change(est, kNewYorkSpring2026, -5 * kHour, -4 * kHour);
  expect_change(est, kNewYorkAutumn2026, -4 * kHour, -5 * kHour);
  expect_change(est, kNewYorkSpring2100, -5 * kHour, -4 * kHour);
  // A DST name without rules gets the US rules, as in glibc.
  expect_change(rule("EST5EDT"), kNewYorkSpring2026, -5 * kHour, -4 * kHour);
  expect_change(rule("EST+5EDT+4,M3.2.0/2:00:00,M11.1.0/2"), kNewYorkAutumn2026, -4 * kHour,
                -5 * kHour);
}

TEST(PosixTzRule, FixedOffsets) {
  EXPECT_EQ(rule("<+0330>-3:30").offset_at(kBerlinSpring2026), 3 * kHour + 1800);
  EXPECT_EQ(rule("UTC0").offset_at(0), 0);
  EXPECT_EQ(rule("<-03>3").offset_at(0), -3 * kHour);
  EXPECT_EQ(rule("IST-5:30").offset_at(4'000'000'000), 5 * kHour + 1800);
  EXPECT_FALSE(rule("UTC0").has_dst());
  const auto p = rule("<+0545>-5:45").period_at(0);
  EXPECT_EQ(p.offset_seconds, 5 * kHour + 45 * 60);
  EXPECT_EQ(p.begin_s, INT64_MIN);
  EXPECT_EQ(p.end_s, INT64_MAX);
}

TEST(PosixTzRule, SouthernHemisphereHalfHourDst) {
  const auto lhst = rule("<+1030>-10:30<+11>-11,M10.1.0,M4.1.0");
  expect_change(lhst, kLordHoweEnd2026, 11 * kHour, 10 * kHour + 1800);
  expect_change(lhst, kLordHoweStart2026, 10 * kHour + 1800, 11 * kHour);
  expect_change(lhst, kLordHoweEnd2100, 11 * kHour, 10 * kHour + 1800);
  expect_change(lhst, kLordHoweStart2100, 10 * kHour + 1800, 11 * kHour);
  // New Year's Eve is in summer time.
  EXPECT_EQ(lhst.offset_at(utc_s(2026, 12, 31, 12)), 11 * kHour);
  const auto p = lhst.period_at(utc_s(2027, 1, 1));
  EXPECT_EQ(p.begin_s, kLordHoweStart2026);
}

TEST(PosixTzRule, JulianAndZeroBasedDays) {
  // Jn counts 1..365 and never Feb 29: J60 is March 1 in every year.
  const auto julian = rule("AAA0BBB,J60,J300");
  expect_change(julian, utc_s(2024, 3, 1, 2), 0, kHour);
  expect_change(julian, utc_s(2025, 3, 1, 2), 0, kHour);
  // n counts 0..365 including Feb 29: day 59 is Feb 29 in a leap year, March 1 otherwise.
  const auto zero = rule("AAA0BBB,59,300");
  expect_change(zero, utc_s(2024, 2, 29, 2), 0, kHour);
  expect_change(zero, utc_s(2025, 3, 1, 2), 0, kHour);
  // Day 300 of 2025 is October 28; the end time is in DST (+1), so 02:00 local is 01:00 UTC.
  expect_change(zero, utc_s(2025, 10, 28, 1), kHour, 0);
}

TEST(PosixTzRule, NegativeAndLongTransitionTimes) {
  // America/Nuuk: -1:00 on the last Sunday of March is Saturday 23:00 local, 01:00 UTC.
  const auto nuuk = rule("<-02>2<-01>,M3.5.0/-1,M10.5.0/0");
  expect_change(nuuk, kBerlinSpring2026, -2 * kHour, -kHour);
  expect_change(nuuk, kBerlinAutumn2026, -kHour, -2 * kHour);
  // RFC 8536's example of DST all year.
  const auto always = rule("EST5EDT,0/0,J365/25");
  for (std::int64_t t : {utc_s(2026, 1, 1), utc_s(2026, 1, 1, 4, 59), utc_s(2026, 1, 1, 5),
                         utc_s(2026, 7, 1), utc_s(2026, 12, 31, 23), utc_s(2100, 1, 1, 5)}) {
    EXPECT_EQ(always.offset_at(t), -4 * kHour) << t;
  }
  // 167 hours is the RFC 8536 limit.
  EXPECT_TRUE(PosixTzRule::parse("AAA0BBB,M3.5.0/167,M10.5.0/-167").has_value());
  EXPECT_FALSE(PosixTzRule::parse("AAA0BBB,M3.5.0/168,M10.5.0").has_value());
}

TEST(PosixTzRule, RejectsMalformedStrings) {
  for (const char* bad :
       {"", "CE-1", "CET", "CET-1CEST,M3.5.0", "CET-1CEST,M13.5.0,M10.5.0",
        "CET-1CEST,M3.6.0,M10.5.0", "CET-1CEST,M3.5.7,M10.5.0", "CET-1CEST,J0,J100",
        "CET-1CEST,366,100", "<+03", "<+03>", "<+3>-3", "CET-25", "CET-1:60", "UTC0x",
        "CET-1CEST,M3.5.0,M10.5.0,", "CET-1CEST,M3.5.0/,M10.5.0", "1CET"}) {
    EXPECT_FALSE(PosixTzRule::parse(bad).has_value()) << bad;
  }
}

TEST(TimeZone, BerlinAcrossTheTableAndTheFooterRule) {
  const auto berlin = TimeZone::load("Europe/Berlin");
  EXPECT_EQ(berlin->name(), "Europe/Berlin");
  expect_change(*berlin, kBerlinSpring2026, kHour, 2 * kHour);
  expect_change(*berlin, kBerlinAutumn2026, 2 * kHour, kHour);
  expect_change(*berlin, kBerlinSpring2100, kHour, 2 * kHour);  // footer rule, tabulated
  expect_change(*berlin, kBerlinAutumn2100, 2 * kHour, kHour);
  expect_change(*berlin, kBerlinSpring2300, kHour, 2 * kHour);  // footer rule, computed
  expect_change(*berlin, kBerlinAutumn2300, 2 * kHour, kHour);
  // History the footer rule would get wrong: no DST in West Germany 1950-1979.
  EXPECT_EQ(berlin->offset_seconds_at(utc_s(1975, 7, 1)), kHour);
  EXPECT_EQ(berlin->offset_seconds_at(utc_s(1985, 7, 1)), 2 * kHour);
}

TEST(TimeZone, NewYork) {
  const auto ny = TimeZone::load("America/New_York");
  expect_change(*ny, kNewYorkSpring2026, -5 * kHour, -4 * kHour);
  expect_change(*ny, kNewYorkAutumn2026, -4 * kHour, -5 * kHour);
  expect_change(*ny, kNewYorkSpring2100, -5 * kHour, -4 * kHour);
  expect_change(*ny, kNewYorkAutumn2100, -4 * kHour, -5 * kHour);
}

TEST(TimeZone, LordHoweHalfHourDst) {
  const auto lh = TimeZone::load("Australia/Lord_Howe");
  expect_change(*lh, kLordHoweEnd2026, 11 * kHour, 10 * kHour + 1800);
  expect_change(*lh, kLordHoweStart2026, 10 * kHour + 1800, 11 * kHour);
  expect_change(*lh, kLordHoweEnd2100, 11 * kHour, 10 * kHour + 1800);
  expect_change(*lh, kLordHoweStart2100, 10 * kHour + 1800, 11 * kHour);
}

TEST(TimeZone, KolkataAndUtc) {
  const auto kolkata = TimeZone::load("Asia/Kolkata");
  EXPECT_EQ(kolkata->offset_seconds_at(kBerlinSpring2026), 5 * kHour + 1800);
  EXPECT_EQ(kolkata->offset_seconds_at(kBerlinSpring2300), 5 * kHour + 1800);
  EXPECT_EQ(kolkata->offset_seconds_at(utc_s(1943, 6, 1)), 6 * kHour + 1800);  // war time
  const auto p = kolkata->period_at(kBerlinSpring2026);
  EXPECT_EQ(p.end_s, INT64_MAX);
  for (const auto& zone : {TimeZone::utc(), TimeZone::load("UTC"), TimeZone::load("Etc/UTC")}) {
    EXPECT_EQ(zone->offset_seconds_at(kBerlinSpring2026), 0) << zone->name();
    EXPECT_EQ(zone->offset_seconds_at(-4'000'000'000), 0) << zone->name();
  }
}

TEST(TimeZone, PeriodsAgreeWithOffsets) {
  for (const char* name : {"Europe/Berlin", "America/New_York", "Australia/Lord_Howe",
                           "Asia/Kolkata", "America/Nuuk", "Pacific/Apia"}) {
    const auto zone = TimeZone::load(name);
    for (std::int64_t t = -2'500'000'000; t < 13'000'000'000; t += 7'777'777) {
      const OffsetPeriod p = zone->period_at(t);
      ASSERT_LE(p.begin_s, t) << name;
      ASSERT_GT(p.end_s, t) << name;
      ASSERT_EQ(p.offset_seconds, zone->offset_seconds_at(t)) << name << " @" << t;
      if (p.end_s != INT64_MAX) {
        ASSERT_EQ(zone->offset_seconds_at(p.end_s - 1), p.offset_seconds);
      }
      if (p.begin_s != INT64_MIN) {
        ASSERT_EQ(zone->offset_seconds_at(p.begin_s), p.offset_seconds);
      }
    }
  }
}

TEST(TimeZone, TabulatedRuleMatchesTheRuleItself) {
  const auto berlin = TimeZone::load("Europe/Berlin");
  const auto cet = rule("CET-1CEST,M3.5.0,M10.5.0/3");
  for (std::int64_t t = utc_s(2040, 1, 1); t < utc_s(2400, 1, 1); t += 3'333'331) {
    ASSERT_EQ(berlin->offset_seconds_at(t), cet.offset_at(t)) << t;
  }
}

TEST(TimeZone, ToLocal) {
  const auto berlin = TimeZone::load("Europe/Berlin");
  LocalTime t = berlin->to_local(kBerlinSpring2026 * 1000 + 123);
  EXPECT_EQ(t.year, 2026);
  EXPECT_EQ(t.month, 3);
  EXPECT_EQ(t.day, 29);
  EXPECT_EQ(t.hour, 3);
  EXPECT_EQ(t.minute, 0);
  EXPECT_EQ(t.second, 0);
  EXPECT_EQ(t.millisecond, 123);
  EXPECT_EQ(t.weekday, 6);
  EXPECT_EQ(t.offset_seconds, 7200);
  t = berlin->to_local(kBerlinSpring2026 * 1000 - 1);
  EXPECT_EQ(t.hour, 1);
  EXPECT_EQ(t.minute, 59);
  EXPECT_EQ(t.millisecond, 999);

  t = TimeZone::load("America/New_York")->to_local(-1);  // 1969-12-31T23:59:59.999Z
  EXPECT_EQ(t.year, 1969);
  EXPECT_EQ(t.month, 12);
  EXPECT_EQ(t.day, 31);
  EXPECT_EQ(t.hour, 18);
  EXPECT_EQ(t.millisecond, 999);
  EXPECT_EQ(t.weekday, 2);  // Wednesday

  t = TimeZone::load("Australia/Lord_Howe")->to_local(kLordHoweStart2100 * 1000);
  EXPECT_EQ(t.day, 3);  // Sunday 2100-10-03, 02:30 after the jump from 02:00
  EXPECT_EQ(t.hour, 2);
  EXPECT_EQ(t.minute, 30);
  EXPECT_EQ(t.weekday, 6);
}

TEST(TimeZone, FromLocalOrdinaryGapAndRepeatedTimes) {
  const auto berlin = TimeZone::load("Europe/Berlin");
  EXPECT_EQ(berlin->from_local({2026, 7, 1, 9, 0, 0, 250}), utc_s(2026, 7, 1, 7) * 1000 + 250);
  EXPECT_EQ(berlin->from_local({2026, 1, 5, 9, 0}), utc_s(2026, 1, 5, 8) * 1000);
  // 02:30 does not exist on 2026-03-29: the gap ends at 03:00 CEST = 01:00Z.
  EXPECT_EQ(berlin->from_local({2026, 3, 29, 2, 30}), kBerlinSpring2026 * 1000);
  EXPECT_EQ(berlin->from_local({2026, 3, 29, 2, 0}), kBerlinSpring2026 * 1000);
  EXPECT_EQ(berlin->from_local({2026, 3, 29, 3, 0}), kBerlinSpring2026 * 1000);
  EXPECT_EQ(berlin->from_local({2026, 3, 29, 1, 59, 59}), (kBerlinSpring2026 - 1) * 1000);
  // 02:30 happens twice on 2026-10-25: the earlier is CEST, 00:30Z.
  EXPECT_EQ(berlin->from_local({2026, 10, 25, 2, 30}), utc_s(2026, 10, 25, 0, 30) * 1000);
  EXPECT_EQ(berlin->from_local({2026, 10, 25, 3, 0}), utc_s(2026, 10, 25, 2) * 1000);
  // Far future, through the footer rule.
  EXPECT_EQ(berlin->from_local({2100, 3, 28, 2, 30}), kBerlinSpring2100 * 1000);
  EXPECT_EQ(berlin->from_local({2300, 10, 28, 2, 30}), utc_s(2300, 10, 28, 0, 30) * 1000);

  const auto lh = TimeZone::load("Australia/Lord_Howe");
  EXPECT_EQ(lh->from_local({2026, 10, 4, 2, 15}), kLordHoweStart2026 * 1000);  // gap 02:00-02:30
  EXPECT_EQ(lh->from_local({2026, 4, 5, 1, 45}), utc_s(2026, 4, 4, 14, 45) * 1000);  // twice

  const auto ny = TimeZone::load("America/New_York");
  EXPECT_EQ(ny->from_local({2026, 3, 8, 2, 30}), kNewYorkSpring2026 * 1000);
  EXPECT_EQ(ny->from_local({2026, 11, 1, 1, 30}), utc_s(2026, 11, 1, 5, 30) * 1000);

  for (const CivilDateTime& bad :
       {CivilDateTime{2026, 2, 29}, CivilDateTime{2026, 1, 1, 24}, CivilDateTime{2026, 1, 1, 0, 60},
        CivilDateTime{2026, 13, 1}, CivilDateTime{2026, 1, 1, 0, 0, 0, 1000}}) {
    EXPECT_THROW((void)berlin->from_local(bad), std::invalid_argument);
  }
}

TEST(TimeZone, FromLocalInvertsToLocal) {
  for (const char* name : {"Europe/Berlin", "Australia/Lord_Howe", "America/New_York"}) {
    const auto zone = TimeZone::load(name);
    for (std::int64_t ms = 1'700'000'000'000; ms < 1'900'000'000'000; ms += 3'599'999'937) {
      const LocalTime l = zone->to_local(ms);
      const std::int64_t back =
          zone->from_local({l.year, l.month, l.day, l.hour, l.minute, l.second, l.millisecond});
      // Equal, except in the repeated hour where the earlier instant is chosen.
      ASSERT_LE(back, ms) << name;
      ASSERT_GE(back, ms - 3'600'000) << name;
      if (back != ms) {
        ASSERT_EQ(zone->to_local(back).hour, l.hour);
      }
    }
  }
}

std::string error_of(std::string_view name) {
  try {
    (void)TimeZone::load(name);
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "(loaded)";
}

TEST(TimeZone, RejectsBadAndUnknownNames) {
  EXPECT_EQ(error_of("Europe/Berln"), "unknown time zone 'Europe/Berln'");
  EXPECT_EQ(error_of("Europe"), "unknown time zone 'Europe'");  // a directory
  EXPECT_EQ(error_of("../../etc/passwd"), "unknown time zone '../../etc/passwd'");
  EXPECT_EQ(error_of("/etc/localtime"), "unknown time zone '/etc/localtime'");
  EXPECT_EQ(error_of("Europe/Berlin\n"), "unknown time zone 'Europe/Berlin?'");
  EXPECT_EQ(error_of("zone.tab"), "unknown time zone 'zone.tab'");
  EXPECT_EQ(error_of(""), "unknown time zone ''");
  EXPECT_EQ(error_of("Europe/Berlin "), "unknown time zone 'Europe/Berlin '");
}

TEST(TimeZone, CachesAndLoadsConcurrently) {
  std::vector<std::shared_ptr<const TimeZone>> loaded(8);
  std::vector<std::thread> threads;
  for (std::size_t i = 0; i < loaded.size(); ++i) {
    threads.emplace_back([&loaded, i] { loaded[i] = TimeZone::load("America/Nuuk"); });
  }
  for (auto& t : threads) t.join();
  for (const auto& zone : loaded) EXPECT_EQ(zone.get(), loaded[0].get());
  EXPECT_EQ(TimeZone::load("Europe/Berlin").get(), TimeZone::load("Europe/Berlin").get());
}

// --- hand-built TZif files ---

std::string be(std::uint64_t v, int bytes) {
  std::string out;
  for (int i = bytes - 1; i >= 0; --i) out += static_cast<char>((v >> (8 * i)) & 0xff);
  return out;
}

struct Type {
  std::int32_t offset;
  bool dst;
};

std::string header(char version, std::uint32_t timecnt, std::uint32_t typecnt,
                   std::uint32_t charcnt, std::uint32_t leapcnt = 0) {
  return std::string("TZif") + version + std::string(15, '\0') + be(0, 4) + be(0, 4) +
         be(leapcnt, 4) + be(timecnt, 4) + be(typecnt, 4) + be(charcnt, 4);
}

std::string block(const std::vector<std::int64_t>& times, const std::vector<std::uint8_t>& index,
                  const std::vector<Type>& types, int time_size) {
  std::string out;
  for (auto t : times) out += be(static_cast<std::uint64_t>(t), time_size);
  for (auto i : index) out += static_cast<char>(i);
  for (const auto& type : types) {
    out += be(static_cast<std::uint32_t>(type.offset), 4) + static_cast<char>(type.dst) + '\0';
  }
  return out + "X" + std::string(1, '\0');
}

std::string tzif_v1(const std::vector<std::int64_t>& times, const std::vector<std::uint8_t>& index,
                    const std::vector<Type>& types) {
  return header('\0', times.size(), types.size(), 2) + block(times, index, types, 4);
}

std::string tzif_v2(const std::vector<std::int64_t>& times, const std::vector<std::uint8_t>& index,
                    const std::vector<Type>& types, const std::string& footer) {
  // A "slim" file: the 32-bit block is a stub, the 64-bit block says everything.
  return header('2', 0, 1, 2) + block({}, {}, {{0, false}}, 4) +
         header('2', times.size(), types.size(), 2) + block(times, index, types, 8) + "\n" +
         footer + "\n";
}

TEST(TimeZone, ReadsVersion1Files) {
  const auto zone =
      TimeZone::from_tzif("Test/V1", tzif_v1({1000, 2000}, {1, 0}, {{3600, false}, {7200, true}}));
  EXPECT_EQ(zone->offset_seconds_at(999), 3600);  // type 0 before the first transition
  EXPECT_EQ(zone->offset_seconds_at(1000), 7200);
  EXPECT_EQ(zone->offset_seconds_at(2000), 3600);
  EXPECT_EQ(zone->offset_seconds_at(4'000'000'000), 3600);  // no footer: last type persists
}

TEST(TimeZone, ReadsSlimVersion2FilesWithFooter) {
  // Transitions stop in 1996; everything after comes from the footer rule.
  const std::int64_t last = utc_s(1996, 10, 27, 1);
  const auto zone = TimeZone::from_tzif(
      "Test/Slim", tzif_v2({-5'000'000'000, last}, {1, 0}, {{3600, false}, {7200, true}},
                           "CET-1CEST,M3.5.0,M10.5.0/3"));
  EXPECT_EQ(zone->offset_seconds_at(-5'000'000'001), 3600);
  EXPECT_EQ(zone->offset_seconds_at(-5'000'000'000), 7200);  // needs the 64-bit times
  EXPECT_EQ(zone->offset_seconds_at(last), 3600);
  expect_change(*zone, kBerlinSpring2026, 3600, 7200);
  expect_change(*zone, kBerlinAutumn2300, 7200, 3600);
  EXPECT_EQ(zone->from_local({2026, 3, 29, 2, 30}), kBerlinSpring2026 * 1000);

  // No transitions at all: the rule applies to every time, also before 1900.
  const auto rule_only = TimeZone::from_tzif(
      "Test/RuleOnly", tzif_v2({}, {}, {{-18000, false}}, "EST5EDT,M3.2.0,M11.1.0"));
  expect_change(*rule_only, kNewYorkSpring2026, -5 * kHour, -4 * kHour);
  EXPECT_EQ(rule_only->offset_seconds_at(utc_s(1850, 7, 1)), -4 * kHour);
  EXPECT_EQ(rule_only->offset_seconds_at(utc_s(1850, 1, 1)), -5 * kHour);
}

TEST(TimeZone, RefusesMalformedFiles) {
  const std::string good = tzif_v2({1000}, {1}, {{0, false}, {3600, false}}, "<+01>-1");
  EXPECT_NO_THROW((void)TimeZone::from_tzif("ok", good));
  auto message = [](const std::string& bytes) -> std::string {
    try {
      (void)TimeZone::from_tzif("Test/Bad", bytes);
    } catch (const std::invalid_argument& e) {
      return e.what();
    }
    return "(accepted)";
  };
  EXPECT_EQ(message("TZ"), "time zone 'Test/Bad' has a malformed file: truncated");
  EXPECT_EQ(message("TZjf" + good.substr(4)),
            "time zone 'Test/Bad' has a malformed file: not a TZif file");
  EXPECT_EQ(message(good.substr(0, good.size() - 12)),
            "time zone 'Test/Bad' has a malformed file: truncated");
  EXPECT_EQ(message(good.substr(0, good.size() - 1)),
            "time zone 'Test/Bad' has a malformed file: unterminated footer");
  EXPECT_EQ(message(tzif_v2({2000, 1000}, {1, 0}, {{0, false}, {3600, false}}, "")),
            "time zone 'Test/Bad' has a malformed file: transitions out of order");
  EXPECT_EQ(message(tzif_v2({1000}, {2}, {{0, false}, {3600, false}}, "")),
            "time zone 'Test/Bad' has a malformed file: transition names an unknown type");
  EXPECT_EQ(message(tzif_v2({1000}, {1}, {{0, false}, {3600, false}}, "CET-1CEST,M3")),
            "time zone 'Test/Bad' has a malformed file: bad TZ string 'CET-1CEST,M3'");
  EXPECT_EQ(message(header('\0', 0, 1, 2, 1) + block({}, {}, {{0, false}}, 4) + be(0, 8)),
            "time zone 'Test/Bad' has a malformed file: leap-second zones are not supported");
}

TEST(TimeZone, ZoneDirectoryFromTzdir) {
  const auto dir = std::filesystem::path(testing::TempDir()) / "custos-tzdir-test";
  std::filesystem::create_directories(dir / "Test");
  std::ofstream(dir / "Test" / "Plus3", std::ios::binary)
      << tzif_v2({}, {}, {{3 * kHour, false}}, "<+03>-3");
  std::ofstream(dir / "Test" / "Garbage", std::ios::binary) << "not a zone";
  const char* previous = std::getenv("TZDIR");
  const std::string saved = previous != nullptr ? previous : "";
  ::setenv("TZDIR", dir.c_str(), 1);
  EXPECT_EQ(TimeZone::load("Test/Plus3")->offset_seconds_at(0), 3 * kHour);
  EXPECT_EQ(error_of("Test/Garbage"),
            "time zone 'Test/Garbage' has a malformed file: not a TZif file");
  EXPECT_EQ(error_of("Europe/Berlin"), "unknown time zone 'Europe/Berlin'");
  if (previous != nullptr) {
    ::setenv("TZDIR", saved.c_str(), 1);
  } else {
    ::unsetenv("TZDIR");
  }
  std::filesystem::remove_all(dir);
  EXPECT_EQ(TimeZone::load("Europe/Berlin")->offset_seconds_at(kBerlinSpring2026), 2 * kHour);
}

}  // namespace
}  // namespace custos::incidents
