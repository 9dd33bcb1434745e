/**
 * The one audit pipeline, population → sample → findings, pure: the I/O side hands it child records
 * (a segment at a time) and the population's units as a stream, and takes what it gives back. The
 * launch preview, a run's settling and publishing, provisional findings and runAudit all go through
 * it, and grading rebuilds a unit with the same unit builder.
 *
 * Shaped for one pass: a segment accumulator builds each child's units as the records are read, its
 * counters merge across segments; the sample keeps only a small index (or, for a census, nothing per
 * unit); the findings pass judges each sampled unit as it is read and hands its record on at once.
 */
import type { ChildRecords } from '#domain/records';
import type { TimescaleSet } from '#domain/timescales';
import { judgeUnit } from './evaluate.ts';
import { FindingsBuilder, type AlertTally, type JudgedUnit, type PreviousFindings } from './findings.ts';
import type { ActionPlanRow, Alert, FindingsDocument, RecordFinding } from './findings-model.ts';
import type { Agreement } from './moderation.ts';
import {
  childUnits,
  pseudonymousChildId,
  siblingGroupUnit,
  siblingStandings,
  type AuditPeriod,
  type AuditUnit,
  type PopulationContext,
  type SiblingStanding,
} from './population.ts';
import { DEFAULT_EXCLUDE_REASON, drawSample, type SampleResult, type SamplingPlan } from './sampling.ts';
import { marginOfError } from './statistics.ts';
import { TableAccumulator } from './tables.ts';
import { unitOrder } from './order.ts';
import type { AuditTemplate } from './template.ts';

/** The population context with the authority's name, as the findings print it. */
export type AuditContext = PopulationContext & { authorityName: string };

export interface AuditProgress {
  phase: 'population' | 'judging' | 'findings';
  childrenScanned: number;
  units: number;
}

// ---------------------------------------------------------------------------------------------
// Population: the unit builder, and the accumulator a scan segment feeds.

/**
 * One child's share of the population, keyed by the unit it belongs to: a unit of its own (a review,
 * the child), or for sibling groups — which span children, and so segments — the child's standing
 * in its group, keyed by the group's unit id, to meet its siblings' when the keys are merged.
 */
export type PopulationItem =
  { key: string; unit: AuditUnit; standing?: never } | { key: string; standing: SiblingStanding; unit?: never };

const familyKey = (familyId: string) => `family:${familyId}`;

/** The unit builder: what one child's records add to the population of `template`. */
export function populationItems(
  template: Pick<AuditTemplate, 'population'>,
  records: ChildRecords,
  ctx: PopulationContext,
): PopulationItem[] {
  const rule = template.population.rule;
  if (rule === 'sibling-groups-at-period-end')
    return siblingStandings(records, ctx).map((standing) => ({ key: familyKey(standing.familyId), standing }));
  return childUnits(rule, records, ctx).map((unit) => ({ key: unit.unitId, unit }));
}

/** What a segment (or segments, merged) read: counters that add up across segments. */
export interface SegmentTally {
  childrenScanned: number;
  /** Units (or, for sibling groups, standings) built. */
  items: number;
}

/**
 * One scan segment's accumulator: each child's records become population items, handed to `emit`
 * as they are made (the I/O side writes them as sorted runs), and counted. `merge` adds another
 * segment's counters, so the segments of a run combine in any order.
 */
export class SegmentAccumulator implements SegmentTally {
  childrenScanned = 0;
  items = 0;

  constructor(
    private readonly template: Pick<AuditTemplate, 'population'>,
    private readonly ctx: PopulationContext,
    private readonly emit: (item: PopulationItem) => Promise<void> | void = () => {},
  ) {}

  /** Adds one child's records. */
  async add(records: ChildRecords): Promise<void> {
    this.childrenScanned += 1;
    for (const item of populationItems(this.template, records, this.ctx)) {
      await this.emit(item);
      this.items += 1;
    }
  }

  /** Adds another segment's counters to this one's. */
  merge(other: SegmentTally): this {
    this.childrenScanned += other.childrenScanned;
    this.items += other.items;
    return this;
  }

  tally(): SegmentTally {
    return { childrenScanned: this.childrenScanned, items: this.items };
  }
}

