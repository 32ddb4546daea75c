// Detection actions beyond the firewall, end to end: a webhook told of each ban and lift (a real
// HTTP listener in this test receives it, with a secret header read from the environment), a
// failing webhook counted and retried, the promotion of a ban's security event to an incident
// (critical jail, and N bans within a window), later bans of the address as worklog entries,
// and custos's own failed sign-ins, read back from its log, locking the account.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { startServer, freePort, sleep, assertProblem, PASSWORD } from '../harness/server.mjs';

const SECRET = 'Bearer webhook-secret-4f9a1c';

let srv;
let admin;
let udpPort;
let receiver;
let receiverPort;
let deadPort;
const received = [];
let failNext = 0;  // the receiver answers 503 to this many requests first

// fail2ban filters of two made-up applications, and of custos's own log.
const FILTERS = {
  'webapp.conf': '[Definition]\nfailregex = webapp\\[\\d+\\]: login failure for user <F-USER>\\S+</F-USER> from <HOST>\n',
  'vault.conf': '[Definition]\nfailregex = vault\\[\\d+\\]: denied <F-USER>\\S+</F-USER> from <HOST>\n',
  'custos-auth.conf': '[Definition]\nfailregex = auth: sign-in failed for user "<F-USER>[^"]+</F-USER>" from <HOST>\n',
};

const config = (dir) => `
[detection]
dry_run = false

[[detection.sources]]
name = "syslog"
type = "syslog-udp"
listen = "127.0.0.1:${udpPort}"

[[detection.sources]]
name = "custos-log"
type = "file"
path = "${path.join(dir, 'server.log')}"

[[detection.webhooks]]
name = "soc"
url = "http://127.0.0.1:${receiverPort}/hooks/custos"
headers = { Authorization = { env = "SOC_WEBHOOK_TOKEN" }, X-Source = "custos-test" }
timeout = "5s"
retries = 2

[[detection.webhooks]]
name = "dead"
url = "http://127.0.0.1:${deadPort}/nobody-listens"
timeout = "2s"
retries = 1

[[detection.webhooks]]
name = "slow"
url = "http://127.0.0.1:${receiverPort}/never-answers"
timeout = 1
retries = 0

[[detection.jails]]
name = "webapp"
filter = "${path.join(dir, 'webapp.conf')}"
sources = ["syslog"]
maxretry = 2
bantime = "1h"
actions = ["soc", "dead", "slow"]
promote_after = 2
promote_window = "1h"
incident_impact = "significant"
incident_urgency = "medium"

[[detection.jails]]
name = "vault"
filter = "${path.join(dir, 'vault.conf')}"
sources = ["syslog"]
maxretry = 2
bantime = "1h"
actions = []
critical = true
incident_subcategory = "ids-alert"
incident_impact = "extensive"
incident_urgency = "critical"

[[detection.jails]]
name = "custos-login"
filter = "${path.join(dir, 'custos-auth.conf')}"
sources = ["custos-log"]
maxretry = 3
bantime = "1h"
actions = ["lock-account"]
`;

const rfc5424 = (app, text) => `<38>1 ${new Date().toISOString()} gate ${app} 900 - - ${text}`;
const sendUdp = async (messages) => {
  const socket = dgram.createSocket('udp4');
  for (const m of messages) {
    await new Promise((resolve, reject) => socket.send(m, udpPort, '127.0.0.1', (e) => (e ? reject(e) : resolve())));
  }
  socket.close();
};
const webappFailures = (address, n = 2) =>
  sendUdp(Array.from({ length: n }, (_, i) => rfc5424('webapp', `webapp[900]: login failure for user u${i} from ${address}`)));
const vaultFailures = (address, n = 2) =>
  sendUdp(Array.from({ length: n }, () => rfc5424('vault', `vault[7]: denied root from ${address}`)));

const waitFor = async (what, probe, ms = 8000) => {
  for (const end = Date.now() + ms; Date.now() < end; await sleep(25)) {
    const v = await probe();
    if (v) return v;
  }
  assert.fail(`${what} did not happen:\n${srv.log().slice(-3000)}`);
};
const activeBan = (jail, address) =>
  waitFor(`a ban of ${address} in ${jail}`, async () => {
    const res = await admin.get(`/api/v1/bans?jail=${jail}&address=${encodeURIComponent(address)}`);
    assert.equal(res.status, 200, res.text);
    return res.body.items[0];
  });
const lift = async (ban) => {
  const res = await admin.delete(`/api/v1/bans/${ban.id}?reason=test`);
  assert.equal(res.status, 200, res.text);
};
const event = async (key) => {
  const res = await admin.get(`/api/v1/events/${key}`);
  assert.equal(res.status, 200, res.text);
  return res.body;
};
const detectionEvents = async (title) => {
  const res = await admin.get('/api/v1/events?channel=detection&limit=200');
  assert.equal(res.status, 200, res.text);
  return res.body.items.filter((e) => e.title === title);
};
const metric = async (line) => {
  const res = await admin.get('/metrics');
  const m = res.text.match(new RegExp(`^${line.replace(/[{}"]/g, '\\$&')} (\\d+)$`, 'm'));
  return m ? Number(m[1]) : null;
};

