/** The runner's events: checked before anything runs, and a failure recorded as a reason a QA lead can read. */
import { describe, expect, it } from 'vitest';
import {
  FailEvent,
  MAX_REASON_LENGTH,
  RunnerEventError,
  SegmentEvent,
  failureReason,
  parseEvent,
} from '../../functions/runner/events.ts';

/** A Lambda function error as Step Functions' Catch hands it on. */
const lambdaError = (errorType: string, errorMessage: string) => ({
  Error: errorType,
  Cause: JSON.stringify({
    errorType,
    errorMessage,
    trace: [`${errorType}: ${errorMessage}`, '    at gatherSegment (/var/task/index.mjs:1:2345)'],
  }),
});

describe('runner events', () => {
  it('accepts a segment event of the state machine', () => {
    expect(parseEvent(SegmentEvent, { authorityId: 'demo', auditId: 'a-1', segment: 3 }, 'segment')).toEqual({
      authorityId: 'demo',
      auditId: 'a-1',
      segment: 3,
    });
  });

  it('refuses a bad event with a RunnerEventError naming each field and why', () => {
    const refuse = () => parseEvent(SegmentEvent, { authorityId: 'Demo#1', auditId: 'a-1', segment: 1.5 }, 'segment');
    expect(refuse).toThrow(RunnerEventError);
    expect(refuse).toThrow(
      /the segment event is not valid: authorityId: must be 2–40 lower-case letters, digits or hyphens; segment: /,
    );
  });

  it('refuses a segment beyond the most an audit can have', () => {
    expect(() => parseEvent(SegmentEvent, { authorityId: 'demo', auditId: 'a-1', segment: 64 }, 'segment')).toThrow(
      /segment:/,
    );
  });

  it('refuses a fail event without the error the Catch passed on', () => {
    expect(() =>
      parseEvent(FailEvent, { authorityId: 'demo', auditId: 'a-1', stage: 'finishing the audit' }, 'fail'),
    ).toThrow(/error: /);
  });
});

describe('failure reasons', () => {
  it('give the stage, the error type and its message, and never the stack trace', () => {
    const reason = failureReason(
      'gathering the population',
      lambdaError(
        'ProvisionedThroughputExceededException',
        'The level of configured provisioned throughput for the table was exceeded.',
      ),
    );
    expect(reason).toBe(
      'gathering the population failed: ProvisionedThroughputExceededException: The level of configured provisioned throughput for the table was exceeded.',
    );
    expect(reason).not.toContain('/var/task');
  });

  it('leave out a plain "Error" type', () => {
    expect(
      failureReason('finishing the audit', lambdaError('Error', 'work file work/demo/a-1/segment-02.json is missing')),
    ).toBe('finishing the audit failed: work file work/demo/a-1/segment-02.json is missing');
  });

  it('say in plain words that a step ran out of time, without the request id', () => {
    const timedOut = {
      Error: 'Sandbox.Timedout',
      Cause: JSON.stringify({
        errorType: 'Sandbox.Timedout',
        errorMessage:
          '2026-05-01T10:00:00.000Z 3f2a1b9c-0000-4000-8000-000000000000 RequestId: 3f2a1b9c-0000-4000-8000-000000000000 Error: Task timed out after 900.00 seconds',
      }),
    };
    expect(failureReason('gathering the population', timedOut)).toBe(
      'gathering the population failed: a step ran out of time (try the audit with more segments): Task timed out after 900.00 seconds',
    );
  });

  it('use a plain-text cause as it is', () => {
    expect(
      failureReason('finishing the audit', {
        Error: 'States.TaskFailed',
        Cause: 'Lambda was unable to decrypt the environment variables.',
      }),
    ).toBe(
      'finishing the audit failed: a step could not be run: Lambda was unable to decrypt the environment variables.',
    );
  });

  it('fall back to the error name when there is no cause', () => {
    expect(failureReason('finishing the audit', { Error: 'States.Runtime' })).toBe(
      'finishing the audit failed: States.Runtime',
    );
  });

  it('are cut to a length that fits the audit record', () => {
    const reason = failureReason('finishing the audit', lambdaError('Error', 'x'.repeat(5000)));
    expect(reason.length).toBe(MAX_REASON_LENGTH);
    expect(reason.endsWith('…')).toBe(true);
  });
});
