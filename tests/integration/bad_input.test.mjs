// Hostile and broken input. For every case: the expected 4xx as problem+json with a detail,
// never a 5xx, the server still answers, and nothing stored has changed.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { startServer, assertProblem, sleep, ADMIN_PASSWORD, PASSWORD } from '../harness/server.mjs';
import { rawExchange, header } from '../harness/raw.mjs';

const MAX_BODY = 65536;
let srv;
let admin;
let session; // admin, by cookie
let tokens = {};
let staleCookie;

before(async () => {
  srv = await startServer({
    env: {
      CUSTOS_SERVER_MAX_BODY_BYTES: String(MAX_BODY),
      CUSTOS_SERVER_MAX_HEADER_BYTES: '4096',
      CUSTOS_SERVER_HEADER_TIMEOUT_SECONDS: '2',
    },
  });
  admin = await srv.adminClient();
  await srv.createUser('target', ['agent'], { display_name: 'Target User', email: 'target@example.org' });
  session = await srv.login('admin', ADMIN_PASSWORD);
  const expiring = await admin.post('/api/v1/tokens', { user: 'target', name: 'expiring', expires_in: '1s' });
  tokens.expired = expiring.body.token;
  const revoked = await admin.post('/api/v1/tokens', { user: 'target', name: 'revoked' });
  tokens.revoked = revoked.body.token;
  await admin.delete(`/api/v1/tokens/${revoked.body.id}`);
  tokens.valid = (await admin.post('/api/v1/tokens', { user: 'target', name: 'valid' })).body.token;
  const gone = await srv.login('target', PASSWORD);
  staleCookie = gone.cookies.custos_session;
  await gone.post('/api/v1/auth/logout');
  await sleep(1100); // let the expiring token expire
});

// What must not change: users, tokens (their use times aside) and the audit head.
async function snapshot() {
  const users = await admin.get('/api/v1/users?limit=500');
  const toks = await admin.get('/api/v1/tokens');
  const audit = await admin.get('/api/v1/audit?limit=1');
  assert.equal(users.status, 200, users.text);
  return {
    users: users.body.items,
    tokens: toks.body.items.map(({ last_used_at: _, ...t }) => t),
    auditHead: audit.body.items[0]?.seq ?? 0,
  };
}

async function alive(label) {
  const r = await fetch(`${srv.baseUrl}/healthz`).catch((e) => ({ status: `error ${e.message}` }));
  assert.equal(r.status, 200, `${label}: the server no longer answers /healthz`);
  assert.ok(srv.running, `${label}: the server process exited`);
}

// Turns a raw exchange into the { status, headers, body, text } shape the assertions use.
function fromRaw(r) {
  const headers = new Headers();
  for (const line of r.head.split('\r\n').slice(1)) {
    const i = line.indexOf(':');
    if (i > 0) headers.append(line.slice(0, i).trim(), line.slice(i + 1).trim());
  }
  let body = r.body;
  try {
    body = JSON.parse(r.body);
  } catch {}
  return { status: r.status, headers, body, text: r.text };
}

// Each case is its own subtest, so one failure does not hide the cases after it.
function rejected(t, label, send, status, opts = {}) {
  return t.test(label, () => rejectedCase(label, send, status, opts));
}

async function rejectedCase(label, send, status, { code, field, then } = {}) {
  const before = await snapshot();
  const res = await send();
  const allowed = [].concat(status);
  assert.ok(allowed.includes(res.status), `${label}: status ${res.status}, expected ${allowed.join(' or ')} — ${String(res.text).slice(0, 300)}`);
  assertProblem(res, res.status, code, label);
  if (field) {
    assert.ok(res.body.errors?.some((e) => e.field === field), `${label}: expected errors[].field ${field}: ${res.text}`);
    assert.ok(res.body.detail.includes(field), `${label}: detail should name ${field}: ${res.body.detail}`);
  }
  await alive(label);
  assert.deepEqual(await snapshot(), before, `${label}: stored data changed`);
  if (then) then(res);
}

const post = (path, body, headers = { 'content-type': 'application/json' }) =>
  admin.request('POST', path, { body, headers });

