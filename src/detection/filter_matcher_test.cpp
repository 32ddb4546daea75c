#include "detection/filter_matcher.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "detection/line_reader.hpp"

namespace custos::detection {
namespace {

namespace fs = std::filesystem;

// A filter written to a temporary file; times in UTC.
class DetectionMatcher : public ::testing::Test {
 protected:
  void SetUp() override {
    setenv("TZ", "UTC", 1);
    tzset();
    dir_ = fs::temp_directory_path() /
           ("custos-matcher-" +
            std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
    fs::create_directories(dir_);
    now_.epoch = 1'700'000'000;  // 2023-11-14T22:13:20Z
    now_.local = CivilTime{2023, 11, 14, 22, 13, 20};
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::unique_ptr<FilterMatcher> matcher(const std::string& definition) {
    const fs::path p = dir_ / "f.conf";
    std::ofstream(p) << definition;
    filter_ = std::make_shared<CompiledFilter>(load_filter(p));
    return std::make_unique<FilterMatcher>(filter_, now_);
  }

  fs::path dir_;
  ReferenceTime now_;
  std::shared_ptr<CompiledFilter> filter_;
};

TEST_F(DetectionMatcher, DateCutOutHostUserAndYearlessDate) {
  auto m = matcher(
      "[Definition]\nfailregex = ^\\s*\\S+ sshd\\[\\d+\\]: Failed password for "
      "<F-USER>\\S+</F-USER> "
      "from <HOST> port \\d+\n");
  LineResult r;
  m->process("Nov 14 10:00:01 srv sshd[12]: Failed password for root from 192.0.2.7 port 22", r);
  ASSERT_EQ(r.failures.size(), 1U);
  EXPECT_EQ(r.failures[0].id, "192.0.2.7");
  ASSERT_TRUE(r.failures[0].time);
  EXPECT_EQ(*r.failures[0].time, 1'699'956'001.0);  // 2023-11-14T10:00:01Z
  ASSERT_EQ(r.failures[0].fields.size(), 1U);
  EXPECT_EQ(r.failures[0].fields[0], (std::pair<std::string, std::string>{"user", "root"}));
  // A date more than a day after "now" belongs to the previous year.
  m->process("Dec 24 10:00:01 srv sshd[12]: Failed password for root from 192.0.2.7 port 22", r);
  ASSERT_EQ(r.failures.size(), 1U);
  EXPECT_EQ(*r.failures[0].time, 1'671'876'001.0);  // 2022-12-24T10:00:01Z
  m->process("Nov 14 10:00:02 srv sshd[12]: Accepted password for root from 192.0.2.7", r);
  EXPECT_TRUE(r.failures.empty());
  EXPECT_EQ(r.kind, LineResult::Kind::kMissed);
}

TEST_F(DetectionMatcher, IgnoreregexAndFid) {
  auto m = matcher(
      "[Definition]\nfailregex = ^\\s*bad key <F-ID>\\w+</F-ID> from <HOST>$\n"
      "ignoreregex = from 10\\.\n");
  LineResult r;
  m->process("2023-11-14 10:00:00 bad key abc123 from 192.0.2.1", r);
  ASSERT_EQ(r.failures.size(), 1U);
  EXPECT_EQ(r.failures[0].id, "abc123");  // <F-ID> is the failure id when it differs
  m->process("2023-11-14 10:00:00 bad key abc123 from 10.0.0.1", r);
  EXPECT_TRUE(r.failures.empty());
  EXPECT_EQ(r.kind, LineResult::Kind::kIgnored);
}

TEST_F(DetectionMatcher, MultiLineFailureIdCarriesTheAddress) {
  // A connection's address is logged on one line, the failure on a later one.
  auto m = matcher(
      "[Definition]\nprefregex = ^\\s*<F-MLFID>conn\\d+</F-MLFID>: <F-CONTENT>.+</F-CONTENT>$\n"
      "failregex = ^<F-NOFAIL>connect from</F-NOFAIL> <HOST>$\n"
      "            ^too many failures$\n");
  LineResult r;
  m->process("2023-11-14 10:00:00 conn7: connect from 192.0.2.9", r);
  EXPECT_TRUE(r.failures.empty());  // no failure yet, only the address
  m->process("2023-11-14 10:00:05 conn7: too many failures", r);
  ASSERT_EQ(r.failures.size(), 1U);
  EXPECT_EQ(r.failures[0].id, "192.0.2.9");
  m->process("2023-11-14 10:00:05 conn8: too many failures", r);
  EXPECT_TRUE(r.failures.empty());  // another connection: address unknown
}

TEST_F(DetectionMatcher, BadInputNeitherCrashesNorStalls) {
  auto m =
      matcher("[Definition]\nfailregex = ^(?:a+)+ from <HOST>$\n            failed from <HOST>\n");
  LineResult r;
  std::string garbage;
  for (int i = 0; i < 4096; ++i) garbage += static_cast<char>((i * 131 + 7) % 256);
  m->process(garbage, r);
  m->process(std::string(1 << 20, 'a') + "!", r);  // 1 MB line that backtracks
  m->process("\xff\xfe invalid utf-8 \xc3\x28 failed from 192.0.2.3", r);
  ASSERT_EQ(r.failures.size(), 1U);
  EXPECT_EQ(r.failures[0].id, "192.0.2.3");
}

TEST_F(DetectionMatcher, LineReaderSplitsEndingsAndOverlongLines) {
  const fs::path p = dir_ / "log";
  std::ofstream(p, std::ios::binary) << "one\r\ntwo\n" << std::string(100, 'x') << "\nlast";
  LineReader reader(p, 64);
  std::vector<std::string> lines;
  std::string_view line;
  while (reader.next(line)) lines.emplace_back(line);
  ASSERT_EQ(lines.size(), 5U);
  EXPECT_EQ(lines[0], "one");
  EXPECT_EQ(lines[1], "two");
  EXPECT_EQ(lines[2].size(), 64U);
  EXPECT_EQ(lines[3].size(), 36U);
  EXPECT_EQ(lines[4], "last");
  EXPECT_EQ(reader.split_lines(), 1U);
  EXPECT_THROW(LineReader(dir_ / "nope"), std::runtime_error);
}

}  // namespace
}  // namespace custos::detection
