#include "audit/chain.hpp"

#include <gtest/gtest.h>

#include <cctype>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "audit/signing_key.hpp"
#include "util/crypto.hpp"

namespace custos::audit {
namespace {

// Computes digest and hash for `entry` linked after `prev_hash`: what the server does on append,
// and also what an attacker with write access to the log can do.
void seal(AuditEntry& entry, std::string_view prev_hash) {
  entry.prev_hash = std::string(prev_hash);
  entry.digest = entry_digest(entry.detail);
  entry.hash = entry_hash(entry);
}

AuditEntry make_entry(std::int64_t seq, std::string_view prev_hash) {
  AuditEntry e;
  e.seq = seq;
  e.at_ms = 1'700'000'000'000 + seq * 1000;
  e.actor = "user:" + std::to_string(seq % 7);
  e.action = seq % 3 == 0 ? "incident.update" : "incident.create";
  e.object_type = "incident";
  e.object_id = "INC-" + std::to_string(100000 + seq);
  e.detail = R"({"before":{"status":"new"},"after":{"status":"triaged","note":")" +
             std::to_string(seq) + R"("}})";
  seal(e, prev_hash);
  return e;
}

std::vector<AuditEntry> make_chain(std::int64_t n) {
  std::vector<AuditEntry> chain;
  chain.reserve(static_cast<std::size_t>(n));
  std::string prev(kGenesisHash);
  for (std::int64_t seq = 1; seq <= n; ++seq) {
    chain.push_back(make_entry(seq, prev));
    prev = chain.back().hash;
  }
  return chain;
}

// Renumbers entries from index `from` on and recomputes their links and hashes: a complete
// rewrite, which only checkpoints can reveal.
void reseal_from(std::vector<AuditEntry>& chain, std::size_t from) {
  for (std::size_t i = from; i < chain.size(); ++i) {
    chain[i].seq = static_cast<std::int64_t>(i) + 1;
    seal(chain[i], i == 0 ? std::string(kGenesisHash) : chain[i - 1].hash);
  }
}

// Seq numbers are 1-based; vector indexes 0-based.
AuditEntry& at_seq(std::vector<AuditEntry>& chain, std::int64_t seq) {
  return chain[static_cast<std::size_t>(seq - 1)];
}

struct Result {
  bool ok;
  std::optional<std::int64_t> first_bad_seq;
  std::string reason;
  std::int64_t entries;
};

Result verify(const std::vector<AuditEntry>& chain) {
  ChainVerifier v;
  for (const auto& e : chain) {
    if (!v.add(e)) break;
  }
  return {v.ok(), v.first_bad_seq(), v.reason(), v.entries()};
}

Checkpoint make_checkpoint(const SigningKey& key, const AuditEntry& entry) {
  Checkpoint cp{entry.seq, entry.hash, entry.at_ms + 500, key.public_key_hex(), ""};
  cp.signature_hex = key.sign_hex(checkpoint_message(cp.seq, cp.hash, cp.at_ms));
  return cp;
}

bool contains(const std::string& text, std::string_view part) {
  return text.find(part) != std::string::npos;
}

TEST(AuditEncoding, EntryHashMatchesTheDocumentedEncoding) {
  AuditEntry e;
  e.seq = 1;
  e.at_ms = 1'700'000'000'000;
  e.actor = "alice";
  e.action = "incident.create";
  e.object_type = "incident";
  e.object_id = "INC-000001";
  e.detail = R"({"title":"Phishing mail"})";
  e.prev_hash = std::string(kGenesisHash);
  e.digest = entry_digest(e.detail);
  EXPECT_EQ(e.digest, "299dc8ca1336ecf7adf825cf969ae26edd18d95b36cdbd56857b004008fd5419");
  EXPECT_EQ(e.digest, util::sha256_hex(e.detail));
  const std::string encoding =
      "custos-audit-v1"
      "64:0000000000000000000000000000000000000000000000000000000000000000,"
      "1:1,13:1700000000000,5:alice,15:incident.create,8:incident,10:INC-000001,"
      "64:299dc8ca1336ecf7adf825cf969ae26edd18d95b36cdbd56857b004008fd5419,";
  EXPECT_EQ(entry_hash(e), util::sha256_hex(encoding));
  // Fixed value (computed independently with Python's hashlib): changing the encoding breaks
  // every existing log, so it must not change silently.
  EXPECT_EQ(entry_hash(e), "3521b0caeb6fa6f726a642e32e29b4e03f355f79565465080f2c07677070da7b");
}

