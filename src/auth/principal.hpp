#pragma once
// Who is making a request, as established by a session cookie or a bearer token.
#include <cstdint>
#include <string>

#include "auth/roles.hpp"

namespace custos::auth {

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

  // How this principal appears in the audit trail.
  [[nodiscard]] std::string actor() const { return "user:" + username; }
};

}  // namespace custos::auth
