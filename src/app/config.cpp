#include "app/config.hpp"

#include <charconv>
#include <cstdlib>
#include <functional>
#include <map>
#include <stdexcept>

#include <toml++/toml.h>

#include "detection/jails/jail_config_toml.hpp"

namespace custos::app {

namespace {

// One entry per setting: its TOML path, environment variable, and how to apply a value.
struct Setting {
  const char* path;  // "server.listen"
  std::function<void(Config&, const toml::node&)> from_toml;
  std::function<void(Config&, const std::string&)> from_env;
};

[[noreturn]] void fail(const std::string& where, const std::string& what) {
  throw std::runtime_error(where + ": " + what);
}

std::int64_t to_int(const std::string& where, const std::string& text, std::int64_t min,
                    std::int64_t max) {
  std::int64_t v = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc{} || p != text.data() + text.size())
    fail(where, "'" + text + "' is not an integer");
  if (v < min || v > max) {
    fail(where, "must be between " + std::to_string(min) + " and " + std::to_string(max));
  }
  return v;
}

bool to_bool(const std::string& where, const std::string& text) {
  if (text == "true" || text == "1" || text == "yes") return true;
  if (text == "false" || text == "0" || text == "no") return false;
  fail(where, "'" + text + "' is not true or false");
}

template <class T>
Setting integer(const char* path, T Config::*field, std::int64_t min, std::int64_t max) {
  return {path,
          [=](Config& c, const toml::node& n) {
            auto v = n.value<std::int64_t>();
            if (!v || n.type() != toml::node_type::integer) fail(path, "must be an integer");
            c.*field = static_cast<T>(to_int(path, std::to_string(*v), min, max));
          },
          [=](Config& c, const std::string& s) {
            c.*field = static_cast<T>(to_int(path, s, min, max));
          }};
}

Setting string(const char* path, std::string Config::*field) {
  return {path,
          [=](Config& c, const toml::node& n) {
            auto v = n.value<std::string>();
            if (!v || n.type() != toml::node_type::string) fail(path, "must be a string");
            c.*field = *v;
          },
          [=](Config& c, const std::string& s) { c.*field = s; }};
}

Setting boolean(const char* path, bool Config::*field) {
  return {path,
          [=](Config& c, const toml::node& n) {
            auto v = n.value<bool>();
            if (!v || n.type() != toml::node_type::boolean) fail(path, "must be true or false");
            c.*field = *v;
          },
          [=](Config& c, const std::string& s) { c.*field = to_bool(path, s); }};
}

const std::vector<Setting>& settings() {
  static const std::vector<Setting> all = {
      string("server.listen", &Config::listen),
      integer("server.io_threads", &Config::io_threads, 1, 64),
      integer("server.worker_threads", &Config::worker_threads, 1, 256),
      integer("server.max_body_bytes", &Config::max_body_bytes, 1024, 1LL << 30),
      integer("server.max_header_bytes", &Config::max_header_bytes, 1024, 1 << 20),
      integer("server.max_connections", &Config::max_connections, 1, 1'000'000),
      integer("server.header_timeout_seconds", &Config::header_timeout_seconds, 1, 3600),
      integer("server.body_timeout_seconds", &Config::body_timeout_seconds, 1, 86400),
      string("server.tls_certificate", &Config::tls_certificate),
      string("server.tls_private_key", &Config::tls_private_key),
      boolean("server.access_log", &Config::access_log),
      string("server.log_level", &Config::log_level),
      {"storage.data_dir",
       [](Config& c, const toml::node& n) {
         auto v = n.value<std::string>();
         if (!v) fail("storage.data_dir", "must be a string");
         c.data_dir = *v;
       },
       [](Config& c, const std::string& s) { c.data_dir = s; }},
      string("storage.database_url", &Config::database_url),
      integer("storage.database_pool", &Config::database_pool, 1, 256),
      integer("auth.session_hours", &Config::session_hours, 1, 24 * 30),
      string("auth.password_hashing", &Config::password_hashing),
      string("auth.totp_issuer", &Config::totp_issuer),
      integer("auth.lockout_account_threshold", &Config::lockout_account_threshold, 1, 1000),
      integer("auth.lockout_address_threshold", &Config::lockout_address_threshold, 1, 100000),
      integer("auth.lockout_window_minutes", &Config::lockout_window_minutes, 1, 24 * 60),
      integer("auth.lockout_base_seconds", &Config::lockout_base_seconds, 1, 86400),
      integer("auth.lockout_max_minutes", &Config::lockout_max_minutes, 1, 7 * 24 * 60),
      integer("audit.checkpoint_every", &Config::checkpoint_every, 1, 1'000'000),
      integer("audit.checkpoint_interval_seconds", &Config::checkpoint_interval_seconds, 1, 86400),
      boolean("metrics.public", &Config::metrics_public),
      integer("incidents.max_attachment_bytes", &Config::max_attachment_bytes, 1, 1LL << 30),
      integer("incidents.auto_close_days", &Config::auto_close_days, 0, 3650),
      integer("incidents.sweep_interval_seconds", &Config::sweep_interval_seconds, 1, 3600),
      integer("evidence.max_upload_bytes", &Config::evidence_max_upload_bytes, 1, 1LL << 50),
      boolean("evidence.encrypt", &Config::evidence_encrypt),
      integer("evidence.rehash_interval_hours", &Config::evidence_rehash_interval_hours, 0, 8760),
      boolean("events.anonymous_reports", &Config::anonymous_reports),
      integer("events.anonymous_reports_per_hour", &Config::anonymous_reports_per_hour, 1, 10000),
      string("events.mail_domain", &Config::mail_domain),
      integer("events.mail_max_bytes", &Config::mail_max_bytes, 1024, 1LL << 30),
  };
  return all;
}

// "server.listen" → "CUSTOS_SERVER_LISTEN"
std::string env_name(const std::string& path) {
  std::string out = "CUSTOS_";
  for (char ch : path) out.push_back(ch == '.' ? '_' : static_cast<char>(std::toupper(ch)));
  return out;
}

}  // namespace

