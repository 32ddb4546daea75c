#pragma once
// Roles and the one declarative table of what each may do. Every route names a
// permission; the dispatcher checks it before the handler runs.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace custos::auth {

enum class Role : std::uint8_t {
  reporter,
  agent,
  incident_manager,
  security_manager,
  auditor,
  admin,
  ingest  // a service account that only feeds log lines to detection
};

inline constexpr Role kAllRoles[] = {Role::reporter,         Role::agent,   Role::incident_manager,
                                     Role::security_manager, Role::auditor, Role::admin,
                                     Role::ingest};

std::string_view role_name(Role role);
std::optional<Role> parse_role(std::string_view name);

// A small bitset of roles.
class RoleSet {
 public:
  constexpr RoleSet() = default;
  constexpr RoleSet(std::initializer_list<Role> roles) {
    for (Role r : roles) bits_ |= bit(r);
  }
  [[nodiscard]] constexpr bool has(Role r) const { return (bits_ & bit(r)) != 0; }
  constexpr void add(Role r) { bits_ |= bit(r); }
  [[nodiscard]] constexpr bool intersects(RoleSet o) const { return (bits_ & o.bits_) != 0; }
  [[nodiscard]] constexpr bool empty() const { return bits_ == 0; }
  [[nodiscard]] std::vector<std::string> names() const;
  // "agent,auditor" as stored in the users table.
  [[nodiscard]] std::string to_csv() const;
  static RoleSet from_csv(std::string_view csv);

 private:
  static constexpr std::uint32_t bit(Role r) { return 1U << static_cast<unsigned>(r); }
  std::uint32_t bits_ = 0;
};

enum class Permission : std::uint8_t {
  anyone,            // no authentication (login, health, OpenAPI)
  signed_in,         // any authenticated user, including reporters
  users_read,        // see the user directory
  users_manage,      // create and change accounts, reset passwords, require MFA
  tokens_manage,     // issue and revoke tokens for any user
  lockouts_manage,   // see and lift login lockouts
  audit_read,        // read and verify the audit trail
  metrics_read,      // Prometheus metrics with a token
  reference_manage,  // categories, support groups, priority matrix, SLA policy, calendars
  incidents_read,    // see incidents (need-to-know still applies to each one)
  incidents_report,  // log a new incident
  incidents_work,    // assign, update, transition, worklog, tasks
  incidents_manage,  // declare major incidents, waive lessons learned
  problems_work,     // problems and known errors
  evidence_read,     // see evidence items and their custody (need-to-know still applies)
  evidence_work,     // add evidence, upload and download content, record custody, export
  legal_hold_manage, // set and release legal holds on incidents
  detection_ingest,  // feed log lines to detection over HTTP
  detection_manage,  // see jails and reload detection rules
};

// Which roles hold a permission. `anyone` and `signed_in` are handled by the dispatcher.
RoleSet roles_with(Permission permission);
std::string_view permission_name(Permission permission);

}  // namespace custos::auth
