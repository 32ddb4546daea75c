#pragma once
// The one storage interface every feature uses. Two real backends implement it:
// SQLite (embedded default) and PostgreSQL. SQL is written once with `?`
// placeholders; the PostgreSQL backend rewrites them to $1..$n.
//
// Threading: Database methods are thread-safe and blocking. Callers are
// worker threads, never the HTTP I/O threads.
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_set>
#include <utility>
#include <vector>

#include "store/value.hpp"

namespace custos::store {

enum class Backend { sqlite, postgres };

// A connection handed to a unit of work. Only valid inside that unit of work.
class Connection {
 public:
  virtual ~Connection() = default;
  virtual Rows query(std::string_view sql, std::span<const Value> params) = 0;
  // Calls on_row for each result row until it returns false. The row is only valid during
  // the call and may be reused for the next one: for scans too long to hold in memory.
  virtual void for_each_row(std::string_view sql, std::span<const Value> params,
                            const std::function<bool(const Row&)>& on_row) {
    for (const auto& row : query(sql, params)) {
      if (!on_row(row)) return;
    }
  }
  // Executes a statement and returns the number of rows it changed.
  virtual std::int64_t execute(std::string_view sql, std::span<const Value> params) = 0;
  // Runs one or more statements without parameters (migrations).
  virtual void execute_script(std::string_view sql) = 0;
  [[nodiscard]] virtual Backend backend() const = 0;

  Rows query(std::string_view sql, std::initializer_list<Value> params = {}) {
    return query(sql, std::span<const Value>(params.begin(), params.size()));
  }
  std::int64_t execute(std::string_view sql, std::initializer_list<Value> params = {}) {
    return execute(sql, std::span<const Value>(params.begin(), params.size()));
  }
  // First row or nullopt.
  std::optional<Row> query_one(std::string_view sql, std::initializer_list<Value> params = {}) {
    auto rows = query(sql, params);
    if (rows.empty()) return std::nullopt;
    return std::move(rows.front());
  }

  // For data derived from the final state of a transaction, such as a search document: in a
  // batched write (the SQLite writer's group commit) `work` runs once per `key`, after every
  // job of the batch and just before the commit, in the same transaction. SQLite's FTS5 writes
  // an index segment whenever a savepoint is released, so indexing inside each job's savepoint
  // would cost a segment per job. Everywhere else `work` runs at once.
  void before_commit(std::string key, std::function<void(Connection&)> work);

  struct DeferredWork {
    std::vector<std::pair<std::string, std::function<void(Connection&)>>> items;
    std::unordered_set<std::string> keys;
    // Adds the work unless work under the same key is there already.
    void add(std::string key, std::function<void(Connection&)> work);
    void clear() {
      items.clear();
      keys.clear();
    }
  };
  // Used by a backend that batches: collect before_commit() work into `into` (nullptr: run it).
  void collect_deferred(DeferredWork* into) { deferred_ = into; }

 private:
  DeferredWork* deferred_ = nullptr;
};

// Thrown when a UNIQUE/PRIMARY KEY constraint rejects a write.
class UniqueViolation : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Thrown when the database cannot be reached or answers with an error.
class DatabaseError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class Database {
 public:
  virtual ~Database() = default;

  // Runs `work` in a read-only snapshot.
  virtual void read(const std::function<void(Connection&)>& work) = 0;

  // Runs `work` in a read-write transaction and returns once it is durably
  // committed. If `work` throws, its changes are rolled back and the exception
  // propagates. The SQLite backend batches concurrent writers into one commit
  // (group commit); each writer still sees all-or-nothing semantics.
  virtual void write(const std::function<void(Connection&)>& work) = 0;

  // Applies pending migrations under a lock so concurrent starters cannot race.
  // Returns the number of migrations applied.
  virtual int migrate() = 0;

  // Cheap liveness check used by /readyz.
  virtual bool ping() = 0;

  [[nodiscard]] virtual Backend backend() const = 0;
  [[nodiscard]] virtual std::string describe() const = 0;  // no secrets

  // Convenience: run a read and return its result.
  template <class F>
  auto read_value(F&& f) {
    using R = decltype(f(std::declval<Connection&>()));
    std::optional<R> out;
    read([&](Connection& c) { out.emplace(f(c)); });
    return std::move(*out);
  }
  template <class F>
  auto write_value(F&& f) {
    using R = decltype(f(std::declval<Connection&>()));
    std::optional<R> out;
    write([&](Connection& c) { out.emplace(f(c)); });
    return std::move(*out);
  }
};

struct DatabaseOptions {
  int read_connections = 4;  // SQLite readers / PostgreSQL pool size
  int busy_timeout_ms = 5000;
};

// Opens a database from a URL: "sqlite:PATH" or "postgresql://..." / "postgres://...".
std::unique_ptr<Database> open_database(const std::string& url,
                                        const DatabaseOptions& options = {});

}  // namespace custos::store
