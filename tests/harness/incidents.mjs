// Shared set-up for the incident management tests: a cast of users with each role, support
// groups with an escalation path, helpers to log and move incidents, and comparisons that
// ignore what moves by itself (the SLA clocks tick between two reads).
import assert from 'node:assert/strict';
import { sleep } from './server.mjs';

// Who is who in the incident tests. Groups: soc-l1 (level 1, managed by lead, escalates to
// soc-l2), soc-l2 (level 2), forensics (level 3, for restricted incidents).
export const CAST = {
  rita: ['reporter'],
  rex: ['reporter'],
  alice: ['agent'], // soc-l1
  bob: ['agent'], // soc-l2
  fiona: ['agent'], // forensics
  olga: ['agent'], // in no group: an outsider to restricted incidents
  lead: ['agent'], // manages soc-l1
  ian: ['incident_manager'],
  sam: ['security_manager'],
  aud: ['auditor'],
  adam: ['admin'], // an admin in no group
};

export async function setUpCast(srv, { emails = false } = {}) {
  const as = { admin: await srv.adminClient() };
  for (const [name, roles] of Object.entries(CAST)) {
    await srv.createUser(name, roles, emails ? { email: `${name}@example.org` } : {});
    as[name] = await srv.userToken(name);
  }
  await group(as.admin, { name: 'soc-l2', level: 2, members: ['bob'] });
  await group(as.admin, { name: 'forensics', level: 3, members: ['fiona'] });
  await group(as.admin, { name: 'soc-l1', level: 1, manager: 'lead', escalation_group: 'soc-l2', members: ['alice'] });
  return as;
}

export async function group(admin, body) {
  const res = await admin.post('/api/v1/groups', body);
  assert.equal(res.status, 201, `group ${body.name}: ${res.text}`);
  return res.body;
}

export const BASE = { title: 'Suspicious login from an unknown address', category: 'intrusion-attempt', impact: 'moderate', urgency: 'medium' };

// Logs an incident and insists on 201.
export async function logIncident(client, fields = {}) {
  const res = await client.post('/api/v1/incidents', { ...BASE, ...fields });
  assert.equal(res.status, 201, `create: ${res.text}`);
  return res.body;
}

export async function read(client, key) {
  const res = await client.get(`/api/v1/incidents/${key}`);
  assert.equal(res.status, 200, `read ${key}: ${res.text}`);
  return res.body;
}

// Moves an incident and insists on 200.
export async function move(client, key, to, extra = {}) {
  const res = await client.post(`/api/v1/incidents/${key}/transitions`, { to, ...extra });
  assert.equal(res.status, 200, `${key} → ${to}: ${res.text}`);
  assert.equal(res.body.status, to);
  return res.body;
}

export const RESOLVE = { resolution_code: 'fixed', resolution_notes: 'Blocked the address and reset the password.' };

// PATCH with the current version as If-Match.
export async function change(client, key, fields) {
  const current = await read(client, key);
  const res = await client.patch(`/api/v1/incidents/${key}`, fields, { headers: { 'if-match': `"${current.version}"` } });
  assert.equal(res.status, 200, `patch ${key}: ${res.text}`);
  return res.body;
}

// An incident read without what the clocks change by themselves between two reads.
export function stable(incident) {
  const copy = structuredClone(incident);
  for (const clock of ['response', 'resolution']) {
    const c = copy.sla?.[clock];
    if (!c) continue;
    delete c.elapsed_ms;
    delete c.remaining_ms;
    delete c.percent;
    delete c.breached;
    // A running clock's due time is fixed; while paused it is null: both are kept.
  }
  return copy;
}

// Every item of a cursor-paged list, with the number of pages it took.
export async function listAll(client, path, query = {}) {
  const items = [];
  let cursor = null;
  let pages = 0;
  do {
    const q = new URLSearchParams(query);
    if (cursor) q.set('cursor', cursor);
    const res = await client.get(`${path}?${q}`);
    assert.equal(res.status, 200, `${path}?${q}: ${res.text}`);
    items.push(...res.body.items);
    cursor = res.body.next_cursor;
    pages += 1;
    assert.ok(pages < 1000, 'pagination does not end');
  } while (cursor);
  return { items, pages };
}

export async function keysOf(client, query = {}) {
  const { items } = await listAll(client, '/api/v1/incidents', query);
  return items.map((i) => i.key);
}

// Polls `probe` until it returns a truthy value; fails with `what` after the deadline.
export async function eventually(probe, what, { timeoutMs = 20_000, everyMs = 100 } = {}) {
  const deadline = Date.now() + timeoutMs;
  let last;
  while (Date.now() < deadline) {
    last = await probe();
    if (last) return last;
    await sleep(everyMs);
  }
  assert.fail(`${what}: not within ${timeoutMs} ms (last: ${JSON.stringify(last)?.slice(0, 500)})`);
}

export const byKey = (a, b) => (a < b ? -1 : a > b ? 1 : 0);
export const sorted = (keys) => [...keys].sort(byKey);
