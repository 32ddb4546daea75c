#pragma once
// What custos.toml says about detection: log sources, actions and jails. Plain data;
// `parse_detection_config` (jail_config_toml.hpp) reads it and `validate` checks it, naming
// the jail (or source, or action) and the option in every message.
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace custos::detection {

struct SourceConfig {
  // http: lines POSTed as NDJSON to /api/v1/ingest/{name} by a log shipper.
  enum class Kind { syslog_udp, syslog_tcp, file, http };
  std::string name;
  Kind kind = Kind::syslog_udp;
  std::string listen;                  // syslog: "127.0.0.1:5514"
  std::string path;                    // file: the log file to follow
  std::size_t max_line_bytes = 65536;  // longer messages are dropped (and counted)
  bool operator==(const SourceConfig&) const = default;
};

// A command run for each ban and lift, as an argument vector (never a shell). Arguments may
// hold {ip}, {jail}, {bantime} and {family}; the values are validated before substitution.
struct CommandActionConfig {
  std::string name;
  std::vector<std::string> ban;
  std::vector<std::string> unban;  // empty: nothing to undo
};

// A URL told of each ban and lift with a JSON body (see docs/detection.md). Header values may
// come from the environment or a file, so that a secret such as an Authorization header stays
// out of custos.toml; they are resolved when the configuration is read and never logged.
struct WebhookConfig {
  std::string name;
  std::string url;                                           // http:// or https://
  std::vector<std::pair<std::string, std::string>> headers;  // name, value (resolved)
  std::int64_t timeout = 10;                                 // seconds per attempt
  int retries = 3;  // further attempts after a failed one, with growing pauses
  bool operator==(const WebhookConfig&) const = default;
};

struct JailConfig {
  std::string name;
  std::filesystem::path filter;                                     // a fail2ban filter file
  std::vector<std::pair<std::string, std::string>> filter_options;  // mode = "aggressive"
  std::vector<std::string> sources;
  int maxretry = 5;
  std::int64_t findtime = 600;  // seconds
  std::int64_t bantime = 600;   // seconds, the first ban
  // Repeat offenders: the n-th ban of an address in this jail lasts bantime × factor^(n-1),
  // at most bantime_max. factor 1: every ban lasts bantime.
  double bantime_factor = 1.0;
  std::int64_t bantime_max = 7 * 86400;
  std::vector<std::string> ignoreip;  // addresses and CIDR ranges
  // "nftables", "lock-account", or the name of a command action or webhook
  std::vector<std::string> actions = {"nftables"};
  // Promotion of the ban's security event to an incident: at once when the jail guards a
  // critical asset, else when this address has been banned `promote_after` times within
  // `promote_window` (0: never by count). The incident is classified as configured here.
  bool critical = false;
  int promote_after = 0;
  std::int64_t promote_window = 3600;  // seconds
  std::string incident_category = "intrusion-attempt";
  std::string incident_subcategory = "brute-force";  // empty: none
  std::string incident_impact = "moderate";
  std::string incident_urgency = "high";
};

struct DetectionConfig {
  bool dry_run = true;  // log the exact commands instead of running them
  std::string nft = "nft";
  std::string table = "custos";         // nftables table (family inet) custos owns
  std::size_t max_tracked = 1'000'000;  // addresses counted per jail before eviction
  std::vector<SourceConfig> sources;
  std::vector<CommandActionConfig> commands;
  std::vector<WebhookConfig> webhooks;
  std::vector<JailConfig> jails;
};

// Throws std::runtime_error "detection.jails[NAME].OPTION: problem" for the first problem:
// names, references to sources and actions, ranges, ignoreip entries, webhook URLs and headers. The
// filter file itself is loaded (and checked) when the detector starts.
void validate(const DetectionConfig& config);

// "600", "10m", "1h", "2d", "1w" → seconds; nullopt when malformed.
[[nodiscard]] std::optional<std::int64_t> parse_duration(std::string_view text);

}  // namespace custos::detection
