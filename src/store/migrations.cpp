#include "store/migrations.hpp"

#include <ctime>
#include <string>

namespace custos::store {

int apply_pending_migrations(Connection& connection) {
  connection.execute_script(
      "CREATE TABLE IF NOT EXISTS schema_migrations ("
      " version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)");
  std::int64_t current = 0;
  if (auto row = connection.query_one("SELECT COALESCE(MAX(version), 0) FROM schema_migrations")) {
    current = row->i64(0);
  }
  int applied = 0;
  for (const Migration& m : migrations_for(connection.backend())) {
    if (m.version <= current) continue;
    connection.execute_script(m.sql);
    connection.execute("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
                       {std::int64_t{m.version}, std::string(m.name),
                        std::int64_t{static_cast<std::int64_t>(std::time(nullptr)) * 1000}});
    ++applied;
  }
  return applied;
}

}  // namespace custos::store
