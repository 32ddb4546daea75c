// The incident record over HTTP: logging (key, priority matrix, SLA state), reading, changing
// with If-Match, the lifecycle with its roles and required input, and the closure review.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, assertProblem } from '../harness/server.mjs';
import { setUpCast, logIncident, read, move, change, stable, RESOLVE } from '../harness/incidents.mjs';

let srv;
let as;

before(async () => {
  srv = await startServer();
  as = await setUpCast(srv);
});

const MINUTE = 60_000;

// The shipped matrix (docs/incidents.md): impact × urgency → priority.
const MATRIX = {
  extensive: { critical: 1, high: 1, medium: 2, low: 3 },
  significant: { critical: 1, high: 2, medium: 3, low: 3 },
  moderate: { critical: 2, high: 3, medium: 3, low: 4 },
  minor: { critical: 3, high: 4, medium: 4, low: 4 },
};
// The shipped SLA policy: minutes to own and to resolve, and the calendar, per priority.
const TARGETS = {
  1: { response: 15, resolution: 240, calendar: '24x7' },
  2: { response: 30, resolution: 480, calendar: 'business' },
  3: { response: 240, resolution: 1440, calendar: 'business' },
  4: { response: 480, resolution: 2400, calendar: 'business' },
};

function assertTargets(incident, priority) {
  const t = TARGETS[priority];
  assert.equal(incident.priority, priority);
  assert.equal(incident.priority_label, `P${priority}`);
  assert.equal(incident.sla.calendar, t.calendar);
  assert.equal(incident.sla.response.target_ms, t.response * MINUTE);
  assert.equal(incident.sla.resolution.target_ms, t.resolution * MINUTE);
}

test('logging an incident answers 201 with key, priority from the matrix, status, version and SLA state', async () => {
  const before = Date.now();
  const res = await as.rita.post('/api/v1/incidents', {
    title: 'Laptop stolen from a car',
    description: 'My work laptop was taken from the back seat.\n\nIt had the **VPN** profile on it.',
    category: 'information-content-security',
    impact: 'significant',
    urgency: 'high',
    personal_data: true,
    affects_confidentiality: true,
  });
  assert.equal(res.status, 201, res.text);
  const inc = res.body;
  assert.match(inc.key, /^INC-\d{6}$/);
  assert.equal(res.headers.get('location'), `/api/v1/incidents/${inc.key}`);
  assert.equal(res.headers.get('etag'), '"1"');
  assert.equal(inc.status, 'new');
  assert.equal(inc.version, 1);
  assert.equal(inc.reporter, 'rita');
  assert.equal(inc.reopen_count, 0);
  assert.equal(inc.personal_data, true);
  assert.deepEqual(inc.cia, { confidentiality: true, integrity: false, availability: false });
  assert.equal(inc.description, 'My work laptop was taken from the back seat.\n\nIt had the **VPN** profile on it.');
  assertTargets(inc, 2);
  const reported = Date.parse(inc.reported_at);
  assert.ok(reported >= before - 1000 && reported <= Date.now() + 1000, inc.reported_at);
  for (const clock of ['response', 'resolution']) {
    const c = inc.sla[clock];
    assert.equal(c.paused, false);
    assert.equal(c.met, false);
    assert.equal(c.breached, false);
    assert.equal(c.paused_ms, 0);
    assert.equal(c.remaining_ms, c.target_ms - c.elapsed_ms);
    assert.ok(Date.parse(c.due_at) > reported, `${clock} due ${c.due_at}`);
  }
  // A reporter can move nothing; a worker reading the same incident may assign or cancel it.
  assert.deepEqual(inc.allowed_transitions, []);
  const seen = await read(as.alice, inc.key);
  assert.deepEqual([...seen.allowed_transitions].sort(), ['assigned', 'cancelled']);

  // GET by key (and with a lower-case key) gives the same record.
  const got = await as.rita.get(`/api/v1/incidents/${inc.key}`);
  assert.equal(got.status, 200);
  assert.equal(got.headers.get('etag'), '"1"');
  assert.deepEqual(stable(got.body), stable(inc));
  assert.deepEqual(stable(await read(as.rita, inc.key.toLowerCase())), stable(inc));
  assertProblem(await as.rita.get('/api/v1/incidents/INC-999999'), 404, 'not-found');
  assertProblem(await as.rita.get('/api/v1/incidents/banana'), 404, 'not-found');
});

test('every impact × urgency pair gets the priority and SLA targets the matrix and policy say', async () => {
  for (const [impact, row] of Object.entries(MATRIX)) {
    for (const [urgency, priority] of Object.entries(row)) {
      const inc = await logIncident(as.alice, { title: `Rated ${impact}/${urgency}`, impact, urgency });
      assert.equal(inc.impact, impact);
      assert.equal(inc.urgency, urgency);
      assertTargets(inc, priority);
      assert.equal(inc.matrix_version, 1);
    }
  }
});

