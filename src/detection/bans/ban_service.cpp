#include "detection/bans/ban_service.hpp"

#include <set>

#include <spdlog/spdlog.h>

namespace custos::detection {

namespace {

constexpr const char* kColumns =
    "id, jail, address, family, banned_at, expires_at, ban_number, failures, user_name, "
    "lifted_at, lifted_by, lift_reason, event_key";
constexpr std::size_t kQueueLimit = 100'000;  // requests beyond this are dropped (and counted)
constexpr const char* kActor = "system:detection";

Ban ban_of(const store::Row& r) {
  Ban b;
  b.id = r.i64(0);
  b.jail = r.str(1);
  b.address = r.str(2);
  b.family = static_cast<int>(r.i64(3));
  b.banned_at = r.i64(4);
  b.expires_at = r.i64(5);
  b.ban_number = static_cast<int>(r.i64(6));
  b.failures = static_cast<int>(r.i64(7));
  b.user = r.opt_str(8);
  b.lifted_at = r.opt_i64(9);
  b.lifted_by = r.opt_str(10);
  b.lift_reason = r.opt_str(11);
  b.event = r.opt_str(12);
  return b;
}

std::string key_of(const std::string& jail, const std::string& address) {
  return jail + "\n" + address;
}

nlohmann::json audit_detail(const Ban& b) {
  nlohmann::json d = {{"jail", b.jail},
                      {"address", b.address},
                      {"banned_at", b.banned_at},
                      {"expires_at", b.expires_at},
                      {"ban_number", b.ban_number},
                      {"failures", b.failures}};
  if (b.lifted_at) d["lifted_at"] = *b.lifted_at;
  if (b.lift_reason) d["reason"] = *b.lift_reason;
  return d;
}

BanTarget target_of(const Ban& b, std::int64_t now_ms) {
  BanTarget t;
  t.jail = b.jail;
  if (auto a = IpAddress::parse(b.address)) t.address = *a;
  t.seconds = std::max<std::int64_t>(1, (b.expires_at - now_ms + 999) / 1000);
  t.ban_id = b.id;
  t.banned_at = b.banned_at;
  t.expires_at = b.expires_at;
  t.ban_number = b.ban_number;
  t.failures = b.failures;
  t.user = b.user;
  t.event = b.event;
  return t;
}

}  // namespace

BanService::BanService(store::Database& db, const audit::AuditLog& audit,
                       std::map<std::string, JailConfig> jails,
                       std::map<std::string, std::vector<BanAction*>> actions, Clock clock)
    : db_(db),
      audit_(audit),
      jails_(std::move(jails)),
      actions_(std::move(actions)),
      clock_(std::move(clock)) {}

BanService::~BanService() { stop(); }

void BanService::run_actions(const std::string& jail, const BanTarget& target, bool ban,
                             bool enforcing) {
  for (auto* action : actions_of(jail)) {
    if (action->enforces() != enforcing) continue;
    if (ban)
      action->ban(target);
    else
      action->unban(target, false);
  }
}

void BanService::start() {
  std::set<BanAction*> all;
  for (const auto& [jail, list] : actions_) all.insert(list.begin(), list.end());
  for (auto* action : all) action->setup();
  const int expired = expire_due();
  if (expired > 0) spdlog::info("detection: {} ban(s) expired while custos was stopped", expired);
  const auto now = clock_();
  std::vector<Ban> active;
  db_.read([&](store::Connection& c) {
    for (const auto& r : c.query(std::string("SELECT ") + kColumns +
                                 " FROM detection_bans WHERE lifted_at IS NULL ORDER BY id")) {
      active.push_back(ban_of(r));
    }
  });
  {
    std::lock_guard lock(mutex_);
    for (const auto& b : active) active_.insert(key_of(b.jail, b.address));
    stats_.active = active_.size();
  }
  for (const auto& b : active) {
    if (!jails_.contains(b.jail)) continue;  // a jail since removed: recorded, not enforced
    run_actions(b.jail, target_of(b, now), true, true);
  }
  if (!active.empty()) spdlog::info("detection: re-applied {} active ban(s)", active.size());
  {
    std::lock_guard lock(mutex_);
    stop_ = false;
  }
  worker_ = std::thread([this] { loop(); });
}

void BanService::stop() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  cv_.notify_all();
  if (worker_.joinable()) worker_.join();
}

void BanService::request(BanRequest ban) {
  {
    std::lock_guard lock(mutex_);
    if (queue_.size() >= kQueueLimit) {
      ++stats_.queue_dropped;
      return;
    }
    queue_.push_back(std::move(ban));
  }
  cv_.notify_one();
}

