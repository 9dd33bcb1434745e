/**
 * The DfE's rules on reviews and participation, on the OC2 outcomes of children looked after for 12
 * months at 31 March (health, SDQ, convictions, substance misuse), and on the OC3 care leavers, with
 * the integrity checks that tie those tables to the Header.
 */
import { isCode, listCodes } from '../code-sets.ts';
import {
  addYears,
  cell,
  dateOf,
  dateOfBirth,
  daysBetween,
  episodesByStart,
  filled,
  longDate,
  type ChildReturn,
  type ReturnContext,
  type ReturnRow,
} from '../return.ts';
import { codeRule, dateRule, rowRule, type Flag, type RuleNotApplied, type Ssda903Rule } from '../rule.ts';

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

/** Short-break legal statuses (V3, V4): a period made only of them has no reg 33 reviews. */
const SHORT_BREAKS: ReadonlySet<string> = new Set(['V3', 'V4']);

/** The OC2 items of a child looked after for 12 months, besides the SDQ (as the DfE groups them). */
const OC2_ITEMS = [
  'CONVICTED',
  'HEALTH_CHECK',
  'IMMUNISATIONS',
  'TEETH_CHECK',
  'HEALTH_ASSESSMENT',
  'SUBSTANCE_MISUSE',
  'INTERVENTION_RECEIVED',
  'INTERVENTION_OFFERED',
] as const;
/** The four OC2 items every child looked after for 12 months must have. */
const OC2_CORE = ['IMMUNISATIONS', 'TEETH_CHECK', 'HEALTH_ASSESSMENT', 'SUBSTANCE_MISUSE'] as const;
/** The yes-or-no OC2 items, the ones the health audit reads first (so a flag points at them first). */
const OC2_FLAGS = [
  'HEALTH_ASSESSMENT',
  'IMMUNISATIONS',
  'TEETH_CHECK',
  'HEALTH_CHECK',
  'SUBSTANCE_MISUSE',
  'CONVICTED',
  'INTERVENTION_RECEIVED',
  'INTERVENTION_OFFERED',
] as const;
/** The three OC3 items of a care leaver. */
const OC3_ITEMS = ['IN_TOUCH', 'ACTIV', 'ACCOM'] as const;

const anyFilled = (row: ReturnRow, columns: readonly string[]): boolean =>
  columns.some((column) => filled(row, column));
const blanks = (row: ReturnRow, columns: readonly string[]): string[] =>
  columns.filter((column) => !filled(row, column));
const listed = (columns: readonly string[]): string =>
  columns.length <= 1 ? (columns[0] ?? '') : `${columns.slice(0, -1).join(', ')} and ${columns.at(-1)}`;

/** The date a child born on `dob` turns `years` (a 29 February birthday falls on 28 February, as the DfE counts it). */
const birthday = (dob: string, years: number): string => addYears(dob, years);

/**
 * Whether the child was looked after continuously for the 12 months to 31 March, judged from this
 * year's episodes the way the DfE's OC2 rules judge it: looked after at some time in the year (an
 * episode starting by 31 March that ends on or after 1 April or is still open), and no episode that
 * breaks the year: one that starts a period of care (S) after 1 April, one that ends on or after 1
 * April but before 31 March other than by moving to a new episode (X1), or a short break (V3/V4)
 * in the year. A child who came into care on 1 April itself, or left on 31 March, still counts.
 * Episodes whose dates are not dates count as open-ended where the end is unreadable.
 */
function lookedAfterAllYear(child: ChildReturn, { start, end }: ReturnContext): boolean {
  let inCare = false;
  for (const episode of child.rows('Episodes')) {
    const decom = dateOf(episode, 'DECOM');
    const dec = dateOf(episode, 'DEC');
    const duringYear = decom !== null && decom <= end && (dec === null || dec >= start);
    if (duringYear) inCare = true;
    if (cell(episode, 'RNE') === 'S' && decom !== null && decom > start && decom <= end) return false;
    if (cell(episode, 'REC') !== 'X1' && dec !== null && dec >= start && dec < end) return false;
    if (duringYear && SHORT_BREAKS.has(cell(episode, 'LS'))) return false;
  }
  return inCare;
}

/**
 * Whether SEX says a boy or a girl: 1 and 2 until 2023-24, M and F after. Either spelling is read in
 * any year (the code itself is rule 101's business), so the rule still works after the DfE's switch.
 */
const isBoy = (sex: string): boolean => sex === '1' || sex === 'M';
const isGirl = (sex: string): boolean => sex === '2' || sex === 'F';

/**
 * The child's episodes of this year and last, one per start date: of two copies of an episode the DfE
 * keeps the one that ended first, an open copy last (last year's copy is often still open).
 */
function episodesOfTwoYears(
  current: readonly ReturnRow[],
  previous: readonly ReturnRow[],
): { row: ReturnRow; decom: string; dec: string | null }[] {
  const byStart = new Map<string, { row: ReturnRow; decom: string; dec: string | null }>();
  for (const row of [...current, ...previous]) {
    const decom = dateOf(row, 'DECOM');
    if (decom === null) continue;
    const dec = dateOf(row, 'DEC');
    const known = byStart.get(decom);
    if (!known || (dec !== null && (known.dec === null || dec < known.dec))) byStart.set(decom, { row, decom, dec });
  }
  return [...byStart.values()].sort((a, b) => a.decom.localeCompare(b.decom));
}

/** The date of birth an OC2, OC3 or Reviews row carries, as a readable phrase for a detail. */
const born = (dob: string): string => `born ${longDate(dob)}`;

// ---------------------------------------------------------------------------------------------
// Example fragments (dates written for 2025-26)
// ---------------------------------------------------------------------------------------------

/** Looked after since January 2024 and still: continuously looked after for the 12 months to 31 March 2026. */
const ALL_YEAR = [{ DECOM: '01/01/2024', RNE: 'S', LS: 'C2', DEC: '', REC: '' }];
/** Came into care on 2 April 2025: not looked after for the whole year. */
const FROM_2_APRIL = [{ DECOM: '02/04/2025', RNE: 'S', LS: 'C2', DEC: '', REC: '' }];
/** The four OC2 items every child looked after for 12 months has. */
const CORE_ITEMS = { IMMUNISATIONS: '1', TEETH_CHECK: '1', HEALTH_ASSESSMENT: '1', SUBSTANCE_MISUSE: '0' };
/** A care leaver's OC3 row, in touch. */
const IN_TOUCH = { IN_TOUCH: 'YES', ACTIV: 'F2', ACCOM: 'D1' };

// ---------------------------------------------------------------------------------------------
// Reviews
// ---------------------------------------------------------------------------------------------

