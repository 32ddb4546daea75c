#include "incidents/attachments.hpp"

#include <algorithm>
#include <cctype>

#include "audit/audit_log.hpp"
#include "http/message.hpp"
#include "util/time.hpp"
#include "util/utf8.hpp"

namespace custos::incidents {

namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Length of the UTF-8 sequence starting with `lead` (input already validated).
std::size_t sequence_length(unsigned char lead) {
  if (lead < 0x80) return 1;
  if (lead < 0xE0) return 2;
  if (lead < 0xF0) return 3;
  return 4;
}

char32_t decode(std::string_view s) {
  const auto b = [&](std::size_t i) {
    return static_cast<char32_t>(static_cast<unsigned char>(s[i]));
  };
  switch (s.size()) {
    case 1:
      return b(0);
    case 2:
      return ((b(0) & 0x1F) << 6) | (b(1) & 0x3F);
    case 3:
      return ((b(0) & 0x0F) << 12) | ((b(1) & 0x3F) << 6) | (b(2) & 0x3F);
    default:
      return ((b(0) & 0x07) << 18) | ((b(1) & 0x3F) << 12) | ((b(2) & 0x3F) << 6) | (b(3) & 0x3F);
  }
}

// Characters that make a name lie about itself: controls (C0, DEL, C1), bidirectional overrides
// and isolates ("invoice\u202Efdp.exe" shows as "invoiceexe.pdf"), zero-width and BOM.
bool unsafe_in_filename(char32_t cp) {
  return cp < 0x20 || (cp >= 0x7F && cp <= 0x9F) || (cp >= 0x200B && cp <= 0x200F) ||
         (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069) || cp == 0xFEFF;
}

// The longest prefix of `s` of at most `max` bytes that ends on a character boundary.
std::string_view utf8_prefix(std::string_view s, std::size_t max) {
  if (s.size() <= max) return s;
  std::size_t end = max;
  while (end > 0 && (static_cast<unsigned char>(s[end]) & 0xC0) == 0x80) --end;
  return s.substr(0, end);
}

bool starts_with(std::string_view bytes, std::string_view magic) {
  return bytes.substr(0, magic.size()) == magic;
}

template <class T>
void for_each_parameter(std::string_view value, T&& visit) {
  // Parameters after the first ';', each name=value; quoted values may contain ';'.
  std::size_t i = value.find(';');
  while (i != std::string_view::npos && i < value.size()) {
    ++i;
    const auto eq = value.find('=', i);
    if (eq == std::string_view::npos) return;
    const std::string name = lower(trim(value.substr(i, eq - i)));
    std::size_t j = eq + 1;
    while (j < value.size() && value[j] == ' ') ++j;
    std::string v;
    if (j < value.size() && value[j] == '"') {
      for (++j; j < value.size() && value[j] != '"'; ++j) {
        if (value[j] == '\\' && j + 1 < value.size()) ++j;
        v.push_back(value[j]);
      }
      i = value.find(';', j);
    } else {
      const auto end = value.find(';', j);
      v = std::string(trim(value.substr(j, end == std::string_view::npos ? end : end - j)));
      i = end;
    }
    visit(name, v);
  }
}

constexpr const char* kSelect =
    "SELECT a.id, a.incident_id, a.sha256, a.size, a.content_type, a.filename, u.username,"
    " a.created_at, a.uploaded_by FROM attachments a LEFT JOIN users u ON u.id = a.uploaded_by";

Attachment from_row(const store::Row& r) {
  return {r.i64(0), r.i64(1), r.str(2), r.i64(3), r.str(4), r.str(5), r.opt_str(6), r.i64(7)};
}

}  // namespace

std::string media_type(std::string_view content_type) {
  const auto semicolon = content_type.find(';');
  std::string type = lower(trim(content_type.substr(0, semicolon)));
  const auto slash = type.find('/');
  if (slash == std::string::npos || slash == 0 || slash + 1 == type.size() ||
      type.find('/', slash + 1) != std::string::npos) {
    return {};
  }
  for (unsigned char c : type) {
    if (std::isalnum(c) == 0 &&
        std::string_view("/!#$&^_.+-").find(static_cast<char>(c)) == std::string_view::npos) {
      return {};
    }
  }
  return type;
}

bool allowed_attachment_type(std::string_view type) {
  return std::find(std::begin(kAttachmentTypes), std::end(kAttachmentTypes), type) !=
         std::end(kAttachmentTypes);
}

