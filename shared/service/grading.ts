/**
 * IROs grading sampled records, and QA leads moderating them. Independence is enforced here on
 * every read and write, not only when records are assigned: an IRO reaches only records assigned
 * to them (as auditor or moderator) and never a child they are, or ever were, the IRO for —
 * allocated at any date or chairing any review, checked against the child's records as they stand
 * now. Each action is done in the one role it needs, whatever other groups the person is in: saving
 * grades is always the IRO's action (their worker id, their assignment, their independence);
 * recording agreed grades is the QA lead's. Grades are written only over the version read, in one
 * transaction with their trail entry.
 */
import * as z from 'zod';
import { AuditRecord, AUDIT_PARTS, GradingRecord, ModerationRecord } from '#audit/audit-record';
import { assignUnits } from '#engine/assignment';
import { criterionRule, judgeUnit } from '#engine/evaluate';
import { Evidence, Outcome } from '#engine/findings-model';
import { appendTrail, getAudit, gradingRecords, moderatedPairs, moveAudit, trailWrite } from '#audit/jobs';
import type { AuditUnit } from '#engine/population';
import { unitFromRecords } from '#engine/pipeline';
import { populationContext } from '#audit/runner';
import { Agreement, agreementOf } from '#engine/moderation';
import type { AuditTemplate } from '#engine/template';
import { renderTemplate, renderText } from '#engine/timescale-text';
import type { TimescaleSet } from '#domain/timescales';
import { hasRole, type Principal } from '#auth/principal';
import { Random } from '#engine/random';
import { periodsOfCare, sequenceReviews } from '#domain/period-of-care';
import { VersionConflictError, type ChildRecords, type Versioned } from '#store/record-store';
import { isFullyGraded, manualCriterionIds } from './audits.ts';
import { nowIso, type ServiceContext } from './context.ts';
import { ConflictError, ForbiddenError, InvalidInputError, NotFoundError } from './errors.ts';

const GRADABLE: readonly AuditRecord['status'][] = ['grading', 'moderation'];

/** PUT …/grades: the grades an IRO saves, over the version they read (0 before the first save). */
export const GradesBody = z.strictObject({
  version: z.number().int().min(0).describe('the version of the grades you read (0 if none were saved yet)'),
  grades: z.record(z.string(), z.string()).describe('manual criterion id → grade from the template scale'),
  overall: z.string().nullable().optional(),
  comment: z.string().max(10_000).nullable().optional(),
});
export type GradesBody = z.infer<typeof GradesBody>;

/** One IRO's grades on a record as the API shows them. */
export const GradesView = z.object({
  version: z.number().int(),
  grades: z.record(z.string(), z.string()),
  overall: z.string().nullable(),
  comment: z.string().nullable(),
  complete: z.boolean().describe('every manual criterion has a grade'),
});
export type GradesView = z.infer<typeof GradesView>;

/** One entry of an IRO's work list. */
export const Assignment = z.object({
  auditId: z.string(),
  auditTitle: z.string(),
  template: z.object({ id: z.string(), title: z.string() }),
  status: z.string(),
  recordId: z.string(),
  role: z.enum(['auditor', 'moderator']),
  service: z.string().nullable(),
  team: z.string().nullable(),
  progress: z.enum(['not started', 'in progress', 'graded']),
});
export type Assignment = z.infer<typeof Assignment>;

