// Turns Vite's output folder into a C++ source that the custos binary compiles in, and measures
// what a browser downloads on its first visit. Pure functions, tested by scripts/embed.test.mjs.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';

export const CONTENT_TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.webp': 'image/webp',
  '.woff2': 'font/woff2',
  '.json': 'application/json',
  '.webmanifest': 'application/manifest+json',
  '.txt': 'text/plain; charset=utf-8',
  '.map': 'application/json',
};

// Types worth compressing (images and fonts here are compressed already).
const COMPRESSIBLE = new Set(['.html', '.js', '.mjs', '.css', '.svg', '.json', '.webmanifest', '.txt', '.map']);

export function contentType(file) {
  const type = CONTENT_TYPES[path.extname(file).toLowerCase()];
  if (!type) throw new Error(`${file}: no content type is known for this kind of file; add it to CONTENT_TYPES`);
  return type;
}

export function gzip(buffer) {
  return zlib.gzipSync(buffer, { level: 9 });
}

// One asset as served: the precompressed body only when it is worth it (saves ≥ 5 %).
export function asset(urlPath, body) {
  const ext = path.extname(urlPath).toLowerCase();
  let compressed = Buffer.alloc(0);
  if (COMPRESSIBLE.has(ext)) {
    const z = gzip(body);
    if (z.length < body.length * 0.95) compressed = z;
  }
  const etag = `"${createHash('sha256').update(body).digest('hex').slice(0, 20)}"`;
  return { path: urlPath, contentType: contentType(urlPath), body, gzip: compressed, etag };
}

// Every file under dir, as assets with URL paths ("/assets/index-abc.js"), sorted.
export function collect(dir) {
  const out = [];
  const walk = (d) => {
    for (const entry of fs.readdirSync(d, { withFileTypes: true })) {
      const full = path.join(d, entry.name);
      if (entry.isDirectory()) walk(full);
      else out.push(asset('/' + path.relative(dir, full).split(path.sep).join('/'), fs.readFileSync(full)));
    }
  };
  walk(dir);
  return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

// A C++ string literal for any bytes: printable ASCII as is, the rest as three-digit octal
// escapes (so a following digit can never extend one), split into lines.
export function cppStringLiteral(buffer, lineLength = 100) {
  const lines = [];
  let line = '';
  for (const byte of buffer) {
    let piece;
    if (byte === 0x22) piece = '\\"';
    else if (byte === 0x5c) piece = '\\\\';
    else if (byte === 0x3f) piece = '\\?'; // never a trigraph
    else if (byte >= 0x20 && byte < 0x7f) piece = String.fromCharCode(byte);
    else piece = '\\' + byte.toString(8).padStart(3, '0');
    line += piece;
    if (line.length >= lineLength) {
      lines.push(`"${line}"`);
      line = '';
    }
  }
  if (line || lines.length === 0) lines.push(`"${line}"`);
  return lines.join('\n    ');
}

export function cppSource(assets) {
  const parts = [
    '// Generated from web/ by web/scripts/build.mjs during the build. Do not edit.',
    '#include "app/web_assets.hpp"',
    '',
    '#pragma GCC diagnostic ignored "-Woverlength-strings"',
    '',
    'namespace custos::app {',
    'namespace {',
    '',
  ];
  assets.forEach((a, i) => {
    parts.push(`// ${a.path}: ${a.body.length} bytes${a.gzip.length ? `, ${a.gzip.length} gzipped` : ''}`);
    parts.push(`constexpr char kBody${i}[] =\n    ${cppStringLiteral(a.body)};`);
    parts.push(`constexpr char kGzip${i}[] =\n    ${cppStringLiteral(a.gzip)};`);
    parts.push('');
  });
  parts.push('const WebAsset kAssets[] = {');
  assets.forEach((a, i) => {
    parts.push(`    {${JSON.stringify(a.path)}, ${JSON.stringify(a.contentType)}, {kBody${i}, ${a.body.length}},` +
      ` {kGzip${i}, ${a.gzip.length}}, ${JSON.stringify(a.etag)}},`);
  });
  if (assets.length === 0) parts.push('    {},');
  parts.push('};');
  parts.push('');
  parts.push('}  // namespace');
  parts.push('');
  parts.push('std::span<const WebAsset> web_assets() {');
  parts.push(assets.length ? '  return kAssets;' : '  return {};');
  parts.push('}');
  parts.push('');
  parts.push('}  // namespace custos::app');
  parts.push('');
  return parts.join('\n');
}

// The scripts a browser fetches before the first page shows: the entry module and the chunks
// index.html preloads (routes loaded later on demand are not counted).
export function firstLoadScripts(indexHtml) {
  const urls = new Set();
  for (const m of indexHtml.matchAll(/<script\b[^>]*\bsrc="([^"]+)"/g)) urls.add(m[1]);
  for (const m of indexHtml.matchAll(/<link\b[^>]*\brel="modulepreload"[^>]*\bhref="([^"]+)"/g)) urls.add(m[1]);
  for (const m of indexHtml.matchAll(/<link\b[^>]*\bhref="([^"]+)"[^>]*\brel="modulepreload"/g)) urls.add(m[1]);
  return [...urls];
}

// Compressed bytes of the first load's JavaScript; throws when an inline script slipped in (the
// Content-Security-Policy would block it) or a referenced file is missing.
export function firstLoadBytes(assets) {
  const byPath = new Map(assets.map((a) => [a.path, a]));
  const index = byPath.get('/index.html');
  if (!index) throw new Error('the build produced no index.html');
  const html = index.body.toString('utf8');
  if (/<script\b(?![^>]*\bsrc=)[^>]*>/.test(html)) {
    throw new Error('index.html has an inline script, which the Content-Security-Policy forbids');
  }
  let total = 0;
  const files = [];
  for (const url of firstLoadScripts(html)) {
    const a = byPath.get(url);
    if (!a) throw new Error(`index.html loads ${url}, which the build did not produce`);
    const size = (a.gzip.length ? a.gzip : gzip(a.body)).length;
    files.push({ url, size });
    total += size;
  }
  return { total, files };
}
