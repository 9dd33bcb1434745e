/**
 * The QA lead's import pages over the real store and bucket (dynalite, s3rver), at the HTTP level as
 * a browser without JavaScript sees them: a multipart upload imported at once, the collection year
 * the files were judged as and how it was known, the problems by DfE rule and row by row, the
 * problems CSV through a short-lived link, the form's own problems, the upload form's body limit,
 * roles and CSRF refusals as GOV.UK pages.
 */
import { parse } from 'csv-parse/sync';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { freshStorage } from '../support/storage.ts';
import { localSigningKey, localVerifier, signDevelopmentToken, type LocalSigningKey } from '#auth/tokens';
import type { Principal } from '#auth/principal';
import { REGULATIONS_2010 } from '#domain/timescales';
import { createApp } from '#http/app';
import { DIRECT_IMPORT_MAX_BYTES, DIRECT_IMPORT_MAX_TOTAL_BYTES } from '#loader/import-jobs';
import { InProcessAuditRunner } from '#service/audit-runner';
import type { ServiceContext } from '#service/context';
import { imports, startImport } from '#service/imports';
import { TemplateCatalogue } from '#service/templates';
import { ERRORS_SHOWN, importFileName } from '../../shared/web/routes/imports.tsx';
import { WebClient, csrfTokenIn, inputValue, textOf } from '../support/web-client.ts';

const AUTHORITY = 'web-imports';
let key: LocalSigningKey;
let app: ReturnType<typeof createApp>;
let ctx: ServiceContext;

const QA: Principal = { userId: 'qa-lead-1', roles: ['qa-lead'], authorityId: AUTHORITY };
const IRO: Principal = { userId: 'IRO1', roles: ['iro'], authorityId: AUTHORITY };
const SM: Principal = { userId: 'sm-1', roles: ['senior-manager'], authorityId: AUTHORITY };

async function signedIn(who: Principal, on = app): Promise<WebClient> {
  const client = new WebClient(on);
  client.cookies.set('__Host-iro-session', await signDevelopmentToken(key, who));
  return client;
}

// A 2022-23 return (its episodes start in January 2023): the sex codes 1 and 2 the DfE used up to
// 2023-24, and every field the DfE's rules ask for (UPN, MOTHER, postcodes, URN) filled in.
const HEADER =
  'CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB\nI1,1,14/03/2012,WBRI,A123456789012,,\nI2,2,01/09/2015,WBRI,A123456789013,0,\n';
const EPISODES =
  'CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,PL_POST,URN\n' +
  'I1,10/01/2023,S,C2,N1,U1,PR1,,,,AB1 2CD,AB3 4EF,SC123456\nI2,10/01/2023,S,C2,N1,U1,PR1,,,,AB1 2CD,AB3 4EF,SC123456\n';
// The third review's date does not exist (DfE rule 166): that row is rejected, the others are kept.
const REVIEWS =
  'CHILD,DOB,REVIEW,REVIEW_CODE\nI1,14/03/2012,01/02/2023,PN1\nI2,01/09/2015,01/02/2023,PN1\nI2,01/09/2015,31/02/2023,PN1\n';

/** The markup of the table with this caption. */
function tableHtml(html: string, caption: string): string {
  const at = html.indexOf(`>${caption}</caption>`);
  if (at < 0) throw new Error(`no table captioned ${caption}`);
  return html.slice(at + caption.length + 11, html.indexOf('</table>', at));
}
/** The words of the table with this caption, without the caption. */
const tableText = (html: string, caption: string) => textOf(tableHtml(html, caption)).trim();

/** Uploads files from the imports page, as the form does (with the page's CSRF token). */
async function upload(
  browser: WebClient,
  files: { name: string; body: string | Uint8Array; type?: string }[],
  fields: Record<string, string> = {},
) {
  const page = await browser.get('/app/imports');
  return browser.postFiles('/app/imports', { csrf_token: csrfTokenIn(page.html), ...fields }, files);
}

