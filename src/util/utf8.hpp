#pragma once
// Strict UTF-8 validation (RFC 3629). Used wherever text from outside must be well-formed
// before we hash, store or compare it: the same password typed on two systems must produce
// the same bytes, and malformed sequences are a classic way to smuggle look-alike strings.
#include <string_view>

namespace custos::util {

// True if `text` is well-formed UTF-8: rejects overlong encodings, UTF-16 surrogates
// (U+D800..U+DFFF), code points above U+10FFFF, stray continuation bytes and truncated
// sequences. NUL bytes are valid UTF-8 and are accepted.
[[nodiscard]] bool is_valid_utf8(std::string_view text);

}  // namespace custos::util
