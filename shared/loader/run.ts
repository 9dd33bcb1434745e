/**
 * One import, in two passes. Reading: every file's rows are read (CSV, XML, xlsx alike), counted and
 * spooled by child; what the return says about its year is noted. Judging: the collection year is
 * settled (stated, or inferred from the data), then each child's rows — from every file together —
 * are judged by the year's DfE rules and the importer's own checks, and the good ones are upserted
 * in batches by natural key. Memory stays bounded by the spool's buffers and one partition of children.
 */
import {
  collectionEnd,
  collectionYearContaining,
  collectionYearEnding,
  collectionYearStarting,
  RULE_YEARS,
  ruleYearFor,
  startYearOf,
  type CollectionYear,
} from '#domain/collection-year';
import { keysOf } from '#store/keys';
import type { RecordStore, UpsertEntry } from '#store/record-store';
import { codeSet, describeCode, isCode, listCodes } from '#ssda903/code-sets';
import { ruleFor } from '#ssda903/judge';
import { longDate, parseReturnDate, returnContext, type ReturnContext, type Ssda903Table } from '#ssda903/return';
import { meaningIn } from '#ssda903/rule';
import { UpnIndex } from '#ssda903/rules/header';
import { codeCell } from './cells.ts';
import { formatNamed, IMPORT_FORMATS, type ImportContext } from './formats.ts';
import { IMPORT_CHECKS, type ImportCheck, type ImportIssue, type RuleCount } from './issues.ts';
import {
  groupKeyOf,
  judgeGroup,
  type GroupContext,
  type YearCode,
  type ImportedFile,
  type ReadRow,
  type ReportedIssue,
  type StoredChild,
} from './judge-group.ts';
import { lastYearOf } from './last-year.ts';
import type { FileReading, ReadSink } from './read-sink.ts';
import { PARTITIONS, RowSpool } from './spool.ts';

/** What happened to the rows of one table (a format; for Annex A, the List 8 rows). */
export interface TableCounts {
  /** Rows read. */
  rows: number;
  /** Rows imported (warnings included). */
  accepted: number;
  /** Rows not imported: their own fault, or held back by another's. */
  rejected: number;
  /** Rows imported with a warning. */
  warned: number;
  /** Stored records created, updated and left unchanged by the accepted rows. */
  created: number;
  updated: number;
  unchanged: number;
}

/** What happened to one file: what reading found (its format, encoding, delimiter, sheets, or why it was refused), and the counts. */
export interface FileReport extends TableCounts, Omit<FileReading, 'annex' | 'name'> {
  file: string;
  tables: Record<string, TableCounts>;
}

/** The collection year the import was judged as, and how it was known. */
export interface YearDecision {
  year: CollectionYear;
  /** Stated by the QA lead, or inferred from the data. */
  how: 'stated' | 'inferred';
  /** Why, in plain words: "the latest date in the return is 31 March 2026 (DEC, episodes.csv)". */
  reason: string;
  /** The year whose rules were applied (the nearest the importer knows, for a year outside them). */
  rulesOf: CollectionYear;
}

export interface LoadReport {
  files: FileReport[];
  /** The first `maxErrorsKept` issues; all are counted in errorCount and warningCount (and passed to onIssue). */
  errors: ImportIssue[];
  /** Issues that kept rows out (rejected, and rows held back). */
  errorCount: number;
  warningCount: number;
  /** Issues per rule and severity, most rows first. */
  rules: RuleCount[];
  /** Null when the import holds no SSDA903 table. */
  year: YearDecision | null;
}

export interface LoadOptions {
  authorityId: string;
  context?: ImportContext;
  /** Records per store write. */
  batchSize?: number;
  /** Issues kept in the report (all are counted). */
  maxErrorsKept?: number;
  /** The day the import runs (years are inferred from dates up to it); today by default. */
  today?: string;
  /** Progress: rows read (reading), then rows judged and written (writing), of the whole import. */
  onProgress?: (progress: {
    phase: 'reading' | 'writing';
    file: string;
    rows: number;
    totalRows: number;
  }) => void | Promise<void>;
  /** Every issue, as it is found (the import job streams them to its errors CSV). */
  onIssue?: (issue: ImportIssue) => void;
  /** False skips the DfE's rules (the importer's own checks still run): for the benchmark's side-by-side measure of their cost only. */
  dfeRules?: boolean;
}

