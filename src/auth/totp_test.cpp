#include "auth/totp.hpp"

#include <gtest/gtest.h>

#include <cctype>
#include <string>

#include "util/encoding.hpp"

namespace custos::auth {
namespace {

// RFC 6238 Appendix B uses the ASCII secret "12345678901234567890" for SHA1.
const std::string kRfcSecret = util::base32_encode("12345678901234567890");

struct RfcVector {
  std::int64_t unix_seconds;
  std::string eight_digits;
};
// Appendix B, SHA1 column. We emit 6 digits, which are the last 6 of these (both are the
// truncated value modulo a power of ten).
const RfcVector kRfc6238Sha1[] = {
    {59, "94287082"},         {1111111109, "07081804"}, {1111111111, "14050471"},
    {1234567890, "89005924"}, {2000000000, "69279037"}, {20000000000, "65353130"},
};

TEST(Totp, Rfc6238Sha1Vectors) {
  for (const auto& v : kRfc6238Sha1) {
    SCOPED_TRACE(v.unix_seconds);
    const std::string expected = v.eight_digits.substr(2);
    EXPECT_EQ(totp_code(kRfcSecret, totp_step(v.unix_seconds)), expected);
    const auto matched = verify_totp(kRfcSecret, expected, v.unix_seconds, -1);
    EXPECT_EQ(matched, totp_step(v.unix_seconds));
  }
}

TEST(Totp, StepIsFloorOfThirtySeconds) {
  EXPECT_EQ(totp_step(0), 0);
  EXPECT_EQ(totp_step(29), 0);
  EXPECT_EQ(totp_step(30), 1);
  EXPECT_EQ(totp_step(59), 1);
  EXPECT_EQ(totp_step(1111111109), 37037036);
  EXPECT_EQ(totp_step(-1), -1);
  EXPECT_EQ(totp_step(-30), -1);
  EXPECT_EQ(totp_step(-31), -2);
}

TEST(Totp, CodesAreZeroPadded) {
  // 1234567890 gives 89005924 in the RFC: the 6-digit code starts with two zeros.
  EXPECT_EQ(totp_code(kRfcSecret, totp_step(1234567890)), "005924");
}

TEST(Totp, SecretFormatting) {
  const std::string secret = generate_totp_secret();
  EXPECT_EQ(secret.size(), 32u);
  const auto raw = util::base32_decode(secret);
  ASSERT_TRUE(raw);
  EXPECT_EQ(raw->size(), 20u);
  EXPECT_NE(generate_totp_secret(), secret);
  // Lower case and grouping, as people type secrets in, give the same codes.
  std::string spaced;
  for (std::size_t i = 0; i < kRfcSecret.size(); ++i) {
    if (i > 0 && i % 4 == 0) spaced += ' ';
    spaced += static_cast<char>(std::tolower(static_cast<unsigned char>(kRfcSecret[i])));
  }
  EXPECT_EQ(totp_code(spaced, 1), "287082");
}

TEST(Totp, RejectsUnusableSecretsAndSteps) {
  EXPECT_FALSE(totp_code("", 1));
  EXPECT_FALSE(totp_code("not base32!", 1));
  EXPECT_FALSE(totp_code(kRfcSecret, -1));
  EXPECT_FALSE(verify_totp("", "287082", 59, -1));
  EXPECT_FALSE(verify_totp("0189", "287082", 59, -1));
}

TEST(Totp, RejectsCodesThatAreNotSixAsciiDigits) {
  const std::int64_t now = 59;
  ASSERT_TRUE(verify_totp(kRfcSecret, "287082", now, -1));
  EXPECT_FALSE(verify_totp(kRfcSecret, "", now, -1));
  EXPECT_FALSE(verify_totp(kRfcSecret, "28708", now, -1));
  EXPECT_FALSE(verify_totp(kRfcSecret, "2870820", now, -1));
  EXPECT_FALSE(verify_totp(kRfcSecret, "94287082", now, -1));  // the 8-digit form
  EXPECT_FALSE(verify_totp(kRfcSecret, " 287082", now, -1));
  EXPECT_FALSE(verify_totp(kRfcSecret, "287082 ", now, -1));
  EXPECT_FALSE(verify_totp(kRfcSecret, "287 082", now, -1));
  EXPECT_FALSE(verify_totp(kRfcSecret, "+87082", now, -1));
  EXPECT_FALSE(verify_totp(kRfcSecret, "28708a", now, -1));
  EXPECT_FALSE(verify_totp(kRfcSecret, "\xd9\xa2\xd9\xa8\xd9\xa7", now, -1));  // Arabic-Indic
  using namespace std::string_literals;
  EXPECT_FALSE(verify_totp(kRfcSecret, "287082\0"s, now, -1));
}

TEST(Totp, WindowAllowsOneStepOfDriftEachWay) {
  const std::int64_t now = 1234567890;
  const std::int64_t step = totp_step(now);
  const auto code_at = [](std::int64_t s) { return *totp_code(kRfcSecret, s); };

  EXPECT_EQ(verify_totp(kRfcSecret, code_at(step - 1), now, -1), step - 1);
  EXPECT_EQ(verify_totp(kRfcSecret, code_at(step + 1), now, -1), step + 1);
  EXPECT_FALSE(verify_totp(kRfcSecret, code_at(step - 2), now, -1));
  EXPECT_FALSE(verify_totp(kRfcSecret, code_at(step + 2), now, -1));

  // A wider window reaches further; window 0 accepts only the current step.
  EXPECT_EQ(verify_totp(kRfcSecret, code_at(step - 2), now, -1, 2), step - 2);
  EXPECT_EQ(verify_totp(kRfcSecret, code_at(step), now, -1, 0), step);
  EXPECT_FALSE(verify_totp(kRfcSecret, code_at(step - 1), now, -1, 0));
  EXPECT_FALSE(verify_totp(kRfcSecret, code_at(step), now, -1, -1));

  // The window is in steps, not seconds: the last second of a step still sees the next one.
  EXPECT_EQ(verify_totp(kRfcSecret, code_at(step + 1), step * 30 + 29, -1), step + 1);
  EXPECT_FALSE(verify_totp(kRfcSecret, code_at(step + 1), step * 30 - 1, -1));
}

TEST(Totp, RejectsReplayedCodes) {
  const std::int64_t now = 2000000000;
  const std::string code = "279037";
  const auto first = verify_totp(kRfcSecret, code, now, -1);
  ASSERT_TRUE(first);
  // The same code again, even a few seconds later within the same step, is refused.
  EXPECT_FALSE(verify_totp(kRfcSecret, code, now, *first));
  EXPECT_FALSE(verify_totp(kRfcSecret, code, now + 10, *first));
  // ...and also once it has slid into the "previous step" part of the window.
  EXPECT_FALSE(verify_totp(kRfcSecret, code, now + 30, *first));
  // An older code that is still inside the window is refused once a newer one was used.
  const std::string previous = *totp_code(kRfcSecret, *first - 1);
  EXPECT_FALSE(verify_totp(kRfcSecret, previous, now, *first));
  // The next step's code is still accepted.
  const std::string next = *totp_code(kRfcSecret, *first + 1);
  EXPECT_EQ(verify_totp(kRfcSecret, next, now + 30, *first), *first + 1);
}

TEST(Totp, OtpauthUri) {
  EXPECT_EQ(otpauth_uri("Custos", "alice@example.org", "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"),
            "otpauth://totp/Custos:alice%40example.org?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
            "&issuer=Custos&algorithm=SHA1&digits=6&period=30");
  // Characters with meaning in a URI, spaces and non-ASCII are percent-encoded.
  EXPECT_EQ(otpauth_uri("ACME Co: SOC", "bob/ops?x=1&y=\xc3\xa9#", "gezd gnbv=="),
            "otpauth://totp/ACME%20Co%3A%20SOC:bob%2Fops%3Fx%3D1%26y%3D%C3%A9%23"
            "?secret=GEZDGNBV&issuer=ACME%20Co%3A%20SOC&algorithm=SHA1&digits=6&period=30");
  EXPECT_EQ(otpauth_uri("", "carol", "MZXW6"),
            "otpauth://totp/carol?secret=MZXW6&algorithm=SHA1&digits=6&period=30");
}

}  // namespace
}  // namespace custos::auth
