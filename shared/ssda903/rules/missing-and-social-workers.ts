/**
 * The DfE's rules on the tables that sit beside a child's episodes: the periods the child was missing
 * or away from placement without authorisation (Missing), the child's social worker episodes
 * (SWEpisodes, from 2023-24) and deprivations of the child's liberty (DoLo, from 2026-27), with the
 * integrity checks that tie the Missing table to the Header. No audit reads these tables yet, so every
 * rule here keeps the row and warns.
 */
import { collectionStart } from '#domain/collection-year';
import { describeCode, listCodes, isCode } from '../code-sets.ts';
import {
  addDays,
  addYears,
  cell,
  dateOf,
  filled,
  longDate,
  parseReturnDate,
  sortByDate,
  type ChildReturn,
  type ReturnRow,
  type Ssda903Table,
} from '../return.ts';
import { codeRule, dateRule, rowRule, type Flag, type RuleNotApplied, type Ssda903Rule } from '../rule.ts';

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

/** A cell for a message: `MIS_START is blank` or `MIS_START is "31/02/2025"`. */
const said = (row: ReturnRow, column: string): string =>
  filled(row, column) ? `${column} is "${cell(row, column)}"` : `${column} is blank`;

/** A date cell for a message: "1 May 2025", or how it is written when it is not a date. */
function shown(row: ReturnRow, column: string): string {
  const date = dateOf(row, column);
  if (date !== null) return longDate(date);
  return filled(row, column) ? `"${cell(row, column)}"` : 'blank';
}

/**
 * Rows in the order of one or more date columns, each undated last, ties in file order: the order
 * the DfE's sequence rules read a child's periods in (the validator sorts the same way, dates
 * first, blanks last).
 */
function inDateOrder(rows: readonly ReturnRow[], ...columns: readonly string[]): ReturnRow[] {
  const keyed = rows.map((row, index) => ({ row, index, dates: columns.map((column) => dateOf(row, column)) }));
  keyed.sort((a, b) => {
    for (let i = 0; i < columns.length; i++) {
      const x = a.dates[i] ?? null;
      const y = b.dates[i] ?? null;
      if (x === y) continue;
      if (x === null) return 1;
      if (y === null) return -1;
      return x < y ? -1 : 1;
    }
    return a.index - b.index;
  });
  return keyed.map(({ row }) => row);
}

/** One period of care: from the start of an episode to the end of the last one that follows on. */
interface PeriodOfCare {
  start: string;
  /** Null while the child is still looked after (the last episode has no end date). */
  end: string | null;
}

/**
 * The child's periods of care as the DfE's rules on missing periods and DoLos build them: episodes
 * with a start date, in start order; an episode starting after the previous one ended begins a new
 * period; a period ends when its last episode ends. (An episode following an open one stays in its
 * period, as in the validator.)
 */
function periodsOfCare(child: ChildReturn): PeriodOfCare[] {
  const periods: PeriodOfCare[] = [];
  let previousEnd: string | null = null;
  for (const row of sortByDate(child.rows('Episodes'), 'DECOM')) {
    const start = dateOf(row, 'DECOM');
    if (start === null) continue;
    const end = dateOf(row, 'DEC');
    const current = periods.at(-1);
    if (current === undefined || (previousEnd !== null && start > previousEnd)) periods.push({ start, end });
    else current.end = end;
    previousEnd = end;
  }
  return periods;
}

const periodText = (period: PeriodOfCare): string =>
  `${longDate(period.start)} to ${period.end === null ? 'now' : longDate(period.end)}`;

/**
 * Rules 577 and 707: a period (missing, DoLo) that starts on a date must sit inside one of the
 * child's periods of care. It is out of a period of care when it is still open and the period has
 * ended, or open and started before the period, or ends after the period ended or before it began.
 * A child with no dated episodes has nothing to hold the period against.
 */
function* outsideCare(
  child: ChildReturn,
  table: Ssda903Table,
  startColumn: string,
  endColumn: string,
  what: string,
): Generator<Flag> {
  const periods = periodsOfCare(child);
  if (periods.length === 0) return;
  for (const row of child.rows(table)) {
    const start = dateOf(row, startColumn);
    if (start === null) continue;
    // A blank or unreadable end is an open period, as the validator reads it.
    const end = dateOf(row, endColumn);
    const out = (period: PeriodOfCare): boolean =>
      (end === null && period.end !== null) ||
      (end === null && start < period.start) ||
      (end !== null && period.end !== null && end > period.end) ||
      (end !== null && end < period.start);
    if (periods.every(out)) {
      yield {
        row,
        column: endColumn,
        detail: `the ${what} from ${longDate(start)} ${end === null ? 'has no end date' : `ends ${longDate(end)}`}; the child's periods of care: ${periods.map(periodText).join('; ')}`,
      };
    }
  }
}

/**
 * Rules 574 and 705: periods of one kind in the order the validator puts them (by end date, an open
 * period by its start, then by start) must not overlap: each period after the first is at fault when
 * the one before it has no end date, or ended after it started.
 */
function* overlapping(
  child: ChildReturn,
  table: Ssda903Table,
  startColumn: string,
  endColumn: string,
  what: string,
): Generator<Flag> {
  const keyed = child.rows(table).map((row, index) => {
    const start = dateOf(row, startColumn);
    const end = dateOf(row, endColumn);
    return { row, index, start, end, until: end ?? start };
  });
  const order = (x: string | null, y: string | null): number =>
    x === y ? 0 : x === null ? 1 : y === null ? -1 : x < y ? -1 : 1;
  keyed.sort((a, b) => order(a.until, b.until) || order(a.start, b.start) || a.index - b.index);
  for (let i = 1; i < keyed.length; i++) {
    const before = keyed[i - 1]!;
    const current = keyed[i]!;
    if (before.end === null) {
      yield {
        row: current.row,
        column: startColumn,
        detail: `the ${what} before it (from ${shown(before.row, startColumn)}) has no end date`,
      };
    } else if (current.start !== null && current.start < before.end) {
      yield {
        row: current.row,
        column: startColumn,
        detail: `it starts ${longDate(current.start)}, before the ${what} from ${shown(before.row, startColumn)} ended on ${longDate(before.end)}`,
      };
    }
  }
}

/**
 * A social worker episode's date as the validator's SW04 and SW05 read it: a real date, where an
 * unknown day or month may be written `ZZ` and an unknown year `ZZZZ` (the placeholders of the
 * return's DATE_PERM, which the DfE's date check allows here too).
 */
function readableWithPlaceholders(text: string): boolean {
  if (parseReturnDate(text) !== null) return true;
  const parts = text.split('/');
  if (parts.length !== 3) return false;
  const filledIn = parts.map((part) => (part === 'ZZ' ? '01' : part === 'ZZZZ' ? '2000' : part));
  return parseReturnDate(filledIn.join('/')) !== null;
}

/** Episodes that leave the child looked after on 31 March: still open, and not a short break (V3, V4). */
const openAtYearEnd = (row: ReturnRow): boolean => !filled(row, 'DEC') && !['V3', 'V4'].includes(cell(row, 'LS'));

/** 1 April 2023: social worker episodes from this date must give a reason for the change (SW01b, SW13). */
const REASONS_FROM = '2023-04-01';

const MISSING_REASON =
  "no audit reads missing or away-from-placement periods yet: the row is kept, and the warning tells the return's owner what to correct";
const MISSING_EPISODE_REASON =
  "the episode's own dates and codes are not in doubt, only their agreement with the missing periods: the episode is kept with a warning, since rejecting it would break the child's timeline";
const SW_REASON =
  "no audit reads social worker episodes yet: the row is kept, and the warning tells the return's owner what to correct";
const SW_EPISODE_REASON =
  "the episode's own dates and codes are not in doubt, only whether the social worker episodes cover it: the episode is kept with a warning, since rejecting it would break the child's timeline";
const DOLO_REASON =
  "no audit reads deprivations of liberty yet: the row is kept, and the warning tells the return's owner what to correct";

// ---------------------------------------------------------------------------------------------
// Missing or away from placement without authorisation
// ---------------------------------------------------------------------------------------------

