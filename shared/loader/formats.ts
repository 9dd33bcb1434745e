/**
 * The import file formats of docs/data-formats.md, each recognised by its exact column set and
 * mapped to one domain record. Importers for other formats (SSDA903 XML, Annex A) reuse the
 * same row path: raw cells → cell parsers → domain schema.
 */
import * as z from 'zod';
import { listSome } from '#jobs/messages';
import {
  Adoption,
  CareLeaverOutcome,
  Child,
  DeprivationOfLiberty,
  Episode,
  HealthEvent,
  Involvement,
  MissingEpisode,
  Oc2Outcome,
  PlacedForAdoption,
  PreviousPermanence,
  Professional,
  ReviewDetails,
  ReviewParticipation,
  SiblingGroupMember,
  SocialWorkerEpisode,
  UascStatus,
  type DomainRecord,
  type RecordKind,
} from '#domain/records';
import type { Ssda903Table } from '#ssda903/return';
import { codeCell, codeListCell, dateCell, flagCell, integerCell, partialDateCell, textCell } from './cells.ts';

/** Options an import needs beyond the file itself. */
export interface ImportContext {
  /** The 31 March the SSDA903 return is for: OC2 and OC3 rows carry no year. */
  yearEnding?: string;
  /** The collection year the QA lead says the return is for (e.g. `2025-26`); inferred from the data when absent. */
  collectionYear?: string;
}

/** A format as written: typed to its record kind. */
interface ImportFormatSpec<K extends RecordKind> {
  /** Short name, e.g. `episodes`. */
  name: string;
  /** The usual file name. */
  fileName: string;
  /** Where the format comes from. */
  source: 'SSDA903' | 'SSD extract';
  /** The DfE's name of the table, for an SSDA903 format: the DfE's rules are written against it. */
  table?: Ssda903Table;
  kind: K;
  /** The parser of each column's cells (blank → null, dates → ISO, flags → booleans). */
  cells: Record<string, z.ZodType<unknown>>;
  /**
   * Columns of `cells` a file may leave out (a later addition to the contract): a file without them is
   * still recognised, and their fields read as not recorded.
   */
  optionalColumns?: readonly string[];
  /** The domain schema the record must satisfy. */
  schema: z.ZodType<Extract<DomainRecord, { kind: K }>['record']>;
  /** Which column each domain field comes from: builds the record, and points errors at the cell. */
  fieldColumns: Record<string, string>;
  /** The domain fields that make the natural key: two rows with the same key in one file are duplicates. */
  key: readonly (keyof Extract<DomainRecord, { kind: K }>['record'] & string)[];
  /** Context-derived fields (e.g. OC2's year). */
  withContext?: (input: Record<string, unknown>, context: ImportContext) => Record<string, unknown>;
}

const s = z.string().default('');

/** A format as the loader uses it: any record kind. */
export type ImportFormat = Omit<ImportFormatSpec<RecordKind>, 'schema' | 'key'> & {
  schema: z.ZodType<DomainRecord['record']>;
  key: readonly string[];
  /** Every column that has a parser: the required ones, then the optional ones. */
  columns: readonly string[];
  /** The columns every file of this format has. */
  requiredColumns: readonly string[];
  /** Cells → the record's fields, before the domain schema (see rowParser). */
  parseCells: z.ZodType<Record<string, unknown>>;
};

/** The natural key of a record of this format, as one string. */
export function naturalKey(format: ImportFormat, record: DomainRecord['record']): string {
  return format.key.map((field) => String((record as Record<string, unknown>)[field])).join('|');
}

/** The natural key in the file's own words, e.g. "CHILD and REVIEW". */
export function describeNaturalKey(
  format: ImportFormat,
  columnName: (column: string) => string = (column) => column,
): string {
  const columns = format.key.map((field) => {
    const column = format.fieldColumns[field] ?? field;
    return column.startsWith('(') ? column : columnName(column);
  });
  return columns.length === 1 ? columns[0]! : `${columns.slice(0, -1).join(', ')} and ${columns.at(-1)}`;
}

