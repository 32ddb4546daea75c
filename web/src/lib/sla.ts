import type { SlaClock } from '../api/types';

// An SLA clock as read from the server, advanced to "now" in the browser so that badges count
// down without asking the server again. The server measures in business time; a running clock
// is due at its due_at instant, so the live countdown is the wall-clock time until then (which
// is what "due in 2h" means to a person). A paused clock keeps the server's remaining time.
export type SlaState = 'met' | 'paused' | 'breached' | 'at_risk' | 'ok' | 'stopped';

export interface LiveClock {
  state: SlaState;
  remainingMs: number; // negative once overdue
  percent: number;
  dueAt: number | null;
  pausedMs: number;
}

export const AT_RISK_PERCENT = 75;

export function liveClock(clock: SlaClock, readAt: number, now: number, stopped = false): LiveClock {
  const dueAt = clock.due_at ? Date.parse(clock.due_at) : null;
  const base = { dueAt, pausedMs: clock.paused_ms, percent: clock.percent };
  if (clock.met) return { ...base, state: 'met', remainingMs: clock.remaining_ms };
  if (clock.paused) {
    // The pause in progress grows with the wall clock.
    return { ...base, state: 'paused', remainingMs: clock.remaining_ms, pausedMs: clock.paused_ms + Math.max(0, now - readAt) };
  }
  if (stopped) return { ...base, state: clock.breached ? 'breached' : 'stopped', remainingMs: clock.remaining_ms };
  const remaining = dueAt !== null ? dueAt - now : clock.remaining_ms - Math.max(0, now - readAt);
  const breached = clock.breached || remaining <= 0;
  // Past three quarters of the target (as the server counted it), or the wall clock says so.
  const atRisk = clock.percent >= AT_RISK_PERCENT || remaining <= clock.target_ms * (1 - AT_RISK_PERCENT / 100);
  const state: SlaState = breached ? 'breached' : atRisk ? 'at_risk' : 'ok';
  return { ...base, state, remainingMs: remaining, percent: breached ? Math.max(100, clock.percent) : clock.percent };
}

// "2d 3h", "3h 05m", "4m 09s", "12s"; negative durations read as overdue by the caller.
export function formatDuration(ms: number, precise = false): string {
  const total = Math.floor(Math.abs(ms) / 1000);
  const d = Math.floor(total / 86400);
  const h = Math.floor((total % 86400) / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const pad = (n: number) => String(n).padStart(2, '0');
  if (d > 0) return precise ? `${d}d ${h}h ${pad(m)}m` : `${d}d ${h}h`;
  if (h > 0) return precise ? `${h}h ${pad(m)}m ${pad(s)}s` : `${h}h ${pad(m)}m`;
  if (m > 0) return s === 0 && !precise ? `${m}m` : `${m}m ${pad(s)}s`;
  return `${s}s`;
}

// precise: down to the second, for the incident page's clocks.
export function describeClock(c: LiveClock, precise = false): string {
  switch (c.state) {
    case 'met':
      return 'met';
    case 'paused':
      return `paused · ${formatDuration(c.remainingMs, precise)} left`;
    case 'breached':
      return `overdue ${formatDuration(c.remainingMs, precise)}`;
    case 'stopped':
      return 'stopped';
    default:
      return `${formatDuration(c.remainingMs, precise)} left`;
  }
}
