#pragma once
// Thin, hard-to-misuse wrappers over libsodium (randomness, SHA-2, constant-time compare)
// and OpenSSL (HMAC-SHA1, which libsodium lacks and TOTP needs). Byte strings travel as
// std::string / std::string_view holding raw bytes; the *_hex variants return lower-case hex.
#include <sodium.h>

#include <cstddef>
#include <string>
#include <string_view>

namespace custos::util {

// Initialises libsodium once per process. Safe to call from any thread, any number of times;
// every function here calls it, so callers only need it before using libsodium directly.
// Throws std::runtime_error if libsodium cannot initialise (e.g. no entropy source).
void ensure_sodium();

// n bytes from the operating system's CSPRNG.
[[nodiscard]] std::string random_bytes(std::size_t n);
// base64url (unpadded) of n_bytes random bytes: for session ids, API tokens, CSRF tokens.
// 32 bytes gives 256 bits of entropy in 43 characters.
[[nodiscard]] std::string random_token(std::size_t n_bytes = 32);

// Raw 32-byte digest.
[[nodiscard]] std::string sha256(std::string_view data);
[[nodiscard]] std::string sha256_hex(std::string_view data);
[[nodiscard]] std::string sha512_hex(std::string_view data);

// Raw 20-byte HMAC-SHA1 (RFC 2104). Only for protocols that mandate it, such as TOTP.
[[nodiscard]] std::string hmac_sha1(std::string_view key, std::string_view msg);

// Compares contents in time independent of where they differ, so that secrets (tokens, MACs,
// codes) cannot be guessed byte by byte from response times. Different lengths return false
// immediately: lengths of the values compared here are public.
[[nodiscard]] bool constant_time_equal(std::string_view a, std::string_view b);

// Incremental SHA-256 for data that arrives in pieces (uploads, files, audit exports).
// After finish()/finish_hex() the hasher is reset and can hash a new message.
class Sha256Hasher {
 public:
  Sha256Hasher();
  Sha256Hasher& update(std::string_view data);
  [[nodiscard]] std::string finish();
  [[nodiscard]] std::string finish_hex();

 private:
  crypto_hash_sha256_state state_;
};

}  // namespace custos::util
