#include "audit/audit_log.hpp"

#include <array>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "audit/signing_key.hpp"
#include "util/time.hpp"

namespace custos::audit {

namespace {

// PostgreSQL runs writers concurrently: serialise appends so that seq and
// prev_hash are taken from a head nobody else is extending. SQLite has one writer.
void lock_chain(store::Connection& c) {
  if (c.backend() == store::Backend::postgres) c.query("SELECT pg_advisory_xact_lock(7307262002)");
}

// Fills an entry from a row of kColumns, reusing the entry's string buffers.
void fill_entry(const store::Row& r, AuditEntry& e) {
  e.seq = r.i64(0);
  e.at_ms = r.i64(1);
  e.actor.assign(r.str(2));
  e.action.assign(r.str(3));
  e.object_type.assign(r.str(4));
  e.object_id.assign(r.str(5));
  e.detail.assign(r.str(6));
  e.digest.assign(r.str(7));
  e.prev_hash.assign(r.str(8));
  e.hash.assign(r.str(9));
}

// Entries on their way from the reading thread to the hashing thread. The entries (and their
// string buffers) are reused batch after batch.
struct EntryBatch {
  static constexpr std::size_t kCapacity = 4096;
  std::vector<AuditEntry> entries;
  std::size_t size = 0;
};

// A bounded exchange of batches between one reader and one hasher.
class BatchHandoff {
 public:
  BatchHandoff() : free_(3) {}  // one being read, one being hashed, one waiting

  // Reader: an empty batch to fill; nullopt once the hasher stopped.
  std::optional<EntryBatch> take_free() {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return !free_.empty() || stopped_; });
    if (stopped_) return std::nullopt;
    EntryBatch b = std::move(free_.back());
    free_.pop_back();
    b.size = 0;
    return b;
  }
  void put_full(EntryBatch b) {
    const std::lock_guard lock(mutex_);
    full_.push_back(std::move(b));
    changed_.notify_all();
  }
  // Reader: nothing more will come.
  void close() {
    const std::lock_guard lock(mutex_);
    closed_ = true;
    changed_.notify_all();
  }
  // Hasher: the next batch in order; nullopt when the reader closed and all were taken.
  std::optional<EntryBatch> take_full() {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return !full_.empty() || closed_; });
    if (full_.empty()) return std::nullopt;
    EntryBatch b = std::move(full_.front());
    full_.pop_front();
    return b;
  }
  void put_free(EntryBatch b) {
    const std::lock_guard lock(mutex_);
    free_.push_back(std::move(b));
    changed_.notify_all();
  }
  // Hasher: the chain is broken, the reader may stop.
  void stop() {
    const std::lock_guard lock(mutex_);
    stopped_ = true;
    changed_.notify_all();
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<EntryBatch> free_;
  std::deque<EntryBatch> full_;
  bool closed_ = false;
  bool stopped_ = false;
};

AuditEntry entry_from_row(const store::Row& r) {
  return AuditEntry{r.i64(0), r.i64(1), r.str(2), r.str(3), r.str(4),
                    r.str(5), r.str(6), r.str(7), r.str(8), r.str(9)};
}

constexpr const char* kColumns =
    "seq, at, actor, action, object_type, object_id, detail, digest, prev_hash, hash";

}  // namespace

std::int64_t AuditLog::append(store::Connection& c, const AuditRecord& record) const {
  lock_chain(c);
  AuditEntry e;
  e.seq = 1;
  e.prev_hash = std::string(kGenesisHash);
  if (auto head = c.query_one("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1")) {
    e.seq = head->i64(0) + 1;
    e.prev_hash = head->str(1);
  }
  e.at_ms = util::now_ms();
  e.actor = record.actor;
  e.action = record.action;
  e.object_type = record.object_type;
  e.object_id = record.object_id;
  e.detail = record.detail.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  e.digest = entry_digest(e.detail);
  e.hash = entry_hash(e);
  c.execute(
      "INSERT INTO audit_log (seq, at, actor, action, object_type, object_id, detail, digest, "
      "prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
      {e.seq, e.at_ms, e.actor, e.action, e.object_type, e.object_id, e.detail, e.digest,
       e.prev_hash, e.hash});
  if (key_ != nullptr && checkpoint_every_ > 0 && e.seq % checkpoint_every_ == 0) checkpoint(c);
  return e.seq;
}

bool AuditLog::checkpoint(store::Connection& c) const {
  if (key_ == nullptr) return false;
  lock_chain(c);
  auto head = c.query_one("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1");
  if (!head) return false;
  auto last = c.query_one("SELECT COALESCE(MAX(seq), 0) FROM audit_checkpoints");
  if (last && last->i64(0) >= head->i64(0)) return false;
  const std::int64_t seq = head->i64(0);
  const std::string hash = head->str(1);
  const std::int64_t at = util::now_ms();
  c.execute(
      "INSERT INTO audit_checkpoints (seq, hash, at, public_key, signature) VALUES (?, ?, ?, ?, ?)",
      {seq, hash, at, key_->public_key_hex(), key_->sign_hex(checkpoint_message(seq, hash, at))});
  return true;
}

