/**
 * Import jobs against real dynalite and s3rver: presigned uploads, the upload-triggered run once
 * every file has arrived, status and counts, the errors CSV behind a short-lived link, the small-body
 * path, and one authority's import never touching another's data.
 */
import { parse } from 'csv-parse/sync';
import { beforeAll, describe, expect, it } from 'vitest';
import { freshStorage } from '../support/storage.ts';
import type { StoreConfig } from '#config/config';
import {
  DIRECT_IMPORT_MAX_BYTES, DIRECT_IMPORT_MAX_TOTAL_BYTES, ImportRequestError, createImport, firstImportErrors, getImport, importDirect, importDirectFiles, importErrorsKey, listImports, parseUploadKey,
  runUploadedImport, type ImportServices,
} from '#loader/import-jobs';

let svc: ImportServices;
let config: StoreConfig;

beforeAll(async () => {
  const storage = await freshStorage('jobs');
  config = storage.config;
  svc = { store: storage.store, objects: storage.objects, links: storage.objects };
});

const HEADER = 'CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB\nJ1,1,14/03/2012,WBRI,,,\nJ2,2,01/09/2021,WBRI,,,\n';
const EPISODES = 'CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,PL_POST,URN\nJ1,10/01/2023,S,C2,N1,U1,PR1,,,,,,\nJ2,10/01/2023,S,C2,N1,U1,PR1,,,,,,\n';
const REVIEWS = 'CHILD,DOB,REVIEW,REVIEW_CODE\nJ1,14/03/2012,01/02/2023,PN1\nJ2,01/09/2021,01/02/2023,PN1\nJ2,01/09/2021,31/02/2023,PN0\n';

async function put(url: string, body: string, contentType = 'text/csv') {
  const response = await fetch(url, { method: 'PUT', body, headers: { 'content-type': contentType } });
  expect(response.status, await response.text()).toBe(200);
}

