#include "incidents/problems.hpp"

#include <algorithm>
#include <charconv>
#include <cstdio>

#include "audit/audit_log.hpp"
#include "incidents/incident.hpp"
#include "incidents/search.hpp"
#include "incidents/visibility.hpp"
#include "util/time.hpp"

namespace custos::incidents {

// ---- Names ---------------------------------------------------------------------------------

std::string problem_key(std::int64_t id) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "PRB-%06lld", static_cast<long long>(id));
  return buf;
}

std::optional<std::int64_t> parse_problem_key(std::string_view key) {
  if (key.size() < 5 || key.size() > 24) return std::nullopt;
  const auto prefix = key.substr(0, 4);
  if (prefix != "PRB-" && prefix != "prb-") return std::nullopt;
  const auto digits = key.substr(4);
  std::int64_t id = 0;
  auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), id);
  if (ec != std::errc{} || ptr != digits.data() + digits.size() || id <= 0) return std::nullopt;
  return id;
}

std::string_view problem_status_name(ProblemStatus status) {
  switch (status) {
    case ProblemStatus::new_:
      return "new";
    case ProblemStatus::investigating:
      return "investigating";
    case ProblemStatus::known_error:
      return "known_error";
    case ProblemStatus::resolved:
      return "resolved";
    case ProblemStatus::closed:
      return "closed";
  }
  return "new";
}

std::optional<ProblemStatus> parse_problem_status(std::string_view name) {
  for (auto s : kAllProblemStatuses) {
    if (problem_status_name(s) == name) return s;
  }
  return std::nullopt;
}

// ---- Lifecycle rules -----------------------------------------------------------------------

namespace {
using PS = ProblemStatus;
constexpr ProblemTransitionRule kProblemTransitions[] = {
    {PS::new_, PS::investigating},     {PS::investigating, PS::known_error},
    {PS::investigating, PS::resolved}, {PS::known_error, PS::resolved},
    {PS::resolved, PS::closed},        {PS::resolved, PS::investigating},
};
}  // namespace

std::span<const ProblemTransitionRule> problem_transitions() { return kProblemTransitions; }

std::vector<ProblemStatus> problem_targets(ProblemStatus from) {
  std::vector<ProblemStatus> out;
  for (const auto& r : kProblemTransitions) {
    if (r.from == from) out.push_back(r.to);
  }
  return out;
}

namespace {
bool blank(std::string_view text) {
  return std::all_of(text.begin(), text.end(), [](unsigned char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
  });
}
}  // namespace

ProblemVerdict check_problem_transition(ProblemStatus from, ProblemStatus to,
                                        std::string_view root_cause, std::string_view workaround) {
  ProblemVerdict v;
  v.allowed_targets = problem_targets(from);
  if (std::find(v.allowed_targets.begin(), v.allowed_targets.end(), to) ==
      v.allowed_targets.end()) {
    v.refusal = ProblemRefusal::invalid_transition;
    v.problem = from == to ? "the problem is " + std::string(problem_status_name(from)) + " already"
                           : "a problem cannot go from " + std::string(problem_status_name(from)) +
                                 " to " + std::string(problem_status_name(to));
    return v;
  }
  if (to == PS::known_error && blank(workaround)) {
    v.refusal = ProblemRefusal::missing_input;
    v.field = "workaround";
    v.problem = "a known error needs a documented workaround; send it with the transition";
    return v;
  }
  if (to == PS::resolved && blank(root_cause)) {
    v.refusal = ProblemRefusal::missing_input;
    v.field = "root_cause";
    v.problem = "resolving a problem needs its root cause; send it with the transition";
    return v;
  }
  v.allowed = true;
  return v;
}

bool can_read_problems(const auth::RoleSet& roles) {
  using auth::Role;
  return roles.intersects(
      {Role::agent, Role::incident_manager, Role::security_manager, Role::auditor, Role::admin});
}

// ---- Suggestion words ----------------------------------------------------------------------

