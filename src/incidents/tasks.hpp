#pragma once
// Tasks of an incident: pieces of work (restore a server, reset credentials) with an assignee
// who works incidents, a due date and a status. Versioned: a change names the version it read.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "incidents/work_access.hpp"
#include "store/database.hpp"

namespace custos::audit {
class AuditLog;
}

namespace custos::incidents {

inline constexpr std::string_view kTaskStatuses[] = {"open", "in_progress", "done", "cancelled"};

struct Task {
  std::int64_t id = 0;
  std::int64_t incident_id = 0;
  std::string title;
  std::optional<std::string> assignee;  // username
  std::optional<std::int64_t> due_at;
  std::string status = "open";
  std::int64_t created_at = 0;
  std::int64_t updated_at = 0;
  std::int64_t version = 1;
};
nlohmann::json to_json(const Task& task);

// Unset fields keep the stored value (or take the default on create); an inner nullopt clears.
struct TaskFields {
  std::optional<std::string> title;
  std::optional<std::optional<std::string>> assignee;
  std::optional<std::optional<std::int64_t>> due_at;
  std::optional<std::string> status;
};

class Tasks {
 public:
  Tasks(store::Database& db, const audit::AuditLog& audit) : db_(db), audit_(audit) {}

  // Each returns nullopt when the incident does not exist or the caller may not see it.
  std::optional<std::vector<Task>> list(std::int64_t incident_id, const auth::Principal& who);
  std::optional<Task> create(std::int64_t incident_id, const TaskFields& fields,
                             const auth::Principal& who);
  // Throws WorkError: not_found for an unknown task, stale when `expected_version` is old.
  std::optional<Task> update(std::int64_t incident_id, std::int64_t task_id,
                             std::int64_t expected_version, const TaskFields& fields,
                             const auth::Principal& who);

 private:
  store::Database& db_;
  const audit::AuditLog& audit_;
};

}  // namespace custos::incidents
