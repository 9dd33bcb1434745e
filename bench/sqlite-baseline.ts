/**
 * The analyst's alternative to the engine: the same CSVs in in-memory SQLite (sql.js) and the criteria in one SQL query.
 * Written independently of the engine (own CSV parsing, periods of care and review sequence in SQL),
 * so that agreeing counts mean something.
 *
 * Working days: SQLite has no England & Wales calendar, so a calendar table is precomputed (every
 * day, whether it is a working day, and the running count of working days), from the same
 * bank-holiday source the product uses (#calendar/bank-holidays). Everything else is plain SQL:
 * periods of care with window functions, calendar months with SQLite's 'floor' modifier (month-end
 * clamping, SQLite ≥ 3.46), working-day sums and offsets as lookups in the calendar table.
 */
import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse';
import initSqlJs, { type Database } from 'sql.js';
import { bankHolidays } from '#calendar/bank-holidays';
import { addDays, dayOfWeek } from '#calendar/dates';

export interface SqliteLoad {
  db: Database;
  rows: number;
  seconds: number;
}

export interface SqlCriterionCounts {
  id: string;
  met: number;
  notMet: number;
  notApplicable: number;
  cannotTell: number;
}

export interface SqlResult {
  units: number;
  criteria: SqlCriterionCounts[];
  seconds: number;
}

/** How the working-day arithmetic is done, for the report. */
export const WORKING_DAYS_METHOD =
  'calendar table precomputed from the product\'s E&W bank holidays (day, working-day flag, running count), joined in SQL; months by date(…, \'+N months\', \'floor\')';

/** The criteria in template order; the SQL below yields one outcome letter for each, in this order. */
export const SQL_CRITERIA = [
  'review-in-timescale',
  'participation-recorded',
  'pn0-matches-age',
  'child-views-conveyed',
  'decisions-issued-in-5-days',
  'record-issued-in-20-days',
] as const;

const SCHEMA = `
CREATE TABLE child (child TEXT PRIMARY KEY, dob TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE episode (child TEXT NOT NULL, start TEXT NOT NULL, end_date TEXT, rne TEXT NOT NULL, rec TEXT, ls TEXT NOT NULL, PRIMARY KEY (child, start)) WITHOUT ROWID;
CREATE TABLE review (child TEXT NOT NULL, date TEXT NOT NULL, code TEXT, PRIMARY KEY (child, date)) WITHOUT ROWID;
CREATE TABLE review_detail (child TEXT NOT NULL, date TEXT NOT NULL, decisions TEXT, record TEXT, stood_down INTEGER, PRIMARY KEY (child, date)) WITHOUT ROWID;
-- cum: working days up to and including the day; work: 1 on a working day.
CREATE TABLE cal (day TEXT PRIMARY KEY, work INTEGER NOT NULL, cum INTEGER NOT NULL) WITHOUT ROWID;
-- The n-th working day of the calendar: addWorkingDays(d, k) is workday[cum(d) + k].
CREATE TABLE workday (n INTEGER PRIMARY KEY, day TEXT NOT NULL);
`;

/** dd/mm/YYYY or YYYY-MM-DD to ISO; blank to NULL. */
function isoDate(cell: string | undefined): string | null {
  const text = (cell ?? '').trim();
  if (text === '') return null;
  if (text.length === 10 && text[2] === '/' && text[5] === '/') return `${text.slice(6, 10)}-${text.slice(3, 5)}-${text.slice(0, 2)}`;
  return text;
}

const blankToNull = (cell: string | undefined): string | null => {
  const text = (cell ?? '').trim();
  return text === '' ? null : text;
};

/** Y/1 → 1, N/0 → 0, blank → NULL. */
function flag(cell: string | undefined): number | null {
  const text = (cell ?? '').trim().toUpperCase();
  if (text === 'Y' || text === '1') return 1;
  if (text === 'N' || text === '0') return 0;
  return null;
}

/** Streams one CSV file's rows as objects keyed by upper-case column name. */
async function* csvRows(path: string): AsyncIterable<Record<string, string>> {
  const parser = createReadStream(path).pipe(parse({ bom: true, skip_empty_lines: true, columns: (header: string[]) => header.map((h) => h.trim().toUpperCase()) }));
  for await (const row of parser as AsyncIterable<Record<string, string>>) yield row;
}

