/**
 * The runner construct: a Step Functions state machine that runs one audit. A Map state fans it out
 * over its DynamoDB scan segments (one `segment` invocation each), `finish` samples and assigns or
 * publishes once every segment is in, and whatever cannot finish is caught and recorded by `fail`
 * (the audit is marked failed with a readable reason; it can be resumed). Input:
 * `{ authorityId, auditId, segments }`, as the API sends when a QA lead launches an audit.
 */
import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import {
  Choice,
  Condition,
  DefinitionBody,
  Errors,
  Fail,
  JitterType,
  JsonPath,
  LogLevel,
  Map as MapState,
  Pass,
  StateMachine,
  StateMachineType,
  Succeed,
  TaskInput,
  type RetryProps,
} from 'aws-cdk-lib/aws-stepfunctions';
import { LambdaInvoke, type LambdaInvokeProps } from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { AuditRecord } from '#audit/audit-record';
import { RUN_STAGES } from '../functions/runner/events.ts';
import { IroFunction } from './functions.ts';
import type { RecordsTable } from './data.ts';
import type { FindingsStorage } from './storage.ts';
import { wildcardFinding } from './nag.ts';

/** The most segments an audit may have (AuditRecord's bound), so the most Map iterations. */
export const MAX_SEGMENTS = AuditRecord.shape.segments.maxValue!;

/** Lambda's own transient failures (not the function's): retried quickly. */
export const LAMBDA_SERVICE_ERRORS = [
  'Lambda.ServiceException',
  'Lambda.AWSLambdaException',
  'Lambda.SdkClientException',
  'Lambda.ClientExecutionTimeoutException',
  'Lambda.TooManyRequestsException',
] as const;

/**
 * AWS faults that outlasted the store's own retries (shared/store/retry.ts, batch.ts): throttling,
 * 5xx, timeouts. Worth another go after a longer pause. Anything else (a bad request, a lifecycle
 * refusal, an invalid event) would fail the same way again and goes straight to the Catch.
 */
export const TRANSIENT_ERRORS = [
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'RequestLimitExceeded',
  'BatchIncompleteError',
  'InternalServerError',
  'InternalError',
  'ServiceUnavailable',
  'SlowDown',
  'RequestTimeout',
  'RequestTimeoutException',
  'TimeoutError',
] as const;

export const RETRIES: readonly RetryProps[] = [
  {
    errors: [...LAMBDA_SERVICE_ERRORS],
    interval: Duration.seconds(2),
    backoffRate: 2,
    maxAttempts: 6,
    maxDelay: Duration.seconds(60),
    jitterStrategy: JitterType.FULL,
  },
  {
    errors: [...TRANSIENT_ERRORS],
    interval: Duration.seconds(15),
    backoffRate: 2,
    maxAttempts: 3,
    maxDelay: Duration.minutes(2),
    jitterStrategy: JitterType.FULL,
  },
];

export interface AuditRunnerProps {
  records: RecordsTable;
  storage: FindingsStorage;
  environment: Record<string, string>;
  logRetention: RetentionDays;
  segmentConcurrency: number;
}

export class AuditRunner extends Construct {
  readonly stateMachine: StateMachine;
  readonly segment: IroFunction;
  readonly finish: IroFunction;
  readonly fail: IroFunction;