test('a P1 runs around the clock: due times are report time plus the targets', async () => {
  const inc = await logIncident(as.alice, { title: 'Ransomware on the file server', impact: 'extensive', urgency: 'critical' });
  assertTargets(inc, 1);
  const reported = Date.parse(inc.reported_at);
  assert.equal(Date.parse(inc.sla.response.due_at), reported + 15 * MINUTE);
  assert.equal(Date.parse(inc.sla.resolution.due_at), reported + 240 * MINUTE);
  // Every read carries the SLA state, computed at read time.
  const again = await read(as.ian, inc.key);
  assert.ok(again.sla.resolution.elapsed_ms >= inc.sla.resolution.elapsed_ms);
  assert.equal(again.sla.resolution.due_at, inc.sla.resolution.due_at);
  // ... and so does every list item.
  const listed = await as.ian.get('/api/v1/incidents?priority=P1&limit=200');
  const item = listed.body.items.find((i) => i.key === inc.key);
  assert.ok(item, 'the P1 is listed');
  assert.equal(item.sla.resolution.due_at, inc.sla.resolution.due_at);
  assert.equal(item.sla.response.target_ms, 15 * MINUTE);
});

test('PATCH needs If-Match: missing is 428, stale 412, and neither changes anything', async () => {
  const inc = await logIncident(as.rita, { title: 'Printer prints other people\'s pages' });
  const key = inc.key;
  const before = stable(await read(as.alice, key));
  const missing = await as.alice.patch(`/api/v1/incidents/${key}`, { title: 'Changed' });
  assertProblem(missing, 428);
  const first = await as.alice.patch(`/api/v1/incidents/${key}`, { title: 'First change' }, { headers: { 'if-match': '"1"' } });
  assert.equal(first.status, 200, first.text);
  assert.equal(first.body.version, 2);
  assert.equal(first.headers.get('etag'), '"2"');
  const stale = await as.alice.patch(`/api/v1/incidents/${key}`, { title: 'Lost update' }, { headers: { 'if-match': '"1"' } });
  assertProblem(stale, 412);
  assert.match(stale.body.detail, /version 2/);
  assertProblem(await as.alice.patch(`/api/v1/incidents/${key}`, { title: 'Lost update' }, { headers: { 'if-match': 'nonsense' } }), 412);
  const now = await read(as.alice, key);
  assert.equal(now.title, 'First change');
  assert.equal(now.version, 2);
  assert.deepEqual({ ...stable(now), title: before.title, version: 1, updated_at: before.updated_at }, before);
  // A reporter may not change incidents at all.
  assertProblem(await as.rita.patch(`/api/v1/incidents/${key}`, { title: 'Mine' }, { headers: { 'if-match': '"2"' } }), 403);
  assert.equal((await read(as.alice, key)).version, 2);
});

test('two concurrent PATCHes with the same version: exactly one wins, the other gets 412', async () => {
  const inc = await logIncident(as.alice, { title: 'Contested' });
  const results = await Promise.all(['A', 'B', 'C', 'D'].map((n) =>
    as.alice.patch(`/api/v1/incidents/${inc.key}`, { title: `Writer ${n}` }, { headers: { 'if-match': '"1"' } })));
  const statuses = results.map((r) => r.status).sort();
  assert.deepEqual(statuses, [200, 412, 412, 412]);
  const winner = results.find((r) => r.status === 200).body.title;
  const now = await read(as.alice, inc.key);
  assert.equal(now.title, winner);
  assert.equal(now.version, 2);
});

test('a new impact or urgency re-rates the incident and recomputes its SLA targets', async () => {
  const inc = await logIncident(as.alice, { title: 'Odd DNS answers', impact: 'minor', urgency: 'low' });
  assertTargets(inc, 4);
  const reported = Date.parse(inc.reported_at);
  const up = await change(as.alice, inc.key, { impact: 'extensive', urgency: 'critical' });
  assertTargets(up, 1);
  assert.equal(up.version, 2);
  // The P1 targets run 24x7 from the original report time.
  assert.equal(Date.parse(up.sla.response.due_at), reported + 15 * MINUTE);
  assert.equal(Date.parse(up.sla.resolution.due_at), reported + 240 * MINUTE);
  assert.deepEqual(stable(await read(as.alice, inc.key)), stable(up));
  // Back down: P3 on the business calendar.
  const down = await change(as.alice, inc.key, { urgency: 'low' });
  assertTargets(down, 3);
  // Changing something else leaves the rating alone.
  const other = await change(as.alice, inc.key, { title: 'Odd DNS answers from the resolver' });
  assertTargets(other, 3);
  assert.equal(other.sla.resolution.due_at, down.sla.resolution.due_at);
});