const REVIEW_RULES: readonly Ssda903Rule[] = [
  dateRule({
    code: '166',
    table: 'Reviews',
    column: 'REVIEW',
    what: 'the date of the review',
    blank: 'breaks',
    severity: 'reject',
    reason: 'a review with an unknown date cannot be placed in a period of care or judged for timeliness',
    examples: [
      {
        valid: { Reviews: [{ REVIEW: '01/01/2026' }, { REVIEW: '1/6/2025' }] },
        invalid: { Reviews: [{ REVIEW: '38/04/2025' }, { REVIEW: '01/01/25' }, { REVIEW: '' }] },
        flags: [
          ['Reviews', 0],
          ['Reviews', 1],
          ['Reviews', 2],
        ],
      },
    ],
  }),
  rowRule({
    code: '167',
    table: 'Reviews',
    fields: ['REVIEW_CODE', 'REVIEW'],
    meaning: (year) =>
      `the child's participation in a review with a date is blank or not one of the ${year} return's codes (${listCodes('REVIEW_CODE', year)}), or a participation code is given for a review with no date`,
    severity: 'warn',
    reason:
      'the review was held on a real date, which the timeliness audit needs: the row is kept, and a blank or unknown code is stored as not recorded, which the participation audit counts as such',
    breaks: (row, _child, { year }) => {
      const code = cell(row, 'REVIEW_CODE');
      if (filled(row, 'REVIEW'))
        return isCode('REVIEW_CODE', year, code)
          ? false
          : code === ''
            ? 'REVIEW_CODE is blank'
            : `REVIEW_CODE is "${code}"`;
      return code === '' ? false : `REVIEW_CODE is "${code}" but the review has no date`;
    },
    examples: [
      {
        valid: {
          Reviews: [
            { REVIEW: '01/02/2026', REVIEW_CODE: 'PN3' },
            { REVIEW: '', REVIEW_CODE: '' },
          ],
        },
        invalid: {
          Reviews: [
            { REVIEW: '01/02/2026', REVIEW_CODE: 'pn3' },
            { REVIEW: '01/02/2026', REVIEW_CODE: '' },
            { REVIEW: '', REVIEW_CODE: 'PN1' },
          ],
        },
        flags: [
          ['Reviews', 0],
          ['Reviews', 1],
          ['Reviews', 2],
        ],
      },
    ],
  }),
  rowRule({
    code: '440',
    table: 'Reviews',
    fields: ['REVIEW_CODE', 'REVIEW', 'DOB'],
    meaning:
      'the participation code is PN0 (child under 4 at the review), but the child was past their 4th birthday on the date of the review',
    severity: 'warn',
    reason:
      "the review was held, which the timeliness audit needs; the code is kept as given, so the audit's check that PN0 matches the child's age finds it and reports it, rather than the review vanishing from the count",
    // The date of birth is the Reviews row's own (the DfE reads that one), else the Header's.
    breaks: (row, child) => {
      if (cell(row, 'REVIEW_CODE') !== 'PN0') return false;
      const review = dateOf(row, 'REVIEW');
      const dob = dateOf(row, 'DOB') ?? dateOfBirth(child);
      if (review === null || dob === null) return false;
      // The DfE allows PN0 on the 4th birthday itself: only a review after it is wrong.
      return review > birthday(dob, 4)
        ? `PN0 at the review of ${longDate(review)}, but the child turned 4 on ${longDate(birthday(dob, 4))}`
        : false;
    },
    examples: [
      {
        note: 'PN0 on the 4th birthday is allowed; the day after is not',
        valid: {
          Reviews: [
            { DOB: '10/05/2021', REVIEW: '10/05/2025', REVIEW_CODE: 'PN0' },
            { DOB: '10/05/2021', REVIEW: '11/05/2025', REVIEW_CODE: 'PN1' },
          ],
        },
        invalid: {
          Reviews: [
            { DOB: '10/05/2021', REVIEW: '11/05/2025', REVIEW_CODE: 'PN0' },
            { DOB: '10/05/2021', REVIEW: '', REVIEW_CODE: 'PN0' },
          ],
        },
        flags: [['Reviews', 0]],
      },
      {
        note: "the Header's date of birth when the review row has none; the review row's when it has one",
        valid: {
          Header: [{ DOB: '10/05/2020' }],
          Reviews: [{ DOB: '10/05/2021', REVIEW: '11/05/2024', REVIEW_CODE: 'PN0' }],
        },
        invalid: {
          Header: [{ DOB: '10/05/2021' }],
          Reviews: [
            { DOB: '', REVIEW: '11/05/2025', REVIEW_CODE: 'PN0' },
            { DOB: '10/05/2020', REVIEW: '11/05/2024', REVIEW_CODE: 'PN0' },
          ],
        },
        flags: [
          ['Reviews', 0],
          ['Reviews', 1],
        ],
      },
    ],
  }),
  rowRule({
    code: '441',
    table: 'Reviews',
    fields: ['REVIEW_CODE', 'REVIEW', 'DOB'],
    meaning:
      'the participation code (PN1 to PN7) is for a child of 4 or over, but the child was under 4 on the date of the review',
    severity: 'warn',
    reason:
      "the review was held, which the timeliness audit needs; the code is kept as given, so the audit's check that PN0 matches the child's age finds it and reports it, rather than the review vanishing from the count",
    breaks: (row, child) => {
      const code = cell(row, 'REVIEW_CODE');
      if (!/^PN[1-7]$/.test(code)) return false;
      const review = dateOf(row, 'REVIEW');
      const dob = dateOf(row, 'DOB') ?? dateOfBirth(child);
      if (review === null || dob === null) return false;
      // On the 4th birthday the child is 4: any code of PN1 to PN7 is right from that day.
      return review < birthday(dob, 4)
        ? `${code} at the review of ${longDate(review)}, but the child turned 4 only on ${longDate(birthday(dob, 4))}`
        : false;
    },
    examples: [
      {
        note: 'PN1 on the 4th birthday is allowed; the day before is not',
        valid: {
          Reviews: [
            { DOB: '10/05/2021', REVIEW: '10/05/2025', REVIEW_CODE: 'PN1' },
            { DOB: '10/05/2021', REVIEW: '09/05/2025', REVIEW_CODE: 'PN0' },
          ],
        },
        invalid: {
          Reviews: [
            { DOB: '10/05/2021', REVIEW: '09/05/2025', REVIEW_CODE: 'PN1' },
            { DOB: '10/05/2021', REVIEW: '01/01/2025', REVIEW_CODE: 'PN7' },
          ],
        },
        flags: [
          ['Reviews', 0],
          ['Reviews', 1],
        ],
      },
      {
        note: "the Header's date of birth when the review row has none",
        valid: { Header: [{ DOB: '10/05/2021' }], Reviews: [{ DOB: '', REVIEW: '10/05/2025', REVIEW_CODE: 'PN4' }] },
        invalid: { Header: [{ DOB: '10/05/2021' }], Reviews: [{ DOB: '', REVIEW: '09/05/2025', REVIEW_CODE: 'PN4' }] },
        flags: [['Reviews', 0]],
      },
    ],
  }),
  {
    code: '399',
    meaning:
      'the child is only ever looked after on short breaks (legal status V3 or V4), yet has a review, a participation code or motherhood details recorded',
    tables: ['Episodes', 'Header', 'Reviews'],
    fields: ['REVIEW', 'REVIEW_CODE', 'MOTHER', 'LS'],
    severity: 'warn',
    reason:
      'reviews held during short breaks are left out of every reg 33 audit (a period made only of short breaks has no review units), so the row is kept and changes no judgement',
    *check(child) {
      const episodes = child.rows('Episodes');
      // Only a child all of whose episodes are short breaks: one other episode and reviews are due.
      if (episodes.length === 0 || !episodes.every((episode) => SHORT_BREAKS.has(cell(episode, 'LS')))) return;
      const headers = child.rows('Header');
      const reviews = child.rows('Reviews');
      const mothers = headers.filter((row) => filled(row, 'MOTHER'));
      const reviewed = reviews.filter((row) => anyFilled(row, ['REVIEW', 'REVIEW_CODE']));
      if (mothers.length === 0 && reviewed.length === 0) return;
      // As the DfE pairs the rows: motherhood details put every review row at fault, a filled review every Header row.
      for (const row of episodes)
        yield { row, column: 'LS', detail: `every episode is a short break (LS ${cell(row, 'LS')})` };
      for (const row of reviewed.length > 0 ? headers : mothers) {
        yield filled(row, 'MOTHER')
          ? { row, column: 'MOTHER', detail: `MOTHER is "${cell(row, 'MOTHER')}"` }
          : { row, column: 'CHILD', detail: 'the child has reviews recorded' };
      }
      for (const row of mothers.length > 0 ? reviews : reviewed) {
        yield {
          row,
          column: filled(row, 'REVIEW') ? 'REVIEW' : 'REVIEW_CODE',
          detail: filled(row, 'REVIEW')
            ? `a review on ${cell(row, 'REVIEW')}`
            : `REVIEW_CODE is "${cell(row, 'REVIEW_CODE')}"`,
        };
      }
    },
    examples: [
      {
        note: 'reviews of a child only on short breaks',
        valid: {
          Episodes: [{ LS: 'V3' }, { LS: 'C2' }],
          Header: [{ MOTHER: '' }],
          Reviews: [{ REVIEW: '01/06/2025', REVIEW_CODE: 'PN1' }],
        },
        invalid: {
          Episodes: [{ LS: 'V3' }, { LS: 'V4' }],
          Header: [{ MOTHER: '' }],
          Reviews: [
            { REVIEW: '01/06/2025', REVIEW_CODE: 'PN1' },
            { REVIEW: '', REVIEW_CODE: '' },
          ],
        },
        flags: [
          ['Episodes', 0],
          ['Episodes', 1],
          ['Header', 0],
          ['Reviews', 0],
        ],
      },
      {
        note: 'motherhood details of a child only on short breaks, with no reviews',
        valid: { Episodes: [{ LS: 'V4' }], Header: [{ MOTHER: '' }] },
        invalid: { Episodes: [{ LS: 'V4' }], Header: [{ MOTHER: '0' }] },
        flags: [
          ['Episodes', 0],
          ['Header', 0],
        ],
      },
    ],
  },
];

// ---------------------------------------------------------------------------------------------
// OC2: children looked after for 12 months at 31 March
// ---------------------------------------------------------------------------------------------

/** A rule on OC2 rows that needs to know whether the child was looked after all year. */
function oc2Rule(
  spec: Omit<Parameters<typeof rowRule>[0], 'table' | 'alsoReads' | 'breaks'> & {
    breaks: (row: ReturnRow, lookedAfterAllYear: boolean, context: ReturnContext) => boolean | string;
  },
): Ssda903Rule {
  const { breaks, ...rest } = spec;
  return rowRule({
    ...rest,
    table: 'OC2',
    alsoReads: ['Episodes'],
    breaks: (row, child, context) => breaks(row, lookedAfterAllYear(child, context), context),
  });
}