beforeAll(async () => {
  const { store, objects } = await freshStorage('webimp');
  key = await localSigningKey(join(await mkdtemp(join(tmpdir(), 'web-imports-key-')), 'key.json'));
  const runner = new InProcessAuditRunner({ store, objects });
  const templates = new TemplateCatalogue(store);
  ctx = { store, objects, links: objects, runner, templates };
  app = createApp({
    store,
    objects,
    links: objects,
    verifier: localVerifier(key),
    runner,
    templates,
    imports: { enabled: true },
    signIn: { kind: 'local', key, authorityId: AUTHORITY },
  });
  await store.putAuthority({ authorityId: AUTHORITY, name: 'Import Borough', timescales: REGULATIONS_2010 });
});

describe('uploading files from the imports page', () => {
  let reportPath = '';

  it('imports the files chosen together as one import, each child’s rows judged together whichever file they are in, and shows its row-level report', async () => {
    const browser = await signedIn(QA);
    // Reviews first: each child's rows from every file are judged together, so every review still finds its child and period of care.
    const posted = await upload(browser, [
      { name: 'reviews.csv', body: REVIEWS, type: 'text/csv' },
      // Windows names a CSV's type after Excel: the extension decides.
      { name: 'episodes.csv', body: EPISODES, type: 'application/vnd.ms-excel' },
      { name: 'header.csv', body: HEADER },
    ]);
    expect(posted.status).toBe(303);
    expect(posted.location).toMatch(/^\/app\/imports\/[A-Za-z0-9._-]+\?done=1$/);
    reportPath = posted.location!.replace(/\?.*$/, '');

    const report = await browser.get(posted.location!);
    expect(report.status).toBe(200);
    const words = textOf(report.html);
    expect(words).toContain('The import has finished: 6 rows accepted, 1 rejected.');
    // No year was typed: the latest episode date says which year's DfE rules apply.
    expect(words).toMatch(
      /Status Imported with problems Started by qa-lead-1 .* Collection year 2022-23 \(1 April 2022 to 31 March 2023\), worked out from the data: the latest episode date in the return is 10 January 2023 \(DECOM in episodes\.csv\)\. Rows read 7 Rows accepted 6 Rows rejected 1 Problems 1 that kept rows out, 0 warnings /,
    );
    // Per file: the format recognised and every count, in the order the files were chosen.
    expect(tableText(report.html, 'Files')).toBe(
      'File Format Rows Accepted With warnings Rejected Created Updated Unchanged reviews.csv SSDA903 reviews (CSV) 3 2 0 1 2 0 0 episodes.csv SSDA903 episodes (CSV) 2 2 0 0 2 0 0 header.csv SSDA903 header (CSV) 2 2 0 0 2 0 0',
    );
    expect(tableText(report.html, 'Rows by table')).toBe(
      'Table Rows Accepted With warnings Rejected Created Updated Unchanged reviews 3 2 0 1 2 0 0 episodes 2 2 0 0 2 0 0 header 2 2 0 0 2 0 0',
    );
    // The rule broken, by its DfE code and meaning; then the bad row, by file, line, child and column, with the reason.
    expect(tableText(report.html, 'Problems by rule')).toBe(
      'Rule What it means Outcome Rows Tables 166 The date of the review is blank or not a real date written dd/mm/YYYY Rejected 1 reviews',
    );
    expect(words).toContain('Problems, row by row 1 problem, grouped by rule.');
    expect(tableText(report.html, 'Rule 166: 1 problem shown')).toBe(
      'File Where Child Column Outcome What is wrong reviews.csv line 4 I2 REVIEW Rejected 166 – the date of the review is blank or not a real date written dd/mm/YYYY: REVIEW is "31/02/2023"',
    );
    expect(report.html).toContain(`href="${reportPath}/errors.csv"`);
    expect(words).toContain('Download every problem (CSV)');

    // The good rows are in the store; the bad one is not.
    expect((await ctx.store.getChildRecords(AUTHORITY, 'I2'))?.reviews.map((r) => r.reviewDate)).toEqual([
      '2023-02-01',
    ]);
    expect(await imports(ctx, QA)).toHaveLength(1);
  });

  it('lists the authority’s imports newest first: when, who, status, files, rows accepted and rejected', async () => {
    const browser = await signedIn(QA);
    const again = await upload(browser, [{ name: 'header.csv', body: HEADER }]);
    // Without their episodes the children are kept with a warning (DfE rule EPI).
    expect(textOf((await browser.get(again.location!)).html)).toContain('Every row was imported: 2 rows.');
    const table = tableText((await browser.get('/app/imports')).html, 'Imports, newest first');
    // The second import (the same header again: both rows unchanged, still accepted) comes first.
    expect(table).toMatch(
      /^Started By Status Files Rows accepted Rows rejected \d{1,2} \w+ \d{4} at \d{2}:\d{2} qa-lead-1 Imported header\.csv 2 0 \d{1,2} \w+ \d{4} at \d{2}:\d{2} qa-lead-1 Imported with problems reviews\.csv, episodes\.csv, header\.csv 6 1$/,
    );
    const report = await browser.get(again.location!.replace(/\?.*$/, ''));
    expect(tableText(report.html, 'Files')).toMatch(/header\.csv SSDA903 header \(CSV\) 2 2 2 0 0 0 2$/);
    // A Header alone has no dates: its sex codes 1 and 2 say the return is 2023-24 at the latest.
    expect(textOf(report.html)).toContain(
      'Collection year 2023-24 (1 April 2023 to 31 March 2024), worked out from the data: the return has no dates, and its sex codes 1 and 2 were last used in 2023-24.',
    );
    expect(tableText(report.html, 'Problems by rule')).toBe(
      'Rule What it means Outcome Rows Tables EPI The child has no episodes (nor a care leaver record) in the return Warning 2 header',
    );
  });

  it('downloads every problem as CSV through a link that works for 5 minutes', async () => {
    const browser = await signedIn(QA);
    const download = await browser.get(`${reportPath}/errors.csv`);
    expect(download.status).toBe(303);
    expect(download.headers.get('cache-control')).toBe('no-store');
    const link = new URL(download.location!);
    expect(link.searchParams.get('X-Amz-Expires')).toBe('300');
    const csv = await (await fetch(link)).text();
    expect(csv.trim().split('\n')).toEqual([
      'file,line or element,child,column,rule,severity,message',
      'reviews.csv,4,I2,REVIEW,166,rejected,"166 – the date of the review is blank or not a real date written dd/mm/YYYY: REVIEW is ""31/02/2023"""',
    ]);
  });

  it(`shows the first ${ERRORS_SHOWN} problems of the problems file and says how many there are in all`, async () => {
    const browser = await signedIn(QA);
    const bad = Array.from({ length: ERRORS_SHOWN + 10 }, (_, i) => `SW${i},XX,North ${i},CiN/CP North`).join('\n');
    const posted = await upload(browser, [
      { name: 'professionals.csv', body: `WORKER_ID,ROLE,TEAM,SERVICE\nSW-ok,SW,North 1,CiN/CP North\n${bad}\n` },
    ]);
    const report = await browser.get(posted.location!);
    const words = textOf(report.html);
    expect(words).toContain('The import has finished: 1 row accepted, 60 rejected.');
    expect(words).toContain(
      `The first ${ERRORS_SHOWN} of ${ERRORS_SHOWN + 10} problems, grouped by rule. The problems file has every one.`,
    );
    expect(tableText(report.html, 'Problems by rule')).toBe(
      'Rule What it means Outcome Rows Tables FORMAT A cell is not written as the import format requires Rejected 60 professionals',
    );
    const table = tableHtml(report.html, `Rule FORMAT: ${ERRORS_SHOWN} problems shown`);
    expect(table.match(/<tr class="govuk-table__row">/g)).toHaveLength(1 + ERRORS_SHOWN);
    // The problems file holds all 60, one per bad row: lines 3 to 62 (line 1 is the header, line 2 the good row).
    const download = await browser.get(`${posted.location!.replace(/\?.*$/, '')}/errors.csv`);
    const csv = parse(await (await fetch(download.location!)).text(), { columns: true }) as Record<string, string>[];
    expect(csv.map((row) => Number(row['line or element'])).sort((a, b) => a - b)).toEqual(
      Array.from({ length: ERRORS_SHOWN + 10 }, (_, i) => i + 3),
    );
    const message = 'FORMAT – ROLE "XX" is not one of the codes allowed: SW, TM, IRO, PA';
    for (const row of csv)
      expect(row).toEqual({
        file: 'professionals.csv',
        'line or element': row['line or element'],
        child: '',
        column: 'ROLE',
        rule: 'FORMAT',
        severity: 'rejected',
        message,
      });
    // The page shows the file's first 50, in the file's order.
    const shown = csv
      .slice(0, ERRORS_SHOWN)
      .map((row) => `professionals.csv line ${row['line or element']} ROLE Rejected ${message}`);
    expect(textOf(table).trim()).toBe(`File Where Child Column Outcome What is wrong ${shown.join(' ')}`);
  });

  it('gives OC2 rows the return’s collection year, typed or worked out, and says which year and how it was known', async () => {
    const browser = await signedIn(QA);
    const oc2 =
      'CHILD,DOB,SDQ_SCORE,SDQ_REASON,CONVICTED,HEALTH_CHECK,IMMUNISATIONS,TEETH_CHECK,HEALTH_ASSESSMENT,SUBSTANCE_MISUSE,INTERVENTION_RECEIVED,INTERVENTION_OFFERED\nI1,14/03/2012,12,,0,1,1,1,1,0,,\n';
    // No year typed and no dates in the file: the last collection year (1 April to 31 March) that has ended.
    const today = new Date();
    const ended = today.getUTCFullYear() - (today.getUTCMonth() >= 3 ? 1 : 2);
    const lastEnded = `${ended}-${String((ended + 1) % 100).padStart(2, '0')}`;
    const without = await browser.get((await upload(browser, [{ name: 'oc2.csv', body: oc2 }])).location!);
    expect(textOf(without.html)).toContain('Every row was imported: 1 row.');
    expect(textOf(without.html)).toContain(
      `Collection year ${lastEnded} (1 April ${ended} to 31 March ${ended + 1}), worked out from the data: the return has no dates: taken as the last year that has ended, ${lastEnded}.`,
    );
    expect(tableText(without.html, 'Files')).toMatch(/oc2\.csv SSDA903 oc2 \(CSV\) 1 1 0 0 1 0 0$/);
    // The year typed in the form is the year the rows are for.
    const withYear = await browser.get(
      (await upload(browser, [{ name: 'oc2.csv', body: oc2 }], { collectionYear: '2023-24' })).location!,
    );
    expect(textOf(withYear.html)).toContain('Every row was imported: 1 row.');
    expect(textOf(withYear.html)).toContain('Collection year 2023-24 (1 April 2023 to 31 March 2024), as stated.');
    expect(tableText(withYear.html, 'Files')).toMatch(/oc2\.csv SSDA903 oc2 \(CSV\) 1 1 0 0 1 0 0$/);
    const stored = (await ctx.store.getChildRecords(AUTHORITY, 'I1'))?.oc2.map((r) => [r.yearEnding, r.sdqScore]);
    expect(stored?.sort()).toEqual([
      ['2024-03-31', 12],
      [`${ended + 1}-03-31`, 12],
    ]);
  });

  it('shows the collection year and how it was known, and the DfE rules broken by code and meaning; a year typed in the form decides the rules', async () => {
    const browser = await signedIn(QA);
    // Y1's second episode ceased before it began (DfE rule 356): it is rejected, and holds back the child's
    // other episode (a period of care is never stored with a gap) and the review that then falls in no period.
    const posted = await upload(browser, [
      { name: 'header.csv', body: 'CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB\ny1,1,14/03/2012,WBRI,A123456789014,,\n' },
      {
        name: 'episodes.csv',
        body:
          'CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,PL_POST,URN\n' +
          'Y1,10/01/2023,S,C2,N1,U1,PR1,01/03/2023,X1,CARPL,AB1 2CD,AB3 4EF,SC123456\nY1,01/03/2023,P,C2,N1,U2,PR1,01/02/2023,E4A,,AB1 2CD,AB3 4EF,SC123457\n',
      },
      { name: 'reviews.csv', body: 'CHILD,DOB,REVIEW,REVIEW_CODE\nY1,14/03/2012,01/02/2023,PN1\n' },
    ]);
    const report = await browser.get(posted.location!);
    const words = textOf(report.html);
    expect(words).toContain('The import has finished: 1 row accepted, 3 rejected.');
    expect(words).toContain(
      'Collection year 2022-23 (1 April 2022 to 31 March 2023), worked out from the data: the latest episode date in the return is 1 March 2023 (DEC in episodes.csv). Rows read 4',
    );
    expect(words).toContain('Problems 3 that kept rows out, 0 warnings');
    expect(words).toContain(
      'Each rule is a DfE validation rule of the 2022-23 return (by its DfE code) or one of the importer’s own checks.',
    );
    expect(tableText(report.html, 'Problems by rule')).toBe(
      'Rule What it means Outcome Rows Tables 356 The episode ceased before it began Held back 2 episodes, reviews 356 The episode ceased before it began Rejected 1 episodes',
    );
    // Row by row: the cause, then what it held back, one line per table (the child's id upper-cased).
    expect(tableText(report.html, 'Rule 356: 3 problems shown')).toBe(
      // In the order of the files and their lines, as the problems file lists them.
      'File Where Child Column Outcome What is wrong ' +
        'episodes.csv line 2 Y1 The whole row Held back 356 → 1 episode of child Y1 (line 2) not imported: another episode of the child (episodes.csv line 3) was rejected, and a period of care is never stored with a gap ' +
        'episodes.csv line 3 Y1 DEC Rejected 356 – the episode ceased before it began: DEC is 1 February 2023, before DECOM 1 March 2023 ' +
        "reviews.csv line 2 Y1 The whole row Held back 356 → 1 review of child Y1 (line 2) could not be placed in a period of care: it falls in no period of care once the rejected episode (episodes.csv line 3) and the child's other episodes are left out",
    );
    expect(await ctx.store.getChildRecords(AUTHORITY, 'Y1')).toMatchObject({
      child: { childId: 'Y1' },
      episodes: [],
      reviews: [],
    });

    // A year typed wrongly is refused beside the field, and kept there to correct.
    const HEADER_2025 =
      'CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB\nZ1,M,14/03/2012,WBRI,A123456789015,,\nZ2,F,01/09/2015,WBRI,A123456789016,0,\n';
    const EPISODES_2025 =
      'CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,PL_POST,URN\n' +
      'Z1,10/05/2025,S,C2,N1,U1,PR1,,,,AB1 2CD,AB3 4EF,SC123456\nZ2,10/05/2025,S,C2,N1,U1,PR1,,,,AB1 2CD,AB3 4EF,SC123456\n';
    const files2025 = [
      { name: 'header.csv', body: HEADER_2025 },
      { name: 'episodes.csv', body: EPISODES_2025 },
    ];
    const before = (await imports(ctx, QA)).length;
    const refused = await upload(browser, files2025, { collectionYear: '2025/27' });
    expect(refused.status).toBe(400);
    expect(textOf(refused.html)).toContain(
      'There is a problem Enter the collection year like 2025-26, or leave it blank',
    );
    expect(refused.html).toContain(
      '<a href="#collectionYear">Enter the collection year like 2025-26, or leave it blank',
    );
    expect(refused.html).toContain('id="collectionYear-error"');
    expect(textOf(refused.html)).toContain('Collection year (optional)');
    expect(inputValue(refused.html, 'collectionYear')).toBe('2025/27');
    expect((await imports(ctx, QA)).length).toBe(before);

    // Typed as 2023-24, a year before its sex codes M and F: the Header file is refused its rows once, under YEAR, and the episodes are held back.
    const asOld = await browser.get((await upload(browser, files2025, { collectionYear: '2023-24' })).location!);
    expect(textOf(asOld.html)).toContain('Collection year 2023-24 (1 April 2023 to 31 March 2024), as stated.');
    const yearRows = tableText(asOld.html, 'Rule YEAR: 3 problems shown');
    expect(yearRows).toMatch(
      /^File Where Child Column Outcome What is wrong header\.csv The whole file SEX Rejected YEAR – the file uses F and M \(the codes of returns from 2024-25\) on 2 rows \(lines 2, 3\)\. The 2023-24 return's sex codes are 1 \(male\) and 2 \(female\): the 2 rows with F or M are not imported\. Correct the codes, or import the file as the year it is for /,
    );
    for (const [child, line] of [
      ['Z1', 2],
      ['Z2', 3],
    ]) {
      expect(yearRows).toContain(
        `episodes.csv line ${line} ${child} The whole row Held back YEAR → 1 episode of child ${child} (line ${line}) not imported: the child's Header row (header.csv line ${line}) was rejected, and the store holds no record of this child`,
      );
    }
    // The episodes, dated 2025, also begin after the stated year ends (354, a warning of the DfE's).
    expect(tableText(asOld.html, 'Problems by rule')).toBe(
      'Rule What it means Outcome Rows Tables 354 The episode began after the end of the collection year Warning 2 episodes ' +
        "YEAR The file holds codes of another collection year's return Held back 2 episodes YEAR The file holds codes of another collection year's return Rejected 2 header",
    );
    expect(await ctx.store.getChildRecords(AUTHORITY, 'Z1')).toBeNull();

    // Typed as people write it, 2025/26: the year is 2025-26, as stated, and every row is imported.
    const asStated = await browser.get((await upload(browser, files2025, { collectionYear: '2025/26' })).location!);
    const stated = textOf(asStated.html);
    expect(stated).toContain('Every row was imported: 4 rows.');
    expect(stated).toContain(
      'Collection year 2025-26 (1 April 2025 to 31 March 2026), as stated. Rows read 4 Rows accepted 4 Rows rejected 0 Problems None',
    );
    expect((await ctx.store.getChildRecords(AUTHORITY, 'Z2'))?.child).toMatchObject({ childId: 'Z2', sex: 'F' });
  });

  it('shows an import still waiting for its uploads, with a link to refresh it', async () => {
    const created = await startImport(ctx, QA, {
      files: [
        { fileName: 'episodes.csv', contentType: 'text/csv' },
        { fileName: 'header.csv', contentType: 'text/csv' },
      ],
    });
    const page = await (await signedIn(QA)).get(`/app/imports/${created.importId}`);
    const words = textOf(page.html);
    expect(words).toContain('Status Waiting for files');
    expect(words).toContain(
      'The import starts when every file has been uploaded: 0 of 2 so far. Refresh this page to see its progress.',
    );
    expect(page.html).toContain(`<a class="govuk-link" href="/app/imports/${created.importId}">Refresh this page</a>`);
    expect(words).toContain('episodes.csv Not uploaded yet 0 0 0 0 0 0');
    expect(page.html).not.toContain('/errors.csv');
  });
});

