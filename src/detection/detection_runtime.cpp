#include "detection/detection_runtime.hpp"

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
    : config_(config), runner_(config.dry_run), db_(db) {
  std::map<std::string, BanAction*> by_name;
  actions_.push_back(std::make_unique<NftablesAction>(runner_, config_.nft, config_.table));
  by_name["nftables"] = actions_.back().get();
  for (const auto& c : config_.commands) {
    actions_.push_back(std::make_unique<CommandAction>(runner_, c));
    by_name[c.name] = actions_.back().get();
  }
  for (const auto& w : config_.webhooks) {
    auto webhook = std::make_unique<WebhookAction>(w, config_.dry_run);
    webhooks_.push_back(webhook.get());
    by_name[w.name] = webhook.get();
    actions_.push_back(std::move(webhook));
  }
  actions_.push_back(std::make_unique<AccountLockAction>(db, audit, config_.dry_run,
                                                         [] { return util::now_ms(); }));
  by_name["lock-account"] = actions_.back().get();
  std::map<std::string, JailConfig> jails;
  std::map<std::string, std::vector<BanAction*>> jail_actions;
  for (const auto& j : config_.jails) {
    jails[j.name] = j;
    for (const auto& a : j.actions) jail_actions[j.name].push_back(by_name.at(a));
  }
  bans_ = std::make_unique<BanService>(db, audit, std::move(jails), std::move(jail_actions),
                                       [] { return util::now_ms(); });
  detector_ =
      std::make_unique<Detector>(config_, [this](BanRequest r) { bans_->request(std::move(r)); });
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

std::uint16_t DetectionRuntime::port_of(const std::string& source) const {
  for (const auto& s : sources_) {
    if (s->config().name == source) return s->port();
  }
  return 0;
}

void DetectionRuntime::append_metrics(std::string& out) const {
  if (config_.jails.empty() && config_.sources.empty()) return;
  std::vector<std::pair<std::string, double>> failures, tracked, evictions, ignored, requests;
  for (const auto& jail : detector_->jails()) {
    const auto s = jail->stats();
    const std::string label = "{jail=\"" + jail->config().name + "\"}";
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
  metric(out, "custos_detection_messages_total", "counter", "Messages received by each source.",
         messages);
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
