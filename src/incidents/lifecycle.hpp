#pragma once
// The incident state machine: one table of transitions, who may take each, and what each
// requires. Routes, the scheduler and the UI all ask this file; nothing else decides.
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "auth/roles.hpp"
#include "incidents/status.hpp"

namespace custos::incidents {

// Input a transition needs besides its target.
enum class TransitionNeeds : std::uint8_t { nothing, pending_reason, resolution, cancel_reason };

// Who may take a transition. `own_reporter`: the person who reported this very incident,
// whatever their roles (except auditors, who never change anything).
struct TransitionActors {
  auth::RoleSet roles{};
  bool system = false;
  bool own_reporter = false;
};

struct TransitionRule {
  Status from;
  Status to;
  TransitionActors actors;
  TransitionNeeds needs;
};

// The whole table, for documentation, the UI and tests.
[[nodiscard]] std::span<const TransitionRule> transition_table();

struct TransitionRequest {
  Status from = Status::new_;
  Status to = Status::new_;
  auth::RoleSet roles{};
  bool is_reporter = false;  // the acting user reported this incident
  bool is_system = false;    // the scheduler (automatic closure)
  std::optional<PendingReason> pending_reason{};
  std::optional<CancelReason> cancel_reason{};
  std::optional<ResolutionCode> resolution_code{};
  std::string resolution_notes{};
};

// Why a transition was refused, so the HTTP layer can pick the status code.
enum class TransitionRefusal : std::uint8_t {
  none,
  invalid_transition,  // 409: no such edge from the current status; see allowed_targets
  not_permitted,       // 403: the edge exists but not for this actor
  missing_input,       // 422: `field` names what is missing
};

struct TransitionVerdict {
  bool allowed = false;
  std::string problem{};                  // a sentence for the user; empty when allowed
  std::string field{};                    // the missing input, when that is the problem
  std::vector<Status> allowed_targets{};  // what this actor may do from `from`
  TransitionRefusal refusal = TransitionRefusal::none;
};

// Inputs that do not apply to the requested transition (e.g. a cancel_reason when resolving)
// are ignored, not refused. Closing also needs closure_blocker() to return nullopt; that
// check needs data (lessons learned, actions) the caller loads only when closing.
[[nodiscard]] TransitionVerdict check_transition(const TransitionRequest& request);

// Targets a human actor may choose from `from` (for 409 bodies and UI buttons).
[[nodiscard]] std::vector<Status> allowed_targets(Status from, auth::RoleSet roles,
                                                  bool is_reporter);

// What a permitted transition does besides changing the status, so that repositories apply
// the same bookkeeping everywhere.
struct TransitionEffects {
  bool increments_reopen_count = false;
  bool acknowledges = false;               // first response: stops the response (time to own) clock
  bool opens_pause = false;                // entering pending: open an SLA pause interval
  bool closes_pause = false;               // leaving pending (also to resolved): close it
  bool stops_resolution_clock = false;     // resolved: the resolution target is met (or late)
  bool restarts_resolution_clock = false;  // reopened: clear resolved_at; the time spent
                                           // resolved is recorded as a pause, not work
  bool records_closed_at = false;
  bool discards_sla = false;  // cancelled: the clocks stop and count neither as met nor breached
};
[[nodiscard]] TransitionEffects effects_of(Status from, Status to);

// Closing a P1/P2 or major incident requires the evaluation ISO 27001 5.27 asks for.
struct ClosureContext {
  int priority = 4;  // 1..4
  bool major = false;
  bool has_lessons_learned = false;
  int improvement_actions_with_owner = 0;
  bool waived_by_incident_manager = false;
};
// nullopt when the incident may be closed; otherwise the sentence explaining what is missing.
// The automatic closure by the system is subject to the same rule: a blocked incident stays
// resolved until someone records the review or waives it.
[[nodiscard]] std::optional<std::string> closure_blocker(const ClosureContext& context);

}  // namespace custos::incidents