namespace {
// Frequent English words that say nothing about what went wrong. Words shorter than three
// characters are dropped before this list is consulted.
constexpr std::string_view kStopWords[] = {
    "about",  "after", "again", "all",   "also",  "and",    "any",   "are",  "because", "been",
    "before", "being", "both",  "but",   "can",   "cannot", "could", "did",  "does",    "doing",
    "each",   "few",   "for",   "from",  "had",   "has",    "have",  "her",  "here",    "him",
    "his",    "how",   "into",  "its",   "just",  "more",   "most",  "nor",  "not",     "off",
    "once",   "only",  "other", "our",   "out",   "over",   "own",   "per",  "same",    "she",
    "should", "some",  "such",  "than",  "that",  "the",    "their", "them", "then",    "there",
    "these",  "they",  "this",  "those", "too",   "under",  "very",  "via",  "was",     "were",
    "what",   "when",  "where", "which", "while", "who",    "why",   "will", "with",    "would",
    "you",    "your"};

std::size_t characters(std::string_view utf8) {
  return static_cast<std::size_t>(
      std::count_if(utf8.begin(), utf8.end(), [](unsigned char c) { return (c & 0xC0) != 0x80; }));
}
}  // namespace

std::vector<std::string> meaningful_words(const std::string& text) {
  std::vector<std::string> out;
  for (auto& w : search_words(text)) {
    if (characters(w) < 3) continue;
    if (std::find(std::begin(kStopWords), std::end(kStopWords), w) != std::end(kStopWords))
      continue;
    if (std::find(out.begin(), out.end(), w) != out.end()) continue;
    out.push_back(std::move(w));
    if (out.size() == kMaxSuggestWords) break;
  }
  return out;
}

// ---- Storage helpers -----------------------------------------------------------------------

namespace {

constexpr const char* kProblemSelect =
    "SELECT p.id, p.title, p.description, p.status, p.root_cause, p.workaround, o.username,"
    " cb.username, p.created_at, p.updated_at, p.resolved_at, p.closed_at, p.version, p.owner_id"
    " FROM problems p LEFT JOIN users o ON o.id = p.owner_id"
    " LEFT JOIN users cb ON cb.id = p.created_by";

Problem problem_from_row(const store::Row& r) {
  Problem p;
  p.id = r.i64(0);
  p.title = r.str(1);
  p.description = r.str(2);
  p.status = parse_problem_status(r.str(3)).value_or(ProblemStatus::new_);
  p.root_cause = r.str(4);
  p.workaround = r.str(5);
  p.owner = r.opt_str(6);
  p.created_by = r.opt_str(7);
  p.created_at = r.i64(8);
  p.updated_at = r.i64(9);
  p.resolved_at = r.opt_i64(10);
  p.closed_at = r.opt_i64(11);
  p.version = r.i64(12);
  p.owner_id = r.opt_i64(13);
  return p;
}

constexpr std::size_t kMaxTitle = 200;
constexpr std::size_t kMaxText = 64 * 1024;

void check_text(const std::string& field, const std::string& value, std::size_t max, bool multiline,
                bool required) {
  if (required && blank(value)) throw ProblemInputError(field, "must not be empty");
  if (value.size() > max) {
    throw ProblemInputError(field, "must be at most " + std::to_string(max) + " bytes");
  }
  for (unsigned char ch : value) {
    if ((ch < 0x20 && !(multiline && (ch == '\n' || ch == '\r' || ch == '\t'))) || ch == 0x7f) {
      throw ProblemInputError(field, "must not contain control characters");
    }
  }
}

void check_fields(const ProblemFields& f) {
  if (f.title) check_text("title", *f.title, kMaxTitle, false, true);
  if (f.description) check_text("description", *f.description, kMaxText, true, false);
  if (f.root_cause) check_text("root_cause", *f.root_cause, kMaxText, true, false);
  if (f.workaround) check_text("workaround", *f.workaround, kMaxText, true, false);
}

// The owner must be someone who works problems.
std::optional<std::int64_t> owner_by_name(store::Connection& c,
                                          const std::optional<std::string>& username) {
  if (!username) return std::nullopt;
  auto r = c.query_one("SELECT id, roles, active FROM users WHERE username = ?", {*username});
  if (!r || r->i64(2) == 0) {
    throw ProblemInputError("owner", "'" + username->substr(0, 64) + "' is not an active user");
  }
  if (!auth::RoleSet::from_csv(r->str(1)).intersects(
          auth::roles_with(auth::Permission::problems_work))) {
    throw ProblemInputError("owner", "'" + username->substr(0, 64) +
                                         "' cannot work problems (needs an agent or manager role)");
  }
  return r->i64(0);
}

nlohmann::json opt_json(const std::optional<std::string>& v) {
  return v ? nlohmann::json(*v) : nlohmann::json(nullptr);
}
nlohmann::json opt_time(const std::optional<std::int64_t>& v) {
  return v ? nlohmann::json(util::to_rfc3339(*v)) : nlohmann::json(nullptr);
}

// What the audit trail records of a problem: its state and owner, not the prose.
nlohmann::json audit_view(const Problem& p) {
  return {{"title", p.title},
          {"status", problem_status_name(p.status)},
          {"owner", opt_json(p.owner)},
          {"description_bytes", p.description.size()},
          {"root_cause_bytes", p.root_cause.size()},
          {"workaround_bytes", p.workaround.size()},
          {"version", p.version}};
}

}  // namespace

