// Problems and known errors: the PRB lifecycle, linked incidents, and known-error suggestions
// (full text, with their workaround) for whoever is logging an incident.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, assertProblem } from '../harness/server.mjs';
import { setUpCast, logIncident, read, stable } from '../harness/incidents.mjs';

let srv;
let as;

before(async () => {
  srv = await startServer();
  as = await setUpCast(srv);
});

const create = async (client, body) => {
  const res = await client.post('/api/v1/problems', body);
  assert.equal(res.status, 201, res.text);
  return res.body;
};
const moveProblem = async (client, key, to, extra = {}) => {
  const res = await client.post(`/api/v1/problems/${key}/transitions`, { to, ...extra });
  assert.equal(res.status, 200, `${key} → ${to}: ${res.text}`);
  assert.equal(res.body.status, to);
  return res.body;
};
// A problem read without its clock-free but moving parts.
const readProblem = async (client, key) => {
  const res = await client.get(`/api/v1/problems/${key}`);
  assert.equal(res.status, 200, res.text);
  return res.body;
};

test('a problem goes new → investigating → known_error → resolved → closed, with what each step needs', async () => {
  const created = await as.alice.post('/api/v1/problems', { title: 'VPN drops every 20 minutes', description: 'Seen at\n- home\n- hotels', owner: 'bob' });
  assert.equal(created.status, 201, created.text);
  const p = created.body;
  assert.match(p.key, /^PRB-\d{6}$/);
  assert.equal(created.headers.get('location'), `/api/v1/problems/${p.key}`);
  assert.equal(created.headers.get('etag'), '"1"');
  assert.equal(p.status, 'new');
  assert.equal(p.owner, 'bob');
  assert.equal(p.created_by, 'alice');
  assert.deepEqual(p.allowed_transitions, ['investigating']);
  assert.deepEqual(p.incidents, []);
  assert.deepEqual(await readProblem(as.aud, p.key), p);

  // Invalid transitions: 409 with the allowed ones; nothing changes.
  for (const to of ['known_error', 'resolved', 'closed']) {
    const res = await as.alice.post(`/api/v1/problems/${p.key}/transitions`, { to, workaround: 'w', root_cause: 'r' });
    assertProblem(res, 409, 'conflict', to);
    assert.deepEqual(res.body.allowed_transitions, ['investigating']);
  }
  assertProblem(await as.alice.post(`/api/v1/problems/${p.key}/transitions`, { to: 'solved' }), 422);
  assert.deepEqual(await readProblem(as.alice, p.key), p);

  await moveProblem(as.alice, p.key, 'investigating');
  // A known error needs a workaround.
  const noWorkaround = await as.alice.post(`/api/v1/problems/${p.key}/transitions`, { to: 'known_error' });
  assertProblem(noWorkaround, 422);
  assert.equal(noWorkaround.body.errors[0].field, 'workaround');
  const ke = await moveProblem(as.alice, p.key, 'known_error', { workaround: 'Reconnect with the **TCP** profile.' });
  assert.equal(ke.workaround, 'Reconnect with the **TCP** profile.');
  // ... and keeps it.
  const clearing = await as.alice.patch(`/api/v1/problems/${p.key}`, { workaround: '' }, { headers: { 'if-match': `"${ke.version}"` } });
  assertProblem(clearing, 422);
  // Resolving needs the root cause.
  const noCause = await as.alice.post(`/api/v1/problems/${p.key}/transitions`, { to: 'resolved' });
  assertProblem(noCause, 422);
  assert.equal(noCause.body.errors[0].field, 'root_cause');
  const resolved = await moveProblem(as.alice, p.key, 'resolved', { root_cause: 'UDP idle timeout on the firewall was 20 minutes.' });
  assert.ok(resolved.resolved_at);
  assert.deepEqual([...resolved.allowed_transitions].sort(), ['closed', 'investigating']);
  const closed = await moveProblem(as.ian, p.key, 'closed');
  assert.ok(closed.closed_at);
  assert.deepEqual(closed.allowed_transitions, []);
  // Closed is final.
  assertProblem(await as.alice.patch(`/api/v1/problems/${p.key}`, { title: 'x' }, { headers: { 'if-match': `"${closed.version}"` } }), 409);
  assertProblem(await as.alice.post(`/api/v1/problems/${p.key}/transitions`, { to: 'investigating' }), 409);
  // Each step is audited.
  const steps = (await srv.auditEntries()).filter((e) => e.action === 'problem.transition' && e.object_id === p.key).map((e) => e.detail.to);
  assert.deepEqual(steps, ['investigating', 'known_error', 'resolved', 'closed']);
});

