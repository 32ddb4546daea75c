// Finding incidents: filters, sort orders, cursor pagination, full-text search over title,
// description and worklog, and saved views. The expected result sets are written out, so the
// same test proves the same answers on SQLite and on PostgreSQL.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, assertProblem } from '../harness/server.mjs';
import { setUpCast, logIncident, move, change, listAll, keysOf, sorted, RESOLVE } from '../harness/incidents.mjs';

let srv;
let as;
const K = {}; // letter → incident key

// The data set, in the order it is logged (so A has the smallest id).
//   key reporter priority status      group/assignee   text
//   A   rita     P1       in_progress soc-l1/alice     title: ransomware
//   B   rita     P3       new         -                description: invoice.zip ... ransomware
//   C   rex      P4       assigned    soc-l2/bob       description: host name; public worklog: ransomware
//   D   rita     P3       pending     soc-l1/alice     internal worklog: ransomware
//   E   rex      P2       resolved    soc-l2/bob       title: invoice
//   F   alice    P4       cancelled   -                title: an IP address
//   G   rita     P3       new         -                title: Wi-Fi, description: guest_wifi
before(async () => {
  srv = await startServer();
  as = await setUpCast(srv);
  const log = async (letter, client, fields) => {
    K[letter] = (await logIncident(client, fields)).key;
  };
  await log('A', as.rita, { title: 'Ransomware note on the finance share', category: 'malicious-code', impact: 'extensive', urgency: 'critical' });
  await log('B', as.rita, { title: 'Phishing mail with an invoice', description: 'The invoice.zip attachment contained RANSOMWARE according to the scanner.', category: 'fraud', impact: 'moderate', urgency: 'medium' });
  await log('C', as.rex, { title: 'Slow VPN in the evening', description: 'Connecting through vpn-gw01.example.org takes minutes.', category: 'availability', impact: 'minor', urgency: 'low' });
  await log('D', as.rita, { title: 'USB stick found in the car park', category: 'other', impact: 'moderate', urgency: 'high' });
  await log('E', as.rex, { title: 'Invoice from an unknown supplier', description: 'Asks us to pay to a new IBAN.', category: 'fraud', impact: 'significant', urgency: 'high' });
  await log('F', as.alice, { title: 'Port scan from 203.0.113.7', category: 'information-gathering', subcategory: 'scanner', impact: 'minor', urgency: 'medium' });
  await log('G', as.rita, { title: 'Wi-Fi password posted on the intranet', description: 'Someone posted the guest_wifi password.', category: 'information-content-security', impact: 'significant', urgency: 'medium' });

  await change(as.alice, K.A, { group: 'soc-l1', assignee: 'alice' });
  await move(as.alice, K.A, 'in_progress');
  await change(as.bob, K.C, { group: 'soc-l2', assignee: 'bob' });
  const pub = await as.bob.post(`/api/v1/incidents/${K.C}/worklog`, { body: 'Looks like ransomware traffic saturating the uplink.', visibility: 'public' });
  assert.equal(pub.status, 201, pub.text);
  await change(as.alice, K.D, { group: 'soc-l1', assignee: 'alice' });
  const internal = await as.alice.post(`/api/v1/incidents/${K.D}/worklog`, { body: 'Lab analysis: a ransomware dropper on the stick.' });
  assert.equal(internal.status, 201, internal.text);
  assert.equal(internal.body.visibility, 'internal', 'the service desk writes internal entries by default');
  await move(as.alice, K.D, 'in_progress');
  await move(as.alice, K.D, 'pending', { pending_reason: 'third_party' });
  await change(as.bob, K.E, { group: 'soc-l2', assignee: 'bob' });
  await move(as.bob, K.E, 'in_progress');
  await move(as.bob, K.E, 'resolved', RESOLVE);
  await move(as.alice, K.F, 'cancelled', { cancel_reason: 'false_positive' });
});

const keys = (...letters) => sorted(letters.map((l) => K[l]));
const found = async (client, query) => sorted(await keysOf(client, query));

