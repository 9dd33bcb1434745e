/**
 * One child's part of an SSDA903 return, as the DfE's validation rules see it: the rows of each
 * table with their cells as written (trimmed, blank as ''), and where each row came from. Pure: the
 * loader builds these, the rules read them.
 */
import { ageOn, isIsoDate } from '#domain/dates';
import { collectionEnd, collectionStart, type CollectionYear } from '#domain/collection-year';

/** The tables of the return, by the DfE's names. */
export const SSDA903_TABLES = [
  'Header',
  'Episodes',
  'Reviews',
  'UASC',
  'OC2',
  'OC3',
  'AD1',
  'PlacedAdoption',
  'PrevPerm',
  'Missing',
  'SWEpisodes',
  'DoLo',
] as const;
export type Ssda903Table = (typeof SSDA903_TABLES)[number];

/** Where a row is: a line of a CSV file or sheet, or an element of the XML return. */
export interface RowLocation {
  file: string;
  /** The line (CSV) or row (xlsx) number; null for an XML element. */
  line: number | null;
  /** The element path in an XML return, e.g. `CHILD[12]/EPISODE[3]`; null otherwise. */
  element: string | null;
}

/** One row of one table. `cells` are keyed by the CSV column name (the XML's CHILDID is CHILD, PL is PLACE). */
export interface ReturnRow {
  readonly table: Ssda903Table;
  readonly cells: Readonly<Record<string, string>>;
  readonly at: RowLocation;
}

/** The rows of one child, this import's and (where the store holds them) last year's. */
export interface ChildReturn {
  /** The child's id as the import writes it (matched case-insensitively). */
  readonly childId: string;
  /** This import's rows of `table`, in file order; empty when it has none. */
  rows(table: Ssda903Table): readonly ReturnRow[];
  /**
   * Last year's rows of `table`: what the store held of this child from earlier returns, rebuilt as
   * cells. Null when the store holds nothing of the child (rules that need last year are then skipped).
   */
  previous(table: Ssda903Table): readonly ReturnRow[] | null;
}

/** What every rule may ask about the return as a whole. */
export interface ReturnContext {
  year: CollectionYear;
  /** 1 April and 31 March of the year, ISO. */
  start: string;
  end: string;
  /** The tables this import holds at all: a rule reading a table the import lacks is not checked. */
  tables: ReadonlySet<Ssda903Table>;
  /** The return came as CSV tables (or xlsx sheets) or as one XML file. */
  source: 'csv' | 'xml';
}

export function returnContext(
  year: CollectionYear,
  tables: Iterable<Ssda903Table>,
  source: 'csv' | 'xml' = 'csv',
): ReturnContext {
  return { year, start: collectionStart(year), end: collectionEnd(year), tables: new Set(tables), source };
}

/** A cell as written ('' when blank or absent). */
export const cell = (row: ReturnRow, column: string): string => row.cells[column] ?? '';
/** Whether a cell holds anything. */
export const filled = (row: ReturnRow, column: string): boolean => cell(row, column) !== '';

/**
 * A cell read as a date, ISO `YYYY-MM-DD`: the return writes dd/mm/YYYY (ISO is read too); null
 * when blank or not a real date (whether it is valid is the date rules' business, not every rule's).
 */
export function dateOf(row: ReturnRow, column: string): string | null {
  return parseReturnDate(cell(row, column));
}

export function parseReturnDate(text: string): string | null {
  const v = text.trim();
  if (v === '') return null;
  const uk = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(v);
  const iso = uk ? `${uk[3]}-${uk[2]!.padStart(2, '0')}-${uk[1]!.padStart(2, '0')}` : v;
  return isIsoDate(iso) ? iso : null;
}

/** Whether a filled cell is not a real date (blank is not "invalid": it is blank). */
export const invalidDate = (row: ReturnRow, column: string): boolean =>
  filled(row, column) && dateOf(row, column) === null;

/** Age in whole years on a date, or null when either is unknown. */
export function age(dateOfBirth: string | null, on: string | null): number | null {
  return dateOfBirth === null || on === null ? null : ageOn(dateOfBirth, on);
}

/** ISO date `days` after `iso` (negative: before). */
export function addDays(iso: string, days: number): string {
  const d = new Date(`${iso}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

/** ISO date `years` after `iso` (29 February → 28 February in a common year). */
export function addYears(iso: string, years: number): string {
  const [y, m, d] = iso.split('-').map(Number) as [number, number, number];
  const last = new Date(Date.UTC(y + years, m, 0)).getUTCDate();
  return `${y + years}-${String(m).padStart(2, '0')}-${String(Math.min(d, last)).padStart(2, '0')}`;
}

/** Whole days from `a` to `b` (positive when b is later). */
export function daysBetween(a: string, b: string): number {
  return Math.round((Date.parse(`${b}T00:00:00Z`) - Date.parse(`${a}T00:00:00Z`)) / 86_400_000);
}

/** The child's date of birth from this import's Header row (null when absent or not a date). */
export function dateOfBirth(child: ChildReturn): string | null {
  const header = child.rows('Header')[0];
  return header ? dateOf(header, 'DOB') : null;
}

/** The child's episodes in start order (rows whose DECOM is not a date keep their file order, last). */
export function episodesByStart(child: ChildReturn): ReturnRow[] {
  return sortByDate(child.rows('Episodes'), 'DECOM');
}

/** Rows sorted by a date column (undated rows last, in file order). */
export function sortByDate(rows: readonly ReturnRow[], column: string): ReturnRow[] {
  return rows
    .map((row, index) => ({ row, index, date: dateOf(row, column) }))
    .sort(
      (a, b) =>
        (a.date === null ? 1 : 0) - (b.date === null ? 1 : 0) ||
        (a.date ?? '').localeCompare(b.date ?? '') ||
        a.index - b.index,
    )
    .map(({ row }) => row);
}

/** Writes an ISO date the way people read it: 1 April 2025. */
export function longDate(iso: string): string {
  const [y, m, d] = iso.split('-').map(Number) as [number, number, number];
  const months = [
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
  return `${d} ${months[m - 1]} ${y}`;
}

/** A child's return built from plain rows (tests, rule examples, and the loader's grouping). */
export function childReturn(
  childId: string,
  rows: Partial<Record<Ssda903Table, readonly ReturnRow[]>>,
  previous: Partial<Record<Ssda903Table, readonly ReturnRow[]>> | null = null,
): ChildReturn {
  return {
    childId,
    rows: (table) => rows[table] ?? [],
    previous: (table) => (previous === null ? null : (previous[table] ?? [])),
  };
}