test('who may do what with problems: the service desk works them, auditors read, reporters neither', async () => {
  const p = await create(as.bob, { title: 'Printers lose their queue' });
  assertProblem(await as.rita.post('/api/v1/problems', { title: 'x' }), 403);
  assertProblem(await as.rita.get('/api/v1/problems'), 403);
  assertProblem(await as.rita.get(`/api/v1/problems/${p.key}`), 403);
  assertProblem(await as.rita.get('/api/v1/known-errors/suggest?q=printer'), 403);
  assertProblem(await as.aud.post('/api/v1/problems', { title: 'x' }), 403);
  assertProblem(await as.aud.post(`/api/v1/problems/${p.key}/transitions`, { to: 'investigating' }), 403);
  assert.equal((await as.aud.get(`/api/v1/problems/${p.key}`)).status, 200);
  assert.equal((await readProblem(as.aud, p.key)).status, 'new');
});

test('PATCH a problem needs If-Match; stale is 412; bad input 422; nothing changes', async () => {
  const p = await create(as.alice, { title: 'Mail delivery slow', description: 'Only in the morning' });
  assertProblem(await as.alice.patch(`/api/v1/problems/${p.key}`, { title: 'x' }), 428);
  const ok = await as.alice.patch(`/api/v1/problems/${p.key}`, { root_cause: 'Anti-virus scanning backlog' }, { headers: { 'if-match': '"1"' } });
  assert.equal(ok.status, 200, ok.text);
  assert.equal(ok.body.version, 2);
  assertProblem(await as.alice.patch(`/api/v1/problems/${p.key}`, { title: 'Lost' }, { headers: { 'if-match': '"1"' } }), 412);
  for (const [body, field] of [
    [{ title: '' }, 'title'],
    [{ title: 'x'.repeat(201) }, 'title'],
    [{ owner: 'nobody' }, 'owner'],
    [{ owner: 'rita' }, 'owner'],
    [{ status: 'closed' }, 'status'],
    [{ title: 7 }, 'title'],
  ]) {
    const res = await as.alice.patch(`/api/v1/problems/${p.key}`, body, { headers: { 'if-match': '"2"' } });
    assertProblem(res, 422, undefined, JSON.stringify(body));
    assert.ok(res.body.errors?.some((e) => e.field === field), `${field}: ${res.text}`);
  }
  for (const [body, field] of [[{}, 'title'], [{ title: 'x', colour: 'red' }, 'colour'], [{ title: 'x', description: 'd'.repeat(64 * 1024 + 1) }, 'description']]) {
    const res = await as.alice.post('/api/v1/problems', body);
    assertProblem(res, 422, undefined, JSON.stringify(body).slice(0, 60));
    assert.equal(res.body.errors[0].field, field);
  }
  const now = await readProblem(as.alice, p.key);
  assert.equal(now.version, 2);
  assert.equal(now.title, 'Mail delivery slow');
  assert.equal(now.root_cause, 'Anti-virus scanning backlog');
  assertProblem(await as.alice.get('/api/v1/problems/PRB-999999'), 404);
  assertProblem(await as.alice.get('/api/v1/problems/INC-000001'), 404);
});

