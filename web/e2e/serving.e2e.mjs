// How the binary serves the web application, over plain HTTP: content types, caching, gzip,
// client-side pages, and that none of it reaches into the API.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { gunzipSync } from 'node:zlib';
import { startServer } from '../../tests/harness/server.mjs';

let srv;
let index;
let scripts;

before(async () => {
  srv = await startServer();
  const res = await fetch(`${srv.baseUrl}/`);
  index = await res.text();
  scripts = [...index.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)].map((m) => m[1]);
});

test('the page and its files come with the right types and caching', async () => {
  const res = await fetch(`${srv.baseUrl}/`);
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-type'), 'text/html; charset=utf-8');
  assert.equal(res.headers.get('cache-control'), 'no-cache');
  assert.match(res.headers.get('content-security-policy'), /default-src 'self'/);
  assert.match(index, /<div id="root"><\/div>/);
  assert.doesNotMatch(index, /<script(?![^>]*\bsrc=)[^>]*>/, 'an inline script would be blocked by the CSP');

  assert.ok(scripts.some((s) => s.endsWith('.js')), `no script in ${index}`);
  assert.ok(scripts.some((s) => s.endsWith('.css')), 'no stylesheet');
  for (const path of scripts) {
    const r = await fetch(`${srv.baseUrl}${path}`);
    assert.equal(r.status, 200, path);
    assert.equal(r.headers.get('cache-control'), 'public, max-age=31536000, immutable', path);
    const type = r.headers.get('content-type');
    if (path.endsWith('.js')) assert.equal(type, 'text/javascript; charset=utf-8');
    if (path.endsWith('.css')) assert.equal(type, 'text/css; charset=utf-8');
    if (path.endsWith('.svg')) assert.equal(type, 'image/svg+xml');
    await r.arrayBuffer();
  }
});

test('gzip is sent to clients that accept it, and only to them', async () => {
  const js = scripts.find((s) => s.endsWith('.js'));
  const raw = (await import('node:http')).default;
  const get = (headers) =>
    new Promise((resolve, reject) => {
      raw.get(`${srv.baseUrl}${js}`, { headers }, (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => resolve({ headers: res.headers, body: Buffer.concat(chunks) }));
      }).on('error', reject);
    });
  const plain = await get({});
  const zipped = await get({ 'accept-encoding': 'gzip, deflate' });
  assert.equal(plain.headers['content-encoding'], undefined);
  assert.equal(zipped.headers['content-encoding'], 'gzip');
  assert.equal(zipped.headers.vary, 'Accept-Encoding');
  assert.ok(zipped.body.length < plain.body.length / 2, `gzip saved too little: ${zipped.body.length} of ${plain.body.length}`);
  assert.ok(gunzipSync(zipped.body).equals(plain.body), 'the gzipped body is not the same file');
});

test('an unchanged page is not sent again', async () => {
  const first = await fetch(`${srv.baseUrl}/`);
  const etag = first.headers.get('etag');
  assert.match(etag, /^"[0-9a-f]+"$/);
  const again = await fetch(`${srv.baseUrl}/`, { headers: { 'if-none-match': etag } });
  assert.equal(again.status, 304);
  assert.equal(await again.text(), '');
});

test('client-side pages answer the application, files and the API never do', async () => {
  for (const path of ['/incidents', '/incidents/INC-000042', '/admin/matrix', '/report']) {
    const r = await fetch(`${srv.baseUrl}${path}`);
    assert.equal(r.status, 200, path);
    assert.equal(await r.text(), index, path);
  }
  for (const path of ['/assets/missing-0000.js', '/robots.txt', '/api/v1/no-such-thing', '/api']) {
    const r = await fetch(`${srv.baseUrl}${path}`);
    assert.equal(r.status, 404, path);
    assert.equal(r.headers.get('content-type'), 'application/problem+json', path);
  }
  // A known API path with the wrong method is still a 405, not the page.
  const login = await fetch(`${srv.baseUrl}/api/v1/auth/login`);
  assert.equal(login.status, 405);
  // Only GET and HEAD reach the pages.
  const post = await fetch(`${srv.baseUrl}/incidents`, { method: 'POST' });
  assert.equal(post.status, 404);
  const head = await fetch(`${srv.baseUrl}/incidents`, { method: 'HEAD', headers: { 'accept-encoding': 'identity' } });
  assert.equal(head.status, 200);
  assert.equal(Number(head.headers.get('content-length')), Buffer.byteLength(index));
});

test('the pages are not part of the API document', async () => {
  const doc = await (await fetch(`${srv.baseUrl}/api/v1/openapi.json`)).json();
  assert.ok(!('/' in doc.paths));
  assert.ok(Object.keys(doc.paths).every((p) => p.startsWith('/api/') || ['/healthz', '/readyz', '/metrics'].includes(p)));
});
