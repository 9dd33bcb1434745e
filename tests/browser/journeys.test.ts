/**
 * The three roles' journeys in a real browser (Debian's Chromium, driven by playwright-core) against
 * the local stack `npm start` runs — dynalite, s3rver, the demo authority — with axe-core checking
 * every page for WCAG 2.2 AA and a screenshot of each kept in test-results/screenshots/.
 */
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Principal } from '#auth/principal';
import { startLocalStack, type LocalStack } from '#local/stack';
import { TemplateCatalogue } from '#service/templates';
import { assignments, recordView, saveGrades } from '#service/grading';
import type { ServiceContext } from '#service/context';
import { checkPage, launchChromium, watch } from './browser.ts';

let stack: LocalStack;
let browser: Browser;
let ctx: ServiceContext;
const contexts: BrowserContext[] = [];

/** Two more IROs join the demo authority's service (a 60-child demo has one): records need IROs who are not the child's own. */
const EXTRA_IROS = ['IRO02', 'IRO03'];
const iro = (userId: string): Principal => ({ userId, workerId: userId, roles: ['iro'], authorityId: 'demo' });

beforeAll(async () => {
  // Chromium first: when it is missing the run fails at once with the reason, before any setup.
  browser = await launchChromium();
  stack = await startLocalStack({
    port: 0,
    dataDir: await mkdtemp(join(tmpdir(), 'iro-web-browser-')),
    demo: { children: 60, seed: 7 },
  });
  await stack.store.upsertRecords(
    'demo',
    EXTRA_IROS.map((workerId) => ({
      kind: 'professional' as const,
      record: { workerId, role: 'IRO', team: 'IRO Service', service: 'Quality Assurance' },
    })),
  );
  ctx = {
    store: stack.store,
    objects: stack.objects,
    links: stack.objects as unknown as ServiceContext['links'],
    runner: stack.runner,
    templates: new TemplateCatalogue(stack.store),
  };
}, 90_000);

afterAll(async () => {
  for (const c of contexts) await c.close().catch(() => {});
  await browser?.close();
  await stack?.close();
});

/** Clicks something that loads a new page, and waits for that page. */
async function submit(page: Page, target: { click(): Promise<void> }): Promise<void> {
  await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), target.click()]);
}

/** A fresh browser profile for one person, and a page watched for errors. */
async function person(): Promise<{ page: Page; check: (name: string) => Promise<void> }> {
  const context = await browser.newContext({ acceptDownloads: true, viewport: { width: 1100, height: 900 } });
  contexts.push(context);
  const page = await context.newPage();
  page.setDefaultTimeout(10_000);
  const watcher = watch(page, stack.url);
  return { page, check: (name) => checkPage(page, watcher, name) };
}

async function signIn(
  page: Page,
  check: (name: string) => Promise<void>,
  role: 'QA lead' | 'IRO' | 'Senior manager',
  name: string,
  iroId?: string,
) {
  await page.goto(`${stack.url}/app`);
  expect(new URL(page.url()).pathname).toBe('/app/sign-in');
  await check(`${name}-sign-in`);
  await page.getByLabel(new RegExp(`^${role} \\(`)).check();
  if (iroId) await page.getByLabel('IRO worker id').fill(iroId);
  await submit(page, page.getByRole('button', { name: 'Sign in' }));
  await expect.poll(() => new URL(page.url()).pathname).toBe('/app');
  await check(`${name}-home`);
}

let auditId = '';
let qa: Awaited<ReturnType<typeof person>>;

