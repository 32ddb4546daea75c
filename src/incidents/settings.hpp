#pragma once
// The configurable rules incidents are measured by: the priority matrix, the SLA policy
// and the business calendars. Matrix and policy are versioned (every change is a new
// version, audited); incidents record the versions they were rated with. Current values
// are cached in memory: every incident write and read uses them.
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <shared_mutex>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "incidents/calendar.hpp"
#include "incidents/incident.hpp"
#include "incidents/priority.hpp"
#include "incidents/sla.hpp"
#include "store/database.hpp"

namespace custos::audit {
class AuditLog;
}

namespace custos::incidents {

struct MatrixVersion {
  std::int64_t version = 0;
  PriorityMatrix matrix;
  std::int64_t created_at = 0;
  std::string created_by;
};

struct PolicyVersion {
  std::int64_t version = 0;
  SlaPolicy policy;
  std::int64_t created_at = 0;
  std::string created_by;
};

struct SlaTargets {
  std::int64_t policy_version = 0;
  std::string calendar;
  std::int64_t response_ms = 0;
  std::int64_t resolution_ms = 0;
};

// Both SLA clocks of one incident, evaluated at one instant.
struct SlaSnapshot {
  ClockState response;
  ClockState resolution;
  std::optional<std::int64_t> response_due_ms, resolution_due_ms;
  std::optional<std::int64_t> next_escalation_ms;  // when a threshold will next be crossed
  std::vector<int> thresholds;
};

// A change made against a version that is no longer current (If-Match); maps to 412.
struct StaleSetting : std::runtime_error {
  explicit StaleSetting(std::int64_t current)
      : std::runtime_error("stale version"), current_version(current) {}
  std::int64_t current_version;
};

// Names of the calendars that always exist.
inline constexpr std::string_view kAlwaysOpen = "24x7";
inline constexpr std::string_view kBusinessHours = "business";

class Settings {
 public:
  Settings(store::Database& db, const audit::AuditLog& audit) : db_(db), audit_(audit) {}

  // Creates version 1 of matrix and policy and the default calendars if missing, then caches.
  void load();

  [[nodiscard]] MatrixVersion matrix() const;
  // `expected_version`, when given, must be the current version (else StaleSetting).
  MatrixVersion set_matrix(const PriorityMatrix& matrix, const std::string& actor,
                           std::optional<std::int64_t> expected_version = std::nullopt);
  std::vector<MatrixVersion> matrix_history();

  [[nodiscard]] PolicyVersion sla_policy() const;
  // Throws std::invalid_argument naming the field ("targets.P2.calendar: unknown calendar
  // 'x'") when the policy is invalid or names an unknown calendar.
  PolicyVersion set_sla_policy(const SlaPolicy& policy, const std::string& actor,
                               std::optional<std::int64_t> expected_version = std::nullopt);

  [[nodiscard]] std::vector<std::pair<std::string, BusinessCalendar>> calendars() const;
  [[nodiscard]] std::shared_ptr<const BusinessCalendar> calendar(const std::string& name) const;
  // The calendar's version (bumped on every change); nullopt when there is no such calendar.
  [[nodiscard]] std::optional<std::int64_t> calendar_version(const std::string& name) const;
  // Creates or replaces; returns the new version. Throws std::invalid_argument naming the field.
  std::int64_t put_calendar(const std::string& name, const BusinessCalendar& calendar,
                            const std::string& actor,
                            std::optional<std::int64_t> expected_version = std::nullopt);

  [[nodiscard]] SlaTargets targets_for(int priority) const;
  [[nodiscard]] SlaSnapshot evaluate(const Incident& incident, std::int64_t now_ms) const;

 private:
  void reload();

  store::Database& db_;
  const audit::AuditLog& audit_;
  mutable std::shared_mutex mutex_;
  MatrixVersion matrix_;
  PolicyVersion policy_;
  std::map<std::string, std::shared_ptr<const BusinessCalendar>, std::less<>> calendars_;
  std::map<std::string, std::int64_t, std::less<>> calendar_versions_;
};

}  // namespace custos::incidents
