#pragma once
// The sign-in flow: throttle check, password (Argon2id), second factor, session.
// Every outcome for an unknown user costs the same time and says the same words
// as a wrong password, so that nobody can probe which usernames exist.
#include <cstdint>
#include <optional>
#include <string>

#include "auth/accounts.hpp"
#include "auth/credentials.hpp"
#include "auth/login_throttle.hpp"

namespace custos::auth {

struct LoginAttempt {
  std::string username;
  std::string password;
  std::optional<std::string> totp_code;
  std::string source_address;
};

enum class LoginOutcome : std::uint8_t {
  ok,
  invalid,       // wrong username or password (indistinguishable)
  locked,        // too many failures: retry_after_ms says when to try again
  mfa_required,  // password right, code missing
  mfa_invalid,   // password right, code wrong or replayed
};

struct LoginResult {
  LoginOutcome outcome = LoginOutcome::invalid;
  std::int64_t retry_after_ms = 0;
  std::optional<User> user;
  NewSession session;
};

class LoginService {
 public:
  LoginService(store::Database& db, const audit::AuditLog& audit, Credentials& credentials,
               LoginThrottle throttle)
      : db_(db), audit_(audit), credentials_(credentials), throttle_(throttle) {}

  LoginResult login(const LoginAttempt& attempt);
  // Lifts a lockout; false when there was none.
  bool unlock(ThrottleKind kind, const std::string& subject, const std::string& actor);
  std::vector<Lockout> lockouts();
  [[nodiscard]] const LoginThrottle& throttle() const { return throttle_; }

 private:
  void record_failure(const LoginAttempt& attempt, const std::string& account_key);

  store::Database& db_;
  const audit::AuditLog& audit_;
  Credentials& credentials_;
  LoginThrottle throttle_;
};

}  // namespace custos::auth
