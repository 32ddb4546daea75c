// Failed sign-ins lock out the account and the source address, with exponential backoff.
import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, assertProblem, sleep, ADMIN_PASSWORD, PASSWORD } from '../harness/server.mjs';

const attempt = (srv, username, password) =>
  srv.client().post('/api/v1/auth/login', { username, password });

function retryAfter(res) {
  const body = assertProblem(res, 429, 'login-locked');
  const header = res.headers.get('retry-after');
  assert.match(header ?? '', /^\d+$/, `Retry-After '${header}'`);
  assert.ok(body.detail.includes(header), `detail '${body.detail}' names the wait`);
  return Number(header);
}

async function failTimes(srv, username, n) {
  for (let i = 0; i < n; i++) {
    const r = await attempt(srv, username, `wrong password ${i}`);
    assertProblem(r, 401, 'invalid-credentials', `failure ${i + 1} of ${n} for ${username}`);
  }
}

describe('per account', () => {
  let srv;
  let admin;
  before(async () => {
    srv = await startServer({
      env: {
        CUSTOS_AUTH_LOCKOUT_ACCOUNT_THRESHOLD: '3',
        CUSTOS_AUTH_LOCKOUT_BASE_SECONDS: '2',
        CUSTOS_AUTH_LOCKOUT_ADDRESS_THRESHOLD: '1000',
      },
    });
    admin = await srv.adminClient();
    await srv.createUser('victim', ['agent']);
    await srv.createUser('bystander', ['agent']);
  });

  test('the threshold locks the account: 429 with Retry-After even for the right password', async () => {
    await failTimes(srv, 'victim', 3);
    const wait = retryAfter(await attempt(srv, 'victim', PASSWORD));
    assert.ok(wait >= 1 && wait <= 2, `Retry-After ${wait}, base is 2 s`);
    // Another account from the same address is not affected.
    assert.equal((await attempt(srv, 'bystander', PASSWORD)).status, 200);
  });

  test('the lockout is audited and listed for admins only', async () => {
    const audit = await admin.get('/api/v1/audit?action=auth.lockout&object_id=victim');
    assert.equal(audit.status, 200, audit.text);
    assert.equal(audit.body.items.length, 1, audit.text);
    const entry = audit.body.items[0];
    assert.equal(entry.object_type, 'account');
    assert.equal(entry.detail.source_address, '127.0.0.1');
    assert.ok(Date.parse(entry.detail.locked_until) > Date.now() - 5000);

    const list = await admin.get('/api/v1/lockouts');
    assert.equal(list.status, 200, list.text);
    const mine = list.body.items.find((l) => l.kind === 'account' && l.subject === 'victim');
    assert.ok(mine, JSON.stringify(list.body));
    assert.equal(mine.lockouts, 1);
    assert.ok(Date.parse(mine.locked_until) > Date.now());

    const agent = await srv.userToken('bystander');
    assertProblem(await agent.get('/api/v1/lockouts'), 403);
    assertProblem(await agent.delete('/api/v1/lockouts/account/victim'), 403);
    assertProblem(await srv.client().get('/api/v1/lockouts'), 401);
  });

  test('the second lockout lasts longer (exponential backoff)', async () => {
    await sleep(2100);
    // The lock has expired but the history remains: three more failures lock for 4 s.
    await failTimes(srv, 'victim', 3);
    const wait = retryAfter(await attempt(srv, 'victim', PASSWORD));
    assert.ok(wait >= 3 && wait <= 4, `second lockout Retry-After ${wait}, expected 4 (2 s doubled)`);
    const list = await admin.get('/api/v1/lockouts');
    assert.equal(list.body.items.find((l) => l.subject === 'victim').lockouts, 2);
    const audit = await admin.get('/api/v1/audit?action=auth.lockout&object_id=victim');
    assert.equal(audit.body.items.length, 2);
  });

  test('an admin can unlock; the unlock is audited', async () => {
    const r = await admin.delete('/api/v1/lockouts/account/victim');
    assert.equal(r.status, 204, r.text);
    assert.equal((await attempt(srv, 'victim', PASSWORD)).status, 200);
    const list = await admin.get('/api/v1/lockouts');
    assert.ok(!list.body.items.some((l) => l.subject === 'victim'));
    const audit = await admin.get('/api/v1/audit?action=auth.unlock&object_id=victim');
    assert.equal(audit.body.items.length, 1);
    assert.equal(audit.body.items[0].actor, 'user:admin');
    assertProblem(await admin.delete('/api/v1/lockouts/account/victim'), 404);
    assertProblem(await admin.delete('/api/v1/lockouts/planet/victim'), 404);
  });

  test('unknown usernames lock out the same way, with the same answer', async () => {
    await failTimes(srv, 'nobody.at.all', 3);
    const unknown = await attempt(srv, 'nobody.at.all', 'whatever password');
    retryAfter(unknown);
    await failTimes(srv, 'bystander', 3);
    const known = await attempt(srv, 'bystander', 'whatever password');
    retryAfter(known);
    const strip = (r) => ({ ...r.body, detail: r.body.detail.replace(/\d+/g, 'N') });
    assert.deepEqual(strip(unknown), strip(known));
    const list = await admin.get('/api/v1/lockouts');
    assert.ok(list.body.items.some((l) => l.kind === 'account' && l.subject === 'nobody.at.all'));
  });

  test('the account key ignores letter case', async () => {
    await srv.createUser('casey', ['agent']);
    await failTimes(srv, 'CASEY', 2);
    await failTimes(srv, 'Casey', 1);
    retryAfter(await attempt(srv, 'casey', PASSWORD));
  });
});

describe('per source address', () => {
  let srv;
  let admin;
  before(async () => {
    srv = await startServer({
      env: {
        CUSTOS_AUTH_LOCKOUT_ACCOUNT_THRESHOLD: '1000',
        CUSTOS_AUTH_LOCKOUT_ADDRESS_THRESHOLD: '4',
        CUSTOS_AUTH_LOCKOUT_BASE_SECONDS: '2',
      },
    });
    admin = await srv.adminClient();
  });

  test('failures across many usernames lock the address, with backoff, until an admin unlocks it', async () => {
    for (let i = 0; i < 4; i++) assertProblem(await attempt(srv, `spray${i}`, 'password-spraying'), 401);
    let wait = retryAfter(await attempt(srv, 'admin', ADMIN_PASSWORD));
    assert.ok(wait >= 1 && wait <= 2, `Retry-After ${wait}`);

    let list = await admin.get('/api/v1/lockouts');
    const entry = list.body.items.find((l) => l.kind === 'address');
    assert.ok(entry, JSON.stringify(list.body));
    assert.equal(entry.subject, '127.0.0.1');
    const audit = await admin.get('/api/v1/audit?action=auth.lockout&object_type=address');
    assert.equal(audit.body.items.length, 1, audit.text);
    assert.equal(audit.body.items[0].object_id, '127.0.0.1');

    await sleep(2100);
    for (let i = 0; i < 4; i++) assertProblem(await attempt(srv, `spray${i}`, 'password-spraying'), 401);
    wait = retryAfter(await attempt(srv, 'admin', ADMIN_PASSWORD));
    assert.ok(wait >= 3 && wait <= 4, `second address lockout Retry-After ${wait}, expected 4`);

    const r = await admin.delete('/api/v1/lockouts/address/127.0.0.1');
    assert.equal(r.status, 204, r.text);
    assert.equal((await attempt(srv, 'admin', ADMIN_PASSWORD)).status, 200);
    list = await admin.get('/api/v1/lockouts');
    assert.ok(!list.body.items.some((l) => l.kind === 'address'));
  });
});
