-- Bans made by detection jails. A row is the ban of one address by one jail; it stays as
-- history once lifted (by expiry or by an administrator), which is how repeat offenders are
-- recognised and their ban lengthened. Times are UTC epoch milliseconds.
CREATE TABLE detection_bans (
  id INTEGER PRIMARY KEY,
  jail TEXT NOT NULL,
  address TEXT NOT NULL,                -- canonical text (inet_ntop)
  family INTEGER NOT NULL,              -- 4 or 6
  banned_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  ban_number INTEGER NOT NULL,          -- 1 for the first ban of this address in this jail
  failures INTEGER NOT NULL,
  user_name TEXT,                       -- the user the last failure named, if any
  lifted_at INTEGER,                    -- NULL while active
  lifted_by TEXT,                       -- "expiry" or the administrator ("user:alice")
  lift_reason TEXT
);
-- At most one active ban per jail and address.
CREATE UNIQUE INDEX detection_bans_active ON detection_bans(jail, address) WHERE lifted_at IS NULL;
CREATE INDEX detection_bans_expiry ON detection_bans(expires_at) WHERE lifted_at IS NULL;
CREATE INDEX detection_bans_history ON detection_bans(jail, address, banned_at);

-- Where each file source stopped reading, so a restart continues there (same inode) or starts a
-- rotated file from its beginning.
CREATE TABLE detection_file_offsets (
  source TEXT PRIMARY KEY,
  path TEXT NOT NULL,
  inode INTEGER NOT NULL,
  read_offset INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
