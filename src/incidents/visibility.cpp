#include "incidents/visibility.hpp"

#include <algorithm>

#include "incidents/groups.hpp"

namespace custos::incidents {

namespace {
using auth::Role;

bool sees_everything(const Viewer& v) {
  return v.roles.intersects({Role::incident_manager, Role::security_manager, Role::auditor});
}
bool sees_unrestricted(const Viewer& v) { return v.roles.intersects({Role::agent, Role::admin}); }
}  // namespace

Viewer viewer_for(store::Connection& c, const auth::Principal& p) {
  return Viewer{p.user_id, p.username, p.roles, SupportGroups::groups_of(c, p.user_id)};
}

bool can_see(const Viewer& v, const Incident& i) {
  if (sees_everything(v)) return true;
  if (sees_unrestricted(v)) {
    if (!i.restricted || i.assignee_id == v.user_id) return true;
    return i.group_id &&
           std::find(v.group_ids.begin(), v.group_ids.end(), *i.group_id) != v.group_ids.end();
  }
  return !i.restricted && i.reporter_id == v.user_id;
}

std::string visibility_condition(const Viewer& v, std::vector<store::Value>& params) {
  if (sees_everything(v)) return "1 = 1";
  if (sees_unrestricted(v)) {
    params.emplace_back(v.user_id);
    params.emplace_back(v.user_id);
    return "(i.restricted = 0 OR i.assignee_id = ? OR i.group_id IN (SELECT group_id FROM "
           "group_members WHERE user_id = ?))";
  }
  params.emplace_back(v.user_id);
  return "(i.restricted = 0 AND i.reporter_id = ?)";
}

}  // namespace custos::incidents
