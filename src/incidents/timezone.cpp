#include "incidents/timezone.hpp"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <mutex>
#include <stdexcept>

namespace custos::incidents {

namespace {

constexpr std::int64_t kSecondsPerDay = 86'400;
// Longest distance between an instant and its local time that TZif allows (RFC 8536: less
// than 26 hours), so a local time's candidate instants all lie within this of it.
constexpr std::int64_t kMaxOffsetSeconds = std::int64_t{26} * 3600;
// Footer-rule changes are precomputed up to here so ordinary lookups are a binary search.
constexpr std::int64_t kTableEndYear = 2201;
// Years far beyond any realistic use still compute without overflow in the rule code.
constexpr std::int64_t kRuleClampSeconds = std::int64_t{1} << 52;

bool is_leap(std::int64_t year) { return year % 4 == 0 && (year % 100 != 0 || year % 400 == 0); }

int days_in_month(std::int64_t year, int month) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return month == 2 && is_leap(year) ? 29 : kDays[month - 1];
}

std::int64_t year_of(std::int64_t local_seconds) {
  return civil_from_days(floor_div(local_seconds, kSecondsPerDay)).year;
}

std::int64_t clamp_rule_seconds(std::int64_t t) {
  return std::clamp(t, -kRuleClampSeconds, kRuleClampSeconds);
}

}  // namespace

// ---- civil dates (H. Hinnant's algorithms, public domain descriptions) ----

std::int64_t days_from_civil(std::int64_t year, int month, int day) {
  year -= month <= 2 ? 1 : 0;
  const std::int64_t era = (year >= 0 ? year : year - 399) / 400;
  const auto yoe = static_cast<std::int64_t>(year - era * 400);
  const std::int64_t mp = month > 2 ? month - 3 : month + 9;
  const std::int64_t doy = (153 * mp + 2) / 5 + day - 1;
  const std::int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146'097 + doe - 719'468;
}

CivilDate civil_from_days(std::int64_t days) {
  days += 719'468;
  const std::int64_t era = (days >= 0 ? days : days - 146'096) / 146'097;
  const std::int64_t doe = days - era * 146'097;
  const std::int64_t yoe = (doe - doe / 1'460 + doe / 36'524 - doe / 146'096) / 365;
  const std::int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const std::int64_t mp = (5 * doy + 2) / 153;
  const auto day = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  const auto month = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  const std::int64_t year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  return {static_cast<int>(year), month, day};
}

bool is_valid_date(const CivilDate& date) {
  return date.month >= 1 && date.month <= 12 && date.day >= 1 &&
         date.day <= days_in_month(date.year, date.month);
}

std::optional<CivilDate> parse_civil_date(std::string_view text) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
  auto number = [&](std::size_t pos, std::size_t len) -> int {
    int v = 0;
    for (std::size_t i = pos; i < pos + len; ++i) {
      if (text[i] < '0' || text[i] > '9') return -1;
      v = v * 10 + (text[i] - '0');
    }
    return v;
  };
  const CivilDate date{number(0, 4), number(5, 2), number(8, 2)};
  if (date.year < 0 || !is_valid_date(date)) return std::nullopt;
  return date;
}

std::string format_civil_date(const CivilDate& date) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", date.year, date.month, date.day);
  return buf;
}

// ---- POSIX TZ rules ----

namespace {

class TzScanner {
 public:
  explicit TzScanner(std::string_view text) : text_(text) {}
  [[nodiscard]] bool done() const { return pos_ == text_.size(); }
  [[nodiscard]] char peek() const { return done() ? '\0' : text_[pos_]; }
  bool take(char c) {
    if (peek() != c) return false;
    ++pos_;
    return true;
  }

  // "CET" (three or more letters) or "<+0330>" (three or more of [A-Za-z0-9+-]).
  bool name() {
    std::size_t n = 0;
    if (take('<')) {
      while (!done() && peek() != '>') {
        const char c = peek();
        if (!std::isalnum(static_cast<unsigned char>(c)) && c != '+' && c != '-') return false;
        ++pos_;
        ++n;
      }
      return take('>') && n >= 3;
    }
    while (!done() && std::isalpha(static_cast<unsigned char>(peek()))) {
      ++pos_;
      ++n;
    }
    return n >= 3;
  }

