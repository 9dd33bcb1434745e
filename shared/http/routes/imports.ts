/** /imports: a QA lead loads an authority's exports — upload links (the upload starts the import) or one small file sent directly — and tries a failed import again. */
import { createRoute, z } from '@hono/zod-openapi';
import {
  CreatedImport,
  DIRECT_IMPORT_MAX_BYTES,
  IMPORT_CONTENT_TYPES,
  ImportFileName,
  ImportJob,
  ImportView,
  StatedCollectionYear,
  YearEnding,
} from '#loader/import-jobs';
import type { ServiceContext } from '#service/context';
import { InvalidInputError } from '#service/errors';
import { CreateImportBody, importFile, importStatus, imports, startImport, tryAgain } from '#service/imports';
import { BEARER, ERROR_RESPONSES, json, router } from '../openapi.ts';

const { 400: e400, 401: e401, 403: e403, 404: e404, 409: e409, 413: e413 } = ERROR_RESPONSES;

const ImportIdParam = z.object({
  id: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/, 'not an import id')
    .openapi({ param: { name: 'id', in: 'path' } }),
});
const FILE_TYPES = Object.keys(IMPORT_CONTENT_TYPES);

export function importRoutes(ctx: ServiceContext) {
  const app = router();

  app.openapi(
    createRoute({
      method: 'post',
      path: '/imports',
      tags: ['imports'],
      security: BEARER,
      summary:
        'Start an import (QA lead): JSON naming the files gives an upload link per file (15 minutes); or send one file (CSV, XML or xlsx, at most 5 MiB) as the body with ?fileName=',
      request: {
        query: z.object({
          fileName: ImportFileName.optional().openapi({ param: { name: 'fileName', in: 'query' } }),
          collectionYear: StatedCollectionYear.optional().openapi({ param: { name: 'collectionYear', in: 'query' } }),
          yearEnding: YearEnding.optional().openapi({ param: { name: 'yearEnding', in: 'query' } }),
        }),
        body: {
          // Not "required": the JSON schema then applies to JSON bodies only, and a file body reaches the handler as it is.
          required: false,
          content: {
            'application/json': { schema: CreateImportBody },
            ...Object.fromEntries(
              FILE_TYPES.map((type) => [type, { schema: z.string().openapi({ format: 'binary' }) }]),
            ),
          },
        },
      },
      responses: {
        201: json(
          z.union([CreatedImport, ImportView]),
          'Upload links (JSON request), or the finished import (a file sent directly)',
        ),
        400: e400,
        401: e401,
        403: e403,
        413: e413,
      },
    }),
    async (c) => {
      const principal = c.get('principal');
      const type = (c.req.header('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
      if (type === 'application/json') {
        const created = await startImport(ctx, principal, c.req.valid('json' as never) as CreateImportBody);
        c.header('Location', `/imports/${created.importId}`);
        return c.json(created, 201);
      }
      const { fileName, yearEnding, collectionYear } = c.req.valid('query');
      if (!fileName)
        throw new InvalidInputError([
          { field: 'fileName', message: 'name the file sent as the body, e.g. ?fileName=episodes.csv' },
        ]);
      const done = await importFile(ctx, principal, {
        fileName,
        contentType: type,
        body: new Uint8Array(await c.req.arrayBuffer()),
        ...(yearEnding ? { yearEnding } : {}),
        ...(collectionYear ? { collectionYear } : {}),
      });
      c.header('Location', `/imports/${done.importId}`);
      return c.json(done, 201);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/imports',
      tags: ['imports'],
      security: BEARER,
      summary: "The authority's imports, newest first (QA lead)",
      responses: { 200: json(z.object({ imports: z.array(ImportJob) }), 'The imports'), 401: e401, 403: e403 },
    }),
    async (c) => c.json({ imports: await imports(ctx, c.get('principal')) }, 200),
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/imports/{id}',
      tags: ['imports'],
      security: BEARER,
      summary:
        'One import: status, progress, counts per file and per table, and a 5-minute link to its errors CSV (QA lead)',
      request: { params: ImportIdParam },
      responses: { 200: json(ImportView, 'The import'), 400: e400, 401: e401, 403: e403, 404: e404 },
    }),
    async (c) => c.json(await importStatus(ctx, c.get('principal'), c.req.valid('param').id), 200),
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/imports/{id}/try-again',
      tags: ['imports'],
      security: BEARER,
      summary: 'Try a failed import again, over the same files (QA lead)',
      description:
        "Starts a new import over the failed one's files (copied in the bucket; each copy starts it as an upload does) and answers it, pending, with its Location. " +
        "The failed import is kept as it was, its report and problems CSV too, and links to the new one (`retriedAs`; the new one's `retryOf`). " +
        'Rows the failed run had saved come out unchanged. 409, saying why, for an import that has not failed, whose files did not all arrive, ' +
        'or that was already tried again (the problem names that import, also as `retriedAs`).',
      request: { params: ImportIdParam },
      responses: {
        201: json(ImportView, 'The new import: it runs once its files are copied (poll its Location)'),
        400: e400,
        401: e401,
        403: e403,
        404: e404,
        409: e409,
      },
    }),
    async (c) => {
      const started = await tryAgain(ctx, c.get('principal'), c.req.valid('param').id);
      c.header('Location', `/imports/${started.importId}`);
      return c.json(started, 201);
    },
  );

  return app;
}

/** The largest request /imports reads: a file sent directly, with room for its framing. */
export const MAX_IMPORT_BODY_BYTES = DIRECT_IMPORT_MAX_BYTES + 64 * 1024;
