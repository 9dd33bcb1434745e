import { HTTPException } from 'hono/http-exception';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { LifecycleError } from '#audit/lifecycle';
import { runAuditJob } from '#audit/jobs';
import { AuditRequestError } from '#audit/runner';
import { TemplateError } from '#audit/template-library';
import { TokenError } from '#auth/tokens';
import { AppError, ERROR_KINDS, ERROR_TABLE, asAppError, pageOf, problemOf, type ErrorKind } from '#errors';
import { LeaseHeldError, LeaseLostError, newLease, leasePolicy } from '#jobs/lease';
import { ImportRequestError, ImportStateError } from '#loader/import-jobs';
import { AlreadyPublishedError, InvalidFindingsError } from '#reports/publish';
import { ConflictError, ForbiddenError, InvalidInputError, NotFoundError } from '#service/errors';
import { BatchIncompleteError } from '#store/batch';
import { InvalidKeyError } from '#store/keys';
import type { ObjectStore } from '#store/object-store';
import { TemplateVersionExistsError, VersionConflictError, type RecordStore } from '#store/record-store';
import { RunnerEventError } from '../../functions/runner/events.ts';

describe('the one table of error kinds', () => {
  const EXPECTED: Record<ErrorKind, [number, string, string]> = {
    invalid: [400, 'Invalid request', 'There is a problem with the request'],
    unauthenticated: [401, 'Not signed in', 'You need to sign in'],
    refused: [403, 'Forbidden', 'You cannot see this page'],
    'not-found': [404, 'Not found', 'Page not found'],
    conflict: [409, 'Conflict', 'This cannot be done now'],
    'too-large': [413, 'Request body too large', 'The form was too large'],
    internal: [500, 'Internal error', 'Sorry, there is a problem with the service'],
  };

  it('gives every kind its status, its problem title and its page heading', () => {
    expect([...ERROR_KINDS].sort()).toEqual(Object.keys(EXPECTED).sort());
    for (const kind of ERROR_KINDS) {
      const [status, title, pageTitle] = EXPECTED[kind];
      expect(ERROR_TABLE[kind], kind).toEqual({ status, title, pageTitle });
      expect(problemOf(new AppError(kind, 'what happened')).status, kind).toBe(status);
      expect(problemOf(new AppError(kind, 'what happened')).body.title, kind).toBe(title);
      expect(pageOf(new AppError(kind, 'what happened')), kind).toMatchObject({ status, title: pageTitle });
    }
  });
});

describe('problem+json', () => {
  it('carries type, title, status and the detail', () => {
    expect(problemOf(new NotFoundError('no audit A1')).body).toEqual({
      type: 'about:blank',
      title: 'Not found',
      status: 404,
      detail: 'no audit A1',
    });
  });

  it('names each field at fault for invalid input', () => {
    const errors = [
      { field: 'to', message: 'the period ends before it starts' },
      { field: 'seed', message: 'must be a whole number' },
    ];
    expect(problemOf(new InvalidInputError(errors)).body).toEqual({
      type: 'about:blank',
      title: 'Invalid request',
      status: 400,
      detail: 'to: the period ends before it starts; seed: must be a whole number',
      errors,
    });
  });

  it('carries what a conflict needs to recover: the current version, the import it was tried again as, the lifecycle move', () => {
    expect(problemOf(new ConflictError('changed since you read it', { current: { version: 2 } })).body).toEqual({
      type: 'about:blank',
      title: 'Conflict',
      status: 409,
      detail: 'changed since you read it',
      current: { version: 2 },
    });
    expect(problemOf(new ConflictError('already tried again', { retriedAs: 'I2' })).body).toMatchObject({
      status: 409,
      retriedAs: 'I2',
    });
    expect(problemOf(new LifecycleError('published', 'grading')).body).toMatchObject({
      status: 409,
      from: 'published',
      to: 'grading',
      detail: expect.stringContaining('published findings are final'),
    });
  });

  it('reads a zod error as invalid input, field by field', () => {
    const parsed = z.object({ share: z.number().max(1, 'at most 1') }).safeParse({ share: 2 });
    expect(problemOf(parsed.error).body).toEqual({
      type: 'about:blank',
      title: 'Invalid request',
      status: 400,
      errors: [{ field: 'share', message: 'at most 1' }],
    });
  });

  it("reads Hono's refusals by their status", () => {
    expect(problemOf(new HTTPException(400, { message: 'Malformed JSON in request body' })).body).toEqual({
      type: 'about:blank',
      title: 'Invalid request',
      status: 400,
      detail: 'Malformed JSON in request body',
    });
    expect(problemOf(new HTTPException(413)).status).toBe(413);
    expect(problemOf(new HTTPException(401)).status).toBe(401);
    expect(problemOf(new HTTPException(418)).status).toBe(400);
    expect(problemOf(new HTTPException(502, { message: 'upstream said no at 10.0.0.1' })).body).toEqual({
      type: 'about:blank',
      title: 'Internal error',
      status: 500,
      detail: 'something went wrong on our side; it has been logged',
    });
  });

  it('tells nothing of an error it did not mean, nor of an internal one', () => {
    for (const error of [
      new Error('socket hang up at dynamo-store.ts:123'),
      'a string',
      new BatchIncompleteError('BatchWriteItem', 3, 8),
      new InvalidFindingsError(['criteria.0: required']),
    ]) {
      expect(problemOf(error).body).toEqual({
        type: 'about:blank',
        title: 'Internal error',
        status: 500,
        detail: 'something went wrong on our side; it has been logged',
      });
    }
  });
});

