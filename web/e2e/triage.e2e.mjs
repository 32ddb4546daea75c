// Reports of security events and weaknesses and their triage, in real browsers: a reporter
// reports, an agent finds the report in the triage queue, classifies and decides it, and the
// reporter sees the outcome. Screenshots land in tests/artifacts/web/.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../../tests/harness/server.mjs';
import { DESKTOP, PHONE, launch, openPage, overflowsHorizontally, screenshot, settled, signIn, unlabelledControls } from './browser.mjs';

let srv;
let browser;

before(async () => {
  srv = await startServer();
  await srv.createUser('rita', ['reporter'], { display_name: 'Rita Reporter' });
  await srv.createUser('alex', ['agent'], { display_name: 'Alex Agent' });
  await srv.createUser('ines', ['incident_manager'], { display_name: 'Ines Manager' });
  browser = await launch();
});

after(async () => {
  await browser?.close();
});

function assertClean(page) {
  assert.deepEqual(page.problems, [], `the page reported problems:\n${page.problems.join('\n')}`);
}

const decision = (page, name) => page.getByRole('form', { name });

test('a reported event is promoted to an incident in triage and the reporter sees the outcome', async () => {
  // The reporter, on a phone.
  const rita = await openPage(browser, srv.baseUrl, { viewport: PHONE });
  await signIn(rita, 'rita');
  await rita.getByRole('heading', { name: 'Hello, Rita Reporter' }).waitFor();
  await rita.getByText('You have not reported anything yet.').waitFor();
  await rita.getByRole('banner').getByRole('link', { name: 'Report an event' }).click();
  await rita.getByRole('radio', { name: /Something happened/ }).check();
  await rita.getByLabel('What happened, in a few words?').fill('Pop-up says my files are encrypted');
  await rita.getByLabel('What exactly did you see?').fill('A red window: "Your files are encrypted. Pay 0.5 BTC."');
  await rita.getByLabel('Where?').fill('Laptop FIN-LT-042');
  await rita.getByRole('button', { name: 'Send report' }).click();
  await rita.getByRole('heading', { name: 'Thank you — your report is in' }).waitFor();
  const key = (await rita.locator('.success-panel a').textContent()).trim();
  assert.match(key, /^EVT-\d{6}$/);

  // The agent finds it in the triage queue (reached from the navigation).
  const alex = await openPage(browser, srv.baseUrl, { viewport: DESKTOP });
  await signIn(alex, 'alex');
  await alex.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Triage' }).click();
  await alex.getByRole('heading', { name: 'Triage', level: 1 }).waitFor();
  const row = alex.locator('.event-line', { hasText: key });
  await row.waitFor();
  await row.getByText('New', { exact: true }).waitFor();
  await settled(alex);
  assert.deepEqual(await unlabelledControls(alex), []);
  await screenshot(alex, 'triage-queue');
  await row.getByRole('link', { name: 'Pop-up says my files are encrypted' }).click();
  await alex.getByRole('heading', { name: 'Pop-up says my files are encrypted', level: 1 }).waitFor();
  await alex.getByText('Laptop FIN-LT-042').waitFor();
  await settled(alex);
  assert.deepEqual(await unlabelledControls(alex), []);

  // The API's errors appear next to the field they are about.
  const merge = decision(alex, 'Merge into an incident');
  await merge.getByLabel('Incident').fill('the ransomware one');
  await merge.getByLabel('Reason').fill('Same pop-up as the finance share.');
  await merge.getByRole('button', { name: 'Merge' }).click();
  await merge.locator('.field-error', { hasText: /incident key like INC-000123/ }).waitFor();
  const dismiss = decision(alex, 'Dismiss');
  await dismiss.getByLabel('Why dismissed').selectOption('duplicate');
  await dismiss.getByLabel('Duplicate of').fill('EVT-999999');
  await dismiss.getByLabel('Reason').fill('Reported before.');
  await dismiss.getByRole('button', { name: 'Dismiss' }).click();
  await dismiss.locator('.field-error', { hasText: 'No such report EVT-999999.' }).waitFor();
  await screenshot(alex, 'triage-report-errors');

  // Classify, then promote.
  const classify = alex.getByRole('region', { name: 'Classify' });
  await classify.getByLabel(/^Category/).selectOption('malicious-code');
  await classify.getByLabel('Subcategory').selectOption('ransomware');
  await classify.getByLabel('Impact').selectOption('significant');
  await classify.getByLabel('Urgency').selectOption('high');
  await classify.getByRole('button', { name: 'Save classification' }).click();
  await classify.getByText('Classification saved.').waitFor();
  await alex.locator('.page-header .evt-status', { hasText: 'Being assessed' }).waitFor();
  const promote = decision(alex, 'Promote to a new incident');
  await promote.getByRole('button', { name: 'Promote' }).click();
  await promote.getByText('Say why this becomes an incident.').waitFor();
  await promote.getByLabel('Reason').fill('Ransomware on a finance laptop: needs an incident now.');
  await promote.getByRole('button', { name: 'Promote' }).click();
  const open = alex.getByRole('link', { name: /^Open INC-\d{6}$/ });
  await open.waitFor();
  const incident = (await open.textContent()).replace('Open ', '').trim();
  await alex.getByText(`It became incident ${incident}`).first().waitFor();
  await alex.locator('.page-header .evt-status', { hasText: 'Became an incident' }).waitFor();
  // The decision forms are gone: a decided report is final.
  assert.equal(await decision(alex, 'Dismiss').count(), 0);
  await screenshot(alex, 'triage-report-promoted');
  await open.click();
  await alex.getByRole('heading', { name: 'Pop-up says my files are encrypted', level: 1 }).waitFor();
  await alex.locator('.incident-badges').waitFor();
  assert.match(alex.url(), new RegExp(`/incidents/${incident}$`));

  // Promoted reports leave the queue.
  await alex.goto('/triage');
  await alex.getByRole('heading', { name: 'Triage', level: 1 }).waitFor();
  await settled(alex);
  assert.equal(await alex.locator('.event-line', { hasText: key }).count(), 0);

  // The reporter sees the outcome with the incident's key on the home page, and follows it.
  await rita.goto('/');
  const mine = rita.locator('.event-line', { hasText: key });
  await mine.getByText('Became an incident', { exact: true }).waitFor();
  await mine.getByRole('link', { name: incident }).waitFor();
  await mine.getByText(`It became incident ${incident}`).waitFor();
  await settled(rita);
  await screenshot(rita, 'my-reports-promoted-phone');
  assert.equal(await overflowsHorizontally(rita), false, 'my reports are wider than 360 px');
  await mine.getByRole('link', { name: key }).click();
  await rita.getByRole('heading', { name: 'Pop-up says my files are encrypted', level: 1 }).waitFor();
  await rita.getByRole('link', { name: `Open ${incident}` }).waitFor();
  // A reporter reads the outcome, never the triage forms.
  assert.equal(await decision(rita, 'Promote to a new incident').count(), 0);
  await settled(rita);
  await screenshot(rita, 'report-outcome-phone');
  assert.equal(await overflowsHorizontally(rita), false, 'the report page is wider than 360 px');
  await rita.getByRole('link', { name: `Open ${incident}` }).click();
  await rita.getByRole('heading', { name: 'Pop-up says my files are encrypted', level: 1 }).waitFor();
  assertClean(rita);
  assertClean(alex);
});

