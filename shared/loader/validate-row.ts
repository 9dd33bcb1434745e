/** One import row → one domain record, or the row's errors, each naming its file, line and column. */
import type { z } from 'zod';
import type { DomainRecord } from '#domain/records';
import type { ImportContext, ImportFormat } from './formats.ts';

/** A problem with one cell (or the whole row when `column` is null), in words a QA lead can act on. */
export interface RowError {
  file: string;
  line: number;
  column: string | null;
  message: string;
}

export type RowResult = { ok: true; record: DomainRecord } | { ok: false; errors: RowError[] };

/**
 * Validates one row (cells keyed by upper-case column name): the cell parsers first, so a bad date
 * is reported as a date, then the domain schema, whose field errors are mapped back to columns.
 */
export function validateRow(
  format: ImportFormat,
  cells: Record<string, string>,
  where: { file: string; line: number },
  context: ImportContext = {},
  /** How the file names a column (the XML return names elements, e.g. AREVIEW/REVIEW for REVIEW). */
  columnName: (column: string) => string = (column) => column,
): RowResult {
  const parsed = format.parseCells.safeParse(cells);
  if (!parsed.success) {
    return {
      ok: false,
      errors: parsed.error.issues.map((issue) =>
        cellError(issue, String(issue.path[0] ?? ''), cells, where, columnName),
      ),
    };
  }
  const input = format.withContext ? format.withContext(parsed.data, context) : parsed.data;
  const checked = format.schema.safeParse(input);
  if (!checked.success) {
    return {
      ok: false,
      errors: checked.error.issues.map((issue) => {
        const field = String(issue.path[0] ?? '');
        return cellError(issue, format.fieldColumns[field] ?? '', cells, where, columnName);
      }),
    };
  }
  return { ok: true, record: { kind: format.kind, record: checked.data } as DomainRecord };
}

function cellError(
  issue: z.core.$ZodIssue,
  cellColumn: string,
  cells: Record<string, string>,
  where: { file: string; line: number },
  columnName: (column: string) => string,
): RowError {
  const raw = cells[cellColumn];
  const blank = raw === undefined || raw.trim() === '';
  // A derived field (OC2's year) has no cell: name it as the format does, e.g. "(collection year)".
  const column = cellColumn === '' ? '' : cellColumn.startsWith('(') ? cellColumn : columnName(cellColumn);
  let message: string;
  if (column === '') message = issue.message;
  else if (blank && issue.code === 'invalid_type') message = `${column} is required`;
  else if (issue.code === 'invalid_value' && issue.values.length > 0) {
    message = `${column} "${raw?.trim() ?? ''}" is not one of the codes allowed: ${issue.values.map(String).join(', ')}`;
  } else if (issue.code === 'invalid_value' || issue.code === 'invalid_type')
    message = `${column} "${raw?.trim() ?? ''}" is not allowed: ${issue.message}`;
  else message = `${column}: ${issue.message}`;
  return { file: where.file, line: where.line, column: column === '' ? null : column, message };
}
