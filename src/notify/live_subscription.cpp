#include "notify/live_subscription.hpp"

#include <utility>

namespace custos::notify {

LiveSubscription::LiveSubscription(auth::Principal who, std::size_t max_queued,
                                   std::chrono::seconds keep_alive, std::chrono::seconds max_age)
    : principal_(std::move(who)),
      max_queued_(max_queued),
      keep_alive_(keep_alive),
      ends_at_(Clock::now() + max_age),
      last_write_(Clock::now()) {}

void LiveSubscription::push(std::string event) {
  std::function<void()> wake;
  {
    std::lock_guard lock(mutex_);
    if (queue_.size() >= max_queued_) {
      // A client this far behind is better served by reloading than by a backlog.
      queue_.clear();
      overflowed_ = true;
    } else {
      queue_.push_back(std::move(event));
    }
    wake = wake_;
  }
  if (wake) wake();
}

bool LiveSubscription::read(std::string& out) {
  const auto now = Clock::now();
  std::lock_guard lock(mutex_);
  if (!started_) {
    // How long the browser waits before reconnecting, and a first event so the client knows
    // the stream is open (it refreshes what it shows, having missed changes while away).
    out += "retry: 3000\n\nevent: ready\ndata: {}\n\n";
    started_ = true;
  }
  if (overflowed_) {
    out += "event: resync\ndata: {}\n\n";
    overflowed_ = false;
  }
  while (!queue_.empty() && out.size() < 32 * 1024) {
    out += queue_.front();
    queue_.pop_front();
  }
  if (now >= ends_at_) return false;
  if (out.empty() && now - last_write_ >= keep_alive_) out += ": keep-alive\n\n";
  if (!out.empty()) last_write_ = now;
  return true;
}

void LiveSubscription::set_wakeup(const std::function<void()>& wake) {
  std::lock_guard lock(mutex_);
  wake_ = wake;
}

}  // namespace custos::notify
