// The one way the pages talk to the server: same-origin fetch with the session cookie, the CSRF
// token on every write, JSON in and out, and RFC 9457 problems turned into ApiError.

export interface FieldError {
  field: string;
  message: string;
}

export interface ProblemDetails {
  type?: string;
  title?: string;
  status: number;
  code?: string;
  detail?: string;
  errors?: FieldError[];
  allowed_transitions?: string[];
}

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly detail: string;
  readonly errors: FieldError[];
  readonly problem: ProblemDetails;

  constructor(problem: ProblemDetails) {
    super(problem.detail || problem.title || `request failed (${problem.status})`);
    this.name = 'ApiError';
    this.status = problem.status;
    this.code = problem.code ?? '';
    this.detail = problem.detail ?? problem.title ?? '';
    this.errors = Array.isArray(problem.errors) ? problem.errors : [];
    this.problem = problem;
  }
}

const CSRF_COOKIE = 'custos_csrf';
let csrfToken: string | null = null;

export function setCsrfToken(token: string | null) {
  csrfToken = token;
}

function readCookie(name: string): string | null {
  if (typeof document === 'undefined') return null;
  for (const part of document.cookie.split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === name) return decodeURIComponent(v.join('='));
  }
  return null;
}

export function currentCsrfToken(): string | null {
  return csrfToken ?? readCookie(CSRF_COOKIE);
}

// Called when any request answers 401 (the session ended elsewhere or expired).
let onUnauthorized: (() => void) | null = null;
export function setUnauthorizedHandler(handler: (() => void) | null) {
  onUnauthorized = handler;
}

export interface RequestOptions {
  json?: unknown;
  body?: BodyInit;
  headers?: Record<string, string>;
  ifMatch?: number | string;
  signal?: AbortSignal;
  // Sign-in answers 401 for a wrong password; that is not a lost session.
  expectUnauthorized?: boolean;
}

export async function request<T>(method: string, path: string, opts: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json', ...(opts.headers ?? {}) };
  let body = opts.body;
  if (opts.json !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(opts.json);
  }
  if (!['GET', 'HEAD'].includes(method)) {
    const token = currentCsrfToken();
    if (token) headers['X-CSRF-Token'] = token;
  }
  if (opts.ifMatch !== undefined) headers['If-Match'] = `"${opts.ifMatch}"`;
  let res: Response;
  try {
    res = await fetch(path, { method, headers, body, credentials: 'same-origin', signal: opts.signal });
  } catch (e) {
    if ((e as Error).name === 'AbortError') throw e;
    throw new ApiError({ status: 0, code: 'network', detail: 'The server could not be reached. Check your connection and try again.' });
  }
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  let parsed: unknown = undefined;
  if (text) {
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
  }
  if (!res.ok) {
    const problem: ProblemDetails =
      parsed && typeof parsed === 'object'
        ? { ...(parsed as ProblemDetails), status: res.status }
        : { status: res.status, detail: `The server answered ${res.status} ${res.statusText}`.trim() };
    if (res.status === 401 && !opts.expectUnauthorized && onUnauthorized) onUnauthorized();
    throw new ApiError(problem);
  }
  return parsed as T;
}

export const api = {
  get: <T>(path: string, opts?: RequestOptions) => request<T>('GET', path, opts),
  post: <T>(path: string, json?: unknown, opts?: RequestOptions) => request<T>('POST', path, { ...opts, json }),
  put: <T>(path: string, json?: unknown, opts?: RequestOptions) => request<T>('PUT', path, { ...opts, json }),
  patch: <T>(path: string, json: unknown, version: number, opts?: RequestOptions) =>
    request<T>('PATCH', path, { ...opts, json, ifMatch: version }),
  delete: <T>(path: string, opts?: RequestOptions) => request<T>('DELETE', path, opts),
};

// Builds "?a=1&b=2" from the defined, non-empty values.
export function query(params: Record<string, string | number | boolean | null | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined || v === null || v === '') continue;
    q.set(k, String(v));
  }
  const s = q.toString();
  return s ? `?${s}` : '';
}

// A fresh Idempotency-Key, so that a retried POST (a double click, a flaky network) is done once.
// crypto.randomUUID exists only on HTTPS pages; getRandomValues everywhere.
export function idempotencyKey(): string {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}
