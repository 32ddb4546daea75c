#pragma once
// SQLite backend: WAL journal, durable commits (synchronous=FULL), one writer
// thread that batches concurrent write requests into a single transaction
// (group commit: many requests share one fsync), and a pool of reader
// connections so reads never wait for the writer.
#include <condition_variable>
#include <deque>
#include <filesystem>
#include <mutex>
#include <thread>
#include <vector>

#include "store/database.hpp"

struct sqlite3;

namespace custos::store {

class SqliteConnection;

class SqliteDatabase final : public Database {
 public:
  SqliteDatabase(std::filesystem::path path, const DatabaseOptions& options);
  ~SqliteDatabase() override;
  SqliteDatabase(const SqliteDatabase&) = delete;
  SqliteDatabase& operator=(const SqliteDatabase&) = delete;

  void read(const std::function<void(Connection&)>& work) override;
  void write(const std::function<void(Connection&)>& work) override;
  int migrate() override;
  bool ping() override;
  [[nodiscard]] Backend backend() const override { return Backend::sqlite; }
  [[nodiscard]] std::string describe() const override;

  // How many commits the writer made and how many writes they carried (for /metrics).
  [[nodiscard]] std::uint64_t commits() const { return commits_; }
  [[nodiscard]] std::uint64_t writes() const { return writes_; }

  // For a command that runs once and exits (`custos mailgate`, which an MTA runs per message):
  // leave the write-ahead log for the next opener instead of folding it into the main file at
  // exit. That saves a checkpoint with its fsyncs and the creation and deletion of the -wal and
  // -shm files on every run. Committed data stays durable in the log; the server, or SQLite's
  // automatic checkpoint at 1000 pages, folds it in later. Call before the first read or write.
  void leave_wal_on_close();

 private:
  struct WriteJob;
  void writer_loop();
  void run_batch(std::vector<WriteJob*>& batch);
  std::unique_ptr<SqliteConnection> open_connection(bool read_only) const;

  std::filesystem::path path_;
  DatabaseOptions options_;

  std::mutex readers_mutex_;
  std::condition_variable readers_cv_;
  std::vector<std::unique_ptr<SqliteConnection>> idle_readers_;
  int readers_open_ = 0;

  std::unique_ptr<SqliteConnection> writer_;
  std::mutex queue_mutex_;
  std::condition_variable queue_cv_;
  std::deque<WriteJob*> queue_;
  bool stopping_ = false;
  std::thread writer_thread_;
  std::atomic<std::uint64_t> commits_{0};
  std::atomic<std::uint64_t> writes_{0};
  std::atomic<bool> fold_wal_on_close_{true};
};

}  // namespace custos::store