test('malformed JSON is 400', async (t) => {
  for (const body of ['{"username": "x",', '[1, 2', 'nul', '{"username":"x"}}', "{'username':'x'}", '{"a":1,}', '\u0000', '{"username":"x" "roles":[]}', '{"s":"\\ud800"}']) {
    await rejected(t, `POST /users ${JSON.stringify(body)}`, () => post('/api/v1/users', body), 400);
  }
  await rejected(t, 'empty body', () => post('/api/v1/users', ''), 400);
  await rejected(t, 'PATCH malformed', () => admin.request('PATCH', '/api/v1/users/target', { body: '{"display_name":', headers: { 'content-type': 'application/json', 'if-match': '"1"' } }), 400);
  await rejected(t, 'login malformed', () => srv.client().request('POST', '/api/v1/auth/login', { body: '{"username":', headers: { 'content-type': 'application/json' } }), 400);
});

test('wrong JSON types are 422 naming the field', async (t) => {
  const good = { username: 'typed', roles: ['agent'], password: PASSWORD };
  const cases = [
    [{ ...good, username: 123 }, 'username'],
    [{ ...good, username: ['a'] }, 'username'],
    [{ ...good, username: null }, 'username'],
    [{ ...good, roles: { agent: true } }, 'roles'],
    [{ ...good, roles: [null] }, 'roles[0]'],
    [{ ...good, mfa_required: 1 }, 'mfa_required'],
    [{ ...good, password: true }, 'password'],
    [{ ...good, display_name: { first: 'a' } }, 'display_name'],
    [{ ...good, email: 5 }, 'email'],
  ];
  for (const [body, field] of cases) {
    await rejected(t, `POST /users ${JSON.stringify(body)}`, () => admin.post('/api/v1/users', body), 422, { field });
  }
  for (const body of ['[]', '"a string"', '42', 'null', 'true']) {
    await rejected(t, `POST /users body ${body}`, () => post('/api/v1/users', body), 422);
  }
  await rejected(t, 'token expires_in number', () => admin.post('/api/v1/tokens', { user: 'target', expires_in: 30 }), 422, { field: 'expires_in' });
  await rejected(t, 'PATCH active as string', () => admin.patch('/api/v1/users/target', { active: 'false' }, { headers: { 'if-match': '"1"' } }), 422, { field: 'active' });
  await rejected(t, 'huge number', () => post('/api/v1/users', `{"username":1e999999,"roles":["agent"],"password":"${PASSWORD}"}`), [400, 422]);
});

test('missing and unknown fields are 422 naming the field', async (t) => {
  await rejected(t, 'missing everything', () => admin.post('/api/v1/users', {}), 422);
  await rejected(t, 'missing password', () => admin.post('/api/v1/users', { username: 'nopw', roles: ['agent'] }), 422, { field: 'password' });
  await rejected(t, 'missing user for token', () => admin.post('/api/v1/tokens', { name: 'x' }), 422, { field: 'user' });
  await rejected(t, 'unknown field', () => admin.post('/api/v1/users', { username: 'extra', roles: ['agent'], password: PASSWORD, is_admin: true }), 422, { field: 'is_admin' });
  await rejected(t, 'unknown field in PATCH', () => admin.patch('/api/v1/users/target', { version: 99 }, { headers: { 'if-match': '"1"' } }), 422, { field: 'version' });
  await rejected(t, 'unknown field on token', () => admin.post('/api/v1/tokens', { user: 'target', scopes: ['all'] }), 422, { field: 'scopes' });
  await rejected(t, 'password change missing field', () => session.post('/api/v1/me/password', { new_password: 'whatever whatever' }), 422, { field: 'current_password' });
  await rejected(t, 'deep nesting', () => post('/api/v1/users', `${'['.repeat(20000)}${']'.repeat(20000)}`), [400, 422]);
  await rejected(t, 'control characters', () => admin.post('/api/v1/users', { username: 'ctl', roles: ['agent'], password: PASSWORD, display_name: 'a\u0000b' }), 422, { field: 'display_name' });
});