const MISSING_RULES: readonly Ssda903Rule[] = [
  rowRule({
    code: '564',
    table: 'Missing',
    fields: ['MIS_START', 'MISSING'],
    meaning: 'the child was missing or away from placement without authorisation, but the date it started is blank',
    severity: 'warn',
    reason: MISSING_REASON,
    // The validator takes the code in either case here (m, a), though 1006 allows only capitals.
    breaks: (row) =>
      ['M', 'A', 'm', 'a'].includes(cell(row, 'MISSING')) &&
      !filled(row, 'MIS_START') &&
      `MISSING is "${cell(row, 'MISSING')}" and MIS_START is blank`,
    examples: [
      {
        valid: {
          Missing: [
            { MISSING: 'M', MIS_START: '01/05/2025' },
            { MISSING: '', MIS_START: '' },
            { MISSING: 'X', MIS_START: '' },
          ],
        },
        invalid: {
          Missing: [
            { MISSING: 'M', MIS_START: '' },
            { MISSING: 'a', MIS_START: '' },
          ],
        },
        flags: [
          ['Missing', 0],
          ['Missing', 1],
        ],
      },
    ],
  }),
  rowRule({
    code: '565',
    table: 'Missing',
    fields: ['MISSING', 'MIS_START'],
    meaning:
      'a missing or away-from-placement period has a start date, but whether the child was missing or away without authorisation is blank',
    severity: 'warn',
    reason: MISSING_REASON,
    breaks: (row) =>
      filled(row, 'MIS_START') &&
      !filled(row, 'MISSING') &&
      `MIS_START is ${shown(row, 'MIS_START')} and MISSING is blank`,
    examples: [
      {
        valid: {
          Missing: [
            { MISSING: 'A', MIS_START: '01/05/2025' },
            { MISSING: '', MIS_START: '' },
          ],
        },
        invalid: {
          Missing: [
            { MISSING: '', MIS_START: '01/05/2025' },
            { MISSING: 'M', MIS_START: '02/05/2025' },
          ],
        },
        flags: [['Missing', 0]],
      },
    ],
  }),
  rowRule({
    code: '566',
    table: 'Missing',
    fields: ['MISSING', 'MIS_END'],
    meaning:
      'a missing or away-from-placement period has an end date, but whether the child was missing or away without authorisation is blank',
    severity: 'warn',
    reason: MISSING_REASON,
    breaks: (row) =>
      filled(row, 'MIS_END') && !filled(row, 'MISSING') && `MIS_END is ${shown(row, 'MIS_END')} and MISSING is blank`,
    examples: [
      {
        valid: {
          Missing: [
            { MISSING: 'M', MIS_END: '03/05/2025' },
            { MISSING: '', MIS_END: '' },
          ],
        },
        invalid: {
          Missing: [
            { MISSING: '', MIS_END: '03/05/2025' },
            { MISSING: 'A', MIS_END: '03/05/2025' },
          ],
        },
        flags: [['Missing', 0]],
      },
    ],
  }),
  rowRule({
    code: '567',
    table: 'Missing',
    fields: ['MIS_END', 'MIS_START'],
    meaning: 'a missing or away-from-placement period ends before it starts',
    severity: 'warn',
    reason: MISSING_REASON,
    breaks: (row) => {
      const start = dateOf(row, 'MIS_START');
      const end = dateOf(row, 'MIS_END');
      return start !== null && end !== null && end < start && `it starts ${longDate(start)} and ends ${longDate(end)}`;
    },
    examples: [
      {
        note: 'ending on the day it starts is allowed',
        valid: {
          Missing: [
            { MIS_START: '01/05/2025', MIS_END: '01/05/2025' },
            { MIS_START: '01/05/2025', MIS_END: '' },
            { MIS_START: '', MIS_END: '01/05/2025' },
          ],
        },
        invalid: { Missing: [{ MIS_START: '02/05/2025', MIS_END: '01/05/2025' }] },
        flags: [['Missing', 0]],
      },
    ],
  }),
  rowRule({
    code: '570',
    table: 'Missing',
    fields: ['MIS_START'],
    meaning: 'a missing or away-from-placement period starts after the end of the collection year',
    severity: 'warn',
    reason: MISSING_REASON,
    breaks: (row, _child, { end }) => {
      const start = dateOf(row, 'MIS_START');
      return start !== null && start > end && `it starts ${longDate(start)}`;
    },
    examples: [
      {
        note: 'starting on 31 March, the last day of the year, is allowed',
        valid: { Missing: [{ MIS_START: '31/03/2026' }, { MIS_START: '' }] },
        invalid: { Missing: [{ MIS_START: '01/04/2026' }] },
        flags: [['Missing', 0]],
      },
    ],
  }),
  rowRule({
    code: '571',
    table: 'Missing',
    fields: ['MIS_END'],
    meaning: 'a missing or away-from-placement period ends before the start or after the end of the collection year',
    severity: 'warn',
    reason: MISSING_REASON,
    breaks: (row, _child, { start, end }) => {
      const ended = dateOf(row, 'MIS_END');
      return ended !== null && (ended < start || ended > end) && `it ends ${longDate(ended)}`;
    },
    examples: [
      {
        note: 'ending on the first or last day of the year is allowed',
        valid: { Missing: [{ MIS_END: '01/04/2025' }, { MIS_END: '31/03/2026' }, { MIS_END: '' }] },
        invalid: { Missing: [{ MIS_END: '31/03/2025' }, { MIS_END: '01/04/2026' }] },
        flags: [
          ['Missing', 0],
          ['Missing', 1],
        ],
      },
    ],
  }),
  {
    code: '574',
    tables: ['Missing'],
    fields: ['MIS_START', 'MIS_END'],
    meaning: 'a missing or away-from-placement period starts while the previous one is still open, or overlaps it',
    severity: 'warn',
    reason: MISSING_REASON,
    check: (child) => overlapping(child, 'Missing', 'MIS_START', 'MIS_END', 'missing period'),
    examples: [
      {
        note: 'a period may start on the day the previous one ends',
        valid: {
          Missing: [
            { MIS_START: '01/05/2025', MIS_END: '05/05/2025' },
            { MIS_START: '05/05/2025', MIS_END: '10/05/2025' },
            { MIS_START: '12/05/2025', MIS_END: '' },
          ],
        },
        invalid: {
          Missing: [
            { MIS_START: '01/05/2025', MIS_END: '05/05/2025' },
            { MIS_START: '04/05/2025', MIS_END: '10/05/2025' },
            { MIS_START: '01/06/2025', MIS_END: '' },
            { MIS_START: '10/06/2025', MIS_END: '12/06/2025' },
          ],
        },
        flags: [
          ['Missing', 1],
          ['Missing', 3],
        ],
      },
    ],
  },
  {
    code: '575',
    tables: ['Episodes', 'Missing'],
    fields: ['MIS_END'],
    meaning:
      'the placement the child went missing from has ended, but the missing or away-from-placement period has no end date',
    severity: 'warn',
    reason: MISSING_REASON,
    *check(child) {
      const ended = child.rows('Episodes').flatMap((row) => {
        const start = dateOf(row, 'DECOM');
        const end = dateOf(row, 'DEC');
        return start !== null && end !== null ? [{ start, end }] : [];
      });
      for (const row of child.rows('Missing')) {
        const start = dateOf(row, 'MIS_START');
        if (start === null || filled(row, 'MIS_END')) continue;
        const placement = ended.find((episode) => start >= episode.start && start <= episode.end);
        if (placement)
          yield {
            row,
            detail: `the missing period from ${longDate(start)} has no end date, but the episode from ${longDate(placement.start)} ended ${longDate(placement.end)}`,
          };
      }
    },
    examples: [
      {
        note: 'an open missing period in an open episode is allowed',
        valid: {
          Episodes: [
            { DECOM: '01/05/2025', DEC: '01/07/2025' },
            { DECOM: '01/07/2025', DEC: '' },
          ],
          Missing: [
            { MIS_START: '10/05/2025', MIS_END: '12/05/2025' },
            { MIS_START: '02/07/2025', MIS_END: '' },
          ],
        },
        invalid: {
          Episodes: [
            { DECOM: '01/05/2025', DEC: '01/07/2025' },
            { DECOM: '01/07/2025', DEC: '' },
          ],
          Missing: [
            { MIS_START: '10/05/2025', MIS_END: '12/05/2025' },
            { MIS_START: '01/07/2025', MIS_END: '' },
          ],
        },
        flags: [['Missing', 1]],
      },
    ],
  },
  {
    code: '576',
    tables: ['Missing'],
    fields: ['CHILD', 'MIS_START'],
    previous: true,
    meaning:
      "last year's return has an open missing or away-from-placement period, and this year's first period does not start on the same date",
    severity: 'warn',
    reason: MISSING_REASON,
    *check(child) {
      const last = child.previous('Missing');
      const rows = child.rows('Missing');
      if (last === null || rows.length === 0) return;
      // This year's first period: the earliest start, an undated one only when none is dated.
      const first = inDateOrder(rows, 'MIS_START')[0]!;
      const firstStart = dateOf(first, 'MIS_START');
      for (const open of last) {
        const openStart = dateOf(open, 'MIS_START');
        if (filled(open, 'MIS_END') || openStart === null || openStart === firstStart) continue;
        yield {
          row: first,
          column: 'MIS_START',
          detail: `last year's period from ${longDate(openStart)} is open, and this year's first starts ${shown(first, 'MIS_START')}`,
        };
      }
    },
    examples: [
      {
        valid: {
          Missing: [
            { MIS_START: '01/06/2025', MIS_END: '' },
            { MIS_START: '20/03/2025', MIS_END: '02/04/2025' },
          ],
          previous: {
            Missing: [
              { MIS_START: '01/01/2025', MIS_END: '05/01/2025' },
              { MIS_START: '20/03/2025', MIS_END: '' },
            ],
          },
        },
        invalid: {
          Missing: [
            { MIS_START: '01/06/2025', MIS_END: '' },
            { MIS_START: '21/03/2025', MIS_END: '02/04/2025' },
          ],
          previous: { Missing: [{ MIS_START: '20/03/2025', MIS_END: '' }] },
        },
        flags: [['Missing', 1]],
      },
    ],
  },
  {
    code: '577',
    tables: ['Episodes', 'Missing'],
    fields: ['MIS_END'],
    meaning:
      'a missing or away-from-placement period is still open after the child ceased to be looked after, or ends outside every period of care',
    severity: 'warn',
    reason: MISSING_REASON,
    check: (child) => outsideCare(child, 'Missing', 'MIS_START', 'MIS_END', 'missing period'),
    examples: [
      {
        note: 'ending on the day care ends is allowed; an open period in open care is allowed',
        valid: {
          Episodes: [
            { DECOM: '01/05/2025', DEC: '01/07/2025' },
            { DECOM: '01/09/2025', DEC: '' },
          ],
          Missing: [
            { MIS_START: '10/05/2025', MIS_END: '01/07/2025' },
            { MIS_START: '10/09/2025', MIS_END: '' },
            { MIS_START: '', MIS_END: '' },
          ],
        },
        invalid: {
          Episodes: [
            { DECOM: '01/05/2025', DEC: '01/07/2025' },
            { DECOM: '01/09/2025', DEC: '' },
          ],
          Missing: [
            { MIS_START: '10/05/2025', MIS_END: '' },
            { MIS_START: '10/05/2025', MIS_END: '02/07/2025' },
            { MIS_START: '10/09/2025', MIS_END: '30/08/2025' },
          ],
        },
        flags: [
          ['Missing', 0],
          ['Missing', 1],
          ['Missing', 2],
        ],
      },
    ],
  },
  {
    code: '578',
    tables: ['Episodes', 'Missing'],
    fields: ['MIS_START'],
    meaning:
      'the child went missing or away from placement on a date outside every period of care (after ceasing to be looked after, or before it began)',
    severity: 'warn',
    reason: MISSING_REASON,
    *check(child) {
      const periods = periodsOfCare(child);
      if (periods.length === 0) return;
      for (const row of child.rows('Missing')) {
        const start = dateOf(row, 'MIS_START');
        if (start === null) continue;
        const out = (period: PeriodOfCare) => start < period.start || (period.end !== null && start > period.end);
        if (periods.every(out))
          yield {
            row,
            detail: `it starts ${longDate(start)}; the child's periods of care: ${periods.map(periodText).join('; ')}`,
          };
      }
    },
    examples: [
      {
        note: 'starting on the first or last day of a period of care is allowed',
        valid: {
          Episodes: [
            { DECOM: '01/05/2025', DEC: '01/07/2025' },
            { DECOM: '01/09/2025', DEC: '' },
          ],
          Missing: [{ MIS_START: '01/05/2025' }, { MIS_START: '01/07/2025' }, { MIS_START: '15/12/2025' }],
        },
        invalid: {
          Episodes: [
            { DECOM: '01/05/2025', DEC: '01/07/2025' },
            { DECOM: '01/09/2025', DEC: '' },
          ],
          Missing: [{ MIS_START: '30/04/2025' }, { MIS_START: '02/07/2025' }, { MIS_START: '01/09/2025' }],
        },
        flags: [
          ['Missing', 0],
          ['Missing', 1],
        ],
      },
    ],
  },
  {
    code: '580',
    tables: ['Episodes', 'Missing'],
    fields: ['REC'],
    meaning: `the child was missing when care ended on their 18th birthday, but the reason the episode ceased is not ${describeCode('REC', 'E8')}`,
    severity: 'warn',
    reason: MISSING_EPISODE_REASON,
    *check(child) {
      // The validator reads the date of birth given with the missing period, not the Header's.
      const birthdays = new Set(
        child.rows('Missing').flatMap((row) => {
          const born = dateOf(row, 'DOB');
          const ended = dateOf(row, 'MIS_END');
          return born !== null && ended !== null && addYears(born, 18) === ended ? [ended] : [];
        }),
      );
      for (const row of child.rows('Episodes')) {
        const ended = dateOf(row, 'DEC');
        if (ended !== null && birthdays.has(ended) && cell(row, 'REC') !== 'E8') {
          yield {
            row,
            column: 'REC',
            detail: `the missing period and the episode ended ${longDate(ended)}, the 18th birthday, and ${said(row, 'REC')}`,
          };
        }
      }
    },
    examples: [
      {
        valid: {
          Episodes: [{ DECOM: '01/01/2025', DEC: '15/06/2025', REC: 'E8' }],
          Missing: [
            { DOB: '15/06/2007', MISSING: 'M', MIS_START: '10/06/2025', MIS_END: '15/06/2025' },
            { DOB: '15/06/2007', MISSING: 'M', MIS_START: '10/05/2025', MIS_END: '14/05/2025' },
          ],
        },
        invalid: {
          Episodes: [{ DECOM: '01/01/2025', DEC: '15/06/2025', REC: 'E4A' }],
          Missing: [{ DOB: '15/06/2007', MISSING: 'M', MIS_START: '10/06/2025', MIS_END: '15/06/2025' }],
        },
        flags: [['Episodes', 0]],
      },
    ],
  },
  {
    code: '581',
    tables: ['Episodes', 'Missing'],
    fields: ['MIS_START'],
    meaning: 'the child was missing or away from placement on a date in none of their episodes of care',
    severity: 'warn',
    reason: MISSING_REASON,
    *check(child) {
      const episodes = child.rows('Episodes');
      if (episodes.length === 0) return;
      for (const row of child.rows('Missing')) {
        const start = dateOf(row, 'MIS_START');
        // A start that is blank or not a date lies in no episode: the validator flags it too.
        if (start === null) {
          yield { row, detail: `${said(row, 'MIS_START')}, so it lies in no episode` };
          continue;
        }
        const inEpisode = episodes.some((episode) => {
          const from = dateOf(episode, 'DECOM');
          const until = dateOf(episode, 'DEC');
          return from !== null && start >= from && (until === null || start <= until);
        });
        if (!inEpisode) yield { row, detail: `it starts ${longDate(start)}` };
      }
    },
    examples: [
      {
        note: 'starting on the first or last day of an episode is allowed',
        valid: {
          Episodes: [
            { DECOM: '01/05/2025', DEC: '01/07/2025' },
            { DECOM: '01/09/2025', DEC: '' },
          ],
          Missing: [{ MIS_START: '01/05/2025' }, { MIS_START: '01/07/2025' }, { MIS_START: '15/12/2025' }],
        },
        invalid: {
          Episodes: [
            { DECOM: '01/05/2025', DEC: '01/07/2025' },
            { DECOM: '01/09/2025', DEC: '' },
          ],
          Missing: [
            { MIS_START: '30/04/2025' },
            { MIS_START: '02/07/2025' },
            { MIS_START: '' },
            { MIS_START: '01/09/2025' },
          ],
        },
        flags: [
          ['Missing', 0],
          ['Missing', 1],
          ['Missing', 2],
        ],
      },
    ],
  },
  rowRule({
    code: '586',
    table: 'Missing',
    fields: ['MIS_START'],
    meaning: "a missing or away-from-placement period starts on or before the child's date of birth",
    severity: 'warn',
    reason: MISSING_REASON,
    // The date of birth given with the missing period, as the validator reads it.
    breaks: (row) => {
      const start = dateOf(row, 'MIS_START');
      const born = dateOf(row, 'DOB');
      return (
        start !== null && born !== null && start <= born && `it starts ${longDate(start)} and DOB is ${longDate(born)}`
      );
    },
    examples: [
      {
        note: 'the day after birth is allowed',
        valid: {
          Missing: [
            { DOB: '01/05/2010', MIS_START: '02/05/2010' },
            { DOB: '01/05/2010', MIS_START: '' },
          ],
        },
        invalid: {
          Missing: [
            { DOB: '01/05/2010', MIS_START: '01/05/2010' },
            { DOB: '01/05/2010', MIS_START: '30/04/2010' },
          ],
        },
        flags: [
          ['Missing', 0],
          ['Missing', 1],
        ],
      },
    ],
  }),
  dateRule({
    code: '1004',
    table: 'Missing',
    column: 'MIS_START',
    what: 'the start date of a missing or away-from-placement period',
    blank: 'breaks',
    severity: 'warn',
    reason: MISSING_REASON,
    examples: [
      {
        valid: { Missing: [{ MIS_START: '08/03/2026' }] },
        invalid: { Missing: [{ MIS_START: '' }, { MIS_START: '10/24/2025' }, { MIS_START: '13/10/25' }] },
        flags: [
          ['Missing', 0],
          ['Missing', 1],
          ['Missing', 2],
        ],
      },
    ],
  }),
  dateRule({
    code: '1005',
    table: 'Missing',
    column: 'MIS_END',
    what: 'the end date of a missing or away-from-placement period',
    blank: 'allowed',
    severity: 'warn',
    reason: MISSING_REASON,
    examples: [
      {
        valid: { Missing: [{ MIS_END: '08/03/2026' }, { MIS_END: '' }] },
        invalid: { Missing: [{ MIS_END: '13/10/25' }, { MIS_END: '31/02/2026' }] },
        flags: [
          ['Missing', 0],
          ['Missing', 1],
        ],
      },
    ],
  }),
  codeRule({
    code: '1006',
    table: 'Missing',
    column: 'MISSING',
    what: 'whether the child was missing or away from placement without authorisation',
    blank: 'allowed',
    severity: 'warn',
    reason: MISSING_REASON,
    examples: [
      {
        valid: { Missing: [{ MISSING: 'M' }, { MISSING: 'A' }, { MISSING: '' }] },
        invalid: { Missing: [{ MISSING: 'AWAY' }, { MISSING: 'm' }, { MISSING: 'NA' }] },
        flags: [
          ['Missing', 0],
          ['Missing', 1],
          ['Missing', 2],
        ],
      },
    ],
  }),
  rowRule({
    code: 'INT04',
    table: 'Missing',
    alsoReads: ['Header'],
    fields: ['CHILD'],
    meaning: 'the child of this missing or away-from-placement period is not in the Header table',
    severity: 'warn',
    reason:
      "a missing period of a child the return does not describe is kept for the return's owner to match, as no audit reads missing periods yet",
    breaks: (_row, child) => child.rows('Header').length === 0,
    examples: [
      {
        valid: { Header: [{}], Missing: [{}] },
        invalid: { Missing: [{}, {}] },
        flags: [
          ['Missing', 0],
          ['Missing', 1],
        ],
      },
    ],
  }),
  rowRule({
    code: 'INT13',
    table: 'Missing',
    alsoReads: ['Header'],
    fields: ['DOB'],
    meaning:
      "the date of birth given with a missing or away-from-placement period differs from the child's date of birth in the Header",
    severity: 'warn',
    reason:
      'the audits take the date of birth from the Header; the one beside a missing period is a copy, so the row is kept with a warning',
    breaks: (row, child) => {
      const here = dateOf(row, 'DOB');
      const header = child
        .rows('Header')
        .map((h) => dateOf(h, 'DOB'))
        .find((d) => d !== null);
      return (
        here !== null &&
        header !== undefined &&
        here !== header &&
        `DOB is ${longDate(here)}, the Header's ${longDate(header)}`
      );
    },
    examples: [
      {
        valid: { Header: [{ DOB: '01/05/2010' }], Missing: [{ DOB: '01/05/2010' }, { DOB: '' }] },
        invalid: { Header: [{ DOB: '01/05/2010' }], Missing: [{ DOB: '02/05/2010' }, { DOB: '01/05/2010' }] },
        flags: [['Missing', 0]],
      },
    ],
  }),
];

