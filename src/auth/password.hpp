#pragma once
// Password hashing with Argon2id (libsodium's crypto_pwhash), plus the policy check applied
// when a password is set. Hashes are self-describing PHC strings ("$argon2id$v=19$m=...,t=...,
// p=1$salt$hash"), so parameters can be raised later without breaking existing hashes.
#include <sodium.h>

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace custos::auth {

struct PasswordParams {
  unsigned long long opslimit;
  std::size_t memlimit;

  // libsodium's recommendation for interactive logins: 2 passes over 64 MiB.
  [[nodiscard]] static constexpr PasswordParams interactive() {
    return {crypto_pwhash_OPSLIMIT_INTERACTIVE, crypto_pwhash_MEMLIMIT_INTERACTIVE};
  }
  // libsodium's "moderate": 3 passes over 256 MiB, for sites that sign in rarely.
  [[nodiscard]] static constexpr PasswordParams moderate() {
    return {crypto_pwhash_OPSLIMIT_MODERATE, crypto_pwhash_MEMLIMIT_MODERATE};
  }
  // The cheapest parameters libsodium accepts. Only for tests: they offer no real protection.
  [[nodiscard]] static constexpr PasswordParams for_tests() {
    return {crypto_pwhash_OPSLIMIT_MIN, crypto_pwhash_MEMLIMIT_MIN};
  }
};

// Argon2id hash with a fresh random salt. Throws std::runtime_error if libsodium fails,
// which in practice means the memory limit could not be allocated.
[[nodiscard]] std::string hash_password(std::string_view password,
                                        PasswordParams params = PasswordParams::interactive());

// True only if `stored_hash` is a well-formed libsodium Argon2 string and `password` matches
// it. Malformed or empty stored hashes yield false; never throws.
[[nodiscard]] bool verify_password(std::string_view stored_hash, std::string_view password);

// True if `stored_hash` was made with parameters other than `params` (or is malformed), so the
// caller should re-hash the password it has just verified and store the new hash.
[[nodiscard]] bool password_needs_rehash(std::string_view stored_hash,
                                         PasswordParams params = PasswordParams::interactive());

// Spends as much time as verify_password() on a hash made with interactive parameters, and
// discards the result. Call it when a login names an unknown user so that response times do
// not reveal which usernames exist. The dummy hash is made on first use (so the very first
// call costs about twice as much; call it once at startup to avoid that). Throws only if that
// dummy hash cannot be made (out of memory); the next call then tries again.
void burn_verify_time(std::string_view password);

// A message fit to show the user if `password` may not be set, std::nullopt if it may.
// Rules: valid UTF-8; at least 12 characters (Unicode code points, so that a password of four
// 3-byte characters does not pass as "12 long"); at most 1024 bytes (Argon2 cost does not
// depend on length, but request bodies and memory use should stay bounded).
[[nodiscard]] std::optional<std::string> password_policy_violation(std::string_view password);

inline constexpr std::size_t kMinPasswordChars = 12;
inline constexpr std::size_t kMaxPasswordBytes = 1024;

}  // namespace custos::auth
