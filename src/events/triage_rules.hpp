#pragma once
// The rules of reporting and triage, without storage: what a new report must hold, which
// decision may be taken on which report and with what input, and what a promoted report
// carries into its incident.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "events/event.hpp"

namespace custos::events {

// What a reporter sends; validated and defaulted by check_new_report().
struct NewReport {
  std::string kind = "event";
  std::string title;
  std::string description;
  std::string observed;
  std::optional<std::int64_t> observed_at;
  std::string location;
  std::string channel = "portal";
};

// Free text: at most `max` bytes, valid UTF-8, no control characters except (when
// `multiline`) tab and line breaks; required ones must not be blank. Throws EventError.
void check_report_text(const std::string& field, const std::string& value, std::size_t max,
                       bool multiline, bool required);

// Throws EventError(invalid) naming the first field at fault. A report needs a title and
// something about what happened (description or observation); an observation time may not
// lie in the future (a minute of clock skew is tolerated).
void check_new_report(const NewReport& report, std::int64_t now_ms);

// Throws EventError(conflict) when the report was already decided.
void require_undecided(const Event& event);

struct Dismissal {
  std::string code;  // false_positive | not_security | duplicate
  std::string reason;
  std::optional<std::string> duplicate_of;  // EVT-… or INC-…, for duplicates only
};

// Throws EventError naming the field: the code must be known, the reason given, a duplicate
// names the other report or incident (never itself) and only a duplicate names one.
void check_dismissal(const Event& event, const Dismissal& dismissal);

// The decision's "why": required, one paragraph or more.
void check_reason(const std::string& reason);

// The incident source a report's channel becomes.
std::string incident_source(std::string_view channel);

// The description a promoted incident starts with: the report's own words, what was observed,
// when and where, and which report it came from.
std::string incident_description(const Event& event);

// The worklog entry that records a report merged into an incident.
std::string merge_note(const Event& event, const std::string& reason);

}  // namespace custos::events
