/** The CSV downloads of a findings document (criteria, records, action plan), and the words and derived rows every renderer shares. */
import { stringify } from 'csv-stringify/sync';
import type {
  ActionPlanRow,
  CriterionFinding,
  DueMonthRow,
  FindingsDocument,
  HealthTable,
  Outcome,
  RecordFinding,
  ReviewsDueTable,
  SiblingGroupRow,
  Tables,
} from '#engine/findings-model';
import { formatPercent } from './svg-charts.ts';

/** An outcome in the words the reports use. */
export const OUTCOME_LABEL: Record<Outcome, string> = {
  met: 'met',
  'not-met': 'not met',
  'not-applicable': 'not applicable',
  'cannot-tell': 'cannot tell',
};

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})/;

/** `YYYY-MM-DD…` as dd/mm/YYYY, the form English LAs (and Excel in a UK locale) read as a date; anything else unchanged. */
export function ukDate(iso: string): string {
  const m = ISO_DATE.exec(iso);
  return m ? `${m[3]}/${m[2]}/${m[1]}` : iso;
}

/** A share (0–1) as a percentage with one decimal place, as a number (83.3); null stays null. */
export function percentNumber(share: number | null | undefined): number | null {
  if (share === null || share === undefined || !Number.isFinite(share)) return null;
  return Math.round(share * 1000) / 10;
}

/** "Team manager, North Team 1": an action's owner as one cell. */
export function ownerLabel(owner: ActionPlanRow['owner']): string {
  return `${owner.role}, ${owner.team}`;
}

type Cell = string | number | boolean | null | undefined;

// These files are opened in Excel, which runs a cell beginning with = + - @ (or a tab / CR that it
// strips before such a character) as a formula: a comment or team name typed as
// `=HYPERLINK("http://…")` would become a live link or worse. A leading apostrophe makes Excel show
// the text as typed. Numbers are written by us, not typed by people, so a negative number stays a number.
const FORMULA_START = /^[=+\-@\t\r]/;

/** The cell as written: text guarded against formula injection, booleans as yes/no, nothing as empty. */
function safeCell(value: Cell): string | number {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? value : '';
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  return FORMULA_START.test(value) ? `'${value}` : value;
}

function toCsv(header: string[], rows: Cell[][]): string {
  // bom: a UTF-8 byte order mark, without which Excel reads the file as the local ANSI code page
  // and shows "–", "’" or "Zoë" as mojibake. CRLF record ends, as RFC 4180 and Excel expect.
  return stringify([header, ...rows.map((row) => row.map(safeCell))], { bom: true, record_delimiter: 'windows' });
}

/** The header of findings.csv. */
export const FINDINGS_CSV_HEADER = [
  'Criterion id',
  'Title',
  'Kind',
  'N',
  'Met',
  'Not met',
  'Not applicable',
  'Cannot tell',
  'Compliance %',
  'CI lower %',
  'CI upper %',
  'Threshold %',
  'Below threshold',
  'Change since last audit (% points)',
];

function criterionRow(c: CriterionFinding): Cell[] {
  return [
    c.id,
    c.title,
    c.kind,
    c.n,
    c.met,
    c.notMet,
    c.notApplicable,
    c.cannotTell,
    percentNumber(c.compliance),
    percentNumber(c.ci95?.lower),
    percentNumber(c.ci95?.upper),
    percentNumber(c.threshold),
    c.belowThreshold,
    percentNumber(c.change?.delta),
  ];
}

/** findings.csv: one row per criterion, percentages as numbers with one decimal place. */
export function findingsCsv(doc: FindingsDocument): string {
  return toCsv(FINDINGS_CSV_HEADER, doc.criteria.map(criterionRow));
}

/** The header of records.csv for this document: fixed columns, one per criterion (by id), then overall and comment. */
export function recordsCsvHeader(doc: FindingsDocument): string[] {
  return [
    'Record id',
    'Children',
    'Date',
    'Service',
    'Team',
    'IRO',
    ...doc.criteria.map((c) => c.id),
    'Overall',
    'Comment',
  ];
}

