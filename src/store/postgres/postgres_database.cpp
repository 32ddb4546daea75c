#include "store/postgres/postgres_database.hpp"

#include "store/postgres/libpq.hpp"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstring>
#include <random>
#include <thread>
#include <unordered_map>
#include <utility>

#include "store/migrations.hpp"

namespace custos::store {

namespace {

// Type OIDs from the server's catalog (pg_type_d.h is not part of libpq's headers).
constexpr Oid kBoolOid = 16;
constexpr Oid kInt8Oid = 20;
constexpr Oid kInt2Oid = 21;
constexpr Oid kInt4Oid = 23;
constexpr Oid kTextOid = 25;
constexpr Oid kOidOid = 26;
constexpr Oid kFloat4Oid = 700;
constexpr Oid kFloat8Oid = 701;
constexpr Oid kNumericOid = 1700;
constexpr Oid kUnspecifiedOid = 0;  // the server infers the type from the statement

constexpr std::int64_t kMigrationLockKey = 7307262001;
constexpr int kMaxRetries = 3;
// Dynamic SQL (filter combinations) could otherwise grow a connection's cache without bound.
constexpr std::size_t kMaxPreparedStatements = 500;
constexpr auto kAcquireTimeout = std::chrono::seconds(30);
constexpr const char* kConnectTimeoutSeconds = "10";

// A server error with its SQLSTATE, so that transient failures can be retried.
class PgError : public DatabaseError {
 public:
  PgError(const std::string& message, std::string sqlstate)
      : DatabaseError(message), sqlstate_(std::move(sqlstate)) {}
  [[nodiscard]] const std::string& sqlstate() const { return sqlstate_; }

