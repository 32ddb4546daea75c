#include "detection/jails/jail_config.hpp"

#include <gtest/gtest.h>

#include "detection/jails/jail_config_toml.hpp"

namespace custos::detection {
namespace {

DetectionConfig parse(std::string_view text) {
  auto table = toml::parse(text);
  return parse_detection_config(*table["detection"].as_table());
}

constexpr std::string_view kGood = R"(
[detection]
dry_run = true
[[detection.sources]]
name = "syslog"
type = "syslog-udp"
listen = "127.0.0.1:5514"
[[detection.actions]]
name = "notify"
type = "command"
ban = ["/usr/bin/logger", "ban", "{ip}", "{jail}", "{bantime}"]
unban = ["/usr/bin/logger", "unban", "{ip}"]
[[detection.jails]]
name = "sshd"
filter = "/etc/fail2ban/filter.d/sshd.conf"
filter_options = { mode = "aggressive" }
sources = ["syslog"]
maxretry = 3
findtime = "10m"
bantime = "1h"
bantime_factor = 2
bantime_max = "1w"
ignoreip = ["127.0.0.1/8", "::1", "2001:db8::/32"]
actions = ["nftables", "notify"]
)";

// The message for the first problem of `text` with one line replaced.
std::string error_of(std::string_view from, std::string_view to) {
  std::string text(kGood);
  const auto at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  text.replace(at, from.size(), to);
  try {
    validate(parse(text));
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "";
}

TEST(JailConfig, ReadsEveryOption) {
  const auto config = parse(kGood);
  validate(config);
  ASSERT_EQ(config.jails.size(), 1U);
  const auto& j = config.jails[0];
  EXPECT_EQ(j.name, "sshd");
  EXPECT_EQ(j.filter, "/etc/fail2ban/filter.d/sshd.conf");
  ASSERT_EQ(j.filter_options.size(), 1U);
  EXPECT_EQ(j.filter_options[0].second, "aggressive");
  EXPECT_EQ(j.maxretry, 3);
  EXPECT_EQ(j.findtime, 600);
  EXPECT_EQ(j.bantime, 3600);
  EXPECT_EQ(j.bantime_factor, 2.0);
  EXPECT_EQ(j.bantime_max, 7 * 86400);
  EXPECT_EQ(j.ignoreip.size(), 3U);
  EXPECT_EQ(j.actions, (std::vector<std::string>{"nftables", "notify"}));
  ASSERT_EQ(config.commands.size(), 1U);
  EXPECT_EQ(config.commands[0].ban.size(), 5U);
  ASSERT_EQ(config.sources.size(), 1U);
  EXPECT_EQ(config.sources[0].listen, "127.0.0.1:5514");
}

TEST(JailConfig, ErrorsNameTheJailAndTheOption) {
  EXPECT_EQ(error_of("maxretry = 3", "maxretry = 0"),
            "detection.jails[sshd].maxretry: must be between 1 and 10000 (is 0)");
  EXPECT_EQ(error_of("findtime = \"10m\"", "findtime = \"ten minutes\""),
            "detection.jails[sshd].findtime: 'ten minutes' is not a duration (600, 10m, 1h, 1d, "
            "1w)");
  EXPECT_EQ(error_of("\"::1\",", "\"::1/200\","),
            "detection.jails[sshd].ignoreip: '::1/200' is not an address or CIDR range");
  EXPECT_EQ(error_of("sources = [\"syslog\"]", "sources = [\"journal\"]"),
            "detection.jails[sshd].sources: 'journal' is not a detection source");
  EXPECT_EQ(error_of("actions = [\"nftables\", \"notify\"]", "actions = [\"iptables\"]"),
            "detection.jails[sshd].actions: 'iptables' is neither nftables nor a "
            "[[detection.actions]]");
  EXPECT_EQ(error_of("bantime_max = \"1w\"", "bantime_max = 60"),
            "detection.jails[sshd].bantime_max: must be between 3600 and 316224000 (is 60)");
  EXPECT_EQ(error_of("bantime_factor = 2", "bantime_factor = 0.5"),
            "detection.jails[sshd].bantime_factor: must be between 1 and 1000");
  EXPECT_EQ(error_of("maxretry = 3", "maxretries = 3"),
            "detection.jails[sshd].maxretries: unknown option");
  EXPECT_EQ(error_of("name = \"sshd\"", "name = \"ssh d\""),
            "detection.jails[ssh d].name: must be 1-32 letters, digits, - _ .");
  EXPECT_EQ(error_of("\"{jail}\"", "\"{password}\""),
            "detection.actions[notify].ban: '{password}': only {ip}, {jail}, {bantime} and "
            "{family} may be used");
  EXPECT_EQ(error_of("type = \"syslog-udp\"", "type = \"journal\""),
            "detection.sources[syslog].type: 'journal' is not a source type (syslog-udp, "
            "syslog-tcp, file)");
}

TEST(JailConfig, DurationsInFail2banUnits) {
  EXPECT_EQ(parse_duration("600"), 600);
  EXPECT_EQ(parse_duration("10m"), 600);
  EXPECT_EQ(parse_duration("2h"), 7200);
  EXPECT_EQ(parse_duration("1d"), 86400);
  EXPECT_EQ(parse_duration("1w"), 604800);
  EXPECT_EQ(parse_duration("30s"), 30);
  EXPECT_FALSE(parse_duration("m"));
  EXPECT_FALSE(parse_duration("-5"));
  EXPECT_FALSE(parse_duration("5 m"));
}

}  // namespace
}  // namespace custos::detection
