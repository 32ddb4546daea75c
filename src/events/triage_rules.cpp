#include "events/triage_rules.hpp"

#include "incidents/incident.hpp"
#include "util/time.hpp"
#include "util/utf8.hpp"

namespace custos::events {

namespace {

bool blank(const std::string& s) { return s.find_first_not_of(" \t\r\n") == std::string::npos; }

std::string reporter_name(const Event& e) {
  if (e.reporter) return *e.reporter;
  if (e.reporter_email) return *e.reporter_email;
  if (e.system_report()) return "custos (automatic detection)";
  return "an anonymous reporter";
}

}  // namespace

void check_report_text(const std::string& field, const std::string& value, std::size_t max,
                       bool multiline, bool required) {
  if (required && blank(value)) throw EventError::invalid(field, "is required");
  if (value.size() > max) {
    throw EventError::invalid(field, "is too long (at most " + std::to_string(max) + " bytes)");
  }
  if (!util::is_valid_utf8(value)) throw EventError::invalid(field, "must be valid UTF-8");
  for (unsigned char c : value) {
    const bool allowed_break = multiline && (c == '\n' || c == '\r' || c == '\t');
    if ((c < 0x20 || c == 0x7F) && !allowed_break) {
      throw EventError::invalid(field, multiline ? "must not contain control characters"
                                                 : "must be one line without control characters");
    }
  }
}

void check_new_report(const NewReport& r, std::int64_t now_ms) {
  if (!one_of(r.kind, kKinds)) throw EventError::invalid("kind", "must be event or weakness");
  if (!one_of(r.channel, kChannels)) {
    throw EventError::invalid("channel", "must be one of portal, api, email, detection");
  }
  check_report_text("title", r.title, kMaxTitle, false, true);
  check_report_text("description", r.description, kMaxText, true, false);
  check_report_text("observed", r.observed, kMaxText, true, false);
  check_report_text("location", r.location, kMaxLocation, false, false);
  if (blank(r.description) && blank(r.observed)) {
    throw EventError::invalid("description",
                              "say what happened: a description or what you observed");
  }
  if (r.observed_at && *r.observed_at > now_ms + 60'000) {
    throw EventError::invalid("observed_at", "lies in the future");
  }
}

void require_undecided(const Event& e) {
  if (is_decided(e.status)) {
    std::string outcome = e.status;
    if (e.incident_id) outcome += " (" + incidents::incident_key(*e.incident_id) + ")";
    throw EventError::conflict(event_key(e.id) + " was already decided: " + outcome +
                               (e.decided_by ? " by " + *e.decided_by : std::string()));
  }
}

void check_reason(const std::string& reason) {
  check_report_text("reason", reason, 16 * 1024, true, true);
}

void check_dismissal(const Event& e, const Dismissal& d) {
  if (!one_of(d.code, kDismissals)) {
    throw EventError::invalid("code", "must be one of false_positive, not_security, duplicate");
  }
  check_reason(d.reason);
  if (d.code != "duplicate") {
    if (d.duplicate_of) {
      throw EventError::invalid("duplicate_of", "is only for reports dismissed as duplicate");
    }
    return;
  }
  if (!d.duplicate_of) {
    throw EventError::invalid("duplicate_of",
                              "name the report (EVT-…) or incident (INC-…) this one duplicates");
  }
  const auto evt = parse_event_key(*d.duplicate_of);
  const auto inc = incidents::parse_incident_key(*d.duplicate_of);
  if (!evt && !inc) {
    throw EventError::invalid("duplicate_of",
                              "must be a report key EVT-… or an incident key INC-…");
  }
  if (evt && *evt == e.id)
    throw EventError::invalid("duplicate_of", "a report cannot duplicate itself");
}

std::string incident_source(std::string_view channel) {
  if (channel == "email" || channel == "api" || channel == "detection") return std::string(channel);
  return "portal";
}

std::string incident_description(const Event& e) {
  std::string out = e.description;
  auto section = [&](const std::string& heading, const std::string& text) {
    if (text.empty()) return;
    if (!out.empty()) out += "\n\n";
    out += "**" + heading + "**\n" + text;
  };
  section("Observed", e.observed);
  if (e.observed_at) section("When", util::to_rfc3339(*e.observed_at));
  section("Where", e.location);
  if (!out.empty()) out += "\n\n";
  out += "Reported as " + std::string(e.kind) + " " + event_key(e.id) + " by " + reporter_name(e) +
         " (" + e.channel + ").";
  // The incident's description has the same bound as the report's; keep the tail that names
  // the report when the reporter used the whole of it.
  if (out.size() > kMaxText) {
    const std::string tail = "\n\n[…] Reported as " + event_key(e.id) + ".";
    std::size_t cut = kMaxText - tail.size();
    while (cut > 0 && (static_cast<unsigned char>(out[cut]) & 0xC0) == 0x80) --cut;
    out = out.substr(0, cut) + tail;
  }
  return out;
}

std::string merge_note(const Event& e, const std::string& reason) {
  std::string out = "Report " + event_key(e.id) + " (" + e.kind + ", from " + reporter_name(e) +
                    " via " + e.channel + ") merged into this incident: " + reason + "\n\n**" +
                    e.title + "**";
  if (!e.description.empty()) out += "\n\n" + e.description;
  if (!e.observed.empty()) out += "\n\n**Observed**\n" + e.observed;
  if (!e.location.empty()) out += "\n\n**Where**\n" + e.location;
  if (out.size() > 60 * 1024) {
    std::size_t cut = 60 * 1024;
    while (cut > 0 && (static_cast<unsigned char>(out[cut]) & 0xC0) == 0x80) --cut;
    out = out.substr(0, cut) + " […]";
  }
  return out;
}

}  // namespace custos::events
