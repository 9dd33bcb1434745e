/**
 * The DfE's rules on adoption: the adoption details of a child adopted in the year (AD1), the
 * decisions to place a child for adoption and their reversal (PlacedAdoption, this year's and
 * last year's), the child's permanence before this period of care (PrevPerm), and the integrity
 * checks that tie those tables to the Header.
 *
 * No audit reads these tables, so every rule here keeps the row and warns: a wrong adoption date
 * misleads the DfE's adoption statistics, not the timeline of the child's care that the audits
 * judge. Where a rule also names an episode, the episode is kept too, since the fault it shows
 * lies in the adoption details beside it.
 */
import { collectionStart } from '#domain/collection-year';
import { describeCode } from '../code-sets.ts';
import {
  cell,
  dateOf,
  filled,
  longDate,
  parseReturnDate,
  sortByDate,
  type ChildReturn,
  type ReturnContext,
  type ReturnRow,
} from '../return.ts';
import { codeRule, dateRule, rowRule, type Flag, type RuleNotApplied, type Ssda903Rule } from '../rule.ts';

// ---------------------------------------------------------------------------------------------
// Helpers

/** The adoption details of an AD1 row, in the DfE's order. */
const AD1_ITEMS = ['DATE_INT', 'DATE_MATCH', 'FOSTER_CARE', 'NB_ADOPTR', 'SEX_ADOPTR', 'LS_ADOPTR'] as const;
/** The care leaver details of an OC3 row. */
const OC3_ITEMS = ['IN_TOUCH', 'ACTIV', 'ACCOM'] as const;
/** Placements for adoption (PLACE). */
const PLACED_FOR_ADOPTION: ReadonlySet<string> = new Set(['A3', 'A4', 'A5', 'A6']);
/** Reasons an episode ceased that mean the child was adopted (REC). */
const ADOPTED: ReadonlySet<string> = new Set(['E11', 'E12']);

/**
 * The local authority codes LA_PERM may hold, with the codes for outside England.
 * Source: data-to-insight/csc-validator-be-903 v0.1.14, lac2022_23/rule_633.py (unchanged to 2026-27).
 */
const LOCAL_AUTHORITY_CODES: ReadonlySet<string> = new Set([
  ...(
    '201 202 203 204 205 206 207 208 209 210 211 212 213 301 302 303 304 305 306 307 308 309 310 311 312 313 314 315 316 317 318 319 320 ' +
    '330 331 332 333 334 335 336 340 341 342 343 344 350 351 352 353 354 355 356 357 358 359 370 371 372 373 380 381 382 383 384 390 391 ' +
    '392 393 394 420 800 801 802 803 805 806 807 808 810 811 812 813 815 816 821 822 823 825 826 830 831 835 836 837 840 841 845 846 850 ' +
    '851 852 855 856 857 860 861 865 866 867 868 869 870 871 872 873 874 876 877 878 879 880 881 882 883 884 885 886 887 888 889 890 891 ' +
    '892 893 894 895 896 908 909 916 919 921 925 926 928 929 931 933 935 936 937 938 999'
  ).split(' '),
  'WAL',
  'SCO',
  'NUK',
  'NIR',
]);

/** Why these rules warn rather than reject, by table. */
const AD1_REASON =
  "no audit reads the adoption details; the row is kept and the return's owner is warned to correct it";
const PLACED_REASON =
  'no audit reads the decisions to place a child for adoption; the row is kept with a warning to correct it';
const PREV_PERM_REASON = "no audit reads the child's previous permanence; the row is kept with a warning to correct it";
const BESIDE_EPISODES_REASON =
  'the fault is in the adoption details beside the episode, which no audit reads; both rows are kept with a warning';
const PREV_PERM_BESIDE_REASON =
  "the fault is in the child's previous permanence beside the episode, which no audit reads; the rows are kept with a warning";

/** A finding on a row, in a given column. */
const flag = (row: ReturnRow, column: string, detail?: string): Flag =>
  detail === undefined ? { row, column } : { row, column, detail };

/** Each row once: the DfE names a row once however many of its pairings with other rows break the rule. */
function once(flags: Iterable<Flag>): Flag[] {
  const seen = new Set<ReturnRow>();
  const out: Flag[] = [];
  for (const found of flags) {
    if (seen.has(found.row)) continue;
    seen.add(found.row);
    out.push(found);
  }
  return out;
}

/** A rule whose check pairs rows of two tables: each row it meets more than once is flagged once. */
const pairRule = (spec: Ssda903Rule): Ssda903Rule => ({
  ...spec,
  check: (child, context) => once(spec.check(child, context)),
});

/** The row with the earliest (or latest) date in `column`, the first in file order on a tie; undefined when none has a date. */
function pickByDate(rows: readonly ReturnRow[], column: string, latest: boolean): ReturnRow | undefined {
  let best: ReturnRow | undefined;
  let bestDate = '';
  for (const row of rows) {
    const date = dateOf(row, column);
    if (date === null) continue;
    if (best === undefined || (latest ? date > bestDate : date < bestDate)) [best, bestDate] = [row, date];
  }
  return best;
}
const earliestBy = (rows: readonly ReturnRow[], column: string) => pickByDate(rows, column, false);
const latestBy = (rows: readonly ReturnRow[], column: string) => pickByDate(rows, column, true);

/**
 * Whether two cells hold the same date: compared as dates when both are dates (last year's rows come
 * back from the store, perhaps written another way), else as written. A blank cell matches nothing.
 */
function sameDate(a: string, b: string): boolean {
  if (a === '' || b === '') return false;
  const [da, db] = [parseReturnDate(a), parseReturnDate(b)];
  return da !== null && db !== null ? da === db : a === b;
}

/** The AD1 items of a row that are filled. */
const filledItems = (row: ReturnRow, items: readonly string[]) => items.filter((column) => filled(row, column));

/** A date for messages: "1 May 2025", or the cell as written when it is not a date. */
const shown = (row: ReturnRow, column: string): string => {
  const date = dateOf(row, column);
  return date === null ? `"${cell(row, column)}"` : longDate(date);
};

/**
 * Whether the child was looked after throughout the year (the OC2 group), as the DfE's checker reads
 * the episodes: in care at some time in the year, with no episode that starts a period of care after
 * 1 April, ends one before 31 March (other than by X1) or is a short break in the year.
 */
export function lookedAfterAllYear(child: ChildReturn, { start, end }: ReturnContext): boolean {
  let inCare = false;
  for (const episode of child.rows('Episodes')) {
    const decom = dateOf(episode, 'DECOM');
    const dec = dateOf(episode, 'DEC');
    const duringYear = decom !== null && decom <= end && (dec === null || dec >= start);
    if (duringYear) inCare = true;
    const startsCare = cell(episode, 'RNE') === 'S' && decom !== null && decom > start && decom <= end;
    // The checker counts an end on 31 March itself as still in care for the whole year.
    const leavesCare = cell(episode, 'REC') !== 'X1' && dec !== null && dec >= start && dec < end;
    const shortBreak = (cell(episode, 'LS') === 'V3' || cell(episode, 'LS') === 'V4') && duringYear;
    if (startsCare || leavesCare || shortBreak) return false;
  }
  return inCare;
}

/**
 * DATE_PERM may hide an unknown day or month as ZZ and an unknown year as ZZZZ. The latest date it
 * could be (so a partly known date is never flagged for being too late when it might not be),
 * `'unknown year'` when the year is hidden (it cannot be compared), or null when it is no such date.
 */
export function latestPossibleDate(text: string): string | 'unknown year' | null {
  const whole = parseReturnDate(text);
  if (whole !== null) return whole;
  const parts = /^(\d{1,2}|ZZ)\/(\d{1,2}|ZZ)\/(\d{4}|ZZZZ)$/.exec(text.trim());
  if (!parts) return null;
  const [, day, month, year] = parts as unknown as [string, string, string, string];
  // The known parts must make a real date; an unknown year is read as a leap year, as the DfE's checker does.
  const y = year === 'ZZZZ' ? 2000 : Number(year);
  const m = month === 'ZZ' ? 1 : Number(month);
  const d = day === 'ZZ' ? 1 : Number(day);
  const pad = (n: number) => String(n).padStart(2, '0');
  if (parseReturnDate(`${pad(d)}/${pad(m)}/${y}`) === null) return null;
  if (year === 'ZZZZ') return 'unknown year';
  const latestMonth = month === 'ZZ' ? 12 : m;
  const lastDay = new Date(Date.UTC(y, latestMonth, 0)).getUTCDate();
  return `${y}-${pad(latestMonth)}-${pad(day === 'ZZ' ? lastDay : Math.min(d, lastDay))}`;
}

/** A full AD1 row, for examples. */
const FULL_AD1 = {
  DATE_INT: '01/01/2025',
  DATE_MATCH: '01/02/2025',
  FOSTER_CARE: '0',
  NB_ADOPTR: '2',
  SEX_ADOPTR: 'MF',
  LS_ADOPTR: 'L11',
};

/** A rule on the sexes of the adopters for one legal status. */
function adopterSexRule(
  code: string,
  legalStatus: string,
  sexes: readonly string[],
  examples: Ssda903Rule['examples'],
): Ssda903Rule {
  const allowed = sexes.map((sex) => describeCode('SEX_ADOPTR', sex));
  const list = allowed.length === 1 ? allowed[0]! : `${allowed.slice(0, -1).join(', ')} or ${allowed.at(-1)!}`;
  return rowRule({
    code,
    table: 'AD1',
    fields: ['SEX_ADOPTR', 'LS_ADOPTR'],
    meaning: `the adopters' legal status is ${describeCode('LS_ADOPTR', legalStatus)} but their sex is not given as ${list}`,
    severity: 'warn',
    reason: AD1_REASON,
    breaks: (row) =>
      cell(row, 'LS_ADOPTR') === legalStatus && !sexes.includes(cell(row, 'SEX_ADOPTR'))
        ? `SEX_ADOPTR is "${cell(row, 'SEX_ADOPTR')}"`
        : false,
    examples,
  });
}

// ---------------------------------------------------------------------------------------------
// The rules

