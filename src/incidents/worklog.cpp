#include "incidents/worklog.hpp"

#include <algorithm>

#include "audit/audit_log.hpp"
#include "auth/system_principal.hpp"
#include "incidents/search.hpp"
#include "util/time.hpp"

namespace custos::incidents {

namespace {

template <std::size_t N>
bool one_of(const std::string& value, const std::string_view (&allowed)[N]) {
  return std::find(std::begin(allowed), std::end(allowed), value) != std::end(allowed);
}

constexpr const char* kSelect =
    "SELECT w.id, w.incident_id, u.username, w.visibility, w.kind, w.audience, w.body,"
    " w.created_at FROM worklog w LEFT JOIN users u ON u.id = w.author_id";

WorklogEntry from_row(const store::Row& r) {
  return {r.i64(0), r.i64(1), r.opt_str(2), r.str(3), r.str(4), r.opt_str(5), r.str(6), r.i64(7)};
}

}  // namespace

nlohmann::json to_json(const WorklogEntry& e) {
  return {{"id", e.id},
          {"author", e.author ? nlohmann::json(*e.author) : nlohmann::json(nullptr)},
          {"visibility", e.visibility},
          {"kind", e.kind},
          {"audience", e.audience ? nlohmann::json(*e.audience) : nlohmann::json(nullptr)},
          {"body", e.body},
          {"created_at", util::to_rfc3339(e.created_at)}};
}

NewWorklogEntry resolve_new_entry(const NewWorklogEntry& in, const WorklogAuthor& author) {
  if (!author.worker && !author.reporter) {
    throw WorkError::forbidden(
        "only the incident's reporter and the service desk add worklog entries");
  }
  NewWorklogEntry out = in;
  check_text("body", out.body, kMaxWorklogBody, true);
  out.kind = in.kind.value_or("note");
  if (!one_of(*out.kind, kWorklogKinds)) {
    throw WorkError::invalid("kind", "must be one of note, workaround, communication");
  }
  if (in.visibility && !one_of(*in.visibility, kWorklogVisibilities)) {
    throw WorkError::invalid("visibility", "must be public or internal");
  }
  if (*out.kind == "communication") {
    if (!in.audience) {
      throw WorkError::invalid("audience",
                               "is required for a communication: internal, users, management, "
                               "authorities or press");
    }
    if (!one_of(*in.audience, kAudiences)) {
      throw WorkError::invalid("audience",
                               "must be one of internal, users, management, authorities, press");
    }
  } else if (in.audience) {
    throw WorkError::invalid("audience", "applies to communications only");
  }
  if (!author.worker) {
    // A reporter tells the service desk something; everything else is the service desk's work.
    if (in.visibility && *in.visibility != "public") {
      throw WorkError::invalid("visibility", "reporters add public notes only");
    }
    if (*out.kind != "note") throw WorkError::invalid("kind", "reporters add notes only");
    out.visibility = "public";
    return out;
  }
  if (!out.visibility) {
    // What the service desk writes stays internal unless it is meant for the users.
    const bool for_users = *out.kind == "communication" && *out.audience == "users";
    out.visibility = for_users ? "public" : "internal";
  }
  return out;
}

std::optional<WorklogEntry> Worklog::add(std::int64_t incident_id, const NewWorklogEntry& entry,
                                         const auth::Principal& who) {
  std::optional<WorklogEntry> out;
  db_.write([&](store::Connection& c) { out = add(c, incident_id, entry, who, util::now_ms()); });
  return out;
}

std::optional<WorklogEntry> Worklog::add(store::Connection& c, std::int64_t incident_id,
                                         const NewWorklogEntry& entry, const auth::Principal& who,
                                         std::int64_t now) {
  std::optional<WorklogEntry> out;
  {
    auto access = access_incident(c, incident_id, who);
    if (!access) return std::nullopt;
    const auto resolved = resolve_new_entry(entry, {access->worker, access->is_reporter()});
    access->require_open("adding to the worklog");
    auto row = c.query_one(
        "INSERT INTO worklog (incident_id, author_id, visibility, kind, audience, body, "
        "created_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
        {incident_id, auth::account_of(who), *resolved.visibility, *resolved.kind,
         store::maybe(resolved.audience), resolved.body, now});
    out = WorklogEntry{row->i64(0),    incident_id,       who.username,  *resolved.visibility,
                       *resolved.kind, resolved.audience, resolved.body, now};
    // Activity, not a change of the record: updated_at moves, the version (ETag) does not.
    c.execute("UPDATE incidents SET updated_at = ? WHERE id = ?", {now, incident_id});
    index_incident(c, incident_id);
    nlohmann::json detail = {{"entry", out->id},
                             {"visibility", out->visibility},
                             {"kind", out->kind},
                             {"body_bytes", out->body.size()}};
    if (out->audience) detail["audience"] = *out->audience;
    audit_.append(c,
                  {auth::actor_of(who), "incident.worklog_add", "incident", access->key(), detail});
  }
  return out;
}

std::optional<WorklogPage> Worklog::list(std::int64_t incident_id, const WorklogQuery& q,
                                         const auth::Principal& who) {
  std::optional<WorklogPage> out;
  db_.read([&](store::Connection& c) {
    auto access = access_incident(c, incident_id, who);
    if (!access) return;
    const std::optional<std::string> only_public =
        access->internal ? std::nullopt : std::optional<std::string>("public");
    auto rows = c.query(
        std::string(kSelect) +
            " WHERE w.incident_id = ? AND w.id > ?"
            " AND (CAST(? AS TEXT) IS NULL OR w.visibility = ?)"
            " AND (CAST(? AS TEXT) IS NULL OR w.kind = ?)"
            " ORDER BY w.id LIMIT ?",
        {incident_id, q.after_id.value_or(0), store::maybe(only_public), store::maybe(only_public),
         store::maybe(q.kind), store::maybe(q.kind), std::int64_t{q.limit + 1}});
    WorklogPage page;
    for (const auto& r : rows) {
      if (page.items.size() == static_cast<std::size_t>(q.limit)) {
        page.next_after_id = page.items.back().id;
        break;
      }
      page.items.push_back(from_row(r));
    }
    out = std::move(page);
  });
  return out;
}

}  // namespace custos::incidents
