#include "auth/accounts.hpp"

#include "audit/audit_log.hpp"
#include "auth/totp.hpp"
#include "util/time.hpp"
#include "util/utf8.hpp"

namespace custos::auth {

namespace {

nlohmann::json audit_view(const User& u) {
  return {{"username", u.username},
          {"display_name", u.display_name},
          {"email", u.email ? nlohmann::json(*u.email) : nlohmann::json(nullptr)},
          {"roles", u.roles.names()},
          {"active", u.active},
          {"mfa_required", u.mfa_required},
          {"totp_enabled", u.totp_enabled}};
}

void check_display_name(const std::string& name) {
  if (name.empty()) throw AccountError("display_name", "must not be empty");
  if (name.size() > 200) throw AccountError("display_name", "must be at most 200 bytes");
  if (!util::is_valid_utf8(name)) throw AccountError("display_name", "must be valid UTF-8");
  for (unsigned char c : name) {
    if (c < 0x20 || c == 0x7f)
      throw AccountError("display_name", "must not contain control characters");
  }
}

// The policy's messages start with "password ..."; the field name already says that.
std::string without_subject(std::string message) {
  constexpr std::string_view kSubject = "password ";
  if (message.starts_with(kSubject)) message.erase(0, kSubject.size());
  return message;
}

}  // namespace

std::optional<std::string> username_problem(const std::string& username) {
  if (username.empty()) return "must not be empty";
  if (username.size() > 64) return "must be at most 64 characters";
  const auto ok_first = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); };
  if (!ok_first(username.front())) return "must start with a lower-case letter or digit";
  for (char c : username) {
    if (!(ok_first(c) || c == '.' || c == '_' || c == '-' || c == '@')) {
      return "may contain only a-z, 0-9, '.', '_', '-' and '@'";
    }
  }
  return std::nullopt;
}

std::optional<std::string> email_problem(const std::string& email) {
  if (email.size() > 254) return "must be at most 254 characters";
  const auto at = email.find('@');
  if (at == std::string::npos || at == 0 || at + 1 >= email.size() ||
      email.find('@', at + 1) != std::string::npos || email.find('.', at) == std::string::npos) {
    return "must be an e-mail address like name@example.org";
  }
  for (unsigned char c : email) {
    if (c <= 0x20 || c == 0x7f || c == '<' || c == '>' || c == ',' || c == ';') {
      return "must be an e-mail address like name@example.org";
    }
  }
  return std::nullopt;
}

nlohmann::json to_json(const User& u) {
  // Assigned member by member: a braced initializer list would copy every value twice.
  nlohmann::json j = nlohmann::json::object();
  j["id"] = u.id;
  j["username"] = u.username;
  j["display_name"] = u.display_name;
  j["email"] = u.email ? nlohmann::json(*u.email) : nlohmann::json(nullptr);
  j["roles"] = u.roles.names();
  j["active"] = u.active;
  j["mfa_required"] = u.mfa_required;
  j["mfa_enabled"] = u.totp_enabled;
  j["created_at"] = util::to_rfc3339(u.created_at);
  j["updated_at"] = util::to_rfc3339(u.updated_at);
  j["version"] = u.version;
  return j;
}

const char* Accounts::columns() {
  return "id, username, email, display_name, roles, active, mfa_required, totp_enabled, "
         "created_at, updated_at, version";
}

const std::string& Accounts::joined_columns() {
  static const std::string joined = [] {
    std::string out = "u.";
    for (const char* c = columns(); *c != '\0'; ++c) {
      out += *c;
      if (*c == ' ') out += "u.";
    }
    return out;
  }();
  return joined;
}

User Accounts::from_row(const store::Row& r, std::size_t first) {
  User u;
  u.id = r.i64(first);
  u.username = r.str(first + 1);
  u.email = r.opt_str(first + 2);
  u.display_name = r.str(first + 3);
  u.roles = RoleSet::from_csv(r.str(first + 4));
  u.active = r.i64(first + 5) != 0;
  u.mfa_required = r.i64(first + 6) != 0;
  u.totp_enabled = r.i64(first + 7) != 0;
  u.created_at = r.i64(first + 8);
  u.updated_at = r.i64(first + 9);
  u.version = r.i64(first + 10);
  return u;
}

