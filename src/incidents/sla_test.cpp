#include "incidents/sla.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <random>
#include <stdexcept>

namespace custos::incidents {
namespace {

using nlohmann::json;

constexpr std::int64_t kMinute = 60'000;
constexpr std::int64_t kHour = 60 * kMinute;
constexpr std::int64_t kDay = 24 * kHour;

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

std::string parse_error(const json& j) {
  try {
    (void)j.get<SlaPolicy>();
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "(accepted)";
}

TEST(SlaPolicy, Defaults) {
  const auto p = SlaPolicy::defaults();
  EXPECT_NO_THROW(validate(p));
  EXPECT_EQ(p.target_ms(1, SlaKind::response), 15 * kMinute);
  EXPECT_EQ(p.target_ms(1, SlaKind::resolution), 4 * kHour);
  EXPECT_EQ(p.target_ms(2, SlaKind::response), 30 * kMinute);
  EXPECT_EQ(p.target_ms(3, SlaKind::resolution), 24 * kHour);
  EXPECT_EQ(p.target_ms(4, SlaKind::resolution), 40 * kHour);
  EXPECT_EQ(p.calendar_for(1), "24x7");
  EXPECT_EQ(p.calendar_for(2), "business");
  EXPECT_EQ(p.calendar_for(4), "business");
  EXPECT_EQ(p.thresholds_percent, (std::vector<int>{50, 75, 100}));
  EXPECT_THROW((void)p.target_ms(0, SlaKind::response), std::out_of_range);
  EXPECT_THROW((void)p.calendar_for(5), std::out_of_range);
}

TEST(SlaPolicy, JsonRoundTripAndErrors) {
  const json j = SlaPolicy::defaults();
  EXPECT_EQ(j["targets"]["P1"], json::parse(R"({"response_minutes": 15, "resolution_minutes": 240,
                            "calendar": "24x7"})"));
  EXPECT_EQ(j["thresholds_percent"], json::parse("[50, 75, 100]"));
  EXPECT_EQ(j.get<SlaPolicy>(), SlaPolicy::defaults());

  json k = j;
  k.erase("thresholds_percent");  // optional: the defaults apply
  EXPECT_EQ(k.get<SlaPolicy>().thresholds_percent, (std::vector<int>{50, 75, 100}));
  k["thresholds_percent"] = json::array();  // no escalation at all is a valid choice
  EXPECT_TRUE(k.get<SlaPolicy>().thresholds_percent.empty());

  k = j;
  k["targets"]["P2"]["response_minutes"] = 0;
  EXPECT_EQ(parse_error(k),
            "targets.P2.response_minutes: must be a whole number of minutes, "
            "1-525600");
  k["targets"]["P2"]["response_minutes"] = 600;
  EXPECT_EQ(parse_error(k), "targets.P2.response_minutes: must not exceed resolution_minutes");
  k = j;
  k["targets"]["P3"].erase("calendar");
  EXPECT_EQ(parse_error(k), "targets.P3.calendar: missing");
  k = j;
  k["targets"]["P4"]["resolution_minutes"] = "2400";
  EXPECT_EQ(parse_error(k),
            "targets.P4.resolution_minutes: must be a whole number of minutes, "
            "1-525600");
  k = j;
  k["targets"]["P5"] = k["targets"]["P4"];
  EXPECT_EQ(parse_error(k), "targets.P5: unknown priority (expected P1 ... P4)");
  k = j;
  k["targets"].erase("P1");
  EXPECT_EQ(parse_error(k), "targets.P1: missing");
  k = j;
  k["thresholds_percent"] = json::parse("[50, 50, 100]");
  EXPECT_EQ(parse_error(k),
            "thresholds_percent[1]: must be an integer 1-1000, greater than the one before");
  k["thresholds_percent"] = json::parse("[50, 75.5]");
  EXPECT_EQ(parse_error(k),
            "thresholds_percent[1]: must be an integer 1-1000, greater than the one before");
  k = j;
  k["escalate"] = true;
  EXPECT_EQ(parse_error(k), "escalate: unknown field");

  EXPECT_EQ(unknown_calendar(SlaPolicy::defaults(), {"24x7", "business"}), std::nullopt);
  EXPECT_EQ(unknown_calendar(SlaPolicy::defaults(), {"24x7"}),
            "targets.P2.calendar: unknown calendar 'business'");
}

TEST(SlaClock, TwentyFourSevenSimple) {
  const auto cal = BusinessCalendar::twenty_four_seven();
  const ClockInput clock{.started_ms = 1'000, .target_ms = 4 * kHour};
  auto s = evaluate(cal, clock, 1'000 + kHour);
  EXPECT_EQ(s.elapsed_ms, kHour);
  EXPECT_EQ(s.remaining_ms, 3 * kHour);
  EXPECT_EQ(s.due_ms, 1'000 + 4 * kHour);
  EXPECT_EQ(s.percent, 25);
  EXPECT_FALSE(s.paused || s.breached || s.met);
  EXPECT_EQ(s.paused_ms, 0);

  s = evaluate(cal, clock, 1'000 + 4 * kHour);  // exactly at the target: due, not breached
  EXPECT_EQ(s.remaining_ms, 0);
  EXPECT_FALSE(s.breached);
  EXPECT_EQ(s.due_ms, 1'000 + 4 * kHour);
  s = evaluate(cal, clock, 1'001 + 4 * kHour);
  EXPECT_TRUE(s.breached);
  EXPECT_EQ(s.remaining_ms, -1);

  // Evaluated before it started: nothing has run yet.
  s = evaluate(cal, clock, 0);
  EXPECT_EQ(s.elapsed_ms, 0);
  EXPECT_EQ(s.due_ms, 1'000 + 4 * kHour);
  EXPECT_THROW((void)evaluate(cal, ClockInput{.started_ms = 0, .target_ms = 0}, 5),
               std::invalid_argument);
}

TEST(SlaClock, StartingOnFridayAfternoonWithAHoliday) {
  const ClockInput clock{.started_ms = berlin(2026, 1, 9, 16), .target_ms = 4 * kHour};
  // Saturday: one hour ran on Friday, the rest is due Monday at noon.
  auto s = evaluate(office(), clock, berlin(2026, 1, 10, 11));
  EXPECT_EQ(s.elapsed_ms, kHour);
  EXPECT_EQ(s.remaining_ms, 3 * kHour);
  EXPECT_EQ(s.due_ms, berlin(2026, 1, 12, 12));
  EXPECT_FALSE(s.paused);  // outside hours the clock is not paused, there is just no work time
  // With Monday a holiday, Tuesday at noon.
  s = evaluate(office({{2026, 1, 12}}), clock, berlin(2026, 1, 10, 11));
  EXPECT_EQ(s.due_ms, berlin(2026, 1, 13, 12));
  s = evaluate(office({{2026, 1, 12}}), clock, berlin(2026, 1, 13, 11));
  EXPECT_EQ(s.elapsed_ms, 3 * kHour);
  EXPECT_EQ(s.percent, 75);
}

TEST(SlaClock, AcrossTheMarch2026DstChange) {
  // Friday 2026-03-27 15:00 CET, 8 business hours: 2 on Friday, 6 on Monday (CEST).
  const ClockInput clock{.started_ms = berlin(2026, 3, 27, 15), .target_ms = 8 * kHour};
  const auto s = evaluate(office(), clock, berlin(2026, 3, 28, 12));
  EXPECT_EQ(s.elapsed_ms, 2 * kHour);
  EXPECT_EQ(s.due_ms, berlin(2026, 3, 30, 15));
  EXPECT_EQ(*s.due_ms, 1'774'875'600'000);  // 2026-03-30T13:00:00Z
  const auto later = evaluate(office(), clock, 1'774'875'600'000);
  EXPECT_EQ(later.elapsed_ms, 8 * kHour);
  EXPECT_EQ(later.percent, 100);
}

TEST(SlaClock, PausesOverlappingNonBusinessTime) {
  // Monday 09:00 start; pending from Monday 16:00 to Tuesday 10:00: the night costs nothing
  // either way, so the pause holds back 1 h on Monday and 1 h on Tuesday.
  ClockInput clock{.started_ms = berlin(2026, 1, 5, 9), .target_ms = 16 * kHour};
  clock.pauses = {{berlin(2026, 1, 5, 16), berlin(2026, 1, 6, 10)}};
  auto s = evaluate(office(), clock, berlin(2026, 1, 6, 12));
  EXPECT_EQ(s.paused_ms, 2 * kHour);
  EXPECT_EQ(s.elapsed_ms, 9 * kHour);           // 7 on Monday, 2 on Tuesday
  EXPECT_EQ(s.due_ms, berlin(2026, 1, 7, 11));  // 5 h on Tuesday, 2 on Wednesday
  EXPECT_FALSE(s.paused);

  // Overlapping and unordered pauses, one reaching back before the start: counted once.
  clock.pauses = {{berlin(2026, 1, 6, 9), berlin(2026, 1, 6, 10)},
                  {berlin(2026, 1, 5, 16), berlin(2026, 1, 6, 9, 30)},
                  {berlin(2026, 1, 4, 12), berlin(2026, 1, 5, 10)}};
  s = evaluate(office(), clock, berlin(2026, 1, 6, 12));
  EXPECT_EQ(s.paused_ms, 3 * kHour);
  EXPECT_EQ(s.elapsed_ms, 8 * kHour);

  // Pending now: paused, no due time, and the clock does not move while pending.
  clock.pauses = {{berlin(2026, 1, 6, 10), std::nullopt}};
  s = evaluate(office(), clock, berlin(2026, 1, 6, 15));
  EXPECT_TRUE(s.paused);
  EXPECT_EQ(s.due_ms, std::nullopt);
  EXPECT_EQ(s.elapsed_ms, 9 * kHour);
  EXPECT_EQ(s.paused_ms, 5 * kHour);
  EXPECT_EQ(evaluate(office(), clock, berlin(2026, 1, 8, 15)).elapsed_ms, 9 * kHour);
  // A pause that starts after "now" has not happened yet.
  EXPECT_FALSE(evaluate(office(), clock, berlin(2026, 1, 6, 9)).paused);
}

TEST(SlaClock, PriorityChangeRecomputesTargetAndCalendar) {
  const SlaPolicy policy = SlaPolicy::defaults();
  const BusinessCalendar business = office();
  const BusinessCalendar always = BusinessCalendar::twenty_four_seven();
  // Logged as P3 on Friday 16:30, raised to P1 on Saturday 10:00.
  ClockInput clock{.started_ms = berlin(2026, 1, 9, 16, 30),
                   .target_ms = policy.target_ms(3, SlaKind::resolution)};
  auto s = evaluate(business, clock, berlin(2026, 1, 10, 10));
  EXPECT_EQ(s.elapsed_ms, 30 * kMinute);
  EXPECT_FALSE(s.breached);

  clock = retarget(clock, policy, 1, SlaKind::resolution);
  EXPECT_EQ(clock.target_ms, 4 * kHour);
  EXPECT_EQ(clock.started_ms, berlin(2026, 1, 9, 16, 30));
  ASSERT_EQ(policy.calendar_for(1), "24x7");
  s = evaluate(always, clock, berlin(2026, 1, 10, 10));
  EXPECT_EQ(s.elapsed_ms, 17 * kHour + 30 * kMinute);  // the night counts at P1
  EXPECT_TRUE(s.breached);
  EXPECT_EQ(s.due_ms, berlin(2026, 1, 9, 20, 30));  // in the past

  // Lowered again: judged afresh.
  clock = retarget(clock, policy, 4, SlaKind::resolution);
  s = evaluate(business, clock, berlin(2026, 1, 10, 10));
  EXPECT_FALSE(s.breached);
  EXPECT_EQ(s.remaining_ms, 40 * kHour - 30 * kMinute);
}

TEST(SlaClock, BreachThenMetLate) {
  const auto cal = office();
  ClockInput clock{.started_ms = berlin(2026, 1, 5, 9), .target_ms = 2 * kHour};
  clock.pauses = {{berlin(2026, 1, 5, 10), berlin(2026, 1, 5, 12)}};
  auto s = evaluate(cal, clock, berlin(2026, 1, 5, 14));
  EXPECT_TRUE(s.breached);
  EXPECT_FALSE(s.met);
  EXPECT_EQ(s.elapsed_ms, 3 * kHour);
  EXPECT_EQ(s.remaining_ms, -kHour);
  EXPECT_EQ(s.due_ms, berlin(2026, 1, 5, 13));  // 1 h before the pause, 1 h after it
  EXPECT_EQ(s.percent, 150);

  clock.stopped_ms = berlin(2026, 1, 5, 15);
  s = evaluate(cal, clock, berlin(2026, 1, 7, 9));
  EXPECT_TRUE(s.met);
  EXPECT_TRUE(s.breached);  // met late stays breached
  EXPECT_EQ(s.elapsed_ms, 4 * kHour);
  EXPECT_EQ(s.due_ms, std::nullopt);
  EXPECT_FALSE(s.paused);

  // Met in time.
  clock.stopped_ms = berlin(2026, 1, 5, 12, 30);
  s = evaluate(cal, clock, berlin(2026, 1, 7, 9));
  EXPECT_TRUE(s.met);
  EXPECT_FALSE(s.breached);
  EXPECT_EQ(s.elapsed_ms, 90 * kMinute);
  EXPECT_EQ(s.remaining_ms, 30 * kMinute);

  // A stop later than "now" has not happened yet.
  s = evaluate(cal, clock, berlin(2026, 1, 5, 12, 15));
  EXPECT_FALSE(s.met);
  EXPECT_EQ(s.due_ms, berlin(2026, 1, 5, 13));
}

TEST(SlaClock, ThresholdsFiftySeventyFiveHundred) {
  const auto cal = office();
  const std::vector<int> thresholds = {50, 75, 100};
  const ClockInput clock{.started_ms = berlin(2026, 1, 5, 9), .target_ms = 8 * kHour};

  auto at = [&](std::int64_t now) { return evaluate(cal, clock, now); };
  EXPECT_TRUE(thresholds_crossed(at(berlin(2026, 1, 5, 12, 59)), thresholds).empty());
  EXPECT_EQ(thresholds_crossed(at(berlin(2026, 1, 5, 13)), thresholds), std::vector<int>{50});
  EXPECT_EQ(thresholds_crossed(at(berlin(2026, 1, 5, 15)), thresholds), (std::vector<int>{50, 75}));
  const auto full = at(berlin(2026, 1, 5, 17));
  EXPECT_EQ(thresholds_crossed(full, thresholds), (std::vector<int>{50, 75, 100}));
  EXPECT_FALSE(full.breached);
  EXPECT_TRUE(at(berlin(2026, 1, 6, 9) + 1).breached);

  EXPECT_EQ(next_threshold_at(cal, clock, berlin(2026, 1, 5, 9), thresholds),
            berlin(2026, 1, 5, 13));
  EXPECT_EQ(next_threshold_at(cal, clock, berlin(2026, 1, 5, 13), thresholds),
            berlin(2026, 1, 5, 15));
  EXPECT_EQ(next_threshold_at(cal, clock, berlin(2026, 1, 5, 16), thresholds),
            berlin(2026, 1, 5, 17));
  // From the evening, the next threshold is reached when the office opens... and then some.
  const ClockInput late{.started_ms = berlin(2026, 1, 5, 16), .target_ms = 8 * kHour};
  EXPECT_EQ(next_threshold_at(cal, late, berlin(2026, 1, 5, 20), thresholds),
            berlin(2026, 1, 6, 12));
  EXPECT_EQ(next_threshold_at(cal, clock, berlin(2026, 1, 6, 9), thresholds), std::nullopt);

  // Odd targets round so that "reached" and "next at" agree to the millisecond.
  const ClockInput odd{.started_ms = 0, .target_ms = 7};
  const auto always = BusinessCalendar::twenty_four_seven();
  const auto next = next_threshold_at(always, odd, 0, thresholds);
  ASSERT_TRUE(next.has_value());
  EXPECT_EQ(*next, 4);  // 50 % of 7 ms is reached at 3.5, i.e. at 4 whole ms
  EXPECT_TRUE(thresholds_crossed(evaluate(always, odd, 3), thresholds).empty());
  EXPECT_EQ(thresholds_crossed(evaluate(always, odd, 4), thresholds), std::vector<int>{50});

  // Paused or stopped clocks have nothing to wake up for.
  ClockInput pending = clock;
  pending.pauses = {{berlin(2026, 1, 5, 10), std::nullopt}};
  EXPECT_EQ(next_threshold_at(cal, pending, berlin(2026, 1, 5, 11), thresholds), std::nullopt);
  ClockInput stopped = clock;
  stopped.stopped_ms = berlin(2026, 1, 5, 10);
  EXPECT_EQ(next_threshold_at(cal, stopped, berlin(2026, 1, 5, 11), thresholds), std::nullopt);
  EXPECT_TRUE(
      thresholds_crossed(evaluate(cal, stopped, berlin(2026, 1, 9, 10)), thresholds).empty());
}

TEST(SlaClock, EvaluateAgreesWithItsOwnDueTime) {
  // At the due instant the clock reads exactly the target, with random pauses and spans.
  std::mt19937_64 random(3);
  const auto cal = office({{2026, 4, 3}, {2026, 4, 6}, {2026, 5, 1}});
  int checked = 0;
  for (int trial = 0; trial < 500; ++trial) {
    const std::int64_t start =
        berlin(2026, 3, 2, 0) + static_cast<std::int64_t>(random() % (60 * kDay));
    ClockInput clock{.started_ms = start,
                     .target_ms = 1 + static_cast<std::int64_t>(random() % (60 * kHour))};
    std::int64_t cursor = start;
    for (int i = 0; i < 3; ++i) {
      const std::int64_t from = cursor + static_cast<std::int64_t>(random() % (3 * kDay));
      const std::int64_t to = from + static_cast<std::int64_t>(random() % (2 * kDay));
      clock.pauses.push_back({from, to});
      cursor = to;
    }
    const std::int64_t now = start + static_cast<std::int64_t>(random() % (20 * kDay));
    const ClockState s = evaluate(cal, clock, now);
    if (s.paused) continue;
    ASSERT_TRUE(s.due_ms.has_value());
    if (now >= cursor) {  // every pause in the past: at the due time the clock reads the target
      ++checked;
      ASSERT_EQ(evaluate(cal, clock, *s.due_ms).elapsed_ms, clock.target_ms) << trial;
      ASSERT_LT(evaluate(cal, clock, *s.due_ms - 1).elapsed_ms, clock.target_ms) << trial;
    }
  }
  EXPECT_GT(checked, 100);
}

// Not a performance assertion (those live in bench/): prints what an SLA sweep will cost.
TEST(SlaClock, TimingPrintsNanosecondsPerEvaluation) {
  const auto cal = office({{2026, 1, 1},
                           {2026, 4, 3},
                           {2026, 4, 6},
                           {2026, 5, 1},
                           {2026, 5, 14},
                           {2026, 5, 25},
                           {2026, 10, 3},
                           {2026, 12, 25}});
  std::mt19937_64 random(11);
  constexpr int kOps = 20'000;
  for (const auto& [label, span] : std::vector<std::pair<const char*, std::int64_t>>{
           {"hours", 6 * kHour}, {"weeks", kDay * 5 * 7}}) {
    std::vector<ClockInput> clocks(kOps);
    for (auto& c : clocks) {
      c.started_ms = 1'767'225'600'000 + static_cast<std::int64_t>(random() % (300 * kDay));
      c.target_ms = span == 6 * kHour ? 8 * kHour : kHour * 40 * 5;
      c.pauses = {{c.started_ms + span / 4, c.started_ms + span / 3}};
    }
    std::int64_t sink = 0;
    const auto t0 = std::chrono::steady_clock::now();
    for (const auto& c : clocks) {
      const ClockState s = evaluate(cal, c, c.started_ms + span);
      sink += s.elapsed_ms + s.due_ms.value_or(0);
    }
    const auto t1 = std::chrono::steady_clock::now();
    std::printf(
        "[ timing   ] 9-17 Europe/Berlin, span of %s, one pause: evaluate %lld ns/op "
        "(checksum %lld)\n",
        label,
        static_cast<long long>(
            std::chrono::duration_cast<std::chrono::nanoseconds>(t1 - t0).count() / kOps),
        static_cast<long long>(sink % 1000));
    EXPECT_NE(sink, 0);
  }
}

}  // namespace
}  // namespace custos::incidents
