/**
 * DfE SSDA903 and Ofsted Annex A code lists the domain uses, with their meanings.
 * Sources: DfE "Children looked after return" guide and Ofsted Annex A (see docs/domain.md).
 */
import { z } from 'zod';

/** Participation in review (SSDA903 REVIEW_CODE). */
export const PARTICIPATION_CODES = {
  PN0: 'Child aged under 4 at the time of the review',
  PN1: 'Child physically attends and speaks for themselves',
  PN2: 'Child physically attends; an advocate or the IRO speaks on their behalf',
  PN3: 'Child attends and conveys their views non-verbally',
  PN4: 'Child physically attends but does not contribute',
  PN5: 'Child does not attend but briefs an advocate to speak for them',
  PN6: 'Child does not attend but conveys their views by another method (text, form, phone, app)',
  PN7: 'Child does not attend and conveys no views',
} as const;
export const ParticipationCode = z.enum(Object.keys(PARTICIPATION_CODES) as [keyof typeof PARTICIPATION_CODES, ...(keyof typeof PARTICIPATION_CODES)[]]);
export type ParticipationCode = z.infer<typeof ParticipationCode>;

/** Legal status (SSDA903 LS). V3/V4 are short breaks: no statutory reviews. */
export const LEGAL_STATUSES = {
  C1: 'Interim care order',
  C2: 'Full care order',
  D1: 'Freeing order granted',
  E1: 'Placement order granted',
  J1: 'Remanded to local authority accommodation or youth detention accommodation',
  J2: 'Placed in local authority accommodation under PACE',
  J3: 'Sentenced to a youth rehabilitation order with residence or intensive fostering',
  L1: 'Under police protection and in local authority accommodation',
  L2: 'Emergency protection order',
  L3: 'Under child assessment order and in local authority accommodation',
  V2: 'Single period of accommodation under section 20',
  V3: 'Accommodated under an agreed series of short-term breaks (single placements)',
  V4: 'Accommodated under an agreed series of short-term breaks (multiple placements)',
} as const;
export const LegalStatus = z.enum(Object.keys(LEGAL_STATUSES) as [keyof typeof LEGAL_STATUSES, ...(keyof typeof LEGAL_STATUSES)[]]);
export type LegalStatus = z.infer<typeof LegalStatus>;
/** Short-break legal statuses: such periods have no reg 33 reviews. */
export const SHORT_BREAK_STATUSES: ReadonlySet<LegalStatus> = new Set(['V3', 'V4']);

/** Reason for new episode (SSDA903 RNE). */
export const NEW_EPISODE_REASONS = {
  S: 'Started to be looked after',
  L: 'Change of legal status only',
  P: 'Change of placement only',
  T: 'Change of legal status and placement',
  B: 'Change of legal status and placement at the same time (historic)',
  U: 'Change of legal status and placement at the same time',
} as const;
export const NewEpisodeReason = z.enum(Object.keys(NEW_EPISODE_REASONS) as [keyof typeof NEW_EPISODE_REASONS, ...(keyof typeof NEW_EPISODE_REASONS)[]]);
export type NewEpisodeReason = z.infer<typeof NewEpisodeReason>;

/**
 * Reason episode ceased (SSDA903 REC). Only X1 keeps the child looked after (a new episode follows);
 * every other code ends the period of care.
 */
export const EpisodeEndReason = z
  .string()
  .regex(/^(X1|E11|E12|E13|E14|E15|E16|E17|E2|E3|E4A|E4B|E41|E45|E46|E47|E48|E5|E6|E7|E8|E9)$/, 'must be an SSDA903 REC code such as X1, E11, E4A or E8');
export type EpisodeEndReason = z.infer<typeof EpisodeEndReason>;
export const CONTINUES_PERIOD_OF_CARE = 'X1';

/** Category of need (SSDA903 CIN). */
export const CategoryOfNeed = z.enum(['N1', 'N2', 'N3', 'N4', 'N5', 'N6', 'N7', 'N8']);
export type CategoryOfNeed = z.infer<typeof CategoryOfNeed>;

/** Permanence plan options: Ofsted Annex A letters and the finer SSD keys (several may be set: parallel planning). */
export const ANNEX_A_PERMANENCE_OPTIONS = {
  a: 'Return to family',
  b: 'Adoption',
  c: 'Special guardianship order or child arrangements order',
  d: 'Supported living in the community',
  e: 'Long-term residential placement',
  f: 'Long-term fostering',
  g: 'Other',
} as const;
export const SSD_PERMANENCE_KEYS = {
  REMAINSUP: 'Remain with parents or family with support',
  RETURN1M: 'Return to family within 1 month',
  RETURN6M: 'Return to family within 6 months',
  RETURNEV: 'Eventual return to family',
  LTRELFR: 'Long-term care with relative or friend',
  LTFOST18: 'Long-term fostering to age 18',
  RESPLMT: 'Residential placement',
  SUPPLIV: 'Supported living',
  ADOPTION: 'Adoption',
  OTHERPLN: 'Other plan',
} as const;
export const PermanencePlanCode = z.enum([
  ...(Object.keys(ANNEX_A_PERMANENCE_OPTIONS) as (keyof typeof ANNEX_A_PERMANENCE_OPTIONS)[]),
  ...(Object.keys(SSD_PERMANENCE_KEYS) as (keyof typeof SSD_PERMANENCE_KEYS)[]),
] as [string, ...string[]]);
export type PermanencePlanCode = keyof typeof ANNEX_A_PERMANENCE_OPTIONS | keyof typeof SSD_PERMANENCE_KEYS;

/** Professional roles in an involvement (SSD extract ROLE). */
export const PROFESSIONAL_ROLES = {
  SW: 'Social worker',
  TM: 'Team manager',
  IRO: 'Independent reviewing officer',
  PA: 'Personal adviser (leaving care)',
} as const;
export const ProfessionalRole = z.enum(['SW', 'TM', 'IRO', 'PA']);
export type ProfessionalRole = z.infer<typeof ProfessionalRole>;

/** Health events recorded for a child looked after. */
export const HEALTH_EVENT_TYPES = {
  IHA: 'Initial health assessment',
  RHA: 'Review health assessment',
  DENTAL: 'Dental check',
  DEVELOPMENT: 'Development check (under 5)',
  SDQ: 'Strengths and Difficulties Questionnaire',
} as const;
export const HealthEventType = z.enum(['IHA', 'RHA', 'DENTAL', 'DEVELOPMENT', 'SDQ']);
export type HealthEventType = z.infer<typeof HealthEventType>;
export const HealthEventStatus = z.enum(['Completed', 'Planned', 'Refused', 'Cancelled']);
export type HealthEventStatus = z.infer<typeof HealthEventStatus>;

/** Why no SDQ score was returned (SSDA903 SDQ_REASON). */
export const SDQ_REASONS = {
  SDQ1: 'No form returned as child was aged under 4 or over 17 at date of latest assessment',
  SDQ2: 'Carer(s) refused to complete and return questionnaire',
  SDQ3: 'Not possible to complete the questionnaire due to severity of the child’s disability',
  SDQ4: 'Other',
  SDQ5: 'Child or young person refuses to allow an SDQ to be completed',
} as const;
export const SdqReason = z.enum(['SDQ1', 'SDQ2', 'SDQ3', 'SDQ4', 'SDQ5']);
export type SdqReason = z.infer<typeof SdqReason>;

/** SSDA903 SEX: 1 male, 2 female. */
export const Sex = z.enum(['1', '2']);
export type Sex = z.infer<typeof Sex>;
