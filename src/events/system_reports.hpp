#pragma once
// Reports custos raises itself, with channel `detection` and no person as reporter (the audit
// trail names the system part that raised them): a ban opens one security event per jail and
// address — a repeated ban within a day adds a note to the open event instead — and evidence
// that fails its scheduled integrity check opens one event per finding. Both run inside the
// caller's transaction, so the event exists exactly when the ban or the finding does.
//
// The producers (detection, evidence) do not include this: the server wires them to it
// through the callbacks they offer (src/app/app.cpp).
#include <cstdint>
#include <optional>
#include <string>

#include "events/event.hpp"
#include "events/reports.hpp"
#include "events/triage.hpp"
#include "store/database.hpp"

namespace custos::events {

// An open (new or triaging) ban event younger than this takes later bans as notes.
inline constexpr std::int64_t kBanEventWindowMs = 24LL * 3'600'000;

struct BanSighting {
  std::string jail;
  std::string address;
  std::int64_t banned_at = 0;  // epoch ms
  std::int64_t expires_at = 0;
  int ban_number = 1;  // this address's bans in this jail, ever
  int failures = 0;
  std::optional<std::string> user;
};

struct IntegrityFinding {
  std::string evidence_key;  // EVD-…
  std::string incident_key;  // INC-…
  std::string verdict;       // mismatch | missing
  std::string problem;       // what differs, in words
  std::int64_t at = 0;       // epoch ms
};

// "sshd: repeated authentication failures from 203.0.113.7"
[[nodiscard]] std::string ban_event_title(const std::string& jail, const std::string& address);

// Opens the ban's event, or adds a note to the open one for the same jail and address.
// Returns the event (as it is after the change) and whether it was opened now.
struct BanEventResult {
  Event event;
  bool opened = false;
};
BanEventResult report_ban(store::Connection& c, const Reports& reports, const BanSighting& ban);

// A ban and the incidents: when the latest event of this jail and address went to an incident
// (promoted or merged) that is still open, the ban adds a worklog entry to that incident and
// opens no event. Otherwise it is reported as report_ban() does, and when `promotion` is given
// (the jail's rule holds) custos promotes the event itself through triage — decided by
// "system:detection", audited, the incident linked to the event. Returns the event's key.
// Runs in the ban's transaction, like report_ban(); an event a person decided meanwhile is
// left as they decided it.
std::string record_ban(store::Connection& c, const Reports& reports, Triage& triage,
                       incidents::Worklog& worklog, const BanSighting& ban,
                       const std::optional<PromoteInput>& promotion);

// Opens an event naming the item and what differs.
Event report_integrity_finding(store::Connection& c, const Reports& reports,
                               const IntegrityFinding& finding);

}  // namespace custos::events