test('a changed priority matrix rates new incidents and re-rated ones; existing ones keep their version', async () => {
  const old = await logIncident(as.alice, { title: 'Rated before the change', impact: 'minor', urgency: 'low' });
  assertTargets(old, 4);
  const current = await as.ian.get('/api/v1/settings/priority-matrix');
  assert.equal(current.status, 200, current.text);
  assert.deepEqual(current.body.matrix, MATRIX);
  const changed = structuredClone(MATRIX);
  changed.minor.low = 3;
  // A stale If-Match is refused and changes nothing.
  assertProblem(await as.ian.put('/api/v1/settings/priority-matrix', changed, { headers: { 'if-match': `"${current.body.version + 1}"` } }), 412);
  // A matrix that is not one: 422 naming the cell.
  const broken = structuredClone(MATRIX);
  broken.minor.low = 5;
  assertProblem(await as.ian.put('/api/v1/settings/priority-matrix', broken), 422);
  assert.equal((await as.ian.get('/api/v1/settings/priority-matrix')).body.version, current.body.version);
  const put2 = await as.ian.put('/api/v1/settings/priority-matrix', changed, { headers: { 'if-match': `"${current.body.version}"` } });
  assert.equal(put2.status, 200, put2.text);
  const version = put2.body.version;
  assert.ok(version > current.body.version);

  const fresh = await logIncident(as.alice, { title: 'Rated after the change', impact: 'minor', urgency: 'low' });
  assertTargets(fresh, 3);
  assert.equal(fresh.matrix_version, version);
  const kept = await read(as.alice, old.key);
  assertTargets(kept, 4);
  assert.equal(kept.matrix_version, 1);
  // Re-rating the old one takes the current matrix.
  const rerated = await change(as.alice, old.key, { urgency: 'medium' });
  assertTargets(rerated, 4);
  const back = await change(as.alice, old.key, { urgency: 'low' });
  assertTargets(back, 3);
  assert.equal(back.matrix_version, version);
  // Reporters and agents may not change the matrix; the history lists every version.
  assertProblem(await as.alice.put('/api/v1/settings/priority-matrix', changed), 403);
  const history = await as.ian.get('/api/v1/settings/priority-matrix/history');
  assert.equal(history.status, 200, history.text);
  assert.ok(JSON.stringify(history.body).includes(`"version":${version}`), history.text.slice(0, 300));
  // Restore the shipped matrix for the other tests.
  const restore = await as.ian.put('/api/v1/settings/priority-matrix', MATRIX);
  assert.equal(restore.status, 200, restore.text);
  assertTargets(await logIncident(as.alice, { title: 'Rated after the restore', impact: 'minor', urgency: 'low' }), 4);
});

