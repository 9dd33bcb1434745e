/** (family of DfE rules: filled in by its author) */
import type { RuleNotApplied, Ssda903Rule } from '../rule.ts';

export const HEALTH_AND_LEAVING_CARE_RULES: readonly Ssda903Rule[] = [];

export const HEALTH_AND_LEAVING_CARE_RULES_NOT_APPLIED: readonly RuleNotApplied[] = [];