/** Segments' counters, combined. */
export function mergeTallies(tallies: Iterable<SegmentTally>): SegmentTally {
  const total: SegmentTally = { childrenScanned: 0, items: 0 };
  for (const t of tallies) {
    total.childrenScanned += t.childrenScanned;
    total.items += t.items;
  }
  return total;
}

/**
 * Population items, merged in key order from every segment, as units: a unit is passed on, a sibling
 * group is assembled from its members' standings (which meet in the merge). A key listed twice is
 * refused (RangeError) for units of a child or review.
 */
export async function* assembleUnits(
  template: Pick<AuditTemplate, 'population'>,
  ctx: PopulationContext,
  items: AsyncIterable<PopulationItem>,
): AsyncIterable<AuditUnit> {
  let previous: string | undefined;
  if (template.population.rule !== 'sibling-groups-at-period-end') {
    for await (const item of items) {
      if (item.key === previous) throw new RangeError(`unit "${item.key}" is listed twice`);
      previous = item.key;
      yield item.unit!;
    }
    return;
  }
  let members: SiblingStanding[] = [];
  const group = () => siblingGroupUnit(members[0]!.familyId, members, ctx);
  for await (const item of items) {
    if (item.key !== previous && members.length > 0) {
      const unit = group();
      if (unit) yield unit;
      members = [];
    }
    previous = item.key;
    members.push(item.standing!);
  }
  if (members.length > 0) {
    const unit = group();
    if (unit) yield unit;
  }
}

/**
 * A population held in memory, from children's records read in one or more segments: each segment
 * through its own accumulator, their counters merged, the items put in unit order and assembled.
 * For a handful of children (a test, one family's records); a run keeps its items in the bucket instead.
 */
export async function populationOf(
  template: Pick<AuditTemplate, 'population'>,
  ctx: PopulationContext,
  segments: readonly (Iterable<ChildRecords> | AsyncIterable<ChildRecords>)[],
): Promise<{ tally: SegmentTally; units: () => AsyncIterable<AuditUnit> }> {
  const items: PopulationItem[] = [];
  const accumulators = await Promise.all(
    segments.map(async (records) => {
      const segment = new SegmentAccumulator(template, ctx, (item) => void items.push(item));
      for await (const r of records) await segment.add(r);
      return segment;
    }),
  );
  const tally = accumulators
    .reduce((all, segment) => all.merge(segment), new SegmentAccumulator(template, ctx))
    .tally();
  items.sort((a, b) => unitOrder(a.key, b.key));
  async function* listed(): AsyncIterable<PopulationItem> {
    yield* items;
  }
  return { tally, units: () => assembleUnits(template, ctx, listed()) };
}

/**
 * One unit rebuilt from its children's records as they stand now (grading's evidence beside the
 * questions): the same unit builder as the population, or null when the records no longer make it.
 */
export function unitFromRecords(
  template: Pick<AuditTemplate, 'population'>,
  ctx: PopulationContext,
  unitId: string,
  children: readonly ChildRecords[],
): AuditUnit | null {
  const items = children.flatMap((c) => populationItems(template, c, ctx)).filter((item) => item.key === unitId);
  if (template.population.rule !== 'sibling-groups-at-period-end') return items[0]?.unit ?? null;
  const standings = items.map((item) => item.standing!);
  return standings.length > 0 ? siblingGroupUnit(standings[0]!.familyId, standings, ctx) : null;
}

// ---------------------------------------------------------------------------------------------
// Sample.

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
  /** Stratified plans only: per stratum, the eligible units and how many were sampled. */
  strata?: SampleResult['strata'];
}

/** What a run reads back of a sample drawn before. */
export type KeptSample = Pick<DrawnSample, 'census' | 'unitIds' | 'excluded' | 'marginOfError'>;

export interface SampleOptions {
  seed: number;
  excludeChildIds?: ReadonlySet<string> | undefined;
  excludeReason?: string | undefined;
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
  options: SampleOptions,
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
  const intern = (s: string | null) => (s === null ? null : (names.get(s) ?? (names.set(s, s), s)));
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
    return {
      census,
      unitIds: [],
      childIds: [...children].sort(),
      excluded,
      marginOfError: marginOfError(size, size),
      populationSize,
      sampleSize: size,
    };
  }
  const drawn: SampleResult = drawSample(index, plan, { seed: options.seed });
  index.length = 0;
  const chosen = new Set(drawn.sample);
  for await (const unit of units()) if (chosen.has(unit.unitId)) for (const c of unit.childIds) children.add(c);
  return {
    census,
    unitIds: drawn.sample,
    childIds: [...children].sort(),
    excluded,
    marginOfError: drawn.marginOfError,
    populationSize,
    sampleSize: drawn.sample.length,
    ...(drawn.strata ? { strata: drawn.strata } : {}),
  };
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

