// Working an incident: worklog (public and internal), attachments, the timeline, tasks, links
// between incidents (parent/child with cascade, duplicates), and the major-incident procedure.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { startServer, assertProblem } from '../harness/server.mjs';
import { setUpCast, logIncident, read, move, change, stable, RESOLVE } from '../harness/incidents.mjs';

const MAX_ATTACHMENT = 4096;
let srv;
let as;

before(async () => {
  srv = await startServer({ env: { CUSTOS_INCIDENTS_MAX_ATTACHMENT_BYTES: String(MAX_ATTACHMENT) } });
  as = await setUpCast(srv, { emails: true });
});

const worklog = async (client, key, query = '') => {
  const res = await client.get(`/api/v1/incidents/${key}/worklog${query}`);
  assert.equal(res.status, 200, res.text);
  return res.body.items;
};

test('worklog: the service desk writes internal or public entries, a reporter sees and writes public ones only', async () => {
  const inc = await logIncident(as.rita, { title: 'Unknown app asks for my password' });
  const key = inc.key;
  const internal = await as.alice.post(`/api/v1/incidents/${key}/worklog`, { body: 'Checked the proxy logs:\n- two hits\n- one block' });
  assert.equal(internal.status, 201, internal.text);
  assert.equal(internal.body.visibility, 'internal');
  assert.equal(internal.body.kind, 'note');
  assert.equal(internal.body.author, 'alice');
  assert.equal(internal.body.body, 'Checked the proxy logs:\n- two hits\n- one block');
  const pub = await as.alice.post(`/api/v1/incidents/${key}/worklog`, { body: 'Please do not open the app again.', visibility: 'public' });
  assert.equal(pub.status, 201, pub.text);
  const wa = await as.alice.post(`/api/v1/incidents/${key}/worklog`, { body: 'Uninstall via the software centre.', kind: 'workaround', visibility: 'public' });
  assert.equal(wa.status, 201, wa.text);
  const note = await as.rita.post(`/api/v1/incidents/${key}/worklog`, { body: 'I did not enter it, I closed the window.' });
  assert.equal(note.status, 201, note.text);
  assert.equal(note.body.visibility, 'public');
  assert.equal(note.body.author, 'rita');

  // Reporters add public notes only.
  for (const body of [
    { body: 'secret', visibility: 'internal' },
    { body: 'my fix', kind: 'workaround' },
  ]) {
    const res = await as.rita.post(`/api/v1/incidents/${key}/worklog`, body);
    assertProblem(res, 422, 'validation-failed', JSON.stringify(body));
  }
  // Bad entries from anyone.
  for (const [body, field] of [
    [{ body: '' }, 'body'],
    [{ body: 'x', visibility: 'secret' }, 'visibility'],
    [{ body: 'x', kind: 'diary' }, 'kind'],
    [{ body: 'x', audience: 'press' }, 'audience'],
    [{ body: 'x', colour: 'red' }, 'colour'],
    [{ body: 'x'.repeat(64 * 1024 + 1) }, 'body'],
  ]) {
    const res = await as.alice.post(`/api/v1/incidents/${key}/worklog`, body);
    assertProblem(res, 422, 'validation-failed', field);
    assert.equal(res.body.errors[0].field, field);
  }
  // Another reporter does not see the incident at all.
  assertProblem(await as.rex.post(`/api/v1/incidents/${key}/worklog`, { body: 'hello' }), 404);
  assertProblem(await as.rex.get(`/api/v1/incidents/${key}/worklog`), 404);

  const all = await worklog(as.alice, key);
  assert.deepEqual(all.map((e) => e.id), [internal.body.id, pub.body.id, wa.body.id, note.body.id]);
  assert.deepEqual(all.map((e) => e.visibility), ['internal', 'public', 'public', 'public']);
  const theirs = await worklog(as.rita, key);
  assert.deepEqual(theirs.map((e) => e.id), [pub.body.id, wa.body.id, note.body.id]);
  assert.ok(!JSON.stringify(theirs).includes('proxy logs'));
  // Auditors read everything; filters and paging work on the visible entries only.
  assert.equal((await worklog(as.aud, key)).length, 4);
  assert.deepEqual((await worklog(as.rita, key, '?kind=workaround')).map((e) => e.id), [wa.body.id]);
  const page1 = await as.rita.get(`/api/v1/incidents/${key}/worklog?limit=2`);
  assert.deepEqual(page1.body.items.map((e) => e.id), [pub.body.id, wa.body.id]);
  const page2 = await as.rita.get(`/api/v1/incidents/${key}/worklog?limit=2&cursor=${encodeURIComponent(page1.body.next_cursor)}`);
  assert.deepEqual(page2.body.items.map((e) => e.id), [note.body.id]);
  assert.equal(page2.body.next_cursor, null);
  assertProblem(await as.rita.get(`/api/v1/incidents/${key}/worklog?kind=diary`), 422);

  // The timeline: a reporter sees public entries and status changes, the service desk also
  // internal entries and every other change.
  await change(as.alice, key, { group: 'soc-l1', assignee: 'alice', impact: 'significant' });
  const desk = (await as.alice.get(`/api/v1/incidents/${key}/timeline`)).body.items;
  const mine = (await as.rita.get(`/api/v1/incidents/${key}/timeline`)).body.items;
  const entries = (items) => items.filter((i) => i.type === 'worklog').map((i) => i.id);
  assert.deepEqual(entries(desk), [internal.body.id, pub.body.id, wa.body.id, note.body.id]);
  assert.deepEqual(entries(mine), [pub.body.id, wa.body.id, note.body.id]);
  assert.ok(!JSON.stringify(mine).includes('proxy logs'));
  const update = desk.find((i) => i.action === 'incident.update');
  assert.ok(update, JSON.stringify(desk));
  assert.equal(update.detail.after.assignee, 'alice');
  // To the reporter the update shows as the status change it made, without the routing.
  const seen = mine.filter((i) => i.type === 'change');
  assert.deepEqual(seen.map((i) => i.action), ['incident.create', 'incident.update']);
  assert.deepEqual(seen[1].detail, { from: 'new', to: 'assigned' });
  // Everything in time order.
  const times = desk.map((i) => Date.parse(i.at ?? i.created_at));
  assert.deepEqual(times, [...times].sort((a, b) => a - b));
});

