#include "incidents/tasks.hpp"

#include <algorithm>

#include "audit/audit_log.hpp"
#include "util/time.hpp"

namespace custos::incidents {

namespace {

constexpr const char* kSelect =
    "SELECT t.id, t.incident_id, t.title, u.username, t.due_at, t.status, t.created_at,"
    " t.updated_at, t.version FROM incident_tasks t LEFT JOIN users u ON u.id = t.assignee_id";

Task from_row(const store::Row& r) {
  return {r.i64(0), r.i64(1), r.str(2), r.opt_str(3), r.opt_i64(4),
          r.str(5), r.i64(6), r.i64(7), r.i64(8)};
}

void check_status(const std::string& status) {
  if (std::find(std::begin(kTaskStatuses), std::end(kTaskStatuses), status) ==
      std::end(kTaskStatuses)) {
    throw WorkError::invalid("status", "must be one of open, in_progress, done, cancelled");
  }
}

nlohmann::json audit_view(const Task& t) {
  return {{"title", t.title},
          {"assignee", t.assignee ? nlohmann::json(*t.assignee) : nlohmann::json(nullptr)},
          {"due_at", t.due_at ? nlohmann::json(util::to_rfc3339(*t.due_at)) : nlohmann::json()},
          {"status", t.status},
          {"version", t.version}};
}

std::optional<Task> load(store::Connection& c, std::int64_t incident_id, std::int64_t task_id) {
  auto row = c.query_one(std::string(kSelect) + " WHERE t.id = ? AND t.incident_id = ?",
                         {task_id, incident_id});
  if (!row) return std::nullopt;
  return from_row(*row);
}

}  // namespace

nlohmann::json to_json(const Task& t) {
  return {{"id", t.id},
          {"title", t.title},
          {"assignee", t.assignee ? nlohmann::json(*t.assignee) : nlohmann::json(nullptr)},
          {"due_at", t.due_at ? nlohmann::json(util::to_rfc3339(*t.due_at)) : nlohmann::json()},
          {"status", t.status},
          {"created_at", util::to_rfc3339(t.created_at)},
          {"updated_at", util::to_rfc3339(t.updated_at)},
          {"version", t.version}};
}

std::optional<std::vector<Task>> Tasks::list(std::int64_t incident_id, const auth::Principal& who) {
  std::optional<std::vector<Task>> out;
  db_.read([&](store::Connection& c) {
    auto access = access_incident(c, incident_id, who);
    if (!access) return;
    access->require_internal("the task list");
    std::vector<Task> tasks;
    for (const auto& r :
         c.query(std::string(kSelect) + " WHERE t.incident_id = ? ORDER BY t.id LIMIT 1000",
                 {incident_id})) {
      tasks.push_back(from_row(r));
    }
    out = std::move(tasks);
  });
  return out;
}

std::optional<Task> Tasks::create(std::int64_t incident_id, const TaskFields& f,
                                  const auth::Principal& who) {
  if (!f.title) throw WorkError::invalid("title", "is required");
  check_text("title", *f.title, 200, false);
  const std::string status = f.status.value_or("open");
  check_status(status);
  std::optional<Task> out;
  db_.write([&](store::Connection& c) {
    auto access = access_incident(c, incident_id, who);
    if (!access) return;
    access->require_worker("adding a task");
    access->require_open("adding a task");
    const auto assignee_name = f.assignee.value_or(std::nullopt);
    std::optional<std::int64_t> assignee;
    if (assignee_name) assignee = find_worker(c, "assignee", *assignee_name);
    const std::int64_t now = util::now_ms();
    auto row = c.query_one(
        "INSERT INTO incident_tasks (incident_id, title, assignee_id, due_at, status, created_at,"
        " updated_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
        {incident_id, *f.title, store::maybe(assignee),
         store::maybe(f.due_at.value_or(std::nullopt)), status, now, now});
    out = load(c, incident_id, row->i64(0));
    audit_.append(c, {who.actor(),
                      "incident.task_create",
                      "incident",
                      access->key(),
                      {{"task", out->id}, {"after", audit_view(*out)}}});
  });
  return out;
}

std::optional<Task> Tasks::update(std::int64_t incident_id, std::int64_t task_id,
                                  std::int64_t expected_version, const TaskFields& f,
                                  const auth::Principal& who) {
  if (f.title) check_text("title", *f.title, 200, false);
  if (f.status) check_status(*f.status);
  std::optional<Task> out;
  db_.write([&](store::Connection& c) {
    auto access = access_incident(c, incident_id, who);
    if (!access) return;
    access->require_worker("changing a task");
    auto current = load(c, incident_id, task_id);
    if (!current) {
      throw WorkError(WorkRefusal::not_found, "",
                      "task " + std::to_string(task_id) + " of " + access->key());
    }
    if (current->version != expected_version) {
      throw WorkError(WorkRefusal::stale, "",
                      "the task was changed since you read it (now version " +
                          std::to_string(current->version) + "); reload and retry");
    }
    access->require_open("changing a task");
    Task next = *current;
    if (f.title) next.title = *f.title;
    if (f.status) next.status = *f.status;
    if (f.due_at) next.due_at = *f.due_at;
    std::optional<std::int64_t> assignee_id;
    const bool assignee_changed = f.assignee.has_value();
    if (assignee_changed && *f.assignee) assignee_id = find_worker(c, "assignee", **f.assignee);
    const std::int64_t now = util::now_ms();
    const auto changed = c.execute(
        "UPDATE incident_tasks SET title = ?, due_at = ?, status = ?,"
        " assignee_id = CASE WHEN CAST(? AS BIGINT) = 1 THEN CAST(? AS BIGINT) ELSE assignee_id "
        "END,"
        " updated_at = ?, version = version + 1 WHERE id = ? AND version = ?",
        {next.title, store::maybe(next.due_at), next.status, std::int64_t{assignee_changed},
         store::maybe(assignee_id), now, task_id, expected_version});
    if (changed != 1) {
      throw WorkError(WorkRefusal::stale, "", "the task was changed since you read it; reload");
    }
    out = load(c, incident_id, task_id);
    audit_.append(
        c, {who.actor(),
            "incident.task_update",
            "incident",
            access->key(),
            {{"task", task_id}, {"before", audit_view(*current)}, {"after", audit_view(*out)}}});
  });
  return out;
}

}  // namespace custos::incidents
