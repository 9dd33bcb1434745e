/**
 * Imports as jobs over the bucket and the table, the same code locally and in Lambda:
 *
 * 1. `createImport` records a pending import (authority, who, the files to come) and returns, per
 *    file, the upload key `uploads/{authority}/{import}/{file}` and a presigned PUT (≤ 15 minutes).
 * 2. Each upload triggers the import function (`runUploadedImport`), which marks the file arrived;
 *    the one that finds every file arrived wins the pending → running change (a conditional write)
 *    and imports them all in dependency order (episodes before reviews), so the cross-row rules see
 *    the whole import. Repeated or late notifications change nothing.
 * 3. `getImport` shows status, progress, counts per file and per table, and a short-lived link to
 *    the errors CSV (`imports/{authority}/{import}/errors.csv`).
 *
 * `importDirect` takes a small file as bytes and imports it at once (`importDirectFiles` several,
 * as one import: the web page's upload form); `firstImportErrors` reads the start of an import's
 * errors CSV for its report page. The authority comes from the
 * upload key, which the API builds from the caller's token: an import writes only under its own
 * authority's keys, in the table and in the bucket.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse';
import { z } from 'zod';
import { IsoDate } from '#domain/dates';
import { AuthorityId } from '#domain/records';
import { MAX_DOWNLOAD_LINK_SECONDS, MAX_UPLOAD_LINK_SECONDS, type ObjectLinks, type ObjectStore } from '#store/object-store';
import { VersionConflictError, type RecordStore, type Versioned } from '#store/record-store';
import { loadSources } from './load.ts';
import { CollectionYear, parseCollectionYear } from '#domain/collection-year';
import { ImportIssue, inFileOrder, issueFromCsvRow, RuleCount, writeIssuesCsv } from './issues.ts';
import type { FileReport, TableCounts } from './run.ts';
import type { ImportSource } from './sources.ts';

export interface ImportServices {
  store: RecordStore;
  objects: ObjectStore;
  links: ObjectLinks;
}

/** Where uploads land; the bucket notifies the import function for this prefix only. */
export const UPLOAD_PREFIX = 'uploads/';
/** Where import reports and errors CSVs are written. */
export const IMPORT_REPORT_PREFIX = 'imports/';
/** Files one import may hold. */
export const MAX_FILES_PER_IMPORT = 20;
/** The largest file `importDirect` takes as bytes (API Gateway and Lambda limit request bodies); larger files go through an upload link. */
export const DIRECT_IMPORT_MAX_BYTES = 5 * 1024 * 1024;
/** Errors written to an import's errors CSV; all are counted. */
export const MAX_ERRORS_IN_CSV = 100_000;
/** How often a running import writes its progress to the table. */
const PROGRESS_EVERY_MS = 2_000;

const IMPORT_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
const FILE_NAME = /^[A-Za-z0-9][A-Za-z0-9 ._()-]{0,199}$/;

/** The content types an import file may be uploaded as, and the extensions each goes with. */
export const IMPORT_CONTENT_TYPES = {
  'text/csv': ['.csv'],
  'application/xml': ['.xml'],
  'text/xml': ['.xml'],
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': ['.xlsx'],
} as const satisfies Record<string, readonly string[]>;
export type ImportContentType = keyof typeof IMPORT_CONTENT_TYPES;

export const ImportId = z.string().regex(IMPORT_ID, 'must be 1–128 letters, digits, ".", "_" or "-"');
export const ImportFileName = z
  .string()
  .regex(FILE_NAME, 'must be 1–200 letters, digits, spaces, ".", "_", "-" or brackets, starting with a letter or digit');
const ContentType = z.enum(Object.keys(IMPORT_CONTENT_TYPES) as [ImportContentType, ...ImportContentType[]]);
/** The 31 March an SSDA903 return is for (OC2 and OC3 rows carry no year). */
export const YearEnding = IsoDate.refine((d) => d.endsWith('-03-31'), { message: 'must be a 31 March written YYYY-03-31' });