test('the whole lifecycle: new → assigned → in_progress ⇄ pending → resolved → reopened → in_progress → resolved → closed', async () => {
  let inc = await logIncident(as.rita, { title: 'Strange pop-ups on my desktop', category: 'malicious-code' });
  const key = inc.key;
  // Routing by PATCH: assigning a new incident makes it 'assigned' and stops the time to own.
  inc = await change(as.alice, key, { group: 'soc-l1', assignee: 'alice' });
  assert.equal(inc.status, 'assigned');
  assert.equal(inc.assignee, 'alice');
  assert.equal(inc.group, 'soc-l1');
  assert.ok(inc.acknowledged_at);
  assert.equal(inc.sla.response.met, true);
  assert.deepEqual([...inc.allowed_transitions].sort(), ['cancelled', 'in_progress']);

  inc = await move(as.alice, key, 'in_progress');
  assert.deepEqual([...inc.allowed_transitions].sort(), ['pending', 'resolved']);

  const noReason = await as.alice.post(`/api/v1/incidents/${key}/transitions`, { to: 'pending' });
  assertProblem(noReason, 422, 'validation-failed');
  assert.equal(noReason.body.errors[0].field, 'pending_reason');
  const badReason = await as.alice.post(`/api/v1/incidents/${key}/transitions`, { to: 'pending', pending_reason: 'lunch' });
  assertProblem(badReason, 422);
  assert.equal(badReason.body.errors[0].field, 'pending_reason');
  assert.equal((await read(as.alice, key)).status, 'in_progress');

  inc = await move(as.alice, key, 'pending', { pending_reason: 'awaiting_reporter' });
  assert.equal(inc.pending_reason, 'awaiting_reporter');
  assert.equal(inc.sla.resolution.paused, true);
  assert.equal(inc.sla.resolution.due_at, null, 'no due time while the clock is held');
  assert.deepEqual([...inc.allowed_transitions].sort(), ['in_progress', 'resolved']);
  inc = await move(as.alice, key, 'in_progress');
  assert.equal(inc.pending_reason, null);
  assert.equal(inc.sla.resolution.paused, false);
  inc = await move(as.alice, key, 'pending', { pending_reason: 'third_party' });

  const noCode = await as.alice.post(`/api/v1/incidents/${key}/transitions`, { to: 'resolved', resolution_notes: 'done' });
  assertProblem(noCode, 422);
  assert.equal(noCode.body.errors[0].field, 'resolution_code');
  const noNotes = await as.alice.post(`/api/v1/incidents/${key}/transitions`, { to: 'resolved', resolution_code: 'fixed', resolution_notes: '  \n ' });
  assertProblem(noNotes, 422);
  assert.equal(noNotes.body.errors[0].field, 'resolution_notes');
  assert.equal((await read(as.alice, key)).status, 'pending');

  inc = await move(as.alice, key, 'resolved', RESOLVE);
  assert.equal(inc.resolution_code, 'fixed');
  assert.equal(inc.resolution_notes, RESOLVE.resolution_notes);
  assert.ok(inc.resolved_at);
  assert.equal(inc.sla.resolution.met, true);
  assert.equal(inc.sla.resolution.paused, false);

  // The reporter may reopen their own resolved incident (and may not close it).
  const mine = await read(as.rita, key);
  assert.deepEqual(mine.allowed_transitions, ['reopened']);
  assertProblem(await as.rita.post(`/api/v1/incidents/${key}/transitions`, { to: 'closed' }), 403);
  inc = await move(as.rita, key, 'reopened');
  assert.equal(inc.reopen_count, 1);
  assert.equal(inc.resolved_at, null);
  assert.equal(inc.resolution_code, null);
  assert.equal(inc.sla.resolution.met, false);
  assert.deepEqual(inc.allowed_transitions, []);
  assert.deepEqual((await read(as.alice, key)).allowed_transitions, ['in_progress']);

  inc = await move(as.alice, key, 'in_progress');
  assert.equal(inc.reopen_count, 1);
  inc = await move(as.alice, key, 'resolved', { resolution_code: 'workaround', resolution_notes: 'Reimaged the desktop.' });
  inc = await move(as.alice, key, 'closed');
  assert.ok(inc.closed_at);
  assert.equal(inc.reopen_count, 1);
  assert.deepEqual(inc.allowed_transitions, []);

  // Closed is final: no transition, no change.
  const again = await as.alice.post(`/api/v1/incidents/${key}/transitions`, { to: 'reopened' });
  assertProblem(again, 409, 'conflict');
  assert.deepEqual(again.body.allowed_transitions, []);
  const before = stable(await read(as.alice, key));
  assertProblem(await as.alice.patch(`/api/v1/incidents/${key}`, { title: 'Too late' }, { headers: { 'if-match': `"${before.version}"` } }), 422);
  assert.deepEqual(stable(await read(as.alice, key)), before);

  // The timeline tells the same story, in order.
  const timeline = await as.alice.get(`/api/v1/incidents/${key}/timeline`);
  assert.equal(timeline.status, 200, timeline.text);
  const moves = timeline.body.items
    .filter((i) => i.action === 'incident.transition')
    .map((i) => `${i.detail.from}→${i.detail.to}`);
  assert.deepEqual(moves, ['assigned→in_progress', 'in_progress→pending', 'pending→in_progress', 'in_progress→pending',
    'pending→resolved', 'resolved→reopened', 'reopened→in_progress', 'in_progress→resolved', 'resolved→closed']);
});

test('an invalid transition is 409 and lists the transitions allowed from there; nothing changes', async () => {
  const inc = await logIncident(as.rita, { title: 'Cannot jump ahead' });
  const before = stable(await read(as.alice, inc.key));
  for (const to of ['resolved', 'closed', 'in_progress', 'pending', 'reopened', 'new']) {
    const res = await as.alice.post(`/api/v1/incidents/${inc.key}/transitions`, { to, ...RESOLVE, pending_reason: 'change' });
    assertProblem(res, 409, 'conflict', `new → ${to}`);
    assert.deepEqual([...res.body.allowed_transitions].sort(), ['assigned', 'cancelled'], to);
    assert.match(res.body.detail, /assigned, cancelled/);
  }
  assertProblem(await as.alice.post(`/api/v1/incidents/${inc.key}/transitions`, { to: 'finished' }), 422);
  assertProblem(await as.alice.post(`/api/v1/incidents/${inc.key}/transitions`, {}), 422);
  assertProblem(await as.alice.post(`/api/v1/incidents/${inc.key}/transitions`, { to: 'assigned', colour: 'red' }), 422);
  assert.deepEqual(stable(await read(as.alice, inc.key)), before);
});

test('roles per transition: reporters and auditors cannot work incidents; agents and managers can', async () => {
  const inc = await logIncident(as.rita, { title: 'Who may move me' });
  for (const who of ['rita', 'aud']) {
    const res = await as[who].post(`/api/v1/incidents/${inc.key}/transitions`, { to: 'assigned' });
    assertProblem(res, 403, undefined, who);
  }
  // Another reporter does not even see it.
  assertProblem(await as.rex.post(`/api/v1/incidents/${inc.key}/transitions`, { to: 'assigned' }), 404);
  assert.equal((await read(as.alice, inc.key)).status, 'new');
  for (const [who, to] of [['alice', 'assigned'], ['ian', 'in_progress'], ['sam', 'pending'], ['adam', 'in_progress']]) {
    await move(as[who], inc.key, to, { pending_reason: 'change' });
  }
  await move(as.alice, inc.key, 'resolved', RESOLVE);
  // An auditor reads the transitions open to them: none.
  assert.deepEqual((await read(as.aud, inc.key)).allowed_transitions, []);
  // Another reporter cannot reopen somebody else's incident (it does not exist for them).
  assertProblem(await as.rex.post(`/api/v1/incidents/${inc.key}/transitions`, { to: 'reopened' }), 404);
  assertProblem(await as.aud.post(`/api/v1/incidents/${inc.key}/transitions`, { to: 'reopened' }), 403);
  await move(as.ian, inc.key, 'closed');
});

