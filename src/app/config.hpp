#pragma once
// custos.toml, then CUSTOS_* environment variables, then command-line flags.
// Every setting has a safe default, so the server runs with no file at all.
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

#include "detection/jails/jail_config.hpp"
#include "events/imap_config.hpp"

namespace custos::app {

struct Config {
  // [server]
  std::string listen = "127.0.0.1:8080";
  int io_threads = 2;
  int worker_threads = 16;
  std::int64_t max_body_bytes = 1024 * 1024;
  std::int64_t max_header_bytes = 16 * 1024;
  int max_connections = 2048;
  int header_timeout_seconds = 15;
  int body_timeout_seconds = 60;
  std::string tls_certificate;  // PEM; TLS is on when both files are set
  std::string tls_private_key;
  bool access_log = true;
  std::string log_level = "info";

  // [storage]
  std::filesystem::path data_dir = "custos-data";
  std::string database_url;  // default: sqlite:<data_dir>/custos.db
  int database_pool = 8;

  // [auth]
  int session_hours = 12;
  std::string password_hashing = "interactive";  // "minimum" only for throwaway test servers
  std::string totp_issuer = "custos";
  int lockout_account_threshold = 5;
  int lockout_address_threshold = 20;
  int lockout_window_minutes = 15;
  int lockout_base_seconds = 60;
  int lockout_max_minutes = 60;

  // [audit]
  int checkpoint_every = 1000;
  int checkpoint_interval_seconds = 60;

  // [metrics]
  bool metrics_public = false;  // when false: loopback clients or the metrics_read permission

  // [incidents]
  std::int64_t max_attachment_bytes = 10 * 1024 * 1024;  // also bounded by max_body_bytes
  int auto_close_days = 5;          // resolved incidents are closed after this many days; 0: never
  int sweep_interval_seconds = 10;  // how often SLA escalation and automatic closure run

  // [events]
  bool anonymous_reports = false;      // the report form without an account
  int anonymous_reports_per_hour = 5;  // per client address
  std::string mail_domain;             // right-hand side of Message-IDs; default: the host name
  std::int64_t mail_max_bytes = 25 * 1024 * 1024;  // largest message mailgate accepts

  // [mail.imap]: a mailbox the server polls for reports (see docs/events.md)
  std::optional<events::ImapConfig> imap;

  // [evidence] (see docs/evidence.md)
  std::int64_t evidence_max_upload_bytes = 64LL << 30;  // one item's content; spooled to disk
  bool evidence_encrypt = false;  // encrypt new content at rest (key: <data_dir>/evidence.key)
  int evidence_rehash_interval_hours = 24;  // re-hash stored evidence; 0: never

  // [detection]: log sources, jails and their actions (see docs/detection.md)
  detection::DetectionConfig detection;

  // The file these settings came from, if any: detection rules are reloaded from it.
  std::optional<std::filesystem::path> file;

  [[nodiscard]] std::string effective_database_url() const;
  [[nodiscard]] bool tls_enabled() const {
    return !tls_certificate.empty() && !tls_private_key.empty();
  }
  [[nodiscard]] std::filesystem::path key_file() const { return data_dir / "audit-signing.key"; }
  [[nodiscard]] std::filesystem::path evidence_key_file() const {
    return data_dir / "evidence.key";
  }
};

// Loads `file` (if given, must exist) and applies the environment. Throws
// std::runtime_error naming the file, key and problem for anything invalid.
Config load_config(const std::optional<std::filesystem::path>& file);

// Throws std::runtime_error naming the setting when a combination is invalid.
void validate_config(const Config& config);

// Splits "HOST:PORT" / "[v6]:PORT"; throws with a clear message when malformed.
std::pair<std::string, std::uint16_t> split_listen(const std::string& listen);

}  // namespace custos::app
