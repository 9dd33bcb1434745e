/**
 * The audit's life in the store: launch records the request; a run gathers the population segment
 * by segment, checkpointing each finished segment (its units in the bucket, a marker in the table),
 * so an interrupted run resumes from the last completed segment with no duplicates and no gaps;
 * the sample is drawn once and kept; an automatic-only audit is then judged and published, others
 * go to the IROs for grading. A run that cannot finish marks the audit failed with the reason and
 * publishes nothing.
 */
import { randomUUID } from 'node:crypto';
import * as z from 'zod';
import { addCalendarMonths } from '#calendar/dates';
import type { TimescaleSet } from '#domain/timescales';
import { recordCells, type RecordCells } from '#reports/csv';
import { publishFindingsFrom, MANIFEST_FILE } from '#reports/publish';
import type { ObjectStore } from '#store/object-store';
import { VersionConflictError, type RecordStore, type Versioned } from '#store/record-store';
import { withRetry, type RetryOptions } from '#store/retry';
import {
  AUDIT_PARTS,
  AuditRecord,
  GradingRecord,
  ModerationRecord,
  SampleCheckpoint,
  SegmentCheckpoint,
  SegmentRuns,
  StoredSample,
  type AuditStatus,
} from './audit-record.ts';
import { assignUnits, type Auditor } from '#engine/assignment';
import {
  manualApplies,
  previousFindingsOf,
  recordId,
  type ComparedFindings,
  type PreviousFindings,
} from '#engine/findings';
import { agreementOf } from '#engine/moderation';
import { renderTemplate } from '#engine/timescale-text';
import { ActionPlanRow, FindingsDocument, Outcome, type Alert } from '#engine/findings-model';
import type { AuditPeriod, AuditUnit } from '#engine/population';
import {
  DISCARD,
  inSample,
  mergeTallies,
  runPipeline,
  type AuditContext,
  type AuditProgress,
  type FindingsOptions,
  type FindingsSink,
  type KeptSample,
} from '#engine/pipeline';
import {
  AuditRequestError,
  forEachSegment,
  gatherSegment,
  populationContext,
  populationUnits,
  type Population,
  type SegmentOutput,
} from './runner.ts';
import type { SamplingPlan } from '#engine/sampling';
import { LineSpool, spoolLines, spoolText, type RunRef } from './work-runs.ts';
import { assertMove } from './lifecycle.ts';
import { Heartbeat } from '#jobs/heartbeat';
import {
  LeaseHeldError,
  LeaseLostError,
  MAX_TAKEOVERS,
  leasePolicy,
  mayClaim,
  newLease,
  renewed,
  staleness,
  type Lease,
  type LeasePolicy,
} from '#jobs/lease';
import { boundedMessage, reasonOf } from '#jobs/messages';
import type { AuditTemplate, ManualCriterion } from '#engine/template';

export interface AuditServices {
  store: RecordStore;
  objects: ObjectStore;
  now?: () => Date;
  /** How long a run's lease lasts and how often it is renewed (IRO_LEASE_SECONDS when absent). */
  leases?: LeasePolicy;
  /**
   * How a run's own writes (the audit's record, its checkpoints, its trail) ride out transient faults
   * (throttling, 5xx): withRetry's defaults when absent. A write lost to a throttled minute would
   * otherwise fail the run, or leave it for recovery; a write tried again after it was applied meets
   * its own version, which each writer here treats as done or reads again.
   */
  retry?: RetryOptions;
  /** Set by a run for its own work, never by a caller: status writes are fenced by its lease. */
  run?: ActiveRun;
}

/** A run at work: the owner its lease names, and the heartbeat renewing it. */
export interface ActiveRun {
  owner: string;
  heartbeat: Heartbeat;
}

/** The statuses a run works in: a draft is gathered and sampled, a closed audit published. They hold a lease; the others rest. */
export const WORKING_STATUSES: readonly AuditStatus[] = ['draft', 'closed'];
const policyOf = (svc: Pick<AuditServices, 'leases'>) => svc.leases ?? leasePolicy();
const clockOf = (svc: Pick<AuditServices, 'now'>) => svc.now?.() ?? new Date();

export interface LaunchRequest {
  authorityId: string;
  template: AuditTemplate;
  period: AuditPeriod;
  sampling: SamplingPlan;
  seed: number;
  autoOnly: boolean;
  title?: string;
  createdBy: string;
  excludeAuditedWithinMonths?: number | null;
  segments?: number;
  auditId: string;
  /** The timescale set to judge by; the authority's current set when absent. Either way the audit keeps it. */
  timescales?: TimescaleSet;
  /** The run that will gather it (runAuditJob's `runId`): the audit is launched holding that run's lease, so it is never left waiting unwatched. */
  runId?: string;
}

const workPrefix = (authorityId: string, auditId: string) => `work/${authorityId}/${auditId}/`;
const nowOf = (svc: AuditServices) => (svc.now?.() ?? new Date()).toISOString();

/** Records a new audit (status draft). The audit id is the caller's, so a retried launch cannot make two. */
export async function launchAudit(svc: AuditServices, request: LaunchRequest): Promise<Versioned<AuditRecord>> {
  if (request.period.from > request.period.to)
    throw new AuditRequestError(`the period starts (${request.period.from}) after it ends (${request.period.to})`);
  // The set is fixed now: the audit is judged by what the authority worked to when it was launched.
  const timescales = request.timescales ?? (await svc.store.getAuthority(request.authorityId))?.timescales;
  const record = AuditRecord.parse({
    auditId: request.auditId,
    authorityId: request.authorityId,
    title: request.title ?? `${request.template.title}, ${request.period.from} to ${request.period.to}`,
    template: request.template,
    period: request.period,
    sampling: request.sampling,
    seed: request.seed,
    autoOnly: request.autoOnly,
    excludeAuditedWithinMonths: request.excludeAuditedWithinMonths ?? null,
    ...(timescales ? { timescales } : {}),
    segments: request.segments ?? 4,
    status: 'draft',
    createdAt: nowOf(svc),
    createdBy: request.createdBy,
    population: null,
    sampleSize: null,
    marginOfError: null,
    failure: null,
    closedAt: null,
    publishedAt: null,
    manifestKey: null,
    lease: request.runId ? newLease(request.runId, policyOf(svc), clockOf(svc)) : null,
  });
  const stored = await svc.store.putAuditItem(
    request.authorityId,
    { auditId: request.auditId, part: AUDIT_PARTS.meta },
    record,
    0,
    { leased: Boolean(record.lease) },
  );
  await appendTrail(svc, request.authorityId, request.auditId, {
    actor: request.createdBy,
    action: 'launch',
    details: {
      templateId: record.template.id,
      templateVersion: record.template.version,
      period: record.period,
      sampling: record.sampling,
      seed: record.seed,
      autoOnly: record.autoOnly,
      ...(record.timescales ? { timescales: record.timescales.id } : {}),
    },
  });
  return stored;
}