  // [+-]hh[:mm[:ss]] with hh <= max_hours; the value in seconds with its sign.
  bool clock(int max_hours, std::int32_t& seconds) {
    int sign = 1;
    if (take('-')) {
      sign = -1;
    } else {
      take('+');
    }
    int hours = 0;
    if (!digits(1, 3, hours) || hours > max_hours) return false;
    int minutes = 0;
    int secs = 0;
    if (take(':')) {
      if (!digits(2, 2, minutes) || minutes > 59) return false;
      if (take(':') && (!digits(2, 2, secs) || secs > 59)) return false;
    }
    seconds = sign * (hours * 3600 + minutes * 60 + secs);
    return true;
  }

  bool digits(std::size_t min_len, std::size_t max_len, int& value) {
    std::size_t n = 0;
    value = 0;
    while (n < max_len && !done() && peek() >= '0' && peek() <= '9') {
      value = value * 10 + (text_[pos_++] - '0');
      ++n;
    }
    return n >= min_len;
  }

 private:
  std::string_view text_;
  std::size_t pos_ = 0;
};

}  // namespace

std::optional<PosixTzRule> PosixTzRule::parse(std::string_view text) {
  TzScanner in(text);
  PosixTzRule rule;
  std::int32_t posix_offset = 0;  // POSIX counts west as positive
  if (!in.name() || !in.clock(24, posix_offset)) return std::nullopt;
  rule.std_offset_ = -posix_offset;
  if (in.done()) return rule;

  if (!in.name()) return std::nullopt;
  rule.has_dst_ = true;
  rule.dst_offset_ = rule.std_offset_ + 3600;
  if (in.peek() != ',' && !in.done()) {
    if (!in.clock(24, posix_offset)) return std::nullopt;
    rule.dst_offset_ = -posix_offset;
  }

  auto date_rule = [&](DateRule& out) {
    if (in.take('M')) {
      out.kind = DateRule::Kind::month_week_day;
      if (!in.digits(1, 2, out.month) || out.month < 1 || out.month > 12) return false;
      if (!in.take('.') || !in.digits(1, 1, out.week) || out.week < 1 || out.week > 5) {
        return false;
      }
      if (!in.take('.') || !in.digits(1, 1, out.day) || out.day > 6) return false;
    } else if (in.take('J')) {
      out.kind = DateRule::Kind::julian_no_leap;
      if (!in.digits(1, 3, out.day) || out.day < 1 || out.day > 365) return false;
    } else {
      out.kind = DateRule::Kind::zero_based;
      if (!in.digits(1, 3, out.day) || out.day > 365) return false;
    }
    out.time_s = 7200;
    return !in.take('/') || in.clock(167, out.time_s);
  };

  if (in.done()) {
    // No rules: the POSIX default is implementation-defined; glibc uses the US rules.
    rule.start_ = {DateRule::Kind::month_week_day, 0, 3, 2, 7200};
    rule.end_ = {DateRule::Kind::month_week_day, 0, 11, 1, 7200};
    return rule;
  }
  if (!in.take(',') || !date_rule(rule.start_) || !in.take(',') || !date_rule(rule.end_) ||
      !in.done()) {
    return std::nullopt;
  }
  return rule;
}

std::int64_t PosixTzRule::local_day(const DateRule& rule, std::int64_t year) const {
  const std::int64_t jan1 = days_from_civil(year, 1, 1);
  switch (rule.kind) {
    case DateRule::Kind::julian_no_leap:
      return jan1 + rule.day - 1 + (is_leap(year) && rule.day >= 60 ? 1 : 0);
    case DateRule::Kind::zero_based:
      return jan1 + rule.day;
    case DateRule::Kind::month_week_day: {
      const std::int64_t first = days_from_civil(year, rule.month, 1);
      const int first_weekday_from_sunday = (weekday_from_days(first) + 1) % 7;
      std::int64_t day = first + (rule.day - first_weekday_from_sunday + 7) % 7 +
                         std::int64_t{7} * (rule.week - 1);
      while (day - first >= days_in_month(year, rule.month)) day -= 7;  // week 5 = last
      return day;
    }
  }
  return jan1;
}

