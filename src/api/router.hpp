#pragma once
// Routes are declared as data: method, path pattern, the permission it needs and
// what the OpenAPI document says about it. The dispatcher enforces the permission
// for every route from this one table.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "auth/roles.hpp"
#include "http/message.hpp"

namespace custos::api {

class Context;
using RouteHandler = std::function<http::Response(Context&)>;

struct QueryParam {
  std::string name;
  std::string type;  // "string" | "integer" | "boolean"
  std::string description;
};

// What the OpenAPI document says about a route.
struct RouteDoc {
  std::string summary;
  std::string tag;
  std::string request_schema;   // component name, empty if no body
  std::string response_schema;  // component name, empty if no body
  int success_status = 200;
  std::vector<QueryParam> query;
  std::vector<int> errors;  // problem+json statuses this route may answer
};

struct Route {
  std::string method;
  std::string pattern;  // "/api/v1/users/{username}"
  auth::Permission permission;
  RouteHandler handler;
  RouteDoc doc;
  bool allowed_while_enrolling = false;  // reachable before a required second factor is set up
  // A few indexed reads at most: on the embedded database it may run on the I/O thread that
  // read the request, which saves two thread hand-overs. Never set on writes or list/search routes.
  bool quick = false;
  // Bodies larger than the server's in-memory limit, up to this many bytes, are accepted for this
  // route once the request is authenticated and authorized; they reach the handler spooled to a
  // file (Request::body_file). 0: the server's limit applies.
  std::uint64_t max_spooled_body_bytes = 0;
};

struct Match {
  const Route* route = nullptr;
  std::vector<std::pair<std::string, std::string>> params;
  std::vector<std::string> allowed_methods;  // when the path matched but the method did not
};

class Router {
 public:
  void add(Route route);
  // The route for a GET or HEAD whose path no other route has, under any method (the web
  // application's client-side pages). It is not listed in routes() and gets no parameters.
  void set_fallback(Route route);
  [[nodiscard]] Match match(std::string_view method, std::string_view path) const;
  // The route that would serve this request, without collecting parameters; nullptr if none.
  [[nodiscard]] const Route* find(std::string_view method, std::string_view path) const;
  [[nodiscard]] const std::vector<Route>& routes() const { return routes_; }

 private:
  // A pattern split once into its segments, so matching a request compares whole
  // segments instead of re-scanning every pattern for '/'.
  struct Segment {
    std::string text;  // the literal, or the parameter's name
    bool is_parameter = false;
  };
  struct Compiled {
    std::vector<Segment> segments;
    int literals = 0;  // literal segments win over parameters: "/users/me" before "/users/{name}"
  };
  template <class OnMatch>
  void for_each_match(std::string_view path, OnMatch&& on_match) const;

  std::vector<Route> routes_;
  std::vector<Compiled> compiled_;  // compiled_[i] belongs to routes_[i]
  std::optional<Route> fallback_;
};

}  // namespace custos::api
