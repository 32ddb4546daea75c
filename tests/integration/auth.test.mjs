// Sign-in, sessions, cookies, CSRF, bearer tokens and what ends them.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { startServer, assertProblem, sleep, ADMIN_PASSWORD, PASSWORD } from '../harness/server.mjs';

const ROLES = ['reporter', 'agent', 'incident_manager', 'security_manager', 'auditor', 'admin'];
let srv;
let admin;

before(async () => {
  srv = await startServer();
  admin = await srv.adminClient();
  for (const role of ROLES) await srv.createUser(`u.${role}`, [role]);
});

function cookieAttributes(setCookies, name) {
  const line = setCookies.find((c) => c.startsWith(`${name}=`));
  assert.ok(line, `no Set-Cookie for ${name} in ${JSON.stringify(setCookies)}`);
  const [pair, ...attrs] = line.split(';').map((s) => s.trim());
  const map = {};
  for (const a of attrs) {
    const [k, v] = a.split('=');
    map[k.toLowerCase()] = v ?? true;
  }
  return { value: pair.slice(name.length + 1), attrs: map };
}

test('login sets an HttpOnly SameSite=Strict session cookie (not Secure on plain http) and a CSRF cookie', async () => {
  const s = await srv.login('admin', ADMIN_PASSWORD);
  const body = s.loginBody;
  assert.equal(body.user.username, 'admin');
  assert.deepEqual(body.user.roles, ['admin']);
  assert.ok(typeof body.csrf_token === 'string' && body.csrf_token.length >= 16);
  const hours = (Date.parse(body.expires_at) - Date.now()) / 3_600_000;
  assert.ok(hours > 11.9 && hours <= 12.01, `session expires in ${hours} h`);
  assert.ok(!('password_hash' in body.user) && !JSON.stringify(body).includes('argon2'));

  const session = cookieAttributes(s.setCookie, 'custos_session');
  assert.ok(session.value.length >= 32, 'session token has enough entropy');
  assert.equal(session.attrs.httponly, true);
  assert.equal(session.attrs.samesite, 'Strict');
  assert.equal(session.attrs.secure, undefined, 'no Secure attribute without TLS');
  assert.equal(session.attrs.path, '/');

  const csrf = cookieAttributes(s.setCookie, 'custos_csrf');
  assert.equal(csrf.value, body.csrf_token);
  assert.equal(csrf.attrs.httponly, undefined, 'the page must be able to read the CSRF cookie');
  assert.equal(csrf.attrs.samesite, 'Strict');

  const me = await s.get('/api/v1/me');
  assert.equal(me.status, 200, me.text);
  assert.equal(me.body.username, 'admin');
  assert.equal(me.body.auth, 'session');
});

test('logout ends the session, clears the cookies and is audited', async () => {
  const s = await srv.login('u.agent', PASSWORD);
  assert.equal((await s.get('/api/v1/me')).status, 200);
  const out = await s.post('/api/v1/auth/logout');
  assert.equal(out.status, 204, out.text);
  const cleared = out.headers.getSetCookie();
  assert.equal(cookieAttributes(cleared, 'custos_session').attrs['max-age'], '0');
  assert.equal(cookieAttributes(cleared, 'custos_session').value, '');
  assertProblem(await s.get('/api/v1/me'), 401);
  // Logging out again with the dead cookie is not a success.
  assertProblem(await s.post('/api/v1/auth/logout'), 401);
  const audit = await admin.get('/api/v1/audit?action=auth.logout&actor=user:u.agent');
  assert.equal(audit.body.items.length, 1, audit.text);
});

test('login validates its body', async () => {
  const c = srv.client();
  let r = await c.post('/api/v1/auth/login', { username: 'admin' });
  assert.equal(assertProblem(r, 422).errors[0].field, 'password');
  r = await c.post('/api/v1/auth/login', { password: 'x' });
  assert.equal(assertProblem(r, 422).errors[0].field, 'username');
  r = await c.post('/api/v1/auth/login', { username: 'admin', password: ADMIN_PASSWORD, remember: true });
  assert.equal(assertProblem(r, 422).errors[0].field, 'remember');
  r = await c.post('/api/v1/auth/login', { username: 'admin', password: 12345 });
  assert.equal(assertProblem(r, 422).errors[0].field, 'password');
  assert.ok(!r.headers.getSetCookie().length, 'no cookie on a failed login');
});