// ---------------------------------------------------------------------------------------------
// Social worker episodes (from 2023-24)
// ---------------------------------------------------------------------------------------------

/** SW10: the start of each social worker episode against the end of the one before it, within 7 days either side. */
function* sw10(child: ChildReturn, exemptFamilyRequests: boolean): Generator<Flag> {
  const rows = inDateOrder(child.rows('SWEpisodes'), 'SW_DECOM', 'SW_DEC');
  for (let i = 1; i < rows.length; i++) {
    const before = rows[i - 1]!;
    const row = rows[i]!;
    if (exemptFamilyRequests && cell(row, 'SW_REASON') === 'FCONTA') continue;
    const start = dateOf(row, 'SW_DECOM');
    const previousEnd = dateOf(before, 'SW_DEC');
    // Without both dates the gap cannot be shown to be within 7 days: the validator flags it.
    if (start === null || previousEnd === null) {
      yield {
        row,
        column: 'SW_DECOM',
        detail: `it starts ${shown(row, 'SW_DECOM')}; the episode before it (from ${shown(before, 'SW_DECOM')}) ends ${shown(before, 'SW_DEC')}`,
      };
    } else if (start < addDays(previousEnd, -7) || start > addDays(previousEnd, 7)) {
      yield {
        row,
        column: 'SW_DECOM',
        detail: `it starts ${longDate(start)}; the episode before it ended ${longDate(previousEnd)}`,
      };
    }
  }
}

