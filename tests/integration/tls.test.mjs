// TLS (certificate and key in the configuration): cookies become Secure, HSTS is sent, plain HTTP
// on the TLS port gets nothing.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, ADMIN_PASSWORD } from '../harness/server.mjs';
import { rawExchange } from '../harness/raw.mjs';

// The harness makes a self-signed certificate; only this file's process accepts it.
process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';

let srv;

before(async () => {
  srv = await startServer({ tls: true });
});

test('the server answers over HTTPS with HSTS', async () => {
  assert.match(srv.baseUrl, /^https:/);
  const r = await srv.client().get('/readyz');
  assert.equal(r.status, 200);
  assert.match(r.headers.get('strict-transport-security') ?? '', /max-age=\d+/);
});

test('under TLS both cookies carry Secure', async () => {
  const s = await srv.login('admin', ADMIN_PASSWORD);
  const session = s.setCookie.find((c) => c.startsWith('custos_session='));
  const csrf = s.setCookie.find((c) => c.startsWith('custos_csrf='));
  assert.match(session, /;\s*Secure/i);
  assert.match(session, /;\s*HttpOnly/i);
  assert.match(session, /;\s*SameSite=Strict/i);
  assert.match(csrf, /;\s*Secure/i);
  assert.equal((await s.get('/api/v1/me')).body.username, 'admin');
});

test('plain HTTP on the TLS port is not served', async () => {
  const r = await rawExchange(srv.port, ['GET /api/v1/openapi.json HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'], { timeoutMs: 5000 });
  assert.notEqual(r.closedBy, 'timeout', 'the connection was left hanging');
  assert.ok(!/"openapi"/.test(r.text), 'answered in clear text');
  assert.equal((await srv.client().get('/healthz')).status, 200, 'still serving TLS');
});