describe.sequential('the three journeys, in Chromium', { timeout: 60_000 }, () => {
  it('a QA lead signs in, reads a template, checks the margin of error and launches a graded audit that goes to grading', async () => {
    qa = await person();
    const { page, check } = qa;
    // A sign-in with nothing chosen says what is missing, with the error summary first.
    await page.goto(`${stack.url}/app/sign-in`);
    await submit(page, page.getByRole('button', { name: 'Sign in' }));
    expect(await page.locator('.govuk-error-summary').innerText()).toContain('Select who you are signing in as');
    await check('qa-sign-in-error');
    await signIn(page, check, 'QA lead', 'qa');

    await submit(page, page.getByRole('link', { name: 'Templates' }).first());
    await check('qa-templates');
    await submit(page, page.getByRole('link', { name: 'Review timeliness and participation' }));
    expect(await page.getByRole('heading', { name: 'Statutory basis' }).isVisible()).toBe(true);
    expect(await page.locator('main').innerText()).toContain(
      'Care Planning, Placement and Case Review (England) Regulations 2010, reg 33',
    );
    await check('qa-template');

    await submit(page, page.getByRole('button', { name: 'Launch this audit' }));
    await check('qa-launch-form');
    // An end before the start is refused, keeping what was typed.
    await page.locator('#from-day').fill('1');
    await page.locator('#from-month').fill('10');
    await page.locator('#from-year').fill('2025');
    await page.locator('#to-day').fill('30');
    await page.locator('#to-month').fill('9');
    await page.locator('#to-year').fill('2025');
    await page.getByLabel('A number of records, chosen at random').check();
    await page.getByLabel('Number of records to sample').fill('6');
    await submit(page, page.getByRole('button', { name: 'Check the sample' }));
    expect(await page.locator('.govuk-error-summary').innerText()).toContain(
      'The end date must be the same as or after the start date',
    );
    expect(await page.locator('#from-month').inputValue()).toBe('10');
    expect(await page.getByLabel('Number of records to sample').inputValue()).toBe('6');
    await check('qa-launch-form-error');

    await page.locator('#to-day').fill('31');
    await page.locator('#to-month').fill('3');
    await page.locator('#to-year').fill('2026');
    await submit(page, page.getByRole('button', { name: 'Check the sample' }));
    expect(await page.getByRole('heading', { name: 'Check the sample before launching' }).isVisible()).toBe(true);
    const summary = page.locator('.govuk-summary-list');
    expect(await summary.innerText()).toMatch(/Population\s*\d+ records/);
    expect(await summary.innerText()).toMatch(/Sample\s*6 records/);
    expect(await summary.innerText()).toMatch(/Margin of error\s*±\d+(\.\d)? percentage points, at 95% confidence/);
    await check('qa-launch-check');

    await submit(page, page.getByRole('button', { name: 'Launch the audit' }));
    expect(await page.locator('.govuk-notification-banner').innerText()).toContain('The audit has been launched');
    auditId = new URL(page.url()).pathname.split('/').pop()!;
    await check('qa-audit-launched');
    await stack.runner.idle();
    await page.goto(`${stack.url}/app/audits/${auditId}`);
    expect(await page.locator('.govuk-summary-list').innerText()).toContain('Grading');
    expect(await page.getByRole('table', { name: 'Grading progress by IRO' }).isVisible()).toBe(true);
    await check('qa-audit-grading');
  });

  it('an IRO grades an assigned record; when it changed behind their back they are told, and what they typed is kept', async () => {
    const mine = await assignments(ctx, iro('IRO02'));
    expect(mine.length).toBeGreaterThan(0);
    const { page, check } = await person();
    await signIn(page, check, 'IRO', 'iro', 'IRO02');
    await submit(page, page.getByRole('button', { name: 'See my assignments' }));
    await check('iro-assignments');
    const recordId = mine.sort((a, b) => a.recordId.localeCompare(b.recordId))[0]!.recordId;
    await submit(page, page.getByRole('link', { name: recordId }));
    expect(await page.getByRole('heading', { name: 'The child’s care and reviews' }).isVisible()).toBe(true);
    expect(await page.locator('.app-timeline').first().innerText()).toContain('Review');
    expect(await page.getByRole('complementary').innerText()).toContain(
      'Review held within timescale (every review due, held or not)',
    );
    await check('iro-grading');

    const question = page.getByRole('group', { name: /child’s voice|voice/i }).first();
    await question.getByLabel('Good', { exact: true }).check();
    await page.getByLabel('Comments (optional)').fill('The child’s own words are quoted in the record.');
    await submit(page, page.getByRole('button', { name: 'Save', exact: true }));
    expect(await page.locator('.govuk-notification-banner').innerText()).toContain('Your grades have been saved');
    await check('iro-grading-saved');

    // The same IRO saves from another tab meanwhile: the page's version is now stale.
    const behind = await recordView(ctx, iro('IRO02'), auditId, recordId);
    await saveGrades(ctx, iro('IRO02'), auditId, recordId, {
      version: behind.grades.version,
      grades: { 'voice-of-the-child': 'Outstanding' },
      comment: 'Saved in another tab.',
    });

    await question.getByLabel('Requires improvement', { exact: true }).check();
    await page.getByLabel('Comments (optional)').fill('On reflection the voice is reported, not quoted.');
    await submit(page, page.getByRole('button', { name: 'Save and mark as done' }));
    expect(await page.locator('.govuk-error-summary').innerText()).toContain(
      'Someone else saved grades for this record after you opened it. Nothing was overwritten.',
    );
    expect(await question.getByLabel('Requires improvement', { exact: true }).isChecked()).toBe(true);
    expect(await page.getByLabel('Comments (optional)').inputValue()).toBe(
      'On reflection the voice is reported, not quoted.',
    );
    expect(await page.locator('main').innerText()).toContain('Saved meanwhile: Outstanding');
    expect(await page.locator('main').innerText()).toContain('Saved meanwhile: Saved in another tab.');
    await check('iro-grading-conflict');
    // Having seen the other grades, the IRO saves theirs.
    await submit(page, page.getByRole('button', { name: 'Save and mark as done' }));
    expect(await page.locator('.govuk-notification-banner').innerText()).toContain(
      `Record ${recordId} is graded and marked as done`,
    );
    await check('iro-assignments-done');
    expect((await recordView(ctx, iro('IRO02'), auditId, recordId)).grades).toMatchObject({
      grades: { 'voice-of-the-child': 'Requires improvement' },
      comment: 'On reflection the voice is reported, not quoted.',
    });

    // The other records are graded by their IROs outside this browser, so the audit has a full picture.
    for (const iroId of EXTRA_IROS) {
      for (const a of await assignments(ctx, iro(iroId))) {
        if (a.progress === 'graded') continue;
        const view = await recordView(ctx, iro(iroId), auditId, a.recordId);
        await saveGrades(ctx, iro(iroId), auditId, a.recordId, {
          version: view.grades.version,
          grades: { 'voice-of-the-child': a.recordId < 'm' ? 'Good' : 'Inadequate' },
        });
      }
    }
    // An IRO cannot open a QA lead's page.
    await page.goto(`${stack.url}/app/audits/new`);
    expect(await page.getByRole('heading', { name: 'You cannot see this page' }).isVisible()).toBe(true);
    await check('iro-forbidden');
  });

  it('the QA lead starts moderation, records agreed grades, edits the action plan, then closes and publishes', async () => {
    const { page, check } = qa;
    await page.goto(`${stack.url}/app/audits/${auditId}`);
    await page.getByLabel('Share of graded records to moderate').fill('50');
    await submit(page, page.getByRole('button', { name: 'Start moderation' }));
    expect(await page.locator('.govuk-notification-banner').innerText()).toContain('Moderation has started');
    expect(await page.getByRole('table', { name: /Agreement between first and second IROs/ }).isVisible()).toBe(true);
    await check('qa-moderation');

    // A second IRO grades a moderated record blind: the first IRO's grades are not on their page.
    const moderations = (
      await Promise.all(
        EXTRA_IROS.map(async (id) =>
          (await assignments(ctx, iro(id))).filter((a) => a.role === 'moderator').map((a) => ({ ...a, iroId: id })),
        ),
      )
    ).flat();
    expect(moderations.length).toBeGreaterThan(0);
    const second = moderations[0]!;
    const moderator = await person();
    await signIn(moderator.page, moderator.check, 'IRO', 'moderator', second.iroId);
    await moderator.page.goto(`${stack.url}/app/assignments`);
    await submit(moderator.page, moderator.page.getByRole('link', { name: second.recordId }));
    expect(await moderator.page.locator('main').innerText()).toContain(
      'You are the second IRO for this record (moderation). You do not see the first IRO’s grades',
    );
    expect(await moderator.page.locator('input[type=radio][name^="grade-"]:checked').count()).toBe(0);
    await moderator.check('moderator-grading');
    await moderator.page.getByRole('group', { name: /voice/i }).first().getByLabel('Good', { exact: true }).check();
    await submit(moderator.page, moderator.page.getByRole('button', { name: 'Save and mark as done' }));
    expect(await moderator.page.locator('.govuk-notification-banner').innerText()).toContain(
      `Record ${second.recordId} is graded and marked as done`,
    );

    await page.goto(`${stack.url}/app/audits/${auditId}/records/${second.recordId}`);
    expect(await page.getByRole('table', { name: 'Grades from the first and second IROs' }).innerText()).toMatch(
      /The child.s voice is heard in the review record\s+(Good|Inadequate|Requires improvement)\s+Good/,
    );
    expect(await page.getByRole('table', { name: 'Grades from the first and second IROs' }).isVisible()).toBe(true);
    await submit(page, page.getByRole('button', { name: 'Save the agreed grades' }));
    expect(await page.locator('.govuk-error-summary').innerText()).toContain('Say why these grades were agreed');
    await check('qa-agreed-error');
    await page
      .getByLabel('Why these grades were agreed')
      .fill('Both readings are fair; the first IRO’s fits the guidance better.');
    await submit(page, page.getByRole('button', { name: 'Save the agreed grades' }));
    expect(await page.locator('.govuk-notification-banner').innerText()).toContain(
      'The agreed grades have been recorded',
    );

    await submit(page, page.getByRole('link', { name: 'Edit the action plan' }));
    await check('qa-action-plan');
    await submit(page, page.getByRole('button', { name: 'Add another action' }));
    const rows = await page.locator('fieldset legend h2').count();
    const last = rows - 1;
    await page.locator(`#row-${last}-action`).fill('Coach IROs on recording the child’s own words');
    await page.locator(`#row-${last}-owner-role`).fill('IRO manager');
    await page.locator(`#row-${last}-owner-team`).fill('IRO Service');
    await submit(page, page.getByRole('button', { name: 'Save the action plan' }));
    // What is still missing is named, and what was typed stays.
    expect(await page.locator('.govuk-error-summary').innerText()).toContain(`Enter the due date of action ${rows}`);
    expect(await page.locator(`#row-${last}-action`).inputValue()).toBe(
      'Coach IROs on recording the child’s own words',
    );
    await check('qa-action-plan-error');
    await page.locator(`#row-${last}-due-day`).fill('30');
    await page.locator(`#row-${last}-due-month`).fill('6');
    await page.locator(`#row-${last}-due-year`).fill('2026');
    await page.locator(`#row-${last}-outcome`).fill('Records quote the child');
    await page.locator(`#row-${last}-measure`).fill('Re-audit: 80% Good or better');
    await submit(page, page.getByRole('button', { name: 'Save the action plan' }));
    expect(await page.locator('.govuk-notification-banner').innerText()).toContain('The action plan has been saved');
    await check('qa-action-plan-saved');

    await page.goto(`${stack.url}/app/audits/${auditId}`);
    await submit(page, page.getByRole('link', { name: 'Close the audit and publish the findings' }));
    await check('qa-close-confirm');
    await submit(page, page.getByRole('button', { name: 'Close and publish' }));
    // Back on the audit's page: closed, its findings published in the background.
    expect(await page.locator('.govuk-notification-banner').innerText()).toContain('The audit has been closed');
    await check('qa-closed');
    await stack.runner.idle();
    await page.reload();
    expect(await page.locator('.govuk-tag', { hasText: 'Published' }).first().isVisible()).toBe(true);
    await submit(page, page.getByRole('button', { name: 'Read the findings' }));
    expect(new URL(page.url()).pathname).toBe(`/app/findings/${auditId}`);
    await check('qa-published');
  });

  it('the QA lead uploads a hand-made CSV with a bad row and reads its report by rule and row by row, then downloads the problems', async () => {
    const { page, check } = qa;
    await page.goto(`${stack.url}/app`);
    await submit(page, page.getByRole('link', { name: 'Imports', exact: true }));
    expect(await page.getByRole('heading', { name: 'Imports', level: 1 }).isVisible()).toBe(true);
    await check('qa-imports');
    // Nothing chosen: the error summary says so, and the field does too.
    await submit(page, page.getByRole('button', { name: 'Import the files' }));
    expect(await page.locator('.govuk-error-summary').innerText()).toContain('Select one or more files to import');
    await check('qa-imports-error');

    const csv =
      'WORKER_ID,ROLE,TEAM,SERVICE\nSW90,SW,North 9,CiN/CP North\nSW91,XX,North 9,CiN/CP North\nSW92,SW,North 9,CiN/CP North\n';
    await page
      .locator('#files')
      .setInputFiles({ name: 'professionals.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
    await page.getByLabel('Collection year (optional)').fill('2024-25');
    await submit(page, page.getByRole('button', { name: 'Import the files' }));
    expect(new URL(page.url()).pathname).toMatch(/^\/app\/imports\/[A-Za-z0-9._-]+$/);
    expect(await page.locator('.govuk-notification-banner').innerText()).toContain(
      'The import has finished: 2 rows accepted, 1 rejected.',
    );
    // No SSDA903 table came, so nothing was judged by the year: the page still says which year was given.
    expect(await page.locator('.govuk-summary-list').innerText()).toMatch(/Collection year\s+2024-25, as stated/);
    expect(await page.getByRole('table', { name: 'Files' }).innerText()).toMatch(
      /professionals\.csv\s+SSD extract professionals \(CSV\)\s+3\s+2\s+0\s+1\s+2\s+0\s+0/,
    );
    expect(await page.getByRole('table', { name: 'Problems by rule' }).innerText()).toMatch(
      /FORMAT\s+A cell is not written as the import format requires\s+Rejected\s+1\s+professionals/,
    );
    expect(await page.getByRole('table', { name: 'Rule FORMAT: 1 problem shown' }).innerText()).toMatch(
      /professionals\.csv\s+line 3\s+ROLE\s+Rejected\s+FORMAT – ROLE "XX" is not one of the codes allowed: SW, TM, IRO, PA/,
    );
    await check('qa-import-report');

    const download = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Download every problem (CSV)' }).click();
    const file = await download;
    expect(file.suggestedFilename()).toMatch(/^import-.*-errors\.csv$/);
    const errors = (await readFile((await file.path())!, 'utf8')).trim().split('\n');
    expect(errors).toEqual([
      'file,line or element,child,column,rule,severity,message',
      'professionals.csv,3,,ROLE,FORMAT,rejected,"FORMAT – ROLE ""XX"" is not one of the codes allowed: SW, TM, IRO, PA"',
    ]);

    await submit(page, page.getByRole('link', { name: 'Import more files' }));
    expect(await page.getByRole('table', { name: 'Imports, newest first' }).innerText()).toMatch(
      /qa-lead-1\s+Imported with problems\s+professionals\.csv\s+2\s+1/,
    );
    // The good rows are stored; the bad one is not.
    const workers: string[] = [];
    for await (const p of stack.store.professionals('demo')) workers.push(p.workerId);
    expect(workers).toEqual(expect.arrayContaining(['SW90', 'SW92']));
    expect(workers).not.toContain('SW91');
  });

  it('a senior manager reads the findings (charts, alerts, the plan) and downloads a published file', async () => {
    const { page, check } = await person();
    await signIn(page, check, 'Senior manager', 'sm');
    await submit(page, page.getByRole('button', { name: 'See all published findings' }));
    await check('sm-findings-list');
    await submit(page, page.locator(`a[href="/app/findings/${auditId}"]`).first());
    expect(await page.locator('figure svg[role="img"]').count()).toBeGreaterThanOrEqual(2);
    expect(await page.getByRole('heading', { name: 'Practice alerts' }).isVisible()).toBe(true);
    expect(await page.getByRole('table', { name: 'Actions agreed from these findings' }).innerText()).toContain(
      'Coach IROs on recording the child’s own words',
    );
    expect(await page.getByRole('table', { name: 'Compliance per criterion' }).innerText()).toContain(
      'Review held within timescale (every review due, held or not)',
    );
    await check('sm-findings');

    const download = page.waitForEvent('download');
    await page.getByRole('button', { name: /Download Audited records/ }).click();
    const file = await download;
    expect(file.suggestedFilename()).toBe(`${auditId}-records.csv`);
    // The CSV opens in Excel as UTF-8: it starts with a byte-order mark.
    const csv = (await readFile((await file.path())!, 'utf8')).replace(/^\uFEFF/, '');
    expect(csv.split('\n')[0]).toMatch(/^Record id,Children,Date,Service,Team,IRO,review-in-timescale/);
    expect(csv.trim().split('\n')).toHaveLength(1 + 6);

    // A senior manager cannot launch audits, and a page that does not exist says so.
    await page.goto(`${stack.url}/app/audits/new`);
    expect(await page.getByRole('heading', { name: 'You cannot see this page' }).isVisible()).toBe(true);
    await check('sm-forbidden');
    await page.goto(`${stack.url}/app/no-such-page`);
    expect(await page.getByRole('heading', { name: 'Page not found' }).isVisible()).toBe(true);
    await check('sm-not-found');
    await submit(page, page.getByRole('button', { name: 'Sign out' }));
    expect(await page.getByRole('heading', { name: 'You have signed out' }).isVisible()).toBe(true);
    await check('sm-signed-out');
  });
});