/**
 * The collection year a QA lead says a return is for, as they write it: `2025-26`, `2025/26` or the
 * 31 March it ends; blank or absent: inferred from the data.
 */
export const StatedCollectionYear = z
  .string()
  .transform((text, ctx) => {
    const year = parseCollectionYear(text);
    if (!year) {
      ctx.addIssue({ code: 'custom', message: 'must be a collection year written like 2025-26 (1 April 2025 to 31 March 2026)' });
      return z.NEVER;
    }
    return year;
  })
  .pipe(CollectionYear)
  .describe('the SSDA903 collection year the files are for, e.g. 2025-26; inferred from the data when absent');

/** A file's name ends with the extension of its content type. */
const EXTENSION_MATCHES: [(f: { fileName: string; contentType: ImportContentType }) => boolean, { message: string; path: string[] }] = [
  (f) => IMPORT_CONTENT_TYPES[f.contentType].some((ext) => f.fileName.toLowerCase().endsWith(ext)),
  { message: 'the file name must end with the extension of its content type (.csv, .xml or .xlsx)', path: ['fileName'] },
];

/** The files of one import: at least one, at most MAX_FILES_PER_IMPORT, each name once. */
const filesOfOneImport = <T extends z.ZodType<{ fileName: string }>>(file: T, atLeastOne: string) =>
  z
    .array(file)
    .min(1, atLeastOne)
    .max(MAX_FILES_PER_IMPORT, `at most ${MAX_FILES_PER_IMPORT} files per import`)
    .refine((files) => new Set(files.map((f) => f.fileName)).size === files.length, { message: 'each file name may appear once' });

/** One file an import will receive. */
export const ImportFileRequest = z.object({ fileName: ImportFileName, contentType: ContentType }).refine(...EXTENSION_MATCHES);
export type ImportFileRequest = z.infer<typeof ImportFileRequest>;

/** Input of `createImport`: the authority and user come from the caller's token, never the body. */
export const CreateImportRequest = z.object({
  authorityId: AuthorityId,
  requestedBy: z.string().trim().min(1).max(200),
  files: filesOfOneImport(ImportFileRequest, 'name at least one file'),
  yearEnding: YearEnding.optional(),
  collectionYear: StatedCollectionYear.optional(),
});
export type CreateImportRequest = z.infer<typeof CreateImportRequest>;

/** Input of `importDirect`: one small file as bytes. */
export const DirectImportRequest = z.object({
  authorityId: AuthorityId,
  requestedBy: z.string().trim().min(1).max(200),
  fileName: ImportFileName,
  contentType: ContentType,
  body: z.instanceof(Uint8Array).refine((b) => b.byteLength <= DIRECT_IMPORT_MAX_BYTES, {
    message: `a file sent directly may be at most ${DIRECT_IMPORT_MAX_BYTES / 1024 / 1024} MiB: upload larger files through an upload link`,
  }),
  yearEnding: YearEnding.optional(),
  collectionYear: StatedCollectionYear.optional(),
});
export type DirectImportRequest = z.infer<typeof DirectImportRequest>;

/** Files sent together as bytes (the web page's upload form) may come to at most this much. */
export const DIRECT_IMPORT_MAX_TOTAL_BYTES = 20 * 1024 * 1024;

const DirectFile = z.object({ fileName: ImportFileName, contentType: ContentType, body: DirectImportRequest.shape.body }).refine(...EXTENSION_MATCHES);

/** Input of `importDirectFiles`: several small files as bytes, imported together as one import (one report, loaded in dependency order). */
export const DirectImportFilesRequest = z.object({
  authorityId: AuthorityId,
  requestedBy: z.string().trim().min(1).max(200),
  files: filesOfOneImport(DirectFile, 'send at least one file')
    .refine((files) => files.reduce((n, f) => n + f.body.byteLength, 0) <= DIRECT_IMPORT_MAX_TOTAL_BYTES, {
      message: `files sent together may come to at most ${DIRECT_IMPORT_MAX_TOTAL_BYTES / 1024 / 1024} MiB: upload larger sets through upload links`,
    }),
  yearEnding: YearEnding.optional(),
  collectionYear: StatedCollectionYear.optional(),
});
export type DirectImportFilesRequest = z.infer<typeof DirectImportFilesRequest>;

