/**
 * Findings from judged and graded units: counts and Wilson intervals per criterion, breakdowns by
 * service, team and IRO, practice alerts, the change since the previous audit, and the action
 * plan the template prescribes where a criterion falls below its threshold. Pure.
 */
import { addDays } from '#calendar/dates';
import type { TimescaleSet } from '#domain/timescales';
import type { Agreement } from './moderation.ts';
import { criterionRule, type CriterionOutcome } from './evaluate.ts';
import {
  FINDINGS_SCHEMA_VERSION,
  type ActionPlanRow,
  type Alert,
  type AlertSummary,
  type BreakdownRow,
  type CriterionFinding,
  type FindingsDocument,
  type Outcome,
  type RecordFinding,
  type Tables,
} from './findings-model.ts';
import { pseudonymousChildId, type AuditPeriod, type AuditUnit } from './population.ts';
import { compliance as complianceOf, wilsonInterval } from './statistics.ts';
import { renderTemplate, timescalesInWords } from './timescale-text.ts';
import type { AuditTemplate, Criterion, ManualCriterion } from './template.ts';
import { evaluate } from './conditions.ts';

/** A grade an IRO may give instead of a scale grade when the question does not arise for the record. */
export const NOT_APPLICABLE_GRADE = 'Not applicable';

/** One sampled unit with its automatic outcomes and (when graded) the IRO's grades. */
export interface JudgedUnit {
  unit: AuditUnit;
  outcomes: Record<string, CriterionOutcome>;
  grades: Record<string, string>;
  overall: string | null;
  comment: string | null;
}

export interface FindingsInput {
  audit: FindingsDocument['audit'];
  template: AuditTemplate;
  period: AuditPeriod;
  populationSize: number;
  marginOfError: number | null;
  units: readonly JudgedUnit[];
  tables: Tables;
  /** The previous published findings of the same template (or what a comparison needs of them), for the change and the children newly not met. */
  previous?: FindingsDocument | PreviousFindings;
  /** The QA lead's edited plan; generated from the template when absent. */
  actionPlan?: ActionPlanRow[];
  /** The moderation's agreement, for an audit that was moderated. */
  moderation?: Agreement;
  /** The audit's timescale set: rules naming a timescale were judged by it, and the template's text is worded from it. */
  timescales?: TimescaleSet;
}

const NOT_RECORDED = '(not recorded)';

/** Whether a manual question arises for a unit: false only when its `appliesWhen` is false (unknown still asks the IRO). */
export function manualApplies(criterion: ManualCriterion, unit: Pick<AuditUnit, 'facts'>): boolean {
  return !criterion.appliesWhen || evaluate(criterion.appliesWhen, unit.facts).truth !== false;
}

/** The outcome of one criterion for one unit: automatic from the engine, manual from the grades against the threshold grade. */
export function outcomeFor(
  criterion: Criterion,
  judged: JudgedUnit,
  scale: readonly string[],
): CriterionOutcome['outcome'] {
  if (criterion.kind === 'automatic') return judged.outcomes[criterion.id]?.outcome ?? 'cannot-tell';
  if (!manualApplies(criterion, judged.unit)) return 'not-applicable';
  const grade = judged.grades[criterion.id];
  if (grade === undefined) return 'cannot-tell';
  if (grade === NOT_APPLICABLE_GRADE) return 'not-applicable';
  const at = scale.indexOf(grade);
  return at !== -1 && at <= scale.indexOf(criterion.threshold.atLeast) ? 'met' : 'not-met';
}

function threshold(criterion: Criterion): number {
  return criterion.kind === 'automatic' ? criterion.threshold : criterion.threshold.share;
}

function teamToAct(criterion: Criterion, unit: AuditUnit): string {
  if (criterion.kind !== 'automatic') return unit.team ?? NOT_RECORDED;
  switch (criterion.alert.actingTeam) {
    case 'social-work-team':
      return unit.team ?? NOT_RECORDED;
    case 'iro-service':
      return 'IRO Service';
    case 'health':
      return 'Children looked after health team';
    case 'leaving-care':
      return 'Leaving Care';
  }
}

