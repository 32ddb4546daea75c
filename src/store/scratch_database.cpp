#include "store/scratch_database.hpp"

#include <unistd.h>
#include "store/postgres/libpq.hpp"

#include <atomic>
#include <cstdlib>

namespace custos::store {

namespace {

// `url` with its database name replaced; query parameters are kept.
std::string with_database(const std::string& url, const std::string& dbname) {
  const std::size_t authority = url.find("://") + 3;
  const std::size_t slash = url.find('/', authority);
  const std::size_t query = url.find('?', authority);
  const std::size_t end = query == std::string::npos ? url.size() : query;
  if (slash == std::string::npos || (query != std::string::npos && query < slash)) {
    return url.substr(0, end) + "/" + dbname + url.substr(end);
  }
  return url.substr(0, slash + 1) + dbname + url.substr(end);
}

// Runs one statement outside any transaction (CREATE/DROP DATABASE).
void run_on_server(const std::string& sql) {
  PGconn* conn = libpq().PQconnectdb(ScratchDatabase::postgres_server_url().c_str());
  std::string error;
  if (libpq().PQstatus(conn) != CONNECTION_OK) {
    error = libpq().PQerrorMessage(conn);
  } else {
    PGresult* result = libpq().PQexec(conn, sql.c_str());
    if (libpq().PQresultStatus(result) != PGRES_COMMAND_OK) error = libpq().PQerrorMessage(conn);
    libpq().PQclear(result);
  }
  libpq().PQfinish(conn);
  if (!error.empty()) throw DatabaseError(sql + ": " + error);
}

// Letters, digits and '_' only: the label becomes part of a database or file name.
std::string sanitised(std::string_view label) {
  std::string out;
  for (const char c : label) {
    const bool plain = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
    out += plain ? c : (c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : '_');
  }
  return out.substr(0, 40);
}

}  // namespace

std::string ScratchDatabase::postgres_server_url() {
  const char* url = std::getenv("CUSTOS_TEST_POSTGRES_URL");
  return url != nullptr ? url : "";
}

ScratchDatabase::ScratchDatabase(Backend backend, std::string_view label) {
  static std::atomic<int> counter{0};
  const std::string name = "custos_" + sanitised(label) + "_" + std::to_string(::getpid()) + "_" +
                           std::to_string(++counter);
  if (backend == Backend::postgres) {
    if (postgres_server_url().empty()) {
      throw DatabaseError("set CUSTOS_TEST_POSTGRES_URL for a PostgreSQL scratch database");
    }
    run_on_server("CREATE DATABASE " + name);
    dbname_ = name;
    url_ = with_database(postgres_server_url(), dbname_);
  } else {
    dir_ = std::filesystem::temp_directory_path() / name;
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    url_ = "sqlite:" + (dir_ / "scratch.db").string();
  }
}

ScratchDatabase::~ScratchDatabase() {
  if (!dir_.empty()) {
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }
  if (!dbname_.empty()) {
    try {
      run_on_server("DROP DATABASE IF EXISTS " + dbname_ + " WITH (FORCE)");
    } catch (const DatabaseError&) {
      // The server went away first; its temporary data directory goes with it.
    }
  }
}

}  // namespace custos::store
