// The pure hashing work of the audit chain (src/audit/chain.hpp), without storage:
//   entry_digest      SHA-256 of an entry's detail (done once per append)
//   entry_hash        the chained hash of one entry (done once per append)
//   ChainVerifier/add what `custos audit verify` spends per entry once the row is in memory
// Every figure is items/s = entries/s. `custos audit verify` over 1,000,000 entries has a
// budget of 2 s, so ChainVerifier::add must sustain well over 500k entries/s on its own to
// leave time for reading the rows (see audit_verify_bench for the whole thing).
#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include "audit/chain.hpp"

namespace {

using custos::audit::AuditEntry;

// A typical entry: a user update with a before/after JSON of a few hundred bytes.
AuditEntry typical_entry(std::int64_t seq, const std::string& prev_hash) {
  AuditEntry e;
  e.seq = seq;
  e.at_ms = 1'700'000'000'000 + seq * 37;
  e.actor = "user:alice";
  e.action = "user.update";
  e.object_type = "user";
  e.object_id = std::to_string(1000 + seq % 500);
  e.detail =
      R"({"after":{"active":true,"display_name":"Bob Example","email":"bob@example.org","roles":["agent","reporter"],"username":"bob"},)"
      R"("before":{"active":true,"display_name":"Bob","email":"bob@example.org","roles":["reporter"],"username":"bob"}})";
  e.digest = custos::audit::entry_digest(e.detail);
  e.prev_hash = prev_hash;
  e.hash = custos::audit::entry_hash(e);
  return e;
}

std::vector<AuditEntry> make_chain(std::size_t n) {
  std::vector<AuditEntry> chain;
  chain.reserve(n);
  std::string prev(custos::audit::kGenesisHash);
  for (std::size_t i = 1; i <= n; ++i) {
    chain.push_back(typical_entry(static_cast<std::int64_t>(i), prev));
    prev = chain.back().hash;
  }
  return chain;
}

void BM_EntryDigest(benchmark::State& state) {
  const AuditEntry e = typical_entry(1, std::string(custos::audit::kGenesisHash));
  for (auto _ : state) benchmark::DoNotOptimize(custos::audit::entry_digest(e.detail));
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(e.detail.size()));
}
BENCHMARK(BM_EntryDigest);

void BM_EntryHash(benchmark::State& state) {
  const AuditEntry e = typical_entry(123456, std::string(custos::audit::kGenesisHash));
  for (auto _ : state) benchmark::DoNotOptimize(custos::audit::entry_hash(e));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_EntryHash);

// One iteration verifies a whole chain of range(0) entries with a fresh verifier, with a
// checkpoint announced every 1000 entries as the server makes them.
void BM_ChainVerifierAdd(benchmark::State& state) {
  const auto n = static_cast<std::size_t>(state.range(0));
  const std::vector<AuditEntry> chain = make_chain(n);
  std::vector<std::int64_t> checkpoints;
  for (std::size_t s = 1000; s <= n; s += 1000) checkpoints.push_back(static_cast<std::int64_t>(s));
  for (auto _ : state) {
    custos::audit::ChainVerifier verifier;
    verifier.expect_checkpoints(checkpoints);
    for (const auto& e : chain) {
      if (!verifier.add(e)) state.SkipWithError("chain did not verify");
    }
    benchmark::DoNotOptimize(verifier.last_hash());
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(n));
}
BENCHMARK(BM_ChainVerifierAdd)->Arg(10'000)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
