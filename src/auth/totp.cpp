#include "auth/totp.hpp"

#include <sodium.h>

#include <array>

#include "util/crypto.hpp"
#include "util/encoding.hpp"

namespace custos::auth {
namespace {

constexpr std::uint32_t kModulus = 1'000'000;  // 10^kTotpDigits

// RFC 4226 HOTP: HMAC-SHA1 over the big-endian counter, then "dynamic truncation".
std::string hotp(std::string_view key, std::uint64_t counter) {
  std::array<char, 8> message{};
  for (int i = 7; i >= 0; --i) {
    message[i] = static_cast<char>(counter & 0xff);
    counter >>= 8;
  }
  const std::string mac = util::hmac_sha1(key, std::string_view(message.data(), message.size()));
  const auto byte = [&mac](std::size_t i) {
    return static_cast<std::uint32_t>(static_cast<unsigned char>(mac[i]));
  };
  const std::size_t offset = byte(mac.size() - 1) & 0x0f;
  const std::uint32_t binary = ((byte(offset) & 0x7f) << 24) | (byte(offset + 1) << 16) |
                               (byte(offset + 2) << 8) | byte(offset + 3);
  std::uint32_t value = binary % kModulus;
  std::string code(kTotpDigits, '0');
  for (int i = kTotpDigits - 1; i >= 0; --i) {
    code[i] = static_cast<char>('0' + value % 10);
    value /= 10;
  }
  return code;
}

bool is_six_ascii_digits(std::string_view code) {
  if (code.size() != static_cast<std::size_t>(kTotpDigits)) return false;
  for (const char c : code) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

std::string percent_encode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    const auto b = static_cast<unsigned char>(c);
    const bool unreserved = (b >= 'A' && b <= 'Z') || (b >= 'a' && b <= 'z') ||
                            (b >= '0' && b <= '9') || b == '-' || b == '.' || b == '_' || b == '~';
    if (unreserved) {
      out += c;
    } else {
      out += '%';
      out += kHex[b >> 4];
      out += kHex[b & 0x0f];
    }
  }
  return out;
}

}  // namespace

std::string generate_totp_secret() {
  std::string key = util::random_bytes(20);
  std::string secret = util::base32_encode(key);
  sodium_memzero(key.data(), key.size());
  return secret;
}

std::int64_t totp_step(std::int64_t unix_seconds) {
  std::int64_t step = unix_seconds / kTotpStepSeconds;
  if (unix_seconds % kTotpStepSeconds < 0) --step;  // round towards minus infinity
  return step;
}

std::optional<std::string> totp_code(std::string_view base32_secret, std::int64_t step) {
  if (step < 0) return std::nullopt;
  auto key = util::base32_decode(base32_secret);
  if (!key || key->empty()) return std::nullopt;
  std::string code = hotp(*key, static_cast<std::uint64_t>(step));
  sodium_memzero(key->data(), key->size());
  return code;
}

std::optional<std::int64_t> verify_totp(std::string_view base32_secret, std::string_view code,
                                        std::int64_t now_unix_seconds, std::int64_t last_used_step,
                                        int window) {
  if (window < 0 || !is_six_ascii_digits(code)) return std::nullopt;
  auto key = util::base32_decode(base32_secret);
  if (!key || key->empty()) return std::nullopt;

  const std::int64_t now_step = totp_step(now_unix_seconds);
  std::optional<std::int64_t> matched;
  // No early exit: every step in the window costs the same whether or not it matches.
  // If two steps produce the same code (probability ~1e-6), the later one is returned so
  // that the replay barrier moves as far forward as the code could justify.
  for (std::int64_t step = now_step - window; step <= now_step + window; ++step) {
    if (step < 0) continue;
    const std::string expected = hotp(*key, static_cast<std::uint64_t>(step));
    const bool equal = util::constant_time_equal(expected, code);
    if (equal && step > last_used_step) matched = step;
  }
  sodium_memzero(key->data(), key->size());
  return matched;
}

std::string otpauth_uri(std::string_view issuer, std::string_view account,
                        std::string_view base32_secret) {
  std::string secret;
  secret.reserve(base32_secret.size());
  for (const char c : base32_secret) {
    if (c == ' ' || c == '=') continue;
    secret += (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c;
  }
  // The label's issuer prefix and the issuer parameter should agree; apps prefer the latter.
  std::string uri = "otpauth://totp/";
  if (!issuer.empty()) uri += percent_encode(issuer) + ":";
  uri += percent_encode(account);
  uri += "?secret=" + percent_encode(secret);
  if (!issuer.empty()) uri += "&issuer=" + percent_encode(issuer);
  uri += "&algorithm=SHA1&digits=6&period=30";
  return uri;
}

}  // namespace custos::auth
