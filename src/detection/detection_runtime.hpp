#pragma once
// Everything live detection needs, built from [detection] in custos.toml: the jails and their
// filters (the detector), the actions, the ban service, and the syslog listeners. The server
// builds it with its routes (filters are compiled then, so a broken jail stops start-up with
// a message naming it), starts it once the database is ready and stops it before shutdown.
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "audit/audit_log.hpp"
#include "detection/bans/actions.hpp"
#include "detection/bans/account_lock_action.hpp"
#include "detection/bans/ban_service.hpp"
#include "detection/bans/webhook_action.hpp"
#include "detection/engine/detector.hpp"
#include "detection/inputs/file_follower.hpp"
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

  // Prometheus lines: per jail and per source counters, tracked addresses, evictions, bans.
  void append_metrics(std::string& out) const;

 private:
  DetectionConfig config_;
  CommandRunner runner_;
  std::vector<std::unique_ptr<BanAction>> actions_;
  std::vector<WebhookAction*> webhooks_;  // among actions_, for their metrics
  std::unique_ptr<BanService> bans_;
  std::unique_ptr<Detector> detector_;
  store::Database& db_;
  std::vector<std::unique_ptr<SyslogServer>> sources_;
  std::vector<std::unique_ptr<FileFollower>> files_;
};

}  // namespace custos::detection
