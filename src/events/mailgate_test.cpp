#include "events/mailgate.hpp"

#include <gtest/gtest.h>

namespace custos::events {

TEST(EventsMailgate, FindsTheKeyInASubject) {
  EXPECT_EQ(key_in_subject("Re: [EVT-000012] Phishing").event_id, 12);
  EXPECT_EQ(key_in_subject("AW: INC-000034: still down").incident_id, 34);
  EXPECT_FALSE(key_in_subject("Re: XEVT-000012").event_id);  // part of another word
  EXPECT_FALSE(key_in_subject("EVT- and INC-").event_id);
  EXPECT_FALSE(key_in_subject("nothing here").incident_id);
  // The first key wins.
  const auto both = key_in_subject("INC-000002 merged from EVT-000005");
  EXPECT_EQ(both.incident_id, 2);
  EXPECT_FALSE(both.event_id);
}

TEST(EventsMailgate, TitlesLoseReplyPrefixesAndKeys) {
  EXPECT_EQ(title_from_subject("Re: Fwd: [EVT-000012] Suspicious mail", "a@b"), "Suspicious mail");
  EXPECT_EQ(title_from_subject("  ", "a@example.org"), "E-mail from a@example.org");
  EXPECT_EQ(title_from_subject("tab\there", "a@b"), "tab here");
  const auto long_title = title_from_subject(std::string(300, 'x'), "a@b");
  EXPECT_LE(long_title.size(), kMaxTitle);
}

TEST(EventsMailgate, StorableTextDropsControlsAndIsBounded) {
  EXPECT_EQ(storable_text("a\x01\x1b[31mb\r\nc\n\n", 100), "a[31mb\nc");
  const auto cut = storable_text(std::string(50, 'x') + "ü", 51);
  EXPECT_LE(cut.size(), 51U);
  EXPECT_NE(cut.find("[…]"), std::string::npos);
}

}  // namespace custos::events
