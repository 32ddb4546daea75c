#pragma once
// Telling a reporter what became of their report: an in-app notification when they have an
// account, and an e-mail in the outbox when there is an address (an external sender has only
// that). Each e-mail gets a Message-ID custos remembers, so a reply threads onto the report.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "events/event.hpp"
#include "store/database.hpp"

namespace custos::events {

// "<evt-000012.ack.Xy3…@domain>": unique, and naming the report for a person reading headers.
std::string new_message_id(std::string_view key, std::string_view purpose, std::string_view domain);

struct ReporterNotice {
  std::string kind;     // event.acknowledged, event.decided, event.note
  std::string purpose;  // ack, outcome, note: part of the Message-ID
  std::string subject;  // carries the key in brackets so replies thread by subject too
  std::string message;  // one line
  std::optional<std::string> in_reply_to;  // the reporter's own mail, when answering it
};

// Writes the notification and the outbox mail (if there is an address) inside the caller's
// write transaction, and remembers the mail's Message-ID for threading.
void notify_reporter(store::Connection& c, const Event& event, const ReporterNotice& notice,
                     std::string_view mail_domain, std::int64_t now_ms);

// The acknowledgement of a new report and the outcome of a decision, in words.
ReporterNotice acknowledgement(const Event& event);
ReporterNotice outcome(const Event& event);

}  // namespace custos::events