/** One entry of an audit's trail: who did what, when. */
export const TrailEntrySchema = z.object({
  at: z.string(),
  actor: z.string(),
  action: z.string(),
  details: z.record(z.string(), z.unknown()),
});
export type TrailEntry = z.infer<typeof TrailEntrySchema>;

/**
 * Appends to the audit trail. Entries are create-only items (a write that would replace one fails),
 * and the store offers no way to change or delete them: the trail only grows.
 */
export async function appendTrail(
  svc: AuditServices,
  authorityId: string,
  auditId: string,
  entry: Omit<TrailEntry, 'at'>,
): Promise<TrailEntry> {
  const { key, body } = trailWrite(svc, auditId, entry);
  await withRetry(() => svc.store.putAuditItem(authorityId, key, body, 0), svc.retry);
  return body;
}

/**
 * A trail entry as one write of a transaction (RecordStore.putAuditItems), so a change and its entry
 * are stored together or not at all: create-only, like every entry.
 */
export function trailWrite(
  svc: Pick<AuditServices, 'now'>,
  auditId: string,
  entry: Omit<TrailEntry, 'at'>,
): { key: { auditId: string; part: string }; body: TrailEntry; expectedVersion: 0 } {
  const at = (svc.now?.() ?? new Date()).toISOString();
  return {
    key: { auditId, part: `${TRAIL_PREFIX}${at}#${randomUUID().slice(0, 8)}` },
    body: { at, ...entry },
    expectedVersion: 0,
  };
}

/** The audit trail, oldest first. */
export async function auditTrail(svc: AuditServices, authorityId: string, auditId: string): Promise<TrailEntry[]> {
  const entries: TrailEntry[] = [];
  for await (const item of svc.store.auditItems<TrailEntry>(authorityId, auditId))
    if (item.part.startsWith(TRAIL_PREFIX)) entries.push(item.body);
  return entries;
}

const TRAIL_PREFIX = 'trail#';

/** The audit, or null. */
export async function getAudit(
  svc: AuditServices,
  authorityId: string,
  auditId: string,
): Promise<Versioned<AuditRecord> | null> {
  const stored = await svc.store.getAuditItem<unknown>(authorityId, { auditId, part: AUDIT_PARTS.meta });
  return stored ? { ...stored, body: AuditRecord.parse(stored.body) } : null;
}

/** Changes the audit's record with `change`, retrying on a concurrent edit (the change is re-applied to what is stored then). */
async function updateAudit(
  svc: AuditServices,
  authorityId: string,
  auditId: string,
  change: (audit: AuditRecord) => AuditRecord,
): Promise<Versioned<AuditRecord>> {
  for (let attempt = 0; ; attempt += 1) {
    const current = await getAudit(svc, authorityId, auditId);
    if (!current) throw new AuditRequestError(`no audit ${auditId}`, 'not-found');
    // A run writes only while it holds the audit's lease: one taken over must not write over its successor.
    if (svc.run && current.body.lease?.owner !== svc.run.owner)
      throw new LeaseLostError(`audit ${auditId}`, svc.run.owner, current.body.lease);
    const next = AuditRecord.parse(change(current.body));
    // Every status change goes through the lifecycle, whoever asks for it.
    if (next.status !== current.body.status) assertMove(current.body.status, next.status);
    // Coming to rest gives the lease up.
    if (next.status !== current.body.status && !WORKING_STATUSES.includes(next.status)) next.lease = null;
    try {
      const stored = await withRetry(
        () =>
          svc.store.putAuditItem(authorityId, { auditId, part: AUDIT_PARTS.meta }, next, current.version, {
            leased: Boolean(next.lease),
          }),
        svc.retry,
      );
      if (next.status !== current.body.status) {
        await appendTrail(svc, authorityId, auditId, {
          actor: 'system',
          action: `status:${next.status}`,
          details: {
            from: current.body.status,
            ...(next.failure && next.status === 'failed' ? { reason: next.failure.reason } : {}),
          },
        });
      }
      return stored;
    } catch (error) {
      if (!(error instanceof VersionConflictError) || attempt >= 5) throw error;
    }
  }
}

/**
 * Moves an audit to another status on a person's request (e.g. grading → moderation), through the
 * lifecycle: an illegal move throws LifecycleError saying why. Recorded in the trail.
 */
export async function moveAudit(
  svc: AuditServices,
  authorityId: string,
  auditId: string,
  to: AuditStatus,
  actor: string,
): Promise<Versioned<AuditRecord>> {
  const moved = await updateAudit(svc, authorityId, auditId, (a) => ({ ...a, status: to }));
  await appendTrail(svc, authorityId, auditId, { actor, action: `move:${to}`, details: {} });
  return moved;
}

async function readJson<T>(objects: ObjectStore, key: string): Promise<T> {
  const bytes = await objects.get(key);
  if (!bytes) throw new Error(`work file ${key} is missing`);
  return JSON.parse(new TextDecoder().decode(bytes)) as T;
}

/** Children sampled by the authority's audits launched within `months` before `now` (any template). */
export async function recentlyAuditedChildren(
  svc: AuditServices,
  authorityId: string,
  excludeAuditId: string,
  months: number,
  now: string,
): Promise<Set<string>> {
  const since = addCalendarMonths(now.slice(0, 10), -months);
  const children = new Set<string>();
  for await (const listed of svc.store.listAudits<unknown>(authorityId)) {
    const audit = AuditRecord.safeParse(listed.body);
    if (!audit.success || listed.auditId === excludeAuditId || audit.data.createdAt.slice(0, 10) < since) continue;
    const checkpoint = await svc.store.getAuditItem<SampleCheckpoint>(authorityId, {
      auditId: listed.auditId,
      part: AUDIT_PARTS.sample,
    });
    if (!checkpoint) continue;
    const sample = StoredSample.parse(await readJson(svc.objects, checkpoint.body.workKey));
    for (const c of sample.childIds) children.add(c);
  }
  return children;
}

/** Where an audit keeps what the next audit of its template compares with (PreviousFindings). */
const comparisonKey = (authorityId: string, auditId: string) => `${workPrefix(authorityId, auditId)}comparison.json`;