const upload = (client, key, bytes, type, filename) =>
  client.request('POST', `/api/v1/incidents/${key}/attachments${filename === undefined ? '' : `?filename=${encodeURIComponent(filename)}`}`, {
    body: bytes,
    headers: type ? { 'content-type': type } : {},
  });

const PNG = Buffer.concat([Buffer.from('\x89PNG\r\n\x1a\n', 'latin1'), Buffer.from('not really an image, but the signature is right')]);

test('attachments: content-addressed, size-limited, type-checked; reporters see their own', async () => {
  const inc = await logIncident(as.rita, { title: 'Screenshot of a fake login page' });
  const key = inc.key;
  const text = 'GET /login.php HTTP/1.1\nHost: evil.example\n';
  const sha = createHash('sha256').update(text).digest('hex');
  const first = await upload(as.alice, key, text, 'text/plain; charset=utf-8', 'proxy.log');
  assert.equal(first.status, 201, first.text);
  assert.equal(first.body.sha256, sha);
  assert.equal(first.body.size, Buffer.byteLength(text));
  assert.equal(first.body.content_type, 'text/plain');
  assert.equal(first.body.filename, 'proxy.log');
  assert.equal(first.headers.get('location'), `/api/v1/incidents/${key}/attachments/${first.body.id}`);
  // The same bytes again, under another name: a second attachment, one stored blob.
  const second = await upload(as.rita, key, text, 'text/plain', '../../etc/copy.log');
  assert.equal(second.status, 201, second.text);
  assert.equal(second.body.sha256, sha);
  assert.notEqual(second.body.id, first.body.id);
  assert.ok(!second.body.filename.includes('/'), second.body.filename);
  const blob = path.join(srv.dataDir, 'blobs', sha.slice(0, 2), sha.slice(2));
  assert.equal(fs.readFileSync(blob, 'utf8'), text, 'stored under its SHA-256');
  const blobs = fs.readdirSync(path.join(srv.dataDir, 'blobs'), { recursive: true })
    .filter((f) => fs.statSync(path.join(srv.dataDir, 'blobs', f)).isFile());
  assert.equal(blobs.length, 1, blobs.join());

  const png = await upload(as.alice, key, PNG, 'image/png', 'screen.png');
  assert.equal(png.status, 201, png.text);

  // Download: the stored bytes, as a download, with the digest as ETag.
  const got = await fetch(`${srv.baseUrl}/api/v1/incidents/${key}/attachments/${png.body.id}`, { headers: { authorization: `Bearer ${as.alice.token}` } });
  assert.equal(got.status, 200);
  assert.deepEqual(Buffer.from(await got.arrayBuffer()), PNG);
  assert.equal(got.headers.get('content-type'), 'image/png');
  assert.match(got.headers.get('content-disposition'), /attachment/);
  assert.equal(got.headers.get('x-content-type-options'), 'nosniff');
  assert.equal(got.headers.get('etag'), `"${png.body.sha256}"`);

  // Reporters see the files they attached; the service desk sees all.
  const list = async (client) => (await client.get(`/api/v1/incidents/${key}/attachments`)).body.items.map((a) => a.id);
  assert.deepEqual(await list(as.alice), [first.body.id, second.body.id, png.body.id]);
  assert.deepEqual(await list(as.rita), [second.body.id]);
  assertProblem(await as.rita.get(`/api/v1/incidents/${key}/attachments/${png.body.id}`), 404);
  assertProblem(await as.rex.get(`/api/v1/incidents/${key}/attachments`), 404);
  assertProblem(await as.alice.get(`/api/v1/incidents/${key}/attachments/999999`), 404);

  // Refused: too large, wrong or missing type, lying signature, no name, empty.
  const refusals = [
    [Buffer.alloc(MAX_ATTACHMENT + 1, 'a'), 'text/plain', 'big.txt', 413],
    [Buffer.alloc(MAX_ATTACHMENT + 1, 'a'), 'application/octet-stream', 'big.bin', 413],
    ['<script>alert(1)</script>', 'text/html', 'page.html', 415],
    ['MZ\x90\x00', 'application/x-msdownload', 'tool.exe', 415],
    [Buffer.from('plain text'), undefined, 'x.txt', 415],
    ['plain text', 'image/png', 'fake.png', 422],
    ['plain text', 'application/pdf', 'fake.pdf', 422],
    [Buffer.from('a\x00b'), 'text/plain', 'nul.txt', 422],
    ['plain text', 'text/plain', undefined, 422],
    ['', 'text/plain', 'empty.txt', 422],
  ];
  for (const [bytes, type, name, status] of refusals) {
    const res = await upload(as.alice, key, bytes, type, name);
    assertProblem(res, status, undefined, `${type} ${name}`);
  }
  // An attachment of exactly the limit is fine.
  const edge = await upload(as.alice, key, Buffer.alloc(MAX_ATTACHMENT, 'b'), 'application/octet-stream', 'edge.bin');
  assert.equal(edge.status, 201, edge.text);
  assert.equal((await list(as.alice)).length, 4, 'nothing refused was stored');
  assert.equal(fs.readdirSync(path.join(srv.dataDir, 'blobs'), { recursive: true })
    .filter((f) => fs.statSync(path.join(srv.dataDir, 'blobs', f)).isFile()).length, 3, 'no blob of a refused file');
  // Auditors read but do not attach.
  assertProblem(await upload(as.aud, key, 'x', 'text/plain', 'x.txt'), 403);
});

