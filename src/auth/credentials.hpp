#pragma once
// Browser sessions and API bearer tokens. Only SHA-256 digests of the secrets are
// stored, so a copy of the database does not let anyone sign in.
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include <nlohmann/json.hpp>

#include "auth/principal.hpp"
#include "store/database.hpp"

namespace custos::audit {
class AuditLog;
}

namespace custos::auth {

struct NewSession {
  std::string token;  // cookie value, shown once
  std::string csrf_token;
  std::int64_t id = 0;
  std::int64_t expires_at = 0;
  bool enrolment_only = false;
};

struct TokenInfo {
  std::int64_t id = 0;
  std::string username;
  std::string name;
  std::string created_by;
  std::int64_t created_at = 0;
  std::optional<std::int64_t> expires_at, revoked_at, last_used_at;
};
nlohmann::json to_json(const TokenInfo& token);

struct IssuedToken {
  TokenInfo info;
  std::string token;  // the bearer secret, shown once
};

inline constexpr std::string_view kTokenPrefix = "cst_";

class Credentials {
 public:
  Credentials(store::Database& db, const audit::AuditLog& audit, std::int64_t session_ttl_ms)
      : db_(db), audit_(audit), session_ttl_ms_(session_ttl_ms) {}

  // Sessions. create_session runs inside the login's write transaction.
  NewSession create_session(store::Connection& c, std::int64_t user_id, bool enrolment_only,
                            const std::string& source_address);
  std::optional<Principal> authenticate_session(const std::string& cookie_value);
  void end_session(std::int64_t session_id, const std::string& actor);

  // Tokens.
  IssuedToken issue_token(std::int64_t user_id, const std::string& name,
                          std::optional<std::int64_t> ttl_ms, const std::string& actor);
  std::optional<Principal> authenticate_token(const std::string& bearer);
  std::vector<TokenInfo> list_tokens(std::optional<std::int64_t> user_id);
  std::optional<TokenInfo> find_token(std::int64_t id);
  // Returns false if there is no such token (or it belongs to someone else when owner is set).
  bool revoke_token(std::int64_t id, std::optional<std::int64_t> owner, const std::string& actor);

 private:
  // last_used_at is written at most once a minute per token, off the hot path.
  void note_token_use(std::int64_t token_id);

  store::Database& db_;
  const audit::AuditLog& audit_;
  std::int64_t session_ttl_ms_;
  std::mutex last_use_mutex_;
  std::unordered_map<std::int64_t, std::int64_t> last_use_written_;
};

}  // namespace custos::auth
