// Need-to-know: a restricted incident exists only for its assignment group, its assignee, the
// incident and security managers and the auditors. For everyone else every endpoint answers
// exactly as it does for an incident that does not exist, and no list, search or link gives it
// away.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, assertProblem } from '../harness/server.mjs';
import { setUpCast, logIncident, read, move, change, stable, keysOf, RESOLVE } from '../harness/incidents.mjs';

let srv;
let as;
let R; // restricted, group forensics, with worklog, attachment, task, review, child
let X; // reported by rex, restricted afterwards
let P; // an ordinary incident whose child is restricted
let C; // the restricted child of P
let problem;
let attachmentId;
let taskId;
const GHOST = 'INC-999999';
const INSIDERS = ['fiona', 'ian', 'sam', 'aud'];
const OUTSIDERS = ['olga', 'alice', 'adam', 'rita', 'rex'];

before(async () => {
  srv = await startServer();
  as = await setUpCast(srv);
  R = (await logIncident(as.fiona, {
    title: 'Insider exfiltrating payroll data zanzibar',
    description: 'Suspected employee copying payroll files. Codeword quixotic.',
    category: 'information-content-security', impact: 'significant', urgency: 'high',
    restricted: true, group: 'forensics', tlp: 'red',
  })).key;
  assert.equal((await as.fiona.post(`/api/v1/incidents/${R}/worklog`, { body: 'Public note marmalade', visibility: 'public' })).status, 201);
  assert.equal((await as.fiona.post(`/api/v1/incidents/${R}/worklog`, { body: 'Internal note about the suspect' })).status, 201);
  const att = await as.fiona.request('POST', `/api/v1/incidents/${R}/attachments?filename=evidence.txt`, { body: 'hash list', headers: { 'content-type': 'text/plain' } });
  assert.equal(att.status, 201, att.text);
  attachmentId = att.body.id;
  const task = await as.fiona.post(`/api/v1/incidents/${R}/tasks`, { title: 'Secure the laptop', assignee: 'fiona' });
  assert.equal(task.status, 201, task.text);
  taskId = task.body.id;

  X = (await logIncident(as.rex, { title: 'Colleague asked for my password walrus' })).key;
  await change(as.fiona, X, { restricted: true, group: 'forensics' });

  P = (await logIncident(as.alice, { title: 'Office network slow' })).key;
  C = (await logIncident(as.fiona, { title: 'Covert tunnel found pelican', restricted: true, group: 'forensics', parent: P })).key;

  const prb = await as.fiona.post('/api/v1/problems', { title: 'Data leaves through personal cloud storage' });
  assert.equal(prb.status, 201, prb.text);
  problem = prb.body.key;
  const linked = await as.fiona.post(`/api/v1/problems/${problem}/incidents`, { incident: R });
  assert.equal(linked.status, 200, linked.text);
  const linkedPublic = await as.fiona.post(`/api/v1/problems/${problem}/incidents`, { incident: P });
  assert.equal(linkedPublic.status, 200, linkedPublic.text);
});

// Every way to reach an incident, with a body that would be valid if the caller could see it.
function probes(key) {
  const json = (method, path, body, headers = {}) => ({ method, path, body, headers });
  return [
    json('GET', `/api/v1/incidents/${key}`),
    json('PATCH', `/api/v1/incidents/${key}`, { title: 'taken over' }, { 'if-match': '"1"' }),
    json('PATCH', `/api/v1/incidents/${key}`, { title: 'taken over' }),
    json('POST', `/api/v1/incidents/${key}/transitions`, { to: 'assigned' }),
    json('POST', `/api/v1/incidents/${key}/transitions`, { to: 'cancelled', cancel_reason: 'not_an_incident' }),
    json('GET', `/api/v1/incidents/${key}/worklog`),
    json('POST', `/api/v1/incidents/${key}/worklog`, { body: 'I was here' }),
    json('GET', `/api/v1/incidents/${key}/communications`),
    json('POST', `/api/v1/incidents/${key}/communications`, { audience: 'users', body: 'hello' }),
    json('GET', `/api/v1/incidents/${key}/timeline`),
    json('GET', `/api/v1/incidents/${key}/children`),
    json('GET', `/api/v1/incidents/${key}/attachments`),
    json('GET', `/api/v1/incidents/${key}/attachments/${attachmentId}`),
    { method: 'POST', path: `/api/v1/incidents/${key}/attachments?filename=x.txt`, raw: 'x', headers: { 'content-type': 'text/plain' } },
    json('GET', `/api/v1/incidents/${key}/tasks`),
    json('POST', `/api/v1/incidents/${key}/tasks`, { title: 'x' }),
    json('PATCH', `/api/v1/incidents/${key}/tasks/${taskId}`, { status: 'done' }, { 'if-match': '"1"' }),
    json('GET', `/api/v1/incidents/${key}/lessons-learned`),
    json('PUT', `/api/v1/incidents/${key}/lessons-learned`, { what_happened: 'x', root_cause: 'x', went_well: 'x', to_improve: 'x' }),
    json('POST', `/api/v1/incidents/${key}/lessons-learned/waiver`, { reason: 'x' }),
    json('GET', `/api/v1/incidents/${key}/improvement-actions`),
    json('POST', `/api/v1/incidents/${key}/improvement-actions`, { title: 'x', owner: 'olga' }),
    json('POST', `/api/v1/incidents/${key}/major`, { major_manager: 'olga' }),
  ];
}

