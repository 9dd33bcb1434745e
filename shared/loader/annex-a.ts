/**
 * Reads Ofsted Annex A, List 8 (children in care) from an xlsx workbook: the sheet found by name,
 * columns matched by header text (the wording drifts between years, so headers are normalised and
 * known variants accepted), rows streamed with exceljs. Each row becomes what it truly says, and no
 * more: the child, their Annex A care summary, the latest review's permanence plan, and the last
 * health assessment and dental check (the mapping is in the README, "Import formats").
 */
import ExcelJS from 'exceljs';
import * as z from 'zod';
import { ANNEX_A_PERMANENCE_OPTIONS, ETHNICITIES } from '#domain/codes';
import { CareSummary, Child, HealthEvent, ReviewDetails, type DomainRecord } from '#domain/records';
import type { UpsertEntry } from '#store/record-store';
import { dateCell, integerCell, textCell } from './cells.ts';
import type { RowError } from './validate-row.ts';

export const ANNEX_A_FORMAT = 'annex-a-list-8';
/** The one table an Annex A file fills, in per-table counts. */
export const ANNEX_A_TABLE = 'annex_a_list_8';

/** The fields read from List 8. */
type AnnexField =
  | 'childId'
  | 'sex'
  | 'ethnicity'
  | 'dateOfBirth'
  | 'periodStart'
  | 'legalStatus'
  | 'latestReviewDate'
  | 'permanencePlan'
  | 'lastIroContact'
  | 'lastHealthAssessment'
  | 'lastDentalCheck'
  | 'placementsLast12Months'
  | 'allocatedTeam'
  | 'allocatedWorker';

/** A List 8 column: the wording of the Annex A template, then the variants seen in other years and exports. */
interface AnnexColumn {
  field: AnnexField;
  header: string;
  variants: readonly string[];
  required?: boolean;
  date?: boolean;
}

