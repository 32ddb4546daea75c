import { describe, expect, it } from 'vitest';
import type { SlaClock } from '../api/types';
import { describeClock, formatDuration, liveClock } from './sla';

const HOUR = 3_600_000;
const T0 = Date.parse('2026-03-02T10:00:00Z');

function clock(over: Partial<SlaClock> = {}): SlaClock {
  return {
    target_ms: 4 * HOUR,
    elapsed_ms: HOUR,
    remaining_ms: 3 * HOUR,
    due_at: new Date(T0 + 3 * HOUR).toISOString(),
    paused: false,
    paused_ms: 0,
    breached: false,
    met: false,
    percent: 25,
    ...over,
  };
}

describe('liveClock', () => {
  it('counts down to the due time as the wall clock runs', () => {
    const c = liveClock(clock(), T0, T0 + 30 * 60_000);
    expect(c.state).toBe('ok');
    expect(c.remainingMs).toBe(2.5 * HOUR);
  });

  it('is at risk in the last quarter of the target', () => {
    expect(liveClock(clock(), T0, T0 + 2 * HOUR + 1).state).toBe('at_risk');
    expect(liveClock(clock({ percent: 80 }), T0, T0).state).toBe('at_risk');
  });

  it('is breached, and counts overdue time, once the due time passes', () => {
    const c = liveClock(clock(), T0, T0 + 3 * HOUR + 5 * 60_000);
    expect(c.state).toBe('breached');
    expect(c.remainingMs).toBe(-5 * 60_000);
    expect(describeClock(c)).toBe('overdue 5m');
  });

  it('stands still while paused, whatever the time', () => {
    const c = liveClock(clock({ paused: true, due_at: null }), T0, T0 + 10 * HOUR);
    expect(c.state).toBe('paused');
    expect(c.remainingMs).toBe(3 * HOUR);
    expect(describeClock(c)).toBe('paused · 3h 00m left');
    expect(c.pausedMs).toBe(10 * HOUR);
  });

  it('says met once the clock stopped in time', () => {
    expect(liveClock(clock({ met: true }), T0, T0 + 10 * HOUR).state).toBe('met');
  });

  it('trusts a breach the server reported', () => {
    expect(liveClock(clock({ breached: true }), T0, T0).state).toBe('breached');
  });

  it('falls back to elapsed wall time when there is no due time', () => {
    const c = liveClock(clock({ due_at: null }), T0, T0 + HOUR);
    expect(c.remainingMs).toBe(2 * HOUR);
  });
});

describe('formatDuration', () => {
  it('shows the two largest units', () => {
    expect(formatDuration(0)).toBe('0s');
    expect(formatDuration(9_000)).toBe('9s');
    expect(formatDuration(4 * 60_000 + 9_000)).toBe('4m 09s');
    expect(formatDuration(3 * HOUR + 5 * 60_000)).toBe('3h 05m');
    expect(formatDuration(51 * HOUR)).toBe('2d 3h');
    expect(formatDuration(-90_000)).toBe('1m 30s');
    expect(formatDuration(30 * 60_000)).toBe('30m');
    expect(formatDuration(30 * 60_000, true)).toBe('30m 00s');
  });
});

describe('precise clocks', () => {
  it('show seconds so that a running clock visibly moves', () => {
    expect(formatDuration(3 * HOUR + 59 * 60_000 + 12_000, true)).toBe('3h 59m 12s');
    expect(formatDuration(26 * HOUR + 5 * 60_000, true)).toBe('1d 2h 05m');
    const c = liveClock(clock(), T0, T0 + 1000);
    expect(describeClock(c, true)).toBe('2h 59m 59s left');
  });
});
