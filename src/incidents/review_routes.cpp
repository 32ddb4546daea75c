// The major incident procedure and the closure evaluation: lessons learned, improvement
// actions and the waiver.
#include "api/etag.hpp"
#include "incidents/work_route_support.hpp"
#include "util/time.hpp"

namespace custos::incidents::work_routes {

using api::Context;
using auth::Permission;

namespace {

http::Response review_response(int status, const ReviewState& state) {
  auto res = api::json_response(status, to_json(state));
  if (state.lessons) res.header("ETag", api::etag_for(state.lessons->updated_at));
  return res;
}

http::Response incident_response(IncidentService& incidents, std::int64_t id,
                                 const auth::Principal& who) {
  auto incident = incidents.get(id, who);
  if (!incident) incident_not_found(id);
  auto res =
      api::json_response(200, incidents.to_json(*incident, incidents.viewer(who), util::now_ms()));
  res.header("ETag", api::etag_for(incident->version));
  return res;
}

}  // namespace

void add_review_routes(api::Router& router, IncidentService& incidents, WorkServices& work) {
  router.add({"POST",
              "/api/v1/incidents/{key}/major",
              Permission::incidents_manage,
              [&incidents, &work](Context& ctx) {
                const auto id = incident_id(ctx);
                BodyReader body(ctx);
                const auto manager = body.required_text("major_manager", 64, false);
                body.reject_unknown();
                std::optional<std::int64_t> version;
                if (!ctx.request().header("if-match").empty())
                  version = api::required_if_match(ctx);
                return guarded([&] {
                  if (!work.major.declare(id, manager, version, ctx.user())) incident_not_found(id);
                  return incident_response(incidents, id, ctx.user());
                });
              },
              {"Declare a major incident and name its major-incident manager; the incident "
               "managers are notified",
               "incidents",
               "MajorDeclaration",
               "Incident",
               200,
               {},
               {400, 401, 403, 404, 409, 412, 415, 422}}});

  router.add({"GET",
              "/api/v1/incidents/{key}/lessons-learned",
              Permission::incidents_read,
              [&work](Context& ctx) {
                ctx.allow_query({});
                const auto id = incident_id(ctx);
                return guarded([&] {
                  auto state = work.review.state(id, ctx.user());
                  if (!state) incident_not_found(id);
                  return review_response(200, *state);
                });
              },
              {"The incident's review: lessons learned, number of improvement actions, waiver, "
               "and what still blocks closure",
               "incidents",
               "",
               "Review",
               200,
               {},
               {401, 403, 404}}});

  router.add({"PUT",
              "/api/v1/incidents/{key}/lessons-learned",
              Permission::incidents_work,
              [&work](Context& ctx) {
                const auto id = incident_id(ctx);
                std::optional<std::int64_t> version;
                if (!ctx.request().header("if-match").empty())
                  version = api::required_if_match(ctx);
                BodyReader body(ctx);
                LessonsLearned lessons;
                lessons.what_happened = body.required_text("what_happened", kMaxLessonsField, true);
                lessons.root_cause = body.required_text("root_cause", kMaxLessonsField, true);
                lessons.went_well = body.required_text("went_well", kMaxLessonsField, true);
                lessons.to_improve = body.required_text("to_improve", kMaxLessonsField, true);
                body.reject_unknown();
                return guarded([&] {
                  auto state = work.review.put_lessons(id, lessons, version, ctx.user());
                  if (!state) incident_not_found(id);
                  return review_response(200, *state);
                });
              },
              {"Record the lessons learned (replacing them needs If-Match with their ETag)",
               "incidents",
               "LessonsLearned",
               "Review",
               200,
               {},
               {400, 401, 403, 404, 409, 412, 415, 422, 428}}});

  router.add({"POST",
              "/api/v1/incidents/{key}/lessons-learned/waiver",
              Permission::incidents_manage,
              [&incidents, &work](Context& ctx) {
                const auto id = incident_id(ctx);
                BodyReader body(ctx);
                const auto reason = body.required_text("reason", 4096, true);
                body.reject_unknown();
                return guarded([&] {
                  if (!work.review.waive(id, reason, ctx.user())) incident_not_found(id);
                  return incident_response(incidents, id, ctx.user());
                });
              },
              {"Waive the review required before closure (incident managers; the reason is "
               "audited)",
               "incidents",
               "Waiver",
               "Incident",
               200,
               {},
               {400, 401, 403, 404, 409, 415, 422}}});

  router.add({"GET",
              "/api/v1/incidents/{key}/improvement-actions",
              Permission::incidents_read,
              [&work](Context& ctx) {
                ctx.allow_query({});
                const auto id = incident_id(ctx);
                return guarded([&] {
                  auto actions = work.review.actions(id, ctx.user());
                  if (!actions) incident_not_found(id);
                  nlohmann::json items = nlohmann::json::array();
                  for (const auto& a : *actions) items.push_back(to_json(a));
                  return api::json_response(200, {{"items", items}});
                });
              },
              {"Improvement actions agreed in the incident's review",
               "incidents",
               "",
               "ImprovementActionList",
               200,
               {},
               {401, 403, 404}}});

  router.add({"POST",
              "/api/v1/incidents/{key}/improvement-actions",
              Permission::incidents_work,
              [&work](Context& ctx) {
                const auto id = incident_id(ctx);
                BodyReader body(ctx);
                NewImprovementAction action;
                action.title = body.required_text("title", 200, false);
                action.owner = body.required_text("owner", 64, false);
                action.due_at = body.nullable_time("due_at").value_or(std::nullopt);
                body.reject_unknown();
                return guarded([&] {
                  auto added = work.review.add_action(id, action, ctx.user());
                  if (!added) incident_not_found(id);
                  return api::json_response(201, to_json(*added));
                });
              },
              {"Add an improvement action with an owner",
               "incidents",
               "NewImprovementAction",
               "ImprovementAction",
               201,
               {},
               {400, 401, 403, 404, 415, 422}}});

  router.add({"PATCH",
              "/api/v1/incidents/{key}/improvement-actions/{id}",
              Permission::incidents_work,
              [&work](Context& ctx) {
                const auto id = incident_id(ctx);
                const auto action_id = id_param(ctx, "id", "improvement action");
                BodyReader body(ctx);
                const auto status = body.required_text("status", 16, false);
                body.reject_unknown();
                return guarded([&] {
                  auto action = work.review.set_action_status(id, action_id, status, ctx.user());
                  if (!action) incident_not_found(id);
                  return api::json_response(200, to_json(*action));
                });
              },
              {"Mark an improvement action done (or open again)",
               "incidents",
               "ImprovementActionChanges",
               "ImprovementAction",
               200,
               {},
               {400, 401, 403, 404, 415, 422}}});
}

}  // namespace custos::incidents::work_routes
