#include "evidence/package.hpp"

#include <map>

#include "audit/signing_key.hpp"
#include "util/crypto.hpp"

namespace custos::evidence {

namespace {

constexpr std::size_t kMaxManifestBytes = 512ULL * 1024 * 1024;
constexpr std::size_t kMaxSignatureBytes = 64ULL * 1024 * 1024;
constexpr std::size_t kChunk = 64 * 1024;

bool lower_hex(std::string_view s, std::size_t length) {
  return s.size() == length && s.find_first_not_of("0123456789abcdef") == std::string_view::npos;
}

std::string short_value(const nlohmann::json& v) {
  auto text = v.dump();
  if (text.size() > 80) text = text.substr(0, 77) + "...";
  return text;
}

// Reads a whole (small) entry; false when it is larger than `max`.
bool read_entry(tar::Reader& reader, const tar::Entry& entry, std::size_t max, std::string& out) {
  if (entry.size > max) return false;
  out.clear();
  out.reserve(static_cast<std::size_t>(entry.size));
  while (reader.read(out, 1 << 20)) {
  }
  return true;
}

struct ExpectedFile {
  std::string item;
  std::uint64_t size = 0;
  std::string sha256, sha512;
  bool seen = false;
};

void compare_fields(const nlohmann::json& signed_fields, const nlohmann::json& manifest,
                    std::vector<std::string>& problems) {
  const auto actual = field_digests(manifest);
  const auto flat = manifest.flatten();
  int reported = 0;
  for (const auto& [pointer, digest] : signed_fields.items()) {
    if (!actual.contains(pointer)) {
      problems.push_back("manifest.json: field " + pointer + " was removed");
    } else if (actual[pointer] != digest) {
      problems.push_back("manifest.json: field " + pointer + " was changed (it now reads " +
                         short_value(flat.value(pointer, nlohmann::json())) + ")");
    } else {
      continue;
    }
    if (++reported == 20) break;
  }
  for (const auto& [pointer, digest] : actual.items()) {
    if (reported >= 20) break;
    if (!signed_fields.contains(pointer)) {
      problems.push_back("manifest.json: field " + pointer + " was added");
      ++reported;
    }
  }
  if (reported == 0) {
    problems.push_back(
        "manifest.json: its bytes were changed (formatting or order; every field still has its "
        "signed value)");
  }
}

}  // namespace

std::string manifest_text(const nlohmann::json& manifest) { return manifest.dump(2) + "\n"; }

nlohmann::json field_digests(const nlohmann::json& manifest) {
  nlohmann::json out = nlohmann::json::object();
  const auto flat = manifest.flatten();  // kept: items() only refers to it
  for (const auto& [pointer, value] : flat.items()) {
    out[pointer] = util::sha256_hex(value.dump());
  }
  return out;
}

std::string signed_message(const nlohmann::json& statement) {
  return std::string(kSignatureFormat) + "\n" + statement.dump();
}

std::string signature_text(std::string_view manifest, const audit::SigningKey& key) {
  nlohmann::json statement = {{"format", kSignatureFormat},
                              {"public_key", key.public_key_hex()},
                              {"manifest_sha256", util::sha256_hex(manifest)},
                              {"fields", field_digests(nlohmann::json::parse(manifest))}};
  const auto signature = key.sign_hex(signed_message(statement));
  statement["signature"] = signature;
  return statement.dump() + "\n";
}

PackageStream::PackageStream(std::string manifest, std::string signature,
                             std::vector<PackageFile> files, std::int64_t mtime_seconds)
    : files_(std::move(files)), mtime_(mtime_seconds) {
  for (const auto& [name, text] :
       {std::pair{kManifestEntry, &manifest}, std::pair{kSignatureEntry, &signature}}) {
    head_ += tar::file_header(name, text->size(), mtime_);
    head_ += *text;
    head_ += tar::padding(text->size());
  }
  size_ = head_.size();
  for (const auto& f : files_) size_ += tar::kBlock + f.size + tar::padding(f.size).size();
  size_ += tar::trailer(size_).size();
}

bool PackageStream::next(std::string& out) {
  if (finished_) return false;
  if (!head_.empty()) {
    out += head_;
    written_ += head_.size();
    head_.clear();
    return true;
  }
  while (file_index_ < files_.size()) {
    auto& file = files_[file_index_];
    if (!reader_) {
      reader_ = file.open();
      if (!reader_) throw std::runtime_error("the stored content of " + file.entry + " is missing");
      file_done_ = 0;
      const auto header = tar::file_header(file.entry, file.size, mtime_);
      out += header;
      written_ += header.size();
    }
    const auto at = out.size();
    const bool more = reader_->read(out);
    const auto n = out.size() - at;
    file_done_ += n;
    written_ += n;
    if (file_done_ > file.size) {
      throw std::runtime_error("the stored content of " + file.entry + " is longer than recorded");
    }
    if (!more) {
      if (file_done_ != file.size) {
        throw std::runtime_error("the stored content of " + file.entry +
                                 " is shorter than recorded");
      }
      const auto pad = tar::padding(file.size);
      out += pad;
      written_ += pad.size();
      reader_.reset();
      ++file_index_;
    }
    // A file that ended on a block boundary with an empty last read leaves nothing to send:
    // returning true with nothing would tell the server "not ready yet" and stall the answer.
    if (out.size() >= kChunk || (!more && !out.empty())) return true;
  }
  out += tar::trailer(written_);
  finished_ = true;
  return false;
}

VerifyResult verify_package(const tar::Reader::Pull& pull, const VerifyOptions& options) {
  VerifyResult r;
  auto& problems = r.problems;
  tar::Reader reader(pull);
  try {
    auto entry = reader.next();
    std::string manifest_bytes, signature_bytes;
    if (!entry || entry->name != kManifestEntry) {
      problems.push_back(
          "the package does not start with manifest.json (is it an evidence package?)");
      return r;
    }
    if (!read_entry(reader, *entry, kMaxManifestBytes, manifest_bytes)) {
      problems.push_back("manifest.json is larger than 512 MiB");
      return r;
    }
    entry = reader.next();
    if (!entry || entry->name != kSignatureEntry) {
      problems.push_back("signature.json is missing: the package cannot be authenticated");
      return r;
    }
    if (!read_entry(reader, *entry, kMaxSignatureBytes, signature_bytes)) {
      problems.push_back("signature.json is larger than 64 MiB");
      return r;
    }

    // The signed statement, accepted only in the exact form it was written in.
    nlohmann::json statement;
    bool statement_ok = false;
    bool signature_ok = false;
    try {
      statement = nlohmann::json::parse(signature_bytes);
      statement_ok = statement.is_object() && statement.dump() + "\n" == signature_bytes &&
                     statement.value("format", "") == kSignatureFormat &&
                     statement.contains("public_key") && statement["public_key"].is_string() &&
                     statement.contains("signature") && statement["signature"].is_string() &&
                     statement.contains("manifest_sha256") &&
                     statement["manifest_sha256"].is_string() && statement.contains("fields") &&
                     statement["fields"].is_object() && statement.size() == 5;
    } catch (const nlohmann::json::exception&) {
    }
    if (!statement_ok) {
      problems.push_back("signature.json: not a custos signature statement (it was changed)");
    } else {
      r.public_key = statement["public_key"].get<std::string>();
      const auto signature = statement["signature"].get<std::string>();
      auto unsigned_statement = statement;
      unsigned_statement.erase("signature");
      if (!lower_hex(r.public_key, 64) || !lower_hex(signature, 128) ||
          !audit::verify_signature_hex(r.public_key, signed_message(unsigned_statement),
                                       signature)) {
        problems.push_back(
            "signature.json: bad signature: the statement does not verify with the public key "
            "in the package (the signature, the key or the statement was changed)");
      } else {
        signature_ok = true;
      }
      if (!options.trusted_public_key_hex.empty() &&
          r.public_key != options.trusted_public_key_hex) {
        problems.push_back("signature.json: signed by key " + r.public_key +
                           ", not by the trusted key " + options.trusted_public_key_hex);
      }
    }

    // The manifest against the statement.
    nlohmann::json manifest;
    bool manifest_parsed = false;
    try {
      manifest = nlohmann::json::parse(manifest_bytes);
      manifest_parsed = manifest.is_object();
    } catch (const nlohmann::json::exception& e) {
      problems.push_back(std::string("manifest.json: not valid JSON any more (") + e.what() + ")");
    }
    if (statement_ok &&
        util::sha256_hex(manifest_bytes) != statement["manifest_sha256"].get<std::string>()) {
      if (manifest_parsed) {
        compare_fields(statement["fields"], manifest, problems);
      } else {
        problems.push_back("manifest.json: its SHA-256 differs from the signed one");
      }
    }
    (void)signature_ok;

    // The files against the manifest.
    std::map<std::string, ExpectedFile> expected;
    if (manifest_parsed) {
      if (manifest.value("format", "") != kManifestFormat) {
        problems.push_back("manifest.json: field /format is not " + std::string(kManifestFormat));
      }
      r.scope = manifest.value("scope", "");
      r.exported_at = manifest.value("exported_at", "");
      r.exported_by = manifest.value("exported_by", "");
      if (manifest.contains("audit_entries") && manifest["audit_entries"].is_array()) {
        r.audit_entries = static_cast<int>(manifest["audit_entries"].size());
      }
      if (manifest.contains("items") && manifest["items"].is_array()) {
        for (const auto& item : manifest["items"]) {
          ++r.items;
          if (!item.is_object()) continue;
          if (item.contains("custody") && item["custody"].is_array()) {
            r.custody_entries += static_cast<int>(item["custody"].size());
          }
          const auto content = item.find("content");
          if (content == item.end() || !content->is_object()) continue;
          try {
            ExpectedFile f;
            f.item = item.value("key", "?");
            f.size = content->at("size").get<std::uint64_t>();
            f.sha256 = content->at("sha256").get<std::string>();
            f.sha512 = content->at("sha512").get<std::string>();
            expected[content->at("file").get<std::string>()] = f;
          } catch (const nlohmann::json::exception&) {
            problems.push_back("manifest.json: the content record of " + item.value("key", "?") +
                               " is incomplete");
          }
        }
      }
    }
    while ((entry = reader.next())) {
      auto it = expected.find(entry->name);
      if (it == expected.end()) {
        problems.push_back(entry->name + ": a file the manifest does not list");
        continue;
      }
      auto& f = it->second;
      if (f.seen) problems.push_back(entry->name + ": the package holds it twice");
      f.seen = true;
      ContentHasher hasher;
      std::string chunk;
      bool more = true;
      while (more) {
        chunk.clear();
        more = reader.read(chunk, 1 << 20);
        hasher.update(chunk);
      }
      const auto d = hasher.finish();
      ++r.files;
      r.content_bytes += d.size;
      if (d.size != f.size) {
        problems.push_back(entry->name + ": " + std::to_string(d.size) +
                           " bytes, the manifest records " + std::to_string(f.size));
      }
      if (d.sha256 != f.sha256) {
        problems.push_back(entry->name + ": SHA-256 is " + d.sha256 + ", the manifest records " +
                           f.sha256 + " (the file's content was changed)");
      }
      if (d.sha512 != f.sha512) {
        problems.push_back(entry->name + ": SHA-512 differs from the manifest's");
      }
    }
    for (const auto& [name, f] : expected) {
      if (!f.seen)
        problems.push_back(name + ": missing (the manifest lists it for " + f.item + ")");
    }
  } catch (const tar::FormatError& e) {
    problems.push_back(std::string("the archive is damaged: ") + e.what());
  } catch (const std::runtime_error& e) {
    problems.push_back(std::string("cannot read the package: ") + e.what());
  }
  r.ok = problems.empty();
  return r;
}

}  // namespace custos::evidence
