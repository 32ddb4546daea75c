#pragma once
// [mail.imap] in custos.toml: the mailbox the server polls for reports, as an alternative to an
// MTA piping mail into `custos mailgate`. The password is never in the file: it comes from an
// environment variable or a file, read when the server starts.
#include <cstdint>
#include <optional>
#include <string>

#include <toml++/toml.h>

namespace custos::events {

struct ImapConfig {
  std::string url;          // as configured: imaps://host[:port]/MAILBOX
  bool tls = true;          // imaps (TLS from the first byte) or imap (plaintext)
  std::string host;         // without brackets for IPv6
  std::string mailbox_url;  // scheme://host:port/MAILBOX, the mailbox percent-encoded as given
  bool allow_plaintext = false;
  std::string username;
  std::string password_env;   // name of the environment variable holding the password, or
  std::string password_file;  // a file whose content (without trailing line breaks) is it
  std::int64_t poll_interval_ms = 60'000;
  std::int64_t timeout_ms = 60'000;  // each IMAP command, connecting included
  std::string move_to;               // empty: mark processed mail \Seen and leave it
};

// Parses the [mail.imap] table. Throws std::runtime_error naming the option ("mail.imap.url:
// …") for anything missing or invalid.
ImapConfig parse_imap_config(const toml::table& table);

// The password from password_env or password_file. Throws std::runtime_error naming the option
// when the variable is unset or the file unreadable or empty; never says what the password is.
std::string read_imap_password(const ImapConfig& config);

}  // namespace custos::events
