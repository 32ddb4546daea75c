#include "incidents/major.hpp"

#include <gtest/gtest.h>

#include "incidents/work_test_support.hpp"

namespace custos::incidents {
namespace {

class MajorTest : public testing::WorkTest {
 protected:
  std::vector<std::pair<std::string, std::string>> notifications() {
    std::vector<std::pair<std::string, std::string>> out;
    db_->read([&](store::Connection& c) {
      for (const auto& r : c.query(
               "SELECT u.username, n.message FROM notifications n JOIN users u ON u.id = n.user_id"
               " WHERE n.kind = 'major_incident' ORDER BY u.username")) {
        out.emplace_back(r.str(0), r.str(1));
      }
    });
    return out;
  }
};

TEST_F(MajorTest, DeclaringNotifiesTheIncidentManagersAndTheMajorManager) {
  const auto second_manager = user("mike", {auth::Role::incident_manager});
  const auto incident = log(reporter_);
  ASSERT_TRUE(work_->major.declare(incident.id, "alice", incident.version, manager_));
  const auto after = incidents_->get(incident.id, manager_);
  EXPECT_TRUE(after->major);
  EXPECT_EQ(after->major_manager, "alice");
  EXPECT_EQ(after->version, incident.version + 1);

  // The declarer knows already; the other incident manager and the major manager are told.
  const auto sent = notifications();
  ASSERT_EQ(sent.size(), 2U);
  EXPECT_EQ(sent[0].first, "alice");
  EXPECT_EQ(sent[1].first, "mike");
  EXPECT_NE(sent[1].second.find("declared a major incident by maria"), std::string::npos);

  // A major incident needs a review before closure, whatever its priority.
  EXPECT_TRUE(work_->review.state(incident.id, manager_)->required);
}

TEST_F(MajorTest, RefusesUnsuitableManagersAndStaleVersions) {
  const auto incident = log(reporter_);
  auto refusal = [&](const std::string& manager, std::optional<std::int64_t> version) {
    try {
      work_->major.declare(incident.id, manager, version, manager_);
    } catch (const WorkError& e) {
      return std::optional(e.refusal);
    }
    return std::optional<WorkRefusal>{};
  };
  EXPECT_EQ(refusal("rita", std::nullopt), WorkRefusal::invalid);  // cannot work incidents
  EXPECT_EQ(refusal("ghost", std::nullopt), WorkRefusal::invalid);
  EXPECT_EQ(refusal("alice", incident.version + 5), WorkRefusal::stale);
  EXPECT_TRUE(notifications().empty());

  // On a restricted incident the major manager must be able to see it.
  const auto secret = log(manager_, false, true);
  EXPECT_THROW(work_->major.declare(secret.id, "alice", std::nullopt, manager_), WorkError);
  EXPECT_TRUE(work_->major.declare(secret.id, "maria", std::nullopt, manager_));
  // Outsiders: as if it did not exist.
  EXPECT_FALSE(work_->major.declare(secret.id, "maria", std::nullopt, agent_));
}

TEST_F(MajorTest, ARestrictedIncidentIsAnnouncedWithoutItsTitle) {
  const auto declarer = user("mona", {auth::Role::incident_manager});
  const auto secret = log(manager_, false, true);
  ASSERT_TRUE(work_->major.declare(secret.id, "maria", std::nullopt, declarer));
  const auto sent = notifications();
  ASSERT_EQ(sent.size(), 1U);
  EXPECT_EQ(sent[0].first, "maria");
  EXPECT_NE(sent[0].second.find(incident_key(secret.id)), std::string::npos);
  EXPECT_EQ(sent[0].second.find("Phishing"), std::string::npos) << sent[0].second;

  // An ordinary incident names itself.
  const auto open = log(reporter_);
  ASSERT_TRUE(work_->major.declare(open.id, "alice", std::nullopt, declarer));
  const auto told = notifications();
  ASSERT_EQ(told.size(), 3U);
  EXPECT_EQ(told[0].first, "alice");
  EXPECT_NE(told[0].second.find("Phishing"), std::string::npos) << told[0].second;
}

TEST_F(MajorTest, CommunicationsAreLogged) {
  const auto incident = log(reporter_);
  ASSERT_TRUE(work_->major.declare(incident.id, "alice", std::nullopt, manager_));
  ASSERT_TRUE(work_->worklog.add(
      incident.id, {"Mail service degraded; fix expected 14:00", {}, "communication", "users"},
      agent_));
  ASSERT_TRUE(work_->worklog.add(incident.id,
                                 {"Briefed the CISO", {}, "communication", "management"}, agent_));
  WorklogQuery q;
  q.kind = "communication";
  EXPECT_EQ(work_->worklog.list(incident.id, q, manager_)->items.size(), 2U);
  const auto for_reporter = work_->worklog.list(incident.id, q, reporter_);
  ASSERT_EQ(for_reporter->items.size(), 1U);
  EXPECT_EQ(for_reporter->items[0].audience, "users");
}

}  // namespace
}  // namespace custos::incidents