/** Checks a format against its record kind, then widens it for the loader's list. */
function format<K extends RecordKind>(f: ImportFormatSpec<K>): ImportFormat {
  const optional = new Set(f.optionalColumns ?? []);
  // A column the file leaves out reads as a blank cell (parsed as one: not recorded).
  const cells = Object.fromEntries(
    Object.entries(f.cells).map(([column, cell]) => [column, optional.has(column) ? cell.prefault('' as never) : cell]),
  );
  const columns = Object.keys(f.cells);
  return {
    ...f,
    cells,
    columns,
    requiredColumns: columns.filter((c) => !optional.has(c)),
    parseCells: rowParser({ ...f, cells }),
  } as unknown as ImportFormat;
}

/** Parses a row's cells with the format's column parsers, then names each value by its domain field. */
function rowParser(f: {
  cells: Record<string, z.ZodType<unknown>>;
  fieldColumns: Record<string, string>;
}): z.ZodType<Record<string, unknown>> {
  return z.object(f.cells).transform((parsed: Record<string, unknown>) =>
    Object.fromEntries(
      Object.entries(f.fieldColumns)
        .filter(([, column]) => column in f.cells)
        .map(([field, column]) => [field, parsed[column]]),
    ),
  );
}

export const IMPORT_FORMATS = [
  format({
    name: 'header',
    table: 'Header',
    fileName: 'header.csv',
    source: 'SSDA903',
    kind: 'child',
    cells: {
      CHILD: textCell,
      SEX: codeCell,
      DOB: dateCell,
      ETHNIC: codeCell,
      UPN: textCell,
      MOTHER: s,
      MC_DOB: dateCell,
    },
    schema: Child,
    fieldColumns: {
      childId: 'CHILD',
      sex: 'SEX',
      dateOfBirth: 'DOB',
      ethnicity: 'ETHNIC',
      upn: 'UPN',
      motherChildDateOfBirth: 'MC_DOB',
    },
    key: ['childId'],
  }),
  format({
    name: 'episodes',
    table: 'Episodes',
    fileName: 'episodes.csv',
    source: 'SSDA903',
    kind: 'episode',
    cells: {
      CHILD: textCell,
      DECOM: dateCell,
      RNE: codeCell,
      LS: codeCell,
      CIN: codeCell,
      PLACE: codeCell,
      PLACE_PROVIDER: codeCell,
      DEC: dateCell,
      REC: codeCell,
      REASON_PLACE_CHANGE: codeCell,
      HOME_POST: textCell,
      PL_POST: textCell,
      URN: textCell,
    },
    schema: Episode,
    fieldColumns: {
      childId: 'CHILD',
      startDate: 'DECOM',
      reasonNewEpisode: 'RNE',
      legalStatus: 'LS',
      categoryOfNeed: 'CIN',
      placement: 'PLACE',
      placementProvider: 'PLACE_PROVIDER',
      endDate: 'DEC',
      reasonEpisodeCeased: 'REC',
      reasonPlaceChange: 'REASON_PLACE_CHANGE',
      homePostcode: 'HOME_POST',
      placementPostcode: 'PL_POST',
      urn: 'URN',
    },
    key: ['childId', 'startDate'],
  }),
  format({
    name: 'reviews',
    table: 'Reviews',
    fileName: 'reviews.csv',
    source: 'SSDA903',
    kind: 'reviewParticipation',
    // DOB is repeated from the Header table; the child's own record is the one kept.
    cells: { CHILD: textCell, DOB: dateCell, REVIEW: dateCell, REVIEW_CODE: codeCell },
    schema: ReviewParticipation,
    fieldColumns: { childId: 'CHILD', reviewDate: 'REVIEW', participationCode: 'REVIEW_CODE' },
    key: ['childId', 'reviewDate'],
  }),
  format({
    name: 'oc2',
    table: 'OC2',
    fileName: 'oc2.csv',
    source: 'SSDA903',
    kind: 'oc2',
    cells: {
      CHILD: textCell,
      DOB: dateCell,
      SDQ_SCORE: integerCell,
      SDQ_REASON: codeCell,
      CONVICTED: flagCell,
      HEALTH_CHECK: flagCell,
      IMMUNISATIONS: flagCell,
      TEETH_CHECK: flagCell,
      HEALTH_ASSESSMENT: flagCell,
      SUBSTANCE_MISUSE: flagCell,
      INTERVENTION_RECEIVED: flagCell,
      INTERVENTION_OFFERED: flagCell,
    },
    schema: Oc2Outcome,
    fieldColumns: {
      childId: 'CHILD',
      sdqScore: 'SDQ_SCORE',
      sdqReason: 'SDQ_REASON',
      convicted: 'CONVICTED',
      healthCheck: 'HEALTH_CHECK',
      immunisations: 'IMMUNISATIONS',
      teethCheck: 'TEETH_CHECK',
      healthAssessment: 'HEALTH_ASSESSMENT',
      substanceMisuse: 'SUBSTANCE_MISUSE',
      interventionReceived: 'INTERVENTION_RECEIVED',
      interventionOffered: 'INTERVENTION_OFFERED',
      yearEnding: '(collection year)',
    },
    key: ['childId', 'yearEnding'],
    withContext: (input, context) => ({ ...input, yearEnding: context.yearEnding ?? null }),
  }),
  format({
    name: 'professionals',
    fileName: 'professionals.csv',
    source: 'SSD extract',
    kind: 'professional',
    cells: { WORKER_ID: textCell, ROLE: codeCell, TEAM: textCell, SERVICE: textCell },
    schema: Professional,
    fieldColumns: { workerId: 'WORKER_ID', role: 'ROLE', team: 'TEAM', service: 'SERVICE' },
    key: ['workerId'],
  }),
  format({
    name: 'involvements',
    fileName: 'involvements.csv',
    source: 'SSD extract',
    kind: 'involvement',
    cells: { CHILD: textCell, WORKER_ID: textCell, ROLE: codeCell, START: dateCell, END: dateCell },
    schema: Involvement,
    fieldColumns: { childId: 'CHILD', workerId: 'WORKER_ID', role: 'ROLE', startDate: 'START', endDate: 'END' },
    key: ['childId', 'role', 'workerId', 'startDate'],
  }),
  format({
    name: 'families',
    fileName: 'families.csv',
    source: 'SSD extract',
    kind: 'siblingGroupMember',
    cells: { CHILD: textCell, FAMILY_ID: textCell, CONFLICT_OF_INTEREST: flagCell },
    schema: SiblingGroupMember,
    fieldColumns: { childId: 'CHILD', familyId: 'FAMILY_ID', conflictOfInterest: 'CONFLICT_OF_INTEREST' },
    key: ['childId', 'familyId'],
  }),
  format({
    name: 'review_details',
    fileName: 'review_details.csv',
    source: 'SSD extract',
    kind: 'reviewDetails',
    cells: {
      CHILD: textCell,
      REVIEW: dateCell,
      IRO_ID: textCell,
      PERMANENCE_PLAN: codeListCell,
      CARE_PLAN_UP_TO_DATE: flagCell,
      CHILD_SEEN_BEFORE_REVIEW: flagCell,
      DECISIONS_ISSUED: dateCell,
      RECORD_ISSUED: dateCell,
      STOOD_DOWN: flagCell,
      SERIES_ID: textCell,
      LATE_REASON: textCell,
    },
    schema: ReviewDetails,
    fieldColumns: {
      childId: 'CHILD',
      reviewDate: 'REVIEW',
      iroId: 'IRO_ID',
      permanencePlan: 'PERMANENCE_PLAN',
      carePlanUpToDate: 'CARE_PLAN_UP_TO_DATE',
      childSeenBeforeReview: 'CHILD_SEEN_BEFORE_REVIEW',
      decisionsIssued: 'DECISIONS_ISSUED',
      recordIssued: 'RECORD_ISSUED',
      stoodDown: 'STOOD_DOWN',
      seriesId: 'SERIES_ID',
      lateReason: 'LATE_REASON',
    },
    optionalColumns: ['SERIES_ID', 'LATE_REASON'],
    key: ['childId', 'reviewDate'],
  }),
  format({
    name: 'health',
    fileName: 'health.csv',
    source: 'SSD extract',
    kind: 'healthEvent',
    cells: {
      CHILD: textCell,
      TYPE: codeCell,
      DATE: dateCell,
      // Statuses are title case in the contract (Completed, Planned…); accept any case.
      STATUS: textCell.transform((v) => (v === null ? null : v.charAt(0).toUpperCase() + v.slice(1).toLowerCase())),
      CHILD_PRESENT: flagCell,
      VIEWS_RECORDED: flagCell,
      SDQ_SCORE: integerCell,
      SDQ_REASON: codeCell,
      IMMUNISATIONS_UP_TO_DATE: flagCell,
    },
    schema: HealthEvent,
    fieldColumns: {
      childId: 'CHILD',
      type: 'TYPE',
      date: 'DATE',
      status: 'STATUS',
      childPresent: 'CHILD_PRESENT',
      viewsRecorded: 'VIEWS_RECORDED',
      sdqScore: 'SDQ_SCORE',
      sdqReason: 'SDQ_REASON',
      immunisationsUpToDate: 'IMMUNISATIONS_UP_TO_DATE',
    },
    key: ['childId', 'type', 'date'],
  }),
  // The SSDA903 tables no audit reads yet: recognised, validated and stored, so a whole return loads.
  format({
    name: 'uasc',
    table: 'UASC',
    fileName: 'uasc.csv',
    source: 'SSDA903',
    kind: 'uascStatus',
    // SEX and DOB are repeated from the Header table; the child's own record is the one kept.
    cells: { CHILD: textCell, SEX: codeCell, DOB: dateCell, DUC: dateCell },
    schema: UascStatus,
    fieldColumns: { childId: 'CHILD', ceasedDate: 'DUC' },
    key: ['childId'],
  }),
  format({
    name: 'oc3',
    table: 'OC3',
    fileName: 'oc3.csv',
    source: 'SSDA903',
    kind: 'careLeaverOutcome',
    cells: { CHILD: textCell, DOB: dateCell, IN_TOUCH: codeCell, ACTIV: codeCell, ACCOM: codeCell },
    schema: CareLeaverOutcome,
    fieldColumns: {
      childId: 'CHILD',
      inTouch: 'IN_TOUCH',
      activity: 'ACTIV',
      accommodation: 'ACCOM',
      yearEnding: '(collection year)',
    },
    key: ['childId', 'yearEnding'],
    withContext: (input, context) => ({ ...input, yearEnding: context.yearEnding ?? null }),
  }),
  format({
    name: 'ad1',
    table: 'AD1',
    fileName: 'ad1.csv',
    source: 'SSDA903',
    kind: 'adoption',
    cells: {
      CHILD: textCell,
      DOB: dateCell,
      DATE_INT: dateCell,
      DATE_MATCH: dateCell,
      FOSTER_CARE: flagCell,
      NB_ADOPTR: integerCell,
      SEX_ADOPTR: codeCell,
      LS_ADOPTR: codeCell,
    },
    schema: Adoption,
    fieldColumns: {
      childId: 'CHILD',
      decisionDate: 'DATE_INT',
      matchedDate: 'DATE_MATCH',
      adoptedByFosterCarer: 'FOSTER_CARE',
      numberOfAdopters: 'NB_ADOPTR',
      adopterSex: 'SEX_ADOPTR',
      adopterLegalStatus: 'LS_ADOPTR',
    },
    key: ['childId', 'decisionDate'],
  }),
  format({
    name: 'placed_for_adoption',
    table: 'PlacedAdoption',
    fileName: 'placed_for_adoption.csv',
    source: 'SSDA903',
    kind: 'placedForAdoption',
    cells: {
      CHILD: textCell,
      DOB: dateCell,
      DATE_PLACED: dateCell,
      DATE_PLACED_CEASED: dateCell,
      REASON_PLACED_CEASED: codeCell,
    },
    schema: PlacedForAdoption,
    fieldColumns: {
      childId: 'CHILD',
      decisionDate: 'DATE_PLACED',
      ceasedDate: 'DATE_PLACED_CEASED',
      ceasedReason: 'REASON_PLACED_CEASED',
    },
    key: ['childId', 'decisionDate'],
  }),
  format({
    name: 'previous_permanence',
    table: 'PrevPerm',
    fileName: 'previous_permanence.csv',
    source: 'SSDA903',
    kind: 'previousPermanence',
    cells: { CHILD: textCell, DOB: dateCell, PREV_PERM: codeCell, LA_PERM: textCell, DATE_PERM: partialDateCell },
    schema: PreviousPermanence,
    fieldColumns: { childId: 'CHILD', option: 'PREV_PERM', localAuthority: 'LA_PERM', date: 'DATE_PERM' },
    key: ['childId'],
  }),
  format({
    name: 'missing',
    table: 'Missing',
    fileName: 'missing.csv',
    source: 'SSDA903',
    kind: 'missingEpisode',
    cells: { CHILD: textCell, DOB: dateCell, MISSING: codeCell, MIS_START: dateCell, MIS_END: dateCell },
    schema: MissingEpisode,
    fieldColumns: { childId: 'CHILD', type: 'MISSING', startDate: 'MIS_START', endDate: 'MIS_END' },
    key: ['childId', 'startDate'],
  }),
  format({
    name: 'dolo',
    table: 'DoLo',
    fileName: 'dolo.csv',
    source: 'SSDA903',
    kind: 'deprivationOfLiberty',
    cells: { CHILD: textCell, DOB: dateCell, DOLO_START: dateCell, DOLO_END: dateCell },
    schema: DeprivationOfLiberty,
    fieldColumns: { childId: 'CHILD', startDate: 'DOLO_START', endDate: 'DOLO_END' },
    key: ['childId', 'startDate'],
  }),
  format({
    name: 'sw_episodes',
    table: 'SWEpisodes',
    fileName: 'sw_episodes.csv',
    source: 'SSDA903',
    kind: 'socialWorkerEpisode',
    cells: {
      CHILD: textCell,
      DOB: dateCell,
      SW_ID: textCell,
      SW_DECOM: dateCell,
      SW_DEC: dateCell,
      SW_REASON: codeCell,
    },
    schema: SocialWorkerEpisode,
    fieldColumns: {
      childId: 'CHILD',
      workerId: 'SW_ID',
      startDate: 'SW_DECOM',
      endDate: 'SW_DEC',
      changeReason: 'SW_REASON',
    },
    key: ['childId', 'startDate'],
  }),
] as const;

