#pragma once
// Bans: made when a jail asks, persisted with their audit entry, enforced by the jail's actions,
// lifted when they expire or when an administrator says so, and re-applied at start-up.
//
// Jails hand ban requests over through a queue; one worker thread runs the actions *first*
// (the firewall must close within milliseconds of the line that reached maxretry) and then
// records the ban. The same thread lifts expired bans once a second, so every action of a
// ban and its lift happen in order on one thread.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "audit/audit_log.hpp"
#include "detection/bans/actions.hpp"
#include "detection/bans/promotion_rule.hpp"
#include "detection/engine/jail.hpp"
#include "store/database.hpp"

namespace custos::detection {

struct Ban {
  std::int64_t id = 0;
  std::string jail;
  std::string address;
  int family = 4;
  std::int64_t banned_at = 0;  // epoch ms
  std::int64_t expires_at = 0;
  int ban_number = 1;
  int failures = 0;
  std::optional<std::string> user;
  std::optional<std::int64_t> lifted_at;
  std::optional<std::string> lifted_by;
  std::optional<std::string> lift_reason;
  std::optional<std::string> event;  // the security event (EVT-…) the ban raised or noted
  // A new ban whose jail's rule says its security event becomes an incident (not stored).
  std::optional<Promotion> promotion;
  [[nodiscard]] bool active() const { return !lifted_at.has_value(); }
};

struct BanFilter {
  bool active_only = true;
  std::optional<std::string> jail;
  std::optional<std::string> address;
  std::optional<std::int64_t> before_id;  // cursor: newest first
  int limit = 100;
};

class BanService {
 public:
  using Clock = std::function<std::int64_t()>;  // epoch ms
  // Called with every new ban inside the transaction that records it (the server raises a
  // security event there, and returns its key to be kept with the ban). Throwing rolls the
  // record back; the enforcing actions have already run.
  using BanHook = std::function<std::optional<std::string>(store::Connection&, const Ban&)>;

  // `actions[jail]` are the actions of each jail (shared across jails, owned elsewhere).
  BanService(store::Database& db, const audit::AuditLog& audit,
             std::map<std::string, JailConfig> jails,
             std::map<std::string, std::vector<BanAction*>> actions, Clock clock);
  ~BanService();
  BanService(const BanService&) = delete;
  BanService& operator=(const BanService&) = delete;

  // Sets up every action, lifts bans that expired while custos was down, re-applies the
  // active ones with their remaining time, and starts the worker.
  void start();
  void stop();

  // Set before start(); the worker calls it.
  void on_ban(BanHook hook) { on_ban_ = std::move(hook); }

  // A reload: the jails and actions for the bans to come. A jail no longer configured makes
  // no new bans, but its active bans run out as they were made and are lifted through the
  // actions it had. Active bans are not re-applied: the firewall still holds them.
  void reconfigure(std::map<std::string, JailConfig> jails,
                   std::map<std::string, std::vector<BanAction*>> actions);
  // Active bans per jail (also of jails since removed).
  [[nodiscard]] std::map<std::string, std::size_t> active_by_jail() const;

  // Thread-safe and quick: queues the request for the worker.
  void request(BanRequest ban);

  // Runs one request now, on the caller's thread (the worker and tests use it). Returns the
  // ban made, or nullopt when the address is already banned in that jail.
  std::optional<Ban> apply(const BanRequest& request);
  // Lifts every active ban whose time is up. Returns how many.
  int expire_due();
  // An administrator lifts a ban: recorded and audited, then the actions undo it. nullopt
  // when there is no such ban; a ban already lifted is returned unchanged.
  std::optional<Ban> lift(std::int64_t id, const std::string& actor, const std::string& reason);

  [[nodiscard]] std::vector<Ban> list(const BanFilter& filter);
  [[nodiscard]] std::optional<Ban> get(std::int64_t id);

  struct Stats {
    std::uint64_t bans = 0;
    std::uint64_t lifted = 0;
    std::uint64_t expired = 0;
    std::uint64_t already_banned = 0;
    std::uint64_t queue_dropped = 0;
    std::size_t active = 0;
    double last_latency_ms = 0;  // line processed → first action started
    double max_latency_ms = 0;
  };
  [[nodiscard]] Stats stats() const;

 private:
  void loop();
  // `enforcing`: only the actions that enforce (true) or only the others (false).
  void run_actions(const std::string& jail, const BanTarget& target, bool ban, bool enforcing);
  void forget_active(const Ban& ban);

  store::Database& db_;
  const audit::AuditLog& audit_;
  std::map<std::string, JailConfig> jails_;
  std::map<std::string, std::vector<BanAction*>> actions_;
  Clock clock_;
  BanHook on_ban_;

  mutable std::mutex mutex_;
  std::condition_variable cv_;
  std::deque<BanRequest> queue_;
  std::set<std::string> active_;  // "jail\naddress" of active bans: a second request is a no-op
  Stats stats_;
  bool stop_ = false;
  std::thread worker_;

  // Copies taken under mutex_, as a reload may replace jails_ and actions_ meanwhile.
  [[nodiscard]] std::optional<std::pair<std::string, JailConfig>> jail_entry(
      const std::string& jail) const;
  [[nodiscard]] std::vector<BanAction*> actions_of(const std::string& jail) const;
};

}  // namespace custos::detection
