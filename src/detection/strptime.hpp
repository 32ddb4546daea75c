#pragma once
// fail2ban's strptime-style date patterns: "%b %d %H:%M:%S" and its own "%Ex…" directives
// become a regular expression with one named group per field, and the fields of a match become
// epoch seconds (local time of TZ unless the line carries a zone; a year-less date is taken in
// the year that puts it no more than a day after the reference time).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "detection/local_time.hpp"
#include "detection/regex.hpp"

namespace custos::detection {

// The reference time ("now") a scan reads year-less dates against.
struct ReferenceTime {
  std::int64_t epoch = 0;
  CivilTime local;
};

// Python regex for a date pattern. `reference_year` shapes %ExY (years from 2000 to a few past
// the reference). Throws std::invalid_argument naming an unknown directive or a stray '%'.
[[nodiscard]] std::string date_pattern_to_regex(std::string_view pattern, int reference_year);

// True if the pattern has a directive matching letters (%a %A %b %B %p %c): matched caselessly.
[[nodiscard]] bool date_pattern_has_alpha(std::string_view pattern);

// Which capture group holds each strptime field in a compiled date regex (0: none).
struct DateFieldGroups {
  int Y = 0, y = 0, m = 0, b = 0, B = 0, d = 0, H = 0, I = 0, M = 0, S = 0, p = 0, j = 0, z = 0,
      Z = 0;
  [[nodiscard]] static DateFieldGroups of(const Regex& regex);
};

// Epoch seconds from the fields of a match; nullopt for an impossible date (Feb 30, an unknown
// zone name). Fractions of seconds are ignored, as fail2ban does for these patterns.
[[nodiscard]] std::optional<std::int64_t> fields_to_epoch(const DateFieldGroups& groups,
                                                          std::string_view subject,
                                                          const std::vector<Span>& spans,
                                                          const ReferenceTime& now,
                                                          LocalTimeZone& zone);

// Minutes east of UTC for a zone as fail2ban accepts it ("UTC", "CEST", "+0200", "EST-05"...).
[[nodiscard]] std::optional<int> zone_offset_minutes(std::string_view zone);

}  // namespace custos::detection
