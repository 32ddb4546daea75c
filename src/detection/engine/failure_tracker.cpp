#include "detection/engine/failure_tracker.hpp"

#include <algorithm>
#include <limits>

namespace custos::detection {

namespace {
constexpr int kEvictionSamples = 8;  // as Redis's approximated LRU: good enough, O(1)
}

FailureTracker::FailureTracker(Options options) { reconfigure(options); }

void FailureTracker::reconfigure(Options options) {
  options_ = options;
  options_.capacity = std::max<std::size_t>(1, options_.capacity);
  options_.maxretry = std::max(1, options_.maxretry);
}

int FailureTracker::recent(const Entry& e, std::int64_t now) const {
  const std::int64_t since = now - options_.findtime;
  return static_cast<int>(
      std::count_if(e.times.begin(), e.times.end(), [&](std::uint32_t t) { return t > since; }));
}

bool FailureTracker::add(std::string_view key, std::int64_t time) {
  time = std::clamp<std::int64_t>(time, 0, std::numeric_limits<std::uint32_t>::max());
  if (time <= newest_ - options_.findtime) {
    ++stale_;
    return false;
  }
  newest_ = std::max(newest_, time);
  auto it = entries_.find(key);
  if (it == entries_.end()) {
    while (entries_.size() >= options_.capacity) evict_one(newest_);
    it = entries_.emplace(std::string(key), Entry{}).first;
    it->second.slot = static_cast<std::uint32_t>(all_.size());
    all_.push_back(&*it);
  }
  Entry& e = it->second;
  // Drop failures that left the window, then insert in time order (lines may arrive late).
  const std::int64_t since = time - options_.findtime;
  e.times.erase(e.times.begin(), std::find_if(e.times.begin(), e.times.end(),
                                              [&](std::uint32_t t) { return t > since; }));
  const auto t = static_cast<std::uint32_t>(time);
  e.times.insert(std::upper_bound(e.times.begin(), e.times.end(), t), t);
  const auto keep = static_cast<std::size_t>(options_.maxretry);
  if (e.times.size() > keep)
    e.times.erase(e.times.begin(), e.times.end() - static_cast<std::ptrdiff_t>(keep));
  e.last = std::max(e.last, t);
  if (static_cast<int>(e.times.size()) >= options_.maxretry &&
      static_cast<std::int64_t>(e.times.back()) - e.times.front() < options_.findtime) {
    erase(it);
    return true;
  }
  return false;
}

int FailureTracker::count(std::string_view key, std::int64_t now) const {
  auto it = entries_.find(key);
  return it == entries_.end() ? 0 : recent(it->second, now);
}

void FailureTracker::forget(std::string_view key) {
  auto it = entries_.find(key);
  if (it != entries_.end()) erase(it);
}

void FailureTracker::erase(Map::iterator it) {
  const auto slot = it->second.slot;
  all_[slot] = all_.back();
  all_[slot]->second.slot = slot;
  all_.pop_back();
  entries_.erase(it);
}

void FailureTracker::evict_one(std::int64_t now) {
  Map::value_type* victim = nullptr;
  int victim_recent = 0;
  std::uniform_int_distribution<std::size_t> pick(0, all_.size() - 1);
  for (int i = 0; i < kEvictionSamples; ++i) {
    auto* candidate = all_[pick(random_)];
    const int r = recent(candidate->second, now);
    if (victim == nullptr || r < victim_recent ||
        (r == victim_recent && candidate->second.last < victim->second.last)) {
      victim = candidate;
      victim_recent = r;
    }
    if (r == 0) break;  // nothing left in the window: cannot do better
  }
  erase(entries_.find(victim->first));
  ++evictions_;
}

}  // namespace custos::detection
