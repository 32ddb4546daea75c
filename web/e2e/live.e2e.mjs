// Live updates: two people in two browsers; what one changes appears on the other's incident
// page and queue without a reload (server-sent events on GET /api/v1/stream).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../../tests/harness/server.mjs';
import { launch, openPage, screenshot, signIn } from './browser.mjs';

let srv;
let browser;

before(async () => {
  srv = await startServer();
  await srv.createUser('alex', ['agent'], { display_name: 'Alex Agent' });
  await srv.createUser('ines', ['incident_manager'], { display_name: 'Ines Manager' });
  await srv.createUser('rita', ['reporter'], { display_name: 'Rita Reporter' });
  browser = await launch();
});

after(async () => {
  await browser?.close();
});

function assertClean(page) {
  assert.deepEqual(page.problems, [], `the page reported problems:\n${page.problems.join('\n')}`);
}

test('one user sees the change another makes, on the incident page and in the queue, without reload', async () => {
  const rita = await srv.userToken('rita');
  const created = await rita.post('/api/v1/incidents', { title: 'Laptop stolen from a car', category: 'information-gathering', impact: 'moderate', urgency: 'medium' });
  assert.equal(created.status, 201, created.text);
  const key = created.body.key;

  const alex = await openPage(browser, srv.baseUrl);
  await signIn(alex, 'alex');
  await alex.goto(`/incidents/${key}`);
  await alex.locator('.incident-badges .status', { hasText: 'New' }).waitFor();
  let reloaded = false;
  alex.on('framenavigated', (f) => {
    if (f === alex.mainFrame()) reloaded = true;
  });

  // Ines takes it and writes in the worklog in her own browser.
  const ines = await openPage(browser, srv.baseUrl);
  await signIn(ines, 'ines');
  await ines.goto(`/incidents/${key}`);
  const actions = ines.getByRole('region', { name: 'Move this incident' });
  await actions.getByRole('button', { name: 'Assign' }).click();
  await ines.locator('form.transition-form').getByRole('button', { name: 'Assign' }).click();
  await ines.locator('.incident-badges .status', { hasText: 'Assigned' }).waitFor();
  await ines.getByLabel('Add to the worklog').fill('Asked the owner for the serial number; BitLocker status checked: encrypted.');
  await ines.getByRole('button', { name: 'Add', exact: true }).click();
  await ines.locator('.tl-worklog', { hasText: 'BitLocker' }).waitFor();

  // Alex's page follows within seconds (the page's fallback poll is 20 s).
  await alex.locator('.incident-badges .status', { hasText: 'Assigned' }).waitFor({ timeout: 8000 });
  await alex.locator('.tl-worklog', { hasText: 'BitLocker' }).waitFor({ timeout: 8000 });
  await alex.getByText('Someone else updated this incident').waitFor();
  await screenshot(alex, 'live-incident');

  // The queue: a row changes in place, and a new report appears.
  await alex.goto('/incidents');
  const row = alex.locator('tr', { hasText: key });
  await row.getByText('Assigned').waitFor();
  reloaded = false;
  const moved = await (await srv.userToken('ines')).post(`/api/v1/incidents/${key}/transitions`, { to: 'in_progress' });
  assert.equal(moved.status, 200, moved.text);
  await row.getByText('In progress').waitFor({ timeout: 8000 });
  const fresh = await rita.post('/api/v1/incidents', { title: 'Second laptop missing from the same car park', category: 'other' });
  assert.equal(fresh.status, 201, fresh.text);
  await alex.locator('tr', { hasText: fresh.body.key }).waitFor({ timeout: 8000 });
  assert.equal(reloaded, false, 'the queue page was reloaded');
  assertClean(alex);
  assertClean(ines);
});
