#pragma once
// What custos.toml says about detection: log sources, command actions and jails. Plain data;
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
  enum class Kind { syslog_udp, syslog_tcp, file };
  std::string name;
  Kind kind = Kind::syslog_udp;
  std::string listen;                  // syslog: "127.0.0.1:5514"
  std::string path;                    // file: the log file to follow
  std::size_t max_line_bytes = 65536;  // longer messages are dropped (and counted)
};

// A command run for each ban and lift, as an argument vector (never a shell). Arguments may
// hold {ip}, {jail}, {bantime} and {family}; the values are validated before substitution.
struct CommandActionConfig {
  std::string name;
  std::vector<std::string> ban;
  std::vector<std::string> unban;  // empty: nothing to undo
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
  std::vector<std::string> ignoreip;                // addresses and CIDR ranges
  std::vector<std::string> actions = {"nftables"};  // "nftables" or a command action's name
};

struct DetectionConfig {
  bool dry_run = true;  // log the exact commands instead of running them
  std::string nft = "nft";
  std::string table = "custos";         // nftables table (family inet) custos owns
  std::size_t max_tracked = 1'000'000;  // addresses counted per jail before eviction
  std::vector<SourceConfig> sources;
  std::vector<CommandActionConfig> commands;
  std::vector<JailConfig> jails;
};

// Throws std::runtime_error "detection.jails[NAME].OPTION: problem" for the first problem:
// names, references to sources and actions, ranges, ignoreip entries. The filter file itself
// is loaded (and checked) when the detector starts.
void validate(const DetectionConfig& config);

// "600", "10m", "1h", "2d", "1w" → seconds; nullopt when malformed.
[[nodiscard]] std::optional<std::int64_t> parse_duration(std::string_view text);

}  // namespace custos::detection