/** SW12: every episode that starts or ends care, against each of the child's social worker episodes. */
function* sw12(child: ChildReturn, considered: (episode: ReturnRow) => boolean): Generator<Flag> {
  const starts = child.rows('SWEpisodes').map((row) => dateOf(row, 'SW_DECOM'));
  for (const episode of child.rows('Episodes')) {
    const rne = cell(episode, 'RNE');
    const rec = cell(episode, 'REC');
    if (['V3', 'V4'].includes(cell(episode, 'LS')) || !(rne === 'S' || rec !== 'X1') || !considered(episode)) continue;
    const from = dateOf(episode, 'DECOM');
    const until = dateOf(episode, 'DEC');
    // A social worker episode covers this one when it starts before care ends (an episode still
    // open ends after every date) or, for the first episode of care, on or after care starts.
    const covers = (start: string | null): boolean =>
      start !== null &&
      ((rec !== 'X1' && (!filled(episode, 'DEC') || (until !== null && start <= until))) ||
        (rne === 'S' && from !== null && start >= from));
    if (starts.length === 0) yield { row: episode, detail: 'the child has no social worker episodes' };
    else {
      const outside = starts.filter((start) => !covers(start));
      if (outside.length > 0) {
        yield {
          row: episode,
          detail: `the episode from ${shown(episode, 'DECOM')} (RNE ${rne || 'blank'}, ${filled(episode, 'DEC') ? `ended ${shown(episode, 'DEC')}, REC ${rec || 'blank'}` : 'still open'}) against social worker episodes starting ${outside.map((s) => (s === null ? 'blank' : longDate(s))).join(', ')}`,
        };
      }
    }
  }
}

/** The social worker episodes in start order, and each child's latest (its last in that order). */
const swInStartOrder = (child: ChildReturn): ReturnRow[] => inDateOrder(child.rows('SWEpisodes'), 'SW_DECOM');

