#include "store/postgres/postgres_database.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <latch>
#include <limits>
#include <map>
#include <set>
#include <thread>
#include <vector>

#include "store/migrations.hpp"
#include "store/scratch_database.hpp"

namespace custos::store {
namespace {

// ---- placeholder rewriting (no server needed) -----------------------------------------------

TEST(RewritePlaceholders, NumbersPlaceholdersInOrder) {
  EXPECT_EQ(rewrite_placeholders("SELECT a FROM t WHERE b = ? AND c > ?"),
            "SELECT a FROM t WHERE b = $1 AND c > $2");
  EXPECT_EQ(rewrite_placeholders("INSERT INTO t VALUES (?,?,?,?,?,?,?,?,?,?,?)"),
            "INSERT INTO t VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11)");
  EXPECT_EQ(rewrite_placeholders("SELECT 1"), "SELECT 1");
  EXPECT_EQ(rewrite_placeholders(""), "");
}

TEST(RewritePlaceholders, SkipsStringLiterals) {
  EXPECT_EQ(rewrite_placeholders("SELECT '?', ?"), "SELECT '?', $1");
  EXPECT_EQ(rewrite_placeholders("SELECT 'it''s ?', ?"), "SELECT 'it''s ?', $1");
  // Standard strings take backslashes literally: the literal ends at the second quote.
  EXPECT_EQ(rewrite_placeholders(R"(SELECT 'a\', ?)"), R"(SELECT 'a\', $1)");
  // E'' strings do not end at an escaped quote.
  EXPECT_EQ(rewrite_placeholders(R"(SELECT E'a\'?', ?)"), R"(SELECT E'a\'?', $1)");
  EXPECT_EQ(rewrite_placeholders(R"(SELECT e'\\', ?)"), R"(SELECT e'\\', $1)");
}

TEST(RewritePlaceholders, SkipsQuotedIdentifiers) {
  EXPECT_EQ(rewrite_placeholders(R"(SELECT "wh?t" FROM t WHERE "a""?" = ?)"),
            R"(SELECT "wh?t" FROM t WHERE "a""?" = $1)");
}

TEST(RewritePlaceholders, SkipsComments) {
  EXPECT_EQ(rewrite_placeholders("SELECT ? -- why?\n, ?"), "SELECT $1 -- why?\n, $2");
  EXPECT_EQ(rewrite_placeholders("SELECT 1 -- trailing?"), "SELECT 1 -- trailing?");
  EXPECT_EQ(rewrite_placeholders("SELECT /* a /* ? */ ? */ ?"), "SELECT /* a /* ? */ ? */ $1");
}

TEST(RewritePlaceholders, SkipsDollarQuotes) {
  EXPECT_EQ(rewrite_placeholders("SELECT $$ ? $$, $fn$ ? $$ ? $fn$, ?"),
            "SELECT $$ ? $$, $fn$ ? $$ ? $fn$, $1");
  // Positional parameters and identifiers containing $ start no quote.
  EXPECT_EQ(rewrite_placeholders("SELECT $1, '?'"), "SELECT $1, '?'");
  EXPECT_EQ(rewrite_placeholders("SELECT a$b$ FROM t WHERE c = ?"),
            "SELECT a$b$ FROM t WHERE c = $1");
}

TEST(RewritePlaceholders, LeavesUnterminatedTextToTheServer) {
  EXPECT_EQ(rewrite_placeholders("SELECT 'abc ?"), "SELECT 'abc ?");
  EXPECT_EQ(rewrite_placeholders("SELECT $$ ?"), "SELECT $$ ?");
}

// ---- connection failures (no server needed) --------------------------------------------------

TEST(PostgresDatabaseConnect, UnreachableServerFailsWithoutPassword) {
  try {
    // Port 1 on loopback refuses at once.
    PostgresDatabase db("postgresql://someone:s3cretPw@127.0.0.1:1/custos", {});
    FAIL() << "connected to port 1";
  } catch (const DatabaseError& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find("postgresql://someone@127.0.0.1:1/custos"), std::string::npos)
        << message;
    EXPECT_EQ(message.find("s3cretPw"), std::string::npos) << message;
  }
}

TEST(PostgresDatabaseConnect, MalformedUrlFailsWithoutPassword) {
  try {
    PostgresDatabase db("postgresql://someone:s3cret%zz@127.0.0.1:1/custos", {});
    FAIL() << "accepted a malformed URL";
  } catch (const DatabaseError& e) {
    EXPECT_EQ(std::string(e.what()).find("s3cret"), std::string::npos) << e.what();
  }
  EXPECT_THROW(PostgresDatabase("sqlite:/tmp/x.db", {}), DatabaseError);
}

// ---- against a real server (CUSTOS_TEST_POSTGRES_URL) ----------------------------------------

// Each test gets its own empty database, so migrations start from nothing.
class PostgresDatabaseTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (ScratchDatabase::postgres_server_url().empty()) {
      GTEST_SKIP() << "set CUSTOS_TEST_POSTGRES_URL to run";
    }
    scratch_.emplace(Backend::postgres, "test");
    url_ = scratch_->url();
  }

  void TearDown() override { scratch_.reset(); }

  std::unique_ptr<PostgresDatabase> open(int connections = 2) {
    DatabaseOptions options;
    options.read_connections = connections;
    return std::make_unique<PostgresDatabase>(url_, options);
  }

  static std::int64_t count(Database& db, const std::string& table) {
    return db.read_value(
        [&](Connection& c) { return c.query_one("SELECT COUNT(*) FROM " + table)->i64(0); });
  }

  std::optional<ScratchDatabase> scratch_;
  std::string url_;
};

