#include "auth/password.hpp"

#include <semaphore>
#include <stdexcept>

#include "util/crypto.hpp"
#include "util/utf8.hpp"

namespace custos::auth {
namespace {

// libsodium's verify and needs_rehash read the stored hash as a NUL-terminated C string.
// Copy it into a bounded buffer; anything too long or containing a NUL cannot be a hash we
// made, and rejecting it up front keeps libsodium from reading past the view.
std::optional<std::string> as_hash_cstring(std::string_view stored_hash) {
  if (stored_hash.empty() || stored_hash.size() >= crypto_pwhash_STRBYTES) return std::nullopt;
  if (stored_hash.find('\0') != std::string_view::npos) return std::nullopt;
  return std::string(stored_hash);
}

// Each Argon2id run takes 64 MiB or more. Bounding how many run at once keeps a burst of
// sign-ins (or an attacker's flood) from exhausting memory; the others queue briefly.
std::counting_semaphore<> argon2_slots{2};

struct Argon2Slot {
  Argon2Slot() { argon2_slots.acquire(); }
  ~Argon2Slot() { argon2_slots.release(); }
  Argon2Slot(const Argon2Slot&) = delete;
  Argon2Slot& operator=(const Argon2Slot&) = delete;
};

// string_view{} has a null data(); give libsodium a valid pointer even for an empty password.
const char* chars_of(std::string_view s) { return s.empty() ? "" : s.data(); }

}  // namespace

std::string hash_password(std::string_view password, PasswordParams params) {
  util::ensure_sodium();
  char out[crypto_pwhash_STRBYTES];
  const Argon2Slot slot;
  if (crypto_pwhash_str_alg(out, chars_of(password), password.size(), params.opslimit,
                            params.memlimit, crypto_pwhash_ALG_ARGON2ID13) != 0) {
    throw std::runtime_error("password hashing failed (out of memory or invalid parameters)");
  }
  return std::string(out);
}

bool verify_password(std::string_view stored_hash, std::string_view password) {
  const auto hash = as_hash_cstring(stored_hash);
  if (!hash) return false;
  try {
    util::ensure_sodium();
  } catch (const std::exception&) {
    return false;
  }
  const Argon2Slot slot;
  return crypto_pwhash_str_verify(hash->c_str(), chars_of(password), password.size()) == 0;
}

bool password_needs_rehash(std::string_view stored_hash, PasswordParams params) {
  const auto hash = as_hash_cstring(stored_hash);
  if (!hash) return true;
  // The Argon2id-specific call, not the generic one: the generic one would report an Argon2i
  // hash with matching parameters as current, and we want those upgraded too. It returns 0 if
  // the parameters match, 1 if they differ and -1 if the string is malformed or not Argon2id:
  // all but 0 call for a new hash.
  return crypto_pwhash_argon2id_str_needs_rehash(hash->c_str(), params.opslimit, params.memlimit) !=
         0;
}

void burn_verify_time(std::string_view password) {
  // Made once, thread-safely. The password behind it is random and discarded, so no login can
  // ever succeed against it even if this were misused as a real account's hash.
  static const std::string dummy_hash = [] {
    std::string secret = util::random_token(32);
    std::string hash = hash_password(secret, PasswordParams::interactive());
    sodium_memzero(secret.data(), secret.size());
    return hash;
  }();
  [[maybe_unused]] const bool matched = verify_password(dummy_hash, password);
}

std::optional<std::string> password_policy_violation(std::string_view password) {
  if (password.size() > kMaxPasswordBytes) {
    return "password must be at most " + std::to_string(kMaxPasswordBytes) + " bytes long";
  }
  if (!util::is_valid_utf8(password)) return "password must be valid UTF-8 text";
  std::size_t code_points = 0;
  for (const char c : password) {
    // Every code point has exactly one byte that is not a continuation byte (10xxxxxx).
    if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++code_points;
  }
  if (code_points < kMinPasswordChars) {
    return "password must be at least " + std::to_string(kMinPasswordChars) + " characters long";
  }
  return std::nullopt;
}

}  // namespace custos::auth
