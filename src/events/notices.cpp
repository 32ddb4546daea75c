#include "events/notices.hpp"

#include <cctype>

#include "incidents/incident.hpp"
#include "incidents/notifications.hpp"
#include "util/crypto.hpp"

namespace custos::events {

std::string new_message_id(std::string_view key, std::string_view purpose,
                           std::string_view domain) {
  std::string local;
  for (char c : key)
    local.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  // random_token is base64url: letters, digits, '-' and '_', all allowed in a Message-ID.
  return "<" + local + "." + std::string(purpose) + "." + util::random_token(12) + "@" +
         std::string(domain) + ">";
}

void notify_reporter(store::Connection& c, const Event& e, const ReporterNotice& n,
                     std::string_view mail_domain, std::int64_t now) {
  const std::string key = event_key(e.id);
  const std::string message_id = new_message_id(key, n.purpose, mail_domain);
  nlohmann::json details = {{"event", key}, {"message_id", message_id}};
  if (n.in_reply_to) details["in_reply_to"] = *n.in_reply_to;
  if (e.incident_id) details["incident"] = incidents::incident_key(*e.incident_id);

  std::optional<std::string> mailed_to;
  if (e.reporter_id) {
    auto row = c.query_one("SELECT username, email FROM users WHERE id = ?", {*e.reporter_id});
    if (!row) return;
    incidents::Notice notice;
    notice.user_id = *e.reporter_id;
    notice.username = row->str(0);
    notice.email = row->opt_str(1);
    if (notice.email && notice.email->empty()) notice.email.reset();
    notice.kind = n.kind;
    notice.subject = n.subject;
    notice.message = n.message;
    notice.details = details;
    incidents::send_notice(c, notice, now);
    mailed_to = notice.email;
  } else if (e.reporter_email) {
    // An external sender has no account: the mail is all they get.
    details["kind"] = n.kind;
    details["message"] = n.message;
    c.execute(
        "INSERT INTO outbox (channel, recipient, subject, payload, created_at)"
        " VALUES ('email', ?, ?, ?, ?)",
        {*e.reporter_email, n.subject,
         details.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace), now});
    mailed_to = e.reporter_email;
  }
  if (mailed_to) {
    c.execute(
        "INSERT INTO mail_messages (message_id, direction, event_id, incident_id, created_at)"
        " VALUES (?, 'out', ?, ?, ?)",
        {message_id, e.id, store::maybe(e.incident_id), now});
  }
}

ReporterNotice acknowledgement(const Event& e) {
  const std::string key = event_key(e.id);
  return {"event.acknowledged", "ack", "[" + key + "] Report received: " + e.title,
          "Thank you: your report " + key + " \"" + e.title +
              "\" was received and will be assessed. Reply to this message to add to it.",
          std::nullopt};
}

ReporterNotice outcome(const Event& e) {
  const std::string key = event_key(e.id);
  std::string what;
  if (e.status == "promoted" && e.incident_id) {
    what = "it was assessed as a security incident and is handled as " +
           incidents::incident_key(*e.incident_id);
  } else if (e.status == "merged" && e.incident_id) {
    what = "it belongs to an incident already being handled (" +
           incidents::incident_key(*e.incident_id) + ")";
  } else if (e.dismissal == "duplicate") {
    what = "it was already reported" + (e.duplicate_of ? " as " + *e.duplicate_of : std::string());
  } else if (e.dismissal == "false_positive") {
    what = "it was assessed as a false alarm";
  } else {
    what = "it was assessed as not a security matter";
  }
  std::string message = "Your report " + key + " \"" + e.title + "\" was assessed: " + what + ".";
  if (e.decision_reason && e.status == "dismissed") message += " Reason: " + *e.decision_reason;
  // One line: the in-app list shows it as such.
  for (char& ch : message) {
    if (ch == '\n' || ch == '\r' || ch == '\t') ch = ' ';
  }
  if (message.size() > 1000) {
    std::size_t cut = 1000;
    while (cut > 0 && (static_cast<unsigned char>(message[cut]) & 0xC0) == 0x80) --cut;
    message = message.substr(0, cut) + "…";
  }
  return {"event.decided", "outcome", "[" + key + "] Outcome of your report: " + e.title, message,
          std::nullopt};
}

}  // namespace custos::events
