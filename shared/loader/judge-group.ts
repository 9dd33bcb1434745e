/**
 * Judges every row an import holds about one child (or one professional) together, whichever files
 * they came in: the DfE's rules of the collection year over the child's part of the return, each row
 * parsed into its domain records, duplicates refused, reviews placed in the child's periods of care,
 * and what a rejected row takes down with it grouped under it as one cause. Pure: the store's facts
 * about the child come in, the rows to write and the issues to report go out.
 */
import { periodContaining, periodsOfCare } from '#domain/period-of-care';
import type { Episode } from '#domain/records';
import type { UpsertEntry } from '#store/record-store';
import { findingMessage, judgeChild, ruleFor } from '#ssda903/judge';
import type { UpnIndex } from '#ssda903/rules/header';
import { childReturn, longDate, type ReturnContext, type ReturnRow, type Ssda903Table } from '#ssda903/return';
import { annexRow, ANNEX_A_TABLE, type AnnexSheet } from './annex-a.ts';
import { describeNaturalKey, formatNamed, naturalKey, type ImportContext, type ImportFormat } from './formats.ts';
import { IMPORT_CHECKS, type ImportCheck, type ImportIssue, type IssueSeverity } from './issues.ts';
import { validateRow } from './validate-row.ts';

/** A row as read from its file: cells by the CSV column name (List 8: by field), and where it is. */
export interface ReadRow {
  /** The file's index in the import. */
  file: number;
  /** The format (`header`, `episodes`, …) or Annex A's table. */
  table: string;
  cells: Record<string, string>;
  line: number | null;
  element: string | null;
}

/** What judging needs of each file of the import. */
export interface ImportedFile {
  name: string;
  kind: 'csv' | 'xml' | 'xlsx';
  /** For an Annex A List 8 sheet: its header texts and column letters. */
  annex?: AnnexSheet;
}

/** An issue as the import tallies it: the rows it stands for, and the table they belong to. */
export interface ReportedIssue extends ImportIssue {
  table: string;
  /** 1 for a row's own fault; the number of rows a cause held back. */
  rows: number;
}

/** What a row with another year's code is: the code rule its file's YEAR issue stands in for, and whether that rule rejects the row. */
export interface YearCode {
  rule: string | null;
  reject: boolean;
}

/** What the store held about the child when the import began. */
export interface StoredChild {
  /** The store holds the child's own (Header) record. */
  hasChild: boolean;
  episodes: readonly Pick<
    Episode,
    'childId' | 'startDate' | 'endDate' | 'reasonNewEpisode' | 'reasonEpisodeCeased' | 'legalStatus'
  >[];
  /** Last year's return as the store holds it (see `lastYearOf`); null when the store holds nothing of the child. */
  previous: Partial<Record<Ssda903Table, ReturnRow[]>> | null;
}

export interface GroupContext {
  files: readonly ImportedFile[];
  /** The return's year and tables, when the import holds SSDA903 tables. */
  ssda903: ReturnContext | null;
  /** Options the formats need (the year ending for OC2 and OC3). */
  formats: ImportContext;
  /** Every Header row's UPN, to tell whose is shared (rule 444 looks across children). */
  upns?: UpnIndex;
  /**
   * Whether a row holds another collection year's code, reported once for its file as YEAR: the code
   * rule's own finding on the row is not reported again, and the row is rejected if that rule rejects.
   */
  yearCode?: (row: ReadRow) => YearCode | undefined;
}

export interface GroupOutcome {
  accepted: { row: ReadRow; entries: UpsertEntry[] }[];
  /** Rows not imported: their own fault, or held back by another's. */
  rejected: ReadRow[];
  /** Rows imported with a warning. */
  warned: ReadRow[];
  issues: ReportedIssue[];
}

/** The key rows of one child (or professional) share: child ids match whatever their case. */
export function groupKeyOf(table: string, cells: Record<string, string>): string {
  if (table === 'professionals') return `worker:${(cells.WORKER_ID ?? '').trim().toUpperCase()}`;
  return (cells.CHILD ?? cells.childId ?? '').trim().toUpperCase();
}