/** The format of a name (e.g. `reviews`), for importers that build rows themselves (SSDA903 XML). */
export function formatNamed(name: string): ImportFormat {
  const found = IMPORT_FORMATS.find((f) => f.name === name);
  if (!found) throw new RangeError(`no import format "${name}"`);
  return found;
}

/** A format's columns in words: the required ones, then "and optionally …". */
export function describeColumns(f: ImportFormat): string {
  const optional = f.columns.filter((c) => !f.requiredColumns.includes(c));
  return `${f.requiredColumns.join(', ')}${optional.length ? `; optionally ${optional.join(', ')}` : ''}`;
}

/** Normalises a header cell: BOM and spaces stripped, upper case. */
export function normaliseColumn(name: string): string {
  return name
    .replace(/^\uFEFF/, '')
    .trim()
    .toUpperCase();
}

/** The format whose column set the header has (any order, any case): every required column, and no column it does not know. */
export function recogniseFormat(header: readonly string[]): ImportFormat | undefined {
  const columns = new Set(header.map(normaliseColumn));
  return IMPORT_FORMATS.find(
    (f) => f.requiredColumns.every((c) => columns.has(c)) && [...columns].every((c) => f.columns.includes(c)),
  );
}

/**
 * A plain message for a refused file: the closest known column sets (most columns in common) with
 * what is missing and what is unexpected, then every file the toolkit knows.
 */
