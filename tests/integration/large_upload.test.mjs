// Bodies larger than the server's in-memory limit: a route that takes them (evidence content)
// gets them spooled to disk, but only after the request is authenticated and authorised, and
// never beyond the route's own limit. Here the in-memory limit is 64 KiB, so every upload of the
// test takes the spooled path.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { startServer, assertProblem } from '../harness/server.mjs';
import { setUpCast, logIncident } from '../harness/incidents.mjs';
import { rawExchange } from '../harness/raw.mjs';

let srv;
let as;
let incident;

before(async () => {
  srv = await startServer({
    env: { CUSTOS_SERVER_MAX_BODY_BYTES: String(64 * 1024), CUSTOS_EVIDENCE_MAX_UPLOAD_BYTES: String(8 * 1024 * 1024) },
  });
  as = await setUpCast(srv);
  incident = (await logIncident(as.alice)).key;
});

async function newItem() {
  const res = await as.alice.post(`/api/v1/incidents/${incident}/evidence`, { type: 'log_extract', description: 'auth.log of the gateway', collected_by: 'alice' });
  assert.equal(res.status, 201, res.text);
  return res.body.key;
}

const spoolFiles = () => fs.readdirSync(path.join(srv.dataDir, 'spool'));

test('a body beyond the in-memory limit is spooled, hashed and stored; the spool is left empty', async () => {
  const key = await newItem();
  const content = crypto.randomBytes(3 * 1024 * 1024 + 17);
  const res = await as.alice.request('PUT', `/api/v1/evidence/${key}/content`, {
    body: content, headers: { 'content-type': 'application/octet-stream' },
  });
  assert.equal(res.status, 201, res.text);
  assert.equal(res.body.content.sha256, crypto.createHash('sha256').update(content).digest('hex'));
  assert.equal(res.body.content.size, content.length);
  const down = await fetch(`${srv.baseUrl}/api/v1/evidence/${key}/content`, { headers: { authorization: `Bearer ${as.alice.token}` } });
  assert.equal(down.status, 200);
  assert.ok(Buffer.from(await down.arrayBuffer()).equals(content));
  assert.deepEqual(spoolFiles(), []);
});

test('a chunked body is spooled too', async () => {
  const key = await newItem();
  const content = crypto.randomBytes(200_000);
  const stream = new ReadableStream({
    start(controller) {
      for (let i = 0; i < content.length; i += 50_000) controller.enqueue(content.subarray(i, i + 50_000));
      controller.close();
    },
  });
  const res = await fetch(`${srv.baseUrl}/api/v1/evidence/${key}/content`, {
    method: 'PUT', body: stream, duplex: 'half',
    headers: { authorization: `Bearer ${as.alice.token}`, 'content-type': 'application/octet-stream' },
  });
  const text = await res.text();
  assert.equal(res.status, 201, text);
  assert.equal(JSON.parse(text).content.sha256, crypto.createHash('sha256').update(content).digest('hex'));
});

test('nobody may send a large body before being authenticated and authorised', async () => {
  const key = await newItem();
  const head = (auth) => `PUT /api/v1/evidence/${key}/content HTTP/1.1\r\nHost: x\r\n${auth}Content-Type: application/octet-stream\r\nContent-Length: 5000000\r\nExpect: 100-continue\r\n\r\n`;
  const anonymous = await rawExchange(srv.port, [head('')]);
  assert.equal(anonymous.status, 401, anonymous.text);
  const reporter = await rawExchange(srv.port, [head(`Authorization: Bearer ${as.rita.token}\r\n`)]);
  assert.equal(reporter.status, 403, reporter.text);
  // Allowed: the server says go on before a byte of the body was sent.
  const allowed = await rawExchange(srv.port, [head(`Authorization: Bearer ${as.alice.token}\r\n`)], { timeoutMs: 1000 });
  assert.equal(allowed.status, 100, allowed.text);
  const deadline = Date.now() + 5000;
  while (spoolFiles().length > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  assert.deepEqual(spoolFiles(), []);
});

test('a body over the route limit is a 413, and a body cut short stores nothing', async () => {
  const key = await newItem();
  const big = await as.alice.request('PUT', `/api/v1/evidence/${key}/content`, {
    body: Buffer.alloc(9 * 1024 * 1024), headers: { 'content-type': 'application/octet-stream' },
  });
  assertProblem(big, 413);
  const cut = await rawExchange(srv.port, [
    `PUT /api/v1/evidence/${key}/content HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${as.alice.token}\r\nContent-Type: application/octet-stream\r\nContent-Length: 1000000\r\n\r\n`,
    Buffer.alloc(300_000),
  ], { timeoutMs: 500 });
  assert.equal(cut.status, null);
  const item = await as.alice.get(`/api/v1/evidence/${key}`);
  assert.equal(item.body.content, null);
  // The spooled part is removed once the server gives up on the connection.
  const deadline = Date.now() + 5000;
  while (spoolFiles().length > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  assert.deepEqual(spoolFiles(), []);
});
