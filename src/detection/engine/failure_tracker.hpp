#pragma once
// Counts the failures of each address (or user) of one jail in a sliding `findtime` window and
// says when one reaches `maxretry`. Memory is bounded: at `capacity` keys, a new key evicts an
// old one. The victim is the worst of a few keys sampled at random: first any whose failures
// have all left the window, then the one with the fewest failures in it, the least recently
// seen among equals. An attacker who keeps failing therefore keeps being counted while a flood
// of one-off addresses (spoofed or scanning) mostly evicts its own kind; evictions are counted.
// Not thread-safe: the jail that owns it serialises access.
#include <cstdint>
#include <random>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace custos::detection {

class FailureTracker {
 public:
  struct Options {
    int maxretry = 5;
    std::int64_t findtime = 600;  // seconds
    std::size_t capacity = 1'000'000;
  };
  explicit FailureTracker(Options options);

  // Records one failure of `key` at `time` (epoch seconds). True when this failure is the
  // maxretry-th within findtime: the key is then forgotten, so counting starts afresh (the ban
  // itself is remembered elsewhere). A failure already older than findtime before the newest
  // one seen by this tracker is not counted (a replayed or badly delayed line).
  bool add(std::string_view key, std::int64_t time);

  // Failures of `key` still in the window ending at `now`.
  [[nodiscard]] int count(std::string_view key, std::int64_t now) const;
  void forget(std::string_view key);

  // New limits for a reloaded jail; the failures counted so far stay. A smaller maxretry or
  // capacity takes effect as keys are next touched or added.
  void reconfigure(Options options);

  [[nodiscard]] std::size_t size() const { return entries_.size(); }
  [[nodiscard]] std::uint64_t evictions() const { return evictions_; }
  [[nodiscard]] std::uint64_t stale_failures() const { return stale_; }
  [[nodiscard]] const Options& options() const { return options_; }

 private:
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  struct Entry {
    std::uint32_t slot = 0;  // index into all_
    std::uint32_t last = 0;  // newest failure (epoch seconds)
    // Times of the failures in the window, oldest first, at most maxretry of them (an older
    // one can no longer matter). uint32 epoch seconds last until 2106.
    std::vector<std::uint32_t> times;
  };
  using Map = std::unordered_map<std::string, Entry, Hash, std::equal_to<>>;

  void evict_one(std::int64_t now);
  void erase(Map::iterator it);
  [[nodiscard]] int recent(const Entry& e, std::int64_t now) const;

  Options options_;
  Map entries_;
  std::vector<Map::value_type*> all_;  // for sampling at random in O(1)
  std::minstd_rand random_{0x5eed};
  std::int64_t newest_ = 0;
  std::uint64_t evictions_ = 0;
  std::uint64_t stale_ = 0;
};

}  // namespace custos::detection
