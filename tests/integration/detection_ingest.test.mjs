// Detection over HTTP: a log shipper's ingest token POSTs NDJSON to an http source, which bans
// an attacker (nftables in dry-run mode); that token can do nothing else; bad input is answered
// precisely; the rules reload (endpoint and SIGHUP) without losing counters or bans, and a broken
// reload changes nothing.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { startServer, sleep, assertProblem } from '../harness/server.mjs';

const FILTERS = process.env.CUSTOS_FAIL2BAN_FILTERS || '/etc/fail2ban/filter.d';
const SSHD = path.join(FILTERS, 'sshd.conf');
const haveFilter = fs.existsSync(SSHD);
const skip = !haveFilter && 'fail2ban filters not installed';

let srv;
let admin;
let shipper;
let configFile;

const config = ({ maxretry = 3, extraJail = '', extraSource = '', filter = SSHD } = {}) => `
[detection]
dry_run = true

[[detection.sources]]
name = "shipper"
type = "http"
max_line_bytes = 1024

[[detection.sources]]
name = "other"
type = "http"
${extraSource}
[[detection.jails]]
name = "sshd"
filter = "${filter}"
sources = ["shipper"]
maxretry = ${maxretry}
findtime = "10m"
bantime = "1h"
${extraJail}`;

const failure = (address, user = 'root', extra = {}) => ({
  message: `Failed password for ${user} from ${address} port 51234 ssh2`,
  host: 'gate', app: 'sshd', pid: 812, time: new Date().toISOString(), ...extra,
});
const ndjson = (objects) => objects.map((o) => (typeof o === 'string' ? o : JSON.stringify(o))).join('\n') + '\n';
const ingest = (client, body, { source = 'shipper', type = 'application/x-ndjson' } = {}) =>
  client.request('POST', `/api/v1/ingest/${source}`, { body, headers: { 'content-type': type } });

const bans = async (query = '') => {
  const res = await admin.get(`/api/v1/bans${query}`);
  assert.equal(res.status, 200, res.text);
  return res.body.items;
};
const waitForBan = async (address) => {
  for (let i = 0; i < 200; i++) {
    const found = (await bans()).find((b) => b.address === address);
    if (found) return found;
    await sleep(25);
  }
  assert.fail(`no ban of ${address}:\n${srv.log().slice(-3000)}`);
};
const jail = async (name) => {
  const res = await admin.get('/api/v1/detection/jails');
  assert.equal(res.status, 200, res.text);
  return res.body.items.find((j) => j.name === name);
};

before(async () => {
  if (!haveFilter) return;
  srv = await startServer({ serve: false, env: { TZ: 'UTC', CUSTOS_SERVER_MAX_BODY_BYTES: String(256 * 1024) } });
  configFile = path.join(srv.dataDir, 'custos.toml');
  fs.writeFileSync(configFile, config());
  srv.opts.args = ['--config', configFile];
  await srv.start();
  admin = await srv.adminClient();
  await srv.createUser('log.shipper', ['ingest']);
  shipper = await srv.userToken('log.shipper');
});

test('an ingest token bans an attacker through NDJSON lines', { skip }, async () => {
  const first = await ingest(shipper, ndjson([failure('203.0.113.50'), failure('203.0.113.50', 'admin')]));
  assert.equal(first.status, 200, first.text);
  assert.deepEqual(first.body, { source: 'shipper', accepted: 2, rejected: 0, rejections: [] });
  await sleep(200);
  assert.equal((await bans()).length, 0, 'two failures are below maxretry');
  // A line without a time carries its own date, as in auth.log.
  const d = new Date();
  const bsd = `${d.toLocaleString('en-US', { month: 'short', timeZone: 'UTC' })} ${String(d.getUTCDate()).padStart(2, ' ')} ${d.toISOString().slice(11, 19)}`;
  const third = await ingest(shipper, ndjson([{ message: `${bsd} gate sshd[812]: Failed password for oracle from 203.0.113.50 port 51234 ssh2` }]));
  assert.equal(third.status, 200, third.text);
  const ban = await waitForBan('203.0.113.50');
  assert.equal(ban.jail, 'sshd');
  assert.equal(ban.failures, 3);
  assert.equal(ban.user, 'oracle');
  assert.ok(srv.log().includes("detection dry-run: nft add element inet custos banned_v4 '{ 203.0.113.50 timeout 3600s }'"), srv.log().slice(-2000));
  const metrics = await admin.get('/metrics');
  assert.match(metrics.text, /custos_detection_messages_total\{source="shipper"\} 3/);
  const sshd = await jail('sshd');
  assert.equal(sshd.failures, 3);
  assert.equal(sshd.active_bans, 1);
  assert.deepEqual(sshd.sources, ['shipper']);
});

