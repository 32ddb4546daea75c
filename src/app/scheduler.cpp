#include "app/scheduler.hpp"

#include <spdlog/spdlog.h>

#include "util/time.hpp"

namespace custos::app {

IncidentScheduler::IncidentScheduler(incidents::EscalationService& escalation,
                                     incidents::IncidentService& incidents,
                                     incidents::RegulatoryClocks& regulatory,
                                     SchedulerOptions options)
    : escalation_(escalation), incidents_(incidents), regulatory_(regulatory), options_(options) {
  thread_ = std::thread([this] { loop(); });
}

IncidentScheduler::~IncidentScheduler() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

void IncidentScheduler::run_once() {
  try {
    const auto r = escalation_.sweep(util::now_ms(), [this] { return !stop_.load(); });
    if (r.steps > 0) {
      spdlog::info(
          "sla sweep: {} escalation step(s) on {} incident(s), {} notification(s), {} incident(s) "
          "looked at in {:.3f} s",
          r.steps, r.escalated, r.notifications, r.incidents, r.seconds);
    } else if (r.incidents > 0) {
      spdlog::debug("sla sweep: {} incident(s) looked at, nothing due, {:.3f} s", r.incidents,
                    r.seconds);
    }
  } catch (const std::exception& e) {
    spdlog::warn("sla sweep failed (retried next round): {}", e.what());
  }
  try {
    const auto r = regulatory_.sweep(util::now_ms(), [this] { return !stop_.load(); });
    if (r.reminders > 0) {
      spdlog::info("regulatory sweep: {} reminder(s), {} obligation(s) overdue, {} notification(s)",
                   r.reminders, r.overdue, r.notifications);
    }
  } catch (const std::exception& e) {
    spdlog::warn("regulatory sweep failed (retried next round): {}", e.what());
  }
  if (options_.auto_close_days <= 0 || stop_) return;
  try {
    const int closed =
        incidents_.close_resolved(std::int64_t{options_.auto_close_days} * 86'400'000);
    if (closed > 0)
      spdlog::info("closed {} incident(s) resolved over {} day(s) ago", closed,
                   options_.auto_close_days);
  } catch (const std::exception& e) {
    spdlog::warn("automatic closure failed (retried next round): {}", e.what());
  }
}

void IncidentScheduler::loop() {
  std::unique_lock lock(mutex_);
  do {
    lock.unlock();
    run_once();
    lock.lock();
  } while (!cv_.wait_for(lock, options_.interval, [this] { return stop_.load(); }));
}

EvidenceScheduler::EvidenceScheduler(evidence::EvidenceService& evidence,
                                     std::chrono::seconds interval,
                                     std::chrono::seconds first_delay)
    : evidence_(evidence), interval_(interval), first_delay_(first_delay) {
  thread_ = std::thread([this] {
    std::unique_lock lock(mutex_);
    auto wait = first_delay_;
    while (!cv_.wait_for(lock, wait, [this] { return stop_.load(); })) {
      lock.unlock();
      run_once();
      lock.lock();
      wait = interval_;
    }
  });
}

EvidenceScheduler::~EvidenceScheduler() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

void EvidenceScheduler::run_once() {
  try {
    const auto r = evidence_.rehash([this] { return !stop_.load(); });
    if (r.mismatched > 0 || r.missing > 0) {
      spdlog::error(
          "evidence re-hash: {} item(s) checked, {} MISMATCHED, {} MISSING ({} bytes, {:.1f} s)",
          r.checked, r.mismatched, r.missing, r.bytes, r.seconds);
    } else if (r.checked > 0) {
      spdlog::info("evidence re-hash: {} item(s) intact ({} bytes, {:.1f} s)", r.checked,
                   r.bytes, r.seconds);
    }
  } catch (const std::exception& e) {
    spdlog::warn("evidence re-hash failed (retried next round): {}", e.what());
  }
}

}  // namespace custos::app