std::optional<std::string> content_mismatch(std::string_view type, std::string_view bytes) {
  struct Signature {
    std::string_view type;
    std::string_view name;
    std::string_view magic[3];  // any of these; unused slots stay empty
  };
  static const Signature kSignatures[] = {
      {"image/png", "a PNG image", {std::string_view("\x89PNG\r\n\x1a\n", 8)}},
      {"image/jpeg", "a JPEG image", {std::string_view("\xFF\xD8\xFF", 3)}},
      {"image/gif", "a GIF image", {"GIF87a", "GIF89a"}},
      {"application/pdf", "a PDF document", {"%PDF-"}},
      // Local file header, empty archive, spanned archive.
      {"application/zip",
       "a ZIP archive",
       {std::string_view("PK\x03\x04", 4), std::string_view("PK\x05\x06", 4),
        std::string_view("PK\x07\x08", 4)}},
  };
  for (const auto& s : kSignatures) {
    if (s.type != type) continue;
    for (auto magic : s.magic) {
      if (!magic.empty() && starts_with(bytes, magic)) return std::nullopt;
    }
    return "the file is not " + std::string(s.name) + " although it was sent as " +
           std::string(type) + "; send it with its real type or as application/octet-stream";
  }
  const bool text =
      type.starts_with("text/") || type == "application/json" || type == "message/rfc822";
  if (text && bytes.find('\0') != std::string_view::npos) {
    return "the file contains binary data although it was sent as " + std::string(type) +
           "; send it as application/octet-stream";
  }
  return std::nullopt;
}

std::optional<std::string> sanitize_filename(std::string_view name) {
  if (!util::is_valid_utf8(name)) return std::nullopt;
  // Only the last component: a name never chooses a directory.
  const auto separator = name.find_last_of("/\\");
  if (separator != std::string_view::npos) name.remove_prefix(separator + 1);
  std::string clean;
  for (std::size_t i = 0; i < name.size();) {
    const auto len =
        std::min(sequence_length(static_cast<unsigned char>(name[i])), name.size() - i);
    const auto ch = name.substr(i, len);
    if (!unsafe_in_filename(decode(ch))) clean.append(ch);
    i += len;
  }
  std::string_view view = trim(clean);
  // Trailing dots and spaces vanish on some systems ("report.pdf." opens as "report.pdf").
  while (!view.empty() && (view.back() == '.' || view.back() == ' ')) view.remove_suffix(1);
  if (view.empty()) return std::nullopt;
  if (view.size() <= kMaxFilenameBytes) return std::string(view);
  // Shorten the stem and keep a short extension, so the type stays recognisable.
  const auto dot = view.rfind('.');
  std::string_view extension;
  if (dot != std::string_view::npos && dot > 0 && view.size() - dot <= 16) {
    extension = view.substr(dot);
  }
  const auto stem = view.substr(0, view.size() - extension.size());
  std::string out(utf8_prefix(stem, kMaxFilenameBytes - extension.size()));
  out.append(extension);
  return out;
}

std::optional<std::string> filename_from_disposition(std::string_view value) {
  std::optional<std::string> plain;
  std::optional<std::string> extended;
  for_each_parameter(value, [&](const std::string& name, const std::string& v) {
    if (name == "filename*") {
      // charset'language'percent-encoded (RFC 8187); only UTF-8 (and its ASCII subset) is read.
      const auto first = v.find('\'');
      const auto second = first == std::string::npos ? first : v.find('\'', first + 1);
      if (second == std::string::npos) return;
      const auto charset = lower(v.substr(0, first));
      if (charset != "utf-8" && charset != "us-ascii") return;
      if (auto decoded = http::percent_decode(std::string_view(v).substr(second + 1), false)) {
        extended = *decoded;
      }
    } else if (name == "filename") {
      plain = v;
    }
  });
  return extended ? extended : plain;
}

std::string content_disposition(std::string_view filename) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string fallback;
  std::string encoded;
  for (unsigned char c : filename) {
    const bool printable = c >= 0x20 && c < 0x7F;
    fallback.push_back(printable && c != '"' && c != '\\' ? static_cast<char>(c) : '_');
    // attr-char of RFC 8187: ALPHA / DIGIT / "!" / "#" / "$" / "&" / "+" / "-" / "." / "^" /
    // "_" / "`" / "|" / "~"
    if (std::isalnum(c) != 0 ||
        std::string_view("!#$&+-.^_`|~").find(static_cast<char>(c)) != std::string_view::npos) {
      encoded.push_back(static_cast<char>(c));
    } else {
      encoded.push_back('%');
      encoded.push_back(kHex[c >> 4]);
      encoded.push_back(kHex[c & 0x0F]);
    }
  }
  return "attachment; filename=\"" + fallback + "\"; filename*=UTF-8''" + encoded;
}

nlohmann::json to_json(const Attachment& a, const std::string& incident_key) {
  return {
      {"id", a.id},
      {"filename", a.filename},
      {"content_type", a.content_type},
      {"size", a.size},
      {"sha256", a.sha256},
      {"uploaded_by", a.uploaded_by ? nlohmann::json(*a.uploaded_by) : nlohmann::json()},
      {"created_at", util::to_rfc3339(a.created_at)},
      {"download", "/api/v1/incidents/" + incident_key + "/attachments/" + std::to_string(a.id)}};
}

