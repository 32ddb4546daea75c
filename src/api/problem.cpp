#include "api/problem.hpp"

#include <nlohmann/json.hpp>

namespace custos::api {

ApiError bad_request(std::string detail) { return {400, "bad-request", std::move(detail)}; }

ApiError invalid_field(std::string field, std::string message) {
  std::string detail = field + ": " + message;
  return {422, "validation-failed", std::move(detail), {{std::move(field), std::move(message)}}};
}

ApiError unauthorized(std::string detail) { return {401, "unauthorized", std::move(detail)}; }
ApiError forbidden(std::string detail) { return {403, "forbidden", std::move(detail)}; }
ApiError not_found(const std::string& what) { return {404, "not-found", what + " was not found"}; }
ApiError conflict(std::string detail) { return {409, "conflict", std::move(detail)}; }
ApiError precondition_failed(std::string detail) {
  return {412, "precondition-failed", std::move(detail)};
}
ApiError precondition_required(std::string detail) {
  return {428, "precondition-required", std::move(detail)};
}

std::string title_for_status(int status) {
  switch (status) {
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 406:
      return "Not Acceptable";
    case 409:
      return "Conflict";
    case 412:
      return "Precondition Failed";
    case 413:
      return "Content Too Large";
    case 415:
      return "Unsupported Media Type";
    case 422:
      return "Unprocessable Content";
    case 428:
      return "Precondition Required";
    case 429:
      return "Too Many Requests";
    case 500:
      return "Internal Server Error";
    case 503:
      return "Service Unavailable";
    default:
      return "Error";
  }
}

http::Response problem_response(const ApiError& error, const std::string& instance) {
  nlohmann::json body = {
      {"type", "/problems/" + error.code()},
      {"title", title_for_status(error.status())},
      {"status", error.status()},
      {"detail", error.detail()},
      {"code", error.code()},
  };
  if (!instance.empty()) body["instance"] = instance;
  if (!error.errors().empty()) {
    auto& list = body["errors"] = nlohmann::json::array();
    for (const auto& e : error.errors())
      list.push_back({{"field", e.field}, {"message", e.message}});
  }
  for (const auto& [name, text] : error.members()) {
    body[name] = nlohmann::json::parse(text, nullptr, false);
  }
  http::Response res;
  res.status = error.status();
  res.header("Content-Type", "application/problem+json");
  res.header("Cache-Control", "no-store");
  for (const auto& [k, v] : error.headers()) res.header(k, v);
  // Replace invalid UTF-8 from echoed input rather than failing to report the error.
  res.body = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return res;
}

}  // namespace custos::api