test('filters: status, priority, assignee, group, reporter, category, alone and combined', async () => {
  const cases = [
    [{}, keys('A', 'B', 'C', 'D', 'E', 'F', 'G')],
    [{ status: 'new' }, keys('B', 'G')],
    [{ status: 'new,assigned' }, keys('B', 'C', 'G')],
    [{ status: 'pending' }, keys('D')],
    [{ status: 'resolved,cancelled' }, keys('E', 'F')],
    [{ priority: '1' }, keys('A')],
    [{ priority: 'P3,P4' }, keys('B', 'C', 'D', 'F', 'G')],
    [{ assignee: 'alice' }, keys('A', 'D')],
    [{ assignee: 'bob' }, keys('C', 'E')],
    [{ assignee: 'none' }, keys('B', 'F', 'G')],
    [{ group: 'soc-l1' }, keys('A', 'D')],
    [{ group: 'none' }, keys('B', 'F', 'G')],
    [{ reporter: 'rita' }, keys('A', 'B', 'D', 'G')],
    [{ category: 'fraud' }, keys('B', 'E')],
    [{ category: 'scanner' }, keys('F')],
    [{ status: 'new', priority: '3' }, keys('B', 'G')],
    [{ assignee: 'alice', status: 'pending' }, keys('D')],
    [{ assignee: 'alice', priority: '2' }, []],
    [{ major: 'true' }, []],
    [{ restricted: 'false' }, keys('A', 'B', 'C', 'D', 'E', 'F', 'G')],
  ];
  for (const [query, expected] of cases) {
    assert.deepEqual(await found(as.alice, query), expected, JSON.stringify(query));
  }
  // 'me' is the caller.
  assert.deepEqual(await found(as.alice, { assignee: 'me' }), keys('A', 'D'));
  assert.deepEqual(await found(as.rex, { reporter: 'me' }), keys('C', 'E'));
  // Reporters see what they reported, whatever they filter on.
  assert.deepEqual(await found(as.rita, {}), keys('A', 'B', 'D', 'G'));
  assert.deepEqual(await found(as.rita, { reporter: 'rex' }), []);
  assert.deepEqual(await found(as.rex, { status: 'new,assigned,resolved' }), keys('C', 'E'));
  // Created since / until.
  const all = (await listAll(as.alice, '/api/v1/incidents', { sort: 'created' })).items;
  const cut = all.find((i) => i.key === K.D).created_at;
  const since = await found(as.alice, { created_since: cut });
  assert.ok(since.includes(K.D) && since.includes(K.G) && !since.includes(K.A), since.join());
  const until = await found(as.alice, { created_until: cut });
  assert.ok(!until.includes(K.D) && until.includes(K.A) && !until.includes(K.G), until.join());
});

test('bad filters are 422 naming the parameter', async () => {
  for (const [query, field] of [
    [{ status: 'open' }, 'status'],
    [{ priority: '5' }, 'priority'],
    [{ priority: 'high' }, 'priority'],
    [{ assignee: 'nobody' }, 'assignee'],
    [{ group: 'no-such-group' }, 'group'],
    [{ major: 'yes' }, 'major'],
    [{ created_since: 'yesterday' }, 'created_since'],
    [{ sort: 'title' }, 'sort'],
    [{ limit: '0' }, 'limit'],
    [{ limit: '201' }, 'limit'],
    [{ cursor: 'bogus' }, 'cursor'],
    [{ colour: 'red' }, 'colour'],
  ]) {
    const res = await as.alice.get(`/api/v1/incidents?${new URLSearchParams(query)}`);
    assertProblem(res, 422, undefined, JSON.stringify(query));
    assert.ok(res.body.errors?.some((e) => e.field === field) || res.body.detail.includes(field), `${field}: ${res.text}`);
  }
});

// The sort keys a list must follow; ties are broken by id in the direction the order says.
const n = (key) => Number(key.slice(4));
const due = (i) => (i.sla.resolution.due_at ? Date.parse(i.sla.resolution.due_at) : Number.MAX_SAFE_INTEGER);
const ORDERS = {
  '-created': (a, b) => n(b.key) - n(a.key),
  created: (a, b) => n(a.key) - n(b.key),
  '-updated': (a, b) => Date.parse(b.updated_at) - Date.parse(a.updated_at) || n(b.key) - n(a.key),
  updated: (a, b) => Date.parse(a.updated_at) - Date.parse(b.updated_at) || n(a.key) - n(b.key),
  priority: (a, b) => a.priority - b.priority || n(b.key) - n(a.key),
  due: (a, b) => due(a) - due(b) || n(a.key) - n(b.key),
};

