-- Accounts, sessions, API tokens, login throttling, settings and the audit log.
-- Times are UTC epoch milliseconds.

CREATE TABLE users (
  id INTEGER PRIMARY KEY,
  username TEXT NOT NULL UNIQUE,
  email TEXT,
  display_name TEXT NOT NULL,
  roles TEXT NOT NULL,                       -- comma-separated role names
  password_hash TEXT NOT NULL,               -- Argon2id, libsodium string format
  active INTEGER NOT NULL DEFAULT 1,
  mfa_required INTEGER NOT NULL DEFAULT 0,
  totp_secret TEXT,                          -- base32; set while enrolling and once enrolled
  totp_enabled INTEGER NOT NULL DEFAULT 0,
  totp_last_step INTEGER NOT NULL DEFAULT 0, -- rejects replay of a code already used
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  version INTEGER NOT NULL DEFAULT 1
);

CREATE TABLE api_tokens (
  id INTEGER PRIMARY KEY,
  user_id INTEGER NOT NULL REFERENCES users(id),
  name TEXT NOT NULL,
  token_hash TEXT NOT NULL UNIQUE,           -- SHA-256 of the bearer token, hex
  created_by TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  expires_at INTEGER,
  revoked_at INTEGER,
  last_used_at INTEGER
);
CREATE INDEX api_tokens_user ON api_tokens(user_id);

CREATE TABLE sessions (
  id INTEGER PRIMARY KEY,
  token_hash TEXT NOT NULL UNIQUE,           -- SHA-256 of the cookie value, hex
  user_id INTEGER NOT NULL REFERENCES users(id),
  csrf_token TEXT NOT NULL,
  enrolment_only INTEGER NOT NULL DEFAULT 0, -- MFA is required but not yet enrolled
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  source_address TEXT NOT NULL
);
CREATE INDEX sessions_user ON sessions(user_id);

CREATE TABLE login_throttle (
  kind TEXT NOT NULL,                        -- 'account' or 'address'
  subject TEXT NOT NULL,                     -- username as typed (lower case) or address
  failures INTEGER NOT NULL,
  window_start INTEGER NOT NULL,
  lockouts INTEGER NOT NULL DEFAULT 0,       -- consecutive lockouts, drives the backoff
  locked_until INTEGER NOT NULL DEFAULT 0,
  last_failure_at INTEGER NOT NULL,
  PRIMARY KEY (kind, subject)
);

CREATE TABLE settings (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
);

CREATE TABLE audit_log (
  seq INTEGER PRIMARY KEY,
  at INTEGER NOT NULL,
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  object_type TEXT NOT NULL,
  object_id TEXT NOT NULL,
  detail TEXT NOT NULL,                      -- JSON of the change, secrets removed
  digest TEXT NOT NULL,                      -- SHA-256 of detail, hex
  prev_hash TEXT NOT NULL,
  hash TEXT NOT NULL
);
CREATE INDEX audit_log_object ON audit_log(object_type, object_id, seq);
CREATE INDEX audit_log_actor ON audit_log(actor, seq);
CREATE INDEX audit_log_action ON audit_log(action, seq);
CREATE INDEX audit_log_at ON audit_log(at);

-- The application only ever appends. These triggers stop accidental edits; the hash
-- chain and signed checkpoints prove that nobody bypassed them.
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;

CREATE TABLE audit_checkpoints (
  seq INTEGER PRIMARY KEY,                   -- last audit entry covered
  hash TEXT NOT NULL,                        -- hash of that entry
  at INTEGER NOT NULL,
  public_key TEXT NOT NULL,                  -- Ed25519, hex
  signature TEXT NOT NULL                    -- Ed25519 over "custos-audit-checkpoint|seq|hash|at", hex
);

CREATE TABLE idempotency_keys (
  key TEXT NOT NULL,
  principal TEXT NOT NULL,
  method TEXT NOT NULL,
  path TEXT NOT NULL,
  request_digest TEXT NOT NULL,
  status INTEGER NOT NULL,
  response TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (principal, key)
);
