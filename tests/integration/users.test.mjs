// User administration: create, read, update with ETag/If-Match, roles, pagination, search, validation.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, assertProblem, PASSWORD } from '../harness/server.mjs';

let srv;
let admin;
const as = {};

before(async () => {
  srv = await startServer();
  admin = await srv.adminClient();
  for (const role of ['reporter', 'agent', 'incident_manager', 'security_manager', 'auditor']) {
    await srv.createUser(`r.${role}`, [role]);
    as[role] = await srv.userToken(`r.${role}`);
  }
});

test('create, read and update a user; versions and ETags move together', async () => {
  const created = await admin.post('/api/v1/users', {
    username: 'carol', display_name: 'Carol Danvers', email: 'carol@example.org',
    roles: ['agent', 'incident_manager'], password: PASSWORD,
  });
  assert.equal(created.status, 201, created.text);
  assert.equal(created.headers.get('location'), '/api/v1/users/carol');
  assert.equal(created.headers.get('etag'), '"1"');
  const u = created.body;
  assert.equal(u.username, 'carol');
  assert.equal(u.display_name, 'Carol Danvers');
  assert.equal(u.email, 'carol@example.org');
  assert.deepEqual([...u.roles].sort(), ['agent', 'incident_manager']);
  assert.equal(u.active, true);
  assert.equal(u.mfa_required, false);
  assert.equal(u.version, 1);
  assert.ok(Math.abs(Date.parse(u.created_at) - Date.now()) < 60_000, u.created_at);
  assert.ok(!JSON.stringify(u).match(/password|argon/i), 'no password material in the answer');

  const read = await admin.get('/api/v1/users/carol');
  assert.equal(read.status, 200);
  assert.equal(read.headers.get('etag'), '"1"');
  assert.deepEqual(read.body, u);

  const patched = await admin.patch('/api/v1/users/carol', { display_name: 'Captain Marvel', roles: ['security_manager'] },
    { headers: { 'if-match': '"1"' } });
  assert.equal(patched.status, 200, patched.text);
  assert.equal(patched.body.version, 2);
  assert.equal(patched.headers.get('etag'), '"2"');
  assert.equal(patched.body.display_name, 'Captain Marvel');
  assert.deepEqual(patched.body.roles, ['security_manager']);
  assert.equal(patched.body.email, 'carol@example.org', 'fields not sent stay as they were');

  const cleared = await admin.patch('/api/v1/users/carol', { email: null }, { headers: { 'if-match': '"2"' } });
  assert.equal(cleared.status, 200, cleared.text);
  assert.equal(cleared.body.email, null);
  assert.equal(cleared.body.version, 3);

  const again = await admin.get('/api/v1/users/carol');
  assert.equal(again.headers.get('etag'), '"3"');
  assert.equal(again.body.display_name, 'Captain Marvel');
  // The new role takes effect for the user's credentials.
  const carol = await srv.login('carol', PASSWORD);
  assert.deepEqual((await carol.get('/api/v1/me')).body.roles, ['security_manager']);
});

test('PATCH without If-Match is 428, with a stale or bogus one 412, and changes nothing', async () => {
  const before = (await admin.get('/api/v1/users/carol')).body;
  assertProblem(await admin.patch('/api/v1/users/carol', { display_name: 'X' }), 428);
  assertProblem(await admin.patch('/api/v1/users/carol', { display_name: 'X' }, { headers: { 'if-match': '"1"' } }), 412);
  assertProblem(await admin.patch('/api/v1/users/carol', { display_name: 'X' }, { headers: { 'if-match': 'banana' } }), 412);
  assertProblem(await admin.patch('/api/v1/users/carol', { display_name: 'X' }, { headers: { 'if-match': `"${before.version + 1}"` } }), 412);
  const after = (await admin.get('/api/v1/users/carol')).body;
  assert.deepEqual(after, before);
  assertProblem(await admin.patch('/api/v1/users/nobody', { display_name: 'X' }, { headers: { 'if-match': '"1"' } }), 404);
});

test('two writers with the same version: exactly one wins', async () => {
  await srv.createUser('contested', ['agent']);
  const results = await Promise.all(['A', 'B', 'C', 'D'].map((n) =>
    admin.patch('/api/v1/users/contested', { display_name: `Writer ${n}` }, { headers: { 'if-match': '"1"' } })));
  const statuses = results.map((r) => r.status).sort();
  assert.deepEqual(statuses, [200, 412, 412, 412], results.map((r) => r.text).join('\n'));
  const final = await admin.get('/api/v1/users/contested');
  assert.equal(final.body.version, 2);
  assert.equal(final.body.display_name, results.find((r) => r.status === 200).body.display_name);
});

