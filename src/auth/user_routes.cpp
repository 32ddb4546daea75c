// User administration: the directory, creating and changing accounts.
#include "api/context.hpp"
#include "api/etag.hpp"
#include "auth/routes.hpp"

namespace custos::auth {

using api::Context;

[[noreturn]] void rethrow_account_error(const AccountError& e) {
  throw api::invalid_field(e.field, e.message);
}

RoleSet parse_roles_field(const std::vector<std::string>& names) {
  RoleSet roles;
  for (std::size_t i = 0; i < names.size(); ++i) {
    auto role = parse_role(names[i]);
    if (!role) {
      throw api::invalid_field("roles[" + std::to_string(i) + "]",
                               "must be one of reporter, agent, incident_manager, "
                               "security_manager, auditor, admin");
    }
    roles.add(*role);
  }
  if (roles.empty()) throw api::invalid_field("roles", "at least one role is required");
  return roles;
}

namespace {

User require_user(Accounts& accounts, const std::string& username) {
  auto user = accounts.find(username);
  if (!user) throw api::not_found("user '" + username.substr(0, 64) + "'");
  return *user;
}

http::Response user_response(int status, const User& user) {
  auto res = api::json_response(status, to_json(user));
  res.header("ETag", api::etag_for(user.version));
  return res;
}

}  // namespace

void add_user_routes(api::Router& router, const AuthRouteDeps& deps) {
  router.add({"GET",
              "/api/v1/users",
              Permission::users_read,
              [&deps](Context& ctx) {
                ctx.allow_query({"q", "cursor", "limit"});
                UserQuery q;
                q.search = ctx.request().query("q");
                if (q.search && q.search->size() > 200)
                  throw api::invalid_field("q", "is too long");
                if (auto c = ctx.request().query("cursor"))
                  q.after_username = api::decode_cursor(*c);
                q.limit = ctx.limit(50, 500);
                const int wanted = q.limit;
                q.limit = wanted + 1;  // one extra row tells whether there is a next page
                auto users = deps.accounts.list(q);
                nlohmann::json items = nlohmann::json::array();
                for (int i = 0; i < static_cast<int>(users.size()) && i < wanted; ++i) {
                  items.push_back(to_json(users[static_cast<std::size_t>(i)]));
                }
                nlohmann::json next = nullptr;
                if (static_cast<int>(users.size()) > wanted) {
                  next = api::encode_cursor(users[static_cast<std::size_t>(wanted - 1)].username);
                }
                return api::json_response(200, {{"items", items}, {"next_cursor", next}});
              },
              {"List users",
               "users",
               "",
               "UserList",
               200,
               {{"q", "string", "substring of username, display name or e-mail"},
                {"cursor", "string", "next_cursor of the previous page"},
                {"limit", "integer", "page size, 1-500 (default 50)"}},
               {401, 403, 422}}});

  router.add(
      {"POST",
       "/api/v1/users",
       Permission::users_manage,
       [&deps](Context& ctx) {
         auto body = ctx.body();
         NewUser u;
         u.username = body.required_string("username", 64);
         u.display_name = body.optional_string("display_name", 200).value_or(u.username);
         u.email = body.optional_string("email", 254);
         auto roles = body.optional_string_array("roles", 6, 32);
         if (!roles) throw api::invalid_field("roles", "is required");
         u.roles = parse_roles_field(*roles);
         u.password = body.required_string("password", 4096);
         u.mfa_required = body.optional_bool("mfa_required").value_or(false);
         body.reject_unknown();
         try {
           auto user = deps.accounts.create(u, ctx.user().actor());
           auto res = user_response(201, user);
           res.header("Location", "/api/v1/users/" + user.username);
           return res;
         } catch (const AccountError& e) {
           rethrow_account_error(e);
         } catch (const store::UniqueViolation&) {
           throw api::conflict("a user named '" + u.username + "' already exists");
         }
       },
       {"Create a user", "users", "NewUser", "User", 201, {}, {400, 401, 403, 409, 415, 422}}});

  router.add({"GET",
              "/api/v1/users/{username}",
              Permission::users_read,
              [&deps](Context& ctx) {
                ctx.allow_query({});
                return user_response(200, require_user(deps.accounts, ctx.param("username")));
              },
              {"Read a user", "users", "", "User", 200, {}, {401, 403, 404}}});

  router.add({"PATCH",
              "/api/v1/users/{username}",
              Permission::users_manage,
              [&deps](Context& ctx) {
                const auto version = api::required_if_match(ctx);
                auto body = ctx.body();
                UserChanges ch;
                ch.display_name = body.optional_string("display_name", 200);
                if (body.has("email")) {
                  ch.email = body.is_null("email") ? std::optional<std::string>{}
                                                   : body.optional_string("email", 254);
                  if (body.is_null("email")) body.optional_string("email", 254);  // mark as read
                }
                if (auto roles = body.optional_string_array("roles", 6, 32)) {
                  ch.roles = parse_roles_field(*roles);
                }
                ch.active = body.optional_bool("active");
                ch.mfa_required = body.optional_bool("mfa_required");
                body.reject_unknown();
                const auto& username = ctx.param("username");
                if (ch.active && !*ch.active && username == ctx.user().username) {
                  throw api::invalid_field("active", "you cannot deactivate your own account");
                }
                if (ch.roles && !ch.roles->has(Role::admin) && username == ctx.user().username) {
                  throw api::invalid_field("roles", "you cannot remove your own admin role");
                }
                try {
                  auto user = deps.accounts.update(username, version, ch, ctx.user().actor());
                  if (!user) throw api::not_found("user '" + username.substr(0, 64) + "'");
                  return user_response(200, *user);
                } catch (const VersionConflict& e) {
                  throw api::precondition_failed(
                      "the user was changed since you read it (now version " +
                      std::to_string(e.current_version) + "); reload and retry");
                } catch (const AccountError& e) {
                  rethrow_account_error(e);
                }
              },
              {"Change a user (send If-Match)",
               "users",
               "UserChanges",
               "User",
               200,
               {},
               {400, 401, 403, 404, 412, 415, 422, 428}}});

  router.add({"POST",
              "/api/v1/users/{username}/password",
              Permission::users_manage,
              [&deps](Context& ctx) {
                auto body = ctx.body();
                const auto password = body.required_string("password", 4096);
                body.reject_unknown();
                const auto user = require_user(deps.accounts, ctx.param("username"));
                try {
                  deps.accounts.set_password(user.id, password, ctx.user().actor());
                } catch (const AccountError& e) {
                  rethrow_account_error(e);
                }
                return api::no_content();
              },
              {"Set a user's password (ends their sessions)",
               "users",
               "PasswordReset",
               "",
               204,
               {},
               {400, 401, 403, 404, 415, 422}}});

  router.add({"POST",
              "/api/v1/users/{username}/mfa/reset",
              Permission::users_manage,
              [&deps](Context& ctx) {
                const auto user = require_user(deps.accounts, ctx.param("username"));
                deps.accounts.disable_totp(user.id, ctx.user().actor());
                return api::no_content();
              },
              {"Remove a user's second factor (e.g. lost phone)",
               "users",
               "",
               "",
               204,
               {},
               {401, 403, 404}}});
}

}  // namespace custos::auth
