// The evidence vault in a real browser: an agent records a file item and a physical item on an
// incident, sees the hashes custos computed, records a transfer, downloads the content (and sees
// the download in the chain of custody), exports a signed package that `custos evidence verify`
// accepts — and rejects after one changed byte. Managers set a legal hold; an outsider to a
// restricted incident gets the not-found page. Screenshots land in tests/artifacts/web/.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { startServer } from '../../tests/harness/server.mjs';
import { sha256, verifyCli, verifyTampered } from '../../tests/harness/evidence.mjs';
import { ARTIFACTS, DESKTOP, PHONE, focused, launch, openPage, overflowsHorizontally, screenshot, settled, signIn, tabTo, unnamedControls } from './browser.mjs';

let srv;
let browser;
let alexApi;
let inesApi;

before(async () => {
  srv = await startServer();
  await srv.createUser('alex', ['agent'], { display_name: 'Alex Agent' });
  await srv.createUser('ines', ['incident_manager'], { display_name: 'Ines Manager' });
  await srv.createUser('olga', ['agent'], { display_name: 'Olga Outsider' });
  await srv.createUser('fiona', ['agent'], { display_name: 'Fiona Forensics' });
  await srv.createUser('aud', ['auditor'], { display_name: 'Audrey Auditor' });
  alexApi = await srv.userToken('alex');
  inesApi = await srv.userToken('ines');
  const admin = await srv.adminClient();
  const group = await admin.post('/api/v1/groups', { name: 'forensics', level: 3, members: ['fiona'] });
  assert.equal(group.status, 201, group.text);
  browser = await launch();
});

after(async () => {
  await browser?.close();
});

function assertClean(page) {
  assert.deepEqual(page.problems, [], `the page reported problems:\n${page.problems.join('\n')}`);
}

async function newIncident(client, fields = {}) {
  const res = await client.post('/api/v1/incidents', { title: 'Ransomware on a finance laptop', category: 'malicious-code', impact: 'significant', urgency: 'high', ...fields });
  assert.equal(res.status, 201, res.text);
  return res.body.key;
}

