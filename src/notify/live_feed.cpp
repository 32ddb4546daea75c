#include "notify/live_feed.hpp"

#include <map>

#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

#include "incidents/incident.hpp"
#include "incidents/visibility.hpp"
#include "notify/live_subscription.hpp"

namespace custos::notify {

namespace {

struct Entry {
  std::int64_t seq = 0;
  std::string action;
  std::string actor;
};

std::string sse_event(std::int64_t seq, const nlohmann::json& data) {
  return "id: " + std::to_string(seq) + "\nevent: change\ndata: " + data.dump() + "\n\n";
}

}  // namespace

LiveFeed::LiveFeed(store::Database& db, incidents::IncidentService& incidents,
                   LiveFeedOptions options)
    : db_(db), incidents_(incidents), options_(options), thread_([this] { run(); }) {}

LiveFeed::~LiveFeed() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

std::shared_ptr<http::BodyStream> LiveFeed::subscribe(const auth::Principal& who) {
  std::lock_guard lock(mutex_);
  std::erase_if(subscribers_, [](const auto& weak) { return weak.expired(); });
  if (subscribers_.size() >= options_.max_subscribers) return nullptr;
  auto subscription = std::make_shared<LiveSubscription>(
      who, options_.max_queued_events, options_.keep_alive, options_.max_stream_age);
  subscribers_.push_back(subscription);
  wake_.notify_all();
  return subscription;
}

std::size_t LiveFeed::subscribers() const {
  std::lock_guard lock(mutex_);
  std::size_t n = 0;
  for (const auto& weak : subscribers_) n += weak.expired() ? 0 : 1;
  return n;
}

std::vector<std::shared_ptr<LiveSubscription>> LiveFeed::live_subscribers() {
  std::lock_guard lock(mutex_);
  std::vector<std::shared_ptr<LiveSubscription>> out;
  for (const auto& weak : subscribers_) {
    if (auto s = weak.lock()) out.push_back(std::move(s));
  }
  std::erase_if(subscribers_, [](const auto& weak) { return weak.expired(); });
  return out;
}

void LiveFeed::poll_once() {
  std::lock_guard poll_lock(poll_mutex_);
  const auto subscribers = live_subscribers();
  if (subscribers.empty()) {
    last_seq_ = -1;  // nobody listens: stop following, start from the head when someone does
    return;
  }
  std::map<std::string, Entry> incidents;  // the latest entry per incident since the last poll
  db_.read([&](store::Connection& c) {
    if (last_seq_ < 0) {
      last_seq_ = c.query_one("SELECT COALESCE(MAX(seq), 0) FROM audit_log")->i64(0);
      return;
    }
    for (const auto& row :
         c.query("SELECT seq, action, actor, object_type, object_id FROM audit_log WHERE seq > ?"
                 " ORDER BY seq LIMIT 2000",
                 {last_seq_})) {
      last_seq_ = row.i64(0);
      if (row.str(3) == "incident")
        incidents[row.str(4)] = Entry{row.i64(0), row.str(1), row.str(2)};
    }
  });
  if (incidents.empty()) return;
  // Each changed incident is read once and each subscriber's viewer once, then need-to-know
  // applies to the event as to any read: only who may see the incident hears of it.
  db_.read([&](store::Connection& c) {
    std::vector<incidents::Viewer> viewers;
    viewers.reserve(subscribers.size());
    for (const auto& subscriber : subscribers) {
      viewers.push_back(incidents::viewer_for(c, subscriber->principal()));
    }
    for (const auto& [key, entry] : incidents) {
      const auto id = incidents::parse_incident_key(key);
      const auto incident = id ? incidents_.load(c, *id) : std::nullopt;
      if (!incident) continue;
      const std::string event = sse_event(entry.seq, {{"type", "incident"},
                                                      {"key", key},
                                                      {"version", incident->version},
                                                      {"action", entry.action},
                                                      {"actor", entry.actor}});
      for (std::size_t i = 0; i < subscribers.size(); ++i) {
        if (incidents::can_see(viewers[i], *incident)) subscribers[i]->push(event);
      }
    }
  });
}

void LiveFeed::run() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    wake_.wait_for(lock, options_.poll_interval);
    if (stopping_) break;
    lock.unlock();
    try {
      poll_once();
    } catch (const std::exception& e) {
      // A database hiccup must not end live updates for good; the next poll tries again.
      spdlog::warn("live updates: reading the audit trail failed: {}", e.what());
    }
    lock.lock();
  }
}

}  // namespace custos::notify
