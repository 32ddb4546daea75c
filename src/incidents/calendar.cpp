#include "incidents/calendar.hpp"

#include <algorithm>
#include <cstdio>
#include <limits>
#include <stdexcept>
#include <string>

#include <nlohmann/json.hpp>

namespace custos::incidents {

namespace {

constexpr std::int64_t kMsPerMinute = 60'000;
constexpr std::int64_t kMsPerDay = 86'400'000;
constexpr int kMinutesPerDay = 1440;
// Instants are clamped to ±kLimitMs: year 10000 (RFC 3339 cannot write later years). This
// keeps every sum far from overflow and bounds the walk through DST periods (two a year).
constexpr std::int64_t kLimitMs = 253'402'300'800'000;

std::int64_t clamp_ms(std::int64_t ms) { return std::clamp(ms, -kLimitMs, kLimitMs); }

// Period bounds in ms; unbounded ends stay beyond any clamped instant.
std::int64_t bound_ms(std::int64_t seconds) {
  if (seconds >= kLimitMs / 1000) return std::numeric_limits<std::int64_t>::max();
  if (seconds <= -kLimitMs / 1000) return std::numeric_limits<std::int64_t>::min();
  return seconds * 1000;
}

// The calendar's week in milliseconds, prepared once per call: cheap (a few dozen additions)
// and it keeps BusinessCalendar a plain value without a cache to keep coherent.
class WeekTable {
 public:
  explicit WeekTable(const BusinessCalendar& calendar)
      : calendar_(calendar), zone_(calendar.zone ? calendar.zone.get() : TimeZone::utc().get()) {
    prefix_[0] = 0;
    for (std::size_t d = 0; d < 7; ++d) {
      std::int64_t total = 0;
      for (const WorkingInterval& i : calendar.week[d]) {
        total += (i.end_minute - i.start_minute) * kMsPerMinute;
      }
      prefix_[d + 1] = prefix_[d] + total;
    }
  }

  [[nodiscard]] const TimeZone& zone() const { return *zone_; }
  [[nodiscard]] std::int64_t week_total() const { return prefix_[7]; }

  // Working time in [local_from, local_to), both local wall-clock ms in one offset period.
  [[nodiscard]] std::int64_t between(std::int64_t local_from, std::int64_t local_to) const {
    std::int64_t total = cumulative(local_to) - cumulative(local_from);
    if (calendar_.holidays.empty()) return total;
    const std::int64_t first_day = floor_div(local_from, kMsPerDay);
    const std::int64_t last_day = floor_div(local_to - 1, kMsPerDay);
    const CivilDate last = civil_from_days(last_day);
    for (auto it = calendar_.holidays.lower_bound(civil_from_days(first_day));
         it != calendar_.holidays.end() && *it <= last; ++it) {
      const std::int64_t day = days_from_civil(it->year, it->month, it->day);
      const std::int64_t day_start = day * kMsPerDay;
      const auto& intervals = calendar_.week[static_cast<std::size_t>(weekday_from_days(day))];
      total -= within_day(intervals, std::min(local_to - day_start, kMsPerDay)) -
               within_day(intervals, std::max(local_from - day_start, std::int64_t{0}));
    }
    return total;
  }

  // The earliest local instant x >= local_from with between(local_from, x) == remaining > 0,
  // as if the offset period never ended; the caller checks that it did not.
  [[nodiscard]] std::int64_t advance(std::int64_t local_from, std::int64_t remaining) const {
    std::int64_t day = floor_div(local_from, kMsPerDay);
    std::int64_t offset_in_day = local_from - day * kMsPerDay;
    std::int64_t next_holiday = next_holiday_from(day);
    auto weekday = static_cast<std::size_t>(weekday_from_days(day));
    for (;;) {
      if (day == next_holiday) {
        next_holiday = next_holiday_from(day + 1);
      } else {
        for (const WorkingInterval& i : calendar_.week[weekday]) {
          const std::int64_t end = i.end_minute * kMsPerMinute;
          if (end <= offset_in_day) continue;
          const std::int64_t start = std::max(i.start_minute * kMsPerMinute, offset_in_day);
          if (remaining <= end - start) return day * kMsPerDay + start + remaining;
          remaining -= end - start;
        }
      }
      ++day;
      weekday = weekday == 6 ? 0 : weekday + 1;
      offset_in_day = 0;
      // Whole holiday-free weeks cost the same: skip them, leaving at least 1 ms to find.
      if (remaining > week_total()) {
        const std::int64_t weeks =
            std::min((next_holiday - day) / 7, (remaining - 1) / week_total());
        day += 7 * weeks;
        remaining -= weeks * week_total();
      }
      if (day > kLimitMs / kMsPerDay) return kLimitMs;  // "never", without overflowing
    }
  }

