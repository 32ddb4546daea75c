#pragma once
// The worklog of an incident: append-only notes, workarounds and communications. An entry is
// public (its reporter reads it) or internal (the service desk, managers and auditors only).
// Reporters may add public notes to the incidents they reported; the service desk adds any.
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

inline constexpr std::string_view kWorklogVisibilities[] = {"public", "internal"};
inline constexpr std::string_view kWorklogKinds[] = {"note", "workaround", "communication"};
// Who a communication of a (major) incident was addressed to.
inline constexpr std::string_view kAudiences[] = {"internal", "users", "management", "authorities",
                                                  "press"};
inline constexpr std::size_t kMaxWorklogBody = 64 * 1024;

struct WorklogEntry {
  std::int64_t id = 0;
  std::int64_t incident_id = 0;
  std::optional<std::string> author;  // username
  std::string visibility;
  std::string kind;
  std::optional<std::string> audience;  // communications only
  std::string body;                     // Markdown
  std::int64_t created_at = 0;
};
nlohmann::json to_json(const WorklogEntry& entry);

struct NewWorklogEntry {
  std::string body;
  std::optional<std::string> visibility;
  std::optional<std::string> kind;
  std::optional<std::string> audience;
};

// Who is adding the entry, as far as the rule cares.
struct WorklogAuthor {
  bool worker = false;    // holds incidents_work
  bool reporter = false;  // reported this incident
};

// The rule for a new entry: validates it, fills in the defaults (workers write internal notes
// unless they say otherwise; communications to users are public) and throws WorkError when
// the author may not add it.
NewWorklogEntry resolve_new_entry(const NewWorklogEntry& entry, const WorklogAuthor& author);

struct WorklogQuery {
  std::optional<std::string> kind;       // only this kind
  std::optional<std::int64_t> after_id;  // cursor
  int limit = 100;
};

struct WorklogPage {
  std::vector<WorklogEntry> items;
  std::optional<std::int64_t> next_after_id;
};

class Worklog {
 public:
  Worklog(store::Database& db, const audit::AuditLog& audit) : db_(db), audit_(audit) {}

  // nullopt when the incident does not exist or the caller may not see it.
  std::optional<WorklogEntry> add(std::int64_t incident_id, const NewWorklogEntry& entry,
                                  const auth::Principal& who);
  // The same inside the caller's write transaction, as of `now_ms` (bulk loads).
  std::optional<WorklogEntry> add(store::Connection& c, std::int64_t incident_id,
                                  const NewWorklogEntry& entry, const auth::Principal& who,
                                  std::int64_t now_ms);
  // Reporters get public entries only.
  std::optional<WorklogPage> list(std::int64_t incident_id, const WorklogQuery& query,
                                  const auth::Principal& who);

 private:
  store::Database& db_;
  const audit::AuditLog& audit_;
};

}  // namespace custos::incidents
