#pragma once
// Turns an HTTP request into a route call: match, authenticate, authorise from the
// permission table, enforce CSRF on cookie-authenticated writes, replay idempotent
// POSTs, run the handler, and map every failure to problem+json. Nothing a client
// sends can make it throw.
#include <functional>
#include <optional>

#include "api/router.hpp"
#include "auth/principal.hpp"
#include "http/message.hpp"
#include "store/database.hpp"

namespace custos::api {

struct Authenticators {
  std::function<std::optional<auth::Principal>(const std::string& bearer)> token;
  std::function<std::optional<auth::Principal>(const std::string& cookie)> session;
};

inline constexpr const char* kSessionCookie = "custos_session";
inline constexpr const char* kCsrfCookie = "custos_csrf";

class Dispatcher {
 public:
  Dispatcher(const Router& router, Authenticators auth, store::Database* db)
      : router_(router), auth_(std::move(auth)), db_(db) {}

  http::Response handle(http::Request& request) const;
  // Whether this request may be handled on the I/O thread that read it: a route marked
  // quick, on the embedded database, whose reads take microseconds and never wait on a network.
  [[nodiscard]] bool is_quick(const http::Request& request) const;

 private:
  http::Response dispatch(http::Request& request) const;
  std::optional<http::Response> replay_idempotent(const http::Request& request,
                                                  const std::string& principal,
                                                  const std::string& digest) const;
  void remember_idempotent(const http::Request& request, const std::string& principal,
                           const std::string& digest, const http::Response& response) const;

  const Router& router_;
  Authenticators auth_;
  store::Database* db_;
};

}  // namespace custos::api
