/**
 * Runs an audit over the store without holding its population: each scan segment (the worker a Step
 * Functions Map state runs on AWS, a promise locally) writes what it gathers to the bucket as sorted
 * runs; the sample is drawn from the merged runs as they stream past; the findings pass streams them
 * once more, counting the tables over every unit, judging the sampled ones and handing each record
 * and alert on as it goes.
 */
import { createHash } from 'node:crypto';
import type { Professional } from '#domain/records';
import type { TimescaleSet } from '#domain/timescales';
import type { ObjectStore } from '#store/object-store';
import type { RecordStore } from '#store/record-store';
import { judgeUnit } from './evaluate.ts';
import { FindingsBuilder, type AlertTally, type JudgedUnit, type PreviousFindings } from './findings.ts';
import type { ActionPlanRow, Alert, FindingsDocument, RecordFinding } from './findings-model.ts';
import { childUnits, pseudonymousChildId, siblingGroupUnit, siblingStandings, type AuditPeriod, type AuditUnit, type PopulationContext, type SiblingStanding } from './population.ts';
import { DEFAULT_EXCLUDE_REASON, drawSample, type SampleResult, type SamplingPlan, type SamplingUnit } from './sampling.ts';
import { marginOfError } from './statistics.ts';
import { TableAccumulator } from './tables.ts';
import type { Agreement } from './moderation.ts';
import type { AuditTemplate } from './template.ts';
import { mergeRuns, RunWriter, type RunRef } from './work-runs.ts';

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
  /** The timescale set to judge by; the authority's current set when absent. A stored audit keeps the set it was launched with. */
  timescales?: TimescaleSet | undefined;
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
  previous?: FindingsDocument | PreviousFindings;
  /** The QA lead's edited action plan; the template's is generated when absent. */
  actionPlan?: ActionPlanRow[];
  /** IROs' grades by unit id, when the audit was graded. */
  grades?: ReadonlyMap<string, Pick<JudgedUnit, 'grades' | 'overall' | 'comment'>>;
  /** The moderation's agreement, when the audit was moderated. */
  moderation?: Agreement;
  now?: () => Date;
}

/** Thrown when the audit cannot run with what it was given; the message says why in the QA lead's words. */
export class AuditRequestError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AuditRequestError';
  }
}

/** What one scan segment wrote: its runs (audit units, or for sibling groups, which span segments, each member's standing). */
export interface SegmentOutput {
  segment: number;
  childrenScanned: number;
  /** Units (or standings) written. */
  items: number;
  runs: RunRef[];
}

/** The population as the segments left it in the bucket. */
export interface Population {
  authorityName: string;
  childrenScanned: number;
  runs: RunRef[];
}

export type AuditContext = PopulationContext & { authorityName: string };

/**
 * The context every segment shares: the timescales and the authority's professionals. The timescales
 * are the audit's own when it has them (fixed at launch, so changing the authority's set later never
 * changes an audit under way or closed), else the authority's current set.
 */
export async function populationContext(store: RecordStore, request: Pick<AuditRequest, 'authorityId' | 'period' | 'timescales'>): Promise<AuditContext> {
  const authority = await store.getAuthority(request.authorityId);
  if (!authority) throw new AuditRequestError(`no authority "${request.authorityId}" in the store: import its records first`);
  const professionals = new Map<string, Professional>();
  for await (const p of store.professionals(request.authorityId)) professionals.set(p.workerId, p);
  return { authorityId: request.authorityId, authorityName: authority.name, period: request.period, timescales: request.timescales ?? authority.timescales, professionals };
}

const familyKey = (familyId: string) => `family:${familyId}`;

/**
 * One scan segment's share of the population, written under `prefix` as sorted runs as the children
 * stream past (keyed by unit id; standings by their group's unit id). Memory is one run, whatever the segment's size.
 */
