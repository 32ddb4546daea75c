#pragma once
// Plain HTTP request/response types. The server converts Beast's types to these so
// that nothing outside src/http has to include Beast (it is slow to compile).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace custos::http {

using Headers = std::vector<std::pair<std::string, std::string>>;  // names in lower case

struct Request {
  std::string method;
  std::string target;        // as received: path and query
  std::string path;          // percent-decoded path
  std::string query_string;  // raw, without '?'
  Headers headers;
  std::string body;
  std::string remote_address;
  std::string request_id;
  bool tls = false;

  // First header with this (lower-case) name, or empty.
  [[nodiscard]] std::string_view header(std::string_view name) const;
  // Decoded value of a query parameter; nullopt when absent.
  [[nodiscard]] std::optional<std::string> query(std::string_view name) const;
  // All query parameter names, decoded (to reject unknown ones).
  [[nodiscard]] std::vector<std::string> query_names() const;
  // Value of a cookie, or empty.
  [[nodiscard]] std::string cookie(std::string_view name) const;
};

struct Response {
  int status = 200;
  Headers headers;
  std::string body;

  Response& header(std::string name, std::string value) {
    headers.emplace_back(std::move(name), std::move(value));
    return *this;
  }
  [[nodiscard]] std::string_view find_header(std::string_view name) const;
};

// Splits "a/b/c" query strings and decodes %XX and '+'. Returns nullopt when the
// escape is malformed so that callers can answer 400 instead of guessing.
std::optional<std::string> percent_decode(std::string_view in, bool plus_is_space);

}  // namespace custos::http
