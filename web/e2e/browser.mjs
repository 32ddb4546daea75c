// Browser side of the end-to-end tests: Debian's Chromium driven by playwright-core (no browser
// download), pages that fail on any console error or Content-Security-Policy violation, and
// screenshots saved under tests/artifacts/web/ (git-ignored) for people to look at.
import fs from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { REPO_ROOT, PASSWORD } from '../../tests/harness/server.mjs';

export const CHROMIUM = process.env.CUSTOS_CHROMIUM || '/usr/bin/chromium';
export const ARTIFACTS = path.join(REPO_ROOT, 'tests', 'artifacts', 'web');
export const DESKTOP = { width: 1366, height: 900 };
export const PHONE = { width: 360, height: 780 };

export async function launch() {
  if (!fs.existsSync(CHROMIUM)) throw new Error(`no browser at ${CHROMIUM}: run scripts/install-deps.sh (it installs Debian's chromium)`);
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
  });
}

// A fresh browser context (its own cookies) and page at `baseUrl`. Problems the page reports
// (uncaught errors, console errors, CSP violations) are collected in page.problems.
export async function openPage(browser, baseUrl, { viewport = DESKTOP } = {}) {
  const context = await browser.newContext({ baseURL: baseUrl, viewport, locale: 'en-GB', timezoneId: 'UTC' });
  context.setDefaultTimeout(15_000);
  const page = await context.newPage();
  page.problems = [];
  page.on('pageerror', (e) => page.problems.push(`page error: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() !== 'error') return;
    const text = m.text();
    // A failed API call the page shows in words is expected (404 for a restricted incident).
    if (/Failed to load resource: the server responded with a status of (4\d\d)/.test(text)) return;
    page.problems.push(`console: ${text}`);
  });
  return page;
}

export async function signIn(page, username, password = PASSWORD) {
  await page.goto('/');
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  // The header appears once signed in (its menu may be folded away on a phone).
  await page.locator('header.topbar').waitFor();
}

export async function screenshot(page, name) {
  // Wait for fonts and pending renders so that the picture shows the finished page.
  await page.evaluate(() => document.fonts?.ready);
  await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });
}

// Every visible form control must have an accessible name (a label, aria-label or
// aria-labelledby); returns the ones that do not.
export async function unlabelledControls(page) {
  return page.evaluate(() => {
    const bad = [];
    for (const el of document.querySelectorAll('input, select, textarea')) {
      if (el.type === 'hidden' || el.closest('[hidden]')) continue;
      const r = el.getBoundingClientRect();
      if (r.width === 0 && r.height === 0 && !el.classList.contains('sr-only')) continue;
      const labelled = (el.labels && el.labels.length > 0) || el.getAttribute('aria-label') || el.getAttribute('aria-labelledby');
      if (!labelled) bad.push(el.outerHTML.slice(0, 120));
    }
    return bad;
  });
}

// Whether the page is wider than its viewport (a horizontal scroll bar at 360 px is a bug).
export async function overflowsHorizontally(page) {
  return page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth + 1);
}