export async function gatherSegment(
  store: RecordStore,
  objects: ObjectStore,
  ctx: PopulationContext,
  template: AuditTemplate,
  segment: number,
  totalSegments: number,
  prefix: string,
  onChild?: () => void,
): Promise<SegmentOutput> {
  const rule = template.population.rule;
  const writer = new RunWriter(objects, prefix);
  let childrenScanned = 0;
  let items = 0;
  for await (const records of store.scanChildRecords(ctx.authorityId, segment, totalSegments)) {
    childrenScanned += 1;
    if (rule === 'sibling-groups-at-period-end') {
      for (const standing of siblingStandings(records, ctx)) {
        await writer.add(familyKey(standing.familyId), standing);
        items += 1;
      }
    } else {
      for (const unit of childUnits(rule, records, ctx)) {
        await writer.add(unit.unitId, unit);
        items += 1;
      }
    }
    onChild?.();
  }
  return { segment, childrenScanned, items, runs: await writer.finish() };
}

/**
 * Every unit of the population in unit-id order (the order the findings list them), from the
 * segments' runs: sibling groups are assembled here from their members' standings, which meet in the merge.
 */
export async function* populationUnits(objects: ObjectStore, template: AuditTemplate, ctx: PopulationContext, runs: readonly RunRef[]): AsyncIterable<AuditUnit> {
  let previous: string | undefined;
  if (template.population.rule !== 'sibling-groups-at-period-end') {
    for await (const item of mergeRuns(objects, runs)) {
      if (item.key === previous) throw new RangeError(`unit "${item.key}" is listed twice`);
      previous = item.key;
      yield JSON.parse(item.json) as AuditUnit;
    }
    return;
  }
  let members: SiblingStanding[] = [];
  const group = () => siblingGroupUnit(members[0]!.familyId, members, ctx);
  for await (const item of mergeRuns(objects, runs)) {
    if (item.key !== previous && members.length > 0) {
      const unit = group();
      if (unit) yield unit;
      members = [];
    }
    previous = item.key;
    members.push(JSON.parse(item.json) as SiblingStanding);
  }
  if (members.length > 0) {
    const unit = group();
    if (unit) yield unit;
  }
}

/** Runs `work` for every segment in parallel; every segment settles before a failure is reported, so none is still reading after. */
export async function forEachSegment<T>(segments: readonly number[], work: (segment: number) => Promise<T>): Promise<T[]> {
  const settled = await Promise.allSettled(segments.map(work));
  const failed = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
  return settled.map((r) => (r as PromiseFulfilledResult<T>).value);
}

/** The drawn sample, as kept: a census (sampling "all") lists only what it left out. */
export interface DrawnSample {
  /** Sampling "all": every unit not excluded is in the sample, and `unitIds` is not listed. */
  census: boolean;
  /** The sampled unit ids, sorted (code-unit order); empty for a census. */
  unitIds: string[];
  /** The children of the sampled units, sorted. */
  childIds: string[];
  excluded: { unitId: string; reason: string }[];
  marginOfError: number | null;
  populationSize: number;
  sampleSize: number;
}

const byCodeUnits = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Draws the sample from the population as it streams past, with exactly drawSample's result. A census
 * keeps nothing per unit (only the units left out and the sampled children); any other plan keeps a
 * small index of the eligible units (id, service, team) to draw from, then reads the population again
 * for the sampled units' children.
 */
export async function drawPopulationSample(
  units: () => AsyncIterable<AuditUnit>,
  plan: SamplingPlan,
  options: { seed: number; excludeChildIds?: ReadonlySet<string>; excludeReason?: string },
): Promise<DrawnSample> {
  drawSample([], plan, { seed: options.seed }); // refuses a bad plan or seed before any reading
  const exclude = options.excludeChildIds;
  const reason = options.excludeReason ?? DEFAULT_EXCLUDE_REASON;
  const excluded: { unitId: string; reason: string }[] = [];
  const census = plan.type === 'all';
  const children = new Set<string>();
  const index: { unitId: string; childIds: readonly string[]; service: string | null; team: string | null }[] = [];
  // Services and teams repeat across units: one string each.
  const names = new Map<string, string>();
  const intern = (s: string | null) => (s === null ? null : names.get(s) ?? (names.set(s, s), s));
  let populationSize = 0;
  for await (const unit of units()) {
    populationSize += 1;
    if (exclude && unit.childIds.some((id) => exclude.has(id))) {
      excluded.push({ unitId: unit.unitId, reason });
      continue;
    }
    if (census) for (const c of unit.childIds) children.add(c);
    else index.push({ unitId: unit.unitId, childIds: [], service: intern(unit.service), team: intern(unit.team) });
  }
  excluded.sort((a, b) => byCodeUnits(a.unitId, b.unitId));
  if (census) {
    const size = populationSize - excluded.length;
    return { census, unitIds: [], childIds: [...children].sort(), excluded, marginOfError: marginOfError(size, size), populationSize, sampleSize: size };
  }
  const drawn: SampleResult = drawSample(index, plan, { seed: options.seed });
  index.length = 0;
  const chosen = new Set(drawn.sample);
  for await (const unit of units()) if (chosen.has(unit.unitId)) for (const c of unit.childIds) children.add(c);
  return { census, unitIds: drawn.sample, childIds: [...children].sort(), excluded, marginOfError: drawn.marginOfError, populationSize, sampleSize: drawn.sample.length };
}

