#include "incidents/review.hpp"

#include <gtest/gtest.h>

#include "incidents/work_test_support.hpp"

namespace custos::incidents {
namespace {

class ReviewTest : public testing::WorkTest {
 protected:
  // Takes an incident to 'resolved', the last stop before closure.
  Incident resolved(bool p1) {
    auto incident = log(agent_, p1);
    IncidentFields assign;
    assign.assignee = std::optional<std::string>("alice");
    incident = *incidents_->update(incident.id, incident.version, assign, agent_);
    TransitionInput start;
    start.to = Status::in_progress;
    incidents_->transition(incident.id, start, agent_);
    TransitionInput resolve;
    resolve.to = Status::resolved;
    resolve.resolution_code = ResolutionCode::contained_and_eradicated;
    resolve.resolution_notes = "Mail purged from all mailboxes; sender blocked.";
    return *incidents_->transition(incident.id, resolve, agent_);
  }
  // The closure attempt: nullopt when it closed, else why not.
  std::optional<std::string> close(const Incident& incident) {
    TransitionInput input;
    input.to = Status::closed;
    try {
      auto closed = incidents_->transition(incident.id, input, manager_);
      EXPECT_TRUE(closed && closed->status == Status::closed);
      return std::nullopt;
    } catch (const TransitionRefused& e) {
      return e.verdict.problem;
    }
  }
  static LessonsLearned lessons() {
    return {"A phishing mail reached 40 people.\nThree clicked.",
            "The mail gateway did not check the sender domain's DMARC policy.",
            "Quick purge.",
            "Enforce DMARC; train finance.",
            std::nullopt,
            0};
  }
  std::optional<WorkRefusal> refusal(const std::function<void()>& f) {
    try {
      f();
    } catch (const WorkError& e) {
      return e.refusal;
    }
    return std::nullopt;
  }
};

TEST_F(ReviewTest, ClosingAP1NeedsLessonsLearnedAndAnAction) {
  const auto incident = resolved(true);
  ASSERT_EQ(incident.priority, 1);
  auto blocked = close(incident);
  ASSERT_TRUE(blocked);
  EXPECT_NE(blocked->find("lessons-learned"), std::string::npos);

  auto& review = work_->review;
  auto state = review.put_lessons(incident.id, lessons(), std::nullopt, agent_);
  ASSERT_TRUE(state);
  EXPECT_TRUE(state->required);
  ASSERT_TRUE(state->closure_blocker);
  EXPECT_NE(state->closure_blocker->find("improvement action"), std::string::npos);
  EXPECT_TRUE(close(incident));  // still no improvement action

  ASSERT_TRUE(
      review.add_action(incident.id, {"Enforce DMARC on the gateway", "maria", {}}, agent_));
  EXPECT_FALSE(review.state(incident.id, agent_)->closure_blocker);
  EXPECT_EQ(close(incident), std::nullopt);

  // Improvement actions go on after closure.
  auto actions = review.actions(incident.id, agent_);
  ASSERT_EQ(actions->size(), 1U);
  auto done = review.set_action_status(incident.id, actions->front().id, "done", agent_);
  EXPECT_EQ(done->status, "done");
}

TEST_F(ReviewTest, AWaiverByTheIncidentManagerAlsoAllowsClosure) {
  const auto incident = resolved(true);
  auto& review = work_->review;
  ASSERT_TRUE(review.waive(incident.id, "Duplicate of the review held for INC-000001", manager_));
  auto state = review.state(incident.id, auditor_);
  ASSERT_TRUE(state->waiver);
  EXPECT_EQ(state->waiver->by, "maria");
  EXPECT_EQ(state->waiver->reason, "Duplicate of the review held for INC-000001");
  EXPECT_FALSE(state->closure_blocker);
  EXPECT_EQ(refusal([&] { review.waive(incident.id, "again", manager_); }), WorkRefusal::conflict);
  EXPECT_EQ(close(incident), std::nullopt);
}

TEST_F(ReviewTest, LowPriorityIncidentsCloseWithoutReview) {
  const auto incident = resolved(false);
  EXPECT_FALSE(work_->review.state(incident.id, agent_)->required);
  EXPECT_EQ(close(incident), std::nullopt);
}

TEST_F(ReviewTest, LessonsLearnedAreValidatedAndVersioned) {
  const auto incident = log(agent_, true);
  auto& review = work_->review;
  auto missing = lessons();
  missing.root_cause.clear();
  EXPECT_EQ(refusal([&] { review.put_lessons(incident.id, missing, std::nullopt, agent_); }),
            WorkRefusal::invalid);
  auto oversize = lessons();
  oversize.went_well = std::string(kMaxLessonsField + 1, 'x');
  EXPECT_EQ(refusal([&] { review.put_lessons(incident.id, oversize, std::nullopt, agent_); }),
            WorkRefusal::invalid);

  const auto first = review.put_lessons(incident.id, lessons(), std::nullopt, agent_);
  const auto version = first->lessons->updated_at;
  // Replacing needs the version read; an old or missing one is refused.
  EXPECT_EQ(refusal([&] { review.put_lessons(incident.id, lessons(), std::nullopt, agent_); }),
            WorkRefusal::stale);
  EXPECT_EQ(refusal([&] { review.put_lessons(incident.id, lessons(), version - 1, agent_); }),
            WorkRefusal::stale);
  auto changed = lessons();
  changed.to_improve = "Enforce DMARC.";
  const auto second = review.put_lessons(incident.id, changed, version, agent_);
  EXPECT_GT(second->lessons->updated_at, version);
  EXPECT_EQ(second->lessons->to_improve, "Enforce DMARC.");
}

TEST_F(ReviewTest, TheReviewIsInternal) {
  const auto incident = log(reporter_, false);
  auto& review = work_->review;
  EXPECT_EQ(refusal([&] { review.state(incident.id, reporter_); }), WorkRefusal::forbidden);
  EXPECT_EQ(refusal([&] { review.put_lessons(incident.id, lessons(), std::nullopt, auditor_); }),
            WorkRefusal::forbidden);
  EXPECT_EQ(review.state(incident.id, other_reporter_), std::nullopt);
  EXPECT_EQ(refusal([&] {
              review.add_action(incident.id, {"x", "nobody", {}}, agent_);
            }),
            WorkRefusal::invalid);
  EXPECT_EQ(refusal([&] { review.set_action_status(incident.id, 12345, "done", agent_); }),
            WorkRefusal::not_found);
  EXPECT_EQ(refusal([&] { review.set_action_status(incident.id, 1, "finished", agent_); }),
            WorkRefusal::invalid);
}

}  // namespace
}  // namespace custos::incidents
