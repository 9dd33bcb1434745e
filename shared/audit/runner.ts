/**
 * Runs an audit over the store: the population is gathered over scan segments in parallel (the
 * same segment worker a Step Functions Map state runs on AWS), the tables accumulate as units
 * stream past, the sample is drawn, the automatic criteria judged, and the findings computed.
 */
import type { Professional } from '#domain/records';
import type { RecordStore } from '#store/record-store';
import { judgeUnit } from './evaluate.ts';
import { computeFindings, type JudgedUnit } from './findings.ts';
import type { FindingsDocument } from './findings-model.ts';
import { childUnits, pseudonymousChildId, siblingGroupUnit, siblingStandings, type AuditPeriod, type AuditUnit, type PopulationContext, type SiblingStanding } from './population.ts';
import { drawSample, type SampleResult, type SamplingPlan } from './sampling.ts';
import { TableAccumulator } from './tables.ts';
import type { AuditTemplate } from './template.ts';

export interface AuditRequest {
  auditId: string;
  authorityId: string;
  title: string;
  template: AuditTemplate;
  period: AuditPeriod;
  sampling: SamplingPlan;
  seed: number;
  /** Automatic criteria only: manual criteria are left ungraded ("cannot tell"). */
  autoOnly: boolean;
  /** Children audited recently, left out of the sample. */
  excludeChildIds?: ReadonlySet<string>;
}

export interface AuditProgress {
  phase: 'population' | 'judging' | 'findings';
  childrenScanned: number;
  units: number;
}

export interface RunOptions {
  /** Scan segments worked in parallel (default 4). */
  segments?: number;
  onProgress?: (progress: AuditProgress) => void;
  previous?: FindingsDocument;
  /** IROs' grades by unit id, when the audit was graded. */
  grades?: ReadonlyMap<string, Pick<JudgedUnit, 'grades' | 'overall' | 'comment'>>;
  now?: () => Date;
}

export interface Population {
  authorityName: string;
  units: AuditUnit[];
  tables: TableAccumulator;
  childrenScanned: number;
}

/** Thrown when the audit cannot run with what it was given; the message says why in the QA lead's words. */
export class AuditRequestError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AuditRequestError';
  }
}

/** The authority's population for a template, gathered over scan segments in parallel. */
export async function gatherPopulation(store: RecordStore, request: Pick<AuditRequest, 'authorityId' | 'template' | 'period'>, options: RunOptions = {}): Promise<Population> {
  const authority = await store.getAuthority(request.authorityId);
  if (!authority) throw new AuditRequestError(`no authority "${request.authorityId}" in the store: import its records first`);
  const professionals = new Map<string, Professional>();
  for await (const p of store.professionals(request.authorityId)) professionals.set(p.workerId, p);
  const ctx: PopulationContext = { authorityId: request.authorityId, period: request.period, timescales: authority.timescales, professionals };
  const rule = request.template.population.rule;
  const tables = new TableAccumulator(request.template.tables, (familyId) => `G-${pseudonymousChildId(request.authorityId, `family:${familyId}`).slice(2)}`);
  const units: AuditUnit[] = [];
  const standings: SiblingStanding[] = [];
  let childrenScanned = 0;
  const segments = options.segments ?? 4;

  // Settle every segment before reporting a failure, so no segment is still reading after the caller hears of it.
  const settled = await Promise.allSettled(
    Array.from({ length: segments }, async (_, segment) => {
      for await (const records of store.scanChildRecords(request.authorityId, segment, segments)) {
        childrenScanned += 1;
        if (rule === 'sibling-groups-at-period-end') standings.push(...siblingStandings(records, ctx));
        else for (const unit of childUnits(rule, records, ctx)) units.push(unit);
        if (childrenScanned % 1000 === 0) options.onProgress?.({ phase: 'population', childrenScanned, units: units.length });
      }
    }),
  );
  const failed = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
  if (rule === 'sibling-groups-at-period-end') {
    const families = new Map<string, SiblingStanding[]>();
    for (const s of standings) families.set(s.familyId, [...(families.get(s.familyId) ?? []), s]);
    for (const [familyId, members] of families) {
      const unit = siblingGroupUnit(familyId, members, ctx);
      if (unit) units.push(unit);
    }
  }
  // Scan segments finish in any order: sort so everything downstream is reproducible.
  units.sort((a, b) => a.unitId.localeCompare(b.unitId));
  for (const unit of units) tables.add(unit);
  options.onProgress?.({ phase: 'population', childrenScanned, units: units.length });
  return { authorityName: authority.name, units, tables, childrenScanned };
}

/** Draws the sample for a gathered population. */
export function sampleOf(population: Population, request: Pick<AuditRequest, 'sampling' | 'seed' | 'excludeChildIds'>): SampleResult {
  return drawSample(
    population.units.map((u) => ({ unitId: u.unitId, childIds: u.childIds, service: u.service, team: u.team })),
    request.sampling,
    { seed: request.seed, ...(request.excludeChildIds ? { excludeChildIds: request.excludeChildIds } : {}) },
  );
}

/** Runs the whole audit and returns its findings (nothing is written: publishing is the caller's step). */
export async function runAudit(store: RecordStore, request: AuditRequest, options: RunOptions = {}): Promise<{ findings: FindingsDocument; sample: SampleResult; population: Population }> {
  const population = await gatherPopulation(store, request, options);
  const sample = sampleOf(population, request);
  const chosen = new Set(sample.sample);
  options.onProgress?.({ phase: 'judging', childrenScanned: population.childrenScanned, units: chosen.size });
  const judged: JudgedUnit[] = population.units
    .filter((u) => chosen.has(u.unitId))
    .map((unit) => {
      const graded = request.autoOnly ? undefined : options.grades?.get(unit.unitId);
      return { unit, outcomes: judgeUnit(request.template, unit), grades: graded?.grades ?? {}, overall: graded?.overall ?? null, comment: graded?.comment ?? null };
    });
  options.onProgress?.({ phase: 'findings', childrenScanned: population.childrenScanned, units: judged.length });
  const findings = computeFindings({
    audit: {
      id: request.auditId,
      title: request.title,
      authorityId: request.authorityId,
      authorityName: population.authorityName,
      closedAt: (options.now?.() ?? new Date()).toISOString(),
      seed: request.seed,
      autoOnly: request.autoOnly,
    },
    template: request.template,
    period: request.period,
    populationSize: population.units.length,
    marginOfError: sample.marginOfError,
    units: judged,
    tables: population.tables.tables(),
    ...(options.previous ? { previous: options.previous } : {}),
  });
  return { findings, sample, population };
}