void insert_user(Connection& c, const std::string& username) {
  c.execute(
      "INSERT INTO users (username, email, display_name, roles, password_hash, created_at,"
      " updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
      {username, nullptr, std::string("Name"), std::string("agent"), std::string("$argon2id$x"),
       std::int64_t{1700000000000}, std::int64_t{1700000000000}});
}

// Table name → its column names, sorted.
using Schema = std::map<std::string, std::set<std::string>>;

Schema postgres_schema(Database& db) {
  Schema out;
  db.read([&](Connection& c) {
    for (const auto& r : c.query("SELECT table_name, column_name FROM information_schema.columns"
                                 " WHERE table_schema = 'public'")) {
      out[r.str(0)].insert(r.str(1));
    }
  });
  return out;
}

Schema sqlite_schema(Database& db) {
  Schema out;
  db.read([&](Connection& c) {
    for (const auto& t : c.query("SELECT name FROM sqlite_master WHERE type = 'table'"
                                 " AND name NOT LIKE 'sqlite_%'")) {
      for (const auto& col : c.query("SELECT name FROM pragma_table_info(?)", {t.str(0)})) {
        out[t.str(0)].insert(col.str(0));
      }
    }
  });
  return out;
}

// The two migration sets must describe the same tables with the same columns, so that every
// service's SQL means the same on both; the only differences are how each does full-text search.
TEST_F(PostgresDatabaseTest, SchemaMatchesSqliteExceptFullTextSearch) {
  auto pg = open();
  pg->migrate();
  Schema lite;
  {
    const ScratchDatabase scratch(Backend::sqlite, "schema");
    const auto sqlite = open_database(scratch.url());
    sqlite->migrate();
    lite = sqlite_schema(*sqlite);
  }
  Schema postgres = postgres_schema(*pg);

  // Search documents live in <thing>_search tables on both, but SQLite's are FTS5 virtual
  // tables (with shadow tables) and PostgreSQL's are ordinary tables with tsvector columns.
  const auto is_search = [](const std::string& table) {
    return table.ends_with("_search") || table.find("_search_") != std::string::npos;
  };
  std::erase_if(lite, [&](const auto& t) { return is_search(t.first); });
  std::erase_if(postgres, [&](const auto& t) { return is_search(t.first); });

  std::string differences;
  for (const auto& [table, columns] : lite) {
    auto other = postgres.find(table);
    if (other == postgres.end()) {
      differences += "table " + table + " only on SQLite\n";
      continue;
    }
    for (const auto& c : columns) {
      if (!other->second.contains(c)) differences += table + "." + c + " only on SQLite\n";
    }
    for (const auto& c : other->second) {
      if (!columns.contains(c)) differences += table + "." + c + " only on PostgreSQL\n";
    }
  }
  for (const auto& [table, columns] : postgres) {
    if (!lite.contains(table)) differences += "table " + table + " only on PostgreSQL\n";
  }
  EXPECT_EQ(differences, "");
}

