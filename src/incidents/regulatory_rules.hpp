#pragma once
// The deadlines regulators set for reporting an incident, as pure rules (no database).
//
//   GDPR Art. 33 (personal-data breach)  notify the supervisory authority   72 h after awareness
//   NIS2 Art. 23 (significant incident)  early warning                      24 h after awareness
//                                        incident notification             72 h after awareness
//                                        final report                      one month after the
//                                          incident notification was sent (or, when it never
//                                          was, after its deadline)
//
// Everything is computed in UTC: a month is a calendar month, clamped at month ends (31 January
// + one month = 28/29 February, same time of day).
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

namespace custos::incidents::regulatory {

enum class Regime : std::uint8_t { gdpr, nis2 };
enum class Obligation : std::uint8_t {
  gdpr_notification,   // Art. 33: notification to the supervisory authority
  nis2_early_warning,  // Art. 23(4)(a)
  nis2_notification,   // Art. 23(4)(b)
  nis2_final_report,   // Art. 23(4)(d)
};
// open: not met, deadline ahead; met: submitted by the deadline; met_late: submitted after it;
// overdue: not met and the deadline has passed.
enum class State : std::uint8_t { open, met, met_late, overdue };

inline constexpr Regime kRegimes[] = {Regime::gdpr, Regime::nis2};

std::string_view regime_name(Regime regime);  // "gdpr", "nis2"
std::optional<Regime> parse_regime(std::string_view name);
std::string_view obligation_name(Obligation obligation);  // "gdpr_notification", ...
std::optional<Obligation> parse_obligation(std::string_view name);
// "Notification to the supervisory authority (GDPR Art. 33)"
std::string_view obligation_title(Obligation obligation);
Regime regime_of(Obligation obligation);
std::span<const Obligation> obligations_of(Regime regime);
std::string_view state_name(State state);  // "open", "met", "met_late", "overdue"

// `epoch_ms` plus `months` calendar months in UTC, the day clamped to the target month's end.
std::int64_t add_months_utc(std::int64_t epoch_ms, int months);

// When an obligation's time starts and ends.
struct Window {
  std::int64_t starts_at = 0;
  std::int64_t due_at = 0;
};
// `notification_sent_at` is when the NIS2 incident notification was submitted, if it was; only
// the final report depends on it.
Window window_of(Obligation obligation, std::int64_t aware_at,
                 std::optional<std::int64_t> notification_sent_at);

State state_of(std::int64_t due_at, std::optional<std::int64_t> submitted_at, std::int64_t now_ms);

// Reminders fire when this share of an obligation's time has gone; 100 is the deadline itself
// (the obligation becomes overdue).
inline constexpr int kReminderPercents[] = {50, 90, 100};
inline constexpr int kDeadlinePercent = 100;

// The instant `percent` of the window has gone.
std::int64_t reminder_at(const Window& window, int percent);
// Reminders whose instant has come and that have not fired yet, ascending. None once the
// obligation is met.
std::vector<int> reminders_due(const Window& window, bool met, std::span<const int> fired,
                               std::int64_t now_ms);
// When the sweep must next look at the obligation: the next reminder that has not fired (now
// when one is due); nullopt once it is met or every reminder has fired.
std::optional<std::int64_t> next_look_at(const Window& window, bool met, std::span<const int> fired,
                                         std::int64_t now_ms);

}  // namespace custos::incidents::regulatory