export const ImportStatus = z.enum(['pending', 'running', 'done', 'failed']);
export type ImportStatus = z.infer<typeof ImportStatus>;

const count = z.number().int().min(0);
export const TableCountsSchema = z.object({
  rows: count, accepted: count, rejected: count,
  /** Rows imported with a warning (imports recorded before warnings existed have none). */
  warned: count.default(0),
  created: count, updated: count, unchanged: count,
});

/** One file of an import: where it is uploaded, whether it has arrived, and what became of its rows. */
export const ImportFileState = TableCountsSchema.extend({
  fileName: ImportFileName,
  contentType: ContentType,
  key: z.string(),
  uploaded: z.boolean(),
  format: z.string().nullable(),
  refused: z.string().nullable(),
  /** A text file's encoding and delimiter as read (Windows-1252 is converted). */
  encoding: z.string().nullable().default(null),
  delimiter: z.string().nullable().default(null),
  /** A workbook's sheets and what each was read as. */
  sheets: z.array(z.object({ name: z.string(), format: z.string().nullable(), note: z.string().optional() })).nullable().default(null),
  tables: z.record(z.string(), TableCountsSchema),
});
export type ImportFileState = z.infer<typeof ImportFileState>;

/** An import job as kept in the table (and, when finished, as `report.json` in the bucket). */
export const ImportJob = z.object({
  importId: ImportId,
  authorityId: AuthorityId,
  requestedBy: z.string(),
  createdAt: z.string(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
  status: ImportStatus,
  yearEnding: IsoDate.nullable(),
  /** The collection year the QA lead stated, if any. */
  statedYear: CollectionYear.nullable().default(null),
  /** The year the return was judged as, and how it was known; null until run, or when no SSDA903 table came. */
  collectionYear: z.object({ year: CollectionYear, how: z.enum(['stated', 'inferred']), reason: z.string(), rulesOf: CollectionYear }).nullable().default(null),
  files: z.array(ImportFileState),
  /** Rows read so far (reading), then rows judged and written (writing), over every file. */
  progress: z.object({ rows: count, phase: z.enum(['reading', 'writing']).optional(), of: count.optional() }),
  /** Counts per table (CSV format, XML part, Annex A List 8), over every file. */
  tables: z.record(z.string(), TableCountsSchema),
  /** Issues that kept rows out (rejected rows, and rows held back by them). */
  errorCount: count,
  /** Issues on rows imported with a warning. */
  warningCount: count.default(0),
  /** Issues per rule and severity, most rows first. */
  rules: z.array(RuleCount).default([]),
  /** Issues in the errors CSV (the first MAX_ERRORS_IN_CSV). */
  errorsInCsv: count,
  /** Why a failed import stopped (a fault, not a bad row: bad rows are errors). */
  failure: z.string().nullable(),
});
export type ImportJob = z.infer<typeof ImportJob>;

/** What `createImport` returns: where to send each file, and until when. */
export const CreatedImport = z.object({
  importId: ImportId,
  status: ImportStatus,
  uploads: z.array(z.object({ fileName: ImportFileName, contentType: ContentType, key: z.string(), url: z.string(), expiresAt: z.string() })),
});
export type CreatedImport = z.infer<typeof CreatedImport>;

/** What `getImport` returns: the job, and a short-lived link to its errors CSV once there is one. */
export const ImportView = ImportJob.extend({
  errorsCsv: z.object({ url: z.string(), expiresAt: z.string(), errors: count }).nullable(),
});
export type ImportView = z.infer<typeof ImportView>;

/** A request the import cannot take, naming the field and the reason (the API answers 400, or 413 for `body`). */
export class ImportRequestError extends Error {
  constructor(
    readonly field: string,
    readonly reason: string,
  ) {
    super(`${field}: ${reason}`);
    this.name = 'ImportRequestError';
  }
}

/** The key an import's file is uploaded to. */
export function uploadKeyFor(authorityId: string, importId: string, fileName: string): string {
  if (!AuthorityId.safeParse(authorityId).success || !IMPORT_ID.test(importId) || !FILE_NAME.test(fileName)) {
    throw new RangeError(`not a valid upload: ${authorityId}/${importId}/${fileName}`);
  }
  return `${UPLOAD_PREFIX}${authorityId}/${importId}/${fileName}`;
}

/** The authority, import and file an uploaded key belongs to, or null for a key the importer must not touch. */
export function parseUploadKey(key: string): { authorityId: string; importId: string; fileName: string } | null {
  const parts = key.split('/');
  if (parts.length !== 4 || `${parts[0]}/` !== UPLOAD_PREFIX) return null;
  const [, authorityId, importId, fileName] = parts as [string, string, string, string];
  if (!AuthorityId.safeParse(authorityId).success || !IMPORT_ID.test(importId) || !FILE_NAME.test(fileName)) return null;
  return { authorityId, importId, fileName };
}

/** Where a finished import's report lives. */
export const importReportKey = (authorityId: string, importId: string) => `${IMPORT_REPORT_PREFIX}${authorityId}/${importId}/report.json`;
/** Where an import's errors CSV lives (file, line, column, message). */
export const importErrorsKey = (authorityId: string, importId: string) => `${IMPORT_REPORT_PREFIX}${authorityId}/${importId}/errors.csv`;

export interface ImportClock {
  now?: () => Date;
}

/**
 * A new import id: sortable by time to the millisecond (two imports in the same second still list
 * newest first), unguessable enough not to collide.
 */
function newImportId(now: Date): string {
  return `${now.toISOString().replace(/[-:]/g, '')}-${randomUUID().slice(0, 8)}`;
}

function parseRequest<T>(schema: z.ZodType<T>, input: unknown): T {
  const parsed = schema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ImportRequestError(issue.path.join('.') || '(request)', issue.message);
  }
  return parsed.data;
}