/** Loads the CSVs the template needs into a fresh in-memory database, and builds the calendar table. */
export async function loadSqlite(csvDir: string): Promise<SqliteLoad> {
  const started = performance.now();
  const SQL = await initSqlJs();
  const db = new SQL.Database();
  db.exec(SCHEMA);
  let rows = 0;
  let minDate = '9999-12-31';
  let maxDate = '0000-01-01';
  const seen = (...dates: (string | null)[]) => {
    for (const d of dates) {
      if (d === null) continue;
      if (d < minDate) minDate = d;
      if (d > maxDate) maxDate = d;
    }
  };

  const load = async (file: string, insert: string, values: (row: Record<string, string>) => (string | number | null)[]) => {
    const statement = db.prepare(insert);
    db.exec('BEGIN');
    for await (const row of csvRows(join(csvDir, file))) {
      statement.run(values(row));
      rows += 1;
    }
    db.exec('COMMIT');
    statement.free();
  };

  await load('header.csv', 'INSERT INTO child VALUES (?, ?)', (r) => [r.CHILD!.trim(), isoDate(r.DOB)]);
  await load('episodes.csv', 'INSERT INTO episode VALUES (?, ?, ?, ?, ?, ?)', (r) => {
    const start = isoDate(r.DECOM);
    const end = isoDate(r.DEC);
    seen(start, end);
    return [r.CHILD!.trim(), start, end, blankToNull(r.RNE), blankToNull(r.REC), blankToNull(r.LS)];
  });
  await load('reviews.csv', 'INSERT INTO review VALUES (?, ?, ?)', (r) => {
    const date = isoDate(r.REVIEW);
    seen(date);
    return [r.CHILD!.trim(), date, blankToNull(r.REVIEW_CODE)];
  });
  await load('review_details.csv', 'INSERT INTO review_detail VALUES (?, ?, ?, ?, ?)', (r) => {
    const [date, decisions, record] = [isoDate(r.REVIEW), isoDate(r.DECISIONS_ISSUED), isoDate(r.RECORD_ISSUED)];
    seen(date, decisions, record);
    return [r.CHILD!.trim(), date, decisions, record, flag(r.STOOD_DOWN)];
  });
  buildCalendar(db, `${Number(minDate.slice(0, 4)) - 1}-01-01`, `${Number(maxDate.slice(0, 4)) + 2}-12-31`);
  return { db, rows, seconds: (performance.now() - started) / 1000 };
}

/** Every day from `from` to `to` with its working-day flag and running count; reaches a year past any date (due dates run 6 months on). */
function buildCalendar(db: Database, from: string, to: string): void {
  const holidays = new Set<string>();
  for (let year = Number(from.slice(0, 4)); year <= Number(to.slice(0, 4)); year++) for (const d of bankHolidays(year)) holidays.add(d);
  const day = db.prepare('INSERT INTO cal VALUES (?, ?, ?)');
  const workday = db.prepare('INSERT INTO workday VALUES (?, ?)');
  db.exec('BEGIN');
  let cum = 0;
  for (let d = from; d <= to; d = addDays(d, 1)) {
    const dow = dayOfWeek(d);
    const work = dow !== 0 && dow !== 6 && !holidays.has(d) ? 1 : 0;
    cum += work;
    day.run([d, work, cum]);
    if (work) workday.run([cum, d]);
  }
  db.exec('COMMIT');
  day.free();
  workday.free();
}

/**
 * The criteria in SQL, as CTEs ending in `outcome` (one row per audited review, one letter per
 * criterion: M met, N not met, A not applicable, C cannot tell), mirroring the template's rules:
 * - periods of care: a new one starts unless RNE ≠ S and the previous episode ended X1 on this start;
 * - a review's period is the first containing its date; stood-down reviews take no number;
 * - due: 1st = 20 working days after the period start, 2nd = 3 months after the 1st, then 6 months;
 * - reviews in the audit period, in periods that are not short breaks only, of children in the header.
 */
