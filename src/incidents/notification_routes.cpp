// A user's inbox: the notifications addressed to them and nobody else's. Someone else's
// notification answers 404, exactly like one that does not exist.
#include "incidents/notification_routes.hpp"

#include <charconv>

#include "api/context.hpp"
#include "api/etag.hpp"
#include "util/time.hpp"

namespace custos::incidents {

using api::Context;
using auth::Permission;

namespace {

std::optional<std::int64_t> positive_integer(std::string_view text) {
  std::int64_t n = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (ec != std::errc{} || ptr != text.data() + text.size() || n <= 0) return std::nullopt;
  return n;
}

}  // namespace

void add_notification_routes(api::Router& router, Notifications& notifications) {
  router.add(
      {"GET",
       "/api/v1/me/notifications",
       Permission::signed_in,
       [&notifications](Context& ctx) {
         ctx.allow_query({"unread", "cursor", "limit"});
         bool unread_only = false;
         if (auto v = ctx.request().query("unread")) {
           if (*v != "true" && *v != "false")
             throw api::invalid_field("unread", "must be true or false");
           unread_only = *v == "true";
         }
         std::optional<std::int64_t> before;
         if (auto cursor = ctx.request().query("cursor")) {
           before = positive_integer(api::decode_cursor(*cursor));
           if (!before) throw api::invalid_field("cursor", "is not a cursor this server issued");
         }
         const int limit = ctx.limit(50, 200);
         auto page = notifications.list(ctx.user().user_id, unread_only, before, limit);
         nlohmann::json items = nlohmann::json::array();
         for (const auto& n : page.items) items.push_back(to_json(n));
         return api::json_response(
             200, {{"items", items},
                   {"next_cursor", page.next_before_id ? nlohmann::json(api::encode_cursor(
                                                             std::to_string(*page.next_before_id)))
                                                       : nlohmann::json(nullptr)},
                   {"unread", page.unread}});
       },
       {"Your notifications, newest first (SLA warnings, escalations, breaches)",
        "notifications",
        "",
        "NotificationList",
        200,
        {{"unread", "boolean", "only those not yet read"},
         {"cursor", "string", "next_cursor of the previous page"},
         {"limit", "integer", "page size, 1-200 (default 50)"}},
        {401, 403, 422}}});

  router.add({"POST",
              "/api/v1/me/notifications/{id}/read",
              Permission::signed_in,
              [&notifications](Context& ctx) {
                ctx.allow_query({});
                const auto raw = ctx.param("id");
                const auto id = positive_integer(raw);
                if (!id) throw api::not_found("notification '" + raw.substr(0, 24) + "'");
                auto n = notifications.mark_read(ctx.user().user_id, *id, util::now_ms());
                if (!n) throw api::not_found("notification " + std::to_string(*id));
                return api::json_response(200, to_json(*n));
              },
              {"Mark one of your notifications as read",
               "notifications",
               "",
               "Notification",
               200,
               {},
               {401, 403, 404}}});
}

}  // namespace custos::incidents