async function send(client, p) {
  if (p.raw !== undefined) return client.request(p.method, p.path, { body: p.raw, headers: p.headers });
  return client.request(p.method, p.path, { json: p.body, headers: p.headers });
}

// The answer with the key taken out, so that two answers about two keys can be compared.
const shape = (res, key) => ({ status: res.status, code: res.body?.code, detail: String(res.body?.detail ?? '').replaceAll(key, 'KEY').replaceAll(key.toUpperCase(), 'KEY') });

test('outsiders get for a restricted incident exactly what they get for one that does not exist, at every endpoint', async () => {
  const before = stable(await read(as.fiona, R));
  const worklogBefore = (await as.fiona.get(`/api/v1/incidents/${R}/worklog`)).body.items.length;
  for (const who of OUTSIDERS) {
    const real = probes(R);
    const ghost = probes(GHOST);
    for (let i = 0; i < real.length; i++) {
      const a = await send(as[who], real[i]);
      const b = await send(as[who], ghost[i]);
      const what = `${who} ${real[i].method} ${real[i].path.replace(R, 'R')}`;
      assert.deepEqual(shape(a, R), shape(b, GHOST), what);
      // 428 (no If-Match) is judged before the incident is looked up: the same for any key.
      assert.ok([403, 404, 428].includes(a.status), `${what}: ${a.status} ${a.text}`);
      // Who may use the endpoint at all learns "not found", never "forbidden".
      if (a.status === 403) assert.match(a.body.detail, /roles|permission|reserved|only/, `${what}: ${a.text}`);
    }
    // Agents and admins may use every one of these endpoints on incidents they can see: for them
    // the restricted incident is a plain 404.
    if (['olga', 'alice'].includes(who)) {
      const usable = real.filter((x) => !x.path.endsWith('/major') && !x.path.endsWith('/waiver') &&
        !(x.method === 'PATCH' && !x.headers['if-match']));
      assert.equal(usable.length, real.length - 3);
      for (const p of usable) {
        const res = await send(as[who], p);
        assertProblem(res, 404, 'not-found', `${who} ${p.method} ${p.path}`);
      }
    }
  }
  // None of it changed anything.
  assert.deepEqual(stable(await read(as.fiona, R)), before);
  assert.equal((await as.fiona.get(`/api/v1/incidents/${R}/worklog`)).body.items.length, worklogBefore);
  const tasks = (await as.fiona.get(`/api/v1/incidents/${R}/tasks`)).body.items;
  assert.deepEqual(tasks.map((t) => t.status), ['open']);
});

test('outsiders do not find restricted incidents in lists, filters or search', async () => {
  for (const who of OUTSIDERS) {
    const all = await keysOf(as[who]);
    for (const key of [R, X, C]) assert.ok(!all.includes(key), `${who} lists ${key}`);
    assert.deepEqual(await keysOf(as[who], { restricted: 'true' }), [], who);
    for (const q of ['zanzibar', 'quixotic', 'marmalade', 'payroll', 'walrus', 'pelican', 'suspect']) {
      assert.deepEqual(await keysOf(as[who], { q }), [], `${who} q=${q}`);
    }
    assert.deepEqual(await keysOf(as[who], { group: 'forensics' }), [], who);
    assert.deepEqual(await keysOf(as[who], { assignee: 'none', priority: '2' }), [], who);
  }
  // The reporter of X lost sight of it when it was restricted.
  assertProblem(await as.rex.get(`/api/v1/incidents/${X}`), 404);
  assert.deepEqual(await keysOf(as.rex, { reporter: 'me' }), []);
  // Insiders see them, and find them.
  for (const who of INSIDERS) {
    assert.equal((await read(as[who], R)).key, R);
    assert.deepEqual((await keysOf(as[who], { restricted: 'true' })).sort(), [R, X, C].sort(), who);
    assert.deepEqual(await keysOf(as[who], { q: 'zanzibar' }), [R], who);
    assert.deepEqual(await keysOf(as[who], { q: 'marmalade' }), [R], who);
  }
  // The team sees the internal note; nobody outside it does.
  assert.deepEqual(await keysOf(as.fiona, { q: 'suspect' }), [R]);
});

