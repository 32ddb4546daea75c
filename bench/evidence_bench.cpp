// Evidence content hashing and storing, without HTTP:
//   Sha256/Sha512 {Sodium,OpenSSL}   one digest over 1 MiB pieces: the library choice
//   ContentHasher/{1,2} threads      SHA-256 + SHA-512 together, as uploads and verify use them
//   ContentStorePut[/encrypted]      stream 256 MiB into the store (hash, write, fsync, rename);
//                                    rss_growth_mb is VmRSS after the run minus before it
// bytes_per_second is the figure to read; the goal is ≥ 200 MB/s with < 32 MB RSS growth.
#include <benchmark/benchmark.h>
#include <openssl/evp.h>
#include <sodium.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>

#include "evidence/content_store.hpp"
#include "evidence/hashing.hpp"

namespace {

using namespace custos::evidence;

const std::string& piece() {
  static const std::string p = [] {
    std::string s(1 << 20, '\0');
    for (std::size_t i = 0; i < s.size(); ++i) s[i] = static_cast<char>((i * 2654435761U) >> 11);
    return s;
  }();
  return p;
}

double rss_mb() {
  std::ifstream f("/proc/self/status");
  std::string line;
  while (std::getline(f, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stod(line.substr(6)) / 1024.0;
  }
  return 0;
}

void Sha256Sodium(benchmark::State& state) {
  for (auto _ : state) {
    unsigned char out[32];
    crypto_hash_sha256(out, reinterpret_cast<const unsigned char*>(piece().data()), piece().size());
    benchmark::DoNotOptimize(out);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * piece().size()));
}
BENCHMARK(Sha256Sodium);

void Sha512Sodium(benchmark::State& state) {
  for (auto _ : state) {
    unsigned char out[64];
    crypto_hash_sha512(out, reinterpret_cast<const unsigned char*>(piece().data()), piece().size());
    benchmark::DoNotOptimize(out);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * piece().size()));
}
BENCHMARK(Sha512Sodium);

void OpenSslDigest(benchmark::State& state, const EVP_MD* md) {
  for (auto _ : state) {
    unsigned char out[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    EVP_Digest(piece().data(), piece().size(), out, &n, md, nullptr);
    benchmark::DoNotOptimize(out);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * piece().size()));
}
void Sha256OpenSSL(benchmark::State& state) { OpenSslDigest(state, EVP_sha256()); }
void Sha512OpenSSL(benchmark::State& state) { OpenSslDigest(state, EVP_sha512()); }
BENCHMARK(Sha256OpenSSL);
BENCHMARK(Sha512OpenSSL);

void ContentHasherThreads(benchmark::State& state) {
  const bool parallel = state.range(0) == 2;
  for (auto _ : state) {
    ContentHasher hasher("", parallel);
    for (int i = 0; i < 16; ++i) hasher.update(piece());
    benchmark::DoNotOptimize(hasher.finish());
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * 16 * piece().size()));
}
BENCHMARK(ContentHasherThreads)->Arg(1)->Arg(2)->UseRealTime();

void ContentStorePut(benchmark::State& state) {
  const bool encrypted = state.range(0) == 1;
  const auto dir = std::filesystem::temp_directory_path() /
                   ("custos-evidence-bench-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  auto key = std::make_shared<ContentKey>(ContentKey::generate());
  ContentStore store(dir, key, encrypted);
  constexpr std::size_t kPieces = 256;  // 256 MiB per upload
  const double before = rss_mb();
  std::uint64_t round = 0;
  for (auto _ : state) {
    std::size_t left = kPieces;
    ++round;
    // Each round's content differs (its first bytes), so nothing is deduplicated.
    store.put([&](char* buffer, std::size_t capacity) -> std::size_t {
      if (left == 0) return 0;
      const auto n = std::min(capacity, piece().size());
      std::memcpy(buffer, piece().data(), n);
      if (left == kPieces) std::memcpy(buffer, &round, sizeof round);
      --left;
      return n;
    });
  }
  state.counters["rss_growth_mb"] = rss_mb() - before;
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * kPieces * piece().size()));
  std::filesystem::remove_all(dir);
}
BENCHMARK(ContentStorePut)->Arg(0)->Arg(1)->UseRealTime()->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
