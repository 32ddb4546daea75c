#pragma once
// What every "working the incident" service does first: find the incident and apply
// need-to-know (an incident the caller may not see does not exist for them), then tell apart
// the people who work incidents from reporters, who see only what is public.
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>

#include "auth/principal.hpp"
#include "incidents/incident.hpp"
#include "incidents/visibility.hpp"
#include "store/database.hpp"

namespace custos::incidents {

// Why a request about an incident's work was refused; the routes map it to a status code.
enum class WorkRefusal : std::uint8_t {
  invalid,           // 422, `field` names the input
  forbidden,         // 403
  not_found,         // 404 (a sub-resource such as a task)
  conflict,          // 409 (e.g. the incident is closed)
  stale,             // 412
  too_large,         // 413
  unsupported_type,  // 415
};

struct WorkError : std::runtime_error {
  WorkError(WorkRefusal r, std::string f, const std::string& message)
      : std::runtime_error(message), refusal(r), field(std::move(f)) {}
  static WorkError invalid(std::string field, const std::string& message) {
    return {WorkRefusal::invalid, std::move(field), message};
  }
  static WorkError forbidden(const std::string& message) {
    return {WorkRefusal::forbidden, "", message};
  }
  static WorkError conflict(const std::string& message) {
    return {WorkRefusal::conflict, "", message};
  }
  WorkRefusal refusal;
  std::string field;
};

// Workers hold incidents_work; auditors read everything. Both see internal entries.
[[nodiscard]] bool works_incidents(const auth::RoleSet& roles);
[[nodiscard]] bool sees_internal(const auth::RoleSet& roles);

struct IncidentAccess {
  Incident incident;
  Viewer viewer;
  bool worker = false;    // may add internal entries, tasks, reviews
  bool internal = false;  // may read internal entries (workers and auditors)

  [[nodiscard]] bool is_reporter() const {
    return incident.reporter_id && *incident.reporter_id == viewer.user_id;
  }
  [[nodiscard]] std::string key() const { return incident_key(incident.id); }
  // Closed and cancelled incidents are finished: their worklog, tasks and files stay as they are.
  [[nodiscard]] bool finished() const { return is_terminal(incident.status); }
  // Throws WorkError(conflict) when the incident is finished.
  void require_open(const std::string& what) const;
  // Throws WorkError(forbidden) unless the caller reads internal entries; `what` is a noun
  // phrase such as "the task list".
  void require_internal(const std::string& what) const;
  // Throws WorkError(forbidden) unless the caller works incidents.
  void require_worker(const std::string& what) const;
};

// nullopt when the incident does not exist or `who` may not see it (both answer 404).
std::optional<IncidentAccess> access_incident(store::Connection& c, std::int64_t incident_id,
                                              const auth::Principal& who);

// Checks free text: required (non-empty), at most `max` bytes, no control characters except
// tab and line breaks when `multiline`. Throws WorkError(invalid) naming `field`.
void check_text(const std::string& field, const std::string& value, std::size_t max,
                bool multiline);

// An active user who can work incidents (task assignees, major-incident managers).
std::int64_t find_worker(store::Connection& c, const std::string& field,
                         const std::string& username);
// Any active user (owners of improvement actions need not work incidents themselves).
std::int64_t find_active_user(store::Connection& c, const std::string& field,
                              const std::string& username);

// Bumps the incident's version and updated_at after a change to its own row.
void touch_incident(store::Connection& c, const Incident& incident, std::int64_t now_ms);

}  // namespace custos::incidents
