#include "detection/ini_file.hpp"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <limits>
#include <sstream>

namespace custos::detection {
namespace {

std::string_view trim(std::string_view s) {
  const auto is_space = [](char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; };
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Position where an inline comment starts (";" at the line start or after whitespace), or npos.
std::size_t inline_comment(std::string_view line) {
  for (std::size_t i = 0; i < line.size(); ++i) {
    if (line[i] == ';' && (i == 0 || std::isspace(static_cast<unsigned char>(line[i - 1])))) {
      return i;
    }
  }
  return std::string_view::npos;
}

}  // namespace

std::string where(const std::filesystem::path& file, int line) {
  return file.string() + (line > 0 ? ":" + std::to_string(line) : std::string());
}

const IniOption* IniSection::find(std::string_view option) const {
  for (const auto& o : options) {
    if (o.name == option) return &o;
  }
  return nullptr;
}

const IniSection* IniFile::find(std::string_view section) const {
  for (const auto& s : sections) {
    if (s.name == section) return &s;
  }
  return nullptr;
}

IniFile parse_ini(std::string_view text, const std::filesystem::path& path) {
  IniFile file;
  file.path = path;
  file.defaults.name = "DEFAULT";
  constexpr long kNone = -2;
  constexpr long kDefaults = -1;
  long section = kNone;  // index into file.sections, or kDefaults / kNone
  auto section_at = [&](long index) -> IniSection& {
    return index == kDefaults ? file.defaults : file.sections[static_cast<std::size_t>(index)];
  };
  // Every option's lines, resolved into values once the whole file is read.
  struct Pending {
    long section;
    std::size_t option;
    std::vector<std::string> lines;
  };
  std::vector<Pending> pending;
  bool continuing = false;  // the last option may still take continuation lines
  std::size_t indent_level = std::numeric_limits<std::size_t>::max();

  int lineno = 0;
  std::size_t pos = 0;
  if (text.substr(0, 3) == "\xEF\xBB\xBF") pos = 3;  // UTF-8 byte order mark
  while (pos < text.size()) {
    std::size_t eol = text.find('\n', pos);
    if (eol == std::string_view::npos) eol = text.size();
    std::string_view line = text.substr(pos, eol - pos);
    pos = eol + 1;
    ++lineno;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);

    std::size_t comment_start = inline_comment(line);
    const std::string_view stripped = trim(line);
    if (!stripped.empty() && (stripped.front() == '#' || stripped.front() == ';'))
      comment_start = 0;
    const std::string_view value =
        trim(comment_start == std::string_view::npos ? line : line.substr(0, comment_start));
    if (value.empty()) {
      // A blank line inside a value is kept (trailing ones are dropped when joining); a comment
      // line is not part of the value.
      if (comment_start == std::string_view::npos && continuing) {
        pending.back().lines.emplace_back();
      }
      continue;
    }
    const std::size_t first = line.find_first_not_of(" \t\f\v");
    const std::size_t indent = first == std::string_view::npos ? 0 : first;
    if (continuing && indent > indent_level) {
      pending.back().lines.emplace_back(value);
      continue;
    }
    indent_level = indent;
    if (value.front() == '[' && value.back() == ']') {
      const std::string name(value.substr(1, value.size() - 2));
      continuing = false;
      if (name == "DEFAULT") {
        section = kDefaults;
        continue;
      }
      if (file.find(name) != nullptr) {
        throw FilterError(where(path, lineno) + ": section [" + name +
                          "] appears twice in this file");
      }
      file.sections.push_back(IniSection{name, {}});
      section = static_cast<long>(file.sections.size()) - 1;
      continue;
    }
    if (section == kNone) {
      throw FilterError(where(path, lineno) + ": option outside of any [section]: '" +
                        std::string(value) + "'");
    }
    IniSection& current = section_at(section);
    const std::size_t delim = value.find_first_of("=:");
    if (delim == std::string_view::npos) {
      throw FilterError(where(path, lineno) + ": [" + current.name +
                        "]: expected 'name = value', found '" + std::string(value) + "'");
    }
    const std::string name = lower(trim(value.substr(0, delim)));
    if (name.empty()) {
      throw FilterError(where(path, lineno) + ": [" + current.name + "]: option without a name");
    }
    if (current.find(name) != nullptr) {
      throw FilterError(where(path, lineno) + ": [" + current.name + "] " + name +
                        ": option given twice in this section");
    }
    current.options.push_back(IniOption{name, {}, path, lineno});
    pending.push_back(
        Pending{section, current.options.size() - 1, {std::string(trim(value.substr(delim + 1)))}});
    continuing = true;
  }

  for (auto& p : pending) {
    while (p.lines.size() > 1 && p.lines.back().empty()) p.lines.pop_back();
    std::string joined;
    for (std::size_t i = 0; i < p.lines.size(); ++i) {
      if (i > 0) joined += '\n';
      joined += p.lines[i];
    }
    // configparser strips trailing whitespace of the joined value.
    while (!joined.empty() && std::isspace(static_cast<unsigned char>(joined.back()))) {
      joined.pop_back();
    }
    section_at(p.section).options[p.option].value = std::move(joined);
  }
  return file;
}

IniFile read_ini(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw FilterError(path.string() + ": cannot read the file");
  std::ostringstream buffer;
  buffer << in.rdbuf();
  if (in.bad()) throw FilterError(path.string() + ": read error");
  return parse_ini(buffer.str(), path);
}

}  // namespace custos::detection