/** Everything an IRO needs to grade one record. */
export const RecordView = z.object({
  auditId: z.string(),
  auditTitle: z.string(),
  status: z.string(),
  recordId: z.string(),
  role: z.enum(['auditor', 'moderator', 'qa-lead']),
  summary: z.object({
    childIds: z.array(z.string()),
    date: z.string().nullable(),
    service: z.string().nullable(),
    team: z.string().nullable(),
    iroId: z.string().nullable(),
  }),
  timeline: z.array(
    z.object({
      childId: z.string(),
      dateOfBirth: z.string().nullable(),
      periodsOfCare: z.array(
        z.object({
          start: z.string(),
          end: z.string().nullable(),
          episodes: z.array(
            z.object({
              start: z.string(),
              end: z.string().nullable(),
              legalStatus: z.string(),
              placement: z.string().nullable(),
            }),
          ),
        }),
      ),
      reviews: z.array(
        z.object({
          date: z.string(),
          sequence: z.number().int().nullable(),
          participationCode: z.string().nullable(),
          iroId: z.string().nullable(),
          stoodDown: z.boolean().nullable(),
        }),
      ),
      healthEvents: z.array(z.object({ type: z.string(), date: z.string(), status: z.string().nullable() })),
    }),
  ),
  /** Each automatic criterion's outcome now, with its evidence and the rule it answers (in findings, the rule is the criterion's). */
  automatic: z.array(
    z.object({
      criterionId: z.string(),
      title: z.string(),
      outcome: Outcome,
      evidence: Evidence.extend({ rule: z.string() }),
    }),
  ),
  manual: z.array(z.object({ criterionId: z.string(), title: z.string(), question: z.string(), guidance: z.string() })),
  gradeScale: z.array(z.object({ grade: z.string(), guidance: z.string() })),
  grades: GradesView.describe("the caller's own grades: a moderator never sees the auditor's (blind moderation)"),
  /** QA leads only: both gradings and the agreement, once moderated. */
  moderation: z.object({ moderator: z.string(), grades: GradesView, agreed: ModerationRecord.shape.agreed }).nullable(),
});
export type RecordView = z.infer<typeof RecordView>;

const gradesView = (
  template: AuditTemplate,
  version: number,
  r: { grades: Record<string, string>; overall: string | null; comment: string | null },
): GradesView => ({
  version,
  grades: r.grades,
  overall: r.overall,
  comment: r.comment,
  complete: isFullyGraded(template, r.grades),
});

async function openAudit(ctx: ServiceContext, principal: Principal, auditId: string): Promise<AuditRecord> {
  const audit = await getAudit(ctx, principal.authorityId, auditId);
  if (!audit) throw new NotFoundError(`no audit ${auditId}`);
  return audit.body;
}

async function gradingRecord(
  ctx: ServiceContext,
  authorityId: string,
  auditId: string,
  recordId: string,
): Promise<Versioned<GradingRecord> | null> {
  const stored = await ctx.store.getAuditItem<unknown>(authorityId, { auditId, part: AUDIT_PARTS.record(recordId) });
  return stored ? { ...stored, body: GradingRecord.parse(stored.body) } : null;
}

async function moderationRecord(
  ctx: ServiceContext,
  authorityId: string,
  auditId: string,
  recordId: string,
): Promise<Versioned<ModerationRecord> | null> {
  const stored = await ctx.store.getAuditItem<unknown>(authorityId, {
    auditId,
    part: AUDIT_PARTS.moderation(recordId),
  });
  return stored ? { ...stored, body: ModerationRecord.parse(stored.body) } : null;
}

/** The children's records as they stand. */
async function childrenOf(
  ctx: ServiceContext,
  authorityId: string,
  childIds: readonly string[],
): Promise<ChildRecords[]> {
  const all = await Promise.all(childIds.map((id) => ctx.store.getChildRecords(authorityId, id)));
  return all.filter((r): r is ChildRecords => r !== null);
}

/** Why a person is refused a record of their own child, in the words the API and the pages show. */
export const OWN_CHILD_REASON =
  'you are, or have been, the IRO for a child in this record (allocated as their IRO, or chairing one of their reviews, at any date): ' +
  'nobody grades or moderates a child they were the IRO for. Another IRO or QA lead must do it: ask your QA lead';

/** Why an IRO whose account carries no worker id is refused, and what puts it right. */
export const NO_WORKER_ID_REASON =
  'your account has no worker id (custom:worker_id), so no records can be assigned to you and none are shown. ' +
  'Ask your administrator to set it to your WORKER_ID in the authority’s records';

/** The caller's worker id, which every IRO action needs; a 403 saying how to get one when there is none. */
function workerIdOf(principal: Principal): string {
  if (!principal.workerId) throw new ForbiddenError(NO_WORKER_ID_REASON);
  return principal.workerId;
}

/**
 * Refuses `workerId` a record of any child they are or ever were the IRO for: as recorded when the
 * record was assigned, and as the store holds the children's records now, so an allocation or a
 * review imported since counts too. Each child costs two small strongly consistent queries of its
 * own partition (its IRO allocations, its reviews' chairs), all in parallel.
 */
export async function assertIndependent(
  ctx: Pick<ServiceContext, 'store'>,
  authorityId: string,
  workerId: string,
  record: Pick<GradingRecord, 'childIds' | 'ownIroIds'>,
): Promise<void> {
  if (record.ownIroIds.includes(workerId)) throw new ForbiddenError(OWN_CHILD_REASON);
  const iros = await Promise.all(record.childIds.map((childId) => ctx.store.irosOfChild(authorityId, childId)));
  if (iros.some((ids) => ids.includes(workerId))) throw new ForbiddenError(OWN_CHILD_REASON);
}

