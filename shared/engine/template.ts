/**
 * The audit template: a themed audit as data (one JSON file each in audit-templates/), validated
 * when loaded. A QA lead adds a template without touching code; a broken one is refused with the
 * reason. An audit keeps the exact template (id and version) it ran with.
 */
import * as z from 'zod';
import { TIMESCALE_NAMES, isTimescaleName } from '#domain/timescales';
import { ConditionSchema, factsUsed, timescalesUsed } from './conditions.ts';
import { templatePlaceholderProblems } from './timescale-text.ts';

/** Which units an audit looks at. Each rule is code in the engine (population.ts); templates choose one. */
export const POPULATION_RULES = {
  'second-reviews-in-period':
    'Children whose second review of a period of care was held in the audit period (one unit per second review)',
  'reviews-in-period': 'Every review held in the audit period (one unit per review)',
  'reviews-due-in-period':
    'Every review that fell due in the audit period, held or not, under reg 33 or, for a series of short breaks, reg 48; and every review held in the period (one unit per review)',
  'sibling-groups-at-period-end':
    'Sibling groups with two or more members looked after, or care leavers still allocated to a social worker or personal adviser, at the end of the period (one unit per group)',
  'oc2-cohort-at-period-end':
    'Children looked after continuously for 12 months or more at the end of the period (the OC2 cohort; one unit per child)',
} as const;
export type PopulationRule = keyof typeof POPULATION_RULES;

/** The findings tables a template can ask for (reproducing the IRO annual reports' tables). */
export const FINDINGS_TABLES = ['participation', 'timeliness', 'reviewsDue', 'siblingGroups', 'health'] as const;
export type FindingsTable = (typeof FINDINGS_TABLES)[number];

export const DEFAULT_GRADE_SCALE = [
  {
    grade: 'Outstanding',
    guidance: 'Practice is exceptional and makes a real difference to the child; it could be shared as an example.',
  },
  { grade: 'Good', guidance: 'Practice meets the child’s needs; any gaps are minor and do not affect outcomes.' },
  {
    grade: 'Requires improvement',
    guidance: 'Practice is not yet good: gaps that could affect the child, though no widespread or serious failure.',
  },
  { grade: 'Inadequate', guidance: 'Serious or widespread failures leave the child at risk of harm or drift.' },
] as const;

const Id = z.string().regex(/^[a-z0-9][a-z0-9-]{1,63}$/, 'must be lower-case letters, digits and hyphens');

const Alert = z.strictObject({
  /** Short title used in "alerts by theme and service", e.g. "No permanence plan by 2nd review". */
  title: z.string().min(3).max(120),
  /** Who should act: the child's social worker's team, the IRO service, the health team, … */
  actingTeam: z.enum(['social-work-team', 'iro-service', 'health', 'leaving-care']),
});

const AutomaticCriterion = z.strictObject({
  id: Id,
  kind: z.literal('automatic'),
  title: z.string().min(3).max(200),
  /** The rule in plain words, shown with the evidence. */
  rule: z.string().min(3),
  /** When false the criterion is not applicable to the unit; when unknown, neither is it judged. */
  appliesWhen: ConditionSchema.optional(),
  condition: ConditionSchema,
  /** Compliance below this share puts an action into the plan. */
  threshold: z.number().min(0).max(1),
  alert: Alert,
});

const ManualCriterion = z.strictObject({
  id: Id,
  kind: z.literal('manual'),
  title: z.string().min(3).max(200),
  question: z.string().min(3),
  guidance: z.string().min(3),
  /** When false for a unit, the question does not arise (a review not held has no record to grade): not applicable, and not asked. */
  appliesWhen: ConditionSchema.optional(),
  /** The share of units graded at or above `atLeast` below which an action goes into the plan. */
  threshold: z.strictObject({ atLeast: z.string().min(1), share: z.number().min(0).max(1) }),
});

