#include "evidence/item.hpp"

#include <algorithm>
#include <charconv>
#include <cstdio>

#include "util/time.hpp"

namespace custos::evidence {

bool valid_item_type(std::string_view type) {
  return std::find(std::begin(kItemTypes), std::end(kItemTypes), type) != std::end(kItemTypes);
}

std::string evidence_key(std::int64_t id) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "EVD-%06lld", static_cast<long long>(id));
  return buffer;
}

std::optional<std::int64_t> parse_evidence_key(std::string_view key) {
  if (key.size() < 5 || key.size() > 23) return std::nullopt;
  const auto prefix = key.substr(0, 4);
  if (prefix != "EVD-" && prefix != "evd-") return std::nullopt;
  const auto digits = key.substr(4);
  if (digits.find_first_not_of("0123456789") != std::string_view::npos) return std::nullopt;
  std::int64_t id = 0;
  const auto [p, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), id);
  if (ec != std::errc() || p != digits.data() + digits.size() || id <= 0) return std::nullopt;
  return id;
}

const char* const kItemSelect =
    "SELECT e.id, e.incident_id, e.item_type, e.description, e.source, e.location,"
    " e.collected_by, e.collected_at, e.method, e.custodian, e.declared_hash_algorithm,"
    " e.declared_hash, e.sha256, e.sha512, e.declared_hash_matches, e.size, e.content_type,"
    " e.filename, e.encrypted, e.content_stored_at, e.integrity, e.last_verified_at, e.state,"
    " u.username, e.created_at, e.updated_at"
    " FROM evidence_items e LEFT JOIN users u ON u.id = e.created_by";

EvidenceItem item_from_row(const store::Row& r) {
  EvidenceItem e;
  e.id = r.i64(0);
  e.incident_id = r.i64(1);
  e.item_type = r.str(2);
  e.description = r.str(3);
  e.source = r.str(4);
  e.location = r.str(5);
  e.collected_by = r.str(6);
  e.collected_at = r.i64(7);
  e.method = r.str(8);
  e.custodian = r.str(9);
  e.declared_hash_algorithm = r.opt_str(10);
  e.declared_hash = r.opt_str(11);
  e.sha256 = r.opt_str(12);
  e.sha512 = r.opt_str(13);
  if (auto m = r.opt_i64(14)) e.declared_hash_matches = *m != 0;
  e.size = r.opt_i64(15);
  e.content_type = r.opt_str(16);
  e.filename = r.opt_str(17);
  e.encrypted = r.i64(18) != 0;
  e.content_stored_at = r.opt_i64(19);
  e.integrity = r.str(20);
  e.last_verified_at = r.opt_i64(21);
  e.state = r.str(22);
  e.created_by = r.opt_str(23);
  e.created_at = r.i64(24);
  e.updated_at = r.i64(25);
  return e;
}

nlohmann::json to_json(const EvidenceItem& e, const std::string& incident_key) {
  const auto opt = [](const auto& v) { return v ? nlohmann::json(*v) : nlohmann::json(); };
  const auto time = [](const std::optional<std::int64_t>& v) {
    return v ? nlohmann::json(util::to_rfc3339(*v)) : nlohmann::json();
  };
  nlohmann::json declared;
  if (e.declared_hash) {
    declared = {{"algorithm", *e.declared_hash_algorithm},
                {"value", *e.declared_hash},
                {"matches", opt(e.declared_hash_matches)}};
  }
  nlohmann::json content;
  if (e.has_content()) {
    content = {{"size", *e.size},
               {"sha256", *e.sha256},
               {"sha512", *e.sha512},
               {"content_type", opt(e.content_type)},
               {"filename", opt(e.filename)},
               {"encrypted", e.encrypted},
               {"stored_at", time(e.content_stored_at)},
               {"download", "/api/v1/evidence/" + e.key() + "/content"}};
  }
  return {{"key", e.key()},
          {"incident", incident_key},
          {"type", e.item_type},
          {"description", e.description},
          {"source", e.source},
          {"location", e.location},
          {"collected_by", e.collected_by},
          {"collected_at", util::to_rfc3339(e.collected_at)},
          {"method", e.method},
          {"custodian", e.custodian},
          {"declared_hash", declared},
          // Shown, never hidden: a mismatch with what the collector declared.
          {"hash_mismatch", e.declared_hash_matches.has_value() && !*e.declared_hash_matches},
          {"content", content},
          {"integrity", e.integrity},
          {"last_verified_at", time(e.last_verified_at)},
          {"state", e.state},
          {"created_by", opt(e.created_by)},
          {"created_at", util::to_rfc3339(e.created_at)},
          {"updated_at", util::to_rfc3339(e.updated_at)}};
}

}  // namespace custos::evidence
