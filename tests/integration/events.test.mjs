// Reports of security events and weaknesses: reporting through the API and by e-mail
// (`custos mailgate` with the message on standard input), the acknowledgement, the triage queue,
// and the three decisions — promote, merge, dismiss — with what the reporter sees of each.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, assertProblem } from '../harness/server.mjs';
import { setUpCast, logIncident, read } from '../harness/incidents.mjs';
import { mail, mailgate as mailgateOf, readEvent, report } from '../harness/events.mjs';

let srv;
let as;

before(async () => {
  srv = await startServer();
  as = await setUpCast(srv, { emails: true });
});

const count = (table, where = '1 = 1') => Number(srv.sqlRows(`SELECT COUNT(*) AS n FROM ${table} WHERE ${where}`)[0].n);

const mailgate = (message, opts = {}) => mailgateOf(srv, message, opts);

test('a reporter reports, is acknowledged in the app and by mail, and follows only their own reports', async () => {
  const e = await report(as.rita, { kind: 'weakness', location: 'payroll.example.org', observed_at: '2026-01-05T09:30:00Z' });
  assert.match(e.key, /^EVT-\d{6}$/);
  assert.equal(e.status, 'new');
  assert.equal(e.kind, 'weakness');
  assert.equal(e.channel, 'api');
  assert.equal(e.reporter, 'rita');
  assert.equal(e.location, 'payroll.example.org');
  assert.equal(e.observed_at, '2026-01-05T09:30:00.000Z');
  assert.equal(e.decision, null);

  const notes = await as.rita.get('/api/v1/me/notifications');
  assert.equal(notes.status, 200, notes.text);
  assert.ok(notes.body.items.some((n) => n.kind === 'event.acknowledged' && n.message.includes(e.key)), notes.text);
  const outbox = srv.sqlRows(`SELECT recipient, subject, payload FROM outbox WHERE subject LIKE '%${e.key}%'`);
  assert.equal(outbox.length, 1);
  assert.equal(outbox[0].recipient, 'rita@example.org');
  const payload = JSON.parse(outbox[0].payload);
  assert.match(payload.message_id, /^<evt-\d{6}\.ack\.[\w-]+@[^>]+>$/);

  // Another reporter: not their report — as if it did not exist.
  assertProblem(await as.rex.get(`/api/v1/events/${e.key}`), 404);
  assertProblem(await as.rex.get(`/api/v1/events/${e.key}/attachments`), 404);
  const rexMine = await report(as.rex, { title: 'Tailgating at door C' });
  for (const path of ['/api/v1/events', '/api/v1/events/mine', '/api/v1/events?reporter=rita']) {
    const list = await as.rex.get(path);
    assert.equal(list.status, 200, list.text);
    assert.ok(list.body.items.every((i) => i.reporter === 'rex'), `${path}: ${list.text}`);
    assert.ok(list.body.items.some((i) => i.key === rexMine.key));
  }
  const mine = await as.rita.get('/api/v1/events/mine');
  assert.ok(mine.body.items.some((i) => i.key === e.key));
  assert.ok(!mine.body.items.some((i) => i.key === rexMine.key));

  // Bad input names the field.
  for (const [body, field] of [[{ title: '' }, 'title'], [{ title: 'x' }, 'description'], [{ title: 'x', observed: 'y', kind: 'incident' }, 'kind'],
    [{ title: 'x', observed: 'y', observed_at: 'yesterday' }, 'observed_at'], [{ title: 'x', observed: 'y', colour: 'red' }, 'colour'],
    [{ title: 'x', observed: 'y', channel: 'detection' }, 'channel']]) {
    const res = await as.rita.post('/api/v1/events', body);
    assertProblem(res, 422);
    assert.equal(res.body.errors[0].field, field, res.text);
  }
  // Reporters do not triage.
  assertProblem(await as.rita.post(`/api/v1/events/${e.key}/dismiss`, { code: 'false_positive', reason: 'x' }), 403);
});

