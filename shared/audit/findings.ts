/**
 * Findings from judged and graded units: counts and Wilson intervals per criterion, breakdowns by
 * service, team and IRO, practice alerts, the change since the previous audit, and the action
 * plan the template prescribes where a criterion falls below its threshold. Pure.
 */
import { addDays } from '#calendar/dates';
import type { CriterionOutcome } from './evaluate.ts';
import {
  FINDINGS_SCHEMA_VERSION, type ActionPlanRow, type Alert, type AlertSummary, type BreakdownRow, type CriterionFinding,
  type FindingsDocument, type RecordFinding, type Tables,
} from './findings-model.ts';
import { pseudonymousChildId, type AuditPeriod, type AuditUnit } from './population.ts';
import { compliance as complianceOf, wilsonInterval } from './statistics.ts';
import type { AuditTemplate, Criterion } from './template.ts';

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
  /** The previous published findings of the same template, for the change and the children newly not met. */
  previous?: FindingsDocument;
  /** The QA lead's edited plan; generated from the template when absent. */
  actionPlan?: ActionPlanRow[];
}

const NOT_RECORDED = '(not recorded)';

/** The outcome of one criterion for one unit: automatic from the engine, manual from the grades against the threshold grade. */
export function outcomeFor(criterion: Criterion, judged: JudgedUnit, scale: readonly string[]): CriterionOutcome['outcome'] {
  if (criterion.kind === 'automatic') return judged.outcomes[criterion.id]?.outcome ?? 'cannot-tell';
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
    case 'social-work-team': return unit.team ?? NOT_RECORDED;
    case 'iro-service': return 'IRO Service';
    case 'health': return 'Children looked after health team';
    case 'leaving-care': return 'Leaving Care';
  }
}

/** Everything findings.json holds, from judged units. */
export function computeFindings(input: FindingsInput): FindingsDocument {
  const { template, units, audit } = input;
  const scale = template.gradeScale.map((g) => g.grade);
  const pseudonyms = (unit: AuditUnit) => unit.childIds.map((c) => pseudonymousChildId(audit.authorityId, c));

  const criteria: CriterionFinding[] = template.criteria.map((criterion) => {
    const counts = { met: 0, notMet: 0, notApplicable: 0, cannotTell: 0 };
    const grades: Record<string, number> = {};
    for (const judged of units) {
      const outcome = outcomeFor(criterion, judged, scale);
      if (outcome === 'met') counts.met += 1;
      else if (outcome === 'not-met') counts.notMet += 1;
      else if (outcome === 'not-applicable') counts.notApplicable += 1;
      else counts.cannotTell += 1;
      const grade = judged.grades[criterion.id];
      if (criterion.kind === 'manual' && grade !== undefined) grades[grade] = (grades[grade] ?? 0) + 1;
    }
    const value = complianceOf(counts.met, counts.notMet);
    const finding: CriterionFinding = {
      id: criterion.id,
      title: criterion.title,
      kind: criterion.kind,
      n: units.length,
      ...counts,
      compliance: value,
      ci95: wilsonInterval(counts.met, counts.met + counts.notMet),
      threshold: threshold(criterion),
      ...(criterion.kind === 'manual' ? { thresholdGrade: criterion.threshold.atLeast } : {}),
      belowThreshold: value !== null && value < threshold(criterion),
      ...(criterion.kind === 'manual' ? { grades: Object.fromEntries([...scale, NOT_APPLICABLE_GRADE].map((g) => [g, grades[g] ?? 0])) } : {}),
    };
    const before = input.previous?.criteria.find((c) => c.id === criterion.id);
    if (input.previous && before) {
      finding.change = {
        previousAuditId: input.previous.audit.id,
        previousCompliance: before.compliance,
        delta: value !== null && before.compliance !== null ? value - before.compliance : null,
      };
    }
    return finding;
  });

  const breakdown = (keyOf: (u: AuditUnit) => string | null): BreakdownRow[] => {
    const rows = new Map<string, BreakdownRow>();
    for (const criterion of template.criteria) {
      for (const judged of units) {
        const key = keyOf(judged.unit) ?? NOT_RECORDED;
        const id = `${criterion.id}\u0000${key}`;
        const row = rows.get(id) ?? { key, criterionId: criterion.id, met: 0, notMet: 0, compliance: null };
        const outcome = outcomeFor(criterion, judged, scale);
        if (outcome === 'met') row.met += 1;
        if (outcome === 'not-met') row.notMet += 1;
        rows.set(id, row);
      }
    }
    return [...rows.values()]
      .map((r) => ({ ...r, compliance: complianceOf(r.met, r.notMet) }))
      .sort((a, b) => a.criterionId.localeCompare(b.criterionId) || a.key.localeCompare(b.key));
  };

  const records: RecordFinding[] = units.map((judged) => ({
    recordId: recordId(audit.authorityId, judged.unit.unitId),
    children: pseudonyms(judged.unit),
    date: judged.unit.date,
    service: judged.unit.service,
    team: judged.unit.team,
    iroId: judged.unit.iroId,
    outcomes: Object.fromEntries(
      template.criteria.map((c) => {
        const automatic = judged.outcomes[c.id];
        return [c.id, automatic ? { outcome: automatic.outcome, evidence: automatic.evidence } : { outcome: outcomeFor(c, judged, scale) }];
      }),
    ),
    grades: judged.grades,
    overall: judged.overall,
    comment: judged.comment,
  }));

  const alerts: Alert[] = [];
  for (const criterion of template.criteria) {
    if (criterion.kind !== 'automatic') continue;
    for (const judged of units) {
      if (judged.outcomes[criterion.id]?.outcome !== 'not-met') continue;
      alerts.push({
        criterionId: criterion.id,
        title: criterion.alert.title,
        theme: template.theme,
        recordId: recordId(audit.authorityId, judged.unit.unitId),
        children: pseudonyms(judged.unit),
        service: judged.unit.service,
        team: teamToAct(criterion, judged.unit),
      });
    }
  }

  const comparison = input.previous ? compare(input.previous, records, template) : undefined;
  const document: FindingsDocument = {
    schemaVersion: FINDINGS_SCHEMA_VERSION,
    audit,
    template: { id: template.id, version: template.version, title: template.title, theme: template.theme },
    period: { from: input.period.from, to: input.period.to },
    population: input.populationSize,
    sampleSize: units.length,
    marginOfError: input.marginOfError,
    criteria,
    breakdowns: { service: breakdown((u) => u.service), team: breakdown((u) => u.team), iro: breakdown((u) => u.iroId) },
    tables: input.tables,
    records,
    alerts,
    alertSummary: summariseAlerts(alerts),
    ...(comparison ? { comparison } : {}),
    actionPlan: [],
  };
  document.actionPlan = input.actionPlan ?? generateActionPlan(template, document);
  return document;
}

