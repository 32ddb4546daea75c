#include "detection/jails/jail_config.hpp"

#include <algorithm>
#include <charconv>
#include <set>
#include <stdexcept>

#include "detection/engine/address.hpp"
#include "util/libcurl.hpp"

namespace custos::detection {

namespace {

[[noreturn]] void fail(const std::string& where, const std::string& what) {
  throw std::runtime_error(where + ": " + what);
}

// Names end up in log lines, nft comments and command arguments: keep them plain.
bool plain_name(const std::string& name) {
  return !name.empty() && name.size() <= 32 && std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.';
  });
}

void check_range(const std::string& where, std::int64_t value, std::int64_t min, std::int64_t max) {
  if (value < min || value > max) {
    fail(where, "must be between " + std::to_string(min) + " and " + std::to_string(max) + " (is " +
                    std::to_string(value) + ")");
  }
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

bool one_of(const std::string& value, std::initializer_list<const char*> names) {
  return std::any_of(names.begin(), names.end(), [&](const char* n) { return value == n; });
}

// http:// or https:// with a host, as libcurl (which will send to it) reads it.
std::optional<std::string> url_problem(const std::string& url) {
  if (lower(url.substr(0, 7)) != "http://" && lower(url.substr(0, 8)) != "https://")
    return "must be an http:// or https:// URL";
  if (std::any_of(url.begin(), url.end(),
                  [](unsigned char c) { return c <= 0x20 || c == 0x7F || c >= 0x80; }))
    return "must not contain spaces, control or non-ASCII characters";
  const auto& lib = util::libcurl();
  CURLU* handle = lib.curl_url();
  char* host = nullptr;
  const bool ok = lib.curl_url_set(handle, CURLUPART_URL, url.c_str(), 0) == CURLUE_OK &&
                  lib.curl_url_get(handle, CURLUPART_HOST, &host, 0) == CURLUE_OK &&
                  host != nullptr && *host != '\0';
  lib.curl_free(host);
  lib.curl_url_cleanup(handle);
  if (!ok) return "is not a valid URL with a host";
  return std::nullopt;
}

// RFC 9110 token characters.
bool header_name(const std::string& name) {
  return !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) ||
           std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
  });
}

}  // namespace

std::optional<std::int64_t> parse_duration(std::string_view text) {
  if (text.empty()) return std::nullopt;
  std::int64_t unit = 1;
  switch (text.back()) {
    case 's':
      unit = 1;
      break;
    case 'm':
      unit = 60;
      break;
    case 'h':
      unit = 3600;
      break;
    case 'd':
      unit = 86400;
      break;
    case 'w':
      unit = 7 * 86400;
      break;
    default:
      unit = 0;
  }
  if (unit != 0)
    text.remove_suffix(1);
  else
    unit = 1;
  std::int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc{} || end != text.data() + text.size() || value < 0 ||
      value > (std::int64_t{1} << 40)) {
    return std::nullopt;
  }
  return value * unit;
}

