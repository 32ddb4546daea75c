#include "incidents/status.hpp"

namespace custos::incidents {

namespace {
// One generic lookup so every parser accepts exactly the names its printer produces.
template <typename Enum, std::size_t N, typename NameFn>
std::optional<Enum> parse_by_name(const Enum (&all)[N], NameFn name_of, std::string_view name) {
  for (Enum value : all) {
    if (name_of(value) == name) return value;
  }
  return std::nullopt;
}
}  // namespace

std::string_view status_name(Status status) {
  switch (status) {
    case Status::new_:
      return "new";
    case Status::assigned:
      return "assigned";
    case Status::in_progress:
      return "in_progress";
    case Status::pending:
      return "pending";
    case Status::resolved:
      return "resolved";
    case Status::closed:
      return "closed";
    case Status::reopened:
      return "reopened";
    case Status::cancelled:
      return "cancelled";
  }
  return "unknown";
}

std::optional<Status> parse_status(std::string_view name) {
  return parse_by_name(kAllStatuses, status_name, name);
}

bool is_open(Status status) {
  switch (status) {
    case Status::new_:
    case Status::assigned:
    case Status::in_progress:
    case Status::pending:
    case Status::reopened:
      return true;
    case Status::resolved:
    case Status::closed:
    case Status::cancelled:
      return false;
  }
  return false;
}

bool is_terminal(Status status) { return status == Status::closed || status == Status::cancelled; }

bool pauses_sla(Status status) { return status == Status::pending; }

std::string_view pending_reason_name(PendingReason reason) {
  switch (reason) {
    case PendingReason::awaiting_reporter:
      return "awaiting_reporter";
    case PendingReason::third_party:
      return "third_party";
    case PendingReason::change:
      return "change";
  }
  return "unknown";
}

std::optional<PendingReason> parse_pending_reason(std::string_view name) {
  return parse_by_name(kAllPendingReasons, pending_reason_name, name);
}

std::string_view cancel_reason_name(CancelReason reason) {
  switch (reason) {
    case CancelReason::duplicate:
      return "duplicate";
    case CancelReason::false_positive:
      return "false_positive";
    case CancelReason::not_an_incident:
      return "not_an_incident";
  }
  return "unknown";
}

std::optional<CancelReason> parse_cancel_reason(std::string_view name) {
  return parse_by_name(kAllCancelReasons, cancel_reason_name, name);
}

std::string_view resolution_code_name(ResolutionCode code) {
  switch (code) {
    case ResolutionCode::contained_and_eradicated:
      return "contained_and_eradicated";
    case ResolutionCode::fixed:
      return "fixed";
    case ResolutionCode::workaround:
      return "workaround";
    case ResolutionCode::risk_accepted:
      return "risk_accepted";
    case ResolutionCode::no_action_required:
      return "no_action_required";
    case ResolutionCode::false_positive:
      return "false_positive";
    case ResolutionCode::other:
      return "other";
  }
  return "unknown";
}

std::optional<ResolutionCode> parse_resolution_code(std::string_view name) {
  return parse_by_name(kAllResolutionCodes, resolution_code_name, name);
}

}  // namespace custos::incidents