describe('the upload form’s problems', () => {
  it('says what is wrong in the error summary and beside the field, keeps the year typed, and imports nothing', async () => {
    const browser = await signedIn(QA);
    const before = (await imports(ctx, QA)).length;
    const cases: [{ name: string; body: string | Uint8Array }[], Record<string, string>, string, string][] = [
      [[], {}, 'files', 'Select one or more files to import'],
      [[{ name: 'notes.pdf', body: '%PDF-1.4' }], {}, 'files', 'notes.pdf must be a CSV, XML or xlsx file'],
      [
        [{ name: 'reviews.csv', body: new Uint8Array(DIRECT_IMPORT_MAX_BYTES + 1) }],
        {},
        'files',
        'reviews.csv is 5.0 MB: each file must be 5 MB or smaller',
      ],
      [
        [
          { name: 'header.csv', body: HEADER },
          { name: 'header.csv', body: HEADER },
        ],
        {},
        'files',
        'You selected 2 files called header.csv: select each file once',
      ],
      [
        [{ name: 'header.csv', body: HEADER }],
        { collectionYear: '24' },
        'collectionYear',
        'Enter the collection year like 2025-26, or leave it blank',
      ],
      [
        [{ name: 'header.csv', body: HEADER }],
        { collectionYear: '31/03/2026' },
        'collectionYear',
        'Enter the collection year like 2025-26, or leave it blank',
      ],
    ];
    for (const [files, fields, field, message] of cases) {
      const page = await upload(browser, files, fields);
      expect(page.status, message).toBe(400);
      expect(page.html, message).toContain('<title>Error: Imports');
      const words = textOf(page.html);
      expect(words, message).toContain(`There is a problem ${message}`);
      expect(page.html, message).toContain(`<a href="#${field}">${message}`);
      expect(words, message).toContain(`Error: ${message}`);
      expect(page.html).toContain(`id="${field}-error"`);
      if (fields.collectionYear) {
        expect(inputValue(page.html, 'collectionYear')).toBe(fields.collectionYear);
        expect(words).toContain(
          'Select your files again: a browser does not keep chosen files when a form comes back with a problem.',
        );
      }
    }
    expect((await imports(ctx, QA)).length).toBe(before);
  });

  it('refuses an upload over the form’s limit with a GOV.UK page (413), before reading or storing anything', async () => {
    const browser = await signedIn(QA);
    const before = (await imports(ctx, QA)).length;
    const huge = new Uint8Array(DIRECT_IMPORT_MAX_TOTAL_BYTES + 512 * 1024);
    const token = csrfTokenIn((await browser.get('/app/imports')).html);
    // Refused on the declared length (as a browser sends it), and on the bytes read when no length is declared.
    for (const streamed of [false, true]) {
      const refused = await browser.postFiles(
        '/app/imports',
        { csrf_token: token },
        [{ name: 'episodes.csv', body: huge }],
        {},
        { streamed },
      );
      expect(refused.status).toBe(413);
      expect(refused.headers.get('content-type')).toContain('text/html');
      const words = textOf(refused.html);
      expect(words).toContain(
        'The files were too large The files you selected come to more than 20 MB. Import them a few at a time: each file may be up to 5 MB.',
      );
      expect(words).toContain('Signed in as qa-lead-1');
      expect(refused.html).toContain('href="/app/imports"');
    }
    expect((await imports(ctx, QA)).length).toBe(before);
    // Anyone but a signed-in QA lead is held to what every other form may send.
    const overOtherForms = new Uint8Array(300 * 1024);
    for (const someone of [await signedIn(IRO), new WebClient(app)]) {
      const refusedToo = await someone.postFiles('/app/imports', { csrf_token: 'any' }, [
        { name: 'episodes.csv', body: overOtherForms },
      ]);
      expect(refusedToo.status).toBe(413);
      expect(textOf(refusedToo.html)).toContain('The files were too large Only QA leads, signed in, may import files.');
    }
    // The same post from the QA lead is read (and here refused for its type, with the form).
    const read = await browser.postFiles('/app/imports', { csrf_token: token }, [
      { name: 'notes.pdf', body: overOtherForms },
    ]);
    expect(read.status).toBe(400);
    expect(textOf(read.html)).toContain('notes.pdf must be a CSV, XML or xlsx file');
    // Every other form keeps the API's 256 KiB limit.
    const big = await browser.post('/app/audits/new', {
      csrf_token: csrfTokenIn((await browser.get('/app/audits/new')).html),
      title: 'x'.repeat(300 * 1024),
    });
    expect(big.status).toBe(413);
  });

  it('imports a file named with characters an upload key does not allow, under a readable name', () => {
    expect(importFileName('Épisodes – 2024 & 2025.csv')).toBe('Episodes - 2024 - 2025.csv');
    expect(importFileName('C:\\exports\\~$reviews.CSV')).toBe('reviews.csv');
    expect(importFileName('.csv')).toBe('file.csv');
  });
});

