#include "evidence/evidence_service.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>
#include <chrono>

#include "audit/audit_log.hpp"
#include "audit/signing_key.hpp"
#include "incidents/incident.hpp"
#include "incidents/notifications.hpp"
#include "incidents/visibility.hpp"
#include "util/time.hpp"

namespace custos::evidence {

namespace {

constexpr const char* kHoldSelect =
    "SELECT id, incident_id, reason, set_by, set_at, released_by, released_at, release_reason"
    " FROM legal_holds";

LegalHold hold_from_row(const store::Row& r) {
  return {r.i64(0), r.i64(1),     r.str(2),     r.str(3),
          r.i64(4), r.opt_str(5), r.opt_str(7), r.opt_i64(6)};
}

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

[[noreturn]] void incident_not_found(std::int64_t incident_id) {
  throw EvidenceError(404, "", "incident " + incidents::incident_key(incident_id) + " not found");
}
[[noreturn]] void item_not_found(std::int64_t id) {
  throw EvidenceError(404, "", "evidence " + evidence_key(id) + " not found");
}

// The incident, if the caller may see it (need-to-know is the incident service's rule).
// `who` null: the command line, which sees everything.
incidents::Incident visible_incident(store::Connection& c, std::int64_t incident_id,
                                     const auth::Principal* who) {
  auto row =
      c.query_one(std::string(incidents::kIncidentSelect) + " WHERE i.id = ?", {incident_id});
  if (!row) incident_not_found(incident_id);
  auto incident = incidents::incident_from_row(*row);
  if (who != nullptr && !incidents::can_see(incidents::viewer_for(c, *who), incident)) {
    incident_not_found(incident_id);
  }
  return incident;
}

std::optional<EvidenceItem> load_item(store::Connection& c, std::int64_t id) {
  auto row = c.query_one(std::string(kItemSelect) + " WHERE e.id = ?", {id});
  if (!row) return std::nullopt;
  return item_from_row(*row);
}

// The item, if it exists and the caller may see its incident; 404 otherwise.
EvidenceItem visible_item(store::Connection& c, std::int64_t id, const auth::Principal* who) {
  auto item = load_item(c, id);
  if (!item) item_not_found(id);
  auto row =
      c.query_one(std::string(incidents::kIncidentSelect) + " WHERE i.id = ?", {item->incident_id});
  if (!row) item_not_found(id);
  if (who != nullptr &&
      !incidents::can_see(incidents::viewer_for(c, *who), incidents::incident_from_row(*row))) {
    item_not_found(id);
  }
  return *item;
}

std::optional<LegalHold> active_hold(store::Connection& c, std::int64_t incident_id) {
  auto row = c.query_one(
      std::string(kHoldSelect) + " WHERE incident_id = ? AND released_at IS NULL", {incident_id});
  if (!row) return std::nullopt;
  return hold_from_row(*row);
}

// One custody entry and its audit entry, in the caller's transaction.
CustodyEntry append_custody(store::Connection& c, const audit::AuditLog& audit,
                            const EvidenceItem& item, CustodyAction action,
                            const std::string& actor, const CustodyInput& in, std::int64_t now) {
  CustodyEntry e;
  e.evidence_id = item.id;
  e.action = action;
  e.actor = actor;
  e.from = in.from;
  e.to = in.to;
  e.at = in.at.value_or(now);
  e.location = in.location;
  e.purpose = in.purpose;
  nlohmann::json detail = {{"incident", incidents::incident_key(item.incident_id)},
                           {"action", action_name(action)},
                           {"at", util::to_rfc3339(e.at)}};
  if (e.from) detail["from"] = *e.from;
  if (e.to) detail["to"] = *e.to;
  if (!e.location.empty()) detail["location"] = e.location;
  if (!e.purpose.empty()) detail["purpose"] = e.purpose;
  e.audit_seq = audit.append(c, {actor, "evidence.custody." + std::string(action_name(action)),
                                 "evidence", item.key(), detail});
  e.id = c.query_one(
              "INSERT INTO evidence_custody (evidence_id, action, actor, from_party, to_party, at,"
              " location, purpose, audit_seq) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
              {item.id, std::string(action_name(action)), actor, store::maybe(e.from),
               store::maybe(e.to), e.at, e.location, e.purpose, e.audit_seq})
             ->i64(0);
  return e;
}

void require_text(const std::string& value, const char* field, std::size_t max) {
  if (value.empty()) throw EvidenceError(422, field, "is required");
  if (value.size() > max) {
    throw EvidenceError(422, field, "may have at most " + std::to_string(max) + " bytes");
  }
}

// Validates a declared hash pair; returns it normalised (lower case) or nullopt when absent.
std::optional<std::pair<std::string, std::string>> declared_pair(
    const std::optional<std::string>& algorithm, const std::optional<std::string>& hash,
    const char* algorithm_field, const char* hash_field) {
  if (!algorithm && !hash) return std::nullopt;
  if (!hash)
    throw EvidenceError(422, hash_field, "is required with " + std::string(algorithm_field));
  const auto alg = lower(algorithm.value_or("sha256"));
  if (hex_length(alg) == 0) {
    throw EvidenceError(422, algorithm_field, "must be one of sha256, sha512, sha1, md5");
  }
  if (auto problem = declared_hash_problem(alg, *hash)) {
    throw EvidenceError(422, hash_field, *problem);
  }
  return std::pair{alg, lower(*hash)};
}

std::string computed_for(const Digests& d, const std::string& algorithm) {
  if (algorithm == "sha256") return d.sha256;
  if (algorithm == "sha512") return d.sha512;
  return d.extra.value_or("");
}

std::vector<CustodyEntry> load_custody(store::Connection& c, std::int64_t item_id) {
  std::vector<CustodyEntry> out;
  for (const auto& r :
       c.query(std::string(kCustodySelect) + " WHERE evidence_id = ? ORDER BY id", {item_id})) {
    out.push_back(custody_from_row(r));
  }
  return out;
}

}  // namespace

nlohmann::json to_json(const LegalHold& h) {
  const auto opt = [](const auto& v) { return v ? nlohmann::json(*v) : nlohmann::json(); };
  return {{"id", h.id},
          {"incident", incidents::incident_key(h.incident_id)},
          {"active", !h.released_at.has_value()},
          {"reason", h.reason},
          {"set_by", h.set_by},
          {"set_at", util::to_rfc3339(h.set_at)},
          {"released_by", opt(h.released_by)},
          {"released_at",
           h.released_at ? nlohmann::json(util::to_rfc3339(*h.released_at)) : nlohmann::json()},
          {"release_reason", opt(h.release_reason)}};
}

EvidenceItem EvidenceService::create(std::int64_t incident_id, const NewEvidence& in,
                                     const auth::Principal& who) {
  if (!valid_item_type(in.item_type)) {
    throw EvidenceError(422, "type",
                        "must be one of disk_image, memory_capture, log_extract, email, "
                        "screenshot, document, physical_item");
  }
  require_text(in.description, "description", 4000);
  require_text(in.collected_by, "collected_by", 200);
  const auto now = util::now_ms();
  if (in.collected_at && *in.collected_at > now + 5 * 60'000) {
    throw EvidenceError(422, "collected_at", "lies in the future");
  }
  const auto declared = declared_pair(in.declared_hash_algorithm, in.declared_hash,
                                      "declared_hash_algorithm", "declared_hash");
  if (declared && in.item_type == "physical_item") {
    throw EvidenceError(422, "declared_hash", "a physical item has no file to hash");
  }
  return db_.write_value([&](store::Connection& c) {
    const auto incident = visible_incident(c, incident_id, &who);
    const auto collected_at = in.collected_at.value_or(now);
    const auto id =
        c.query_one(
             "INSERT INTO evidence_items (incident_id, item_type, description, source, location,"
             " collected_by, collected_at, method, custodian, declared_hash_algorithm,"
             " declared_hash, created_by, created_at, updated_at)"
             " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
             {incident_id, in.item_type, in.description, in.source, in.location, in.collected_by,
              collected_at, in.method, in.collected_by,
              declared ? store::Value(declared->first) : store::Value(nullptr),
              declared ? store::Value(declared->second) : store::Value(nullptr), who.user_id, now,
              now})
            ->i64(0);
    auto item = *load_item(c, id);
    nlohmann::json detail = {{"incident", incidents::incident_key(incident.id)},
                             {"type", item.item_type},
                             {"description", item.description},
                             {"collected_by", item.collected_by},
                             {"collected_at", util::to_rfc3339(item.collected_at)}};
    if (declared) detail["declared_hash"] = declared->first + ":" + declared->second;
    audit_.append(c, {who.actor(), "evidence.create", "evidence", item.key(), detail});
    CustodyInput collected;
    collected.to = item.collected_by;
    collected.at = collected_at;
    collected.location = item.location.empty() ? item.source : item.location;
    collected.purpose = item.method.empty() ? "collection" : "collected with " + item.method;
    append_custody(c, audit_, item, CustodyAction::collected, who.actor(), collected, now);
    return item;
  });
}

EvidenceItem EvidenceService::get(std::int64_t id, const auth::Principal& who) {
  return db_.read_value([&](store::Connection& c) { return visible_item(c, id, &who); });
}

std::vector<EvidenceItem> EvidenceService::list(std::int64_t incident_id,
                                                const auth::Principal& who) {
  return db_.read_value([&](store::Connection& c) {
    visible_incident(c, incident_id, &who);
    std::vector<EvidenceItem> out;
    for (const auto& r :
         c.query(std::string(kItemSelect) + " WHERE e.incident_id = ? ORDER BY e.id LIMIT 10000",
                 {incident_id})) {
      out.push_back(item_from_row(r));
    }
    return out;
  });
}

EvidenceItem EvidenceService::put_content(std::int64_t id, const Source& source,
                                          const UploadInfo& info, const auth::Principal& who) {
  const auto check = [&](const EvidenceItem& item) {
    if (item.physical()) {
      throw EvidenceError(409, "", item.key() + " is a physical item: it has no file content");
    }
    if (item.disposed()) throw EvidenceError(409, "", item.key() + " was disposed of");
    if (item.has_content()) {
      throw EvidenceError(409, "",
                          item.key() +
                              " already has its content (evidence is write-once; record a new "
                              "item for a new file)");
    }
  };
  auto item = db_.read_value([&](store::Connection& c) { return visible_item(c, id, &who); });
  check(item);
  auto declared = declared_pair(info.declared_hash_algorithm, info.declared_hash,
                                "declared_hash_algorithm", "declared_hash");
  if (declared && item.declared_hash &&
      (declared->first != *item.declared_hash_algorithm ||
       declared->second != *item.declared_hash)) {
    throw EvidenceError(422, "declared_hash",
                        "differs from the hash declared when the item was recorded");
  }
  if (!declared && item.declared_hash) {
    declared = std::pair{*item.declared_hash_algorithm, *item.declared_hash};
  }
  if (info.filename && info.filename->size() > 255) {
    throw EvidenceError(422, "filename", "may have at most 255 bytes");
  }
  const std::string content_type =
      info.content_type.empty() ? "application/octet-stream" : info.content_type.substr(0, 200);

  StoredContent stored;
  try {
    const std::string extra = declared ? declared->first : "";
    stored = info.spooled_file.empty() ? store_.put(source, extra, max_upload_bytes_)
                                       : store_.adopt(info.spooled_file, extra, max_upload_bytes_);
  } catch (const std::length_error& e) {
    throw EvidenceError(413, "body", e.what());
  }
  if (stored.digests.size == 0) throw EvidenceError(422, "body", "the content is empty");
  std::optional<bool> matches;
  if (declared) matches = computed_for(stored.digests, declared->first) == declared->second;

  return db_.write_value([&](store::Connection& c) {
    auto current = visible_item(c, id, &who);
    check(current);  // a concurrent upload won: write-once
    const auto now = util::now_ms();
    c.execute(
        "UPDATE evidence_items SET sha256 = ?, sha512 = ?, size = ?, content_type = ?,"
        " filename = ?, encrypted = ?, content_stored_at = ?, declared_hash_algorithm = ?,"
        " declared_hash = ?, declared_hash_matches = ?, integrity = 'ok', last_verified_at = ?,"
        " updated_at = ? WHERE id = ? AND sha256 IS NULL",
        {stored.digests.sha256, stored.digests.sha512,
         static_cast<std::int64_t>(stored.digests.size), content_type, store::maybe(info.filename),
         std::int64_t{stored.encrypted ? 1 : 0}, now,
         declared ? store::Value(declared->first) : store::Value(nullptr),
         declared ? store::Value(declared->second) : store::Value(nullptr),
         matches ? store::Value(std::int64_t{*matches ? 1 : 0}) : store::Value(nullptr), now, now,
         id});
    nlohmann::json detail = {{"incident", incidents::incident_key(current.incident_id)},
                             {"sha256", stored.digests.sha256},
                             {"sha512", stored.digests.sha512},
                             {"size", stored.digests.size},
                             {"content_type", content_type},
                             {"encrypted", stored.encrypted},
                             {"deduplicated", stored.reused}};
    if (info.filename) detail["filename"] = *info.filename;
    if (declared) {
      detail["declared_hash"] = declared->first + ":" + declared->second;
      detail["declared_hash_matches"] = *matches;
    }
    audit_.append(c, {who.actor(), "evidence.content_store", "evidence", current.key(), detail});
    if (matches && !*matches) {
      // Its own entry, so the trail shows the discrepancy by action name, not only in detail.
      audit_.append(c, {who.actor(),
                        "evidence.declared_hash_mismatch",
                        "evidence",
                        current.key(),
                        {{"algorithm", declared->first},
                         {"declared", declared->second},
                         {"computed", computed_for(stored.digests, declared->first)}}});
    }
    return *load_item(c, id);
  });
}

Download EvidenceService::download(std::int64_t id, const auth::Principal& who) {
  auto item = db_.read_value([&](store::Connection& c) { return visible_item(c, id, &who); });
  if (item.disposed()) throw EvidenceError(410, "", item.key() + " was disposed of");
  if (!item.has_content()) {
    throw EvidenceError(404, "",
                        item.key() + (item.physical() ? " is a physical item without a file"
                                                      : " has no content uploaded yet"));
  }
  auto reader = store_.open(*item.sha256, item.encrypted);
  if (!reader) {
    throw std::runtime_error("the stored content of " + item.key() + " (" + *item.sha256 +
                             ") is missing");
  }
  // Nobody reads evidence unrecorded: the custody entry commits before the first byte leaves.
  db_.write([&](store::Connection& c) {
    auto current = visible_item(c, id, &who);
    CustodyInput in;
    in.purpose = "content downloaded";
    in.to = who.username;
    append_custody(c, audit_, current, CustodyAction::downloaded, who.actor(), in, util::now_ms());
  });
  return {std::move(item), std::move(reader)};
}

CustodyEntry EvidenceService::add_custody(std::int64_t id, const CustodyInput& input,
                                          const auth::Principal& who) {
  return db_.write_value([&](store::Connection& c) {
    auto item = visible_item(c, id, &who);
    const auto now = util::now_ms();
    CustodyState state{item.custodian, item.disposed(),
                       active_hold(c, item.incident_id).has_value()};
    if (auto refusal = check_custody(input, state, now)) {
      throw EvidenceError(refusal->status, refusal->field, refusal->message);
    }
    auto entry = append_custody(c, audit_, item, input.action, who.actor(), input, now);
    const auto custodian = custodian_after(input, state, who.username);
    const bool disposing = input.action == CustodyAction::disposed;
    c.execute(
        "UPDATE evidence_items SET custodian = ?, location = CASE WHEN ? = '' THEN location ELSE"
        " ? END, state = ?, updated_at = ? WHERE id = ?",
        {custodian, input.location, input.location,
         std::string(disposing ? "disposed" : item.state), now, id});
    return entry;
  });
}

std::vector<CustodyEntry> EvidenceService::custody(std::int64_t id, const auth::Principal& who) {
  return db_.read_value([&](store::Connection& c) {
    visible_item(c, id, &who);
    return load_custody(c, id);
  });
}

LegalHold EvidenceService::set_legal_hold(std::int64_t incident_id, const std::string& reason,
                                          const auth::Principal& who) {
  require_text(reason, "reason", 2000);
  return db_.write_value([&](store::Connection& c) {
    const auto incident = visible_incident(c, incident_id, &who);
    if (auto hold = active_hold(c, incident_id)) {
      throw EvidenceError(409, "",
                          incidents::incident_key(incident.id) +
                              " is already under legal hold since " +
                              util::to_rfc3339(hold->set_at) + " (set by " + hold->set_by + ")");
    }
    const auto now = util::now_ms();
    c.execute("INSERT INTO legal_holds (incident_id, reason, set_by, set_at) VALUES (?, ?, ?, ?)",
              {incident_id, reason, who.actor(), now});
    audit_.append(c, {who.actor(),
                      "incident.legal_hold_set",
                      "incident",
                      incidents::incident_key(incident.id),
                      {{"reason", reason}}});
    return *active_hold(c, incident_id);
  });
}

LegalHold EvidenceService::release_legal_hold(std::int64_t incident_id, const std::string& reason,
                                              const auth::Principal& who) {
  require_text(reason, "reason", 2000);
  return db_.write_value([&](store::Connection& c) {
    const auto incident = visible_incident(c, incident_id, &who);
    auto hold = active_hold(c, incident_id);
    if (!hold)
      throw EvidenceError(409, "",
                          incidents::incident_key(incident.id) + " is not under legal hold");
    const auto now = util::now_ms();
    c.execute(
        "UPDATE legal_holds SET released_by = ?, released_at = ?, release_reason = ? WHERE id = ?",
        {who.actor(), now, reason, hold->id});
    audit_.append(c, {who.actor(),
                      "incident.legal_hold_release",
                      "incident",
                      incidents::incident_key(incident.id),
                      {{"reason", reason}, {"held_since", util::to_rfc3339(hold->set_at)}}});
    hold->released_by = who.actor();
    hold->released_at = now;
    hold->release_reason = reason;
    return *hold;
  });
}

std::vector<LegalHold> EvidenceService::legal_holds(std::int64_t incident_id,
                                                    const auth::Principal& who) {
  return db_.read_value([&](store::Connection& c) {
    visible_incident(c, incident_id, &who);
    std::vector<LegalHold> out;
    for (const auto& r : c.query(
             std::string(kHoldSelect) + " WHERE incident_id = ? ORDER BY id DESC", {incident_id})) {
      out.push_back(hold_from_row(r));
    }
    return out;
  });
}

Export EvidenceService::export_package(std::optional<std::int64_t> incident_id,
                                       std::optional<std::int64_t> evidence_id,
                                       const auth::Principal* who, const std::string& actor,
                                       const audit::SigningKey& key) {
  const auto now = util::now_ms();
  std::string scope;
  std::int64_t scope_incident = 0;
  // The export itself is part of the history it exports.
  db_.write([&](store::Connection& c) {
    std::vector<EvidenceItem> items;
    if (evidence_id) {
      auto item = visible_item(c, *evidence_id, who);
      scope = item.key();
      scope_incident = item.incident_id;
      items.push_back(std::move(item));
    } else {
      const auto incident = visible_incident(c, *incident_id, who);
      scope = incidents::incident_key(incident.id);
      scope_incident = incident.id;
      for (const auto& r :
           c.query(std::string(kItemSelect) + " WHERE e.incident_id = ? ORDER BY e.id",
                   {*incident_id})) {
        items.push_back(item_from_row(r));
      }
    }
    for (const auto& item : items) {
      if (item.disposed()) continue;
      CustodyInput in;
      in.purpose = "exported in a signed package (" + scope + ")";
      append_custody(c, audit_, item, CustodyAction::exported, actor, in, now);
    }
  });

  nlohmann::json manifest;
  std::vector<PackageFile> files;
  db_.read([&](store::Connection& c) {
    const auto incident = visible_incident(c, scope_incident, who);
    std::vector<EvidenceItem> items;
    if (evidence_id) {
      items.push_back(visible_item(c, *evidence_id, who));
    } else {
      for (const auto& r :
           c.query(std::string(kItemSelect) + " WHERE e.incident_id = ? ORDER BY e.id",
                   {scope_incident})) {
        items.push_back(item_from_row(r));
      }
    }
    nlohmann::json item_list = nlohmann::json::array();
    std::vector<store::Value> params;
    std::string placeholders;
    for (const auto& item : items) {
      auto j = to_json(item, incidents::incident_key(incident.id));
      j.erase("content");
      if (item.has_content()) {
        const auto entry = "files/" + item.key();
        j["content"] = {
            {"file", item.disposed() ? nlohmann::json() : nlohmann::json(entry)},
            {"size", *item.size},
            {"sha256", *item.sha256},
            {"sha512", *item.sha512},
            {"content_type", item.content_type.value_or("")},
            {"filename", item.filename ? nlohmann::json(*item.filename) : nlohmann::json()}};
        if (item.disposed()) {
          j["content"].erase("file");
        } else {
          files.push_back({entry, static_cast<std::uint64_t>(*item.size),
                           [store = store_, sha = *item.sha256, enc = item.encrypted] {
                             return store.open(sha, enc);
                           }});
        }
      } else {
        j["content"] = nullptr;
      }
      nlohmann::json custody = nlohmann::json::array();
      for (const auto& e : load_custody(c, item.id)) custody.push_back(to_json(e));
      j["custody"] = std::move(custody);
      item_list.push_back(std::move(j));
      params.emplace_back(item.key());
      placeholders += placeholders.empty() ? "?" : ", ?";
    }
    nlohmann::json holds = nlohmann::json::array();
    for (const auto& r : c.query(std::string(kHoldSelect) + " WHERE incident_id = ? ORDER BY id",
                                 {scope_incident})) {
      holds.push_back(to_json(hold_from_row(r)));
    }
    // The audit entries about these items and the incident's legal holds, with their chain
    // hashes, so they can be matched against the server's trail.
    params.emplace_back(incidents::incident_key(incident.id));
    std::string sql =
        "SELECT seq, at, actor, action, object_type, object_id, detail, digest, prev_hash, hash"
        " FROM audit_log WHERE ";
    if (!placeholders.empty())
      sql += "(object_type = 'evidence' AND object_id IN (" + placeholders + ")) OR ";
    sql +=
        "(object_type = 'incident' AND object_id = ? AND action LIKE 'incident.legal_hold%')"
        " ORDER BY seq";
    nlohmann::json audit_entries = nlohmann::json::array();
    for (const auto& r : c.query(sql, params)) {
      audit_entries.push_back({{"seq", r.i64(0)},
                               {"at", util::to_rfc3339(r.i64(1))},
                               {"actor", r.str(2)},
                               {"action", r.str(3)},
                               {"object_type", r.str(4)},
                               {"object_id", r.str(5)},
                               {"detail", r.str(6)},
                               {"digest", r.str(7)},
                               {"prev_hash", r.str(8)},
                               {"hash", r.str(9)}});
    }
    manifest = {{"format", kManifestFormat},
                {"scope", scope},
                {"exported_at", util::to_rfc3339(now)},
                {"exported_by", actor},
                {"incident",
                 {{"key", incidents::incident_key(incident.id)},
                  {"title", incident.title},
                  {"legal_holds", holds}}},
                {"items", item_list},
                {"audit_entries", audit_entries}};
  });
  auto text = manifest_text(manifest);
  auto signature = signature_text(text, key);
  Export out;
  out.filename = scope + "-evidence.tar";
  out.stream = std::make_unique<PackageStream>(std::move(text), std::move(signature),
                                               std::move(files), now / 1000);
  return out;
}

RehashReport EvidenceService::rehash(const std::function<bool()>& keep_going) {
  RehashReport report;
  const auto started = std::chrono::steady_clock::now();
  std::int64_t after = 0;
  while (keep_going()) {
    std::vector<EvidenceItem> batch;
    db_.read([&](store::Connection& c) {
      for (const auto& r :
           c.query(std::string(kItemSelect) + " WHERE e.id > ? AND e.sha256 IS NOT NULL AND"
                                              " e.state = 'active' ORDER BY e.id LIMIT 100",
                   {after})) {
        batch.push_back(item_from_row(r));
      }
    });
    if (batch.empty()) break;
    for (const auto& item : batch) {
      after = item.id;
      if (!keep_going()) break;
      std::string verdict = "ok";
      std::string problem;
      try {
        auto reader = store_.open(*item.sha256, item.encrypted);
        if (!reader) {
          verdict = "missing";
          problem = "the stored file is missing";
        } else {
          ContentHasher hasher;
          std::string chunk;
          bool more = true;
          while (more) {
            chunk.clear();
            more = reader->read(chunk);
            hasher.update(chunk);
          }
          const auto d = hasher.finish();
          report.bytes += d.size;
          if (d.sha256 != *item.sha256 || d.sha512 != *item.sha512 ||
              static_cast<std::int64_t>(d.size) != item.size.value_or(-1)) {
            verdict = "mismatch";
            problem = "the stored file now hashes to SHA-256 " + d.sha256 + " (" +
                      std::to_string(d.size) + " bytes); recorded " + *item.sha256 + " (" +
                      std::to_string(item.size.value_or(0)) + " bytes)";
          }
        }
      } catch (const std::runtime_error& e) {
        verdict = "mismatch";  // an encrypted file that fails authentication was altered
        problem = e.what();
      }
      ++report.checked;
      if (verdict == "ok") ++report.ok;
      if (verdict == "mismatch") ++report.mismatched;
      if (verdict == "missing") ++report.missing;
      const auto now = util::now_ms();
      db_.write([&](store::Connection& c) {
        c.execute("UPDATE evidence_items SET integrity = ?, last_verified_at = ? WHERE id = ?",
                  {verdict, now, item.id});
        if (verdict == "ok" || verdict == item.integrity) return;  // told once, not every round
        const auto incident_key = incidents::incident_key(item.incident_id);
        audit_.append(c, {"system",
                          "evidence.integrity_" + verdict,
                          "evidence",
                          item.key(),
                          {{"incident", incident_key}, {"problem", problem}}});
        // A security event for the triage queue, in this transaction.
        if (on_finding_) on_finding_(c, {item.key(), incident_key, verdict, problem, now});
        for (const auto& r :
             c.query("SELECT id, username, email, roles FROM users WHERE active = 1 ORDER BY id")) {
          if (!auth::RoleSet::from_csv(r.str(3)).has(auth::Role::security_manager)) continue;
          incidents::Notice notice;
          notice.user_id = r.i64(0);
          notice.username = r.str(1);
          notice.email = r.opt_str(2);
          notice.incident_id = item.incident_id;
          notice.kind = "evidence.integrity";
          notice.subject = "Evidence " + item.key() + " failed its integrity check";
          notice.message = "Evidence " + item.key() + " of " + incident_key + ": " + problem;
          notice.details = {{"evidence", item.key()}, {"verdict", verdict}};
          incidents::send_notice(c, notice, now);
        }
      });
      if (verdict != "ok") {
        spdlog::error("evidence {} failed its integrity check: {}", item.key(), problem);
      }
    }
  }
  report.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return report;
}

}  // namespace custos::evidence
