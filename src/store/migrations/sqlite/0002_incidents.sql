-- Incident management: reference data (groups, categories, priority matrix, SLA policy,
-- calendars), incidents and everything attached to them, problems, escalations, outbox
-- and in-app notifications. Times are UTC epoch milliseconds.

CREATE TABLE support_groups (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,                 -- short handle, e.g. "soc-l1"
  display_name TEXT NOT NULL,
  level INTEGER NOT NULL,                    -- support level 1..3
  manager_id INTEGER REFERENCES users(id),   -- hierarchical escalation goes here first
  escalation_group_id INTEGER REFERENCES support_groups(id),  -- functional escalation target
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  version INTEGER NOT NULL DEFAULT 1
);

CREATE TABLE group_members (
  group_id INTEGER NOT NULL REFERENCES support_groups(id),
  user_id INTEGER NOT NULL REFERENCES users(id),
  PRIMARY KEY (group_id, user_id)
);
CREATE INDEX group_members_user ON group_members(user_id);

CREATE TABLE categories (
  code TEXT PRIMARY KEY,                     -- "intrusion-attempt" or "intrusion-attempt/brute-force"
  parent_code TEXT REFERENCES categories(code),
  name TEXT NOT NULL,
  description TEXT NOT NULL DEFAULT '',
  security INTEGER NOT NULL DEFAULT 1,       -- 0 for service failures
  builtin INTEGER NOT NULL DEFAULT 0,
  active INTEGER NOT NULL DEFAULT 1
);

-- Versioned reference documents: every change is a new row, incidents keep the version used.
CREATE TABLE priority_matrices (
  version INTEGER PRIMARY KEY,
  matrix TEXT NOT NULL,                      -- JSON impact -> urgency -> priority
  created_at INTEGER NOT NULL,
  created_by TEXT NOT NULL
);

CREATE TABLE sla_policies (
  version INTEGER PRIMARY KEY,
  policy TEXT NOT NULL,                      -- JSON targets per priority, calendars, thresholds
  created_at INTEGER NOT NULL,
  created_by TEXT NOT NULL
);

CREATE TABLE calendars (
  name TEXT PRIMARY KEY,
  definition TEXT NOT NULL,                  -- JSON: zone, week, holidays
  updated_at INTEGER NOT NULL,
  version INTEGER NOT NULL DEFAULT 1
);

