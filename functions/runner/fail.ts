/** Lambda entry for the audit runner's Catch: marks the audit failed with a readable reason (nothing is published; it may be resumed). */
import { failAuditJob } from '#audit/jobs';
import { configFromEnv } from '#config/config';
import { openStores } from '#store/open';
import { FailEvent, failureReason, parseEvent } from './events.ts';

const services = openStores(configFromEnv());

export async function handler(event: unknown): Promise<{ status: 'failed'; reason: string }> {
  const { authorityId, auditId, runId, stage, error } = parseEvent(FailEvent, event, 'fail');
  const reason = failureReason(stage, error);
  // With the run's id, an audit another run has taken over (its lease live) is left to that run.
  await failAuditJob(services, authorityId, auditId, reason, runId ? { runId } : {});
  return { status: 'failed', reason };
}