/** What the caller does with a record, each in the one role it needs: reading it, or saving grades (always as its IRO). */
type RecordAction = 'read' | 'grade';

interface Access {
  audit: AuditRecord;
  record: Versioned<GradingRecord>;
  moderation: Versioned<ModerationRecord> | null;
  role: 'auditor' | 'moderator' | 'qa-lead';
}

/** The caller's part in a record as an IRO: its auditor, its moderator, or none. */
function iroPart(
  principal: Principal,
  record: GradingRecord,
  moderation: ModerationRecord | null,
): 'auditor' | 'moderator' | null {
  if (!hasRole(principal, 'iro') || !principal.workerId) return null;
  if (record.assignedTo === principal.workerId) return 'auditor';
  if (moderation?.moderator === principal.workerId) return 'moderator';
  return null;
}

/**
 * Who may do what with a record. Saving grades: only the IRO it is assigned to, or its moderator,
 * by their worker id, whatever other groups they are in. Reading: the same IROs (the IRO view,
 * blind for a moderator); otherwise a QA lead (the moderation view). Nobody with a worker id
 * reaches a child they are or were the IRO for, in either role, even if the records changed after
 * the assignment. A record that is not theirs is "not found" to an IRO: they learn nothing of others.
 */
async function access(
  ctx: ServiceContext,
  principal: Principal,
  auditId: string,
  recordId: string,
  action: RecordAction,
): Promise<Access> {
  if (!hasRole(principal, 'qa-lead', 'iro')) throw new ForbiddenError('grading records is for IROs and QA leads');
  if (action === 'grade') {
    if (!hasRole(principal, 'iro'))
      throw new ForbiddenError(
        'grades are saved by the IRO the record is assigned to, or its second IRO in moderation; a QA lead records agreed grades once the record has been moderated',
      );
    workerIdOf(principal);
  }
  // Independent reads, in parallel: an IRO waits for the slowest, not the sum.
  const [audit, record, moderation] = await Promise.all([
    openAudit(ctx, principal, auditId),
    gradingRecord(ctx, principal.authorityId, auditId, recordId),
    moderationRecord(ctx, principal.authorityId, auditId, recordId),
  ]);
  if (!record) throw new NotFoundError(`no record ${recordId} in audit ${auditId}`);
  const part = iroPart(principal, record.body, moderation?.body ?? null);
  if (!part && (action === 'grade' || !hasRole(principal, 'qa-lead'))) {
    workerIdOf(principal);
    throw new NotFoundError(`no record ${recordId} in audit ${auditId} is assigned to you`);
  }
  if (principal.workerId) await assertIndependent(ctx, principal.authorityId, principal.workerId, record.body);
  return { audit, record, moderation, role: part ?? 'qa-lead' };
}

/** How long the authority's settings and professionals are reused for the evidence beside a record. */
const WORKFORCE_TTL_MS = 60_000;
const workforces = new WeakMap<
  ServiceContext['store'],
  Map<string, { at: number; value: Promise<Awaited<ReturnType<typeof populationContext>>> }>
>();

/**
 * The authority's timescales and professionals, read at most once a minute per store: every record
 * an IRO opens needs them for its evidence, and they change with an import, not with each grade.
 */
function workforce(ctx: ServiceContext, authorityId: string): ReturnType<typeof populationContext> {
  let byAuthority = workforces.get(ctx.store);
  if (!byAuthority) workforces.set(ctx.store, (byAuthority = new Map()));
  const now = Date.now();
  const cached = byAuthority.get(authorityId);
  if (cached && now - cached.at < WORKFORCE_TTL_MS) return cached.value;
  // The period is the caller's to set; any will do for reading the workforce.
  const value = populationContext(ctx.store, { authorityId, period: { from: '1900-01-01', to: '1900-01-01' } });
  value.catch(() => byAuthority!.delete(authorityId));
  byAuthority.set(authorityId, { at: now, value });
  return value;
}

/** The timescale set the audit is judged by: its own, fixed at launch (the authority's current set for audits launched before they kept one). */
async function auditTimescales(ctx: ServiceContext, audit: AuditRecord): Promise<TimescaleSet> {
  return audit.timescales ?? (await workforce(ctx, audit.authorityId)).timescales;
}