const zeroCounts = (): TableCounts => ({ rows: 0, accepted: 0, rejected: 0, warned: 0, created: 0, updated: 0, unchanged: 0 });

function newJob(request: { authorityId: string; requestedBy: string; yearEnding?: string | undefined; collectionYear?: string | undefined }, files: readonly ImportFileRequest[], importId: string, now: Date): ImportJob {
  return {
    importId,
    authorityId: request.authorityId,
    requestedBy: request.requestedBy,
    createdAt: now.toISOString(),
    startedAt: null,
    finishedAt: null,
    status: 'pending',
    yearEnding: request.yearEnding ?? null,
    statedYear: request.collectionYear ?? null,
    collectionYear: null,
    files: files.map((f) => ({
      fileName: f.fileName, contentType: f.contentType, key: uploadKeyFor(request.authorityId, importId, f.fileName), uploaded: false,
      format: null, refused: null, encoding: null, delimiter: null, sheets: null, tables: {}, ...zeroCounts(),
    })),
    progress: { rows: 0 },
    tables: {},
    errorCount: 0,
    warningCount: 0,
    rules: [],
    errorsInCsv: 0,
    failure: null,
  };
}

/**
 * Records a pending import and returns a presigned upload for each of its files.
 * @example createImport(svc, { authorityId: 'barsetshire', requestedBy: 'qa.lead@example.org', files: [{ fileName: 'episodes.csv', contentType: 'text/csv' }] })
 */