/** What a record got on a criterion: the outcome, or for a manual criterion the grade. Empty when not judged. */
export function recordResult(record: RecordFinding, criterion: Pick<CriterionFinding, 'id' | 'kind'>): string {
  if (criterion.kind === 'manual') {
    const grade = record.grades[criterion.id];
    if (grade !== undefined) return grade;
  }
  const outcome = record.outcomes[criterion.id]?.outcome;
  return outcome ? OUTCOME_LABEL[outcome] : '';
}

/**
 * One audited record as records.csv and the workbook's Records sheet list it: record id, children
 * joined with ';', date (as recorded, ISO), service, team, IRO, the result on each criterion,
 * overall grade and comment. Small, so the engine spools these beside the records it publishes.
 */
export type RecordCells = (string | null)[];

/** Where the date is in RecordCells: the one cell each file writes in its own way. */
export const RECORD_DATE_CELL = 2;

/** A record's cells (RecordCells), for criteria in findings order. */
export function recordCells(criteria: readonly Pick<CriterionFinding, 'id' | 'kind'>[], r: RecordFinding): RecordCells {
  return [
    r.recordId,
    r.children.join(';'),
    r.date,
    r.service,
    r.team,
    r.iroId,
    ...criteria.map((c) => recordResult(r, c)),
    r.overall,
    r.comment,
  ];
}

/** A record's row of records.csv: its cells, the date as dd/mm/YYYY. */
function csvRecordRow(cells: RecordCells): Cell[] {
  return cells.map((cell, i) => (i === RECORD_DATE_CELL && cell !== null ? ukDate(cell) : cell));
}

/** records.csv: one row per audited record, children joined with ';'. */
export function recordsCsv(doc: FindingsDocument): string {
  return toCsv(
    recordsCsvHeader(doc),
    doc.records.map((r) => csvRecordRow(recordCells(doc.criteria, r))),
  );
}

/** Rows stringified at a time: csv-stringify's set-up per call costs more than the rows themselves. */
const CSV_BATCH_ROWS = 1000;

/** records.csv as it is written, a batch of rows at a time: the same bytes as `recordsCsv` (each CSV row stands alone). */
export async function* recordsCsvChunks(
  doc: FindingsDocument,
  rows: AsyncIterable<RecordCells>,
): AsyncIterable<string> {
  yield toCsv(recordsCsvHeader(doc), []);
  let batch: (string | number)[][] = [];
  for await (const cells of rows) {
    batch.push(csvRecordRow(cells).map(safeCell));
    if (batch.length >= CSV_BATCH_ROWS) {
      yield stringify(batch, { record_delimiter: 'windows' });
      batch = [];
    }
  }
  if (batch.length > 0) yield stringify(batch, { record_delimiter: 'windows' });
}

/** The header of action-plan.csv: the seeds' four columns, then how success is measured and what the action answers. */
export const ACTION_PLAN_CSV_HEADER = [
  'Action/Task',
  'By whom',
  'By when',
  'Expected outcome',
  'Success measure',
  'Linked findings',
];

/** action-plan.csv: one row per action, dates dd/mm/YYYY, linked criteria by id joined with ';'. */
export function actionPlanCsv(doc: FindingsDocument): string {
  const rows = doc.actionPlan.map((a): Cell[] => [
    a.action,
    ownerLabel(a.owner),
    ukDate(a.dueDate),
    a.expectedOutcome,
    a.successMeasure,
    a.linkedCriteria.join(';'),
  ]);
  return toCsv(ACTION_PLAN_CSV_HEADER, rows);
}

// ---- derived rows shared by the XLSX and HTML renderers -------------------------------------

/** The SSDA903 participation codes in return order, in plain words (DfE guide). */
export const PARTICIPATION_CODES = [
  { code: 'PN0', label: 'Child under 4 at the date of the review' },
  { code: 'PN1', label: 'Attends and speaks for self' },
  { code: 'PN2', label: 'Attends; an advocate or the IRO conveys their views' },
  { code: 'PN3', label: 'Attends and conveys views non-verbally' },
  { code: 'PN4', label: 'Attends without contributing' },
  { code: 'PN5', label: 'Does not attend; briefs an advocate' },
  { code: 'PN6', label: 'Does not attend; conveys views another way' },
  { code: 'PN7', label: 'Does not attend; no views conveyed' },
] as const;

