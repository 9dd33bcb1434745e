/**
 * The audit use cases behind the API and the web pages: launch (idempotently), list, read with
 * grading progress, close and publish, read findings, hand out download links, read the trail.
 * Every call takes the verified principal: roles and the authority are checked here as well as
 * at the gateway, and every read is scoped to the caller's authority.
 */
import { createHash, randomBytes } from 'node:crypto';
import * as z from 'zod';
import { AuditRecord, type GradingRecord } from '#audit/audit-record';
import { parseFindings, type FindingsDocument } from '#engine/findings-model';
import {
  appendTrail,
  auditTrail,
  failAuditJob,
  getAudit,
  gradingRecords,
  isClosable,
  launchAudit,
  mayTryAgain,
  publishingFailed,
  recentlyAuditedChildren,
  requestClose,
  tryAuditAgain,
  type TrailEntry,
} from '#audit/jobs';
import { previewSample } from '#audit/runner';
import { SamplingPlanSchema, type SamplingPlan } from '#engine/sampling';
import { marginOfError } from '#engine/statistics';
import type { AuditTemplate } from '#engine/template';
import { renderTemplate, renderText } from '#engine/timescale-text';
import { hasRole, type Principal } from '#auth/principal';
import { IsoDate } from '#domain/dates';
import { MANIFEST_FILE, PUBLISHED_FILES, readManifest } from '#reports/publish';
import { MAX_DOWNLOAD_LINK_SECONDS } from '#store/object-store';
import { VersionConflictError, type Versioned } from '#store/record-store';
import { runIdOf, type AuditRun } from './audit-runner.ts';
import { authorityTimescales } from './authority.ts';
import { nowIso, type ServiceContext } from './context.ts';
import { ConflictError, ForbiddenError, InvalidInputError, NotFoundError } from './errors.ts';

/** POST /audits: what a QA lead asks for. */
export const LaunchAuditBody = z.strictObject({
  templateId: z.string().min(1).max(64).describe('the template to run, e.g. "permanence-at-second-review"'),
  from: IsoDate.describe('first day of the audit period (YYYY-MM-DD)'),
  to: IsoDate.describe('last day of the audit period (YYYY-MM-DD)'),
  sample: SamplingPlanSchema.optional().describe("how to sample the population; the template's default when absent"),
  seed: z
    .number()
    .int()
    .min(0)
    .max(2 ** 31 - 1)
    .optional()
    .describe('the sampling seed; drawn at random (and stored) when absent'),
  title: z.string().trim().min(1).max(200).optional(),
  autoOnly: z.boolean().optional().describe('judge the automatic criteria and publish at once, with no grading'),
  excludeAuditedWithinMonths: z
    .number()
    .int()
    .min(1)
    .max(60)
    .optional()
    .describe('leave out children audited in this many months before'),
});
export type LaunchAuditBody = z.infer<typeof LaunchAuditBody>;

/** An Idempotency-Key header: a retry with the same key returns the same audit. */
export const IdempotencyKey = z
  .string()
  .min(8, 'must be 8–128 characters')
  .max(128, 'must be 8–128 characters')
  .regex(/^[\x21-\x7e]+$/, 'must be printable ASCII with no spaces');

/** How far one IRO has got. */
export const IroProgress = z.object({
  iroId: z.string(),
  assigned: z.number().int(),
  graded: z.number().int(),
  started: z.number().int(),
});