test('an ingest token can do nothing else, and others cannot ingest', { skip }, async () => {
  for (const p of ['/api/v1/me', '/api/v1/bans', '/api/v1/incidents', '/api/v1/events', '/api/v1/detection/jails', '/api/v1/categories']) {
    assertProblem(await shipper.get(p), 403, undefined, p);
  }
  assertProblem(await shipper.post('/api/v1/detection/reload', undefined), 403);
  assertProblem(await shipper.post('/api/v1/events', { title: 'x' }), 403);
  assertProblem(await ingest(admin, ndjson([failure('198.51.100.1')])), 403);
  assertProblem(await ingest(srv.client(), ndjson([failure('198.51.100.1')])), 401);
});

test('bad input: each problem named, good lines of the same body still count', { skip }, async () => {
  assertProblem(await ingest(shipper, ndjson([failure('192.0.2.1')]), { source: 'nope' }), 404);
  assertProblem(await ingest(shipper, ndjson([failure('192.0.2.1')]), { type: 'application/json' }), 415);
  assertProblem(await ingest(shipper, 'x'.repeat(300 * 1024)), 413);
  const mixed = await ingest(shipper, Buffer.concat([
    Buffer.from(ndjson([failure('192.0.2.10'), '{"message": "unterminated', { msg: 'no message' }, ''])),
    Buffer.from('{"message": "bad \xff byte"}\n', 'latin1'),
    Buffer.from(ndjson([{ message: 'x'.repeat(2000) }, { message: 'ok', time: 'yesterday' }, failure('192.0.2.10')])),
  ]));
  assert.equal(mixed.status, 200, mixed.text);
  assert.equal(mixed.body.accepted, 2);
  assert.equal(mixed.body.rejected, 5);
  assert.deepEqual(mixed.body.rejections, [
    { line: 2, problem: 'not valid JSON' },
    { line: 3, problem: 'message is missing' },
    { line: 5, problem: 'not valid UTF-8' },
    { line: 6, problem: "message is longer than the source's max_line_bytes" },
    { line: 7, problem: 'time must be an RFC 3339 time with an offset or epoch seconds (a number)' },
  ]);
  const none = await ingest(shipper, ndjson(['[1, 2]']));
  const problem = assertProblem(none, 422, 'ingest-rejected');
  assert.match(problem.detail, /line 1: not a JSON object/);
  assert.equal(problem.rejected, 1);
  const metrics = await admin.get('/metrics');
  assert.match(metrics.text, /custos_detection_rejected_total\{source="shipper"\} 5/);
  assert.match(metrics.text, /custos_detection_oversized_total\{source="shipper"\} 1/);
  // The other source was not held up by any of it.
  const other = await ingest(shipper, ndjson([{ message: 'hello' }]), { source: 'other' });
  assert.equal(other.status, 200, other.text);
});

