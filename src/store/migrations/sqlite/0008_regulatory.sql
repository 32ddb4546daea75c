-- Regulatory clocks: an incident flagged as a personal-data breach (GDPR Art. 33) or as
-- significant under NIS2 (Art. 23) owes the authorities notifications by deadlines counted
-- from the moment of awareness. Times are UTC epoch milliseconds.

-- One row per incident and regime once it was flagged; withdrawing keeps the row (and why).
CREATE TABLE regulatory_flags (
  incident_id INTEGER NOT NULL REFERENCES incidents(id),
  regime TEXT NOT NULL,                      -- gdpr, nis2
  active INTEGER NOT NULL,                   -- 0 once withdrawn
  aware_at INTEGER NOT NULL,                 -- when the organisation became aware
  flagged_at INTEGER NOT NULL,
  flagged_by INTEGER REFERENCES users(id),
  withdrawn_at INTEGER,
  withdrawn_by INTEGER REFERENCES users(id),
  withdraw_reason TEXT,
  PRIMARY KEY (incident_id, regime)
);

-- What is owed: one row per incident and obligation, with its deadline, what was submitted
-- and when the sweep found it overdue.
CREATE TABLE regulatory_obligations (
  id INTEGER PRIMARY KEY,
  incident_id INTEGER NOT NULL REFERENCES incidents(id),
  obligation TEXT NOT NULL,                  -- gdpr_notification, nis2_early_warning, ...
  starts_at INTEGER NOT NULL,                -- when its time starts: awareness, or the notification
  due_at INTEGER NOT NULL,
  submitted_at INTEGER,                      -- NULL while not met
  recipient TEXT,                            -- the authority it went to
  reference TEXT,                            -- the authority's reference number
  note TEXT,
  recorded_by INTEGER REFERENCES users(id),
  recorded_at INTEGER,
  overdue_at INTEGER,                        -- set once, by the sweep, when the deadline passed unmet
  next_look_at INTEGER,                      -- when the sweep must look again; NULL: never
  UNIQUE (incident_id, obligation)
);
CREATE INDEX regulatory_obligations_due ON regulatory_obligations(next_look_at)
  WHERE next_look_at IS NOT NULL;

-- Each reminder (percent of the time gone; 100 is the deadline) fires at most once, ever: the
-- sweep acts only when its insert of the row did.
CREATE TABLE regulatory_reminders (
  obligation_id INTEGER NOT NULL REFERENCES regulatory_obligations(id),
  threshold INTEGER NOT NULL,
  fired_at INTEGER NOT NULL,
  notified INTEGER NOT NULL,                 -- 0: passed over because a later one was due too
  PRIMARY KEY (obligation_id, threshold)
);