test('role checks: who may read and who may change users', async () => {
  assertProblem(await as.reporter.get('/api/v1/users'), 403);
  assertProblem(await as.reporter.get('/api/v1/users/carol'), 403);
  for (const role of ['agent', 'incident_manager', 'security_manager', 'auditor']) {
    const r = await as[role].get('/api/v1/users');
    assert.equal(r.status, 200, `${role}: ${r.text}`);
    assert.equal((await as[role].get('/api/v1/users/carol')).status, 200);
  }
  for (const role of ['reporter', 'agent', 'incident_manager', 'security_manager', 'auditor']) {
    const c = as[role];
    assertProblem(await c.post('/api/v1/users', { username: `made.by.${role}`, roles: ['admin'], password: PASSWORD }), 403, undefined, role);
    assertProblem(await c.patch(`/api/v1/users/r.${role}`, { roles: ['admin'] }, { headers: { 'if-match': '"1"' } }), 403, undefined, role);
    assertProblem(await c.post('/api/v1/users/carol/password', { password: 'taken over by me' }), 403, undefined, role);
    assertProblem(await c.get('/api/v1/tokens'), 403, undefined, role);
    assertProblem(await c.post('/api/v1/tokens', { user: 'admin' }), 403, undefined, role);
  }
  for (const role of ['reporter', 'agent', 'incident_manager', 'security_manager', 'auditor']) {
    assert.equal((await admin.get(`/api/v1/users/made.by.${role}`)).status, 404);
    assert.deepEqual((await admin.get(`/api/v1/users/r.${role}`)).body.roles, [role], 'nobody promoted themself');
  }
  const anon = srv.client();
  assertProblem(await anon.get('/api/v1/users'), 401);
  assertProblem(await anon.post('/api/v1/users', { username: 'anon', roles: ['admin'], password: PASSWORD }), 401);
});

test('cursor pagination visits every user exactly once, in order', async () => {
  for (let i = 1; i <= 30; i++) {
    const n = String(i).padStart(2, '0');
    await srv.createUser(`page.user.${n}`, ['reporter'], { display_name: `Paged Person ${n}`, email: `p${n}@pages.example` });
  }
  const seen = [];
  const sizes = [];
  let cursor = null;
  let pages = 0;
  do {
    const q = new URLSearchParams({ q: 'page.user', limit: '7' });
    if (cursor) q.set('cursor', cursor);
    const r = await admin.get(`/api/v1/users?${q}`);
    assert.equal(r.status, 200, r.text);
    sizes.push(r.body.items.length);
    seen.push(...r.body.items.map((u) => u.username));
    cursor = r.body.next_cursor;
    assert.ok(++pages <= 10, 'pagination does not end');
  } while (cursor);
  assert.deepEqual(sizes, [7, 7, 7, 7, 2]);
  const expected = Array.from({ length: 30 }, (_, i) => `page.user.${String(i + 1).padStart(2, '0')}`);
  assert.deepEqual(seen, expected);

  // Without a filter: every user, sorted, and the default page size holds them all.
  const all = await admin.get('/api/v1/users?limit=500');
  const names = all.body.items.map((u) => u.username);
  assert.deepEqual(names, [...names].sort());
  assert.ok(names.length >= 37);
  assert.equal(all.body.next_cursor, null);

  assertProblem(await admin.get('/api/v1/users?cursor=not-a-cursor!!'), 422);
  assertProblem(await admin.get('/api/v1/users?limit=0'), 422);
  assertProblem(await admin.get('/api/v1/users?limit=501'), 422);
  assertProblem(await admin.get('/api/v1/users?limit=seven'), 422);
});

test('search q matches username, display name and e-mail, case-insensitively, wildcards literal', async () => {
  const names = async (q) => (await admin.get(`/api/v1/users?${new URLSearchParams({ q, limit: '500' })}`)).body.items.map((u) => u.username);
  assert.deepEqual(await names('PAGE.USER.0'), Array.from({ length: 9 }, (_, i) => `page.user.0${i + 1}`));
  assert.deepEqual(await names('paged person 17'), ['page.user.17']);
  assert.deepEqual(await names('p23@pages'), ['page.user.23']);
  assert.deepEqual(await names('captain marvel'), ['carol']);
  assert.deepEqual(await names('%'), []);
  assert.deepEqual(await names('page_user'), [], '_ is not a wildcard');
  assert.deepEqual(await names('zzz-nothing'), []);
});

test('duplicate usernames are a 409 conflict', async () => {
  const r = await admin.post('/api/v1/users', { username: 'carol', roles: ['agent'], password: PASSWORD });
  assertProblem(r, 409);
  assert.match(r.body.detail, /carol/);
  const list = await admin.get('/api/v1/users?q=carol');
  assert.equal(list.body.items.length, 1);
});

