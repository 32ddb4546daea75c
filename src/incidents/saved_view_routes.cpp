// A user's saved views of the incident list: list, save, delete. Only ever the caller's own.
#include "incidents/saved_view_routes.hpp"

#include <charconv>

#include "api/context.hpp"

namespace custos::incidents {

using api::Context;
using auth::Permission;

namespace {

// The id in the path; a malformed one is as unknown as a missing one.
std::int64_t view_id(const Context& ctx) {
  const auto text = ctx.param("id");
  std::int64_t id = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
  if (ec != std::errc{} || ptr != text.data() + text.size() || id <= 0) {
    throw api::not_found("saved view '" + text.substr(0, 24) + "'");
  }
  return id;
}

}  // namespace

void add_saved_view_routes(api::Router& router, SavedViews& views) {
  router.add({"GET",
              "/api/v1/me/views",
              Permission::incidents_read,
              [&views](Context& ctx) {
                ctx.allow_query({});
                nlohmann::json items = nlohmann::json::array();
                for (const auto& v : views.list(ctx.user())) items.push_back(to_json(v));
                return api::json_response(200, {{"items", items}});
              },
              {"Your saved views of the incident list, by name",
               "incidents",
               "",
               "SavedViewList",
               200,
               {},
               {401}}});

  router.add({"POST",
              "/api/v1/me/views",
              Permission::incidents_read,
              [&views](Context& ctx) {
                auto body = ctx.body();
                const auto name = body.required_string("name", kMaxViewNameBytes);
                const auto query = body.optional_string("query", kMaxViewQueryBytes).value_or("");
                body.reject_unknown();
                try {
                  auto view = views.create(ctx.user(), name, query);
                  auto res = api::json_response(201, to_json(view));
                  res.header("Location", "/api/v1/me/views/" + std::to_string(view.id));
                  return res;
                } catch (const SavedViewError& e) {
                  throw api::invalid_field(e.field, e.what());
                } catch (const SavedViewConflict& e) {
                  throw api::conflict(e.what());
                }
              },
              {"Save a view: a name and the incident list's query string",
               "incidents",
               "NewSavedView",
               "SavedView",
               201,
               {},
               {400, 401, 409, 415, 422}}});

  router.add({"DELETE",
              "/api/v1/me/views/{id}",
              Permission::incidents_read,
              [&views](Context& ctx) {
                const auto id = view_id(ctx);
                if (!views.remove(ctx.user(), id)) {
                  throw api::not_found("saved view " + std::to_string(id));
                }
                return api::no_content();
              },
              {"Delete one of your saved views", "incidents", "", "", 204, {}, {401, 404}}});
}

}  // namespace custos::incidents
