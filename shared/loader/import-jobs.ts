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
 * Every import holds a lease on its item while it waits for its files (until the upload links
 * expire, and a grace period) and while it runs (renewed by a heartbeat): an import whose process
 * stopped is found by recovery and marked failed with the reason (`recoverImport`), and a QA lead
 * may try a failed one again (`tryImportAgain`): a new import over the same files, the failed one
 * kept as it was. What the item holds is bounded (`boundedJob`), so no input can grow it past
 * DynamoDB's 400 KB item limit.
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
import { AppError } from '#errors';
import { join } from 'node:path';
import { parse } from 'csv-parse';
import * as z from 'zod';
import { IsoDate } from '#domain/dates';
import { AuthorityId } from '#domain/records';
import { Heartbeat } from '#jobs/heartbeat';
import {
  Lease,
  LeaseLostError,
  UPLOADS_HOLDER,
  leasePolicy,
  newLease,
  renewed,
  staleness,
  type LeasePolicy,
} from '#jobs/lease';
import { MAX_NOTE_CHARS, MAX_REASON_CHARS, boundedMessage, listSome, reasonOf } from '#jobs/messages';
import {
  MAX_DOWNLOAD_LINK_SECONDS,
  MAX_UPLOAD_LINK_SECONDS,
  copyObject,
  type ObjectLinks,
  type ObjectStore,
} from '#store/object-store';
import { VersionConflictError, type RecordStore, type Versioned } from '#store/record-store';
import { withRetry, type RetryOptions } from '#store/retry';
import { loadSources } from './load.ts';
import { CollectionYear, parseCollectionYear } from '#domain/collection-year';
import { ImportIssue, inFileOrder, issueFromCsvRow, RuleCount, writeIssuesCsv } from './issues.ts';
import type { FileReport, TableCounts } from './run.ts';
import type { ImportSource } from './sources.ts';

