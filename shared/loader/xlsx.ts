/**
 * Reads an xlsx workbook: Ofsted Annex A's List 8 sheet, or SSDA903 (and SSD-extract) tables saved
 * from Excel — one table per sheet, or one table in the file — each sheet recognised by its header
 * row exactly as a CSV file is. Dates Excel stored as dates or serial numbers are read as dates.
 */
import ExcelJS from 'exceljs';
import { ANNEX_A_FORMAT, ANNEX_A_TABLE, cellText, cellValue, isList8Sheet, readAnnexSheet } from './annex-a.ts';
import { dateCell } from './cells.ts';
import {
  describeColumns,
  normaliseColumn,
  recogniseFormat,
  unrecognisedHeaderMessage,
  type ImportFormat,
} from './formats.ts';
import type { ReadSink } from './read-sink.ts';
import type { ImportSource } from './sources.ts';

/** The format name of a workbook of SSDA903 or extract tables, in reports. */
export const XLSX_TABLES_FORMAT = 'xlsx-tables';
/** Rows looked at for a header when the first row is not one (a title above it). */
const TITLE_SEARCH_ROWS = 10;

/** Reads a workbook into `sink`; refused when no sheet is a table the importer knows. */
export async function readXlsx(source: ImportSource, sink: ReadSink): Promise<void> {
  const file = sink.file;
  const stream = await source.open();
  file.sheets = [];
  try {
    const workbook = new ExcelJS.stream.xlsx.WorkbookReader(stream, {
      worksheets: 'emit',
      sharedStrings: 'cache',
      styles: 'cache',
      hyperlinks: 'ignore',
      entries: 'ignore',
    });
    for await (const worksheet of workbook) {
      const name = (worksheet as unknown as { name: string }).name;
      const rows = worksheet as unknown as AsyncIterable<ExcelJS.Row>;
      if (isList8Sheet(name) && !file.annex) {
        const read = await readAnnexSheet(rows, name, (cells, line) =>
          sink.row({ table: ANNEX_A_TABLE, cells, line, element: `sheet ${name}` }),
        );
        if ('refused' in read) file.sheets.push({ name, format: null, note: read.refused });
        else {
          file.annex = read.sheet;
          file.sheets.push({ name, format: ANNEX_A_FORMAT });
        }
        continue;
      }
      file.sheets.push(await readTableSheet(name, rows, sink));
    }
  } catch (error) {
    file.refused = `could not be read as an xlsx workbook${sink.rowsRead > 0 ? ` after ${sink.rowsRead} rows` : ''}: ${(error as Error).message}`;
    return;
  } finally {
    stream.destroy();
  }
  const read = file.sheets.filter((s) => s.format !== null);
  if (read.length === 0) {
    const why = file.sheets.map((s) => `"${s.name}": ${s.note ?? 'not a table the importer knows'}`).join('; ');
    file.refused = `no sheet of the workbook is a table the importer knows (Ofsted Annex A List 8, or SSDA903 or extract tables with their column names in the first row): ${why || 'it has no sheets'}`;
    return;
  }
  file.format = read.some((s) => s.format === ANNEX_A_FORMAT)
    ? ANNEX_A_FORMAT
    : read.length === 1
      ? read[0]!.format
      : XLSX_TABLES_FORMAT;
}

/** One sheet holding one table: its header in the first row, then a row per record. */
async function readTableSheet(
  name: string,
  rows: AsyncIterable<ExcelJS.Row>,
  sink: ReadSink,
): Promise<{ name: string; format: string | null; note?: string }> {
  let format: ImportFormat | undefined;
  let columns: Map<number, string> | undefined;
  let dates = new Set<string>();
  const before: string[][] = [];
  for await (const row of rows) {
    if (!format) {
      const texts: string[] = [];
      row.eachCell({ includeEmpty: true }, (cell, index) => (texts[index - 1] = cellText(cell.value)));
      const header = Array.from(texts, (t) => normaliseColumn(t ?? ''));
      while (header.length > 0 && header.at(-1) === '') header.pop();
      const recognised = recogniseFormat(header.filter((c) => c !== ''));
      if (!recognised) {
        if (header.length > 0) before.push(header);
        if (before.length >= TITLE_SEARCH_ROWS) break;
        continue;
      }
      if (before.length > 0) {
        return {
          name,
          format: null,
          note: `the first row is not the header: the ${recognised.fileName} header (${describeColumns(recognised)}) is on row ${row.number}. Delete the rows above it and import the workbook again`,
        };
      }
      format = recognised;
      columns = new Map(header.map((c, i) => [i + 1, c] as const).filter(([, c]) => c !== ''));
      dates = new Set(
        Object.entries(format.cells)
          .filter(([, parser]) => parser === dateCell)
          .map(([column]) => column),
      );
      continue;
    }
    const cells: Record<string, string> = {};
    let blank = true;
    for (const [index, column] of columns!) {
      const text = cellValue(row.getCell(index).value, dates.has(column)).trim();
      if (text !== '') blank = false;
      cells[column] = column === 'CHILD' ? text.toUpperCase() : text;
    }
    if (blank) continue;
    await sink.row({ table: format.name, cells, line: row.number, element: `sheet ${name}` });
  }
  if (format) return { name, format: format.name };
  const first = before[0];
  return { name, format: null, note: first ? unrecognisedHeaderMessage(first) : 'the sheet is empty' };
}