CREATE TABLE problems (
  id INTEGER PRIMARY KEY,
  title TEXT NOT NULL,
  description TEXT NOT NULL DEFAULT '',
  status TEXT NOT NULL,                      -- new, investigating, known_error, resolved, closed
  root_cause TEXT NOT NULL DEFAULT '',
  workaround TEXT NOT NULL DEFAULT '',
  owner_id INTEGER REFERENCES users(id),
  created_by INTEGER REFERENCES users(id),
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  resolved_at INTEGER,
  closed_at INTEGER,
  version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX problems_status ON problems(status, id);

CREATE TABLE incidents (
  id INTEGER PRIMARY KEY,                    -- key is INC-<id, 6+ digits>
  title TEXT NOT NULL,
  description TEXT NOT NULL DEFAULT '',      -- Markdown
  category TEXT NOT NULL REFERENCES categories(code),
  subcategory TEXT REFERENCES categories(code),
  impact TEXT NOT NULL,
  urgency TEXT NOT NULL,
  priority INTEGER NOT NULL,
  matrix_version INTEGER NOT NULL,
  affects_confidentiality INTEGER NOT NULL DEFAULT 0,
  affects_integrity INTEGER NOT NULL DEFAULT 0,
  affects_availability INTEGER NOT NULL DEFAULT 0,
  personal_data INTEGER NOT NULL DEFAULT 0,
  affected_services TEXT NOT NULL DEFAULT '[]',  -- JSON array of names
  affected_assets TEXT NOT NULL DEFAULT '[]',    -- JSON array of names
  source TEXT NOT NULL,                      -- portal, email, phone, api, detection
  reporter_id INTEGER REFERENCES users(id),
  group_id INTEGER REFERENCES support_groups(id),
  assignee_id INTEGER REFERENCES users(id),
  support_level INTEGER NOT NULL DEFAULT 1,
  status TEXT NOT NULL,
  pending_reason TEXT,
  resolution_code TEXT,
  resolution_notes TEXT,
  cancel_reason TEXT,
  reopen_count INTEGER NOT NULL DEFAULT 0,
  major INTEGER NOT NULL DEFAULT 0,
  major_manager_id INTEGER REFERENCES users(id),
  parent_id INTEGER REFERENCES incidents(id),
  duplicate_of_id INTEGER REFERENCES incidents(id),
  problem_id INTEGER REFERENCES problems(id),
  restricted INTEGER NOT NULL DEFAULT 0,     -- need-to-know
  tlp TEXT NOT NULL DEFAULT 'amber',         -- clear, green, amber, amber+strict, red
  occurred_at INTEGER,
  detected_at INTEGER,
  reported_at INTEGER NOT NULL,
  acknowledged_at INTEGER,
  resolved_at INTEGER,
  closed_at INTEGER,
  -- SLA: targets fixed when the priority is set; pauses live in incident_pauses.
  sla_policy_version INTEGER NOT NULL,
  sla_calendar TEXT NOT NULL,
  response_target_ms INTEGER NOT NULL,
  resolution_target_ms INTEGER NOT NULL,
  response_due_at INTEGER,                   -- denormalised for sorting; NULL when met or paused
  resolution_due_at INTEGER,
  next_escalation_at INTEGER,                -- when the sweep must look at this incident again
  lessons_waived_by INTEGER REFERENCES users(id),
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX incidents_status ON incidents(status, priority, id);
CREATE INDEX incidents_priority ON incidents(priority, id);
CREATE INDEX incidents_assignee ON incidents(assignee_id, status, id);
CREATE INDEX incidents_group ON incidents(group_id, status, id);
CREATE INDEX incidents_reporter ON incidents(reporter_id, id);
CREATE INDEX incidents_updated ON incidents(updated_at, id);
CREATE INDEX incidents_resolution_due ON incidents(resolution_due_at, id);
CREATE INDEX incidents_escalation ON incidents(next_escalation_at) WHERE next_escalation_at IS NOT NULL;
CREATE INDEX incidents_parent ON incidents(parent_id) WHERE parent_id IS NOT NULL;
CREATE INDEX incidents_problem ON incidents(problem_id) WHERE problem_id IS NOT NULL;
CREATE INDEX incidents_resolved_open ON incidents(resolved_at) WHERE status = 'resolved';

CREATE TABLE incident_pauses (
  id INTEGER PRIMARY KEY,
  incident_id INTEGER NOT NULL REFERENCES incidents(id),
  reason TEXT NOT NULL,
  from_at INTEGER NOT NULL,
  to_at INTEGER
);
CREATE INDEX incident_pauses_incident ON incident_pauses(incident_id, from_at);

CREATE TABLE worklog (
  id INTEGER PRIMARY KEY,
  incident_id INTEGER NOT NULL REFERENCES incidents(id),
  author_id INTEGER REFERENCES users(id),
  visibility TEXT NOT NULL,                  -- public (reporter sees it) or internal
  kind TEXT NOT NULL DEFAULT 'note',         -- note, workaround, communication
  body TEXT NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE INDEX worklog_incident ON worklog(incident_id, id);

CREATE TABLE incident_tasks (
  id INTEGER PRIMARY KEY,
  incident_id INTEGER NOT NULL REFERENCES incidents(id),
  title TEXT NOT NULL,
  assignee_id INTEGER REFERENCES users(id),
  due_at INTEGER,
  status TEXT NOT NULL,                      -- open, in_progress, done, cancelled
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX incident_tasks_incident ON incident_tasks(incident_id, id);

CREATE TABLE attachments (
  id INTEGER PRIMARY KEY,
  incident_id INTEGER NOT NULL REFERENCES incidents(id),
  sha256 TEXT NOT NULL,                      -- content address of the stored blob
  size INTEGER NOT NULL,
  content_type TEXT NOT NULL,
  filename TEXT NOT NULL,
  uploaded_by INTEGER REFERENCES users(id),
  created_at INTEGER NOT NULL
);
CREATE INDEX attachments_incident ON attachments(incident_id, id);

CREATE TABLE lessons_learned (
  incident_id INTEGER PRIMARY KEY REFERENCES incidents(id),
  what_happened TEXT NOT NULL,
  root_cause TEXT NOT NULL,
  went_well TEXT NOT NULL,
  to_improve TEXT NOT NULL,
  author_id INTEGER REFERENCES users(id),
  updated_at INTEGER NOT NULL
);

CREATE TABLE improvement_actions (
  id INTEGER PRIMARY KEY,
  incident_id INTEGER NOT NULL REFERENCES incidents(id),
  title TEXT NOT NULL,
  owner_id INTEGER NOT NULL REFERENCES users(id),
  due_at INTEGER,
  status TEXT NOT NULL,                      -- open, done
  created_at INTEGER NOT NULL
);
CREATE INDEX improvement_actions_incident ON improvement_actions(incident_id);

-- One row per escalation step that fired: the primary key makes each fire exactly once,
-- also across restarts and with several servers sweeping.
CREATE TABLE escalations (
  incident_id INTEGER NOT NULL REFERENCES incidents(id),
  clock TEXT NOT NULL,                       -- response or resolution
  threshold INTEGER NOT NULL,                -- percent
  fired_at INTEGER NOT NULL,
  actions TEXT NOT NULL,                     -- JSON: what was done
  PRIMARY KEY (incident_id, clock, threshold)
);

CREATE TABLE outbox (
  id INTEGER PRIMARY KEY,
  channel TEXT NOT NULL,                     -- email, webhook
  recipient TEXT NOT NULL,
  subject TEXT NOT NULL,
  payload TEXT NOT NULL,                     -- JSON
  created_at INTEGER NOT NULL,
  delivered_at INTEGER,
  attempts INTEGER NOT NULL DEFAULT 0,
  last_error TEXT
);
CREATE INDEX outbox_pending ON outbox(created_at) WHERE delivered_at IS NULL;

CREATE TABLE notifications (
  id INTEGER PRIMARY KEY,
  user_id INTEGER NOT NULL REFERENCES users(id),
  incident_id INTEGER REFERENCES incidents(id),
  kind TEXT NOT NULL,
  message TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  read_at INTEGER
);
CREATE INDEX notifications_user ON notifications(user_id, id);

CREATE TABLE saved_views (
  id INTEGER PRIMARY KEY,
  user_id INTEGER NOT NULL REFERENCES users(id),
  name TEXT NOT NULL,
  query TEXT NOT NULL,                       -- the list's query string
  created_at INTEGER NOT NULL,
  UNIQUE (user_id, name)
);

-- Full-text search over title, description and worklog; one document per incident,
-- kept current by the incident service (rowid = incidents.id).
-- `internal` holds internal worklog text: searched only for people who may read it.
CREATE VIRTUAL TABLE incident_search USING fts5(title, body, internal, tokenize = 'unicode61 remove_diacritics 2');
CREATE VIRTUAL TABLE problem_search USING fts5(title, body, tokenize = 'unicode61 remove_diacritics 2');
