// SLA clocks and escalation, driven by a real scheduler: the sweep runs every second and an SLA
// policy with one-minute targets makes the thresholds (10 %, 75 %, 100 %) fall due within a
// minute. Everything that depends on time is polled with a deadline.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, assertProblem, sleep } from '../harness/server.mjs';
import { setUpCast, logIncident, read, move, eventually } from '../harness/incidents.mjs';

let srv;
let as;
const MINUTE = 60_000;
// Generous: a threshold falls due at a known time, the sweep notices it within a second, but the
// machine may be busy.
const WAIT = { timeoutMs: 120_000, everyMs: 250 };

const POLICY = {
  targets: {
    P1: { response_minutes: 1, resolution_minutes: 1, calendar: '24x7' },
    P2: { response_minutes: 2, resolution_minutes: 2, calendar: '24x7' },
    P3: { response_minutes: 3, resolution_minutes: 3, calendar: '24x7' },
    P4: { response_minutes: 4, resolution_minutes: 4, calendar: '24x7' },
  },
  thresholds_percent: [10, 75, 100],
};

let E; // P1, soc-l1/alice: warning, functional escalation to soc-l2, breach
let Q; // P1, soc-l1/alice, pending from the start: its clock is held
let N; // P1, nobody owns it: the incident managers hear of it
let H; // P1, restricted, soc-l1/alice: notified without its title
let created; // when E, Q, N and H were logged
let pendingSince;

const numeric = (key) => Number(key.slice(4));
const notices = async (client, key) => {
  const res = await client.get('/api/v1/me/notifications?limit=200');
  assert.equal(res.status, 200, res.text);
  return res.body.items.filter((n) => n.incident === key).reverse(); // oldest first
};
const kinds = async (client, key) => (await notices(client, key)).map((n) => n.kind);
const escalations = (key) => srv.sqlRows(
  `SELECT clock, threshold FROM escalations WHERE incident_id = ${numeric(key)} ORDER BY clock, threshold`);
const outbox = (key) => srv.sqlRows(
  `SELECT recipient, subject, payload FROM outbox WHERE subject LIKE '%${key}%' ORDER BY id`);

before(async () => {
  srv = await startServer({ env: { CUSTOS_INCIDENTS_SWEEP_INTERVAL_SECONDS: '1', CUSTOS_INCIDENTS_AUTO_CLOSE_DAYS: '2' } });
  as = await setUpCast(srv, { emails: true });
});

test('the SLA policy is versioned, validated and reserved to those who manage the rules', async () => {
  const current = await as.alice.get('/api/v1/settings/sla-policy');
  assert.equal(current.status, 200, current.text);
  assert.deepEqual(current.body.policy.thresholds_percent, [50, 75, 100]);
  assertProblem(await as.alice.put('/api/v1/settings/sla-policy', POLICY), 403);
  const bad = structuredClone(POLICY);
  bad.targets.P2.response_minutes = 0;
  const refused = await as.ian.put('/api/v1/settings/sla-policy', bad);
  assertProblem(refused, 422);
  assert.match(refused.text, /targets\.P2\.response_minutes/);
  const unknown = structuredClone(POLICY);
  unknown.targets.P1.calendar = 'mars-time';
  assertProblem(await as.ian.put('/api/v1/settings/sla-policy', unknown), 422);
  assertProblem(await as.ian.put('/api/v1/settings/sla-policy', { ...POLICY, colour: 'red' }), 422);
  assertProblem(await as.ian.put('/api/v1/settings/sla-policy', POLICY, { headers: { 'if-match': `"${current.body.version + 5}"` } }), 412);
  assert.equal((await as.alice.get('/api/v1/settings/sla-policy')).body.version, current.body.version);

  const put = await as.ian.put('/api/v1/settings/sla-policy', POLICY, { headers: { 'if-match': `"${current.body.version}"` } });
  assert.equal(put.status, 200, put.text);
  assert.equal(put.body.version, current.body.version + 1);
  assert.deepEqual(put.body.policy, POLICY);

  const P1 = { impact: 'extensive', urgency: 'critical' };
  created = Date.now();
  E = (await logIncident(as.alice, { ...P1, title: 'Web shop defaced', group: 'soc-l1', assignee: 'alice' })).key;
  Q = (await logIncident(as.alice, { ...P1, title: 'Waiting for the hosting provider', group: 'soc-l1', assignee: 'alice' })).key;
  await move(as.alice, Q, 'in_progress');
  const pending = await move(as.alice, Q, 'pending', { pending_reason: 'third_party' });
  pendingSince = Date.now();
  N = (await logIncident(as.rita, { ...P1, title: 'Everything is encrypted' })).key;
  H = (await logIncident(as.alice, { ...P1, title: 'Secret heron investigation', group: 'soc-l1', assignee: 'alice', restricted: true })).key;

  // The incidents took the new targets, and their state is part of every read.
  const e = await read(as.alice, E);
  assert.equal(e.sla.policy_version, put.body.version);
  assert.equal(e.sla.resolution.target_ms, MINUTE);
  assert.equal(e.sla.response.met, true, 'assigned at once: owned');
  assert.equal(Date.parse(e.sla.resolution.due_at), Date.parse(e.reported_at) + MINUTE);
  assert.equal(pending.sla.resolution.paused, true);
  assert.equal(pending.sla.resolution.due_at, null);
  const n = await read(as.ian, N);
  assert.equal(n.sla.response.met, false);
  assert.equal(Date.parse(n.sla.response.due_at), Date.parse(n.reported_at) + MINUTE);
  // An incident logged before the change keeps the targets it was rated with.
});

