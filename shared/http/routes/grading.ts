/**
 * Grading: an IRO's assignments, one record to grade, saving grades (optimistic locking); moderation
 * (QA lead picks a share, moderators grade blind, agreed grades with a reason) and agreement.
 */
import { createRoute, z } from '@hono/zod-openapi';
import type { ServiceContext } from '#service/context';
import {
  AgreedGradesBody,
  Agreement,
  Assignment,
  GradesBody,
  GradesView,
  ModerationBody,
  ModerationStarted,
  RecordView,
  agreement,
  assignments,
  recordView,
  saveAgreedGrades,
  saveGrades,
  startModeration,
} from '#service/grading';
import { ModerationRecord } from '#audit/audit-record';
import { AuditIdParam, BEARER, ERROR_RESPONSES, json, jsonBody, RecordParams, router } from '../openapi.ts';

const { 400: e400, 401: e401, 403: e403, 404: e404, 409: e409, 413: e413 } = ERROR_RESPONSES;

export function gradingRoutes(ctx: ServiceContext) {
  const app = router();

  app.openapi(
    createRoute({
      method: 'get',
      path: '/assignments',
      tags: ['grading'],
      security: BEARER,
      summary: "The calling IRO's own records to grade or moderate, in audits open for grading",
      responses: { 200: json(z.object({ assignments: z.array(Assignment) }), 'The assignments'), 401: e401, 403: e403 },
    }),
    async (c) => c.json({ assignments: await assignments(ctx, c.get('principal')) }, 200),
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/audits/{id}/records/{recordId}',
      tags: ['grading'],
      security: BEARER,
      summary:
        'One sampled record: summary, timeline, automatic evidence, the questions and your grades (its IRO, its moderator, QA leads)',
      request: { params: RecordParams },
      responses: { 200: json(RecordView, 'The record'), 400: e400, 401: e401, 403: e403, 404: e404 },
    }),
    async (c) => {
      const { id, recordId } = c.req.valid('param');
      return c.json(await recordView(ctx, c.get('principal'), id, recordId), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'put',
      path: '/audits/{id}/records/{recordId}/grades',
      tags: ['grading'],
      security: BEARER,
      summary:
        'Save grades (the assigned IRO, or the moderator). Carries the version read: a stale one gets 409 with the current grades',
      request: { params: RecordParams, body: jsonBody(GradesBody) },
      responses: { 200: json(GradesView, 'Saved'), 400: e400, 401: e401, 403: e403, 404: e404, 409: e409, 413: e413 },
    }),
    async (c) => {
      const { id, recordId } = c.req.valid('param');
      return c.json(await saveGrades(ctx, c.get('principal'), id, recordId, c.req.valid('json')), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'put',
      path: '/audits/{id}/records/{recordId}/agreed-grades',
      tags: ['moderation'],
      security: BEARER,
      summary: 'Record the agreed grades of a moderated record, with the reason (QA lead)',
      request: { params: RecordParams, body: jsonBody(AgreedGradesBody) },
      responses: {
        200: json(ModerationRecord, 'Recorded'),
        400: e400,
        401: e401,
        403: e403,
        404: e404,
        409: e409,
        413: e413,
      },
    }),
    async (c) => {
      const { id, recordId } = c.req.valid('param');
      return c.json(await saveAgreedGrades(ctx, c.get('principal'), id, recordId, c.req.valid('json')), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/audits/{id}/moderation',
      tags: ['moderation'],
      security: BEARER,
      summary:
        'Start moderation (QA lead): a share of graded records (default 10%) goes to second IROs, who grade blind',
      request: {
        params: AuditIdParam,
        body: { content: { 'application/json': { schema: ModerationBody } }, required: false },
      },
      responses: {
        201: json(ModerationStarted, 'Moderation started'),
        400: e400,
        401: e401,
        403: e403,
        404: e404,
        409: e409,
      },
    }),
    async (c) =>
      c.json(
        await startModeration(
          ctx,
          c.get('principal'),
          c.req.valid('param').id,
          ModerationBody.parse(c.req.valid('json') ?? {}),
        ),
        201,
      ),
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/audits/{id}/agreement',
      tags: ['moderation'],
      security: BEARER,
      summary: "Agreement between auditors and moderators per criterion: % exact and Cohen's weighted kappa (QA lead)",
      request: { params: AuditIdParam },
      responses: { 200: json(Agreement, 'The agreement'), 400: e400, 401: e401, 403: e403, 404: e404 },
    }),
    async (c) => c.json(await agreement(ctx, c.get('principal'), c.req.valid('param').id), 200),
  );

  return app;
}
