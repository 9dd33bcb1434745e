/**
 * The action plan before publishing: generated from the template where a criterion falls below its
 * threshold (against the findings as they stand), then edited by the QA lead — every edit written
 * over the version read and recorded in the trail. The edited plan is the one published.
 */
import * as z from 'zod';
import { ActionPlanRow } from '#engine/findings-model';
import { editedActionPlan, provisionalFindings, saveActionPlan } from '#audit/jobs';
import type { Principal } from '#auth/principal';
import { IsoDate } from '#domain/dates';
import { VersionConflictError } from '#store/record-store';
import { publishedFindings, qaLeadAudit, readableAudit } from './audits.ts';
import type { ServiceContext } from './context.ts';
import { ConflictError, InvalidInputError } from './errors.ts';

/** One row as a QA lead writes it: `source` is set by the product, not the editor. */
export const ActionPlanRowInput = z.strictObject({
  id: z
    .string()
    .trim()
    .min(1)
    .max(64)
    .regex(/^[A-Za-z0-9._-]+$/, 'letters, digits, ".", "_" or "-"'),
  action: z.string().trim().min(3).max(2000),
  owner: z.strictObject({ role: z.string().trim().min(2).max(120), team: z.string().trim().min(2).max(120) }),
  dueDate: IsoDate,
  expectedOutcome: z.string().trim().min(3).max(2000),
  successMeasure: z.string().trim().min(3).max(2000),
  linkedCriteria: z.array(z.string()).default([]),
  source: z.enum(['template', 'qa-lead']).optional(),
});

/** PATCH …/action-plan: the whole plan as the QA lead left it, over the version they read (0: the generated plan). */
export const ActionPlanBody = z.strictObject({
  version: z
    .number()
    .int()
    .min(0)
    .describe('the plan version you read; 0 when editing the generated plan for the first time'),
  rows: z.array(ActionPlanRowInput).max(200),
});
export type ActionPlanBody = z.infer<typeof ActionPlanBody>;

export const ActionPlanView = z.object({
  version: z.number().int().describe('0 while the plan is the generated one'),
  edited: z.boolean(),
  rows: z.array(ActionPlanRow),
});
export type ActionPlanView = z.infer<typeof ActionPlanView>;

/** The plan: published (after publication), the QA lead's edit, or the one generated from the findings so far. */
export async function actionPlan(ctx: ServiceContext, principal: Principal, auditId: string): Promise<ActionPlanView> {
  const audit = await readableAudit(ctx, principal, auditId);
  if (audit.body.status === 'published')
    return { version: 0, edited: false, rows: (await publishedFindings(ctx, principal, auditId)).actionPlan };
  const edited = await editedActionPlan(ctx, principal.authorityId, auditId);
  if (edited) return { version: edited.version, edited: true, rows: edited.body };
  if (audit.body.status !== 'grading' && audit.body.status !== 'moderation') {
    throw new ConflictError(
      `the audit is ${audit.body.status}: its action plan is drafted once the sample is being graded`,
    );
  }
  return {
    version: 0,
    edited: false,
    rows: (await provisionalFindings(ctx, principal.authorityId, auditId)).actionPlan,
  };
}

/** Saves the QA lead's plan. Criteria named must be the template's. */
export async function editActionPlan(
  ctx: ServiceContext,
  principal: Principal,
  auditId: string,
  body: ActionPlanBody,
): Promise<ActionPlanView> {
  const audit = await qaLeadAudit(ctx, principal, auditId);
  if (audit.body.status !== 'grading' && audit.body.status !== 'moderation') {
    throw new ConflictError(
      `the audit is ${audit.body.status}: the action plan can be edited only before the audit is closed${audit.body.status === 'draft' ? ' (and once its sample is drawn)' : ''}`,
    );
  }
  const criteria = new Set(audit.body.template.criteria.map((c) => c.id));
  const errors: { field: string; message: string }[] = [];
  const ids = new Set<string>();
  body.rows.forEach((row, i) => {
    if (ids.has(row.id)) errors.push({ field: `rows.${i}.id`, message: `row id "${row.id}" is used twice` });
    ids.add(row.id);
    row.linkedCriteria.forEach((c, j) => {
      if (!criteria.has(c))
        errors.push({
          field: `rows.${i}.linkedCriteria.${j}`,
          message: `no criterion "${c}" in this audit's template`,
        });
    });
  });
  if (errors.length) throw new InvalidInputError(errors);
  try {
    const rows = body.rows.map((r) => ({ ...r, source: r.source ?? 'qa-lead' }) as ActionPlanRow);
    const saved = await saveActionPlan(ctx, principal.authorityId, auditId, principal.userId, rows, body.version);
    return { version: saved.version, edited: true, rows: saved.body };
  } catch (error) {
    if (!(error instanceof VersionConflictError)) throw error;
    const current = await editedActionPlan(ctx, principal.authorityId, auditId);
    throw new ConflictError(
      'the action plan was changed after you read it: nothing was overwritten. Here it is as it stands now',
      {
        current: current ? { version: current.version, rows: current.body } : null,
      },
    );
  }
}
