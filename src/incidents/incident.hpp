#pragma once
// The incident record as stored, and its outside name INC-000123.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "incidents/priority.hpp"
#include "incidents/status.hpp"
#include "store/value.hpp"

namespace custos::incidents {

struct Pause {
  std::string reason;
  std::int64_t from_ms = 0;
  std::optional<std::int64_t> to_ms;
};

struct Incident {
  std::int64_t id = 0;
  std::string title;
  std::string description;
  std::string category;
  std::optional<std::string> subcategory;
  Impact impact = Impact::minor;
  Urgency urgency = Urgency::low;
  int priority = 4;
  std::int64_t matrix_version = 0;
  bool affects_confidentiality = false;
  bool affects_integrity = false;
  bool affects_availability = false;
  bool personal_data = false;
  std::vector<std::string> affected_services;
  std::vector<std::string> affected_assets;
  std::string source;
  std::optional<std::int64_t> reporter_id;
  std::optional<std::string> reporter;  // username
  std::optional<std::int64_t> group_id;
  std::optional<std::string> group;  // group name
  std::optional<std::int64_t> assignee_id;
  std::optional<std::string> assignee;  // username
  int support_level = 1;
  Status status = Status::new_;
  std::optional<std::string> pending_reason;
  std::optional<std::string> resolution_code;
  std::optional<std::string> resolution_notes;
  std::optional<std::string> cancel_reason;
  int reopen_count = 0;
  bool major = false;
  std::optional<std::string> major_manager;  // username
  std::optional<std::int64_t> parent_id;
  std::optional<std::int64_t> duplicate_of_id;
  std::optional<std::int64_t> problem_id;
  bool restricted = false;
  std::string tlp = "amber";
  std::optional<std::int64_t> occurred_at, detected_at;
  std::int64_t reported_at = 0;
  std::optional<std::int64_t> acknowledged_at, resolved_at, closed_at;
  std::int64_t sla_policy_version = 0;
  std::string sla_calendar;
  std::int64_t response_target_ms = 0;
  std::int64_t resolution_target_ms = 0;
  std::optional<std::int64_t> lessons_waived_by;
  std::int64_t created_at = 0;
  std::int64_t updated_at = 0;
  std::int64_t version = 1;
  std::vector<Pause> pauses;  // loaded separately, oldest first
};

// "INC-000123"; more digits once ids pass a million.
std::string incident_key(std::int64_t id);
// The id in "INC-000123" (case-insensitive prefix), or nullopt when it is not such a key.
std::optional<std::int64_t> parse_incident_key(std::string_view key);

// The SELECT list and joins that read an Incident; use with from_row().
extern const char* const kIncidentSelect;
Incident incident_from_row(const store::Row& row);

inline constexpr std::string_view kTlpValues[] = {"clear", "green", "amber", "amber+strict", "red"};
inline constexpr std::string_view kSources[] = {"portal", "email", "phone", "api", "detection"};

}  // namespace custos::incidents
