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
  // From the top: a full-page picture taken while scrolled draws the sticky header mid-page.
  await page.evaluate(() => window.scrollTo(0, 0));
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

// Controls that have no accessible name as the browser itself computes it (Chromium's
// accessibility tree, the one screen readers read): every text box, list box, check box, radio
// button, button and link must say what it is. Returns "role: html" of each one that does not.
const NAMED_ROLES = new Set(['textbox', 'searchbox', 'combobox', 'listbox', 'checkbox', 'radio', 'spinbutton', 'slider', 'switch', 'button', 'link', 'menuitem', 'tab']);
export async function unnamedControls(page) {
  const cdp = await page.context().newCDPSession(page);
  try {
    await cdp.send('Accessibility.enable');
    const { nodes } = await cdp.send('Accessibility.getFullAXTree');
    const bad = [];
    for (const n of nodes) {
      if (n.ignored) continue;
      const role = n.role?.value;
      if (!NAMED_ROLES.has(role)) continue;
      const name = (n.name?.value ?? '').trim();
      if (name) continue;
      let html = '';
      if (n.backendDOMNodeId) {
        try {
          const { outerHTML } = await cdp.send('DOM.getOuterHTML', { backendNodeId: n.backendDOMNodeId });
          html = outerHTML.slice(0, 120);
        } catch {}
      }
      bad.push(`${role}: ${html}`);
    }
    return bad;
  } finally {
    await cdp.detach();
  }
}

// What has the keyboard focus: its tag, accessible text, and whether the focus can be seen (an
// outline or a ring drawn by box-shadow).
export async function focused(page) {
  return page.evaluate(() => {
    const el = document.activeElement;
    if (!el || el === document.body) return null;
    const style = getComputedStyle(el);
    const outline = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0;
    const ring = style.boxShadow && style.boxShadow !== 'none';
    const label = el.getAttribute('aria-label') || (el.labels && el.labels[0] ? el.labels[0].innerText : '') || el.innerText || el.value || '';
    return { tag: el.tagName.toLowerCase(), type: el.getAttribute('type'), text: label.trim().replace(/\s+/g, ' '), visible: outline || ring };
  });
}

// Presses Tab until the focused element's text matches `want` (a RegExp); fails after `max` presses.
export async function tabTo(page, want, max = 60) {
  const seen = [];
  for (let n = 0; n < max; n++) {
    await page.keyboard.press('Tab');
    const f = await focused(page);
    if (f) seen.push(f.text);
    if (f && want.test(f.text)) return f;
  }
  throw new Error(`no focusable element matching ${want} within ${max} tabs; focus went through: ${seen.join(' | ')}`);
}

// Waits until the page has drawn what it loaded: no loading indicator and no busy region left.
// (Not Playwright's "networkidle": the live-update stream keeps one request open for good.)
export async function settled(page) {
  await page.waitForFunction(() => !document.querySelector('.loading, [aria-busy="true"]'));
  await page.waitForTimeout(300);
}