export const ANNEX_A_COLUMNS: readonly AnnexColumn[] = [
  {
    field: 'childId',
    header: 'Child Unique ID',
    variants: ['Child ID', 'Unique Child ID', 'Child Unique Identifier', 'Unique ID', 'Child Identifier'],
    required: true,
  },
  { field: 'sex', header: 'Gender', variants: ['Sex', "Child's Gender", 'Gender of Child', 'Legal Sex'] },
  {
    field: 'ethnicity',
    header: 'Ethnicity',
    variants: ["Child's Ethnicity", 'Ethnic Origin', 'Ethnic Group', 'Ethnicity Code'],
  },
  {
    field: 'dateOfBirth',
    header: 'Date of Birth',
    variants: ['DOB', "Child's Date of Birth", 'Date of Birth of Child', 'Birth Date'],
    required: true,
    date: true,
  },
  {
    field: 'periodStart',
    header: 'Date Started to be Looked After',
    required: true,
    date: true,
    variants: [
      'Date Child Started to be Looked After',
      'Date Started Being Looked After',
      'Date Became Looked After',
      'Date Started to be in Care',
      'Date Child Became Looked After',
      'Looked After Start Date',
      'CLA Start Date',
      'Date of Becoming Looked After',
    ],
  },
  {
    field: 'legalStatus',
    header: "Child's Legal Status",
    variants: ['Legal Status', 'Legal Status of Child', 'Current Legal Status', "Child's Current Legal Status"],
  },
  {
    field: 'latestReviewDate',
    header: 'Date of Latest Statutory Review',
    date: true,
    variants: [
      'Date of Last Statutory Review',
      'Date of Latest Review',
      'Date of Last Review',
      'Latest Statutory Review Date',
      'Date of Most Recent Statutory Review',
      'Date of Latest CLA Review',
      'Date of Last LAC Review',
      'Date of Latest LAC Review',
    ],
  },
  {
    field: 'permanencePlan',
    header: 'What is the permanence plan for this child?',
    variants: [
      "What is the Child's Permanence Plan?",
      'Permanence Plan',
      "Child's Permanence Plan",
      'Permanence Plan for this Child',
      'Permanence Plan for the Child',
      'Current Permanence Plan',
      'What is the permanence plan?',
    ],
  },
  {
    field: 'lastIroContact',
    header: 'Date of Last IRO Visit / Contact to the Child',
    date: true,
    variants: [
      'Date of Last IRO Visit',
      'Date of Last IRO Contact',
      'Date of Last IRO Visit or Contact',
      'Date of Last IRO Visit/Contact',
      'Date of Last Contact with IRO',
      'Date of Last IRO Visit / Contact with the Child',
      'Date of Last IRO Contact with the Child',
      'Date Child Last Seen by IRO',
      'Date of Latest IRO Visit / Contact to the Child',
    ],
  },
  {
    field: 'lastHealthAssessment',
    header: 'Date of Last Health Assessment',
    date: true,
    variants: [
      'Date of Latest Health Assessment',
      'Last Health Assessment Date',
      'Date of Most Recent Health Assessment',
      'Date of Last Health Assessment (Initial or Review)',
    ],
  },
  {
    field: 'lastDentalCheck',
    header: 'Date of Last Dental Check',
    date: true,
    variants: [
      'Date of Latest Dental Check',
      'Last Dental Check Date',
      'Date of Last Dental Check-up',
      'Date of Last Dental Check Up',
      'Date of Most Recent Dental Check',
      'Date of Last Dental Visit',
    ],
  },
  {
    field: 'placementsLast12Months',
    header: 'Number of Placements in the Last 12 months',
    variants: [
      'Number of Placements in Last 12 Months',
      'Number of Placements in the Past 12 Months',
      'Placements in the Last 12 Months',
      'Number of Placements (Last 12 Months)',
      'No. of Placements in the Last 12 Months',
    ],
  },
  {
    field: 'allocatedTeam',
    header: 'Allocated Team',
    variants: ['Team', 'Allocated Team Name', 'Team of Allocated Worker', 'Responsible Team'],
  },
  {
    field: 'allocatedWorker',
    header: 'Allocated Worker',
    variants: ['Allocated Social Worker', 'Worker', 'Allocated Worker Name', 'Social Worker', 'Allocated Practitioner'],
  },
];

/**
 * A header as matched: lower case, `&` as "and", apostrophes and typographic quotes dropped, and
 * everything but letters and digits removed — so "Child's Legal Status", "CHILDS LEGAL STATUS" and
 * "Child’s legal-status" are one header.
 */
export function normaliseHeader(text: string): string {
  return text
    .normalize('NFKD')
    .toLowerCase()
    .replace(/&/g, 'and')
    .replace(/['’‘`]/g, '')
    .replace(/[^a-z0-9]+/g, '');
}

/** The same, with any parenthesised note removed first ("(a–g)", "(Y/N)", "(CLA start date)"). */
function withoutNotes(text: string): string {
  return normaliseHeader(text.replace(/\([^)]*\)/g, ' '));
}

const BY_HEADER = new Map<string, AnnexColumn>(
  ANNEX_A_COLUMNS.flatMap((column) =>
    [column.header, ...column.variants].flatMap((text) => [
      [normaliseHeader(text), column] as const,
      [withoutNotes(text), column] as const,
    ]),
  ),
);

/** The List 8 column a header names, if any. */
export function matchAnnexHeader(text: string): AnnexColumn | undefined {
  return BY_HEADER.get(normaliseHeader(text)) ?? BY_HEADER.get(withoutNotes(text));
}

/** Whether a sheet is List 8: "List 8", "List_8", "List 8 - Children in Care", or one named "Children in Care". */
export function isList8Sheet(name: string): boolean {
  const n = normaliseHeader(name);
  return /^list8(?!\d)/.test(n) || n === 'childrenincare' || n === 'childrenlookedafter';
}

const ETHNICITY_CODES = new Set(Object.keys(ETHNICITIES));

/** Strips an Annex A option prefix such as "a) " or "b. ". */
const withoutOption = (v: string) => v.replace(/^[a-z][).:]\s*/i, '').trim();

