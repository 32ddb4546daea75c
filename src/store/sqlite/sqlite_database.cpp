#include "store/sqlite/sqlite_database.hpp"

#include <sqlite3.h>

#include <future>
#include <unordered_map>

#include "store/migrations.hpp"

namespace custos::store {

namespace {

[[noreturn]] void throw_sqlite(sqlite3* db, int rc, std::string_view what) {
  const int extended = db != nullptr ? sqlite3_extended_errcode(db) : rc;
  std::string message =
      std::string(what) + ": " + (db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
  if (extended == SQLITE_CONSTRAINT_UNIQUE || extended == SQLITE_CONSTRAINT_PRIMARYKEY) {
    throw UniqueViolation(message);
  }
  throw DatabaseError(message);
}

}  // namespace

// One sqlite3 handle plus its prepared-statement cache. Used by one thread at a time.
class SqliteConnection final : public Connection {
 public:
  explicit SqliteConnection(sqlite3* db) : db_(db) {}
  ~SqliteConnection() override {
    for (auto& [sql, stmt] : statements_) sqlite3_finalize(stmt);
    sqlite3_close_v2(db_);
  }
  SqliteConnection(const SqliteConnection&) = delete;
  SqliteConnection& operator=(const SqliteConnection&) = delete;
  using Connection::execute;
  using Connection::query;

  Rows query(std::string_view sql, std::span<const Value> params) override {
    sqlite3_stmt* stmt = prepare(sql, params);
    Rows rows;
    const int columns = sqlite3_column_count(stmt);
    int rc = 0;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
      std::vector<Value> values;
      values.reserve(static_cast<std::size_t>(columns));
      for (int i = 0; i < columns; ++i) values.push_back(column(stmt, i));
      rows.emplace_back(std::move(values));
    }
    finish(stmt, rc, sql);
    return rows;
  }

  void for_each_row(std::string_view sql, std::span<const Value> params,
                    const std::function<bool(const Row&)>& on_row) override {
    sqlite3_stmt* stmt = prepare(sql, params);
    Row row({});
    row.resize(static_cast<std::size_t>(sqlite3_column_count(stmt)));
    int rc = 0;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
      for (std::size_t i = 0; i < row.size(); ++i) refill(row.slot(i), stmt, static_cast<int>(i));
      if (!on_row(row)) {
        sqlite3_reset(stmt);
        return;
      }
    }
    finish(stmt, rc, sql);
  }

  std::int64_t execute(std::string_view sql, std::span<const Value> params) override {
    sqlite3_stmt* stmt = prepare(sql, params);
    int rc = 0;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
    }
    finish(stmt, rc, sql);
    return sqlite3_changes64(db_);
  }

  void execute_script(std::string_view sql) override {
    std::string text(sql);
    char* error = nullptr;
    const int rc = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &error);
    if (rc != SQLITE_OK) {
      std::string message = error != nullptr ? error : sqlite3_errstr(rc);
      sqlite3_free(error);
      throw DatabaseError("script failed: " + message);
    }
  }

  [[nodiscard]] Backend backend() const override { return Backend::sqlite; }
  sqlite3* handle() { return db_; }

 private:
  sqlite3_stmt* prepare(std::string_view sql, std::span<const Value> params) {
    auto it = statements_.find(sql);
    sqlite3_stmt* stmt = nullptr;
    if (it == statements_.end()) {
      const int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()),
                                        SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
      if (rc != SQLITE_OK) throw_sqlite(db_, rc, "prepare");
      statements_.emplace(std::string(sql), stmt);
    } else {
      stmt = it->second;
    }
    sqlite3_reset(stmt);
    sqlite3_clear_bindings(stmt);
    if (static_cast<int>(params.size()) != sqlite3_bind_parameter_count(stmt)) {
      throw DatabaseError("statement expects " +
                          std::to_string(sqlite3_bind_parameter_count(stmt)) + " parameters, got " +
                          std::to_string(params.size()));
    }
    for (std::size_t i = 0; i < params.size(); ++i) bind(stmt, static_cast<int>(i) + 1, params[i]);
    return stmt;
  }

  void bind(sqlite3_stmt* stmt, int index, const Value& value) {
    int rc = SQLITE_OK;
    if (const auto* n = std::get_if<std::int64_t>(&value)) {
      rc = sqlite3_bind_int64(stmt, index, *n);
    } else if (const auto* d = std::get_if<double>(&value)) {
      rc = sqlite3_bind_double(stmt, index, *d);
    } else if (const auto* s = std::get_if<std::string>(&value)) {
      rc = sqlite3_bind_text64(stmt, index, s->data(), s->size(), SQLITE_STATIC, SQLITE_UTF8);
    } else {
      rc = sqlite3_bind_null(stmt, index);
    }
    if (rc != SQLITE_OK) throw_sqlite(db_, rc, "bind");
  }

  static Value column(sqlite3_stmt* stmt, int i) {
    switch (sqlite3_column_type(stmt, i)) {
      case SQLITE_INTEGER:
        return Value{static_cast<std::int64_t>(sqlite3_column_int64(stmt, i))};
      case SQLITE_FLOAT:
        return Value{sqlite3_column_double(stmt, i)};
      case SQLITE_NULL:
        return Value{nullptr};
      default: {
        const auto* text = static_cast<const char*>(sqlite3_column_blob(stmt, i));
        const int size = sqlite3_column_bytes(stmt, i);
        return Value{std::string(text != nullptr ? text : "", static_cast<std::size_t>(size))};
      }
    }
  }

  // column(), but text lands in the slot's existing buffer when it already holds text.
  static void refill(Value& slot, sqlite3_stmt* stmt, int i) {
    if (sqlite3_column_type(stmt, i) == SQLITE_TEXT ||
        sqlite3_column_type(stmt, i) == SQLITE_BLOB) {
      const auto* text = static_cast<const char*>(sqlite3_column_blob(stmt, i));
      const auto size = static_cast<std::size_t>(sqlite3_column_bytes(stmt, i));
      auto* existing = std::get_if<std::string>(&slot);
      if (existing == nullptr) existing = &slot.emplace<std::string>();
      existing->assign(text != nullptr ? text : "", size);
      return;
    }
    slot = column(stmt, i);
  }

  void finish(sqlite3_stmt* stmt, int rc, std::string_view sql) {
    if (rc != SQLITE_DONE) {
      const int code = sqlite3_extended_errcode(db_);
      std::string message = sqlite3_errmsg(db_);
      sqlite3_reset(stmt);
      if (code == SQLITE_CONSTRAINT_UNIQUE || code == SQLITE_CONSTRAINT_PRIMARYKEY) {
        throw UniqueViolation(message);
      }
      throw DatabaseError(message + " (in: " + std::string(sql.substr(0, 80)) + ")");
    }
    sqlite3_reset(stmt);
  }

  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  sqlite3* db_;
  std::unordered_map<std::string, sqlite3_stmt*, Hash, std::equal_to<>> statements_;
};