test('an oversized body is 413', async (t) => {
  const big = JSON.stringify({ username: 'big', roles: ['agent'], password: PASSWORD, display_name: 'x'.repeat(MAX_BODY) });
  // Announced by Content-Length: refused after the header, before the body is read.
  await rejected(t, 'Content-Length over the limit', async () => fromRaw(await rawExchange(srv.port, [
    `POST /api/v1/users HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${admin.token}\r\nContent-Type: application/json\r\nContent-Length: ${big.length}\r\n\r\n`,
  ])), 413);
  // Chunked, so the size is only known while reading.
  const chunk = 'x'.repeat(16384);
  const chunks = [`POST /api/v1/users HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${admin.token}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n`];
  // Stop sending once past the limit: bytes sent after the server closed would make its
  // kernel answer with a reset that can discard the 413 before we read it.
  for (let i = 0; i < 5; i++) chunks.push(10, `${chunk.length.toString(16)}\r\n${chunk}\r\n`);
  await rejected(t, 'chunked body over the limit', async () => fromRaw(await rawExchange(srv.port, chunks)), 413);
  // And the ordinary client way, where the whole body is sent at once: the server reads and
  // drops the rest after answering, so the client gets the 413 rather than a reset.
  const huge = JSON.stringify({ username: 'huge', display_name: 'x'.repeat(4 * 1024 * 1024) });
  for (let i = 0; i < 5; i++) {
    await rejected(t, `fetch with a big body (${i + 1})`, async () => post('/api/v1/users', big), 413);
    await rejected(t, `fetch with a 4 MB body (${i + 1})`, async () => post('/api/v1/users', huge), 413);
  }
});

test('oversized headers are 431', async (t) => {
  await rejected(t, 'one huge header', async () => fromRaw(await rawExchange(srv.port, [
    `GET /api/v1/me HTTP/1.1\r\nHost: x\r\nX-Filler: ${'a'.repeat(6000)}\r\nConnection: close\r\n\r\n`,
  ])), 431);
  let many = 'GET /api/v1/me HTTP/1.1\r\nHost: x\r\n';
  for (let i = 0; i < 300; i++) many += `X-H${i}: ${'v'.repeat(20)}\r\n`;
  await rejected(t, 'many headers', async () => fromRaw(await rawExchange(srv.port, [`${many}Connection: close\r\n\r\n`])), 431);
  await rejected(t, 'huge cookie', () => srv.client().get('/api/v1/me', { headers: { cookie: `custos_session=${'c'.repeat(8000)}` } }), 431);
});

test('invalid UTF-8 in JSON, in the path and in the query is 400', async (t) => {
  const bytes = Buffer.concat([Buffer.from('{"username":"bad'), Buffer.from([0xff, 0xfe]), Buffer.from(`","roles":["agent"],"password":"${PASSWORD}"}`)]);
  await rejected(t, 'invalid UTF-8 in a JSON string', () => post('/api/v1/users', bytes), 400);
  const overlong = Buffer.concat([Buffer.from('{"username":"a","display_name":"'), Buffer.from([0xc0, 0xaf]), Buffer.from(`","roles":["agent"],"password":"${PASSWORD}"}`)]);
  await rejected(t, 'overlong UTF-8 sequence', () => post('/api/v1/users', overlong), 400);
  const surrogate = Buffer.concat([Buffer.from('{"username":"a","display_name":"'), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from(`","roles":["agent"],"password":"${PASSWORD}"}`)]);
  await rejected(t, 'UTF-8 encoded surrogate', () => post('/api/v1/users', surrogate), 400);
  await rejected(t, 'percent-encoded invalid UTF-8 in the path', () => admin.get('/api/v1/users/%FF%FE'), 400);
  await rejected(t, 'raw invalid UTF-8 in the path', async () => fromRaw(await rawExchange(srv.port, [
    Buffer.concat([Buffer.from('GET /api/v1/users/'), Buffer.from([0xc3, 0x28]), Buffer.from(` HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${admin.token}\r\nConnection: close\r\n\r\n`)]),
  ])), 400);
  await rejected(t, 'broken percent-encoding in the path', () => admin.get('/api/v1/users/%zz'), 400);
  await rejected(t, 'NUL in the path', () => admin.get('/api/v1/users/ad%00min'), [400, 404]);
  await rejected(t, 'invalid UTF-8 in a query value', () => admin.get('/api/v1/users?q=%FF%FE'), [400, 422]);
  await rejected(t, 'invalid UTF-8 in an audit filter', () => admin.get('/api/v1/audit?actor=%C3%28'), [400, 422]);
  await rejected(t, 'invalid UTF-8 in a login name', () => srv.client().request('POST', '/api/v1/auth/login', {
    body: Buffer.concat([Buffer.from('{"username":"'), Buffer.from([0xff]), Buffer.from('","password":"whatever-whatever"}')]),
    headers: { 'content-type': 'application/json' },
  }), 400);
});