export interface ImportServices {
  store: RecordStore;
  objects: ObjectStore;
  links: ObjectLinks;
  /** How long a running import's lease lasts and how often it is renewed (IRO_LEASE_SECONDS when absent). */
  leases?: LeasePolicy;
  /**
   * How the import's writes of its own item ride out transient faults (throttling, 5xx): withRetry's
   * defaults when absent. A write lost to a throttled minute would leave the import running for
   * recovery to find; a write tried again after it was applied meets its own version, which each
   * writer here reads again.
   */
  retry?: RetryOptions;
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
/** How long after its upload links expire a pending import waits for its files before recovery marks it failed (an upload that began in time may still be arriving). */
export const UPLOAD_GRACE_MS = 15 * 60_000;
/** The most an import job's item may hold, as JSON: DynamoDB's item limit is 400 KB, and the item's keys and attributes need room too. */
export const MAX_JOB_ITEM_BYTES = 300_000;
/** Entries kept in an import's trail (the oldest give way). */
export const MAX_IMPORT_TRAIL = 20;
/** A pending import's lease names no run: nobody works on it until its files are in. */
const AWAITING_UPLOADS = 'awaiting-uploads';

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
  .regex(
    FILE_NAME,
    'must be 1–200 letters, digits, spaces, ".", "_", "-" or brackets, starting with a letter or digit',
  );
const ContentType = z.enum(Object.keys(IMPORT_CONTENT_TYPES) as [ImportContentType, ...ImportContentType[]]);
/** The 31 March an SSDA903 return is for (OC2 and OC3 rows carry no year). */
export const YearEnding = IsoDate.refine((d) => d.endsWith('-03-31'), {
  message: 'must be a 31 March written YYYY-03-31',
});

/**
 * The collection year a QA lead says a return is for, as they write it: `2025-26`, `2025/26` or the
 * 31 March it ends; blank or absent: inferred from the data.
 */
export const StatedCollectionYear = z
  .string()
  .transform((text, ctx) => {
    const year = parseCollectionYear(text);
    if (!year) {
      ctx.addIssue({
        code: 'custom',
        message: 'must be a collection year written like 2025-26 (1 April 2025 to 31 March 2026)',
      });
      return z.NEVER;
    }
    return year;
  })
  .pipe(CollectionYear)
  .describe('the SSDA903 collection year the files are for, e.g. 2025-26; inferred from the data when absent');

/** A file's name ends with the extension of its content type. */
const EXTENSION_MATCHES: [
  (f: { fileName: string; contentType: ImportContentType }) => boolean,
  { message: string; path: string[] },
] = [
  (f) => IMPORT_CONTENT_TYPES[f.contentType].some((ext) => f.fileName.toLowerCase().endsWith(ext)),
  {
    message: 'the file name must end with the extension of its content type (.csv, .xml or .xlsx)',
    path: ['fileName'],
  },
];

/** The files of one import: at least one, at most MAX_FILES_PER_IMPORT, each name once. */
const filesOfOneImport = <T extends z.ZodType<{ fileName: string }>>(file: T, atLeastOne: string) =>
  z
    .array(file)
    .min(1, atLeastOne)
    .max(MAX_FILES_PER_IMPORT, `at most ${MAX_FILES_PER_IMPORT} files per import`)
    .refine((files) => new Set(files.map((f) => f.fileName)).size === files.length, {
      message: 'each file name may appear once',
    });

/** One file an import will receive. */
export const ImportFileRequest = z
  .object({ fileName: ImportFileName, contentType: ContentType })
  .refine(...EXTENSION_MATCHES);
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

const DirectFile = z
  .object({ fileName: ImportFileName, contentType: ContentType, body: DirectImportRequest.shape.body })
  .refine(...EXTENSION_MATCHES);

/** Input of `importDirectFiles`: several small files as bytes, imported together as one import (one report, loaded in dependency order). */
export const DirectImportFilesRequest = z.object({
  authorityId: AuthorityId,
  requestedBy: z.string().trim().min(1).max(200),
  files: filesOfOneImport(DirectFile, 'send at least one file').refine(
    (files) => files.reduce((n, f) => n + f.body.byteLength, 0) <= DIRECT_IMPORT_MAX_TOTAL_BYTES,
    {
      message: `files sent together may come to at most ${DIRECT_IMPORT_MAX_TOTAL_BYTES / 1024 / 1024} MiB: upload larger sets through upload links`,
    },
  ),
  yearEnding: YearEnding.optional(),
  collectionYear: StatedCollectionYear.optional(),
});
export type DirectImportFilesRequest = z.infer<typeof DirectImportFilesRequest>;

export const ImportStatus = z.enum(['pending', 'running', 'done', 'failed']);
export type ImportStatus = z.infer<typeof ImportStatus>;

const count = z.number().int().min(0);
export const TableCountsSchema = z.object({
  rows: count,
  accepted: count,
  rejected: count,
  /** Rows imported with a warning (imports recorded before warnings existed have none). */
  warned: count.default(0),
  created: count,
  updated: count,
  unchanged: count,
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
  sheets: z
    .array(z.object({ name: z.string(), format: z.string().nullable(), note: z.string().optional() }))
    .nullable()
    .default(null),
  tables: z.record(z.string(), TableCountsSchema),
});
export type ImportFileState = z.infer<typeof ImportFileState>;

/** One entry of an import's trail: who did what, when (the import was tried again, recovered). */
export const ImportTrailEntry = z.object({ at: z.string(), actor: z.string(), action: z.string(), detail: z.string() });
export type ImportTrailEntry = z.infer<typeof ImportTrailEntry>;

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
  collectionYear: z
    .object({ year: CollectionYear, how: z.enum(['stated', 'inferred']), reason: z.string(), rulesOf: CollectionYear })
    .nullable()
    .default(null),
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
  /** The lease of whoever has the import in hand: its run while running, the upload deadline while pending; null once finished. */
  lease: Lease.nullable().default(null),
  /** The failed import this one tries again, over the same files. */
  retryOf: z.string().nullable().default(null),
  /** The import that tried this one again, once a QA lead has. */
  retriedAs: z.string().nullable().default(null),
  /** Who tried it again, and what recovery did, oldest first (at most MAX_IMPORT_TRAIL). */
  trail: z.array(ImportTrailEntry).default([]),
});
export type ImportJob = z.infer<typeof ImportJob>;

/** What `createImport` returns: where to send each file, and until when. */
export const CreatedImport = z.object({
  importId: ImportId,
  status: ImportStatus,
  uploads: z.array(
    z.object({
      fileName: ImportFileName,
      contentType: ContentType,
      key: z.string(),
      url: z.string(),
      expiresAt: z.string(),
    }),
  ),
});
export type CreatedImport = z.infer<typeof CreatedImport>;

/** What `getImport` returns: the job, and a short-lived link to its errors CSV once there is one. */
export const ImportView = ImportJob.extend({
  errorsCsv: z.object({ url: z.string(), expiresAt: z.string(), errors: count }).nullable(),
});
export type ImportView = z.infer<typeof ImportView>;