TEST(AuditEncoding, FieldBoundariesAreUnambiguous) {
  AuditEntry a = make_entry(5, kGenesisHash);
  AuditEntry b = a;
  a.actor = "ab";
  a.action = "c";
  b.actor = "a";
  b.action = "bc";
  EXPECT_NE(entry_hash(a), entry_hash(b));
  // A separator inside a field cannot fake a boundary either.
  a.actor = "x,1:y";
  a.action = "";
  b.actor = "x";
  b.action = "y";
  EXPECT_NE(entry_hash(a), entry_hash(b));
  // The detail is not hashed directly, only through its digest.
  AuditEntry c = make_entry(5, kGenesisHash);
  AuditEntry d = c;
  d.detail = "something else";
  EXPECT_EQ(entry_hash(c), entry_hash(d));
}

TEST(AuditEncoding, CheckpointMessage) {
  EXPECT_EQ(checkpoint_message(42, "abc", 1700000000123),
            "custos-audit-checkpoint\n42\nabc\n1700000000123");
}

TEST(ChainVerifier, AcceptsAnIntactChain) {
  const auto chain = make_chain(1000);
  ChainVerifier v;
  EXPECT_EQ(v.last_hash(), kGenesisHash);
  for (const auto& e : chain) ASSERT_TRUE(v.add(e)) << v.reason();
  EXPECT_TRUE(v.ok());
  EXPECT_EQ(v.entries(), 1000);
  EXPECT_EQ(v.last_seq(), 1000);
  EXPECT_EQ(v.last_hash(), chain.back().hash);
  EXPECT_EQ(v.first_bad_seq(), std::nullopt);
  EXPECT_EQ(v.reason(), "");
}

TEST(ChainVerifier, AcceptsAnEmptyLog) {
  ChainVerifier v;
  EXPECT_TRUE(v.ok());
  EXPECT_EQ(v.entries(), 0);
  EXPECT_EQ(v.last_seq(), 0);
}

TEST(ChainVerifier, DetectsAnAlteredField) {
  struct Case {
    const char* name;
    void (*alter)(AuditEntry&);
  };
  const Case cases[] = {
      {"actor", [](AuditEntry& e) { e.actor = "user:mallory"; }},
      {"action", [](AuditEntry& e) { e.action = "incident.delete"; }},
      {"object_type", [](AuditEntry& e) { e.object_type = "evidence"; }},
      {"object_id", [](AuditEntry& e) { e.object_id += "0"; }},
      {"at_ms", [](AuditEntry& e) { e.at_ms += 1; }},
      {"hash", [](AuditEntry& e) { e.hash[10] = e.hash[10] == 'a' ? 'b' : 'a'; }},
      {"hash case",
       [](AuditEntry& e) {
         for (char& c : e.hash) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
       }},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    auto chain = make_chain(1000);
    c.alter(at_seq(chain, 500));
    const auto r = verify(chain);
    EXPECT_FALSE(r.ok);
    EXPECT_EQ(r.first_bad_seq, 500);
    EXPECT_EQ(r.reason, "seq 500: hash does not match its contents (entry altered)");
    EXPECT_EQ(r.entries, 499);
  }
}

TEST(ChainVerifier, DetectsAlteredDetailWhoseDigestWasNotUpdated) {
  auto chain = make_chain(1000);
  at_seq(chain, 500).detail = R"({"before":{},"after":{"status":"closed"}})";
  const auto r = verify(chain);
  EXPECT_EQ(r.first_bad_seq, 500);
  EXPECT_EQ(r.reason, "seq 500: digest does not match detail (detail altered)");
}

TEST(ChainVerifier, DetectsAlteredDetailAndDigestWhoseHashWasNotUpdated) {
  auto chain = make_chain(1000);
  auto& e = at_seq(chain, 500);
  e.detail = "{}";
  e.digest = entry_digest(e.detail);
  const auto r = verify(chain);
  EXPECT_EQ(r.first_bad_seq, 500);
  EXPECT_TRUE(contains(r.reason, "hash does not match its contents")) << r.reason;
}

TEST(ChainVerifier, DetectsAnAlteredEntryWhoseHashWasRecomputed) {
  // The attacker fixes the hash of the entry they changed; the next link then breaks.
  auto chain = make_chain(1000);
  auto& e = at_seq(chain, 500);
  e.actor = "user:mallory";
  seal(e, e.prev_hash);
  const auto r = verify(chain);
  EXPECT_EQ(r.first_bad_seq, 501);
  EXPECT_EQ(r.reason,
            "seq 501: prev_hash does not match the hash of seq 500 (entries reordered, removed or "
            "inserted)");
}

