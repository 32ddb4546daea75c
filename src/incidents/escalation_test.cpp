#include "incidents/escalation.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <thread>

#include "audit/audit_log.hpp"
#include "incidents/categories.hpp"
#include "incidents/groups.hpp"
#include "incidents/incident_service.hpp"
#include "incidents/notifications.hpp"
#include "store/scratch_database.hpp"
#include "store/sqlite/sqlite_database.hpp"
#include "util/time.hpp"

namespace custos::incidents {
namespace {

constexpr std::int64_t kMinute = 60'000;
constexpr std::int64_t kHour = 60 * kMinute;

// ---- the pure rules ------------------------------------------------------------------------

TEST(EscalationRule, ThresholdsMapToStepKinds) {
  EXPECT_EQ(step_kind(50), StepKind::warning);
  EXPECT_EQ(step_kind(74), StepKind::warning);
  EXPECT_EQ(step_kind(75), StepKind::escalation);
  EXPECT_EQ(step_kind(99), StepKind::escalation);
  EXPECT_EQ(step_kind(100), StepKind::breach);
  EXPECT_EQ(step_kind(150), StepKind::breach);
}

Incident running_incident(std::int64_t start) {
  Incident i;
  i.id = 7;
  i.status = Status::in_progress;
  i.reported_at = start;
  i.acknowledged_at = start + kMinute;  // response met
  i.response_target_ms = 15 * kMinute;
  i.resolution_target_ms = 4 * kHour;
  i.sla_calendar = "24x7";
  return i;
}

SlaSnapshot snapshot_at(const Incident& incident, std::int64_t now) {
  const auto cal = BusinessCalendar::twenty_four_seven();
  SlaSnapshot s;
  std::vector<PauseInterval> pauses;
  for (const auto& p : incident.pauses) pauses.push_back({p.from_ms, p.to_ms});
  ClockInput response{incident.reported_at, incident.response_target_ms, pauses,
                      incident.acknowledged_at};
  ClockInput resolution{incident.reported_at, incident.resolution_target_ms, pauses,
                        incident.resolved_at};
  s.response = evaluate(cal, response, now);
  s.resolution = evaluate(cal, resolution, now);
  s.thresholds = {50, 75, 100};
  auto a = next_threshold_at(cal, response, now, s.thresholds);
  auto b = next_threshold_at(cal, resolution, now, s.thresholds);
  s.next_escalation_ms = a && b ? std::min(*a, *b) : (a ? a : b);
  return s;
}

TEST(EscalationRule, DueStepsAreCrossedThresholdsOfRunningClocksNotFiredYet) {
  const std::int64_t t0 = 1'800'000'000'000;
  auto incident = running_incident(t0);
  auto s = snapshot_at(incident, t0 + 3 * kHour + kMinute);  // 75 % of 4 h passed
  const std::vector<EscalationStep> both{{SlaKind::resolution, 50}, {SlaKind::resolution, 75}};
  EXPECT_EQ(due_steps(incident, s, {}), both);
  EXPECT_EQ(due_steps(incident, s, {{SlaKind::resolution, 50}}),
            (std::vector<EscalationStep>{{SlaKind::resolution, 75}}));
  EXPECT_TRUE(due_steps(incident, s, both).empty());
  EXPECT_TRUE(due_steps(incident, s, {{SlaKind::resolution, 75}}).empty())
      << "a threshold below one that fired (added to the policy later) stays quiet";
  EXPECT_EQ(due_steps(incident, s, {{SlaKind::response, 75}}), both) << "clocks are separate";
  // Not yet fired but nothing to fire either: the next look is at the 100 % mark.
  EXPECT_EQ(next_escalation_at(incident, s, false, t0), t0 + 4 * kHour);
  EXPECT_EQ(next_escalation_at(incident, s, true, t0 + 5), t0 + 5);

  auto resolved = incident;
  resolved.status = Status::resolved;
  resolved.resolved_at = t0 + 3 * kHour;
  auto rs = snapshot_at(resolved, t0 + 3 * kHour + kMinute);
  EXPECT_TRUE(due_steps(resolved, rs, {}).empty());
  EXPECT_EQ(next_escalation_at(resolved, rs, false, t0), std::nullopt);

  auto pending = incident;
  pending.status = Status::pending;
  pending.pauses.push_back({"awaiting_reporter", t0 + kHour, std::nullopt});
  auto ps = snapshot_at(pending, t0 + 10 * kHour);
  EXPECT_TRUE(due_steps(pending, ps, {}).empty()) << "a held clock does not escalate";
  EXPECT_EQ(next_escalation_at(pending, ps, false, t0), std::nullopt);
}

// ---- the sweep over a real database: SQLite, and PostgreSQL when CUSTOS_TEST_POSTGRES_URL is set

class EscalationTest : public ::testing::TestWithParam<store::Backend> {
 protected:
  void SetUp() override {
    if (GetParam() == store::Backend::postgres &&
        store::ScratchDatabase::postgres_server_url().empty()) {
      GTEST_SKIP() << "set CUSTOS_TEST_POSTGRES_URL to run";
    }
    scratch_.emplace(GetParam(), "escalation");
    url_ = scratch_->url();
    open();
    db_->migrate();
    categories_->seed_builtin();
    settings_->load();
    // An L1 group that escalates to L2, each with a manager.
    alice_ = add_user("alice", "agent", "alice@example.org");
    bob_ = add_user("bob", "agent", std::nullopt);
    carol_ = add_user("carol", "agent", "carol@example.org");
    lead1_ = add_user("lead1", "agent", "lead1@example.org");
    lead2_ = add_user("lead2", "agent", std::nullopt);
    im_ = add_user("irene", "incident_manager", "irene@example.org");
    im_gone_ = add_user("ivan", "incident_manager", "ivan@example.org");
    db_->write([&](store::Connection& c) {
      c.execute("UPDATE users SET active = 0 WHERE id = ?", {im_gone_});
    });
    SupportGroups groups(*db_, audit_);
    SupportGroup l2;
    l2.name = "soc-l2";
    l2.display_name = "SOC level 2";
    l2.level = 2;
    l2.manager = "lead2";
    l2.members = {"carol"};
    groups.create(l2, "test");
    SupportGroup l1;
    l1.name = "soc-l1";
    l1.display_name = "SOC level 1";
    l1.level = 1;
    l1.manager = "lead1";
    l1.escalation_group = "soc-l2";
    l1.members = {"alice", "bob"};
    groups.create(l1, "test");
  }

