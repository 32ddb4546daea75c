#pragma once
// What a route handler receives: the request, its path parameters and who asked.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "api/json_input.hpp"
#include "api/problem.hpp"
#include "auth/principal.hpp"
#include "http/message.hpp"

namespace custos::api {

class Context {
 public:
  Context(http::Request& request, std::vector<std::pair<std::string, std::string>> params)
      : request_(request), params_(std::move(params)) {}

  [[nodiscard]] http::Request& request() const { return request_; }
  [[nodiscard]] std::string param(std::string_view name) const;
  [[nodiscard]] const auth::Principal& user() const;
  [[nodiscard]] bool signed_in() const { return principal_.has_value(); }
  void set_principal(auth::Principal p) { principal_ = std::move(p); }
  [[nodiscard]] const std::optional<auth::Principal>& principal() const { return principal_; }

  // The body as a strict JSON object; the JsonObject reads from the parsed value kept here.
  JsonObject body();
  // ?limit=, bounded; 422 when not a number in range.
  [[nodiscard]] int limit(int default_limit, int max_limit) const;
  // Rejects query parameters this route does not know (typos must not silently match everything).
  void allow_query(std::initializer_list<std::string_view> names) const;

 private:
  http::Request& request_;
  std::vector<std::pair<std::string, std::string>> params_;
  std::optional<auth::Principal> principal_;
  nlohmann::json body_;
};

// The values of a comma-separated query parameter ("new,assigned"), empty ones kept so that
// the caller can name them as invalid.
std::vector<std::string> split_csv(const std::string& text);

http::Response json_response(int status, const nlohmann::json& body);
http::Response no_content();

}  // namespace custos::api
