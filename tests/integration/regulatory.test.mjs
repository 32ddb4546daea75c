// Regulatory clocks (GDPR Art. 33, NIS2 Art. 23) over HTTP: flags reserved to incident and
// security managers and audited, deadlines from the moment of awareness, recording what was
// sent (late is recorded as late), bad input, need-to-know, and the sweep (every second here)
// marking a missed deadline overdue once and sending each reminder once, also across a restart.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, assertProblem, sleep } from '../harness/server.mjs';
import { setUpCast, logIncident, eventually } from '../harness/incidents.mjs';

let srv;
let as;
const HOUR = 3_600_000;
const WAIT = { timeoutMs: 60_000, everyMs: 250 };
const iso = (ms) => new Date(ms).toISOString();
const path = (key) => `/api/v1/incidents/${key}/regulatory`;
const numeric = (key) => Number(key.slice(4));

// One calendar month later in UTC, clamped at month ends (the rule the server applies).
function addMonth(ms) {
  const d = new Date(ms);
  const y = d.getUTCFullYear();
  const m = d.getUTCMonth() + 1;
  const last = new Date(Date.UTC(y, m + 1, 0)).getUTCDate();
  return Date.UTC(y, m, Math.min(d.getUTCDate(), last), d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds(), d.getUTCMilliseconds());
}

const obligation = (state, name) => state.obligations.find((o) => o.obligation === name);
const regulatoryNotices = async (client, key) => {
  const res = await client.get('/api/v1/me/notifications?limit=200');
  assert.equal(res.status, 200, res.text);
  return res.body.items.filter((n) => n.incident === key && n.kind.startsWith('regulatory.')).reverse();
};

before(async () => {
  srv = await startServer({ env: { CUSTOS_INCIDENTS_SWEEP_INTERVAL_SECONDS: '1' } });
  as = await setUpCast(srv, { emails: true });
});

