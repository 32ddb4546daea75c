#include "detection/detection_runtime.hpp"

#include <algorithm>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <spdlog/spdlog.h>

#include "util/time.hpp"

namespace custos::detection {

namespace {

void metric(std::string& out, const std::string& name, const char* type, const char* help,
            const std::vector<std::pair<std::string, double>>& samples) {
  out += "# HELP " + name + " " + help + "\n# TYPE " + name + " " + type + "\n";
  for (const auto& [labels, value] : samples) {
    out += name + labels + " " + std::to_string(static_cast<std::uint64_t>(value)) + "\n";
  }
}

}  // namespace

DetectionRuntime::DetectionRuntime(const DetectionConfig& config, store::Database& db,
                                   const audit::AuditLog& audit)
    : config_(config), audit_(audit), runner_(config.dry_run), db_(db) {
  actions_.push_back(std::make_unique<NftablesAction>(runner_, config_.nft, config_.table));
  nftables_ = actions_.back().get();
  const auto by_name = make_actions(config_);
  bans_ =
      std::make_unique<BanService>(db, audit, jails_by_name(config_),
                                   jail_actions(config_, by_name), [] { return util::now_ms(); });
  detector_ =
      std::make_unique<Detector>(config_, [this](BanRequest r) { bans_->request(std::move(r)); });
  // Ready before start(): the HTTP server may take requests while the rest starts.
  for (const auto& s : config_.sources) {
    if (s.kind == SourceConfig::Kind::http)
      http_sources_[s.name] = std::make_unique<HttpIngestSource>(s, detector_->pipeline(s.name));
  }
}

std::map<std::string, BanAction*> DetectionRuntime::make_actions(const DetectionConfig& config) {
  std::map<std::string, BanAction*> by_name;
  by_name["nftables"] = nftables_;
  for (const auto& c : config.commands) {
    actions_.push_back(std::make_unique<CommandAction>(runner_, c));
    by_name[c.name] = actions_.back().get();
  }
  // A webhook whose settings a reload did not change is kept, with its queue and counters;
  // /metrics shows the webhooks configured now.
  std::vector<WebhookAction*> webhooks;
  for (const auto& w : config.webhooks) {
    auto same = std::find_if(webhooks_.begin(), webhooks_.end(),
                             [&](const WebhookAction* h) { return h->config() == w; });
    if (same == webhooks_.end()) {
      actions_.push_back(std::make_unique<WebhookAction>(w, config.dry_run));
      webhooks.push_back(static_cast<WebhookAction*>(actions_.back().get()));
    } else {
      webhooks.push_back(*same);
    }
    by_name[w.name] = webhooks.back();
  }
  webhooks_ = std::move(webhooks);
  if (account_lock_ == nullptr) {
    actions_.push_back(std::make_unique<AccountLockAction>(db_, audit_, config.dry_run,
                                                           [] { return util::now_ms(); }));
    account_lock_ = actions_.back().get();
  }
  by_name["lock-account"] = account_lock_;
  return by_name;
}

std::map<std::string, std::vector<BanAction*>> DetectionRuntime::jail_actions(
    const DetectionConfig& config, const std::map<std::string, BanAction*>& by_name) {
  std::map<std::string, std::vector<BanAction*>> out;
  for (const auto& j : config.jails) {
    auto& list = out[j.name];
    for (const auto& a : j.actions) list.push_back(by_name.at(a));
  }
  return out;
}

std::map<std::string, JailConfig> DetectionRuntime::jails_by_name(const DetectionConfig& config) {
  std::map<std::string, JailConfig> out;
  for (const auto& j : config.jails) out[j.name] = j;
  return out;
}

DetectionRuntime::~DetectionRuntime() { stop(); }

void DetectionRuntime::start() {
  if (config_.jails.empty() && config_.sources.empty()) return;
  if (config_.dry_run) {
    spdlog::info(
        "detection: dry-run: actions are logged as 'detection dry-run: <command>', not run");
  }
  bans_->start();
  for (const auto& s : config_.sources) {
    if (s.kind == SourceConfig::Kind::http) continue;  // made in the constructor
    if (s.kind == SourceConfig::Kind::file) {
      files_.push_back(std::make_unique<FileFollower>(s, detector_->pipeline(s.name), db_));
    } else {
      sources_.push_back(std::make_unique<SyslogServer>(s, detector_->pipeline(s.name)));
    }
  }
}

void DetectionRuntime::stop() {
  sources_.clear();  // stops reading first, so no new bans are requested
  files_.clear();    // (and stores where each file was read up to)
  if (bans_) bans_->stop();
}

HttpIngestSource* DetectionRuntime::http_source(const std::string& name) const {
  auto it = http_sources_.find(name);
  return it == http_sources_.end() ? nullptr : it->second.get();
}

bool DetectionRuntime::has_source(const std::string& name) const {
  std::lock_guard lock(reload_mutex_);
  return std::any_of(config_.sources.begin(), config_.sources.end(),
                     [&](const SourceConfig& s) { return s.name == name; });
}

Detector::Reloaded DetectionRuntime::reload(const std::string& actor) {
  if (!loader_) {
    throw NoConfigFile(
        "custos was started without --config: there is no configuration file to reload");
  }
  DetectionConfig config;
  try {
    config = loader_();
  } catch (const std::exception& e) {
    throw ReloadRefused(e.what());
  }
  return reload(config, actor);
}

namespace {

// Sources and the nftables table are set up once; a reload that would change them is refused.
void check_restart_settings(const DetectionConfig& running, const DetectionConfig& next) {
  auto refuse = [](const std::string& where, const std::string& what) {
    throw DetectionRuntime::ReloadRefused(where + ": " + what +
                                          "; this needs a restart (nothing was reloaded)");
  };
  for (const auto& s : next.sources) {
    auto it = std::find_if(running.sources.begin(), running.sources.end(),
                           [&](const SourceConfig& r) { return r.name == s.name; });
    if (it == running.sources.end()) refuse("detection.sources[" + s.name + "]", "is a new source");
    if (!(*it == s)) refuse("detection.sources[" + s.name + "]", "has changed");
  }
  for (const auto& r : running.sources) {
    if (std::none_of(next.sources.begin(), next.sources.end(),
                     [&](const SourceConfig& s) { return s.name == r.name; }))
      refuse("detection.sources[" + r.name + "]", "was removed");
  }
  if (next.dry_run != running.dry_run) refuse("detection.dry_run", "has changed");
  if (next.nft != running.nft) refuse("detection.nft", "has changed");
  if (next.table != running.table) refuse("detection.table", "has changed");
}

nlohmann::json names(const std::vector<std::string>& list) { return nlohmann::json(list); }

}  // namespace

Detector::Reloaded DetectionRuntime::reload(const DetectionConfig& config,
                                            const std::string& actor) {
  std::lock_guard lock(reload_mutex_);
  try {
    validate(config);
  } catch (const std::exception& e) {
    throw ReloadRefused(e.what());
  }
  check_restart_settings(config_, config);
  Detector::Reloaded changes;
  const std::size_t made_before = actions_.size();
  const auto webhooks_before = webhooks_;
  std::map<std::string, BanAction*> by_name;
  try {
    by_name = make_actions(config);
    changes = detector_->reload(config);  // compiles every filter first: throws, or all is done
  } catch (const std::exception& e) {
    webhooks_ = webhooks_before;
    actions_.resize(made_before);  // the actions made for the refused configuration go
    throw ReloadRefused(e.what());
  }
  for (std::size_t i = made_before; i < actions_.size(); ++i) actions_[i]->setup();
  bans_->reconfigure(jails_by_name(config), jail_actions(config, by_name));
  config_ = config;
  spdlog::info("detection: rules reloaded by {}: {} jail(s); added [{}], removed [{}]", actor,
               config.jails.size(), fmt::join(changes.added, ", "),
               fmt::join(changes.removed, ", "));
  try {
    db_.write([&](store::Connection& c) {
      nlohmann::json detail = {{"added", names(changes.added)},
                               {"kept", names(changes.kept)},
                               {"removed", names(changes.removed)}};
      audit_.append(c, {actor, "detection.reload", "detection", "jails", detail});
    });
  } catch (const std::exception& e) {
    spdlog::error("detection: the reload by {} was applied but not audited: {}", actor, e.what());
  }
  return changes;
}

std::vector<DetectionRuntime::JailStatus> DetectionRuntime::jails() const {
  const auto active = bans_->active_by_jail();
  std::vector<JailStatus> out;
  for (const auto& jail : detector_->jails()) {
    JailStatus s{jail->config(), jail->stats(), 0};
    if (auto it = active.find(jail->name()); it != active.end()) s.active_bans = it->second;
    out.push_back(std::move(s));
  }
  return out;
}

std::uint16_t DetectionRuntime::port_of(const std::string& source) const {
  for (const auto& s : sources_) {
    if (s->config().name == source) return s->port();
  }
  return 0;
}

void DetectionRuntime::append_metrics(std::string& out) const {
  std::lock_guard lock(reload_mutex_);  // a reload replaces config_ and webhooks_
  if (config_.jails.empty() && config_.sources.empty()) return;
  std::vector<std::pair<std::string, double>> failures, tracked, evictions, ignored, requests;
  for (const auto& jail : detector_->jails()) {
    const auto s = jail->stats();
    const std::string label = "{jail=\"" + jail->name() + "\"}";
    failures.emplace_back(label, static_cast<double>(s.failures));
    tracked.emplace_back(label, static_cast<double>(s.tracked));
    evictions.emplace_back(label, static_cast<double>(s.evictions));
    ignored.emplace_back(label, static_cast<double>(s.ignored));
    requests.emplace_back(label, static_cast<double>(s.ban_requests));
  }
  metric(out, "custos_detection_failures_total", "counter", "Failures counted by each jail.",
         failures);
  metric(out, "custos_detection_tracked_addresses", "gauge",
         "Addresses whose failures a jail is counting now.", tracked);
  metric(out, "custos_detection_evictions_total", "counter",
         "Addresses a jail stopped counting to stay within detection.max_tracked.", evictions);
  metric(out, "custos_detection_ignored_total", "counter", "Failures of ignoreip addresses.",
         ignored);
  metric(out, "custos_detection_ban_requests_total", "counter", "Addresses that reached maxretry.",
         requests);
  std::vector<std::pair<std::string, double>> messages, oversized, bad_frames;
  for (const auto& s : sources_) {
    const std::string label = "{source=\"" + s->config().name + "\"}";
    messages.emplace_back(label, static_cast<double>(s->stats().messages.load()));
    oversized.emplace_back(label, static_cast<double>(s->stats().oversized.load()));
    bad_frames.emplace_back(label, static_cast<double>(s->stats().bad_frames.load()));
  }
  std::vector<std::pair<std::string, double>> rotations;
  for (const auto& f : files_) {
    const std::string label = "{source=\"" + f->config().name + "\"}";
    messages.emplace_back(label, static_cast<double>(f->stats().lines.load()));
    oversized.emplace_back(label, static_cast<double>(f->stats().oversized.load()));
    rotations.emplace_back(
        label, static_cast<double>(f->stats().rotations.load() + f->stats().truncations.load()));
  }
  std::vector<std::pair<std::string, double>> rejected;
  for (const auto& [name, h] : http_sources_) {
    const std::string label = "{source=\"" + name + "\"}";
    messages.emplace_back(label, static_cast<double>(h->stats().messages.load()));
    oversized.emplace_back(label, static_cast<double>(h->stats().oversized.load()));
    rejected.emplace_back(label, static_cast<double>(h->stats().rejected.load()));
  }
  metric(out, "custos_detection_messages_total", "counter", "Messages received by each source.",
         messages);
  metric(out, "custos_detection_rejected_total", "counter",
         "NDJSON lines an http source rejected (JSON, UTF-8 or fields; not for length).", rejected);
  metric(out, "custos_detection_oversized_total", "counter",
         "Messages dropped for exceeding max_line_bytes.", oversized);
  metric(out, "custos_detection_bad_frames_total", "counter",
         "TCP frames whose octet count was invalid (the connection was closed).", bad_frames);
  metric(out, "custos_detection_file_reopens_total", "counter",
         "Followed files found rotated or truncated.", rotations);
  const auto b = bans_->stats();
  metric(out, "custos_detection_bans_total", "counter", "Bans made.",
         {{"", static_cast<double>(b.bans)}});
  metric(out, "custos_detection_bans_active", "gauge", "Bans in force now.",
         {{"", static_cast<double>(b.active)}});
  metric(out, "custos_detection_bans_expired_total", "counter", "Bans lifted on expiry.",
         {{"", static_cast<double>(b.expired)}});
  metric(out, "custos_detection_bans_lifted_total", "counter", "Bans lifted by an administrator.",
         {{"", static_cast<double>(b.lifted)}});
  std::vector<std::pair<std::string, double>> delivered, retries, failed, dropped;
  for (const auto* w : webhooks_) {
    const std::string label = "{webhook=\"" + w->name() + "\"}";
    delivered.emplace_back(label, static_cast<double>(w->stats().delivered.load()));
    retries.emplace_back(label, static_cast<double>(w->stats().retries.load()));
    failed.emplace_back(label, static_cast<double>(w->stats().failed.load()));
    dropped.emplace_back(label, static_cast<double>(w->stats().dropped.load()));
  }
  if (!webhooks_.empty()) {
    metric(out, "custos_detection_webhook_delivered_total", "counter",
           "Ban and lift notifications a webhook receiver accepted (2xx).", delivered);
    metric(out, "custos_detection_webhook_retries_total", "counter",
           "Webhook attempts that failed and were tried again.", retries);
    metric(out, "custos_detection_webhook_failures_total", "counter",
           "Webhook notifications given up after their last retry.", failed);
    metric(out, "custos_detection_webhook_dropped_total", "counter",
           "Webhook notifications not sent: the queue was full or custos stopped.", dropped);
  }
  out +=
      "# HELP custos_detection_ban_latency_max_ms Longest time from the line that reached "
      "maxretry to the ban's first action.\n# TYPE custos_detection_ban_latency_max_ms gauge\n"
      "custos_detection_ban_latency_max_ms " +
      std::to_string(b.max_latency_ms) + "\n";
}

}  // namespace custos::detection