const SOCIAL_WORKER_RULES: readonly Ssda903Rule[] = [
  {
    code: 'SW01STG1',
    tables: ['Episodes', 'SWEpisodes'],
    fields: ['DEC'],
    from: '2023-24',
    until: '2023-24',
    meaning:
      'the child is looked after on 31 March, but their social worker episodes are missing or incomplete (the social worker ID, start date or reason for the change is blank)',
    severity: 'warn',
    reason: SW_EPISODE_REASON,
    *check(child) {
      const episodes = child.rows('SWEpisodes');
      const incomplete = episodes.filter(
        (row) => !filled(row, 'SW_ID') || !filled(row, 'SW_DECOM') || !filled(row, 'SW_REASON'),
      );
      if (episodes.length > 0 && incomplete.length === 0) return;
      const detail =
        episodes.length === 0
          ? 'the child has no social worker episodes'
          : `${incomplete.length} social worker episode${incomplete.length === 1 ? ' lacks' : 's lack'} an ID, start date or reason`;
      // The validator reports the open episodes (it labels them SWEpisodes, but the rows are episodes).
      for (const row of child.rows('Episodes')) if (openAtYearEnd(row)) yield { row, column: 'DEC', detail };
    },
    examples: [
      {
        note: 'a short break (V3, V4) does not make the child looked after on 31 March',
        valid: {
          Episodes: [{ DECOM: '01/05/2025', DEC: '', LS: 'C2' }],
          SWEpisodes: [{ SW_ID: 'SW1', SW_DECOM: '01/05/2025', SW_REASON: 'MANAGE' }],
        },
        invalid: {
          Episodes: [
            { DECOM: '01/05/2025', DEC: '', LS: 'C2' },
            { DECOM: '01/04/2025', DEC: '', LS: 'V4' },
            { DECOM: '01/04/2025', DEC: '30/04/2025', LS: 'C2' },
          ],
          SWEpisodes: [{ SW_ID: 'SW1', SW_DECOM: '01/05/2025', SW_REASON: '' }],
        },
        flags: [['Episodes', 0]],
      },
      {
        note: 'no social worker episode at all',
        valid: { Episodes: [{ DECOM: '01/05/2025', DEC: '', LS: 'V3' }] },
        invalid: { Episodes: [{ DECOM: '01/05/2025', DEC: '', LS: 'C2' }] },
        flags: [['Episodes', 0]],
      },
    ],
  },
  rowRule({
    code: 'SW01aSTG1',
    table: 'SWEpisodes',
    fields: ['SW_DECOM', 'SW_ID'],
    from: '2024-25',
    meaning:
      'a social worker episode has no start date, or one that started before 1 April 2023 has no social worker ID',
    severity: 'warn',
    reason: SW_REASON,
    breaks: (row) => {
      const start = dateOf(row, 'SW_DECOM');
      if (start === null) return said(row, 'SW_DECOM');
      return start < REASONS_FROM && !filled(row, 'SW_ID') && `it started ${longDate(start)} and SW_ID is blank`;
    },
    examples: [
      {
        fixedDates: true,
        note: "from 1 April 2023 the ID is SW01b's business",
        valid: {
          SWEpisodes: [
            { SW_ID: '', SW_DECOM: '01/04/2023' },
            { SW_ID: 'SW1', SW_DECOM: '31/03/2023' },
          ],
        },
        invalid: {
          SWEpisodes: [
            { SW_ID: '', SW_DECOM: '31/03/2023' },
            { SW_ID: 'SW1', SW_DECOM: '' },
            { SW_ID: 'SW1', SW_DECOM: '31/02/2024' },
          ],
        },
        flags: [
          ['SWEpisodes', 0],
          ['SWEpisodes', 1],
          ['SWEpisodes', 2],
        ],
      },
    ],
  }),
  rowRule({
    code: 'SW01bSTG1',
    table: 'SWEpisodes',
    fields: ['SW_DECOM', 'SW_ID', 'SW_REASON'],
    from: '2024-25',
    meaning:
      'a social worker episode has no start date, or one that started on or after 1 April 2023 has no social worker ID or no reason for the change',
    severity: 'warn',
    reason: SW_REASON,
    breaks: (row) => {
      const start = dateOf(row, 'SW_DECOM');
      if (start === null) return said(row, 'SW_DECOM');
      const blank = ['SW_ID', 'SW_REASON'].filter((column) => !filled(row, column));
      return (
        start >= REASONS_FROM &&
        blank.length > 0 &&
        `it started ${longDate(start)} and ${blank.join(' and ')} ${blank.length === 1 ? 'is' : 'are'} blank`
      );
    },
    examples: [
      {
        fixedDates: true,
        note: 'before 1 April 2023 neither is required',
        valid: {
          SWEpisodes: [
            { SW_ID: '', SW_DECOM: '31/03/2023', SW_REASON: '' },
            { SW_ID: 'SW1', SW_DECOM: '01/04/2023', SW_REASON: 'MANAGE' },
          ],
        },
        invalid: {
          SWEpisodes: [
            { SW_ID: 'SW1', SW_DECOM: '01/04/2023', SW_REASON: '' },
            { SW_ID: '', SW_DECOM: '01/01/2024', SW_REASON: 'OTHERS' },
            { SW_ID: 'SW1', SW_DECOM: '', SW_REASON: 'OTHERS' },
          ],
        },
        flags: [
          ['SWEpisodes', 0],
          ['SWEpisodes', 1],
          ['SWEpisodes', 2],
        ],
      },
    ],
  }),
  rowRule({
    code: 'SW02STG1',
    table: 'SWEpisodes',
    fields: ['SW_ID'],
    from: '2023-24',
    meaning: 'the social worker ID does not begin with SW or XX',
    severity: 'warn',
    reason: SW_REASON,
    // Case matters, and a blank ID does not begin with either.
    breaks: (row) => !['SW', 'XX'].includes(cell(row, 'SW_ID').slice(0, 2)) && said(row, 'SW_ID'),
    examples: [
      {
        valid: { SWEpisodes: [{ SW_ID: 'SW000' }, { SW_ID: 'XX000' }, { SW_ID: 'SW' }] },
        invalid: { SWEpisodes: [{ SW_ID: 'aa00' }, { SW_ID: 'xx000' }, { SW_ID: '' }] },
        flags: [
          ['SWEpisodes', 0],
          ['SWEpisodes', 1],
          ['SWEpisodes', 2],
        ],
      },
    ],
  }),
  rowRule({
    code: 'SW03STG1',
    table: 'SWEpisodes',
    fields: ['SW_ID', 'SW_DECOM', 'SW_REASON'],
    from: '2023-24',
    until: '2023-24',
    meaning:
      'a social worker episode is incomplete: the social worker ID, start date or reason for the change is blank',
    severity: 'warn',
    reason: SW_REASON,
    breaks: (row) => {
      const blank = ['SW_ID', 'SW_DECOM', 'SW_REASON'].filter((column) => !filled(row, column));
      return blank.length > 0 && `${blank.join(' and ')} ${blank.length === 1 ? 'is' : 'are'} blank`;
    },
    examples: [
      {
        note: 'the end date may be blank',
        valid: { SWEpisodes: [{ SW_ID: 'SW1', SW_DECOM: '01/05/2025', SW_DEC: '', SW_REASON: 'MANAGE' }] },
        invalid: {
          SWEpisodes: [
            { SW_ID: '', SW_DECOM: '01/05/2025', SW_REASON: 'MANAGE' },
            { SW_ID: 'SW1', SW_DECOM: '', SW_REASON: 'MANAGE' },
            { SW_ID: 'SW1', SW_DECOM: '01/05/2025', SW_REASON: '' },
            { SW_ID: 'SW1', SW_DECOM: '01/05/2025', SW_DEC: '', SW_REASON: 'MANAGE' },
          ],
        },
        flags: [
          ['SWEpisodes', 0],
          ['SWEpisodes', 1],
          ['SWEpisodes', 2],
        ],
      },
    ],
  }),
  rowRule({
    code: 'SW04STG1',
    table: 'SWEpisodes',
    fields: ['SW_DECOM'],
    from: '2023-24',
    meaning:
      'the date the social worker episode began is not a real date written dd/mm/YYYY (ZZ for an unknown day or month, ZZZZ for an unknown year)',
    severity: 'warn',
    reason: SW_REASON,
    breaks: (row) =>
      filled(row, 'SW_DECOM') && !readableWithPlaceholders(cell(row, 'SW_DECOM')) && said(row, 'SW_DECOM'),
    examples: [
      {
        valid: {
          SWEpisodes: [
            { SW_DECOM: '01/01/2026' },
            { SW_DECOM: 'ZZ/ZZ/ZZZZ' },
            { SW_DECOM: '01/01/ZZZZ' },
            { SW_DECOM: '' },
          ],
        },
        invalid: { SWEpisodes: [{ SW_DECOM: 'zz' }, { SW_DECOM: '31/02/2026' }] },
        flags: [
          ['SWEpisodes', 0],
          ['SWEpisodes', 1],
        ],
      },
    ],
  }),
  rowRule({
    code: 'SW05STG1',
    table: 'SWEpisodes',
    fields: ['SW_DEC'],
    from: '2023-24',
    meaning:
      'the date the social worker episode ended is not a real date written dd/mm/YYYY (ZZ for an unknown day or month, ZZZZ for an unknown year)',
    severity: 'warn',
    reason: SW_REASON,
    breaks: (row) => filled(row, 'SW_DEC') && !readableWithPlaceholders(cell(row, 'SW_DEC')) && said(row, 'SW_DEC'),
    examples: [
      {
        valid: { SWEpisodes: [{ SW_DEC: '01/01/2026' }, { SW_DEC: 'ZZ/ZZ/ZZZZ' }, { SW_DEC: '' }] },
        invalid: { SWEpisodes: [{ SW_DEC: 'zz' }, { SW_DEC: '01/13/2026' }] },
        flags: [
          ['SWEpisodes', 0],
          ['SWEpisodes', 1],
        ],
      },
    ],
  }),
  rowRule({
    code: 'SW06STG2',
    table: 'SWEpisodes',
    fields: ['SW_DECOM'],
    from: '2023-24',
    // The validator's "social worker data reporting year" ends with the collection year and has no start here.
    meaning: 'a social worker episode starts after the end of the collection year',
    severity: 'warn',
    reason: SW_REASON,
    breaks: (row, _child, { end }) => {
      const start = dateOf(row, 'SW_DECOM');
      return start !== null && start > end && `it starts ${longDate(start)}`;
    },
    examples: [
      {
        note: 'starting on 31 March is allowed, and so is any earlier start',
        valid: { SWEpisodes: [{ SW_DECOM: '31/03/2026' }, { SW_DECOM: '01/01/2020' }, { SW_DECOM: '' }] },
        invalid: { SWEpisodes: [{ SW_DECOM: '01/04/2026' }] },
        flags: [['SWEpisodes', 0]],
      },
    ],
  }),
  rowRule({
    code: 'SW07STG2',
    table: 'SWEpisodes',
    fields: ['SW_DEC'],
    from: '2023-24',
    until: '2023-24',
    meaning: 'a social worker episode ends before the start or after the end of the collection year',
    severity: 'warn',
    reason: SW_REASON,
    breaks: (row, _child, { start, end }) => {
      const ended = dateOf(row, 'SW_DEC');
      return ended !== null && (ended < start || ended > end) && `it ends ${longDate(ended)}`;
    },
    examples: [
      {
        note: 'the first and last days of the year are allowed',
        valid: { SWEpisodes: [{ SW_DEC: '01/04/2025' }, { SW_DEC: '31/03/2026' }, { SW_DEC: '' }] },
        invalid: { SWEpisodes: [{ SW_DEC: '31/03/2025' }, { SW_DEC: '01/04/2026' }] },
        flags: [
          ['SWEpisodes', 0],
          ['SWEpisodes', 1],
        ],
      },
    ],
  }),
  rowRule({
    code: 'SW07STG2',
    table: 'SWEpisodes',
    fields: ['SW_DEC'],
    from: '2024-25',
    // From 2024-25 the social worker reporting period starts a year before the collection year.
    meaning: (year) =>
      `a social worker episode ends before ${longDate(addYears(collectionStart(year), -1))} (a year before the collection year starts) or after the end of the collection year`,
    severity: 'warn',
    reason: SW_REASON,
    breaks: (row, _child, { start, end }) => {
      const ended = dateOf(row, 'SW_DEC');
      return ended !== null && (ended < addYears(start, -1) || ended > end) && `it ends ${longDate(ended)}`;
    },
    examples: [
      {
        note: 'ending on 1 April a year before the collection year is allowed',
        valid: { SWEpisodes: [{ SW_DEC: '01/04/2024' }, { SW_DEC: '31/03/2026' }, { SW_DEC: '' }] },
        invalid: { SWEpisodes: [{ SW_DEC: '31/03/2024' }, { SW_DEC: '01/04/2026' }] },
        flags: [
          ['SWEpisodes', 0],
          ['SWEpisodes', 1],
        ],
      },
    ],
  }),
  {
    code: 'SW08STG2',
    tables: ['SWEpisodes'],
    fields: ['SW_DEC'],
    from: '2023-24',
    meaning: 'a new social worker episode has started, but the previous one has no end date',
    severity: 'warn',
    reason: SW_REASON,
    *check(child) {
      // Every episode but the latest (by start; an undated one counts as the latest) must have ended.
      const rows = swInStartOrder(child);
      for (const row of rows.slice(0, -1)) {
        if (dateOf(row, 'SW_DECOM') !== null && dateOf(row, 'SW_DEC') === null) {
          yield {
            row,
            column: 'SW_DEC',
            detail: `the episode from ${shown(row, 'SW_DECOM')} has ${filled(row, 'SW_DEC') ? `${said(row, 'SW_DEC')}` : 'no end date'}`,
          };
        }
      }
    },
    examples: [
      {
        valid: {
          SWEpisodes: [
            { SW_DECOM: '10/05/2025', SW_DEC: '' },
            { SW_DECOM: '01/05/2025', SW_DEC: '10/05/2025' },
          ],
        },
        invalid: {
          SWEpisodes: [
            { SW_DECOM: '10/05/2025', SW_DEC: '' },
            { SW_DECOM: '01/05/2025', SW_DEC: '' },
          ],
        },
        flags: [['SWEpisodes', 1]],
      },
    ],
  },
  rowRule({
    code: 'SW09STG2',
    table: 'SWEpisodes',
    fields: ['SW_DECOM', 'SW_DEC'],
    from: '2023-24',
    meaning: 'a social worker episode appears to have lasted less than 24 hours: it ends on the day it starts',
    severity: 'warn',
    reason: SW_REASON,
    breaks: (row) => {
      const start = dateOf(row, 'SW_DECOM');
      const sameText = filled(row, 'SW_DEC') && cell(row, 'SW_DEC') === cell(row, 'SW_DECOM');
      return (
        (sameText || (start !== null && start === dateOf(row, 'SW_DEC'))) &&
        `it starts and ends ${shown(row, 'SW_DECOM')}`
      );
    },
    examples: [
      {
        note: 'a day is enough',
        valid: {
          SWEpisodes: [
            { SW_DECOM: '01/05/2025', SW_DEC: '02/05/2025' },
            { SW_DECOM: '', SW_DEC: '' },
            { SW_DECOM: '', SW_DEC: '01/05/2025' },
          ],
        },
        invalid: { SWEpisodes: [{ SW_DECOM: '01/05/2025', SW_DEC: '01/05/2025' }] },
        flags: [['SWEpisodes', 0]],
      },
    ],
  }),
  {
    code: 'SW10STG2',
    tables: ['SWEpisodes'],
    fields: ['SW_DECOM'],
    from: '2023-24',
    until: '2023-24',
    meaning: 'a social worker episode does not start within 7 days of the end of the one before it',
    severity: 'warn',
    reason: SW_REASON,
    check: (child) => sw10(child, false),
    examples: [
      {
        note: '7 days before or after the previous end is allowed',
        valid: {
          SWEpisodes: [
            { SW_DECOM: '01/05/2025', SW_DEC: '10/05/2025' },
            { SW_DECOM: '03/05/2025', SW_DEC: '20/05/2025' },
            { SW_DECOM: '27/05/2025', SW_DEC: '' },
          ],
        },
        invalid: {
          SWEpisodes: [
            { SW_DECOM: '01/05/2025', SW_DEC: '10/05/2025' },
            { SW_DECOM: '02/05/2025', SW_DEC: '20/05/2025', SW_REASON: 'FCONTA' },
            { SW_DECOM: '28/05/2025', SW_DEC: '' },
          ],
        },
        flags: [
          ['SWEpisodes', 1],
          ['SWEpisodes', 2],
        ],
      },
    ],
  },
  {
    code: 'SW10STG2',
    tables: ['SWEpisodes'],
    fields: ['SW_DECOM'],
    from: '2024-25',
    meaning: `a social worker episode does not start within 7 days of the end of the one before it, and the change was not ${describeCode('SW_REASON', 'FCONTA')}`,
    severity: 'warn',
    reason: SW_REASON,
    check: (child) => sw10(child, true),
    examples: [
      {
        note: '7 days before or after the previous end is allowed, and any gap when the family asked for the change',
        valid: {
          SWEpisodes: [
            { SW_DECOM: '01/05/2025', SW_DEC: '10/05/2025', SW_REASON: 'MANAGE' },
            { SW_DECOM: '02/05/2025', SW_DEC: '20/05/2025', SW_REASON: 'FCONTA' },
            { SW_DECOM: '27/05/2025', SW_DEC: '', SW_REASON: 'LEFTRL' },
          ],
        },
        invalid: {
          SWEpisodes: [
            { SW_DECOM: '01/05/2025', SW_DEC: '10/05/2025', SW_REASON: 'MANAGE' },
            { SW_DECOM: '02/05/2025', SW_DEC: '20/05/2025', SW_REASON: 'MANAGE' },
            { SW_DECOM: '28/05/2025', SW_DEC: '', SW_REASON: '' },
          ],
        },
        flags: [
          ['SWEpisodes', 1],
          ['SWEpisodes', 2],
        ],
      },
    ],
  },
  {
    code: 'SW11aSTG2',
    tables: ['SWEpisodes'],
    fields: ['SW_DEC'],
    from: '2023-24',
    until: '2023-24',
    meaning:
      'a social worker episode ended more than 5 days before 31 March, and the next one does not start within 5 days of its end',
    severity: 'warn',
    reason: SW_REASON,
    *check(child, { end }) {
      const rows = swInStartOrder(child);
      for (let i = 1; i < rows.length; i++) {
        const before = rows[i - 1]!;
        const row = rows[i]!;
        const previousEnd = dateOf(before, 'SW_DEC');
        if (previousEnd === null || previousEnd > addDays(end, -5)) continue;
        const start = dateOf(row, 'SW_DECOM');
        if (start === null || start < addDays(previousEnd, -5) || start > addDays(previousEnd, 5)) {
          yield {
            row,
            column: 'SW_DECOM',
            detail: `the episode before it ended ${longDate(previousEnd)}, and this one starts ${shown(row, 'SW_DECOM')}`,
          };
        }
      }
    },
    examples: [
      {
        note: "starting 5 days after the previous end is allowed; an end in the last 5 days of the year is SW11b's business",
        valid: {
          SWEpisodes: [
            { SW_DECOM: '01/05/2025', SW_DEC: '10/05/2025' },
            { SW_DECOM: '15/05/2025', SW_DEC: '26/03/2026' },
            { SW_DECOM: '31/03/2026', SW_DEC: '' },
          ],
        },
        invalid: {
          SWEpisodes: [
            { SW_DECOM: '01/05/2025', SW_DEC: '10/05/2025' },
            { SW_DECOM: '16/05/2025', SW_DEC: '20/05/2025' },
            { SW_DECOM: '', SW_DEC: '' },
          ],
        },
        flags: [
          ['SWEpisodes', 1],
          ['SWEpisodes', 2],
        ],
      },
    ],
  },
  {
    code: 'SW11bSTG2',
    tables: ['SWEpisodes'],
    fields: ['SW_DEC'],
    from: '2023-24',
    meaning:
      'a social worker episode ended in the last 5 days of the collection year, and no later social worker episode with a start date follows it',
    severity: 'warn',
    reason: SW_REASON,
    *check(child, { end }) {
      const rows = swInStartOrder(child);
      for (let i = 0; i < rows.length; i++) {
        const row = rows[i]!;
        const ended = dateOf(row, 'SW_DEC');
        if (ended === null || ended < addDays(end, -5) || ended > end) continue;
        const next = rows[i + 1];
        // The next episode without a start date is the one at fault; with none, this one is.
        if (next === undefined)
          yield { row, column: 'SW_DEC', detail: `it ends ${longDate(ended)} and no social worker episode follows it` };
        else if (dateOf(next, 'SW_DECOM') === null)
          yield {
            row: next,
            column: 'SW_DECOM',
            detail: `the episode before it ended ${longDate(ended)}, and ${said(next, 'SW_DECOM')}`,
          };
      }
    },
    examples: [
      {
        note: 'an episode ending 5 days before the year ends must be followed by one with a start date',
        valid: {
          SWEpisodes: [
            { SW_DECOM: '01/04/2025', SW_DEC: '26/03/2026' },
            { SW_DECOM: '27/03/2026', SW_DEC: '' },
          ],
        },
        invalid: {
          SWEpisodes: [
            { SW_DECOM: '01/04/2025', SW_DEC: '26/03/2026' },
            { SW_DECOM: '', SW_DEC: '' },
          ],
        },
        flags: [['SWEpisodes', 1]],
      },
      {
        note: "the last episode ending in the last 5 days; one ending 6 days before the year ends is SW11a's business",
        valid: { SWEpisodes: [{ SW_DECOM: '01/04/2025', SW_DEC: '25/03/2026' }] },
        invalid: {
          SWEpisodes: [
            { SW_DECOM: '01/03/2026', SW_DEC: '25/03/2026' },
            { SW_DECOM: '26/03/2026', SW_DEC: '31/03/2026' },
          ],
        },
        flags: [['SWEpisodes', 1]],
      },
    ],
  },
  {
    code: 'SW12STG2',
    tables: ['Episodes', 'SWEpisodes'],
    fields: ['SW_DECOM'],
    from: '2023-24',
    until: '2023-24',
    meaning:
      "the social worker episodes do not cover the child's care: every episode that starts care or does not end in a change of placement (short breaks under V3 or V4 aside) needs social worker episodes, each starting on or after care began or before it ended",
    severity: 'warn',
    reason: SW_EPISODE_REASON,
    check: (child) => sw12(child, () => true),
    examples: [
      {
        note: 'an open first episode of care is covered by any social worker episode with a start date, even one from before care',
        valid: {
          Episodes: [{ DECOM: '01/05/2025', DEC: '', RNE: 'S', REC: '', LS: 'C2' }],
          SWEpisodes: [{ SW_DECOM: '01/01/2025' }, { SW_DECOM: '01/05/2025' }],
        },
        invalid: {
          Episodes: [
            { DECOM: '01/05/2025', DEC: '', RNE: 'S', REC: '', LS: 'C2' },
            { DECOM: '01/07/2025', DEC: '', RNE: 'S', REC: '', LS: 'V3' },
          ],
          SWEpisodes: [{ SW_DECOM: '01/01/2025' }, { SW_DECOM: '' }],
        },
        flags: [['Episodes', 0]],
      },
      {
        note: 'a first episode of care ending in a change of placement needs its social worker episodes to start on or after care began',
        valid: {
          Episodes: [
            { DECOM: '01/05/2025', DEC: '01/07/2025', RNE: 'S', REC: 'X1', LS: 'C2' },
            { DECOM: '01/07/2025', DEC: '', RNE: 'P', REC: '', LS: 'C2' },
          ],
          SWEpisodes: [{ SW_DECOM: '01/05/2025' }],
        },
        invalid: {
          Episodes: [
            { DECOM: '01/05/2025', DEC: '01/07/2025', RNE: 'S', REC: 'X1', LS: 'C2' },
            { DECOM: '01/07/2025', DEC: '', RNE: 'P', REC: '', LS: 'C2' },
          ],
          SWEpisodes: [{ SW_DECOM: '30/04/2025' }],
        },
        flags: [['Episodes', 0]],
      },
      {
        note: 'no social worker episode at all',
        valid: {
          Episodes: [{ DECOM: '01/05/2025', DEC: '01/07/2025', RNE: 'P', REC: 'X1', LS: 'C2' }],
          SWEpisodes: [],
        },
        invalid: { Episodes: [{ DECOM: '01/05/2025', DEC: '', RNE: 'P', REC: '', LS: 'C2' }], SWEpisodes: [] },
        flags: [['Episodes', 0]],
      },
    ],
  },
  {
    code: 'SW12STG2',
    tables: ['Episodes', 'SWEpisodes'],
    fields: ['SW_DECOM'],
    from: '2024-25',
    meaning: (year) =>
      `the social worker episodes do not cover the child's care: every episode that starts care or does not end in a change of placement (short breaks under V3 or V4 aside), and is still open or ended on or after ${longDate(addYears(collectionStart(year), -1))}, needs social worker episodes, each starting on or after care began or before it ended`,
    severity: 'warn',
    reason: SW_EPISODE_REASON,
    // Only care ending in the social worker reporting period (from a year before the collection year), or not ended.
    check: (child, { start, end }) =>
      sw12(child, (episode) => {
        const ended = dateOf(episode, 'DEC');
        return ended === null || (ended >= addYears(start, -1) && ended <= end);
      }),
    examples: [
      {
        note: 'care that ended before the reporting period needs no social worker episode',
        valid: {
          Episodes: [
            { DECOM: '01/05/2023', DEC: '31/03/2024', RNE: 'P', REC: 'E4A', LS: 'C2' },
            { DECOM: '01/05/2025', DEC: '', RNE: 'S', REC: '', LS: 'C2' },
          ],
          SWEpisodes: [{ SW_DECOM: '01/05/2025' }],
        },
        invalid: {
          Episodes: [
            { DECOM: '01/05/2023', DEC: '01/04/2024', RNE: 'P', REC: 'E4A', LS: 'C2' },
            { DECOM: '01/05/2025', DEC: '', RNE: 'S', REC: '', LS: 'C2' },
          ],
          SWEpisodes: [{ SW_DECOM: '01/05/2025' }],
        },
        flags: [['Episodes', 0]],
      },
    ],
  },
  codeRule({
    code: 'SW13STG1',
    table: 'SWEpisodes',
    column: 'SW_REASON',
    what: 'the reason for the change of social worker',
    blank: 'breaks',
    from: '2023-24',
    until: '2023-24',
    severity: 'warn',
    reason: SW_REASON,
    examples: [
      {
        valid: { SWEpisodes: [{ SW_REASON: 'SWDIED' }, { SW_REASON: 'CHCHAN' }] },
        invalid: { SWEpisodes: [{ SW_REASON: 'LAZINESS' }, { SW_REASON: '' }, { SW_REASON: 'manage' }] },
        flags: [
          ['SWEpisodes', 0],
          ['SWEpisodes', 1],
          ['SWEpisodes', 2],
        ],
      },
    ],
  }),
  rowRule({
    code: 'SW13STG1',
    table: 'SWEpisodes',
    fields: ['SW_REASON'],
    from: '2024-25',
    meaning: (year) =>
      `the reason for the change of social worker is not one of the ${year} return's codes (${listCodes('SW_REASON', year)}), or is blank for an episode starting on or after 1 April 2023`,
    severity: 'warn',
    reason: SW_REASON,
    breaks: (row, _child, { year }) => {
      const reason = cell(row, 'SW_REASON');
      if (reason !== '') return !isCode('SW_REASON', year, reason) && said(row, 'SW_REASON');
      const start = dateOf(row, 'SW_DECOM');
      return start !== null && start >= REASONS_FROM && `it started ${longDate(start)} and SW_REASON is blank`;
    },
    examples: [
      {
        fixedDates: true,
        note: 'a blank reason is allowed before 1 April 2023',
        valid: {
          SWEpisodes: [
            { SW_REASON: 'SWDIED', SW_DECOM: '01/01/2000' },
            { SW_REASON: '', SW_DECOM: '31/03/2023' },
          ],
        },
        invalid: {
          SWEpisodes: [
            { SW_REASON: 'LAZINESS', SW_DECOM: '01/01/2000' },
            { SW_REASON: '', SW_DECOM: '01/04/2023' },
          ],
        },
        flags: [
          ['SWEpisodes', 0],
          ['SWEpisodes', 1],
        ],
      },
    ],
  }),
  {
    code: 'SW14STG2',
    tables: ['SWEpisodes'],
    fields: ['SW_DEC'],
    from: '2023-24',
    until: '2023-24',
    meaning: "a social worker episode other than the child's latest has no end date",
    severity: 'warn',
    reason: SW_REASON,
    *check(child) {
      for (const row of swInStartOrder(child).slice(0, -1)) {
        if (dateOf(row, 'SW_DEC') === null)
          yield {
            row,
            column: 'SW_DEC',
            detail: `the episode from ${shown(row, 'SW_DECOM')} has ${filled(row, 'SW_DEC') ? said(row, 'SW_DEC') : 'no end date'}`,
          };
      }
    },
    examples: [
      {
        valid: {
          SWEpisodes: [
            { SW_DECOM: '01/05/2025', SW_DEC: '10/05/2025' },
            { SW_DECOM: '10/05/2025', SW_DEC: '' },
          ],
        },
        invalid: {
          SWEpisodes: [
            { SW_DECOM: '01/05/2025', SW_DEC: '' },
            { SW_DECOM: '10/05/2025', SW_DEC: '01/06/2025' },
          ],
        },
        flags: [['SWEpisodes', 0]],
      },
    ],
  },
  {
    code: 'SW17STG2',
    tables: ['SWEpisodes'],
    fields: ['SW_DEC', 'SW_DECOM'],
    from: '2025-26',
    meaning: 'the child has no social worker episode open at 31 March: their latest one has an end date',
    severity: 'warn',
    reason: SW_REASON,
    *check(child) {
      // The latest start; of several on that day, the first in the file (as the validator picks it).
      const rows = child.rows('SWEpisodes');
      let latest: ReturnRow | undefined;
      for (const row of rows) {
        const start = dateOf(row, 'SW_DECOM');
        const best = latest === undefined ? null : dateOf(latest, 'SW_DECOM');
        if (latest === undefined || (start !== null && (best === null || start > best))) latest = row;
      }
      if (latest && filled(latest, 'SW_DEC'))
        yield {
          row: latest,
          column: 'SW_DEC',
          detail: `the latest, from ${shown(latest, 'SW_DECOM')}, ends ${shown(latest, 'SW_DEC')}`,
        };
    },
    examples: [
      {
        valid: {
          SWEpisodes: [
            { SW_DECOM: '01/05/2025', SW_DEC: '10/05/2025' },
            { SW_DECOM: '10/05/2025', SW_DEC: '' },
          ],
        },
        invalid: {
          SWEpisodes: [
            { SW_DECOM: '01/05/2025', SW_DEC: '' },
            { SW_DECOM: '10/05/2025', SW_DEC: '31/03/2026' },
          ],
        },
        flags: [['SWEpisodes', 1]],
      },
    ],
  },
];

