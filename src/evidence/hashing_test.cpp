#include "evidence/hashing.hpp"

#include <gtest/gtest.h>

#include <string>

namespace custos::evidence {
namespace {

TEST(EvidenceHashing, KnownVectors) {
  const auto d = hash_all("abc", "md5");
  EXPECT_EQ(d.sha256, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(d.sha512,
            "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c"
            "23a3feebbd454d4423643ce80e2a9ac94fa54ca49f");
  EXPECT_EQ(d.extra, "900150983cd24fb0d6963f7d28e17f72");
  EXPECT_EQ(d.size, 3U);
  EXPECT_EQ(hash_all("abc", "sha1").extra, "a9993e364706816aba3e25717850c26c9cd0d89d");
  EXPECT_EQ(hash_all("", "").sha256,
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST(EvidenceHashing, TwoThreadsAgreeWithOne) {
  std::string data(5 * 1024 * 1024 + 17, '\0');
  for (std::size_t i = 0; i < data.size(); ++i) data[i] = static_cast<char>(i * 2654435761U >> 13);
  ContentHasher parallel;
  // Uneven pieces, small and large, so both hand-over paths run.
  std::size_t at = 0;
  for (std::size_t piece : {1UL, 100UL, 70'000UL, 1'048'576UL, 3UL}) {
    parallel.update(std::string_view(data).substr(at, piece));
    at += piece;
  }
  parallel.update(std::string_view(data).substr(at));
  const auto a = parallel.finish();
  const auto b = hash_all(data);
  EXPECT_EQ(a.sha256, b.sha256);
  EXPECT_EQ(a.sha512, b.sha512);
  EXPECT_EQ(a.size, data.size());
}

TEST(EvidenceHashing, DeclaredHashFormat) {
  EXPECT_EQ(declared_hash_problem("sha256", std::string(64, 'a')), std::nullopt);
  EXPECT_EQ(declared_hash_problem("md5", std::string(32, 'F')), std::nullopt);
  EXPECT_TRUE(declared_hash_problem("sha256", std::string(63, 'a')));
  EXPECT_TRUE(declared_hash_problem("sha256", std::string(64, 'g')));
  EXPECT_TRUE(declared_hash_problem("crc32", "abcd"));
  EXPECT_EQ(hex_length("sha512"), 128U);
}

}  // namespace
}  // namespace custos::evidence