 private:
  static std::int64_t within_day(const std::vector<WorkingInterval>& intervals,
                                 std::int64_t ms_of_day) {
    std::int64_t sum = 0;
    for (const WorkingInterval& i : intervals) {
      const std::int64_t start = i.start_minute * kMsPerMinute;
      if (ms_of_day <= start) break;
      sum += std::min(ms_of_day, i.end_minute * kMsPerMinute) - start;
    }
    return sum;
  }

  // Working time from a fixed Monday to local_ms, ignoring holidays; only differences matter.
  [[nodiscard]] std::int64_t cumulative(std::int64_t local_ms) const {
    const std::int64_t day = floor_div(local_ms, kMsPerDay);
    const auto weekday = static_cast<std::size_t>(weekday_from_days(day));
    const std::int64_t weeks = floor_div(day - static_cast<std::int64_t>(weekday), 7);
    return weeks * week_total() + prefix_[weekday] +
           within_day(calendar_.week[weekday], local_ms - day * kMsPerDay);
  }

  // Day number of the first holiday on or after `day`, or "never".
  [[nodiscard]] std::int64_t next_holiday_from(std::int64_t day) const {
    if (calendar_.holidays.empty()) return std::numeric_limits<std::int64_t>::max() / 2;
    const auto it = calendar_.holidays.lower_bound(civil_from_days(day));
    if (it == calendar_.holidays.end()) return std::numeric_limits<std::int64_t>::max() / 2;
    return days_from_civil(it->year, it->month, it->day);
  }

  const BusinessCalendar& calendar_;
  const TimeZone* zone_;
  std::array<std::int64_t, 8> prefix_{};
};

}  // namespace

BusinessCalendar BusinessCalendar::twenty_four_seven() {
  BusinessCalendar calendar;
  calendar.name = "24x7";
  calendar.zone = TimeZone::utc();
  calendar.always_open = true;
  return calendar;
}

std::int64_t business_ms_between(const BusinessCalendar& calendar, std::int64_t from_ms,
                                 std::int64_t to_ms) {
  from_ms = clamp_ms(from_ms);
  to_ms = clamp_ms(to_ms);
  if (to_ms <= from_ms) return 0;
  if (calendar.always_open) return to_ms - from_ms;
  const WeekTable week(calendar);
  std::int64_t total = 0;
  // Within one offset period local time is UTC shifted by a constant, so the sum is exact;
  // a span crossing a DST change is just two periods.
  for (std::int64_t cursor = from_ms; cursor < to_ms;) {
    const OffsetPeriod period = week.zone().period_at(floor_div(cursor, 1000));
    const std::int64_t segment_end = std::min(to_ms, bound_ms(period.end_s));
    const std::int64_t offset = std::int64_t{period.offset_seconds} * 1000;
    total += week.between(cursor + offset, segment_end + offset);
    cursor = segment_end;
  }
  return total;
}

std::int64_t add_business_ms(const BusinessCalendar& calendar, std::int64_t start_ms,
                             std::int64_t duration_ms) {
  start_ms = clamp_ms(start_ms);
  if (duration_ms <= 0) return start_ms;
  if (calendar.always_open) return clamp_ms(start_ms + std::min(duration_ms, kLimitMs));
  const WeekTable week(calendar);
  if (week.week_total() <= 0) {
    throw std::invalid_argument("calendar '" + calendar.name + "' has no working time");
  }
  std::int64_t remaining = std::min(duration_ms, kLimitMs);
  for (std::int64_t cursor = start_ms; cursor < kLimitMs;) {
    const OffsetPeriod period = week.zone().period_at(floor_div(cursor, 1000));
    const std::int64_t offset = std::int64_t{period.offset_seconds} * 1000;
    const std::int64_t period_end = bound_ms(period.end_s);
    // Usually the answer lies in this period; only when it does not is the period's working
    // time worth summing.
    const std::int64_t local_answer = week.advance(cursor + offset, remaining);
    if (local_answer >= kLimitMs) return kLimitMs;
    if (period_end >= kLimitMs || local_answer - offset <= period_end) {
      return local_answer - offset;
    }
    remaining -= week.between(cursor + offset, period_end + offset);
    cursor = period_end;
  }
  return kLimitMs;  // beyond any meaningful date: "never" for practical purposes
}

// ---- validation and JSON ----

namespace {

std::string day_path(std::size_t day) { return std::string("week.") + kWeekdayNames[day]; }

std::string format_minute(int minute) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%02d:%02d", minute / 60, minute % 60);
  return buf;
}

// "HH:MM", 00:00 to 24:00.
std::optional<int> parse_minute(const nlohmann::json& value) {
  if (!value.is_string()) return std::nullopt;
  const auto& s = value.get_ref<const std::string&>();
  if (s.size() != 5 || s[2] != ':') return std::nullopt;
  for (std::size_t i : {0U, 1U, 3U, 4U}) {
    if (s[i] < '0' || s[i] > '9') return std::nullopt;
  }
  const int hours = (s[0] - '0') * 10 + (s[1] - '0');
  const int minutes = (s[3] - '0') * 10 + (s[4] - '0');
  if (minutes > 59 || hours > 24 || (hours == 24 && minutes != 0)) return std::nullopt;
  return hours * 60 + minutes;
}

[[noreturn]] void fail(const std::string& path, const std::string& problem) {
  throw std::invalid_argument(path + ": " + problem);
}

std::string child(std::string path, std::string_view name) {
  path += '.';
  path += name;
  return path;
}

bool acceptable_calendar_name(const std::string& name) {
  return !name.empty() && name.size() <= 64 && std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-' || c == '.';
  });
}