test('cookie-authenticated writes need the X-CSRF-Token header; bearer writes do not', async () => {
  const s = await srv.login('u.reporter', PASSWORD);
  let r = await s.post('/api/v1/me/tokens', { name: 'no-csrf' }, { csrf: false });
  assertProblem(r, 403, 'csrf-token-invalid');
  r = await s.post('/api/v1/me/tokens', { name: 'bad-csrf' }, { csrf: false, headers: { 'x-csrf-token': 'x'.repeat(32) } });
  assertProblem(r, 403, 'csrf-token-invalid');
  // Another session's token does not fit this session.
  const other = await srv.login('u.reporter', PASSWORD);
  r = await s.post('/api/v1/me/tokens', { name: 'other-csrf' }, { csrf: false, headers: { 'x-csrf-token': other.csrf } });
  assertProblem(r, 403, 'csrf-token-invalid');
  r = await s.request('DELETE', '/api/v1/me/tokens/1', { csrf: false });
  assertProblem(r, 403, 'csrf-token-invalid');
  r = await s.post('/api/v1/auth/logout', undefined, { csrf: false });
  assertProblem(r, 403, 'csrf-token-invalid');
  assert.equal((await s.get('/api/v1/me')).status, 200, 'a CSRF-less logout must not end the session');

  const list = await s.get('/api/v1/me/tokens');
  assert.equal(list.body.items.length, 0, 'nothing was created by the refused requests');

  r = await s.post('/api/v1/me/tokens', { name: 'with-csrf' });
  assert.equal(r.status, 201, r.text);
  const bearer = srv.tokenClient(r.body.token);
  r = await bearer.post('/api/v1/me/tokens', { name: 'by-bearer' });
  assert.equal(r.status, 201, r.text);
  // A bearer client that also sends a stale cookie is judged by its token.
  r = await bearer.post('/api/v1/me/tokens', { name: 'by-bearer-2' }, { headers: { cookie: 'custos_session=garbage' } });
  assert.equal(r.status, 201, r.text);
});

test('GET /api/v1/me answers for every role, by session and by token', async () => {
  for (const role of ROLES) {
    const s = await srv.login(`u.${role}`, PASSWORD);
    const me = await s.get('/api/v1/me');
    assert.equal(me.status, 200, me.text);
    assert.equal(me.body.username, `u.${role}`);
    assert.deepEqual(me.body.roles, [role]);
    assert.equal(me.body.auth, 'session');
    const t = await srv.userToken(`u.${role}`);
    const meT = await t.get('/api/v1/me');
    assert.equal(meT.status, 200);
    assert.equal(meT.body.auth, 'token');
    assert.deepEqual(meT.body.roles, [role]);
  }
  assertProblem(await srv.client().get('/api/v1/me'), 401);
});

test('wrong password and unknown user give identical answers', async () => {
  const c = srv.client();
  const wrong = await c.post('/api/v1/auth/login', { username: 'u.agent', password: 'not the password at all' });
  const unknown = await c.post('/api/v1/auth/login', { username: 'no.such.user', password: 'not the password at all' });
  assertProblem(wrong, 401, 'invalid-credentials');
  assertProblem(unknown, 401, 'invalid-credentials');
  assert.equal(wrong.text, unknown.text);
  const headerNames = (r) => [...r.headers.keys()].filter((k) => !['date', 'x-request-id'].includes(k)).sort();
  assert.deepEqual(headerNames(wrong), headerNames(unknown));
  // A deactivated account answers the same as well.
  const u = await admin.get('/api/v1/users/u.incident_manager');
  await admin.patch('/api/v1/users/u.incident_manager', { active: false }, { headers: { 'if-match': u.headers.get('etag') } });
  const inactive = await c.post('/api/v1/auth/login', { username: 'u.incident_manager', password: PASSWORD });
  assertProblem(inactive, 401, 'invalid-credentials');
  assert.equal(inactive.text, wrong.text);
  const v = await admin.get('/api/v1/users/u.incident_manager');
  await admin.patch('/api/v1/users/u.incident_manager', { active: true }, { headers: { 'if-match': v.headers.get('etag') } });
});

test('wrong password and unknown user take about the same time (interactive hashing)', async (t) => {
  const timed = await startServer({ hashing: 'interactive' });
  const c = timed.client();
  const attempt = async (username) => {
    const t0 = performance.now();
    const r = await c.post('/api/v1/auth/login', { username, password: 'definitely-wrong-password' });
    const ms = performance.now() - t0;
    assert.equal(r.status, 401, r.text);
    return ms;
  };
  await attempt('admin');
  await attempt('ghost.user');
  const known = [];
  const unknown = [];
  for (let i = 0; i < 10; i++) {
    known.push(await attempt('admin'));
    unknown.push(await attempt(`ghost.user${i}`));
  }
  const mean = (a) => a.reduce((x, y) => x + y, 0) / a.length;
  const [k, u] = [mean(known), mean(unknown)];
  const ratio = Math.max(k, u) / Math.min(k, u);
  t.diagnostic(`known user ${k.toFixed(1)} ms, unknown user ${u.toFixed(1)} ms (mean of 10)`);
  assert.ok(ratio < 3, `known user ${k.toFixed(1)} ms vs unknown ${u.toFixed(1)} ms (ratio ${ratio.toFixed(2)})`);
});

