// SIGKILL during concurrent writes: every write answered 2xx survives, every change and its audit
// entry are all-or-nothing, and the audit chain still verifies.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, sleep, PASSWORD } from '../harness/server.mjs';

let srv;
let admin;

before(async () => {
  srv = await startServer();
  admin = await srv.adminClient();
});

const WORKERS = 8;

// Runs WORKERS loops of `write(worker, i)` until the server is killed after `ms`.
async function writeUntilKilled(ms, write) {
  const acknowledged = [];
  const unanswered = [];
  const refused = [];
  let stop = false;
  const loops = Array.from({ length: WORKERS }, async (_, w) => {
    for (let i = 0; !stop; i++) {
      let res;
      try {
        res = await write(w, i);
      } catch {
        unanswered.push(`${w}.${i}`); // sent, but no answer: may or may not have committed
        return;
      }
      if (res.status >= 200 && res.status < 300) acknowledged.push(res.value);
      else refused.push(`${res.status} ${res.text}`);
    }
  });
  await sleep(ms);
  await srv.kill();
  stop = true;
  await Promise.all(loops);
  return { acknowledged, unanswered, refused };
}

async function crashUsers() {
  const all = [];
  let cursor = null;
  do {
    const q = new URLSearchParams({ q: 'crash.', limit: '500' });
    if (cursor) q.set('cursor', cursor);
    const r = await admin.get(`/api/v1/users?${q}`);
    assert.equal(r.status, 200, r.text);
    all.push(...r.body.items);
    cursor = r.body.next_cursor;
  } while (cursor);
  return all;
}

test('users created before a SIGKILL are all there after the restart', async (t) => {
  const { acknowledged, unanswered, refused } = await writeUntilKilled(1500, async (w, i) => {
    const username = `crash.w${w}.n${i}`;
    const r = await admin.post('/api/v1/users', { username, roles: ['reporter'], password: PASSWORD, display_name: `Crash ${w}/${i}` });
    return { status: r.status, text: r.text, value: username };
  });
  t.diagnostic(`${acknowledged.length} creates acknowledged, ${unanswered.length} cut off by the kill`);
  assert.deepEqual(refused, [], 'no write was refused while the server was up');
  assert.ok(acknowledged.length >= WORKERS, `too few writes (${acknowledged.length}) to mean anything`);

  await srv.start();
  const users = await crashUsers();
  const present = new Set(users.map((u) => u.username));
  const lost = acknowledged.filter((u) => !present.has(u));
  assert.deepEqual(lost, [], `${lost.length} acknowledged users lost`);
  // Nothing appears that was never sent.
  assert.ok(present.size <= acknowledged.length + unanswered.length);
  for (const u of users) {
    const [, w, i] = /^crash\.w(\d+)\.n(\d+)$/.exec(u.username);
    assert.equal(u.display_name, `Crash ${w}/${i}`, 'each row is whole');
  }

  // Change and audit entry commit together: the user.create entries are exactly the users.
  const creates = (await srv.auditEntries('action=user.create')).map((e) => e.object_id).filter((id) => id.startsWith('crash.'));
  assert.deepEqual([...creates].sort(), [...present].sort());

  const verify = srv.runCli(['audit', 'verify']);
  assert.equal(verify.code, 0, verify.stdout + verify.stderr);
});

test('tokens issued before a SIGKILL still work after the restart', async (t) => {
  const { acknowledged, refused } = await writeUntilKilled(1500, async (w, i) => {
    const r = await admin.post('/api/v1/tokens', { user: 'admin', name: `crash-${w}-${i}` });
    return { status: r.status, text: r.text, value: r.body?.token && { id: r.body.id, token: r.body.token } };
  });
  t.diagnostic(`${acknowledged.length} tokens acknowledged`);
  assert.deepEqual(refused, []);
  assert.ok(acknowledged.length >= WORKERS);

  await srv.start();
  const listed = new Set((await admin.get('/api/v1/tokens')).body.items.map((x) => x.id));
  for (const { id, token } of acknowledged) {
    assert.ok(listed.has(id), `token ${id} lost`);
  }
  // Every acknowledged secret authenticates (sampled, to keep it quick).
  for (const { token } of acknowledged.filter((_, i) => i % Math.ceil(acknowledged.length / 20) === 0)) {
    const me = await srv.tokenClient(token).get('/api/v1/me');
    assert.equal(me.status, 200, me.text);
  }
  const issues = (await srv.auditEntries('action=token.issue')).map((e) => Number(e.object_id));
  for (const { id } of acknowledged) assert.ok(issues.includes(id), `token ${id} has no audit entry`);

  await srv.stop();
  const verify = srv.runCli(['audit', 'verify']);
  assert.equal(verify.code, 0, verify.stdout + verify.stderr);
  await srv.start();
  const v = await admin.get('/api/v1/audit/verify');
  assert.equal(v.body.ok, true, v.text);
});
