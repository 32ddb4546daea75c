#pragma once
// Content-addressed, write-once file storage: a blob lives at <root>/ab/cdef... named by the
// SHA-256 of its bytes. A blob is written to a temporary file, flushed, and moved into place
// without replacing anything, so readers never see half a file and an existing blob is never
// rewritten: storing the same bytes twice reuses the first copy.
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace custos::incidents {

class BlobStore {
 public:
  explicit BlobStore(std::filesystem::path root) : root_(std::move(root)) {}

  // Stores `bytes` and returns their lower-case hex SHA-256. Throws std::runtime_error when
  // the disk refuses (full, read-only, permissions).
  std::string put(std::string_view bytes) const;

  // The blob's bytes, checked against their name; nullopt when missing. Throws
  // std::runtime_error when the stored bytes no longer match their digest.
  [[nodiscard]] std::optional<std::string> get(std::string_view sha256_hex) const;

  // <root>/ab/cdef...; throws std::invalid_argument unless `sha256_hex` is 64 lower-case hex.
  [[nodiscard]] std::filesystem::path path_for(std::string_view sha256_hex) const;

 private:
  std::filesystem::path root_;
};

}  // namespace custos::incidents
