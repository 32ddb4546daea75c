#include "detection/bans/account_lock_action.hpp"

#include <spdlog/spdlog.h>

#include "auth/account_lock.hpp"
#include "util/time.hpp"

namespace custos::detection {

namespace {

constexpr const char* kActor = "system:detection";

nlohmann::json detail_of(const BanTarget& t) {
  nlohmann::json d = {{"jail", t.jail}, {"address", t.address.to_string()}, {"ban", t.ban_id}};
  if (t.event) d["event"] = *t.event;
  return d;
}

}  // namespace

AccountLockAction::AccountLockAction(store::Database& db, const audit::AuditLog& audit,
                                     bool dry_run, Clock clock)
    : db_(db), audit_(audit), dry_run_(dry_run), clock_(std::move(clock)) {}

void AccountLockAction::ban(const BanTarget& target) {
  if (!target.user || target.user->empty()) return;
  if (dry_run_) {
    // The name comes from a log line: quoted by fmt's debug format, so it cannot forge a line.
    spdlog::info("detection dry-run: lock-account {:?} until {}", *target.user,
                 util::to_rfc3339(target.expires_at));
    return;
  }
  try {
    bool locked = false;
    db_.write([&](store::Connection& c) {
      locked = auth::lock_account(c, audit_, *target.user, target.expires_at, clock_(), kActor,
                                  detail_of(target));
    });
    if (locked) {
      spdlog::info("detection: account {:?} locked until {} (jail {}, {})", *target.user,
                   util::to_rfc3339(target.expires_at), target.jail, target.address.to_string());
    }
  } catch (const std::exception& e) {
    spdlog::error("detection: locking the account of ban {} failed: {}", target.ban_id, e.what());
  }
}

void AccountLockAction::unban(const BanTarget& target, bool expired) {
  // An expired ban's lock has ended at the same moment.
  if (expired || !target.user || target.user->empty()) return;
  if (dry_run_) {
    spdlog::info("detection dry-run: unlock-account {:?}", *target.user);
    return;
  }
  try {
    bool unlocked = false;
    db_.write([&](store::Connection& c) {
      unlocked = auth::unlock_account(c, audit_, *target.user, target.expires_at, clock_(), kActor,
                                      detail_of(target));
    });
    if (unlocked) spdlog::info("detection: account {:?} unlocked (ban lifted)", *target.user);
  } catch (const std::exception& e) {
    spdlog::error("detection: unlocking the account of ban {} failed: {}", target.ban_id, e.what());
  }
}

}  // namespace custos::detection