test('an agent records evidence, hands it over, downloads it and exports a package that verifies', async () => {
  const incident = await newIncident(alexApi);
  // A disk image of a few megabytes, so that the upload shows its progress.
  const image = Buffer.alloc(3 * 1024 * 1024);
  for (let i = 0; i < image.length; i += 4096) image.write(`sector ${i / 4096}\n`, i);
  const digest = sha256(image);

  const page = await openPage(browser, srv.baseUrl, { viewport: DESKTOP });
  await signIn(page, 'alex');
  await page.goto(`/incidents/${incident}`);
  const section = page.getByRole('region', { name: 'Evidence' });
  await section.getByText('No evidence yet.').waitFor();

  // A file item with the collector's hash; the file is streamed with it.
  await section.getByRole('button', { name: 'Add evidence' }).click();
  const form = page.getByRole('form', { name: 'Add evidence' });
  await form.getByLabel(/^Type/).selectOption('disk_image');
  await form.getByLabel('Description').fill('Image of laptop FIN-LT-042');
  await form.getByLabel('Source').fill('FIN-LT-042');
  await form.getByLabel('Storage location').fill('Evidence locker 2');
  await form.getByLabel('Method or tool').fill('dd with a write blocker');
  // A wrong-length hash is caught before a byte is sent.
  await form.getByLabel('Declared hash', { exact: true }).fill(digest.slice(0, 40));
  await form.getByRole('button', { name: 'Record evidence' }).click();
  await form.locator('.field-error', { hasText: 'A SHA-256 hash has 64 hexadecimal digits, this one has 40.' }).waitFor();
  await form.getByLabel('Declared hash', { exact: true }).fill(digest);
  await form.getByLabel('File').setInputFiles({ name: 'fin-lt-042.dd', mimeType: 'application/octet-stream', buffer: image });
  await settled(page);
  assert.deepEqual(await unnamedControls(page), [], 'the add-evidence form');
  await screenshot(page, 'evidence-add-form');
  // A slow line (about 1 MB/s up), so that the upload's progress can be seen on the way.
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 20, downloadThroughput: -1, uploadThroughput: 1024 * 1024 });
  await form.getByRole('button', { name: 'Record evidence' }).click();
  const progress = form.getByRole('progressbar', { name: 'Upload progress' });
  await page.waitForFunction(() => {
    const p = document.querySelector('progress[aria-label="Upload progress"]');
    return p && p.value > 0 && p.value < 100;
  });
  await form.getByText(/MB of 3\.0 MB sent \(\d+ %\)/).waitFor();
  await screenshot(page, 'evidence-upload-progress');
  await progress.waitFor({ state: 'detached', timeout: 30_000 });
  await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });
  await cdp.detach();
  const recorded = section.getByRole('status').filter({ hasText: /EVD-\d{6} recorded/ });
  await recorded.waitFor();
  const fileKey = (await recorded.getByRole('link').textContent()).trim();
  assert.match(await recorded.textContent(), new RegExp(`SHA-256 ${digest.slice(0, 12)}…${digest.slice(-6)}`));
  const fileLine = section.locator('.evidence-line', { hasText: fileKey });
  await fileLine.getByText(`SHA-256 ${digest.slice(0, 12)}…${digest.slice(-6)}`).waitFor();
  await fileLine.getByText('held by alex').waitFor();
  assert.equal(await fileLine.getByText('Hash mismatch').count(), 0);

  // A physical item: no file to upload.
  await section.getByRole('button', { name: 'Add evidence' }).click();
  await form.getByLabel(/^Type/).selectOption('physical_item');
  assert.equal(await form.getByLabel('File').count(), 0, 'a physical item offers no file');
  await form.getByLabel('Description').fill('The laptop itself, sealed in bag 0042');
  await form.getByRole('button', { name: 'Record evidence' }).click();
  await section.locator('.evidence-line', { hasText: 'sealed in bag 0042' }).getByText('No file: a physical item').waitFor();

  // An item whose content does not match what its collector declared is flagged in the list.
  const flagged = await alexApi.post(`/api/v1/incidents/${incident}/evidence`, { type: 'log_extract', description: 'Proxy log extract', collected_by: 'alex', declared_hash_algorithm: 'md5', declared_hash: 'f'.repeat(32) });
  assert.equal(flagged.status, 201, flagged.text);
  const put = await alexApi.request('PUT', `/api/v1/evidence/${flagged.body.key}/content`, { body: 'GET http://evil.example/payload 200\n', headers: { 'content-type': 'text/plain' } });
  assert.equal(put.status, 201, put.text);
  await page.reload();
  await section.locator('.evidence-line', { hasText: flagged.body.key }).getByText('Hash mismatch').waitFor();
  await settled(page);
  await screenshot(page, 'evidence-incident-section');
  // The whole incident's evidence as one signed package: three items, two of them files.
  const [incidentPkg] = await Promise.all([page.waitForEvent('download'), section.getByRole('button', { name: 'Export signed package' }).click()]);
  assert.equal(incidentPkg.suggestedFilename(), `${incident}-evidence.tar`);
  const incidentFile = path.join(fs.mkdtempSync(path.join(srv.dataDir, 'browser-incident-')), incidentPkg.suggestedFilename());
  await incidentPkg.saveAs(incidentFile);
  await section.getByText(`Saved ${incident}-evidence.tar.`).waitFor();
  const whole = verifyCli(incidentFile);
  assert.equal(whole.code, 0, whole.stderr);
  assert.match(whole.stdout, new RegExp(`package intact: ${incident}, 3 item\\(s\\), 2 file\\(s\\)`));

  // The item page: both hashes in full, the declared one matching, the chain of custody.
  await fileLine.getByRole('link', { name: fileKey }).click();
  await page.getByRole('heading', { name: 'Image of laptop FIN-LT-042', level: 1 }).waitFor();
  await settled(page);
  assert.equal((await page.locator('[data-hash="SHA-256"]').textContent()).trim(), digest);
  assert.equal((await page.locator('[data-hash="SHA-512"]').textContent()).trim().length, 128);
  await page.getByText('Matches', { exact: true }).waitFor();
  await page.getByRole('button', { name: 'Copy the SHA-256' }).waitFor();
  const custody = page.getByRole('list', { name: `Chain of custody of ${fileKey}` });
  await custody.getByText('Collected', { exact: true }).waitFor();
  assert.deepEqual(await unnamedControls(page), [], 'the evidence page');

  // A transfer from someone who does not hold it is refused, next to the field.
  const record = page.getByRole('form', { name: 'Record custody' });
  await record.getByLabel(/^What happened/).selectOption('transferred');
  await record.getByLabel(/^From/).fill('bob');
  await record.getByLabel(/^To/).fill('Forensics lab (Fiona)');
  await record.getByRole('button', { name: 'Record' }).click();
  await record.locator('.field-error', { hasText: 'alex holds the item, not bob' }).waitFor();
  await record.getByLabel(/^From/).fill('alex');
  await record.getByLabel(/^To/).fill('');
  await record.getByRole('button', { name: 'Record' }).click();
  await record.locator('.field-error', { hasText: 'A transfer names who receives it.' }).waitFor();
  await record.getByLabel(/^To/).fill('Forensics lab (Fiona)');
  await record.getByLabel('Location').fill('Lab, room 2.14');
  await record.getByLabel(/^Purpose/).fill('Timeline analysis of the encryption');
  await record.getByRole('button', { name: 'Record' }).click();
  await record.getByText('Transferred recorded.').waitFor();
  const transfer = custody.locator('li', { hasText: 'Transferred' });
  await transfer.getByText('alex → Forensics lab (Fiona)').waitFor();
  await transfer.getByText('Lab, room 2.14').waitFor();
  await transfer.getByText('Timeline analysis of the encryption').waitFor();
  await page.locator('.page-header').getByText('Held by Forensics lab (Fiona)').waitFor();

  // A download is itself a custody entry, and the page shows it.
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Download content' }).click()]);
  const downloaded = fs.readFileSync(await download.path());
  assert.equal(sha256(downloaded), digest);
  await custody.locator('li', { hasText: 'Downloaded' }).getByText('alex', { exact: true }).waitFor();

  // Export a signed package and check it offline.
  const [pkg] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: `Export ${fileKey}` }).click()]);
  assert.equal(pkg.suggestedFilename(), `${fileKey}-evidence.tar`);
  const dir = fs.mkdtempSync(path.join(srv.dataDir, 'browser-export-'));
  const file = path.join(dir, pkg.suggestedFilename());
  await pkg.saveAs(file);
  await page.getByText(`Saved ${fileKey}-evidence.tar.`).waitFor();
  await custody.locator('li', { hasText: `exported in a signed package (${fileKey})` }).waitFor();
  const ok = verifyCli(file);
  assert.equal(ok.code, 0, ok.stderr);
  assert.match(ok.stdout, new RegExp(`package intact: ${fileKey}, 1 item\\(s\\), 1 file\\(s\\) \\(${image.length} bytes\\)`));
  // One changed byte in the image inside the package: verification fails and says where.
  const bytes = fs.readFileSync(file);
  const at = bytes.indexOf(Buffer.from('sector 300\n'));
  assert.ok(at > 0);
  const bad = verifyTampered(file, bytes, 'one-byte', (b) => {
    b[at + 7] = '4'.charCodeAt(0);
  });
  assert.equal(bad.code, 1, bad.stdout);
  assert.match(bad.stderr, new RegExp(`files/${fileKey}: SHA-256 is`));
  await settled(page);
  await screenshot(page, 'evidence-item');

  // The same page on a phone: nothing wider than the screen.
  const phone = await openPage(browser, srv.baseUrl, { viewport: PHONE });
  await signIn(phone, 'alex');
  await phone.goto(`/evidence/${fileKey}`);
  await phone.getByRole('heading', { name: 'Image of laptop FIN-LT-042', level: 1 }).waitFor();
  await settled(phone);
  await screenshot(phone, 'evidence-item-phone');
  assert.equal(await overflowsHorizontally(phone), false, 'the evidence page is wider than 360 px');
  await phone.goto(`/incidents/${incident}`);
  await phone.getByRole('region', { name: 'Evidence' }).locator('.evidence-line').first().waitFor();
  await settled(phone);
  assert.equal(await overflowsHorizontally(phone), false, 'the incident page with evidence is wider than 360 px');
  fs.copyFileSync(file, path.join(ARTIFACTS, 'evidence-package.tar'));
  assertClean(phone);
  assertClean(page);
});

