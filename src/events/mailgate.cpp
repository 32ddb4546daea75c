#include "events/mailgate.hpp"

#include <istream>
#include <ostream>

#include "audit/audit_log.hpp"
#include "auth/principal.hpp"
#include "events/notices.hpp"
#include "incidents/incident.hpp"
#include "incidents/work_access.hpp"
#include "incidents/worklog.hpp"
#include "store/sqlite/sqlite_database.hpp"
#include "util/time.hpp"

namespace custos::events {

namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// A mail sender as the services see them: an account found by address, or an outsider.
struct MailSender {
  std::optional<auth::Principal> user;
  std::string address;

  [[nodiscard]] ReportSender as_reporter() const {
    if (user) return {user->user_id, std::nullopt, user->actor()};
    return {std::nullopt, address, "mail:" + address};
  }
};

MailSender find_sender(store::Connection& c, const std::string& address) {
  MailSender s{std::nullopt, address};
  // Addresses compare without regard to case: mail systems treat them so in practice.
  auto row = c.query_one(
      "SELECT id, username, display_name, roles FROM users"
      " WHERE lower(email) = lower(CAST(? AS TEXT)) AND active = 1 ORDER BY id LIMIT 1",
      {address});
  if (row) {
    auth::Principal p;
    p.user_id = row->i64(0);
    p.username = row->str(1);
    p.display_name = row->str(2);
    p.roles = auth::RoleSet::from_csv(row->str(3));
    s.user = std::move(p);
  }
  return s;
}

bool same_address(const std::optional<std::string>& a, const std::string& b) {
  if (!a || a->size() != b.size()) return false;
  for (std::size_t i = 0; i < b.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>((*a)[i])) !=
        std::tolower(static_cast<unsigned char>(b[i])))
      return false;
  }
  return true;
}

// The reporter, or the service desk, may add to a report; nobody else learns it exists.
bool may_add_to(const Event& e, const MailSender& s) {
  if (s.user) return can_see(e, *s.user);
  return !e.reporter_id && same_address(e.reporter_email, s.address);
}

std::string mail_body(const mime::Message& m, std::size_t max) {
  return storable_text(m.text, max);
}

}  // namespace

SubjectKey key_in_subject(std::string_view subject) {
  SubjectKey key;
  for (std::size_t i = 0; i + 4 < subject.size(); ++i) {
    const auto prefix = subject.substr(i, 4);
    if (prefix != "EVT-" && prefix != "INC-") continue;
    if (i > 0 && std::isalnum(static_cast<unsigned char>(subject[i - 1])) != 0) continue;
    std::size_t j = i + 4;
    while (j < subject.size() && is_digit(subject[j]) && j - i < 20) ++j;
    if (j == i + 4) continue;
    const auto text = subject.substr(i, j - i);
    if (prefix == "EVT-") {
      key.event_id = parse_event_key(text);
    } else {
      key.incident_id = incidents::parse_incident_key(text);
    }
    if (key.event_id || key.incident_id) return key;
  }
  return key;
}

std::string storable_text(std::string_view text, std::size_t max) {
  std::string out;
  out.reserve(std::min(text.size(), max));
  for (char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    if (c == '\r') continue;
    if ((c < 0x20 && c != '\n' && c != '\t') || c == 0x7F) continue;
    out.push_back(ch);
  }
  while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
  if (out.size() > max) {
    const std::string_view mark = "\n[…]";
    std::size_t cut = max - mark.size();
    while (cut > 0 && (static_cast<unsigned char>(out[cut]) & 0xC0) == 0x80) --cut;
    out.resize(cut);
    out.append(mark);
  }
  return out;
}

