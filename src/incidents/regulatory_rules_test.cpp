#include "incidents/regulatory_rules.hpp"

#include <gtest/gtest.h>

#include "util/time.hpp"

namespace custos::incidents::regulatory {
namespace {

std::int64_t at(const char* rfc3339) { return *util::parse_rfc3339(rfc3339); }
std::string text(std::int64_t ms) { return util::to_rfc3339(ms); }

constexpr std::int64_t kHour = 3'600'000;

TEST(RegulatoryRules, AMonthIsACalendarMonthClampedAtMonthEnds) {
  EXPECT_EQ(text(add_months_utc(at("2026-01-15T10:30:00Z"), 1)), "2026-02-15T10:30:00.000Z");
  EXPECT_EQ(text(add_months_utc(at("2026-01-31T23:59:59Z"), 1)), "2026-02-28T23:59:59.000Z");
  EXPECT_EQ(text(add_months_utc(at("2028-01-31T08:00:00Z"), 1)), "2028-02-29T08:00:00.000Z");
  EXPECT_EQ(text(add_months_utc(at("2100-01-31T08:00:00Z"), 1)), "2100-02-28T08:00:00.000Z");
  EXPECT_EQ(text(add_months_utc(at("2000-01-31T08:00:00Z"), 1)), "2000-02-29T08:00:00.000Z");
  EXPECT_EQ(text(add_months_utc(at("2026-03-31T12:00:00Z"), 1)), "2026-04-30T12:00:00.000Z");
  EXPECT_EQ(text(add_months_utc(at("2026-12-31T12:00:00.250Z"), 1)), "2027-01-31T12:00:00.250Z");
  EXPECT_EQ(text(add_months_utc(at("2026-08-31T00:00:00Z"), 1)), "2026-09-30T00:00:00.000Z");
  EXPECT_EQ(text(add_months_utc(at("1969-12-31T18:00:00Z"), 2)), "1970-02-28T18:00:00.000Z");
}

TEST(RegulatoryRules, DeadlinesCountFromAwareness) {
  const auto aware = at("2026-03-10T09:15:00Z");
  EXPECT_EQ(text(window_of(Obligation::gdpr_notification, aware, {}).due_at),
            "2026-03-13T09:15:00.000Z");
  EXPECT_EQ(text(window_of(Obligation::nis2_early_warning, aware, {}).due_at),
            "2026-03-11T09:15:00.000Z");
  EXPECT_EQ(text(window_of(Obligation::nis2_notification, aware, {}).due_at),
            "2026-03-13T09:15:00.000Z");
  EXPECT_EQ(window_of(Obligation::gdpr_notification, aware, {}).starts_at, aware);
  // 72 hours, not three calendar days in some zone: a DST change in Europe (29 March) is no
  // matter in UTC.
  const auto before_dst = at("2026-03-28T12:00:00Z");
  EXPECT_EQ(window_of(Obligation::gdpr_notification, before_dst, {}).due_at - before_dst,
            72 * kHour);
}

TEST(RegulatoryRules, TheFinalReportRunsAMonthFromTheNotificationOrItsDeadline) {
  const auto aware = at("2026-01-28T10:00:00Z");
  // Never sent: a month from the notification deadline (31 January → 28 February).
  auto w = window_of(Obligation::nis2_final_report, aware, {});
  EXPECT_EQ(text(w.starts_at), "2026-01-31T10:00:00.000Z");
  EXPECT_EQ(text(w.due_at), "2026-02-28T10:00:00.000Z");
  // Sent early: a month from when it was sent.
  w = window_of(Obligation::nis2_final_report, aware, at("2026-01-29T16:00:00Z"));
  EXPECT_EQ(text(w.due_at), "2026-02-28T16:00:00.000Z");
  // Sent late: still a month from when it was sent.
  w = window_of(Obligation::nis2_final_report, aware, at("2026-02-02T08:00:00Z"));
  EXPECT_EQ(text(w.due_at), "2026-03-02T08:00:00.000Z");
}

TEST(RegulatoryRules, StatesTellMetFromMetLateAndOverdue) {
  const auto due = at("2026-03-13T09:15:00Z");
  EXPECT_EQ(state_of(due, {}, due - 1), State::open);
  EXPECT_EQ(state_of(due, {}, due), State::open);  // the last millisecond is still in time
  EXPECT_EQ(state_of(due, {}, due + 1), State::overdue);
  EXPECT_EQ(state_of(due, due, due + kHour), State::met);
  EXPECT_EQ(state_of(due, due + 1, due + kHour), State::met_late);
  // Met late is never hidden, however long ago.
  EXPECT_EQ(state_of(due, due + 10 * kHour, due + 1000 * kHour), State::met_late);
  EXPECT_EQ(state_name(State::met_late), "met_late");
}

TEST(RegulatoryRules, RemindersFireAtHalfAtNinetyPercentAndAfterTheDeadline) {
  const Window w{at("2026-03-10T00:00:00Z"), at("2026-03-10T00:00:00Z") + 72 * kHour};
  const std::vector<int> none;
  EXPECT_TRUE(reminders_due(w, false, none, w.starts_at + 36 * kHour - 1).empty());
  EXPECT_EQ(reminders_due(w, false, none, w.starts_at + 36 * kHour), std::vector<int>{50});
  EXPECT_EQ(*next_look_at(w, false, none, w.starts_at), w.starts_at + 36 * kHour);
  const std::vector<int> half{50};
  EXPECT_EQ(*next_look_at(w, false, half, w.starts_at + 36 * kHour),
            w.starts_at + 72 * kHour * 9 / 10);
  const std::vector<int> ninety{50, 90};
  EXPECT_TRUE(reminders_due(w, false, ninety, w.due_at).empty());
  EXPECT_EQ(reminders_due(w, false, ninety, w.due_at + 1), std::vector<int>{100});
  EXPECT_EQ(*next_look_at(w, false, ninety, w.starts_at), w.due_at + 1);
  const std::vector<int> all{50, 90, 100};
  EXPECT_FALSE(next_look_at(w, false, all, w.due_at + 5).has_value());
  // Once met nothing more is due.
  EXPECT_TRUE(reminders_due(w, true, none, w.due_at + 5).empty());
  EXPECT_FALSE(next_look_at(w, true, none, w.starts_at).has_value());
}

TEST(RegulatoryRules, AwarenessLongAgoMakesEveryReminderDueAtOnce) {
  // Flagged 80 hours after awareness: everything is due at the first look.
  const auto aware = at("2026-03-10T00:00:00Z");
  const auto w = window_of(Obligation::gdpr_notification, aware, {});
  const auto now = aware + 80 * kHour;
  EXPECT_EQ(reminders_due(w, false, std::vector<int>{}, now), (std::vector<int>{50, 90, 100}));
  EXPECT_EQ(*next_look_at(w, false, std::vector<int>{}, now), now);
}

TEST(RegulatoryRules, NamesRoundTrip) {
  for (auto o : {Obligation::gdpr_notification, Obligation::nis2_early_warning,
                 Obligation::nis2_notification, Obligation::nis2_final_report}) {
    EXPECT_EQ(parse_obligation(obligation_name(o)), o);
    EXPECT_FALSE(obligation_title(o).empty());
  }
  EXPECT_EQ(parse_regime("nis2"), Regime::nis2);
  EXPECT_FALSE(parse_regime("NIS2").has_value());
  EXPECT_FALSE(parse_obligation("gdpr").has_value());
  EXPECT_EQ(obligations_of(Regime::nis2).size(), 3U);
  EXPECT_EQ(regime_of(Obligation::nis2_final_report), Regime::nis2);
}

}  // namespace
}  // namespace custos::incidents::regulatory
