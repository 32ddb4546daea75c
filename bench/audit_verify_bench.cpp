// Verifying a large audit log, in-process, on a real SQLite database.
//
// Seeding: the database at $CUSTOS_BENCH_DB (default /tmp/custos-bench-audit/custos.db) is
// filled to $CUSTOS_BENCH_AUDIT_N entries (default 1,000,000) through the real write path:
// store::open_database + migrate(), AuditLog::append inside Database::write transactions of
// 10,000 appends each, with the server's Ed25519 key (audit-signing.key beside the database,
// so `custos audit verify --data-dir DIR` pins it) signing a checkpoint every 1000 entries as
// the server does. A database that already holds N entries is reused as it is, so only the
// first run pays for seeding (about a minute on 2 cores).
//
// Benchmarks (items/s = entries/s):
//   AuditVerify     AuditLog::verify(): what `custos audit verify` does after opening the
//                   database (goal: 1,000,000 entries in < 2 s)
//   AuditScanRows   the same paged SELECT and AuditEntry construction, without hashing:
//                   the storage share of AuditVerify
//   AuditScanSqlite the same rows stepped with the raw sqlite3 API, nothing copied: the floor
//                   that reading can reach; /0 reads pages with pread() as custos's connections
//                   do today, /1024 maps the file (PRAGMA mmap_size=1 GiB) instead
//   AuditVerifyStreamingSketch
//                   not custos code: the same verification (ChainVerifier::add on every entry,
//                   then every signed checkpoint) fed straight from sqlite3_step into one reused
//                   AuditEntry, i.e. what AuditLog::verify could do with a streaming row API
//                   in store/ instead of materialised Rows copied into fresh AuditEntry objects
//   (ChainVerifier::add alone, the hashing share, is in audit_chain_bench.)
#include <benchmark/benchmark.h>
#include <sqlite3.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "audit/audit_log.hpp"
#include "audit/signing_key.hpp"
#include "store/database.hpp"

namespace {

namespace fs = std::filesystem;

std::string env_or(const char* name, const std::string& fallback) {
  const char* v = std::getenv(name);
  return v != nullptr && *v != '\0' ? std::string(v) : fallback;
}

struct AuditFixture {
  fs::path db_path;
  std::int64_t wanted = 0;
  std::unique_ptr<custos::store::Database> db;
  std::string public_key_hex;

  AuditFixture() {
    db_path = env_or("CUSTOS_BENCH_DB", "/tmp/custos-bench-audit/custos.db");
    wanted = std::stoll(env_or("CUSTOS_BENCH_AUDIT_N", "1000000"));
    fs::create_directories(db_path.parent_path());
    db = custos::store::open_database("sqlite:" + db_path.string());
    db->migrate();
    const auto key = custos::audit::SigningKey::load_or_create(db_path.parent_path() / "audit-signing.key");
    public_key_hex = key.public_key_hex();
    seed(key);
  }

  std::int64_t head() {
    return db->read_value([](custos::store::Connection& c) {
      return c.query_one("SELECT COALESCE(MAX(seq), 0) FROM audit_log")->i64(0);
    });
  }

  void seed(const custos::audit::SigningKey& key) {
    std::int64_t have = head();
    if (have >= wanted) {
      std::fprintf(stderr, "audit_verify_bench: %s already holds %lld entries; not seeding\n",
                   db_path.c_str(), static_cast<long long>(have));
      return;
    }
    std::fprintf(stderr, "audit_verify_bench: seeding %s from %lld to %lld entries...\n", db_path.c_str(),
                 static_cast<long long>(have), static_cast<long long>(wanted));
    const auto started = std::chrono::steady_clock::now();
    const custos::audit::AuditLog log(&key, 1000);
    constexpr std::int64_t kPerTransaction = 10'000;
    while (have < wanted) {
      const std::int64_t batch = std::min(kPerTransaction, wanted - have);
      db->write([&](custos::store::Connection& c) {
        for (std::int64_t i = 0; i < batch; ++i) log.append(c, record(have + i + 1));
      });
      have += batch;
      if (have % 100'000 == 0 || have == wanted) {
        const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
        std::fprintf(stderr, "  %lld entries (%.1f s)\n", static_cast<long long>(have), s);
      }
    }
  }

