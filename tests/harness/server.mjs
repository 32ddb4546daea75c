// Starts a real custos server for a test file and talks to it over HTTP.
//
//   const srv = await startServer({ env: { CUSTOS_AUTH_LOCKOUT_ACCOUNT_THRESHOLD: '3' } });
//   const admin = await srv.adminClient();          // bearer token for the first admin
//   const alice = await srv.login('alice', 'pw');   // cookie session + CSRF token
//   await srv.stop(); await srv.restart(); await srv.dispose();
//
// Database: SQLite in a fresh temporary data directory, or, when CUSTOS_TEST_POSTGRES_URL is
// set, a fresh PostgreSQL database created for this server on that cluster.
import { spawn, spawnSync, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, after } from 'node:test';
import assert from 'node:assert/strict';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const CUSTOS_BIN = path.resolve(REPO_ROOT, process.env.CUSTOS_BIN ?? 'build/release/custos');
export const ADMIN_PASSWORD = 'admin-password-for-tests';
export const PASSWORD = 'correct horse battery staple';
export const POSTGRES_URL = process.env.CUSTOS_TEST_POSTGRES_URL || '';
export const BACKEND = POSTGRES_URL ? 'postgres' : 'sqlite';

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.unref();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

// psql from PATH, pg_config's bindir, or the newest /usr/lib/postgresql/*/bin.
function pgBinary(name) {
  const candidates = [];
  try {
    candidates.push(path.join(execFileSync('pg_config', ['--bindir'], { encoding: 'utf8' }).trim(), name));
  } catch {}
  try {
    for (const v of fs.readdirSync('/usr/lib/postgresql').sort((a, b) => Number(b) - Number(a))) {
      candidates.push(`/usr/lib/postgresql/${v}/bin/${name}`);
    }
  } catch {}
  return candidates.find((p) => fs.existsSync(p)) ?? name;
}

// Runs SQL on a PostgreSQL database (URL); throws with psql's message on error.
export function psql(url, sql) {
  const r = spawnSync(pgBinary('psql'), ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-At', '-d', url, '-c', sql], {
    encoding: 'utf8',
    env: cleanEnv({}),
  });
  if (r.status !== 0) throw new Error(`psql failed: ${r.stderr}`);
  return r.stdout.trim();
}

function cleanEnv(extra) {
  const env = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!k.startsWith('CUSTOS_') && !k.startsWith('PG')) env[k] = v;
  }
  return { ...env, ...extra };
}

// ---------------------------------------------------------------------------------------------
// HTTP client: JSON in and out, optional bearer token or session cookie + CSRF token.

export class Client {
  constructor(baseUrl, { token, cookies, csrf } = {}) {
    this.baseUrl = baseUrl;
    this.token = token;
    this.cookies = cookies ?? {};
    this.csrf = csrf;
  }

  // opts: json (serialised, Content-Type application/json), body (sent as is), headers,
  // csrf: false to leave out the X-CSRF-Token header. Never throws for HTTP statuses.
  async request(method, urlPath, { json, body, headers = {}, csrf = true, signal } = {}) {
    const h = { ...headers };
    if (this.token) h.authorization = `Bearer ${this.token}`;
    const cookie = Object.entries(this.cookies).map(([k, v]) => `${k}=${v}`).join('; ');
    if (cookie && !('cookie' in h)) h.cookie = cookie;
    if (this.csrf && csrf && !['GET', 'HEAD', 'OPTIONS'].includes(method)) h['x-csrf-token'] = this.csrf;
    if (json !== undefined) {
      body = JSON.stringify(json);
      if (!Object.keys(h).some((k) => k.toLowerCase() === 'content-type')) h['content-type'] = 'application/json';
    }
    const res = await fetch(this.baseUrl + urlPath, { method, headers: h, body, signal, redirect: 'manual' });
    const type = res.headers.get('content-type') ?? '';
    if (type.startsWith('text/event-stream')) {
      // An event stream does not end by itself: report its status and headers, and hang up.
      await res.body?.cancel();
      return { status: res.status, headers: res.headers, text: '', body: '' };
    }
    const text = await res.text();
    let parsed = text;
    if (/json/.test(type) && text) {
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = text;
      }
    }
    return { status: res.status, headers: res.headers, text, body: parsed };
  }

  get(p, o) { return this.request('GET', p, o); }
  delete(p, o) { return this.request('DELETE', p, o); }
  post(p, json, o = {}) { return this.request('POST', p, { ...o, json }); }
  patch(p, json, o = {}) { return this.request('PATCH', p, { ...o, json }); }
  put(p, json, o = {}) { return this.request('PUT', p, { ...o, json }); }
}

