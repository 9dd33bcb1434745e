/**
 * The QA lead's import pages over the real store and bucket (dynalite, s3rver), at the HTTP level as
 * a browser without JavaScript sees them: a multipart upload imported at once, the row-level report,
 * the errors CSV through a short-lived link, the form's own problems, the upload form's body limit,
 * roles and CSRF refusals as GOV.UK pages.
 */
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

const HEADER = 'CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB\nI1,1,14/03/2012,WBRI,,,\nI2,2,01/09/2015,WBRI,,,\n';
const EPISODES = 'CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,PL_POST,URN\nI1,10/01/2023,S,C2,N1,U1,PR1,,,,,,\nI2,10/01/2023,S,C2,N1,U1,PR1,,,,,,\n';
// The third review's date does not exist: that row is rejected, the others are kept.
const REVIEWS = 'CHILD,DOB,REVIEW,REVIEW_CODE\nI1,14/03/2012,01/02/2023,PN1\nI2,01/09/2015,01/02/2023,PN1\nI2,01/09/2015,31/02/2023,PN1\n';

/** The markup of the table with this caption. */
function tableHtml(html: string, caption: string): string {
  const at = html.indexOf(`>${caption}</caption>`);
  if (at < 0) throw new Error(`no table captioned ${caption}`);
  return html.slice(at + caption.length + 11, html.indexOf('</table>', at));
}
/** The words of the table with this caption, without the caption. */
const tableText = (html: string, caption: string) => textOf(tableHtml(html, caption)).trim();

/** Uploads files from the imports page, as the form does (with the page's CSRF token). */
async function upload(browser: WebClient, files: { name: string; body: string | Uint8Array; type?: string }[], fields: Record<string, string> = {}) {
  const page = await browser.get('/app/imports');
  return browser.postFiles('/app/imports', { csrf_token: csrfTokenIn(page.html), ...fields }, files);
}

beforeAll(async () => {
  const { store, objects } = await freshStorage('webimp');
  key = await localSigningKey(join(await mkdtemp(join(tmpdir(), 'web-imports-key-')), 'key.json'));
  const runner = new InProcessAuditRunner({ store, objects });
  const templates = new TemplateCatalogue(store);
  ctx = { store, objects, links: objects, runner, templates };
  app = createApp({ store, objects, links: objects, verifier: localVerifier(key), runner, templates, imports: { enabled: true }, signIn: { kind: 'local', key, authorityId: AUTHORITY } });
  await store.putAuthority({ authorityId: AUTHORITY, name: 'Import Borough', timescales: REGULATIONS_2010 });
});

