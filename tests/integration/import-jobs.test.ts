/**
 * Import jobs against real dynalite and s3rver: presigned uploads, the upload-triggered run once
 * every file has arrived, status, the collection year and counts, problems by DfE rule, the problems
 * CSV behind a short-lived link, the small-body path, and one authority's import never touching
 * another's data.
 */
import { parse } from 'csv-parse/sync';
import { beforeAll, describe, expect, it } from 'vitest';
import { freshStorage } from '../support/storage.ts';
import type { StoreConfig } from '#config/config';
import {
  DIRECT_IMPORT_MAX_BYTES,
  DIRECT_IMPORT_MAX_TOTAL_BYTES,
  ImportRequestError,
  createImport,
  firstImportErrors,
  getImport,
  importDirect,
  importDirectFiles,
  importErrorsKey,
  listImports,
  parseUploadKey,
  runUploadedImport,
  type ImportServices,
} from '#loader/import-jobs';

let svc: ImportServices;
let config: StoreConfig;

beforeAll(async () => {
  const storage = await freshStorage('jobs');
  config = storage.config;
  svc = { store: storage.store, objects: storage.objects, links: storage.objects };
});

// A 2022-23 return (its episodes start in January 2023), sex codes 1 and 2 as the DfE's were up to 2023-24,
// with every field the DfE's rules ask for filled in (UPN, or UN1 for a child not of school age; MOTHER; postcodes; URN).
const HEADER =
  'CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB\nJ1,1,14/03/2012,WBRI,A123456789012,,\nJ2,2,01/09/2021,WBRI,UN1,0,\n';
const EPISODES =
  'CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,PL_POST,URN\n' +
  'J1,10/01/2023,S,C2,N1,U1,PR1,,,,AB1 2CD,AB3 4EF,SC123456\nJ2,10/01/2023,S,C2,N1,U1,PR1,,,,AB1 2CD,AB3 4EF,SC123456\n';
// J2's first review gives PN1 (for a child of 4 or over) to a child of 1: DfE rule 441 warns, and the row is kept.
// J2's second review's date does not exist: DfE rule 166 rejects it.
const REVIEWS =
  'CHILD,DOB,REVIEW,REVIEW_CODE\nJ1,14/03/2012,01/02/2023,PN1\nJ2,01/09/2021,01/02/2023,PN1\nJ2,01/09/2021,31/02/2023,PN0\n';
const PN1_UNDER_4 =
  '441 – the participation code (PN1 to PN7) is for a child of 4 or over, but the child was under 4 on the date of the review: PN1 at the review of 1 February 2023, but the child turned 4 only on 1 September 2025';
const NO_SUCH_DATE =
  '166 – the date of the review is blank or not a real date written dd/mm/YYYY: REVIEW is "31/02/2023"';
const RULES = [
  {
    rule: '166',
    severity: 'rejected',
    meaning: 'the date of the review is blank or not a real date written dd/mm/YYYY',
    issues: 1,
    rows: 1,
    tables: ['reviews'],
  },
  {
    rule: '441',
    severity: 'warning',
    meaning:
      'the participation code (PN1 to PN7) is for a child of 4 or over, but the child was under 4 on the date of the review',
    issues: 1,
    rows: 1,
    tables: ['reviews'],
  },
];

async function put(url: string, body: string, contentType = 'text/csv') {
  const response = await fetch(url, { method: 'PUT', body, headers: { 'content-type': contentType } });
  expect(response.status, await response.text()).toBe(200);
}