std::string title_from_subject(std::string_view subject, std::string_view from) {
  std::string s = storable_text(subject, 4096);
  for (char& c : s) {
    if (c == '\n' || c == '\t') c = ' ';
  }
  // Bracketed keys and reply/forward prefixes say nothing about what happened.
  bool changed = true;
  while (changed) {
    changed = false;
    std::string_view v = s;
    while (!v.empty() && v.front() == ' ') v.remove_prefix(1);
    for (std::string_view prefix : {"re:", "fw:", "fwd:", "aw:", "wg:", "tr:"}) {
      if (v.size() >= prefix.size()) {
        std::string head(v.substr(0, prefix.size()));
        for (char& c : head) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        if (head == prefix) {
          s = std::string(v.substr(prefix.size()));
          changed = true;
          break;
        }
      }
    }
    if (changed) continue;
    if (v.starts_with("[")) {
      const auto close = v.find(']');
      if (close != std::string_view::npos && close < 30) {
        s = std::string(v.substr(close + 1));
        changed = true;
      }
    }
  }
  std::string_view v = s;
  while (!v.empty() && v.front() == ' ') v.remove_prefix(1);
  while (!v.empty() && v.back() == ' ') v.remove_suffix(1);
  std::string title(v);
  if (title.empty()) title = "E-mail from " + std::string(from.substr(0, 150));
  if (title.size() > kMaxTitle) {
    std::size_t cut = kMaxTitle - 3;
    while (cut > 0 && (static_cast<unsigned char>(title[cut]) & 0xC0) == 0x80) --cut;
    title = title.substr(0, cut) + "…";
  }
  return title;
}

MailOutcome Mailgate::deliver(const mime::Message& m) {
  // Files first, outside the transaction: a unit of work may be retried and must not have
  // side effects; an unreferenced blob left by a failed delivery is harmless.
  std::vector<StoredFile> files;
  for (const auto& a : m.attachments) {
    try {
      files.push_back(reports_.store_file({a.filename, a.content_type, a.bytes}, true));
    } catch (const EventError& e) {
      throw mime::MailError("attachment \"" + a.filename.substr(0, 100) + "\": " + e.what());
    }
  }
  const std::string text = mail_body(m, kMaxText - 1024);
  MailOutcome outcome;
  db_.write([&](store::Connection& c) {
    const auto now = util::now_ms();
    if (!m.message_id.empty() &&
        c.query_one("SELECT 1 FROM mail_messages WHERE message_id = ? AND direction = 'in'",
                    {m.message_id})) {
      outcome.summary = "already stored (Message-ID " + m.message_id + ")";
      return;
    }
    const MailSender sender = find_sender(c, m.from_address);

    // What the mail answers: a key in the subject, else a message custos sent or received.
    std::optional<std::int64_t> event_id, incident_id;
    const auto key = key_in_subject(m.subject);
    event_id = key.event_id;
    incident_id = key.incident_id;
    if (!event_id && !incident_id) {
      std::vector<std::string> ids = m.in_reply_to;
      ids.insert(ids.end(), m.references.rbegin(), m.references.rend());
      for (const auto& id : ids) {
        auto row = c.query_one(
            "SELECT event_id, incident_id FROM mail_messages WHERE message_id = ?", {id});
        if (row) {
          event_id = row->opt_i64(0);
          incident_id = row->opt_i64(1);
          break;
        }
      }
    }
    std::optional<Event> event = event_id ? load_event(c, *event_id) : std::nullopt;
    if (event && !may_add_to(*event, sender)) event.reset();
    // A report already promoted or merged lives on in its incident.
    if (event && event->incident_id && is_decided(event->status)) {
      incident_id = event->incident_id;
      if (sender.user && incidents::access_incident(c, *incident_id, *sender.user)) event.reset();
    }

    std::optional<std::int64_t> stored_event, stored_incident;
    if (event) {
      std::string body = text;
      if (body.empty() && files.empty())
        body = "(empty reply: " + title_from_subject(m.subject, m.from_address) + ")";
      reports_.add_note(c, *event, sender.as_reporter(), "email", body, files, now);
      stored_event = event->id;
      outcome.summary = "added to " + event_key(event->id);
    } else if (incident_id && sender.user) {
      auto access = incidents::access_incident(c, *incident_id, *sender.user);
      if (access && !access->finished() && (access->worker || access->is_reporter())) {
        incidents::NewWorklogEntry entry;
        entry.body =
            storable_text("E-mail from " + m.from_address + ": " + m.subject + "\n\n" + text,
                          incidents::kMaxWorklogBody);
        entry.kind = "note";
        worklog_.add(c, *incident_id, entry, *sender.user, now);
        for (const auto& f : files) {
          auto row = c.query_one(
              "INSERT INTO attachments (incident_id, sha256, size, content_type, filename,"
              " uploaded_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
              {*incident_id, f.sha256, f.size, f.content_type, f.filename, sender.user->user_id,
               now});
          audit_.append(c, {sender.user->actor(),
                            "incident.attachment_add",
                            "incident",
                            incidents::incident_key(*incident_id),
                            {{"attachment", row->i64(0)},
                             {"filename", f.filename},
                             {"content_type", f.content_type},
                             {"size", f.size},
                             {"sha256", f.sha256},
                             {"channel", "email"}}});
        }
        stored_incident = incident_id;
        outcome.summary = "added to " + incidents::incident_key(*incident_id);
      }
    }
    if (!stored_event && !stored_incident) {
      NewReport r;
      r.kind = "event";
      r.channel = "email";
      r.title = title_from_subject(m.subject, m.from_address);
      r.description = text;
      if ((event_id || incident_id) && !event) {
        // It answers something the sender may not add to: a new report that says so.
        const std::string about =
            event_id ? event_key(*event_id) : incidents::incident_key(*incident_id);
        r.description = storable_text("(In reply to " + about + ".)\n\n" + text, kMaxText);
      }
      if (r.description.empty())
        r.description = "(The e-mail had no text" +
                        std::string(files.empty() ? ".)" : "; see its attachments.)");
      std::optional<std::string> reply_to;
      if (!m.message_id.empty()) reply_to = m.message_id;
      auto e = reports_.create(c, r, sender.as_reporter(), files, reply_to, now);
      stored_event = e.id;
      outcome.summary = "created " + event_key(e.id);
    }
    if (!m.message_id.empty()) {
      c.execute(
          "INSERT INTO mail_messages (message_id, direction, event_id, incident_id, created_at)"
          " VALUES (?, 'in', ?, ?, ?)",
          {m.message_id, store::maybe(stored_event), store::maybe(stored_incident), now});
    }
  });
  return outcome;
}

