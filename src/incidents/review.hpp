#pragma once
// Closure and evaluation of an incident (ISO 27001 5.27): the lessons-learned record (what
// happened, root cause, what went well, what to improve), improvement actions with an owner,
// and the incident manager's waiver. Closing a major, P1 or P2 incident needs the record and
// at least one action, or the waiver (see lifecycle.hpp closure_blocker).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "incidents/work_access.hpp"
#include "store/database.hpp"

namespace custos::audit {
class AuditLog;
}

namespace custos::incidents {

inline constexpr std::size_t kMaxLessonsField = 16 * 1024;
inline constexpr std::string_view kActionStatuses[] = {"open", "done"};

struct LessonsLearned {
  std::string what_happened, root_cause, went_well, to_improve;
  std::optional<std::string> author;  // username
  std::int64_t updated_at = 0;        // also the record's version (ETag)
};

struct Waiver {
  std::optional<std::string> by;  // username
  std::optional<std::string> reason;
  std::optional<std::int64_t> at;
};

// Everything the closure check looks at, for GET .../lessons-learned.
struct ReviewState {
  std::string incident_key;
  bool required = false;  // major, P1 or P2
  std::optional<LessonsLearned> lessons;
  int improvement_actions = 0;
  std::optional<Waiver> waiver;
  std::optional<std::string> closure_blocker;  // why closing would be refused now
};
nlohmann::json to_json(const ReviewState& state);

struct ImprovementAction {
  std::int64_t id = 0;
  std::int64_t incident_id = 0;
  std::string title;
  std::string owner;  // username
  std::optional<std::int64_t> due_at;
  std::string status = "open";
  std::int64_t created_at = 0;
};
nlohmann::json to_json(const ImprovementAction& action);

struct NewImprovementAction {
  std::string title;
  std::string owner;
  std::optional<std::int64_t> due_at;
};

// Validates a lessons-learned record: every field required, at most 16 KiB, text only.
void check_lessons(const LessonsLearned& lessons);

class Review {
 public:
  Review(store::Database& db, const audit::AuditLog& audit) : db_(db), audit_(audit) {}

  // Each returns nullopt (or false) when the incident does not exist or the caller may not
  // see it; the review is internal, so reporters get WorkError(forbidden).
  std::optional<ReviewState> state(std::int64_t incident_id, const auth::Principal& who);
  // Creates or replaces the record. Replacing needs `expected_version` (the record's ETag);
  // throws WorkError(stale) when it is missing or old.
  std::optional<ReviewState> put_lessons(std::int64_t incident_id, const LessonsLearned& lessons,
                                         std::optional<std::int64_t> expected_version,
                                         const auth::Principal& who);
  bool waive(std::int64_t incident_id, const std::string& reason, const auth::Principal& who);
  // The same inside the caller's write transaction, as of `now_ms` (bulk loads).
  bool waive(store::Connection& c, std::int64_t incident_id, const std::string& reason,
             const auth::Principal& who, std::int64_t now_ms);

  std::optional<std::vector<ImprovementAction>> actions(std::int64_t incident_id,
                                                        const auth::Principal& who);
  std::optional<ImprovementAction> add_action(std::int64_t incident_id,
                                              const NewImprovementAction& action,
                                              const auth::Principal& who);
  // Throws WorkError(not_found) for an unknown action.
  std::optional<ImprovementAction> set_action_status(std::int64_t incident_id,
                                                     std::int64_t action_id,
                                                     const std::string& status,
                                                     const auth::Principal& who);

 private:
  ReviewState load_state(store::Connection& c, const IncidentAccess& access) const;

  store::Database& db_;
  const audit::AuditLog& audit_;
};

}  // namespace custos::incidents
