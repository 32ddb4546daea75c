// Health and readiness, Prometheus metrics, security headers and request ids.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../harness/server.mjs';
import { rawExchange, header } from '../harness/raw.mjs';

let srv;
let admin;

before(async () => {
  srv = await startServer();
  admin = await srv.adminClient();
});

function metric(text, name, labels = '') {
  const line = text.split('\n').find((l) => l.startsWith(`${name}${labels} `) || (labels === '' && l.startsWith(`${name} `)));
  return line === undefined ? undefined : Number(line.split(' ').at(-1));
}

test('/healthz and /readyz answer without credentials', async () => {
  const c = srv.client();
  const h = await c.get('/healthz');
  assert.equal(h.status, 200);
  assert.equal(h.body.status, 'ok');
  const r = await c.get('/readyz');
  assert.equal(r.status, 200);
  assert.equal(r.body.status, 'ready');
  const head = await c.request('HEAD', '/healthz');
  assert.equal(head.status, 200);
  assert.equal(head.text, '');
});

test('/metrics is Prometheus text with request counters and memory', async () => {
  const c = srv.client();
  const first = await c.get('/metrics');
  assert.equal(first.status, 200, first.text);
  assert.match(first.headers.get('content-type'), /^text\/plain/);
  assert.match(first.text, /^# TYPE custos_http_requests_total counter$/m);
  const rss = metric(first.text, 'process_resident_memory_bytes');
  assert.ok(rss > 1_000_000 && rss < 2_000_000_000, `process_resident_memory_bytes ${rss}`);
  const label = '{method="GET",status="2xx"}';
  const before = metric(first.text, 'custos_http_requests_total', label);
  const before4 = metric(first.text, 'custos_http_requests_total', '{method="GET",status="4xx"}');
  assert.ok(Number.isFinite(before), first.text.slice(0, 1000));
  for (let i = 0; i < 5; i++) await c.get('/healthz');
  for (let i = 0; i < 3; i++) await c.get('/api/v1/no-such-thing');
  // A request is counted once its answer has been written, so the client may see the answer a
  // moment before the counter moves: read until it has (or the deadline says it never will).
  let second;
  for (const deadline = Date.now() + 5000; ; ) {
    second = (await c.get('/metrics')).text;
    const counted =
      metric(second, 'custos_http_requests_total', label) >= before + 5 &&
      metric(second, 'custos_http_requests_total', '{method="GET",status="4xx"}') >= before4 + 3;
    if (counted || Date.now() > deadline) break;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  assert.ok(metric(second, 'custos_http_requests_total', label) >= before + 5, second.slice(0, 2000));
  assert.ok(metric(second, 'custos_http_requests_total', '{method="GET",status="4xx"}') >= before4 + 3);
  assert.ok(metric(second, 'custos_audit_entries') >= 1, 'audit gauge');
  // Every sample line is "name{labels} number".
  for (const line of second.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    assert.match(line, /^[a-zA-Z_:][a-zA-Z0-9_:]*(\{[^}]*\})? -?[0-9.e+Inf-]+$/, line);
  }
});

test('security headers are on every kind of response', async () => {
  const responses = {
    json: await admin.get('/api/v1/me'),
    problem: await admin.get('/api/v1/users/nobody-at-all'),
    unauthenticated: await srv.client().get('/api/v1/users'),
    metrics: await srv.client().get('/metrics'),
    openapi: await srv.client().get('/api/v1/openapi.json'),
    '405': await admin.request('PUT', '/api/v1/me', { json: {} }),
  };
  for (const [what, r] of Object.entries(responses)) {
    const h = r.headers;
    assert.equal(h.get('x-content-type-options'), 'nosniff', what);
    assert.equal(h.get('x-frame-options'), 'DENY', what);
    assert.match(h.get('content-security-policy') ?? '', /default-src 'self'/, what);
    assert.match(h.get('content-security-policy') ?? '', /frame-ancestors 'none'/, what);
    assert.ok(h.get('referrer-policy'), what);
    assert.equal(h.get('strict-transport-security'), null, `${what}: no HSTS on plain http`);
    assert.ok(!/boost|beast/i.test(h.get('server') ?? ''), `${what}: Server header reveals ${h.get('server')}`);
  }
  for (const what of ['json', 'problem', 'unauthenticated']) {
    assert.equal(responses[what].headers.get('cache-control'), 'no-store', `${what}: API answers are not cached`);
  }
  // Even the answer to a request that could not be parsed.
  const raw = await rawExchange(srv.port, ['NOT HTTP AT ALL\r\n\r\n']);
  if (raw.status !== null) {
    assert.equal(header(raw.head, 'x-content-type-options'), 'nosniff');
    assert.ok(header(raw.head, 'content-security-policy'));
  }
});

test('X-Request-Id is echoed when sane and generated otherwise', async () => {
  const c = srv.client();
  const sane = 'req-123_abc.XYZ';
  let r = await c.get('/healthz', { headers: { 'x-request-id': sane } });
  assert.equal(r.headers.get('x-request-id'), sane);
  r = await admin.get('/api/v1/nothing', { headers: { 'x-request-id': sane } });
  assert.equal(r.headers.get('x-request-id'), sane, 'echoed on errors too');

  const generated = new Set();
  for (const bad of [undefined, 'has spaces in it', 'x'.repeat(200), '<script>alert(1)</script>', 'ünïcödé', "quote'n\"semi;"]) {
    const headers = bad === undefined ? {} : { 'x-request-id': bad };
    r = await c.get('/healthz', { headers });
    const id = r.headers.get('x-request-id');
    assert.ok(id, `no request id for ${bad}`);
    assert.notEqual(id, bad);
    assert.match(id, /^[A-Za-z0-9_-]{8,64}$/, `generated id ${id}`);
    generated.add(id);
  }
  assert.equal(generated.size, 6, 'generated ids are unique');
  // The access log names the request id, so a report can be traced.
  await new Promise((resolve) => setTimeout(resolve, 100));
  assert.ok(srv.log().includes(sane), 'the access log records the request id');
});