test('cancel from new or assigned needs a reason; a duplicate names the original; later it is refused', async () => {
  const original = await logIncident(as.rita, { title: 'Mail server down' });
  const dup = await logIncident(as.rex, { title: 'Cannot send mail' });
  const res = await as.alice.post(`/api/v1/incidents/${dup.key}/transitions`, { to: 'cancelled' });
  assertProblem(res, 422);
  assert.equal(res.body.errors[0].field, 'cancel_reason');
  const noSuch = await as.alice.post(`/api/v1/incidents/${dup.key}/transitions`, { to: 'cancelled', cancel_reason: 'duplicate', duplicate_of: 'INC-999999' });
  assertProblem(noSuch, 422);
  assert.equal(noSuch.body.errors[0].field, 'duplicate_of');
  assert.equal((await read(as.alice, dup.key)).status, 'new');
  const cancelled = await move(as.alice, dup.key, 'cancelled', { cancel_reason: 'duplicate', duplicate_of: original.key });
  assert.equal(cancelled.cancel_reason, 'duplicate');
  assert.equal(cancelled.duplicate_of, original.key);
  assert.ok(cancelled.closed_at);
  assert.deepEqual(cancelled.allowed_transitions, []);

  const assigned = await logIncident(as.rita, { title: 'Just a test mail' });
  await change(as.alice, assigned.key, { assignee: 'alice' });
  const fp = await move(as.alice, assigned.key, 'cancelled', { cancel_reason: 'false_positive' });
  assert.equal(fp.cancel_reason, 'false_positive');

  const working = await logIncident(as.rita, { title: 'Too late to cancel' });
  await move(as.alice, working.key, 'assigned');
  await move(as.alice, working.key, 'in_progress');
  const late = await as.alice.post(`/api/v1/incidents/${working.key}/transitions`, { to: 'cancelled', cancel_reason: 'not_an_incident' });
  assertProblem(late, 409);
  assert.deepEqual([...late.body.allowed_transitions].sort(), ['pending', 'resolved']);
  assert.equal((await read(as.alice, working.key)).status, 'in_progress');
});

test('a transition with a stale If-Match is 412 and changes nothing', async () => {
  const inc = await logIncident(as.rita, { title: 'Move with a version' });
  await change(as.alice, inc.key, { title: 'Moved with a version' }); // version 2
  const stale = await as.alice.post(`/api/v1/incidents/${inc.key}/transitions`, { to: 'assigned' }, { headers: { 'if-match': '"1"' } });
  assertProblem(stale, 412);
  assert.equal((await read(as.alice, inc.key)).status, 'new');
  const ok = await as.alice.post(`/api/v1/incidents/${inc.key}/transitions`, { to: 'assigned' }, { headers: { 'if-match': '"2"' } });
  assert.equal(ok.status, 200, ok.text);
  assert.equal(ok.body.version, 3);
});

// Resolves an incident from new through the lifecycle.
async function resolveIncident(key) {
  await move(as.alice, key, 'assigned');
  await move(as.alice, key, 'in_progress');
  return move(as.alice, key, 'resolved', RESOLVE);
}