 private:
  std::string sqlstate_;
};

bool is_transient(const std::string& sqlstate) {
  return sqlstate == "40001" || sqlstate == "40P01";  // serialization failure, deadlock
}

struct ResultDeleter {
  void operator()(PGresult* result) const { libpq().PQclear(result); }
};
using Result = std::unique_ptr<PGresult, ResultDeleter>;

// libpq's messages end in a newline and may span lines; error messages here are one line.
std::string one_line(std::string_view text) {
  std::string out;
  for (char c : text) {
    const bool space = c == '\n' || c == '\t' || c == ' ';
    if (!space) {
      out += c;
    } else if (!out.empty() && out.back() != ' ') {
      out += ' ';
    }
  }
  if (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

// ---- placeholder rewriting -------------------------------------------------------------------

bool is_identifier_char(char c) {
  const auto u = static_cast<unsigned char>(c);
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '$' || u >= 0x80;
}

bool is_tag_start(char c) { return is_identifier_char(c) && c != '$' && !(c >= '0' && c <= '9'); }

// `i` is at the opening quote; a doubled quote stands for itself. Returns the index past the end.
std::size_t end_of_quoted(std::string_view sql, std::size_t i, char quote, bool backslash_escapes) {
  for (++i; i < sql.size(); ++i) {
    if (backslash_escapes && sql[i] == '\\') {
      ++i;
    } else if (sql[i] == quote) {
      if (i + 1 < sql.size() && sql[i + 1] == quote) {
        ++i;
      } else {
        return i + 1;
      }
    }
  }
  return sql.size();
}

std::size_t end_of_line_comment(std::string_view sql, std::size_t i) {
  const std::size_t newline = sql.find('\n', i);
  return newline == std::string_view::npos ? sql.size() : newline + 1;
}

// PostgreSQL's block comments nest.
std::size_t end_of_block_comment(std::string_view sql, std::size_t i) {
  int depth = 0;
  while (i < sql.size()) {
    if (sql.substr(i, 2) == "/*") {
      ++depth;
      i += 2;
    } else if (sql.substr(i, 2) == "*/") {
      i += 2;
      if (--depth == 0) return i;
    } else {
      ++i;
    }
  }
  return sql.size();
}

// $$...$$ or $tag$...$tag$ (function bodies). Returns `i` when no dollar quote starts there,
// e.g. for a positional parameter such as $1.
std::size_t end_of_dollar_quoted(std::string_view sql, std::size_t i) {
  std::size_t j = i + 1;
  if (j < sql.size() && is_tag_start(sql[j])) {
    while (j < sql.size() && is_identifier_char(sql[j]) && sql[j] != '$') ++j;
  }
  if (j >= sql.size() || sql[j] != '$') return i;
  const std::string_view tag = sql.substr(i, j - i + 1);
  const std::size_t close = sql.find(tag, j + 1);
  return close == std::string_view::npos ? sql.size() : close + tag.size();
}

// If a literal, quoted identifier or comment starts at `i`, returns the index past its end;
// otherwise returns `i`. Unterminated ones run to the end: the server reports the syntax error.
std::size_t end_of_opaque(std::string_view sql, std::size_t i) {
  const char c = sql[i];
  const char next = i + 1 < sql.size() ? sql[i + 1] : '\0';
  const bool after_identifier = i > 0 && is_identifier_char(sql[i - 1]);
  if (c == '\'') {
    // E'...' strings take backslash escapes, so \' does not end them.
    const bool escape_string = after_identifier && (sql[i - 1] == 'E' || sql[i - 1] == 'e') &&
                               (i < 2 || !is_identifier_char(sql[i - 2]));
    return end_of_quoted(sql, i, '\'', escape_string);
  }
  if (c == '"') return end_of_quoted(sql, i, '"', false);
  if (c == '-' && next == '-') return end_of_line_comment(sql, i);
  if (c == '/' && next == '*') return end_of_block_comment(sql, i);
  // Inside an identifier (foo$bar) a dollar sign starts nothing.
  if (c == '$' && !after_identifier) return end_of_dollar_quoted(sql, i);
  return i;
}

// The N of the last "$N" in a server message, 0 if there is none.
std::size_t parameter_number_in(std::string_view message) {
  const std::size_t dollar = message.rfind('$');
  if (dollar == std::string_view::npos) return 0;
  std::size_t n = 0;
  std::from_chars(message.data() + dollar + 1, message.data() + message.size(), n);
  return n;
}

struct Rewritten {
  std::string sql;
  std::size_t placeholders = 0;
};

Rewritten rewrite(std::string_view sql) {
  Rewritten out;
  out.sql.reserve(sql.size() + 16);
  std::size_t i = 0;
  while (i < sql.size()) {
    const std::size_t end = end_of_opaque(sql, i);
    if (end > i) {
      out.sql.append(sql.substr(i, end - i));
      i = end;
    } else if (sql[i] == '?') {
      out.sql += '$';
      out.sql += std::to_string(++out.placeholders);
      ++i;
    } else {
      out.sql += sql[i++];
    }
  }
  return out;
}

// ---- parameters and results ------------------------------------------------------------------

// Parameters in libpq's text format. `signature` has one letter per parameter type: the same SQL
// with other parameter types needs another prepared statement.
struct EncodedParams {
  std::vector<std::string> numbers;
  std::vector<const char*> values;
  std::vector<Oid> types;
  std::string signature;
};

std::string format_double(double value) {
  char buffer[64];
  const auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, value);  // shortest
  return std::string(buffer, end);
}

EncodedParams encode(std::span<const Value> params) {
  EncodedParams out;
  out.numbers.resize(params.size());
  out.types.resize(params.size(), kUnspecifiedOid);
  out.values.resize(params.size(), nullptr);
  for (std::size_t i = 0; i < params.size(); ++i) {
    const Value& v = params[i];
    if (const auto* n = std::get_if<std::int64_t>(&v)) {
      out.numbers[i] = std::to_string(*n);
      out.values[i] = out.numbers[i].c_str();
      out.types[i] = kInt8Oid;
      out.signature += 'i';
    } else if (const auto* d = std::get_if<double>(&v)) {
      out.numbers[i] = format_double(*d);
      out.values[i] = out.numbers[i].c_str();
      out.types[i] = kFloat8Oid;
      out.signature += 'd';
    } else if (const auto* s = std::get_if<std::string>(&v)) {
      if (s->find('\0') != std::string::npos) {
        throw DatabaseError("parameter " + std::to_string(i + 1) +
                            " contains a NUL byte, which PostgreSQL text cannot hold");
      }
      out.values[i] = s->c_str();
      out.types[i] = kTextOid;
      out.signature += 's';
    } else {
      out.signature += 'n';  // NULL: the type stays unspecified
    }
  }
  return out;
}

template <class T>
std::optional<T> parse_number(const char* text, int length) {
  T value{};
  const auto [end, ec] = std::from_chars(text, text + length, value);
  if (ec != std::errc{} || end != text + length) return std::nullopt;
  return value;
}

Value to_value(const PGresult* result, int row, int column) {
  if (libpq().PQgetisnull(result, row, column)) return nullptr;
  const char* text = libpq().PQgetvalue(result, row, column);
  const int length = libpq().PQgetlength(result, row, column);
  switch (libpq().PQftype(result, column)) {
    case kInt2Oid:
    case kInt4Oid:
    case kInt8Oid:
    case kOidOid:
      if (auto n = parse_number<std::int64_t>(text, length)) return *n;
      break;
    case kFloat4Oid:
    case kFloat8Oid:
    case kNumericOid:
      // A numeric beyond double's range stays text.
      if (auto d = parse_number<double>(text, length)) return *d;
      break;
    case kBoolOid:
      return std::int64_t{text[0] == 't' ? 1 : 0};
    default:
      break;
  }
  return std::string(text, static_cast<std::size_t>(length));
}

Rows to_rows(const PGresult* result) {
  const int row_count = libpq().PQntuples(result);
  const int column_count = libpq().PQnfields(result);
  Rows rows;
  rows.reserve(static_cast<std::size_t>(row_count));
  for (int r = 0; r < row_count; ++r) {
    std::vector<Value> values;
    values.reserve(static_cast<std::size_t>(column_count));
    for (int c = 0; c < column_count; ++c) values.push_back(to_value(result, r, c));
    rows.emplace_back(std::move(values));
  }
  return rows;
}

// ---- URLs, without leaking the password ------------------------------------------------------

struct ConninfoDeleter {
  void operator()(PQconninfoOption* options) const { libpq().PQconninfoFree(options); }
};
using Conninfo = std::unique_ptr<PQconninfoOption, ConninfoDeleter>;

std::string option(const PQconninfoOption* options, std::string_view keyword) {
  for (const PQconninfoOption* o = options; o && o->keyword; ++o) {
    if (keyword == o->keyword && o->val) return o->val;
  }
  return {};
}

// The password as written in the URL (user:PASSWORD@ or ?password=PASSWORD), still
// percent-encoded, so that it can be cut out of libpq's messages about a malformed URL.
std::vector<std::string> raw_passwords(std::string_view url) {
  std::vector<std::string> out;
  const std::size_t scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) return out;
  std::string_view rest = url.substr(scheme_end + 3);
  const std::string_view authority = rest.substr(0, rest.find_first_of("/?"));
  const std::size_t at = authority.rfind('@');
  if (at != std::string_view::npos) {
    const std::string_view userinfo = authority.substr(0, at);
    const std::size_t colon = userinfo.find(':');
    if (colon != std::string_view::npos) out.emplace_back(userinfo.substr(colon + 1));
  }
  for (std::size_t p = url.find("password="); p != std::string_view::npos;
       p = url.find("password=", p + 1)) {
    const std::string_view value = url.substr(p + 9);
    out.emplace_back(value.substr(0, value.find('&')));
  }
  return out;
}

std::string redact(std::string message, const std::vector<std::string>& secrets) {
  for (const std::string& secret : secrets) {
    if (secret.empty()) continue;
    for (std::size_t p = message.find(secret); p != std::string::npos;
         p = message.find(secret, p + 5)) {
      message.replace(p, secret.size(), "*****");
    }
  }
  return message;
}

std::string percent_encode_host(const std::string& host) {
  std::string out;
  for (char c : host) out += c == '/' ? std::string("%2F") : std::string(1, c);
  return out;
}

// postgresql://user@host:port/dbname, filling in what the URL leaves out the way libpq does
// (environment, then built-in defaults).
std::string describe_url(const PQconninfoOption* parsed) {
  const Conninfo defaults(libpq().PQconndefaults());
  auto value = [&](std::string_view keyword) {
    std::string v = option(parsed, keyword);
    return v.empty() ? option(defaults.get(), keyword) : v;
  };
  std::string host = value("host");
  if (host.empty()) host = value("hostaddr");
  const std::string user = value("user");
  std::string dbname = value("dbname");
  if (dbname.empty()) dbname = user;
  return "postgresql://" + user + "@" + percent_encode_host(host) + ":" + value("port") + "/" +
         dbname;
}

}  // namespace

std::string rewrite_placeholders(std::string_view sql) { return rewrite(sql).sql; }

// ---- one pooled connection -------------------------------------------------------------------

namespace detail {

class PgSession final : public Connection {
 public:
  explicit PgSession(PGconn* conn) : conn_(conn) {}
  ~PgSession() override { libpq().PQfinish(conn_); }
  PgSession(const PgSession&) = delete;
  PgSession& operator=(const PgSession&) = delete;

