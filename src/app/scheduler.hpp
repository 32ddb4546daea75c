#pragma once
// The incident jobs that run on a timer, on their own thread (never on an HTTP thread):
// the SLA escalation sweep, the regulatory deadline sweep (GDPR, NIS2) and the automatic
// closure of incidents resolved long enough ago.
// A failed round is logged and the next round simply tries again: the jobs work from what
// is stored, so nothing is lost or done twice by a missed or repeated round.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "evidence/evidence_service.hpp"
#include "incidents/escalation.hpp"
#include "incidents/incident_service.hpp"
#include "incidents/regulatory.hpp"

namespace custos::app {

struct SchedulerOptions {
  std::chrono::seconds interval{10};
  int auto_close_days = 5;  // 0: never close automatically
};

class IncidentScheduler {
 public:
  // Starts the thread; the first round runs at once (catching up after downtime).
  IncidentScheduler(incidents::EscalationService& escalation, incidents::IncidentService& incidents,
                    incidents::RegulatoryClocks& regulatory, SchedulerOptions options);
  // Stops between two batches of a sweep, at the latest after the batch in progress.
  ~IncidentScheduler();
  IncidentScheduler(const IncidentScheduler&) = delete;
  IncidentScheduler& operator=(const IncidentScheduler&) = delete;

  // One round of every job; exceptions are logged, never thrown.
  void run_once();

 private:
  void loop();

  incidents::EscalationService& escalation_;
  incidents::IncidentService& incidents_;
  incidents::RegulatoryClocks& regulatory_;
  SchedulerOptions options_;
  std::mutex mutex_;
  std::condition_variable cv_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

// Re-hashes all stored evidence every `interval` (the first round a minute after start, so
// start-up stays quick) and reports what no longer matches its recorded hashes: an audit entry
// and a notification to the security managers, once per finding (EvidenceService::rehash).
class EvidenceScheduler {
 public:
  EvidenceScheduler(evidence::EvidenceService& evidence, std::chrono::seconds interval,
                    std::chrono::seconds first_delay = std::chrono::seconds(60));
  // Stops between two items of a round.
  ~EvidenceScheduler();
  EvidenceScheduler(const EvidenceScheduler&) = delete;
  EvidenceScheduler& operator=(const EvidenceScheduler&) = delete;

  // One round; exceptions are logged, never thrown.
  void run_once();

 private:
  evidence::EvidenceService& evidence_;
  std::chrono::seconds interval_, first_delay_;
  std::mutex mutex_;
  std::condition_variable cv_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace custos::app
