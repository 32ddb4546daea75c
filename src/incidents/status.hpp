#pragma once
// The vocabulary of an incident's life: statuses and the reason codes that some transitions
// require. Names are the wire and storage spelling; parsers accept exactly those names.
#include <cstdint>
#include <optional>
#include <string_view>

namespace custos::incidents {

enum class Status : std::uint8_t {
  new_,  // trailing underscore only because `new` is a keyword; spelled "new" everywhere else
  assigned,
  in_progress,
  pending,
  resolved,
  closed,
  reopened,
  cancelled
};

inline constexpr Status kAllStatuses[] = {Status::new_,     Status::assigned, Status::in_progress,
                                          Status::pending,  Status::resolved, Status::closed,
                                          Status::reopened, Status::cancelled};

[[nodiscard]] std::string_view status_name(Status status);
[[nodiscard]] std::optional<Status> parse_status(std::string_view name);

// Open = someone still has to work on it; these incidents are in SLA sweeps and work queues.
// `resolved` is not open: the fix is delivered and the resolution clock has stopped, the
// incident only waits for closure (or a reopen).
[[nodiscard]] bool is_open(Status status);
// Terminal = no transition leads out of it.
[[nodiscard]] bool is_terminal(Status status);
// The SLA clocks of an open incident are held while it waits on someone outside the team.
[[nodiscard]] bool pauses_sla(Status status);

enum class PendingReason : std::uint8_t { awaiting_reporter, third_party, change };
inline constexpr PendingReason kAllPendingReasons[] = {
    PendingReason::awaiting_reporter, PendingReason::third_party, PendingReason::change};
[[nodiscard]] std::string_view pending_reason_name(PendingReason reason);
[[nodiscard]] std::optional<PendingReason> parse_pending_reason(std::string_view name);

enum class CancelReason : std::uint8_t { duplicate, false_positive, not_an_incident };
inline constexpr CancelReason kAllCancelReasons[] = {
    CancelReason::duplicate, CancelReason::false_positive, CancelReason::not_an_incident};
[[nodiscard]] std::string_view cancel_reason_name(CancelReason reason);
[[nodiscard]] std::optional<CancelReason> parse_cancel_reason(std::string_view name);

// How an incident was resolved, chosen for security work (ISO 27001 5.26) while still covering
// plain service failures. Cancelling (duplicate, not an incident) is a different path: these
// codes describe incidents that were worked on.
enum class ResolutionCode : std::uint8_t {
  contained_and_eradicated,  // threat contained, removed, systems recovered
  fixed,                     // the fault or weakness was corrected at its cause
  workaround,                // service restored, cause remains (usually linked to a problem)
  risk_accepted,             // the risk owner accepted the residual risk; no further action
  no_action_required,        // assessed: real event, but no harm and nothing to do
  false_positive,            // turned out harmless only after investigation started
  other
};
inline constexpr ResolutionCode kAllResolutionCodes[] = {ResolutionCode::contained_and_eradicated,
                                                         ResolutionCode::fixed,
                                                         ResolutionCode::workaround,
                                                         ResolutionCode::risk_accepted,
                                                         ResolutionCode::no_action_required,
                                                         ResolutionCode::false_positive,
                                                         ResolutionCode::other};
[[nodiscard]] std::string_view resolution_code_name(ResolutionCode code);
[[nodiscard]] std::optional<ResolutionCode> parse_resolution_code(std::string_view name);

}  // namespace custos::incidents