test('links do not give a restricted incident away: children, problems, parents and duplicates', async () => {
  // A visible parent lists only the children the reader may see.
  assert.deepEqual((await as.alice.get(`/api/v1/incidents/${P}/children`)).body.items.map((i) => i.key), []);
  assert.deepEqual((await as.fiona.get(`/api/v1/incidents/${P}/children`)).body.items.map((i) => i.key), [C]);
  // A problem lists only the linked incidents the reader may see.
  const seenByOlga = await as.olga.get(`/api/v1/problems/${problem}`);
  assert.equal(seenByOlga.status, 200, seenByOlga.text);
  assert.deepEqual(seenByOlga.body.incidents.map((i) => i.key), [P]);
  assert.ok(!seenByOlga.text.includes('payroll'));
  assert.deepEqual((await as.fiona.get(`/api/v1/problems/${problem}`)).body.incidents.map((i) => i.key).sort(), [R, P].sort());
  // Naming a restricted incident as parent, duplicate or problem link is answered as for a ghost.
  for (const [key, label] of [[R, 'R'], [GHOST, 'ghost']]) {
    const child = await as.olga.post('/api/v1/incidents', { title: 'x', category: 'other', parent: key });
    assertProblem(child, 422, 'validation-failed', `parent ${label}`);
    assert.equal(child.body.detail.replace(key, 'KEY'), 'parent: no such incident'.replace(key, 'KEY'), child.text);
    const link = await as.olga.post(`/api/v1/problems/${problem}/incidents`, { incident: key });
    assertProblem(link, 422, 'validation-failed', `link ${label}`);
    const unlink = await as.olga.delete(`/api/v1/problems/${problem}/incidents/${key}`);
    assertProblem(unlink, 404, 'not-found', `unlink ${label}`);
  }
  const dup = await logIncident(as.olga, { title: 'Maybe the same' });
  for (const key of [R, GHOST]) {
    const res = await as.olga.post(`/api/v1/incidents/${dup.key}/transitions`, { to: 'cancelled', cancel_reason: 'duplicate', duplicate_of: key });
    assertProblem(res, 422, 'validation-failed');
    assert.equal(res.body.errors[0].field, 'duplicate_of');
  }
  assert.equal((await read(as.olga, dup.key)).status, 'new');
  // The restricted incident is still linked to the problem.
  assert.equal((await read(as.fiona, R)).problem, problem);
});

test('a member added to the group sees the incident; removed again, it is gone', async () => {
  assertProblem(await as.olga.get(`/api/v1/incidents/${R}`), 404);
  const group = await as.admin.get('/api/v1/groups/forensics');
  assert.equal(group.status, 200, group.text);
  const etag = group.headers.get('etag');
  const added = await as.admin.patch('/api/v1/groups/forensics', { members: ['fiona', 'olga'] }, { headers: { 'if-match': etag } });
  assert.equal(added.status, 200, added.text);
  assert.equal((await read(as.olga, R)).key, R);
  assert.ok((await keysOf(as.olga, { q: 'zanzibar' })).includes(R));
  // As a member, olga may work it.
  await move(as.olga, R, 'assigned');
  const removed = await as.admin.patch('/api/v1/groups/forensics', { members: ['fiona'] }, { headers: { 'if-match': added.headers.get('etag') } });
  assert.equal(removed.status, 200, removed.text);
  assertProblem(await as.olga.get(`/api/v1/incidents/${R}`), 404);
  assert.deepEqual(await keysOf(as.olga, { q: 'zanzibar' }), []);
  // Moving a restricted incident to another group moves who may see it.
  await change(as.fiona, C, { group: 'soc-l1' });
  assert.equal((await read(as.alice, C)).key, C);
  assertProblem(await as.fiona.get(`/api/v1/incidents/${C}`), 404);
  // Lifting the restriction makes it an ordinary incident again.
  await change(as.alice, C, { restricted: false });
  assert.equal((await read(as.olga, C)).key, C);
  await move(as.ian, R, 'in_progress');
  await move(as.ian, R, 'resolved', RESOLVE);
});

test('whoever is assigned a restricted incident may see and work it, also outside its group', async () => {
  const key = (await logIncident(as.fiona, {
    title: 'Handover to an outside specialist ocelot', restricted: true, group: 'forensics',
  })).key;
  assertProblem(await as.olga.get(`/api/v1/incidents/${key}`), 404);
  await change(as.fiona, key, { assignee: 'olga' });
  assert.equal((await read(as.olga, key)).key, key);
  assert.ok((await keysOf(as.olga, { q: 'ocelot' })).includes(key));
  assert.equal((await as.olga.post(`/api/v1/incidents/${key}/worklog`, { body: 'Looking into it' })).status, 201);
  // The other outsiders still see nothing.
  assertProblem(await as.alice.get(`/api/v1/incidents/${key}`), 404);
  assert.deepEqual(await keysOf(as.alice, { q: 'ocelot' }), []);
  // Once the assignment moves on, so does the view.
  await change(as.fiona, key, { assignee: 'fiona' });
  assertProblem(await as.olga.get(`/api/v1/incidents/${key}`), 404);
});