void BanService::loop() {
  auto next_sweep = std::chrono::steady_clock::now();
  std::unique_lock lock(mutex_);
  while (!stop_) {
    cv_.wait_until(lock, next_sweep, [this] { return stop_ || !queue_.empty(); });
    while (!queue_.empty() && !stop_) {
      auto request = std::move(queue_.front());
      queue_.pop_front();
      lock.unlock();
      try {
        apply(request);
      } catch (const std::exception& e) {
        spdlog::error("detection: ban of {} in {} not recorded: {}", request.address.to_string(),
                      request.jail, e.what());
      }
      lock.lock();
    }
    if (std::chrono::steady_clock::now() >= next_sweep && !stop_) {
      lock.unlock();
      try {
        expire_due();
      } catch (const std::exception& e) {
        spdlog::error("detection: lifting expired bans failed (will retry): {}", e.what());
      }
      lock.lock();
      next_sweep = std::chrono::steady_clock::now() + std::chrono::seconds(1);
    }
  }
}

std::optional<Ban> BanService::apply(const BanRequest& request) {
  const auto jail = jail_entry(request.jail);
  if (!jail) return std::nullopt;  // (a jail a reload removed meanwhile)
  Ban ban;
  ban.jail = request.jail;
  ban.address = request.address.to_string();
  ban.family = request.address.v6 ? 6 : 4;
  ban.failures = request.failures;
  if (!request.user.empty()) ban.user = request.user;
  {
    std::lock_guard lock(mutex_);
    if (!active_.insert(key_of(ban.jail, ban.address)).second) {
      ++stats_.already_banned;
      return std::nullopt;
    }
    stats_.active = active_.size();
  }
  // The length depends on earlier bans of this address in this jail, and the promotion rule
  // on those within its window; one indexed read.
  ban.banned_at = clock_();
  std::int64_t earlier = 0;
  std::int64_t recent = 0;
  db_.read([&](store::Connection& c) {
    const auto row = c.query_one(
        "SELECT COUNT(*), COALESCE(SUM(CASE WHEN banned_at > ? THEN 1 ELSE 0 END), 0) FROM "
        "detection_bans WHERE jail = ? AND address = ?",
        {ban.banned_at - jail->second.promote_window * 1000, ban.jail, ban.address});
    earlier = row->i64(0);
    recent = row->i64(1);
  });
  ban.ban_number = static_cast<int>(earlier + 1);
  ban.promotion = promotion_for(jail->second, static_cast<int>(recent + 1));
  const auto seconds = ban_seconds(jail->second, ban.ban_number);
  ban.expires_at = ban.banned_at + seconds * 1000;

  // Enforce first: the firewall closes before the bookkeeping.
  BanTarget target = target_of(ban, ban.banned_at);
  target.address = request.address;
  target.seconds = seconds;
  const auto started = std::chrono::steady_clock::now();
  run_actions(ban.jail, target, true, true);
  const double latency_ms =
      std::chrono::duration<double, std::milli>(started - request.detected).count();

  try {
    db_.write([&](store::Connection& c) {
      ban.id =
          c.query_one(
               "INSERT INTO detection_bans (jail, address, family, banned_at, "
               "expires_at, ban_number, failures, user_name) VALUES "
               "(?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
               {ban.jail, ban.address, std::int64_t{ban.family}, ban.banned_at, ban.expires_at,
                std::int64_t{ban.ban_number}, std::int64_t{ban.failures}, store::maybe(ban.user)})
              ->i64(0);
      audit_.append(c, {kActor, "detection.ban", "ban", std::to_string(ban.id), audit_detail(ban)});
      if (on_ban_) ban.event = on_ban_(c, ban);
      if (ban.event) {
        c.execute("UPDATE detection_bans SET event_key = ? WHERE id = ?", {*ban.event, ban.id});
      }
    });
  } catch (const store::UniqueViolation&) {
    // Another server sharing the database banned it first: theirs is the record.
    std::lock_guard lock(mutex_);
    ++stats_.already_banned;
    return std::nullopt;
  }
  spdlog::info("detection: banned {} in jail {} for {} s (ban #{}, {} failures)", ban.address,
               ban.jail, seconds, ban.ban_number, ban.failures);
  target.ban_id = ban.id;
  target.event = ban.event;
  run_actions(ban.jail, target, true, false);
  std::lock_guard lock(mutex_);
  ++stats_.bans;
  stats_.last_latency_ms = latency_ms;
  stats_.max_latency_ms = std::max(stats_.max_latency_ms, latency_ms);
  return ban;
}

void BanService::forget_active(const Ban& ban) {
  std::lock_guard lock(mutex_);
  active_.erase(key_of(ban.jail, ban.address));
  stats_.active = active_.size();
}