  using Connection::execute;
  using Connection::query;

  Rows query(std::string_view sql, std::span<const Value> params) override {
    return to_rows(run(sql, params).get());
  }

  std::int64_t execute(std::string_view sql, std::span<const Value> params) override {
    const Result result = run(sql, params);
    const char* tuples = libpq().PQcmdTuples(result.get());
    return parse_number<std::int64_t>(tuples, static_cast<int>(std::strlen(tuples))).value_or(0);
  }

  void execute_script(std::string_view sql) override { exec_simple(std::string(sql)); }

  [[nodiscard]] Backend backend() const override { return Backend::postgres; }

  // Runs statements without parameters: transaction control, scripts.
  Result exec_simple(const std::string& sql) { return check(libpq().PQexec(conn_, sql.c_str())); }

  [[nodiscard]] bool healthy() const { return libpq().PQstatus(conn_) == CONNECTION_OK; }

  // Reconnects with the same parameters; prepared statements died with the old session.
  bool reset() {
    statements_.clear();
    libpq().PQreset(conn_);
    return healthy();
  }

  // Runs `step`; if it failed because the connection died while idle in the pool (a server
  // restart), reconnects and runs it once more. Only for steps that changed nothing yet.
  template <class Step>
  auto with_reconnect(Step step) {
    try {
      return step();
    } catch (const DatabaseError&) {
      if (healthy() || !reset()) throw;
    }
    return step();
  }

