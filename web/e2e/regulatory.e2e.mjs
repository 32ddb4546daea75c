// The "Regulatory deadlines" panel of the incident page in a real browser: an incident manager
// flags a personal-data breach from an earlier moment of awareness, sees the deadline and the
// time left, records the notification (the errors of the API next to their fields), and
// withdraws a flag with a reason; an agent reads the deadlines without the controls.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../../tests/harness/server.mjs';
import { launch, openPage, screenshot, settled, signIn, unlabelledControls, unnamedControls } from './browser.mjs';

let srv;
let browser;

before(async () => {
  srv = await startServer();
  await srv.createUser('alex', ['agent'], { display_name: 'Alex Agent' });
  await srv.createUser('ines', ['incident_manager'], { display_name: 'Ines Manager' });
  browser = await launch();
});

after(async () => {
  await browser?.close();
});

const HOUR = 3_600_000;
// <input type="datetime-local"> in the page's zone (UTC in these tests).
const localInput = (ms) => new Date(ms).toISOString().slice(0, 16);

function assertClean(page) {
  assert.deepEqual(page.problems, [], `the page reported problems:\n${page.problems.join('\n')}`);
}

test('an incident manager flags a breach, sees its deadline, records the notification and withdraws a flag', async () => {
  const alex = await srv.userToken('alex');
  const created = await alex.post('/api/v1/incidents', { title: 'Payroll export sent to a supplier', category: 'other', impact: 'minor', urgency: 'low' });
  assert.equal(created.status, 201, created.text);
  const key = created.body.key;

  const page = await openPage(browser, srv.baseUrl);
  await signIn(page, 'ines');
  await page.goto(`/incidents/${key}`);
  const panel = page.getByRole('region', { name: 'Regulatory deadlines' });
  await panel.waitFor();
  await panel.getByText('Not flagged').waitFor();

  // A moment of awareness in the future is refused, next to the field.
  await panel.getByRole('button', { name: 'Flag: Personal-data breach (GDPR)' }).click();
  await panel.getByLabel('Aware since').fill(localInput(Date.now() + 2 * HOUR));
  await panel.getByRole('button', { name: 'Flag as Personal-data breach (GDPR)' }).click();
  await panel.locator('.field-error', { hasText: 'future' }).waitFor();

  // Two hours ago: 70 hours are left of the 72.
  const aware = Date.now() - 2 * HOUR;
  await panel.getByLabel('Aware since').fill(localInput(aware));
  await panel.getByRole('button', { name: 'Flag as Personal-data breach (GDPR)' }).click();
  const item = panel.locator('li[data-obligation="gdpr_notification"]');
  await item.waitFor();
  assert.equal(await item.getAttribute('data-state'), 'open');
  await item.getByText('Notification to the supervisory authority (GDPR Art. 33)').waitFor();
  assert.match(await item.locator('.regulatory-remaining').innerText(), /^2d 2[12]h \d\dm left$/);
  await panel.getByText('Personal-data breach under GDPR Art. 33').waitFor();
  assert.deepEqual(await unlabelledControls(page), []);
  assert.deepEqual(await unnamedControls(page), []);

  // Recording the notification: the authority is required.
  await item.getByRole('button', { name: 'Record submission: Notification to the supervisory authority (GDPR Art. 33)' }).click();
  const form = page.getByRole('form', { name: 'Record submission: Notification to the supervisory authority (GDPR Art. 33)' });
  await form.getByRole('button', { name: 'Record submission' }).click();
  await form.locator('.field-error').first().waitFor();
  assert.equal(await form.getByLabel('Sent to (authority)').getAttribute('aria-invalid'), 'true');
  assert.deepEqual(await unlabelledControls(page), []);
  await form.getByLabel('Sent to (authority)').fill('Data protection authority');
  await form.getByLabel('Reference number').fill('DPA-2026-0042');
  await form.getByLabel('Note').fill('Filed through the online form.');
  await form.getByRole('button', { name: 'Record submission' }).click();
  await item.getByText(/Sent to Data protection authority .* reference DPA-2026-0042/).waitFor();
  assert.equal(await item.getAttribute('data-state'), 'met');
  await item.locator('.badge', { hasText: 'Met' }).waitFor();
  await settled(page);
  await screenshot(page, 'incident-regulatory');

  // NIS2 too, from now: three more obligations.
  await panel.getByRole('button', { name: 'Flag: Significant incident (NIS2)' }).click();
  await panel.getByRole('button', { name: 'Flag as Significant incident (NIS2)' }).click();
  await panel.locator('li[data-obligation="nis2_final_report"]').waitFor();
  assert.equal(await panel.locator('li[data-obligation]').count(), 4);

  // Withdrawing needs a reason.
  await panel.getByRole('button', { name: 'Withdraw: Significant incident (NIS2)' }).click();
  await panel.getByRole('button', { name: 'Withdraw flag' }).click();
  await panel.locator('.field-error').first().waitFor();
  await panel.getByLabel('Reason for withdrawing').fill('Below the NIS2 thresholds after assessment.');
  await panel.getByRole('button', { name: 'Withdraw flag' }).click();
  await panel.getByText(/withdrawn by ines .* Below the NIS2 thresholds/).waitFor();
  assert.equal(await panel.locator('li[data-obligation]').count(), 1);
  assertClean(page);

  // The agent working the incident sees the deadlines, not the controls.
  const agent = await openPage(browser, srv.baseUrl);
  await signIn(agent, 'alex');
  await agent.goto(`/incidents/${key}`);
  const seen = agent.getByRole('region', { name: 'Regulatory deadlines' });
  await seen.locator('li[data-obligation="gdpr_notification"][data-state="met"]').waitFor();
  assert.equal(await seen.getByRole('button').count(), 0);
  assertClean(agent);
});
