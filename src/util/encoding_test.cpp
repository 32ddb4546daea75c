#include "util/encoding.hpp"

#include <gtest/gtest.h>

#include <string>

namespace custos::util {
namespace {

using namespace std::string_literals;

// RFC 4648 §10 test vectors; the inputs are the prefixes of "foobar".
struct Vector {
  std::string plain, base64url_unpadded, base64url_padded, base32;
};
const Vector kRfc4648[] = {
    {"", "", "", ""},
    {"f", "Zg", "Zg==", "MY"},
    {"fo", "Zm8", "Zm8=", "MZXQ"},
    {"foo", "Zm9v", "Zm9v", "MZXW6"},
    {"foob", "Zm9vYg", "Zm9vYg==", "MZXW6YQ"},
    {"fooba", "Zm9vYmE", "Zm9vYmE=", "MZXW6YTB"},
    {"foobar", "Zm9vYmFy", "Zm9vYmFy", "MZXW6YTBOI"},
};

TEST(Hex, Rfc4648Vectors) {
  // RFC 4648 §10 base16 vectors, in lower case as we emit it.
  EXPECT_EQ(hex_encode(""), "");
  EXPECT_EQ(hex_encode("f"), "66");
  EXPECT_EQ(hex_encode("foobar"), "666f6f626172");
  EXPECT_EQ(hex_decode("666F6F626172"), "foobar");
  EXPECT_EQ(hex_decode("666f6f626172"), "foobar");
  EXPECT_EQ(hex_decode(""), "");
}

TEST(Hex, RoundTripsEveryByte) {
  std::string all;
  for (int i = 0; i < 256; ++i) all += static_cast<char>(i);
  const std::string hex = hex_encode(all);
  EXPECT_EQ(hex.size(), 512u);
  EXPECT_EQ(hex.substr(0, 6), "000102");
  EXPECT_EQ(hex.substr(506), "fdfeff");
  EXPECT_EQ(hex_decode(hex), all);
}

TEST(Hex, RejectsMalformed) {
  EXPECT_FALSE(hex_decode("6"));
  EXPECT_FALSE(hex_decode("6g"));
  EXPECT_FALSE(hex_decode("zz"));
  EXPECT_FALSE(hex_decode(" 66"));
  EXPECT_FALSE(hex_decode("66\n"));
  EXPECT_FALSE(hex_decode("0x66"));
  EXPECT_FALSE(hex_decode("6\0"s));
}

TEST(Base64Url, Rfc4648Vectors) {
  for (const auto& v : kRfc4648) {
    SCOPED_TRACE(v.plain);
    EXPECT_EQ(base64url_encode(v.plain), v.base64url_unpadded);
    EXPECT_EQ(base64url_decode(v.base64url_unpadded), v.plain);
    EXPECT_EQ(base64url_decode(v.base64url_padded), v.plain);
  }
}

TEST(Base64Url, UsesUrlSafeAlphabet) {
  // 0xfb 0xff 0xbf encodes to "+/+/" in standard base64.
  EXPECT_EQ(base64url_encode("\xfb\xff\xbf"), "-_-_");
  EXPECT_EQ(base64url_decode("-_-_"), "\xfb\xff\xbf");
  EXPECT_FALSE(base64url_decode("+/+/"));
}

TEST(Base64Url, RoundTripsEveryLength) {
  std::string data;
  for (int i = 0; i < 100; ++i) {
    EXPECT_EQ(base64url_decode(base64url_encode(data)), data) << "length " << i;
    data += static_cast<char>(i * 37 + 11);
  }
}

TEST(Base64Url, RejectsMalformed) {
  EXPECT_FALSE(base64url_decode("Z"));         // 6 bits cannot make a byte
  EXPECT_FALSE(base64url_decode("Zm9vY"));     // same, after a full quantum
  EXPECT_FALSE(base64url_decode("Zg="));       // padding that does not complete a quantum
  EXPECT_FALSE(base64url_decode("Zg==="));     // excess padding
  EXPECT_FALSE(base64url_decode("Z==="));      // three '='
  EXPECT_FALSE(base64url_decode("===="));      // only padding
  EXPECT_FALSE(base64url_decode("Zg==Zg=="));  // padding in the middle
  EXPECT_FALSE(base64url_decode("Zm9v\n"));    // whitespace
  EXPECT_FALSE(base64url_decode("Zm 9v"));     // whitespace
  EXPECT_FALSE(base64url_decode("Zm9v!"));     // punctuation
  EXPECT_FALSE(base64url_decode("Zh"));        // non-zero trailing bits ("Zg" is canonical)
  EXPECT_FALSE(base64url_decode("Zm9"s + '\0'));
}

TEST(Base32, Rfc4648Vectors) {
  for (const auto& v : kRfc4648) {
    SCOPED_TRACE(v.plain);
    EXPECT_EQ(base32_encode(v.plain), v.base32);
    EXPECT_EQ(base32_decode(v.base32), v.plain);
  }
  // The RFC's padded forms decode too.
  EXPECT_EQ(base32_decode("MY======"), "f");
  EXPECT_EQ(base32_decode("MZXW6YQ="), "foob");
  EXPECT_EQ(base32_decode("MZXW6YTBOI======"), "foobar");
}

TEST(Base32, IsCaseInsensitiveAndIgnoresSpaces) {
  EXPECT_EQ(base32_decode("mzxw6ytboi"), "foobar");
  EXPECT_EQ(base32_decode("mzxw 6ytb oi"), "foobar");
  EXPECT_EQ(base32_decode("  MzXw6YtBoI  "), "foobar");
  // A 20-byte TOTP secret as authenticator apps show it, in groups of four.
  const std::string secret = "12345678901234567890";
  const std::string encoded = base32_encode(secret);
  EXPECT_EQ(encoded, "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
  EXPECT_EQ(base32_decode("gezd gnbv gy3t qojq gezd gnbv gy3t qojq"), secret);
}

TEST(Base32, RoundTripsEveryLength) {
  std::string data;
  for (int i = 0; i < 100; ++i) {
    EXPECT_EQ(base32_decode(base32_encode(data)), data) << "length " << i;
    data += static_cast<char>(i * 53 + 7);
  }
}

TEST(Base32, RejectsMalformed) {
  EXPECT_FALSE(base32_decode("MZXW6YTB0I"));  // '0' is not in the alphabet
  EXPECT_FALSE(base32_decode("MZXW6YTB1I"));  // nor '1'
  EXPECT_FALSE(base32_decode("MZXW6YTB8I"));  // nor '8'
  EXPECT_FALSE(base32_decode("MZXW-6YTB"));   // hyphens are not ignored
  EXPECT_FALSE(base32_decode("MZXW\t6YTB"));  // only spaces are
  EXPECT_FALSE(base32_decode("MZXW6YTB\n"));
  EXPECT_FALSE(base32_decode("M"));    // 1 symbol: 5 bits, no byte
  EXPECT_FALSE(base32_decode("MZX"));  // 3 symbols: no byte string has this length
  EXPECT_FALSE(base32_decode("MZXW6Y"));
  EXPECT_FALSE(base32_decode("\xc3\xa9"));
}

}  // namespace
}  // namespace custos::util
