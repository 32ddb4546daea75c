// The web application in a real browser against a real custos on a fresh database: the flows of
// the people who use it. Screenshots of the main pages land in tests/artifacts/web/.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { ADMIN_PASSWORD, startServer } from '../../tests/harness/server.mjs';
import { currentStep, totp } from '../../tests/harness/totp.mjs';
import { DESKTOP, PHONE, launch, openPage, overflowsHorizontally, screenshot, settled, signIn, unlabelledControls } from './browser.mjs';

let srv;
let browser;
let admin; // bearer client for the first admin
const pages = [];

before(async () => {
  srv = await startServer();
  admin = await srv.adminClient();
  await srv.createUser('rita', ['reporter'], { display_name: 'Rita Reporter' });
  await srv.createUser('alex', ['agent'], { display_name: 'Alex Agent' });
  await srv.createUser('ines', ['incident_manager'], { display_name: 'Ines Manager' });
  const group = await admin.post('/api/v1/groups', { name: 'soc', display_name: 'Security operations', members: ['alex'] });
  assert.equal(group.status, 201, group.text);
  browser = await launch();
});

after(async () => {
  await browser?.close();
});

async function newPage(opts) {
  const page = await openPage(browser, srv.baseUrl, opts);
  pages.push(page);
  return page;
}

// No uncaught error, console error or CSP violation happened on the page.
function assertClean(page) {
  assert.deepEqual(page.problems, [], `the page reported problems:\n${page.problems.join('\n')}`);
}

async function tokenFor(username) {
  return srv.userToken(username);
}