test('flags are set by incident and security managers, audited, and start the clocks from awareness', async () => {
  const { key } = await logIncident(as.alice, { title: 'Customer list mailed to the wrong address', group: 'soc-l1', assignee: 'alice' });
  const empty = await as.alice.get(path(key));
  assert.equal(empty.status, 200, empty.text);
  assert.deepEqual(empty.body.obligations, []);
  assert.equal(empty.body.regimes.gdpr.flagged, false);

  // Agents work incidents but do not decide what is reported to an authority.
  assertProblem(await as.alice.put(path(key), { gdpr: { flagged: true } }), 403);

  const before = Date.now();
  const gdpr = await as.ian.put(path(key), { gdpr: { flagged: true } });
  assert.equal(gdpr.status, 200, gdpr.text);
  const aware = Date.parse(gdpr.body.regimes.gdpr.aware_at);
  assert.ok(aware >= before - 1000 && aware <= Date.now() + 1000, 'awareness defaults to now');
  assert.equal(gdpr.body.regimes.gdpr.flagged_by, 'ian');
  assert.equal(gdpr.body.obligations.length, 1);
  const g = obligation(gdpr.body, 'gdpr_notification');
  assert.equal(Date.parse(g.due_at) - aware, 72 * HOUR);
  assert.equal(g.state, 'open');
  assert.ok(g.remaining_seconds > 71 * 3600 && g.remaining_seconds <= 72 * 3600, String(g.remaining_seconds));

  // Awareness may be earlier than now: NIS2 from two hours ago.
  const nisAware = Date.now() - 2 * HOUR;
  const nis2 = await as.sam.put(path(key), { nis2: { flagged: true, aware_at: iso(nisAware) } });
  assert.equal(nis2.status, 200, nis2.text);
  assert.equal(nis2.body.obligations.length, 4);
  assert.equal(obligation(nis2.body, 'nis2_early_warning').due_at, iso(nisAware + 24 * HOUR));
  assert.equal(obligation(nis2.body, 'nis2_notification').due_at, iso(nisAware + 72 * HOUR));
  assert.equal(obligation(nis2.body, 'nis2_final_report').due_at, iso(addMonth(nisAware + 72 * HOUR)));
  assert.equal(obligation(nis2.body, 'nis2_final_report').starts_at, iso(nisAware + 72 * HOUR));

  // Flagging again changes nothing and audits nothing.
  const again = await as.ian.put(path(key), { gdpr: { flagged: true } });
  assert.equal(again.status, 200, again.text);
  assert.equal(again.body.regimes.gdpr.aware_at, gdpr.body.regimes.gdpr.aware_at);
  const flags = (await srv.auditEntries(`action=incident.regulatory_flag&object_id=${key}`));
  assert.equal(flags.length, 2);

  // Writes may carry the ETag they read: a stale one is refused and changes nothing.
  const read = await as.ian.get(path(key));
  const etag = read.headers.get('etag');
  assert.match(etag ?? '', /^"\d+"$/);
  assert.equal(again.headers.get('etag'), etag);
  const stale = await as.ian.put(path(key), { gdpr: { flagged: false }, reason: 'stale' }, { headers: { 'if-match': '"1"' } });
  assertProblem(stale, 412);
  assert.equal((await as.ian.get(path(key))).body.regimes.gdpr.flagged, true);

  // Moving the awareness of a running clock needs a reason, and moves the deadlines.
  const earlier = nisAware - HOUR;
  const noReason = await as.ian.put(path(key), { nis2: { flagged: true, aware_at: iso(earlier) } });
  assert.equal(assertProblem(noReason, 422).errors[0].field, 'reason');
  const moved = await as.ian.put(path(key), { nis2: { flagged: true, aware_at: iso(earlier) }, reason: 'the SOC saw the alert an hour earlier' },
    { headers: { 'if-match': etag } });
  assert.equal(moved.status, 200, moved.text);
  assert.notEqual(moved.headers.get('etag'), etag, 'a change makes a new ETag');
  assert.equal(obligation(moved.body, 'nis2_early_warning').due_at, iso(earlier + 24 * HOUR));

  // Withdrawing a flag after its clock started needs a reason, and is audited with it.
  const bare = await as.ian.put(path(key), { gdpr: { flagged: false } });
  assert.equal(assertProblem(bare, 422).errors[0].field, 'reason');
  const withdrawn = await as.ian.put(path(key), { gdpr: { flagged: false }, reason: 'the list held no personal data after all' });
  assert.equal(withdrawn.status, 200, withdrawn.text);
  assert.equal(withdrawn.body.regimes.gdpr.flagged, false);
  assert.equal(withdrawn.body.regimes.gdpr.withdraw_reason, 'the list held no personal data after all');
  assert.equal(withdrawn.body.regimes.gdpr.withdrawn_by, 'ian');
  assert.equal(obligation(withdrawn.body, 'gdpr_notification'), undefined);
  const audited = await srv.auditEntries(`action=incident.regulatory_withdraw&object_id=${key}`);
  assert.equal(audited.length, 1);
  assert.equal(audited[0].actor, 'user:ian');
});