export async function createImport(
  svc: ImportServices,
  input: CreateImportRequest,
  options: ImportClock & { linkSeconds?: number } = {},
): Promise<CreatedImport> {
  const request = parseRequest(CreateImportRequest, input);
  const now = options.now?.() ?? new Date();
  const linkSeconds = Math.min(options.linkSeconds ?? MAX_UPLOAD_LINK_SECONDS, MAX_UPLOAD_LINK_SECONDS);
  const job = newJob(request, request.files, newImportId(now), now);
  await svc.store.putImportJob(job.authorityId, job.importId, job, 0);
  const expiresAt = new Date(now.getTime() + linkSeconds * 1000).toISOString();
  const uploads = await Promise.all(
    job.files.map(async (f) => ({
      fileName: f.fileName, contentType: f.contentType, key: f.key, expiresAt,
      url: await svc.links.uploadUrl(f.key, { expiresInSeconds: linkSeconds, contentType: f.contentType }),
    })),
  );
  return { importId: job.importId, status: job.status, uploads };
}

/**
 * Imports one small file given as bytes (at most DIRECT_IMPORT_MAX_BYTES) at once, and returns the
 * finished import. The file is kept in the bucket under the same upload key as an uploaded one.
 */
export async function importDirect(svc: ImportServices, input: DirectImportRequest, options: ImportClock = {}): Promise<ImportView> {
  const request = parseRequest(DirectImportRequest, input);
  return runDirect(svc, { ...request, files: [{ fileName: request.fileName, contentType: request.contentType, body: request.body }] }, options);
}

/**
 * Imports several small files given as bytes as one import, at once: each at most
 * DIRECT_IMPORT_MAX_BYTES, together at most DIRECT_IMPORT_MAX_TOTAL_BYTES. Loaded in dependency order
 * (episodes before reviews), so the cross-row rules see them all, as an uploaded import's files.
 */
export async function importDirectFiles(svc: ImportServices, input: DirectImportFilesRequest, options: ImportClock = {}): Promise<ImportView> {
  return runDirect(svc, parseRequest(DirectImportFilesRequest, input), options);
}

async function runDirect(
  svc: ImportServices,
  request: { authorityId: string; requestedBy: string; yearEnding?: string | undefined; collectionYear?: string | undefined; files: { fileName: string; contentType: ImportContentType; body: Uint8Array }[] },
  options: ImportClock,
): Promise<ImportView> {
  const now = options.now ?? (() => new Date());
  const created = now();
  const job = newJob(request, request.files, newImportId(created), created);
  // Claimed as running before the bytes land, so the bucket's own notifications find nothing to do.
  for (const file of job.files) file.uploaded = true;
  job.status = 'running';
  job.startedAt = created.toISOString();
  const stored = await svc.store.putImportJob(job.authorityId, job.importId, job, 0);
  for (const [i, file] of request.files.entries()) await svc.objects.put(job.files[i]!.key, file.body, file.contentType);
  const finishedJob = await execute(svc, stored, now);
  return view(svc, finishedJob);
}

/**
 * The upload notification's work: marks the file arrived and, when every file of the import has,
 * runs the import. Returns the import as it then stands, or null for a key outside the upload
 * layout or an upload no import expects (nothing is read or written for those).
 */
export async function runUploadedImport(svc: ImportServices, key: string, options: ImportClock = {}): Promise<ImportJob | null> {
  const upload = parseUploadKey(key);
  if (!upload) return null;
  const now = options.now ?? (() => new Date());
  for (let attempt = 1; attempt <= 10; attempt += 1) {
    const current = await svc.store.getImportJob<ImportJob>(upload.authorityId, upload.importId);
    if (!current) return null;
    const job = ImportJob.parse(current.body);
    const file = job.files.find((f) => f.fileName === upload.fileName);
    if (!file || job.authorityId !== upload.authorityId) return null;
    // Already running or finished, or a repeated notification for this file: nothing to do.
    if (job.status !== 'pending' || file.uploaded) return job;
    file.uploaded = true;
    const ready = job.files.every((f) => f.uploaded);
    if (ready) {
      job.status = 'running';
      job.startedAt = now().toISOString();
    }
    let written: Versioned<ImportJob>;
    try {
      written = await svc.store.putImportJob(job.authorityId, job.importId, job, current.version);
    } catch (error) {
      // Another file's notification wrote first: read again and redo the change over its version.
      if (error instanceof VersionConflictError) continue;
      throw error;
    }
    return ready ? execute(svc, written, now) : job;
  }
  throw new Error(`import ${upload.importId}: gave up marking ${upload.fileName} arrived after 10 conflicting writes`);
}

