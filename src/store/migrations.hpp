#pragma once
// Versioned schema migrations, one ordered list per backend, embedded at build time
// from src/store/migrations/<backend>/NNNN_name.sql.
#include <span>
#include <string_view>

#include "store/database.hpp"

namespace custos::store {

struct Migration {
  int version;
  std::string_view name;
  std::string_view sql;
};

std::span<const Migration> migrations_for(Backend backend);

// Creates schema_migrations if needed and applies every migration newer than the
// highest recorded version. The caller runs this inside one transaction that holds
// the backend's migration lock, so a failed migration leaves the schema as it was.
// Returns how many were applied.
int apply_pending_migrations(Connection& connection);

}  // namespace custos::store