test('triage on a phone: a duplicate dismissed, a report merged, a raced decision refused', async () => {
  const rita = await srv.userToken('rita');
  const ines = await srv.userToken('ines');
  const first = await rita.post('/api/v1/events', { kind: 'weakness', title: 'Server room door does not close', description: 'The latch is broken; it stays ajar.', location: 'Building B' });
  const again = await rita.post('/api/v1/events', { kind: 'weakness', title: 'Door of the server room stays open', observed: 'Door open at 18:00, nobody inside.' });
  const merged = await rita.post('/api/v1/events', { kind: 'event', title: 'Second phishing mail about the mailbox quota', description: 'Again the quota mail, now from another sender.' });
  const raced = await rita.post('/api/v1/events', { kind: 'event', title: 'USB stick on my desk', description: 'Not mine, no label.' });
  for (const r of [first, again, merged, raced]) assert.equal(r.status, 201, r.text);
  const target = await ines.post('/api/v1/incidents', { title: 'Phishing wave: mailbox quota', category: 'fraud', impact: 'moderate', urgency: 'high' });
  assert.equal(target.status, 201, target.text);

  const page = await openPage(browser, srv.baseUrl, { viewport: PHONE });
  await signIn(page, 'ines');
  await page.goto('/triage');
  await page.locator('.event-line', { hasText: first.body.key }).waitFor();
  await settled(page);
  await screenshot(page, 'triage-queue-phone');
  assert.equal(await overflowsHorizontally(page), false, 'the triage queue is wider than 360 px');

  // A duplicate names the other report.
  await page.goto(`/reports/${again.body.key}`);
  const dismiss = decision(page, 'Dismiss');
  await dismiss.getByLabel('Why dismissed').selectOption('duplicate');
  await dismiss.getByLabel('Duplicate of').fill(first.body.key.toLowerCase());
  await dismiss.getByLabel('Reason').fill('The same door, reported an hour earlier.');
  await settled(page);
  await screenshot(page, 'triage-report-phone');
  assert.equal(await overflowsHorizontally(page), false, 'the report page is wider than 360 px');
  await dismiss.getByRole('button', { name: 'Dismiss' }).click();
  await page.getByText(`Closed: it was already reported as ${first.body.key}.`).first().waitFor();
  const dismissed = (await rita.get(`/api/v1/events/${again.body.key}`)).body;
  assert.equal(dismissed.status, 'dismissed');
  assert.equal(dismissed.decision.dismissal, 'duplicate');
  assert.equal(dismissed.decision.duplicate_of, first.body.key);

  // Merged into an incident already being worked.
  await page.goto(`/reports/${merged.body.key}`);
  const merge = decision(page, 'Merge into an incident');
  await merge.getByLabel('Incident').fill(target.body.key);
  await merge.getByLabel('Reason').fill('Part of the phishing wave we are working.');
  await merge.getByRole('button', { name: 'Merge' }).click();
  await page.getByRole('link', { name: `Open ${target.body.key}` }).waitFor();
  assert.equal((await rita.get(`/api/v1/events/${merged.body.key}`)).body.incident, target.body.key);

  // Someone else decided first: the second decision is refused in words.
  await page.goto(`/reports/${raced.body.key}`);
  const promote = decision(page, 'Promote to a new incident');
  await promote.waitFor();
  const other = await ines.post(`/api/v1/events/${raced.body.key}/dismiss`, { code: 'not_security', reason: 'A lost stick, returned to its owner.' });
  assert.equal(other.status, 200, other.text);
  await promote.getByLabel('Reason').fill('Could be a baiting attack.');
  await promote.getByRole('button', { name: 'Promote' }).click();
  await promote.locator('.alert-error').waitFor();
  assertClean(page);
});