/** What the latest published audit of the same template (for the authority) left for the comparison. */
async function previousPublished(svc: AuditServices, audit: AuditRecord): Promise<PreviousFindings | undefined> {
  let latest: AuditRecord | undefined;
  for await (const listed of svc.store.listAudits<unknown>(audit.authorityId)) {
    const other = AuditRecord.safeParse(listed.body);
    if (!other.success || other.data.auditId === audit.auditId || other.data.status !== 'published') continue;
    if (other.data.template.id !== audit.template.id || other.data.period.to > audit.period.to) continue;
    if (!latest || (other.data.publishedAt ?? '') > (latest.publishedAt ?? '')) latest = other.data;
  }
  if (!latest?.manifestKey) return undefined;
  const kept = await svc.objects.get(comparisonKey(latest.authorityId, latest.auditId));
  if (kept) return JSON.parse(new TextDecoder().decode(kept)) as PreviousFindings;
  // Audits published before the comparison was kept apart: their findings were built in memory, so
  // they fit. They are of schema version 1, so only what the comparison reads is checked.
  const findingsKey = latest.manifestKey.replace(MANIFEST_FILE, 'findings.json');
  return previousFindingsOf(ComparedFindingsSchema.parse(await readJson(svc.objects, findingsKey)));
}

/** What a comparison reads of a published findings.json, in every schema version so far. */
const ComparedFindingsSchema = z.object({
  audit: z.object({ id: z.string() }),
  criteria: z.array(FindingsDocument.shape.criteria.element.pick({ id: true, compliance: true })),
  records: z.array(
    z.object({ children: z.array(z.string()), outcomes: z.record(z.string(), z.object({ outcome: Outcome })) }),
  ),
}) satisfies z.ZodType<ComparedFindings>;

export interface RunJobOptions {
  onProgress?: (progress: AuditProgress & { segmentsDone: number; segmentsTotal: number }) => void;
  /**
   * The run this is (its lease's owner): the one the audit was launched, closed, tried again or
   * recovered for, or a Step Functions execution's name. A new one when absent (a command-line resume).
   */
  runId?: string;
}

/**
 * Runs (or resumes) an audit to its next resting state: `published` for an automatic-only audit,
 * `grading` otherwise. Segments already checkpointed are not scanned again; a drawn sample is kept.
 * On a failure the audit is marked `failed` with the reason, nothing is published, and the error is
 * returned in the record (not thrown), so the caller can report it and resume later.
 * Locally the segments run in parallel in this process; on AWS a Step Functions Map state runs
 * `runSegmentJob` once per segment, then `finishAuditJob` (and `failAuditJob` when either cannot finish).
 */
export async function runAuditJob(
  svc: AuditServices,
  authorityId: string,
  auditId: string,
  options: RunJobOptions = {},
): Promise<Versioned<AuditRecord>> {
  const found = await getAudit(svc, authorityId, auditId);
  if (!found) throw new AuditRequestError(`no audit ${auditId}`, 'not-found');
  if (!isClosing(found.body) && !isRunnable(found.body)) return found;
  const { started, runSvc } = await beginRun(svc, found.body, options.runId ?? `run-${randomUUID()}`);
  try {
    const loaded = await loadPopulation(runSvc, started.body, options);
    return await (isClosing(started.body)
      ? publishClosedAudit(runSvc, started.body, loaded)
      : settleAudit(runSvc, started.body, loaded));
  } catch (error) {
    // Taken over (this run was thought stopped): the run that took it reports, not this one.
    if (error instanceof LeaseLostError) return (await getAudit(svc, authorityId, auditId))!;
    return await failAuditJob(runSvc, authorityId, auditId, reasonOf(error)).catch(async (failed: unknown) => {
      if (failed instanceof LeaseLostError) return (await getAudit(svc, authorityId, auditId))!;
      throw failed;
    });
  } finally {
    await runSvc.run.heartbeat.stop();
  }
}

/**
 * Takes the audit's lease for the run `owner` (free, stale, or already the run's: a run launched,
 * closed, tried again or recovered holds it from the start) and starts its heartbeat. Refuses with
 * an AuditRequestError while another run holds a live lease.
 */
async function beginRun(
  svc: AuditServices,
  audit: AuditRecord,
  owner: string,
): Promise<{ started: Versioned<AuditRecord>; runSvc: AuditServices & { run: ActiveRun } }> {
  const { authorityId, auditId } = audit;
  const policy = policyOf(svc);
  let started: Versioned<AuditRecord>;
  try {
    started = await claimLease(svc, authorityId, auditId, owner, policy);
  } catch (error) {
    if (error instanceof LeaseHeldError) throw new AuditRequestError(error.message);
    throw error;
  }
  const run: ActiveRun = { owner, heartbeat: undefined as unknown as Heartbeat };
  const runSvc = { ...svc, run };
  run.heartbeat = new Heartbeat(async () => {
    await updateAudit(runSvc, authorityId, auditId, (a) => ({ ...a, lease: renewed(a.lease!, policy, clockOf(svc)) }));
  }, policy.heartbeatMs).start();
  return { started, runSvc };
}

/** Writes `owner`'s lease on the audit unless another run holds a live one (LeaseHeldError). A run joining its own live lease writes nothing. */
async function claimLease(
  svc: AuditServices,
  authorityId: string,
  auditId: string,
  owner: string,
  policy: LeasePolicy,
): Promise<Versioned<AuditRecord>> {
  const current = await getAudit(svc, authorityId, auditId);
  if (!current) throw new AuditRequestError(`no audit ${auditId}`, 'not-found');
  const now = clockOf(svc);
  const lease = current.body.lease;
  // Parallel segments of one Step Functions run join its lease: only the first (or a stale one) writes.
  if (lease?.owner === owner && !staleness(lease, now).stale) return current;
  return updateAudit(svc, authorityId, auditId, (a) => {
    if (!mayClaim(a.lease, owner, now)) throw new LeaseHeldError(`audit ${auditId}`, a.lease!);
    return {
      ...a,
      lease:
        a.lease?.owner === owner
          ? renewed(a.lease, policy, now)
          : newLease(owner, policy, now, a.lease?.takeovers ?? 0),
    };
  });
}

/** What one segment job did: the figures a Map state's iteration returns. */
export interface SegmentJobResult {
  segment: number;
  childrenScanned: number;
  units: number;
  /** False when the segment had been checkpointed already (a retried or resumed run): nothing was scanned again. */
  scanned: boolean;
}

/**
 * Gathers one scan segment of a draft (or failed) audit and checkpoints it: the worker a Step
 * Functions Map state runs once per segment. Idempotent: a checkpointed segment is not scanned again.
 * Errors are thrown (the state machine retries them, then runs `failAuditJob`).
 */
