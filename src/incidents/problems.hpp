#pragma once
// Problem management (ITIL): a problem is the unknown cause of one or more incidents; once a
// workaround is documented it becomes a known error, and known errors are suggested to the
// people logging new incidents.
//
// Lifecycle (one table, problem_transitions(); nothing else decides):
//   new → investigating → known_error → resolved → closed
//   investigating → resolved   (root cause found and removed without a known-error stage)
//   resolved → investigating   (the fix did not hold: reopened)
// Requirements:
//   known_error needs a workaround (what to do until the fix). The root cause may still be
//     unknown then — a known error is "a problem with a documented workaround".
//   resolved needs the root cause.
//   closed is final: a closed problem and its incident links can no longer change.
// Who: reading needs a role that works incidents or audits them (agents, incident and security
// managers, auditors, admins) — reporters do not see problems or known errors; changing needs
// problems_work.
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "auth/principal.hpp"
#include "store/database.hpp"

namespace custos::audit {
class AuditLog;
}

namespace custos::incidents {

// ---- Names ---------------------------------------------------------------------------------

// "PRB-000123"; more digits once ids pass a million.
std::string problem_key(std::int64_t id);
// The id in "PRB-000123" (case-insensitive prefix), or nullopt when it is not such a key.
std::optional<std::int64_t> parse_problem_key(std::string_view key);

enum class ProblemStatus : std::uint8_t { new_, investigating, known_error, resolved, closed };
inline constexpr ProblemStatus kAllProblemStatuses[] = {
    ProblemStatus::new_, ProblemStatus::investigating, ProblemStatus::known_error,
    ProblemStatus::resolved, ProblemStatus::closed};
[[nodiscard]] std::string_view problem_status_name(ProblemStatus status);
[[nodiscard]] std::optional<ProblemStatus> parse_problem_status(std::string_view name);

// ---- Lifecycle rules (pure) ----------------------------------------------------------------

struct ProblemTransitionRule {
  ProblemStatus from;
  ProblemStatus to;
};
[[nodiscard]] std::span<const ProblemTransitionRule> problem_transitions();
[[nodiscard]] std::vector<ProblemStatus> problem_targets(ProblemStatus from);

enum class ProblemRefusal : std::uint8_t {
  none,
  invalid_transition,  // 409: no such edge from the current status
  missing_input,       // 422: `field` names what must be filled in first
};

struct ProblemVerdict {
  bool allowed = false;
  ProblemRefusal refusal = ProblemRefusal::none;
  std::string problem;  // a sentence for the user; empty when allowed
  std::string field;    // with missing_input
  std::vector<ProblemStatus> allowed_targets;
};

// `root_cause` and `workaround` are the values the problem will have after the transition
// (the transition request may fill them in at the same time).
[[nodiscard]] ProblemVerdict check_problem_transition(ProblemStatus from, ProblemStatus to,
                                                      std::string_view root_cause,
                                                      std::string_view workaround);

// Whether someone with these roles may read problems and known errors.
[[nodiscard]] bool can_read_problems(const auth::RoleSet& roles);

// ---- Suggestion words (pure) ---------------------------------------------------------------

// The words of `text` worth matching: search words of at least 3 characters that are not
// stop words, without repeats, at most kMaxSuggestWords of them in the order typed.
inline constexpr std::size_t kMaxSuggestWords = 8;
[[nodiscard]] std::vector<std::string> meaningful_words(const std::string& text);

// ---- Records -------------------------------------------------------------------------------

struct Problem {
  std::int64_t id = 0;
  std::string title;
  std::string description;
  ProblemStatus status = ProblemStatus::new_;
  std::string root_cause;
  std::string workaround;
  std::optional<std::int64_t> owner_id;
  std::optional<std::string> owner;       // username
  std::optional<std::string> created_by;  // username
  std::int64_t created_at = 0;
  std::int64_t updated_at = 0;
  std::optional<std::int64_t> resolved_at, closed_at;
  std::int64_t version = 1;
};

struct LinkedIncident {
  std::int64_t id = 0;
  std::string title;
  std::string status;
  int priority = 4;
};

struct KnownErrorSuggestion {
  std::int64_t id = 0;
  std::string title;
  std::string status;
  std::string workaround;
  int matched_words = 0;  // how many of the meaningful words occur anywhere
  int title_words = 0;    // how many of them occur in the title
};

// The fields a client may set. Unset optionals keep the stored value.
struct ProblemFields {
  std::optional<std::string> title, description, root_cause, workaround;
  std::optional<std::optional<std::string>> owner;  // username; nullopt inside = clear
};

struct ProblemQuery {
  std::vector<ProblemStatus> statuses;
  std::optional<std::string> text;        // all words must occur
  std::optional<std::int64_t> before_id;  // cursor: newest first
  int limit = 50;
};

struct ProblemPage {
  std::vector<Problem> items;
  std::optional<std::int64_t> next_before_id;
};

// ---- Errors the routes translate -----------------------------------------------------------

// Bad input or a bad reference; 422 naming `field`.
struct ProblemInputError : std::runtime_error {
  ProblemInputError(std::string f, const std::string& message)
      : std::runtime_error(message), field(std::move(f)) {}
  std::string field;
};
// The request is fine but the state forbids it; 409.
struct ProblemConflict : std::runtime_error {
  using std::runtime_error::runtime_error;
};
struct ProblemTransitionRefused : std::runtime_error {
  explicit ProblemTransitionRefused(ProblemVerdict v)
      : std::runtime_error(v.problem), verdict(std::move(v)) {}
  ProblemVerdict verdict;
};
// If-Match named an older version; 412.
struct ProblemStale : std::runtime_error {
  explicit ProblemStale(std::int64_t current)
      : std::runtime_error("stale version"), current_version(current) {}
  std::int64_t current_version;
};

// ---- Service -------------------------------------------------------------------------------

struct ProblemTransitionInput {
  ProblemStatus to = ProblemStatus::new_;
  std::optional<std::string> root_cause, workaround;  // filled in with the transition
  std::optional<std::int64_t> expected_version;
};

class ProblemService {
 public:
  ProblemService(store::Database& db, const audit::AuditLog& audit) : db_(db), audit_(audit) {}

