#include "events/event.hpp"

#include <charconv>
#include <cstdio>

#include "incidents/incident.hpp"
#include "util/time.hpp"

namespace custos::events {

namespace {

nlohmann::json opt(const std::optional<std::string>& v) {
  return v ? nlohmann::json(*v) : nlohmann::json(nullptr);
}
nlohmann::json opt_time(const std::optional<std::int64_t>& v) {
  return v ? nlohmann::json(util::to_rfc3339(*v)) : nlohmann::json(nullptr);
}

}  // namespace

bool is_decided(std::string_view status) {
  return status == "dismissed" || status == "merged" || status == "promoted";
}

std::string event_key(std::int64_t id) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "EVT-%06lld", static_cast<long long>(id));
  return buf;
}

std::optional<std::int64_t> parse_event_key(std::string_view key) {
  if (key.size() < 5 || key.size() > 24) return std::nullopt;
  const auto prefix = key.substr(0, 4);
  if (prefix != "EVT-" && prefix != "evt-") return std::nullopt;
  const auto digits = key.substr(4);
  std::int64_t id = 0;
  auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), id);
  if (ec != std::errc{} || ptr != digits.data() + digits.size() || id <= 0) return std::nullopt;
  return id;
}

const char* const kEventSelect =
    "SELECT e.id, e.kind, e.title, e.description, e.observed, e.observed_at, e.location,"
    " e.reporter_id, r.username, e.reporter_email, e.channel, e.status, e.category,"
    " e.subcategory, e.impact, e.urgency, e.dismissal, e.duplicate_of, e.decision_reason,"
    " e.incident_id, t.username, e.triaged_at, d.username, e.decided_at, e.created_at,"
    " e.updated_at, e.version"
    " FROM events e LEFT JOIN users r ON r.id = e.reporter_id"
    " LEFT JOIN users t ON t.id = e.triaged_by LEFT JOIN users d ON d.id = e.decided_by";

Event event_from_row(const store::Row& r) {
  Event e;
  e.id = r.i64(0);
  e.kind = r.str(1);
  e.title = r.str(2);
  e.description = r.str(3);
  e.observed = r.str(4);
  e.observed_at = r.opt_i64(5);
  e.location = r.str(6);
  e.reporter_id = r.opt_i64(7);
  e.reporter = r.opt_str(8);
  e.reporter_email = r.opt_str(9);
  e.channel = r.str(10);
  e.status = r.str(11);
  e.category = r.opt_str(12);
  e.subcategory = r.opt_str(13);
  e.impact = r.opt_str(14);
  e.urgency = r.opt_str(15);
  e.dismissal = r.opt_str(16);
  e.duplicate_of = r.opt_str(17);
  e.decision_reason = r.opt_str(18);
  e.incident_id = r.opt_i64(19);
  e.triaged_by = r.opt_str(20);
  e.triaged_at = r.opt_i64(21);
  e.decided_by = r.opt_str(22);
  e.decided_at = r.opt_i64(23);
  e.created_at = r.i64(24);
  e.updated_at = r.i64(25);
  e.version = r.i64(26);
  return e;
}

nlohmann::json to_json(const Event& e) {
  nlohmann::json decision = nullptr;
  if (is_decided(e.status)) {
    decision = {{"outcome", e.status},
                {"dismissal", opt(e.dismissal)},
                {"duplicate_of", opt(e.duplicate_of)},
                {"reason", opt(e.decision_reason)},
                {"by", opt(e.decided_by)},
                {"at", opt_time(e.decided_at)}};
  }
  return {{"key", event_key(e.id)},
          {"kind", e.kind},
          {"title", e.title},
          {"description", e.description},
          {"observed", e.observed},
          {"observed_at", opt_time(e.observed_at)},
          {"location", e.location},
          {"reporter", opt(e.reporter)},
          {"reporter_email", opt(e.reporter_email)},
          {"system_report", e.system_report()},
          {"channel", e.channel},
          {"status", e.status},
          {"classification",
           {{"category", opt(e.category)},
            {"subcategory", opt(e.subcategory)},
            {"impact", opt(e.impact)},
            {"urgency", opt(e.urgency)},
            {"by", opt(e.triaged_by)},
            {"at", opt_time(e.triaged_at)}}},
          {"decision", decision},
          {"incident", e.incident_id ? nlohmann::json(incidents::incident_key(*e.incident_id))
                                     : nlohmann::json(nullptr)},
          {"created_at", util::to_rfc3339(e.created_at)},
          {"updated_at", util::to_rfc3339(e.updated_at)},
          {"version", e.version}};
}

nlohmann::json to_json(const EventAttachment& a) {
  return {{"id", a.id},
          {"filename", a.filename},
          {"content_type", a.content_type},
          {"size", a.size},
          {"sha256", a.sha256},
          {"uploaded_by", opt(a.uploaded_by)},
          {"created_at", util::to_rfc3339(a.created_at)},
          {"download",
           "/api/v1/events/" + event_key(a.event_id) + "/attachments/" + std::to_string(a.id)}};
}

nlohmann::json to_json(const EventNote& n) {
  return {{"id", n.id},
          {"author", opt(n.author)},
          {"author_email", opt(n.author_email)},
          {"channel", n.channel},
          {"body", n.body},
          {"created_at", util::to_rfc3339(n.created_at)}};
}

}  // namespace custos::events
