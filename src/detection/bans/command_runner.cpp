#include "detection/bans/command_runner.hpp"

#include <spawn.h>
#include <sys/wait.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include <spdlog/spdlog.h>

extern char** environ;

namespace custos::detection {

std::string shell_quoted(const std::vector<std::string>& argv) {
  std::string out;
  for (const auto& arg : argv) {
    if (!out.empty()) out += ' ';
    const bool plain = !arg.empty() && std::all_of(arg.begin(), arg.end(), [](char c) {
      return std::isalnum(static_cast<unsigned char>(c)) || std::strchr("-_./:=@,+%", c) != nullptr;
    });
    if (plain) {
      out += arg;
      continue;
    }
    out += '\'';
    for (char c : arg) {
      if (c == '\'')
        out += "'\\''";
      else
        out += c;
    }
    out += '\'';
  }
  return out;
}

bool CommandRunner::run(const std::vector<std::string>& argv) {
  if (argv.empty()) return false;
  if (dry_run_) {
    spdlog::info("detection dry-run: {}", shell_quoted(argv));
    return true;
  }
  std::vector<char*> args;
  args.reserve(argv.size() + 1);
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = 0;
  const int err = posix_spawnp(&pid, args[0], nullptr, nullptr, args.data(), environ);
  if (err != 0) {
    spdlog::error("detection action: cannot run '{}': {}", shell_quoted(argv), std::strerror(err));
    return false;
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return true;
  spdlog::error("detection action: '{}' failed (status {})", shell_quoted(argv),
                WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status));
  return false;
}

}  // namespace custos::detection
