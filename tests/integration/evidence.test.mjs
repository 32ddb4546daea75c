// The evidence vault over HTTP: items and their content (hashed by custos, write-once,
// deduplicated), the chain of custody, legal holds, need-to-know, and signed export packages
// that `custos evidence verify` accepts intact and rejects after any change.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { startServer, assertProblem } from '../harness/server.mjs';
import { setUpCast, logIncident } from '../harness/incidents.mjs';
import { ITEM, addItem, fetchBytes, sha256, sha512, upload, verifyCli } from '../harness/evidence.mjs';
import { rawExchange } from '../harness/raw.mjs';

let srv;
let as;

before(async () => {
  srv = await startServer();
  as = await setUpCast(srv);
});

test('upload: custos hashes the content, a wrong declared hash is flagged, content is write-once and stored once', async () => {
  const inc = await logIncident(as.alice);
  const content = crypto.randomBytes(300_000);
  const item = await addItem(as.alice, inc.key, { declared_hash_algorithm: 'sha256', declared_hash: sha256(content) });
  assert.match(item.key, /^EVD-\d{6}$/);
  assert.equal(item.incident, inc.key);
  assert.equal(item.content, null);
  assert.equal(item.custodian, 'alice');

  const up = await upload(as.alice, item.key, content, '?filename=laptop.dd');
  assert.equal(up.status, 201, up.text);
  assert.equal(up.body.content.sha256, sha256(content));
  assert.equal(up.body.content.sha512, sha512(content));
  assert.equal(up.body.content.size, content.length);
  assert.equal(up.body.content.filename, 'laptop.dd');
  assert.equal(up.body.hash_mismatch, false);
  assert.equal(up.body.declared_hash.matches, true);

  // Write-once: a second upload (even of the same bytes) is refused; nothing changes.
  assertProblem(await upload(as.alice, item.key, Buffer.from('other bytes')), 409);
  assert.equal((await as.alice.get(`/api/v1/evidence/${item.key}`)).body.content.sha256, sha256(content));

  // The same content for another item is stored once.
  const twin = await addItem(as.alice, inc.key, { type: 'document', declared_hash_algorithm: 'md5', declared_hash: 'f'.repeat(32) });
  const up2 = await upload(as.alice, twin.key, content);
  assert.equal(up2.status, 201, up2.text);
  // A declared hash that does not match is kept and shown, never hidden.
  assert.equal(up2.body.hash_mismatch, true);
  assert.equal(up2.body.declared_hash.matches, false);
  const files = fs.readdirSync(path.join(srv.dataDir, 'evidence', sha256(content).slice(0, 2)));
  assert.deepEqual(files, [sha256(content).slice(2)]);
  const trail = await as.aud.get(`/api/v1/audit?object_id=${twin.key}`);
  assert.ok(trail.body.items.some((e) => e.action === 'evidence.declared_hash_mismatch'), trail.text);
});

test('bad input: clear 4xx naming the field, nothing half-stored', async () => {
  const inc = await logIncident(as.alice);
  assertProblem(await as.alice.post(`/api/v1/incidents/${inc.key}/evidence`, { ...ITEM, type: 'floppy' }), 422);
  const badHash = await as.alice.post(`/api/v1/incidents/${inc.key}/evidence`, { ...ITEM, declared_hash: 'abc' });
  assertProblem(badHash, 422);
  assert.equal(badHash.body.errors[0].field, 'declared_hash');
  assertProblem(await as.alice.post(`/api/v1/incidents/${inc.key}/evidence`, { ...ITEM, collected_at: 'yesterday' }), 422);
  assertProblem(await as.alice.post(`/api/v1/incidents/${inc.key}/evidence`, { ...ITEM, colour: 'red' }), 422);

  const item = await addItem(as.alice, inc.key);
  const wrongFormat = await upload(as.alice, item.key, Buffer.from('x'), '?declared_hash_algorithm=sha256&declared_hash=zz');
  assertProblem(wrongFormat, 422);
  assert.equal(wrongFormat.body.errors[0].field, 'declared_hash');
  assertProblem(await upload(as.alice, item.key, Buffer.alloc(0)), 422);

  // A body cut short of its Content-Length never becomes content.
  const before = fs.existsSync(path.join(srv.dataDir, 'evidence')) ? fs.readdirSync(path.join(srv.dataDir, 'evidence')).length : 0;
  const raw = await rawExchange(srv.port, [
    `PUT /api/v1/evidence/${item.key}/content HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${as.alice.token}\r\nContent-Type: application/octet-stream\r\nContent-Length: 100000\r\n\r\n`,
    'only a few bytes',
  ], { timeoutMs: 1500 });
  assert.notEqual(raw.status, 201);
  const after = await as.alice.get(`/api/v1/evidence/${item.key}`);
  assert.equal(after.body.content, null);
  const now = fs.existsSync(path.join(srv.dataDir, 'evidence')) ? fs.readdirSync(path.join(srv.dataDir, 'evidence')).length : 0;
  assert.equal(now, before);

  // A physical item has no file.
  const usb = await addItem(as.alice, inc.key, { type: 'physical_item', description: 'USB stick found at the desk' });
  assertProblem(await upload(as.alice, usb.key, Buffer.from('x')), 409);
  assertProblem(await as.alice.get('/api/v1/evidence/EVD-999999'), 404);
  assertProblem(await as.alice.get('/api/v1/evidence/nonsense'), 404);
});

