// Shared by the evidence tests: an item's metadata, raw uploads and downloads, and running
// `custos evidence verify` on a package (it needs no server and no database).
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { CUSTOS_BIN } from './server.mjs';

export const sha256 = (b) => crypto.createHash('sha256').update(b).digest('hex');
export const sha512 = (b) => crypto.createHash('sha512').update(b).digest('hex');

export const ITEM = { type: 'disk_image', description: 'Image of the finance laptop', source: 'LT-0042', location: 'evidence locker 2', collected_by: 'alice', collected_at: '2026-01-10T09:00:00Z', method: 'dd with a write blocker' };

// Records an item of `incident` and insists on 201.
export async function addItem(client, incident, fields = {}) {
  const res = await client.post(`/api/v1/incidents/${incident}/evidence`, { ...ITEM, ...fields });
  assert.equal(res.status, 201, res.text);
  return res.body;
}

// Raw bytes up, with an optional query string.
export function upload(client, key, bytes, query = '', headers = {}) {
  return client.request('PUT', `/api/v1/evidence/${key}/content${query}`, { body: bytes, headers: { 'content-type': 'application/octet-stream', ...headers } });
}

// Bytes down with the client's bearer token (the test client reads text; packages are binary).
export async function fetchBytes(client, method, urlPath) {
  const res = await fetch(client.baseUrl + urlPath, { method, headers: { authorization: `Bearer ${client.token}` } });
  return { status: res.status, headers: res.headers, bytes: Buffer.from(await res.arrayBuffer()) };
}

export function verifyCli(file, extra = []) {
  const r = spawnSync(CUSTOS_BIN, ['evidence', 'verify', file, ...extra], { encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

// Writes a copy of `bytes` changed by `mutate` next to `file` and verifies it.
export function verifyTampered(file, bytes, name, mutate) {
  const copy = Buffer.from(bytes);
  mutate(copy);
  const f = path.join(path.dirname(file), `${name}.tar`);
  fs.writeFileSync(f, copy);
  return verifyCli(f);
}

// The entries of a ustar archive: name → where its content starts and how long it is.
export function tarEntries(bytes) {
  const entries = new Map();
  let at = 0;
  while (at + 512 <= bytes.length) {
    const header = bytes.subarray(at, at + 512);
    if (header.every((b) => b === 0)) break;
    const field = (from, len) => header.subarray(from, from + len).toString('latin1').replace(/\0.*$/s, '');
    const prefix = field(345, 155);
    const name = prefix ? `${prefix}/${field(0, 100)}` : field(0, 100);
    const size = parseInt(field(124, 12).trim() || '0', 8);
    entries.set(name, { offset: at + 512, size });
    at += 512 + Math.ceil(size / 512) * 512;
  }
  return entries;
}