export async function runSegmentJob(
  svc: AuditServices,
  authorityId: string,
  auditId: string,
  segment: number,
  options: Pick<RunJobOptions, 'runId'> = {},
): Promise<SegmentJobResult> {
  const current = await getAudit(svc, authorityId, auditId);
  if (!current) throw new AuditRequestError(`no audit ${auditId}`, 'not-found');
  const audit = current.body;
  if (!Number.isInteger(segment) || segment < 0 || segment >= audit.segments)
    throw new AuditRequestError(`segment ${segment} is outside the audit's ${audit.segments} segments`);
  const existing = await svc.store.getAuditItem<SegmentCheckpoint>(authorityId, {
    auditId,
    part: AUDIT_PARTS.segment(segment),
  });
  if (existing)
    return { segment, childrenScanned: existing.body.childrenScanned, units: existing.body.units, scanned: false };
  if (!isRunnable(audit))
    throw new AuditRequestError(`audit ${auditId} is ${audit.status}: its population has already been gathered`);
  // A Step Functions run names itself (runId): its segments renew the run's lease while they scan.
  const running = options.runId ? await beginRun(svc, audit, options.runId) : null;
  try {
    const ctx = await populationContext(svc.store, audit);
    const output = await checkpointSegment(running?.runSvc ?? svc, audit, ctx, segment);
    return { segment, childrenScanned: output.childrenScanned, units: output.items, scanned: true };
  } finally {
    await running?.runSvc.run.heartbeat.stop();
  }
}

/**
 * After every segment has been checkpointed: assembles the population, draws (or reads back) the
 * sample, then assigns the records for grading or publishes an automatic-only audit. A segment not
 * checkpointed yet is gathered here, so nothing is ever missed. Failures mark the audit failed.
 */
export async function finishAuditJob(
  svc: AuditServices,
  authorityId: string,
  auditId: string,
  options: Pick<RunJobOptions, 'runId'> = {},
): Promise<Versioned<AuditRecord>> {
  return runAuditJob(svc, authorityId, auditId, options);
}

/**
 * Marks an audit failed with the reason, cut to a bounded length (nothing is published; it may be
 * tried again). Used by the state machine's catch: given the run's `runId`, it leaves alone an audit
 * whose live lease another run holds (that run carries on, and will report itself), and one that has
 * come to rest meanwhile (graded or published by the run that took over from this one: a late
 * failure of a superseded run changes nothing, and is no error).
 */
export async function failAuditJob(
  svc: AuditServices,
  authorityId: string,
  auditId: string,
  reason: string,
  options: Pick<RunJobOptions, 'runId'> = {},
): Promise<Versioned<AuditRecord>> {
  const failure = { reason: boundedMessage(reason), at: nowOf(svc) };
  try {
    return await updateAudit(svc, authorityId, auditId, (a) => {
      if (options.runId && a.lease && a.lease.owner !== options.runId && !staleness(a.lease, clockOf(svc)).stale)
        throw new LeaseHeldError(`audit ${auditId}`, a.lease);
      if (options.runId && !WORKING_STATUSES.includes(a.status) && a.status !== 'failed') throw new LeaveAsIs(a.status);
      return { ...a, status: 'failed', failure };
    });
  } catch (error) {
    if (error instanceof LeaseHeldError || error instanceof LeaveAsIs)
      return (await getAudit(svc, authorityId, auditId))!;
    throw error;
  }
}

const isRunnable = (audit: AuditRecord) => audit.status === 'draft' || audit.status === 'failed';
/** Closed, then failed while publishing (closedAt set): closing again retries the publishing. */
export const publishingFailed = (audit: AuditRecord) => audit.status === 'failed' && audit.closedAt !== null;
/** What a QA lead may close: an audit being graded or moderated, or one whose publishing failed. */
export const isClosable = (audit: AuditRecord) =>
  audit.status === 'grading' || audit.status === 'moderation' || publishingFailed(audit);
/**
 * Closed and not yet published, or failed while publishing: the run publishes the findings with the
 * standing grades, rather than gathering and sampling again.
 */
const isClosing = (audit: AuditRecord) => audit.status === 'closed' || publishingFailed(audit);

/** The population as the segments left it, and the context to read it with. */
interface LoadedPopulation {
  ctx: AuditContext;
  population: Population;
}

/** The population's units, in unit order, streamed from the segments' runs. */
const unitsOf = (svc: AuditServices, audit: AuditRecord, loaded: LoadedPopulation) => () =>
  populationUnits(svc.objects, audit.template, loaded.ctx, loaded.population.runs);

/** The sample as the pipeline reads it back. */
const keptSample = (sample: StoredSample): KeptSample => ({
  census: sample.census === true,
  unitIds: sample.unitIds,
  excluded: sample.excluded,
  marginOfError: sample.marginOfError,
});

/** The findings pass over the kept population and sample: the one pipeline, its sample already drawn. */
async function findingsOf(
  svc: AuditServices,
  audit: AuditRecord,
  loaded: LoadedPopulation,
  sample: StoredSample,
  sink: FindingsSink,
  options: FindingsOptions,
) {
  const { findings } = await runPipeline({
    ctx: loaded.ctx,
    units: unitsOf(svc, audit, loaded),
    sample: { kept: keptSample(sample) },
    findings: { request: audit, sink, options: { ...options, ...(svc.now ? { now: svc.now } : {}) } },
  });
  return findings!;
}

/** The drawn sample, then grading (assignment) or, for an automatic-only audit, the findings published. */
async function settleAudit(
  svc: AuditServices,
  audit: AuditRecord,
  loaded: LoadedPopulation,
): Promise<Versioned<AuditRecord>> {
  const sample = await fixedSample(svc, audit, loaded);
  if (!audit.autoOnly) {
    await assignForGrading(svc, audit, loaded, sample);
    const population = sample.population ?? (await countUnits(unitsOf(svc, audit, loaded)()));
    return updateAudit(svc, audit.authorityId, audit.auditId, (a) => ({
      ...a,
      status: 'grading',
      failure: null,
      population,
      sampleSize: sizeOf(sample),
      marginOfError: sample.marginOfError,
    }));
  }
  return publishAudit(svc, audit, loaded, sample, {});
}

async function countUnits(units: AsyncIterable<AuditUnit>): Promise<number> {
  let n = 0;
  for await (const _ of units) n += 1;
  return n;
}

const sizeOf = (sample: StoredSample) => sample.sampleSize ?? sample.unitIds.length;

