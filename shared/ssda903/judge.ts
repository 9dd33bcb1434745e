/**
 * Runs the year's DfE rules over one child's part of the return and words what they find: each
 * finding names its rule code and the rule's meaning in plain words, the row and the column. Pure.
 */
import { ruleYearFor, type RuleYear } from '#domain/collection-year';
import { RULES_BY_CODE, SSDA903_RULES } from './catalogue.ts';
import type { ChildReturn, ReturnContext, ReturnRow } from './return.ts';
import { appliesIn, meaningIn, type Severity, type Ssda903Rule } from './rule.ts';

/** One row at fault under one rule. */
export interface RuleFinding {
  /** The DfE rule code. */
  code: string;
  severity: Severity;
  row: ReturnRow;
  /** The column at fault, as the CSV names it; null when the rule concerns the row as a whole. */
  column: string | null;
  /** `101 – the child's sex is not one of M, F or U: SEX is "1"`. */
  message: string;
  /** Every field the rule concerns. */
  fields: readonly string[];
}

const cache = new Map<RuleYear, readonly Ssda903Rule[]>();

/** The rules in force for a return of `year` (the nearest known year's for a year outside them). */
export function rulesFor(year: string): readonly Ssda903Rule[] {
  const ruleYear = ruleYearFor(year);
  let rules = cache.get(ruleYear);
  if (!rules) {
    rules = SSDA903_RULES.filter((rule) => appliesIn(rule, ruleYear));
    cache.set(ruleYear, rules);
  }
  return rules;
}

/** The rule of `code` in force in `year`, if any. */
export function ruleFor(code: string, year: string): Ssda903Rule | undefined {
  const ruleYear = ruleYearFor(year);
  return RULES_BY_CODE.get(code)?.find((rule) => appliesIn(rule, ruleYear));
}

/** Whether the import holds every table the rule reads. */
export const canCheck = (rule: Ssda903Rule, context: ReturnContext): boolean =>
  rule.tables.every((table) => context.tables.has(table));

/** The message of a finding: the rule's code and meaning, then what was found. */
export function findingMessage(rule: Ssda903Rule, year: string, detail?: string): string {
  return `${rule.code} – ${meaningIn(rule, year)}${detail ? `: ${detail}` : ''}`;
}

/** Every finding of the given rules (by default the year's) over one child. */
export function judgeChild(
  child: ChildReturn,
  context: ReturnContext,
  rules: readonly Ssda903Rule[] = rulesFor(context.year),
): RuleFinding[] {
  const findings: RuleFinding[] = [];
  for (const rule of rules) {
    if (!canCheck(rule, context)) continue;
    for (const flag of rule.check(child, context)) {
      const column = flag.column ?? rule.fields.find((field) => field in flag.row.cells) ?? null;
      findings.push({
        code: rule.code,
        severity: rule.severity,
        row: flag.row,
        column,
        message: findingMessage(rule, context.year, flag.detail),
        fields: rule.fields,
      });
    }
  }
  return findings;
}