constexpr std::size_t kMaxHolidays = 10'000;
constexpr std::size_t kMaxIntervalsPerDay = 48;

}  // namespace

void validate(const BusinessCalendar& calendar) {
  if (!acceptable_calendar_name(calendar.name)) {
    fail("name", "must be 1-64 letters, digits, '_', '-' or '.'");
  }
  if (calendar.always_open) {
    for (const auto& day : calendar.week) {
      if (!day.empty()) fail("week", "must be empty when always_open is true");
    }
    if (!calendar.holidays.empty()) fail("holidays", "must be empty when always_open is true");
    return;
  }
  if (!calendar.zone) fail("zone", "missing");
  if (calendar.holidays.size() > kMaxHolidays) {
    fail("holidays", "at most " + std::to_string(kMaxHolidays) + " dates");
  }
  std::size_t index = 0;
  for (const CivilDate& date : calendar.holidays) {
    if (!is_valid_date(date)) fail("holidays[" + std::to_string(index) + "]", "not a real date");
    ++index;
  }
  int working_minutes = 0;
  for (std::size_t d = 0; d < 7; ++d) {
    const auto& intervals = calendar.week[d];
    if (intervals.size() > kMaxIntervalsPerDay) {
      fail(day_path(d), "at most " + std::to_string(kMaxIntervalsPerDay) + " intervals");
    }
    for (std::size_t i = 0; i < intervals.size(); ++i) {
      const std::string path = day_path(d) + "[" + std::to_string(i) + "]";
      const WorkingInterval& interval = intervals[i];
      if (interval.start_minute < 0 || interval.start_minute >= kMinutesPerDay) {
        fail(path, "start must be between 00:00 and 23:59");
      }
      if (interval.end_minute > kMinutesPerDay) fail(path, "end must be at most 24:00");
      if (interval.end_minute <= interval.start_minute) fail(path, "end must be after start");
      if (i > 0 && interval.start_minute < intervals[i - 1].end_minute) {
        fail(path, "must start at or after the end of the previous interval");
      }
      working_minutes += interval.end_minute - interval.start_minute;
    }
  }
  if (working_minutes == 0) {
    fail("week", "a calendar must have some working time (or set always_open)");
  }
}

