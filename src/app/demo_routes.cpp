#include "app/demo_routes.hpp"

#include <atomic>

#include "api/context.hpp"
#include "api/json_input.hpp"
#include "api/problem.hpp"
#include "app/demo_data.hpp"
#include "audit/audit_log.hpp"
#include "store/database.hpp"

namespace custos::app {

namespace {

// Enough to fill the queue, the dashboards and the reports, and loaded in a few seconds.
constexpr std::int64_t kDefaultIncidents = 200;
constexpr std::int64_t kMaxIncidents = 2000;

std::int64_t incident_count(store::Database& db) {
  return db.read_value(
      [](store::Connection& c) { return c.query_one("SELECT COUNT(*) FROM incidents")->i64(0); });
}

nlohmann::json to_json(const DemoResult& r) {
  return {{"incidents", r.incidents},
          {"open", r.open},
          {"worklog_entries", r.worklog_entries},
          {"audit_entries", r.audit_entries},
          {"escalation_steps", r.escalation_steps},
          {"seconds", r.seconds}};
}

}  // namespace

void add_demo_routes(api::Router& router, Core& core) {
  // users_manage is held by administrators only, and the loader creates accounts.
  router.add(
      {"POST",
       "/api/v1/demo",
       auth::Permission::users_manage,
       [&core](api::Context& ctx) {
         ctx.allow_query({});
         DemoOptions options;
         options.incidents = kDefaultIncidents;
         if (!ctx.request().body.empty()) {
           api::JsonObject in = ctx.body();
           if (auto n = in.optional_int("incidents", 1, kMaxIncidents)) options.incidents = *n;
           in.reject_unknown();
         }
         // Demo data only ever goes into an empty database: mixed into real incidents it
         // would distort every report. One load at a time, so two clicks cannot both pass.
         static std::atomic<bool> loading{false};
         if (loading.exchange(true)) {
           throw api::conflict("demo data is being loaded already");
         }
         struct Done {
           std::atomic<bool>& flag;
           ~Done() { flag = false; }
         } done{loading};
         if (incident_count(*core.db) > 0) {
           throw api::conflict(
               "the database already holds incidents; demo data is only loaded into an empty one");
         }
         auto result = load_demo_data(core, options);
         core.db->write([&](store::Connection& c) {
           core.audit->append(
               c, {ctx.user().actor(),
                   "demo.load",
                   "demo",
                   "",
                   {{"incidents", result.incidents}, {"audit_entries", result.audit_entries}}});
         });
         return api::json_response(201, to_json(result));
       },
       {"Load demo people, support groups and incidents into an empty database (as `custos demo "
        "load` does); refused with 409 once any incident exists",
        "demo",
        "DemoLoadRequest",
        "DemoLoad",
        201,
        {},
        {401, 403, 409, 422}}});
}

}  // namespace custos::app
