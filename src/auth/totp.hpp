#pragma once
// Time-based one-time passwords (RFC 6238) as every authenticator app implements them:
// HMAC-SHA1, 30-second steps, 6 digits. Secrets are stored and exchanged in base32.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace custos::auth {

inline constexpr std::int64_t kTotpStepSeconds = 30;
inline constexpr int kTotpDigits = 6;

// 20 random bytes (160 bits, the HMAC-SHA1 output size that RFC 4226 recommends), as
// unpadded upper-case base32: 32 characters.
[[nodiscard]] std::string generate_totp_secret();

// The time step that contains `unix_seconds` (floor division, so it is right before 1970 too).
[[nodiscard]] std::int64_t totp_step(std::int64_t unix_seconds);

// The 6-digit code (zero-padded) for `step`. std::nullopt if the secret is not valid base32,
// decodes to nothing, or the step is negative.
[[nodiscard]] std::optional<std::string> totp_code(std::string_view base32_secret,
                                                   std::int64_t step);

// Checks `code` against the steps from totp_step(now)-window to totp_step(now)+window, allowing
// for clock drift and the time it takes to type. Only steps greater than `last_used_step` count,
// so that a code cannot be used twice (replay protection: store the returned step and pass it
// back next time; pass a negative value if no code was ever used). Returns the matched step, or
// std::nullopt if the code is not exactly 6 ASCII digits, the secret is unusable, the window is
// negative or nothing matches. All steps in the window are compared in constant time, so the
// response time does not reveal which step, if any, matched.
[[nodiscard]] std::optional<std::int64_t> verify_totp(std::string_view base32_secret,
                                                      std::string_view code,
                                                      std::int64_t now_unix_seconds,
                                                      std::int64_t last_used_step, int window = 1);

// The otpauth:// URI that authenticator apps read from a QR code (Key Uri Format), e.g.
// otpauth://totp/Custos:alice%40example.org?secret=...&issuer=Custos&algorithm=SHA1&digits=6
// &period=30. Issuer and account are percent-encoded (RFC 3986 unreserved characters pass
// through); an empty issuer is left out. The secret is normalised: spaces and '=' removed,
// upper case.
[[nodiscard]] std::string otpauth_uri(std::string_view issuer, std::string_view account,
                                      std::string_view base32_secret);

}  // namespace custos::auth