describe('an import through presigned uploads', () => {
  const A = 'jobs-a';
  let importId: string;

  it('gives each file an upload key under the authority and a link that lives at most 15 minutes', async () => {
    const now = new Date('2026-12-01T09:00:00Z');
    const created = await createImport(
      svc,
      {
        authorityId: A,
        requestedBy: 'qa.lead@example.org',
        files: [
          { fileName: 'reviews.csv', contentType: 'text/csv' },
          { fileName: 'episodes.csv', contentType: 'text/csv' },
          { fileName: 'header.csv', contentType: 'text/csv' },
        ],
      },
      { now: () => now, linkSeconds: 3600 },
    );
    importId = created.importId;
    expect(created.status).toBe('pending');
    expect(created.uploads.map((u) => u.key)).toEqual(
      ['reviews.csv', 'episodes.csv', 'header.csv'].map((f) => `uploads/${A}/${importId}/${f}`),
    );
    for (const upload of created.uploads) {
      expect(upload.expiresAt).toBe('2026-12-01T09:15:00.000Z');
      expect(new URL(upload.url).searchParams.get('X-Amz-Expires')).toBe('900');
      expect(parseUploadKey(upload.key)).toEqual({ authorityId: A, importId, fileName: upload.fileName });
    }
    expect((await getImport(svc, A, importId))?.status).toBe('pending');
  });

  it('waits for every file, then judges each child’s rows from all of them together when the last arrives', async () => {
    const job = await getImport(svc, A, importId);
    const [reviews, episodes, header] = job!.files;
    // Reviews arrive first, but are checked against the episodes that arrive after them.
    await put(await svc.links.uploadUrl(reviews!.key, { expiresInSeconds: 60, contentType: 'text/csv' }), REVIEWS);
    expect((await runUploadedImport(svc, reviews!.key))?.status).toBe('pending');
    // A repeated notification for the same file changes nothing.
    expect((await runUploadedImport(svc, reviews!.key))?.files.filter((f) => f.uploaded)).toHaveLength(1);
    await put(await svc.links.uploadUrl(episodes!.key, { expiresInSeconds: 60, contentType: 'text/csv' }), EPISODES);
    await runUploadedImport(svc, episodes!.key);
    await put(await svc.links.uploadUrl(header!.key, { expiresInSeconds: 60, contentType: 'text/csv' }), HEADER);
    const done = await runUploadedImport(svc, header!.key);
    expect(done).toMatchObject({
      status: 'done',
      progress: { rows: 7 },
      errorCount: 1,
      warningCount: 1,
      errorsInCsv: 2,
      failure: null,
    });
    // No year was stated: the latest episode date puts the return in 2022-23, whose rules judged it.
    expect(done?.statedYear).toBeNull();
    expect(done?.collectionYear).toEqual({
      year: '2022-23',
      how: 'inferred',
      reason: 'the latest episode date in the return is 10 January 2023 (DECOM in episodes.csv)',
      rulesOf: '2022-23',
    });
    // Files in the order they were named.
    expect(
      done?.files.map((f) => [
        f.fileName,
        f.format,
        f.encoding,
        f.delimiter,
        f.rows,
        f.accepted,
        f.warned,
        f.rejected,
        f.created,
      ]),
    ).toEqual([
      ['reviews.csv', 'reviews', 'UTF-8', 'comma', 3, 2, 1, 1, 2],
      ['episodes.csv', 'episodes', 'UTF-8', 'comma', 2, 2, 0, 0, 2],
      ['header.csv', 'header', 'UTF-8', 'comma', 2, 2, 0, 0, 2],
    ]);
    expect(done?.tables).toEqual({
      reviews: { rows: 3, accepted: 2, rejected: 1, warned: 1, created: 2, updated: 0, unchanged: 0 },
      episodes: { rows: 2, accepted: 2, rejected: 0, warned: 0, created: 2, updated: 0, unchanged: 0 },
      header: { rows: 2, accepted: 2, rejected: 0, warned: 0, created: 2, updated: 0, unchanged: 0 },
    });
    expect(done?.rules).toEqual(RULES);
    expect(done?.startedAt).not.toBeNull();
    expect(done?.finishedAt).not.toBeNull();
  });

  it('shows the finished import with a short-lived link to its problems CSV', async () => {
    const view = await getImport(svc, A, importId);
    expect(view?.status).toBe('done');
    expect(view?.collectionYear?.year).toBe('2022-23');
    expect(view?.errorsCsv?.errors).toBe(2);
    expect(new URL(view!.errorsCsv!.url).searchParams.get('X-Amz-Expires')).toBe('300');
    const response = await fetch(view!.errorsCsv!.url);
    expect(response.status).toBe(200);
    const rows = parse(await response.text(), { columns: true }) as Record<string, string>[];
    expect(rows).toEqual([
      {
        file: 'reviews.csv',
        'line or element': '3',
        child: 'J2',
        column: 'REVIEW_CODE',
        rule: '441',
        severity: 'warning',
        message: PN1_UNDER_4,
      },
      {
        file: 'reviews.csv',
        'line or element': '4',
        child: 'J2',
        column: 'REVIEW',
        rule: '166',
        severity: 'rejected',
        message: NO_SUCH_DATE,
      },
    ]);
    expect((await svc.store.getChildRecords(A, 'J1'))?.reviews).toHaveLength(1);
    // The warned review is kept; the one with no such date is not.
    expect((await svc.store.getChildRecords(A, 'J2'))?.reviews.map((r) => [r.reviewDate, r.participationCode])).toEqual(
      [['2023-02-01', 'PN1']],
    );
  });

  it('does not run a finished import again when a notification repeats', async () => {
    const before = await svc.store.getImportJob(A, importId);
    const again = await runUploadedImport(svc, `uploads/${A}/${importId}/header.csv`);
    expect(again?.status).toBe('done');
    expect((await svc.store.getImportJob(A, importId))?.version).toBe(before?.version);
  });

  it('ignores keys outside the upload layout and uploads no import expects', async () => {
    expect(await runUploadedImport(svc, 'findings/jobs-a/x/report.html')).toBeNull();
    expect(await runUploadedImport(svc, `uploads/${A}/no-such-import/header.csv`)).toBeNull();
    expect(await runUploadedImport(svc, `uploads/${A}/${importId}/unexpected.csv`)).toBeNull();
    expect(await runUploadedImport(svc, `uploads/${A}/../x/header.csv`)).toBeNull();
  });
});

