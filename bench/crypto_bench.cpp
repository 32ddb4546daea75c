// Primitives on the request and sign-in paths:
//   util::sha256_hex        hashes every presented bearer token and session cookie (the
//                           stored form), idempotency digests, evidence; items/s and bytes/s
//   auth::hash_password     Argon2id with the interactive parameters the server uses by
//                           default: what setting a password costs (one call = one item)
//   auth::verify_password   what one sign-in costs; with 2 cores, ~1/time sign-ins per second
//                           per core is the ceiling (the server allows 2 at once)
#include <benchmark/benchmark.h>

#include <string>

#include "auth/password.hpp"
#include "util/crypto.hpp"

namespace {

void BM_Sha256Hex(benchmark::State& state) {
  const std::string data(static_cast<std::size_t>(state.range(0)), 'x');
  for (auto _ : state) benchmark::DoNotOptimize(custos::util::sha256_hex(data));
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * state.range(0));
}
// 47 bytes: a bearer token ("cst_" + 43); 1 KiB and 64 KiB: request bodies and evidence chunks.
BENCHMARK(BM_Sha256Hex)->Arg(47)->Arg(1024)->Arg(64 * 1024);

void BM_HashPasswordInteractive(benchmark::State& state) {
  for (auto _ : state) {
    benchmark::DoNotOptimize(custos::auth::hash_password("correct horse battery staple",
                                                         custos::auth::PasswordParams::interactive()));
  }
  state.SetItemsProcessed(state.iterations());
}
// One iteration: Argon2id's cost is deliberate and steady; more would only lengthen the run.
BENCHMARK(BM_HashPasswordInteractive)->Unit(benchmark::kMillisecond)->Iterations(1);

void BM_VerifyPasswordInteractive(benchmark::State& state) {
  const std::string stored = custos::auth::hash_password("correct horse battery staple",
                                                         custos::auth::PasswordParams::interactive());
  for (auto _ : state) {
    if (!custos::auth::verify_password(stored, "correct horse battery staple")) {
      state.SkipWithError("password did not verify");
      break;
    }
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_VerifyPasswordInteractive)->Unit(benchmark::kMillisecond)->Iterations(3);

}  // namespace

BENCHMARK_MAIN();
