/**
 * Recovery: every job finishes by itself. Finds the jobs whose lease is stale (their process stopped:
 * killed, out of memory, timed out, or a laptop switched off) and takes each over: an audit's run or
 * publication is resumed from its checkpoints by a new run (at most MAX_TAKEOVERS times, then it is
 * marked failed with the reason); an import is marked failed with the reason, for a QA lead to try
 * again (see `recoverImport` for why). Runs when the local stack starts and every minute while it
 * runs, and every five minutes on AWS (functions/recover, an EventBridge schedule).
 *
 * @example
 *   const recovered = await recoverStaleJobs({ store, objects, runner });
 *   // [{ kind: 'audit', authorityId: 'demo', id: '20261201-…', outcome: 'resumed', why: 'the process running it (laptop:4242) stopped' }]
 */
import { randomBytes } from 'node:crypto';
import { failAuditJob, getAudit, recoverAudit, type AuditServices } from '#audit/jobs';
import { reasonOf } from '#jobs/messages';
import { recoverImport } from '#loader/import-jobs';
import type { LeasedJobRef } from '#store/record-store';
import { runIdOf, type AuditRun, type AuditRunner } from './audit-runner.ts';

export interface RecoveryServices extends AuditServices {
  /** Who resumes an audit: in this process on a laptop, a new Step Functions execution on AWS. */
  runner: AuditRunner;
}

/** What recovery did with one job. */
export interface RecoveredJob extends LeasedJobRef {
  /** resumed: a new run carries on; failed: marked failed with the reason; released: it had finished and held a lease still; error: recovery itself failed (tried again next time). */
  outcome: 'resumed' | 'failed' | 'released' | 'error';
  /** Why, in plain words. */
  why: string;
}

/** Takes over every stale lease; jobs whose lease is live are left alone. One job's trouble never stops the others. */
export async function recoverStaleJobs(svc: RecoveryServices): Promise<RecoveredJob[]> {
  const leased: LeasedJobRef[] = [];
  for await (const job of svc.store.leasedJobs()) leased.push(job);
  const recovered: RecoveredJob[] = [];
  for (const job of leased) {
    try {
      const done = job.kind === 'import' ? await recoverOneImport(svc, job) : await recoverOneAudit(svc, job);
      if (done) recovered.push({ ...job, ...done });
    } catch (error) {
      recovered.push({ ...job, outcome: 'error', why: reasonOf(error, 300) });
    }
  }
  return recovered;
}

async function recoverOneImport(
  svc: RecoveryServices,
  job: LeasedJobRef,
): Promise<Pick<RecoveredJob, 'outcome' | 'why'> | null> {
  const result = await recoverImport(svc, job.authorityId, job.id, svc.now ? { now: svc.now } : {});
  if (result.outcome === 'live' || result.outcome === 'gone') return null;
  return {
    outcome: result.outcome,
    why: result.outcome === 'failed' ? (result.job.failure ?? result.why) : result.why,
  };
}

async function recoverOneAudit(
  svc: RecoveryServices,
  job: LeasedJobRef,
): Promise<Pick<RecoveredJob, 'outcome' | 'why'> | null> {
  const audit = await getAudit(svc, job.authorityId, job.id);
  if (!audit) return null;
  // A name of its own (Step Functions keeps execution names 90 days): recover-{random}.
  const run: AuditRun = {
    authorityId: job.authorityId,
    auditId: job.id,
    segments: audit.body.segments,
    purpose: `recover-${randomBytes(4).toString('hex')}`,
  };
  const result = await recoverAudit(svc, job.authorityId, job.id, runIdOf(run));
  if (result.outcome === 'live' || result.outcome === 'gone') return null;
  if (result.outcome !== 'resume')
    return { outcome: result.outcome, why: result.audit.body.failure?.reason ?? result.why };
  try {
    await svc.runner.start(run);
  } catch (error) {
    await failAuditJob(
      svc,
      job.authorityId,
      job.id,
      `it stopped (${result.why}) and could not be resumed: ${reasonOf(error, 300)}`,
      { runId: runIdOf(run) },
    );
    return { outcome: 'failed', why: `could not be resumed: ${reasonOf(error, 300)}` };
  }
  return { outcome: 'resumed', why: result.why };
}

/** One line per recovered job, for the log. */
export function describeRecovery(job: RecoveredJob): string {
  const what = job.kind === 'import' ? `import ${job.id}` : `audit ${job.id}`;
  return `${what} (${job.authorityId}): ${job.outcome === 'error' ? 'could not be recovered' : job.outcome}: ${job.why}`;
}
