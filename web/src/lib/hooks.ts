import { useCallback, useEffect, useRef, useState, useSyncExternalStore } from 'react';
import { api } from '../api/client';

export interface Loaded<T> {
  data: T | undefined;
  error: unknown;
  loading: boolean;
  reload: () => Promise<void>;
  setData: (update: T | ((old: T | undefined) => T)) => void;
}

// Reference data (categories, groups, the matrix) changes rarely: one request per page load.
const cache = new Map<string, Promise<unknown>>();
export function forget(path: string) {
  cache.delete(path);
}

function cachedGet<T>(path: string): Promise<T> {
  if (!cache.has(path)) {
    const p = api.get<T>(path);
    cache.set(path, p);
    p.catch(() => cache.delete(path));
  }
  return cache.get(path) as Promise<T>;
}

// Answers asked for before the component that shows them is on screen: a page starts every
// request it will need at once instead of one after the other (no waterfall). The first useApi of
// the same path takes the answer over; one nobody takes within a few seconds is dropped.
const early = new Map<string, { promise: Promise<unknown>; at: number }>();
const EARLY_MS = 10_000;
export function prefetch(path: string, { cached = false } = {}) {
  if (cached) {
    void cachedGet(path).catch(() => undefined);
    return;
  }
  const promise = api.get(path);
  promise.catch(() => undefined);
  early.set(path, { promise, at: Date.now() });
}
function takeEarly<T>(path: string): Promise<T> | undefined {
  const e = early.get(path);
  if (!e) return undefined;
  early.delete(path);
  return Date.now() - e.at < EARLY_MS ? (e.promise as Promise<T>) : undefined;
}

// GET path (null: nothing yet). Aborts on change/unmount; `cached` shares one answer per path.
export function useApi<T>(path: string | null, { cached = false } = {}): Loaded<T> {
  const [data, setDataState] = useState<T | undefined>(undefined);
  const [error, setError] = useState<unknown>(null);
  const [loading, setLoading] = useState<boolean>(path !== null);
  const current = useRef<AbortController | null>(null);

  const load = useCallback(async () => {
    if (path === null) return;
    current.current?.abort();
    const controller = new AbortController();
    current.current = controller;
    setLoading(true);
    try {
      const promise = cached ? cachedGet<T>(path) : (takeEarly<T>(path) ?? api.get<T>(path, { signal: controller.signal }));
      const result = await promise;
      if (controller.signal.aborted) return;
      setDataState(result);
      setError(null);
    } catch (e) {
      if (controller.signal.aborted || (e as Error)?.name === 'AbortError') return;
      setError(e);
    } finally {
      if (!controller.signal.aborted) setLoading(false);
    }
  }, [path, cached]);

  useEffect(() => {
    void load();
    return () => current.current?.abort();
  }, [load]);

  const setData = useCallback((update: T | ((old: T | undefined) => T)) => {
    setDataState((old) => (typeof update === 'function' ? (update as (o: T | undefined) => T)(old) : update));
  }, []);

  return { data, error, loading, reload: load, setData };
}

// One shared clock for every live countdown on the page (one timer, not one per badge).
let now = Date.now();
const listeners = new Set<() => void>();
let timer: ReturnType<typeof setInterval> | null = null;
function subscribe(listener: () => void) {
  listeners.add(listener);
  if (!timer) {
    timer = setInterval(() => {
      now = Date.now();
      for (const l of listeners) l();
    }, 1000);
  }
  return () => {
    listeners.delete(listener);
    if (listeners.size === 0 && timer) {
      clearInterval(timer);
      timer = null;
    }
  };
}
export function useNow(): number {
  return useSyncExternalStore(subscribe, () => now, () => now);
}

export function useDebounced<T>(value: T, ms: number): T {
  const [v, setV] = useState(value);
  useEffect(() => {
    const t = setTimeout(() => setV(value), ms);
    return () => clearTimeout(t);
  }, [value, ms]);
  return v;
}

export function useTitle(title: string) {
  useEffect(() => {
    document.title = title ? `${title} · custos` : 'custos';
  }, [title]);
}