// ---------------------------------------------------------------------------------------------

class CustosServer {
  constructor(opts) {
    this.opts = opts;
    this.dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'custos-test-'));
    this.logFile = path.join(this.dataDir, 'server.log');
    this.backend = BACKEND;
    this.env = cleanEnv({
      CUSTOS_ADMIN_PASSWORD: ADMIN_PASSWORD,
      CUSTOS_AUTH_PASSWORD_HASHING: opts.hashing ?? 'minimum',
      // Tests that are not about lockouts must not trip them (they all come from 127.0.0.1).
      CUSTOS_AUTH_LOCKOUT_ACCOUNT_THRESHOLD: '1000',
      CUSTOS_AUTH_LOCKOUT_ADDRESS_THRESHOLD: '100000',
      ...(opts.env ?? {}),
    });
    this.proc = null;
    this.exit = null;
    this.scheme = 'http';
  }

  async init() {
    if (this.opts.tls) {
      // A throwaway self-signed certificate; the test file must accept it (NODE_TLS_REJECT_UNAUTHORIZED=0).
      const cert = path.join(this.dataDir, 'tls.crt');
      const key = path.join(this.dataDir, 'tls.key');
      const r = spawnSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
        '-keyout', key, '-out', cert, '-days', '2', '-subj', '/CN=127.0.0.1'], { encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`openssl failed: ${r.stderr}`);
      this.env.CUSTOS_SERVER_TLS_CERTIFICATE = cert;
      this.env.CUSTOS_SERVER_TLS_PRIVATE_KEY = key;
      this.scheme = 'https';
    }
    if (this.backend === 'postgres') {
      const name = `custos_test_${randomBytes(6).toString('hex')}`;
      psql(POSTGRES_URL, `CREATE DATABASE ${name}`);
      const u = new URL(POSTGRES_URL);
      u.pathname = `/${name}`;
      this.dbUrl = u.toString();
      this.dbName = name;
    } else {
      this.dbFile = path.join(this.dataDir, 'custos.db');
      this.dbUrl = `sqlite:${this.dbFile}`;
    }
    if (this.opts.serve !== false) await this.start();
    return this;
  }

  get baseUrl() { return `${this.scheme}://127.0.0.1:${this.port}`; }

  commonArgs() { return ['--data-dir', this.dataDir, '--db', this.dbUrl]; }

  async start() {
    // A restart keeps the port, so clients made before it keep working.
    for (let attempt = 0; ; attempt++) {
      if (!this.port || attempt > 0) this.port = await freePort();
      const logSize = this.log().length;
      try {
        await this.spawnAndWait();
        return;
      } catch (e) {
        // Another process may have taken the port between probe and bind: try another.
        if (attempt < 3 && /cannot listen/.test(this.log().slice(logSize))) continue;
        throw e;
      }
    }
  }

  async spawnAndWait() {
    const out = fs.openSync(this.logFile, 'a');
    fs.writeSync(out, `--- custos serve on port ${this.port} (${new Date().toISOString()})\n`);
    const args = ['serve', '--listen', `127.0.0.1:${this.port}`, ...this.commonArgs(), ...(this.opts.args ?? [])];
    const proc = spawn(CUSTOS_BIN, args, { env: this.env, stdio: ['ignore', out, out] });
    fs.closeSync(out);
    this.proc = proc;
    this.exit = new Promise((resolve) => proc.on('exit', (code, signal) => resolve({ code, signal })));
    let exited = null;
    this.exit.then((e) => { exited = e; });
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      if (exited) throw new Error(`custos serve exited early (${JSON.stringify(exited)}):\n${this.log()}`);
      try {
        const res = await fetch(`${this.baseUrl}/readyz`);
        await res.arrayBuffer();
        if (res.status === 200) return;
      } catch {}
      await sleep(25);
    }
    proc.kill('SIGKILL');
    throw new Error(`custos serve not ready after 30 s:\n${this.log()}`);
  }

  log() {
    try {
      return fs.readFileSync(this.logFile, 'utf8');
    } catch {
      return '';
    }
  }

  get running() { return this.proc !== null && this.proc.exitCode === null && this.proc.signalCode === null; }

  // SIGTERM and wait; returns { code, signal }.
  async stop({ timeoutMs = 20_000 } = {}) {
    if (!this.running) return this.lastExit;
    this.proc.kill('SIGTERM');
    const timer = setTimeout(() => this.proc?.kill('SIGKILL'), timeoutMs);
    this.lastExit = await this.exit;
    clearTimeout(timer);
    return this.lastExit;
  }

  async kill() {
    if (!this.running) return this.lastExit;
    this.proc.kill('SIGKILL');
    this.lastExit = await this.exit;
    return this.lastExit;
  }

  async restart() {
    await this.stop();
    await this.start();
  }

  async dispose() {
    await this.stop();
    if (this.dbName) {
      try {
        psql(POSTGRES_URL, `DROP DATABASE IF EXISTS ${this.dbName}`);
      } catch {}
    }
    if (!process.env.CUSTOS_TEST_KEEP) fs.rmSync(this.dataDir, { recursive: true, force: true });
  }

  // Runs the same binary with this server's --data-dir and --db (unless common: false).
  runCli(args, { stdin, common = true, env = {}, timeoutMs = 60_000 } = {}) {
    const r = spawnSync(CUSTOS_BIN, [...args, ...(common ? this.commonArgs() : [])], {
      input: stdin ?? '',
      encoding: 'utf8',
      env: { ...this.env, ...env },
      timeout: timeoutMs,
    });
    return { code: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
  }

  // SQL straight into the database, bypassing the server (for tampering tests).
  sql(statement) {
    if (this.backend === 'postgres') return psql(this.dbUrl, statement);
    const r = spawnSync('sqlite3', [this.dbFile, statement], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`sqlite3 failed: ${r.stderr}`);
    return r.stdout.trim();
  }

  // Rows of a SELECT as objects (both databases).
  sqlRows(query) {
    if (this.backend === 'postgres') return JSON.parse(psql(this.dbUrl, `SELECT coalesce(json_agg(q), '[]') FROM (${query}) q`));
    const r = spawnSync('sqlite3', ['-json', this.dbFile, query], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`sqlite3 failed: ${r.stderr}`);
    return r.stdout.trim() ? JSON.parse(r.stdout) : [];
  }

  client(opts) { return new Client(this.baseUrl, opts); }

  tokenClient(token) { return new Client(this.baseUrl, { token }); }

  // Signs in; returns a cookie client (or the failed response as `.response`).
  async login(username, password, extra = {}) {
    const res = await fetch(`${this.baseUrl}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username, password, ...extra }),
    });
    const text = await res.text();
    const body = text ? JSON.parse(text) : null;
    if (res.status !== 200) {
      const err = new Error(`login ${username} failed: ${res.status} ${text}`);
      err.response = { status: res.status, body, headers: res.headers };
      throw err;
    }
    const cookies = {};
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const eq = pair.indexOf('=');
      cookies[pair.slice(0, eq).trim()] = pair.slice(eq + 1);
    }
    const client = new Client(this.baseUrl, { cookies, csrf: body.csrf_token });
    client.loginBody = body;
    client.setCookie = res.headers.getSetCookie();
    return client;
  }

  // A bearer client for the first admin, via `custos token issue`.
  async adminClient() {
    if (!this._admin) this._admin = this.tokenClient(this.issueToken('admin'));
    return this._admin;
  }

  issueToken(user, extraArgs = []) {
    const r = this.runCli(['token', 'issue', '--user', user, ...extraArgs]);
    if (r.code !== 0) throw new Error(`token issue failed: ${r.stderr}`);
    return r.stdout.trim();
  }

  // Creates a user over the API as admin; returns a bearer client for them.
  async createUser(username, roles = ['reporter'], extra = {}) {
    const admin = await this.adminClient();
    const res = await admin.post('/api/v1/users', { username, roles, password: PASSWORD, ...extra });
    if (res.status !== 201) throw new Error(`create ${username}: ${res.status} ${res.text}`);
    return res.body;
  }

  async userToken(username) {
    const admin = await this.adminClient();
    const res = await admin.post('/api/v1/tokens', { user: username, name: 'test' });
    if (res.status !== 201) throw new Error(`token for ${username}: ${res.status} ${res.text}`);
    return this.tokenClient(res.body.token);
  }

  // All audit entries, oldest first (pages through the API as admin).
  async auditEntries(query = '') {
    const admin = await this.adminClient();
    const items = [];
    let cursor = null;
    do {
      const q = new URLSearchParams(query);
      q.set('limit', '1000');
      if (cursor) q.set('cursor', cursor);
      const res = await admin.get(`/api/v1/audit?${q}`);
      if (res.status !== 200) throw new Error(`audit list: ${res.status} ${res.text}`);
      items.push(...res.body.items);
      cursor = res.body.next_cursor;
    } while (cursor);
    return items.reverse();
  }
}

// Starts a server. When a test of the calling file fails, the logs of its servers are printed
// at the end of the file; all of them are removed then.
export async function startServer(opts = {}) {
  const srv = new CustosServer(opts);
  started.push(srv);
  await srv.init();
  return srv;
}

// Stops a server a test no longer needs (its files stay until the end, for the log).
export async function disposeServer(srv) {
  await srv.stop();
}

const started = [];
const failed = [];
// Should this process end abruptly (a test runner timeout), take the servers along.
const killAll = () => {
  for (const srv of started) if (srv.running) srv.proc.kill('SIGKILL');
};
process.on('exit', killAll);
for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => {
    killAll();
    process.exit(128 + (signal === 'SIGTERM' ? 15 : 2));
  });
}
afterEach((t) => {
  if (!t.passed) failed.push(t.name);
});
after(async () => {
  for (const srv of started) await srv.stop();
  if (failed.length) {
    for (const srv of started) {
      // Errors and warnings from anywhere in the log, then its end.
      const lines = srv.log().split('\n');
      const notable = lines.filter((l) => / (error|warning|critical) /.test(l)).slice(-50);
      const tail = lines.slice(-150);
      console.error(`\n===== server log ${srv.logFile} (failed: ${failed.slice(0, 5).join('; ')}) =====\n` +
        `--- errors and warnings (${notable.length}):\n${notable.join('\n')}\n--- last ${tail.length} lines:\n` +
        `${tail.join('\n')}\n===== end of log =====`);
    }
  }
  for (const srv of started) await srv.dispose();
});

// Asserts an error answer: the status, RFC 9457 problem+json with a non-empty detail, the code.
export function assertProblem(res, status, code, message = '') {
  const problem = problemIssues(res, status, code);
  if (problem) throw new assert.AssertionError({ message: `${message ? `${message}: ` : ''}${problem}` });
  return res.body;
}

function problemIssues(res, status, code) {
  const problems = [];
  if (res.status !== status) problems.push(`status ${res.status}, expected ${status}`);
  const type = res.headers.get('content-type') ?? '';
  if (!type.startsWith('application/problem+json')) problems.push(`content-type '${type}'`);
  const b = res.body;
  if (typeof b !== 'object' || b === null) problems.push('body is not JSON');
  else {
    if (b.status !== status) problems.push(`body.status ${b.status}`);
    if (typeof b.detail !== 'string' || b.detail.trim() === '') problems.push('empty detail');
    if (typeof b.title !== 'string' || typeof b.type !== 'string') problems.push('no title/type');
    if (code && b.code !== code) problems.push(`code '${b.code}', expected '${code}'`);
  }
  return problems.length ? `${problems.join('; ')} — body: ${res.text.slice(0, 500)}` : null;
}
