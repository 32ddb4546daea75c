#pragma once
// Reader for the INI dialect fail2ban's configuration uses (Python's configparser as fail2ban
// sets it up): `[section]` headers, `name = value` or `name: value`, option names folded to lower
// case, values continued on more-indented lines, full-line comments starting with '#' or ';',
// inline comments after " ;", and `[DEFAULT]` as the section every other one falls back to.
#include <filesystem>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace custos::detection {

// Any problem with a filter: the message names the file (and line), section and option.
class FilterError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct IniOption {
  std::string name;   // lower case
  std::string value;  // continuation lines joined with '\n', trailing blank lines removed
  std::filesystem::path file;
  int line = 0;
};

struct IniSection {
  std::string name;  // case kept, as configparser does
  std::vector<IniOption> options;
  [[nodiscard]] const IniOption* find(std::string_view option) const;
};

struct IniFile {
  std::filesystem::path path;
  IniSection defaults;  // [DEFAULT]
  std::vector<IniSection> sections;
  [[nodiscard]] const IniSection* find(std::string_view section) const;
};

// Parses `text` read from `path` (used in messages). Throws FilterError for a line that is
// neither a header, an option, a comment nor a continuation, for an option before the first
// header and for an option given twice in one section.
[[nodiscard]] IniFile parse_ini(std::string_view text, const std::filesystem::path& path);
// Reads and parses a file; throws FilterError when it cannot be read.
[[nodiscard]] IniFile read_ini(const std::filesystem::path& path);

// "file:line" for messages.
[[nodiscard]] std::string where(const std::filesystem::path& file, int line);

}  // namespace custos::detection