before(async () => {
  receiver = http.createServer((req, res) => {
    if (req.url === '/never-answers') return;  // custos must give up on its own
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      if (failNext > 0) {
        failNext -= 1;
        res.writeHead(503).end();
        return;
      }
      received.push({ method: req.method, url: req.url, headers: req.headers, body: JSON.parse(body) });
      res.writeHead(204).end();
    });
  });
  await new Promise((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  receiverPort = receiver.address().port;
  deadPort = await freePort();
  udpPort = await freePort();
  srv = await startServer({
    serve: false,
    env: {
      TZ: 'UTC',
      SOC_WEBHOOK_TOKEN: SECRET,
      // custos's own lockout must not be what locks the account here: the jail does.
      CUSTOS_AUTH_LOCKOUT_ACCOUNT_THRESHOLD: '1000',
    },
  });
  for (const [name, text] of Object.entries(FILTERS)) fs.writeFileSync(path.join(srv.dataDir, name), text);
  const file = path.join(srv.dataDir, 'custos.toml');
  fs.writeFileSync(file, config(srv.dataDir));
  srv.opts.args = ['--config', file];
  await srv.start();
  admin = await srv.adminClient();
  await srv.createUser('victor', ['agent']);
});

after(() => receiver?.close());

test('a webhook receives the ban with its event, a secret header from the environment, and retries a 503', async () => {
  failNext = 1;
  await webappFailures('203.0.113.50');
  const ban = await activeBan('webapp', '203.0.113.50');
  assert.match(ban.event ?? '', /^EVT-\d+$/);
  const hook = await waitFor('the webhook', () => received.find((r) => r.body.type === 'ban' && r.body.address === '203.0.113.50'));
  assert.equal(hook.method, 'POST');
  assert.equal(hook.url, '/hooks/custos');
  assert.equal(hook.headers['content-type'], 'application/json');
  assert.equal(hook.headers.authorization, SECRET);
  assert.equal(hook.headers['x-source'], 'custos-test');
  assert.deepEqual(
    { ...hook.body, banned_at: undefined, expires_at: undefined },
    { type: 'ban', jail: 'webapp', address: '203.0.113.50', family: 4, bantime: 3600, banned_at: undefined,
      expires_at: undefined, ban_number: 1, failures: 2, user: 'u1', event: ban.event, ban_id: ban.id },
  );
  assert.equal(Date.parse(hook.body.expires_at), Date.parse(ban.expires_at));
  await waitFor('the delivery counted', async () =>
    (await metric('custos_detection_webhook_delivered_total{webhook="soc"}')) === 1);
  assert.equal(await metric('custos_detection_webhook_retries_total{webhook="soc"}'), 1);
});

test('a webhook nobody answers is retried, then counted as failed; the log names it without its secret', async () => {
  const failed = await waitFor('the dead webhook to give up', async () =>
    (await metric('custos_detection_webhook_failures_total{webhook="dead"}')) >= 1);
  assert.ok(failed);
  assert.equal(await metric('custos_detection_webhook_retries_total{webhook="dead"}'), 1);
  const log = srv.log();
  assert.match(log, /detection webhook dead: ban of 203\.0\.113\.50 in webapp not delivered, given up after 2 attempt\(s\)/);
  assert.ok(!log.includes(SECRET) && !log.includes('webhook-secret'), 'the secret is never logged');
  assert.ok(!log.includes('/nobody-listens'), 'nor the URL');
  // A receiver that never answers costs one timeout, not a stuck queue.
  await waitFor('the slow webhook to time out', async () =>
    (await metric('custos_detection_webhook_failures_total{webhook="slow"}')) === 1);
  assert.match(srv.log(), /detection webhook slow: ban of 203\.0\.113\.50 in webapp not delivered, given up after 1 attempt\(s\): Timeout was reached/);
});