test('closing a P1 or P2 needs lessons learned and an improvement action with an owner', async () => {
  const inc = await logIncident(as.alice, { title: 'Domain admin account compromised', impact: 'significant', urgency: 'high' });
  assert.equal(inc.priority, 2);
  await resolveIncident(inc.key);
  const refused = await as.alice.post(`/api/v1/incidents/${inc.key}/transitions`, { to: 'closed' });
  assertProblem(refused, 422);
  assert.match(refused.body.detail, /lessons-learned record and at least one improvement action/);
  assert.equal((await read(as.alice, inc.key)).status, 'resolved');

  const review0 = await as.alice.get(`/api/v1/incidents/${inc.key}/lessons-learned`);
  assert.equal(review0.status, 200, review0.text);
  assert.ok(review0.body.closure_blocker, JSON.stringify(review0.body));

  // Incomplete lessons are refused, naming the field.
  const partial = await as.alice.put(`/api/v1/incidents/${inc.key}/lessons-learned`, { what_happened: 'Phished admin', root_cause: 'No MFA' });
  assertProblem(partial, 422);
  const lessons = {
    what_happened: 'An administrator entered their password on a phishing page.',
    root_cause: 'Administrator accounts did not require a second factor.',
    went_well: 'Detection within 10 minutes.',
    to_improve: 'Enforce MFA for every privileged account.',
  };
  const put = await as.alice.put(`/api/v1/incidents/${inc.key}/lessons-learned`, lessons);
  assert.equal(put.status, 200, put.text);
  // Still not enough: no improvement action yet.
  const stillRefused = await as.alice.post(`/api/v1/incidents/${inc.key}/transitions`, { to: 'closed' });
  assertProblem(stillRefused, 422);
  assert.match(stillRefused.body.detail, /improvement action/);
  assert.doesNotMatch(stillRefused.body.detail, /lessons-learned record/);

  // An action needs an owner who exists.
  assertProblem(await as.alice.post(`/api/v1/incidents/${inc.key}/improvement-actions`, { title: 'Enforce MFA' }), 422);
  assertProblem(await as.alice.post(`/api/v1/incidents/${inc.key}/improvement-actions`, { title: 'Enforce MFA', owner: 'nobody' }), 422);
  assert.equal((await as.alice.get(`/api/v1/incidents/${inc.key}/improvement-actions`)).body.items.length, 0);
  const action = await as.alice.post(`/api/v1/incidents/${inc.key}/improvement-actions`, { title: 'Enforce MFA for admins', owner: 'lead', due_at: '2027-01-31T00:00:00Z' });
  assert.equal(action.status, 201, action.text);
  assert.equal(action.body.owner, 'lead');
  const review = await as.alice.get(`/api/v1/incidents/${inc.key}/lessons-learned`);
  assert.equal(review.body.closure_blocker, null);
  const closed = await move(as.alice, inc.key, 'closed');
  assert.ok(closed.closed_at);
});

test('a waiver by an incident manager lets a P1 close without a review; agents cannot waive', async () => {
  const inc = await logIncident(as.alice, { title: 'DDoS on the web shop', category: 'availability', impact: 'extensive', urgency: 'critical' });
  assert.equal(inc.priority, 1);
  await resolveIncident(inc.key);
  assertProblem(await as.alice.post(`/api/v1/incidents/${inc.key}/transitions`, { to: 'closed' }), 422);
  assertProblem(await as.alice.post(`/api/v1/incidents/${inc.key}/lessons-learned/waiver`, { reason: 'Nothing to learn' }), 403);
  assertProblem(await as.ian.post(`/api/v1/incidents/${inc.key}/lessons-learned/waiver`, {}), 422);
  assert.equal((await read(as.alice, inc.key)).status, 'resolved');
  const waived = await as.ian.post(`/api/v1/incidents/${inc.key}/lessons-learned/waiver`, { reason: 'Provider-side attack, reviewed with the provider' });
  assert.equal(waived.status, 200, waived.text);
  assertProblem(await as.ian.post(`/api/v1/incidents/${inc.key}/lessons-learned/waiver`, { reason: 'again' }), 409);
  await move(as.alice, inc.key, 'closed');
  // The waiver is audited with its reason.
  const audit = await srv.auditEntries();
  const entry = audit.find((e) => e.action === 'incident.lessons_waive' && e.object_id === inc.key);
  assert.ok(entry, 'waiver audited');
  assert.equal(entry.actor, 'user:ian');
  assert.equal(entry.detail.reason, 'Provider-side attack, reviewed with the provider');
  // P3 and P4 close without any review.
  const p3 = await logIncident(as.alice, { title: 'Minor thing' });
  await resolveIncident(p3.key);
  await move(as.alice, p3.key, 'closed');
});

