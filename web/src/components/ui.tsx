import type { ReactNode } from 'react';
import type { SlaClock, Status } from '../api/types';
import { useNow } from '../lib/hooks';
import { PRIORITY_NAMES, STATUS_LABELS } from '../lib/priority';
import { describeClock, formatDuration, liveClock } from '../lib/sla';
import { formatDateTime } from '../lib/format';

export function PriorityBadge({ priority }: { priority: number }) {
  return (
    <span className={`badge prio prio-${priority}`} title={`Priority ${priority}: ${PRIORITY_NAMES[priority] ?? ''}`}>
      P{priority}
    </span>
  );
}

export function StatusBadge({ status }: { status: Status }) {
  return <span className={`badge status status-${status}`}>{STATUS_LABELS[status] ?? status}</span>;
}

// A live SLA countdown. `readAt` is when the clock was read from the server.
export function SlaBadge({ clock, readAt, label, stopped = false }: { clock: SlaClock; readAt: number; label?: string; stopped?: boolean }) {
  const now = useNow();
  const live = liveClock(clock, readAt, now, stopped);
  const text = describeClock(live);
  const due = live.dueAt ? ` — due ${formatDateTime(new Date(live.dueAt).toISOString())}` : '';
  return (
    <span className={`badge sla sla-${live.state}`} title={`${label ?? 'SLA'}: ${text}${due}`} data-sla-state={live.state}>
      {label ? <span className="sla-label">{label}</span> : null}
      {text}
    </span>
  );
}

// A clock with its bar, for the incident page.
export function SlaMeter({ clock, readAt, label }: { clock: SlaClock; readAt: number; label: string }) {
  const now = useNow();
  const live = liveClock(clock, readAt, now);
  const percent = Math.min(100, Math.max(0, live.state === 'breached' ? 100 : live.percent));
  return (
    <div className={`sla-meter sla-${live.state}`} data-testid={`sla-${label.toLowerCase().replace(/\s+/g, '-')}`} data-sla-state={live.state}>
      <div className="sla-meter-head">
        <span className="sla-meter-label">{label}</span>
        <span className="sla-meter-value">{describeClock(live, true)}</span>
      </div>
      <div className="sla-bar" role="progressbar" aria-label={`${label} used`} aria-valuemin={0} aria-valuemax={100} aria-valuenow={percent}>
        <span style={{ width: `${percent}%` }} />
      </div>
      <div className="sla-meter-foot">
        target {formatDuration(clock.target_ms)}
        {clock.due_at && live.state !== 'met' ? <> · due {formatDateTime(clock.due_at)}</> : null}
        {live.pausedMs >= 1000 ? <> · paused {formatDuration(live.pausedMs)} in all</> : null}
      </div>
    </div>
  );
}

// Form fields live in their own module; re-exported here for the pages that import them with the rest.
export { CheckField, Field, FieldGroup } from './Field';

export function ErrorMessage({ children }: { children: ReactNode }) {
  if (!children) return null;
  return (
    <div className="alert alert-error" role="alert">
      {children}
    </div>
  );
}

export function Notice({ children, kind = 'info' }: { children: ReactNode; kind?: 'info' | 'success' | 'warning' }) {
  return (
    <div className={`alert alert-${kind}`} role="status">
      {children}
    </div>
  );
}

export function Loading({ what = 'Loading' }: { what?: string }) {
  return (
    <div className="loading" role="status" aria-live="polite">
      <span className="spinner" aria-hidden="true" />
      {what}…
    </div>
  );
}

export function EmptyState({ title, children, action }: { title: string; children?: ReactNode; action?: ReactNode }) {
  return (
    <div className="empty">
      <p className="empty-title">{title}</p>
      {children ? <p className="empty-text">{children}</p> : null}
      {action ? <div className="empty-action">{action}</div> : null}
    </div>
  );
}

export function PageHeader({ title, subtitle, actions }: { title: ReactNode; subtitle?: ReactNode; actions?: ReactNode }) {
  return (
    <div className="page-header">
      <div>
        <h1>{title}</h1>
        {subtitle ? <p className="subtitle">{subtitle}</p> : null}
      </div>
      {actions ? <div className="page-actions">{actions}</div> : null}
    </div>
  );
}
