// Detection end to end: a jail reading Debian's sshd filter on syslog UDP and TCP sources bans
// attackers through nftables in dry-run mode (the exact nft commands are in the server's log),
// an administrator sees and lifts bans over the API, and a restart re-applies active bans.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { startServer, freePort, sleep, assertProblem, CUSTOS_BIN } from '../harness/server.mjs';

const FILTERS = process.env.CUSTOS_FAIL2BAN_FILTERS || '/etc/fail2ban/filter.d';
const SSHD = path.join(FILTERS, 'sshd.conf');
const haveFilter = fs.existsSync(SSHD);

let srv;
let admin;
let udpPort;
let tcpPort;
let authLog;

const config = (udp, tcp, authLog) => `
[detection]
dry_run = true

[[detection.sources]]
name = "syslog-udp"
type = "syslog-udp"
listen = "127.0.0.1:${udp}"

[[detection.sources]]
name = "syslog-tcp"
type = "syslog-tcp"
listen = "127.0.0.1:${tcp}"
max_line_bytes = 8192

[[detection.sources]]
name = "auth-log"
type = "file"
path = "${authLog}"

[[detection.jails]]
name = "sshd"
filter = "${SSHD}"
sources = ["syslog-udp", "syslog-tcp", "auth-log"]
maxretry = 3
findtime = "10m"
bantime = "1h"
bantime_factor = 2
bantime_max = "1d"
ignoreip = ["10.9.0.0/16", "::1"]
actions = ["nftables"]
`;

// "Nov 23 04:00:01" in UTC (the server runs with TZ=UTC).
const bsdDate = (d = new Date()) => {
  const month = d.toLocaleString('en-US', { month: 'short', timeZone: 'UTC' });
  const day = String(d.getUTCDate()).padStart(2, ' ');
  return `${month} ${day} ${d.toISOString().slice(11, 19)}`;
};
const rfc3164 = (address, user = 'root') =>
  `<38>${bsdDate()} gate sshd[812]: Failed password for ${user} from ${address} port 51234 ssh2`;
const rfc5424 = (address) =>
  `<38>1 ${new Date().toISOString()} gate sshd 900 - [meta sequenceId="1"] Failed password for invalid user admin from ${address} port 4000 ssh2`;

const sendUdp = async (messages) => {
  const socket = dgram.createSocket('udp4');
  for (const m of messages) {
    await new Promise((resolve, reject) => socket.send(m, udpPort, '127.0.0.1', (e) => (e ? reject(e) : resolve())));
  }
  socket.close();
};
const sendTcp = (data) =>
  new Promise((resolve) => {
    const socket = net.connect(tcpPort, '127.0.0.1', () => socket.end(data));
    socket.on('close', resolve);
    socket.on('error', resolve);
  });
const octetCounted = (m) => `${Buffer.byteLength(m)} ${m}`;

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

before(async () => {
  if (!haveFilter) return;
  udpPort = await freePort();
  tcpPort = await freePort();
  srv = await startServer({ serve: false, env: { TZ: 'UTC' } });
  const file = path.join(srv.dataDir, 'custos.toml');
  authLog = path.join(srv.dataDir, 'auth.log');
  fs.writeFileSync(authLog, `${bsdDate()} gate sshd[1]: Server listening on 0.0.0.0 port 22.\n`);
  fs.writeFileSync(file, config(udpPort, tcpPort, authLog));
  srv.opts.args = ['--config', file];
  await srv.start();
  admin = await srv.adminClient();
});

test('failures over UDP syslog (RFC 3164) reach maxretry and ban the address through nftables', { skip: !haveFilter && 'fail2ban filters not installed' }, async () => {
  assert.match(srv.log(), /detection dry-run: nft add table inet custos/);
  assert.match(srv.log(), /detection dry-run: nft add set inet custos banned_v4 '\{ type ipv4_addr; flags timeout; \}'/);
  await sendUdp([rfc3164('203.0.113.7'), rfc3164('203.0.113.7', 'admin')]);
  await sleep(200);
  assert.equal((await bans()).length, 0, 'two failures are below maxretry');
  await sendUdp([rfc3164('203.0.113.7', 'oracle')]);
  const ban = await waitForBan('203.0.113.7');
  assert.equal(ban.jail, 'sshd');
  assert.equal(ban.family, 4);
  assert.equal(ban.active, true);
  assert.equal(ban.ban_number, 1);
  assert.equal(ban.failures, 3);
  assert.equal(ban.user, 'oracle');
  assert.equal(Date.parse(ban.expires_at) - Date.parse(ban.banned_at), 3600_000);
  assert.ok(srv.log().includes("detection dry-run: nft add element inet custos banned_v4 '{ 203.0.113.7 timeout 3600s }'"), srv.log().slice(-2000));
  const one = await admin.get(`/api/v1/bans/${ban.id}`);
  assert.equal(one.status, 200);
  assert.equal(one.body.address, '203.0.113.7');
});