// ---------------------------------------------------------------------------------------------
// Deprivation of liberty (DoLo, from 2026-27)
// ---------------------------------------------------------------------------------------------

/**
 * Rules 709 and 710: each DoLo with a start and an end, against each episode it overlaps (the DoLo
 * starts on or before the episode ends, or the episode is open, and ends on or after it starts);
 * `wrong` says which placements are at fault. Both the DoLo and the episode are flagged, once each.
 */
function* placementsDuringDolo(child: ChildReturn, wrong: (place: string) => boolean): Generator<Flag> {
  const episodeFlags = new Map<ReturnRow, string[]>();
  for (const dolo of child.rows('DoLo')) {
    if (!filled(dolo, 'DOLO_START') || !filled(dolo, 'DOLO_END')) continue;
    const from = dateOf(dolo, 'DOLO_START');
    const until = dateOf(dolo, 'DOLO_END');
    if (from === null || until === null) continue;
    const found: string[] = [];
    for (const episode of child.rows('Episodes')) {
      const start = dateOf(episode, 'DECOM');
      const end = dateOf(episode, 'DEC');
      if (start === null || until < start || (end !== null && from > end)) continue;
      const place = cell(episode, 'PLACE');
      if (!wrong(place)) continue;
      const placed = `the placement from ${longDate(start)} is ${place === '' ? 'blank' : describeCode('PLACE', place)}`;
      found.push(placed);
      episodeFlags.set(episode, [
        ...(episodeFlags.get(episode) ?? []),
        `the DoLO from ${longDate(from)} to ${longDate(until)}`,
      ]);
    }
    if (found.length > 0) yield { row: dolo, column: 'DOLO_START', detail: found.join('; ') };
  }
  for (const [episode, dolos] of episodeFlags)
    yield { row: episode, column: 'PLACE', detail: `${said(episode, 'PLACE')} during ${dolos.join(' and ')}` };
}

