#include "incidents/status.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace custos::incidents {
namespace {

TEST(IncidentStatus, NamesRoundTripAndAreUnique) {
  std::set<std::string_view> seen;
  for (Status s : kAllStatuses) {
    EXPECT_EQ(parse_status(status_name(s)), s);
    EXPECT_TRUE(seen.insert(status_name(s)).second) << status_name(s);
  }
  EXPECT_EQ(status_name(Status::new_), "new");
  EXPECT_EQ(status_name(Status::in_progress), "in_progress");
  EXPECT_EQ(seen.size(), 8U);
}

TEST(IncidentStatus, RejectsUnknownSpellings) {
  for (const char* bad : {"", "New", "new_", "in-progress", "closed ", "unknown", "open"}) {
    EXPECT_FALSE(parse_status(bad).has_value()) << bad;
  }
}

TEST(IncidentStatus, OpenAndTerminal) {
  EXPECT_TRUE(is_open(Status::new_));
  EXPECT_TRUE(is_open(Status::assigned));
  EXPECT_TRUE(is_open(Status::in_progress));
  EXPECT_TRUE(is_open(Status::pending));
  EXPECT_TRUE(is_open(Status::reopened));
  EXPECT_FALSE(is_open(Status::resolved));
  EXPECT_FALSE(is_open(Status::closed));
  EXPECT_FALSE(is_open(Status::cancelled));

  EXPECT_TRUE(is_terminal(Status::closed));
  EXPECT_TRUE(is_terminal(Status::cancelled));
  EXPECT_FALSE(is_terminal(Status::resolved));  // it can still be reopened
  EXPECT_FALSE(is_terminal(Status::new_));

  EXPECT_TRUE(pauses_sla(Status::pending));
  EXPECT_FALSE(pauses_sla(Status::in_progress));
}

TEST(IncidentStatus, ReasonAndResolutionCodesRoundTrip) {
  for (PendingReason r : kAllPendingReasons) {
    EXPECT_EQ(parse_pending_reason(pending_reason_name(r)), r);
  }
  for (CancelReason r : kAllCancelReasons) {
    EXPECT_EQ(parse_cancel_reason(cancel_reason_name(r)), r);
  }
  for (ResolutionCode c : kAllResolutionCodes) {
    EXPECT_EQ(parse_resolution_code(resolution_code_name(c)), c);
  }
  EXPECT_EQ(pending_reason_name(PendingReason::awaiting_reporter), "awaiting_reporter");
  EXPECT_EQ(cancel_reason_name(CancelReason::not_an_incident), "not_an_incident");
  EXPECT_EQ(resolution_code_name(ResolutionCode::contained_and_eradicated),
            "contained_and_eradicated");
  EXPECT_FALSE(parse_pending_reason("third party").has_value());
  EXPECT_FALSE(parse_cancel_reason("").has_value());
  EXPECT_FALSE(parse_resolution_code("FIXED").has_value());
}

}  // namespace
}  // namespace custos::incidents
