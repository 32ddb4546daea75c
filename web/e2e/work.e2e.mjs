// The rest of the application in a real browser: problems and known errors, the account page,
// attachments, the major-incident procedure, the administration pages and the audit viewer.
// Each test sets up what it needs on the shared fresh server, so any one of them runs alone.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { ADMIN_PASSWORD, PASSWORD, startServer } from '../../tests/harness/server.mjs';
import { DESKTOP, PHONE, launch, openPage, overflowsHorizontally, screenshot, signIn, unlabelledControls } from './browser.mjs';

let srv;
let browser;
let admin;

before(async () => {
  srv = await startServer();
  admin = await srv.adminClient();
  await srv.createUser('rita', ['reporter'], { display_name: 'Rita Reporter' });
  await srv.createUser('alex', ['agent'], { display_name: 'Alex Agent' });
  await srv.createUser('ines', ['incident_manager'], { display_name: 'Ines Manager' });
  browser = await launch();
});

after(async () => {
  await browser?.close();
});

const newPage = (opts) => openPage(browser, srv.baseUrl, opts);

function assertClean(page) {
  assert.deepEqual(page.problems, [], `the page reported problems:\n${page.problems.join('\n')}`);
}

async function logIncident(username, body) {
  const client = await srv.userToken(username);
  const r = await client.post('/api/v1/incidents', { category: 'other', impact: 'minor', urgency: 'low', ...body });
  assert.equal(r.status, 201, r.text);
  return r.body;
}

test('a manager opens a problem, links an incident to it, and its workaround is suggested for new incidents', async () => {
  const incident = await logIncident('alex', { title: 'Printer queue on floor 3 drops jobs' });
  const page = await newPage();
  await signIn(page, 'ines');
  await page.getByRole('link', { name: 'Problems', exact: true }).click();
  await page.getByRole('heading', { name: 'Problems and known errors' }).waitFor();
  await page.getByRole('button', { name: 'New problem' }).click();
  // Nothing typed: the button waits for a title.
  assert.equal(await page.getByRole('button', { name: 'Open problem' }).isDisabled(), true);
  await page.getByLabel('Title').fill('Print server spooler crashes under load');
  await page.getByLabel('Description').fill('Several floors lose print jobs at peak times.');
  await page.getByRole('button', { name: 'Open problem' }).click();
  await page.getByRole('heading', { name: 'Print server spooler crashes under load' }).waitFor();
  const problemKey = new URL(page.url()).pathname.split('/').pop();
  assert.match(problemKey, /^PRB-\d{6}$/);

  // Linked from the incident page; the link shows on both sides.
  await page.goto(`/incidents/${incident.key}`);
  const links = page.getByRole('region', { name: 'Links' });
  await links.getByLabel('Problem').fill('PRB-999999');
  await links.getByRole('button', { name: 'Link' }).nth(1).click();
  await links.locator('.field-error').waitFor();
  await links.getByLabel('Problem').fill(problemKey.toLowerCase());
  await links.getByRole('button', { name: 'Link' }).nth(1).click();
  await links.getByRole('link', { name: problemKey }).click();
  await page.locator('.linked-incident', { hasText: incident.key }).waitFor();

  // Investigate, then record the workaround and mark it a known error.
  await page.getByRole('button', { name: 'Start investigating' }).click();
  await page.locator('.pstatus', { hasText: 'Investigating' }).waitFor();
  await page.getByLabel('Workaround').fill('Restart the spooler service on prt01; jobs resume within a minute.');
  await page.getByRole('button', { name: 'Mark as known error' }).click();
  await page.locator('.pstatus', { hasText: 'Known error' }).waitFor();
  await screenshot(page, 'problem-known-error');
  assert.deepEqual(await unlabelledControls(page), []);

  // The list shows it with its status.
  await page.goto('/problems?status=known_error');
  await page.locator('tr', { hasText: problemKey }).getByText('Known error').waitFor();
  await screenshot(page, 'problems');

  // Typing a matching title of a new incident brings the workaround up.
  await page.goto('/incidents/new');
  await page.getByLabel('Title').pressSequentially('Print spooler crashes again', { delay: 20 });
  const suggestions = page.getByRole('region', { name: 'Known errors that may match' });
  await suggestions.getByRole('link', { name: problemKey }).waitFor();
  await suggestions.getByText('Restart the spooler service').waitFor();

  const stored = (await admin.get(`/api/v1/incidents/${incident.key}`)).body;
  assert.equal(stored.problem, problemKey);
  assertClean(page);
});