test('custody: transfers from the holder, every download is an entry, entries cannot be edited', async () => {
  const inc = await logIncident(as.alice);
  const item = await addItem(as.alice, inc.key);
  const content = Buffer.from('memory capture bytes\n'.repeat(1000));
  assert.equal((await upload(as.alice, item.key, content)).status, 201);

  const wrongHolder = await as.alice.post(`/api/v1/evidence/${item.key}/custody`, { action: 'transferred', from: 'bob', to: 'lab' });
  assertProblem(wrongHolder, 409);
  const moved = await as.alice.post(`/api/v1/evidence/${item.key}/custody`, { action: 'transferred', from: 'alice', to: 'bob', location: 'forensics lab', purpose: 'analysis' });
  assert.equal(moved.status, 201, moved.text);
  assert.equal(moved.body.from, 'alice');
  assert.equal(moved.body.to, 'bob');
  assert.equal((await as.alice.get(`/api/v1/evidence/${item.key}`)).body.custodian, 'bob');
  assertProblem(await as.alice.post(`/api/v1/evidence/${item.key}/custody`, { action: 'downloaded' }), 422);
  assertProblem(await as.alice.post(`/api/v1/evidence/${item.key}/custody`, { action: 'erased' }), 422);

  const down = await fetchBytes(as.bob, 'GET', `/api/v1/evidence/${item.key}/content`);
  assert.equal(down.status, 200);
  assert.ok(down.bytes.equals(content));
  assert.equal(down.headers.get('x-evidence-sha256'), sha256(content));
  const custody = (await as.aud.get(`/api/v1/evidence/${item.key}/custody`)).body.items;
  assert.deepEqual(custody.map((e) => e.action), ['collected', 'transferred', 'downloaded']);
  assert.equal(custody[2].actor, 'user:bob');
  // Each custody entry is in the audit chain.
  const trail = (await as.aud.get(`/api/v1/audit?object_id=${item.key}&limit=100`)).body.items;
  for (const e of custody) assert.ok(trail.some((a) => a.seq === e.audit_seq && a.action === `evidence.custody.${e.action}`), JSON.stringify(e));

  // No route edits or deletes a custody entry.
  for (const method of ['PUT', 'PATCH', 'DELETE']) {
    const res = await as.alice.request(method, `/api/v1/evidence/${item.key}/custody`, { json: {} });
    assert.equal(res.status, 405, `${method}: ${res.text}`);
  }
  // Auditors read, but do not work evidence.
  assertProblem(await as.aud.post(`/api/v1/evidence/${item.key}/custody`, { action: 'accessed', purpose: 'x' }), 403);
  assertProblem(await as.rita.get(`/api/v1/evidence/${item.key}`), 403);
});

test('legal hold: set and released by managers, audited, and disposal is refused while it holds', async () => {
  const inc = await logIncident(as.alice);
  const item = await addItem(as.alice, inc.key);
  assertProblem(await as.alice.post(`/api/v1/incidents/${inc.key}/legal-hold`, { reason: 'x' }), 403);
  const hold = await as.sam.post(`/api/v1/incidents/${inc.key}/legal-hold`, { reason: 'Litigation expected' });
  assert.equal(hold.status, 201, hold.text);
  assert.equal(hold.body.active, true);
  assertProblem(await as.ian.post(`/api/v1/incidents/${inc.key}/legal-hold`, { reason: 'again' }), 409);
  const dispose = { action: 'disposed', purpose: 'Retention period over, wiped' };
  const refused = await as.alice.post(`/api/v1/evidence/${item.key}/custody`, dispose);
  assertProblem(refused, 409);
  assert.match(refused.body.detail, /legal hold/);
  assert.equal((await as.alice.get(`/api/v1/evidence/${item.key}`)).body.state, 'active');

  const released = await as.ian.post(`/api/v1/incidents/${inc.key}/legal-hold/release`, { reason: 'Case settled' });
  assert.equal(released.status, 200, released.text);
  assert.equal(released.body.active, false);
  const holds = await as.aud.get(`/api/v1/incidents/${inc.key}/legal-holds`);
  assert.equal(holds.body.active, false);
  assert.equal(holds.body.items.length, 1);
  const disposed = await as.alice.post(`/api/v1/evidence/${item.key}/custody`, dispose);
  assert.equal(disposed.status, 201, disposed.text);
  assert.equal((await as.alice.get(`/api/v1/evidence/${item.key}`)).body.state, 'disposed');
  assertProblem(await as.alice.post(`/api/v1/evidence/${item.key}/custody`, { action: 'accessed', purpose: 'x' }), 409);
  const trail = (await as.aud.get(`/api/v1/audit?object_id=${inc.key}&limit=100`)).body.items.map((e) => e.action);
  assert.ok(trail.includes('incident.legal_hold_set') && trail.includes('incident.legal_hold_release'), trail.join());
});

