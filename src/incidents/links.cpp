#include "incidents/links.hpp"

#include "incidents/work_access.hpp"

namespace custos::incidents {

nlohmann::json to_json(const ChildIncident& c) {
  return {{"key", incident_key(c.id)},
          {"title", c.title},
          {"status", c.status},
          {"priority", c.priority},
          {"priority_label", "P" + std::to_string(c.priority)}};
}

std::optional<std::vector<ChildIncident>> Links::children(std::int64_t incident_id,
                                                          const auth::Principal& who) {
  std::optional<std::vector<ChildIncident>> out;
  db_.read([&](store::Connection& c) {
    auto access = access_incident(c, incident_id, who);
    if (!access) return;
    std::vector<store::Value> params{incident_id};
    const std::string visible = visibility_condition(access->viewer, params);
    std::vector<ChildIncident> items;
    for (const auto& r :
         c.query("SELECT i.id, i.title, i.status, i.priority FROM incidents i WHERE i.parent_id = ?"
                 " AND " +
                     visible + " ORDER BY i.id LIMIT 1000",
                 params)) {
      items.push_back({r.i64(0), r.str(1), r.str(2), static_cast<int>(r.i64(3))});
    }
    out = std::move(items);
  });
  return out;
}

}  // namespace custos::incidents
