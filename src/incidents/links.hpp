#pragma once
// Links between incidents as seen from one of them: its children (incidents whose parent it
// is). Need-to-know applies to each child as it does in lists.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "auth/principal.hpp"
#include "store/database.hpp"

namespace custos::incidents {

struct ChildIncident {
  std::int64_t id = 0;
  std::string title;
  std::string status;
  int priority = 4;
};
nlohmann::json to_json(const ChildIncident& child);

class Links {
 public:
  explicit Links(store::Database& db) : db_(db) {}

  // The children the caller may see, oldest first; nullopt when the parent does not exist or
  // the caller may not see it.
  std::optional<std::vector<ChildIncident>> children(std::int64_t incident_id,
                                                     const auth::Principal& who);

 private:
  store::Database& db_;
};

}  // namespace custos::incidents