export function unrecognisedHeaderMessage(header: readonly string[]): string {
  const got = new Set(header.map(normaliseColumn).filter((c) => c !== ''));
  const scored = IMPORT_FORMATS.map((f) => ({ f, common: f.columns.filter((c) => got.has(c)).length }))
    .filter((x) => x.common > 0)
    .map((x) => ({ ...x, missing: x.f.requiredColumns.filter((c) => !got.has(c)).length }));
  // Closest: most columns in common, then fewest missing; at most three, so the message stays readable.
  const best = Math.max(0, ...scored.map((x) => x.common));
  const fewestMissing = Math.min(...scored.filter((x) => x.common === best).map((x) => x.missing));
  const closest = scored
    .filter((x) => x.common === best && x.missing === fewestMissing)
    .slice(0, 3)
    .map(({ f }) => {
      const missing = f.requiredColumns.filter((c) => !got.has(c));
      const unexpected = [...got].filter((c) => !f.columns.includes(c));
      const parts = [
        missing.length ? `missing ${missing.join(', ')}` : '',
        unexpected.length ? `unexpected ${listSome(unexpected)}` : '',
      ].filter(Boolean);
      return `${f.fileName} (${describeColumns(f)}): ${parts.join('; ')}`;
    });
  const known = IMPORT_FORMATS.map((f) => f.fileName).join(', ');
  // A header of thousands of columns is named by its first few and a count: the reason stays readable and short.
  const columns = got.size ? listSome([...got]) : '(none)';
  return closest.length
    ? `the columns ${columns} match no known file; closest: ${closest.join(' | ')}. Known files: ${known}`
    : `the columns ${columns} match no known file. Known files: ${known}`;
}