const OC2_RULES: readonly Ssda903Rule[] = [
  rowRule({
    code: '180',
    table: 'OC2',
    fields: ['SDQ_SCORE'],
    meaning: 'the SDQ score is not a whole number from 0 to 40',
    severity: 'warn',
    reason:
      "the row's other health items still hold: a score outside the questionnaire's 0–40 is stored as not known rather than counted",
    breaks: (row) => {
      const score = cell(row, 'SDQ_SCORE');
      if (score === '') return false;
      // A whole number written as a decimal (20.0) is read as the number, as the DfE does.
      const ok = /^\d+(\.0+)?$/.test(score) && Number(score) <= 40;
      return ok ? false : `SDQ_SCORE is "${score}"`;
    },
    examples: [
      {
        valid: { OC2: [{ SDQ_SCORE: '0' }, { SDQ_SCORE: '40' }, { SDQ_SCORE: '' }] },
        invalid: { OC2: [{ SDQ_SCORE: '41' }, { SDQ_SCORE: '39.5' }, { SDQ_SCORE: 'XX' }, { SDQ_SCORE: '-1' }] },
        flags: [
          ['OC2', 0],
          ['OC2', 1],
          ['OC2', 2],
          ['OC2', 3],
        ],
      },
    ],
  }),
  {
    code: '181',
    meaning:
      'a yes-or-no item of a child looked after for 12 months (health assessment, immunisations, teeth check, health check, substance misuse, conviction, intervention received or offered) holds something other than 0 or 1',
    tables: ['OC2'],
    fields: [...OC2_FLAGS],
    severity: 'warn',
    reason:
      "the row's other items still hold: an item that is neither 0 nor 1 nor a plain yes or no (Y, N) is stored as not known, so the health audit counts it as not recorded",
    *check(child) {
      for (const row of child.rows('OC2')) {
        const bad = OC2_FLAGS.filter(
          (column) => filled(row, column) && cell(row, column) !== '0' && cell(row, column) !== '1',
        );
        if (bad.length > 0)
          yield { row, column: bad[0], detail: bad.map((column) => `${column} is "${cell(row, column)}"`).join(', ') };
      }
    },
    examples: [
      {
        valid: { OC2: [{ ...CORE_ITEMS, CONVICTED: '0', HEALTH_CHECK: '1', INTERVENTION_RECEIVED: '' }, {}] },
        invalid: {
          OC2: [{ ...CORE_ITEMS, HEALTH_ASSESSMENT: 'Y' }, { CONVICTED: '2' }, { INTERVENTION_OFFERED: 'no' }],
        },
        flags: [
          ['OC2', 0],
          ['OC2', 1],
          ['OC2', 2],
        ],
      },
    ],
  },
  rowRule({
    code: '182',
    table: 'OC2',
    fields: [...OC2_CORE, 'CONVICTED', 'HEALTH_CHECK', 'INTERVENTION_RECEIVED', 'INTERVENTION_OFFERED'],
    meaning:
      'some of the items of a child looked after for 12 months are given, but immunisations, teeth check, health assessment or substance misuse is blank',
    severity: 'warn',
    reason: 'a blank item is reported as not recorded, which is what the health audit shows; the row is kept',
    breaks: (row) => {
      const missing = blanks(row, OC2_CORE);
      return missing.length > 0 &&
        anyFilled(row, ['CONVICTED', 'HEALTH_CHECK', 'INTERVENTION_RECEIVED', 'INTERVENTION_OFFERED'])
        ? `${listed(missing)} blank`
        : false;
    },
    examples: [
      {
        valid: { OC2: [{ ...CORE_ITEMS, CONVICTED: '0' }, {}, { IMMUNISATIONS: '1' }] },
        invalid: { OC2: [{ CONVICTED: '1' }, { ...CORE_ITEMS, SUBSTANCE_MISUSE: '', HEALTH_CHECK: '1' }] },
        flags: [
          ['OC2', 0],
          ['OC2', 1],
        ],
      },
    ],
  }),
  codeRule({
    code: '196',
    table: 'OC2',
    column: 'SDQ_REASON',
    what: 'the reason for no SDQ score',
    blank: 'allowed',
    severity: 'warn',
    reason: "the row's other health items still hold: a reason that is not one of the codes is stored as not known",
    examples: [
      {
        valid: { OC2: [{ SDQ_REASON: 'SDQ2' }, { SDQ_REASON: '' }] },
        invalid: { OC2: [{ SDQ_REASON: 'sdq2' }, { SDQ_REASON: 'SDQ6' }] },
        flags: [
          ['OC2', 0],
          ['OC2', 1],
        ],
      },
    ],
  }),
  rowRule({
    code: '197a',
    table: 'OC2',
    fields: ['SDQ_REASON', 'SDQ_SCORE'],
    meaning: 'both an SDQ score and a reason for no SDQ score are given',
    severity: 'warn',
    reason: 'the score is kept and read; the reason beside it is surplus and changes no count',
    breaks: (row) =>
      filled(row, 'SDQ_SCORE') && filled(row, 'SDQ_REASON')
        ? `SDQ_SCORE is "${cell(row, 'SDQ_SCORE')}" and SDQ_REASON is "${cell(row, 'SDQ_REASON')}"`
        : false,
    examples: [
      {
        valid: { OC2: [{ SDQ_SCORE: '10' }, { SDQ_REASON: 'SDQ2' }] },
        invalid: { OC2: [{ SDQ_SCORE: '10', SDQ_REASON: 'SDQ4' }] },
        flags: [['OC2', 0]],
      },
    ],
  }),
  rowRule({
    code: '188',
    table: 'OC2',
    fields: ['SDQ_SCORE', 'SDQ_REASON', 'DOB'],
    meaning: 'the child is under 4 at 31 March, yet an SDQ score or a reason for no score is given',
    severity: 'warn',
    reason: 'a plausibility check on age: the SDQ items are kept as given, and the audits take the age from the Header',
    breaks: (row, _child, { end }) => {
      const dob = dateOf(row, 'DOB');
      return dob !== null && birthday(dob, 4) > end && anyFilled(row, ['SDQ_SCORE', 'SDQ_REASON'])
        ? `${born(dob)}`
        : false;
    },
    examples: [
      {
        note: 'a 4th birthday on 31 March is old enough',
        valid: { OC2: [{ DOB: '31/03/2022', SDQ_SCORE: '5' }, { DOB: '01/04/2022' }] },
        invalid: {
          OC2: [
            { DOB: '01/04/2022', SDQ_SCORE: '5' },
            { DOB: '01/04/2022', SDQ_REASON: 'SDQ1' },
          ],
        },
        flags: [
          ['OC2', 0],
          ['OC2', 1],
        ],
      },
    ],
  }),
  rowRule({
    code: '189',
    table: 'OC2',
    fields: ['SDQ_SCORE', 'SDQ_REASON', 'DOB'],
    meaning:
      'the child was past their 17th birthday at the start of the year, yet an SDQ score or a reason for no score is given',
    severity: 'warn',
    reason: 'a plausibility check on age: the SDQ items are kept as given, and the audits take the age from the Header',
    breaks: (row, _child, { start }) => {
      const dob = dateOf(row, 'DOB');
      return dob !== null && birthday(dob, 17) < start && anyFilled(row, ['SDQ_SCORE', 'SDQ_REASON'])
        ? born(dob)
        : false;
    },
    examples: [
      {
        note: 'a 17th birthday on 1 April is not past it',
        valid: { OC2: [{ DOB: '01/04/2008', SDQ_SCORE: '5' }, { DOB: '31/03/2008' }] },
        invalid: {
          OC2: [
            { DOB: '31/03/2008', SDQ_SCORE: '5' },
            { DOB: '01/01/2007', SDQ_REASON: 'SDQ1' },
          ],
        },
        flags: [
          ['OC2', 0],
          ['OC2', 1],
        ],
      },
    ],
  }),
  oc2Rule({
    code: '185',
    fields: ['SDQ_SCORE'],
    meaning: 'the child was not looked after continuously for the 12 months to 31 March, yet an SDQ score is given',
    severity: 'warn',
    reason:
      "the health audit picks its cohort from the child's episodes, not from OC2: a surplus score changes no count and is kept",
    breaks: (row, allYear) =>
      !allYear && filled(row, 'SDQ_SCORE') ? `SDQ_SCORE is "${cell(row, 'SDQ_SCORE')}"` : false,
    examples: [
      {
        note: 'coming into care on 1 April counts as the whole year; on 2 April it does not',
        valid: {
          Episodes: [{ DECOM: '01/04/2025', RNE: 'S', LS: 'C2', DEC: '', REC: '' }],
          OC2: [{ SDQ_SCORE: '10' }],
        },
        invalid: { Episodes: FROM_2_APRIL, OC2: [{ SDQ_SCORE: '10' }, { SDQ_SCORE: '' }] },
        flags: [['OC2', 0]],
      },
      {
        note: 'leaving care on 31 March counts as the whole year; on 30 March it does not',
        valid: {
          Episodes: [{ DECOM: '01/01/2024', RNE: 'S', LS: 'C2', DEC: '31/03/2026', REC: 'E4a' }],
          OC2: [{ SDQ_SCORE: '10' }],
        },
        invalid: {
          Episodes: [{ DECOM: '01/01/2024', RNE: 'S', LS: 'C2', DEC: '30/03/2026', REC: 'E4a' }],
          OC2: [{ SDQ_SCORE: '10' }],
        },
        flags: [['OC2', 0]],
      },
    ],
  }),
  oc2Rule({
    code: '186',
    fields: ['SDQ_SCORE', 'SDQ_REASON', 'DOB'],
    meaning:
      'a child looked after continuously for the 12 months to 31 March, 4 or over at the start of the year and under 17 at its end, has neither an SDQ score nor a reason for no score',
    severity: 'warn',
    reason: 'a missing SDQ is shown by the health audit as not recorded, which is what it is; the row is kept',
    breaks: (row, allYear, { start, end }) => {
      const dob = dateOf(row, 'DOB');
      if (dob === null || !allYear || anyFilled(row, ['SDQ_SCORE', 'SDQ_REASON'])) return false;
      return birthday(dob, 4) <= start && birthday(dob, 17) > end ? born(dob) : false;
    },
    examples: [
      {
        note: 'a 4th birthday on 2 April and a 17th on 31 March are outside the ages',
        valid: {
          Episodes: ALL_YEAR,
          OC2: [{ DOB: '02/04/2021' }, { DOB: '31/03/2009' }, { DOB: '01/06/2015', SDQ_REASON: 'SDQ2' }],
        },
        invalid: { Episodes: ALL_YEAR, OC2: [{ DOB: '01/04/2021' }, { DOB: '01/04/2009' }] },
        flags: [
          ['OC2', 0],
          ['OC2', 1],
        ],
      },
    ],
  }),
  oc2Rule({
    code: '157',
    fields: ['SDQ_REASON', 'DOB'],
    meaning:
      'a child looked after continuously for the 12 months to 31 March, 4 or over at the start of the year and not past their 16th birthday at its end, has no SDQ score with the reason SDQ1 (under 4 or over 17)',
    severity: 'warn',
    reason: 'a plausibility check of the reason against age: the reason is kept as given',
    breaks: (row, allYear, { start, end }) => {
      const dob = dateOf(row, 'DOB');
      if (dob === null || !allYear || filled(row, 'SDQ_SCORE') || cell(row, 'SDQ_REASON') !== 'SDQ1') return false;
      return birthday(dob, 4) <= start && birthday(dob, 16) >= end ? `SDQ_REASON is "SDQ1", ${born(dob)}` : false;
    },
    examples: [
      {
        note: 'a 4th birthday on 1 April and a 16th on 31 March are inside the ages',
        valid: {
          Episodes: ALL_YEAR,
          OC2: [
            { DOB: '02/04/2021', SDQ_REASON: 'SDQ1' },
            { DOB: '30/03/2010', SDQ_REASON: 'SDQ1' },
          ],
        },
        invalid: {
          Episodes: ALL_YEAR,
          OC2: [
            { DOB: '01/04/2021', SDQ_REASON: 'SDQ1' },
            { DOB: '31/03/2010', SDQ_REASON: 'SDQ1' },
            { DOB: '01/06/2015', SDQ_REASON: 'SDQ2' },
          ],
        },
        flags: [
          ['OC2', 0],
          ['OC2', 1],
        ],
      },
    ],
  }),
  oc2Rule({
    code: '197B',
    fields: ['SDQ_REASON', 'SDQ_SCORE', 'DOB'],
    meaning:
      'a child looked after continuously for the 12 months to 31 March who turned 4 or 17 during the year has neither an SDQ score nor a reason for no score',
    severity: 'warn',
    reason: 'a missing SDQ is shown by the health audit as not recorded, which is what it is; the row is kept',
    breaks: (row, allYear, { start, end }) => {
      const dob = dateOf(row, 'DOB');
      if (dob === null || !allYear || anyFilled(row, ['SDQ_SCORE', 'SDQ_REASON'])) return false;
      const turned = [4, 17].find((years) => birthday(dob, years) >= start && birthday(dob, years) <= end);
      return turned === undefined ? false : `turned ${turned} on ${longDate(birthday(dob, turned))}`;
    },
    examples: [
      {
        note: 'birthdays on 1 April and 31 March are in the year; a day either side is not',
        valid: {
          Episodes: ALL_YEAR,
          OC2: [{ DOB: '31/03/2021' }, { DOB: '01/04/2022' }, { DOB: '01/04/2021', SDQ_REASON: 'SDQ1' }],
        },
        invalid: {
          Episodes: ALL_YEAR,
          OC2: [{ DOB: '01/04/2021' }, { DOB: '31/03/2022' }, { DOB: '01/04/2008' }, { DOB: '31/03/2009' }],
        },
        flags: [
          ['OC2', 0],
          ['OC2', 1],
          ['OC2', 2],
          ['OC2', 3],
        ],
      },
    ],
  }),
  oc2Rule({
    code: '198',
    fields: ['SDQ_REASON'],
    meaning:
      'the child was not looked after continuously for the 12 months to 31 March, yet a reason for no SDQ score is given',
    severity: 'warn',
    reason:
      "the health audit picks its cohort from the child's episodes, not from OC2: a surplus reason changes no count and is kept",
    breaks: (row, allYear) =>
      !allYear && filled(row, 'SDQ_REASON') ? `SDQ_REASON is "${cell(row, 'SDQ_REASON')}"` : false,
    examples: [
      {
        valid: { Episodes: ALL_YEAR, OC2: [{ SDQ_REASON: 'SDQ2' }] },
        invalid: { Episodes: FROM_2_APRIL, OC2: [{ SDQ_REASON: 'SDQ2' }, { SDQ_REASON: '' }] },
        flags: [['OC2', 0]],
      },
    ],
  }),
  oc2Rule({
    code: '190',
    fields: [...OC2_ITEMS],
    meaning:
      'the child was not looked after continuously for the 12 months to 31 March, yet items for children looked after for 12 months are given',
    severity: 'warn',
    reason:
      "the health audit picks its cohort from the child's episodes, not from OC2: surplus items change no count and are kept",
    breaks: (row, allYear) => {
      const given = OC2_ITEMS.filter((column) => filled(row, column));
      return !allYear && given.length > 0 ? `${listed(given)} given` : false;
    },
    examples: [
      {
        note: 'a short break in the year breaks it',
        valid: { Episodes: ALL_YEAR, OC2: [{ ...CORE_ITEMS }] },
        invalid: {
          Episodes: [{ DECOM: '01/01/2024', RNE: 'S', LS: 'V3', DEC: '', REC: '' }],
          OC2: [{ ...CORE_ITEMS }, { SDQ_SCORE: '10' }],
        },
        flags: [['OC2', 0]],
      },
      {
        note: 'a child with no episodes is not looked after',
        valid: {
          Episodes: [
            { DECOM: '01/01/2024', RNE: 'S', LS: 'C2', DEC: '01/06/2024', REC: 'X1' },
            { DECOM: '01/06/2024', RNE: 'P', LS: 'C2', DEC: '', REC: '' },
          ],
          OC2: [{ CONVICTED: '0' }],
        },
        invalid: { OC2: [{ CONVICTED: '0' }] },
        flags: [['OC2', 0]],
      },
    ],
  }),
  {
    code: '191',
    meaning:
      'a child looked after continuously for the 12 months to 31 March has immunisations, teeth check, health assessment or substance misuse left blank, or no OC2 record at all',
    tables: ['OC2', 'Episodes'],
    fields: [...OC2_CORE, 'CHILD'],
    severity: 'warn',
    reason: 'a missing item is shown by the health audit as not recorded, which is what it is; the rows are kept',
    *check(child, context) {
      if (!lookedAfterAllYear(child, context)) return;
      const oc2 = child.rows('OC2');
      for (const row of oc2) {
        const missing = blanks(row, OC2_CORE);
        if (missing.length > 0) yield { row, column: missing[0], detail: `${listed(missing)} blank` };
      }
      // No OC2 row at all: the DfE points at the child's first episode.
      const first = episodesByStart(child)[0];
      if (oc2.length === 0 && first) yield { row: first, column: 'CHILD', detail: 'the child has no OC2 record' };
    },
    examples: [
      {
        valid: { Episodes: ALL_YEAR, OC2: [{ ...CORE_ITEMS }] },
        invalid: { Episodes: ALL_YEAR, OC2: [{ ...CORE_ITEMS, TEETH_CHECK: '' }] },
        flags: [['OC2', 0]],
      },
      {
        note: 'no OC2 record: the earliest episode is flagged',
        valid: {
          Episodes: [
            { DECOM: '01/06/2024', RNE: 'P', LS: 'C2', DEC: '', REC: '' },
            { DECOM: '01/01/2024', RNE: 'S', LS: 'C2', DEC: '01/06/2024', REC: 'X1' },
          ],
          OC2: [{ ...CORE_ITEMS }],
        },
        invalid: {
          Episodes: [
            { DECOM: '01/06/2024', RNE: 'P', LS: 'C2', DEC: '', REC: '' },
            { DECOM: '01/01/2024', RNE: 'S', LS: 'C2', DEC: '01/06/2024', REC: 'X1' },
          ],
        },
        flags: [['Episodes', 1]],
      },
    ],
  },
  rowRule({
    code: '158',
    table: 'OC2',
    fields: ['INTERVENTION_OFFERED', 'INTERVENTION_RECEIVED'],
    meaning:
      'the child received an intervention for substance misuse, yet whether one was offered is also given (it should be blank)',
    severity: 'warn',
    reason: 'no audit reads the substance misuse interventions; the row is kept',
    breaks: (row) =>
      cell(row, 'INTERVENTION_RECEIVED') === '1' && filled(row, 'INTERVENTION_OFFERED')
        ? `INTERVENTION_OFFERED is "${cell(row, 'INTERVENTION_OFFERED')}"`
        : false,
    examples: [
      {
        valid: {
          OC2: [
            { SUBSTANCE_MISUSE: '1', INTERVENTION_RECEIVED: '1', INTERVENTION_OFFERED: '' },
            { SUBSTANCE_MISUSE: '1', INTERVENTION_RECEIVED: '0', INTERVENTION_OFFERED: '1' },
          ],
        },
        invalid: {
          OC2: [
            { SUBSTANCE_MISUSE: '1', INTERVENTION_RECEIVED: '1', INTERVENTION_OFFERED: '1' },
            { SUBSTANCE_MISUSE: '1', INTERVENTION_RECEIVED: '1', INTERVENTION_OFFERED: '0' },
          ],
        },
        flags: [
          ['OC2', 0],
          ['OC2', 1],
        ],
      },
    ],
  }),
  rowRule({
    code: '159',
    table: 'OC2',
    fields: ['INTERVENTION_OFFERED', 'INTERVENTION_RECEIVED', 'SUBSTANCE_MISUSE'],
    meaning:
      'the child has a substance misuse problem and received no intervention, but whether one was offered is blank',
    severity: 'warn',
    reason: 'no audit reads the substance misuse interventions; the row is kept',
    breaks: (row) =>
      cell(row, 'SUBSTANCE_MISUSE') === '1' &&
      cell(row, 'INTERVENTION_RECEIVED') === '0' &&
      !filled(row, 'INTERVENTION_OFFERED'),
    examples: [
      {
        valid: { OC2: [{ SUBSTANCE_MISUSE: '1', INTERVENTION_RECEIVED: '0', INTERVENTION_OFFERED: '0' }] },
        invalid: { OC2: [{ SUBSTANCE_MISUSE: '1', INTERVENTION_RECEIVED: '0', INTERVENTION_OFFERED: '' }] },
        flags: [['OC2', 0]],
      },
    ],
  }),
  rowRule({
    code: '192',
    table: 'OC2',
    fields: ['INTERVENTION_RECEIVED', 'SUBSTANCE_MISUSE'],
    meaning: 'the child has a substance misuse problem, but whether an intervention was received is blank',
    severity: 'warn',
    reason: 'no audit reads the substance misuse interventions; the row is kept',
    breaks: (row) => cell(row, 'SUBSTANCE_MISUSE') === '1' && !filled(row, 'INTERVENTION_RECEIVED'),
    examples: [
      {
        valid: { OC2: [{ SUBSTANCE_MISUSE: '1', INTERVENTION_RECEIVED: '1' }, { SUBSTANCE_MISUSE: '0' }] },
        invalid: { OC2: [{ SUBSTANCE_MISUSE: '1', INTERVENTION_RECEIVED: '' }] },
        flags: [['OC2', 0]],
      },
    ],
  }),
  rowRule({
    code: '193',
    table: 'OC2',
    fields: ['INTERVENTION_RECEIVED', 'INTERVENTION_OFFERED', 'SUBSTANCE_MISUSE'],
    meaning:
      'the child has no substance misuse problem recorded, yet whether an intervention was received or offered is given',
    severity: 'warn',
    reason: 'no audit reads the substance misuse interventions; the row is kept',
    breaks: (row) => {
      const misuse = cell(row, 'SUBSTANCE_MISUSE');
      const given = ['INTERVENTION_RECEIVED', 'INTERVENTION_OFFERED'].filter((column) => filled(row, column));
      return (misuse === '' || misuse === '0') && given.length > 0 ? `${listed(given)} given` : false;
    },
    examples: [
      {
        valid: { OC2: [{ SUBSTANCE_MISUSE: '0' }, { SUBSTANCE_MISUSE: '1', INTERVENTION_RECEIVED: '1' }] },
        invalid: {
          OC2: [
            { SUBSTANCE_MISUSE: '0', INTERVENTION_RECEIVED: '1' },
            { SUBSTANCE_MISUSE: '', INTERVENTION_OFFERED: '0' },
          ],
        },
        flags: [
          ['OC2', 0],
          ['OC2', 1],
        ],
      },
    ],
  }),
  rowRule({
    code: '542',
    table: 'OC2',
    fields: ['CONVICTED', 'DOB'],
    meaning: 'the child is under 10 at 31 March, yet whether they were convicted is given',
    severity: 'warn',
    reason: 'no audit reads convictions; a plausibility check on age, and the row is kept',
    breaks: (row, _child, { end }) => {
      const dob = dateOf(row, 'DOB');
      return dob !== null && birthday(dob, 10) > end && filled(row, 'CONVICTED')
        ? `CONVICTED is "${cell(row, 'CONVICTED')}", ${born(dob)}`
        : false;
    },
    examples: [
      {
        note: 'a 10th birthday on 31 March is old enough',
        valid: {
          OC2: [
            { DOB: '31/03/2016', CONVICTED: '0' },
            { DOB: '01/04/2016', CONVICTED: '' },
          ],
        },
        invalid: { OC2: [{ DOB: '01/04/2016', CONVICTED: '0' }] },
        flags: [['OC2', 0]],
      },
    ],
  }),
  oc2Rule({
    code: '543',
    fields: ['CONVICTED', 'DOB'],
    meaning:
      'a child looked after continuously for the 12 months to 31 March and past their 10th birthday by then has whether they were convicted blank',
    severity: 'warn',
    reason: 'no audit reads convictions; the row is kept',
    breaks: (row, allYear, { end }) => {
      const dob = dateOf(row, 'DOB');
      // Strictly after: a child turning 10 on 31 March itself is not yet asked.
      return dob !== null && allYear && end > birthday(dob, 10) && !filled(row, 'CONVICTED')
        ? `CONVICTED is blank, ${born(dob)}`
        : false;
    },
    examples: [
      {
        note: 'a 10th birthday on 31 March is not yet past',
        valid: {
          Episodes: ALL_YEAR,
          OC2: [
            { DOB: '31/03/2016', CONVICTED: '' },
            { DOB: '30/03/2016', CONVICTED: '0' },
          ],
        },
        invalid: { Episodes: ALL_YEAR, OC2: [{ DOB: '30/03/2016', CONVICTED: '' }] },
        flags: [['OC2', 0]],
      },
    ],
  }),
  rowRule({
    code: '544',
    table: 'OC2',
    fields: ['CONVICTED', ...OC2_CORE],
    meaning: 'the child was convicted, but immunisations, teeth check, health assessment or substance misuse is blank',
    severity: 'warn',
    reason: 'a blank item is reported as not recorded, which is what the health audit shows; the row is kept',
    breaks: (row) => {
      const missing = blanks(row, OC2_CORE);
      return cell(row, 'CONVICTED') === '1' && missing.length > 0 ? `${listed(missing)} blank` : false;
    },
    examples: [
      {
        valid: { OC2: [{ ...CORE_ITEMS, CONVICTED: '1' }, { CONVICTED: '0' }] },
        invalid: { OC2: [{ ...CORE_ITEMS, SUBSTANCE_MISUSE: '', CONVICTED: '1' }] },
        flags: [['OC2', 0]],
      },
    ],
  }),
  oc2Rule({
    code: '545',
    fields: ['HEALTH_CHECK', 'DOB'],
    meaning:
      'a child looked after continuously for the 12 months to 31 March and under 5 then has whether their development checks are up to date blank',
    severity: 'warn',
    reason: 'a missing health check is shown by the health audit as not recorded, which is what it is; the row is kept',
    breaks: (row, allYear, { end }) => {
      const dob = dateOf(row, 'DOB');
      return dob !== null && allYear && end < birthday(dob, 5) && !filled(row, 'HEALTH_CHECK')
        ? `HEALTH_CHECK is blank, ${born(dob)}`
        : false;
    },
    examples: [
      {
        note: 'a 5th birthday on 31 March is old enough not to be asked',
        valid: {
          Episodes: ALL_YEAR,
          OC2: [
            { DOB: '31/03/2021', HEALTH_CHECK: '' },
            { DOB: '01/04/2021', HEALTH_CHECK: '1' },
          ],
        },
        invalid: { Episodes: ALL_YEAR, OC2: [{ DOB: '01/04/2021', HEALTH_CHECK: '' }] },
        flags: [['OC2', 0]],
      },
    ],
  }),
  oc2Rule({
    code: '546',
    fields: ['HEALTH_CHECK', 'DOB'],
    meaning:
      'a child looked after continuously for the 12 months to 31 March and 5 or over then has whether their development checks are up to date given (it is for under-5s)',
    severity: 'warn',
    reason:
      'a plausibility check on age: the health check is kept as given, and the audits take the age from the Header',
    breaks: (row, allYear, { end }) => {
      const dob = dateOf(row, 'DOB');
      return dob !== null && allYear && end >= birthday(dob, 5) && filled(row, 'HEALTH_CHECK')
        ? `HEALTH_CHECK is "${cell(row, 'HEALTH_CHECK')}", ${born(dob)}`
        : false;
    },
    examples: [
      {
        note: 'a 5th birthday on 31 March is 5',
        valid: {
          Episodes: ALL_YEAR,
          OC2: [
            { DOB: '01/04/2021', HEALTH_CHECK: '1' },
            { DOB: '31/03/2021', HEALTH_CHECK: '' },
          ],
        },
        invalid: { Episodes: ALL_YEAR, OC2: [{ DOB: '31/03/2021', HEALTH_CHECK: '1' }] },
        flags: [['OC2', 0]],
      },
    ],
  }),
  rowRule({
    code: '547',
    table: 'OC2',
    fields: ['HEALTH_CHECK', ...OC2_CORE],
    meaning:
      "the child's development checks are up to date, but immunisations, teeth check, health assessment or substance misuse is blank",
    severity: 'warn',
    reason: 'a blank item is reported as not recorded, which is what the health audit shows; the row is kept',
    breaks: (row) => {
      const missing = blanks(row, OC2_CORE);
      return cell(row, 'HEALTH_CHECK') === '1' && missing.length > 0 ? `${listed(missing)} blank` : false;
    },
    examples: [
      {
        valid: { OC2: [{ ...CORE_ITEMS, HEALTH_CHECK: '1' }, { HEALTH_CHECK: '0' }] },
        invalid: { OC2: [{ HEALTH_CHECK: '1', IMMUNISATIONS: '1' }] },
        flags: [['OC2', 0]],
      },
    ],
  }),
];