test('validation errors are 422 and name the field', async () => {
  const base = { username: 'valid.name', roles: ['agent'], password: PASSWORD };
  const cases = [
    [{ ...base, username: undefined }, 'username'],
    [{ ...base, username: '' }, 'username'],
    [{ ...base, username: 'Upper' }, 'username'],
    [{ ...base, username: 'has space' }, 'username'],
    [{ ...base, username: 'x'.repeat(65) }, 'username'],
    [{ ...base, username: 42 }, 'username'],
    [{ ...base, roles: undefined }, 'roles'],
    [{ ...base, roles: [] }, 'roles'],
    [{ ...base, roles: 'agent' }, 'roles'],
    [{ ...base, roles: ['agent', 'king'] }, 'roles[1]'],
    [{ ...base, roles: [7] }, 'roles[0]'],
    [{ ...base, password: undefined }, 'password'],
    [{ ...base, password: 'short' }, 'password'],
    [{ ...base, password: 'x'.repeat(5000) }, 'password'],
    [{ ...base, email: 'not-an-email' }, 'email'],
    [{ ...base, email: 'a@b@c.org' }, 'email'],
    [{ ...base, display_name: '' }, 'display_name'],
    [{ ...base, display_name: 'bell\u0007' }, 'display_name'],
    [{ ...base, display_name: 'x'.repeat(201) }, 'display_name'],
    [{ ...base, mfa_required: 'yes' }, 'mfa_required'],
    [{ ...base, is_superuser: true }, 'is_superuser'],
  ];
  for (const [body, field] of cases) {
    const r = await admin.post('/api/v1/users', body);
    const problem = assertProblem(r, 422, undefined, `${JSON.stringify(body).slice(0, 120)}`);
    assert.ok(Array.isArray(problem.errors) && problem.errors.some((e) => e.field === field),
      `expected field ${field}: ${r.text}`);
    assert.ok(problem.detail.includes(field), `detail names ${field}: ${problem.detail}`);
  }
  assert.equal((await admin.get('/api/v1/users/valid.name')).status, 404, 'nothing was created');

  const etag = (await admin.get('/api/v1/users/carol')).headers.get('etag');
  const patchCases = [
    [{ roles: [] }, 'roles'],
    [{ active: 'no' }, 'active'],
    [{ display_name: 5 }, 'display_name'],
    [{ email: 'nope' }, 'email'],
    [{ username: 'renamed' }, 'username'],
    [{ password: PASSWORD }, 'password'],
  ];
  for (const [body, field] of patchCases) {
    const r = await admin.patch('/api/v1/users/carol', body, { headers: { 'if-match': etag } });
    const problem = assertProblem(r, 422, undefined, JSON.stringify(body));
    assert.ok(problem.errors?.some((e) => e.field === field), `expected field ${field}: ${r.text}`);
  }
  assert.equal((await admin.get('/api/v1/users/carol')).headers.get('etag'), etag, 'nothing was changed');
});

test('an admin cannot lock themself out', async () => {
  const me = await admin.get('/api/v1/users/admin');
  const etag = me.headers.get('etag');
  let r = await admin.patch('/api/v1/users/admin', { active: false }, { headers: { 'if-match': etag } });
  assert.equal(assertProblem(r, 422).errors[0].field, 'active');
  r = await admin.patch('/api/v1/users/admin', { roles: ['auditor'] }, { headers: { 'if-match': etag } });
  assert.equal(assertProblem(r, 422).errors[0].field, 'roles');
  assert.deepEqual((await admin.get('/api/v1/users/admin')).body.roles, ['admin']);
});

test('a user created with mfa_required must enrol at first sign-in', async () => {
  const r = await admin.post('/api/v1/users', { username: 'needs.mfa', roles: ['agent'], password: PASSWORD, mfa_required: true });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.body.mfa_required, true);
  const s = await srv.login('needs.mfa', PASSWORD);
  assertProblem(await s.get('/api/v1/users'), 403, 'mfa-enrolment-required');
});

test('Idempotency-Key: a retried create gets the first answer, not a duplicate or a 409', async () => {
  const key = `idem-${Date.now()}`;
  const body = { username: 'idem.user', roles: ['agent'], password: PASSWORD };
  const first = await admin.post('/api/v1/users', body, { headers: { 'idempotency-key': key } });
  assert.equal(first.status, 201, first.text);
  const second = await admin.post('/api/v1/users', body, { headers: { 'idempotency-key': key } });
  assert.equal(second.status, 201, second.text);
  assert.deepEqual(second.body, first.body);
  assert.equal(second.headers.get('idempotent-replayed'), 'true');
  assert.equal(second.headers.get('location'), first.headers.get('location'));
  assert.equal(second.headers.get('etag'), first.headers.get('etag'));
  // A different principal's request with the same key is a request of its own.
  const other = await srv.userToken('r.agent');
  assertProblem(await other.post('/api/v1/users', body, { headers: { 'idempotency-key': key } }), 403);
  const audit = await admin.get('/api/v1/audit?action=user.create&object_id=idem.user');
  assert.equal(audit.body.items.length, 1);
  // The same key for a different request is refused.
  const reused = await admin.post('/api/v1/users', { ...body, username: 'idem.other' }, { headers: { 'idempotency-key': key } });
  assertProblem(reused, 422, 'idempotency-key-reused');
  assert.equal((await admin.get('/api/v1/users/idem.other')).status, 404);
});
