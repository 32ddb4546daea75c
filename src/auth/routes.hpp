#pragma once
// HTTP routes for sign-in, the signed-in user, user and token administration, and lockouts.
#include <cstdint>

#include "api/router.hpp"
#include "auth/accounts.hpp"
#include "auth/credentials.hpp"
#include "auth/login.hpp"

namespace custos::auth {

struct AuthRouteDeps {
  Accounts& accounts;
  Credentials& credentials;
  LoginService& login;
  bool secure_cookies;  // set when serving TLS
  std::int64_t session_ttl_ms;
  std::string totp_issuer;
};

void add_session_routes(api::Router& router, const AuthRouteDeps& deps);
void add_user_routes(api::Router& router, const AuthRouteDeps& deps);
void add_token_routes(api::Router& router, const AuthRouteDeps& deps);
void add_lockout_routes(api::Router& router, const AuthRouteDeps& deps);

// Shared by the route files: map account rule violations to 422 and parse role lists.
[[noreturn]] void rethrow_account_error(const AccountError& e);
RoleSet parse_roles_field(const std::vector<std::string>& names);

}  // namespace custos::auth
