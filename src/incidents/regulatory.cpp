#include "incidents/regulatory.hpp"

#include <algorithm>
#include <map>
#include <set>
#include <tuple>

#include "audit/audit_log.hpp"
#include "auth/roles.hpp"
#include "incidents/bulk_insert.hpp"
#include "incidents/incident.hpp"
#include "incidents/notifications.hpp"
#include "incidents/work_access.hpp"
#include "util/time.hpp"

namespace custos::incidents {

namespace {

using regulatory::Obligation;
using regulatory::Regime;

constexpr std::size_t kMaxRecipient = 200;
constexpr std::size_t kMaxReference = 200;
constexpr std::size_t kMaxNote = 4096;
constexpr std::size_t kMaxReason = 4096;

nlohmann::json opt(const std::optional<std::string>& s) {
  return s ? nlohmann::json(*s) : nlohmann::json(nullptr);
}
std::int64_t floor_seconds(std::int64_t ms) { return ms / 1000 - (ms % 1000 < 0 ? 1 : 0); }

nlohmann::json opt_time(const std::optional<std::int64_t>& ms) {
  return ms ? nlohmann::json(util::to_rfc3339(*ms)) : nlohmann::json(nullptr);
}

std::vector<RegulatoryFlag> load_flags(store::Connection& c, std::int64_t incident_id) {
  std::vector<RegulatoryFlag> out;
  for (const auto& r :
       c.query("SELECT f.regime, f.active, f.aware_at, f.flagged_at, fu.username, f.withdrawn_at,"
               " wu.username, f.withdraw_reason FROM regulatory_flags f"
               " LEFT JOIN users fu ON fu.id = f.flagged_by LEFT JOIN users wu ON wu.id = "
               "f.withdrawn_by"
               " WHERE f.incident_id = ? ORDER BY f.regime",
               {incident_id})) {
    auto regime = regulatory::parse_regime(r.str(0));
    if (!regime) continue;
    out.push_back({*regime, r.i64(1) != 0, r.i64(2), r.i64(3), r.opt_str(4), r.opt_i64(5),
                   r.opt_str(6), r.opt_str(7)});
  }
  return out;
}

const RegulatoryFlag* find_flag(const std::vector<RegulatoryFlag>& flags, Regime regime) {
  for (const auto& f : flags) {
    if (f.regime == regime) return &f;
  }
  return nullptr;
}

// The obligations of the incident's active regimes, in rule order, with the reminders sent.
std::vector<RegulatoryObligation> load_obligations(store::Connection& c, std::int64_t incident_id,
                                                   const std::vector<RegulatoryFlag>& flags) {
  std::map<Obligation, RegulatoryObligation> by_kind;
  for (const auto& r :
       c.query("SELECT o.id, o.obligation, o.starts_at, o.due_at, o.submitted_at, o.recipient,"
               " o.reference, o.note, u.username, o.recorded_at, o.overdue_at"
               " FROM regulatory_obligations o LEFT JOIN users u ON u.id = o.recorded_by"
               " WHERE o.incident_id = ?",
               {incident_id})) {
    auto kind = regulatory::parse_obligation(r.str(1));
    if (!kind) continue;
    const auto* flag = find_flag(flags, regulatory::regime_of(*kind));
    if (flag == nullptr || !flag->active) continue;
    by_kind[*kind] = {r.i64(0),
                      *kind,
                      {r.i64(2), r.i64(3)},
                      r.opt_i64(4),
                      r.opt_str(5),
                      r.opt_str(6),
                      r.opt_str(7),
                      r.opt_str(8),
                      r.opt_i64(9),
                      r.opt_i64(10),
                      {}};
  }
  if (!by_kind.empty()) {
    std::map<std::int64_t, RegulatoryObligation*> by_id;
    for (auto& [kind, o] : by_kind) by_id[o.id] = &o;
    for (const auto& r : c.query("SELECT r.obligation_id, r.threshold FROM regulatory_reminders r"
                                 " JOIN regulatory_obligations o ON o.id = r.obligation_id"
                                 " WHERE o.incident_id = ? AND r.notified = 1 ORDER BY r.threshold",
                                 {incident_id})) {
      if (auto it = by_id.find(r.i64(0)); it != by_id.end())
        it->second->reminders.push_back(static_cast<int>(r.i64(1)));
    }
  }
  std::vector<RegulatoryObligation> out;
  out.reserve(by_kind.size());
  for (auto& [kind, o] : by_kind) out.push_back(std::move(o));
  return out;
}

RegulatoryState load_state(store::Connection& c, std::int64_t incident_id) {
  RegulatoryState state;
  state.incident_id = incident_id;
  state.flags = load_flags(c, incident_id);
  state.obligations = load_obligations(c, incident_id, state.flags);
  return state;
}

std::vector<int> fired_reminders(store::Connection& c, std::int64_t obligation_id) {
  std::vector<int> out;
  for (const auto& r : c.query("SELECT threshold FROM regulatory_reminders WHERE obligation_id = ?",
                               {obligation_id}))
    out.push_back(static_cast<int>(r.i64(0)));
  return out;
}

// Creates or recomputes the deadlines of a regime's obligations from the awareness (and, for
// the NIS2 final report, from when the incident notification was sent).
void refresh_obligations(store::Connection& c, std::int64_t incident_id, Regime regime,
                         std::int64_t aware_at, std::int64_t now_ms) {
  std::optional<std::int64_t> notification_sent;
  for (Obligation kind : regulatory::obligations_of(regime)) {
    const auto window = regulatory::window_of(kind, aware_at, notification_sent);
    const std::string name(regulatory::obligation_name(kind));
    c.execute(
        "INSERT INTO regulatory_obligations (incident_id, obligation, starts_at, due_at)"
        " VALUES (?, ?, ?, ?) ON CONFLICT (incident_id, obligation) DO NOTHING",
        {incident_id, name, window.starts_at, window.due_at});
    const auto row = c.query_one(
        "SELECT id, submitted_at FROM regulatory_obligations WHERE incident_id = ? AND "
        "obligation = ?",
        {incident_id, name});
    const std::int64_t id = row->i64(0);
    const auto submitted = row->opt_i64(1);
    if (kind == Obligation::nis2_notification) notification_sent = submitted;
    const auto fired = fired_reminders(c, id);
    const auto next = regulatory::next_look_at(window, submitted.has_value(), fired, now_ms);
    c.execute(
        "UPDATE regulatory_obligations SET starts_at = ?, due_at = ?, next_look_at = ? WHERE id = "
        "?",
        {window.starts_at, window.due_at, store::maybe(next), id});
  }
}

std::string field_of(Regime regime, const char* name) {
  return std::string(regulatory::regime_name(regime)) + "." + name;
}

std::string regime_words(Regime regime) {
  return regime == Regime::gdpr ? "a personal-data breach (GDPR)" : "significant under NIS2";
}

struct Recipient {
  std::int64_t id = 0;
  std::string username;
  std::optional<std::string> email;
};

// Active incident managers and security managers: they own the regulatory process.
std::vector<Recipient> managers_of(store::Connection& c) {
  std::vector<Recipient> out;
  // LIKE narrows the scan; the role set decides.
  for (const auto& r :
       c.query("SELECT id, username, email, roles FROM users WHERE active = 1 AND (roles LIKE "
               "'%incident_manager%' OR roles LIKE '%security_manager%') ORDER BY id")) {
    const auto roles = auth::RoleSet::from_csv(r.str(3));
    if (roles.has(auth::Role::incident_manager) || roles.has(auth::Role::security_manager))
      out.push_back({r.i64(0), r.str(1), r.opt_str(2)});
  }
  return out;
}

// At most 80 bytes, never cutting a UTF-8 sequence.
std::string short_title(const std::string& title) {
  std::size_t cut = std::min<std::size_t>(title.size(), 80);
  while (cut < title.size() && (title[cut] & 0xC0) == 0x80) --cut;
  return cut < title.size() ? title.substr(0, cut) + "..." : title;
}

std::optional<Recipient> active_user(store::Connection& c, std::int64_t id) {
  auto r = c.query_one("SELECT id, username, email FROM users WHERE id = ? AND active = 1", {id});
  if (!r) return std::nullopt;
  return Recipient{r->i64(0), r->str(1), r->opt_str(2)};
}

}  // namespace

nlohmann::json to_json(const RegulatoryState& state, std::int64_t now_ms) {
  nlohmann::json regimes = nlohmann::json::object();
  for (Regime regime : regulatory::kRegimes) {
    const auto* f = find_flag(state.flags, regime);
    nlohmann::json j = {{"flagged", f != nullptr && f->active}};
    j["aware_at"] = f ? opt_time(f->aware_at) : nlohmann::json(nullptr);
    j["flagged_at"] = f ? opt_time(f->flagged_at) : nlohmann::json(nullptr);
    j["flagged_by"] = f ? opt(f->flagged_by) : nlohmann::json(nullptr);
    j["withdrawn_at"] = f ? opt_time(f->withdrawn_at) : nlohmann::json(nullptr);
    j["withdrawn_by"] = f ? opt(f->withdrawn_by) : nlohmann::json(nullptr);
    j["withdraw_reason"] = f ? opt(f->withdraw_reason) : nlohmann::json(nullptr);
    regimes[std::string(regulatory::regime_name(regime))] = std::move(j);
  }
  nlohmann::json obligations = nlohmann::json::array();
  for (const auto& o : state.obligations) {
    const auto s = regulatory::state_of(o.window.due_at, o.submitted_at, now_ms);
    // Rounded down, so that it is negative exactly when the deadline has passed.
    const nlohmann::json remaining = o.submitted_at
                                         ? nlohmann::json(nullptr)
                                         : nlohmann::json(floor_seconds(o.window.due_at - now_ms));
    obligations.push_back({{"obligation", regulatory::obligation_name(o.obligation)},
                           {"regime", regulatory::regime_name(regulatory::regime_of(o.obligation))},
                           {"title", regulatory::obligation_title(o.obligation)},
                           {"starts_at", util::to_rfc3339(o.window.starts_at)},
                           {"due_at", util::to_rfc3339(o.window.due_at)},
                           {"remaining_seconds", remaining},
                           {"state", regulatory::state_name(s)},
                           {"submitted_at", opt_time(o.submitted_at)},
                           {"recipient", opt(o.recipient)},
                           {"reference", opt(o.reference)},
                           {"note", opt(o.note)},
                           {"recorded_by", opt(o.recorded_by)},
                           {"recorded_at", opt_time(o.recorded_at)},
                           {"overdue_at", opt_time(o.overdue_at)},
                           {"reminders_percent", o.reminders}});
  }
  return {{"incident", incident_key(state.incident_id)},
          {"now", util::to_rfc3339(now_ms)},
          {"regimes", std::move(regimes)},
          {"obligations", std::move(obligations)}};
}

std::int64_t version_of(const RegulatoryState& state) {
  // FNV-1a over the fields people change, in a fixed order.
  std::uint64_t h = 14695981039346656037ULL;
  auto mix = [&h](std::int64_t v) {
    for (int i = 0; i < 8; ++i) {
      h ^= static_cast<std::uint64_t>(v >> (8 * i)) & 0xFFU;
      h *= 1099511628211ULL;
    }
  };
  for (const auto& f : state.flags) {
    mix(static_cast<std::int64_t>(f.regime));
    mix(f.active ? 1 : 0);
    mix(f.aware_at);
    mix(f.withdrawn_at.value_or(-1));
  }
  for (const auto& o : state.obligations) {
    mix(static_cast<std::int64_t>(o.obligation));
    mix(o.submitted_at.value_or(-1));
  }
  return static_cast<std::int64_t>(h >> 11) + 1;
}

namespace {

void require_version(store::Connection& c, std::int64_t incident_id,
                     std::optional<std::int64_t> expected) {
  if (!expected) return;
  const auto current = version_of(load_state(c, incident_id));
  if (*expected != current) {
    throw WorkError(WorkRefusal::stale, "",
                    "the regulatory flags or submissions were changed since you read them (now "
                    "version " +
                        std::to_string(current) + "); reload and retry");
  }
}

}  // namespace

std::optional<RegulatoryState> RegulatoryClocks::get(std::int64_t incident_id,
                                                     const auth::Principal& who) {
  std::optional<RegulatoryState> out;
  db_.read([&](store::Connection& c) {
    auto access = access_incident(c, incident_id, who);
    if (!access) return;
    access->require_internal("the regulatory deadlines");
    out = load_state(c, incident_id);
  });
  return out;
}

std::optional<RegulatoryState> RegulatoryClocks::change(
    std::int64_t incident_id, const RegulatoryChange& change, const auth::Principal& who,
    std::int64_t now_ms, std::optional<std::int64_t> expected_version) {
  if (change.flags.empty())
    throw WorkError::invalid("gdpr", "name at least one regime to change: gdpr or nis2");
  for (const auto& f : change.flags) {
    if (f.aware_at && *f.aware_at > now_ms)
      throw WorkError::invalid(field_of(f.regime, "aware_at"), "must not be in the future");
    if (f.aware_at && !f.flagged) {
      throw WorkError::invalid(field_of(f.regime, "aware_at"),
                               "is only given when flagging (flagged: true)");
    }
  }
  if (change.reason) check_text("reason", *change.reason, kMaxReason, true);
  std::optional<RegulatoryState> out;
  db_.write([&](store::Connection& c) {
    out.reset();  // PostgreSQL may run this again after a serialization failure
    auto access = access_incident(c, incident_id, who);
    if (!access) return;
    require_version(c, incident_id, expected_version);
    const auto flags = load_flags(c, incident_id);
    for (const auto& f : change.flags) {
      const auto* current = find_flag(flags, f.regime);
      const bool active = current != nullptr && current->active;
      const std::string regime(regulatory::regime_name(f.regime));
      if (f.flagged && !active) {
        const std::int64_t aware = f.aware_at.value_or(now_ms);
        c.execute(
            "INSERT INTO regulatory_flags (incident_id, regime, active, aware_at, flagged_at,"
            " flagged_by) VALUES (?, ?, 1, ?, ?, ?) ON CONFLICT (incident_id, regime) DO UPDATE"
            " SET active = 1, aware_at = excluded.aware_at, flagged_at = excluded.flagged_at,"
            " flagged_by = excluded.flagged_by, withdrawn_at = NULL, withdrawn_by = NULL,"
            " withdraw_reason = NULL",
            {incident_id, regime, aware, now_ms, who.user_id});
        refresh_obligations(c, incident_id, f.regime, aware, now_ms);
        audit_.append(c, {who.actor(),
                          "incident.regulatory_flag",
                          "incident",
                          access->key(),
                          {{"regime", regime}, {"aware_at", util::to_rfc3339(aware)}}});
      } else if (f.flagged && f.aware_at && *f.aware_at != current->aware_at) {
        // Moving the start of a running clock moves its deadlines: say why.
        if (!change.reason || change.reason->empty()) {
          throw WorkError::invalid("reason",
                                   "is required to change the moment of awareness of a running "
                                   "clock");
        }
        c.execute("UPDATE regulatory_flags SET aware_at = ? WHERE incident_id = ? AND regime = ?",
                  {*f.aware_at, incident_id, regime});
        refresh_obligations(c, incident_id, f.regime, *f.aware_at, now_ms);
        audit_.append(c, {who.actor(),
                          "incident.regulatory_awareness_change",
                          "incident",
                          access->key(),
                          {{"regime", regime},
                           {"from", util::to_rfc3339(current->aware_at)},
                           {"to", util::to_rfc3339(*f.aware_at)},
                           {"reason", *change.reason}}});
      } else if (!f.flagged && active) {
        if (!change.reason || change.reason->empty()) {
          throw WorkError::invalid(
              "reason", "is required to withdraw the " + regime + " flag: its clock has started");
        }
        c.execute(
            "UPDATE regulatory_flags SET active = 0, withdrawn_at = ?, withdrawn_by = ?,"
            " withdraw_reason = ? WHERE incident_id = ? AND regime = ?",
            {now_ms, who.user_id, *change.reason, incident_id, regime});
        // A withdrawn regime's obligations keep what was recorded but remind nobody.
        for (Obligation kind : regulatory::obligations_of(f.regime)) {
          c.execute(
              "UPDATE regulatory_obligations SET next_look_at = NULL WHERE incident_id = ? AND "
              "obligation = ?",
              {incident_id, std::string(regulatory::obligation_name(kind))});
        }
        audit_.append(c, {who.actor(),
                          "incident.regulatory_withdraw",
                          "incident",
                          access->key(),
                          {{"regime", regime}, {"reason", *change.reason}}});
      }
    }
    out = load_state(c, incident_id);
  });
  return out;
}

std::optional<RegulatoryState> RegulatoryClocks::record(
    std::int64_t incident_id, const RegulatorySubmission& s, const auth::Principal& who,
    std::int64_t now_ms, std::optional<std::int64_t> expected_version) {
  if (s.submitted_at > now_ms)
    throw WorkError::invalid("submitted_at", "must not be in the future");
  check_text("recipient", s.recipient, kMaxRecipient, false);
  if (s.reference) check_text("reference", *s.reference, kMaxReference, false);
  if (s.note) check_text("note", *s.note, kMaxNote, true);
  const Regime regime = regulatory::regime_of(s.obligation);
  const std::string name(regulatory::obligation_name(s.obligation));
  std::optional<RegulatoryState> out;
  db_.write([&](store::Connection& c) {
    out.reset();
    auto access = access_incident(c, incident_id, who);
    if (!access) return;
    require_version(c, incident_id, expected_version);
    const auto flags = load_flags(c, incident_id);
    const auto* flag = find_flag(flags, regime);
    if (flag == nullptr || !flag->active) {
      throw WorkError::conflict(access->key() + " is not flagged as " + regime_words(regime) +
                                "; flag it first");
    }
    const auto row = c.query_one(
        "SELECT id, due_at, submitted_at FROM regulatory_obligations WHERE incident_id = ? AND "
        "obligation = ?",
        {incident_id, name});
    if (row->opt_i64(2)) {
      throw WorkError::conflict("the " + name + " of " + access->key() + " was already recorded (" +
                                util::to_rfc3339(*row->opt_i64(2)) + ")");
    }
    if (s.submitted_at < flag->aware_at) {
      throw WorkError::invalid("submitted_at", "must not be before the moment of awareness (" +
                                                   util::to_rfc3339(flag->aware_at) + ")");
    }
    const std::int64_t due = row->i64(1);
    c.execute(
        "UPDATE regulatory_obligations SET submitted_at = ?, recipient = ?, reference = ?,"
        " note = ?, recorded_by = ?, recorded_at = ?, next_look_at = NULL WHERE id = ?",
        {s.submitted_at, s.recipient, store::maybe(s.reference), store::maybe(s.note), who.user_id,
         now_ms, row->i64(0)});
    // The final report's month runs from the incident notification once it was sent.
    if (s.obligation == Obligation::nis2_notification)
      refresh_obligations(c, incident_id, regime, flag->aware_at, now_ms);
    audit_.append(c, {who.actor(),
                      "incident.regulatory_submission",
                      "incident",
                      access->key(),
                      {{"obligation", name},
                       {"submitted_at", util::to_rfc3339(s.submitted_at)},
                       {"due_at", util::to_rfc3339(due)},
                       {"late", s.submitted_at > due},
                       {"recipient", s.recipient},
                       {"reference", opt(s.reference)}}});
    out = load_state(c, incident_id);
  });
  return out;
}

RegulatorySweepResult RegulatoryClocks::sweep(std::int64_t now_ms,
                                              const std::function<bool()>& keep_going) {
  RegulatorySweepResult total;
  for (;;) {
    if (keep_going && !keep_going()) break;
    RegulatorySweepResult batch;
    db_.write([&](store::Connection& c) {
      batch = RegulatorySweepResult{};  // PostgreSQL may run this again
      std::string sql =
          "SELECT o.id, o.incident_id, o.obligation, o.starts_at, o.due_at, o.submitted_at,"
          " i.assignee_id, i.restricted, i.title FROM regulatory_obligations o"
          " JOIN incidents i ON i.id = o.incident_id WHERE o.next_look_at <= ?"
          " ORDER BY o.next_look_at LIMIT ?";
      // Two servers on one PostgreSQL database split the work (as the SLA sweep does).
      if (c.backend() == store::Backend::postgres) sql += " FOR UPDATE OF o SKIP LOCKED";
      struct Due {
        std::int64_t id, incident_id;
        Obligation kind;
        regulatory::Window window;
        bool met;
        std::optional<std::int64_t> assignee;
        bool restricted;
        std::string title;
        std::vector<int> fired;
      };
      std::vector<Due> due;
      for (const auto& r : c.query(sql, {now_ms, std::int64_t{batch_}})) {
        auto kind = regulatory::parse_obligation(r.str(2));
        if (!kind) continue;
        due.push_back({r.i64(0),
                       r.i64(1),
                       *kind,
                       {r.i64(3), r.i64(4)},
                       r.opt_i64(5).has_value(),
                       r.opt_i64(6),
                       r.i64(7) != 0,
                       r.str(8),
                       {}});
      }
      batch.obligations = static_cast<int>(due.size());
      if (due.empty()) return;
      {
        std::string in;
        std::vector<store::Value> params;
        std::map<std::int64_t, Due*> by_id;
        for (auto& d : due) {
          in += in.empty() ? "?" : ", ?";
          params.emplace_back(d.id);
          by_id[d.id] = &d;
        }
        for (const auto& r : c.query("SELECT obligation_id, threshold FROM regulatory_reminders "
                                     "WHERE obligation_id IN (" +
                                         in + ")",
                                     params)) {
          by_id[r.i64(0)]->fired.push_back(static_cast<int>(r.i64(1)));
        }
      }

      // The claims: all reminders due, the latest of each obligation the one that is sent (a
      // 50 % reminder after the 90 % one, or after the deadline, would only confuse).
      std::vector<store::Value> claims;
      for (const auto& d : due) {
        const auto percents = regulatory::reminders_due(d.window, d.met, d.fired, now_ms);
        for (int p : percents) {
          claims.insert(claims.end(), {d.id, std::int64_t{p}, now_ms,
                                       std::int64_t{p == percents.back() ? 1 : 0}});
        }
      }
      std::set<std::pair<std::int64_t, int>> won;
      if (!claims.empty()) {
        for (const auto& r : insert_rows(
                 c,
                 "INSERT INTO regulatory_reminders (obligation_id, threshold, fired_at, notified) "
                 "VALUES ",
                 4, claims,
                 " ON CONFLICT (obligation_id, threshold) DO NOTHING"
                 " RETURNING obligation_id, threshold, notified")) {
          if (r.i64(2) != 0) won.emplace(r.i64(0), static_cast<int>(r.i64(1)));
        }
      }

      // Who is told: the incident managers and security managers, and the assignee.
      std::vector<Recipient> managers;
      if (!won.empty()) managers = managers_of(c);
      std::vector<Notice> notices;
      for (auto& d : due) {
        const auto percents = regulatory::reminders_due(d.window, d.met, d.fired, now_ms);
        for (int p : percents) {
          if (!won.contains({d.id, p})) continue;  // passed over, or another server sent it
          const bool overdue = p >= regulatory::kDeadlinePercent;
          if (overdue) {
            c.execute(
                "UPDATE regulatory_obligations SET overdue_at = ? WHERE id = ? AND overdue_at IS "
                "NULL",
                {now_ms, d.id});
            ++batch.overdue;
          }
          ++batch.reminders;
          const std::string key = incident_key(d.incident_id);
          const std::string title(regulatory::obligation_title(d.kind));
          const std::string due_text = util::to_rfc3339(d.window.due_at);
          // A restricted incident's title is need-to-know: it stays out of inboxes and e-mail.
          const std::string head = key + (d.restricted ? "" : " " + short_title(d.title)) + ": ";
          const std::string message =
              overdue ? head + title + " was due " + due_text + " and is not recorded as sent"
                      : head + title + " is due " + due_text + " (" + std::to_string(p) +
                            " % of the time has gone)";
          Notice notice;
          notice.incident_id = d.incident_id;
          notice.kind = overdue ? "regulatory.overdue" : "regulatory.reminder";
          notice.subject =
              "[custos] " + key + ": " + title + (overdue ? " overdue" : " due " + due_text);
          notice.message = message;
          notice.details = {{"obligation", regulatory::obligation_name(d.kind)},
                            {"due_at", due_text},
                            {"percent", p}};
          std::set<std::int64_t> told;
          auto tell = [&](const Recipient& r) {
            if (!told.insert(r.id).second) return;
            notice.user_id = r.id;
            notice.username = r.username;
            notice.email = r.email;
            notices.push_back(notice);
            ++batch.notifications;
          };
          for (const auto& m : managers) tell(m);
          if (d.assignee) {
            if (auto a = active_user(c, *d.assignee)) tell(*a);
          }
          audit_.append(c,
                        {"system",
                         overdue ? "incident.regulatory_overdue" : "incident.regulatory_reminder",
                         "incident",
                         key,
                         {{"obligation", regulatory::obligation_name(d.kind)},
                          {"due_at", due_text},
                          {"percent", p},
                          {"notified", told.size()}}});
        }
        // Whatever was due has fired now (here or by another server): look again at the next.
        d.fired.insert(d.fired.end(), percents.begin(), percents.end());
        const auto next = regulatory::next_look_at(d.window, d.met, d.fired, now_ms);
        c.execute("UPDATE regulatory_obligations SET next_look_at = ? WHERE id = ?",
                  {store::maybe(next), d.id});
      }
      send_notices(c, notices, now_ms);
    });
    total.obligations += batch.obligations;
    total.reminders += batch.reminders;
    total.overdue += batch.overdue;
    total.notifications += batch.notifications;
    if (batch.obligations < batch_) break;
  }
  return total;
}

}  // namespace custos::incidents