test('the triage queue pages oldest first; promote carries the report into a new incident the reporter can follow', async () => {
  const a = await report(as.rita, { title: 'Queue one', location: 'mail gateway' });
  const b = await report(as.rex, { title: 'Queue two' });
  const upload = await as.rita.request('POST', `/api/v1/events/${a.key}/attachments?filename=popup.txt`, { body: 'screenshot text', headers: { 'content-type': 'text/plain' } });
  assert.equal(upload.status, 201, upload.text);

  const seen = [];
  let cursor = null;
  do {
    const res = await as.alice.get(`/api/v1/events?status=new&sort=created&limit=1${cursor ? `&cursor=${cursor}` : ''}`);
    assert.equal(res.status, 200, res.text);
    assert.ok(res.body.items.length <= 1);
    seen.push(...res.body.items.map((i) => i.key));
    cursor = res.body.next_cursor;
  } while (cursor);
  assert.ok(seen.indexOf(a.key) >= 0 && seen.indexOf(a.key) < seen.indexOf(b.key), seen.join());
  assert.deepEqual([...seen].sort(), seen);
  assertProblem(await as.alice.get('/api/v1/events?status=open'), 422);
  assertProblem(await as.alice.get('/api/v1/events?cursor=nonsense'), 422);

  // Classify: a category of the taxonomy, impact and urgency.
  const bad = await as.alice.post(`/api/v1/events/${a.key}/classification`, { category: 'no-such-category' });
  assertProblem(bad, 422);
  assert.equal(bad.body.errors[0].field, 'category');
  const classified = await as.alice.post(`/api/v1/events/${a.key}/classification`, { category: 'intrusion-attempt', impact: 'significant', urgency: 'high' });
  assert.equal(classified.status, 200, classified.text);
  assert.equal(classified.body.status, 'triaging');
  assert.equal(classified.body.classification.by, 'alice');

  // Promote: reason required.
  const noReason = await as.alice.post(`/api/v1/events/${a.key}/promote`, {});
  assertProblem(noReason, 422);
  assert.equal(noReason.body.errors[0].field, 'reason');
  const promoted = await as.alice.post(`/api/v1/events/${a.key}/promote`, { reason: 'Credential phishing that reached users.' });
  assert.equal(promoted.status, 200, promoted.text);
  const e = promoted.body;
  assert.equal(e.status, 'promoted');
  assert.match(e.incident, /^INC-\d{6}$/);
  assert.equal(promoted.headers.get('location'), `/api/v1/incidents/${e.incident}`);
  assert.equal(e.decision.by, 'alice');
  assert.equal(e.decision.reason, 'Credential phishing that reached users.');

  const inc = await read(as.alice, e.incident);
  assert.equal(inc.title, 'Queue one');
  assert.equal(inc.category, 'intrusion-attempt');
  assert.equal(inc.impact, 'significant');
  assert.equal(inc.urgency, 'high');
  assert.equal(inc.reporter, 'rita');
  assert.equal(inc.source, 'api');
  assert.match(inc.description, new RegExp(`Reported as event ${a.key} by rita`));
  // The reporter follows the incident and sees the file they sent, copied along.
  const ritaView = await read(as.rita, e.incident);
  assert.equal(ritaView.title, 'Queue one');
  const files = await as.rita.get(`/api/v1/incidents/${e.incident}/attachments`);
  assert.equal(files.status, 200, files.text);
  assert.deepEqual(files.body.items.map((f) => f.filename), ['popup.txt']);

  // The reporter sees the outcome: on the report and as a notification.
  const mineNow = await readEvent(as.rita, a.key);
  assert.equal(mineNow.status, 'promoted');
  assert.equal(mineNow.incident, e.incident);
  const notes = await as.rita.get('/api/v1/me/notifications');
  assert.ok(notes.body.items.some((n) => n.kind === 'event.decided' && n.message.includes(e.incident)), notes.text);

  // Decided is final.
  for (const [path, body] of [['promote', { reason: 'again' }], ['dismiss', { code: 'not_security', reason: 'x' }], ['merge', { incident: e.incident, reason: 'x' }], ['classification', { category: 'intrusion-attempt' }]]) {
    assertProblem(await as.bob.post(`/api/v1/events/${a.key}/${path}`, body), 409, undefined, path);
  }
  // Who, when and why are in the audit trail.
  const audit = await srv.auditEntries(`object_type=event&object_id=${a.key}`);
  const actions = audit.map((x) => x.action);
  assert.deepEqual(actions.filter((x) => x !== 'event.attachment_add'), ['event.report', 'event.classify', 'event.promote']);
  const promote = audit.find((x) => x.action === 'event.promote');
  assert.equal(promote.actor, 'user:alice');
  assert.equal(promote.detail.incident, e.incident);
  assert.equal(promote.detail.reason, 'Credential phishing that reached users.');
});

