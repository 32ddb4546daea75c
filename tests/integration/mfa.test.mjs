// TOTP second factor: enrolment, sign-in with a code, replay protection, required MFA, resets.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, assertProblem, PASSWORD } from '../harness/server.mjs';
import { totp, hotp, currentStep } from '../harness/totp.mjs';

let srv;
let admin;
let mUserSecret; // set by the enrolment test, used by the next

before(async () => {
  srv = await startServer();
  admin = await srv.adminClient();
});

const loginRaw = (username, password, extra = {}) =>
  srv.client().post('/api/v1/auth/login', { username, password, ...extra });

// A code that is wrong at any step the server might accept now.
function wrongCode(secret) {
  const step = currentStep();
  const valid = new Set([-1, 0, 1, 2].map((d) => totp(secret, step + d)));
  for (let n = 0; ; n++) {
    const c = String(n).padStart(6, '0');
    if (!valid.has(c)) return c;
  }
}

async function enrol(session) {
  const start = await session.post('/api/v1/me/mfa/totp');
  assert.equal(start.status, 200, start.text);
  const { secret } = start.body;
  const step = currentStep();
  const ok = await session.post('/api/v1/me/mfa/totp/confirm', { code: totp(secret, step) });
  assert.equal(ok.status, 204, ok.text);
  return { secret, step };
}

test('RFC 6238 test vector (checks the test\'s own TOTP code)', () => {
  // RFC 6238 appendix B, SHA-1, T = 59 s → counter 1 → 94287082 (8 digits) → 287082.
  assert.equal(hotp(Buffer.from('12345678901234567890'), 1), '287082');
});

test('enrol TOTP: secret and otpauth URI, confirm needs a correct code', async () => {
  await srv.createUser('m.user', ['agent']);
  const s = await srv.login('m.user', PASSWORD);
  const start = await s.post('/api/v1/me/mfa/totp');
  assert.equal(start.status, 200, start.text);
  const { secret, otpauth_uri: uri } = start.body;
  assert.match(secret, /^[A-Z2-7]{32}$/, 'a 160-bit base32 secret');
  const u = new URL(uri);
  assert.equal(u.protocol, 'otpauth:');
  assert.equal(u.searchParams.get('secret'), secret);
  assert.equal(u.searchParams.get('issuer'), 'custos');
  assert.match(decodeURIComponent(u.pathname), /m\.user/);

  // Not enabled until confirmed: sign-in still needs no code.
  assert.equal((await loginRaw('m.user', PASSWORD)).status, 200);

  let r = await s.post('/api/v1/me/mfa/totp/confirm', { code: wrongCode(secret) });
  assert.equal(assertProblem(r, 422).errors[0].field, 'code');
  r = await s.post('/api/v1/me/mfa/totp/confirm', { code: 'abcdef' });
  assertProblem(r, 422);
  r = await s.post('/api/v1/me/mfa/totp/confirm', { code: totp(secret) });
  assert.equal(r.status, 204, r.text);
  const me = await s.get('/api/v1/me');
  assert.equal(me.body.mfa_enabled, true);

  // Enrolling again while enrolled is a conflict, and does not replace the secret.
  assertProblem(await s.post('/api/v1/me/mfa/totp'), 409);
  const audit = await admin.get('/api/v1/audit?object_id=m.user&action=user.totp_enabled');
  assert.equal(audit.body.items.length, 1);
  assert.ok(!JSON.stringify(audit.body).includes(secret), 'the secret never reaches the audit log');
  mUserSecret = secret;
});

test('sign-in then requires the code; wrong and replayed codes are refused', async () => {
  const secret = mUserSecret;
  assert.ok(secret, 'depends on the enrolment test');
  let r = await loginRaw('m.user', PASSWORD);
  assertProblem(r, 401, 'mfa-required');
  assert.ok(!r.headers.getSetCookie().length, 'no session without the second factor');
  // A wrong password says nothing about MFA.
  r = await loginRaw('m.user', 'wrong password here');
  assertProblem(r, 401, 'invalid-credentials');
  r = await loginRaw('m.user', PASSWORD, { totp: wrongCode(secret) });
  assertProblem(r, 401, 'mfa-invalid');
  r = await loginRaw('m.user', PASSWORD, { totp: '12' });
  assertProblem(r, 401, 'mfa-invalid');

  // The confirmation used the current step; the next step's code is still acceptable (clock skew).
  const next = totp(secret, currentStep() + 1);
  r = await loginRaw('m.user', PASSWORD, { totp: next });
  assert.equal(r.status, 200, r.text);
  // The same code again is a replay.
  r = await loginRaw('m.user', PASSWORD, { totp: next });
  assertProblem(r, 401, 'mfa-invalid');
  // So is an older code that was never used, once a later one was.
  r = await loginRaw('m.user', PASSWORD, { totp: totp(secret, currentStep() - 1) });
  assertProblem(r, 401, 'mfa-invalid');
});

