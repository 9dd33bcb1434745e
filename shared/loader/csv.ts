/**
 * Reads one CSV import file into rows: its encoding and delimiter told from its bytes, its format
 * from its header line, every data row handed on as cells by column. Nothing is judged here (that
 * waits until every row of the child has been read): a row whose cells do not line up with the
 * header is the only fault found while reading.
 */
import { parse } from 'csv-parse';
import {
  describeColumns,
  normaliseColumn,
  recogniseFormat,
  unrecognisedHeaderMessage,
  type ImportFormat,
} from './formats.ts';
import type { ReadSink } from './read-sink.ts';
import type { ImportSource } from './sources.ts';
import { DELIMITER_NAMES, detectDelimiter, detectEncoding, firstLineOf, openText } from './text.ts';

/** Lines looked at for a header when the first line is not one (a title above it). */
const TITLE_SEARCH_LINES = 10;

/** Reads a CSV file into `sink`; sets the file's `refused` when it cannot be read as any format. */
export async function readCsv(source: ImportSource, sink: ReadSink): Promise<void> {
  const file = sink.file;
  const encoding = await detectEncoding(source);
  if ('refused' in encoding) {
    file.refused = encoding.refused;
    return;
  }
  file.encoding = encoding.encoding;
  const delimiter = detectDelimiter(await firstLineOf(await openText(source, encoding.encoding)));
  file.delimiter = DELIMITER_NAMES[delimiter];
  const text = await openText(source, encoding.encoding);
  const parser = text.pipe(
    parse({
      delimiter,
      relax_column_count: true,
      skip_empty_lines: true,
      info: true,
      trim: false,
      relax_quotes: false,
    }),
  );
  let columns: string[] | undefined;
  let format: ImportFormat | undefined;
  const beforeHeader: { line: number; cells: string[] }[] = [];
  try {
    for await (const { record: cells, info } of parser as AsyncIterable<{
      record: string[];
      info: { lines: number };
    }>) {
      const line = info.lines;
      if (!format) {
        const candidate = cells.map(normaliseColumn);
        // A trailing delimiter after the last column name is not a column.
        while (candidate.length > 1 && candidate.at(-1) === '') candidate.pop();
        const recognised = recogniseFormat(candidate);
        if (!recognised) {
          beforeHeader.push({ line, cells });
          if (beforeHeader.length >= TITLE_SEARCH_LINES) break;
          continue;
        }
        if (beforeHeader.length > 0) {
          // A title or note above the header: refused, saying what was expected where.
          const first = beforeHeader[0]!.cells
            .filter((c) => c.trim() !== '')
            .join(delimiter === '\t' ? ' ' : `${delimiter} `);
          file.refused = `the first line is not the header: line 1 reads "${first.slice(0, 80)}", and the ${recognised.fileName} header (${describeColumns(recognised)}) is on line ${line}. Delete the ${line - 1 === 1 ? 'line' : `${line - 1} lines`} above the header and import the file again`;
          return;
        }
        columns = candidate;
        format = recognised;
        file.format = format.name;
        continue;
      }
      // A row of nothing but delimiters (a spreadsheet's trailing rows) is not data.
      if (cells.every((c) => c.trim() === '')) continue;
      // Trailing empty cells beyond the header (a trailing delimiter) are not a fault.
      let row = cells;
      while (row.length > columns!.length && row.at(-1)!.trim() === '') row = row.slice(0, -1);
      const byColumn: Record<string, string> = {};
      columns!.forEach((c, i) => (byColumn[c] = (row[i] ?? '').trim()));
      if (row.length !== columns!.length) {
        sink.refuseRow(
          { table: format.name, cells: byColumn, line, element: null },
          'CELLS',
          null,
          `CELLS – the row has ${row.length} cells but the header has ${columns!.length}${delimiter === ',' ? '' : ` (the file is ${DELIMITER_NAMES[delimiter]}-delimited)`}`,
        );
        continue;
      }
      await sink.row({ table: format.name, cells: byColumn, line, element: null });
    }
  } catch (error) {
    // A file that is not CSV at all (binary, broken quoting) is refused, never half-read silently;
    // the rows before the fault are still imported, and the report says where it stopped.
    file.refused = `could not be read as CSV${sink.rowsRead > 0 ? ` after ${sink.rowsRead} rows` : ''}: ${(error as Error).message}`;
    return;
  } finally {
    text.destroy();
  }
  if (!format && !file.refused) {
    const header = beforeHeader[0];
    if (!header) file.refused = 'the file is empty: expected a header row';
    else if (header.cells.length === 1 && delimiter === ',' && /;|\t/.test(header.cells[0]!))
      file.refused = `the header could not be split into columns: ${unrecognisedHeaderMessage(header.cells.map(normaliseColumn))}`;
    else file.refused = unrecognisedHeaderMessage(header.cells.map(normaliseColumn));
  }
}