/** An audit as the API shows it: the stored record's own fields, its template summarised, and grading progress. */
export const AuditView = AuditRecord.pick({
  auditId: true,
  title: true,
  status: true,
  period: true,
  seed: true,
  autoOnly: true,
  createdAt: true,
  createdBy: true,
  population: true,
  sampleSize: true,
  marginOfError: true,
  failure: true,
  closedAt: true,
  publishedAt: true,
}).extend({
  version: z.number().int().describe('the audit record version'),
  template: z.object({ id: z.string(), version: z.number().int(), title: z.string(), theme: z.string() }),
  timescales: z
    .object({ id: z.string(), title: z.string() })
    .nullable()
    .describe(
      'the timescale set the audit is judged by, fixed when it was launched (null for audits launched before audits kept one: they use the authority’s current set)',
    ),
  sampling: z.unknown(),
  grading: z
    .object({
      records: z.number().int(),
      graded: z.number().int(),
      unassigned: z.number().int(),
      byIro: z.array(IroProgress),
    })
    .nullable()
    .describe('grading progress (QA leads; null before the sample is assigned)'),
});
export type AuditView = z.infer<typeof AuditView>;

/** The manual criteria every sampled record must be graded on. */
export const manualCriterionIds = (template: AuditTemplate) =>
  template.criteria.filter((c) => c.kind === 'manual').map((c) => c.id);

/** True when every manual criterion of the template has a grade. */
export const isFullyGraded = (template: AuditTemplate, grades: Record<string, string>) =>
  manualCriterionIds(template).every((id) => grades[id] !== undefined);

function requireRole(principal: Principal, ...roles: Principal['roles']): void {
  if (!hasRole(principal, ...roles))
    throw new ForbiddenError(`this needs the ${roles.join(' or ')} role; you are ${principal.roles.join(', ')}`);
}

/**
 * The audit, or 404. Senior managers see only published audits: one not yet published is "not found"
 * to them in the same words as one that does not exist, so they learn nothing of audits under way.
 * IROs reach audits through their assignments.
 */
export async function readableAudit(
  ctx: ServiceContext,
  principal: Principal,
  auditId: string,
): Promise<Versioned<AuditRecord>> {
  requireRole(principal, 'qa-lead', 'senior-manager');
  const audit = await getAudit(ctx, principal.authorityId, auditId);
  if (!audit || (!hasRole(principal, 'qa-lead') && audit.body.status !== 'published'))
    throw new NotFoundError(`no audit ${auditId}`);
  return audit;
}

/** The audit for a QA lead's action, or 404. */
export async function qaLeadAudit(
  ctx: ServiceContext,
  principal: Principal,
  auditId: string,
): Promise<Versioned<AuditRecord>> {
  requireRole(principal, 'qa-lead');
  const audit = await getAudit(ctx, principal.authorityId, auditId);
  if (!audit) throw new NotFoundError(`no audit ${auditId}`);
  return audit;
}

/** Audit ids sort by launch time; the random tail keeps two launches in one second apart. */
function newAuditId(now: string): string {
  return `${now.slice(0, 19).replace(/[-:]/g, '').replace('T', '-')}-${randomBytes(3).toString('hex')}`;
}

/** The audit id an idempotency key stands for: the same caller and key always name the same audit. */
function idempotentAuditId(principal: Principal, key: string): string {
  return `k-${createHash('sha256').update(`${principal.authorityId}\u0000${principal.userId}\u0000${key}`).digest('hex').slice(0, 24)}`;
}

/** Whether a retried launch asks for what the first one did (fields the retry leaves out match anything). */
function sameLaunch(stored: AuditRecord, body: LaunchAuditBody, sampling: SamplingPlan): boolean {
  return (
    stored.template.id === body.templateId &&
    stored.period.from === body.from &&
    stored.period.to === body.to &&
    JSON.stringify(stored.sampling) === JSON.stringify(sampling) &&
    (body.seed === undefined || body.seed === stored.seed) &&
    (body.title === undefined || body.title === stored.title) &&
    (body.autoOnly ?? false) === stored.autoOnly
  );
}