// ---------------------------------------------------------------------------------------------
// Findings.

/** What the findings are of: the audit as launched. */
export interface FindingsRequest {
  auditId: string;
  title: string;
  authorityId: string;
  template: AuditTemplate;
  period: AuditPeriod;
  seed: number;
  /** Automatic criteria only: manual criteria are left ungraded ("cannot tell"). */
  autoOnly: boolean;
}

export interface FindingsOptions {
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

/** Where the findings pass hands each record and alert as it is made. */
export interface FindingsSink {
  record(record: RecordFinding): Promise<void> | void;
  alert(criterionIndex: number, alert: Alert): Promise<void> | void;
}

/** A sink that lets the records and alerts go: only the summary is wanted. */
export const DISCARD: FindingsSink = { record: () => {}, alert: () => {} };

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
  request: FindingsRequest,
  ctx: { authorityName: string; marginOfError: number | null; timescales: TimescaleSet },
  sink: FindingsSink,
  options: FindingsOptions = {},
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
  const tables = new TableAccumulator(
    template.tables,
    (familyId) => `G-${pseudonymousChildId(request.authorityId, `family:${familyId}`).slice(2)}`,
  );
  let populationSize = 0;
  for await (const unit of units) {
    populationSize += 1;
    tables.add(unit);
    if (!sampled(unit.unitId)) continue;
    const graded = request.autoOnly ? undefined : options.grades?.get(unit.unitId);
    const { record, alerts } = builder.add({
      unit,
      outcomes: judgeUnit(template, unit, ctx.timescales),
      grades: graded?.grades ?? {},
      overall: graded?.overall ?? null,
      comment: graded?.comment ?? null,
    });
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

// ---------------------------------------------------------------------------------------------
// The pipeline.

export interface PipelineInput {
  /** The authority's context: period, timescales, professionals, name. */
  ctx: AuditContext;
  /** The population's units in unit order, read afresh for each pass (the I/O side streams them from the segments' runs). */
  units: () => AsyncIterable<AuditUnit>;
  /** The sample: drawn now under a plan, or the one drawn before and kept. */
  sample: ({ plan: SamplingPlan } & SampleOptions) | { kept: KeptSample };
  /** The findings pass, when wanted (not for a preview, nor for an audit going to its IROs). */
  findings?: { request: FindingsRequest; sink: FindingsSink; options?: FindingsOptions };
  /** Told of the sample as soon as it is drawn, before the findings pass. */
  onSampled?: (drawn: DrawnSample) => void;
}

export interface PipelineResult {
  /** The sample drawn now; null when a kept one was given. */
  drawn: DrawnSample | null;
  /** The findings, when asked for. */
  findings: StreamedFindings | null;
}

/**
 * Population → sample → findings. E.g. a preview: `runPipeline({ ctx, units, sample: { plan, seed } })`;
 * publishing a graded audit: `runPipeline({ ctx, units, sample: { kept }, findings: { request, sink, options: { grades } } })`.
 */
export async function runPipeline(input: PipelineInput): Promise<PipelineResult> {
  const drawn =
    'kept' in input.sample
      ? null
      : await drawPopulationSample(input.units, input.sample.plan, {
          seed: input.sample.seed,
          ...(input.sample.excludeChildIds ? { excludeChildIds: input.sample.excludeChildIds } : {}),
          ...(input.sample.excludeReason ? { excludeReason: input.sample.excludeReason } : {}),
        });
  if (drawn) input.onSampled?.(drawn);
  const sample: KeptSample = 'kept' in input.sample ? input.sample.kept : drawn!;
  if (!input.findings) return { drawn, findings: null };
  const { request, sink, options } = input.findings;
  const findings = await streamFindings(
    input.units(),
    inSample(sample),
    request,
    { authorityName: input.ctx.authorityName, marginOfError: sample.marginOfError, timescales: input.ctx.timescales },
    sink,
    options,
  );
  return { drawn, findings };
}
