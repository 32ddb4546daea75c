#pragma once
// Strict reading of JSON request bodies: wrong types, missing required fields and
// unknown fields are 422 errors that name the field.
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace custos::api {

class JsonObject {
 public:
  // Throws 422 unless `value` is an object.
  explicit JsonObject(const nlohmann::json& value);

  [[nodiscard]] bool has(const std::string& name) const;
  [[nodiscard]] bool is_null(const std::string& name) const;
  std::string required_string(const std::string& name, std::size_t max_length);
  std::optional<std::string> optional_string(const std::string& name, std::size_t max_length);
  // Absent: nullopt; null: an empty optional inside (the client clears the field); else the string.
  std::optional<std::optional<std::string>> nullable_string(const std::string& name,
                                                            std::size_t max_length);
  // Like optional_string, but line breaks and tabs are allowed (Markdown, notes).
  std::optional<std::string> optional_text(const std::string& name, std::size_t max_length);
  std::optional<bool> optional_bool(const std::string& name);
  std::optional<std::int64_t> optional_int(const std::string& name, std::int64_t min,
                                           std::int64_t max);
  std::optional<std::vector<std::string>> optional_string_array(const std::string& name,
                                                                std::size_t max_items,
                                                                std::size_t max_length);
  // Call after reading every known field: the first field not read is reported.
  void reject_unknown() const;

 private:
  const nlohmann::json* lookup(const std::string& name);
  std::optional<std::string> read_string(const std::string& name, std::size_t max_length,
                                         bool multiline);
  const nlohmann::json& object_;
  std::set<std::string> seen_;
};

// Parses a request body as JSON; 400 with the parser's position when malformed.
nlohmann::json parse_json_body(const std::string& body);

// Validates a string for storage: valid UTF-8 is guaranteed by the parser; this
// rejects control characters other than tab/newline, and empty strings when asked.
std::optional<std::string> text_problem(const std::string& value, bool multiline);

}  // namespace custos::api
