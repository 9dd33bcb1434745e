/** (family of DfE rules: filled in by its author) */
import type { RuleNotApplied, Ssda903Rule } from '../rule.ts';

export const EPISODE_RULES: readonly Ssda903Rule[] = [];

export const EPISODE_RULES_NOT_APPLIED: readonly RuleNotApplied[] = [];