/** Annex A gender: "a) Male" / "Male" / "M" / "1" → SSDA903 sex M, female → F; not stated, unknown or neither → null (unknown). */
const sexCell = z.string().transform((raw, ctx) => {
  const v = withoutOption(raw.trim()).toLowerCase();
  if (v === '') return null;
  if (['male', 'm', '1', 'boy'].includes(v)) return 'M';
  if (['female', 'f', '2', 'girl'].includes(v)) return 'F';
  if (
    /^(unknown|not (stated|known|recorded)|neither|indeterminate|other|unborn|not stated\/recorded.*|prefer not to say)$/.test(
      v,
    )
  )
    return null;
  ctx.addIssue({
    code: 'custom',
    message: `"${raw.trim()}" is not a gender Annex A uses: a) Male, b) Female, or not stated / neither`,
  });
  return z.NEVER;
});

/** An SSDA903 ethnicity code, alone or inside a label ("WBRI - White British", "a) WBRI"). */
const ethnicityCell = z.string().transform((raw, ctx) => {
  const v = raw.trim();
  if (v === '') return null;
  const code = v
    .toUpperCase()
    .match(/[A-Z]{4}/g)
    ?.find((token) => ETHNICITY_CODES.has(token));
  if (code) return code;
  ctx.addIssue({ code: 'custom', message: `"${v}" holds no SSDA903 ethnicity code (such as WBRI, MWBC or AIND)` });
  return z.NEVER;
});

/** A legal status code, alone or at the start of a label ("C2 - Full care order"). */
const legalStatusCell = z.string().transform((raw) => {
  const v = raw.trim().toUpperCase();
  if (v === '') return null;
  return /^([A-Z]\d)(\b|[^A-Z0-9])/.exec(`${v} `)?.[1] ?? v;
});

const PLAN_BY_TEXT = new Map(
  Object.entries(ANNEX_A_PERMANENCE_OPTIONS).map(([letter, text]) => [normaliseHeader(text), letter]),
);

/** The Annex A permanence option (a–g), as a letter, "a) Return to family", or the option's words; blank → none recorded. */
const permanencePlanCell = z.string().transform((raw, ctx) => {
  const v = raw.trim();
  if (v === '') return [];
  const letter = /^([a-g])(\)|\.|:|\s|$)/i.exec(v)?.[1]?.toLowerCase() ?? PLAN_BY_TEXT.get(normaliseHeader(v));
  if (letter) return [letter];
  const options = Object.entries(ANNEX_A_PERMANENCE_OPTIONS)
    .map(([l, text]) => `${l}) ${text}`)
    .join(', ');
  ctx.addIssue({ code: 'custom', message: `"${v}" is not an Annex A permanence option: ${options}` });
  return z.NEVER;
});

const FIELD_CELLS: Record<AnnexField, z.ZodType<unknown>> = {
  childId: textCell,
  sex: sexCell,
  ethnicity: ethnicityCell,
  dateOfBirth: dateCell,
  periodStart: dateCell,
  legalStatus: legalStatusCell,
  latestReviewDate: dateCell,
  permanencePlan: permanencePlanCell,
  lastIroContact: dateCell,
  lastHealthAssessment: dateCell,
  lastDentalCheck: dateCell,
  placementsLast12Months: integerCell,
  allocatedTeam: textCell,
  allocatedWorker: textCell,
};

