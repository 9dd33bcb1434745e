/**
 * The API's router: OpenAPIHono, so every route's parameters and bodies are validated with the
 * domain's zod schemas and the same schemas build /openapi.json. Validation failures become
 * problem+json with one message per field.
 */
import { OpenAPIHono, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import type { Principal } from '#auth/principal';
import { AppError, zodFields } from '#errors';
import { problemFor } from './problem.ts';

export interface ApiEnv {
  Variables: { principal: Principal };
}

/** A router whose validation errors are problem+json naming each field. */
export function router(): OpenAPIHono<ApiEnv> {
  return new OpenAPIHono<ApiEnv>({
    defaultHook: (result, c) => {
      if (!result.success) {
        const where = result.target === 'json' ? 'body' : result.target === 'param' ? 'path' : result.target;
        return problemFor(
          c as Context,
          new AppError('invalid', `the request ${where} is not valid`, { fields: zodFields(result.error) }),
        );
      }
      return undefined;
    },
  });
}

/** RFC 9457 problem details, as documented. */
export const ProblemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string().optional(),
    errors: z.array(z.object({ field: z.string(), message: z.string() })).optional(),
  })
  .passthrough()
  .openapi('Problem');

const problemResponse = (description: string) => ({
  description,
  content: { 'application/problem+json': { schema: ProblemSchema } },
});

/** The error responses every authenticated route may give. */
export const ERROR_RESPONSES = {
  400: problemResponse('Invalid request: each field and why'),
  401: problemResponse('No valid bearer token'),
  403: problemResponse('Authenticated, but not allowed'),
  404: problemResponse('Not found for your authority'),
  409: problemResponse('Conflicts with the current state (lifecycle, a newer version, a reused key)'),
  413: problemResponse('Request body too large'),
} as const;

/** A JSON response description. */
export const json = <T extends z.ZodType>(schema: T, description: string) => ({
  description,
  content: { 'application/json': { schema } },
});

/** A JSON request body, required. */
export const jsonBody = <T extends z.ZodType>(schema: T) => ({
  content: { 'application/json': { schema } },
  required: true,
});

/** Bearer security on a route. */
export const BEARER = [{ Bearer: [] }];

export const AuditIdParam = z.object({
  id: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/, 'not an audit id')
    .openapi({ param: { name: 'id', in: 'path' }, example: '20261201-093000-a1b2c3' }),
});
export const RecordParams = AuditIdParam.extend({
  recordId: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/, 'not a record id')
    .openapi({ param: { name: 'recordId', in: 'path' } }),
});
