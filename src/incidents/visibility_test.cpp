#include "incidents/visibility.hpp"

#include <gtest/gtest.h>

namespace custos::incidents {
namespace {

using auth::Role;

Viewer viewer(std::int64_t id, auth::RoleSet roles, std::vector<std::int64_t> groups = {}) {
  return Viewer{id, "user" + std::to_string(id), roles, std::move(groups)};
}

Incident incident(bool restricted, std::optional<std::int64_t> group,
                  std::optional<std::int64_t> assignee, std::int64_t reporter) {
  Incident i;
  i.restricted = restricted;
  i.group_id = group;
  i.assignee_id = assignee;
  i.reporter_id = reporter;
  return i;
}

TEST(Visibility, ManagersAndAuditorsSeeEverything) {
  const auto secret = incident(true, 7, std::nullopt, 1);
  for (Role r : {Role::incident_manager, Role::security_manager, Role::auditor}) {
    EXPECT_TRUE(can_see(viewer(50, {r}), secret));
  }
}

TEST(Visibility, AgentsSeeRestrictedOnlyThroughTheirGroupOrTheirAssignment) {
  const auto open = incident(false, 7, std::nullopt, 1);
  const auto secret = incident(true, 7, std::nullopt, 1);
  const auto mine = incident(true, 7, 50, 1);
  EXPECT_TRUE(can_see(viewer(50, {Role::agent}), open));
  EXPECT_FALSE(can_see(viewer(50, {Role::agent}, {8}), secret));
  EXPECT_TRUE(can_see(viewer(50, {Role::agent}, {7}), secret));
  EXPECT_TRUE(can_see(viewer(50, {Role::agent}), mine));
  EXPECT_FALSE(can_see(viewer(51, {Role::admin}), secret));
}

TEST(Visibility, ReportersSeeTheirOwnUnrestrictedReports) {
  EXPECT_TRUE(can_see(viewer(1, {Role::reporter}), incident(false, 7, std::nullopt, 1)));
  EXPECT_FALSE(can_see(viewer(2, {Role::reporter}), incident(false, 7, std::nullopt, 1)));
  EXPECT_FALSE(can_see(viewer(1, {Role::reporter}), incident(true, 7, std::nullopt, 1)));
  // Being named assignee does not widen a reporter's view: reporters do not work incidents.
  EXPECT_FALSE(can_see(viewer(1, {Role::reporter}), incident(true, 7, 1, 1)));
}

TEST(Visibility, TheSqlConditionTakesOneParameterPerPlaceholder) {
  for (const auto& v :
       {viewer(1, {Role::reporter}), viewer(2, {Role::agent}, {7}), viewer(3, {Role::auditor})}) {
    std::vector<store::Value> params;
    const std::string sql = visibility_condition(v, params);
    EXPECT_EQ(static_cast<std::size_t>(std::count(sql.begin(), sql.end(), '?')), params.size())
        << sql;
  }
}

}  // namespace
}  // namespace custos::incidents
