// The audit trail: every change is recorded, filters and pagination, who may read it, and
// `custos audit verify` catching tampering done straight in the database.
import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, generateKeyPairSync, sign } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { startServer, disposeServer, assertProblem, sleep, PASSWORD } from '../harness/server.mjs';
import { totp } from '../harness/totp.mjs';

describe('recording and reading', () => {
  let srv;
  let admin;
  let tokenId;
  let marks;

  before(async () => {
    srv = await startServer();
    admin = await srv.adminClient();
  });

  const find = async (query) => {
    const r = await admin.get(`/api/v1/audit?${new URLSearchParams(query)}`);
    assert.equal(r.status, 200, r.text);
    return r.body.items;
  };
  const one = async (query) => {
    const items = await find(query);
    assert.equal(items.length, 1, `${JSON.stringify(query)} → ${JSON.stringify(items)}`);
    return items[0];
  };

  test('every change creates an entry with the right actor, action and object', async () => {
    marks = { start: new Date().toISOString() };
    let r = await admin.post('/api/v1/users', { username: 'aud.alice', roles: ['agent'], password: PASSWORD, email: 'alice@example.org' });
    assert.equal(r.status, 201);
    let e = await one({ action: 'user.create', object_id: 'aud.alice' });
    assert.equal(e.actor, 'user:admin');
    assert.equal(e.object_type, 'user');
    assert.deepEqual(e.detail.after.roles, ['agent']);
    assert.equal(e.detail.after.email, 'alice@example.org');

    r = await admin.patch('/api/v1/users/aud.alice', { roles: ['auditor'], display_name: 'Alice A.' }, { headers: { 'if-match': '"1"' } });
    assert.equal(r.status, 200, r.text);
    e = await one({ action: 'user.update', object_id: 'aud.alice' });
    assert.equal(e.actor, 'user:admin');
    assert.deepEqual(e.detail.before.roles, ['agent']);
    assert.deepEqual(e.detail.after.roles, ['auditor']);
    assert.equal(e.detail.after.display_name, 'Alice A.');

    r = await admin.post('/api/v1/users/aud.alice/password', { password: 'second password here' });
    assert.equal(r.status, 204);
    e = await one({ action: 'user.password_set', object_id: 'aud.alice' });
    assert.equal(e.actor, 'user:admin');

    await sleep(20);
    marks.middle = new Date().toISOString();
    await sleep(20);

    const s = await srv.login('aud.alice', 'second password here');
    e = await one({ action: 'auth.login', actor: 'user:aud.alice' });
    assert.equal(e.object_type, 'session');
    assert.equal(e.detail.source_address, '127.0.0.1');

    r = await s.post('/api/v1/me/tokens', { name: 'alice-cli' });
    assert.equal(r.status, 201, r.text);
    tokenId = r.body.id;
    e = await one({ action: 'token.issue', object_id: String(tokenId) });
    assert.equal(e.actor, 'user:aud.alice');
    assert.equal(e.object_type, 'token');
    assert.equal(e.detail.after.name, 'alice-cli');

    r = await admin.delete(`/api/v1/tokens/${tokenId}`);
    assert.equal(r.status, 204);
    e = await one({ action: 'token.revoke', object_id: String(tokenId) });
    assert.equal(e.actor, 'user:admin');

    r = await s.post('/api/v1/me/mfa/totp');
    const secret = r.body.secret;
    await one({ action: 'user.totp_enrolment_started', object_id: 'aud.alice' });
    r = await s.post('/api/v1/me/mfa/totp/confirm', { code: totp(secret) });
    assert.equal(r.status, 204, r.text);
    e = await one({ action: 'user.totp_enabled', object_id: 'aud.alice' });
    assert.equal(e.actor, 'user:aud.alice');
    r = await admin.post('/api/v1/users/aud.alice/mfa/reset');
    e = await one({ action: 'user.totp_disabled', object_id: 'aud.alice' });
    assert.equal(e.actor, 'user:admin');

    r = await s.post('/api/v1/me/password', { current_password: 'second password here', new_password: 'third password here' });
    assert.equal(r.status, 204, r.text);
    e = await one({ action: 'user.password_set', actor: 'user:aud.alice' });
    assert.equal(e.object_id, 'aud.alice');

    r = await s.post('/api/v1/auth/logout');
    assert.equal(r.status, 204);
    await one({ action: 'auth.logout', actor: 'user:aud.alice' });

    // Secrets never reach the trail.
    const all = JSON.stringify(await srv.auditEntries());
    for (const secretText of [PASSWORD, 'second password here', 'third password here', secret, 'argon2']) {
      assert.ok(!all.includes(secretText), `audit log contains ${secretText}`);
    }
  });

  test('reads change nothing in the trail; refused writes add nothing', async () => {
    const before = (await srv.auditEntries()).length;
    await admin.get('/api/v1/users');
    await admin.get('/api/v1/users/aud.alice');
    await admin.get('/api/v1/audit');
    await admin.post('/api/v1/users', { username: 'aud.alice', roles: ['agent'], password: PASSWORD }); // 409
    await admin.patch('/api/v1/users/aud.alice', { display_name: 'x' }, { headers: { 'if-match': '"1"' } }); // 412
    assert.equal((await srv.auditEntries()).length, before);
  });

  test('entries form a hash chain with increasing seq', async () => {
    const entries = await srv.auditEntries();
    assert.ok(entries.length >= 12);
    for (let i = 0; i < entries.length; i++) {
      const e = entries[i];
      assert.equal(e.seq, i + 1);
      assert.match(e.hash, /^[0-9a-f]{64}$/);
      assert.match(e.digest, /^[0-9a-f]{64}$/);
      if (i > 0) {
        assert.equal(e.prev_hash, entries[i - 1].hash, `seq ${e.seq} links to seq ${e.seq - 1}`);
        assert.ok(Date.parse(e.at) >= Date.parse(entries[i - 1].at));
      }
    }
  });

  test('filters: actor, action, object, time range', async () => {
    const all = await srv.auditEntries();
    const byAdmin = await find({ actor: 'user:admin', limit: '1000' });
    assert.equal(byAdmin.length, all.filter((e) => e.actor === 'user:admin').length);
    assert.ok(byAdmin.length >= 5 && byAdmin.every((e) => e.actor === 'user:admin'));

    const creates = await find({ action: 'user.create', limit: '1000' });
    assert.ok(creates.every((e) => e.action === 'user.create'));
    assert.equal(creates.length, all.filter((e) => e.action === 'user.create').length);

    const alice = await find({ object_type: 'user', object_id: 'aud.alice', limit: '1000' });
    assert.equal(alice.length, all.filter((e) => e.object_type === 'user' && e.object_id === 'aud.alice').length);
    assert.ok(alice.length >= 6);

    const early = await find({ since: marks.start, until: marks.middle, limit: '1000' });
    const late = await find({ since: marks.middle, limit: '1000' });
    assert.deepEqual(early.map((e) => e.action).sort(), ['user.create', 'user.password_set', 'user.update']);
    assert.ok(late.every((e) => Date.parse(e.at) >= Date.parse(marks.middle)));
    assert.ok(late.some((e) => e.action === 'auth.login'));
    assert.deepEqual(await find({ since: '2999-01-01T00:00:00Z' }), []);
    assert.deepEqual(await find({ action: 'no.such.action' }), []);
    // Combined filters are ANDed.
    const both = await find({ actor: 'user:admin', action: 'token.revoke' });
    assert.equal(both.length, 1);
    assert.equal(both[0].object_id, String(tokenId));
  });

  test('cursor pagination, newest first, visits every entry once', async () => {
    const all = await srv.auditEntries();
    const seen = [];
    let cursor = null;
    do {
      const q = new URLSearchParams({ limit: '4' });
      if (cursor) q.set('cursor', cursor);
      const r = await admin.get(`/api/v1/audit?${q}`);
      assert.equal(r.status, 200, r.text);
      assert.ok(r.body.items.length <= 4);
      seen.push(...r.body.items.map((e) => e.seq));
      cursor = r.body.next_cursor;
    } while (cursor);
    assert.deepEqual(seen, all.map((e) => e.seq).reverse());
    // Pagination with a filter.
    const filtered = [];
    cursor = null;
    do {
      const q = new URLSearchParams({ limit: '2', object_id: 'aud.alice' });
      if (cursor) q.set('cursor', cursor);
      const r = await admin.get(`/api/v1/audit?${q}`);
      filtered.push(...r.body.items.map((e) => e.seq));
      cursor = r.body.next_cursor;
    } while (cursor);
    assert.deepEqual(filtered, all.filter((e) => e.object_id === 'aud.alice').map((e) => e.seq).reverse());
  });

  test('bad query parameters are 422 naming the parameter', async () => {
    const cases = [
      ['since=yesterday', 'since'], ['until=2020-13-45T00:00:00Z', 'until'], ['cursor=abc', 'cursor'],
      ['cursor=-4', 'cursor'], ['limit=0', 'limit'], ['limit=1001', 'limit'], ['limit=99999999999999', 'limit'],
      ['colour=red', 'colour'], [`actor=${'a'.repeat(300)}`, 'actor'],
    ];
    for (const [q, field] of cases) {
      const r = await admin.get(`/api/v1/audit?${q}`);
      const p = assertProblem(r, 422, undefined, q);
      assert.ok(p.errors?.some((e) => e.field === field), `${q}: ${r.text}`);
    }
  });

  test('auditors and admins can read the trail; other roles cannot', async () => {
    await srv.createUser('aud.auditor', ['auditor']);
    const auditor = await srv.userToken('aud.auditor');
    assert.equal((await auditor.get('/api/v1/audit')).status, 200);
    const v = await auditor.get('/api/v1/audit/verify');
    assert.equal(v.status, 200, v.text);
    for (const role of ['reporter', 'agent', 'incident_manager', 'security_manager']) {
      await srv.createUser(`aud.${role}`, [role]);
      const c = await srv.userToken(`aud.${role}`);
      assertProblem(await c.get('/api/v1/audit'), 403, undefined, role);
      assertProblem(await c.get('/api/v1/audit/verify'), 403, undefined, role);
    }
    assertProblem(await srv.client().get('/api/v1/audit'), 401);
    // The trail is read-only over HTTP.
    for (const m of ['POST', 'PUT', 'PATCH', 'DELETE']) {
      const r = await admin.request(m, '/api/v1/audit', { json: {} });
      assertProblem(r, 405, undefined, m);
    }
  });

  test('GET /api/v1/audit/verify reports an intact chain', async () => {
    const all = await srv.auditEntries();
    const r = await admin.get('/api/v1/audit/verify');
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.ok, true);
    assert.equal(r.body.first_bad_seq, null);
    assert.ok(r.body.entries >= all.length);
    assert.match(r.body.public_key, /^[0-9a-f]{64}$/);
    const cli = srv.runCli(['audit', 'verify']);
    assert.equal(cli.code, 0, cli.stdout + cli.stderr);
  });
});