/** The audit unit as the records stand now, for the automatic evidence beside the questions. */
async function currentUnit(
  ctx: ServiceContext,
  audit: AuditRecord,
  record: GradingRecord,
  children: readonly ChildRecords[],
): Promise<AuditUnit | null> {
  const pctx = {
    ...(await workforce(ctx, audit.authorityId)),
    period: audit.period,
    timescales: await auditTimescales(ctx, audit),
  };
  return unitFromRecords(audit.template, pctx, record.unitId, children);
}

function timelineOf(children: readonly ChildRecords[]): RecordView['timeline'] {
  return children.map((c) => {
    const periods = periodsOfCare(c.episodes);
    return {
      childId: c.child?.childId ?? c.episodes[0]?.childId ?? '',
      dateOfBirth: c.child?.dateOfBirth ?? null,
      periodsOfCare: periods.map((p) => ({
        start: p.startDate,
        end: p.endDate,
        episodes: p.episodes.map((e) => ({
          start: e.startDate,
          end: e.endDate,
          legalStatus: e.legalStatus,
          placement: e.placement ?? null,
        })),
      })),
      reviews: sequenceReviews(periods, c.reviews).map((r) => ({
        date: r.reviewDate,
        sequence: r.sequence,
        participationCode: r.participationCode,
        iroId: r.iroId,
        stoodDown: r.stoodDown,
      })),
      healthEvents: c.healthEvents.map((h) => ({ type: h.type, date: h.date, status: h.status })),
    };
  });
}

/** One record for grading: its summary, the child's timeline, the automatic evidence, the questions and the caller's grades. */
export async function recordView(
  ctx: ServiceContext,
  principal: Principal,
  auditId: string,
  recordId: string,
): Promise<RecordView> {
  const { audit, record, moderation, role } = await access(ctx, principal, auditId, recordId, 'read');
  const children = await childrenOf(ctx, principal.authorityId, record.body.childIds);
  const unit = await currentUnit(ctx, audit, record.body, children);
  const timescales = await auditTimescales(ctx, audit);
  const outcomes = unit ? judgeUnit(audit.template, unit, timescales) : {};
  // The questions and rules as the IRO reads them: worded from the audit's timescale set.
  const template = renderTemplate(audit.template, timescales);
  const own =
    role === 'moderator' && moderation
      ? gradesView(template, moderation.version, moderation.body)
      : gradesView(template, record.version, record.body);
  return {
    auditId,
    auditTitle: audit.title,
    status: audit.status,
    recordId,
    role,
    summary: {
      childIds: record.body.childIds,
      date: unit?.date ?? null,
      service: record.body.service,
      team: record.body.team,
      iroId: unit?.iroId ?? null,
    },
    timeline: timelineOf(children),
    automatic: template.criteria.flatMap((c) =>
      c.kind === 'automatic' && outcomes[c.id]
        ? [
            {
              criterionId: c.id,
              title: c.title,
              outcome: outcomes[c.id]!.outcome,
              evidence: { rule: criterionRule(c, timescales), ...outcomes[c.id]!.evidence },
            },
          ]
        : [],
    ),
    manual: template.criteria.flatMap((c) =>
      c.kind === 'manual' ? [{ criterionId: c.id, title: c.title, question: c.question, guidance: c.guidance }] : [],
    ),
    gradeScale: template.gradeScale,
    grades: own,
    moderation:
      role === 'qa-lead' && moderation
        ? {
            moderator: moderation.body.moderator,
            grades: gradesView(template, moderation.version, moderation.body),
            agreed: moderation.body.agreed,
          }
        : null,
  };
}

/** Every criterion is a manual one of the template and every grade is on its scale. */
function checkGrades(template: AuditTemplate, body: Pick<GradesBody, 'grades' | 'overall'>): void {
  const manual = new Set(manualCriterionIds(template));
  const scale = template.gradeScale.map((g) => g.grade);
  const errors: { field: string; message: string }[] = [];
  for (const [criterionId, grade] of Object.entries(body.grades)) {
    if (!manual.has(criterionId))
      errors.push({
        field: `grades.${criterionId}`,
        message: `not a question of this audit (its questions: ${[...manual].join(', ')})`,
      });
    else if (!scale.includes(grade))
      errors.push({
        field: `grades.${criterionId}`,
        message: `"${grade}" is not on the grade scale (${scale.join(', ')})`,
      });
  }
  if (body.overall != null && !scale.includes(body.overall))
    errors.push({ field: 'overall', message: `"${body.overall}" is not on the grade scale (${scale.join(', ')})` });
  if (errors.length) throw new InvalidInputError(errors);
}

