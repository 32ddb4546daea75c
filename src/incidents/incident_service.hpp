#pragma once
// Logging, reading, listing, changing and moving incidents through their lifecycle.
// Every change is validated here, written with its audit entry in one transaction, and
// keeps the SLA fields and the search document current.
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "incidents/categories.hpp"
#include "incidents/incident.hpp"
#include "incidents/lifecycle.hpp"
#include "incidents/settings.hpp"
#include "incidents/visibility.hpp"
#include "store/database.hpp"

namespace custos::audit {
class AuditLog;
}

namespace custos::incidents {

// A rule violation or bad reference in the input; maps to 422 naming `field`.
struct IncidentInputError : std::runtime_error {
  IncidentInputError(std::string f, const std::string& message)
      : std::runtime_error(message), field(std::move(f)) {}
  std::string field;
};

// The fields a client may set; unset optionals leave the stored value (on update) or take
// the default (on create).
struct IncidentFields {
  std::optional<std::string> title, description, category;
  std::optional<std::optional<std::string>> subcategory;
  std::optional<Impact> impact;
  std::optional<Urgency> urgency;
  std::optional<bool> affects_confidentiality, affects_integrity, affects_availability,
      personal_data;
  std::optional<std::vector<std::string>> affected_services, affected_assets;
  std::optional<std::string> source;
  std::optional<std::optional<std::string>> group, assignee;  // names; nullopt inside = clear
  std::optional<int> support_level;
  std::optional<bool> restricted;
  std::optional<std::string> tlp;
  std::optional<std::optional<std::int64_t>> occurred_at, detected_at;
  std::optional<std::optional<std::string>> parent;  // incident key
  std::optional<std::optional<std::int64_t>> problem_id;
};

struct TransitionInput {
  Status to = Status::new_;
  std::optional<PendingReason> pending_reason;
  std::optional<CancelReason> cancel_reason;
  std::optional<ResolutionCode> resolution_code;
  std::string resolution_notes;
  std::optional<std::int64_t> expected_version;
  bool cascade_to_children = false;         // resolving a parent resolves its open children too
  std::optional<std::string> duplicate_of;  // incident key, when cancelling as duplicate
};

// Refused transitions carry what the HTTP layer needs for 403/409/422.
struct TransitionRefused : std::runtime_error {
  explicit TransitionRefused(TransitionVerdict v)
      : std::runtime_error(v.problem), verdict(std::move(v)) {}
  TransitionVerdict verdict;
};

struct StaleVersion : std::runtime_error {
  explicit StaleVersion(std::int64_t current)
      : std::runtime_error("stale version"), current_version(current) {}
  std::int64_t current_version;
};

struct IncidentQuery {
  std::vector<Status> statuses;
  std::vector<int> priorities;
  std::optional<std::string> assignee;  // username, "me" or "none"
  std::optional<std::string> group;     // group name or "none"
  std::optional<std::string> reporter;  // username or "me"
  std::optional<std::string> category;
  std::optional<bool> major;
  std::optional<bool> restricted;
  std::optional<std::string> text;  // full-text search
  std::optional<std::int64_t> created_since, created_until;
  std::string sort = "-created";  // created, -created, updated, -updated, priority, due
  std::optional<std::string> cursor;
  int limit = 50;
};

struct IncidentPage {
  std::vector<Incident> items;
  std::optional<std::string> next_cursor;
};

class IncidentService {
 public:
  IncidentService(store::Database& db, const audit::AuditLog& audit, const Categories& categories,
                  Settings& settings)
      : db_(db), audit_(audit), categories_(categories), settings_(settings) {}

  Incident create(const IncidentFields& fields, const auth::Principal& who);
  // The same inside the caller's write transaction, as of `now_ms` (bulk loads and imports:
  // many incidents per commit, each still audited, SLA-rated and indexed for search).
  Incident create(store::Connection& c, const IncidentFields& fields, const auth::Principal& who,
                  std::int64_t now_ms);
  // nullopt when it does not exist or the viewer may not see it (both answer 404).
  std::optional<Incident> get(std::int64_t id, const auth::Principal& who);
  IncidentPage list(const IncidentQuery& query, const auth::Principal& who);
  std::optional<Incident> update(std::int64_t id, std::int64_t expected_version,
                                 const IncidentFields& fields, const auth::Principal& who);
  std::optional<Incident> transition(std::int64_t id, const TransitionInput& input,
                                     const auth::Principal& who);
  // update() and transition() inside the caller's write transaction, as of `now_ms`.
  std::optional<Incident> update(store::Connection& c, std::int64_t id,
                                 std::int64_t expected_version, const IncidentFields& fields,
                                 const auth::Principal& who, std::int64_t now_ms);
  std::optional<Incident> transition(store::Connection& c, std::int64_t id,
                                     const TransitionInput& input, const auth::Principal& who,
                                     std::int64_t now_ms);
  // The scheduler's automatic closure of incidents resolved longer than `after_ms` ago.
  int close_resolved(std::int64_t after_ms);

  // The SLA section of an incident read, computed now.
  nlohmann::json sla_json(const Incident& incident, std::int64_t now_ms) const;
  nlohmann::json to_json(const Incident& incident, const Viewer& viewer, std::int64_t now_ms) const;
  Viewer viewer(const auth::Principal& who);

  // For the escalation sweep (escalation.hpp), inside its write transaction: the pauses of a
  // batch of incidents, and the one writer of the denormalised SLA columns (due times and when
  // the sweep must look again).
  void load_pauses(store::Connection& c, std::vector<Incident>& incidents) const;
  void store_sla_fields(store::Connection& c, std::int64_t incident_id, const SlaSnapshot& snapshot,
                        std::optional<std::int64_t> next_escalation_at) const;
  struct SlaFields {
    std::int64_t incident_id = 0;
    std::optional<std::int64_t> response_due_at, resolution_due_at, next_escalation_at;
  };
  // The same for many incidents in few statements (the sweep's batches).
  void store_sla_fields(store::Connection& c, std::span<const SlaFields> fields) const;

  // One incident as stored, with no need-to-know check: for callers that decide visibility
  // themselves with can_see() (the live feed checks one incident against many viewers).
  std::optional<Incident> load(store::Connection& c, std::int64_t id) const;

 private:
  void write_search_document(store::Connection& c, const Incident& incident) const;
  void write_sla_fields(store::Connection& c, const Incident& incident, std::int64_t now) const;
  std::optional<Incident> apply_transition(store::Connection& c, Incident incident,
                                           const TransitionInput& input, const Viewer& viewer,
                                           const std::string& actor, bool system, std::int64_t now);

  store::Database& db_;
  const audit::AuditLog& audit_;
  const Categories& categories_;
  Settings& settings_;
};

}  // namespace custos::incidents
