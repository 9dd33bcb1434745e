/** /audits: launch (QA lead, idempotent), list and read audits; close; try a failed run or publication again; findings, downloads and the trail. */
import { createRoute, z } from '@hono/zod-openapi';
import { AUDIT_STATUSES } from '#audit/audit-record';
import { FindingsDocument } from '#engine/findings-model';
import { TrailEntrySchema } from '#audit/jobs';
import {
  AuditView,
  DOWNLOADABLE_FILES,
  DownloadLink,
  IdempotencyKey,
  LaunchAuditBody,
  audit,
  close,
  downloadLink,
  history,
  launch,
  listAudits,
  publishedFindings,
  tryAgain,
} from '#service/audits';
import type { ServiceContext } from '#service/context';
import { AuditIdParam, BEARER, ERROR_RESPONSES, json, jsonBody, router } from '../openapi.ts';

const { 400: e400, 401: e401, 403: e403, 404: e404, 409: e409, 413: e413 } = ERROR_RESPONSES;

/** The findings without the per-record rows: what a summary page or a dashboard needs. */
const FindingsSummary = FindingsDocument.omit({ records: true }).extend({
  records: z.number().int().describe('number of per-record rows (in records.csv and findings.json)'),
});

export function auditRoutes(ctx: ServiceContext) {
  const app = router();

  app.openapi(
    createRoute({
      method: 'post',
      path: '/audits',
      tags: ['audits'],
      security: BEARER,
      summary: 'Launch a themed audit (QA lead). With an Idempotency-Key header a retry returns the same audit',
      request: { headers: z.object({ 'idempotency-key': IdempotencyKey.optional() }), body: jsonBody(LaunchAuditBody) },
      responses: {
        201: json(AuditView, 'Launched: it runs in the background (poll GET /audits/{id})'),
        200: json(AuditView, 'A retry: the audit this key launched'),
        400: e400,
        401: e401,
        403: e403,
        409: e409,
        413: e413,
      },
    }),
    async (c) => {
      const key = c.req.valid('header')['idempotency-key'];
      const { audit: view, replayed } = await launch(ctx, c.get('principal'), c.req.valid('json'), key);
      c.header('Location', `/audits/${view.auditId}`);
      return c.json(view, replayed ? 200 : 201);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/audits',
      tags: ['audits'],
      security: BEARER,
      summary: "The authority's audits, newest first (senior managers: published ones)",
      request: {
        query: z.object({
          status: z
            .enum(AUDIT_STATUSES)
            .optional()
            .openapi({ param: { name: 'status', in: 'query' } }),
        }),
      },
      responses: { 200: json(z.object({ audits: z.array(AuditView) }), 'The audits'), 400: e400, 401: e401, 403: e403 },
    }),
    async (c) => c.json({ audits: await listAudits(ctx, c.get('principal'), c.req.valid('query')) }, 200),
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/audits/{id}',
      tags: ['audits'],
      security: BEARER,
      summary: 'One audit: status, population, sample, grading progress per IRO',
      request: { params: AuditIdParam },
      responses: { 200: json(AuditView, 'The audit'), 400: e400, 401: e401, 403: e403, 404: e404 },
    }),
    async (c) => c.json(await audit(ctx, c.get('principal'), c.req.valid('param').id), 200),
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/audits/{id}/close',
      tags: ['audits'],
      security: BEARER,
      summary: 'Close a graded audit; its findings are published in the background (QA lead)',
      description:
        'Grades and the action plan are final from here. The runner computes and publishes the findings; `GET /audits/{id}` shows `closed` until they are published (`published`), or `failed` with the reason, when closing again (or `POST /audits/{id}/try-again`) retries the publishing.',
      request: { params: AuditIdParam },
      responses: {
        202: json(AuditView, 'Closed: the findings are being published'),
        400: e400,
        401: e401,
        403: e403,
        404: e404,
        409: e409,
      },
    }),
    async (c) => {
      const closed = await close(ctx, c.get('principal'), c.req.valid('param').id);
      c.header('location', `/audits/${closed.auditId}`);
      return c.json(closed, 202);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/audits/{id}/try-again',
      tags: ['audits'],
      security: BEARER,
      summary: 'Try a failed audit again: its run, or the publishing of its findings (QA lead)',
      description:
        'One "try again" for whatever failed. A failed run (gathering, sampling, assigning) goes back to `draft` and runs again; a failed publishing (the audit had been closed) goes back to `closed` and publishes again. ' +
        'Nothing kept is redone or lost: the checkpointed scan, the drawn sample, the grades and the action plan stand, and the trail records who tried again and why it had failed. ' +
        'Also restarts a run whose process stopped before recovery noticed. Answers at once; `GET /audits/{id}` shows the run finish (`grading`, or `published`) or fail again. ' +
        '409, saying why, for an audit that has not failed (e.g. "the audit has not failed: it is grading") or whose run is going now. ' +
        '(Closing again, `POST /audits/{id}/close`, also retries a failed publishing.)',
      request: { params: AuditIdParam },
      responses: {
        202: json(AuditView, 'Tried again: the run is under way'),
        400: e400,
        401: e401,
        403: e403,
        404: e404,
        409: e409,
      },
    }),
    async (c) => {
      const tried = await tryAgain(ctx, c.get('principal'), c.req.valid('param').id);
      c.header('Location', `/audits/${tried.auditId}`);
      return c.json(tried, 202);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/audits/{id}/findings',
      tags: ['findings'],
      security: BEARER,
      summary: 'The published findings, without the per-record rows (QA lead, senior manager)',
      request: { params: AuditIdParam },
      responses: { 200: json(FindingsSummary, 'The findings'), 400: e400, 401: e401, 403: e403, 404: e404, 409: e409 },
    }),
    async (c) => {
      const findings = await publishedFindings(ctx, c.get('principal'), c.req.valid('param').id);
      return c.json({ ...findings, records: findings.records.length }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/audits/{id}/downloads/{file}',
      tags: ['findings'],
      security: BEARER,
      summary:
        'A link to a published file, valid 5 minutes (QA lead, senior manager); ?redirect=true answers 302 to it',
      request: {
        params: AuditIdParam.extend({
          file: z.enum(DOWNLOADABLE_FILES).openapi({ param: { name: 'file', in: 'path' } }),
        }),
        query: z.object({
          redirect: z
            .enum(['true', 'false'])
            .optional()
            .openapi({ param: { name: 'redirect', in: 'query' } }),
        }),
      },
      responses: {
        200: json(DownloadLink, 'The link'),
        302: { description: 'Redirect to the link' },
        400: e400,
        401: e401,
        403: e403,
        404: e404,
        409: e409,
      },
    }),
    async (c) => {
      const { id, file } = c.req.valid('param');
      const link = await downloadLink(ctx, c.get('principal'), id, file);
      c.header('Cache-Control', 'no-store');
      if (c.req.valid('query').redirect === 'true') return c.redirect(link.url, 302);
      return c.json(link, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/audits/{id}/history',
      tags: ['audits'],
      security: BEARER,
      summary: 'The audit trail, oldest first: who did what and when (append-only)',
      request: { params: AuditIdParam },
      responses: {
        200: json(z.object({ entries: z.array(TrailEntrySchema) }), 'The trail'),
        400: e400,
        401: e401,
        403: e403,
        404: e404,
      },
    }),
    async (c) => c.json({ entries: await history(ctx, c.get('principal'), c.req.valid('param').id) }, 200),
  );

  return app;
}