test('sign in, a wrong password explained, sign out', async () => {
  const page = await newPage();
  await page.goto('/');
  await page.getByRole('heading', { name: 'Sign in to custos' }).waitFor();
  assert.deepEqual(await unlabelledControls(page), []);
  await screenshot(page, 'sign-in');

  await page.getByLabel('Username').fill('alex');
  await page.getByLabel('Password', { exact: true }).fill('not the password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('alert').filter({ hasText: 'The username or password is wrong.' }).waitFor();

  await page.getByLabel('Password', { exact: true }).fill('correct horse battery staple');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Hello, Alex Agent' }).waitFor();
  // The session survives a reload (cookie), and the page asks for it again.
  await page.reload();
  await page.getByRole('heading', { name: 'Hello, Alex Agent' }).waitFor();
  await screenshot(page, 'home-agent');

  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.getByRole('heading', { name: 'Sign in to custos' }).waitFor();
  // The session is over on the server too.
  const me = await page.request.get('/api/v1/me');
  assert.equal(me.status(), 401);
  assertClean(page);
});

test('a user enrols an authenticator app (QR code) and then signs in with its code', async () => {
  await srv.createUser('tom', ['agent'], { display_name: 'Tom Twofactor' });
  const page = await newPage();
  await signIn(page, 'tom');
  await page.getByRole('link', { name: 'Tom Twofactor' }).click();
  await page.getByRole('button', { name: 'Set up an authenticator app' }).click();
  await page.getByRole('img', { name: 'QR code for your authenticator app' }).waitFor();
  const secret = (await page.locator('code.secret').textContent()).trim();
  assert.match(secret, /^[A-Z2-7]{16,}$/);
  await screenshot(page, 'account-totp');
  const step = currentStep();
  await page.getByLabel('Code', { exact: true }).fill(totp(secret, step));
  await page.getByRole('button', { name: 'Turn on' }).click();
  await page.getByText('Your second factor is on.').waitFor();
  await page.getByRole('button', { name: 'Sign out' }).click();

  // Next sign-in: the password alone asks for the code, a wrong code is explained.
  await page.getByLabel('Username').fill('tom');
  await page.getByLabel('Password', { exact: true }).fill('correct horse battery staple');
  await page.getByRole('button', { name: 'Sign in' }).click();
  const code = page.getByLabel('Authentication code');
  await code.waitFor();
  await code.fill(totp(secret, step) === '000000' ? '000001' : '000000');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByText('Is wrong or was already used.').waitFor();
  await screenshot(page, 'sign-in-totp');
  await code.fill(totp(secret, step + 1));
  await page.getByRole('button', { name: 'Sign in' }).click();
  // Signed in, back on the page where the user signed out.
  await page.getByRole('heading', { name: 'Tom Twofactor' }).waitFor();
  await page.getByRole('heading', { name: 'Second factor (authenticator app)' }).waitFor();
  await page.getByText('A code from your authenticator app is required when you sign in.').waitFor();
  assertClean(page);
});

test('a reporter reports an event on a phone and sees what happens next', async () => {
  const page = await newPage({ viewport: PHONE });
  await signIn(page, 'rita');
  await page.getByRole('heading', { name: 'Hello, Rita Reporter' }).waitFor();
  await screenshot(page, 'home-reporter-phone');
  assert.equal(await overflowsHorizontally(page), false, 'the home page is wider than 360 px');

  // One click from anywhere: the button in the header.
  await page.getByRole('banner').getByRole('link', { name: 'Report an event' }).click();
  await page.getByRole('heading', { name: 'Report a security event or weakness' }).waitFor();
  assert.equal(await overflowsHorizontally(page), false, 'the report form is wider than 360 px');
  assert.deepEqual(await unlabelledControls(page), []);

  // Sending nothing says, next to each question, what is missing.
  await page.getByRole('button', { name: 'Send report' }).click();
  await page.getByText('Choose what kind of thing you noticed.').waitFor();
  await page.getByText('Say in a few words what happened.').waitFor();
  await screenshot(page, 'report-errors-phone');

  await page.getByRole('radio', { name: /Something happened/ }).check();
  await page.getByLabel('What happened, in a few words?').fill('E-mail asking me to confirm my password');
  await page.getByLabel('Details').fill('It asked me to log in again because my mailbox was full.');
  await page.getByLabel('What exactly did you see?').fill('Sender "it-support@examp1e.com", a link to a login page.');
  await page.getByLabel('When? (if you know)').fill('2026-03-02T09:12');
  await page.getByLabel('Where?').fill('My mailbox');
  await screenshot(page, 'report-form-phone');
  await page.getByRole('button', { name: 'Send report' }).click();

  await page.getByRole('heading', { name: 'Thank you — your report is in' }).waitFor();
  await page.getByRole('heading', { name: 'What happens next' }).waitFor();
  await page.getByText('You will be told the outcome').waitFor();
  const key = (await page.locator('.success-panel a').textContent()).trim();
  assert.match(key, /^EVT-\d{6}$/);
  await screenshot(page, 'report-done-phone');
  assert.equal(await overflowsHorizontally(page), false, 'the confirmation is wider than 360 px');

  // It was filed as a report (not an incident), as the reporter said, from the portal.
  const report = (await admin.get(`/api/v1/events/${key}`)).body;
  assert.equal(report.channel, 'portal');
  assert.equal(report.reporter, 'rita');
  assert.equal(report.kind, 'event');
  assert.equal(report.status, 'new');
  assert.equal(report.location, 'My mailbox');
  assert.match(report.observed, /examp1e/);
  assert.ok(report.observed_at, 'the time observed was sent');
  assert.equal(report.incident, null);

  // And it is under "My reports" on the home page with its status.
  await page.getByRole('button', { name: 'Menu' }).click();
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Home' }).click();
  const row = page.locator('.event-line', { hasText: key });
  await row.waitFor();
  await row.getByText('New', { exact: true }).waitFor();
  await screenshot(page, 'my-reports-phone');
  assert.equal(await overflowsHorizontally(page), false, 'my reports are wider than 360 px');
  assertClean(page);
});

test('an agent works an incident through its whole lifecycle', async () => {
  const rita = await tokenFor('rita');
  const created = await rita.post('/api/v1/incidents', {
    title: 'Ransom note on the finance file share',
    description: 'Files on \\\\fs01\\finance end in .locked and a README asks for bitcoin.',
    category: 'malicious-code',
    subcategory: 'ransomware',
    impact: 'significant',
    urgency: 'high',
  });
  assert.equal(created.status, 201, created.text);
  const key = created.body.key;
  assert.equal(created.body.priority, 2);

  const page = await newPage();
  await signIn(page, 'alex');
  await page.getByRole('link', { name: 'Incidents', exact: true }).click();
  await page.getByLabel('Search incidents').fill('ransom finance');
  await page.getByRole('button', { name: 'Search' }).click();
  await page.waitForURL(/q=ransom/);
  const row = page.locator('tr', { hasText: key });
  await row.waitFor();
  await row.getByText('P2').waitFor();
  await screenshot(page, 'queue-search');
  await row.getByRole('link').click();

  await page.getByRole('heading', { name: 'Ransom note on the finance file share' }).waitFor();
  const status = page.locator('.incident-badges .status');
  const actions = page.getByRole('region', { name: 'Move this incident' });
  // Only the transitions the agent may take now, as the server listed them.
  assert.deepEqual(await actions.locator('.button-row button').allTextContents(), ['Assign', 'Cancel incident']);

  await actions.getByRole('button', { name: 'Assign' }).click();
  await page.locator('form.transition-form').getByRole('button', { name: 'Assign' }).click();
  await status.filter({ hasText: 'Assigned' }).waitFor();

  await actions.getByRole('button', { name: 'Start work' }).click();
  await status.filter({ hasText: 'In progress' }).waitFor();

  await page.getByLabel('Add to the worklog').fill('Isolated fs01 from the network; backups from last night are intact.');
  await page.getByRole('button', { name: 'Add', exact: true }).click();
  await page.locator('.tl-worklog').filter({ hasText: 'Isolated fs01' }).waitFor();

  await page.getByLabel('New task').fill('Restore the finance share from backup');
  await page.getByRole('button', { name: 'Add task' }).click();
  const task = page.locator('.task', { hasText: 'Restore the finance share' });
  await task.waitFor();
  await task.getByRole('checkbox').check();
  await page.locator('.task-done', { hasText: 'Restore the finance share' }).waitFor();

  await actions.getByRole('button', { name: 'Set pending' }).click();
  // The reason is required: sending none is explained next to the field.
  await page.locator('form.transition-form').getByRole('button', { name: 'Set pending' }).click();
  await page.locator('form.transition-form .field-error').waitFor();
  await page.getByLabel('Waiting for').selectOption('third_party');
  await page.locator('form.transition-form').getByRole('button', { name: 'Set pending' }).click();
  await status.filter({ hasText: 'Pending' }).waitFor();

  await actions.getByRole('button', { name: 'Start work' }).click();
  await status.filter({ hasText: 'In progress' }).waitFor();

  await actions.getByRole('button', { name: 'Resolve' }).click();
  await page.getByLabel('Resolution').selectOption('contained_and_eradicated');
  await page.getByLabel('What was done').fill('Restored from backup, removed the malware, reset the affected account.');
  await page.locator('form.transition-form').getByRole('button', { name: 'Resolve' }).click();
  await status.filter({ hasText: 'Resolved' }).waitFor();

  // A P2 closes only after the lessons-learned review.
  const review = page.getByRole('region', { name: 'Lessons learned' });
  await review.getByText('Before this incident can close').waitFor();
  await actions.getByRole('button', { name: 'Close' }).click();
  await actions.getByRole('alert').waitFor();
  await review.getByLabel('What happened').fill('A user opened a macro document; ransomware encrypted the share.');
  await review.getByLabel('Root cause').fill('Macros allowed from the internet.');
  await review.getByLabel('What went well').fill('Backups were complete and restored in two hours.');
  await review.getByLabel('What to improve').fill('Block macros from the internet by policy.');
  await review.getByRole('button', { name: 'Save lessons learned' }).click();
  await review.getByText('Saved').waitFor();
  await review.getByLabel('Action').fill('Block internet macros by group policy');
  await review.getByRole('button', { name: 'Add action' }).click();
  await review.getByText('The review is complete').waitFor();
  await screenshot(page, 'incident-resolved');

  await actions.getByRole('button', { name: 'Close' }).click();
  await status.filter({ hasText: 'Closed' }).waitFor();
  await page.locator('.tl-change', { hasText: 'to Closed' }).waitFor();
  assert.deepEqual(await actions.count(), 0, 'a closed incident offers no transitions to an agent');
  await screenshot(page, 'incident-closed');

  const final = (await admin.get(`/api/v1/incidents/${key}`)).body;
  assert.equal(final.status, 'closed');
  assert.equal(final.assignee, 'alex');
  assert.equal(final.resolution_code, 'contained_and_eradicated');
  assertClean(page);
});

test('an agent pages through the queue, saves a view and assigns many incidents at once', async () => {
  const rita = await tokenFor('rita');
  for (let n = 1; n <= 55; n++) {
    const r = await rita.post('/api/v1/incidents', { title: `Lost badge number ${n} found in the car park`, category: 'other', impact: 'minor', urgency: 'low' });
    assert.equal(r.status, 201, r.text);
  }
  const page = await newPage();
  await signIn(page, 'alex');
  await page.goto('/incidents?q=badge+park&sort=created');
  const rows = page.locator('.incident-table tbody tr');
  await page.getByText('50 shown, more available').waitFor();
  assert.equal(await rows.count(), 50);
  assert.match(await rows.first().textContent(), /Lost badge number 1 found/);
  await page.getByRole('button', { name: 'Load more' }).click();
  await page.getByText('55 shown').waitFor();
  assert.equal(await rows.count(), 55);

  await page.getByRole('button', { name: 'Save these filters as a view' }).click();
  await page.getByLabel('Name of the view').fill('Lost badges');
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  const view = page.getByRole('button', { name: 'Lost badges', exact: true });
  await view.waitFor();

  await page.getByRole('checkbox', { name: 'Select all shown incidents' }).check();
  await page.getByText('55 selected').waitFor();
  await page.getByLabel('Assign to').selectOption('alex');
  await screenshot(page, 'queue-bulk-assign');
  await page.getByRole('button', { name: 'Assign', exact: true }).click();
  await page.getByText('55 incidents updated.').waitFor({ timeout: 60_000 });
  assert.equal(await rows.filter({ hasText: 'Assigned' }).count(), 55);

  // The saved view brings the same filters back from anywhere.
  await page.goto('/incidents');
  await view.click();
  await page.waitForURL(/q=badge\+park/);
  await page.getByText('50 shown, more available').waitFor();
  const mine = (await (await tokenFor('alex')).get('/api/v1/incidents?assignee=me&q=badge&limit=100')).body.items;
  assert.equal(mine.length, 55);
  assertClean(page);
});

test('known errors are suggested while a new incident is typed', async () => {
  const ines = await tokenFor('ines');
  const problem = await ines.post('/api/v1/problems', { title: 'VPN client disconnects every hour', description: 'Since the gateway update.' });
  assert.equal(problem.status, 201, problem.text);
  const key = problem.body.key;
  for (const body of [{ to: 'investigating' }, { to: 'known_error', workaround: 'Reconnect with "Keep alive" ticked in the client settings.' }]) {
    const r = await ines.post(`/api/v1/problems/${key}/transitions`, body);
    assert.equal(r.status, 200, r.text);
  }
  const page = await newPage();
  await signIn(page, 'alex');
  await page.goto('/incidents/new');
  await page.getByLabel('Title').pressSequentially('VPN keeps disconnecting', { delay: 20 });
  const suggestions = page.getByRole('region', { name: 'Known errors that may match' });
  await suggestions.getByRole('link', { name: key }).waitFor();
  await suggestions.getByText('Keep alive').waitFor();
  await screenshot(page, 'new-incident-known-error');
  assertClean(page);
});

test('an edit that crosses someone else\'s is refused in words, never overwrites it', async () => {
  const alex = await tokenFor('alex');
  const created = await alex.post('/api/v1/incidents', { title: 'Shared mailbox sends spam', category: 'abusive-content', impact: 'moderate', urgency: 'medium' });
  assert.equal(created.status, 201, created.text);
  const key = created.body.key;
  const page = await newPage();
  // Without live updates (a proxy may block them), so that the colleague's change is caught
  // when saving; live.e2e.mjs shows it arriving while the page is open.
  await page.route('**/api/v1/stream', (r) => r.fulfill({ status: 200, contentType: 'text/event-stream', body: 'retry: 60000\n\n' }));
  await signIn(page, 'alex');
  await page.goto(`/incidents/${key}`);
  await page.getByRole('region', { name: 'Details' }).getByRole('button', { name: 'Edit' }).click();
  // Meanwhile a colleague changes the urgency.
  const other = await alex.patch(`/api/v1/incidents/${key}`, { urgency: 'high' }, { headers: { 'if-match': `"${created.body.version}"` } });
  assert.equal(other.status, 200, other.text);
  await page.getByLabel('Impact').selectOption('significant');
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await page.getByText('Someone else changed this in the meantime').waitFor();
  const now = (await alex.get(`/api/v1/incidents/${key}`)).body;
  assert.equal(now.urgency, 'high');
  assert.equal(now.impact, 'moderate', 'the stale edit overwrote the record');
  // Saving again builds on the colleague's version.
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await page.getByRole('region', { name: 'Details' }).getByText('Significant × High').waitFor();
  assertClean(page);
});

test('a reporter cannot see a restricted incident', async () => {
  const rita = await tokenFor('rita');
  const alex = await tokenFor('alex');
  const reported = await rita.post('/api/v1/incidents', { title: 'Strange login prompt on the HR portal', category: 'fraud' });
  assert.equal(reported.status, 201, reported.text);
  const key = reported.body.key;
  const restricted = await alex.patch(`/api/v1/incidents/${key}`, { restricted: true, group: 'soc' }, { headers: { 'if-match': `"${reported.body.version}"` } });
  assert.equal(restricted.status, 200, restricted.text);
  const visible = await rita.post('/api/v1/incidents', { title: 'Printer prints garbage pages', category: 'other' });

  const page = await newPage();
  await signIn(page, 'rita');
  await page.goto('/incidents');
  await page.locator('tr', { hasText: visible.body.key }).waitFor();
  assert.equal(await page.locator('tr', { hasText: key }).count(), 0, 'the restricted incident is listed');

  await page.goto(`/incidents/${key}`);
  await page.getByText(`${key} was not found`).waitFor();
  assert.equal(await page.getByText('Strange login prompt').count(), 0);
  await screenshot(page, 'restricted-not-found');

  // Its team sees it, marked as restricted.
  const agent = await newPage();
  await signIn(agent, 'alex');
  await agent.goto(`/incidents/${key}`);
  await agent.getByRole('heading', { name: 'Strange login prompt on the HR portal' }).waitFor();
  await agent.locator('.incident-badges').getByText('Restricted').waitFor();
  assertClean(page);
  assertClean(agent);
});

test('the SLA clock counts down, and stands still while pending', async () => {
  const alex = await tokenFor('alex');
  // P1 runs on the 24×7 calendar, so its clock moves whatever the time of day.
  const created = await alex.post('/api/v1/incidents', {
    title: 'Domain admin account used from an unknown country',
    category: 'intrusion',
    impact: 'extensive',
    urgency: 'critical',
    assignee: 'alex',
  });
  assert.equal(created.status, 201, created.text);
  assert.equal(created.body.priority, 1);
  const key = created.body.key;

  const page = await newPage();
  await signIn(page, 'alex');
  await page.goto(`/incidents/${key}`);
  const meter = page.getByTestId('sla-time-to-resolve');
  await meter.waitFor();
  assert.equal(await meter.getAttribute('data-sla-state'), 'ok');
  const before = await meter.locator('.sla-meter-value').textContent();
  assert.match(before, /left$/);
  await page.waitForTimeout(2200);
  const later = await meter.locator('.sla-meter-value').textContent();
  assert.notEqual(later, before, 'the clock did not count down');
  // The response clock stopped when it was assigned.
  assert.equal(await page.getByTestId('sla-time-to-own').getAttribute('data-sla-state'), 'met');
  await screenshot(page, 'incident-running');

  const actions = page.getByRole('region', { name: 'Move this incident' });
  await actions.getByRole('button', { name: 'Start work' }).click();
  await page.locator('.incident-badges .status', { hasText: 'In progress' }).waitFor();
  await actions.getByRole('button', { name: 'Set pending' }).click();
  await page.getByLabel('Waiting for').selectOption('awaiting_reporter');
  await page.locator('form.transition-form').getByRole('button', { name: 'Set pending' }).click();
  await page.locator('.incident-badges .status', { hasText: 'Pending' }).waitFor();

  await page.locator('[data-testid="sla-time-to-resolve"][data-sla-state="paused"]').waitFor();
  const paused = await meter.locator('.sla-meter-value').textContent();
  assert.match(paused, /^paused/);
  await page.waitForTimeout(2200);
  assert.equal(await meter.locator('.sla-meter-value').textContent(), paused, 'a paused clock moved');
  await page.getByText('paused while pending').waitFor();
  await screenshot(page, 'incident-pending');

  // The queue shows the same: a paused badge for this incident.
  await page.goto(`/incidents?q=${encodeURIComponent('unknown country')}`);
  await page.locator('tr', { hasText: key }).locator('[data-sla-state="paused"]').waitFor();

  const server = (await alex.get(`/api/v1/incidents/${key}`)).body;
  assert.equal(server.sla.resolution.paused, true);

  // The incident page on a phone.
  await page.setViewportSize(PHONE);
  await page.goto(`/incidents/${key}`);
  await page.getByTestId('sla-time-to-resolve').waitFor();
  await screenshot(page, 'incident-phone');
  assert.equal(await overflowsHorizontally(page), false, 'the incident page is wider than 360 px');
  assertClean(page);
});

test('an admin changes the priority matrix and the new priority shows', async () => {
  const page = await newPage();
  await signIn(page, 'admin', ADMIN_PASSWORD);
  await page.getByRole('link', { name: 'Administration' }).click();
  await page.getByRole('link', { name: 'Priority matrix' }).click();
  const cell = page.getByLabel('Priority for minor impact and low urgency');
  assert.equal(await cell.inputValue(), '4');
  await cell.selectOption('1');
  await page.getByRole('button', { name: 'Save as a new version' }).click();
  await page.getByText('Saved as version 2.').waitFor();
  await screenshot(page, 'admin-matrix');

  await page.goto('/incidents/new');
  await page.getByLabel('Title').fill('Guest Wi-Fi password posted in the lobby');
  await page.getByLabel(/^Category/).selectOption('vulnerable');
  await page.getByLabel('Impact').selectOption('minor');
  await page.getByLabel('Urgency').selectOption('low');
  await page.getByTestId('priority-preview').getByText('P1').waitFor();
  assert.deepEqual(await unlabelledControls(page), []);
  await screenshot(page, 'new-incident');
  await page.getByRole('button', { name: 'Log incident' }).click();

  await page.getByRole('heading', { name: 'Guest Wi-Fi password posted in the lobby' }).waitFor();
  await page.locator('.incident-badges .prio').filter({ hasText: 'P1' }).waitFor();
  const key = new URL(page.url()).pathname.split('/').pop();
  const incident = (await admin.get(`/api/v1/incidents/${key}`)).body;
  assert.equal(incident.priority, 1);
  assert.equal(incident.matrix_version, 2);
  assertClean(page);
});

test('an auditor reads the audit trail and verifies the chain', async () => {
  await srv.createUser('audrey', ['auditor'], { display_name: 'Audrey Auditor' });
  const page = await newPage();
  await signIn(page, 'audrey');
  // Auditors read, they never report or work: no report button, no transitions.
  assert.equal(await page.getByRole('link', { name: 'Report an event' }).count(), 0);
  await page.getByRole('link', { name: 'Audit trail', exact: true }).click();
  await page.locator('.audit-table tbody tr').first().waitFor();
  await page.getByLabel('Action').fill('auth.login');
  await page.getByRole('button', { name: 'Filter' }).click();
  await page.locator('.audit-table tbody tr').first().waitFor();
  const actions = await page.locator('.audit-table tbody tr td:nth-child(4)').allTextContents();
  assert.ok(actions.length > 0 && actions.every((a) => a === 'auth.login'), actions.join(','));
  await page.getByRole('button', { name: 'Verify the chain' }).click();
  await page.getByText('The chain is intact.').waitFor();
  await screenshot(page, 'audit');
  assertClean(page);
});

test('the main pages render for every role, labelled and within 360 px', async () => {
  for (const [user, password, paths] of [
    ['ines', undefined, ['/', '/incidents', '/problems', '/admin/matrix', '/admin/sla', '/admin/groups']],
    ['admin', ADMIN_PASSWORD, ['/admin/users', '/admin/calendars', '/audit', '/account']],
  ]) {
    for (const viewport of [DESKTOP, PHONE]) {
      const page = await newPage({ viewport });
      await signIn(page, user, password);
      for (const p of paths) {
        await page.goto(p);
        await page.locator('main h1').first().waitFor();
        await settled(page);
        const name = `${user}${p.replace(/\//g, '-').replace(/-$/, '') || '-home'}${viewport === PHONE ? '-phone' : ''}`;
        await screenshot(page, name);
        assert.deepEqual(await unlabelledControls(page), [], `${p} as ${user}`);
        if (viewport === PHONE) assert.equal(await overflowsHorizontally(page), false, `${p} as ${user} is wider than 360 px`);
      }
      assertClean(page);
    }
  }
});
