/** RFC 9457 problem details: every error the API returns has this shape, never a stack trace. */
import type { Context } from 'hono';
import { problemOf, type Problem } from '#errors';

export type { Problem };

/** Answers with the problem+json for any error: its status and title from the kind (shared/errors.ts). */
export function problemFor(c: Context, error: unknown) {
  const { status, body } = problemOf(error);
  return c.body(JSON.stringify(body), status, { 'content-type': 'application/problem+json' });
}