test('path traversal finds nothing', async (t) => {
  await rejected(t, 'encoded ../ in a parameter', () => admin.get('/api/v1/users/..%2f..%2fetc'), 404);
  await rejected(t, 'encoded .. as a parameter', () => admin.get('/api/v1/users/%2e%2e'), [400, 404]);
  await rejected(t, 'encoded ../ to passwd', () => admin.get('/api/v1/users/..%2F..%2F..%2Fetc%2Fpasswd'), 404);
  for (const target of ['/../../etc/passwd', '/api/v1/../../../../etc/passwd', '/api/v1/users/../../../etc/passwd', '/%2e%2e/%2e%2e/etc/passwd', '/..\\..\\etc\\passwd']) {
    await rejected(t, `raw ${target}`, async () => fromRaw(await rawExchange(srv.port, [
      `GET ${target} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${admin.token}\r\nConnection: close\r\n\r\n`,
    ])), [400, 404], { then: (res) => assert.ok(!res.text.includes('root:'), `${target} leaked a file`) });
  }
  await rejected(t, 'absolute-form target', async () => fromRaw(await rawExchange(srv.port, [
    `GET http://evil.example/etc/passwd HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`,
  ])), [400, 404]);
});

test('SQL-looking strings are stored and returned verbatim, never executed', async (t) => {
  const names = [
    "Robert'); DROP TABLE users;--",
    "' OR '1'='1",
    '"; DELETE FROM audit_log; --',
    "1; UPDATE users SET roles='admin' --",
    "%' UNION SELECT password_hash FROM users --",
    'Zoë Ångström 🛡️ 中文 \\ back\\slash',
  ];
  for (let i = 0; i < names.length; i++) {
    const r = await admin.post('/api/v1/users', { username: `sql.${i}`, roles: ['reporter'], password: PASSWORD, display_name: names[i], email: `o'brien${i}@example.org` });
    assert.equal(r.status, 201, r.text);
    assert.equal(r.body.display_name, names[i]);
    const back = await admin.get(`/api/v1/users/sql.${i}`);
    assert.equal(back.body.display_name, names[i]);
    assert.equal(back.body.email, `o'brien${i}@example.org`);
    assert.deepEqual(back.body.roles, ['reporter']);
    // Searching for it finds exactly it.
    const found = await admin.get(`/api/v1/users?${new URLSearchParams({ q: names[i] })}`);
    assert.equal(found.status, 200, found.text);
    assert.deepEqual(found.body.items.map((u) => u.username), [`sql.${i}`], `search for ${names[i]}`);
  }
  const all = await admin.get('/api/v1/users?limit=500');
  assert.ok(all.body.items.some((u) => u.username === 'admin'), 'users table intact');
  assert.ok(all.body.items.filter((u) => u.roles.includes('admin')).length === 1, 'nobody became admin');
  const audit = await admin.get(`/api/v1/audit?${new URLSearchParams({ actor: "' OR 1=1 --" })}`);
  assert.deepEqual(audit.body.items, []);
  assert.equal((await admin.get('/api/v1/audit/verify')).body.ok, true);
  await rejected(t, 'SQL in a path parameter', () => admin.get(`/api/v1/users/${encodeURIComponent("x' OR '1'='1")}`), 404);
  await rejected(t, 'SQL as a login name', () => srv.client().post('/api/v1/auth/login', { username: "admin' --", password: 'anything at all' }), 401);
  await rejected(t, 'SQL as a username', () => admin.post('/api/v1/users', { username: "x'); DROP TABLE users;--", roles: ['agent'], password: PASSWORD }), 422, { field: 'username' });
  await rejected(t, 'SQL as an idempotency key', () => admin.post('/api/v1/users', { username: 'x' }, { headers: { 'idempotency-key': "'; DROP TABLE idempotency_keys; --" } }), 422);
});

