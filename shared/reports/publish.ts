/**
 * Publishes an audit's findings to the object store: every rendered file, then a manifest of their
 * digests. Files are written as streams, records and alerts one at a time, so a national audit's
 * findings are never one string in memory.
 */
import type { Readable } from 'node:stream';
import * as z from 'zod';
import { AppError } from '#errors';
import { FindingsDocument, type Alert } from '#engine/findings-model';
import { putChunks, type ObjectStore } from '#store/object-store';
import { actionPlanCsv, findingsCsv, recordCells, recordsCsvChunks, type RecordCells } from './csv.ts';
import { reportExtent, reportHtml, type ReportExtent } from './html.ts';
import { findingsXlsxStream } from './xlsx.ts';

/** The files of a published audit, in the order they are written (manifest.json comes after all of them). */
export const PUBLISHED_FILES = [
  'findings.json',
  'findings.csv',
  'records.csv',
  'action-plan.csv',
  'findings.xlsx',
  'report.html',
] as const;
/** The name of one published file. */
export type PublishedFile = (typeof PUBLISHED_FILES)[number];

/** The name of the manifest inside an audit's prefix. */
export const MANIFEST_FILE = 'manifest.json';

const CONTENT_TYPES: Record<PublishedFile, string> = {
  'findings.json': 'application/json',
  'findings.csv': 'text/csv; charset=utf-8',
  'records.csv': 'text/csv; charset=utf-8',
  'action-plan.csv': 'text/csv; charset=utf-8',
  'findings.xlsx': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  'report.html': 'text/html; charset=utf-8',
};

/** manifest.json: what was published for one audit, each file with the SHA-256 and size the store reported. */
export interface Manifest {
  schemaVersion: 1;
  auditId: string;
  authorityId: string;
  publishedAt: string;
  files: { name: string; key: string; contentType: string; size: number; sha256: string }[];
}

const ManifestSchema = z.object({
  schemaVersion: z.literal(1),
  auditId: z.string(),
  authorityId: z.string(),
  publishedAt: z.string(),
  files: z.array(
    z.object({
      name: z.string(),
      key: z.string(),
      contentType: z.string(),
      size: z.number().int().min(0),
      sha256: z.string().regex(/^[0-9a-f]{64}$/),
    }),
  ),
}) satisfies z.ZodType<Manifest>;

/** Thrown before anything is written when the document is not a valid findings document. */
export class InvalidFindingsError extends AppError {
  // Internal: the engine built a document its own schema refuses; nobody's request was at fault.
  constructor(readonly problems: string[]) {
    super('internal', `invalid findings document, nothing published: ${problems.join('; ')}`, {
      name: 'InvalidFindingsError',
      code: 'invalid-findings',
    });
  }
}

// One path segment each: a '/' or '..' would let an id write outside its audit's prefix (or
// another authority's), so ids are held to a safe alphabet rather than cleaned up.
const SEGMENT = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

function segment(value: string, what: string): string {
  if (typeof value !== 'string' || !SEGMENT.test(value) || value.includes('..')) {
    throw new Error(`${what} "${String(value)}" must be 1–128 letters, digits, '.', '_' or '-' (no '/' or '..')`);
  }
  return value;
}

/** The key prefix of one audit's published files, `findings/<authority>/<audit>/`; throws on an id that could escape it. */
export function auditPrefix(authorityId: string, auditId: string): string {
  return `findings/${segment(authorityId, 'authority id')}/${segment(auditId, 'audit id')}/`;
}

/**
 * Findings to publish: the document with its records and alerts left empty; the records and alerts
 * as streams that can be read more than once (one read per file that lists them) — as the JSON
 * lines findings.json copies, as the cells the tables list (records), as alerts — and what the
 * report says of them.
 */
export interface FindingsSource {
  document: FindingsDocument;
  /** Each record's compact JSON (`JSON.stringify(record)`) followed by '\n', in chunks of whole lines, in record order. */
  recordLines(): AsyncIterable<string>;
  /** Each alert's compact JSON followed by '\n', in chunks of whole lines, in the document's order. */
  alertLines(): AsyncIterable<string>;
  /** The records as records.csv and the workbook list them, in record order. */
  recordRows(): AsyncIterable<RecordCells>;
  alerts(): AsyncIterable<Alert>;
  extent: ReportExtent;
}

