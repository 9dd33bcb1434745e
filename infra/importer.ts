/**
 * The importer construct: a file uploaded under `uploads/` (through the API's presigned link) makes
 * the bucket invoke the import function, which loads it and writes its report under `imports/`.
 * Events it could not handle after Lambda's retries are kept in a dead-letter queue for two weeks.
 */
import { Duration, Size, Stack, Validations } from 'aws-cdk-lib';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { EventType } from 'aws-cdk-lib/aws-s3';
import { LambdaDestination } from 'aws-cdk-lib/aws-s3-notifications';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { IroFunction } from './functions.ts';
import type { RecordsTable } from './data.ts';
import { BUCKET_PREFIXES, type FindingsStorage } from './storage.ts';

export interface ImporterProps {
  records: RecordsTable;
  storage: FindingsStorage;
  environment: Record<string, string>;
  logRetention: RetentionDays;
}

export class Importer extends Construct {
  readonly importer: IroFunction;
  readonly deadLetters: Queue;

  constructor(scope: Construct, id: string, props: ImporterProps) {
    super(scope, id);
    const { records, storage } = props;

    this.deadLetters = new Queue(this, 'DeadLetters', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    this.importer = new IroFunction(this, 'Import', {
      name: 'importer',
      description: 'iro-audit importer: loads a file uploaded under uploads/ and writes its report',
      memorySize: 1769, // one full vCPU: parsing and validating rows is CPU-bound
      timeout: Duration.minutes(15),
      // The upload is streamed to /tmp before loading; SSDA903 extracts of a large authority run to hundreds of MB.
      ephemeralStorageSize: Size.gibibytes(2),
      logRetention: props.logRetention,
      environment: props.environment,
      deadLetterQueue: this.deadLetters,
    });
    this.importer.function.configureAsyncInvoke({ retryAttempts: 2, maxEventAge: Duration.hours(6) });

    // Upserts (BatchGet, BatchWrite, conditional PutItem, GetItem on conflict); no queries, no scans.
    records.grant(this.importer.role, ['GetItem', 'BatchGetItem', 'PutItem', 'BatchWriteItem']);
    storage.grant(this.importer.role, { read: ['uploads'], write: ['imports'] });

    storage.bucket.addEventNotification(EventType.OBJECT_CREATED, new LambdaDestination(this.importer.function), {
      prefix: BUCKET_PREFIXES.uploads,
    });
    // CDK sets the bucket's notification configuration through its own singleton function, made at the stack's root.
    const notificationsHandler = Stack.of(this).node.children.find((child) =>
      child.node.id.startsWith('BucketNotificationsHandler'),
    );
    if (notificationsHandler) {
      Validations.of(notificationsHandler).acknowledge({
        id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
        reason:
          "CDK's own handler that writes the bucket's notification configuration at deploy time (not product code) logs with the managed basic execution policy; it never touches objects.",
      });
    }
  }
}
