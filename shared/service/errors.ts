/**
 * What a use case refuses, and why, in words for the person asking: each is an AppError of one kind
 * (shared/errors.ts), so the API's problem+json and the web's page come from the one table there.
 * The names stay for the many call sites that throw them and the routes that catch one kind.
 */
import { AppError, type FieldProblem } from '#errors';

/** The thing asked for does not exist for this authority (or, for an IRO, is not theirs to see). */
export class NotFoundError extends AppError {
  constructor(message: string) {
    super('not-found', message, { name: 'NotFoundError' });
  }
}

/** The caller is who they say, but may not do this. */
export class ForbiddenError extends AppError {
  constructor(message: string) {
    super('refused', message, { name: 'ForbiddenError' });
  }
}

/** The request clashes with the state things are in (the lifecycle, a newer version, a reused key). */
export class ConflictError extends AppError {
  constructor(
    message: string,
    /** What the caller needs to recover, e.g. the current version of a grade. */
    extra: Record<string, unknown> = {},
  ) {
    super('conflict', message, { name: 'ConflictError', extra });
  }
}

/** A field-level problem with the input, beyond what the schema alone can say. */
export class InvalidInputError extends AppError {
  constructor(readonly errors: FieldProblem[]) {
    super('invalid', errors.map((e) => `${e.field}: ${e.message}`).join('; '), {
      name: 'InvalidInputError',
      fields: errors,
    });
  }
}
