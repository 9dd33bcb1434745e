/**
 * The one stack of a deployment (an authority's own AWS account): the constructs composed, each
 * function given its environment and exactly the grants it needs.
 */
import {
  Aws,
  CfnOutput,
  CfnParameter,
  Duration,
  RemovalPolicy,
  Stack,
  Validations,
  type StackProps,
} from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { Alerts, ALARM_PERIOD } from './alerts.ts';
import { Api } from './api.ts';
import { Users } from './auth.ts';
import type { DeploymentSettings } from './config.ts';
import { RecordsTable } from './data.ts';
import { IroFunction } from './functions.ts';
import { Importer } from './importer.ts';
import { Recovery } from './recovery.ts';
import { AuditRunner } from './runner.ts';
import { FindingsStorage } from './storage.ts';

export interface IroAuditStackProps extends StackProps {
  settings: DeploymentSettings;
}

export class IroAuditStack extends Stack {
  readonly records: RecordsTable;
  readonly storage: FindingsStorage;
  readonly users: Users;
  readonly api: Api;
  readonly apiFunction: IroFunction;
  readonly webSecret: Secret;
  readonly runner: AuditRunner;
  readonly importer: Importer;
  readonly recovery: Recovery;
  readonly alerts: Alerts;

  constructor(scope: Construct, id: string, props: IroAuditStackProps) {
    super(scope, id, { description: `iro-audit for ${props.settings.authorityName}`, ...props });
    const { settings } = props;
    const logRetention = settings.logRetentionDays as RetentionDays;

    const adminEmail = new CfnParameter(this, 'AdminEmail', {
      type: 'String',
      description: 'Email address of the administrator: receives the alerts (confirm the subscription mail).',
      allowedPattern: '^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$',
      constraintDescription: 'must be an email address',
    });

    this.api = new Api(this, 'Api', { logRetention, ...(settings.webOrigin ? { webOrigin: settings.webOrigin } : {}) });
    const webOrigin = settings.webOrigin ?? this.api.url;

    this.records = new RecordsTable(this, 'Records');
    this.storage = new FindingsStorage(this, 'Storage', {
      retainFindingsDays: settings.retainFindingsDays,
      retainUploadsDays: settings.retainUploadsDays,
      logRetentionDays: settings.logRetentionDays,
      objectLockDays: settings.objectLockDays,
      uploadOrigin: webOrigin,
    });
    this.users = new Users(this, 'Users', {
      authorityName: settings.authorityName,
      apiUrl: this.api.url,
      domainPrefix: settings.authDomainPrefix ?? `iro-audit-${Aws.ACCOUNT_ID}`,
      requireMfa: settings.requireMfa,
    });

    // What every function reads through configFromEnv (AWS_REGION is set by Lambda).
    // A run's lease outlives Step Functions' retry pauses between steps (up to about two minutes), so the
    // five-minute recovery never takes over a healthy run.
    const storeEnvironment = {
      IRO_TABLE: this.records.table.tableName,
      IRO_BUCKET: this.storage.bucket.bucketName,
      IRO_LEASE_SECONDS: '300',
    };

    this.runner = new AuditRunner(this, 'Runner', {
      records: this.records,
      storage: this.storage,
      environment: storeEnvironment,
      logRetention,
      segmentConcurrency: settings.segmentConcurrency,
    });
    this.importer = new Importer(this, 'Importer', {
      records: this.records,
      storage: this.storage,
      environment: storeEnvironment,
      logRetention,
    });
    // Every five minutes: jobs whose process stopped are resumed or marked failed with the reason.
    this.recovery = new Recovery(this, 'Recovery', {
      records: this.records,
      runner: this.runner,
      environment: storeEnvironment,
      logRetention,
    });

    // Signs the web's sign-in state cookie and keys its CSRF tokens: generated here, never in the
    // function's configuration, read by the api function at cold start, the same in every container.
    this.webSecret = new Secret(this, 'WebSecret', {
      description:
        'iro-audit web: signs the sign-in state cookie and keys the CSRF tokens (read by the api function at cold start)',
      generateSecretString: { passwordLength: 64, excludePunctuation: true, includeSpace: false },
      // Only short-lived cookies and tokens depend on it: a new stack generates its own.
      removalPolicy: RemovalPolicy.DESTROY,
    });
    Validations.of(this.webSecret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        "Not rotated automatically: each api container reads it once at cold start, so a rotation would leave containers disagreeing and refusing each other's forms and sign-ins until they are replaced. It keys only tokens living minutes (CSRF, the 10-minute sign-in state), never data; to rotate, put a new value and redeploy the function.",
    });