test('a legal hold is set and released by a manager; disposal is not offered while it holds', async () => {
  const incident = await newIncident(inesApi, { title: 'Data theft by a leaver' });
  const item = await inesApi.post(`/api/v1/incidents/${incident}/evidence`, { type: 'physical_item', description: 'USB stick from the desk', collected_by: 'ines' });
  assert.equal(item.status, 201, item.text);

  const page = await openPage(browser, srv.baseUrl, { viewport: DESKTOP });
  await signIn(page, 'ines');
  await page.goto(`/incidents/${incident}`);
  const section = page.getByRole('region', { name: 'Evidence' });
  await section.getByRole('button', { name: 'Legal hold…' }).click();
  await section.getByLabel('Why the incident is put under legal hold').fill('Litigation expected');
  await section.getByRole('button', { name: 'Put under legal hold' }).click();
  await section.locator('.legal-hold-banner', { hasText: 'Litigation expected' }).waitFor();
  await settled(page);
  await screenshot(page, 'evidence-legal-hold');

  await page.goto(`/evidence/${item.body.key}`);
  await page.locator('.legal-hold-banner', { hasText: 'Litigation expected' }).waitFor();
  const actions = await page.getByRole('form', { name: 'Record custody' }).getByLabel(/^What happened/).locator('option').allTextContents();
  assert.ok(!actions.includes('Disposed of'), actions.join());
  assert.ok(actions.includes('Transferred'), actions.join());
  await page.getByRole('button', { name: 'Release the legal hold…' }).click();
  await page.getByLabel('Why the hold is released').fill('Case settled');
  await page.getByRole('button', { name: 'Release the hold' }).click();
  await page.locator('.legal-hold-banner').waitFor({ state: 'detached' });
  const after = await page.getByRole('form', { name: 'Record custody' }).getByLabel(/^What happened/).locator('option').allTextContents();
  assert.ok(after.includes('Disposed of'), after.join());
  assertClean(page);

  // Agents see the hold but cannot set or release it.
  const hold = await inesApi.post(`/api/v1/incidents/${incident}/legal-hold`, { reason: 'Second look' });
  assert.equal(hold.status, 201, hold.text);
  const alex = await openPage(browser, srv.baseUrl, { viewport: DESKTOP });
  await signIn(alex, 'alex');
  await alex.goto(`/evidence/${item.body.key}`);
  await alex.locator('.legal-hold-banner', { hasText: 'Second look' }).waitFor();
  assert.equal(await alex.getByRole('button', { name: /legal hold/i }).count(), 0);
  assertClean(alex);
});

