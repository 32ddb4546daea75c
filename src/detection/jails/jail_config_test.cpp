#include "detection/jails/jail_config.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

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
            "detection.jails[sshd].actions: 'iptables' is neither nftables, lock-account, a "
            "[[detection.actions]] nor a [[detection.webhooks]]");
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
            "syslog-tcp, file, http)");
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

constexpr std::string_view kWebhook = R"(
[[detection.webhooks]]
name = "soc"
url = "https://soc.example.org/hooks/custos?team=blue"
headers = { Authorization = { env = "CUSTOS_TEST_WEBHOOK_TOKEN" }, X-Source = "custos" }
timeout = "5s"
retries = 2
)";

DetectionConfig with_webhook(std::string_view webhook, std::string_view actions) {
  std::string text(kGood);
  text.replace(text.find("actions = [\"nftables\", \"notify\"]"),
               std::string_view("actions = [\"nftables\", \"notify\"]").size(), actions);
  text += webhook;
  return parse(text);
}

std::string webhook_error(std::string_view from, std::string_view to) {
  std::string hook(kWebhook);
  hook.replace(hook.find(from), from.size(), to);
  try {
    validate(with_webhook(hook, "actions = [\"soc\"]"));
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "";
}

TEST(JailConfig, WebhooksReadTheirSecretsFromTheEnvironmentOrAFile) {
  ::setenv("CUSTOS_TEST_WEBHOOK_TOKEN", "Bearer s3cret", 1);
  const auto config = with_webhook(kWebhook, "actions = [\"soc\", \"lock-account\"]");
  validate(config);
  ASSERT_EQ(config.webhooks.size(), 1U);
  const auto& w = config.webhooks[0];
  EXPECT_EQ(w.url, "https://soc.example.org/hooks/custos?team=blue");
  EXPECT_EQ(w.timeout, 5);
  EXPECT_EQ(w.retries, 2);
  ASSERT_EQ(w.headers.size(), 2U);
  EXPECT_EQ(w.headers[0], (std::pair<std::string, std::string>{"Authorization", "Bearer s3cret"}));
  EXPECT_EQ(w.headers[1], (std::pair<std::string, std::string>{"X-Source", "custos"}));

  const auto file = std::filesystem::temp_directory_path() / "custos-webhook-token-test";
  { std::ofstream(file) << "Bearer from-file\n"; }
  std::string hook(kWebhook);
  hook.replace(hook.find("{ env = \"CUSTOS_TEST_WEBHOOK_TOKEN\" }"),
               std::string_view("{ env = \"CUSTOS_TEST_WEBHOOK_TOKEN\" }").size(),
               "{ file = \"" + file.string() + "\" }");
  EXPECT_EQ(with_webhook(hook, "actions = [\"soc\"]").webhooks[0].headers[0].second,
            "Bearer from-file");
  std::filesystem::remove(file);

  // Where the secret should come from is named; the secret never is.
  ::unsetenv("CUSTOS_TEST_WEBHOOK_TOKEN");
  try {
    (void)with_webhook(kWebhook, "actions = [\"soc\"]");
    ADD_FAILURE() << "a missing variable must be refused";
  } catch (const std::runtime_error& e) {
    EXPECT_STREQ(e.what(),
                 "detection.webhooks[soc].headers.Authorization: the environment variable "
                 "CUSTOS_TEST_WEBHOOK_TOKEN is not set");
  }
  try {
    (void)with_webhook(hook, "actions = [\"soc\"]");
    ADD_FAILURE() << "an unreadable file must be refused";
  } catch (const std::runtime_error& e) {
    EXPECT_EQ(std::string(e.what()),
              "detection.webhooks[soc].headers.Authorization: cannot read " + file.string());
  }
}

TEST(JailConfig, RefusesBadWebhooksNamingTheOption) {
  ::setenv("CUSTOS_TEST_WEBHOOK_TOKEN", "Bearer s3cret", 1);
  EXPECT_EQ(
      webhook_error("https://soc.example.org/hooks/custos?team=blue", "ftp://soc.example.org/"),
      "detection.webhooks[soc].url: must be an http:// or https:// URL");
  EXPECT_EQ(webhook_error("https://soc.example.org/hooks/custos?team=blue", "file:///etc/passwd"),
            "detection.webhooks[soc].url: must be an http:// or https:// URL");
  EXPECT_EQ(
      webhook_error("https://soc.example.org/hooks/custos?team=blue", "https://a b/"),
      "detection.webhooks[soc].url: must not contain spaces, control or non-ASCII characters");
  EXPECT_EQ(webhook_error("https://soc.example.org/hooks/custos?team=blue", "http://:80/"),
            "detection.webhooks[soc].url: is not a valid URL with a host");
  EXPECT_EQ(webhook_error("X-Source = \"custos\"", "\"Content-Type\" = \"text/plain\""),
            "detection.webhooks[soc].headers.Content-Type: is set by custos");
  EXPECT_EQ(webhook_error("X-Source = \"custos\"", "\"X Bad\" = \"v\""),
            "detection.webhooks[soc].headers: 'X Bad' is not a header name");
  EXPECT_EQ(webhook_error("X-Source = \"custos\"", "X-Source = \"a\\r\\nX-Evil: 1\""),
            "detection.webhooks[soc].headers.X-Source: the value must not contain control "
            "characters");
  EXPECT_EQ(webhook_error("retries = 2", "retries = 11"),
            "detection.webhooks[soc].retries: must be between 0 and 10 (is 11)");
  EXPECT_EQ(webhook_error("name = \"soc\"", "name = \"nftables\""),
            "detection.webhooks[nftables].name: is used twice (by an action, a webhook, or is "
            "built in)");
  EXPECT_EQ(webhook_error("timeout = \"5s\"", "timeout = 0"),
            "detection.webhooks[soc].timeout: must be between 1 and 300 (is 0)");
}

TEST(JailConfig, PromotionOptions) {
  EXPECT_EQ(error_of("maxretry = 3", "maxretry = 3\npromote_after = -1"),
            "detection.jails[sshd].promote_after: must be between 0 and 1000 (is -1)");
  EXPECT_EQ(error_of("maxretry = 3", "maxretry = 3\npromote_window = \"2y\""),
            "detection.jails[sshd].promote_window: '2y' is not a duration (600, 10m, 1h, 1d, 1w)");
  EXPECT_EQ(error_of("maxretry = 3", "maxretry = 3\nincident_impact = \"huge\""),
            "detection.jails[sshd].incident_impact: must be one of extensive, significant, "
            "moderate, minor");
  EXPECT_EQ(error_of("maxretry = 3", "maxretry = 3\nincident_urgency = \"now\""),
            "detection.jails[sshd].incident_urgency: must be one of critical, high, medium, low");
  EXPECT_EQ(error_of("maxretry = 3", "maxretry = 3\ncritical = \"yes\""),
            "detection.jails[sshd].critical: must be true or false");
  EXPECT_EQ(error_of("\"notify\"]", "\"notify\", \"mail\"]"),
            "detection.jails[sshd].actions: 'mail' is neither nftables, lock-account, a "
            "[[detection.actions]] nor a [[detection.webhooks]]");
  std::string text(kGood);
  text.replace(text.find("maxretry = 3"), 12,
               "maxretry = 3\ncritical = true\npromote_after = 5\npromote_window = \"2h\"\n"
               "incident_urgency = \"critical\"");
  const auto config = parse(text);
  validate(config);
  EXPECT_TRUE(config.jails[0].critical);
  EXPECT_EQ(config.jails[0].promote_after, 5);
  EXPECT_EQ(config.jails[0].promote_window, 7200);
  EXPECT_EQ(config.jails[0].incident_category, "intrusion-attempt");
  EXPECT_EQ(config.jails[0].incident_urgency, "critical");
}

}  // namespace
}  // namespace custos::detection
