#include "events/anonymous_limit.hpp"

namespace custos::events {

std::int64_t AnonymousLimit::admit(const std::string& address, std::int64_t now) {
  std::lock_guard lock(mutex_);
  if (seen_.size() >= max_addresses_ && !seen_.contains(address)) {
    // Forget addresses whose window has passed; if none has, forget everything rather than
    // grow without bound (a flood from that many addresses is beyond a per-address limit).
    std::erase_if(seen_, [&](const auto& entry) {
      return entry.second.empty() || entry.second.back() <= now - window_ms_;
    });
    if (seen_.size() >= max_addresses_) seen_.clear();
  }
  auto& times = seen_[address];
  while (!times.empty() && times.front() <= now - window_ms_) times.pop_front();
  if (static_cast<int>(times.size()) >= per_window_) {
    return times.front() + window_ms_ - now;
  }
  times.push_back(now);
  return 0;
}

}  // namespace custos::events
