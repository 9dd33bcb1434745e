/**
 * Runs an audit over the store without holding its population: each scan segment (the worker a Step
 * Functions Map state runs on AWS, a promise locally) writes what it gathers to the bucket as sorted
 * runs; the sample is drawn from the merged runs as they stream past; the findings pass streams them
 * once more, counting the tables over every unit, judging the sampled ones and handing each record
 * and alert on as it goes.
 */
import { createHash } from 'node:crypto';
import { AppError, type ErrorKind } from '#errors';
import type { Professional } from '#domain/records';
import type { TimescaleSet } from '#domain/timescales';
import type { ObjectStore } from '#store/object-store';
import type { RecordStore } from '#store/record-store';
import type { FindingsDocument, RecordFinding, Alert } from '#engine/findings-model';
import {
  assembleUnits,
  mergeTallies,
  runPipeline,
  SegmentAccumulator,
  type AuditContext,
  type AuditProgress,
  type DrawnSample,
  type FindingsOptions,
  type FindingsRequest,
  type PopulationItem,
} from '#engine/pipeline';
import type { AuditUnit, PopulationContext } from '#engine/population';
import type { SampleResult, SamplingPlan } from '#engine/sampling';
import type { AuditTemplate } from '#engine/template';
import { mergeRuns, RunWriter, type RunRef } from './work-runs.ts';

export interface AuditRequest extends FindingsRequest {
  sampling: SamplingPlan;
  /** Children audited recently, left out of the sample. */
  excludeChildIds?: ReadonlySet<string>;
  /** The timescale set to judge by; the authority's current set when absent. A stored audit keeps the set it was launched with. */
  timescales?: TimescaleSet | undefined;
}

export type { AuditContext, AuditProgress, DrawnSample };

export interface RunOptions extends FindingsOptions {
  /** Scan segments worked in parallel (default 4). */
  segments?: number;
}

/**
 * Thrown when the audit cannot run with what it was given; the message says why in the QA lead's
 * words: a conflict, or not found (`kind` "not-found") for an audit that does not exist. The
 * name stays: the state machine refuses to retry an AuditRequestError by name.
 */
export class AuditRequestError extends AppError {
  constructor(message: string, kind: ErrorKind = 'conflict') {
    super(kind, message, { name: 'AuditRequestError' });
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

/**
 * The context every segment shares: the timescales and the authority's professionals. The timescales
 * are the audit's own when it has them (fixed at launch, so changing the authority's set later never
 * changes an audit under way or closed), else the authority's current set.
 */
export async function populationContext(
  store: RecordStore,
  request: Pick<AuditRequest, 'authorityId' | 'period' | 'timescales'>,
): Promise<AuditContext> {
  const authority = await store.getAuthority(request.authorityId);
  if (!authority)
    throw new AuditRequestError(`no authority "${request.authorityId}" in the store: import its records first`);
  const professionals = new Map<string, Professional>();
  for await (const p of store.professionals(request.authorityId)) professionals.set(p.workerId, p);
  return {
    authorityId: request.authorityId,
    authorityName: authority.name,
    period: request.period,
    timescales: request.timescales ?? authority.timescales,
    professionals,
  };
}

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
  const writer = new RunWriter(objects, prefix);
  // A run holds what the item holds: the unit, or the member's standing.
  const segmentAccumulator = new SegmentAccumulator(template, ctx, (item) =>
    writer.add(item.key, item.unit ?? item.standing),
  );
  for await (const records of store.scanChildRecords(ctx.authorityId, segment, totalSegments)) {
    await segmentAccumulator.add(records);
    onChild?.();
  }
  return { segment, ...segmentAccumulator.tally(), runs: await writer.finish() };
}

/**
 * Every unit of the population in unit-id order (the order the findings list them), from the
 * segments' runs: sibling groups are assembled from their members' standings, which meet in the merge.
 */
export function populationUnits(
  objects: ObjectStore,
  template: AuditTemplate,
  ctx: PopulationContext,
  runs: readonly RunRef[],
): AsyncIterable<AuditUnit> {
  const sibling = template.population.rule === 'sibling-groups-at-period-end';
  async function* items(): AsyncIterable<PopulationItem> {
    for await (const item of mergeRuns(objects, runs)) {
      const value = JSON.parse(item.json);
      yield sibling ? { key: item.key, standing: value } : { key: item.key, unit: value };
    }
  }
  return assembleUnits(template, ctx, items());
}

/** Runs `work` for every segment in parallel; every segment settles before a failure is reported, so none is still reading after. */
export async function forEachSegment<T>(
  segments: readonly number[],
  work: (segment: number) => Promise<T>,
): Promise<T[]> {
  const settled = await Promise.allSettled(segments.map(work));
  const failed = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
  return settled.map((r) => (r as PromiseFulfilledResult<T>).value);
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
 * lead checks before launching.
 */
export async function previewSample(
  store: RecordStore,
  request: Pick<AuditRequest, 'authorityId' | 'template' | 'period' | 'sampling' | 'seed' | 'excludeChildIds'>,
  options: { segments?: number } = {},
): Promise<Omit<SampleResult, 'sample'> & { sampleSize: number }> {
  const objects = new MemoryObjectStore();
  const ctx = await populationContext(store, request);
  const total = options.segments ?? 4;
  const outputs = await forEachSegment([...Array(total).keys()], (segment) =>
    gatherSegment(
      store,
      objects,
      ctx,
      request.template,
      segment,
      total,
      `preview/segment-${String(segment).padStart(2, '0')}/`,
    ),
  );
  const { drawn } = await runPipeline({
    ctx,
    units: () =>
      populationUnits(
        objects,
        request.template,
        ctx,
        outputs.flatMap((o) => o.runs),
      ),
    sample: { plan: request.sampling, seed: request.seed, excludeChildIds: request.excludeChildIds },
  });
  const { populationSize, excluded, sampleSize, marginOfError, strata } = drawn!;
  return {
    seed: request.seed,
    plan: request.sampling,
    populationSize,
    eligibleSize: populationSize - excluded.length,
    excluded,
    sampleSize,
    marginOfError,
    ...(strata ? { strata } : {}),
  };
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
    gatherSegment(
      store,
      objects,
      ctx,
      request.template,
      segment,
      total,
      `${prefix}segment-${String(segment).padStart(2, '0')}/`,
      onChild,
    ),
  );
  const runs = outputs.flatMap((o) => o.runs);
  const childrenScanned = mergeTallies(outputs).childrenScanned;
  const records: RecordFinding[] = [];
  const alerts: Alert[][] = request.template.criteria.map(() => []);
  const { drawn, findings } = await runPipeline({
    ctx,
    units: () => populationUnits(objects, request.template, ctx, runs),
    sample: { plan: request.sampling, seed: request.seed, excludeChildIds: request.excludeChildIds },
    onSampled: (drawn) => options.onProgress?.({ phase: 'population', childrenScanned, units: drawn.populationSize }),
    findings: {
      request,
      sink: { record: (r) => void records.push(r), alert: (i, a) => void alerts[i]!.push(a) },
      options,
    },
  });
  const sample = drawn!;
  const { document } = findings!;
  return {
    findings: { ...document, records, alerts: alerts.flat() },
    sample,
    population: { size: sample.populationSize, childrenScanned },
  };
}
