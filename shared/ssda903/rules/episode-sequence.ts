/**
 * The DfE's rules on the shape of a child's episodes over time: their order, overlaps and
 * continuity, the first and last episodes of a period of care, the child's age when care starts and
 * ends, and the match between this year's first episodes and last year's return. These decide
 * whether the episodes make sense as periods of care, which every audit of reviews relies on.
 *
 * Conventions of this family, taken from the DfE validator's behaviour:
 * - Codes are compared upper-cased (the validator upper-cases every cell it reads).
 * - An episode whose start date is not a date (rule 141 reports it) has no place in a sequence:
 *   the sequence rules leave it out rather than guess where it goes.
 * - Two cells "match" when they hold the same text, blank matching blank (the validator's pandas
 *   comparisons treat two blanks as different in some rules and alike in others; see each rule).
 */
import { describeCode } from '../code-sets.ts';
import {
  addYears,
  cell,
  dateOf,
  dateOfBirth,
  episodesByStart,
  filled,
  longDate,
  type ChildReturn,
  type ReturnRow,
  type Ssda903Table,
} from '../return.ts';
import { rowRule, type Flag, type RuleNotApplied, type Ssda903Rule } from '../rule.ts';

// ---------------------------------------------------------------------------------------------
// Helpers of this family

/** A coded cell as the DfE compares it: upper-cased, so `x1` is X1. */
const code = (row: ReturnRow, column: string): string => cell(row, column).toUpperCase();

/** Whether a coded cell holds one of `codes`. */
const isOneOf = (row: ReturnRow, column: string, codes: readonly string[]): boolean =>
  codes.includes(code(row, column));

/** Whether two rows hold the same value in a column (blank matches blank; codes and postcodes ignore case). */
const same = (a: ReturnRow, b: ReturnRow, column: string): boolean => code(a, column) === code(b, column);

/** A cell for a detail: its value in quotes, or "blank". */
const shown = (row: ReturnRow, column: string): string => (filled(row, column) ? `"${cell(row, column)}"` : 'blank');

/** A reason episode ceased with its meaning, for a detail. */
const recDescribed = (row: ReturnRow): string => describeCode('REC', code(row, 'REC'));

/**
 * The child's episodes with a real start date, in start order (equal starts keep file order). An
 * undated episode cannot be placed in a sequence: rule 141 reports it, the sequence rules skip it.
 */
function datedEpisodes(child: ChildReturn): ReturnRow[] {
  return episodesByStart(child).filter((row) => dateOf(row, 'DECOM') !== null);
}

/**
 * This year's own episodes: the dated ones still going on at some point in the year (no end date, or
 * one on or after 1 April). A return holds only those; an export of a child's whole history holds
 * earlier ones too, and the rules comparing this year with last year must not take one of those for
 * this year's first episode.
 */
function thisYearsEpisodes(child: ChildReturn, start: string): ReturnRow[] {
  return datedEpisodes(child).filter((row) => {
    const dec = dateOf(row, 'DEC');
    return dec === null || dec >= start;
  });
}

/** Each dated episode with the one just before it. */
function* withPrevious(
  child: ChildReturn,
): Generator<{ episode: ReturnRow; previous: ReturnRow; index: number; all: ReturnRow[] }> {
  const all = datedEpisodes(child);
  for (let index = 1; index < all.length; index++)
    yield { episode: all[index]!, previous: all[index - 1]!, index, all };
}

/** "the episode starting 1 May 2025" (dated episodes only). */
const starting = (row: ReturnRow): string => `the episode starting ${longDate(dateOf(row, 'DECOM') ?? '')}`;

/** "the previous episode ended 10 May 2025" / "the previous episode has no end date". */
const previousEnd = (previous: ReturnRow): string => {
  const dec = dateOf(previous, 'DEC');
  return dec === null ? 'the previous episode has no end date' : `the previous episode ended ${longDate(dec)}`;
};

/**
 * Last year's latest episode (latest start; the first of equal starts), or undefined when last year
 * has no dated episode. The DfE compares this year's first episode with it.
 */
function latestOf(rows: readonly ReturnRow[]): ReturnRow | undefined {
  let latest: ReturnRow | undefined;
  for (const row of rows) {
    const start = dateOf(row, 'DECOM');
    if (start !== null && (latest === undefined || start > (dateOf(latest, 'DECOM') ?? ''))) latest = row;
  }
  return latest;
}

/**
 * The child's date of birth and an episode's end date, when both are known: the age rules on how
 * care ended cannot judge an episode without them (rules 102 and 147 report the dates themselves).
 */
function endAndBirth(row: ReturnRow, child: ChildReturn): { dec: string; dob: string } | null {
  const dec = dateOf(row, 'DEC');
  const dob = dateOfBirth(child);
  return dec === null || dob === null ? null : { dec, dob };
}

const TEMPORARY_PLACEMENTS = ['T0', 'T1', 'T2', 'T3', 'T4'];
const ADOPTED = ['E11', 'E12'];
const PLACED_FOR_ADOPTION = ['A3', 'A4', 'A5', 'A6'];
const FOSTER_PLACEMENTS = ['U1', 'U2', 'U3', 'U4', 'U5', 'U6'];
/** Every reason episode ceased that ends the period of care (all but X1). */
const ENDS_CARE = [
  'E2',
  'E3',
  'E4A',
  'E4B',
  'E5',
  'E6',
  'E7',
  'E8',
  'E9',
  'E11',
  'E12',
  'E13',
  'E14',
  'E15',
  'E16',
  'E17',
  'E41',
  'E45',
  'E46',
  'E47',
  'E48',
];
/** Reasons for a new episode that continue the period of care. */
const CONTINUES_CARE = ['P', 'L', 'T', 'U', 'B'];
/** The placement fields that say where and with whom the child is placed (rules 434–436). */
const PLACEMENT_FIELDS = ['PLACE', 'PL_POST', 'URN', 'PLACE_PROVIDER'];
/** The tables whose rows rule 1012 says a care leaver with no episode this year must not have. */
const NOT_FOR_CARE_LEAVERS_WITHOUT_EPISODES: readonly Ssda903Table[] = [
  'PlacedAdoption',
  'Missing',
  'Reviews',
  'AD1',
  'PrevPerm',
  'OC2',
];

/** The placement fields that differ between two episodes, as "PLACE U1 → U2". */
function placementChanges(previous: ReturnRow, episode: ReturnRow): string[] {
  return PLACEMENT_FIELDS.filter((column) => !same(previous, episode, column)).map(
    (column) => `${column} ${shown(previous, column)} → ${shown(episode, column)}`,
  );
}

// ---------------------------------------------------------------------------------------------
// Rule 503A–F: this year's first episode against last year's open episode

/**
 * Rule 503A–F: where last year's latest episode was still open, this year's first episode is that
 * same episode carried on, so `column` must match it. `allowed` lists the year's recoding of a
 * retired code (last year's → this year's) that is not a mismatch.
 */
function matchesLastYear(spec: {
  code: string;
  column: string;
  what: string;
  from?: Ssda903Rule['from'];
  until?: Ssda903Rule['until'];
  allowed?: { was: readonly string[]; now: readonly string[]; note: string };
  examples: Ssda903Rule['examples'];
}): Ssda903Rule {
  const { column, what, allowed, ...rest } = spec;
  return {
    ...rest,
    meaning: `${what} of this year's first episode differs from last year's episode that was still open at the end of last year${allowed ? ` (${allowed.note})` : ''}`,
    tables: ['Episodes'],
    fields: [column],
    severity: 'warn',
    reason:
      "this year's values replace last year's for the same episode, usually a correction; the dates of the period of care are not in question",
    previous: true,
    *check(child, { start }) {
      const lastYear = child.previous('Episodes');
      if (lastYear === null) return;
      const latest = latestOf(lastYear);
      const first = thisYearsEpisodes(child, start)[0];
      // Only an episode still open at the end of last year continues into this year's first.
      if (latest === undefined || first === undefined || dateOf(latest, 'DEC') !== null) return;
      if (same(latest, first, column)) return;
      if (allowed && allowed.was.includes(code(latest, column)) && allowed.now.includes(code(first, column))) return;
      yield {
        row: first,
        column,
        detail: `${column} is ${shown(first, column)}, last year's open episode starting ${longDate(dateOf(latest, 'DECOM') ?? '')} has ${shown(latest, column)}`,
      };
    },
  };
}

/** Last year's open episode and this year's first episode, for the 503 examples. */
const open2024 = {
  DECOM: '01/02/2025',
  DEC: '',
  REC: '',
  RNE: 'S',
  LS: 'C2',
  CIN: 'N1',
  PLACE: 'U1',
  PLACE_PROVIDER: 'PR1',
  URN: 'SC123456',
};
const closed2024 = { ...open2024, DEC: '31/03/2025', REC: 'X1' };
const first2025 = {
  DECOM: '01/02/2025',
  DEC: '',
  REC: '',
  RNE: 'S',
  LS: 'C2',
  CIN: 'N1',
  PLACE: 'U1',
  PLACE_PROVIDER: 'PR1',
  URN: 'SC123456',
};

