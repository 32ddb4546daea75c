#pragma once
// Where evidence content lives: <root>/ab/cdef… named by the SHA-256 of the content (plain)
// or …/cdef….enc (encrypted at rest). Content is written once: streamed into a temporary
// file under <root>/.incoming (same file system), hashed on the way, flushed to disk, and
// renamed into place without replacing anything. A second upload of the same bytes finds its
// name taken and reuses the stored file. Nothing is ever rewritten in place.
//
// Encryption at rest uses libsodium's crypto_secretstream_xchacha20poly1305 in 64 KiB chunks:
// a file is "CUSTOS-EVD-SS1\n\0" (16 bytes), the 24-byte stream header, then each chunk's
// ciphertext (plain length + 17 bytes); the last chunk carries the FINAL tag, so a truncated
// or reordered file is detected on reading.
#include <sodium.h>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "evidence/hashing.hpp"

namespace custos::evidence {

// The 32-byte key for encryption at rest.
class ContentKey {
 public:
  // Loads <file> (64 hex digits and a newline), or creates it exclusively with mode 0600.
  // Refuses a file that group or others may read.
  static ContentKey load_or_create(const std::filesystem::path& file);
  static ContentKey generate();
  ~ContentKey();
  ContentKey(ContentKey&& other) noexcept;
  ContentKey& operator=(ContentKey&&) = delete;
  ContentKey(const ContentKey&) = delete;
  ContentKey& operator=(const ContentKey&) = delete;
  [[nodiscard]] const unsigned char* bytes() const { return key_; }

 private:
  ContentKey() = default;
  unsigned char key_[crypto_secretstream_xchacha20poly1305_KEYBYTES] = {};
};

// Pulls the next bytes of an upload into `buffer`; returns how many (0 at the end).
using Source = std::function<std::size_t(char* buffer, std::size_t capacity)>;

struct StoredContent {
  Digests digests;
  bool encrypted = false;
  bool reused = false;  // the same content was already stored
};

// Reads stored content back, decrypting when needed. Throws std::runtime_error on a damaged
// or truncated encrypted file.
class ContentReader {
 public:
  virtual ~ContentReader() = default;
  // Appends up to about 64 KiB of plain content to `out`; false once everything was read.
  virtual bool read(std::string& out) = 0;
  [[nodiscard]] virtual std::uint64_t size() const = 0;  // plain size
};

class ContentStore {
 public:
  // `key` reads encrypted content (null: it cannot be read); new content is encrypted with it
  // when `encrypt_new` is set.
  ContentStore(std::filesystem::path root, std::shared_ptr<const ContentKey> key, bool encrypt_new)
      : root_(std::move(root)), key_(std::move(key)), encrypt_new_(encrypt_new && key_) {}

  [[nodiscard]] bool encrypts() const { return encrypt_new_; }

  // Streams `source` into the store. `max_bytes` bounds the content (std::length_error beyond
  // it, nothing kept). Throws std::runtime_error when the disk refuses.
  StoredContent put(const Source& source, std::string_view extra_algorithm = {},
                    std::uint64_t max_bytes = UINT64_MAX) const;
  StoredContent put_bytes(std::string_view bytes) const;
  // Takes over a file the server spooled an upload to: hashes it, and when content is stored
  // unencrypted and the file is on the same file system, flushes it and renames it into place
  // instead of copying it (one read instead of a read and a write). Otherwise like put().
  // The file is gone afterwards unless identical content was already stored.
  StoredContent adopt(const std::filesystem::path& file, std::string_view extra_algorithm = {},
                      std::uint64_t max_bytes = UINT64_MAX) const;

  // nullopt when the file is missing.
  [[nodiscard]] std::unique_ptr<ContentReader> open(std::string_view sha256_hex,
                                                    bool encrypted) const;
  [[nodiscard]] std::filesystem::path path_for(std::string_view sha256_hex, bool encrypted) const;
  // Removes the stored file (disposal); false when it was not there.
  bool remove(std::string_view sha256_hex, bool encrypted) const;

 private:
  std::filesystem::path root_;
  std::shared_ptr<const ContentKey> key_;
  bool encrypt_new_ = false;
};

}  // namespace custos::evidence
