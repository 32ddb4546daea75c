#pragma once
// Turns an HTTP request into a route call: match, authenticate, authorise from the
// permission table, enforce CSRF on cookie-authenticated writes, replay idempotent
// POSTs, run the handler, and map every failure to problem+json. Nothing a client
// sends can make it throw.
#include <cstdint>
#include <functional>
#include <optional>

#include "api/context.hpp"
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
  // For bodies too large for memory: how many bytes this request's route accepts spooled to a
  // file (0: none), and, before such a body is read, the refusal to send when the request is
  // not authenticated or not allowed (nullopt: go on).
  [[nodiscard]] std::uint64_t spool_limit(const http::Request& request) const;
  [[nodiscard]] std::optional<http::Response> admit(http::Request& request) const;

 private:
  http::Response dispatch(http::Request& request) const;
  // Everything before the handler: validation, routing, authentication, permission, CSRF.
  Context authorize(http::Request& request, const Route*& matched) const;
  // Runs `work`, mapping every exception to problem+json.
  http::Response guarded(http::Request& request, const std::function<http::Response()>& work) const;
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
