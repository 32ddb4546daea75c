#include "auth/password.hpp"

#include <gtest/gtest.h>

#include <string>

namespace custos::auth {
namespace {

using namespace std::string_literals;

const PasswordParams kFast = PasswordParams::for_tests();

TEST(Password, ParamsMatchLibsodiumConstants) {
  EXPECT_EQ(PasswordParams::interactive().opslimit, crypto_pwhash_OPSLIMIT_INTERACTIVE);
  EXPECT_EQ(PasswordParams::interactive().memlimit, crypto_pwhash_MEMLIMIT_INTERACTIVE);
  EXPECT_EQ(PasswordParams::for_tests().opslimit, crypto_pwhash_OPSLIMIT_MIN);
  EXPECT_EQ(PasswordParams::for_tests().memlimit, crypto_pwhash_MEMLIMIT_MIN);
}

TEST(Password, HashIsArgon2idWithTheRequestedParameters) {
  const std::string hash = hash_password("correct horse battery staple", kFast);
  EXPECT_EQ(hash.rfind("$argon2id$v=19$", 0), 0u) << hash;
  // libsodium encodes memlimit in KiB and opslimit as t.
  const std::string expected_params = "m=" + std::to_string(kFast.memlimit / 1024) +
                                      ",t=" + std::to_string(kFast.opslimit) + ",p=1$";
  EXPECT_NE(hash.find(expected_params), std::string::npos) << hash;
}

TEST(Password, VerifiesTheRightPasswordOnly) {
  const std::string hash = hash_password("correct horse battery staple", kFast);
  EXPECT_TRUE(verify_password(hash, "correct horse battery staple"));
  EXPECT_FALSE(verify_password(hash, "correct horse battery stapl"));
  EXPECT_FALSE(verify_password(hash, "Correct horse battery staple"));
  EXPECT_FALSE(verify_password(hash, "correct horse battery staple "));
  EXPECT_FALSE(verify_password(hash, ""));
}

TEST(Password, SaltsEachHash) {
  const std::string a = hash_password("same password twice", kFast);
  const std::string b = hash_password("same password twice", kFast);
  EXPECT_NE(a, b);
  EXPECT_TRUE(verify_password(a, "same password twice"));
  EXPECT_TRUE(verify_password(b, "same password twice"));
}

TEST(Password, HandlesEmbeddedNulAndEmptyPasswords) {
  // The whole byte string counts, not just the part before a NUL.
  const std::string with_nul = "abc\0def"s;
  const std::string hash = hash_password(with_nul, kFast);
  EXPECT_TRUE(verify_password(hash, with_nul));
  EXPECT_FALSE(verify_password(hash, "abc"));
  const std::string empty_hash = hash_password(std::string_view{}, kFast);
  EXPECT_TRUE(verify_password(empty_hash, ""));
  EXPECT_FALSE(verify_password(empty_hash, "x"));
}

TEST(Password, MalformedStoredHashesNeverVerify) {
  const std::string good = hash_password("a fine password", kFast);
  EXPECT_FALSE(verify_password("", "a fine password"));
  EXPECT_FALSE(verify_password("not a hash", "a fine password"));
  EXPECT_FALSE(verify_password("$argon2id$", "a fine password"));
  EXPECT_FALSE(verify_password(good.substr(0, good.size() - 5), "a fine password"));
  EXPECT_FALSE(verify_password(good + "AAAA", "a fine password"));
  EXPECT_FALSE(verify_password(good + "\0"s, "a fine password"));  // trailing NUL
  EXPECT_FALSE(verify_password(std::string(10'000, '$'), "a fine password"));
  // A bcrypt-style string from another system.
  EXPECT_FALSE(verify_password("$2b$12$abcdefghijklmnopqrstuuNkqZ3k5Rj1L/gg4pQUu8ePK5JcWkV2",
                               "a fine password"));
  // Changing one character of the digest breaks verification.
  std::string altered = good;
  altered.back() = altered.back() == 'A' ? 'B' : 'A';
  EXPECT_FALSE(verify_password(altered, "a fine password"));
}

TEST(Password, NeedsRehashWhenParametersChange) {
  const std::string hash = hash_password("a fine password", kFast);
  EXPECT_FALSE(password_needs_rehash(hash, kFast));
  EXPECT_TRUE(password_needs_rehash(hash, PasswordParams{kFast.opslimit + 1, kFast.memlimit}));
  EXPECT_TRUE(password_needs_rehash("garbage", kFast));
  EXPECT_TRUE(password_needs_rehash("", kFast));
}

TEST(Password, BurnVerifyTimeAcceptsAnyInput) {
  // Its point is timing, which a unit test must not assert; check it survives odd input.
  EXPECT_NO_THROW(burn_verify_time("some password"));
  EXPECT_NO_THROW(burn_verify_time(""));
  EXPECT_NO_THROW(burn_verify_time(std::string(5000, 'x')));
  EXPECT_NO_THROW(burn_verify_time("\xff\0\xfe"s));
}

TEST(PasswordPolicy, AcceptsReasonablePasswords) {
  EXPECT_EQ(password_policy_violation("correct horse"), std::nullopt);
  EXPECT_EQ(password_policy_violation("123456789012"), std::nullopt);  // exactly 12
  EXPECT_EQ(password_policy_violation(std::string(1024, 'x')), std::nullopt);
  // 12 two-byte characters.
  std::string accented;
  for (int i = 0; i < 12; ++i) accented += "\xc3\xa9";
  EXPECT_EQ(password_policy_violation(accented), std::nullopt);
}

TEST(PasswordPolicy, RejectsShortPasswords) {
  EXPECT_TRUE(password_policy_violation(""));
  const auto message = password_policy_violation("12345678901");  // 11
  ASSERT_TRUE(message);
  EXPECT_NE(message->find("at least 12"), std::string::npos) << *message;
  // Four 3-byte characters are 12 bytes but only 4 characters.
  EXPECT_TRUE(password_policy_violation("\xe6\x97\xa5\xe6\x97\xa5\xe6\x97\xa5\xe6\x97\xa5"));
}

TEST(PasswordPolicy, RejectsOverlongPasswords) {
  const auto message = password_policy_violation(std::string(1025, 'x'));
  ASSERT_TRUE(message);
  EXPECT_NE(message->find("1024"), std::string::npos) << *message;
}

TEST(PasswordPolicy, RejectsInvalidUtf8) {
  const auto message = password_policy_violation("twelve chars\xff");
  ASSERT_TRUE(message);
  EXPECT_NE(message->find("UTF-8"), std::string::npos) << *message;
  EXPECT_TRUE(password_policy_violation("overlong slash \xc0\xaf"));
  EXPECT_TRUE(password_policy_violation("surrogate here \xed\xa0\x80"));
}

}  // namespace
}  // namespace custos::auth
