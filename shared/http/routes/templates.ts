/**
 * /templates: the template library (every role reads it; QA leads add templates and new versions).
 * Each entry is the template as written — placeholders such as {timescale:decisionsIssued} kept, so
 * it can be edited and posted back as a new version — and `rendered`: the same template as the
 * caller's authority reads it, every placeholder worded from the authority's current timescale set.
 */
import { createRoute, z } from '@hono/zod-openapi';
import { AuditTemplate } from '#engine/template';
import { renderTemplate } from '#engine/timescale-text';
import { hasRole } from '#auth/principal';
import type { TimescaleSet } from '#domain/timescales';
import { authorityTimescales } from '#service/authority';
import { ForbiddenError } from '#service/errors';
import type { ServiceContext } from '#service/context';
import { nowIso } from '#service/context';
import type { CatalogueEntry } from '#service/templates';
import { BEARER, ERROR_RESPONSES, json, router } from '../openapi.ts';

const TemplateEntry = z
  .object({
    template: AuditTemplate.describe(
      'the template as written: placeholders such as {timescale:decisionsIssued} kept (post it back, changed, as a new version)',
    ),
    rendered: z
      .object({
        timescales: z
          .object({ id: z.string(), title: z.string() })
          .describe('the set the text was worded from: your authority’s current one (GET /authority)'),
        template: AuditTemplate.describe(
          'the same template as your authority reads it: every placeholder replaced by the set’s words, e.g. "5 working days"',
        ),
      })
      .describe('the template as your authority reads it'),
    source: z.enum(['built-in', 'authority']),
    versions: z.array(z.number().int()),
    addedBy: z.string().nullable(),
    addedAt: z.string().nullable(),
  })
  .openapi('TemplateEntry');

const TemplateParams = z.object({
  id: z
    .string()
    .regex(/^[a-z0-9][a-z0-9-]{1,63}$/, 'not a template id')
    .openapi({ param: { name: 'id', in: 'path' }, example: 'sibling-allocation' }),
});
const VersionQuery = z.object({
  version: z.coerce
    .number()
    .int()
    .min(1)
    .optional()
    .openapi({ param: { name: 'version', in: 'query' } }),
});

/** An entry with its rendering for the authority's set. */
const withRendered = (entry: CatalogueEntry, timescales: TimescaleSet) => ({
  ...entry,
  rendered: {
    timescales: { id: timescales.id, title: timescales.title },
    template: renderTemplate(entry.template, timescales),
  },
});

export function templateRoutes(ctx: ServiceContext) {
  const app = router();

  app.openapi(
    createRoute({
      method: 'get',
      path: '/templates',
      tags: ['templates'],
      security: BEARER,
      summary: 'The template library: the latest version of each template, its statutory basis and criteria',
      responses: {
        200: json(z.object({ templates: z.array(TemplateEntry) }), 'The templates'),
        401: ERROR_RESPONSES[401],
        403: ERROR_RESPONSES[403],
      },
    }),
    async (c) => {
      const { authorityId } = c.get('principal');
      const [entries, timescales] = await Promise.all([
        ctx.templates.list(authorityId),
        authorityTimescales(ctx, authorityId),
      ]);
      return c.json({ templates: entries.map((e) => withRendered(e, timescales)) }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/templates/{id}',
      tags: ['templates'],
      security: BEARER,
      summary:
        'One template (the latest version, or ?version=n): as written, and rendered with your authority’s timescale set',
      request: { params: TemplateParams, query: VersionQuery },
      responses: {
        200: json(TemplateEntry, 'The template'),
        400: ERROR_RESPONSES[400],
        401: ERROR_RESPONSES[401],
        404: ERROR_RESPONSES[404],
      },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const { version } = c.req.valid('query');
      const { authorityId } = c.get('principal');
      const [entry, timescales] = await Promise.all([
        ctx.templates.get(authorityId, id, version),
        authorityTimescales(ctx, authorityId),
      ]);
      return c.json(withRendered(entry, timescales), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/templates',
      tags: ['templates'],
      security: BEARER,
      summary:
        'Add a template or a new version of one (QA lead): validated like a template file; versions never change',
      // The body is checked by the template parser itself, so every problem is reported at once with its path.
      request: { body: { content: { 'application/json': { schema: AuditTemplate } }, required: true } },
      responses: {
        201: json(TemplateEntry, 'Added'),
        400: ERROR_RESPONSES[400],
        401: ERROR_RESPONSES[401],
        403: ERROR_RESPONSES[403],
        409: ERROR_RESPONSES[409],
        413: ERROR_RESPONSES[413],
      },
    }),
    async (c) => {
      const principal = c.get('principal');
      if (!hasRole(principal, 'qa-lead')) throw new ForbiddenError('only a QA lead can add templates');
      const entry = await ctx.templates.add(principal, c.req.valid('json'), nowIso(ctx));
      c.header('Location', `/templates/${entry.template.id}?version=${entry.template.version}`);
      return c.json(withRendered(entry, await authorityTimescales(ctx, principal.authorityId)), 201);
    },
  );

  return app;
}
