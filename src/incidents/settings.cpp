#include "incidents/settings.hpp"

#include <mutex>

#include "audit/audit_log.hpp"
#include "util/time.hpp"

namespace custos::incidents {

namespace {

// Monday to Friday, 09:00-17:00 UTC until an administrator sets the organisation's hours.
BusinessCalendar default_business_hours() {
  BusinessCalendar c;
  c.name = std::string(kBusinessHours);
  c.zone = TimeZone::utc();
  for (int day = 0; day < 5; ++day) c.week[static_cast<std::size_t>(day)] = {{9 * 60, 17 * 60}};
  return c;
}

}  // namespace

void Settings::load() {
  db_.write([&](store::Connection& c) {
    const auto now = util::now_ms();
    if (!c.query_one("SELECT version FROM priority_matrices LIMIT 1")) {
      c.execute(
          "INSERT INTO priority_matrices (version, matrix, created_at, created_by) VALUES (1, ?, "
          "?, 'system')",
          {nlohmann::json(PriorityMatrix::defaults()).dump(), now});
    }
    if (!c.query_one("SELECT version FROM sla_policies LIMIT 1")) {
      c.execute(
          "INSERT INTO sla_policies (version, policy, created_at, created_by) VALUES (1, ?, ?, "
          "'system')",
          {nlohmann::json(SlaPolicy::defaults()).dump(), now});
    }
    c.execute(
        "INSERT INTO calendars (name, definition, updated_at) VALUES (?, ?, ?) ON CONFLICT (name) "
        "DO NOTHING",
        {std::string(kAlwaysOpen), nlohmann::json(BusinessCalendar::twenty_four_seven()).dump(),
         now});
    c.execute(
        "INSERT INTO calendars (name, definition, updated_at) VALUES (?, ?, ?) ON CONFLICT (name) "
        "DO NOTHING",
        {std::string(kBusinessHours), nlohmann::json(default_business_hours()).dump(), now});
  });
  reload();
}

void Settings::reload() {
  MatrixVersion matrix;
  PolicyVersion policy;
  std::map<std::string, std::shared_ptr<const BusinessCalendar>, std::less<>> calendars;
  std::map<std::string, std::int64_t, std::less<>> versions;
  db_.read([&](store::Connection& c) {
    auto m = c.query_one(
        "SELECT version, matrix, created_at, created_by FROM priority_matrices ORDER BY version "
        "DESC LIMIT 1");
    matrix = MatrixVersion{m->i64(0), nlohmann::json::parse(m->str(1)).get<PriorityMatrix>(),
                           m->i64(2), m->str(3)};
    auto p = c.query_one(
        "SELECT version, policy, created_at, created_by FROM sla_policies ORDER BY version DESC "
        "LIMIT 1");
    policy = PolicyVersion{p->i64(0), nlohmann::json::parse(p->str(1)).get<SlaPolicy>(), p->i64(2),
                           p->str(3)};
    for (const auto& r : c.query("SELECT name, definition, version FROM calendars")) {
      auto cal = nlohmann::json::parse(r.str(1)).get<BusinessCalendar>();
      cal.name = r.str(0);
      calendars[r.str(0)] = std::make_shared<const BusinessCalendar>(std::move(cal));
      versions[r.str(0)] = r.i64(2);
    }
  });
  std::unique_lock lock(mutex_);
  matrix_ = std::move(matrix);
  policy_ = std::move(policy);
  calendars_ = std::move(calendars);
  calendar_versions_ = std::move(versions);
}

MatrixVersion Settings::matrix() const {
  std::shared_lock lock(mutex_);
  return matrix_;
}

MatrixVersion Settings::set_matrix(const PriorityMatrix& matrix, const std::string& actor,
                                   std::optional<std::int64_t> expected_version) {
  db_.write([&](store::Connection& c) {
    const auto next =
        c.query_one("SELECT COALESCE(MAX(version), 0) + 1 FROM priority_matrices")->i64(0);
    if (expected_version && *expected_version != next - 1) throw StaleSetting(next - 1);
    const auto text = nlohmann::json(matrix).dump();
    c.execute(
        "INSERT INTO priority_matrices (version, matrix, created_at, created_by) VALUES (?, ?, ?, "
        "?)",
        {next, text, util::now_ms(), actor});
    audit_.append(c, {actor,
                      "priority_matrix.update",
                      "priority_matrix",
                      std::to_string(next),
                      {{"after", nlohmann::json(matrix)}}});
  });
  reload();
  return this->matrix();
}

std::vector<MatrixVersion> Settings::matrix_history() {
  std::vector<MatrixVersion> out;
  db_.read([&](store::Connection& c) {
    for (const auto& r : c.query("SELECT version, matrix, created_at, created_by FROM "
                                 "priority_matrices ORDER BY version DESC LIMIT 100")) {
      out.push_back(
          {r.i64(0), nlohmann::json::parse(r.str(1)).get<PriorityMatrix>(), r.i64(2), r.str(3)});
    }
  });
  return out;
}

PolicyVersion Settings::sla_policy() const {
  std::shared_lock lock(mutex_);
  return policy_;
}

PolicyVersion Settings::set_sla_policy(const SlaPolicy& policy, const std::string& actor,
                                       std::optional<std::int64_t> expected_version) {
  validate(policy);
  {
    // Named like the JSON the administrator wrote ("targets.P2.calendar"), not like our arrays.
    std::vector<std::string> names;
    std::shared_lock lock(mutex_);
    for (const auto& [name, calendar] : calendars_) names.push_back(name);
    if (auto problem = unknown_calendar(policy, names)) throw std::invalid_argument(*problem);
  }
  db_.write([&](store::Connection& c) {
    const auto next = c.query_one("SELECT COALESCE(MAX(version), 0) + 1 FROM sla_policies")->i64(0);
    if (expected_version && *expected_version != next - 1) throw StaleSetting(next - 1);
    c.execute(
        "INSERT INTO sla_policies (version, policy, created_at, created_by) VALUES (?, ?, ?, ?)",
        {next, nlohmann::json(policy).dump(), util::now_ms(), actor});
    audit_.append(c, {actor,
                      "sla_policy.update",
                      "sla_policy",
                      std::to_string(next),
                      {{"after", nlohmann::json(policy)}}});
  });
  reload();
  return sla_policy();
}

std::vector<std::pair<std::string, BusinessCalendar>> Settings::calendars() const {
  std::shared_lock lock(mutex_);
  std::vector<std::pair<std::string, BusinessCalendar>> out;
  for (const auto& [name, cal] : calendars_) out.emplace_back(name, *cal);
  return out;
}

std::shared_ptr<const BusinessCalendar> Settings::calendar(const std::string& name) const {
  std::shared_lock lock(mutex_);
  auto it = calendars_.find(name);
  return it == calendars_.end() ? nullptr : it->second;
}

std::optional<std::int64_t> Settings::calendar_version(const std::string& name) const {
  std::shared_lock lock(mutex_);
  auto it = calendar_versions_.find(name);
  if (it == calendar_versions_.end()) return std::nullopt;
  return it->second;
}

std::int64_t Settings::put_calendar(const std::string& name, const BusinessCalendar& calendar,
                                    const std::string& actor,
                                    std::optional<std::int64_t> expected_version) {
  validate(calendar);
  std::int64_t version = 1;
  db_.write([&](store::Connection& c) {
    const auto text = nlohmann::json(calendar).dump();
    const auto now = util::now_ms();
    const auto current = c.query_one("SELECT version FROM calendars WHERE name = ?", {name});
    if (expected_version && (!current || current->i64(0) != *expected_version)) {
      throw StaleSetting(current ? current->i64(0) : 0);
    }
    if (current) {
      version = current->i64(0) + 1;
      c.execute("UPDATE calendars SET definition = ?, updated_at = ?, version = ? WHERE name = ?",
                {text, now, version, name});
    } else {
      c.execute("INSERT INTO calendars (name, definition, updated_at) VALUES (?, ?, ?)",
                {name, text, now});
    }
    audit_.append(
        c, {actor, "calendar.update", "calendar", name, {{"after", nlohmann::json(calendar)}}});
  });
  reload();
  return version;
}

SlaTargets Settings::targets_for(int priority) const {
  std::shared_lock lock(mutex_);
  const auto index = static_cast<std::size_t>(std::clamp(priority, 1, 4) - 1);
  const auto& target = policy_.policy.per_priority[index];
  return SlaTargets{policy_.version, policy_.policy.calendar_per_priority[index],
                    target.response_ms, target.resolution_ms};
}

SlaSnapshot Settings::evaluate(const Incident& incident, std::int64_t now_ms) const {
  std::shared_ptr<const BusinessCalendar> cal = calendar(incident.sla_calendar);
  static const auto always =
      std::make_shared<const BusinessCalendar>(BusinessCalendar::twenty_four_seven());
  if (!cal) cal = always;  // a deleted calendar must not make incidents unreadable
  std::vector<PauseInterval> pauses;
  pauses.reserve(incident.pauses.size());
  for (const auto& p : incident.pauses) pauses.push_back(PauseInterval{p.from_ms, p.to_ms});
  const bool cancelled = incident.status == Status::cancelled;

  ClockInput response{incident.reported_at, incident.response_target_ms, pauses,
                      incident.acknowledged_at};
  ClockInput resolution{incident.reported_at, incident.resolution_target_ms, pauses,
                        incident.resolved_at};
  if (cancelled) {
    // Cancelled incidents stop both clocks where they were.
    if (!response.stopped_ms) response.stopped_ms = incident.closed_at.value_or(now_ms);
    if (!resolution.stopped_ms) resolution.stopped_ms = incident.closed_at.value_or(now_ms);
  }
  SlaSnapshot s;
  s.response = incidents::evaluate(*cal, response, now_ms);
  s.resolution = incidents::evaluate(*cal, resolution, now_ms);
  s.response_due_ms = s.response.due_ms;
  s.resolution_due_ms = s.resolution.due_ms;
  {
    std::shared_lock lock(mutex_);
    s.thresholds = policy_.policy.thresholds_percent;
  }
  if (!cancelled) {
    auto a = next_threshold_at(*cal, response, now_ms, s.thresholds);
    auto b = next_threshold_at(*cal, resolution, now_ms, s.thresholds);
    if (a && b) {
      s.next_escalation_ms = std::min(*a, *b);
    } else {
      s.next_escalation_ms = a ? a : b;
    }
  }
  return s;
}

}  // namespace custos::incidents