/** How a file names a column: the XML return's PL and CHILDID; CSV and sheets as the table does. */
function columnIn(file: ImportedFile, column: string): string {
  if (file.kind !== 'xml') return column;
  return column === 'PLACE' ? 'PL' : column === 'CHILD' ? 'CHILDID' : column;
}

interface RowState {
  row: ReadRow;
  format: ImportFormat | null;
  ssda903Row: ReturnRow | null;
  /** Issues of the row's own (reject or warning). */
  own: ReportedIssue[];
  rejected: boolean;
  /** Columns a warning was raised on: a value the domain cannot hold there is dropped, not the row. */
  warnedColumns: Set<string>;
  entries: UpsertEntry[] | null;
  heldBack: boolean;
}

/** Judges one child's rows (in the order they were read). */
export function judgeGroup(
  key: string,
  rows: readonly ReadRow[],
  stored: StoredChild | null,
  context: GroupContext,
): GroupOutcome {
  const states: RowState[] = rows.map((row) => ({
    row,
    format: row.table === ANNEX_A_TABLE ? null : formatNamed(row.table),
    ssda903Row: null,
    own: [],
    rejected: false,
    warnedColumns: new Set(),
    entries: null,
    heldBack: false,
  }));
  const issues: ReportedIssue[] = [];
  const fileOf = (row: ReadRow) => context.files[row.file]!;
  const issue = (
    row: ReadRow,
    rule: string,
    severity: IssueSeverity,
    column: string | null,
    message: string,
    count = 1,
  ): ReportedIssue => ({
    file: fileOf(row).name,
    line: row.line,
    element: row.element,
    child: childOf(row),
    column: column === null ? null : columnIn(fileOf(row), column),
    rule,
    severity,
    message,
    table: row.table,
    rows: count,
  });
  const own = (
    state: RowState,
    rule: string,
    severity: 'rejected' | 'warning',
    column: string | null,
    message: string,
  ) => {
    state.own.push(issue(state.row, rule, severity, column, message));
    if (severity === 'rejected') state.rejected = true;
    else if (column) state.warnedColumns.add(column);
  };

  // 1. The DfE's rules over the child's part of the return.
  const yearCodes = new Map(
    rows.flatMap((row) => {
      const code = context.yearCode?.(row);
      return code ? [[row, code] as const] : [];
    }),
  );
  {
    const byTable: Partial<Record<Ssda903Table, ReturnRow[]>> = {};
    const stateOf = new Map<ReturnRow, RowState>();
    // The rows of the return's tables, as the DfE's rules read them (cascades below read them too).
    for (const state of states) {
      const table = state.format?.table;
      if (!table) continue;
      const file = fileOf(state.row);
      const returnRow: ReturnRow = {
        table,
        cells: state.row.cells,
        at: { file: file.name, line: state.row.line, element: state.row.element },
      };
      state.ssda903Row = returnRow;
      (byTable[table] ??= []).push(returnRow);
      stateOf.set(returnRow, state);
    }
    if (context.ssda903 && stateOf.size > 0) {
      const child = childReturn(key, byTable, stored?.previous ?? null);
      for (const finding of judgeChild(child, context.ssda903)) {
        const state = stateOf.get(finding.row)!;
        if (yearCodes.get(state.row)?.rule === finding.code) continue; // reported once for the file (YEAR)
        own(
          state,
          finding.code,
          finding.severity === 'reject' ? 'rejected' : 'warning',
          finding.column,
          finding.message,
        );
        // Any field a warning concerns may hold the value at fault: it is left blank rather than losing the row.
        if (finding.severity === 'warn')
          for (const field of finding.fields) if (field in state.row.cells) state.warnedColumns.add(field);
      }
      // 444 looks across children: the run's index of every Header row says whose UPN is shared.
      const upnRule = ruleFor('444', context.ssda903.year);
      if (upnRule && context.upns) {
        for (const header of byTable.Header ?? []) {
          if (!context.upns.shared(header)) continue;
          const message = findingMessage(upnRule, context.ssda903.year, `UPN is "${header.cells.UPN}"`);
          own(stateOf.get(header)!, '444', upnRule.severity === 'reject' ? 'rejected' : 'warning', 'UPN', message);
        }
      }
    }
  }
  for (const state of states) if (yearCodes.get(state.row)?.reject) state.rejected = true;

  // 2. Each row that passed into its domain records; a warned value the domain cannot hold is dropped.
  for (const state of states) {
    if (state.rejected) continue;
    const parsed = parse(state, context);
    if ('errors' in parsed) {
      for (const error of parsed.errors) own(state, 'FORMAT', 'rejected', error.column, `FORMAT – ${error.message}`);
      continue;
    }
    state.entries = parsed.entries;
    for (const dropped of parsed.dropped) {
      const shown = columnIn(fileOf(state.row), dropped);
      const onColumn = state.own.filter((i) => i.severity === 'warning' && i.column === shown);
      // The warning that quotes the value (a code-list rule's) is the one the note belongs to.
      const warning =
        onColumn.find((i) => i.message.endsWith(`is "${state.row.cells[dropped]}"`)) ??
        onColumn[0] ??
        state.own.find((i) => i.severity === 'warning');
      if (warning) warning.message += ` (${shown} is not stored: left blank, as not known)`;
    }
  }

  // 3. A second row with the same natural key is refused; the first is kept.
  const firstOf = new Map<string, RowState>();
  for (const state of states) {
    if (state.rejected || !state.entries) continue;
    const k = state.format
      ? `${state.row.table}|${naturalKey(state.format, state.entries[0]!.record)}`
      : `${state.row.table}|${annexKey(state)}`;
    const first = firstOf.get(k);
    if (!first) {
      firstOf.set(k, state);
      continue;
    }
    const keyWords = state.format
      ? describeNaturalKey(state.format, (column) => columnIn(fileOf(state.row), column))
      : 'child and date started to be looked after';
    const firstFile = fileOf(first.row);
    const where = `${firstFile.name === fileOf(state.row).name ? '' : `${firstFile.name} `}${first.row.element ?? `line ${first.row.line}`}`;
    own(
      state,
      'DUPLICATE',
      'rejected',
      null,
      `DUPLICATE – the row repeats ${where} (same ${keyWords}): only the first is kept`,
    );
  }

  // 4. What a rejected row takes down with it, grouped under it.
  const ssda903States = states.filter((s) => s.ssda903Row);
  const header = ssda903States.find((s) => s.ssda903Row!.table === 'Header');
  if (header?.rejected && !stored?.hasChild) {
    const followers = ssda903States.filter((s) => s !== header && !s.rejected);
    if (followers.length > 0) {
      const cause = header.own.find((i) => i.severity === 'rejected') ?? { rule: 'YEAR' };
      for (const s of followers) s.heldBack = true;
      issues.push(
        ...heldBackIssues(
          followers,
          cause,
          `the child's Header row (${placeOfRow(header.row, fileOf)}) was rejected, and the store holds no record of this child`,
          issue,
        ),
      );
    }
  }
  const episodes = states.filter((s) => s.ssda903Row?.table === 'Episodes');
  const rejectedEpisode = episodes.find((s) => s.rejected);
  if (rejectedEpisode) {
    const followers = episodes.filter((s) => !s.rejected && !s.heldBack);
    const cause = rejectedEpisode.own.find((i) => i.severity === 'rejected')!;
    for (const s of followers) s.heldBack = true;
    if (followers.length > 0) {
      issues.push(
        ...heldBackIssues(
          followers,
          cause,
          `another episode of the child (${placeOfRow(rejectedEpisode.row, fileOf)}) was rejected, and a period of care is never stored with a gap`,
          issue,
        ),
      );
    }
  }

  // 5. Each review inside a period of care: this import's episodes when it holds the child's, else the store's.
  const importedEpisodes = episodes
    .filter((s) => !s.rejected && !s.heldBack)
    .map((s) => s.entries![0]!.record as Episode);
  const episodesHere = episodes.length > 0 && !rejectedEpisode;
  const knownEpisodes = episodesHere ? importedEpisodes : [...(stored?.episodes ?? [])];
  const periods = periodsOfCare(knownEpisodes as Episode[]);
  const unplaced: RowState[] = [];
  for (const state of states) {
    if (state.rejected || state.heldBack || !state.entries) continue;
    if (state.row.table !== 'reviews' && state.row.table !== 'review_details') continue;
    const reviewDate = (state.entries[0]!.record as { reviewDate: string }).reviewDate;
    if (!periodContaining(periods, reviewDate)) unplaced.push(state);
  }
  if (unplaced.length > 0) {
    for (const s of unplaced) s.heldBack = true;
    if (rejectedEpisode && knownEpisodes.length === 0) {
      const cause = rejectedEpisode.own.find((i) => i.severity === 'rejected')!;
      const because = (count: number) =>
        `${count === 1 ? 'it falls' : 'they fall'} in no period of care once the rejected episode (${placeOfRow(rejectedEpisode.row, fileOf)}) and the child's other episodes are left out`;
      issues.push(...heldBackIssues(unplaced, cause, because, issue, 'could not be placed in a period of care'));
    } else {
      const spans = periods
        .map((p) => `${longDate(p.startDate)} to ${p.endDate ? longDate(p.endDate) : 'now'}`)
        .join('; ');
      const why =
        knownEpisodes.length === 0
          ? 'no episodes are known for this child: import the episodes with the reviews, or before them'
          : rejectedEpisode
            ? `the child's episodes in this import were left out (${placeOfRow(rejectedEpisode.row, fileOf)} was rejected), and the stored periods of care are ${spans}`
            : `the child's periods of care are ${spans}`;
      for (const group of groupByTable(unplaced).values()) {
        const first = group[0]!.row;
        const dates = group.map((s) => longDate((s.entries![0]!.record as { reviewDate: string }).reviewDate));
        const noun = group.length === 1 ? 'review' : 'reviews';
        const lines = linesOf(group.map((s) => s.row));
        issues.push(
          issue(
            first,
            'NO-PERIOD',
            'rejected',
            'REVIEW',
            `NO-PERIOD – ${group.length} ${noun} of child ${key} (${lines}, on ${list(dates)}) ${group.length === 1 ? 'falls' : 'fall'} in no period of care: ${why}`,
            group.length,
          ),
        );
      }
    }
  }

  // 6. The outcome: each row's own issues in file order, then the groups.
  const accepted: GroupOutcome['accepted'] = [];
  const rejected: ReadRow[] = [];
  const warned: ReadRow[] = [];
  const ownIssues: ReportedIssue[] = [];
  for (const state of states) {
    ownIssues.push(...state.own);
    if (state.rejected || state.heldBack || !state.entries) rejected.push(state.row);
    else {
      accepted.push({ row: state.row, entries: state.entries });
      if (state.own.length > 0) warned.push(state.row);
    }
  }
  return { accepted, rejected, warned, issues: [...ownIssues, ...issues] };

  function childOf(row: ReadRow): string | null {
    return key.startsWith('worker:') ? null : (row.cells.CHILD ?? row.cells.childId ?? key) || null;
  }
}