/** An import's status, progress and counts, with a short-lived link to its errors CSV; null when the authority has no such import. */
export async function getImport(svc: ImportServices, authorityId: string, importId: string): Promise<ImportView | null> {
  if (!AuthorityId.safeParse(authorityId).success || !IMPORT_ID.test(importId)) return null;
  const stored = await svc.store.getImportJob<ImportJob>(authorityId, importId);
  return stored ? view(svc, ImportJob.parse(stored.body)) : null;
}

/** The authority's imports, newest first (without links). */
export async function listImports(svc: ImportServices, authorityId: string): Promise<ImportJob[]> {
  const jobs: ImportJob[] = [];
  for await (const item of svc.store.listImportJobs<ImportJob>(authorityId)) jobs.push(ImportJob.parse(item.body));
  return jobs.reverse();
}

/**
 * The first `limit` issues of an import, read from the start of its errors CSV as a stream and
 * stopped there (the file may hold 100,000); none when the import has no errors CSV.
 */
export async function firstImportErrors(svc: ImportServices, authorityId: string, importId: string, limit: number): Promise<ImportIssue[]> {
  if (limit <= 0 || !AuthorityId.safeParse(authorityId).success || !IMPORT_ID.test(importId)) return [];
  const stream = await svc.links.getStream(importErrorsKey(authorityId, importId));
  if (!stream) return [];
  const issues: ImportIssue[] = [];
  const rows = parse({ columns: true, bom: true, to: limit });
  // pipe() does not pass a failed read on: without this a broken download would leave the loop waiting.
  stream.on('error', (error) => rows.destroy(error));
  try {
    for await (const row of stream.pipe(rows) as AsyncIterable<Record<string, string>>) {
      issues.push(issueFromCsvRow(row));
      if (issues.length >= limit) break;
    }
  } finally {
    stream.destroy();
  }
  return issues;
}

async function view(svc: ImportServices, job: ImportJob): Promise<ImportView> {
  if (job.errorsInCsv === 0 || (job.status !== 'done' && job.status !== 'failed')) return { ...job, errorsCsv: null };
  const expiresAt = new Date(Date.now() + MAX_DOWNLOAD_LINK_SECONDS * 1000).toISOString();
  const url = await svc.links.downloadUrl(importErrorsKey(job.authorityId, job.importId), {
    expiresInSeconds: MAX_DOWNLOAD_LINK_SECONDS,
    fileName: `import-${job.importId}-errors.csv`,
  });
  return { ...job, errorsCsv: { url, expiresAt, errors: job.errorsInCsv } };
}