/** A request the import cannot take, naming the field and the reason (the API answers 400, or 413 for `body`). */
export class ImportRequestError extends AppError {
  constructor(
    readonly field: string,
    readonly reason: string,
  ) {
    super('invalid', `${field}: ${reason}`, { name: 'ImportRequestError', fields: [{ field, message: reason }] });
  }
}

/** The import is not in a state that allows what was asked (the API answers 409). */
export class ImportStateError extends AppError {
  constructor(message: string) {
    super('conflict', message, { name: 'ImportStateError' });
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
  if (!AuthorityId.safeParse(authorityId).success || !IMPORT_ID.test(importId) || !FILE_NAME.test(fileName))
    return null;
  return { authorityId, importId, fileName };
}

/** Where a finished import's report lives. */
export const importReportKey = (authorityId: string, importId: string) =>
  `${IMPORT_REPORT_PREFIX}${authorityId}/${importId}/report.json`;
/** Where an import's errors CSV lives (file, line, column, message). */
export const importErrorsKey = (authorityId: string, importId: string) =>
  `${IMPORT_REPORT_PREFIX}${authorityId}/${importId}/errors.csv`;

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

const zeroCounts = (): TableCounts => ({
  rows: 0,
  accepted: 0,
  rejected: 0,
  warned: 0,
  created: 0,
  updated: 0,
  unchanged: 0,
});

function newJob(
  request: {
    authorityId: string;
    requestedBy: string;
    yearEnding?: string | undefined;
    collectionYear?: string | undefined;
  },
  files: readonly ImportFileRequest[],
  importId: string,
  now: Date,
): ImportJob {
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
      fileName: f.fileName,
      contentType: f.contentType,
      key: uploadKeyFor(request.authorityId, importId, f.fileName),
      uploaded: false,
      format: null,
      refused: null,
      encoding: null,
      delimiter: null,
      sheets: null,
      tables: {},
      ...zeroCounts(),
    })),
    progress: { rows: 0 },
    tables: {},
    errorCount: 0,
    warningCount: 0,
    rules: [],
    errorsInCsv: 0,
    failure: null,
    lease: null,
    retryOf: null,
    retriedAs: null,
    trail: [],
  };
}

const leasesOf = (svc: Pick<ImportServices, 'leases'>) => svc.leases ?? leasePolicy();

/** The lease of a pending import: nobody's, until its files should all be in (the links' life and a grace period). */
function uploadsLease(now: Date, linkSeconds: number): Lease {
  return newLease(
    AWAITING_UPLOADS,
    { durationMs: linkSeconds * 1000 + UPLOAD_GRACE_MS, heartbeatMs: 0, holder: UPLOADS_HOLDER },
    now,
  );
}

/** A trail entry, bounded, and the trail with it (the oldest give way past MAX_IMPORT_TRAIL). */
function withTrail(job: ImportJob, at: Date, actor: string, action: string, detail: string): ImportTrailEntry[] {
  const entry = {
    at: at.toISOString(),
    actor: boundedMessage(actor, 200),
    action,
    detail: boundedMessage(detail, MAX_REASON_CHARS),
  };
  return [...job.trail, entry].slice(-MAX_IMPORT_TRAIL);
}

/**
 * The job as it may be stored: every message bounded (failure, refusals, notes), and, should the
 * whole still come to more than MAX_JOB_ITEM_BYTES (a workbook of thousands of sheets, say), the
 * longest lists cut, saying how much was left out. The counts are never cut.
 */
