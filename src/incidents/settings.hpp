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

// Names of the calendars that always exist.
inline constexpr std::string_view kAlwaysOpen = "24x7";
inline constexpr std::string_view kBusinessHours = "business";

class Settings {
 public:
  Settings(store::Database& db, const audit::AuditLog& audit) : db_(db), audit_(audit) {}

  // Creates version 1 of matrix and policy and the default calendars if missing, then caches.
  void load();

  [[nodiscard]] MatrixVersion matrix() const;
  MatrixVersion set_matrix(const PriorityMatrix& matrix, const std::string& actor);
  std::vector<MatrixVersion> matrix_history();

  [[nodiscard]] PolicyVersion sla_policy() const;
  // Throws std::invalid_argument naming the field when the policy names an unknown calendar.
  PolicyVersion set_sla_policy(const SlaPolicy& policy, const std::string& actor);

  [[nodiscard]] std::vector<std::pair<std::string, BusinessCalendar>> calendars() const;
  [[nodiscard]] std::shared_ptr<const BusinessCalendar> calendar(const std::string& name) const;
  void put_calendar(const std::string& name, const BusinessCalendar& calendar,
                    const std::string& actor);

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
};

}  // namespace custos::incidents