test('every sort order is followed, and cursor pagination visits every incident exactly once', async () => {
  for (const [sort, order] of Object.entries(ORDERS)) {
    const whole = await as.alice.get(`/api/v1/incidents?sort=${encodeURIComponent(sort)}&limit=200`);
    assert.equal(whole.status, 200, whole.text);
    assert.equal(whole.body.next_cursor, null);
    const expected = [...whole.body.items].sort(order).map((i) => i.key);
    assert.deepEqual(whole.body.items.map((i) => i.key), expected, `sort=${sort}`);
    assert.equal(expected.length, 7);
    for (const limit of [1, 2, 3, 6]) {
      const { items, pages } = await listAll(as.alice, '/api/v1/incidents', { sort, limit: String(limit) });
      assert.deepEqual(items.map((i) => i.key), expected, `sort=${sort} limit=${limit}`);
      assert.equal(pages, Math.ceil(7 / limit), `pages for limit ${limit}`);
    }
  }
  // The shipped orders on this data set, written out.
  assert.deepEqual((await listAll(as.alice, '/api/v1/incidents', {})).items.map((i) => i.key),
    ['G', 'F', 'E', 'D', 'C', 'B', 'A'].map((l) => K[l]));
  assert.deepEqual((await listAll(as.alice, '/api/v1/incidents', { sort: 'priority', limit: '2' })).items.map((i) => i.key),
    ['A', 'E', 'G', 'D', 'B', 'F', 'C'].map((l) => K[l]));
  // Pagination with a filter and a search pages through the filtered set only.
  const { items } = await listAll(as.alice, '/api/v1/incidents', { priority: '3,4', sort: 'created', limit: '2' });
  assert.deepEqual(items.map((i) => i.key), ['B', 'C', 'D', 'F', 'G'].map((l) => K[l]));
  // A cursor belongs to its sort order.
  const first = await as.alice.get('/api/v1/incidents?sort=priority&limit=2');
  assert.ok(first.body.next_cursor);
  assertProblem(await as.alice.get(`/api/v1/incidents?sort=created&limit=2&cursor=${encodeURIComponent(first.body.next_cursor)}`), 422);
});

test('full-text search over title, description and worklog finds the same incidents on every database', async () => {
  const cases = [
    // title, description (any case), public worklog and internal worklog
    ['ransomware', keys('A', 'B', 'C', 'D')],
    ['RansomWare', keys('A', 'B', 'C', 'D')],
    // every word must occur
    ['ransomware invoice', keys('B')],
    ['invoice', keys('B', 'E')],
    ['invoice zip', keys('B')],
    ['finance ransomware note', keys('A')],
    // host names, addresses, joined words: found by their parts and as typed
    ['vpn-gw01.example.org', keys('C')],
    ['example.org', keys('C')],
    ['gw01', keys('C')],
    ['203.0.113.7', keys('F')],
    ['wi-fi', keys('G')],
    ['wifi', keys('G')],
    ['guest_wifi', keys('G')],
    // whole words only, and query syntax is searched for, not obeyed
    ['ransom', []],
    ['ransomware OR phishing', []],
    ['"ransomware"', keys('A', 'B', 'C', 'D')],
    ['ransomware*', keys('A', 'B', 'C', 'D')],
    ['title:invoice', []],
    ['NEAR(ransomware invoice)', []],
    ['*', []],
    ['-', []],
    ['nothing-matches-this', []],
  ];
  for (const [q, expected] of cases) {
    assert.deepEqual(await found(as.alice, { q }), expected, `q=${q}`);
  }
  // Search combines with filters and sorts.
  assert.deepEqual(await found(as.alice, { q: 'ransomware', status: 'in_progress,pending' }), keys('A', 'D'));
  assert.deepEqual((await listAll(as.alice, '/api/v1/incidents', { q: 'ransomware', sort: 'created', limit: '1' })).items.map((i) => i.key),
    ['A', 'B', 'C', 'D'].map((l) => K[l]));
  // Auditors read internal entries, so they find by them too.
  assert.deepEqual(await found(as.aud, { q: 'ransomware' }), keys('A', 'B', 'C', 'D'));
  assert.deepEqual(await found(as.aud, { q: 'dropper' }), keys('D'));
});

test('internal worklog text is not searchable by those who cannot read internal entries', async () => {
  // D is rita's; its only mention of ransomware and the dropper is internal.
  assert.deepEqual(await found(as.rita, { q: 'ransomware' }), keys('A', 'B'));
  assert.deepEqual(await found(as.rita, { q: 'dropper' }), []);
  assert.deepEqual(await found(as.rita, { q: 'lab analysis' }), []);
  assert.deepEqual(await found(as.alice, { q: 'lab analysis' }), keys('D'));
  // Public worklog is the reporter's to search.
  assert.deepEqual(await found(as.rex, { q: 'ransomware' }), keys('C'));
  assert.deepEqual(await found(as.rex, { q: 'uplink' }), keys('C'));
  // A reporter's own note is public, and searchable.
  const note = await as.rita.post(`/api/v1/incidents/${K.G}/worklog`, { body: 'I saw the password on the canteen screen too.' });
  assert.equal(note.status, 201, note.text);
  assert.equal(note.body.visibility, 'public');
  assert.deepEqual(await found(as.rita, { q: 'canteen' }), keys('G'));
  assert.deepEqual(await found(as.alice, { q: 'canteen' }), keys('G'));
});