/** Which List 8 field each record field comes from, so a schema error points at the sheet's own column. */
const SOURCE_OF: Record<string, Record<string, AnnexField>> = {
  child: { childId: 'childId', sex: 'sex', dateOfBirth: 'dateOfBirth', ethnicity: 'ethnicity' },
  careSummary: {
    childId: 'childId',
    periodStart: 'periodStart',
    legalStatus: 'legalStatus',
    latestReviewDate: 'latestReviewDate',
    permanencePlan: 'permanencePlan',
    lastIroContact: 'lastIroContact',
    lastHealthAssessment: 'lastHealthAssessment',
    lastDentalCheck: 'lastDentalCheck',
    placementsLast12Months: 'placementsLast12Months',
    allocatedTeam: 'allocatedTeam',
    allocatedWorker: 'allocatedWorker',
  },
  reviewDetails: { childId: 'childId', reviewDate: 'latestReviewDate', permanencePlan: 'permanencePlan' },
  health: { childId: 'childId', date: 'lastHealthAssessment' },
  dental: { childId: 'childId', date: 'lastDentalCheck' },
};

/** The header row is looked for in the sheet's first rows (a title or a note may come first). */
const HEADER_SEARCH_ROWS = 20;

/** What judging a List 8 row needs of its sheet: the header text of each field it has, and its column letter. */
export interface AnnexSheet {
  headerText: ReadonlyMap<AnnexField, string>;
  letters: ReadonlyMap<AnnexField, string>;
}

/**
 * Reads a List 8 sheet: finds its header row among the first rows, then hands each non-empty row's
 * cells (by field) to `emit` with its row number. Returns the sheet's header, or why it cannot be read.
 */
export async function readAnnexSheet(
  rows: AsyncIterable<ExcelJS.Row>,
  sheetName: string,
  emit: (cells: Record<string, string>, line: number) => Promise<void>,
): Promise<{ sheet: AnnexSheet } | { refused: string }> {
  let columns: Map<number, AnnexColumn> | null = null;
  let sheet: AnnexSheet | null = null;
  let searched = 0;
  for await (const row of rows) {
    if (!columns) {
      searched += 1;
      const candidate = headerColumns(row);
      if (candidate.size > 0 && [...candidate.values()].some((c) => c.field === 'childId')) {
        columns = candidate;
        const headerText = new Map(
          [...candidate.entries()].map(([index, column]) => [column.field, cellText(row.getCell(index).value).trim()]),
        );
        const missing = ANNEX_A_COLUMNS.filter((c) => c.required && !headerText.has(c.field));
        if (missing.length > 0) {
          return {
            refused: `the List 8 sheet "${sheetName}" has no ${missing.map((c) => `"${c.header}"`).join(', ')} column (its headers, row ${row.number}: ${headersOf(row).join(', ')})`,
          };
        }
        sheet = {
          headerText,
          letters: new Map(
            [...candidate.entries()].map(([index, column]) => [
              column.field,
              row.getCell(index).address.replace(/\d+$/, ''),
            ]),
          ),
        };
      } else if (searched >= HEADER_SEARCH_ROWS) {
        return {
          refused: `the List 8 sheet "${sheetName}" has no header row with "Child Unique ID" in its first ${HEADER_SEARCH_ROWS} rows`,
        };
      }
      continue;
    }
    const cells: Record<string, string> = {};
    let blank = true;
    for (const [index, column] of columns) {
      const text = cellValue(row.getCell(index).value, column.date === true);
      if (text.trim() !== '') blank = false;
      cells[column.field] = column.field === 'childId' ? text.trim().toUpperCase() : text;
    }
    if (blank) continue; // trailing formatted-but-empty rows are not data
    await emit(cells, row.number);
  }
  return sheet ? { sheet } : { refused: `the List 8 sheet "${sheetName}" has no header row with "Child Unique ID"` };
}

/** The known columns of a header row, by column number. */
function headerColumns(row: ExcelJS.Row): Map<number, AnnexColumn> {
  const found = new Map<number, AnnexColumn>();
  const taken = new Set<AnnexField>();
  row.eachCell({ includeEmpty: false }, (cell, index) => {
    const column = matchAnnexHeader(cellText(cell.value));
    // The first column of a field wins: a later "Team" next to "Allocated Team" is not read twice.
    if (column && !taken.has(column.field)) {
      found.set(index, column);
      taken.add(column.field);
    }
  });
  return found;
}

