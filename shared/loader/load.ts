/**
 * Loads import files into the store: each file's kind told from its bytes (CSV, SSDA903 XML, xlsx),
 * every file read first, then every child's rows judged together — the DfE's rules of the return's
 * collection year and the importer's own checks — and the good rows upserted in batches by natural
 * key, bad rows reported and skipped. Memory stays bounded (see `run.ts`).
 */
import type { RecordStore } from '#store/record-store';
import { ANNEX_A_FORMAT } from './annex-a.ts';
import { readCsv } from './csv.ts';
import { ImportRun, type LoadOptions, type LoadReport } from './run.ts';
import { fileSources, sniff, type ImportSource } from './sources.ts';
import { readXlsx, XLSX_TABLES_FORMAT } from './xlsx.ts';
import { readXml, XML_FORMAT } from './xml.ts';

export type { FileReport, LoadOptions, LoadReport, TableCounts, YearDecision } from './run.ts';
export { fileSources, type ImportSource } from './sources.ts';

/** Loads every source; one file's failure never stops the others. */
export async function loadSources(
  store: RecordStore,
  sources: readonly ImportSource[],
  options: LoadOptions,
): Promise<LoadReport> {
  const run = new ImportRun(store, options);
  await run.storeHeldRecordsAtStart();
  for (const source of sources) {
    const kind = await sniff(source);
    const sink = run.beginFile(source.name, kind === 'xml' || kind === 'xlsx' ? kind : 'csv');
    switch (kind) {
      case 'empty':
        sink.file.refused = 'the file is empty: expected a header row';
        break;
      case 'utf16':
        sink.file.refused = 'the file is UTF-16 text: save it as "CSV UTF-8" and import it again';
        break;
      case 'csv':
        await readCsv(source, sink);
        break;
      case 'xml':
        await readXml(source, sink);
        break;
      case 'xlsx':
        await readXlsx(source, sink);
        break;
    }
    await run.fileRead(sink);
  }
  return run.judgeAndWrite();
}

/** Loads the files and folders named (folders: the .csv, .xml and .xlsx files inside). */
export async function loadFiles(
  store: RecordStore,
  paths: readonly string[],
  options: LoadOptions,
): Promise<LoadReport> {
  return loadSources(store, await fileSources(paths), options);
}

export { ANNEX_A_FORMAT, XLSX_TABLES_FORMAT, XML_FORMAT };
