#pragma once
// Need-to-know. Who may see an incident:
// - incident managers, security managers and auditors: every incident;
// - agents and admins: every incident that is not restricted, and restricted ones assigned
//   to one of their support groups or to themselves (whoever works an incident needs to know);
// - reporters: the incidents they reported themselves, unless restricted.
// The same rule is applied in SQL (lists, search, counts) and in code (single reads), and
// an incident someone may not see answers 404, never 403: its existence is not disclosed.
#include <cstdint>
#include <string>
#include <vector>

#include "auth/principal.hpp"
#include "incidents/incident.hpp"
#include "store/database.hpp"

namespace custos::incidents {

struct Viewer {
  std::int64_t user_id = 0;
  std::string username;
  auth::RoleSet roles;
  std::vector<std::int64_t> group_ids;

  [[nodiscard]] std::string actor() const { return "user:" + username; }
};

// Loads the viewer's support groups.
Viewer viewer_for(store::Connection& c, const auth::Principal& principal);

[[nodiscard]] bool can_see(const Viewer& viewer, const Incident& incident);

// A SQL condition over incidents aliased `i`, and the parameters it needs, appended to
// `params`. Always safe to AND into a WHERE clause.
std::string visibility_condition(const Viewer& viewer, std::vector<store::Value>& params);

}  // namespace custos::incidents
