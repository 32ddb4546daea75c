// Tasks of an incident.
#include "api/etag.hpp"
#include "incidents/work_route_support.hpp"

namespace custos::incidents::work_routes {

using api::Context;
using auth::Permission;

namespace {

TaskFields read_task(Context& ctx) {
  BodyReader body(ctx);
  TaskFields f;
  f.title = body.text("title", 200, false);
  f.assignee = body.nullable_text("assignee", 64);
  f.due_at = body.nullable_time("due_at");
  f.status = body.text("status", 16, false);
  body.reject_unknown();
  return f;
}

http::Response task_response(int status, const std::string& key, const Task& task) {
  auto res = api::json_response(status, to_json(task));
  res.header("ETag", api::etag_for(task.version));
  if (status == 201) {
    res.header("Location", "/api/v1/incidents/" + key + "/tasks/" + std::to_string(task.id));
  }
  return res;
}

}  // namespace

void add_task_routes(api::Router& router, WorkServices& work) {
  router.add({"GET",
              "/api/v1/incidents/{key}/tasks",
              Permission::incidents_read,
              [&work](Context& ctx) {
                ctx.allow_query({});
                const auto id = incident_id(ctx);
                return guarded([&] {
                  auto tasks = work.tasks.list(id, ctx.user());
                  if (!tasks) incident_not_found(id);
                  nlohmann::json items = nlohmann::json::array();
                  for (const auto& t : *tasks) items.push_back(to_json(t));
                  return api::json_response(200, {{"items", items}});
                });
              },
              {"Tasks of an incident (service desk and auditors)",
               "incidents",
               "",
               "TaskList",
               200,
               {},
               {401, 403, 404}}});

  router.add({"POST",
              "/api/v1/incidents/{key}/tasks",
              Permission::incidents_work,
              [&work](Context& ctx) {
                const auto id = incident_id(ctx);
                const auto fields = read_task(ctx);
                return guarded([&] {
                  auto task = work.tasks.create(id, fields, ctx.user());
                  if (!task) incident_not_found(id);
                  return task_response(201, incident_key(id), *task);
                });
              },
              {"Add a task to an incident",
               "incidents",
               "NewTask",
               "Task",
               201,
               {},
               {400, 401, 403, 404, 409, 415, 422}}});

  router.add({"PATCH",
              "/api/v1/incidents/{key}/tasks/{id}",
              Permission::incidents_work,
              [&work](Context& ctx) {
                const auto id = incident_id(ctx);
                const auto task_id = id_param(ctx, "id", "task");
                const auto version = api::required_if_match(ctx);
                const auto fields = read_task(ctx);
                return guarded([&] {
                  auto task = work.tasks.update(id, task_id, version, fields, ctx.user());
                  if (!task) incident_not_found(id);
                  return task_response(200, incident_key(id), *task);
                });
              },
              {"Change a task (send If-Match with its ETag)",
               "incidents",
               "TaskChanges",
               "Task",
               200,
               {},
               {400, 401, 403, 404, 409, 412, 415, 422, 428}}});
}

}  // namespace custos::incidents::work_routes