std::optional<Attachment> Attachments::add(std::int64_t incident_id, const NewAttachment& file,
                                           const auth::Principal& who) {
  auto check_access = [&](store::Connection& c) {
    auto access = access_incident(c, incident_id, who);
    if (!access) return access;
    if (!access->worker && !access->is_reporter()) {
      throw WorkError::forbidden("only the incident's reporter and the service desk attach files");
    }
    access->require_open("attaching a file");
    return access;
  };
  // Not visible → 404 before anything about the file is judged.
  bool visible = false;
  db_.read([&](store::Connection& c) { visible = check_access(c).has_value(); });
  if (!visible) return std::nullopt;

  if (file.bytes.empty()) throw WorkError::invalid("body", "the file is empty");
  if (static_cast<std::int64_t>(file.bytes.size()) > max_bytes_) {
    throw WorkError(WorkRefusal::too_large, "body",
                    "the file has " + std::to_string(file.bytes.size()) +
                        " bytes; attachments may have at most " + std::to_string(max_bytes_));
  }
  if (file.content_type.empty()) {
    throw WorkError(WorkRefusal::unsupported_type, "Content-Type",
                    "send the file's type in Content-Type (application/octet-stream when unsure)");
  }
  const std::string type = media_type(file.content_type);
  if (!allowed_attachment_type(type)) {
    throw WorkError(WorkRefusal::unsupported_type, "Content-Type",
                    "attachments of type '" +
                        (type.empty() ? file.content_type.substr(0, 64) : type) +
                        "' are not accepted; allowed: text/plain, text/csv, application/json, "
                        "application/pdf, image/png, image/jpeg, image/gif, application/zip, "
                        "message/rfc822, application/octet-stream");
  }
  if (auto problem = content_mismatch(type, file.bytes)) {
    throw WorkError::invalid("body", *problem);
  }
  if (file.filename.empty()) {
    throw WorkError::invalid("filename",
                             "is required: send ?filename=NAME or a Content-Disposition header");
  }
  const auto filename = sanitize_filename(file.filename);
  if (!filename) {
    throw WorkError::invalid("filename", "must be valid UTF-8 and contain a usable name");
  }

  // The blob is written before the transaction (a unit of work may be retried and must not
  // have side effects); if the transaction fails, an unreferenced blob stays behind, harmless.
  const std::string sha256 = blobs_.put(file.bytes);
  std::optional<Attachment> out;
  db_.write([&](store::Connection& c) {
    auto access = check_access(c);
    if (!access) return;
    const std::int64_t now = util::now_ms();
    auto row = c.query_one(
        "INSERT INTO attachments (incident_id, sha256, size, content_type, filename, uploaded_by,"
        " created_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
        {incident_id, sha256, static_cast<std::int64_t>(file.bytes.size()), type, *filename,
         who.user_id, now});
    out = Attachment{
        row->i64(0), incident_id, sha256,       static_cast<std::int64_t>(file.bytes.size()),
        type,        *filename,   who.username, now};
    c.execute("UPDATE incidents SET updated_at = ? WHERE id = ?", {now, incident_id});
    audit_.append(c, {who.actor(),
                      "incident.attachment_add",
                      "incident",
                      access->key(),
                      {{"attachment", out->id},
                       {"filename", out->filename},
                       {"content_type", out->content_type},
                       {"size", out->size},
                       {"sha256", out->sha256}}});
  });
  return out;
}

std::optional<std::vector<Attachment>> Attachments::list(std::int64_t incident_id,
                                                         const auth::Principal& who) {
  std::optional<std::vector<Attachment>> out;
  db_.read([&](store::Connection& c) {
    auto access = access_incident(c, incident_id, who);
    if (!access) return;
    const std::optional<std::int64_t> only_from =
        access->internal ? std::nullopt : std::optional<std::int64_t>(who.user_id);
    std::vector<Attachment> items;
    for (const auto& r :
         c.query(std::string(kSelect) + " WHERE a.incident_id = ?"
                                        " AND (CAST(? AS BIGINT) IS NULL OR a.uploaded_by = ?)"
                                        " ORDER BY a.id LIMIT 1000",
                 {incident_id, store::maybe(only_from), store::maybe(only_from)})) {
      items.push_back(from_row(r));
    }
    out = std::move(items);
  });
  return out;
}

std::optional<AttachmentDownload> Attachments::download(std::int64_t incident_id,
                                                        std::int64_t attachment_id,
                                                        const auth::Principal& who) {
  std::optional<Attachment> meta;
  bool visible = false;
  db_.read([&](store::Connection& c) {
    auto access = access_incident(c, incident_id, who);
    if (!access) return;
    visible = true;
    auto row = c.query_one(std::string(kSelect) + " WHERE a.id = ? AND a.incident_id = ?",
                           {attachment_id, incident_id});
    if (!row) return;
    if (!access->internal && row->opt_i64(8) != who.user_id) return;
    meta = from_row(*row);
  });
  if (!visible) return std::nullopt;
  if (!meta) {
    throw WorkError(
        WorkRefusal::not_found, "",
        "attachment " + std::to_string(attachment_id) + " of " + incident_key(incident_id));
  }
  auto bytes = blobs_.get(meta->sha256);
  if (!bytes) {
    throw std::runtime_error("the blob of attachment " + std::to_string(meta->id) + " (" +
                             meta->sha256 + ") is missing from the blob store");
  }
  return AttachmentDownload{std::move(*meta), std::move(*bytes)};
}

}  // namespace custos::incidents
