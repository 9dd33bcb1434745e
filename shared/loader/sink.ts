/**
 * Where every importer's validated rows go: duplicates within a file refused, cross-row rules
 * checked (this import's children and episodes first, the store's after), good rows upserted in
 * batches by natural key, and everything counted per file and per table. One path for CSV, XML
 * and xlsx, so a row is judged the same whatever file it came in.
 */
import { keysOf } from '#store/keys';
import type { RecordStore, UpsertEntry } from '#store/record-store';
import { reviewProblems, type ChildFacts, type EpisodeSpan, type ReviewAssertion } from './cross-row.ts';
import type { ImportContext } from './formats.ts';
import type { RowError } from './validate-row.ts';

/** What happened to the rows of one table (a format; for Annex A, the List 8 rows). */
export interface TableCounts {
  /** Rows read. */
  rows: number;
  /** Rows that passed every check and were written. */
  accepted: number;
  /** Rows reported and not applied. */
  rejected: number;
  /** Stored records created, updated and left unchanged by the accepted rows. */
  created: number;
  updated: number;
  unchanged: number;
}

/** What happened to one file. `refused` says why the file (or what was left of it) could not be read at all. */
export interface FileReport extends TableCounts {
  file: string;
  /** The recognised format: a CSV format's name, `ssda903-xml` or `annex-a-list-8`; null when refused before recognition. */
  format: string | null;
  refused?: string;
  tables: Record<string, TableCounts>;
}

export interface LoadReport {
  files: FileReport[];
  /** The first `maxErrorsKept` errors; all are counted in errorCount (and passed to onError). */
  errors: RowError[];
  errorCount: number;
}

export interface LoadOptions {
  authorityId: string;
  context?: ImportContext;
  /** Records per store write. */
  batchSize?: number;
  /** Row errors kept in the report (all are counted). */
  maxErrorsKept?: number;
  /** Called after each write with the rows read so far (of the file, and of the whole import). */
  onProgress?: (progress: { file: string; rows: number; totalRows: number }) => void | Promise<void>;
  /** Every error, as it is found (the import job streams them to its errors CSV). */
  onError?: (error: RowError) => void;
}

/** A row that passed its own validation: what it writes, and what the cross-row rules need of it. */
export interface ValidRow {
  table: string;
  where: { file: string; line: number };
  entries: UpsertEntry[];
  /** The natural key within its table; a second row with the same key in the same file is a duplicate. */
  key: string;
  /** The key in the file's own words, e.g. "CHILD and REVIEW". */
  keyDescription: string;
  /** Set for a review: checked against the child's age and periods of care before it is written. */
  review?: ReviewAssertion;
  /** What this row tells later rows of the import: a child's date of birth, an episode. */
  remember?: { childId: string; dateOfBirth?: string; episode?: EpisodeSpan };
}

const emptyCounts = (): TableCounts => ({ rows: 0, accepted: 0, rejected: 0, created: 0, updated: 0, unchanged: 0 });

/** Review rows held for a store look-up before they are judged, and children whose stored facts are cached. */
const DEFERRED_ROWS = 200;
const CACHED_CHILDREN = 5_000;
const LOOKUP_CONCURRENCY = 8;
/**
 * Write batches in flight at once: reading and validating the next batch overlaps the store's work
 * on the last. A batch touching an item that one in flight also touches waits for it, so rows for
 * one item are still applied in file order.
 */
const WRITES_IN_FLIGHT = 2;

/** One import: several files sharing what they learn of children, one error list, one store. */
export class ImportRun {
  readonly report: LoadReport = { files: [], errors: [], errorCount: 0 };
  /** What this import has accepted about each child: the date of birth and the episodes. */
  private readonly children = new Map<string, { dateOfBirth: string | null; episodes: EpisodeSpan[] }>();
  private readonly storedFacts = new Map<string, ChildFacts>();
  private totalRows = 0;
  /** Whether the store held records of the authority when this import began (asked once, lazily). */
  private storeHeldRecords: Promise<boolean> | null = null;

  constructor(
    readonly store: RecordStore,
    readonly options: LoadOptions,
  ) {}

  /** Starts the report of one file. */
  beginFile(file: string): FileLoad {
    const report: FileReport = { file, format: null, tables: {}, ...emptyCounts() };
    this.report.files.push(report);
    return new FileLoad(this, report);
  }

  addError(error: RowError): void {
    this.report.errorCount += 1;
    if (this.report.errors.length < (this.options.maxErrorsKept ?? 10_000)) this.report.errors.push(error);
    this.options.onError?.(error);
  }