  void TearDown() override {
    close();
    scratch_.reset();
  }

  // A fresh set of services over the same database: what a restart (or a second server) sees.
  void open() {
    db_ = store::open_database(url_);
    categories_ = std::make_unique<Categories>(*db_, audit_);
    settings_ = std::make_unique<Settings>(*db_, audit_);
    incidents_ = std::make_unique<IncidentService>(*db_, audit_, *categories_, *settings_);
    escalation_ = std::make_unique<EscalationService>(*db_, audit_, *incidents_, *settings_);
  }
  void close() {
    escalation_.reset();
    incidents_.reset();
    settings_.reset();
    categories_.reset();
    db_.reset();
  }
  void restart() {
    close();
    open();
    categories_->reload();
    settings_->load();
  }

  std::int64_t add_user(const std::string& name, const std::string& roles,
                        std::optional<std::string> email) {
    return db_->write_value([&](store::Connection& c) {
      return c
          .query_one(
              "INSERT INTO users (username, email, display_name, roles, password_hash, created_at,"
              " updated_at) VALUES (?, ?, ?, ?, 'x', 0, 0) RETURNING id",
              {name, store::maybe(email), name, roles})
          ->i64(0);
    });
  }

  auth::Principal agent() const {
    auth::Principal p;
    p.user_id = alice_;
    p.username = "alice";
    p.roles = auth::RoleSet{auth::Role::agent};
    return p;
  }

  // P1 (24x7: respond 15 min, resolve 4 h) in soc-l1.
  Incident log_p1(std::optional<std::string> assignee, bool restricted = false) {
    IncidentFields f;
    f.title = "Ransomware on file server";
    f.category = "abusive-content";
    f.impact = Impact::extensive;
    f.urgency = Urgency::critical;
    f.group = std::optional<std::string>("soc-l1");
    f.restricted = restricted;
    auto incident = incidents_->create(f, agent());
    if (assignee) {
      TransitionInput own;
      own.to = Status::assigned;  // acknowledges: the response clock is met
      incident = *incidents_->transition(incident.id, own, agent());
      IncidentFields assign;
      assign.assignee = assignee;
      incident = *incidents_->update(incident.id, incident.version, assign, agent());
    }
    return incident;
  }

  Incident reload(std::int64_t id) { return *incidents_->get(id, agent()); }

