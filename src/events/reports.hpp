#pragma once
// Reports of events and weaknesses: taking them in from any channel (with their files),
// reading and listing them, and the notes added to them afterwards. Whoever reports sees
// their own reports; the service desk, managers and auditors see all of them.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "auth/principal.hpp"
#include "events/event.hpp"
#include "events/triage_rules.hpp"
#include "incidents/blob_store.hpp"
#include "store/database.hpp"

namespace custos::audit {
class AuditLog;
}

namespace custos::events {

// Who is reporting: an account, an external e-mail address, or nobody (anonymous form).
struct ReportSender {
  std::optional<std::int64_t> user_id;
  std::optional<std::string> email;  // external sender or anonymous contact address
  std::string actor;                 // as the audit trail names them
};

struct IncomingFile {
  std::string filename;
  std::string content_type;  // as sent
  std::string bytes;
};

// A file already in the blob store, ready to be referenced inside a transaction.
struct StoredFile {
  std::string sha256;
  std::int64_t size = 0;
  std::string content_type;
  std::string filename;
};

struct EventQuery {
  std::vector<std::string> statuses;
  std::optional<std::string> kind, channel;
  std::optional<std::string> reporter;  // username or "me"
  std::optional<std::int64_t> incident_id;
  bool oldest_first = false;
  std::optional<std::int64_t> after_id;  // from the cursor
  int limit = 50;
};

struct EventPage {
  std::vector<Event> items;
  std::optional<std::int64_t> next_after_id;
};

// True for those who see every report (the service desk, managers, auditors).
[[nodiscard]] bool sees_all_reports(const auth::RoleSet& roles);
[[nodiscard]] bool can_see(const Event& event, const auth::Principal& who);

// A plausible mailbox address (local@domain, no spaces or controls, at most 254 bytes).
[[nodiscard]] bool plausible_email(std::string_view address);

std::optional<Event> load_event(store::Connection& c, std::int64_t id);

class Reports {
 public:
  Reports(store::Database& db, const audit::AuditLog& audit, incidents::BlobStore blobs,
          std::string mail_domain, std::int64_t max_file_bytes)
      : db_(db),
        audit_(audit),
        blobs_(std::move(blobs)),
        mail_domain_(std::move(mail_domain)),
        max_file_bytes_(max_file_bytes) {}

  [[nodiscard]] const std::string& mail_domain() const { return mail_domain_; }
  [[nodiscard]] std::int64_t max_file_bytes() const { return max_file_bytes_; }
  [[nodiscard]] const incidents::BlobStore& blobs() const { return blobs_; }

  // Checks a file and writes it to the blob store, before any transaction (a unit of work may
  // be retried and must not have side effects). Strict: the type must be allowed and match
  // the bytes (uploads). Lenient: anything else is kept as application/octet-stream (mail,
  // where the odd attachment may be the very thing reported).
  StoredFile store_file(const IncomingFile& file, bool lenient) const;

  // A new report with its files; acknowledges it to the reporter. `in_reply_to` is the
  // reporter's own Message-ID, so the acknowledgement answers their mail.
  Event create(const NewReport& report, const ReportSender& sender,
               const std::vector<StoredFile>& files);
  Event create(store::Connection& c, const NewReport& report, const ReportSender& sender,
               const std::vector<StoredFile>& files, const std::optional<std::string>& in_reply_to,
               std::int64_t now_ms) const;

  // A note on a report, from its reporter, the service desk or a mail reply, with files.
  EventNote add_note(store::Connection& c, const Event& event, const ReportSender& sender,
                     const std::string& channel, const std::string& body,
                     const std::vector<StoredFile>& files, std::int64_t now_ms) const;

  // Each returns nullopt when the report does not exist or the caller may not see it.
  std::optional<Event> get(std::int64_t id, const auth::Principal& who);
  EventPage list(const EventQuery& query, const auth::Principal& who);
  std::optional<std::vector<EventNote>> notes(std::int64_t id, const auth::Principal& who);
  std::optional<EventNote> add_note(std::int64_t id, const std::string& body,
                                    const auth::Principal& who);
  std::optional<std::vector<EventAttachment>> attachments(std::int64_t id,
                                                          const auth::Principal& who);
  std::optional<EventAttachment> add_attachment(std::int64_t id, const IncomingFile& file,
                                                const auth::Principal& who);
  // Throws EventError(not_found) for an attachment of a visible report that does not exist.
  std::optional<std::pair<EventAttachment, std::string>> download(std::int64_t id,
                                                                  std::int64_t attachment_id,
                                                                  const auth::Principal& who);

 private:
  void insert_files(store::Connection& c, std::int64_t event_id,
                    std::optional<std::int64_t> uploaded_by, const std::vector<StoredFile>& files,
                    std::int64_t now) const;

  store::Database& db_;
  const audit::AuditLog& audit_;
  incidents::BlobStore blobs_;
  std::string mail_domain_;
  std::int64_t max_file_bytes_;
};

// Attachments of a report, oldest first (the triage service copies them onto incidents).
std::vector<EventAttachment> event_attachments(store::Connection& c, std::int64_t event_id);

}  // namespace custos::events