test('tasks: assignee, due date and status, changed with If-Match; reporters see none', async () => {
  const inc = await logIncident(as.alice, { title: 'Contain the infected laptop' });
  const key = inc.key;
  const created = await as.alice.post(`/api/v1/incidents/${key}/tasks`, { title: 'Pull the network cable', assignee: 'bob', due_at: '2030-01-01T12:00:00Z' });
  assert.equal(created.status, 201, created.text);
  const task = created.body;
  assert.equal(task.assignee, 'bob');
  assert.equal(task.due_at, '2030-01-01T12:00:00.000Z');
  assert.equal(task.status, 'open');
  assert.equal(created.headers.get('etag'), `"${task.version}"`);
  const other = await as.alice.post(`/api/v1/incidents/${key}/tasks`, { title: 'Image the disk' });
  assert.equal(other.status, 201, other.text);
  assert.equal(other.body.assignee, null);

  for (const [body, field] of [
    [{}, 'title'],
    [{ title: 'x', assignee: 'rita' }, 'assignee'],
    [{ title: 'x', assignee: 'nobody' }, 'assignee'],
    [{ title: 'x', status: 'maybe' }, 'status'],
    [{ title: 'x', due_at: 'soon' }, 'due_at'],
    [{ title: 'x', priority: 1 }, 'priority'],
  ]) {
    const res = await as.alice.post(`/api/v1/incidents/${key}/tasks`, body);
    assertProblem(res, 422, 'validation-failed', JSON.stringify(body));
    assert.equal(res.body.errors[0].field, field);
  }
  const path_ = `/api/v1/incidents/${key}/tasks/${task.id}`;
  assertProblem(await as.bob.patch(path_, { status: 'done' }), 428);
  const done = await as.bob.patch(path_, { status: 'done' }, { headers: { 'if-match': `"${task.version}"` } });
  assert.equal(done.status, 200, done.text);
  assert.equal(done.body.status, 'done');
  assert.equal(done.body.version, task.version + 1);
  assertProblem(await as.bob.patch(path_, { status: 'open' }, { headers: { 'if-match': `"${task.version}"` } }), 412);
  assertProblem(await as.bob.patch(`/api/v1/incidents/${key}/tasks/99999`, { status: 'open' }, { headers: { 'if-match': '"1"' } }), 404);

  const list = await as.alice.get(`/api/v1/incidents/${key}/tasks`);
  assert.deepEqual(list.body.items.map((t) => [t.title, t.status]), [['Pull the network cable', 'done'], ['Image the disk', 'open']]);
  assertProblem(await as.rita.post(`/api/v1/incidents/${key}/tasks`, { title: 'x' }), 403);
  const hers = await logIncident(as.rita, { title: 'Her own' });
  assertProblem(await as.rita.post(`/api/v1/incidents/${hers.key}/tasks`, { title: 'x' }), 403);
  assertProblem(await as.rita.get(`/api/v1/incidents/${hers.key}/tasks`), 403);
  // Task changes are on the incident's timeline.
  const timeline = (await as.alice.get(`/api/v1/incidents/${key}/timeline`)).body.items.map((i) => i.action).filter(Boolean);
  assert.ok(timeline.includes('incident.task_create'), timeline.join());
});