  /** Asks the store once, before this import writes anything, whether it held records of the authority. */
  storeHeldRecordsAtStart(): Promise<boolean> {
    this.storeHeldRecords ??= this.store.holdsRecords(this.options.authorityId);
    return this.storeHeldRecords;
  }

  countRow(): number {
    return ++this.totalRows;
  }

  get rowsRead(): number {
    return this.totalRows;
  }

  remember(fact: NonNullable<ValidRow['remember']>): void {
    const known = this.children.get(fact.childId) ?? { dateOfBirth: null, episodes: [] };
    if (fact.dateOfBirth) known.dateOfBirth = fact.dateOfBirth;
    if (fact.episode) known.episodes.push(fact.episode);
    this.children.set(fact.childId, known);
  }

  /** The child as this import knows them, or undefined when it holds nothing about them. */
  known(childId: string): { dateOfBirth: string | null; episodes: EpisodeSpan[] } | undefined {
    return this.children.get(childId);
  }

  /** The child as the store holds them (before this import's rows of the same child), cached. */
  async stored(childIds: readonly string[]): Promise<Map<string, ChildFacts>> {
    // Asked before this import's first write, so "no records" means the store knows only what this import does.
    if (!(await this.storeHeldRecordsAtStart())) return new Map(childIds.map((id) => [id, { dateOfBirth: null, episodes: [] }]));
    const missing = [...new Set(childIds)].filter((id) => !this.storedFacts.has(id));
    let next = 0;
    await Promise.all(
      Array.from({ length: Math.min(LOOKUP_CONCURRENCY, missing.length) }, async () => {
        while (next < missing.length) {
          const childId = missing[next++]!;
          const records = await this.store.getChildRecords(this.options.authorityId, childId);
          if (this.storedFacts.size >= CACHED_CHILDREN) this.storedFacts.delete(this.storedFacts.keys().next().value!);
          this.storedFacts.set(childId, { dateOfBirth: records?.child?.dateOfBirth ?? null, episodes: records?.episodes ?? [] });
        }
      }),
    );
    return new Map(childIds.map((id) => [id, this.storedFacts.get(id)!]));
  }
}

/** One file's rows on their way to the store. */
export class FileLoad {
  private readonly seen = new Map<string, Map<string, number>>();
  private pending: { table: string; entries: UpsertEntry[] }[] = [];
  private pendingRecords = 0;
  private deferred: ValidRow[] = [];
  private readonly inFlight: { ids: Set<string>; done: Promise<void> }[] = [];
  private writeFailure: unknown = null;

  constructor(
    private readonly run: ImportRun,
    readonly report: FileReport,
  ) {}

  table(name: string): TableCounts {
    return (this.report.tables[name] ??= emptyCounts());
  }

  /** A row that failed its own validation: counted, its errors reported, nothing written. */
  reject(table: string, errors: readonly RowError[]): void {
    this.countRead(table);
    this.countRejected(table);
    errors.forEach((error) => this.run.addError(error));
  }

  /** An error about the file rather than one row (e.g. an element the return does not have). */
  note(error: RowError): void {
    this.run.addError(error);
  }

  /** A valid row: refused if it repeats an earlier row's key, otherwise judged by the cross-row rules and written. */
  async accept(row: ValidRow): Promise<void> {
    this.countRead(row.table);
    const seen = this.seen.get(row.table) ?? new Map<string, number>();
    this.seen.set(row.table, seen);
    const firstLine = seen.get(row.key);
    if (firstLine !== undefined) {
      this.countRejected(row.table);
      this.run.addError({ ...row.where, column: null, message: `duplicates line ${firstLine} (same ${row.keyDescription}); only the first is kept` });
      return;
    }
    seen.set(row.key, row.where.line);
    if (row.review) {
      const known = this.run.known(row.review.childId);
      const needsBirthDate = row.review.participationCode !== null && !row.review.dateOfBirth && !known?.dateOfBirth;
      // Decided here when this import holds the child's episodes; otherwise the store is asked, in batches.
      if (!known || known.episodes.length === 0 || needsBirthDate) {
        this.deferred.push(row);
        if (this.deferred.length >= DEFERRED_ROWS) await this.resolveDeferred();
        return;
      }
      if (!this.passes(row, { dateOfBirth: known.dateOfBirth, episodes: known.episodes })) return;
    }
    await this.take(row);
  }