/**
 * Saves an IRO's grades: the auditor's on the record, a moderator's (blind) on the moderation.
 * Always the IRO's action, whatever other groups the caller is in. Written only over the version
 * they read, in one transaction with the trail entry: a stale version gets a conflict carrying the
 * grades as they are now, and nothing is written, neither grade nor entry.
 */
export async function saveGrades(
  ctx: ServiceContext,
  principal: Principal,
  auditId: string,
  recordId: string,
  body: GradesBody,
): Promise<GradesView> {
  const { audit, record, moderation, role } = await access(ctx, principal, auditId, recordId, 'grade');
  // access() gives the grading action only an IRO part; never the QA lead's view.
  if (role === 'qa-lead') throw new ForbiddenError('grades are saved by the IRO the record is assigned to');
  if (!GRADABLE.includes(audit.status))
    throw new ConflictError(
      `the audit is ${audit.status}: grades can only be saved while it is in grading or moderation`,
    );
  checkGrades(audit.template, body);
  const next = { grades: body.grades, overall: body.overall ?? null, comment: body.comment ?? null };
  const key = role === 'moderator' ? AUDIT_PARTS.moderation(recordId) : AUDIT_PARTS.record(recordId);
  if (role === 'auditor' && moderation)
    throw new ConflictError(
      'this record has been chosen for moderation: its grades are now fixed while a second IRO grades it',
    );
  if (role === 'moderator' && moderation?.body.agreed)
    throw new ConflictError('the QA lead has already recorded the agreed grades for this record');
  const current = role === 'moderator' ? moderation! : record;
  const version = body.version + 1;
  const trail = trailWrite(ctx, auditId, {
    actor: principal.userId,
    action: role === 'moderator' ? 'moderation-grade' : 'grade',
    details: {
      recordId,
      version,
      workerId: principal.workerId,
      criteria: Object.keys(body.grades).sort(),
      overall: next.overall !== null,
    },
  });
  try {
    await ctx.store.putAuditItems(principal.authorityId, [
      { key: { auditId, part: key }, body: { ...current.body, ...next }, expectedVersion: body.version },
      trail,
    ]);
  } catch (error) {
    if (!(error instanceof VersionConflictError) || error.key.part !== key) throw error;
    const now = (error.current?.body ?? current.body) as {
      grades: Record<string, string>;
      overall: string | null;
      comment: string | null;
    };
    throw new ConflictError(
      'someone saved these grades after you read them: nothing was overwritten. Here are the grades as they are now; reapply your changes to them',
      {
        current: gradesView(audit.template, error.current?.version ?? current.version, now),
      },
    );
  }
  return gradesView(audit.template, version, next);
}

/** An IRO's work list: records they grade or moderate in audits still open for grading. */
export async function assignments(ctx: ServiceContext, principal: Principal): Promise<Assignment[]> {
  if (!hasRole(principal, 'iro')) throw new ForbiddenError('assignments are for IROs');
  // Matched by worker id only: an IRO without one gets none, never someone else's.
  const workerId = workerIdOf(principal);
  const list: Assignment[] = [];
  for await (const listed of ctx.store.listAudits<unknown>(principal.authorityId)) {
    const audit = AuditRecord.safeParse(listed.body);
    if (!audit.success || !GRADABLE.includes(audit.data.status)) continue;
    const a = audit.data;
    const progress = (grades: Record<string, string>, comment: string | null): Assignment['progress'] =>
      isFullyGraded(a.template, grades)
        ? 'graded'
        : Object.keys(grades).length || comment
          ? 'in progress'
          : 'not started';
    const base = {
      auditId: a.auditId,
      auditTitle: a.title,
      template: {
        id: a.template.id,
        title: a.timescales ? renderText(a.template.title, a.timescales) : a.template.title,
      },
      status: a.status,
    };
    for await (const item of ctx.store.auditItems<unknown>(principal.authorityId, a.auditId)) {
      if (item.part.startsWith(AUDIT_PARTS.record(''))) {
        const r = GradingRecord.parse(item.body);
        if (r.assignedTo === workerId)
          list.push({
            ...base,
            recordId: r.recordId,
            role: 'auditor',
            service: r.service,
            team: r.team,
            progress: progress(r.grades, r.comment),
          });
      } else if (item.part.startsWith(AUDIT_PARTS.moderation(''))) {
        const m = ModerationRecord.parse(item.body);
        if (m.moderator === workerId)
          list.push({
            ...base,
            recordId: m.recordId,
            role: 'moderator',
            service: null,
            team: null,
            progress: progress(m.grades, m.comment),
          });
      }
    }
  }
  return list;
}

