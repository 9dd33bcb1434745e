/** /templates: the template library (every role reads it; QA leads add templates and new versions). */
import { createRoute, z } from '@hono/zod-openapi';
import { AuditTemplate } from '#audit/template';
import { hasRole } from '#auth/principal';
import { ForbiddenError } from '#service/errors';
import type { ServiceContext } from '#service/context';
import { nowIso } from '#service/context';
import { BEARER, ERROR_RESPONSES, json, router } from '../openapi.ts';

const TemplateEntry = z
  .object({
    template: AuditTemplate,
    source: z.enum(['built-in', 'authority']),
    versions: z.array(z.number().int()),
    addedBy: z.string().nullable(),
    addedAt: z.string().nullable(),
  })
  .openapi('TemplateEntry');

const TemplateParams = z.object({ id: z.string().regex(/^[a-z0-9][a-z0-9-]{1,63}$/, 'not a template id').openapi({ param: { name: 'id', in: 'path' }, example: 'sibling-allocation' }) });
const VersionQuery = z.object({ version: z.coerce.number().int().min(1).optional().openapi({ param: { name: 'version', in: 'query' } }) });

export function templateRoutes(ctx: ServiceContext) {
  const app = router();

  app.openapi(
    createRoute({
      method: 'get', path: '/templates', tags: ['templates'], security: BEARER,
      summary: 'The template library: the latest version of each template, its statutory basis and criteria',
      responses: { 200: json(z.object({ templates: z.array(TemplateEntry) }), 'The templates'), 401: ERROR_RESPONSES[401], 403: ERROR_RESPONSES[403] },
    }),
    async (c) => c.json({ templates: await ctx.templates.list(c.get('principal').authorityId) }, 200),
  );

  app.openapi(
    createRoute({
      method: 'get', path: '/templates/{id}', tags: ['templates'], security: BEARER, summary: 'One template (the latest version, or ?version=n)',
      request: { params: TemplateParams, query: VersionQuery },
      responses: { 200: json(TemplateEntry, 'The template'), 400: ERROR_RESPONSES[400], 401: ERROR_RESPONSES[401], 404: ERROR_RESPONSES[404] },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const { version } = c.req.valid('query');
      return c.json(await ctx.templates.get(c.get('principal').authorityId, id, version), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post', path: '/templates', tags: ['templates'], security: BEARER,
      summary: 'Add a template or a new version of one (QA lead): validated like a template file; versions never change',
      // The body is checked by the template parser itself, so every problem is reported at once with its path.
      request: { body: { content: { 'application/json': { schema: AuditTemplate } }, required: true } },
      responses: { 201: json(TemplateEntry, 'Added'), 400: ERROR_RESPONSES[400], 401: ERROR_RESPONSES[401], 403: ERROR_RESPONSES[403], 409: ERROR_RESPONSES[409], 413: ERROR_RESPONSES[413] },
    }),
    async (c) => {
      const principal = c.get('principal');
      if (!hasRole(principal, 'qa-lead')) throw new ForbiddenError('only a QA lead can add templates');
      const entry = await ctx.templates.add(principal, c.req.valid('json'), nowIso(ctx));
      c.header('Location', `/templates/${entry.template.id}?version=${entry.template.version}`);
      return c.json(entry, 201);
    },
  );

  return app;
}
