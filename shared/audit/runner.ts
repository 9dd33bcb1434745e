/**
 * Runs an audit over the store: the population is gathered over scan segments in parallel (the
 * same segment worker a Step Functions Map state runs on AWS), the tables accumulate as units
 * stream past, the sample is drawn, the automatic criteria judged, and the findings computed.
 */
import type { Professional } from '#domain/records';
import type { RecordStore } from '#store/record-store';
import { judgeUnit } from './evaluate.ts';
import { computeFindings, type JudgedUnit } from './findings.ts';
import type { ActionPlanRow, FindingsDocument } from './findings-model.ts';
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
  /** The QA lead's edited action plan; the template's is generated when absent. */
  actionPlan?: ActionPlanRow[];
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

/** What one scan segment contributes: audit units, or (for sibling groups, which span segments) each member's standing. */
export interface SegmentOutput {
  segment: number;
  childrenScanned: number;
  units: AuditUnit[];
  standings: SiblingStanding[];
}

/** The context every segment shares: the authority's timescales and its professionals. */
export async function populationContext(store: RecordStore, request: Pick<AuditRequest, 'authorityId' | 'period'>): Promise<PopulationContext & { authorityName: string }> {
  const authority = await store.getAuthority(request.authorityId);
  if (!authority) throw new AuditRequestError(`no authority "${request.authorityId}" in the store: import its records first`);
  const professionals = new Map<string, Professional>();
  for await (const p of store.professionals(request.authorityId)) professionals.set(p.workerId, p);
  return { authorityId: request.authorityId, authorityName: authority.name, period: request.period, timescales: authority.timescales, professionals };
}

/** One scan segment's share of the population: the worker a Step Functions Map state runs on AWS, and a promise locally. */
export async function gatherSegment(
  store: RecordStore,
  ctx: PopulationContext,
  template: AuditTemplate,
  segment: number,
  totalSegments: number,
  onChild?: () => void,
): Promise<SegmentOutput> {
  const rule = template.population.rule;
  const output: SegmentOutput = { segment, childrenScanned: 0, units: [], standings: [] };
  for await (const records of store.scanChildRecords(ctx.authorityId, segment, totalSegments)) {
    output.childrenScanned += 1;
    if (rule === 'sibling-groups-at-period-end') output.standings.push(...siblingStandings(records, ctx));
    else output.units.push(...childUnits(rule, records, ctx));
    onChild?.();
  }
  return output;
}

/** The population from every segment's output: sibling groups assembled across segments, units in a reproducible order, tables counted. */
export function assemblePopulation(template: AuditTemplate, ctx: PopulationContext & { authorityName: string }, outputs: readonly SegmentOutput[]): Population {
  const units = outputs.flatMap((o) => o.units);
  if (template.population.rule === 'sibling-groups-at-period-end') {
    const families = new Map<string, SiblingStanding[]>();
    for (const s of outputs.flatMap((o) => o.standings)) families.set(s.familyId, [...(families.get(s.familyId) ?? []), s]);
    for (const [familyId, members] of families) {
      const unit = siblingGroupUnit(familyId, members, ctx);
      if (unit) units.push(unit);
    }
  }
  // Segments finish in any order: sort so everything downstream is reproducible.
  units.sort((a, b) => a.unitId.localeCompare(b.unitId));
  const tables = new TableAccumulator(template.tables, (familyId) => `G-${pseudonymousChildId(ctx.authorityId, `family:${familyId}`).slice(2)}`);
  for (const unit of units) tables.add(unit);
  return { authorityName: ctx.authorityName, units, tables, childrenScanned: outputs.reduce((n, o) => n + o.childrenScanned, 0) };
}

/** Runs `work` for every segment in parallel; every segment settles before a failure is reported, so none is still reading after. */
export async function forEachSegment<T>(segments: readonly number[], work: (segment: number) => Promise<T>): Promise<T[]> {
  const settled = await Promise.allSettled(segments.map(work));
  const failed = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
  return settled.map((r) => (r as PromiseFulfilledResult<T>).value);
}

/** The authority's population for a template, gathered over scan segments in parallel, in memory. */
export async function gatherPopulation(store: RecordStore, request: Pick<AuditRequest, 'authorityId' | 'template' | 'period'>, options: RunOptions = {}): Promise<Population> {
  const ctx = await populationContext(store, request);
  const total = options.segments ?? 4;
  let scanned = 0;
  const onChild = () => {
    scanned += 1;
    if (scanned % 1000 === 0) options.onProgress?.({ phase: 'population', childrenScanned: scanned, units: 0 });
  };
  const outputs = await forEachSegment([...Array(total).keys()], (segment) => gatherSegment(store, ctx, request.template, segment, total, onChild));
  const population = assemblePopulation(request.template, ctx, outputs);
  options.onProgress?.({ phase: 'population', childrenScanned: population.childrenScanned, units: population.units.length });
  return population;
}

/** Draws the sample for a gathered population. */
export function sampleOf(population: Population, request: Pick<AuditRequest, 'sampling' | 'seed' | 'excludeChildIds'>): SampleResult {
  return drawSample(
    population.units.map((u) => ({ unitId: u.unitId, childIds: u.childIds, service: u.service, team: u.team })),
    request.sampling,
    { seed: request.seed, ...(request.excludeChildIds ? { excludeChildIds: request.excludeChildIds } : {}) },
  );
}

/** Judges the sampled units and computes the findings (pure: nothing is read or written). */
export function findingsFor(population: Population, sample: Pick<SampleResult, 'sample' | 'marginOfError'>, request: AuditRequest, options: Omit<RunOptions, 'segments'> = {}): FindingsDocument {
  const chosen = new Set(sample.sample);
  const judged: JudgedUnit[] = population.units
    .filter((u) => chosen.has(u.unitId))
    .map((unit) => {
      const graded = request.autoOnly ? undefined : options.grades?.get(unit.unitId);
      return { unit, outcomes: judgeUnit(request.template, unit), grades: graded?.grades ?? {}, overall: graded?.overall ?? null, comment: graded?.comment ?? null };
    });
  options.onProgress?.({ phase: 'findings', childrenScanned: population.childrenScanned, units: judged.length });
  return computeFindings({
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
    ...(options.actionPlan ? { actionPlan: options.actionPlan } : {}),
  });
}

/** Runs the whole audit in memory and returns its findings (nothing is written: publishing is the caller's step). */
export async function runAudit(store: RecordStore, request: AuditRequest, options: RunOptions = {}): Promise<{ findings: FindingsDocument; sample: SampleResult; population: Population }> {
  const population = await gatherPopulation(store, request, options);
  const sample = sampleOf(population, request);
  return { findings: findingsFor(population, sample, request, options), sample, population };
}
