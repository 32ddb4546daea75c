#include "api/router.hpp"

#include <algorithm>

namespace custos::api {

namespace {

// Matches "/a/{x}/c" against "/a/42/c". Segment values may not be empty or
// contain '/', which keeps path traversal out of parameters.
bool match_pattern(std::string_view pattern, std::string_view path,
                   std::vector<std::pair<std::string, std::string>>& params) {
  params.clear();
  while (!pattern.empty() || !path.empty()) {
    if (pattern.empty() || path.empty() || pattern.front() != '/' || path.front() != '/')
      return false;
    pattern.remove_prefix(1);
    path.remove_prefix(1);
    const auto p_end = pattern.find('/');
    const auto s_end = path.find('/');
    const std::string_view p_seg = pattern.substr(0, p_end);
    const std::string_view s_seg = path.substr(0, s_end);
    if (p_seg.size() > 2 && p_seg.front() == '{' && p_seg.back() == '}') {
      if (s_seg.empty() || s_seg == "." || s_seg == "..") return false;
      params.emplace_back(std::string(p_seg.substr(1, p_seg.size() - 2)), std::string(s_seg));
    } else if (p_seg != s_seg) {
      return false;
    }
    pattern = p_end == std::string_view::npos ? std::string_view{} : pattern.substr(p_end);
    path = s_end == std::string_view::npos ? std::string_view{} : path.substr(s_end);
  }
  return true;
}

}  // namespace

void Router::add(Route route) { routes_.push_back(std::move(route)); }

Match Router::match(std::string_view method, std::string_view path) const {
  Match result;
  std::vector<std::pair<std::string, std::string>> params;
  // Literal segments win over parameters: "/users/me" before "/users/{name}".
  const Route* best = nullptr;
  int best_literals = -1;
  for (const Route& route : routes_) {
    if (!match_pattern(route.pattern, path, params)) continue;
    if (route.method != method && !(method == "HEAD" && route.method == "GET")) {
      if (std::find(result.allowed_methods.begin(), result.allowed_methods.end(), route.method) ==
          result.allowed_methods.end()) {
        result.allowed_methods.push_back(route.method);
      }
      continue;
    }
    const int literals =
        static_cast<int>(std::count(route.pattern.begin(), route.pattern.end(), '/')) -
        static_cast<int>(std::count(route.pattern.begin(), route.pattern.end(), '{'));
    if (literals > best_literals) {
      best = &route;
      best_literals = literals;
      result.params = params;
    }
  }
  result.route = best;
  return result;
}

}  // namespace custos::api