  void commit() {
    if (libpq().PQtransactionStatus(conn_) == PQTRANS_INERROR) {
      // The work caught an error and carried on; COMMIT would quietly roll back.
      rollback_quietly();
      throw PgError("transaction rolled back after an earlier error: " + last_error_,
                    last_sqlstate_);
    }
    exec_simple("COMMIT");
  }

  void rollback_quietly() noexcept {
    if (!healthy() || libpq().PQtransactionStatus(conn_) == PQTRANS_IDLE) return;
    libpq().PQclear(libpq().PQexec(conn_, "ROLLBACK"));
  }

  // Whether the pool may hand this connection out again.
  [[nodiscard]] bool reusable() {
    rollback_quietly();
    return healthy() && libpq().PQtransactionStatus(conn_) == PQTRANS_IDLE;
  }

 private:
  Result run(std::string_view sql, std::span<const Value> params) {
    const EncodedParams encoded = encode(params);
    const std::string& name = statement_for(sql, encoded);
    return check(libpq().PQexecPrepared(conn_, name.c_str(),
                                        static_cast<int>(encoded.values.size()),
                                        encoded.values.data(), nullptr, nullptr, 0));
  }

  const std::string& statement_for(std::string_view sql, const EncodedParams& params) {
    std::string key = params.signature + '\n' + std::string(sql);
    if (auto it = statements_.find(key); it != statements_.end()) return it->second;
    const Rewritten rewritten = rewrite(sql);
    // SQL without `?` passes through: it may use $n itself, and the server checks the count.
    if (rewritten.placeholders != 0 && rewritten.placeholders != params.values.size()) {
      throw DatabaseError("statement has " + std::to_string(rewritten.placeholders) +
                          " placeholders but " + std::to_string(params.values.size()) +
                          " parameters were given");
    }
    if (statements_.size() >= kMaxPreparedStatements) {
      exec_simple("DEALLOCATE ALL");
      statements_.clear();
    }
    std::string name = "c" + std::to_string(++statement_counter_);
    prepare(name, rewritten.sql, params.types);
    return statements_.emplace(std::move(key), std::move(name)).first->second;
  }

