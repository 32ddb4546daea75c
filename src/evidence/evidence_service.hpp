#pragma once
// The evidence vault: items of an incident, their content (stored write-once, hashed while
// streaming), the chain of custody, legal holds, signed export packages and re-hashing.
// Every change and its audit entry commit in one transaction; every custody entry is also an
// audit entry. Need-to-know is the incident's: an item of an incident the caller may not see
// does not exist for them (EvidenceError 404).
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "auth/principal.hpp"
#include "evidence/content_store.hpp"
#include "evidence/custody.hpp"
#include "evidence/item.hpp"
#include "evidence/package.hpp"
#include "store/database.hpp"

namespace custos::audit {
class AuditLog;
class SigningKey;
}  // namespace custos::audit

namespace custos::evidence {

// A refusal: `status` is the HTTP status it maps to, `field` the input at fault (or empty).
struct EvidenceError : std::runtime_error {
  EvidenceError(int s, std::string f, const std::string& message)
      : std::runtime_error(message), status(s), field(std::move(f)) {}
  int status;
  std::string field;
};

struct NewEvidence {
  std::string item_type, description, source, location, collected_by, method;
  std::optional<std::int64_t> collected_at;  // default: now
  std::optional<std::string> declared_hash_algorithm, declared_hash;
};

struct UploadInfo {
  std::string content_type;  // as sent; application/octet-stream when empty
  std::optional<std::string> filename;
  // The collector's hash, when it was not recorded with the item.
  std::optional<std::string> declared_hash_algorithm, declared_hash;
  std::string spooled_file;  // set: the content is this file (taken over), not the Source
};

struct LegalHold {
  std::int64_t id = 0;
  std::int64_t incident_id = 0;
  std::string reason, set_by;
  std::int64_t set_at = 0;
  std::optional<std::string> released_by, release_reason;
  std::optional<std::int64_t> released_at;
};
nlohmann::json to_json(const LegalHold& hold);

struct Download {
  EvidenceItem item;
  std::unique_ptr<ContentReader> reader;
};

struct Export {
  std::string filename;  // "INC-000001-evidence.tar"
  std::unique_ptr<PackageStream> stream;
};

struct RehashReport {
  int checked = 0, ok = 0, mismatched = 0, missing = 0;
  std::uint64_t bytes = 0;
  double seconds = 0;
};

class EvidenceService {
 public:
  EvidenceService(store::Database& db, const audit::AuditLog& audit, ContentStore store,
                  std::uint64_t max_upload_bytes)
      : db_(db), audit_(audit), store_(std::move(store)), max_upload_bytes_(max_upload_bytes) {}

  [[nodiscard]] std::uint64_t max_upload_bytes() const { return max_upload_bytes_; }
  [[nodiscard]] const ContentStore& store() const { return store_; }

  EvidenceItem create(std::int64_t incident_id, const NewEvidence& input,
                      const auth::Principal& who);
  EvidenceItem get(std::int64_t id, const auth::Principal& who);
  std::vector<EvidenceItem> list(std::int64_t incident_id, const auth::Principal& who);

  // Write-once: a second upload is a 409, also when two race (the loser's copy is dropped).
  EvidenceItem put_content(std::int64_t id, const Source& source, const UploadInfo& info,
                           const auth::Principal& who);
  // Records a `downloaded` custody entry before handing out the content.
  Download download(std::int64_t id, const auth::Principal& who);

  CustodyEntry add_custody(std::int64_t id, const CustodyInput& input, const auth::Principal& who);
  std::vector<CustodyEntry> custody(std::int64_t id, const auth::Principal& who);

  LegalHold set_legal_hold(std::int64_t incident_id, const std::string& reason,
                           const auth::Principal& who);
  LegalHold release_legal_hold(std::int64_t incident_id, const std::string& reason,
                               const auth::Principal& who);
  // The active hold and the released ones, newest first.
  std::vector<LegalHold> legal_holds(std::int64_t incident_id, const auth::Principal& who);

  // A signed package of one item (`evidence_id`) or of all items of an incident. `who` null:
  // the command line (no need-to-know; the operator reads the database anyway), named `actor`.
  // Writes an `exported` custody entry for every item first, so the package shows its export.
  Export export_package(std::optional<std::int64_t> incident_id,
                        std::optional<std::int64_t> evidence_id, const auth::Principal* who,
                        const std::string& actor, const audit::SigningKey& key);

  // Reads every stored file back and compares it with its recorded hashes. A newly found
  // mismatch or missing file is audited, handed to the finding hook (the server raises a
  // security event) and told to the security managers, all in one transaction.
  RehashReport rehash(const std::function<bool()>& keep_going);

  struct IntegrityFinding {
    std::string evidence_key;  // EVD-…
    std::string incident_key;  // INC-…
    std::string verdict;       // mismatch | missing
    std::string problem;       // what differs
    std::int64_t at = 0;       // epoch ms
  };
  using FindingHook = std::function<void(store::Connection&, const IntegrityFinding&)>;
  // Set before the re-hash job starts.
  void on_integrity_finding(FindingHook hook) { on_finding_ = std::move(hook); }

 private:
  store::Database& db_;
  const audit::AuditLog& audit_;
  ContentStore store_;
  std::uint64_t max_upload_bytes_;
  FindingHook on_finding_;
};

}  // namespace custos::evidence
