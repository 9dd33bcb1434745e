/** The error pages: what went wrong in the person's words, the status, and where to go next. */
import type { Context } from 'hono';
import { pageOf } from '#errors';
import type { WebDeps, WebEnv } from '../context.ts';
import { ProblemPage } from './layout.tsx';

/** Renders the page for an error a route threw; unexpected ones are logged, never shown. */
export function problemPage(deps: WebDeps, c: Context<WebEnv>, error: unknown) {
  const { status, title, message } = pageOf(error);
  if (status === 500) console.error('web: unhandled error', error);
  return deps.render(c, <ProblemPage page={deps.page(c)} status={status} title={title} message={message} />, status);
}