// ---------------------------------------------------------------------------------------------
// OC3: care leavers
// ---------------------------------------------------------------------------------------------

/** An OC3 rule that flags every OC3 row of a child when the child-level test holds. */
function careLeaverRule(
  spec: Omit<Ssda903Rule, 'check'> & {
    /** True (or a detail) when the child's care leaver rows break the rule. */
    breaks: (child: ChildReturn, context: ReturnContext) => boolean | string;
    /** Only rows with contact, activity or accommodation given are flagged (default: every OC3 row). */
    onlyFilled?: boolean;
  },
): Ssda903Rule {
  const { breaks, onlyFilled = false, ...rest } = spec;
  return {
    ...rest,
    *check(child, context) {
      const rows = child.rows('OC3').filter((row) => !onlyFilled || anyFilled(row, OC3_ITEMS));
      if (rows.length === 0) return;
      const outcome = breaks(child, context);
      if (outcome === false) return;
      for (const row of rows) yield typeof outcome === 'string' ? { row, detail: outcome } : { row };
    },
  };
}

const OC3_RULES: readonly Ssda903Rule[] = [
  codeRule({
    code: '131',
    table: 'OC3',
    column: 'IN_TOUCH',
    what: 'whether the authority is in touch with the care leaver',
    blank: 'breaks',
    severity: 'warn',
    reason: 'no audit reads the care leaver items; the row is kept with the code as given',
    examples: [
      {
        valid: { OC3: [{ IN_TOUCH: 'YES' }, { IN_TOUCH: 'RHOM' }] },
        invalid: { OC3: [{ IN_TOUCH: 'yes' }, { IN_TOUCH: '' }, { IN_TOUCH: 'REFUSE' }] },
        flags: [
          ['OC3', 0],
          ['OC3', 1],
          ['OC3', 2],
        ],
      },
    ],
  }),
  codeRule({
    code: '132',
    table: 'OC3',
    column: 'ACTIV',
    what: "the care leaver's main activity",
    blank: 'breaks',
    severity: 'warn',
    reason: 'no audit reads the care leaver items; the row is kept with the code as given',
    examples: [
      {
        valid: { OC3: [{ ACTIV: 'F1' }, { ACTIV: '0' }] },
        invalid: { OC3: [{ ACTIV: 'f1' }, { ACTIV: '1' }, { ACTIV: '' }] },
        flags: [
          ['OC3', 0],
          ['OC3', 1],
          ['OC3', 2],
        ],
      },
    ],
  }),
  rowRule({
    code: '133',
    table: 'OC3',
    fields: ['ACCOM'],
    meaning:
      "the care leaver's accommodation is blank or not a code of the return (a letter for the kind of accommodation with 1, suitable, or 2, not suitable, such as B1 or Z2; or 0)",
    severity: 'warn',
    reason: 'no audit reads the care leaver items; the row is kept with the code as given',
    breaks: (row, _child, { year }) => {
      const accom = cell(row, 'ACCOM');
      if (accom === '') return 'ACCOM is blank';
      return isCode('ACCOM', year, accom) ? false : `ACCOM is "${accom}"`;
    },
    examples: [
      {
        valid: { OC3: [{ ACCOM: 'B1' }, { ACCOM: 'Z2' }, { ACCOM: 'S2' }, { ACCOM: '0' }] },
        invalid: { OC3: [{ ACCOM: 's2' }, { ACCOM: 'S1' }, { ACCOM: 'X' }, { ACCOM: '' }] },
        flags: [
          ['OC3', 0],
          ['OC3', 1],
          ['OC3', 2],
          ['OC3', 3],
        ],
      },
    ],
  }),
  rowRule({
    code: '153',
    table: 'OC3',
    fields: [...OC3_ITEMS],
    meaning: "the care leaver's contact, activity and accommodation are neither all given nor all blank",
    severity: 'warn',
    reason: 'no audit reads the care leaver items; the row is kept',
    breaks: (row) => {
      const missing = blanks(row, OC3_ITEMS);
      return missing.length > 0 && missing.length < OC3_ITEMS.length ? `${listed(missing)} blank` : false;
    },
    examples: [
      {
        valid: { OC3: [{ ...IN_TOUCH }, { IN_TOUCH: '', ACTIV: '', ACCOM: '' }] },
        invalid: {
          OC3: [
            { IN_TOUCH: 'YES', ACTIV: '', ACCOM: '' },
            { IN_TOUCH: '', ACTIV: 'F1', ACCOM: 'B1' },
          ],
        },
        flags: [
          ['OC3', 0],
          ['OC3', 1],
        ],
      },
    ],
  }),
  rowRule({
    code: '344',
    table: 'OC3',
    fields: ['ACTIV', 'ACCOM', 'IN_TOUCH'],
    meaning:
      'the young person has died (DIED) or returned home for 6 months or more (RHOM), yet activity or accommodation is not 0',
    severity: 'warn',
    reason: 'no audit reads the care leaver items; the row is kept',
    breaks: (row) => {
      const inTouch = cell(row, 'IN_TOUCH');
      if (inTouch !== 'DIED' && inTouch !== 'RHOM') return false;
      const wrong = ['ACTIV', 'ACCOM'].filter((column) => cell(row, column) !== '0');
      return wrong.length > 0
        ? `IN_TOUCH is ${inTouch}, ${wrong.map((column) => `${column} is "${cell(row, column)}"`).join(', ')}`
        : false;
    },
    examples: [
      {
        valid: {
          OC3: [
            { IN_TOUCH: 'DIED', ACTIV: '0', ACCOM: '0' },
            { IN_TOUCH: 'YES', ACTIV: 'F1', ACCOM: 'B1' },
          ],
        },
        invalid: {
          OC3: [
            { IN_TOUCH: 'RHOM', ACTIV: 'F1', ACCOM: '0' },
            { IN_TOUCH: 'DIED', ACTIV: '0', ACCOM: '' },
          ],
        },
        flags: [
          ['OC3', 0],
          ['OC3', 1],
        ],
      },
    ],
  }),
  rowRule({
    code: '345',
    table: 'OC3',
    fields: ['ACTIV', 'ACCOM', 'IN_TOUCH'],
    meaning: 'the authority is in touch with the young person (YES), yet activity or accommodation is 0',
    severity: 'warn',
    reason: 'no audit reads the care leaver items; the row is kept',
    breaks: (row) => {
      if (cell(row, 'IN_TOUCH') !== 'YES') return false;
      const zero = ['ACTIV', 'ACCOM'].filter((column) => cell(row, column) === '0');
      return zero.length > 0 ? `${listed(zero)} 0` : false;
    },
    examples: [
      {
        valid: {
          OC3: [
            { IN_TOUCH: 'YES', ACTIV: 'F1', ACCOM: 'B1' },
            { IN_TOUCH: 'DIED', ACTIV: '0', ACCOM: '0' },
          ],
        },
        invalid: {
          OC3: [
            { IN_TOUCH: 'YES', ACTIV: '0', ACCOM: 'B1' },
            { IN_TOUCH: 'YES', ACTIV: 'F1', ACCOM: '0' },
          ],
        },
        flags: [
          ['OC3', 0],
          ['OC3', 1],
        ],
      },
    ],
  }),
  rowRule({
    code: '347',
    from: '2023-24',
    table: 'OC3',
    fields: ['ACCOM', 'DOB'],
    meaning: 'a care leaver under 18 at the start of the year is accommodated in a foyer (T)',
    severity: 'warn',
    reason: 'no audit reads the care leaver items; a plausibility check on age, and the row is kept',
    breaks: (row, _child, { start }) => {
      const dob = dateOf(row, 'DOB');
      // The DfE names the kind of accommodation (T): either suitability (T1, T2) is a foyer.
      return dob !== null && cell(row, 'ACCOM').startsWith('T') && birthday(dob, 18) > start
        ? `ACCOM is "${cell(row, 'ACCOM')}", ${born(dob)}`
        : false;
    },
    examples: [
      {
        note: 'an 18th birthday on 1 April is old enough',
        valid: {
          OC3: [
            { ...IN_TOUCH, DOB: '01/04/2007', ACCOM: 'T1' },
            { ...IN_TOUCH, DOB: '02/04/2007', ACCOM: 'D1' },
          ],
        },
        invalid: {
          OC3: [
            { ...IN_TOUCH, DOB: '02/04/2007', ACCOM: 'T2' },
            { ...IN_TOUCH, DOB: '01/01/2008', ACCOM: 'T' },
          ],
        },
        flags: [
          ['OC3', 0],
          ['OC3', 1],
        ],
      },
    ],
  }),
  rowRule({
    code: '391',
    table: 'OC3',
    fields: [...OC3_ITEMS, 'DOB'],
    meaning: 'the young person has care leaver details but is not yet 17 at 31 March',
    severity: 'warn',
    reason: 'no audit reads the care leaver items; a plausibility check on age, and the row is kept',
    breaks: (row, _child, { end }) => {
      const dob = dateOf(row, 'DOB');
      return dob !== null && birthday(dob, 17) > end && anyFilled(row, OC3_ITEMS) ? born(dob) : false;
    },
    examples: [
      {
        note: 'a 17th birthday on 31 March is old enough',
        valid: {
          OC3: [
            { ...IN_TOUCH, DOB: '31/03/2009' },
            { DOB: '01/04/2009', IN_TOUCH: '', ACTIV: '', ACCOM: '' },
          ],
        },
        invalid: { OC3: [{ ...IN_TOUCH, DOB: '01/04/2009' }] },
        flags: [['OC3', 0]],
      },
    ],
  }),
  {
    code: '348',
    from: '2025-26',
    meaning: 'the care leaver was reported last year as having died (DIED), but not this year',
    tables: ['OC3'],
    fields: ['IN_TOUCH'],
    previous: true,
    severity: 'warn',
    reason: 'no audit reads the care leaver items; the row is kept',
    *check(child) {
      const last = child.previous('OC3');
      if (last === null || !last.some((row) => cell(row, 'IN_TOUCH') === 'DIED')) return;
      for (const row of child.rows('OC3')) {
        if (cell(row, 'IN_TOUCH') !== 'DIED') yield { row, detail: `IN_TOUCH is "${cell(row, 'IN_TOUCH')}"` };
      }
    },
    examples: [
      {
        valid: {
          OC3: [{ IN_TOUCH: 'DIED', ACTIV: '0', ACCOM: '0' }],
          previous: { OC3: [{ IN_TOUCH: 'DIED', ACTIV: '0', ACCOM: '0' }] },
        },
        invalid: { OC3: [{ ...IN_TOUCH }], previous: { OC3: [{ IN_TOUCH: 'DIED', ACTIV: '0', ACCOM: '0' }] } },
        flags: [['OC3', 0]],
      },
    ],
  },
  {
    code: '3001',
    meaning:
      'a young person turning 17 during the year has care leaver details with the accommodation "with former foster carers" (Z1, Z2)',
    tables: ['Header', 'OC3'],
    fields: ['ACCOM'],
    severity: 'warn',
    reason: 'no audit reads the care leaver items; the row is kept',
    *check(child, { start, end }) {
      const dob = dateOfBirth(child);
      if (dob === null || birthday(dob, 17) < start || birthday(dob, 17) > end) return;
      for (const row of child.rows('OC3')) {
        const accom = cell(row, 'ACCOM').toUpperCase();
        if (accom === 'Z1' || accom === 'Z2')
          yield {
            row,
            column: 'ACCOM',
            detail: `ACCOM is "${cell(row, 'ACCOM')}", turned 17 on ${longDate(birthday(dob, 17))}`,
          };
      }
    },
    examples: [
      {
        note: 'a 17th birthday on 1 April is in the year; on 31 March of the year before it is not',
        valid: { Header: [{ DOB: '31/03/2008' }], OC3: [{ ...IN_TOUCH, ACCOM: 'Z1' }] },
        invalid: {
          Header: [{ DOB: '01/04/2008' }],
          OC3: [
            { ...IN_TOUCH, ACCOM: 'Z1' },
            { ...IN_TOUCH, ACCOM: 'z2' },
            { ...IN_TOUCH, ACCOM: 'B1' },
          ],
        },
        flags: [
          ['OC3', 0],
          ['OC3', 1],
        ],
      },
    ],
  },
  {
    code: '215',
    meaning: 'the child has care leaver details and also items for children looked after for 12 months',
    tables: ['OC2', 'OC3'],
    fields: [...OC3_ITEMS, ...OC2_ITEMS],
    severity: 'warn',
    reason:
      "the health audit picks its cohort from the child's episodes, and no audit reads the care leaver items: both rows are kept",
    *check(child) {
      const leaving = child.rows('OC3').filter((row) => anyFilled(row, OC3_ITEMS));
      const health = child.rows('OC2').filter((row) => anyFilled(row, OC2_ITEMS));
      if (leaving.length === 0 || health.length === 0) return;
      for (const row of leaving)
        yield { row, column: OC3_ITEMS.find((column) => filled(row, column)), detail: 'the child also has OC2 items' };
      for (const row of health)
        yield {
          row,
          column: OC2_ITEMS.find((column) => filled(row, column)),
          detail: 'the child also has care leaver details',
        };
    },
    examples: [
      {
        valid: { OC3: [{ ...IN_TOUCH }], OC2: [{ SDQ_SCORE: '10' }] },
        invalid: { OC3: [{ ...IN_TOUCH }], OC2: [{ CONVICTED: '0' }] },
        flags: [
          ['OC3', 0],
          ['OC2', 0],
        ],
      },
    ],
  },
  {
    code: '165',
    meaning:
      "the child's motherhood status is not 0 or 1, is given for a boy, is blank for a girl looked after during the year, or is given for a girl who was not looked after during the year but has care leaver details",
    tables: ['Header', 'Episodes', 'OC3'],
    fields: ['MOTHER', 'SEX'],
    severity: 'warn',
    reason: 'no audit reads motherhood; the Header row is kept with the value as given',
    *check(child, context) {
      // Short breaks do not count as being looked after here; a child only on them is not judged.
      const episodes = child.rows('Episodes').filter((row) => !SHORT_BREAKS.has(cell(row, 'LS').toUpperCase()));
      if (episodes.length === 0) return;
      const inYear = episodes.some((row) => {
        const decom = dateOf(row, 'DECOM');
        return decom !== null && decom <= context.end && (dateOf(row, 'DEC') ?? context.end) >= context.start;
      });
      const oc3 = child.rows('OC3');
      const leaving = oc3.filter((row) => anyFilled(row, OC3_ITEMS));
      const flagged = new Set<ReturnRow>();
      for (const header of child.rows('Header')) {
        const mother = cell(header, 'MOTHER');
        const sex = cell(header, 'SEX');
        let detail: string | null = null;
        let rows: readonly ReturnRow[] = oc3;
        if (mother !== '' && mother !== '0' && mother !== '1') detail = `MOTHER is "${mother}"`;
        else if (mother !== '' && isBoy(sex)) detail = `MOTHER is "${mother}" and SEX is ${sex}`;
        else if (mother === '' && isGirl(sex) && inYear)
          detail = `MOTHER is blank and SEX is ${sex}, looked after during the year`;
        else if (mother !== '' && isGirl(sex) && !inYear && leaving.length > 0) {
          detail = `MOTHER is "${mother}", not looked after during the year`;
          rows = leaving;
        }
        if (detail === null) continue;
        yield { row: header, column: 'MOTHER', detail };
        for (const row of rows) flagged.add(row);
      }
      for (const row of flagged)
        yield { row, column: 'IN_TOUCH', detail: 'the motherhood status in the Header is at fault' };
    },
    examples: sexExamples(),
  },
  {
    code: '628',
    meaning: 'motherhood details are given for a care leaver who was not looked after during the year (no episodes)',
    tables: ['Episodes', 'Header', 'OC3'],
    fields: ['MOTHER'],
    severity: 'warn',
    reason: 'no audit reads motherhood; the Header row is kept',
    *check(child) {
      if (child.rows('Episodes').length > 0 || !child.rows('OC3').some((row) => anyFilled(row, OC3_ITEMS))) return;
      for (const row of child.rows('Header')) {
        if (filled(row, 'MOTHER')) yield { row, detail: `MOTHER is "${cell(row, 'MOTHER')}"` };
      }
    },
    examples: [
      {
        valid: { Header: [{ MOTHER: '' }], OC3: [{ ...IN_TOUCH }] },
        invalid: { Header: [{ MOTHER: '0' }], OC3: [{ ...IN_TOUCH }] },
        flags: [['Header', 0]],
      },
      {
        note: 'a child with episodes may have motherhood details',
        valid: {
          Header: [{ MOTHER: '1' }],
          Episodes: [{ DECOM: '01/01/2024', DEC: '01/06/2025', REC: 'E4a' }],
          OC3: [{ ...IN_TOUCH }],
        },
        invalid: { Header: [{ MOTHER: '1' }], OC3: [{ ...IN_TOUCH, ACTIV: '', ACCOM: '' }] },
        flags: [['Header', 0]],
      },
    ],
  },
  careLeaverRule({
    code: '1000',
    meaning: 'the child died in care (an episode ended E2, this year or last), yet has care leaver details',
    tables: ['Episodes', 'OC3'],
    fields: [...OC3_ITEMS],
    severity: 'warn',
    reason: 'no audit reads the care leaver items; the row is kept',
    // Last year's episodes are read when known, but the rule does not need them.
    breaks: (child) => {
      const died = (rows: readonly ReturnRow[] | null) =>
        (rows ?? []).some((row) => cell(row, 'REC').toUpperCase() === 'E2');
      return died(child.rows('Episodes'))
        ? 'an episode this year ended E2'
        : died(child.previous('Episodes'))
          ? 'an episode last year ended E2'
          : false;
    },
    examples: [
      {
        valid: { Episodes: [{ DECOM: '01/01/2024', DEC: '01/06/2025', REC: 'E4a' }], OC3: [{ ...IN_TOUCH }] },
        invalid: { Episodes: [{ DECOM: '01/01/2024', DEC: '01/06/2025', REC: 'E2' }], OC3: [{ ...IN_TOUCH }] },
        flags: [['OC3', 0]],
      },
      {
        note: 'death recorded in last year’s episodes',
        valid: {
          Episodes: [],
          OC3: [{ ...IN_TOUCH }],
          previous: { Episodes: [{ DECOM: '01/01/2024', DEC: '01/06/2024', REC: 'E4a' }] },
        },
        invalid: {
          Episodes: [],
          OC3: [{ ...IN_TOUCH }],
          previous: { Episodes: [{ DECOM: '01/01/2024', DEC: '01/06/2024', REC: 'E2' }] },
        },
        flags: [['OC3', 0]],
      },
    ],
  }),
  careLeaverRule({
    code: '1001',
    meaning:
      'the episodes of this year and last do not make the young person a relevant or former relevant child (13 weeks looked after since their 14th birthday, some of it after their 16th), or they left care by adoption, yet they have care leaver details',
    tables: ['Episodes', 'OC3', 'Header'],
    fields: [...OC3_ITEMS],
    previous: true,
    severity: 'warn',
    reason:
      'no audit reads the care leaver items, and two years of episodes may not show all of a care history: the row is kept',
    breaks: (child, { end }) => {
      const last = child.previous('Episodes');
      const dob = dateOfBirth(child);
      // 20 or over at 31 March: two years of episodes cannot show the care history (the DfE means to skip them).
      if (last === null || dob === null || birthday(dob, 20) <= end) return false;
      const episodes = episodesOfTwoYears(child.rows('Episodes'), last);
      const latest = episodes.at(-1);
      if (latest && ['E11', 'E12'].includes(cell(latest.row, 'REC').toUpperCase()))
        return `the last episode ended ${cell(latest.row, 'REC')} (adopted)`;
      const from14 = birthday(dob, 14);
      const from16 = birthday(dob, 16);
      let days14 = 0;
      let days16 = 0;
      for (const episode of episodes) {
        if (SHORT_BREAKS.has(cell(episode.row, 'LS').toUpperCase())) continue;
        // The latest episode, if still open, runs to 31 March; an earlier one with no end counts nothing.
        const dec = episode.dec ?? (episode === latest ? end : null);
        if (dec === null) continue;
        days14 += Math.max(0, daysBetween(episode.decom > from14 ? episode.decom : from14, dec));
        days16 += Math.max(0, daysBetween(episode.decom > from16 ? episode.decom : from16, dec));
      }
      return days14 >= 91 && days16 >= 1
        ? false
        : `${days14} days looked after since the 14th birthday, ${days16} since the 16th`;
    },
    examples: [
      {
        note: '91 days since the 14th birthday, one of them after the 16th; 90 days is not enough',
        valid: {
          Header: [{ DOB: '01/06/2008' }],
          OC3: [{ ...IN_TOUCH }],
          previous: { Episodes: [{ DECOM: '03/03/2024', RNE: 'S', LS: 'C2', DEC: '02/06/2024', REC: 'E4a' }] },
        },
        invalid: {
          Header: [{ DOB: '01/06/2008' }],
          OC3: [{ ...IN_TOUCH }],
          previous: { Episodes: [{ DECOM: '04/03/2024', RNE: 'S', LS: 'C2', DEC: '02/06/2024', REC: 'E4a' }] },
        },
        flags: [['OC3', 0]],
      },
      {
        note: 'an open episode runs to 31 March; a last episode ending in adoption (E11) is at fault',
        valid: {
          Header: [{ DOB: '01/06/2008' }],
          OC3: [{ ...IN_TOUCH }],
          Episodes: [{ DECOM: '01/12/2025', RNE: 'S', LS: 'C2', DEC: '', REC: '' }],
          previous: { Episodes: [{ DECOM: '01/01/2024', RNE: 'S', LS: 'V3', DEC: '01/06/2024', REC: 'E13' }] },
        },
        invalid: {
          Header: [{ DOB: '01/06/2008' }],
          OC3: [{ ...IN_TOUCH }],
          Episodes: [{ DECOM: '01/01/2024', RNE: 'S', LS: 'C2', DEC: '01/06/2025', REC: 'E11' }],
          previous: { Episodes: [{ DECOM: '01/01/2024', RNE: 'S', LS: 'C2', DEC: '', REC: '' }] },
        },
        flags: [['OC3', 0]],
      },
      {
        note: 'short breaks (V3, V4) do not count',
        valid: {
          Header: [{ DOB: '01/06/2008' }],
          OC3: [{ ...IN_TOUCH }],
          previous: { Episodes: [{ DECOM: '03/03/2024', RNE: 'S', LS: 'C2', DEC: '02/06/2024', REC: 'E4a' }] },
        },
        invalid: {
          Header: [{ DOB: '01/06/2008' }],
          OC3: [{ ...IN_TOUCH }],
          previous: { Episodes: [{ DECOM: '03/03/2024', RNE: 'S', LS: 'V3', DEC: '02/06/2024', REC: 'E13' }] },
        },
        flags: [['OC3', 0]],
      },
      {
        note: 'a young person of 20 or over at 31 March is not judged; one with no episodes at all is',
        valid: { Header: [{ DOB: '31/03/2006' }], OC3: [{ ...IN_TOUCH }], previous: {} },
        invalid: { Header: [{ DOB: '01/04/2006' }], OC3: [{ ...IN_TOUCH }], previous: {} },
        flags: [['OC3', 0]],
      },
    ],
  }),
  careLeaverRule({
    code: '1002',
    meaning: 'the young person has no episodes of care this year or last, yet has care leaver details',
    tables: ['Episodes', 'OC3'],
    fields: [...OC3_ITEMS],
    previous: true,
    severity: 'warn',
    reason: 'no audit reads the care leaver items, and the episodes may be older than last year: the row is kept',
    breaks: (child) => {
      const last = child.previous('Episodes');
      return last !== null && last.length === 0 && child.rows('Episodes').length === 0;
    },
    examples: [
      {
        valid: {
          OC3: [{ ...IN_TOUCH }],
          previous: { Episodes: [{ DECOM: '01/01/2024', DEC: '01/06/2024', REC: 'E4a' }] },
        },
        invalid: { OC3: [{ ...IN_TOUCH }], previous: {} },
        flags: [['OC3', 0]],
      },
    ],
  }),
  careLeaverRule({
    code: '1007',
    meaning:
      'a young person aged 17 or 18 at 31 March was still looked after on their 17th or 18th birthday during the year, yet has care leaver details',
    tables: ['Episodes', 'OC3'],
    fields: [...OC3_ITEMS],
    onlyFilled: true,
    severity: 'warn',
    reason: 'no audit reads the care leaver items; the row is kept',
    breaks: (child, { end }) => {
      for (const row of child.rows('OC3')) {
        const dob = dateOf(row, 'DOB');
        if (dob === null || birthday(dob, 17) > end || birthday(dob, 19) <= end) continue;
        const day = birthday(dob, birthday(dob, 18) <= end ? 18 : 17);
        // Looked after on the birthday: started by then and ended after it, or still open (the DfE's own
        // wording: "DEC and/or REC not provided"). The community validator compares DEC with the birthday,
        // so it never counts an open episode.
        const inCare = child.rows('Episodes').some((episode) => {
          const decom = dateOf(episode, 'DECOM');
          const dec = dateOf(episode, 'DEC');
          return decom !== null && decom <= day && (dec === null ? !filled(episode, 'DEC') : dec > day);
        });
        if (inCare) return `looked after on ${longDate(day)}, the birthday`;
      }
      return false;
    },
    examples: [
      {
        note: 'leaving care on the 17th birthday is not being looked after on it; the day after is',
        valid: {
          Episodes: [{ DECOM: '01/01/2024', DEC: '01/10/2025', REC: 'E4a' }],
          OC3: [{ ...IN_TOUCH, DOB: '01/10/2008' }],
        },
        invalid: {
          Episodes: [{ DECOM: '01/01/2024', DEC: '02/10/2025', REC: 'E4a' }],
          OC3: [
            { ...IN_TOUCH, DOB: '01/10/2008' },
            { DOB: '01/10/2008', IN_TOUCH: '', ACTIV: '', ACCOM: '' },
          ],
        },
        flags: [['OC3', 0]],
      },
      {
        note: 'still looked after at the 18th birthday (episode open); 19 at 31 March is past the ages',
        valid: { Episodes: [{ DECOM: '01/01/2024', DEC: '', REC: '' }], OC3: [{ ...IN_TOUCH, DOB: '31/03/2007' }] },
        invalid: { Episodes: [{ DECOM: '01/01/2024', DEC: '', REC: '' }], OC3: [{ ...IN_TOUCH, DOB: '01/04/2007' }] },
        flags: [['OC3', 0]],
      },
    ],
  }),
  careLeaverRule({
    code: '1010',
    meaning:
      "the young person's last episode of last year was still open, yet they have no episodes this year and have care leaver details",
    tables: ['Episodes', 'OC3'],
    fields: [...OC3_ITEMS],
    previous: true,
    severity: 'warn',
    reason:
      'no audit reads the care leaver items; the missing episodes are for the episode rules to find: the row is kept',
    breaks: (child) => {
      const last = child.previous('Episodes');
      if (last === null || child.rows('Episodes').length > 0) return false;
      const latest = sortByStart(last).at(-1);
      return latest !== undefined && !filled(latest, 'DEC')
        ? `the episode of ${longDate(dateOf(latest, 'DECOM')!)} was open at the end of last year`
        : false;
    },
    examples: [
      {
        valid: {
          Episodes: [{ DECOM: '01/01/2024', DEC: '01/06/2025', REC: 'E4a' }],
          OC3: [{ ...IN_TOUCH }],
          previous: { Episodes: [{ DECOM: '01/01/2024', DEC: '', REC: '' }] },
        },
        invalid: {
          OC3: [{ ...IN_TOUCH }],
          previous: {
            Episodes: [
              { DECOM: '01/06/2024', DEC: '', REC: '' },
              { DECOM: '01/01/2024', DEC: '01/06/2024', REC: 'X1' },
            ],
          },
        },
        flags: [['OC3', 0]],
      },
      {
        note: 'last year’s last episode closed',
        valid: {
          OC3: [{ ...IN_TOUCH }],
          previous: {
            Episodes: [
              { DECOM: '01/01/2024', DEC: '', REC: '' },
              { DECOM: '01/06/2024', DEC: '01/09/2024', REC: 'E4a' },
            ],
          },
        },
        invalid: {
          OC3: [{ ...IN_TOUCH }],
          previous: {
            Episodes: [
              { DECOM: '01/01/2024', DEC: '01/06/2024', REC: 'X1' },
              { DECOM: '01/06/2024', DEC: '', REC: '' },
            ],
          },
        },
        flags: [['OC3', 0]],
      },
    ],
  }),
  careLeaverRule({
    code: '1011',
    meaning:
      "the child's care was transferred to another local authority at the end of their last episode (E3), yet they have care leaver details",
    tables: ['Episodes', 'OC3'],
    fields: [...OC3_ITEMS],
    onlyFilled: true,
    severity: 'warn',
    reason: 'no audit reads the care leaver items; the row is kept',
    breaks: (child) => {
      // Of two episodes starting the same latest day, the DfE takes the first in the file.
      const dated = sortByStart(child.rows('Episodes'));
      const latest = dated.find((row) => dateOf(row, 'DECOM') === dateOf(dated.at(-1)!, 'DECOM'));
      return latest !== undefined && cell(latest, 'REC') === 'E3' ? 'the last episode ended E3' : false;
    },
    examples: [
      {
        valid: {
          Episodes: [
            { DECOM: '01/06/2025', DEC: '07/06/2025', REC: 'E3' },
            { DECOM: '15/06/2025', DEC: '01/07/2025', REC: 'E4a' },
          ],
          OC3: [{ ...IN_TOUCH }],
        },
        invalid: {
          Episodes: [
            { DECOM: '15/06/2025', DEC: '01/07/2025', REC: 'E3' },
            { DECOM: '01/06/2025', DEC: '15/06/2025', REC: 'X1' },
          ],
          OC3: [{ ...IN_TOUCH }, { IN_TOUCH: '', ACTIV: '', ACCOM: '' }],
        },
        flags: [['OC3', 0]],
      },
    ],
  }),
  {
    code: '1014',
    meaning:
      'an unaccompanied asylum-seeking child who was not looked after during the year has care leaver details (UASC information is not needed for care leavers)',
    tables: ['Episodes', 'UASC', 'OC3'],
    fields: ['DUC', ...OC3_ITEMS],
    severity: 'warn',
    reason: 'no audit reads the UASC dates or the care leaver items; the rows are kept',
    *check(child, { start, end }) {
      const episodes = child.rows('Episodes');
      const uasc = child.rows('UASC');
      if (episodes.length === 0 || uasc.length === 0) return;
      const inYear = episodes.some((row) => {
        const decom = dateOf(row, 'DECOM');
        const dec = dateOf(row, 'DEC');
        return decom !== null && decom <= end && (dec === null || dec >= start);
      });
      const leaving = child.rows('OC3').filter((row) => anyFilled(row, OC3_ITEMS));
      if (inYear || leaving.length === 0) return;
      for (const row of uasc)
        yield {
          row,
          column: 'DUC',
          detail: 'the child was not looked after during the year but has care leaver details',
        };
      for (const row of leaving)
        yield { row, column: OC3_ITEMS.find((column) => filled(row, column)), detail: 'the child has UASC details' };
    },
    examples: [
      {
        note: 'an episode ending on 1 April is in the year; one ending on 31 March of the year before is not',
        valid: {
          UASC: [{ DUC: '01/01/2025' }],
          Episodes: [{ DECOM: '01/01/2024', DEC: '01/04/2025', REC: 'E4a' }],
          OC3: [{ ...IN_TOUCH }],
        },
        invalid: {
          UASC: [{ DUC: '01/01/2025' }],
          Episodes: [{ DECOM: '01/01/2024', DEC: '31/03/2025', REC: 'E4a' }],
          OC3: [{ ...IN_TOUCH }, { IN_TOUCH: '', ACTIV: '', ACCOM: '' }],
        },
        flags: [
          ['UASC', 0],
          ['OC3', 0],
        ],
      },
    ],
  },
  careLeaverRule({
    code: '1016',
    from: '2023-24',
    meaning:
      'a young person aged 17 or 18 at 31 March stopped being looked after on or after their 17th or 18th birthday in the year, yet has care leaver details',
    tables: ['Episodes', 'OC3'],
    fields: [...OC3_ITEMS],
    onlyFilled: true,
    severity: 'warn',
    reason: 'no audit reads the care leaver items; the row is kept',
    breaks: (child, { end }) => {
      for (const row of child.rows('OC3')) {
        const dob = dateOf(row, 'DOB');
        if (dob === null || birthday(dob, 17) > end || birthday(dob, 19) <= end) continue;
        const day = birthday(dob, birthday(dob, 18) <= end ? 18 : 17);
        const left = child
          .rows('Episodes')
          .map((episode) => dateOf(episode, 'DEC'))
          .find((dec) => dec !== null && dec >= day);
        if (left) return `an episode ended ${longDate(left)}, on or after the birthday of ${longDate(day)}`;
      }
      return false;
    },
    examples: [
      {
        note: 'an episode ending the day before the 17th birthday; on the birthday it is at fault',
        valid: {
          Episodes: [{ DECOM: '01/01/2024', DEC: '30/09/2025', REC: 'E4a' }],
          OC3: [{ ...IN_TOUCH, DOB: '01/10/2008' }],
        },
        invalid: {
          Episodes: [{ DECOM: '01/01/2024', DEC: '01/10/2025', REC: 'E4a' }],
          OC3: [{ ...IN_TOUCH, DOB: '01/10/2008' }],
        },
        flags: [['OC3', 0]],
      },
      {
        note: 'at 18: left the day before the 18th birthday, or on it',
        valid: {
          Episodes: [{ DECOM: '01/01/2024', DEC: '30/09/2025', REC: 'E4a' }],
          OC3: [{ ...IN_TOUCH, DOB: '01/10/2007' }],
        },
        invalid: {
          Episodes: [{ DECOM: '01/01/2024', DEC: '01/10/2025', REC: 'E4a' }],
          OC3: [{ ...IN_TOUCH, DOB: '01/10/2007' }],
        },
        flags: [['OC3', 0]],
      },
    ],
  }),
];