/**
 * Gathers one segment and checkpoints it: its runs, then the list of them, then the marker, so a
 * marker always points at a complete list of complete runs. A retried segment writes the same runs again.
 */
async function checkpointSegment(
  svc: AuditServices,
  audit: AuditRecord,
  ctx: AuditContext,
  k: number,
): Promise<SegmentOutput> {
  const { authorityId, auditId } = audit;
  const name = `segment-${String(k).padStart(2, '0')}`;
  const output = await gatherSegment(
    svc.store,
    svc.objects,
    ctx,
    audit.template,
    k,
    audit.segments,
    `${workPrefix(authorityId, auditId)}${name}/`,
  );
  const workKey = `${workPrefix(authorityId, auditId)}${name}.json`;
  await svc.objects.put(
    workKey,
    JSON.stringify({
      childrenScanned: output.childrenScanned,
      items: output.items,
      runs: output.runs,
    } satisfies SegmentRuns),
    'application/json',
  );
  const checkpoint: SegmentCheckpoint = {
    segment: k,
    childrenScanned: output.childrenScanned,
    units: output.items,
    workKey,
    completedAt: nowOf(svc),
  };
  try {
    await withRetry(
      () => svc.store.putAuditItem(authorityId, { auditId, part: AUDIT_PARTS.segment(k) }, checkpoint, 0),
      svc.retry,
    );
  } catch (error) {
    // A retried iteration finished the same segment first: the same scan wrote the same runs.
    if (!(error instanceof VersionConflictError)) throw error;
  }
  return output;
}

/**
 * The audit's population: the runs of checkpointed segments, the other segments scanned now (in
 * parallel) and checkpointed as each finishes. Only the list of runs is held.
 */
async function loadPopulation(
  svc: AuditServices,
  audit: AuditRecord,
  options: RunJobOptions,
): Promise<LoadedPopulation> {
  const { authorityId, auditId } = audit;
  const ctx = await populationContext(svc.store, audit);
  const total = audit.segments;
  const outputs: { segment: number; childrenScanned: number; items: number; runs: RunRef[] }[] = [];
  const pending: number[] = [];
  for (let k = 0; k < total; k += 1) {
    const checkpoint = await svc.store.getAuditItem<SegmentCheckpoint>(authorityId, {
      auditId,
      part: AUDIT_PARTS.segment(k),
    });
    if (checkpoint)
      outputs.push({ segment: k, ...SegmentRuns.parse(await readJson(svc.objects, checkpoint.body.workKey)) });
    else pending.push(k);
  }
  let done = total - pending.length;
  const fresh = await forEachSegment(pending, async (k) => {
    const output = await checkpointSegment(svc, audit, ctx, k);
    done += 1;
    options.onProgress?.({
      phase: 'population',
      childrenScanned: output.childrenScanned,
      units: output.items,
      segmentsDone: done,
      segmentsTotal: total,
    });
    return output;
  });
  const all = [...outputs, ...fresh].sort((a, b) => a.segment - b.segment);
  return {
    ctx,
    population: {
      authorityName: ctx.authorityName,
      childrenScanned: mergeTallies(all).childrenScanned,
      runs: all.flatMap((o) => o.runs),
    },
  };
}

/**
 * Gives each sampled record to an IRO for grading: balanced by load, never the child's own IRO.
 * Records already written (a resumed run) are left as they are. Holds the sampled units' ids and IROs (a sample IROs grade by hand).
 */
async function assignForGrading(
  svc: AuditServices,
  audit: AuditRecord,
  loaded: LoadedPopulation,
  sample: StoredSample,
): Promise<void> {
  const sampled = inSample(keptSample(sample));
  const units: Pick<AuditUnit, 'unitId' | 'childIds' | 'service' | 'team' | 'ownIroIds'>[] = [];
  const manual = audit.template.criteria.filter((c): c is ManualCriterion => c.kind === 'manual');
  for await (const u of unitsOf(svc, audit, loaded)()) {
    // A unit no question arises for (a review not held has no record) is not given to an IRO: its manual outcomes are "not applicable".
    if (!sampled(u.unitId) || !manual.some((c) => manualApplies(c, u))) continue;
    units.push({ unitId: u.unitId, childIds: u.childIds, service: u.service, team: u.team, ownIroIds: u.ownIroIds });
  }
  const auditors: Auditor[] = [];
  for await (const p of svc.store.professionals(audit.authorityId))
    if (p.role === 'IRO') auditors.push({ iroId: p.workerId });
  const result = assignUnits(
    units.map((u) => ({ unitId: u.unitId, ownIroIds: u.ownIroIds })),
    auditors,
    { seed: audit.seed },
  );
  const assignedTo = new Map(result.assignments.map((a) => [a.unitId, a.iroId]));
  const reasons = new Map(result.unassigned.map((u) => [u.unitId, u.reason]));
  for (const unit of units) {
    const record: GradingRecord = {
      recordId: recordId(audit.authorityId, unit.unitId),
      unitId: unit.unitId,
      childIds: unit.childIds,
      service: unit.service,
      team: unit.team,
      ownIroIds: unit.ownIroIds,
      assignedTo: assignedTo.get(unit.unitId) ?? null,
      unassignedReason: reasons.get(unit.unitId) ?? null,
      grades: {},
      overall: null,
      comment: null,
    };
    try {
      await withRetry(
        () =>
          svc.store.putAuditItem(
            audit.authorityId,
            { auditId: audit.auditId, part: AUDIT_PARTS.record(record.recordId) },
            record,
            0,
          ),
        svc.retry,
      );
    } catch (error) {
      if (!(error instanceof VersionConflictError)) throw error;
    }
  }
  await appendTrail(svc, audit.authorityId, audit.auditId, {
    actor: 'system',
    action: 'assign',
    details: {
      loads: result.loads,
      unassigned: result.unassigned.map((u) => ({ recordId: recordId(audit.authorityId, u.unitId), reason: u.reason })),
    },
  });
}

/** The sampled records of an audit as IROs grade them. */
export async function gradingRecords(
  svc: AuditServices,
  authorityId: string,
  auditId: string,
): Promise<Versioned<GradingRecord>[]> {
  const records: Versioned<GradingRecord>[] = [];
  for await (const item of svc.store.auditItems<unknown>(authorityId, auditId)) {
    if (item.part.startsWith(AUDIT_PARTS.record(''))) records.push({ ...item, body: GradingRecord.parse(item.body) });
  }
  return records;
}

