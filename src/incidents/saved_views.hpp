#pragma once
// Saved views: a user's named queries of the incident list ("my open P1s"). Each user sees
// and deletes only their own. A view stores the list's query string as typed, after checking
// that every parameter is one GET /api/v1/incidents knows and its value is well-formed, so a
// saved view never turns into a 422 later because of its own syntax. (Names of users, groups
// and categories are not checked: they may come and go.)
#include <cstdint>
#include <optional>
#include <stdexcept>
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

inline constexpr std::size_t kMaxViewQueryBytes = 2048;
inline constexpr std::size_t kMaxViewNameBytes = 100;
inline constexpr int kMaxViewsPerUser = 100;

// Why `query` is not a valid incident list query (a sentence naming the parameter), or
// nullopt when it is. A leading '?' is allowed; cursor is not (a view starts at page one).
[[nodiscard]] std::optional<std::string> view_query_problem(std::string_view query);

struct SavedView {
  std::int64_t id = 0;
  std::string name;
  std::string query;  // without a leading '?'
  std::int64_t created_at = 0;
};
nlohmann::json to_json(const SavedView& view);

// Bad input; 422 naming `field`.
struct SavedViewError : std::runtime_error {
  SavedViewError(std::string f, const std::string& message)
      : std::runtime_error(message), field(std::move(f)) {}
  std::string field;
};
// A view of that name exists already, or the user has too many; 409.
struct SavedViewConflict : std::runtime_error {
  using std::runtime_error::runtime_error;
};

class SavedViews {
 public:
  SavedViews(store::Database& db, const audit::AuditLog& audit) : db_(db), audit_(audit) {}

  // The user's views by name.
  std::vector<SavedView> list(const auth::Principal& who);
  SavedView create(const auth::Principal& who, const std::string& name, const std::string& query);
  // False when the user has no view with this id.
  bool remove(const auth::Principal& who, std::int64_t id);

 private:
  store::Database& db_;
  const audit::AuditLog& audit_;
};

}  // namespace custos::incidents
