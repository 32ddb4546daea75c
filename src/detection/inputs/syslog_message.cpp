#include "detection/inputs/syslog_message.hpp"

#include "util/time.hpp"

namespace custos::detection {

namespace {

// The next space-separated field of an RFC 5424 header.
std::string_view field(std::string_view& rest) {
  const auto space = rest.find(' ');
  std::string_view out = rest.substr(0, space);
  rest = space == std::string_view::npos ? std::string_view{} : rest.substr(space + 1);
  return out;
}

// Skips RFC 5424 STRUCTURED-DATA: "-" or one or more [id param="value\]"...]. False if malformed.
bool skip_structured_data(std::string_view& rest) {
  if (rest.starts_with("-")) {
    rest.remove_prefix(1);
    return true;
  }
  if (!rest.starts_with("[")) return false;
  while (rest.starts_with("[")) {
    bool quoted = false;
    std::size_t i = 1;
    for (; i < rest.size(); ++i) {
      const char c = rest[i];
      if (quoted && c == '\\') {
        ++i;
      } else if (c == '"') {
        quoted = !quoted;
      } else if (!quoted && c == ']') {
        break;
      }
    }
    if (i >= rest.size()) return false;
    rest.remove_prefix(i + 1);
  }
  return true;
}

std::optional<double> timestamp(std::string_view text) {
  if (text == "-" || text.size() < 20) return std::nullopt;
  // util::parse_rfc3339 reads whole milliseconds; syslog may send microseconds.
  const auto ms = util::parse_rfc3339(text);
  if (!ms) return std::nullopt;
  return static_cast<double>(*ms) / 1000.0;
}

}  // namespace

bool parse_syslog(std::string_view m, SyslogLine& out) {
  out.text.clear();
  out.time.reset();
  while (!m.empty() && (m.back() == '\n' || m.back() == '\r' || m.back() == '\0'))
    m.remove_suffix(1);
  // <PRI>: one to three digits.
  if (m.size() >= 3 && m[0] == '<') {
    std::size_t i = 1;
    while (i < m.size() && i <= 4 && m[i] >= '0' && m[i] <= '9') ++i;
    if (i > 1 && i < m.size() && m[i] == '>') m.remove_prefix(i + 1);
  }
  if (m.starts_with("1 ")) {
    std::string_view rest = m.substr(2);
    const auto time = field(rest);
    const auto host = field(rest);
    const auto app = field(rest);
    const auto procid = field(rest);
    field(rest);  // MSGID
    std::string_view message = rest;
    if (skip_structured_data(message)) {
      if (message.starts_with(" ")) message.remove_prefix(1);
      if (message.starts_with("\xEF\xBB\xBF")) message.remove_prefix(3);  // BOM
      out.time = timestamp(time);
      if (host != "-") {
        out.text.append(host);
        out.text += ' ';
      }
      if (app != "-") {
        out.text.append(app);
        if (procid != "-") {
          out.text += '[';
          out.text.append(procid);
          out.text += ']';
        }
        out.text += ": ";
      }
      out.text.append(message);
      return !message.empty();
    }
    // Not RFC 5424 after all: keep it as it came.
  }
  out.text.assign(m);
  return !out.text.empty();
}

}  // namespace custos::detection
