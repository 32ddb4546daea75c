#pragma once
// The pure logic of the tamper-evident audit log: how an entry is hashed into the chain, what a
// signed checkpoint says, and a streaming verifier. Storage and signing live elsewhere
// (signing_key.hpp); everything here works on values so `custos audit verify` can prove a log
// offline from an export as well as from the database.
//
// Each entry's hash covers the previous entry's hash, so changing, removing, inserting or
// reordering any entry breaks every later link. Whoever can write the log can also recompute
// the whole chain, though; signed checkpoints (a seq and its hash, signed with the server's
// Ed25519 key) pin the chain at points in time so that a rewrite or a truncated tail shows.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace custos::audit {

struct AuditEntry {
  std::int64_t seq = 0;    // 1, 2, 3, ... without gaps
  std::int64_t at_ms = 0;  // UTC epoch milliseconds
  std::string actor, action, object_type, object_id;
  std::string detail;     // e.g. before/after JSON; may be large, so the chain covers its digest
  std::string digest;     // entry_digest(detail)
  std::string prev_hash;  // hash of seq-1, kGenesisHash for seq 1
  std::string hash;       // entry_hash(*this)
};

// prev_hash of the first entry.
inline constexpr std::string_view kGenesisHash =
    "0000000000000000000000000000000000000000000000000000000000000000";

// sha256_hex(detail).
[[nodiscard]] std::string entry_digest(std::string_view detail);

// sha256_hex of "custos-audit-v1" followed by, for prev_hash, seq, at_ms, actor, action,
// object_type, object_id and digest in that order, "<decimal length>:<bytes>,". The length
// prefixes make the encoding injective: no two different entries encode to the same bytes,
// whatever characters their fields contain. The detail is covered through its digest.
// Never change this encoding without changing the version tag: existing logs would stop verifying.
[[nodiscard]] std::string entry_hash(const AuditEntry& entry);

struct Checkpoint {
  std::int64_t seq = 0;
  std::string hash;  // hash of the entry at seq
  std::int64_t at_ms = 0;
  std::string public_key_hex, signature_hex;  // Ed25519 over checkpoint_message(seq, hash, at_ms)
};

// "custos-audit-checkpoint\n<seq>\n<hash>\n<at_ms>": what a checkpoint's signature covers.
[[nodiscard]] std::string checkpoint_message(std::int64_t seq, std::string_view hash,
                                             std::int64_t at_ms);

namespace detail {
class Sha256Engine;
}

// Verifies a chain fed one entry at a time in ascending seq order, in constant memory, so a log
// of millions of entries can be streamed from a database cursor or a file.
//
//   ChainVerifier v;
//   v.expect_checkpoints(seqs_of_all_checkpoints);   // sorted; before the first add()
//   for (entry : log) if (!v.add(entry)) break;
//   for (cp : checkpoints) v.check_checkpoint(cp, pinned_public_key_hex);
//   if (!v.ok()) report(*v.first_bad_seq(), v.reason());
//
// first_bad_seq() is the lowest seq known not to be trustworthy: for a broken link it is the
// position where the chain breaks (for a missing entry, the missing seq); for a checkpoint whose
// hash does not match, the first seq after the last checkpoint that did match (check checkpoints
// in ascending order for the tightest bound). If several problems are found, the lowest seq and
// its reason win.
class ChainVerifier {
 public:
  ChainVerifier();
  ~ChainVerifier();
  ChainVerifier(ChainVerifier&&) noexcept;
  ChainVerifier& operator=(ChainVerifier&&) noexcept;
  ChainVerifier(const ChainVerifier&) = delete;
  ChainVerifier& operator=(const ChainVerifier&) = delete;

  // The seqs of the checkpoints that will be checked. Only the hashes at these seqs (and at the
  // last entry) are remembered, so memory does not grow with the length of the log.
  void expect_checkpoints(std::vector<std::int64_t> seqs);

  // Checks the entry against its predecessor and its own contents. Returns false, and ignores
  // all further entries, once any entry has failed.
  bool add(const AuditEntry& entry);

  // Call after the last add(). Checks that the checkpoint is signed by `trusted_public_key_hex`
  // (any key if empty: then the signature only shows the checkpoint was not edited by someone
  // without a key, so pin the key wherever possible), that the log still reaches its seq and
  // that the entry there has the signed hash. Throws std::invalid_argument if the checkpoint's
  // seq was neither announced through expect_checkpoints() nor is the last entry's.
  bool check_checkpoint(const Checkpoint& checkpoint, std::string_view trusted_public_key_hex);

  [[nodiscard]] std::int64_t entries() const { return entries_; }    // entries accepted so far
  [[nodiscard]] std::int64_t last_seq() const { return last_seq_; }  // 0 before the first
  [[nodiscard]] const std::string& last_hash() const { return last_hash_; }
  [[nodiscard]] bool ok() const { return !first_bad_seq_.has_value(); }
  [[nodiscard]] std::optional<std::int64_t> first_bad_seq() const { return first_bad_seq_; }
  [[nodiscard]] const std::string& reason() const { return reason_; }

 private:
  void fail(std::int64_t seq, std::string reason);

  std::unique_ptr<detail::Sha256Engine> engine_;
  std::string scratch_;  // reused encoding buffer: no allocation per entry once it has grown
  std::int64_t entries_ = 0;
  std::int64_t last_seq_ = 0;
  std::string last_hash_;
  bool stopped_ = false;  // add() failed: further entries are not looked at
  std::optional<std::int64_t> first_bad_seq_;
  std::string reason_;

  // Checkpoint seqs (sorted) and the hash seen at each; next_checkpoint_ indexes the first one
  // not yet reached by add().
  std::vector<std::int64_t> checkpoint_seqs_;
  std::vector<std::string> checkpoint_hashes_;
  std::size_t next_checkpoint_ = 0;
  std::int64_t last_verified_checkpoint_ = 0;
};

}  // namespace custos::audit