describe('an import through presigned uploads', () => {
  const A = 'jobs-a';
  let importId: string;

  it('gives each file an upload key under the authority and a link that lives at most 15 minutes', async () => {
    const now = new Date('2026-12-01T09:00:00Z');
    const created = await createImport(svc, {
      authorityId: A, requestedBy: 'qa.lead@example.org',
      files: [{ fileName: 'reviews.csv', contentType: 'text/csv' }, { fileName: 'episodes.csv', contentType: 'text/csv' }, { fileName: 'header.csv', contentType: 'text/csv' }],
    }, { now: () => now, linkSeconds: 3600 });
    importId = created.importId;
    expect(created.status).toBe('pending');
    expect(created.uploads.map((u) => u.key)).toEqual(['reviews.csv', 'episodes.csv', 'header.csv'].map((f) => `uploads/${A}/${importId}/${f}`));
    for (const upload of created.uploads) {
      expect(upload.expiresAt).toBe('2026-12-01T09:15:00.000Z');
      expect(new URL(upload.url).searchParams.get('X-Amz-Expires')).toBe('900');
      expect(parseUploadKey(upload.key)).toEqual({ authorityId: A, importId, fileName: upload.fileName });
    }
    expect((await getImport(svc, A, importId))?.status).toBe('pending');
  });

  it('waits for every file, then imports them in dependency order when the last arrives', async () => {
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
    expect(done).toMatchObject({ status: 'done', progress: { rows: 7 }, errorCount: 2, errorsInCsv: 2, failure: null });
    expect(done?.files.map((f) => [f.fileName, f.format, f.rows, f.accepted, f.rejected, f.created])).toEqual([
      ['reviews.csv', 'reviews', 3, 1, 2, 1], ['episodes.csv', 'episodes', 2, 2, 0, 2], ['header.csv', 'header', 2, 2, 0, 2],
    ]);
    expect(done?.tables).toEqual({
      header: { rows: 2, accepted: 2, rejected: 0, created: 2, updated: 0, unchanged: 0 },
      episodes: { rows: 2, accepted: 2, rejected: 0, created: 2, updated: 0, unchanged: 0 },
      reviews: { rows: 3, accepted: 1, rejected: 2, created: 1, updated: 0, unchanged: 0 },
    });
    expect(done?.startedAt).not.toBeNull();
    expect(done?.finishedAt).not.toBeNull();
  });

  it('shows the finished import with a short-lived link to its errors CSV', async () => {
    const view = await getImport(svc, A, importId);
    expect(view?.status).toBe('done');
    expect(view?.errorsCsv?.errors).toBe(2);
    expect(new URL(view!.errorsCsv!.url).searchParams.get('X-Amz-Expires')).toBe('300');
    const response = await fetch(view!.errorsCsv!.url);
    expect(response.status).toBe(200);
    const rows = parse(await response.text(), { columns: true }) as Record<string, string>[];
    expect(rows).toEqual([
      { file: 'reviews.csv', line: '3', column: 'REVIEW_CODE', message: 'REVIEW_CODE PN1 is for a child aged 4 or over: this child was 1 on 01/02/2023, so the code is PN0' },
      { file: 'reviews.csv', line: '4', column: 'REVIEW', message: 'REVIEW: "31/02/2023" is not a date: write dd/mm/YYYY (or YYYY-MM-DD)' },
    ]);
    expect((await svc.store.getChildRecords(A, 'J1'))?.reviews).toHaveLength(1);
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
      authorityId: 'jobs-direct', requestedBy: 'qa.lead@example.org', fileName: 'return.csv', contentType: 'text/csv', body: new TextEncoder().encode(HEADER),
    });
    expect(view).toMatchObject({ status: 'done', errorCount: 0, errorsCsv: null, tables: { header: { accepted: 2, created: 2 } } });
    // The bytes are kept under the upload key; its notification finds the import already done.
    expect(new TextDecoder().decode((await svc.objects.get(view.files[0]!.key))!)).toBe(HEADER);
    expect((await runUploadedImport(svc, view.files[0]!.key))?.status).toBe('done');
    expect((await listImports(svc, 'jobs-direct')).map((j) => j.importId)).toEqual([view.importId]);
  });

  it('refuses a body over the size limit, and requests that are not well formed, naming the field', async () => {
    const tooBig = new Uint8Array(DIRECT_IMPORT_MAX_BYTES + 1);
    await expect(importDirect(svc, { authorityId: 'jobs-direct', requestedBy: 'x', fileName: 'big.csv', contentType: 'text/csv', body: tooBig })).rejects.toMatchObject({
      name: 'ImportRequestError', field: 'body', reason: 'a file sent directly may be at most 5 MiB: upload larger files through an upload link',
    });
    const cases: [unknown, string, RegExp][] = [
      [{ authorityId: 'A!', requestedBy: 'x', files: [{ fileName: 'a.csv', contentType: 'text/csv' }] }, 'authorityId', /lower-case/],
      [{ authorityId: 'jobs-a', requestedBy: 'x', files: [] }, 'files', /at least one file/],
      [{ authorityId: 'jobs-a', requestedBy: 'x', files: [{ fileName: 'a.xlsx', contentType: 'text/csv' }] }, 'files.0.fileName', /extension of its content type/],
      [{ authorityId: 'jobs-a', requestedBy: 'x', files: [{ fileName: '../a.csv', contentType: 'text/csv' }] }, 'files.0.fileName', /letters, digits/],
      [{ authorityId: 'jobs-a', requestedBy: 'x', files: [{ fileName: 'a.csv', contentType: 'application/pdf' }] }, 'files.0.contentType', /Invalid option/],
      [{ authorityId: 'jobs-a', requestedBy: 'x', files: [{ fileName: 'a.csv', contentType: 'text/csv' }, { fileName: 'a.csv', contentType: 'text/csv' }] }, 'files', /once/],
      [{ authorityId: 'jobs-a', requestedBy: 'x', files: [{ fileName: 'a.csv', contentType: 'text/csv' }], yearEnding: '2024-04-01' }, 'yearEnding', /31 March/],
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

  it('is one import, loaded in dependency order whatever order the files came in, with the first errors readable from its CSV', async () => {
    const view = await importDirectFiles(svc, {
      authorityId: 'jobs-many', requestedBy: 'qa.lead@example.org',
      files: [{ fileName: 'reviews.csv', contentType: 'text/csv', body: enc(REVIEWS) }, { fileName: 'episodes.csv', contentType: 'text/csv', body: enc(EPISODES) }, { fileName: 'header.csv', contentType: 'text/csv', body: enc(HEADER) }],
    });
    // The PN1 review of a child of 1 is caught against the header's date of birth, loaded first though named last.
    expect(view).toMatchObject({ status: 'done', errorCount: 2, tables: { header: { accepted: 2 }, episodes: { accepted: 2 }, reviews: { accepted: 1, rejected: 2 } } });
    expect(view.files.map((f) => [f.fileName, f.uploaded, f.accepted, f.rejected])).toEqual([['reviews.csv', true, 1, 2], ['episodes.csv', true, 2, 0], ['header.csv', true, 2, 0]]);
    const both = [
      { file: 'reviews.csv', line: 3, column: 'REVIEW_CODE', message: 'REVIEW_CODE PN1 is for a child aged 4 or over: this child was 1 on 01/02/2023, so the code is PN0' },
      { file: 'reviews.csv', line: 4, column: 'REVIEW', message: 'REVIEW: "31/02/2023" is not a date: write dd/mm/YYYY (or YYYY-MM-DD)' },
    ];
    expect(await firstImportErrors(svc, 'jobs-many', view.importId, 10)).toEqual(both);
    expect(await firstImportErrors(svc, 'jobs-many', view.importId, 1)).toEqual(both.slice(0, 1));
    expect(await firstImportErrors(svc, 'jobs-other', view.importId, 10)).toEqual([]);
  });

  it('refuses files over the size limits, with the same name, or whose name and type disagree, naming the field', async () => {
    const big = new Uint8Array(DIRECT_IMPORT_MAX_BYTES);
    const cases: [{ fileName: string; contentType: string; body: Uint8Array }[], string, RegExp][] = [
      [[{ fileName: 'a.csv', contentType: 'text/csv', body: new Uint8Array(DIRECT_IMPORT_MAX_BYTES + 1) }], 'files.0.body', /at most 5 MiB/],
      [Array.from({ length: Math.ceil(DIRECT_IMPORT_MAX_TOTAL_BYTES / DIRECT_IMPORT_MAX_BYTES) + 1 }, (_, i) => ({ fileName: `f${i}.csv`, contentType: 'text/csv', body: big })), 'files', /together may come to at most 20 MiB/],
      [[{ fileName: 'a.csv', contentType: 'text/csv', body: enc(HEADER) }, { fileName: 'a.csv', contentType: 'text/csv', body: enc(HEADER) }], 'files', /once/],
      [[{ fileName: 'a.xlsx', contentType: 'text/csv', body: enc(HEADER) }], 'files.0.fileName', /extension of its content type/],
      [[], 'files', /at least one file/],
    ];
    for (const [files, field, reason] of cases) {
      const error = await importDirectFiles(svc, { authorityId: 'jobs-many', requestedBy: 'x', files } as never).catch((e: unknown) => e);
      expect(error, field).toBeInstanceOf(ImportRequestError);
      expect((error as ImportRequestError).field, String(reason)).toBe(field);
      expect((error as ImportRequestError).reason).toMatch(reason);
    }
  });
});

describe('one authority, one import', () => {
  it('never shows one authority another authority’s import, and writes only under the authority of the upload key', async () => {
    const mine = await importDirect(svc, { authorityId: 'jobs-one', requestedBy: 'x', fileName: 'header.csv', contentType: 'text/csv', body: new TextEncoder().encode(HEADER) });
    expect(await getImport(svc, 'jobs-two', mine.importId)).toBeNull();
    expect(await runUploadedImport(svc, `uploads/jobs-two/${mine.importId}/header.csv`)).toBeNull();
    expect(await svc.store.getChildRecords('jobs-one', 'J1')).not.toBeNull();
    expect(await svc.store.getChildRecords('jobs-two', 'J1')).toBeNull();
    expect(await svc.objects.get(importErrorsKey('jobs-two', mine.importId))).toBeNull();
  });
});

describe('the Lambda entry', () => {
  it('decodes the key of an S3 notification and runs the upload it names', async () => {
    Object.assign(process.env, { IRO_TABLE: config.tableName, IRO_BUCKET: config.bucketName, DYNAMODB_ENDPOINT: config.dynamoEndpoint, S3_ENDPOINT: config.s3Endpoint });
    const { handler } = await import('../../functions/importer/handler.ts');
    const created = await createImport(svc, { authorityId: 'jobs-lambda', requestedBy: 'x', files: [{ fileName: 'child header (2024).csv', contentType: 'text/csv' }] });
    const [upload] = created.uploads;
    await put(upload!.url, HEADER);
    // S3 sends keys URL-encoded, spaces as '+'.
    const encoded = encodeURIComponent(upload!.key).replace(/%20/g, '+').replace(/%2F/g, '/');
    await handler({ Records: [{ s3: { object: { key: encoded } } }] } as never);
    expect(await getImport(svc, 'jobs-lambda', created.importId)).toMatchObject({ status: 'done', tables: { header: { accepted: 2 } } });
  });
});
