// API bearer tokens: administrators manage everyone's, users manage their own.
#include <charconv>

#include "api/context.hpp"
#include "auth/routes.hpp"
#include "util/time.hpp"

namespace custos::auth {

using api::Context;

namespace {

std::int64_t token_id_param(const Context& ctx) {
  const auto raw = ctx.param("id");
  std::int64_t id = 0;
  auto [ptr, ec] = std::from_chars(raw.data(), raw.data() + raw.size(), id);
  if (ec != std::errc{} || ptr != raw.data() + raw.size() || id <= 0) {
    throw api::not_found("token '" + raw.substr(0, 32) + "'");
  }
  return id;
}

std::optional<std::int64_t> expiry_field(api::JsonObject& body) {
  auto text = body.optional_string("expires_in", 16);
  if (!text) return util::parse_duration_ms("90d");  // tokens expire unless told otherwise
  if (*text == "never") return std::nullopt;
  auto ms = util::parse_duration_ms(*text);
  if (!ms) throw api::invalid_field("expires_in", "must be a duration like 30d, 12h or 'never'");
  return ms;
}

http::Response issued(const IssuedToken& t) {
  auto j = to_json(t.info);
  j["token"] = t.token;
  return api::json_response(201, j);
}

nlohmann::json token_list(const std::vector<TokenInfo>& tokens) {
  nlohmann::json items = nlohmann::json::array();
  for (const auto& t : tokens) items.push_back(to_json(t));
  return {{"items", items}, {"next_cursor", nullptr}};
}

}  // namespace

void add_token_routes(api::Router& router, const AuthRouteDeps& deps) {
  router.add({"GET",
              "/api/v1/tokens",
              Permission::tokens_manage,
              [&deps](Context& ctx) {
                ctx.allow_query({"user"});
                std::optional<std::int64_t> user_id;
                if (auto name = ctx.request().query("user")) {
                  auto user = deps.accounts.find(*name);
                  if (!user) throw api::invalid_field("user", "no such user");
                  user_id = user->id;
                }
                return api::json_response(200, token_list(deps.credentials.list_tokens(user_id)));
              },
              {"List API tokens (secrets are never shown again)",
               "tokens",
               "",
               "TokenList",
               200,
               {{"user", "string", "only this user's tokens"}},
               {401, 403, 422}}});

  router.add({"POST",
              "/api/v1/tokens",
              Permission::tokens_manage,
              [&deps](Context& ctx) {
                auto body = ctx.body();
                const auto username = body.required_string("user", 64);
                const auto name = body.optional_string("name", 100).value_or("api");
                const auto ttl = expiry_field(body);
                body.reject_unknown();
                auto user = deps.accounts.find(username);
                if (!user) throw api::invalid_field("user", "no such user");
                return issued(
                    deps.credentials.issue_token(user->id, name, ttl, ctx.user().actor()));
              },
              {"Issue a token for a user; the secret is in the answer only",
               "tokens",
               "NewToken",
               "IssuedToken",
               201,
               {},
               {400, 401, 403, 415, 422}}});

  router.add({"DELETE",
              "/api/v1/tokens/{id}",
              Permission::tokens_manage,
              [&deps](Context& ctx) {
                if (!deps.credentials.revoke_token(token_id_param(ctx), std::nullopt,
                                                   ctx.user().actor())) {
                  throw api::not_found("token " + ctx.param("id").substr(0, 32));
                }
                return api::no_content();
              },
              {"Revoke a token", "tokens", "", "", 204, {}, {401, 403, 404}}});

  router.add({"GET",
              "/api/v1/me/tokens",
              Permission::signed_in,
              [&deps](Context& ctx) {
                ctx.allow_query({});
                return api::json_response(
                    200, token_list(deps.credentials.list_tokens(ctx.user().user_id)));
              },
              {"List my API tokens", "me", "", "TokenList", 200, {}, {401}}});

  router.add({"POST",
              "/api/v1/me/tokens",
              Permission::signed_in,
              [&deps](Context& ctx) {
                auto body = ctx.body();
                const auto name = body.optional_string("name", 100).value_or("api");
                const auto ttl = expiry_field(body);
                body.reject_unknown();
                return issued(deps.credentials.issue_token(ctx.user().user_id, name, ttl,
                                                           ctx.user().actor()));
              },
              {"Issue a token for myself",
               "me",
               "NewOwnToken",
               "IssuedToken",
               201,
               {},
               {400, 401, 403, 415, 422}}});

  router.add({"DELETE",
              "/api/v1/me/tokens/{id}",
              Permission::signed_in,
              [&deps](Context& ctx) {
                if (!deps.credentials.revoke_token(token_id_param(ctx), ctx.user().user_id,
                                                   ctx.user().actor())) {
                  throw api::not_found("token " + ctx.param("id").substr(0, 32));
                }
                return api::no_content();
              },
              {"Revoke one of my tokens", "me", "", "", 204, {}, {401, 403, 404}}});
}

}  // namespace custos::auth
