#include "detection/local_time.hpp"

#include <ctime>

namespace custos::detection {

int days_in_month(int year, int month) {
  static constexpr int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (month == 2) {
    const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    return leap ? 29 : 28;
  }
  return days[month - 1];
}

bool is_valid_civil(const CivilTime& t) {
  return t.year >= 1 && t.year <= 9999 && t.month >= 1 && t.month <= 12 && t.day >= 1 &&
         t.day <= days_in_month(t.year, t.month) && t.hour >= 0 && t.hour < 24 && t.minute >= 0 &&
         t.minute < 60 && t.second >= 0 && t.second < 60;
}

std::int64_t days_from_civil(std::int64_t y, int m, int d) {
  y -= m <= 2 ? 1 : 0;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy =
      (153 * static_cast<unsigned>(m + (m > 2 ? -3 : 9)) + 2) / 5 + static_cast<unsigned>(d) - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

std::int64_t utc_epoch(const CivilTime& t) {
  return days_from_civil(t.year, t.month, t.day) * 86400 + t.hour * 3600 + t.minute * 60 + t.second;
}

CivilTime utc_civil(std::int64_t epoch) {
  std::int64_t days = epoch / 86400;
  std::int64_t rem = epoch % 86400;
  if (rem < 0) {
    rem += 86400;
    --days;
  }
  days += 719468;
  const std::int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  const auto doe = static_cast<unsigned>(days - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  const std::int64_t y = static_cast<std::int64_t>(yoe) + era * 400 + (m <= 2 ? 1 : 0);
  return CivilTime{static_cast<int>(y),
                   static_cast<int>(m),
                   static_cast<int>(d),
                   static_cast<int>(rem / 3600),
                   static_cast<int>(rem / 60 % 60),
                   static_cast<int>(rem % 60)};
}

CivilTime add_days(const CivilTime& t, int days) {
  CivilTime date = utc_civil((days_from_civil(t.year, t.month, t.day) + days) * 86400);
  date.hour = t.hour;
  date.minute = t.minute;
  date.second = t.second;
  return date;
}

bool earlier(const CivilTime& a, const CivilTime& b) {
  auto key = [](const CivilTime& t) {
    return ((((static_cast<std::int64_t>(t.year) * 13 + t.month) * 32 + t.day) * 24 + t.hour) * 60 +
            t.minute) *
               62 +
           t.second;
  };
  return key(a) < key(b);
}

LocalTimeZone::LocalTimeZone() { tzset(); }

std::int64_t LocalTimeZone::to_epoch(const CivilTime& local) {
  CivilTime minute = local;
  minute.second = 0;
  for (const auto& e : cache_) {
    if (e.minute == minute) return e.epoch + local.second;
  }
  std::tm tm{};
  tm.tm_year = local.year - 1900;
  tm.tm_mon = local.month - 1;
  tm.tm_mday = local.day;
  tm.tm_hour = local.hour;
  tm.tm_min = local.minute;
  tm.tm_sec = 0;
  tm.tm_isdst = -1;
  const std::int64_t epoch = static_cast<std::int64_t>(mktime(&tm));
  cache_[next_] = Entry{minute, epoch};
  next_ = (next_ + 1) % cache_.size();
  return epoch + local.second;
}

CivilTime LocalTimeZone::to_local(std::int64_t epoch) const {
  const auto t = static_cast<std::time_t>(epoch);
  std::tm tm{};
  localtime_r(&t, &tm);
  return CivilTime{tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec};
}

}  // namespace custos::detection
