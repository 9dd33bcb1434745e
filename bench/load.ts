/**
 * Loads a benchmark dataset into a fresh table, with the product loader (`loadFiles`) or a bench-only bulk path.
 * The bulk path validates every row with the loader's own row functions but skips the idempotency reads,
 * which on a fresh table find nothing and only cost time.
 */
import { createReadStream } from 'node:fs';
import { basename } from 'node:path';
import { parse } from 'csv-parse';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { DomainRecord } from '#domain/records';
import { loadFiles } from '#loader/load';
import { normaliseColumn, recogniseFormat } from '#loader/formats';
import { validateRow } from '#loader/validate-row';
import { batchWriteAll } from '#store/batch';
import { keysOf, rowHash } from '#store/dynamo-store';
import type { RecordStore } from '#store/record-store';

export type LoaderKind = 'product' | 'bulk';

export interface LoadResult {
  rows: number;
  seconds: number;
}

/** Rows per write flush, flushes in flight at once, and BatchWrite requests per flush in flight. */
const FLUSH_ROWS = 1_000;
const FLUSHES_IN_FLIGHT = 4;
const WRITE_CONCURRENCY = 8;
/** Rows of each file kept to prove, after the load, that the bulk items are what the store itself would write. */
const PROOF_ROWS_PER_FILE = 200;

/** The product loader, exactly as `npm run import` runs it; any rejected row fails the benchmark. */
export async function loadWithProductLoader(
  store: RecordStore,
  paths: string[],
  authorityId: string,
  onRows: (rows: number) => void,
): Promise<LoadResult> {
  const started = performance.now();
  // Progress comes per file; the sum over files is what the caller shows.
  const rowsByFile = new Map<string, number>();
  const report = await loadFiles(store, paths, {
    authorityId,
    onProgress: ({ file, rows }) => {
      rowsByFile.set(file, rows);
      onRows([...rowsByFile.values()].reduce((a, b) => a + b, 0));
    },
  });
  const refused = report.files.find((f) => f.refused);
  if (refused) throw new Error(`${refused.file} was refused: ${refused.refused}`);
  if (report.errorCount > 0)
    throw new Error(`${report.errorCount} rows were rejected, e.g. ${JSON.stringify(report.errors[0])}`);
  return { rows: report.files.reduce((n, f) => n + f.accepted, 0), seconds: (performance.now() - started) / 1000 };
}

/**
 * Bulk load for a FRESH table: each row is recognised and validated by the loader's functions, keyed
 * by the store's `keysOf` and hashed by its `rowHash`, then written by BatchWrite with several flushes
 * in flight. The item layout (record, keys, kind, version 1, rowHash, updatedAt) mirrors
 * DynamoRecordStore's new-row item; `proveItemsMatchStore` checks that against the store afterwards.
 */
export async function bulkLoad(
  client: DynamoDBDocumentClient,
  tableName: string,
  store: RecordStore,
  paths: string[],
  authorityId: string,
  onRows: (rows: number) => void,
): Promise<LoadResult> {
  const started = performance.now();
  const updatedAt = new Date().toISOString();
  const proof: DomainRecord[] = [];
  let rows = 0;
  for (const path of paths) {
    const file = basename(path);
    const inFlight = new Set<Promise<void>>();
    let failure: unknown;
    let batch: Record<string, unknown>[] = [];
    const flush = async () => {
      const items = batch;
      batch = [];
      const write = batchWriteAll(client, tableName, items, { concurrency: WRITE_CONCURRENCY })
        .then(() => {
          rows += items.length;
          onRows(rows);
        })
        .catch((error: unknown) => {
          failure ??= error;
        })
        .finally(() => inFlight.delete(write));
      inFlight.add(write);
      // Parsing waits for the oldest flushes: memory stays a few flushes whatever the file size.
      while (inFlight.size >= FLUSHES_IN_FLIGHT) await Promise.race(inFlight);
      if (failure) throw failure;
    };

    const parser = createReadStream(path).pipe(parse({ bom: true, skip_empty_lines: true, info: true }));
    let columns: string[] | undefined;
    let format: ReturnType<typeof recogniseFormat>;
    let kept = 0;
    for await (const { record: cells, info } of parser as AsyncIterable<{
      record: string[];
      info: { lines: number };
    }>) {
      if (!columns) {
        columns = cells.map(normaliseColumn);
        format = recogniseFormat(columns);
        if (!format) throw new Error(`${file}: not an import format`);
        continue;
      }
      const byColumn: Record<string, string> = {};
      for (let i = 0; i < columns.length; i++) byColumn[columns[i]!] = cells[i] ?? '';
      const outcome = validateRow(format!, byColumn, { file, line: info.lines });
      if (!outcome.ok) throw new Error(`${file}:${info.lines}: ${outcome.errors.map((e) => e.message).join('; ')}`);
      const entry = outcome.record;
      batch.push({
        ...(entry.record as Record<string, unknown>),
        ...keysOf(authorityId, entry),
        kind: entry.kind,
        version: 1,
        rowHash: rowHash(entry.record),
        updatedAt,
      });
      if (kept < PROOF_ROWS_PER_FILE) {
        proof.push(entry);
        kept += 1;
      }
      if (batch.length >= FLUSH_ROWS) await flush();
    }
    if (batch.length > 0) await flush();
    await Promise.all(inFlight);
    if (failure) throw failure;
  }
  const seconds = (performance.now() - started) / 1000;
  await proveItemsMatchStore(store, authorityId, proof);
  return { rows, seconds };
}

/**
 * Upserts rows the bulk loader already wrote, through the store: every one must come back
 * "unchanged", i.e. same key and same row hash as the store's own item for that record.
 */
async function proveItemsMatchStore(store: RecordStore, authorityId: string, records: DomainRecord[]): Promise<void> {
  const summary = await store.upsertRecords(authorityId, records);
  if (summary.unchanged !== records.length) {
    throw new Error(
      `the bulk loader's items do not match the store's (${summary.created} created, ${summary.updated} updated of ${records.length}): ` +
        'DynamoRecordStore has changed its item layout; update bench/load.ts',
    );
  }
}