test('10 %: a warning to the assignee, or to the incident managers when nobody owns the incident', async () => {
  await eventually(async () => (await kinds(as.alice, E)).includes('sla.warning'), 'warning for E', WAIT);
  const warning = (await notices(as.alice, E)).find((x) => x.kind === 'sla.warning');
  assert.match(warning.message, new RegExp(`${E} \\(P1\\) Web shop defaced: 10 % of the time to resolve used`));
  // Nobody owns N: its warnings (both clocks run) go to the incident managers.
  await eventually(async () => (await kinds(as.ian, N)).filter((k) => k === 'sla.warning').length === 2, 'warnings for N', WAIT);
  assert.deepEqual(await kinds(as.alice, N), []);
  // The restricted incident is announced by key only.
  await eventually(async () => (await kinds(as.alice, H)).includes('sla.warning'), 'warning for H', WAIT);
  const h = (await notices(as.alice, H)).find((x) => x.kind === 'sla.warning');
  assert.ok(!h.message.includes('heron'), h.message);
  await eventually(() => outbox(H).length > 0, 'mail for H', WAIT);
  for (const mail of outbox(H)) {
    assert.ok(!mail.subject.includes('heron') && !mail.payload.includes('heron'), JSON.stringify(mail));
  }
  // Mail for E goes to the assignee through the outbox.
  const mail = outbox(E);
  assert.deepEqual(mail.map((m) => m.recipient), ['alice@example.org']);
  assert.match(mail[0].subject, /SLA warning/);
  assert.equal(JSON.parse(mail[0].payload).incident, E);
});

test('the clock is held while pending: no escalation, the paused time is kept and shown', async () => {
  const q = await read(as.alice, Q);
  assert.equal(q.status, 'pending');
  assert.equal(q.sla.resolution.paused, true);
  assert.equal(q.sla.resolution.due_at, null);
  assert.ok(q.sla.resolution.elapsed_ms < 10_000, `elapsed ${q.sla.resolution.elapsed_ms}`);
  assert.ok(q.sla.resolution.paused_ms >= Date.now() - pendingSince - 1000, `paused ${q.sla.resolution.paused_ms}`);
  assert.deepEqual(await kinds(as.alice, Q), []);
  assert.deepEqual(escalations(Q), []);
});

test('75 %: functional escalation to the next level group, the group manager and the new group are told', async () => {
  await eventually(async () => (await read(as.alice, E)).group === 'soc-l2', 'E moved to soc-l2', WAIT);
  assert.ok(Date.now() - created >= 0.75 * MINUTE - 2000, 'not before 75 % of the minute');
  const e = await read(as.ian, E);
  assert.equal(e.support_level, 2);
  assert.equal(e.assignee, null, 'alice is not in soc-l2: the incident is the new group\'s to take');
  assert.equal(e.status, 'assigned');
  // The group manager, the new group and the former assignee hear of it.
  await eventually(async () => (await kinds(as.lead, E)).includes('sla.escalation'), 'lead told', WAIT);
  assert.ok((await kinds(as.bob, E)).includes('sla.escalation'));
  assert.ok((await kinds(as.alice, E)).includes('sla.escalation'));
  const msg = (await notices(as.bob, E)).find((x) => x.kind === 'sla.escalation').message;
  assert.match(msg, /escalated from soc-l1 to soc-l2 \(level 2\)/);
  // The timeline shows the system's change.
  const timeline = (await as.ian.get(`/api/v1/incidents/${E}/timeline`)).body.items;
  const step = timeline.find((i) => i.action === 'incident.escalation' && JSON.stringify(i.detail).includes('soc-l2'));
  assert.ok(step, JSON.stringify(timeline.map((i) => i.action)));
  assert.equal(step.actor, 'system');
  // Bob, in soc-l2 now, finds it among his group's incidents.
  assert.ok((await as.bob.get('/api/v1/incidents?group=soc-l2')).body.items.some((i) => i.key === E));
});

test('100 %: breach notifies the incident managers; the state says breached', async () => {
  await eventually(async () => (await kinds(as.ian, E)).includes('sla.breach'), 'breach of E', WAIT);
  assert.ok(Date.now() - created >= MINUTE - 2000);
  const e = await read(as.ian, E);
  assert.equal(e.sla.resolution.breached, true);
  assert.ok(e.sla.resolution.remaining_ms < 0);
  assert.ok(e.sla.resolution.percent >= 100);
  assert.ok(Date.parse(e.sla.resolution.due_at) <= Date.now());
  assert.deepEqual(escalations(E), [
    { clock: 'resolution', threshold: 10 },
    { clock: 'resolution', threshold: 75 },
    { clock: 'resolution', threshold: 100 },
  ]);
  const listed = (await as.ian.get('/api/v1/incidents?priority=1&sort=due')).body.items.find((i) => i.key === E);
  assert.equal(listed.sla.resolution.breached, true);
  // N breached on both clocks.
  await eventually(async () => (await kinds(as.ian, N)).filter((k) => k === 'sla.breach').length === 2, 'breaches of N', WAIT);
});

