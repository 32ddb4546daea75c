#include "auth/login.hpp"

#include <algorithm>
#include <cctype>

#include <spdlog/spdlog.h>

#include "audit/audit_log.hpp"
#include "auth/password.hpp"
#include "auth/totp.hpp"
#include "util/time.hpp"

namespace custos::auth {

namespace {
std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

struct Stored {
  User user;
  std::string password_hash;
  std::optional<std::string> totp_secret;
  std::int64_t totp_last_step = 0;
};
}  // namespace

LoginResult LoginService::login(const LoginAttempt& attempt) {
  LoginResult result;
  const std::int64_t now = util::now_ms();
  // Throttle by the name as typed (bounded), so unknown names are throttled alike.
  const std::string account_key = lower(attempt.username.substr(0, 128));

  std::int64_t wait = 0;
  std::optional<Stored> stored;
  db_.read([&](store::Connection& c) {
    wait = std::max(throttle_.locked_for(c, ThrottleKind::account, account_key, now),
                    throttle_.locked_for(c, ThrottleKind::address, attempt.source_address, now));
    if (wait > 0) return;
    auto r = c.query_one(
        std::string("SELECT ") + Accounts::columns() +
            ", password_hash, totp_secret, totp_last_step FROM users WHERE username = ?",
        {account_key});
    if (r) stored = Stored{Accounts::from_row(*r), r->str(11), r->opt_str(12), r->i64(13)};
  });
  if (wait > 0) {
    result.outcome = LoginOutcome::locked;
    result.retry_after_ms = wait;
    return result;
  }

  const bool password_ok = stored && stored->user.active
                               ? verify_password(stored->password_hash, attempt.password)
                               : (burn_verify_time(attempt.password), false);
  if (!password_ok) {
    record_failure(attempt, account_key);
    result.outcome = LoginOutcome::invalid;
    return result;
  }

  std::optional<std::int64_t> totp_step;
  if (stored->user.totp_enabled && stored->totp_secret) {
    if (!attempt.totp_code || attempt.totp_code->empty()) {
      result.outcome = LoginOutcome::mfa_required;
      return result;
    }
    totp_step =
        verify_totp(*stored->totp_secret, *attempt.totp_code, now / 1000, stored->totp_last_step);
    if (!totp_step) {
      record_failure(attempt, account_key);
      result.outcome = LoginOutcome::mfa_invalid;
      return result;
    }
  }

  const bool enrolment_only = stored->user.mfa_required && !stored->user.totp_enabled;
  db_.write([&](store::Connection& c) {
    if (totp_step) {
      // Conditional update: a code can be used once, even by two racing logins.
      const auto changed =
          c.execute("UPDATE users SET totp_last_step = ? WHERE id = ? AND totp_last_step < ?",
                    {*totp_step, stored->user.id, *totp_step});
      if (changed == 0) {
        result.outcome = LoginOutcome::mfa_invalid;
        return;
      }
    }
    throttle_.clear(c, ThrottleKind::account, account_key);
    result.session =
        credentials_.create_session(c, stored->user.id, enrolment_only, attempt.source_address);
    audit_.append(c, {"user:" + stored->user.username,
                      "auth.login",
                      "session",
                      std::to_string(result.session.id),
                      {{"source_address", attempt.source_address},
                       {"second_factor", totp_step.has_value()},
                       {"enrolment_only", enrolment_only}}});
    result.outcome = LoginOutcome::ok;
  });
  if (result.outcome == LoginOutcome::ok) result.user = stored->user;
  return result;
}

void LoginService::record_failure(const LoginAttempt& attempt, const std::string& account_key) {
  const std::int64_t now = util::now_ms();
  // For log watchers (a detection jail reading custos's own log, fail2ban): the name as typed,
  // quoted and escaped so that no name can forge a line; never the password.
  spdlog::info("auth: sign-in failed for user {:?} from {}", account_key, attempt.source_address);
  db_.write([&](store::Connection& c) {
    for (auto [kind, subject] : {std::pair{ThrottleKind::account, account_key},
                                 std::pair{ThrottleKind::address, attempt.source_address}}) {
      std::int64_t until = 0;
      if (throttle_.record_failure(c, kind, subject, now, until)) {
        audit_.append(c, {"system",
                          "auth.lockout",
                          std::string(kind_name(kind)),
                          subject,
                          {{"locked_until", util::to_rfc3339(until)},
                           {"source_address", attempt.source_address}}});
      }
    }
  });
}

bool LoginService::unlock(ThrottleKind kind, const std::string& subject, const std::string& actor) {
  bool found = false;
  db_.write([&](store::Connection& c) {
    auto r = c.query_one("SELECT locked_until FROM login_throttle WHERE kind = ? AND subject = ?",
                         {std::string(kind_name(kind)), subject});
    if (!r) return;
    found = true;
    throttle_.clear(c, kind, subject);
    audit_.append(c, {actor, "auth.unlock", std::string(kind_name(kind)), subject, {}});
  });
  return found;
}

std::vector<Lockout> LoginService::lockouts() {
  return db_.read_value(
      [](store::Connection& c) { return LoginThrottle::list(c, util::now_ms()); });
}

}  // namespace custos::auth
