#!/usr/bin/env node
// Builds the web application for the custos binary: type-checks, runs Vite, precompresses,
// checks the first-load JavaScript budget and writes the C++ source that embeds the files.
//
//   node scripts/build.mjs --out-dir <dir for Vite's output> --cpp <generated .cpp>
//
// CMake runs it (see CMakeLists.txt); it needs web/node_modules (scripts/install-deps.sh runs
// `npm ci`) and never the network.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { collect, cppSource, firstLoadBytes } from './embed.mjs';

// The budget: at most 300 KB of compressed JavaScript before the first page shows.
export const FIRST_LOAD_BUDGET = 300 * 1024;

const WEB = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

function fail(message) {
  console.error(`web build: ${message}`);
  process.exit(1);
}

function option(name) {
  const i = process.argv.indexOf(name);
  if (i < 0 || !process.argv[i + 1]) fail(`usage: build.mjs --out-dir DIR --cpp FILE (missing ${name})`);
  return path.resolve(process.argv[i + 1]);
}

const outDir = option('--out-dir');
const cppFile = option('--cpp');

if (!fs.existsSync(path.join(WEB, 'node_modules', 'vite'))) {
  fail('web/node_modules is missing: run scripts/install-deps.sh (it runs `npm ci` in web/), ' +
    'or configure with -DCUSTOS_WEB=OFF to build without the web application');
}

const tsc = spawnSync(process.execPath, [path.join(WEB, 'node_modules/typescript/bin/tsc'), '--noEmit', '-p', WEB],
  { cwd: WEB, stdio: 'inherit' });
if (tsc.status !== 0) fail('type errors (see above)');

const { build } = await import('vite');
try {
  await build({
    root: WEB,
    configFile: path.join(WEB, 'vite.config.ts'),
    cacheDir: path.join(outDir + '-cache'),
    logLevel: 'warn',
    build: { outDir, emptyOutDir: true },
  });
} catch (e) {
  fail(`vite: ${e.message}`);
}

const assets = collect(outDir);
let first;
try {
  first = firstLoadBytes(assets);
} catch (e) {
  fail(e.message);
}
const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
for (const f of first.files) console.log(`web build: first load ${f.url} ${kb(f.size)} gzipped`);
console.log(`web build: first load ${kb(first.total)} of JavaScript gzipped (budget ${kb(FIRST_LOAD_BUDGET)}), ` +
  `${assets.length} files embedded`);
if (first.total > FIRST_LOAD_BUDGET) {
  fail(`the first load needs ${kb(first.total)} of compressed JavaScript, over the budget of ${kb(FIRST_LOAD_BUDGET)}`);
}
fs.writeFileSync(path.join(outDir + '-first-load.json'), JSON.stringify(first, null, 2) + '\n');

const source = cppSource(assets);
fs.mkdirSync(path.dirname(cppFile), { recursive: true });
// Rewrite only on change, so the binary is not relinked for an identical build.
if (!fs.existsSync(cppFile) || fs.readFileSync(cppFile, 'utf8') !== source) {
  fs.writeFileSync(cppFile + '.tmp', source);
  fs.renameSync(cppFile + '.tmp', cppFile);
} else {
  // Keep the output newer than its inputs, or the build tool would run this again every time.
  const now = new Date();
  fs.utimesSync(cppFile, now, now);
}