  // A NULL parameter's type is left to the server, which cannot infer it in `? IS NULL`; that
  // parameter is then declared text. Each failed attempt aborts the transaction, so attempts run
  // under a savepoint. Every parameter typed: nothing to infer, no savepoint needed.
  void prepare(const std::string& name, const std::string& sql, std::vector<Oid> types) {
    const bool may_retry = std::count(types.begin(), types.end(), kUnspecifiedOid) > 0 &&
                           libpq().PQtransactionStatus(conn_) == PQTRANS_INTRANS;
    if (!may_retry) {
      check(prepare_once(name, sql, types));
      return;
    }
    exec_simple("SAVEPOINT custos_prepare");
    for (;;) {
      Result result = prepare_once(name, sql, types);
      const std::size_t param = undetermined_parameter(result.get(), types);
      if (param == 0) {
        check(std::move(result));
        exec_simple("RELEASE SAVEPOINT custos_prepare");
        return;
      }
      exec_simple("ROLLBACK TO SAVEPOINT custos_prepare");
      types[param - 1] = kTextOid;
    }
  }

  Result prepare_once(const std::string& name, const std::string& sql,
                      const std::vector<Oid>& types) {
    return Result(libpq().PQprepare(conn_, name.c_str(), sql.c_str(),
                                    static_cast<int>(types.size()), types.data()));
  }

  // For "could not determine data type of parameter $N" (42P18), the 1-based N of a parameter we
  // left unspecified; 0 for success or any other error. Only the message names the parameter;
  // failing that, the first unspecified one is taken.
  static std::size_t undetermined_parameter(const PGresult* result, const std::vector<Oid>& types) {
    const char* sqlstate = result ? libpq().PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
    if (sqlstate == nullptr || std::string_view(sqlstate) != "42P18") return 0;
    const char* message = libpq().PQresultErrorField(result, PG_DIAG_MESSAGE_PRIMARY);
    const std::size_t n = parameter_number_in(message ? message : "");
    if (n >= 1 && n <= types.size() && types[n - 1] == kUnspecifiedOid) return n;
    const auto first = std::find(types.begin(), types.end(), kUnspecifiedOid);
    return first == types.end() ? 0 : static_cast<std::size_t>(first - types.begin()) + 1;
  }

  // Takes ownership of `raw`; throws on any outcome other than success.
  Result check(PGresult* raw) { return check(Result(raw)); }