/** The moderated records of an audit, each with its auditor's record. */
export async function moderatedPairs(
  svc: Pick<AuditServices, 'store'>,
  authorityId: string,
  auditId: string,
): Promise<{ record: GradingRecord; moderation: ModerationRecord }[]> {
  const records = new Map<string, GradingRecord>();
  const moderations: ModerationRecord[] = [];
  for await (const item of svc.store.auditItems<unknown>(authorityId, auditId)) {
    if (item.part.startsWith(AUDIT_PARTS.record(''))) {
      const r = GradingRecord.parse(item.body);
      records.set(r.recordId, r);
    } else if (item.part.startsWith(AUDIT_PARTS.moderation(''))) moderations.push(ModerationRecord.parse(item.body));
  }
  return moderations.flatMap((m) =>
    records.has(m.recordId) ? [{ record: records.get(m.recordId)!, moderation: m }] : [],
  );
}

/**
 * The grades that stand for each sampled unit — the auditor's, with any agreed moderation grades
 * over them — and, when the audit was moderated, the agreement between auditors and moderators.
 */
async function standingGrades(
  svc: AuditServices,
  audit: AuditRecord,
  timescales: TimescaleSet,
): Promise<Pick<FindingsOptions, 'grades' | 'moderation'>> {
  const pairs = await moderatedPairs(svc, audit.authorityId, audit.auditId);
  const agreed = new Map(
    pairs.flatMap((p) => (p.moderation.agreed ? [[p.moderation.recordId, p.moderation.agreed.grades] as const] : [])),
  );
  const grades = new Map(
    (await gradingRecords(svc, audit.authorityId, audit.auditId)).map((r) => [
      r.body.unitId,
      {
        grades: { ...r.body.grades, ...(agreed.get(r.body.recordId) ?? {}) },
        overall: r.body.overall,
        comment: r.body.comment,
      },
    ]),
  );
  return {
    grades,
    ...(pairs.length
      ? {
          moderation: agreementOf(
            renderTemplate(audit.template, timescales),
            pairs.map((p) => ({ auditor: p.record.grades, moderation: p.moderation })),
          ),
        }
      : {}),
  };
}

/**
 * The findings a graded audit would publish if it closed now (grades so far, agreed moderation
 * grades standing): what the QA lead sees, and edits the action plan against, before closing.
 */
export async function provisionalFindings(
  svc: AuditServices,
  authorityId: string,
  auditId: string,
): Promise<FindingsDocument> {
  const current = await getAudit(svc, authorityId, auditId);
  if (!current) throw new AuditRequestError(`no audit ${auditId}`, 'not-found');
  const audit = current.body;
  if (audit.status !== 'grading' && audit.status !== 'moderation')
    throw new AuditRequestError(
      `audit ${auditId} is ${audit.status}: provisional findings exist only while it is graded`,
    );
  const loaded = await loadPopulation(svc, audit, {});
  const sample = await fixedSample(svc, audit, loaded);
  const standing = await standingGrades(svc, audit, loaded.ctx.timescales);
  const actionPlan = (await editedActionPlan(svc, authorityId, auditId))?.body;
  const previous = await previousPublished(svc, audit);
  // The same findings pass as publishing, with the per-record rows and alerts let go: only the summary is wanted.
  const { document } = await findingsOf(svc, audit, loaded, sample, DISCARD, {
    ...standing,
    ...(actionPlan ? { actionPlan } : {}),
    ...(previous ? { previous } : {}),
  });
  return document;
}

/**
 * Closes a graded audit: the automatic criteria judged again over the kept population and sample,
 * the IROs' grades added (agreed moderation grades standing over the auditor's), the findings
 * computed and published. Refused unless the audit is in grading or moderation.
 */
export async function closeAudit(
  svc: AuditServices,
  authorityId: string,
  auditId: string,
): Promise<Versioned<AuditRecord>> {
  await requestClose(svc, authorityId, auditId);
  return runAuditJob(svc, authorityId, auditId);
}

/**
 * Closes a graded audit, to be published by the next run (runAuditJob: in the background, by the
 * runner): from grading or moderation, or again after publishing failed. Grades and the action plan
 * are final from here. A closed audit is published with the grades standing when it was closed.
 */
export async function requestClose(
  svc: AuditServices,
  authorityId: string,
  auditId: string,
  runId?: string,
): Promise<Versioned<AuditRecord>> {
  return updateAudit(svc, authorityId, auditId, (audit) => {
    if (!isClosable(audit))
      throw new AuditRequestError(
        `audit ${auditId} is ${audit.status}: only an audit in grading or moderation can be closed`,
      );
    // Closed holding the publishing run's lease (`runId`), so a publication whose process stops is found and resumed.
    const lease = runId ? newLease(runId, policyOf(svc), clockOf(svc)) : (audit.lease ?? null);
    return {
      ...audit,
      status: 'closed',
      failure: null,
      closedAt: publishingFailed(audit) ? audit.closedAt : nowOf(svc),
      lease,
    };
  });
}

/** Throws LeaseLostError unless the run of `svc` still holds the audit's lease (a consistent read). */
async function assertLeaseHeld(svc: AuditServices, authorityId: string, auditId: string): Promise<void> {
  if (!svc.run) return;
  svc.run.heartbeat.assertHeld();
  const current = await getAudit(svc, authorityId, auditId);
  if (current?.body.lease?.owner !== svc.run.owner)
    throw new LeaseLostError(`audit ${auditId}`, svc.run.owner, current?.body.lease);
}

/** A run or publication that a QA lead may try again: failed, or working with no live lease (its process stopped). */
export function mayTryAgain(audit: AuditRecord, now: Date): boolean {
  if (audit.status === 'failed') return !audit.lease || staleness(audit.lease, now).stale;
  return WORKING_STATUSES.includes(audit.status) && (!audit.lease || staleness(audit.lease, now).stale);
}

/**
 * Tries a failed run or publication again, as the run `runId` (the caller then starts that run):
 * a failed run goes back to draft, a failed publication back to closed, each holding the run's
 * lease; so does a draft or closed audit whose run stopped. Everything stored is kept (the
 * checkpointed segments, the drawn sample, the grades, the action plan); the failure's reason is
 * kept in the trail, with who tried again. Refused (AuditRequestError) for anything else.
 */
