#pragma once
// A throwaway database for tests that run on both backends: a fresh SQLite file in a
// temporary directory, or a fresh database on the PostgreSQL server named by
// CUSTOS_TEST_POSTGRES_URL. Both are removed again when the object goes away.
#include <filesystem>
#include <string>
#include <string_view>

#include "store/database.hpp"

namespace custos::store {

class ScratchDatabase {
 public:
  // The server for PostgreSQL tests, or empty when none was given (such tests skip).
  static std::string postgres_server_url();

  // `label` names the directory or database, e.g. the test's name. Throws DatabaseError when
  // PostgreSQL is asked for without a server, or the database cannot be created.
  ScratchDatabase(Backend backend, std::string_view label);
  ~ScratchDatabase();
  ScratchDatabase(const ScratchDatabase&) = delete;
  ScratchDatabase& operator=(const ScratchDatabase&) = delete;

  // What open_database() takes: "sqlite:PATH" or "postgresql://…/NAME".
  [[nodiscard]] const std::string& url() const { return url_; }
  // The database's name on the PostgreSQL server; empty for SQLite.
  [[nodiscard]] const std::string& postgres_database() const { return dbname_; }

 private:
  std::filesystem::path dir_;  // SQLite
  std::string dbname_;         // PostgreSQL
  std::string url_;
};

}  // namespace custos::store
