#pragma once
// Plain HTTP request/response types. The server converts Beast's types to these so
// that nothing outside src/http has to include Beast (it is slow to compile).
#include <cstdint>
#include <functional>
#include <memory>
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
  // For routes that take large bodies (uploads): the body was spooled to this file instead of
  // `body`, which is then empty. The server removes the file after the response, so a handler
  // that keeps the content moves or copies it.
  std::string body_file;
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

// A response body produced over time instead of held in memory: server-sent events, large
// downloads. The server writes it chunked (or with Content-Length when size() is known).
class BodyStream {
 public:
  BodyStream() = default;
  BodyStream(const BodyStream&) = delete;
  BodyStream& operator=(const BodyStream&) = delete;
  virtual ~BodyStream() = default;

  // Runs on an I/O thread, so it must not wait: appends what is ready now to `out` (a few
  // dozen KiB at most) and returns false once the body is complete. Appending nothing while
  // returning true means "nothing yet": the server then waits for the wake-up below.
  virtual bool read(std::string& out) = 0;
  // Called once, before the first read, with a function that may be called from any thread
  // whenever more data is ready. Streams that always have data (files) can ignore it.
  virtual void set_wakeup(const std::function<void()>& /*wake*/) {}
  // The total length when known in advance (a file); nullopt for an open-ended stream.
  [[nodiscard]] virtual std::optional<std::uint64_t> size() const { return std::nullopt; }
};

struct Response {
  int status = 200;
  Headers headers;
  std::string body;
  std::shared_ptr<BodyStream> stream;  // when set, the body comes from here and `body` is unused

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