test('incidents caused by a problem: link, show on both sides, one problem per incident, unlink', async () => {
  const p = await create(as.alice, { title: 'Certificate of the intranet expires unnoticed' });
  const q = await create(as.alice, { title: 'Another cause' });
  const a = await logIncident(as.rita, { title: 'Intranet shows a certificate warning' });
  const b = await logIncident(as.rex, { title: 'Browser blocks the intranet' });
  for (const inc of [a, b]) {
    const res = await as.alice.post(`/api/v1/problems/${p.key}/incidents`, { incident: inc.key });
    assert.equal(res.status, 200, res.text);
  }
  const linked = await readProblem(as.alice, p.key);
  assert.deepEqual(linked.incidents.map((i) => i.key).sort(), [a.key, b.key].sort());
  assert.equal(linked.incidents_truncated, false);
  const ia = await read(as.alice, a.key);
  assert.equal(ia.problem, p.key);
  assert.equal(ia.version, a.version + 1, 'linking changes the incident');
  // The reporter sees the link on their incident.
  assert.equal((await read(as.rita, a.key)).problem, p.key);
  // Linking again is harmless; to another problem it is refused.
  assert.equal((await as.alice.post(`/api/v1/problems/${p.key}/incidents`, { incident: a.key })).status, 200);
  assertProblem(await as.alice.post(`/api/v1/problems/${q.key}/incidents`, { incident: a.key }), 409);
  assertProblem(await as.alice.post(`/api/v1/problems/${p.key}/incidents`, { incident: 'INC-999999' }), 422);
  assertProblem(await as.alice.post(`/api/v1/problems/${p.key}/incidents`, { incident: 'banana' }), 422);
  assertProblem(await as.alice.post('/api/v1/problems/PRB-999999/incidents', { incident: a.key }), 404);
  // The incident's timeline records the link.
  const timeline = (await as.alice.get(`/api/v1/incidents/${a.key}/timeline`)).body.items.map((i) => i.action);
  assert.ok(timeline.includes('incident.link_problem'), timeline.join());

  const un = await as.alice.delete(`/api/v1/problems/${p.key}/incidents/${b.key}`);
  assert.equal(un.status, 204);
  assertProblem(await as.alice.delete(`/api/v1/problems/${p.key}/incidents/${b.key}`), 404);
  assert.equal((await read(as.alice, b.key)).problem, null);
  assert.deepEqual((await readProblem(as.alice, p.key)).incidents.map((i) => i.key), [a.key]);
});