/** What a launch (or its preview) asks for, checked: a QA lead, a period that does not run backwards, a template the authority has. */
async function launchPlan(
  ctx: ServiceContext,
  principal: Principal,
  body: LaunchAuditBody,
): Promise<{ template: AuditTemplate; sampling: SamplingPlan }> {
  requireRole(principal, 'qa-lead');
  if (body.from > body.to)
    throw new InvalidInputError([
      { field: 'to', message: `the period ends (${body.to}) before it starts (${body.from})` },
    ]);
  let template: AuditTemplate;
  try {
    template = (await ctx.templates.get(principal.authorityId, body.templateId)).template;
  } catch (error) {
    if (error instanceof NotFoundError) throw new InvalidInputError([{ field: 'templateId', message: error.message }]);
    throw error;
  }
  return { template, sampling: body.sample ?? template.defaultSampling };
}

/**
 * Launches an audit and starts its run. With an idempotency key a retry returns the same audit
 * (`replayed: true`) rather than launching another; the same key with a different request is a conflict.
 */
export async function launch(
  ctx: ServiceContext,
  principal: Principal,
  body: LaunchAuditBody,
  idempotencyKey?: string,
): Promise<{ audit: AuditView; replayed: boolean }> {
  const { template, sampling } = await launchPlan(ctx, principal, body);
  const auditId = idempotencyKey ? idempotentAuditId(principal, idempotencyKey) : newAuditId(nowIso(ctx));
  const runId = runIdOf({ authorityId: principal.authorityId, auditId });
  let launched: Versioned<AuditRecord>;
  try {
    launched = await launchAudit(ctx, {
      auditId,
      authorityId: principal.authorityId,
      template,
      period: { from: body.from, to: body.to },
      sampling,
      seed: body.seed ?? randomBytes(4).readUInt32BE() % 2 ** 31,
      autoOnly: body.autoOnly ?? false,
      createdBy: principal.userId,
      excludeAuditedWithinMonths: body.excludeAuditedWithinMonths ?? null,
      ...(body.title ? { title: body.title } : {}),
      runId,
    });
  } catch (error) {
    if (!(error instanceof VersionConflictError) || !idempotencyKey) throw error;
    const existing = await getAudit(ctx, principal.authorityId, auditId);
    if (!existing) throw error;
    if (!sameLaunch(existing.body, body, sampling)) {
      throw new ConflictError(
        'this Idempotency-Key was already used to launch a different audit: use a new key for a new audit',
        { auditId },
      );
    }
    return { audit: await viewOf(ctx, existing, principal), replayed: true };
  }
  try {
    await ctx.runner.start({ authorityId: principal.authorityId, auditId, segments: launched.body.segments });
  } catch (error) {
    // Launched but not started: say so on the audit itself rather than leave it waiting for ever.
    launched = await failAuditJob(
      ctx,
      principal.authorityId,
      auditId,
      `the audit could not be started: ${(error as Error).message}`,
      { runId },
    );
  }
  return { audit: await viewOf(ctx, launched, principal), replayed: false };
}

/** What a launch would give, before launching: the QA lead checks the sample and its margin of error first. */
export const LaunchPreview = z.object({
  templateTitle: z.string(),
  sampling: z.unknown(),
  counted: z.boolean().describe('true: counted now with the engine; false: estimated (see `notCountedBecause`)'),
  notCountedBecause: z.enum(['not-permitted', 'too-slow']).nullable(),
  population: z
    .number()
    .int()
    .nullable()
    .describe('units the template’s population rule finds in the period, from the records as they stand now'),
  eligible: z.number().int().nullable().describe('units left after leaving out recently audited children'),
  excluded: z.number().int().nullable(),
  sampleSize: z
    .number()
    .int()
    .nullable()
    .describe('null when it depends on a population not counted (every record, a percentage)'),
  marginOfError: z
    .number()
    .nullable()
    .describe(
      '95% margin of error of a proportion at its worst (p = 0.5): finite population corrected when counted; for a population of unknown size (an upper bound) when estimated',
    ),
  strata: z
    .array(z.object({ stratum: z.string(), population: z.number().int(), sampled: z.number().int() }))
    .nullable(),
});
export type LaunchPreview = z.infer<typeof LaunchPreview>;