export async function tryAuditAgain(
  svc: AuditServices,
  authorityId: string,
  auditId: string,
  actor: string,
  runId: string,
): Promise<{ audit: Versioned<AuditRecord>; publishing: boolean }> {
  let before: AuditRecord | undefined;
  const audit = await updateAudit(svc, authorityId, auditId, (a) => {
    before = a;
    const now = clockOf(svc);
    if (!mayTryAgain(a, now)) {
      throw new AuditRequestError(
        a.lease && !staleness(a.lease, now).stale
          ? `audit ${auditId} is being ${a.status === 'closed' ? 'published' : 'run'} now: there is nothing to try again`
          : `audit ${auditId} is ${a.status}: only a failed run or a failed publication can be tried again`,
      );
    }
    const status: AuditStatus = a.status === 'failed' ? (publishingFailed(a) ? 'closed' : 'draft') : a.status;
    return { ...a, status, failure: null, lease: newLease(runId, policyOf(svc), now, a.lease?.takeovers ?? 0) };
  });
  const was = before!;
  await appendTrail(svc, authorityId, auditId, {
    actor,
    action: 'try-again',
    details: {
      from: was.status,
      publishing: audit.body.status === 'closed',
      run: runId,
      ...(was.failure ? { reason: was.failure.reason, failedAt: was.failure.at } : {}),
    },
  });
  return { audit, publishing: audit.body.status === 'closed' };
}

/** What recovery did with one audit's lease. */
export type AuditRecovery =
  | { outcome: 'resume'; audit: Versioned<AuditRecord>; why: string }
  | { outcome: 'failed' | 'released'; audit: Versioned<AuditRecord>; why: string }
  | { outcome: 'live' }
  | { outcome: 'gone' };

/** Thrown inside a change to leave the audit as it is. */
class LeaveAsIs extends Error {}

/**
 * Takes over an audit's stale lease (recovery, on a laptop's start or AWS's scheduled check): a draft
 * or closed audit is handed to the new run `runId` to resume from its checkpoints (the caller starts
 * it); one whose runs have stopped MAX_TAKEOVERS times is marked failed with the reason; a resting
 * audit that still held a lease just gives it up. A live lease, or none, is left alone. The write is
 * conditional on the version read, so of two recoveries only one takes it.
 */
export async function recoverAudit(
  svc: AuditServices,
  authorityId: string,
  auditId: string,
  runId: string,
): Promise<AuditRecovery> {
  let why = '';
  let outcome: 'resume' | 'failed' | 'released' = 'resume';
  let audit: Versioned<AuditRecord>;
  try {
    audit = await updateAudit(svc, authorityId, auditId, (a) => {
      const now = clockOf(svc);
      const lease: Lease | null | undefined = a.lease;
      if (!lease) throw new LeaveAsIs('gone');
      const stale = staleness(lease, now);
      if (!stale.stale) throw new LeaveAsIs('live');
      why = stale.why;
      if (!WORKING_STATUSES.includes(a.status)) {
        outcome = 'released';
        return { ...a, lease: null };
      }
      if (lease.takeovers >= MAX_TAKEOVERS) {
        outcome = 'failed';
        const doing = a.status === 'closed' ? 'publishing' : 'the run';
        return {
          ...a,
          status: 'failed',
          lease: null,
          failure: {
            reason: boundedMessage(
              `${doing} stopped ${lease.takeovers + 1} times without finishing (last: ${why}); it was resumed automatically ${lease.takeovers} times. Try again once the cause is fixed.`,
            ),
            at: nowOf(svc),
          },
        };
      }
      outcome = 'resume';
      return { ...a, lease: newLease(runId, policyOf(svc), now, lease.takeovers + 1) };
    });
  } catch (error) {
    if (error instanceof LeaveAsIs) return { outcome: error.message as 'live' | 'gone' };
    if (error instanceof AuditRequestError && error.kind === 'not-found') return { outcome: 'gone' };
    throw error;
  }
  if (outcome === 'resume') {
    await appendTrail(svc, authorityId, auditId, {
      actor: 'system',
      action: 'recover',
      details: { reason: why, run: runId, takeover: audit.body.lease?.takeovers ?? 0, status: audit.body.status },
    });
  }
  return { outcome, audit, why };
}

/** A closed audit's findings, with the grades (agreed moderation grades standing) and the QA lead's plan, published. */
async function publishClosedAudit(
  svc: AuditServices,
  audit: AuditRecord,
  loaded: LoadedPopulation,
): Promise<Versioned<AuditRecord>> {
  const sample = await fixedSample(svc, audit, loaded);
  const standing = await standingGrades(svc, audit, loaded.ctx.timescales);
  const actionPlan = (await editedActionPlan(svc, audit.authorityId, audit.auditId))?.body;
  return publishAudit(svc, audit, loaded, sample, { ...standing, ...(actionPlan ? { actionPlan } : {}) });
}

/** The QA lead's edited action plan, if they have edited it (otherwise the template's plan is generated at close). */
export async function editedActionPlan(
  svc: AuditServices,
  authorityId: string,
  auditId: string,
): Promise<Versioned<ActionPlanRow[]> | null> {
  const stored = await svc.store.getAuditItem<unknown>(authorityId, { auditId, part: AUDIT_PARTS.actionPlan });
  return stored ? { ...stored, body: ActionPlanRow.array().parse(stored.body) } : null;
}

/**
 * Saves the QA lead's edit of the action plan before publishing: written only over the version they
 * read (0 for the first edit), and recorded in the trail with the rows added, removed and changed.
 */
export async function saveActionPlan(
  svc: AuditServices,
  authorityId: string,
  auditId: string,
  actor: string,
  rows: ActionPlanRow[],
  expectedVersion: number,
): Promise<Versioned<ActionPlanRow[]>> {
  const audit = await getAudit(svc, authorityId, auditId);
  if (!audit) throw new AuditRequestError(`no audit ${auditId}`, 'not-found');
  if (audit.body.status === 'published' || audit.body.status === 'closed')
    throw new AuditRequestError(`audit ${auditId} is ${audit.body.status}: its action plan can no longer be edited`);
  const plan = ActionPlanRow.array().parse(rows.map((r) => ({ ...r, source: r.source ?? 'qa-lead' })));
  const before = (await editedActionPlan(svc, authorityId, auditId))?.body ?? [];
  const stored = await svc.store.putAuditItem(
    authorityId,
    { auditId, part: AUDIT_PARTS.actionPlan },
    plan,
    expectedVersion,
  );
  const byId = (list: ActionPlanRow[]) => new Map(list.map((r) => [r.id, r]));
  const [old, now] = [byId(before), byId(plan)];
  await appendTrail(svc, authorityId, auditId, {
    actor,
    action: 'edit-action-plan',
    details: {
      added: [...now.keys()].filter((id) => !old.has(id)),
      removed: [...old.keys()].filter((id) => !now.has(id)),
      changed: [...now.keys()].filter(
        (id) => old.has(id) && JSON.stringify(old.get(id)) !== JSON.stringify(now.get(id)),
      ),
    },
  });
  return stored;
}