/** What a later audit needs of a published one for its comparison: small, so it is kept beside the findings (work/…/comparison.json). */
export interface PreviousFindings {
  auditId: string;
  criteria: { id: string; compliance: number | null }[];
  /** Per criterion, the children (pseudonyms) with a record not met. */
  notMetChildren: Record<string, string[]>;
}

/** What the comparison reads of a published findings document (of any schema version so far). */
export type ComparedFindings = {
  audit: Pick<FindingsDocument['audit'], 'id'>;
  criteria: Pick<CriterionFinding, 'id' | 'compliance'>[];
  records: { children: string[]; outcomes: Record<string, { outcome: Outcome } | undefined> }[];
};

/** The comparison basis of a published findings document. */
export function previousFindingsOf(doc: ComparedFindings): PreviousFindings {
  const notMetChildren: Record<string, string[]> = {};
  for (const c of doc.criteria) {
    notMetChildren[c.id] = [
      ...new Set(doc.records.filter((r) => r.outcomes[c.id]?.outcome === 'not-met').flatMap((r) => r.children)),
    ].sort();
  }
  return {
    auditId: doc.audit.id,
    criteria: doc.criteria.map((c) => ({ id: c.id, compliance: c.compliance })),
    notMetChildren,
  };
}

const asPrevious = (p: FindingsDocument | PreviousFindings): PreviousFindings =>
  'schemaVersion' in p ? previousFindingsOf(p) : p;

type Counts = { met: number; notMet: number; notApplicable: number; cannotTell: number };

/** The alerts of a published document counted by the team that should act and the alert's title (the report's table). */
export interface AlertTally {
  count: number;
  /** [team, title, records], in first-seen order. */
  byTeamAndTitle: [string, string, number][];
}

/**
 * The findings of a stream of judged units, built one unit at a time: each unit's record and alerts
 * are handed back to be written out at once, and only the counts are kept. Memory is per criterion,
 * per service / team / IRO and per team with alerts, never per unit — and per child with a record
 * not met, which the comparison (this one's, and the next audit's) lists anyway.
 */
export class FindingsBuilder {
  private readonly scale: string[];
  private readonly counts: Counts[];
  private readonly grades: Record<string, number>[];
  /** Per breakdown, per criterion (in template order), the rows by service, team or IRO. */
  private readonly breakdowns: Record<'service' | 'team' | 'iro', Map<string, BreakdownRow>[]>;
  private readonly alertServices = new Map<string, Map<string, number>>();
  private readonly alertTeams = new Map<string, Set<string>>();
  private readonly teamAndTitle = new Map<string, number>();
  private readonly previous: PreviousFindings | undefined;
  private readonly before: Map<string, Set<string>>;
  private readonly notMetNow = new Map<string, Set<string>>();
  private readonly metNowBefore = new Map<string, Set<string>>();
  private units = 0;
  private alertCount = 0;
  /** The template as readers see it: its placeholders worded from the audit's timescale set. */
  private readonly template: AuditTemplate;

  constructor(
    template: AuditTemplate,
    private readonly audit: FindingsDocument['audit'],
    previous?: FindingsDocument | PreviousFindings,
    /** The audit's timescale set: recorded in the findings, and the template's text rendered from it. */
    private readonly timescales?: TimescaleSet,
  ) {
    this.template = timescales ? renderTemplate(template, timescales) : template;
    this.scale = this.template.gradeScale.map((g) => g.grade);
    this.counts = template.criteria.map(() => ({ met: 0, notMet: 0, notApplicable: 0, cannotTell: 0 }));
    this.grades = template.criteria.map(() => ({}));
    this.breakdowns = {
      service: template.criteria.map(() => new Map()),
      team: template.criteria.map(() => new Map()),
      iro: template.criteria.map(() => new Map()),
    };
    this.previous = previous ? asPrevious(previous) : undefined;
    this.before = new Map(template.criteria.map((c) => [c.id, new Set(this.previous?.notMetChildren[c.id] ?? [])]));
  }

