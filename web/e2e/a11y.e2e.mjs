// Keyboard only: signing in, reporting an event and working an incident without a mouse, with the
// focus visible at every step; and every control on the main pages has an accessible name as
// Chromium's accessibility tree computes it (what a screen reader announces).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { ADMIN_PASSWORD, PASSWORD, startServer } from '../../tests/harness/server.mjs';
import { focused, launch, openPage, settled, signIn, tabTo, unnamedControls } from './browser.mjs';

let srv;
let browser;
let alex;

before(async () => {
  srv = await startServer();
  await srv.createUser('rita', ['reporter'], { display_name: 'Rita Reporter' });
  await srv.createUser('alex', ['agent'], { display_name: 'Alex Agent' });
  alex = await srv.userToken('alex');
  browser = await launch();
});

after(async () => {
  await browser?.close();
});

function assertClean(page) {
  assert.deepEqual(page.problems, [], `the page reported problems:\n${page.problems.join('\n')}`);
}

// Tabs to the control named `want` and checks that its focus can be seen.
async function reach(page, want) {
  const f = await tabTo(page, want);
  assert.ok(f.visible, `the focus on "${f.text}" (${f.tag}) cannot be seen`);
  return f;
}

test('sign in and report an event with the keyboard alone', async () => {
  const page = await openPage(browser, srv.baseUrl);
  await page.goto('/');
  await page.getByRole('heading', { name: 'Sign in to custos' }).waitFor();
  assert.deepEqual(await unnamedControls(page), []);
  // The username field has the focus from the start.
  const first = await focused(page);
  assert.equal(first?.text, 'Username');
  await page.keyboard.type('rita');
  await reach(page, /^Password/);
  await page.keyboard.type(PASSWORD);
  await page.keyboard.press('Enter');
  await page.getByRole('heading', { name: 'Hello, Rita Reporter' }).waitFor();

  // The skip link comes first, then the header's report button.
  await page.keyboard.press('Tab');
  assert.equal((await focused(page))?.text, 'Skip to content');
  await reach(page, /^Report an event$/);
  await page.keyboard.press('Enter');
  await page.getByRole('heading', { name: 'Report a security event or weakness' }).waitFor();
  assert.deepEqual(await unnamedControls(page), []);

  // A radio group is one tab stop; the arrow keys choose within it.
  await reach(page, /Something happened/i);
  await page.keyboard.press('Space');
  await reach(page, /^What happened, in a few words\?/);
  await page.keyboard.type('Caller asked for my VPN code');
  await reach(page, /^Details/);
  await page.keyboard.type('Someone claiming to be IT phoned and asked for the code from my token.');
  await reach(page, /^Send report$/);
  await page.keyboard.press('Enter');
  await page.getByRole('heading', { name: 'Thank you — your report is in' }).waitFor();
  assertClean(page);
});

test('an agent works an incident with the keyboard alone, the focus always visible', async () => {
  const created = await alex.post('/api/v1/incidents', { title: 'USB stick found in the car park', category: 'other', impact: 'minor', urgency: 'low' });
  assert.equal(created.status, 201, created.text);
  const key = created.body.key;
  const page = await openPage(browser, srv.baseUrl);
  await signIn(page, 'alex');
  await page.goto(`/incidents/${key}`);
  await page.getByRole('heading', { name: 'USB stick found in the car park' }).waitFor();
  await settled(page);
  assert.deepEqual(await unnamedControls(page), []);

  // Every stop of the page shows where the focus is.
  const stops = [];
  for (let n = 0; n < 40; n++) {
    await page.keyboard.press('Tab');
    const f = await focused(page);
    if (!f) break;
    stops.push(f);
  }
  const invisible = stops.filter((f) => !f.visible).map((f) => `${f.tag} "${f.text}"`);
  assert.deepEqual(invisible, [], 'focus that cannot be seen');

  // Assign to oneself and start work, by keyboard.
  await page.goto(`/incidents/${key}`);
  await page.getByRole('heading', { name: 'USB stick found in the car park' }).waitFor();
  await reach(page, /^Assign$/);
  await page.keyboard.press('Enter');
  await reach(page, /^Assign$/);
  await page.keyboard.press('Enter');
  await page.locator('.incident-badges .status', { hasText: 'Assigned' }).waitFor();
  await reach(page, /^Add to the worklog/);
  await page.keyboard.type('Handed to IT for analysis in the sandbox.');
  await reach(page, /^Add$/);
  await page.keyboard.press('Enter');
  await page.locator('.tl-worklog', { hasText: 'Handed to IT' }).waitFor();
  assertClean(page);
});

test('every control on the main pages has an accessible name', async () => {
  const incident = await alex.post('/api/v1/incidents', { title: 'Tailgating at the main entrance', category: 'other', impact: 'minor', urgency: 'low' });
  const report = await alex.post('/api/v1/events', { kind: 'weakness', title: 'Badge reader by the loading bay is dead', observed: 'The light stays off; the door opens without a badge.' });
  assert.equal(report.status, 201, report.text);
  const evidence = await alex.post(`/api/v1/incidents/${incident.body.key}/evidence`, { type: 'log_extract', description: 'Door controller log', collected_by: 'alex' });
  assert.equal(evidence.status, 201, evidence.text);
  for (const [user, password, paths] of [
    ['alex', PASSWORD, ['/', '/incidents', '/incidents/new', `/incidents/${incident.body.key}`, '/problems', '/account', '/report', '/triage', `/reports/${report.body.key}`, `/evidence/${evidence.body.key}`]],
    ['admin', ADMIN_PASSWORD, ['/admin/users', '/admin/tokens', '/admin/lockouts', '/admin/groups', '/admin/matrix', '/admin/sla', '/admin/calendars', '/admin/categories', '/audit']],
  ]) {
    const page = await openPage(browser, srv.baseUrl);
    await signIn(page, user, password);
    for (const p of paths) {
      await page.goto(p);
      await page.locator('main h1').first().waitFor();
      await settled(page);
      assert.deepEqual(await unnamedControls(page), [], `${p} as ${user}`);
    }
    assertClean(page);
  }
});
