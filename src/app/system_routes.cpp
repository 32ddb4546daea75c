#include "app/system_routes.hpp"

#include "api/context.hpp"
#include "api/openapi.hpp"
#include "app/web_routes.hpp"

namespace custos::app {

using api::Context;

namespace {
bool is_loopback(const std::string& address) {
  return address == "127.0.0.1" || address.starts_with("127.") || address == "::1" ||
         address == "::ffff:127.0.0.1";
}
}  // namespace

void add_system_routes(api::Router& router, store::Database& db, Metrics& metrics,
                       const Config& config) {
  router.add({"GET",
              "/healthz",
              auth::Permission::anyone,
              [](Context&) {
                return api::json_response(200, {{"status", "ok"}});
              },
              {"Liveness: the process answers", "system", "", "Health", 200, {}, {}},
              false,
              true});

  router.add(
      {"GET",
       "/readyz",
       auth::Permission::anyone,
       [&db](Context&) {
         if (!db.ping()) {
           return api::json_response(503, {{"status", "unavailable"}, {"database", "unreachable"}});
         }
         return api::json_response(200, {{"status", "ready"}, {"database", "ok"}});
       },
       {"Readiness: the database answers", "system", "", "Health", 200, {}, {503}},
       false,
       true});

  // Metrics reveal no secrets but do reveal activity: loopback scrapers (the usual
  // Prometheus sidecar) or holders of metrics_read only, unless configured public.
  const bool open = config.metrics_public;
  router.add(
      {"GET",
       "/metrics",
       auth::Permission::anyone,
       [&metrics, open](Context& ctx) {
         if (!open && !is_loopback(ctx.request().remote_address)) {
           if (!ctx.signed_in())
             throw api::unauthorized("metrics need a token from non-local clients");
           if (!ctx.user().roles.intersects(auth::roles_with(auth::Permission::metrics_read))) {
             throw api::forbidden();
           }
         }
         http::Response res;
         res.header("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
         res.body = metrics.render();
         return res;
       },
       {"Prometheus metrics", "system", "", "text", 200, {}, {401, 403}}});

  router.add({"GET",
              "/api/v1/openapi.json",
              auth::Permission::anyone,
              [&router](Context&) {
                static const std::string document = build_openapi(router, CUSTOS_VERSION).dump(2);
                http::Response res;
                res.header("Content-Type", "application/json");
                res.header("Cache-Control", "public, max-age=300");
                res.body = document;
                return res;
              },
              {"This OpenAPI 3.1 document", "system", "", "", 200, {}, {}}});

  add_web_routes(router, web_assets());
}

}  // namespace custos::app
