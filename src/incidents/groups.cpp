#include "incidents/groups.hpp"

#include "audit/audit_log.hpp"
#include "util/time.hpp"

namespace custos::incidents {

namespace {

constexpr const char* kSelect =
    "SELECT g.id, g.name, g.display_name, g.level, m.username, e.name, g.version"
    " FROM support_groups g LEFT JOIN users m ON m.id = g.manager_id"
    " LEFT JOIN support_groups e ON e.id = g.escalation_group_id";

SupportGroup from_row(store::Connection& c, const store::Row& r) {
  SupportGroup g{r.i64(0),     r.str(1),     r.str(2), static_cast<int>(r.i64(3)),
                 r.opt_str(4), r.opt_str(5), {},       r.i64(6)};
  for (const auto& m :
       c.query("SELECT u.username FROM group_members gm JOIN users u ON u.id = gm.user_id"
               " WHERE gm.group_id = ? ORDER BY u.username",
               {g.id})) {
    g.members.push_back(m.str(0));
  }
  return g;
}

bool valid_name(const std::string& name) {
  if (name.empty() || name.size() > 64) return false;
  for (char c : name) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.')) {
      return false;
    }
  }
  return true;
}

std::int64_t user_id(store::Connection& c, const std::string& field, const std::string& username) {
  auto r = c.query_one("SELECT id FROM users WHERE username = ? AND active = 1", {username});
  if (!r) throw GroupError(field, "'" + username.substr(0, 64) + "' is not an active user");
  return r->i64(0);
}

void set_members(store::Connection& c, std::int64_t group_id,
                 const std::vector<std::string>& members) {
  c.execute("DELETE FROM group_members WHERE group_id = ?", {group_id});
  for (std::size_t i = 0; i < members.size(); ++i) {
    const auto id = user_id(c, "members[" + std::to_string(i) + "]", members[i]);
    c.execute("INSERT INTO group_members (group_id, user_id) VALUES (?, ?) ON CONFLICT DO NOTHING",
              {group_id, id});
  }
}

std::optional<std::int64_t> escalation_id(store::Connection& c,
                                          const std::optional<std::string>& name,
                                          const std::string& self) {
  if (!name) return std::nullopt;
  if (*name == self) throw GroupError("escalation_group", "a group cannot escalate to itself");
  auto g = SupportGroups::find(c, *name);
  if (!g) throw GroupError("escalation_group", "'" + name->substr(0, 64) + "' is not a group");
  return g->id;
}

}  // namespace

nlohmann::json to_json(const SupportGroup& g) {
  return {{"id", g.id},
          {"name", g.name},
          {"display_name", g.display_name},
          {"level", g.level},
          {"manager", g.manager ? nlohmann::json(*g.manager) : nlohmann::json(nullptr)},
          {"escalation_group",
           g.escalation_group ? nlohmann::json(*g.escalation_group) : nlohmann::json(nullptr)},
          {"members", g.members},
          {"version", g.version}};
}

std::vector<SupportGroup> SupportGroups::list() {
  std::vector<SupportGroup> out;
  db_.read([&](store::Connection& c) {
    for (const auto& r : c.query(std::string(kSelect) + " ORDER BY g.level, g.name")) {
      out.push_back(from_row(c, r));
    }
  });
  return out;
}

std::optional<SupportGroup> SupportGroups::find(store::Connection& c, const std::string& name) {
  auto r = c.query_one(std::string(kSelect) + " WHERE g.name = ?", {name});
  if (!r) return std::nullopt;
  return from_row(c, *r);
}

std::optional<SupportGroup> SupportGroups::find_by_id(store::Connection& c, std::int64_t id) {
  auto r = c.query_one(std::string(kSelect) + " WHERE g.id = ?", {id});
  if (!r) return std::nullopt;
  return from_row(c, *r);
}

std::optional<SupportGroup> SupportGroups::find(const std::string& name) {
  std::optional<SupportGroup> out;
  db_.read([&](store::Connection& c) { out = find(c, name); });
  return out;
}

SupportGroup SupportGroups::create(const SupportGroup& in, const std::string& actor) {
  if (!valid_name(in.name))
    throw GroupError("name", "use 1-64 characters a-z, 0-9, '-', '_' and '.'");
  if (in.display_name.empty() || in.display_name.size() > 200) {
    throw GroupError("display_name", "must be 1-200 characters");
  }
  if (in.level < 1 || in.level > 3) throw GroupError("level", "must be 1, 2 or 3");
  SupportGroup out;
  db_.write([&](store::Connection& c) {
    std::optional<std::int64_t> manager;
    if (in.manager) manager = user_id(c, "manager", *in.manager);
    const auto escalation = escalation_id(c, in.escalation_group, in.name);
    const auto now = util::now_ms();
    auto row = c.query_one(
        "INSERT INTO support_groups (name, display_name, level, manager_id, escalation_group_id,"
        " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
        {in.name, in.display_name, std::int64_t{in.level}, store::maybe(manager),
         store::maybe(escalation), now, now});
    set_members(c, row->i64(0), in.members);
    out = *find_by_id(c, row->i64(0));
    audit_.append(c, {actor, "group.create", "group", out.name, {{"after", to_json(out)}}});
  });
  return out;
}

std::optional<SupportGroup> SupportGroups::update(const std::string& name,
                                                  std::int64_t expected_version,
                                                  const GroupChanges& ch,
                                                  const std::string& actor) {
  if (ch.display_name && (ch.display_name->empty() || ch.display_name->size() > 200)) {
    throw GroupError("display_name", "must be 1-200 characters");
  }
  if (ch.level && (*ch.level < 1 || *ch.level > 3)) throw GroupError("level", "must be 1, 2 or 3");
  std::optional<SupportGroup> out;
  db_.write([&](store::Connection& c) {
    auto before = find(c, name);
    if (!before) return;
    if (before->version != expected_version) {
      throw GroupError("version", "the group was changed since you read it (now version " +
                                      std::to_string(before->version) + ")");
    }
    SupportGroup after = *before;
    if (ch.display_name) after.display_name = *ch.display_name;
    if (ch.level) after.level = *ch.level;
    if (ch.manager) after.manager = *ch.manager;
    if (ch.escalation_group) after.escalation_group = *ch.escalation_group;
    std::optional<std::int64_t> manager;
    if (after.manager) manager = user_id(c, "manager", *after.manager);
    const auto escalation = escalation_id(c, after.escalation_group, after.name);
    c.execute(
        "UPDATE support_groups SET display_name = ?, level = ?, manager_id = ?,"
        " escalation_group_id = ?, updated_at = ?, version = version + 1 WHERE id = ?",
        {after.display_name, std::int64_t{after.level}, store::maybe(manager),
         store::maybe(escalation), util::now_ms(), before->id});
    if (ch.members) set_members(c, before->id, *ch.members);
    out = *find_by_id(c, before->id);
    audit_.append(c, {actor,
                      "group.update",
                      "group",
                      out->name,
                      {{"before", to_json(*before)}, {"after", to_json(*out)}}});
  });
  return out;
}

std::vector<std::int64_t> SupportGroups::groups_of(store::Connection& c, std::int64_t user_id) {
  std::vector<std::int64_t> ids;
  for (const auto& r : c.query("SELECT group_id FROM group_members WHERE user_id = ?", {user_id})) {
    ids.push_back(r.i64(0));
  }
  return ids;
}

}  // namespace custos::incidents
