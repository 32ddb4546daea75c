#include "events/imap_config.hpp"

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "util/time.hpp"

namespace custos::events {

namespace {

[[noreturn]] void fail(const std::string& key, const std::string& what) {
  throw std::runtime_error("mail.imap." + key + ": " + what);
}

std::optional<std::string> string_of(const toml::table& t, const std::string& key) {
  const auto* node = t.get(key);
  if (node == nullptr) return std::nullopt;
  if (!node->is_string()) fail(key, "must be a string");
  return node->value<std::string>();
}

std::int64_t duration_of(const toml::table& t, const std::string& key, std::int64_t fallback,
                         std::int64_t min_ms, std::int64_t max_ms) {
  const auto text = string_of(t, key);
  if (!text) return fallback;
  const auto ms = util::parse_duration_ms(*text);
  if (!ms) fail(key, "'" + *text + "' is not a duration such as \"60s\" or \"5m\"");
  if (*ms < min_ms || *ms > max_ms)
    fail(key, "must be between " + std::to_string(min_ms / 1000) + "s and " +
                  std::to_string(max_ms / 1000) + "s");
  return *ms;
}

bool is_loopback(const std::string& host) {
  return host == "localhost" || host == "::1" || host.starts_with("127.");
}

// A mailbox name as IMAP takes it in a quoted string: printable ASCII, no quote or backslash.
bool is_plain_mailbox(const std::string& name) {
  if (name.empty() || name.size() > 200) return false;
  for (char ch : name) {
    if (ch < 0x20 || ch > 0x7e || ch == '"' || ch == '\\') return false;
  }
  return true;
}

// imap[s]://HOST[:PORT]/MAILBOX → the parts; the mailbox defaults to INBOX.
void parse_url(ImapConfig& c) {
  const std::string& url = c.url;
  std::string rest;
  if (url.starts_with("imaps://")) {
    c.tls = true;
    rest = url.substr(8);
  } else if (url.starts_with("imap://")) {
    c.tls = false;
    rest = url.substr(7);
  } else {
    fail("url", "must start with imaps:// (or imap:// for plaintext)");
  }
  const auto slash = rest.find('/');
  const std::string authority = rest.substr(0, slash);
  std::string mailbox = slash == std::string::npos ? "" : rest.substr(slash + 1);
  if (authority.find('@') != std::string::npos)
    fail("url", "must not hold a user name or password; use mail.imap.username and password_env");
  if (mailbox.find_first_of(";?#/") != std::string::npos)
    fail("url", "the path must name one mailbox, e.g. /INBOX");
  if (mailbox.empty()) mailbox = "INBOX";
  std::string port;
  if (authority.starts_with('[')) {
    const auto close = authority.find(']');
    if (close == std::string::npos) fail("url", "unclosed '[' in the host");
    c.host = authority.substr(1, close - 1);
    if (close + 1 < authority.size()) {
      if (authority[close + 1] != ':') fail("url", "expected ':PORT' after the host");
      port = authority.substr(close + 2);
    }
  } else {
    const auto colon = authority.find(':');
    c.host = authority.substr(0, colon);
    if (colon != std::string::npos) port = authority.substr(colon + 1);
  }
  if (c.host.empty()) fail("url", "names no host");
  if (port.empty()) port = c.tls ? "993" : "143";
  if (port.size() > 5 || port.find_first_not_of("0123456789") != std::string::npos ||
      std::stoi(port) < 1 || std::stoi(port) > 65535)
    fail("url", "'" + port + "' is not a port number");
  const std::string host = c.host.find(':') != std::string::npos ? "[" + c.host + "]" : c.host;
  c.mailbox_url = (c.tls ? "imaps://" : "imap://") + host + ":" + port + "/" + mailbox;
}

}  // namespace

ImapConfig parse_imap_config(const toml::table& t) {
  if (t.contains("password")) {
    fail("password",
         "is not read from the file; name an environment variable in password_env or a file in "
         "password_file");
  }
  static const char* const known[] = {"url",          "allow_plaintext", "username",
                                      "password_env", "password_file",   "poll_interval",
                                      "timeout",      "move_to"};
  for (const auto& [key, value] : t) {
    bool ok = false;
    for (const char* k : known) ok = ok || key.str() == k;
    if (!ok) throw std::runtime_error("unknown setting 'mail.imap." + std::string(key.str()) + "'");
  }
  ImapConfig c;
  c.url = string_of(t, "url").value_or("");
  if (c.url.empty()) fail("url", "is required, e.g. \"imaps://mail.example.org/INBOX\"");
  parse_url(c);
  if (const auto* node = t.get("allow_plaintext")) {
    if (!node->is_boolean()) fail("allow_plaintext", "must be true or false");
    c.allow_plaintext = node->value<bool>().value_or(false);
  }
  if (!c.tls && !c.allow_plaintext && !is_loopback(c.host))
    fail("url",
         "imap:// sends the password unencrypted: use imaps://, or set "
         "mail.imap.allow_plaintext = true");
  c.username = string_of(t, "username").value_or("");
  if (c.username.empty()) fail("username", "is required");
  c.password_env = string_of(t, "password_env").value_or("");
  c.password_file = string_of(t, "password_file").value_or("");
  if (c.password_env.empty() == c.password_file.empty())
    fail("password_env", "set either password_env or password_file (one of them)");
  c.poll_interval_ms = duration_of(t, "poll_interval", c.poll_interval_ms, 1'000, 86'400'000);
  c.timeout_ms = duration_of(t, "timeout", c.timeout_ms, 1'000, 3'600'000);
  c.move_to = string_of(t, "move_to").value_or("");
  if (t.contains("move_to") && !is_plain_mailbox(c.move_to))
    fail("move_to", "must be a mailbox name of printable ASCII without quotes or backslashes");
  return c;
}

std::string read_imap_password(const ImapConfig& c) {
  std::string password;
  if (!c.password_env.empty()) {
    const char* v = std::getenv(c.password_env.c_str());
    if (v == nullptr || *v == '\0')
      fail("password_env", "the environment variable " + c.password_env + " is not set");
    password = v;
  } else {
    std::ifstream in(c.password_file, std::ios::binary);
    if (!in) fail("password_file", "cannot read " + c.password_file);
    std::ostringstream text;
    text << in.rdbuf();
    password = text.str();
    while (!password.empty() && (password.back() == '\n' || password.back() == '\r'))
      password.pop_back();
    if (password.empty()) fail("password_file", c.password_file + " is empty");
  }
  return password;
}

}  // namespace custos::events
