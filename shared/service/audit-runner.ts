/**
 * Who runs an audit once it is launched: in this process on a laptop (the segments in parallel),
 * or a Step Functions execution on AWS (one Lambda per scan segment). The API only says "start".
 */
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { runAuditJob, type AuditServices } from '#audit/jobs';

export interface AuditRunner {
  /** Starts gathering, sampling and (for automatic-only audits) publishing; returns once it has started. */
  start(audit: { authorityId: string; auditId: string; segments: number }): Promise<void>;
}

/** Runs audits in this process: the local stack's runner. `idle()` resolves when every started run has settled. */
export class InProcessAuditRunner implements AuditRunner {
  private readonly running = new Set<Promise<unknown>>();

  constructor(private readonly svc: AuditServices, private readonly log: (line: string) => void = () => {}) {}

  async start(audit: { authorityId: string; auditId: string }): Promise<void> {
    const run = runAuditJob(this.svc, audit.authorityId, audit.auditId)
      .then((done) => this.log(`audit ${audit.auditId}: ${done.body.status}${done.body.failure ? ` (${done.body.failure.reason})` : ''}`))
      // runAuditJob records failures in the audit itself; this only catches the store being gone.
      .catch((error: unknown) => this.log(`audit ${audit.auditId}: could not run: ${(error as Error).message}`))
      .finally(() => this.running.delete(run));
    this.running.add(run);
  }

  async idle(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running]);
  }
}

/** Starts the runner state machine. The execution name is the audit's, so a retried start cannot run it twice. */
export class StepFunctionsAuditRunner implements AuditRunner {
  constructor(private readonly sfn: SFNClient, private readonly stateMachineArn: string) {}

  async start(audit: { authorityId: string; auditId: string; segments: number }): Promise<void> {
    try {
      await this.sfn.send(
        new StartExecutionCommand({
          stateMachineArn: this.stateMachineArn,
          name: executionName(audit.authorityId, audit.auditId),
          input: JSON.stringify({ authorityId: audit.authorityId, auditId: audit.auditId, segments: audit.segments }),
        }),
      );
    } catch (error) {
      // The same name and input again is a retry of the same start: the execution already runs.
      if ((error as Error).name !== 'ExecutionAlreadyExists') throw error;
    }
  }
}

/** Step Functions names: at most 80 characters of letters, digits, '-' and '_'. */
export function executionName(authorityId: string, auditId: string): string {
  return `${authorityId}--${auditId}`.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 80);
}
