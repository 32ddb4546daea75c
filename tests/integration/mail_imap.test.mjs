// E-mail intake by IMAP polling ([mail.imap]): a private Dovecot serves a mailbox, the server
// polls it and files what it finds through the same path `custos mailgate` uses — a new report,
// a reply threaded onto it, the same Message-ID stored once, an unreadable message marked seen
// and not stored, and a refused login logged without the password and tried again.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { startServer, freePort, sleep, REPO_ROOT, BACKEND } from '../harness/server.mjs';
import { setUpCast } from '../harness/incidents.mjs';
import { mail, readEvent } from '../harness/events.mjs';

const USER = 'security';
const PASSWORD = 'imap-secret-7f3k9q';
const WRONG = 'wrong-imap-secret-c2m8x';
const HARNESS = path.join(REPO_ROOT, 'tests/harness/imap.sh');

let imapDir;
let imapPort;
let srv;
let as;
let sequence = 0;

const imapConfig = (password_env, extra = '') => `
[mail.imap]
url = "imap://127.0.0.1:${imapPort}/INBOX"
username = "${USER}"
password_env = "${password_env}"
poll_interval = "1s"
timeout = "30s"
${extra}
`;

async function serverWith(password, extra = '') {
  const s = await startServer({ serve: false, env: { CUSTOS_TEST_IMAP_PASSWORD: password } });
  const file = path.join(s.dataDir, 'custos.toml');
  fs.writeFileSync(file, imapConfig('CUSTOS_TEST_IMAP_PASSWORD', extra));
  s.opts.args = ['--config', file];
  await s.start();
  return s;
}

// Delivers a message as a mail server would: a new file in the maildir's new/ (unseen).
function drop(message) {
  const dir = path.join(imapDir, 'mail', USER);
  const name = `${Date.now()}.M${++sequence}P${process.pid}.custos-test`;
  fs.writeFileSync(path.join(dir, 'tmp', name), message);
  fs.renameSync(path.join(dir, 'tmp', name), path.join(dir, 'new', name));
}

// An IMAP command on a mailbox of the test user; what the server answered.
const imap = (mailbox, command) => execFileSync('curl', ['-sS', '--max-time', '10', '-u', `${USER}:${PASSWORD}`,
  `imap://127.0.0.1:${imapPort}/${mailbox}`, '-X', command], { encoding: 'utf8' });

// The flags of every message in the mailbox, by UID, as the IMAP server reports them.
function flags(mailbox = 'INBOX') {
  const out = imap(mailbox, 'UID FETCH 1:* (FLAGS)');
  const byUid = {};
  for (const m of out.matchAll(/UID (\d+) FLAGS \(([^)]*)\)/g)) byUid[m[1]] = m[2].split(' ').filter(Boolean);
  return byUid;
}