test('an outsider to a restricted incident gets the not-found page for its evidence', async () => {
  const incident = await newIncident(inesApi, { title: 'Insider case', restricted: true, group: 'forensics' });
  const item = await inesApi.post(`/api/v1/incidents/${incident}/evidence`, { type: 'document', description: 'HR file', collected_by: 'ines' });
  assert.equal(item.status, 201, item.text);
  const page = await openPage(browser, srv.baseUrl, { viewport: DESKTOP });
  await signIn(page, 'olga');
  await page.goto(`/evidence/${item.body.key}`);
  await page.getByText('Not available').waitFor();
  await page.getByText(`There is no evidence item ${item.body.key}, or it belongs to an incident you may not see.`).waitFor();
  assert.equal(await page.getByText('HR file').count(), 0);
  assertClean(page);
});

test('the evidence page works with the keyboard alone, the focus always visible', async () => {
  const incident = await newIncident(alexApi, { title: 'Keyboard evidence' });
  const item = await alexApi.post(`/api/v1/incidents/${incident}/evidence`, { type: 'screenshot', description: 'Screenshot of the ransom note', collected_by: 'alex' });
  assert.equal(item.status, 201, item.text);
  const put = await alexApi.request('PUT', `/api/v1/evidence/${item.body.key}/content?filename=note.png`, { body: 'not really a png', headers: { 'content-type': 'image/png' } });
  assert.equal(put.status, 201, put.text);

  const page = await openPage(browser, srv.baseUrl, { viewport: DESKTOP });
  await signIn(page, 'alex');
  await page.goto(`/evidence/${item.body.key}`);
  await page.getByRole('heading', { name: 'Screenshot of the ransom note', level: 1 }).waitFor();
  await settled(page);
  const stops = [];
  for (let n = 0; n < 40; n++) {
    await page.keyboard.press('Tab');
    const f = await focused(page);
    if (!f) break;
    stops.push(f);
  }
  assert.deepEqual(stops.filter((f) => !f.visible).map((f) => `${f.tag} "${f.text}"`), [], 'focus that cannot be seen');
  // Copy a hash and record an analysis by keyboard: choose the action, say why, send.
  await page.goto(`/evidence/${item.body.key}`);
  await page.getByRole('heading', { name: 'Screenshot of the ransom note', level: 1 }).waitFor();
  await settled(page);
  const copy = await tabTo(page, /^Copy the SHA-256$/);
  assert.ok(copy.visible);
  await page.keyboard.press('Enter');
  await page.getByRole('button', { name: 'Copy the SHA-256' }).getByText('Copied').waitFor();
  await tabTo(page, /^What happened/);
  await page.keyboard.press('ArrowDown'); // from "Transferred" (the default) to "Analysed"
  assert.equal(await page.getByRole('form', { name: 'Record custody' }).getByLabel(/^What happened/).inputValue(), 'analysed');
  await tabTo(page, /^Purpose/);
  await page.keyboard.type('Read the wallet address off the note');
  await tabTo(page, /^Record$/);
  await page.keyboard.press('Enter');
  await page.getByRole('list', { name: `Chain of custody of ${item.body.key}` }).locator('li', { hasText: 'Analysed' }).getByText('Read the wallet address off the note').waitFor();
  assertClean(page);
});