describe('who may import', () => {
  it('shows the Imports link and pages to QA leads only; others get a GOV.UK 403 page and import nothing', async () => {
    const qa = await signedIn(QA);
    expect((await qa.get('/app')).html).toContain('href="/app/imports"');
    const [mine] = await imports(ctx, QA);
    for (const who of [IRO, SM]) {
      const browser = await signedIn(who);
      expect((await browser.get('/app')).html).not.toContain('href="/app/imports"');
      for (const path of [
        '/app/imports',
        `/app/imports/${mine!.importId}`,
        `/app/imports/${mine!.importId}/errors.csv`,
      ]) {
        const page = await browser.get(path);
        expect(page.status, `${who.userId} ${path}`).toBe(403);
        expect(textOf(page.html)).toContain('You cannot see this page Imports are for QA leads');
      }
      const posted = await browser.postFiles(
        '/app/imports',
        { csrf_token: csrfTokenIn((await browser.get('/app')).html) },
        [{ name: 'header.csv', body: HEADER }],
      );
      expect(posted.status).toBe(403);
      expect(textOf(posted.html)).toContain('You cannot see this page');
    }
    // Another authority's QA lead does not find this authority's import.
    const other = await signedIn({ ...QA, authorityId: 'elsewhere' });
    const missing = await other.get(`/app/imports/${mine!.importId}`);
    expect(missing.status).toBe(404);
    expect(textOf(missing.html)).toContain(`Page not found No import ${mine!.importId}`);
    expect(await imports(ctx, { ...QA, authorityId: 'elsewhere' })).toEqual([]);
  });

  it('has no import pages and no link when the app is not given the imports capability', async () => {
    const without = createApp({
      store: ctx.store,
      objects: ctx.objects,
      links: ctx.links,
      verifier: localVerifier(key),
      runner: ctx.runner,
      templates: ctx.templates,
      signIn: { kind: 'local', key, authorityId: AUTHORITY },
    });
    const browser = await signedIn(QA, without);
    expect((await browser.get('/app')).html).not.toContain('href="/app/imports"');
    expect((await browser.get('/app/imports')).status).toBe(404);
  });
});

describe('CSRF protection of the upload form', () => {
  it('refuses an upload without this session’s token, or from another site, and imports nothing', async () => {
    const browser = await signedIn(QA);
    const before = (await imports(ctx, QA)).length;
    const token = csrfTokenIn((await browser.get('/app/imports')).html);
    const attempts = [
      browser.postFiles('/app/imports', {}, [{ name: 'header.csv', body: HEADER }]),
      browser.postFiles('/app/imports', { csrf_token: 'not-the-token' }, [{ name: 'header.csv', body: HEADER }]),
      browser.postFiles('/app/imports', { csrf_token: token }, [{ name: 'header.csv', body: HEADER }], {
        origin: 'https://evil.example',
        'sec-fetch-site': 'cross-site',
      }),
    ];
    for (const refused of await Promise.all(attempts)) {
      expect(refused.status).toBe(403);
      expect(refused.headers.get('content-type')).toContain('text/html');
      expect(textOf(refused.html)).toContain('This form could not be accepted');
    }
    expect((await imports(ctx, QA)).length).toBe(before);
  });
});