void validate(const DetectionConfig& config) {
  if (!plain_name(config.table)) fail("detection.table", "must be 1-32 letters, digits, - _ .");
  if (config.nft.empty()) fail("detection.nft", "must name the nft program");
  if (config.max_tracked < 1 || config.max_tracked > 100'000'000)
    fail("detection.max_tracked", "must be between 1 and 100000000");

  std::set<std::string> sources;
  for (const auto& s : config.sources) {
    const std::string where = "detection.sources[" + s.name + "]";
    if (!plain_name(s.name)) fail(where + ".name", "must be 1-32 letters, digits, - _ .");
    if (!sources.insert(s.name).second) fail(where + ".name", "is used by two sources");
    if (s.kind == SourceConfig::Kind::file) {
      if (s.path.empty()) fail(where + ".path", "is required (the log file to follow)");
    } else if (s.kind == SourceConfig::Kind::http) {
      // Lines arrive at /api/v1/ingest/NAME on custos's own listener.
      if (!s.listen.empty()) fail(where + ".listen", "is not used by an http source");
      if (!s.path.empty()) fail(where + ".path", "is not used by an http source");
    } else if (s.listen.empty()) {
      fail(where + ".listen", "is required (HOST:PORT)");
    }
    if (s.max_line_bytes < 256 || s.max_line_bytes > 1024 * 1024)
      fail(where + ".max_line_bytes", "must be between 256 and 1048576");
  }
  std::set<std::string> actions = {"nftables"};
  for (const auto& a : config.commands) {
    const std::string where = "detection.actions[" + a.name + "]";
    if (!plain_name(a.name)) fail(where + ".name", "must be 1-32 letters, digits, - _ .");
    if (!actions.insert(a.name).second) fail(where + ".name", "is used twice (or is 'nftables')");
    if (a.ban.empty() || a.ban.front().empty()) fail(where + ".ban", "must name a program to run");
    for (const auto* argv : {&a.ban, &a.unban}) {
      for (const auto& arg : *argv) {
        for (std::size_t open = arg.find('{'); open != std::string::npos;
             open = arg.find('{', open + 1)) {
          const auto close = arg.find('}', open);
          const auto name = arg.substr(open + 1, close == std::string::npos ? 0 : close - open - 1);
          if (name != "ip" && name != "jail" && name != "bantime" && name != "family") {
            fail(where + (argv == &a.ban ? ".ban" : ".unban"),
                 "'" + arg + "': only {ip}, {jail}, {bantime} and {family} may be used");
          }
        }
      }
    }
  }
  actions.insert("lock-account");
  for (const auto& w : config.webhooks) {
    const std::string where = "detection.webhooks[" + w.name + "]";
    if (!plain_name(w.name)) fail(where + ".name", "must be 1-32 letters, digits, - _ .");
    if (!actions.insert(w.name).second)
      fail(where + ".name", "is used twice (by an action, a webhook, or is built in)");
    if (auto problem = url_problem(w.url)) fail(where + ".url", *problem);
    for (const auto& [name, value] : w.headers) {
      if (!header_name(name)) fail(where + ".headers", "'" + name + "' is not a header name");
      if (one_of(lower(name), {"content-type", "content-length", "host"}))
        fail(where + ".headers." + name, "is set by custos");
      // The value is not quoted: it may be a secret.
      if (std::any_of(value.begin(), value.end(),
                      [](unsigned char c) { return (c < 0x20 && c != '\t') || c == 0x7F; }))
        fail(where + ".headers." + name, "the value must not contain control characters");
    }
    check_range(where + ".timeout", w.timeout, 1, 300);
    check_range(where + ".retries", w.retries, 0, 10);
  }
  std::set<std::string> jails;
  for (const auto& j : config.jails) {
    const std::string where = "detection.jails[" + j.name + "]";
    if (!plain_name(j.name)) fail(where + ".name", "must be 1-32 letters, digits, - _ .");
    if (!jails.insert(j.name).second) fail(where + ".name", "is used by two jails");
    if (j.filter.empty()) fail(where + ".filter", "is required (a fail2ban filter file)");
    if (j.sources.empty()) fail(where + ".sources", "must name at least one source");
    for (const auto& s : j.sources) {
      if (!sources.contains(s)) fail(where + ".sources", "'" + s + "' is not a detection source");
    }
    check_range(where + ".maxretry", j.maxretry, 1, 10000);
    check_range(where + ".findtime", j.findtime, 1, 366 * 86400);
    check_range(where + ".bantime", j.bantime, 1, 10 * 366 * 86400);
    check_range(where + ".bantime_max", j.bantime_max, j.bantime, 10 * 366 * 86400);
    if (!(j.bantime_factor >= 1.0 && j.bantime_factor <= 1000.0))
      fail(where + ".bantime_factor", "must be between 1 and 1000");
    for (const auto& entry : j.ignoreip) {
      if (!CidrRange::parse(entry)) {
        fail(where + ".ignoreip", "'" + entry + "' is not an address or CIDR range");
      }
    }
    for (const auto& a : j.actions) {
      if (!actions.contains(a)) {
        fail(where + ".actions",
             "'" + a +
                 "' is neither nftables, lock-account, a [[detection.actions]] nor a "
                 "[[detection.webhooks]]");
      }
    }
    check_range(where + ".promote_after", j.promote_after, 0, 1000);
    check_range(where + ".promote_window", j.promote_window, 1, 366 * 86400);
    if (j.incident_category.empty() || j.incident_category.size() > 64)
      fail(where + ".incident_category", "must name a category of the incident taxonomy");
    if (!one_of(j.incident_impact, {"extensive", "significant", "moderate", "minor"}))
      fail(where + ".incident_impact", "must be one of extensive, significant, moderate, minor");
    if (!one_of(j.incident_urgency, {"critical", "high", "medium", "low"}))
      fail(where + ".incident_urgency", "must be one of critical, high, medium, low");
  }
}

}  // namespace custos::detection