  constructor(scope: Construct, id: string, props: AuditRunnerProps) {
    super(scope, id);
    const { records, storage, environment, logRetention } = props;

    // A segment scans its share of the table and checkpoints it: the units to work/, a marker to the table.
    this.segment = new IroFunction(this, 'Segment', {
      name: 'segment',
      description: 'iro-audit runner: gathers one scan segment of an audit',
      memorySize: 1024,
      timeout: Duration.minutes(15),
      logRetention,
      environment,
    });
    records.grant(this.segment.role, ['GetItem', 'Query', 'Scan', 'PutItem']);
    storage.grant(this.segment.role, { write: ['work'] });

    // Finish reads the checkpoints (gathering any segment still missing), draws the sample, assigns or
    // publishes; it reads the last published findings of the template for the comparison.
    this.finish = new IroFunction(this, 'Finish', {
      name: 'finish',
      description: 'iro-audit runner: samples, then assigns for grading or publishes',
      memorySize: 2048,
      timeout: Duration.minutes(15),
      logRetention,
      environment,
    });
    records.grant(this.finish.role, ['GetItem', 'Query', 'Scan', 'PutItem']);
    storage.grant(this.finish.role, { read: ['work', 'findings'], write: ['work', 'findings'] });

    // Fail only rewrites the audit's record and appends to its trail: no bucket, no queries.
    this.fail = new IroFunction(this, 'Fail', {
      name: 'fail',
      description: 'iro-audit runner: marks an audit failed with the reason',
      memorySize: 256,
      timeout: Duration.seconds(30),
      logRetention,
      environment,
    });
    records.grant(this.fail.role, ['GetItem', 'PutItem']);

    const invoke = (
      name: string,
      fn: IroFunction,
      payload: TaskInput,
      result: Pick<LambdaInvokeProps, 'resultSelector' | 'resultPath'> = {},
    ) => {
      const task = new LambdaInvoke(this, name, {
        lambdaFunction: fn.function,
        payload,
        ...result,
        // Our own retries below, not the defaults, so the policy is in one place (and tested).
        retryOnServiceExceptions: false,
      });
      for (const retry of RETRIES) task.addRetry(retry);
      return task;
    };
    // The execution's name is the run's id: the audit's lease is written under it before the run starts (see runIdOf).
    const runId = JsonPath.stringAt('$$.Execution.Name');
    const auditRef = {
      authorityId: JsonPath.stringAt('$.authorityId'),
      auditId: JsonPath.stringAt('$.auditId'),
      runId,
    };

    // Every way an audit run ends badly comes here, with $.outcome = { status: 'failed', failure }.
    const auditFailed = new Fail(this, 'Audit failed', { error: 'AuditFailed', causePath: '$.outcome.failure' });
    const recordFailure = (name: string, stage: (typeof RUN_STAGES)[number]) =>
      invoke(name, this.fail, TaskInput.fromObject({ ...auditRef, stage, error: JsonPath.objectAt('$.error') }), {
        resultSelector: { status: 'failed', failure: JsonPath.stringAt('$.Payload.reason') },
        resultPath: '$.outcome',
      })
        .addCatch(
          new Fail(this, `${name} did not succeed`, {
            error: 'AuditFailureNotRecorded',
            cause: "the run failed and the audit could not be marked failed either: see this execution's history",
          }),
          { errors: [Errors.ALL], resultPath: '$.recordError' },
        )
        .next(auditFailed);

    const gatherSegment = invoke('Gather segment', this.segment, TaskInput.fromJsonPathAt('$'));
    const gatherPopulation = new MapState(this, 'Gather population', {
      itemsPath: '$.segmentList',
      itemSelector: {
        authorityId: JsonPath.stringAt('$.authorityId'),
        auditId: JsonPath.stringAt('$.auditId'),
        runId,
        segment: JsonPath.numberAt('$$.Map.Item.Value'),
      },
      maxConcurrency: props.segmentConcurrency,
      // Finish reads the checkpoints from the store; the iteration results are not needed (and stay under the 256 KB state limit).
      resultPath: JsonPath.DISCARD,
    }).itemProcessor(gatherSegment);

    // finish records its own failures and returns them; its result becomes $.outcome = { status, failure }.
    const finish = invoke('Finish audit', this.finish, TaskInput.fromObject(auditRef), {
      resultSelector: {
        status: JsonPath.stringAt('$.Payload.status'),
        failure: JsonPath.stringAt('$.Payload.failure'),
      },
      resultPath: '$.outcome',
    });
    finish.addCatch(recordFailure('Record finish failure', RUN_STAGES[1]), {
      errors: [Errors.ALL],
      resultPath: '$.error',
    });
    gatherPopulation.addCatch(recordFailure('Record population failure', RUN_STAGES[0]), {
      errors: [Errors.ALL],
      resultPath: '$.error',
    });

    const planSegments = new Pass(this, 'Plan segments', {
      parameters: {
        'authorityId.$': '$.authorityId',
        'auditId.$': '$.auditId',
        // 0 … segments - 1: one Map item per scan segment.
        'segmentList.$': 'States.ArrayRange(0, States.MathAdd($.segments, -1), 1)',
      },
    });

    const validInput = Condition.and(
      Condition.isPresent('$.authorityId'),
      Condition.isString('$.authorityId'),
      Condition.isPresent('$.auditId'),
      Condition.isString('$.auditId'),
      Condition.isPresent('$.segments'),
      Condition.isNumeric('$.segments'),
      Condition.numberGreaterThanEquals('$.segments', 1),
      Condition.numberLessThanEquals('$.segments', MAX_SEGMENTS),
    );
    const definition = new Choice(this, 'Check input')
      .when(
        validInput,
        planSegments
          .next(gatherPopulation)
          .next(
            finish.next(
              new Choice(this, 'Finished?')
                .when(Condition.stringEquals('$.outcome.status', 'failed'), auditFailed)
                .otherwise(new Succeed(this, 'Audit run done')),
            ),
          ),
      )
      .otherwise(
        new Fail(this, 'Invalid input', {
          error: 'InvalidExecutionInput',
          cause: `the input must be { authorityId, auditId, segments } with segments from 1 to ${MAX_SEGMENTS}`,
        }),
      );

    const logs = new LogGroup(this, 'Logs', { retention: logRetention, removalPolicy: RemovalPolicy.DESTROY });
    this.stateMachine = new StateMachine(this, 'StateMachine', {
      comment: 'iro-audit: runs one audit over its scan segments',
      stateMachineType: StateMachineType.STANDARD,
      definitionBody: DefinitionBody.fromChainable(definition),
      tracingEnabled: true,
      logs: { destination: logs, level: LogLevel.ALL, includeExecutionData: true },
    });

    const role = this.stateMachine.role;
    Validations.of(role).acknowledge(
      ...[this.segment, this.finish, this.fail].map((fn) => ({
        id: wildcardFinding(this, `${fn.function.functionArn}:*`),
        reason: `lambda:InvokeFunction on the ${fn.node.id.toLowerCase()} function's versions and aliases (its ARN followed by :*), that function only.`,
      })),
      {
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason:
          'CloudWatch Logs delivery (logs:CreateLogDelivery, …) and X-Ray (xray:PutTraceSegments, …) support no resource-level permissions; they are the only actions on *.',
      },
    );
  }
}
