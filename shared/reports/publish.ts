/** Publishes an audit's findings to the object store: every rendered file, then a manifest of their digests. */
import { z } from 'zod';
import { FindingsDocument } from '#audit/findings-model';
import type { ObjectStore } from '#store/object-store';
import { actionPlanCsv, findingsCsv, recordsCsv } from './csv.ts';
import { reportHtml } from './html.ts';
import { findingsXlsx } from './xlsx.ts';

/** The files of a published audit, in the order they are written (manifest.json comes after all of them). */
export const PUBLISHED_FILES = ['findings.json', 'findings.csv', 'records.csv', 'action-plan.csv', 'findings.xlsx', 'report.html'] as const;
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
    z.object({ name: z.string(), key: z.string(), contentType: z.string(), size: z.number().int().min(0), sha256: z.string().regex(/^[0-9a-f]{64}$/) }),
  ),
}) satisfies z.ZodType<Manifest>;

/** Thrown before anything is written when the document is not a valid findings document. */
export class InvalidFindingsError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid findings document, nothing published: ${problems.join('; ')}`);
    this.name = 'InvalidFindingsError';
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

/** Every published file's bytes, rendered before the first put so a renderer failure publishes nothing. */
async function renderAll(doc: FindingsDocument): Promise<Record<PublishedFile, Uint8Array | string>> {
  return {
    'findings.json': `${JSON.stringify(doc, null, 2)}\n`,
    'findings.csv': findingsCsv(doc),
    'records.csv': recordsCsv(doc),
    'action-plan.csv': actionPlanCsv(doc),
    'findings.xlsx': await findingsXlsx(doc),
    'report.html': reportHtml(doc),
  };
}

/** Thrown when an audit's findings are already published. */
export class AlreadyPublishedError extends Error {
  constructor(readonly auditId: string) {
    super(`audit ${auditId} is already published; published findings are never overwritten`);
    this.name = 'AlreadyPublishedError';
  }
}

/** Validates, renders and stores every published file, then manifest.json with each one's key, size and SHA-256. */
export async function publishFindings(objects: ObjectStore, doc: FindingsDocument, options: { publishedAt?: string } = {}): Promise<Manifest> {
  const parsed = FindingsDocument.safeParse(doc);
  if (!parsed.success) {
    throw new InvalidFindingsError(parsed.error.issues.map((i) => `${i.path.join('.') || '(document)'}: ${i.message}`));
  }
  const valid = parsed.data;
  const publishedAt = options.publishedAt ?? new Date().toISOString();
  if (Number.isNaN(Date.parse(publishedAt))) throw new Error(`publishedAt "${publishedAt}" is not a date-time`);
  const prefix = auditPrefix(valid.audit.authorityId, valid.audit.id);
  // Published findings are final: overwriting them would let a reader pair new files with the old
  // manifest. A corrected audit is a new audit.
  if (await objects.get(`${prefix}${MANIFEST_FILE}`)) throw new AlreadyPublishedError(valid.audit.id);
  const bodies = await renderAll(valid);

  const files: Manifest['files'] = [];
  // One at a time, so a failure stops the publication at that file (the error propagates) and
  // nothing after it, the manifest above all, is written.
  for (const name of PUBLISHED_FILES) {
    const key = `${prefix}${name}`;
    const stored = await objects.put(key, bodies[name], CONTENT_TYPES[name]);
    files.push({ name, key, contentType: CONTENT_TYPES[name], size: stored.size, sha256: stored.sha256 });
  }

  const manifest: Manifest = { schemaVersion: 1, auditId: valid.audit.id, authorityId: valid.audit.authorityId, publishedAt, files };
  // The manifest goes last: S3 shows an object only once its put has completed, so a reader who
  // finds manifest.json knows every file it lists was complete before it, and can check each
  // against its SHA-256. No manifest means not (fully) published.
  await objects.put(`${prefix}${MANIFEST_FILE}`, `${JSON.stringify(manifest, null, 2)}\n`, 'application/json');
  return manifest;
}

/** The audit's manifest, or null when it has not been (fully) published; throws on a manifest that is not one. */
export async function readManifest(objects: ObjectStore, authorityId: string, auditId: string): Promise<Manifest | null> {
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
  if (!parsed.success) throw new Error(`${key} is not a findings manifest: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  if (parsed.data.authorityId !== authorityId || parsed.data.auditId !== auditId) {
    throw new Error(`${key} names audit ${parsed.data.authorityId}/${parsed.data.auditId}, not ${authorityId}/${auditId}`);
  }
  return parsed.data;
}
