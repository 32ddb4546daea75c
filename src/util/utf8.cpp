#include "util/utf8.hpp"

namespace custos::util {

bool is_valid_utf8(std::string_view text) {
  // Follows the table of well-formed byte sequences in the Unicode Standard (ch. 3, table
  // 3-7): the allowed range of the second byte depends on the first, which is what rules out
  // overlongs, surrogates and code points beyond U+10FFFF without decoding the code point.
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  const auto* const end = p + text.size();
  auto is_continuation = [](unsigned char b) { return (b & 0xC0) == 0x80; };
  while (p < end) {
    const unsigned char b0 = *p;
    if (b0 < 0x80) {
      ++p;
      continue;
    }
    int length = 0;
    unsigned char second_min = 0x80;
    unsigned char second_max = 0xBF;
    if (b0 >= 0xC2 && b0 <= 0xDF) {
      length = 2;  // 0xC0 and 0xC1 would only encode ASCII: overlong
    } else if (b0 == 0xE0) {
      length = 3;
      second_min = 0xA0;  // below is overlong
    } else if (b0 == 0xED) {
      length = 3;
      second_max = 0x9F;  // above is U+D800..U+DFFF, the surrogates
    } else if (b0 >= 0xE1 && b0 <= 0xEF) {
      length = 3;
    } else if (b0 == 0xF0) {
      length = 4;
      second_min = 0x90;  // below is overlong
    } else if (b0 >= 0xF1 && b0 <= 0xF3) {
      length = 4;
    } else if (b0 == 0xF4) {
      length = 4;
      second_max = 0x8F;  // above is beyond U+10FFFF
    } else {
      return false;  // continuation byte without a lead, or 0xF5..0xFF
    }
    if (end - p < length) return false;
    if (p[1] < second_min || p[1] > second_max) return false;
    for (int i = 2; i < length; ++i) {
      if (!is_continuation(p[i])) return false;
    }
    p += length;
  }
  return true;
}

}  // namespace custos::util
