/**
 * Every DfE SSDA903 rule the importer checks, and every one it does not with the reason: the one
 * list the importer, the documentation (docs/ssda903-rules.md) and the per-year test suites read.
 */
import type { RuleNotApplied, Ssda903Rule } from './rule.ts';
import { ADOPTION_RULES, ADOPTION_RULES_NOT_APPLIED } from './rules/adoption.ts';
import { EPISODE_SEQUENCE_RULES, EPISODE_SEQUENCE_RULES_NOT_APPLIED } from './rules/episode-sequence.ts';
import { EPISODE_RULES, EPISODE_RULES_NOT_APPLIED } from './rules/episodes.ts';
import { HEADER_RULES, HEADER_RULES_NOT_APPLIED } from './rules/header.ts';
import {
  HEALTH_AND_LEAVING_CARE_RULES,
  HEALTH_AND_LEAVING_CARE_RULES_NOT_APPLIED,
} from './rules/health-and-leaving-care.ts';
import {
  MISSING_AND_SOCIAL_WORKER_RULES,
  MISSING_AND_SOCIAL_WORKER_RULES_NOT_APPLIED,
} from './rules/missing-and-social-workers.ts';

export const SSDA903_RULES: readonly Ssda903Rule[] = [
  ...HEADER_RULES,
  ...EPISODE_RULES,
  ...EPISODE_SEQUENCE_RULES,
  ...HEALTH_AND_LEAVING_CARE_RULES,
  ...ADOPTION_RULES,
  ...MISSING_AND_SOCIAL_WORKER_RULES,
];

export const RULES_NOT_APPLIED: readonly RuleNotApplied[] = [
  ...HEADER_RULES_NOT_APPLIED,
  ...EPISODE_RULES_NOT_APPLIED,
  ...EPISODE_SEQUENCE_RULES_NOT_APPLIED,
  ...HEALTH_AND_LEAVING_CARE_RULES_NOT_APPLIED,
  ...ADOPTION_RULES_NOT_APPLIED,
  ...MISSING_AND_SOCIAL_WORKER_RULES_NOT_APPLIED,
];

/** Every definition of each code (a code the DfE revised has one per span of years). */
export const RULES_BY_CODE: ReadonlyMap<string, readonly Ssda903Rule[]> = (() => {
  const byCode = new Map<string, Ssda903Rule[]>();
  for (const rule of SSDA903_RULES) byCode.set(rule.code, [...(byCode.get(rule.code) ?? []), rule]);
  return byCode;
})();