test('an own token can be revoked; a revoked token gives 401', async () => {
  const s = await srv.login('u.security_manager', PASSWORD);
  const issued = await s.post('/api/v1/me/tokens', { name: 'to-revoke' });
  assert.equal(issued.status, 201, issued.text);
  assert.match(issued.body.token, /\S{20,}/);
  const t = srv.tokenClient(issued.body.token);
  assert.equal((await t.get('/api/v1/me')).status, 200);

  // Someone else cannot revoke it through their own token list.
  const other = await srv.userToken('u.reporter');
  assertProblem(await other.delete(`/api/v1/me/tokens/${issued.body.id}`), 404);
  assert.equal((await t.get('/api/v1/me')).status, 200);

  const del = await s.delete(`/api/v1/me/tokens/${issued.body.id}`);
  assert.equal(del.status, 204, del.text);
  const after = await t.get('/api/v1/me');
  assertProblem(after, 401);
  const listed = (await s.get('/api/v1/me/tokens')).body.items.find((x) => x.id === issued.body.id);
  assert.ok(listed.revoked_at, 'the list shows when it was revoked');
});

test('an admin can revoke anyone\'s token', async () => {
  const issued = await admin.post('/api/v1/tokens', { user: 'u.auditor', name: 'admin-made' });
  assert.equal(issued.status, 201, issued.text);
  assert.equal(issued.body.user, 'u.auditor');
  const t = srv.tokenClient(issued.body.token);
  assert.equal((await t.get('/api/v1/me')).body.username, 'u.auditor');
  assert.equal((await admin.delete(`/api/v1/tokens/${issued.body.id}`)).status, 204);
  assertProblem(await t.get('/api/v1/me'), 401);
  assertProblem(await t.get('/api/v1/audit'), 401);
  assertProblem(await admin.delete('/api/v1/tokens/999999'), 404);
});

test('a token stops working when it expires', async () => {
  const issued = await admin.post('/api/v1/tokens', { user: 'u.agent', name: 'short-lived', expires_in: '2s' });
  assert.equal(issued.status, 201, issued.text);
  const t = srv.tokenClient(issued.body.token);
  assert.equal((await t.get('/api/v1/me')).status, 200);
  await sleep(2600);
  assertProblem(await t.get('/api/v1/me'), 401);
  assertProblem(await admin.post('/api/v1/tokens', { user: 'u.agent', expires_in: 'tomorrow' }), 422);
});

test('a deactivated user\'s token and sessions stop working', async () => {
  await srv.createUser('u.leaver', ['agent']);
  const t = await srv.userToken('u.leaver');
  const s = await srv.login('u.leaver', PASSWORD);
  assert.equal((await t.get('/api/v1/me')).status, 200);
  const u = await admin.get('/api/v1/users/u.leaver');
  const off = await admin.patch('/api/v1/users/u.leaver', { active: false }, { headers: { 'if-match': u.headers.get('etag') } });
  assert.equal(off.status, 200, off.text);
  assert.equal(off.body.active, false);
  assertProblem(await t.get('/api/v1/me'), 401);
  assertProblem(await s.get('/api/v1/me'), 401);
  assertProblem(await t.post('/api/v1/me/tokens', { name: 'sneaky' }), 401);
  await assert.rejects(srv.login('u.leaver', PASSWORD), (e) => e.response.status === 401);
});

test('changing my password ends my other sessions, keeps this one', async () => {
  await srv.createUser('u.changer', ['agent']);
  const s1 = await srv.login('u.changer', PASSWORD);
  const s2 = await srv.login('u.changer', PASSWORD);
  let r = await s1.post('/api/v1/me/password', { current_password: 'wrong wrong wrong', new_password: 'a brand new password' });
  assert.equal(assertProblem(r, 422).errors[0].field, 'current_password');
  r = await s1.post('/api/v1/me/password', { current_password: PASSWORD, new_password: 'short' });
  assert.equal(assertProblem(r, 422).errors[0].field, 'new_password');
  assert.equal((await s2.get('/api/v1/me')).status, 200, 'failed changes end nothing');

  r = await s1.post('/api/v1/me/password', { current_password: PASSWORD, new_password: 'a brand new password' });
  assert.equal(r.status, 204, r.text);
  assert.equal((await s1.get('/api/v1/me')).status, 200, 'the session that changed it stays');
  assertProblem(await s2.get('/api/v1/me'), 401);
  await assert.rejects(srv.login('u.changer', PASSWORD), (e) => e.response.status === 401);
  const s3 = await srv.login('u.changer', 'a brand new password');
  assert.equal((await s3.get('/api/v1/me')).status, 200);

  // An admin reset ends every session of that user.
  r = await admin.post('/api/v1/users/u.changer/password', { password: 'set by the admin 123' });
  assert.equal(r.status, 204, r.text);
  assertProblem(await s1.get('/api/v1/me'), 401);
  assertProblem(await s3.get('/api/v1/me'), 401);
  await srv.login('u.changer', 'set by the admin 123');
});

test('a forged or stale session cookie is simply not signed in', async () => {
  const c = srv.client({ cookies: { custos_session: 'A'.repeat(43) } });
  assertProblem(await c.get('/api/v1/me'), 401);
  assertProblem(await c.post('/api/v1/me/tokens', { name: 'x' }), 401);
});