test('in dry-run mode a webhook and lock-account log what they would do and do nothing', async () => {
  const dry = await startServer({ serve: false, env: { TZ: 'UTC', SOC_WEBHOOK_TOKEN: SECRET } });
  const port = await freePort();
  fs.writeFileSync(path.join(dry.dataDir, 'webapp.conf'), FILTERS['webapp.conf']);
  const file = path.join(dry.dataDir, 'custos.toml');
  fs.writeFileSync(file, `
[detection]
dry_run = true
[[detection.sources]]
name = "syslog"
type = "syslog-udp"
listen = "127.0.0.1:${port}"
[[detection.webhooks]]
name = "soc"
url = "http://127.0.0.1:${receiverPort}/hooks/dry"
headers = { Authorization = { env = "SOC_WEBHOOK_TOKEN" } }
[[detection.jails]]
name = "webapp"
filter = "${path.join(dry.dataDir, 'webapp.conf')}"
sources = ["syslog"]
maxretry = 2
actions = ["soc", "lock-account"]
`);
  dry.opts.args = ['--config', file];
  await dry.start();
  await dry.createUser('u1', ['agent']);
  const socket = dgram.createSocket('udp4');
  for (const user of ['u0', 'u1']) {
    const m = rfc5424('webapp', `webapp[900]: login failure for user ${user} from 192.0.2.99`);
    await new Promise((resolve, reject) => socket.send(m, port, '127.0.0.1', (e) => (e ? reject(e) : resolve())));
  }
  socket.close();
  const line = await waitFor('the dry-run lines', () =>
    dry.log().split('\n').find((l) => l.includes('detection dry-run: webhook soc: POST ')));
  const body = JSON.parse(line.slice(line.indexOf('POST ') + 5));
  assert.equal(body.type, 'ban');
  assert.equal(body.address, '192.0.2.99');
  assert.match(body.event, /^EVT-\d+$/);
  assert.match(dry.log(), /detection dry-run: lock-account "u1" until \d{4}-/);
  await sleep(300);
  assert.equal(received.filter((r) => r.url === '/hooks/dry').length, 0, 'nothing was sent');
  const lockouts = await (await dry.adminClient()).get('/api/v1/lockouts');
  assert.equal(lockouts.body.items.length, 0, 'nothing was locked');
  assert.ok(!dry.log().includes(SECRET));
});

test('lifting a ban tells the webhook; the second ban within the window promotes the event to an incident', async () => {
  const first = await activeBan('webapp', '203.0.113.50');
  await lift(first);
  const lifted = await waitFor('the lift webhook', () => received.find((r) => r.body.type === 'lift'));
  assert.equal(lifted.body.lifted, 'administrator');
  assert.equal(lifted.body.event, first.event);
  assert.equal(lifted.body.ban_id, first.id);
  // Still an event: one ban is below promote_after = 2.
  assert.equal((await event(first.event)).status, 'new');

  await webappFailures('203.0.113.50');
  const second = await waitFor('the second ban', async () => {
    const b = await activeBan('webapp', '203.0.113.50');
    return b.id !== first.id && b;
  });
  assert.equal(second.ban_number, 2);
  assert.equal(second.event, first.event, 'the second ban is a note on the same event');
  const promoted = await event(first.event);
  assert.equal(promoted.status, 'promoted');
  assert.equal(promoted.decision.by, null);
  assert.match(promoted.decision.reason, /^Rule of jail webapp: 2 bans of this address within 1 h \(promote_after = 2\)\.$/);
  assert.match(promoted.incident ?? '', /^INC-\d+$/);
  const incident = await admin.get(`/api/v1/incidents/${promoted.incident}`);
  assert.equal(incident.status, 200, incident.text);
  assert.equal(incident.body.category, 'intrusion-attempt');
  assert.equal(incident.body.subcategory, 'brute-force');
  assert.equal(incident.body.impact, 'significant');
  assert.equal(incident.body.urgency, 'medium');
  assert.equal(incident.body.source, 'detection');
  assert.equal(incident.body.reporter, null);
  assert.equal(incident.body.title, 'webapp: repeated authentication failures from 203.0.113.50');

  const decisions = (await srv.auditEntries('action=event.promote')).filter((a) => a.object_id === first.event);
  assert.equal(decisions.length, 1);
  assert.equal(decisions[0].actor, 'system:detection');
  assert.equal(decisions[0].detail.incident, promoted.incident);
  const created = (await srv.auditEntries('action=incident.create')).filter((a) => a.object_id === promoted.incident);
  assert.equal(created.length, 1);
  assert.equal(created[0].actor, 'system:detection');
});