struct SqliteDatabase::WriteJob {
  const std::function<void(Connection&)>* work;
  std::promise<void> done;
};

SqliteDatabase::SqliteDatabase(std::filesystem::path path, const DatabaseOptions& options)
    : path_(std::move(path)), options_(options) {
  if (path_.has_parent_path()) std::filesystem::create_directories(path_.parent_path());
  writer_ = open_connection(false);
  writer_->execute_script("PRAGMA journal_mode=WAL");
  writer_thread_ = std::thread([this] { writer_loop(); });
}

SqliteDatabase::~SqliteDatabase() {
  {
    std::lock_guard lock(queue_mutex_);
    stopping_ = true;
  }
  queue_cv_.notify_all();
  if (writer_thread_.joinable()) writer_thread_.join();
  if (!fold_wal_on_close_) return;
  // Fold the WAL back into the main file so a stopped server leaves one file behind.
  try {
    writer_->execute_script("PRAGMA wal_checkpoint(TRUNCATE)");
  } catch (const std::exception&) {
    // Another process may hold the database; the WAL is still valid and will be replayed.
  }
}

namespace {
void keep_wal_at_close(sqlite3* db) {
  int on = 1;
  sqlite3_db_config(db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, nullptr);
  sqlite3_file_control(db, "main", SQLITE_FCNTL_PERSIST_WAL, &on);
}
}  // namespace

void SqliteDatabase::leave_wal_on_close() {
  fold_wal_on_close_ = false;
  keep_wal_at_close(writer_->handle());
  std::lock_guard lock(readers_mutex_);
  for (auto& reader : idle_readers_) keep_wal_at_close(reader->handle());
}

std::unique_ptr<SqliteConnection> SqliteDatabase::open_connection(bool read_only) const {
  sqlite3* db = nullptr;
  const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
  const int rc = sqlite3_open_v2(path_.c_str(), &db, flags, nullptr);
  if (rc != SQLITE_OK) {
    std::string message = db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    sqlite3_close_v2(db);
    throw DatabaseError("cannot open SQLite database " + path_.string() + ": " + message);
  }
  auto connection = std::make_unique<SqliteConnection>(db);
  sqlite3_busy_timeout(db, options_.busy_timeout_ms);
  sqlite3_extended_result_codes(db, 1);
  connection->execute_script(
      "PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON; PRAGMA temp_store=MEMORY;"
      " PRAGMA cache_size=-16000;");
  if (read_only) connection->execute_script("PRAGMA query_only=1");
  if (!fold_wal_on_close_) keep_wal_at_close(db);
  return connection;
}