const DOLO_RULES: readonly Ssda903Rule[] = [
  dateRule({
    code: '700',
    table: 'DoLo',
    column: 'DOLO_START',
    what: 'the start date of the deprivation of liberty',
    blank: 'breaks',
    from: '2026-27',
    severity: 'warn',
    reason: DOLO_REASON,
    examples: [
      {
        valid: { DoLo: [{ DOLO_START: '01/01/2026' }] },
        invalid: { DoLo: [{ DOLO_START: '' }, { DOLO_START: '2025/12/10' }] },
        flags: [
          ['DoLo', 0],
          ['DoLo', 1],
        ],
      },
    ],
  }),
  dateRule({
    code: '701',
    table: 'DoLo',
    column: 'DOLO_END',
    what: 'the end date of the deprivation of liberty',
    blank: 'allowed',
    from: '2026-27',
    severity: 'warn',
    reason: DOLO_REASON,
    examples: [
      {
        valid: { DoLo: [{ DOLO_END: '01/01/2026' }, { DOLO_END: '' }] },
        invalid: { DoLo: [{ DOLO_END: '2025/12/10' }] },
        flags: [['DoLo', 0]],
      },
    ],
  }),
  rowRule({
    code: '702',
    table: 'DoLo',
    fields: ['DOLO_END', 'DOLO_START'],
    from: '2026-27',
    meaning: 'a deprivation of liberty ends on or before the day it starts',
    severity: 'warn',
    reason: DOLO_REASON,
    breaks: (row) => {
      const start = dateOf(row, 'DOLO_START');
      const end = dateOf(row, 'DOLO_END');
      return start !== null && end !== null && end <= start && `it starts ${longDate(start)} and ends ${longDate(end)}`;
    },
    examples: [
      {
        note: 'ending the day after it starts is allowed; the same day is not',
        valid: {
          DoLo: [
            { DOLO_START: '01/01/2026', DOLO_END: '02/01/2026' },
            { DOLO_START: '01/01/2026', DOLO_END: '' },
          ],
        },
        invalid: {
          DoLo: [
            { DOLO_START: '01/01/2026', DOLO_END: '01/01/2026' },
            { DOLO_START: '02/01/2026', DOLO_END: '01/01/2026' },
          ],
        },
        flags: [
          ['DoLo', 0],
          ['DoLo', 1],
        ],
      },
    ],
  }),
  rowRule({
    code: '703',
    table: 'DoLo',
    fields: ['DOLO_START'],
    from: '2026-27',
    meaning: 'a deprivation of liberty starts after the end of the collection year',
    severity: 'warn',
    reason: DOLO_REASON,
    breaks: (row, _child, { end }) => {
      const start = dateOf(row, 'DOLO_START');
      return start !== null && start > end && `it starts ${longDate(start)}`;
    },
    examples: [
      {
        note: 'starting on 31 March is allowed',
        valid: { DoLo: [{ DOLO_START: '31/03/2026' }, { DOLO_START: '01/01/2020' }] },
        invalid: { DoLo: [{ DOLO_START: '01/04/2026' }] },
        flags: [['DoLo', 0]],
      },
    ],
  }),
  rowRule({
    code: '704',
    table: 'DoLo',
    fields: ['DOLO_END'],
    from: '2026-27',
    meaning: 'a deprivation of liberty ends before the start or after the end of the collection year',
    severity: 'warn',
    reason: DOLO_REASON,
    breaks: (row, _child, { start, end }) => {
      const ended = dateOf(row, 'DOLO_END');
      return ended !== null && (ended < start || ended > end) && `it ends ${longDate(ended)}`;
    },
    examples: [
      {
        note: 'the first and last days of the year are allowed',
        valid: { DoLo: [{ DOLO_END: '01/04/2025' }, { DOLO_END: '31/03/2026' }, { DOLO_END: '' }] },
        invalid: { DoLo: [{ DOLO_END: '31/03/2025' }, { DOLO_END: '01/04/2026' }] },
        flags: [
          ['DoLo', 0],
          ['DoLo', 1],
        ],
      },
    ],
  }),
  {
    code: '705',
    tables: ['DoLo'],
    fields: ['DOLO_START', 'DOLO_END'],
    from: '2026-27',
    meaning: 'a deprivation of liberty starts while the previous one is still open, or overlaps it',
    severity: 'warn',
    reason: DOLO_REASON,
    check: (child) => overlapping(child, 'DoLo', 'DOLO_START', 'DOLO_END', 'DoLO'),
    examples: [
      {
        note: 'a DoLO may start on the day the previous one ends',
        valid: {
          DoLo: [
            { DOLO_START: '01/05/2025', DOLO_END: '04/05/2025' },
            { DOLO_START: '04/05/2025', DOLO_END: '10/05/2025' },
            { DOLO_START: '12/05/2025', DOLO_END: '' },
          ],
        },
        invalid: {
          DoLo: [
            { DOLO_START: '01/05/2025', DOLO_END: '04/05/2025' },
            { DOLO_START: '03/05/2025', DOLO_END: '06/05/2025' },
            { DOLO_START: '01/06/2025', DOLO_END: 'o2/06/2025' },
            { DOLO_START: '04/06/2025', DOLO_END: '10/06/2025' },
          ],
        },
        flags: [
          ['DoLo', 1],
          ['DoLo', 3],
        ],
      },
    ],
  },
  {
    code: '706',
    tables: ['DoLo', 'Header'],
    fields: ['DOLO_START'],
    from: '2026-27',
    previous: true,
    meaning: "last year's return has an open deprivation of liberty, and none this year starts on the same date",
    severity: 'warn',
    reason: DOLO_REASON,
    *check(child) {
      const last = child.previous('DoLo');
      if (last === null) return;
      const rows = child.rows('DoLo');
      const starts = new Set(rows.map((row) => dateOf(row, 'DOLO_START')));
      // The validator points at last year's row; here the finding goes on this year's first DoLO,
      // or on the child's Header row when this year has none.
      const first = inDateOrder(rows, 'DOLO_START')[0];
      const at = first ?? child.rows('Header')[0];
      if (at === undefined) return;
      for (const open of last) {
        const openStart = dateOf(open, 'DOLO_START');
        if (filled(open, 'DOLO_END') || openStart === null || starts.has(openStart)) continue;
        yield {
          row: at,
          column: first ? 'DOLO_START' : 'CHILD',
          detail: `last year's DoLO from ${longDate(openStart)} is open, and ${first ? `this year's first starts ${shown(first, 'DOLO_START')}` : 'this year has none'}`,
        };
      }
    },
    examples: [
      {
        valid: {
          Header: [{}],
          DoLo: [
            { DOLO_START: '01/06/2025', DOLO_END: '' },
            { DOLO_START: '20/03/2025', DOLO_END: '02/04/2025' },
          ],
          previous: {
            DoLo: [
              { DOLO_START: '01/01/2025', DOLO_END: '05/01/2025' },
              { DOLO_START: '20/03/2025', DOLO_END: '' },
            ],
          },
        },
        invalid: {
          Header: [{}],
          DoLo: [
            { DOLO_START: '01/06/2025', DOLO_END: '' },
            { DOLO_START: '21/03/2025', DOLO_END: '02/04/2025' },
          ],
          previous: { DoLo: [{ DOLO_START: '20/03/2025', DOLO_END: '' }] },
        },
        flags: [['DoLo', 1]],
      },
      {
        note: 'no DoLO at all this year',
        valid: { Header: [{}], previous: { DoLo: [{ DOLO_START: '20/03/2025', DOLO_END: '30/03/2025' }] } },
        invalid: { Header: [{}], previous: { DoLo: [{ DOLO_START: '20/03/2025', DOLO_END: '' }] } },
        flags: [['Header', 0]],
      },
    ],
  },
  {
    code: '707',
    tables: ['DoLo', 'Episodes'],
    fields: ['DOLO_END'],
    from: '2026-27',
    meaning:
      'a deprivation of liberty is still open after the child ceased to be looked after, or ends outside every period of care',
    severity: 'warn',
    reason: DOLO_REASON,
    check: (child) => outsideCare(child, 'DoLo', 'DOLO_START', 'DOLO_END', 'DoLO'),
    examples: [
      {
        note: 'ending on the day care ends is allowed; an open DoLO in open care is allowed',
        valid: {
          Episodes: [
            { DECOM: '01/05/2025', DEC: '01/07/2025' },
            { DECOM: '01/09/2025', DEC: '' },
          ],
          DoLo: [
            { DOLO_START: '10/05/2025', DOLO_END: '01/07/2025' },
            { DOLO_START: '10/09/2025', DOLO_END: '' },
          ],
        },
        invalid: {
          Episodes: [
            { DECOM: '01/05/2025', DEC: '01/07/2025' },
            { DECOM: '01/09/2025', DEC: '' },
          ],
          DoLo: [
            { DOLO_START: '10/05/2025', DOLO_END: '' },
            { DOLO_START: '10/05/2025', DOLO_END: '02/07/2025' },
          ],
        },
        flags: [
          ['DoLo', 0],
          ['DoLo', 1],
        ],
      },
    ],
  },
  rowRule({
    code: '708',
    table: 'DoLo',
    fields: ['DOLO_START'],
    from: '2026-27',
    meaning: "a deprivation of liberty starts on or before the child's date of birth",
    severity: 'warn',
    reason: DOLO_REASON,
    // The date of birth given with the DoLO, as the validator reads it.
    breaks: (row) => {
      const start = dateOf(row, 'DOLO_START');
      const born = dateOf(row, 'DOB');
      return (
        start !== null && born !== null && start <= born && `it starts ${longDate(start)} and DOB is ${longDate(born)}`
      );
    },
    examples: [
      {
        note: 'the day after birth is allowed',
        valid: {
          DoLo: [
            { DOB: '01/01/2012', DOLO_START: '02/01/2012' },
            { DOB: '', DOLO_START: '01/01/2012' },
          ],
        },
        invalid: {
          DoLo: [
            { DOB: '01/01/2012', DOLO_START: '01/01/2012' },
            { DOB: '01/01/2012', DOLO_START: '01/01/2011' },
          ],
        },
        flags: [
          ['DoLo', 0],
          ['DoLo', 1],
        ],
      },
    ],
  }),
  {
    code: '709',
    tables: ['DoLo', 'Episodes'],
    fields: ['DOLO_START', 'PLACE'],
    from: '2026-27',
    meaning:
      "during a deprivation of liberty the child was placed somewhere other than a children's home (K2) or the other placements Z12 and Z13",
    severity: 'warn',
    reason:
      "no audit reads deprivations of liberty yet, and the episode's placement is not in doubt, only its fit with the DoLO: both rows are kept with a warning",
    check: (child) => placementsDuringDolo(child, (place) => !['K2', 'Z12', 'Z13'].includes(place)),
    examples: [
      {
        note: 'a DoLO ending the day before the placement starts does not overlap it',
        valid: {
          Episodes: [
            { DECOM: '01/01/2026', DEC: '04/01/2026', PLACE: 'U4' },
            { DECOM: '04/01/2026', DEC: '', PLACE: 'K2' },
          ],
          DoLo: [
            { DOLO_START: '05/01/2026', DOLO_END: '20/01/2026' },
            { DOLO_START: '25/12/2025', DOLO_END: '31/12/2025' },
            { DOLO_START: '02/01/2026', DOLO_END: '' },
          ],
        },
        invalid: {
          Episodes: [
            { DECOM: '01/01/2026', DEC: '04/01/2026', PLACE: 'U4' },
            { DECOM: '04/01/2026', DEC: '', PLACE: 'K2' },
          ],
          DoLo: [
            { DOLO_START: '04/01/2026', DOLO_END: '20/01/2026' },
            { DOLO_START: '25/12/2025', DOLO_END: '01/01/2026' },
          ],
        },
        flags: [
          ['DoLo', 0],
          ['DoLo', 1],
          ['Episodes', 0],
        ],
      },
    ],
  },
  {
    code: '710',
    tables: ['DoLo', 'Episodes'],
    fields: ['DOLO_START', 'PLACE'],
    from: '2026-27',
    meaning:
      "during a deprivation of liberty the child was placed in a secure children's home (K1), with parents (P1), in a young offender institution (R5) or in supported accommodation (K3)",
    severity: 'warn',
    reason:
      "no audit reads deprivations of liberty yet, and the episode's placement is not in doubt, only its fit with the DoLO: both rows are kept with a warning",
    check: (child) => placementsDuringDolo(child, (place) => ['K1', 'P1', 'R5', 'K3'].includes(place)),
    examples: [
      {
        valid: {
          Episodes: [
            { DECOM: '01/01/2026', DEC: '04/01/2026', PLACE: 'P1' },
            { DECOM: '04/01/2026', DEC: '', PLACE: 'K2' },
          ],
          DoLo: [
            { DOLO_START: '05/01/2026', DOLO_END: '20/01/2026' },
            { DOLO_START: '02/01/2026', DOLO_END: '' },
          ],
        },
        invalid: {
          Episodes: [
            { DECOM: '01/01/2026', DEC: '04/01/2026', PLACE: 'P1' },
            { DECOM: '04/01/2026', DEC: '', PLACE: 'K1' },
          ],
          DoLo: [
            { DOLO_START: '02/01/2026', DOLO_END: '03/01/2026' },
            { DOLO_START: '04/01/2026', DOLO_END: '20/01/2026' },
          ],
        },
        flags: [
          ['DoLo', 0],
          ['DoLo', 1],
          ['Episodes', 0],
          ['Episodes', 1],
        ],
      },
    ],
  },
];

/** Every DfE rule on missing periods, social worker episodes and DoLOs that the importer checks. */
export const MISSING_AND_SOCIAL_WORKER_RULES: readonly Ssda903Rule[] = [
  ...MISSING_RULES,
  ...SOCIAL_WORKER_RULES,
  ...DOLO_RULES,
];

/** None of this family's rules is set aside: each reads only fields the product imports. */
export const MISSING_AND_SOCIAL_WORKER_RULES_NOT_APPLIED: readonly RuleNotApplied[] = [];