/** The rows a cause held back, one issue per table: "→ 12 reviews of child C123 not imported: …". */
function heldBackIssues(
  followers: readonly RowState[],
  cause: { rule: string },
  because: string | ((count: number) => string),
  issue: (
    row: ReadRow,
    rule: string,
    severity: IssueSeverity,
    column: string | null,
    message: string,
    count?: number,
  ) => ReportedIssue,
  what = 'not imported',
): ReportedIssue[] {
  return [...groupByTable(followers)].map(([table, group]) => {
    const noun = NOUNS[table] ?? ['row', 'rows'];
    const child = group[0]!.row.cells.CHILD ?? '';
    return issue(
      group[0]!.row,
      cause.rule,
      'not imported',
      null,
      `${cause.rule} → ${group.length} ${group.length === 1 ? noun[0] : noun[1]} of child ${child} (${linesOf(group.map((s) => s.row))}) ${what}: ${typeof because === 'string' ? because : because(group.length)}`,
      group.length,
    );
  });
}

const NOUNS: Record<string, [string, string]> = {
  episodes: ['episode', 'episodes'],
  reviews: ['review', 'reviews'],
  review_details: ['review', 'reviews'],
  header: ['Header row', 'Header rows'],
  oc2: ['OC2 row', 'OC2 rows'],
  oc3: ['OC3 row', 'OC3 rows'],
  ad1: ['AD1 row', 'AD1 rows'],
  missing: ['missing episode', 'missing episodes'],
  uasc: ['UASC row', 'UASC rows'],
  placed_for_adoption: ['decision to place for adoption', 'decisions to place for adoption'],
  previous_permanence: ['previous permanence row', 'previous permanence rows'],
  sw_episodes: ['social worker episode', 'social worker episodes'],
  dolo: ['deprivation of liberty', 'deprivations of liberty'],
};

