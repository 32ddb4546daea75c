#pragma once
// Evidence packages: a ustar archive holding
//   manifest.json   what was exported: metadata, hashes, custody history, audit entries
//   signature.json  an Ed25519 signature by the server's key over a statement that names the
//                   manifest's SHA-256 and the SHA-256 of every field in it, and the public key
//   files/EVD-…     the content of each item that has a file
// Verification needs nothing but the package: the signature proves the statement, the
// statement proves the manifest (and, field by field, says which field was changed when it
// was), and the manifest proves each file by size, SHA-256 and SHA-512.
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "evidence/content_store.hpp"
#include "evidence/tar.hpp"

namespace custos::audit {
class SigningKey;
}

namespace custos::evidence {

inline constexpr std::string_view kManifestEntry = "manifest.json";
inline constexpr std::string_view kSignatureEntry = "signature.json";
inline constexpr std::string_view kManifestFormat = "custos-evidence-package-v1";
inline constexpr std::string_view kSignatureFormat = "custos-evidence-signature-v1";

// The manifest as stored: pretty-printed JSON and a newline (people read it).
std::string manifest_text(const nlohmann::json& manifest);

// SHA-256 of each leaf value of the manifest, by JSON pointer ("/items/0/description").
nlohmann::json field_digests(const nlohmann::json& manifest);

// signature.json for `manifest_text`: the statement {format, public_key, manifest_sha256,
// fields} with its signature, as canonical (compact, sorted) JSON and a newline.
std::string signature_text(std::string_view manifest_text, const audit::SigningKey& key);

// The bytes the signature covers: a domain prefix and the statement without "signature".
std::string signed_message(const nlohmann::json& statement_without_signature);

struct PackageFile {
  std::string entry;  // "files/EVD-000001"
  std::uint64_t size = 0;
  std::function<std::unique_ptr<ContentReader>()> open;
};

// The archive produced piece by piece, so a package of any size streams in bounded memory.
class PackageStream {
 public:
  PackageStream(std::string manifest, std::string signature, std::vector<PackageFile> files,
                std::int64_t mtime_seconds);
  // Appends the next piece (at most ~64 KiB of content) to `out`; false once complete.
  // Throws std::runtime_error when a stored file is missing or not of its recorded size.
  bool next(std::string& out);
  [[nodiscard]] std::uint64_t size() const { return size_; }

 private:
  std::string head_;  // headers and small entries not yet handed out
  std::vector<PackageFile> files_;
  std::size_t file_index_ = 0;
  std::unique_ptr<ContentReader> reader_;
  std::uint64_t file_done_ = 0;
  std::uint64_t written_ = 0;
  std::uint64_t size_ = 0;
  std::int64_t mtime_ = 0;
  bool finished_ = false;
};

struct VerifyOptions {
  std::string trusted_public_key_hex;  // empty: accept the key in the package (and print it)
};

struct VerifyResult {
  bool ok = false;
  std::vector<std::string> problems;  // each names the entry, field or file that is wrong
  std::string scope;                  // "INC-000001" or "EVD-000001"
  std::string public_key;
  std::string exported_at, exported_by;
  int items = 0, files = 0, custody_entries = 0, audit_entries = 0;
  std::uint64_t content_bytes = 0;
};

VerifyResult verify_package(const tar::Reader::Pull& pull, const VerifyOptions& options);

}  // namespace custos::evidence