test('an auditor reads evidence and downloads it (recorded), but records nothing', async () => {
  const incident = await newIncident(alexApi, { title: 'Audit sample' });
  const item = await alexApi.post(`/api/v1/incidents/${incident}/evidence`, { type: 'log_extract', description: 'Firewall log of the night', collected_by: 'alex' });
  assert.equal(item.status, 201, item.text);
  const put = await alexApi.request('PUT', `/api/v1/evidence/${item.body.key}/content?filename=fw.log`, { body: 'DROP 203.0.113.7\n', headers: { 'content-type': 'text/plain' } });
  assert.equal(put.status, 201, put.text);

  const page = await openPage(browser, srv.baseUrl, { viewport: DESKTOP });
  await signIn(page, 'aud');
  await page.goto(`/incidents/${incident}`);
  const section = page.getByRole('region', { name: 'Evidence' });
  await section.getByRole('link', { name: item.body.key }).click();
  await page.getByRole('heading', { name: 'Firewall log of the night', level: 1 }).waitFor();
  await settled(page);
  assert.equal(await page.getByRole('form', { name: 'Record custody' }).count(), 0);
  assert.equal(await page.getByRole('button', { name: /^Export/ }).count(), 0);
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Download content' }).click()]);
  assert.equal(fs.readFileSync(await download.path(), 'utf8'), 'DROP 203.0.113.7\n');
  await page.getByRole('list', { name: `Chain of custody of ${item.body.key}` }).locator('li', { hasText: 'Downloaded' }).getByText('aud', { exact: true }).waitFor();
  assertClean(page);
});

