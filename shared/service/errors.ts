/**
 * What a use case refuses, and why, in words for the person asking. The HTTP layer maps each to
 * its status (404, 403, 409, 400); the web pages show the same messages.
 */

/** The thing asked for does not exist for this authority (or, for an IRO, is not theirs to see). */
export class NotFoundError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NotFoundError';
  }
}

/** The caller is who they say, but may not do this. */
export class ForbiddenError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ForbiddenError';
  }
}

/** The request clashes with the state things are in (the lifecycle, a newer version, a reused key). */
export class ConflictError extends Error {
  constructor(
    message: string,
    /** What the caller needs to recover, e.g. the current version of a grade. */
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'ConflictError';
  }
}

/** A field-level problem with the input, beyond what the schema alone can say. */
export class InvalidInputError extends Error {
  constructor(readonly errors: { field: string; message: string }[]) {
    super(errors.map((e) => `${e.field}: ${e.message}`).join('; '));
    this.name = 'InvalidInputError';
  }
}
