// POST /api/v1/demo: an administrator loads demo data into an empty database from the web
// application, through the same loader and services as `custos demo load`; audited, and refused
// once the database holds any incident.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, assertProblem } from '../harness/server.mjs';

let srv;
let admin;

before(async () => {
  srv = await startServer();
  admin = await srv.adminClient();
  await srv.createUser('ines', ['incident_manager']);
});

test('only an administrator may load demo data, and bad input is named', async () => {
  const ines = await srv.userToken('ines');
  assertProblem(await ines.post('/api/v1/demo', {}), 403, 'forbidden');
  assertProblem(await admin.post('/api/v1/demo', { incidents: 0 }), 422, undefined);
  const bad = await admin.post('/api/v1/demo', { incidents: 5, colour: 'red' });
  assert.equal(bad.status, 422, bad.text);
  assert.equal(bad.body.errors?.[0]?.field, 'colour');
  const none = (await admin.get('/api/v1/incidents?limit=1')).body.items;
  assert.equal(none.length, 0, 'a refused request loaded something');
});

test('an empty database gets demo incidents, people and groups, audited; a second load is refused', async () => {
  const res = await admin.post('/api/v1/demo', { incidents: 30 });
  assert.equal(res.status, 201, res.text);
  assert.equal(res.body.incidents, 30);
  assert.ok(res.body.audit_entries >= 30, `audit entries: ${res.body.audit_entries}`);

  const listed = (await admin.get('/api/v1/incidents?limit=100')).body.items;
  assert.equal(listed.length, 30);
  const groups = (await admin.get('/api/v1/groups')).body.items;
  assert.ok(groups.length > 0, 'no demo groups');
  const users = (await admin.get('/api/v1/users?limit=200')).body.items;
  assert.ok(users.some((u) => u.username === 'agent01'), 'no demo agents');

  // Each incident went through the incident service (audited one by one), and the load itself
  // is on record with who asked for it.
  const entries = await srv.auditEntries();
  assert.ok(entries.filter((e) => e.action === 'incident.create').length >= 30);
  const load = entries.find((e) => e.action === 'demo.load');
  assert.ok(load, 'no demo.load audit entry');
  assert.equal(load.actor, 'user:admin');
  assert.equal(load.detail.incidents, 30);
  const verify = await admin.get('/api/v1/audit/verify');
  assert.equal(verify.body.ok, true, verify.text);

  // Never mixed into a database that holds incidents.
  const again = assertProblem(await admin.post('/api/v1/demo', {}), 409, 'conflict');
  assert.match(again.detail, /already holds incidents/);
  assert.equal((await admin.get('/api/v1/incidents?limit=100')).body.items.length, 30);
});
