#pragma once
// Telling people: an in-app notification per user, and an e-mail queued in the outbox when
// the user has an address. Nothing is delivered here: a later delivery worker reads the
// outbox, so that a slow mail server never holds up the transaction that decided to notify.
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "store/database.hpp"

namespace custos::incidents {

struct Notification {
  std::int64_t id = 0;
  std::int64_t user_id = 0;
  std::optional<std::int64_t> incident_id;
  std::string kind;  // "sla.warning", "sla.escalation", "sla.breach"
  std::string message;
  std::int64_t created_at = 0;
  std::optional<std::int64_t> read_at;
};
nlohmann::json to_json(const Notification& n);

// One message to one user.
struct Notice {
  std::int64_t user_id = 0;
  std::string username;
  std::optional<std::string> email;  // no e-mail is queued without one
  std::optional<std::int64_t> incident_id;
  std::string kind;
  std::string subject;  // e-mail subject
  std::string message;  // one line, shown in the app and as the e-mail's text
  nlohmann::json details = nlohmann::json::object();  // extra fields for the e-mail payload
};

// Writes the notification (and the outbox row) inside the caller's write transaction.
void send_notice(store::Connection& c, const Notice& notice, std::int64_t now_ms);
// The same for many notices at once, in few statements (the SLA sweep).
void send_notices(store::Connection& c, std::span<const Notice> notices, std::int64_t now_ms);

struct NotificationPage {
  std::vector<Notification> items;  // newest first
  std::optional<std::int64_t> next_before_id;
  std::int64_t unread = 0;  // the user's unread notifications in all
};

class Notifications {
 public:
  explicit Notifications(store::Database& db) : db_(db) {}

  // A user's own notifications, newest first; `before_id` continues a page.
  NotificationPage list(std::int64_t user_id, bool unread_only,
                        std::optional<std::int64_t> before_id, int limit);
  // nullopt when the notification does not exist or belongs to someone else. Reading twice
  // keeps the first read time.
  std::optional<Notification> mark_read(std::int64_t user_id, std::int64_t id, std::int64_t now_ms);

 private:
  store::Database& db_;
};

}  // namespace custos::incidents
