#include "auth/credentials.hpp"

#include "audit/audit_log.hpp"
#include "auth/accounts.hpp"
#include "util/crypto.hpp"
#include "util/time.hpp"

namespace custos::auth {

namespace {
std::optional<std::int64_t> opt(const store::Row& r, std::size_t i) { return r.opt_i64(i); }

constexpr const char* kTokenColumns =
    "t.id, u.username, t.name, t.created_by, t.created_at, t.expires_at, t.revoked_at, "
    "t.last_used_at";

TokenInfo token_from_row(const store::Row& r) {
  return TokenInfo{r.i64(0), r.str(1),  r.str(2),  r.str(3),
                   r.i64(4), opt(r, 5), opt(r, 6), opt(r, 7)};
}

nlohmann::json time_or_null(const std::optional<std::int64_t>& t) {
  return t ? nlohmann::json(util::to_rfc3339(*t)) : nlohmann::json(nullptr);
}

Principal principal_of(User user, AuthMethod method, std::int64_t credential_id) {
  Principal p;
  p.user_id = user.id;
  p.username = user.username;
  p.display_name = user.display_name;
  p.roles = user.roles;
  p.method = method;
  p.credential_id = credential_id;
  p.account = std::make_shared<const User>(std::move(user));
  return p;
}
}  // namespace

nlohmann::json to_json(const TokenInfo& t) {
  return {{"id", t.id},
          {"user", t.username},
          {"name", t.name},
          {"created_by", t.created_by},
          {"created_at", util::to_rfc3339(t.created_at)},
          {"expires_at", time_or_null(t.expires_at)},
          {"revoked_at", time_or_null(t.revoked_at)},
          {"last_used_at", time_or_null(t.last_used_at)}};
}

NewSession Credentials::create_session(store::Connection& c, std::int64_t user_id,
                                       bool enrolment_only, const std::string& source_address) {
  NewSession s;
  s.token = util::random_token(32);
  s.csrf_token = util::random_token(24);
  s.expires_at = util::now_ms() + session_ttl_ms_;
  s.enrolment_only = enrolment_only;
  auto row = c.query_one(
      "INSERT INTO sessions (token_hash, user_id, csrf_token, enrolment_only, created_at,"
      " expires_at, source_address) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
      {util::sha256_hex(s.token), user_id, s.csrf_token, std::int64_t{enrolment_only ? 1 : 0},
       util::now_ms(), s.expires_at, source_address});
  s.id = row->i64(0);
  return s;
}

std::optional<Principal> Credentials::authenticate_session(const std::string& cookie_value) {
  if (cookie_value.empty() || cookie_value.size() > 128) return std::nullopt;
  std::optional<Principal> p;
  db_.read([&](store::Connection& c) {
    static const std::string sql = "SELECT s.id, s.csrf_token, s.enrolment_only, " +
                                   Accounts::joined_columns() +
                                   " FROM sessions s JOIN users u ON u.id = s.user_id"
                                   " WHERE s.token_hash = ? AND s.expires_at > ? AND u.active = 1";
    auto r = c.query_one(sql, {util::sha256_hex(cookie_value), util::now_ms()});
    if (!r) return;
    p = principal_of(Accounts::from_row(*r, 3), AuthMethod::session, r->i64(0));
    p->csrf_token = r->str(1);
    p->enrolment_only = r->i64(2) != 0;
  });
  return p;
}

void Credentials::end_session(std::int64_t session_id, const std::string& actor) {
  db_.write([&](store::Connection& c) {
    if (c.execute("DELETE FROM sessions WHERE id = ?", {session_id}) > 0) {
      audit_.append(c, {actor, "auth.logout", "session", std::to_string(session_id), {}});
    }
  });
}

IssuedToken Credentials::issue_token(std::int64_t user_id, const std::string& name,
                                     std::optional<std::int64_t> ttl_ms, const std::string& actor) {
  IssuedToken out;
  out.token = std::string(kTokenPrefix) + util::random_token(32);
  const std::int64_t now = util::now_ms();
  std::optional<std::int64_t> expires;
  if (ttl_ms) expires = now + *ttl_ms;
  db_.write([&](store::Connection& c) {
    auto user = c.query_one("SELECT username FROM users WHERE id = ?", {user_id});
    if (!user) throw std::invalid_argument("no such user");
    auto row = c.query_one(
        "INSERT INTO api_tokens (user_id, name, token_hash, created_by, created_at, expires_at)"
        " VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
        {user_id, name, util::sha256_hex(out.token), actor, now, store::maybe(expires)});
    out.info = TokenInfo{row->i64(0), user->str(0), name, actor, now, expires, {}, {}};
    audit_.append(c, {actor,
                      "token.issue",
                      "token",
                      std::to_string(out.info.id),
                      {{"after", to_json(out.info)}}});
  });
  return out;
}

std::optional<Principal> Credentials::authenticate_token(const std::string& bearer) {
  if (!bearer.starts_with(kTokenPrefix) || bearer.size() > 128) return std::nullopt;
  std::optional<Principal> p;
  db_.read([&](store::Connection& c) {
    static const std::string sql =
        "SELECT t.id, " + Accounts::joined_columns() +
        " FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE t.token_hash = ?"
        " AND t.revoked_at IS NULL AND (t.expires_at IS NULL OR t.expires_at > ?) AND u.active = 1";
    auto r = c.query_one(sql, {util::sha256_hex(bearer), util::now_ms()});
    if (!r) return;
    p = principal_of(Accounts::from_row(*r, 1), AuthMethod::token, r->i64(0));
  });
  if (p) note_token_use(p->credential_id);
  return p;
}

void Credentials::note_token_use(std::int64_t token_id) {
  const std::int64_t now = util::now_ms();
  {
    std::lock_guard lock(last_use_mutex_);
    auto& written = last_use_written_[token_id];
    if (now - written < 60'000) return;
    written = now;
  }
  db_.write([&](store::Connection& c) {
    c.execute("UPDATE api_tokens SET last_used_at = ? WHERE id = ?", {now, token_id});
  });
}

std::vector<TokenInfo> Credentials::list_tokens(std::optional<std::int64_t> user_id) {
  std::vector<TokenInfo> out;
  db_.read([&](store::Connection& c) {
    auto rows = c.query(std::string("SELECT ") + kTokenColumns +
                            " FROM api_tokens t JOIN users u ON u.id = t.user_id"
                            " WHERE (CAST(? AS BIGINT) IS NULL OR t.user_id = ?) ORDER BY t.id",
                        {store::maybe(user_id), store::maybe(user_id)});
    for (const auto& r : rows) out.push_back(token_from_row(r));
  });
  return out;
}

std::optional<TokenInfo> Credentials::find_token(std::int64_t id) {
  std::optional<TokenInfo> out;
  db_.read([&](store::Connection& c) {
    if (auto r =
            c.query_one(std::string("SELECT ") + kTokenColumns +
                            " FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE t.id = ?",
                        {id})) {
      out = token_from_row(*r);
    }
  });
  return out;
}

bool Credentials::revoke_token(std::int64_t id, std::optional<std::int64_t> owner,
                               const std::string& actor) {
  bool found = false;
  db_.write([&](store::Connection& c) {
    auto r = c.query_one("SELECT user_id, revoked_at FROM api_tokens WHERE id = ?", {id});
    if (!r || (owner && r->i64(0) != *owner)) return;
    found = true;
    if (!r->is_null(1)) return;  // revoking twice is not an error and not a change
    c.execute("UPDATE api_tokens SET revoked_at = ? WHERE id = ?", {util::now_ms(), id});
    audit_.append(c, {actor, "token.revoke", "token", std::to_string(id), {}});
  });
  return found;
}

}  // namespace custos::auth
