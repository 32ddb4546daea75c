#pragma once
// For tests of the ban actions: a command runner that records, shell-quoted, what would have run.
#include <string>
#include <vector>

#include "detection/bans/command_runner.hpp"

namespace custos::detection::testing {

class RecordingRunner : public CommandRunner {
 public:
  RecordingRunner() : CommandRunner(true) {}
  bool run(const std::vector<std::string>& argv) override {
    commands.push_back(shell_quoted(argv));
    return true;
  }
  std::vector<std::string> commands;
};

}  // namespace custos::detection::testing