/** An example of rule 503A–F: `column` changed from last year's open episode to this year's first. */
function example503(column: string, was: string, now: string): Ssda903Rule['examples'][number] {
  return {
    note: 'only an episode still open at the end of last year is compared',
    valid: {
      Episodes: [{ ...first2025, [column]: now }],
      previous: {
        Episodes: [
          { ...open2024, DECOM: '01/01/2025', DEC: '01/02/2025', REC: 'X1' },
          { ...closed2024, [column]: was },
        ],
      },
    },
    invalid: {
      Episodes: [
        { ...first2025, DECOM: '01/04/2025', [column]: now },
        { ...first2025, [column]: now },
      ],
      previous: {
        Episodes: [
          { ...open2024, DECOM: '01/01/2025', DEC: '01/02/2025', REC: 'X1' },
          { ...open2024, [column]: was },
        ],
      },
    },
    flags: [['Episodes', 1]],
  };
}

// ---------------------------------------------------------------------------------------------
// Rule 383: a temporary placement is followed by a return to the normal placement

function rule383(spec: {
  from?: Ssda903Rule['from'];
  until?: Ssda903Rule['until'];
  postcode: boolean;
  examples: Ssda903Rule['examples'];
}): Ssda903Rule {
  const { postcode, ...rest } = spec;
  const compared = postcode ? ['PLACE', 'PL_POST'] : ['PLACE'];
  return {
    code: '383',
    ...rest,
    meaning: postcode
      ? 'after a temporary placement (T0–T4) the child does not return to the placement before it: the next episode must be a change of placement (P) back to the same placement type and postcode'
      : 'after a temporary placement (T0–T4) the child does not return to the placement before it: the next episode must be a change of placement (P) back to the same placement type',
    tables: ['Episodes'],
    fields: postcode ? ['PLACE', 'RNE', 'PL_POST'] : ['PLACE', 'RNE'],
    severity: 'warn',
    reason:
      'the placement codes around a temporary placement do not change the periods of care; no audit counts placements',
    *check(child) {
      const all = datedEpisodes(child);
      for (let index = 2; index < all.length; index++) {
        const episode = all[index]!;
        const temporary = all[index - 1]!;
        const before = all[index - 2]!;
        if (!isOneOf(temporary, 'PLACE', TEMPORARY_PLACEMENTS)) continue;
        const wrong = [
          ...(code(episode, 'RNE') === 'P' ? [] : [`RNE is ${shown(episode, 'RNE')}, not P`]),
          ...compared
            .filter((column) => !same(episode, before, column))
            .map(
              (column) =>
                `${column} is ${shown(episode, column)}, before the temporary placement it was ${shown(before, column)}`,
            ),
        ];
        if (wrong.length > 0)
          yield {
            row: episode,
            detail: `after the temporary placement ${code(temporary, 'PLACE')}: ${wrong.join('; ')}`,
          };
      }
    },
  };
}

// ---------------------------------------------------------------------------------------------

