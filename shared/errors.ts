/**
 * One error type for everything the product refuses or fails at: a kind, the detail in the words of
 * the person asking, and what a problem carries besides (the fields at fault, the current version).
 * The kind alone decides the HTTP status and the titles, in ERROR_TABLE; the API's problem+json and
 * the web's GOV.UK error page are both read from here, so a new error needs no new mapping.
 */
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { ZodError } from 'zod';

/** What went wrong, as the caller should understand it. */
export const ERROR_KINDS = [
  'invalid',
  'unauthenticated',
  'refused',
  'not-found',
  'conflict',
  'too-large',
  'internal',
] as const;
export type ErrorKind = (typeof ERROR_KINDS)[number];

/**
 * Each kind's HTTP status, its problem+json title (API) and its page heading (web). The one place
 * a kind becomes a status: `problemOf` and `pageOf` read nothing else.
 */
export const ERROR_TABLE: Readonly<
  Record<ErrorKind, { status: ContentfulStatusCode; title: string; pageTitle: string }>
> = {
  invalid: { status: 400, title: 'Invalid request', pageTitle: 'There is a problem with the request' },
  unauthenticated: { status: 401, title: 'Not signed in', pageTitle: 'You need to sign in' },
  refused: { status: 403, title: 'Forbidden', pageTitle: 'You cannot see this page' },
  'not-found': { status: 404, title: 'Not found', pageTitle: 'Page not found' },
  conflict: { status: 409, title: 'Conflict', pageTitle: 'This cannot be done now' },
  'too-large': { status: 413, title: 'Request body too large', pageTitle: 'The form was too large' },
  internal: { status: 500, title: 'Internal error', pageTitle: 'Sorry, there is a problem with the service' },
};

/** A field-level problem with the input: which field, and why. */
export interface FieldProblem {
  field: string;
  message: string;
}

export interface AppErrorOptions {
  /** For `invalid`: each field at fault and why (problem+json `errors`). */
  fields?: FieldProblem[];
  /** Members the problem carries for the caller to recover, e.g. `current` on a conflict, `retriedAs`. */
  extra?: Record<string, unknown>;
  /** Tells apart errors of one kind where a caller must (e.g. `version-conflict`); never shown. */
  code?: string;
  /** A heading of its own, where the kind's title would mislead (a refused form is not a refused page). */
  title?: string;
  /** The error's name (Lambda and Step Functions match on it); 'AppError' when absent. */
  name?: string;
  cause?: unknown;
}

/**
 * An error the product means: its kind, its detail (the message) and what its problem carries.
 *
 * @example
 * throw new AppError('not-found', `no audit ${auditId}`);
 * throw new AppError('invalid', 'the period ends before it starts', { fields: [{ field: 'to', message: '…' }] });
 */
export class AppError extends Error {
  readonly kind: ErrorKind;
  readonly fields: FieldProblem[] | undefined;
  readonly extra: Record<string, unknown>;
  readonly code: string | undefined;
  readonly title: string | undefined;

  constructor(kind: ErrorKind, detail: string, options: AppErrorOptions = {}) {
    super(detail, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = options.name ?? 'AppError';
    this.kind = kind;
    this.fields = options.fields;
    this.extra = options.extra ?? {};
    this.code = options.code;
    this.title = options.title;
  }

  /** The plain-English detail (the message). */
  get detail(): string {
    return this.message;
  }
}

/** Shorthands for the common kinds. */
export const notFound = (detail: string, options?: AppErrorOptions) => new AppError('not-found', detail, options);
export const refused = (detail: string, options?: AppErrorOptions) => new AppError('refused', detail, options);
export const conflict = (detail: string, options?: AppErrorOptions) => new AppError('conflict', detail, options);
export const invalid = (fields: FieldProblem[], options?: Omit<AppErrorOptions, 'fields'>) =>
  new AppError('invalid', fields.map((e) => `${e.field}: ${e.message}`).join('; '), { ...options, fields });

/** What the caller is told of an error we did not mean: nothing of its internals. */
const INTERNAL_DETAIL = 'something went wrong on our side; it has been logged';

/** Each field a zod error names, and why. */
export function zodFields(error: ZodError): FieldProblem[] {
  return error.issues.map((issue) => ({ field: issue.path.map(String).join('.') || '(body)', message: issue.message }));
}

const kindOfStatus = (status: number): ErrorKind =>
  status >= 500 || status < 400 ? 'internal' : (ERROR_KINDS.find((k) => ERROR_TABLE[k].status === status) ?? 'invalid');

/**
 * Any thrown value as an AppError: itself, a zod error as `invalid` with its fields, a Hono
 * HTTPException by its status, and anything else as `internal` (its message never passed on).
 */
export function asAppError(error: unknown): AppError {
  if (error instanceof AppError) return error;
  if (error instanceof ZodError) return new AppError('invalid', '', { fields: zodFields(error), cause: error });
  if (error instanceof HTTPException) {
    const kind = kindOfStatus(error.status);
    return new AppError(
      kind,
      kind === 'internal' ? INTERNAL_DETAIL : error.message || 'the request could not be read',
      { cause: error },
    );
  }
  return new AppError('internal', INTERNAL_DETAIL, { cause: error });
}

/** RFC 9457 problem details: every error the API returns has this shape, never a stack trace. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail?: string;
  /** Field-level messages for bad input: which field, and why. */
  errors?: FieldProblem[];
  [extension: string]: unknown;
}

/** The problem+json an error answers with, and its status. */
export function problemOf(error: unknown): { status: ContentfulStatusCode; body: Problem } {
  const e = asAppError(error);
  const { status, title } = ERROR_TABLE[e.kind];
  const body: Problem = {
    type: 'about:blank',
    title: e.title ?? title,
    status,
    // An internal error's own message may name internals (a table, a stack frame): never sent.
    ...(e.kind === 'internal' ? { detail: INTERNAL_DETAIL } : e.detail ? { detail: e.detail } : {}),
    ...(e.fields ? { errors: e.fields } : {}),
    ...e.extra,
  };
  return { status, body };
}

/** The GOV.UK error page an error shows: its status, heading and what to do, in the person's words. */
export function pageOf(error: unknown): { status: ContentfulStatusCode; title: string; message: string } {
  const e = asAppError(error);
  const { status, pageTitle } = ERROR_TABLE[e.kind];
  const message =
    e.kind === 'internal'
      ? 'Try again later. What happened has been logged.'
      : e.fields?.length
        ? e.fields.map((f) => f.message).join('; ')
        : e.detail;
  return { status, title: e.title ?? pageTitle, message: capitaliseFirst(message) };
}

const capitaliseFirst = (s: string) => (s ? s[0]!.toUpperCase() + s.slice(1) : s);