void index_problem(store::Connection& c, std::int64_t problem_id) {
  auto row = c.query_one(
      "SELECT title, description, root_cause, workaround FROM problems WHERE id = ?", {problem_id});
  if (!row) return;
  // Title apart (it weighs more); the rest is one body: description, root cause, workaround.
  const std::string body = row->str(1) + "\n" + row->str(2) + "\n" + row->str(3);
  if (c.backend() == store::Backend::sqlite) {
    c.execute("DELETE FROM problem_search WHERE rowid = ?", {problem_id});
    c.execute("INSERT INTO problem_search (rowid, title, body) VALUES (?, ?, ?)",
              {problem_id, row->str(0), body});
  } else {
    c.execute(
        "INSERT INTO problem_search (problem_id, document) VALUES (?,"
        " setweight(to_tsvector('simple', CAST(? AS TEXT)), 'A') ||"
        " to_tsvector('simple', CAST(? AS TEXT)))"
        " ON CONFLICT (problem_id) DO UPDATE SET document = EXCLUDED.document",
        {problem_id, search_document_text(row->str(0)), search_document_text(body)});
  }
}

// ---- Service -------------------------------------------------------------------------------

std::optional<Problem> ProblemService::load(store::Connection& c, std::int64_t id) const {
  auto row = c.query_one(std::string(kProblemSelect) + " WHERE p.id = ?", {id});
  if (!row) return std::nullopt;
  return problem_from_row(*row);
}

Problem ProblemService::create(const ProblemFields& f, const auth::Principal& who) {
  if (!f.title) throw ProblemInputError("title", "is required");
  check_fields(f);
  if (f.root_cause || f.workaround) {
    // A new problem is only a suspicion; cause and workaround come with the investigation.
    throw ProblemInputError(f.root_cause ? "root_cause" : "workaround",
                            "is recorded once the problem is investigated (PATCH or transition)");
  }
  Problem out;
  db_.write([&](store::Connection& c) {
    const auto owner = owner_by_name(c, f.owner.value_or(std::nullopt));
    const auto now = util::now_ms();
    auto row = c.query_one(
        "INSERT INTO problems (title, description, status, owner_id, created_by, created_at,"
        " updated_at) VALUES (?, ?, 'new', ?, ?, ?, ?) RETURNING id",
        {*f.title, f.description.value_or(""), store::maybe(owner), who.user_id, now, now});
    out = *load(c, row->i64(0));
    index_problem(c, out.id);
    audit_.append(c, {who.actor(),
                      "problem.create",
                      "problem",
                      problem_key(out.id),
                      {{"after", audit_view(out)}}});
  });
  return out;
}

std::optional<Problem> ProblemService::get(std::int64_t id) {
  return db_.read_value([&](store::Connection& c) { return load(c, id); });
}

