#include "incidents/sla.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include <nlohmann/json.hpp>

namespace custos::incidents {

namespace {

constexpr int kMaxTargetMinutes = 525'600;  // a year of business minutes is already absurd
constexpr int kMaxThresholdPercent = 1000;
constexpr std::size_t kMaxThresholds = 10;
constexpr int kMaxPercent = 1'000'000;

std::size_t priority_index(int priority) {
  if (priority < 1 || priority > 4) {
    throw std::out_of_range("priority must be 1-4, not " + std::to_string(priority));
  }
  return static_cast<std::size_t>(priority - 1);
}

std::string priority_key(std::size_t index) { return "P" + std::to_string(index + 1); }

[[noreturn]] void fail(const std::string& path, const std::string& problem) {
  throw std::invalid_argument(path + ": " + problem);
}

std::string child(std::string path, std::string_view name) {
  path += '.';
  path += name;
  return path;
}

// An integer in [min, max]; 15.0 is accepted as 15 (JavaScript clients cannot tell them apart).
std::optional<std::int64_t> integer_in(const nlohmann::json& value, std::int64_t min,
                                       std::int64_t max) {
  if (!value.is_number()) return std::nullopt;
  const double d = value.get<double>();
  if (d < static_cast<double>(min) || d > static_cast<double>(max) || d != std::floor(d)) {
    return std::nullopt;
  }
  return static_cast<std::int64_t>(d);
}

struct Span {
  std::int64_t from;
  std::int64_t to;
};

// Pauses clipped to [start, end] and merged, in time order.
std::vector<Span> effective_pauses(const ClockInput& clock, std::int64_t end) {
  std::vector<Span> spans;
  spans.reserve(clock.pauses.size());
  for (const PauseInterval& p : clock.pauses) {
    const std::int64_t from = std::max(p.from_ms, clock.started_ms);
    const std::int64_t to = std::min(p.to_ms.value_or(end), end);
    if (from < to) spans.push_back({from, to});
  }
  std::sort(spans.begin(), spans.end(),
            [](const Span& a, const Span& b) { return a.from < b.from; });
  std::size_t kept = 0;  // merge in place: one allocation per evaluation at most
  for (const Span& s : spans) {
    if (kept > 0 && s.from <= spans[kept - 1].to) {
      spans[kept - 1].to = std::max(spans[kept - 1].to, s.to);
    } else {
      spans[kept++] = s;
    }
  }
  spans.resize(kept);
  return spans;
}

// The instant the running time reached the target, walking the running stretches between
// pauses from the start; only needed once breached, when the due time lies in the past.
std::int64_t due_in_past(const BusinessCalendar& calendar, const ClockInput& clock,
                         const std::vector<Span>& pauses, std::int64_t end) {
  std::int64_t run = 0;
  std::int64_t cursor = clock.started_ms;
  for (std::size_t i = 0; i <= pauses.size(); ++i) {
    const std::int64_t stretch_end = i < pauses.size() ? pauses[i].from : end;
    const std::int64_t business = business_ms_between(calendar, cursor, stretch_end);
    if (run + business >= clock.target_ms) {
      return add_business_ms(calendar, cursor, clock.target_ms - run);
    }
    run += business;
    if (i < pauses.size()) cursor = pauses[i].to;
  }
  return end;  // not reached: elapsed >= target guarantees a stretch above
}

}  // namespace

std::int64_t SlaPolicy::target_ms(int priority, SlaKind kind) const {
  const SlaTarget& t = per_priority[priority_index(priority)];
  return kind == SlaKind::response ? t.response_ms : t.resolution_ms;
}

const std::string& SlaPolicy::calendar_for(int priority) const {
  return calendar_per_priority[priority_index(priority)];
}

void validate(const SlaPolicy& policy) {
  for (std::size_t i = 0; i < 4; ++i) {
    const std::string path = "targets." + priority_key(i);
    const SlaTarget& t = policy.per_priority[i];
    for (const auto& [name, ms] : {std::pair{"response_minutes", t.response_ms},
                                   std::pair{"resolution_minutes", t.resolution_ms}}) {
      if (ms < kSlaMinute || ms > kMaxTargetMinutes * kSlaMinute || ms % kSlaMinute != 0) {
        fail(path + "." + name,
             "must be a whole number of minutes, 1-" + std::to_string(kMaxTargetMinutes));
      }
    }
    if (t.response_ms > t.resolution_ms) {
      fail(path + ".response_minutes", "must not exceed resolution_minutes");
    }
    const std::string& calendar = policy.calendar_per_priority[i];
    if (calendar.empty() || calendar.size() > 64) {
      fail(path + ".calendar", "must be the name of a calendar");
    }
  }
  const auto& thresholds = policy.thresholds_percent;
  if (thresholds.size() > kMaxThresholds) {
    fail("thresholds_percent", "at most " + std::to_string(kMaxThresholds) + " thresholds");
  }
  for (std::size_t i = 0; i < thresholds.size(); ++i) {
    if (thresholds[i] < 1 || thresholds[i] > kMaxThresholdPercent ||
        (i > 0 && thresholds[i] <= thresholds[i - 1])) {
      fail("thresholds_percent[" + std::to_string(i) + "]",
           "must be an integer 1-1000, greater than the one before");
    }
  }
}

void to_json(nlohmann::json& json, const SlaPolicy& policy) {
  json = nlohmann::json::object();
  auto& targets = json["targets"] = nlohmann::json::object();
  for (std::size_t i = 0; i < 4; ++i) {
    targets[priority_key(i)] = {
        {"response_minutes", policy.per_priority[i].response_ms / kSlaMinute},
        {"resolution_minutes", policy.per_priority[i].resolution_ms / kSlaMinute},
        {"calendar", policy.calendar_per_priority[i]}};
  }
  json["thresholds_percent"] = policy.thresholds_percent;
}

void from_json(const nlohmann::json& json, SlaPolicy& policy) {
  if (!json.is_object()) throw std::invalid_argument("sla policy: must be an object");
  for (const auto& [key, value] : json.items()) {
    if (key != "targets" && key != "thresholds_percent") fail(key, "unknown field");
  }
  SlaPolicy out;
  const auto targets = json.find("targets");
  if (targets == json.end()) fail("targets", "missing");
  if (!targets->is_object()) fail("targets", "must be an object with P1, P2, P3 and P4");
  for (const auto& [key, value] : targets->items()) {
    if (key != "P1" && key != "P2" && key != "P3" && key != "P4") {
      fail("targets." + key, "unknown priority (expected P1 ... P4)");
    }
  }
  for (std::size_t i = 0; i < 4; ++i) {
    const std::string path = "targets." + priority_key(i);
    const auto entry = targets->find(priority_key(i));
    if (entry == targets->end()) fail(path, "missing");
    if (!entry->is_object()) {
      fail(path, "must be an object with response_minutes, resolution_minutes and calendar");
    }
    for (const auto& [key, value] : entry->items()) {
      if (key != "response_minutes" && key != "resolution_minutes" && key != "calendar") {
        fail(child(path, key), "unknown field");
      }
    }
    for (const char* name : {"response_minutes", "resolution_minutes"}) {
      const auto value = entry->find(name);
      if (value == entry->end()) fail(path + "." + name, "missing");
      const auto minutes = integer_in(*value, 1, kMaxTargetMinutes);
      if (!minutes) {
        fail(path + "." + name,
             "must be a whole number of minutes, 1-" + std::to_string(kMaxTargetMinutes));
      }
      (std::string_view(name) == "response_minutes" ? out.per_priority[i].response_ms
                                                    : out.per_priority[i].resolution_ms) =
          *minutes * kSlaMinute;
    }
    const auto calendar = entry->find("calendar");
    if (calendar == entry->end()) fail(path + ".calendar", "missing");
    if (!calendar->is_string()) fail(path + ".calendar", "must be the name of a calendar");
    out.calendar_per_priority[i] = calendar->get<std::string>();
  }
  if (const auto thresholds = json.find("thresholds_percent"); thresholds != json.end()) {
    if (!thresholds->is_array()) fail("thresholds_percent", "must be an array of percentages");
    out.thresholds_percent.clear();
    for (std::size_t i = 0; i < thresholds->size(); ++i) {
      const auto percent = integer_in((*thresholds)[i], 1, kMaxThresholdPercent);
      if (!percent) {
        fail("thresholds_percent[" + std::to_string(i) + "]",
             "must be an integer 1-1000, greater than the one before");
      }
      out.thresholds_percent.push_back(static_cast<int>(*percent));
    }
  }
  validate(out);
  policy = std::move(out);
}

std::optional<std::string> unknown_calendar(const SlaPolicy& policy,
                                            const std::vector<std::string>& names) {
  for (std::size_t i = 0; i < 4; ++i) {
    const std::string& name = policy.calendar_per_priority[i];
    if (std::find(names.begin(), names.end(), name) == names.end()) {
      return "targets." + priority_key(i) + ".calendar: unknown calendar '" + name + "'";
    }
  }
  return std::nullopt;
}

ClockState evaluate(const BusinessCalendar& calendar, const ClockInput& clock,
                    std::int64_t now_ms) {
  if (clock.target_ms <= 0) throw std::invalid_argument("an SLA target must be positive");
  ClockState state;
  state.met = clock.stopped_ms.has_value() && *clock.stopped_ms <= now_ms;
  const std::int64_t end = std::max(clock.started_ms, state.met ? *clock.stopped_ms : now_ms);

  const std::vector<Span> pauses = effective_pauses(clock, end);
  for (const Span& p : pauses) state.paused_ms += business_ms_between(calendar, p.from, p.to);
  state.elapsed_ms = business_ms_between(calendar, clock.started_ms, end) - state.paused_ms;
  state.remaining_ms = clock.target_ms - state.elapsed_ms;
  state.breached = state.elapsed_ms > clock.target_ms;
  state.percent = static_cast<int>(
      std::min<std::int64_t>(state.elapsed_ms * 100 / clock.target_ms, kMaxPercent));

  if (!state.met && now_ms >= clock.started_ms) {
    state.paused = std::any_of(clock.pauses.begin(), clock.pauses.end(), [&](const auto& p) {
      return p.from_ms <= now_ms && (!p.to_ms || *p.to_ms > now_ms);
    });
  }
  if (!state.met && !state.paused) {
    state.due_ms =
        state.remaining_ms > 0
            ? add_business_ms(calendar, std::max(now_ms, clock.started_ms), state.remaining_ms)
            : due_in_past(calendar, clock, pauses, end);
  }
  return state;
}

std::vector<int> thresholds_crossed(const ClockState& state, const std::vector<int>& thresholds) {
  const std::int64_t target = state.elapsed_ms + state.remaining_ms;
  std::vector<int> out;
  for (int t : thresholds) {
    if (target <= 0 || state.elapsed_ms * 100 >= std::int64_t{t} * target) out.push_back(t);
  }
  return out;
}

std::optional<std::int64_t> next_threshold_at(const BusinessCalendar& calendar,
                                              const ClockState& state, std::int64_t now_ms,
                                              const std::vector<int>& thresholds) {
  if (state.paused || state.met) return std::nullopt;
  const std::int64_t target = state.elapsed_ms + state.remaining_ms;
  if (target <= 0) return std::nullopt;
  std::optional<std::int64_t> needed;  // business ms still to run until the nearest threshold
  for (int t : thresholds) {
    if (state.elapsed_ms * 100 >= std::int64_t{t} * target) continue;
    // Reached when elapsed * 100 >= t * target, i.e. elapsed >= ceil(t * target / 100).
    const std::int64_t at_elapsed = (std::int64_t{t} * target + 99) / 100;
    const std::int64_t to_run = at_elapsed - state.elapsed_ms;
    if (!needed || to_run < *needed) needed = to_run;
  }
  if (!needed) return std::nullopt;
  return add_business_ms(calendar, now_ms, *needed);
}

std::optional<std::int64_t> next_threshold_at(const BusinessCalendar& calendar,
                                              const ClockInput& clock, std::int64_t now_ms,
                                              const std::vector<int>& thresholds) {
  if (now_ms < clock.started_ms) now_ms = clock.started_ms;
  return next_threshold_at(calendar, evaluate(calendar, clock, now_ms), now_ms, thresholds);
}

ClockInput retarget(ClockInput clock, const SlaPolicy& policy, int new_priority, SlaKind kind) {
  clock.target_ms = policy.target_ms(new_priority, kind);
  return clock;
}

}  // namespace custos::incidents
