// Bans are lockouts at the network's edge, so they are seen and lifted with the permission
// that governs login lockouts (administrators).
#include "detection/bans/ban_routes.hpp"

#include <charconv>

#include "api/context.hpp"
#include "api/problem.hpp"
#include "util/time.hpp"
#include "util/utf8.hpp"

namespace custos::detection {

using api::Context;
using auth::Permission;

namespace {

constexpr std::size_t kMaxReasonBytes = 500;

std::optional<std::int64_t> positive_integer(std::string_view text) {
  std::int64_t v = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc{} || p != text.data() + text.size() || v <= 0) return std::nullopt;
  return v;
}

std::int64_t ban_id(const Context& ctx) {
  const auto text = ctx.param("id");
  auto id = positive_integer(text);
  if (!id) throw api::not_found("ban '" + text.substr(0, 24) + "'");
  return *id;
}

}  // namespace

nlohmann::json to_json(const Ban& b) {
  auto opt_time = [](const std::optional<std::int64_t>& ms) -> nlohmann::json {
    return ms ? nlohmann::json(util::to_rfc3339(*ms)) : nlohmann::json(nullptr);
  };
  auto opt_text = [](const std::optional<std::string>& s) -> nlohmann::json {
    return s ? nlohmann::json(*s) : nlohmann::json(nullptr);
  };
  return {{"id", b.id},
          {"jail", b.jail},
          {"address", b.address},
          {"family", b.family},
          {"active", b.active()},
          {"banned_at", util::to_rfc3339(b.banned_at)},
          {"expires_at", util::to_rfc3339(b.expires_at)},
          {"ban_number", b.ban_number},
          {"failures", b.failures},
          {"user", opt_text(b.user)},
          {"lifted_at", opt_time(b.lifted_at)},
          {"lifted_by", opt_text(b.lifted_by)},
          {"lift_reason", opt_text(b.lift_reason)},
          {"event", opt_text(b.event)}};
}

void add_ban_routes(api::Router& router, BanService& bans) {
  router.add({"GET",
              "/api/v1/bans",
              Permission::lockouts_manage,
              [&bans](Context& ctx) {
                ctx.allow_query({"active", "jail", "address", "before", "limit"});
                BanFilter filter;
                const auto& req = ctx.request();
                if (auto v = req.query("active")) {
                  if (*v == "true")
                    filter.active_only = true;
                  else if (*v == "false")
                    filter.active_only = false;
                  else
                    throw api::invalid_field("active", "must be true or false");
                }
                if (auto v = req.query("jail")) {
                  if (v->size() > 64 || !util::is_valid_utf8(*v))
                    throw api::invalid_field("jail", "must be at most 64 bytes of UTF-8 text");
                  filter.jail = *v;
                }
                if (auto v = req.query("address")) {
                  if (v->size() > 64 || !util::is_valid_utf8(*v))
                    throw api::invalid_field("address", "must be at most 64 bytes of UTF-8 text");
                  filter.address = *v;
                }
                if (auto v = req.query("before")) {
                  filter.before_id = positive_integer(*v);
                  if (!filter.before_id) throw api::invalid_field("before", "must be a ban id");
                }
                if (auto v = req.query("limit")) {
                  auto limit = positive_integer(*v);
                  if (!limit || *limit > 500)
                    throw api::invalid_field("limit", "must be between 1 and 500");
                  filter.limit = static_cast<int>(*limit);
                }
                nlohmann::json items = nlohmann::json::array();
                const auto list = bans.list(filter);
                for (const auto& b : list) items.push_back(to_json(b));
                nlohmann::json body = {{"items", items}};
                body["next_before"] = static_cast<int>(list.size()) == filter.limit
                                          ? nlohmann::json(list.back().id)
                                          : nlohmann::json(nullptr);
                return api::json_response(200, body);
              },
              {"Bans made by detection jails, newest first (active ones unless active=false)",
               "detection",
               "",
               "BanList",
               200,
               {{"active", "boolean", "false: also bans that were lifted or expired"},
                {"jail", "string", "only this jail's bans"},
                {"address", "string", "only bans of this address"},
                {"before", "integer", "cursor: the next_before of the previous page"},
                {"limit", "integer", "page size, 1-500 (default 100)"}},
               {400, 401, 403}}});

  router.add({"GET",
              "/api/v1/bans/{id}",
              Permission::lockouts_manage,
              [&bans](Context& ctx) {
                ctx.allow_query({});
                auto ban = bans.get(ban_id(ctx));
                if (!ban) throw api::not_found("ban " + ctx.param("id"));
                return api::json_response(200, to_json(*ban));
              },
              {"One ban", "detection", "", "Ban", 200, {}, {401, 403, 404}}});

  router.add(
      {"DELETE",
       "/api/v1/bans/{id}",
       Permission::lockouts_manage,
       [&bans](Context& ctx) {
         ctx.allow_query({"reason"});
         const auto id = ban_id(ctx);
         std::string reason = ctx.request().query("reason").value_or("");
         if (reason.size() > kMaxReasonBytes)
           throw api::invalid_field("reason", "must be at most 500 bytes");
         auto ban = bans.lift(id, ctx.user().actor(), reason);
         if (!ban) throw api::not_found("ban " + std::to_string(id));
         return api::json_response(200, to_json(*ban));
       },
       {"Lift a ban now: recorded in the audit trail, then the jail's actions undo it "
        "(a ban already lifted is returned unchanged)",
        "detection",
        "",
        "Ban",
        200,
        {{"reason", "string", "why it is lifted (kept with the ban and in the audit trail)"}},
        {400, 401, 403, 404}}});
}

}  // namespace custos::detection