void to_json(nlohmann::json& json, const BusinessCalendar& calendar) {
  json = nlohmann::json::object();
  json["name"] = calendar.name;
  json["zone"] = calendar.zone ? calendar.zone->name() : std::string("UTC");
  json["always_open"] = calendar.always_open;
  if (calendar.always_open) return;
  auto& week = json["week"] = nlohmann::json::object();
  for (std::size_t d = 0; d < 7; ++d) {
    auto& day = week[kWeekdayNames[d]] = nlohmann::json::array();
    for (const WorkingInterval& i : calendar.week[d]) {
      day.push_back(
          {{"start", format_minute(i.start_minute)}, {"end", format_minute(i.end_minute)}});
    }
  }
  auto& holidays = json["holidays"] = nlohmann::json::array();
  for (const CivilDate& date : calendar.holidays) holidays.push_back(format_civil_date(date));
}

void from_json(const nlohmann::json& json, BusinessCalendar& calendar) {
  if (!json.is_object()) throw std::invalid_argument("calendar: must be an object");
  for (const auto& [key, value] : json.items()) {
    if (key != "name" && key != "zone" && key != "always_open" && key != "week" &&
        key != "holidays") {
      fail(key, "unknown field");
    }
  }
  BusinessCalendar out;
  const auto name = json.find("name");
  if (name == json.end()) fail("name", "missing");
  if (!name->is_string()) fail("name", "must be a string");
  out.name = name->get<std::string>();

  if (const auto open = json.find("always_open"); open != json.end()) {
    if (!open->is_boolean()) fail("always_open", "must be true or false");
    out.always_open = open->get<bool>();
  }

  std::string zone_name = "UTC";
  if (const auto zone = json.find("zone"); zone != json.end()) {
    if (!zone->is_string()) fail("zone", "must be a time zone name such as Europe/Berlin");
    zone_name = zone->get<std::string>();
  }
  try {
    out.zone = TimeZone::load(zone_name);
  } catch (const std::invalid_argument& e) {
    fail("zone", e.what());
  }

  if (const auto week = json.find("week"); week != json.end()) {
    if (!week->is_object()) fail("week", "must be an object with one entry per working day");
    for (const auto& [day_name, intervals] : week->items()) {
      const auto* day = std::find(std::begin(kWeekdayNames), std::end(kWeekdayNames), day_name);
      if (day == std::end(kWeekdayNames)) {
        fail("week." + day_name, "unknown day (expected monday ... sunday)");
      }
      const auto d = static_cast<std::size_t>(day - std::begin(kWeekdayNames));
      if (!intervals.is_array()) fail(day_path(d), R"(must be an array of {"start", "end"})");
      for (std::size_t i = 0; i < intervals.size(); ++i) {
        const std::string path = day_path(d) + "[" + std::to_string(i) + "]";
        const auto& item = intervals[i];
        if (!item.is_object())
          fail(path, R"(must be an object {"start": "HH:MM", "end": "HH:MM"})");
        for (const auto& [field, unused] : item.items()) {
          if (field != "start" && field != "end") fail(child(path, field), "unknown field");
        }
        WorkingInterval interval;
        for (const char* field : {"start", "end"}) {
          const auto value = item.find(field);
          if (value == item.end()) fail(path + "." + field, "missing");
          const auto minute = parse_minute(*value);
          if (!minute) fail(path + "." + field, "must be a time HH:MM between 00:00 and 24:00");
          (std::string_view(field) == "start" ? interval.start_minute : interval.end_minute) =
              *minute;
        }
        out.week[d].push_back(interval);
      }
    }
  }

  if (const auto holidays = json.find("holidays"); holidays != json.end()) {
    if (!holidays->is_array()) fail("holidays", "must be an array of dates YYYY-MM-DD");
    for (std::size_t i = 0; i < holidays->size(); ++i) {
      const auto& value = (*holidays)[i];
      const auto date =
          value.is_string() ? parse_civil_date(value.get_ref<const std::string&>()) : std::nullopt;
      if (!date) fail("holidays[" + std::to_string(i) + "]", "must be a date YYYY-MM-DD");
      out.holidays.insert(*date);
    }
  }
  validate(out);
  calendar = std::move(out);
}

}  // namespace custos::incidents
