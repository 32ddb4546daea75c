#pragma once
// Polls the [mail.imap] mailbox on its own thread (never on an HTTP thread): every
// poll_interval it asks for the unseen messages, fetches each by UID and files it through the
// same MIME reader and Mailgate::deliver that `custos mailgate` uses. Then the message is marked
// \Seen (or moved to mail.imap.move_to). A message that cannot become a report is marked \Seen
// too, and logged by UID and reason only, so it is not fetched forever. When storing fails for
// a passing reason (database busy or unreachable) the message is marked unseen again and the
// poll ends: the next one tries again. A message filed twice (custos stopped between storing
// and flagging it) is stored once: deliver recognises its Message-ID.
// A server that cannot be reached or refuses the login is logged (never with the password),
// counted, and tried again at the next poll.
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>

#include "events/imap_config.hpp"
#include "events/mailgate.hpp"

namespace custos::events {

class ImapPoller {
 public:
  // Starts the thread; the first poll runs at once.
  ImapPoller(ImapConfig config, std::string password, Mailgate& gate, mime::Limits limits);
  // Stops after the message in progress, or abandons a transfer still going on.
  ~ImapPoller();
  ImapPoller(const ImapPoller&) = delete;
  ImapPoller& operator=(const ImapPoller&) = delete;

  // One poll; exceptions are logged and counted, never thrown.
  void poll_once();

  struct Stats {
    std::uint64_t polls, poll_failures, delivered, rejected, deferred;
  };
  [[nodiscard]] Stats stats() const {
    return {polls_.load(), poll_failures_.load(), delivered_.load(), rejected_.load(),
            deferred_.load()};
  }

 private:
  void loop();
  // Files one message; false when the poll should end (a passing failure).
  bool handle(class ImapSession& session, std::uint64_t uid);
  void done_with(ImapSession& session, std::uint64_t uid) const;

  ImapConfig config_;
  std::string password_;
  Mailgate& gate_;
  mime::Limits limits_;
  std::atomic<std::uint64_t> polls_{0}, poll_failures_{0}, delivered_{0}, rejected_{0},
      deferred_{0};
  std::mutex mutex_;
  std::condition_variable cv_;
  std::atomic<bool> stop_{false};  // also ends a transfer in progress
  std::thread thread_;
};

}  // namespace custos::events
