#include "incidents/timeline.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "incidents/work_test_support.hpp"
#include "util/encoding.hpp"

namespace custos::incidents {
namespace {

TimelineItem item(std::int64_t at, int rank, std::int64_t id) {
  return {{at, rank, id}, {{"id", id}, {"rank", rank}}};
}

TEST(TimelineRules, MergesInTimeOrderWorklogFirstWithinAMillisecond) {
  bool more = true;
  auto merged = merge_timeline({item(10, 0, 1), item(20, 0, 2), item(30, 0, 3)},
                               {item(5, 1, 7), item(20, 1, 8), item(40, 1, 9)}, 10, more);
  ASSERT_EQ(merged.size(), 6U);
  EXPECT_FALSE(more);
  std::vector<std::int64_t> ids;
  for (const auto& i : merged) ids.push_back(i.position.id);
  EXPECT_EQ(ids, (std::vector<std::int64_t>{7, 1, 2, 8, 3, 9}));

  merged = merge_timeline({item(10, 0, 1), item(20, 0, 2)}, {item(15, 1, 5)}, 2, more);
  ASSERT_EQ(merged.size(), 2U);
  EXPECT_TRUE(more);
  EXPECT_EQ(merged.back().position.id, 5);
}

TEST(TimelineRules, CursorsRoundTripAndRejectForgeries) {
  const TimelinePosition p{1700000000123, 1, 42};
  auto back = TimelinePosition::from_cursor(p.to_cursor());
  ASSERT_TRUE(back);
  EXPECT_EQ(back->at, p.at);
  EXPECT_EQ(back->rank, 1);
  EXPECT_EQ(back->id, 42);
  EXPECT_FALSE(TimelinePosition::from_cursor("not a cursor"));
  EXPECT_FALSE(TimelinePosition::from_cursor(""));
  EXPECT_FALSE(TimelinePosition::from_cursor(TimelinePosition{1, 2, 1}.to_cursor()));  // rank
  EXPECT_FALSE(TimelinePosition::from_cursor(util::base64url_encode("1.0.x")));
  EXPECT_FALSE(TimelinePosition::from_cursor(util::base64url_encode("1.0")));
}

TEST(TimelineRules, ReportersSeeStatusChangesOnly) {
  EXPECT_EQ(reporter_view("incident.create", {{"after", {{"priority", 1}}}}),
            nlohmann::json::object());
  EXPECT_EQ(reporter_view("incident.transition",
                          {{"from", "new"}, {"to", "cancelled"}, {"cancel_reason", "dup"}}),
            (nlohmann::json{{"from", "new"}, {"to", "cancelled"}}));
  // An update shows only when it moved the status, and then only the statuses.
  EXPECT_EQ(reporter_view("incident.update",
                          {{"before", {{"status", "new"}, {"assignee", nullptr}}},
                           {"after", {{"status", "assigned"}, {"assignee", "alice"}}}}),
            (nlohmann::json{{"from", "new"}, {"to", "assigned"}}));
  EXPECT_EQ(reporter_view("incident.update", {{"before", {{"status", "assigned"}}},
                                              {"after", {{"status", "assigned"}}}}),
            std::nullopt);
  EXPECT_EQ(reporter_view("incident.task_create", {{"task", 1}}), std::nullopt);
  EXPECT_EQ(reporter_view("incident.escalate", {{"threshold", 50}}), std::nullopt);
  EXPECT_EQ(reporter_view("incident.lessons_waive", {{"reason", "x"}}), std::nullopt);
  EXPECT_EQ(actor_name("user:alice"), "alice");
  EXPECT_EQ(actor_name("system"), "system");
}

using TimelineTest = testing::WorkTest;

TEST_F(TimelineTest, ShowsWorklogAndChangesInOrder) {
  // Entries of different kinds are ordered by time: keep each step in its own millisecond.
  const auto tick = [] { std::this_thread::sleep_for(std::chrono::milliseconds(3)); };
  const auto incident = log(reporter_);
  tick();
  IncidentFields assign;
  assign.assignee = std::optional<std::string>("alice");
  ASSERT_TRUE(incidents_->update(incident.id, incident.version, assign, agent_));
  tick();
  ASSERT_TRUE(work_->worklog.add(incident.id, {"internal analysis", {}, {}, {}}, agent_));
  tick();
  ASSERT_TRUE(work_->worklog.add(incident.id, {"we are on it", "public", {}, {}}, agent_));
  tick();
  TaskFields task;
  task.title = "Block the sender";
  ASSERT_TRUE(work_->tasks.create(incident.id, task, agent_));
  tick();
  TransitionInput start;
  start.to = Status::in_progress;
  ASSERT_TRUE(incidents_->transition(incident.id, start, agent_));

  auto all = work_->timeline.read(incident.id, std::nullopt, 100, agent_);
  ASSERT_TRUE(all);
  std::vector<std::string> kinds;
  for (const auto& i : all->items) {
    kinds.push_back(i["type"] == "worklog" ? "worklog" : i["action"].get<std::string>());
  }
  EXPECT_EQ(kinds,
            (std::vector<std::string>{"incident.create", "incident.update", "worklog", "worklog",
                                      "incident.task_create", "incident.transition"}));
  EXPECT_EQ(all->items[1]["actor"], "alice");
  EXPECT_FALSE(all->next_cursor);

  // The reporter: the creation, the status changes and the public entry, without details.
  auto mine = work_->timeline.read(incident.id, std::nullopt, 100, reporter_);
  ASSERT_TRUE(mine);
  ASSERT_EQ(mine->items.size(), 4U);
  EXPECT_EQ(mine->items[0]["action"], "incident.create");
  EXPECT_EQ(mine->items[0]["detail"], nlohmann::json::object());
  EXPECT_EQ(mine->items[1]["detail"], (nlohmann::json{{"from", "new"}, {"to", "assigned"}}));
  EXPECT_EQ(mine->items[2]["body"], "we are on it");
  EXPECT_EQ(mine->items[3]["detail"],
            (nlohmann::json{{"from", "assigned"}, {"to", "in_progress"}}));
  for (const auto& i : mine->items) EXPECT_NE(i.value("body", ""), "internal analysis");

  EXPECT_EQ(work_->timeline.read(incident.id, std::nullopt, 100, other_reporter_), std::nullopt);
}

TEST_F(TimelineTest, PagesWithoutLosingOrRepeatingItems) {
  const auto incident = log(agent_);
  for (int i = 0; i < 7; ++i) {
    ASSERT_TRUE(work_->worklog.add(incident.id, {"n" + std::to_string(i), {}, {}, {}}, agent_));
    TaskFields t;
    t.title = "t" + std::to_string(i);
    ASSERT_TRUE(work_->tasks.create(incident.id, t, agent_));
  }
  const auto everything = work_->timeline.read(incident.id, std::nullopt, 1000, agent_);
  std::vector<nlohmann::json> paged;
  std::optional<TimelinePosition> after;
  for (int guard = 0; guard < 20; ++guard) {
    auto page = work_->timeline.read(incident.id, after, 3, agent_);
    ASSERT_TRUE(page);
    for (auto& i : page->items) paged.push_back(i);
    if (!page->next_cursor) break;
    after = TimelinePosition::from_cursor(*page->next_cursor);
  }
  EXPECT_EQ(paged, everything->items);
  EXPECT_EQ(paged.size(), 15U);  // create + 7 entries + 7 tasks
}

}  // namespace
}  // namespace custos::incidents