export function boundedJob(job: ImportJob): ImportJob {
  const bounded: ImportJob = {
    ...job,
    failure: job.failure === null ? null : boundedMessage(job.failure, MAX_REASON_CHARS),
    files: job.files.map((f) => ({
      ...f,
      refused: f.refused === null ? null : boundedMessage(f.refused, MAX_NOTE_CHARS),
      sheets:
        f.sheets
          ?.slice(0, 50)
          .map((sheet) => ({
            ...sheet,
            name: boundedMessage(sheet.name, 100),
            ...(sheet.note ? { note: boundedMessage(sheet.note, 500) } : {}),
          })) ?? null,
    })),
    trail: job.trail.slice(-MAX_IMPORT_TRAIL),
  };
  const size = () => Buffer.byteLength(JSON.stringify(bounded));
  if (size() <= MAX_JOB_ITEM_BYTES) return bounded;
  const rulesLeftOut = Math.max(0, bounded.rules.length - 20);
  bounded.rules = bounded.rules
    .slice(0, 20)
    .map((r) => ({ ...r, meaning: boundedMessage(r.meaning, 300), tables: r.tables.slice(0, 20) }));
  bounded.files = bounded.files.map((f) => ({
    ...f,
    sheets: f.sheets?.slice(0, 5) ?? null,
    refused: f.refused === null ? null : boundedMessage(f.refused, 300),
  }));
  if (rulesLeftOut > 0)
    bounded.trail = [
      ...bounded.trail,
      {
        at: job.finishedAt ?? job.createdAt,
        actor: 'system',
        action: 'cut-short',
        detail: `${rulesLeftOut} more rules with problems are counted in the problems CSV, not listed here`,
      },
    ].slice(-MAX_IMPORT_TRAIL);
  return bounded;
}

/** Writes the job, bounded, over `version` (0: new), riding out transient faults; listed for recovery while it holds a lease. */
function putJob(
  svc: Pick<ImportServices, 'store' | 'retry'>,
  job: ImportJob,
  version: number,
): Promise<Versioned<ImportJob>> {
  const bounded = boundedJob(job);
  return withRetry(
    () => svc.store.putImportJob(job.authorityId, job.importId, bounded, version, { leased: job.lease !== null }),
    svc.retry,
  );
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
  // Watched from the start: should the files never all arrive, recovery marks it failed once the links have expired.
  job.lease = uploadsLease(now, linkSeconds);
  await putJob(svc, job, 0);
  const expiresAt = new Date(now.getTime() + linkSeconds * 1000).toISOString();
  const uploads = await Promise.all(
    job.files.map(async (f) => ({
      fileName: f.fileName,
      contentType: f.contentType,
      key: f.key,
      expiresAt,
      url: await svc.links.uploadUrl(f.key, { expiresInSeconds: linkSeconds, contentType: f.contentType }),
    })),
  );
  return { importId: job.importId, status: job.status, uploads };
}

/**
 * Imports one small file given as bytes (at most DIRECT_IMPORT_MAX_BYTES) at once, and returns the
 * finished import. The file is kept in the bucket under the same upload key as an uploaded one.
 */
export async function importDirect(
  svc: ImportServices,
  input: DirectImportRequest,
  options: ImportClock = {},
): Promise<ImportView> {
  const request = parseRequest(DirectImportRequest, input);
  return runDirect(
    svc,
    { ...request, files: [{ fileName: request.fileName, contentType: request.contentType, body: request.body }] },
    options,
  );
}

/**
 * Imports several small files given as bytes as one import, at once: each at most
 * DIRECT_IMPORT_MAX_BYTES, together at most DIRECT_IMPORT_MAX_TOTAL_BYTES. Loaded in dependency order
 * (episodes before reviews), so the cross-row rules see them all, as an uploaded import's files.
 */
export async function importDirectFiles(
  svc: ImportServices,
  input: DirectImportFilesRequest,
  options: ImportClock = {},
): Promise<ImportView> {
  return runDirect(svc, parseRequest(DirectImportFilesRequest, input), options);
}

async function runDirect(
  svc: ImportServices,
  request: {
    authorityId: string;
    requestedBy: string;
    yearEnding?: string | undefined;
    collectionYear?: string | undefined;
    files: { fileName: string; contentType: ImportContentType; body: Uint8Array }[];
  },
  options: ImportClock,
): Promise<ImportView> {
  const now = options.now ?? (() => new Date());
  const created = now();
  const job = newJob(request, request.files, newImportId(created), created);
  // Claimed as running before the bytes land, so the bucket's own notifications find nothing to do.
  for (const file of job.files) file.uploaded = true;
  job.status = 'running';
  job.startedAt = created.toISOString();
  job.lease = newLease(`import-${randomUUID()}`, leasesOf(svc), created);
  const stored = await putJob(svc, job, 0);
  for (const [i, file] of request.files.entries()) {
    try {
      await svc.objects.put(job.files[i]!.key, file.body, file.contentType);
    } catch (error) {
      // Not left running for recovery to find: nothing was read yet, and the import says why at once.
      const failed: ImportJob = {
        ...job,
        status: 'failed',
        finishedAt: now().toISOString(),
        lease: null,
        // Only the files stored count as arrived: trying this import again would find nothing to read.
        files: job.files.map((f, j) => ({ ...f, uploaded: j < i })),
        failure: `the file ${file.fileName} could not be stored in the bucket (${reasonOf(error, 300)}); nothing was imported: send ${request.files.length > 1 ? 'the files' : 'it'} again`,
      };
      await putJob(svc, failed, stored.version);
      return view(svc, boundedJob(failed));
    }
  }
  const finishedJob = await execute(svc, stored, now);
  return view(svc, finishedJob);
}

