/**
 * The DfE's rules on the Header table: who the child is (sex, date of birth, ethnicity, UPN,
 * motherhood), the child's UASC status and the date it ceased, what the Header says against last
 * year's return, and the integrity checks that tie every other table to the Header.
 */
import { SEXES_UNTIL_2023_24 } from '#domain/codes';
import { collectionEnd, collectionStart, type RuleYear, type CollectionYear } from '#domain/collection-year';
import {
  addYears,
  cell,
  dateOf,
  filled,
  longDate,
  type ChildReturn,
  type ReturnContext,
  type ReturnRow,
} from '../return.ts';
import { codeRule, dateRule, rowRule, type Flag, type RuleNotApplied, type Ssda903Rule } from '../rule.ts';

// ---------------------------------------------------------------------------------------------
// Helpers of the family
// ---------------------------------------------------------------------------------------------

/** A coded cell as the DfE compares it: upper case (its loader upper-cases every cell it reads). */
const code = (row: ReturnRow, column: string): string => cell(row, column).toUpperCase();

/** The codes a return gives in place of a UPN it does not know: UN1 to UN5. */
export const UPN_UNKNOWN_CODES: ReadonlySet<string> = new Set(['UN1', 'UN2', 'UN3', 'UN4', 'UN5']);

/** A UPN: a letter other than I, O or S, then 12 digits, or 11 digits and a check letter. */
const UPN_PATTERN = /^[A-HJ-NP-RT-Z](\d{12}|\d{11}[A-Z])$/;

/**
 * Which UPNs more than one child of the return holds (rule 444, "duplicate UPN"), built a Header row
 * at a time so the importer can keep one as it reads a national return. Blank UPNs and the "UPN
 * unknown" codes UN1–UN5 are not UPNs and never count. UPNs are compared in upper case and children
 * by their id, case-insensitively (as the importer groups them); a child whose own Header row is
 * repeated is INT32's business, not a duplicate UPN. A per-child rule cannot see the other
 * children, so the loader adds every Header row to one index and reports 444 on the rows whose UPN
 * it says is shared, with the rule's severity.
 */
export class UpnIndex {
  /** UPN → the first child holding it; UPNs a second child holds too. */
  private readonly first = new Map<string, string>();
  private readonly sharedUpns = new Set<string>();

  /** The UPN a Header row holds, or null when it holds none (blank, or a UN code). */
  static upnOf(row: Pick<ReturnRow, 'cells'>): string | null {
    const upn = (row.cells.UPN ?? '').trim().toUpperCase();
    return upn === '' || UPN_UNKNOWN_CODES.has(upn) ? null : upn;
  }

  add(row: Pick<ReturnRow, 'cells'>): void {
    const upn = UpnIndex.upnOf(row);
    if (upn === null) return;
    const child = (row.cells.CHILD ?? '').trim().toUpperCase();
    const holder = this.first.get(upn);
    if (holder === undefined) this.first.set(upn, child);
    else if (holder !== child) this.sharedUpns.add(upn);
  }

  /** Whether the row's UPN is one another child holds too. */
  shared(row: Pick<ReturnRow, 'cells'>): boolean {
    const upn = UpnIndex.upnOf(row);
    return upn !== null && this.sharedUpns.has(upn);
  }
}

/** Given every Header row of an import, the rows whose UPN another child holds too (rule 444). */
export function duplicateUpnRows(rows: Iterable<ReturnRow>): ReturnRow[] {
  const all = [...rows];
  const index = new UpnIndex();
  for (const row of all) index.add(row);
  return all.filter((row) => index.shared(row));
}

/**
 * The return's sex codes by span of years: 1 (male) and 2 (female) until 2023-24, M and F from
 * 2024-25. Rules that ask whether the child is a girl or a boy have one definition per span.
 */
const SEX_SPANS = [
  { years: { until: '2023-24' }, male: '1', female: '2' },
  { years: { from: '2024-25' }, male: 'M', female: 'F' },
] as const satisfies readonly { years: { from?: RuleYear; until?: RuleYear }; male: string; female: string }[];

/** A sex code in today's terms (a 2023-24 return's 1 is M, 2 is F), so two years' returns compare. */
function currentSex(row: ReturnRow): string {
  const sex = code(row, 'SEX');
  return (SEXES_UNTIL_2023_24 as Readonly<Record<string, string>>)[sex] ?? sex;
}

/** Legal statuses of short-break (respite) care: a child on V3 or V4 only is not looked after full time. */
const SHORT_BREAKS: ReadonlySet<string> = new Set(['V3', 'V4']);

/** One UASC record of a child in one year: a UASC row (or the XML's bare flag, `row` null) and its dates. */
interface UascRecord {
  row: ReturnRow | null;
  /** The date status ceased as written ('' when blank). */
  ducText: string;
  duc: string | null;
  /** The date of birth the UASC row gives (used for the 18th birthday). */
  dob: string | null;
}

/** A child's UASC picture in one year's return, one Header row joined to the UASC table as the DfE joins them. */
interface UascYear {
  /** The Header row (undefined when the child has none that year). */
  header: ReturnRow | undefined;
  /**
   * The UASC status: the XML's UASC flag on the Header row; for a CSV return (no flag on the
   * Header), '1' when the child has a row in the UASC table and '0' when not, as the DfE's loader
   * derives it. '' when the flag is blank or there is no Header row.
   */
  status: string;
  /**
   * The UASC rows. In an XML return every child whose Header carries a UASC flag has a UASC record
   * in the DfE's reading, even with no date ceased: such a child without a UASC row has one empty
   * record here, so the 205 rules see it as the DfE does.
   */
  records: readonly UascRecord[];
}

const EMPTY_UASC: UascRecord = { row: null, ducText: '', duc: null, dob: null };

/** The UASC picture of one Header row (or none) and the child's UASC rows of the same year. */
function uascYear(header: ReturnRow | undefined, uasc: readonly ReturnRow[]): UascYear {
  const status =
    header === undefined ? '' : 'UASC' in header.cells ? code(header, 'UASC') : uasc.length > 0 ? '1' : '0';
  const records: UascRecord[] = uasc.map((row) => ({
    row,
    ducText: cell(row, 'DUC'),
    duc: dateOf(row, 'DUC'),
    dob: dateOf(row, 'DOB'),
  }));
  if (records.length === 0 && header !== undefined && filled(header, 'UASC')) records.push(EMPTY_UASC);
  return { header, status, records };
}

/** Each Header row of a year (or none, when the child has no Header row that year). */
const headersOrNone = (rows: readonly ReturnRow[]): (ReturnRow | undefined)[] =>
  rows.length > 0 ? [...rows] : [undefined];

/** A UASC record of last year, with last year's status. */
type LastUascRecord = UascRecord & { status: string };

/**
 * This year's UASC pictures (one per Header row), each with its records paired with each of last
 * year's (the DfE joins them child by child; a child with no UASC record last year is joined to
 * nothing: an empty record with a blank status). Null when last year is unknown.
 */
function uascYears(child: ChildReturn): { now: UascYear; pairs: [UascRecord, LastUascRecord][] }[] | null {
  const lastHeaders = child.previous('Header');
  const lastUasc = child.previous('UASC');
  if (lastHeaders === null || lastUasc === null) return null;
  const lastRecords: LastUascRecord[] = headersOrNone(lastHeaders)
    .map((header) => uascYear(header, lastUasc))
    .flatMap((last) => last.records.map((record) => ({ ...record, status: last.status })));
  const lastOrNothing = lastRecords.length > 0 ? lastRecords : [{ ...EMPTY_UASC, status: '' }];
  return headersOrNone(child.rows('Header')).map((header) => {
    const now = uascYear(header, child.rows('UASC'));
    return {
      now,
      pairs: now.records.flatMap((record) =>
        lastOrNothing.map((last) => [record, last] as [UascRecord, LastUascRecord]),
      ),
    };
  });
}

/** Flags for a UASC record found at fault: its UASC row (if it has one) and the child's Header row. */
function uascFlags(record: UascRecord, header: ReturnRow | undefined, detail: string, uascColumn: string): Flag[] {
  return [
    ...(record.row ? [{ row: record.row, column: uascColumn, detail }] : []),
    ...(header ? [{ row: header, column: 'UASC', detail }] : []),
  ];
}

/** Flags without repeating a row (a row found at fault twice is reported once). */
function unique(flags: Iterable<Flag>): Flag[] {
  const seen = new Set<ReturnRow>();
  return [...flags].filter((flag) => !seen.has(flag.row) && seen.add(flag.row));
}