TEST(ChainVerifier, DetectsADeletedEntry) {
  auto chain = make_chain(1000);
  chain.erase(chain.begin() + 499);  // seq 500
  const auto r = verify(chain);
  EXPECT_EQ(r.first_bad_seq, 500);
  EXPECT_EQ(r.reason, "seq 501: expected seq 500 (entry missing or inserted)");
  EXPECT_EQ(r.entries, 499);
}

TEST(ChainVerifier, DetectsADeletedEntryWithRenumbering) {
  auto chain = make_chain(1000);
  chain.erase(chain.begin() + 499);
  for (std::size_t i = 499; i < chain.size(); ++i) chain[i].seq = static_cast<std::int64_t>(i) + 1;
  const auto r = verify(chain);
  EXPECT_EQ(r.first_bad_seq, 500);
  EXPECT_TRUE(contains(r.reason, "seq 500: prev_hash does not match the hash of seq 499"))
      << r.reason;
}

TEST(ChainVerifier, DetectsDeletedFirstEntries) {
  auto chain = make_chain(10);
  chain.erase(chain.begin());
  auto r = verify(chain);
  EXPECT_EQ(r.first_bad_seq, 1);
  EXPECT_EQ(r.reason, "seq 2: expected seq 1 (entry missing or inserted)");
  reseal_from(chain, 1);  // renumbered from 1, but the first entry still links to the old seq 1
  chain[0].seq = 1;
  r = verify(chain);
  EXPECT_EQ(r.first_bad_seq, 1);
  EXPECT_TRUE(contains(r.reason, "seq 1: prev_hash is not the genesis hash")) << r.reason;
}

TEST(ChainVerifier, DetectsAnInsertedEntryWithRenumbering) {
  auto chain = make_chain(1000);
  // A well-formed forgery at seq 500, linked to seq 499; the rest renumbered but (without the
  // ability to fix every later hash unnoticed) not resealed. The forged entry itself is
  // indistinguishable from a real one, so the break shows at its successor.
  AuditEntry forged = make_entry(500, at_seq(chain, 499).hash);
  forged.actor = "user:mallory";
  seal(forged, at_seq(chain, 499).hash);
  chain.insert(chain.begin() + 499, forged);
  for (std::size_t i = 500; i < chain.size(); ++i) chain[i].seq = static_cast<std::int64_t>(i) + 1;
  auto r = verify(chain);
  EXPECT_EQ(r.first_bad_seq, 501);
  EXPECT_EQ(r.reason,
            "seq 501: prev_hash does not match the hash of seq 500 (entries reordered, removed or "
            "inserted)");

  // A careless forgery (hash not recomputed) is caught at the forged entry itself.
  chain = make_chain(1000);
  AuditEntry copy = at_seq(chain, 500);
  copy.action = "user.role_grant";
  chain.insert(chain.begin() + 499, copy);
  for (std::size_t i = 500; i < chain.size(); ++i) chain[i].seq = static_cast<std::int64_t>(i) + 1;
  r = verify(chain);
  EXPECT_EQ(r.first_bad_seq, 500);
  EXPECT_TRUE(contains(r.reason, "seq 500: hash does not match its contents")) << r.reason;
}

TEST(ChainVerifier, DetectsAnInsertedEntryWithoutRenumbering) {
  auto chain = make_chain(1000);
  chain.insert(chain.begin() + 500, at_seq(chain, 500));  // seq 500 twice
  const auto r = verify(chain);
  EXPECT_EQ(r.first_bad_seq, 501);
  EXPECT_EQ(r.reason, "seq 500: expected seq 501 (entry missing or inserted)");
}

TEST(ChainVerifier, DetectsSwappedEntries) {
  // Rows swapped in storage with their seq numbers exchanged, so they still read in seq order.
  auto chain = make_chain(1000);
  std::swap(at_seq(chain, 300), at_seq(chain, 700));
  std::swap(at_seq(chain, 300).seq, at_seq(chain, 700).seq);
  auto r = verify(chain);
  EXPECT_EQ(r.first_bad_seq, 300);
  EXPECT_EQ(r.reason,
            "seq 300: prev_hash does not match the hash of seq 299 (entries reordered, removed or "
            "inserted)");

  // Neighbours.
  chain = make_chain(1000);
  std::swap(at_seq(chain, 500), at_seq(chain, 501));
  std::swap(at_seq(chain, 500).seq, at_seq(chain, 501).seq);
  r = verify(chain);
  EXPECT_EQ(r.first_bad_seq, 500);

  // Swapped with their seq numbers, so they arrive out of order.
  chain = make_chain(1000);
  std::swap(at_seq(chain, 300), at_seq(chain, 700));
  r = verify(chain);
  EXPECT_EQ(r.first_bad_seq, 300);
  EXPECT_EQ(r.reason, "seq 700: expected seq 300 (entry missing or inserted)");
}

