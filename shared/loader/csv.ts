/** Reads one CSV import file: recognised by its header, streamed row by row, every row through the shared validation and sink. */
import { parse } from 'csv-parse';
import { dateCell } from './cells.ts';
import type { ReviewAssertion } from './cross-row.ts';
import { describeNaturalKey, naturalKey, normaliseColumn, recogniseFormat, unrecognisedHeaderMessage, type ImportContext, type ImportFormat } from './formats.ts';
import type { FileLoad, ValidRow } from './sink.ts';
import type { ImportSource } from './sources.ts';
import { validateRow, type RowError } from './validate-row.ts';

/** Loads a CSV file into `load`; sets `load.report.refused` when the file cannot be read as any format. */
export async function loadCsv(source: ImportSource, load: FileLoad, context: ImportContext): Promise<void> {
  const file = source.name;
  const result = load.report;
  const stream = await source.open();
  const parser = stream.pipe(parse({ bom: true, relax_column_count: true, skip_empty_lines: true, info: true, trim: false }));
  let columns: string[] | undefined;
  let format: ImportFormat | undefined;
  try {
    for await (const { record: cells, info } of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
      if (!columns) {
        columns = cells.map(normaliseColumn);
        format = recogniseFormat(columns);
        if (!format) {
          result.refused = unrecognisedHeaderMessage(columns);
          break;
        }
        result.format = format.name;
        const contextProblem = format.contextProblem?.(context);
        if (contextProblem) {
          result.refused = contextProblem;
          break;
        }
        continue;
      }
      if (!format) break;
      const line = info.lines;
      if (cells.length !== columns.length) {
        load.reject(format.name, [{ file, line, column: null, message: `the row has ${cells.length} cells but the header has ${columns.length}` }]);
        continue;
      }
      const byColumn: Record<string, string> = {};
      columns.forEach((c, i) => (byColumn[c] = cells[i] ?? ''));
      const row = csvRow(format, byColumn, { file, line }, context);
      if ('errors' in row) load.reject(format.name, row.errors);
      else await load.accept(row);
    }
  } catch (error) {
    // A file that is not CSV at all (binary, broken quoting) is refused, never half-read silently;
    // the good rows before the fault are still written, and the report says where it stopped.
    result.refused = `could not be read as CSV${result.rows > 0 ? ` after ${result.rows} rows` : ''}: ${(error as Error).message}`;
  } finally {
    stream.destroy();
  }
  if (!columns && !result.refused) result.refused = 'the file is empty: expected a header row';
  await load.finish();
}

/**
 * One row of a known format, validated: what it writes and what the cross-row rules need of it, or
 * its errors. Shared with the XML importer, whose elements are rows of the same formats.
 */
export function csvRow(
  format: ImportFormat,
  cells: Record<string, string>,
  where: { file: string; line: number },
  context: ImportContext,
  columnName: (column: string) => string = (column) => column,
): ValidRow | { errors: RowError[] } {
  const outcome = validateRow(format, cells, where, context, columnName);
  if (!outcome.ok) return { errors: outcome.errors };
  const { record } = outcome;
  const row: ValidRow = {
    table: format.name,
    where,
    entries: [record],
    key: naturalKey(format, record.record),
    keyDescription: describeNaturalKey(format, columnName),
  };
  if (record.kind === 'child') row.remember = { childId: record.record.childId, dateOfBirth: record.record.dateOfBirth };
  if (record.kind === 'episode') {
    const { childId, startDate, endDate, reasonNewEpisode, reasonEpisodeCeased, legalStatus } = record.record;
    // Only what the period-of-care rule reads: an import remembers one of these per episode.
    row.remember = { childId, episode: { childId, startDate, endDate, reasonNewEpisode, reasonEpisodeCeased, legalStatus } };
  }
  if (record.kind === 'reviewParticipation' || record.kind === 'reviewDetails') {
    const dob = cells.DOB === undefined ? null : dateCell.safeParse(cells.DOB);
    row.review = {
      childId: record.record.childId,
      reviewDate: record.record.reviewDate,
      participationCode: record.kind === 'reviewParticipation' ? record.record.participationCode : null,
      dateOfBirth: dob?.success ? dob.data : null,
      columns: { date: columnName('REVIEW'), code: columnName('REVIEW_CODE') },
    } satisfies ReviewAssertion;
  }
  return row;
}