ProblemPage ProblemService::list(const ProblemQuery& q) {
  ProblemPage page;
  db_.read([&](store::Connection& c) {
    std::vector<store::Value> params;
    std::string where = "1 = 1";
    if (!q.statuses.empty()) {
      std::string in;
      for (auto s : q.statuses) {
        in += in.empty() ? "?" : ", ?";
        params.emplace_back(std::string(problem_status_name(s)));
      }
      where += " AND p.status IN (" + in + ")";
    }
    if (q.text) {
      const auto words = search_words(*q.text);
      if (words.empty()) {
        where += " AND 1 = 0";
      } else if (c.backend() == store::Backend::sqlite) {
        // Each word quoted: FTS5 operators typed by the user are searched for, not obeyed.
        std::string match;
        for (const auto& w : words) match += (match.empty() ? "\"" : " \"") + w + "\"";
        params.emplace_back(match);
        where += " AND p.id IN (SELECT rowid FROM problem_search WHERE problem_search MATCH ?)";
      } else {
        std::string plain;
        for (const auto& w : words) plain += (plain.empty() ? "" : " ") + w;
        params.emplace_back(plain);
        where +=
            " AND p.id IN (SELECT problem_id FROM problem_search WHERE document @@ "
            "plainto_tsquery('simple', ?))";
      }
    }
    if (q.before_id) {
      where += " AND p.id < ?";
      params.emplace_back(*q.before_id);
    }
    params.emplace_back(std::int64_t{q.limit + 1});
    for (const auto& r :
         c.query(std::string(kProblemSelect) + " WHERE " + where + " ORDER BY p.id DESC LIMIT ?",
                 params)) {
      page.items.push_back(problem_from_row(r));
    }
    if (static_cast<int>(page.items.size()) > q.limit) {
      page.items.resize(static_cast<std::size_t>(q.limit));
      page.next_before_id = page.items.back().id;
    }
  });
  return page;
}

std::optional<Problem> ProblemService::update(std::int64_t id, std::int64_t expected_version,
                                              const ProblemFields& f, const auth::Principal& who) {
  check_fields(f);
  std::optional<Problem> out;
  db_.write([&](store::Connection& c) {
    auto current = load(c, id);
    if (!current) return;
    if (current->version != expected_version) throw ProblemStale(current->version);
    if (current->status == ProblemStatus::closed) {
      throw ProblemConflict("a closed problem cannot be changed");
    }
    Problem next = *current;
    if (f.title) next.title = *f.title;
    if (f.description) next.description = *f.description;
    if (f.root_cause) next.root_cause = *f.root_cause;
    if (f.workaround) next.workaround = *f.workaround;
    // The requirements of the current status keep holding after a change.
    if (next.status == ProblemStatus::known_error && blank(next.workaround)) {
      throw ProblemInputError("workaround", "a known error must keep its workaround");
    }
    if (next.status == ProblemStatus::resolved && blank(next.root_cause)) {
      throw ProblemInputError("root_cause", "a resolved problem must keep its root cause");
    }
    const auto owner = f.owner ? owner_by_name(c, *f.owner) : current->owner_id;
    const auto now = util::now_ms();
    const auto changed = c.execute(
        "UPDATE problems SET title = ?, description = ?, root_cause = ?, workaround = ?,"
        " owner_id = ?, updated_at = ?, version = version + 1 WHERE id = ? AND version = ?",
        {next.title, next.description, next.root_cause, next.workaround, store::maybe(owner), now,
         id, current->version});
    if (changed != 1) throw ProblemStale(current->version);
    out = load(c, id);
    if (f.title || f.description || f.root_cause || f.workaround) index_problem(c, id);
    audit_.append(c, {who.actor(),
                      "problem.update",
                      "problem",
                      problem_key(id),
                      {{"before", audit_view(*current)}, {"after", audit_view(*out)}}});
  });
  return out;
}