/** Whether `date` lies within `from`–`to` inclusive (ISO dates compare as text). */
const within = (date: string | null, from: string, to: string): boolean => date !== null && date >= from && date <= to;

/** A date as a cell shows it: "1 April 2025", or the text as written when it is not a date. */
const shown = (row: ReturnRow, column: string): string => {
  const date = dateOf(row, column);
  return date !== null ? longDate(date) : filled(row, column) ? `"${cell(row, column)}"` : 'blank';
};

/** A cell's value for a message: `"UN1"`, or blank. */
const quoted = (row: ReturnRow, column: string): string => (filled(row, column) ? `"${cell(row, column)}"` : 'blank');

/**
 * A rule comparing the child's Header row this year with last year's (the DfE's `Header_last`):
 * each Header row is checked against each of last year's; nothing when last year is unknown.
 */
function againstLastYear(
  spec: Omit<Ssda903Rule, 'check' | 'tables' | 'previous'> & {
    alsoReads?: Ssda903Rule['tables'];
    /** True (or a detail) when this year's row disagrees with last year's. */
    breaks: (now: ReturnRow, last: ReturnRow, child: ChildReturn, context: ReturnContext) => boolean | string;
  },
): Ssda903Rule {
  const { alsoReads = [], breaks, ...rest } = spec;
  return {
    ...rest,
    tables: ['Header', ...alsoReads],
    previous: true,
    *check(child, context) {
      const lastRows = child.previous('Header');
      if (lastRows === null) return;
      for (const row of child.rows('Header')) {
        for (const last of lastRows) {
          const outcome = breaks(row, last, child, context);
          if (outcome === false) continue;
          yield typeof outcome === 'string' ? { row, detail: outcome } : { row };
          break;
        }
      }
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Reasons shared by several rules
// ---------------------------------------------------------------------------------------------

const MOTHERHOOD_REASON =
  'no audit reads whether the young person is a mother; the child is kept and the motherhood details are queried with the return';
const UPN_REASON =
  'the UPN is kept for matching with education records but no audit reads it; the child is kept and the UPN queried';
const UASC_REASON =
  'no audit reads the UASC status or the date it ceased; the child is kept and the UASC details queried';
const LAST_YEAR_REASON =
  "this year's return may be correcting last year's; the import keeps this year's value and asks for it to be checked";

// ---------------------------------------------------------------------------------------------
// The rules
// ---------------------------------------------------------------------------------------------

/**
 * The rules of the Header, UASC and motherhood, the UPN, the Header against last year's, and the
 * integrity of the Header, Episodes and UASC tables (444's cross-child test is `duplicateUpnRows`).
 */
export const HEADER_RULES: readonly Ssda903Rule[] = [
  // --- The child: sex, date of birth, ethnicity ---------------------------------------------
  codeRule({
    code: '101',
    table: 'Header',
    column: 'SEX',
    what: "the child's sex",
    blank: 'breaks',
    until: '2023-24',
    severity: 'reject',
    reason:
      'the profile of the children in care counts by sex, and the record would be stored with a sex it does not have',
    examples: [
      {
        valid: { Header: [{ SEX: '1' }, { SEX: '2' }] },
        invalid: { Header: [{ SEX: 'M' }, { SEX: '' }, { SEX: '3' }] },
        flags: [
          ['Header', 0],
          ['Header', 1],
          ['Header', 2],
        ],
      },
    ],
  }),
  codeRule({
    code: '101',
    table: 'Header',
    column: 'SEX',
    what: "the child's sex",
    blank: 'breaks',
    from: '2024-25',
    severity: 'reject',
    reason:
      'the profile of the children in care counts by sex, and the record would be stored with a sex it does not have',
    examples: [
      {
        valid: { Header: [{ SEX: 'M' }, { SEX: 'F' }, { SEX: 'U' }] },
        invalid: { Header: [{ SEX: '1' }, { SEX: 'X' }, { SEX: '' }] },
        flags: [
          ['Header', 0],
          ['Header', 1],
          ['Header', 2],
        ],
      },
    ],
  }),
  dateRule({
    code: '102',
    table: 'Header',
    column: 'DOB',
    what: "the child's date of birth",
    blank: 'breaks',
    severity: 'reject',
    reason:
      'every age the audits work out (PN0 under 4, health checks by age, leaving care) starts from the date of birth',
    examples: [
      {
        valid: { Header: [{ DOB: '19/02/2010' }, { DOB: '1/2/2010' }] },
        invalid: { Header: [{ DOB: '38/04/2019' }, { DOB: '01/01/19' }, { DOB: '' }] },
        flags: [
          ['Header', 0],
          ['Header', 1],
          ['Header', 2],
        ],
      },
    ],
  }),
  codeRule({
    code: '103',
    table: 'Header',
    column: 'ETHNIC',
    what: "the child's ethnicity",
    blank: 'breaks',
    severity: 'warn',
    reason: 'no audit judges by ethnicity; the child is kept, and the profile counts the code as given',
    examples: [
      {
        valid: { Header: [{ ETHNIC: 'WBRI' }, { ETHNIC: 'NOBT' }] },
        invalid: { Header: [{ ETHNIC: 'WHIT' }, { ETHNIC: '' }] },
        flags: [
          ['Header', 0],
          ['Header', 1],
        ],
      },
    ],
  }),
  rowRule({
    code: '301',
    table: 'Header',
    fields: ['DOB'],
    meaning: "the child's date of birth is after the end of the collection year",
    severity: 'reject',
    reason:
      'a child born after the return ends cannot have been looked after in it: every age worked out from this date would be wrong',
    breaks: (row, _child, { end }) => {
      const dob = dateOf(row, 'DOB');
      return dob !== null && dob > end ? `DOB is ${longDate(dob)}` : false;
    },
    examples: [
      {
        note: 'born on the last day of the year is allowed',
        valid: { Header: [{ DOB: '31/03/2026' }] },
        invalid: { Header: [{ DOB: '01/04/2026' }] },
        flags: [['Header', 0]],
      },
    ],
  }),
  rowRule({
    code: '351',
    table: 'Header',
    fields: ['DOB'],
    meaning: 'the child was over 25 at the start of the collection year',
    severity: 'warn',
    reason:
      'a care leaver can be in the return up to 25; an older date of birth is a typing slip that no audit of looked-after children reads',
    breaks: (row, _child, { start }) => {
      const dob = dateOf(row, 'DOB');
      return dob !== null && addYears(dob, 25) < start ? `DOB is ${longDate(dob)}` : false;
    },
    examples: [
      {
        note: '25th birthday on 1 April, the first day of the year, is not over 25',
        valid: { Header: [{ DOB: '01/04/2000' }] },
        invalid: { Header: [{ DOB: '31/03/2000' }] },
        flags: [['Header', 0]],
      },
    ],
  }),
  rowRule({
    code: '232',
    table: 'Header',
    fields: ['SEX'],
    from: '2024-25',
    meaning: "the child's sex is given as unknown or indeterminate (U)",
    severity: 'warn',
    reason:
      'U is one of the codes of the return: the DfE only asks for it to be confirmed, and the child is kept with the sex as given',
    breaks: (row) => (code(row, 'SEX') === 'U' ? `SEX is "${cell(row, 'SEX')}"` : false),
    examples: [
      {
        valid: { Header: [{ SEX: 'M' }, { SEX: 'F' }] },
        invalid: { Header: [{ SEX: 'U' }, { SEX: 'u' }] },
        flags: [
          ['Header', 0],
          ['Header', 1],
        ],
      },
    ],
  }),

  // --- UPN ----------------------------------------------------------------------------------
  rowRule({
    code: '168',
    table: 'Header',
    fields: ['UPN'],
    meaning:
      "the child's unique pupil number is neither a valid UPN (a letter other than I, O or S, then 12 digits, or 11 digits and a letter) nor one of the codes UN1 to UN5 for a UPN not known",
    severity: 'warn',
    reason: UPN_REASON,
    breaks: (row) => {
      const upn = code(row, 'UPN');
      return upn === '' || UPN_PATTERN.test(upn) || UPN_UNKNOWN_CODES.has(upn) ? false : `UPN is "${cell(row, 'UPN')}"`;
    },
    examples: [
      {
        valid: { Header: [{ UPN: 'A123456789012' }, { UPN: 'X06805040829A' }, { UPN: 'un5' }, { UPN: '' }] },
        invalid: {
          Header: [
            { UPN: 'I072272729588' },
            { UPN: 'UN7' },
            { UPN: 'K06014812931' },
            { UPN: 'S074885779408' },
            { UPN: '5035247309594' },
          ],
        },
        flags: [
          ['Header', 0],
          ['Header', 1],
          ['Header', 2],
          ['Header', 3],
          ['Header', 4],
        ],
      },
    ],
  }),
  rowRule({
    code: '209',
    table: 'Header',
    fields: ['UPN', 'DOB'],
    meaning: (year) =>
      `the UPN is UN1 (child not of school age) but the child was born on or before ${longDate(`${Number(collectionStart(year).slice(0, 4)) - 5}-08-31`)}, so was four by 31 August of the year before`,
    severity: 'warn',
    reason: UPN_REASON,
    breaks: (row, _child, { start }) => {
      // The DfE's reference date is 31 August of the year before the collection starts; a child
      // four or older on it is of school age.
      const reference = `${Number(start.slice(0, 4)) - 1}-08-31`;
      const dob = dateOf(row, 'DOB');
      return code(row, 'UPN') === 'UN1' && dob !== null && addYears(dob, 4) <= reference
        ? `UPN is "UN1" and DOB is ${longDate(dob)}`
        : false;
    },
    examples: [
      {
        note: 'four on 31 August 2024 is of school age; born the next day is not',
        valid: {
          Header: [
            { UPN: 'UN1', DOB: '01/09/2020' },
            { UPN: 'UN2', DOB: '01/01/2010' },
          ],
        },
        invalid: {
          Header: [
            { UPN: 'UN1', DOB: '31/08/2020' },
            { UPN: 'UN1', DOB: '01/01/2010' },
          ],
        },
        flags: [
          ['Header', 0],
          ['Header', 1],
        ],
      },
    ],
  }),
  {
    code: '210',
    meaning: (year) =>
      `the UPN is UN4 (not yet obtained) and an episode starts on or after 24 March ${collectionEnd(year).slice(0, 4)}`,
    tables: ['Header', 'Episodes'],
    fields: ['UPN', 'DECOM'],
    severity: 'warn',
    reason: UPN_REASON,
    *check(child, { end }) {
      // The DfE's test (not its message, which speaks of children looked after for more than a
      // week): a UN4 child must have no episode starting on or after 24 March.
      const from = `${end.slice(0, 4)}-03-24`;
      for (const header of child.rows('Header')) {
        if (code(header, 'UPN') !== 'UN4') continue;
        const late = child.rows('Episodes').filter((episode) => (dateOf(episode, 'DECOM') ?? '') >= from);
        for (const episode of late)
          yield { row: episode, column: 'DECOM', detail: `the episode starts ${longDate(dateOf(episode, 'DECOM')!)}` };
        if (late.length > 0) yield { row: header, column: 'UPN', detail: 'UPN is "UN4"' };
      }
    },
    examples: [
      {
        note: 'an episode starting 23 March is allowed; 24 March is not',
        valid: { Header: [{ UPN: 'UN4' }], Episodes: [{ DECOM: '01/01/2026' }, { DECOM: '23/03/2026' }] },
        invalid: { Header: [{ UPN: 'UN4' }], Episodes: [{ DECOM: '01/01/2026' }, { DECOM: '24/03/2026' }] },
        flags: [
          ['Episodes', 1],
          ['Header', 0],
        ],
      },
      {
        valid: { Header: [{ UPN: 'UN3' }], Episodes: [{ DECOM: '30/03/2026' }] },
        invalid: { Header: [{ UPN: 'un4' }], Episodes: [{ DECOM: '30/03/2026' }, { DECOM: '31/03/2026' }] },
        flags: [
          ['Episodes', 0],
          ['Episodes', 1],
          ['Header', 0],
        ],
      },
    ],
  },
  rowRule({
    code: '442',
    table: 'Header',
    alsoReads: ['Episodes'],
    fields: ['UPN'],
    meaning:
      'the UPN is blank though the child is looked after other than on short breaks (legal status V3 or V4 only)',
    severity: 'warn',
    reason: UPN_REASON,
    breaks: (row, child) =>
      !filled(row, 'UPN') && child.rows('Episodes').some((episode) => !SHORT_BREAKS.has(code(episode, 'LS')))
        ? 'UPN is blank'
        : false,
    examples: [
      {
        valid: { Header: [{ UPN: '' }], Episodes: [{ LS: 'V3' }, { LS: 'V4' }] },
        invalid: { Header: [{ UPN: '' }], Episodes: [{ LS: 'V3' }, { LS: 'C2' }] },
        flags: [['Header', 0]],
      },
      {
        note: 'an episode with a blank legal status counts as looked after',
        valid: { Header: [{ UPN: 'UN1' }], Episodes: [{ LS: 'C2' }] },
        invalid: { Header: [{ UPN: '' }], Episodes: [{ LS: '' }] },
        flags: [['Header', 0]],
      },
    ],
  }),
  {
    code: '444',
    from: '2025-26',
    meaning: 'the UPN is also given to another child of the return (UN1 to UN5 may be shared)',
    tables: ['Header'],
    fields: ['UPN'],
    severity: 'warn',
    reason:
      'a shared UPN spoils matching with education records but no audit reads it; both children are kept and the UPN queried',
    // A duplicate is only seen across children, which a rule of one child cannot see: the loader
    // adds every Header row of the import to a `UpnIndex` and reports 444 on the rows whose UPN it
    // says is shared, with this severity. Per child, there is nothing to check.
    check: () => [],
    examples: [
      {
        note: 'checked across children by UpnIndex (tests/unit/ssda903/header-upn.test.ts): one child alone never breaks it',
        valid: { Header: [{ UPN: 'A123456789012' }] },
        invalid: { Header: [{ UPN: 'A123456789012' }] },
        flags: [],
      },
    ],
  },

  // --- The Header against last year's --------------------------------------------------------
  againstLastYear({
    code: '202',
    fields: ['SEX'],
    meaning: "the child's sex differs from the sex recorded for the child last year",
    severity: 'warn',
    reason: LAST_YEAR_REASON,
    // Last year's return may use the codes of before 2024-25 (1, 2): both are read as M, F.
    breaks: (now, last) =>
      currentSex(now) !== currentSex(last) ? `SEX is ${quoted(now, 'SEX')}, last year ${quoted(last, 'SEX')}` : false,
    examples: [
      {
        valid: { Header: [{ SEX: 'F' }], previous: { Header: [{ SEX: 'F' }] } },
        invalid: { Header: [{ SEX: 'M' }], previous: { Header: [{ SEX: 'F' }] } },
        flags: [['Header', 0]],
      },
      {
        note: "last year's 2 is this year's F; a blank differs from a sex",
        valid: { Header: [{ SEX: 'F' }], previous: { Header: [{ SEX: '2' }] } },
        invalid: { Header: [{ SEX: '' }], previous: { Header: [{ SEX: '2' }] } },
        flags: [['Header', 0]],
      },
      {
        note: 'nothing to compare when last year is unknown',
        valid: { Header: [{ SEX: 'M' }] },
        invalid: { Header: [{ SEX: 'M' }], previous: { Header: [{ SEX: '' }] } },
        flags: [['Header', 0]],
      },
    ],
  }),
  againstLastYear({
    code: '203',
    fields: ['DOB'],
    meaning: "the child's date of birth differs from the date recorded for the child last year",
    severity: 'warn',
    reason: LAST_YEAR_REASON,
    // Compared as dates (a blank and a date that is not real are both "no date", as the DfE reads them).
    breaks: (now, last) =>
      (dateOf(now, 'DOB') ?? '') !== (dateOf(last, 'DOB') ?? '')
        ? `DOB is ${shown(now, 'DOB')}, last year ${shown(last, 'DOB')}`
        : false,
    examples: [
      {
        valid: { Header: [{ DOB: '16/03/2020' }], previous: { Header: [{ DOB: '2020-03-16' }] } },
        invalid: { Header: [{ DOB: '23/09/2016' }], previous: { Header: [{ DOB: '22/09/2016' }] } },
        flags: [['Header', 0]],
      },
      {
        note: 'a date that is not real counts as no date',
        valid: { Header: [{ DOB: '31/02/2018' }], previous: { Header: [{ DOB: '' }] } },
        invalid: { Header: [{ DOB: '31/12/19' }], previous: { Header: [{ DOB: '31/12/2019' }] } },
        flags: [['Header', 0]],
      },
    ],
  }),
  againstLastYear({
    code: '204',
    fields: ['ETHNIC'],
    meaning: "the child's ethnicity differs from the ethnicity recorded for the child last year",
    severity: 'warn',
    reason: LAST_YEAR_REASON,
    breaks: (now, last) =>
      code(now, 'ETHNIC') !== code(last, 'ETHNIC')
        ? `ETHNIC is ${quoted(now, 'ETHNIC')}, last year ${quoted(last, 'ETHNIC')}`
        : false,
    examples: [
      {
        valid: { Header: [{ ETHNIC: 'nobt' }], previous: { Header: [{ ETHNIC: 'NOBT' }] } },
        invalid: { Header: [{ ETHNIC: 'WBRI' }], previous: { Header: [{ ETHNIC: 'NOBT' }] } },
        flags: [['Header', 0]],
      },
      {
        valid: { Header: [{ ETHNIC: '' }], previous: { Header: [{ ETHNIC: '' }] } },
        invalid: { Header: [{ ETHNIC: '' }], previous: { Header: [{ ETHNIC: 'MOTH' }] } },
        flags: [['Header', 0]],
      },
    ],
  }),
  againstLastYear({
    code: '207',
    alsoReads: ['Episodes'],
    fields: ['MOTHER'],
    meaning: 'the child was recorded as a mother last year but is not recorded as a mother this year',
    severity: 'warn',
    reason: MOTHERHOOD_REASON,
    breaks: (now, last, child) =>
      child.rows('Episodes').length > 0 && code(last, 'MOTHER') === '1' && code(now, 'MOTHER') !== '1'
        ? `MOTHER is ${quoted(now, 'MOTHER')}, last year "1"`
        : false,
    examples: [
      {
        valid: { Header: [{ MOTHER: '1' }], Episodes: [{}], previous: { Header: [{ MOTHER: '1' }] } },
        invalid: { Header: [{ MOTHER: '0' }], Episodes: [{}], previous: { Header: [{ MOTHER: '1' }] } },
        flags: [['Header', 0]],
      },
      {
        note: 'only a mother last year counts; a blank this year is not a mother',
        valid: { Header: [{ MOTHER: '1' }], Episodes: [{}], previous: { Header: [{ MOTHER: '0' }] } },
        invalid: { Header: [{ MOTHER: '' }], Episodes: [{}], previous: { Header: [{ MOTHER: '1' }] } },
        flags: [['Header', 0]],
      },
    ],
  }),
  againstLastYear({
    code: '208',
    fields: ['UPN'],
    meaning:
      "the UPN differs from last year's (only a UPN replacing a blank or a UN code, or UN2 to UN5 replacing UN1 or a blank, is expected)",
    severity: 'warn',
    reason: UPN_REASON,
    breaks: (nowRow, lastRow) => {
      const now = code(nowRow, 'UPN');
      const last = code(lastRow, 'UPN');
      if (now === last) return false;
      const unknownNow = now === '' || UPN_UNKNOWN_CODES.has(now);
      const unknownLast = last === '' || UPN_UNKNOWN_CODES.has(last);
      // A UPN found where there was none, or a UN code refined from UN1 (or nothing) to UN2–UN5.
      // The DfE's test does not allow nothing to become UN1, though its comment says it means to.
      if (unknownLast && !unknownNow) return false;
      if ((last === 'UN1' || last === '') && UPN_UNKNOWN_CODES.has(now) && now !== 'UN1') return false;
      return `UPN is ${quoted(nowRow, 'UPN')}, last year ${quoted(lastRow, 'UPN')}`;
    },
    examples: [
      {
        note: 'a UPN found, and UN1 becoming UN3, are allowed; one UPN becoming another is not',
        valid: { Header: [{ UPN: 'H801200001001' }], previous: { Header: [{ UPN: 'UN5' }] } },
        invalid: { Header: [{ UPN: 'O------------' }], previous: { Header: [{ UPN: 'X888888888888' }] } },
        flags: [['Header', 0]],
      },
      {
        valid: { Header: [{ UPN: 'UN3' }], previous: { Header: [{ UPN: 'UN1' }] } },
        invalid: { Header: [{ UPN: 'UN3' }], previous: { Header: [{ UPN: 'UN4' }] } },
        flags: [['Header', 0]],
      },
      {
        note: 'no UPN becoming UN2 is allowed, becoming UN1 is not',
        valid: { Header: [{ UPN: 'UN2' }], previous: { Header: [{ UPN: '' }] } },
        invalid: { Header: [{ UPN: 'UN1' }], previous: { Header: [{ UPN: '' }] } },
        flags: [['Header', 0]],
      },
      {
        note: 'a UN code or a UPN becoming blank is not allowed',
        valid: { Header: [{ UPN: '' }], previous: { Header: [{ UPN: '' }] } },
        invalid: { Header: [{ UPN: '' }, { UPN: 'UN2' }], previous: { Header: [{ UPN: 'H000000000000' }] } },
        flags: [
          ['Header', 0],
          ['Header', 1],
        ],
      },
    ],
  }),
  againstLastYear({
    code: '624',
    fields: ['MC_DOB'],
    meaning: "the date of birth of the mother's child differs from the date recorded last year",
    severity: 'warn',
    reason: MOTHERHOOD_REASON,
    breaks: (now, last) => {
      if (!filled(last, 'MC_DOB')) return false;
      // Dates compared as dates, so last year's rows rebuilt with ISO dates match the return's dd/mm/YYYY.
      const a = dateOf(now, 'MC_DOB') ?? cell(now, 'MC_DOB');
      const b = dateOf(last, 'MC_DOB') ?? cell(last, 'MC_DOB');
      return a !== b ? `MC_DOB is ${shown(now, 'MC_DOB')}, last year ${shown(last, 'MC_DOB')}` : false;
    },
    examples: [
      {
        valid: { Header: [{ MC_DOB: '01/06/2024' }], previous: { Header: [{ MC_DOB: '2024-06-01' }] } },
        invalid: { Header: [{ MC_DOB: '08/09/2024' }], previous: { Header: [{ MC_DOB: '10/09/2024' }] } },
        flags: [['Header', 0]],
      },
      {
        note: 'a date first given this year is allowed; one dropped is not',
        valid: { Header: [{ MC_DOB: '01/02/2025' }], previous: { Header: [{ MC_DOB: '' }] } },
        invalid: { Header: [{ MC_DOB: '' }], previous: { Header: [{ MC_DOB: '01/06/2024' }] } },
        flags: [['Header', 0]],
      },
    ],
  }),
  againstLastYear({
    code: '626',
    fields: ['MOTHER', 'MC_DOB'],
    meaning: (year) =>
      `the child is recorded as a mother whose child was born before ${longDate(collectionStart(year))}, but last year's return said she was not a mother`,
    severity: 'warn',
    reason: MOTHERHOOD_REASON,
    breaks: (now, last, _child, { start }) => {
      const mcDob = dateOf(now, 'MC_DOB');
      return mcDob !== null && code(now, 'MOTHER') === '1' && code(last, 'MOTHER') === '0' && mcDob < start
        ? `MC_DOB is ${longDate(mcDob)}, last year MOTHER "0"`
        : false;
    },
    examples: [
      {
        note: 'a child born on 1 April, the first day of the year, is allowed',
        valid: { Header: [{ MOTHER: '1', MC_DOB: '01/04/2025' }], previous: { Header: [{ MOTHER: '0' }] } },
        invalid: { Header: [{ MOTHER: '1', MC_DOB: '31/03/2025' }], previous: { Header: [{ MOTHER: '0' }] } },
        flags: [['Header', 0]],
      },
      {
        valid: { Header: [{ MOTHER: '1', MC_DOB: '31/03/2025' }], previous: { Header: [{ MOTHER: '' }] } },
        invalid: { Header: [{ MOTHER: '1', MC_DOB: '04/01/2025' }], previous: { Header: [{ MOTHER: '0' }] } },
        flags: [['Header', 0]],
      },
    ],
  }),

  // --- Motherhood ----------------------------------------------------------------------------
  dateRule({
    code: '171',
    table: 'Header',
    column: 'MC_DOB',
    what: "the date of birth of the mother's child",
    blank: 'allowed',
    severity: 'warn',
    reason: MOTHERHOOD_REASON,
    examples: [
      {
        valid: { Header: [{ MC_DOB: '19/02/2025' }, { MC_DOB: '' }] },
        invalid: { Header: [{ MC_DOB: '38/04/2025' }, { MC_DOB: '01/01/25' }] },
        flags: [
          ['Header', 0],
          ['Header', 1],
        ],
      },
    ],
  }),
  ...SEX_SPANS.map(({ years, male, female }) =>
    rowRule({
      code: '174',
      table: 'Header',
      fields: ['MC_DOB', 'SEX'],
      ...years,
      meaning: `a date of birth of the mother's child is given but the child is male (${male})`,
      severity: 'warn',
      reason: MOTHERHOOD_REASON,
      breaks: (row) =>
        code(row, 'SEX') === male && filled(row, 'MC_DOB')
          ? `SEX is "${male}" and MC_DOB is ${shown(row, 'MC_DOB')}`
          : false,
      examples: [
        {
          valid: {
            Header: [
              { SEX: male, MC_DOB: '' },
              { SEX: female, MC_DOB: '19/02/2025' },
            ],
          },
          invalid: {
            Header: [
              { SEX: male, MC_DOB: '19/02/2025' },
              { SEX: male, MC_DOB: 'not known' },
            ],
          },
          flags: [
            ['Header', 0],
            ['Header', 1],
          ],
        },
      ],
    }),
  ),
  ...SEX_SPANS.map(({ years, male, female }) =>
    rowRule({
      code: '393',
      table: 'Header',
      alsoReads: ['Episodes'],
      fields: ['MOTHER'],
      ...years,
      meaning: `whether the girl (sex ${female}) is a mother is blank, though she is looked after other than on short breaks (legal status V3 or V4 only)`,
      severity: 'warn',
      reason: MOTHERHOOD_REASON,
      breaks: (row, child) =>
        code(row, 'SEX') === female &&
        !filled(row, 'MOTHER') &&
        child.rows('Episodes').some((episode) => !SHORT_BREAKS.has(code(episode, 'LS')))
          ? 'MOTHER is blank'
          : false,
      examples: [
        {
          valid: { Header: [{ SEX: female, MOTHER: '0' }], Episodes: [{ LS: 'C2' }] },
          invalid: { Header: [{ SEX: female, MOTHER: '' }], Episodes: [{ LS: 'V4' }, { LS: 'C1' }] },
          flags: [['Header', 0]],
        },
        {
          note: 'short breaks only, or a boy, need no answer',
          valid: {
            Header: [
              { SEX: female, MOTHER: '' },
              { SEX: male, MOTHER: '' },
            ],
            Episodes: [{ LS: 'v3' }, { LS: 'V4' }],
          },
          invalid: {
            Header: [
              { SEX: female, MOTHER: '' },
              { SEX: male, MOTHER: '' },
            ],
            Episodes: [{ LS: 'V3' }, { LS: '' }],
          },
          flags: [['Header', 0]],
        },
      ],
    }),
  ),
  ...SEX_SPANS.map(
    ({ years, female }) =>
      ({
        code: '607',
        ...years,
        meaning: (year: CollectionYear) =>
          `the girl (sex ${female}) ceased to be looked after between ${longDate(collectionStart(year))} and ${longDate(collectionEnd(year))}, other than from short breaks, but whether she is a mother is blank`,
        tables: ['Episodes', 'Header'],
        fields: ['MOTHER', 'DEC', 'REC', 'LS', 'SEX'],
        severity: 'warn',
        reason: MOTHERHOOD_REASON,
        *check(child, { start, end }) {
          // Ceased: a real end date in the year and any reason other than X1 (a change of legal
          // status or placement only), on a legal status other than short breaks.
          const ceased = child.rows('Episodes').filter((episode) => {
            const rec = code(episode, 'REC');
            return (
              within(dateOf(episode, 'DEC'), start, end) &&
              rec !== '' &&
              rec !== 'X1' &&
              !SHORT_BREAKS.has(code(episode, 'LS'))
            );
          });
          if (ceased.length === 0) return;
          const headers = child.rows('Header').filter((row) => code(row, 'SEX') === female && !filled(row, 'MOTHER'));
          for (const episode of headers.length > 0 ? ceased : [])
            yield {
              row: episode,
              column: 'DEC',
              detail: `the episode ends ${longDate(dateOf(episode, 'DEC')!)} (${cell(episode, 'REC')})`,
            };
          for (const header of headers) yield { row: header, column: 'MOTHER', detail: 'MOTHER is blank' };
        },
        examples: [
          {
            note: 'an episode ending 31 March before the year, with X1, or on short breaks does not count',
            valid: { Header: [{ SEX: female, MOTHER: '0' }], Episodes: [{ DEC: '01/05/2025', REC: 'E11', LS: 'C2' }] },
            invalid: {
              Header: [{ SEX: female, MOTHER: '' }],
              Episodes: [
                { DEC: '31/03/2025', REC: 'E11', LS: 'C2' },
                { DEC: '01/04/2025', REC: 'E11', LS: 'C2' },
                { DEC: '01/05/2025', REC: 'X1', LS: 'C2' },
                { DEC: '01/06/2025', REC: 'E11', LS: 'V3' },
                { DEC: '31/03/2026', REC: 'E48', LS: '' },
                { DEC: '01/04/2026', REC: 'E11', LS: 'C2' },
              ],
            },
            flags: [
              ['Episodes', 1],
              ['Episodes', 4],
              ['Header', 0],
            ],
          },
          {
            valid: {
              Header: [{ SEX: female, MOTHER: '' }],
              Episodes: [
                { DEC: '01/05/2025', REC: '', LS: 'C2' },
                { DEC: '', REC: 'E11', LS: 'C2' },
              ],
            },
            invalid: { Header: [{ SEX: female, MOTHER: '' }], Episodes: [{ DEC: '01/05/2025', REC: 'E4A', LS: 'C2' }] },
            flags: [
              ['Episodes', 0],
              ['Header', 0],
            ],
          },
        ],
      }) satisfies Ssda903Rule,
  ),
  rowRule({
    code: '611',
    table: 'Header',
    fields: ['MC_DOB', 'MOTHER'],
    meaning: 'the child is recorded as a mother but the date of birth of her child is blank',
    severity: 'warn',
    reason: MOTHERHOOD_REASON,
    breaks: (row) => (code(row, 'MOTHER') === '1' && !filled(row, 'MC_DOB') ? 'MC_DOB is blank' : false),
    examples: [
      {
        valid: {
          Header: [
            { MOTHER: '1', MC_DOB: '01/01/2025' },
            { MOTHER: '1', MC_DOB: '31/31/25' },
            { MOTHER: '', MC_DOB: '' },
          ],
        },
        invalid: { Header: [{ MOTHER: '1', MC_DOB: '' }] },
        flags: [['Header', 0]],
      },
    ],
  }),
  ...SEX_SPANS.map(({ years, male, female }) =>
    rowRule({
      code: '612',
      table: 'Header',
      fields: ['MC_DOB', 'MOTHER', 'SEX'],
      ...years,
      meaning: `a date of birth of the mother's child is given but the young woman (${female}) is recorded as not a mother (or whether she is a mother is blank)`,
      severity: 'warn',
      reason: MOTHERHOOD_REASON,
      breaks: (row) => {
        const mother = code(row, 'MOTHER');
        return code(row, 'SEX') === female && (mother === '0' || mother === '') && filled(row, 'MC_DOB')
          ? `MOTHER is ${quoted(row, 'MOTHER')}`
          : false;
      },
      examples: [
        {
          valid: {
            Header: [
              { SEX: female, MOTHER: '1', MC_DOB: '19/02/2025' },
              { SEX: female, MOTHER: '0', MC_DOB: '' },
              { SEX: male, MOTHER: '', MC_DOB: '12/10/2024' },
            ],
          },
          invalid: {
            Header: [
              { SEX: female, MOTHER: '0', MC_DOB: '19/02/2025' },
              { SEX: female, MOTHER: '', MC_DOB: '31/31/25' },
            ],
          },
          flags: [
            ['Header', 0],
            ['Header', 1],
          ],
        },
      ],
    }),
  ),
  rowRule({
    code: '620',
    table: 'Header',
    fields: ['DOB', 'MOTHER'],
    meaning: 'the child is recorded as a mother but was under 11 at the start of the collection year',
    severity: 'warn',
    reason: MOTHERHOOD_REASON,
    breaks: (row, _child, { start }) => {
      const dob = dateOf(row, 'DOB');
      return code(row, 'MOTHER') === '1' && dob !== null && addYears(dob, 11) > start
        ? `DOB is ${longDate(dob)}`
        : false;
    },
    examples: [
      {
        note: 'an 11th birthday on 1 April, the first day of the year, is old enough',
        valid: {
          Header: [
            { MOTHER: '1', DOB: '01/04/2014' },
            { MOTHER: '0', DOB: '01/02/2020' },
            { MOTHER: '1', DOB: '' },
          ],
        },
        invalid: { Header: [{ MOTHER: '1', DOB: '02/04/2014' }] },
        flags: [['Header', 0]],
      },
    ],
  }),
  rowRule({
    code: '621',
    table: 'Header',
    fields: ['MC_DOB', 'DOB'],
    meaning:
      "the date of birth of the mother's child is not after the mother's own date of birth (or hers is not a date)",
    severity: 'warn',
    reason: MOTHERHOOD_REASON,
    breaks: (row) => {
      const mcDob = dateOf(row, 'MC_DOB');
      const dob = dateOf(row, 'DOB');
      // The DfE's test also catches a child's date of birth given when the mother's is not a date.
      return mcDob !== null && (dob === null || mcDob <= dob)
        ? `MC_DOB is ${longDate(mcDob)}, DOB ${shown(row, 'DOB')}`
        : false;
    },
    examples: [
      {
        note: 'the same date is not after; a blank date of the child is allowed',
        valid: {
          Header: [
            { DOB: '01/02/2009', MC_DOB: '02/02/2009' },
            { DOB: '01/02/2009', MC_DOB: '' },
          ],
        },
        invalid: {
          Header: [
            { DOB: '01/02/2009', MC_DOB: '01/02/2009' },
            { DOB: '01/12/2009', MC_DOB: '01/01/2009' },
            { DOB: '', MC_DOB: '01/02/2025' },
          ],
        },
        flags: [
          ['Header', 0],
          ['Header', 1],
          ['Header', 2],
        ],
      },
    ],
  }),
  {
    code: '625',
    meaning: (year) =>
      `the date of birth of the mother's child is after ${longDate(collectionEnd(year))} or after the end of her latest episode`,
    tables: ['Episodes', 'Header'],
    fields: ['MC_DOB', 'DEC'],
    severity: 'warn',
    reason: MOTHERHOOD_REASON,
    *check(child, { end }) {
      // The DfE compares with the episode that ends last (the first such, on a tie); a child with
      // no ended episode is not checked.
      let found: { row: ReturnRow; dec: string } | undefined;
      for (const row of child.rows('Episodes')) {
        const dec = dateOf(row, 'DEC');
        if (dec !== null && (found === undefined || dec > found.dec)) found = { row, dec };
      }
      if (found === undefined) return;
      const latest = found;
      const late = child.rows('Header').filter((row) => {
        const mcDob = dateOf(row, 'MC_DOB');
        return mcDob !== null && (mcDob > end || mcDob > latest.dec);
      });
      if (late.length === 0) return;
      yield { row: latest.row, column: 'DEC', detail: `the latest episode ends ${longDate(latest.dec)}` };
      for (const row of late) yield { row, column: 'MC_DOB', detail: `MC_DOB is ${longDate(dateOf(row, 'MC_DOB')!)}` };
    },
    examples: [
      {
        note: 'born on the day the latest episode ends is allowed',
        valid: { Header: [{ MC_DOB: '01/06/2025' }], Episodes: [{ DEC: '01/05/2025' }, { DEC: '01/06/2025' }] },
        invalid: { Header: [{ MC_DOB: '02/06/2025' }], Episodes: [{ DEC: '01/05/2025' }, { DEC: '01/06/2025' }] },
        flags: [
          ['Episodes', 1],
          ['Header', 0],
        ],
      },
      {
        note: 'after the end of the year, with the latest ended episode flagged; no ended episode, nothing to compare',
        valid: { Header: [{ MC_DOB: '01/04/2026' }], Episodes: [{ DEC: '' }] },
        invalid: { Header: [{ MC_DOB: '01/04/2026' }], Episodes: [{ DEC: '' }, { DEC: '01/05/2025' }] },
        flags: [
          ['Episodes', 1],
          ['Header', 0],
        ],
      },
    ],
  },

  // --- UASC ------------------------------------------------------------------------------------
  rowRule({
    code: '104',
    table: 'UASC',
    fields: ['DUC'],
    meaning: (year) =>
      `the date UASC status ceased is not a real date, or is before ${longDate(collectionStart(year))}, the start of the collection year`,
    severity: 'warn',
    reason: UASC_REASON,
    breaks: (row, _child, { start }) => {
      if (!filled(row, 'DUC')) return false;
      const duc = dateOf(row, 'DUC');
      return duc === null || duc < start ? `DUC is ${shown(row, 'DUC')}` : false;
    },
    examples: [
      {
        note: 'ceasing on 1 April, the first day of the year, is allowed',
        valid: { UASC: [{ DUC: '01/04/2025' }, { DUC: '' }] },
        invalid: { UASC: [{ DUC: '31/03/2025' }, { DUC: '32/01/2026' }] },
        flags: [
          ['UASC', 0],
          ['UASC', 1],
        ],
      },
    ],
  }),
  rowRule({
    code: '105',
    table: 'Header',
    fields: ['UASC'],
    meaning:
      'the UASC status is blank or not one of 0 (not an unaccompanied asylum-seeking child) or 1 (an unaccompanied asylum-seeking child)',
    severity: 'warn',
    reason: UASC_REASON,
    // The XML return puts the flag on every child's Header (a child without one has it blank); a CSV
    // return has a UASC table instead, so only a Header row that carries the flag is checked.
    breaks: (row, _child, { source }) =>
      ('UASC' in row.cells || source === 'xml') && !['0', '1'].includes(cell(row, 'UASC'))
        ? `UASC is ${quoted(row, 'UASC')}`
        : false,
    examples: [
      {
        source: 'xml',
        valid: { Header: [{ UASC: '0' }, { UASC: '1' }] },
        invalid: { Header: [{ UASC: '' }, { UASC: '2' }, { UASC: 'Y' }, {}] },
        flags: [
          ['Header', 0],
          ['Header', 1],
          ['Header', 2],
          ['Header', 3],
        ],
      },
      {
        note: 'a CSV Header row without the flag has nothing to check',
        valid: { Header: [{}, { UASC: '1' }] },
        invalid: { Header: [{}, { UASC: '2' }] },
        flags: [['Header', 1]],
      },
    ],
  }),
  {
    code: '205A',
    previous: true,
    meaning: (year) =>
      `the child was UASC last year but is not this year, yet a date UASC ceased is given this year or last year's date is not within ${longDate(addYears(collectionStart(year), -1))} – ${longDate(addYears(collectionEnd(year), -1))}`,
    tables: ['Header', 'UASC'],
    fields: ['CHILD', 'UASC', 'DUC'],
    severity: 'warn',
    reason: UASC_REASON,
    check(child, { start, end }) {
      const lastStart = addYears(start, -1);
      const lastEnd = addYears(end, -1);
      return unique(
        (uascYears(child) ?? []).flatMap(({ now: year, pairs }) => {
          if (year.status === '1') return [];
          return pairs.flatMap(([now, last]) => {
            if (last.status !== '1') return [];
            if (now.row !== null && now.ducText !== '')
              return uascFlags(now, year.header, `DUC is ${shown(now.row, 'DUC')} this year`, 'DUC');
            if (!within(last.duc, lastStart, lastEnd))
              return uascFlags(
                now,
                year.header,
                `last year's DUC is ${last.duc ? longDate(last.duc) : 'blank'}`,
                'CHILD',
              );
            return [];
          });
        }),
      );
    },
    examples: [
      {
        source: 'xml',
        note: "last year's status ceased on 31 March, the last day of last year; on 1 April, this year, it had not",
        valid: { Header: [{ UASC: '0' }], previous: { Header: [{ UASC: '1' }], UASC: [{ DUC: '31/03/2025' }] } },
        invalid: { Header: [{ UASC: '0' }], previous: { Header: [{ UASC: '1' }], UASC: [{ DUC: '01/04/2025' }] } },
        flags: [['Header', 0]],
      },
      {
        source: 'xml',
        note: 'a date ceased given again this year',
        valid: { Header: [{ UASC: '0' }], previous: { Header: [{ UASC: '1' }], UASC: [{ DUC: '10/07/2024' }] } },
        invalid: {
          Header: [{ UASC: '0' }],
          UASC: [{ DUC: '10/07/2024' }],
          previous: { Header: [{ UASC: '1' }], UASC: [{ DUC: '10/07/2024' }] },
        },
        flags: [
          ['UASC', 0],
          ['Header', 0],
        ],
      },
      {
        note: 'a CSV return: a child in the UASC table is UASC this year, so neither child breaks the rule',
        valid: {
          Header: [{}],
          UASC: [{ DUC: '10/07/2025' }],
          previous: { Header: [{}], UASC: [{ DUC: '10/07/2025' }] },
        },
        invalid: {
          Header: [{}],
          UASC: [{ DUC: '10/07/2025' }],
          previous: { Header: [{}], UASC: [{ DUC: '10/07/2025' }] },
        },
        flags: [],
      },
    ],
  },
  {
    code: '205B',
    previous: true,
    meaning: (year) =>
      `the child was UASC last year and is this year, but last year's date UASC ceased is not the 18th birthday, or this year's is neither within ${longDate(collectionStart(year))} – ${longDate(collectionEnd(year))} nor last year's date`,
    tables: ['Header', 'UASC'],
    fields: ['DUC', 'UASC'],
    severity: 'warn',
    reason: UASC_REASON,
    check(child, { start, end }) {
      return unique(
        (uascYears(child) ?? []).flatMap(({ now: year, pairs }) => {
          if (year.status !== '1') return [];
          return pairs.flatMap(([now, last]) => {
            if (last.status !== '1') return [];
            const eighteenth = last.dob === null ? null : addYears(last.dob, 18);
            if (last.duc === null || last.duc !== eighteenth) {
              return uascFlags(
                now,
                year.header,
                `last year's DUC is ${last.duc ? longDate(last.duc) : 'blank'}, the 18th birthday ${eighteenth ? longDate(eighteenth) : 'unknown'}`,
                'DUC',
              );
            }
            if (!within(now.duc, start, end) && now.duc !== last.duc) {
              return uascFlags(
                now,
                year.header,
                `DUC is ${now.row ? shown(now.row, 'DUC') : 'blank'}, last year ${longDate(last.duc)}`,
                'DUC',
              );
            }
            return [];
          });
        }),
      );
    },
    examples: [
      {
        note: 'ceasing on the 18th birthday, within the year',
        valid: {
          Header: [{}],
          UASC: [{ DOB: '10/07/2007', DUC: '10/07/2025' }],
          previous: { Header: [{}], UASC: [{ DOB: '10/07/2007', DUC: '10/07/2025' }] },
        },
        invalid: {
          Header: [{}],
          UASC: [{ DOB: '10/07/2007', DUC: '09/07/2025' }],
          previous: { Header: [{}], UASC: [{ DOB: '10/07/2007', DUC: '09/07/2025' }] },
        },
        flags: [
          ['UASC', 0],
          ['Header', 0],
        ],
      },
      {
        note: "after the year, this year's date must be last year's",
        valid: {
          Header: [{}],
          UASC: [{ DOB: '10/07/2008', DUC: '10/07/2026' }],
          previous: { Header: [{}], UASC: [{ DOB: '10/07/2008', DUC: '10/07/2026' }] },
        },
        invalid: {
          Header: [{}],
          UASC: [{ DOB: '10/07/2008', DUC: '11/07/2026' }],
          previous: { Header: [{}], UASC: [{ DOB: '10/07/2008', DUC: '10/07/2026' }] },
        },
        flags: [
          ['UASC', 0],
          ['Header', 0],
        ],
      },
      {
        source: 'xml',
        note: 'a blank date last year is not the 18th birthday; no longer UASC is not this rule',
        valid: {
          Header: [{ UASC: '0' }],
          UASC: [{ DOB: '10/07/2008', DUC: '' }],
          previous: { Header: [{ UASC: '1' }], UASC: [{ DOB: '10/07/2008', DUC: '' }] },
        },
        invalid: {
          Header: [{ UASC: '1' }],
          UASC: [{ DOB: '10/07/2008', DUC: '' }],
          previous: { Header: [{ UASC: '1' }], UASC: [{ DOB: '10/07/2008', DUC: '' }] },
        },
        flags: [
          ['UASC', 0],
          ['Header', 0],
        ],
      },
    ],
  },
  {
    code: '205C',
    previous: true,
    meaning:
      'the child is not UASC this year nor was last year, but a date UASC ceased is given this year or was last year',
    tables: ['Header', 'UASC'],
    fields: ['DUC', 'UASC'],
    severity: 'warn',
    reason: UASC_REASON,
    check(child) {
      const never = (status: string) => status === '0' || status === '';
      return unique(
        (uascYears(child) ?? []).flatMap(({ now: year, pairs }) => {
          if (!never(year.status)) return [];
          return pairs.flatMap(([now, last]) => {
            if (!never(last.status)) return [];
            if (now.duc !== null) return uascFlags(now, year.header, `DUC is ${longDate(now.duc)}`, 'DUC');
            if (last.duc !== null)
              return uascFlags(now, year.header, `last year's DUC is ${longDate(last.duc)}`, 'DUC');
            return [];
          });
        }),
      );
    },
    examples: [
      {
        source: 'xml',
        valid: { Header: [{ UASC: '0' }], previous: { Header: [{ UASC: '0' }] } },
        invalid: { Header: [{ UASC: '0' }], UASC: [{ DUC: '01/06/2025' }], previous: { Header: [{ UASC: '0' }] } },
        flags: [
          ['UASC', 0],
          ['Header', 0],
        ],
      },
      {
        source: 'xml',
        note: "last year's date, with no UASC row this year; UASC this year is not this rule",
        valid: {
          Header: [{ UASC: '1' }],
          UASC: [{ DUC: '01/06/2025' }],
          previous: { Header: [{ UASC: '0' }], UASC: [{ DUC: '01/06/2024' }] },
        },
        invalid: { Header: [{ UASC: '0' }], previous: { Header: [{ UASC: '0' }], UASC: [{ DUC: '01/06/2024' }] } },
        flags: [['Header', 0]],
      },
    ],
  },
  {
    code: '205D',
    previous: true,
    meaning: 'the child is UASC this year but was not last year',
    tables: ['Header'],
    fields: ['UASC', 'CHILD'],
    severity: 'warn',
    reason: UASC_REASON,
    *check(child, context) {
      const lastHeaders = child.previous('Header');
      const lastUasc = child.previous('UASC') ?? [];
      // The DfE matches the child in last year's Header; with none, there is nothing to compare.
      if (lastHeaders === null || lastHeaders.length === 0) return;
      const lastStatuses = lastHeaders.map((header) => uascYear(header, lastUasc).status);
      for (const header of child.rows('Header')) {
        // Without a UASC table or a flag on the Header, this year's status is not known (a CSV return without UASC.csv).
        if (!('UASC' in header.cells) && !context.tables.has('UASC')) continue;
        const was = lastStatuses.find((status) => status !== '1');
        if (uascYear(header, child.rows('UASC')).status === '1' && was !== undefined) {
          yield {
            row: header,
            column: 'UASC',
            detail: `last year's UASC status is ${was === '' ? 'blank' : `"${was}"`}`,
          };
        }
      }
    },
    examples: [
      {
        note: 'a CSV return: in the UASC table this year and last',
        valid: { Header: [{}], UASC: [{}], previous: { Header: [{}], UASC: [{}] } },
        invalid: { Header: [{}], UASC: [{}], previous: { Header: [{}] } },
        flags: [['Header', 0]],
      },
      {
        source: 'xml',
        valid: { Header: [{ UASC: '1' }], UASC: [{}], previous: { Header: [{ UASC: '1' }] } },
        invalid: { Header: [{ UASC: '1' }], UASC: [{}], previous: { Header: [{ UASC: '0' }] } },
        flags: [['Header', 0]],
      },
    ],
  },
  rowRule({
    code: '231',
    table: 'Header',
    fields: ['DOB', 'UASC'],
    from: '2024-25',
    meaning: (year) =>
      `the child is UASC but was born after ${longDate(addYears(collectionEnd(year), -11))}, under 11 at the end of the year (UASC children are generally older)`,
    severity: 'warn',
    reason:
      'a plausibility check of the date of birth for UASC children; the DfE accepts it with an explanation, so the child is kept',
    breaks: (row, child, { end }) => {
      // The DfE's UASC_STATUS: the XML's flag on the Header, or for CSV a row in the UASC table.
      const status = 'UASC' in row.cells ? code(row, 'UASC') : child.rows('UASC').length > 0 ? '1' : '0';
      const dob = dateOf(row, 'DOB');
      return status === '1' && dob !== null && dob > addYears(end, -11) ? `DOB is ${longDate(dob)}` : false;
    },
    examples: [
      {
        note: 'an 11th birthday on 31 March, the last day of the year, is old enough',
        valid: { Header: [{ DOB: '31/03/2015' }], UASC: [{}] },
        invalid: { Header: [{ DOB: '01/04/2015' }], UASC: [{}] },
        flags: [['Header', 0]],
      },
      {
        source: 'xml',
        valid: { Header: [{ DOB: '01/04/2015', UASC: '0' }] },
        invalid: { Header: [{ DOB: '01/04/2015', UASC: '1' }] },
        flags: [['Header', 0]],
      },
    ],
  }),
  {
    code: '303',
    meaning: 'a date UASC status ceased is given but the UASC status is not 1 (an unaccompanied asylum-seeking child)',
    tables: ['Header', 'UASC'],
    fields: ['DUC', 'UASC'],
    severity: 'warn',
    reason: UASC_REASON,
    *check(child) {
      for (const header of child.rows('Header')) {
        // In a CSV return the status is the UASC row itself, so only the XML's flag can disagree.
        const { status } = uascYear(header, child.rows('UASC'));
        if (status === '1') continue;
        const dated = child.rows('UASC').filter((row) => filled(row, 'DUC'));
        for (const row of dated)
          yield {
            row,
            column: 'DUC',
            detail: `DUC is ${shown(row, 'DUC')}, UASC ${status === '' ? 'blank' : `"${status}"`}`,
          };
        if (dated.length > 0)
          yield { row: header, column: 'UASC', detail: `UASC is ${status === '' ? 'blank' : `"${status}"`}` };
      }
    },
    examples: [
      {
        source: 'xml',
        valid: { Header: [{ UASC: '1' }], UASC: [{ DUC: '01/06/2025' }] },
        invalid: { Header: [{ UASC: '0' }], UASC: [{ DUC: '01/06/2025' }] },
        flags: [
          ['UASC', 0],
          ['Header', 0],
        ],
      },
      {
        source: 'xml',
        note: 'a blank status with a date; no date with status 0 is allowed',
        valid: { Header: [{ UASC: '0' }], UASC: [{ DUC: '' }] },
        invalid: { Header: [{ UASC: '' }], UASC: [{ DUC: '01/06/2025' }] },
        flags: [
          ['UASC', 0],
          ['Header', 0],
        ],
      },
    ],
  },
  rowRule({
    code: '304',
    table: 'UASC',
    fields: ['DUC'],
    meaning: "the date UASC status ceased is after the child's 18th birthday",
    severity: 'warn',
    reason: UASC_REASON,
    breaks: (row) => {
      const dob = dateOf(row, 'DOB');
      const duc = dateOf(row, 'DUC');
      return dob !== null && duc !== null && duc > addYears(dob, 18)
        ? `DUC is ${longDate(duc)}, the 18th birthday ${longDate(addYears(dob, 18))}`
        : false;
    },
    examples: [
      {
        note: 'ceasing on the 18th birthday is allowed, the day after is not',
        valid: {
          UASC: [
            { DOB: '10/07/2007', DUC: '10/07/2025' },
            { DOB: '', DUC: '10/07/2025' },
          ],
        },
        invalid: { UASC: [{ DOB: '10/07/2007', DUC: '11/07/2025' }] },
        flags: [['UASC', 0]],
      },
    ],
  }),

  // --- Integrity of the tables ------------------------------------------------------------------
  rowRule({
    code: 'EPI',
    table: 'Header',
    fields: ['CHILD'],
    meaning: 'the child has no episodes (nor a care leaver record) in the return',
    severity: 'warn',
    reason:
      'a child with no episodes has nothing to audit; the Header is kept so their episodes can follow in a later import',
    breaks: (_row, child) => child.rows('Episodes').length === 0 && child.rows('OC3').length === 0,
    examples: [
      {
        valid: { Header: [{}], Episodes: [{}] },
        invalid: { Header: [{}] },
        flags: [['Header', 0]],
      },
      {
        note: 'a care leaver with an OC3 record only',
        valid: { Header: [{}], OC3: [{}] },
        invalid: { Header: [{}], Reviews: [{}] },
        flags: [['Header', 0]],
      },
    ],
  }),
  rowRule({
    code: 'INT03',
    table: 'Episodes',
    alsoReads: ['Header'],
    fields: ['CHILD'],
    meaning: 'the child of this episode is not in the Header table',
    severity: 'reject',
    reason:
      'an episode of a child the return does not describe has no date of birth or sex: it cannot be placed in an audit',
    breaks: (_row, child) => child.rows('Header').length === 0,
    examples: [{ valid: { Header: [{}], Episodes: [{}] }, invalid: { Episodes: [{}] }, flags: [['Episodes', 0]] }],
  }),
  rowRule({
    code: 'INT09',
    table: 'UASC',
    alsoReads: ['Header'],
    fields: ['CHILD'],
    meaning: 'the child of this UASC record is not in the Header table',
    severity: 'warn',
    reason: 'no audit reads the UASC record; it is kept and the missing Header row queried',
    breaks: (_row, child) => child.rows('Header').length === 0,
    examples: [{ valid: { Header: [{}], UASC: [{}] }, invalid: { UASC: [{}] }, flags: [['UASC', 0]] }],
  }),
  rowRule({
    code: 'INT18',
    table: 'UASC',
    alsoReads: ['Header'],
    fields: ['DOB'],
    meaning: 'the date of birth in the UASC record differs from the one in the Header',
    severity: 'warn',
    reason: "the Header's date of birth is the one the audits use; the UASC record is kept and the difference queried",
    breaks: (row, child) => {
      const dob = dateOf(row, 'DOB');
      const other = child
        .rows('Header')
        .map((header) => dateOf(header, 'DOB'))
        .find((date) => date !== null && dob !== null && date !== dob);
      return other !== undefined && other !== null && dob !== null
        ? `DOB is ${longDate(dob)}, in the Header ${longDate(other)}`
        : false;
    },
    examples: [
      {
        note: 'a blank or unreal date on either side is not compared',
        valid: { Header: [{ DOB: '01/04/2008' }], UASC: [{ DOB: '01/04/2008' }, { DOB: '' }, { DOB: '31/02/2008' }] },
        invalid: { Header: [{ DOB: '01/04/2008' }], UASC: [{ DOB: '04/01/2008' }, { DOB: '01/04/2008' }] },
        flags: [['UASC', 0]],
      },
    ],
  }),
  rowRule({
    code: 'INT21',
    table: 'UASC',
    alsoReads: ['Header'],
    fields: ['SEX'],
    meaning: 'the sex in the UASC record differs from the one in the Header',
    severity: 'warn',
    reason: "the Header's sex is the one the profile counts; the UASC record is kept and the difference queried",
    breaks: (row, child) => {
      const sex = code(row, 'SEX');
      const other = child
        .rows('Header')
        .find((header) => filled(header, 'SEX') && sex !== '' && code(header, 'SEX') !== sex);
      return other ? `SEX is "${cell(row, 'SEX')}", in the Header "${cell(other, 'SEX')}"` : false;
    },
    examples: [
      {
        valid: { Header: [{ SEX: 'F' }], UASC: [{ SEX: 'F' }, { SEX: '' }] },
        invalid: { Header: [{ SEX: 'M' }], UASC: [{ SEX: 'F' }, { SEX: 'M' }] },
        flags: [['UASC', 0]],
      },
    ],
  }),
  rowRule({
    code: 'INT32',
    table: 'Header',
    fields: ['CHILD'],
    meaning: 'the child is in the Header table more than once',
    severity: 'reject',
    reason:
      'two Header rows can give the child two dates of birth or sexes, and the importer cannot tell which one the audits should use',
    breaks: (_row, child) => (child.rows('Header').length > 1 ? `${child.rows('Header').length} Header rows` : false),
    examples: [
      {
        valid: { Header: [{}] },
        invalid: { Header: [{ DOB: '01/04/2010' }, { DOB: '01/04/2010' }] },
        flags: [
          ['Header', 0],
          ['Header', 1],
        ],
      },
    ],
  }),
  rowRule({
    code: 'INT36',
    table: 'UASC',
    fields: ['CHILD'],
    meaning: 'the child is in the UASC table more than once',
    severity: 'warn',
    reason: 'no audit reads the UASC record; the rows are kept and the repeat queried',
    breaks: (_row, child) => (child.rows('UASC').length > 1 ? `${child.rows('UASC').length} UASC rows` : false),
    examples: [
      {
        valid: { UASC: [{}] },
        invalid: { UASC: [{}, {}] },
        flags: [
          ['UASC', 0],
          ['UASC', 1],
        ],
      },
    ],
  }),
];

/** This family's rules the importer does not check: none (every one reads fields the product imports). */
export const HEADER_RULES_NOT_APPLIED: readonly RuleNotApplied[] = [];
