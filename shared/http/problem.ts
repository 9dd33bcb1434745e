/** RFC 9457 problem details: every error the API returns has this shape, never a stack trace. */
import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail?: string;
  /** Field-level messages for bad input: which field, and why. */
  errors?: { field: string; message: string }[];
  [extension: string]: unknown;
}

/** Sends a problem+json response. */
export function problem(c: Context, status: ContentfulStatusCode, title: string, extra: Omit<Partial<Problem>, 'status' | 'title'> = {}) {
  const body: Problem = { type: 'about:blank', title, status, ...extra };
  return c.body(JSON.stringify(body), status, { 'content-type': 'application/problem+json' });
}
