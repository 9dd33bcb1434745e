/**
 * findings.json: the published findings of one audit, schema version 2. Every renderer (CSV, XLSX,
 * HTML) reads this one model. Fields are documented here; additions are backward compatible,
 * anything else bumps `schemaVersion`.
 *
 * Version 2 (from 1): each automatic criterion's rule in plain words is stated once, as
 * `criteria[].rule`, instead of in every record's evidence (`records[].outcomes[id].evidence` keeps
 * the values used and the facts missing, and no longer has `rule`). The rule is the criterion's, the
 * same for every record, and repeating it was about half of a national audit's findings.json.
 * The file is written with each record and each alert as compact JSON on a line of its own (the rest
 * of the document indented by two spaces): the same document, a third of the bytes.
 */
import { z } from 'zod';
import { Agreement } from './moderation.ts';

export const FINDINGS_SCHEMA_VERSION = 2;

export const Outcome = z.enum(['met', 'not-met', 'not-applicable', 'cannot-tell']);
export type Outcome = z.infer<typeof Outcome>;

const Interval = z.object({ lower: z.number(), upper: z.number() }).describe('95% Wilson score interval for the compliance');

export const CriterionFinding = z.object({
  id: z.string(),
  title: z.string(),
  kind: z.enum(['automatic', 'manual']),
  /** Automatic criteria: the rule in plain words (the template's words, then the condition as evaluated), which every record's evidence on this criterion answers. */
  rule: z.string().optional(),
  /** Units judged on this criterion (the sample). */
  n: z.number().int(),
  met: z.number().int(),
  notMet: z.number().int(),
  notApplicable: z.number().int(),
  cannotTell: z.number().int(),
  /** met / (met + notMet); for manual criteria, the share graded at or above the threshold grade. Null when nothing was judged. */
  compliance: z.number().nullable(),
  ci95: Interval.nullable(),
  /** The template's threshold as a share (0–1). */
  threshold: z.number(),
  /** Manual criteria: the grade a unit must reach to count as met (e.g. "Good"). */
  thresholdGrade: z.string().optional(),
  belowThreshold: z.boolean(),
  /** Manual criteria: how many units got each grade, in scale order. */
  grades: z.record(z.string(), z.number().int()).optional(),
  /** Change since the previous published audit of the same template, when there is one; `delta` is current − previous, as a share (0.05 = 5 points). */
  change: z.object({ previousAuditId: z.string(), previousCompliance: z.number().nullable(), delta: z.number().nullable() }).optional(),
});
export type CriterionFinding = z.infer<typeof CriterionFinding>;

export const BreakdownRow = z.object({
  /** The service, team or IRO; "(not recorded)" when the records do not say. */
  key: z.string(),
  criterionId: z.string(),
  met: z.number().int(),
  notMet: z.number().int(),
  compliance: z.number().nullable(),
});
export type BreakdownRow = z.infer<typeof BreakdownRow>;

/** What one record showed on one automatic criterion; the rule it was judged by is the criterion's (`CriterionFinding.rule`). */
export const Evidence = z.object({
  /** Every fact and derived value the rule read, in the order read. */
  values: z.array(z.object({ name: z.string(), value: z.union([z.string(), z.number(), z.boolean(), z.null(), z.array(z.string())]) })),
  /** The facts that were not recorded, when they left the outcome "cannot tell". */
  missing: z.array(z.string()),
});
export type Evidence = z.infer<typeof Evidence>;

export const RecordFinding = z.object({
  recordId: z.string(),
  /** Keyed hashes of the child ids: the same child has the same pseudonym in every audit of the authority. */
  children: z.array(z.string()),
  date: z.string(),
  service: z.string().nullable(),
  team: z.string().nullable(),
  iroId: z.string().nullable(),
  outcomes: z.record(z.string(), z.object({ outcome: Outcome, evidence: Evidence.optional() })),
  grades: z.record(z.string(), z.string()),
  overall: z.string().nullable(),
  comment: z.string().nullable(),
});
export type RecordFinding = z.infer<typeof RecordFinding>;

export const Alert = z.object({
  criterionId: z.string(),
  title: z.string(),
  theme: z.string(),
  recordId: z.string(),
  children: z.array(z.string()),
  service: z.string().nullable(),
  /** The team that should act. */
  team: z.string(),
});
export type Alert = z.infer<typeof Alert>;

export const AlertSummary = z.object({
  criterionId: z.string(),
  theme: z.string(),
  title: z.string(),
  total: z.number().int(),
  byService: z.array(z.object({ service: z.string(), count: z.number().int() })),
  /** In the annual reports' words, e.g. "No permanence plan by 2nd review: 7 (CiN/CP North 4, CiN/CP South 3)". */
  summary: z.string(),
});
export type AlertSummary = z.infer<typeof AlertSummary>;

export const ActionPlanRow = z.object({
  id: z.string(),
  action: z.string(),
  owner: z.object({ role: z.string(), team: z.string() }),
  dueDate: z.string(),
  expectedOutcome: z.string(),
  successMeasure: z.string(),
  linkedCriteria: z.array(z.string()),
  source: z.enum(['template', 'qa-lead']),
});
export type ActionPlanRow = z.infer<typeof ActionPlanRow>;

