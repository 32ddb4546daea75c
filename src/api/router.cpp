#include "api/router.hpp"

#include <algorithm>
#include <array>
#include <stdexcept>

namespace custos::api {

namespace {

constexpr std::size_t kMaxSegments = 32;

// Splits "/a/b/c" into {"a", "b", "c"}; false if the path is not absolute or too deep.
bool split_path(std::string_view path, std::array<std::string_view, kMaxSegments>& out,
                std::size_t& count) {
  count = 0;
  if (path.empty() || path.front() != '/') return false;
  while (!path.empty()) {
    path.remove_prefix(1);  // the '/'
    if (count == kMaxSegments) return false;
    const auto end = path.find('/');
    out[count++] = path.substr(0, end);
    path = end == std::string_view::npos ? std::string_view{} : path.substr(end);
  }
  return true;
}

bool method_matches(std::string_view route_method, std::string_view method) {
  return route_method == method || (method == "HEAD" && route_method == "GET");
}

}  // namespace

void Router::add(Route route) {
  Compiled compiled;
  std::array<std::string_view, kMaxSegments> parts{};
  std::size_t count = 0;
  if (!split_path(route.pattern, parts, count)) {
    throw std::invalid_argument("route pattern must be an absolute path: " + route.pattern);
  }
  for (std::size_t i = 0; i < count; ++i) {
    const std::string_view part = parts.at(i);
    const bool parameter = part.size() > 2 && part.front() == '{' && part.back() == '}';
    compiled.segments.push_back(
        {std::string(parameter ? part.substr(1, part.size() - 2) : part), parameter});
    if (!parameter) ++compiled.literals;
  }
  routes_.push_back(std::move(route));
  compiled_.push_back(std::move(compiled));
}

void Router::set_fallback(Route route) { fallback_ = std::move(route); }

// Calls on_match(index) for every route whose pattern matches the path, whatever its
// method. Parameter segments may not be empty, "." or "..", which keeps path traversal
// out of parameters; a segment never contains '/'.
template <class OnMatch>
void Router::for_each_match(std::string_view path, OnMatch&& on_match) const {
  std::array<std::string_view, kMaxSegments> parts{};
  std::size_t count = 0;
  if (!split_path(path, parts, count)) return;
  for (std::size_t r = 0; r < compiled_.size(); ++r) {
    const auto& segments = compiled_[r].segments;
    if (segments.size() != count) continue;
    bool matched = true;
    for (std::size_t i = 0; i < count && matched; ++i) {
      const std::string_view part = parts.at(i);
      matched = segments[i].is_parameter ? !(part.empty() || part == "." || part == "..")
                                         : segments[i].text == part;
    }
    if (matched) on_match(r, parts);
  }
}

Match Router::match(std::string_view method, std::string_view path) const {
  Match result;
  int best_literals = -1;
  for_each_match(path, [&](std::size_t r, const auto& parts) {
    const Route& route = routes_[r];
    if (!method_matches(route.method, method)) {
      if (std::find(result.allowed_methods.begin(), result.allowed_methods.end(), route.method) ==
          result.allowed_methods.end()) {
        result.allowed_methods.push_back(route.method);
      }
      return;
    }
    const Compiled& compiled = compiled_[r];
    if (compiled.literals <= best_literals) return;
    best_literals = compiled.literals;
    result.route = &route;
    result.params.clear();
    for (std::size_t i = 0; i < compiled.segments.size(); ++i) {
      if (compiled.segments[i].is_parameter)
        result.params.emplace_back(compiled.segments[i].text, std::string(parts.at(i)));
    }
  });
  if (result.route == nullptr && result.allowed_methods.empty() && fallback_ &&
      method_matches(fallback_->method, method)) {
    result.route = &*fallback_;
  }
  return result;
}

const Route* Router::find(std::string_view method, std::string_view path) const {
  const Route* best = nullptr;
  int best_literals = -1;
  for_each_match(path, [&](std::size_t r, const auto&) {
    if (!method_matches(routes_[r].method, method) || compiled_[r].literals <= best_literals)
      return;
    best = &routes_[r];
    best_literals = compiled_[r].literals;
  });
  if (best == nullptr && fallback_ && method_matches(fallback_->method, method)) {
    // Only when no route has this path under another method either (that is a 405).
    bool path_known = false;
    for_each_match(path, [&](std::size_t, const auto&) { path_known = true; });
    if (!path_known) best = &*fallback_;
  }
  return best;
}

}  // namespace custos::api