/** Per SSDA903 format, the columns read in upper case as the DfE reads them: the child's id and every coded cell. */
const UPPER_CASE_COLUMNS = new Map(
  IMPORT_FORMATS.filter((f) => f.table).map((f) => [
    f.name,
    [
      'CHILD',
      ...Object.entries(f.cells)
        .filter(([, parser]) => parser === codeCell)
        .map(([column]) => column),
    ],
  ]),
);

const emptyCounts = (): TableCounts => ({
  rows: 0,
  accepted: 0,
  rejected: 0,
  warned: 0,
  created: 0,
  updated: 0,
  unchanged: 0,
});
/** A row as spooled: [file, table, line, element, cells]. */
type SpooledRow = [number, string, number | null, string | null, Record<string, string>];

const CACHE_LOOKUPS = 8;
/** Write batches in flight at once: judging the next children overlaps the store's work on the last. */
const WRITES_IN_FLIGHT = 2;
/**
 * The fields whose codes changed between years, checked for a file that holds another year's codes:
 * one YEAR issue for the file in place of the code rule's issue on every row, as severe as that rule
 * (a sex code rejects the row; a placement type, only a warning, keeps it).
 */
const YEAR_SENSITIVE: readonly {
  table: string;
  column: string;
  field: 'SEX' | 'PLACE';
  rule: string | null;
  what: string;
}[] = [
  { table: 'header', column: 'SEX', field: 'SEX', rule: '101', what: 'sex codes' },
  // UASC repeats the Header's sex; no audit reads it there (the Header's is the child's).
  { table: 'uasc', column: 'SEX', field: 'SEX', rule: null, what: 'sex codes' },
  { table: 'episodes', column: 'PLACE', field: 'PLACE', rule: '146', what: 'placement types' },
];

/** Event dates that place a return in its year (not dates of birth). */
const EVENT_DATES: Record<string, readonly string[]> = {
  episodes: ['DECOM', 'DEC'],
  reviews: ['REVIEW'],
  missing: ['MIS_START', 'MIS_END'],
  sw_episodes: ['SW_DECOM', 'SW_DEC'],
  placed_for_adoption: ['DATE_PLACED', 'DATE_PLACED_CEASED'],
  ad1: ['DATE_INT', 'DATE_MATCH'],
  dolo: ['DOLO_START', 'DOLO_END'],
};

export class ImportRun {
  readonly report: LoadReport = { files: [], errors: [], errorCount: 0, warningCount: 0, rules: [], year: null };
  private readonly readings: FileReading[] = [];
  private readonly spool = new RowSpool();
  private readonly tally = new Map<string, RuleCount>();
  private totalRows = 0;
  private judgedRows = 0;
  /**
   * The latest event date of the return up to today, and where it is: of the episodes when there are
   * any (a return holds every episode open in its year, so its year is the one its last episode date
   * falls in), else of the other dated tables.
   */
  private latest: { episodes: boolean; date: string; file: string; column: string } | null = null;
  /** Per file and year-sensitive column: how many rows hold each code. */
  private readonly codesSeen = new Map<string, Map<string, { count: number; lines: string[] }>>();
  /** Every Header row's UPN, to tell whose is shared (rule 444). */
  private readonly upns = new UpnIndex();
  private storeHeldRecords: Promise<boolean> | null = null;

  constructor(
    readonly store: RecordStore,
    readonly options: LoadOptions,
  ) {}

  /** Asks the store once, before this import writes anything, whether it held records of the authority. */
  storeHeldRecordsAtStart(): Promise<boolean> {
    this.storeHeldRecords ??= this.store.holdsRecords(this.options.authorityId);
    return this.storeHeldRecords;
  }

