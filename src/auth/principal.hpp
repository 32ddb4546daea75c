#pragma once
// Who is making a request, as established by a session cookie or a bearer token.
#include <cstdint>
#include <memory>
#include <string>

#include "auth/roles.hpp"

namespace custos::auth {

struct User;

enum class AuthMethod : std::uint8_t { session, token };

struct Principal {
  std::int64_t user_id = 0;
  std::string username;
  std::string display_name;
  RoleSet roles;
  AuthMethod method = AuthMethod::token;
  std::int64_t credential_id = 0;  // session or token id
  std::string csrf_token;          // sessions only
  bool enrolment_only = false;     // must enrol a second factor before anything else
  // The whole account as read while authenticating, in the same query, so that a route
  // about the user itself needs no second read. May be null (principals made elsewhere).
  std::shared_ptr<const User> account;

  // How this principal appears in the audit trail.
  [[nodiscard]] std::string actor() const { return "user:" + username; }
};

}  // namespace custos::auth
