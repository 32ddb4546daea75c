// Sign-in, sign-out and what a signed-in user can do for themself.
#include "api/context.hpp"
#include "api/dispatcher.hpp"
#include "auth/routes.hpp"
#include "auth/totp.hpp"
#include "util/time.hpp"

namespace custos::auth {

using api::ApiError;
using api::Context;
using Permission = auth::Permission;

namespace {

std::string cookie(const std::string& name, const std::string& value, std::int64_t max_age_s,
                   bool http_only, bool secure) {
  std::string c =
      name + "=" + value + "; Path=/; Max-Age=" + std::to_string(max_age_s) + "; SameSite=Strict";
  if (http_only) c += "; HttpOnly";
  if (secure) c += "; Secure";
  return c;
}

nlohmann::json me_json(const User& u, const Principal& p) {
  auto j = to_json(u);
  j["auth"] = p.method == AuthMethod::session ? "session" : "token";
  j["mfa_enrolment_required"] = p.enrolment_only;
  return j;
}

}  // namespace

void add_session_routes(api::Router& router, const AuthRouteDeps& deps) {
  router.add({"POST",
              "/api/v1/auth/login",
              Permission::anyone,
              [&deps](Context& ctx) {
                auto body = ctx.body();
                LoginAttempt attempt;
                attempt.username = body.required_string("username", 256);
                attempt.password = body.optional_string("password", 4096).value_or("");
                attempt.totp_code = body.optional_string("totp", 16);
                body.reject_unknown();
                if (attempt.password.empty()) throw api::invalid_field("password", "is required");
                attempt.source_address = ctx.request().remote_address;
                auto result = deps.login.login(attempt);
                switch (result.outcome) {
                  case LoginOutcome::locked: {
                    const auto seconds = std::to_string((result.retry_after_ms + 999) / 1000);
                    throw ApiError(429, "login-locked",
                                   "too many failed sign-ins; try again in " + seconds + " s")
                        .with_header("Retry-After", seconds);
                  }
                  case LoginOutcome::invalid:
                    throw ApiError(401, "invalid-credentials", "invalid username or password");
                  case LoginOutcome::mfa_required:
                    throw ApiError(401, "mfa-required",
                                   "enter the 6-digit code from your authenticator app",
                                   {{"totp", "is required for this account"}});
                  case LoginOutcome::mfa_invalid:
                    throw ApiError(401, "mfa-invalid",
                                   "the authentication code is wrong or was already used",
                                   {{"totp", "is wrong or was already used"}});
                  case LoginOutcome::ok:
                    break;
                }
                Principal p{result.user->id,           result.user->username,
                            result.user->display_name, result.user->roles,
                            AuthMethod::session,       result.session.id,
                            result.session.csrf_token, result.session.enrolment_only};
                auto res = api::json_response(
                    200, {{"user", me_json(*result.user, p)},
                          {"csrf_token", result.session.csrf_token},
                          {"expires_at", util::to_rfc3339(result.session.expires_at)}});
                const auto max_age = deps.session_ttl_ms / 1000;
                res.header("Set-Cookie", cookie(api::kSessionCookie, result.session.token, max_age,
                                                true, deps.secure_cookies));
                res.header("Set-Cookie", cookie(api::kCsrfCookie, result.session.csrf_token,
                                                max_age, false, deps.secure_cookies));
                return res;
              },
              {"Sign in with username, password and (when enrolled) a TOTP code",
               "auth",
               "LoginRequest",
               "LoginResponse",
               200,
               {},
               {400, 401, 415, 422, 429}}});

  router.add(
      {"POST",
       "/api/v1/auth/logout",
       Permission::signed_in,
       [&deps](Context& ctx) {
         const auto& p = ctx.user();
         if (p.method == AuthMethod::session)
           deps.credentials.end_session(p.credential_id, p.actor());
         auto res = api::no_content();
         res.header("Set-Cookie", cookie(api::kSessionCookie, "", 0, true, deps.secure_cookies));
         res.header("Set-Cookie", cookie(api::kCsrfCookie, "", 0, false, deps.secure_cookies));
         return res;
       },
       {"End the current session", "auth", "", "", 204, {}, {401, 403}},
       true});

  router.add({"GET",
              "/api/v1/me",
              Permission::signed_in,
              [&deps](Context& ctx) {
                ctx.allow_query({});
                const auto& p = ctx.user();
                if (p.account) return api::json_response(200, me_json(*p.account, p));
                auto user = deps.accounts.find_by_id(p.user_id);
                if (!user) throw api::unauthorized();
                return api::json_response(200, me_json(*user, p));
              },
              {"Who am I: the signed-in user and their roles", "me", "", "Me", 200, {}, {401}},
              true,
              true});

  router.add({"POST",
              "/api/v1/me/password",
              Permission::signed_in,
              [&deps](Context& ctx) {
                auto body = ctx.body();
                const auto current = body.required_string("current_password", 4096);
                const auto next = body.required_string("new_password", 4096);
                body.reject_unknown();
                const auto& p = ctx.user();
                if (!deps.accounts.check_password(p.user_id, current)) {
                  throw api::invalid_field("current_password", "is not your current password");
                }
                try {
                  deps.accounts.set_password(p.user_id, next, p.actor(),
                                             p.method == AuthMethod::session ? p.credential_id : 0);
                } catch (const AccountError& e) {
                  if (e.field == "password") throw api::invalid_field("new_password", e.message);
                  rethrow_account_error(e);
                }
                return api::no_content();
              },
              {"Change my password (ends my other sessions)",
               "me",
               "PasswordChange",
               "",
               204,
               {},
               {400, 401, 403, 422}}});

  router.add({"POST",
              "/api/v1/me/mfa/totp",
              Permission::signed_in,
              [&deps](Context& ctx) {
                const auto& p = ctx.user();
                std::string secret;
                try {
                  secret = deps.accounts.begin_totp_enrolment(p.user_id, p.actor());
                } catch (const AccountError& e) {
                  throw api::conflict(e.message);
                }
                return api::json_response(
                    200, {{"secret", secret},
                          {"otpauth_uri", otpauth_uri(deps.totp_issuer, p.username, secret)}});
              },
              {"Start enrolling a TOTP second factor",
               "me",
               "",
               "TotpEnrolment",
               200,
               {},
               {401, 403, 409}},
              true});

  router.add({"POST",
              "/api/v1/me/mfa/totp/confirm",
              Permission::signed_in,
              [&deps](Context& ctx) {
                auto body = ctx.body();
                const auto code = body.required_string("code", 16);
                body.reject_unknown();
                const auto& p = ctx.user();
                bool ok = false;
                try {
                  ok = deps.accounts.confirm_totp(
                      p.user_id, code, p.method == AuthMethod::session ? p.credential_id : 0,
                      p.actor());
                } catch (const AccountError& e) {
                  throw api::conflict(e.message);
                }
                if (!ok)
                  throw api::invalid_field("code", "is wrong; check the time on your device");
                return api::no_content();
              },
              {"Confirm TOTP enrolment with a current code",
               "me",
               "TotpCode",
               "",
               204,
               {},
               {400, 401, 403, 409, 422}},
              true});

  router.add({"POST",
              "/api/v1/me/mfa/totp/disable",
              Permission::signed_in,
              [&deps](Context& ctx) {
                auto body = ctx.body();
                const auto password = body.required_string("password", 4096);
                body.reject_unknown();
                const auto& p = ctx.user();
                auto user = deps.accounts.find_by_id(p.user_id);
                if (!user) throw api::unauthorized();
                if (user->mfa_required) {
                  throw api::conflict("an administrator requires a second factor for your account");
                }
                if (!deps.accounts.check_password(p.user_id, password)) {
                  throw api::invalid_field("password", "is not your current password");
                }
                deps.accounts.disable_totp(p.user_id, p.actor());
                return api::no_content();
              },
              {"Remove my TOTP second factor (needs my password)",
               "me",
               "PasswordConfirm",
               "",
               204,
               {},
               {400, 401, 403, 409, 422}}});
}

}  // namespace custos::auth