test('bad input when logging: precise 422/400/415 naming the field, and nothing is created', async () => {
  const count = async () => (await as.ian.get('/api/v1/incidents?limit=200')).body.items.length;
  const before = await count();
  const cases = [
    [{ ...{ title: 'x', impact: 'moderate', urgency: 'medium' }, category: 'not-a-category' }, 'category'],
    [{ title: 'x', category: 'intrusion', impact: 'catastrophic', urgency: 'medium' }, 'impact'],
    [{ title: 'x', category: 'intrusion', impact: 5, urgency: 'medium' }, 'impact'],
    [{ title: 'x', category: 'intrusion', impact: 'minor', urgency: 'yesterday' }, 'urgency'],
    [{ title: '', category: 'intrusion' }, 'title'],
    [{ category: 'intrusion' }, 'title'],
    [{ title: 'x' }, 'category'],
    [{ title: 'x', category: 'intrusion', description: 'a'.repeat(64 * 1024 + 1) }, 'description'],
    [{ title: 'x'.repeat(201), category: 'intrusion' }, 'title'],
    [{ title: 'x', category: 'intrusion', colour: 'red' }, 'colour'],
    [{ title: 'x', category: 'intrusion', occurred_at: 'last tuesday' }, 'occurred_at'],
    [{ title: 'x', category: 'intrusion', occurred_at: '2999-01-01T00:00:00Z' }, 'occurred_at'],
    [{ title: 'x', category: 'intrusion', tlp: 'purple' }, 'tlp'],
    [{ title: 'x', category: 'intrusion', assignee: 'nobody' }, 'assignee'],
    [{ title: 'x', category: 'intrusion', assignee: 'rita' }, 'assignee'],
    [{ title: 'x', category: 'intrusion', group: 'no-such-group' }, 'group'],
    [{ title: 'x', category: 'intrusion', parent: 'INC-999999' }, 'parent'],
    [{ title: 'x', category: 'intrusion', support_level: 4 }, 'support_level'],
    [{ title: 'x', category: 'intrusion', subcategory: 'ransomware' }, 'subcategory'],
  ];
  for (const [body, field] of cases) {
    const res = await as.alice.post('/api/v1/incidents', body);
    assertProblem(res, 422, 'validation-failed', JSON.stringify(body).slice(0, 80));
    assert.ok(res.body.errors?.some((e) => e.field === field), `${field}: ${res.text.slice(0, 300)}`);
  }
  // Reporters may not route or restrict what they report.
  for (const field of ['group', 'assignee', 'restricted', 'tlp', 'support_level']) {
    const value = { group: 'soc-l1', assignee: 'alice', restricted: true, tlp: 'red', support_level: 2 }[field];
    const res = await as.rita.post('/api/v1/incidents', { title: 'x', category: 'intrusion', [field]: value });
    assertProblem(res, 422, 'validation-failed', field);
    assert.equal(res.body.errors[0].field, field);
  }
  assertProblem(await as.alice.post('/api/v1/incidents', undefined, { body: '{"title": ', headers: { 'content-type': 'application/json' } }), 400);
  assertProblem(await as.alice.request('POST', '/api/v1/incidents', { body: 'title=x', headers: { 'content-type': 'application/x-www-form-urlencoded' } }), 415);
  assertProblem(await as.aud.post('/api/v1/incidents', { title: 'x', category: 'intrusion' }), 403);
  assert.equal(await count(), before, 'no incident was created');
});

test('bad input when changing: unknown fields, out-of-range values, oversize text — 422 and nothing changes', async () => {
  const inc = await logIncident(as.rita, { title: 'Keep me as I am', description: 'Original description' });
  const before = stable(await read(as.alice, inc.key));
  const headers = { 'if-match': `"${before.version}"` };
  for (const [body, field] of [
    [{ colour: 'red' }, 'colour'],
    [{ impact: 'huge' }, 'impact'],
    [{ category: 'no-such-class' }, 'category'],
    [{ description: 'b'.repeat(64 * 1024 + 1) }, 'description'],
    [{ title: '' }, 'title'],
    [{ assignee: 'rex' }, 'assignee'],
    [{ source: 'phone' }, 'source'],
    [{ parent: inc.key }, 'parent'],
    [{ support_level: 0 }, 'support_level'],
  ]) {
    const res = await as.alice.patch(`/api/v1/incidents/${inc.key}`, body, { headers });
    assertProblem(res, 422, 'validation-failed', JSON.stringify(body).slice(0, 60));
    assert.ok(res.body.errors?.some((e) => e.field === field), `${field}: ${res.text.slice(0, 300)}`);
  }
  assert.deepEqual(stable(await read(as.alice, inc.key)), before);
  // Unknown query parameters are refused rather than ignored.
  assertProblem(await as.alice.get(`/api/v1/incidents/${inc.key}?verbose=1`), 422);
});

test('a retried create with the same Idempotency-Key logs one incident and answers the first answer again', async () => {
  const body = { title: 'Logged twice by a flaky network', category: 'other' };
  const headers = { 'idempotency-key': 'incident-retry-1' };
  const first = await as.rita.post('/api/v1/incidents', body, { headers });
  assert.equal(first.status, 201, first.text);
  const again = await as.rita.post('/api/v1/incidents', body, { headers });
  assert.equal(again.status, 201, again.text);
  assert.equal(again.headers.get('idempotent-replayed'), 'true');
  assert.equal(again.body.key, first.body.key);
  const mine = (await as.rita.get('/api/v1/incidents?q=flaky&limit=200')).body.items;
  assert.deepEqual(mine.map((i) => i.key), [first.body.key]);
  // The same key for another request is refused.
  assertProblem(await as.rita.post('/api/v1/incidents', { ...body, title: 'Something else' }, { headers }), 422);
});

test('time spent resolved before a reopen is held, not counted against the SLA', async () => {
  const inc = await logIncident(as.alice, { title: 'Reopened P1', impact: 'extensive', urgency: 'critical', assignee: 'alice' });
  assert.equal(inc.status, 'assigned', 'logged with an assignee: assigned at once');
  assert.equal(inc.sla.response.met, true);
  await move(as.alice, inc.key, 'in_progress');
  const resolved = await move(as.alice, inc.key, 'resolved', RESOLVE);
  const resolvedAt = Date.parse(resolved.resolved_at);
  await new Promise((r) => setTimeout(r, 300));
  const reopened = await move(as.alice, inc.key, 'reopened');
  const reopenedAt = Date.parse(reopened.updated_at);
  assert.ok(reopenedAt - resolvedAt >= 300);
  const clock = reopened.sla.resolution;
  assert.equal(clock.met, false);
  assert.ok(clock.paused_ms >= reopenedAt - resolvedAt - 5, `paused ${clock.paused_ms} ms, resolved for ${reopenedAt - resolvedAt} ms`);
  assert.equal(Date.parse(clock.due_at), Date.parse(inc.reported_at) + 240 * MINUTE + clock.paused_ms);
});