  /** Starts reading one file: the reader hands its rows to the sink returned. */
  beginFile(name: string, kind: FileReading['kind']): ReadSink {
    const index = this.readings.length;
    const reading: FileReading = { name, kind, format: null };
    const report: FileReport = { file: name, kind, format: null, tables: {}, ...emptyCounts() };
    this.readings.push(reading);
    this.report.files.push(report);
    let rowsRead = 0;
    const run = this;
    const count = (table: string) => {
      rowsRead += 1;
      run.totalRows += 1;
      report.rows += 1;
      (report.tables[table] ??= emptyCounts()).rows += 1;
    };
    return {
      file: reading,
      get rowsRead() {
        return rowsRead;
      },
      async row(row) {
        // Child ids match whatever their case; the DfE reads the return's codes in upper case too.
        for (const column of UPPER_CASE_COLUMNS.get(row.table) ?? ['CHILD'])
          if (row.cells[column] !== undefined) row.cells[column] = row.cells[column]!.toUpperCase();
        count(row.table);
        run.notice(index, row);
        await run.spool.add(groupKeyOf(row.table, row.cells), [
          index,
          row.table,
          row.line,
          row.element,
          row.cells,
        ] satisfies SpooledRow);
        if (rowsRead % 5_000 === 0)
          await run.options.onProgress?.({ phase: 'reading', file: name, rows: rowsRead, totalRows: run.totalRows });
      },
      refuseRow(row, check, column, message) {
        count(row.table);
        report.rejected += 1;
        report.tables[row.table]!.rejected += 1;
        run.addIssue({
          file: name,
          line: row.line,
          element: row.element,
          child: row.cells.CHILD?.toUpperCase() || null,
          column,
          rule: check,
          severity: 'rejected',
          message,
          table: row.table,
          rows: 1,
        });
      },
      note(note) {
        run.addIssue({ file: name, child: null, severity: 'warning', table: '', rows: 0, ...note });
      },
    };
  }

  /** A file read to its end: progress says so (reading a small file reports nothing else). */
  async fileRead(sink: ReadSink): Promise<void> {
    await this.options.onProgress?.({
      phase: 'reading',
      file: sink.file.name,
      rows: sink.rowsRead,
      totalRows: this.totalRows,
    });
  }

  /** What reading a row tells the run: the return's latest date, year-sensitive codes, UPNs. */
  private notice(file: number, row: Omit<ReadRow, 'file'>): void {
    const episodes = row.table === 'episodes';
    for (const column of EVENT_DATES[row.table] ?? []) {
      const date = parseReturnDate(row.cells[column] ?? '');
      if (!date || date > this.today) continue;
      const later =
        !this.latest ||
        (episodes && !this.latest.episodes) ||
        (episodes === this.latest.episodes && date > this.latest.date);
      if (later) this.latest = { episodes, date, file: this.readings[file]!.name, column };
    }
    for (const sensitive of YEAR_SENSITIVE) {
      if (sensitive.table !== row.table) continue;
      const code = row.cells[sensitive.column] ?? '';
      if (code === '') continue;
      const key = `${file}|${sensitive.table}|${sensitive.column}`;
      const codes = this.codesSeen.get(key) ?? new Map<string, { count: number; lines: string[] }>();
      this.codesSeen.set(key, codes);
      const seen = codes.get(code) ?? { count: 0, lines: [] };
      seen.count += 1;
      if (seen.lines.length < 8) seen.lines.push(row.element ?? String(row.line));
      codes.set(code, seen);
    }
    if (row.table === 'header') this.upns.add(row);
  }

  private get today(): string {
    return this.options.today ?? new Date().toISOString().slice(0, 10);
  }

  /** Counts and hands on one issue. */
  addIssue(issue: ReportedIssue): void {
    const { table, rows, ...reported } = issue;
    if (issue.severity === 'warning') this.report.warningCount += 1;
    else this.report.errorCount += 1;
    if (this.report.errors.length < (this.options.maxErrorsKept ?? 10_000)) this.report.errors.push(reported);
    this.options.onIssue?.(reported);
    const key = `${issue.rule}|${issue.severity}`;
    const counted = this.tally.get(key) ?? {
      rule: issue.rule,
      severity: issue.severity,
      meaning: this.meaningOf(issue.rule),
      issues: 0,
      rows: 0,
      tables: [],
    };
    counted.issues += 1;
    counted.rows += rows;
    if (table && !counted.tables.includes(table)) counted.tables.push(table);
    this.tally.set(key, counted);
  }

  private meaningOf(rule: string): string {
    if (Object.hasOwn(IMPORT_CHECKS, rule)) return IMPORT_CHECKS[rule as ImportCheck];
    const year = this.report.year?.year;
    const dfe = year ? ruleFor(rule, year) : undefined;
    return dfe && year ? meaningIn(dfe, year) : rule;
  }

