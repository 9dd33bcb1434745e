/**
 * Lambda entry for the recovery schedule (EventBridge, every five minutes): takes over every job whose
 * lease is stale, resuming an audit by a new execution of the runner state machine, or marking it
 * (or an import) failed with the reason. One structured log line per job it touched.
 */
import { SFNClient } from '@aws-sdk/client-sfn';
import { configFromEnv } from '#config/config';
import { StepFunctionsAuditRunner } from '#service/audit-runner';
import { describeRecovery, recoverStaleJobs, type RecoveredJob } from '#service/recovery';
import { openStores } from '#store/open';

/** What one scheduled run did: how many jobs it took over, counted by outcome. */
export interface RecoverySummary {
  recovered: number;
  byOutcome: Partial<Record<RecoveredJob['outcome'], number>>;
}

const config = configFromEnv();
// Required at cold start, as the API's settings are: without it no audit could be resumed.
const stateMachineArn = process.env.IRO_AUDIT_STATE_MACHINE_ARN;
if (!stateMachineArn)
  throw new Error(
    'IRO_AUDIT_STATE_MACHINE_ARN is not set: recovery cannot resume audits without the runner state machine',
  );
const services = {
  ...openStores(config),
  runner: new StepFunctionsAuditRunner(new SFNClient({ region: config.region }), stateMachineArn),
};

/**
 * One job's trouble is in its outcome ('error', tried again at the next run), never thrown; only a
 * store that cannot even list the leased jobs throws, so the function's Errors metric shows it.
 */
export async function handler(): Promise<RecoverySummary> {
  const recovered = await recoverStaleJobs(services);
  const byOutcome: RecoverySummary['byOutcome'] = {};
  for (const job of recovered) {
    byOutcome[job.outcome] = (byOutcome[job.outcome] ?? 0) + 1;
    // One object per line: with the function's JSON log format it is the entry's `message`, searchable by field.
    const line = {
      recovery: describeRecovery(job),
      kind: job.kind,
      authorityId: job.authorityId,
      id: job.id,
      outcome: job.outcome,
      why: job.why,
    };
    if (job.outcome === 'error') console.error(line);
    else console.info(line);
  }
  return { recovered: recovered.length, byOutcome };
}
