#pragma once
// An evidence item: what it is, where it came from, who collected it how, and — for items with
// a file — the hashes custos computed while storing it next to the hash the collector declared.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "store/database.hpp"

namespace custos::evidence {

inline constexpr std::string_view kItemTypes[] = {"disk_image",   "memory_capture", "log_extract",
                                                  "email",        "screenshot",     "document",
                                                  "physical_item"};
[[nodiscard]] bool valid_item_type(std::string_view type);

// "EVD-000123"; more digits once ids pass a million.
std::string evidence_key(std::int64_t id);
// The id in "EVD-000123" (case-insensitive prefix), or nullopt.
std::optional<std::int64_t> parse_evidence_key(std::string_view key);

struct EvidenceItem {
  std::int64_t id = 0;
  std::int64_t incident_id = 0;
  std::string item_type, description, source, location, collected_by;
  std::int64_t collected_at = 0;
  std::string method, custodian;
  std::optional<std::string> declared_hash_algorithm, declared_hash;
  std::optional<std::string> sha256, sha512;
  std::optional<bool> declared_hash_matches;  // nullopt: nothing declared or no content yet
  std::optional<std::int64_t> size;
  std::optional<std::string> content_type, filename;
  bool encrypted = false;
  std::optional<std::int64_t> content_stored_at;
  std::string integrity = "unverified";  // unverified | ok | mismatch | missing
  std::optional<std::int64_t> last_verified_at;
  std::string state = "active";  // active | disposed
  std::optional<std::string> created_by;
  std::int64_t created_at = 0, updated_at = 0;

  [[nodiscard]] std::string key() const { return evidence_key(id); }
  [[nodiscard]] bool physical() const { return item_type == "physical_item"; }
  [[nodiscard]] bool has_content() const { return sha256.has_value(); }
  [[nodiscard]] bool disposed() const { return state == "disposed"; }
};

// The SELECT list that reads an EvidenceItem (joined with users for created_by).
extern const char* const kItemSelect;
EvidenceItem item_from_row(const store::Row& row);

// The API's (and the manifest's) view of an item.
nlohmann::json to_json(const EvidenceItem& item, const std::string& incident_key);

}  // namespace custos::evidence
