/**
 * The recovery construct: every five minutes an EventBridge rule invokes the `recover` function, which
 * takes over the jobs whose lease went stale (a Lambda killed, timed out or out of memory; an
 * execution stopped): an audit is resumed by a new execution of the runner state machine, or marked
 * failed with the reason after too many takeovers; an import is marked failed with the reason.
 */
import { Duration } from 'aws-cdk-lib';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { TABLE_KEY_SCHEMA } from '#store/table';
import { IroFunction } from './functions.ts';
import type { RecordsTable } from './data.ts';
import type { AuditRunner } from './runner.ts';

/** How often stale leases are looked for. A lease outlives its last renewal by IRO_LEASE_SECONDS, so a stopped job is taken over within that plus this. */
export const RECOVERY_EVERY = Duration.minutes(5);

/** The index that lists the leased jobs (shared/store/keys.ts, LEASED_JOBS_PARTITION): the only query recovery makes. */
export const LEASED_JOBS_INDEX = TABLE_KEY_SCHEMA.indexes.gsi2.indexName;

export interface RecoveryProps {
  records: RecordsTable;
  runner: AuditRunner;
  /** The store's settings (IRO_TABLE, IRO_BUCKET), as every function gets them. */
  environment: Record<string, string>;
  logRetention: RetentionDays;
}

export class Recovery extends Construct {
  readonly recover: IroFunction;
  readonly schedule: Rule;

  constructor(scope: Construct, id: string, props: RecoveryProps) {
    super(scope, id);
    const { records, runner, logRetention } = props;

    this.recover = new IroFunction(this, 'Recover', {
      name: 'recover',
      description: 'iro-audit recovery: resumes or fails the jobs whose lease is stale (every 5 minutes)',
      memorySize: 256,
      // Well inside the schedule, so two runs never overlap (and if they did, every takeover is a conditional write).
      timeout: Duration.minutes(2),
      logRetention,
      environment: { ...props.environment, IRO_AUDIT_STATE_MACHINE_ARN: runner.stateMachine.stateMachineArn },
    });
    // A failed run is not tried again: the next one comes within five minutes, and an error stays one error in the metric.
    this.recover.function.configureAsyncInvoke({ retryAttempts: 0, maxEventAge: RECOVERY_EVERY });

    // The leased jobs from their index only; each job read and rewritten by key (conditional PutItem,
    // its trail entry too). No scan, no other index, and no bucket: recovery never reads or writes objects.
    records.grant(this.recover.role, ['GetItem', 'PutItem']);
    this.recover.role.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['dynamodb:Query'],
        resources: [`${records.table.tableArn}/index/${LEASED_JOBS_INDEX}`],
      }),
    );
    // Resuming an audit is a new execution of the runner, named for the takeover.
    runner.stateMachine.grantStartExecution(this.recover.role);

    this.schedule = new Rule(this, 'Schedule', {
      description: 'iro-audit: takes over stale job leases (resumes or fails the job)',
      schedule: Schedule.rate(RECOVERY_EVERY),
      targets: [new LambdaFunction(this.recover.function, { retryAttempts: 2, maxEventAge: RECOVERY_EVERY })],
    });
  }
}
