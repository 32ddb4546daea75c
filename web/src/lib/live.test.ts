import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { subscribe, type Change } from './live';

// A stand-in for the browser's EventSource: records every connection and lets the test play the
// server's part (open, send a change, drop the connection).
class FakeSource {
  static all: FakeSource[] = [];
  closed = false;
  private handlers = new Map<string, ((e: { data?: string }) => void)[]>();
  constructor(readonly url: string) {
    FakeSource.all.push(this);
  }
  addEventListener(type: string, h: (e: { data?: string }) => void) {
    this.handlers.set(type, [...(this.handlers.get(type) ?? []), h]);
  }
  emit(type: string, data?: string) {
    for (const h of this.handlers.get(type) ?? []) h({ data });
  }
  close() {
    this.closed = true;
  }
}

const open = () => FakeSource.all.filter((s) => !s.closed);
const latest = () => FakeSource.all[FakeSource.all.length - 1];

beforeEach(() => {
  FakeSource.all = [];
  vi.useFakeTimers();
  vi.stubGlobal('EventSource', FakeSource);
});
afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

describe('live updates', () => {
  it('shares one connection and hands each change to every listener', () => {
    const a: Change[] = [];
    const b: Change[] = [];
    const offA = subscribe((c) => a.push(c));
    const offB = subscribe((c) => b.push(c));
    expect(FakeSource.all).toHaveLength(1);
    expect(latest().url).toBe('/api/v1/stream');
    latest().emit('change', JSON.stringify({ type: 'incident', key: 'INC-000001', version: 2 }));
    latest().emit('change', 'not json');
    expect(a).toEqual([{ type: 'incident', key: 'INC-000001', version: 2 }]);
    expect(b).toEqual(a);
    offA();
    expect(open()).toHaveLength(1);
    offB();
    expect(open()).toHaveLength(0);
  });

  it('reconnects after 1 s, 2 s, 4 s … and starts again at 1 s once connected', () => {
    const off = subscribe(() => undefined);
    latest().emit('error');
    expect(open()).toHaveLength(0);
    vi.advanceTimersByTime(999);
    expect(FakeSource.all).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(FakeSource.all).toHaveLength(2);
    latest().emit('error');
    vi.advanceTimersByTime(1999);
    expect(FakeSource.all).toHaveLength(2);
    vi.advanceTimersByTime(1);
    expect(FakeSource.all).toHaveLength(3);
    latest().emit('error');
    vi.advanceTimersByTime(4000);
    expect(FakeSource.all).toHaveLength(4);
    latest().emit('open');
    latest().emit('error');
    vi.advanceTimersByTime(1000);
    expect(FakeSource.all).toHaveLength(5);
    off();
  });

  it('asks the pages to read again after a gap, not on the first connection', () => {
    const seen: Change[] = [];
    const off = subscribe((c) => seen.push(c));
    latest().emit('ready', '{}');
    expect(seen).toEqual([]);
    latest().emit('error');
    vi.advanceTimersByTime(1000);
    latest().emit('ready', '{}');
    latest().emit('resync', '{}');
    expect(seen.map((c) => c.type)).toEqual(['resync', 'resync']);
    off();
  });
});