const OUTCOME_CTES = `
WITH
ep AS (
  SELECT child, start, end_date, rne, rec, ls,
         LAG(rec) OVER w AS prev_rec, LAG(end_date) OVER w AS prev_end
  FROM episode WINDOW w AS (PARTITION BY child ORDER BY start)
),
ep_numbered AS (
  SELECT *, SUM(CASE WHEN rne <> 'S' AND prev_rec = 'X1' AND prev_end = start THEN 0 ELSE 1 END)
              OVER (PARTITION BY child ORDER BY start ROWS UNBOUNDED PRECEDING) AS pno
  FROM ep
),
period AS (
  SELECT DISTINCT child, pno,
         FIRST_VALUE(start) OVER p AS start,
         LAST_VALUE(end_date) OVER p AS end_date,
         MIN(ls IN ('V3', 'V4')) OVER p AS short_breaks_only
  FROM ep_numbered
  WINDOW p AS (PARTITION BY child, pno ORDER BY start ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING)
),
rv AS (
  SELECT k.child, k.date, r.code, d.decisions, d.record, d.stood_down
  FROM (SELECT child, date FROM review UNION SELECT child, date FROM review_detail) k
  LEFT JOIN review r ON r.child = k.child AND r.date = k.date
  LEFT JOIN review_detail d ON d.child = k.child AND d.date = k.date
),
placed AS (
  SELECT rv.*, p.start AS pstart, p.short_breaks_only,
         ROW_NUMBER() OVER (PARTITION BY rv.child, rv.date ORDER BY p.start) AS pick
  FROM rv JOIN period p ON p.child = rv.child AND p.start <= rv.date AND (p.end_date IS NULL OR rv.date <= p.end_date)
),
sequenced AS (
  SELECT *, ROW_NUMBER() OVER s AS seq, LAG(date) OVER s AS prev_date
  FROM placed WHERE pick = 1 AND stood_down IS NOT 1
  WINDOW s AS (PARTITION BY child, pstart ORDER BY date)
),
unit AS (
  SELECT s.child, s.date, s.code, s.decisions, s.record,
         CASE WHEN s.seq = 1 THEN (SELECT w.day FROM workday w WHERE w.n = (SELECT c.cum FROM cal c WHERE c.day = s.pstart) + 20)
              WHEN s.seq = 2 THEN date(s.prev_date, '+3 months', 'floor')
              ELSE date(s.prev_date, '+6 months', 'floor') END AS due,
         CAST(substr(s.date, 1, 4) AS INTEGER) - CAST(substr(ch.dob, 1, 4) AS INTEGER) - (substr(s.date, 6, 5) < substr(ch.dob, 6, 5)) AS age
  FROM sequenced s JOIN child ch ON ch.child = s.child
  WHERE s.date BETWEEN :from AND :to AND NOT s.short_breaks_only
),
judged AS (
  -- Working days after the review up to the issue date; before the review, minus those from the issue date to the day before.
  SELECT u.*,
         CASE WHEN u.decisions IS NULL THEN NULL WHEN u.decisions >= u.date THEN cd.cum - cr.cum ELSE -((cr.cum - cr.work) - (cd.cum - cd.work)) END AS wd_decisions,
         CASE WHEN u.record IS NULL THEN NULL WHEN u.record >= u.date THEN ck.cum - cr.cum ELSE -((cr.cum - cr.work) - (ck.cum - ck.work)) END AS wd_record
  FROM unit u
  JOIN cal cr ON cr.day = u.date
  LEFT JOIN cal cd ON cd.day = u.decisions
  LEFT JOIN cal ck ON ck.day = u.record
),
outcome AS (
  SELECT child, date, due,
         CASE WHEN date <= due THEN 'M' ELSE 'N' END AS o1,
         CASE WHEN code IS NOT NULL THEN 'M' ELSE 'N' END AS o2,
         CASE WHEN code IS NULL THEN 'A' WHEN (code = 'PN0' AND age < 4) OR (code <> 'PN0' AND age >= 4) THEN 'M' ELSE 'N' END AS o3,
         CASE WHEN age < 4 THEN 'A' WHEN code IS NULL THEN 'C' WHEN code IN ('PN1', 'PN2', 'PN3', 'PN4', 'PN5', 'PN6') THEN 'M' ELSE 'N' END AS o4,
         CASE WHEN wd_decisions IS NULL THEN 'C' WHEN wd_decisions <= 5 THEN 'M' ELSE 'N' END AS o5,
         CASE WHEN wd_record IS NULL THEN 'C' WHEN wd_record <= 20 THEN 'M' ELSE 'N' END AS o6
  FROM judged
)`;

const COUNTS = ['o1', 'o2', 'o3', 'o4', 'o5', 'o6'].map((o) => `SUM(${o} = 'M'), SUM(${o} = 'N'), SUM(${o} = 'A'), SUM(${o} = 'C')`).join(',\n  ');
const AGGREGATE_SQL = `${OUTCOME_CTES}\nSELECT COUNT(*), SUM(due IS NULL),\n  ${COUNTS}\nFROM outcome`;
const PER_UNIT_SQL = `${OUTCOME_CTES}\nSELECT child || ':' || date, o1 || o2 || o3 || o4 || o5 || o6 FROM outcome`;

/** The timed query: the criteria's met / not met / n/a / cannot-tell counts over the audit period. */
export function runCriteriaSql(db: Database, period: { from: string; to: string }): SqlResult {
  const started = performance.now();
  const statement = db.prepare(AGGREGATE_SQL);
  statement.bind({ ':from': period.from, ':to': period.to });
  statement.step();
  const values = statement.get().map((v) => Number(v ?? 0));
  statement.free();
  const seconds = (performance.now() - started) / 1000;
  const [units, missingDue] = [values[0]!, values[1]!];
  // A due date the calendar could not give would silently count as late: refuse instead.
  if (missingDue > 0) throw new Error(`${missingDue} reviews got no due date: the calendar table does not reach their dates`);
  const criteria = SQL_CRITERIA.map((id, i) => {
    const [met, notMet, notApplicable, cannotTell] = values.slice(2 + i * 4, 6 + i * 4) as [number, number, number, number];
    return { id, met, notMet, notApplicable, cannotTell };
  });
  return { units, criteria, seconds };
}

/** Each audited review's outcome letters, by `child:date` (the engine's unit id); untimed, for explaining a mismatch. */
export function perUnitOutcomes(db: Database, period: { from: string; to: string }): Map<string, string> {
  const result = new Map<string, string>();
  const statement = db.prepare(PER_UNIT_SQL);
  statement.bind({ ':from': period.from, ':to': period.to });
  while (statement.step()) {
    const [unitId, letters] = statement.get() as [string, string];
    result.set(unitId, letters);
  }
  statement.free();
  return result;
}
