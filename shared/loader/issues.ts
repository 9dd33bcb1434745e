/**
 * What an import reports about its rows: each issue names its file and place (line, or element of
 * the XML return), the child, the column, the rule (a DfE rule code, or one of the importer's own
 * checks below), how severe it is, and a message in plain words.
 */
import { createWriteStream } from 'node:fs';
import { finished } from 'node:stream/promises';
import { stringify } from 'csv-stringify';
import * as z from 'zod';

/**
 * What became of the row: `rejected` (not imported, this is the cause), `warning` (imported; the
 * fault is noted), `not imported` (a sound row held back because another row of the child was
 * rejected: the message names that cause).
 */
export const IssueSeverity = z.enum(['rejected', 'warning', 'not imported']);
export type IssueSeverity = z.infer<typeof IssueSeverity>;

export const ImportIssue = z.object({
  file: z.string(),
  /** The line of a CSV file or the row of a sheet; null for the XML return. */
  line: z.number().int().nullable(),
  /** The element of the XML return, e.g. `CHILD[3]/EPISODE[2]`, or the sheet of a workbook; null for a CSV file. */
  element: z.string().nullable(),
  /** The child the row is about (the XML names it), when known. */
  child: z.string().nullable(),
  column: z.string().nullable(),
  /** A DfE rule code (`101`, `503A`, `SW08STG2`) or one of the importer's own checks (`DUPLICATE`, …). */
  rule: z.string(),
  severity: IssueSeverity,
  message: z.string(),
});
export type ImportIssue = z.infer<typeof ImportIssue>;

/**
 * The importer's own checks, beside the DfE's: what each code means, in the words the report uses.
 * The DfE's rules are in `#ssda903/catalogue`.
 */
export const IMPORT_CHECKS = {
  FILE: 'the file cannot be read as one of the import formats',
  CELLS: 'the row has a different number of cells from the header',
  FORMAT: 'a cell is not written as the import format requires',
  DUPLICATE: 'the row repeats an earlier row of the same table (same natural key)',
  'NO-PERIOD': 'the review falls in no period of care of the child',
  YEAR: "the file holds codes of another collection year's return",
  ELEMENT: 'the XML return holds an element the importer does not know',
} as const;
export type ImportCheck = keyof typeof IMPORT_CHECKS;

/** Where a row or file is, for a message: "line 12", "row 12 of sheet Episodes", "CHILD[3]/EPISODE[2]". */
export function placeOf(issue: Pick<ImportIssue, 'line' | 'element'>): string {
  if (issue.element && issue.line !== null) return `row ${issue.line} of ${issue.element}`;
  if (issue.element) return issue.element;
  return issue.line === null ? '' : `line ${issue.line}`;
}

/** The columns of the errors CSV, in order. */
export const ISSUE_CSV_COLUMNS = ['file', 'line or element', 'child', 'column', 'rule', 'severity', 'message'] as const;

/** One issue as a row of the errors CSV. */
export function issueCsvRow(issue: ImportIssue): Record<(typeof ISSUE_CSV_COLUMNS)[number], string> {
  return {
    file: issue.file,
    'line or element':
      issue.element && issue.line !== null
        ? `${issue.element} row ${issue.line}`
        : (issue.element ?? (issue.line === null ? '' : String(issue.line))),
    child: issue.child ?? '',
    column: issue.column ?? '',
    rule: issue.rule,
    severity: issue.severity,
    message: issue.message,
  };
}

/** A row of the errors CSV read back (the report page shows the first ones). */
export function issueFromCsvRow(row: Record<string, string>): ImportIssue {
  const where = row['line or element'] ?? '';
  const sheetRow = /^(.*) row (\d+)$/.exec(where);
  const line = /^\d+$/.test(where) ? Number(where) : sheetRow ? Number(sheetRow[2]) : null;
  const element = sheetRow ? sheetRow[1]! : /^\d*$/.test(where) ? null : where;
  return {
    file: row.file ?? '',
    line,
    element,
    child: row.child || null,
    column: row.column || null,
    rule: row.rule ?? '',
    severity: IssueSeverity.catch('rejected').parse(row.severity),
    message: row.message ?? '',
  };
}

/** How many issues of each rule and severity an import found: the report lists the most frequent first. */
export const RuleCount = z.object({
  rule: z.string(),
  severity: IssueSeverity,
  /** The rule's meaning in plain words. */
  meaning: z.string(),
  /** Issues (causes), and rows affected (a cause held back N sound rows: N more). */
  issues: z.number().int().min(0),
  rows: z.number().int().min(0),
  tables: z.array(z.string()),
});
export type RuleCount = z.infer<typeof RuleCount>;

/**
 * Issues in the order of the files and of the rows in them (judging goes child by child, in no order
 * a person reads): by file as the import named them, then line, or element path with its numbers
 * compared as numbers; a file's own notes first. Stable, so a row's issues keep their order.
 */
export function inFileOrder<T extends Pick<ImportIssue, 'file' | 'line' | 'element'>>(
  issues: readonly T[],
  files: readonly string[],
): T[] {
  const fileRank = new Map(files.map((name, i) => [name, i]));
  const elementKey = (element: string | null) => (element ?? '').replace(/\d+/g, (digits) => digits.padStart(9, '0'));
  return issues
    .map((issue, index) => ({ issue, index }))
    .sort(
      (a, b) =>
        (fileRank.get(a.issue.file) ?? files.length) - (fileRank.get(b.issue.file) ?? files.length) ||
        (a.issue.line ?? 0) - (b.issue.line ?? 0) ||
        elementKey(a.issue.element).localeCompare(elementKey(b.issue.element)) ||
        a.index - b.index,
    )
    .map(({ issue }) => issue);
}

/** Writes issues as the errors CSV (its header, then one row each), waiting on the disk as it goes. */
export async function writeIssuesCsv(path: string, issues: Iterable<ImportIssue>): Promise<void> {
  const csv = stringify({ header: true, columns: [...ISSUE_CSV_COLUMNS] });
  const file = csv.pipe(createWriteStream(path));
  for (const issue of issues) {
    if (!csv.write(issueCsvRow(issue))) await new Promise<void>((resolve) => csv.once('drain', () => resolve()));
  }
  csv.end();
  await finished(file);
}
