/**
 * The DfE's rules on an episode's own fields: its codes (reason for new episode, legal status,
 * category of need, placement type, provider, reason ceased, reason for placement change), its
 * dates, how long a legal status or a temporary placement may last, which placement types fit which
 * provider and age, the Ofsted URN and the postcodes. The rules on the fields the DfE derives from
 * postcodes (distance, placement LA, location) and on Ofsted's provider list are set aside here.
 */
import {
  addDays,
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
import { codeRule, dateRule, rowRule, type RuleNotApplied, type Ssda903Rule } from '../rule.ts';

// ---------------------------------------------------------------------------------------------
// Helpers of this family
// ---------------------------------------------------------------------------------------------

/** The temporary placement types: no provider, no URN, no reason for placement change. */
const TEMPORARY = ['T0', 'T1', 'T2', 'T3', 'T4'] as const;
/** Z1 (other placement) until 2024-25, split into Z11–Z14 from 2025-26. */
const OTHER_UNTIL_2024_25 = ['Z1'] as const;
const OTHER_FROM_2025_26 = ['Z11', 'Z12', 'Z13', 'Z14'] as const;
/** Short-break legal statuses: no placement location is recorded for them. */
const SHORT_BREAKS = new Set(['V3', 'V4']);
/** The URN the DfE allows where a placement has one but it is not known. */
const URN_NOT_KNOWN = 'XXXXXXX';

const episodes = (child: ChildReturn): readonly ReturnRow[] => child.rows('Episodes');

/** "A, B or C" for a message. */
function orList(codes: readonly string[]): string {
  return codes.length <= 1 ? (codes[0] ?? '') : `${codes.slice(0, -1).join(', ')} or ${codes.at(-1)!}`;
}

/** 10 → "10th". */
function ordinal(n: number): string {
  const tens = n % 100;
  const suffix = tens >= 11 && tens <= 13 ? 'th' : (['th', 'st', 'nd', 'rd'][n % 10] ?? 'th');
  return `${n}${suffix}`;
}

/**
 * Postcode areas that lie wholly outside England (Scotland, Wales, Northern Ireland, the Channel
 * Islands and the Isle of Man). The DfE exempts placements outside England from the URN rules by
 * the placement LA it derives from the postcode; the product does not import that derived field,
 * so the area of the placement postcode stands in for it. Areas that straddle a border (CH, LD, NP,
 * SY, TD) are not listed: such a placement is treated as in England, the DfE's default.
 */
const AREAS_OUTSIDE_ENGLAND = new Set([
  'AB',
  'DD',
  'DG',
  'EH',
  'FK',
  'G',
  'HS',
  'IV',
  'KA',
  'KW',
  'KY',
  'ML',
  'PA',
  'PH',
  'ZE', // Scotland
  'CF',
  'LL',
  'SA', // Wales
  'BT', // Northern Ireland
  'GY',
  'JE',
  'IM', // Channel Islands, Isle of Man
]);

function placedOutsideEngland(row: ReturnRow): boolean {
  const area = /^[A-Z]{1,2}(?=\d)/.exec(compactPostcode(cell(row, 'PL_POST')))?.[0];
  return area !== undefined && AREAS_OUTSIDE_ENGLAND.has(area);
}

/** A postcode upper-cased without spaces, the form the DfE compares. */
const compactPostcode = (text: string): string => text.toUpperCase().replace(/\s+/g, '');

/** The shape of a full UK postcode (outward code, then a digit and two letters). */
const POSTCODE = /^[A-Z]{1,2}\d[A-Z\d]?\d[A-Z]{2}$/;

/** Whether the child was ever an unaccompanied asylum-seeking child, this year or last (392b's exemption). */
function everUnaccompanied(child: ChildReturn): boolean {
  const said = (rows: readonly ReturnRow[] | null) => (rows ?? []).some((row) => cell(row, 'UASC') === '1');
  // A UASC row exists only for a child who is or was UASC (the XML loader writes one only then).
  return (
    said(child.rows('Header')) ||
    child.rows('UASC').length > 0 ||
    said(child.previous('Header')) ||
    (child.previous('UASC') ?? []).length > 0
  );
}

/**
 * The end of an episode for a duration rule: its date ceased, or the end of the year while it is
 * open. Null when the date ceased is written but is not a date (rule 147 reports that; guessing
 * the length would only add noise).
 */
function endOrYearEnd(row: ReturnRow, context: ReturnContext): string | null {
  if (!filled(row, 'DEC')) return context.end;
  return dateOf(row, 'DEC');
}

/** "lasted 4 days (1 May 2025 to 5 May 2025)" or "is open: 16 days from 15 March 2026 to 31 March 2026". */
function spanDetail(what: string, start: string, end: string, open: boolean): string {
  const days = daysBetween(start, end);
  return `${what} ${open ? 'is still open and has lasted' : 'lasted'} ${days} day${days === 1 ? '' : 's'} (${longDate(start)} to ${open ? 'the year end, ' : ''}${longDate(end)})`;
}

/**
 * A legal status that may last only so long: the child's episodes under it that run on from one
 * another (each starts on or before the previous one's end, the open one running to the year end)
 * are one spell, and every episode of a spell longer than `maxDays` is flagged.
 */
function legalStatusSpellRule(spec: {
  code: string;
  status: string;
  maxDays: number;
  what: string;
  meaning: string;
  reason: string;
  examples: Ssda903Rule['examples'];
}): Ssda903Rule {
  const { status, maxDays, what } = spec;
  return {
    code: spec.code,
    meaning: spec.meaning,
    tables: ['Episodes'],
    fields: ['LS', 'DECOM', 'DEC'],
    severity: 'warn',
    reason: spec.reason,
    *check(child, context) {
      type Spell = { rows: ReturnRow[]; start: string; end: string; open: boolean };
      const spells: Spell[] = [];
      for (const row of episodesByStart(child)) {
        if (cell(row, 'LS') !== status) continue;
        const start = dateOf(row, 'DECOM');
        const end = endOrYearEnd(row, context);
        if (start === null || end === null) continue;
        const open = !filled(row, 'DEC');
        const last = spells.at(-1);
        if (last && start <= last.end) {
          last.rows.push(row);
          if (end >= last.end) Object.assign(last, { end, open });
        } else spells.push({ rows: [row], start, end, open });
      }
      for (const spell of spells) {
        if (daysBetween(spell.start, spell.end) <= maxDays) continue;
        const detail = spanDetail(what, spell.start, spell.end, spell.open);
        for (const row of spell.rows) yield { row, column: 'LS', detail };
      }
    },
    examples: spec.examples,
  };
}

/**
 * A placement type for which the child must have reached an age when the placement began (370–374).
 * Open placements are judged too: the age limit is about the start, which an open episode has. The
 * community validator drops rows without a date ceased before comparing, so it misses them.
 */
function placementAgeRule(spec: {
  code: string;
  place: string;
  years: number;
  from?: Ssda903Rule['from'];
  until?: Ssda903Rule['until'];
  what: string;
}): Ssda903Rule {
  const { place, years } = spec;
  const born = `10/09/${2025 - years}`;
  return {
    code: spec.code,
    ...(spec.from ? { from: spec.from } : {}),
    ...(spec.until ? { until: spec.until } : {}),
    meaning: `a child in ${spec.what} (${place}) was under ${years} when the placement began`,
    tables: ['Episodes', 'Header'],
    fields: ['PLACE', 'DECOM'],
    severity: 'warn',
    reason:
      'a placement-type age limit is a plausibility check on the placement code; the dates the audits use are not in doubt, so the episode is kept',
    *check(child) {
      const dob = dateOfBirth(child);
      if (dob === null) return;
      const birthday = addYears(dob, years);
      for (const row of episodes(child)) {
        if (cell(row, 'PLACE') !== place) continue;
        const start = dateOf(row, 'DECOM');
        if (start !== null && start < birthday) {
          yield {
            row,
            column: 'PLACE',
            detail: `the placement began on ${longDate(start)}, before the child's ${ordinal(years)} birthday on ${longDate(birthday)}`,
          };
        }
      }
    },
    examples: [
      {
        note: `placed on the ${ordinal(years)} birthday is allowed; the day before is not`,
        valid: {
          Header: [{ DOB: born }],
          Episodes: [
            { PLACE: place, DECOM: '10/09/2025', DEC: '' },
            { PLACE: 'U4', DECOM: '01/05/2025' },
          ],
        },
        invalid: {
          Header: [{ DOB: born }],
          Episodes: [
            { PLACE: place, DECOM: '09/09/2025', DEC: '' },
            { PLACE: place, DECOM: '01/05/2025', DEC: '20/05/2025' },
          ],
        },
        flags: [
          ['Episodes', 0],
          ['Episodes', 1],
        ],
      },
    ],
  };
}

/** A temporary placement type that may last only so many days (its date ceased more than that after it began). */
function temporaryLengthRule(spec: {
  code: string;
  place: string;
  maxDays: number;
  what: string;
  limit: string;
}): Ssda903Rule {
  const { place, maxDays } = spec;
  return rowRule({
    code: spec.code,
    table: 'Episodes',
    fields: ['PLACE', 'DECOM', 'DEC'],
    meaning: `a temporary placement ${spec.what} (${place}) lasted more than ${spec.limit}`,
    severity: 'warn',
    reason:
      'the length of a temporary placement is a plausibility check on the placement code; its dates stand, so the episode is kept',
    // An open placement has no length yet: the DfE judges it when it ends.
    breaks: (row) => {
      if (cell(row, 'PLACE') !== place) return false;
      const start = dateOf(row, 'DECOM');
      const end = dateOf(row, 'DEC');
      return start !== null && end !== null && end > addDays(start, maxDays)
        ? spanDetail('the placement', start, end, false)
        : false;
    },
    examples: [
      {
        note: `exactly ${maxDays} days is allowed; a day more is not`,
        valid: {
          Episodes: [
            { PLACE: place, DECOM: '01/05/2025', DEC: shiftIso('2025-05-01', maxDays) },
            { PLACE: place, DECOM: '01/12/2025', DEC: '' },
          ],
        },
        invalid: {
          Episodes: [
            { PLACE: place, DECOM: '01/05/2025', DEC: shiftIso('2025-05-01', maxDays + 1) },
            { PLACE: 'U4', DECOM: '01/06/2025', DEC: '01/12/2025' },
          ],
        },
        flags: [['Episodes', 0]],
      },
    ],
  });
}

/** An ISO date moved by days, written dd/mm/YYYY (for examples). */
function shiftIso(iso: string, days: number): string {
  const [y, m, d] = addDays(iso, days).split('-');
  return `${d}/${m}/${y}`;
}

/** PLACE and PLACE_PROVIDER together, for details. */
const placeAndProvider = (row: ReturnRow): string =>
  `PLACE is "${cell(row, 'PLACE')}" and PLACE_PROVIDER is "${cell(row, 'PLACE_PROVIDER')}"`;

/** A placement provider that cannot provide the given placement types. */
function providerPlacementRule(spec: {
  code: string;
  provider: string;
  places: readonly string[];
  meaning: string;
  validPlace: string;
}): Ssda903Rule {
  const places = new Set(spec.places);
  const bad = spec.places[0]!;
  return rowRule({
    code: spec.code,
    table: 'Episodes',
    fields: ['PLACE_PROVIDER', 'PLACE'],
    meaning: spec.meaning,
    severity: 'warn',
    reason: 'the placement provider is profile information no audit reads; the episode is kept with a warning',
    breaks: (row) =>
      places.has(cell(row, 'PLACE')) && cell(row, 'PLACE_PROVIDER') === spec.provider && placeAndProvider(row),
    examples: [
      {
        valid: {
          Episodes: [
            { PLACE: spec.validPlace, PLACE_PROVIDER: spec.provider },
            { PLACE: bad, PLACE_PROVIDER: spec.provider === 'PR0' ? 'PR1' : 'PR0' },
          ],
        },
        invalid: { Episodes: spec.places.map((place) => ({ PLACE: place, PLACE_PROVIDER: spec.provider })) },
        flags: spec.places.map((_p, i) => ['Episodes', i] as const),
      },
    ],
  });
}

const WARN_PROVIDER =
  'the placement provider is profile information no audit reads; the episode is kept with a warning';
const WARN_URN = 'the Ofsted URN is not read by any audit; the episode is kept and the URN shown as queried';
const WARN_POSTCODE =
  'postcodes feed only the DfE’s distance and location statistics, which no audit reads; the episode is kept with a warning';
const WARN_PLACE_CHANGE =
  'the reason for a placement change is reported as given, but no audit depends on it; the episode is kept with a warning';
const WARN_LEGAL_DURATION =
  'a legal status lasting longer than the law allows is a recording slip or a late change of status; the episode dates the audits use stand, so it is kept with a warning';

// ---------------------------------------------------------------------------------------------
// Rule definitions that change by year
// ---------------------------------------------------------------------------------------------

/** 178: a placement provider that is not a code, or given for a placement that has none. */
function rule178(
  span: { from?: '2025-26'; until?: '2024-25' },
  noProvider: readonly string[],
  examples: Ssda903Rule['examples'],
): Ssda903Rule {
  const none = new Set(noProvider);
  const providers = new Set(['PR0', 'PR1', 'PR2', 'PR3', 'PR4', 'PR5']);
  return rowRule({
    code: '178',
    ...span,
    table: 'Episodes',
    fields: ['PLACE_PROVIDER', 'PLACE'],
    meaning: `the placement provider is not one of PR0 to PR5, or is given for a placement that has no provider (${orList(noProvider)})`,
    severity: 'warn',
    reason: WARN_PROVIDER,
    breaks: (row) => {
      const provider = cell(row, 'PLACE_PROVIDER');
      if (provider === '') return false;
      if (!providers.has(provider)) return `PLACE_PROVIDER is "${provider}"`;
      return none.has(cell(row, 'PLACE')) && placeAndProvider(row);
    },
    examples,
  });
}

/** 213: a provider given for a temporary (or, from 2025-26, "other") placement. */
function rule213(
  span: { from?: '2025-26'; until?: '2024-25' },
  noProvider: readonly string[],
  examples: Ssda903Rule['examples'],
): Ssda903Rule {
  const none = new Set(noProvider);
  return rowRule({
    code: '213',
    ...span,
    table: 'Episodes',
    fields: ['PLACE_PROVIDER', 'PLACE'],
    meaning: `a placement provider is recorded for a placement that has none (${orList(noProvider)})`,
    severity: 'warn',
    reason: WARN_PROVIDER,
    breaks: (row) => none.has(cell(row, 'PLACE')) && filled(row, 'PLACE_PROVIDER') && placeAndProvider(row),
    examples,
  });
}

/** 526: no provider for a placement that needs one. */
function rule526(
  span: { from?: '2025-26'; until?: '2024-25' },
  noProvider: readonly string[],
  examples: Ssda903Rule['examples'],
): Ssda903Rule {
  const none = new Set(noProvider);
  return rowRule({
    code: '526',
    ...span,
    table: 'Episodes',
    fields: ['PLACE_PROVIDER', 'PLACE'],
    meaning: `no placement provider is recorded for a placement that needs one (every placement but ${orList(noProvider)})`,
    severity: 'warn',
    reason: WARN_PROVIDER,
    breaks: (row) =>
      !none.has(cell(row, 'PLACE')) &&
      !filled(row, 'PLACE_PROVIDER') &&
      `PLACE is "${cell(row, 'PLACE')}" and PLACE_PROVIDER is blank`,
    examples,
  });
}

/** 218: no URN for a placement that needs one, in England, open on or after the start of the year. */
function rule218(
  span: { from?: '2024-25' | '2025-26'; until?: '2023-24' | '2024-25' },
  exempt: readonly string[],
  examples: Ssda903Rule['examples'],
): Ssda903Rule {
  const noUrn = new Set(exempt);
  return rowRule({
    code: '218',
    ...span,
    table: 'Episodes',
    fields: ['URN', 'PLACE', 'DEC'],
    meaning: `no Ofsted URN is recorded for a placement in England that needs one (every placement but ${orList(exempt)}) open during the year`,
    severity: 'warn',
    reason: `${WARN_URN}; placements outside England are told by the postcode area, as the DfE’s derived placement LA is not imported`,
    breaks: (row, _child, { start }) => {
      if (filled(row, 'URN') || noUrn.has(cell(row, 'PLACE')) || placedOutsideEngland(row)) return false;
      const end = dateOf(row, 'DEC');
      // A date ceased that is written but not a date is neither "open" nor "ended before the year".
      const openInYear = !filled(row, 'DEC') || (end !== null && end >= start);
      return openInYear && `PLACE is "${cell(row, 'PLACE')}" and URN is blank`;
    },
    examples,
  });
}

/** 222: a URN recorded for a placement type that has none. */
function rule222(
  span: { from?: '2023-24' | '2024-25' | '2025-26'; until?: '2022-23' | '2023-24' | '2024-25' },
  noUrnPlaces: readonly string[],
  examples: Ssda903Rule['examples'],
): Ssda903Rule {
  const noUrn = new Set(noUrnPlaces);
  return rowRule({
    code: '222',
    ...span,
    table: 'Episodes',
    fields: ['URN', 'PLACE'],
    meaning: `an Ofsted URN is recorded for a placement type that has none (${orList(noUrnPlaces)})`,
    severity: 'warn',
    reason: WARN_URN,
    breaks: (row) =>
      noUrn.has(cell(row, 'PLACE')) &&
      filled(row, 'URN') &&
      cell(row, 'URN') !== URN_NOT_KNOWN &&
      `PLACE is "${cell(row, 'PLACE')}" and URN is "${cell(row, 'URN')}"`,
    examples,
  });
}

// ---------------------------------------------------------------------------------------------
// The rules
// ---------------------------------------------------------------------------------------------

const T = TEMPORARY;
const PLACES_218_UNTIL_2023_24 = ['H5', 'P1', 'P2', 'P3', 'R1', 'R2', 'R5', ...T, ...OTHER_UNTIL_2024_25];
const PLACES_218_2024_25 = ['P1', 'P3', 'R1', 'R2', 'R5', ...T, ...OTHER_UNTIL_2024_25];
const PLACES_218_FROM_2025_26 = ['P1', 'P3', 'R1', 'R2', 'R5', ...T, ...OTHER_FROM_2025_26];

export const EPISODE_RULES: readonly Ssda903Rule[] = [
  dateRule({
    code: '141',
    table: 'Episodes',
    column: 'DECOM',
    what: 'the date the episode began',
    blank: 'allowed',
    severity: 'reject',
    reason:
      'an episode whose start is not a date cannot be placed in the child’s timeline: every period of care and review due date would be wrong',
    examples: [
      {
        valid: { Episodes: [{ DECOM: '01/04/2025' }, { DECOM: '' }] },
        invalid: { Episodes: [{ DECOM: '38/04/2025' }, { DECOM: '01/04/25' }, { DECOM: 'April 2025' }] },
        flags: [
          ['Episodes', 0],
          ['Episodes', 1],
          ['Episodes', 2],
        ],
      },
    ],
  }),
  codeRule({
    code: '143',
    table: 'Episodes',
    column: 'RNE',
    what: 'the reason for the new episode',
    blank: 'allowed',
    severity: 'reject',
    reason:
      'the reason for a new episode says whether a period of care starts or continues; an unknown code would split or join periods of care wrongly',
    examples: [
      {
        valid: {
          Episodes: [{ RNE: 'S' }, { RNE: 'P' }, { RNE: 'L' }, { RNE: 'T' }, { RNE: 'U' }, { RNE: 'B' }, { RNE: '' }],
        },
        invalid: { Episodes: [{ RNE: 'p' }, { RNE: 'SP' }, { RNE: 'X' }] },
        flags: [
          ['Episodes', 0],
          ['Episodes', 1],
          ['Episodes', 2],
        ],
      },
    ],
  }),
  codeRule({
    code: '144',
    table: 'Episodes',
    column: 'LS',
    what: 'the legal status',
    blank: 'allowed',
    severity: 'reject',
    reason:
      'the legal status decides whether reviews are due at all (short breaks have none); an unknown code would make the review audit wrong',
    examples: [
      {
        valid: { Episodes: [{ LS: 'C1' }, { LS: 'V4' }, { LS: 'J3' }, { LS: '' }] },
        invalid: { Episodes: [{ LS: 'c1' }, { LS: 'section 20' }, { LS: 'V1' }] },
        flags: [
          ['Episodes', 0],
          ['Episodes', 1],
          ['Episodes', 2],
        ],
      },
    ],
  }),
  codeRule({
    code: '145',
    table: 'Episodes',
    column: 'CIN',
    what: 'the category of need',
    blank: 'allowed',
    severity: 'warn',
    reason: 'no audit judges by category of need; the episode is kept and the profile counts the code as given',
    examples: [
      {
        valid: { Episodes: [{ CIN: 'N1' }, { CIN: 'N8' }, { CIN: '' }] },
        invalid: { Episodes: [{ CIN: 'N0' }, { CIN: 'N9' }, { CIN: 'n8' }] },
        flags: [
          ['Episodes', 0],
          ['Episodes', 1],
          ['Episodes', 2],
        ],
      },
    ],
  }),
  codeRule({
    code: '146',
    table: 'Episodes',
    column: 'PLACE',
    what: 'the placement type',
    blank: 'allowed',
    severity: 'warn',
    reason:
      'the placement type is kept as given for the profile; the episode’s dates, which the audits use, are not in doubt',
    // The DfE's list changes: K3 from 2024-25 (the validator's 2024-25 list spells it "k3", a typo
    // read here as K3); H5, P2 and Z1 retired and Z11–Z14 added from 2025-26.
    examples: [
      {
        until: '2023-24',
        note: 'before K3 and the Z1 split',
        valid: { Episodes: [{ PLACE: 'H5' }, { PLACE: 'P2' }, { PLACE: 'Z1' }, { PLACE: 'U4' }, { PLACE: '' }] },
        invalid: { Episodes: [{ PLACE: 'K3' }, { PLACE: 'Z11' }, { PLACE: 't3' }, { PLACE: 'R4' }] },
        flags: [
          ['Episodes', 0],
          ['Episodes', 1],
          ['Episodes', 2],
          ['Episodes', 3],
        ],
      },
      {
        from: '2024-25',
        until: '2024-25',
        note: 'K3 added; H5, P2 and Z1 still valid',
        valid: { Episodes: [{ PLACE: 'K3' }, { PLACE: 'H5' }, { PLACE: 'P2' }, { PLACE: 'Z1' }, { PLACE: '' }] },
        invalid: { Episodes: [{ PLACE: 'k3' }, { PLACE: 'Z11' }, { PLACE: 'A2' }] },
        flags: [
          ['Episodes', 0],
          ['Episodes', 1],
          ['Episodes', 2],
        ],
      },
      {
        from: '2025-26',
        note: 'H5, P2 and Z1 retired; Z11 to Z14 added',
        valid: { Episodes: [{ PLACE: 'K3' }, { PLACE: 'Z11' }, { PLACE: 'Z14' }, { PLACE: 'A3' }, { PLACE: '' }] },
        invalid: { Episodes: [{ PLACE: 'H5' }, { PLACE: 'P2' }, { PLACE: 'Z1' }, { PLACE: 'Z15' }] },
        flags: [
          ['Episodes', 0],
          ['Episodes', 1],
          ['Episodes', 2],
          ['Episodes', 3],
        ],
      },
    ],
  }),
  dateRule({
    code: '147',
    table: 'Episodes',
    column: 'DEC',
    what: 'the date the episode ceased',
    blank: 'allowed',
    severity: 'reject',
    reason:
      'an episode whose end is not a date cannot be placed in the child’s timeline: the period of care would seem open or closed wrongly',
    examples: [
      {
        valid: { Episodes: [{ DEC: '31/03/2026' }, { DEC: '' }] },
        invalid: { Episodes: [{ DEC: '31/02/2026' }, { DEC: '1/4/25' }] },
        flags: [
          ['Episodes', 0],
          ['Episodes', 1],
        ],
      },
    ],
  }),
  codeRule({
    code: '149',
    table: 'Episodes',
    column: 'REC',
    what: 'the reason the episode ceased',
    blank: 'allowed',
    severity: 'reject',
    reason:
      'the reason an episode ceased says whether the period of care ends (any code but X1); an unknown code would end or continue care wrongly',
    examples: [
      {
        valid: { Episodes: [{ REC: 'X1' }, { REC: 'E4A' }, { REC: 'E17' }, { REC: '' }] },
        invalid: { Episodes: [{ REC: 'E4b' }, { REC: 'X' }, { REC: 'E10' }] },
        flags: [
          ['Episodes', 0],
          ['Episodes', 1],
          ['Episodes', 2],
        ],
      },
    ],
  }),

  rule178(
    { until: '2024-25' },
    [...T, ...OTHER_UNTIL_2024_25],
    [
      {
        valid: {
          Episodes: [
            { PLACE: 'U1', PLACE_PROVIDER: 'PR0' },
            { PLACE: 'T0', PLACE_PROVIDER: '' },
            { PLACE: 'Z1', PLACE_PROVIDER: '' },
            { PLACE: 'U2', PLACE_PROVIDER: '' },
          ],
        },
        invalid: {
          Episodes: [
            { PLACE: 'T0', PLACE_PROVIDER: 'PR1' },
            { PLACE: 'T4', PLACE_PROVIDER: 'PR2' },
            { PLACE: 'Z1', PLACE_PROVIDER: 'PR5' },
            { PLACE: 'U1', PLACE_PROVIDER: 'pr4' },
          ],
        },
        flags: [
          ['Episodes', 0],
          ['Episodes', 1],
          ['Episodes', 2],
          ['Episodes', 3],
        ],
      },
    ],
  ),
  rule178(
    { from: '2025-26' },
    [...T.filter((p) => p !== 'T4'), ...OTHER_FROM_2025_26],
    [
      {
        note: 'the 2025-26 list leaves T4 out',
        valid: {
          Episodes: [
            { PLACE: 'U1', PLACE_PROVIDER: 'PR0' },
            { PLACE: 'Z11', PLACE_PROVIDER: '' },
            { PLACE: 'T4', PLACE_PROVIDER: 'PR1' },
          ],
        },
        invalid: {
          Episodes: [
            { PLACE: 'T1', PLACE_PROVIDER: 'PR1' },
            { PLACE: 'Z14', PLACE_PROVIDER: 'PR5' },
            { PLACE: 'U1', PLACE_PROVIDER: 'PR6' },
          ],
        },
        flags: [
          ['Episodes', 0],
          ['Episodes', 1],
          ['Episodes', 2],
        ],
      },
    ],
  ),
  rule213(
    { until: '2024-25' },
    [...T],
    [
      {
        valid: {
          Episodes: [
            { PLACE: 'T0', PLACE_PROVIDER: '' },
            { PLACE: 'U1', PLACE_PROVIDER: 'PR3' },
            { PLACE: 'Z1', PLACE_PROVIDER: 'PR1' },
          ],
        },
        invalid: {
          Episodes: [
            { PLACE: 'T2', PLACE_PROVIDER: 'PR2' },
            { PLACE: 'T4', PLACE_PROVIDER: 'PR1' },
          ],
        },
        flags: [
          ['Episodes', 0],
          ['Episodes', 1],
        ],
      },
    ],
  ),
  rule213(
    { from: '2025-26' },
    [...T, ...OTHER_FROM_2025_26],
    [
      {
        valid: {
          Episodes: [
            { PLACE: 'T0', PLACE_PROVIDER: '' },
            { PLACE: 'Z11', PLACE_PROVIDER: '' },
            { PLACE: 'U1', PLACE_PROVIDER: 'PR3' },
          ],
        },
        invalid: {
          Episodes: [
            { PLACE: 'T3', PLACE_PROVIDER: 'PR1' },
            { PLACE: 'Z13', PLACE_PROVIDER: 'value' },
            { PLACE: 'Z14', PLACE_PROVIDER: 'PR6' },
          ],
        },
        flags: [
          ['Episodes', 0],
          ['Episodes', 1],
          ['Episodes', 2],
        ],
      },
    ],
  ),
  rowRule({
    code: '214',
    table: 'Episodes',
    fields: ['PL_POST', 'URN', 'LS'],
    meaning: 'a placement postcode or URN is recorded for a short break (legal status V3 or V4)',
    severity: 'warn',
    reason: WARN_POSTCODE,
    breaks: (row) =>
      SHORT_BREAKS.has(cell(row, 'LS')) &&
      (filled(row, 'PL_POST') || filled(row, 'URN')) &&
      `LS is "${cell(row, 'LS')}" with ${filled(row, 'PL_POST') ? 'a placement postcode' : 'a URN'}`,
    examples: [
      {
        valid: {
          Episodes: [
            { LS: 'V3', PL_POST: '', URN: '' },
            { LS: 'C2', PL_POST: 'M2 3RT', URN: 'SC045099' },
          ],
        },
        invalid: {
          Episodes: [
            { LS: 'V3', PL_POST: 'M2 3RT', URN: 'XXXXXXX' },
            { LS: 'V4', PL_POST: 'M2 3RT', URN: '' },
            { LS: 'V4', PL_POST: '', URN: 'SC045099' },
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
    code: '217',
    table: 'Episodes',
    fields: ['RNE', 'PLACE', 'DECOM'],
    meaning:
      'a child placed for adoption with their current foster carers (A3 or A5) from 1 April 2015 does not have a new episode reason of S, T or U',
    severity: 'warn',
    reason:
      'the reason for the episode is a valid code; only its fit with the adoption placement is doubtful, which no audit reads',
    breaks: (row) => {
      const start = dateOf(row, 'DECOM');
      return (
        ['A3', 'A5'].includes(cell(row, 'PLACE')) &&
        start !== null &&
        start >= '2015-04-01' &&
        !['S', 'T', 'U'].includes(cell(row, 'RNE')) &&
        `PLACE is "${cell(row, 'PLACE')}" and RNE is ${filled(row, 'RNE') ? `"${cell(row, 'RNE')}"` : 'blank'}`
      );
    },
    examples: [
      {
        valid: {
          Episodes: [
            { PLACE: 'A3', DECOM: '01/05/2025', RNE: 'T' },
            { PLACE: 'A5', DECOM: '01/06/2025', RNE: 'U' },
            { PLACE: 'A4', DECOM: '01/07/2025', RNE: 'P' },
          ],
        },
        invalid: {
          Episodes: [
            { PLACE: 'A3', DECOM: '01/05/2025', RNE: 'P' },
            { PLACE: 'A5', DECOM: '01/06/2025', RNE: '' },
          ],
        },
        flags: [
          ['Episodes', 0],
          ['Episodes', 1],
        ],
      },
      {
        fixedDates: true,
        note: 'the rule holds from 1 April 2015',
        valid: { Episodes: [{ PLACE: 'A3', DECOM: '31/03/2015', RNE: 'P' }] },
        invalid: { Episodes: [{ PLACE: 'A3', DECOM: '01/04/2015', RNE: 'P' }] },
        flags: [['Episodes', 0]],
      },
    ],
  }),
  rowRule({
    code: '217t',
    from: '2023-24',
    until: '2023-24',
    table: 'Episodes',
    fields: ['PLACE', 'DEC'],
    meaning: 'placement type P2 (independent living) is used after 28 October 2023, when it stopped being valid',
    severity: 'warn',
    reason: 'a retired placement type is kept as given for the profile; no audit reads it',
    breaks: (row) => {
      if (cell(row, 'PLACE') !== 'P2') return false;
      const end = dateOf(row, 'DEC');
      return end === null
        ? 'the P2 placement is still open'
        : end > '2023-10-28' && `the P2 placement ended on ${longDate(end)}`;
    },
    examples: [
      {
        fixedDates: true,
        note: 'ending on 28 October 2023 is allowed',
        valid: {
          Episodes: [
            { PLACE: 'P2', DEC: '28/10/2023' },
            { PLACE: 'P1', DEC: '' },
          ],
        },
        invalid: {
          Episodes: [
            { PLACE: 'P2', DEC: '29/10/2023' },
            { PLACE: 'P2', DEC: '' },
          ],
        },
        flags: [
          ['Episodes', 0],
          ['Episodes', 1],
        ],
      },
    ],
  }),
  rule218({ until: '2023-24' }, PLACES_218_UNTIL_2023_24, [
    {
      note: 'ended on the first day of the year still counts; placed in Wales or Scotland is exempt',
      valid: {
        Episodes: [
          { PLACE: 'H5', DEC: '', URN: '' },
          { PLACE: 'U4', DEC: '31/03/2025', URN: '' },
          { PLACE: 'K2', DEC: '', URN: '', PL_POST: 'CF10 1AA' },
          { PLACE: 'K2', DEC: '', URN: 'SC123456' },
        ],
      },
      invalid: {
        Episodes: [
          { PLACE: 'U4', DEC: '01/04/2025', URN: '' },
          { PLACE: 'K2', DEC: '', URN: '', PL_POST: 'M2 3RT' },
        ],
      },
      flags: [
        ['Episodes', 0],
        ['Episodes', 1],
      ],
    },
  ]),
  rule218({ from: '2024-25', until: '2024-25' }, PLACES_218_2024_25, [
    {
      valid: {
        Episodes: [
          { PLACE: 'Z1', DEC: '', URN: '' },
          { PLACE: 'K3', DEC: '', URN: '', PL_POST: 'EH1 1AA' },
        ],
      },
      invalid: {
        Episodes: [
          { PLACE: 'H5', DEC: '', URN: '' },
          { PLACE: 'P2', DEC: '01/04/2025', URN: '' },
          { PLACE: 'K3', DEC: '', URN: '', PL_POST: 'NP16 5AA' },
        ],
      },
      flags: [
        ['Episodes', 0],
        ['Episodes', 1],
        ['Episodes', 2],
      ],
    },
  ]),
  rule218({ from: '2025-26' }, PLACES_218_FROM_2025_26, [
    {
      valid: {
        Episodes: [
          { PLACE: 'Z11', DEC: '', URN: '' },
          { PLACE: 'U6', DEC: '31/03/2025', URN: '' },
          { PLACE: 'K2', DEC: '', URN: '', PL_POST: 'BT1 1AA' },
        ],
      },
      invalid: {
        Episodes: [
          { PLACE: 'Z1', DEC: '', URN: '' },
          { PLACE: 'U6', DEC: '01/04/2025', URN: '' },
        ],
      },
      flags: [
        ['Episodes', 0],
        ['Episodes', 1],
      ],
    },
  ]),
  rule222(
    { until: '2022-23' },
    ['H5', 'P1', 'P2', 'P3', 'R1', 'R2', 'R5', ...T, ...OTHER_UNTIL_2024_25],
    [
      {
        valid: {
          Episodes: [
            { PLACE: 'H5', URN: 'XXXXXXX' },
            { PLACE: 'U1', URN: 'SC123456' },
            { PLACE: 'T1', URN: '' },
          ],
        },
        invalid: {
          Episodes: [
            { PLACE: 'H5', URN: 'SC123456' },
            { PLACE: 'R1', URN: 'SC123456' },
            { PLACE: 'Z1', URN: '1234567' },
          ],
        },
        flags: [
          ['Episodes', 0],
          ['Episodes', 1],
          ['Episodes', 2],
        ],
      },
    ],
  ),
  rule222(
    { from: '2023-24', until: '2023-24' },
    ['P1', 'P2', 'P3', 'R1', 'R2', 'R5', ...T, ...OTHER_UNTIL_2024_25],
    [
      {
        valid: {
          Episodes: [
            { PLACE: 'H5', URN: 'SC123456' },
            { PLACE: 'T1', URN: '' },
          ],
        },
        invalid: {
          Episodes: [
            { PLACE: 'P2', URN: 'SC123456' },
            { PLACE: 'T2', URN: 'SC123456' },
          ],
        },
        flags: [
          ['Episodes', 0],
          ['Episodes', 1],
        ],
      },
    ],
  ),
  rule222(
    { from: '2024-25', until: '2024-25' },
    ['P1', 'P3', 'R1', 'R2', 'R5', ...T, ...OTHER_UNTIL_2024_25],
    [
      {
        valid: {
          Episodes: [
            { PLACE: 'P2', URN: 'SC123456' },
            { PLACE: 'K3', URN: 'SC123456' },
            { PLACE: 'R1', URN: 'XXXXXXX' },
          ],
        },
        invalid: {
          Episodes: [
            { PLACE: 'R1', URN: 'SC123456' },
            { PLACE: 'Z1', URN: 'SC123456' },
          ],
        },
        flags: [
          ['Episodes', 0],
          ['Episodes', 1],
        ],
      },
    ],
  ),
  rule222(
    { from: '2025-26' },
    ['P1', 'P3', 'R1', 'R2', 'R5', ...T, ...OTHER_FROM_2025_26],
    [
      {
        valid: {
          Episodes: [
            { PLACE: 'P2', URN: 'SC123456' },
            { PLACE: 'Z1', URN: '' },
            { PLACE: 'Z12', URN: 'XXXXXXX' },
          ],
        },
        invalid: {
          Episodes: [
            { PLACE: 'Z11', URN: 'SC123456' },
            { PLACE: 'T2', URN: 'SC123456' },
          ],
        },
        flags: [
          ['Episodes', 0],
          ['Episodes', 1],
        ],
      },
    ],
  ),
  {
    code: '225',
    meaning:
      'an episode ended with a change of placement (the next episode’s reason is P, B, T or U, into a placement that is not temporary) but no reason for the placement change is recorded',
    tables: ['Episodes'],
    fields: ['REASON_PLACE_CHANGE', 'REC'],
    severity: 'warn',
    reason: WARN_PLACE_CHANGE,
    *check(child) {
      const temporary = new Set<string>(T);
      const rows = episodesByStart(child);
      for (let i = 0; i + 1 < rows.length; i++) {
        const row = rows[i]!;
        const next = rows[i + 1]!;
        if (
          cell(row, 'REC') === 'X1' &&
          !filled(row, 'REASON_PLACE_CHANGE') &&
          !temporary.has(cell(row, 'PLACE')) &&
          ['P', 'B', 'T', 'U'].includes(cell(next, 'RNE')) &&
          !temporary.has(cell(next, 'PLACE'))
        ) {
          yield {
            row,
            column: 'REASON_PLACE_CHANGE',
            detail: `the next episode (reason "${cell(next, 'RNE')}", placement "${cell(next, 'PLACE')}") changes placement`,
          };
        }
      }
    },
    examples: [
      {
        valid: {
          Episodes: [
            { DECOM: '01/04/2025', PLACE: 'U4', REC: 'X1', REASON_PLACE_CHANGE: 'CARPL' },
            { DECOM: '01/06/2025', RNE: 'P', PLACE: 'U5', REC: 'X1', REASON_PLACE_CHANGE: '' },
            { DECOM: '01/08/2025', RNE: 'P', PLACE: 'T1', REC: 'X1', REASON_PLACE_CHANGE: '' },
            { DECOM: '05/08/2025', RNE: 'L', PLACE: 'T1', REC: '' },
          ],
        },
        invalid: {
          Episodes: [
            { DECOM: '01/06/2025', RNE: 'B', PLACE: 'U5', REC: 'X1', REASON_PLACE_CHANGE: '' },
            { DECOM: '01/04/2025', PLACE: 'U4', REC: 'X1', REASON_PLACE_CHANGE: '' },
            { DECOM: '01/08/2025', RNE: 'T', PLACE: 'K2', REC: '' },
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
    code: '226',
    meaning:
      'a temporary placement (T0 to T4) has a reason for placement change, on its own episode or on the episode before it',
    tables: ['Episodes'],
    fields: ['REASON_PLACE_CHANGE', 'PLACE'],
    severity: 'warn',
    reason: WARN_PLACE_CHANGE,
    *check(child) {
      const temporary = new Set<string>(T);
      const rows = episodesByStart(child);
      for (const [i, row] of rows.entries()) {
        if (!temporary.has(cell(row, 'PLACE'))) continue;
        const before = i > 0 ? rows[i - 1]! : undefined;
        if (filled(row, 'REASON_PLACE_CHANGE'))
          yield {
            row,
            column: 'REASON_PLACE_CHANGE',
            detail: `PLACE is "${cell(row, 'PLACE')}" and REASON_PLACE_CHANGE is "${cell(row, 'REASON_PLACE_CHANGE')}"`,
          };
        else if (before && filled(before, 'REASON_PLACE_CHANGE'))
          yield {
            row,
            column: 'PLACE',
            detail: `the episode before this ${cell(row, 'PLACE')} placement has REASON_PLACE_CHANGE "${cell(before, 'REASON_PLACE_CHANGE')}"`,
          };
      }
    },
    examples: [
      {
        valid: {
          Episodes: [
            { DECOM: '01/04/2025', PLACE: 'U4', REASON_PLACE_CHANGE: '' },
            { DECOM: '01/06/2025', PLACE: 'T2', REASON_PLACE_CHANGE: '' },
            { DECOM: '10/06/2025', PLACE: 'U4', REASON_PLACE_CHANGE: 'CARPL' },
            { DECOM: '01/08/2025', PLACE: 'K2', REASON_PLACE_CHANGE: '' },
          ],
        },
        invalid: {
          Episodes: [
            { DECOM: '01/06/2025', PLACE: 'T2', REASON_PLACE_CHANGE: '' },
            { DECOM: '01/04/2025', PLACE: 'U4', REASON_PLACE_CHANGE: 'CARPL' },
            { DECOM: '10/06/2025', PLACE: 'T3', REASON_PLACE_CHANGE: 'OTHER' },
          ],
        },
        flags: [
          ['Episodes', 0],
          ['Episodes', 2],
        ],
      },
    ],
  },
  rowRule({
    code: '230',
    from: '2023-24',
    until: '2023-24',
    table: 'Episodes',
    fields: ['URN', 'PLACE', 'DEC'],
    meaning:
      'no Ofsted URN is recorded for a semi-independent placement (H5) in England open on or after 29 October 2023',
    severity: 'warn',
    reason: `${WARN_URN}; placements outside England are told by the postcode area, as the DfE’s derived placement LA is not imported`,
    breaks: (row) => {
      if (cell(row, 'PLACE') !== 'H5' || placedOutsideEngland(row)) return false;
      if (filled(row, 'URN') && cell(row, 'URN') !== URN_NOT_KNOWN) return false;
      const end = dateOf(row, 'DEC');
      return (
        (end === null || end >= '2023-10-29') &&
        `the H5 placement ${end === null ? 'is open' : `ended on ${longDate(end)}`} and URN is ${filled(row, 'URN') ? `"${URN_NOT_KNOWN}"` : 'blank'}`
      );
    },
    examples: [
      {
        fixedDates: true,
        note: 'ended on 28 October 2023 needs no URN; from 29 October it does',
        valid: {
          Episodes: [
            { PLACE: 'H5', DEC: '28/10/2023', URN: '' },
            { PLACE: 'H5', DEC: '29/10/2023', URN: 'SC123456' },
            { PLACE: 'H5', DEC: '', URN: '', PL_POST: 'SA1 1AA' },
            { PLACE: 'P1', DEC: '', URN: '' },
          ],
        },
        invalid: {
          Episodes: [
            { PLACE: 'H5', DEC: '29/10/2023', URN: '' },
            { PLACE: 'H5', DEC: '', URN: '' },
            { PLACE: 'H5', DEC: '', URN: 'XXXXXXX' },
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
    code: '233',
    from: '2025-26',
    table: 'Episodes',
    fields: ['REASON_PLACE_CHANGE', 'DEC'],
    meaning: 'a reason for placement change is recorded on an episode that has not ended',
    severity: 'warn',
    reason: WARN_PLACE_CHANGE,
    breaks: (row) =>
      !filled(row, 'DEC') &&
      filled(row, 'REASON_PLACE_CHANGE') &&
      `REASON_PLACE_CHANGE is "${cell(row, 'REASON_PLACE_CHANGE')}" but the episode is open`,
    examples: [
      {
        valid: {
          Episodes: [
            { DEC: '01/06/2025', REASON_PLACE_CHANGE: 'CARPL' },
            { DEC: '', REASON_PLACE_CHANGE: '' },
          ],
        },
        invalid: { Episodes: [{ DEC: '', REASON_PLACE_CHANGE: 'CHILD' }] },
        flags: [['Episodes', 0]],
      },
    ],
  }),
  {
    code: '234',
    from: '2025-26',
    meaning: 'a child under 10 is recorded as changing placement because of custody (CUSTOD)',
    tables: ['Episodes', 'Header'],
    fields: ['REASON_PLACE_CHANGE', 'DOB'],
    severity: 'warn',
    reason: WARN_PLACE_CHANGE,
    *check(child) {
      const dob = dateOfBirth(child);
      const header = child.rows('Header')[0];
      if (dob === null || !header) return;
      const tenth = addYears(dob, 10);
      let any = false;
      for (const row of episodes(child)) {
        const start = dateOf(row, 'DECOM');
        if (cell(row, 'REASON_PLACE_CHANGE') !== 'CUSTOD' || start === null || start >= tenth) continue;
        any = true;
        yield {
          row,
          column: 'REASON_PLACE_CHANGE',
          detail: `the episode starting ${longDate(start)} began before the child’s 10th birthday on ${longDate(tenth)}`,
        };
      }
      if (any) yield { row: header, column: 'DOB', detail: `born ${longDate(dob)}` };
    },
    examples: [
      {
        note: 'an episode starting on the 10th birthday is allowed',
        valid: {
          Header: [{ DOB: '01/06/2015' }],
          Episodes: [
            { DECOM: '01/06/2025', REASON_PLACE_CHANGE: 'CUSTOD' },
            { DECOM: '01/05/2025', REASON_PLACE_CHANGE: 'CHILD' },
          ],
        },
        invalid: {
          Header: [{ DOB: '01/06/2015' }],
          Episodes: [
            { DECOM: '31/05/2025', REASON_PLACE_CHANGE: 'CUSTOD' },
            { DECOM: '01/06/2025', REASON_PLACE_CHANGE: 'CUSTOD' },
          ],
        },
        flags: [
          ['Episodes', 0],
          ['Header', 0],
        ],
      },
    ],
  },
  rowRule({
    code: '353',
    table: 'Episodes',
    fields: ['DECOM'],
    meaning: 'the episode began before 14 October 1991, when the Children Act 1989 came into force',
    severity: 'reject',
    reason:
      'no episode in a current return can have begun before the Children Act: the date is a typing slip that would stretch the period of care by decades',
    breaks: (row) => {
      const start = dateOf(row, 'DECOM');
      return start !== null && start < '1991-10-14' && `DECOM is ${longDate(start)}`;
    },
    examples: [
      {
        fixedDates: true,
        valid: { Episodes: [{ DECOM: '14/10/1991' }, { DECOM: '' }] },
        invalid: { Episodes: [{ DECOM: '13/10/1991' }, { DECOM: '06/06/1890' }] },
        flags: [
          ['Episodes', 0],
          ['Episodes', 1],
        ],
      },
    ],
  }),
  rowRule({
    code: '354',
    table: 'Episodes',
    fields: ['DECOM'],
    meaning: 'the episode began after the end of the collection year',
    severity: 'warn',
    reason:
      'the start is a real date outside the year being returned: it may be a later move caught by a late extract, so the episode is kept with a warning rather than lost',
    breaks: (row, _child, { end }) => {
      const start = dateOf(row, 'DECOM');
      return start !== null && start > end && `DECOM is ${longDate(start)}`;
    },
    examples: [
      {
        note: 'beginning on 31 March, the last day, is allowed',
        valid: { Episodes: [{ DECOM: '31/03/2026' }] },
        invalid: { Episodes: [{ DECOM: '01/04/2026' }] },
        flags: [['Episodes', 0]],
      },
    ],
  }),
  rowRule({
    code: '355',
    table: 'Episodes',
    fields: ['DEC', 'DECOM'],
    meaning: 'the episode appears to have lasted less than 24 hours (it ceased on the day it began)',
    severity: 'warn',
    reason:
      'a same-day episode can be real (a placement that broke down at once); its dates are valid, so it is kept with a warning',
    breaks: (row) => {
      const start = dateOf(row, 'DECOM');
      return start !== null && start === dateOf(row, 'DEC') && `the episode began and ceased on ${longDate(start)}`;
    },
    examples: [
      {
        note: 'ceasing the next day (24 hours) is allowed',
        valid: {
          Episodes: [
            { DECOM: '01/05/2025', DEC: '02/05/2025' },
            { DECOM: '01/06/2025', DEC: '' },
          ],
        },
        invalid: {
          Episodes: [
            { DECOM: '01/05/2025', DEC: '01/05/2025' },
            { DECOM: '1/6/2025', DEC: '01/06/2025' },
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
    code: '356',
    table: 'Episodes',
    fields: ['DEC', 'DECOM'],
    meaning: 'the episode ceased before it began',
    severity: 'reject',
    reason:
      'an episode that ends before it starts has a negative length: the child’s timeline and every period of care built on it would be wrong',
    breaks: (row) => {
      const start = dateOf(row, 'DECOM');
      const end = dateOf(row, 'DEC');
      return (
        start !== null && end !== null && end < start && `DEC is ${longDate(end)}, before DECOM ${longDate(start)}`
      );
    },
    examples: [
      {
        note: 'ceasing on the day it began is not this rule',
        valid: {
          Episodes: [
            { DECOM: '07/09/2025', DEC: '07/09/2025' },
            { DECOM: '03/10/2025', DEC: '' },
          ],
        },
        invalid: { Episodes: [{ DECOM: '14/03/2026', DEC: '13/03/2026' }] },
        flags: [['Episodes', 0]],
      },
    ],
  }),
  {
    code: '358',
    meaning: 'a child under 10 began an episode under a youth justice legal status (J1, J2 or J3)',
    tables: ['Episodes', 'Header'],
    fields: ['LS', 'DECOM', 'DOB'],
    severity: 'warn',
    reason:
      'the legal status is a valid code; only its fit with the child’s age is doubtful, and the episode dates the audits use stand',
    *check(child) {
      const dob = dateOfBirth(child);
      const header = child.rows('Header')[0];
      if (dob === null || !header) return;
      const tenth = addYears(dob, 10);
      let any = false;
      for (const row of episodes(child)) {
        const start = dateOf(row, 'DECOM');
        if (!['J1', 'J2', 'J3'].includes(cell(row, 'LS')) || start === null || start >= tenth) continue;
        any = true;
        yield {
          row,
          column: 'LS',
          detail: `LS is "${cell(row, 'LS')}" from ${longDate(start)}, before the child’s 10th birthday on ${longDate(tenth)}`,
        };
      }
      if (any) yield { row: header, column: 'DOB', detail: `born ${longDate(dob)}` };
    },
    examples: [
      {
        note: 'beginning on the 10th birthday is allowed; the day before is not',
        valid: {
          Header: [{ DOB: '01/06/2015' }],
          Episodes: [
            { LS: 'J1', DECOM: '01/06/2025' },
            { LS: 'C2', DECOM: '01/05/2025' },
          ],
        },
        invalid: {
          Header: [{ DOB: '01/06/2015' }],
          Episodes: [
            { LS: 'J1', DECOM: '31/05/2025' },
            { LS: 'J3', DECOM: '01/04/2025' },
            { LS: 'J2', DECOM: '01/06/2025' },
          ],
        },
        flags: [
          ['Episodes', 0],
          ['Episodes', 1],
          ['Header', 0],
        ],
      },
    ],
  },
  {
    code: '359',
    meaning:
      'a young person who turned 18 before the end of the year is still looked after, but not under section 20 (V2) in a children’s home (K2)',
    tables: ['Episodes', 'Header'],
    fields: ['LS', 'PLACE', 'DEC'],
    severity: 'warn',
    reason:
      'a young person over 18 still in care is a plausibility check on the episode’s codes; the dates stand, so it is kept with a warning',
    *check(child, { end }) {
      const dob = dateOfBirth(child);
      if (dob === null) return;
      const eighteenth = addYears(dob, 18);
      if (!(eighteenth < end)) return;
      for (const row of episodes(child)) {
        if (filled(row, 'DEC') || (cell(row, 'LS') === 'V2' && cell(row, 'PLACE') === 'K2')) continue;
        yield {
          row,
          column: 'LS',
          detail: `the episode is open after the 18th birthday on ${longDate(eighteenth)} with LS "${cell(row, 'LS')}" and PLACE "${cell(row, 'PLACE')}"`,
        };
      }
    },
    examples: [
      {
        note: 'turning 18 on 31 March, the last day, is not over 18 before the year ends',
        valid: { Header: [{ DOB: '31/03/2008' }], Episodes: [{ LS: 'C2', PLACE: 'U4', DEC: '' }] },
        invalid: {
          Header: [{ DOB: '30/03/2008' }],
          Episodes: [
            { LS: 'C2', PLACE: 'U4', DEC: '' },
            { LS: 'V2', PLACE: 'K1', DEC: '' },
            { LS: 'C2', PLACE: 'U4', DEC: '01/05/2025' },
          ],
        },
        flags: [
          ['Episodes', 0],
          ['Episodes', 1],
        ],
      },
      {
        note: 'over 18 under section 20 in a children’s home is allowed',
        valid: {
          Header: [{ DOB: '01/06/2007' }],
          Episodes: [
            { LS: 'V2', PLACE: 'K2', DEC: '' },
            { LS: 'C2', PLACE: 'U4', DEC: '01/06/2025' },
          ],
        },
        invalid: { Header: [{ DOB: '01/06/2007' }], Episodes: [{ LS: 'V2', PLACE: 'U4', DEC: '' }] },
        flags: [['Episodes', 0]],
      },
    ],
  },
  legalStatusSpellRule({
    code: '361',
    status: 'L1',
    maxDays: 3,
    what: 'police protection',
    meaning: 'police protection (legal status L1) lasted longer than the 72 hours the Children Act 1989 allows',
    reason: WARN_LEGAL_DURATION,
    examples: [
      {
        note: 'exactly 72 hours (3 days) is allowed; 4 days is not',
        valid: {
          Episodes: [
            { LS: 'L1', DECOM: '01/05/2025', DEC: '04/05/2025' },
            { LS: 'C1', DECOM: '04/05/2025', DEC: '' },
          ],
        },
        invalid: {
          Episodes: [
            { LS: 'L1', DECOM: '01/05/2025', DEC: '05/05/2025' },
            { LS: 'C1', DECOM: '05/05/2025', DEC: '' },
          ],
        },
        flags: [['Episodes', 0]],
      },
      {
        note: 'episodes under L1 that run on from one another count together; an open one runs to the year end',
        valid: {
          Episodes: [
            { LS: 'L1', DECOM: '01/05/2025', DEC: '02/05/2025' },
            { LS: 'L1', DECOM: '02/05/2025', DEC: '04/05/2025' },
            { LS: 'L1', DECOM: '10/06/2025', DEC: '12/06/2025' },
            { LS: 'L1', DECOM: '28/03/2026', DEC: '' },
          ],
        },
        invalid: {
          Episodes: [
            { LS: 'L1', DECOM: '01/05/2025', DEC: '03/05/2025' },
            { LS: 'L1', DECOM: '03/05/2025', DEC: '05/05/2025' },
            { LS: 'L1', DECOM: '10/06/2025', DEC: '12/06/2025' },
            { LS: 'L1', DECOM: '27/03/2026', DEC: '' },
          ],
        },
        flags: [
          ['Episodes', 0],
          ['Episodes', 1],
          ['Episodes', 3],
        ],
      },
    ],
  }),
  legalStatusSpellRule({
    code: '362',
    status: 'L2',
    maxDays: 21,
    what: 'the emergency protection order',
    meaning: 'an emergency protection order (legal status L2) lasted longer than 21 days',
    reason: WARN_LEGAL_DURATION,
    examples: [
      {
        note: 'exactly 21 days is allowed, also across episodes that run on; 22 days is not',
        valid: {
          Episodes: [
            { LS: 'L2', DECOM: '01/05/2025', DEC: '11/05/2025' },
            { LS: 'L2', DECOM: '11/05/2025', DEC: '22/05/2025' },
            { LS: 'C1', DECOM: '22/05/2025', DEC: '' },
          ],
        },
        invalid: {
          Episodes: [
            { LS: 'L2', DECOM: '01/05/2025', DEC: '11/05/2025' },
            { LS: 'L2', DECOM: '11/05/2025', DEC: '23/05/2025' },
            { LS: 'L2', DECOM: '01/03/2026', DEC: '' },
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
  legalStatusSpellRule({
    code: '363',
    status: 'L3',
    maxDays: 7,
    what: 'the child assessment order',
    meaning: 'a child assessment order (legal status L3) lasted longer than the 7 days the Children Act 1989 allows',
    reason: WARN_LEGAL_DURATION,
    examples: [
      {
        note: 'exactly 7 days is allowed; 8 days is not',
        valid: {
          Episodes: [
            { LS: 'L3', DECOM: '01/05/2025', DEC: '08/05/2025' },
            { LS: 'L3', DECOM: '01/06/2025', DEC: '04/06/2025' },
            { LS: 'L3', DECOM: '04/06/2025', DEC: '08/06/2025' },
          ],
        },
        invalid: {
          Episodes: [
            { LS: 'L3', DECOM: '01/05/2025', DEC: '09/05/2025' },
            { LS: 'L3', DECOM: '01/06/2025', DEC: '04/06/2025' },
            { LS: 'L3', DECOM: '04/06/2025', DEC: '09/06/2025' },
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
  legalStatusSpellRule({
    code: '364',
    status: 'J2',
    maxDays: 21,
    what: 'detention under PACE',
    meaning:
      'a child placed in local authority accommodation under PACE (legal status J2) was held there longer than 21 days',
    reason: WARN_LEGAL_DURATION,
    examples: [
      {
        note: 'exactly 21 days is allowed; 22 days is not',
        valid: {
          Episodes: [
            { LS: 'J2', DECOM: '01/05/2025', DEC: '22/05/2025' },
            { LS: 'C2', DECOM: '22/05/2025', DEC: '' },
          ],
        },
        invalid: {
          Episodes: [
            { LS: 'J2', DECOM: '01/05/2025', DEC: '23/05/2025' },
            { LS: 'J2', DECOM: '01/03/2026', DEC: '' },
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
    code: '365',
    table: 'Episodes',
    fields: ['LS', 'DECOM', 'DEC'],
    meaning: 'a single short-break placement (legal status V3) lasted longer than 17 days',
    severity: 'warn',
    reason: WARN_LEGAL_DURATION,
    breaks: (row, _child, context) => {
      if (cell(row, 'LS') !== 'V3') return false;
      const start = dateOf(row, 'DECOM');
      const end = endOrYearEnd(row, context);
      return (
        start !== null &&
        end !== null &&
        end > addDays(start, 17) &&
        spanDetail('the short break', start, end, !filled(row, 'DEC'))
      );
    },
    examples: [
      {
        note: 'exactly 17 days is allowed; 18 days, or open to the year end, is not',
        valid: {
          Episodes: [
            { LS: 'V3', DECOM: '01/05/2025', DEC: '18/05/2025' },
            { LS: 'V3', DECOM: '20/03/2026', DEC: '' },
            { LS: 'C2', DECOM: '01/06/2025', DEC: '' },
          ],
        },
        invalid: {
          Episodes: [
            { LS: 'V3', DECOM: '01/05/2025', DEC: '19/05/2025' },
            { LS: 'V3', DECOM: '13/03/2026', DEC: '' },
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
    code: '366',
    table: 'Episodes',
    fields: ['RNE', 'LS'],
    meaning:
      'a single short-break placement (legal status V3) does not start a new period of care (reason for new episode S): the child cannot change placement during one',
    severity: 'warn',
    reason: 'a short break has no reviews to audit; the episode is kept and the reason shown as queried',
    breaks: (row) =>
      cell(row, 'LS') === 'V3' &&
      cell(row, 'RNE') !== 'S' &&
      `LS is "V3" and RNE is ${filled(row, 'RNE') ? `"${cell(row, 'RNE')}"` : 'blank'}`,
    examples: [
      {
        valid: {
          Episodes: [
            { LS: 'V3', RNE: 'S' },
            { LS: 'V4', RNE: 'T' },
            { LS: 'C2', RNE: '' },
          ],
        },
        invalid: {
          Episodes: [
            { LS: 'V3', RNE: 'U' },
            { LS: 'V3', RNE: '' },
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
    code: '367',
    meaning: 'the child had more than 75 days of single short breaks (legal status V3) in the year',
    tables: ['Episodes'],
    fields: ['LS', 'DECOM', 'DEC'],
    severity: 'warn',
    reason: WARN_LEGAL_DURATION,
    *check(child, context) {
      // Each V3 episode counts the days it lies inside the collection year (open: to the year end).
      const counted: { row: ReturnRow; days: number }[] = [];
      for (const row of episodes(child)) {
        if (cell(row, 'LS') !== 'V3') continue;
        const start = dateOf(row, 'DECOM');
        const end = endOrYearEnd(row, context);
        if (start === null || end === null) continue;
        const days = daysBetween(start < context.start ? context.start : start, end > context.end ? context.end : end);
        if (days > 0) counted.push({ row, days });
      }
      const total = counted.reduce((sum, { days }) => sum + days, 0);
      if (total <= 75) return;
      for (const { row } of counted) yield { row, column: 'LS', detail: `${total} days of short breaks in the year` };
    },
    examples: [
      {
        note: 'exactly 75 days is allowed; 76 is not; days before 1 April do not count',
        valid: {
          Episodes: [
            { LS: 'V3', DECOM: '01/03/2025', DEC: '10/05/2025' },
            { LS: 'V3', DECOM: '01/06/2025', DEC: '07/07/2025' },
            { LS: 'C2', DECOM: '07/07/2025', DEC: '' },
          ],
        },
        invalid: {
          Episodes: [
            { LS: 'V3', DECOM: '01/03/2025', DEC: '10/05/2025' },
            { LS: 'V3', DECOM: '01/06/2025', DEC: '08/07/2025' },
            { LS: 'C2', DECOM: '08/07/2025', DEC: '' },
          ],
        },
        flags: [
          ['Episodes', 0],
          ['Episodes', 1],
        ],
      },
    ],
  },
  placementAgeRule({ code: '370', place: 'P2', years: 15, until: '2022-23', what: 'independent living' }),
  placementAgeRule({
    code: '370',
    place: 'P2',
    years: 16,
    from: '2023-24',
    until: '2023-24',
    what: 'independent living',
  }),
  placementAgeRule({
    code: '371',
    place: 'H5',
    years: 14,
    until: '2022-23',
    what: 'semi-independent living not subject to children’s homes regulations',
  }),
  placementAgeRule({
    code: '371',
    place: 'H5',
    years: 16,
    from: '2023-24',
    until: '2023-24',
    what: 'semi-independent living not subject to children’s homes regulations',
  }),
  placementAgeRule({ code: '371', place: 'K3', years: 16, from: '2024-25', what: 'supported accommodation' }),
  placementAgeRule({ code: '372', place: 'R5', years: 10, what: 'a young offender institution or prison' }),
  placementAgeRule({ code: '373', place: 'S1', years: 4, what: 'a residential school' }),
  placementAgeRule({ code: '374', place: 'P3', years: 14, what: 'residential employment' }),
  temporaryLengthRule({ code: '375', place: 'T1', maxDays: 42, what: 'in hospital', limit: 'six weeks' }),
  temporaryLengthRule({
    code: '376',
    place: 'T3',
    maxDays: 21,
    what: 'while the usual foster carers are on holiday',
    limit: 'three weeks',
  }),
  {
    code: '377',
    meaning:
      'the child had more than two temporary placements while the usual foster carers were on holiday (T3) in the year',
    tables: ['Episodes'],
    fields: ['PLACE'],
    severity: 'warn',
    reason: 'the number of holiday placements is a plausibility check on the placement code; the episodes are kept',
    *check(child) {
      const holidays = episodes(child).filter((row) => cell(row, 'PLACE') === 'T3');
      if (holidays.length <= 2) return;
      for (const row of holidays) yield { row, column: 'PLACE', detail: `${holidays.length} T3 placements` };
    },
    examples: [
      {
        note: 'two are allowed; a third is not',
        valid: {
          Episodes: [
            { PLACE: 'T3', DECOM: '01/05/2025' },
            { PLACE: 'U4', DECOM: '10/05/2025' },
            { PLACE: 'T3', DECOM: '01/08/2025' },
          ],
        },
        invalid: {
          Episodes: [
            { PLACE: 'T3', DECOM: '01/05/2025' },
            { PLACE: 'U4', DECOM: '10/05/2025' },
            { PLACE: 'T3', DECOM: '01/08/2025' },
            { PLACE: 'T3', DECOM: '01/12/2025' },
          ],
        },
        flags: [
          ['Episodes', 0],
          ['Episodes', 2],
          ['Episodes', 3],
        ],
      },
    ],
  },
  rowRule({
    code: '378',
    table: 'Episodes',
    fields: ['PLACE', 'LS'],
    meaning: 'a child placed with parents (P1) is looked after under a single period of section 20 accommodation (V2)',
    severity: 'warn',
    reason: 'the placement and legal status are valid codes; only their fit is doubtful, and the episode dates stand',
    breaks: (row) => cell(row, 'PLACE') === 'P1' && cell(row, 'LS') === 'V2' && 'PLACE is "P1" and LS is "V2"',
    examples: [
      {
        valid: {
          Episodes: [
            { PLACE: 'P1', LS: 'C2' },
            { PLACE: 'U4', LS: 'V2' },
          ],
        },
        invalid: { Episodes: [{ PLACE: 'P1', LS: 'V2' }] },
        flags: [['Episodes', 0]],
      },
    ],
  }),
  temporaryLengthRule({ code: '379', place: 'T4', maxDays: 7, what: 'for any other reason', limit: 'seven days' }),
  rowRule({
    code: '382',
    table: 'Episodes',
    fields: ['PLACE', 'LS'],
    meaning: 'a child on a short break (legal status V3 or V4) is in a temporary placement (T0 to T4)',
    severity: 'warn',
    reason: 'the placement and legal status are valid codes; only their fit is doubtful, and the episode dates stand',
    breaks: (row) =>
      SHORT_BREAKS.has(cell(row, 'LS')) &&
      (T as readonly string[]).includes(cell(row, 'PLACE')) &&
      `LS is "${cell(row, 'LS')}" and PLACE is "${cell(row, 'PLACE')}"`,
    examples: [
      {
        valid: {
          Episodes: [
            { LS: 'V3', PLACE: 'K2' },
            { LS: 'C2', PLACE: 'T1' },
          ],
        },
        invalid: {
          Episodes: [
            { LS: 'V3', PLACE: 'T0' },
            { LS: 'V4', PLACE: 'T4' },
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
    code: '384',
    table: 'Episodes',
    fields: ['PLACE', 'LS'],
    meaning: 'a child on a short break (legal status V3 or V4) is in a long-term foster placement (U1 or U4)',
    severity: 'warn',
    reason: 'the placement and legal status are valid codes; only their fit is doubtful, and the episode dates stand',
    breaks: (row) =>
      SHORT_BREAKS.has(cell(row, 'LS')) &&
      ['U1', 'U4'].includes(cell(row, 'PLACE')) &&
      `LS is "${cell(row, 'LS')}" and PLACE is "${cell(row, 'PLACE')}"`,
    examples: [
      {
        valid: {
          Episodes: [
            { LS: 'V3', PLACE: 'U6' },
            { LS: 'C2', PLACE: 'U4' },
          ],
        },
        invalid: {
          Episodes: [
            { LS: 'V3', PLACE: 'U1' },
            { LS: 'V4', PLACE: 'U4' },
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
    code: '385',
    table: 'Episodes',
    fields: ['DEC'],
    meaning: 'the episode ceased after the end of the collection year',
    severity: 'warn',
    reason:
      'the end is a real date outside the year being returned: it may be a later move caught by a late extract, so the episode is kept with a warning rather than lost',
    breaks: (row, _child, { end }) => {
      const ended = dateOf(row, 'DEC');
      return ended !== null && ended > end && `DEC is ${longDate(ended)}`;
    },
    examples: [
      {
        note: 'ceasing on 31 March, the last day, is allowed',
        valid: { Episodes: [{ DEC: '31/03/2026' }, { DEC: '' }] },
        invalid: { Episodes: [{ DEC: '01/04/2026' }] },
        flags: [['Episodes', 0]],
      },
    ],
  }),
  rowRule({
    code: '392b',
    table: 'Episodes',
    fields: ['HOME_POST', 'PL_POST', 'LS'],
    meaning:
      'a home or placement postcode is missing for a child who is not on a short break and was never an unaccompanied asylum-seeking child',
    severity: 'warn',
    reason: WARN_POSTCODE,
    // The DfE exempts children who are or were UASC this year or last: read from the Header's UASC
    // flag (XML) or a UASC row, and last year's when the store holds it.
    breaks: (row, child) =>
      !SHORT_BREAKS.has(cell(row, 'LS')) &&
      (!filled(row, 'HOME_POST') || !filled(row, 'PL_POST')) &&
      !everUnaccompanied(child) &&
      `${!filled(row, 'HOME_POST') ? 'HOME_POST' : 'PL_POST'} is blank`,
    examples: [
      {
        valid: {
          Episodes: [
            { LS: 'C2', HOME_POST: 'M2 3RT', PL_POST: 'M3 4AB' },
            { LS: 'V3', HOME_POST: '', PL_POST: '' },
          ],
        },
        invalid: {
          Episodes: [
            { LS: 'C2', HOME_POST: 'M2 3RT', PL_POST: '' },
            { LS: 'C2', HOME_POST: '', PL_POST: 'M3 4AB' },
            { LS: 'V4', HOME_POST: '', PL_POST: '' },
          ],
        },
        flags: [
          ['Episodes', 0],
          ['Episodes', 1],
        ],
      },
      {
        note: 'a child who was UASC last year is exempt',
        valid: {
          Header: [{ UASC: '0' }],
          Episodes: [{ LS: 'C2', HOME_POST: '', PL_POST: '' }],
          previous: { Header: [{ UASC: '1' }] },
        },
        invalid: {
          Header: [{ UASC: '0' }],
          Episodes: [{ LS: 'C2', HOME_POST: '', PL_POST: '' }],
          previous: { Header: [{ UASC: '0' }] },
        },
        flags: [['Episodes', 0]],
      },
      {
        note: 'a child with a UASC row is exempt',
        valid: { UASC: [{ DUC: '01/01/2026' }], Episodes: [{ LS: 'C2', HOME_POST: '', PL_POST: '' }] },
        invalid: { UASC: [], Episodes: [{ LS: 'C2', HOME_POST: '', PL_POST: '' }] },
        flags: [['Episodes', 0]],
      },
    ],
  }),
  rowRule({
    code: '392c',
    table: 'Episodes',
    fields: ['HOME_POST', 'PL_POST'],
    meaning: 'a home or placement postcode is not a valid postcode',
    severity: 'warn',
    reason: `${WARN_POSTCODE}. The DfE looks each postcode up in the national list; the product checks its form`,
    breaks: (row) => {
      for (const column of ['HOME_POST', 'PL_POST']) {
        const value = cell(row, column);
        if (value !== '' && !POSTCODE.test(compactPostcode(value))) return `${column} is "${value}"`;
      }
      return false;
    },
    examples: [
      {
        valid: {
          Episodes: [
            { HOME_POST: 'AB1 0JD', PL_POST: 'ab10jd' },
            { HOME_POST: 'SW1A 1AA', PL_POST: '' },
          ],
        },
        invalid: {
          Episodes: [
            { HOME_POST: 'invalid', PL_POST: 'AB1 0JD' },
            { HOME_POST: 'AB1 0JD', PL_POST: 'BN20' },
            { HOME_POST: '12345', PL_POST: 'invalid' },
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
    code: '392d',
    table: 'Episodes',
    fields: ['PL_POST', 'HOME_POST', 'PLACE'],
    meaning: 'the home and placement postcodes are the same, but the child is not placed with parents (P1)',
    severity: 'warn',
    reason: WARN_POSTCODE,
    breaks: (row) =>
      cell(row, 'PLACE') !== 'P1' &&
      filled(row, 'HOME_POST') &&
      compactPostcode(cell(row, 'HOME_POST')) === compactPostcode(cell(row, 'PL_POST')) &&
      `PLACE is "${cell(row, 'PLACE')}" and both postcodes are "${cell(row, 'PL_POST')}"`,
    examples: [
      {
        valid: {
          Episodes: [
            { PLACE: 'P1', HOME_POST: 'BN20 7AA', PL_POST: 'BN20 7AA' },
            { PLACE: 'U4', HOME_POST: 'BN20 7AA', PL_POST: 'BN21 1AA' },
            { PLACE: 'U4', HOME_POST: '', PL_POST: '' },
          ],
        },
        invalid: {
          Episodes: [
            { PLACE: 'P2', HOME_POST: 'BN20', PL_POST: 'BN20' },
            { PLACE: 'U4', HOME_POST: 'bn20 7aa', PL_POST: 'BN207AA' },
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
    code: '398',
    table: 'Episodes',
    fields: ['HOME_POST', 'PL_POST', 'LS'],
    meaning:
      'a home or placement postcode is recorded for a short break (legal status V3 or V4), for which the DfE works out no distance',
    severity: 'warn',
    reason: WARN_POSTCODE,
    breaks: (row) =>
      SHORT_BREAKS.has(cell(row, 'LS')) &&
      (filled(row, 'HOME_POST') || filled(row, 'PL_POST')) &&
      `LS is "${cell(row, 'LS')}" with a postcode`,
    examples: [
      {
        valid: {
          Episodes: [
            { LS: 'V3', HOME_POST: '', PL_POST: '' },
            { LS: 'C2', HOME_POST: 'M2 3RT', PL_POST: 'M3 4AB' },
          ],
        },
        invalid: {
          Episodes: [
            { LS: 'V3', HOME_POST: 'M2 3RT', PL_POST: '' },
            { LS: 'V4', HOME_POST: '', PL_POST: 'M3 4AB' },
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
    code: '408',
    table: 'Episodes',
    fields: ['LS', 'PLACE'],
    meaning:
      'a child placed for adoption under a placement order (A5 or A6) does not have the legal status of a placement order granted (E1)',
    severity: 'warn',
    reason: 'the placement and legal status are valid codes; only their fit is doubtful, and the episode dates stand',
    breaks: (row) =>
      ['A5', 'A6'].includes(cell(row, 'PLACE')) &&
      cell(row, 'LS') !== 'E1' &&
      `PLACE is "${cell(row, 'PLACE')}" and LS is ${filled(row, 'LS') ? `"${cell(row, 'LS')}"` : 'blank'}`,
    examples: [
      {
        valid: {
          Episodes: [
            { PLACE: 'A6', LS: 'E1' },
            { PLACE: 'A4', LS: 'C2' },
          ],
        },
        invalid: {
          Episodes: [
            { PLACE: 'A5', LS: 'C2' },
            { PLACE: 'A6', LS: 'D1' },
            { PLACE: 'A5', LS: '' },
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
  {
    code: '426',
    meaning:
      'the child has short breaks under both single placements (V3) and multiple placements (V4) in the same year',
    tables: ['Episodes'],
    fields: ['LS'],
    severity: 'warn',
    reason: 'short breaks have no reviews to audit; the episodes are kept and the legal statuses shown as queried',
    *check(child) {
      const breaks = episodes(child).filter((row) => SHORT_BREAKS.has(cell(row, 'LS')));
      if (!breaks.some((row) => cell(row, 'LS') === 'V3') || !breaks.some((row) => cell(row, 'LS') === 'V4')) return;
      for (const row of breaks) yield { row, column: 'LS', detail: 'the child has both V3 and V4 episodes' };
    },
    examples: [
      {
        valid: { Episodes: [{ LS: 'V3' }, { LS: 'V3' }, { LS: 'C2' }] },
        invalid: { Episodes: [{ LS: 'V4' }, { LS: 'C2' }, { LS: 'V3' }, { LS: 'V3' }] },
        flags: [
          ['Episodes', 0],
          ['Episodes', 2],
          ['Episodes', 3],
        ],
      },
    ],
  },
  rowRule({
    code: '446',
    table: 'Episodes',
    fields: ['LS', 'DECOM'],
    meaning:
      'the legal status of a placement order granted (E1) is used for an episode that began before 1 December 2005, when placement orders began',
    severity: 'warn',
    reason:
      'the legal status is a valid code; only its fit with an old start date is doubtful, which no audit of the current year reads',
    breaks: (row) => {
      const start = dateOf(row, 'DECOM');
      return cell(row, 'LS') === 'E1' && start !== null && start < '2005-12-01' && `LS is "E1" from ${longDate(start)}`;
    },
    examples: [
      {
        fixedDates: true,
        note: 'beginning on 1 December 2005 is allowed; 30 November is not',
        valid: {
          Episodes: [
            { LS: 'E1', DECOM: '01/12/2005' },
            { LS: 'C1', DECOM: '20/02/2005' },
            { LS: 'E1', DECOM: '' },
          ],
        },
        invalid: {
          Episodes: [
            { LS: 'E1', DECOM: '30/11/2005' },
            { LS: 'E1', DECOM: '20/09/2004' },
          ],
        },
        flags: [
          ['Episodes', 0],
          ['Episodes', 1],
        ],
      },
    ],
  }),
  rule526(
    { until: '2024-25' },
    [...T, ...OTHER_UNTIL_2024_25],
    [
      {
        valid: {
          Episodes: [
            { PLACE: 'U4', PLACE_PROVIDER: 'PR1' },
            { PLACE: 'T1', PLACE_PROVIDER: '' },
            { PLACE: 'Z1', PLACE_PROVIDER: '' },
          ],
        },
        invalid: {
          Episodes: [
            { PLACE: 'P1', PLACE_PROVIDER: '' },
            { PLACE: 'K2', PLACE_PROVIDER: '' },
          ],
        },
        flags: [
          ['Episodes', 0],
          ['Episodes', 1],
        ],
      },
    ],
  ),
  rule526(
    { from: '2025-26' },
    [...T, ...OTHER_FROM_2025_26],
    [
      {
        valid: {
          Episodes: [
            { PLACE: 'U4', PLACE_PROVIDER: 'PR1' },
            { PLACE: 'T3', PLACE_PROVIDER: '' },
            { PLACE: 'Z14', PLACE_PROVIDER: '' },
          ],
        },
        invalid: {
          Episodes: [
            { PLACE: 'Z1', PLACE_PROVIDER: '' },
            { PLACE: 'K3', PLACE_PROVIDER: '' },
          ],
        },
        flags: [
          ['Episodes', 0],
          ['Episodes', 1],
        ],
      },
    ],
  ),
  providerPlacementRule({
    code: '527',
    provider: 'PR1',
    places: ['P1', 'R2', 'R5'],
    validPlace: 'U4',
    meaning:
      'the placement provider is the council’s own provision (PR1) for a placement with parents (P1), a health establishment (R2) or a young offender institution (R5)',
  }),
  providerPlacementRule({
    code: '528',
    provider: 'PR2',
    places: ['P1', 'R2', 'R5'],
    validPlace: 'U4',
    meaning:
      'the placement provider is another council’s provision (PR2) for a placement with parents (P1), a health establishment (R2) or a young offender institution (R5)',
  }),
  providerPlacementRule({
    code: '529',
    provider: 'PR3',
    places: ['A3', 'A4', 'A5', 'A6', 'K1', 'K2', 'P1', 'U1', 'U2', 'U3', 'U4', 'U5', 'U6'],
    validPlace: 'R2',
    meaning:
      'the placement provider is other public provision (PR3) for a placement other public bodies cannot provide (adoption A3 to A6, children’s homes K1 or K2, parents P1, fostering U1 to U6)',
  }),
  providerPlacementRule({
    code: '530',
    provider: 'PR4',
    places: ['P1'],
    validPlace: 'U4',
    meaning: 'the placement provider is private provision (PR4) for a placement with parents (P1)',
  }),
  providerPlacementRule({
    code: '531',
    provider: 'PR5',
    places: ['P1'],
    validPlace: 'U4',
    meaning: 'the placement provider is voluntary provision (PR5) for a placement with parents (P1)',
  }),
  rowRule({
    code: '550',
    table: 'Episodes',
    fields: ['PLACE_PROVIDER', 'PLACE'],
    meaning:
      'the placement provider is parents or others with parental responsibility (PR0), but the child is not placed with parents (P1)',
    severity: 'warn',
    reason: WARN_PROVIDER,
    breaks: (row) => cell(row, 'PLACE_PROVIDER') === 'PR0' && cell(row, 'PLACE') !== 'P1' && placeAndProvider(row),
    examples: [
      {
        valid: {
          Episodes: [
            { PLACE: 'P1', PLACE_PROVIDER: 'PR0' },
            { PLACE: 'U4', PLACE_PROVIDER: 'PR1' },
          ],
        },
        invalid: {
          Episodes: [
            { PLACE: 'U4', PLACE_PROVIDER: 'PR0' },
            { PLACE: '', PLACE_PROVIDER: 'PR0' },
          ],
        },
        flags: [
          ['Episodes', 0],
          ['Episodes', 1],
        ],
      },
    ],
  }),
  codeRule({
    code: '1009',
    table: 'Episodes',
    column: 'REASON_PLACE_CHANGE',
    what: 'the reason for the placement change',
    blank: 'allowed',
    severity: 'warn',
    reason: WARN_PLACE_CHANGE,
    examples: [
      {
        valid: {
          Episodes: [{ REASON_PLACE_CHANGE: 'CARPL' }, { REASON_PLACE_CHANGE: 'CUSTOD' }, { REASON_PLACE_CHANGE: '' }],
        },
        invalid: { Episodes: [{ REASON_PLACE_CHANGE: 'carpl' }, { REASON_PLACE_CHANGE: 'MOVED' }] },
        flags: [
          ['Episodes', 0],
          ['Episodes', 1],
        ],
      },
    ],
  }),
];

// ---------------------------------------------------------------------------------------------
// Rules set aside
// ---------------------------------------------------------------------------------------------

const DERIVED =
  'reads only a field the DfE derives from the postcodes (PL_DISTANCE, PL_LA or PL_LOCATION), which the product does not import or derive';
const OFSTED =
  'compares the episode with Ofsted’s register of providers (the Provider Info tables), which the product does not hold';

/** The DfE rules of this family that the importer does not check, each with the reason. */
export const EPISODE_RULES_NOT_APPLIED: readonly RuleNotApplied[] = [
  {
    code: '164',
    meaning: 'the distance between home and placement is out of range',
    tables: ['Episodes'],
    fields: ['PL_DISTANCE'],
    reason: DERIVED,
  },
  {
    code: '169',
    meaning: 'the local authority of the placement is missing',
    tables: ['Episodes'],
    fields: ['PL_LA'],
    reason: `${DERIVED}; a missing or invalid placement postcode is reported by 392b and 392c`,
  },
  {
    code: '179',
    meaning: 'the placement location (inside or outside the council’s area) is missing',
    tables: ['Episodes'],
    fields: ['PL_LOCATION'],
    reason: DERIVED,
  },
  {
    code: '219',
    meaning: 'the URN does not match the placement type Ofsted has for it',
    tables: ['Episodes', 'Provider Info'],
    fields: ['PLACE', 'URN'],
    reason: OFSTED,
  },
  {
    code: '221',
    meaning: 'the URN does not match the placement postcode Ofsted has for it',
    tables: ['Episodes', 'Provider Info'],
    fields: ['PL_POST'],
    reason: `${OFSTED}; the rule says nothing about the URN or postcode on their own`,
  },
  {
    code: '224',
    meaning: 'the URN does not match the placement provider Ofsted has for it',
    tables: ['Episodes', 'Provider Info'],
    fields: ['PLACE_PROVIDER'],
    reason: OFSTED,
  },
  {
    code: '227',
    meaning: 'the URN was not registered when the episode began',
    tables: ['Episodes', 'Provider Info'],
    fields: ['DECOM', 'URN'],
    reason: OFSTED,
  },
  {
    code: '228',
    meaning: 'the URN was not registered when the episode ceased',
    tables: ['Episodes', 'Provider Info'],
    fields: ['DEC', 'URN'],
    reason: OFSTED,
  },
  {
    code: '229',
    meaning: 'the placement provider does not match the council of the URN’s provider',
    tables: ['Episodes', 'Provider Info'],
    fields: ['PLACE_PROVIDER', 'URN'],
    reason: OFSTED,
  },
  {
    code: '392a',
    meaning: 'the distance between home and placement is missing',
    tables: ['Episodes'],
    fields: ['PL_DISTANCE'],
    reason: `${DERIVED}; missing postcodes are reported by 392b`,
  },
  {
    code: '406',
    meaning: 'a distance is recorded for a child who is or was an unaccompanied asylum-seeking child',
    tables: ['Episodes'],
    fields: ['PL_DISTANCE'],
    reason: DERIVED,
  },
  {
    code: '411',
    meaning: 'the placement location says inside the council’s area but the placement LA is another council',
    tables: ['Episodes'],
    fields: ['PL_LOCATION'],
    reason: DERIVED,
  },
  {
    code: '420',
    meaning: 'a placement LA is recorded for a short break (V3 or V4)',
    tables: ['Episodes'],
    fields: ['PL_LA'],
    reason: `${DERIVED}; a postcode recorded for a short break is reported by 398`,
  },
  {
    code: '452',
    meaning: 'the placement LA changed between last year’s open episode and this year’s first',
    tables: ['Episodes', 'Episodes_last'],
    fields: ['PL_LA'],
    reason: DERIVED,
  },
  {
    code: '453',
    meaning: 'the placement distance changed between last year’s open episode and this year’s first',
    tables: ['Episodes', 'Episodes_last'],
    fields: ['PL_DISTANCE'],
    reason: DERIVED,
  },
  {
    code: '454',
    from: '2025-26',
    meaning: 'the distance between home and placement is more than 350 miles',
    tables: ['Episodes'],
    fields: ['PL_DISTANCE'],
    reason: DERIVED,
  },
  {
    code: '503G',
    meaning: 'the placement distance differs from last year’s open episode',
    tables: ['Episodes', 'Episodes_last'],
    fields: ['PL_DISTANCE'],
    reason: DERIVED,
  },
  {
    code: '503H',
    meaning: 'the placement LA differs from last year’s open episode',
    tables: ['Episodes', 'Episodes_last'],
    fields: ['PL_LA'],
    reason: DERIVED,
  },
  {
    code: '503J',
    meaning: 'the placement location differs from last year’s open episode',
    tables: ['Episodes', 'Episodes_last'],
    fields: ['PL_LOCATION'],
    reason: DERIVED,
  },
  {
    code: '1008',
    meaning: 'the URN is not on Ofsted’s register',
    tables: ['Episodes', 'Provider Info'],
    fields: ['URN'],
    reason: `${OFSTED}; the DfE sets no rule on the URN’s form, so none is invented here`,
  },
  {
    code: '1015',
    meaning: 'a placement in the council’s own provision (PR1) is outside its area',
    tables: ['Episodes'],
    fields: ['PL_LA'],
    reason: DERIVED,
  },
];