function headersOf(row: ExcelJS.Row): string[] {
  const texts: string[] = [];
  row.eachCell({ includeEmpty: false }, (cell) => {
    texts.push(`"${cellText(cell.value).trim()}"`);
  });
  return texts;
}

/** A cell as text: rich text joined, a formula's result, a hyperlink's text. */
export function cellText(value: ExcelJS.CellValue): string {
  if (value === null || value === undefined) return '';
  if (value instanceof Date) return isoOfDate(value);
  if (typeof value === 'object') {
    if ('richText' in value) return value.richText.map((part) => part.text).join('');
    if ('result' in value) return cellText((value as ExcelJS.CellFormulaValue).result as ExcelJS.CellValue);
    if ('text' in value) return String((value as { text: unknown }).text);
    if ('error' in value) return String((value as ExcelJS.CellErrorValue).error);
    return '';
  }
  return String(value);
}

/** A cell as the cell parsers read it: dates as YYYY-MM-DD whether the sheet stored a date, a serial number or text. */
export function cellValue(value: ExcelJS.CellValue, isDate: boolean): string {
  if (isDate && typeof value === 'number') return isoOfSerial(value);
  const text = cellText(value);
  // Some exports write dates as text with a midnight time: "2024-03-31 00:00:00".
  if (isDate) return /^(\d{4}-\d{2}-\d{2})[ T]00:00(:00(\.0+)?)?Z?$/.exec(text.trim())?.[1] ?? text;
  return text;
}

/** exceljs reads an Excel date as UTC midnight of that day. */
function isoOfDate(date: Date): string {
  return Number.isNaN(date.getTime()) ? '' : date.toISOString().slice(0, 10);
}

/** An Excel 1900-system serial day number (dates after 28 February 1900) as YYYY-MM-DD. */
function isoOfSerial(serial: number): string {
  if (!Number.isFinite(serial)) return String(serial);
  return new Date(Date.UTC(1899, 11, 30) + Math.round(serial) * 86_400_000).toISOString().slice(0, 10);
}

