#pragma once
// Time zones from the system's TZif database. libstdc++ 12 ships no std::chrono::tzdb, and
// business calendars and SLA clocks must be exact across daylight-saving changes, so this is a
// small reader of RFC 8536 files plus the POSIX TZ rule their footer carries for the future.
//
// Days are proleptic Gregorian; leap seconds are not modelled (POSIX time, like the rest of
// custos), so zones built with leap seconds ("right/...") are refused rather than misread.
#include <compare>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace custos::incidents {

struct CivilDate {
  int year = 1970;
  int month = 1;  // 1..12
  int day = 1;    // 1..31
  friend auto operator<=>(const CivilDate&, const CivilDate&) = default;
};

struct CivilDateTime {
  int year = 1970;
  int month = 1;
  int day = 1;
  int hour = 0;
  int minute = 0;
  int second = 0;
  int millisecond = 0;
};

struct LocalTime {
  int year = 1970;
  int month = 1;
  int day = 1;
  int hour = 0;
  int minute = 0;
  int second = 0;
  int millisecond = 0;
  int weekday = 0;  // 0 = Monday … 6 = Sunday
  int offset_seconds = 0;
};

// Day numbers count from 1970-01-01 = 0.
[[nodiscard]] std::int64_t days_from_civil(std::int64_t year, int month, int day);
[[nodiscard]] CivilDate civil_from_days(std::int64_t days);
[[nodiscard]] bool is_valid_date(const CivilDate& date);
// Exactly "YYYY-MM-DD" naming a real date.
[[nodiscard]] std::optional<CivilDate> parse_civil_date(std::string_view text);
[[nodiscard]] std::string format_civil_date(const CivilDate& date);

// Floor division, because times before 1970 and negative offsets must round down.
[[nodiscard]] constexpr std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  const std::int64_t q = a / b;
  return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

// 0 = Monday; 1970-01-01 was a Thursday. Inline: calendar arithmetic calls it per day.
[[nodiscard]] constexpr int weekday_from_days(std::int64_t days) {
  return static_cast<int>(days + 3 - floor_div(days + 3, 7) * 7);
}

// A stretch of time with one UTC offset: [begin_s, end_s). Unbounded ends are INT64_MIN/MAX.
// A boundary may also fall where the offset does not change (ends of a precomputed table).
struct OffsetPeriod {
  int offset_seconds = 0;
  std::int64_t begin_s = 0;
  std::int64_t end_s = 0;
};

// A POSIX TZ string such as "CET-1CEST,M3.5.0,M10.5.0/3", with the RFC 8536 extensions
// (transition times from -167 to 167 hours; DST all year).
class PosixTzRule {
 public:
  // nullopt when malformed. A DST name without rules gets the US rules, as glibc does.
  [[nodiscard]] static std::optional<PosixTzRule> parse(std::string_view text);

  [[nodiscard]] int offset_at(std::int64_t utc_seconds) const;
  [[nodiscard]] OffsetPeriod period_at(std::int64_t utc_seconds) const;
  [[nodiscard]] bool has_dst() const { return has_dst_; }
  [[nodiscard]] int std_offset() const { return std_offset_; }

  struct Change {
    std::int64_t at_s;
    int offset_seconds;
  };
  // The offset changes the rule makes during local year `year`, in time order.
  [[nodiscard]] std::vector<Change> changes_in_year(std::int64_t year) const;

 private:
  struct DateRule {
    enum class Kind : std::uint8_t { julian_no_leap, zero_based, month_week_day } kind;
    int day = 0;  // Jn: 1..365; n: 0..365; M: weekday 0 (Sunday)..6
    int month = 0;
    int week = 0;                // 1..5, 5 = last
    std::int32_t time_s = 7200;  // local time of day, may be negative or beyond 24 h
  };
  [[nodiscard]] std::int64_t local_day(const DateRule& rule, std::int64_t year) const;

  int std_offset_ = 0;  // seconds east of UTC
  int dst_offset_ = 0;
  bool has_dst_ = false;
  DateRule start_{};
  DateRule end_{};
};

class TimeZone {
 public:
  // Loads "Europe/Berlin" from $TZDIR or /usr/share/zoneinfo; cached, thread-safe.
  // Throws std::invalid_argument naming the zone when the name is not acceptable (only
  // [A-Za-z0-9_+-/], no "..", no leading '/'), the zone is unknown, or its file is malformed.
  [[nodiscard]] static std::shared_ptr<const TimeZone> load(std::string_view name);
  [[nodiscard]] static std::shared_ptr<const TimeZone> utc();
  // Builds a zone from TZif bytes (for tests and embedded data); throws like load().
  [[nodiscard]] static std::shared_ptr<const TimeZone> from_tzif(std::string name,
                                                                 std::string_view bytes);

  [[nodiscard]] int offset_seconds_at(std::int64_t utc_seconds) const;
  [[nodiscard]] OffsetPeriod period_at(std::int64_t utc_seconds) const;
  [[nodiscard]] LocalTime to_local(std::int64_t utc_ms) const;
  // Local wall-clock time → instant. In a gap (spring forward) the answer is the instant the
  // gap ends; for a time that occurs twice (fall back), the earlier instant.
  // Throws std::invalid_argument for an impossible date or time of day.
  [[nodiscard]] std::int64_t from_local(const CivilDateTime& local) const;
  [[nodiscard]] const std::string& name() const { return name_; }

 private:
  explicit TimeZone(std::string name) : name_(std::move(name)) {}
  void build(std::string_view tzif);

  std::string name_;
  // Offset changes in time order; offsets_[i] applies from times_[i] on. The table includes
  // the footer rule's changes up to kTableEnd, so lookups near today are a binary search.
  std::vector<std::int64_t> times_;
  std::vector<std::int32_t> offsets_;
  std::int32_t initial_offset_ = 0;  // before times_[0]
  std::optional<PosixTzRule> rule_;  // outside [table_begin_, table_end_)
  std::int64_t table_begin_ = INT64_MIN;
  std::int64_t table_end_ = INT64_MAX;
};

}  // namespace custos::incidents
