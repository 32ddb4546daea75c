#include "events/imap_poller.hpp"

#include <chrono>

#include <spdlog/spdlog.h>

#include "events/event.hpp"
#include "events/imap_client.hpp"
#include "util/libcurl.hpp"

namespace custos::events {

ImapPoller::ImapPoller(ImapConfig config, std::string password, Mailgate& gate, mime::Limits limits)
    : config_(std::move(config)), password_(std::move(password)), gate_(gate), limits_(limits) {
  util::libcurl();  // loaded now, so that a missing libcurl stops start-up, not the first poll
  spdlog::info("mail: polling {} as {} every {} s", config_.mailbox_url, config_.username,
               config_.poll_interval_ms / 1000);
  thread_ = std::thread([this] { loop(); });
}

ImapPoller::~ImapPoller() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

void ImapPoller::loop() {
  std::unique_lock lock(mutex_);
  while (!stop_) {
    lock.unlock();
    poll_once();
    lock.lock();
    cv_.wait_for(lock, std::chrono::milliseconds(config_.poll_interval_ms),
                 [this] { return stop_.load(); });
  }
}

void ImapPoller::poll_once() {
  ++polls_;
  try {
    ImapSession session(config_, password_, &stop_);
    for (const auto uid : session.unseen()) {
      if (stop_ || !handle(session, uid)) return;
    }
  } catch (const std::exception& e) {
    if (stop_) return;
    ++poll_failures_;
    spdlog::warn("mail: poll of {} failed, trying again in {} s: {}", config_.mailbox_url,
                 config_.poll_interval_ms / 1000, e.what());
  }
}

void ImapPoller::done_with(ImapSession& session, std::uint64_t uid) const {
  session.mark_seen(uid);
  if (!config_.move_to.empty()) session.move(uid, config_.move_to);
}

bool ImapPoller::handle(ImapSession& session, std::uint64_t uid) {
  std::string reason;
  try {
    const auto raw = session.fetch(uid, limits_.max_bytes);
    if (!raw)
      throw mime::MailError("message exceeds " + std::to_string(limits_.max_bytes) + " bytes");
    const auto outcome = gate_.deliver(mime::parse_message(*raw, limits_));
    ++delivered_;
    spdlog::info("mail: UID {}: {}", uid, outcome.summary);
    done_with(session, uid);
    return true;
  } catch (const mime::MailError& e) {
    reason = e.what();
  } catch (const EventError& e) {
    reason = (e.field.empty() ? "" : e.field + ": ") + std::string(e.what());
  } catch (const ImapError&) {
    throw;  // the server: the poll fails and is tried again
  } catch (const std::exception& e) {
    // Nothing was stored (database busy or unreachable, disk full): fetching set \Seen, so take
    // it back and end the poll; the next one tries this message again.
    ++deferred_;
    spdlog::warn("mail: UID {} not stored, trying again at the next poll: {}", uid, e.what());
    session.mark_seen(uid, false);
    return false;
  }
  // Unreadable as a report: marked seen (and left where it is) so that it is not fetched again;
  // a person can read it in the mailbox. Its content is not logged.
  ++rejected_;
  spdlog::warn("mail: UID {} rejected, marked seen: {}", uid, reason);
  session.mark_seen(uid);
  return true;
}

}  // namespace custos::events
