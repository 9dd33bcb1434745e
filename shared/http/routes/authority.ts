/** /authority and /timescale-sets: the authority's settings (its timescale set), read by everyone, chosen by the QA lead. */
import { createRoute, z } from '@hono/zod-openapi';
import { TimescalesInWords } from '#engine/timescale-text';
import {
  AuthoritySettings,
  AuthoritySettingsBody,
  authoritySettings,
  chooseTimescales,
  timescaleSets,
} from '#service/authority';
import type { ServiceContext } from '#service/context';
import { BEARER, ERROR_RESPONSES, json, jsonBody, router } from '../openapi.ts';

const { 400: e400, 401: e401, 403: e403, 404: e404, 413: e413 } = ERROR_RESPONSES;

export function authorityRoutes(ctx: ServiceContext) {
  const app = router();

  app.openapi(
    createRoute({
      method: 'get',
      path: '/authority',
      tags: ['authority'],
      security: BEARER,
      summary:
        "Your authority's settings: the timescale set its new audits are judged by, every interval in words (any role)",
      responses: { 200: json(AuthoritySettings, 'The settings'), 401: e401, 403: e403, 404: e404 },
    }),
    async (c) => c.json(await authoritySettings(ctx, c.get('principal')), 200),
  );

  app.openapi(
    createRoute({
      method: 'patch',
      path: '/authority',
      tags: ['authority'],
      security: BEARER,
      summary:
        "Choose your authority's timescale set by id (QA lead). Audits launched from now on are judged by it and their text is worded from it; audits already launched keep the set they were launched with. Nothing else the authority holds changes",
      request: { body: jsonBody(AuthoritySettingsBody) },
      responses: {
        200: json(AuthoritySettings, 'Saved: the settings as they now stand'),
        400: e400,
        401: e401,
        403: e403,
        404: e404,
        413: e413,
      },
    }),
    async (c) => c.json(await chooseTimescales(ctx, c.get('principal'), c.req.valid('json')), 200),
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/timescale-sets',
      tags: ['authority'],
      security: BEARER,
      summary: 'The named timescale sets an authority can choose, every interval in words (any role)',
      responses: { 200: json(z.object({ sets: z.array(TimescalesInWords) }), 'The sets'), 401: e401, 403: e403 },
    }),
    (c) => c.json({ sets: timescaleSets() }, 200),
  );

  return app;
}
