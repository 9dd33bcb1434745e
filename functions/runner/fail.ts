/** Lambda entry for the audit runner's Catch: marks the audit failed with a readable reason (nothing is published; it may be resumed). */
import { failAuditJob } from '#audit/jobs';
import { configFromEnv } from '#config/config';
import { openRecordStoreOnly } from '#jobs/record-store-only';
import { FailEvent, failureReason, parseEvent } from './events.ts';

// The table only: marking an audit failed writes no object, and the S3 client would be most of the bundle's SDK.
const services = openRecordStoreOnly(configFromEnv(), 'the fail function');

export async function handler(event: unknown): Promise<{ status: 'failed'; reason: string }> {
  const { authorityId, auditId, runId, stage, error } = parseEvent(FailEvent, event, 'fail');
  const reason = failureReason(stage, error);
  // With the run's id, an audit another run has taken over (its lease live) is left to that run.
  await failAuditJob(services, authorityId, auditId, reason, runId ? { runId } : {});
  return { status: 'failed', reason };
}