  Problem create(const ProblemFields& fields, const auth::Principal& who);
  std::optional<Problem> get(std::int64_t id);
  ProblemPage list(const ProblemQuery& query);
  // nullopt when there is no such problem.
  std::optional<Problem> update(std::int64_t id, std::int64_t expected_version,
                                const ProblemFields& fields, const auth::Principal& who);
  std::optional<Problem> transition(std::int64_t id, const ProblemTransitionInput& input,
                                    const auth::Principal& who);
  // The incidents linked to a problem that `who` may see (need-to-know), newest first, at
  // most kMaxLinkedShown of them; `truncated` tells when there are more.
  static constexpr int kMaxLinkedShown = 500;
  std::vector<LinkedIncident> linked_incidents(std::int64_t problem_id, const auth::Principal& who,
                                               bool& truncated);
  // Links an incident `who` may see. nullopt when there is no such problem; false when the
  // incident was linked to it already (nothing changes). Throws ProblemInputError("incident")
  // when the incident does not exist or is not visible to `who`, ProblemConflict when it
  // belongs to another problem or the problem is closed.
  std::optional<bool> link(std::int64_t problem_id, std::int64_t incident_id,
                           const auth::Principal& who);
  // nullopt when there is no such problem; false when the incident is not linked to it (or
  // not visible to `who`). Throws ProblemConflict when the problem is closed.
  std::optional<bool> unlink(std::int64_t problem_id, std::int64_t incident_id,
                             const auth::Principal& who);
  // Known errors (known_error or resolved) matching any meaningful word of `text`, best first:
  // most words matched, then most words matched in the title, then the newest. Words of ASCII
  // letters and digits match as prefixes ("tunnel" finds "tunnels", a half-typed word finds
  // the whole one).
  std::vector<KnownErrorSuggestion> suggest(const std::string& text, int limit);

  static nlohmann::json to_json(const Problem& problem);

 private:
  std::optional<Problem> load(store::Connection& c, std::int64_t id) const;

  store::Database& db_;
  const audit::AuditLog& audit_;
};

// Rebuilds the search document of one problem (title; description, root cause, workaround).
void index_problem(store::Connection& c, std::int64_t problem_id);

}  // namespace custos::incidents
