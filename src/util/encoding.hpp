#pragma once
// Text encodings for binary data: hex (digests, keys), base64url (tokens in URLs and
// cookies) and base32 (TOTP secrets, which people type in by hand).
//
// Decoders return std::nullopt on any malformed input rather than throwing, because their
// input usually comes from a request and a bad value is an expected outcome, not a failure.
#include <optional>
#include <string>
#include <string_view>

namespace custos::util {

// Lower-case hex, two characters per byte.
[[nodiscard]] std::string hex_encode(std::string_view bytes);
// Accepts upper and lower case; rejects odd lengths and non-hex characters.
[[nodiscard]] std::optional<std::string> hex_decode(std::string_view hex);

// RFC 4648 §5 alphabet ('-' and '_'), without '=' padding.
[[nodiscard]] std::string base64url_encode(std::string_view bytes);
// Accepts input with or without correct '=' padding. Rejects characters outside the url-safe
// alphabet (including '+' and '/'), misplaced or excess padding, impossible lengths, and
// non-zero trailing bits, so that each byte string has exactly one accepted encoding
// (apart from the optional padding).
[[nodiscard]] std::optional<std::string> base64url_decode(std::string_view text);

// RFC 4648 §6 alphabet, upper case, without '=' padding.
[[nodiscard]] std::string base32_encode(std::string_view bytes);
// Case-insensitive; ignores spaces and '=' anywhere (authenticator apps and people format
// secrets in groups), rejects every other character and lengths no encoder can produce.
[[nodiscard]] std::optional<std::string> base32_decode(std::string_view text);

}  // namespace custos::util
