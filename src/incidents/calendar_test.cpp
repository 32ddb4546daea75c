#include "incidents/calendar.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <random>
#include <stdexcept>
#include <string>

namespace custos::incidents {
namespace {

using nlohmann::json;

constexpr std::int64_t kMinute = 60'000;
constexpr std::int64_t kHour = 60 * kMinute;
constexpr std::int64_t kDay = 24 * kHour;

// 09:00-17:00 Monday to Friday in Berlin, with the given holidays.
BusinessCalendar office(std::set<CivilDate> holidays = {}) {
  BusinessCalendar c;
  c.name = "business";
  c.zone = TimeZone::load("Europe/Berlin");
  for (std::size_t d = 0; d < 5; ++d) c.week[d] = {{9 * 60, 17 * 60}};
  c.holidays = std::move(holidays);
  return c;
}

std::int64_t berlin(int y, int mo, int d, int h, int mi = 0) {
  return TimeZone::load("Europe/Berlin")->from_local({y, mo, d, h, mi});
}

// The definition, minute by minute: working time is every minute whose local wall-clock time
// lies in a working interval of a non-holiday local date.
std::int64_t naive_between(const BusinessCalendar& c, std::int64_t from, std::int64_t to) {
  std::int64_t total = 0;
  for (std::int64_t m = from; m < to; m += kMinute) {
    const LocalTime l = c.zone->to_local(m);
    if (c.holidays.count({l.year, l.month, l.day}) != 0) continue;
    const int minute = l.hour * 60 + l.minute;
    for (const WorkingInterval& i : c.week[static_cast<std::size_t>(l.weekday)]) {
      if (minute >= i.start_minute && minute < i.end_minute) total += kMinute;
    }
  }
  return total;
}

std::string parse_error(const json& j) {
  try {
    (void)j.get<BusinessCalendar>();
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "(accepted)";
}

json office_json() {
  return json::parse(R"({
    "name": "business", "zone": "Europe/Berlin",
    "week": {"monday": [{"start": "09:00", "end": "12:30"}, {"start": "13:30", "end": "17:00"}],
             "tuesday": [{"start": "09:00", "end": "17:00"}],
             "wednesday": [{"start": "09:00", "end": "17:00"}],
             "thursday": [{"start": "09:00", "end": "17:00"}],
             "friday": [{"start": "09:00", "end": "15:00"}],
             "saturday": [{"start": "22:00", "end": "24:00"}]},
    "holidays": ["2026-04-03", "2026-04-06", "2026-12-25"]})");
}

TEST(BusinessCalendar, JsonRoundTrip) {
  const auto c = office_json().get<BusinessCalendar>();
  EXPECT_EQ(c.name, "business");
  EXPECT_EQ(c.zone->name(), "Europe/Berlin");
  EXPECT_FALSE(c.always_open);
  EXPECT_EQ(c.week[0], (std::vector<WorkingInterval>{{540, 750}, {810, 1020}}));
  EXPECT_EQ(c.week[5], (std::vector<WorkingInterval>{{1320, 1440}}));
  EXPECT_TRUE(c.week[6].empty());
  EXPECT_EQ(c.holidays.size(), 3U);
  EXPECT_EQ(c.holidays.count({2026, 12, 25}), 1U);

  const json out = c;
  EXPECT_EQ(out["week"]["monday"][1]["end"], "17:00");
  EXPECT_EQ(out["week"]["saturday"][0]["end"], "24:00");
  EXPECT_EQ(out["week"]["sunday"], json::array());
  EXPECT_EQ(out["holidays"][0], "2026-04-03");
  const auto again = out.get<BusinessCalendar>();
  EXPECT_EQ(again.week, c.week);
  EXPECT_EQ(again.holidays, c.holidays);

  const json always = BusinessCalendar::twenty_four_seven();
  EXPECT_EQ(always, json::parse(R"({"name": "24x7", "zone": "UTC", "always_open": true})"));
  EXPECT_TRUE(always.get<BusinessCalendar>().always_open);
}

TEST(BusinessCalendar, JsonErrorsNameTheField) {
  json j = office_json();
  j["week"]["tuesday"].push_back({{"start", "18:00"}, {"end", "17:30"}});
  EXPECT_EQ(parse_error(j), "week.tuesday[1]: end must be after start");

  j = office_json();
  j["holidays"].push_back("2026-02-30");
  EXPECT_EQ(parse_error(j), "holidays[3]: must be a date YYYY-MM-DD");
  j["holidays"][3] = 20260101;
  EXPECT_EQ(parse_error(j), "holidays[3]: must be a date YYYY-MM-DD");

  j = office_json();
  j["zone"] = "Europe/Berln";
  EXPECT_EQ(parse_error(j), "zone: unknown time zone 'Europe/Berln'");
  j["zone"] = 1;
  EXPECT_EQ(parse_error(j), "zone: must be a time zone name such as Europe/Berlin");

  j = office_json();
  j["week"]["monday"][1]["start"] = "12:00";
  EXPECT_EQ(parse_error(j),
            "week.monday[1]: must start at or after the end of the previous interval");
  j["week"]["monday"][1]["start"] = "9:00";
  EXPECT_EQ(parse_error(j), "week.monday[1].start: must be a time HH:MM between 00:00 and 24:00");
  j["week"]["monday"][1]["start"] = "24:30";
  EXPECT_EQ(parse_error(j), "week.monday[1].start: must be a time HH:MM between 00:00 and 24:00");
  j["week"]["monday"][1].erase("start");
  EXPECT_EQ(parse_error(j), "week.monday[1].start: missing");
  j["week"]["monday"][1]["begin"] = "10:00";
  EXPECT_EQ(parse_error(j), "week.monday[1].begin: unknown field");

  j = office_json();
  j["week"]["funday"] = json::array();
  EXPECT_EQ(parse_error(j), "week.funday: unknown day (expected monday ... sunday)");

  j = office_json();
  j["week"]["friday"][0]["start"] = "24:00";
  j["week"]["friday"][0]["end"] = "24:00";
  EXPECT_EQ(parse_error(j), "week.friday[0]: start must be between 00:00 and 23:59");

  j = office_json();
  j["week"] = json::object();
  EXPECT_EQ(parse_error(j), "week: a calendar must have some working time (or set always_open)");

  j = office_json();
  j["always_open"] = true;
  EXPECT_EQ(parse_error(j), "week: must be empty when always_open is true");
  j["always_open"] = "yes";
  EXPECT_EQ(parse_error(j), "always_open: must be true or false");

  j = office_json();
  j["colour"] = "blue";
  EXPECT_EQ(parse_error(j), "colour: unknown field");
  j = office_json();
  j.erase("name");
  EXPECT_EQ(parse_error(j), "name: missing");
  j["name"] = "office hours";
  EXPECT_EQ(parse_error(j), "name: must be 1-64 letters, digits, '_', '-' or '.'");
  EXPECT_EQ(parse_error(json::array()), "calendar: must be an object");
}

TEST(BusinessCalendar, ValidateRequiresWorkingTime) {
  BusinessCalendar c = office();
  EXPECT_NO_THROW(validate(c));
  c.week = {};
  EXPECT_THROW(validate(c), std::invalid_argument);
  EXPECT_THROW((void)add_business_ms(c, 0, kHour), std::invalid_argument);
  EXPECT_EQ(business_ms_between(c, 0, 10 * kDay), 0);
  c.week[6] = {{0, 1440}};
  c.zone = nullptr;
  EXPECT_THROW(validate(c), std::invalid_argument);
  EXPECT_NO_THROW(validate(BusinessCalendar::twenty_four_seven()));
}

TEST(BusinessCalendar, TwentyFourSeven) {
  const auto c = BusinessCalendar::twenty_four_seven();
  EXPECT_EQ(business_ms_between(c, 1'000, 5'000), 4'000);
  EXPECT_EQ(business_ms_between(c, 5'000, 1'000), 0);
  EXPECT_EQ(add_business_ms(c, 1'000, 4 * kHour), 1'000 + 4 * kHour);
  EXPECT_EQ(add_business_ms(c, 1'000, 0), 1'000);
  EXPECT_EQ(add_business_ms(c, 1'000, -5), 1'000);
}

TEST(BusinessCalendar, OfficeHoursWithinAndAcrossDays) {
  const auto c = office();
  // Monday 2026-01-05.
  EXPECT_EQ(business_ms_between(c, berlin(2026, 1, 5, 10), berlin(2026, 1, 5, 12)), 2 * kHour);
  EXPECT_EQ(business_ms_between(c, berlin(2026, 1, 5, 7), berlin(2026, 1, 5, 20)), 8 * kHour);
  EXPECT_EQ(business_ms_between(c, berlin(2026, 1, 5, 16), berlin(2026, 1, 6, 10)), 2 * kHour);
  // Friday afternoon to Monday morning: the weekend does not count.
  EXPECT_EQ(business_ms_between(c, berlin(2026, 1, 9, 15), berlin(2026, 1, 12, 11)), 4 * kHour);
  EXPECT_EQ(add_business_ms(c, berlin(2026, 1, 9, 15), 4 * kHour), berlin(2026, 1, 12, 11));
  // Exactly to closing time ends at closing time, not at the next opening.
  EXPECT_EQ(add_business_ms(c, berlin(2026, 1, 9, 15), 2 * kHour), berlin(2026, 1, 9, 17));
  // Started outside hours: the clock starts at the next opening.
  EXPECT_EQ(add_business_ms(c, berlin(2026, 1, 10, 12), 30 * kMinute), berlin(2026, 1, 12, 9, 30));
  EXPECT_EQ(add_business_ms(c, berlin(2026, 1, 10, 12), 1), berlin(2026, 1, 12, 9) + 1);
  // Milliseconds are exact.
  EXPECT_EQ(business_ms_between(c, berlin(2026, 1, 5, 9) - 1, berlin(2026, 1, 5, 9) + 7), 7);
  EXPECT_EQ(add_business_ms(c, berlin(2026, 1, 5, 16, 59) + 59'999, 2), berlin(2026, 1, 6, 9) + 1);
}

TEST(BusinessCalendar, Holidays) {
  // Good Friday 2026-04-03 and Easter Monday 2026-04-06.
  const auto c = office({{2026, 4, 3}, {2026, 4, 6}});
  EXPECT_EQ(business_ms_between(c, berlin(2026, 4, 2, 16), berlin(2026, 4, 7, 10)), 2 * kHour);
  EXPECT_EQ(add_business_ms(c, berlin(2026, 4, 2, 16), 2 * kHour), berlin(2026, 4, 7, 10));
  EXPECT_EQ(business_ms_between(c, berlin(2026, 4, 3, 10), berlin(2026, 4, 3, 12)), 0);
  EXPECT_EQ(add_business_ms(c, berlin(2026, 4, 3, 10), kHour), berlin(2026, 4, 7, 10));
  // Five weeks around Easter: 25 weekdays minus 2 holidays.
  EXPECT_EQ(business_ms_between(c, berlin(2026, 3, 16, 0), berlin(2026, 4, 20, 0)), kHour * 23 * 8);
  EXPECT_EQ(add_business_ms(c, berlin(2026, 3, 16, 0), kHour * 23 * 8), berlin(2026, 4, 17, 17));
}

TEST(BusinessCalendar, AcrossTheMarch2026DstChange) {
  const auto c = office();
  // Friday 2026-03-27 16:00 CET to Monday 2026-03-30 10:00 CEST: 2 h of work, 65 h of clock.
  const std::int64_t friday = berlin(2026, 3, 27, 16);
  const std::int64_t monday = berlin(2026, 3, 30, 10);
  EXPECT_EQ(monday - friday, 65 * kHour);
  EXPECT_EQ(business_ms_between(c, friday, monday), 2 * kHour);
  EXPECT_EQ(add_business_ms(c, friday, 2 * kHour), monday);
  // Monday 09:00 CEST is 07:00Z, one hour earlier in UTC than in winter.
  EXPECT_EQ(add_business_ms(c, friday, kHour), berlin(2026, 3, 27, 17));
  EXPECT_EQ(add_business_ms(c, friday, kHour + 30 * kMinute), 1'774'855'800'000);  // 07:30Z
}

TEST(BusinessCalendar, WorkingIntervalsAcrossTheTransitionItself) {
  // Sunday 00:00-24:00 and a short Sunday night shift: on 2026-03-29 the day has 23 hours,
  // on 2026-10-25 it has 25.
  BusinessCalendar c = office();
  c.week[6] = {{0, 1440}};
  EXPECT_EQ(business_ms_between(c, berlin(2026, 3, 29, 0), berlin(2026, 3, 30, 0)), 23 * kHour);
  EXPECT_EQ(business_ms_between(c, berlin(2026, 10, 25, 0), berlin(2026, 10, 26, 0)), 25 * kHour);
  EXPECT_EQ(add_business_ms(c, berlin(2026, 3, 29, 0), 23 * kHour), berlin(2026, 3, 30, 0));
  c.week[6] = {{90, 150}};  // 01:30-02:30: half of it skipped in spring, doubled in autumn
  EXPECT_EQ(business_ms_between(c, berlin(2026, 3, 29, 0), berlin(2026, 3, 30, 0)), 30 * kMinute);
  EXPECT_EQ(business_ms_between(c, berlin(2026, 10, 25, 0), berlin(2026, 10, 26, 0)), 90 * kMinute);
}

TEST(BusinessCalendar, MatchesTheMinuteByMinuteDefinition) {
  // Odd intervals around the transition times, in zones with 1 h and 30 min DST.
  std::mt19937_64 random(42);
  for (const char* zone : {"Europe/Berlin", "Australia/Lord_Howe", "America/New_York"}) {
    BusinessCalendar c;
    c.name = "odd";
    c.zone = TimeZone::load(zone);
    c.week[0] = {{8 * 60 + 30, 12 * 60}, {13 * 60, 17 * 60 + 15}};
    c.week[2] = {{0, 60}, {7 * 60, 19 * 60}};
    c.week[5] = {{60, 3 * 60}, {23 * 60, 1440}};
    c.week[6] = {{0, 90}, {105, 135}, {150, 1440}};
    c.holidays = {{2026, 3, 9}, {2026, 4, 1}, {2026, 10, 28}, {2026, 11, 2}};
    for (const auto& [y, m, d] : std::vector<std::array<int, 3>>{
             {2026, 3, 5}, {2026, 3, 25}, {2026, 4, 1}, {2026, 10, 1}, {2026, 10, 22}}) {
      const std::int64_t base = c.zone->from_local({y, m, d, 0, 0});
      for (int trial = 0; trial < 6; ++trial) {
        const std::int64_t from = base + static_cast<std::int64_t>(random() % 8000) * kMinute;
        const std::int64_t to = from + static_cast<std::int64_t>(random() % 9000) * kMinute;
        const std::int64_t expected = naive_between(c, from, to);
        ASSERT_EQ(business_ms_between(c, from, to), expected) << zone << " " << from << " " << to;
        if (expected > 0) {
          const std::int64_t end = add_business_ms(c, from, expected);
          ASSERT_EQ(naive_between(c, from, end), expected) << zone;
          ASSERT_LT(naive_between(c, from, end - kMinute), expected) << zone;  // earliest
        }
      }
    }
  }
}

TEST(BusinessCalendar, AddIsTheInverseOfBetweenAndComposes) {
  std::mt19937_64 random(7);
  const auto c = office({{2026, 1, 1},
                         {2026, 4, 3},
                         {2026, 4, 6},
                         {2026, 5, 1},
                         {2026, 12, 25},
                         {2026, 12, 26},
                         {2027, 1, 1},
                         {2027, 3, 26}});
  for (int trial = 0; trial < 2000; ++trial) {
    const std::int64_t start =
        1'767'225'600'000 + static_cast<std::int64_t>(random() % (400 * kDay));  // from 2026
    const std::int64_t duration =
        1 + static_cast<std::int64_t>(random() % (trial % 2 == 0 ? 10 * kHour : 900 * kHour));
    const std::int64_t end = add_business_ms(c, start, duration);
    ASSERT_EQ(business_ms_between(c, start, end), duration) << start << " + " << duration;
    ASSERT_EQ(business_ms_between(c, start, end - 1), duration - 1) << "not the earliest";
    const std::int64_t split = duration / 3;
    ASSERT_EQ(add_business_ms(c, add_business_ms(c, start, split), duration - split), end);
    const std::int64_t middle = start + static_cast<std::int64_t>(random() % (end - start + 1));
    ASSERT_EQ(business_ms_between(c, start, middle) + business_ms_between(c, middle, end),
              duration);
  }
}

TEST(BusinessCalendar, LongSpansAndFarFuture) {
  const auto c = office();
  // 52 weeks of 40 hours from a Monday, in the footer-rule era and the tabulated era.
  for (int year : {2026, 2150, 2350}) {
    std::int64_t monday_day = days_from_civil(year, 1, 1);
    while (weekday_from_days(monday_day) != 0) ++monday_day;
    const CivilDate date = civil_from_days(monday_day);
    const std::int64_t start = berlin(date.year, date.month, date.day, 0);
    const std::int64_t end = start + 364 * kDay;  // DST shifts both ends by the same amount
    EXPECT_EQ(business_ms_between(c, start, end), kHour * 52 * 40) << year;
    EXPECT_EQ(add_business_ms(c, start, kHour * 52 * 40), end - 7 * kHour - 2 * kDay) << year;
  }
}

TEST(BusinessCalendar, ExtremeInputsDoNotOverflow) {
  BusinessCalendar c = office();
  c.week = {};
  c.week[6] = {{0, 1}};  // one minute a week
  const std::int64_t never = add_business_ms(c, 0, INT64_MAX);
  EXPECT_EQ(never, 253'402'300'800'000);  // 10000-01-01T00:00:00Z
  EXPECT_EQ(add_business_ms(office(), INT64_MAX - 5, kHour), never);
  EXPECT_GT(business_ms_between(office(), INT64_MIN, INT64_MAX), 0);
  EXPECT_EQ(add_business_ms(BusinessCalendar::twenty_four_seven(), 0, INT64_MAX), never);
}

// Not a performance assertion (those live in bench/): prints what the SLA sweep will cost.
TEST(BusinessCalendar, TimingPrintsNanosecondsPerOperation) {
  const auto c = office({{2026, 1, 1},
                         {2026, 4, 3},
                         {2026, 4, 6},
                         {2026, 5, 1},
                         {2026, 5, 14},
                         {2026, 5, 25},
                         {2026, 10, 3},
                         {2026, 12, 25},
                         {2026, 12, 26},
                         {2027, 1, 1}});
  std::mt19937_64 random(1);
  constexpr int kOps = 20'000;
  std::vector<std::int64_t> starts(kOps);
  for (auto& s : starts) s = 1'767'225'600'000 + static_cast<std::int64_t>(random() % (330 * kDay));
  for (const auto& [label, span] : std::vector<std::pair<const char*, std::int64_t>>{
           {"hours", 6 * kHour}, {"weeks", kDay * 5 * 7}}) {
    std::int64_t sink = 0;
    auto t0 = std::chrono::steady_clock::now();
    for (std::int64_t s : starts) sink += business_ms_between(c, s, s + span);
    auto t1 = std::chrono::steady_clock::now();
    const std::int64_t business_span = span == 6 * kHour ? 3 * kHour : kHour * 5 * 40;
    for (std::int64_t s : starts) sink += add_business_ms(c, s, business_span);
    auto t2 = std::chrono::steady_clock::now();
    auto ns = [](auto a, auto b) {
      return std::chrono::duration_cast<std::chrono::nanoseconds>(b - a).count() / kOps;
    };
    std::printf(
        "[ timing   ] 9-17 Europe/Berlin, span of %s: business_ms_between %lld ns/op, "
        "add_business_ms %lld ns/op (checksum %lld)\n",
        label, static_cast<long long>(ns(t0, t1)), static_cast<long long>(ns(t1, t2)),
        static_cast<long long>(sink % 1000));
    EXPECT_NE(sink, 0);
  }
}

}  // namespace
}  // namespace custos::incidents