  /** Writes what is left and settles the held rows: call once, at the end of the file. */
  async finish(): Promise<void> {
    await this.resolveDeferred();
    await this.flush(true);
    // Progress once more at the end, with the file's final count.
    await this.run.options.onProgress?.({ file: this.report.file, rows: this.report.rows, totalRows: this.run.rowsRead });
  }

  private async resolveDeferred(): Promise<void> {
    if (this.deferred.length === 0) return;
    const rows = this.deferred;
    this.deferred = [];
    const stored = await this.run.stored(rows.map((row) => row.review!.childId));
    for (const row of rows) {
      const childId = row.review!.childId;
      const known = this.run.known(childId);
      const fromStore = stored.get(childId)!;
      // An import's episodes of a child are taken as the child's history (a return holds every
      // episode open in its year, and the year's reviews fall in those); the store's count only for
      // children the import has no episodes for.
      const facts: ChildFacts = {
        dateOfBirth: known?.dateOfBirth ?? fromStore.dateOfBirth,
        episodes: known && known.episodes.length > 0 ? known.episodes : fromStore.episodes,
      };
      if (this.passes(row, facts)) await this.take(row);
    }
  }

  private passes(row: ValidRow, facts: ChildFacts): boolean {
    const problems = reviewProblems(row.review!, facts);
    if (problems.length === 0) return true;
    this.countRejected(row.table);
    for (const problem of problems) this.run.addError({ ...row.where, column: problem.column, message: problem.message });
    return false;
  }

  private async take(row: ValidRow): Promise<void> {
    const counts = this.table(row.table);
    counts.accepted += 1;
    this.report.accepted += 1;
    if (row.remember) this.run.remember(row.remember);
    // A row's records travel in one write batch, so a row is never split across two writes.
    this.pending.push({ table: row.table, entries: row.entries });
    this.pendingRecords += row.entries.length;
    if (this.pendingRecords >= (this.run.options.batchSize ?? 500)) await this.flush();
  }

  /** Starts writing the pending batch; with `wait`, also waits for every write to finish. */
  private async flush(wait = false): Promise<void> {
    if (this.pendingRecords > 0) {
      const batch = this.pending;
      this.pending = [];
      this.pendingRecords = 0;
      const authorityId = this.run.options.authorityId;
      const ids = new Set(batch.flatMap(({ entries }) => entries.map((entry) => itemId(authorityId, entry))));
      // Rows for the same item are applied in order: wait for any batch in flight that touches one of these items.
      for (const other of [...this.inFlight]) {
        if ([...ids].some((id) => other.ids.has(id))) await this.settle(other);
      }
      while (this.inFlight.length >= WRITES_IN_FLIGHT) await this.settle(this.inFlight[0]!);
      const write = { ids, done: this.write(batch).catch((error: unknown) => { this.writeFailure ??= error; }) };
      this.inFlight.push(write);
    }
    if (wait) while (this.inFlight.length > 0) await this.settle(this.inFlight[0]!);
    if (this.writeFailure) throw this.writeFailure;
  }

  private async settle(write: { ids: Set<string>; done: Promise<void> }): Promise<void> {
    await write.done;
    const index = this.inFlight.indexOf(write);
    if (index >= 0) this.inFlight.splice(index, 1);
    if (this.writeFailure) throw this.writeFailure;
  }

  private async write(batch: { table: string; entries: UpsertEntry[] }[]): Promise<void> {
    const byTable = new Map<string, UpsertEntry[]>();
    for (const { table, entries } of batch) {
      const list = byTable.get(table) ?? [];
      list.push(...entries);
      byTable.set(table, list);
    }
    for (const [table, entries] of byTable) {
      const summary = await this.run.store.upsertRecords(this.run.options.authorityId, entries);
      const counts = this.table(table);
      for (const target of [counts, this.report]) {
        target.created += summary.created;
        target.updated += summary.updated;
        target.unchanged += summary.unchanged;
      }
    }
    await this.run.options.onProgress?.({ file: this.report.file, rows: this.report.rows, totalRows: this.run.rowsRead });
  }

  private countRead(table: string): void {
    this.table(table).rows += 1;
    this.report.rows += 1;
    this.run.countRow();
  }

  private countRejected(table: string): void {
    this.table(table).rejected += 1;
    this.report.rejected += 1;
  }
}

/** The table item an entry writes: the unit two writes must not race on. */
function itemId(authorityId: string, entry: UpsertEntry): string {
  const keys = keysOf(authorityId, entry);
  return `${keys.pk}\u0000${keys.sk}`;
}
