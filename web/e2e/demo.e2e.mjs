// First impression: on an empty database an administrator is offered demo data in the
// application; everyone else is told the command. Once loaded, the offer is gone.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { ADMIN_PASSWORD, startServer } from '../../tests/harness/server.mjs';
import { launch, openPage, screenshot, settled, signIn } from './browser.mjs';

let srv;
let browser;

before(async () => {
  srv = await startServer();
  await srv.createUser('alex', ['agent'], { display_name: 'Alex Agent' });
  browser = await launch();
});

after(async () => {
  await browser?.close();
});

function assertClean(page) {
  assert.deepEqual(page.problems, [], `the page reported problems:\n${page.problems.join('\n')}`);
}

test('an administrator loads demo data from the home page of an empty database', async () => {
  // An agent is told what to ask for, with no button.
  const agent = await openPage(browser, srv.baseUrl);
  await signIn(agent, 'alex');
  const offer = agent.getByRole('region', { name: /explore custos with demo data/ });
  await offer.getByText('custos demo load --incidents 200').waitFor();
  assert.equal(await offer.getByRole('button').count(), 0);

  const page = await openPage(browser, srv.baseUrl);
  await signIn(page, 'admin', ADMIN_PASSWORD);
  const adminOffer = page.getByRole('region', { name: /explore custos with demo data/ });
  await adminOffer.waitFor();
  await settled(page);
  await screenshot(page, 'home-admin-empty');
  await adminOffer.getByRole('button', { name: 'Load demo data' }).click();
  await page.getByText(/Loaded 200 demo incidents/).waitFor({ timeout: 120_000 });
  await screenshot(page, 'home-admin-demo-loaded');
  await page.getByRole('link', { name: 'Open the queue' }).click();
  await page.locator('.incident-table tbody tr').nth(49).waitFor();

  // Loaded once: the offer is gone, for the agent too.
  for (const p of [page, agent]) {
    const asked = p.waitForResponse((r) => r.url().endsWith('/api/v1/incidents?limit=1'));
    await p.goto('/');
    await asked;
    await p.getByRole('heading', { name: /^Hello/ }).waitFor();
    await p.waitForTimeout(200);
    assert.equal(await p.getByRole('region', { name: /explore custos with demo data/ }).count(), 0);
  }

  const load = (await srv.auditEntries('?action=demo.load'));
  assert.equal(load.length, 1);
  assert.equal(load[0].actor, 'user:admin');
  assertClean(page);
  assertClean(agent);
});