describe('the GOV.UK error page', () => {
  it("shows the kind's heading and the detail, capitalised", () => {
    expect(pageOf(new NotFoundError('no audit A1'))).toEqual({
      status: 404,
      title: 'Page not found',
      message: 'No audit A1',
    });
    expect(pageOf(new ForbiddenError('imports are for QA leads'))).toEqual({
      status: 403,
      title: 'You cannot see this page',
      message: 'Imports are for QA leads',
    });
    expect(pageOf(new LifecycleError('published', 'grading'))).toMatchObject({
      status: 409,
      title: 'This cannot be done now',
      message: expect.stringMatching(/^The audit is published/),
    });
  });

  it('lists the messages of invalid input without the field names', () => {
    expect(
      pageOf(
        new InvalidInputError([
          { field: 'to', message: 'the period ends before it starts' },
          { field: 'seed', message: 'a whole number' },
        ]),
      ),
    ).toEqual({
      status: 400,
      title: 'There is a problem with the request',
      message: 'The period ends before it starts; a whole number',
    });
  });

  it('uses a heading of its own where the error brings one (a refused form)', () => {
    expect(
      pageOf(new AppError('refused', 'The form had expired.', { title: 'This form could not be accepted' })),
    ).toEqual({ status: 403, title: 'This form could not be accepted', message: 'The form had expired.' });
  });

  it('says only to try again later for an internal error', () => {
    expect(pageOf(new Error('socket hang up'))).toEqual({
      status: 500,
      title: 'Sorry, there is a problem with the service',
      message: 'Try again later. What happened has been logged.',
    });
  });
});

describe('every error the product throws is an AppError of one kind', () => {
  const lease = newLease('run-2', leasePolicy({}), new Date('2026-01-01T00:00:00Z'));
  const cases: [Error, ErrorKind, string][] = [
    [new NotFoundError('no import I1'), 'not-found', 'NotFoundError'],
    [new ForbiddenError('not yours'), 'refused', 'ForbiddenError'],
    [new ConflictError('changed'), 'conflict', 'ConflictError'],
    [new InvalidInputError([{ field: 'to', message: 'before from' }]), 'invalid', 'InvalidInputError'],
    [new LifecycleError('moderation', 'grading'), 'conflict', 'LifecycleError'],
    [new AuditRequestError('the audit has no segment 3'), 'conflict', 'AuditRequestError'],
    [new AuditRequestError('no audit A1', 'not-found'), 'not-found', 'AuditRequestError'],
    [new TemplateError('x.json', [{ path: 'id', message: 'required' }]), 'invalid', 'TemplateError'],
    [new InvalidKeyError('authority id "X" must be lower case'), 'invalid', 'InvalidKeyError'],
    [new BatchIncompleteError('BatchGetItem', 1, 8), 'internal', 'BatchIncompleteError'],
    [new VersionConflictError({ auditId: 'A1', part: 'meta' }, 1, null), 'conflict', 'VersionConflictError'],
    [new TemplateVersionExistsError('t', 1), 'conflict', 'TemplateVersionExistsError'],
    [new InvalidFindingsError(['x']), 'internal', 'InvalidFindingsError'],
    [new AlreadyPublishedError('A1'), 'conflict', 'AlreadyPublishedError'],
    [new ImportRequestError('fileName', 'name the file'), 'invalid', 'ImportRequestError'],
    [new ImportStateError('import I1 is running'), 'conflict', 'ImportStateError'],
    [new TokenError('the token has expired', 401), 'unauthenticated', 'TokenError'],
    [new TokenError('you are in no group', 403), 'refused', 'TokenError'],
    [new LeaseLostError('audit A1', 'run-1', lease), 'conflict', 'LeaseLostError'],
    [new LeaseHeldError('audit A1', lease), 'conflict', 'LeaseHeldError'],
    [new RunnerEventError('the segment event is not valid'), 'invalid', 'RunnerEventError'],
  ];

  it.each(cases.map(([error, kind, name]) => [name, kind, error] as const))(
    '%s is %s (and keeps its name, which the state machine matches)',
    (name, kind, error) => {
      expect(error).toBeInstanceOf(AppError);
      expect(asAppError(error).kind).toBe(kind);
      expect(error.name).toBe(name);
    },
  );

  it('answers 404, not 409, for an audit the audit jobs do not find', async () => {
    // The audit jobs over a store that holds no audit: what they throw is "not found".
    const store = { getAuditItem: async () => null } as unknown as RecordStore;
    const thrown = await runAuditJob({ store, objects: {} as ObjectStore }, 'demo', 'A1').catch(
      (error: unknown) => error,
    );
    expect(problemOf(thrown).body).toEqual({
      type: 'about:blank',
      title: 'Not found',
      status: 404,
      detail: 'no audit A1',
    });
    expect(problemOf(new AuditRequestError("segment 3 is outside the audit's 3 segments")).status).toBe(409);
  });

  it('tells apart errors of one kind by their code, where callers must', () => {
    expect(new VersionConflictError({ auditId: 'A1', part: 'meta' }, 1, null).code).toBe('version-conflict');
    expect(new TemplateVersionExistsError('t', 1).code).toBe('template-version-exists');
    // A version conflict's problem says it clashed, never what is stored.
    expect(
      problemOf(
        new VersionConflictError({ auditId: 'A1', part: 'record#R1' }, 1, {
          version: 2,
          updatedAt: '2026-01-01T00:00:00Z',
          body: { grades: {} },
        }),
      ).body,
    ).toEqual({
      type: 'about:blank',
      title: 'Conflict',
      status: 409,
      detail: 'version conflict on A1/record#R1: expected version 1, stored version is 2',
    });
  });
});
