#include "incidents/incident.hpp"

#include <charconv>
#include <cstdio>

#include <nlohmann/json.hpp>

namespace custos::incidents {

std::string incident_key(std::int64_t id) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "INC-%06lld", static_cast<long long>(id));
  return buf;
}

std::optional<std::int64_t> parse_incident_key(std::string_view key) {
  if (key.size() < 5 || key.size() > 24) return std::nullopt;
  const auto prefix = key.substr(0, 4);
  if (prefix != "INC-" && prefix != "inc-") return std::nullopt;
  const auto digits = key.substr(4);
  std::int64_t id = 0;
  auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), id);
  if (ec != std::errc{} || ptr != digits.data() + digits.size() || id <= 0) return std::nullopt;
  return id;
}

const char* const kIncidentSelect =
    "SELECT i.id, i.title, i.description, i.category, i.subcategory, i.impact, i.urgency,"
    " i.priority, i.matrix_version, i.affects_confidentiality, i.affects_integrity,"
    " i.affects_availability, i.personal_data, i.affected_services, i.affected_assets, i.source,"
    " i.reporter_id, r.username, i.group_id, g.name, i.assignee_id, a.username, i.support_level,"
    " i.status, i.pending_reason, i.resolution_code, i.resolution_notes, i.cancel_reason,"
    " i.reopen_count, i.major, mm.username, i.parent_id, i.duplicate_of_id, i.problem_id,"
    " i.restricted, i.tlp, i.occurred_at, i.detected_at, i.reported_at, i.acknowledged_at,"
    " i.resolved_at, i.closed_at, i.sla_policy_version, i.sla_calendar, i.response_target_ms,"
    " i.resolution_target_ms, i.lessons_waived_by, i.created_at, i.updated_at, i.version"
    " FROM incidents i LEFT JOIN users r ON r.id = i.reporter_id"
    " LEFT JOIN support_groups g ON g.id = i.group_id LEFT JOIN users a ON a.id = i.assignee_id"
    " LEFT JOIN users mm ON mm.id = i.major_manager_id";

namespace {
std::vector<std::string> string_list(const std::string& json_text) {
  std::vector<std::string> out;
  auto j = nlohmann::json::parse(json_text, nullptr, false);
  if (!j.is_array()) return out;
  for (const auto& item : j) {
    if (item.is_string()) out.push_back(item.get<std::string>());
  }
  return out;
}
}  // namespace

Incident incident_from_row(const store::Row& r) {
  Incident i;
  i.id = r.i64(0);
  i.title = r.str(1);
  i.description = r.str(2);
  i.category = r.str(3);
  i.subcategory = r.opt_str(4);
  i.impact = parse_impact(r.str(5)).value_or(Impact::minor);
  i.urgency = parse_urgency(r.str(6)).value_or(Urgency::low);
  i.priority = static_cast<int>(r.i64(7));
  i.matrix_version = r.i64(8);
  i.affects_confidentiality = r.i64(9) != 0;
  i.affects_integrity = r.i64(10) != 0;
  i.affects_availability = r.i64(11) != 0;
  i.personal_data = r.i64(12) != 0;
  i.affected_services = string_list(r.str(13));
  i.affected_assets = string_list(r.str(14));
  i.source = r.str(15);
  i.reporter_id = r.opt_i64(16);
  i.reporter = r.opt_str(17);
  i.group_id = r.opt_i64(18);
  i.group = r.opt_str(19);
  i.assignee_id = r.opt_i64(20);
  i.assignee = r.opt_str(21);
  i.support_level = static_cast<int>(r.i64(22));
  i.status = parse_status(r.str(23)).value_or(Status::new_);
  i.pending_reason = r.opt_str(24);
  i.resolution_code = r.opt_str(25);
  i.resolution_notes = r.opt_str(26);
  i.cancel_reason = r.opt_str(27);
  i.reopen_count = static_cast<int>(r.i64(28));
  i.major = r.i64(29) != 0;
  i.major_manager = r.opt_str(30);
  i.parent_id = r.opt_i64(31);
  i.duplicate_of_id = r.opt_i64(32);
  i.problem_id = r.opt_i64(33);
  i.restricted = r.i64(34) != 0;
  i.tlp = r.str(35);
  i.occurred_at = r.opt_i64(36);
  i.detected_at = r.opt_i64(37);
  i.reported_at = r.i64(38);
  i.acknowledged_at = r.opt_i64(39);
  i.resolved_at = r.opt_i64(40);
  i.closed_at = r.opt_i64(41);
  i.sla_policy_version = r.i64(42);
  i.sla_calendar = r.str(43);
  i.response_target_ms = r.i64(44);
  i.resolution_target_ms = r.i64(45);
  i.lessons_waived_by = r.opt_i64(46);
  i.created_at = r.i64(47);
  i.updated_at = r.i64(48);
  i.version = r.i64(49);
  return i;
}

}  // namespace custos::incidents