TEST(ChainVerifier, StopsAtTheFirstFailure) {
  auto chain = make_chain(100);
  at_seq(chain, 40).actor = "x";
  at_seq(chain, 60).actor = "y";
  ChainVerifier v;
  std::size_t accepted = 0;
  for (const auto& e : chain) accepted += v.add(e) ? 1 : 0;
  EXPECT_EQ(accepted, 39u);
  EXPECT_EQ(v.entries(), 39);
  EXPECT_EQ(v.last_seq(), 39);
  EXPECT_EQ(v.last_hash(), at_seq(chain, 39).hash);
  EXPECT_EQ(v.first_bad_seq(), 40);
  EXPECT_TRUE(contains(v.reason(), "seq 40:")) << v.reason();
  // Even a correct continuation is refused now.
  EXPECT_FALSE(v.add(at_seq(chain, 41)));
}

class Checkpoints : public ::testing::Test {
 protected:
  SigningKey key_ = SigningKey::generate();
  std::vector<AuditEntry> chain_ = make_chain(1000);

  // Verifies chain_ against checkpoints at `seqs` (taken from the intact chain) and returns
  // the verifier for inspection.
  ChainVerifier run(const std::vector<Checkpoint>& checkpoints, std::string_view trusted = {}) {
    std::vector<std::int64_t> seqs;
    for (const auto& cp : checkpoints) seqs.push_back(cp.seq);
    ChainVerifier v;
    v.expect_checkpoints(seqs);
    for (const auto& e : chain_) {
      if (!v.add(e)) break;
    }
    for (const auto& cp : checkpoints) results_.push_back(v.check_checkpoint(cp, trusted));
    return v;
  }

  std::vector<bool> results_;
};

TEST_F(Checkpoints, AcceptValidCheckpoints) {
  const std::vector<Checkpoint> cps = {make_checkpoint(key_, at_seq(chain_, 250)),
                                       make_checkpoint(key_, at_seq(chain_, 500)),
                                       make_checkpoint(key_, at_seq(chain_, 1000))};
  auto v = run(cps, key_.public_key_hex());
  EXPECT_TRUE(v.ok()) << v.reason();
  EXPECT_EQ(results_, (std::vector<bool>{true, true, true}));
  // Without a pinned key, any valid signature is accepted.
  results_.clear();
  v = run(cps);
  EXPECT_TRUE(v.ok()) << v.reason();
  // The pinned key may be given in upper case.
  std::string upper = key_.public_key_hex();
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  EXPECT_TRUE(v.check_checkpoint(cps[0], upper));
}

TEST_F(Checkpoints, TheLastEntryNeedsNoAnnouncement) {
  ChainVerifier v;
  for (const auto& e : chain_) v.add(e);
  EXPECT_TRUE(v.check_checkpoint(make_checkpoint(key_, chain_.back()), key_.public_key_hex()));
  EXPECT_THROW((void)v.check_checkpoint(make_checkpoint(key_, at_seq(chain_, 10)), ""),
               std::invalid_argument);
}

TEST_F(Checkpoints, DetectATruncatedTail) {
  const std::vector<Checkpoint> cps = {make_checkpoint(key_, at_seq(chain_, 500)),
                                       make_checkpoint(key_, at_seq(chain_, 1000))};
  chain_.resize(900);  // the chain itself is still consistent
  const auto v = run(cps, key_.public_key_hex());
  EXPECT_EQ(results_, (std::vector<bool>{true, false}));
  EXPECT_FALSE(v.ok());
  EXPECT_EQ(v.first_bad_seq(), 901);
  EXPECT_EQ(v.reason(), "log truncated: checkpoint at seq 1000 but the log ends at seq 900");
}

TEST_F(Checkpoints, DetectAForgedSignature) {
  Checkpoint altered = make_checkpoint(key_, at_seq(chain_, 700));
  altered.at_ms += 1;  // any change to the signed fields
  Checkpoint flipped = make_checkpoint(key_, at_seq(chain_, 800));
  flipped.signature_hex[0] = flipped.signature_hex[0] == '0' ? '1' : '0';
  Checkpoint garbage = make_checkpoint(key_, at_seq(chain_, 900));
  garbage.signature_hex = "not hex";

  const auto v = run({make_checkpoint(key_, at_seq(chain_, 600)), altered, flipped, garbage},
                     key_.public_key_hex());
  EXPECT_EQ(results_, (std::vector<bool>{true, false, false, false}));
  EXPECT_EQ(v.first_bad_seq(), 700);
  EXPECT_EQ(v.reason(),
            "checkpoint at seq 700: signature is invalid (checkpoint forged or altered)");
}

