/**
 * A DfE SSDA903 validation rule as data beside its logic (the prowler habit): its code, what
 * breaking it means in plain words, the tables and fields it reads, the collection years it
 * applies in, how much it matters here (reject the row or keep it with a warning) and why, its
 * check, and examples of a child that keeps it and one that breaks it. The examples are the rule's
 * tests: each year's suite runs every rule of that year against them.
 */
import { yearWithin, type CollectionYear, type RuleYear } from '#domain/collection-year';
import { isCode, listCodes, type CodedField } from './code-sets.ts';
import { cell, dateOf, type ChildReturn, type ReturnContext, type ReturnRow, type Ssda903Table } from './return.ts';

/** What breaking a rule does to the row: not imported, or imported with a warning. */
export type Severity = 'reject' | 'warn';

/** One row a rule found at fault. */
export interface Flag {
  row: ReturnRow;
  /** The column at fault; by default the rule's first field that the row's table has. */
  column?: string;
  /** What was found, in plain words, e.g. `SEX is "1"`. Appended to the rule's meaning. */
  detail?: string;
}

/** Cells of example rows: column → value; CHILD defaults to the example child's id. */
export type ExampleRows = Partial<Record<Ssda903Table, readonly Readonly<Record<string, string>>[]>>;
export type ExampleChild = ExampleRows & { previous?: ExampleRows };

/**
 * A child that keeps the rule and one that breaks it. Dates are written for the 2025-26 return and
 * moved by whole years for another year's suite (ages and gaps stay the same), unless `fixedDates`
 * (a rule about an absolute date, such as 14 October 1991).
 */
export interface RuleExample {
  /** The years this example is for, when narrower than the rule's. */
  from?: RuleYear;
  until?: RuleYear;
  /** A note on what the example shows, e.g. the boundary it sits on. */
  note?: string;
  valid: ExampleChild;
  invalid: ExampleChild;
  /** The rows of the invalid child that must be flagged, as [table, index]; by default at least one. */
  flags?: readonly (readonly [Ssda903Table, number])[];
  fixedDates?: boolean;
  /** The return's source for this example (a few rules differ between CSV and XML). */
  source?: 'csv' | 'xml';
}

export interface Ssda903Rule {
  /** The DfE's rule code, e.g. `101`, `503A`, `SW08STG2`. */
  code: string;
  /**
   * What breaking it means, in plain words, e.g. "the child's sex is not one of M, F, U"; a function
   * of the return's own collection year where it names the year's codes or dates.
   */
  meaning: string | ((year: CollectionYear) => string);
  /** The tables the check reads; it runs only when the import holds every one of them. */
  tables: readonly Ssda903Table[];
  /** The fields it concerns (the first one present in a flagged row's table is the column reported). */
  fields: readonly string[];
  /** The collection years it applies in (inclusive); open-ended when absent. */
  from?: RuleYear;
  until?: RuleYear;
  severity: Severity;
  /** Why that severity: what would go wrong in the audits with the row, or why keeping it is safe. */
  reason: string;
  /** Reads last year's return (the store's earlier records of the child). */
  previous?: boolean;
  check(child: ChildReturn, context: ReturnContext): Iterable<Flag>;
  examples: readonly RuleExample[];
}

/**
 * A DfE rule the importer does not check, and why: most read fields the product never imports
 * (the postcode-derived PL_DISTANCE, PL_LA and PL_LOCATION, or Ofsted's provider list).
 */
export interface RuleNotApplied {
  code: string;
  meaning: string;
  tables: readonly string[];
  fields: readonly string[];
  from?: RuleYear;
  until?: RuleYear;
  reason: string;
}

/** Whether a rule (or one of its examples) applies in `year`. */
export const appliesIn = (
  rule: { from?: RuleYear | undefined; until?: RuleYear | undefined },
  year: RuleYear,
): boolean => yearWithin(year, rule);

/** The rule's meaning in `year`'s words. */
export const meaningIn = (rule: Pick<Ssda903Rule, 'meaning'>, year: CollectionYear): string =>
  typeof rule.meaning === 'function' ? rule.meaning(year) : rule.meaning;

/**
 * A rule that judges each row of one table on its own.
 * @example rowRule({ code: '102', table: 'Header', fields: ['DOB'], ..., breaks: (row) => invalidDate(row, 'DOB') })
 */
export function rowRule(
  spec: Omit<Ssda903Rule, 'check' | 'tables'> & {
    table: Ssda903Table;
    /** Other tables the test reads (through `child`). */
    alsoReads?: readonly Ssda903Table[];
    /** True (or a detail string) when the row breaks the rule. */
    breaks: (row: ReturnRow, child: ChildReturn, context: ReturnContext) => boolean | string;
  },
): Ssda903Rule {
  const { table, alsoReads = [], breaks, ...rest } = spec;
  return {
    ...rest,
    tables: [table, ...alsoReads],
    *check(child, context) {
      for (const row of child.rows(table)) {
        const outcome = breaks(row, child, context);
        if (outcome === false) continue;
        yield typeof outcome === 'string' ? { row, detail: outcome } : { row };
      }
    },
  };
}

/**
 * A rule that a coded cell holds one of its year's codes.
 * @example codeRule({ code: '144', table: 'Episodes', column: 'LS', what: 'legal status', blank: 'allowed', ... })
 */
export function codeRule(
  spec: Omit<Ssda903Rule, 'check' | 'tables' | 'fields' | 'meaning'> & {
    table: Ssda903Table;
    column: string;
    field?: CodedField;
    /** What the cell holds, in plain words: "the child's sex". */
    what: string;
    /** Whether a blank cell is acceptable ('allowed') or breaks the rule ('breaks'). */
    blank: 'allowed' | 'breaks';
    /** Other fields the rule concerns besides the column. */
    fields?: readonly string[];
  },
): Ssda903Rule {
  const { table, column, field = column as CodedField, what, blank, fields = [], ...rest } = spec;
  return rowRule({
    ...rest,
    table,
    fields: [column, ...fields],
    meaning: (year) =>
      `${what} is ${blank === 'breaks' ? 'blank or ' : ''}not one of the ${year} return's codes (${listCodes(field, year)})`,
    breaks: (row, _child, context) => {
      const value = cell(row, column);
      if (value === '') return blank === 'breaks' ? `${column} is blank` : false;
      return isCode(field, context.year, value) ? false : `${column} is "${value}"`;
    },
  });
}

/** A rule that a filled date cell is a real date written dd/mm/YYYY (blank: allowed, or breaking the rule). */
export function dateRule(
  spec: Omit<Ssda903Rule, 'check' | 'tables' | 'fields' | 'meaning'> & {
    table: Ssda903Table;
    column: string;
    what: string;
    blank: 'allowed' | 'breaks';
  },
): Ssda903Rule {
  const { table, column, what, blank, ...rest } = spec;
  return rowRule({
    ...rest,
    table,
    fields: [column],
    meaning: `${what} is ${blank === 'breaks' ? 'blank or ' : ''}not a real date written dd/mm/YYYY`,
    breaks: (row) => {
      const value = cell(row, column);
      if (value === '') return blank === 'breaks' ? `${column} is blank` : false;
      return dateOf(row, column) === null ? `${column} is "${value}"` : false;
    },
  });
}
