#include "detection/regex.hpp"

#include <gtest/gtest.h>

#include <chrono>

#include "detection/tags.hpp"

namespace custos::detection {
namespace {

TEST(DetectionRegex, PythonSyntaxTranslated) {
  EXPECT_EQ(translate_python_regex(R"(a\Z)"), R"(a\z)");
  EXPECT_EQ(translate_python_regex("x{,3}"), "x{0,3}");
  EXPECT_EQ(translate_python_regex("(?iu)abc"), "(?i)abc");
  EXPECT_EQ(translate_python_regex("((?i)abc)"), "(?i:abc)");
  EXPECT_EQ(translate_python_regex(R"([\Z])"), R"([\Z])");  // inside a class: unchanged
  EXPECT_EQ(translate_python_regex(R"(\u00e9)"), R"(\xc3\xa9)");
}

TEST(DetectionRegex, NamedGroupsConditionalsAndPythonDollar) {
  MatchScratch scratch;
  std::vector<Span> spans;
  const Regex r(translate_python_regex(
      R"(^Failed (?P<inv>invalid user )?(?P<user>\S+)(?(inv) from| by) (?P<ip>\S+)$)"));
  const std::string line = "Failed invalid user root from 1.2.3.4\n";  // $ before the final \n
  ASSERT_TRUE(r.search(line, scratch, spans));
  EXPECT_EQ(spans[static_cast<std::size_t>(*r.group("user"))].in(line), "root");
  EXPECT_EQ(spans[static_cast<std::size_t>(*r.group("ip"))].in(line), "1.2.3.4");
  EXPECT_FALSE(r.matches("Failed invalid user root by 1.2.3.4\n", scratch));
  EXPECT_TRUE(r.matches("Failed root by 1.2.3.4\n", scratch));
}

TEST(DetectionRegex, CompileErrorsAreReported) { EXPECT_THROW(Regex("(unclosed"), RegexError); }

TEST(DetectionRegex, CatastrophicBacktrackingIsBounded) {
  MatchScratch scratch;
  const Regex evil("^(a+)+$");
  const std::string line = std::string(5000, 'a') + "!";
  const auto started = std::chrono::steady_clock::now();
  EXPECT_FALSE(evil.matches(line, scratch));
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(2));
}

TEST(DetectionRegex, FirstByteScreenFollowsPcre2) {
  const Regex r("^Failed \\S+");
  ASSERT_TRUE(r.anchored());
  EXPECT_TRUE(r.may_start_with('F'));
  EXPECT_FALSE(r.may_start_with('X'));
  const Regex unanchored("Failed");
  EXPECT_FALSE(unanchored.anchored());
}

TEST(DetectionRegex, NecessaryPrefixStopsBeforeLookaroundsAndReferences) {
  EXPECT_EQ(necessary_prefix("^Failed (?P<user>\\S+) from (?<=x)y"), "^Failed (?:\\S+) from ");
  EXPECT_EQ(necessary_prefix("^a|b(?=c)"), "^a|b(?=c)");  // top-level alternation: whole
  EXPECT_EQ(necessary_prefix("^(?P<x>a)(?P=x)"), "^(?:a)");
}

TEST(DetectionTags, HostAndCustomTags) {
  const std::string r = expand_tags("^user <F-USER>\\S+</F-USER> from <HOST> id <F-ID/>", true);
  EXPECT_NE(r.find("(?P<user>\\S+)"), std::string::npos);
  EXPECT_NE(r.find("(?P<ip4>"), std::string::npos);
  EXPECT_NE(r.find("(?P<ip6>"), std::string::npos);
  EXPECT_NE(r.find("(?P<dns>"), std::string::npos);
  EXPECT_NE(r.find("(?P<fid>\\S+)"), std::string::npos);
  // usedns = no: addresses only.
  EXPECT_EQ(expand_tags("<HOST>", false).find("(?P<dns>"), std::string::npos);
  // Unknown tags and unopened closing tags stay as they are.
  EXPECT_EQ(expand_tags("<foo></F-BAR>", true), "<foo></F-BAR>");
}

}  // namespace
}  // namespace custos::detection