std::vector<PosixTzRule::Change> PosixTzRule::changes_in_year(std::int64_t year) const {
  if (!has_dst_) return {};
  // The start time is given in standard time, the end time in daylight time.
  const Change start{local_day(start_, year) * kSecondsPerDay + start_.time_s - std_offset_,
                     dst_offset_};
  const Change end{local_day(end_, year) * kSecondsPerDay + end_.time_s - dst_offset_, std_offset_};
  // On a tie (DST all year: one year's end is the next year's start) DST must win, so the
  // standard-time change sorts first.
  if (end.at_s <= start.at_s) return {end, start};
  return {start, end};
}

OffsetPeriod PosixTzRule::period_at(std::int64_t utc_seconds) const {
  if (!has_dst_) return {std_offset_, INT64_MIN, INT64_MAX};
  const std::int64_t t = clamp_rule_seconds(utc_seconds);
  const std::int64_t year = year_of(t + std_offset_);
  std::vector<Change> events;
  for (std::int64_t y = year - 2; y <= year + 2; ++y) {
    const auto changes = changes_in_year(y);
    events.insert(events.end(), changes.begin(), changes.end());
  }
  std::stable_sort(events.begin(), events.end(),
                   [](const Change& a, const Change& b) { return a.at_s < b.at_s; });
  // Effective changes: after applying every event at one instant, did the offset change?
  int current = events.front().offset_seconds == dst_offset_ ? std_offset_ : dst_offset_;
  OffsetPeriod period{current, events.front().at_s, events.back().at_s};
  for (std::size_t i = 0; i < events.size();) {
    const std::int64_t at = events[i].at_s;
    int after = current;
    for (; i < events.size() && events[i].at_s == at; ++i) after = events[i].offset_seconds;
    if (after == current) continue;
    current = after;
    if (at <= t) {
      period.offset_seconds = after;
      period.begin_s = at;
    } else {
      period.end_s = at;
      break;
    }
  }
  if (t != utc_seconds) {  // clamped: report an unbounded stretch instead of a wrong bound
    if (utc_seconds > t) period.end_s = INT64_MAX;
    if (utc_seconds < t) period.begin_s = INT64_MIN;
  }
  return period;
}

int PosixTzRule::offset_at(std::int64_t utc_seconds) const {
  return period_at(utc_seconds).offset_seconds;
}

// ---- TZif ----

namespace {

[[noreturn]] void malformed(const std::string& name, const std::string& why) {
  throw std::invalid_argument("time zone '" + name + "' has a malformed file: " + why);
}

class ByteReader {
 public:
  ByteReader(std::string_view bytes, const std::string& zone) : bytes_(bytes), zone_(zone) {}
  std::string_view take(std::size_t n) {
    if (n > bytes_.size() - pos_) malformed(zone_, "truncated");
    const auto out = bytes_.substr(pos_, n);
    pos_ += n;
    return out;
  }
  std::uint32_t u32() { return static_cast<std::uint32_t>(be(take(4))); }
  std::int64_t i64() { return static_cast<std::int64_t>(be(take(8))); }
  std::int32_t i32() { return static_cast<std::int32_t>(u32()); }
  std::uint8_t u8() { return static_cast<std::uint8_t>(take(1)[0]); }
  [[nodiscard]] std::string_view rest() const { return bytes_.substr(pos_); }