test('a reload keeps counters and bans: failures before and after it reach the new maxretry', { skip }, async () => {
  const attacker = '198.51.100.77';
  await ingest(shipper, ndjson([failure(attacker), failure(attacker)]));
  const before = await jail('sshd');
  fs.writeFileSync(configFile, config({
    maxretry: 4,
    extraJail: `\n[[detection.jails]]\nname = "sshd-root"\nfilter = "${SSHD}"\nsources = ["shipper"]\nmaxretry = 2\nbantime = "2h"\n`,
  }));
  const reloaded = await admin.post('/api/v1/detection/reload', undefined);
  assert.equal(reloaded.status, 200, reloaded.text);
  assert.deepEqual(reloaded.body, { added: ['sshd-root'], kept: ['sshd'], removed: [] });
  const after = await jail('sshd');
  assert.equal(after.maxretry, 4);
  assert.equal(after.failures, before.failures, 'the counters stay');
  assert.equal(after.active_bans, 1, 'the ban stays');
  assert.equal((await jail('sshd-root')).failures, 0, 'a new jail starts empty');
  // Two more: four in all for sshd (not banned at the third); the new jail bans at its second.
  await ingest(shipper, ndjson([failure(attacker)]));
  await sleep(200);
  assert.equal((await bans(`?address=${attacker}&jail=sshd`)).length, 0);
  await ingest(shipper, ndjson([failure(attacker)]));
  const ban = await waitForBan(attacker);
  const sshdBan = (await bans(`?address=${attacker}&jail=sshd`))[0];
  assert.ok(sshdBan, JSON.stringify(ban));
  assert.equal(sshdBan.failures, 4);
  assert.equal((await bans(`?address=${attacker}&jail=sshd-root`)).length, 1);
  assert.equal((await bans('?address=203.0.113.50')).length, 1, 'the earlier ban is still active');
  const audit = await srv.auditEntries('action=detection.reload');
  assert.equal(audit.length, 1);
  assert.equal(audit[0].actor, 'user:admin');
});

test('a broken reload changes nothing and names the file, option and problem; SIGHUP reloads', { skip }, async () => {
  const good = fs.readFileSync(configFile, 'utf8');
  const missing = path.join(srv.dataDir, 'missing.conf');
  fs.writeFileSync(configFile, good.replace(/filter = ".*sshd.conf"\nsources = \["shipper"\]\nmaxretry = 2/, `filter = "${missing}"\nsources = ["shipper"]\nmaxretry = 2`));
  let r = await admin.post('/api/v1/detection/reload', undefined);
  let problem = assertProblem(r, 422, 'detection-config-invalid');
  assert.ok(problem.detail.includes(`detection.jails[sshd-root].filter: ${missing}`), problem.detail);
  assert.match(problem.detail, /nothing was changed/);

  fs.writeFileSync(configFile, good.replace('maxretry = 4', 'maxretry = 0'));
  problem = assertProblem(await admin.post('/api/v1/detection/reload', undefined), 422);
  assert.ok(problem.detail.includes(`${configFile}: detection.jails[sshd].maxretry: must be between 1 and 10000 (is 0)`), problem.detail);

  fs.writeFileSync(configFile, good + '\n[[detection.sources]]\nname = "late"\ntype = "http"\n');
  problem = assertProblem(await admin.post('/api/v1/detection/reload', undefined), 422);
  assert.match(problem.detail, /detection\.sources\[late\]: is a new source; this needs a restart/);

  assert.equal((await jail('sshd')).maxretry, 4, 'nothing changed');
  assert.equal((await admin.get('/api/v1/detection/jails')).body.items.length, 2);
  assert.equal((await srv.auditEntries('action=detection.reload')).length, 1);

  // SIGHUP: the same reload, from the signal. Removing a jail keeps its bans until they run out.
  fs.writeFileSync(configFile, config({ maxretry: 4 }));
  srv.proc.kill('SIGHUP');
  for (let i = 0; i < 100 && (await admin.get('/api/v1/detection/jails')).body.items.length !== 1; i++) await sleep(50);
  assert.deepEqual((await admin.get('/api/v1/detection/jails')).body.items.map((j) => j.name), ['sshd']);
  assert.match(srv.log(), /rules reloaded by system:sighup/);
  assert.equal((await bans('?jail=sshd-root')).length, 1, "a removed jail's ban stays");
  let audit = [];
  for (let i = 0; i < 100 && audit.length < 2; i++) {
    audit = await srv.auditEntries('action=detection.reload');  // written just after the swap
    if (audit.length < 2) await sleep(50);
  }
  assert.equal(audit.length, 2);
  assert.equal(audit.at(-1).actor, 'system:sighup');
  assert.deepEqual(audit.at(-1).detail.removed, ['sshd-root']);
});
