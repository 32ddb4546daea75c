#include "events/reports.hpp"

#include "audit/audit_log.hpp"
#include "events/notices.hpp"
#include "incidents/attachments.hpp"
#include "incidents/work_access.hpp"
#include "util/time.hpp"

namespace custos::events {

namespace {

constexpr const char* kAttachmentSelect =
    "SELECT a.id, a.event_id, a.sha256, a.size, a.content_type, a.filename, a.uploaded_by,"
    " u.username, a.created_at FROM event_attachments a LEFT JOIN users u ON u.id = a.uploaded_by";

EventAttachment attachment_from_row(const store::Row& r) {
  return {r.i64(0), r.i64(1),     r.str(2),     r.i64(3), r.str(4),
          r.str(5), r.opt_i64(6), r.opt_str(7), r.i64(8)};
}

constexpr const char* kNoteSelect =
    "SELECT n.id, u.username, n.author_email, n.channel, n.body, n.created_at"
    " FROM event_notes n LEFT JOIN users u ON u.id = n.author_id";

EventNote note_from_row(const store::Row& r) {
  return {r.i64(0), r.opt_str(1), r.opt_str(2), r.str(3), r.str(4), r.i64(5)};
}

ReportSender sender_of(const auth::Principal& who) {
  return {who.user_id, std::nullopt, who.actor()};
}

}  // namespace

bool sees_all_reports(const auth::RoleSet& roles) { return incidents::sees_internal(roles); }

bool can_see(const Event& e, const auth::Principal& who) {
  return sees_all_reports(who.roles) || (e.reporter_id && *e.reporter_id == who.user_id);
}

bool plausible_email(std::string_view a) {
  if (a.empty() || a.size() > 254) return false;
  const auto at = a.rfind('@');
  if (at == std::string_view::npos || at == 0 || at + 1 == a.size()) return false;
  if (a.substr(at + 1).find('.') == std::string_view::npos && a.substr(at + 1) != "localhost") {
    return false;
  }
  for (unsigned char c : a) {
    if (c <= 0x20 || c == 0x7F || c == '<' || c == '>' || c == '"' || c == ',' || c == ';' ||
        c == '\\') {
      return false;
    }
  }
  return true;
}

std::optional<Event> load_event(store::Connection& c, std::int64_t id) {
  auto row = c.query_one(std::string(kEventSelect) + " WHERE e.id = ?", {id});
  if (!row) return std::nullopt;
  return event_from_row(*row);
}

std::vector<EventAttachment> event_attachments(store::Connection& c, std::int64_t event_id) {
  std::vector<EventAttachment> out;
  for (const auto& r :
       c.query(std::string(kAttachmentSelect) + " WHERE a.event_id = ? ORDER BY a.id LIMIT 1000",
               {event_id})) {
    out.push_back(attachment_from_row(r));
  }
  return out;
}

StoredFile Reports::store_file(const IncomingFile& file, bool lenient) const {
  if (file.bytes.empty() && !lenient) throw EventError::invalid("body", "the file is empty");
  if (static_cast<std::int64_t>(file.bytes.size()) > max_file_bytes_) {
    throw EventError(EventRefusal::too_large, "body",
                     "the file " + file.filename.substr(0, 100) + " has " +
                         std::to_string(file.bytes.size()) + " bytes; files may have at most " +
                         std::to_string(max_file_bytes_));
  }
  std::string type = incidents::media_type(file.content_type);
  const bool allowed = incidents::allowed_attachment_type(type);
  if (!allowed || incidents::content_mismatch(type, file.bytes)) {
    if (!lenient) {
      if (!allowed) {
        throw EventError(EventRefusal::unsupported_type, "Content-Type",
                         "files of type '" +
                             (type.empty() ? file.content_type.substr(0, 64) : type) +
                             "' are not accepted; allowed: text/plain, text/csv, application/json, "
                             "application/pdf, image/png, image/jpeg, image/gif, application/zip, "
                             "message/rfc822, application/octet-stream");
      }
      throw EventError::invalid("body", *incidents::content_mismatch(type, file.bytes));
    }
    type = "application/octet-stream";
  }
  auto name = incidents::sanitize_filename(file.filename);
  if (!name) {
    if (!lenient) {
      throw EventError::invalid("filename", file.filename.empty()
                                                ? "is required: send ?filename=NAME"
                                                : "must be valid UTF-8 and contain a usable name");
    }
    name = "attachment";
  }
  return {blobs_.put(file.bytes), static_cast<std::int64_t>(file.bytes.size()), type, *name};
}

void Reports::insert_files(store::Connection& c, std::int64_t event_id,
                           std::optional<std::int64_t> uploaded_by,
                           const std::vector<StoredFile>& files, std::int64_t now) const {
  for (const auto& f : files) {
    c.execute(
        "INSERT INTO event_attachments (event_id, sha256, size, content_type, filename,"
        " uploaded_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
        {event_id, f.sha256, f.size, f.content_type, f.filename, store::maybe(uploaded_by), now});
  }
}

Event Reports::create(const NewReport& report, const ReportSender& sender,
                      const std::vector<StoredFile>& files) {
  const auto now = util::now_ms();
  check_new_report(report, now);  // before the transaction: a clear 422 without a write
  Event out;
  db_.write(
      [&](store::Connection& c) { out = create(c, report, sender, files, std::nullopt, now); });
  return out;
}

Event Reports::create(store::Connection& c, const NewReport& r, const ReportSender& sender,
                      const std::vector<StoredFile>& files,
                      const std::optional<std::string>& in_reply_to, std::int64_t now) const {
  check_new_report(r, now);
  if (sender.email && !plausible_email(*sender.email)) {
    throw EventError::invalid("email", "must be an e-mail address like name@example.org");
  }
  auto row = c.query_one(
      "INSERT INTO events (kind, title, description, observed, observed_at, location,"
      " reporter_id, reporter_email, channel, status, created_at, updated_at)"
      " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'new', ?, ?) RETURNING id",
      {r.kind, r.title, r.description, r.observed, store::maybe(r.observed_at), r.location,
       store::maybe(sender.user_id), store::maybe(sender.user_id ? std::nullopt : sender.email),
       r.channel, now, now});
  const std::int64_t id = row->i64(0);
  insert_files(c, id, sender.user_id, files, now);
  nlohmann::json names = nlohmann::json::array();
  for (const auto& f : files) names.push_back({{"filename", f.filename}, {"sha256", f.sha256}});
  Event e = *load_event(c, id);
  audit_.append(c, {sender.actor,
                    "event.report",
                    "event",
                    event_key(id),
                    {{"kind", e.kind},
                     {"title", e.title},
                     {"channel", e.channel},
                     {"reporter", e.reporter ? nlohmann::json(*e.reporter)
                                             : nlohmann::json(e.reporter_email.value_or(""))},
                     {"attachments", names}}});
  auto ack = acknowledgement(e);
  ack.in_reply_to = in_reply_to;
  notify_reporter(c, e, ack, mail_domain_, now);
  return e;
}

EventNote Reports::add_note(store::Connection& c, const Event& e, const ReportSender& sender,
                            const std::string& channel, const std::string& body,
                            const std::vector<StoredFile>& files, std::int64_t now) const {
  check_report_text("body", body, kMaxText, true, files.empty());
  auto row = c.query_one(
      "INSERT INTO event_notes (event_id, author_id, author_email, channel, body, created_at)"
      " VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
      {e.id, store::maybe(sender.user_id),
       store::maybe(sender.user_id ? std::nullopt : sender.email), channel, body, now});
  const auto note_id = row->i64(0);
  insert_files(c, e.id, sender.user_id, files, now);
  c.execute("UPDATE events SET updated_at = ?, version = version + 1 WHERE id = ?", {now, e.id});
  nlohmann::json names = nlohmann::json::array();
  for (const auto& f : files) names.push_back({{"filename", f.filename}, {"sha256", f.sha256}});
  audit_.append(c, {sender.actor,
                    "event.note",
                    "event",
                    event_key(e.id),
                    {{"note", note_id}, {"channel", channel}, {"attachments", names}}});
  return note_from_row(*c.query_one(std::string(kNoteSelect) + " WHERE n.id = ?", {note_id}));
}

std::optional<Event> Reports::get(std::int64_t id, const auth::Principal& who) {
  std::optional<Event> out;
  db_.read([&](store::Connection& c) {
    out = load_event(c, id);
    if (out && !can_see(*out, who)) out.reset();
  });
  return out;
}

EventPage Reports::list(const EventQuery& q, const auth::Principal& who) {
  std::string sql = std::string(kEventSelect) + " WHERE 1 = 1";
  std::vector<store::Value> params;
  if (!q.statuses.empty()) {
    sql += " AND e.status IN (";
    for (std::size_t i = 0; i < q.statuses.size(); ++i) {
      sql += i == 0 ? "?" : ", ?";
      params.emplace_back(q.statuses[i]);
    }
    sql += ")";
  }
  if (q.kind) {
    sql += " AND e.kind = ?";
    params.emplace_back(*q.kind);
  }
  if (q.channel) {
    sql += " AND e.channel = ?";
    params.emplace_back(*q.channel);
  }
  if (q.incident_id) {
    sql += " AND e.incident_id = ?";
    params.emplace_back(*q.incident_id);
  }
  // A reporter sees their own reports, whatever they asked for.
  const bool own_only = !sees_all_reports(who.roles) || (q.reporter && *q.reporter == "me");
  if (own_only) {
    sql += " AND e.reporter_id = ?";
    params.emplace_back(who.user_id);
  } else if (q.reporter) {
    sql += " AND r.username = ?";
    params.emplace_back(*q.reporter);
  }
  if (q.after_id) {
    sql += q.oldest_first ? " AND e.id > ?" : " AND e.id < ?";
    params.emplace_back(*q.after_id);
  }
  sql += q.oldest_first ? " ORDER BY e.id ASC" : " ORDER BY e.id DESC";
  sql += " LIMIT " + std::to_string(q.limit + 1);
  EventPage page;
  db_.read([&](store::Connection& c) {
    for (const auto& r : c.query(sql, params)) page.items.push_back(event_from_row(r));
  });
  if (static_cast<int>(page.items.size()) > q.limit) {
    page.items.resize(static_cast<std::size_t>(q.limit));
    page.next_after_id = page.items.back().id;
  }
  return page;
}

std::optional<std::vector<EventNote>> Reports::notes(std::int64_t id, const auth::Principal& who) {
  std::optional<std::vector<EventNote>> out;
  db_.read([&](store::Connection& c) {
    auto e = load_event(c, id);
    if (!e || !can_see(*e, who)) return;
    std::vector<EventNote> items;
    for (const auto& r : c.query(
             std::string(kNoteSelect) + " WHERE n.event_id = ? ORDER BY n.id LIMIT 1000", {id})) {
      items.push_back(note_from_row(r));
    }
    out = std::move(items);
  });
  return out;
}

std::optional<EventNote> Reports::add_note(std::int64_t id, const std::string& body,
                                           const auth::Principal& who) {
  check_report_text("body", body, kMaxText, true, true);
  std::optional<EventNote> out;
  db_.write([&](store::Connection& c) {
    auto e = load_event(c, id);
    if (!e || !can_see(*e, who)) return;
    const auto channel = who.method == auth::AuthMethod::token ? "api" : "portal";
    out = add_note(c, *e, sender_of(who), channel, body, {}, util::now_ms());
  });
  return out;
}

std::optional<std::vector<EventAttachment>> Reports::attachments(std::int64_t id,
                                                                 const auth::Principal& who) {
  std::optional<std::vector<EventAttachment>> out;
  db_.read([&](store::Connection& c) {
    auto e = load_event(c, id);
    if (!e || !can_see(*e, who)) return;
    out = event_attachments(c, id);
  });
  return out;
}

std::optional<EventAttachment> Reports::add_attachment(std::int64_t id, const IncomingFile& file,
                                                       const auth::Principal& who) {
  if (!get(id, who)) return std::nullopt;  // 404 before anything about the file is judged
  const auto stored = store_file(file, false);
  std::optional<EventAttachment> out;
  db_.write([&](store::Connection& c) {
    auto e = load_event(c, id);
    if (!e || !can_see(*e, who)) return;
    if (is_decided(e->status)) {
      throw EventError::conflict(event_key(id) + " was already decided; add files to " +
                                 (e->incident_id ? "its incident" : "a new report"));
    }
    const auto now = util::now_ms();
    insert_files(c, id, who.user_id, {stored}, now);
    c.execute("UPDATE events SET updated_at = ?, version = version + 1 WHERE id = ?", {now, id});
    auto row = c.query_one(
        std::string(kAttachmentSelect) + " WHERE a.event_id = ? ORDER BY a.id DESC LIMIT 1", {id});
    out = attachment_from_row(*row);
    audit_.append(c, {who.actor(),
                      "event.attachment_add",
                      "event",
                      event_key(id),
                      {{"attachment", out->id},
                       {"filename", out->filename},
                       {"content_type", out->content_type},
                       {"size", out->size},
                       {"sha256", out->sha256}}});
  });
  return out;
}

std::optional<std::pair<EventAttachment, std::string>> Reports::download(
    std::int64_t id, std::int64_t attachment_id, const auth::Principal& who) {
  std::optional<EventAttachment> meta;
  bool visible = false;
  db_.read([&](store::Connection& c) {
    auto e = load_event(c, id);
    if (!e || !can_see(*e, who)) return;
    visible = true;
    auto row = c.query_one(std::string(kAttachmentSelect) + " WHERE a.id = ? AND a.event_id = ?",
                           {attachment_id, id});
    if (row) meta = attachment_from_row(*row);
  });
  if (!visible) return std::nullopt;
  if (!meta) {
    throw EventError(EventRefusal::not_found, "",
                     "attachment " + std::to_string(attachment_id) + " of " + event_key(id));
  }
  auto bytes = blobs_.get(meta->sha256);
  if (!bytes) {
    throw std::runtime_error("the blob of event attachment " + std::to_string(meta->id) +
                             " is missing from the blob store");
  }
  return std::pair{std::move(*meta), std::move(*bytes)};
}

}  // namespace custos::events
