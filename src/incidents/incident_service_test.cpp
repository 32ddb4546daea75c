#include "incidents/incident_service.hpp"

#include <gtest/gtest.h>

#include "incidents/groups.hpp"
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

// create() builds its answer from what it wrote instead of reading the row back: the two must
// never differ, in any field a reader sees, nor in the SLA columns the sweep and lists use.
TEST_F(IncidentServiceTest, WhatCreateAnswersIsWhatWasStored) {
  SupportGroups groups(*db_, *audit_);
  SupportGroup soc;
  soc.name = "soc-l2";
  soc.display_name = "SOC level 2";
  soc.level = 2;
  soc.members = {"alice"};
  groups.create(soc, "test");
  const auto parent = log(agent_);
  auto f = p1_fields();
  f.description = "Found by the backup check.";
  f.subcategory = std::optional<std::string>("ransomware");
  f.group = std::optional<std::string>("soc-l2");
  f.assignee = std::optional<std::string>("alice");
  f.affected_services = std::vector<std::string>{"file shares", "backup"};
  f.affected_assets = std::vector<std::string>{"fs01"};
  f.affects_availability = true;
  f.personal_data = true;
  f.restricted = true;
  f.tlp = "red";
  f.occurred_at = std::optional<std::int64_t>(util::now_ms() - 3'600'000);
  f.parent = std::optional<std::string>(incident_key(parent.id));
  const auto created = incidents_->create(f, agent_);

  const auto stored =
      db_->read_value([&](store::Connection& c) { return incidents_->load(c, created.id); });
  ASSERT_TRUE(stored.has_value());
  const auto viewer = incidents_->viewer(manager_);
  const auto at = created.reported_at + 90'000;
  EXPECT_EQ(incidents_->to_json(created, viewer, at).dump(2),
            incidents_->to_json(*stored, viewer, at).dump(2));

  const auto sla = settings_->evaluate(*stored, created.reported_at);
  const auto row = db_->read_value([&](store::Connection& c) {
    return c.query_one(
        "SELECT response_due_at, resolution_due_at, next_escalation_at FROM incidents "
        "WHERE id = ?",
        {created.id});
  });
  ASSERT_TRUE(row.has_value());
  EXPECT_EQ(row->opt_i64(0), sla.response_due_ms);
  EXPECT_EQ(row->opt_i64(1), sla.resolution_due_ms);
  EXPECT_EQ(row->opt_i64(2), sla.next_escalation_ms);
}

}  // namespace
}  // namespace custos::incidents