User Accounts::create(const NewUser& in, const std::string& actor) {
  if (auto p = username_problem(in.username)) throw AccountError("username", *p);
  check_display_name(in.display_name);
  if (in.email) {
    if (auto p = email_problem(*in.email)) throw AccountError("email", *p);
  }
  if (in.roles.empty()) throw AccountError("roles", "at least one role is required");
  if (auto p = password_policy_violation(in.password)) {
    throw AccountError("password", without_subject(*p));
  }
  const std::string hash = hash_password(in.password, params_);
  const std::int64_t now = util::now_ms();
  User user;
  db_.write([&](store::Connection& c) {
    auto row = c.query_one(
        std::string(
            "INSERT INTO users (username, email, display_name, roles, password_hash, "
            "mfa_required, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING ") +
            columns(),
        {in.username, store::maybe(in.email), in.display_name, in.roles.to_csv(), hash,
         std::int64_t{in.mfa_required ? 1 : 0}, now, now});
    user = from_row(*row);
    audit_.append(c, {actor, "user.create", "user", user.username, {{"after", audit_view(user)}}});
  });
  return user;
}

std::optional<User> Accounts::find(const std::string& username) {
  std::optional<User> out;
  db_.read([&](store::Connection& c) {
    if (auto r = c.query_one(std::string("SELECT ") + columns() + " FROM users WHERE username = ?",
                             {username})) {
      out = from_row(*r);
    }
  });
  return out;
}

std::optional<User> Accounts::find_by_id(std::int64_t id) {
  std::optional<User> out;
  db_.read([&](store::Connection& c) {
    if (auto r =
            c.query_one(std::string("SELECT ") + columns() + " FROM users WHERE id = ?", {id})) {
      out = from_row(*r);
    }
  });
  return out;
}

std::vector<User> Accounts::list(const UserQuery& q) {
  std::vector<User> out;
  std::optional<std::string> pattern;
  if (q.search) {
    // Escape LIKE wildcards so that a search for "a_b" means exactly that.
    std::string escaped;
    for (char ch : *q.search) {
      if (ch == '%' || ch == '_' || ch == '\\') escaped.push_back('\\');
      escaped.push_back(ch);
    }
    pattern = "%" + escaped + "%";
  }
  db_.read([&](store::Connection& c) {
    auto rows =
        c.query(std::string("SELECT ") + columns() +
                    " FROM users WHERE (CAST(? AS TEXT) IS NULL OR username > ?)"
                    " AND (CAST(? AS TEXT) IS NULL OR LOWER(username) LIKE LOWER(?) ESCAPE '\\'"
                    " OR LOWER(display_name) LIKE LOWER(?) ESCAPE '\\'"
                    " OR LOWER(COALESCE(email, '')) LIKE LOWER(?) ESCAPE '\\')"
                    " ORDER BY username LIMIT ?",
                {store::maybe(q.after_username), store::maybe(q.after_username),
                 store::maybe(pattern), store::maybe(pattern), store::maybe(pattern),
                 store::maybe(pattern), std::int64_t{q.limit}});
    for (const auto& r : rows) out.push_back(from_row(r));
  });
  return out;
}

std::optional<User> Accounts::update(const std::string& username, std::int64_t expected_version,
                                     const UserChanges& ch, const std::string& actor) {
  if (ch.display_name) check_display_name(*ch.display_name);
  if (ch.email && *ch.email) {
    if (auto p = email_problem(**ch.email)) throw AccountError("email", *p);
  }
  if (ch.roles && ch.roles->empty()) throw AccountError("roles", "at least one role is required");
  std::optional<User> result;
  db_.write([&](store::Connection& c) {
    auto row = c.query_one(std::string("SELECT ") + columns() + " FROM users WHERE username = ?",
                           {username});
    if (!row) return;
    const User before = from_row(*row);
    if (before.version != expected_version) throw VersionConflict(before.version);
    User after = before;
    if (ch.display_name) after.display_name = *ch.display_name;
    if (ch.email) after.email = *ch.email;
    if (ch.roles) after.roles = *ch.roles;
    if (ch.active) after.active = *ch.active;
    if (ch.mfa_required) after.mfa_required = *ch.mfa_required;
    after.updated_at = util::now_ms();
    after.version = before.version + 1;
    const auto changed = c.execute(
        "UPDATE users SET display_name = ?, email = ?, roles = ?, active = ?, mfa_required = ?,"
        " updated_at = ?, version = ? WHERE id = ? AND version = ?",
        {after.display_name, store::maybe(after.email), after.roles.to_csv(),
         std::int64_t{after.active ? 1 : 0}, std::int64_t{after.mfa_required ? 1 : 0},
         after.updated_at, after.version, after.id, before.version});
    if (changed == 0) throw VersionConflict(before.version + 1);
    if (!after.active && before.active) {
      // A deactivated account loses its sessions at once; its tokens stop working
      // because authentication checks users.active.
      c.execute("DELETE FROM sessions WHERE user_id = ?", {after.id});
    }
    audit_.append(c, {actor,
                      "user.update",
                      "user",
                      after.username,
                      {{"before", audit_view(before)}, {"after", audit_view(after)}}});
    result = after;
  });
  return result;
}

