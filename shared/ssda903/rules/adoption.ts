/** (family of DfE rules: filled in by its author) */
import type { RuleNotApplied, Ssda903Rule } from '../rule.ts';

export const ADOPTION_RULES: readonly Ssda903Rule[] = [];

export const ADOPTION_RULES_NOT_APPLIED: readonly RuleNotApplied[] = [];
