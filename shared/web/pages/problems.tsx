/** The error pages: what went wrong in the person's words, the status, and where to go next. */
import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { LifecycleError } from '#audit/lifecycle';
import { AuditRequestError } from '#audit/runner';
import { ConflictError, ForbiddenError, InvalidInputError, NotFoundError } from '#service/errors';
import { TemplateVersionExistsError, VersionConflictError } from '#store/record-store';
import type { WebDeps, WebEnv } from '../context.ts';
import { ProblemPage } from './layout.tsx';

/** Renders the page for an error a route threw; unexpected ones are logged, never shown. */
export function problemPage(deps: WebDeps, c: Context<WebEnv>, error: unknown) {
  const { status, title, message } = describeError(error);
  if (status === 500) console.error('web: unhandled error', error);
  return deps.render(c, <ProblemPage page={deps.page(c)} status={status} title={title} message={message} />, status);
}

/** What an error means to the person who met it. */
export function describeError(error: unknown): { status: number; title: string; message: string } {
  if (error instanceof NotFoundError) return { status: 404, title: 'Page not found', message: capitaliseFirst(error.message) };
  if (error instanceof ForbiddenError) return { status: 403, title: 'You cannot see this page', message: capitaliseFirst(error.message) };
  if (error instanceof ConflictError || error instanceof LifecycleError || error instanceof AuditRequestError || error instanceof VersionConflictError || error instanceof TemplateVersionExistsError) {
    return { status: 409, title: 'This cannot be done now', message: capitaliseFirst(error.message) };
  }
  if (error instanceof InvalidInputError) return { status: 400, title: 'There is a problem with the request', message: capitaliseFirst(error.errors.map((e) => e.message).join('; ')) };
  if (error instanceof HTTPException) {
    if (error.status === 403) {
      return { status: 403, title: 'This form could not be accepted', message: 'The form had expired, or it was not sent from this service. Go back, reload the page and try again.' };
    }
    if (error.status === 413) return { status: 413, title: 'The form was too large', message: error.message || 'Send less at once.' };
    return { status: error.status >= 400 && error.status < 500 ? error.status : 500, title: 'The request could not be read', message: 'Go back and try again.' };
  }
  return { status: 500, title: 'Sorry, there is a problem with the service', message: 'Try again later. What happened has been logged.' };
}

const capitaliseFirst = (s: string) => (s ? s[0]!.toUpperCase() + s.slice(1) : s);
