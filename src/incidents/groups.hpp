#pragma once
// Support groups: who works incidents at which support level, who manages them (the first
// stop of a hierarchical escalation) and which group takes over on functional escalation.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "store/database.hpp"

namespace custos::audit {
class AuditLog;
}

namespace custos::incidents {

struct SupportGroup {
  std::int64_t id = 0;
  std::string name;
  std::string display_name;
  int level = 1;
  std::optional<std::string> manager;           // username
  std::optional<std::string> escalation_group;  // group name
  std::vector<std::string> members;             // usernames
  std::int64_t version = 1;
};
nlohmann::json to_json(const SupportGroup& g);

struct GroupChanges {
  std::optional<std::string> display_name;
  std::optional<int> level;
  std::optional<std::optional<std::string>> manager;
  std::optional<std::optional<std::string>> escalation_group;
  std::optional<std::vector<std::string>> members;
};

// A rule violation; `field` names the input at fault.
struct GroupError : std::runtime_error {
  GroupError(std::string f, const std::string& message)
      : std::runtime_error(message), field(std::move(f)) {}
  std::string field;
};

class SupportGroups {
 public:
  SupportGroups(store::Database& db, const audit::AuditLog& audit) : db_(db), audit_(audit) {}

  std::vector<SupportGroup> list();
  std::optional<SupportGroup> find(const std::string& name);
  static std::optional<SupportGroup> find(store::Connection& c, const std::string& name);
  static std::optional<SupportGroup> find_by_id(store::Connection& c, std::int64_t id);
  SupportGroup create(const SupportGroup& group, const std::string& actor);
  // nullopt when there is no such group; throws auth::VersionConflict-like GroupError("version")
  std::optional<SupportGroup> update(const std::string& name, std::int64_t expected_version,
                                     const GroupChanges& changes, const std::string& actor);
  // The ids of the groups a user belongs to (need-to-know checks).
  static std::vector<std::int64_t> groups_of(store::Connection& c, std::int64_t user_id);

 private:
  store::Database& db_;
  const audit::AuditLog& audit_;
};

}  // namespace custos::incidents