test('need-to-know: evidence of a restricted incident is a 404 for outsiders', async () => {
  const inc = await logIncident(as.ian, { restricted: true, group: 'forensics' });
  const item = await addItem(as.fiona, inc.key);
  for (const path of [`/api/v1/evidence/${item.key}`, `/api/v1/evidence/${item.key}/custody`, `/api/v1/incidents/${inc.key}/evidence`, `/api/v1/evidence/${item.key}/content`]) {
    assertProblem(await as.olga.get(path), 404);
  }
  assertProblem(await as.olga.post(`/api/v1/incidents/${inc.key}/evidence`, ITEM), 404);
  assertProblem(await as.olga.post(`/api/v1/evidence/${item.key}/export`, {}), 404);
  assert.equal((await as.fiona.get(`/api/v1/incidents/${inc.key}/evidence`)).body.items.length, 1);
  assert.equal((await as.aud.get(`/api/v1/evidence/${item.key}`)).status, 200);
});

test('export via API and CLI: the package verifies, and fails after any change', async () => {
  const inc = await logIncident(as.alice);
  const image = crypto.randomBytes(70_000);
  const a = await addItem(as.alice, inc.key);
  assert.equal((await upload(as.alice, a.key, image, '?filename=disk.img')).status, 201);
  await addItem(as.alice, inc.key, { type: 'physical_item', description: 'The laptop itself' });
  await as.alice.post(`/api/v1/evidence/${a.key}/custody`, { action: 'transferred', from: 'alice', to: 'bob' });

  const res = await fetchBytes(as.alice, 'POST', `/api/v1/incidents/${inc.key}/evidence/export`);
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-type'), 'application/x-tar');
  const dir = fs.mkdtempSync(path.join(srv.dataDir, 'pkg-'));
  const apiFile = path.join(dir, 'api.tar');
  fs.writeFileSync(apiFile, res.bytes);
  const ok = verifyCli(apiFile);
  assert.equal(ok.code, 0, ok.stderr);
  assert.match(ok.stdout, new RegExp(`package intact: ${inc.key}, 2 item\\(s\\), 1 file\\(s\\)`));
  // Pinned to the server's key.
  const pub = fs.readFileSync(path.join(srv.dataDir, 'audit-signing.key.pub'), 'utf8').trim();
  assert.equal(verifyCli(apiFile, ['--public-key', pub]).code, 0);
  assert.equal(verifyCli(apiFile, ['--public-key', 'a'.repeat(64)]).code, 1);
  // The export is itself in the custody history.
  const custody = (await as.alice.get(`/api/v1/evidence/${a.key}/custody`)).body.items.map((e) => e.action);
  assert.equal(custody.at(-1), 'exported');

  // The same through the command line, reading the database.
  const cliFile = path.join(dir, 'cli.tar');
  const exported = srv.runCli(['evidence', 'export', a.key, '--out', cliFile]);
  assert.equal(exported.code, 0, exported.stderr);
  const cliOk = verifyCli(cliFile);
  assert.equal(cliOk.code, 0, cliOk.stderr);
  assert.match(cliOk.stdout, new RegExp(`package intact: ${a.key}, 1 item`));

  // Tampering: file content, a manifest field, the signature.
  const bytes = fs.readFileSync(apiFile);
  const tamper = (name, mutate, expected) => {
    const copy = Buffer.from(bytes);
    mutate(copy);
    const f = path.join(dir, `${name}.tar`);
    fs.writeFileSync(f, copy);
    const r = verifyCli(f);
    assert.equal(r.code, 1, `${name}: ${r.stdout}`);
    assert.match(r.stderr, expected, name);
  };
  const at = (s) => bytes.indexOf(Buffer.from(s));
  tamper('content', (b) => { const i = at(image.subarray(0, 16)); b[i + 100] ^= 0xff; }, new RegExp(`files/${a.key}: SHA-256 is`));
  tamper('manifest', (b) => { const i = at('The laptop itself'); b[i + 4] = 'L'.charCodeAt(0); }, /manifest\.json|checksum/);
  tamper('signature', (b) => { const i = at('"signature":"') + 13; b[i] = b[i] === 0x30 ? 0x31 : 0x30; }, /bad signature/);
  tamper('truncated', (b) => b.fill(0, b.length - 20_000), /damaged|missing|SHA-256/);
  // Sample single-byte flips across the whole package: every one fails.
  for (let i = 0; i < bytes.length; i += 997) {
    const copy = Buffer.from(bytes);
    copy[i] ^= 0x01;
    const f = path.join(dir, 'flip.tar');
    fs.writeFileSync(f, copy);
    assert.equal(verifyCli(f).code, 1, `flip at byte ${i}`);
  }
  // Unreadable file: exit 2.
  assert.equal(verifyCli(path.join(dir, 'nope.tar')).code, 2);
});