test('bad input is refused naming the field, and nothing is stored', async () => {
  const { key } = await logIncident(as.alice, { title: 'Laptop lost on a train' });
  const refused = async (body, field, status = 422) => {
    const r = await as.ian.put(path(key), body);
    const p = assertProblem(r, status, undefined, JSON.stringify(body));
    if (field) assert.equal(p.errors?.[0]?.field, field, `${JSON.stringify(body)}: ${r.text}`);
  };
  await refused({}, 'gdpr');
  await refused({ gdpr: true }, 'gdpr');
  await refused({ gdpr: {} }, 'gdpr.flagged');
  await refused({ gdpr: { flagged: 'yes' } }, 'gdpr.flagged');
  await refused({ gdpr: { flagged: true, aware_at: 'yesterday' } }, 'gdpr.aware_at');
  await refused({ gdpr: { flagged: true, aware_at: iso(Date.now() + 10 * 60_000) } }, 'gdpr.aware_at');
  await refused({ gdpr: { flagged: true, colour: 'red' } }, 'gdpr.colour');
  await refused({ dora: { flagged: true } }, 'dora');
  await refused({ gdpr: { flagged: true }, reason: 42 }, 'reason');
  const wrongType = await as.ian.request('PUT', path(key), { body: 'gdpr', headers: { 'content-type': 'text/plain' } });
  assertProblem(wrongType, 415);
  const malformed = await as.ian.request('PUT', path(key), { body: '{"gdpr":', headers: { 'content-type': 'application/json' } });
  assertProblem(malformed, 400);

  // Recording for a regime that is not flagged is a conflict; bad fields are named.
  const submit = (body) => as.ian.post(`${path(key)}/submissions`, body);
  const good = { obligation: 'gdpr_notification', submitted_at: iso(Date.now()), recipient: 'Data protection authority' };
  assertProblem(await submit(good), 409);
  await as.ian.put(path(key), { gdpr: { flagged: true, aware_at: iso(Date.now() - HOUR) } });
  for (const [body, field] of [
    [{ ...good, obligation: 'art33' }, 'obligation'],
    [{ ...good, recipient: undefined }, 'recipient'],
    [{ ...good, recipient: '' }, 'recipient'],
    [{ ...good, recipient: 'a\u0001b' }, 'recipient'],
    [{ ...good, submitted_at: iso(Date.now() + HOUR) }, 'submitted_at'],
    [{ ...good, submitted_at: iso(Date.now() - 2 * HOUR) }, 'submitted_at'],
    [{ ...good, submitted_at: 'today' }, 'submitted_at'],
    [{ ...good, reference: 'x'.repeat(201) }, 'reference'],
    [{ ...good, by: 'me' }, 'by'],
  ]) {
    const r = await submit(body);
    assert.equal(assertProblem(r, 422, undefined, JSON.stringify(body)).errors?.[0]?.field, field, r.text);
  }
  const state = (await as.ian.get(path(key))).body;
  assert.equal(obligation(state, 'gdpr_notification').submitted_at, null, 'nothing was recorded');
  assert.equal((await srv.auditEntries(`action=incident.regulatory_submission&object_id=${key}`)).length, 0);
});

test('need-to-know: outsiders get 404, reporters are refused, auditors read', async () => {
  const { key } = await logIncident(as.alice, { title: 'Secret heron breach', group: 'soc-l1', assignee: 'alice', restricted: true });
  assert.equal((await as.ian.put(path(key), { gdpr: { flagged: true } })).status, 200);
  assertProblem(await as.olga.get(path(key)), 404);
  assertProblem(await as.adam.get(path(key)), 404);
  assert.equal((await as.alice.get(path(key))).status, 200);
  assert.equal((await as.aud.get(path(key))).status, 200);
  assertProblem(await as.aud.put(path(key), { gdpr: { flagged: false }, reason: 'x' }), 403);
  assertProblem(await as.ian.get(path('INC-999999')), 404);
  assertProblem(await as.ian.get(path('nonsense')), 404);
  // A reporter follows their own incident, but not the regulatory work on it.
  const own = await logIncident(as.rita, { title: 'I sent a file to the wrong person' });
  assertProblem(await as.rita.get(path(own.key)), 403);
});

test('recording a submission: met in time, met late (never hidden), once', async () => {
  const { key } = await logIncident(as.alice, { title: 'Ransomware on a file server' });
  const aware = Date.now() - 30 * HOUR;
  await as.sam.put(path(key), { nis2: { flagged: true, aware_at: iso(aware) } });
  const sentAt = Date.now() - 60_000;
  const late = await as.sam.post(`${path(key)}/submissions`, {
    obligation: 'nis2_early_warning', submitted_at: iso(sentAt), recipient: 'National CSIRT', reference: 'EW-2026-17', note: 'Sent through the portal.',
  });
  assert.equal(late.status, 200, late.text);
  const ew = obligation(late.body, 'nis2_early_warning');
  assert.equal(ew.state, 'met_late');
  assert.equal(ew.recipient, 'National CSIRT');
  assert.equal(ew.reference, 'EW-2026-17');
  assert.equal(ew.recorded_by, 'sam');
  assert.equal(ew.remaining_seconds, null);

  const notified = await as.sam.post(`${path(key)}/submissions`, { obligation: 'nis2_notification', submitted_at: iso(sentAt), recipient: 'National CSIRT' });
  assert.equal(notified.status, 200, notified.text);
  assert.equal(obligation(notified.body, 'nis2_notification').state, 'met');
  // The final report's month now runs from the notification.
  assert.equal(obligation(notified.body, 'nis2_final_report').due_at, iso(addMonth(sentAt)));

  assertProblem(await as.sam.post(`${path(key)}/submissions`, { obligation: 'nis2_notification', submitted_at: iso(sentAt), recipient: 'again' }), 409);
  const stale = await as.sam.post(`${path(key)}/submissions`, { obligation: 'nis2_final_report', submitted_at: iso(sentAt), recipient: 'National CSIRT' },
    { headers: { 'if-match': late.headers.get('etag') } });
  assertProblem(stale, 412);
  assert.equal(obligation((await as.sam.get(path(key))).body, 'nis2_final_report').submitted_at, null);
  const entries = await srv.auditEntries(`action=incident.regulatory_submission&object_id=${key}`);
  assert.equal(entries.length, 2);
  const lateEntry = entries.find((e) => e.detail.obligation === 'nis2_early_warning');
  assert.equal(lateEntry.detail.late, true);
});

