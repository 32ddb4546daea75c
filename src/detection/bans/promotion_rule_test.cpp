#include "detection/bans/promotion_rule.hpp"

#include <gtest/gtest.h>

#include "detection/bans/webhook_action.hpp"

namespace custos::detection {
namespace {

TEST(PromotionRule, ByCountWithinTheWindowOrAtOnceForACriticalAsset) {
  JailConfig jail;
  jail.name = "sshd";
  EXPECT_FALSE(promotion_for(jail, 100)) << "no rule: events stay events";
  jail.promote_after = 3;
  EXPECT_FALSE(promotion_for(jail, 2));
  const auto p = promotion_for(jail, 3);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->reason, "Rule of jail sshd: 3 bans of this address within 1 h (promote_after = 3).");
  EXPECT_EQ(p->category, "intrusion-attempt");
  EXPECT_EQ(p->subcategory, "brute-force");
  EXPECT_EQ(p->impact, "moderate");
  EXPECT_EQ(p->urgency, "high");

  jail.promote_after = 0;
  jail.critical = true;
  jail.incident_subcategory.clear();
  jail.incident_urgency = "critical";
  const auto critical = promotion_for(jail, 1);
  ASSERT_TRUE(critical);
  EXPECT_EQ(critical->reason,
            "Jail sshd guards a critical asset: every ban it makes is promoted to an incident.");
  EXPECT_FALSE(critical->subcategory);
  EXPECT_EQ(critical->urgency, "critical");
}

TEST(WebhookAction, BodyNamesTheBanAndItsEvent) {
  BanTarget t;
  t.jail = "sshd";
  t.address = *IpAddress::parse("2001:db8::66");
  t.ban_id = 7;
  t.banned_at = 1'700'000'000'000;
  t.expires_at = 1'700'007'200'000;
  t.ban_number = 2;
  t.failures = 5;
  t.user = std::string("r\xffoot");  // from a log line: not UTF-8
  t.event = "EVT-000012";
  const auto ban = WebhookAction::body(t, "ban");
  EXPECT_EQ(ban["type"], "ban");
  EXPECT_EQ(ban["jail"], "sshd");
  EXPECT_EQ(ban["address"], "2001:db8::66");
  EXPECT_EQ(ban["family"], 6);
  EXPECT_EQ(ban["bantime"], 7200);
  EXPECT_EQ(ban["expires_at"], "2023-11-15T00:13:20.000Z");
  EXPECT_EQ(ban["ban_number"], 2);
  EXPECT_EQ(ban["event"], "EVT-000012");
  EXPECT_EQ(ban["ban_id"], 7);
  EXPECT_FALSE(ban.contains("lifted"));
  // Whatever bytes the user name holds, the body is valid JSON.
  EXPECT_NO_THROW((void)ban.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
  EXPECT_EQ(WebhookAction::body(t, "lift", true)["lifted"], "expiry");
  EXPECT_EQ(WebhookAction::body(t, "lift", false)["lifted"], "administrator");
}

}  // namespace
}  // namespace custos::detection
