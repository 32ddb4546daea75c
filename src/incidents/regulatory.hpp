#pragma once
// Regulatory clocks on an incident: flagging it as a personal-data breach (GDPR) or as
// significant under NIS2 starts the deadlines of regulatory_rules.hpp; recording what was
// submitted to the authority meets them (late submissions stay recorded as late); a sweep on the
// scheduler's thread marks missed deadlines overdue and sends reminders.
//
// Exactly once, like the SLA escalation sweep (escalation.hpp): each reminder is a
// `regulatory_reminders` row inserted with ON CONFLICT DO NOTHING, and the sweep notifies,
// audits and marks overdue only for the rows its own insert created, in the same transaction.
// A restart, a second server or a retried transaction can never remind twice.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "auth/principal.hpp"
#include "incidents/regulatory_rules.hpp"
#include "store/database.hpp"

namespace custos::audit {
class AuditLog;
}

namespace custos::incidents {

struct RegulatoryFlag {
  regulatory::Regime regime = regulatory::Regime::gdpr;
  bool active = false;
  std::int64_t aware_at = 0;
  std::int64_t flagged_at = 0;
  std::optional<std::string> flagged_by;  // username
  std::optional<std::int64_t> withdrawn_at;
  std::optional<std::string> withdrawn_by;
  std::optional<std::string> withdraw_reason;
};

struct RegulatoryObligation {
  std::int64_t id = 0;
  regulatory::Obligation obligation = regulatory::Obligation::gdpr_notification;
  regulatory::Window window;
  std::optional<std::int64_t> submitted_at;
  std::optional<std::string> recipient, reference, note;
  std::optional<std::string> recorded_by;  // username
  std::optional<std::int64_t> recorded_at;
  std::optional<std::int64_t> overdue_at;  // when the sweep found the deadline missed
  std::vector<int> reminders;              // percent thresholds that were sent, ascending
};

struct RegulatoryState {
  std::int64_t incident_id = 0;
  std::vector<RegulatoryFlag> flags;              // regimes ever flagged
  std::vector<RegulatoryObligation> obligations;  // of the regimes flagged now, in rule order
};
// `now_ms` decides the state (open/overdue) and the remaining time.
nlohmann::json to_json(const RegulatoryState& state, std::int64_t now_ms);
// A digest of what people change (flags, awareness, submissions), positive and below 2^53: the
// ETag of the state. A write whose If-Match names another one was based on a stale read.
std::int64_t version_of(const RegulatoryState& state);

// A change of one regime's flag. `aware_at` defaults to now when a regime is flagged.
struct RegulatoryFlagChange {
  regulatory::Regime regime = regulatory::Regime::gdpr;
  bool flagged = false;
  std::optional<std::int64_t> aware_at;
};

struct RegulatoryChange {
  std::vector<RegulatoryFlagChange> flags;
  // Required to withdraw a flag or to move the awareness of a running clock.
  std::optional<std::string> reason;
};

struct RegulatorySubmission {
  regulatory::Obligation obligation = regulatory::Obligation::gdpr_notification;
  std::int64_t submitted_at = 0;
  std::string recipient;  // the authority
  std::optional<std::string> reference;
  std::optional<std::string> note;
};

struct RegulatorySweepResult {
  int obligations = 0;  // looked at
  int reminders = 0;    // reminders sent (the deadline one included)
  int overdue = 0;      // obligations marked overdue
  int notifications = 0;
};

class RegulatoryClocks {
 public:
  // Obligations per sweep transaction.
  static constexpr int kSweepBatch = 500;

  RegulatoryClocks(store::Database& db, const audit::AuditLog& audit, int batch = kSweepBatch)
      : db_(db), audit_(audit), batch_(batch) {}

  // nullopt when the incident does not exist or `who` may not see it. Reporters are refused
  // (WorkError forbidden): the regulatory work is internal.
  std::optional<RegulatoryState> get(std::int64_t incident_id, const auth::Principal& who);

  // Flags, withdraws or moves the awareness of regimes, each change audited; throws WorkError
  // naming the field for bad input, and WorkError(stale) when `expected_version` is given and is
  // not version_of() the current state. nullopt as for get().
  std::optional<RegulatoryState> change(std::int64_t incident_id, const RegulatoryChange& change,
                                        const auth::Principal& who, std::int64_t now_ms,
                                        std::optional<std::int64_t> expected_version = {});

  // Records what was submitted for an obligation (once; a late one is recorded as late).
  std::optional<RegulatoryState> record(std::int64_t incident_id,
                                        const RegulatorySubmission& submission,
                                        const auth::Principal& who, std::int64_t now_ms,
                                        std::optional<std::int64_t> expected_version = {});

  // Sends every reminder due at `now_ms` and marks missed deadlines overdue, in transactions of
  // at most `batch` obligations, until nothing is due or `keep_going` says stop.
  RegulatorySweepResult sweep(std::int64_t now_ms, const std::function<bool()>& keep_going = {});

 private:
  store::Database& db_;
  const audit::AuditLog& audit_;
  int batch_;
};

}  // namespace custos::incidents
