#pragma once
// The timeline of an incident: its worklog and every change recorded in the audit trail
// (create, update, transition, escalation, tasks, files, review...), merged in time order.
// Reporters see public worklog entries and the status changes only.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "store/database.hpp"

namespace custos::audit {
class AuditLog;
}
namespace custos::auth {
struct Principal;
}

namespace custos::incidents {

// A point in the merged order: time, then worklog before changes of the same millisecond,
// then id (worklog) or seq (audit). Cursors carry the last item's position.
struct TimelinePosition {
  std::int64_t at = 0;
  int rank = 0;  // 0 worklog, 1 change
  std::int64_t id = 0;

  friend bool operator<(const TimelinePosition& a, const TimelinePosition& b) {
    if (a.at != b.at) return a.at < b.at;
    if (a.rank != b.rank) return a.rank < b.rank;
    return a.id < b.id;
  }
  [[nodiscard]] std::string to_cursor() const;
  static std::optional<TimelinePosition> from_cursor(std::string_view cursor);
};

struct TimelineItem {
  TimelinePosition position;
  nlohmann::json json;  // {at, type, actor, ...}
  bool hidden = false;  // read to keep the paging position, not shown to this caller
};

// Merges two lists, each already in position order, and keeps the first `limit` items.
// `more` is set when items were left over.
std::vector<TimelineItem> merge_timeline(std::vector<TimelineItem> worklog,
                                         std::vector<TimelineItem> changes, std::size_t limit,
                                         bool& more);

// What a reporter is shown of an audited change of their incident: nullopt when nothing
// (only the creation and changes of status are theirs to see), else the detail to show —
// {from, to} for a change of status, nothing for the creation.
std::optional<nlohmann::json> reporter_view(std::string_view action, const nlohmann::json& detail);

// "user:alice" → "alice"; "system" and "cli:..." stay as they are.
std::string actor_name(const std::string& audit_actor);

struct TimelinePage {
  std::vector<nlohmann::json> items;
  std::optional<std::string> next_cursor;
};

class Timeline {
 public:
  explicit Timeline(store::Database& db) : db_(db) {}

  // nullopt when the incident does not exist or the caller may not see it.
  std::optional<TimelinePage> read(std::int64_t incident_id,
                                   const std::optional<TimelinePosition>& after, int limit,
                                   const auth::Principal& who);

 private:
  store::Database& db_;
};

}  // namespace custos::incidents