async function* itemsOf<T>(items: readonly T[]): AsyncIterable<T> {
  yield* items;
}

/** Items as JSON lines, a few hundred kB of lines at a time. */
async function* jsonLinesOf(items: readonly unknown[]): AsyncIterable<string> {
  let batch = '';
  for (const item of items) {
    batch += `${JSON.stringify(item)}\n`;
    if (batch.length >= 256 * 1024) {
      yield batch;
      batch = '';
    }
  }
  if (batch) yield batch;
}

/** A whole findings document as a source. */
export function sourceOf(doc: FindingsDocument): FindingsSource {
  return {
    document: { ...doc, records: [], alerts: [] },
    recordLines: () => jsonLinesOf(doc.records),
    alertLines: () => jsonLinesOf(doc.alerts),
    recordRows: () => itemsOf(doc.records.map((r) => recordCells(doc.criteria, r))),
    alerts: () => itemsOf(doc.alerts),
    extent: reportExtent(doc),
  };
}

// Stand-ins for the two long arrays in the document's JSON, replaced as it is written.
const RECORDS_MARK = '\u0000records\u0000';
const ALERTS_MARK = '\u0000alerts\u0000';

/** Between two items of a long array: each item on a line of its own, indented as the array's other lines. */
const ITEM_SEPARATOR = ',\n    ';

/**
 * A JSON array at depth 1 of a document indented by two spaces, its items compact and one to a line,
 * from chunks of JSON lines. Line ends inside the chunks become the separators: JSON text never has a raw line end.
 */
async function* jsonArray(lines: AsyncIterable<string>): AsyncIterable<string> {
  let first = true;
  for await (const chunk of lines) {
    if (chunk.length === 0) continue;
    if (!chunk.endsWith('\n')) throw new Error('a chunk of JSON lines must end with a line end');
    yield `${first ? '[\n    ' : ITEM_SEPARATOR}${chunk.slice(0, -1).replaceAll('\n', ITEM_SEPARATOR)}`;
    first = false;
  }
  yield first ? '[]' : '\n  ]';
}

/**
 * findings.json, written as it goes: the document as `JSON.stringify(document, null, 2)` writes it,
 * except that each record and each alert is compact JSON on a line of its own. It parses back as the document.
 */
export async function* findingsJsonChunks(source: FindingsSource): AsyncIterable<string> {
  const text = `${JSON.stringify({ ...source.document, records: RECORDS_MARK, alerts: ALERTS_MARK }, null, 2)}\n`;
  const records = text.indexOf(`"records": ${JSON.stringify(RECORDS_MARK)}`) + '"records": '.length;
  const alerts = text.indexOf(`"alerts": ${JSON.stringify(ALERTS_MARK)}`) + '"alerts": '.length;
  yield text.slice(0, records);
  yield* jsonArray(source.recordLines());
  yield text.slice(records + JSON.stringify(RECORDS_MARK).length, alerts);
  yield* jsonArray(source.alertLines());
  yield text.slice(alerts + JSON.stringify(ALERTS_MARK).length);
}

async function* once(text: string): AsyncIterable<string> {
  yield text;
}

async function* readable(stream: Readable): AsyncIterable<Uint8Array> {
  for await (const chunk of stream) yield chunk as Uint8Array;
}

/** Each published file as a stream of chunks. */
function rendered(name: PublishedFile, source: FindingsSource): AsyncIterable<Uint8Array | string> {
  const doc = source.document;
  switch (name) {
    case 'findings.json':
      return findingsJsonChunks(source);
    case 'findings.csv':
      return once(findingsCsv(doc));
    case 'records.csv':
      return recordsCsvChunks(doc, source.recordRows());
    case 'action-plan.csv':
      return once(actionPlanCsv(doc));
    case 'findings.xlsx':
      return readable(findingsXlsxStream(source));
    case 'report.html':
      return once(reportHtml(doc, source.extent));
  }
}

