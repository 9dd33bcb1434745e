/**
 * The analyst's alternative to the engine: the same CSVs in in-memory SQLite (sql.js) and the criteria in one SQL query.
 * Written independently of the engine (own CSV parsing; periods of care, series of short breaks, the
 * review schedule and the reviews due but not held all in SQL), so that agreeing counts mean something.
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
  "calendar table precomputed from the product's E&W bank holidays (day, working-day flag, running count), joined in SQL; months by date(…, '+N months', 'floor')";

/** The criteria in template order; the SQL below yields one outcome letter for each, in this order. */
export const SQL_CRITERIA = [
  'review-in-timescale',
  'short-break-review-in-timescale',
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
-- series_id and late_reason: optional columns of review_details.csv (NULL when the file has none).
CREATE TABLE review_detail (child TEXT NOT NULL, date TEXT NOT NULL, decisions TEXT, record TEXT, stood_down INTEGER, series_id TEXT, late_reason TEXT, PRIMARY KEY (child, date)) WITHOUT ROWID;
-- cum: working days up to and including the day; work: 1 on a working day.
CREATE TABLE cal (day TEXT PRIMARY KEY, work INTEGER NOT NULL, cum INTEGER NOT NULL) WITHOUT ROWID;
-- The n-th working day of the calendar: addWorkingDays(d, k) is workday[cum(d) + k].
CREATE TABLE workday (n INTEGER PRIMARY KEY, day TEXT NOT NULL);
`;

/** dd/mm/YYYY or YYYY-MM-DD to ISO; blank to NULL. */
function isoDate(cell: string | undefined): string | null {
  const text = (cell ?? '').trim();
  if (text === '') return null;
  if (text.length === 10 && text[2] === '/' && text[5] === '/')
    return `${text.slice(6, 10)}-${text.slice(3, 5)}-${text.slice(0, 2)}`;
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
  const parser = createReadStream(path).pipe(
    parse({
      bom: true,
      skip_empty_lines: true,
      columns: (header: string[]) => header.map((h) => h.trim().toUpperCase()),
    }),
  );
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

  const load = async (
    file: string,
    insert: string,
    values: (row: Record<string, string>) => (string | number | null)[],
  ) => {
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
  // SERIES_ID and LATE_REASON may be absent from the file: a missing column reads as blank.
  await load('review_details.csv', 'INSERT INTO review_detail VALUES (?, ?, ?, ?, ?, ?, ?)', (r) => {
    const [date, decisions, record] = [isoDate(r.REVIEW), isoDate(r.DECISIONS_ISSUED), isoDate(r.RECORD_ISSUED)];
    seen(date, decisions, record);
    return [
      r.CHILD!.trim(),
      date,
      decisions,
      record,
      flag(r.STOOD_DOWN),
      blankToNull(r.SERIES_ID),
      blankToNull(r.LATE_REASON),
    ];
  });
  buildCalendar(db, `${Number(minDate.slice(0, 4)) - 1}-01-01`, `${Number(maxDate.slice(0, 4)) + 2}-12-31`);
  return { db, rows, seconds: (performance.now() - started) / 1000 };
}

/** Every day from `from` to `to` with its working-day flag and running count; reaches a year past any date (due dates run 6 months on). */
function buildCalendar(db: Database, from: string, to: string): void {
  const holidays = new Set<string>();
  for (let year = Number(from.slice(0, 4)); year <= Number(to.slice(0, 4)); year++)
    for (const d of bankHolidays(year)) holidays.add(d);
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

/** The n-th working day after `date` (an SQL expression): the (cum(date) + n)-th working day of the calendar, never `date` itself. */
const workingDaysAfter = (date: string, n: number) =>
  `(SELECT w.day FROM workday w WHERE w.n = (SELECT c.cum FROM cal c WHERE c.day = ${date}) + ${n})`;

/**
 * The due date of review `seq` of a schedule (`sb`: 1 for a series of short breaks), counted from
 * `from` (the schedule's start for the first, the previous held review's date after): reg 33 — 20
 * working days, 3 months, then 6 months; reg 48 — 3 months, then 6 months. Months clamp to month end.
 */
const dueDate = (sb: string, seq: string, from: string) => `CASE
    WHEN ${sb} THEN date(${from}, CASE WHEN ${seq} = 1 THEN '+3 months' ELSE '+6 months' END, 'floor')
    WHEN ${seq} = 1 THEN ${workingDaysAfter(from, 20)}
    WHEN ${seq} = 2 THEN date(${from}, '+3 months', 'floor')
    ELSE date(${from}, '+6 months', 'floor') END`;

/**
 * The criteria in SQL, as CTEs ending in `outcome` (one row per audited unit, one letter per
 * criterion: M met, N not met, A not applicable, C cannot tell), mirroring the template's rules:
 * - periods of care: a new one starts unless RNE ≠ S and the previous episode ended X1 on this start;
 *   a period is short breaks only when every episode is V3/V4;
 * - schedules: each other period on its own (reg 33); consecutive short-break periods form one series
 *   (reg 48) while each starts no later than 6 months (month-end clamped) after the previous one ends;
 *   a series runs from its first break's start to its last break's end;
 * - a schedule's reviews: those dated within it (start ≤ date ≤ end; a review on the day one period
 *   ends and the next begins is the later one's only) and on or before the period end,
 *   stood-down meetings left out, the meetings of one SERIES_ID one review on the last meeting's date
 *   (each field the latest meeting's that recorded it);
 * - due dates from the schedule's start (1st) or the previous held review's date; after the last held
 *   review the next is due, and is a unit "overdue, not held" when due by the period end while the
 *   schedule was still running (no end, or due before it);
 * - units: reviews held in the period, and reviews due in the period (held or not), of children in the header.
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
period_prev AS (
  SELECT *, LAG(short_breaks_only) OVER w AS prev_sb, LAG(end_date) OVER w AS prev_end
  FROM period WINDOW w AS (PARTITION BY child ORDER BY start)
),
-- A short-break period joins the series of the period before it when that one was short breaks too,
-- ended, and ended no more than 6 months before this one starts; anything else starts a schedule.
period_scheduled AS (
  SELECT *, SUM(CASE WHEN short_breaks_only AND prev_sb AND prev_end IS NOT NULL AND start <= date(prev_end, '+6 months', 'floor') THEN 0 ELSE 1 END)
              OVER (PARTITION BY child ORDER BY start ROWS UNBOUNDED PRECEDING) AS sno
  FROM period_prev
),
schedule AS (
  SELECT DISTINCT s.child, s.sno, s.short_breaks_only AS sb,
         FIRST_VALUE(s.start) OVER g AS start,
         LAST_VALUE(s.end_date) OVER g AS end_date
  FROM period_scheduled s JOIN child ch ON ch.child = s.child
  WINDOW g AS (PARTITION BY s.child, s.sno ORDER BY s.start ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING)
),
rv AS (
  SELECT k.child, k.date, r.code, d.decisions, d.record, d.stood_down, d.series_id
  FROM (SELECT child, date FROM review WHERE date <= :to UNION SELECT child, date FROM review_detail WHERE date <= :to) k
  LEFT JOIN review r ON r.child = k.child AND r.date = k.date
  LEFT JOIN review_detail d ON d.child = k.child AND d.date = k.date
),
-- Meetings as held, one row per review of each schedule: a series made one on its last meeting,
-- each field the latest meeting's that recorded it (dates are 10 characters: date || value sorts by date).
held AS (
  SELECT s.child, s.sno, MAX(rv.date) AS date,
         substr(MAX(CASE WHEN rv.code IS NOT NULL THEN rv.date || rv.code END), 11) AS code,
         substr(MAX(CASE WHEN rv.decisions IS NOT NULL THEN rv.date || rv.decisions END), 11) AS decisions,
         substr(MAX(CASE WHEN rv.record IS NOT NULL THEN rv.date || rv.record END), 11) AS record
  FROM rv JOIN schedule s ON s.child = rv.child AND s.start <= rv.date AND (s.end_date IS NULL OR rv.date <= s.end_date)
  WHERE rv.stood_down IS NOT 1
    AND NOT EXISTS (SELECT 1 FROM schedule l WHERE l.child = rv.child AND l.start > s.start AND l.start <= rv.date AND (l.end_date IS NULL OR rv.date <= l.end_date))
  GROUP BY s.child, s.sno, CASE WHEN rv.series_id IS NULL THEN 'd' || rv.date ELSE 's' || rv.series_id END
),
held_seq AS (
  SELECT h.*, s.sb, s.start AS sstart,
         ROW_NUMBER() OVER w AS seq, COALESCE(LAG(h.date) OVER w, s.start) AS counted_from
  FROM held h JOIN schedule s ON s.child = h.child AND s.sno = h.sno
  WINDOW w AS (PARTITION BY h.child, h.sno ORDER BY h.date)
),
held_due AS (
  SELECT child, sb, date, code, decisions, record, ${dueDate('sb', 'seq', 'counted_from')} AS due
  FROM held_seq
),
-- The review after each schedule's last held review (or its first, when none was held).
awaited AS (
  SELECT s.child, s.sb, s.end_date, COALESCE(l.n, 0) + 1 AS seq, COALESCE(l.last, s.start) AS counted_from
  FROM schedule s LEFT JOIN (SELECT child, sno, COUNT(*) AS n, MAX(date) AS last FROM held GROUP BY child, sno) l ON l.child = s.child AND l.sno = s.sno
  WHERE s.start <= :to
),
overdue AS (
  SELECT child, sb, NULL AS date, NULL AS code, NULL AS decisions, NULL AS record, due
  FROM (SELECT a.*, ${dueDate('a.sb', 'a.seq', 'a.counted_from')} AS due FROM awaited a)
  -- A due date the calendar cannot give is kept, so the query refuses it rather than drops it.
  WHERE due IS NULL OR (due BETWEEN :from AND :to AND (end_date IS NULL OR due < end_date))
),
unit AS (
  SELECT u.*, (u.date BETWEEN :from AND :to) IS 1 AS held_in, (u.due BETWEEN :from AND :to) IS 1 AS due_in
  FROM (SELECT * FROM held_due UNION ALL SELECT * FROM overdue) u
),
judged AS (
  SELECT u.child, u.date, u.due, u.sb, u.code, u.decisions, u.record, u.held_in, u.due_in,
         CASE WHEN u.date IS NULL THEN u.child || ':due:' || u.due ELSE u.child || ':' || u.date END AS unit_id,
         CAST(substr(u.date, 1, 4) AS INTEGER) - CAST(substr(ch.dob, 1, 4) AS INTEGER) - (substr(u.date, 6, 5) < substr(ch.dob, 6, 5)) AS age,
         CASE WHEN u.held_in THEN (SELECT w.day FROM workday w WHERE w.n = cr.cum + 5) END AS decisions_by,
         CASE WHEN u.held_in THEN (SELECT w.day FROM workday w WHERE w.n = cr.cum + 20) END AS record_by
  FROM unit u
  JOIN child ch ON ch.child = u.child
  LEFT JOIN cal cr ON cr.day = u.date
  WHERE u.held_in OR u.due_in OR u.due IS NULL
),
outcome AS (
  SELECT unit_id, due,
         CASE WHEN NOT due_in OR sb THEN 'A' WHEN date IS NOT NULL AND date <= due THEN 'M' ELSE 'N' END AS o1,
         CASE WHEN NOT due_in OR NOT sb THEN 'A' WHEN date IS NOT NULL AND date <= due THEN 'M' ELSE 'N' END AS o2,
         CASE WHEN NOT held_in THEN 'A' WHEN code IS NOT NULL THEN 'M' ELSE 'N' END AS o3,
         CASE WHEN NOT held_in OR code IS NULL THEN 'A' WHEN (code = 'PN0' AND age < 4) OR (code <> 'PN0' AND age >= 4) THEN 'M' ELSE 'N' END AS o4,
         CASE WHEN NOT held_in OR age < 4 THEN 'A' WHEN code IS NULL THEN 'C' WHEN code IN ('PN1', 'PN2', 'PN3', 'PN4', 'PN5', 'PN6') THEN 'M' ELSE 'N' END AS o5,
         -- withinTimescale: issued on or before the 5th (20th) working day after the review.
         CASE WHEN NOT held_in THEN 'A' WHEN decisions IS NULL THEN 'C' WHEN decisions <= decisions_by THEN 'M' ELSE 'N' END AS o6,
         CASE WHEN NOT held_in THEN 'A' WHEN record IS NULL THEN 'C' WHEN record <= record_by THEN 'M' ELSE 'N' END AS o7
  FROM judged
)`;

const LETTERS = SQL_CRITERIA.map((_, i) => `o${i + 1}`);
const COUNTS = LETTERS.map((o) => `SUM(${o} = 'M'), SUM(${o} = 'N'), SUM(${o} = 'A'), SUM(${o} = 'C')`).join(',\n  ');
const AGGREGATE_SQL = `${OUTCOME_CTES}\nSELECT COUNT(*), SUM(due IS NULL),\n  ${COUNTS}\nFROM outcome`;
const PER_UNIT_SQL = `${OUTCOME_CTES}\nSELECT unit_id, ${LETTERS.join(' || ')} FROM outcome`;

/** The timed query: the units (reviews due or held in the period) and the criteria's met / not met / n/a / cannot-tell counts. */
export function runCriteriaSql(db: Database, period: { from: string; to: string }): SqlResult {
  const started = performance.now();
  const statement = db.prepare(AGGREGATE_SQL);
  statement.bind({ ':from': period.from, ':to': period.to });
  statement.step();
  const values = statement.get().map((v) => Number(v ?? 0));
  statement.free();
  const seconds = (performance.now() - started) / 1000;
  const [units, missingDue] = [values[0]!, values[1]!];
  // A due date the calendar could not give would silently count as late (or drop an overdue review): refuse instead.
  if (missingDue > 0)
    throw new Error(`${missingDue} reviews got no due date: the calendar table does not reach their dates`);
  const criteria = SQL_CRITERIA.map((id, i) => {
    const [met, notMet, notApplicable, cannotTell] = values.slice(2 + i * 4, 6 + i * 4) as [
      number,
      number,
      number,
      number,
    ];
    return { id, met, notMet, notApplicable, cannotTell };
  });
  return { units, criteria, seconds };
}

/** Each audited unit's outcome letters, by the engine's unit id (`child:date` for a review held, `child:due:date` for one not held); untimed, for explaining a mismatch. */
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