  /** Counts one judged unit and returns its published record and the alerts it raises, in criterion order. */
  add(judged: JudgedUnit): { record: RecordFinding; alerts: { criterionIndex: number; alert: Alert }[] } {
    const { template, audit, scale } = this;
    const unit = judged.unit;
    const children = unit.childIds.map((c) => pseudonymousChildId(audit.authorityId, c));
    const id = recordId(audit.authorityId, unit.unitId);
    const alerts: { criterionIndex: number; alert: Alert }[] = [];
    const breakdownKeys = [
      ['service', unit.service ?? NOT_RECORDED],
      ['team', unit.team ?? NOT_RECORDED],
      ['iro', unit.iroId ?? NOT_RECORDED],
    ] as const;
    this.units += 1;
    template.criteria.forEach((criterion, index) => {
      const outcome = outcomeFor(criterion, judged, scale);
      const counts = this.counts[index]!;
      if (outcome === 'met') counts.met += 1;
      else if (outcome === 'not-met') counts.notMet += 1;
      else if (outcome === 'not-applicable') counts.notApplicable += 1;
      else counts.cannotTell += 1;
      const grade = judged.grades[criterion.id];
      if (criterion.kind === 'manual' && grade !== undefined)
        this.grades[index]![grade] = (this.grades[index]![grade] ?? 0) + 1;
      for (const [name, key] of breakdownKeys) {
        const rows = this.breakdowns[name][index]!;
        let row = rows.get(key);
        if (!row) rows.set(key, (row = { key, criterionId: criterion.id, met: 0, notMet: 0, compliance: null }));
        if (outcome === 'met') row.met += 1;
        else if (outcome === 'not-met') row.notMet += 1;
      }
      // Kept for every audit: the next audit of the template compares with them.
      if (outcome === 'not-met') for (const c of children) setOf(this.notMetNow, criterion.id).add(c);
      if (this.previous) {
        const before = this.before.get(criterion.id)!;
        if (outcome === 'met')
          for (const c of children) if (before.has(c)) setOf(this.metNowBefore, criterion.id).add(c);
      }
      if (criterion.kind === 'automatic' && judged.outcomes[criterion.id]?.outcome === 'not-met') {
        const alert: Alert = {
          criterionId: criterion.id,
          title: criterion.alert.title,
          theme: template.theme,
          recordId: id,
          children,
          service: unit.service,
          team: teamToAct(criterion, unit),
        };
        alerts.push({ criterionIndex: index, alert });
        const services = this.alertServices.get(criterion.id) ?? new Map<string, number>();
        const service = unit.service ?? NOT_RECORDED;
        services.set(service, (services.get(service) ?? 0) + 1);
        this.alertServices.set(criterion.id, services);
        setOf(this.alertTeams, criterion.id).add(alert.team);
        const teamKey = JSON.stringify([alert.team, alert.title]);
        this.teamAndTitle.set(teamKey, (this.teamAndTitle.get(teamKey) ?? 0) + 1);
        this.alertCount += 1;
      }
    });
    const record: RecordFinding = {
      recordId: id,
      children,
      date: unit.date,
      service: unit.service,
      team: unit.team,
      iroId: unit.iroId,
      outcomes: Object.fromEntries(
        template.criteria.map((c) => {
          const automatic = judged.outcomes[c.id];
          return [
            c.id,
            automatic
              ? { outcome: automatic.outcome, evidence: automatic.evidence }
              : { outcome: outcomeFor(c, judged, scale) },
          ];
        }),
      ),
      grades: judged.grades,
      overall: judged.overall,
      comment: judged.comment,
    };
    return { record, alerts };
  }

  /** What the next audit of the template needs of this one for its comparison (call after `finish`). */
  comparisonBasis(document: Pick<FindingsDocument, 'criteria'>): PreviousFindings {
    return {
      auditId: this.audit.id,
      criteria: document.criteria.map((c) => ({ id: c.id, compliance: c.compliance })),
      notMetChildren: Object.fromEntries(
        this.template.criteria.map((c) => [c.id, [...(this.notMetNow.get(c.id) ?? [])].sort()]),
      ),
    };
  }

  /** How many alerts were raised, and by team and title (for the report). */
  alertTally(): AlertTally {
    return {
      count: this.alertCount,
      byTeamAndTitle: [...this.teamAndTitle].map(([key, n]) => [...(JSON.parse(key) as [string, string]), n]),
    };
  }

