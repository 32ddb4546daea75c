// Shapes of the custos REST API (see /api/v1/openapi.json), as far as the pages use them.

export type Role = 'reporter' | 'agent' | 'incident_manager' | 'security_manager' | 'auditor' | 'admin' | 'ingest';
export const ROLES: Role[] = ['reporter', 'agent', 'incident_manager', 'security_manager', 'auditor', 'admin', 'ingest'];

export interface User {
  id: number;
  username: string;
  display_name: string;
  email: string | null;
  roles: Role[];
  active: boolean;
  mfa_enabled: boolean;
  mfa_required: boolean;
  created_at?: string;
  updated_at?: string;
  version: number;
}

export interface Me extends User {
  auth: 'session' | 'token';
  mfa_enrolment_required: boolean;
}

export interface LoginResponse {
  user: Me;
  csrf_token: string;
  expires_at: string;
}

export type Impact = 'extensive' | 'significant' | 'moderate' | 'minor';
export type Urgency = 'critical' | 'high' | 'medium' | 'low';
export const IMPACTS: Impact[] = ['extensive', 'significant', 'moderate', 'minor'];
export const URGENCIES: Urgency[] = ['critical', 'high', 'medium', 'low'];

export type Status = 'new' | 'assigned' | 'in_progress' | 'pending' | 'resolved' | 'closed' | 'reopened' | 'cancelled';
export const STATUSES: Status[] = ['new', 'assigned', 'in_progress', 'pending', 'resolved', 'closed', 'reopened', 'cancelled'];
export const OPEN_STATUSES: Status[] = ['new', 'assigned', 'in_progress', 'pending', 'reopened'];

export interface SlaClock {
  target_ms: number;
  elapsed_ms: number;
  remaining_ms: number;
  due_at: string | null;
  paused: boolean;
  paused_ms: number;
  breached: boolean;
  met: boolean;
  percent: number;
}

export interface Incident {
  key: string;
  title: string;
  description: string;
  category: string;
  subcategory: string | null;
  impact: Impact;
  urgency: Urgency;
  priority: number;
  priority_label: string;
  status: Status;
  allowed_transitions: Status[];
  assignee: string | null;
  group: string | null;
  reporter: string | null;
  support_level: number;
  restricted: boolean;
  tlp: string;
  major: boolean;
  major_manager: string | null;
  parent: string | null;
  problem: string | null;
  duplicate_of: string | null;
  pending_reason: string | null;
  resolution_code: string | null;
  resolution_notes: string | null;
  cancel_reason: string | null;
  personal_data: boolean;
  cia: { confidentiality: boolean; integrity: boolean; availability: boolean };
  affected_services: string[];
  affected_assets: string[];
  source: string;
  reopen_count: number;
  matrix_version: number;
  occurred_at: string | null;
  detected_at: string | null;
  reported_at: string;
  acknowledged_at: string | null;
  resolved_at: string | null;
  closed_at: string | null;
  created_at: string;
  updated_at: string;
  version: number;
  sla: { calendar: string; policy_version: number; response: SlaClock; resolution: SlaClock };
}

export interface Page<T> {
  items: T[];
  next_cursor: string | null;
}

export interface Category {
  code: string;
  name: string;
  description?: string;
  parent: string | null;
  security: boolean;
  builtin: boolean;
  active: boolean;
}

export interface Group {
  id: number;
  name: string;
  display_name: string;
  level: number;
  manager: string | null;
  escalation_group: string | null;
  members: string[];
  version: number;
}

export interface WorklogEntry {
  id: number;
  author: string | null;
  visibility: 'public' | 'internal';
  kind: 'note' | 'workaround' | 'communication';
  audience: string | null;
  body: string;
  created_at: string;
}

export interface TimelineItem {
  type: 'worklog' | 'change';
  at: string;
  actor: string | null;
  // worklog
  id?: number;
  body?: string;
  kind?: string;
  visibility?: string;
  audience?: string | null;
  // change
  action?: string;
  seq?: number;
  detail?: Record<string, unknown>;
}

export interface Task {
  id: number;
  title: string;
  assignee: string | null;
  due_at: string | null;
  status: 'open' | 'in_progress' | 'done' | 'cancelled';
  version: number;
  created_at?: string;
  updated_at?: string;
}

export interface Attachment {
  id: number;
  filename: string;
  content_type: string;
  size: number;
  sha256: string;
  created_at: string;
  uploaded_by: string | null;
  download: string;
}

