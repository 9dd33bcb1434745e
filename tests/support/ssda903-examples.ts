/**
 * Runs each DfE rule against its own examples, for one collection year: the valid child must raise
 * no finding of the rule, the invalid child must raise one on exactly the rows the example names.
 * Example dates are written for 2025-26 and moved by whole years to the suite's year.
 */
import { describe, expect, it } from 'vitest';
import { startYearOf, type RuleYear } from '#domain/collection-year';
import { rulesFor } from '#ssda903/judge';
import { childReturn, returnContext, SSDA903_TABLES, type ReturnRow, type Ssda903Table } from '#ssda903/return';
import {
  appliesIn,
  meaningIn,
  type ExampleChild,
  type ExampleRows,
  type RuleExample,
  type Ssda903Rule,
} from '#ssda903/rule';

export const EXAMPLE_CHILD = 'C1';
const EXAMPLES_WRITTEN_FOR = 2025;

/** Moves every date in a cell (dd/mm/YYYY or YYYY-MM-DD) by whole years. */
export function shiftDates(value: string, years: number): string {
  if (years === 0) return value;
  return value
    .replace(
      /\b(\d{1,2})\/(\d{1,2})\/(\d{4})\b/g,
      (_m, d: string, m: string, y: string) => `${d}/${m}/${Number(y) + years}`,
    )
    .replace(/\b(\d{4})-(\d{2})-(\d{2})\b/g, (_m, y: string, m: string, d: string) => `${Number(y) + years}-${m}-${d}`);
}

function rowsOf(tables: ExampleRows, shift: number, file: string): Partial<Record<Ssda903Table, ReturnRow[]>> {
  const out: Partial<Record<Ssda903Table, ReturnRow[]>> = {};
  for (const table of SSDA903_TABLES) {
    const rows = tables[table];
    if (!rows) continue;
    out[table] = rows.map((cells, index) => ({
      table,
      cells: Object.fromEntries(
        Object.entries({ CHILD: EXAMPLE_CHILD, ...cells }).map(([k, v]) => [k, shiftDates(v, shift)]),
      ),
      at: { file: `${file}/${table}`, line: index + 2, element: null },
    }));
  }
  return out;
}

/** The example child as the rule sees it, with a context holding every table the rule reads. */
export function exampleReturn(rule: Ssda903Rule, example: RuleExample, child: ExampleChild, year: RuleYear) {
  const shift = example.fixedDates ? 0 : startYearOf(year) - EXAMPLES_WRITTEN_FOR;
  const { previous, ...current } = child;
  const rows = rowsOf(current, shift, 'this year');
  const tables = new Set<Ssda903Table>([...rule.tables, ...(Object.keys(rows) as Ssda903Table[])]);
  return {
    child: childReturn(EXAMPLE_CHILD, rows, previous ? rowsOf(previous, shift, 'last year') : null),
    context: returnContext(year, tables, example.source ?? 'csv'),
    rows,
  };
}

/** The rows a rule flags in a child, as [table, index]. */
function flagged(rule: Ssda903Rule, built: ReturnType<typeof exampleReturn>): [Ssda903Table, number][] {
  const flags = [...rule.check(built.child, built.context)];
  return flags.map((flag) => [flag.row.table, built.rows[flag.row.table]!.indexOf(flag.row)] as [Ssda903Table, number]);
}

/** One `it` per rule and example of `year`: the suite a year's test file runs. */
export function ruleSuite(year: RuleYear): void {
  const rules = rulesFor(year);
  describe(`the DfE's SSDA903 rules of ${year}`, () => {
    it('has rules to check', () => expect(rules.length).toBeGreaterThan(0));
    for (const rule of rules) {
      const examples = rule.examples.filter((example) => appliesIn(example, year));
      it(`${rule.code} has an example for ${year}`, () => expect(examples.length).toBeGreaterThan(0));
      examples.forEach((example, n) => {
        it(`${rule.code} – ${meaningIn(rule, year)}${example.note ? ` (${example.note})` : ''}${examples.length > 1 ? ` [${n + 1}]` : ''}`, () => {
          expect(
            flagged(rule, exampleReturn(rule, example, example.valid, year)),
            'the valid child is flagged',
          ).toEqual([]);
          const found = flagged(rule, exampleReturn(rule, example, example.invalid, year));
          if (example.flags) expect(found.sort()).toEqual([...example.flags].map(([t, i]) => [t, i]).sort());
          else expect(found.length, 'the invalid child is not flagged').toBeGreaterThan(0);
        });
      });
    }
  });
}
