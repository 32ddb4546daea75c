#include "incidents/lifecycle.hpp"

#include <algorithm>

namespace custos::incidents {

namespace {

using auth::Role;
using auth::RoleSet;

// Auditors are absent from every set: their independence (ISO 27001 9.2) means read-only.
constexpr RoleSet kWorkers{Role::agent, Role::incident_manager, Role::security_manager,
                           Role::admin};
constexpr TransitionActors kWork{kWorkers, false, false};
constexpr TransitionActors kClose{kWorkers, true, false};
constexpr TransitionActors kReopen{kWorkers, false, true};

constexpr TransitionRule kTable[] = {
    {Status::new_, Status::assigned, kWork, TransitionNeeds::nothing},
    {Status::new_, Status::cancelled, kWork, TransitionNeeds::cancel_reason},
    {Status::assigned, Status::in_progress, kWork, TransitionNeeds::nothing},
    {Status::assigned, Status::cancelled, kWork, TransitionNeeds::cancel_reason},
    {Status::in_progress, Status::pending, kWork, TransitionNeeds::pending_reason},
    {Status::in_progress, Status::resolved, kWork, TransitionNeeds::resolution},
    {Status::pending, Status::in_progress, kWork, TransitionNeeds::nothing},
    {Status::pending, Status::resolved, kWork, TransitionNeeds::resolution},
    {Status::resolved, Status::closed, kClose, TransitionNeeds::nothing},
    {Status::resolved, Status::reopened, kReopen, TransitionNeeds::nothing},
    {Status::reopened, Status::in_progress, kWork, TransitionNeeds::nothing},
};

const TransitionRule* find_rule(Status from, Status to) {
  for (const TransitionRule& rule : kTable) {
    if (rule.from == from && rule.to == to) return &rule;
  }
  return nullptr;
}

bool may_take(const TransitionRule& rule, RoleSet roles, bool is_reporter, bool is_system) {
  if (is_system) return rule.actors.system;
  if (roles.intersects(rule.actors.roles)) return true;
  return rule.actors.own_reporter && is_reporter && !roles.has(Role::auditor);
}

std::vector<Status> targets_for(Status from, RoleSet roles, bool is_reporter, bool is_system) {
  std::vector<Status> out;
  for (const TransitionRule& rule : kTable) {
    if (rule.from == from && may_take(rule, roles, is_reporter, is_system)) out.push_back(rule.to);
  }
  return out;
}

std::string quoted(Status s) { return "'" + std::string(status_name(s)) + "'"; }

std::string join_statuses(const std::vector<Status>& statuses) {
  std::string out;
  for (Status s : statuses) {
    if (!out.empty()) out += ", ";
    out += status_name(s);
  }
  return out;
}

std::string who_may(const TransitionActors& actors) {
  std::string out;
  const auto names = actors.roles.names();
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (i > 0) out += ", ";
    out += names[i];
  }
  if (actors.own_reporter) out += ", or the incident's own reporter";
  if (actors.system) out += ", or the system";
  return out;
}

TransitionVerdict refuse(TransitionRefusal refusal, std::string problem, std::string field,
                         std::vector<Status> targets) {
  TransitionVerdict v;
  v.allowed = false;
  v.refusal = refusal;
  v.problem = std::move(problem);
  v.field = std::move(field);
  v.allowed_targets = std::move(targets);
  return v;
}

bool blank(const std::string& text) {
  return std::all_of(text.begin(), text.end(),
                     [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; });
}

}  // namespace

std::span<const TransitionRule> transition_table() { return kTable; }

TransitionVerdict check_transition(const TransitionRequest& request) {
  auto targets = targets_for(request.from, request.roles, request.is_reporter, request.is_system);
  const TransitionRule* rule = find_rule(request.from, request.to);
  if (rule == nullptr) {
    std::string problem =
        request.from == request.to
            ? "the incident is already " + quoted(request.to)
            : "an incident cannot go from " + quoted(request.from) + " to " + quoted(request.to);
    problem += targets.empty() ? "; you cannot move it from " + quoted(request.from)
                               : "; allowed from here: " + join_statuses(targets);
    return refuse(TransitionRefusal::invalid_transition, std::move(problem), "to",
                  std::move(targets));
  }
  if (!may_take(*rule, request.roles, request.is_reporter, request.is_system)) {
    return refuse(TransitionRefusal::not_permitted,
                  "moving an incident from " + quoted(rule->from) + " to " + quoted(rule->to) +
                      " is reserved to " + who_may(rule->actors),
                  "", std::move(targets));
  }
  switch (rule->needs) {
    case TransitionNeeds::nothing:
      break;
    case TransitionNeeds::pending_reason:
      if (!request.pending_reason) {
        return refuse(TransitionRefusal::missing_input,
                      "setting an incident pending requires a pending_reason "
                      "(awaiting_reporter, third_party or change)",
                      "pending_reason", std::move(targets));
      }
      break;
    case TransitionNeeds::resolution:
      if (!request.resolution_code) {
        return refuse(TransitionRefusal::missing_input,
                      "resolving an incident requires a resolution_code", "resolution_code",
                      std::move(targets));
      }
      if (blank(request.resolution_notes)) {
        return refuse(TransitionRefusal::missing_input,
                      "resolving an incident requires resolution_notes that say what was done",
                      "resolution_notes", std::move(targets));
      }
      break;
    case TransitionNeeds::cancel_reason:
      if (!request.cancel_reason) {
        return refuse(TransitionRefusal::missing_input,
                      "cancelling an incident requires a cancel_reason "
                      "(duplicate, false_positive or not_an_incident)",
                      "cancel_reason", std::move(targets));
      }
      break;
  }
  TransitionVerdict ok;
  ok.allowed = true;
  ok.allowed_targets = std::move(targets);
  return ok;
}

std::vector<Status> allowed_targets(Status from, auth::RoleSet roles, bool is_reporter) {
  return targets_for(from, roles, is_reporter, false);
}

TransitionEffects effects_of(Status from, Status to) {
  TransitionEffects e;
  if (find_rule(from, to) == nullptr) return e;
  e.increments_reopen_count = to == Status::reopened;
  e.acknowledges = from == Status::new_ && to == Status::assigned;
  e.opens_pause = to == Status::pending;
  e.closes_pause = from == Status::pending;
  e.stops_resolution_clock = to == Status::resolved;
  e.restarts_resolution_clock = to == Status::reopened;
  e.records_closed_at = to == Status::closed;
  e.discards_sla = to == Status::cancelled;
  return e;
}

std::optional<std::string> closure_blocker(const ClosureContext& context) {
  if (context.priority < 1 || context.priority > 4) {
    return "the incident's priority must be 1-4, not " + std::to_string(context.priority);
  }
  const bool needs_review = context.major || context.priority <= 2;
  if (!needs_review || context.waived_by_incident_manager) return std::nullopt;
  const bool has_actions = context.improvement_actions_with_owner >= 1;
  if (context.has_lessons_learned && has_actions) return std::nullopt;

  std::string subject =
      context.major ? "a major incident" : "a P" + std::to_string(context.priority) + " incident";
  std::string missing;
  if (!context.has_lessons_learned) missing = "a lessons-learned record";
  if (!has_actions) {
    if (!missing.empty()) missing += " and ";
    missing += "at least one improvement action with an owner";
  }
  return "closing " + subject + " requires " + missing + ", or a waiver by the incident manager";
}

}  // namespace custos::incidents