  // A realistic mix: most entries are small (sign-ins, token uses), some carry before/after.
  static custos::audit::AuditRecord record(std::int64_t n) {
    const std::string user = "user" + std::to_string(n % 977);
    switch (n % 4) {
      case 0:
        return {"user:" + user, "auth.login", "session", std::to_string(n), {{"source", "10.1.2.3"}}};
      case 1:
        return {"user:admin", "user.update", "user", user,
                {{"before", {{"display_name", "Old Name"}, {"roles", {"reporter"}}}},
                 {"after", {{"display_name", "New Name"}, {"roles", {"agent", "reporter"}}}}}};
      case 2:
        return {"system", "token.issue", "token", std::to_string(n),
                {{"after", {{"user", user}, {"name", "ci"}, {"expires_at", nullptr}}}}};
      default:
        return {"user:" + user, "auth.logout", "session", std::to_string(n), {}};
    }
  }
};

AuditFixture& fixture() {
  static AuditFixture f;
  return f;
}

void BM_AuditVerify(benchmark::State& state) {
  auto& f = fixture();
  custos::audit::VerifyReport report;
  for (auto _ : state) {
    report = custos::audit::AuditLog::verify(*f.db, f.public_key_hex);
    if (!report.ok) {
      state.SkipWithError(("chain broken: " + report.problem).c_str());
      break;
    }
  }
  state.SetItemsProcessed(state.iterations() * report.entries);
  state.counters["entries"] = static_cast<double>(report.entries);
  state.counters["checkpoints"] = static_cast<double>(report.checkpoints);
}
BENCHMARK(BM_AuditVerify)->Unit(benchmark::kMillisecond)->Iterations(2)->UseRealTime();

// The storage half of AuditLog::verify: same query, same paging, same copies into AuditEntry.
void BM_AuditScanRows(benchmark::State& state) {
  auto& f = fixture();
  std::int64_t entries = 0;
  for (auto _ : state) {
    entries = 0;
    f.db->read([&](custos::store::Connection& c) {
      constexpr std::int64_t kPage = 20000;
      std::int64_t after = 0;
      for (;;) {
        auto rows = c.query(
            "SELECT seq, at, actor, action, object_type, object_id, detail, digest, prev_hash, hash"
            " FROM audit_log WHERE seq > ? ORDER BY seq LIMIT ?",
            {after, kPage});
        for (const auto& r : rows) {
          custos::audit::AuditEntry e{r.i64(0), r.i64(1), r.str(2), r.str(3), r.str(4),
                                      r.str(5), r.str(6), r.str(7), r.str(8), r.str(9)};
          benchmark::DoNotOptimize(e);
          ++entries;
        }
        if (static_cast<std::int64_t>(rows.size()) < kPage) break;
        after = rows.back().i64(0);
      }
    });
  }
  state.SetItemsProcessed(state.iterations() * entries);
}
BENCHMARK(BM_AuditScanRows)->Unit(benchmark::kMillisecond)->Iterations(1)->UseRealTime();

// The floor: sqlite3_step over the same rows, touching each column without copying it.
// range(0): PRAGMA mmap_size in MiB (0 = off, SQLite's default).
void BM_AuditScanSqlite(benchmark::State& state) {
  auto& f = fixture();
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(f.db_path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
    state.SkipWithError("cannot open the database");
    sqlite3_close(db);
    return;
  }
  const std::string pragma = "PRAGMA mmap_size=" + std::to_string(state.range(0) * 1024 * 1024);
  sqlite3_exec(db, pragma.c_str(), nullptr, nullptr, nullptr);
  sqlite3_stmt* stmt = nullptr;
  sqlite3_prepare_v2(db,
                     "SELECT seq, at, actor, action, object_type, object_id, detail, digest, prev_hash, "
                     "hash FROM audit_log ORDER BY seq",
                     -1, &stmt, nullptr);
  std::int64_t entries = 0;
  for (auto _ : state) {
    entries = 0;
    std::size_t bytes = 0;
    sqlite3_reset(stmt);
    while (sqlite3_step(stmt) == SQLITE_ROW) {
      for (int i = 2; i < 10; ++i) {
        benchmark::DoNotOptimize(sqlite3_column_text(stmt, i));
        bytes += static_cast<std::size_t>(sqlite3_column_bytes(stmt, i));
      }
      ++entries;
    }
    benchmark::DoNotOptimize(bytes);
  }
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  state.SetItemsProcessed(state.iterations() * entries);
}
BENCHMARK(BM_AuditScanSqlite)->Arg(0)->Arg(1024)->Unit(benchmark::kMillisecond)->Iterations(1)->UseRealTime();

std::string_view column_text(sqlite3_stmt* stmt, int i) {
  const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt, i));
  return {text != nullptr ? text : "", static_cast<std::size_t>(sqlite3_column_bytes(stmt, i))};
}

