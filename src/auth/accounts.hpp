#pragma once
// User accounts: validation, storage and the audit entries for every change.
// Services own their transactions; password hashing (slow by design) happens
// before a transaction opens so it never holds up other writers.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "auth/password.hpp"
#include "auth/roles.hpp"
#include "store/database.hpp"

namespace custos::audit {
class AuditLog;
}

namespace custos::auth {

struct User {
  std::int64_t id = 0;
  std::string username;
  std::optional<std::string> email;
  std::string display_name;
  RoleSet roles;
  bool active = true;
  bool mfa_required = false;
  bool totp_enabled = false;
  std::int64_t created_at = 0;
  std::int64_t updated_at = 0;
  std::int64_t version = 1;
};

nlohmann::json to_json(const User& user);

struct NewUser {
  std::string username;
  std::string display_name;
  std::optional<std::string> email;
  RoleSet roles;
  std::string password;
  bool mfa_required = false;
};

struct UserChanges {
  std::optional<std::string> display_name;
  std::optional<std::optional<std::string>> email;  // set to nullopt to clear
  std::optional<RoleSet> roles;
  std::optional<bool> active;
  std::optional<bool> mfa_required;
};

struct UserQuery {
  std::optional<std::string> search;  // substring of username, display name or email
  std::optional<std::string> after_username;
  int limit = 50;
};

// Returned for rule violations; the API maps `field` to a 422.
struct AccountError : std::runtime_error {
  AccountError(std::string field, std::string message)
      : std::runtime_error(field + ": " + message),
        field(std::move(field)),
        message(std::move(message)) {}
  std::string field;
  std::string message;
};

std::optional<std::string> username_problem(const std::string& username);
std::optional<std::string> email_problem(const std::string& email);

class Accounts {
 public:
  Accounts(store::Database& db, const audit::AuditLog& audit, PasswordParams params)
      : db_(db), audit_(audit), params_(params) {}

  User create(const NewUser& user, const std::string& actor);
  std::optional<User> find(const std::string& username);
  std::optional<User> find_by_id(std::int64_t id);
  std::vector<User> list(const UserQuery& query);
  // Applies changes if `expected_version` matches; nullopt when the user does not exist.
  // Throws VersionConflict when it does not match.
  std::optional<User> update(const std::string& username, std::int64_t expected_version,
                             const UserChanges& changes, const std::string& actor);
  // Sets a new password and ends every session of the user except `keep_session_id`.
  void set_password(std::int64_t user_id, const std::string& password, const std::string& actor,
                    std::int64_t keep_session_id = 0);
  bool check_password(std::int64_t user_id, const std::string& password);
  std::int64_t count_users();

  // Second factor enrolment.
  std::string begin_totp_enrolment(std::int64_t user_id, const std::string& actor);
  bool confirm_totp(std::int64_t user_id, const std::string& code, std::int64_t session_id,
                    const std::string& actor);
  void disable_totp(std::int64_t user_id, const std::string& actor);

  // A user from `columns()` read at `first` onwards in a row.
  static User from_row(const store::Row& row, std::size_t first = 0);
  static const char* columns();
  // The same columns, each prefixed "u." for queries that join users as u.
  static const std::string& joined_columns();

 private:
  store::Database& db_;
  const audit::AuditLog& audit_;
  PasswordParams params_;
};

struct VersionConflict : std::runtime_error {
  explicit VersionConflict(std::int64_t current)
      : std::runtime_error("version conflict"), current_version(current) {}
  std::int64_t current_version;
};

}  // namespace custos::auth