test('resuming a pending incident keeps the paused time; it never escalated while held', async () => {
  const resumeAt = Date.now();
  const q = await move(as.alice, Q, 'in_progress');
  assert.equal(q.sla.resolution.paused, false);
  assert.ok(q.sla.resolution.paused_ms >= resumeAt - pendingSince - 1000, `paused ${q.sla.resolution.paused_ms} ms`);
  assert.ok(q.sla.resolution.paused_ms >= 55_000, `paused ${q.sla.resolution.paused_ms} ms`);
  assert.ok(q.sla.resolution.elapsed_ms < 10_000, `elapsed ${q.sla.resolution.elapsed_ms} ms`);
  assert.equal(q.sla.resolution.breached, false);
  // Due again: the remaining time from now.
  const due = Date.parse(q.sla.resolution.due_at);
  assert.ok(Math.abs(due - (Date.now() + q.sla.resolution.remaining_ms)) < 2000, q.sla.resolution.due_at);
  assert.deepEqual(escalations(Q), []);
  assert.deepEqual(await kinds(as.alice, Q), []);
  // The held time stays on record after the pause.
  const later = await read(as.alice, Q);
  assert.equal(later.sla.resolution.paused_ms, q.sla.resolution.paused_ms);
});

test('each step fires exactly once: not again after a restart, nor when every open incident is looked at again', async () => {
  const count = async () => ({
    alice: await kinds(as.alice, E), bob: await kinds(as.bob, E), lead: await kinds(as.lead, E), ian: await kinds(as.ian, E),
    ianN: await kinds(as.ian, N), mail: outbox(E).length, steps: escalations(E).length, stepsN: escalations(N).length,
  });
  const before = await count();
  assert.deepEqual(before.alice, ['sla.warning', 'sla.escalation']);
  assert.deepEqual(before.bob, ['sla.escalation']);
  assert.deepEqual(before.lead, ['sla.escalation']);
  assert.deepEqual(before.ian, ['sla.breach']);
  assert.equal(before.steps, 3);
  assert.equal(before.stepsN, 6);

  await srv.restart();
  // A new threshold list makes the server look at every open incident again; a threshold
  // below one that fired already is not news and fires nothing.
  const current = await as.ian.get('/api/v1/settings/sla-policy');
  const put = await as.ian.put('/api/v1/settings/sla-policy', { ...POLICY, thresholds_percent: [10, 50, 75, 100] },
    { headers: { 'if-match': `"${current.body.version}"` } });
  assert.equal(put.status, 200, put.text);
  // A sentinel logged now: once its first warning has fired, sweeps have run since the change.
  const S = (await logIncident(as.alice, { impact: 'extensive', urgency: 'critical', title: 'Sentinel', group: 'soc-l1', assignee: 'alice' })).key;
  await eventually(async () => (await kinds(as.alice, S)).includes('sla.warning'), 'sentinel warning', WAIT);
  await sleep(1500); // and one more round for good measure
  assert.deepEqual(await count(), before);
});

test('resolved incidents close by themselves after the configured days, unless they still need their review', async () => {
  const quiet = (await logIncident(as.alice, { title: 'Resolved long ago', impact: 'minor', urgency: 'low', assignee: 'alice' })).key;
  const review = (await logIncident(as.alice, { title: 'P2 resolved long ago', impact: 'significant', urgency: 'high', assignee: 'alice' })).key;
  const recent = (await logIncident(as.alice, { title: 'Resolved just now', impact: 'minor', urgency: 'low', assignee: 'alice' })).key;
  for (const key of [quiet, review, recent]) {
    await move(as.alice, key, 'in_progress');
    await move(as.alice, key, 'resolved', { resolution_code: 'fixed', resolution_notes: 'Done.' });
  }
  // Two and a half days ago, as far as the database knows (both in one statement).
  srv.sql(`UPDATE incidents SET resolved_at = resolved_at - ${Math.round(2.5 * 86_400_000)} WHERE id IN (${numeric(quiet)}, ${numeric(review)})`);
  const closed = await eventually(async () => {
    const inc = await read(as.alice, quiet);
    return inc.status === 'closed' ? inc : null;
  }, 'automatic closure', WAIT);
  assert.ok(closed.closed_at);
  const timeline = (await as.alice.get(`/api/v1/incidents/${quiet}/timeline`)).body.items;
  const closure = timeline.find((i) => i.action === 'incident.transition' && i.detail.to === 'closed');
  assert.equal(closure.actor, 'system');
  // The same round left the P2 alone (no lessons learned yet) and the recent one too.
  assert.equal((await read(as.alice, review)).status, 'resolved');
  assert.equal((await read(as.alice, recent)).status, 'resolved');
});
