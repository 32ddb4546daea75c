#pragma once
// custos acting on its own rather than for a person: detection promoting a ban's security
// event to an incident and writing to that incident's worklog. Such a principal has no account
// (user_id 0): the rows it writes name nobody (NULL author, reporter, decider) and the audit
// trail names the part of custos ("system:detection").
#include <cstdint>
#include <string>

#include "auth/principal.hpp"
#include "store/value.hpp"

namespace custos::auth {

// `part`: "detection". Acts with the incident manager's rights.
inline Principal system_principal(const std::string& part) {
  Principal p;
  p.user_id = 0;
  p.username = "system:" + part;
  p.display_name = "custos " + part;
  p.roles = RoleSet{Role::incident_manager};
  p.method = AuthMethod::token;
  return p;
}

[[nodiscard]] inline bool is_system(const Principal& p) { return p.user_id == 0; }

// The audit trail's actor: "user:NAME", or "system:PART" for custos itself.
[[nodiscard]] inline std::string actor_of(const Principal& p) {
  return is_system(p) ? p.username : p.actor();
}

// The account to store as author, reporter or decider: NULL for custos itself.
[[nodiscard]] inline store::Value account_of(const Principal& p) {
  if (is_system(p)) return nullptr;
  return p.user_id;
}

}  // namespace custos::auth