/** Rows in start order by DECOM, rows without a start date dropped (the DfE finds the latest among dated ones). */
function sortByStart(rows: readonly ReturnRow[]): ReturnRow[] {
  return rows
    .filter((row) => dateOf(row, 'DECOM') !== null)
    .sort((a, b) => dateOf(a, 'DECOM')!.localeCompare(dateOf(b, 'DECOM')!));
}

/** The examples of 165, once with each span of years' SEX codes. */
function sexExamples() {
  const spans = [
    { until: '2023-24', male: '1', female: '2' },
    { from: '2024-25', male: 'M', female: 'F' },
  ] as const;
  const inYear = [{ DECOM: '01/06/2025', DEC: '', LS: 'C2' }];
  const before = [{ DECOM: '01/01/2024', DEC: '31/03/2025', LS: 'C2' }];
  return spans.flatMap((span) => {
    const years = 'until' in span ? { until: span.until } : { from: span.from };
    return [
      {
        ...years,
        note: 'a girl looked after in the year needs a motherhood status',
        valid: { Header: [{ SEX: span.female, MOTHER: '0' }], Episodes: inYear, OC3: [{}] },
        invalid: { Header: [{ SEX: span.female, MOTHER: '' }], Episodes: inYear, OC3: [{}] },
        flags: [
          ['Header', 0],
          ['OC3', 0],
        ] as const,
      },
      {
        ...years,
        note: 'a boy has none; the status is 0 or 1',
        valid: { Header: [{ SEX: span.male, MOTHER: '' }], Episodes: inYear },
        invalid: {
          Header: [
            { SEX: span.male, MOTHER: '1' },
            { SEX: span.female, MOTHER: '2' },
          ],
          Episodes: inYear,
        },
        flags: [
          ['Header', 0],
          ['Header', 1],
        ] as const,
      },
      {
        ...years,
        note: 'a care leaver not looked after in the year (left on 31 March the year before) has none',
        valid: { Header: [{ SEX: span.female, MOTHER: '' }], Episodes: before, OC3: [{ ...IN_TOUCH }] },
        invalid: { Header: [{ SEX: span.female, MOTHER: '0' }], Episodes: before, OC3: [{ ...IN_TOUCH }, {}] },
        flags: [
          ['Header', 0],
          ['OC3', 0],
        ] as const,
      },
    ];
  });
}

