#pragma once
// Time is stored as UTC epoch milliseconds and spoken as RFC 3339 on the API.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace custos::util {

std::int64_t now_ms();
// "2026-11-22T10:00:00.123Z"
std::string to_rfc3339(std::int64_t epoch_ms);
// Accepts "YYYY-MM-DDTHH:MM:SS[.fff][Z|±HH:MM]"; nullopt when malformed.
std::optional<std::int64_t> parse_rfc3339(std::string_view text);
// "90d", "12h", "30m", "45s" → milliseconds; nullopt when malformed or not positive.
std::optional<std::int64_t> parse_duration_ms(std::string_view text);

}  // namespace custos::util
