#pragma once
// A report of a security event or weakness (EVT-000001) as stored, the words its fields may
// take, and the refusals the services raise about reports.
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "store/value.hpp"

namespace custos::events {

inline constexpr std::string_view kKinds[] = {"event", "weakness"};
inline constexpr std::string_view kChannels[] = {"portal", "api", "email", "detection"};
inline constexpr std::string_view kStatuses[] = {"new", "triaging", "dismissed", "merged",
                                                 "promoted"};
inline constexpr std::string_view kDismissals[] = {"false_positive", "not_security", "duplicate"};

inline constexpr std::size_t kMaxTitle = 200;
inline constexpr std::size_t kMaxText = 64 * 1024;
inline constexpr std::size_t kMaxLocation = 200;

template <std::size_t N>
[[nodiscard]] bool one_of(std::string_view value, const std::string_view (&allowed)[N]) {
  for (auto a : allowed) {
    if (a == value) return true;
  }
  return false;
}

struct Event {
  std::int64_t id = 0;
  std::string kind = "event";
  std::string title;
  std::string description;
  std::string observed;
  std::optional<std::int64_t> observed_at;
  std::string location;
  std::optional<std::int64_t> reporter_id;
  std::optional<std::string> reporter;        // username
  std::optional<std::string> reporter_email;  // external sender or anonymous contact
  std::string channel = "portal";
  std::string status = "new";
  std::optional<std::string> category, subcategory, impact, urgency;
  std::optional<std::string> dismissal, duplicate_of, decision_reason;
  std::optional<std::int64_t> incident_id;
  std::optional<std::string> triaged_by;  // username
  std::optional<std::int64_t> triaged_at;
  std::optional<std::string> decided_by;  // username
  std::optional<std::int64_t> decided_at;
  std::int64_t created_at = 0;
  std::int64_t updated_at = 0;
  std::int64_t version = 1;

  // Raised by custos itself (a ban, an evidence integrity finding): channel detection and
  // no person or address as reporter. Reports through the API always have a reporter.
  [[nodiscard]] bool system_report() const {
    return channel == "detection" && !reporter_id && !reporter_email;
  }
};

// A decided report (dismissed, merged, promoted) is final.
[[nodiscard]] bool is_decided(std::string_view status);

// "EVT-000123"; more digits once ids pass a million.
std::string event_key(std::int64_t id);
// The id in "EVT-000123" (case-insensitive prefix), or nullopt.
std::optional<std::int64_t> parse_event_key(std::string_view key);

extern const char* const kEventSelect;  // use with event_from_row()
Event event_from_row(const store::Row& row);

nlohmann::json to_json(const Event& event);

struct EventAttachment {
  std::int64_t id = 0;
  std::int64_t event_id = 0;
  std::string sha256;
  std::int64_t size = 0;
  std::string content_type;
  std::string filename;
  std::optional<std::int64_t> uploaded_by_id;
  std::optional<std::string> uploaded_by;  // username
  std::int64_t created_at = 0;
};
nlohmann::json to_json(const EventAttachment& attachment);

struct EventNote {
  std::int64_t id = 0;
  std::optional<std::string> author;        // username
  std::optional<std::string> author_email;  // external sender
  std::string channel;
  std::string body;
  std::int64_t created_at = 0;
};
nlohmann::json to_json(const EventNote& note);

// Why a request about a report was refused; the routes map it to a status code.
enum class EventRefusal : std::uint8_t {
  invalid,           // 422, `field` names the input
  forbidden,         // 403
  not_found,         // 404
  conflict,          // 409 (already decided)
  too_large,         // 413
  unsupported_type,  // 415
  too_many,          // 429
};

struct EventError : std::runtime_error {
  EventError(EventRefusal r, std::string f, const std::string& message)
      : std::runtime_error(message), refusal(r), field(std::move(f)) {}
  static EventError invalid(std::string field, const std::string& message) {
    return {EventRefusal::invalid, std::move(field), message};
  }
  static EventError conflict(const std::string& message) {
    return {EventRefusal::conflict, "", message};
  }
  EventRefusal refusal;
  std::string field;
};

}  // namespace custos::events