test('a cancelled upload leaves the item without content, and its page takes the file later', async () => {
  const incident = await newIncident(alexApi, { title: 'Memory capture of the domain controller' });
  const capture = Buffer.alloc(2 * 1024 * 1024, 7);
  const page = await openPage(browser, srv.baseUrl, { viewport: DESKTOP });
  await signIn(page, 'alex');
  await page.goto(`/incidents/${incident}`);
  const section = page.getByRole('region', { name: 'Evidence' });
  await section.getByRole('button', { name: 'Add evidence' }).click();
  const form = page.getByRole('form', { name: 'Add evidence' });
  await form.getByLabel(/^Type/).selectOption('memory_capture');
  await form.getByLabel('Description').fill('RAM of DC-01');
  await form.getByLabel('File').setInputFiles({ name: 'dc01.mem', mimeType: 'application/octet-stream', buffer: capture });
  // The upload is held in the browser, as on a line too slow to finish, until it is cancelled.
  // (A throttled line is not enough: Chromium's emulated throttle may still deliver an aborted
  // body once the throttle is lifted.)
  const upload = '**/api/v1/evidence/*/content*';
  await page.route(upload, () => {});
  await form.getByRole('button', { name: 'Record evidence' }).click();
  await form.getByRole('progressbar', { name: 'Upload progress' }).waitFor();
  await form.getByRole('button', { name: 'Cancel the upload' }).click();
  const orphan = form.getByRole('alert').filter({ hasText: 'was recorded, but its file was not stored: The upload was cancelled.' });
  await orphan.waitFor();
  await page.unroute(upload);
  const key = (await orphan.getByRole('link').textContent()).trim();
  const stored = await alexApi.get(`/api/v1/evidence/${key}`);
  assert.equal(stored.body.content, null, 'nothing half-stored');

  await orphan.getByRole('link', { name: key }).click();
  await page.getByRole('heading', { name: 'RAM of DC-01', level: 1 }).waitFor();
  await page.getByText('No content has been uploaded yet.').waitFor();
  await page.getByLabel('File to upload').setInputFiles({ name: 'dc01.mem', mimeType: 'application/octet-stream', buffer: capture });
  await page.getByRole('button', { name: 'Upload content' }).click();
  await page.locator('[data-hash="SHA-256"]', { hasText: sha256(capture) }).waitFor();
  assert.equal(await page.getByRole('button', { name: 'Upload content' }).count(), 0, 'content is uploaded once');
  assertClean(page);
});

test('a report page shows the files and notes that came with the report', async () => {
  const filed = await alexApi.post('/api/v1/events', { kind: 'event', title: 'Invoice mail with a macro', observed: 'Word asked to enable content.' });
  assert.equal(filed.status, 201, filed.text);
  const key = filed.body.key;
  const file = await alexApi.request('POST', `/api/v1/events/${key}/attachments?filename=headers.txt`, { body: 'Received: from mail.evil.example\n', headers: { 'content-type': 'text/plain' } });
  assert.equal(file.status, 201, file.text);
  const note = await alexApi.post(`/api/v1/events/${key}/notes`, { body: 'Two more colleagues got it.' });
  assert.equal(note.status, 201, note.text);

  const page = await openPage(browser, srv.baseUrl, { viewport: DESKTOP });
  await signIn(page, 'alex');
  await page.goto(`/reports/${key}`);
  const files = page.getByRole('region', { name: 'Attachments' });
  await files.getByRole('link', { name: 'headers.txt' }).waitFor();
  await files.getByText(sha256('Received: from mail.evil.example\n').slice(0, 12), { exact: false }).waitFor();
  const notes = page.getByRole('region', { name: 'Notes' });
  await notes.getByText('Two more colleagues got it.').waitFor();
  await notes.getByLabel('Add a note').fill('The sender domain was registered yesterday.');
  await notes.getByRole('button', { name: 'Add note' }).click();
  await notes.locator('.tl-item', { hasText: 'registered yesterday' }).waitFor();
  await settled(page);
  assert.deepEqual(await unnamedControls(page), []);
  await screenshot(page, 'report-files-notes');
  assertClean(page);
});