void validate_config(const Config& c) {
  split_listen(c.listen);
  if (c.password_hashing != "interactive" && c.password_hashing != "moderate" &&
      c.password_hashing != "minimum") {
    fail("auth.password_hashing", "must be interactive, moderate or minimum");
  }
  if (c.tls_certificate.empty() != c.tls_private_key.empty()) {
    fail("server.tls_certificate", "set both tls_certificate and tls_private_key, or neither");
  }
  detection::validate(c.detection);
}

std::string Config::effective_database_url() const {
  if (!database_url.empty()) return database_url;
  return "sqlite:" + (data_dir / "custos.db").string();
}

std::pair<std::string, std::uint16_t> split_listen(const std::string& listen) {
  const auto colon = listen.rfind(':');
  if (colon == std::string::npos || colon == 0) {
    throw std::runtime_error("listen address '" + listen +
                             "' must look like HOST:PORT, e.g. 127.0.0.1:8080");
  }
  std::string host = listen.substr(0, colon);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  const auto port = to_int("listen port", listen.substr(colon + 1), 0, 65535);
  return {host, static_cast<std::uint16_t>(port)};
}

Config load_config(const std::optional<std::filesystem::path>& file) {
  Config config;
  config.file = file;
  if (file) {
    toml::table table;
    try {
      table = toml::parse_file(file->string());
    } catch (const toml::parse_error& e) {
      const auto& where = e.source().begin;
      throw std::runtime_error(file->string() + ":" + std::to_string(where.line) + ":" +
                               std::to_string(where.column) + ": " + std::string(e.description()));
    }
    std::map<std::string, const Setting*> by_path;
    for (const auto& s : settings()) by_path[s.path] = &s;
    for (const auto& [section, node] : table) {
      const auto* inner = node.as_table();
      if (inner == nullptr)
        fail(file->string(), "'" + std::string(section.str()) + "' must be a [section]");
      if (section.str() == "detection") {
        try {
          config.detection = detection::parse_detection_config(*inner);
        } catch (const std::runtime_error& e) {
          fail(file->string(), e.what());
        }
        continue;
      }
      if (section.str() == "mail") {
        for (const auto& [key, value] : *inner) {
          const auto* imap = value.as_table();
          if (key.str() != "imap" || imap == nullptr)
            fail(file->string(), "unknown setting 'mail." + std::string(key.str()) + "'");
          try {
            config.imap = events::parse_imap_config(*imap);
          } catch (const std::runtime_error& e) {
            fail(file->string(), e.what());
          }
        }
        continue;
      }
      for (const auto& [key, value] : *inner) {
        const std::string path = std::string(section.str()) + "." + std::string(key.str());
        auto it = by_path.find(path);
        if (it == by_path.end()) fail(file->string(), "unknown setting '" + path + "'");
        try {
          it->second->from_toml(config, value);
        } catch (const std::runtime_error& e) {
          fail(file->string(), e.what());
        }
      }
    }
  }
  for (const auto& s : settings()) {
    const std::string name = env_name(s.path);
    if (const char* v = std::getenv(name.c_str()); v != nullptr && *v != '\0') {
      try {
        s.from_env(config, v);
      } catch (const std::runtime_error& e) {
        fail("environment " + name, e.what());
      }
    }
  }
  // Short aliases for the settings people set most.
  if (const char* v = std::getenv("CUSTOS_LISTEN"); v != nullptr && *v != '\0') config.listen = v;
  if (const char* v = std::getenv("CUSTOS_DATA_DIR"); v != nullptr && *v != '\0')
    config.data_dir = v;
  if (const char* v = std::getenv("CUSTOS_DB"); v != nullptr && *v != '\0') config.database_url = v;
  // Jails are only configured in the file; whether actions really run is worth an override.
  if (const char* v = std::getenv("CUSTOS_DETECTION_DRY_RUN"); v != nullptr && *v != '\0')
    config.detection.dry_run = to_bool("environment CUSTOS_DETECTION_DRY_RUN", v);
  validate_config(config);
  return config;
}

}  // namespace custos::app
