#pragma once
// The PostgreSQL backend of the storage interface: a small pool of libpq connections,
// each caching its prepared statements.
//
// Statements are written with `?` placeholders (shared with SQLite) and rewritten to $1..$n.
// A literal `?` therefore cannot be used as an operator (jsonb's `?`, `?|`, `?&`): call
// jsonb_exists() / jsonb_exists_any() / jsonb_exists_all() instead.
//
// write() re-runs its unit of work (up to 3 more times) when PostgreSQL aborts it with a
// serialization failure or a deadlock, so work must not have side effects outside the
// transaction that cannot be repeated.
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "store/database.hpp"

namespace custos::store {

namespace detail {
class PgSession;
}  // namespace detail

// Rewrites `?` placeholders to $1..$n, leaving alone any `?` inside string literals
// ('...', E'...', $tag$...$tag$), quoted identifiers ("...") and comments (-- and /* */).
std::string rewrite_placeholders(std::string_view sql);

class PostgresDatabase final : public Database {
 public:
  // `url` is a libpq URL (postgresql://... or postgres://...). Connects once to fail fast;
  // throws DatabaseError (without the password) when the server cannot be reached.
  PostgresDatabase(const std::string& url, const DatabaseOptions& options);
  ~PostgresDatabase() override;
  PostgresDatabase(const PostgresDatabase&) = delete;
  PostgresDatabase& operator=(const PostgresDatabase&) = delete;

  void read(const std::function<void(Connection&)>& work) override;
  void write(const std::function<void(Connection&)>& work) override;
  int migrate() override;
  bool ping() override;
  [[nodiscard]] Backend backend() const override { return Backend::postgres; }
  [[nodiscard]] std::string describe() const override { return description_; }

 private:
  class Lease;

  Lease acquire();
  void release(std::unique_ptr<detail::PgSession> session);
  void run_transaction(const std::string& begin_sql, const std::function<void(Connection&)>& work);

  std::string url_;
  std::string description_;
  std::vector<std::string> secrets_;  // password spellings, cut out of error messages
  std::size_t pool_size_;

  std::mutex mutex_;
  std::condition_variable available_;
  std::vector<std::unique_ptr<detail::PgSession>> idle_;  // guarded by mutex_
  std::size_t open_ = 0;  // sessions in idle_ or leased, plus those being opened; guarded
};

}  // namespace custos::store
