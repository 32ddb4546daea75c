#include "evidence/custody.hpp"

#include <gtest/gtest.h>

namespace custos::evidence {
namespace {

constexpr std::int64_t kNow = 1'800'000'000'000;

CustodyInput input(CustodyAction a) {
  CustodyInput in;
  in.action = a;
  return in;
}

TEST(EvidenceCustody, NamesRoundTrip) {
  for (auto a : kCustodyActions) EXPECT_EQ(parse_action(action_name(a)), a);
  EXPECT_EQ(parse_action("deleted"), std::nullopt);
}

TEST(EvidenceCustody, SystemActionsAreNotRecordedByHand) {
  const CustodyState state{"alice", false, false};
  for (auto a : {CustodyAction::collected, CustodyAction::downloaded, CustodyAction::exported}) {
    auto r = check_custody(input(a), state, kNow);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->field, "action");
  }
}

TEST(EvidenceCustody, TransferComesFromTheHolder) {
  const CustodyState state{"alice", false, false};
  auto in = input(CustodyAction::transferred);
  in.from = "bob";
  in.to = "carol";
  auto r = check_custody(in, state, kNow);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 409);
  EXPECT_EQ(r->field, "from");
  in.from = "alice";
  EXPECT_EQ(check_custody(in, state, kNow), std::nullopt);
  EXPECT_EQ(custodian_after(in, state, "alice"), "carol");
  in.to.reset();
  EXPECT_EQ(check_custody(in, state, kNow)->field, "to");
  in.to = "alice";
  EXPECT_EQ(check_custody(in, state, kNow)->field, "to");
}

TEST(EvidenceCustody, LegalHoldBlocksDisposal) {
  auto in = input(CustodyAction::disposed);
  in.purpose = "case closed, image wiped";
  auto r = check_custody(in, {"alice", false, true}, kNow);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 409);
  EXPECT_NE(r->message.find("legal hold"), std::string::npos);
  EXPECT_EQ(check_custody(in, {"alice", false, false}, kNow), std::nullopt);
  in.purpose.clear();
  EXPECT_EQ(check_custody(in, {"alice", false, false}, kNow)->field, "purpose");
}

TEST(EvidenceCustody, NothingAfterDisposalAndNothingAheadOfTime) {
  auto in = input(CustodyAction::received);
  EXPECT_EQ(check_custody(in, {"alice", true, false}, kNow)->status, 409);
  in.at = kNow + 3'600'000;
  EXPECT_EQ(check_custody(in, {"alice", false, false}, kNow)->field, "at");
  in.at = kNow - 3'600'000;
  EXPECT_EQ(check_custody(in, {"alice", false, false}, kNow), std::nullopt);
  EXPECT_EQ(custodian_after(in, {"alice", false, false}, "bob"), "bob");
}

TEST(EvidenceCustody, AccessNeedsAPurpose) {
  EXPECT_EQ(check_custody(input(CustodyAction::analysed), {"a", false, false}, kNow)->field,
            "purpose");
}

}  // namespace
}  // namespace custos::evidence
