#pragma once
// What a ban does outside custos. Each jail names its actions; the ban service calls them when
// a ban starts (also when active bans are re-applied at start-up) and when it is lifted.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "detection/bans/command_runner.hpp"
#include "detection/engine/address.hpp"
#include "detection/jails/jail_config.hpp"

namespace custos::detection {

struct BanTarget {
  std::string jail;
  IpAddress address;
  std::int64_t seconds = 0;  // how long the ban still runs (for timeout sets)
  // The ban as recorded, for the actions that tell others about it (webhook, account lock).
  std::int64_t ban_id = 0;                     // 0 before the ban is recorded
  std::int64_t banned_at = 0, expires_at = 0;  // epoch ms
  int ban_number = 1;
  int failures = 0;
  std::optional<std::string> user;   // the user name the last failure named
  std::optional<std::string> event;  // the security event's key (EVT-…), once recorded
};

class BanAction {
 public:
  virtual ~BanAction() = default;
  [[nodiscard]] virtual const std::string& name() const = 0;
  // Prepares what the action needs (nftables: the table and sets); once at start-up.
  virtual void setup() {}
  // An enforcing action (the firewall, a command) runs before the ban is recorded, so that it
  // takes effect within milliseconds of the line, and again when start-up re-applies active
  // bans. The others (webhook, account lock) run once the ban is recorded, with its id and
  // event, and are not repeated at start-up.
  [[nodiscard]] virtual bool enforces() const { return true; }
  virtual void ban(const BanTarget& target) = 0;
  // `expired`: the ban ran out (a timeout set has already dropped it by itself).
  virtual void unban(const BanTarget& target, bool expired) = 0;
};

// nftables: a table `inet <table>` that custos owns, with timeout sets `banned_v4` and
// `banned_v6` and an input chain dropping their members. A ban adds an element with the ban's
// remaining time as its timeout (so the kernel lifts it even if custos is down); a lift deletes
// it. Start-up rebuilds the table from scratch and re-adds the active bans.
class NftablesAction final : public BanAction {
 public:
  NftablesAction(CommandRunner& runner, std::string nft, std::string table);
  [[nodiscard]] const std::string& name() const override { return name_; }
  void setup() override;
  void ban(const BanTarget& target) override;
  void unban(const BanTarget& target, bool expired) override;

  // The argument vectors, for tests and the docs.
  [[nodiscard]] std::vector<std::vector<std::string>> setup_commands() const;
  [[nodiscard]] std::vector<std::string> ban_command(const BanTarget& target) const;
  [[nodiscard]] std::vector<std::string> unban_command(const BanTarget& target) const;

 private:
  CommandRunner& runner_;
  std::string name_ = "nftables";
  std::string nft_;
  std::string table_;
};

// A configured program run with templated arguments: {ip}, {jail}, {bantime}, {family}. Every
// value is checked before it is substituted (an address as inet_ntop wrote it, a plain jail
// name, digits), and each template stays one argument whatever the value holds.
class CommandAction final : public BanAction {
 public:
  CommandAction(CommandRunner& runner, CommandActionConfig config);
  [[nodiscard]] const std::string& name() const override { return config_.name; }
  void ban(const BanTarget& target) override;
  void unban(const BanTarget& target, bool expired) override;
  // Throws std::invalid_argument when a value fails its check.
  [[nodiscard]] static std::vector<std::string> expand(const std::vector<std::string>& templ,
                                                       const BanTarget& target);

 private:
  CommandRunner& runner_;
  CommandActionConfig config_;
};

}  // namespace custos::detection