export const Criterion = z.discriminatedUnion('kind', [AutomaticCriterion, ManualCriterion]);
export type Criterion = z.infer<typeof Criterion>;
export type AutomaticCriterion = z.infer<typeof AutomaticCriterion>;
export type ManualCriterion = z.infer<typeof ManualCriterion>;

const ActionTemplate = z.strictObject({
  /** The criterion whose shortfall triggers this action. */
  criterion: Id,
  action: z.string().min(3),
  owner: z.strictObject({
    role: z.string().min(2),
    team: z.string().min(2).describe('a team name, or "each team with alerts"'),
  }),
  /** Due this many days after the audit closes. */
  dueInDays: z.number().int().min(1).max(730),
  expectedOutcome: z.string().min(3),
  /** The re-audit target, in words; the threshold is the number. */
  successMeasure: z.string().min(3),
});

const SamplingDefault = z.union([
  z.strictObject({ type: z.literal('all') }),
  z.strictObject({ type: z.literal('count'), value: z.number().int().min(1) }),
  z.strictObject({ type: z.literal('percent'), value: z.number().gt(0).max(100) }),
  z.strictObject({ type: z.literal('stratified'), by: z.enum(['service', 'team']), value: z.number().int().min(1) }),
]);

/**
 * A link shown to readers (the statutory basis on the template page and in the findings): a web
 * address only. A `javascript:` or `data:` link would run or show whatever its author chose.
 */
export const WebLink = z.url({
  protocol: /^https?$/,
  error: 'must be an http:// or https:// web address (javascript:, data: and other kinds of link are refused)',
});

export const AuditTemplate = z
  .strictObject({
    id: Id,
    version: z.number().int().min(1),
    title: z.string().min(3).max(120),
    theme: z.string().min(3).max(80),
    summary: z.string().min(3),
    statutoryBasis: z
      .array(z.strictObject({ citation: z.string().min(3), text: z.string().min(3), url: WebLink.optional() }))
      .min(1, 'cite at least one statutory basis'),
    population: z.strictObject({
      rule: z.enum(Object.keys(POPULATION_RULES) as [PopulationRule, ...PopulationRule[]]),
    }),
    defaultSampling: SamplingDefault,
    gradeScale: z
      .array(z.strictObject({ grade: z.string().min(1), guidance: z.string().min(3) }))
      .min(2)
      .default(DEFAULT_GRADE_SCALE.map((g) => ({ ...g }))),
    criteria: z.array(Criterion).min(1),
    tables: z.array(z.enum(FINDINGS_TABLES)).default([]),
    actions: z.array(ActionTemplate).default([]),
  })
  .superRefine((t, ctx) => {
    const ids = new Set<string>();
    t.criteria.forEach((c, i) => {
      if (ids.has(c.id))
        ctx.addIssue({ code: 'custom', path: ['criteria', i, 'id'], message: `criterion id "${c.id}" is used twice` });
      ids.add(c.id);
      if (c.kind === 'manual' && !t.gradeScale.some((g) => g.grade === c.threshold.atLeast)) {
        ctx.addIssue({
          code: 'custom',
          path: ['criteria', i, 'threshold', 'atLeast'],
          message: `"${c.threshold.atLeast}" is not a grade of this template's scale`,
        });
      }
    });
    const grades = new Set(t.gradeScale.map((g) => g.grade));
    if (grades.size !== t.gradeScale.length)
      ctx.addIssue({ code: 'custom', path: ['gradeScale'], message: 'grades must be distinct' });
    t.actions.forEach((a, i) => {
      if (!ids.has(a.criterion))
        ctx.addIssue({
          code: 'custom',
          path: ['actions', i, 'criterion'],
          message: `no criterion "${a.criterion}" in this template`,
        });
    });
  });
export type AuditTemplate = z.infer<typeof AuditTemplate>;