test('the problem list: filter by status, full-text search, cursor pagination', async () => {
  const mk = async (title, extra = {}) => (await create(as.bob, { title, ...extra })).key;
  const k1 = await mk('Disk quota alarms on the backup server', { description: 'Zebra backup jobs' });
  const k2 = await mk('Zebra printers print blank labels');
  const k3 = await mk('Scanner firmware crashes');
  await moveProblem(as.bob, k3, 'investigating');
  const zebra = (await as.bob.get('/api/v1/problems?q=zebra')).body.items.map((p) => p.key).sort();
  assert.deepEqual(zebra, [k1, k2].sort());
  assert.deepEqual((await as.bob.get('/api/v1/problems?q=zebra%20printers')).body.items.map((p) => p.key), [k2]);
  assert.ok((await as.bob.get('/api/v1/problems?status=investigating')).body.items.some((p) => p.key === k3));
  assert.ok(!(await as.bob.get('/api/v1/problems?status=new')).body.items.some((p) => p.key === k3));
  assertProblem(await as.bob.get('/api/v1/problems?status=open'), 422);
  assertProblem(await as.bob.get('/api/v1/problems?cursor=garbage'), 422);
  // Paging one at a time visits every problem once, newest first.
  const all = (await as.bob.get('/api/v1/problems?limit=200')).body.items.map((p) => p.key);
  const seen = [];
  let cursor = null;
  do {
    const res = await as.bob.get(`/api/v1/problems?limit=1${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    assert.equal(res.status, 200, res.text);
    seen.push(...res.body.items.map((p) => p.key));
    cursor = res.body.next_cursor;
  } while (cursor);
  assert.deepEqual(seen, all);
  assert.deepEqual(all, [...all].sort().reverse());
});

test('known errors matching an incident title are suggested with their workaround', async () => {
  // Two known errors, one problem still under investigation, one resolved.
  const vpn = await create(as.alice, { title: 'VPN client disconnects on hotel Wi-Fi', description: 'Captive portals break the tunnel.' });
  await moveProblem(as.alice, vpn.key, 'investigating');
  await moveProblem(as.alice, vpn.key, 'known_error', { workaround: 'Open the hotel portal in a browser first, then connect.' });
  const outlook = await create(as.alice, { title: 'Outlook asks for the password again and again' });
  await moveProblem(as.alice, outlook.key, 'investigating');
  await moveProblem(as.alice, outlook.key, 'known_error', { workaround: 'Remove the cached credentials in the Credential Manager.' });
  const sso = await create(as.alice, { title: 'Single sign-on loops', description: 'The login page at sso.example.org redirects forever.' });
  await moveProblem(as.alice, sso.key, 'investigating');
  await moveProblem(as.alice, sso.key, 'known_error', { workaround: 'Clear the cookies of sso.example.org.' });
  const open = await create(as.alice, { title: 'VPN gateway crashes at night' });
  await moveProblem(as.alice, open.key, 'investigating');

  const suggest = async (q, client = as.alice) => {
    const res = await client.get(`/api/v1/known-errors/suggest?q=${encodeURIComponent(q)}`);
    assert.equal(res.status, 200, res.text);
    return res.body;
  };
  // A title as a reporter would type it.
  const s = await suggest('My VPN disconnects in the hotel');
  assert.deepEqual(s.items.map((i) => i.key), [vpn.key]);
  assert.equal(s.items[0].workaround, 'Open the hotel portal in a browser first, then connect.');
  assert.equal(s.items[0].status, 'known_error');
  assert.ok(s.items[0].matched_words >= 3, JSON.stringify(s.items[0]));
  // Words found in the description count too; problems under investigation are not suggested.
  assert.deepEqual((await suggest('captive portal')).items.map((i) => i.key), [vpn.key]);
  assert.deepEqual((await suggest('VPN gateway crashes')).items.map((i) => i.key), [vpn.key]);
  assert.deepEqual((await suggest('outlook password prompt')).items.map((i) => i.key), [outlook.key]);
  // Host names are found by their parts, on every database.
  assert.deepEqual((await suggest('example.org')).items.map((i) => i.key), [sso.key]);
  assert.deepEqual((await suggest('sso.example.org redirects')).items.map((i) => [i.key, i.matched_words]), [[sso.key, 4]]);
  assert.deepEqual((await as.alice.get('/api/v1/problems?q=example.org')).body.items.map((p) => p.key), [sso.key]);
  // Prefixes as the title is being typed.
  assert.deepEqual((await suggest('outl')).items.map((i) => i.key), [outlook.key]);
  // Best match first.
  const both = await suggest('VPN password');
  assert.equal(both.items.length, 2);
  assert.deepEqual((await suggest('nothing like this at all')).items, []);
  assert.deepEqual((await suggest('a an the')).items, []);
  assertProblem(await as.alice.get('/api/v1/known-errors/suggest'), 422);
  assertProblem(await as.alice.get(`/api/v1/known-errors/suggest?q=${'x'.repeat(501)}`), 422);
  // A resolved problem whose workaround stays valid is still suggested; a closed one is not.
  await moveProblem(as.alice, outlook.key, 'resolved', { root_cause: 'Token cache corruption after the update.' });
  assert.deepEqual((await suggest('outlook password')).items.map((i) => i.key), [outlook.key]);
  await moveProblem(as.alice, outlook.key, 'closed');
  assert.deepEqual((await suggest('outlook password')).items.map((i) => i.key), []);
  // The incident logged for it can be linked to the known error.
  const inc = await logIncident(as.alice, { title: 'VPN disconnects in the hotel' });
  const link = await as.alice.post(`/api/v1/problems/${vpn.key}/incidents`, { incident: inc.key });
  assert.equal(link.status, 200, link.text);
  assert.equal((await read(as.alice, inc.key)).problem, vpn.key);
  assert.deepEqual(stable(await read(as.alice, inc.key)).problem, vpn.key);
});

test('concurrent transitions of a problem: exactly one takes effect and is audited', async () => {
  const p = await create(as.alice, { title: 'Raced problem' });
  const clients = [as.alice, as.bob, as.ian, as.sam];
  const results = await Promise.all(clients.map((c) => c.post(`/api/v1/problems/${p.key}/transitions`, { to: 'investigating' })));
  assert.deepEqual(results.map((r) => r.status).sort(), [200, 409, 409, 409], results.map((r) => r.text).join('\n'));
  const now = await readProblem(as.alice, p.key);
  assert.equal(now.status, 'investigating');
  assert.equal(now.version, 2);
  const audited = (await srv.auditEntries()).filter((e) => e.action === 'problem.transition' && e.object_id === p.key);
  assert.equal(audited.length, 1, JSON.stringify(audited));
  // With If-Match, the losers are told their version is stale.
  const withVersion = await Promise.all(clients.map((c) => c.post(`/api/v1/problems/${p.key}/transitions`,
    { to: 'known_error', workaround: 'Restart it.' }, { headers: { 'if-match': '"2"' } })));
  assert.deepEqual(withVersion.map((r) => r.status).sort(), [200, 412, 412, 412]);
});
