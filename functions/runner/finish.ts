/** Lambda entry for the audit runner's last step, once every segment is in: sample, then assign for grading or publish. */
import { finishAuditJob } from '#audit/jobs';
import { configFromEnv } from '#config/config';
import { openStores } from '#store/open';
import { FinishEvent, parseEvent, type FinishResult } from './events.ts';

const services = openStores(configFromEnv());

export async function handler(event: unknown): Promise<FinishResult> {
  const { authorityId, auditId, runId } = parseEvent(FinishEvent, event, 'finish');
  // A failure here is recorded by the job itself (status failed, with the reason) and returned, not thrown.
  const audit = await finishAuditJob(services, authorityId, auditId, runId ? { runId } : {});
  return { status: audit.body.status, failure: audit.body.failure?.reason ?? null };
}