export const ParticipationTable = z.record(z.string(), z.number().int()).describe('PN0…PN7 and "not recorded": number of reviews');
/**
 * The two headline participation percentages the IRO annual reports use, from the table above.
 * `with-pn0`: reviews coded PN0–PN6 of all reviews coded PN0–PN7, children under 4 counted as
 * participating (the old national indicator C63; Southwark 2015-16: 1,190 of 1,235, 96.4%).
 * `without-pn0`: reviews coded PN1–PN6 of those coded PN1–PN7, the children aged 4 and over only
 * (Southwark 2015-16: 1,031 of 1,076, 95.8%). Reviews with no code are in neither. From schema 3.
 */
export const ParticipationMeasure = z.object({
  id: z.enum(['with-pn0', 'without-pn0']),
  /** The measure in words, naming which codes count and which are the denominator. */
  name: z.string(),
  participated: z.number().int(),
  reviews: z.number().int(),
  /** participated / reviews; null when there are no reviews. */
  share: z.number().nullable(),
});
export type ParticipationMeasure = z.infer<typeof ParticipationMeasure>;
/** One month of reviews: held, held in timescale, and the share in timescale (0–1; null when none were held). */
export const TimelinessRow = z.object({ month: z.string(), held: z.number().int(), inTime: z.number().int(), share: z.number().nullable() });
export const SiblingGroupRow = z.object({
  /** A keyed hash of the authority's family id (like the children's pseudonyms): stable across audits, not the id itself. */
  familyId: z.string(),
  children: z.number().int(),
  careLeavers: z.number().int(),
  socialWorkers: z.number().int(),
  teamManagers: z.number().int(),
  personalAdvisers: z.number().int(),
  /** Team managers of care leavers who have only a personal adviser, counted with the PAs ("+ 2 PAs and 1 TM"); absent in findings before schema 3. */
  personalAdviserTeamManagers: z.number().int().optional(),
  iros: z.number().int(),
  conflictOfInterest: z.boolean(),
  oneIroMet: z.boolean(),
  /** "N siblings (k care leavers) – x SWs and y TMs (+ PAs) – z IROs" */
  summary: z.string(),
});
export type SiblingGroupRow = z.infer<typeof SiblingGroupRow>;
export const HealthTable = z.object({
  cohort: z.number().int(),
  healthAssessment: z.number().int(),
  immunisations: z.number().int(),
  teethChecked: z.number().int(),
  under5: z.number().int(),
  developmentUpToDate: z.number().int(),
  sdqEligible: z.number().int(),
  sdqScored: z.number().int(),
});
export type HealthTable = z.infer<typeof HealthTable>;

export const Tables = z.object({
  participation: ParticipationTable.optional(),
  participationMeasures: z.array(ParticipationMeasure).optional(),
  timeliness: z.array(TimelinessRow).optional(),
  siblingGroups: z.array(SiblingGroupRow).optional(),
  health: HealthTable.optional(),
});
export type Tables = z.infer<typeof Tables>;

export const Comparison = z.object({
  previousAuditId: z.string(),
  criteria: z.array(
    z.object({
      criterionId: z.string(),
      /** Children not met now but not in the previous audit's not-met list. */
      newlyNotMet: z.array(z.string()),
      /** Children not met before and met now. */
      resolved: z.array(z.string()),
      /** Children not met in both. */
      persisting: z.array(z.string()),
    }),
  ),
});

export const FindingsDocument = z.object({
  schemaVersion: z.literal(FINDINGS_SCHEMA_VERSION),
  audit: z.object({
    id: z.string(),
    title: z.string(),
    authorityId: z.string(),
    /** The authority's display name, for report headings. */
    authorityName: z.string(),
    closedAt: z.string(),
    seed: z.number().int(),
    autoOnly: z.boolean(),
  }),
  template: z.object({ id: z.string(), version: z.number().int(), title: z.string(), theme: z.string() }),
  period: z.object({ from: z.string(), to: z.string() }),
  population: z.number().int(),
  sampleSize: z.number().int(),
  /** Half-width of a 95% interval for a proportion at p = 0.5 with this sample (finite population corrected). */
  marginOfError: z.number().nullable(),
  criteria: z.array(CriterionFinding),
  breakdowns: z.object({ service: z.array(BreakdownRow), team: z.array(BreakdownRow), iro: z.array(BreakdownRow) }),
  tables: Tables,
  records: z.array(RecordFinding),
  alerts: z.array(Alert),
  alertSummary: z.array(AlertSummary),
  comparison: Comparison.optional(),
  /** Graded audits that were moderated: agreement between auditors and moderators per manual criterion (agreed grades stand in the counts above). */
  moderation: Agreement.optional(),
  actionPlan: z.array(ActionPlanRow),
});
export type FindingsDocument = z.infer<typeof FindingsDocument>;
