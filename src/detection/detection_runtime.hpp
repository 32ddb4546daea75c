#pragma once
// Everything live detection needs, built from [detection] in custos.toml: the jails and their
// filters (the detector), the actions, the ban service, the syslog listeners, followed files
// and HTTP ingest sources. The server builds it with its routes (filters are compiled then, so
// a broken jail stops start-up with a message naming it), starts it once the database is
// ready and stops it before shutdown.
//
// Rules reload without a restart (SIGHUP or POST /api/v1/detection/reload): jails, their
// filters and the command actions; the sources and the nftables settings need a restart.
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <vector>

#include "audit/audit_log.hpp"
#include "detection/bans/account_lock_action.hpp"
#include "detection/bans/actions.hpp"
#include "detection/bans/ban_service.hpp"
#include "detection/bans/webhook_action.hpp"
#include "detection/engine/detector.hpp"
#include "detection/inputs/file_follower.hpp"
#include "detection/inputs/http_ingest.hpp"
#include "detection/inputs/syslog_server.hpp"
#include "detection/jails/jail_config.hpp"
#include "store/database.hpp"

namespace custos::detection {

class DetectionRuntime {
 public:
  // Throws std::runtime_error naming the jail and option for an invalid filter.
  DetectionRuntime(const DetectionConfig& config, store::Database& db,
                   const audit::AuditLog& audit);
  ~DetectionRuntime();

  // Re-applies active bans, then opens the sources. Throws when a source cannot listen.
  void start();
  void stop();

  [[nodiscard]] BanService& bans() { return *bans_; }
  [[nodiscard]] Detector& detector() { return *detector_; }
  // The port a source listens on (tests configure port 0); 0 when unknown.
  [[nodiscard]] std::uint16_t port_of(const std::string& source) const;

  // The http source of that name; nullptr when there is none (or it is another kind).
  [[nodiscard]] HttpIngestSource* http_source(const std::string& name) const;
  [[nodiscard]] bool has_source(const std::string& name) const;

  // Re-reads [detection] (and so every filter file) through the loader the server set.
  // A jail named again keeps its failure counts and bans, a new one starts empty, a removed
  // one makes no more bans (its active bans run out as made). Audited as detection.reload.
  // Throws ReloadRefused naming the file, option and problem; then nothing has changed.
  using ConfigLoader = std::function<DetectionConfig()>;
  void set_config_loader(ConfigLoader loader) { loader_ = std::move(loader); }
  struct ReloadRefused : std::runtime_error {
    using std::runtime_error::runtime_error;
  };
  struct NoConfigFile : std::runtime_error {
    using std::runtime_error::runtime_error;
  };
  Detector::Reloaded reload(const std::string& actor);
  Detector::Reloaded reload(const DetectionConfig& config, const std::string& actor);

  struct JailStatus {
    JailConfig config;
    Jail::Stats stats;
    std::size_t active_bans = 0;
  };
  [[nodiscard]] std::vector<JailStatus> jails() const;

  // Prometheus lines: per jail and per source counters, tracked addresses, evictions, bans.
  void append_metrics(std::string& out) const;

 private:
  // The actions a configuration names, by name; new objects are kept in actions_.
  std::map<std::string, BanAction*> make_actions(const DetectionConfig& config);
  // jail → its actions, and jail → its settings, as the ban service takes them.
  static std::map<std::string, std::vector<BanAction*>> jail_actions(
      const DetectionConfig& config, const std::map<std::string, BanAction*>& by_name);
  static std::map<std::string, JailConfig> jails_by_name(const DetectionConfig& config);

  DetectionConfig config_;  // as last loaded; under reload_mutex_
  mutable std::mutex reload_mutex_;
  ConfigLoader loader_;
  const audit::AuditLog& audit_;
  CommandRunner runner_;
  // Every action object made, also those a reload replaced: the bans of a removed jail are
  // still lifted through them. nftables is made once (reloads keep the table as it is).
  std::vector<std::unique_ptr<BanAction>> actions_;
  std::vector<WebhookAction*> webhooks_;  // among actions_, for their metrics
  BanAction* account_lock_ = nullptr;     // lock-account, made once
  BanAction* nftables_ = nullptr;
  std::unique_ptr<BanService> bans_;
  std::unique_ptr<Detector> detector_;
  store::Database& db_;
  std::vector<std::unique_ptr<SyslogServer>> sources_;
  std::vector<std::unique_ptr<FileFollower>> files_;
  std::map<std::string, std::unique_ptr<HttpIngestSource>> http_sources_;
};

}  // namespace custos::detection