/** Whether a unit is in a drawn sample. */
export function inSample(sample: Pick<DrawnSample, 'census' | 'unitIds' | 'excluded'>): (unitId: string) => boolean {
  if (sample.census) {
    const left = new Set(sample.excluded.map((e) => e.unitId));
    return (unitId) => !left.has(unitId);
  }
  const chosen = new Set(sample.unitIds);
  return (unitId) => chosen.has(unitId);
}

/** Where the findings pass hands each record and alert as it is made. */
export interface FindingsSink {
  record(record: RecordFinding): Promise<void> | void;
  alert(criterionIndex: number, alert: Alert): Promise<void> | void;
}

export interface StreamedFindings {
  /** The findings document without its records and alerts (handed to the sink instead). */
  document: FindingsDocument;
  tally: AlertTally;
  builder: FindingsBuilder;
}

/**
 * The findings pass: every unit counted into the tables, every sampled one judged (and graded) and
 * its record and alerts handed to the sink at once. Memory is the counts and the grades, not the units.
 */
export async function streamFindings(
  units: AsyncIterable<AuditUnit>,
  sampled: (unitId: string) => boolean,
  request: Pick<AuditRequest, 'auditId' | 'title' | 'authorityId' | 'template' | 'period' | 'seed' | 'autoOnly'>,
  ctx: { authorityName: string; marginOfError: number | null; timescales: TimescaleSet },
  sink: FindingsSink,
  options: Omit<RunOptions, 'segments'> = {},
): Promise<StreamedFindings> {
  const { template } = request;
  const builder = new FindingsBuilder(
    template,
    {
      id: request.auditId,
      title: request.title,
      authorityId: request.authorityId,
      authorityName: ctx.authorityName,
      closedAt: (options.now?.() ?? new Date()).toISOString(),
      seed: request.seed,
      autoOnly: request.autoOnly,
    },
    options.previous,
    ctx.timescales,
  );
  const tables = new TableAccumulator(template.tables, (familyId) => `G-${pseudonymousChildId(request.authorityId, `family:${familyId}`).slice(2)}`);
  let populationSize = 0;
  for await (const unit of units) {
    populationSize += 1;
    tables.add(unit);
    if (!sampled(unit.unitId)) continue;
    const graded = request.autoOnly ? undefined : options.grades?.get(unit.unitId);
    const { record, alerts } = builder.add({ unit, outcomes: judgeUnit(template, unit, ctx.timescales), grades: graded?.grades ?? {}, overall: graded?.overall ?? null, comment: graded?.comment ?? null });
    await sink.record(record);
    for (const { criterionIndex, alert } of alerts) await sink.alert(criterionIndex, alert);
  }
  const document = builder.finish({
    period: request.period,
    populationSize,
    marginOfError: ctx.marginOfError,
    tables: tables.tables(),
    ...(options.actionPlan ? { actionPlan: options.actionPlan } : {}),
    ...(options.moderation ? { moderation: options.moderation } : {}),
  });
  options.onProgress?.({ phase: 'findings', childrenScanned: 0, units: document.sampleSize });
  return { document, tally: builder.alertTally(), builder };
}

