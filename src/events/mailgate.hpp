#pragma once
// `custos mailgate`: one message on standard input, as an MTA's pipe delivers it, becomes a
// new report (EVT, channel email) or is threaded onto the report or incident it answers —
// by a key in the subject ([EVT-000012], INC-000034) or by In-Reply-To/References naming a
// message custos sent. Exit codes are the ones MTAs act on (sysexits.h): 0 stored,
// 65 (EX_DATAERR) the mail is unreadable and should bounce, 75 (EX_TEMPFAIL) the database is
// busy or unreachable and the MTA should try again later. Either everything is stored or
// nothing is; a message delivered twice (same Message-ID) is stored once.
#include <cstdint>
#include <filesystem>
#include <iosfwd>
#include <optional>
#include <string>
#include <string_view>

#include "events/mime.hpp"
#include "events/reports.hpp"
#include "store/database.hpp"

namespace custos::audit {
class AuditLog;
}
namespace custos::incidents {
class Worklog;
}

namespace custos::events {

inline constexpr int kExitOk = 0;
inline constexpr int kExitDataErr = 65;   // EX_DATAERR
inline constexpr int kExitTempFail = 75;  // EX_TEMPFAIL

// A key named in a subject: the first "EVT-…" or "INC-…" written in capitals, with or without
// brackets ("Re: [EVT-000012] Phishing" → report 12).
struct SubjectKey {
  std::optional<std::int64_t> event_id;
  std::optional<std::int64_t> incident_id;
};
SubjectKey key_in_subject(std::string_view subject);

// A report title from a subject: reply and forward prefixes and bracketed keys removed,
// one line, at most 200 bytes; "E-mail from ADDRESS" when nothing is left.
std::string title_from_subject(std::string_view subject, std::string_view from);

// Text fit to store: valid UTF-8 (assumed), no control characters but tab and line break,
// at most `max` bytes, cut on a character boundary with a mark when shortened.
std::string storable_text(std::string_view text, std::size_t max);

struct MailOutcome {
  std::string summary;  // "created EVT-000003", "added to INC-000002", "already stored"
};

class Mailgate {
 public:
  Mailgate(store::Database& db, const audit::AuditLog& audit, Reports& reports,
           incidents::Worklog& worklog)
      : db_(db), audit_(audit), reports_(reports), worklog_(worklog) {}

  // Stores one parsed message. Throws mime::MailError for mail that cannot become a report,
  // store::DatabaseError and others when storing failed (nothing was stored then).
  MailOutcome deliver(const mime::Message& message);

 private:
  store::Database& db_;
  const audit::AuditLog& audit_;
  Reports& reports_;
  incidents::Worklog& worklog_;
};

struct MailgateSettings {
  std::string database_url;
  std::filesystem::path data_dir;  // blobs under <data_dir>/blobs
  std::string mail_domain;
  std::int64_t max_file_bytes = 10 * 1024 * 1024;
  mime::Limits limits;
};

// Reads the message from `in`, stores it, reports on `out` (one line) or `err`, and returns
// the exit code for the MTA.
int run_mailgate(const MailgateSettings& settings, std::istream& in, std::ostream& out,
                 std::ostream& err);

}  // namespace custos::events
