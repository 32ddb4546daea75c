#pragma once
// Business calendars: when the clock of an SLA runs. A calendar is working hours per weekday
// in a time zone, minus holidays, or simply 24x7.
//
// The model: an instant is working time when its local wall-clock time lies in a working
// interval of its local date and that date is not a holiday. So when clocks spring forward the
// skipped hour does not count, and when they fall back a repeated working hour counts twice,
// because it is really worked twice.
#include <array>
#include <cstdint>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "incidents/timezone.hpp"

namespace custos::incidents {

// Local minutes since midnight: [start_minute, end_minute), 0 <= start < end <= 1440.
struct WorkingInterval {
  int start_minute = 0;
  int end_minute = 0;
  friend bool operator==(const WorkingInterval&, const WorkingInterval&) = default;
};

struct BusinessCalendar {
  std::string name{};
  std::shared_ptr<const TimeZone> zone{};              // null is read as UTC
  std::array<std::vector<WorkingInterval>, 7> week{};  // Monday..Sunday, ascending, disjoint
  std::set<CivilDate> holidays{};                      // local dates without working time
  bool always_open = false;                            // 24x7: week, zone and holidays unused

  // The calendar named "24x7".
  [[nodiscard]] static BusinessCalendar twenty_four_seven();
};

inline constexpr const char* kWeekdayNames[7] = {"monday", "tuesday",  "wednesday", "thursday",
                                                 "friday", "saturday", "sunday"};

// Throws std::invalid_argument with the path of the first problem, e.g.
// "week.tuesday[1]: end must be after start". A calendar that is not always open must have
// some working time, or an SLA on it could never come due.
void validate(const BusinessCalendar& calendar);

// {"name": "business", "zone": "Europe/Berlin",
//  "week": {"monday": [{"start": "09:00", "end": "17:00"}], ...},  (days left out: closed)
//  "holidays": ["2026-12-25", ...]}
// or {"name": "24x7", "always_open": true}. from_json validates (throws std::invalid_argument
// naming the field: "holidays[3]: must be a date YYYY-MM-DD", "zone: unknown time zone
// 'Europe/Berln'") and loads the zone.
void to_json(nlohmann::json& json, const BusinessCalendar& calendar);
void from_json(const nlohmann::json& json, BusinessCalendar& calendar);

// Instants are clamped to before the year 10000; "never" is returned as that limit.

// Working time in [from_ms, to_ms); 0 if to_ms <= from_ms. Expects a validated calendar.
[[nodiscard]] std::int64_t business_ms_between(const BusinessCalendar& calendar,
                                               std::int64_t from_ms, std::int64_t to_ms);

// The earliest instant at which `duration_ms` of working time has passed since `start_ms`
// (a clock started outside working hours begins at the next opening; a duration that ends
// exactly at closing time ends at closing time, not at the next opening). A duration <= 0
// returns start_ms. Throws std::invalid_argument for a calendar without working time.
[[nodiscard]] std::int64_t add_business_ms(const BusinessCalendar& calendar, std::int64_t start_ms,
                                           std::int64_t duration_ms);

}  // namespace custos::incidents