test('dismiss needs a code and a reason, a duplicate names the other; the reporter is told why', async () => {
  const first = await report(as.rex, { title: 'Phishing: "Your parcel is waiting"' });
  const second = await report(as.rex, { title: 'Same parcel mail again' });
  const cases = [
    [{ code: 'false_positive' }, 'reason'],
    [{ code: 'spam', reason: 'x' }, 'code'],
    [{ code: 'duplicate', reason: 'Same campaign.' }, 'duplicate_of'],
    [{ code: 'duplicate', reason: 'Same campaign.', duplicate_of: second.key }, 'duplicate_of'],
    [{ code: 'duplicate', reason: 'Same campaign.', duplicate_of: 'EVT-999999' }, 'duplicate_of'],
    [{ code: 'not_security', reason: 'x', duplicate_of: first.key }, 'duplicate_of'],
  ];
  for (const [body, field] of cases) {
    const res = await as.alice.post(`/api/v1/events/${second.key}/dismiss`, body);
    assertProblem(res, 422, undefined, JSON.stringify(body));
    assert.equal(res.body.errors[0].field, field, res.text);
  }
  assert.equal((await readEvent(as.rex, second.key)).status, 'new');

  const res = await as.alice.post(`/api/v1/events/${second.key}/dismiss`, { code: 'duplicate', reason: 'Same campaign, already reported.', duplicate_of: first.key.toLowerCase() });
  assert.equal(res.status, 200, res.text);
  assert.equal(res.body.status, 'dismissed');
  assert.deepEqual({ ...res.body.decision, at: undefined }, { outcome: 'dismissed', dismissal: 'duplicate', duplicate_of: first.key, reason: 'Same campaign, already reported.', by: 'alice', at: undefined });

  const seenByRex = await readEvent(as.rex, second.key);
  assert.equal(seenByRex.decision.reason, 'Same campaign, already reported.');
  const notes = await as.rex.get('/api/v1/me/notifications');
  const told = notes.body.items.find((n) => n.kind === 'event.decided' && n.message.includes(second.key));
  assert.ok(told, notes.text);
  assert.match(told.message, /already reported as EVT-\d+/);
  assertProblem(await as.alice.post(`/api/v1/events/${second.key}/dismiss`, { code: 'not_security', reason: 'x' }), 409);

  const fp = await as.alice.post(`/api/v1/events/${first.key}/dismiss`, { code: 'false_positive', reason: 'The parcel was real.' });
  assert.equal(fp.status, 200, fp.text);
  assert.equal(fp.body.decision.dismissal, 'false_positive');
});

