#include "util/utf8.hpp"

#include <gtest/gtest.h>

#include <string>

namespace custos::util {
namespace {

using namespace std::string_literals;

TEST(Utf8, AcceptsWellFormedText) {
  EXPECT_TRUE(is_valid_utf8(""));
  EXPECT_TRUE(is_valid_utf8("plain ascii"));
  EXPECT_TRUE(is_valid_utf8("nul \0 inside"s));
  EXPECT_TRUE(is_valid_utf8("\xc3\xa9t\xc3\xa9"));         // "été"
  EXPECT_TRUE(is_valid_utf8("\xe2\x82\xac"));              // U+20AC euro sign
  EXPECT_TRUE(is_valid_utf8("\xf0\x9f\x94\x92"));          // U+1F512 lock emoji
  EXPECT_TRUE(is_valid_utf8("\xe6\x97\xa5\xe6\x9c\xac"));  // "日本"
}

TEST(Utf8, AcceptsBoundaryCodePoints) {
  EXPECT_TRUE(is_valid_utf8("\x7f"));              // U+007F, last 1-byte
  EXPECT_TRUE(is_valid_utf8("\xc2\x80"));          // U+0080, first 2-byte
  EXPECT_TRUE(is_valid_utf8("\xdf\xbf"));          // U+07FF, last 2-byte
  EXPECT_TRUE(is_valid_utf8("\xe0\xa0\x80"));      // U+0800, first 3-byte
  EXPECT_TRUE(is_valid_utf8("\xed\x9f\xbf"));      // U+D7FF, just below the surrogates
  EXPECT_TRUE(is_valid_utf8("\xee\x80\x80"));      // U+E000, just above them
  EXPECT_TRUE(is_valid_utf8("\xef\xbf\xbf"));      // U+FFFF
  EXPECT_TRUE(is_valid_utf8("\xf0\x90\x80\x80"));  // U+10000, first 4-byte
  EXPECT_TRUE(is_valid_utf8("\xf4\x8f\xbf\xbf"));  // U+10FFFF, the last code point
}

TEST(Utf8, RejectsOverlongEncodings) {
  EXPECT_FALSE(is_valid_utf8("\xc0\xaf"));          // '/' in two bytes
  EXPECT_FALSE(is_valid_utf8("\xc1\xbf"));          // U+007F in two bytes
  EXPECT_FALSE(is_valid_utf8("\xc0\x80"));          // NUL in two bytes ("modified UTF-8")
  EXPECT_FALSE(is_valid_utf8("\xe0\x80\xaf"));      // '/' in three bytes
  EXPECT_FALSE(is_valid_utf8("\xe0\x9f\xbf"));      // U+07FF in three bytes
  EXPECT_FALSE(is_valid_utf8("\xf0\x80\x80\xaf"));  // '/' in four bytes
  EXPECT_FALSE(is_valid_utf8("\xf0\x8f\xbf\xbf"));  // U+FFFF in four bytes
}

TEST(Utf8, RejectsSurrogates) {
  EXPECT_FALSE(is_valid_utf8("\xed\xa0\x80"));  // U+D800
  EXPECT_FALSE(is_valid_utf8("\xed\xbf\xbf"));  // U+DFFF
  // A CESU-8 style surrogate pair for U+1F512.
  EXPECT_FALSE(is_valid_utf8("\xed\xa0\xbd\xed\xb4\x92"));
}

TEST(Utf8, RejectsCodePointsBeyondUnicode) {
  EXPECT_FALSE(is_valid_utf8("\xf4\x90\x80\x80"));  // U+110000
  EXPECT_FALSE(is_valid_utf8("\xf5\x80\x80\x80"));
  EXPECT_FALSE(is_valid_utf8("\xf7\xbf\xbf\xbf"));
  EXPECT_FALSE(is_valid_utf8("\xf8\x88\x80\x80\x80"));  // old 5-byte form
  EXPECT_FALSE(is_valid_utf8("\xfc\x84\x80\x80\x80\x80"));
  EXPECT_FALSE(is_valid_utf8("\xfe"));
  EXPECT_FALSE(is_valid_utf8("\xff"));
}

TEST(Utf8, RejectsBrokenSequences) {
  EXPECT_FALSE(is_valid_utf8("\x80"));              // lone continuation byte
  EXPECT_FALSE(is_valid_utf8("a\xbf\x62"));         // continuation byte between letters
  EXPECT_FALSE(is_valid_utf8("\xc3"));              // truncated 2-byte at end
  EXPECT_FALSE(is_valid_utf8("\xe2\x82"));          // truncated 3-byte at end
  EXPECT_FALSE(is_valid_utf8("\xf0\x9f\x94"));      // truncated 4-byte at end
  EXPECT_FALSE(is_valid_utf8("\xc3(x"));            // lead followed by ASCII
  EXPECT_FALSE(is_valid_utf8("\xe2\x28\xa1"));      // bad second byte
  EXPECT_FALSE(is_valid_utf8("\xe2\x82\x28"));      // bad third byte
  EXPECT_FALSE(is_valid_utf8("\xf0\x9f\x94\x28"));  // bad fourth byte
  EXPECT_FALSE(is_valid_utf8("\xc3\xa9\xc3"));      // valid then truncated
  EXPECT_FALSE(is_valid_utf8("\xe2\x82\xac\xac"));  // extra continuation byte
}

}  // namespace
}  // namespace custos::util
