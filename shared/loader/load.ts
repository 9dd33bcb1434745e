/**
 * Loads import files into the store: each file recognised by its header, streamed row by row,
 * every row validated, good rows upserted in batches by natural key, bad rows reported and skipped.
 * Memory stays bounded: only one batch of records (and each file's natural keys) is held at once.
 */
import { createReadStream } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { parse } from 'csv-parse';
import type { DomainRecord } from '#domain/records';
import type { RecordStore } from '#store/record-store';
import { describeNaturalKey, naturalKey, normaliseColumn, recogniseFormat, unrecognisedHeaderMessage, type ImportContext } from './formats.ts';
import { validateRow, type RowError } from './validate-row.ts';

export interface LoadOptions {
  authorityId: string;
  context?: ImportContext;
  /** Records per store write. */
  batchSize?: number;
  /** Row errors kept in the report (all are counted). */
  maxErrorsKept?: number;
  onProgress?: (progress: { file: string; rows: number }) => void;
}

/** What happened to one file. `refused` is set when the file could not be read as any format. */
export interface FileReport {
  file: string;
  format: string | null;
  rows: number;
  accepted: number;
  rejected: number;
  created: number;
  updated: number;
  unchanged: number;
  refused?: string;
}

export interface LoadReport {
  files: FileReport[];
  errors: RowError[];
  errorCount: number;
}

/** The CSV files named, with folders expanded to the CSV files inside them (sorted, so runs repeat). */
export async function expandPaths(paths: readonly string[]): Promise<string[]> {
  const files: string[] = [];
  for (const path of paths) {
    if ((await stat(path)).isDirectory()) {
      const names = (await readdir(path)).filter((n) => n.toLowerCase().endsWith('.csv')).sort();
      files.push(...names.map((n) => join(path, n)));
    } else files.push(path);
  }
  return files;
}

/** Loads every file; one file's failure never stops the others. */
export async function loadFiles(store: RecordStore, paths: readonly string[], options: LoadOptions): Promise<LoadReport> {
  const report: LoadReport = { files: [], errors: [], errorCount: 0 };
  for (const file of await expandPaths(paths)) {
    report.files.push(await loadFile(store, file, options, report));
  }
  return report;
}

/** Loads one CSV file, adding its row errors to `report`. */
export async function loadFile(store: RecordStore, path: string, options: LoadOptions, report: LoadReport): Promise<FileReport> {
  const file = basename(path);
  const batchSize = options.batchSize ?? 500;
  const maxErrorsKept = options.maxErrorsKept ?? 10_000;
  const result: FileReport = { file, format: null, rows: 0, accepted: 0, rejected: 0, created: 0, updated: 0, unchanged: 0 };
  const addError = (error: RowError) => {
    report.errorCount += 1;
    if (report.errors.length < maxErrorsKept) report.errors.push(error);
  };

  const parser = createReadStream(path).pipe(
    parse({ bom: true, relax_column_count: true, skip_empty_lines: true, info: true, trim: false }),
  );
  let columns: string[] | undefined;
  let format: ReturnType<typeof recogniseFormat>;
  const seen = new Map<string, number>();
  let batch: DomainRecord[] = [];
  const flush = async () => {
    if (batch.length === 0) return;
    const summary = await store.upsertRecords(options.authorityId, batch);
    result.created += summary.created;
    result.updated += summary.updated;
    result.unchanged += summary.unchanged;
    batch = [];
  };

  try {
    for await (const { record: cells, info } of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
      if (!columns) {
        columns = cells.map(normaliseColumn);
        format = recogniseFormat(columns);
        if (!format) {
          result.refused = unrecognisedHeaderMessage(columns);
          parser.destroy();
          return result;
        }
        result.format = format.name;
        const contextProblem = format.contextProblem?.(options.context ?? {});
        if (contextProblem) {
          result.refused = contextProblem;
          parser.destroy();
          return result;
        }
        continue;
      }
      if (!format) break;
      result.rows += 1;
      const line = info.lines;
      if (cells.length !== columns.length) {
        result.rejected += 1;
        addError({ file, line, column: null, message: `the row has ${cells.length} cells but the header has ${columns.length}` });
        continue;
      }
      const byColumn: Record<string, string> = {};
      columns.forEach((c, i) => (byColumn[c] = cells[i] ?? ''));
      const outcome = validateRow(format, byColumn, { file, line }, options.context);
      if (!outcome.ok) {
        result.rejected += 1;
        outcome.errors.forEach(addError);
        continue;
      }
      const key = naturalKey(format, outcome.record.record);
      const firstLine = seen.get(key);
      if (firstLine !== undefined) {
        result.rejected += 1;
        addError({ file, line, column: null, message: `duplicates line ${firstLine} (same ${describeNaturalKey(format)}); only the first is kept` });
        continue;
      }
      seen.set(key, line);
      result.accepted += 1;
      batch.push(outcome.record);
      if (batch.length >= batchSize) {
        await flush();
        options.onProgress?.({ file, rows: result.rows });
      }
    }
    await flush();
  } catch (error) {
    // A file that is not CSV at all (binary, broken quoting) is refused, never half-read silently.
    result.refused = `could not be read as CSV: ${(error as Error).message}`;
    return result;
  }
  if (!columns) result.refused = 'the file is empty: expected a header row';
  return result;
}
