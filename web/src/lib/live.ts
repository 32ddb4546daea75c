import { useEffect, useRef } from 'react';

// Live updates: one EventSource on GET /api/v1/stream for the whole page, shared by every
// component that wants to know about changes. The server sends an event named `change` for each
// change to an incident this user may see. When the connection drops it is opened again after a
// growing pause (1 s, 2 s, 4 s … at most a minute), so a restarting server is not stormed.

export interface Change {
  // "incident"; "resync" when changes may have been missed (a reconnect, a full queue on the
  // server): whoever listens reads again what they show.
  type: string;
  key: string; // "INC-000123"
  version?: number;
  action?: string; // "incident.updated"
  actor?: string;
}

type Listener = (change: Change) => void;

const FIRST_RETRY_MS = 1000;
const MAX_RETRY_MS = 60_000;

const listeners = new Set<Listener>();
let source: EventSource | null = null;
let retryMs = FIRST_RETRY_MS;
let retryTimer: ReturnType<typeof setTimeout> | null = null;
let everConnected = false;

function connect() {
  retryTimer = null;
  if (typeof EventSource === 'undefined' || listeners.size === 0) return;
  const es = new EventSource('/api/v1/stream', { withCredentials: true });
  source = es;
  es.addEventListener('open', () => {
    retryMs = FIRST_RETRY_MS;
  });
  const resync = () => {
    for (const l of [...listeners]) l({ type: 'resync', key: '' });
  };
  // The first "ready" of the page opens the stream; a later one follows a gap.
  es.addEventListener('ready', () => {
    if (everConnected) resync();
    everConnected = true;
  });
  es.addEventListener('resync', resync);
  es.addEventListener('change', (e) => {
    let change: Change;
    try {
      change = JSON.parse((e as MessageEvent<string>).data) as Change;
    } catch {
      return;
    }
    for (const l of [...listeners]) l(change);
  });
  es.addEventListener('error', () => {
    // Take reconnecting over from the browser, which would retry at a fixed pace.
    es.close();
    if (source === es) source = null;
    if (listeners.size === 0 || retryTimer) return;
    retryTimer = setTimeout(connect, retryMs);
    retryMs = Math.min(retryMs * 2, MAX_RETRY_MS);
  });
}

function disconnect() {
  source?.close();
  source = null;
  if (retryTimer) clearTimeout(retryTimer);
  retryTimer = null;
  retryMs = FIRST_RETRY_MS;
  everConnected = false;
}

export function subscribe(listener: Listener): () => void {
  listeners.add(listener);
  if (!source && !retryTimer) connect();
  return () => {
    listeners.delete(listener);
    if (listeners.size === 0) disconnect();
  };
}

// Calls `handler` for every change while the component is on screen (the latest handler, so it
// may read the component's current state).
export function useLiveChanges(handler: Listener) {
  const latest = useRef(handler);
  latest.current = handler;
  useEffect(() => subscribe((c) => latest.current(c)), []);
}

// Keeps the one connection open while signed in, so that moving between pages does not reopen it.
export function useLiveConnection() {
  useEffect(() => subscribe(() => undefined), []);
}
