#pragma once
// SLA clocks: time to own (response) and time to resolve, measured in business time on a
// calendar, held while the incident is pending, with escalation thresholds.
//
// Everything here is a pure function of stored facts (start, pauses, stop, target) and "now",
// so a sweep, a read and a restart all compute the same state; nothing is counted in memory.
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "incidents/calendar.hpp"

namespace custos::incidents {

enum class SlaKind : std::uint8_t { response, resolution };

struct SlaTarget {
  std::int64_t response_ms = 0;    // business time to first response (time to own)
  std::int64_t resolution_ms = 0;  // business time to resolution
  friend bool operator==(const SlaTarget&, const SlaTarget&) = default;
};

inline constexpr std::int64_t kSlaMinute = 60'000;
inline constexpr std::int64_t kSlaHour = 60 * kSlaMinute;

// The defaults, for a security team with a 24x7 on-call for P1 and office hours otherwise
// (a "business day" is 8 business hours, e.g. 09:00-17:00):
//   P1  respond 15 min   resolve 4 h                    on "24x7"
//   P2  respond 30 min   resolve 8 h (1 business day)   on "business"
//   P3  respond 4 h      resolve 24 h (3 business days) on "business"
//   P4  respond 8 h      resolve 40 h (5 business days) on "business"
// Thresholds 50/75/100 % trigger escalation: functional first, then hierarchical.
struct SlaPolicy {
  std::array<SlaTarget, 4> per_priority = {{{15 * kSlaMinute, 4 * kSlaHour},
                                            {30 * kSlaMinute, 8 * kSlaHour},
                                            {4 * kSlaHour, 24 * kSlaHour},
                                            {8 * kSlaHour, 40 * kSlaHour}}};  // [0] is P1
  std::array<std::string, 4> calendar_per_priority = {"24x7", "business", "business", "business"};
  std::vector<int> thresholds_percent = {50, 75, 100};  // ascending, 1..1000

  [[nodiscard]] static SlaPolicy defaults() { return {}; }
  // Throw std::out_of_range unless 1 <= priority <= 4.
  [[nodiscard]] std::int64_t target_ms(int priority, SlaKind kind) const;
  [[nodiscard]] const std::string& calendar_for(int priority) const;

  friend bool operator==(const SlaPolicy&, const SlaPolicy&) = default;
};

// Throws std::invalid_argument naming the field ("targets.P2.response_minutes: ...").
void validate(const SlaPolicy& policy);

// {"targets": {"P1": {"response_minutes": 15, "resolution_minutes": 240, "calendar": "24x7"},
//              "P2": ..., "P3": ..., "P4": ...},
//  "thresholds_percent": [50, 75, 100]}
// Minutes are business minutes on the named calendar. from_json validates; whether the named
// calendars exist is for the caller to check (see unknown_calendar).
void to_json(nlohmann::json& json, const SlaPolicy& policy);
void from_json(const nlohmann::json& json, SlaPolicy& policy);

// The first "targets.Pn.calendar: unknown calendar 'x'" problem, given the calendars that exist.
[[nodiscard]] std::optional<std::string> unknown_calendar(const SlaPolicy& policy,
                                                          const std::vector<std::string>& names);

struct PauseInterval {
  std::int64_t from_ms = 0;
  std::optional<std::int64_t> to_ms{};  // open while the incident is still pending
};

struct ClockInput {
  std::int64_t started_ms = 0;
  std::int64_t target_ms = 0;                // business duration, > 0
  std::vector<PauseInterval> pauses{};       // may overlap, any order; clipped to the clock's life
  std::optional<std::int64_t> stopped_ms{};  // met: acknowledged (response) / resolved (resolution)
};

struct ClockState {
  std::int64_t elapsed_ms = 0;           // business time run, pauses excluded
  std::int64_t remaining_ms = 0;         // target - elapsed; negative once breached
  std::optional<std::int64_t> due_ms{};  // null while paused or stopped; in the past if breached
  std::int64_t paused_ms = 0;            // business time the pauses held back
  bool paused = false;
  bool breached = false;  // elapsed > target; stays true when met late
  bool met = false;       // the clock was stopped
  int percent = 0;        // floor(elapsed * 100 / target)
};

// The clock "as of" now_ms: a stop or a pause later than now_ms has not happened yet.
// Throws std::invalid_argument unless target_ms > 0.
[[nodiscard]] ClockState evaluate(const BusinessCalendar& calendar, const ClockInput& clock,
                                  std::int64_t now_ms);

// The thresholds (percent of the target) the clock has reached, in the order given. A stopped
// clock keeps the ones it reached before stopping; firing only for running clocks is the
// escalation engine's choice.
[[nodiscard]] std::vector<int> thresholds_crossed(const ClockState& state,
                                                  const std::vector<int>& thresholds);

// When the next threshold not yet reached will be reached if nothing changes, so a scheduler
// can sleep until then; nullopt when paused, stopped or past every threshold. The first form
// reuses a state evaluate() computed at now_ms (a sweep needs both, so it pays once).
[[nodiscard]] std::optional<std::int64_t> next_threshold_at(const BusinessCalendar& calendar,
                                                            const ClockState& state,
                                                            std::int64_t now_ms,
                                                            const std::vector<int>& thresholds);
[[nodiscard]] std::optional<std::int64_t> next_threshold_at(const BusinessCalendar& calendar,
                                                            const ClockInput& clock,
                                                            std::int64_t now_ms,
                                                            const std::vector<int>& thresholds);

// After a priority change: the same start and pauses, the new priority's target. The clock
// must then be evaluated on policy.calendar_for(new_priority), which may differ. A clock
// that was breached under the old target is judged afresh: recording that it once breached is
// the caller's (auditable) business.
[[nodiscard]] ClockInput retarget(ClockInput clock, const SlaPolicy& policy, int new_priority,
                                  SlaKind kind);

}  // namespace custos::incidents
