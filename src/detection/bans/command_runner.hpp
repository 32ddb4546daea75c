#pragma once
// Runs the programs of ban actions: an argument vector handed to posix_spawnp, never a shell,
// so no address, jail name or template value can be read as shell syntax. In dry-run mode (the
// default, and what tests use) the exact command is logged instead, quoted as a shell would
// need it so that an operator can copy and run it.
#include <functional>
#include <string>
#include <vector>

namespace custos::detection {

class CommandRunner {
 public:
  explicit CommandRunner(bool dry_run) : dry_run_(dry_run) {}
  virtual ~CommandRunner() = default;

  // Runs and waits (a few milliseconds for nft). Returns true on exit status 0; failures are
  // logged with the command and status, never thrown.
  virtual bool run(const std::vector<std::string>& argv);

  [[nodiscard]] bool dry_run() const { return dry_run_; }

 private:
  bool dry_run_;
};

// "nft add element inet custos v4 '{ 192.0.2.1 timeout 600s }'": arguments with characters a
// shell would interpret are single-quoted.
[[nodiscard]] std::string shell_quoted(const std::vector<std::string>& argv);

}  // namespace custos::detection
