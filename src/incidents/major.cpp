#include "incidents/major.hpp"

#include <set>

#include "audit/audit_log.hpp"
#include "incidents/groups.hpp"
#include "incidents/notifications.hpp"
#include "util/time.hpp"

namespace custos::incidents {

bool MajorIncidents::declare(std::int64_t incident_id, const std::string& manager,
                             std::optional<std::int64_t> expected_version,
                             const auth::Principal& who) {
  check_text("major_manager", manager, 64, false);
  bool visible = false;
  db_.write([&](store::Connection& c) {
    auto access = access_incident(c, incident_id, who);
    if (!access) return;
    visible = true;
    const Incident& incident = access->incident;
    if (expected_version && *expected_version != incident.version) {
      throw WorkError(WorkRefusal::stale, "",
                      "the incident was changed since you read it (now version " +
                          std::to_string(incident.version) + "); reload and retry");
    }
    access->require_open("declaring a major incident");
    const std::int64_t manager_id = find_worker(c, "major_manager", manager);
    const auto roles = c.query_one("SELECT roles FROM users WHERE id = ?", {manager_id})->str(0);
    const Viewer manager_view{manager_id, manager, auth::RoleSet::from_csv(roles),
                              SupportGroups::groups_of(c, manager_id)};
    if (!can_see(manager_view, incident)) {
      throw WorkError::invalid("major_manager",
                               "'" + manager +
                                   "' may not see this restricted incident; add them "
                                   "to its support group first");
    }
    if (incident.major && incident.major_manager == manager) return;  // nothing changes

    const std::int64_t now = util::now_ms();
    c.execute(
        "UPDATE incidents SET major = 1, major_manager_id = ?, version = version + 1,"
        " updated_at = ? WHERE id = ?",
        {manager_id, now, incident_id});
    const bool redeclared = incident.major;
    audit_.append(
        c, {who.actor(),
            redeclared ? "incident.major_manager_change" : "incident.major_declare",
            "incident",
            access->key(),
            {{"major_manager", manager},
             {"previous_manager", incident.major_manager ? nlohmann::json(*incident.major_manager)
                                                         : nlohmann::json(nullptr)},
             {"priority", incident.priority}}});

    // The incident managers own the procedure; the major-incident manager leads this one.
    // In the app, and by e-mail (through the outbox) to those with an address. A restricted
    // incident's title is need-to-know: it stays out of inboxes and e-mail.
    const std::string title = incident.restricted ? std::string() : incident.title;
    const std::string message = access->key() +
                                (redeclared ? ": the major-incident manager is now " + manager
                                            : " was declared a major incident by " + who.username +
                                                  "; major-incident manager: " + manager) +
                                " (P" + std::to_string(incident.priority) +
                                (title.empty() ? "" : ", " + title) + ")";
    std::set<std::int64_t> told;
    for (const auto& r : c.query("SELECT id, username, email, roles FROM users WHERE active = 1"
                                 " AND (id = ? OR roles LIKE '%incident_manager%') ORDER BY id",
                                 {manager_id})) {
      const auto user_id = r.i64(0);
      const bool recipient = user_id == manager_id ||
                             auth::RoleSet::from_csv(r.str(3)).has(auth::Role::incident_manager);
      // The declarer knows already.
      if (!recipient || user_id == who.user_id || !told.insert(user_id).second) continue;
      Notice notice;
      notice.user_id = user_id;
      notice.username = r.str(1);
      notice.email = r.opt_str(2);
      notice.incident_id = incident_id;
      notice.kind = "major_incident";
      notice.subject =
          "[custos] Major incident " + access->key() + (title.empty() ? "" : ": " + title);
      notice.message = message;
      notice.details = {{"major_manager", manager}, {"declared_by", who.username}};
      send_notice(c, notice, now);
    }
  });
  return visible;
}

}  // namespace custos::incidents
