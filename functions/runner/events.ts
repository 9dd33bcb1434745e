/**
 * The audit runner's events: what the state machine sends each step (checked with zod before
 * anything runs), and the readable reason recorded when a run cannot finish.
 *
 *   segment  { authorityId, auditId, runId, segment }         → { segment, childrenScanned, units, scanned }
 *   finish   { authorityId, auditId, runId }                  → { status, failure }   (failure: the reason, or null)
 *   fail     { authorityId, auditId, runId, stage, error }    → { status: 'failed', reason }
 *            error is what a Catch hands on: { Error, Cause }
 */
import * as z from 'zod';
import { AppError } from '#errors';
import { AuditRecord } from '#audit/audit-record';
import { AuthorityId } from '#domain/records';

/** The run (the execution's name, `$$.Execution.Name`): the owner of the audit's lease its steps renew. Absent from events sent by hand. */
const RunId = z
  .string()
  .regex(/^[A-Za-z0-9_-]{1,80}$/, 'must be a Step Functions execution name')
  .optional();
const AuditRef = z.object({ authorityId: AuthorityId, auditId: AuditRecord.shape.auditId, runId: RunId });

export const SegmentEvent = AuditRef.extend({
  segment: z
    .number()
    .int()
    .min(0)
    .max(AuditRecord.shape.segments.maxValue! - 1),
});
export type SegmentEvent = z.infer<typeof SegmentEvent>;

export const FinishEvent = AuditRef;
export type FinishEvent = z.infer<typeof FinishEvent>;

/** The steps a run can fail in, as the reason names them. */
export const RUN_STAGES = ['gathering the population', 'finishing the audit'] as const;

/** A Step Functions error as a Catch passes it on (`ResultPath: $.error`). */
export const StepError = z.object({ Error: z.string(), Cause: z.string().optional() });
export type StepError = z.infer<typeof StepError>;

export const FailEvent = AuditRef.extend({ stage: z.enum(RUN_STAGES), error: StepError });
export type FailEvent = z.infer<typeof FailEvent>;

/** What `finish` hands back to the state machine: small (the audit record itself can be larger than a state's 256 KB). */
export interface FinishResult {
  status: AuditRecord['status'];
  failure: string | null;
}

/** An event the state machine should never send (invalid); not retried (it would fail the same way), by its name. */
export class RunnerEventError extends AppError {
  constructor(message: string) {
    super('invalid', message, { name: 'RunnerEventError' });
  }
}

/** The event parsed by `schema`, or a RunnerEventError naming each bad field and why. */
export function parseEvent<T>(schema: z.ZodType<T>, event: unknown, step: string): T {
  const parsed = schema.safeParse(event);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => `${issue.path.join('.') || '(the event)'}: ${issue.message}`);
  throw new RunnerEventError(`the ${step} event is not valid: ${problems.join('; ')}`);
}

/** Errors whose own message would mean little to a QA lead. */
const PLAIN_WORDS: Record<string, string> = {
  'Sandbox.Timedout': 'a step ran out of time (try the audit with more segments)',
  'States.Timeout': 'a step ran out of time (try the audit with more segments)',
  'Runtime.OutOfMemory': 'a step ran out of memory (try the audit with more segments)',
  'Lambda.TooManyRequestsException': 'AWS Lambda was still too busy after several retries',
  'States.TaskFailed': 'a step could not be run',
};

/** Longest reason kept with the audit. */
export const MAX_REASON_LENGTH = 500;

/**
 * The reason an audit failed, from the error a Catch received: the stage, the error's type and its
 * message — never a stack trace (Lambda's Cause carries one in `trace`, which is dropped).
 */
export function failureReason(stage: FailEvent['stage'], error: StepError): string {
  const cause = parseCause(error.Cause);
  const type = cause.type ?? error.Error;
  // Lambda prefixes some messages with the request id ("… RequestId: 1a2b… Error: Task timed out …").
  const message = cause.message?.replace(/^.*?RequestId: \S+\s+(?:Error: )?/, '');
  const plain = PLAIN_WORDS[type];
  const detail = plain
    ? message
      ? `${plain}: ${message}`
      : plain
    : message
      ? type === 'Error'
        ? message
        : `${type}: ${message}`
      : type;
  const reason = `${stage} failed: ${detail}`.replace(/\s+/g, ' ').trim();
  return reason.length > MAX_REASON_LENGTH ? `${reason.slice(0, MAX_REASON_LENGTH - 1)}…` : reason;
}

/** Lambda's Cause is JSON ({ errorType, errorMessage, trace }); other services' causes are plain text. */
function parseCause(cause: string | undefined): { type?: string; message?: string } {
  if (!cause) return {};
  try {
    const parsed = JSON.parse(cause) as unknown;
    if (parsed && typeof parsed === 'object') {
      const { errorType, errorMessage } = parsed as { errorType?: unknown; errorMessage?: unknown };
      return {
        ...(typeof errorType === 'string' ? { type: errorType } : {}),
        ...(typeof errorMessage === 'string' ? { message: errorMessage } : {}),
      };
    }
  } catch {
    // Not JSON: a plain message.
  }
  return { message: cause };
}