test('expired, revoked, forged and garbage credentials are 401', async (t) => {
  const me = (headers) => () => srv.client().get('/api/v1/me', { headers });
  await rejected(t, 'expired token', me({ authorization: `Bearer ${tokens.expired}` }), 401);
  await rejected(t, 'revoked token', me({ authorization: `Bearer ${tokens.revoked}` }), 401);
  const v = tokens.valid;
  const flipped = v.slice(0, -1) + (v.endsWith('A') ? 'B' : 'A');
  await rejected(t, 'token with one character changed', me({ authorization: `Bearer ${flipped}` }), 401);
  await rejected(t, 'token truncated', me({ authorization: `Bearer ${v.slice(0, -4)}` }), 401);
  await rejected(t, 'forged token', me({ authorization: `Bearer ${v.slice(0, 4)}${'Z'.repeat(v.length - 4)}` }), 401);
  await rejected(t, 'garbage token', me({ authorization: 'Bearer !!!$$$%%%' }), 401);
  await rejected(t, 'very long token', me({ authorization: `Bearer ${'x'.repeat(3000)}` }), 401);
  await rejected(t, 'Basic auth', me({ authorization: 'Basic YWRtaW46YWRtaW4=' }), 401);
  await rejected(t, 'empty Bearer', me({ authorization: 'Bearer ' }), 401);
  await rejected(t, 'bare scheme', me({ authorization: 'Bearer' }), 401);
  await rejected(t, 'token as a cookie', me({ cookie: `custos_session=${v}` }), 401);
  await rejected(t, 'logged-out session cookie', me({ cookie: `custos_session=${staleCookie}` }), 401);
  const live = session.cookies.custos_session;
  await rejected(t, 'session cookie with one character changed', me({ cookie: `custos_session=${live.slice(0, -1)}${live.endsWith('A') ? 'B' : 'A'}` }), 401);
  await rejected(t, 'garbage session cookie', me({ cookie: 'custos_session=%00%FF;;;==' }), 401);
  await rejected(t, 'a bad token on a public route is still an error', () => srv.client().post('/api/v1/auth/login', { username: 'admin', password: ADMIN_PASSWORD }, { headers: { authorization: 'Bearer nope' } }), 401);
  await rejected(t, 'revoked token writing', () => srv.tokenClient(tokens.revoked).post('/api/v1/me/tokens', { name: 'x' }), 401);
  await rejected(t, 'expired token writing', () => srv.tokenClient(tokens.expired).post('/api/v1/users', { username: 'x', roles: ['admin'], password: PASSWORD }), 401);
});

test('cookie writes without the CSRF token are 403', async (t) => {
  await rejected(t, 'create user', () => session.post('/api/v1/users', { username: 'csrf.victim', roles: ['admin'], password: PASSWORD }, { csrf: false }), 403, { code: 'csrf-token-invalid' });
  await rejected(t, 'patch user', () => session.patch('/api/v1/users/target', { roles: ['admin'] }, { csrf: false, headers: { 'if-match': '"1"' } }), 403, { code: 'csrf-token-invalid' });
  await rejected(t, 'set password', () => session.post('/api/v1/users/target/password', { password: 'attacker chosen pw' }, { csrf: false }), 403, { code: 'csrf-token-invalid' });
  await rejected(t, 'issue token', () => session.post('/api/v1/tokens', { user: 'admin' }, { csrf: false }), 403, { code: 'csrf-token-invalid' });
  await rejected(t, 'CSRF token in the wrong header', () => session.post('/api/v1/tokens', { user: 'admin' }, { csrf: false, headers: { 'x-xsrf-token': session.csrf } }), 403, { code: 'csrf-token-invalid' });
  await rejected(t, 'CSRF token in the query', () => session.post(`/api/v1/tokens?csrf_token=${session.csrf}`, { user: 'admin' }, { csrf: false }), [403, 422]);
  await rejected(t, 'form post', () => session.request('POST', '/api/v1/users', { body: 'username=x&roles=admin', csrf: false, headers: { 'content-type': 'application/x-www-form-urlencoded' } }), [403, 415]);
});

