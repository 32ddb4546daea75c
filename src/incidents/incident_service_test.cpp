#include "incidents/incident_service.hpp"

#include <gtest/gtest.h>

#include "incidents/work_test_support.hpp"

namespace custos::incidents {
namespace {

using IncidentServiceTest = testing::WorkTest;

IncidentFields p1_fields() {
  IncidentFields f;
  f.title = "Ransomware note on the file server";
  f.category = "malicious-code";
  f.impact = Impact::extensive;
  f.urgency = Urgency::critical;
  return f;
}

TEST_F(IncidentServiceTest, LoggedWithAnAssigneeItIsAssignedAndOwnedAtOnce) {
  auto f = p1_fields();
  f.assignee = std::optional<std::string>("alice");
  const auto incident = incidents_->create(f, agent_);
  EXPECT_EQ(incident.status, Status::assigned);
  ASSERT_TRUE(incident.acknowledged_at.has_value());
  EXPECT_EQ(*incident.acknowledged_at, incident.reported_at);
  const auto sla = settings_->evaluate(incident, incident.reported_at + 60'000);
  EXPECT_TRUE(sla.response.met);
  EXPECT_FALSE(sla.resolution.met);
  // Nothing is left to do on the way to in_progress but the work itself.
  EXPECT_EQ(allowed_targets(incident.status, agent_.roles, false),
            (std::vector<Status>{Status::in_progress, Status::cancelled}));
}

TEST_F(IncidentServiceTest, LoggedWithoutAnAssigneeItWaitsForTriage) {
  auto f = p1_fields();
  f.group = std::optional<std::string>{};
  const auto incident = incidents_->create(f, agent_);
  EXPECT_EQ(incident.status, Status::new_);
  EXPECT_FALSE(incident.acknowledged_at.has_value());
  const auto sla = settings_->evaluate(incident, incident.reported_at + 60'000);
  EXPECT_FALSE(sla.response.met);
  EXPECT_EQ(sla.response.elapsed_ms, 60'000);
}

}  // namespace
}  // namespace custos::incidents
