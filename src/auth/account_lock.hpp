#pragma once
// Locks a custos account from outside the sign-in flow: a detection jail that saw the account
// attacked in a log (a `lock-account` action) locks it for the ban's time, through the same
// login lockout (the login_throttle row of the account) that failed sign-ins set, so sign-in
// answers "locked" and an administrator sees and lifts it under /api/v1/lockouts.
#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "store/database.hpp"

namespace custos::audit {
class AuditLog;
}

namespace custos::auth {

// Locks `username`'s account until `until` (epoch ms), unless it is locked longer already.
// Audited as auth.lockout by `actor` with `detail`. Returns false, and does nothing, when no
// such account exists.
bool lock_account(store::Connection& c, const audit::AuditLog& audit, const std::string& username,
                  std::int64_t until, std::int64_t now, const std::string& actor,
                  nlohmann::json detail);

// Lifts a lock set by lock_account(.., until, ..): one that is still in force and ends no later
// than `until` (a longer lockout was set by something else and stays). Audited as auth.unlock.
// Returns whether a lock was lifted.
bool unlock_account(store::Connection& c, const audit::AuditLog& audit, const std::string& username,
                    std::int64_t until, std::int64_t now, const std::string& actor,
                    nlohmann::json detail);

}  // namespace custos::auth