/** A published record id: stable for the same unit, revealing no child id. */
export function recordId(authorityId: string, unitId: string): string {
  return `R-${pseudonymousChildId(authorityId, unitId).slice(2)}`;
}

/** "No permanence plan by 2nd review: 7 (CiN/CP North 4, CiN/CP South 3)", per criterion. */
export function summariseAlerts(alerts: readonly Alert[]): AlertSummary[] {
  const byCriterion = new Map<string, Alert[]>();
  for (const a of alerts) byCriterion.set(a.criterionId, [...(byCriterion.get(a.criterionId) ?? []), a]);
  return [...byCriterion.entries()].map(([criterionId, list]) => {
    const services = new Map<string, number>();
    for (const a of list) services.set(a.service ?? NOT_RECORDED, (services.get(a.service ?? NOT_RECORDED) ?? 0) + 1);
    const byService = [...services.entries()].map(([service, count]) => ({ service, count })).sort((a, b) => b.count - a.count || a.service.localeCompare(b.service));
    const { title, theme } = list[0]!;
    return { criterionId, theme, title, total: list.length, byService, summary: `${title}: ${list.length} (${byService.map((s) => `${s.service} ${s.count}`).join(', ')})` };
  });
}

function compare(previous: FindingsDocument, records: readonly RecordFinding[], template: AuditTemplate): NonNullable<FindingsDocument['comparison']> {
  const notMet = (rs: readonly RecordFinding[], criterionId: string) =>
    new Set(rs.filter((r) => r.outcomes[criterionId]?.outcome === 'not-met').flatMap((r) => r.children));
  const met = (rs: readonly RecordFinding[], criterionId: string) =>
    new Set(rs.filter((r) => r.outcomes[criterionId]?.outcome === 'met').flatMap((r) => r.children));
  return {
    previousAuditId: previous.audit.id,
    criteria: template.criteria.map((c) => {
      const before = notMet(previous.records, c.id);
      const now = notMet(records, c.id);
      const metNow = met(records, c.id);
      return {
        criterionId: c.id,
        newlyNotMet: [...now].filter((x) => !before.has(x)).sort(),
        resolved: [...before].filter((x) => metNow.has(x)).sort(),
        persisting: [...now].filter((x) => before.has(x)).sort(),
      };
    }),
  };
}

/**
 * The template's actions for every criterion below its threshold. An owner team of
 * "each team with alerts" becomes one row per team named in that criterion's alerts.
 */
export function generateActionPlan(template: AuditTemplate, findings: Pick<FindingsDocument, 'criteria' | 'alerts' | 'audit'>): ActionPlanRow[] {
  const rows: ActionPlanRow[] = [];
  const closed = findings.audit.closedAt.slice(0, 10);
  for (const action of template.actions) {
    const criterion = findings.criteria.find((c) => c.id === action.criterion);
    if (!criterion?.belowThreshold) continue;
    const teams = action.owner.team === 'each team with alerts'
      ? [...new Set(findings.alerts.filter((a) => a.criterionId === criterion.id).map((a) => a.team))].sort()
      : [action.owner.team];
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
