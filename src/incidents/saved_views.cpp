#include "incidents/saved_views.hpp"

#include <algorithm>
#include <charconv>

#include "audit/audit_log.hpp"
#include "http/message.hpp"
#include "incidents/status.hpp"
#include "util/time.hpp"
#include "util/utf8.hpp"

namespace custos::incidents {

namespace {

// The parameters of GET /api/v1/incidents a view may carry, and how each value must look.
// Keep in step with read_query() in incident_routes.cpp.
enum class Kind : std::uint8_t { statuses, priorities, text, boolean, time, sort, limit };
struct Param {
  std::string_view name;
  Kind kind;
};
constexpr Param kParams[] = {
    {"status", Kind::statuses},    {"priority", Kind::priorities}, {"assignee", Kind::text},
    {"group", Kind::text},         {"reporter", Kind::text},       {"category", Kind::text},
    {"major", Kind::boolean},      {"restricted", Kind::boolean},  {"q", Kind::text},
    {"created_since", Kind::time}, {"created_until", Kind::time},  {"sort", Kind::sort},
    {"limit", Kind::limit},
};
constexpr std::string_view kSorts[] = {"-created", "created",  "-updated",
                                       "updated",  "priority", "due"};

std::vector<std::string_view> split(std::string_view text, char sep) {
  std::vector<std::string_view> out;
  while (true) {
    const auto at = text.find(sep);
    out.push_back(text.substr(0, at));
    if (at == std::string_view::npos) return out;
    text.remove_prefix(at + 1);
  }
}

std::optional<std::string> value_problem(const Param& p, const std::string& v) {
  const std::string name(p.name);
  switch (p.kind) {
    case Kind::statuses:
      for (auto s : split(v, ',')) {
        if (!parse_status(s)) {
          return "status: '" + std::string(s.substr(0, 32)) + "' is not an incident status";
        }
      }
      return std::nullopt;
    case Kind::priorities:
      for (auto s : split(v, ',')) {
        if (s.size() == 2 && (s[0] == 'P' || s[0] == 'p')) s.remove_prefix(1);
        if (s.size() != 1 || s[0] < '1' || s[0] > '4') {
          return std::string("priority: must be 1-4 or P1-P4, comma-separated");
        }
      }
      return std::nullopt;
    case Kind::text:
      if (v.size() > 200) return name + ": must be at most 200 bytes";
      return std::nullopt;
    case Kind::boolean:
      if (v != "true" && v != "false") return name + ": must be true or false";
      return std::nullopt;
    case Kind::time:
      if (!util::parse_rfc3339(v)) return name + ": must be an RFC 3339 time";
      return std::nullopt;
    case Kind::sort:
      if (std::find(std::begin(kSorts), std::end(kSorts), v) == std::end(kSorts)) {
        return std::string(
            "sort: must be one of -created, created, -updated, updated, priority, due");
      }
      return std::nullopt;
    case Kind::limit: {
      int n = 0;
      auto [ptr, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
      if (ec != std::errc{} || ptr != v.data() + v.size() || n < 1 || n > 200) {
        return std::string("limit: must be an integer between 1 and 200");
      }
      return std::nullopt;
    }
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::string> view_query_problem(std::string_view query) {
  if (query.size() > kMaxViewQueryBytes) {
    return "must be at most " + std::to_string(kMaxViewQueryBytes) + " bytes";
  }
  if (query.starts_with('?')) query.remove_prefix(1);
  std::vector<std::string> seen;
  for (auto pair : split(query, '&')) {
    if (pair.empty()) continue;  // "a=1&&b=2" and a trailing '&' mean nothing
    const auto eq = pair.find('=');
    auto name = http::percent_decode(pair.substr(0, eq), true);
    auto value = http::percent_decode(
        eq == std::string_view::npos ? std::string_view{} : pair.substr(eq + 1), true);
    if (!name || !value) return "has a malformed %-escape";
    if (!util::is_valid_utf8(*name) || !util::is_valid_utf8(*value)) {
      return "is not valid UTF-8 once decoded";
    }
    if (std::any_of(value->begin(), value->end(),
                    [](unsigned char c) { return c < 0x20 || c == 0x7f; })) {
      return "must not contain control characters";
    }
    const auto* param = std::find_if(std::begin(kParams), std::end(kParams),
                                     [&](const Param& p) { return p.name == *name; });
    if (param == std::end(kParams)) {
      return "'" + name->substr(0, 64) +
             "' is not a parameter of the incident list (status, priority, assignee, group, "
             "reporter, category, major, restricted, q, created_since, created_until, sort, "
             "limit)";
    }
    if (std::find(seen.begin(), seen.end(), *name) != seen.end()) {
      return "'" + *name + "' appears more than once";
    }
    seen.push_back(*name);
    if (auto problem = value_problem(*param, *value)) return problem;
  }
  return std::nullopt;
}

nlohmann::json to_json(const SavedView& v) {
  return {{"id", v.id},
          {"name", v.name},
          {"query", v.query},
          {"created_at", util::to_rfc3339(v.created_at)}};
}

std::vector<SavedView> SavedViews::list(const auth::Principal& who) {
  std::vector<SavedView> out;
  db_.read([&](store::Connection& c) {
    for (const auto& r : c.query("SELECT id, name, query, created_at FROM saved_views"
                                 " WHERE user_id = ? ORDER BY name, id",
                                 {who.user_id})) {
      out.push_back({r.i64(0), r.str(1), r.str(2), r.i64(3)});
    }
  });
  return out;
}

SavedView SavedViews::create(const auth::Principal& who, const std::string& name,
                             const std::string& query) {
  if (name.empty() || std::all_of(name.begin(), name.end(), [](char c) { return c == ' '; })) {
    throw SavedViewError("name", "must not be empty");
  }
  if (name.size() > kMaxViewNameBytes) {
    throw SavedViewError("name", "must be at most " + std::to_string(kMaxViewNameBytes) + " bytes");
  }
  if (std::any_of(name.begin(), name.end(),
                  [](unsigned char c) { return c < 0x20 || c == 0x7f; })) {
    throw SavedViewError("name", "must not contain control characters");
  }
  if (auto problem = view_query_problem(query)) throw SavedViewError("query", *problem);
  SavedView out{0, name, query.starts_with('?') ? query.substr(1) : query, util::now_ms()};
  db_.write([&](store::Connection& c) {
    if (c.query_one("SELECT id FROM saved_views WHERE user_id = ? AND name = ?",
                    {who.user_id, name})) {
      throw SavedViewConflict("you have a view named '" + name + "' already");
    }
    const auto count =
        c.query_one("SELECT COUNT(*) FROM saved_views WHERE user_id = ?", {who.user_id})->i64(0);
    if (count >= kMaxViewsPerUser) {
      throw SavedViewConflict("you have " + std::to_string(count) +
                              " saved views, the most one may keep; delete one first");
    }
    out.id = c.query_one(
                  "INSERT INTO saved_views (user_id, name, query, created_at) VALUES (?, ?, ?, ?)"
                  " RETURNING id",
                  {who.user_id, out.name, out.query, out.created_at})
                 ->i64(0);
    audit_.append(c, {who.actor(),
                      "saved_view.create",
                      "saved_view",
                      std::to_string(out.id),
                      {{"name", out.name}, {"query_bytes", out.query.size()}}});
  });
  return out;
}

bool SavedViews::remove(const auth::Principal& who, std::int64_t id) {
  bool removed = false;
  db_.write([&](store::Connection& c) {
    auto row =
        c.query_one("SELECT name FROM saved_views WHERE id = ? AND user_id = ?", {id, who.user_id});
    if (!row) return;
    c.execute("DELETE FROM saved_views WHERE id = ? AND user_id = ?", {id, who.user_id});
    audit_.append(c, {who.actor(),
                      "saved_view.delete",
                      "saved_view",
                      std::to_string(id),
                      {{"name", row->str(0)}}});
    removed = true;
  });
  return removed;
}

}  // namespace custos::incidents
