#include "auth/login_throttle.hpp"

#include <algorithm>

#include "util/time.hpp"

namespace custos::auth {

std::string_view kind_name(ThrottleKind kind) {
  return kind == ThrottleKind::account ? "account" : "address";
}

std::optional<ThrottleKind> parse_kind(std::string_view name) {
  if (name == "account") return ThrottleKind::account;
  if (name == "address") return ThrottleKind::address;
  return std::nullopt;
}

ThrottleState after_failure(ThrottleState s, int threshold, const LockoutPolicy& policy,
                            std::int64_t now, bool& locked) {
  locked = false;
  if (s.failures == 0 || now - s.window_start > policy.window_ms) {
    s.failures = 0;
    s.window_start = now;
  }
  // A subject that stayed quiet for a whole day starts its backoff afresh.
  if (s.last_failure_at != 0 && now - s.last_failure_at > 86'400'000) s.lockouts = 0;
  s.failures += 1;
  s.last_failure_at = now;
  if (s.failures >= threshold) {
    const int doublings = std::min(s.lockouts, 30);
    const std::int64_t duration = std::min(policy.max_lock_ms, policy.base_lock_ms << doublings);
    s.lockouts += 1;
    s.locked_until = now + duration;
    s.failures = 0;
    locked = true;
  }
  return s;
}

nlohmann::json to_json(const Lockout& l) {
  return {{"kind", kind_name(l.kind)},
          {"subject", l.subject},
          {"failures", l.failures},
          {"lockouts", l.lockouts},
          {"locked_until", util::to_rfc3339(l.locked_until)},
          {"last_failure_at", util::to_rfc3339(l.last_failure_at)}};
}

std::int64_t LoginThrottle::locked_for(store::Connection& c, ThrottleKind kind,
                                       const std::string& subject, std::int64_t now) const {
  auto r = c.query_one("SELECT locked_until FROM login_throttle WHERE kind = ? AND subject = ?",
                       {std::string(kind_name(kind)), subject});
  if (!r || r->i64(0) <= now) return 0;
  return r->i64(0) - now;
}

bool LoginThrottle::record_failure(store::Connection& c, ThrottleKind kind,
                                   const std::string& subject, std::int64_t now,
                                   std::int64_t& locked_until) const {
  const std::string k(kind_name(kind));
  ThrottleState s;
  const bool exists = [&] {
    auto r = c.query_one(
        "SELECT failures, window_start, lockouts, locked_until, last_failure_at FROM login_throttle"
        " WHERE kind = ? AND subject = ?",
        {k, subject});
    if (!r) return false;
    s = ThrottleState{static_cast<int>(r->i64(0)), r->i64(1), static_cast<int>(r->i64(2)),
                      r->i64(3), r->i64(4)};
    return true;
  }();
  bool locked = false;
  const int threshold =
      kind == ThrottleKind::account ? policy_.account_threshold : policy_.address_threshold;
  s = after_failure(s, threshold, policy_, now, locked);
  if (exists) {
    c.execute(
        "UPDATE login_throttle SET failures = ?, window_start = ?, lockouts = ?, locked_until = ?,"
        " last_failure_at = ? WHERE kind = ? AND subject = ?",
        {std::int64_t{s.failures}, s.window_start, std::int64_t{s.lockouts}, s.locked_until,
         s.last_failure_at, k, subject});
  } else {
    c.execute(
        "INSERT INTO login_throttle (kind, subject, failures, window_start, lockouts, locked_until,"
        " last_failure_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
        {k, subject, std::int64_t{s.failures}, s.window_start, std::int64_t{s.lockouts},
         s.locked_until, s.last_failure_at});
  }
  locked_until = s.locked_until;
  return locked;
}

void LoginThrottle::clear(store::Connection& c, ThrottleKind kind,
                          const std::string& subject) const {
  c.execute("DELETE FROM login_throttle WHERE kind = ? AND subject = ?",
            {std::string(kind_name(kind)), subject});
}

std::vector<Lockout> LoginThrottle::list(store::Connection& c, std::int64_t now) {
  std::vector<Lockout> out;
  auto rows = c.query(
      "SELECT kind, subject, failures, lockouts, locked_until, last_failure_at FROM login_throttle"
      " WHERE locked_until > ? ORDER BY locked_until DESC LIMIT 1000",
      {now});
  for (const auto& r : rows) {
    out.push_back(Lockout{*parse_kind(r.str(0)), r.str(1), static_cast<int>(r.i64(2)),
                          static_cast<int>(r.i64(3)), r.i64(4), r.i64(5)});
  }
  return out;
}

}  // namespace custos::auth
