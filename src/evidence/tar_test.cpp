#include "evidence/tar.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>

namespace custos::evidence {
namespace {

std::string archive(const std::vector<std::pair<std::string, std::string>>& files) {
  std::string out;
  for (const auto& [name, content] : files) {
    out += tar::file_header(name, content.size(), 1'700'000'000);
    out += content;
    out += tar::padding(content.size());
  }
  out += tar::trailer(out.size());
  return out;
}

tar::Reader::Pull pull_from(const std::string& bytes) {
  auto offset = std::make_shared<std::size_t>(0);
  return [&bytes, offset](char* buffer, std::size_t capacity) {
    const auto n = std::min(capacity, bytes.size() - *offset);
    std::memcpy(buffer, bytes.data() + *offset, n);
    *offset += n;
    return n;
  };
}

TEST(EvidenceTar, RoundTripAndWholeRecords) {
  const auto bytes = archive(
      {{"manifest.json", "{}\n"}, {"files/EVD-000001", std::string(513, 'x')}, {"empty", ""}});
  EXPECT_EQ(bytes.size() % tar::kRecord, 0U);
  tar::Reader reader(pull_from(bytes));
  auto e = reader.next();
  ASSERT_TRUE(e);
  EXPECT_EQ(e->name, "manifest.json");
  std::string content;
  while (reader.read(content, 2)) {
  }
  EXPECT_EQ(content, "{}\n");
  e = reader.next();  // skipping unread content is allowed
  ASSERT_TRUE(e);
  EXPECT_EQ(e->size, 513U);
  e = reader.next();
  ASSERT_TRUE(e);
  EXPECT_EQ(e->name, "empty");
  EXPECT_FALSE(reader.next());
}

TEST(EvidenceTar, EverySingleByteChangeIsNoticedOutsideContent) {
  // Content bytes are the manifest's business; everything else the reader itself guards.
  const auto bytes = archive({{"a.txt", "hello"}});
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    if (i >= 512 && i < 517) continue;  // the content "hello"
    auto bad = bytes;
    bad[i] = static_cast<char>(bad[i] ^ 0x01);
    tar::Reader reader(pull_from(bad));
    EXPECT_THROW(
        {
          while (reader.next()) {
          }
        },
        tar::FormatError)
        << "byte " << i;
  }
}

TEST(EvidenceTar, TruncatedArchiveIsAnError) {
  const auto bytes = archive({{"a.txt", "hello"}});
  const auto cut = bytes.substr(0, 700);
  tar::Reader reader(pull_from(cut));
  EXPECT_THROW(
      {
        while (reader.next()) {
        }
      },
      tar::FormatError);
}

TEST(EvidenceTar, SystemTarReadsIt) {
  if (std::system("tar --version > /dev/null 2>&1") != 0) GTEST_SKIP() << "no tar";
  const auto dir =
      std::filesystem::temp_directory_path() / ("custos-tar-test-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  {
    std::ofstream f(dir / "p.tar", std::ios::binary);
    f << archive({{"manifest.json", "{}\n"}, {"files/EVD-000001", "content"}});
  }
  const auto cmd = "cd " + dir.string() + " && tar -xf p.tar && cat files/EVD-000001 > out";
  ASSERT_EQ(std::system(cmd.c_str()), 0);
  std::ifstream out(dir / "out");
  std::string text;
  std::getline(out, text);
  EXPECT_EQ(text, "content");
  std::filesystem::remove_all(dir);
}

TEST(EvidenceTar, NamesAndSizesThatDoNotFitAreRefused) {
  EXPECT_THROW(tar::file_header(std::string(101, 'a'), 1, 0), std::invalid_argument);
  EXPECT_THROW(tar::file_header("", 1, 0), std::invalid_argument);
  EXPECT_THROW(tar::file_header("big", 1ULL << 33, 0), std::invalid_argument);
}

}  // namespace
}  // namespace custos::evidence