test('parent and children: links, no cycles, and resolving a parent with cascade resolves its open children', async () => {
  const parent = await logIncident(as.alice, { title: 'Mail outage (parent)', category: 'availability' });
  const kids = [];
  for (const title of ['Cannot send mail (1)', 'Cannot send mail (2)', 'Cannot send mail (3)', 'Cannot send mail (4)']) {
    kids.push(await logIncident(as.alice, { title, category: 'availability', parent: parent.key }));
  }
  assert.equal(kids[0].parent, parent.key);
  const [a, b, c, d] = kids.map((k) => k.key);
  const children = await as.alice.get(`/api/v1/incidents/${parent.key}/children`);
  assert.equal(children.status, 200, children.text);
  assert.deepEqual(children.body.items.map((i) => i.key).sort(), [a, b, c, d].sort());
  // No cycles, no self-parent.
  for (const [key, p] of [[parent.key, a], [parent.key, parent.key]]) {
    const now = await read(as.alice, key);
    const res = await as.alice.patch(`/api/v1/incidents/${key}`, { parent: p }, { headers: { 'if-match': `"${now.version}"` } });
    assertProblem(res, 422);
    assert.equal(res.body.errors[0].field, 'parent');
  }
  // a in progress, b pending, c still new, d unlinked again.
  await move(as.alice, a, 'assigned');
  await move(as.alice, a, 'in_progress');
  await move(as.alice, b, 'assigned');
  await move(as.alice, b, 'in_progress');
  await move(as.alice, b, 'pending', { pending_reason: 'change' });
  const unlinked = await change(as.alice, d, { parent: null });
  assert.equal(unlinked.parent, null);
  await move(as.alice, d, 'assigned');
  await move(as.alice, d, 'in_progress');

  await move(as.alice, parent.key, 'assigned');
  await move(as.alice, parent.key, 'in_progress');
  await move(as.alice, parent.key, 'resolved', { ...RESOLVE, cascade: true });
  const after = Object.fromEntries(await Promise.all([a, b, c, d].map(async (k) => [k, await read(as.alice, k)])));
  assert.equal(after[a].status, 'resolved');
  assert.equal(after[b].status, 'resolved');
  assert.match(after[a].resolution_notes, new RegExp(parent.key));
  assert.equal(after[a].resolution_code, 'fixed');
  assert.equal(after[c].status, 'new', 'a child nobody worked on stays for triage');
  assert.equal(after[d].status, 'in_progress', 'no longer a child');

  // Without cascade the children stay as they are.
  const p2 = await logIncident(as.alice, { title: 'Second parent' });
  const k2 = await logIncident(as.alice, { title: 'Second child', parent: p2.key });
  await move(as.alice, k2.key, 'assigned');
  await move(as.alice, k2.key, 'in_progress');
  await move(as.alice, p2.key, 'assigned');
  await move(as.alice, p2.key, 'in_progress');
  await move(as.alice, p2.key, 'resolved', RESOLVE);
  assert.equal((await read(as.alice, k2.key)).status, 'in_progress');
});

