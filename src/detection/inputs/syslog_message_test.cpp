#include "detection/inputs/syslog_message.hpp"

#include <gtest/gtest.h>

namespace custos::detection {
namespace {

TEST(SyslogMessage, Rfc3164KeepsTheFileLineWithoutPriority) {
  SyslogLine l;
  ASSERT_TRUE(parse_syslog(
      "<38>Nov 23 04:00:01 gate sshd[812]: Failed password for root from 192.0.2.1 port 22 ssh2\n",
      l));
  EXPECT_EQ(l.text,
            "Nov 23 04:00:01 gate sshd[812]: Failed password for root from 192.0.2.1 port 22 ssh2");
  EXPECT_FALSE(l.time);
}

TEST(SyslogMessage, Rfc5424BecomesHostTagMessageWithItsTime) {
  SyslogLine l;
  ASSERT_TRUE(parse_syslog(
      "<38>1 2026-11-23T04:00:01.250Z gate sshd 812 - [origin ip=\"10.0.0.1\" x=\"a\\]b\"] "
      "Failed password for root from 192.0.2.1 port 22 ssh2",
      l));
  EXPECT_EQ(l.text, "gate sshd[812]: Failed password for root from 192.0.2.1 port 22 ssh2");
  ASSERT_TRUE(l.time);
  EXPECT_DOUBLE_EQ(*l.time, 1795406401.25);
  ASSERT_TRUE(parse_syslog("<13>1 - - - - - - \xEF\xBB\xBFhello", l));
  EXPECT_EQ(l.text, "hello");
  EXPECT_FALSE(l.time);
}

TEST(SyslogMessage, GarbageIsKeptAsTextAndEmptyIsNothing) {
  SyslogLine l;
  EXPECT_FALSE(parse_syslog("<13>", l));
  EXPECT_FALSE(parse_syslog("\r\n", l));
  ASSERT_TRUE(parse_syslog("<999999>x", l));
  EXPECT_EQ(l.text, "<999999>x");
  ASSERT_TRUE(parse_syslog("<13>1 2026-11-23T04:00:01Z host app - - [unterminated", l));
  EXPECT_EQ(l.text, "1 2026-11-23T04:00:01Z host app - - [unterminated");
  ASSERT_TRUE(parse_syslog(std::string_view("\xff\xfe\0abc", 6), l));
}

}  // namespace
}  // namespace custos::detection
