#include "evidence/package.hpp"

#include <gtest/gtest.h>

#include <cstring>

#include "audit/signing_key.hpp"
#include "evidence/hashing.hpp"

namespace custos::evidence {
namespace {

class StringReader final : public ContentReader {
 public:
  explicit StringReader(std::string s) : s_(std::move(s)) {}
  bool read(std::string& out) override {
    const auto n = std::min<std::size_t>(7, s_.size() - at_);  // small pieces on purpose
    out.append(s_, at_, n);
    at_ += n;
    return at_ < s_.size();
  }
  [[nodiscard]] std::uint64_t size() const override { return s_.size(); }

 private:
  std::string s_;
  std::size_t at_ = 0;
};

struct Built {
  std::string bytes;
  std::string public_key;
};

Built build_package(const audit::SigningKey& key, const std::string& content) {
  const auto d = hash_all(content);
  nlohmann::json manifest = {{"format", kManifestFormat},
                             {"scope", "INC-000001"},
                             {"exported_at", "2026-01-01T00:00:00Z"},
                             {"exported_by", "user:alice"},
                             {"items",
                              {{{"key", "EVD-000001"},
                                {"description", "laptop image"},
                                {"content",
                                 {{"file", "files/EVD-000001"},
                                  {"size", d.size},
                                  {"sha256", d.sha256},
                                  {"sha512", d.sha512}}},
                                {"custody", {{{"action", "collected"}, {"actor", "user:alice"}}}}},
                               {{"key", "EVD-000002"},
                                {"description", "USB stick"},
                                {"content", nullptr},
                                {"custody", nlohmann::json::array()}}}},
                             {"audit_entries", {{{"seq", 1}, {"action", "evidence.create"}}}}};
  const auto text = manifest_text(manifest);
  const auto signature = signature_text(text, key);
  PackageStream stream(text, signature,
                       {{"files/EVD-000001", content.size(),
                         [content] { return std::make_unique<StringReader>(content); }}},
                       1'700'000'000);
  Built b;
  while (stream.next(b.bytes)) {
  }
  EXPECT_EQ(b.bytes.size(), stream.size());
  b.public_key = key.public_key_hex();
  return b;
}

VerifyResult verify(const std::string& bytes, const std::string& trusted = "") {
  std::size_t at = 0;
  return verify_package(
      [&](char* buffer, std::size_t capacity) {
        const auto n = std::min(capacity, bytes.size() - at);
        std::memcpy(buffer, bytes.data() + at, n);
        at += n;
        return n;
      },
      {trusted});
}

std::string problems(const VerifyResult& r) {
  std::string out;
  for (const auto& p : r.problems) out += p + "\n";
  return out;
}

// Reads like a file does: the last piece with "more", then an empty read at the end.
class FileLikeReader final : public ContentReader {
 public:
  explicit FileLikeReader(std::string s) : s_(std::move(s)) {}
  bool read(std::string& out) override {
    if (at_ == s_.size()) return false;
    const auto n = std::min<std::size_t>(4096, s_.size() - at_);
    out.append(s_, at_, n);
    at_ += n;
    return true;
  }
  [[nodiscard]] std::uint64_t size() const override { return s_.size(); }

 private:
  std::string s_;
  std::size_t at_ = 0;
};

// Every piece but the last carries bytes: an empty one means "nothing yet" to the server, which
// then waits. A file of whole 512-byte blocks ends without padding, the case that once stalled.
TEST(EvidencePackage, EveryPieceCarriesBytes) {
  const std::string content(3 * 1024 * 1024, 'x');
  PackageStream stream("{}\n", "{}\n",
                       {{"files/EVD-000001", content.size(),
                         [content] { return std::make_unique<FileLikeReader>(content); }}},
                       0);
  std::string all;
  while (true) {
    std::string piece;
    const bool more = stream.next(piece);
    all += piece;
    if (!more) break;
    ASSERT_FALSE(piece.empty()) << "an empty piece at byte " << all.size();
  }
  EXPECT_EQ(all.size(), stream.size());
}

TEST(EvidencePackage, IntactPackageVerifies) {
  const auto key = audit::SigningKey::generate();
  const auto p = build_package(key, "disk image bytes\n");
  const auto r = verify(p.bytes, p.public_key);
  EXPECT_TRUE(r.ok) << problems(r);
  EXPECT_EQ(r.scope, "INC-000001");
  EXPECT_EQ(r.items, 2);
  EXPECT_EQ(r.files, 1);
  EXPECT_EQ(r.custody_entries, 1);
  EXPECT_EQ(r.audit_entries, 1);
}

TEST(EvidencePackage, AnySingleByteFlipFails) {
  const auto key = audit::SigningKey::generate();
  const auto p = build_package(key, "disk image bytes\n");
  for (std::size_t i = 0; i < p.bytes.size(); ++i) {
    for (unsigned char mask : {0x01, 0x80}) {
      if (mask == 0x80 && i % 7 != 0) continue;  // one flip per byte, a second on a sample
      auto bad = p.bytes;
      bad[i] = static_cast<char>(bad[i] ^ mask);
      EXPECT_FALSE(verify(bad).ok) << "byte " << i << " ^ " << int(mask);
    }
  }
}

TEST(EvidencePackage, NamesWhatWasChanged) {
  const auto key = audit::SigningKey::generate();
  const auto p = build_package(key, "disk image bytes\n");

  // A manifest field: "laptop" → "lapTop" (the tar header checksum is fixed up, as a careful
  // forger would).
  auto changed = p.bytes;
  const auto at = changed.find("laptop image");
  changed[at + 3] = 'T';
  {
    unsigned sum = 0;
    for (std::size_t i = 0; i < 512; ++i) {
      sum += (i >= 148 && i < 156) ? ' ' : static_cast<unsigned char>(changed[i]);
    }
    char field[8];
    std::snprintf(field, sizeof field, "%06o", sum);
    std::memcpy(&changed[148], field, 7);
  }
  auto r = verify(changed);
  EXPECT_FALSE(r.ok);
  EXPECT_NE(problems(r).find("field /items/0/description was changed"), std::string::npos)
      << problems(r);

  // File content.
  auto content = p.bytes;
  content[content.find("disk image bytes")] = 'D';
  r = verify(content);
  EXPECT_NE(problems(r).find("files/EVD-000001: SHA-256 is"), std::string::npos) << problems(r);

  // Signature.
  auto sig = p.bytes;
  const auto s = sig.find("\"signature\":\"") + 13;
  sig[s] = sig[s] == '0' ? '1' : '0';
  r = verify(sig);
  EXPECT_NE(problems(r).find("bad signature"), std::string::npos) << problems(r);

  // Another key than the trusted one.
  const auto other = audit::SigningKey::generate();
  r = verify(p.bytes, other.public_key_hex());
  EXPECT_FALSE(r.ok);
  EXPECT_NE(problems(r).find("not by the trusted key"), std::string::npos);
}

TEST(EvidencePackage, MissingFileIsNamed) {
  const auto key = audit::SigningKey::generate();
  nlohmann::json manifest = {
      {"format", kManifestFormat},
      {"scope", "EVD-000001"},
      {"items",
       {{{"key", "EVD-000001"},
         {"content",
          {{"file", "files/EVD-000001"}, {"size", 1}, {"sha256", "x"}, {"sha512", "y"}}}}}}};
  const auto text = manifest_text(manifest);
  PackageStream stream(text, signature_text(text, key), {}, 0);
  std::string bytes;
  while (stream.next(bytes)) {
  }
  const auto r = verify(bytes);
  EXPECT_NE(problems(r).find("files/EVD-000001: missing"), std::string::npos) << problems(r);
}

}  // namespace
}  // namespace custos::evidence