  /** The collection year: the QA lead's, or inferred from the data; null when the import holds no SSDA903 table. */
  private decideYear(tables: ReadonlySet<Ssda903Table>): YearDecision | null {
    if (tables.size === 0) return null;
    const stated =
      this.options.context?.collectionYear ??
      (this.options.context?.yearEnding ? collectionYearEnding(this.options.context.yearEnding) : undefined);
    const rulesOf = (year: CollectionYear) => ruleYearFor(year);
    if (stated)
      return { year: stated, how: 'stated', reason: 'stated when the import was started', rulesOf: rulesOf(stated) };
    if (this.latest) {
      const year = collectionYearContaining(this.latest.date);
      const what = this.latest.episodes ? 'the latest episode date' : 'the latest date';
      return {
        year,
        how: 'inferred',
        reason: `${what} in the return is ${longDate(this.latest.date)} (${this.latest.column} in ${this.latest.file})`,
        rulesOf: rulesOf(year),
      };
    }
    // No dates (a Header alone): the sex codes tell old returns from new; else the last year ended.
    const sexCodes = [...this.codesSeen]
      .filter(([key]) => key.endsWith('|header|SEX'))
      .flatMap(([, codes]) => [...codes]);
    const rowsWith = (codes: readonly string[]) =>
      sexCodes.filter(([code]) => codes.includes(code)).reduce((n, [, seen]) => n + seen.count, 0);
    const current = collectionYearContaining(this.today);
    const previous = collectionYearStarting(startYearOf(current) - 1);
    if (rowsWith(['1', '2']) > rowsWith(['M', 'F', 'U'])) {
      return {
        year: '2023-24',
        how: 'inferred',
        reason: 'the return has no dates, and its sex codes 1 and 2 were last used in 2023-24',
        rulesOf: '2023-24',
      };
    }
    return {
      year: previous,
      how: 'inferred',
      reason: `the return has no dates: taken as the last year that has ended, ${previous}`,
      rulesOf: rulesOf(previous),
    };
  }

  /** For each file, the year-sensitive codes it holds that belong to another year: one YEAR issue per file and column. */
  private yearCodeProblems(year: CollectionYear): Map<string, { codes: Set<string>; code: YearCode }> {
    const refused = new Map<string, { codes: Set<string>; code: YearCode }>();
    for (const [key, codes] of this.codesSeen) {
      const [file, tableName, column] = key.split('|') as [string, string, string];
      const sensitive = YEAR_SENSITIVE.find((s) => s.table === tableName && s.column === column)!;
      const field = sensitive.field;
      const reading = this.readings[Number(file)]!;
      const others = [...codes.keys()].filter(
        (code) => !isCode(field, year, code) && RULE_YEARS.some((y) => isCode(field, y, code)),
      );
      if (others.length === 0) continue;
      const reject = sensitive.rule !== null && ruleFor(sensitive.rule, year)?.severity === 'reject';
      refused.set(key, { codes: new Set(others), code: { rule: sensitive.rule, reject } });
      // This year's codes that tell the file's years apart (M and F against 1 and 2; Z11 against Z1), not those every year has.
      const theirYears = RULE_YEARS.filter((y) => others.some((code) => isCode(field, y, code)));
      const ours = [...codes.keys()]
        .filter((code) => isCode(field, year, code) && !theirYears.some((y) => isCode(field, y, code)))
        .sort();
      const count = (list: readonly string[]) => list.reduce((n, code) => n + codes.get(code)!.count, 0);
      const theirs = count(others);
      const lines = others
        .flatMap((code) => codes.get(code)!.lines)
        .sort((x, y) => (Number(x) || 0) - (Number(y) || 0) || x.localeCompare(y))
        .slice(0, 8);
      const thisYearCodes = Object.keys(codeSet(field, year));
      // A long list is named in full only for what replaced the codes found (Z1 → Z11–Z14).
      const thisYear =
        thisYearCodes.length <= 6 ? thisYearCodes.map((code) => describeCode(field, code)) : [listCodes(field, year)];
      const byYears = new Map<string, string[]>();
      for (const code of [...others].sort())
        byYears.set(yearsOfCode(field, code), [...(byYears.get(yearsOfCode(field, code)) ?? []), code]);
      const otherWords = [...byYears].map(([years, list]) => `${and(list)} (the codes of ${years})`).join(' and ');
      const what = sensitive.what;
      const rows = (n: number) => `${n} ${n === 1 ? 'row' : 'rows'}`;
      const where = `${reading.kind === 'xml' ? 'at ' : lines.length === 1 ? 'line ' : 'lines '}${lines.join(', ')}${theirs > lines.length ? ', …' : ''}`;
      const table = sensitive.table;
      const found =
        ours.length > 0
          ? `mixes the ${what} of two collection years: ${and(ours)} (${year}'s) on ${rows(count(ours))}, and ${otherWords} on ${rows(theirs)} (${where})`
          : `uses ${otherWords} on ${rows(theirs)} (${where})`;
      const outcome = reject
        ? `the ${rows(theirs)} with ${or(others.sort())} ${theirs === 1 ? 'is' : 'are'} not imported`
        : `the ${rows(theirs)} with ${or(others.sort())} ${theirs === 1 ? 'is' : 'are'} imported with the code as given`;
      this.addIssue({
        file: reading.name,
        line: null,
        element: null,
        child: null,
        column,
        rule: 'YEAR',
        severity: reject ? 'rejected' : 'warning',
        table,
        rows: theirs,
        message: `YEAR – the file ${found}. The ${year} return's ${what} are ${and(thisYear)}: ${outcome}. Correct the codes, or import the file as the year it is for`,
      });
    }
    return refused;
  }

