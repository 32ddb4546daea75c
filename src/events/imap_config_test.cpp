#include "events/imap_config.hpp"

#include <gtest/gtest.h>
#include <stdlib.h>

#include "events/imap_client.hpp"

namespace custos::events {
namespace {

ImapConfig parse(const std::string& text) { return parse_imap_config(toml::parse(text)); }

std::string error_of(const std::string& text) {
  try {
    parse(text);
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "";
}

TEST(ImapConfig, ReadsUrlAndDefaults) {
  const auto c = parse(
      "url = \"imaps://mail.example.org/Reports\"\nusername = \"security\"\n"
      "password_env = \"CUSTOS_IMAP_PASSWORD\"\n");
  EXPECT_TRUE(c.tls);
  EXPECT_EQ(c.mailbox_url, "imaps://mail.example.org:993/Reports");
  EXPECT_EQ(c.poll_interval_ms, 60'000);
  EXPECT_TRUE(c.move_to.empty());
  const auto local = parse(
      "url = \"imap://127.0.0.1:1143\"\nusername = \"u\"\npassword_file = \"/p\"\n"
      "poll_interval = \"5s\"\nmove_to = \"Done\"\n");
  EXPECT_FALSE(local.tls);
  EXPECT_EQ(local.mailbox_url, "imap://127.0.0.1:1143/INBOX");
  EXPECT_EQ(local.poll_interval_ms, 5'000);
  EXPECT_EQ(local.move_to, "Done");
  EXPECT_EQ(
      parse("url = \"imaps://[::1]/INBOX\"\nusername = \"u\"\npassword_env = \"P\"\n").mailbox_url,
      "imaps://[::1]:993/INBOX");
}

TEST(ImapConfig, RefusalsNameTheOption) {
  const std::string user = "username = \"u\"\npassword_env = \"P\"\n";
  EXPECT_NE(error_of(user).find("mail.imap.url: is required"), std::string::npos);
  EXPECT_NE(error_of("url = \"pop3://h/INBOX\"\n" + user).find("mail.imap.url: must start"),
            std::string::npos);
  // Plaintext only to this machine, unless asked for explicitly.
  EXPECT_NE(error_of("url = \"imap://mail.example.org/INBOX\"\n" + user)
                .find("mail.imap.allow_plaintext = true"),
            std::string::npos);
  EXPECT_NO_THROW(
      parse("url = \"imap://mail.example.org/INBOX\"\nallow_plaintext = true\n" + user));
  EXPECT_NE(error_of("url = \"imaps://u:pw@h/INBOX\"\n" + user).find("mail.imap.url: must not"),
            std::string::npos);
  EXPECT_NE(error_of("url = \"imaps://h:99999/INBOX\"\n" + user).find("not a port"),
            std::string::npos);
  EXPECT_NE(error_of("url = \"imaps://h/INBOX\"\npassword_env = \"P\"\n")
                .find("mail.imap.username: is required"),
            std::string::npos);
  EXPECT_NE(error_of("url = \"imaps://h/INBOX\"\nusername = \"u\"\npassword = \"x\"\n")
                .find("mail.imap.password: is not read"),
            std::string::npos);
  EXPECT_NE(
      error_of("url = \"imaps://h/INBOX\"\nusername = \"u\"\n").find("mail.imap.password_env"),
      std::string::npos);
  EXPECT_NE(error_of("url = \"imaps://h/INBOX\"\n" + user + "poll_interval = \"often\"\n")
                .find("mail.imap.poll_interval: 'often' is not a duration"),
            std::string::npos);
  EXPECT_NE(error_of("url = \"imaps://h/INBOX\"\n" + user + "move_to = \"a\\\"b\"\n")
                .find("mail.imap.move_to"),
            std::string::npos);
  EXPECT_NE(error_of("url = \"imaps://h/INBOX\"\n" + user + "folder = \"x\"\n")
                .find("unknown setting 'mail.imap.folder'"),
            std::string::npos);
}

TEST(ImapConfig, PasswordFromEnvironmentNeverInTheMessage) {
  auto c = parse("url = \"imaps://h/INBOX\"\nusername = \"u\"\npassword_env = \"CUSTOS_T_IMAP\"\n");
  ::unsetenv("CUSTOS_T_IMAP");
  try {
    read_imap_password(c);
    FAIL() << "an unset variable must stop start-up";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("mail.imap.password_env: the environment variable "
                                         "CUSTOS_T_IMAP is not set"),
              std::string::npos);
  }
  ::setenv("CUSTOS_T_IMAP", "hunter2", 1);
  EXPECT_EQ(read_imap_password(c), "hunter2");
  ::unsetenv("CUSTOS_T_IMAP");
}

TEST(ImapSearch, ParsesUidsFromUntaggedSearch) {
  EXPECT_EQ(parse_search_response("* SEARCH 12 3 7\r\n"), (std::vector<std::uint64_t>{3, 7, 12}));
  EXPECT_TRUE(parse_search_response("* SEARCH\r\n").empty());
  EXPECT_TRUE(parse_search_response("* OK still here\r\n").empty());
}

}  // namespace
}  // namespace custos::events