test('TCP syslog (RFC 5424, octet counting and newlines) bans IPv6 attackers while lying frames and 1 MB lines are dropped', { skip: !haveFilter && 'fail2ban filters not installed' }, async () => {
  // A frame that claims 99 MB, and a 1 MB line without end: each only costs its own connection.
  const liar = sendTcp('99999999 <38>1 - - - - - - x');
  const huge = sendTcp('x'.repeat(1024 * 1024));
  const attacker = '2001:db8::66';
  await sendTcp(octetCounted(rfc5424(attacker)) + octetCounted(rfc5424(attacker)) + `${rfc5424(attacker)}\n`);
  await Promise.all([liar, huge]);
  const ban = await waitForBan(attacker);
  assert.equal(ban.family, 6);
  assert.ok(srv.log().includes(`detection dry-run: nft add element inet custos banned_v6 '{ ${attacker} timeout 3600s }'`));
  const metrics = await admin.get('/metrics');
  assert.match(metrics.text, /custos_detection_bad_frames_total\{source="syslog-tcp"\} 1/);
  assert.match(metrics.text, /custos_detection_oversized_total\{source="syslog-tcp"\} 1/);
  assert.match(metrics.text, /custos_detection_tracked_addresses\{jail="sshd"\} \d+/);
  assert.match(metrics.text, /custos_detection_bans_active 2/);
});

test('ignoreip addresses are never banned', { skip: !haveFilter && 'fail2ban filters not installed' }, async () => {
  await sendUdp(Array.from({ length: 6 }, () => rfc3164('10.9.4.2')));
  await sendUdp(Array.from({ length: 3 }, () => rfc3164('198.51.100.23')));
  await waitForBan('198.51.100.23');  // sent after the ignored ones, so those were processed
  assert.equal((await bans('?address=10.9.4.2&active=false')).length, 0);
  const metrics = await admin.get('/metrics');
  assert.match(metrics.text, /custos_detection_ignored_total\{jail="sshd"\} 6/);
});

test('an administrator lifts a ban: audited, and nft deletes the element', { skip: !haveFilter && 'fail2ban filters not installed' }, async () => {
  const ban = (await bans('?address=198.51.100.23'))[0];
  const lifted = await admin.delete(`/api/v1/bans/${ban.id}?reason=${encodeURIComponent('our own scanner')}`);
  assert.equal(lifted.status, 200, lifted.text);
  assert.equal(lifted.body.active, false);
  assert.equal(lifted.body.lifted_by, 'user:admin');
  assert.equal(lifted.body.lift_reason, 'our own scanner');
  assert.ok(srv.log().includes("detection dry-run: nft delete element inet custos banned_v4 '{ 198.51.100.23 }'"));
  assert.equal((await bans('?address=198.51.100.23')).length, 0);
  assert.equal((await bans('?address=198.51.100.23&active=false')).length, 1);
  const audit = await srv.auditEntries('action=detection.ban_lift');
  assert.equal(audit.length, 1);
  assert.equal(audit[0].actor, 'user:admin');
  assert.equal((await srv.auditEntries('action=detection.ban')).length, 3);

  assertProblem(await admin.delete('/api/v1/bans/999999'), 404);
  assertProblem(await admin.get('/api/v1/bans?active=maybe'), 422);
  assertProblem(await admin.get('/api/v1/bans?limit=0'), 422);
  const reporter = await srv.createUser('rita', ['reporter']).then(() => srv.userToken('rita'));
  assertProblem(await reporter.get('/api/v1/bans'), 403);
});

test('a repeat offender is banned twice as long the second time', { skip: !haveFilter && 'fail2ban filters not installed' }, async () => {
  await sendUdp(Array.from({ length: 3 }, () => rfc3164('198.51.100.23')));
  const ban = await waitForBan('198.51.100.23');
  assert.equal(ban.ban_number, 2);
  assert.equal(Date.parse(ban.expires_at) - Date.parse(ban.banned_at), 7200_000);
});

