#pragma once
// The few IMAP commands the mailbox poller needs, over libcurl (loaded on first use): find the
// unseen messages, fetch one by UID, flag it, move it. One session keeps one connection (and
// the selected mailbox) for all the commands of a poll.
#include <atomic>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "events/imap_config.hpp"

namespace custos::events {

// The server could not be reached, refused the login or a command. what() names the command
// and libcurl's reason, never the password.
struct ImapError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

class ImapSession {
 public:
  // Looking for unseen messages is abandoned (ImapError) as soon as `cancel` turns true, so
  // that stopping the server does not wait for a slow mail server's timeout. Fetching and
  // flagging are not: cut short, they could leave a message read but not filed.
  ImapSession(const ImapConfig& config, std::string password,
              const std::atomic<bool>* cancel = nullptr);
  ~ImapSession();
  ImapSession(const ImapSession&) = delete;
  ImapSession& operator=(const ImapSession&) = delete;

  // UIDs of the messages without \Seen, ascending ("UID SEARCH UNSEEN").
  std::vector<std::uint64_t> unseen();

  // The whole message (which also sets \Seen on the server). nullopt when it is larger than
  // max_bytes: the transfer is cut off there rather than read into memory.
  std::optional<std::string> fetch(std::uint64_t uid, std::size_t max_bytes);

  // "UID STORE uid +FLAGS (\Seen)" and its opposite, for a message to be tried again.
  void mark_seen(std::uint64_t uid, bool seen = true);

  // "UID MOVE uid mailbox" (RFC 6851).
  void move(std::uint64_t uid, const std::string& mailbox);

 private:
  // Runs one transfer on `url` (with `command` as the custom request when not empty) and
  // returns what the server sent, at most `max_bytes`; nullopt when there was more.
  std::optional<std::string> perform(const std::string& url, const std::string& command,
                                     std::size_t max_bytes, bool cancellable = false);
  static int progress(void* session, std::int64_t, std::int64_t, std::int64_t, std::int64_t);

  const ImapConfig& config_;
  std::string password_;
  const std::atomic<bool>* cancel_;
  bool cancellable_ = false;  // the transfer in progress may be abandoned
  void* curl_;                // CURL*, kept for the connection it holds
};

// Parses "* SEARCH 3 7 12" lines (other lines are ignored).
std::vector<std::uint64_t> parse_search_response(const std::string& response);

}  // namespace custos::events