// ---------------------------------------------------------------------------------------------
// Integrity: the child of an OC2, OC3 or Reviews row in the Header, with the same date of birth
// ---------------------------------------------------------------------------------------------

/** A row of `table` whose child is not in the Header. */
function inHeaderRule(
  code: string,
  table: 'OC2' | 'OC3' | 'Reviews',
  what: string,
  severity: Ssda903Rule['severity'],
  reason: string,
): Ssda903Rule {
  return rowRule({
    code,
    table,
    alsoReads: ['Header'],
    fields: ['CHILD'],
    meaning: `the child of this ${what} is not in the Header table`,
    severity,
    reason,
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
  });
}

/** A row of `table` whose date of birth is not the Header's. */
function sameBirthRule(code: string, table: 'OC2' | 'OC3' | 'Reviews', what: string, reason: string): Ssda903Rule {
  return rowRule({
    code,
    table,
    alsoReads: ['Header'],
    fields: ['DOB'],
    meaning: `the date of birth on this ${what} is not the one in the Header`,
    severity: 'warn',
    reason,
    breaks: (row, child) => {
      const dob = dateOf(row, 'DOB');
      const header = child
        .rows('Header')
        .map((h) => dateOf(h, 'DOB'))
        .find((d) => d !== null && dob !== null && d !== dob);
      return header && dob ? `DOB is ${longDate(dob)}, the Header's is ${longDate(header)}` : false;
    },
    examples: [
      {
        valid: { Header: [{ DOB: '01/04/2015' }], [table]: [{ DOB: '01/04/2015' }, { DOB: '' }] },
        invalid: { Header: [{ DOB: '01/04/2015' }], [table]: [{ DOB: '04/01/2015' }, { DOB: '' }] },
        flags: [[table, 0]],
      },
    ],
  });
}

