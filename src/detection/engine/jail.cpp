#include "detection/engine/jail.hpp"

#include <cmath>

namespace custos::detection {

std::int64_t ban_seconds(const JailConfig& jail, std::int64_t nth_ban) {
  const double grown =
      static_cast<double>(jail.bantime) *
      std::pow(jail.bantime_factor, static_cast<double>(std::max<std::int64_t>(0, nth_ban - 1)));
  if (!std::isfinite(grown) || grown >= static_cast<double>(jail.bantime_max))
    return jail.bantime_max;
  return std::max<std::int64_t>(jail.bantime, static_cast<std::int64_t>(grown));
}

namespace {

std::vector<CidrRange> ranges_of(const std::vector<std::string>& entries) {
  std::vector<CidrRange> out;
  for (const auto& entry : entries) {
    if (auto range = CidrRange::parse(entry)) out.push_back(*range);
  }
  return out;
}

}  // namespace

Jail::Jail(JailConfig config, std::shared_ptr<const CompiledFilter> filter, std::size_t capacity)
    : name_(config.name),
      config_(std::move(config)),
      filter_(std::move(filter)),
      ignore_(ranges_of(config_.ignoreip)),
      tracker_({config_.maxretry, config_.findtime, capacity}) {}

JailConfig Jail::config() const {
  std::lock_guard lock(mutex_);
  return config_;
}

std::shared_ptr<const CompiledFilter> Jail::filter() const {
  std::lock_guard lock(mutex_);
  return filter_;
}

void Jail::reconfigure(JailConfig config, std::shared_ptr<const CompiledFilter> filter,
                       std::size_t capacity) {
  auto ignore = ranges_of(config.ignoreip);
  std::lock_guard lock(mutex_);
  tracker_.reconfigure({config.maxretry, config.findtime, capacity});
  config_ = std::move(config);
  filter_ = std::move(filter);
  ignore_ = std::move(ignore);
}

bool Jail::ignored(const IpAddress& address) const {
  for (const auto& range : ignore_) {
    if (range.contains(address)) return true;
  }
  return false;
}

std::optional<BanRequest> Jail::record(std::string_view id, std::int64_t time,
                                       std::string_view user) {
  const auto address = IpAddress::parse(id);
  std::lock_guard lock(mutex_);
  if (!address) {
    ++stats_.not_address;
    return std::nullopt;
  }
  if (ignored(*address)) {
    ++stats_.ignored;
    return std::nullopt;
  }
  ++stats_.failures;
  // The canonical form is the key, so "::ffff:1.2.3.4" and "1.2.3.4" count together.
  if (!tracker_.add(address->to_string(), time)) return std::nullopt;
  ++stats_.ban_requests;
  BanRequest ban;
  ban.jail = name_;
  ban.address = *address;
  ban.failure_time = time;
  ban.failures = config_.maxretry;
  ban.user = std::string(user);
  ban.detected = std::chrono::steady_clock::now();
  return ban;
}

Jail::Stats Jail::stats() const {
  std::lock_guard lock(mutex_);
  Stats s = stats_;
  s.evictions = tracker_.evictions();
  s.stale = tracker_.stale_failures();
  s.tracked = tracker_.size();
  return s;
}

}  // namespace custos::detection