test('major incident: declared by an incident manager, notifies, keeps a communications log, and needs its review', async () => {
  const inc = await logIncident(as.alice, { title: 'Payment service unreachable', category: 'availability', impact: 'moderate', urgency: 'low' });
  const key = inc.key;
  assert.equal(inc.priority, 4);
  const before = stable(await read(as.alice, key));
  assertProblem(await as.alice.post(`/api/v1/incidents/${key}/major`, { major_manager: 'lead' }), 403);
  assertProblem(await as.ian.post(`/api/v1/incidents/${key}/major`, {}), 422);
  assertProblem(await as.ian.post(`/api/v1/incidents/${key}/major`, { major_manager: 'rita' }), 422);
  assertProblem(await as.ian.post(`/api/v1/incidents/${key}/major`, { major_manager: 'nobody' }), 422);
  assertProblem(await as.ian.post(`/api/v1/incidents/${key}/major`, { major_manager: 'lead' }, { headers: { 'if-match': '"99"' } }), 412);
  assert.deepEqual(stable(await read(as.alice, key)), before);

  const declared = await as.ian.post(`/api/v1/incidents/${key}/major`, { major_manager: 'lead' });
  assert.equal(declared.status, 200, declared.text);
  assert.equal(declared.body.major, true);
  assert.equal(declared.body.major_manager, 'lead');
  assert.equal(declared.body.version, before.version + 1);
  assert.deepEqual((await as.alice.get('/api/v1/incidents?major=true')).body.items.map((i) => i.key), [key]);
  // The major-incident manager is told, in the app and through the outbox; the declarer is not.
  const inbox = (await as.lead.get('/api/v1/me/notifications')).body.items.filter((n) => n.incident === key);
  assert.equal(inbox.length, 1, JSON.stringify(inbox));
  assert.equal(inbox[0].kind, 'major_incident');
  assert.equal((await as.ian.get('/api/v1/me/notifications')).body.items.filter((n) => n.incident === key).length, 0);
  const mail = srv.sqlRows(`SELECT recipient, subject FROM outbox WHERE subject LIKE '%${key}%'`);
  assert.deepEqual(mail.map((m) => m.recipient), ['lead@example.org']);

  // Communications: to users public, to management internal; reporters read only the public ones.
  const toUsers = await as.lead.post(`/api/v1/incidents/${key}/communications`, { audience: 'users', body: 'Payments are down; we are on it.' });
  assert.equal(toUsers.status, 201, toUsers.text);
  assert.equal(toUsers.body.visibility, 'public');
  assert.equal(toUsers.body.kind, 'communication');
  const toBoard = await as.lead.post(`/api/v1/incidents/${key}/communications`, { audience: 'management', body: 'Estimated loss: 20k per hour.' });
  assert.equal(toBoard.status, 201, toBoard.text);
  assert.equal(toBoard.body.visibility, 'internal');
  assertProblem(await as.lead.post(`/api/v1/incidents/${key}/communications`, { body: 'to whom?' }), 422);
  assertProblem(await as.lead.post(`/api/v1/incidents/${key}/communications`, { audience: 'everyone', body: 'x' }), 422);
  const log = (await as.alice.get(`/api/v1/incidents/${key}/communications`)).body.items;
  assert.deepEqual(log.map((e) => e.audience), ['users', 'management']);

  // A major incident needs its review, whatever its priority.
  await move(as.alice, key, 'assigned');
  await move(as.alice, key, 'in_progress');
  await move(as.alice, key, 'resolved', RESOLVE);
  const refused = await as.alice.post(`/api/v1/incidents/${key}/transitions`, { to: 'closed' });
  assertProblem(refused, 422);
  assert.match(refused.body.detail, /major incident/);
  const lessons = await as.lead.put(`/api/v1/incidents/${key}/lessons-learned`, {
    what_happened: 'The payment provider certificate expired.', root_cause: 'No expiry monitoring.',
    went_well: 'Communication to users within 5 minutes.', to_improve: 'Monitor certificate expiry.',
  });
  assert.equal(lessons.status, 200, lessons.text);
  const etag = lessons.headers.get('etag');
  assert.ok(etag);
  // Replacing them needs their version.
  assertProblem(await as.lead.put(`/api/v1/incidents/${key}/lessons-learned`, {
    what_happened: 'x', root_cause: 'x', went_well: 'x', to_improve: 'x' }), 428);
  const action = await as.lead.post(`/api/v1/incidents/${key}/improvement-actions`, { title: 'Alert 30 days before certificates expire', owner: 'bob' });
  assert.equal(action.status, 201, action.text);
  const closed = await move(as.alice, key, 'closed');
  assert.equal(closed.major, true);
  // Closed: nothing more is added to it.
  assertProblem(await as.lead.post(`/api/v1/incidents/${key}/worklog`, { body: 'late note' }), 409);
  assertProblem(await upload(as.lead, key, 'late file', 'text/plain', 'late.txt'), 409);
  assertProblem(await as.lead.post(`/api/v1/incidents/${key}/tasks`, { title: 'late task' }), 409);
  assertProblem(await as.lead.post(`/api/v1/incidents/${key}/communications`, { audience: 'users', body: 'late' }), 409);
  // Reporters never see the review.
  const reported = await logIncident(as.rita, { title: 'Hers' });
  assertProblem(await as.rita.get(`/api/v1/incidents/${reported.key}/lessons-learned`), 403);
});

