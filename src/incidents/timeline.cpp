#include "incidents/timeline.hpp"

#include <charconv>
#include <limits>

#include "incidents/incident.hpp"
#include "incidents/work_access.hpp"
#include "util/encoding.hpp"
#include "util/time.hpp"

namespace custos::incidents {

namespace {

constexpr std::int64_t kMaxId = std::numeric_limits<std::int64_t>::max();

// Worklog entries appear as themselves; their audit entries would only repeat them.
constexpr const char* kChangesForWorkers =
    "SELECT seq, at, actor, action, detail FROM audit_log WHERE object_type = 'incident'"
    " AND object_id = ? AND action <> 'incident.worklog_add'"
    " AND (at > ? OR (at = ? AND seq > ?)) ORDER BY at, seq LIMIT ?";
constexpr const char* kChangesForReporters =
    "SELECT seq, at, actor, action, detail FROM audit_log WHERE object_type = 'incident'"
    " AND object_id = ? AND action IN ('incident.create', 'incident.transition', 'incident.update')"
    " AND (at > ? OR (at = ? AND seq > ?)) ORDER BY at, seq LIMIT ?";

bool parse_part(std::string_view text, std::int64_t& out) {
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc{} && p == text.data() + text.size() && !text.empty();
}

}  // namespace

std::string TimelinePosition::to_cursor() const {
  return util::base64url_encode(std::to_string(at) + "." + std::to_string(rank) + "." +
                                std::to_string(id));
}

std::optional<TimelinePosition> TimelinePosition::from_cursor(std::string_view cursor) {
  if (cursor.size() > 128) return std::nullopt;
  auto text = util::base64url_decode(cursor);
  if (!text) return std::nullopt;
  const std::string_view t = *text;
  const auto a = t.find('.');
  const auto b = a == std::string_view::npos ? a : t.find('.', a + 1);
  if (b == std::string_view::npos) return std::nullopt;
  TimelinePosition p;
  std::int64_t rank = 0;
  if (!parse_part(t.substr(0, a), p.at) || !parse_part(t.substr(a + 1, b - a - 1), rank) ||
      !parse_part(t.substr(b + 1), p.id) || (rank != 0 && rank != 1)) {
    return std::nullopt;
  }
  p.rank = static_cast<int>(rank);
  return p;
}

std::vector<TimelineItem> merge_timeline(std::vector<TimelineItem> worklog,
                                         std::vector<TimelineItem> changes, std::size_t limit,
                                         bool& more) {
  std::vector<TimelineItem> out;
  out.reserve(std::min(limit, worklog.size() + changes.size()));
  std::size_t w = 0;
  std::size_t c = 0;
  while (out.size() < limit && (w < worklog.size() || c < changes.size())) {
    const bool take_worklog =
        c == changes.size() || (w < worklog.size() && worklog[w].position < changes[c].position);
    out.push_back(std::move(take_worklog ? worklog[w++] : changes[c++]));
  }
  more = w < worklog.size() || c < changes.size();
  return out;
}

std::optional<nlohmann::json> reporter_view(std::string_view action, const nlohmann::json& detail) {
  if (action == "incident.create") return nlohmann::json::object();
  if (!detail.is_object()) return std::nullopt;
  if (action == "incident.transition") {
    nlohmann::json out = nlohmann::json::object();
    for (const char* field : {"from", "to"}) {
      if (detail.contains(field)) out[field] = detail[field];
    }
    return out;
  }
  if (action == "incident.update") {
    // A change of status made by an update (assigning a new incident moves it to 'assigned').
    const auto status = [&](const char* side) -> nlohmann::json {
      if (!detail.contains(side) || !detail[side].is_object()) return nullptr;
      return detail[side].value("status", nlohmann::json(nullptr));
    };
    const auto from = status("before");
    const auto to = status("after");
    if (from.is_string() && to.is_string() && from != to) {
      return nlohmann::json{{"from", from}, {"to", to}};
    }
  }
  return std::nullopt;
}

std::string actor_name(const std::string& audit_actor) {
  if (audit_actor.starts_with("user:")) return audit_actor.substr(5);
  return audit_actor;
}

std::optional<TimelinePage> Timeline::read(std::int64_t incident_id,
                                           const std::optional<TimelinePosition>& after, int limit,
                                           const auth::Principal& who) {
  std::optional<TimelinePage> out;
  db_.read([&](store::Connection& c) {
    auto access = access_incident(c, incident_id, who);
    if (!access) return;
    const bool internal = access->internal;
    const TimelinePosition from =
        after.value_or(TimelinePosition{std::numeric_limits<std::int64_t>::min(), 0, 0});
    const std::int64_t fetch = std::int64_t{limit} + 1;

    // After a worklog cursor, later entries of the same millisecond and all its changes follow;
    // after a change cursor, only later changes of that millisecond do.
    const std::int64_t worklog_after_id = from.rank == 0 ? from.id : kMaxId;
    const std::int64_t change_after_seq = from.rank == 0 ? 0 : from.id;
    const std::optional<std::string> only_public =
        internal ? std::nullopt : std::optional<std::string>("public");

    std::vector<TimelineItem> worklog;
    for (const auto& r :
         c.query("SELECT w.id, w.created_at, u.username, w.visibility, w.kind, w.audience, w.body"
                 " FROM worklog w LEFT JOIN users u ON u.id = w.author_id WHERE w.incident_id = ?"
                 " AND (CAST(? AS TEXT) IS NULL OR w.visibility = ?)"
                 " AND (w.created_at > ? OR (w.created_at = ? AND w.id > ?))"
                 " ORDER BY w.created_at, w.id LIMIT ?",
                 {incident_id, store::maybe(only_public), store::maybe(only_public), from.at,
                  from.at, worklog_after_id, fetch})) {
      worklog.push_back(
          {{r.i64(1), 0, r.i64(0)},
           {{"at", util::to_rfc3339(r.i64(1))},
            {"type", "worklog"},
            {"actor", r.is_null(2) ? nlohmann::json(nullptr) : nlohmann::json(r.str(2))},
            {"id", r.i64(0)},
            {"visibility", r.str(3)},
            {"kind", r.str(4)},
            {"audience", r.is_null(5) ? nlohmann::json(nullptr) : nlohmann::json(r.str(5))},
            {"body", r.str(6)}}});
    }

    std::vector<TimelineItem> changes;
    for (const auto& r : c.query(internal ? kChangesForWorkers : kChangesForReporters,
                                 {access->key(), from.at, from.at, change_after_seq, fetch})) {
      const std::string action = r.str(3);
      auto detail = nlohmann::json::parse(r.str(4), nullptr, false);
      if (detail.is_discarded()) detail = nlohmann::json::object();
      std::optional<nlohmann::json> shown = detail;
      if (!internal) shown = reporter_view(action, detail);
      changes.push_back({{r.i64(1), 1, r.i64(0)},
                         {{"at", util::to_rfc3339(r.i64(1))},
                          {"type", "change"},
                          {"actor", actor_name(r.str(2))},
                          {"seq", r.i64(0)},
                          {"action", action},
                          {"detail", shown.value_or(nlohmann::json::object())}},
                         !shown.has_value()});
    }

    bool more = false;
    auto merged = merge_timeline(std::move(worklog), std::move(changes),
                                 static_cast<std::size_t>(limit), more);
    TimelinePage page;
    if (more && !merged.empty()) page.next_cursor = merged.back().position.to_cursor();
    page.items.reserve(merged.size());
    for (auto& item : merged) {
      if (!item.hidden) page.items.push_back(std::move(item.json));
    }
    out = std::move(page);
  });
  return out;
}

}  // namespace custos::incidents