describe('uploading files from the imports page', () => {
  let reportPath = '';

  it('imports the files chosen together as one import, in dependency order, and shows its row-level report', async () => {
    const browser = await signedIn(QA);
    // Reviews first: the import still loads header and episodes before them, so every review finds its child and period of care.
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
    expect(words).toMatch(/Status Imported with problems Started by qa-lead-1 .* Rows read 7 Rows accepted 6 Rows rejected 1 Row errors 1/);
    // Per file: the format recognised and every count, in the order the files were chosen.
    expect(words).toContain('Files File Format Rows Accepted Rejected Created Updated Unchanged reviews.csv SSDA903 reviews (CSV) 3 2 1 2 0 0 episodes.csv SSDA903 episodes (CSV) 2 2 0 2 0 0 header.csv SSDA903 header (CSV) 2 2 0 2 0 0');
    expect(words).toContain('Rows by table Table Rows Accepted Rejected Created Updated Unchanged');
    expect(words).toMatch(/header 2 2 0 2 0 0/);
    // The bad row, by file, line and column, with the reason.
    expect(words).toContain('Row errors File Line Column What is wrong reviews.csv 4 REVIEW REVIEW: "31/02/2023" is not a date');
    expect(report.html).toContain(`href="${reportPath}/errors.csv"`);

    // The good rows are in the store; the bad one is not.
    expect((await ctx.store.getChildRecords(AUTHORITY, 'I2'))?.reviews.map((r) => r.reviewDate)).toEqual(['2023-02-01']);
    expect((await imports(ctx, QA))).toHaveLength(1);
  });

  it('lists the authority’s imports newest first: when, who, status, files, rows accepted and rejected', async () => {
    const browser = await signedIn(QA);
    const again = await upload(browser, [{ name: 'header.csv', body: HEADER }]);
    expect(textOf((await browser.get(again.location!)).html)).toContain('Every row was imported: 2 rows.');
    const table = tableText((await browser.get('/app/imports')).html, 'Imports, newest first');
    // The second import (the same header again: both rows unchanged, still accepted) comes first.
    expect(table).toMatch(/^Started By Status Files Rows accepted Rows rejected \d{1,2} \w+ \d{4} at \d{2}:\d{2} qa-lead-1 Imported header\.csv 2 0 \d{1,2} \w+ \d{4} at \d{2}:\d{2} qa-lead-1 Imported with problems reviews\.csv, episodes\.csv, header\.csv 6 1$/);
    expect(textOf((await browser.get(again.location!.replace(/\?.*$/, ''))).html)).toMatch(/header\.csv SSDA903 header \(CSV\) 2 2 0 0 0 2/);
  });

  it('downloads every row error as CSV through a link that works for 5 minutes', async () => {
    const browser = await signedIn(QA);
    const download = await browser.get(`${reportPath}/errors.csv`);
    expect(download.status).toBe(303);
    expect(download.headers.get('cache-control')).toBe('no-store');
    const link = new URL(download.location!);
    expect(link.searchParams.get('X-Amz-Expires')).toBe('300');
    const csv = await (await fetch(link)).text();
    expect(csv.trim().split('\n')).toEqual(['file,line,column,message', 'reviews.csv,4,REVIEW,"REVIEW: ""31/02/2023"" is not a date: write dd/mm/YYYY (or YYYY-MM-DD)"']);
  });

  it(`shows the first ${ERRORS_SHOWN} row errors and says how many there are in all`, async () => {
    const browser = await signedIn(QA);
    const bad = Array.from({ length: ERRORS_SHOWN + 10 }, (_, i) => `SW${i},XX,North ${i},CiN/CP North`).join('\n');
    const posted = await upload(browser, [{ name: 'professionals.csv', body: `WORKER_ID,ROLE,TEAM,SERVICE\nSW-ok,SW,North 1,CiN/CP North\n${bad}\n` }]);
    const report = await browser.get(posted.location!);
    const words = textOf(report.html);
    expect(words).toContain(`The first ${ERRORS_SHOWN} of ${ERRORS_SHOWN + 10} row errors.`);
    const table = tableHtml(report.html, `The first ${ERRORS_SHOWN} row errors`);
    expect(table.match(/<tr class="govuk-table__row">/g)).toHaveLength(1 + ERRORS_SHOWN);
    // In file order: lines 3 to 52 (line 1 is the header, line 2 the good row).
    expect(textOf(table)).toMatch(/professionals\.csv 3 ROLE .* professionals\.csv 52 ROLE/);
    expect(textOf(table)).not.toContain('professionals.csv 53 ');
  });

  it('takes the year an SSDA903 return ends for OC2 rows, and shows a file refused without it with the reason', async () => {
    const browser = await signedIn(QA);
    const oc2 = 'CHILD,DOB,SDQ_SCORE,SDQ_REASON,CONVICTED,HEALTH_CHECK,IMMUNISATIONS,TEETH_CHECK,HEALTH_ASSESSMENT,SUBSTANCE_MISUSE,INTERVENTION_RECEIVED,INTERVENTION_OFFERED\nI1,14/03/2012,12,,0,1,1,1,1,0,,\n';
    const without = await browser.get((await upload(browser, [{ name: 'oc2.csv', body: oc2 }])).location!);
    expect(textOf(without.html)).toMatch(/oc2\.csv Refused OC2 rows carry no year: say which 31 March the return is for/);
    const withYear = textOf((await browser.get((await upload(browser, [{ name: 'oc2.csv', body: oc2 }], { yearEnding: '2024' })).location!)).html);
    expect(withYear).toContain('Return for the year ending 31 March 2024');
    expect(withYear).toContain('oc2.csv SSDA903 oc2 (CSV) 1 1 0 1 0 0');
  });

  it('shows an import still waiting for its uploads, with a link to refresh it', async () => {
    const created = await startImport(ctx, QA, { files: [{ fileName: 'episodes.csv', contentType: 'text/csv' }, { fileName: 'header.csv', contentType: 'text/csv' }] });
    const page = await (await signedIn(QA)).get(`/app/imports/${created.importId}`);
    const words = textOf(page.html);
    expect(words).toContain('Status Waiting for files');
    expect(words).toContain('The import starts when every file has been uploaded: 0 of 2 so far. Refresh this page to see its progress.');
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
      [[{ name: 'reviews.csv', body: new Uint8Array(DIRECT_IMPORT_MAX_BYTES + 1) }], {}, 'files', 'reviews.csv is 5.0 MB: each file must be 5 MB or smaller'],
      [[{ name: 'header.csv', body: HEADER }, { name: 'header.csv', body: HEADER }], {}, 'files', 'You selected 2 files called header.csv: select each file once'],
      [[{ name: 'header.csv', body: HEADER }], { yearEnding: '24' }, 'yearEnding', 'Enter the year the return ends as 4 digits, like 2025'],
      [[{ name: 'header.csv', body: HEADER }], { yearEnding: '1890' }, 'yearEnding', 'The year the return ends must be between 2000 and'],
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
      if (fields.yearEnding) {
        expect(inputValue(page.html, 'yearEnding')).toBe(fields.yearEnding);
        expect(words).toContain('Select your files again: a browser does not keep chosen files when a form comes back with a problem.');
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
      const refused = await browser.postFiles('/app/imports', { csrf_token: token }, [{ name: 'episodes.csv', body: huge }], {}, { streamed });
      expect(refused.status).toBe(413);
      expect(refused.headers.get('content-type')).toContain('text/html');
      const words = textOf(refused.html);
      expect(words).toContain('The files were too large The files you selected come to more than 20 MB. Import them a few at a time: each file may be up to 5 MB.');
      expect(words).toContain('Signed in as qa-lead-1');
      expect(refused.html).toContain('href="/app/imports"');
    }
    expect((await imports(ctx, QA)).length).toBe(before);
    // Anyone but a signed-in QA lead is held to what every other form may send.
    const overOtherForms = new Uint8Array(300 * 1024);
    for (const someone of [await signedIn(IRO), new WebClient(app)]) {
      const refusedToo = await someone.postFiles('/app/imports', { csrf_token: 'any' }, [{ name: 'episodes.csv', body: overOtherForms }]);
      expect(refusedToo.status).toBe(413);
      expect(textOf(refusedToo.html)).toContain('The files were too large Only QA leads, signed in, may import files.');
    }
    // The same post from the QA lead is read (and here refused for its type, with the form).
    const read = await browser.postFiles('/app/imports', { csrf_token: token }, [{ name: 'notes.pdf', body: overOtherForms }]);
    expect(read.status).toBe(400);
    expect(textOf(read.html)).toContain('notes.pdf must be a CSV, XML or xlsx file');
    // Every other form keeps the API's 256 KiB limit.
    const big = await browser.post('/app/audits/new', { csrf_token: csrfTokenIn((await browser.get('/app/audits/new')).html), title: 'x'.repeat(300 * 1024) });
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
      for (const path of ['/app/imports', `/app/imports/${mine!.importId}`, `/app/imports/${mine!.importId}/errors.csv`]) {
        const page = await browser.get(path);
        expect(page.status, `${who.userId} ${path}`).toBe(403);
        expect(textOf(page.html)).toContain('You cannot see this page Imports are for QA leads');
      }
      const posted = await browser.postFiles('/app/imports', { csrf_token: csrfTokenIn((await browser.get('/app')).html) }, [{ name: 'header.csv', body: HEADER }]);
      expect(posted.status).toBe(403);
      expect(textOf(posted.html)).toContain('You cannot see this page');
    }
    // Another authority's QA lead does not find this authority's import.
    const other = await signedIn({ ...QA, authorityId: 'elsewhere' });
    const missing = await other.get(`/app/imports/${mine!.importId}`);
    expect(missing.status).toBe(404);
    expect(textOf(missing.html)).toContain(`Page not found No import ${mine!.importId}`);
    expect((await imports(ctx, { ...QA, authorityId: 'elsewhere' }))).toEqual([]);
  });

  it('has no import pages and no link when the app is not given the imports capability', async () => {
    const without = createApp({ store: ctx.store, objects: ctx.objects, links: ctx.links, verifier: localVerifier(key), runner: ctx.runner, templates: ctx.templates, signIn: { kind: 'local', key, authorityId: AUTHORITY } });
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
      browser.postFiles('/app/imports', { csrf_token: token }, [{ name: 'header.csv', body: HEADER }], { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' }),
    ];
    for (const refused of await Promise.all(attempts)) {
      expect(refused.status).toBe(403);
      expect(refused.headers.get('content-type')).toContain('text/html');
      expect(textOf(refused.html)).toContain('This form could not be accepted');
    }
    expect((await imports(ctx, QA)).length).toBe(before);
  });
});
