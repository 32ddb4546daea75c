#pragma once
// Files attached to an incident while it is worked: screenshots, mails, logs. Not evidence
// (no chain of custody); stored content-addressed in a BlobStore, size-limited, and only of
// allowed types whose bytes match what they claim to be.
//
// Who sees what: the service desk and auditors see every attachment of an incident they may
// see; a reporter sees the files they attached themselves (an attachment has no public/internal
// flag, so what the service desk attaches stays internal).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "incidents/blob_store.hpp"
#include "incidents/work_access.hpp"
#include "store/database.hpp"

namespace custos::audit {
class AuditLog;
}

namespace custos::incidents {

inline constexpr std::string_view kAttachmentTypes[] = {
    "text/plain", "text/csv",  "application/json", "application/pdf", "image/png",
    "image/jpeg", "image/gif", "application/zip",  "message/rfc822",  "application/octet-stream"};
inline constexpr std::size_t kMaxFilenameBytes = 200;

// --- rules (pure) ---

// The media type of a Content-Type value, lower case and without parameters
// ("Image/PNG; x=y" → "image/png"); empty when it is not type/subtype.
std::string media_type(std::string_view content_type);
[[nodiscard]] bool allowed_attachment_type(std::string_view media_type);

// nullopt when `bytes` are plausible for `media_type`; otherwise the sentence explaining why
// not. Images, PDF and ZIP must start with their format's signature; text types must not
// contain NUL bytes.
std::optional<std::string> content_mismatch(std::string_view media_type, std::string_view bytes);

// A file name safe to store and to offer for download: the last path component only, without
// control, bidirectional-override or zero-width format characters, trimmed, at most 200 bytes
// (the extension is kept when shortening). nullopt when the name is not valid UTF-8 or nothing
// usable remains.
std::optional<std::string> sanitize_filename(std::string_view name);

// The file name of a Content-Disposition value: filename*=UTF-8''... wins over filename=.
std::optional<std::string> filename_from_disposition(std::string_view value);

// `attachment; filename="<ASCII fallback>"; filename*=UTF-8''<percent-encoded>` (RFC 6266).
std::string content_disposition(std::string_view filename);

// --- service ---

struct Attachment {
  std::int64_t id = 0;
  std::int64_t incident_id = 0;
  std::string sha256;
  std::int64_t size = 0;
  std::string content_type;
  std::string filename;
  std::optional<std::string> uploaded_by;  // username
  std::int64_t created_at = 0;
};
nlohmann::json to_json(const Attachment& attachment, const std::string& incident_key);

struct NewAttachment {
  std::string filename;      // as sent; sanitised by the service
  std::string content_type;  // the Content-Type header as sent
  std::string_view bytes;
};

struct AttachmentDownload {
  Attachment attachment;
  std::string bytes;
};

class Attachments {
 public:
  Attachments(store::Database& db, const audit::AuditLog& audit, BlobStore blobs,
              std::int64_t max_bytes)
      : db_(db), audit_(audit), blobs_(std::move(blobs)), max_bytes_(max_bytes) {}

  [[nodiscard]] std::int64_t max_bytes() const { return max_bytes_; }

  // Each returns nullopt when the incident does not exist or the caller may not see it.
  std::optional<Attachment> add(std::int64_t incident_id, const NewAttachment& file,
                                const auth::Principal& who);
  std::optional<std::vector<Attachment>> list(std::int64_t incident_id, const auth::Principal& who);
  // Throws WorkError(not_found) for an attachment the caller may not see.
  std::optional<AttachmentDownload> download(std::int64_t incident_id, std::int64_t attachment_id,
                                             const auth::Principal& who);

 private:
  store::Database& db_;
  const audit::AuditLog& audit_;
  BlobStore blobs_;
  std::int64_t max_bytes_;
};

}  // namespace custos::incidents
