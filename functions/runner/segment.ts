/** Lambda entry for one Map iteration of the audit runner: gathers and checkpoints one scan segment (idempotent). */
import { runSegmentJob, type SegmentJobResult } from '#audit/jobs';
import { configFromEnv } from '#config/config';
import { openStores } from '#store/open';
import { SegmentEvent, parseEvent } from './events.ts';

const services = openStores(configFromEnv());

export async function handler(event: unknown): Promise<SegmentJobResult> {
  const { authorityId, auditId, segment, runId } = parseEvent(SegmentEvent, event, 'segment');
  return runSegmentJob(services, authorityId, auditId, segment, runId ? { runId } : {});
}