  /** Everything findings.json holds except its records and alerts (left empty: they were handed out by `add`). */
  finish(
    input: Pick<FindingsInput, 'period' | 'populationSize' | 'marginOfError' | 'tables' | 'actionPlan' | 'moderation'>,
  ): FindingsDocument {
    const { template, audit, previous } = this;
    const criteria: CriterionFinding[] = template.criteria.map((criterion, index) => {
      const counts = this.counts[index]!;
      const value = complianceOf(counts.met, counts.notMet);
      const finding: CriterionFinding = {
        id: criterion.id,
        title: criterion.title,
        kind: criterion.kind,
        ...(criterion.kind === 'automatic' ? { rule: criterionRule(criterion, this.timescales) } : {}),
        n: this.units,
        ...counts,
        compliance: value,
        ci95: wilsonInterval(counts.met, counts.met + counts.notMet),
        threshold: threshold(criterion),
        ...(criterion.kind === 'manual' ? { thresholdGrade: criterion.threshold.atLeast } : {}),
        belowThreshold: value !== null && value < threshold(criterion),
        ...(criterion.kind === 'manual'
          ? {
              grades: Object.fromEntries(
                [...this.scale, NOT_APPLICABLE_GRADE].map((g) => [g, this.grades[index]![g] ?? 0]),
              ),
            }
          : {}),
      };
      const before = previous?.criteria.find((c) => c.id === criterion.id);
      if (previous && before) {
        finding.change = {
          previousAuditId: previous.auditId,
          previousCompliance: before.compliance,
          delta: value !== null && before.compliance !== null ? value - before.compliance : null,
        };
      }
      return finding;
    });
    const breakdown = (byCriterion: Map<string, BreakdownRow>[]): BreakdownRow[] =>
      byCriterion
        .flatMap((rows) => [...rows.values()])
        .map((r) => ({ ...r, compliance: complianceOf(r.met, r.notMet) }))
        .sort((a, b) => a.criterionId.localeCompare(b.criterionId) || a.key.localeCompare(b.key));
    const alertSummary: AlertSummary[] = [];
    for (const criterion of template.criteria) {
      const services = this.alertServices.get(criterion.id);
      if (criterion.kind !== 'automatic' || !services) continue;
      const total = [...services.values()].reduce((a, b) => a + b, 0);
      alertSummary.push(alertSummaryRow(criterion.id, template.theme, criterion.alert.title, total, services));
    }
    const comparison = previous
      ? {
          previousAuditId: previous.auditId,
          criteria: template.criteria.map((c) => {
            const before = this.before.get(c.id)!;
            const now = this.notMetNow.get(c.id) ?? new Set<string>();
            const metNow = this.metNowBefore.get(c.id) ?? new Set<string>();
            return {
              criterionId: c.id,
              newlyNotMet: [...now].filter((x) => !before.has(x)).sort(),
              resolved: [...before].filter((x) => metNow.has(x)).sort(),
              persisting: [...now].filter((x) => before.has(x)).sort(),
            };
          }),
        }
      : undefined;
    const document: FindingsDocument = {
      schemaVersion: FINDINGS_SCHEMA_VERSION,
      audit,
      template: { id: template.id, version: template.version, title: template.title, theme: template.theme },
      ...(this.timescales ? { timescales: timescalesInWords(this.timescales) } : {}),
      period: { from: input.period.from, to: input.period.to },
      population: input.populationSize,
      sampleSize: this.units,
      marginOfError: input.marginOfError,
      criteria,
      breakdowns: {
        service: breakdown(this.breakdowns.service),
        team: breakdown(this.breakdowns.team),
        iro: breakdown(this.breakdowns.iro),
      },
      tables: input.tables,
      records: [],
      alerts: [],
      alertSummary,
      ...(comparison ? { comparison } : {}),
      ...(input.moderation ? { moderation: input.moderation } : {}),
      actionPlan: [],
    };
    document.actionPlan =
      input.actionPlan ??
      actionPlanFor(template, criteria, audit.closedAt, (id) => [...(this.alertTeams.get(id) ?? [])].sort());
    return document;
  }
}

function setOf(map: Map<string, Set<string>>, key: string): Set<string> {
  let set = map.get(key);
  if (!set) map.set(key, (set = new Set()));
  return set;
}

