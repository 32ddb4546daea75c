#include "incidents/work_access.hpp"

namespace custos::incidents {

using auth::Permission;

bool works_incidents(const auth::RoleSet& roles) {
  return roles.intersects(auth::roles_with(Permission::incidents_work));
}

bool sees_internal(const auth::RoleSet& roles) {
  // Auditors do not work incidents but must be able to check how they were worked.
  return works_incidents(roles) || roles.has(auth::Role::auditor);
}

void IncidentAccess::require_open(const std::string& what) const {
  if (finished()) {
    throw WorkError::conflict(key() + " is " + std::string(status_name(incident.status)) + ": " +
                              what + " is no longer possible");
  }
}

void IncidentAccess::require_internal(const std::string& what) const {
  if (!internal) throw WorkError::forbidden("only the service desk and auditors see " + what);
}

void IncidentAccess::require_worker(const std::string& what) const {
  if (!worker) throw WorkError::forbidden(what + " needs the incidents_work permission");
}

std::optional<IncidentAccess> access_incident(store::Connection& c, std::int64_t incident_id,
                                              const auth::Principal& who) {
  auto row = c.query_one(std::string(kIncidentSelect) + " WHERE i.id = ?", {incident_id});
  if (!row) return std::nullopt;
  IncidentAccess access{incident_from_row(*row), viewer_for(c, who)};
  if (!can_see(access.viewer, access.incident)) return std::nullopt;
  access.worker = works_incidents(who.roles);
  access.internal = sees_internal(who.roles);
  return access;
}

void check_text(const std::string& field, const std::string& value, std::size_t max,
                bool multiline) {
  if (value.empty()) throw WorkError::invalid(field, "must not be empty");
  if (value.size() > max) {
    throw WorkError::invalid(field, "must be at most " + std::to_string(max) + " bytes");
  }
  for (unsigned char ch : value) {
    if ((ch < 0x20 && !(multiline && (ch == '\n' || ch == '\r' || ch == '\t'))) || ch == 0x7f) {
      throw WorkError::invalid(field, "must not contain control characters");
    }
  }
}

namespace {
store::Row active_user(store::Connection& c, const std::string& field,
                       const std::string& username) {
  auto r = c.query_one("SELECT id, roles, active FROM users WHERE username = ?", {username});
  if (!r || r->i64(2) == 0) {
    throw WorkError::invalid(field, "'" + username.substr(0, 64) + "' is not an active user");
  }
  return std::move(*r);
}
}  // namespace

std::int64_t find_worker(store::Connection& c, const std::string& field,
                         const std::string& username) {
  const auto r = active_user(c, field, username);
  if (!works_incidents(auth::RoleSet::from_csv(r.str(1)))) {
    throw WorkError::invalid(field, "'" + username.substr(0, 64) +
                                        "' cannot work incidents (needs an agent or manager role)");
  }
  return r.i64(0);
}

std::int64_t find_active_user(store::Connection& c, const std::string& field,
                              const std::string& username) {
  return active_user(c, field, username).i64(0);
}

void touch_incident(store::Connection& c, const Incident& incident, std::int64_t now_ms) {
  c.execute("UPDATE incidents SET version = version + 1, updated_at = ? WHERE id = ?",
            {now_ms, incident.id});
}

}  // namespace custos::incidents
