/** /audits/{id}/action-plan: the plan generated from the findings, edited by the QA lead before publishing. */
import { createRoute } from '@hono/zod-openapi';
import { ActionPlanBody, ActionPlanView, actionPlan, editActionPlan } from '#service/action-plan';
import type { ServiceContext } from '#service/context';
import { AuditIdParam, BEARER, ERROR_RESPONSES, json, jsonBody, router } from '../openapi.ts';

const { 400: e400, 401: e401, 403: e403, 404: e404, 409: e409, 413: e413 } = ERROR_RESPONSES;

export function actionPlanRoutes(ctx: ServiceContext) {
  const app = router();

  app.openapi(
    createRoute({
      method: 'get',
      path: '/audits/{id}/action-plan',
      tags: ['action plan'],
      security: BEARER,
      summary: 'The action plan: as edited, or as generated from the findings so far (published plan once published)',
      request: { params: AuditIdParam },
      responses: { 200: json(ActionPlanView, 'The plan'), 400: e400, 401: e401, 403: e403, 404: e404, 409: e409 },
    }),
    async (c) => c.json(await actionPlan(ctx, c.get('principal'), c.req.valid('param').id), 200),
  );

  app.openapi(
    createRoute({
      method: 'patch',
      path: '/audits/{id}/action-plan',
      tags: ['action plan'],
      security: BEARER,
      summary:
        'Replace the action plan rows (QA lead, before the audit closes), over the version read; every edit is in the trail',
      request: { params: AuditIdParam, body: jsonBody(ActionPlanBody) },
      responses: {
        200: json(ActionPlanView, 'Saved'),
        400: e400,
        401: e401,
        403: e403,
        404: e404,
        409: e409,
        413: e413,
      },
    }),
    async (c) =>
      c.json(await editActionPlan(ctx, c.get('principal'), c.req.valid('param').id, c.req.valid('json')), 200),
  );

  return app;
}