std::vector<AuditEntry> AuditLog::list(store::Connection& c, const AuditFilter& f) {
  // Optional filters as "(CAST(? AS T) IS NULL OR col = ?)" keep the SQL static and
  // parameterised; the cast tells PostgreSQL the parameter's type when it is NULL.
  std::string sql = std::string("SELECT ") + kColumns +
                    " FROM audit_log WHERE (CAST(? AS TEXT) IS NULL OR actor = ?)"
                    " AND (CAST(? AS TEXT) IS NULL OR action = ?)"
                    " AND (CAST(? AS TEXT) IS NULL OR object_type = ?)"
                    " AND (CAST(? AS TEXT) IS NULL OR object_id = ?)"
                    " AND (CAST(? AS BIGINT) IS NULL OR at >= ?)"
                    " AND (CAST(? AS BIGINT) IS NULL OR at < ?)"
                    " AND (CAST(? AS BIGINT) IS NULL OR seq < ?) ORDER BY seq DESC LIMIT ?";
  auto s = [](const std::optional<std::string>& v) { return store::maybe(v); };
  auto n = [](const std::optional<std::int64_t>& v) { return store::maybe(v); };
  auto rows = c.query(
      sql, {s(f.actor), s(f.actor), s(f.action), s(f.action), s(f.object_type), s(f.object_type),
            s(f.object_id), s(f.object_id), n(f.since_ms), n(f.since_ms), n(f.until_ms),
            n(f.until_ms), n(f.before_seq), n(f.before_seq), std::int64_t{f.limit}});
  std::vector<AuditEntry> out;
  out.reserve(rows.size());
  for (const auto& r : rows) out.push_back(entry_from_row(r));
  return out;
}

VerifyReport AuditLog::verify(store::Database& db, const std::string& trusted_public_key_hex) {
  const auto started = std::chrono::steady_clock::now();
  VerifyReport report;
  ChainVerifier verifier;
  std::vector<Checkpoint> checkpoints;
  db.read([&](store::Connection& c) {
    for (const auto& r : c.query(
             "SELECT seq, hash, at, public_key, signature FROM audit_checkpoints ORDER BY seq")) {
      checkpoints.push_back(Checkpoint{r.i64(0), r.str(1), r.i64(2), r.str(3), r.str(4)});
    }
    std::vector<std::int64_t> seqs;
    seqs.reserve(checkpoints.size());
    for (const auto& cp : checkpoints) seqs.push_back(cp.seq);
    verifier.expect_checkpoints(seqs);
    // This thread reads the chain page by page (memory stays bounded whatever its length)
    // into reused batches; a second thread hashes them. Reading and hashing overlap, so on
    // two cores verification takes about as long as the slower of the two, not their sum.
    BatchHandoff handoff;
    std::jthread hasher([&] {
      while (auto batch = handoff.take_full()) {
        for (std::size_t i = 0; i < batch->size; ++i) {
          if (!verifier.add(batch->entries[i])) {
            handoff.stop();
            return;
          }
        }
        handoff.put_free(std::move(*batch));
      }
    });
    struct CloseOnExit {
      BatchHandoff& handoff;
      ~CloseOnExit() { handoff.close(); }  // runs before the hasher is joined, also on errors
    } close_on_exit{handoff};

    constexpr std::int64_t kPage = 20000;
    std::int64_t after = 0;
    const std::string sql =
        std::string("SELECT ") + kColumns + " FROM audit_log WHERE seq > ? ORDER BY seq LIMIT ?";
    std::optional<EntryBatch> batch = handoff.take_free();
    while (batch) {
      std::int64_t in_page = 0;
      const std::array<store::Value, 2> params{after, kPage};
      c.for_each_row(sql, params, [&](const store::Row& r) {
        if (batch->entries.size() == batch->size) batch->entries.emplace_back();
        AuditEntry& entry = batch->entries[batch->size++];
        fill_entry(r, entry);  // reuses the buffers of an entry verified earlier
        after = entry.seq;
        ++in_page;
        if (batch->size == EntryBatch::kCapacity) {
          handoff.put_full(std::move(*batch));
          batch = handoff.take_free();  // nothing once the hasher found a broken link
        }
        return batch.has_value();
      });
      if (in_page < kPage) break;
    }
    if (batch && batch->size > 0) handoff.put_full(std::move(*batch));
  });
  report.entries = verifier.entries();
  report.last_seq = verifier.last_seq();
  report.last_hash = verifier.last_hash();
  report.checkpoints = static_cast<std::int64_t>(checkpoints.size());
  if (verifier.ok()) {
    for (const auto& cp : checkpoints) {
      if (!verifier.check_checkpoint(cp, trusted_public_key_hex)) break;
    }
  }
  report.ok = verifier.ok();
  report.first_bad_seq = verifier.first_bad_seq();
  report.problem = verifier.reason();
  report.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return report;
}

}  // namespace custos::audit