/**
 * The upload notification's work: marks the file arrived and, when every file of the import has,
 * runs the import. Returns the import as it then stands, or null for a key outside the upload
 * layout or an upload no import expects (nothing is read or written for those).
 */
export async function runUploadedImport(
  svc: ImportServices,
  key: string,
  options: ImportClock = {},
): Promise<ImportJob | null> {
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
      // The run's own lease from the write that wins the run: it is watched from its first moment.
      job.lease = newLease(`import-${randomUUID()}`, leasesOf(svc), now());
    }
    let written: Versioned<ImportJob>;
    try {
      written = await putJob(svc, job, current.version);
    } catch (error) {
      // Another file's notification wrote first: read again and redo the change over its version.
      if (error instanceof VersionConflictError) continue;
      throw error;
    }
    return ready ? execute(svc, written, now) : job;
  }
  throw new Error(`import ${upload.importId}: gave up marking ${upload.fileName} arrived after 10 conflicting writes`);
}

/** Whether the import's run (or its wait for uploads) has stopped: working, with no lease or a stale one. */
function stopped(job: ImportJob, now: Date): boolean {
  return (job.status === 'running' || job.status === 'pending') && (!job.lease || staleness(job.lease, now).stale);
}

/** The reason a stopped import is marked failed with, in plain words. */
function stoppedReason(job: ImportJob, now: Date): string {
  const why = job.lease ? (staleness(job.lease, now) as { why?: string }).why : undefined;
  if (job.status === 'pending') {
    const missing = job.files.filter((f) => !f.uploaded).map((f) => f.fileName);
    return `not every file arrived before the upload links expired (missing ${listSome(missing, 5)}): start a new import with all the files`;
  }
  return `the import stopped before it finished (${why ?? 'its process stopped'}); rows it had saved stay saved: try again to run it from the start, and rows already saved come out unchanged`;
}

/** What recovery did with one import's lease. */
export type ImportRecovery =
  { outcome: 'failed' | 'released'; job: ImportJob; why: string } | { outcome: 'live' } | { outcome: 'gone' };

/**
 * Ends an import whose lease is stale, with the reason: a run whose process stopped, or an import
 * whose files did not all arrive before its upload links expired. A run that had finished but whose
 * last write to the table was lost (its process killed just then, or the table throttling it) saved
 * its report to the bucket just before: given `objects`, the import ends as that report says. Other
 * running imports are marked failed, not run again by themselves: judging reads the whole import at
 * once, so there is no point to resume from, and what stopped one run (a file that exhausts the
 * memory, say) would most likely stop the next, over and over; the QA lead decides, and
 * `tryImportAgain` runs it from the start over the same files (rows already saved come out
 * unchanged). A finished import still holding a lease gives it up.
 * Conditional on the version read: of two recoveries only one writes.
 */
export async function recoverImport(
  svc: Pick<ImportServices, 'store' | 'retry'> & { objects?: ObjectStore },
  authorityId: string,
  importId: string,
  options: ImportClock = {},
): Promise<ImportRecovery> {
  const now = options.now?.() ?? new Date();
  const stored = await svc.store.getImportJob<unknown>(authorityId, importId);
  if (!stored) return { outcome: 'gone' };
  let job = ImportJob.parse(stored.body);
  if (!job.lease) return { outcome: 'gone' };
  const stale = staleness(job.lease, now);
  if (!stale.stale) return { outcome: 'live' };
  let outcome: 'failed' | 'released' = 'released';
  let why: string = stale.why;
  const reported = job.status === 'running' && svc.objects ? await reportedEnd(svc.objects, job) : null;
  if (reported) {
    why = `it had finished (${reported.status}), but its final status was not saved to the table (${stale.why}); taken from its report`;
    job = { ...reported, retriedAs: job.retriedAs, trail: withTrail(reported, now, 'system', 'recovered', why) };
  } else if (job.status === 'running' || job.status === 'pending') {
    outcome = 'failed';
    job.failure = stoppedReason(job, now);
    job.status = 'failed';
    job.finishedAt = now.toISOString();
    job.trail = withTrail(job, now, 'system', 'recovered', job.failure);
  }
  job.lease = null;
  try {
    await putJob(svc, job, stored.version);
  } catch (error) {
    // Another recovery, or the run itself, wrote first: theirs stands.
    if (error instanceof VersionConflictError) return { outcome: 'live' };
    throw error;
  }
  return { outcome, job: boundedJob(job), why };
}

