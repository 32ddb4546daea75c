#include "detection/strptime.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <ctime>
#include <set>
#include <stdexcept>
#include <unordered_map>

namespace custos::detection {
namespace {

constexpr std::string_view kZoneAbbreviation = R"([A-Z](?:[A-Z]{2,4})?)";

// Directives with more than one letter, in the order fail2ban tries them.
constexpr std::array<std::string_view, 12> kLongDirectives = {
    "ExZ", "Exz", "Exd", "Exm", "ExH", "Exk", "Exl", "ExM", "ExS", "ExY", "Exy", "%"};

std::string century_alternatives(int reference_year) {
  // Years from 2000 (fail2ban's alternate "now" in 2001, one year back) to three past now —
  // the real now: a reference time in the past must not make recent years unreadable.
  const std::time_t clock = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&clock, &utc);
  reference_year = std::max(reference_year, utc.tm_year + 1900);
  std::set<std::string> centuries;
  auto add = [&centuries](int year) { centuries.insert(std::to_string(year).substr(0, 3)); };
  add(reference_year - 1);
  add(reference_year + 3);
  for (int year = 2000; year <= reference_year; year += 3) add(year);
  std::string out = "(?:";
  bool first = true;
  for (const auto& c : centuries) {
    if (!first) out += '|';
    out += c;
    first = false;
  }
  return out + ")";
}

std::string directive_regex(std::string_view d, int reference_year) {
  static const std::unordered_map<std::string_view, std::string_view> fixed = {
      {"a", "(?P<a>mon|tue|wed|thu|fri|sat|sun)"},
      {"A", "(?P<A>wednesday|thursday|saturday|tuesday|monday|friday|sunday)"},
      {"b", "(?P<b>jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)"},
      {"B",
       "(?P<B>september|february|november|december|january|october|august|march|april|june|"
       "july|may)"},
      {"c",
       R"((?P<a>mon|tue|wed|thu|fri|sat|sun)\s+(?P<b>jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)\s+(?P<d>3[0-1]|[1-2]\d|0[1-9]|[1-9]| [1-9])\s+(?P<H>2[0-3]|[0-1]\d|\d):(?P<M>[0-5]\d|\d):(?P<S>6[0-1]|[0-5]\d|\d)\s+(?P<Y>\d\d\d\d))"},
      {"d", R"((?P<d>[1-2]\d|[0 ]?[1-9]|3[0-1]))"},
      {"f", "(?P<f>[0-9]{1,6})"},
      {"G", R"((?P<G>\d\d\d\d))"},
      {"H", R"((?P<H>[0-1]?\d|2[0-3]))"},
      {"I", "(?P<I>1[0-2]|0[1-9]|[1-9])"},
      {"j", R"((?P<j>36[0-6]|3[0-5]\d|[1-2]\d\d|0[1-9]\d|00[1-9]|[1-9]\d|0[1-9]|[1-9]))"},
      {"m", "(?P<m>0?[1-9]|1[0-2])"},
      {"M", R"((?P<M>[0-5]?\d))"},
      {"p", "(?P<p>am|pm)"},
      {"S", R"((?P<S>[0-5]?\d|6[0-1]))"},
      {"U", R"((?P<U>5[0-3]|[0-4]\d|\d))"},
      {"u", "(?P<u>[1-7])"},
      {"V", R"((?P<V>5[0-3]|0[1-9]|[1-4]\d|\d))"},
      {"w", "(?P<w>[0-6])"},
      {"W", R"((?P<W>5[0-3]|[0-4]\d|\d))"},
      {"x", R"((?P<m>1[0-2]|0[1-9]|[1-9])/(?P<d>3[0-1]|[1-2]\d|0[1-9]|[1-9]| [1-9])/(?P<y>\d\d))"},
      {"X", R"((?P<H>2[0-3]|[0-1]\d|\d):(?P<M>[0-5]\d|\d):(?P<S>6[0-1]|[0-5]\d|\d))"},
      {"y", R"((?P<y>\d\d))"},
      {"Y", R"((?P<Y>\d{4}))"},
      {"z", R"((?P<z>Z|UTC|GMT|[+-][01]\d(?::?\d{2})?))"},
      {"Z", "(?P<Z>Z|[A-Z]{3,5})"},
      {"k", R"( ?(?P<H>[0-2]?\d))"},
      {"l", R"( ?(?P<I>1?\d))"},
      {"%", "%"},
      {"Exd", R"((?P<d>[1-2]\d|0[1-9]|3[0-1]))"},
      {"Exm", "(?P<m>0[1-9]|1[0-2])"},
      {"ExH", R"((?P<H>[0-1]\d|2[0-3]))"},
      {"Exk", R"( ?(?P<H>[0-1]?\d|2[0-3]))"},
      {"Exl", R"( ?(?P<I>1[0-2]|\d))"},
      {"ExM", R"((?P<M>[0-5]\d))"},
      {"ExS", R"((?P<S>[0-5]\d|6[0-1]))"},
      {"Exy", R"((?P<y>\d{2}))"},
  };
  if (d == "ExY") return "(?P<Y>" + century_alternatives(reference_year) + R"(\d))";
  if (d == "ExZ") return "(?P<Z>" + std::string(kZoneAbbreviation) + ")";
  if (d == "Exz") {
    const std::string abbr(kZoneAbbreviation);
    return "(?P<z>(?:" + abbr + R"()?[+-][01]\d(?::?\d{2})?|)" + abbr + ")";
  }
  const auto it = fixed.find(d);
  if (it == fixed.end()) throw std::invalid_argument("unknown directive %" + std::string(d));
  return std::string(it->second);
}

// Length of the directive after '%' at `at` (0 if none).
std::size_t directive_length(std::string_view pattern, std::size_t at) {
  const std::string_view rest = pattern.substr(at);
  for (const auto& d : kLongDirectives) {
    if (rest.substr(0, d.size()) == d) return d.size();
  }
  static constexpr std::string_view singles = "dfHIGjmMSUwuVyYzAaBbpZWcxXkl";
  if (!rest.empty() && singles.find(rest[0]) != std::string_view::npos) return 1;
  return 0;
}

int to_int(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  int v = 0;
  std::from_chars(s.data(), s.data() + s.size(), v);
  return v;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

int month_index(std::string_view name, bool full) {
  static constexpr std::array<std::string_view, 12> abbreviated = {
      "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"};
  static constexpr std::array<std::string_view, 12> names = {
      "january", "february", "march",     "april",   "may",      "june",
      "july",    "august",   "september", "october", "november", "december"};
  const std::string l = lower(name);
  const auto& table = full ? names : abbreviated;
  for (std::size_t i = 0; i < table.size(); ++i) {
    if (table[i] == l) return static_cast<int>(i) + 1;
  }
  return 0;
}

const std::unordered_map<std::string, int>& abbreviation_offsets() {
  // Minutes east of UTC for the zone names fail2ban knows (fixed offsets, no DST switching).
  static const std::unordered_map<std::string, int> table = [] {
    struct Row {
      double hours;
      const char* names;
    };
    static const Row rows[] = {
        {-12, "Y"},
        {-11, "X NUT SST"},
        {-10, "W CKT HAST HST TAHT TKT"},
        {-9, "V AKST GAMT GIT HADT HNY"},
        {-8, "U AKDT CIST HAY HNP PST PT"},
        {-7, "T HAP HNR MST PDT"},
        {-6, "S CST EAST GALT HAR HNC MDT"},
        {-5, "R CDT COT EASST ECT EST ET HAC HNE PET"},
        {-4, "Q AST BOT CLT COST EDT FKT GYT HAE HNA PYT"},
        {-3, "P ADT ART BRT CLST FKST GFT HAA PMST PYST SRT UYT WGT"},
        {-2, "O BRST FNT PMDT UYST WGST"},
        {-1, "N AZOT CVT EGT"},
        {0, "Z EGST GMT UTC WET WT"},
        {1, "A CET DFT WAT WEDT WEST"},
        {2, "B CAT CEDT CEST EET SAST WAST"},
        {3, "C EAT EEDT EEST IDT MSK"},
        {4, "D AMT AZT GET GST KUYT MSD MUT RET SAMT SCT"},
        {5, "E AMST AQTT AZST HMT MAWT MVT PKT TFT TJT TMT UZT YEKT"},
        {6, "F ALMT BIOT BTT IOT KGT NOVT OMST YEKST"},
        {7, "G CXT DAVT HOVT ICT KRAT NOVST OMSST THA WIB"},
        {8, "H ACT AWST BDT BNT CAST HKT IRKT KRAST MYT PHT SGT ULAT WITA WST"},
        {9, "I AWDT IRKST JST KST PWT TLT WDT WIT YAKT"},
        {10, "K AEST ChST PGT VLAT YAKST YAPT"},
        {11, "L AEDT LHDT MAGT NCT PONT SBT VLAST VUT"},
        {12, "M ANAST ANAT FJT GILT MAGST MHT NZST PETST PETT TVT WFT"},
        {13, "FJST NZDT"},
        {11.5, "NFT"},
        {10.5, "ACDT LHST"},
        {9.5, "ACST"},
        {6.5, "CCT MMT"},
        {5.75, "NPT"},
        {5.5, "SLT"},
        {4.5, "AFT IRDT"},
        {3.5, "IRST"},
        {-2.5, "HAT NDT"},
        {-3.5, "HNT NST NT"},
        {-4.5, "HLV VET"},
        {-9.5, "MART MIT"},
    };
    std::unordered_map<std::string, int> t;
    for (const auto& row : rows) {
      std::string_view names = row.names;
      while (!names.empty()) {
        const auto space = names.find(' ');
        t[std::string(names.substr(0, space))] = static_cast<int>(row.hours * 60);
        if (space == std::string_view::npos) break;
        names.remove_prefix(space + 1);
      }
    }
    return t;
  }();
  return table;
}

}  // namespace

std::optional<int> zone_offset_minutes(std::string_view zone) {
  if (zone == "Z" || zone == "UTC" || zone == "GMT") return 0;
  // [ABBR][+-]hh[[:]mm]
  std::size_t i = 0;
  while (i < zone.size() && std::isalpha(static_cast<unsigned char>(zone[i]))) ++i;
  const std::string abbr(zone.substr(0, i));
  std::string_view offset = zone.substr(i);
  int base = 0;
  if (!abbr.empty()) {
    if (abbr.size() > 5) return std::nullopt;
    const auto& table = abbreviation_offsets();
    const auto it = table.find(abbr);
    if (it == table.end()) return std::nullopt;
    base = it->second;
  }
  if (offset.empty()) return base;
  if ((offset[0] != '+' && offset[0] != '-') || offset.size() < 3 ||
      !std::isdigit(static_cast<unsigned char>(offset[1])) ||
      !std::isdigit(static_cast<unsigned char>(offset[2])) || offset[1] > '1') {
    return std::nullopt;
  }
  const int sign = offset[0] == '-' ? -1 : 1;
  const int hours = to_int(offset.substr(1, 2));
  if (offset.size() == 3) return base + hours * 60 * sign;  // fail2ban: int("+05") * 60
  std::string_view minutes = offset.substr(3);
  if (!minutes.empty() && minutes[0] == ':') minutes.remove_prefix(1);
  if (minutes.size() != 2 || !std::isdigit(static_cast<unsigned char>(minutes[0])) ||
      !std::isdigit(static_cast<unsigned char>(minutes[1]))) {
    return std::nullopt;
  }
  return base + sign * (hours * 60 + to_int(minutes));
}

bool date_pattern_has_alpha(std::string_view pattern) {
  for (std::size_t i = 0; i + 1 < pattern.size(); ++i) {
    if (pattern[i] == '%' && (i == 0 || pattern[i - 1] != '%') &&
        std::string_view("aAbBpc").find(pattern[i + 1]) != std::string_view::npos) {
      return true;
    }
  }
  return false;
}

std::string date_pattern_to_regex(std::string_view pattern, int reference_year) {
  std::string out;
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    if (pattern[i] != '%') {
      out += pattern[i];
      continue;
    }
    const std::size_t len = directive_length(pattern, i + 1);
    if (len == 0) {
      throw std::invalid_argument(
          "'%" + std::string(pattern.substr(i + 1, 1)) +
          "' is not a date directive (write %% for a literal percent sign)");
    }
    out += directive_regex(pattern.substr(i + 1, len), reference_year);
    i += len;
  }
  return out;
}