test('merge adds a worklog entry and the files to an open incident; a closed one refuses', async () => {
  const inc = await logIncident(as.alice, { title: 'Phishing wave, week 48' });
  const e = await report(as.rex, { title: 'Got the invoice mail too', description: 'Clicked nothing.' });
  const upload = await as.rex.request('POST', `/api/v1/events/${e.key}/attachments?filename=headers.txt`, { body: 'Received: from evil', headers: { 'content-type': 'text/plain' } });
  assert.equal(upload.status, 201, upload.text);

  for (const [body, field] of [[{ incident: inc.key }, 'reason'], [{ incident: 'INC-x', reason: 'r' }, 'incident'], [{ incident: 'INC-999999', reason: 'r' }, 'incident']]) {
    const res = await as.alice.post(`/api/v1/events/${e.key}/merge`, body);
    assertProblem(res, 422);
    assert.equal(res.body.errors[0].field, field, res.text);
  }
  const merged = await as.alice.post(`/api/v1/events/${e.key}/merge`, { incident: inc.key, reason: 'Part of the same wave.' });
  assert.equal(merged.status, 200, merged.text);
  assert.equal(merged.body.status, 'merged');
  assert.equal(merged.body.incident, inc.key);

  const worklog = await as.alice.get(`/api/v1/incidents/${inc.key}/worklog`);
  assert.equal(worklog.status, 200, worklog.text);
  const entry = worklog.body.items.find((w) => w.body.includes(e.key));
  assert.ok(entry, worklog.text);
  assert.equal(entry.visibility, 'internal');
  assert.match(entry.body, /Part of the same wave\./);
  const files = await as.alice.get(`/api/v1/incidents/${inc.key}/attachments`);
  assert.ok(files.body.items.some((f) => f.filename === 'headers.txt' && f.uploaded_by === 'rex'), files.text);
  // The incident lists the reports merged into it.
  const linked = await as.alice.get(`/api/v1/events?incident=${inc.key}`);
  assert.deepEqual(linked.body.items.map((i) => i.key), [e.key]);
  // The reporter learns where their report went.
  assert.equal((await readEvent(as.rex, e.key)).incident, inc.key);

  // Into a cancelled incident: refused, nothing changes.
  const done = await logIncident(as.alice, { title: 'Old one' });
  const cancel = await as.alice.post(`/api/v1/incidents/${done.key}/transitions`, { to: 'cancelled', cancel_reason: 'not_an_incident', resolution_notes: 'n/a' });
  assert.equal(cancel.status, 200, cancel.text);
  const other = await report(as.rex, { title: 'Late arrival' });
  assertProblem(await as.alice.post(`/api/v1/events/${other.key}/merge`, { incident: done.key, reason: 'r' }), 409);
  assert.equal((await readEvent(as.alice, other.key)).status, 'new');
});