test('a wrong content type is 415', async (t) => {
  const body = JSON.stringify({ username: 'ctype', roles: ['agent'], password: PASSWORD });
  for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/xml', 'application/jsonx', 'text/json']) {
    await rejected(t, `Content-Type ${type}`, () => admin.request('POST', '/api/v1/users', { body, headers: { 'content-type': type } }), 415);
  }
  await rejected(t, 'no Content-Type', () => admin.request('POST', '/api/v1/users', { body: Buffer.from(body) }), 415);
});

test('unknown query parameters and out-of-range limits are 422', async (t) => {
  await rejected(t, 'unknown param on users', () => admin.get('/api/v1/users?sort=password_hash'), 422, { field: 'sort' });
  await rejected(t, 'unknown param on me', () => admin.get('/api/v1/me?debug=1'), 422, { field: 'debug' });
  await rejected(t, 'unknown param on audit', () => admin.get('/api/v1/audit?where=1%3D1'), 422, { field: 'where' });
  await rejected(t, 'unknown param on lockouts', () => admin.get('/api/v1/lockouts?all=1'), 422, { field: 'all' });
  for (const limit of ['1000000', '99999999999999999999', '-1', '0', '1e3', '7.5', '', '0x10', ' 5']) {
    await rejected(t, `limit=${limit}`, () => admin.get(`/api/v1/users?limit=${encodeURIComponent(limit)}`), 422, { field: 'limit' });
  }
  await rejected(t, 'audit limit huge', () => admin.get('/api/v1/audit?limit=5000000'), 422, { field: 'limit' });
});

test('a method the route does not have is 405 with Allow', async (t) => {
  const cases = [
    ['PUT', '/api/v1/users', ['GET', 'POST']],
    ['DELETE', '/api/v1/users', ['GET', 'POST']],
    ['DELETE', '/api/v1/users/target', ['GET', 'PATCH']],
    ['POST', '/api/v1/me', ['GET']],
    ['GET', '/api/v1/auth/login', ['POST']],
    ['PATCH', '/healthz', ['GET']],
    ['POST', '/api/v1/audit/verify', ['GET']],
  ];
  for (const [method, path, allow] of cases) {
    const json = ['GET', 'HEAD'].includes(method) ? undefined : {};
    await rejected(t, `${method} ${path}`, () => admin.request(method, path, { json }), 405, {
      then: (res) => {
        const got = (res.headers.get('allow') ?? '').split(',').map((s) => s.trim()).filter(Boolean);
        for (const m of allow) assert.ok(got.includes(m), `${method} ${path}: Allow '${res.headers.get('allow')}' lacks ${m}`);
      },
    });
  }
  await rejected(t, 'unknown route', () => admin.get('/api/v1/nothing-here'), 404);
  await rejected(t, 'unknown method', async () => fromRaw(await rawExchange(srv.port, [
    `BREW /api/v1/users HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${admin.token}\r\nConnection: close\r\n\r\n`,
  ])), [400, 405, 501]);
});

test('conflicting framing headers are refused', async (t) => {
  await rejected(t, 'Content-Length and Transfer-Encoding', async () => fromRaw(await rawExchange(srv.port, [
    `POST /api/v1/users HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${admin.token}\r\nContent-Type: application/json\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n0\r\n\r\n`,
  ])), 400);
  await rejected(t, 'two different Content-Lengths', async () => fromRaw(await rawExchange(srv.port, [
    `POST /api/v1/users HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${admin.token}\r\nContent-Type: application/json\r\nContent-Length: 2\r\nContent-Length: 40\r\nConnection: close\r\n\r\n{}`,
  ])), 400);
  await rejected(t, 'Idempotency-Key too long', () => admin.post('/api/v1/users', { username: 'idem' }, { headers: { 'idempotency-key': 'k'.repeat(200) } }), 422);
});