 private:
  static std::uint64_t be(std::string_view b) {
    std::uint64_t v = 0;
    for (char c : b) v = (v << 8) | static_cast<unsigned char>(c);
    return v;
  }
  std::string_view bytes_;
  std::size_t pos_ = 0;
  const std::string& zone_;
};

struct TzifHeader {
  char version = 0;
  std::uint32_t isutcnt = 0, isstdcnt = 0, leapcnt = 0, timecnt = 0, typecnt = 0, charcnt = 0;
};

TzifHeader read_header(ByteReader& in, const std::string& zone) {
  if (in.take(4) != "TZif") malformed(zone, "not a TZif file");
  TzifHeader h;
  h.version = static_cast<char>(in.u8());
  if (h.version != 0 && (h.version < '2' || h.version > '9')) {
    malformed(zone, "unknown version");
  }
  in.take(15);
  h.isutcnt = in.u32();
  h.isstdcnt = in.u32();
  h.leapcnt = in.u32();
  h.timecnt = in.u32();
  h.typecnt = in.u32();
  h.charcnt = in.u32();
  if (h.typecnt == 0 || h.typecnt > 256) malformed(zone, "bad number of local time types");
  if ((h.isutcnt != 0 && h.isutcnt != h.typecnt) || (h.isstdcnt != 0 && h.isstdcnt != h.typecnt)) {
    malformed(zone, "bad indicator counts");
  }
  if (h.timecnt > 100'000 || h.charcnt > 65'536 || h.leapcnt > 100'000) {
    malformed(zone, "implausibly large");
  }
  return h;
}

std::size_t block_size(const TzifHeader& h, std::size_t time_size) {
  return std::size_t{h.timecnt} * time_size + h.timecnt + std::size_t{h.typecnt} * 6 + h.charcnt +
         std::size_t{h.leapcnt} * (time_size + 4) + h.isstdcnt + h.isutcnt;
}

struct TzifData {
  std::vector<std::int64_t> times;
  std::vector<std::int32_t> offsets;  // per transition: the offset it switches to
  std::int32_t initial_offset = 0;
  std::string footer;
};

TzifData read_tzif(std::string_view bytes, const std::string& zone) {
  ByteReader in(bytes, zone);
  TzifHeader h = read_header(in, zone);
  std::size_t time_size = 4;
  if (h.version != 0) {  // skip the 32-bit data: the 64-bit block after it is complete
    in.take(block_size(h, 4));
    h = read_header(in, zone);
    time_size = 8;
  }
  if (h.leapcnt != 0) malformed(zone, "leap-second zones are not supported");
  TzifData data;
  data.times.reserve(h.timecnt);
  for (std::uint32_t i = 0; i < h.timecnt; ++i) {
    const std::int64_t t = time_size == 8 ? in.i64() : in.i32();
    if (!data.times.empty() && t <= data.times.back()) malformed(zone, "transitions out of order");
    data.times.push_back(t);
  }
  std::vector<std::uint8_t> type_of(h.timecnt);
  for (auto& index : type_of) {
    index = in.u8();
    if (index >= h.typecnt) malformed(zone, "transition names an unknown type");
  }
  std::vector<std::int32_t> type_offsets(h.typecnt);
  for (auto& offset : type_offsets) {
    offset = in.i32();
    in.u8();  // isdst: only the offset matters for arithmetic
    in.u8();  // abbreviation index
    if (offset <= -kMaxOffsetSeconds || offset >= kMaxOffsetSeconds) {
      malformed(zone, "offset out of range");
    }
  }
  in.take(h.charcnt + std::size_t{h.isstdcnt} + h.isutcnt);
  data.initial_offset = type_offsets[0];  // RFC 8536: type 0 applies before the first change
  for (auto index : type_of) data.offsets.push_back(type_offsets[index]);

  if (h.version != 0) {
    const std::string_view rest = in.rest();
    if (rest.size() < 2 || rest[0] != '\n') malformed(zone, "missing footer");
    const auto end = rest.find('\n', 1);
    if (end == std::string_view::npos) malformed(zone, "unterminated footer");
    data.footer = std::string(rest.substr(1, end - 1));
  }
  return data;
}

}  // namespace

