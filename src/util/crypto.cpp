#include "util/crypto.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <stdexcept>

#include "util/encoding.hpp"

namespace custos::util {
namespace {

const unsigned char* bytes_of(std::string_view s) {
  // string_view{} has a null data(); the C APIs below want a valid pointer even for length 0.
  static const unsigned char kEmpty = 0;
  return s.empty() ? &kEmpty : reinterpret_cast<const unsigned char*>(s.data());
}

}  // namespace

void ensure_sodium() {
  // A function-local static is initialised exactly once even under concurrent first calls;
  // if the initialiser throws, the next call tries again.
  static const bool initialised = [] {
    if (sodium_init() < 0) throw std::runtime_error("libsodium could not be initialised");
    return true;
  }();
  (void)initialised;
}

std::string random_bytes(std::size_t n) {
  ensure_sodium();
  std::string out(n, '\0');
  if (n > 0) randombytes_buf(out.data(), n);
  return out;
}

std::string random_token(std::size_t n_bytes) {
  std::string raw = random_bytes(n_bytes);
  std::string token = base64url_encode(raw);
  sodium_memzero(raw.data(), raw.size());
  return token;
}

std::string sha256(std::string_view data) {
  std::string out(crypto_hash_sha256_BYTES, '\0');
  crypto_hash_sha256(reinterpret_cast<unsigned char*>(out.data()), bytes_of(data), data.size());
  return out;
}

std::string sha256_hex(std::string_view data) { return hex_encode(sha256(data)); }

std::string sha512_hex(std::string_view data) {
  unsigned char digest[crypto_hash_sha512_BYTES];
  crypto_hash_sha512(digest, bytes_of(data), data.size());
  return hex_encode(std::string_view(reinterpret_cast<const char*>(digest), sizeof digest));
}

std::string hmac_sha1(std::string_view key, std::string_view msg) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int mac_len = 0;
  if (HMAC(EVP_sha1(), bytes_of(key), static_cast<int>(key.size()), bytes_of(msg), msg.size(), mac,
           &mac_len) == nullptr) {
    throw std::runtime_error("HMAC-SHA1 failed");
  }
  return std::string(reinterpret_cast<const char*>(mac), mac_len);
}

bool constant_time_equal(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  if (a.empty()) return true;
  return sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

Sha256Hasher::Sha256Hasher() { crypto_hash_sha256_init(&state_); }

Sha256Hasher& Sha256Hasher::update(std::string_view data) {
  crypto_hash_sha256_update(&state_, bytes_of(data), data.size());
  return *this;
}

std::string Sha256Hasher::finish() {
  std::string out(crypto_hash_sha256_BYTES, '\0');
  crypto_hash_sha256_final(&state_, reinterpret_cast<unsigned char*>(out.data()));
  crypto_hash_sha256_init(&state_);
  return out;
}

std::string Sha256Hasher::finish_hex() { return hex_encode(finish()); }

}  // namespace custos::util
