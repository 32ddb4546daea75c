#include "incidents/escalation.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <set>
#include <tuple>
#include <unordered_map>

#include "audit/audit_log.hpp"
#include "auth/roles.hpp"
#include "incidents/bulk_insert.hpp"
#include "incidents/incident_service.hpp"
#include "incidents/notifications.hpp"
#include "util/time.hpp"

namespace custos::incidents {

namespace {

constexpr std::int64_t kRetryBrokenAfterMs = 3'600'000;

const ClockState& state_of(const SlaSnapshot& s, SlaKind clock) {
  return clock == SlaKind::response ? s.response : s.resolution;
}

std::optional<std::int64_t> due_of(const SlaSnapshot& s, SlaKind clock) {
  return clock == SlaKind::response ? s.response_due_ms : s.resolution_due_ms;
}

bool running(const ClockState& state) { return !state.met && !state.paused; }

std::string clock_words(SlaKind clock) {
  return clock == SlaKind::response ? "time to own" : "time to resolve";
}

std::optional<SlaKind> parse_clock(const std::string& name) {
  if (name == "response") return SlaKind::response;
  if (name == "resolution") return SlaKind::resolution;
  return std::nullopt;
}

// The people and groups a batch needs, each read from the database once per batch.
class Directory {
 public:
  struct Person {
    std::int64_t id = 0;
    std::string username;
    std::optional<std::string> email;
    bool active = false;
  };
  struct Group {
    std::int64_t id = 0;
    std::string name;
    int level = 1;
    std::optional<std::int64_t> manager_id;
    std::optional<std::int64_t> escalation_group_id;
    std::vector<std::int64_t> members;
  };

  explicit Directory(store::Connection& c) : c_(c) {}

  const Person* person(std::int64_t id) {
    auto it = people_.find(id);
    if (it == people_.end()) {
      std::optional<Person> p;
      if (auto r = c_.query_one("SELECT id, username, email, active FROM users WHERE id = ?", {id}))
        p = Person{r->i64(0), r->str(1), r->opt_str(2), r->i64(3) != 0};
      it = people_.emplace(id, std::move(p)).first;
    }
    return it->second ? &*it->second : nullptr;
  }

  const Group* group(std::optional<std::int64_t> id) {
    if (!id) return nullptr;
    auto it = groups_.find(*id);
    if (it == groups_.end()) {
      std::optional<Group> g;
      if (auto r = c_.query_one(
              "SELECT id, name, level, manager_id, escalation_group_id FROM support_groups "
              "WHERE id = ?",
              {*id})) {
        g = Group{r->i64(0),     r->str(1),     static_cast<int>(r->i64(2)),
                  r->opt_i64(3), r->opt_i64(4), {}};
        for (const auto& m : c_.query(
                 "SELECT user_id FROM group_members WHERE group_id = ? ORDER BY user_id", {*id})) {
          g->members.push_back(m.i64(0));
        }
      }
      it = groups_.emplace(*id, std::move(g)).first;
    }
    return it->second ? &*it->second : nullptr;
  }

  // Every active user holding the incident_manager role.
  const std::vector<std::int64_t>& incident_managers() {
    if (!managers_) {
      managers_.emplace();
      // LIKE narrows the scan; the role set decides (no role name contains another).
      for (const auto& r :
           c_.query("SELECT id, username, email, roles FROM users WHERE active = 1 AND roles LIKE "
                    "'%incident_manager%' ORDER BY id")) {
        if (!auth::RoleSet::from_csv(r.str(3)).has(auth::Role::incident_manager)) continue;
        managers_->push_back(r.i64(0));
        people_.emplace(r.i64(0), Person{r.i64(0), r.str(1), r.opt_str(2), true});
      }
    }
    return *managers_;
  }

 private:
  store::Connection& c_;
  std::unordered_map<std::int64_t, std::optional<Person>> people_;
  std::unordered_map<std::int64_t, std::optional<Group>> groups_;
  std::optional<std::vector<std::int64_t>> managers_;
};

// What one step will do, decided before it is claimed so that the claim records it.
struct Plan {
  StepKind kind = StepKind::warning;
  std::vector<std::int64_t> recipients;
  const Directory::Group* from_group = nullptr;
  const Directory::Group* to_group = nullptr;  // functional escalation, when possible
  int new_level = 0;
  bool clear_assignee = false;
  std::optional<std::string> note;  // why a functional escalation could not happen

