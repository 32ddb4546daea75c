#pragma once
// How many anonymous reports one address may send: a sliding hour per address, kept in
// memory (a flood is a matter of minutes; a restart forgetting it is harmless). Bounded: when
// too many addresses are tracked, the oldest windows are dropped first.
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <unordered_map>

namespace custos::events {

class AnonymousLimit {
 public:
  AnonymousLimit(int per_window, std::int64_t window_ms, std::size_t max_addresses = 100'000)
      : per_window_(per_window), window_ms_(window_ms), max_addresses_(max_addresses) {}

  // 0 when `address` may report now (and counts it); otherwise the milliseconds until it may.
  std::int64_t admit(const std::string& address, std::int64_t now_ms);

 private:
  int per_window_;
  std::int64_t window_ms_;
  std::size_t max_addresses_;
  std::mutex mutex_;
  std::unordered_map<std::string, std::deque<std::int64_t>> seen_;  // report times per address
};

}  // namespace custos::events
