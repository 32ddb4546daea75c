#include "auth/account_lock.hpp"

#include <algorithm>
#include <cctype>

#include "audit/audit_log.hpp"
#include "util/time.hpp"

namespace custos::auth {

namespace {

// Accounts are named in lower case; sign-in throttles the name as typed, lowered.
std::string account_key(const std::string& username) {
  std::string s = username.substr(0, 128);
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
  return s;
}

}  // namespace

bool lock_account(store::Connection& c, const audit::AuditLog& audit, const std::string& username,
                  std::int64_t until, std::int64_t now, const std::string& actor,
                  nlohmann::json detail) {
  const auto key = account_key(username);
  if (!c.query_one("SELECT id FROM users WHERE username = ?", {key})) return false;
  // Counting of failed sign-ins goes on as it was; only the lock is extended.
  c.execute(
      "INSERT INTO login_throttle (kind, subject, failures, window_start, lockouts, locked_until,"
      " last_failure_at) VALUES ('account', ?, 0, ?, 0, ?, ?) ON CONFLICT (kind, subject) DO"
      " UPDATE SET locked_until = CASE WHEN login_throttle.locked_until > excluded.locked_until"
      " THEN login_throttle.locked_until ELSE excluded.locked_until END",
      {key, now, until, now});
  detail["locked_until"] = util::to_rfc3339(until);
  audit.append(c, {actor, "auth.lockout", "account", key, std::move(detail)});
  return true;
}

bool unlock_account(store::Connection& c, const audit::AuditLog& audit, const std::string& username,
                    std::int64_t until, std::int64_t now, const std::string& actor,
                    nlohmann::json detail) {
  const auto key = account_key(username);
  const auto changed = c.execute(
      "UPDATE login_throttle SET locked_until = 0 WHERE kind = 'account' AND subject = ? AND"
      " locked_until > ? AND locked_until <= ?",
      {key, now, until});
  if (changed == 0) return false;
  audit.append(c, {actor, "auth.unlock", "account", key, std::move(detail)});
  return true;
}

}  // namespace custos::auth