test('a critical jail promotes at the first ban, once per address even when bans come at once; later bans are worklog entries', async () => {
  const addresses = ['198.51.100.1', '198.51.100.2', '198.51.100.3', '198.51.100.4'];
  await Promise.all(addresses.map((a) => vaultFailures(a)));
  const bans = await Promise.all(addresses.map((a) => activeBan('vault', a)));
  const incidents = new Set();
  for (const [i, ban] of bans.entries()) {
    const e = await event(ban.event);
    assert.equal(e.status, 'promoted');
    assert.match(e.decision.reason, /^Jail vault guards a critical asset/);
    assert.equal((await detectionEvents(`vault: repeated authentication failures from ${addresses[i]}`)).length, 1);
    incidents.add(e.incident);
  }
  assert.equal(incidents.size, addresses.length, 'one incident per address');
  const first = await event(bans[0].event);
  const incident = (await admin.get(`/api/v1/incidents/${first.incident}`)).body;
  assert.equal(incident.subcategory, 'ids-alert');
  assert.equal(incident.impact, 'extensive');
  assert.equal(incident.urgency, 'critical');

  // The incident is open: banned again, the address is a worklog entry, not a new event or incident.
  const incidentsBefore = (await srv.auditEntries('action=incident.create')).length;
  await lift(bans[0]);
  await vaultFailures(addresses[0]);
  const again = await waitFor('the second vault ban', async () => {
    const b = await activeBan('vault', addresses[0]);
    return b.id !== bans[0].id && b;
  });
  assert.equal(again.event, bans[0].event);
  assert.equal((await detectionEvents(`vault: repeated authentication failures from ${addresses[0]}`)).length, 1);
  assert.equal((await srv.auditEntries('action=incident.create')).length, incidentsBefore);
  const worklog = await admin.get(`/api/v1/incidents/${first.incident}/worklog`);
  assert.equal(worklog.status, 200, worklog.text);
  const entries = worklog.body.items.filter((w) => /^Banned again: ban #2 of 198\.51\.100\.1 in jail vault/.test(w.body));
  assert.equal(entries.length, 1, JSON.stringify(worklog.body.items));
  assert.equal(entries[0].visibility, 'internal');
  const added = (await srv.auditEntries('action=incident.worklog_add')).filter((a) => a.object_id === first.incident);
  assert.equal(added.length, 1);
  assert.equal(added[0].actor, 'system:detection');
});

const attempt = (username, password) => srv.client().post('/api/v1/auth/login', { username, password });

test('failed sign-ins to custos, read back from its own log, lock the account until the ban is lifted', async () => {
  // An unknown user: banned (the address), but there is no account to lock.
  for (let i = 0; i < 3; i++) assertProblem(await attempt('ghost', `wrong ${i}`), 401);
  const ghostBan = await activeBan('custos-login', '127.0.0.1');
  assert.equal(ghostBan.user, 'ghost');
  await sleep(200);
  assert.equal((await admin.get('/api/v1/lockouts')).body.items.length, 0);
  await lift(ghostBan);

  for (let i = 0; i < 3; i++) assertProblem(await attempt('victor', `wrong ${i}`), 401);
  const ban = await waitFor('the ban naming victor', async () => {
    const b = await activeBan('custos-login', '127.0.0.1');
    return b.user === 'victor' && b;
  });
  const locked = await waitFor('the lockout', async () =>
    (await admin.get('/api/v1/lockouts')).body.items.find((l) => l.kind === 'account' && l.subject === 'victor'));
  assert.equal(Date.parse(locked.locked_until), Date.parse(ban.expires_at));
  // Even the right password is refused now, with the lockout answer.
  assertProblem(await attempt('victor', PASSWORD), 429, 'login-locked');
  const audit = (await srv.auditEntries('action=auth.lockout')).filter((a) => a.object_id === 'victor');
  assert.equal(audit.length, 1);
  assert.equal(audit[0].actor, 'system:detection');
  assert.equal(audit[0].detail.jail, 'custos-login');
  assert.equal(audit[0].detail.ban, ban.id);

  await lift(ban);
  await waitFor('the unlock', async () => (await attempt('victor', PASSWORD)).status === 200);
  const unlocked = (await srv.auditEntries('action=auth.unlock')).filter((a) => a.object_id === 'victor');
  assert.equal(unlocked.length, 1);
  assert.equal(unlocked[0].actor, 'system:detection');
});

test('a webhook URL that is not http(s) and an unknown incident category stop start-up, naming the option', async () => {
  const bad = await startServer({ serve: false });
  fs.writeFileSync(path.join(bad.dataDir, 'webapp.conf'), FILTERS['webapp.conf']);
  const file = path.join(bad.dataDir, 'custos.toml');
  const write = (webhookUrl, category) => fs.writeFileSync(file, `
[detection]
[[detection.sources]]
name = "syslog"
type = "syslog-udp"
listen = "127.0.0.1:0"
[[detection.webhooks]]
name = "soc"
url = "${webhookUrl}"
[[detection.jails]]
name = "webapp"
filter = "${path.join(bad.dataDir, 'webapp.conf')}"
sources = ["syslog"]
actions = ["soc"]
critical = true
incident_category = "${category}"
`);
  bad.opts.args = ['--config', file];
  write('ftp://files.example.org/in', 'intrusion-attempt');
  await assert.rejects(bad.start(), /detection\.webhooks\[soc\]\.url: must be an http:\/\/ or https:\/\/ URL/);
  write('https://soc.example.org/hook', 'nope');
  await assert.rejects(bad.start(), /detection\.jails\[webapp\]\.incident_category: 'nope' is not a known category/);
});