test('a user changes their password, with a wrong current password explained next to its field', async () => {
  await srv.createUser('paula', ['reporter'], { display_name: 'Paula Password' });
  const page = await newPage({ viewport: PHONE });
  await signIn(page, 'paula');
  await page.goto('/account');
  const section = page.getByRole('region', { name: 'Password' });
  await section.getByLabel('Current password').fill('not my password at all');
  await section.getByLabel('New password').fill('a brand new passphrase for paula');
  await section.getByRole('button', { name: 'Change password' }).click();
  const currentField = section.locator('.field', { has: page.getByLabel('Current password') });
  await currentField.locator('.field-error').waitFor();
  assert.equal(await overflowsHorizontally(page), false, 'the account page is wider than 360 px');
  await screenshot(page, 'account-password-error-phone');

  // Too short a new password is explained next to the new password.
  await section.getByLabel('Current password').fill(PASSWORD);
  await section.getByLabel('New password').fill('short');
  await section.getByRole('button', { name: 'Change password' }).click();
  await section.locator('.field', { has: page.getByLabel('New password') }).locator('.field-error').waitFor();

  await section.getByLabel('New password').fill('a brand new passphrase for paula');
  await section.getByRole('button', { name: 'Change password' }).click();
  await section.getByText('Your password is changed.').waitFor();

  // The old password no longer works, the new one does.
  const old = await srv.login('paula', PASSWORD).catch((e) => e);
  assert.equal(old.response?.status, 401);
  const fresh = await newPage();
  await signIn(fresh, 'paula', 'a brand new passphrase for paula');
  await fresh.getByRole('heading', { name: 'Hello, Paula Password' }).waitFor();
  assertClean(page);
  assertClean(fresh);
});

test('files are attached to an incident, listed with size and hash, and download unchanged', async () => {
  const incident = await logIncident('alex', { title: 'Suspicious attachment in the invoices mailbox' });
  const page = await newPage();
  await signIn(page, 'alex');
  await page.goto(`/incidents/${incident.key}`);
  const section = page.getByRole('region', { name: 'Attachments' });
  await section.getByText('No files.').waitFor();
  const content = Buffer.from('Received: from mail.examp1e.com\nSubject: Invoice 4711\n\nPlease open the attached file.\n');
  await section.locator('input[type=file]').setInputFiles({ name: 'invoice-mail.eml', mimeType: 'message/rfc822', buffer: content });
  const link = section.getByRole('link', { name: 'invoice-mail.eml' });
  await link.waitFor();
  const sha = createHash('sha256').update(content).digest('hex');
  await section.getByText(sha.slice(0, 16)).waitFor();
  await section.getByText(`${content.length} B`).waitFor();
  await screenshot(page, 'incident-attachments');

  const href = await link.getAttribute('href');
  const download = await page.request.get(href);
  assert.equal(download.status(), 200);
  assert.deepEqual(Buffer.from(await download.body()), content);

  // The upload is in the timeline and the audit trail.
  const trail = await srv.auditEntries(`?object_type=incident`);
  assert.ok(trail.some((e) => /attachment/.test(e.action)), 'no audit entry for the attachment');
  assertClean(page);
});

