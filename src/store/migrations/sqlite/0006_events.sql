-- Reports of security events and weaknesses (EVT-…), their files, notes and the mail
-- message ids that thread replies onto them. Times are UTC epoch milliseconds.

CREATE TABLE events (
  id INTEGER PRIMARY KEY,
  kind TEXT NOT NULL,                        -- event | weakness
  title TEXT NOT NULL,
  description TEXT NOT NULL,
  observed TEXT NOT NULL,                    -- what the reporter saw, in their words
  observed_at INTEGER,                       -- when it was seen, if they know
  location TEXT NOT NULL,                    -- where: asset or service, free text
  reporter_id INTEGER REFERENCES users(id),
  reporter_email TEXT,                       -- an external sender (mail) or anonymous contact
  channel TEXT NOT NULL,                     -- portal | api | email | detection
  status TEXT NOT NULL,                      -- new | triaging | dismissed | merged | promoted
  category TEXT,                             -- classification during triage
  subcategory TEXT,
  impact TEXT,
  urgency TEXT,
  dismissal TEXT,                            -- false_positive | not_security | duplicate
  duplicate_of TEXT,                         -- EVT-… or INC-… key when a duplicate
  decision_reason TEXT,                      -- why, in the assessor's words
  incident_id INTEGER REFERENCES incidents(id),  -- merged into / promoted to
  triaged_by INTEGER REFERENCES users(id),
  triaged_at INTEGER,
  decided_by INTEGER REFERENCES users(id),
  decided_at INTEGER,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX events_status ON events(status, id);
CREATE INDEX events_reporter ON events(reporter_id, id);
CREATE INDEX events_incident ON events(incident_id) WHERE incident_id IS NOT NULL;

CREATE TABLE event_attachments (
  id INTEGER PRIMARY KEY,
  event_id INTEGER NOT NULL REFERENCES events(id),
  sha256 TEXT NOT NULL,                      -- content address in the shared blob store
  size INTEGER NOT NULL,
  content_type TEXT NOT NULL,
  filename TEXT NOT NULL,
  uploaded_by INTEGER REFERENCES users(id),
  created_at INTEGER NOT NULL
);
CREATE INDEX event_attachments_event ON event_attachments(event_id, id);

CREATE TABLE event_notes (
  id INTEGER PRIMARY KEY,
  event_id INTEGER NOT NULL REFERENCES events(id),
  author_id INTEGER REFERENCES users(id),
  author_email TEXT,                         -- an external sender's reply
  channel TEXT NOT NULL,                     -- portal | api | email
  body TEXT NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE INDEX event_notes_event ON event_notes(event_id, id);

-- Message-IDs of mail custos sent (acknowledgements, outcomes) and received, so that a reply's
-- In-Reply-To/References finds its report or incident, and a redelivered message is stored once.
CREATE TABLE mail_messages (
  message_id TEXT PRIMARY KEY,
  direction TEXT NOT NULL,                   -- in | out
  event_id INTEGER REFERENCES events(id),
  incident_id INTEGER REFERENCES incidents(id),
  created_at INTEGER NOT NULL
);