// ---- moderation -------------------------------------------------------------------------------

/** Every IRO any of the children has ever had, as the store holds their records now. */
async function irosOfChildren(
  ctx: Pick<ServiceContext, 'store'>,
  authorityId: string,
  childIds: readonly string[],
): Promise<string[]> {
  return (await Promise.all(childIds.map((childId) => ctx.store.irosOfChild(authorityId, childId)))).flat();
}

/** `work` over every value, at most `size` at once, results in order. */
async function inBatches<T, R>(values: readonly T[], size: number, work: (value: T) => Promise<R>): Promise<R[]> {
  const results: R[] = [];
  for (let i = 0; i < values.length; i += size)
    results.push(...(await Promise.all(values.slice(i, i + size).map(work))));
  return results;
}

/** POST …/moderation: the share of graded records a second IRO grades blind. */
export const ModerationBody = z.strictObject({
  share: z
    .number()
    .gt(0, 'the share must be more than 0')
    .max(1, 'the share must be at most 1 (all graded records)')
    .default(0.1)
    .describe('share of graded records to moderate, 0–1 (default 0.1)'),
  seed: z
    .number()
    .int()
    .min(0)
    .max(2 ** 31 - 1)
    .optional(),
});
export type ModerationBody = z.infer<typeof ModerationBody>;

export const ModerationStarted = z.object({
  graded: z.number().int().describe('records fully graded by their auditor: the pool moderation draws from'),
  moderated: z.array(z.object({ recordId: z.string(), moderator: z.string() })),
  unassigned: z.array(z.object({ recordId: z.string(), reason: z.string() })),
});

/**
 * Starts moderation: from the records their auditors have fully graded, a seeded share is chosen
 * (at least one), each given to a moderator who is neither its auditor nor a child's own IRO,
 * balanced by load. The audit moves to moderation; auditors' grades on chosen records are fixed.
 */
export async function startModeration(
  ctx: ServiceContext,
  principal: Principal,
  auditId: string,
  body: ModerationBody,
): Promise<z.infer<typeof ModerationStarted>> {
  if (!hasRole(principal, 'qa-lead')) throw new ForbiddenError('moderation is started by a QA lead');
  const audit = await openAudit(ctx, principal, auditId);
  if (audit.status !== 'grading')
    throw new ConflictError(`the audit is ${audit.status}: moderation starts from grading`);
  const records = (await gradingRecords(ctx, principal.authorityId, auditId)).map((r) => r.body);
  const graded = records
    .filter((r) => r.assignedTo && isFullyGraded(audit.template, r.grades))
    .sort((a, b) => a.recordId.localeCompare(b.recordId));
  if (graded.length === 0)
    throw new ConflictError('no record has been fully graded yet: moderation needs graded records to compare');
  const seed = body.seed ?? audit.seed;
  const chosen = Random.seeded(seed)
    .fork('moderation')
    .sample(graded, Math.max(1, Math.ceil(body.share * graded.length)));
  const auditors: { iroId: string }[] = [];
  for await (const p of ctx.store.professionals(principal.authorityId))
    if (p.role === 'IRO') auditors.push({ iroId: p.workerId });
  // Each chosen record's children's IROs as the store holds them now, as well as at assignment: no
  // moderator is a child's IRO, past or present, nor the record's own auditor.
  const irosNow = await inBatches(chosen, 16, (r) => irosOfChildren(ctx, principal.authorityId, r.childIds));
  const result = assignUnits(
    chosen.map((r, i) => ({
      unitId: r.recordId,
      ownIroIds: [...new Set([...r.ownIroIds, ...irosNow[i]!, r.assignedTo!])],
    })),
    auditors,
    { seed },
  );
  const byRecord = new Map(chosen.map((r) => [r.recordId, r]));
  for (const { unitId: recordId, iroId } of result.assignments) {
    const moderation: ModerationRecord = {
      recordId,
      auditor: byRecord.get(recordId)!.assignedTo!,
      moderator: iroId,
      grades: {},
      overall: null,
      comment: null,
      agreed: null,
    };
    try {
      await ctx.store.putAuditItem(
        principal.authorityId,
        { auditId, part: AUDIT_PARTS.moderation(recordId) },
        moderation,
        0,
      );
    } catch (error) {
      if (!(error instanceof VersionConflictError)) throw error;
    }
  }
  await moveAudit(ctx, principal.authorityId, auditId, 'moderation', principal.userId);
  const started = {
    graded: graded.length,
    moderated: result.assignments.map((a) => ({ recordId: a.unitId, moderator: a.iroId })),
    unassigned: result.unassigned.map((u) => ({ recordId: u.unitId, reason: u.reason })),
  };
  await appendTrail(ctx, principal.authorityId, auditId, {
    actor: principal.userId,
    action: 'moderation',
    details: { share: body.share, seed, ...started },
  });
  return started;
}

