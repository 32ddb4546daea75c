#include "events/triage.hpp"

#include "audit/audit_log.hpp"
#include "auth/system_principal.hpp"
#include "events/notices.hpp"
#include "events/reports.hpp"
#include "incidents/categories.hpp"
#include "incidents/incident_service.hpp"
#include "incidents/work_access.hpp"
#include "incidents/worklog.hpp"
#include "util/time.hpp"

namespace custos::events {

namespace {

// Incident-side refusals in the words of this feature.
template <class F>
auto as_event_errors(F&& work) {
  try {
    return work();
  } catch (const incidents::IncidentInputError& e) {
    throw EventError::invalid(e.field, e.what());
  } catch (const incidents::WorkError& e) {
    switch (e.refusal) {
      case incidents::WorkRefusal::invalid:
        throw EventError::invalid(e.field, e.what());
      case incidents::WorkRefusal::forbidden:
        throw EventError(EventRefusal::forbidden, e.field, e.what());
      default:
        throw EventError::conflict(e.what());
    }
  }
}

nlohmann::json opt(const std::optional<std::string>& v) {
  return v ? nlohmann::json(*v) : nlohmann::json(nullptr);
}

}  // namespace

void Triage::check_classification(const std::string& category,
                                  const std::optional<std::string>& subcategory,
                                  const std::optional<std::string>& impact,
                                  const std::optional<std::string>& urgency) const {
  if (category.empty()) throw EventError::invalid("category", "is required");
  if (auto p = categories_.classification_problem(category, subcategory)) {
    throw EventError::invalid(p->first, p->second);
  }
  if (impact && !incidents::parse_impact(*impact)) {
    throw EventError::invalid("impact", "must be one of extensive, significant, moderate, minor");
  }
  if (urgency && !incidents::parse_urgency(*urgency)) {
    throw EventError::invalid("urgency", "must be one of critical, high, medium, low");
  }
}

std::optional<Event> Triage::classify(std::int64_t id, const Classification& in,
                                      const auth::Principal& who) {
  check_classification(in.category, in.subcategory, in.impact, in.urgency);
  std::optional<Event> out;
  db_.write([&](store::Connection& c) {
    auto e = load_event(c, id);
    if (!e) return;
    require_undecided(*e);
    const auto now = util::now_ms();
    c.execute(
        "UPDATE events SET status = 'triaging', category = ?, subcategory = ?, impact = ?,"
        " urgency = ?, triaged_by = ?, triaged_at = ?, updated_at = ?, version = version + 1"
        " WHERE id = ?",
        {in.category, store::maybe(in.subcategory), store::maybe(in.impact),
         store::maybe(in.urgency), who.user_id, now, now, id});
    out = load_event(c, id);
    audit_.append(c, {who.actor(),
                      "event.classify",
                      "event",
                      event_key(id),
                      {{"from", e->status},
                       {"category", in.category},
                       {"subcategory", opt(in.subcategory)},
                       {"impact", opt(in.impact)},
                       {"urgency", opt(in.urgency)}}});
  });
  return out;
}

Event Triage::decide(store::Connection& c, const Event& before, const std::string& status,
                     const nlohmann::json& detail, const auth::Principal& who, std::int64_t now) {
  // Only an undecided report changes: two assessors deciding at once get one success and
  // one conflict, never two outcomes.
  const auto changed = c.execute(
      "UPDATE events SET status = ?, decided_by = ?, decided_at = ?, updated_at = ?,"
      " version = version + 1 WHERE id = ? AND status IN ('new', 'triaging')",
      {status, auth::account_of(who), now, now, before.id});
  if (changed != 1) require_undecided(*load_event(c, before.id));
  Event after = *load_event(c, before.id);
  nlohmann::json d = detail;
  d["from"] = before.status;
  d["outcome"] = status;
  audit_.append(c, {auth::actor_of(who),
                    "event." + std::string(status == "dismissed" ? "dismiss"
                                           : status == "merged"  ? "merge"
                                                                 : "promote"),
                    "event", event_key(before.id), d});
  notify_reporter(c, after, outcome(after), mail_domain_, now);
  return after;
}

void Triage::copy_attachments(store::Connection& c, std::int64_t event_id, std::int64_t incident_id,
                              std::int64_t now) const {
  // The blobs are content-addressed in the one store both features share: copying a file
  // is a new row naming the same bytes. The reporter stays its uploader, so they still see
  // the files they sent.
  for (const auto& a : event_attachments(c, event_id)) {
    c.execute(
        "INSERT INTO attachments (incident_id, sha256, size, content_type, filename, uploaded_by,"
        " created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
        {incident_id, a.sha256, a.size, a.content_type, a.filename, store::maybe(a.uploaded_by_id),
         now});
  }
}

std::optional<Event> Triage::dismiss(std::int64_t id, const Dismissal& in,
                                     const auth::Principal& who) {
  std::optional<Event> out;
  db_.write([&](store::Connection& c) {
    auto e = load_event(c, id);
    if (!e) return;
    require_undecided(*e);
    check_dismissal(*e, in);
    std::optional<std::string> duplicate_of;
    if (in.duplicate_of) {
      if (auto evt = parse_event_key(*in.duplicate_of)) {
        if (!load_event(c, *evt))
          throw EventError::invalid("duplicate_of", "no such report " + event_key(*evt));
        duplicate_of = event_key(*evt);
      } else {
        const auto inc = *incidents::parse_incident_key(*in.duplicate_of);
        if (!incidents::access_incident(c, inc, who))
          throw EventError::invalid("duplicate_of",
                                    "no such incident " + incidents::incident_key(inc));
        duplicate_of = incidents::incident_key(inc);
      }
    }
    const auto now = util::now_ms();
    c.execute("UPDATE events SET dismissal = ?, duplicate_of = ?, decision_reason = ? WHERE id = ?",
              {in.code, store::maybe(duplicate_of), in.reason, id});
    out =
        decide(c, *e, "dismissed",
               {{"dismissal", in.code}, {"duplicate_of", opt(duplicate_of)}, {"reason", in.reason}},
               who, now);
  });
  return out;
}

std::optional<Event> Triage::merge(std::int64_t id, const MergeInput& in,
                                   const auth::Principal& who) {
  check_reason(in.reason);
  const auto incident_id = incidents::parse_incident_key(in.incident);
  if (!incident_id)
    throw EventError::invalid("incident", "must be an incident key like INC-000123");
  std::optional<Event> out;
  db_.write([&](store::Connection& c) {
    auto e = load_event(c, id);
    if (!e) return;
    require_undecided(*e);
    const auto now = util::now_ms();
    as_event_errors([&] {
      auto access = incidents::access_incident(c, *incident_id, who);
      if (!access) {
        throw EventError::invalid("incident",
                                  "no such incident " + incidents::incident_key(*incident_id));
      }
      access->require_open("merging a report into it");
      incidents::NewWorklogEntry note;
      note.body = merge_note(*e, in.reason);
      note.visibility = "internal";  // another person's report stays with the service desk
      note.kind = "note";
      worklog_.add(c, *incident_id, note, who, now);
      return 0;
    });
    copy_attachments(c, id, *incident_id, now);
    c.execute("UPDATE events SET incident_id = ?, decision_reason = ? WHERE id = ?",
              {*incident_id, in.reason, id});
    out = decide(c, *e, "merged",
                 {{"incident", incidents::incident_key(*incident_id)}, {"reason", in.reason}}, who,
                 now);
  });
  return out;
}

std::optional<Event> Triage::promote(std::int64_t id, const PromoteInput& in,
                                     const auth::Principal& who) {
  std::optional<Event> out;
  db_.write([&](store::Connection& c) { out = promote(c, id, in, who); });
  return out;
}

std::optional<Event> Triage::promote(store::Connection& c, std::int64_t id, const PromoteInput& in,
                                     const auth::Principal& who) {
  check_reason(in.reason);
  std::optional<Event> out;
  {
    auto e = load_event(c, id);
    if (!e) return out;
    require_undecided(*e);
    const auto category = in.category ? in.category : e->category;
    if (!category) {
      throw EventError::invalid("category",
                                "is required: classify the report first or send a category");
    }
    const auto subcategory = in.category      ? in.subcategory
                             : in.subcategory ? in.subcategory
                                              : e->subcategory;
    const auto impact = in.impact ? in.impact : e->impact;
    const auto urgency = in.urgency ? in.urgency : e->urgency;
    check_classification(*category, subcategory, impact, urgency);

    incidents::IncidentFields f;
    f.title = in.title.value_or(e->title);
    f.description = in.description.value_or(incident_description(*e));
    f.category = *category;
    f.subcategory = subcategory;
    if (impact) f.impact = incidents::parse_impact(*impact);
    if (urgency) f.urgency = incidents::parse_urgency(*urgency);
    f.source = incident_source(e->channel);
    f.occurred_at = e->observed_at;
    if (!e->location.empty()) f.affected_assets = std::vector<std::string>{e->location};
    const auto now = util::now_ms();
    const auto incident = as_event_errors([&] { return incidents_.create(c, f, who, now); });
    // The incident's reporter is the person who reported the event, so they can follow it.
    if (e->reporter_id) {
      c.execute("UPDATE incidents SET reporter_id = ? WHERE id = ?",
                {*e->reporter_id, incident.id});
    }
    copy_attachments(c, id, incident.id, now);
    c.execute(
        "UPDATE events SET incident_id = ?, decision_reason = ?, category = ?, subcategory = ?,"
        " impact = ?, urgency = ? WHERE id = ?",
        {incident.id, in.reason, *category, store::maybe(subcategory),
         std::string(incidents::impact_name(incident.impact)),
         std::string(incidents::urgency_name(incident.urgency)), id});
    out = decide(
        c, *e, "promoted",
        {{"incident", incidents::incident_key(incident.id)},
         {"reason", in.reason},
         {"category", *category},
         {"impact", incidents::impact_name(incident.impact)},
         {"urgency", incidents::urgency_name(incident.urgency)},
         {"incident_reporter", e->reporter ? nlohmann::json(*e->reporter)
                                           : nlohmann::json(e->reporter_email.value_or(""))}},
        who, now);
  }
  return out;
}

}  // namespace custos::events
