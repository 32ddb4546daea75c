#pragma once
// SLA monitoring: the sweep that fires escalation steps when a clock crosses a threshold.
//
// Which step a threshold fires is a fixed rule:
//   below 75 %      warning      the assignee, else the group's members, else the incident managers
//   75 % to < 100 % escalation   resolution clock: functional — the incident moves to its group's
//                                escalation group, one support level up; both clocks:
//                                hierarchical — the group's manager is notified (the incident
//                                managers when the group has none)
//   100 % and more  breach       the incident managers and the assignee
// With the default thresholds 50/75/100 that is warning, escalation, breach.
//
// Each (incident, clock, threshold) fires at most once, ever: the `escalations` row is
// inserted with ON CONFLICT DO NOTHING and the step acts only when the insert did, in the
// same transaction. So a restart, a second server sweeping the same database, or a retried
// transaction can never notify twice. Only running clocks of open incidents fire: a clock met
// or held (pending) fires nothing, and a clock that was met late does not alert afterwards.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "incidents/incident.hpp"
#include "incidents/settings.hpp"
#include "incidents/sla.hpp"
#include "store/database.hpp"

namespace custos::audit {
class AuditLog;
}

namespace custos::incidents {

class IncidentService;

enum class StepKind : std::uint8_t { warning, escalation, breach };

inline constexpr int kEscalationPercent = 75;
inline constexpr int kBreachPercent = 100;

[[nodiscard]] StepKind step_kind(int threshold_percent);
[[nodiscard]] std::string_view step_kind_name(StepKind kind);  // "warning", ...
[[nodiscard]] std::string_view clock_name(SlaKind clock);      // "response", "resolution"

struct EscalationStep {
  SlaKind clock = SlaKind::resolution;
  int threshold = 0;
  friend bool operator==(const EscalationStep&, const EscalationStep&) = default;
};

// The steps due now, in firing order (response before resolution, ascending thresholds):
// thresholds crossed by a running clock of an open incident, above the highest one `fired`
// on that clock (so thresholds added to the policy later do not fire in retrospect).
[[nodiscard]] std::vector<EscalationStep> due_steps(const Incident& incident,
                                                    const SlaSnapshot& snapshot,
                                                    const std::vector<EscalationStep>& fired);

// When the sweep must next look at the incident: now while a step is due, else when the next
// threshold will be crossed; nullopt for incidents that are not open or whose clocks are all
// held or met.
[[nodiscard]] std::optional<std::int64_t> next_escalation_at(const Incident& incident,
                                                             const SlaSnapshot& snapshot,
                                                             bool steps_due, std::int64_t now_ms);

// The steps recorded for one incident.
[[nodiscard]] std::vector<EscalationStep> fired_steps(store::Connection& c,
                                                      std::int64_t incident_id);

// next_escalation_at() for an incident being written by the incident service: reads what
// has fired only when a running clock has crossed a threshold.
[[nodiscard]] std::optional<std::int64_t> next_escalation_at(store::Connection& c,
                                                             const Incident& incident,
                                                             const SlaSnapshot& snapshot,
                                                             std::int64_t now_ms);

// Incidents per sweep transaction: large enough that the commits (one fsync each) are a small
// share of a sweep, small enough that the one SQLite writer is not held for long (a batch of
// first escalations takes about 10-20 ms).
inline constexpr int kSweepBatch = 2000;

struct SweepResult {
  int incidents = 0;      // incidents looked at
  int escalated = 0;      // incidents at least one step fired for
  int steps = 0;          // steps fired
  int notifications = 0;  // in-app notifications written
  int batches = 0;
  double seconds = 0;
};

class EscalationService {
 public:
  EscalationService(store::Database& db, const audit::AuditLog& audit, IncidentService& incidents,
                    const Settings& settings, int batch_size = kSweepBatch)
      : db_(db), audit_(audit), incidents_(incidents), settings_(settings), batch_(batch_size) {}

  // Fires every step due at `now_ms`, in transactions of at most batch_size incidents, until
  // no incident is due or `keep_going` says stop (checked between batches).
  SweepResult sweep(std::int64_t now_ms, const std::function<bool()>& keep_going = {});

  // After a calendar or the thresholds changed, stored due times and next-look times are stale:
  // makes the open incidents on `calendar` (all open incidents when nullopt) due for the next
  // sweep, which recomputes them in its bounded batches. Returns how many.
  std::int64_t look_again(const std::optional<std::string>& calendar, std::int64_t now_ms);

 private:
  store::Database& db_;
  const audit::AuditLog& audit_;
  IncidentService& incidents_;
  const Settings& settings_;
  int batch_;
};

}  // namespace custos::incidents