test('disabling my own TOTP needs my password', async () => {
  await srv.createUser('m.self', ['reporter']);
  const s = await srv.login('m.self', PASSWORD);
  await enrol(s);
  let r = await s.post('/api/v1/me/mfa/totp/disable', { password: 'not my password' });
  assert.equal(assertProblem(r, 422).errors[0].field, 'password');
  assertProblem(await loginRaw('m.self', PASSWORD), 401, 'mfa-required');
  r = await s.post('/api/v1/me/mfa/totp/disable', { password: PASSWORD });
  assert.equal(r.status, 204, r.text);
  assert.equal((await loginRaw('m.self', PASSWORD)).status, 200);
});

test('required MFA: until enrolled, a session reaches only /me and the enrolment endpoints', async () => {
  await srv.createUser('m.forced', ['auditor']);
  const u = await admin.get('/api/v1/users/m.forced');
  const p = await admin.patch('/api/v1/users/m.forced', { mfa_required: true }, { headers: { 'if-match': u.headers.get('etag') } });
  assert.equal(p.status, 200, p.text);
  assert.equal(p.body.mfa_required, true);

  const s = await srv.login('m.forced', PASSWORD);
  assert.equal(s.loginBody.user.mfa_enrolment_required, true);
  const me = await s.get('/api/v1/me');
  assert.equal(me.status, 200, me.text);
  assert.equal(me.body.mfa_enrolment_required, true);
  for (const [method, path, json] of [
    ['GET', '/api/v1/audit'],
    ['GET', '/api/v1/users'],
    ['GET', '/api/v1/me/tokens'],
    ['POST', '/api/v1/me/tokens', { name: 'escape' }],
    ['POST', '/api/v1/me/password', { current_password: PASSWORD, new_password: 'another long password' }],
    ['GET', '/api/v1/audit/verify'],
  ]) {
    const r = await s.request(method, path, { json });
    assertProblem(r, 403, 'mfa-enrolment-required', `${method} ${path}`);
  }
  // They cannot switch it off themselves either.
  assertProblem(await s.post('/api/v1/me/mfa/totp/disable', { password: PASSWORD }), 403);

  const { secret } = await enrol(s);
  // The same session is now a full session.
  const audit = await s.get('/api/v1/audit');
  assert.equal(audit.status, 200, audit.text);
  assert.equal((await s.get('/api/v1/me')).body.mfa_enrolment_required, false);
  // MFA the admin requires cannot be disabled by the user.
  assertProblem(await s.post('/api/v1/me/mfa/totp/disable', { password: PASSWORD }), 409);
  // And the next sign-in needs a code.
  assertProblem(await loginRaw('m.forced', PASSWORD), 401, 'mfa-required');
  const r = await loginRaw('m.forced', PASSWORD, { totp: totp(secret, currentStep() + 1) });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.user.mfa_enrolment_required, false);
});

test('an admin can reset a user\'s second factor; others cannot', async () => {
  const other = await srv.userToken('m.self');
  assertProblem(await other.post('/api/v1/users/m.user/mfa/reset'), 403);
  assertProblem(await loginRaw('m.user', PASSWORD), 401, 'mfa-required');

  const r = await admin.post('/api/v1/users/m.user/mfa/reset');
  assert.equal(r.status, 204, r.text);
  const login = await loginRaw('m.user', PASSWORD);
  assert.equal(login.status, 200, login.text);
  assert.equal(login.body.user.mfa_enabled, false);
  const audit = await admin.get('/api/v1/audit?object_id=m.user&action=user.totp_disabled');
  assert.equal(audit.body.items.length, 1);
  assert.equal(audit.body.items[0].actor, 'user:admin');
  assertProblem(await admin.post('/api/v1/users/no.such.user/mfa/reset'), 404);
});

test('after an admin reset, a user who must use MFA is back to enrolment-only', async () => {
  const r = await admin.post('/api/v1/users/m.forced/mfa/reset');
  assert.equal(r.status, 204, r.text);
  const s = await srv.login('m.forced', PASSWORD);
  assert.equal(s.loginBody.user.mfa_enrolment_required, true);
  assertProblem(await s.get('/api/v1/audit'), 403, 'mfa-enrolment-required');
});