test('mail from a known user becomes a report with its attachment, threads replies, and is promoted to an incident', async () => {
  const msg = mail({
    From: 'Rita <RITA@example.org>',
    To: 'security@example.org',
    Subject: '=?UTF-8?Q?Verd=C3=A4chtige_Mail?=',
    'Message-ID': '<first-1@mail.example.org>',
    'MIME-Version': '1.0',
    'Content-Type': 'multipart/mixed; boundary="b1"',
  }, '--b1\nContent-Type: text/plain; charset=iso-8859-1\nContent-Transfer-Encoding: quoted-printable\n\nIch habe eine Mail mit Anhang bekommen. Gr=FC=DFe\n--b1\nContent-Type: application/pdf; name="invoice.pdf"\nContent-Transfer-Encoding: base64\n\nJVBERi0xLjQK\n--b1--\n');
  const r = mailgate(msg);
  assert.equal(r.code, 0, r.stderr);
  const key = r.stdout.match(/created (EVT-\d{6})/)?.[1];
  assert.ok(key, r.stdout);
  const e = await readEvent(as.rita, key);
  assert.equal(e.channel, 'email');
  assert.equal(e.reporter, 'rita');
  assert.equal(e.title, 'Verdächtige Mail');
  assert.equal(e.description, 'Ich habe eine Mail mit Anhang bekommen. Grüße');
  const files = await as.rita.get(`/api/v1/events/${key}/attachments`);
  assert.deepEqual(files.body.items.map((f) => [f.filename, f.content_type, f.size]), [['invoice.pdf', 'application/pdf', 9]]);
  const download = await as.rita.get(files.body.items[0].download);
  assert.equal(download.text, '%PDF-1.4\n');

  // The same message delivered again is stored once.
  const again = mailgate(msg);
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stdout, /already stored/);
  assert.equal(count('events', "channel = 'email' AND title = 'Verdächtige Mail'"), 1);

  // A reply by subject key, and one by In-Reply-To the acknowledgement custos sent.
  const bySubject = mailgate(mail({ From: 'rita@example.org', Subject: `Re: [${key}] Verdächtige Mail`, 'Message-ID': '<reply-1@mail.example.org>' }, 'It came from billing@evil.example.\n'));
  assert.equal(bySubject.code, 0, bySubject.stderr);
  assert.match(bySubject.stdout, new RegExp(`added to ${key}`));
  const ack = srv.sqlRows(`SELECT message_id FROM mail_messages WHERE direction = 'out' AND event_id = ${Number(key.slice(4))}`);
  assert.equal(ack.length, 1);
  const byHeader = mailgate(mail({ From: 'rita@example.org', Subject: 'one more thing', 'In-Reply-To': ack[0].message_id, 'Message-ID': '<reply-2@mail.example.org>' }, 'Two colleagues got it too.\n'));
  assert.equal(byHeader.code, 0, byHeader.stderr);
  assert.match(byHeader.stdout, new RegExp(`added to ${key}`));
  const notes = await as.rita.get(`/api/v1/events/${key}/notes`);
  assert.deepEqual(notes.body.items.map((n) => [n.author, n.channel, n.body]), [['rita', 'email', 'It came from billing@evil.example.'], ['rita', 'email', 'Two colleagues got it too.']]);
  // Someone else naming the key gets a new report of their own, not a note on Rita's.
  const stranger = mailgate(mail({ From: 'rex@example.org', Subject: `Re: [${key}]`, 'Message-ID': '<rex-1@mail.example.org>' }, 'Me too.\n'));
  assert.equal(stranger.code, 0, stranger.stderr);
  assert.match(stranger.stdout, /created EVT-/);
  assert.equal((await as.rita.get(`/api/v1/events/${key}/notes`)).body.items.length, 2);

  // Triage: promote. The incident comes from e-mail and carries the PDF.
  const promoted = await as.alice.post(`/api/v1/events/${key}/promote`, { reason: 'Malware attachment delivered.', category: 'malicious-code', impact: 'moderate', urgency: 'high' });
  assert.equal(promoted.status, 200, promoted.text);
  const inc = await read(as.rita, promoted.body.incident);
  assert.equal(inc.source, 'email');
  assert.equal(inc.reporter, 'rita');
  const incFiles = await as.alice.get(`/api/v1/incidents/${inc.key}/attachments`);
  assert.deepEqual(incFiles.body.items.map((f) => f.filename), ['invoice.pdf']);
  // The outcome went to Rita's mailbox too.
  const outcome = srv.sqlRows(`SELECT recipient FROM outbox WHERE subject LIKE '[${key}] Outcome%'`);
  assert.deepEqual(outcome.map((o) => o.recipient), ['rita@example.org']);

  // A reply to the promoted report lands on the incident's worklog.
  const onIncident = mailgate(mail({ From: 'rita@example.org', Subject: `Re: [${key}] Outcome of your report`, 'Message-ID': '<reply-3@mail.example.org>' }, 'Thanks! The PDF is still in my inbox.\n'));
  assert.equal(onIncident.code, 0, onIncident.stderr);
  assert.match(onIncident.stdout, new RegExp(`added to ${inc.key}`));
  const worklog = await as.rita.get(`/api/v1/incidents/${inc.key}/worklog`);
  assert.ok(worklog.body.items.some((w) => w.body.includes('The PDF is still in my inbox.') && w.author === 'rita'), worklog.text);
});

