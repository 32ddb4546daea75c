import type { Impact, PriorityMatrix, Status, Urgency } from '../api/types';

// The default matrix (docs/incidents.md), used only until the server's has loaded.
export const DEFAULT_MATRIX: PriorityMatrix = {
  extensive: { critical: 1, high: 1, medium: 2, low: 3 },
  significant: { critical: 1, high: 2, medium: 3, low: 3 },
  moderate: { critical: 2, high: 3, medium: 3, low: 4 },
  minor: { critical: 3, high: 4, medium: 4, low: 4 },
};

export function priorityOf(matrix: PriorityMatrix, impact: Impact, urgency: Urgency): number {
  const p = matrix[impact]?.[urgency];
  if (typeof p !== 'number' || p < 1 || p > 4) throw new Error(`the priority matrix has no cell for ${impact} × ${urgency}`);
  return p;
}

export const PRIORITY_NAMES: Record<number, string> = { 1: 'Critical', 2: 'High', 3: 'Medium', 4: 'Low' };

export function priorityLabel(p: number): string {
  return `P${p}`;
}

export const IMPACT_HELP: Record<Impact, string> = {
  extensive: 'Extensive — the whole organisation or a critical service',
  significant: 'Significant — a department, many people or an important service',
  moderate: 'Moderate — a team or a few people',
  minor: 'Minor — one person or nothing noticeable yet',
};

export const URGENCY_HELP: Record<Urgency, string> = {
  critical: 'Critical — damage is happening now',
  high: 'High — damage will happen soon',
  medium: 'Medium — it can wait hours',
  low: 'Low — it can wait days',
};

export const STATUS_LABELS: Record<Status, string> = {
  new: 'New',
  assigned: 'Assigned',
  in_progress: 'In progress',
  pending: 'Pending',
  resolved: 'Resolved',
  closed: 'Closed',
  reopened: 'Reopened',
  cancelled: 'Cancelled',
};

// What the button for a transition says.
export const TRANSITION_VERBS: Record<Status, string> = {
  new: 'Back to new',
  assigned: 'Assign',
  in_progress: 'Start work',
  pending: 'Set pending',
  resolved: 'Resolve',
  closed: 'Close',
  reopened: 'Reopen',
  cancelled: 'Cancel incident',
};

export const PENDING_REASONS: Record<string, string> = {
  awaiting_reporter: 'Awaiting the reporter',
  third_party: 'Awaiting a third party',
  change: 'Awaiting a change',
};

export const RESOLUTION_CODES: Record<string, string> = {
  contained_and_eradicated: 'Contained and eradicated',
  fixed: 'Fixed',
  workaround: 'Workaround in place',
  risk_accepted: 'Risk accepted',
  no_action_required: 'No action required',
  false_positive: 'False positive',
  other: 'Other',
};

export const CANCEL_REASONS: Record<string, string> = {
  duplicate: 'Duplicate of another incident',
  false_positive: 'False positive',
  not_an_incident: 'Not an incident',
};

export function humanize(code: string): string {
  const t = code.replace(/[_-]+/g, ' ').trim();
  return t ? t[0].toUpperCase() + t.slice(1) : t;
}
