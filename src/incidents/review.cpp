#include "incidents/review.hpp"

#include <algorithm>

#include "audit/audit_log.hpp"
#include "incidents/lifecycle.hpp"
#include "util/time.hpp"

namespace custos::incidents {

namespace {

nlohmann::json opt_str(const std::optional<std::string>& v) {
  return v ? nlohmann::json(*v) : nlohmann::json(nullptr);
}
nlohmann::json opt_time(const std::optional<std::int64_t>& v) {
  return v ? nlohmann::json(util::to_rfc3339(*v)) : nlohmann::json(nullptr);
}

constexpr const char* kActionSelect =
    "SELECT a.id, a.incident_id, a.title, u.username, a.due_at, a.status, a.created_at"
    " FROM improvement_actions a JOIN users u ON u.id = a.owner_id";

ImprovementAction action_from_row(const store::Row& r) {
  return {r.i64(0), r.i64(1), r.str(2), r.str(3), r.opt_i64(4), r.str(5), r.i64(6)};
}

std::optional<LessonsLearned> load_lessons(store::Connection& c, std::int64_t incident_id) {
  auto r = c.query_one(
      "SELECT l.what_happened, l.root_cause, l.went_well, l.to_improve, u.username, l.updated_at"
      " FROM lessons_learned l LEFT JOIN users u ON u.id = l.author_id WHERE l.incident_id = ?",
      {incident_id});
  if (!r) return std::nullopt;
  return LessonsLearned{r->str(0), r->str(1), r->str(2), r->str(3), r->opt_str(4), r->i64(5)};
}

}  // namespace

nlohmann::json to_json(const ReviewState& s) {
  nlohmann::json lessons = nullptr;
  if (s.lessons) {
    lessons = {{"what_happened", s.lessons->what_happened},
               {"root_cause", s.lessons->root_cause},
               {"went_well", s.lessons->went_well},
               {"to_improve", s.lessons->to_improve},
               {"author", opt_str(s.lessons->author)},
               {"updated_at", util::to_rfc3339(s.lessons->updated_at)},
               {"version", s.lessons->updated_at}};
  }
  nlohmann::json waiver = nullptr;
  if (s.waiver) {
    waiver = {{"by", opt_str(s.waiver->by)},
              {"reason", opt_str(s.waiver->reason)},
              {"at", opt_time(s.waiver->at)}};
  }
  return {{"incident", s.incident_key}, {"required", s.required},
          {"lessons_learned", lessons}, {"improvement_actions", s.improvement_actions},
          {"waiver", waiver},           {"closure_blocker", opt_str(s.closure_blocker)}};
}

nlohmann::json to_json(const ImprovementAction& a) {
  return {{"id", a.id},         {"title", a.title},
          {"owner", a.owner},   {"due_at", opt_time(a.due_at)},
          {"status", a.status}, {"created_at", util::to_rfc3339(a.created_at)}};
}

void check_lessons(const LessonsLearned& l) {
  check_text("what_happened", l.what_happened, kMaxLessonsField, true);
  check_text("root_cause", l.root_cause, kMaxLessonsField, true);
  check_text("went_well", l.went_well, kMaxLessonsField, true);
  check_text("to_improve", l.to_improve, kMaxLessonsField, true);
}

ReviewState Review::load_state(store::Connection& c, const IncidentAccess& access) const {
  const Incident& i = access.incident;
  ReviewState s;
  s.incident_key = access.key();
  s.required = i.major || i.priority <= 2;
  s.lessons = load_lessons(c, i.id);
  s.improvement_actions = static_cast<int>(
      c.query_one("SELECT COUNT(*) FROM improvement_actions WHERE incident_id = ?", {i.id})
          ->i64(0));
  if (i.lessons_waived_by) {
    Waiver w;
    if (auto u = c.query_one("SELECT username FROM users WHERE id = ?", {*i.lessons_waived_by})) {
      w.by = u->str(0);
    }
    // The reason lives in the audit trail, where the waiver was recorded.
    if (auto a = c.query_one(
            "SELECT at, detail FROM audit_log WHERE object_type = 'incident' AND object_id = ?"
            " AND action = 'incident.lessons_waive' ORDER BY seq DESC LIMIT 1",
            {s.incident_key})) {
      w.at = a->i64(0);
      auto detail = nlohmann::json::parse(a->str(1), nullptr, false);
      if (detail.is_object() && detail.contains("reason") && detail["reason"].is_string()) {
        w.reason = detail["reason"].get<std::string>();
      }
    }
    s.waiver = std::move(w);
  }
  ClosureContext ctx;
  ctx.priority = i.priority;
  ctx.major = i.major;
  ctx.has_lessons_learned = s.lessons.has_value();
  ctx.improvement_actions_with_owner = s.improvement_actions;
  ctx.waived_by_incident_manager = i.lessons_waived_by.has_value();
  s.closure_blocker = closure_blocker(ctx);
  return s;
}

std::optional<ReviewState> Review::state(std::int64_t incident_id, const auth::Principal& who) {
  std::optional<ReviewState> out;
  db_.read([&](store::Connection& c) {
    auto access = access_incident(c, incident_id, who);
    if (!access) return;
    access->require_internal("the incident review");
    out = load_state(c, *access);
  });
  return out;
}

std::optional<ReviewState> Review::put_lessons(std::int64_t incident_id,
                                               const LessonsLearned& lessons,
                                               std::optional<std::int64_t> expected_version,
                                               const auth::Principal& who) {
  check_lessons(lessons);
  std::optional<ReviewState> out;
  db_.write([&](store::Connection& c) {
    auto access = access_incident(c, incident_id, who);
    if (!access) return;
    access->require_worker("recording lessons learned");
    if (access->incident.status == Status::cancelled) {
      throw WorkError::conflict(access->key() +
                                " was cancelled: it was not an incident and needs no review");
    }
    const auto current = load_lessons(c, incident_id);
    if (current && !expected_version) {
      throw WorkError(WorkRefusal::stale, "If-Match",
                      "lessons learned are already recorded: send If-Match with the version you "
                      "read to replace them");
    }
    if (expected_version && (!current || current->updated_at != *expected_version)) {
      throw WorkError(WorkRefusal::stale, "",
                      "the lessons learned were changed since you read them; reload and retry");
    }
    // The version is the time of the change, kept strictly increasing.
    const std::int64_t now = std::max(util::now_ms(), current ? current->updated_at + 1 : 0);
    c.execute(
        "INSERT INTO lessons_learned (incident_id, what_happened, root_cause, went_well,"
        " to_improve, author_id, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)"
        " ON CONFLICT (incident_id) DO UPDATE SET what_happened = EXCLUDED.what_happened,"
        " root_cause = EXCLUDED.root_cause, went_well = EXCLUDED.went_well,"
        " to_improve = EXCLUDED.to_improve, author_id = EXCLUDED.author_id,"
        " updated_at = EXCLUDED.updated_at",
        {incident_id, lessons.what_happened, lessons.root_cause, lessons.went_well,
         lessons.to_improve, who.user_id, now});
    c.execute("UPDATE incidents SET updated_at = ? WHERE id = ?", {now, incident_id});
    audit_.append(c, {who.actor(),
                      current ? "incident.lessons_update" : "incident.lessons_record",
                      "incident",
                      access->key(),
                      {{"what_happened_bytes", lessons.what_happened.size()},
                       {"root_cause_bytes", lessons.root_cause.size()},
                       {"went_well_bytes", lessons.went_well.size()},
                       {"to_improve_bytes", lessons.to_improve.size()},
                       {"version", now}}});
    out = load_state(c, *access);
  });
  return out;
}

bool Review::waive(std::int64_t incident_id, const std::string& reason,
                   const auth::Principal& who) {
  bool visible = false;
  db_.write(
      [&](store::Connection& c) { visible = waive(c, incident_id, reason, who, util::now_ms()); });
  return visible;
}

bool Review::waive(store::Connection& c, std::int64_t incident_id, const std::string& reason,
                   const auth::Principal& who, std::int64_t now) {
  check_text("reason", reason, 4096, true);
  {
    auto access = access_incident(c, incident_id, who);
    if (!access) return false;
    access->require_open("waiving the review");
    if (access->incident.lessons_waived_by) {
      throw WorkError::conflict("the review of " + access->key() + " is already waived");
    }
    c.execute(
        "UPDATE incidents SET lessons_waived_by = ?, version = version + 1, updated_at = ?"
        " WHERE id = ?",
        {who.user_id, now, incident_id});
    audit_.append(c, {who.actor(),
                      "incident.lessons_waive",
                      "incident",
                      access->key(),
                      {{"reason", reason},
                       {"priority", access->incident.priority},
                       {"major", access->incident.major}}});
  }
  return true;
}

std::optional<std::vector<ImprovementAction>> Review::actions(std::int64_t incident_id,
                                                              const auth::Principal& who) {
  std::optional<std::vector<ImprovementAction>> out;
  db_.read([&](store::Connection& c) {
    auto access = access_incident(c, incident_id, who);
    if (!access) return;
    access->require_internal("the improvement actions");
    std::vector<ImprovementAction> items;
    for (const auto& r :
         c.query(std::string(kActionSelect) + " WHERE a.incident_id = ? ORDER BY a.id LIMIT 1000",
                 {incident_id})) {
      items.push_back(action_from_row(r));
    }
    out = std::move(items);
  });
  return out;
}

std::optional<ImprovementAction> Review::add_action(std::int64_t incident_id,
                                                    const NewImprovementAction& action,
                                                    const auth::Principal& who) {
  check_text("title", action.title, 200, false);
  check_text("owner", action.owner, 64, false);
  std::optional<ImprovementAction> out;
  db_.write([&](store::Connection& c) {
    auto access = access_incident(c, incident_id, who);
    if (!access) return;
    access->require_worker("adding an improvement action");
    const std::int64_t owner_id = find_active_user(c, "owner", action.owner);
    const std::int64_t now = util::now_ms();
    auto row = c.query_one(
        "INSERT INTO improvement_actions (incident_id, title, owner_id, due_at, status,"
        " created_at) VALUES (?, ?, ?, ?, 'open', ?) RETURNING id",
        {incident_id, action.title, owner_id, store::maybe(action.due_at), now});
    out = ImprovementAction{row->i64(0),   incident_id, action.title, action.owner,
                            action.due_at, "open",      now};
    audit_.append(c, {who.actor(),
                      "incident.improvement_action_add",
                      "incident",
                      access->key(),
                      {{"action", out->id},
                       {"title", out->title},
                       {"owner", out->owner},
                       {"due_at", opt_time(out->due_at)}}});
  });
  return out;
}

std::optional<ImprovementAction> Review::set_action_status(std::int64_t incident_id,
                                                           std::int64_t action_id,
                                                           const std::string& status,
                                                           const auth::Principal& who) {
  if (std::find(std::begin(kActionStatuses), std::end(kActionStatuses), status) ==
      std::end(kActionStatuses)) {
    throw WorkError::invalid("status", "must be open or done");
  }
  std::optional<ImprovementAction> out;
  db_.write([&](store::Connection& c) {
    auto access = access_incident(c, incident_id, who);
    if (!access) return;
    access->require_worker("changing an improvement action");
    auto row = c.query_one(std::string(kActionSelect) + " WHERE a.id = ? AND a.incident_id = ?",
                           {action_id, incident_id});
    if (!row) {
      throw WorkError(WorkRefusal::not_found, "",
                      "improvement action " + std::to_string(action_id) + " of " + access->key());
    }
    out = action_from_row(*row);
    if (out->status == status) return;  // already so: nothing to record
    const std::string before = out->status;
    c.execute("UPDATE improvement_actions SET status = ? WHERE id = ?", {status, action_id});
    out->status = status;
    audit_.append(c, {who.actor(),
                      "incident.improvement_action_update",
                      "incident",
                      access->key(),
                      {{"action", action_id}, {"from", before}, {"to", status}}});
  });
  return out;
}

}  // namespace custos::incidents