/** Records (and their cells) are spooled in chunks of about this size, alerts (far fewer) in smaller ones. */
const RECORD_SPOOL_BYTES = 4 * 1024 * 1024;
const ALERT_SPOOL_BYTES = 1024 * 1024;

async function* parsedLines<T>(lines: AsyncIterable<string>): AsyncIterable<T> {
  for await (const line of lines) yield JSON.parse(line) as T;
}

/**
 * Computes the findings (compared with the last published audit of the template), publishes them
 * and marks the audit published. One pass over the population counts the tables, judges the sampled
 * units and spools each record and alert to the bucket (work/…/publish/) as it is made: each record
 * as the JSON findings.json lists it and as the cells records.csv and the workbook list, so the
 * files are written from the spools without turning a record into JSON, or JSON into a record, again.
 */
async function publishAudit(
  svc: AuditServices,
  audit: AuditRecord,
  loaded: LoadedPopulation,
  sample: StoredSample,
  extra: Pick<FindingsOptions, 'grades' | 'actionPlan' | 'moderation'>,
): Promise<Versioned<AuditRecord>> {
  const previous = await previousPublished(svc, audit);
  const spool = `${workPrefix(audit.authorityId, audit.auditId)}publish/`;
  const recordSpool = new LineSpool(svc.objects, `${spool}records`, RECORD_SPOOL_BYTES);
  const rowSpool = new LineSpool(svc.objects, `${spool}record-cells`, RECORD_SPOOL_BYTES);
  const alertSpools = audit.template.criteria.map(
    (_, i) => new LineSpool(svc.objects, `${spool}alerts-${String(i).padStart(2, '0')}`, ALERT_SPOOL_BYTES),
  );
  const criteria = audit.template.criteria;
  const { document, tally, builder } = await findingsOf(
    svc,
    audit,
    loaded,
    sample,
    {
      record: async (r) => {
        await recordSpool.add(JSON.stringify(r));
        await rowSpool.add(JSON.stringify(recordCells(criteria, r)));
      },
      alert: (i, a) => alertSpools[i]!.add(JSON.stringify(a)),
    },
    { ...extra, ...(previous ? { previous } : {}) },
  );
  const records = await recordSpool.finish();
  const rows = await rowSpool.finish();
  const alerts = (await Promise.all(alertSpools.map((s) => s.finish()))).flat();
  await updateAudit(svc, audit.authorityId, audit.auditId, (a) => ({
    ...a,
    status: 'closed' satisfies AuditStatus,
    failure: null,
    population: document.population,
    sampleSize: document.sampleSize,
    marginOfError: sample.marginOfError,
    closedAt: document.audit.closedAt,
  }));
  await svc.objects.put(
    comparisonKey(audit.authorityId, audit.auditId),
    JSON.stringify(builder.comparisonBasis(document)),
    'application/json',
  );
  // The files are about to be written: a run taken over meanwhile stops here rather than write over its successor's.
  await assertLeaseHeld(svc, audit.authorityId, audit.auditId);
  const manifest = await publishFindingsFrom(
    svc.objects,
    {
      document,
      recordLines: () => spoolText(svc.objects, records),
      alertLines: () => spoolText(svc.objects, alerts),
      recordRows: () => parsedLines<RecordCells>(spoolLines(svc.objects, rows)),
      alerts: () => parsedLines<Alert>(spoolLines(svc.objects, alerts)),
      extent: {
        records: document.sampleSize,
        alerts: tally.count,
        alertThemes: Object.fromEntries(document.alertSummary.map((s) => [s.criterionId, s.theme])),
        alertsByTeamAndTitle: tally.byTeamAndTitle,
      },
    },
    { publishedAt: nowOf(svc) },
  );
  const manifestKey = manifest.files[0]!.key.replace(/[^/]+$/, MANIFEST_FILE);
  const published = await updateAudit(svc, audit.authorityId, audit.auditId, (a) => ({
    ...a,
    status: 'published',
    publishedAt: manifest.publishedAt,
    manifestKey,
  }));
  await appendTrail(svc, audit.authorityId, audit.auditId, {
    actor: 'system',
    action: 'publish',
    details: { manifestKey, files: manifest.files.map((f) => ({ name: f.name, sha256: f.sha256 })) },
  });
  return published;
}

/** The audit's sample: drawn once from the streamed population (exclusions applied), written to the bucket, then only ever read back. */
async function fixedSample(svc: AuditServices, audit: AuditRecord, loaded: LoadedPopulation): Promise<StoredSample> {
  const key = { auditId: audit.auditId, part: AUDIT_PARTS.sample };
  const existing = await svc.store.getAuditItem<SampleCheckpoint>(audit.authorityId, key);
  if (existing) return StoredSample.parse(await readJson(svc.objects, existing.body.workKey));
  const exclude = audit.excludeAuditedWithinMonths
    ? await recentlyAuditedChildren(
        svc,
        audit.authorityId,
        audit.auditId,
        audit.excludeAuditedWithinMonths,
        audit.createdAt,
      )
    : undefined;
  const { drawn: fresh } = await runPipeline({
    ctx: loaded.ctx,
    units: unitsOf(svc, audit, loaded),
    sample: {
      plan: audit.sampling,
      seed: audit.seed,
      ...(exclude
        ? {
            excludeChildIds: exclude,
            excludeReason: `a child in this unit was audited in the ${audit.excludeAuditedWithinMonths} months before this audit`,
          }
        : {}),
    },
  });
  const drawn = fresh!;
  const sample: StoredSample = {
    unitIds: drawn.unitIds,
    ...(drawn.census ? { census: true as const } : {}),
    sampleSize: drawn.sampleSize,
    population: drawn.populationSize,
    childIds: drawn.childIds,
    excluded: drawn.excluded,
    marginOfError: drawn.marginOfError,
    drawnAt: nowOf(svc),
  };
  const workKey = `${workPrefix(audit.authorityId, audit.auditId)}sample.json`;
  await svc.objects.put(workKey, JSON.stringify(sample), 'application/json');
  try {
    await withRetry(
      () =>
        svc.store.putAuditItem(
          audit.authorityId,
          key,
          { workKey, sampleSize: drawn.sampleSize, drawnAt: sample.drawnAt } satisfies SampleCheckpoint,
          0,
        ),
      svc.retry,
    );
  } catch (error) {
    // Another run drew it first: theirs is the sample (the same seed gives the same draw anyway).
    if (!(error instanceof VersionConflictError)) throw error;
    return fixedSample(svc, audit, loaded);
  }
  return sample;
}
