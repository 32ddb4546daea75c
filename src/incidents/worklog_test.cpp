#include "incidents/worklog.hpp"

#include <gtest/gtest.h>

#include "incidents/work_test_support.hpp"

namespace custos::incidents {
namespace {

std::optional<WorkRefusal> refusal_of(const NewWorklogEntry& e, WorklogAuthor author) {
  try {
    resolve_new_entry(e, author);
  } catch (const WorkError& error) {
    return error.refusal;
  }
  return std::nullopt;
}

constexpr WorklogAuthor kWorker{true, false};
constexpr WorklogAuthor kReporter{false, true};
constexpr WorklogAuthor kOutsider{false, false};

TEST(WorklogRules, ReportersAddPublicNotesOnly) {
  auto e = resolve_new_entry({"It happened again\nat 10:00", {}, {}, {}}, kReporter);
  EXPECT_EQ(e.visibility, "public");
  EXPECT_EQ(e.kind, "note");
  EXPECT_EQ(refusal_of({"x", "internal", {}, {}}, kReporter), WorkRefusal::invalid);
  EXPECT_EQ(refusal_of({"x", {}, "workaround", {}}, kReporter), WorkRefusal::invalid);
  EXPECT_EQ(refusal_of({"x", {}, "communication", "users"}, kReporter), WorkRefusal::invalid);
  EXPECT_EQ(refusal_of({"x", {}, {}, {}}, kOutsider), WorkRefusal::forbidden);
}

TEST(WorklogRules, TheServiceDeskWritesInternalUnlessItSaysOtherwise) {
  EXPECT_EQ(resolve_new_entry({"x", {}, {}, {}}, kWorker).visibility, "internal");
  EXPECT_EQ(resolve_new_entry({"x", "public", "workaround", {}}, kWorker).visibility, "public");
  // A communication to the users is public by default, to the press it is not.
  EXPECT_EQ(resolve_new_entry({"x", {}, "communication", "users"}, kWorker).visibility, "public");
  EXPECT_EQ(resolve_new_entry({"x", {}, "communication", "press"}, kWorker).visibility, "internal");
}

TEST(WorklogRules, RejectsMalformedEntries) {
  EXPECT_EQ(refusal_of({"", {}, {}, {}}, kWorker), WorkRefusal::invalid);
  EXPECT_EQ(refusal_of({std::string(kMaxWorklogBody + 1, 'x'), {}, {}, {}}, kWorker),
            WorkRefusal::invalid);
  EXPECT_EQ(refusal_of({"bell\a", {}, {}, {}}, kWorker), WorkRefusal::invalid);
  EXPECT_EQ(refusal_of({"x", "secret", {}, {}}, kWorker), WorkRefusal::invalid);
  EXPECT_EQ(refusal_of({"x", {}, "gossip", {}}, kWorker), WorkRefusal::invalid);
  EXPECT_EQ(refusal_of({"x", {}, "communication", {}}, kWorker), WorkRefusal::invalid);
  EXPECT_EQ(refusal_of({"x", {}, "communication", "everyone"}, kWorker), WorkRefusal::invalid);
  EXPECT_EQ(refusal_of({"x", {}, "note", "users"}, kWorker), WorkRefusal::invalid);
  EXPECT_EQ(refusal_of({std::string(kMaxWorklogBody, 'x'), {}, {}, {}}, kWorker), std::nullopt);
}

using WorklogTest = testing::WorkTest;

TEST_F(WorklogTest, ReportersSeePublicEntriesOnly) {
  const auto incident = log(reporter_);
  auto& worklog = work_->worklog;
  ASSERT_TRUE(worklog.add(incident.id, {"The link pointed to evil.example", {}, {}, {}}, agent_));
  ASSERT_TRUE(worklog.add(incident.id, {"We blocked the domain", "public", {}, {}}, agent_));
  ASSERT_TRUE(worklog.add(incident.id, {"I clicked it, sorry", {}, {}, {}}, reporter_));

  const auto for_reporter = worklog.list(incident.id, {}, reporter_);
  ASSERT_TRUE(for_reporter);
  ASSERT_EQ(for_reporter->items.size(), 2U);
  EXPECT_EQ(for_reporter->items[0].body, "We blocked the domain");
  EXPECT_EQ(for_reporter->items[1].author, "rita");
  EXPECT_EQ(worklog.list(incident.id, {}, agent_)->items.size(), 3U);
  EXPECT_EQ(worklog.list(incident.id, {}, auditor_)->items.size(), 3U);
  // Someone who may not see the incident gets nothing, as if it did not exist.
  EXPECT_EQ(worklog.list(incident.id, {}, other_reporter_), std::nullopt);
  EXPECT_EQ(worklog.add(incident.id, {"hi", {}, {}, {}}, other_reporter_), std::nullopt);
  EXPECT_EQ(worklog.list(999999, {}, agent_), std::nullopt);
}

TEST_F(WorklogTest, PagesByIdAndFiltersByKind) {
  const auto incident = log(agent_);
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(work_->worklog.add(incident.id, {"note " + std::to_string(i), {}, {}, {}}, agent_));
  }
  ASSERT_TRUE(work_->worklog.add(incident.id, {"Status page updated", {}, "communication", "users"},
                                 agent_));
  WorklogQuery q;
  q.limit = 2;
  auto first = work_->worklog.list(incident.id, q, agent_);
  ASSERT_EQ(first->items.size(), 2U);
  ASSERT_TRUE(first->next_after_id);
  q.after_id = first->next_after_id;
  auto second = work_->worklog.list(incident.id, q, agent_);
  EXPECT_EQ(second->items.front().body, "note 2");
  WorklogQuery comms;
  comms.kind = "communication";
  auto c = work_->worklog.list(incident.id, comms, agent_);
  ASSERT_EQ(c->items.size(), 1U);
  EXPECT_EQ(c->items[0].audience, "users");
  EXPECT_EQ(c->items[0].visibility, "public");
}

TEST_F(WorklogTest, EntriesAreSearchableAndAudited) {
  const auto incident = log(agent_);
  ASSERT_TRUE(work_->worklog.add(incident.id, {"Indicator: quokkadomain", {}, {}, {}}, agent_));
  IncidentQuery q;
  q.text = "quokkadomain";
  EXPECT_EQ(incidents_->list(q, agent_).items.size(), 1U);
  db_->read([&](store::Connection& c) {
    auto row = c.query_one(
        "SELECT detail FROM audit_log WHERE action = 'incident.worklog_add' AND object_id = ?",
        {incident_key(incident.id)});
    ASSERT_TRUE(row);
    // The audit records the size and visibility, never the text.
    EXPECT_EQ(row->str(0).find("quokkadomain"), std::string::npos);
    EXPECT_NE(row->str(0).find("\"visibility\":\"internal\""), std::string::npos);
  });
}

TEST_F(WorklogTest, ClosedIncidentsTakeNoNewEntries) {
  const auto incident = log(agent_);
  TransitionInput cancel;
  cancel.to = Status::cancelled;
  cancel.cancel_reason = CancelReason::false_positive;
  ASSERT_TRUE(incidents_->transition(incident.id, cancel, agent_));
  try {
    work_->worklog.add(incident.id, {"late", {}, {}, {}}, agent_);
    FAIL() << "expected a conflict";
  } catch (const WorkError& e) {
    EXPECT_EQ(e.refusal, WorkRefusal::conflict);
  }
}

}  // namespace
}  // namespace custos::incidents