/** One List 8 row (its cells by field) → its records, or its errors (each naming the sheet's column and the cell). */
export function annexRow(
  cells: Readonly<Record<string, string>>,
  sheet: AnnexSheet,
  where: { file: string; line: number },
): { entries: UpsertEntry[] } | { errors: RowError[] } {
  const { headerText } = sheet;
  const raw = new Map<AnnexField, { text: string; ref: string }>(
    [...headerText.keys()].map((field) => [
      field,
      { text: cells[field] ?? '', ref: `${sheet.letters.get(field) ?? ''}${where.line}` },
    ]),
  );
  const errors: RowError[] = [];
  const at = (field: AnnexField) => {
    const header = headerText.get(field) ?? ANNEX_A_COLUMNS.find((c) => c.field === field)!.header;
    const ref = raw.get(field)?.ref;
    return { header, ref };
  };
  const error = (field: AnnexField, message: string) => {
    const { header, ref } = at(field);
    errors.push({
      file: where.file,
      line: where.line,
      column: header,
      message: `${header}${ref ? ` (${ref})` : ''}: ${message}`,
    });
  };
  const values: Partial<Record<AnnexField, unknown>> = {};
  for (const [field, parser] of Object.entries(FIELD_CELLS) as [AnnexField, z.ZodType<unknown>][]) {
    if (!headerText.has(field)) continue; // not in this workbook: not held, so never written
    const parsed = parser.safeParse(raw.get(field)?.text ?? '');
    if (parsed.success) values[field] = parsed.data;
    else error(field, parsed.error.issues[0]!.message);
  }
  if (errors.length > 0) return { errors };
  const held = (field: AnnexField) => headerText.has(field);
  const get = <T>(field: AnnexField): T | null => (values[field] ?? null) as T | null;

  const check = <T>(kind: string, schema: z.ZodType<T>, candidate: unknown): T | null => {
    const parsed = schema.safeParse(candidate);
    if (parsed.success) return parsed.data;
    for (const issue of parsed.error.issues) {
      const field = SOURCE_OF[kind]?.[String(issue.path[0] ?? '')] ?? 'childId';
      const value = raw.get(field)?.text.trim() ?? '';
      const blank = value === '';
      error(
        field,
        blank && issue.code === 'invalid_type'
          ? 'is required'
          : issue.code === 'invalid_value' || issue.code === 'invalid_type'
            ? `"${value}" is not allowed: ${issue.message}`
            : issue.message,
      );
    }
    return null;
  };

  const childId = get<string>('childId');
  const child = check('child', Child, {
    childId,
    sex: get('sex'),
    dateOfBirth: get('dateOfBirth'),
    ethnicity: get('ethnicity'),
    upn: null,
    motherChildDateOfBirth: null,
  });
  const summary = check('careSummary', CareSummary, {
    childId,
    periodStart: get('periodStart'),
    legalStatus: get('legalStatus'),
    latestReviewDate: get('latestReviewDate'),
    permanencePlan: held('permanencePlan') ? get('permanencePlan') : null,
    lastIroContact: get('lastIroContact'),
    lastHealthAssessment: get('lastHealthAssessment'),
    lastDentalCheck: get('lastDentalCheck'),
    placementsLast12Months: get('placementsLast12Months'),
    allocatedTeam: get('allocatedTeam'),
    allocatedWorker: get('allocatedWorker'),
  });
  const reviewDate = get<string>('latestReviewDate');
  const review =
    reviewDate === null
      ? null
      : check('reviewDetails', ReviewDetails, {
          childId,
          reviewDate,
          iroId: null,
          permanencePlan: held('permanencePlan') ? get('permanencePlan') : null,
          carePlanUpToDate: null,
          childSeenBeforeReview: null,
          decisionsIssued: null,
          recordIssued: null,
          stoodDown: null,
        });
  const healthEvent = (kind: 'health' | 'dental', type: 'HA' | 'DENTAL', date: string | null) =>
    date === null
      ? null
      : check(kind, HealthEvent, {
          childId,
          type,
          date,
          status: 'Completed',
          childPresent: null,
          viewsRecorded: null,
          sdqScore: null,
          sdqReason: null,
          immunisationsUpToDate: null,
        });
  const assessment = healthEvent('health', 'HA', get('lastHealthAssessment'));
  const dental = healthEvent('dental', 'DENTAL', get('lastDentalCheck'));
  if (errors.length > 0 || !child || !summary) return { errors };

  // What the sheet does not hold keeps what a fuller source (SSDA903, the SSD extract) stored; so
  // does what it leaves blank: a blank cell is "not known here", never a reason to erase.
  const known = (field: AnnexField, value: unknown) =>
    held(field) && value !== null && !(Array.isArray(value) && value.length === 0);
  const entries: UpsertEntry[] = [
    {
      kind: 'child',
      record: child,
      heldFields: [
        'childId',
        'dateOfBirth',
        ...(known('sex', child.sex) ? ['sex'] : []),
        ...(known('ethnicity', child.ethnicity) ? ['ethnicity'] : []),
      ],
    },
    { kind: 'careSummary', record: summary },
  ];
  if (review) {
    entries.push({
      kind: 'reviewDetails',
      record: review,
      heldFields: [
        'childId',
        'reviewDate',
        ...(known('permanencePlan', review.permanencePlan) ? ['permanencePlan'] : []),
      ],
    });
  }
  for (const event of [assessment, dental]) {
    if (event)
      entries.push({
        kind: 'healthEvent',
        record: event,
        heldFields: ['childId', 'type', 'date', 'status'],
      } satisfies DomainRecord & { heldFields: string[] });
  }
  return { entries };
}