test('garbage bytes on the socket get a 400 or a closed connection, never a hang', async (t) => {
  const before = await snapshot();
  const junk = [
    Buffer.from([0x16, 0x03, 0x01, 0x00, 0xa5, 0x01, 0x00, 0x00, 0xa1, 0x03, 0x03]), // a TLS ClientHello
    Buffer.from('\x00\x01\x02\x03\xff\xfe\r\n\r\n', 'latin1'),
    Buffer.from('HELLO WORLD\r\n\r\n'),
    Buffer.from('GET / HTTP/9.9\r\n\r\n'),
    Buffer.from('GET /healthz HTTP/1.1\r\nHost x\r\n\r\n'),
    Buffer.from('GET /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n'),
    Buffer.from('POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n'),
  ];
  for (const bytes of junk) {
    const r = await rawExchange(srv.port, [bytes], { timeoutMs: 5000 });
    const label = JSON.stringify(bytes.toString('latin1'));
    assert.notEqual(r.closedBy, 'timeout', `${label}: server kept the connection open ${r.ms} ms`);
    if (r.status !== null) {
      assert.ok(r.status >= 400 && r.status < 500, `${label}: status ${r.status}`);
      assert.match(header(r.head, 'content-type') ?? '', /problem\+json/, label);
    }
    await alive(label);
  }
  assert.deepEqual(await snapshot(), before);
});

test('a slow client is cut off after the header timeout and does not block others', async (t) => {
  const trickle = ['GET /api/v1/me HTTP/1.1\r\nHost: x\r\n'];
  for (let i = 0; i < 40; i++) trickle.push(250, `X-Slow-${i}: y\r\n`);
  const slowOnes = Array.from({ length: 20 }, () => rawExchange(srv.port, trickle, { timeoutMs: 12_000 }));
  // While they dribble, normal requests are answered promptly.
  await sleep(300);
  const t0 = Date.now();
  const me = await admin.get('/api/v1/me');
  assert.equal(me.status, 200);
  assert.ok(Date.now() - t0 < 1000, `a normal request took ${Date.now() - t0} ms during the slow clients`);
  for (const r of await Promise.all(slowOnes)) {
    assert.equal(r.closedBy === 'timeout' ? 'still open' : 'closed', 'closed', `slow client not cut off after ${r.ms} ms`);
    assert.ok(r.ms >= 1500 && r.ms < 6000, `closed after ${r.ms} ms, header timeout is 2 s`);
    assert.ok(r.status === null || r.status >= 400, `slow client got ${r.status}`);
  }
  // A slow body is cut off too (after the body timeout); here: the header alone, never finished.
  const r = await rawExchange(srv.port, ['GET /healthz HTTP/1.1\r\nHo'], { timeoutMs: 8000 });
  assert.notEqual(r.closedBy, 'timeout');
  await alive('after slow clients');
});

test('connections over the limit are refused, and the server recovers when they close', async () => {
  const limited = await startServer({ env: { CUSTOS_SERVER_MAX_CONNECTIONS: '4', CUSTOS_SERVER_HEADER_TIMEOUT_SECONDS: '30' } });
  const sockets = await Promise.all(Array.from({ length: 8 }, () => new Promise((resolve) => {
    const s = net.connect(limited.port, '127.0.0.1', () => resolve(s));
    s.closedByServer = false;
    s.on('end', () => { s.closedByServer = true; });
    s.on('close', () => { s.closedByServer = true; });
    s.on('error', () => {});
  })));
  await sleep(500);
  const open = sockets.filter((s) => !s.closedByServer).length;
  assert.ok(open <= 4, `${open} idle connections held open, limit 4`);
  assert.ok(open >= 2, `only ${open} connections accepted`);
  for (const s of sockets) s.destroy();
  let status = null;
  for (let i = 0; i < 20 && status !== 200; i++) {
    await sleep(100);
    status = await fetch(`${limited.baseUrl}/healthz`).then((r) => r.status, () => null);
  }
  assert.equal(status, 200, 'not serving again after the connections closed');
});