int run_mailgate(const MailgateSettings& s, std::istream& in, std::ostream& out,
                 std::ostream& err) {
  // Read at most one byte more than allowed: enough to know the message is too large.
  std::string raw;
  {
    const std::size_t cap = s.limits.max_bytes + 1;
    raw.resize(std::min<std::size_t>(cap, 1 << 16));
    std::size_t have = 0;
    while (have < cap) {
      if (raw.size() == have) raw.resize(std::min(cap, raw.size() * 2));
      in.read(raw.data() + have, static_cast<std::streamsize>(raw.size() - have));
      const auto got = static_cast<std::size_t>(in.gcount());
      have += got;
      if (got == 0 || !in) break;
    }
    raw.resize(have);
  }
  mime::Message message;
  try {
    message = mime::parse_message(raw, s.limits);
  } catch (const mime::MailError& e) {
    err << "custos mailgate: rejected: " << e.what() << "\n";
    return kExitDataErr;
  }
  try {
    store::DatabaseOptions options;
    options.read_connections = 1;
    auto db = store::open_database(s.database_url, options);
    // One process per message: leave the WAL to the server rather than fold it in at each exit.
    if (auto* sqlite = dynamic_cast<store::SqliteDatabase*>(db.get())) sqlite->leave_wal_on_close();
    audit::AuditLog audit(nullptr);  // the server signs checkpoints; this process only appends
    Reports reports(*db, audit, incidents::BlobStore(s.data_dir / "blobs"), s.mail_domain,
                    s.max_file_bytes);
    incidents::Worklog worklog(*db, audit);
    Mailgate gate(*db, audit, reports, worklog);
    const auto outcome = gate.deliver(message);
    out << "custos mailgate: " << outcome.summary << "\n";
    return kExitOk;
  } catch (const mime::MailError& e) {
    err << "custos mailgate: rejected: " << e.what() << "\n";
    return kExitDataErr;
  } catch (const EventError& e) {
    err << "custos mailgate: rejected: " << (e.field.empty() ? "" : e.field + ": ") << e.what()
        << "\n";
    return kExitDataErr;
  } catch (const std::exception& e) {
    // Busy, unreachable, disk full: nothing was stored; the MTA keeps the mail and retries.
    err << "custos mailgate: temporary failure, nothing stored: " << e.what() << "\n";
    return kExitTempFail;
  }
}

}  // namespace custos::events