int BanService::expire_due() {
  const auto now = clock_();
  std::vector<Ban> due;
  db_.read([&](store::Connection& c) {
    for (const auto& r :
         c.query(std::string("SELECT ") + kColumns +
                     " FROM detection_bans WHERE lifted_at IS NULL AND expires_at <= ? ORDER BY "
                     "expires_at LIMIT 1000",
                 {now})) {
      due.push_back(ban_of(r));
    }
  });
  int lifted = 0;
  for (auto& ban : due) {
    bool changed = false;
    db_.write([&](store::Connection& c) {
      changed = c.execute(
                    "UPDATE detection_bans SET lifted_at = ?, lifted_by = 'expiry' WHERE "
                    "id = ? AND lifted_at IS NULL",
                    {now, ban.id}) == 1;
      if (!changed) return;
      ban.lifted_at = now;
      ban.lifted_by = "expiry";
      audit_.append(
          c, {kActor, "detection.ban_expire", "ban", std::to_string(ban.id), audit_detail(ban)});
    });
    if (!changed) continue;
    for (auto* action : actions_of(ban.jail)) action->unban(target_of(ban, now), true);
    forget_active(ban);
    ++lifted;
    spdlog::info("detection: ban of {} in jail {} expired", ban.address, ban.jail);
  }
  std::lock_guard lock(mutex_);
  stats_.expired += static_cast<std::uint64_t>(lifted);
  return lifted;
}

std::optional<Ban> BanService::lift(std::int64_t id, const std::string& actor,
                                    const std::string& reason) {
  const auto now = clock_();
  std::optional<Ban> ban;
  bool changed = false;
  db_.write([&](store::Connection& c) {
    changed = false;
    ban.reset();
    auto row =
        c.query_one(std::string("SELECT ") + kColumns + " FROM detection_bans WHERE id = ?", {id});
    if (!row) return;
    ban = ban_of(*row);
    if (!ban->active()) return;
    c.execute(
        "UPDATE detection_bans SET lifted_at = ?, lifted_by = ?, lift_reason = ? WHERE id = ?",
        {now, actor, reason, id});
    ban->lifted_at = now;
    ban->lifted_by = actor;
    ban->lift_reason = reason;
    audit_.append(c, {actor, "detection.ban_lift", "ban", std::to_string(id), audit_detail(*ban)});
    changed = true;
  });
  if (changed) {
    run_actions(ban->jail, target_of(*ban, now), false, true);
    run_actions(ban->jail, target_of(*ban, now), false, false);
    forget_active(*ban);
    std::lock_guard lock(mutex_);
    ++stats_.lifted;
  }
  return ban;
}

std::vector<Ban> BanService::list(const BanFilter& f) {
  std::vector<Ban> out;
  db_.read([&](store::Connection& c) {
    for (const auto& r : c.query(
             std::string("SELECT ") + kColumns +
                 " FROM detection_bans WHERE (? = 0 OR lifted_at IS NULL) AND (CAST(? AS TEXT) IS "
                 "NULL OR jail = ?) AND (CAST(? AS TEXT) IS NULL OR address = ?) AND (CAST(? AS "
                 "BIGINT) IS NULL OR id < ?) ORDER BY id DESC LIMIT ?",
             {std::int64_t{f.active_only ? 1 : 0}, store::maybe(f.jail), store::maybe(f.jail),
              store::maybe(f.address), store::maybe(f.address), store::maybe(f.before_id),
              store::maybe(f.before_id), std::int64_t{f.limit}})) {
      out.push_back(ban_of(r));
    }
  });
  return out;
}

std::optional<Ban> BanService::get(std::int64_t id) {
  std::optional<Ban> out;
  db_.read([&](store::Connection& c) {
    if (auto r = c.query_one(
            std::string("SELECT ") + kColumns + " FROM detection_bans WHERE id = ?", {id})) {
      out = ban_of(*r);
    }
  });
  return out;
}

BanService::Stats BanService::stats() const {
  std::lock_guard lock(mutex_);
  return stats_;
}

void BanService::reconfigure(std::map<std::string, JailConfig> jails,
                             std::map<std::string, std::vector<BanAction*>> actions) {
  std::lock_guard lock(mutex_);
  for (auto& [jail, list] : actions_) {
    if (!actions.contains(jail)) actions[jail] = std::move(list);  // to lift its bans
  }
  jails_ = std::move(jails);
  actions_ = std::move(actions);
}

std::map<std::string, std::size_t> BanService::active_by_jail() const {
  std::lock_guard lock(mutex_);
  std::map<std::string, std::size_t> out;
  for (const auto& key : active_) ++out[key.substr(0, key.find('\n'))];
  return out;
}

std::optional<std::pair<std::string, JailConfig>> BanService::jail_entry(
    const std::string& jail) const {
  std::lock_guard lock(mutex_);
  auto it = jails_.find(jail);
  if (it == jails_.end()) return std::nullopt;
  return std::make_pair(it->first, it->second);
}

std::vector<BanAction*> BanService::actions_of(const std::string& jail) const {
  std::lock_guard lock(mutex_);
  auto it = actions_.find(jail);
  return it == actions_.end() ? std::vector<BanAction*>{} : it->second;
}

}  // namespace custos::detection