  Result check(Result result) {
    const ExecStatusType status = result ? libpq().PQresultStatus(result.get()) : PGRES_FATAL_ERROR;
    if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK || status == PGRES_EMPTY_QUERY) {
      return result;
    }
    throw_error(result.get());
  }

  [[noreturn]] void throw_error(const PGresult* result) {
    const char* sqlstate = result ? libpq().PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
    const char* primary =
        result ? libpq().PQresultErrorField(result, PG_DIAG_MESSAGE_PRIMARY) : nullptr;
    last_sqlstate_ = sqlstate ? sqlstate : "";
    // No primary message: the failure is on our side of the wire (lost connection).
    last_error_ = primary ? std::string(primary) : one_line(libpq().PQerrorMessage(conn_));
    if (last_sqlstate_ == "23505") throw UniqueViolation(last_error_);
    if (last_sqlstate_.empty()) throw DatabaseError("PostgreSQL: " + last_error_);
    throw PgError(last_error_ + " (SQLSTATE " + last_sqlstate_ + ")", last_sqlstate_);
  }

  PGconn* conn_;
  std::unordered_map<std::string, std::string> statements_;  // signature + SQL -> name
  std::uint64_t statement_counter_ = 0;
  std::string last_sqlstate_;
  std::string last_error_;
};

}  // namespace detail

using detail::PgSession;

namespace {

// Transactions begin here; on a connection that died in the pool nothing has run yet, so
// beginning again on a fresh one is safe.
void begin(PgSession& session, const std::string& begin_sql) {
  session.with_reconnect([&] { session.exec_simple(begin_sql); });
}

void run_once(PgSession& session, const std::string& begin_sql,
              const std::function<void(Connection&)>& work) {
  begin(session, begin_sql);
  try {
    work(session);
  } catch (...) {
    session.rollback_quietly();
    throw;
  }
  session.commit();
}

void back_off(int attempt) {
  thread_local std::minstd_rand random(std::random_device{}());
  const int base_ms = 5 << attempt;
  std::uniform_int_distribution<int> jitter(0, base_ms);
  std::this_thread::sleep_for(std::chrono::milliseconds(base_ms + jitter(random)));
}

// libpq prints server notices ("relation already exists, skipping") to stderr by default.
void ignore_notice(void*, const char*) {}

}  // namespace

// ---- the pool --------------------------------------------------------------------------------

// A session borrowed from the pool, returned when the lease ends.
class PostgresDatabase::Lease {
 public:
  Lease(PostgresDatabase& owner, std::unique_ptr<PgSession> session)
      : owner_(&owner), session_(std::move(session)) {}
  Lease(Lease&& other) noexcept = default;
  Lease& operator=(Lease&&) = delete;
  ~Lease() {
    if (session_) owner_->release(std::move(session_));
  }
  PgSession& session() { return *session_; }

 private:
  PostgresDatabase* owner_;
  std::unique_ptr<PgSession> session_;
};

namespace {

std::unique_ptr<PgSession> open_session(const std::string& url, const std::string& description,
                                        const std::vector<std::string>& secrets) {
  // Keywords before the expanded URL are defaults the URL may override.
  const char* keywords[] = {"application_name", "client_encoding", "connect_timeout", "dbname",
                            nullptr};
  const char* values[] = {"custos", "UTF8", kConnectTimeoutSeconds, url.c_str(), nullptr};
  PGconn* conn = libpq().PQconnectdbParams(keywords, values, /*expand_dbname=*/1);
  if (conn == nullptr) throw DatabaseError("PostgreSQL: out of memory while connecting");
  if (libpq().PQstatus(conn) != CONNECTION_OK) {
    const std::string message = one_line(libpq().PQerrorMessage(conn));
    libpq().PQfinish(conn);
    throw DatabaseError("cannot connect to " + description + ": " + redact(message, secrets));
  }
  libpq().PQsetNoticeProcessor(conn, ignore_notice, nullptr);
  return std::make_unique<PgSession>(conn);
}

}  // namespace

