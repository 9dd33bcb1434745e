/**
 * Loads import files into the store: each file's kind told from its bytes (CSV, SSDA903 XML, Annex A
 * xlsx), CSV formats from their headers, the files ordered so that what a row refers to loads first,
 * every row validated, good rows upserted in batches by natural key, bad rows reported and skipped.
 * Memory stays bounded by one batch, one XML CHILD element, each file's natural keys, and what the
 * import learns of each child for the cross-row rules (date of birth and episodes).
 */
import type { RecordStore } from '#store/record-store';
import { ANNEX_A_FORMAT, loadAnnexA } from './annex-a.ts';
import { loadCsv } from './csv.ts';
import { ImportRun, type FileReport, type LoadOptions, type LoadReport } from './sink.ts';
import { csvFormatOf, fileSources, sniff, type ImportSource, type SourceKind } from './sources.ts';
import { loadXml, XML_FORMAT } from './xml.ts';

export type { FileReport, LoadOptions, LoadReport, TableCounts } from './sink.ts';
export { fileSources, type ImportSource } from './sources.ts';

/**
 * Where each kind of file comes in an import of several: refused files first (they cost nothing),
 * then CSV formats by their `order` (professionals 5, header 10, uasc 15, episodes 20, reviews and
 * review details 30, the rest 40), the XML return at 25 (it carries its own episodes before its
 * reviews), Annex A last (it only fills in). Ties keep the order the files were named in.
 */
const XML_ORDER = 25;
const ANNEX_A_ORDER = 50;

interface PlannedFile {
  source: ImportSource;
  kind: SourceKind;
  order: number;
}

/** The sources in loading order, each with its kind. */
export async function planImport(sources: readonly ImportSource[]): Promise<PlannedFile[]> {
  const planned: PlannedFile[] = [];
  for (const source of sources) {
    const kind = await sniff(source);
    const order = kind === 'csv' ? (await csvFormatOf(source))?.order ?? 0 : kind === 'xml' ? XML_ORDER : kind === 'xlsx' ? ANNEX_A_ORDER : 0;
    planned.push({ source, kind, order });
  }
  return planned.map((p, i) => ({ p, i })).sort((a, b) => a.p.order - b.p.order || a.i - b.i).map(({ p }) => p);
}

/** Loads every source, in dependency order; one file's failure never stops the others. */
export async function loadSources(store: RecordStore, sources: readonly ImportSource[], options: LoadOptions): Promise<LoadReport> {
  const run = new ImportRun(store, options);
  await run.storeHeldRecordsAtStart();
  for (const { source, kind } of await planImport(sources)) await loadOne(run, source, kind);
  return run.report;
}

/** Loads the files and folders named (folders: the .csv, .xml and .xlsx files inside). */
export async function loadFiles(store: RecordStore, paths: readonly string[], options: LoadOptions): Promise<LoadReport> {
  return loadSources(store, await fileSources(paths), options);
}

async function loadOne(run: ImportRun, source: ImportSource, kind: SourceKind): Promise<FileReport> {
  const load = run.beginFile(source.name);
  const context = run.options.context ?? {};
  switch (kind) {
    case 'empty':
      load.report.refused = 'the file is empty: expected a header row';
      break;
    case 'utf16':
      load.report.refused = 'the file is UTF-16 text: save it as CSV UTF-8 and import it again';
      break;
    case 'csv':
      await loadCsv(source, load, context);
      break;
    case 'xml':
      await loadXml(source, load, context);
      break;
    case 'xlsx':
      await loadAnnexA(source, load);
      break;
  }
  return load.report;
}

export { ANNEX_A_FORMAT, XML_FORMAT };
