#include "incidents/notifications.hpp"

#include "incidents/bulk_insert.hpp"
#include "incidents/incident.hpp"
#include "util/time.hpp"

namespace custos::incidents {

namespace {

constexpr const char* kSelect =
    "SELECT id, user_id, incident_id, kind, message, created_at, read_at FROM notifications";

Notification from_row(const store::Row& r) {
  return Notification{r.i64(0), r.i64(1), r.opt_i64(2), r.str(3), r.str(4), r.i64(5), r.opt_i64(6)};
}

}  // namespace

nlohmann::json to_json(const Notification& n) {
  return {{"id", n.id},
          {"incident",
           n.incident_id ? nlohmann::json(incident_key(*n.incident_id)) : nlohmann::json(nullptr)},
          {"kind", n.kind},
          {"message", n.message},
          {"created_at", util::to_rfc3339(n.created_at)},
          {"read", n.read_at.has_value()},
          {"read_at",
           n.read_at ? nlohmann::json(util::to_rfc3339(*n.read_at)) : nlohmann::json(nullptr)}};
}

namespace {

std::string email_payload(const Notice& n) {
  nlohmann::json payload = n.details;
  payload["kind"] = n.kind;
  payload["user"] = n.username;
  payload["message"] = n.message;
  payload["incident"] = n.incident_id ? nlohmann::json(incident_key(*n.incident_id)) : nullptr;
  return payload.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace

void send_notice(store::Connection& c, const Notice& n, std::int64_t now_ms) {
  c.execute(
      "INSERT INTO notifications (user_id, incident_id, kind, message, created_at) VALUES (?, ?, "
      "?, ?, ?)",
      {n.user_id, store::maybe(n.incident_id), n.kind, n.message, now_ms});
  if (!n.email || n.email->empty()) return;
  c.execute(
      "INSERT INTO outbox (channel, recipient, subject, payload, created_at) VALUES ('email', ?, "
      "?, ?, ?)",
      {*n.email, n.subject, email_payload(n), now_ms});
}

void send_notices(store::Connection& c, std::span<const Notice> notices, std::int64_t now_ms) {
  std::vector<store::Value> in_app, mail;
  in_app.reserve(notices.size() * 5);
  for (const auto& n : notices) {
    in_app.insert(in_app.end(),
                  {n.user_id, store::maybe(n.incident_id), n.kind, n.message, now_ms});
    if (n.email && !n.email->empty())
      mail.insert(mail.end(),
                  {std::string("email"), *n.email, n.subject, email_payload(n), now_ms});
  }
  insert_rows(c,
              "INSERT INTO notifications (user_id, incident_id, kind, message, created_at) VALUES ",
              5, in_app);
  insert_rows(c, "INSERT INTO outbox (channel, recipient, subject, payload, created_at) VALUES ", 5,
              mail);
}

NotificationPage Notifications::list(std::int64_t user_id, bool unread_only,
                                     std::optional<std::int64_t> before_id, int limit) {
  NotificationPage page;
  db_.read([&](store::Connection& c) {
    // One row more than asked tells whether another page follows.
    auto rows = c.query(std::string(kSelect) +
                            " WHERE user_id = ? AND (? = 0 OR read_at IS NULL)"
                            " AND (CAST(? AS BIGINT) IS NULL OR id < ?) ORDER BY id DESC LIMIT ?",
                        {user_id, std::int64_t{unread_only}, store::maybe(before_id),
                         store::maybe(before_id), std::int64_t{limit} + 1});
    for (const auto& r : rows) {
      if (static_cast<int>(page.items.size()) == limit) {
        page.next_before_id = page.items.back().id;
        break;
      }
      page.items.push_back(from_row(r));
    }
    page.unread =
        c.query_one("SELECT COUNT(*) FROM notifications WHERE user_id = ? AND read_at IS NULL",
                    {user_id})
            ->i64(0);
  });
  return page;
}

std::optional<Notification> Notifications::mark_read(std::int64_t user_id, std::int64_t id,
                                                     std::int64_t now_ms) {
  // Not audited: whether someone has seen a message is their inbox state (like a token's
  // last use), not a change to any record the audit trail vouches for.
  std::optional<Notification> out;
  db_.write([&](store::Connection& c) {
    c.execute(
        "UPDATE notifications SET read_at = ? WHERE id = ? AND user_id = ? AND read_at IS NULL",
        {now_ms, id, user_id});
    if (auto r = c.query_one(std::string(kSelect) + " WHERE id = ? AND user_id = ?", {id, user_id}))
      out = from_row(*r);
  });
  return out;
}

}  // namespace custos::incidents