/** How long the check counts before answering with an estimate instead (the API's Lambda gives up at 29 s). */
export const PREVIEW_COUNT_BUDGET_MS = 8_000;

/** The sample a plan asks for when it does not depend on the population's size. */
function plannedSampleSize(plan: SamplingPlan): number | null {
  if (plan.type === 'count') return plan.value;
  if (plan.type === 'stratified') return plan.value ?? Object.values(plan.quotas ?? {}).reduce((n, q) => n + q, 0);
  return null;
}

/**
 * The population a launch would audit and the sample it would draw, counted with the same engine the
 * run uses (the population rule over every child's records, the same scan segments, the same draw
 * and exclusions). That reads the whole authority once, as the run does: about a second for the
 * 60-child demo, 3 s for the 470-child one on dynalite. When the store will not be scanned from here
 * (on AWS the API's role has no Scan: populations are gathered by the runner) or the count takes
 * longer than `countBudgetMs`, it answers with an estimate instead, and says so: the planned sample
 * size against a population of unknown size, whose margin is an upper bound of the real one.
 * The run counts again when it starts, so counted figures can move if records change in between.
 */
export async function previewLaunch(
  ctx: ServiceContext,
  principal: Principal,
  body: LaunchAuditBody,
  options: { countBudgetMs?: number } = {},
): Promise<LaunchPreview> {
  const { template, sampling } = await launchPlan(ctx, principal, body);
  const estimate = (why: 'not-permitted' | 'too-slow'): LaunchPreview => {
    const sampleSize = plannedSampleSize(sampling);
    return {
      templateTitle: template.title,
      sampling,
      counted: false,
      notCountedBecause: why,
      population: null,
      eligible: null,
      excluded: null,
      sampleSize,
      marginOfError: sampleSize ? marginOfError(sampleSize, Infinity) : null,
      strata: null,
    };
  };
  const counting = (async () => {
    const excludeChildIds = body.excludeAuditedWithinMonths
      ? await recentlyAuditedChildren(ctx, principal.authorityId, '', body.excludeAuditedWithinMonths, nowIso(ctx))
      : undefined;
    return previewSample(ctx.store, {
      authorityId: principal.authorityId,
      template,
      period: { from: body.from, to: body.to },
      sampling,
      seed: body.seed ?? 1,
      ...(excludeChildIds ? { excludeChildIds } : {}),
    });
  })();
  counting.catch(() => {}); // settled below, or abandoned after the budget
  let timer: NodeJS.Timeout | undefined;
  const budget = new Promise<'too-slow'>((resolve) => {
    timer = setTimeout(() => resolve('too-slow'), options.countBudgetMs ?? PREVIEW_COUNT_BUDGET_MS);
  });
  try {
    const drawn = await Promise.race([counting, budget]);
    if (drawn === 'too-slow') return estimate('too-slow');
    return {
      templateTitle: template.title,
      sampling,
      counted: true,
      notCountedBecause: null,
      population: drawn.populationSize,
      eligible: drawn.eligibleSize,
      excluded: drawn.excluded.length,
      sampleSize: drawn.sampleSize,
      marginOfError: drawn.marginOfError,
      strata: drawn.strata ?? null,
    };
  } catch (error) {
    if ((error as Error).name === 'AccessDeniedException') return estimate('not-permitted');
    throw error;
  } finally {
    clearTimeout(timer);
  }
}

/** Grading progress from the sampled records. */
export function gradingProgress(
  template: AuditTemplate,
  records: readonly GradingRecord[],
): NonNullable<AuditView['grading']> {
  const byIro = new Map<string, z.infer<typeof IroProgress>>();
  let graded = 0;
  for (const r of records) {
    const done = isFullyGraded(template, r.grades);
    if (done) graded += 1;
    if (!r.assignedTo) continue;
    const p = byIro.get(r.assignedTo) ?? { iroId: r.assignedTo, assigned: 0, graded: 0, started: 0 };
    p.assigned += 1;
    if (done) p.graded += 1;
    else if (Object.keys(r.grades).length > 0 || r.comment) p.started += 1;
    byIro.set(r.assignedTo, p);
  }
  return {
    records: records.length,
    graded,
    unassigned: records.filter((r) => !r.assignedTo).length,
    byIro: [...byIro.values()].sort((a, b) => a.iroId.localeCompare(b.iroId)),
  };
}