TEST_F(PostgresDatabaseTest, MigratesOnceThenFindsNothingToApply) {
  auto db = open();
  const auto expected = static_cast<int>(migrations_for(Backend::postgres).size());
  ASSERT_GE(expected, 1);
  EXPECT_EQ(db->migrate(), expected);
  EXPECT_EQ(db->migrate(), 0);
  EXPECT_EQ(count(*db, "schema_migrations"), expected);
}

TEST_F(PostgresDatabaseTest, DescribesWithoutPasswordAndPings) {
  // trust authentication ignores the password, so one can be added to the URL.
  std::string url = url_;
  const std::size_t at = url.find('@');
  if (at != std::string::npos &&
      url.substr(0, at).find(':', url.find("://") + 3) == std::string::npos) {
    url.insert(at, ":hunter2");
  }
  PostgresDatabase db(url, {});
  EXPECT_EQ(db.describe().find("hunter2"), std::string::npos);
  EXPECT_EQ(db.describe().rfind("postgresql://", 0), 0u) << db.describe();
  EXPECT_NE(db.describe().find("/" + scratch_->postgres_database()), std::string::npos)
      << db.describe();
  EXPECT_EQ(db.backend(), Backend::postgres);
  EXPECT_TRUE(db.ping());
  EXPECT_EQ(db.read_value([](Connection& c) {
    return c.query_one("SELECT current_setting('application_name')")->str(0);
  }),
            "custos");
}

TEST_F(PostgresDatabaseTest, RoundTripsEveryValueType) {
  auto db = open();
  db->write([](Connection& c) {
    c.execute_script(
        "CREATE TABLE sample (id BIGINT PRIMARY KEY, i BIGINT, d DOUBLE PRECISION, s TEXT,"
        " small SMALLINT, n NUMERIC, b BOOLEAN, ts TIMESTAMPTZ)");
  });
  const std::string text = "it's \"quoted\" ? $1 -- ünïcødé 🛡";
  db->write([&](Connection& c) {
    const char* insert = "INSERT INTO sample (id, i, d, s) VALUES (?, ?, ?, ?)";
    EXPECT_EQ(
        c.execute(insert, {std::int64_t{1}, std::numeric_limits<std::int64_t>::max(), 0.1, text}),
        1);
    c.execute(insert,
              {std::int64_t{2}, std::numeric_limits<std::int64_t>::min(), -1.5e300, std::string()});
    c.execute(insert, {std::int64_t{3}, nullptr, nullptr, nullptr});
    c.execute("UPDATE sample SET small = 7, n = 2.5, b = true, ts = 'epoch' WHERE id = 1");
  });
  const Rows rows =
      db->read_value([](Connection& c) { return c.query("SELECT * FROM sample ORDER BY id"); });
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0][1], Value{std::numeric_limits<std::int64_t>::max()});
  EXPECT_EQ(rows[0][2], Value{0.1});
  EXPECT_EQ(rows[0][3], Value{text});
  EXPECT_EQ(rows[0][4], Value{std::int64_t{7}});
  EXPECT_EQ(rows[0][5], Value{2.5});
  EXPECT_EQ(rows[0][6], Value{std::int64_t{1}});
  EXPECT_TRUE(std::holds_alternative<std::string>(rows[0][7]));
  EXPECT_EQ(rows[1][1], Value{std::numeric_limits<std::int64_t>::min()});
  EXPECT_EQ(rows[1][2], Value{-1.5e300});
  EXPECT_EQ(rows[1][3], Value{std::string()});
  for (std::size_t column = 1; column < rows[2].size(); ++column) {
    EXPECT_TRUE(rows[2].is_null(column)) << column;
  }
}