  /** Judges every child's rows and writes the good ones; call once, after every file has been read. */
  async judgeAndWrite(): Promise<LoadReport> {
    const tables = new Set<Ssda903Table>();
    for (const report of this.report.files)
      for (const name of Object.keys(report.tables)) {
        const table = IMPORT_FORMATS.find((f) => f.name === name)?.table;
        if (table) tables.add(table);
      }
    const year = this.decideYear(tables);
    this.report.year = year;
    const ssda903: ReturnContext | null =
      year && this.options.dfeRules !== false
        ? returnContext(year.year, tables, this.readings.some((r) => r.kind === 'xml') ? 'xml' : 'csv')
        : null;
    const yearCodes = year
      ? this.yearCodeProblems(year.year)
      : new Map<string, { codes: Set<string>; code: YearCode }>();
    const files: ImportedFile[] = this.readings.map((r) => ({
      name: r.name,
      kind: r.kind,
      ...(r.annex ? { annex: r.annex } : {}),
    }));
    const context: GroupContext = {
      files,
      ssda903,
      formats: { ...this.options.context, ...(year ? { yearEnding: collectionEnd(year.year) } : {}) },
      upns: this.upns,
      yearCode: (row) => {
        for (const sensitive of YEAR_SENSITIVE) {
          if (sensitive.table !== row.table) continue;
          const found = yearCodes.get(`${row.file}|${sensitive.table}|${sensitive.column}`);
          if (found?.codes.has(row.cells[sensitive.column] ?? '')) return found.code;
        }
        return undefined;
      },
    };
    const writer = new Writer(this.store, this.options, this.report.files);
    try {
      for (let partition = 0; partition < PARTITIONS; partition += 1) {
        const groups = new Map<string, ReadRow[]>();
        for (const spooled of (await this.spool.partition(partition)) as SpooledRow[]) {
          const [file, table, line, element, cells] = spooled;
          const row: ReadRow = { file, table, line, element, cells };
          const key = groupKeyOf(table, cells);
          const group = groups.get(key);
          if (group) group.push(row);
          else groups.set(key, [row]);
        }
        const stored = await this.storedChildren(
          [...groups.keys()].filter((key) => !key.startsWith('worker:')),
          year?.year ?? null,
        );
        for (const [key, rows] of groups) {
          const outcome = judgeGroup(key, rows, stored.get(key) ?? null, context);
          for (const issue of outcome.issues) this.addIssue(issue);
          for (const row of outcome.rejected) this.count(row, 'rejected');
          for (const row of outcome.warned) this.count(row, 'warned');
          for (const { row, entries } of outcome.accepted) {
            this.count(row, 'accepted');
            await writer.add(row, entries);
          }
          this.judgedRows += rows.length;
        }
        await writer.flush(false);
        await this.options.onProgress?.({
          phase: 'writing',
          file: '',
          rows: this.judgedRows,
          totalRows: this.totalRows,
        });
      }
      await writer.flush(true);
    } finally {
      await this.spool.close();
    }
    this.report.rules = [...this.tally.values()].sort(
      (a, b) => b.rows - a.rows || b.issues - a.issues || a.rule.localeCompare(b.rule),
    );
    this.report.files.forEach((report, i) => {
      const { name: _name, annex: _annex, ...read } = this.readings[i]!;
      Object.assign(report, read);
    });
    return this.report;
  }

  private count(row: ReadRow, what: 'accepted' | 'rejected' | 'warned'): void {
    const report = this.report.files[row.file]!;
    report[what] += 1;
    (report.tables[row.table] ??= emptyCounts())[what] += 1;
  }