void SqliteDatabase::read(const std::function<void(Connection&)>& work) {
  std::unique_ptr<SqliteConnection> connection;
  {
    std::unique_lock lock(readers_mutex_);
    if (idle_readers_.empty() && readers_open_ < options_.read_connections) {
      ++readers_open_;
      lock.unlock();
      try {
        connection = open_connection(true);
      } catch (...) {
        std::lock_guard relock(readers_mutex_);
        --readers_open_;
        throw;
      }
    } else {
      readers_cv_.wait(lock, [this] { return !idle_readers_.empty(); });
      connection = std::move(idle_readers_.back());
      idle_readers_.pop_back();
    }
  }
  auto give_back = [&] {
    std::lock_guard lock(readers_mutex_);
    idle_readers_.push_back(std::move(connection));
    readers_cv_.notify_one();
  };
  try {
    // A read transaction gives the work one consistent snapshot.
    connection->execute("BEGIN");
    work(*connection);
    connection->execute("COMMIT");
  } catch (...) {
    try {
      connection->execute_script("ROLLBACK");
    } catch (const std::exception&) {
      // No transaction was open; nothing to undo.
    }
    give_back();
    throw;
  }
  give_back();
}

void SqliteDatabase::write(const std::function<void(Connection&)>& work) {
  WriteJob job{&work, {}};
  auto finished = job.done.get_future();
  {
    std::lock_guard lock(queue_mutex_);
    if (stopping_) throw DatabaseError("database is shutting down");
    queue_.push_back(&job);
  }
  queue_cv_.notify_one();
  finished.get();  // rethrows the work's exception, if any
}

void SqliteDatabase::writer_loop() {
  constexpr std::size_t kMaxBatch = 256;
  std::vector<WriteJob*> batch;
  for (;;) {
    {
      std::unique_lock lock(queue_mutex_);
      queue_cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty() && stopping_) return;
      while (!queue_.empty() && batch.size() < kMaxBatch) {
        batch.push_back(queue_.front());
        queue_.pop_front();
      }
    }
    run_batch(batch);
    batch.clear();
  }
}

// Every job runs inside its own savepoint of one shared transaction: a job that
// fails is rolled back alone, and the batch pays for a single durable commit.
void SqliteDatabase::run_batch(std::vector<WriteJob*>& batch) {
  std::vector<std::exception_ptr> errors(batch.size());
  std::exception_ptr batch_error;
  try {
    writer_->execute("BEGIN IMMEDIATE");
  } catch (...) {
    batch_error = std::current_exception();
  }
  if (!batch_error) {
    // Work each job defers to the commit (Connection::before_commit) is kept only if the job
    // succeeds, and runs once for the whole batch, outside the jobs' savepoints.
    Connection::DeferredWork batch_deferred;
    Connection::DeferredWork job_deferred;
    for (std::size_t i = 0; i < batch.size(); ++i) {
      job_deferred.clear();
      writer_->collect_deferred(&job_deferred);
      try {
        writer_->execute("SAVEPOINT job");
        (*batch[i]->work)(*writer_);
        writer_->execute("RELEASE job");
        for (auto& [key, work] : job_deferred.items) batch_deferred.add(key, std::move(work));
      } catch (...) {
        errors[i] = std::current_exception();
        try {
          writer_->execute("ROLLBACK TO job");
          writer_->execute("RELEASE job");
        } catch (...) {
          batch_error = std::current_exception();
          break;
        }
      }
    }
    writer_->collect_deferred(nullptr);
    if (!batch_error) {
      try {
        for (auto& [key, work] : batch_deferred.items) work(*writer_);
      } catch (...) {
        batch_error = std::current_exception();
      }
    }
    if (!batch_error) {
      try {
        writer_->execute("COMMIT");
        commits_.fetch_add(1, std::memory_order_relaxed);
        writes_.fetch_add(batch.size(), std::memory_order_relaxed);
      } catch (...) {
        batch_error = std::current_exception();
      }
    }
    if (batch_error) {
      try {
        writer_->execute_script("ROLLBACK");
      } catch (const std::exception&) {
        // The failed COMMIT may already have ended the transaction.
      }
    }
  }
  for (std::size_t i = 0; i < batch.size(); ++i) {
    if (batch_error) {
      batch[i]->done.set_exception(batch_error);
    } else if (errors[i]) {
      batch[i]->done.set_exception(errors[i]);
    } else {
      batch[i]->done.set_value();
    }
  }
}

int SqliteDatabase::migrate() {
  // BEGIN IMMEDIATE in the writer takes SQLite's write lock, which also excludes
  // other processes: two servers starting together apply each migration once.
  return write_value([](Connection& c) { return apply_pending_migrations(c); });
}

bool SqliteDatabase::ping() {
  try {
    read([](Connection& c) { c.query("SELECT 1"); });
    return true;
  } catch (const std::exception&) {
    return false;
  }
}

std::string SqliteDatabase::describe() const { return "sqlite:" + path_.string(); }

}  // namespace custos::store