void Accounts::set_password(std::int64_t user_id, const std::string& password,
                            const std::string& actor, std::int64_t keep_session_id) {
  if (auto p = password_policy_violation(password)) {
    throw AccountError("password", without_subject(*p));
  }
  const std::string hash = hash_password(password, params_);
  db_.write([&](store::Connection& c) {
    auto row = c.query_one("SELECT username FROM users WHERE id = ?", {user_id});
    if (!row) throw AccountError("username", "no such user");
    c.execute(
        "UPDATE users SET password_hash = ?, updated_at = ?, version = version + 1 WHERE id = ?",
        {hash, util::now_ms(), user_id});
    c.execute("DELETE FROM sessions WHERE user_id = ? AND id <> ?", {user_id, keep_session_id});
    audit_.append(c, {actor, "user.password_set", "user", row->str(0), {{"sessions_ended", true}}});
  });
}

bool Accounts::check_password(std::int64_t user_id, const std::string& password) {
  std::string hash;
  db_.read([&](store::Connection& c) {
    if (auto r = c.query_one("SELECT password_hash FROM users WHERE id = ?", {user_id})) {
      hash = r->str(0);
    }
  });
  if (hash.empty()) {
    burn_verify_time(password);
    return false;
  }
  return verify_password(hash, password);
}

std::int64_t Accounts::count_users() {
  return db_.read_value(
      [](store::Connection& c) { return c.query_one("SELECT COUNT(*) FROM users")->i64(0); });
}

std::string Accounts::begin_totp_enrolment(std::int64_t user_id, const std::string& actor) {
  std::string secret = generate_totp_secret();
  db_.write([&](store::Connection& c) {
    auto row = c.query_one("SELECT username, totp_enabled FROM users WHERE id = ?", {user_id});
    if (!row) throw AccountError("user", "no such user");
    if (row->i64(1) != 0) throw AccountError("totp", "a second factor is already enrolled");
    c.execute("UPDATE users SET totp_secret = ?, updated_at = ? WHERE id = ?",
              {secret, util::now_ms(), user_id});
    audit_.append(c, {actor, "user.totp_enrolment_started", "user", row->str(0), {}});
  });
  return secret;
}

bool Accounts::confirm_totp(std::int64_t user_id, const std::string& code, std::int64_t session_id,
                            const std::string& actor) {
  bool confirmed = false;
  db_.write([&](store::Connection& c) {
    auto row = c.query_one(
        "SELECT username, totp_secret, totp_enabled, totp_last_step FROM users WHERE id = ?",
        {user_id});
    if (!row || row->is_null(1)) throw AccountError("code", "start the enrolment first");
    if (row->i64(2) != 0) throw AccountError("code", "a second factor is already enrolled");
    auto step = verify_totp(row->str(1), code, util::now_ms() / 1000, row->i64(3));
    if (!step) return;
    c.execute(
        "UPDATE users SET totp_enabled = 1, totp_last_step = ?, updated_at = ?,"
        " version = version + 1 WHERE id = ?",
        {*step, util::now_ms(), user_id});
    // The session that proved the factor may now do everything its roles allow.
    c.execute("UPDATE sessions SET enrolment_only = 0 WHERE id = ? AND user_id = ?",
              {session_id, user_id});
    audit_.append(c, {actor, "user.totp_enabled", "user", row->str(0), {}});
    confirmed = true;
  });
  return confirmed;
}

void Accounts::disable_totp(std::int64_t user_id, const std::string& actor) {
  db_.write([&](store::Connection& c) {
    auto row = c.query_one("SELECT username FROM users WHERE id = ?", {user_id});
    if (!row) throw AccountError("user", "no such user");
    c.execute(
        "UPDATE users SET totp_secret = NULL, totp_enabled = 0, totp_last_step = 0,"
        " updated_at = ?, version = version + 1 WHERE id = ?",
        {util::now_ms(), user_id});
    audit_.append(c, {actor, "user.totp_disabled", "user", row->str(0), {}});
  });
}

}  // namespace custos::auth