describe('an import of one small file sent as bytes', () => {
  it('imports it at once and reports it like an uploaded one', async () => {
    const view = await importDirect(svc, {
      authorityId: 'jobs-direct',
      requestedBy: 'qa.lead@example.org',
      fileName: 'return.csv',
      contentType: 'text/csv',
      body: new TextEncoder().encode(EPISODES),
    });
    expect(view).toMatchObject({
      status: 'done',
      errorCount: 0,
      warningCount: 0,
      rules: [],
      errorsCsv: null,
      tables: { episodes: { accepted: 2, created: 2 } },
      collectionYear: {
        year: '2022-23',
        how: 'inferred',
        reason: 'the latest episode date in the return is 10 January 2023 (DECOM in return.csv)',
      },
    });
    // The bytes are kept under the upload key; its notification finds the import already done.
    expect(new TextDecoder().decode((await svc.objects.get(view.files[0]!.key))!)).toBe(EPISODES);
    expect((await runUploadedImport(svc, view.files[0]!.key))?.status).toBe('done');
    expect((await listImports(svc, 'jobs-direct')).map((j) => j.importId)).toEqual([view.importId]);
  });

  it('refuses a body over the size limit, and requests that are not well formed, naming the field', async () => {
    const tooBig = new Uint8Array(DIRECT_IMPORT_MAX_BYTES + 1);
    await expect(
      importDirect(svc, {
        authorityId: 'jobs-direct',
        requestedBy: 'x',
        fileName: 'big.csv',
        contentType: 'text/csv',
        body: tooBig,
      }),
    ).rejects.toMatchObject({
      name: 'ImportRequestError',
      field: 'body',
      reason: 'a file sent directly may be at most 5 MiB: upload larger files through an upload link',
    });
    const cases: [unknown, string, RegExp][] = [
      [
        { authorityId: 'A!', requestedBy: 'x', files: [{ fileName: 'a.csv', contentType: 'text/csv' }] },
        'authorityId',
        /lower-case/,
      ],
      [{ authorityId: 'jobs-a', requestedBy: 'x', files: [] }, 'files', /at least one file/],
      [
        { authorityId: 'jobs-a', requestedBy: 'x', files: [{ fileName: 'a.xlsx', contentType: 'text/csv' }] },
        'files.0.fileName',
        /extension of its content type/,
      ],
      [
        { authorityId: 'jobs-a', requestedBy: 'x', files: [{ fileName: '../a.csv', contentType: 'text/csv' }] },
        'files.0.fileName',
        /letters, digits/,
      ],
      [
        { authorityId: 'jobs-a', requestedBy: 'x', files: [{ fileName: 'a.csv', contentType: 'application/pdf' }] },
        'files.0.contentType',
        /Invalid option/,
      ],
      [
        {
          authorityId: 'jobs-a',
          requestedBy: 'x',
          files: [
            { fileName: 'a.csv', contentType: 'text/csv' },
            { fileName: 'a.csv', contentType: 'text/csv' },
          ],
        },
        'files',
        /once/,
      ],
      [
        {
          authorityId: 'jobs-a',
          requestedBy: 'x',
          files: [{ fileName: 'a.csv', contentType: 'text/csv' }],
          yearEnding: '2024-04-01',
        },
        'yearEnding',
        /31 March/,
      ],
      [
        {
          authorityId: 'jobs-a',
          requestedBy: 'x',
          files: [{ fileName: 'a.csv', contentType: 'text/csv' }],
          collectionYear: '2025/27',
        },
        'collectionYear',
        /must be a collection year written like 2025-26/,
      ],
    ];
    for (const [input, field, reason] of cases) {
      const error = await createImport(svc, input as never).catch((e: unknown) => e);
      expect(error, field).toBeInstanceOf(ImportRequestError);
      expect((error as ImportRequestError).field).toBe(field);
      expect((error as ImportRequestError).reason).toMatch(reason);
    }
  });
});

