/** Judges one audit unit on a template's automatic criteria: an outcome per criterion, with its evidence; and each criterion's rule in words. */
import type { TimescaleSet } from '#domain/timescales';
import { describeCondition, evaluate } from './conditions.ts';
import type { Evidence, Outcome } from './findings-model.ts';
import type { AuditUnit } from './population.ts';
import type { AuditTemplate, AutomaticCriterion } from './template.ts';

export interface CriterionOutcome {
  outcome: Outcome;
  evidence: Evidence;
}

/**
 * A criterion's rule in plain words: the template's words, then the condition as evaluated (and
 * when it applies). The same for every unit, so findings state it once per criterion
 * (`criteria[].rule`), not with each outcome. Named timescales read in the words of `timescales`
 * (the criterion's own words should already be rendered from the same set: see renderTemplate).
 */
export function criterionRule(criterion: AutomaticCriterion, timescales?: TimescaleSet): string {
  return `${criterion.rule} (${describeCondition(criterion.condition, timescales)}${criterion.appliesWhen ? `; applies when ${describeCondition(criterion.appliesWhen, timescales)}` : ''})`;
}

/**
 * Met / not met / not applicable / cannot tell for one criterion. Applicability is decided first:
 * a rule that does not apply is not applicable even when its facts are missing; a rule that might
 * apply but cannot be checked is "cannot tell", never a guess either way. `timescales` is the
 * audit's set, which rules naming a timescale (withinTimescale, addTimescale) are judged by.
 */
export function judgeCriterion(
  criterion: AutomaticCriterion,
  unit: AuditUnit,
  timescales?: TimescaleSet,
): CriterionOutcome {
  const context = { timescales };
  const applies = criterion.appliesWhen ? evaluate(criterion.appliesWhen, unit.facts, context) : undefined;
  if (applies && applies.truth === false) {
    return { outcome: 'not-applicable', evidence: { values: applies.values, missing: [] } };
  }
  const result = evaluate(criterion.condition, unit.facts, context);
  const values = [
    ...(applies?.values ?? []),
    ...result.values.filter((v) => !applies?.values.some((a) => a.name === v.name)),
  ];
  if (applies && applies.truth === 'unknown') {
    return {
      outcome: 'cannot-tell',
      evidence: { values, missing: [...new Set([...applies.missing, ...result.missing])] },
    };
  }
  const outcome: Outcome = result.truth === 'unknown' ? 'cannot-tell' : result.truth ? 'met' : 'not-met';
  return { outcome, evidence: { values, missing: result.missing } };
}

/** Every automatic criterion of the template, judged for one unit under the audit's timescale set. */
export function judgeUnit(
  template: AuditTemplate,
  unit: AuditUnit,
  timescales?: TimescaleSet,
): Record<string, CriterionOutcome> {
  const outcomes: Record<string, CriterionOutcome> = {};
  for (const criterion of template.criteria) {
    if (criterion.kind === 'automatic') outcomes[criterion.id] = judgeCriterion(criterion, unit, timescales);
  }
  return outcomes;
}