/** Thrown when an audit's findings are already published. */
export class AlreadyPublishedError extends AppError {
  constructor(readonly auditId: string) {
    super('conflict', `audit ${auditId} is already published; published findings are never overwritten`, {
      name: 'AlreadyPublishedError',
      code: 'already-published',
    });
  }
}

/** Validates, renders and stores every published file, then manifest.json with each one's key, size and SHA-256. */
export async function publishFindings(
  objects: ObjectStore,
  doc: FindingsDocument,
  options: { publishedAt?: string } = {},
): Promise<Manifest> {
  const parsed = FindingsDocument.safeParse(doc);
  if (!parsed.success) {
    throw new InvalidFindingsError(parsed.error.issues.map((i) => `${i.path.join('.') || '(document)'}: ${i.message}`));
  }
  return publishFindingsFrom(objects, sourceOf(parsed.data), options);
}

/**
 * Stores every published file of a source, streamed one after the other, then manifest.json. The
 * document is validated first (its records and alerts are the engine's own, checked by their types);
 * a failure stops at that file, and no manifest is written: the audit is not published.
 */
export async function publishFindingsFrom(
  objects: ObjectStore,
  source: FindingsSource,
  options: { publishedAt?: string } = {},
): Promise<Manifest> {
  const parsed = FindingsDocument.safeParse(source.document);
  if (!parsed.success) {
    throw new InvalidFindingsError(parsed.error.issues.map((i) => `${i.path.join('.') || '(document)'}: ${i.message}`));
  }
  const valid = { ...source, document: parsed.data };
  const publishedAt = options.publishedAt ?? new Date().toISOString();
  if (Number.isNaN(Date.parse(publishedAt))) throw new Error(`publishedAt "${publishedAt}" is not a date-time`);
  const prefix = auditPrefix(valid.document.audit.authorityId, valid.document.audit.id);
  // Published findings are final: overwriting them would let a reader pair new files with the old
  // manifest. A corrected audit is a new audit.
  if (await objects.get(`${prefix}${MANIFEST_FILE}`)) throw new AlreadyPublishedError(valid.document.audit.id);

  const files: Manifest['files'] = [];
  // One at a time, so a failure stops the publication at that file (the error propagates) and
  // nothing after it, the manifest above all, is written.
  for (const name of PUBLISHED_FILES) {
    const key = `${prefix}${name}`;
    const stored = await putChunks(objects, key, rendered(name, valid), CONTENT_TYPES[name]);
    files.push({ name, key, contentType: CONTENT_TYPES[name], size: stored.size, sha256: stored.sha256 });
  }

  const manifest: Manifest = {
    schemaVersion: 1,
    auditId: valid.document.audit.id,
    authorityId: valid.document.audit.authorityId,
    publishedAt,
    files,
  };
  // The manifest goes last: S3 shows an object only once its put has completed, so a reader who
  // finds manifest.json knows every file it lists was complete before it, and can check each
  // against its SHA-256. No manifest means not (fully) published.
  await objects.put(`${prefix}${MANIFEST_FILE}`, `${JSON.stringify(manifest, null, 2)}\n`, 'application/json');
  return manifest;
}

/** The audit's manifest, or null when it has not been (fully) published; throws on a manifest that is not one. */
export async function readManifest(
  objects: ObjectStore,
  authorityId: string,
  auditId: string,
): Promise<Manifest | null> {
  const key = `${auditPrefix(authorityId, auditId)}${MANIFEST_FILE}`;
  const bytes = await objects.get(key);
  if (bytes === null) return null;
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder().decode(bytes));
  } catch (error) {
    throw new Error(`${key} is not JSON: ${(error as Error).message}`);
  }
  const parsed = ManifestSchema.safeParse(json);
  if (!parsed.success)
    throw new Error(
      `${key} is not a findings manifest: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  if (parsed.data.authorityId !== authorityId || parsed.data.auditId !== auditId) {
    throw new Error(
      `${key} names audit ${parsed.data.authorityId}/${parsed.data.auditId}, not ${authorityId}/${auditId}`,
    );
  }
  return parsed.data;
}
