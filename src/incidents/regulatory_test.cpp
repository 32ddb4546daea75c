#include "incidents/regulatory.hpp"

#include <gtest/gtest.h>

#include "incidents/work_test_support.hpp"

namespace custos::incidents {
namespace {

using regulatory::Obligation;
using regulatory::Regime;

constexpr std::int64_t kHour = 3'600'000;

class RegulatoryTest : public testing::WorkTest {
 protected:
  void SetUp() override {
    WorkTest::SetUp();
    clocks_ = std::make_unique<RegulatoryClocks>(*db_, *audit_);
  }
  void TearDown() override {
    clocks_.reset();
    WorkTest::TearDown();
  }

  RegulatoryState flag(const Incident& incident, Regime regime, std::int64_t aware_at,
                       std::int64_t now) {
    RegulatoryChange change;
    change.flags.push_back({regime, true, aware_at});
    return *clocks_->change(incident.id, change, manager_, now);
  }

  const RegulatoryObligation& find(const RegulatoryState& s, Obligation o) {
    for (const auto& x : s.obligations) {
      if (x.obligation == o) return x;
    }
    throw std::runtime_error("no such obligation");
  }

  std::vector<std::string> sent(const std::string& kind) {
    std::vector<std::string> out;
    db_->read([&](store::Connection& c) {
      for (const auto& r :
           c.query("SELECT u.username FROM notifications n JOIN users u ON u.id = n.user_id"
                   " WHERE n.kind = ? ORDER BY n.id",
                   {kind}))
        out.push_back(r.str(0));
    });
    return out;
  }

  std::int64_t count(const std::string& sql) {
    std::int64_t n = 0;
    db_->read([&](store::Connection& c) { n = c.query_one(sql)->i64(0); });
    return n;
  }