void BM_AuditVerifyStreamingSketch(benchmark::State& state) {
  auto& f = fixture();
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(f.db_path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
    state.SkipWithError("cannot open the database");
    sqlite3_close(db);
    return;
  }
  sqlite3_stmt* rows = nullptr;
  sqlite3_stmt* checkpoints = nullptr;
  sqlite3_prepare_v2(db,
                     "SELECT seq, at, actor, action, object_type, object_id, detail, digest, prev_hash, "
                     "hash FROM audit_log ORDER BY seq",
                     -1, &rows, nullptr);
  sqlite3_prepare_v2(db, "SELECT seq, hash, at, public_key, signature FROM audit_checkpoints ORDER BY seq", -1,
                     &checkpoints, nullptr);
  std::int64_t entries = 0;
  for (auto _ : state) {
    sqlite3_exec(db, "BEGIN", nullptr, nullptr, nullptr);
    std::vector<custos::audit::Checkpoint> cps;
    sqlite3_reset(checkpoints);
    while (sqlite3_step(checkpoints) == SQLITE_ROW) {
      cps.push_back({sqlite3_column_int64(checkpoints, 0), std::string(column_text(checkpoints, 1)),
                     sqlite3_column_int64(checkpoints, 2), std::string(column_text(checkpoints, 3)),
                     std::string(column_text(checkpoints, 4))});
    }
    std::vector<std::int64_t> seqs;
    for (const auto& cp : cps) seqs.push_back(cp.seq);
    custos::audit::ChainVerifier verifier;
    verifier.expect_checkpoints(seqs);
    custos::audit::AuditEntry e;  // reused: assign() keeps each field's buffer once it has grown
    sqlite3_reset(rows);
    while (sqlite3_step(rows) == SQLITE_ROW) {
      e.seq = sqlite3_column_int64(rows, 0);
      e.at_ms = sqlite3_column_int64(rows, 1);
      e.actor.assign(column_text(rows, 2));
      e.action.assign(column_text(rows, 3));
      e.object_type.assign(column_text(rows, 4));
      e.object_id.assign(column_text(rows, 5));
      e.detail.assign(column_text(rows, 6));
      e.digest.assign(column_text(rows, 7));
      e.prev_hash.assign(column_text(rows, 8));
      e.hash.assign(column_text(rows, 9));
      if (!verifier.add(e)) break;
    }
    for (const auto& cp : cps) {
      if (!verifier.check_checkpoint(cp, f.public_key_hex)) break;
    }
    sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr);
    if (!verifier.ok()) {
      state.SkipWithError(("chain broken: " + verifier.reason()).c_str());
      break;
    }
    entries = verifier.entries();
  }
  sqlite3_finalize(rows);
  sqlite3_finalize(checkpoints);
  sqlite3_close(db);
  state.SetItemsProcessed(state.iterations() * entries);
  state.counters["entries"] = static_cast<double>(entries);
}
BENCHMARK(BM_AuditVerifyStreamingSketch)->Unit(benchmark::kMillisecond)->Iterations(1)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