    this.apiFunction = new IroFunction(this, 'ApiFunction', {
      name: 'api',
      description: 'iro-audit API and web pages (the Hono app)',
      memorySize: 1024,
      // The web pages' GOV.UK Frontend files, copied into this bundle only.
      webAssets: true,
      // The gateway gives up at 30 s.
      timeout: Duration.seconds(29),
      logRetention,
      environment: {
        ...storeEnvironment,
        IRO_AUTH_ISSUER: this.users.issuerUrl,
        IRO_AUTH_AUDIENCE: this.users.client.userPoolClientId,
        IRO_AUDIT_STATE_MACHINE_ARN: this.runner.stateMachine.stateMachineArn,
        IRO_WEB_ORIGIN: webOrigin,
        IRO_COGNITO_DOMAIN: this.users.domain.baseUrl(),
        IRO_COGNITO_CLIENT_ID: this.users.client.userPoolClientId,
        IRO_WEB_SECRET_ARN: this.webSecret.secretArn,
      },
    });
    // Reading the web secret's value, and nothing else of Secrets Manager (grantRead would add DescribeSecret).
    this.apiFunction.role.addToPrincipalPolicy(
      new PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources: [this.webSecret.secretArn] }),
    );
    // The API reads and edits audits and grades, reads an audit's work/ files for its provisional
    // findings, hands out upload links, imports small files sent directly (uploads/ in, imports/
    // report out) and reads import reports and findings for download links. It writes neither
    // work/ nor findings/: populations are gathered and findings published by the runner (no scan
    // either), closing included.
    this.records.grant(this.apiFunction.role, [
      'DescribeTable',
      'GetItem',
      'BatchGetItem',
      'Query',
      'PutItem',
      'BatchWriteItem',
    ]);
    this.storage.grant(this.apiFunction.role, {
      read: ['findings', 'work', 'imports', 'uploads'],
      write: ['uploads', 'imports'],
    });
    this.runner.stateMachine.grantStartExecution(this.apiFunction.role);
    this.api.route(this.apiFunction.function, {
      issuerUrl: this.users.issuerUrl,
      audience: this.users.client.userPoolClientId,
    });

    this.alerts = new Alerts(this, 'Alerts', { adminEmail: adminEmail.valueAsString });
    const functions = {
      Api: this.apiFunction,
      Importer: this.importer.importer,
      Segment: this.runner.segment,
      Finish: this.runner.finish,
      Fail: this.runner.fail,
      Recover: this.recovery.recover,
    };
    for (const [name, fn] of Object.entries(functions)) {
      this.alerts.alarm(
        `${name}Errors`,
        fn.function.metricErrors({ period: ALARM_PERIOD }),
        `The ${name.toLowerCase()} function failed (see its log group).`,
      );
    }
    this.alerts.alarm(
      'AuditRunsFailed',
      this.runner.stateMachine.metricFailed({ period: ALARM_PERIOD }),
      'An audit run failed (its audit is marked failed with the reason).',
    );
    this.alerts.alarm(
      'ImportsDeadLettered',
      this.importer.deadLetters.metricApproximateNumberOfMessagesVisible({ period: ALARM_PERIOD }),
      'An upload could not be imported after every retry (its event is in the dead-letter queue).',
    );
    this.alerts.alarm(
      'ApiServerErrors',
      this.api.httpApi.metricServerError({ period: ALARM_PERIOD }),
      'The API answered with 5xx errors.',
      5,
    );

    const output = (name: string, value: string, description: string) =>
      new CfnOutput(this, name, { value, description });
    output('ApiUrl', this.api.url, 'The API and the web pages (sign in at /app)');
    output('UserPoolId', this.users.userPool.userPoolId, 'Cognito user pool (create users here)');
    output('UserPoolClientId', this.users.client.userPoolClientId, "App client id (the tokens' audience)");
    output('SignInDomain', this.users.domain.baseUrl(), 'Hosted sign-in');
    output('TableName', this.records.table.tableName, 'Records table (retained on stack deletion)');
    output('BucketName', this.storage.bucket.bucketName, 'Findings bucket (retained on stack deletion)');
    output('StateMachineArn', this.runner.stateMachine.stateMachineArn, 'Audit runner');
    output('AlertsTopicArn', this.alerts.topic.topicArn, 'Alerts to the administrator');
  }
}