function groupByTable(states: readonly RowState[]): Map<string, RowState[]> {
  const byTable = new Map<string, RowState[]>();
  for (const state of states) byTable.set(state.row.table, [...(byTable.get(state.row.table) ?? []), state]);
  return byTable;
}

/** "line 12", "lines 4, 5 and 9", "CHILD[3]/HEADER/AREVIEW[1] and 2 more". */
function linesOf(rows: readonly ReadRow[]): string {
  if (rows.every((r) => r.line !== null && r.element === null)) {
    const lines = rows.map((r) => String(r.line));
    return lines.length === 1
      ? `line ${lines[0]}`
      : `lines ${list(lines.length > 8 ? [...lines.slice(0, 8), `${lines.length - 8} more`] : lines)}`;
  }
  const first = rows[0]!;
  const place = first.element ?? `line ${first.line}`;
  return rows.length === 1 ? place : `${place} and ${rows.length - 1} more`;
}

function placeOfRow(row: ReadRow, fileOf: (row: ReadRow) => ImportedFile): string {
  return `${fileOf(row).name} ${row.element ?? `line ${row.line}`}`;
}

function list(items: readonly string[]): string {
  return items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`;
}

function annexKey(state: RowState): string {
  const summary = state.entries!.find((e) => e.kind === 'careSummary');
  return summary
    ? `${(summary.record as { childId: string }).childId}|${(summary.record as { periodStart: string }).periodStart}`
    : String(state.row.line);
}

/** A row into its records, or its errors; with the columns whose warned value had to be dropped. */
function parse(
  state: RowState,
  context: GroupContext,
): { entries: UpsertEntry[]; dropped: string[] } | { errors: { column: string | null; message: string }[] } {
  const { row } = state;
  const file = context.files[row.file]!;
  if (!state.format) {
    const outcome = annexRow(row.cells, file.annex!, { file: file.name, line: row.line ?? 0 });
    return 'errors' in outcome ? { errors: outcome.errors } : { entries: outcome.entries, dropped: [] };
  }
  const format = state.format;
  const columnName = (column: string) => columnIn(file, column);
  const where = { file: file.name, line: row.line ?? 0 };
  let cells = row.cells;
  const dropped: string[] = [];
  for (;;) {
    const outcome = validateRow(format, cells, where, context.formats, columnName);
    if (outcome.ok) return { entries: [outcome.record], dropped };
    // A value the DfE's rules only warned about is left blank rather than losing the row.
    const droppable = outcome.errors
      .map((e) => e.column && Object.keys(cells).find((c) => columnName(c) === e.column))
      .filter((c): c is string => !!c && state.warnedColumns.has(c) && cells[c] !== '');
    if (droppable.length === 0 || droppable.length < outcome.errors.length) return { errors: outcome.errors };
    cells = { ...cells, ...Object.fromEntries(droppable.map((c) => [c, ''])) };
    dropped.push(...droppable);
  }
}

/** The meaning of an importer check, for the report. */
export const checkMeaning = (check: ImportCheck): string => IMPORT_CHECKS[check];
