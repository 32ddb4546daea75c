#include "api/context.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>

namespace custos::api {

std::string Context::param(std::string_view name) const {
  for (const auto& [k, v] : params_) {
    if (k == name) return v;
  }
  return {};
}

const auth::Principal& Context::user() const {
  if (!principal_) throw unauthorized();
  return *principal_;
}

JsonObject Context::body() {
  // Compare the media type exactly (parameters such as charset may follow a ';').
  std::string type(
      request_.header("content-type").substr(0, request_.header("content-type").find(';')));
  while (!type.empty() && (type.back() == ' ' || type.back() == '\t')) type.pop_back();
  for (char& ch : type) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  if (type != "application/json" && type != "application/merge-patch+json") {
    throw ApiError(415, "unsupported-media-type",
                   "send the body as Content-Type: application/json");
  }
  body_ = parse_json_body(request_.body);
  return JsonObject(body_);
}

int Context::limit(int default_limit, int max_limit) const {
  auto raw = request_.query("limit");
  if (!raw) return default_limit;
  int n = 0;
  auto [ptr, ec] = std::from_chars(raw->data(), raw->data() + raw->size(), n);
  if (ec != std::errc{} || ptr != raw->data() + raw->size() || n < 1 || n > max_limit) {
    throw invalid_field("limit", "must be an integer between 1 and " + std::to_string(max_limit));
  }
  return n;
}

void Context::allow_query(std::initializer_list<std::string_view> names) const {
  for (const auto& name : request_.query_names()) {
    if (std::find(names.begin(), names.end(), name) == names.end()) {
      throw invalid_field(name.substr(0, 64), "is not a known query parameter");
    }
  }
}

std::vector<std::string> split_csv(const std::string& text) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (true) {
    const auto comma = text.find(',', start);
    out.push_back(
        text.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
    if (comma == std::string::npos) return out;
    start = comma + 1;
  }
}

http::Response json_response(int status, const nlohmann::json& body) {
  http::Response res;
  res.status = status;
  res.header("Content-Type", "application/json");
  res.body = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return res;
}

http::Response no_content() {
  http::Response res;
  res.status = 204;
  return res;
}

}  // namespace custos::api