/** The facts each population rule provides to criteria (see population.ts). */
export const POPULATION_FACTS: Record<PopulationRule, readonly string[]> = (() => {
  const review = [
    'child.dateOfBirth',
    'period.start',
    'period.end',
    'review.date',
    'review.sequence',
    'review.dueDate',
    'review.previousDate',
    'review.participationCode',
    'review.permanencePlan',
    'review.carePlanUpToDate',
    'review.childSeenBeforeReview',
    'review.decisionsIssued',
    'review.recordIssued',
    'review.iroId',
    'review.legalStatus',
    'audit.from',
    'audit.to',
  ];
  return {
    'second-reviews-in-period': review,
    'reviews-in-period': review,
    'reviews-due-in-period': [
      ...review,
      'review.kind',
      'review.outcome',
      'review.daysLate',
      'review.dueInPeriod',
      'review.heldInPeriod',
      'review.meetings',
      'review.firstMeeting',
      'review.stoodDownMeetings',
      'review.lateReason',
      'child.lookedAfter4WeeksAtPeriodEnd',
    ],
    'sibling-groups-at-period-end': [
      'audit.from',
      'audit.to',
      'group.children',
      'group.lookedAfter',
      'group.careLeavers',
      'group.socialWorkers',
      'group.teamManagers',
      'group.personalAdvisers',
      'group.personalAdviserTeamManagers',
      'group.iros',
      'group.conflictOfInterest',
    ],
    'oc2-cohort-at-period-end': [
      'audit.from',
      'audit.to',
      'child.dateOfBirth',
      'period.start',
      'health.lastAssessment',
      'health.lastAssessmentImmunisationsUpToDate',
      'health.lastDental',
      'health.lastDevelopment',
      'health.lastSdq',
      'health.lastSdqScore',
      'health.initialAssessment',
      'health.assessmentChildPresent',
      'health.assessmentViewsRecorded',
      // From whichever source gives the child's figures (the health extract or OC2: see healthUnit).
      'health.source',
      'health.asAt',
      'health.assessmentUpToDate',
      'health.immunisationsUpToDate',
      'health.teethChecked',
      'health.developmentUpToDate',
      'health.sdqScored',
    ],
  };
})();

export interface TemplateProblem {
  path: string;
  message: string;
}

/** Validates a template read from a file or an API body: the schema, then every fact and timescale it names, and the placeholders in its text. */
export function parseTemplate(
  input: unknown,
): { ok: true; template: AuditTemplate } | { ok: false; problems: TemplateProblem[] } {
  const parsed = AuditTemplate.safeParse(input);
  if (!parsed.success) {
    return {
      ok: false,
      problems: parsed.error.issues.map((i) => ({ path: i.path.join('.') || '(template)', message: i.message })),
    };
  }
  const template = parsed.data;
  const known = new Set(POPULATION_FACTS[template.population.rule]);
  const problems: TemplateProblem[] = [];
  template.criteria.forEach((c, i) => {
    const parts =
      c.kind === 'automatic'
        ? ([
            ['condition', c.condition],
            ['appliesWhen', c.appliesWhen],
          ] as const)
        : ([['appliesWhen', c.appliesWhen]] as const);
    for (const [part, node] of parts) {
      if (!node) continue;
      for (const fact of factsUsed(node)) {
        if (!known.has(fact)) {
          problems.push({
            path: `criteria.${i}.${part}`,
            message: `fact "${fact}" is not provided by population rule "${template.population.rule}" (it provides: ${[...known].join(', ')})`,
          });
        }
      }
      for (const { name, path } of timescalesUsed(node)) {
        if (!isTimescaleName(name)) {
          problems.push({
            path: ['criteria', i, part, ...path].join('.'),
            message: `timescale "${name}" is not an interval of a timescale set (its intervals: ${TIMESCALE_NAMES.join(', ')})`,
          });
        }
      }
    }
  });
  problems.push(...templatePlaceholderProblems(template));
  return problems.length ? { ok: false, problems } : { ok: true, template };
}