  /** What the store held of each child when the import began (nothing is asked of an empty store). */
  private async storedChildren(
    keys: readonly string[],
    year: CollectionYear | null,
  ): Promise<Map<string, StoredChild>> {
    const found = new Map<string, StoredChild>();
    if (keys.length === 0 || !(await this.storeHeldRecordsAtStart())) return found;
    let next = 0;
    await Promise.all(
      Array.from({ length: Math.min(CACHE_LOOKUPS, keys.length) }, async () => {
        while (next < keys.length) {
          const key = keys[next++]!;
          const records = await this.store.getChildRecords(this.options.authorityId, key);
          if (!records) continue;
          found.set(key, {
            hasChild: records.child !== null,
            episodes: records.episodes,
            previous: year ? lastYearOf(records, year, `${startYearOf(year)}-04-01`) : null,
          });
        }
      }),
    );
    return found;
  }
}

const and = (items: readonly string[]) =>
  items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`;
const or = (items: readonly string[]) =>
  items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} or ${items.at(-1)}`;

/** The years a code belongs to, in words: "returns up to 2023-24", "returns from 2024-25". */
function yearsOfCode(field: 'SEX' | 'PLACE', code: string): string {
  const years = RULE_YEARS.filter((y) => isCode(field, y, code));
  if (years.length === 0) return 'no year';
  return years[0] === '2022-23' ? `returns up to ${years.at(-1)}` : `returns from ${years[0]}`;
}

/** Accepted rows' records on their way to the store, in batches, counted back to their file and table. */
class Writer {
  private pending: { file: number; table: string; entries: UpsertEntry[] }[] = [];
  private pendingRecords = 0;
  private readonly inFlight: { ids: Set<string>; done: Promise<void> }[] = [];
  private failure: unknown = null;

  constructor(
    private readonly store: RecordStore,
    private readonly options: LoadOptions,
    private readonly reports: FileReport[],
  ) {}

  async add(row: ReadRow, entries: UpsertEntry[]): Promise<void> {
    // A row's records travel in one write batch, so a row is never split across two writes.
    this.pending.push({ file: row.file, table: row.table, entries });
    this.pendingRecords += entries.length;
    if (this.pendingRecords >= (this.options.batchSize ?? 500)) await this.flush(false);
  }

  /** Starts writing the pending batch; with `wait`, also waits for every write to finish. */
  async flush(wait: boolean): Promise<void> {
    if (this.pendingRecords > 0) {
      const batch = this.pending;
      this.pending = [];
      this.pendingRecords = 0;
      const ids = new Set(
        batch.flatMap(({ entries }) => entries.map((entry) => itemId(this.options.authorityId, entry))),
      );
      // Rows for the same item are applied in order: wait for any batch in flight that touches one of these items.
      for (const other of [...this.inFlight]) if ([...ids].some((id) => other.ids.has(id))) await this.settle(other);
      while (this.inFlight.length >= WRITES_IN_FLIGHT) await this.settle(this.inFlight[0]!);
      this.inFlight.push({ ids, done: this.write(batch).catch((error: unknown) => void (this.failure ??= error)) });
    }
    if (wait) while (this.inFlight.length > 0) await this.settle(this.inFlight[0]!);
    if (this.failure) throw this.failure;
  }

  private async settle(write: { ids: Set<string>; done: Promise<void> }): Promise<void> {
    await write.done;
    const index = this.inFlight.indexOf(write);
    if (index >= 0) this.inFlight.splice(index, 1);
    if (this.failure) throw this.failure;
  }

  private async write(batch: { file: number; table: string; entries: UpsertEntry[] }[]): Promise<void> {
    const groups = new Map<string, { file: number; table: string; entries: UpsertEntry[] }>();
    for (const { file, table, entries } of batch) {
      const key = `${file}|${table}`;
      const group = groups.get(key) ?? { file, table, entries: [] };
      group.entries.push(...entries);
      groups.set(key, group);
    }
    for (const { file, table, entries } of groups.values()) {
      const summary = await this.store.upsertRecords(this.options.authorityId, entries);
      const report = this.reports[file]!;
      for (const target of [(report.tables[table] ??= emptyCounts()), report]) {
        target.created += summary.created;
        target.updated += summary.updated;
        target.unchanged += summary.unchanged;
      }
    }
  }
}

/** The table item an entry writes: the unit two writes must not race on. */
function itemId(authorityId: string, entry: UpsertEntry): string {
  const keys = keysOf(authorityId, entry);
  return `${keys.pk}\u0000${keys.sk}`;
}

export { formatNamed };