test('a restricted major incident is announced by its key: its title stays out of inboxes and mail', async () => {
  const inc = await logIncident(as.fiona, { title: 'Board member mailbox compromised osprey', group: 'forensics', restricted: true });
  const declared = await as.ian.post(`/api/v1/incidents/${inc.key}/major`, { major_manager: 'fiona' });
  assert.equal(declared.status, 200, declared.text);
  const inbox = (await as.fiona.get('/api/v1/me/notifications')).body.items.filter((n) => n.incident === inc.key);
  assert.equal(inbox.length, 1);
  assert.match(inbox[0].message, new RegExp(inc.key));
  assert.ok(!inbox[0].message.includes('osprey'), inbox[0].message);
  const mail = srv.sqlRows(`SELECT recipient, subject, payload FROM outbox WHERE subject LIKE '%${inc.key}%'`);
  assert.deepEqual(mail.map((m) => m.recipient), ['fiona@example.org']);
  for (const m of mail) assert.ok(!m.subject.includes('osprey') && !m.payload.includes('osprey'), JSON.stringify(m));
  // An ordinary major incident names itself.
  const open = await logIncident(as.alice, { title: 'Payroll run failed heron' });
  assert.equal((await as.ian.post(`/api/v1/incidents/${open.key}/major`, { major_manager: 'lead' })).status, 200);
  const told = (await as.lead.get('/api/v1/me/notifications')).body.items.find((n) => n.incident === open.key);
  assert.match(told.message, /heron/);
});