/** More than one row of `table` for the child. */
function onceRule(code: string, table: 'OC2' | 'OC3', what: string, reason: string): Ssda903Rule {
  return {
    code,
    tables: [table],
    fields: ['CHILD'],
    meaning: `the child has more than one ${what}`,
    severity: 'warn',
    reason,
    *check(child) {
      const rows = child.rows(table);
      if (rows.length > 1)
        for (const row of rows) yield { row, detail: `${rows.length} rows for the child` } satisfies Flag;
    },
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
  };
}

const INTEGRITY_RULES: readonly Ssda903Rule[] = [
  inHeaderRule(
    'INT05',
    'OC2',
    'OC2 record (children looked after for 12 months)',
    'reject',
    'health outcomes of a child the return does not describe cannot be tied to a date of birth or a period of care: the health audit would count them against no one',
  ),
  inHeaderRule(
    'INT06',
    'OC3',
    'care leaver record',
    'warn',
    'no audit reads the care leaver items; the row is kept and the missing Header is for the return to fix',
  ),
  inHeaderRule(
    'INT08',
    'Reviews',
    'review',
    'reject',
    'a review of a child the return does not describe has no Header date of birth for the PN0 check and no episodes to place it in a period of care',
  ),
  sameBirthRule('INT14', 'OC2', 'OC2 record', 'the audits take the date of birth from the Header; the OC2 row is kept'),
  sameBirthRule(
    'INT15',
    'OC3',
    'care leaver record',
    'the audits take the date of birth from the Header, and no audit reads the care leaver items; the row is kept',
  ),
  sameBirthRule(
    'INT17',
    'Reviews',
    'review',
    "the audits take the child's age from the Header; the review's date and participation code are kept",
  ),
  onceRule(
    'INT33',
    'OC2',
    'OC2 record',
    'the health audit reads health events, not OC2 rows one by one; both rows are kept and the duplicate is for the return to settle',
  ),
  onceRule('INT34', 'OC3', 'care leaver record', 'no audit reads the care leaver items; both rows are kept'),
];

export const HEALTH_AND_LEAVING_CARE_RULES: readonly Ssda903Rule[] = [
  ...REVIEW_RULES,
  ...OC2_RULES,
  ...OC3_RULES,
  ...INTEGRITY_RULES,
];

export const HEALTH_AND_LEAVING_CARE_RULES_NOT_APPLIED: readonly RuleNotApplied[] = [];
