#pragma once
// `lock-account`: a jail whose filter captures the user (<F-USER>) locks that custos account for
// the ban's time, through the login lockout, and lifting the ban lifts the lock. A ban without
// a user, or naming a user custos does not know, is left alone. Runs after the ban is recorded
// (it writes to the database itself; nothing to enforce at the network's edge).
#include <functional>
#include <string>

#include "audit/audit_log.hpp"
#include "detection/bans/actions.hpp"
#include "store/database.hpp"

namespace custos::detection {

class AccountLockAction final : public BanAction {
 public:
  using Clock = std::function<std::int64_t()>;  // epoch ms
  AccountLockAction(store::Database& db, const audit::AuditLog& audit, bool dry_run, Clock clock);
  [[nodiscard]] const std::string& name() const override { return name_; }
  [[nodiscard]] bool enforces() const override { return false; }
  void ban(const BanTarget& target) override;
  void unban(const BanTarget& target, bool expired) override;

 private:
  store::Database& db_;
  const audit::AuditLog& audit_;
  bool dry_run_;
  Clock clock_;
  std::string name_ = "lock-account";
};

}  // namespace custos::detection