std::optional<Problem> ProblemService::transition(std::int64_t id,
                                                  const ProblemTransitionInput& input,
                                                  const auth::Principal& who) {
  if (input.root_cause) check_text("root_cause", *input.root_cause, kMaxText, true, false);
  if (input.workaround) check_text("workaround", *input.workaround, kMaxText, true, false);
  std::optional<Problem> out;
  // Without If-Match the caller asks for a move from whatever the status is now: a concurrent
  // writer that changed the row first (PostgreSQL, READ COMMITTED) means reading it again and
  // judging the move afresh, not a 412.
  const auto attempt_once = [&] {
    db_.write([&](store::Connection& c) {
      auto current = load(c, id);
      if (!current) return;
      if (input.expected_version && *input.expected_version != current->version) {
        throw ProblemStale(current->version);
      }
      const std::string root_cause = input.root_cause.value_or(current->root_cause);
      const std::string workaround = input.workaround.value_or(current->workaround);
      auto verdict = check_problem_transition(current->status, input.to, root_cause, workaround);
      if (!verdict.allowed) throw ProblemTransitionRefused(std::move(verdict));
      const auto now = util::now_ms();
      std::optional<std::int64_t> resolved_at = current->resolved_at;
      std::optional<std::int64_t> closed_at = current->closed_at;
      if (input.to == ProblemStatus::resolved) resolved_at = now;
      if (input.to == ProblemStatus::investigating) resolved_at.reset();  // reopened
      if (input.to == ProblemStatus::closed) closed_at = now;
      const auto changed = c.execute(
          "UPDATE problems SET status = ?, root_cause = ?, workaround = ?, resolved_at = ?,"
          " closed_at = ?, updated_at = ?, version = version + 1 WHERE id = ? AND version = ?",
          {std::string(problem_status_name(input.to)), root_cause, workaround,
           store::maybe(resolved_at), store::maybe(closed_at), now, id, current->version});
      if (changed != 1) throw ProblemStale(current->version + 1);  // a concurrent writer won
      out = load(c, id);
      if (input.root_cause || input.workaround) index_problem(c, id);
      nlohmann::json detail = {{"from", problem_status_name(current->status)},
                               {"to", problem_status_name(input.to)},
                               {"version", out->version}};
      if (input.root_cause) detail["root_cause_bytes"] = input.root_cause->size();
      if (input.workaround) detail["workaround_bytes"] = input.workaround->size();
      audit_.append(c, {who.actor(), "problem.transition", "problem", problem_key(id), detail});
    });
  };
  for (int attempt = 1;; ++attempt) {
    try {
      attempt_once();
      return out;
    } catch (const ProblemStale&) {
      if (input.expected_version || attempt == 5) throw;
    }
  }
}

std::vector<LinkedIncident> ProblemService::linked_incidents(std::int64_t problem_id,
                                                             const auth::Principal& who,
                                                             bool& truncated) {
  std::vector<LinkedIncident> out;
  truncated = false;
  db_.read([&](store::Connection& c) {
    const auto viewer = viewer_for(c, who);
    std::vector<store::Value> params{problem_id};
    const std::string visible = visibility_condition(viewer, params);
    params.emplace_back(std::int64_t{kMaxLinkedShown + 1});
    for (const auto& r : c.query("SELECT i.id, i.title, i.status, i.priority FROM incidents i"
                                 " WHERE i.problem_id = ? AND " +
                                     visible + " ORDER BY i.id DESC LIMIT ?",
                                 params)) {
      out.push_back({r.i64(0), r.str(1), r.str(2), static_cast<int>(r.i64(3))});
    }
  });
  if (out.size() > static_cast<std::size_t>(kMaxLinkedShown)) {
    out.resize(kMaxLinkedShown);
    truncated = true;
  }
  return out;
}

namespace {
// The incident if it exists and `viewer` may see it.
std::optional<Incident> visible_incident(store::Connection& c, const Viewer& viewer,
                                         std::int64_t id) {
  auto row = c.query_one(std::string(kIncidentSelect) + " WHERE i.id = ?", {id});
  if (!row) return std::nullopt;
  auto incident = incident_from_row(*row);
  if (!can_see(viewer, incident)) return std::nullopt;
  return incident;
}

// Moves the incident to `problem_id` (or none) as a change of the incident: new version,
// audited on the incident as well as on the problem.
void set_incident_problem(store::Connection& c, const audit::AuditLog& audit,
                          const std::string& actor, const Incident& incident,
                          std::optional<std::int64_t> problem_id, std::int64_t problem,
                          bool linking) {
  c.execute(
      "UPDATE incidents SET problem_id = ?, updated_at = ?, version = version + 1 WHERE id = ?",
      {store::maybe(problem_id), util::now_ms(), incident.id});
  const auto pkey = problem_key(problem);
  const auto ikey = incident_key(incident.id);
  audit.append(c, {actor,
                   linking ? "problem.link_incident" : "problem.unlink_incident",
                   "problem",
                   pkey,
                   {{"incident", ikey}}});
  audit.append(c, {actor,
                   linking ? "incident.link_problem" : "incident.unlink_problem",
                   "incident",
                   ikey,
                   {{"problem", pkey}, {"version", incident.version + 1}}});
}
}  // namespace

