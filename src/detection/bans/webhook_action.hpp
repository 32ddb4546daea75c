#pragma once
// Tells a URL of each ban and lift: a JSON body POSTed with libcurl. Delivery happens on the
// webhook's own thread, so a slow or dead receiver never holds up the ban worker: a bounded
// queue, a timeout per attempt, and a few retries with growing pauses; what could not be
// delivered is counted (in /metrics) and logged — with the webhook's name, never its URL or
// headers, which may carry secrets.
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>

#include <nlohmann/json.hpp>

#include "detection/bans/actions.hpp"

namespace custos::detection {

class WebhookAction final : public BanAction {
 public:
  // `dry_run`: log each body instead of sending it. `backoff_ms`: the pause before the first
  // retry, doubled for each further one.
  WebhookAction(WebhookConfig config, bool dry_run, std::int64_t backoff_ms = 1000);
  ~WebhookAction() override;
  WebhookAction(const WebhookAction&) = delete;
  WebhookAction& operator=(const WebhookAction&) = delete;

  [[nodiscard]] const std::string& name() const override { return config_.name; }
  [[nodiscard]] bool enforces() const override { return false; }
  void ban(const BanTarget& target) override;
  void unban(const BanTarget& target, bool expired) override;

  // {"type": "ban" | "lift", "jail", "address", "family", "bantime", "banned_at", "expires_at",
  //  "ban_number", "failures", "user", "event", "ban_id"} and, for a lift, "lifted": "expiry" |
  // "administrator".
  [[nodiscard]] static nlohmann::json body(const BanTarget& target, std::string_view type,
                                           bool expired = false);

  struct Stats {
    std::atomic<std::uint64_t> delivered{0};
    std::atomic<std::uint64_t> retries{0};
    std::atomic<std::uint64_t> failed{0};   // given up after the last retry
    std::atomic<std::uint64_t> dropped{0};  // the queue was full, or custos stopped first
  };
  [[nodiscard]] const Stats& stats() const { return stats_; }
  [[nodiscard]] const WebhookConfig& config() const { return config_; }

 private:
  struct Delivery {
    std::string what;  // "ban of 192.0.2.1 in sshd", for the log
    std::string body;
  };
  void enqueue(const BanTarget& target, const nlohmann::json& body, std::string_view type);
  void loop();
  // One attempt: empty when the receiver answered 2xx, else what went wrong.
  std::string post(const std::string& body) const;

  WebhookConfig config_;
  bool dry_run_;
  std::int64_t backoff_ms_;
  Stats stats_;
  std::mutex mutex_;
  std::condition_variable cv_;
  std::deque<Delivery> queue_;
  bool stop_ = false;
  std::thread sender_;
};

}  // namespace custos::detection
