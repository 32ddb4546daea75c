// Worklog, communications log, timeline and child incidents of an incident.
#include <algorithm>

#include "incidents/work_route_support.hpp"

namespace custos::incidents::work_routes {

using api::Context;
using auth::Permission;

namespace {

http::Response worklog_page(const WorklogPage& page) {
  nlohmann::json items = nlohmann::json::array();
  for (const auto& e : page.items) items.push_back(to_json(e));
  return api::json_response(
      200, {{"items", items},
            {"next_cursor", page.next_after_id ? nlohmann::json(id_cursor_for(*page.next_after_id))
                                               : nlohmann::json(nullptr)}});
}

NewWorklogEntry read_entry(Context& ctx, bool communication) {
  BodyReader body(ctx);
  NewWorklogEntry entry;
  // The service says "must not be empty"; multiline: worklog entries are Markdown.
  entry.body = body.text("body", kMaxWorklogBody, true).value_or("");
  entry.visibility = body.text("visibility", 16, false);
  if (communication) {
    entry.kind = "communication";
    entry.audience = body.required_text("audience", 16, false);
  } else {
    entry.kind = body.text("kind", 16, false);
    entry.audience = body.text("audience", 16, false);
  }
  body.reject_unknown();
  return entry;
}

const std::vector<api::QueryParam> kPaging = {
    {"cursor", "string", "next_cursor of the previous page"},
    {"limit", "integer", "page size, 1-500 (default 100)"}};

}  // namespace

void add_worklog_routes(api::Router& router, WorkServices& work) {
  router.add({"GET",
              "/api/v1/incidents/{key}/worklog",
              Permission::incidents_read,
              [&work](Context& ctx) {
                ctx.allow_query({"kind", "cursor", "limit"});
                const auto id = incident_id(ctx);
                WorklogQuery q;
                q.kind = ctx.request().query("kind");
                if (q.kind && std::find(std::begin(kWorklogKinds), std::end(kWorklogKinds),
                                        *q.kind) == std::end(kWorklogKinds)) {
                  throw api::invalid_field("kind", "must be note, workaround or communication");
                }
                q.after_id = id_cursor(ctx);
                q.limit = ctx.limit(100, 500);
                auto page = work.worklog.list(id, q, ctx.user());
                if (!page) incident_not_found(id);
                return worklog_page(*page);
              },
              {"Worklog of an incident, oldest first (reporters see public entries only)",
               "incidents",
               "",
               "WorklogPage",
               200,
               {{"kind", "string", "note, workaround or communication"}, kPaging[0], kPaging[1]},
               {401, 404, 422}}});

  router.add({"POST",
              "/api/v1/incidents/{key}/worklog",
              Permission::incidents_read,
              [&work](Context& ctx) {
                const auto id = incident_id(ctx);
                const auto entry = read_entry(ctx, false);
                return guarded([&] {
                  auto added = work.worklog.add(id, entry, ctx.user());
                  if (!added) incident_not_found(id);
                  return api::json_response(201, to_json(*added));
                });
              },
              {"Add a worklog entry (reporters: public notes on their own incidents)",
               "incidents",
               "NewWorklogEntry",
               "WorklogEntry",
               201,
               {},
               {400, 401, 403, 404, 409, 415, 422}}});

  router.add({"GET",
              "/api/v1/incidents/{key}/communications",
              Permission::incidents_read,
              [&work](Context& ctx) {
                ctx.allow_query({"cursor", "limit"});
                const auto id = incident_id(ctx);
                WorklogQuery q;
                q.kind = "communication";
                q.after_id = id_cursor(ctx);
                q.limit = ctx.limit(100, 500);
                auto page = work.worklog.list(id, q, ctx.user());
                if (!page) incident_not_found(id);
                return worklog_page(*page);
              },
              {"Communications log of an incident (reporters see those addressed to users)",
               "incidents",
               "",
               "WorklogPage",
               200,
               kPaging,
               {401, 404, 422}}});

  router.add({"POST",
              "/api/v1/incidents/{key}/communications",
              Permission::incidents_work,
              [&work](Context& ctx) {
                const auto id = incident_id(ctx);
                const auto entry = read_entry(ctx, true);
                return guarded([&] {
                  auto added = work.worklog.add(id, entry, ctx.user());
                  if (!added) incident_not_found(id);
                  return api::json_response(201, to_json(*added));
                });
              },
              {"Log a communication (to users: public unless said otherwise)",
               "incidents",
               "NewCommunication",
               "WorklogEntry",
               201,
               {},
               {400, 401, 403, 404, 409, 415, 422}}});

  router.add({"GET",
              "/api/v1/incidents/{key}/timeline",
              Permission::incidents_read,
              [&work](Context& ctx) {
                ctx.allow_query({"cursor", "limit"});
                const auto id = incident_id(ctx);
                std::optional<TimelinePosition> after;
                if (auto raw = ctx.request().query("cursor")) {
                  after = TimelinePosition::from_cursor(*raw);
                  if (!after)
                    throw api::invalid_field("cursor", "is not a cursor this server issued");
                }
                const int limit = ctx.limit(200, 1000);
                auto page = work.timeline.read(id, after, limit, ctx.user());
                if (!page) incident_not_found(id);
                return api::json_response(
                    200, {{"items", page->items},
                          {"next_cursor", page->next_cursor ? nlohmann::json(*page->next_cursor)
                                                            : nlohmann::json(nullptr)}});
              },
              {"Worklog and every recorded change of an incident in time order (reporters: "
               "public entries and status changes)",
               "incidents",
               "",
               "Timeline",
               200,
               {{"cursor", "string", "next_cursor of the previous page"},
                {"limit", "integer", "page size, 1-1000 (default 200)"}},
               {401, 404, 422}}});

  router.add({"GET",
              "/api/v1/incidents/{key}/children",
              Permission::incidents_read,
              [&work](Context& ctx) {
                ctx.allow_query({});
                const auto id = incident_id(ctx);
                auto children = work.links.children(id, ctx.user());
                if (!children) incident_not_found(id);
                nlohmann::json items = nlohmann::json::array();
                for (const auto& c : *children) items.push_back(to_json(c));
                return api::json_response(200, {{"items", items}});
              },
              {"Child incidents (those whose parent this is) that you may see",
               "incidents",
               "",
               "ChildIncidentList",
               200,
               {},
               {401, 404}}});
}

}  // namespace custos::incidents::work_routes
