#pragma once
// The audit trail: every change appends one entry, in the same transaction as the
// change itself, chained by SHA-256 to the entry before it. Every `checkpoint_every`
// entries (and on a timer) the head of the chain is signed with the server's Ed25519
// key, so that truncation and rewriting are provable offline.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "audit/chain.hpp"
#include "store/database.hpp"

namespace custos::audit {

class SigningKey;

struct AuditRecord {
  std::string actor;        // "user:alice", "system", "cli:root"
  std::string action;       // "user.create", "auth.lockout", ...
  std::string object_type;  // "user", "token", "session", ...
  std::string object_id;
  nlohmann::json detail = nlohmann::json::object();  // what changed; never secrets
};

struct AuditFilter {
  std::optional<std::string> actor, action, object_type, object_id;
  std::optional<std::int64_t> since_ms, until_ms;
  std::optional<std::int64_t> before_seq;  // cursor: entries with seq < this, newest first
  int limit = 50;
};

struct VerifyReport {
  bool ok = true;
  std::int64_t entries = 0;
  std::int64_t checkpoints = 0;
  std::int64_t last_seq = 0;
  std::string last_hash;
  std::optional<std::int64_t> first_bad_seq;
  std::string problem;
  double seconds = 0;
};

class AuditLog {
 public:
  // `key` may be null for read-only uses (CLI verify); appends then never checkpoint.
  explicit AuditLog(const SigningKey* key, int checkpoint_every = 1000)
      : key_(key), checkpoint_every_(checkpoint_every) {}

  // Appends inside the caller's write transaction and returns the new seq.
  std::int64_t append(store::Connection& c, const AuditRecord& record) const;

  // Signs the current head if it is newer than the last checkpoint. Returns true if it signed.
  bool checkpoint(store::Connection& c) const;

  static std::vector<AuditEntry> list(store::Connection& c, const AuditFilter& filter);

  // Walks the whole chain in seq order in bounded memory. `trusted_public_key_hex`
  // (from the key file) pins the signer; empty accepts the key stored with each checkpoint.
  static VerifyReport verify(store::Database& db, const std::string& trusted_public_key_hex);

 private:
  const SigningKey* key_;
  int checkpoint_every_;
};

}  // namespace custos::audit
