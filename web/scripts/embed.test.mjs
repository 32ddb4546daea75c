import { describe, expect, it } from 'vitest';
import { asset, cppSource, cppStringLiteral, firstLoadBytes, firstLoadScripts } from './embed.mjs';

// Decodes a generated C++ literal back to bytes, as the compiler would.
function decode(literal) {
  const body = literal
    .split('\n')
    .map((l) => l.trim())
    .map((l) => l.slice(1, -1))
    .join('');
  const out = [];
  for (let i = 0; i < body.length; i++) {
    if (body[i] !== '\\') {
      out.push(body.charCodeAt(i));
      continue;
    }
    const next = body[++i];
    if (/[0-7]/.test(next)) {
      out.push(parseInt(body.slice(i, i + 3), 8));
      i += 2;
    } else out.push(next.charCodeAt(0));
  }
  return Buffer.from(out);
}

describe('cppStringLiteral', () => {
  it('round-trips every byte value', () => {
    const all = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    expect(decode(cppStringLiteral(all, 40)).equals(all)).toBe(true);
  });
  it('never lets a digit extend an escape, and never forms a trigraph', () => {
    const lit = cppStringLiteral(Buffer.from([0, 0x31, 0x32, 0x3f, 0x3f, 0x3d]));
    expect(lit).toBe('"\\00012\\?\\?="');
  });
  it('is an empty literal for no bytes', () => {
    expect(cppStringLiteral(Buffer.alloc(0))).toBe('""');
  });
});

describe('assets', () => {
  it('gzips text when it pays and gives a content type', () => {
    const js = asset('/assets/a.js', Buffer.from('console.log("x");'.repeat(100)));
    expect(js.contentType).toBe('text/javascript; charset=utf-8');
    expect(js.gzip.length).toBeGreaterThan(0);
    expect(js.gzip.length).toBeLessThan(js.body.length);
    expect(js.etag).toMatch(/^"[0-9a-f]{20}"$/);
    const png = asset('/assets/a.png', Buffer.from([0x89, 0x50, 0x4e, 0x47]));
    expect(png.gzip.length).toBe(0);
  });
  it('refuses a file of unknown type instead of guessing', () => {
    expect(() => asset('/assets/x.exe', Buffer.from('MZ'))).toThrow(/no content type/);
  });
  it('writes a C++ table naming every asset', () => {
    const src = cppSource([asset('/index.html', Buffer.from('<!doctype html>'))]);
    expect(src).toContain('{"/index.html", "text/html; charset=utf-8", {kBody0, 15}');
    expect(src).toContain('std::span<const WebAsset> web_assets()');
  });
});

describe('first load', () => {
  const html = (extra = '') =>
    `<!doctype html><head><script type="module" crossorigin src="/assets/index-1.js"></script>` +
    `<link rel="modulepreload" crossorigin href="/assets/vendor-2.js">${extra}</head>`;
  it('counts the entry script and its preloads, not lazy chunks', () => {
    expect(firstLoadScripts(html())).toEqual(['/assets/index-1.js', '/assets/vendor-2.js']);
    const assets = [
      asset('/index.html', Buffer.from(html())),
      asset('/assets/index-1.js', Buffer.from('a'.repeat(1000))),
      asset('/assets/vendor-2.js', Buffer.from('b'.repeat(1000))),
      asset('/assets/lazy-3.js', Buffer.from('c'.repeat(100000))),
    ];
    const r = firstLoadBytes(assets);
    expect(r.files.map((f) => f.url)).toEqual(['/assets/index-1.js', '/assets/vendor-2.js']);
    expect(r.total).toBeLessThan(200);
  });
  it('refuses an inline script, which the Content-Security-Policy would block', () => {
    const assets = [asset('/index.html', Buffer.from(html('<script>alert(1)</script>'))), asset('/assets/index-1.js', Buffer.from('a')), asset('/assets/vendor-2.js', Buffer.from('b'))];
    expect(() => firstLoadBytes(assets)).toThrow(/inline script/);
  });
  it('refuses a reference to a file the build did not produce', () => {
    expect(() => firstLoadBytes([asset('/index.html', Buffer.from(html()))])).toThrow(/did not produce/);
  });
});
