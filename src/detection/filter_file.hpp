#pragma once
// Loads a fail2ban filter file the way fail2ban's client does before it hands the regexes to
// the server: the file, `NAME.d/*.conf`, `NAME.local` and `NAME.d/*.local`, each with its
// `[INCLUDES]` before/after files (relative to the including file's directory, each followed
// by its own `.local` when there is one), merged in order; `%(name)s` and `%(section/name)s`
// interpolation (with `known/` for the value an override replaced); `[Init]` options and the
// options a jail passes (`sshd[mode=aggressive]`, here `--filter-option mode=aggressive`); and
// then fail2ban's `<name>` tag substitution, which is how `mode` selects regexes.
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "detection/ini_file.hpp"

namespace custos::detection {

// A filter after interpolation, ready to be compiled. Regexes are still fail2ban syntax
// (Python `re` with tags such as <HOST>).
struct FilterDefinition {
  std::filesystem::path file;                     // the filter file named by the user
  std::vector<std::filesystem::path> files_read;  // in the order they were merged
  std::string prefregex;                          // empty: none
  std::vector<std::string> failregex;
  std::vector<std::string> ignoreregex;
  std::string datepattern;  // empty: fail2ban's default date detection
  int maxlines = 1;
  std::string usedns = "warn";
  std::string journalmatch;
  // Where each regex came from, for messages ("failregex #3").
  std::string origin;
};

using FilterOptions = std::vector<std::pair<std::string, std::string>>;

// Reads and resolves the filter at `path` with the options a jail would pass. Throws
// FilterError naming the file, section, option and the problem: unreadable or missing files,
// include cycles, syntax errors, unresolvable interpolation, an option passed that the filter
// does not know, a maxlines that is not a number, a filter without [Definition] or failregex.
[[nodiscard]] FilterDefinition load_filter(const std::filesystem::path& path,
                                           const FilterOptions& options = {});

// Parses "NAME=VALUE" as given to --filter-option; nullopt when there is no '=' or no name.
[[nodiscard]] std::optional<std::pair<std::string, std::string>> parse_filter_option(
    std::string_view text);

}  // namespace custos::detection