  std::unique_ptr<RegulatoryClocks> clocks_;
};

TEST_F(RegulatoryTest, FlaggingStartsTheClocksFromAwareness) {
  const auto incident = log(reporter_);
  const auto now = util::now_ms();
  auto state = flag(incident, Regime::nis2, now - 2 * kHour, now);
  ASSERT_EQ(state.obligations.size(), 3U);
  EXPECT_EQ(find(state, Obligation::nis2_early_warning).window.due_at, now + 22 * kHour);
  EXPECT_EQ(find(state, Obligation::nis2_notification).window.due_at, now + 70 * kHour);
  EXPECT_EQ(find(state, Obligation::nis2_final_report).window.due_at,
            regulatory::add_months_utc(now + 70 * kHour, 1));
  EXPECT_EQ(count("SELECT COUNT(*) FROM audit_log WHERE action = 'incident.regulatory_flag'"), 1);

  // The moment of awareness is never in the future, and moving it needs a reason.
  RegulatoryChange future;
  future.flags.push_back({Regime::gdpr, true, now + 60'000});
  try {
    clocks_->change(incident.id, future, manager_, now);
    FAIL() << "a future awareness was accepted";
  } catch (const WorkError& e) {
    EXPECT_EQ(e.field, "gdpr.aware_at");
  }
  RegulatoryChange move;
  move.flags.push_back({Regime::nis2, true, now - 3 * kHour});
  try {
    clocks_->change(incident.id, move, manager_, now);
    FAIL() << "the awareness moved without a reason";
  } catch (const WorkError& e) {
    EXPECT_EQ(e.field, "reason");
  }
  move.reason = "the SOC saw the alert an hour earlier";
  // A write based on a stale read is refused.
  const auto read_version = version_of(state);
  try {
    clocks_->change(incident.id, move, manager_, now, read_version + 1);
    FAIL() << "a stale version was accepted";
  } catch (const WorkError& e) {
    EXPECT_EQ(e.refusal, WorkRefusal::stale);
  }
  state = *clocks_->change(incident.id, move, manager_, now, read_version);
  EXPECT_NE(version_of(state), read_version);
  EXPECT_EQ(find(state, Obligation::nis2_early_warning).window.due_at, now + 21 * kHour);
}

TEST_F(RegulatoryTest, WithdrawingNeedsAReasonAndStopsTheReminders) {
  const auto incident = log(reporter_);
  const auto now = util::now_ms();
  flag(incident, Regime::gdpr, now - 71 * kHour, now);
  RegulatoryChange withdraw;
  withdraw.flags.push_back({Regime::gdpr, false, std::nullopt});
  EXPECT_THROW(clocks_->change(incident.id, withdraw, manager_, now), WorkError);
  withdraw.reason = "no personal data was involved after all";
  const auto state = *clocks_->change(incident.id, withdraw, manager_, now);
  EXPECT_TRUE(state.obligations.empty());
  EXPECT_EQ(state.flags.at(0).withdraw_reason, withdraw.reason);
  EXPECT_EQ(clocks_->sweep(now + 10 * kHour).reminders, 0);
  EXPECT_EQ(count("SELECT COUNT(*) FROM audit_log WHERE action = 'incident.regulatory_withdraw'"),
            1);
}

TEST_F(RegulatoryTest, TheSweepMarksOverdueAndRemindsExactlyOnce) {
  const auto assignee_principal = agent_;
  const auto incident = log(manager_);
  db_->write([&](store::Connection& c) {
    c.execute("UPDATE incidents SET assignee_id = ? WHERE id = ?",
              {assignee_principal.user_id, incident.id});
  });
  const auto now = util::now_ms();
  flag(incident, Regime::gdpr, now - 40 * kHour, now);

  // 40 of 72 hours gone: the 50 % reminder, to the manager and the assignee.
  auto r = clocks_->sweep(now);
  EXPECT_EQ(r.reminders, 1);
  EXPECT_EQ(sent("regulatory.reminder"), (std::vector<std::string>{"maria", "alice"}));
  EXPECT_EQ(clocks_->sweep(now).reminders, 0);

  // Past the deadline, the 90 % reminder is passed over: one overdue notice, once.
  r = clocks_->sweep(now + 33 * kHour);
  EXPECT_EQ(r.reminders, 1);
  EXPECT_EQ(r.overdue, 1);
  EXPECT_EQ(sent("regulatory.overdue"), (std::vector<std::string>{"maria", "alice"}));
  // A restarted server (a new service on the same database) does not repeat it.
  RegulatoryClocks restarted(*db_, *audit_);
  EXPECT_EQ(restarted.sweep(now + 34 * kHour).reminders, 0);
  EXPECT_EQ(clocks_->sweep(now + 35 * kHour).reminders, 0);
  EXPECT_EQ(sent("regulatory.overdue").size(), 2U);
  EXPECT_EQ(count("SELECT COUNT(*) FROM regulatory_reminders WHERE notified = 0"), 1);
  EXPECT_EQ(count("SELECT COUNT(*) FROM audit_log WHERE action = 'incident.regulatory_overdue'"),
            1);
  const auto state = *clocks_->get(incident.id, manager_);
  EXPECT_TRUE(find(state, Obligation::gdpr_notification).overdue_at.has_value());
  EXPECT_EQ(find(state, Obligation::gdpr_notification).reminders, (std::vector<int>{50, 100}));
}

TEST_F(RegulatoryTest, ALateSubmissionIsRecordedAsLate) {
  const auto incident = log(reporter_);
  const auto now = util::now_ms();
  flag(incident, Regime::nis2, now - 30 * kHour, now);
  RegulatorySubmission s{Obligation::nis2_early_warning, now - kHour, "CSIRT", "EW-1",
                         std::nullopt};
  auto state = *clocks_->record(incident.id, s, manager_, now);
  const auto& early = find(state, Obligation::nis2_early_warning);
  EXPECT_EQ(regulatory::state_of(early.window.due_at, early.submitted_at, now),
            regulatory::State::met_late);
  // Once only.
  EXPECT_THROW(clocks_->record(incident.id, s, manager_, now), WorkError);
  // The notification sent in time moves the final report's month.
  RegulatorySubmission n{Obligation::nis2_notification, now - kHour / 2, "CSIRT", {}, "sent"};
  state = *clocks_->record(incident.id, n, manager_, now);
  EXPECT_EQ(find(state, Obligation::nis2_final_report).window.due_at,
            regulatory::add_months_utc(now - kHour / 2, 1));
  // Not before awareness, not in the future, not for a regime that is not flagged.
  RegulatorySubmission early_one{Obligation::nis2_final_report, now - 31 * kHour, "CSIRT", {}, {}};
  EXPECT_THROW(clocks_->record(incident.id, early_one, manager_, now), WorkError);
  RegulatorySubmission future{Obligation::nis2_final_report, now + kHour, "CSIRT", {}, {}};
  EXPECT_THROW(clocks_->record(incident.id, future, manager_, now), WorkError);
  RegulatorySubmission gdpr{Obligation::gdpr_notification, now, "DPA", {}, {}};
  try {
    clocks_->record(incident.id, gdpr, manager_, now);
    FAIL();
  } catch (const WorkError& e) {
    EXPECT_EQ(e.refusal, WorkRefusal::conflict);
  }
}

TEST_F(RegulatoryTest, NeedToKnowAppliesAndReportersDoNotSeeTheRegulatoryWork) {
  const auto secret = log(manager_, false, true);
  const auto now = util::now_ms();
  flag(secret, Regime::gdpr, now, now);
  EXPECT_FALSE(clocks_->get(secret.id, agent_).has_value());  // not on its team: 404
  EXPECT_TRUE(clocks_->get(secret.id, auditor_).has_value());
  const auto open = log(reporter_);
  EXPECT_THROW(clocks_->get(open.id, reporter_), WorkError);
}

}  // namespace
}  // namespace custos::incidents
