// /api/v1/openapi.json: valid OpenAPI 3.1 (checked by a real validator) that matches the routes the
// server really has and the statuses they really answer. Plus graceful shutdown on SIGTERM.
import { test, before } from 'node:test';
import { performance } from 'node:perf_hooks';
import assert from 'node:assert/strict';
import { Validator } from '@seriousme/openapi-schema-validator';
import { startServer, assertProblem, sleep, ADMIN_PASSWORD, PASSWORD } from '../harness/server.mjs';

let srv;
let admin;
let doc;
let ops; // [{ method, path, op }]
const fill = {};

// Every route the server is known to have (from the issue); the document must list each.
const KNOWN_ROUTES = [
  'POST /api/v1/auth/login', 'POST /api/v1/auth/logout', 'GET /api/v1/me', 'POST /api/v1/me/password',
  'POST /api/v1/me/mfa/totp', 'POST /api/v1/me/mfa/totp/confirm', 'POST /api/v1/me/mfa/totp/disable',
  'GET /api/v1/users', 'POST /api/v1/users', 'GET /api/v1/users/{username}', 'PATCH /api/v1/users/{username}',
  'POST /api/v1/users/{username}/password', 'POST /api/v1/users/{username}/mfa/reset',
  'GET /api/v1/tokens', 'POST /api/v1/tokens', 'DELETE /api/v1/tokens/{id}',
  'GET /api/v1/me/tokens', 'POST /api/v1/me/tokens', 'DELETE /api/v1/me/tokens/{id}',
  'GET /api/v1/lockouts', 'DELETE /api/v1/lockouts/{kind}/{subject}',
  'GET /api/v1/audit', 'GET /api/v1/audit/verify',
  'GET /healthz', 'GET /readyz', 'GET /metrics', 'GET /api/v1/openapi.json',
];
const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

before(async () => {
  srv = await startServer({ env: { CUSTOS_AUTH_LOCKOUT_ACCOUNT_THRESHOLD: '2' } });
  admin = await srv.adminClient();
  await srv.createUser('oa.target', ['agent']);
  fill.username = 'oa.target';
  fill.kind = 'account';
  fill.subject = 'oa.locked';
  for (let i = 0; i < 2; i++) await srv.client().post('/api/v1/auth/login', { username: 'oa.locked', password: 'wrong password!' });
  const r = await srv.client().get('/api/v1/openapi.json');
  assert.equal(r.status, 200, r.text);
  assert.match(r.headers.get('content-type'), /^application\/json/);
  doc = r.body;
  ops = [];
  for (const [path, item] of Object.entries(doc.paths ?? {})) {
    for (const method of METHODS) if (item[method]) ops.push({ method: method.toUpperCase(), path, op: item[method] });
  }
});

// Path parameters filled with things that exist: fresh token ids (so each DELETE removes
// something real), known values, or else the first item of the parent collection.
const fromCollection = new Map();
async function concrete(path) {
  let p = path;
  if (/\/tokens\/\{id\}/.test(p)) {
    const own = path.startsWith('/api/v1/me/');
    const t = await admin.post('/api/v1/tokens', { user: own ? 'admin' : 'oa.target', name: 'to-delete' });
    p = p.replace('{id}', String(t.body.id));
  }
  for (const [, name] of [...p.matchAll(/\{(\w+)\}/g)]) {
    let value = fill[name];
    if (value === undefined) {
      const parent = p.slice(0, p.indexOf(`/{${name}}`));
      if (!fromCollection.has(parent)) {
        const list = await admin.get(parent);
        const first = list.body?.items?.[0];
        fromCollection.set(parent, first?.[name] ?? first?.id ?? first?.code ?? 'no-such-item');
      }
      value = fromCollection.get(parent);
    }
    p = p.replace(`{${name}}`, encodeURIComponent(value));
  }
  return p;
}

// A 404 from the router ("the resource ... was not found") means there is no such route; a
// handler's 404 for a missing item is an answer of the route.
const routeMissing = (r) => r.status === 405 || (r.status === 404 && /^the resource /.test(r.body?.detail ?? ''));

const documented = (op, status) => Object.keys(op.responses ?? {}).includes(String(status));

test('the document validates as OpenAPI 3.1 with @seriousme/openapi-schema-validator', async () => {
  assert.match(doc.openapi, /^3\.1\.\d+$/);
  const validator = new Validator();
  const result = await validator.validate(structuredClone(doc));
  assert.equal(result.valid, true, JSON.stringify(result.errors, null, 2)?.slice(0, 3000));
  assert.equal(validator.version, '3.1');
  // References resolve: every $ref points at something.
  const text = JSON.stringify(doc);
  for (const [, ref] of text.matchAll(/"\$ref":"#\/components\/schemas\/([^"]+)"/g)) {
    assert.ok(doc.components.schemas[ref], `dangling $ref ${ref}`);
  }
  const ids = ops.map((o) => o.op.operationId);
  assert.equal(new Set(ids).size, ids.length, 'operationIds are unique');
});

test('every route the server has is documented', () => {
  for (const route of KNOWN_ROUTES) {
    const [method, path] = route.split(' ');
    assert.ok(doc.paths[path]?.[method.toLowerCase()], `${route} is not in the document`);
  }
});