export interface LessonsLearned {
  what_happened: string;
  root_cause: string;
  went_well: string;
  to_improve: string;
  author?: string | null;
  updated_at?: string;
  version?: number;
}

export interface Review {
  incident: string;
  required: boolean;
  lessons_learned: LessonsLearned | null;
  improvement_actions: number;
  waiver: { at: string | null; by: string | null; reason: string | null } | null;
  closure_blocker: string | null;
}

export interface ImprovementAction {
  id: number;
  title: string;
  owner: string;
  due_at: string | null;
  status: 'open' | 'done';
  created_at: string;
}

export interface KnownErrorSuggestion {
  key: string;
  title: string;
  status: 'known_error' | 'resolved';
  workaround: string;
  matched_words?: number;
}

export interface SavedView {
  id: number;
  name: string;
  query: string;
  created_at: string;
}

export interface Notification {
  id: number;
  incident: string | null;
  kind: string;
  message: string;
  created_at: string;
  read: boolean;
  read_at: string | null;
}

export type PriorityMatrix = Record<Impact, Record<Urgency, number>>;

export interface PriorityMatrixVersion {
  version: number;
  matrix: PriorityMatrix;
  created_at: string;
  created_by: string;
}

export interface SlaTarget {
  response_minutes: number;
  resolution_minutes: number;
  calendar: string;
}

export interface SlaPolicy {
  targets: Record<'P1' | 'P2' | 'P3' | 'P4', SlaTarget>;
  thresholds_percent?: number[];
}

export interface SlaPolicyVersion {
  version: number;
  policy: SlaPolicy;
  created_at: string;
  created_by: string;
}

export interface WorkingInterval {
  start: string;
  end: string;
}

export interface Calendar {
  name: string;
  zone?: string;
  always_open?: boolean;
  week?: Partial<Record<string, WorkingInterval[]>>;
  holidays?: string[];
  version?: number;
}

export type ProblemStatus = 'new' | 'investigating' | 'known_error' | 'resolved' | 'closed';

export interface ProblemRecord {
  key: string;
  title: string;
  description?: string;
  status: ProblemStatus;
  allowed_transitions?: ProblemStatus[];
  root_cause: string;
  workaround: string;
  owner?: string | null;
  created_by?: string | null;
  created_at?: string;
  updated_at?: string;
  resolved_at?: string | null;
  closed_at?: string | null;
  incidents?: { key: string; title: string; status: Status; priority: number }[];
  incidents_truncated?: boolean;
  version: number;
}

export interface Token {
  id: number;
  user: string;
  name: string;
  created_at: string;
  created_by: string;
  expires_at: string | null;
  last_used_at: string | null;
  revoked_at: string | null;
}

export interface Lockout {
  kind: 'account' | 'address';
  subject: string;
  failures?: number;
  lockouts?: number;
  last_failure_at?: string;
  locked_until: string;
}

export interface AuditEntry {
  seq: number;
  at: string;
  actor: string;
  action: string;
  object_type: string;
  object_id: string;
  detail?: unknown;
  digest: string;
  prev_hash: string;
  hash: string;
}

export interface AuditVerify {
  ok: boolean;
  entries: number;
  checkpoints: number;
  first_bad_seq?: number | null;
  last_hash?: string;
  last_seq?: number;
  problem?: string | null;
  public_key?: string;
  seconds?: number;
}

// A report of a security event or weakness (EVT-…), before and after triage.
export type EventKind = 'event' | 'weakness';
export type EventStatus = 'new' | 'triaging' | 'dismissed' | 'merged' | 'promoted';
export type Dismissal = 'false_positive' | 'not_security' | 'duplicate';

export interface EventReport {
  key: string;
  kind: EventKind;
  title: string;
  description: string;
  observed: string;
  observed_at: string | null;
  location: string;
  reporter: string | null;
  reporter_email: string | null;
  system_report?: boolean; // raised by custos itself (detection), no person as reporter
  channel: string;
  status: EventStatus;
  classification: {
    category: string | null;
    subcategory: string | null;
    impact: Impact | null;
    urgency: Urgency | null;
    by: string | null;
    at: string | null;
  };
  decision: {
    outcome: EventStatus;
    dismissal: Dismissal | null;
    duplicate_of: string | null;
    reason: string | null;
    by: string | null;
    at: string | null;
  } | null;
  incident: string | null;
  created_at: string;
  updated_at: string;
  version: number;
}