  void add(std::optional<std::int64_t> user) {
    if (user && std::find(recipients.begin(), recipients.end(), *user) == recipients.end())
      recipients.push_back(*user);
  }
  void add_all(const std::vector<std::int64_t>& users) {
    for (auto u : users) add(u);
  }
};

Plan plan_step(Directory& dir, const Incident& incident, const EscalationStep& step) {
  Plan plan;
  plan.kind = step_kind(step.threshold);
  const Directory::Group* group = dir.group(incident.group_id);
  switch (plan.kind) {
    case StepKind::warning:
      if (incident.assignee_id) {
        plan.add(incident.assignee_id);
      } else if (group && !group->members.empty()) {
        plan.add_all(group->members);
      } else {
        plan.add_all(dir.incident_managers());  // nobody owns it: the process owner must route it
      }
      break;
    case StepKind::escalation:
      if (step.clock == SlaKind::resolution) {
        const Directory::Group* target = group ? dir.group(group->escalation_group_id) : nullptr;
        if (target) {
          plan.from_group = group;
          plan.to_group = target;
          plan.new_level = std::min(3, std::max(incident.support_level + 1, target->level));
          plan.add_all(target->members);
          plan.clear_assignee =
              incident.assignee_id && std::find(target->members.begin(), target->members.end(),
                                                *incident.assignee_id) == target->members.end();
          if (plan.clear_assignee) plan.add(incident.assignee_id);  // they should know it left
        } else {
          plan.note = group ? "group '" + group->name + "' has no escalation group"
                            : "the incident has no support group";
        }
      }
      if (group && group->manager_id) {
        plan.add(group->manager_id);
      } else {
        plan.add_all(dir.incident_managers());
      }
      break;
    case StepKind::breach:
      plan.add_all(dir.incident_managers());
      plan.add(incident.assignee_id);
      break;
  }
  // Only active people are told anything.
  std::erase_if(plan.recipients, [&](std::int64_t id) {
    const auto* p = dir.person(id);
    return p == nullptr || !p->active;
  });
  return plan;
}

std::string headline(const Incident& incident) {
  std::string out = incident_key(incident.id) + " (P" + std::to_string(incident.priority) + ")";
  // A restricted incident's title is need-to-know: it stays out of inboxes and e-mail.
  if (!incident.restricted) {
    std::size_t cut = std::min<std::size_t>(incident.title.size(), 80);
    while (cut < incident.title.size() && (incident.title[cut] & 0xC0) == 0x80) --cut;  // UTF-8
    std::string title = incident.title.substr(0, cut);
    if (cut < incident.title.size()) title += "...";
    out += " " + title;
  }
  return out;
}

std::string describe(const Plan& plan, const Incident& incident, const EscalationStep& step,
                     const SlaSnapshot& snapshot) {
  const auto due = due_of(snapshot, step.clock);
  const std::string due_text = due ? util::to_rfc3339(*due) : std::string("unknown");
  std::string text = headline(incident) + ": ";
  if (plan.kind == StepKind::breach) {
    text += clock_words(step.clock) + " breached (" + std::to_string(step.threshold) +
            " %, was due " + due_text + ")";
  } else {
    text += std::to_string(step.threshold) + " % of the " + clock_words(step.clock) +
            " used, due " + due_text;
  }
  if (plan.to_group) {
    text += "; escalated from " + plan.from_group->name + " to " + plan.to_group->name +
            " (level " + std::to_string(plan.new_level) + ")";
  }
  return text;
}

std::string subject(const Plan& plan, const Incident& incident, const EscalationStep& step) {
  const std::string what = plan.kind == StepKind::breach       ? "SLA breached"
                           : plan.kind == StepKind::escalation ? "SLA escalation"
                                                               : "SLA warning";
  return "[custos] " + incident_key(incident.id) + " P" + std::to_string(incident.priority) + ": " +
         what + " (" + clock_words(step.clock) + ", " + std::to_string(step.threshold) + " %)";
}

nlohmann::json actions_json(const Plan& plan, Directory& dir) {
  nlohmann::json notified = nlohmann::json::array();
  for (auto id : plan.recipients) notified.push_back(dir.person(id)->username);
  nlohmann::json out = {{"step", step_kind_name(plan.kind)}, {"notified", notified}};
  if (plan.to_group) {
    out["functional"] = {{"from", plan.from_group->name},
                         {"to", plan.to_group->name},
                         {"support_level", plan.new_level},
                         {"assignee_cleared", plan.clear_assignee}};
  }
  if (plan.note) out["note"] = *plan.note;
  return out;
}

}  // namespace

StepKind step_kind(int threshold_percent) {
  if (threshold_percent >= kBreachPercent) return StepKind::breach;
  if (threshold_percent >= kEscalationPercent) return StepKind::escalation;
  return StepKind::warning;
}

std::string_view step_kind_name(StepKind kind) {
  switch (kind) {
    case StepKind::warning:
      return "warning";
    case StepKind::escalation:
      return "escalation";
    case StepKind::breach:
      return "breach";
  }
  return "warning";
}

std::string_view clock_name(SlaKind clock) {
  return clock == SlaKind::response ? "response" : "resolution";
}

std::vector<EscalationStep> due_steps(const Incident& incident, const SlaSnapshot& snapshot,
                                      const std::vector<EscalationStep>& fired) {
  std::vector<EscalationStep> out;
  if (!is_open(incident.status)) return out;
  for (SlaKind clock : {SlaKind::response, SlaKind::resolution}) {
    const ClockState& state = state_of(snapshot, clock);
    if (!running(state)) continue;
    // A threshold added to the policy after a higher one fired is not news any more: a "25 %"
    // warning after the breach alert would only confuse.
    int highest_fired = 0;
    for (const auto& f : fired) {
      if (f.clock == clock) highest_fired = std::max(highest_fired, f.threshold);
    }
    for (int threshold : thresholds_crossed(state, snapshot.thresholds)) {
      const EscalationStep step{clock, threshold};
      if (threshold > highest_fired && std::find(fired.begin(), fired.end(), step) == fired.end())
        out.push_back(step);
    }
  }
  return out;
}

std::optional<std::int64_t> next_escalation_at(const Incident& incident,
                                               const SlaSnapshot& snapshot, bool steps_due,
                                               std::int64_t now_ms) {
  if (!is_open(incident.status)) return std::nullopt;
  if (steps_due) return now_ms;
  return snapshot.next_escalation_ms;
}

std::vector<EscalationStep> fired_steps(store::Connection& c, std::int64_t incident_id) {
  std::vector<EscalationStep> out;
  for (const auto& r :
       c.query("SELECT clock, threshold FROM escalations WHERE incident_id = ?", {incident_id})) {
    if (auto clock = parse_clock(r.str(0))) out.push_back({*clock, static_cast<int>(r.i64(1))});
  }
  return out;
}

std::optional<std::int64_t> next_escalation_at(store::Connection& c, const Incident& incident,
                                               const SlaSnapshot& snapshot, std::int64_t now_ms) {
  if (!is_open(incident.status)) return std::nullopt;
  // Most writes happen before the first threshold: no need to read what has fired then.
  bool crossed = false;
  for (SlaKind clock : {SlaKind::response, SlaKind::resolution}) {
    const auto& state = state_of(snapshot, clock);
    crossed =
        crossed || (running(state) && !thresholds_crossed(state, snapshot.thresholds).empty());
  }
  if (!crossed) return snapshot.next_escalation_ms;
  const bool due = !due_steps(incident, snapshot, fired_steps(c, incident.id)).empty();
  return next_escalation_at(incident, snapshot, due, now_ms);
}

SweepResult EscalationService::sweep(std::int64_t now_ms, const std::function<bool()>& keep_going) {
  const auto started = std::chrono::steady_clock::now();
  SweepResult total;
  for (;;) {
    if (keep_going && !keep_going()) break;
    SweepResult batch;
    db_.write([&](store::Connection& c) {
      batch = SweepResult{};  // PostgreSQL may run this again after a serialization failure
      std::string sql = std::string(kIncidentSelect) +
                        " WHERE i.next_escalation_at <= ? ORDER BY i.next_escalation_at LIMIT ?";
      // Two servers sweeping the same PostgreSQL database split the work instead of queueing
      // behind each other's row locks. (SQLite has one writer: nothing to skip.)
      if (c.backend() == store::Backend::postgres) sql += " FOR UPDATE OF i SKIP LOCKED";
      std::vector<Incident> incidents;
      for (const auto& r : c.query(sql, {now_ms, std::int64_t{batch_}})) {
        incidents.push_back(incident_from_row(r));
      }
      if (incidents.empty()) return;
      incidents_.load_pauses(c, incidents);

      std::unordered_map<std::int64_t, std::vector<EscalationStep>> fired;
      {
        std::string in;
        std::vector<store::Value> params;
        for (const auto& i : incidents) {
          in += in.empty() ? "?" : ", ?";
          params.emplace_back(i.id);
        }
        for (const auto& r : c.query(
                 "SELECT incident_id, clock, threshold FROM escalations WHERE incident_id IN (" +
                     in + ")",
                 params)) {
          if (auto clock = parse_clock(r.str(1)))
            fired[r.i64(0)].push_back({*clock, static_cast<int>(r.i64(2))});
        }
      }

      // Decide first, then write: every step's plan (in firing order, each seeing what the
      // steps before it did to the incident), then all claims in a few statements, then the
      // actions of the claimed steps.
      struct Planned {
        Incident* incident;
        std::size_t evaluated;  // index of its snapshot
        EscalationStep step;
        Plan plan;
        nlohmann::json actions;
        std::optional<std::int64_t> moved_group;  // the incident's state after this step
        std::optional<std::int64_t> assignee_after;
        int level_after = 0;
      };
      Directory dir(c);
      std::vector<Planned> planned;
      std::vector<std::pair<Incident*, SlaSnapshot>> evaluated;
      evaluated.reserve(incidents.size());
      for (auto& incident : incidents) {
        ++batch.incidents;
        SlaSnapshot snapshot;
        try {
          snapshot = settings_.evaluate(incident, now_ms);
        } catch (const std::exception& e) {
          // One unreadable incident must not stop every other escalation: look again later.
          spdlog::error("escalation: cannot evaluate the SLA of {}: {}", incident_key(incident.id),
                        e.what());
          incidents_.store_sla_fields(c, incident.id, SlaSnapshot{}, now_ms + kRetryBrokenAfterMs);
          continue;
        }
        Incident working = incident;
        for (const auto& step : due_steps(incident, snapshot, fired[incident.id])) {
          Plan plan = plan_step(dir, working, step);
          auto actions = actions_json(plan, dir);
          if (plan.to_group) {
            working.group_id = plan.to_group->id;
            working.support_level = plan.new_level;
            if (plan.clear_assignee) working.assignee_id.reset();
          }
          planned.push_back(Planned{&incident, evaluated.size(), step, std::move(plan),
                                    std::move(actions), working.group_id, working.assignee_id,
                                    working.support_level});
        }
        evaluated.emplace_back(&incident, std::move(snapshot));
      }

      // The claims: exactly one transaction, ever, gets to act on a step. ON CONFLICT DO
      // NOTHING ... RETURNING names the steps this one won.
      std::vector<store::Value> claims;
      claims.reserve(planned.size() * 5);
      for (const auto& p : planned) {
        claims.insert(claims.end(), {p.incident->id, std::string(clock_name(p.step.clock)),
                                     std::int64_t{p.step.threshold}, now_ms, p.actions.dump()});
      }
      std::set<std::tuple<std::int64_t, std::string, std::int64_t>> won;
      for (const auto& r : insert_rows(
               c,
               "INSERT INTO escalations (incident_id, clock, threshold, fired_at, actions) VALUES ",
               5, claims,
               " ON CONFLICT (incident_id, clock, threshold) DO NOTHING"
               " RETURNING incident_id, clock, threshold")) {
        won.emplace(r.i64(0), r.str(1), r.i64(2));
      }

      std::vector<Notice> notices;
      std::unordered_map<std::int64_t, nlohmann::json> audit_steps;
      for (auto& p : planned) {
        Incident& incident = *p.incident;
        if (!won.contains({incident.id, std::string(clock_name(p.step.clock)), p.step.threshold}))
          continue;  // another server fired it
        const auto& snapshot = evaluated[p.evaluated].second;
        const std::string message = describe(p.plan, incident, p.step, snapshot);
        if (p.plan.to_group) {
          c.execute(
              "UPDATE incidents SET group_id = ?, support_level = ?, assignee_id = ?,"
              " updated_at = ?, version = version + 1 WHERE id = ?",
              {p.plan.to_group->id, std::int64_t{p.level_after}, store::maybe(p.assignee_after),
               now_ms, incident.id});
          incident.group_id = p.plan.to_group->id;
          incident.group = p.plan.to_group->name;
          incident.support_level = p.level_after;
          if (p.plan.clear_assignee) {
            incident.assignee_id.reset();
            incident.assignee.reset();
          }
          incident.version += 1;
        }
        const auto due = due_of(snapshot, p.step.clock);
        nlohmann::json details = {
            {"priority", incident.priority},
            {"clock", clock_name(p.step.clock)},
            {"threshold_percent", p.step.threshold},
            {"step", step_kind_name(p.plan.kind)},
            {"due_at", due ? nlohmann::json(util::to_rfc3339(*due)) : nlohmann::json(nullptr)}};
        if (!incident.restricted) details["title"] = incident.title;
        for (auto user : p.plan.recipients) {
          const auto* person = dir.person(user);
          notices.push_back(Notice{person->id, person->username, person->email, incident.id,
                                   "sla." + std::string(step_kind_name(p.plan.kind)),
                                   subject(p.plan, incident, p.step), message, details});
          ++batch.notifications;
        }
        p.actions["clock"] = clock_name(p.step.clock);
        p.actions["threshold_percent"] = p.step.threshold;
        auto& steps = audit_steps[incident.id];
        if (steps.is_null()) steps = nlohmann::json::array();
        steps.push_back(std::move(p.actions));
        ++batch.steps;
      }
      send_notices(c, notices, now_ms);

      std::vector<IncidentService::SlaFields> sla_fields;
      sla_fields.reserve(evaluated.size());
      for (auto& [incident, snapshot] : evaluated) {
        auto steps = audit_steps.find(incident->id);
        if (steps != audit_steps.end()) {
          ++batch.escalated;
          audit_.append(c, {"system",
                            "incident.escalation",
                            "incident",
                            incident_key(incident->id),
                            {{"steps", std::move(steps->second)}}});
        }
        // Everything due has fired (here or by another server): look again at the next threshold.
        sla_fields.push_back({incident->id, snapshot.response_due_ms, snapshot.resolution_due_ms,
                              next_escalation_at(*incident, snapshot, false, now_ms)});
      }
      incidents_.store_sla_fields(c, sla_fields);
      batch.batches = 1;
    });
    total.incidents += batch.incidents;
    total.escalated += batch.escalated;
    total.steps += batch.steps;
    total.notifications += batch.notifications;
    total.batches += batch.batches;
    if (batch.incidents < batch_) break;
  }
  total.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return total;
}

std::int64_t EscalationService::look_again(const std::optional<std::string>& calendar,
                                           std::int64_t now_ms) {
  // The open statuses come from the one definition (status.hpp), never from input.
  static const std::string open_statuses = [] {
    std::string in;
    for (Status s : kAllStatuses) {
      if (is_open(s)) in += (in.empty() ? "'" : ", '") + std::string(status_name(s)) + "'";
    }
    return in;
  }();
  return db_.write_value([&](store::Connection& c) {
    return c.execute("UPDATE incidents SET next_escalation_at = ? WHERE status IN (" +
                         open_statuses + ") AND (CAST(? AS TEXT) IS NULL OR sla_calendar = ?)",
                     {now_ms, store::maybe(calendar), store::maybe(calendar)});
  });
}

}  // namespace custos::incidents
