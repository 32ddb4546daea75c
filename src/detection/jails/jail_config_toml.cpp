#include "detection/jails/jail_config_toml.hpp"

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>
#include <stdexcept>

namespace custos::detection {

namespace {

[[noreturn]] void fail(const std::string& where, const std::string& what) {
  throw std::runtime_error(where + ": " + what);
}

std::string text(const std::string& where, const toml::node& node) {
  if (!node.is_string()) fail(where, "must be a string");
  return *node.value<std::string>();
}

std::int64_t integer(const std::string& where, const toml::node& node) {
  if (!node.is_integer()) fail(where, "must be an integer");
  return *node.value<std::int64_t>();
}

bool boolean(const std::string& where, const toml::node& node) {
  if (!node.is_boolean()) fail(where, "must be true or false");
  return *node.value<bool>();
}

// Seconds as an integer, or fail2ban's "10m" / "1h" / "1d" / "1w".
std::int64_t duration(const std::string& where, const toml::node& node) {
  if (node.is_integer()) return *node.value<std::int64_t>();
  if (node.is_string()) {
    if (auto seconds = parse_duration(*node.value<std::string>())) return *seconds;
    fail(where, "'" + *node.value<std::string>() + "' is not a duration (600, 10m, 1h, 1d, 1w)");
  }
  fail(where, "must be seconds or a duration such as \"10m\"");
}

std::vector<std::string> strings(const std::string& where, const toml::node& node) {
  const auto* array = node.as_array();
  if (array == nullptr) fail(where, "must be an array of strings");
  std::vector<std::string> out;
  for (const auto& item : *array) out.push_back(text(where, item));
  return out;
}

// [[detection.X]] entries: an array of tables, each named by its "name" key in messages.
template <class OnEntry>
void each_entry(const std::string& where, const toml::node& node, OnEntry&& on_entry) {
  const auto* array = node.as_array();
  if (array == nullptr) fail(where, "must be an array of tables ([[" + where + "]])");
  std::size_t index = 0;
  for (const auto& item : *array) {
    const auto* table = item.as_table();
    if (table == nullptr) fail(where, "must be an array of tables ([[" + where + "]])");
    std::string name = "#" + std::to_string(index + 1);
    if (const auto* n = table->get("name"); n != nullptr && n->is_string())
      name = *n->value<std::string>();
    on_entry(where + "[" + name + "]", *table);
    ++index;
  }
}

SourceConfig parse_source(const std::string& where, const toml::table& table) {
  SourceConfig s;
  bool typed = false;
  for (const auto& [key, value] : table) {
    const std::string k(key.str());
    const std::string at = where + "." + k;
    if (k == "name")
      s.name = text(at, value);
    else if (k == "type") {
      const auto type = text(at, value);
      if (type == "syslog-udp")
        s.kind = SourceConfig::Kind::syslog_udp;
      else if (type == "syslog-tcp")
        s.kind = SourceConfig::Kind::syslog_tcp;
      else if (type == "file")
        s.kind = SourceConfig::Kind::file;
      else if (type == "http")
        s.kind = SourceConfig::Kind::http;
      else
        fail(at, "'" + type + "' is not a source type (syslog-udp, syslog-tcp, file, http)");
      typed = true;
    } else if (k == "listen")
      s.listen = text(at, value);
    else if (k == "path")
      s.path = text(at, value);
    else if (k == "max_line_bytes")
      s.max_line_bytes = static_cast<std::size_t>(std::max<std::int64_t>(0, integer(at, value)));
    else
      fail(at, "unknown option");
  }
  if (!typed) fail(where + ".type", "is required (syslog-udp, syslog-tcp, file or http)");
  return s;
}

CommandActionConfig parse_action(const std::string& where, const toml::table& table) {
  CommandActionConfig a;
  for (const auto& [key, value] : table) {
    const std::string k(key.str());
    const std::string at = where + "." + k;
    if (k == "name")
      a.name = text(at, value);
    else if (k == "type") {
      if (text(at, value) != "command") fail(at, "only \"command\" actions can be defined");
    } else if (k == "ban")
      a.ban = strings(at, value);
    else if (k == "unban")
      a.unban = strings(at, value);
    else
      fail(at, "unknown option");
  }
  return a;
}

// A header value: a string, or { env = "NAME" } / { file = "/path" } for a secret kept out of
// custos.toml. Messages name where the value should come from, never the value.
std::string header_value(const std::string& where, const toml::node& node) {
  if (node.is_string()) return *node.value<std::string>();
  const auto* from = node.as_table();
  if (from == nullptr || from->size() != 1)
    fail(where, "must be a string, { env = \"VARIABLE\" } or { file = \"/path\" }");
  const std::string kind(from->cbegin()->first.str());
  const std::string source = text(where + "." + kind, *from->get(kind));
  if (kind == "env") {
    const char* v = std::getenv(source.c_str());
    if (v == nullptr || *v == '\0')
      fail(where, "the environment variable " + source + " is not set");
    return v;
  }
  if (kind == "file") {
    std::ifstream in(source, std::ios::binary);
    if (!in) fail(where, "cannot read " + source);
    std::ostringstream content;
    content << in.rdbuf();
    std::string v = content.str();
    while (!v.empty() && (v.back() == '\n' || v.back() == '\r' || v.back() == ' ')) v.pop_back();
    if (v.empty()) fail(where, source + " is empty");
    return v;
  }
  fail(where, "must be a string, { env = \"VARIABLE\" } or { file = \"/path\" }");
}

WebhookConfig parse_webhook(const std::string& where, const toml::table& table) {
  WebhookConfig w;
  for (const auto& [key, value] : table) {
    const std::string k(key.str());
    const std::string at = where + "." + k;
    if (k == "name")
      w.name = text(at, value);
    else if (k == "url")
      w.url = text(at, value);
    else if (k == "headers") {
      const auto* headers = value.as_table();
      if (headers == nullptr)
        fail(at, "must be a table, e.g. { Authorization = { env = \"SOC_TOKEN\" } }");
      for (const auto& [name, v] : *headers) {
        const std::string header(name.str());
        w.headers.emplace_back(header, header_value(at + "." + header, v));
      }
    } else if (k == "timeout")
      w.timeout = duration(at, value);
    else if (k == "retries")
      w.retries = static_cast<int>(std::clamp<std::int64_t>(integer(at, value), -1, 1000));
    else
      fail(at, "unknown option");
  }
  if (w.url.empty()) fail(where + ".url", "is required (an http:// or https:// URL)");
  return w;
}

JailConfig parse_jail(const std::string& where, const toml::table& table) {
  JailConfig j;
  for (const auto& [key, value] : table) {
    const std::string k(key.str());
    const std::string at = where + "." + k;
    if (k == "name")
      j.name = text(at, value);
    else if (k == "filter")
      j.filter = text(at, value);
    else if (k == "filter_options") {
      const auto* options = value.as_table();
      if (options == nullptr) fail(at, "must be a table, e.g. { mode = \"aggressive\" }");
      for (const auto& [name, v] : *options)
        j.filter_options.emplace_back(std::string(name.str()),
                                      text(at + "." + std::string(name.str()), v));
    } else if (k == "sources")
      j.sources = strings(at, value);
    else if (k == "maxretry")
      j.maxretry = static_cast<int>(std::clamp<std::int64_t>(integer(at, value), -1, 1 << 30));
    else if (k == "findtime")
      j.findtime = duration(at, value);
    else if (k == "bantime")
      j.bantime = duration(at, value);
    else if (k == "bantime_max")
      j.bantime_max = duration(at, value);
    else if (k == "bantime_factor") {
      if (value.is_integer())
        j.bantime_factor = static_cast<double>(*value.value<std::int64_t>());
      else if (value.is_floating_point())
        j.bantime_factor = *value.value<double>();
      else
        fail(at, "must be a number");
    } else if (k == "ignoreip")
      j.ignoreip = strings(at, value);
    else if (k == "actions")
      j.actions = strings(at, value);
    else if (k == "critical")
      j.critical = boolean(at, value);
    else if (k == "promote_after")
      j.promote_after = static_cast<int>(std::clamp<std::int64_t>(integer(at, value), -1, 1 << 30));
    else if (k == "promote_window")
      j.promote_window = duration(at, value);
    else if (k == "incident_category")
      j.incident_category = text(at, value);
    else if (k == "incident_subcategory")
      j.incident_subcategory = text(at, value);
    else if (k == "incident_impact")
      j.incident_impact = text(at, value);
    else if (k == "incident_urgency")
      j.incident_urgency = text(at, value);
    else
      fail(at, "unknown option");
  }
  return j;
}

}  // namespace

DetectionConfig parse_detection_config(const toml::table& detection) {
  DetectionConfig config;
  for (const auto& [key, value] : detection) {
    const std::string k(key.str());
    const std::string at = "detection." + k;
    if (k == "dry_run")
      config.dry_run = boolean(at, value);
    else if (k == "nft")
      config.nft = text(at, value);
    else if (k == "table")
      config.table = text(at, value);
    else if (k == "max_tracked")
      config.max_tracked = static_cast<std::size_t>(std::max<std::int64_t>(0, integer(at, value)));
    else if (k == "sources")
      each_entry(at, value, [&](const std::string& w, const toml::table& t) {
        config.sources.push_back(parse_source(w, t));
      });
    else if (k == "actions")
      each_entry(at, value, [&](const std::string& w, const toml::table& t) {
        config.commands.push_back(parse_action(w, t));
      });
    else if (k == "webhooks")
      each_entry(at, value, [&](const std::string& w, const toml::table& t) {
        config.webhooks.push_back(parse_webhook(w, t));
      });
    else if (k == "jails")
      each_entry(at, value, [&](const std::string& w, const toml::table& t) {
        config.jails.push_back(parse_jail(w, t));
      });
    else
      fail(at, "unknown setting");
  }
  return config;
}

}  // namespace custos::detection