/** One row of the participation table. */
export interface ParticipationLine {
  code: string;
  label: string;
  reviews: number;
  /** Share of all reviews in the table; null when there are none. */
  share: number | null;
}

/** The participation table as the seeds lay it out: PN0–PN7 always (0 when absent), then any other key, then the total. */
export function participationLines(table: NonNullable<Tables['participation']>): {
  lines: ParticipationLine[];
  total: number;
} {
  const known = new Set<string>(PARTICIPATION_CODES.map((p) => p.code));
  const total = Object.values(table).reduce((sum, n) => sum + n, 0);
  const share = (n: number) => (total > 0 ? n / total : null);
  const lines: ParticipationLine[] = PARTICIPATION_CODES.map(({ code, label }) => ({
    code,
    label,
    reviews: table[code] ?? 0,
    share: share(table[code] ?? 0),
  }));
  for (const [code, reviews] of Object.entries(table)) {
    if (!known.has(code))
      lines.push({
        code,
        label: code === 'not recorded' ? 'Participation not recorded' : code,
        reviews,
        share: share(reviews),
      });
  }
  return { lines, total };
}

/** The totals row of the monthly timeliness table: share held in timescale over the whole period. */
export function timelinessTotal(rows: NonNullable<Tables['timeliness']>): {
  held: number;
  inTime: number;
  share: number | null;
} {
  const held = rows.reduce((sum, r) => sum + r.held, 0);
  const inTime = rows.reduce((sum, r) => sum + r.inTime, 0);
  return { held, inTime, share: held > 0 ? inTime / held : null };
}

/** A quarter, or the whole period, of a monthly table: its label and the sums of the counted fields. */
export interface SummaryRow<F extends string> {
  label: string;
  counts: Record<F, number>;
}

/**
 * The quarter rows and the year-to-date row the seeds put under a monthly timeliness table
 * (Thurrock 2022-23: "Held in quarter 201 … 96.5%"): financial-year quarters, April to June first,
 * over whichever months the table has; then the whole period. `fields` are summed.
 */
export function quarterRows<F extends string>(
  rows: readonly ({ month: string } & Record<F, number>)[],
  fields: readonly F[],
): { quarters: SummaryRow<F>[]; yearToDate: SummaryRow<F> } {
  const zero = () => Object.fromEntries(fields.map((f) => [f, 0])) as Record<F, number>;
  const quarters = new Map<string, { first: string; last: string; counts: Record<F, number> }>();
  const total = zero();
  for (const row of [...rows].sort((a, b) => a.month.localeCompare(b.month))) {
    const [year, month] = row.month.split('-').map(Number) as [number, number];
    // The financial year starts in April: January to March belong to the year that started the April before.
    const startYear = month >= 4 ? year : year - 1;
    const key = `${startYear}|Q${Math.floor(((month + 8) % 12) / 3) + 1}`;
    const q = quarters.get(key) ?? { first: row.month, last: row.month, counts: zero() };
    q.last = row.month;
    for (const f of fields) {
      q.counts[f] += row[f];
      total[f] += row[f];
    }
    quarters.set(key, q);
  }
  const named = [...quarters].map(([key, q]) => {
    const [startYear, quarter] = key.split('|') as [string, string];
    const [first, last] = [monthLabel(q.first), monthLabel(q.last)];
    const months = first === last ? first : `${first.split(' ')[0]} to ${last}`;
    return {
      label: `${quarter} ${startYear}-${String((Number(startYear) + 1) % 100).padStart(2, '0')} (${months})`,
      counts: q.counts,
    };
  });
  return { quarters: named, yearToDate: { label: 'Year to date', counts: total } };
}

/** `part` of `whole` as a share; null when the whole is 0. */
export const shareOf = (part: number, whole: number): number | null => (whole > 0 ? part / whole : null);

/** The mean of the quarters' shares: Thurrock 2022-23 reports it as its "Average" (98.7%) beside the year's own share (98.8%). */
export function averageOfQuarters(shares: readonly (number | null)[]): number | null {
  const known = shares.filter((s): s is number => s !== null);
  return known.length ? known.reduce((a, b) => a + b, 0) / known.length : null;
}