test('every documented operation exists and answers a documented status', async (t) => {
  for (const { method, path, op } of ops) {
    await t.test(`${method} ${path}`, async () => {
      const url = await concrete(path);
      const headers = {};
      if (method === 'PATCH') headers['if-match'] = '"1"';
      const r = await admin.request(method, url, { json: op.requestBody ? {} : undefined, headers });
      assert.ok(!routeMissing(r), `${method} ${url}: ${r.status} ${r.text.slice(0, 200)}`);
      assert.ok(r.status < 500, `${method} ${url}: ${r.status} ${r.text.slice(0, 200)}`);
      assert.ok(documented(op, r.status), `${method} ${path} answered ${r.status}, documented: ${Object.keys(op.responses)} — ${r.text.slice(0, 200)}`);
    });
  }
});

test('Allow on a 405 lists exactly the documented methods of the path', async (t) => {
  for (const [path, item] of Object.entries(doc.paths)) {
    await t.test(path, async (st) => {
      const methods = METHODS.filter((m) => item[m]).map((m) => m.toUpperCase());
      const probe = ['PUT', 'DELETE', 'PATCH', 'POST'].find((m) => !methods.includes(m));
      if (!probe) return st.skip('every method fetch can send is documented here');
      const r = await admin.request(probe, await concrete(path), { json: {} });
      assertProblem(r, 405, undefined, `${probe} ${path}`);
      const allow = (r.headers.get('allow') ?? '').split(',').map((s) => s.trim()).filter((m) => m && m !== 'HEAD' && m !== 'OPTIONS');
      assert.deepEqual(allow.sort(), methods.sort(), `${probe} ${path}: Allow ${r.headers.get('allow')}`);
    });
  }
  const r = await admin.get('/api/v1/not-a-route');
  assertProblem(r, 404);
});

test('without credentials, protected operations answer a documented 401', async (t) => {
  const anon = srv.client();
  for (const { method, path, op } of ops.filter((o) => o.op['x-custos-permission'] !== 'anyone')) {
    await t.test(`${method} ${path}`, async () => {
      const r = await anon.request(method, await concrete(path), { json: op.requestBody ? {} : undefined });
      assertProblem(r, 401, undefined, `${method} ${path}`);
      assert.ok(documented(op, 401), `${method} ${path}: 401 not documented`);
      assert.ok(op.security?.length, `${method} ${path}: no security requirement documented`);
    });
  }
});

test('operations with a request body answer a documented 415 to a wrong content type', async (t) => {
  for (const { method, path, op } of ops.filter((o) => o.op.requestBody)) {
    await t.test(`${method} ${path}`, async () => {
      const r = await admin.request(method, await concrete(path), {
        body: 'plain text', headers: { 'content-type': 'text/plain', 'if-match': '"1"' },
      });
      // A route may first say that the item does not exist, or that an admin's roles do not
      // allow it (major incidents, waivers: incident managers only); otherwise the answer is 415.
      const refused = (r.status === 404 && !routeMissing(r)) || (r.status === 403 && r.body?.code === 'forbidden');
      if (!refused) assertProblem(r, 415, undefined, `${method} ${path}`);
      assert.ok(documented(op, r.status), `${method} ${path} answers ${r.status} but documents only ${Object.keys(op.responses)}`);
    });
  }
});

test('a session that must first enrol MFA gets documented statuses', async (t) => {
  await srv.createUser('oa.enrolling', ['admin'], { mfa_required: true });
  const s = await srv.login('oa.enrolling', PASSWORD);
  for (const { method, path, op } of ops.filter((o) => o.op['x-custos-permission'] !== 'anyone' && !o.path.includes('logout'))) {
    await t.test(`${method} ${path}`, async () => {
      const r = await s.request(method, await concrete(path), { json: op.requestBody ? {} : undefined, headers: method === 'PATCH' ? { 'if-match': '"1"' } : {} });
      assert.ok(r.status < 500, `${method} ${path}: ${r.status}`);
      assert.ok(documented(op, r.status), `${method} ${path} answered ${r.status} (${r.body?.code}), documented: ${Object.keys(op.responses)}`);
    });
  }
});

test('SIGTERM lets in-flight requests finish, then exits 0', async () => {
  const slow = await startServer({ hashing: 'interactive' });
  const c = slow.client();
  // Interactive Argon2id takes a while and only two run at once: these queue up in flight.
  let termAt = Infinity;
  const logins = Array.from({ length: 6 }, () => c.post('/api/v1/auth/login', { username: 'admin', password: ADMIN_PASSWORD })
    .then((r) => ({ ...r, doneAt: performance.now() }), (e) => e));
  await sleep(100);
  termAt = performance.now();
  const stopping = slow.stop();
  const results = await Promise.all(logins);
  const exit = await stopping;
  for (const r of results) {
    assert.ok(!(r instanceof Error), `a request in flight was dropped: ${r.message} ${r.cause?.code ?? ''}`);
    assert.equal(r.status, 200, r.text);
    assert.ok(r.headers.getSetCookie().some((x) => x.startsWith('custos_session=')));
  }
  assert.ok(results.some((r) => r.doneAt > termAt), 'no request was still in flight at SIGTERM: the test proved nothing');
  assert.deepEqual(exit, { code: 0, signal: null }, slow.log().slice(-2000));
  // After the exit nobody answers, and what was answered was committed.
  await assert.rejects(fetch(`${slow.baseUrl}/healthz`));
  await slow.start();
  assert.equal((await slow.auditEntries('action=auth.login')).length, results.length);
  const r = slow.runCli(['audit', 'verify']);
  assert.equal(r.code, 0, r.stdout);
});
