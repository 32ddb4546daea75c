#pragma once
// One open event stream: the events queued for one user, read by the HTTP server as the body
// of a text/event-stream answer.
#include <chrono>
#include <deque>
#include <functional>
#include <mutex>
#include <string>

#include "auth/principal.hpp"
#include "http/message.hpp"

namespace custos::notify {

class LiveSubscription final : public http::BodyStream {
 public:
  using Clock = std::chrono::steady_clock;
  LiveSubscription(auth::Principal who, std::size_t max_queued, std::chrono::seconds keep_alive,
                   std::chrono::seconds max_age);

  [[nodiscard]] const auth::Principal& principal() const { return principal_; }
  // Queues one event (a complete "event:/data:" block); any thread.
  void push(std::string event);

  bool read(std::string& out) override;
  void set_wakeup(const std::function<void()>& wake) override;

 private:
  auth::Principal principal_;
  std::size_t max_queued_;
  std::chrono::seconds keep_alive_;
  Clock::time_point ends_at_;
  Clock::time_point last_write_;
  bool started_ = false;
  std::mutex mutex_;
  std::deque<std::string> queue_;
  bool overflowed_ = false;
  std::function<void()> wake_;
};

}  // namespace custos::notify