/** Runs a claimed (running) import to done or failed, writing progress as it goes. */
async function execute(svc: ImportServices, claimed: Versioned<ImportJob>, now: () => Date): Promise<ImportJob> {
  const job = structuredClone(claimed.body);
  let version = claimed.version;
  const save = async () => {
    version = (await svc.store.putImportJob(job.authorityId, job.importId, job, version)).version;
  };
  // Progress is written by one save at a time (writes overlap, so progress is reported from several);
  // a failed progress write is not a failed import: the final save says how it ended.
  let saving: Promise<void> | null = null;
  const saveFinal = () => overwriteJob(svc, job, version);
  const dir = await mkdtemp(join(tmpdir(), 'iro-import-'));
  const errorsPath = join(dir, 'errors.csv');
  // Held (at most MAX_ERRORS_IN_CSV) and written in file order at the end: judging finds them child by child.
  const issues: ImportIssue[] = [];
  let lastSaved = performance.now();
  try {
    const sources: ImportSource[] = job.files.map((f) => ({
      name: f.fileName,
      open: async () => {
        const stream = await svc.links.getStream(f.key);
        if (!stream) throw new Error(`the upload ${f.key} is not in the bucket`);
        return stream;
      },
    }));
    const report = await loadSources(svc.store, sources, {
      authorityId: job.authorityId,
      context: { ...(job.yearEnding ? { yearEnding: job.yearEnding } : {}), ...(job.statedYear ? { collectionYear: job.statedYear } : {}) },
      maxErrorsKept: 0,
      onIssue: (issue: ImportIssue) => {
        if (issue.severity === 'warning') job.warningCount += 1;
        else job.errorCount += 1;
        if (job.errorsInCsv < MAX_ERRORS_IN_CSV) {
          job.errorsInCsv += 1;
          issues.push(issue);
        }
      },
      onProgress: ({ phase, rows, totalRows }) => {
        job.progress = phase === 'reading' ? { rows: Math.max(job.progress.rows, totalRows), phase } : { rows, phase, of: totalRows };
        if (saving || performance.now() - lastSaved < PROGRESS_EVERY_MS) return;
        lastSaved = performance.now();
        saving = save()
          .catch(() => undefined)
          .finally(() => {
            saving = null;
          });
      },
    });
    applyReport(job, report.files);
    job.collectionYear = report.year;
    job.rules = report.rules;
    job.status = 'done';
  } catch (error) {
    job.status = 'failed';
    job.failure = (error as Error).message;
  }
  await saving;
  try {
    if (issues.length > 0) await writeIssuesCsv(errorsPath, inFileOrder(issues, job.files.map((f) => f.fileName)));
    if (job.errorsInCsv > 0) await svc.objects.put(importErrorsKey(job.authorityId, job.importId), await readFile(errorsPath), 'text/csv; charset=utf-8');
    job.finishedAt = now().toISOString();
    await svc.objects.put(importReportKey(job.authorityId, job.importId), JSON.stringify(job, null, 2), 'application/json');
    await saveFinal();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  return job;
}

/** An import's last word over whatever version is stored: this runner owns the job once it has claimed it. */
async function overwriteJob(svc: ImportServices, job: ImportJob, version: number): Promise<void> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      await svc.store.putImportJob(job.authorityId, job.importId, job, version);
      return;
    } catch (error) {
      if (!(error instanceof VersionConflictError) || attempt >= 5) throw error;
      version = (await svc.store.getImportJob(job.authorityId, job.importId))?.version ?? 0;
    }
  }
}

/** A message kept in the job's record, cut short: the record is one table item, which has a size limit. */
const capped = (message: string, limit = 2_000) => (message.length <= limit ? message : `${message.slice(0, limit)}… (cut short)`);

/** The loader's per-file reports into the job: counts per file, and per table over all files. */
function applyReport(job: ImportJob, files: readonly FileReport[]): void {
  job.tables = {};
  for (const report of files) {
    const file = job.files.find((f) => f.fileName === report.file);
    if (!file) continue;
    Object.assign(file, {
      format: report.format, refused: report.refused === undefined ? null : capped(report.refused), tables: report.tables,
      encoding: report.encoding ?? null, delimiter: report.delimiter ?? null,
      sheets: report.sheets?.map((sheet) => ({ ...sheet, ...(sheet.note ? { note: capped(sheet.note) } : {}) })) ?? null,
      rows: report.rows, accepted: report.accepted, rejected: report.rejected, warned: report.warned,
      created: report.created, updated: report.updated, unchanged: report.unchanged,
    });
    for (const [table, counts] of Object.entries(report.tables)) {
      const total = (job.tables[table] ??= zeroCounts());
      for (const k of Object.keys(total) as (keyof TableCounts)[]) total[k] += counts[k];
    }
  }
}