export const EPISODE_SEQUENCE_RULES: readonly Ssda903Rule[] = [
  {
    code: '142',
    meaning: 'a new episode has started but the episode before it has no end date or no reason for ending',
    tables: ['Episodes'],
    fields: ['DEC', 'REC'],
    severity: 'reject',
    reason:
      'an earlier episode left open would run on under the later ones, so the child would be in two episodes at once and the periods of care would be wrong',
    *check(child) {
      const all = datedEpisodes(child);
      // The latest episode may be open; every earlier one must have ended (DEC a date, REC given).
      for (const episode of all.slice(0, -1)) {
        if (dateOf(episode, 'DEC') === null)
          yield {
            row: episode,
            column: 'DEC',
            detail: `${starting(episode)} has ${filled(episode, 'DEC') ? `DEC ${shown(episode, 'DEC')}` : 'no end date'}, yet a later episode follows`,
          };
        else if (!filled(episode, 'REC'))
          yield {
            row: episode,
            column: 'REC',
            detail: `${starting(episode)} has no reason for ending, yet a later episode follows`,
          };
      }
    },
    examples: [
      {
        note: 'the latest episode may be open; an undated episode is left to rule 141',
        valid: {
          Episodes: [
            { DECOM: '10/05/2025', DEC: '', REC: '' },
            { DECOM: '01/05/2025', DEC: '10/05/2025', REC: 'X1' },
            { DECOM: 'unknown', DEC: '', REC: '' },
          ],
        },
        invalid: {
          Episodes: [
            { DECOM: '12/05/2025', DEC: '', REC: '' },
            { DECOM: '01/05/2025', DEC: '', REC: 'X1' },
            { DECOM: '10/05/2025', DEC: '12/05/2025', REC: '' },
          ],
        },
        flags: [
          ['Episodes', 1],
          ['Episodes', 2],
        ],
      },
    ],
  },
  {
    code: '148',
    meaning:
      'an episode has an end date without a reason for ending, or a reason without an end date: both must be given or both left blank',
    tables: ['Episodes'],
    fields: ['DEC', 'REC'],
    severity: 'reject',
    reason: 'an episode half-ended cannot be placed: the period of care would end, or go on, on a guess',
    *check(child) {
      for (const row of child.rows('Episodes')) {
        if (filled(row, 'DEC') && !filled(row, 'REC'))
          yield { row, column: 'REC', detail: `DEC is ${shown(row, 'DEC')} but REC is blank` };
        else if (!filled(row, 'DEC') && filled(row, 'REC'))
          yield { row, column: 'DEC', detail: `REC is ${shown(row, 'REC')} but DEC is blank` };
      }
    },
    examples: [
      {
        valid: {
          Episodes: [
            { DECOM: '01/05/2025', DEC: '10/05/2025', REC: 'X1' },
            { DECOM: '10/05/2025', DEC: '', REC: '' },
          ],
        },
        invalid: {
          Episodes: [
            { DECOM: '01/05/2025', DEC: '10/05/2025', REC: '' },
            { DECOM: '10/05/2025', DEC: '', REC: 'E13' },
            { DECOM: '11/05/2025', DEC: '', REC: '' },
          ],
        },
        flags: [
          ['Episodes', 0],
          ['Episodes', 1],
        ],
      },
    ],
  },
  {
    code: '199',
    meaning: 'an episode follows an episode in which the child was adopted from care (E11 or E12), this year or last',
    tables: ['Episodes'],
    fields: ['CHILD'],
    severity: 'warn',
    reason:
      'the later episodes are kept as their own period of care; the likely fault is an adopted child recorded again under the same identifier, which no audit can tell',
    // Reads last year's episodes when the store has them, but the DfE checks this year's on their own too.
    *check(child) {
      const thisYear = datedEpisodes(child).map((row) => ({ row, current: true }));
      const lastYear = (child.previous('Episodes') ?? [])
        .filter((row) => dateOf(row, 'DECOM') !== null)
        .map((row) => ({ row, current: false }));
      // This year's rows first, so that an episode repeated from last year is counted as this year's.
      const all = [...thisYear, ...lastYear].sort((a, b) =>
        (dateOf(a.row, 'DECOM') ?? '').localeCompare(dateOf(b.row, 'DECOM') ?? ''),
      );
      let adoption: ReturnRow | undefined;
      let adoptions = 0;
      for (const { row, current } of all) {
        const adopted = isOneOf(row, 'REC', ADOPTED);
        if (adopted) adoptions++;
        const first = adopted && adoptions === 1;
        if (current && adoptions > 0 && !first && adoption)
          yield {
            row,
            detail: `${starting(row)} comes after the adoption (${code(adoption, 'REC')}) that ended ${starting(adoption)}`,
          };
        if (first) adoption = row;
      }
    },
    examples: [
      {
        note: 'the adoption ends the last episode',
        valid: {
          Episodes: [
            { DECOM: '01/05/2025', DEC: '01/09/2025', REC: 'X1' },
            { DECOM: '01/09/2025', DEC: '01/12/2025', REC: 'E12' },
            { DECOM: 'unknown', DEC: '', REC: '' },
          ],
        },
        invalid: {
          Episodes: [
            { DECOM: '01/05/2025', DEC: '01/09/2025', REC: 'E11' },
            { DECOM: '01/12/2025', DEC: '', REC: '' },
            { DECOM: '01/01/2026', DEC: '02/01/2026', REC: 'E11' },
          ],
        },
        flags: [
          ['Episodes', 1],
          ['Episodes', 2],
        ],
      },
      {
        note: "an adoption in last year's return",
        valid: {
          Episodes: [{ DECOM: '01/02/2025', DEC: '01/06/2025', REC: 'E11' }],
          previous: { Episodes: [{ DECOM: '01/02/2025', DEC: '', REC: '' }] },
        },
        invalid: {
          Episodes: [{ DECOM: '01/05/2025', DEC: '', REC: '' }],
          previous: { Episodes: [{ DECOM: '01/06/2023', DEC: '01/02/2025', REC: 'E11' }] },
        },
        flags: [['Episodes', 0]],
      },
    ],
  },
  {
    code: '302',
    meaning: "the child's first episode starts before the child was born",
    tables: ['Episodes', 'Header'],
    fields: ['DECOM', 'DOB'],
    severity: 'reject',
    reason:
      'either the date of birth or the start of care is wrong, and every age and every deadline the audits work out starts from one of them',
    *check(child) {
      const first = datedEpisodes(child)[0];
      const header = child.rows('Header')[0];
      const dob = dateOfBirth(child);
      const decom = first ? dateOf(first, 'DECOM') : null;
      if (!first || !header || dob === null || decom === null || dob <= decom) return;
      const detail = `the first episode starts ${longDate(decom)}, the child was born ${longDate(dob)}`;
      yield { row: first, column: 'DECOM', detail };
      yield { row: header, column: 'DOB', detail };
    },
    examples: [
      {
        note: 'care may start on the day of birth',
        valid: { Header: [{ DOB: '01/05/2025' }], Episodes: [{ DECOM: '01/05/2025' }, { DECOM: 'unknown' }] },
        invalid: { Header: [{ DOB: '02/05/2025' }], Episodes: [{ DECOM: '03/05/2025' }, { DECOM: '01/05/2025' }] },
        flags: [
          ['Episodes', 1],
          ['Header', 0],
        ],
      },
    ],
  },
  {
    code: '336',
    meaning:
      'the child was placed for adoption (A3 or A4) straight from a placement other than a foster or adoption placement (A3–A6, U1–U6)',
    tables: ['Episodes'],
    fields: ['PLACE'],
    severity: 'warn',
    reason:
      'a plausibility check on the order of placement types: no audit reads placement history, and the episode dates are sound',
    *check(child) {
      for (const { episode, previous } of withPrevious(child)) {
        if (
          isOneOf(episode, 'PLACE', ['A3', 'A4']) &&
          !isOneOf(previous, 'PLACE', [...PLACED_FOR_ADOPTION, ...FOSTER_PLACEMENTS])
        ) {
          yield {
            row: episode,
            detail: `PLACE is ${code(episode, 'PLACE')}, the placement before it is ${shown(previous, 'PLACE')}`,
          };
        }
      }
    },
    examples: [
      {
        note: 'the first episode has no placement before it',
        valid: {
          Episodes: [
            { DECOM: '01/05/2025', PLACE: 'A3' },
            { DECOM: '01/06/2025', PLACE: 'U1' },
            { DECOM: '01/07/2025', PLACE: 'A4' },
            { DECOM: '01/08/2025', PLACE: 'A3' },
          ],
        },
        invalid: {
          Episodes: [
            { DECOM: '01/07/2025', PLACE: 'A3' },
            { DECOM: '01/05/2025', PLACE: 'U1' },
            { DECOM: '01/06/2025', PLACE: 'T1' },
            { DECOM: '01/08/2025', PLACE: '' },
            { DECOM: '01/09/2025', PLACE: 'A4' },
          ],
        },
        flags: [
          ['Episodes', 0],
          ['Episodes', 4],
        ],
      },
    ],
  },
  rowRule({
    code: '352',
    table: 'Episodes',
    alsoReads: ['Header'],
    fields: ['DECOM', 'RNE'],
    meaning: 'the child started to be looked after (S) on or after their 18th birthday',
    severity: 'reject',
    reason:
      'a child cannot start to be looked after at 18: the date of birth or the start of care is wrong, and the ages the audits use would be too',
    breaks: (row, child) => {
      const dob = dateOfBirth(child);
      const decom = dateOf(row, 'DECOM');
      if (code(row, 'RNE') !== 'S' || dob === null || decom === null) return false;
      const eighteen = addYears(dob, 18);
      return decom >= eighteen ? `care started ${longDate(decom)}, the 18th birthday was ${longDate(eighteen)}` : false;
    },
    examples: [
      {
        note: 'the day before the 18th birthday is allowed; on it is not',
        valid: {
          Header: [{ DOB: '02/05/2007' }],
          Episodes: [
            { DECOM: '01/05/2025', RNE: 'S' },
            { DECOM: '01/06/2025', RNE: 'P' },
          ],
        },
        invalid: {
          Header: [{ DOB: '01/05/2007' }],
          Episodes: [
            { DECOM: '01/05/2025', RNE: 'S' },
            { DECOM: '01/06/2025', RNE: 'P' },
          ],
        },
        flags: [['Episodes', 0]],
      },
    ],
  }),
  {
    code: '357',
    meaning:
      'the child\'s first episode, starting this year, does not have the reason "started to be looked after" (S)',
    tables: ['Episodes'],
    fields: ['RNE'],
    severity: 'reject',
    reason:
      "without its first episode the start of care is unknown, and the first review's deadline is counted from it",
    *check(child, { start }) {
      const first = datedEpisodes(child)[0];
      // An earlier start is last year's business: the first episode may continue last year's.
      if (!first || (dateOf(first, 'DECOM') ?? '') < start || code(first, 'RNE') === 'S') return;
      yield { row: first, detail: `${starting(first)} has RNE ${shown(first, 'RNE')}` };
    },
    examples: [
      {
        note: 'a first episode starting on 1 April must be S',
        valid: {
          Episodes: [
            { DECOM: '10/04/2025', RNE: 'P' },
            { DECOM: '01/04/2025', RNE: 'S' },
          ],
        },
        invalid: {
          Episodes: [
            { DECOM: '10/04/2025', RNE: 'S' },
            { DECOM: '01/04/2025', RNE: 'P' },
          ],
        },
        flags: [['Episodes', 1]],
      },
      {
        note: "a first episode starting before the year carries on last year's",
        valid: {
          Episodes: [
            { DECOM: '31/03/2025', RNE: 'P' },
            { DECOM: '01/04/2025', RNE: 'L' },
          ],
        },
        invalid: {
          Episodes: [
            { DECOM: '02/04/2025', RNE: '' },
            { DECOM: 'unknown', RNE: 'S' },
          ],
        },
        flags: [['Episodes', 0]],
      },
    ],
  },
  rowRule({
    code: '380',
    table: 'Episodes',
    fields: ['PLACE', 'RNE'],
    meaning:
      'an episode in a temporary placement (T0–T4) does not start with a change of placement (P or B): a period of care cannot start with a temporary placement',
    severity: 'warn',
    reason:
      'the placement code and the reason for the episode disagree, but the episode dates, which the audits use, are sound',
    breaks: (row) =>
      isOneOf(row, 'PLACE', TEMPORARY_PLACEMENTS) && !isOneOf(row, 'RNE', ['P', 'B'])
        ? `PLACE is ${code(row, 'PLACE')} and RNE is ${shown(row, 'RNE')}`
        : false,
    examples: [
      {
        valid: {
          Episodes: [
            { PLACE: 'T1', RNE: 'P' },
            { PLACE: 'T4', RNE: 'B' },
            { PLACE: 'U1', RNE: 'S' },
          ],
        },
        invalid: {
          Episodes: [
            { PLACE: 'T0', RNE: 'S' },
            { PLACE: 'T2', RNE: '' },
            { PLACE: 'T3', RNE: 'U' },
          ],
        },
        flags: [
          ['Episodes', 0],
          ['Episodes', 1],
          ['Episodes', 2],
        ],
      },
    ],
  }),
  rowRule({
    code: '381',
    table: 'Episodes',
    fields: ['REC', 'PLACE'],
    meaning:
      'an episode in a temporary placement (T0–T4) ends the period of care: it may only end with a new episode (X1)',
    severity: 'warn',
    reason:
      'the placement code and the reason the episode ended disagree, but the episode dates, which the audits use, are sound',
    breaks: (row) =>
      isOneOf(row, 'PLACE', TEMPORARY_PLACEMENTS) && filled(row, 'REC') && code(row, 'REC') !== 'X1'
        ? `PLACE is ${code(row, 'PLACE')} and REC is ${recDescribed(row)}`
        : false,
    examples: [
      {
        note: 'a temporary placement still open is allowed',
        valid: {
          Episodes: [
            { PLACE: 'T1', REC: 'X1' },
            { PLACE: 'T2', REC: '' },
            { PLACE: 'U1', REC: 'E13' },
          ],
        },
        invalid: {
          Episodes: [
            { PLACE: 'T0', REC: 'E13' },
            { PLACE: 'T4', REC: 'E8' },
          ],
        },
        flags: [
          ['Episodes', 0],
          ['Episodes', 1],
        ],
      },
    ],
  }),
  rule383({
    until: '2024-25',
    postcode: false,
    examples: [
      {
        note: 'the episode after the temporary placement goes back to the same placement type with P',
        valid: {
          Episodes: [
            { DECOM: '01/05/2025', PLACE: 'U1', RNE: 'S' },
            { DECOM: '01/06/2025', PLACE: 'T1', RNE: 'P' },
            { DECOM: '10/06/2025', PLACE: 'U1', RNE: 'P', PL_POST: 'AB1 2CD' },
          ],
        },
        invalid: {
          Episodes: [
            { DECOM: '01/05/2025', PLACE: 'U1', RNE: 'S' },
            { DECOM: '01/06/2025', PLACE: 'T1', RNE: 'P' },
            { DECOM: '10/06/2025', PLACE: 'U2', RNE: 'P' },
            { DECOM: '01/07/2025', PLACE: 'T2', RNE: 'P' },
            { DECOM: '10/07/2025', PLACE: 'U2', RNE: 'T' },
          ],
        },
        flags: [
          ['Episodes', 2],
          ['Episodes', 4],
        ],
      },
    ],
  }),
  rule383({
    from: '2025-26',
    postcode: true,
    examples: [
      {
        note: 'the episode after the temporary placement goes back to the same placement type and postcode with P',
        valid: {
          Episodes: [
            { DECOM: '01/05/2025', PLACE: 'U1', RNE: 'S', PL_POST: 'AB1 2CD' },
            { DECOM: '01/06/2025', PLACE: 'T1', RNE: 'P', PL_POST: 'XY9 9ZZ' },
            { DECOM: '10/06/2025', PLACE: 'U1', RNE: 'P', PL_POST: 'ab1 2cd' },
          ],
        },
        invalid: {
          Episodes: [
            { DECOM: '01/05/2025', PLACE: 'U1', RNE: 'S', PL_POST: 'AB1 2CD' },
            { DECOM: '01/06/2025', PLACE: 'T1', RNE: 'P', PL_POST: 'XY9 9ZZ' },
            { DECOM: '10/06/2025', PLACE: 'U1', RNE: 'P', PL_POST: 'AB1 2CE' },
          ],
        },
        flags: [['Episodes', 2]],
      },
    ],
  }),
  rowRule({
    code: '386',
    table: 'Episodes',
    alsoReads: ['Header'],
    fields: ['REC', 'DEC'],
    meaning: 'the child was adopted (E11 or E12) on or after their 18th birthday',
    severity: 'warn',
    reason: "the reason for ending and the child's age disagree, but the dates of the period of care are kept as given",
    breaks: (row, child) => {
      const dates = isOneOf(row, 'REC', ADOPTED) ? endAndBirth(row, child) : null;
      if (!dates) return false;
      const eighteen = addYears(dates.dob, 18);
      return dates.dec >= eighteen
        ? `REC is ${code(row, 'REC')} on ${longDate(dates.dec)}, the 18th birthday was ${longDate(eighteen)}`
        : false;
    },
    examples: [
      {
        note: 'the day before the 18th birthday is allowed; on it is not',
        valid: { Header: [{ DOB: '02/05/2007' }], Episodes: [{ DECOM: '01/04/2025', DEC: '01/05/2025', REC: 'E11' }] },
        invalid: {
          Header: [{ DOB: '01/05/2007' }],
          Episodes: [{ DECOM: '01/04/2025', DEC: '01/05/2025', REC: 'E12' }],
        },
        flags: [['Episodes', 0]],
      },
    ],
  }),
  rowRule({
    code: '387',
    table: 'Episodes',
    alsoReads: ['Header'],
    fields: ['REC', 'DEC'],
    meaning: 'the child moved into independent living (E5 or E6) before their 14th birthday',
    severity: 'warn',
    reason: "the reason for ending and the child's age disagree, but the dates of the period of care are kept as given",
    breaks: (row, child) => {
      const dates = isOneOf(row, 'REC', ['E5', 'E6']) ? endAndBirth(row, child) : null;
      if (!dates) return false;
      const fourteen = addYears(dates.dob, 14);
      return dates.dec < fourteen
        ? `REC is ${code(row, 'REC')} on ${longDate(dates.dec)}, the 14th birthday was ${longDate(fourteen)}`
        : false;
    },
    examples: [
      {
        note: 'on the 14th birthday is allowed; the day before is not',
        valid: { Header: [{ DOB: '01/05/2011' }], Episodes: [{ DECOM: '01/04/2025', DEC: '01/05/2025', REC: 'E5' }] },
        invalid: { Header: [{ DOB: '02/05/2011' }], Episodes: [{ DECOM: '01/04/2025', DEC: '01/05/2025', REC: 'E6' }] },
        flags: [['Episodes', 0]],
      },
    ],
  }),
  {
    code: '388',
    meaning:
      'the reasons episodes ended do not match what follows them: an episode ending X1 (a new episode begins) must be followed by one starting the same day, and one followed the same day must end X1',
    tables: ['Episodes'],
    fields: ['REC'],
    severity: 'reject',
    reason:
      'an episode ending X1 with nothing after it, or a break in care that is not one, would put the end of the period of care on the wrong day',
    *check(child) {
      const all = datedEpisodes(child);
      for (let index = 0; index < all.length; index++) {
        const episode = all[index]!;
        const dec = dateOf(episode, 'DEC');
        if (dec === null) continue;
        const next = all[index + 1];
        const x1 = code(episode, 'REC') === 'X1';
        if (!next) {
          if (x1)
            yield { row: episode, detail: `${starting(episode)} ends X1 on ${longDate(dec)} but no episode follows` };
          continue;
        }
        const nextStart = dateOf(next, 'DECOM') ?? '';
        if (x1 && dec !== nextStart)
          yield {
            row: episode,
            detail: `${starting(episode)} ends X1 on ${longDate(dec)} but the next episode starts ${longDate(nextStart)}`,
          };
        else if (!x1 && filled(episode, 'REC') && dec === nextStart)
          yield {
            row: episode,
            detail: `${starting(episode)} ends ${recDescribed(episode)} on ${longDate(dec)}, the day the next episode starts`,
          };
      }
    },
    examples: [
      {
        valid: {
          Episodes: [
            { DECOM: '01/05/2025', DEC: '10/05/2025', REC: 'X1' },
            { DECOM: '10/05/2025', DEC: '20/05/2025', REC: 'E13' },
            { DECOM: '21/05/2025', DEC: '', REC: '' },
            { DECOM: 'unknown', DEC: '01/06/2025', REC: 'X1' },
          ],
        },
        invalid: {
          Episodes: [
            { DECOM: '01/05/2025', DEC: '10/05/2025', REC: 'X1' },
            { DECOM: '11/05/2025', DEC: '20/05/2025', REC: 'E8' },
            { DECOM: '20/05/2025', DEC: '30/05/2025', REC: 'X1' },
          ],
        },
        flags: [
          ['Episodes', 0],
          ['Episodes', 1],
          ['Episodes', 2],
        ],
      },
    ],
  },
  rowRule({
    code: '389',
    table: 'Episodes',
    alsoReads: ['Header'],
    fields: ['REC', 'DEC'],
    meaning:
      'the child was transferred to residential care funded by adult social care services (E7) before their 16th birthday',
    severity: 'warn',
    reason: "the reason for ending and the child's age disagree, but the dates of the period of care are kept as given",
    // Without a date ceased the age at transfer is unknown: an E7 with no date is 148's finding
    // (reason and date go together). The community validator flags it whatever the child's age.
    breaks: (row, child) => {
      const dates = code(row, 'REC') === 'E7' ? endAndBirth(row, child) : null;
      if (!dates) return false;
      const sixteen = addYears(dates.dob, 16);
      return dates.dec < sixteen
        ? `REC is E7 on ${longDate(dates.dec)}, the 16th birthday was ${longDate(sixteen)}`
        : false;
    },
    examples: [
      {
        note: 'on the 16th birthday is allowed; the day before is not',
        valid: { Header: [{ DOB: '01/05/2009' }], Episodes: [{ DECOM: '01/04/2025', DEC: '01/05/2025', REC: 'E7' }] },
        invalid: { Header: [{ DOB: '02/05/2009' }], Episodes: [{ DECOM: '01/04/2025', DEC: '01/05/2025', REC: 'E7' }] },
        flags: [['Episodes', 0]],
      },
      {
        note: 'an E7 with no date ceased is left to rule 148, whatever the age',
        valid: { Header: [{ DOB: '02/05/2009' }], Episodes: [{ DECOM: '01/04/2025', DEC: '', REC: 'E7' }] },
        invalid: {
          Header: [{ DOB: '02/05/2009' }],
          Episodes: [
            { DECOM: '01/04/2025', DEC: '', REC: 'E7' },
            { DECOM: '01/04/2025', DEC: '30/04/2025', REC: 'E7' },
          ],
        },
        flags: [['Episodes', 1]],
      },
    ],
  }),
  rowRule({
    code: '390',
    table: 'Episodes',
    fields: ['REC', 'PLACE'],
    meaning: 'the child was adopted (E11 or E12) from a placement that is not an adoption placement (A3–A6)',
    severity: 'warn',
    reason: 'the reason for ending and the placement disagree, but the dates of the period of care are sound',
    breaks: (row) =>
      isOneOf(row, 'REC', ADOPTED) && !isOneOf(row, 'PLACE', PLACED_FOR_ADOPTION)
        ? `REC is ${code(row, 'REC')} and PLACE is ${shown(row, 'PLACE')}`
        : false,
    examples: [
      {
        valid: {
          Episodes: [
            { REC: 'E11', PLACE: 'A5' },
            { REC: 'E12', PLACE: 'A4' },
            { REC: 'E13', PLACE: 'U1' },
          ],
        },
        invalid: {
          Episodes: [
            { REC: 'E11', PLACE: 'U1' },
            { REC: 'E12', PLACE: '' },
          ],
        },
        flags: [
          ['Episodes', 0],
          ['Episodes', 1],
        ],
      },
    ],
  }),
  {
    code: '407',
    meaning: "a special guardianship order ended care (E45–E48) after the child's 18th birthday",
    tables: ['Episodes', 'Header'],
    fields: ['DEC', 'DOB', 'REC'],
    severity: 'warn',
    reason: "the reason for ending and the child's age disagree, but the dates of the period of care are kept as given",
    *check(child) {
      const header = child.rows('Header')[0];
      let headerFlagged = false;
      for (const row of child.rows('Episodes')) {
        const dates = isOneOf(row, 'REC', ['E45', 'E46', 'E47', 'E48']) ? endAndBirth(row, child) : null;
        if (!dates) continue;
        const eighteen = addYears(dates.dob, 18);
        if (dates.dec <= eighteen) continue;
        const detail = `REC is ${code(row, 'REC')} on ${longDate(dates.dec)}, the 18th birthday was ${longDate(eighteen)}`;
        yield { row, column: 'DEC', detail };
        // The DfE flags the child's Header row too, once.
        if (header && !headerFlagged) {
          headerFlagged = true;
          yield { row: header, column: 'DOB', detail } satisfies Flag;
        }
      }
    },
    examples: [
      {
        note: 'on the 18th birthday is allowed; the day after is not',
        valid: { Header: [{ DOB: '01/05/2007' }], Episodes: [{ DECOM: '01/04/2025', DEC: '01/05/2025', REC: 'E45' }] },
        invalid: {
          Header: [{ DOB: '01/05/2007' }],
          Episodes: [{ DECOM: '01/04/2025', DEC: '02/05/2025', REC: 'E48' }],
        },
        flags: [
          ['Episodes', 0],
          ['Header', 0],
        ],
      },
    ],
  },
  {
    code: '431',
    meaning:
      'an episode says the child started to be looked after (S), but the previous episode had not ended before the day it starts',
    tables: ['Episodes'],
    fields: ['RNE', 'DECOM'],
    severity: 'reject',
    reason:
      "an S episode starts a new period of care, so the first-review deadline would restart in the middle of the child's care",
    *check(child) {
      for (const { episode, previous } of withPrevious(child)) {
        const ended = dateOf(previous, 'DEC');
        const decom = dateOf(episode, 'DECOM') ?? '';
        if (code(episode, 'RNE') === 'S' && ended !== null && decom <= ended)
          yield { row: episode, detail: `${starting(episode)} has RNE S, ${previousEnd(previous)}` };
      }
    },
    examples: [
      {
        note: 'a new period of care may start the day after the previous one ended',
        valid: {
          Episodes: [
            { DECOM: '01/05/2025', DEC: '10/05/2025', REC: 'E13', RNE: 'S' },
            { DECOM: '11/05/2025', RNE: 'S' },
          ],
        },
        invalid: {
          Episodes: [
            { DECOM: '01/05/2025', DEC: '10/05/2025', REC: 'X1', RNE: 'S' },
            { DECOM: '10/05/2025', RNE: 'S' },
          ],
        },
        flags: [['Episodes', 1]],
      },
    ],
  },
  {
    code: '432',
    meaning:
      "the previous episode ended the child's care, but the next episode does not say the child started to be looked after (S)",
    tables: ['Episodes'],
    fields: ['RNE'],
    severity: 'reject',
    reason:
      'either the care did not end or a new period of care began: the periods of care, and the review deadlines counted from them, depend on which',
    *check(child) {
      for (const { episode, previous } of withPrevious(child)) {
        if (isOneOf(previous, 'REC', ENDS_CARE) && code(episode, 'RNE') !== 'S') {
          yield {
            row: episode,
            detail: `${starting(episode)} has RNE ${shown(episode, 'RNE')}, the previous episode ended ${recDescribed(previous)}`,
          };
        }
      }
    },
    examples: [
      {
        valid: {
          Episodes: [
            { DECOM: '01/05/2025', DEC: '10/05/2025', REC: 'E13' },
            { DECOM: '01/06/2025', DEC: '10/06/2025', REC: 'X1', RNE: 'S' },
            { DECOM: '10/06/2025', RNE: 'P' },
          ],
        },
        invalid: {
          Episodes: [
            { DECOM: '01/05/2025', DEC: '10/05/2025', REC: 'E4A' },
            { DECOM: '10/05/2025', DEC: '20/05/2025', REC: 'e8', RNE: 'P' },
            { DECOM: '01/06/2025', RNE: '' },
          ],
        },
        flags: [
          ['Episodes', 1],
          ['Episodes', 2],
        ],
      },
    ],
  },
  {
    code: '433',
    meaning:
      "an episode continues the child's care (reason P, L, T, U or B) but does not start on the day the previous episode ended",
    tables: ['Episodes'],
    fields: ['RNE', 'DECOM'],
    severity: 'reject',
    reason:
      'a continuing episode after a gap puts days outside care inside the period of care, or splits one period of care in two',
    *check(child) {
      for (const { episode, previous } of withPrevious(child)) {
        if (!isOneOf(episode, 'RNE', CONTINUES_CARE)) continue;
        if (dateOf(previous, 'DEC') !== dateOf(episode, 'DECOM'))
          yield {
            row: episode,
            detail: `${starting(episode)} has RNE ${code(episode, 'RNE')}, ${previousEnd(previous)}`,
          };
      }
    },
    examples: [
      {
        valid: {
          Episodes: [
            { DECOM: '01/05/2025', DEC: '10/05/2025', REC: 'X1', RNE: 'S' },
            { DECOM: '10/05/2025', DEC: '20/05/2025', REC: 'E13', RNE: 'P' },
            { DECOM: '01/06/2025', RNE: 'S' },
          ],
        },
        invalid: {
          Episodes: [
            { DECOM: '01/05/2025', DEC: '10/05/2025', REC: 'X1', RNE: 'S' },
            { DECOM: '11/05/2025', DEC: '', REC: '', RNE: 'L' },
            { DECOM: '01/06/2025', RNE: 'U' },
          ],
        },
        flags: [
          ['Episodes', 1],
          ['Episodes', 2],
        ],
      },
    ],
  },
  {
    code: '434',
    meaning:
      'an episode says only the legal status changed (L), but the legal status is the same as before or the placement changed',
    tables: ['Episodes'],
    fields: ['RNE', 'LS', 'PLACE', 'PL_POST', 'URN', 'PLACE_PROVIDER'],
    severity: 'warn',
    reason:
      'the kind of change matters only to counts of placement moves, which no audit reads; every kind continues the period of care',
    *check(child) {
      for (const { episode, previous } of withPrevious(child)) {
        if (code(episode, 'RNE') !== 'L') continue;
        const wrong = [
          ...(same(episode, previous, 'LS') ? [`LS stays ${shown(episode, 'LS')}`] : []),
          ...placementChanges(previous, episode),
        ];
        if (wrong.length > 0) yield { row: episode, detail: `${starting(episode)} has RNE L: ${wrong.join('; ')}` };
      }
    },
    examples: [
      {
        valid: {
          Episodes: [
            { DECOM: '01/05/2025', LS: 'C1', PLACE: 'U1', PL_POST: 'AB1 2CD', URN: 'SC1', PLACE_PROVIDER: 'PR1' },
            {
              DECOM: '10/05/2025',
              RNE: 'L',
              LS: 'C2',
              PLACE: 'U1',
              PL_POST: 'AB1 2CD',
              URN: 'SC1',
              PLACE_PROVIDER: 'PR1',
            },
          ],
        },
        invalid: {
          Episodes: [
            { DECOM: '01/05/2025', LS: 'C1', PLACE: 'U1', PL_POST: 'AB1 2CD', URN: 'SC1', PLACE_PROVIDER: 'PR1' },
            {
              DECOM: '10/05/2025',
              RNE: 'L',
              LS: 'C1',
              PLACE: 'U1',
              PL_POST: 'AB1 2CD',
              URN: 'SC1',
              PLACE_PROVIDER: 'PR1',
            },
            {
              DECOM: '20/05/2025',
              RNE: 'L',
              LS: 'C2',
              PLACE: 'U1',
              PL_POST: 'AB1 2CD',
              URN: '',
              PLACE_PROVIDER: 'PR1',
            },
          ],
        },
        flags: [
          ['Episodes', 1],
          ['Episodes', 2],
        ],
      },
    ],
  },
  {
    code: '435',
    meaning:
      'an episode says only the placement changed (P or T), but the legal status changed or the placement is the same as before',
    tables: ['Episodes'],
    fields: ['RNE', 'LS', 'PLACE', 'PL_POST', 'URN', 'PLACE_PROVIDER'],
    severity: 'warn',
    reason:
      'the kind of change matters only to counts of placement moves, which no audit reads; every kind continues the period of care',
    *check(child) {
      for (const { episode, previous } of withPrevious(child)) {
        if (!isOneOf(episode, 'RNE', ['P', 'T'])) continue;
        const lsChanged = !same(episode, previous, 'LS');
        const placementSame = placementChanges(previous, episode).length === 0;
        const wrong = [
          ...(lsChanged ? [`LS ${shown(previous, 'LS')} → ${shown(episode, 'LS')}`] : []),
          ...(placementSame ? ['the placement is unchanged'] : []),
        ];
        if (wrong.length > 0)
          yield { row: episode, detail: `${starting(episode)} has RNE ${code(episode, 'RNE')}: ${wrong.join('; ')}` };
      }
    },
    examples: [
      {
        note: 'a change of placement postcode alone is a change of placement',
        valid: {
          Episodes: [
            { DECOM: '01/05/2025', LS: 'C2', PLACE: 'U1', PL_POST: 'AB1 2CD', URN: '', PLACE_PROVIDER: 'PR1' },
            {
              DECOM: '10/05/2025',
              RNE: 'P',
              LS: 'C2',
              PLACE: 'U1',
              PL_POST: 'AB1 2CE',
              URN: '',
              PLACE_PROVIDER: 'PR1',
            },
          ],
        },
        invalid: {
          Episodes: [
            { DECOM: '01/05/2025', LS: 'C2', PLACE: 'U1', PL_POST: 'AB1 2CD', URN: '', PLACE_PROVIDER: 'PR1' },
            {
              DECOM: '10/05/2025',
              RNE: 'P',
              LS: 'C2',
              PLACE: 'U1',
              PL_POST: 'AB1 2CD',
              URN: '',
              PLACE_PROVIDER: 'PR1',
            },
            {
              DECOM: '20/05/2025',
              RNE: 'T',
              LS: 'E1',
              PLACE: 'U2',
              PL_POST: 'AB1 2CD',
              URN: '',
              PLACE_PROVIDER: 'PR1',
            },
          ],
        },
        flags: [
          ['Episodes', 1],
          ['Episodes', 2],
        ],
      },
    ],
  },
  {
    code: '436',
    meaning:
      'an episode says both the legal status and the placement changed (U or B), but one of them is the same as before',
    tables: ['Episodes'],
    fields: ['RNE', 'LS', 'PLACE', 'PL_POST', 'URN', 'PLACE_PROVIDER'],
    severity: 'warn',
    reason:
      'the kind of change matters only to counts of placement moves, which no audit reads; every kind continues the period of care',
    *check(child) {
      for (const { episode, previous } of withPrevious(child)) {
        if (!isOneOf(episode, 'RNE', ['U', 'B'])) continue;
        const wrong = [
          ...(same(episode, previous, 'LS') ? [`LS stays ${shown(episode, 'LS')}`] : []),
          ...(placementChanges(previous, episode).length === 0 ? ['the placement is unchanged'] : []),
        ];
        if (wrong.length > 0)
          yield { row: episode, detail: `${starting(episode)} has RNE ${code(episode, 'RNE')}: ${wrong.join('; ')}` };
      }
    },
    examples: [
      {
        valid: {
          Episodes: [
            { DECOM: '01/05/2025', LS: 'C1', PLACE: 'U1', PL_POST: 'AB1 2CD', URN: '', PLACE_PROVIDER: 'PR1' },
            {
              DECOM: '10/05/2025',
              RNE: 'U',
              LS: 'C2',
              PLACE: 'U1',
              PL_POST: 'AB1 2CD',
              URN: '',
              PLACE_PROVIDER: 'PR2',
            },
          ],
        },
        invalid: {
          Episodes: [
            { DECOM: '01/05/2025', LS: 'C1', PLACE: 'U1', PL_POST: 'AB1 2CD', URN: '', PLACE_PROVIDER: 'PR1' },
            {
              DECOM: '10/05/2025',
              RNE: 'U',
              LS: 'C1',
              PLACE: 'U2',
              PL_POST: 'AB1 2CD',
              URN: '',
              PLACE_PROVIDER: 'PR1',
            },
            {
              DECOM: '20/05/2025',
              RNE: 'B',
              LS: 'C2',
              PLACE: 'U2',
              PL_POST: 'AB1 2CD',
              URN: '',
              PLACE_PROVIDER: 'PR1',
            },
          ],
        },
        flags: [
          ['Episodes', 1],
          ['Episodes', 2],
        ],
      },
    ],
  },
  {
    code: '437',
    meaning:
      'an episode ended because the child died (E2) or was found to be 18 or over (E15), yet a later episode follows',
    tables: ['Episodes'],
    fields: ['REC'],
    severity: 'reject',
    reason:
      'care cannot go on after the child died or was found to be an adult: either the ending or the later episodes are wrong',
    *check(child) {
      const all = datedEpisodes(child);
      for (const [index, episode] of all.entries()) {
        const next = all[index + 1];
        if (next && isOneOf(episode, 'REC', ['E2', 'E15']))
          yield { row: episode, detail: `${starting(episode)} ended ${recDescribed(episode)}, then ${starting(next)}` };
      }
    },
    examples: [
      {
        valid: {
          Episodes: [
            { DECOM: '01/05/2025', DEC: '10/05/2025', REC: 'X1' },
            { DECOM: '10/05/2025', DEC: '20/05/2025', REC: 'E2' },
            { DECOM: 'unknown' },
          ],
        },
        invalid: {
          Episodes: [
            { DECOM: '10/05/2025', DEC: '', REC: '' },
            { DECOM: '01/05/2025', DEC: '10/05/2025', REC: 'E15' },
          ],
        },
        flags: [['Episodes', 1]],
      },
    ],
  },
  rowRule({
    code: '445',
    table: 'Episodes',
    fields: ['LS', 'DECOM'],
    until: '2023-24',
    meaning:
      'the legal status is a freeing order (D1), which cannot be made for episodes starting after 31 December 2005',
    severity: 'warn',
    reason:
      'an old legal status on a recent episode is a coding slip; the legal status decides nothing the audits read unless it is a short break',
    breaks: (row) => {
      const decom = dateOf(row, 'DECOM');
      return code(row, 'LS') === 'D1' && decom !== null && decom > '2005-12-31'
        ? `LS is D1 on ${starting(row)}`
        : false;
    },
    examples: [
      {
        note: 'an episode starting on 31 December 2005 may be D1',
        fixedDates: true,
        valid: {
          Episodes: [
            { DECOM: '31/12/2005', LS: 'D1' },
            { DECOM: '01/05/2023', LS: 'C2' },
          ],
        },
        invalid: {
          Episodes: [
            { DECOM: '01/01/2006', LS: 'D1' },
            { DECOM: '01/05/2023', LS: 'd1' },
          ],
        },
        flags: [
          ['Episodes', 0],
          ['Episodes', 1],
        ],
      },
    ],
  }),
  rowRule({
    code: '451',
    table: 'Episodes',
    fields: ['LS', 'DEC', 'REC'],
    until: '2023-24',
    meaning:
      'the child is still freed for adoption (an open episode with legal status D1), but freeing orders could not be applied for after 30 December 2005',
    severity: 'warn',
    reason:
      'an old legal status on an open episode is a coding slip; the legal status decides nothing the audits read unless it is a short break',
    breaks: (row) =>
      code(row, 'LS') === 'D1' && !filled(row, 'DEC') && !filled(row, 'REC')
        ? 'LS is D1 and the episode has not ended'
        : false,
    examples: [
      {
        valid: {
          Episodes: [
            { DECOM: '01/05/2005', DEC: '01/05/2025', REC: 'E11', LS: 'D1' },
            { DECOM: '01/05/2025', DEC: '', REC: '', LS: 'C2' },
          ],
        },
        invalid: { Episodes: [{ DECOM: '01/05/2005', DEC: '', REC: '', LS: 'D1' }] },
        flags: [['Episodes', 0]],
      },
    ],
  }),
  rowRule({
    code: '460',
    table: 'Episodes',
    alsoReads: ['Header'],
    fields: ['REC', 'DEC'],
    meaning:
      'the child stayed with their carers at 18 or over (E17, staying put) but the episode ended before their 18th birthday',
    severity: 'warn',
    reason: "the reason for ending and the child's age disagree, but the dates of the period of care are kept as given",
    breaks: (row, child) => {
      const dates = code(row, 'REC') === 'E17' ? endAndBirth(row, child) : null;
      if (!dates) return false;
      const eighteen = addYears(dates.dob, 18);
      return dates.dec < eighteen
        ? `REC is E17 on ${longDate(dates.dec)}, the 18th birthday was ${longDate(eighteen)}`
        : false;
    },
    examples: [
      {
        note: 'on the 18th birthday is allowed; the day before is not',
        valid: { Header: [{ DOB: '01/05/2007' }], Episodes: [{ DECOM: '01/04/2025', DEC: '01/05/2025', REC: 'E17' }] },
        invalid: {
          Header: [{ DOB: '02/05/2007' }],
          Episodes: [{ DECOM: '01/04/2025', DEC: '01/05/2025', REC: 'E17' }],
        },
        flags: [['Episodes', 0]],
      },
    ],
  }),
  {
    code: '501',
    meaning: 'an episode starts before the previous episode ended',
    tables: ['Episodes'],
    fields: ['DECOM', 'DEC'],
    severity: 'reject',
    reason:
      'overlapping episodes put the child in two episodes at once: the periods of care and every review count built on them would be wrong',
    *check(child) {
      for (const { episode, previous } of withPrevious(child)) {
        const ended = dateOf(previous, 'DEC');
        if (ended !== null && (dateOf(episode, 'DECOM') ?? '') < ended)
          yield { row: episode, detail: `${starting(episode)}, ${previousEnd(previous)}` };
      }
    },
    examples: [
      {
        note: 'an episode may start on the day the previous one ended',
        valid: {
          Episodes: [
            { DECOM: '10/05/2025', DEC: '', REC: '' },
            { DECOM: '01/05/2025', DEC: '10/05/2025', REC: 'X1' },
          ],
        },
        invalid: {
          Episodes: [
            { DECOM: '09/05/2025', DEC: '', REC: '' },
            { DECOM: '01/05/2025', DEC: '10/05/2025', REC: 'X1' },
          ],
        },
        flags: [['Episodes', 0]],
      },
    ],
  },
  {
    code: '502',
    meaning:
      "last year's return ended with an open episode, but this year's first episode does not start on the same day",
    tables: ['Episodes'],
    fields: ['DECOM'],
    severity: 'reject',
    reason: "last year's open episode would stay open beside this year's, putting the child in two episodes at once",
    previous: true,
    *check(child, { start: yearStart }) {
      const lastYear = child.previous('Episodes');
      const first = thisYearsEpisodes(child, yearStart)[0];
      if (lastYear === null || first === undefined) return;
      const start = dateOf(first, 'DECOM');
      // Last year's open episodes (no end date given) must all be this first one carried on; one
      // whose start is unknown cannot be matched and is left to last year's rule 141.
      const open = lastYear.filter((row) => !filled(row, 'DEC') && dateOf(row, 'DECOM') !== null);
      const other = open.find((row) => dateOf(row, 'DECOM') !== start);
      if (other)
        yield {
          row: first,
          detail: `${starting(first)}; last year's open episode started ${longDate(dateOf(other, 'DECOM') ?? '')}`,
        };
    },
    examples: [
      {
        valid: {
          Episodes: [
            { DECOM: '10/04/2025', DEC: '', REC: '' },
            { DECOM: '01/03/2025', DEC: '10/04/2025', REC: 'X1' },
          ],
          previous: {
            Episodes: [
              { DECOM: '01/01/2025', DEC: '01/03/2025', REC: 'X1' },
              { DECOM: '01/03/2025', DEC: '', REC: '' },
            ],
          },
        },
        invalid: {
          Episodes: [
            { DECOM: '10/04/2025', DEC: '', REC: '' },
            { DECOM: '02/03/2025', DEC: '10/04/2025', REC: 'X1' },
          ],
          previous: {
            Episodes: [
              { DECOM: '01/01/2025', DEC: '01/03/2025', REC: 'X1' },
              { DECOM: '01/03/2025', DEC: '', REC: '' },
            ],
          },
        },
        flags: [['Episodes', 1]],
      },
      {
        note: "an export of the whole history: an episode that ended before the year is not this year's first",
        valid: {
          Episodes: [
            { DECOM: '09/11/2022', DEC: '03/07/2023', REC: 'X1' },
            { DECOM: '03/07/2023', DEC: '', REC: '' },
          ],
          previous: {
            Episodes: [
              { DECOM: '09/11/2022', DEC: '03/07/2023', REC: 'X1' },
              { DECOM: '03/07/2023', DEC: '', REC: '' },
            ],
          },
        },
        invalid: {
          Episodes: [
            { DECOM: '09/11/2022', DEC: '03/07/2023', REC: 'X1' },
            { DECOM: '04/07/2023', DEC: '', REC: '' },
          ],
          previous: {
            Episodes: [
              { DECOM: '09/11/2022', DEC: '03/07/2023', REC: 'X1' },
              { DECOM: '03/07/2023', DEC: '', REC: '' },
            ],
          },
        },
        flags: [['Episodes', 1]],
      },
    ],
  },
  matchesLastYear({
    code: '503A',
    column: 'RNE',
    what: 'the reason for the new episode',
    examples: [example503('RNE', 'S', 'P')],
  }),
  matchesLastYear({ code: '503B', column: 'LS', what: 'the legal status', examples: [example503('LS', 'C1', 'C2')] }),
  matchesLastYear({
    code: '503C',
    column: 'CIN',
    what: 'the category of need',
    examples: [example503('CIN', 'N1', 'N2')],
  }),
  // The DfE allows the recoding of a retired placement type by year: H5 as K3 around 2024-25 (the
  // validator applies it from 2023-24), Z1 as Z11–Z14 in 2025-26 only.
  matchesLastYear({
    code: '503D',
    column: 'PLACE',
    what: 'the placement type',
    until: '2022-23',
    examples: [example503('PLACE', 'U1', 'U2')],
  }),
  matchesLastYear({
    code: '503D',
    column: 'PLACE',
    what: 'the placement type',
    from: '2023-24',
    until: '2024-25',
    allowed: { was: ['H5'], now: ['K3'], note: 'H5 last year becoming supported accommodation, K3, is allowed' },
    examples: [
      example503('PLACE', 'U1', 'U2'),
      {
        note: 'H5 recoded K3',
        valid: { Episodes: [{ ...first2025, PLACE: 'K3' }], previous: { Episodes: [{ ...open2024, PLACE: 'H5' }] } },
        invalid: { Episodes: [{ ...first2025, PLACE: 'K3' }], previous: { Episodes: [{ ...open2024, PLACE: 'H4' }] } },
        flags: [['Episodes', 0]],
      },
    ],
  }),
  matchesLastYear({
    code: '503D',
    column: 'PLACE',
    what: 'the placement type',
    from: '2025-26',
    until: '2025-26',
    allowed: {
      was: ['Z1'],
      now: ['Z11', 'Z12', 'Z13', 'Z14'],
      note: 'Z1 last year becoming one of Z11–Z14 is allowed',
    },
    examples: [
      example503('PLACE', 'U1', 'U2'),
      {
        note: 'Z1 recoded Z12',
        valid: { Episodes: [{ ...first2025, PLACE: 'Z12' }], previous: { Episodes: [{ ...open2024, PLACE: 'Z1' }] } },
        invalid: { Episodes: [{ ...first2025, PLACE: 'Z12' }], previous: { Episodes: [{ ...open2024, PLACE: 'H5' }] } },
        flags: [['Episodes', 0]],
      },
    ],
  }),
  matchesLastYear({
    code: '503D',
    column: 'PLACE',
    what: 'the placement type',
    from: '2026-27',
    examples: [example503('PLACE', 'Z1', 'Z12')],
  }),
  matchesLastYear({
    code: '503E',
    column: 'PLACE_PROVIDER',
    what: 'the placement provider',
    examples: [example503('PLACE_PROVIDER', 'PR1', 'PR2')],
  }),
  matchesLastYear({
    code: '503F',
    column: 'URN',
    what: "the provider's Ofsted URN",
    examples: [example503('URN', 'SC123456', 'SC654321')],
  }),
  {
    code: '504',
    meaning: 'the category of need changed from one episode to the next within the same period of care',
    tables: ['Episodes'],
    fields: ['CIN'],
    severity: 'warn',
    reason: 'no audit reads the category of need; the episodes are sound',
    *check(child) {
      for (const { episode, previous } of withPrevious(child)) {
        const continues = code(previous, 'REC') === 'X1' && dateOf(previous, 'DEC') === dateOf(episode, 'DECOM');
        if (continues && !same(previous, episode, 'CIN'))
          yield {
            row: episode,
            detail: `CIN is ${shown(episode, 'CIN')}, the episode before it has ${shown(previous, 'CIN')}`,
          };
      }
    },
    examples: [
      {
        note: 'a new period of care may have a new category of need',
        valid: {
          Episodes: [
            { DECOM: '01/05/2025', DEC: '10/05/2025', REC: 'X1', CIN: 'N1' },
            { DECOM: '10/05/2025', DEC: '20/05/2025', REC: 'E13', CIN: 'N1' },
            { DECOM: '01/06/2025', CIN: 'N4' },
          ],
        },
        invalid: {
          Episodes: [
            { DECOM: '01/05/2025', DEC: '10/05/2025', REC: 'X1', CIN: 'N1' },
            { DECOM: '10/05/2025', CIN: 'N2' },
          ],
        },
        flags: [['Episodes', 1]],
      },
    ],
  },
  rowRule({
    code: '516',
    table: 'Episodes',
    fields: ['REC', 'PLACE'],
    meaning:
      'a special guardianship order to former foster carers (E45 or E46) ended care, but the child was not in a foster placement (U1–U6)',
    severity: 'warn',
    reason: 'the reason for ending and the placement disagree, but the dates of the period of care are sound',
    breaks: (row) =>
      isOneOf(row, 'REC', ['E45', 'E46']) && !isOneOf(row, 'PLACE', FOSTER_PLACEMENTS)
        ? `REC is ${code(row, 'REC')} and PLACE is ${shown(row, 'PLACE')}`
        : false,
    examples: [
      {
        valid: {
          Episodes: [
            { REC: 'E45', PLACE: 'U1' },
            { REC: 'E46', PLACE: 'U6' },
            { REC: 'E47', PLACE: 'R1' },
          ],
        },
        invalid: {
          Episodes: [
            { REC: 'E45', PLACE: 'R1' },
            { REC: 'E46', PLACE: '' },
          ],
        },
        flags: [
          ['Episodes', 0],
          ['Episodes', 1],
        ],
      },
    ],
  }),
  {
    code: '562',
    meaning:
      "this year's first episode started before the year, but it is not the latest episode of last year's return: an episode is missing from last year",
    tables: ['Episodes'],
    fields: ['DECOM'],
    severity: 'warn',
    reason: "the episode is kept; the gap is in last year's return, which the store holds as it was",
    previous: true,
    *check(child, { start }) {
      const lastYear = child.previous('Episodes');
      if (lastYear === null) return;
      const first = thisYearsEpisodes(child, start).find((row) => (dateOf(row, 'DECOM') ?? '') < start);
      if (!first) return;
      const latest = latestOf(lastYear);
      const latestStart = latest ? dateOf(latest, 'DECOM') : null;
      if (latestStart === dateOf(first, 'DECOM')) return;
      yield {
        row: first,
        detail: `${starting(first)}; ${latestStart === null ? "last year's return has no episode" : `last year's latest episode started ${longDate(latestStart)}`}`,
      };
    },
    examples: [
      {
        note: "an episode starting on 1 April is this year's own",
        valid: {
          Episodes: [{ DECOM: '01/02/2025', DEC: '01/04/2025', REC: 'X1' }, { DECOM: '01/04/2025' }],
          previous: {
            Episodes: [
              { DECOM: '01/01/2025', DEC: '01/02/2025', REC: 'X1' },
              { DECOM: '01/02/2025', DEC: '', REC: '' },
            ],
          },
        },
        invalid: {
          Episodes: [{ DECOM: '01/03/2025', DEC: '01/04/2025', REC: 'X1' }, { DECOM: '01/04/2025' }],
          previous: {
            Episodes: [
              { DECOM: '01/01/2025', DEC: '01/02/2025', REC: 'X1' },
              { DECOM: '01/02/2025', DEC: '01/03/2025', REC: 'X1' },
            ],
          },
        },
        flags: [['Episodes', 0]],
      },
      {
        note: 'last year known, without episodes',
        valid: { Episodes: [{ DECOM: '01/04/2025' }], previous: {} },
        invalid: { Episodes: [{ DECOM: '31/03/2025' }], previous: {} },
        flags: [['Episodes', 0]],
      },
    ],
  },
  {
    code: '1012',
    meaning:
      'a young person with care leaver details (OC3) but no episode this year has other rows (reviews, missing episodes, health, adoption or previous permanence): none should be returned for them',
    tables: ['Episodes', 'OC3'],
    fields: ['CHILD'],
    severity: 'warn',
    reason: 'the rows are kept but belong to no period of care this year; no audit counts them for the year',
    // The DfE's message is about OC3 children; the community validator flags the rows of every
    // child without an episode, care leaver or not.
    *check(child) {
      if (child.rows('Episodes').length > 0 || child.rows('OC3').length === 0) return;
      for (const table of NOT_FOR_CARE_LEAVERS_WITHOUT_EPISODES) {
        for (const row of child.rows(table))
          yield { row, column: 'CHILD', detail: `a ${table} row for a care leaver with no episode this year` };
      }
    },
    examples: [
      {
        valid: {
          Header: [{}],
          OC3: [{ IN_TOUCH: 'YES' }],
          Reviews: [{ REVIEW: '01/06/2025' }],
          Episodes: [{ DECOM: '01/04/2025' }],
        },
        invalid: {
          Header: [{}],
          OC3: [{ IN_TOUCH: 'YES' }],
          Reviews: [{ REVIEW: '01/06/2025' }],
          OC2: [{}],
          Missing: [{ MISSING: 'M' }],
        },
        flags: [
          ['Reviews', 0],
          ['OC2', 0],
          ['Missing', 0],
        ],
      },
      {
        note: "a child without episodes and without care leaver details is not this rule's concern",
        valid: { Header: [{}], Reviews: [{ REVIEW: '01/06/2025' }], OC2: [{}] },
        invalid: { Header: [{}], OC3: [{ IN_TOUCH: 'NO' }], PrevPerm: [{ PREV_PERM: 'Z1' }] },
        flags: [['PrevPerm', 0]],
      },
    ],
  },
  {
    code: 'NoE',
    meaning: "the child started to be looked after before this year, but last year's return has no episode for them",
    tables: ['Episodes'],
    fields: ['DECOM'],
    severity: 'warn',
    reason: "the episode is kept; the gap is in last year's return, which the store holds as it was",
    previous: true,
    *check(child, { start }) {
      const lastYear = child.previous('Episodes');
      if (lastYear === null || lastYear.length > 0) return;
      for (const row of thisYearsEpisodes(child, start)) {
        const decom = dateOf(row, 'DECOM');
        if (decom !== null && decom < start)
          yield { row, detail: `${starting(row)}, before the year, and last year's return has no episode` };
      }
    },
    examples: [
      {
        note: 'an episode starting on 1 April needs nothing from last year',
        valid: { Episodes: [{ DECOM: '01/04/2025' }, { DECOM: 'unknown' }], previous: {} },
        invalid: { Episodes: [{ DECOM: '31/03/2025' }, { DECOM: '01/04/2025' }], previous: { Header: [{}] } },
        flags: [['Episodes', 0]],
      },
      {
        valid: { Episodes: [{ DECOM: '01/03/2025' }], previous: { Episodes: [{ DECOM: '01/03/2025' }] } },
        invalid: {
          Episodes: [
            { DECOM: '01/03/2025' },
            { DECOM: '01/01/2024', DEC: '01/04/2025', REC: 'X1' },
            { DECOM: '01/01/2023', DEC: '01/03/2023', REC: 'E13' },
          ],
          previous: {},
        },
        // The third ended before the year: history in an export, not this year's return.
        flags: [
          ['Episodes', 0],
          ['Episodes', 1],
        ],
      },
    ],
  },
];

/** Every code of this family is checked: none reads a field the product does not import. */
export const EPISODE_SEQUENCE_RULES_NOT_APPLIED: readonly RuleNotApplied[] = [];
