#pragma once
// Local wall-clock time ↔ epoch seconds in the zone of the TZ environment variable, the way
// fail2ban (Python's time.mktime) reads log dates that carry no zone. Conversions of a log's
// dates repeat the same minute thousands of times, so the last minutes are cached.
#include <array>
#include <cstdint>
#include <optional>

namespace custos::detection {

struct CivilTime {
  int year = 1970;
  int month = 1;  // 1..12
  int day = 1;
  int hour = 0;
  int minute = 0;
  int second = 0;
  friend bool operator==(const CivilTime&, const CivilTime&) = default;
};

[[nodiscard]] bool is_valid_civil(const CivilTime& t);
[[nodiscard]] int days_in_month(int year, int month);
// Proleptic Gregorian days since 1970-01-01.
[[nodiscard]] std::int64_t days_from_civil(std::int64_t year, int month, int day);
// Seconds since the epoch of a UTC civil time.
[[nodiscard]] std::int64_t utc_epoch(const CivilTime& t);
[[nodiscard]] CivilTime utc_civil(std::int64_t epoch);
// Adds whole days to a civil time (no zone involved).
[[nodiscard]] CivilTime add_days(const CivilTime& t, int days);
[[nodiscard]] bool earlier(const CivilTime& a, const CivilTime& b);

class LocalTimeZone {
 public:
  // Reads TZ now (tzset); call again after changing TZ.
  LocalTimeZone();
  // Epoch seconds of a local civil time (mktime with isdst = -1; nonexistent or repeated times
  // resolve as the C library does).
  [[nodiscard]] std::int64_t to_epoch(const CivilTime& local);
  [[nodiscard]] CivilTime to_local(std::int64_t epoch) const;

 private:
  struct Entry {
    CivilTime minute{0, 0, 0, 0, 0, 0};
    std::int64_t epoch = 0;
  };
  std::array<Entry, 4> cache_{};
  std::size_t next_ = 0;
};

}  // namespace custos::detection