test('bans become security events: one open event per jail and address, a repeated ban adds a note to it', { skip: !haveFilter && 'fail2ban filters not installed' }, async () => {
  const desk = await srv.createUser('sam', ['security_manager']).then(() => srv.userToken('sam'));
  const list = await desk.get('/api/v1/events?channel=detection&limit=100');
  assert.equal(list.status, 200, list.text);
  const events = list.body.items;
  const of = (address) => events.filter((e) => e.title === `sshd: repeated authentication failures from ${address}`);
  // Four bans of three addresses: three events.
  assert.equal(events.length, 3, JSON.stringify(events.map((e) => e.title)));
  assert.equal(of('203.0.113.7').length, 1);
  assert.equal(of('2001:db8::66').length, 1);
  const [repeated] = of('198.51.100.23');
  assert.ok(repeated);
  assert.equal(repeated.kind, 'event');
  assert.equal(repeated.channel, 'detection');
  assert.equal(repeated.status, 'new');
  assert.equal(repeated.reporter, null);
  assert.equal(repeated.reporter_email, null);
  assert.equal(repeated.system_report, true);
  assert.equal(repeated.location, 'jail sshd');
  assert.match(repeated.description, /ban #1 of 198\.51\.100\.23 in jail sshd/);
  const [first] = of('203.0.113.7');
  assert.match(first.observed, /3 failures from 203\.0\.113\.7 matched jail sshd's filter \(user name oracle\)/);

  // The second ban of 198.51.100.23 is a note on its event, not a second event.
  const notes = await desk.get(`/api/v1/events/${repeated.key}/notes`);
  assert.equal(notes.status, 200, notes.text);
  assert.equal(notes.body.items.length, 1);
  assert.equal(notes.body.items[0].channel, 'detection');
  assert.match(notes.body.items[0].body, /^Banned again: ban #2 of 198\.51\.100\.23 in jail sshd at /);
  assert.match(notes.body.items[0].body, /Bans since this report: 2; latest ban: \d{4}-/);
  for (const e of [first, ...of('2001:db8::66')]) {
    assert.equal((await desk.get(`/api/v1/events/${e.key}/notes`)).body.items.length, 0);
  }

  // Raised by the system, in the ban's transaction: audited as such.
  const reported = (await srv.auditEntries('action=event.report')).filter((a) => a.actor === 'system:detection');
  assert.equal(reported.length, 3);
  const noted = (await srv.auditEntries('action=event.note')).filter((a) => a.actor === 'system:detection');
  assert.equal(noted.length, 1);
  assert.equal(noted[0].object_id, repeated.key);
});

test('a restart re-applies the active bans with their remaining time', { skip: !haveFilter && 'fail2ban filters not installed' }, async () => {
  const logBefore = srv.log().length;
  await srv.restart();
  const log = srv.log().slice(logBefore);
  assert.match(log, /detection dry-run: nft flush table inet custos/);
  assert.match(log, /detection dry-run: nft add element inet custos banned_v4 '\{ 203\.0\.113\.7 timeout 3[56]\d\ds \}'/);
  assert.match(log, /detection dry-run: nft add element inet custos banned_v6 '\{ 2001:db8::66 timeout 3[56]\d\ds \}'/);
  assert.match(log, /re-applied 3 active ban\(s\)/);
  assert.equal((await bans()).length, 3);
});

test('a followed log file bans too, across rotation and a restart', { skip: !haveFilter && 'fail2ban filters not installed' }, async () => {
  const line = (address) => `${rfc3164(address).slice(4)}\n`;  // as sshd writes it to auth.log
  fs.appendFileSync(authLog, line('192.0.2.77') + line('192.0.2.77'));
  await sleep(600);
  // Rotation: the third failure is in the new file.
  fs.renameSync(authLog, `${authLog}.1`);
  fs.writeFileSync(authLog, line('192.0.2.77'));
  await waitForBan('192.0.2.77');
  // Lines written while custos is stopped are read after the restart (the offset was stored).
  await srv.stop();
  fs.appendFileSync(authLog, line('192.0.2.78') + line('192.0.2.78') + line('192.0.2.78'));
  await srv.start();
  const ban = await waitForBan('192.0.2.78');
  assert.equal(ban.failures, 3);
});

test('an invalid jail stops start-up with a message naming the jail and the option', { skip: !haveFilter && 'fail2ban filters not installed' }, async () => {
  const bad = path.join(srv.dataDir, 'bad.toml');
  fs.writeFileSync(bad, config(udpPort, tcpPort, authLog).replace('maxretry = 3', 'maxretry = 0'));
  const r = spawnSync(CUSTOS_BIN, ['serve', '--config', bad, ...srv.commonArgs(), '--listen', '127.0.0.1:0'], { encoding: 'utf8', timeout: 20_000 });
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, /detection\.jails\[sshd\]\.maxretry: must be between 1 and 10000 \(is 0\)/);
  fs.writeFileSync(bad, config(udpPort, tcpPort, authLog).replace(SSHD, path.join(srv.dataDir, 'nope.conf')));
  const r2 = spawnSync(CUSTOS_BIN, ['serve', '--config', bad, ...srv.commonArgs(), '--listen', '127.0.0.1:0'], { encoding: 'utf8', timeout: 20_000 });
  assert.notEqual(r2.status, 0);
  assert.match(r2.stderr, /detection\.jails\[sshd\]\.filter: /);
});