void TimeZone::build(std::string_view tzif) {
  TzifData data = read_tzif(tzif, name_);
  if (!data.footer.empty()) {
    rule_ = PosixTzRule::parse(data.footer);
    if (!rule_) malformed(name_, "bad TZ string '" + data.footer + "'");
  }

  initial_offset_ = data.initial_offset;
  auto push = [&](std::int64_t at, std::int32_t offset) {
    const std::int32_t current = offsets_.empty() ? initial_offset_ : offsets_.back();
    if (offset == current) return;  // same offset, other name: no arithmetic change
    times_.push_back(at);
    offsets_.push_back(offset);
  };

  if (!rule_ || !rule_->has_dst()) {
    // The footer (if any) only confirms the last offset; the table says everything.
    for (std::size_t i = 0; i < data.times.size(); ++i) push(data.times[i], data.offsets[i]);
    if (data.times.empty() && rule_) initial_offset_ = rule_->std_offset();
    rule_.reset();
    return;
  }

  table_end_ = days_from_civil(kTableEndYear, 1, 1) * kSecondsPerDay;
  std::int64_t rule_from = 0;
  std::int64_t first_year = 0;
  if (data.times.empty()) {
    // Only a rule: tabulate from 1900 and leave earlier times to the rule itself.
    table_begin_ = days_from_civil(1900, 1, 1) * kSecondsPerDay;
    initial_offset_ = rule_->offset_at(table_begin_);
    rule_from = table_begin_;
    first_year = 1899;
  } else {
    for (std::size_t i = 0; i < data.times.size(); ++i) push(data.times[i], data.offsets[i]);
    rule_from = data.times.back() + 1;  // the rule governs after the last transition
    first_year = year_of(std::min(data.times.back(), table_end_)) - 1;
  }
  for (std::int64_t year = first_year; year <= kTableEndYear; ++year) {
    for (const auto& change : rule_->changes_in_year(year)) {
      if (change.at_s >= rule_from && change.at_s < table_end_) {
        push(change.at_s, change.offset_seconds);
      }
    }
  }
}

OffsetPeriod TimeZone::period_at(std::int64_t utc_seconds) const {
  if (rule_ && (utc_seconds >= table_end_ || utc_seconds < table_begin_)) {
    OffsetPeriod p = rule_->period_at(utc_seconds);
    if (utc_seconds >= table_end_) {
      p.begin_s = std::max(p.begin_s, table_end_);
    } else {
      p.end_s = std::min(p.end_s, table_begin_);
    }
    return p;
  }
  const auto it = std::upper_bound(times_.begin(), times_.end(), utc_seconds);
  const auto index = static_cast<std::size_t>(it - times_.begin());
  OffsetPeriod p;
  p.offset_seconds = index == 0 ? initial_offset_ : offsets_[index - 1];
  p.begin_s = index == 0 ? table_begin_ : times_[index - 1];
  p.end_s = index < times_.size() ? times_[index] : table_end_;
  return p;
}

int TimeZone::offset_seconds_at(std::int64_t utc_seconds) const {
  if (rule_ && (utc_seconds >= table_end_ || utc_seconds < table_begin_)) {
    return rule_->offset_at(utc_seconds);
  }
  const auto it = std::upper_bound(times_.begin(), times_.end(), utc_seconds);
  return it == times_.begin() ? initial_offset_
                              : offsets_[static_cast<std::size_t>(it - times_.begin() - 1)];
}

