#include "auth/roles.hpp"

namespace custos::auth {

std::string_view role_name(Role role) {
  switch (role) {
    case Role::reporter:
      return "reporter";
    case Role::agent:
      return "agent";
    case Role::incident_manager:
      return "incident_manager";
    case Role::security_manager:
      return "security_manager";
    case Role::auditor:
      return "auditor";
    case Role::admin:
      return "admin";
    case Role::ingest:
      return "ingest";
  }
  return "unknown";
}

std::optional<Role> parse_role(std::string_view name) {
  for (Role r : kAllRoles) {
    if (role_name(r) == name) return r;
  }
  return std::nullopt;
}

std::vector<std::string> RoleSet::names() const {
  std::vector<std::string> out;
  for (Role r : kAllRoles) {
    if (has(r)) out.emplace_back(role_name(r));
  }
  return out;
}

std::string RoleSet::to_csv() const {
  std::string out;
  for (Role r : kAllRoles) {
    if (!has(r)) continue;
    if (!out.empty()) out += ',';
    out += role_name(r);
  }
  return out;
}

RoleSet RoleSet::from_csv(std::string_view csv) {
  RoleSet set;
  while (!csv.empty()) {
    const auto comma = csv.find(',');
    if (auto r = parse_role(csv.substr(0, comma))) set.add(*r);
    if (comma == std::string_view::npos) break;
    csv.remove_prefix(comma + 1);
  }
  return set;
}

// The permission table. Least privilege: a permission not listed here is held by nobody.
RoleSet roles_with(Permission permission) {
  using enum Role;
  switch (permission) {
    case Permission::anyone:
    case Permission::signed_in:
      return {reporter, agent, incident_manager, security_manager, auditor, admin};
    case Permission::users_read:
      return {agent, incident_manager, security_manager, auditor, admin};
    case Permission::users_manage:
    case Permission::tokens_manage:
    case Permission::lockouts_manage:
      return {admin};
    case Permission::audit_read:
      return {auditor, admin};
    case Permission::metrics_read:
      return {admin, auditor};
    case Permission::reference_manage:
      return {incident_manager, admin};
    case Permission::incidents_read:
      return {reporter, agent, incident_manager, security_manager, auditor, admin};
    case Permission::incidents_report:  // auditors only ever read
      return {reporter, agent, incident_manager, security_manager, admin};
    case Permission::incidents_work:
    case Permission::problems_work:
      return {agent, incident_manager, security_manager, admin};
    case Permission::incidents_manage:
      return {incident_manager, security_manager};
    case Permission::evidence_read:  // auditors read evidence; administrators run the system
      return {agent, incident_manager, security_manager, auditor};
    case Permission::evidence_work:
      return {agent, incident_manager, security_manager};
    case Permission::legal_hold_manage:
      return {incident_manager, security_manager};
    case Permission::detection_ingest:  // a dedicated account, so a leaked ingest token reads nothing
      return {ingest};
    case Permission::detection_manage:
      return {admin};
  }
  return {};
}

std::string_view permission_name(Permission permission) {
  switch (permission) {
    case Permission::anyone:
      return "anyone";
    case Permission::signed_in:
      return "signed_in";
    case Permission::users_read:
      return "users_read";
    case Permission::users_manage:
      return "users_manage";
    case Permission::tokens_manage:
      return "tokens_manage";
    case Permission::lockouts_manage:
      return "lockouts_manage";
    case Permission::audit_read:
      return "audit_read";
    case Permission::metrics_read:
      return "metrics_read";
    case Permission::reference_manage:
      return "reference_manage";
    case Permission::incidents_read:
      return "incidents_read";
    case Permission::incidents_report:
      return "incidents_report";
    case Permission::incidents_work:
      return "incidents_work";
    case Permission::incidents_manage:
      return "incidents_manage";
    case Permission::problems_work:
      return "problems_work";
    case Permission::evidence_read:
      return "evidence_read";
    case Permission::evidence_work:
      return "evidence_work";
    case Permission::legal_hold_manage:
      return "legal_hold_manage";
    case Permission::detection_ingest:
      return "detection_ingest";
    case Permission::detection_manage:
      return "detection_manage";
  }
  return "unknown";
}

}  // namespace custos::auth
