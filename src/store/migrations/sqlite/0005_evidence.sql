-- Evidence vault: items attached to an incident, their append-only chain of custody, and
-- legal holds on incidents. Times are UTC epoch milliseconds.

CREATE TABLE evidence_items (
  id INTEGER PRIMARY KEY,
  incident_id INTEGER NOT NULL REFERENCES incidents(id),
  item_type TEXT NOT NULL,                   -- disk_image, memory_capture, ..., physical_item
  description TEXT NOT NULL,
  source TEXT NOT NULL DEFAULT '',           -- where it came from (host, mailbox, person)
  location TEXT NOT NULL DEFAULT '',         -- where it is kept now (locker, vault, custos)
  collected_by TEXT NOT NULL,                -- a person's name: collectors need not be users
  collected_at INTEGER NOT NULL,
  method TEXT NOT NULL DEFAULT '',           -- method or tool (e.g. "FTK Imager 4.7, write blocker")
  custodian TEXT NOT NULL,                   -- who holds it now (changes with transfers)
  declared_hash_algorithm TEXT,              -- sha256 | sha512 | sha1 | md5, as declared by the collector
  declared_hash TEXT,                        -- lower-case hex
  sha256 TEXT,                               -- computed by custos while storing the content
  sha512 TEXT,
  declared_hash_matches INTEGER,             -- NULL until content is stored or when nothing was declared
  size INTEGER,
  content_type TEXT,
  filename TEXT,
  encrypted INTEGER NOT NULL DEFAULT 0,      -- stored with crypto_secretstream
  content_stored_at INTEGER,
  integrity TEXT NOT NULL DEFAULT 'unverified',  -- unverified | ok | mismatch | missing
  last_verified_at INTEGER,
  state TEXT NOT NULL DEFAULT 'active',      -- active | disposed
  created_by INTEGER REFERENCES users(id),
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE INDEX evidence_items_incident ON evidence_items(incident_id, id);
CREATE INDEX evidence_items_sha256 ON evidence_items(sha256);

-- Append-only: rows are never changed or removed (no endpoint does, and the triggers refuse).
CREATE TABLE evidence_custody (
  id INTEGER PRIMARY KEY,
  evidence_id INTEGER NOT NULL REFERENCES evidence_items(id),
  action TEXT NOT NULL,                      -- collected, received, transferred, accessed, ...
  actor TEXT NOT NULL,                       -- "user:alice", "system"
  from_party TEXT,
  to_party TEXT,
  at INTEGER NOT NULL,
  location TEXT NOT NULL DEFAULT '',
  purpose TEXT NOT NULL DEFAULT '',
  audit_seq INTEGER NOT NULL                 -- the audit entry written with it
);
CREATE INDEX evidence_custody_item ON evidence_custody(evidence_id, id);
CREATE TRIGGER evidence_custody_no_update BEFORE UPDATE ON evidence_custody
BEGIN SELECT RAISE(ABORT, 'evidence_custody is append-only'); END;
CREATE TRIGGER evidence_custody_no_delete BEFORE DELETE ON evidence_custody
BEGIN SELECT RAISE(ABORT, 'evidence_custody is append-only'); END;

-- One row per hold; released holds stay as history.
CREATE TABLE legal_holds (
  id INTEGER PRIMARY KEY,
  incident_id INTEGER NOT NULL REFERENCES incidents(id),
  reason TEXT NOT NULL,
  set_by TEXT NOT NULL,
  set_at INTEGER NOT NULL,
  released_by TEXT,
  released_at INTEGER,
  release_reason TEXT
);
CREATE UNIQUE INDEX legal_holds_active ON legal_holds(incident_id) WHERE released_at IS NULL;
