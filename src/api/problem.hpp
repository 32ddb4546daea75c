#pragma once
// RFC 9457 problem details. Throw ApiError anywhere inside a request; the
// dispatcher turns it into an application/problem+json response.
#include <stdexcept>
#include <string>
#include <vector>

#include "http/message.hpp"

namespace custos::api {

struct FieldError {
  std::string field;    // JSON pointer-ish path: "roles[1]", "password"
  std::string message;  // what is wrong, in words a person can act on
};

class ApiError : public std::runtime_error {
 public:
  ApiError(int status, std::string code, std::string detail, std::vector<FieldError> errors = {})
      : std::runtime_error(detail),
        status_(status),
        code_(std::move(code)),
        detail_(std::move(detail)),
        errors_(std::move(errors)) {}

  [[nodiscard]] int status() const { return status_; }
  [[nodiscard]] const std::string& code() const { return code_; }
  [[nodiscard]] const std::string& detail() const { return detail_; }
  [[nodiscard]] const std::vector<FieldError>& errors() const { return errors_; }
  ApiError& with_header(std::string name, std::string value) {
    headers_.emplace_back(std::move(name), std::move(value));
    return *this;
  }
  [[nodiscard]] const http::Headers& headers() const { return headers_; }
  // An extension member of the problem object (RFC 9457 §3.2), given as JSON text.
  ApiError& with_member(std::string name, std::string json_text) {
    members_.emplace_back(std::move(name), std::move(json_text));
    return *this;
  }
  [[nodiscard]] const std::vector<std::pair<std::string, std::string>>& members() const {
    return members_;
  }

 private:
  int status_;
  std::string code_;
  std::string detail_;
  std::vector<FieldError> errors_;
  http::Headers headers_;
  std::vector<std::pair<std::string, std::string>> members_;
};

// The common cases, so handlers read as sentences.
ApiError bad_request(std::string detail);
ApiError invalid_field(std::string field, std::string message);
ApiError unauthorized(std::string detail = "authentication required");
ApiError forbidden(std::string detail = "your roles do not allow this");
ApiError not_found(const std::string& what);
ApiError conflict(std::string detail);
ApiError precondition_failed(std::string detail);
ApiError precondition_required(std::string detail);

std::string title_for_status(int status);
http::Response problem_response(const ApiError& error, const std::string& instance);

}  // namespace custos::api