std::optional<bool> ProblemService::link(std::int64_t problem_id, std::int64_t incident_id,
                                         const auth::Principal& who) {
  std::optional<bool> out;
  db_.write([&](store::Connection& c) {
    auto problem = load(c, problem_id);
    if (!problem) return;
    const auto viewer = viewer_for(c, who);
    auto incident = visible_incident(c, viewer, incident_id);
    if (!incident) throw ProblemInputError("incident", "no such incident");
    if (incident->problem_id == problem_id) {
      out = false;
      return;
    }
    if (problem->status == ProblemStatus::closed) {
      throw ProblemConflict("a closed problem cannot get new incidents");
    }
    if (incident->problem_id) {
      throw ProblemConflict(incident_key(incident_id) + " is linked to " +
                            problem_key(*incident->problem_id) + " already; unlink it there first");
    }
    set_incident_problem(c, audit_, who.actor(), *incident, problem_id, problem_id, true);
    out = true;
  });
  return out;
}

std::optional<bool> ProblemService::unlink(std::int64_t problem_id, std::int64_t incident_id,
                                           const auth::Principal& who) {
  std::optional<bool> out;
  db_.write([&](store::Connection& c) {
    auto problem = load(c, problem_id);
    if (!problem) return;
    const auto viewer = viewer_for(c, who);
    auto incident = visible_incident(c, viewer, incident_id);
    if (!incident || incident->problem_id != problem_id) {
      out = false;
      return;
    }
    if (problem->status == ProblemStatus::closed) {
      throw ProblemConflict("the incidents of a closed problem cannot change");
    }
    set_incident_problem(c, audit_, who.actor(), *incident, std::nullopt, problem_id, false);
    out = true;
  });
  return out;
}

namespace {
// One word of a suggestion query on either backend. Words of ASCII letters and digits match as
// prefixes ("tunnel" finds "tunnels", and the word still being typed finds the whole word);
// other words match exactly, because PostgreSQL's to_tsquery() would parse their punctuation.
// The same rule on both backends keeps the results the same.
struct SuggestTerm {
  std::string fts5;  // an FTS5 query term, quoted so that nothing in it is an operator
  // PostgreSQL: a tsquery with one parameter, and the condition that the word occurs in the
  // title of the document `s.document` (title lexemes carry weight A), with one parameter.
  std::string pg_query, pg_param;
  std::string pg_in_title, pg_title_param;
};

SuggestTerm suggest_term(const std::string& word) {
  const bool prefix = std::all_of(word.begin(), word.end(), [](unsigned char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
  });
  if (prefix) {
    return {"\"" + word + "\"*", "to_tsquery('simple', ?)", word + ":*",
            "s.document @@ to_tsquery('simple', ?)", word + ":*A"};
  }
  return {"\"" + word + "\"", "plainto_tsquery('simple', ?)", word,
          "ts_filter(s.document, '{a}') @@ plainto_tsquery('simple', ?)", word};
}

// Score = 16 × (words matched anywhere) + (words matched in the title): one number orders by
// both, since there are at most kMaxSuggestWords < 16 words.
static_assert(kMaxSuggestWords < 16);
}  // namespace

