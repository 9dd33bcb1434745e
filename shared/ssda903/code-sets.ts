/**
 * The code sets of the SSDA903 return by collection year: which codes a field may hold in a given
 * year's return, each with its meaning. The meanings live with the domain's lists (`#domain/codes`);
 * this module says which of them each year allows, so a rule names the year's codes in its message.
 */
import {
  ADOPTER_LEGAL_STATUSES,
  ADOPTER_SEXES,
  CARE_LEAVER_ACTIVITIES,
  CATEGORIES_OF_NEED,
  EPISODE_END_REASONS,
  ETHNICITIES,
  IN_TOUCH_CODES,
  LEGAL_STATUSES,
  MISSING_TYPES,
  NEW_EPISODE_REASONS,
  PARTICIPATION_CODES,
  PLACED_FOR_ADOPTION_CEASED_REASONS,
  PLACEMENT_PROVIDERS,
  PLACEMENT_TYPE_YEARS,
  PLACEMENT_TYPES,
  PREVIOUS_PERMANENCE_OPTIONS,
  REASONS_PLACE_CHANGE,
  SDQ_REASONS,
  SEXES,
  SOCIAL_WORKER_CHANGE_REASONS,
} from '#domain/codes';
import { yearWithin, type CollectionYear } from '#domain/collection-year';

/** A field's codes, each with its meaning. */
export type CodeSet = Readonly<Record<string, string>>;

/** A code set that changes by year: a list of codes and meanings, and the years each code holds where not every year. */
interface YearlyCodeSet {
  codes: CodeSet;
  years?: Partial<Record<string, { from?: string; until?: string }>>;
}

const everyYear = (codes: CodeSet): YearlyCodeSet => ({ codes });

/**
 * OC3 ACCOM: a letter for the kind of accommodation and 1 (suitable) or 2 (not suitable); 0 when
 * not recorded. S (no fixed abode) and X (in custody) are only ever unsuitable.
 */
const ACCOMMODATION_KINDS: Record<string, string> = {
  B: 'with parents or relatives',
  C: 'community home or other form of residential care',
  D: 'semi-independent, transitional accommodation',
  E: 'supported lodgings',
  G: 'gone abroad',
  H: 'deported',
  K: 'ordinary lodgings, without formal support',
  R: 'residence not known',
  S: 'no fixed abode or homeless',
  T: 'foyers or similar supported accommodation',
  U: 'independent living',
  V: 'emergency accommodation',
  W: 'bed and breakfast',
  X: 'in custody',
  Y: 'other accommodation',
  Z: 'with former foster carers',
};
const ACCOMMODATION: CodeSet = {
  ...Object.fromEntries(
    Object.entries(ACCOMMODATION_KINDS).flatMap(([letter, kind]) => [
      ...(letter === 'S' || letter === 'X'
        ? []
        : [[`${letter}1`, `${kind[0]!.toUpperCase()}${kind.slice(1)}: suitable`]]),
      [`${letter}2`, `${kind[0]!.toUpperCase()}${kind.slice(1)}: not suitable`],
    ]),
  ),
  '0': 'Not recorded (died or returned home)',
};

/** The code sets of the return's coded fields, by column. */
const CODE_SETS = {
  SEX: {
    codes: { '1': 'Male', '2': 'Female', ...SEXES },
    years: {
      '1': { until: '2023-24' },
      '2': { until: '2023-24' },
      M: { from: '2024-25' },
      F: { from: '2024-25' },
      U: { from: '2024-25' },
    },
  },
  ETHNIC: everyYear(ETHNICITIES),
  RNE: everyYear(NEW_EPISODE_REASONS),
  LS: everyYear(LEGAL_STATUSES),
  CIN: everyYear(CATEGORIES_OF_NEED),
  PLACE: { codes: PLACEMENT_TYPES, years: PLACEMENT_TYPE_YEARS },
  PLACE_PROVIDER: everyYear(PLACEMENT_PROVIDERS),
  REC: everyYear(EPISODE_END_REASONS),
  REASON_PLACE_CHANGE: everyYear(REASONS_PLACE_CHANGE),
  REVIEW_CODE: everyYear(PARTICIPATION_CODES),
  SDQ_REASON: everyYear(SDQ_REASONS),
  IN_TOUCH: everyYear(IN_TOUCH_CODES),
  ACTIV: everyYear(CARE_LEAVER_ACTIVITIES),
  ACCOM: everyYear(ACCOMMODATION),
  NB_ADOPTR: everyYear({ '1': 'One adopter', '2': 'Two adopters' }),
  SEX_ADOPTR: everyYear(ADOPTER_SEXES),
  LS_ADOPTR: everyYear(ADOPTER_LEGAL_STATUSES),
  REASON_PLACED_CEASED: everyYear(PLACED_FOR_ADOPTION_CEASED_REASONS),
  PREV_PERM: everyYear(PREVIOUS_PERMANENCE_OPTIONS),
  MISSING: everyYear(MISSING_TYPES),
  SW_REASON: everyYear(SOCIAL_WORKER_CHANGE_REASONS),
  MOTHER: everyYear({ '0': 'Not a mother', '1': 'A mother' }),
  UASC: everyYear({ '0': 'Not an unaccompanied asylum-seeking child', '1': 'An unaccompanied asylum-seeking child' }),
  /** OC2's yes-or-no items. */
  FLAG: everyYear({ '0': 'No', '1': 'Yes' }),
} satisfies Record<string, YearlyCodeSet>;

export type CodedField = keyof typeof CODE_SETS;

const built = new Map<string, CodeSet>();

/** The codes `field` may hold in `year`'s return, with their meanings (built once per field and year: rules ask for every row). */
export function codeSet(field: CodedField, year: CollectionYear): CodeSet {
  const key = `${field}|${year}`;
  let codes = built.get(key);
  if (!codes) {
    const set: YearlyCodeSet = CODE_SETS[field];
    codes = Object.freeze(
      Object.fromEntries(Object.entries(set.codes).filter(([code]) => yearWithin(year, set.years?.[code] ?? {}))),
    );
    built.set(key, codes);
  }
  return codes;
}

/** Whether `code` is one of `field`'s codes in `year`. */
export function isCode(field: CodedField, year: CollectionYear, code: string): boolean {
  return Object.hasOwn(codeSet(field, year), code);
}

/** The meaning of a code in any year (for messages), or undefined. */
export function meaningOf(field: CodedField, code: string): string | undefined {
  const codes: CodeSet = CODE_SETS[field].codes;
  return Object.hasOwn(codes, code) ? codes[code] : undefined;
}

/** The year's codes as a list for a message: "M, F or U"; a long list ends "… and 23 more". */
export function listCodes(field: CodedField, year: CollectionYear): string {
  const codes = Object.keys(codeSet(field, year));
  if (codes.length > 16) return `${codes.slice(0, 8).join(', ')} … and ${codes.length - 8} more`;
  return codes.length > 1 ? `${codes.slice(0, -1).join(', ')} or ${codes.at(-1)}` : (codes[0] ?? '');
}

/** A code with its meaning, for messages: `LTFOST18 (long-term fostering to age 18)`; the bare code when unknown. */
export function describeCode(field: CodedField, code: string): string {
  const meaning = meaningOf(field, code);
  return meaning ? `${code} (${meaning.charAt(0).toLowerCase()}${meaning.slice(1)})` : `"${code}"`;
}
