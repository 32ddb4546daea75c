#include "util/crypto.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <thread>
#include <vector>

#include "util/encoding.hpp"

namespace custos::util {
namespace {

// FIPS 180-2 / NIST example vectors.
constexpr std::string_view kTwoBlockMessage =
    "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";

TEST(Crypto, EnsureSodiumIsSafeToCallConcurrently) {
  std::vector<std::thread> threads;
  for (int i = 0; i < 8; ++i) threads.emplace_back([] { ensure_sodium(); });
  for (auto& t : threads) t.join();
  EXPECT_NO_THROW(ensure_sodium());
}

TEST(Crypto, Sha256KnownVectors) {
  EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(sha256_hex(kTwoBlockMessage),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  EXPECT_EQ(sha256_hex(std::string(1'000'000, 'a')),
            "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
  EXPECT_EQ(sha256_hex(std::string_view{}), sha256_hex(""));
}

TEST(Crypto, Sha256RawIs32BytesMatchingHex) {
  const std::string raw = sha256("abc");
  ASSERT_EQ(raw.size(), 32u);
  EXPECT_EQ(hex_encode(raw), sha256_hex("abc"));
}

TEST(Crypto, Sha512KnownVectors) {
  EXPECT_EQ(sha512_hex(""),
            "cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce"
            "47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e");
  EXPECT_EQ(sha512_hex("abc"),
            "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"
            "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f");
}

TEST(Crypto, HmacSha1Rfc2202Vectors) {
  EXPECT_EQ(hex_encode(hmac_sha1(std::string(20, '\x0b'), "Hi There")),
            "b617318655057264e28bc0b6fb378c8ef146be00");
  EXPECT_EQ(hex_encode(hmac_sha1("Jefe", "what do ya want for nothing?")),
            "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79");
  EXPECT_EQ(hex_encode(hmac_sha1(std::string(20, '\xaa'), std::string(50, '\xdd'))),
            "125d7342b9ac11cd91a39af48aa17b4f63f175d3");
  // A key longer than the block size is hashed first.
  EXPECT_EQ(hex_encode(hmac_sha1(std::string(80, '\xaa'),
                                 "Test Using Larger Than Block-Size Key - Hash Key First")),
            "aa4ae5e15272d00e95705637ce8a3b55ed402112");
  EXPECT_EQ(hmac_sha1("", "").size(), 20u);
}

TEST(Crypto, ConstantTimeEqual) {
  EXPECT_TRUE(constant_time_equal("", ""));
  EXPECT_TRUE(constant_time_equal("secret-token", "secret-token"));
  EXPECT_FALSE(constant_time_equal("secret-token", "secret-tokeN"));
  EXPECT_FALSE(constant_time_equal("secret-token", "Secret-token"));
  EXPECT_FALSE(constant_time_equal("secret-token", "secret-token!"));
  EXPECT_FALSE(constant_time_equal("", "x"));
  using namespace std::string_literals;
  EXPECT_FALSE(constant_time_equal("a\0b"s, "a\0c"s));  // embedded NULs do not stop the compare
}

TEST(Crypto, RandomBytesHaveRequestedLengthAndDiffer) {
  EXPECT_TRUE(random_bytes(0).empty());
  EXPECT_EQ(random_bytes(1).size(), 1u);
  EXPECT_EQ(random_bytes(64).size(), 64u);
  std::set<std::string> seen;
  for (int i = 0; i < 100; ++i) seen.insert(random_bytes(16));
  EXPECT_EQ(seen.size(), 100u);
}

TEST(Crypto, RandomTokenIsBase64UrlOfRequestedEntropy) {
  const std::string token = random_token(32);
  EXPECT_EQ(token.size(), 43u);
  const auto decoded = base64url_decode(token);
  ASSERT_TRUE(decoded);
  EXPECT_EQ(decoded->size(), 32u);
  EXPECT_EQ(
      token.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
      std::string::npos);
  EXPECT_NE(random_token(32), random_token(32));
}

TEST(Crypto, Sha256HasherMatchesOneShot) {
  Sha256Hasher hasher;
  EXPECT_EQ(hasher.finish_hex(), sha256_hex(""));
  hasher.update("ab").update("").update("c");
  EXPECT_EQ(hasher.finish_hex(), sha256_hex("abc"));
  // Reset after finish: the next message is independent of the previous one.
  for (char c : kTwoBlockMessage) hasher.update(std::string_view(&c, 1));
  EXPECT_EQ(hasher.finish_hex(), sha256_hex(kTwoBlockMessage));
  const std::string chunk(1000, 'a');
  for (int i = 0; i < 1000; ++i) hasher.update(chunk);
  EXPECT_EQ(hasher.finish_hex(),
            "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
  hasher.update("abc");
  EXPECT_EQ(hasher.finish(), sha256("abc"));
}

}  // namespace
}  // namespace custos::util