test('a major incident: declared, its communications logged, and closed only after its review', async () => {
  const incident = await logIncident('alex', {
    title: 'Customer portal defaced',
    category: 'intrusion',
    impact: 'extensive',
    urgency: 'high',
    assignee: 'ines',
  });
  const page = await newPage();
  await signIn(page, 'ines');
  await page.goto(`/incidents/${incident.key}`);
  await page.getByRole('button', { name: 'Declare major incident…' }).click();
  await page.getByLabel('Major-incident manager').selectOption('ines');
  await page.getByRole('button', { name: 'Declare major incident', exact: true }).click();
  await page.locator('.major-banner').getByText('Managed by ines').waitFor();

  const comms = page.getByRole('region', { name: 'Communications' });
  await comms.getByText('Nothing communicated yet.').waitFor();
  await comms.getByLabel('Audience').selectOption('management');
  await comms.getByLabel('Message').fill('The portal shows a defacement; it is offline while we restore it. Next update at 14:00.');
  await comms.getByRole('button', { name: 'Record communication' }).click();
  await comms.locator('.tl-item', { hasText: 'Next update at 14:00' }).getByText('to Management').waitFor();
  await screenshot(page, 'incident-major');

  const actions = page.getByRole('region', { name: 'Move this incident' });
  await actions.getByRole('button', { name: 'Start work' }).click();
  await page.locator('.incident-badges .status', { hasText: 'In progress' }).waitFor();
  await actions.getByRole('button', { name: 'Resolve' }).click();
  await page.getByLabel('Resolution').selectOption('contained_and_eradicated');
  await page.getByLabel('What was done').fill('Restored the site from the signed release and rotated the deploy keys.');
  await page.locator('form.transition-form').getByRole('button', { name: 'Resolve' }).click();
  await page.locator('.incident-badges .status', { hasText: 'Resolved' }).waitFor();

  // A major incident closes only after its review: refused in words first.
  const review = page.getByRole('region', { name: 'Lessons learned' });
  await review.getByText('Before this incident can close').waitFor();
  await actions.getByRole('button', { name: 'Close' }).click();
  await actions.getByRole('alert').waitFor();
  await review.getByLabel('What happened').fill('An outdated CMS plugin let an attacker upload a page.');
  await review.getByLabel('Root cause').fill('The plugin was not in the patch inventory.');
  await review.getByLabel('What went well').fill('Detection within five minutes by the uptime monitor.');
  await review.getByLabel('What to improve').fill('Add CMS plugins to the patch inventory.');
  await review.getByRole('button', { name: 'Save lessons learned' }).click();
  await review.getByText('Saved').waitFor();
  await review.getByLabel('Action').fill('Inventory and patch all CMS plugins monthly');
  await review.getByRole('button', { name: 'Add action' }).click();
  await review.getByText('The review is complete').waitFor();
  await actions.getByRole('button', { name: 'Close' }).click();
  await page.locator('.incident-badges .status', { hasText: 'Closed' }).waitFor();
  // The log stays readable after closing, but takes no new messages.
  await comms.getByText('Next update at 14:00').waitFor();
  assert.equal(await comms.getByRole('button', { name: 'Record communication' }).count(), 0);
  await screenshot(page, 'incident-major-closed');

  const stored = (await admin.get(`/api/v1/incidents/${incident.key}`)).body;
  assert.equal(stored.major, true);
  assert.equal(stored.status, 'closed');
  assertClean(page);
});