describe('an import of several small files sent as bytes together', () => {
  const enc = (text: string) => new TextEncoder().encode(text);

  it('is one import, each child’s rows judged together whatever order the files came in, with the first problems readable from its CSV', async () => {
    const view = await importDirectFiles(svc, {
      authorityId: 'jobs-many',
      requestedBy: 'qa.lead@example.org',
      files: [
        { fileName: 'reviews.csv', contentType: 'text/csv', body: enc(REVIEWS) },
        { fileName: 'episodes.csv', contentType: 'text/csv', body: enc(EPISODES) },
        { fileName: 'header.csv', contentType: 'text/csv', body: enc(HEADER) },
      ],
      collectionYear: '2022-23',
    });
    // Every review finds its child's period of care in the episodes named after it.
    expect(view).toMatchObject({
      status: 'done',
      errorCount: 1,
      warningCount: 1,
      rules: RULES,
      statedYear: '2022-23',
      collectionYear: {
        year: '2022-23',
        how: 'stated',
        reason: 'stated when the import was started',
        rulesOf: '2022-23',
      },
      tables: { header: { accepted: 2 }, episodes: { accepted: 2 }, reviews: { accepted: 2, warned: 1, rejected: 1 } },
    });
    expect(view.files.map((f) => [f.fileName, f.uploaded, f.accepted, f.warned, f.rejected])).toEqual([
      ['reviews.csv', true, 2, 1, 1],
      ['episodes.csv', true, 2, 0, 0],
      ['header.csv', true, 2, 0, 0],
    ]);
    const both = [
      {
        file: 'reviews.csv',
        line: 3,
        element: null,
        child: 'J2',
        column: 'REVIEW_CODE',
        rule: '441',
        severity: 'warning',
        message: PN1_UNDER_4,
      },
      {
        file: 'reviews.csv',
        line: 4,
        element: null,
        child: 'J2',
        column: 'REVIEW',
        rule: '166',
        severity: 'rejected',
        message: NO_SUCH_DATE,
      },
    ];
    expect(await firstImportErrors(svc, 'jobs-many', view.importId, 10)).toEqual(both);
    expect(await firstImportErrors(svc, 'jobs-many', view.importId, 1)).toEqual(both.slice(0, 1));
    expect(await firstImportErrors(svc, 'jobs-other', view.importId, 10)).toEqual([]);
  });

  it('refuses files over the size limits, with the same name, or whose name and type disagree, naming the field', async () => {
    const big = new Uint8Array(DIRECT_IMPORT_MAX_BYTES);
    const cases: [{ fileName: string; contentType: string; body: Uint8Array }[], string, RegExp][] = [
      [
        [{ fileName: 'a.csv', contentType: 'text/csv', body: new Uint8Array(DIRECT_IMPORT_MAX_BYTES + 1) }],
        'files.0.body',
        /at most 5 MiB/,
      ],
      [
        Array.from({ length: Math.ceil(DIRECT_IMPORT_MAX_TOTAL_BYTES / DIRECT_IMPORT_MAX_BYTES) + 1 }, (_, i) => ({
          fileName: `f${i}.csv`,
          contentType: 'text/csv',
          body: big,
        })),
        'files',
        /together may come to at most 20 MiB/,
      ],
      [
        [
          { fileName: 'a.csv', contentType: 'text/csv', body: enc(HEADER) },
          { fileName: 'a.csv', contentType: 'text/csv', body: enc(HEADER) },
        ],
        'files',
        /once/,
      ],
      [
        [{ fileName: 'a.xlsx', contentType: 'text/csv', body: enc(HEADER) }],
        'files.0.fileName',
        /extension of its content type/,
      ],
      [[], 'files', /at least one file/],
    ];
    for (const [files, field, reason] of cases) {
      const error = await importDirectFiles(svc, { authorityId: 'jobs-many', requestedBy: 'x', files } as never).catch(
        (e: unknown) => e,
      );
      expect(error, field).toBeInstanceOf(ImportRequestError);
      expect((error as ImportRequestError).field, String(reason)).toBe(field);
      expect((error as ImportRequestError).reason).toMatch(reason);
    }
  });
});