/** Everything findings.json holds, from judged units (in memory: for small populations and tests; audits stream through FindingsBuilder). */
export function computeFindings(input: FindingsInput): FindingsDocument {
  const builder = new FindingsBuilder(input.template, input.audit, input.previous, input.timescales);
  const records: RecordFinding[] = [];
  const alertsByCriterion: Alert[][] = input.template.criteria.map(() => []);
  for (const judged of input.units) {
    const { record, alerts } = builder.add(judged);
    records.push(record);
    for (const { criterionIndex, alert } of alerts) alertsByCriterion[criterionIndex]!.push(alert);
  }
  const document = builder.finish(input);
  // Alerts are listed criterion by criterion, each in record order.
  return { ...document, records, alerts: alertsByCriterion.flat() };
}

/** A published record id: stable for the same unit, revealing no child id. */
export function recordId(authorityId: string, unitId: string): string {
  return `R-${pseudonymousChildId(authorityId, unitId).slice(2)}`;
}

/** "No permanence plan by 2nd review: 7 (CiN/CP North 4, CiN/CP South 3)", per criterion. */
export function summariseAlerts(alerts: readonly Alert[]): AlertSummary[] {
  const byCriterion = new Map<string, { title: string; theme: string; services: Map<string, number> }>();
  for (const a of alerts) {
    const entry = byCriterion.get(a.criterionId) ?? {
      title: a.title,
      theme: a.theme,
      services: new Map<string, number>(),
    };
    entry.services.set(a.service ?? NOT_RECORDED, (entry.services.get(a.service ?? NOT_RECORDED) ?? 0) + 1);
    byCriterion.set(a.criterionId, entry);
  }
  return [...byCriterion.entries()].map(([criterionId, { title, theme, services }]) =>
    alertSummaryRow(
      criterionId,
      theme,
      title,
      [...services.values()].reduce((x, y) => x + y, 0),
      services,
    ),
  );
}

function alertSummaryRow(
  criterionId: string,
  theme: string,
  title: string,
  total: number,
  services: ReadonlyMap<string, number>,
): AlertSummary {
  const byService = [...services.entries()]
    .map(([service, count]) => ({ service, count }))
    .sort((a, b) => b.count - a.count || a.service.localeCompare(b.service));
  return {
    criterionId,
    theme,
    title,
    total,
    byService,
    summary: `${title}: ${total} (${byService.map((s) => `${s.service} ${s.count}`).join(', ')})`,
  };
}

/**
 * The template's actions for every criterion below its threshold. An owner team of
 * "each team with alerts" becomes one row per team named in that criterion's alerts. With the audit's
 * timescale set, the rows' text is worded from it.
 */
export function generateActionPlan(
  template: AuditTemplate,
  findings: Pick<FindingsDocument, 'criteria' | 'alerts' | 'audit'>,
  timescales?: TimescaleSet,
): ActionPlanRow[] {
  return actionPlanFor(
    timescales ? renderTemplate(template, timescales) : template,
    findings.criteria,
    findings.audit.closedAt,
    (id) => [...new Set(findings.alerts.filter((a) => a.criterionId === id).map((a) => a.team))].sort(),
  );
}

function actionPlanFor(
  template: AuditTemplate,
  criteria: readonly CriterionFinding[],
  closedAt: string,
  teamsWithAlerts: (criterionId: string) => string[],
): ActionPlanRow[] {
  const rows: ActionPlanRow[] = [];
  const closed = closedAt.slice(0, 10);
  for (const action of template.actions) {
    const criterion = criteria.find((c) => c.id === action.criterion);
    if (!criterion?.belowThreshold) continue;
    const teams = action.owner.team === 'each team with alerts' ? teamsWithAlerts(criterion.id) : [action.owner.team];
    for (const team of teams.length ? teams : [action.owner.team]) {
      rows.push({
        id: `A${rows.length + 1}`,
        action: action.action,
        owner: { role: action.owner.role, team },
        dueDate: addDays(closed, action.dueInDays),
        expectedOutcome: action.expectedOutcome,
        successMeasure: action.successMeasure,
        linkedCriteria: [criterion.id],
        source: 'template',
      });
    }
  }
  return rows;
}
