#include "incidents/lifecycle.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <utility>

namespace custos::incidents {
namespace {

using auth::Role;
using auth::RoleSet;

const RoleSet kAgent{Role::agent};
const RoleSet kReporter{Role::reporter};
const RoleSet kAuditor{Role::auditor};

TransitionRequest request(Status from, Status to, RoleSet roles) {
  TransitionRequest r;
  r.from = from;
  r.to = to;
  r.roles = roles;
  return r;
}

// A request carrying every optional input, so only the edge and the actor decide.
TransitionRequest complete(Status from, Status to, RoleSet roles) {
  TransitionRequest r = request(from, to, roles);
  r.pending_reason = PendingReason::third_party;
  r.cancel_reason = CancelReason::duplicate;
  r.resolution_code = ResolutionCode::contained_and_eradicated;
  r.resolution_notes = "Isolated the host, reimaged it, rotated credentials.";
  return r;
}

TEST(Lifecycle, TableHasExactlyTheDocumentedEdges) {
  const std::set<std::pair<Status, Status>> expected = {
      {Status::new_, Status::assigned},        {Status::assigned, Status::in_progress},
      {Status::in_progress, Status::pending},  {Status::pending, Status::in_progress},
      {Status::in_progress, Status::resolved}, {Status::pending, Status::resolved},
      {Status::resolved, Status::closed},      {Status::resolved, Status::reopened},
      {Status::reopened, Status::in_progress}, {Status::new_, Status::cancelled},
      {Status::assigned, Status::cancelled}};
  std::set<std::pair<Status, Status>> actual;
  for (const TransitionRule& rule : transition_table()) {
    EXPECT_TRUE(actual.insert({rule.from, rule.to}).second) << "duplicate edge";
    EXPECT_FALSE(is_terminal(rule.from)) << status_name(rule.from);
  }
  EXPECT_EQ(actual, expected);
}

TEST(Lifecycle, EveryPairOutsideTheTableIsAConflictListingTheAllowedTargets) {
  const RoleSet admin{Role::admin};
  for (Status from : kAllStatuses) {
    for (Status to : kAllStatuses) {
      const bool edge =
          std::any_of(transition_table().begin(), transition_table().end(),
                      [&](const TransitionRule& r) { return r.from == from && r.to == to; });
      const auto verdict = check_transition(complete(from, to, admin));
      EXPECT_EQ(verdict.allowed, edge) << status_name(from) << "->" << status_name(to);
      if (!edge) {
        EXPECT_EQ(verdict.refusal, TransitionRefusal::invalid_transition);
        EXPECT_EQ(verdict.field, "to");
        EXPECT_EQ(verdict.allowed_targets, allowed_targets(from, admin, false));
      }
    }
  }
}

TEST(Lifecycle, ConflictMessageNamesBothStatusesAndTheWayForward) {
  const auto v = check_transition(request(Status::new_, Status::resolved, kAgent));
  EXPECT_FALSE(v.allowed);
  EXPECT_EQ(v.problem,
            "an incident cannot go from 'new' to 'resolved'; allowed from here: assigned, "
            "cancelled");
  EXPECT_EQ(v.allowed_targets, (std::vector<Status>{Status::assigned, Status::cancelled}));

  const auto same = check_transition(request(Status::pending, Status::pending, kAgent));
  EXPECT_EQ(same.refusal, TransitionRefusal::invalid_transition);
  EXPECT_NE(same.problem.find("already 'pending'"), std::string::npos) << same.problem;

  const auto closed = check_transition(request(Status::closed, Status::reopened, kAgent));
  EXPECT_TRUE(closed.allowed_targets.empty());
  EXPECT_NE(closed.problem.find("you cannot move it from 'closed'"), std::string::npos);
}

TEST(Lifecycle, WorkingRolesMayWorkAnIncident) {
  for (Role role : {Role::agent, Role::incident_manager, Role::security_manager, Role::admin}) {
    for (const auto& [from, to] :
         std::vector<std::pair<Status, Status>>{{Status::new_, Status::assigned},
                                                {Status::assigned, Status::in_progress},
                                                {Status::in_progress, Status::pending},
                                                {Status::pending, Status::in_progress},
                                                {Status::in_progress, Status::resolved},
                                                {Status::pending, Status::resolved},
                                                {Status::resolved, Status::closed},
                                                {Status::resolved, Status::reopened},
                                                {Status::reopened, Status::in_progress},
                                                {Status::new_, Status::cancelled},
                                                {Status::assigned, Status::cancelled}}) {
      EXPECT_TRUE(check_transition(complete(from, to, RoleSet{role})).allowed)
          << auth::role_name(role) << " " << status_name(from) << "->" << status_name(to);
    }
  }
}

TEST(Lifecycle, AuditorsNeverChangeAnything) {
  for (const TransitionRule& rule : transition_table()) {
    auto r = complete(rule.from, rule.to, kAuditor);
    const auto v = check_transition(r);
    EXPECT_FALSE(v.allowed) << status_name(rule.from) << "->" << status_name(rule.to);
    EXPECT_EQ(v.refusal, TransitionRefusal::not_permitted);
    r.is_reporter = true;  // not even on an incident the auditor reported
    EXPECT_FALSE(check_transition(r).allowed);
  }
  for (Status from : kAllStatuses) {
    EXPECT_TRUE(allowed_targets(from, kAuditor, true).empty()) << status_name(from);
  }
}

TEST(Lifecycle, ReporterMayOnlyReopenTheirOwnIncident) {
  auto own = request(Status::resolved, Status::reopened, kReporter);
  own.is_reporter = true;
  EXPECT_TRUE(check_transition(own).allowed);

  auto other = request(Status::resolved, Status::reopened, kReporter);
  const auto v = check_transition(other);
  EXPECT_FALSE(v.allowed);
  EXPECT_EQ(v.refusal, TransitionRefusal::not_permitted);
  EXPECT_EQ(v.problem,
            "moving an incident from 'resolved' to 'reopened' is reserved to agent, "
            "incident_manager, security_manager, admin, or the incident's own reporter");
  EXPECT_TRUE(v.allowed_targets.empty());

  // Being the reporter grants nothing else.
  auto close = request(Status::resolved, Status::closed, kReporter);
  close.is_reporter = true;
  EXPECT_EQ(check_transition(close).refusal, TransitionRefusal::not_permitted);
  EXPECT_EQ(allowed_targets(Status::resolved, kReporter, true),
            std::vector<Status>{Status::reopened});
  EXPECT_TRUE(allowed_targets(Status::new_, kReporter, true).empty());
}

TEST(Lifecycle, SystemMayOnlyClose) {
  for (const TransitionRule& rule : transition_table()) {
    auto r = complete(rule.from, rule.to, RoleSet{});
    r.is_system = true;
    EXPECT_EQ(check_transition(r).allowed,
              rule.from == Status::resolved && rule.to == Status::closed)
        << status_name(rule.from) << "->" << status_name(rule.to);
  }
}

TEST(Lifecycle, PendingNeedsAReason) {
  auto r = request(Status::in_progress, Status::pending, kAgent);
  auto v = check_transition(r);
  EXPECT_FALSE(v.allowed);
  EXPECT_EQ(v.refusal, TransitionRefusal::missing_input);
  EXPECT_EQ(v.field, "pending_reason");
  r.pending_reason = PendingReason::awaiting_reporter;
  EXPECT_TRUE(check_transition(r).allowed);
}

TEST(Lifecycle, ResolvingNeedsCodeAndNotes) {
  for (Status from : {Status::in_progress, Status::pending}) {
    auto r = request(from, Status::resolved, kAgent);
    EXPECT_EQ(check_transition(r).field, "resolution_code");
    r.resolution_code = ResolutionCode::workaround;
    EXPECT_EQ(check_transition(r).field, "resolution_notes");
    r.resolution_notes = " \n\t ";
    EXPECT_EQ(check_transition(r).field, "resolution_notes");
    r.resolution_notes = "Blocked the sender domain at the mail gateway.";
    EXPECT_TRUE(check_transition(r).allowed);
  }
}

TEST(Lifecycle, CancellingNeedsAReasonAndIsOnlyPossibleBeforeWorkStarts) {
  auto r = request(Status::assigned, Status::cancelled, kAgent);
  EXPECT_EQ(check_transition(r).field, "cancel_reason");
  r.cancel_reason = CancelReason::false_positive;
  EXPECT_TRUE(check_transition(r).allowed);
  r.from = Status::in_progress;
  EXPECT_EQ(check_transition(r).refusal, TransitionRefusal::invalid_transition);
}

TEST(Lifecycle, PermissionIsCheckedBeforeInput) {
  // A reporter must not learn which fields a transition they may not take would need.
  const auto v = check_transition(request(Status::in_progress, Status::pending, kReporter));
  EXPECT_EQ(v.refusal, TransitionRefusal::not_permitted);
  EXPECT_TRUE(v.field.empty());
}

TEST(Lifecycle, EffectsOfTransitions) {
  EXPECT_TRUE(effects_of(Status::resolved, Status::reopened).increments_reopen_count);
  EXPECT_TRUE(effects_of(Status::resolved, Status::reopened).restarts_resolution_clock);
  EXPECT_FALSE(effects_of(Status::reopened, Status::in_progress).increments_reopen_count);
  EXPECT_TRUE(effects_of(Status::new_, Status::assigned).acknowledges);
  EXPECT_TRUE(effects_of(Status::in_progress, Status::pending).opens_pause);
  EXPECT_TRUE(effects_of(Status::pending, Status::in_progress).closes_pause);
  EXPECT_TRUE(effects_of(Status::pending, Status::resolved).closes_pause);
  EXPECT_TRUE(effects_of(Status::pending, Status::resolved).stops_resolution_clock);
  EXPECT_TRUE(effects_of(Status::resolved, Status::closed).records_closed_at);
  EXPECT_TRUE(effects_of(Status::new_, Status::cancelled).discards_sla);
  // Not an edge: no effects at all.
  const auto none = effects_of(Status::closed, Status::reopened);
  EXPECT_FALSE(none.increments_reopen_count || none.restarts_resolution_clock);
}

TEST(Lifecycle, ClosureOfLowPriorityNeedsNoReview) {
  EXPECT_EQ(closure_blocker({.priority = 3}), std::nullopt);
  EXPECT_EQ(closure_blocker({.priority = 4}), std::nullopt);
}

TEST(Lifecycle, ClosureOfHighPriorityOrMajorNeedsLessonsAndAnOwnedAction) {
  auto blocker = closure_blocker({.priority = 2});
  ASSERT_TRUE(blocker.has_value());
  EXPECT_EQ(*blocker,
            "closing a P2 incident requires a lessons-learned record and at least one "
            "improvement action with an owner, or a waiver by the incident manager");

  blocker = closure_blocker({.priority = 1, .has_lessons_learned = true});
  ASSERT_TRUE(blocker.has_value());
  EXPECT_EQ(*blocker,
            "closing a P1 incident requires at least one improvement action with an owner, or "
            "a waiver by the incident manager");

  blocker = closure_blocker({.priority = 4, .major = true, .improvement_actions_with_owner = 2});
  ASSERT_TRUE(blocker.has_value());
  EXPECT_EQ(*blocker,
            "closing a major incident requires a lessons-learned record, or a waiver by the "
            "incident manager");

  EXPECT_EQ(closure_blocker({.priority = 1,
                             .major = true,
                             .has_lessons_learned = true,
                             .improvement_actions_with_owner = 1}),
            std::nullopt);
  EXPECT_EQ(closure_blocker({.priority = 1, .waived_by_incident_manager = true}), std::nullopt);
  EXPECT_TRUE(closure_blocker({.priority = 0}).has_value());
  EXPECT_TRUE(closure_blocker({.priority = 5}).has_value());
}

}  // namespace
}  // namespace custos::incidents