test('the sweep marks a missed deadline overdue once and sends each reminder once, also after a restart', async () => {
  const { key } = await logIncident(as.alice, { title: 'Patient records exposed', group: 'soc-l1', assignee: 'alice' });
  // 72 hours minus 12 seconds ago: half and 90 % of the time have gone, the deadline comes soon.
  const aware = Date.now() - 72 * HOUR + 12_000;
  const flagged = await as.ian.put(path(key), { gdpr: { flagged: true, aware_at: iso(aware) } });
  assert.equal(flagged.status, 200, flagged.text);

  // Both reminders were due at the first look: only the latest (90 %) is sent.
  for (const who of ['ian', 'sam', 'alice']) {
    await eventually(async () => (await regulatoryNotices(as[who], key)).length >= 1, `${who}'s 90 % reminder`, WAIT);
  }
  // The deadline passes: overdue, once, to the managers and the assignee.
  const overdue = await eventually(async () => {
    const s = (await as.ian.get(path(key))).body;
    return obligation(s, 'gdpr_notification').overdue_at ? s : null;
  }, 'marked overdue', WAIT);
  const g = obligation(overdue, 'gdpr_notification');
  assert.equal(g.state, 'overdue');
  assert.ok(g.remaining_seconds < 0);
  assert.deepEqual(g.reminders_percent, [90, 100]);
  for (const who of ['ian', 'sam', 'alice']) {
    await eventually(async () => (await regulatoryNotices(as[who], key)).length >= 2, `${who}'s overdue notice`, WAIT);
  }
  assert.equal((await regulatoryNotices(as.bob, key)).length, 0, 'bob neither manages nor works it');

  const settle = async () => {
    await sleep(3000); // three more sweeps
    for (const who of ['ian', 'sam', 'alice']) {
      const kinds = (await regulatoryNotices(as[who], key)).map((n) => n.kind);
      assert.deepEqual(kinds, ['regulatory.reminder', 'regulatory.overdue'], who);
    }
    const mails = srv.sqlRows(`SELECT recipient, subject FROM outbox WHERE subject LIKE '%${key}%GDPR%' ORDER BY id`);
    assert.equal(mails.length, 6, JSON.stringify(mails));
    assert.equal(mails.filter((m) => / overdue$/.test(m.subject)).length, 3);
    assert.ok(mails.some((m) => m.recipient === 'alice@example.org'));
    assert.equal((await srv.auditEntries(`action=incident.regulatory_overdue&object_id=${key}`)).length, 1);
    const rows = srv.sqlRows(`SELECT r.threshold, r.notified FROM regulatory_reminders r JOIN regulatory_obligations o ON o.id = r.obligation_id
      WHERE o.incident_id = ${numeric(key)} ORDER BY r.threshold`);
    assert.deepEqual(rows.map((r) => [Number(r.threshold), Number(r.notified)]), [[50, 0], [90, 1], [100, 1]]);
  };
  await settle();
  await srv.restart();
  await settle();

  // Sent after the deadline: recorded, as late.
  const recorded = await as.ian.post(`${path(key)}/submissions`, { obligation: 'gdpr_notification', submitted_at: iso(Date.now()), recipient: 'Data protection authority', reference: 'DPA-4711' });
  assert.equal(recorded.status, 200, recorded.text);
  const met = obligation(recorded.body, 'gdpr_notification');
  assert.equal(met.state, 'met_late');
  assert.ok(met.overdue_at, 'the missed deadline stays on record');
});
