#include "evidence/content_store.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <fstream>

namespace custos::evidence {
namespace {

class ContentStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("custos-evidence-store-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override {
    std::error_code ec;
    std::filesystem::permissions(dir_, std::filesystem::perms::owner_all,
                                 std::filesystem::perm_options::add, ec);
    std::filesystem::remove_all(dir_);
  }
  static std::string read_all(ContentReader& r) {
    std::string out;
    while (r.read(out)) {
    }
    return out;
  }
  std::filesystem::path dir_;
};

std::string sample(std::size_t n) {
  std::string s(n, '\0');
  for (std::size_t i = 0; i < n; ++i) s[i] = static_cast<char>((i * 131) ^ (i >> 7));
  return s;
}

TEST_F(ContentStoreTest, StoresOnceAndReusesIdenticalContent) {
  ContentStore store(dir_, nullptr, false);
  const auto data = sample(300'000);
  const auto first = store.put_bytes(data);
  EXPECT_FALSE(first.reused);
  EXPECT_FALSE(first.encrypted);
  EXPECT_EQ(first.digests.size, data.size());
  const auto second = store.put_bytes(data);
  EXPECT_TRUE(second.reused);
  EXPECT_EQ(second.digests.sha256, first.digests.sha256);
  const auto path = store.path_for(first.digests.sha256, false);
  EXPECT_TRUE(std::filesystem::exists(path));
  // Nothing left behind in the incoming directory.
  EXPECT_TRUE(std::filesystem::is_empty(dir_ / ".incoming"));
  auto reader = store.open(first.digests.sha256, false);
  ASSERT_TRUE(reader);
  EXPECT_EQ(reader->size(), data.size());
  EXPECT_EQ(read_all(*reader), data);
  EXPECT_EQ(store.open(std::string(64, 'a'), false), nullptr);
}

TEST_F(ContentStoreTest, EncryptsAtRestAndReadsBack) {
  auto key = std::make_shared<ContentKey>(ContentKey::generate());
  ContentStore store(dir_, key, true);
  for (std::size_t n : {1UL, 65'535UL, 65'536UL, 65'537UL, 1'000'000UL}) {
    const auto data = sample(n);
    const auto stored = store.put_bytes(data);
    EXPECT_TRUE(stored.encrypted);
    const auto path = store.path_for(stored.digests.sha256, true);
    std::ifstream f(path, std::ios::binary);
    const std::string raw((std::istreambuf_iterator<char>(f)), {});
    if (n >= 64) {
      EXPECT_EQ(raw.find(data.substr(0, 64)), std::string::npos);  // not in the clear
    }
    auto reader = store.open(stored.digests.sha256, true);
    EXPECT_EQ(reader->size(), n);
    EXPECT_EQ(read_all(*reader), data) << n;
  }
}

TEST_F(ContentStoreTest, DamagedOrTruncatedEncryptedFileIsRefused) {
  auto key = std::make_shared<ContentKey>(ContentKey::generate());
  ContentStore store(dir_, key, true);
  const auto data = sample(200'000);
  const auto stored = store.put_bytes(data);
  const auto path = store.path_for(stored.digests.sha256, true);
  std::filesystem::permissions(path, std::filesystem::perms::owner_write,
                               std::filesystem::perm_options::add);
  {
    std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(1000);
    f.put('X');
  }
  auto reader = store.open(stored.digests.sha256, true);
  EXPECT_THROW(read_all(*reader), std::runtime_error);
  std::filesystem::resize_file(path, 65'536 + 17 + 40);
  auto truncated = store.open(stored.digests.sha256, true);
  EXPECT_THROW(read_all(*truncated), std::runtime_error);
}

TEST_F(ContentStoreTest, TooLargeContentLeavesNothing) {
  ContentStore store(dir_, nullptr, false);
  const auto data = sample(5'000);
  std::string_view rest(data);
  EXPECT_THROW(store.put(
                   [&rest](char* b, std::size_t cap) {
                     const auto n = std::min(cap, rest.size());
                     std::memcpy(b, rest.data(), n);
                     rest.remove_prefix(n);
                     return n;
                   },
                   "", 4'999),
               std::length_error);
  EXPECT_TRUE(std::filesystem::is_empty(dir_ / ".incoming"));
}

TEST_F(ContentStoreTest, AdoptsASpooledFileByRenaming) {
  ContentStore store(dir_ / "evidence", nullptr, false);
  const auto data = sample(2'500'000);
  std::filesystem::create_directories(dir_ / "spool");
  const auto spooled = dir_ / "spool" / "upload-1";
  std::ofstream(spooled, std::ios::binary) << data;
  const auto stored = store.adopt(spooled, "md5");
  EXPECT_FALSE(stored.reused);
  EXPECT_FALSE(std::filesystem::exists(spooled));  // renamed, not copied
  EXPECT_EQ(stored.digests.size, data.size());
  EXPECT_EQ(stored.digests.sha256, hash_all(data).sha256);
  EXPECT_EQ(stored.digests.extra, hash_all(data, "md5").extra);
  std::ofstream(spooled, std::ios::binary) << data;
  EXPECT_TRUE(store.adopt(spooled).reused);
  auto reader = store.open(stored.digests.sha256, false);
  EXPECT_EQ(read_all(*reader), data);
  EXPECT_THROW(store.adopt(spooled, "", 10), std::length_error);
}

TEST_F(ContentStoreTest, KeyFileIsPrivateAndStable) {
  const auto file = dir_ / "evidence.key";
  auto a = ContentKey::load_or_create(file);
  struct stat st {};
  ASSERT_EQ(::stat(file.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600U);
  auto b = ContentKey::load_or_create(file);
  EXPECT_EQ(std::memcmp(a.bytes(), b.bytes(), 32), 0);
  ::chmod(file.c_str(), 0644);
  EXPECT_THROW(ContentKey::load_or_create(file), std::runtime_error);
}

}  // namespace
}  // namespace custos::evidence
