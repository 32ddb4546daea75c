#pragma once
// The digests custos computes over evidence content while it streams through: SHA-256 and
// SHA-512 always, and the collector's declared algorithm when it is one of the older ones
// (MD5, SHA-1) that imaging tools still print, so a declared hash can always be compared.
//
// OpenSSL's EVP digests are used, not libsodium's: with SHA-NI, SHA-256 runs several times
// faster, and OpenSSL's assembler SHA-512 beats libsodium's portable C too (bench/
// evidence_bench.cpp measures both). SHA-512 runs on a second thread, so the two digests
// together cost about as much wall time as the slower one alone.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace custos::evidence {

// Algorithms a collector may declare, by their lower-case names.
inline constexpr std::string_view kDeclarableAlgorithms[] = {"sha256", "sha512", "sha1", "md5"};

// Hex length of a digest of `algorithm`, or 0 when the algorithm is not declarable.
[[nodiscard]] std::size_t hex_length(std::string_view algorithm);

// nullopt when `hex` is a well-formed lower-case digest of `algorithm`, else why not.
[[nodiscard]] std::optional<std::string> declared_hash_problem(std::string_view algorithm,
                                                               std::string_view hex);

struct Digests {
  std::string sha256;  // lower-case hex
  std::string sha512;
  std::optional<std::string> extra;  // the extra algorithm's digest, when one was asked for
  std::uint64_t size = 0;
};

class ContentHasher {
 public:
  // `extra_algorithm`: "md5" or "sha1" to compute that digest too; anything else is ignored.
  // `parallel`: hash SHA-512 on a helper thread (worth it from about a megabyte on).
  explicit ContentHasher(std::string_view extra_algorithm = {}, bool parallel = true);
  ~ContentHasher();
  ContentHasher(const ContentHasher&) = delete;
  ContentHasher& operator=(const ContentHasher&) = delete;

  // Returns once `data` is hashed by every digest: the caller may then reuse its buffer.
  void update(std::string_view data);
  [[nodiscard]] Digests finish();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Convenience for small inputs and tests.
[[nodiscard]] Digests hash_all(std::string_view data, std::string_view extra_algorithm = {});

}  // namespace custos::evidence