std::vector<KnownErrorSuggestion> ProblemService::suggest(const std::string& text, int limit) {
  std::vector<SuggestTerm> terms;
  for (const auto& w : meaningful_words(text)) terms.push_back(suggest_term(w));
  std::vector<KnownErrorSuggestion> out;
  if (terms.empty()) return out;
  db_.read([&](store::Connection& c) {
    // Ranked by how many of the words occur (anywhere, then in the title), ties by the newest
    // problem. Both counts come from the full-text index of each backend and are exact, so
    // SQLite and PostgreSQL return the same known errors in the same order (bm25 and ts_rank
    // weigh words differently and would not). The SQL text depends only on the number of
    // words and their kind; the words themselves are parameters. Each form below was the
    // fastest of several measured on its backend with 10,000 problems.
    std::vector<store::Value> params;
    std::string sql;
    if (c.backend() == store::Backend::sqlite) {
      // One pass over each word's doclist, counted per problem: cheaper than probing a set
      // per word for every candidate.
      std::string parts;
      for (const auto& t : terms) {
        parts += parts.empty() ? "" : " UNION ALL ";
        parts += "SELECT rowid AS id, 16 AS score FROM problem_search WHERE problem_search MATCH ?";
        params.emplace_back(t.fts5);
        parts += " UNION ALL SELECT rowid, 1 FROM problem_search WHERE problem_search MATCH ?";
        params.emplace_back("title : " + t.fts5);
      }
      sql =
          "SELECT p.id, p.title, p.status, p.workaround, m.score FROM (SELECT id, SUM(score) AS"
          " score FROM (" +
          parts +
          ") GROUP BY id) m JOIN problems p ON p.id = m.id"
          " WHERE p.status IN ('known_error', 'resolved')"
          " ORDER BY m.score DESC, p.id DESC LIMIT ?";
    } else {
      // The GIN index finds the candidates; each is scored from its document in memory, and
      // only the best few are joined with their title and workaround.
      std::string score, any;
      for (const auto& t : terms) {
        score += score.empty() ? "" : " + ";
        score += "(CASE WHEN s.document @@ " + t.pg_query + " THEN 16 + (CASE WHEN " +
                 t.pg_in_title + " THEN 1 ELSE 0 END) ELSE 0 END)";
        params.emplace_back(t.pg_param);
        params.emplace_back(t.pg_title_param);
      }
      for (const auto& t : terms) {
        any += (any.empty() ? "" : " || ") + t.pg_query;
        params.emplace_back(t.pg_param);
      }
      sql =
          "SELECT p.id, p.title, p.status, p.workaround, r.score FROM (SELECT s.problem_id AS "
          "id, " +
          score + " AS score FROM problem_search s WHERE s.document @@ (" + any +
          ") AND EXISTS (SELECT 1 FROM problems k WHERE k.id = s.problem_id"
          " AND k.status IN ('known_error', 'resolved'))"
          " ORDER BY 2 DESC, 1 DESC LIMIT ?) r JOIN problems p ON p.id = r.id"
          " ORDER BY r.score DESC, r.id DESC";
    }
    params.emplace_back(std::int64_t{limit});
    if (c.backend() == store::Backend::postgres) {
      // Statements are prepared once per connection, and a generic plan knows neither the
      // words nor how common they are: it parses every tsquery again for each candidate and
      // checks the status of each through the primary key (4x slower, measured). A plan made
      // for the actual words costs ~1 ms. Only for this transaction.
      c.query("SELECT set_config('plan_cache_mode', 'force_custom_plan', true)");
    }
    for (const auto& r : c.query(sql, params)) {
      const auto score = r.i64(4);
      out.push_back({r.i64(0), r.str(1), r.str(2), r.str(3), static_cast<int>(score / 16),
                     static_cast<int>(score % 16)});
    }
  });
  return out;
}

nlohmann::json ProblemService::to_json(const Problem& p) {
  nlohmann::json transitions = nlohmann::json::array();
  for (auto s : problem_targets(p.status)) transitions.push_back(problem_status_name(s));
  return {{"key", problem_key(p.id)},
          {"title", p.title},
          {"description", p.description},
          {"status", problem_status_name(p.status)},
          {"root_cause", p.root_cause},
          {"workaround", p.workaround},
          {"owner", opt_json(p.owner)},
          {"created_by", opt_json(p.created_by)},
          {"created_at", util::to_rfc3339(p.created_at)},
          {"updated_at", util::to_rfc3339(p.updated_at)},
          {"resolved_at", opt_time(p.resolved_at)},
          {"closed_at", opt_time(p.closed_at)},
          {"allowed_transitions", transitions},
          {"version", p.version}};
}

}  // namespace custos::incidents