DateFieldGroups DateFieldGroups::of(const Regex& regex) {
  DateFieldGroups g;
  for (const auto& [name, number] : regex.names()) {
    if (name.size() != 1) continue;
    switch (name[0]) {
      case 'Y':
        g.Y = number;
        break;
      case 'y':
        g.y = number;
        break;
      case 'm':
        g.m = number;
        break;
      case 'b':
        g.b = number;
        break;
      case 'B':
        g.B = number;
        break;
      case 'd':
        g.d = number;
        break;
      case 'H':
        g.H = number;
        break;
      case 'I':
        g.I = number;
        break;
      case 'M':
        g.M = number;
        break;
      case 'S':
        g.S = number;
        break;
      case 'p':
        g.p = number;
        break;
      case 'j':
        g.j = number;
        break;
      case 'z':
        g.z = number;
        break;
      case 'Z':
        g.Z = number;
        break;
      default:
        break;
    }
  }
  return g;
}

std::optional<std::int64_t> fields_to_epoch(const DateFieldGroups& g, std::string_view subject,
                                            const std::vector<Span>& spans,
                                            const ReferenceTime& now, LocalTimeZone& zone) {
  auto field = [&](int group) -> std::optional<std::string_view> {
    if (group <= 0 || static_cast<std::size_t>(group) >= spans.size()) return std::nullopt;
    const Span& s = spans[static_cast<std::size_t>(group)];
    if (!s.matched) return std::nullopt;
    return s.in(subject);
  };
  std::optional<int> year;
  std::optional<int> month;
  std::optional<int> day;
  std::optional<int> julian;
  std::optional<int> tz_offset;
  int hour = 0;
  int minute = 0;
  int second = 0;
  if (auto v = field(g.y)) {
    year = to_int(*v);
    if (*year <= 2000) *year += 2000;
  }
  if (auto v = field(g.Y)) year = to_int(*v);
  if (auto v = field(g.m)) month = to_int(*v);
  if (auto v = field(g.B)) month = month_index(*v, true);
  if (auto v = field(g.b)) month = month_index(*v, false);
  if (auto v = field(g.d)) day = to_int(*v);
  if (auto v = field(g.H)) hour = to_int(*v);
  if (auto v = field(g.I)) {
    hour = to_int(*v);
    const std::string ampm = lower(field(g.p).value_or(""));
    if (ampm.empty() || ampm == "am") {
      if (hour == 12) hour = 0;
    } else if (ampm == "pm") {
      if (hour != 12) hour += 12;
    }
  }
  if (auto v = field(g.M)) minute = to_int(*v);
  if (auto v = field(g.S)) second = to_int(*v);
  if (auto v = field(g.j)) julian = to_int(*v);
  for (int group : {g.z, g.Z}) {
    if (auto v = field(group)) {
      tz_offset = zone_offset_minutes(*v);
      if (!tz_offset) return std::nullopt;
    }
  }
  if (month == 0) return std::nullopt;

  const bool assume_year = !year;
  if (!year) year = now.local.year;
  if ((!month || !day) && julian) {
    const CivilTime date = utc_civil((days_from_civil(*year, 1, 1) + *julian - 1) * 86400);
    year = date.year;
    month = date.month;
    day = date.day;
  }
  const bool assume_today = !month && !day;
  if (assume_today) {
    month = now.local.month;
    day = now.local.day;
  }
  if (!month || !day) return std::nullopt;  // e.g. a day without a month: Python refuses too
  CivilTime t{*year, *month, *day, hour, minute, second};
  if (!is_valid_civil(t)) return std::nullopt;
  if (tz_offset) {
    t = utc_civil(utc_epoch(t) - static_cast<std::int64_t>(*tz_offset) * 60);
  }
  if (assume_today && earlier(now.local, t)) t = add_days(t, -1);
  if (assume_year && earlier(add_days(now.local, 1), t)) {
    t.year -= 1;
    if (!is_valid_civil(t)) return std::nullopt;  // Feb 29 in the year before
  }
  if (tz_offset) return utc_epoch(t);
  return zone.to_epoch(t);
}

}  // namespace custos::detection