test('changes to title and description are searchable at once, and the old words are gone', async () => {
  const inc = await logIncident(as.alice, { title: 'Temporary wording alpha', description: 'bravo' });
  assert.deepEqual(await found(as.alice, { q: 'alpha bravo' }), [inc.key]);
  await change(as.alice, inc.key, { title: 'Reworded charlie', description: 'delta' });
  assert.deepEqual(await found(as.alice, { q: 'alpha' }), []);
  assert.deepEqual(await found(as.alice, { q: 'bravo' }), []);
  assert.deepEqual(await found(as.alice, { q: 'charlie delta' }), [inc.key]);
  await move(as.alice, inc.key, 'cancelled', { cancel_reason: 'not_an_incident' });
});

test('saved views belong to their user, hold a valid list query, and reproduce the list', async () => {
  const created = await as.alice.post('/api/v1/me/views', { name: 'New P3', query: 'status=new&priority=P3' });
  assert.equal(created.status, 201, created.text);
  assert.equal(created.body.name, 'New P3');
  assert.equal(created.body.query, 'status=new&priority=P3');
  assert.equal(created.headers.get('location'), `/api/v1/me/views/${created.body.id}`);
  const mine = await as.alice.post('/api/v1/me/views', { name: 'Mine by due time', query: 'assignee=me&sort=due' });
  assert.equal(mine.status, 201, mine.text);
  // The view's query gives the list it was saved for.
  assert.deepEqual(sorted((await as.alice.get(`/api/v1/incidents?${created.body.query}`)).body.items.map((i) => i.key)), keys('B', 'G'));
  assert.deepEqual(sorted((await as.alice.get(`/api/v1/incidents?${mine.body.query}`)).body.items.map((i) => i.key)), keys('A', 'D'));

  const list = await as.alice.get('/api/v1/me/views');
  assert.equal(list.status, 200);
  assert.deepEqual(list.body.items.map((v) => v.name).sort(), ['Mine by due time', 'New P3']);
  // Another user has their own (empty) set, and cannot delete Alice's.
  assert.deepEqual((await as.bob.get('/api/v1/me/views')).body.items, []);
  assertProblem(await as.bob.delete(`/api/v1/me/views/${created.body.id}`), 404);
  const bobs = await as.bob.post('/api/v1/me/views', { name: 'New P3', query: 'status=new' });
  assert.equal(bobs.status, 201, 'the same name is fine for another user');
  const ritas = await as.rita.post('/api/v1/me/views', { name: 'Mine', query: 'reporter=me' });
  assert.equal(ritas.status, 201, ritas.text);

  // Bad views are refused and nothing is saved.
  assertProblem(await as.alice.post('/api/v1/me/views', { name: 'New P3', query: 'status=new' }), 409);
  for (const [body, field] of [
    [{ name: 'Bad status', query: 'status=open' }, 'query'],
    [{ name: 'Unknown', query: 'colour=red' }, 'query'],
    [{ name: 'Bad sort', query: 'sort=title' }, 'query'],
    [{ name: '', query: 'status=new' }, 'name'],
    [{ query: 'status=new' }, 'name'],
    [{ name: 'Extra', query: 'status=new', shared: true }, 'shared'],
  ]) {
    const res = await as.alice.post('/api/v1/me/views', body);
    assertProblem(res, 422, undefined, JSON.stringify(body));
    assert.ok(res.body.errors?.some((e) => e.field === field) || res.body.detail.includes(field), `${field}: ${res.text}`);
  }
  assert.equal((await as.alice.get('/api/v1/me/views')).body.items.length, 2);

  const del = await as.alice.delete(`/api/v1/me/views/${created.body.id}`);
  assert.equal(del.status, 204);
  assertProblem(await as.alice.delete(`/api/v1/me/views/${created.body.id}`), 404);
  assert.deepEqual((await as.alice.get('/api/v1/me/views')).body.items.map((v) => v.name), ['Mine by due time']);
  assert.deepEqual((await as.bob.get('/api/v1/me/views')).body.items.map((v) => v.name), ['New P3']);
});
