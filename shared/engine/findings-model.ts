/**
 * findings.json: the published findings of one audit, schema version 3. Every renderer (CSV, XLSX,
 * HTML) reads this one model. Fields are documented here; additions are backward compatible,
 * anything else bumps `schemaVersion`.
 *
 * Version 2 (from 1): each automatic criterion's rule in plain words is stated once, as
 * `criteria[].rule`, instead of in every record's evidence (`records[].outcomes[id].evidence` keeps
 * the values used and the facts missing, and no longer has `rule`). The rule is the criterion's, the
 * same for every record, and repeating it was about half of a national audit's findings.json.
 * The file is written with each record and each alert as compact JSON on a line of its own (the rest
 * of the document indented by two spaces): the same document, a third of the bytes.
 *
 * Version 3 (from 2) adds, all optional so a version 2 document still reads (`parseFindings`):
 * `tables.reviewsDue` (every review due in the period, held or not, by month due; short breaks
 * apart; reasons for lateness; the child-level measure), `tables.participationMeasures` (both
 * headline participation percentages), the health table's sources (`fromHealthExtract`, `fromOc2`,
 * `oc2YearEnding`), `siblingGroups[].personalAdviserTeamManagers`, and `timescales` (the set the
 * audit was judged by). The review-timeliness template's population is now every review due or held
 * (`reviews-due-in-period`); a version 2 document's timeliness figures counted reviews held only.
 */
import * as z from 'zod';
import { Agreement } from './moderation.ts';
import { TimescalesInWords } from './timescale-text.ts';

export const FINDINGS_SCHEMA_VERSION = 3;
/** The versions still read: a version 2 document is a version 3 one without the additions below, so it reads as it stands. */
export const READABLE_FINDINGS_VERSIONS = [2, 3] as const;

export const Outcome = z.enum(['met', 'not-met', 'not-applicable', 'cannot-tell']);
export type Outcome = z.infer<typeof Outcome>;

const Interval = z
  .object({ lower: z.number(), upper: z.number() })
  .describe('95% Wilson score interval for the compliance');

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
  change: z
    .object({ previousAuditId: z.string(), previousCompliance: z.number().nullable(), delta: z.number().nullable() })
    .optional(),
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
  values: z.array(
    z.object({
      name: z.string(),
      value: z.union([z.string(), z.number(), z.boolean(), z.null(), z.array(z.string())]),
    }),
  ),
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

export const ParticipationTable = z
  .record(z.string(), z.number().int())
  .describe('PN0…PN7 and "not recorded": number of reviews');
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
export const TimelinessRow = z.object({
  month: z.string(),
  held: z.number().int(),
  inTime: z.number().int(),
  share: z.number().nullable(),
});
/** The reviews that fell due in one month (YYYY-MM) and what became of them by the period end. */
export const DueMonthRow = z.object({
  month: z.string(),
  due: z.number().int(),
  inTime: z.number().int(),
  /** Held after the due date. */
  late: z.number().int(),
  /** Not held by the period end: overdue. */
  notHeld: z.number().int(),
  /** inTime / due; null when none fell due. */
  share: z.number().nullable(),
});
export type DueMonthRow = z.infer<typeof DueMonthRow>;
/**
 * Every review that fell due in the period, held or not (schema 3). Reg 33 reviews of children
 * looked after by the month they fell due (Thurrock 2022-23's "due in month" table), and reg 48
 * reviews of children on a series of short breaks apart; the reasons recorded for the late and the
 * not held; and the child-level measure (NI 66, as Southwark 2015-16 §5.3 reports it).
 */
export const ReviewsDueTable = z.object({
  byMonthDue: z.array(DueMonthRow),
  shortBreaksByMonthDue: z.array(DueMonthRow),
  /** The reviews due in the period held late or not held, by the reason recorded ("not recorded" when none). */
  lateReasons: z.array(z.object({ reason: z.string(), reviews: z.number().int() })),
  /** Meetings stood down while a review due in the period was awaited: counted, never resetting the schedule. */
  stoodDownMeetings: z.number().int(),
  /** Reviews due in the period held as a series of meetings (each counted once, on its last meeting). */
  seriesOfMeetings: z.number().int(),
  /** Children looked after at the period end, for 4 weeks or more, and how many had every review due in the period held in time. */
  children: z.object({ children: z.number().int(), allInTime: z.number().int(), share: z.number().nullable() }),
});
export type ReviewsDueTable = z.infer<typeof ReviewsDueTable>;
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
  /**
   * Children whose figures came from the health extract and from the DfE's OC2 return: one source
   * per child, the extract where it recorded the child in the 12 months to the period end, OC2
   * otherwise (population.ts); the rest of the cohort had neither. Absent in findings from before
   * the health audit read OC2.
   */
  fromHealthExtract: z.number().int().optional(),
  fromOc2: z.number().int().optional(),
  /** The 31 March of the OC2 return read (ISO), when any child's figures came from it: their ages are taken then. */
  oc2YearEnding: z.string().optional(),
});
export type HealthTable = z.infer<typeof HealthTable>;

export const Tables = z.object({
  participation: ParticipationTable.optional(),
  participationMeasures: z.array(ParticipationMeasure).optional(),
  /** Reviews held in the period by the month held (Haringey 2018-19's table), whenever they fell due. */
  timeliness: z.array(TimelinessRow).optional(),
  reviewsDue: ReviewsDueTable.optional(),
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
  /**
   * The timescale set the audit judged by (fixed when it was launched), each interval in words; the
   * criteria's titles and rules above are worded from it. Absent in findings published before audits
   * recorded their set.
   */
  timescales: TimescalesInWords.optional(),
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

/**
 * Reads a findings.json of any version still read: a version 2 document comes back as version 3
 * (every addition is optional, so nothing needs filling in). Anything else is refused with zod's
 * reasons, as `FindingsDocument.safeParse` gives them.
 */
export function parseFindings(input: unknown): z.ZodSafeParseResult<FindingsDocument> {
  const version = (input as { schemaVersion?: unknown } | null)?.schemaVersion;
  const upgraded = version === 2 ? { ...(input as object), schemaVersion: FINDINGS_SCHEMA_VERSION } : input;
  return FindingsDocument.safeParse(upgraded);
}
