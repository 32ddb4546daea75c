#include "incidents/search.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace custos::incidents {
namespace {

using Words = std::vector<std::string>;

TEST(IncidentSearch, WordsAreLettersAndDigitsInLowerCase) {
  EXPECT_EQ(search_words("Ransomware on VPN-GW01.example.org!"),
            (Words{"ransomware", "on", "vpn", "gw01", "example", "org"}));
  EXPECT_EQ(search_words("invoice.zip 203.0.113.7 guest_wifi"),
            (Words{"invoice", "zip", "203", "0", "113", "7", "guest", "wifi"}));
  EXPECT_EQ(search_words("Zürich"), (Words{"z\xc3\xbcrich"}));
  EXPECT_TRUE(search_words(" * \"-\" ").empty());
}

TEST(IncidentSearch, QueriesKeepAtMostSixteenWords) {
  std::string text;
  for (int i = 0; i < 40; ++i) text += "w" + std::to_string(i) + " ";
  const auto words = search_words(text);
  ASSERT_EQ(words.size(), 16U);
  EXPECT_EQ(words.front(), "w0");
  EXPECT_EQ(words.back(), "w15");
}

TEST(IncidentSearch, DocumentTextHoldsEveryWordTheQuerySideSees) {
  // PostgreSQL's parser would index "vpn-gw01.example.org" as one host token, which the words
  // of a query never match; the document is therefore indexed as the query's words.
  EXPECT_EQ(search_document_text("Connecting through vpn-gw01.example.org takes minutes."),
            "connecting through vpn gw01 example org takes minutes");
  EXPECT_EQ(search_document_text("The invoice.zip\n\ncontained RANSOMWARE"),
            "the invoice zip contained ransomware");
  EXPECT_EQ(search_document_text(""), "");
  std::string many;
  for (int i = 0; i < 40; ++i) many += "w ";
  EXPECT_EQ(search_document_text(many).size(), 40U * 2 - 1) << "documents are not capped";
}

TEST(IncidentSearch, InternalWorklogIsSearchedOnlyForThoseWhoMayReadIt) {
  for (bool internal : {false, true}) {
    std::vector<store::Value> params;
    const auto pg = search_condition(store::Backend::postgres, "ransomware", internal, params);
    ASSERT_TRUE(pg.has_value());
    EXPECT_EQ(pg->find("public_document") != std::string::npos, !internal) << *pg;

    params.clear();
    const auto lite = search_condition(store::Backend::sqlite, "ransomware", internal, params);
    ASSERT_TRUE(lite.has_value());
    ASSERT_EQ(params.size(), 1U);
    const auto& query = std::get<std::string>(params[0]);
    // FTS5: a column filter keeps the internal column out.
    EXPECT_EQ(query.find("{title body}") != std::string::npos, !internal) << query;
  }
  std::vector<store::Value> params;
  EXPECT_FALSE(search_condition(store::Backend::postgres, "* -", false, params).has_value());
  EXPECT_TRUE(params.empty());
}

}  // namespace
}  // namespace custos::incidents