/** One row of a "reviews due" table: a month, a quarter or the year to date. */
export interface DueLine {
  label: string;
  kind: 'month' | 'quarter' | 'year';
  due: number;
  inTime: number;
  late: number;
  notHeld: number;
  share: number | null;
}

const DUE_FIELDS = ['due', 'inTime', 'late', 'notHeld'] as const;

/** The reviews due by month, then each quarter, then the year to date: the rows of Thurrock's "due in month" table. */
export function dueLines(rows: readonly DueMonthRow[]): DueLine[] {
  const { quarters, yearToDate } = quarterRows(rows, DUE_FIELDS);
  const line = (label: string, kind: DueLine['kind'], c: Record<(typeof DUE_FIELDS)[number], number>): DueLine => ({
    label,
    kind,
    ...c,
    share: shareOf(c.inTime, c.due),
  });
  return [
    ...rows.map((r) => line(monthLabel(r.month), 'month', r)),
    ...quarters.map((q) => line(q.label, 'quarter', q.counts)),
    line(yearToDate.label, 'year', yearToDate.counts),
  ];
}

/** The findings of the reviews-due table in sentences, for the reports' text above the tables. */
export function reviewsDueSentences(t: ReviewsDueTable, period: { from: string; to: string }): string[] {
  const all = dueLines(t.byMonthDue).at(-1)!;
  const plural = (n: number, one: string, many: string) => `${n.toLocaleString('en-GB')} ${n === 1 ? one : many}`;
  const sentences = [
    `${plural(all.due, 'review', 'reviews')} of children looked after fell due between ${longDate(period.from)} and ${longDate(period.to)}: ` +
      `${all.inTime.toLocaleString('en-GB')} held in timescale (${formatPercent(all.share)}), ${all.late.toLocaleString('en-GB')} held late and ${all.notHeld.toLocaleString('en-GB')} not held by ${longDate(period.to)} (overdue).`,
  ];
  const quarters = dueLines(t.byMonthDue).filter((l) => l.kind === 'quarter');
  if (quarters.length > 1)
    sentences.push(
      `The average of the quarters' percentages in timescale is ${formatPercent(averageOfQuarters(quarters.map((q) => q.share)))}.`,
    );
  const c = t.children;
  sentences.push(
    `Of the ${plural(c.children, 'child', 'children')} looked after on ${longDate(period.to)} for 4 weeks or more, ${c.allInTime.toLocaleString('en-GB')} (${formatPercent(c.share)}) had every review due in the period held in timescale (the child-level measure, NI 66).`,
  );
  const breaks = dueLines(t.shortBreaksByMonthDue).at(-1)!;
  sentences.push(
    breaks.due
      ? `Children on a series of short breaks only are reviewed under reg 48 and counted apart: ${plural(breaks.due, 'review', 'reviews')} fell due, ${breaks.inTime.toLocaleString('en-GB')} held in timescale (${formatPercent(breaks.share)}), ${breaks.late.toLocaleString('en-GB')} late, ${breaks.notHeld.toLocaleString('en-GB')} not held.`
      : 'No review of a child on a series of short breaks only (reg 48) fell due in the period.',
  );
  sentences.push(
    `${plural(t.stoodDownMeetings, 'meeting was', 'meetings were')} stood down while a review due in the period was awaited (a stood-down meeting does not reset the timescale); ` +
      `${plural(t.seriesOfMeetings, 'review was', 'reviews were')} held as a series of meetings, each counted once on the date of its last meeting.`,
  );
  return sentences;
}

const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];

/** "2017-08" as "August 2017"; anything else unchanged. */
export function monthLabel(month: string): string {
  const m = /^(\d{4})-(\d{2})$/.exec(month);
  const name = m ? MONTHS[Number(m[2]) - 1] : undefined;
  return m && name ? `${name} ${m[1]}` : month;
}

/** "2018-03-16…" as "16 March 2018", GOV.UK style; anything else unchanged. */
export function longDate(iso: string): string {
  const m = ISO_DATE.exec(iso);
  const name = m ? MONTHS[Number(m[2]) - 1] : undefined;
  return m && name ? `${Number(m[3])} ${name} ${m[1]}` : iso;
}