async function viewOf(
  ctx: ServiceContext,
  stored: Versioned<AuditRecord>,
  principal: Principal,
  withProgress = true,
): Promise<AuditView> {
  const a = stored.body;
  const records =
    withProgress && hasRole(principal, 'qa-lead') && !a.autoOnly && a.sampleSize !== null
      ? (await gradingRecords(ctx, a.authorityId, a.auditId)).map((r) => r.body)
      : null;
  return {
    auditId: a.auditId,
    version: stored.version,
    title: a.title,
    status: a.status,
    template: {
      id: a.template.id,
      version: a.template.version,
      title: a.timescales ? renderText(a.template.title, a.timescales) : a.template.title,
      theme: a.template.theme,
    },
    timescales: a.timescales ? { id: a.timescales.id, title: a.timescales.title } : null,
    period: a.period,
    sampling: a.sampling,
    seed: a.seed,
    autoOnly: a.autoOnly,
    createdAt: a.createdAt,
    createdBy: a.createdBy,
    population: a.population,
    sampleSize: a.sampleSize,
    marginOfError: a.marginOfError,
    failure: a.failure,
    closedAt: a.closedAt,
    publishedAt: a.publishedAt,
    grading: records ? gradingProgress(a.template, records) : null,
  };
}

/**
 * The audit's template as its readers see it (QA leads and senior managers): every placeholder
 * worded from the set the audit is judged by (the authority's current set for audits launched
 * before audits kept one).
 */
export async function auditTemplate(
  ctx: ServiceContext,
  principal: Principal,
  auditId: string,
): Promise<AuditTemplate> {
  const a = (await readableAudit(ctx, principal, auditId)).body;
  return renderTemplate(a.template, a.timescales ?? (await authorityTimescales(ctx, a.authorityId)));
}

/** One audit with its grading progress. */
export async function audit(ctx: ServiceContext, principal: Principal, auditId: string): Promise<AuditView> {
  return viewOf(ctx, await readableAudit(ctx, principal, auditId), principal);
}

/** The authority's audits, newest first: all of them for QA leads, the published ones for senior managers. */
export async function listAudits(
  ctx: ServiceContext,
  principal: Principal,
  filter: { status?: AuditRecord['status'] } = {},
): Promise<AuditView[]> {
  requireRole(principal, 'qa-lead', 'senior-manager');
  const views: AuditView[] = [];
  for await (const listed of ctx.store.listAudits<unknown>(principal.authorityId)) {
    const parsed = AuditRecord.safeParse(listed.body);
    if (!parsed.success) continue;
    if (!hasRole(principal, 'qa-lead') && parsed.data.status !== 'published') continue;
    if (filter.status && parsed.data.status !== filter.status) continue;
    views.push(await viewOf(ctx, { ...listed, body: parsed.data }, principal, false));
  }
  return views.sort((a, b) => b.createdAt.localeCompare(a.createdAt) || b.auditId.localeCompare(a.auditId));
}

/**
 * Closes a graded audit: grades and the action plan are final from here, and the runner computes and
 * publishes the findings in the background (on AWS the state machine; a large audit takes minutes,
 * longer than a request may). Also retries the publishing of a closed audit that failed.
 */