/** A bucket in memory: runAudit's work files when the caller gives none (small audits and tests). */
export class MemoryObjectStore implements ObjectStore {
  private readonly objects = new Map<string, Uint8Array>();
  async ping(): Promise<void> {}
  async put(key: string, body: Uint8Array | string): Promise<{ sha256: string; size: number }> {
    const bytes = typeof body === 'string' ? new TextEncoder().encode(body) : body;
    this.objects.set(key, bytes);
    return { sha256: createHash('sha256').update(bytes).digest('hex'), size: bytes.byteLength };
  }
  async get(key: string): Promise<Uint8Array | null> {
    return this.objects.get(key) ?? null;
  }
}

/**
 * The sample a plan would draw from the population as the records stand now — population, eligible
 * units, exclusions, strata and margin — counted in this process with a bucket in memory: what a QA
 * lead checks before launching. Holds an index of the units, so it is for a preview, not a run.
 */
export async function previewSample(
  store: RecordStore,
  request: Pick<AuditRequest, 'authorityId' | 'template' | 'period' | 'sampling' | 'seed' | 'excludeChildIds'>,
  options: { segments?: number } = {},
): Promise<SampleResult> {
  const objects = new MemoryObjectStore();
  const ctx = await populationContext(store, request);
  const total = options.segments ?? 4;
  const outputs = await forEachSegment([...Array(total).keys()], (segment) =>
    gatherSegment(store, objects, ctx, request.template, segment, total, `preview/segment-${String(segment).padStart(2, '0')}/`));
  const index: SamplingUnit[] = [];
  for await (const unit of populationUnits(objects, request.template, ctx, outputs.flatMap((o) => o.runs))) {
    index.push({ unitId: unit.unitId, childIds: unit.childIds, service: unit.service, team: unit.team });
  }
  return drawSample(index, request.sampling, { seed: request.seed, ...(request.excludeChildIds ? { excludeChildIds: request.excludeChildIds } : {}) });
}

/**
 * Runs the whole audit and returns its findings as one document: the same segments, sample and
 * findings pass as a stored audit, with the records and alerts gathered in memory at the end — for
 * small audits, tests and a quick look; stored audits (jobs.ts) publish them as they stream instead.
 */
export async function runAudit(
  store: RecordStore,
  request: AuditRequest,
  options: RunOptions & { objects?: ObjectStore } = {},
): Promise<{ findings: FindingsDocument; sample: DrawnSample; population: { size: number; childrenScanned: number } }> {
  const objects = options.objects ?? new MemoryObjectStore();
  const ctx = await populationContext(store, request);
  const total = options.segments ?? 4;
  const prefix = `work/${request.authorityId}/${request.auditId}/run-${Date.now().toString(36)}/`;
  let scanned = 0;
  const onChild = () => {
    scanned += 1;
    if (scanned % 1000 === 0) options.onProgress?.({ phase: 'population', childrenScanned: scanned, units: 0 });
  };
  const outputs = await forEachSegment([...Array(total).keys()], (segment) =>
    gatherSegment(store, objects, ctx, request.template, segment, total, `${prefix}segment-${String(segment).padStart(2, '0')}/`, onChild));
  const runs = outputs.flatMap((o) => o.runs);
  const childrenScanned = outputs.reduce((n, o) => n + o.childrenScanned, 0);
  const units = () => populationUnits(objects, request.template, ctx, runs);
  const sample = await drawPopulationSample(units, request.sampling, { seed: request.seed, ...(request.excludeChildIds ? { excludeChildIds: request.excludeChildIds } : {}) });
  options.onProgress?.({ phase: 'population', childrenScanned, units: sample.populationSize });
  const records: RecordFinding[] = [];
  const alerts: Alert[][] = request.template.criteria.map(() => []);
  const { document } = await streamFindings(units(), inSample(sample), request, { authorityName: ctx.authorityName, marginOfError: sample.marginOfError, timescales: ctx.timescales }, {
    record: (r) => void records.push(r),
    alert: (i, a) => void alerts[i]!.push(a),
  }, options);
  return { findings: { ...document, records, alerts: alerts.flat() }, sample, population: { size: sample.populationSize, childrenScanned } };
}
