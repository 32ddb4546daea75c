#include "incidents/attachments.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>

#include "incidents/work_test_support.hpp"
#include "util/crypto.hpp"

namespace custos::incidents {
namespace {

const std::string kPng("\x89PNG\r\n\x1a\n\0\0\0\rIHDR", 16);
const std::string kJpeg("\xFF\xD8\xFF\xE0\0\x10JFIF", 10);
const std::string kZip("PK\x03\x04\x14\0\0\0", 8);

TEST(AttachmentRules, MediaTypeDropsParametersAndCase) {
  EXPECT_EQ(media_type("Image/PNG"), "image/png");
  EXPECT_EQ(media_type(" text/plain ; charset=utf-8"), "text/plain");
  EXPECT_EQ(media_type(""), "");
  EXPECT_EQ(media_type("png"), "");
  EXPECT_EQ(media_type("image/"), "");
  EXPECT_EQ(media_type("a/b/c"), "");
  EXPECT_EQ(media_type("text/pl ain"), "");
}

TEST(AttachmentRules, OnlyAllowlistedTypes) {
  for (auto t :
       {"text/plain", "text/csv", "application/json", "application/pdf", "image/png", "image/jpeg",
        "image/gif", "application/zip", "message/rfc822", "application/octet-stream"}) {
    EXPECT_TRUE(allowed_attachment_type(t)) << t;
  }
  for (auto t : {"text/html", "image/svg+xml", "application/x-msdownload", "application/javascript",
                 "", "image/jpg"}) {
    EXPECT_FALSE(allowed_attachment_type(t)) << t;
  }
}

TEST(AttachmentRules, BinaryTypesMustMatchTheirSignature) {
  EXPECT_EQ(content_mismatch("image/png", kPng), std::nullopt);
  EXPECT_EQ(content_mismatch("image/jpeg", kJpeg), std::nullopt);
  EXPECT_EQ(content_mismatch("image/gif", "GIF89a\x01\0"), std::nullopt);
  EXPECT_EQ(content_mismatch("image/gif", "GIF87a\x01\0"), std::nullopt);
  EXPECT_EQ(content_mismatch("application/pdf", "%PDF-1.7\n"), std::nullopt);
  EXPECT_EQ(content_mismatch("application/zip", kZip), std::nullopt);
  EXPECT_EQ(content_mismatch("application/zip", std::string("PK\x05\x06", 4)), std::nullopt);

  // An HTML page or an executable sent as an image is refused, with the reason.
  auto problem = content_mismatch("image/png", "<html><script>alert(1)</script>");
  ASSERT_TRUE(problem);
  EXPECT_NE(problem->find("not a PNG image"), std::string::npos);
  EXPECT_TRUE(content_mismatch("image/jpeg", kPng));
  EXPECT_TRUE(content_mismatch("image/gif", "GIF90a"));
  EXPECT_TRUE(content_mismatch("application/pdf", "MZ\x90\0"));
  EXPECT_TRUE(content_mismatch("application/zip", "PK"));
  EXPECT_TRUE(content_mismatch("image/png", std::string_view(kPng).substr(0, 7)));  // truncated
}

TEST(AttachmentRules, TextTypesMustNotBeBinary) {
  EXPECT_EQ(content_mismatch("text/plain", "line 1\nline 2\n"), std::nullopt);
  EXPECT_EQ(content_mismatch("application/json", "{\"a\": 1}"), std::nullopt);
  EXPECT_TRUE(content_mismatch("text/csv", std::string("a,b\0c", 5)));
  EXPECT_TRUE(content_mismatch("message/rfc822", kPng));
  // Anything goes as application/octet-stream.
  EXPECT_EQ(content_mismatch("application/octet-stream", kPng), std::nullopt);
}

TEST(AttachmentRules, FilenameKeepsOnlyTheLastPathComponent) {
  EXPECT_EQ(sanitize_filename("report.pdf"), "report.pdf");
  EXPECT_EQ(sanitize_filename("../../etc/passwd"), "passwd");
  EXPECT_EQ(sanitize_filename("C:\\Users\\bob\\mail.eml"), "mail.eml");
  EXPECT_EQ(sanitize_filename("/var/log/"), std::nullopt);
  EXPECT_EQ(sanitize_filename(".."), std::nullopt);
  EXPECT_EQ(sanitize_filename("."), std::nullopt);
  EXPECT_EQ(sanitize_filename(""), std::nullopt);
  EXPECT_EQ(sanitize_filename("   "), std::nullopt);
}

TEST(AttachmentRules, FilenameLosesControlAndSpoofingCharacters) {
  EXPECT_EQ(sanitize_filename("a\nb\r\tc\x7f.txt"), "abc.txt");
  EXPECT_EQ(sanitize_filename(std::string("nul\0byte.txt", 12)), "nulbyte.txt");
  // U+202E RIGHT-TO-LEFT OVERRIDE would show "invoice\u202Efdp.exe" as "invoiceexe.pdf".
  EXPECT_EQ(sanitize_filename("invoice\xE2\x80\xAE"
                              "fdp.exe"),
            "invoicefdp.exe");
  EXPECT_EQ(sanitize_filename("zero\xE2\x80\x8Bwidth.txt"), "zerowidth.txt");
  EXPECT_EQ(sanitize_filename("c1\xC2\x85.txt"), "c1.txt");
  // Trailing dots and spaces vanish on some systems and would change the extension.
  EXPECT_EQ(sanitize_filename(" report.pdf. . "), "report.pdf");
  // Ordinary non-ASCII names stay.
  EXPECT_EQ(sanitize_filename("Übersicht – März.csv"), "Übersicht – März.csv");
  EXPECT_EQ(sanitize_filename("\xFF\xFE.txt"), std::nullopt);  // not UTF-8
}

TEST(AttachmentRules, LongFilenamesAreShortenedKeepingTheExtension) {
  const auto name = sanitize_filename(std::string(300, 'a') + ".pdf");
  ASSERT_TRUE(name);
  EXPECT_EQ(name->size(), kMaxFilenameBytes);
  EXPECT_TRUE(name->ends_with("aaa.pdf"));
  // Never cut inside a multi-byte character: "é" is two bytes.
  std::string accents;
  for (int i = 0; i < 150; ++i) accents += "\xC3\xA9";
  const auto shortened = sanitize_filename(accents + ".txt");
  ASSERT_TRUE(shortened);
  EXPECT_LE(shortened->size(), kMaxFilenameBytes);
  EXPECT_TRUE(shortened->ends_with(".txt"));
  EXPECT_EQ((shortened->size() - 4) % 2, 0U);
}

TEST(AttachmentRules, FilenameFromContentDisposition) {
  EXPECT_EQ(filename_from_disposition("attachment; filename=\"a b.txt\""), "a b.txt");
  EXPECT_EQ(filename_from_disposition("attachment; filename=plain.txt"), "plain.txt");
  EXPECT_EQ(filename_from_disposition(
                "attachment; filename=\"fallback.txt\"; filename*=UTF-8''%E2%82%AC%20rates.txt"),
            "\xE2\x82\xAC rates.txt");
  EXPECT_EQ(filename_from_disposition("attachment; filename=\"q\\\"uote.txt\""), "q\"uote.txt");
  EXPECT_EQ(filename_from_disposition("attachment"), std::nullopt);
  EXPECT_EQ(filename_from_disposition("attachment; filename*=ISO-8859-1''x.txt"), std::nullopt);
}

TEST(AttachmentRules, ContentDispositionEncodesTheName) {
  EXPECT_EQ(content_disposition("report.pdf"),
            "attachment; filename=\"report.pdf\"; filename*=UTF-8''report.pdf");
  EXPECT_EQ(content_disposition("a \"b\".txt"),
            "attachment; filename=\"a _b_.txt\"; filename*=UTF-8''a%20%22b%22.txt");
  EXPECT_EQ(content_disposition("\xE2\x82\xAC.csv"),
            "attachment; filename=\"___.csv\"; filename*=UTF-8''%E2%82%AC.csv");
}

class BlobStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = std::filesystem::temp_directory_path() /
            ("custos-blob-test-" + std::to_string(::getpid()) + "-" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(root_);
  }
  void TearDown() override { std::filesystem::remove_all(root_); }
  std::filesystem::path root_;
};

TEST_F(BlobStoreTest, StoresUnderTheDigestAndReusesExistingBlobs) {
  BlobStore store(root_);
  const std::string bytes = "hello blob";
  const auto hex = store.put(bytes);
  EXPECT_EQ(hex, util::sha256_hex(bytes));
  const auto path = root_ / hex.substr(0, 2) / hex.substr(2);
  ASSERT_TRUE(std::filesystem::exists(path));
  EXPECT_EQ(store.path_for(hex), path);
  EXPECT_EQ(store.get(hex), bytes);

  // Write-once: a second put of the same bytes does not touch the stored file.
  const auto inode_before = std::filesystem::last_write_time(path);
  EXPECT_EQ(store.put(bytes), hex);
  EXPECT_EQ(std::filesystem::last_write_time(path), inode_before);
  // No temporary files are left behind.
  int files = 0;
  for (const auto& e : std::filesystem::recursive_directory_iterator(root_)) {
    if (e.is_regular_file()) ++files;
  }
  EXPECT_EQ(files, 1);
}

TEST_F(BlobStoreTest, DetectsMissingAndCorruptedBlobs) {
  BlobStore store(root_);
  const auto hex = store.put("original");
  EXPECT_EQ(store.get(util::sha256_hex("never stored")), std::nullopt);
  {
    std::ofstream out(store.path_for(hex), std::ios::trunc);
    out << "tampered";
  }
  EXPECT_THROW((void)store.get(hex), std::runtime_error);
  EXPECT_THROW((void)store.path_for("../../etc/passwd"), std::invalid_argument);
}

using AttachmentsTest = testing::WorkTest;

TEST_F(AttachmentsTest, ReporterAttachesToOwnIncidentAndSeesOnlyOwnFiles) {
  const auto incident = log(reporter_);
  auto& files = work_->attachments;
  auto mine = files.add(incident.id, {"screen.png", "image/png", kPng}, reporter_);
  ASSERT_TRUE(mine);
  EXPECT_EQ(mine->filename, "screen.png");
  EXPECT_EQ(mine->size, static_cast<std::int64_t>(kPng.size()));
  auto desk =
      files.add(incident.id, {"../firewall.log", "text/plain; charset=utf-8", "deny"}, agent_);
  ASSERT_TRUE(desk);
  EXPECT_EQ(desk->filename, "firewall.log");
  EXPECT_EQ(desk->content_type, "text/plain");

  EXPECT_EQ(files.list(incident.id, reporter_)->size(), 1U);
  EXPECT_EQ(files.list(incident.id, agent_)->size(), 2U);
  EXPECT_EQ(files.list(incident.id, auditor_)->size(), 2U);
  EXPECT_EQ(files.download(incident.id, mine->id, reporter_)->bytes, kPng);
  EXPECT_THROW(files.download(incident.id, desk->id, reporter_), WorkError);
  // Another reporter may not see the incident at all.
  EXPECT_EQ(files.list(incident.id, other_reporter_), std::nullopt);
  EXPECT_EQ(files.add(incident.id, {"x.txt", "text/plain", "x"}, other_reporter_), std::nullopt);
}

TEST_F(AttachmentsTest, RefusesBadFilesAndStoresNothing) {
  const auto incident = log(agent_);
  auto& files = work_->attachments;
  auto refusal = [&](const NewAttachment& f) -> std::optional<WorkRefusal> {
    try {
      files.add(incident.id, f, agent_);
    } catch (const WorkError& e) {
      return e.refusal;
    }
    return std::nullopt;
  };
  EXPECT_EQ(refusal({"a.html", "text/html", "<html>"}), WorkRefusal::unsupported_type);
  EXPECT_EQ(refusal({"a.png", "image/png", "GIF89a"}), WorkRefusal::invalid);
  EXPECT_EQ(refusal({"a.txt", "text/plain", ""}), WorkRefusal::invalid);
  EXPECT_EQ(refusal({"a.bin", "application/octet-stream", std::string(2000, 'x')}),
            WorkRefusal::too_large);  // the fixture allows 1024 bytes
  EXPECT_EQ(refusal({"", "text/plain", "x"}), WorkRefusal::invalid);
  EXPECT_EQ(refusal({"/", "text/plain", "x"}), WorkRefusal::invalid);
  EXPECT_TRUE(files.list(incident.id, agent_)->empty());
  EXPECT_FALSE(std::filesystem::exists(dir_ / "data" / "blobs"));
}

TEST_F(AttachmentsTest, RestrictedIncidentIsInvisibleToOutsiders) {
  const auto incident = log(manager_, false, true);
  EXPECT_EQ(work_->attachments.list(incident.id, agent_), std::nullopt);
  EXPECT_EQ(work_->attachments.add(incident.id, {"a.txt", "text/plain", "x"}, agent_),
            std::nullopt);
  EXPECT_TRUE(work_->attachments.list(incident.id, auditor_));
}

}  // namespace
}  // namespace custos::incidents