export async function close(ctx: ServiceContext, principal: Principal, auditId: string): Promise<AuditView> {
  const current = await qaLeadAudit(ctx, principal, auditId);
  const status = current.body.status;
  const retry = publishingFailed(current.body);
  if (!isClosable(current.body)) {
    throw new ConflictError(
      `the audit is ${status}: only an audit in grading or moderation can be closed${status === 'published' ? ' (published findings are final)' : status === 'closed' ? ' (it is being published)' : ''}`,
    );
  }
  await appendTrail(ctx, principal.authorityId, auditId, {
    actor: principal.userId,
    action: 'close',
    details: { from: status },
  });
  const run: AuditRun = {
    authorityId: principal.authorityId,
    auditId,
    segments: current.body.segments,
    purpose: retry ? `publish-${current.version}` : 'publish',
  };
  const closed = await requestClose(ctx, principal.authorityId, auditId, runIdOf(run));
  return viewOf(ctx, await startRun(ctx, run), principal);
}

/**
 * Starts a run whose lease the audit already holds; a runner that cannot start it leaves the audit
 * failed with the reason (try again later), never waiting for a run that will not come.
 */
async function startRun(ctx: ServiceContext, run: AuditRun): Promise<Versioned<AuditRecord>> {
  try {
    await ctx.runner.start(run);
  } catch (error) {
    return failAuditJob(
      ctx,
      run.authorityId,
      run.auditId,
      `the run could not be started: ${(error as Error).message}`,
      { runId: runIdOf(run) },
    );
  }
  return (await getAudit(ctx, run.authorityId, run.auditId))!;
}

/** Statuses an audit rests in without having failed: nothing to try again. */
const RESTING_UNFAILED: readonly AuditRecord['status'][] = ['grading', 'moderation', 'published'];

/**
 * Whether a QA lead may try the audit again now (the web page's "Try again" button): its run or its
 * publication failed, or its run stopped before recovery noticed. False for anyone but a QA lead.
 */
export async function mayTryAgainNow(ctx: ServiceContext, principal: Principal, auditId: string): Promise<boolean> {
  if (!hasRole(principal, 'qa-lead')) return false;
  const current = await qaLeadAudit(ctx, principal, auditId);
  return mayTryAgain(current.body, ctx.now?.() ?? new Date());
}

/**
 * Tries a failed audit run, or a failed publication, again (QA lead): it resumes from what is kept
 * (checkpointed segments, the drawn sample, the grades and the action plan are never redone or
 * lost), and the trail records who tried again and why it had failed. Also restarts a run whose
 * process stopped before recovery noticed. 409 for an audit that is not failed or stopped.
 */
export async function tryAgain(ctx: ServiceContext, principal: Principal, auditId: string): Promise<AuditView> {
  const current = await qaLeadAudit(ctx, principal, auditId);
  if (RESTING_UNFAILED.includes(current.body.status)) {
    throw new ConflictError(
      `the audit has not failed: it is ${current.body.status}. Only a failed run or a failed publication can be tried again`,
    );
  }
  const run: AuditRun = {
    authorityId: principal.authorityId,
    auditId,
    segments: current.body.segments,
    purpose: `retry-${current.version}`,
  };
  // A refusal (a run going now, or the audit gone meanwhile) is an AppError of its own kind: 409 or 404.
  await tryAuditAgain(ctx, principal.authorityId, auditId, principal.userId, runIdOf(run));
  return viewOf(ctx, await startRun(ctx, run), principal);
}

/** The trail, oldest first: who did what and when. */
export async function history(ctx: ServiceContext, principal: Principal, auditId: string): Promise<TrailEntry[]> {
  await readableAudit(ctx, principal, auditId);
  return auditTrail(ctx, principal.authorityId, auditId);
}

/** The published findings document (for senior managers and QA leads), or 409 before publication. */
export async function publishedFindings(
  ctx: ServiceContext,
  principal: Principal,
  auditId: string,
): Promise<FindingsDocument> {
  const stored = await readableAudit(ctx, principal, auditId);
  if (stored.body.status !== 'published' || !stored.body.manifestKey)
    throw new ConflictError(`audit ${auditId} is ${stored.body.status}: its findings are not published yet`);
  const bytes = await ctx.objects.get(stored.body.manifestKey.replace(MANIFEST_FILE, 'findings.json'));
  if (!bytes) throw new NotFoundError(`the findings of audit ${auditId} are missing from the bucket`);
  // An audit published under an earlier schema version (still read) is shown as it was published.
  const parsed = parseFindings(JSON.parse(new TextDecoder().decode(bytes)));
  if (!parsed.success)
    throw new Error(
      `the findings of audit ${auditId} do not read as findings.json: ${parsed.error.issues
        .slice(0, 3)
        .map((i) => `${i.path.join('.')}: ${i.message}`)
        .join('; ')}`,
    );
  return parsed.data;
}