LocalTime TimeZone::to_local(std::int64_t utc_ms) const {
  const int offset = offset_seconds_at(floor_div(utc_ms, 1000));
  const std::int64_t local_ms = utc_ms + std::int64_t{offset} * 1000;
  const std::int64_t days = floor_div(local_ms, kSecondsPerDay * 1000);
  const std::int64_t ms_of_day = local_ms - days * kSecondsPerDay * 1000;
  const CivilDate date = civil_from_days(days);
  LocalTime out;
  out.year = date.year;
  out.month = date.month;
  out.day = date.day;
  out.hour = static_cast<int>(ms_of_day / 3'600'000);
  out.minute = static_cast<int>(ms_of_day / 60'000 % 60);
  out.second = static_cast<int>(ms_of_day / 1000 % 60);
  out.millisecond = static_cast<int>(ms_of_day % 1000);
  out.weekday = weekday_from_days(days);
  out.offset_seconds = offset;
  return out;
}

std::int64_t TimeZone::from_local(const CivilDateTime& local) const {
  if (!is_valid_date({local.year, local.month, local.day}) || local.hour < 0 || local.hour > 23 ||
      local.minute < 0 || local.minute > 59 || local.second < 0 || local.second > 59 ||
      local.millisecond < 0 || local.millisecond > 999) {
    throw std::invalid_argument("not a valid local date and time");
  }
  const std::int64_t wall = days_from_civil(local.year, local.month, local.day) * kSecondsPerDay +
                            std::int64_t{local.hour} * 3600 + std::int64_t{local.minute} * 60 +
                            local.second;
  // Walk the offset periods that could contain an instant showing `wall`; the first match is
  // the earlier one of an ambiguous time. A jump over `wall` is a gap: answer its end.
  std::int64_t t = wall - kMaxOffsetSeconds;
  for (int guard = 0; guard < 64 && t <= wall + kMaxOffsetSeconds; ++guard) {
    const OffsetPeriod p = period_at(t);
    const std::int64_t candidate = wall - p.offset_seconds;
    if (candidate >= p.begin_s && candidate < p.end_s) {
      return candidate * 1000 + local.millisecond;
    }
    if (p.end_s == INT64_MAX) break;
    const int next_offset = offset_seconds_at(p.end_s);
    if (p.end_s + p.offset_seconds <= wall && wall < p.end_s + next_offset) return p.end_s * 1000;
    t = p.end_s;
  }
  return (wall - offset_seconds_at(wall)) * 1000 + local.millisecond;  // not reached in practice
}

// ---- loading and the cache ----

namespace {

bool acceptable_name(std::string_view name) {
  if (name.empty() || name.size() > 255 || name.front() == '/') return false;
  if (name.find("..") != std::string_view::npos) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '+' || c == '-' ||
           c == '/';
  });
}

// The name as it may appear in a message: printable and short.
std::string shown(std::string_view name) {
  std::string out;
  for (char c : name.substr(0, 80)) {
    out += std::isprint(static_cast<unsigned char>(c)) ? c : '?';
  }
  if (name.size() > 80) out += "...";
  return out;
}

std::string zoneinfo_dir() {
  const char* dir = std::getenv("TZDIR");
  return dir != nullptr && *dir != '\0' ? dir : "/usr/share/zoneinfo";
}

}  // namespace

std::shared_ptr<const TimeZone> TimeZone::from_tzif(std::string name, std::string_view bytes) {
  std::shared_ptr<TimeZone> zone(new TimeZone(std::move(name)));
  zone->build(bytes);
  return zone;
}

std::shared_ptr<const TimeZone> TimeZone::utc() {
  static const std::shared_ptr<const TimeZone> kUtc(new TimeZone("UTC"));
  return kUtc;
}

std::shared_ptr<const TimeZone> TimeZone::load(std::string_view name) {
  if (!acceptable_name(name)) {
    throw std::invalid_argument("unknown time zone '" + shown(name) + "'");
  }
  if (name == "UTC") return utc();
  const std::string dir = zoneinfo_dir();
  const std::string key = dir + '\n' + std::string(name);

  static std::mutex mutex;
  static std::map<std::string, std::shared_ptr<const TimeZone>, std::less<>> cache;
  const std::lock_guard lock(mutex);  // loads are rare; one lock keeps them simple and single
  if (const auto it = cache.find(key); it != cache.end()) return it->second;

  const std::filesystem::path path = std::filesystem::path(dir) / std::string(name);
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) {
    throw std::invalid_argument("unknown time zone '" + std::string(name) + "'");
  }
  std::ifstream file(path, std::ios::binary);
  std::string bytes;
  constexpr std::size_t kMaxBytes = 1 << 20;
  bytes.resize(kMaxBytes + 1);
  file.read(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (file.bad()) throw std::invalid_argument("unknown time zone '" + std::string(name) + "'");
  bytes.resize(static_cast<std::size_t>(file.gcount()));
  if (bytes.size() > kMaxBytes) malformed(std::string(name), "too large");

  auto zone = from_tzif(std::string(name), bytes);
  cache.emplace(key, zone);
  return zone;
}

}  // namespace custos::incidents
