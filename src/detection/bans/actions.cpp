#include "detection/bans/actions.hpp"

#include <algorithm>
#include <stdexcept>

#include <spdlog/spdlog.h>

namespace custos::detection {

namespace {

std::string set_of(const IpAddress& a) { return a.v6 ? "banned_v6" : "banned_v4"; }

}  // namespace

NftablesAction::NftablesAction(CommandRunner& runner, std::string nft, std::string table)
    : runner_(runner), nft_(std::move(nft)), table_(std::move(table)) {}

std::vector<std::vector<std::string>> NftablesAction::setup_commands() const {
  // `add` is idempotent for tables, sets and chains; the flush drops rules and elements of an
  // earlier run, so rules are not duplicated and only the bans re-applied now are in the sets.
  return {
      {nft_, "add", "table", "inet", table_},
      {nft_, "flush", "table", "inet", table_},
      {nft_, "add", "set", "inet", table_, "banned_v4", "{ type ipv4_addr; flags timeout; }"},
      {nft_, "add", "set", "inet", table_, "banned_v6", "{ type ipv6_addr; flags timeout; }"},
      {nft_, "add", "chain", "inet", table_, "input",
       "{ type filter hook input priority -10; policy accept; }"},
      {nft_, "add", "rule", "inet", table_, "input", "ip", "saddr", "@banned_v4", "drop"},
      {nft_, "add", "rule", "inet", table_, "input", "ip6", "saddr", "@banned_v6", "drop"},
  };
}

std::vector<std::string> NftablesAction::ban_command(const BanTarget& target) const {
  return {nft_,
          "add",
          "element",
          "inet",
          table_,
          set_of(target.address),
          "{ " + target.address.to_string() + " timeout " +
              std::to_string(std::max<std::int64_t>(1, target.seconds)) + "s }"};
}

std::vector<std::string> NftablesAction::unban_command(const BanTarget& target) const {
  return {nft_,
          "delete",
          "element",
          "inet",
          table_,
          set_of(target.address),
          "{ " + target.address.to_string() + " }"};
}

void NftablesAction::setup() {
  for (const auto& argv : setup_commands()) {
    if (!runner_.run(argv)) {
      spdlog::error(
          "nftables: setting up table inet {} failed; bans will be recorded but may "
          "not be enforced",
          table_);
      return;
    }
  }
}

void NftablesAction::ban(const BanTarget& target) { runner_.run(ban_command(target)); }

void NftablesAction::unban(const BanTarget& target, bool expired) {
  // An expired ban's element has timed out in the kernel already; deleting it would fail.
  if (expired) return;
  runner_.run(unban_command(target));
}

CommandAction::CommandAction(CommandRunner& runner, CommandActionConfig config)
    : runner_(runner), config_(std::move(config)) {}

std::vector<std::string> CommandAction::expand(const std::vector<std::string>& templ,
                                               const BanTarget& target) {
  const std::string ip = target.address.to_string();
  // The address comes from inet_ntop, but check it anyway: it is what the program will trust.
  if (ip.empty() || !IpAddress::parse(ip) || !std::all_of(ip.begin(), ip.end(), [](char c) {
        return std::isxdigit(static_cast<unsigned char>(c)) || c == '.' || c == ':';
      }))
    throw std::invalid_argument("address '" + ip + "' is not a plain address");
  if (target.jail.empty() || !std::all_of(target.jail.begin(), target.jail.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.';
      }))
    throw std::invalid_argument("jail name '" + target.jail + "' is not plain");
  const std::pair<std::string_view, std::string> values[] = {
      {"{ip}", ip},
      {"{jail}", target.jail},
      {"{bantime}", std::to_string(std::max<std::int64_t>(0, target.seconds))},
      {"{family}", target.address.v6 ? "6" : "4"},
  };
  std::vector<std::string> out;
  out.reserve(templ.size());
  for (const auto& arg : templ) {
    std::string expanded;
    for (std::size_t i = 0; i < arg.size();) {
      bool replaced = false;
      for (const auto& [name, value] : values) {
        if (arg.compare(i, name.size(), name) == 0) {
          expanded += value;
          i += name.size();
          replaced = true;
          break;
        }
      }
      if (!replaced) expanded += arg[i++];
    }
    out.push_back(std::move(expanded));
  }
  return out;
}

void CommandAction::ban(const BanTarget& target) {
  try {
    runner_.run(expand(config_.ban, target));
  } catch (const std::invalid_argument& e) {
    spdlog::error("detection action {}: not run: {}", config_.name, e.what());
  }
}

void CommandAction::unban(const BanTarget& target, bool /*expired*/) {
  if (config_.unban.empty()) return;
  try {
    runner_.run(expand(config_.unban, target));
  } catch (const std::invalid_argument& e) {
    spdlog::error("detection action {}: not run: {}", config_.name, e.what());
  }
}

}  // namespace custos::detection
