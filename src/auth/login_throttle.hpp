#pragma once
// Repressive measure on our own door: failed logins are counted per account name
// (as typed, whether or not it exists) and per source address. Past a threshold the
// subject is locked out, and each further lockout doubles the time (exponential backoff).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "store/database.hpp"

namespace custos::auth {

struct LockoutPolicy {
  int account_threshold = 5;
  int address_threshold = 20;
  std::int64_t window_ms = 15 * 60'000;  // failures older than this are forgotten
  std::int64_t base_lock_ms = 60'000;    // first lockout
  std::int64_t max_lock_ms = 3'600'000;  // cap on the backoff
};

enum class ThrottleKind : std::uint8_t { account, address };
std::string_view kind_name(ThrottleKind kind);
std::optional<ThrottleKind> parse_kind(std::string_view name);

struct ThrottleState {
  int failures = 0;
  std::int64_t window_start = 0;
  int lockouts = 0;
  std::int64_t locked_until = 0;
  std::int64_t last_failure_at = 0;
};

// Pure rule: the state after one more failure at `now`. Sets `locked` when this
// failure crossed the threshold.
ThrottleState after_failure(ThrottleState state, int threshold, const LockoutPolicy& policy,
                            std::int64_t now, bool& locked);

struct Lockout {
  ThrottleKind kind;
  std::string subject;
  int failures;
  int lockouts;
  std::int64_t locked_until;
  std::int64_t last_failure_at;
};
nlohmann::json to_json(const Lockout& lockout);

class LoginThrottle {
 public:
  explicit LoginThrottle(LockoutPolicy policy) : policy_(policy) {}

  // Milliseconds until the subject may try again; 0 when not locked.
  std::int64_t locked_for(store::Connection& c, ThrottleKind kind, const std::string& subject,
                          std::int64_t now) const;
  // Counts a failure; returns true when it caused a new lockout (caller audits it).
  bool record_failure(store::Connection& c, ThrottleKind kind, const std::string& subject,
                      std::int64_t now, std::int64_t& locked_until) const;
  void clear(store::Connection& c, ThrottleKind kind, const std::string& subject) const;
  static std::vector<Lockout> list(store::Connection& c, std::int64_t now);

  [[nodiscard]] const LockoutPolicy& policy() const { return policy_; }

 private:
  LockoutPolicy policy_;
};

}  // namespace custos::auth
