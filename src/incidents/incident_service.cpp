#include "incidents/incident_service.hpp"

#include <algorithm>
#include <limits>
#include <unordered_map>

#include "audit/audit_log.hpp"
#include "auth/system_principal.hpp"
#include "incidents/bulk_insert.hpp"
#include "incidents/escalation.hpp"
#include "incidents/groups.hpp"
#include "incidents/search.hpp"
#include "util/encoding.hpp"
#include "util/time.hpp"

namespace custos::incidents {

namespace {

using auth::Permission;
using auth::Role;

bool is_worker(const auth::RoleSet& roles) {
  return roles.intersects(auth::roles_with(Permission::incidents_work));
}

nlohmann::json opt_json(const std::optional<std::string>& v) {
  return v ? nlohmann::json(*v) : nlohmann::json(nullptr);
}
nlohmann::json opt_time(const std::optional<std::int64_t>& v) {
  return v ? nlohmann::json(util::to_rfc3339(*v)) : nlohmann::json(nullptr);
}
nlohmann::json opt_key(const std::optional<std::int64_t>& v) {
  return v ? nlohmann::json(incident_key(*v)) : nlohmann::json(nullptr);
}

// What the audit trail records of an incident: the classification and routing, not the prose.
nlohmann::json audit_view(const Incident& i) {
  return {{"title", i.title},
          {"category", i.category},
          {"subcategory", opt_json(i.subcategory)},
          {"impact", impact_name(i.impact)},
          {"urgency", urgency_name(i.urgency)},
          {"priority", i.priority},
          {"status", status_name(i.status)},
          {"group", opt_json(i.group)},
          {"assignee", opt_json(i.assignee)},
          {"support_level", i.support_level},
          {"restricted", i.restricted},
          {"tlp", i.tlp},
          {"major", i.major},
          {"personal_data", i.personal_data},
          {"description_bytes", i.description.size()},
          {"version", i.version}};
}

void check_text(const std::string& field, const std::string& value, std::size_t max, bool multiline,
                bool required) {
  if (required && value.empty()) throw IncidentInputError(field, "must not be empty");
  if (value.size() > max) {
    throw IncidentInputError(field, "must be at most " + std::to_string(max) + " bytes");
  }
  for (unsigned char ch : value) {
    if ((ch < 0x20 && !(multiline && (ch == '\n' || ch == '\r' || ch == '\t'))) || ch == 0x7f) {
      throw IncidentInputError(field, "must not contain control characters");
    }
  }
}

void check_list(const std::string& field, const std::vector<std::string>& values) {
  if (values.size() > 50) throw IncidentInputError(field, "must have at most 50 items");
  for (std::size_t i = 0; i < values.size(); ++i) {
    check_text(field + "[" + std::to_string(i) + "]", values[i], 200, false, true);
  }
}

std::string list_json(const std::vector<std::string>& values) {
  return nlohmann::json(values).dump();
}

std::optional<std::int64_t> user_by_name(store::Connection& c, const std::string& field,
                                         const std::optional<std::string>& username) {
  if (!username) return std::nullopt;
  auto r = c.query_one("SELECT id, roles, active FROM users WHERE username = ?", {*username});
  if (!r || r->i64(2) == 0) {
    throw IncidentInputError(field, "'" + username->substr(0, 64) + "' is not an active user");
  }
  if (!auth::RoleSet::from_csv(r->str(1)).intersects(
          auth::roles_with(Permission::incidents_work))) {
    throw IncidentInputError(
        field, "'" + *username + "' cannot work incidents (needs an agent or manager role)");
  }
  return r->i64(0);
}

std::optional<SupportGroup> group_by_name(store::Connection& c,
                                          const std::optional<std::string>& name) {
  if (!name) return std::nullopt;
  auto g = SupportGroups::find(c, *name);
  if (!g) throw IncidentInputError("group", "'" + name->substr(0, 64) + "' is not a support group");
  return g;
}

void check_time(const std::string& field, const std::optional<std::int64_t>& t, std::int64_t now) {
  if (t && *t > now + 5 * 60'000) throw IncidentInputError(field, "must not be in the future");
}

// Keyset pagination: the cursor carries the sort key, the last row's sort value and id.
struct SortSpec {
  const char* name;
  const char* order_by;
  const char* value_expr;  // nullptr when sorting by id alone
  bool ascending;          // direction of value_expr
  bool id_ascending;
};
constexpr SortSpec kSorts[] = {
    {"-created", "i.id DESC", nullptr, false, false},
    {"created", "i.id ASC", nullptr, true, true},
    {"-updated", "i.updated_at DESC, i.id DESC", "i.updated_at", false, false},
    {"updated", "i.updated_at ASC, i.id ASC", "i.updated_at", true, true},
    {"priority", "i.priority ASC, i.id DESC", "i.priority", true, false},
    {"due", "COALESCE(i.resolution_due_at, 9223372036854775807) ASC, i.id ASC",
     "COALESCE(i.resolution_due_at, 9223372036854775807)", true, true},
};

const SortSpec& sort_spec(const std::string& name) {
  for (const auto& s : kSorts) {
    if (name == s.name) return s;
  }
  throw IncidentInputError("sort",
                           "must be one of -created, created, -updated, updated, priority, due");
}

std::int64_t value_for_cursor(const SortSpec& s, const Incident& i) {
  const std::string v = s.value_expr == nullptr ? "" : s.value_expr;
  if (v == "i.updated_at") return i.updated_at;
  if (v == "i.priority") return i.priority;
  return 0;  // "due" is recomputed from the stored column below
}

}  // namespace

Viewer IncidentService::viewer(const auth::Principal& who) {
  return db_.read_value([&](store::Connection& c) { return viewer_for(c, who); });
}

std::optional<Incident> IncidentService::load(store::Connection& c, std::int64_t id) const {
  auto row = c.query_one(std::string(kIncidentSelect) + " WHERE i.id = ?", {id});
  if (!row) return std::nullopt;
  std::vector<Incident> one{incident_from_row(*row)};
  load_pauses(c, one);
  return std::move(one.front());
}

void IncidentService::load_pauses(store::Connection& c, std::vector<Incident>& incidents) const {
  if (incidents.empty()) return;
  std::string sql =
      "SELECT incident_id, reason, from_at, to_at FROM incident_pauses WHERE incident_id IN (";
  std::vector<store::Value> params;
  for (std::size_t i = 0; i < incidents.size(); ++i) {
    sql += i == 0 ? "?" : ", ?";
    params.emplace_back(incidents[i].id);
  }
  sql += ") ORDER BY incident_id, from_at";
  std::unordered_map<std::int64_t, std::size_t> index;
  index.reserve(incidents.size());
  for (std::size_t i = 0; i < incidents.size(); ++i) index.emplace(incidents[i].id, i);
  for (const auto& r : c.query(sql, params)) {
    auto it = index.find(r.i64(0));
    if (it != index.end())
      incidents[it->second].pauses.push_back(Pause{r.str(1), r.i64(2), r.opt_i64(3)});
  }
}

void IncidentService::write_sla_fields(store::Connection& c, const Incident& incident,
                                       std::int64_t now) const {
  const auto snapshot = settings_.evaluate(incident, now);
  // A threshold crossed but not yet fired (the sweep had not come round, or a new priority
  // moved the clock past it) keeps the incident due for the next sweep.
  store_sla_fields(c, incident.id, snapshot, next_escalation_at(c, incident, snapshot, now));
}

void IncidentService::store_sla_fields(store::Connection& c, std::int64_t incident_id,
                                       const SlaSnapshot& snapshot,
                                       std::optional<std::int64_t> next_escalation_at) const {
  c.execute(
      "UPDATE incidents SET response_due_at = ?, resolution_due_at = ?, next_escalation_at = ? "
      "WHERE id = ?",
      {store::maybe(snapshot.response_due_ms), store::maybe(snapshot.resolution_due_ms),
       store::maybe(next_escalation_at), incident_id});
}

void IncidentService::store_sla_fields(store::Connection& c,
                                       std::span<const SlaFields> fields) const {
  std::vector<store::Value> values;
  values.reserve(fields.size() * 4);
  for (const auto& f : fields) {
    values.insert(values.end(),
                  {f.incident_id, store::maybe(f.response_due_at),
                   store::maybe(f.resolution_due_at), store::maybe(f.next_escalation_at)});
  }
  // The casts give PostgreSQL the types of the VALUES columns (NULLs included).
  insert_rows(c, "WITH v (id, response_due, resolution_due, next_look) AS (VALUES ", 4, values,
              ") UPDATE incidents SET response_due_at = v.response_due,"
              " resolution_due_at = v.resolution_due, next_escalation_at = v.next_look"
              " FROM v WHERE incidents.id = v.id",
              "(CAST(? AS BIGINT), CAST(? AS BIGINT), CAST(? AS BIGINT), CAST(? AS BIGINT))");
}

void IncidentService::write_search_document(store::Connection& c, const Incident& incident) const {
  index_incident(c, incident.id);
}

Incident IncidentService::create(const IncidentFields& f, const auth::Principal& who) {
  Incident out;
  db_.write([&](store::Connection& c) { out = create(c, f, who, util::now_ms()); });
  return out;
}

Incident IncidentService::create(store::Connection& c, const IncidentFields& f,
                                 const auth::Principal& who, std::int64_t now) {
  const bool worker = is_worker(who.roles);
  if (!worker) {
    // Reporters describe what they saw; routing and handling are for the service desk.
    for (auto [set, field] :
         {std::pair{f.group.has_value(), "group"}, std::pair{f.assignee.has_value(), "assignee"},
          std::pair{f.support_level.has_value(), "support_level"},
          std::pair{f.restricted.has_value(), "restricted"}, std::pair{f.tlp.has_value(), "tlp"},
          std::pair{f.parent.has_value(), "parent"}, std::pair{f.problem_id.has_value(), "problem"},
          std::pair{f.source.has_value(), "source"}}) {
      if (set) throw IncidentInputError(field, "only the service desk sets this");
    }
  }
  Incident in;
  in.title = f.title.value_or("");
  in.description = f.description.value_or("");
  check_text("title", in.title, 200, false, true);
  check_text("description", in.description, 64 * 1024, true, false);
  if (!f.category) throw IncidentInputError("category", "is required");
  in.category = *f.category;
  in.subcategory = f.subcategory.value_or(std::nullopt);
  if (auto p = categories_.classification_problem(in.category, in.subcategory)) {
    throw IncidentInputError(p->first, p->second);
  }
  in.impact = f.impact.value_or(Impact::moderate);
  in.urgency = f.urgency.value_or(Urgency::medium);
  in.affects_confidentiality = f.affects_confidentiality.value_or(false);
  in.affects_integrity = f.affects_integrity.value_or(false);
  in.affects_availability = f.affects_availability.value_or(false);
  in.personal_data = f.personal_data.value_or(false);
  in.affected_services = f.affected_services.value_or(std::vector<std::string>{});
  in.affected_assets = f.affected_assets.value_or(std::vector<std::string>{});
  check_list("affected_services", in.affected_services);
  check_list("affected_assets", in.affected_assets);
  in.source = f.source.value_or(who.method == auth::AuthMethod::token ? "api" : "portal");
  if (std::find(std::begin(kSources), std::end(kSources), in.source) == std::end(kSources)) {
    throw IncidentInputError("source", "must be one of portal, email, phone, api, detection");
  }
  in.restricted = f.restricted.value_or(false);
  in.tlp = f.tlp.value_or("amber");
  if (std::find(std::begin(kTlpValues), std::end(kTlpValues), in.tlp) == std::end(kTlpValues)) {
    throw IncidentInputError("tlp", "must be one of clear, green, amber, amber+strict, red");
  }
  in.occurred_at = f.occurred_at.value_or(std::nullopt);
  in.detected_at = f.detected_at.value_or(std::nullopt);
  check_time("occurred_at", in.occurred_at, now);
  check_time("detected_at", in.detected_at, now);
  const auto matrix = settings_.matrix();
  in.priority = matrix.matrix.priority(in.impact, in.urgency);
  const auto targets = settings_.targets_for(in.priority);

  // Everything the row will hold is decided here, so that the SLA columns go into the INSERT
  // and the answer is built from what was written instead of being read back.
  const auto group = group_by_name(c, f.group.value_or(std::nullopt));
  in.assignee_id = user_by_name(c, "assignee", f.assignee.value_or(std::nullopt));
  if (in.assignee_id) in.assignee = f.assignee.value_or(std::nullopt);
  if (f.parent && *f.parent) {
    const auto parent = parse_incident_key(**f.parent);
    auto p = parent ? load(c, *parent) : std::nullopt;
    if (!p || !can_see(viewer_for(c, who), *p)) {
      throw IncidentInputError("parent", "no such incident");
    }
    in.parent_id = parent;
  }
  in.problem_id = f.problem_id.value_or(std::nullopt);
  if (in.problem_id && !c.query_one("SELECT id FROM problems WHERE id = ?", {*in.problem_id})) {
    throw IncidentInputError("problem", "no such problem");
  }
  if (group) {
    in.group_id = group->id;
    in.group = group->name;
  }
  in.support_level = f.support_level.value_or(group ? group->level : 1);
  in.matrix_version = matrix.version;
  if (!auth::is_system(who)) {
    in.reporter_id = who.user_id;
    in.reporter = who.username;
  }
  // Logged with an assignee, the incident is owned from the start: 'assigned', and its time
  // to own is met, just as when a new incident is assigned by a change.
  in.status = in.assignee_id ? Status::assigned : Status::new_;
  if (in.assignee_id) in.acknowledged_at = now;
  in.reported_at = now;
  in.sla_policy_version = targets.policy_version;
  in.sla_calendar = targets.calendar;
  in.response_target_ms = targets.response_ms;
  in.resolution_target_ms = targets.resolution_ms;
  in.created_at = now;
  in.updated_at = now;
  in.version = 1;
  const auto snapshot = settings_.evaluate(in, now);
  const auto next_look = next_escalation_at(c, in, snapshot, now);

  auto row = c.query_one(
      "INSERT INTO incidents (title, description, category, subcategory, impact, urgency, "
      "priority,"
      " matrix_version, affects_confidentiality, affects_integrity, affects_availability,"
      " personal_data, affected_services, affected_assets, source, reporter_id, group_id,"
      " assignee_id, support_level, status, acknowledged_at, parent_id, problem_id, restricted,"
      " tlp, occurred_at,"
      " detected_at, reported_at, sla_policy_version, sla_calendar, response_target_ms,"
      " resolution_target_ms, response_due_at, resolution_due_at, next_escalation_at,"
      " created_at, updated_at)"
      " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,"
      " ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
      {in.title,
       in.description,
       in.category,
       store::maybe(in.subcategory),
       std::string(impact_name(in.impact)),
       std::string(urgency_name(in.urgency)),
       std::int64_t{in.priority},
       in.matrix_version,
       std::int64_t{in.affects_confidentiality},
       std::int64_t{in.affects_integrity},
       std::int64_t{in.affects_availability},
       std::int64_t{in.personal_data},
       list_json(in.affected_services),
       list_json(in.affected_assets),
       in.source,
       store::maybe(in.reporter_id),
       store::maybe(in.group_id),
       store::maybe(in.assignee_id),
       std::int64_t{in.support_level},
       std::string(status_name(in.status)),
       store::maybe(in.acknowledged_at),
       store::maybe(in.parent_id),
       store::maybe(in.problem_id),
       std::int64_t{in.restricted},
       in.tlp,
       store::maybe(in.occurred_at),
       store::maybe(in.detected_at),
       now,
       in.sla_policy_version,
       in.sla_calendar,
       in.response_target_ms,
       in.resolution_target_ms,
       store::maybe(snapshot.response_due_ms),
       store::maybe(snapshot.resolution_due_ms),
       store::maybe(next_look),
       now,
       now});
  in.id = row->i64(0);
  write_search_document(c, in);
  audit_.append(c, {auth::actor_of(who),
                    "incident.create",
                    "incident",
                    incident_key(in.id),
                    {{"after", audit_view(in)}, {"source", in.source}}});
  return in;
}

std::optional<Incident> IncidentService::get(std::int64_t id, const auth::Principal& who) {
  std::optional<Incident> out;
  db_.read([&](store::Connection& c) {
    auto incident = load(c, id);
    if (incident && can_see(viewer_for(c, who), *incident)) out = std::move(incident);
  });
  return out;
}

IncidentPage IncidentService::list(const IncidentQuery& q, const auth::Principal& who) {
  const SortSpec& sort = sort_spec(q.sort);
  IncidentPage page;
  db_.read([&](store::Connection& c) {
    const auto viewer = viewer_for(c, who);
    std::vector<store::Value> params;
    std::string where = visibility_condition(viewer, params);
    auto add = [&](const std::string& condition) { where += " AND " + condition; };
    if (!q.statuses.empty()) {
      std::string in;
      for (auto s : q.statuses) {
        in += in.empty() ? "?" : ", ?";
        params.emplace_back(std::string(status_name(s)));
      }
      add("i.status IN (" + in + ")");
    }
    if (!q.priorities.empty()) {
      std::string in;
      for (int p : q.priorities) {
        in += in.empty() ? "?" : ", ?";
        params.emplace_back(std::int64_t{p});
      }
      add("i.priority IN (" + in + ")");
    }
    auto user_filter = [&](const char* column, const std::optional<std::string>& name,
                           const char* field) {
      if (!name) return;
      if (*name == "none") {
        add(std::string(column) + " IS NULL");
      } else if (*name == "me") {
        add(std::string(column) + " = ?");
        params.emplace_back(who.user_id);
      } else {
        auto u = c.query_one("SELECT id FROM users WHERE username = ?", {*name});
        if (!u) throw IncidentInputError(field, "no such user");
        add(std::string(column) + " = ?");
        params.emplace_back(u->i64(0));
      }
    };
    user_filter("i.assignee_id", q.assignee, "assignee");
    user_filter("i.reporter_id", q.reporter, "reporter");
    if (q.group) {
      if (*q.group == "none") {
        add("i.group_id IS NULL");
      } else {
        auto g = SupportGroups::find(c, *q.group);
        if (!g) throw IncidentInputError("group", "no such group");
        add("i.group_id = ?");
        params.emplace_back(g->id);
      }
    }
    if (q.category) {
      add("(i.category = ? OR i.subcategory = ?)");
      params.emplace_back(*q.category);
      params.emplace_back(*q.category);
    }
    if (q.major) {
      add("i.major = ?");
      params.emplace_back(std::int64_t{*q.major});
    }
    if (q.restricted) {
      add("i.restricted = ?");
      params.emplace_back(std::int64_t{*q.restricted});
    }
    if (q.created_since) {
      add("i.created_at >= ?");
      params.emplace_back(*q.created_since);
    }
    if (q.created_until) {
      add("i.created_at < ?");
      params.emplace_back(*q.created_until);
    }
    // Sorted by id, a SQLite search is driven by the full-text index, which hands out its
    // matches in rowid (= incident id) order: the page ends after `limit` visible matches
    // instead of after collecting and sorting every match of a common word.
    bool search_driven = false;
    if (q.text) {
      const auto before = params.size();
      auto condition = search_condition(
          c.backend(), *q.text, is_worker(viewer.roles) || viewer.roles.has(auth::Role::auditor),
          params);
      search_driven = condition && sort.value_expr == nullptr &&
                      c.backend() == store::Backend::sqlite && params.size() == before + 1;
      add(search_driven ? "incident_search MATCH ?" : condition ? *condition : "1 = 0");
    }
    const std::string id_column = search_driven ? "incident_search.rowid" : "i.id";
    if (q.cursor) {
      // "<sort>|<value>|<id>"
      const auto text = util::base64url_decode(*q.cursor).value_or("");
      const auto a = text.find('|');
      const auto b = text.find('|', a == std::string::npos ? 0 : a + 1);
      std::int64_t value = 0;
      std::int64_t id = 0;
      try {
        if (a == std::string::npos || b == std::string::npos || text.substr(0, a) != sort.name)
          throw 0;
        value = std::stoll(text.substr(a + 1, b - a - 1));
        id = std::stoll(text.substr(b + 1));
      } catch (...) {
        throw IncidentInputError("cursor", "is not a cursor of this list and sort order");
      }
      const char* id_cmp = sort.id_ascending ? ">" : "<";
      if (sort.value_expr == nullptr) {
        add(id_column + " " + id_cmp + " ?");
        params.emplace_back(id);
      } else {
        const std::string v = sort.value_expr;
        add("(" + v + (sort.ascending ? " > ?" : " < ?") + " OR (" + v + " = ? AND i.id " + id_cmp +
            " ?))");
        params.emplace_back(value);
        params.emplace_back(value);
        params.emplace_back(id);
      }
    }
    params.emplace_back(std::int64_t{q.limit + 1});
    // Two steps in one statement: the ids of the page first, sorted and cut with only the
    // columns the conditions need (SQLite stops at a full page when an index gives the order,
    // and never sorts whole joined rows), then the page's rows with their joins.
    const std::string from =
        search_driven ? "incident_search JOIN incidents i ON i.id = incident_search.rowid"
                      : "incidents i";
    const std::string page_order =
        search_driven ? id_column + (sort.id_ascending ? " ASC" : " DESC") : sort.order_by;
    const std::string sql = std::string(kIncidentSelect) + " WHERE i.id IN (SELECT i.id FROM " +
                            from + " WHERE " + where + " ORDER BY " + page_order +
                            " LIMIT ?) ORDER BY " + sort.order_by;
    std::vector<Incident> items;
    for (const auto& r : c.query(sql, params)) items.push_back(incident_from_row(r));
    if (static_cast<int>(items.size()) > q.limit) {
      items.resize(static_cast<std::size_t>(q.limit));
      const auto& last = items.back();
      std::int64_t value = value_for_cursor(sort, last);
      if (std::string_view(sort.name) == "due") {
        auto due = c.query_one(
            "SELECT COALESCE(resolution_due_at, 9223372036854775807) FROM incidents WHERE id = ?",
            {last.id});
        value = due ? due->i64(0) : 0;
      }
      page.next_cursor = util::base64url_encode(
          std::string(sort.name) + "|" + std::to_string(value) + "|" + std::to_string(last.id));
    }
    load_pauses(c, items);
    page.items = std::move(items);
  });
  return page;
}

std::optional<Incident> IncidentService::update(std::int64_t id, std::int64_t expected_version,
                                                const IncidentFields& f,
                                                const auth::Principal& who) {
  std::optional<Incident> out;
  db_.write(
      [&](store::Connection& c) { out = update(c, id, expected_version, f, who, util::now_ms()); });
  return out;
}

std::optional<Incident> IncidentService::update(store::Connection& c, std::int64_t id,
                                                std::int64_t expected_version,
                                                const IncidentFields& f, const auth::Principal& who,
                                                std::int64_t now) {
  if (f.title) check_text("title", *f.title, 200, false, true);
  if (f.description) check_text("description", *f.description, 64 * 1024, true, false);
  if (f.affected_services) check_list("affected_services", *f.affected_services);
  if (f.affected_assets) check_list("affected_assets", *f.affected_assets);
  if (f.source) throw IncidentInputError("source", "is fixed when the incident is logged");
  if (f.tlp &&
      std::find(std::begin(kTlpValues), std::end(kTlpValues), *f.tlp) == std::end(kTlpValues)) {
    throw IncidentInputError("tlp", "must be one of clear, green, amber, amber+strict, red");
  }
  if (f.support_level && (*f.support_level < 1 || *f.support_level > 3)) {
    throw IncidentInputError("support_level", "must be 1, 2 or 3");
  }
  if (f.occurred_at) check_time("occurred_at", *f.occurred_at, now);
  if (f.detected_at) check_time("detected_at", *f.detected_at, now);
  std::optional<Incident> out;
  {
    const auto viewer = viewer_for(c, who);
    auto current = load(c, id);
    if (!current || !can_see(viewer, *current)) return std::nullopt;
    if (current->version != expected_version) throw StaleVersion(current->version);
    if (is_terminal(current->status)) {
      throw IncidentInputError("status", "a " + std::string(status_name(current->status)) +
                                             " incident cannot be changed; reopen it first");
    }
    Incident next = *current;
    if (f.title) next.title = *f.title;
    if (f.description) next.description = *f.description;
    if (f.category) next.category = *f.category;
    if (f.subcategory) next.subcategory = *f.subcategory;
    if (f.category || f.subcategory) {
      if (f.category && !f.subcategory && next.subcategory) {
        // A new class invalidates the old subcategory unless it still belongs.
        if (categories_.classification_problem(next.category, next.subcategory))
          next.subcategory.reset();
      }
      if (auto p = categories_.classification_problem(next.category, next.subcategory)) {
        throw IncidentInputError(p->first, p->second);
      }
    }
    if (f.impact) next.impact = *f.impact;
    if (f.urgency) next.urgency = *f.urgency;
    if (f.affects_confidentiality) next.affects_confidentiality = *f.affects_confidentiality;
    if (f.affects_integrity) next.affects_integrity = *f.affects_integrity;
    if (f.affects_availability) next.affects_availability = *f.affects_availability;
    if (f.personal_data) next.personal_data = *f.personal_data;
    if (f.affected_services) next.affected_services = *f.affected_services;
    if (f.affected_assets) next.affected_assets = *f.affected_assets;
    if (f.restricted) next.restricted = *f.restricted;
    if (f.tlp) next.tlp = *f.tlp;
    if (f.occurred_at) next.occurred_at = *f.occurred_at;
    if (f.detected_at) next.detected_at = *f.detected_at;
    if (f.support_level) next.support_level = *f.support_level;
    if (f.group) {
      const auto g = group_by_name(c, *f.group);
      next.group_id = g ? std::optional(g->id) : std::nullopt;
      next.group = g ? std::optional(g->name) : std::nullopt;
      if (g && !f.support_level) next.support_level = g->level;
    }
    if (f.assignee) {
      next.assignee_id = user_by_name(c, "assignee", *f.assignee);
      next.assignee = *f.assignee;
    }
    if (f.parent) {
      next.parent_id.reset();
      if (*f.parent) {
        const auto pid = parse_incident_key(**f.parent);
        auto p = pid ? load(c, *pid) : std::nullopt;
        if (!p || !can_see(viewer, *p)) throw IncidentInputError("parent", "no such incident");
        if (p->id == next.id)
          throw IncidentInputError("parent", "an incident cannot be its own parent");
        for (auto up = p->parent_id; up; up = load(c, *up)->parent_id) {
          if (*up == next.id) throw IncidentInputError("parent", "would create a cycle of parents");
        }
        next.parent_id = p->id;
      }
    }
    if (f.problem_id) {
      next.problem_id = *f.problem_id;
      if (next.problem_id &&
          !c.query_one("SELECT id FROM problems WHERE id = ?", {*next.problem_id})) {
        throw IncidentInputError("problem", "no such problem");
      }
    }
    // A new impact or urgency re-rates the incident; the SLA targets follow the new priority.
    const auto matrix = settings_.matrix();
    const int priority = matrix.matrix.priority(next.impact, next.urgency);
    if (priority != next.priority) {
      next.priority = priority;
      next.matrix_version = matrix.version;
      const auto targets = settings_.targets_for(priority);
      next.sla_policy_version = targets.policy_version;
      next.sla_calendar = targets.calendar;
      next.response_target_ms = targets.response_ms;
      next.resolution_target_ms = targets.resolution_ms;
    }
    // Assigning a new incident moves it to 'assigned', as the service desk expects.
    const bool auto_assign =
        next.status == Status::new_ && next.assignee_id && !current->assignee_id;
    if (auto_assign) {
      next.status = Status::assigned;
      if (effects_of(Status::new_, Status::assigned).acknowledges && !next.acknowledged_at) {
        next.acknowledged_at = now;
      }
    }
    next.version = current->version + 1;
    next.updated_at = now;
    const auto changed = c.execute(
        "UPDATE incidents SET title = ?, description = ?, category = ?, subcategory = ?, impact = "
        "?,"
        " urgency = ?, priority = ?, matrix_version = ?, affects_confidentiality = ?,"
        " affects_integrity = ?, affects_availability = ?, personal_data = ?, affected_services = "
        "?,"
        " affected_assets = ?, group_id = ?, assignee_id = ?, support_level = ?, status = ?,"
        " parent_id = ?, problem_id = ?, restricted = ?, tlp = ?, occurred_at = ?, detected_at = ?,"
        " sla_policy_version = ?, sla_calendar = ?, response_target_ms = ?,"
        " resolution_target_ms = ?, acknowledged_at = ?, updated_at = ?, version = ?"
        " WHERE id = ? AND version = ?",
        {next.title,
         next.description,
         next.category,
         store::maybe(next.subcategory),
         std::string(impact_name(next.impact)),
         std::string(urgency_name(next.urgency)),
         std::int64_t{next.priority},
         next.matrix_version,
         std::int64_t{next.affects_confidentiality},
         std::int64_t{next.affects_integrity},
         std::int64_t{next.affects_availability},
         std::int64_t{next.personal_data},
         list_json(next.affected_services),
         list_json(next.affected_assets),
         store::maybe(next.group_id),
         store::maybe(next.assignee_id),
         std::int64_t{next.support_level},
         std::string(status_name(next.status)),
         store::maybe(next.parent_id),
         store::maybe(next.problem_id),
         std::int64_t{next.restricted},
         next.tlp,
         store::maybe(next.occurred_at),
         store::maybe(next.detected_at),
         next.sla_policy_version,
         next.sla_calendar,
         next.response_target_ms,
         next.resolution_target_ms,
         store::maybe(next.acknowledged_at),
         now,
         next.version,
         next.id,
         current->version});
    if (changed == 0) throw StaleVersion(current->version + 1);  // a concurrent writer won
    out = *load(c, id);
    write_sla_fields(c, *out, now);
    if (f.title || f.description) write_search_document(c, *out);
    audit_.append(c, {who.actor(),
                      "incident.update",
                      "incident",
                      incident_key(id),
                      {{"before", audit_view(*current)}, {"after", audit_view(*out)}}});
  }
  return out;
}

std::optional<Incident> IncidentService::transition(std::int64_t id, const TransitionInput& input,
                                                    const auth::Principal& who) {
  std::optional<Incident> out;
  // Without If-Match the caller asks for a move from whatever the status is now: losing the
  // row to a concurrent writer (PostgreSQL, READ COMMITTED) is no reason for a 412. Read it
  // again and judge the move afresh; every stale attempt means another change was committed.
  for (int attempt = 1;; ++attempt) {
    try {
      db_.write([&](store::Connection& c) { out = transition(c, id, input, who, util::now_ms()); });
      return out;
    } catch (const StaleVersion&) {
      if (input.expected_version || attempt == 5) throw;
    }
  }
}

std::optional<Incident> IncidentService::transition(store::Connection& c, std::int64_t id,
                                                    const TransitionInput& input,
                                                    const auth::Principal& who, std::int64_t now) {
  const auto viewer = viewer_for(c, who);
  auto current = load(c, id);
  if (!current || !can_see(viewer, *current)) return std::nullopt;
  if (input.expected_version && *input.expected_version != current->version) {
    throw StaleVersion(current->version);
  }
  return apply_transition(c, *current, input, viewer, who.actor(), false, now);
}

std::optional<Incident> IncidentService::apply_transition(store::Connection& c, Incident incident,
                                                          const TransitionInput& input,
                                                          const Viewer& viewer,
                                                          const std::string& actor, bool system,
                                                          std::int64_t now) {
  TransitionRequest request;
  request.from = incident.status;
  request.to = input.to;
  request.roles = viewer.roles;
  request.is_reporter = incident.reporter_id == viewer.user_id;
  request.is_system = system;
  request.pending_reason = input.pending_reason;
  request.cancel_reason = input.cancel_reason;
  request.resolution_code = input.resolution_code;
  request.resolution_notes = input.resolution_notes;
  auto verdict = check_transition(request);
  if (!verdict.allowed) throw TransitionRefused(verdict);
  if (input.to == Status::closed) {
    ClosureContext ctx;
    ctx.priority = incident.priority;
    ctx.major = incident.major;
    ctx.has_lessons_learned =
        c.query_one("SELECT incident_id FROM lessons_learned WHERE incident_id = ?", {incident.id})
            .has_value();
    ctx.improvement_actions_with_owner = static_cast<int>(
        c.query_one("SELECT COUNT(*) FROM improvement_actions WHERE incident_id = ?", {incident.id})
            ->i64(0));
    ctx.waived_by_incident_manager = incident.lessons_waived_by.has_value();
    if (auto blocker = closure_blocker(ctx)) {
      TransitionVerdict refused;
      refused.problem = *blocker;
      refused.field = "lessons_learned";
      refused.refusal = TransitionRefusal::missing_input;
      refused.allowed_targets = verdict.allowed_targets;
      throw TransitionRefused(refused);
    }
  }
  std::optional<std::int64_t> duplicate_of;
  if (input.to == Status::cancelled && input.cancel_reason == CancelReason::duplicate &&
      input.duplicate_of) {
    duplicate_of = parse_incident_key(*input.duplicate_of);
    auto original = duplicate_of ? load(c, *duplicate_of) : std::nullopt;
    if (!original || !can_see(viewer, *original) || original->id == incident.id) {
      throw IncidentInputError("duplicate_of", "no such incident");
    }
  }
  const auto effects = effects_of(incident.status, input.to);
  const Incident before = incident;
  incident.status = input.to;
  if (effects.increments_reopen_count) incident.reopen_count += 1;
  if (effects.acknowledges && !incident.acknowledged_at) incident.acknowledged_at = now;
  if (effects.closes_pause) {
    c.execute("UPDATE incident_pauses SET to_at = ? WHERE incident_id = ? AND to_at IS NULL",
              {now, incident.id});
    incident.pending_reason.reset();
  }
  if (effects.opens_pause) {
    const std::string reason(pending_reason_name(*input.pending_reason));
    c.execute("INSERT INTO incident_pauses (incident_id, reason, from_at) VALUES (?, ?, ?)",
              {incident.id, reason, now});
    incident.pending_reason = reason;
  }
  if (effects.stops_resolution_clock) {
    incident.resolved_at = now;
    incident.resolution_code = std::string(resolution_code_name(*input.resolution_code));
    incident.resolution_notes = input.resolution_notes;
  }
  if (effects.restarts_resolution_clock && incident.resolved_at) {
    // The time the incident spent resolved was not work: record it as a pause.
    c.execute(
        "INSERT INTO incident_pauses (incident_id, reason, from_at, to_at) VALUES (?, 'reopened', "
        "?, ?)",
        {incident.id, *incident.resolved_at, now});
    incident.resolved_at.reset();
    incident.resolution_code.reset();
    incident.resolution_notes.reset();
  }
  if (effects.records_closed_at) incident.closed_at = now;
  if (input.to == Status::cancelled) {
    incident.cancel_reason = std::string(cancel_reason_name(*input.cancel_reason));
    incident.closed_at = now;
    incident.duplicate_of_id = duplicate_of;
  }
  incident.version += 1;
  const auto changed = c.execute(
      "UPDATE incidents SET status = ?, reopen_count = ?, acknowledged_at = ?, pending_reason = ?,"
      " resolved_at = ?, resolution_code = ?, resolution_notes = ?, closed_at = ?, cancel_reason = "
      "?,"
      " duplicate_of_id = ?, updated_at = ?, version = ? WHERE id = ? AND version = ?",
      {std::string(status_name(incident.status)), std::int64_t{incident.reopen_count},
       store::maybe(incident.acknowledged_at), store::maybe(incident.pending_reason),
       store::maybe(incident.resolved_at), store::maybe(incident.resolution_code),
       store::maybe(incident.resolution_notes), store::maybe(incident.closed_at),
       store::maybe(incident.cancel_reason), store::maybe(incident.duplicate_of_id), now,
       incident.version, incident.id, before.version});
  if (changed == 0) throw StaleVersion(before.version + 1);  // a concurrent writer won
  auto stored = *load(c, incident.id);
  write_sla_fields(c, stored, now);
  nlohmann::json detail = {{"from", status_name(before.status)}, {"to", status_name(input.to)}};
  if (input.pending_reason) detail["pending_reason"] = pending_reason_name(*input.pending_reason);
  if (input.cancel_reason) detail["cancel_reason"] = cancel_reason_name(*input.cancel_reason);
  if (input.resolution_code)
    detail["resolution_code"] = resolution_code_name(*input.resolution_code);
  audit_.append(c, {actor, "incident.transition", "incident", incident_key(incident.id), detail});

  if (input.to == Status::resolved && input.cascade_to_children) {
    for (const auto& r : c.query("SELECT id FROM incidents WHERE parent_id = ? AND status IN "
                                 "('in_progress', 'pending')",
                                 {incident.id})) {
      auto child = load(c, r.i64(0));
      if (!child || !can_see(viewer, *child)) continue;
      TransitionInput cascade = input;
      cascade.resolution_notes =
          "Resolved with parent " + incident_key(incident.id) + ": " + input.resolution_notes;
      cascade.expected_version.reset();
      apply_transition(c, *child, cascade, viewer, actor, system, now);
    }
  }
  return stored;
}

int IncidentService::close_resolved(std::int64_t after_ms) {
  const std::int64_t now = util::now_ms();
  const std::int64_t cutoff = now - after_ms;
  const Viewer system{0, "system", auth::RoleSet{Role::incident_manager}, {}};
  constexpr std::int64_t kBatch = 500;
  int closed = 0;
  // Walks every incident resolved before the cutoff in (resolved_at, id) order, one bounded
  // write transaction per batch. Incidents still waiting for their lessons-learned review are
  // left out by the query (and refused by the lifecycle rule should one slip through), so
  // however many of them wait, they never keep the others from closing.
  std::int64_t after_resolved = std::numeric_limits<std::int64_t>::min();
  std::int64_t after_id = 0;
  for (bool more = true; more;) {
    db_.write([&](store::Connection& c) {
      const auto rows = c.query(
          "SELECT i.id, i.resolved_at FROM incidents i WHERE i.status = 'resolved'"
          " AND i.resolved_at <= ? AND (i.resolved_at > ? OR (i.resolved_at = ? AND i.id > ?))"
          " AND NOT ((i.major = 1 OR i.priority <= 2) AND i.lessons_waived_by IS NULL AND NOT"
          " (EXISTS (SELECT 1 FROM lessons_learned l WHERE l.incident_id = i.id) AND"
          " EXISTS (SELECT 1 FROM improvement_actions a WHERE a.incident_id = i.id)))"
          " ORDER BY i.resolved_at, i.id LIMIT ?",
          {cutoff, after_resolved, after_resolved, after_id, kBatch});
      more = static_cast<std::int64_t>(rows.size()) == kBatch;
      for (const auto& r : rows) {
        after_resolved = r.i64(1);
        after_id = r.i64(0);
        auto incident = load(c, r.i64(0));
        if (!incident || incident->status != Status::resolved) continue;
        TransitionInput input;
        input.to = Status::closed;
        try {
          // The closure rule is checked before anything is written, so a refusal leaves the
          // transaction clean for the rest of the batch.
          apply_transition(c, *incident, input, system, "system", true, now);
          ++closed;
        } catch (const TransitionRefused&) {
          // Waiting for its lessons-learned review: stays resolved until someone records it.
        }
      }
    });
  }
  return closed;
}

nlohmann::json IncidentService::sla_json(const Incident& incident, std::int64_t now_ms) const {
  const auto s = settings_.evaluate(incident, now_ms);
  auto clock = [](const ClockState& st, std::int64_t target,
                  const std::optional<std::int64_t>& due) {
    return nlohmann::json{{"target_ms", target},
                          {"elapsed_ms", st.elapsed_ms},
                          {"remaining_ms", st.remaining_ms},
                          {"paused_ms", st.paused_ms},
                          {"due_at", opt_time(due)},
                          {"paused", st.paused},
                          {"breached", st.breached},
                          {"met", st.met},
                          {"percent", st.percent}};
  };
  return {{"calendar", incident.sla_calendar},
          {"policy_version", incident.sla_policy_version},
          {"response", clock(s.response, incident.response_target_ms, s.response_due_ms)},
          {"resolution", clock(s.resolution, incident.resolution_target_ms, s.resolution_due_ms)}};
}

nlohmann::json IncidentService::to_json(const Incident& i, const Viewer& viewer,
                                        std::int64_t now_ms) const {
  nlohmann::json transitions = nlohmann::json::array();
  for (auto s : allowed_targets(i.status, viewer.roles, i.reporter_id == viewer.user_id)) {
    transitions.push_back(status_name(s));
  }
  return {{"key", incident_key(i.id)},
          {"title", i.title},
          {"description", i.description},
          {"category", i.category},
          {"subcategory", opt_json(i.subcategory)},
          {"impact", impact_name(i.impact)},
          {"urgency", urgency_name(i.urgency)},
          {"priority", i.priority},
          {"priority_label", "P" + std::to_string(i.priority)},
          {"matrix_version", i.matrix_version},
          {"cia",
           {{"confidentiality", i.affects_confidentiality},
            {"integrity", i.affects_integrity},
            {"availability", i.affects_availability}}},
          {"personal_data", i.personal_data},
          {"affected_services", i.affected_services},
          {"affected_assets", i.affected_assets},
          {"source", i.source},
          {"reporter", opt_json(i.reporter)},
          {"group", opt_json(i.group)},
          {"assignee", opt_json(i.assignee)},
          {"support_level", i.support_level},
          {"status", status_name(i.status)},
          {"pending_reason", opt_json(i.pending_reason)},
          {"resolution_code", opt_json(i.resolution_code)},
          {"resolution_notes", opt_json(i.resolution_notes)},
          {"cancel_reason", opt_json(i.cancel_reason)},
          {"reopen_count", i.reopen_count},
          {"major", i.major},
          {"major_manager", opt_json(i.major_manager)},
          {"parent", opt_key(i.parent_id)},
          {"duplicate_of", opt_key(i.duplicate_of_id)},
          {"problem", i.problem_id ? nlohmann::json("PRB-" + incident_key(*i.problem_id).substr(4))
                                   : nlohmann::json(nullptr)},
          {"restricted", i.restricted},
          {"tlp", i.tlp},
          {"occurred_at", opt_time(i.occurred_at)},
          {"detected_at", opt_time(i.detected_at)},
          {"reported_at", util::to_rfc3339(i.reported_at)},
          {"acknowledged_at", opt_time(i.acknowledged_at)},
          {"resolved_at", opt_time(i.resolved_at)},
          {"closed_at", opt_time(i.closed_at)},
          {"sla", sla_json(i, now_ms)},
          {"allowed_transitions", transitions},
          {"created_at", util::to_rfc3339(i.created_at)},
          {"updated_at", util::to_rfc3339(i.updated_at)},
          {"version", i.version}};
}

}  // namespace custos::incidents