  std::vector<std::string> notified(std::int64_t user) {
    std::vector<std::string> out;
    Notifications n(*db_);
    for (const auto& item : n.list(user, false, std::nullopt, 200).items) out.push_back(item.kind);
    return out;
  }

  std::int64_t count(const std::string& sql) {
    return db_->read_value([&](store::Connection& c) { return c.query_one(sql)->i64(0); });
  }

  std::optional<std::int64_t> next_escalation(std::int64_t id) {
    return db_->read_value([&](store::Connection& c) {
      return c.query_one("SELECT next_escalation_at FROM incidents WHERE id = ?", {id})->opt_i64(0);
    });
  }

  std::optional<store::ScratchDatabase> scratch_;
  std::string url_;
  audit::AuditLog audit_{nullptr};
  std::unique_ptr<store::Database> db_;
  std::unique_ptr<Categories> categories_;
  std::unique_ptr<Settings> settings_;
  std::unique_ptr<IncidentService> incidents_;
  std::unique_ptr<EscalationService> escalation_;
  std::int64_t alice_ = 0, bob_ = 0, carol_ = 0, lead1_ = 0, lead2_ = 0, im_ = 0, im_gone_ = 0;
};

TEST_P(EscalationTest, EachThresholdFiresOnceWithItsStep) {
  const auto incident = log_p1("alice");
  const auto t0 = incident.reported_at;
  ASSERT_EQ(next_escalation(incident.id), t0 + 2 * kHour) << "the 50 % mark of 4 h";

  EXPECT_EQ(escalation_->sweep(t0 + kHour).steps, 0) << "nothing is due yet";

  // 50 %: a warning to the assignee, in the app and by e-mail.
  auto r = escalation_->sweep(t0 + 2 * kHour);
  EXPECT_EQ(r.steps, 1);
  EXPECT_EQ(r.notifications, 1);
  EXPECT_EQ(notified(alice_), std::vector<std::string>{"sla.warning"});
  EXPECT_EQ(count("SELECT COUNT(*) FROM outbox WHERE recipient = 'alice@example.org'"), 1);
  EXPECT_EQ(next_escalation(incident.id), t0 + 3 * kHour);

  // The same instant again, and a little later: nothing new.
  EXPECT_EQ(escalation_->sweep(t0 + 2 * kHour).steps, 0);
  EXPECT_EQ(escalation_->sweep(t0 + 2 * kHour + kMinute).steps, 0);
  EXPECT_EQ(notified(alice_).size(), 1U);

  // 75 %: functional escalation to soc-l2 (level 2; alice is not in it, so it is unassigned)
  // and hierarchical: soc-l1's manager is told.
  r = escalation_->sweep(t0 + 3 * kHour);
  EXPECT_EQ(r.steps, 1);
  auto moved = reload(incident.id);
  EXPECT_EQ(moved.group, "soc-l2");
  EXPECT_EQ(moved.support_level, 2);
  EXPECT_EQ(moved.assignee, std::nullopt);
  EXPECT_EQ(moved.version, incident.version + 1) << "a stale If-Match must now fail";
  EXPECT_EQ(notified(carol_), std::vector<std::string>{"sla.escalation"});
  EXPECT_EQ(notified(lead1_), std::vector<std::string>{"sla.escalation"});
  EXPECT_EQ(notified(alice_).size(), 2U) << "the former assignee learns it moved";
  EXPECT_TRUE(notified(bob_).empty());
  EXPECT_TRUE(notified(lead2_).empty());

  // 100 %: the breach goes to the (active) incident managers.
  r = escalation_->sweep(t0 + 4 * kHour);
  EXPECT_EQ(r.steps, 1);
  EXPECT_EQ(notified(im_), std::vector<std::string>{"sla.breach"});
  EXPECT_TRUE(notified(im_gone_).empty()) << "inactive users are not told";
  EXPECT_EQ(next_escalation(incident.id), std::nullopt) << "past every threshold";

  EXPECT_EQ(escalation_->sweep(t0 + 10 * kHour).steps, 0);
  EXPECT_EQ(count("SELECT COUNT(*) FROM escalations"), 3);
  EXPECT_EQ(count("SELECT COUNT(*) FROM audit_log WHERE action = 'incident.escalation'"), 3);
}

TEST_P(EscalationTest, ALateSweepFiresEveryMissedStepInOneAuditedGo) {
  const auto incident = log_p1(std::nullopt);  // nobody owns it: the response clock runs too
  const auto t0 = incident.reported_at;
  auto r = escalation_->sweep(t0 + 5 * kHour);
  EXPECT_EQ(r.escalated, 1);
  EXPECT_EQ(r.steps, 6) << "50/75/100 % of both clocks";
  EXPECT_EQ(count("SELECT COUNT(*) FROM audit_log WHERE action = 'incident.escalation'"), 1);
  // Response 50 %: soc-l1's members (no assignee). Response 75 %: soc-l1's manager. Resolution
  // 75 %: moved to soc-l2 (members told). Breaches: incident managers.
  EXPECT_FALSE(notified(bob_).empty());
  EXPECT_FALSE(notified(lead1_).empty());
  EXPECT_FALSE(notified(carol_).empty());
  EXPECT_EQ(notified(im_), (std::vector<std::string>{"sla.breach", "sla.breach"}));
  EXPECT_EQ(reload(incident.id).group, "soc-l2");
  EXPECT_EQ(escalation_->sweep(t0 + 6 * kHour).steps, 0);
}

TEST_P(EscalationTest, APendingIncidentDoesNotEscalate) {
  auto incident = log_p1("alice");
  const auto t0 = incident.reported_at;
  TransitionInput start;
  start.to = Status::in_progress;
  incident = *incidents_->transition(incident.id, start, agent());
  TransitionInput hold;
  hold.to = Status::pending;
  hold.pending_reason = PendingReason::awaiting_reporter;
  incident = *incidents_->transition(incident.id, hold, agent());
  EXPECT_EQ(next_escalation(incident.id), std::nullopt) << "a held clock needs no sweep";

  // Even when something makes the sweep look (a calendar change does), nothing fires.
  escalation_->look_again(std::nullopt, t0);
  auto r = escalation_->sweep(t0 + 8 * kHour);
  EXPECT_EQ(r.incidents, 1);
  EXPECT_EQ(r.steps, 0);
  EXPECT_EQ(count("SELECT COUNT(*) FROM notifications"), 0);
  EXPECT_EQ(next_escalation(incident.id), std::nullopt);
}

TEST_P(EscalationTest, ARestartFiresNothingAgain) {
  const auto incident = log_p1("alice");
  const auto t0 = incident.reported_at;
  EXPECT_EQ(escalation_->sweep(t0 + 3 * kHour).steps, 2);
  const auto notifications = count("SELECT COUNT(*) FROM notifications");

  restart();
  // Force the new instance to look at the incident again, at the same instant and later.
  escalation_->look_again(std::nullopt, t0);
  EXPECT_EQ(escalation_->sweep(t0 + 3 * kHour).steps, 0);
  EXPECT_EQ(count("SELECT COUNT(*) FROM notifications"), notifications);
  EXPECT_EQ(escalation_->sweep(t0 + 4 * kHour).steps, 1) << "only the breach is new";
}

TEST_P(EscalationTest, TwoServersSweepingAtOnceFireEachStepOnce) {
  constexpr int kIncidents = 60;
  std::int64_t t0 = 0;
  for (int i = 0; i < kIncidents; ++i) t0 = log_p1("alice").reported_at;
  // A second server over the same database, with its own services and connections.
  auto other_db = store::open_database(url_);
  Categories other_categories(*other_db, audit_);
  other_categories.reload();
  Settings other_settings(*other_db, audit_);
  other_settings.load();
  IncidentService other_incidents(*other_db, audit_, other_categories, other_settings);
  EscalationService other(*other_db, audit_, other_incidents, other_settings, 7);
  EscalationService mine(*db_, audit_, *incidents_, *settings_, 5);  // small batches interleave

  for (int round = 0; round < 2; ++round) {
    const auto when = t0 + (round == 0 ? 2 : 3) * kHour;
    SweepResult a, b;
    std::thread ta([&] { a = mine.sweep(when); });
    std::thread tb([&] { b = other.sweep(when); });
    ta.join();
    tb.join();
    EXPECT_EQ(a.steps + b.steps, kIncidents) << "round " << round;
  }
  EXPECT_EQ(count("SELECT COUNT(*) FROM escalations"), 2 * kIncidents);
  EXPECT_EQ(notified(alice_).size(), static_cast<std::size_t>(2 * kIncidents))
      << "one warning and one 'it moved' per incident";
  EXPECT_EQ(count("SELECT COUNT(*) FROM incidents WHERE support_level = 2"), kIncidents)
      << "each moved up exactly one level";
}

TEST_P(EscalationTest, RestrictedIncidentsKeepTheirTitleOutOfMessages) {
  const auto incident = log_p1("alice", true);
  escalation_->sweep(incident.reported_at + 2 * kHour);
  Notifications n(*db_);
  auto page = n.list(alice_, false, std::nullopt, 10);
  ASSERT_EQ(page.items.size(), 1U);
  EXPECT_EQ(page.items[0].message.find("Ransomware"), std::string::npos) << page.items[0].message;
  EXPECT_EQ(count("SELECT COUNT(*) FROM outbox WHERE payload LIKE '%Ransomware%' OR subject LIKE "
                  "'%Ransomware%'"),
            0);
}

TEST_P(EscalationTest, AnUpdateAfterACrossingKeepsTheStepDue) {
  const auto incident = log_p1("alice");
  const auto t0 = incident.reported_at;
  // Seen from 2 h 10 min, the 50 % mark has passed unfired: the incident must stay due now,
  // not jump ahead to the 75 % mark (which would silently skip the warning).
  const auto current = reload(incident.id);
  const auto later = t0 + 2 * kHour + 10 * kMinute;
  const auto snapshot = settings_->evaluate(current, later);
  db_->read([&](store::Connection& c) {
    EXPECT_EQ(next_escalation_at(c, current, snapshot, later), later);
  });
  escalation_->sweep(later);
  db_->read([&](store::Connection& c) {
    EXPECT_EQ(next_escalation_at(c, current, snapshot, later), t0 + 3 * kHour);
  });
}

TEST_P(EscalationTest, NotificationsBelongToTheirUser) {
  const auto incident = log_p1("alice");
  escalation_->sweep(incident.reported_at + 2 * kHour);
  Notifications n(*db_);
  auto page = n.list(alice_, true, std::nullopt, 10);
  ASSERT_EQ(page.items.size(), 1U);
  EXPECT_EQ(page.unread, 1);
  const auto id = page.items[0].id;
  EXPECT_EQ(n.mark_read(bob_, id, 5), std::nullopt) << "not bob's";
  auto read = n.mark_read(alice_, id, 5);
  ASSERT_TRUE(read);
  EXPECT_EQ(read->read_at, 5);
  EXPECT_EQ(n.mark_read(alice_, id, 9)->read_at, 5) << "the first read time stays";
  EXPECT_TRUE(n.list(alice_, true, std::nullopt, 10).items.empty());
  EXPECT_EQ(n.list(alice_, false, std::nullopt, 10).unread, 0);
}

TEST_P(EscalationTest, ANewPolicyAppliesToNewIncidentsAndPriorityChangesOnly) {
  const auto before = log_p1("alice");
  auto policy = settings_->sla_policy().policy;
  policy.per_priority[0].resolution_ms = 2 * kHour;
  policy.per_priority[1].resolution_ms = 10 * kHour;
  settings_->set_sla_policy(policy, "test");

  auto kept = reload(before.id);
  EXPECT_EQ(kept.resolution_target_ms, 4 * kHour) << "existing incidents keep their targets";
  EXPECT_EQ(kept.sla_policy_version, 1);
  const auto after = log_p1("alice");
  EXPECT_EQ(after.resolution_target_ms, 2 * kHour);
  EXPECT_EQ(after.sla_policy_version, 2);

  IncidentFields regrade;
  regrade.impact = Impact::significant;
  regrade.urgency = Urgency::high;  // P2
  auto changed = *incidents_->update(kept.id, kept.version, regrade, agent());
  EXPECT_EQ(changed.priority, 2);
  EXPECT_EQ(changed.resolution_target_ms, 10 * kHour) << "a new priority takes the current policy";
  EXPECT_EQ(changed.sla_policy_version, 2);
}

// Automatic closure walks every incident resolved long enough ago: however many wait for their
// lessons-learned review (more than one batch of them here), the others still close.
TEST_P(EscalationTest, AutomaticClosureSkipsIncidentsWaitingForTheirReview) {
  const std::int64_t now = util::now_ms();
  const std::int64_t day = 24 * kHour;
  auto log_resolved = [&](store::Connection& c, Impact impact, Urgency urgency, std::int64_t at) {
    IncidentFields f;
    f.title = "Old incident";
    f.category = "abusive-content";
    f.impact = impact;
    f.urgency = urgency;
    f.group = std::optional<std::string>("soc-l1");
    auto incident = incidents_->create(c, f, agent(), at);
    TransitionInput step;
    step.to = Status::assigned;
    incidents_->transition(c, incident.id, step, agent(), at + kMinute);
    step.to = Status::in_progress;
    incidents_->transition(c, incident.id, step, agent(), at + 2 * kMinute);
    step.to = Status::resolved;
    step.resolution_code = ResolutionCode::fixed;
    step.resolution_notes = "done";
    return incidents_->transition(c, incident.id, step, agent(), at + kHour)->id;
  };
  constexpr int kWaiting = 1001;  // P1s without review: each blocks its own closure only
  std::int64_t low = 0;
  std::int64_t waived = 0;
  std::int64_t recent = 0;
  db_->write([&](store::Connection& c) {
    for (int i = 0; i < kWaiting; ++i)
      log_resolved(c, Impact::extensive, Urgency::critical, now - 30 * day);
    waived = log_resolved(c, Impact::extensive, Urgency::critical, now - 29 * day);
    c.execute("UPDATE incidents SET lessons_waived_by = ? WHERE id = ?", {im_, waived});
    low = log_resolved(c, Impact::minor, Urgency::low, now - 28 * day);
    recent = log_resolved(c, Impact::minor, Urgency::low, now - 2 * day);
  });
  EXPECT_EQ(incidents_->close_resolved(7 * day), 2);
  auto status_of = [&](std::int64_t id) { return reload(id).status; };
  EXPECT_EQ(status_of(low), Status::closed);
  EXPECT_EQ(status_of(waived), Status::closed);
  EXPECT_EQ(status_of(recent), Status::resolved) << "resolved two days ago: not yet";
  EXPECT_EQ(count("SELECT COUNT(*) FROM incidents WHERE status = 'resolved'"), kWaiting + 1);
  EXPECT_EQ(incidents_->close_resolved(7 * day), 0);
}

// Speed is measured, not asserted (goal: 100,000 open incidents in < 1 s; see bench/).
TEST_P(EscalationTest, SweepSpeedWithManyIncidentsDue) {
  constexpr int kIncidents = 20'000;
  const auto first = log_p1("alice");
  const auto t0 = first.reported_at;
  db_->write([&](store::Connection& c) {
    for (int i = 1; i < kIncidents; ++i) {
      c.execute(
          "INSERT INTO incidents (title, description, category, impact, urgency, priority,"
          " matrix_version, source, reporter_id, group_id, assignee_id, support_level, status,"
          " reported_at, acknowledged_at, sla_policy_version, sla_calendar, response_target_ms,"
          " resolution_target_ms, resolution_due_at, next_escalation_at, created_at, updated_at)"
          " SELECT title, description, category, impact, urgency, priority, matrix_version,"
          " source, reporter_id, group_id, assignee_id, support_level, status, reported_at,"
          " acknowledged_at, sla_policy_version, sla_calendar, response_target_ms,"
          " resolution_target_ms, resolution_due_at, next_escalation_at, created_at, updated_at"
          " FROM incidents WHERE id = ?",
          {first.id});
    }
  });
  ASSERT_EQ(count("SELECT COUNT(*) FROM incidents"), kIncidents);

  auto r = escalation_->sweep(t0 + 2 * kHour);
  EXPECT_EQ(r.steps, kIncidents);
  EXPECT_EQ(r.batches, (kIncidents + kSweepBatch - 1) / kSweepBatch);
  std::printf("[ sweep    ] %d incidents due, %d steps, %d notifications in %.3f s (%.0f/s)\n",
              r.incidents, r.steps, r.notifications, r.seconds, r.incidents / r.seconds);

  r = escalation_->sweep(t0 + 2 * kHour + kMinute);
  EXPECT_EQ(r.incidents, 0);
  std::printf("[ sweep    ] %d open incidents, none due: %.6f s\n", kIncidents, r.seconds);

  escalation_->look_again(std::nullopt, t0);
  r = escalation_->sweep(t0 + 2 * kHour + kMinute);
  EXPECT_EQ(r.steps, 0);
  std::printf("[ sweep    ] %d incidents due, all fired before: %.3f s (%.0f/s)\n", r.incidents,
              r.seconds, r.incidents / r.seconds);
}

INSTANTIATE_TEST_SUITE_P(Backends, EscalationTest,
                         ::testing::Values(store::Backend::sqlite, store::Backend::postgres),
                         [](const auto& info) {
                           return info.param == store::Backend::sqlite ? "sqlite" : "postgres";
                         });

}  // namespace
}  // namespace custos::incidents