TEST_F(PostgresDatabaseTest, NullParametersWorkInIsNullTests) {
  auto db = open();
  db->write([](Connection& c) {
    c.execute_script("CREATE TABLE t (id BIGINT, s TEXT); INSERT INTO t VALUES (1, 'a'), (2, 'b')");
  });
  const char* sql = "SELECT COUNT(*) FROM t WHERE (? IS NULL OR s = ?) AND (? IS NULL OR id = ?)";
  const auto matching = [&](Value s, Value id) {
    return db->read_value([&](Connection& c) { return c.query_one(sql, {s, s, id, id})->i64(0); });
  };
  // Twice each: the second run uses the statement prepared by the first.
  for (int round = 0; round < 2; ++round) {
    EXPECT_EQ(matching(nullptr, nullptr), 2);
    EXPECT_EQ(matching(std::string("a"), nullptr), 1);
    EXPECT_EQ(matching(nullptr, std::int64_t{2}), 1);
    EXPECT_EQ(matching(std::string("a"), std::int64_t{2}), 0);
  }
  // NULL into a non-text column still lets the server infer the column's type.
  db->write([](Connection& c) {
    c.execute("INSERT INTO t (id, s) VALUES (?, ?)", {nullptr, nullptr});
  });
  EXPECT_EQ(count(*db, "t"), 3);
}

TEST_F(PostgresDatabaseTest, ExecuteReturnsChangedRows) {
  auto db = open();
  db->migrate();
  const auto changed = db->write_value([](Connection& c) {
    insert_user(c, "alice");
    insert_user(c, "bob");
    return c.execute("UPDATE users SET version = version + 1 WHERE active = ?", {std::int64_t{1}});
  });
  EXPECT_EQ(changed, 2);
  EXPECT_THROW(db->read([](Connection& c) {
    c.query("SELECT ?", {std::int64_t{1}, std::int64_t{2}});
  }),
               DatabaseError);
}

TEST_F(PostgresDatabaseTest, DuplicateUsernameIsUniqueViolation) {
  auto db = open();
  db->migrate();
  db->write([](Connection& c) { insert_user(c, "alice"); });
  try {
    db->write([](Connection& c) { insert_user(c, "alice"); });
    FAIL() << "duplicate accepted";
  } catch (const UniqueViolation& e) {
    EXPECT_NE(std::string(e.what()).find("users_username_key"), std::string::npos) << e.what();
  }
  // The connection that saw the error is usable again.
  db->write([](Connection& c) { insert_user(c, "bob"); });
  EXPECT_EQ(count(*db, "users"), 2);
}

TEST_F(PostgresDatabaseTest, WriteRollsBackWhenWorkThrows) {
  auto db = open();
  db->migrate();
  EXPECT_THROW(db->write([](Connection& c) {
    insert_user(c, "alice");
    throw std::runtime_error("changed my mind");
  }),
               std::runtime_error);
  EXPECT_EQ(count(*db, "users"), 0);
}

TEST_F(PostgresDatabaseTest, CaughtErrorInsideWorkStillFailsTheWrite) {
  auto db = open();
  db->migrate();
  EXPECT_THROW(db->write([](Connection& c) {
    insert_user(c, "alice");
    try {
      c.execute("SELECT no_such_column FROM users");
    } catch (const DatabaseError&) {
      // Swallowed: PostgreSQL has aborted the transaction all the same.
    }
  }),
               DatabaseError);
  EXPECT_EQ(count(*db, "users"), 0);
}

TEST_F(PostgresDatabaseTest, ReadIsReadOnly) {
  auto db = open();
  db->migrate();
  EXPECT_THROW(db->read([](Connection& c) { insert_user(c, "alice"); }), DatabaseError);
}

