/**
 * Imports as jobs over the bucket: a QA lead's file is uploaded under `uploads/{authority}/{import}/{file}`
 * (through a presigned link on AWS), the upload triggers the import function, and the import's report
 * is kept beside it under `imports/{authority}/{import}/`. The same code runs locally and in Lambda.
 */
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { AuthorityId } from '#domain/records';
import type { ObjectLinks, ObjectStore } from '#store/object-store';
import type { RecordStore } from '#store/record-store';
import { loadFiles, type LoadReport } from './load.ts';

export interface ImportServices {
  store: RecordStore;
  objects: ObjectStore;
  links: ObjectLinks;
}

/** Where uploads land; the bucket notifies the import function for this prefix only. */
export const UPLOAD_PREFIX = 'uploads/';
/** Where import reports are written. */
export const IMPORT_REPORT_PREFIX = 'imports/';

const IMPORT_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
const FILE_NAME = /^[A-Za-z0-9][A-Za-z0-9 ._()-]{0,199}$/;

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

/** Where an import's report lives. */
export const importReportKey = (authorityId: string, importId: string) => `${IMPORT_REPORT_PREFIX}${authorityId}/${importId}/report.json`;

/**
 * Imports one uploaded file: streamed from the bucket to scratch space (never held whole), loaded
 * row by row, and its report written to the bucket. Returns null for a key outside the upload layout.
 */
export async function runUploadedImport(svc: ImportServices, key: string): Promise<LoadReport | null> {
  const upload = parseUploadKey(key);
  if (!upload) return null;
  const stream = await svc.links.getStream(key);
  if (!stream) throw new Error(`the upload ${key} is not in the bucket`);
  const dir = await mkdtemp(join(tmpdir(), 'iro-import-'));
  try {
    const path = join(dir, upload.fileName);
    await pipeline(stream, createWriteStream(path));
    const report = await loadFiles(svc.store, [path], { authorityId: upload.authorityId });
    await svc.objects.put(importReportKey(upload.authorityId, upload.importId), JSON.stringify(report), 'application/json');
    return report;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
