// Login lockouts: see who is locked out and lift a lockout.
#include "api/context.hpp"
#include "auth/routes.hpp"

namespace custos::auth {

using api::Context;

void add_lockout_routes(api::Router& router, const AuthRouteDeps& deps) {
  router.add({"GET",
              "/api/v1/lockouts",
              Permission::lockouts_manage,
              [&deps](Context& ctx) {
                ctx.allow_query({});
                nlohmann::json items = nlohmann::json::array();
                for (const auto& l : deps.login.lockouts()) items.push_back(to_json(l));
                return api::json_response(200, {{"items", items}, {"next_cursor", nullptr}});
              },
              {"Accounts and addresses locked out after failed sign-ins",
               "lockouts",
               "",
               "LockoutList",
               200,
               {},
               {401, 403}}});

  router.add({"DELETE",
              "/api/v1/lockouts/{kind}/{subject}",
              Permission::lockouts_manage,
              [&deps](Context& ctx) {
                auto kind = parse_kind(ctx.param("kind"));
                if (!kind)
                  throw api::not_found("lockout kind '" + ctx.param("kind").substr(0, 16) + "'");
                if (!deps.login.unlock(*kind, ctx.param("subject"), ctx.user().actor())) {
                  throw api::not_found("lockout of " + ctx.param("subject").substr(0, 64));
                }
                return api::no_content();
              },
              {"Lift a lockout", "lockouts", "", "", 204, {}, {401, 403, 404}}});
}

}  // namespace custos::auth