async function until(what, probe, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    let value = null;
    try {
      value = await probe();
    } catch {}  // e.g. a mailbox that holds nothing yet
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

const count = (where) => Number(srv.sqlRows(`SELECT COUNT(*) AS n FROM events WHERE ${where}`)[0].n);

async function metric(s, name) {
  const res = await fetch(`${s.baseUrl}/metrics`);
  const text = await res.text();
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  return line ? Number(line.split(' ')[1]) : NaN;
}

before(async () => {
  imapDir = fs.mkdtempSync(path.join(os.tmpdir(), 'custos-imap-'));
  imapPort = await freePort();
  execFileSync(HARNESS, ['start', imapDir, String(imapPort), USER, PASSWORD], { stdio: 'inherit' });
  srv = await serverWith(PASSWORD);
  as = await setUpCast(srv, { emails: true });
});

after(() => {
  if (imapDir) spawnSync(HARNESS, ['stop', imapDir], { stdio: 'inherit' });
});

test('a known reporter\'s mail becomes their report, a reply threads onto it, both end up \\Seen', async () => {
  drop(mail({ From: 'Rita <rita@example.org>', To: 'security@example.org', Subject: 'Phishing with an invoice',
    'Message-ID': '<imap-first@mail.example.org>' }, 'The link goes to evil.example.\n'));
  const row = await until('the report', () => srv.sqlRows("SELECT id FROM events WHERE title = 'Phishing with an invoice'")[0]);
  const key = `EVT-${String(row.id).padStart(6, '0')}`;
  const e = await readEvent(as.rita, key);
  assert.equal(e.channel, 'email');
  assert.equal(e.reporter, 'rita');
  assert.equal(e.description, 'The link goes to evil.example.');

  drop(mail({ From: 'rita@example.org', Subject: `Re: [${key}] Phishing with an invoice`,
    'Message-ID': '<imap-reply@mail.example.org>' }, 'Two colleagues got it too.\n'));
  const notes = await until('the reply', async () => {
    const res = await as.rita.get(`/api/v1/events/${key}/notes`);
    return res.body.items?.length ? res.body.items : null;
  });
  assert.deepEqual(notes.map((n) => [n.author, n.channel, n.body]), [['rita', 'email', 'Two colleagues got it too.']]);
  assert.equal(count("title LIKE '%Phishing with an invoice%'"), 1, 'the reply is no report of its own');

  await until('both messages seen', () => {
    const f = Object.values(flags());
    return f.length === 2 && f.every((x) => x.includes('\\Seen'));
  });
  assert.ok(await metric(srv, 'custos_mail_imap_delivered_total') >= 2);
});

test('the same Message-ID delivered again (custos stopped before flagging it) is stored once', async () => {
  const before = Number(await metric(srv, 'custos_mail_imap_delivered_total'));
  drop(mail({ From: 'rita@example.org', Subject: 'Phishing with an invoice',
    'Message-ID': '<imap-first@mail.example.org>' }, 'The link goes to evil.example.\n'));
  await until('the redelivery', async () => await metric(srv, 'custos_mail_imap_delivered_total') > before);
  assert.equal(count("title = 'Phishing with an invoice'"), 1);
  assert.match(srv.log(), /mail: UID \d+: already stored/);
  await until('all seen', () => Object.values(flags()).every((x) => x.includes('\\Seen')));
});

test('a message the parser rejects is marked \\Seen, logged by UID and reason, and nothing is stored', async () => {
  const events = count('1 = 1');
  const rejected = Number(await metric(srv, 'custos_mail_imap_rejected_total'));
  drop('Subject: no sender here\r\n\r\nsecret-body-text-do-not-log\r\n');
  await until('the rejection', async () => await metric(srv, 'custos_mail_imap_rejected_total') > rejected);
  assert.equal(count('1 = 1'), events);
  assert.match(srv.log(), /mail: UID \d+ rejected, marked seen: \S/);
  assert.doesNotMatch(srv.log(), /secret-body-text-do-not-log/);
  await until('it is seen', () => {
    const f = Object.values(flags());
    return f.length === 4 && f.every((x) => x.includes('\\Seen'));
  });
  // Seen, so not fetched again: the count stays put over further polls.
  const polls = await metric(srv, 'custos_mail_imap_polls_total');
  await until('two more polls', async () => await metric(srv, 'custos_mail_imap_polls_total') >= polls + 2);
  assert.equal(await metric(srv, 'custos_mail_imap_rejected_total'), rejected + 1);
});

test('a message that cannot be stored for a passing reason is left unread and filed at a later poll', async () => {
  // The database refuses to record mail for a while: a trigger on SQLite, a revoked privilege
  // on PostgreSQL (the role owns the table, and gets the privilege back afterwards).
  const refuse = BACKEND === 'postgres'
    ? ['REVOKE INSERT ON mail_messages FROM CURRENT_USER', 'GRANT INSERT ON mail_messages TO CURRENT_USER']
    : ["CREATE TRIGGER refuse_mail BEFORE INSERT ON mail_messages BEGIN SELECT RAISE(ABORT, 'refused for the test'); END",
      'DROP TRIGGER refuse_mail'];
  const deferred = Number(await metric(srv, 'custos_mail_imap_deferred_total'));
  srv.sql(refuse[0]);
  try {
    drop(mail({ From: 'rita@example.org', Subject: 'Tailgating at the side door',
      'Message-ID': '<imap-deferred@mail.example.org>' }, 'Twice this week.\n'));
    await until('a deferral', async () => await metric(srv, 'custos_mail_imap_deferred_total') > deferred);
    assert.equal(count("title = 'Tailgating at the side door'"), 0, 'nothing stored half');
    await until('it is unread again', () => Object.values(flags()).some((f) => !f.includes('\\Seen')));
  } finally {
    srv.sql(refuse[1]);
  }
  await until('the report', () => count("title = 'Tailgating at the side door'") === 1);
  await until('all seen', () => Object.values(flags()).every((x) => x.includes('\\Seen')));
  assert.match(srv.log(), /mail: UID \d+ not stored, trying again at the next poll: /);
});

test('a refused login is logged without the password, counted, and tried again at the next poll', async () => {
  const wrong = await serverWith(WRONG);
  // Dovecot delays each refusal (longer after several), so this takes some seconds.
  await until('two failed polls', async () => await metric(wrong, 'custos_mail_imap_poll_failures_total') >= 2, 60_000);
  const log = wrong.log();
  assert.match(log, /mail: poll of imap:\/\/127\.0\.0\.1:\d+\/INBOX failed, trying again in 1 s: .*Login denied/);
  assert.ok(!log.includes(WRONG), 'the password is not in the log');
  assert.ok(!log.includes(PASSWORD));
  assert.equal(await metric(wrong, 'custos_mail_imap_delivered_total'), 0);
  // The server itself keeps serving.
  assert.equal((await fetch(`${wrong.baseUrl}/readyz`)).status, 200);
  await wrong.stop();
});

test('an unreachable server is logged and retried; a silent one does not hold up stopping custos', async () => {
  const closed = await freePort();
  const silent = net.createServer(() => {});  // accepts and never answers
  await new Promise((resolve) => silent.listen(0, '127.0.0.1', resolve));
  try {
    for (const port of [closed, silent.address().port]) {
      const s = await startServer({ serve: false, env: { CUSTOS_TEST_IMAP_PASSWORD: PASSWORD } });
      const file = path.join(s.dataDir, 'custos.toml');
      fs.writeFileSync(file, imapConfig('CUSTOS_TEST_IMAP_PASSWORD').replace(`:${imapPort}/`, `:${port}/`));
      s.opts.args = ['--config', file];
      await s.start();
      if (port === closed) {
        await until('two failed polls', async () => await metric(s, 'custos_mail_imap_poll_failures_total') >= 2);
        assert.match(s.log(), new RegExp(`mail: poll of imap://127\\.0\\.0\\.1:${port}/INBOX failed, trying again in 1 s: .*(connect|Connection refused)`));
      } else {
        await until('a poll under way', async () => await metric(s, 'custos_mail_imap_polls_total') >= 1);
        await sleep(500);
      }
      // The poll waiting on the silent server (timeout 30 s) is abandoned at once.
      const started = Date.now();
      const exit = await s.stop();
      assert.equal(exit.code, 0);
      assert.ok(Date.now() - started < 5_000, `stopping took ${Date.now() - started} ms`);
    }
  } finally {
    silent.close();
  }
});

test('start-up stops naming the option when the password variable is missing or the URL is not allowed', async () => {
  const s = await startServer({ serve: false });
  const file = path.join(s.dataDir, 'custos.toml');
  fs.writeFileSync(file, imapConfig('CUSTOS_TEST_IMAP_UNSET'));
  let r = s.runCli(['serve', '--listen', '127.0.0.1:0', '--config', file], { timeoutMs: 20_000 });
  assert.notEqual(r.code, 0);
  assert.match(r.stderr + r.stdout, /mail\.imap\.password_env: the environment variable CUSTOS_TEST_IMAP_UNSET is not set/);
  fs.writeFileSync(file, imapConfig('X').replace(`imap://127.0.0.1:${imapPort}`, 'imap://mail.example.org'));
  r = s.runCli(['serve', '--listen', '127.0.0.1:0', '--config', file], { timeoutMs: 20_000 });
  assert.notEqual(r.code, 0);
  assert.match(r.stderr + r.stdout, /mail\.imap\.url: imap:\/\/ sends the password unencrypted.*allow_plaintext = true/);
});

test('with move_to, a filed message is moved to that mailbox, marked \\Seen', async () => {
  await srv.stop();  // one poller at a time on the mailbox
  imap('', 'CREATE Filed');
  const inbox = Object.keys(flags()).length;
  const mover = await serverWith(PASSWORD, 'move_to = "Filed"\n[events]\nmail_max_bytes = 4096');
  // Larger than the mailgate's limit: rejected without being read further, seen, left in place.
  drop(mail({ From: 'rita@example.org', Subject: 'A large one', 'Message-ID': '<imap-large@mail.example.org>' },
    'x'.repeat(70).concat('\n').repeat(100)));
  await until('the rejection', async () => await metric(mover, 'custos_mail_imap_rejected_total') === 1);
  assert.match(mover.log(), /mail: UID \d+ rejected, marked seen: message exceeds 4096 bytes/);
  assert.equal(Object.keys(flags()).length, inbox + 1, 'a rejected message stays in the INBOX');
  assert.ok(Object.values(flags()).every((x) => x.includes('\\Seen')));
  drop(mail({ From: 'partner@supplier.example', Subject: 'Your server is scanning us',
    'Message-ID': '<imap-move@supplier.example>' }, 'From 203.0.113.7 since 02:00.\n'));
  await until('the report', () => mover.sqlRows("SELECT id FROM events WHERE title = 'Your server is scanning us'")[0]);
  const filed = await until('the move', () => {
    const f = Object.values(flags('Filed'));
    return f.length === 1 ? f : null;
  });
  assert.ok(filed[0].includes('\\Seen'), JSON.stringify(filed));
  assert.equal(Object.keys(flags()).length, inbox + 1, 'the filed message left the INBOX');
  await mover.stop();
});