test('concurrent transitions from the same state: exactly one takes effect', async () => {
  const inc = await logIncident(as.alice, { title: 'Raced', assignee: 'alice' });
  await move(as.alice, inc.key, 'in_progress');
  const clients = [as.alice, as.bob, as.ian, as.sam];
  const resolves = await Promise.all(clients.map((c) => c.post(`/api/v1/incidents/${inc.key}/transitions`, { to: 'resolved', ...RESOLVE })));
  assert.deepEqual(resolves.map((r) => r.status).sort(), [200, 409, 409, 409]);
  const reopens = await Promise.all(clients.map((c) => c.post(`/api/v1/incidents/${inc.key}/transitions`, { to: 'reopened' })));
  assert.deepEqual(reopens.map((r) => r.status).sort(), [200, 409, 409, 409]);
  const now = await read(as.alice, inc.key);
  assert.equal(now.status, 'reopened');
  assert.equal(now.reopen_count, 1);
  const moves = (await as.alice.get(`/api/v1/incidents/${inc.key}/timeline`)).body.items.filter((i) => i.action === 'incident.transition');
  assert.deepEqual(moves.map((m) => m.detail.to), ['in_progress', 'resolved', 'reopened']);
});

// Last in this file: it changes the shared 'business' calendar.
test('business calendars: holidays and working hours hold the clocks; a calendar change moves open incidents at once', async () => {
  const dayMs = 86_400_000;
  const midnight = Math.floor(Date.now() / dayMs) * dayMs;
  const date = (ms) => new Date(ms).toISOString().slice(0, 10);
  const before = await logIncident(as.alice, { title: 'Logged before the holidays were set', impact: 'moderate', urgency: 'medium' });
  assertTargets(before, 3);
  const current = await as.alice.get('/api/v1/settings/calendars/business');
  assert.equal(current.status, 200, current.text);
  const everyDay = [{ start: '00:00', end: '24:00' }];
  const calendar = {
    zone: 'UTC',
    week: Object.fromEntries(['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'].map((d) => [d, everyDay])),
    holidays: [date(midnight), date(midnight + dayMs)],
  };
  // Refused: agents, bad zones, bad dates, unknown fields, a stale version — and nothing changes.
  assertProblem(await as.alice.put('/api/v1/settings/calendars/business', calendar), 403);
  for (const bad of [{ ...calendar, zone: 'Mars/Olympus_Mons' }, { ...calendar, holidays: ['2026-13-01'] },
    { ...calendar, week: { ...calendar.week, caturday: everyDay } }, { ...calendar, lunch: true }, { ...calendar, week: {} }]) {
    assertProblem(await as.ian.put('/api/v1/settings/calendars/business', bad), 422, undefined, JSON.stringify(bad).slice(0, 80));
  }
  assertProblem(await as.ian.put('/api/v1/settings/calendars/business', calendar, { headers: { 'if-match': '"999"' } }), 412);
  const unchanged = await as.alice.get('/api/v1/settings/calendars/business');
  assert.deepEqual(unchanged.body, current.body);

  const put = await as.ian.put('/api/v1/settings/calendars/business', calendar, { headers: { 'if-match': current.headers.get('etag') } });
  assert.equal(put.status, 200, put.text);
  assert.deepEqual(put.body.holidays, calendar.holidays);
  const work = midnight + 2 * dayMs; // the first working minute
  // A P2 logged on a holiday: its clocks start when work does.
  const p2 = await logIncident(as.alice, { title: 'Logged on a holiday', impact: 'moderate', urgency: 'critical' });
  assertTargets(p2, 2);
  assert.equal(p2.sla.response.elapsed_ms, 0);
  assert.equal(Date.parse(p2.sla.response.due_at), work + 30 * MINUTE);
  assert.equal(Date.parse(p2.sla.resolution.due_at), work + 480 * MINUTE);
  // The incident logged before the change follows the calendar it is on.
  const moved = await read(as.alice, before.key);
  assert.equal(Date.parse(moved.sla.response.due_at), work + 240 * MINUTE);
  assert.equal(Date.parse(moved.sla.resolution.due_at), work + 1440 * MINUTE);
  // A P1 stays on the 24x7 calendar.
  const p1 = await logIncident(as.alice, { title: 'P1 on a holiday', impact: 'extensive', urgency: 'critical' });
  assert.equal(Date.parse(p1.sla.response.due_at), Date.parse(p1.reported_at) + 15 * MINUTE);
});
