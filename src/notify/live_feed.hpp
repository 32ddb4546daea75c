#pragma once
// Live updates: server-sent events that tell each signed-in user about changes they may see,
// so pages update without a reload. Changes are read from the audit trail, which holds exactly
// one committed entry for every change; so whatever made a change (an API call, the SLA sweep,
// another server on the same PostgreSQL database) reaches the browsers, and nothing that was
// rolled back ever does. One thread polls the trail while anyone is subscribed.
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "auth/principal.hpp"
#include "http/message.hpp"
#include "incidents/incident_service.hpp"
#include "store/database.hpp"

namespace custos::notify {

struct LiveFeedOptions {
  std::chrono::milliseconds poll_interval{250};
  // A stream ends after this long and the browser reconnects, authenticating again: a session
  // that was signed out or expired stops receiving within this time.
  std::chrono::seconds max_stream_age{600};
  std::chrono::seconds keep_alive{15};
  std::size_t max_subscribers = 1000;
  std::size_t max_queued_events = 256;  // per subscriber; beyond it the client is told to resync
};

class LiveSubscription;

class LiveFeed {
 public:
  LiveFeed(store::Database& db, incidents::IncidentService& incidents,
           LiveFeedOptions options = {});
  ~LiveFeed();
  LiveFeed(const LiveFeed&) = delete;
  LiveFeed& operator=(const LiveFeed&) = delete;

  // The event stream for one user; nullptr when the subscriber limit is reached.
  std::shared_ptr<http::BodyStream> subscribe(const auth::Principal& who);
  [[nodiscard]] std::size_t subscribers() const;
  // Reads what was committed since the last look and queues it for the subscribers who may
  // see it. The poll thread calls it; tests call it to avoid waiting.
  void poll_once();

 private:
  void run();
  std::vector<std::shared_ptr<LiveSubscription>> live_subscribers();

  store::Database& db_;
  incidents::IncidentService& incidents_;
  LiveFeedOptions options_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::vector<std::weak_ptr<LiveSubscription>> subscribers_;
  std::int64_t last_seq_ = -1;  // -1: not following the trail (nobody subscribed)
  std::mutex poll_mutex_;       // one poll at a time
  std::thread thread_;
};

}  // namespace custos::notify
