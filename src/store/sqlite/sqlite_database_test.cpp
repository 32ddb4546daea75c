#include "store/sqlite/sqlite_database.hpp"

#include <gtest/gtest.h>

#include <array>
#include <atomic>
#include <filesystem>
#include <thread>

namespace custos::store {
namespace {

class SqliteTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("custos-sqlite-test-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    db_ = std::make_unique<SqliteDatabase>(dir_ / "t.db", DatabaseOptions{});
    db_->migrate();
  }
  void TearDown() override {
    db_.reset();
    std::filesystem::remove_all(dir_);
  }
  std::int64_t count_users() {
    return db_->read_value(
        [](Connection& c) { return c.query_one("SELECT COUNT(*) FROM users")->i64(0); });
  }
  void insert_user(Connection& c, const std::string& name) {
    c.execute(
        "INSERT INTO users (username, display_name, roles, password_hash, created_at, updated_at)"
        " VALUES (?, ?, 'agent', 'x', 0, 0)",
        {name, name});
  }
  std::filesystem::path dir_;
  std::unique_ptr<SqliteDatabase> db_;
};

TEST_F(SqliteTest, MigratingTwiceAppliesNothingTheSecondTime) { EXPECT_EQ(db_->migrate(), 0); }

TEST_F(SqliteTest, RoundTripsEveryValueType) {
  db_->write([](Connection& c) {
    c.execute("CREATE TABLE t (i INTEGER, d REAL, s TEXT, n TEXT)");
    c.execute("INSERT INTO t VALUES (?, ?, ?, ?)",
              {std::int64_t{-42}, 2.5, std::string("h\xc3\xa9"), null()});
  });
  auto row =
      db_->read_value([](Connection& c) { return *c.query_one("SELECT i, d, s, n FROM t"); });
  EXPECT_EQ(row.i64(0), -42);
  EXPECT_DOUBLE_EQ(row.f64(1), 2.5);
  EXPECT_EQ(row.str(2), "h\xc3\xa9");
  EXPECT_TRUE(row.is_null(3));
}

TEST_F(SqliteTest, ForEachRowStreamsEveryValueAndStopsWhenAsked) {
  // A reused row must not carry a value over from the previous one: text, then NULL, then
  // shorter text, then a number in the same column.
  std::vector<std::string> seen;
  db_->read([&](Connection& c) {
    const std::array<Value, 0> none{};
    c.for_each_row(
        "SELECT 'a long text value' UNION ALL SELECT NULL UNION ALL SELECT 'b' UNION ALL SELECT 7",
        none, [&](const Row& r) {
          if (r.is_null(0)) {
            seen.emplace_back("NULL");
          } else if (std::holds_alternative<std::int64_t>(r[0])) {
            seen.push_back(std::to_string(r.i64(0)));
          } else {
            seen.push_back(r.str(0));
          }
          return true;
        });
  });
  EXPECT_EQ(seen, (std::vector<std::string>{"a long text value", "NULL", "b", "7"}));

  int visited = 0;
  db_->read([&](Connection& c) {
    const std::array<Value, 1> limit{std::int64_t{100}};
    c.for_each_row(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?)"
        " SELECT i FROM n",
        limit, [&](const Row& r) {
          ++visited;
          return r.i64(0) < 3;
        });
    // The statement was reset: it runs again from the start.
    EXPECT_EQ(c.query("SELECT 1").size(), 1U);
  });
  EXPECT_EQ(visited, 3);
}

TEST_F(SqliteTest, UniqueViolationIsTyped) {
  db_->write([&](Connection& c) { insert_user(c, "a"); });
  EXPECT_THROW(db_->write([&](Connection& c) { insert_user(c, "a"); }), UniqueViolation);
  EXPECT_EQ(count_users(), 1);
}

TEST_F(SqliteTest, AFailingWriterIsRolledBackAloneInAGroupCommit) {
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 50; ++i) {
        try {
          db_->write([&](Connection& c) {
            insert_user(c, "u" + std::to_string(t) + "-" + std::to_string(i));
            if (i % 10 == 0) throw std::runtime_error("fail on purpose");
          });
        } catch (const std::runtime_error&) {
          ++failures;
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 8 * 5);
  EXPECT_EQ(count_users(), 8 * 45);
  // Concurrent writers share commits: fewer commits than writes (one per write at worst).
  EXPECT_LE(db_->commits(), db_->writes());
}

TEST_F(SqliteTest, ReadersSeeCommittedDataOnly) {
  db_->write([&](Connection& c) { insert_user(c, "visible"); });
  EXPECT_EQ(count_users(), 1);
  EXPECT_THROW(db_->read([&](Connection& c) { insert_user(c, "nope"); }), DatabaseError);
}

TEST_F(SqliteTest, AuditLogRefusesUpdates) {
  db_->write([](Connection& c) {
    c.execute("INSERT INTO audit_log VALUES (1, 0, 'a', 'b', 'c', 'd', '{}', 'x', 'y', 'z')");
  });
  EXPECT_THROW(db_->write([](Connection& c) { c.execute("UPDATE audit_log SET actor = 'evil'"); }),
               DatabaseError);
  EXPECT_THROW(db_->write([](Connection& c) { c.execute("DELETE FROM audit_log"); }),
               DatabaseError);
}

TEST_F(SqliteTest, SurvivesReopen) {
  db_->write([&](Connection& c) { insert_user(c, "durable"); });
  db_.reset();
  db_ = std::make_unique<SqliteDatabase>(dir_ / "t.db", DatabaseOptions{});
  EXPECT_EQ(count_users(), 1);
}

// A server leaves one file behind; a once-per-message command leaves the log for the next opener
// (and pays neither the checkpoint nor the creation of the log files), losing nothing.
TEST_F(SqliteTest, FoldsTheLogAtCloseUnlessToldToLeaveIt) {
  const auto wal = dir_ / "t.db-wal";
  db_->write([&](Connection& c) { insert_user(c, "server"); });
  db_.reset();
  EXPECT_FALSE(std::filesystem::exists(wal) && std::filesystem::file_size(wal) > 0);

  db_ = std::make_unique<SqliteDatabase>(dir_ / "t.db", DatabaseOptions{});
  db_->leave_wal_on_close();
  db_->write([&](Connection& c) { insert_user(c, "mailgate"); });
  db_.reset();
  ASSERT_TRUE(std::filesystem::exists(wal));
  EXPECT_GT(std::filesystem::file_size(wal), 0U);

  db_ = std::make_unique<SqliteDatabase>(dir_ / "t.db", DatabaseOptions{});
  EXPECT_EQ(count_users(), 2);
}

}  // namespace
}  // namespace custos::store