test('an administrator manages users, groups, the SLA policy, calendars and categories', async () => {
  const page = await newPage();
  await signIn(page, 'admin', ADMIN_PASSWORD);
  await page.goto('/admin/users');

  // A new user: a missing password is explained next to the field, then created.
  await page.getByRole('button', { name: 'New user' }).click();
  const form = page.getByRole('form', { name: 'New user' });
  await form.getByLabel('Username').fill('nora');
  await form.getByLabel('Display name').fill('Nora Newcomer');
  await form.getByRole('checkbox', { name: 'Agent' }).check();
  await form.getByRole('button', { name: 'Create user' }).click();
  await form.locator('.field', { has: page.getByLabel('Initial password') }).locator('.field-error').waitFor();
  await form.getByLabel('Initial password').fill('nora has a long passphrase');
  await form.getByRole('button', { name: 'Create user' }).click();
  const row = page.locator('tr', { hasText: 'Nora Newcomer' });
  await row.waitFor();
  await row.getByText('Reporter, Agent').waitFor();
  await screenshot(page, 'admin-users');

  // A group with her as a member.
  await page.getByRole('navigation', { name: 'Administration' }).getByRole('link', { name: 'Groups' }).click();
  await page.getByRole('button', { name: 'New group' }).click();
  await page.getByLabel(/^Name\b/).fill('network');
  await page.getByLabel('Display name').fill('Network team');
  await page.getByLabel('Support level').selectOption('2');
  await page.getByLabel('Members (usernames, comma-separated)').fill('nora, nobody-by-that-name');
  await page.getByRole('button', { name: 'Create group' }).click();
  // The unknown member is named next to the members field, in words.
  const members = page.locator('.field', { has: page.getByLabel('Members (usernames, comma-separated)') });
  await members.locator('.field-error').waitFor();
  assert.match(await members.locator('.field-error').textContent(), /nobody-by-that-name|not|unknown/i);
  await page.getByLabel('Members (usernames, comma-separated)').fill('nora');
  await page.getByRole('button', { name: 'Create group' }).click();
  await page.locator('tr', { hasText: 'Network team' }).getByText('nora').waitFor();
  await screenshot(page, 'admin-groups');

  // The SLA policy: a bad threshold list is explained, a good one is saved as a new version.
  await page.getByRole('navigation', { name: 'Administration' }).getByRole('link', { name: 'SLA policy' }).click();
  await page.getByLabel('P3 time to resolve in minutes').fill('2400');
  await page.getByLabel('Escalation thresholds (% of the resolution target)').fill('90, 50');
  await page.getByRole('button', { name: 'Save as a new version' }).click();
  await page.locator('.field', { has: page.getByLabel('Escalation thresholds (% of the resolution target)') }).locator('.field-error').waitFor();
  await page.getByLabel('Escalation thresholds (% of the resolution target)').fill('50, 75, 100');
  await page.getByRole('button', { name: 'Save as a new version' }).click();
  await page.getByText('Saved as version 2.').waitFor();
  await screenshot(page, 'admin-sla');
  const policy = (await admin.get('/api/v1/settings/sla-policy')).body;
  assert.equal(policy.policy.targets.P3.resolution_minutes, 2400);

  // A calendar holiday.
  await page.getByRole('navigation', { name: 'Administration' }).getByRole('link', { name: 'Calendars' }).click();
  await page.getByLabel('Holidays').fill('2026-12-25, 2026-12-26');
  await page.getByLabel('Monday').fill('08:00-12:00, 13:00-17:00');
  await page.getByRole('button', { name: 'Save calendar' }).click();
  await page.getByText('Saved.').waitFor();
  await screenshot(page, 'admin-calendars');
  const calendars = (await admin.get('/api/v1/settings/calendars')).body.items;
  const business = calendars.find((c) => !c.always_open);
  assert.deepEqual(business.holidays, ['2026-12-25', '2026-12-26']);
  assert.deepEqual(business.week.monday, [{ start: '08:00', end: '12:00' }, { start: '13:00', end: '17:00' }]);

  // A custom subcategory, offered in the new-incident form.
  await page.getByRole('navigation', { name: 'Administration' }).getByRole('link', { name: 'Categories' }).click();
  await page.getByLabel('Code').fill('badge-cloning');
  await page.getByLabel(/^Name\b/).fill('Badge cloning');
  await page.getByLabel('Under').selectOption('intrusion');
  await page.getByRole('button', { name: 'Add category' }).click();
  await page.locator('.category-tree li', { hasText: 'Badge cloning' }).getByText('custom').waitFor();
  await screenshot(page, 'admin-categories');
  const categories = (await admin.get('/api/v1/categories')).body.items;
  assert.ok(categories.some((c) => c.code === 'badge-cloning' && c.parent === 'intrusion'));

  for (const path of ['/admin/users', '/admin/groups', '/admin/sla', '/admin/calendars', '/admin/categories']) {
    await page.goto(path);
    await page.locator('main h2').first().waitFor();
    assert.deepEqual(await unlabelledControls(page), [], path);
  }
  assertClean(page);
});

test('the audit viewer shows the chain verified, and its entries for one object', async () => {
  await srv.createUser('otto', ['auditor'], { display_name: 'Otto Auditor' });
  const incident = await logIncident('alex', { title: 'Badge reader at the side door stuck open' });
  const page = await newPage({ viewport: DESKTOP });
  await signIn(page, 'otto');
  await page.goto('/audit');
  await page.getByRole('button', { name: 'Verify the chain' }).click();
  const result = page.getByText('The chain is intact.');
  await result.waitFor();
  await screenshot(page, 'audit-verified');
  const rows = page.locator('.audit-table tbody tr');
  await rows.first().waitFor();
  assert.ok((await rows.filter({ hasText: 'incident.create' }).count()) >= 1);
  assert.deepEqual(await unlabelledControls(page), []);
  const stored = (await admin.get(`/api/v1/incidents/${incident.key}`)).body;
  assert.equal(stored.key, incident.key);
  assertClean(page);
});