/** One row of the health table: a measure, its count and its denominator. */
export interface HealthLine {
  measure: string;
  children: number;
  /** The denominator's name and size; null for the cohort itself. */
  of: { label: string; children: number } | null;
  share: number | null;
}

/** The OC2 health table: each measure as a count and a share of its cohort (the under-5s and SDQ-eligible have their own). */
export function healthLines(h: HealthTable): HealthLine[] {
  const cohort = { label: 'looked after 12+ months', children: h.cohort };
  const under5 = { label: 'under 5', children: h.under5 };
  const eligible = { label: 'eligible for an SDQ', children: h.sdqEligible };
  const line = (measure: string, children: number, of: HealthLine['of']): HealthLine => ({
    measure,
    children,
    of,
    share: of && of.children > 0 ? children / of.children : null,
  });
  return [
    line('Looked after continuously for 12 months or more (OC2 cohort)', h.cohort, null),
    line('Annual health assessment up to date', h.healthAssessment, cohort),
    line('Immunisations up to date', h.immunisations, cohort),
    line('Teeth checked by a dentist', h.teethChecked, cohort),
    line('Aged under 5', h.under5, cohort),
    line('Development assessment up to date (under 5s)', h.developmentUpToDate, under5),
    line('Eligible for an SDQ (aged 4 to 16)', h.sdqEligible, cohort),
    line('SDQ score recorded', h.sdqScored, eligible),
  ];
}

/** Where the health table's figures came from, as counts of children; null for findings from before the health audit read OC2. */
export function healthSources(
  h: HealthTable,
): { healthExtract: number; oc2: number; oc2YearEnding: string | null; noRecord: number } | null {
  if (h.fromHealthExtract === undefined && h.fromOc2 === undefined) return null;
  const healthExtract = h.fromHealthExtract ?? 0;
  const oc2 = h.fromOc2 ?? 0;
  return { healthExtract, oc2, oc2YearEnding: h.oc2YearEnding ?? null, noRecord: h.cohort - healthExtract - oc2 };
}

/** The health table's sources as rows of the table (children out of the cohort), for a sheet; empty for older findings. */
export function healthSourceLines(h: HealthTable): HealthLine[] {
  const s = healthSources(h);
  if (!s) return [];
  const cohort = { label: 'looked after 12+ months', children: h.cohort };
  const line = (measure: string, children: number): HealthLine => ({
    measure,
    children,
    of: cohort,
    share: h.cohort > 0 ? children / h.cohort : null,
  });
  return [
    line('Figures from the health extract', s.healthExtract),
    line(
      `Figures from the DfE return (OC2)${s.oc2YearEnding ? ` for the year ending ${longDate(s.oc2YearEnding)}` : ''}`,
      s.oc2,
    ),
    ...(s.noRecord > 0 ? [line('No health record (neither source)', s.noRecord)] : []),
  ];
}

/**
 * The health table's sources in a sentence, e.g. "Figures from the health extract: 12 children; from
 * the DfE return (OC2) for the year ending 31 March 2016: 328 children." Null for older findings.
 */
export function healthSourcesSentence(h: HealthTable): string | null {
  const s = healthSources(h);
  if (!s) return null;
  const children = (n: number) => `${n} ${n === 1 ? 'child' : 'children'}`;
  const year = s.oc2YearEnding ? ` for the year ending ${longDate(s.oc2YearEnding)}` : '';
  const none = s.noRecord > 0 ? `; no health record: ${children(s.noRecord)}` : '';
  return `Figures from the health extract: ${children(s.healthExtract)}; from the DfE return (OC2)${year}: ${children(s.oc2)}${none}.`;
}

/** Whether a sibling group shares one IRO, in words: several IROs may be justified (a conflict of interest, the group's size). */
export function siblingIroLabel(row: SiblingGroupRow): string {
  if (row.iros <= 1) return 'Yes';
  if (!row.oneIroMet) return 'No';
  return row.conflictOfInterest ? 'No – justified by a conflict of interest' : 'No – justified';
}
