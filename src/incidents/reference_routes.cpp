// Reference data that incidents are classified and routed by: categories and support groups.
#include "api/context.hpp"
#include "api/etag.hpp"
#include "incidents/routes.hpp"

namespace custos::incidents {

using api::Context;
using auth::Permission;

namespace {

[[noreturn]] void rethrow(const GroupError& e) {
  if (e.field == "version") throw api::precondition_failed(e.what());
  throw api::invalid_field(e.field, e.what());
}

http::Response group_response(int status, const SupportGroup& g) {
  auto res = api::json_response(status, to_json(g));
  res.header("ETag", api::etag_for(g.version));
  return res;
}

}  // namespace

void add_reference_routes(api::Router& router, IncidentRouteDeps& deps) {
  router.add({"GET",
              "/api/v1/categories",
              Permission::signed_in,
              [&deps](Context& ctx) {
                ctx.allow_query({});
                nlohmann::json items = nlohmann::json::array();
                for (const auto& c : deps.categories.list()) items.push_back(to_json(c));
                return api::json_response(200, {{"items", items}, {"next_cursor", nullptr}});
              },
              {"The incident taxonomy: classes and their subcategories",
               "reference",
               "",
               "CategoryList",
               200,
               {},
               {401}}});

  router.add({"POST",
              "/api/v1/categories",
              Permission::reference_manage,
              [&deps](Context& ctx) {
                auto body = ctx.body();
                Category c;
                c.code = body.required_string("code", 64);
                c.parent = body.optional_string("parent", 64);
                c.name = body.required_string("name", 120);
                c.description = body.optional_string("description", 2000).value_or("");
                body.reject_unknown();
                try {
                  return api::json_response(201,
                                            to_json(deps.categories.add(c, ctx.user().actor())));
                } catch (const std::invalid_argument& e) {
                  const std::string message = e.what();
                  const auto colon = message.find(':');
                  throw api::invalid_field(message.substr(0, colon), message.substr(colon + 2));
                } catch (const store::UniqueViolation&) {
                  throw api::conflict("a category with code '" + c.code + "' already exists");
                }
              },
              {"Add a category or subcategory to the taxonomy",
               "reference",
               "NewCategory",
               "Category",
               201,
               {},
               {400, 401, 403, 409, 415, 422}}});

  router.add({"GET",
              "/api/v1/groups",
              Permission::signed_in,
              [&deps](Context& ctx) {
                ctx.allow_query({});
                nlohmann::json items = nlohmann::json::array();
                for (const auto& g : deps.groups.list()) items.push_back(to_json(g));
                return api::json_response(200, {{"items", items}, {"next_cursor", nullptr}});
              },
              {"Support groups", "reference", "", "GroupList", 200, {}, {401}}});

  router.add(
      {"POST",
       "/api/v1/groups",
       Permission::reference_manage,
       [&deps](Context& ctx) {
         auto body = ctx.body();
         SupportGroup g;
         g.name = body.required_string("name", 64);
         g.display_name = body.optional_string("display_name", 200).value_or(g.name);
         g.level = static_cast<int>(body.optional_int("level", 1, 3).value_or(1));
         g.manager = body.optional_string("manager", 64);
         g.escalation_group = body.optional_string("escalation_group", 64);
         g.members =
             body.optional_string_array("members", 500, 64).value_or(std::vector<std::string>{});
         body.reject_unknown();
         try {
           auto created = deps.groups.create(g, ctx.user().actor());
           auto res = group_response(201, created);
           res.header("Location", "/api/v1/groups/" + created.name);
           return res;
         } catch (const GroupError& e) {
           rethrow(e);
         } catch (const store::UniqueViolation&) {
           throw api::conflict("a group named '" + g.name + "' already exists");
         }
       },
       {"Create a support group",
        "reference",
        "NewGroup",
        "Group",
        201,
        {},
        {400, 401, 403, 409, 415, 422}}});

  router.add({"GET",
              "/api/v1/groups/{name}",
              Permission::signed_in,
              [&deps](Context& ctx) {
                ctx.allow_query({});
                auto g = deps.groups.find(ctx.param("name"));
                if (!g) throw api::not_found("group '" + ctx.param("name").substr(0, 64) + "'");
                return group_response(200, *g);
              },
              {"Read a support group", "reference", "", "Group", 200, {}, {401, 404}}});

  router.add({"PATCH",
              "/api/v1/groups/{name}",
              Permission::reference_manage,
              [&deps](Context& ctx) {
                const auto version = api::required_if_match(ctx);
                auto body = ctx.body();
                GroupChanges ch;
                ch.display_name = body.optional_string("display_name", 200);
                if (auto level = body.optional_int("level", 1, 3))
                  ch.level = static_cast<int>(*level);
                ch.manager = body.nullable_string("manager", 64);
                ch.escalation_group = body.nullable_string("escalation_group", 64);
                ch.members = body.optional_string_array("members", 500, 64);
                body.reject_unknown();
                try {
                  auto g = deps.groups.update(ctx.param("name"), version, ch, ctx.user().actor());
                  if (!g) throw api::not_found("group '" + ctx.param("name").substr(0, 64) + "'");
                  return group_response(200, *g);
                } catch (const GroupError& e) {
                  rethrow(e);
                }
              },
              {"Change a support group (send If-Match)",
               "reference",
               "GroupChanges",
               "Group",
               200,
               {},
               {400, 401, 403, 404, 412, 415, 422, 428}}});
}

}  // namespace custos::incidents
