/** (family of DfE rules: filled in by its author) */
import type { RuleNotApplied, Ssda903Rule } from '../rule.ts';

export const MISSING_AND_SOCIAL_WORKER_RULES: readonly Ssda903Rule[] = [];

export const MISSING_AND_SOCIAL_WORKER_RULES_NOT_APPLIED: readonly RuleNotApplied[] = [];
