/** Child-process entry: receives one job (the audit or the bare scan), runs it, sends the result back and exits. */
import { bareParallelScan, measureAudit, type Job } from './audit-bench.ts';

if (!process.send) {
  console.error('audit-process: run by bench/audit-bench.ts with an IPC channel');
  process.exit(2);
}

process.once('message', (message) => {
  const job = message as Job;
  const work: Promise<unknown> = job.job === 'audit' ? measureAudit(job.input) : bareParallelScan(job.input);
  work.then(
    (result) => process.send!({ ok: true, result }, () => process.exit(0)),
    (error: unknown) =>
      process.send!({ ok: false, error: (error as Error).stack ?? String(error) }, () => process.exit(1)),
  );
});
// The parent went away: nothing is waiting for the figures.
process.on('disconnect', () => process.exit(1));
