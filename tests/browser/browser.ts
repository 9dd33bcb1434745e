/**
 * Driving Debian's Chromium with playwright-core for the browser tests: the browser must be there
 * (a missing one fails the run, never skips it), every page visited is checked with axe-core for
 * WCAG 2.2 AA and photographed into test-results/screenshots/, and any console error, CSP refusal or
 * failed asset fails the page.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { expect } from 'vitest';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const SCREENSHOTS = join(process.cwd(), 'test-results', 'screenshots');
const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];

/** Starts headless Chromium, or fails saying how to install it. */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `Chromium is not installed at ${CHROMIUM_PATH}: the browser tests need it and are never skipped. ` +
        'Install it with "apt-get install -y chromium" (.ci/run does this), or set CHROMIUM_PATH to a Chromium binary.',
    );
  }
  // Screenshots of this run only: an old one must never pass for today's page.
  await rm(SCREENSHOTS, { recursive: true, force: true });
  await mkdir(SCREENSHOTS, { recursive: true });
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    // The machine's network is closed: without the background-networking flags Chromium's own calls home are refused noisily.
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-dev-shm-usage',
    ],
  });
}

let axeSource: Promise<string> | undefined;
const axe = () => (axeSource ??= readFile(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8'));

let shot = 0;

/** Watches a page for console errors (CSP refusals among them) and failed requests of this origin. */
export function watch(page: Page, origin: string): { problems: string[] } {
  const problems: string[] = [];
  page.on('console', (message) => {
    // A page answered 400, 403 or 404 on purpose is logged by Chromium as a failed load; failed assets are caught below.
    if (message.type() === 'error' && !message.text().startsWith('Failed to load resource'))
      problems.push(`console: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('response', (response) => {
    const url = response.url();
    if (url.startsWith(origin) && response.request().resourceType() !== 'document' && response.status() >= 400)
      problems.push(`${response.status()} for ${url}`);
  });
  return { problems };
}

/**
 * Checks the page as it stands: no axe violations of WCAG 2.0–2.2 A and AA, no console errors or
 * failed assets since the last check; then saves a full-page screenshot named after the step.
 */
export async function checkPage(page: Page, watcher: { problems: string[] }, name: string): Promise<void> {
  await page.waitForLoadState('load');
  // Injected through the DevTools protocol, so the page's CSP (script-src 'self') stays as it is for the test.
  await page.evaluate(await axe());
  const result = (await page.evaluate(
    (tags) =>
      (globalThis as unknown as { axe: { run: (ctx: unknown, options: unknown) => Promise<unknown> } }).axe.run(
        'html',
        { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] },
      ),
    AXE_TAGS,
  )) as {
    violations: { id: string; impact: string; help: string; nodes: { target: string[]; failureSummary: string }[] }[];
  };
  const violations = result.violations.map(
    (v) =>
      `${v.id} (${v.impact}): ${v.help}\n${v.nodes.map((n) => `    ${n.target.join(' ')}: ${n.failureSummary}`).join('\n')}`,
  );
  shot += 1;
  await page.screenshot({ path: join(SCREENSHOTS, `${String(shot).padStart(2, '0')}-${name}.png`), fullPage: true });
  expect(violations, `axe violations on ${name} (${page.url()})`).toEqual([]);
  const problems = watcher.problems.splice(0);
  expect(problems, `console errors or failed requests on ${name} (${page.url()})`).toEqual([]);
}