export const ADOPTION_RULES: readonly Ssda903Rule[] = [
  // --- AD1: the adoption details, each on its own ---------------------------------------------
  dateRule({
    code: '112',
    table: 'AD1',
    column: 'DATE_INT',
    what: "the date of the decision that adoption is in the child's best interests",
    blank: 'allowed',
    severity: 'warn',
    reason: AD1_REASON,
    examples: [
      {
        valid: { AD1: [{ DATE_INT: '01/01/2025' }, { DATE_INT: '' }] },
        invalid: { AD1: [{ DATE_INT: '38/04/2025' }, { DATE_INT: '01/01/25' }] },
        flags: [
          ['AD1', 0],
          ['AD1', 1],
        ],
      },
    ],
  }),
  dateRule({
    code: '113',
    table: 'AD1',
    column: 'DATE_MATCH',
    what: 'the date the child was matched with the adopters',
    blank: 'allowed',
    severity: 'warn',
    reason: AD1_REASON,
    examples: [
      {
        valid: { AD1: [{ DATE_MATCH: '22/11/2025' }, { DATE_MATCH: '' }] },
        invalid: { AD1: [{ DATE_MATCH: '38/04/2025' }, { DATE_MATCH: '01/01/25' }] },
        flags: [
          ['AD1', 0],
          ['AD1', 1],
        ],
      },
    ],
  }),
  codeRule({
    code: '114',
    table: 'AD1',
    column: 'FOSTER_CARE',
    field: 'FLAG',
    what: 'whether the child was adopted by their former foster carers',
    blank: 'allowed',
    severity: 'warn',
    reason: AD1_REASON,
    examples: [
      {
        valid: { AD1: [{ FOSTER_CARE: '0' }, { FOSTER_CARE: '1' }, { FOSTER_CARE: '' }] },
        invalid: { AD1: [{ FOSTER_CARE: '2' }, { FOSTER_CARE: 'former foster carer' }] },
        flags: [
          ['AD1', 0],
          ['AD1', 1],
        ],
      },
    ],
  }),
  codeRule({
    code: '175',
    table: 'AD1',
    column: 'NB_ADOPTR',
    what: 'the number of adopters',
    blank: 'allowed',
    severity: 'warn',
    reason: AD1_REASON,
    examples: [
      {
        valid: { AD1: [{ NB_ADOPTR: '1' }, { NB_ADOPTR: '2' }, { NB_ADOPTR: '' }] },
        invalid: { AD1: [{ NB_ADOPTR: '0' }, { NB_ADOPTR: '3' }] },
        flags: [
          ['AD1', 0],
          ['AD1', 1],
        ],
      },
    ],
  }),
  codeRule({
    code: '176',
    table: 'AD1',
    column: 'SEX_ADOPTR',
    what: 'the sex of the adopters',
    blank: 'allowed',
    severity: 'warn',
    reason: AD1_REASON,
    examples: [
      {
        valid: { AD1: [{ SEX_ADOPTR: 'M1' }, { SEX_ADOPTR: 'MF' }, { SEX_ADOPTR: '' }] },
        invalid: { AD1: [{ SEX_ADOPTR: 'm1' }, { SEX_ADOPTR: '1' }] },
        flags: [
          ['AD1', 0],
          ['AD1', 1],
        ],
      },
    ],
  }),
  codeRule({
    code: '177',
    table: 'AD1',
    column: 'LS_ADOPTR',
    what: 'the legal status of the adopters',
    blank: 'allowed',
    severity: 'warn',
    reason: AD1_REASON,
    examples: [
      {
        valid: { AD1: [{ LS_ADOPTR: 'L0' }, { LS_ADOPTR: 'L11' }, { LS_ADOPTR: 'L4' }, { LS_ADOPTR: '' }] },
        invalid: { AD1: [{ LS_ADOPTR: 'L1' }, { LS_ADOPTR: 'l2' }] },
        flags: [
          ['AD1', 0],
          ['AD1', 1],
        ],
      },
    ],
  }),
  rowRule({
    code: '151',
    table: 'AD1',
    fields: [...AD1_ITEMS],
    meaning: 'some of the adoption details are given and some are blank: all six should be given, or none',
    severity: 'warn',
    reason: AD1_REASON,
    breaks: (row) => {
      const given = filledItems(row, AD1_ITEMS);
      return given.length > 0 && given.length < AD1_ITEMS.length
        ? `${AD1_ITEMS.filter((c) => !given.includes(c)).join(', ')} blank`
        : false;
    },
    examples: [
      {
        valid: { AD1: [FULL_AD1, {}] },
        invalid: { AD1: [{ DATE_INT: '01/01/2025' }, { ...FULL_AD1, LS_ADOPTR: '' }] },
        flags: [
          ['AD1', 0],
          ['AD1', 1],
        ],
      },
    ],
  }),
  rowRule({
    code: '333',
    table: 'AD1',
    fields: ['DATE_INT', 'DATE_MATCH'],
    meaning:
      "the child was matched with adopters, but the date of the decision that adoption is in the child's best interests is missing or later than the match",
    severity: 'warn',
    reason: AD1_REASON,
    breaks: (row) => {
      const match = dateOf(row, 'DATE_MATCH');
      if (match === null) return false;
      const decided = dateOf(row, 'DATE_INT');
      if (decided === null) return `DATE_INT is ${filled(row, 'DATE_INT') ? `"${cell(row, 'DATE_INT')}"` : 'blank'}`;
      return decided > match ? `the decision is dated ${longDate(decided)}, the match ${longDate(match)}` : false;
    },
    examples: [
      {
        note: 'a decision on the day of the match is allowed',
        valid: {
          AD1: [
            { DATE_INT: '05/06/2025', DATE_MATCH: '05/06/2025' },
            { DATE_INT: '02/06/2025', DATE_MATCH: '' },
          ],
        },
        invalid: {
          AD1: [
            { DATE_INT: '06/06/2025', DATE_MATCH: '05/06/2025' },
            { DATE_INT: '', DATE_MATCH: '05/06/2025' },
          ],
        },
        flags: [
          ['AD1', 0],
          ['AD1', 1],
        ],
      },
    ],
  }),
  rowRule({
    code: '511',
    table: 'AD1',
    fields: ['SEX_ADOPTR', 'NB_ADOPTR'],
    meaning: `there are two adopters but their sex is given as a single adopter's: ${describeCode('SEX_ADOPTR', 'M1')} or ${describeCode('SEX_ADOPTR', 'F1')}`,
    severity: 'warn',
    reason: AD1_REASON,
    breaks: (row) =>
      cell(row, 'NB_ADOPTR') === '2' && ['M1', 'F1'].includes(cell(row, 'SEX_ADOPTR'))
        ? `SEX_ADOPTR is "${cell(row, 'SEX_ADOPTR')}"`
        : false,
    examples: [
      {
        valid: {
          AD1: [
            { NB_ADOPTR: '2', SEX_ADOPTR: 'MM' },
            { NB_ADOPTR: '1', SEX_ADOPTR: 'F1' },
            { NB_ADOPTR: '', SEX_ADOPTR: 'M1' },
          ],
        },
        invalid: {
          AD1: [
            { NB_ADOPTR: '2', SEX_ADOPTR: 'M1' },
            { NB_ADOPTR: '2', SEX_ADOPTR: 'F1' },
          ],
        },
        flags: [
          ['AD1', 0],
          ['AD1', 1],
        ],
      },
    ],
  }),
  adopterSexRule(
    '514',
    'L0',
    ['M1', 'F1'],
    [
      {
        valid: {
          AD1: [
            { LS_ADOPTR: 'L0', SEX_ADOPTR: 'M1' },
            { LS_ADOPTR: 'L0', SEX_ADOPTR: 'F1' },
            { LS_ADOPTR: 'L11', SEX_ADOPTR: 'MF' },
          ],
        },
        invalid: {
          AD1: [
            { LS_ADOPTR: 'L0', SEX_ADOPTR: 'MF' },
            { LS_ADOPTR: 'L0', SEX_ADOPTR: '' },
          ],
        },
        flags: [
          ['AD1', 0],
          ['AD1', 1],
        ],
      },
    ],
  ),
  adopterSexRule(
    '517',
    'L3',
    ['MF'],
    [
      {
        valid: {
          AD1: [
            { LS_ADOPTR: 'L3', SEX_ADOPTR: 'MF' },
            { LS_ADOPTR: 'L4', SEX_ADOPTR: 'MM' },
          ],
        },
        invalid: {
          AD1: [
            { LS_ADOPTR: 'L3', SEX_ADOPTR: 'MM' },
            { LS_ADOPTR: 'L3', SEX_ADOPTR: 'M1' },
            { LS_ADOPTR: 'L3', SEX_ADOPTR: '' },
          ],
        },
        flags: [
          ['AD1', 0],
          ['AD1', 1],
          ['AD1', 2],
        ],
      },
    ],
  ),
  adopterSexRule(
    '518',
    'L4',
    ['MM', 'FF'],
    [
      {
        valid: {
          AD1: [
            { LS_ADOPTR: 'L4', SEX_ADOPTR: 'MM' },
            { LS_ADOPTR: 'L4', SEX_ADOPTR: 'FF' },
            { LS_ADOPTR: 'L3', SEX_ADOPTR: 'MF' },
          ],
        },
        invalid: {
          AD1: [
            { LS_ADOPTR: 'L4', SEX_ADOPTR: 'MF' },
            { LS_ADOPTR: 'L4', SEX_ADOPTR: 'F1' },
          ],
        },
        flags: [
          ['AD1', 0],
          ['AD1', 1],
        ],
      },
    ],
  ),
  adopterSexRule(
    '519',
    'L2',
    ['MM', 'FF', 'MF'],
    [
      {
        valid: {
          AD1: [
            { LS_ADOPTR: 'L2', SEX_ADOPTR: 'MM' },
            { LS_ADOPTR: 'L2', SEX_ADOPTR: 'MF' },
            { LS_ADOPTR: 'L0', SEX_ADOPTR: 'M1' },
          ],
        },
        invalid: {
          AD1: [
            { LS_ADOPTR: 'L2', SEX_ADOPTR: 'M1' },
            { LS_ADOPTR: 'L2', SEX_ADOPTR: '' },
          ],
        },
        flags: [
          ['AD1', 0],
          ['AD1', 1],
        ],
      },
    ],
  ),
  adopterSexRule(
    '520',
    'L11',
    ['MF'],
    [
      {
        valid: {
          AD1: [
            { LS_ADOPTR: 'L11', SEX_ADOPTR: 'MF' },
            { LS_ADOPTR: 'L12', SEX_ADOPTR: 'FF' },
          ],
        },
        invalid: {
          AD1: [
            { LS_ADOPTR: 'L11', SEX_ADOPTR: 'MM' },
            { LS_ADOPTR: 'L11', SEX_ADOPTR: 'FF' },
          ],
        },
        flags: [
          ['AD1', 0],
          ['AD1', 1],
        ],
      },
    ],
  ),
  adopterSexRule(
    '524',
    'L12',
    ['MM', 'FF'],
    [
      {
        valid: {
          AD1: [
            { LS_ADOPTR: 'L12', SEX_ADOPTR: 'MM' },
            { LS_ADOPTR: 'L12', SEX_ADOPTR: 'FF' },
          ],
        },
        invalid: {
          AD1: [
            { LS_ADOPTR: 'L12', SEX_ADOPTR: 'MF' },
            { LS_ADOPTR: 'L12', SEX_ADOPTR: 'M1' },
          ],
        },
        flags: [
          ['AD1', 0],
          ['AD1', 1],
        ],
      },
    ],
  ),

  // --- AD1 against the episodes and care leaver details ---------------------------------------
  {
    code: '134',
    tables: ['AD1', 'OC3'],
    fields: [...AD1_ITEMS, ...OC3_ITEMS],
    meaning: 'adoption details are given for a young person who also has care leaver details',
    severity: 'warn',
    reason: AD1_REASON,
    *check(child) {
      const leaver = child.rows('OC3').some((row) => filledItems(row, OC3_ITEMS).length > 0);
      if (!leaver) return;
      for (const row of child.rows('AD1')) {
        const given = filledItems(row, AD1_ITEMS);
        if (given.length > 0) yield flag(row, given[0]!, `${given.join(', ')} given`);
      }
    },
    examples: [
      {
        valid: { AD1: [{ DATE_INT: '01/05/2025' }], OC3: [{ IN_TOUCH: '', ACTIV: '', ACCOM: '' }] },
        invalid: { AD1: [{ DATE_INT: '01/05/2025' }], OC3: [{ IN_TOUCH: 'YES' }] },
        flags: [['AD1', 0]],
      },
      {
        valid: { AD1: [{}], OC3: [{ ACCOM: 'B1' }] },
        invalid: { AD1: [{ LS_ADOPTR: 'L2' }], OC3: [{ ACCOM: 'B1' }] },
        flags: [['AD1', 0]],
      },
    ],
  },
  {
    code: '187',
    tables: ['AD1', 'Episodes', 'OC3'],
    fields: [...AD1_ITEMS, ...OC3_ITEMS],
    meaning:
      'the child was looked after throughout the year (the group whose outcomes are in OC2) but has adoption or care leaver details',
    severity: 'warn',
    reason:
      'the episodes are sound; the adoption or care leaver details beside them are what no audit reads, so both are kept with a warning',
    *check(child, context) {
      if (!lookedAfterAllYear(child, context)) return;
      for (const row of child.rows('AD1')) {
        const given = filledItems(row, AD1_ITEMS);
        if (given.length > 0) yield flag(row, given[0]!, `${given.join(', ')} given`);
      }
      for (const row of child.rows('OC3')) {
        const given = filledItems(row, OC3_ITEMS);
        if (given.length > 0) yield flag(row, given[0]!, `${given.join(', ')} given`);
      }
    },
    examples: [
      {
        note: 'a period of care starting on 1 April itself counts as looked after all year; one starting on 2 April does not',
        valid: {
          Episodes: [{ DECOM: '02/04/2025', RNE: 'S', LS: 'C2', DEC: '', REC: '' }],
          AD1: [{ DATE_INT: '01/05/2025' }],
          OC3: [{ IN_TOUCH: 'YES' }],
        },
        invalid: {
          Episodes: [{ DECOM: '01/04/2025', RNE: 'S', LS: 'C2', DEC: '', REC: '' }],
          AD1: [{ DATE_INT: '01/05/2025' }],
          OC3: [{ IN_TOUCH: 'YES' }],
        },
        flags: [
          ['AD1', 0],
          ['OC3', 0],
        ],
      },
      {
        note: 'leaving care on 30 March is leaving during the year; on 31 March it is not',
        valid: {
          Episodes: [{ DECOM: '01/01/2024', RNE: 'S', LS: 'E1', DEC: '30/03/2026', REC: 'E11' }],
          AD1: [FULL_AD1],
        },
        invalid: {
          Episodes: [{ DECOM: '01/01/2024', RNE: 'S', LS: 'E1', DEC: '31/03/2026', REC: 'E11' }],
          AD1: [FULL_AD1, {}],
        },
        flags: [['AD1', 0]],
      },
    ],
  },
  pairRule({
    code: '331',
    tables: ['AD1', 'Episodes'],
    fields: ['DATE_MATCH', 'DECOM', 'REC'],
    meaning: 'the child was matched with the adopters after the placement that ended in adoption had started',
    severity: 'warn',
    reason: BESIDE_EPISODES_REASON,
    *check(child) {
      for (const episode of child.rows('Episodes')) {
        const decom = dateOf(episode, 'DECOM');
        if (!ADOPTED.has(cell(episode, 'REC')) || decom === null) continue;
        for (const row of child.rows('AD1')) {
          const match = dateOf(row, 'DATE_MATCH');
          if (match === null || match <= decom) continue;
          yield flag(row, 'DATE_MATCH', `matched on ${longDate(match)}`);
          yield flag(episode, 'DECOM', `the placement started on ${longDate(decom)}`);
        }
      }
    },
    examples: [
      {
        note: 'matched on the day the placement started is allowed',
        valid: {
          Episodes: [
            { DECOM: '01/06/2025', REC: 'E11' },
            { DECOM: '01/01/2025', REC: 'E4A' },
          ],
          AD1: [{ DATE_MATCH: '01/06/2025' }],
        },
        invalid: { Episodes: [{ DECOM: '01/06/2025', REC: 'E12' }], AD1: [{ DATE_MATCH: '02/06/2025' }] },
        flags: [
          ['AD1', 0],
          ['Episodes', 0],
        ],
      },
    ],
  }),
  pairRule({
    code: '334',
    tables: ['AD1', 'Episodes'],
    fields: ['DATE_INT', 'DECOM', 'RNE'],
    meaning:
      "the decision that adoption is in the child's best interests is dated before the child's latest period of care started",
    severity: 'warn',
    reason: BESIDE_EPISODES_REASON,
    *check(child) {
      const started = latestBy(
        child.rows('Episodes').filter((episode) => cell(episode, 'RNE') === 'S'),
        'DECOM',
      );
      if (!started) return;
      const decom = dateOf(started, 'DECOM')!;
      for (const row of child.rows('AD1')) {
        const decided = dateOf(row, 'DATE_INT');
        if (decided === null || decided >= decom) continue;
        yield flag(row, 'DATE_INT', `the decision is dated ${longDate(decided)}`);
        yield flag(started, 'DECOM', `the period of care started on ${longDate(decom)}`);
      }
    },
    examples: [
      {
        note: 'a decision on the day the latest period of care started is allowed',
        valid: {
          Episodes: [
            { DECOM: '01/03/2024', RNE: 'S' },
            { DECOM: '01/01/2025', RNE: 'S' },
            { DECOM: '01/06/2025', RNE: 'P' },
          ],
          AD1: [{ DATE_INT: '01/01/2025' }],
        },
        invalid: {
          Episodes: [
            { DECOM: '01/03/2024', RNE: 'S' },
            { DECOM: '01/01/2025', RNE: 'S' },
            { DECOM: '01/06/2025', RNE: 'P' },
          ],
          AD1: [{ DATE_INT: '31/12/2024' }],
        },
        flags: [
          ['AD1', 0],
          ['Episodes', 1],
        ],
      },
    ],
  }),
  pairRule({
    code: '335',
    tables: ['AD1', 'Episodes'],
    fields: ['FOSTER_CARE', 'PLACE'],
    meaning:
      'the child was adopted from a placement with their current foster carers (A3, A5) but the adoption details say the adopters were not their foster carers, or the other way round (A4, A6)',
    severity: 'warn',
    reason: BESIDE_EPISODES_REASON,
    *check(child) {
      for (const episode of child.rows('Episodes')) {
        // E1 is the adoption code before E11 and E12; A1 and A2 the placements under a freeing order.
        if (!['E1', 'E11', 'E12'].includes(cell(episode, 'REC'))) continue;
        const place = cell(episode, 'PLACE');
        for (const row of child.rows('AD1')) {
          const fosterCarers = cell(row, 'FOSTER_CARE');
          const clash =
            (['A2', 'A3', 'A5'].includes(place) && fosterCarers === '0') ||
            (['A1', 'A4', 'A6'].includes(place) && fosterCarers === '1');
          if (!clash) continue;
          yield flag(row, 'FOSTER_CARE', `FOSTER_CARE is "${fosterCarers}"`);
          yield flag(episode, 'PLACE', `the placement was ${describeCode('PLACE', place)}`);
        }
      }
    },
    examples: [
      {
        valid: {
          Episodes: [
            { PLACE: 'A5', REC: 'E12' },
            { PLACE: 'A4', REC: 'E4A' },
          ],
          AD1: [{ FOSTER_CARE: '1' }],
        },
        invalid: { Episodes: [{ PLACE: 'A3', REC: 'E11' }], AD1: [{ FOSTER_CARE: '0' }] },
        flags: [
          ['AD1', 0],
          ['Episodes', 0],
        ],
      },
      {
        valid: { Episodes: [{ PLACE: 'A6', REC: 'E11' }], AD1: [{ FOSTER_CARE: '0' }] },
        invalid: {
          Episodes: [
            { PLACE: 'U4', REC: 'X1' },
            { PLACE: 'A6', REC: 'E12' },
          ],
          AD1: [{ FOSTER_CARE: '1' }],
        },
        flags: [
          ['AD1', 0],
          ['Episodes', 1],
        ],
      },
    ],
  }),
  pairRule({
    code: '521',
    tables: ['AD1', 'Episodes'],
    fields: ['DATE_INT', 'DECOM', 'PLACE'],
    meaning:
      "the decision that adoption is in the child's best interests is dated after the child was placed for adoption",
    severity: 'warn',
    reason: BESIDE_EPISODES_REASON,
    *check(child) {
      for (const episode of child.rows('Episodes')) {
        const decom = dateOf(episode, 'DECOM');
        if (!PLACED_FOR_ADOPTION.has(cell(episode, 'PLACE')) || decom === null) continue;
        for (const row of child.rows('AD1')) {
          const decided = dateOf(row, 'DATE_INT');
          if (decided === null || decided <= decom) continue;
          yield flag(row, 'DATE_INT', `the decision is dated ${longDate(decided)}`);
          yield flag(episode, 'DECOM', `the placement for adoption started on ${longDate(decom)}`);
        }
      }
    },
    examples: [
      {
        note: 'a decision on the day of the placement is allowed',
        valid: {
          Episodes: [
            { DECOM: '01/01/2025', PLACE: 'U4' },
            { DECOM: '22/06/2025', PLACE: 'A3' },
          ],
          AD1: [{ DATE_INT: '22/06/2025' }],
        },
        invalid: {
          Episodes: [
            { DECOM: '01/01/2025', PLACE: 'U4' },
            { DECOM: '21/06/2025', PLACE: 'A3' },
          ],
          AD1: [{ DATE_INT: '22/06/2025' }],
        },
        flags: [
          ['AD1', 0],
          ['Episodes', 1],
        ],
      },
    ],
  }),
  pairRule({
    code: '582',
    tables: ['AD1', 'Episodes'],
    fields: ['DEC', 'DATE_MATCH'],
    meaning:
      'the child was adopted on the day they were matched with the adopters (the match is expected to come before the adoption)',
    severity: 'warn',
    reason: BESIDE_EPISODES_REASON,
    *check(child) {
      for (const episode of child.rows('Episodes')) {
        if (!ADOPTED.has(cell(episode, 'REC'))) continue;
        const matched = child.rows('AD1').some((row) => sameDate(cell(episode, 'DEC'), cell(row, 'DATE_MATCH')));
        if (matched) yield flag(episode, 'DEC', `adopted and matched on ${shown(episode, 'DEC')}`);
      }
    },
    examples: [
      {
        valid: {
          Episodes: [
            { REC: 'E11', DEC: '01/01/2026' },
            { REC: 'E4A', DEC: '31/12/2025' },
          ],
          AD1: [{ DATE_MATCH: '31/12/2025' }],
        },
        invalid: { Episodes: [{ REC: 'E12', DEC: '31/12/2025' }], AD1: [{ DATE_MATCH: '31/12/2025' }] },
        flags: [['Episodes', 0]],
      },
    ],
  }),
  pairRule({
    code: '601',
    tables: ['AD1', 'Episodes'],
    fields: [...AD1_ITEMS, 'REC'],
    meaning: 'the child was adopted during the year but some of the adoption details are blank',
    severity: 'warn',
    reason: BESIDE_EPISODES_REASON,
    *check(child, { start, end }) {
      for (const episode of child.rows('Episodes')) {
        const dec = dateOf(episode, 'DEC');
        if (!ADOPTED.has(cell(episode, 'REC')) || dec === null || dec < start || dec > end) continue;
        for (const row of child.rows('AD1')) {
          const blank = AD1_ITEMS.filter((column) => !filled(row, column));
          if (blank.length === 0) continue;
          yield flag(row, blank[0]!, `${blank.join(', ')} blank`);
          yield flag(episode, 'REC', `adopted on ${longDate(dec)}`);
        }
      }
    },
    examples: [
      {
        note: "an adoption on 31 March, before the year, is not this year's",
        valid: { Episodes: [{ DEC: '31/03/2025', REC: 'E11' }], AD1: [{ DATE_INT: '01/01/2025' }] },
        invalid: { Episodes: [{ DEC: '01/04/2025', REC: 'E11' }], AD1: [{ DATE_INT: '01/01/2025' }] },
        flags: [
          ['AD1', 0],
          ['Episodes', 0],
        ],
      },
      {
        valid: { Episodes: [{ DEC: '31/03/2026', REC: 'E12' }], AD1: [FULL_AD1] },
        invalid: { Episodes: [{ DEC: '31/03/2026', REC: 'E12' }], AD1: [{ ...FULL_AD1, FOSTER_CARE: '' }] },
        flags: [
          ['AD1', 0],
          ['Episodes', 0],
        ],
      },
    ],
  }),
  {
    code: '602',
    tables: ['AD1', 'Episodes'],
    fields: ['CHILD', ...AD1_ITEMS],
    meaning: "adoption details are given but the child's episodes do not show an adoption during the year",
    severity: 'warn',
    reason: AD1_REASON,
    *check(child, { start, end }) {
      const adoptedThisYear = child.rows('Episodes').some((episode) => {
        const dec = dateOf(episode, 'DEC');
        return ADOPTED.has(cell(episode, 'REC')) && dec !== null && dec >= start && dec <= end;
      });
      if (adoptedThisYear) return;
      for (const row of child.rows('AD1'))
        if (filledItems(row, AD1_ITEMS).length > 0)
          yield flag(row, 'CHILD', 'no episode ends in adoption (E11, E12) during the year');
    },
    examples: [
      {
        note: "an adoption on 1 April is this year's; one on 31 March is not",
        valid: { Episodes: [{ DEC: '01/04/2025', REC: 'E11' }], AD1: [FULL_AD1] },
        invalid: { Episodes: [{ DEC: '31/03/2025', REC: 'E11' }], AD1: [FULL_AD1, {}] },
        flags: [['AD1', 0]],
      },
    ],
  },

  // --- PlacedAdoption: each decision on its own -----------------------------------------------
  dateRule({
    code: '115',
    table: 'PlacedAdoption',
    column: 'DATE_PLACED',
    what: 'the date of the decision that the child should be placed for adoption',
    blank: 'allowed',
    severity: 'warn',
    reason: PLACED_REASON,
    examples: [
      {
        valid: { PlacedAdoption: [{ DATE_PLACED: '01/01/2025' }, { DATE_PLACED: '' }] },
        invalid: { PlacedAdoption: [{ DATE_PLACED: '38/04/2025' }, { DATE_PLACED: '01/01/25' }] },
        flags: [
          ['PlacedAdoption', 0],
          ['PlacedAdoption', 1],
        ],
      },
    ],
  }),
  dateRule({
    code: '116',
    table: 'PlacedAdoption',
    column: 'DATE_PLACED_CEASED',
    what: 'the date of the decision that the child should no longer be placed for adoption',
    blank: 'allowed',
    severity: 'warn',
    reason: PLACED_REASON,
    examples: [
      {
        valid: { PlacedAdoption: [{ DATE_PLACED_CEASED: '01/01/2026' }, { DATE_PLACED_CEASED: '' }] },
        invalid: { PlacedAdoption: [{ DATE_PLACED_CEASED: '38/04/2025' }, { DATE_PLACED_CEASED: '01/01/25' }] },
        flags: [
          ['PlacedAdoption', 0],
          ['PlacedAdoption', 1],
        ],
      },
    ],
  }),
  rowRule({
    code: '119',
    table: 'PlacedAdoption',
    fields: ['DATE_PLACED_CEASED', 'REASON_PLACED_CEASED'],
    meaning:
      'a decision that the child should no longer be placed for adoption needs both its date and its reason, but one of them is blank',
    severity: 'warn',
    reason: PLACED_REASON,
    breaks: (row) => {
      const [dated, reasoned] = [filled(row, 'DATE_PLACED_CEASED'), filled(row, 'REASON_PLACED_CEASED')];
      if (dated === reasoned) return false;
      return dated ? 'REASON_PLACED_CEASED is blank' : 'DATE_PLACED_CEASED is blank';
    },
    examples: [
      {
        valid: {
          PlacedAdoption: [
            { DATE_PLACED_CEASED: '01/05/2025', REASON_PLACED_CEASED: 'RD1' },
            { DATE_PLACED_CEASED: '', REASON_PLACED_CEASED: '' },
          ],
        },
        invalid: {
          PlacedAdoption: [
            { DATE_PLACED_CEASED: '01/05/2025', REASON_PLACED_CEASED: '' },
            { DATE_PLACED_CEASED: '', REASON_PLACED_CEASED: 'RD1' },
          ],
        },
        flags: [
          ['PlacedAdoption', 0],
          ['PlacedAdoption', 1],
        ],
      },
    ],
  }),
  codeRule({
    code: '120',
    table: 'PlacedAdoption',
    column: 'REASON_PLACED_CEASED',
    what: 'the reason the child should no longer be placed for adoption',
    blank: 'allowed',
    severity: 'warn',
    reason: PLACED_REASON,
    examples: [
      {
        valid: {
          PlacedAdoption: [
            { REASON_PLACED_CEASED: 'RD1' },
            { REASON_PLACED_CEASED: 'RD4' },
            { REASON_PLACED_CEASED: '' },
          ],
        },
        invalid: {
          PlacedAdoption: [
            { REASON_PLACED_CEASED: 'rd1' },
            { REASON_PLACED_CEASED: 'RD0' },
            { REASON_PLACED_CEASED: '1' },
          ],
        },
        flags: [
          ['PlacedAdoption', 0],
          ['PlacedAdoption', 1],
          ['PlacedAdoption', 2],
        ],
      },
    ],
  }),
  rowRule({
    code: '184',
    table: 'PlacedAdoption',
    alsoReads: ['Header'],
    fields: ['DATE_PLACED', 'DOB'],
    meaning:
      "the decision that the child should be placed for adoption is dated before the child was born, or the child's date of birth is not known",
    severity: 'warn',
    reason: PLACED_REASON,
    breaks: (row, child) => {
      const placed = dateOf(row, 'DATE_PLACED');
      if (placed === null) return false;
      const headers = child.rows('Header');
      // The DfE's checker flags a dated decision whenever it cannot find a date of birth to compare it with.
      if (headers.length === 0) return 'the child has no Header row';
      for (const header of headers) {
        const dob = dateOf(header, 'DOB');
        if (dob === null) return "the child's date of birth is not known";
        if (placed < dob) return `the decision is dated ${longDate(placed)}, the child was born on ${longDate(dob)}`;
      }
      return false;
    },
    examples: [
      {
        note: 'a decision on the day of birth is allowed',
        valid: {
          Header: [{ DOB: '01/05/2024' }],
          PlacedAdoption: [{ DATE_PLACED: '01/05/2024' }, { DATE_PLACED: '' }],
        },
        invalid: {
          Header: [{ DOB: '01/05/2024' }],
          PlacedAdoption: [{ DATE_PLACED: '30/04/2024' }, { DATE_PLACED: '02/05/2024' }],
        },
        flags: [['PlacedAdoption', 0]],
      },
      {
        valid: { Header: [{ DOB: '' }], PlacedAdoption: [{ DATE_PLACED: '' }] },
        invalid: { Header: [{ DOB: '' }], PlacedAdoption: [{ DATE_PLACED: '01/05/2025' }] },
        flags: [['PlacedAdoption', 0]],
      },
    ],
  }),
  rowRule({
    code: '522',
    table: 'PlacedAdoption',
    fields: ['DATE_PLACED_CEASED', 'DATE_PLACED'],
    meaning:
      'the decision that the child should no longer be placed for adoption is dated before the decision that they should be',
    severity: 'warn',
    reason: PLACED_REASON,
    breaks: (row) => {
      const [placed, ceased] = [dateOf(row, 'DATE_PLACED'), dateOf(row, 'DATE_PLACED_CEASED')];
      return placed !== null && ceased !== null && ceased < placed
        ? `decided on ${longDate(placed)}, reversed on ${longDate(ceased)}`
        : false;
    },
    examples: [
      {
        note: 'a reversal on the day of the decision is allowed',
        valid: {
          PlacedAdoption: [
            { DATE_PLACED: '26/05/2025', DATE_PLACED_CEASED: '26/05/2025' },
            { DATE_PLACED: '26/05/2025', DATE_PLACED_CEASED: '' },
            { DATE_PLACED: '', DATE_PLACED_CEASED: '26/05/2025' },
          ],
        },
        invalid: { PlacedAdoption: [{ DATE_PLACED: '26/05/2025', DATE_PLACED_CEASED: '25/05/2025' }] },
        flags: [['PlacedAdoption', 0]],
      },
    ],
  }),
  rowRule({
    code: '563',
    table: 'PlacedAdoption',
    fields: ['DATE_PLACED', 'DATE_PLACED_CEASED', 'REASON_PLACED_CEASED'],
    meaning:
      'a decision to place the child for adoption is recorded as reversed but the date of the decision itself is blank',
    severity: 'warn',
    reason: PLACED_REASON,
    breaks: (row) =>
      filled(row, 'DATE_PLACED_CEASED') && filled(row, 'REASON_PLACED_CEASED') && !filled(row, 'DATE_PLACED')
        ? 'DATE_PLACED is blank'
        : false,
    examples: [
      {
        valid: {
          PlacedAdoption: [
            { DATE_PLACED: '26/05/2025', DATE_PLACED_CEASED: '01/06/2025', REASON_PLACED_CEASED: 'RD1' },
            { DATE_PLACED: '', DATE_PLACED_CEASED: '', REASON_PLACED_CEASED: '' },
          ],
        },
        invalid: {
          PlacedAdoption: [{ DATE_PLACED: '', DATE_PLACED_CEASED: '01/06/2025', REASON_PLACED_CEASED: 'RD1' }],
        },
        flags: [['PlacedAdoption', 0]],
      },
    ],
  }),
  {
    code: '579',
    tables: ['PlacedAdoption'],
    fields: ['DATE_PLACED', 'DATE_PLACED_CEASED'],
    meaning:
      'a decision to place the child for adoption starts while the previous decision is still open, or before the previous one was reversed',
    severity: 'warn',
    reason: PLACED_REASON,
    *check(child) {
      const decisions = sortByDate(child.rows('PlacedAdoption'), 'DATE_PLACED');
      for (let i = 1; i < decisions.length; i++) {
        const [before, row] = [decisions[i - 1]!, decisions[i]!];
        const reversed = dateOf(before, 'DATE_PLACED_CEASED');
        const placed = dateOf(row, 'DATE_PLACED');
        if (reversed === null)
          yield flag(
            row,
            'DATE_PLACED',
            `the decision before it (${shown(before, 'DATE_PLACED')}) has no date of reversal`,
          );
        else if (placed !== null && placed < reversed)
          yield flag(
            row,
            'DATE_PLACED',
            `decided on ${longDate(placed)}, before the previous decision was reversed on ${longDate(reversed)}`,
          );
      }
    },
    examples: [
      {
        note: 'a new decision on the day the previous one was reversed is allowed',
        valid: {
          PlacedAdoption: [
            { DATE_PLACED: '03/06/2025', DATE_PLACED_CEASED: '04/06/2025' },
            { DATE_PLACED: '04/06/2025', DATE_PLACED_CEASED: '' },
          ],
        },
        invalid: {
          PlacedAdoption: [
            { DATE_PLACED: '01/06/2025', DATE_PLACED_CEASED: '05/06/2025' },
            { DATE_PLACED: '04/06/2025', DATE_PLACED_CEASED: '' },
          ],
        },
        flags: [['PlacedAdoption', 1]],
      },
      {
        note: 'decisions are taken in date order, not file order',
        valid: {
          PlacedAdoption: [
            { DATE_PLACED: '07/06/2025', DATE_PLACED_CEASED: '' },
            { DATE_PLACED: '03/06/2025', DATE_PLACED_CEASED: '04/06/2025' },
          ],
        },
        invalid: {
          PlacedAdoption: [
            { DATE_PLACED: '07/06/2025', DATE_PLACED_CEASED: '09/06/2025' },
            { DATE_PLACED: '03/06/2025', DATE_PLACED_CEASED: '' },
          ],
        },
        flags: [['PlacedAdoption', 0]],
      },
    ],
  },
  {
    code: '583',
    tables: ['PlacedAdoption'],
    fields: ['DATE_PLACED_CEASED', 'DATE_PLACED'],
    meaning:
      'the child has more than one decision to place them for adoption, but an earlier one has no date of reversal (it may have been reversed in an earlier year)',
    severity: 'warn',
    reason: PLACED_REASON,
    *check(child) {
      const rows = child.rows('PlacedAdoption');
      // The latest decision by date (undated ones count as earliest) may stay open; every other must be reversed.
      const latest = latestBy(rows, 'DATE_PLACED') ?? rows[0];
      for (const row of rows) {
        if (row !== latest && !filled(row, 'DATE_PLACED_CEASED'))
          yield flag(row, 'DATE_PLACED_CEASED', `the decision of ${shown(row, 'DATE_PLACED')} is not the latest`);
      }
    },
    examples: [
      {
        valid: {
          PlacedAdoption: [
            { DATE_PLACED: '01/02/2025', DATE_PLACED_CEASED: '02/02/2025' },
            { DATE_PLACED: '03/02/2025', DATE_PLACED_CEASED: '' },
          ],
        },
        invalid: {
          PlacedAdoption: [
            { DATE_PLACED: '03/02/2025', DATE_PLACED_CEASED: '' },
            { DATE_PLACED: '01/02/2025', DATE_PLACED_CEASED: '' },
          ],
        },
        flags: [['PlacedAdoption', 1]],
      },
      {
        valid: { PlacedAdoption: [{ DATE_PLACED: '01/02/2025', DATE_PLACED_CEASED: '' }] },
        invalid: {
          PlacedAdoption: [
            { DATE_PLACED: '01/02/2025', DATE_PLACED_CEASED: '02/02/2025' },
            { DATE_PLACED: '01/01/2025', DATE_PLACED_CEASED: '' },
          ],
        },
        flags: [['PlacedAdoption', 1]],
      },
    ],
  },

  // --- PlacedAdoption against the episodes ----------------------------------------------------
  pairRule({
    code: '117',
    tables: ['Episodes', 'PlacedAdoption'],
    fields: ['DATE_PLACED', 'DATE_PLACED_CEASED', 'DEC', 'DECOM', 'REC'],
    meaning:
      "a decision that the child should, or should no longer, be placed for adoption is dated after the end of the year or after the child's latest episode ended",
    severity: 'warn',
    reason: BESIDE_EPISODES_REASON,
    *check(child, { end }) {
      // The latest episode, by start, of those not ending in a move to another episode (X1).
      const last = latestBy(
        child.rows('Episodes').filter((episode) => cell(episode, 'REC') !== 'X1'),
        'DECOM',
      );
      if (!last) return;
      const dec = dateOf(last, 'DEC');
      for (const row of child.rows('PlacedAdoption')) {
        for (const column of ['DATE_PLACED', 'DATE_PLACED_CEASED']) {
          const date = dateOf(row, column);
          if (date === null || (date <= end && (dec === null || date <= dec))) continue;
          yield flag(
            row,
            column,
            date > end
              ? `${column} is ${longDate(date)}, after the year ends`
              : `${column} is ${longDate(date)}, after the episode ended on ${longDate(dec!)}`,
          );
          yield flag(last, 'DEC', dec === null ? undefined : `the episode ended on ${longDate(dec)}`);
          break;
        }
      }
    },
    examples: [
      {
        note: 'a decision on the day the last episode ended is allowed; an episode ending X1 is passed over',
        valid: {
          Episodes: [
            { DECOM: '01/01/2025', DEC: '31/03/2026', REC: 'E11' },
            { DECOM: '01/02/2026', DEC: '01/03/2026', REC: 'X1' },
          ],
          PlacedAdoption: [{ DATE_PLACED: '31/03/2026' }],
        },
        invalid: {
          Episodes: [
            { DECOM: '01/01/2025', DEC: '30/03/2026', REC: 'E11' },
            { DECOM: '01/02/2026', DEC: '01/03/2026', REC: 'X1' },
          ],
          PlacedAdoption: [{ DATE_PLACED: '31/03/2026' }],
        },
        flags: [
          ['PlacedAdoption', 0],
          ['Episodes', 0],
        ],
      },
      {
        note: 'a reversal on 31 March, the last day of the year, is allowed; on the next day it is not',
        valid: {
          Episodes: [{ DECOM: '01/01/2025', DEC: '', REC: '' }],
          PlacedAdoption: [{ DATE_PLACED: '01/01/2025', DATE_PLACED_CEASED: '31/03/2026' }],
        },
        invalid: {
          Episodes: [{ DECOM: '01/01/2025', DEC: '', REC: '' }],
          PlacedAdoption: [{ DATE_PLACED: '01/01/2025', DATE_PLACED_CEASED: '01/04/2026' }],
        },
        flags: [
          ['PlacedAdoption', 0],
          ['Episodes', 0],
        ],
      },
    ],
  }),
  pairRule({
    code: '118',
    tables: ['Episodes', 'PlacedAdoption'],
    fields: ['DATE_PLACED_CEASED', 'DECOM', 'LS'],
    meaning:
      "a decision that the child should no longer be placed for adoption is dated before the year began, or before the child's first episode (other than short breaks) started",
    severity: 'warn',
    reason: BESIDE_EPISODES_REASON,
    *check(child, { start }) {
      const first = earliestBy(
        child.rows('Episodes').filter((episode) => !['V3', 'V4'].includes(cell(episode, 'LS'))),
        'DECOM',
      );
      if (!first) return;
      const decom = dateOf(first, 'DECOM')!;
      for (const row of child.rows('PlacedAdoption')) {
        const ceased = dateOf(row, 'DATE_PLACED_CEASED');
        if (ceased === null || (ceased >= decom && ceased >= start)) continue;
        yield flag(
          row,
          'DATE_PLACED_CEASED',
          ceased < start ? `reversed on ${longDate(ceased)}, before the year began` : `reversed on ${longDate(ceased)}`,
        );
        yield flag(first, 'DECOM', `the first episode started on ${longDate(decom)}`);
      }
    },
    examples: [
      {
        note: "a short-break episode does not count as the first; a reversal on the first episode's start is allowed",
        valid: {
          Episodes: [
            { DECOM: '01/04/2025', LS: 'V3' },
            { DECOM: '02/04/2025', LS: 'C2' },
          ],
          PlacedAdoption: [{ DATE_PLACED: '01/01/2025', DATE_PLACED_CEASED: '02/04/2025' }],
        },
        invalid: {
          Episodes: [
            { DECOM: '01/04/2025', LS: 'V3' },
            { DECOM: '02/04/2025', LS: 'C2' },
          ],
          PlacedAdoption: [{ DATE_PLACED: '01/01/2025', DATE_PLACED_CEASED: '01/04/2025' }],
        },
        flags: [
          ['PlacedAdoption', 0],
          ['Episodes', 1],
        ],
      },
      {
        note: 'a reversal on 1 April, the first day of the year, is allowed; on the day before it is not',
        valid: {
          Episodes: [{ DECOM: '01/01/2025', LS: 'C2' }],
          PlacedAdoption: [{ DATE_PLACED: '01/01/2025', DATE_PLACED_CEASED: '01/04/2025' }],
        },
        invalid: {
          Episodes: [{ DECOM: '01/01/2025', LS: 'C2' }],
          PlacedAdoption: [{ DATE_PLACED: '01/01/2025', DATE_PLACED_CEASED: '31/03/2025' }],
        },
        flags: [
          ['PlacedAdoption', 0],
          ['Episodes', 0],
        ],
      },
    ],
  }),
  {
    code: '551',
    tables: ['Episodes', 'PlacedAdoption'],
    fields: ['PLACE', 'DATE_PLACED'],
    meaning:
      'the child was placed for adoption but there is no date of the decision that they should be placed for adoption',
    severity: 'warn',
    reason: BESIDE_EPISODES_REASON,
    *check(child) {
      const decisions = child.rows('PlacedAdoption');
      // The DfE's checker pairs the placement with every decision: one undated decision is enough.
      const undated = decisions.length === 0 || decisions.some((row) => !filled(row, 'DATE_PLACED'));
      if (!undated) return;
      for (const episode of child.rows('Episodes')) {
        if (PLACED_FOR_ADOPTION.has(cell(episode, 'PLACE')))
          yield flag(episode, 'PLACE', decisions.length === 0 ? 'no decision is recorded' : 'a decision has no date');
      }
    },
    examples: [
      {
        valid: { Episodes: [{ PLACE: 'A4' }, { PLACE: 'U1' }], PlacedAdoption: [{ DATE_PLACED: '01/05/2025' }] },
        invalid: {
          Episodes: [{ PLACE: 'A4' }, { PLACE: 'U1' }, { PLACE: 'A6' }],
          PlacedAdoption: [{ DATE_PLACED: '' }],
        },
        flags: [
          ['Episodes', 0],
          ['Episodes', 2],
        ],
      },
      { valid: { Episodes: [{ PLACE: 'U1' }] }, invalid: { Episodes: [{ PLACE: 'A3' }] }, flags: [['Episodes', 0]] },
    ],
  },
  pairRule({
    code: '552',
    tables: ['Episodes', 'PlacedAdoption'],
    fields: ['DATE_PLACED', 'DECOM'],
    meaning:
      "the child's first placement for adoption started before the latest decision that they should be placed for adoption",
    severity: 'warn',
    reason: BESIDE_EPISODES_REASON,
    *check(child) {
      const decision = latestBy(child.rows('PlacedAdoption'), 'DATE_PLACED');
      const placement = earliestBy(
        child.rows('Episodes').filter((episode) => PLACED_FOR_ADOPTION.has(cell(episode, 'PLACE'))),
        'DECOM',
      );
      if (!decision || !placement) return;
      const [placed, decom] = [dateOf(decision, 'DATE_PLACED')!, dateOf(placement, 'DECOM')!];
      if (decom >= placed) return;
      yield flag(decision, 'DATE_PLACED', `the decision is dated ${longDate(placed)}`);
      yield flag(placement, 'DECOM', `the placement for adoption started on ${longDate(decom)}`);
    },
    examples: [
      {
        note: 'a placement on the day of the latest decision is allowed',
        valid: {
          PlacedAdoption: [{ DATE_PLACED: '01/01/2025' }, { DATE_PLACED: '01/05/2025' }],
          Episodes: [
            { DECOM: '01/07/2025', PLACE: 'A4' },
            { DECOM: '01/05/2025', PLACE: 'A4' },
            { DECOM: '01/02/2025', PLACE: 'U4' },
          ],
        },
        invalid: {
          PlacedAdoption: [{ DATE_PLACED: '01/01/2025' }, { DATE_PLACED: '01/05/2025' }],
          Episodes: [
            { DECOM: '01/07/2025', PLACE: 'A4' },
            { DECOM: '30/04/2025', PLACE: 'A4' },
          ],
        },
        flags: [
          ['PlacedAdoption', 1],
          ['Episodes', 1],
        ],
      },
    ],
  }),
  ...(['E1', 'D1'] as const).map((order) => {
    const placement = order === 'E1';
    return {
      code: placement ? '553' : '555',
      ...(placement ? {} : { until: '2023-24' as const }),
      tables: ['Episodes', 'PlacedAdoption'],
      fields: ['CHILD', 'DATE_PLACED', 'DATE_PLACED_CEASED', 'REASON_PLACED_CEASED'],
      meaning: `a ${placement ? 'placement' : 'freeing'} order was granted (${order}) but there is no decision that the child should be placed for adoption, or while the order is in force the decision is recorded as reversed`,
      severity: 'warn',
      reason: BESIDE_EPISODES_REASON,
      *check(child: ChildReturn) {
        const underOrder = child.rows('Episodes').filter((episode) => cell(episode, 'LS') === order);
        const decisions = child.rows('PlacedAdoption');
        if (decisions.length === 0) {
          for (const episode of underOrder) yield flag(episode, 'LS', 'no decision to place for adoption is recorded');
          return;
        }
        if (!underOrder.some((episode) => !filled(episode, 'DEC'))) return;
        for (const row of decisions) {
          if (filled(row, 'DATE_PLACED_CEASED') || filled(row, 'REASON_PLACED_CEASED')) {
            yield flag(
              row,
              filled(row, 'DATE_PLACED_CEASED') ? 'DATE_PLACED_CEASED' : 'REASON_PLACED_CEASED',
              `reversed while the ${order} episode is still open`,
            );
          }
        }
      },
      examples: [
        {
          valid: {
            Episodes: [{ LS: order, DEC: '' }],
            PlacedAdoption: [{ DATE_PLACED: '01/05/2025', DATE_PLACED_CEASED: '', REASON_PLACED_CEASED: '' }],
          },
          invalid: {
            Episodes: [
              { LS: order, DEC: '01/06/2025' },
              { LS: 'C2', DEC: '' },
            ],
          },
          flags: [['Episodes', 0]],
        },
        {
          note: "a reversal is allowed once the order's episode has ended",
          valid: {
            Episodes: [
              { LS: order, DEC: '01/06/2025' },
              { LS: 'C2', DEC: '' },
            ],
            PlacedAdoption: [
              { DATE_PLACED: '01/05/2025', DATE_PLACED_CEASED: '01/06/2025', REASON_PLACED_CEASED: 'RD1' },
            ],
          },
          invalid: {
            Episodes: [{ LS: order, DEC: '' }],
            PlacedAdoption: [
              { DATE_PLACED: '01/05/2025', DATE_PLACED_CEASED: '', REASON_PLACED_CEASED: '' },
              { DATE_PLACED: '01/01/2025', DATE_PLACED_CEASED: '', REASON_PLACED_CEASED: 'RD1' },
            ],
          },
          flags: [['PlacedAdoption', 1]],
        },
      ],
    } satisfies Ssda903Rule;
  }),
  pairRule({
    code: '554',
    tables: ['Episodes', 'PlacedAdoption'],
    fields: ['DATE_PLACED', 'DECOM', 'LS'],
    meaning:
      'the first placement order (E1) was granted before the decision that the child should be placed for adoption (check episodes in earlier years)',
    severity: 'warn',
    reason: BESIDE_EPISODES_REASON,
    *check(child) {
      const first = earliestBy(
        child.rows('Episodes').filter((episode) => cell(episode, 'LS') === 'E1'),
        'DECOM',
      );
      if (!first) return;
      const decom = dateOf(first, 'DECOM')!;
      for (const row of child.rows('PlacedAdoption')) {
        const placed = dateOf(row, 'DATE_PLACED');
        if (placed === null || placed <= decom) continue;
        yield flag(row, 'DATE_PLACED', `the decision is dated ${longDate(placed)}`);
        yield flag(first, 'DECOM', `the placement order episode started on ${longDate(decom)}`);
      }
    },
    examples: [
      {
        note: 'a decision on the day the order was granted is allowed',
        valid: {
          Episodes: [
            { DECOM: '01/09/2025', LS: 'E1' },
            { DECOM: '01/06/2025', LS: 'E1' },
            { DECOM: '01/01/2025', LS: 'C2' },
          ],
          PlacedAdoption: [{ DATE_PLACED: '01/06/2025' }],
        },
        invalid: {
          Episodes: [
            { DECOM: '01/09/2025', LS: 'E1' },
            { DECOM: '01/06/2025', LS: 'E1' },
            { DECOM: '01/01/2025', LS: 'C2' },
          ],
          PlacedAdoption: [{ DATE_PLACED: '02/06/2025' }],
        },
        flags: [
          ['PlacedAdoption', 0],
          ['Episodes', 1],
        ],
      },
    ],
  }),
  {
    code: '556',
    until: '2023-24',
    tables: ['Episodes', 'PlacedAdoption'],
    fields: ['DECOM', 'DATE_PLACED'],
    meaning:
      'an episode under a freeing order (D1) started before the decision that the child should be placed for adoption',
    severity: 'warn',
    reason: BESIDE_EPISODES_REASON,
    *check(child) {
      for (const episode of child.rows('Episodes')) {
        const decom = dateOf(episode, 'DECOM');
        if (cell(episode, 'LS') !== 'D1' || decom === null) continue;
        const later = child
          .rows('PlacedAdoption')
          .map((row) => dateOf(row, 'DATE_PLACED'))
          .find((placed) => placed !== null && placed > decom);
        if (later)
          yield flag(
            episode,
            'DECOM',
            `the episode started on ${longDate(decom)}, the decision is dated ${longDate(later)}`,
          );
      }
    },
    examples: [
      {
        note: 'a decision on the day the episode started is allowed',
        valid: {
          Episodes: [
            { LS: 'D1', DECOM: '15/03/2025' },
            { LS: 'C2', DECOM: '01/01/2025' },
          ],
          PlacedAdoption: [{ DATE_PLACED: '15/03/2025' }],
        },
        invalid: { Episodes: [{ LS: 'D1', DECOM: '15/03/2025' }], PlacedAdoption: [{ DATE_PLACED: '16/03/2025' }] },
        flags: [['Episodes', 0]],
      },
    ],
  },
  ...(
    [
      { until: '2023-24', orders: ['D1', 'E1'] },
      { from: '2024-25', orders: ['E1'] },
    ] as const
  ).map(({ orders, ...years }) =>
    pairRule({
      code: '557',
      ...years,
      tables: ['Episodes', 'PlacedAdoption'],
      fields: ['REC', 'PLACE', 'LS', 'DATE_PLACED_CEASED', 'REASON_PLACED_CEASED'],
      meaning: `the child was placed for adoption or under a ${orders.length > 1 ? 'freeing or placement order (D1, E1)' : 'placement order (E1)'} and left care without being adopted, but the decision to place them for adoption has no date and reason of reversal`,
      severity: 'warn',
      reason: BESIDE_EPISODES_REASON,
      *check(child) {
        const decisions = child.rows('PlacedAdoption');
        for (const episode of child.rows('Episodes')) {
          const rec = cell(episode, 'REC');
          const onTrack =
            PLACED_FOR_ADOPTION.has(cell(episode, 'PLACE')) ||
            (orders as readonly string[]).includes(cell(episode, 'LS'));
          if (!onTrack || rec === '' || rec === 'X1' || ADOPTED.has(rec)) continue;
          if (decisions.length === 0)
            yield flag(episode, 'REC', `left care (${rec}) with no decision to place for adoption recorded`);
          for (const row of decisions) {
            if (filled(row, 'DATE_PLACED_CEASED') && filled(row, 'REASON_PLACED_CEASED')) continue;
            yield flag(episode, 'REC', `left care (${rec})`);
            yield flag(
              row,
              filled(row, 'DATE_PLACED_CEASED') ? 'REASON_PLACED_CEASED' : 'DATE_PLACED_CEASED',
              'the decision is not recorded as reversed',
            );
          }
        }
      },
      examples: [
        {
          note:
            orders.length > 1
              ? 'a freeing order (D1) counts until 2023-24'
              : 'a freeing order (D1) no longer counts from 2024-25',
          valid: {
            Episodes: [
              { PLACE: 'A5', LS: 'E1', REC: 'E12' },
              { PLACE: 'A3', LS: 'C2', REC: 'X1' },
              ...(orders.length > 1 ? [] : [{ PLACE: 'U1', LS: 'D1', REC: 'E13' }]),
            ],
            PlacedAdoption: [{ DATE_PLACED: '01/05/2025', DATE_PLACED_CEASED: '', REASON_PLACED_CEASED: '' }],
          },
          invalid: {
            Episodes: [{ PLACE: 'U1', LS: orders[0], REC: 'E13' }],
            PlacedAdoption: [
              { DATE_PLACED: '01/05/2025', DATE_PLACED_CEASED: '01/06/2025', REASON_PLACED_CEASED: '' },
              { DATE_PLACED: '01/01/2025', DATE_PLACED_CEASED: '01/02/2025', REASON_PLACED_CEASED: 'RD1' },
            ],
          },
          flags: [
            ['Episodes', 0],
            ['PlacedAdoption', 0],
          ],
        },
        {
          valid: {
            Episodes: [{ PLACE: 'A4', LS: 'C2', REC: 'E4A' }],
            PlacedAdoption: [
              { DATE_PLACED: '01/05/2025', DATE_PLACED_CEASED: '01/06/2025', REASON_PLACED_CEASED: 'RD3' },
            ],
          },
          invalid: {
            Episodes: [
              { PLACE: 'A4', LS: 'C2', REC: 'E4A' },
              { PLACE: 'U1', LS: 'C2', REC: 'E4A' },
            ],
          },
          flags: [['Episodes', 0]],
        },
      ],
    }),
  ),
  {
    code: '558',
    tables: ['Episodes', 'PlacedAdoption'],
    fields: ['REC', 'DATE_PLACED_CEASED'],
    meaning:
      'the child was adopted, but each of their several decisions to place them for adoption is recorded as reversed (the latest should not be)',
    severity: 'warn',
    reason: BESIDE_EPISODES_REASON,
    *check(child) {
      const decisions = child.rows('PlacedAdoption');
      // One open decision is taken to be the one that led to the adoption.
      if (decisions.length < 2 || decisions.some((row) => !filled(row, 'DATE_PLACED_CEASED'))) return;
      for (const episode of child.rows('Episodes')) {
        if (ADOPTED.has(cell(episode, 'REC')))
          yield flag(episode, 'REC', `${decisions.length} decisions, all reversed`);
      }
    },
    examples: [
      {
        valid: {
          Episodes: [{ REC: 'E11' }],
          PlacedAdoption: [{ DATE_PLACED_CEASED: '01/05/2025' }, { DATE_PLACED_CEASED: '' }],
        },
        invalid: {
          Episodes: [{ REC: 'E4A' }, { REC: 'E11' }],
          PlacedAdoption: [{ DATE_PLACED_CEASED: '01/05/2025' }, { DATE_PLACED_CEASED: '01/07/2025' }],
        },
        flags: [['Episodes', 1]],
      },
      {
        note: 'a single reversed decision is left to other rules',
        valid: { Episodes: [{ REC: 'E12' }], PlacedAdoption: [{ DATE_PLACED_CEASED: '01/05/2025' }] },
        invalid: {
          Episodes: [{ REC: 'E12' }],
          PlacedAdoption: [{ DATE_PLACED_CEASED: '01/05/2025' }, { DATE_PLACED_CEASED: '01/08/2025' }],
        },
        flags: [['Episodes', 0]],
      },
    ],
  },
  pairRule({
    code: '1003',
    tables: ['Episodes', 'PlacedAdoption'],
    fields: ['DATE_PLACED', 'DECOM', 'RNE'],
    meaning:
      'the decision that the child should be placed for adoption is dated before the child first started to be looked after',
    severity: 'warn',
    reason: BESIDE_EPISODES_REASON,
    *check(child) {
      const first = earliestBy(
        child.rows('Episodes').filter((episode) => cell(episode, 'RNE') === 'S'),
        'DECOM',
      );
      if (!first) return;
      const decom = dateOf(first, 'DECOM')!;
      for (const row of child.rows('PlacedAdoption')) {
        const placed = dateOf(row, 'DATE_PLACED');
        if (placed === null || placed >= decom) continue;
        yield flag(row, 'DATE_PLACED', `the decision is dated ${longDate(placed)}`);
        yield flag(first, 'DECOM', `the child started to be looked after on ${longDate(decom)}`);
      }
    },
    examples: [
      {
        note: 'a decision on the day care started is allowed',
        valid: {
          Episodes: [
            { RNE: 'S', DECOM: '01/06/2025' },
            { RNE: 'S', DECOM: '01/01/2025' },
          ],
          PlacedAdoption: [{ DATE_PLACED: '01/01/2025' }, { DATE_PLACED: '' }],
        },
        invalid: {
          Episodes: [
            { RNE: 'S', DECOM: '01/06/2025' },
            { RNE: 'S', DECOM: '01/01/2025' },
          ],
          PlacedAdoption: [{ DATE_PLACED: '31/12/2024' }],
        },
        flags: [
          ['PlacedAdoption', 0],
          ['Episodes', 1],
        ],
      },
    ],
  }),

  // --- PlacedAdoption against AD1 -------------------------------------------------------------
  pairRule({
    code: '523',
    tables: ['AD1', 'PlacedAdoption'],
    fields: ['DATE_PLACED', 'DATE_INT'],
    meaning:
      'the date of the decision that the child should be placed for adoption differs from the date of the decision that adoption is in their best interests',
    severity: 'warn',
    reason: AD1_REASON,
    *check(child) {
      for (const row of child.rows('PlacedAdoption')) {
        const placed = dateOf(row, 'DATE_PLACED');
        if (placed === null) continue;
        for (const adoption of child.rows('AD1')) {
          const decided = dateOf(adoption, 'DATE_INT');
          if (decided === null || decided === placed) continue;
          yield flag(row, 'DATE_PLACED', `DATE_PLACED is ${longDate(placed)}, DATE_INT ${longDate(decided)}`);
          yield flag(adoption, 'DATE_INT', `DATE_INT is ${longDate(decided)}, DATE_PLACED ${longDate(placed)}`);
        }
      }
    },
    examples: [
      {
        valid: {
          PlacedAdoption: [{ DATE_PLACED: '08/05/2025' }, { DATE_PLACED: '' }],
          AD1: [{ DATE_INT: '08/05/2025' }],
        },
        invalid: { PlacedAdoption: [{ DATE_PLACED: '08/05/2025' }], AD1: [{ DATE_INT: '09/05/2025' }] },
        flags: [
          ['PlacedAdoption', 0],
          ['AD1', 0],
        ],
      },
    ],
  }),
  pairRule({
    code: '525',
    tables: ['AD1', 'PlacedAdoption'],
    fields: ['DATE_PLACED_CEASED', ...AD1_ITEMS],
    meaning:
      'the decision to place the child for adoption was reversed, yet adoption details are given as if they were adopted in the year',
    severity: 'warn',
    reason: AD1_REASON,
    *check(child) {
      for (const row of child.rows('PlacedAdoption')) {
        if (!filled(row, 'DATE_PLACED_CEASED')) continue;
        for (const adoption of child.rows('AD1')) {
          const given = filledItems(adoption, AD1_ITEMS);
          if (given.length === 0) continue;
          yield flag(row, 'DATE_PLACED_CEASED', `reversed on ${shown(row, 'DATE_PLACED_CEASED')}`);
          yield flag(adoption, given[0]!, `${given.join(', ')} given`);
        }
      }
    },
    examples: [
      {
        valid: { PlacedAdoption: [{ DATE_PLACED_CEASED: '' }], AD1: [{ DATE_INT: '01/05/2025' }] },
        invalid: { PlacedAdoption: [{ DATE_PLACED_CEASED: '01/06/2025' }], AD1: [{ DATE_MATCH: '01/05/2025' }] },
        flags: [
          ['PlacedAdoption', 0],
          ['AD1', 0],
        ],
      },
      {
        valid: { PlacedAdoption: [{ DATE_PLACED_CEASED: '01/06/2025' }], AD1: [{}] },
        invalid: {
          PlacedAdoption: [{ DATE_PLACED_CEASED: '' }, { DATE_PLACED_CEASED: '01/06/2025' }],
          AD1: [FULL_AD1],
        },
        flags: [
          ['PlacedAdoption', 1],
          ['AD1', 0],
        ],
      },
    ],
  }),

  // --- PlacedAdoption against last year's -----------------------------------------------------
  {
    code: '559',
    previous: true,
    tables: ['PlacedAdoption'],
    fields: ['DATE_PLACED'],
    meaning: (year) =>
      `a decision to place the child for adoption is dated before ${longDate(collectionStart(year))}, but last year's return had no date for the child's decision`,
    severity: 'warn',
    reason: PLACED_REASON,
    *check(child, { start }) {
      const last = child.previous('PlacedAdoption');
      if (last === null) return;
      // Any of last year's decisions without a date, or none at all, leaves an earlier decision unreported.
      const missing = last.length === 0 || last.some((row) => dateOf(row, 'DATE_PLACED') === null);
      if (!missing) return;
      for (const row of child.rows('PlacedAdoption')) {
        const placed = dateOf(row, 'DATE_PLACED');
        if (placed !== null && placed < start)
          yield flag(
            row,
            'DATE_PLACED',
            `decided on ${longDate(placed)}; ${last.length === 0 ? "last year's return had no decision" : "last year's decision had no date"}`,
          );
      }
    },
    examples: [
      {
        note: "a decision on 1 April is this year's; one on 31 March must be in last year's return",
        valid: {
          PlacedAdoption: [{ DATE_PLACED: '31/03/2025' }, { DATE_PLACED: '01/04/2025' }],
          previous: { PlacedAdoption: [{ DATE_PLACED: '31/03/2025' }] },
        },
        invalid: {
          PlacedAdoption: [{ DATE_PLACED: '31/03/2025' }, { DATE_PLACED: '01/04/2025' }],
          previous: { PlacedAdoption: [{ DATE_PLACED: '' }] },
        },
        flags: [['PlacedAdoption', 0]],
      },
      {
        note: 'nothing is known of last year for the valid child',
        valid: { PlacedAdoption: [{ DATE_PLACED: '31/03/2025' }] },
        invalid: { PlacedAdoption: [{ DATE_PLACED: '31/03/2025' }], previous: { PlacedAdoption: [] } },
        flags: [['PlacedAdoption', 0]],
      },
    ],
  },
  {
    code: '560',
    previous: true,
    tables: ['PlacedAdoption'],
    fields: ['DATE_PLACED', 'DATE_PLACED_CEASED'],
    meaning:
      "last year's return had a decision to place the child for adoption that was not reversed, but this year's decision has a different date",
    severity: 'warn',
    reason: PLACED_REASON,
    *check(child) {
      const last = child.previous('PlacedAdoption');
      if (last === null) return;
      const open = last.filter((row) => filled(row, 'DATE_PLACED') && !filled(row, 'DATE_PLACED_CEASED'));
      for (const row of child.rows('PlacedAdoption')) {
        const other = open.find((before) => !sameDate(cell(row, 'DATE_PLACED'), cell(before, 'DATE_PLACED')));
        if (other)
          yield flag(
            row,
            'DATE_PLACED',
            `DATE_PLACED is ${filled(row, 'DATE_PLACED') ? shown(row, 'DATE_PLACED') : 'blank'}, last year ${shown(other, 'DATE_PLACED')}`,
          );
      }
    },
    examples: [
      {
        valid: {
          PlacedAdoption: [{ DATE_PLACED: '26/05/2024', DATE_PLACED_CEASED: '' }],
          previous: { PlacedAdoption: [{ DATE_PLACED: '26/05/2024', DATE_PLACED_CEASED: '' }] },
        },
        invalid: {
          PlacedAdoption: [{ DATE_PLACED: '27/05/2024', DATE_PLACED_CEASED: '' }, { DATE_PLACED: '' }],
          previous: { PlacedAdoption: [{ DATE_PLACED: '26/05/2024', DATE_PLACED_CEASED: '' }] },
        },
        flags: [
          ['PlacedAdoption', 0],
          ['PlacedAdoption', 1],
        ],
      },
      {
        note: 'a decision reversed last year may be followed by a new one',
        valid: {
          PlacedAdoption: [{ DATE_PLACED: '01/06/2025' }],
          previous: { PlacedAdoption: [{ DATE_PLACED: '26/05/2024', DATE_PLACED_CEASED: '01/02/2025' }] },
        },
        invalid: {
          PlacedAdoption: [{ DATE_PLACED: '01/06/2025' }],
          previous: { PlacedAdoption: [{ DATE_PLACED: '26/05/2024', DATE_PLACED_CEASED: '' }] },
        },
        flags: [['PlacedAdoption', 0]],
      },
    ],
  },
  {
    code: '561',
    previous: true,
    tables: ['PlacedAdoption'],
    fields: ['DATE_PLACED'],
    meaning:
      "this year's decision to place the child for adoption has the same date as last year's, but last year's was recorded as reversed",
    severity: 'warn',
    reason: PLACED_REASON,
    *check(child) {
      const last = child.previous('PlacedAdoption');
      if (last === null) return;
      const reversed = last.filter((row) => filled(row, 'DATE_PLACED_CEASED') || filled(row, 'REASON_PLACED_CEASED'));
      for (const row of child.rows('PlacedAdoption')) {
        const same = reversed.find((before) => sameDate(cell(row, 'DATE_PLACED'), cell(before, 'DATE_PLACED')));
        if (same) yield flag(row, 'DATE_PLACED', `DATE_PLACED is ${shown(row, 'DATE_PLACED')}, reversed last year`);
      }
    },
    examples: [
      {
        valid: {
          PlacedAdoption: [{ DATE_PLACED: '01/07/2025' }, { DATE_PLACED: '' }],
          previous: {
            PlacedAdoption: [
              { DATE_PLACED: '26/05/2024', DATE_PLACED_CEASED: '01/02/2025', REASON_PLACED_CEASED: 'RD1' },
              { DATE_PLACED: '' },
            ],
          },
        },
        invalid: {
          PlacedAdoption: [{ DATE_PLACED: '26/05/2024' }],
          previous: {
            PlacedAdoption: [{ DATE_PLACED: '26/05/2024', DATE_PLACED_CEASED: '', REASON_PLACED_CEASED: 'RD1' }],
          },
        },
        flags: [['PlacedAdoption', 0]],
      },
    ],
  },
  {
    code: '584',
    previous: true,
    tables: ['PlacedAdoption'],
    fields: ['DATE_PLACED'],
    meaning:
      "last year's decision to place the child for adoption was reversed, but this year's decision is not dated after it, or has no date",
    severity: 'warn',
    reason: PLACED_REASON,
    *check(child) {
      const last = child.previous('PlacedAdoption');
      if (last === null) return;
      const reversed = last.filter((row) => filled(row, 'DATE_PLACED_CEASED') || filled(row, 'REASON_PLACED_CEASED'));
      if (reversed.length === 0) return;
      for (const row of child.rows('PlacedAdoption')) {
        if (!filled(row, 'DATE_PLACED')) {
          yield flag(row, 'DATE_PLACED', 'DATE_PLACED is blank');
          continue;
        }
        const placed = dateOf(row, 'DATE_PLACED');
        const before =
          placed === null
            ? undefined
            : reversed.find((other) => {
                const d = dateOf(other, 'DATE_PLACED');
                return d !== null && placed <= d;
              });
        if (before)
          yield flag(
            row,
            'DATE_PLACED',
            `DATE_PLACED is ${longDate(placed!)}, last year's reversed decision ${shown(before, 'DATE_PLACED')}`,
          );
      }
    },
    examples: [
      {
        note: 'a new decision must come after the reversed one, not on its day',
        valid: {
          PlacedAdoption: [{ DATE_PLACED: '27/05/2024' }],
          previous: {
            PlacedAdoption: [
              { DATE_PLACED: '26/05/2024', DATE_PLACED_CEASED: '26/05/2024', REASON_PLACED_CEASED: 'RD1' },
            ],
          },
        },
        invalid: {
          PlacedAdoption: [{ DATE_PLACED: '26/05/2024' }, { DATE_PLACED: '' }],
          previous: {
            PlacedAdoption: [
              { DATE_PLACED: '26/05/2024', DATE_PLACED_CEASED: '26/05/2024', REASON_PLACED_CEASED: 'RD1' },
            ],
          },
        },
        flags: [
          ['PlacedAdoption', 0],
          ['PlacedAdoption', 1],
        ],
      },
    ],
  },

  // --- PrevPerm -------------------------------------------------------------------------------
  codeRule({
    code: '631',
    table: 'PrevPerm',
    column: 'PREV_PERM',
    what: "the child's previous permanence option",
    blank: 'allowed',
    severity: 'warn',
    reason: PREV_PERM_REASON,
    examples: [
      {
        valid: { PrevPerm: [{ PREV_PERM: 'P1' }, { PREV_PERM: 'Z1' }, { PREV_PERM: '' }] },
        invalid: { PrevPerm: [{ PREV_PERM: 'P0' }, { PREV_PERM: 'p1' }] },
        flags: [
          ['PrevPerm', 0],
          ['PrevPerm', 1],
        ],
      },
    ],
  }),
  rowRule({
    code: '633',
    table: 'PrevPerm',
    fields: ['LA_PERM'],
    meaning:
      "the local authority where the previous permanence option was arranged is not one of the DfE's codes (an English authority's number, or WAL, SCO, NIR, NUK)",
    severity: 'warn',
    reason: PREV_PERM_REASON,
    breaks: (row) =>
      filled(row, 'LA_PERM') && !LOCAL_AUTHORITY_CODES.has(cell(row, 'LA_PERM'))
        ? `LA_PERM is "${cell(row, 'LA_PERM')}"`
        : false,
    examples: [
      {
        valid: { PrevPerm: [{ LA_PERM: 'SCO' }, { LA_PERM: '204' }, { LA_PERM: '999' }, { LA_PERM: '' }] },
        invalid: { PrevPerm: [{ LA_PERM: '458' }, { LA_PERM: '176' }, { LA_PERM: 'sco' }] },
        flags: [
          ['PrevPerm', 0],
          ['PrevPerm', 1],
          ['PrevPerm', 2],
        ],
      },
    ],
  }),
  rowRule({
    code: '635',
    table: 'PrevPerm',
    fields: ['PREV_PERM', 'LA_PERM', 'DATE_PERM'],
    meaning:
      'the local authority or date of a previous permanence order is given but the previous permanence option is blank',
    severity: 'warn',
    reason: PREV_PERM_REASON,
    breaks: (row) =>
      !filled(row, 'PREV_PERM') && (filled(row, 'LA_PERM') || filled(row, 'DATE_PERM')) ? 'PREV_PERM is blank' : false,
    examples: [
      {
        valid: {
          PrevPerm: [
            { PREV_PERM: 'P1', LA_PERM: '352', DATE_PERM: '05/05/2020' },
            { PREV_PERM: '', LA_PERM: '', DATE_PERM: '' },
            { PREV_PERM: 'Z1', LA_PERM: '', DATE_PERM: '' },
          ],
        },
        invalid: {
          PrevPerm: [
            { PREV_PERM: '', LA_PERM: '352', DATE_PERM: '' },
            { PREV_PERM: '', LA_PERM: '', DATE_PERM: '01/05/2020' },
          ],
        },
        flags: [
          ['PrevPerm', 0],
          ['PrevPerm', 1],
        ],
      },
    ],
  }),
  {
    code: '630',
    tables: ['Episodes', 'PrevPerm'],
    fields: ['RNE', 'PREV_PERM', 'LA_PERM', 'DATE_PERM'],
    meaning: 'the child started to be looked after this year but their previous permanence is missing or incomplete',
    severity: 'warn',
    reason: PREV_PERM_BESIDE_REASON,
    *check(child, { start }) {
      const permanence = child.rows('PrevPerm');
      const incomplete =
        permanence.length === 0 ||
        permanence.some(
          (row) =>
            !filled(row, 'PREV_PERM') ||
            (cell(row, 'PREV_PERM') !== 'Z1' && (!filled(row, 'LA_PERM') || !filled(row, 'DATE_PERM'))),
        );
      if (!incomplete) return;
      for (const episode of child.rows('Episodes')) {
        const decom = dateOf(episode, 'DECOM');
        if (cell(episode, 'RNE') === 'S' && decom !== null && decom >= start) {
          yield flag(
            episode,
            'RNE',
            permanence.length === 0
              ? `care started on ${longDate(decom)}; no previous permanence is given`
              : `care started on ${longDate(decom)}; the previous permanence is incomplete`,
          );
        }
      }
    },
    examples: [
      {
        note: "care starting on 31 March is last year's; on 1 April it is this year's",
        valid: {
          Episodes: [
            { RNE: 'S', DECOM: '31/03/2025' },
            { RNE: 'P', DECOM: '01/06/2025' },
          ],
        },
        invalid: { Episodes: [{ RNE: 'S', DECOM: '01/04/2025' }] },
        flags: [['Episodes', 0]],
      },
      {
        valid: {
          Episodes: [{ RNE: 'S', DECOM: '01/05/2025' }],
          PrevPerm: [{ PREV_PERM: 'P1', LA_PERM: '352', DATE_PERM: '05/05/2020' }],
        },
        invalid: {
          Episodes: [{ RNE: 'S', DECOM: '01/05/2025' }],
          PrevPerm: [{ PREV_PERM: 'P1', LA_PERM: '352', DATE_PERM: '' }],
        },
        flags: [['Episodes', 0]],
      },
      {
        valid: {
          Episodes: [{ RNE: 'S', DECOM: '01/05/2025' }],
          PrevPerm: [{ PREV_PERM: 'Z1', LA_PERM: '', DATE_PERM: '' }],
        },
        invalid: {
          Episodes: [{ RNE: 'S', DECOM: '01/05/2025' }],
          PrevPerm: [{ PREV_PERM: '', LA_PERM: '', DATE_PERM: '' }],
        },
        flags: [['Episodes', 0]],
      },
    ],
  },
  pairRule({
    code: '632',
    tables: ['Episodes', 'PrevPerm'],
    fields: ['DATE_PERM', 'DECOM'],
    meaning:
      "the date of the previous permanence order is not a date (an unknown day or month may be ZZ, an unknown year ZZZZ), or is not before the child's first episode started",
    severity: 'warn',
    reason: PREV_PERM_BESIDE_REASON,
    *check(child) {
      const first = earliestBy(child.rows('Episodes'), 'DECOM');
      if (!first) return;
      const decom = dateOf(first, 'DECOM')!;
      for (const row of child.rows('PrevPerm')) {
        if (!filled(row, 'DATE_PERM')) continue;
        const latest = latestPossibleDate(cell(row, 'DATE_PERM'));
        if (latest === 'unknown year' || (latest !== null && latest < decom)) continue;
        yield flag(
          row,
          'DATE_PERM',
          latest === null
            ? `DATE_PERM is "${cell(row, 'DATE_PERM')}"`
            : `DATE_PERM is ${cell(row, 'DATE_PERM')}, on or after the first episode started`,
        );
        yield flag(first, 'DECOM', `the first episode started on ${longDate(decom)}`);
      }
    },
    examples: [
      {
        note: 'an order the day before the first episode started is allowed',
        valid: {
          Episodes: [{ DECOM: '19/11/2021' }, { DECOM: '18/06/2001' }],
          PrevPerm: [{ DATE_PERM: '17/06/2001' }],
        },
        invalid: {
          Episodes: [{ DECOM: '19/11/2021' }, { DECOM: '17/06/2001' }],
          PrevPerm: [{ DATE_PERM: '17/06/2001' }],
        },
        flags: [
          ['PrevPerm', 0],
          ['Episodes', 1],
        ],
      },
      {
        note: "an unknown day is read as the month's last",
        fixedDates: true,
        valid: { Episodes: [{ DECOM: '01/06/2021' }], PrevPerm: [{ DATE_PERM: 'ZZ/05/2021' }] },
        invalid: { Episodes: [{ DECOM: '31/05/2021' }], PrevPerm: [{ DATE_PERM: 'ZZ/05/2021' }] },
        flags: [
          ['PrevPerm', 0],
          ['Episodes', 0],
        ],
      },
      {
        note: 'ZZ for a year, or a month 13, is not a date',
        fixedDates: true,
        valid: {
          Episodes: [{ DECOM: '01/01/1994' }],
          PrevPerm: [{ DATE_PERM: 'ZZ/ZZ/1993' }, { DATE_PERM: 'ZZ/ZZ/ZZZZ' }, { DATE_PERM: '' }],
        },
        invalid: {
          Episodes: [{ DECOM: '01/07/2021' }],
          PrevPerm: [{ DATE_PERM: 'ZZ/ZZ/ZZ' }, { DATE_PERM: '01/13/2000' }, { DATE_PERM: 'xx/10/2011' }],
        },
        flags: [
          ['PrevPerm', 0],
          ['PrevPerm', 1],
          ['PrevPerm', 2],
          ['Episodes', 0],
        ],
      },
    ],
  }),
  {
    code: '634',
    tables: ['Episodes', 'PrevPerm'],
    fields: ['PREV_PERM', 'LA_PERM', 'DATE_PERM', 'DECOM'],
    meaning: (year) =>
      `previous permanence is given, but none of the child's episodes started on or after ${longDate(collectionStart(year))}`,
    severity: 'warn',
    reason: PREV_PERM_BESIDE_REASON,
    *check(child, { start }) {
      const episodes = child.rows('Episodes');
      const last = latestBy(episodes, 'DECOM');
      if (!last || dateOf(last, 'DECOM')! >= start) return;
      const given = child
        .rows('PrevPerm')
        .filter((row) => ['PREV_PERM', 'LA_PERM', 'DATE_PERM'].some((column) => filled(row, column)));
      if (given.length === 0) return;
      for (const row of given)
        yield flag(row, 'PREV_PERM', `the latest episode started on ${longDate(dateOf(last, 'DECOM')!)}`);
      for (const episode of episodes) yield flag(episode, 'DECOM');
    },
    examples: [
      {
        note: "an episode starting on 1 April is this year's",
        valid: { Episodes: [{ DECOM: '01/01/2024' }, { DECOM: '01/04/2025' }], PrevPerm: [{ PREV_PERM: 'Z1' }] },
        invalid: { Episodes: [{ DECOM: '01/01/2024' }, { DECOM: '31/03/2025' }], PrevPerm: [{ PREV_PERM: 'Z1' }, {}] },
        flags: [
          ['PrevPerm', 0],
          ['Episodes', 0],
          ['Episodes', 1],
        ],
      },
    ],
  },

  // --- Integrity: every row belongs to a child of the Header, once, with the same date of birth --
  ...(
    [
      ['INT01', 'AD1', 'adoption details'],
      ['INT02', 'PlacedAdoption', 'decisions to place for adoption'],
      ['INT07', 'PrevPerm', 'previous permanence'],
    ] as const
  ).map(([code, table, what]) =>
    rowRule({
      code,
      table,
      alsoReads: ['Header'],
      fields: ['CHILD'],
      meaning: `the child of this row of ${what} is not in the Header table`,
      severity: 'warn',
      reason: `no audit reads the ${what}; the row is kept with a warning that its child is unknown`,
      breaks: (_row, child) => child.rows('Header').length === 0,
      examples: [
        {
          valid: { Header: [{}], [table]: [{}] },
          invalid: { [table]: [{}, {}] },
          flags: [
            [table, 0],
            [table, 1],
          ],
        },
      ],
    }),
  ),
  ...(
    [
      ['INT11', 'AD1', 'adoption details'],
      ['INT12', 'PlacedAdoption', 'decisions to place for adoption'],
      ['INT16', 'PrevPerm', 'previous permanence'],
    ] as const
  ).map(([code, table, what]) =>
    rowRule({
      code,
      table,
      alsoReads: ['Header'],
      fields: ['DOB'],
      meaning: `the date of birth in a row of ${what} differs from the child's date of birth in the Header`,
      severity: 'warn',
      reason: `no audit reads the date of birth given with the ${what}: the Header's is the one used, and the row is kept with a warning`,
      breaks: (row, child) => {
        const dob = dateOf(row, 'DOB');
        if (dob === null) return false;
        const other = child
          .rows('Header')
          .map((header) => dateOf(header, 'DOB'))
          .find((d) => d !== null && d !== dob);
        return other ? `DOB is ${longDate(dob)}, the Header's ${longDate(other)}` : false;
      },
      examples: [
        {
          valid: { Header: [{ DOB: '01/05/2015' }], [table]: [{ DOB: '01/05/2015' }, { DOB: '' }] },
          invalid: { Header: [{ DOB: '01/05/2015' }], [table]: [{ DOB: '02/05/2015' }, { DOB: '01/05/2015' }] },
          flags: [[table, 0]],
        },
      ],
    }),
  ),
  ...(
    [
      ['INT31', 'AD1', 'adoption details'],
      ['INT35', 'PrevPerm', 'previous permanence'],
    ] as const
  ).map(([code, table, what]) =>
    rowRule({
      code,
      table,
      fields: ['CHILD'],
      meaning: `the child has more than one row of ${what}`,
      severity: 'warn',
      reason: `no audit reads the ${what}; every row is kept with a warning so the duplicate can be removed`,
      breaks: (_row, child) => (child.rows(table).length > 1 ? `${child.rows(table).length} rows` : false),
      examples: [
        {
          valid: { [table]: [{}] },
          invalid: { [table]: [{}, {}] },
          flags: [
            [table, 0],
            [table, 1],
          ],
        },
      ],
    }),
  ),
];

export const ADOPTION_RULES_NOT_APPLIED: readonly RuleNotApplied[] = [];