describe('tampering is detected by custos audit verify', () => {
  // Each case: a fresh server with a known chain, stopped, then edited behind its back.
  async function chainOf(n, checkpointEvery = '1000') {
    const srv = await startServer({ env: { CUSTOS_AUDIT_CHECKPOINT_EVERY: checkpointEvery } });
    const admin = await srv.adminClient();
    for (let i = 1; srv && (await srv.auditEntries()).length < n; i++) {
      const r = await admin.post('/api/v1/users', { username: `t.user${i}`, roles: ['agent'], password: PASSWORD });
      assert.equal(r.status, 201, r.text);
    }
    const entries = await srv.auditEntries();
    const exit = await srv.stop();
    assert.equal(exit.code, 0, `server exit ${JSON.stringify(exit)}`);
    const ok = srv.runCli(['audit', 'verify']);
    assert.equal(ok.code, 0, `intact before tampering: ${ok.stdout}${ok.stderr}`);
    return { srv, entries };
  }

  function unprotect(srv) {
    if (srv.backend === 'postgres') srv.sql('ALTER TABLE audit_log DISABLE TRIGGER USER');
    else srv.sql('DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete;');
  }

  function expectBroken(srv, seq, why) {
    const r = srv.runCli(['audit', 'verify']);
    assert.equal(r.code, 1, `${why}: verify exit ${r.code}\n${r.stdout}${r.stderr}`);
    const m = /audit chain BROKEN at seq (\d+): (.+)/.exec(r.stdout);
    assert.ok(m, `${why}: ${r.stdout}${r.stderr}`);
    assert.equal(Number(m[1]), seq, `${why}: ${r.stdout}`);
    return m[2];
  }

  test('the append-only guard refuses edits through SQL', async () => {
    const { srv } = await chainOf(3);
    assert.throws(() => srv.sql("UPDATE audit_log SET actor = 'mallory' WHERE seq = 2"), /append-only/);
    assert.throws(() => srv.sql('DELETE FROM audit_log WHERE seq = 2'), /append-only/);
    await disposeServer(srv);
  });

  test('an altered detail', async () => {
    const { srv } = await chainOf(6);
    unprotect(srv);
    srv.sql(`UPDATE audit_log SET detail = '{"after":{"roles":["admin"]}}' WHERE seq = 4`);
    const why = expectBroken(srv, 4, 'altered detail');
    assert.match(why, /detail|digest/);
    // The running server sees it as well.
    await srv.start();
    const admin = srv.tokenClient(srv.issueToken('admin'));
    const v = await admin.get('/api/v1/audit/verify');
    assert.equal(v.status, 200, v.text);
    assert.equal(v.body.ok, false);
    assert.equal(v.body.first_bad_seq, 4);
    await disposeServer(srv);
  });

  test('an altered actor (digest recomputed is not enough: the hash covers it)', async () => {
    const { srv } = await chainOf(5);
    unprotect(srv);
    srv.sql("UPDATE audit_log SET actor = 'user:nobody' WHERE seq = 3");
    expectBroken(srv, 3, 'altered actor');
    await disposeServer(srv);
  });

  test('a deleted row', async () => {
    const { srv } = await chainOf(6);
    unprotect(srv);
    srv.sql('DELETE FROM audit_log WHERE seq = 3');
    expectBroken(srv, 3, 'deleted row');
    await disposeServer(srv);
  });

  test('the last row deleted (truncation behind the signed checkpoint)', async () => {
    const { srv, entries } = await chainOf(5);
    const last = entries.at(-1).seq;
    unprotect(srv);
    srv.sql(`DELETE FROM audit_log WHERE seq = ${last}`);
    expectBroken(srv, last, 'truncated');
    await disposeServer(srv);
  });

  test('two rows swapped', async () => {
    const { srv } = await chainOf(6);
    unprotect(srv);
    srv.sql('UPDATE audit_log SET seq = -3 WHERE seq = 3');
    srv.sql('UPDATE audit_log SET seq = 3 WHERE seq = 4');
    srv.sql('UPDATE audit_log SET seq = 4 WHERE seq = -3');
    expectBroken(srv, 3, 'swapped rows');
    await disposeServer(srv);
  });

  test('a row inserted in the middle', async () => {
    const { srv, entries } = await chainOf(6);
    unprotect(srv);
    const n = entries.at(-1).seq;
    // Move seq 3..n up by one (through negative numbers to dodge the primary key), then
    // insert a forged entry at 3 that links to the real hash of seq 2.
    srv.sql('UPDATE audit_log SET seq = -(seq + 1) WHERE seq >= 3');
    srv.sql('UPDATE audit_log SET seq = -seq WHERE seq < 0');
    const prev = entries[1].hash;
    srv.sql(`INSERT INTO audit_log (seq, at, actor, action, object_type, object_id, detail, digest, prev_hash, hash)
             VALUES (3, ${Date.now()}, 'user:admin', 'user.create', 'user', 'ghost', '{}',
             '${'0'.repeat(64)}', '${prev}', '${'f'.repeat(64)}')`);
    assert.equal(Number(srv.sql('SELECT COUNT(*) FROM audit_log')), n + 1);
    expectBroken(srv, 3, 'inserted row');
    await disposeServer(srv);
  });

  test('a row appended after the head with a bogus hash', async () => {
    const { srv, entries } = await chainOf(4);
    const last = entries.at(-1);
    srv.sql(`INSERT INTO audit_log (seq, at, actor, action, object_type, object_id, detail, digest, prev_hash, hash)
             VALUES (${last.seq + 1}, ${Date.now()}, 'user:admin', 'user.create', 'user', 'ghost', '{}',
             '${'0'.repeat(64)}', '${last.hash}', '${'f'.repeat(64)}')`);
    expectBroken(srv, last.seq + 1, 'appended row');
    await disposeServer(srv);
  });

  // An attacker who knows the format rewrites an entry and recomputes every hash after it, so
  // the chain itself is consistent again; only the signed checkpoints can tell.
  const sha256 = (text) => createHash('sha256').update(text, 'utf8').digest('hex');
  const field = (v) => `${Buffer.byteLength(String(v))}:${v},`;
  const entryHash = (e) => sha256(`custos-audit-v1${[e.prev_hash, e.seq, e.at, e.actor, e.action, e.object_type, e.object_id, e.digest].map(field).join('')}`);
  const quote = (v) => `'${String(v).replaceAll("'", "''")}'`;

  function rewriteFrom(srv, seq, change) {
    const rows = srv.sqlRows('SELECT seq, at, actor, action, object_type, object_id, detail, digest, prev_hash, hash FROM audit_log ORDER BY seq');
    for (const r of rows) assert.equal(entryHash(r), r.hash, `test problem: its hash encoding no longer matches the server's (seq ${r.seq})`);
    const hashes = {};
    const statements = [];
    let prev = null;
    for (const r of rows) {
      if (r.seq >= seq) {
        if (r.seq === seq) change(r);
        r.digest = sha256(r.detail);
        r.prev_hash = prev;
        r.hash = entryHash(r);
        hashes[r.seq] = r.hash;
        statements.push(`UPDATE audit_log SET actor = ${quote(r.actor)}, detail = ${quote(r.detail)}, digest = ${quote(r.digest)},` +
          ` prev_hash = ${quote(r.prev_hash)}, hash = ${quote(r.hash)} WHERE seq = ${r.seq};`);
      }
      prev = r.hash;
    }
    srv.sql(statements.join('\n'));
    return hashes;
  }

  test('the signing key is private, and checkpoints are signed every N entries', async () => {
    const { srv } = await chainOf(12, '5');
    const keyFile = path.join(srv.dataDir, 'audit-signing.key');
    assert.equal(fs.statSync(keyFile).mode & 0o777, 0o600, 'key file mode');
    assert.equal(fs.statSync(srv.dataDir).mode & 0o077, 0, 'data directory closed to others');
    const pub = fs.readFileSync(`${keyFile}.pub`, 'utf8').trim();
    assert.match(pub, /^[0-9a-f]{64}$/);
    const checkpoints = srv.sqlRows('SELECT seq, public_key FROM audit_checkpoints ORDER BY seq');
    const seqs = checkpoints.map((c) => Number(c.seq));
    assert.ok(seqs.includes(5) && seqs.includes(10), `checkpoints at ${seqs}`);
    assert.ok(checkpoints.every((c) => c.public_key === pub));
    const r = srv.runCli(['audit', 'verify']);
    assert.match(r.stdout, new RegExp(`${checkpoints.length} signed checkpoint`));
    await disposeServer(srv);
  });

  test('a consistent rewrite of the chain is caught by the signed checkpoints', async () => {
    const { srv } = await chainOf(12, '5');
    unprotect(srv);
    rewriteFrom(srv, 7, (r) => { r.actor = 'user:somebody-else'; });
    const r = srv.runCli(['audit', 'verify']);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    const m = /audit chain BROKEN at seq (\d+): (.+)/.exec(r.stdout);
    assert.ok(m, r.stdout);
    // The checkpoint at 5 still holds, the one at 10 does not: the rewrite lies in 6..10.
    assert.equal(Number(m[1]), 6, r.stdout);
    assert.match(m[2], /checkpoint/);
    await disposeServer(srv);
  });

  test('a rewrite re-signed with another key is caught by the pinned public key', async () => {
    const { srv } = await chainOf(12, '5');
    unprotect(srv);
    const hashes = rewriteFrom(srv, 7, (r) => { r.detail = '{"forged":true}'; });
    const { publicKey, privateKey } = generateKeyPairSync('ed25519');
    const pubHex = Buffer.from(publicKey.export({ format: 'jwk' }).x, 'base64url').toString('hex');
    const updates = srv.sqlRows('SELECT seq, at FROM audit_checkpoints WHERE seq >= 7 ORDER BY seq').map(({ seq, at }) => {
      const message = `custos-audit-checkpoint\n${seq}\n${hashes[seq]}\n${at}`;
      const signature = sign(null, Buffer.from(message), privateKey).toString('hex');
      return `UPDATE audit_checkpoints SET hash = ${quote(hashes[seq])}, public_key = ${quote(pubHex)}, signature = ${quote(signature)} WHERE seq = ${seq};`;
    });
    assert.ok(updates.length >= 1);
    srv.sql(updates.join('\n'));
    const r = srv.runCli(['audit', 'verify']);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.match(r.stdout, /audit chain BROKEN at seq \d+: .*(trusted key|forged)/, r.stdout);
    await disposeServer(srv);
  });
});