/**
 * How a run that stopped before its last write to the table ended, as the report it saved to the
 * bucket just before says (an import id runs once, so a report is this run's); null without one.
 */
async function reportedEnd(objects: ObjectStore, job: ImportJob): Promise<ImportJob | null> {
  const bytes = await objects.get(importReportKey(job.authorityId, job.importId));
  if (!bytes) return null;
  let parsed: ReturnType<typeof ImportJob.safeParse>;
  try {
    parsed = ImportJob.safeParse(JSON.parse(new TextDecoder().decode(bytes)));
  } catch {
    return null;
  }
  if (!parsed.success) return null;
  const report = parsed.data;
  const ended = report.status === 'done' || report.status === 'failed';
  return ended && report.importId === job.importId && report.authorityId === job.authorityId ? report : null;
}

/**
 * Why a QA lead may not try the import again, in their words; null when they may: it failed (or
 * stopped), every file arrived, and it has not been tried again already. The one statement of the
 * rule: the buttons, the API's 409 and `tryImportAgain` all read it.
 */
export function whyNotTriable(job: ImportJob, now: Date = new Date()): string | null {
  if (job.retriedAs !== null)
    return `import ${job.importId} has already been tried again, as import ${job.retriedAs}: if that one fails too, try that one again`;
  if (job.status !== 'failed' && !stopped(job, now)) {
    const state =
      job.status === 'done' ? 'done' : job.status === 'running' ? 'still running' : 'still waiting for its files';
    return `import ${job.importId} has not failed: it is ${state}. Only a failed import can be tried again`;
  }
  const missing = job.files.filter((f) => !f.uploaded).map((f) => f.fileName);
  if (missing.length > 0) {
    return `import ${job.importId} cannot be tried again: not every file arrived (missing ${listSome(missing, 5)}), so there is nothing to run it over. Start a new import with all the files`;
  }
  return null;
}

/** Whether a QA lead may try the import again (see `whyNotTriable`). */
export function mayTryImportAgain(job: ImportJob, now: Date = new Date()): boolean {
  return whyNotTriable(job, now) === null;
}

/**
 * Tries a failed import again: a new import (returned, pending) over the same files, which are
 * copied to its own upload keys, so each copy notifies the importer as an upload does and the last
 * runs it. The failed import is kept as it was, with a link to the new one and the trail saying who
 * tried again; its report and problems CSV stay. An import that stopped without a word is first
 * marked failed, saying so. Refused (ImportStateError) for an import still running, one already
 * tried again, or one whose files did not all arrive (there is nothing to run it over).
 */
export async function tryImportAgain(
  svc: ImportServices,
  authorityId: string,
  importId: string,
  actor: string,
  options: ImportClock = {},
): Promise<ImportJob> {
  const now = options.now ?? (() => new Date());
  const stored = await svc.store.getImportJob<unknown>(authorityId, importId);
  if (!stored) throw new ImportStateError(`no import ${importId}`);
  const old = ImportJob.parse(stored.body);
  const at = now();
  const refusal = whyNotTriable(old, at);
  if (refusal) throw new ImportStateError(refusal);

  const job = newJob(
    {
      authorityId,
      requestedBy: actor,
      ...(old.yearEnding ? { yearEnding: old.yearEnding } : {}),
      ...(old.statedYear ? { collectionYear: old.statedYear } : {}),
    },
    old.files.map((f) => ({ fileName: f.fileName, contentType: f.contentType })),
    newImportId(at),
    at,
  );
  job.retryOf = old.importId;
  job.trail = withTrail(
    job,
    at,
    actor,
    'try-again',
    `of import ${old.importId}${old.failure ? `, which failed: ${old.failure}` : ''}`,
  );
  // Watched while the copies land, as a pending import is while its files are uploaded.
  job.lease = uploadsLease(at, 0);

  // The failed import first, conditionally: of two clicks only one tries it again.
  if (old.status !== 'failed') {
    old.failure = stoppedReason(old, at);
    old.status = 'failed';
    old.finishedAt = at.toISOString();
  }
  old.lease = null;
  old.retriedAs = job.importId;
  old.trail = withTrail(old, at, actor, 'try-again', `as import ${job.importId}`);
  try {
    await putJob(svc, old, stored.version);
  } catch (error) {
    if (error instanceof VersionConflictError)
      throw new ImportStateError(`import ${importId} changed while it was being tried again: look at it again`);
    throw error;
  }
  const created = await putJob(svc, job, 0);
  try {
    for (const [i, file] of old.files.entries())
      await copyObject(svc.objects, file.key, job.files[i]!.key, file.contentType);
  } catch (error) {
    // Not a dead end: the new import is marked failed, and the old one may be tried again later.
    const reason = `its files could not be copied from import ${old.importId} (${reasonOf(error, 300)})`;
    await putJob(
      svc,
      { ...job, status: 'failed', failure: reason, finishedAt: now().toISOString(), lease: null },
      created.version,
    ).catch(() => undefined);
    const current = await svc.store.getImportJob<unknown>(authorityId, importId);
    if (current)
      await putJob(svc, { ...ImportJob.parse(current.body), retriedAs: null }, current.version).catch(() => undefined);
    throw new ImportStateError(
      `import ${importId} could not be tried again: ${reason}. Nothing was lost: try again later`,
    );
  }
  return job;
}

