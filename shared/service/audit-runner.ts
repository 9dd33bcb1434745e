/**
 * Who runs an audit once it is launched: in this process on a laptop (the segments in parallel),
 * or a Step Functions execution on AWS (one Lambda per scan segment). The API only says "start".
 */
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { runAuditJob, type AuditServices } from '#audit/jobs';

/** What a runner is asked to run: an audit's run (runAuditJob), started once per purpose. */
export interface AuditRun {
  authorityId: string;
  auditId: string;
  segments: number;
  /**
   * Why it runs, naming the run so a retried start of the same run cannot run it twice: absent for
   * the launch (gathering, sampling, and for automatic-only audits publishing); 'publish' for a
   * closed audit's publishing; another name to retry a publishing that failed.
   */
  purpose?: string;
}

export interface AuditRunner {
  /** Starts the run; returns once it has started. */
  start(run: AuditRun): Promise<void>;
}

/** Runs audits in this process: the local stack's runner. `idle()` resolves when every started run has settled. */
export class InProcessAuditRunner implements AuditRunner {
  private readonly running = new Set<Promise<unknown>>();

  constructor(
    private readonly svc: AuditServices,
    private readonly log: (line: string) => void = () => {},
  ) {}

  async start(audit: AuditRun): Promise<void> {
    const run = runAuditJob(this.svc, audit.authorityId, audit.auditId, { runId: runIdOf(audit) })
      .then((done) =>
        this.log(
          `audit ${audit.auditId}: ${done.body.status}${done.body.failure ? ` (${done.body.failure.reason})` : ''}`,
        ),
      )
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
  constructor(
    private readonly sfn: SFNClient,
    private readonly stateMachineArn: string,
  ) {}

  async start(audit: AuditRun): Promise<void> {
    try {
      await this.sfn.send(
        new StartExecutionCommand({
          stateMachineArn: this.stateMachineArn,
          // The execution's name is the run's id: its Lambdas renew the audit's lease under it ($$.Execution.Name).
          name: runIdOf(audit),
          input: JSON.stringify({ authorityId: audit.authorityId, auditId: audit.auditId, segments: audit.segments }),
        }),
      );
    } catch (error) {
      // The same name and input again is a retry of the same start: the execution already runs.
      if ((error as Error).name !== 'ExecutionAlreadyExists') throw error;
    }
  }
}

/**
 * The id of a run, and the owner its lease names: the same on a laptop and on AWS, where it is the
 * execution's name. The caller writes the lease under it before starting the run (launch, close,
 * try again, recovery), so a run that never starts is found stale and recovered.
 */
export const runIdOf = (run: Pick<AuditRun, 'authorityId' | 'auditId' | 'purpose'>) =>
  executionName(run.authorityId, run.auditId, run.purpose);

/**
 * Step Functions names: at most 80 characters of letters, digits, '-' and '_', unique for 90 days
 * (a name already used, even by a finished execution, is refused): so each purpose has its own, the
 * purpose kept whole at the end.
 */
export function executionName(authorityId: string, auditId: string, purpose?: string): string {
  const clean = (text: string) => text.replace(/[^A-Za-z0-9_-]/g, '_');
  const suffix = purpose ? `--${clean(purpose)}`.slice(0, 40) : '';
  return `${clean(`${authorityId}--${auditId}`).slice(0, 80 - suffix.length)}${suffix}`;
}