/** PUT …/agreed-grades: the QA lead's settled grades after moderation, with the reason. */
export const AgreedGradesBody = z.strictObject({
  version: z.number().int().min(1).describe('the version of the moderation you read'),
  grades: z.record(z.string(), z.string()),
  reason: z.string().trim().min(3, 'say why these grades were agreed').max(2000),
});
export type AgreedGradesBody = z.infer<typeof AgreedGradesBody>;

/**
 * Records the agreed grades for a moderated record (QA lead), over the version read, in one
 * transaction with the trail entry. The QA lead's action: it never touches the IRO's grades. A QA
 * lead who is also an IRO settles neither a record they graded (as auditor or moderator) nor one of
 * a child they are or were the IRO for.
 */
export async function saveAgreedGrades(
  ctx: ServiceContext,
  principal: Principal,
  auditId: string,
  recordId: string,
  body: AgreedGradesBody,
): Promise<ModerationRecord> {
  if (!hasRole(principal, 'qa-lead')) throw new ForbiddenError('agreed grades are recorded by a QA lead');
  const [audit, moderation, record] = await Promise.all([
    openAudit(ctx, principal, auditId),
    moderationRecord(ctx, principal.authorityId, auditId, recordId),
    gradingRecord(ctx, principal.authorityId, auditId, recordId),
  ]);
  if (audit.status !== 'moderation')
    throw new ConflictError(`the audit is ${audit.status}: agreed grades are recorded during moderation`);
  if (!moderation || !record) throw new NotFoundError(`record ${recordId} was not chosen for moderation`);
  if (principal.workerId) {
    if (principal.workerId === moderation.body.auditor || principal.workerId === moderation.body.moderator) {
      throw new ForbiddenError('you graded this record as one of its IROs: another QA lead records the agreed grades');
    }
    await assertIndependent(ctx, principal.authorityId, principal.workerId, record.body);
  }
  checkGrades(audit.template, { grades: body.grades, overall: null });
  const next: ModerationRecord = {
    ...moderation.body,
    agreed: { grades: body.grades, reason: body.reason, by: principal.userId, at: nowIso(ctx) },
  };
  const part = AUDIT_PARTS.moderation(recordId);
  const trail = trailWrite(ctx, auditId, {
    actor: principal.userId,
    action: 'agree-grades',
    details: { recordId, criteria: Object.keys(body.grades).sort(), reason: body.reason },
  });
  try {
    await ctx.store.putAuditItems(principal.authorityId, [
      { key: { auditId, part }, body: next, expectedVersion: body.version },
      trail,
    ]);
  } catch (error) {
    if (!(error instanceof VersionConflictError) || error.key.part !== part) throw error;
    throw new ConflictError('the moderation changed after you read it: nothing was overwritten', {
      currentVersion: error.current?.version ?? null,
    });
  }
  return next;
}

/** GET …/agreement (QA lead). */
export async function agreement(ctx: ServiceContext, principal: Principal, auditId: string): Promise<Agreement> {
  if (!hasRole(principal, 'qa-lead')) throw new ForbiddenError('agreement is for QA leads');
  const audit = await openAudit(ctx, principal, auditId);
  const pairs = await moderatedPairs(ctx, principal.authorityId, auditId);
  return agreementOf(
    renderTemplate(audit.template, await auditTimescales(ctx, audit)),
    pairs.map((p) => ({ auditor: p.record.grades, moderation: p.moderation })),
  );
}

export { Agreement };
