#include <string_view>

#include "store/database.hpp"
#include "store/postgres/postgres_database.hpp"
#include "store/sqlite/sqlite_database.hpp"

namespace custos::store {

std::unique_ptr<Database> open_database(const std::string& url, const DatabaseOptions& options) {
  const std::string_view u = url;
  if (u.starts_with("sqlite:")) {
    std::string_view path = u.substr(7);
    if (path.starts_with("//")) path.remove_prefix(2);  // accept sqlite://PATH too
    if (path.empty())
      throw std::invalid_argument(
          "--db sqlite: needs a file path, e.g. sqlite:/var/lib/custos/custos.db");
    return std::make_unique<SqliteDatabase>(std::string(path), options);
  }
  if (u.starts_with("postgresql://") || u.starts_with("postgres://")) {
    return std::make_unique<PostgresDatabase>(url, options);
  }
  throw std::invalid_argument("unsupported database URL '" + url.substr(0, url.find(':')) +
                              ":…': use sqlite:PATH or postgresql://USER@HOST:PORT/DB");
}

}  // namespace custos::store