describe('one authority, one import', () => {
  it('never shows one authority another authority’s import, and writes only under the authority of the upload key', async () => {
    const mine = await importDirect(svc, {
      authorityId: 'jobs-one',
      requestedBy: 'x',
      fileName: 'header.csv',
      contentType: 'text/csv',
      body: new TextEncoder().encode(HEADER),
    });
    expect(await getImport(svc, 'jobs-two', mine.importId)).toBeNull();
    expect(await runUploadedImport(svc, `uploads/jobs-two/${mine.importId}/header.csv`)).toBeNull();
    expect(await svc.store.getChildRecords('jobs-one', 'J1')).not.toBeNull();
    expect(await svc.store.getChildRecords('jobs-two', 'J1')).toBeNull();
    expect(await svc.objects.get(importErrorsKey('jobs-two', mine.importId))).toBeNull();
  });
});

describe('the Lambda entry', () => {
  it('decodes the key of an S3 notification and runs the upload it names', async () => {
    Object.assign(process.env, {
      IRO_TABLE: config.tableName,
      IRO_BUCKET: config.bucketName,
      DYNAMODB_ENDPOINT: config.dynamoEndpoint,
      S3_ENDPOINT: config.s3Endpoint,
    });
    const { handler } = await import('../../functions/importer/handler.ts');
    const created = await createImport(svc, {
      authorityId: 'jobs-lambda',
      requestedBy: 'x',
      files: [{ fileName: 'child header (2024).csv', contentType: 'text/csv' }],
    });
    const [upload] = created.uploads;
    await put(upload!.url, HEADER);
    // S3 sends keys URL-encoded, spaces as '+'.
    const encoded = encodeURIComponent(upload!.key).replace(/%20/g, '+').replace(/%2F/g, '/');
    await handler({ Records: [{ s3: { object: { key: encoded } } }] } as never);
    expect(await getImport(svc, 'jobs-lambda', created.importId)).toMatchObject({
      status: 'done',
      tables: { header: { accepted: 2 } },
    });
  });
});
