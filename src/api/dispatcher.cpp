#include "api/dispatcher.hpp"

#include <spdlog/spdlog.h>

#include <nlohmann/json.hpp>

#include "api/context.hpp"
#include "api/problem.hpp"
#include "util/crypto.hpp"
#include "util/time.hpp"
#include "util/utf8.hpp"

namespace custos::api {

namespace {

bool is_safe_method(std::string_view m) { return m == "GET" || m == "HEAD" || m == "OPTIONS"; }

std::string bearer_from(const http::Request& req) {
  const auto h = req.header("authorization");
  if (h.size() > 7 && (h.starts_with("Bearer ") || h.starts_with("bearer "))) {
    return std::string(h.substr(7));
  }
  return {};
}

}  // namespace

http::Response Dispatcher::handle(http::Request& request) const {
  return guarded(request, [&] { return dispatch(request); });
}

std::optional<http::Response> Dispatcher::admit(http::Request& request) const {
  bool admitted = false;
  http::Response refusal = guarded(request, [&] {
    const Route* route = nullptr;
    (void)authorize(request, route);
    admitted = true;
    return http::Response{};
  });
  if (admitted) return std::nullopt;
  return refusal;
}

std::uint64_t Dispatcher::spool_limit(const http::Request& request) const {
  const Route* route = router_.find(request.method, request.path);
  return route == nullptr ? 0 : route->max_spooled_body_bytes;
}

http::Response Dispatcher::guarded(http::Request& request,
                                   const std::function<http::Response()>& work) const {
  http::Response response;
  try {
    response = work();
  } catch (const ApiError& e) {
    response = problem_response(e, request.path.size() <= 200 ? request.path : "");
  } catch (const store::UniqueViolation&) {
    response = problem_response(conflict("a record with the same unique value already exists"), "");
  } catch (const nlohmann::json::exception& e) {
    response = problem_response(bad_request("the request body could not be read as JSON"), "");
  } catch (const std::exception& e) {
    // Internal details go to the log with the request id, never to the client.
    spdlog::error("request {} {} failed: {}", request.request_id, request.method, e.what());
    response = problem_response(
        ApiError(500, "internal",
                 "the server failed to handle this request; reference " + request.request_id),
        "");
  }
  if (request.path.starts_with("/api/") && response.find_header("cache-control").empty()) {
    response.header("Cache-Control", "no-store");
  }
  return response;
}

bool Dispatcher::is_quick(const http::Request& request) const {
  if (db_ != nullptr && db_->backend() != store::Backend::sqlite) return false;
  const Route* route = router_.find(request.method, request.path);
  return route != nullptr && route->quick;
}

Context Dispatcher::authorize(http::Request& request, const Route*& matched) const {
  if (request.path.empty() || request.path.front() != '/' || !util::is_valid_utf8(request.path) ||
      request.path.find('\0') != std::string::npos) {
    throw bad_request("the request path is malformed");
  }
  if (!util::is_valid_utf8(request.query_string))
    throw bad_request("the query string is malformed");
  for (const auto& name : request.query_names()) {
    const auto value = request.query(name);
    if (!util::is_valid_utf8(name) || (value && !util::is_valid_utf8(*value))) {
      throw bad_request("query parameter '" +
                        (util::is_valid_utf8(name) ? name.substr(0, 64) : "?") +
                        "' is not valid UTF-8 once decoded");
    }
  }
  const Match match = router_.match(request.method, request.path);
  if (match.route == nullptr) {
    if (!match.allowed_methods.empty()) {
      std::string allow;
      for (const auto& m : match.allowed_methods) allow += (allow.empty() ? "" : ", ") + m;
      throw ApiError(405, "method-not-allowed",
                     request.method + " is not allowed here; use " + allow)
          .with_header("Allow", allow);
    }
    throw not_found("the resource " +
                    (request.path.size() <= 200 ? request.path : std::string("requested")));
  }
  for (const auto& [name, value] : match.params) {
    if (!util::is_valid_utf8(value) || value.size() > 256) {
      throw bad_request("path parameter '" + name + "' is malformed");
    }
  }
  const Route& route = *match.route;
  matched = match.route;
  Context ctx(request, match.params);

  // Authentication: a bearer token, else the session cookie. A credential that is
  // presented but invalid is an error even on public routes, so mistakes are visible.
  const std::string bearer = bearer_from(request);
  if (!bearer.empty()) {
    auto principal = auth_.token(bearer);
    if (!principal) throw unauthorized("the bearer token is invalid, expired or revoked");
    ctx.set_principal(std::move(*principal));
  } else if (!request.header("authorization").empty()) {
    throw unauthorized("use 'Authorization: Bearer <token>'");
  } else if (auto cookie = request.cookie(kSessionCookie); !cookie.empty()) {
    if (auto principal = auth_.session(cookie)) ctx.set_principal(std::move(*principal));
  }

  if (route.permission != auth::Permission::anyone) {
    if (!ctx.signed_in()) throw unauthorized("sign in or send a bearer token");
    const auto& user = ctx.user();
    if (user.enrolment_only && !route.allowed_while_enrolling) {
      throw ApiError(
          403, "mfa-enrolment-required",
          "your account requires a second factor: enrol one at /api/v1/me/mfa/totp first");
    }
    // signed_in too: an account that only feeds logs (the ingest role) may do nothing else.
    if (!user.roles.intersects(auth::roles_with(route.permission))) {
      throw forbidden("your roles do not allow " +
                      std::string(auth::permission_name(route.permission)));
    }
  }

  // CSRF: a cookie is sent by the browser automatically, so a write authenticated by
  // one must also carry the token only our own pages can read.
  if (ctx.signed_in() && ctx.user().method == auth::AuthMethod::session &&
      !is_safe_method(request.method)) {
    const auto sent = request.header("x-csrf-token");
    if (sent.empty() || !util::constant_time_equal(sent, ctx.user().csrf_token)) {
      throw ApiError(403, "csrf-token-invalid",
                     "the X-CSRF-Token header is missing or does not match this session");
    }
  }
  return ctx;
}

http::Response Dispatcher::dispatch(http::Request& request) const {
  const Route* route = nullptr;
  Context ctx = authorize(request, route);

  // Idempotency-Key on POST: a retried request gets the first answer instead of a duplicate.
  const auto idem_key = request.header("idempotency-key");
  std::string principal_key;
  std::string digest;
  const bool idempotent = request.method == "POST" && !idem_key.empty() && db_ != nullptr;
  if (idempotent) {
    if (idem_key.size() > 128 || !util::is_valid_utf8(idem_key)) {
      throw invalid_field("Idempotency-Key", "must be at most 128 characters");
    }
    principal_key = ctx.signed_in() ? ctx.user().actor() : "anonymous:" + request.remote_address;
    digest = util::sha256_hex(request.method + "\n" + request.target + "\n" + request.body);
    if (auto replay = replay_idempotent(request, principal_key, digest)) return *replay;
  }

  http::Response response = route->handler(ctx);

  if (idempotent && response.status >= 200 && response.status < 300) {
    remember_idempotent(request, principal_key, digest, response);
  }
  return response;
}

std::optional<http::Response> Dispatcher::replay_idempotent(const http::Request& request,
                                                            const std::string& principal,
                                                            const std::string& digest) const {
  std::optional<store::Row> row;
  db_->read([&](store::Connection& c) {
    row = c.query_one(
        "SELECT request_digest, status, response FROM idempotency_keys WHERE principal = ? AND key "
        "= ?",
        {principal, std::string(request.header("idempotency-key"))});
  });
  if (!row) return std::nullopt;
  if (row->str(0) != digest) {
    throw ApiError(422, "idempotency-key-reused",
                   "this Idempotency-Key was already used for a different request");
  }
  http::Response replay;
  replay.status = static_cast<int>(row->i64(1));
  auto stored = nlohmann::json::parse(row->str(2));
  for (const auto& [k, v] : stored["headers"].items()) replay.header(k, v.get<std::string>());
  replay.body = stored["body"].get<std::string>();
  replay.header("Idempotent-Replayed", "true");
  return replay;
}

void Dispatcher::remember_idempotent(const http::Request& request, const std::string& principal,
                                     const std::string& digest,
                                     const http::Response& response) const {
  nlohmann::json stored = {{"body", response.body}, {"headers", nlohmann::json::object()}};
  for (const auto& [k, v] : response.headers) {
    if (k != "Set-Cookie") stored["headers"][k] = v;
  }
  try {
    db_->write([&](store::Connection& c) {
      c.execute(
          "INSERT INTO idempotency_keys (key, principal, method, path, request_digest, status,"
          " response, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
          {std::string(request.header("idempotency-key")), principal, request.method, request.path,
           digest, std::int64_t{response.status},
           stored.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace), util::now_ms()});
    });
  } catch (const store::UniqueViolation&) {
    // A concurrent retry stored its answer first; both answers describe the same request.
  }
}

}  // namespace custos::api