TEST_F(Checkpoints, DetectARewrittenChainSignedWithAnotherKey) {
  const std::vector<Checkpoint> genuine = {make_checkpoint(key_, at_seq(chain_, 400)),
                                           make_checkpoint(key_, at_seq(chain_, 800))};
  // The attacker deletes seq 600, reseals everything after it and signs new checkpoints with
  // their own key. The chain is consistent again...
  chain_.erase(chain_.begin() + 599);
  reseal_from(chain_, 599);
  const SigningKey attacker = SigningKey::generate();
  const std::vector<Checkpoint> forged = {make_checkpoint(attacker, at_seq(chain_, 400)),
                                          make_checkpoint(attacker, at_seq(chain_, 800))};
  EXPECT_TRUE(verify(chain_).ok);
  // ...and without a pinned key the forged checkpoints would pass,
  auto v = run(forged);
  EXPECT_TRUE(v.ok());
  // but the pinned key refuses them,
  results_.clear();
  v = run(forged, key_.public_key_hex());
  EXPECT_EQ(results_, (std::vector<bool>{false, false}));
  EXPECT_EQ(v.first_bad_seq(), 400);
  EXPECT_TRUE(contains(v.reason(), "not the trusted key")) << v.reason();
  // and the genuine checkpoints show where the rewrite can have started.
  results_.clear();
  v = run(genuine, key_.public_key_hex());
  EXPECT_EQ(results_, (std::vector<bool>{true, false}));
  EXPECT_EQ(v.first_bad_seq(), 401);
  EXPECT_EQ(v.reason(),
            "checkpoint at seq 800: the log's hash at this seq differs from the signed one "
            "(entries from seq 401 to 800 were rewritten after the checkpoint was made)");
}

TEST_F(Checkpoints, KeepTheEarliestFinding) {
  const std::vector<Checkpoint> cps = {make_checkpoint(key_, at_seq(chain_, 300)),
                                       make_checkpoint(key_, at_seq(chain_, 1000))};
  at_seq(chain_, 500).object_id = "INC-1";
  const auto v = run(cps, key_.public_key_hex());
  // The checkpoint before the break still verifies; the one after cannot be reached.
  EXPECT_EQ(results_, (std::vector<bool>{true, false}));
  EXPECT_EQ(v.first_bad_seq(), 500);
  EXPECT_TRUE(contains(v.reason(), "seq 500: hash does not match")) << v.reason();
}

TEST(ChainVerifierPerformance, VerifiesOneMillionEntries) {
  // Reports the time; asserting it would make the test flaky on loaded machines
  // (speed goals belong in bench/).
  constexpr std::int64_t kEntries = 1'000'000;
  constexpr std::int64_t kBatch = 10'000;
  ChainVerifier v;
  v.expect_checkpoints({kEntries / 2, kEntries});
  std::string prev(kGenesisHash);
  std::vector<AuditEntry> batch;
  std::chrono::steady_clock::duration verifying{};
  std::clock_t cpu = 0;
  for (std::int64_t start = 1; start <= kEntries; start += kBatch) {
    batch.clear();
    for (std::int64_t seq = start; seq < start + kBatch; ++seq) {
      batch.push_back(make_entry(seq, prev));
      prev = batch.back().hash;
    }
    const auto t0 = std::chrono::steady_clock::now();
    const std::clock_t c0 = std::clock();
    for (const auto& e : batch) v.add(e);
    cpu += std::clock() - c0;
    verifying += std::chrono::steady_clock::now() - t0;
  }
  ASSERT_TRUE(v.ok()) << v.reason();
  EXPECT_EQ(v.entries(), kEntries);
  EXPECT_EQ(v.last_hash(), prev);
  const double wall = std::chrono::duration<double>(verifying).count();
  std::printf("ChainVerifier: %lld entries in %.3f s wall, %.3f s CPU (%.0f entries/s)\n",
              static_cast<long long>(kEntries), wall, static_cast<double>(cpu) / CLOCKS_PER_SEC,
              static_cast<double>(kEntries) / wall);
}

}  // namespace
}  // namespace custos::audit
