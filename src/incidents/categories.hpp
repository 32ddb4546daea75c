#pragma once
// The security taxonomy incidents are classified by: shipped classes (data/taxonomy.json)
// plus whatever administrators add. Kept in memory: every incident write validates against it.
#include <optional>
#include <shared_mutex>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "store/database.hpp"

namespace custos::audit {
class AuditLog;
}

namespace custos::incidents {

struct Category {
  std::string code;
  std::optional<std::string> parent;
  std::string name;
  std::string description;
  bool security = true;
  bool builtin = false;
  bool active = true;
};
nlohmann::json to_json(const Category& c);

class Categories {
 public:
  Categories(store::Database& db, const audit::AuditLog& audit) : db_(db), audit_(audit) {}

  // Inserts the shipped taxonomy's categories that are missing. Idempotent.
  void seed_builtin();
  void reload();

  [[nodiscard]] std::vector<Category> list() const;
  [[nodiscard]] std::optional<Category> find(const std::string& code) const;
  // Why (category, subcategory) cannot classify an incident, or nullopt when it can.
  // The first element names the field at fault.
  [[nodiscard]] std::optional<std::pair<std::string, std::string>> classification_problem(
      const std::string& category, const std::optional<std::string>& subcategory) const;

  // Adds a category (parent empty for a new class). Throws std::invalid_argument with a
  // message naming the field, store::UniqueViolation when the code exists.
  Category add(const Category& category, const std::string& actor);

 private:
  store::Database& db_;
  const audit::AuditLog& audit_;
  mutable std::shared_mutex mutex_;
  std::vector<Category> cache_;
};

}  // namespace custos::incidents
