#include "incidents/regulatory_rules.hpp"

#include <algorithm>

namespace custos::incidents::regulatory {

namespace {

constexpr std::int64_t kHourMs = 3'600'000;
constexpr std::int64_t kDayMs = 24 * kHourMs;

constexpr Obligation kGdpr[] = {Obligation::gdpr_notification};
constexpr Obligation kNis2[] = {Obligation::nis2_early_warning, Obligation::nis2_notification,
                                Obligation::nis2_final_report};

// Days since 1970-01-01 <-> proleptic Gregorian dates (H. Hinnant's algorithms).
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2 ? 1 : 0;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

struct Civil {
  std::int64_t year;
  unsigned month, day;
};

Civil civil_from_days(std::int64_t z) {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  return {static_cast<std::int64_t>(yoe) + era * 400 + (m <= 2 ? 1 : 0), m, d};
}

bool leap(std::int64_t y) { return y % 4 == 0 && (y % 100 != 0 || y % 400 == 0); }

unsigned days_in_month(std::int64_t y, unsigned m) {
  constexpr unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && leap(y) ? 29 : kDays[m - 1];
}

std::int64_t floor_div(std::int64_t a, std::int64_t b) { return a / b - (a % b != 0 && a < 0); }

}  // namespace

std::string_view regime_name(Regime regime) { return regime == Regime::gdpr ? "gdpr" : "nis2"; }

std::optional<Regime> parse_regime(std::string_view name) {
  if (name == "gdpr") return Regime::gdpr;
  if (name == "nis2") return Regime::nis2;
  return std::nullopt;
}

std::string_view obligation_name(Obligation obligation) {
  switch (obligation) {
    case Obligation::gdpr_notification:
      return "gdpr_notification";
    case Obligation::nis2_early_warning:
      return "nis2_early_warning";
    case Obligation::nis2_notification:
      return "nis2_notification";
    case Obligation::nis2_final_report:
      return "nis2_final_report";
  }
  return "gdpr_notification";
}

std::optional<Obligation> parse_obligation(std::string_view name) {
  for (Obligation o : {Obligation::gdpr_notification, Obligation::nis2_early_warning,
                       Obligation::nis2_notification, Obligation::nis2_final_report}) {
    if (obligation_name(o) == name) return o;
  }
  return std::nullopt;
}

std::string_view obligation_title(Obligation obligation) {
  switch (obligation) {
    case Obligation::gdpr_notification:
      return "Notification to the supervisory authority (GDPR Art. 33)";
    case Obligation::nis2_early_warning:
      return "Early warning (NIS2 Art. 23)";
    case Obligation::nis2_notification:
      return "Incident notification (NIS2 Art. 23)";
    case Obligation::nis2_final_report:
      return "Final report (NIS2 Art. 23)";
  }
  return "";
}

Regime regime_of(Obligation obligation) {
  return obligation == Obligation::gdpr_notification ? Regime::gdpr : Regime::nis2;
}

std::span<const Obligation> obligations_of(Regime regime) {
  if (regime == Regime::gdpr) return kGdpr;
  return kNis2;
}

std::string_view state_name(State state) {
  switch (state) {
    case State::open:
      return "open";
    case State::met:
      return "met";
    case State::met_late:
      return "met_late";
    case State::overdue:
      return "overdue";
  }
  return "open";
}

std::int64_t add_months_utc(std::int64_t epoch_ms, int months) {
  const std::int64_t days = floor_div(epoch_ms, kDayMs);
  const std::int64_t time_of_day = epoch_ms - days * kDayMs;
  const Civil date = civil_from_days(days);
  const std::int64_t month_index = date.year * 12 + (date.month - 1) + months;
  const std::int64_t year = floor_div(month_index, 12);
  const auto month = static_cast<unsigned>(month_index - year * 12 + 1);
  const unsigned day = std::min(date.day, days_in_month(year, month));
  return days_from_civil(year, month, day) * kDayMs + time_of_day;
}

Window window_of(Obligation obligation, std::int64_t aware_at,
                 std::optional<std::int64_t> notification_sent_at) {
  switch (obligation) {
    case Obligation::gdpr_notification:
    case Obligation::nis2_notification:
      return {aware_at, aware_at + 72 * kHourMs};
    case Obligation::nis2_early_warning:
      return {aware_at, aware_at + 24 * kHourMs};
    case Obligation::nis2_final_report: {
      const std::int64_t from = notification_sent_at.value_or(aware_at + 72 * kHourMs);
      return {from, add_months_utc(from, 1)};
    }
  }
  return {aware_at, aware_at};
}

State state_of(std::int64_t due_at, std::optional<std::int64_t> submitted_at, std::int64_t now_ms) {
  if (submitted_at) return *submitted_at <= due_at ? State::met : State::met_late;
  return now_ms > due_at ? State::overdue : State::open;
}

std::int64_t reminder_at(const Window& window, int percent) {
  if (percent >= kDeadlinePercent) return window.due_at;
  const std::int64_t span = std::max<std::int64_t>(0, window.due_at - window.starts_at);
  return window.starts_at + span * percent / 100;
}

std::vector<int> reminders_due(const Window& window, bool met, std::span<const int> fired,
                               std::int64_t now_ms) {
  std::vector<int> out;
  if (met) return out;
  for (int percent : kReminderPercents) {
    if (std::find(fired.begin(), fired.end(), percent) != fired.end()) continue;
    // The deadline reminder fires once the deadline has passed, the others when their instant
    // has come.
    const std::int64_t at = reminder_at(window, percent);
    if (percent >= kDeadlinePercent ? now_ms > at : now_ms >= at) out.push_back(percent);
  }
  return out;
}

std::optional<std::int64_t> next_look_at(const Window& window, bool met, std::span<const int> fired,
                                         std::int64_t now_ms) {
  if (met) return std::nullopt;
  std::optional<std::int64_t> next;
  for (int percent : kReminderPercents) {
    if (std::find(fired.begin(), fired.end(), percent) != fired.end()) continue;
    // Just after the deadline, so that "overdue" is true when the sweep looks.
    std::int64_t at = reminder_at(window, percent) + (percent >= kDeadlinePercent ? 1 : 0);
    at = std::max(at, now_ms);
    if (!next || at < *next) next = at;
  }
  return next;
}

}  // namespace custos::incidents::regulatory