PostgresDatabase::PostgresDatabase(const std::string& url, const DatabaseOptions& options)
    : url_(url), pool_size_(static_cast<std::size_t>(std::max(2, options.read_connections))) {
  if (!url.starts_with("postgresql://") && !url.starts_with("postgres://")) {
    throw DatabaseError("not a PostgreSQL URL (expected postgresql://...)");
  }
  char* error = nullptr;
  const Conninfo parsed(libpq().PQconninfoParse(url.c_str(), &error));
  if (!parsed) {
    const std::string message = error ? one_line(error) : "out of memory";
    libpq().PQfreemem(error);
    throw DatabaseError("invalid PostgreSQL URL: " + redact(message, raw_passwords(url)));
  }
  description_ = describe_url(parsed.get());
  secrets_ = raw_passwords(url);
  secrets_.push_back(option(parsed.get(), "password"));
  idle_.push_back(open_session(url_, description_, secrets_));
  open_ = 1;
}

PostgresDatabase::~PostgresDatabase() = default;

PostgresDatabase::Lease PostgresDatabase::acquire() {
  std::unique_lock lock(mutex_);
  const bool ready = available_.wait_for(lock, kAcquireTimeout,
                                         [&] { return !idle_.empty() || open_ < pool_size_; });
  if (!ready) {
    throw DatabaseError("all " + std::to_string(pool_size_) + " connections to " + description_ +
                        " stayed busy for " + std::to_string(kAcquireTimeout.count()) + " s");
  }
  if (!idle_.empty()) {
    std::unique_ptr<PgSession> session = std::move(idle_.back());  // the most recently used
    idle_.pop_back();
    return Lease(*this, std::move(session));
  }
  ++open_;  // reserve the slot, then connect without holding the lock
  lock.unlock();
  try {
    return Lease(*this, open_session(url_, description_, secrets_));
  } catch (...) {
    lock.lock();
    --open_;
    available_.notify_one();
    throw;
  }
}

void PostgresDatabase::release(std::unique_ptr<PgSession> session) {
  // A broken connection is dropped; the next acquire opens a replacement.
  if (!session->reusable()) session.reset();
  {
    const std::lock_guard lock(mutex_);
    if (session) {
      idle_.push_back(std::move(session));
    } else {
      --open_;
    }
  }
  available_.notify_one();
}

void PostgresDatabase::run_transaction(const std::string& begin_sql,
                                       const std::function<void(Connection&)>& work) {
  for (int attempt = 0;; ++attempt) {
    try {
      Lease lease = acquire();
      run_once(lease.session(), begin_sql, work);
      return;
    } catch (const PgError& e) {
      if (attempt >= kMaxRetries || !is_transient(e.sqlstate())) throw;
    }
    back_off(attempt);
  }
}

void PostgresDatabase::read(const std::function<void(Connection&)>& work) {
  run_transaction("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", work);
}

void PostgresDatabase::write(const std::function<void(Connection&)>& work) {
  run_transaction("BEGIN", work);
}

int PostgresDatabase::migrate() {
  Lease lease = acquire();
  PgSession& session = lease.session();
  begin(session, "BEGIN");
  try {
    // Held until COMMIT: a concurrent starter waits here, then finds nothing left to apply.
    session.exec_simple("SELECT pg_advisory_xact_lock(" + std::to_string(kMigrationLockKey) + ")");
    const int applied = apply_pending_migrations(session);
    session.commit();
    return applied;
  } catch (...) {
    session.rollback_quietly();
    throw;
  }
}

bool PostgresDatabase::ping() {
  try {
    Lease lease = acquire();
    PgSession& session = lease.session();
    session.with_reconnect([&] { session.exec_simple("SELECT 1"); });
    return true;
  } catch (const std::exception&) {
    return false;
  }
}

}  // namespace custos::store
