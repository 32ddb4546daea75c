#include "events/system_reports.hpp"

#include "auth/system_principal.hpp"
#include "incidents/incident.hpp"
#include "incidents/worklog.hpp"
#include "util/time.hpp"
#include "util/utf8.hpp"

namespace custos::events {

namespace {

const ReportSender kDetection{std::nullopt, std::nullopt, "system:detection"};
const ReportSender kEvidence{std::nullopt, std::nullopt, "system:evidence"};

// Text from a log line (the user name an attacker tried) or the configuration, made fit for a
// report: a ban must never fail over the words of its event. Control characters and, in text
// that is not UTF-8, every non-ASCII byte become '?'; at most `max` bytes, cut at a character.
std::string fit(std::string_view text, std::size_t max) {
  const bool utf8 = util::is_valid_utf8(text);
  std::string out;
  for (unsigned char ch : text) {
    const bool bad = ch < 0x20 || ch == 0x7F || (!utf8 && ch >= 0x80);
    out.push_back(bad ? '?' : static_cast<char>(ch));
  }
  if (out.size() > max) {
    std::size_t cut = max;
    while (cut > 0 && (static_cast<unsigned char>(out[cut]) & 0xC0) == 0x80) --cut;
    out.resize(cut);
  }
  return out;
}

std::string ban_line(const BanSighting& b) {
  std::string s = "ban #" + std::to_string(b.ban_number) + " of " + b.address + " in jail " +
                  fit(b.jail, 100) + " at " + util::to_rfc3339(b.banned_at) + ", until " +
                  util::to_rfc3339(b.expires_at) + ", after " + std::to_string(b.failures) +
                  " failure" + (b.failures == 1 ? "" : "s");
  if (b.user) s += " (last user name tried: " + fit(*b.user, 100) + ")";
  return s;
}

}  // namespace

std::string ban_event_title(const std::string& jail, const std::string& address) {
  return fit(jail, 100) + ": repeated authentication failures from " + fit(address, 60);
}

BanEventResult report_ban(store::Connection& c, const Reports& reports, const BanSighting& ban) {
  const auto title = ban_event_title(ban.jail, ban.address);
  // Only custos's own reports count: nobody-reported, channel detection, same title.
  auto open = c.query_one(
      "SELECT id FROM events WHERE channel = 'detection' AND reporter_id IS NULL AND"
      " reporter_email IS NULL AND title = ? AND status IN ('new', 'triaging') AND"
      " created_at >= ? ORDER BY id DESC LIMIT 1",
      {title, ban.banned_at - kBanEventWindowMs});
  if (open) {
    const auto id = open->i64(0);
    const auto earlier =
        c.query_one(
             "SELECT COUNT(*) FROM event_notes WHERE event_id = ? AND channel = 'detection' AND"
             " author_id IS NULL AND author_email IS NULL",
             {id})
            ->i64(0);
    const auto event = *load_event(c, id);
    const std::string body = "Banned again: " + ban_line(ban) +
                             ". Bans since this report: " + std::to_string(earlier + 2) +
                             "; latest ban: " + util::to_rfc3339(ban.banned_at) + ".";
    reports.add_note(c, event, kDetection, "detection", body, {}, ban.banned_at);
    return {*load_event(c, id), false};
  }
  NewReport r;
  r.kind = "event";
  r.channel = "detection";
  r.title = title;
  r.description = "custos made " + ban_line(ban) +
                  ". Further bans of this address in this jail within 24 hours are added "
                  "to this report as notes.";
  r.observed = std::to_string(ban.failures) + " failure" + (ban.failures == 1 ? "" : "s") +
               " from " + ban.address + " matched jail " + fit(ban.jail, 100) + "'s filter" +
               (ban.user ? " (user name " + fit(*ban.user, 100) + ")" : std::string()) + ".";
  r.observed_at = ban.banned_at;
  r.location = "jail " + fit(ban.jail, 100);
  return {reports.create(c, r, kDetection, {}, std::nullopt, ban.banned_at), true};
}

std::string record_ban(store::Connection& c, const Reports& reports, Triage& triage,
                       incidents::Worklog& worklog, const BanSighting& ban,
                       const std::optional<PromoteInput>& promotion) {
  const auto system = auth::system_principal("detection");
  const auto title = ban_event_title(ban.jail, ban.address);
  auto worked = c.query_one(
      "SELECT e.id, e.incident_id FROM events e JOIN incidents i ON i.id = e.incident_id"
      " WHERE e.channel = 'detection' AND e.reporter_id IS NULL AND e.reporter_email IS NULL"
      " AND e.title = ? AND i.status NOT IN ('resolved', 'closed', 'cancelled')"
      " ORDER BY e.id DESC LIMIT 1",
      {title});
  if (worked) {
    incidents::NewWorklogEntry entry;
    entry.body = "Banned again: " + ban_line(ban) + ".";
    entry.visibility = "internal";
    entry.kind = "note";
    worklog.add(c, worked->i64(1), entry, system, ban.banned_at);
    return event_key(worked->i64(0));
  }
  auto reported = report_ban(c, reports, ban);
  // The note or the new event holds the event's row from here to the commit, so a person
  // deciding it at the same moment waits and then finds it decided: one outcome, never two.
  if (promotion && (reported.event.status == "new" || reported.event.status == "triaging")) {
    triage.promote(c, reported.event.id, *promotion, system);
  }
  return event_key(reported.event.id);
}

Event report_integrity_finding(store::Connection& c, const Reports& reports,
                               const IntegrityFinding& f) {
  NewReport r;
  r.kind = "event";
  r.channel = "detection";
  r.title = "Evidence " + f.evidence_key + " failed its integrity check (" + f.verdict + ")";
  r.description = "The scheduled re-hash of the evidence vault found that the stored content of " +
                  f.evidence_key + " (incident " + f.incident_key + ") " +
                  (f.verdict == "missing" ? std::string("is missing")
                                          : std::string("no longer matches its recorded hashes")) +
                  ". Until this is explained the item's integrity cannot be relied on.";
  r.observed = fit(f.problem, kMaxText);
  r.observed_at = f.at;
  r.location = "evidence " + f.evidence_key + " of " + f.incident_key;
  return reports.create(c, r, kEvidence, {}, std::nullopt, f.at);
}

}  // namespace custos::events