test('mail from an unknown sender is recorded as external; bad mail is refused with 65 and nothing stored', async () => {
  const r = mailgate(mail({ From: '"Ext Partner" <partner@supplier.example>', Subject: 'Your server is scanning us', 'Message-ID': '<ext-1@supplier.example>' }, '<p>From 203.0.113.7 since 02:00.</p>'));
  assert.equal(r.code, 0, r.stderr);
  const key = r.stdout.match(/created (EVT-\d{6})/)[1];
  const e = await readEvent(as.alice, key);
  assert.equal(e.reporter, null);
  assert.equal(e.reporter_email, 'partner@supplier.example');
  assert.equal(e.channel, 'email');
  const ack = srv.sqlRows(`SELECT recipient, payload FROM outbox WHERE subject LIKE '[${key}]%'`);
  assert.equal(ack.length, 1);
  assert.equal(ack[0].recipient, 'partner@supplier.example');
  assert.equal(JSON.parse(ack[0].payload).in_reply_to, '<ext-1@supplier.example>');

  const before = count('events');
  const bad = [
    ['no sender', 'Subject: hi\r\n\r\nbody'],
    ['broken boundary', mail({ From: 'x@example.org', 'Content-Type': 'multipart/mixed; boundary=zz' }, '--other\nhello\n')],
    ['invalid base64', mail({ From: 'x@example.org', 'Content-Type': 'multipart/mixed; boundary=b' }, '--b\n\ntext\n--b\nContent-Type: image/png\nContent-Transfer-Encoding: base64\n\n***\n--b--\n')],
    ['huge header', mail({ From: 'x@example.org', 'X-Junk': 'a'.repeat(70_000) }, 'body')],
    ['empty', ''],
  ];
  for (const [what, message] of bad) {
    const res = mailgate(message);
    assert.equal(res.code, 65, `${what}: ${res.stdout} ${res.stderr}`);
    assert.match(res.stderr, /custos mailgate: rejected: \S/, what);
  }
  assert.equal(count('events'), before);
  // A database that cannot be reached: try again later (75), nothing lost.
  const down = srv.runCli(['mailgate', '--data-dir', srv.dataDir, '--db', 'postgresql://custos@127.0.0.1:1/none?connect_timeout=2'], { stdin: mail({ From: 'x@example.org', Subject: 's' }, 'b'), common: false });
  assert.equal(down.code, 75, down.stderr);
  assert.match(down.stderr, /temporary failure, nothing stored/);
});

test('anonymous reports are off by default; when on, they are rate limited per address', async () => {
  const off = await srv.client().post('/api/v1/events/anonymous/report', { title: 'x', observed: 'y' });
  assertProblem(off, 403);
  assert.match(off.body.detail, /anonymous_reports/);

  const anon = await startServer({ env: { CUSTOS_EVENTS_ANONYMOUS_REPORTS: 'true', CUSTOS_EVENTS_ANONYMOUS_REPORTS_PER_HOUR: '2' } });
  const c = anon.client();
  const bad = await c.post('/api/v1/events/anonymous/report', { title: 'x', observed: 'y', email: 'not an address' });
  assertProblem(bad, 422);
  assert.equal(bad.body.errors[0].field, 'email');
  const first = await c.post('/api/v1/events/anonymous/report', { title: 'Door propped open', observed: 'Server room door, 3rd floor', email: 'someone@example.org' });
  assert.equal(first.status, 201, first.text);
  assert.match(first.body.key, /^EVT-\d{6}$/);
  assert.equal((await c.post('/api/v1/events/anonymous/report', { title: 'again', observed: 'y' })).status, 201);
  const limited = await c.post('/api/v1/events/anonymous/report', { title: 'flood', observed: 'y' });
  assertProblem(limited, 429);
  assert.ok(Number(limited.headers.get('retry-after')) > 0);
  const admin = await anon.adminClient();
  const stored = await admin.get(`/api/v1/events/${first.body.key}`);
  assert.equal(stored.body.reporter, null);
  assert.equal(stored.body.reporter_email, 'someone@example.org');
  assert.equal(stored.body.channel, 'portal');
});