/** An import's status, progress and counts, with a short-lived link to its errors CSV; null when the authority has no such import. */
export async function getImport(
  svc: ImportServices,
  authorityId: string,
  importId: string,
): Promise<ImportView | null> {
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
export async function firstImportErrors(
  svc: ImportServices,
  authorityId: string,
  importId: string,
  limit: number,
): Promise<ImportIssue[]> {
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

/**
 * Writes one run's import job: one write at a time, each over the version it last wrote, renewing
 * the run's lease as it goes. A write that finds another version reads the job again: while the run
 * still holds the lease it writes over that version; once another has taken it (recovery found the
 * run stopped), it throws LeaseLostError and writes nothing.
 */
class ImportJobWriter {
  private last: Promise<unknown> = Promise.resolve();
  private readonly owner: string | null;

  constructor(
    private readonly svc: ImportServices,
    private readonly job: ImportJob,
    private version: number,
    private readonly now: () => Date,
  ) {
    this.owner = job.lease?.owner ?? null;
  }

  /** Writes the job as it stands now (after any write under way). */
  write(): Promise<void> {
    const next = this.last.then(() => this.writeNow());
    this.last = next.catch(() => undefined);
    return next;
  }

  private async writeNow(): Promise<void> {
    if (this.job.lease) this.job.lease = renewed(this.job.lease, leasesOf(this.svc), this.now());
    for (let attempt = 1; ; attempt += 1) {
      try {
        this.version = (await putJob(this.svc, this.job, this.version)).version;
        return;
      } catch (error) {
        if (!(error instanceof VersionConflictError) || attempt >= 5) throw error;
        const stored = await this.svc.store.getImportJob<unknown>(this.job.authorityId, this.job.importId);
        const holder = stored ? ImportJob.parse(stored.body).lease : null;
        if (this.owner === null || holder?.owner !== this.owner)
          throw new LeaseLostError(`import ${this.job.importId}`, this.owner ?? '(none)', holder);
        this.version = stored!.version;
      }
    }
  }
}

/**
 * Runs a claimed (running) import to done or failed, writing progress as it goes and renewing its
 * lease (a heartbeat) so recovery knows it is alive. Whatever goes wrong ends in a last write saying
 * so; should even that fail, the lease runs out and recovery marks the import failed.
 */
async function execute(svc: ImportServices, claimed: Versioned<ImportJob>, now: () => Date): Promise<ImportJob> {
  const job = structuredClone(claimed.body);
  const writer = new ImportJobWriter(svc, job, claimed.version, now);
  const beat = new Heartbeat(() => writer.write(), leasesOf(svc).heartbeatMs).start();
  const dir = await mkdtemp(join(tmpdir(), 'iro-import-'));
  const errorsPath = join(dir, 'errors.csv');
  // Held (at most MAX_ERRORS_IN_CSV) and written in file order at the end: judging finds them child by child.
  const issues: ImportIssue[] = [];
  let lastSaved = performance.now();
  try {
    try {
      const sources: ImportSource[] = job.files.map((f) => ({
        name: f.fileName,
        open: async () => {
          let stream: Awaited<ReturnType<ObjectLinks['getStream']>>;
          try {
            stream = await svc.links.getStream(f.key);
          } catch (error) {
            // The bucket's own words ("We encountered an internal error") do not say what could not be done.
            throw new Error(`the upload ${f.fileName} could not be read from the bucket: ${reasonOf(error, 300)}`);
          }
          if (!stream) throw new Error(`the upload ${f.key} is not in the bucket`);
          return stream;
        },
      }));
      const report = await loadSources(svc.store, sources, {
        authorityId: job.authorityId,
        context: {
          ...(job.yearEnding ? { yearEnding: job.yearEnding } : {}),
          ...(job.statedYear ? { collectionYear: job.statedYear } : {}),
        },
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
          // Taken over: stop here, rather than write rows the run that took it may be writing too.
          beat.assertHeld();
          job.progress =
            phase === 'reading'
              ? { rows: Math.max(job.progress.rows, totalRows), phase }
              : { rows, phase, of: totalRows };
          if (performance.now() - lastSaved < PROGRESS_EVERY_MS) return;
          lastSaved = performance.now();
          // A failed progress write is not a failed import: the last write says how it ended.
          writer.write().catch(() => undefined);
        },
      });
      applyReport(job, report.files);
      job.collectionYear = report.year;
      job.rules = report.rules;
      job.status = 'done';
    } catch (error) {
      if (error instanceof LeaseLostError) throw error;
      job.status = 'failed';
      job.failure = reasonOf(error);
    }
    await beat.stop();
    beat.assertHeld();
    try {
      if (issues.length > 0)
        await writeIssuesCsv(
          errorsPath,
          inFileOrder(
            issues,
            job.files.map((f) => f.fileName),
          ),
        );
      if (job.errorsInCsv > 0)
        await svc.objects.put(
          importErrorsKey(job.authorityId, job.importId),
          await readFile(errorsPath),
          'text/csv; charset=utf-8',
        );
    } catch (error) {
      // The rows are in; the list of problems is not: say so, rather than offer a link to nothing.
      job.status = 'failed';
      job.failure = reasonOf(
        `the problems CSV could not be saved (${reasonOf(error, 300)}); the rows themselves were imported as counted${job.failure ? `. Before that: ${job.failure}` : ''}`,
      );
      job.errorsInCsv = 0;
    }
    job.finishedAt = now().toISOString();
    job.lease = null;
    try {
      await svc.objects.put(
        importReportKey(job.authorityId, job.importId),
        JSON.stringify(boundedJob(job), null, 2),
        'application/json',
      );
    } catch (error) {
      job.status = 'failed';
      job.failure = reasonOf(
        `its report could not be saved to the bucket (${reasonOf(error, 300)}); the rows themselves were imported as counted${job.failure ? `. Before that: ${job.failure}` : ''}`,
      );
    }
    await writer.write();
  } catch (error) {
    // Taken over by recovery: the import is as the run that took it left it.
    if (!(error instanceof LeaseLostError)) throw error;
    const stored = await svc.store.getImportJob<unknown>(job.authorityId, job.importId);
    return stored ? ImportJob.parse(stored.body) : job;
  } finally {
    await beat.stop();
    await rm(dir, { recursive: true, force: true });
  }
  return boundedJob(job);
}

/** The loader's per-file reports into the job: counts per file, and per table over all files. */
function applyReport(job: ImportJob, files: readonly FileReport[]): void {
  job.tables = {};
  for (const report of files) {
    const file = job.files.find((f) => f.fileName === report.file);
    if (!file) continue;
    Object.assign(file, {
      format: report.format,
      refused: report.refused === undefined ? null : boundedMessage(report.refused, MAX_NOTE_CHARS),
      tables: report.tables,
      encoding: report.encoding ?? null,
      delimiter: report.delimiter ?? null,
      sheets:
        report.sheets?.map((sheet) => ({
          ...sheet,
          ...(sheet.note ? { note: boundedMessage(sheet.note, MAX_NOTE_CHARS) } : {}),
        })) ?? null,
      rows: report.rows,
      accepted: report.accepted,
      rejected: report.rejected,
      warned: report.warned,
      created: report.created,
      updated: report.updated,
      unchanged: report.unchanged,
    });
    for (const [table, counts] of Object.entries(report.tables)) {
      const total = (job.tables[table] ??= zeroCounts());
      for (const k of Object.keys(total) as (keyof TableCounts)[]) total[k] += counts[k];
    }
  }
}