/** The files a published audit offers for download. */
export const DOWNLOADABLE_FILES = [...PUBLISHED_FILES, MANIFEST_FILE] as const;
export const DownloadableFile = z.enum(DOWNLOADABLE_FILES);
export type DownloadableFile = z.infer<typeof DownloadableFile>;

export const DownloadLink = z.object({
  file: z.string(),
  url: z.string().describe('a presigned link to the file, valid until expiresAt'),
  expiresAt: z.string(),
  size: z.number().int().nullable(),
  sha256: z.string().nullable(),
});
export type DownloadLink = z.infer<typeof DownloadLink>;

/** A short-lived link to one published file; the download is recorded in the trail. */
export async function downloadLink(
  ctx: ServiceContext,
  principal: Principal,
  auditId: string,
  file: DownloadableFile,
): Promise<DownloadLink> {
  const stored = await readableAudit(ctx, principal, auditId);
  if (stored.body.status !== 'published')
    throw new ConflictError(
      `audit ${auditId} is ${stored.body.status}: there is nothing to download until it is published`,
    );
  const manifest = await readManifest(ctx.objects, principal.authorityId, auditId);
  if (!manifest) throw new NotFoundError(`the findings of audit ${auditId} are missing from the bucket`);
  const entry = manifest.files.find((f) => f.name === file);
  const key = entry?.key ?? `${manifest.files[0]!.key.replace(/[^/]+$/, '')}${MANIFEST_FILE}`;
  if (!entry && file !== MANIFEST_FILE) throw new NotFoundError(`audit ${auditId} has no file ${file}`);
  const issued = ctx.now?.() ?? new Date();
  const url = await ctx.links.downloadUrl(key, {
    expiresInSeconds: MAX_DOWNLOAD_LINK_SECONDS,
    fileName: `${auditId}-${file}`,
  });
  await appendTrail(ctx, principal.authorityId, auditId, {
    actor: principal.userId,
    action: 'download',
    details: { file },
  });
  return {
    file,
    url,
    expiresAt: new Date(issued.getTime() + MAX_DOWNLOAD_LINK_SECONDS * 1000).toISOString(),
    size: entry?.size ?? null,
    sha256: entry?.sha256 ?? null,
  };
}

/** The files a published audit offers, with their sizes (from the manifest), for download buttons. */
export async function publishedFiles(
  ctx: ServiceContext,
  principal: Principal,
  auditId: string,
): Promise<{ file: DownloadableFile; size: number | null }[]> {
  const stored = await readableAudit(ctx, principal, auditId);
  if (stored.body.status !== 'published')
    throw new ConflictError(
      `audit ${auditId} is ${stored.body.status}: there is nothing to download until it is published`,
    );
  const manifest = await readManifest(ctx.objects, principal.authorityId, auditId);
  if (!manifest) throw new NotFoundError(`the findings of audit ${auditId} are missing from the bucket`);
  return DOWNLOADABLE_FILES.map((file) => ({ file, size: manifest.files.find((f) => f.name === file)?.size ?? null }));
}

/** The sample's records of an audit (QA leads), with their assignment. */
export async function auditRecords(
  ctx: ServiceContext,
  principal: Principal,
  auditId: string,
): Promise<Versioned<GradingRecord>[]> {
  await qaLeadAudit(ctx, principal, auditId);
  return gradingRecords(ctx, principal.authorityId, auditId);
}
