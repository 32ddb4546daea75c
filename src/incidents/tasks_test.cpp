#include "incidents/tasks.hpp"

#include <gtest/gtest.h>

#include "incidents/work_test_support.hpp"

namespace custos::incidents {
namespace {

using TasksTest = testing::WorkTest;

std::optional<WorkRefusal> refusal(const std::function<void()>& f) {
  try {
    f();
  } catch (const WorkError& e) {
    return e.refusal;
  }
  return std::nullopt;
}

TEST_F(TasksTest, CreateAndChangeWithVersions) {
  const auto incident = log(reporter_);
  auto& tasks = work_->tasks;
  TaskFields f;
  f.title = "Reset the passwords of the three users who clicked";
  f.assignee = std::optional<std::string>("alice");
  f.due_at = std::optional<std::int64_t>(1'900'000'000'000);
  auto task = tasks.create(incident.id, f, agent_);
  ASSERT_TRUE(task);
  EXPECT_EQ(task->status, "open");
  EXPECT_EQ(task->assignee, "alice");
  EXPECT_EQ(task->version, 1);

  TaskFields change;
  change.status = "done";
  change.assignee = std::optional<std::string>{};  // unassign
  auto done = tasks.update(incident.id, task->id, 1, change, manager_);
  ASSERT_TRUE(done);
  EXPECT_EQ(done->status, "done");
  EXPECT_EQ(done->assignee, std::nullopt);
  EXPECT_EQ(done->due_at, task->due_at);  // untouched
  EXPECT_EQ(done->version, 2);
  // A change based on version 1 is stale now.
  EXPECT_EQ(refusal([&] { tasks.update(incident.id, task->id, 1, change, agent_); }),
            WorkRefusal::stale);
  EXPECT_EQ(tasks.list(incident.id, auditor_)->size(), 1U);
}

TEST_F(TasksTest, RefusesWhatTheRulesForbid) {
  const auto incident = log(reporter_);
  auto& tasks = work_->tasks;
  TaskFields f;
  f.title = "Check the proxy logs";
  // The assignee must work incidents.
  f.assignee = std::optional<std::string>("rita");
  EXPECT_EQ(refusal([&] { tasks.create(incident.id, f, agent_); }), WorkRefusal::invalid);
  f.assignee.reset();
  f.status = "later";
  EXPECT_EQ(refusal([&] { tasks.create(incident.id, f, agent_); }), WorkRefusal::invalid);
  f.status.reset();
  // Reporters neither add nor read tasks; outsiders do not even see the incident.
  EXPECT_EQ(refusal([&] { tasks.create(incident.id, f, reporter_); }), WorkRefusal::forbidden);
  EXPECT_EQ(refusal([&] { tasks.list(incident.id, reporter_); }), WorkRefusal::forbidden);
  EXPECT_EQ(tasks.list(incident.id, other_reporter_), std::nullopt);
  EXPECT_EQ(refusal([&] { tasks.update(incident.id, 4242, 1, f, agent_); }),
            WorkRefusal::not_found);
  TaskFields empty_title;
  empty_title.title = "";
  EXPECT_EQ(refusal([&] { tasks.create(incident.id, empty_title, agent_); }), WorkRefusal::invalid);
}

TEST_F(TasksTest, ATaskOfAnotherIncidentIsNotFound) {
  const auto a = log(agent_);
  const auto b = log(agent_);
  TaskFields f;
  f.title = "Isolate the laptop";
  auto task = work_->tasks.create(a.id, f, agent_);
  EXPECT_EQ(refusal([&] { work_->tasks.update(b.id, task->id, 1, f, agent_); }),
            WorkRefusal::not_found);
}

}  // namespace
}  // namespace custos::incidents