TEST_F(PostgresDatabaseTest, ConcurrentMigrationsDoNotRace) {
  // Two pools stand for two processes starting at once.
  auto first = open();
  auto second = open();
  std::latch start(2);
  int applied[2] = {-1, -1};
  std::string errors[2];
  auto migrate = [&](Database& db, int index) {
    start.arrive_and_wait();
    try {
      applied[index] = db.migrate();
    } catch (const std::exception& e) {
      errors[index] = e.what();
    }
  };
  std::thread a(migrate, std::ref(*first), 0);
  std::thread b(migrate, std::ref(*second), 1);
  a.join();
  b.join();
  EXPECT_EQ(errors[0], "");
  EXPECT_EQ(errors[1], "");
  const auto expected = static_cast<int>(migrations_for(Backend::postgres).size());
  EXPECT_EQ(applied[0] + applied[1], expected);
  EXPECT_TRUE(applied[0] == 0 || applied[1] == 0);
}

TEST_F(PostgresDatabaseTest, AuditLogIsAppendOnly) {
  auto db = open();
  db->migrate();
  db->write([](Connection& c) {
    c.execute(
        "INSERT INTO audit_log (seq, at, actor, action, object_type, object_id, detail, digest,"
        " prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        {std::int64_t{1}, std::int64_t{1700000000000}, std::string("system"),
         std::string("user.create"), std::string("user"), std::string("1"), std::string("{}"),
         std::string("d"), std::string("0"), std::string("h")});
  });
  for (const char* sql :
       {"UPDATE audit_log SET actor = 'mallory'", "DELETE FROM audit_log", "TRUNCATE audit_log"}) {
    try {
      db->write([&](Connection& c) { c.execute(sql); });
      ADD_FAILURE() << sql << " was allowed";
    } catch (const DatabaseError& e) {
      EXPECT_NE(std::string(e.what()).find("audit_log is append-only"), std::string::npos)
          << e.what();
    }
  }
  EXPECT_EQ(count(*db, "audit_log"), 1);
}

TEST_F(PostgresDatabaseTest, DeadlockedWriteIsRetried) {
  auto db = open(4);
  db->write([](Connection& c) {
    c.execute_script(
        "CREATE TABLE counters (id BIGINT PRIMARY KEY, n BIGINT NOT NULL);"
        "INSERT INTO counters VALUES (1, 0), (2, 0)");
  });
  std::latch both_hold_one_row(2);
  std::atomic<int> attempts{0};
  auto crosswise = [&](std::int64_t first, std::int64_t second) {
    bool waited = false;
    db->write([&](Connection& c) {
      ++attempts;
      c.execute("UPDATE counters SET n = n + 1 WHERE id = ?", {first});
      if (!waited) {  // only the first attempt lines up for the deadlock
        waited = true;
        both_hold_one_row.arrive_and_wait();
      }
      c.execute("UPDATE counters SET n = n + 1 WHERE id = ?", {second});
    });
  };
  std::thread a(crosswise, std::int64_t{1}, std::int64_t{2});
  std::thread b(crosswise, std::int64_t{2}, std::int64_t{1});
  a.join();
  b.join();
  EXPECT_EQ(attempts.load(), 3);  // the deadlock victim ran twice
  const auto total = db->read_value(
      [](Connection& c) { return c.query_one("SELECT SUM(n) FROM counters")->i64(0); });
  EXPECT_EQ(total, 4);
}

TEST_F(PostgresDatabaseTest, PoolServesMoreThreadsThanConnections) {
  auto db = open(2);
  db->write([](Connection& c) {
    c.execute_script("CREATE TABLE counter (n BIGINT NOT NULL); INSERT INTO counter VALUES (0)");
  });
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 25; ++i) {
        db->write(
            [](Connection& c) { c.execute("UPDATE counter SET n = n + ?", {std::int64_t{1}}); });
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(
      db->read_value([](Connection& c) { return c.query_one("SELECT n FROM counter")->i64(0); }),
      200);
}

}  // namespace
}  // namespace custos::store
