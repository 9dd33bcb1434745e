/** The synthesized stack pins every security property of the deployment: data, storage, auth, API, runner, importer and functions. */
import { Match } from 'aws-cdk-lib/assertions';
import { Validations } from 'aws-cdk-lib';
import { Runtime } from 'aws-cdk-lib/aws-lambda';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { beforeAll, describe, expect, it } from 'vitest';
import { importReportKey, uploadKeyFor } from '#loader/import-jobs';
import { auditPrefix } from '#reports/publish';
import { createTableInput } from '#store/table';
import { AUTHORIZED_ROUTES, PUBLIC_ROUTES } from '../../infra/api.ts';
import { AUTHORITY_ATTRIBUTE, USER_GROUPS, WORKER_ID_ATTRIBUTE } from '../../infra/auth.ts';
import { BUCKET_PREFIXES, NONCURRENT_VERSION_DAYS } from '../../infra/storage.ts';
import { MAX_SEGMENTS } from '../../infra/runner.ts';
import { WEB_ASSETS_DIR_IN_LAMBDA, WEB_ASSETS_FOLDER } from '../../infra/functions.ts';
import {
  CDK_CONTEXT,
  definitionOf,
  flat,
  logicalId,
  permissions,
  roleOf,
  synth,
  type StateDefinition,
  type Synthesized,
} from './synth.ts';

let s: Synthesized;
let ids: {
  table: string;
  bucket: string;
  accessLogs: string;
  key: string;
  pool: string;
  client: string;
  domain: string;
  api: string;
  stateMachine: string;
  functions: Record<'api' | 'importer' | 'segment' | 'finish' | 'fail', string>;
};
const ofType = (type: string) => Object.entries(s.resources).filter(([, r]) => r.Type === type);
const props = (id: string) => s.resources[id]!.Properties as Record<string, any>;
/** The one resource of `type` (there must be exactly one): its logical id and its properties. */
function only(type: string): [string, Record<string, any>] {
  const found = ofType(type);
  expect(
    found.map(([id]) => id),
    type,
  ).toHaveLength(1);
  return [found[0]![0], found[0]![1].Properties as Record<string, any>];
}

beforeAll(() => {
  s = synth();
  const { stack } = s;
  ids = {
    table: logicalId(stack.records.table),
    bucket: logicalId(stack.storage.bucket),
    accessLogs: logicalId(stack.storage.accessLogs),
    key: logicalId(stack.storage.key),
    pool: logicalId(stack.users.userPool),
    client: logicalId(stack.users.client),
    domain: logicalId(stack.users.domain),
    api: logicalId(stack.api.httpApi),
    stateMachine: logicalId(stack.runner.stateMachine),
    functions: {
      api: logicalId(stack.apiFunction.function),
      importer: logicalId(stack.importer.importer.function),
      segment: logicalId(stack.runner.segment.function),
      finish: logicalId(stack.runner.finish.function),
      fail: logicalId(stack.runner.fail.function),
    },
  };
});

describe('data: the records table', () => {
  it('has exactly the key schema, attributes and indexes the store creates locally (createTableInput)', () => {
    const local = createTableInput('iro-audit');
    const table = props(ids.table);
    const sortBy = (list: unknown, key: string) =>
      [...(list as Record<string, unknown>[])].sort((a, b) => String(a[key]).localeCompare(String(b[key])));
    expect(sortBy(table.AttributeDefinitions, 'AttributeName')).toEqual(
      sortBy(local.AttributeDefinitions, 'AttributeName'),
    );
    expect(table.KeySchema).toEqual(local.KeySchema);
    expect(sortBy(table.GlobalSecondaryIndexes, 'IndexName')).toEqual(
      sortBy(local.GlobalSecondaryIndexes, 'IndexName'),
    );
  });

  it('is on demand, with point-in-time recovery, deletion protection and encryption at rest', () => {
    const table = props(ids.table);
    expect(table.BillingMode).toBe('PAY_PER_REQUEST');
    expect(table.SSESpecification).toEqual({ SSEEnabled: true, SSEType: 'KMS' });
    expect(table.Replicas).toHaveLength(1);
    expect(table.Replicas[0]).toMatchObject({
      DeletionProtectionEnabled: true,
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
    });
  });

  it('is retained when the stack is deleted', () => {
    expect(s.resources[ids.table]).toMatchObject({ DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
  });
});

describe('storage: the findings bucket', () => {
  it('grants by the very prefixes the code writes under', () => {
    expect(auditPrefix('demo', 'a-1').startsWith(BUCKET_PREFIXES.findings)).toBe(true);
    expect(uploadKeyFor('demo', 'imp-1', 'header.csv').startsWith(BUCKET_PREFIXES.uploads)).toBe(true);
    expect(importReportKey('demo', 'imp-1').startsWith(BUCKET_PREFIXES.imports)).toBe(true);
    // work/: checked where the runner writes it (tests/integration/runner-lambdas.test.ts).
  });

  it('blocks every kind of public access and disables ACLs', () => {
    expect(props(ids.bucket).PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
    expect(props(ids.bucket).OwnershipControls).toEqual({ Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] });
  });

  it('encrypts with its own KMS key (SSE-KMS, bucket key), and the key rotates', () => {
    expect(props(ids.bucket).BucketEncryption.ServerSideEncryptionConfiguration).toEqual([
      {
        BucketKeyEnabled: true,
        ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: { 'Fn::GetAtt': [ids.key, 'Arn'] } },
      },
    ]);
    expect(props(ids.key).EnableKeyRotation).toBe(true);
  });

  it('refuses uploads under any other encryption or key', () => {
    const statements = bucketPolicy(ids.bucket);
    expect(statements).toContainEqual(
      expect.objectContaining({
        Effect: 'Deny',
        Action: 's3:PutObject',
        Condition: { StringNotEqualsIfExists: { 's3:x-amz-server-side-encryption': 'aws:kms' } },
      }),
    );
    expect(statements).toContainEqual(
      expect.objectContaining({
        Effect: 'Deny',
        Action: 's3:PutObject',
        Condition: {
          StringNotEqualsIfExists: {
            's3:x-amz-server-side-encryption-aws-kms-key-id': { 'Fn::GetAtt': [ids.key, 'Arn'] },
          },
        },
      }),
    );
  });

  it('accepts only TLS (1.2 or later), on the findings bucket and on its log bucket', () => {
    for (const bucket of [ids.bucket, ids.accessLogs]) {
      const statements = bucketPolicy(bucket);
      const everything = [
        { 'Fn::GetAtt': [bucket, 'Arn'] },
        { 'Fn::Join': ['', [{ 'Fn::GetAtt': [bucket, 'Arn'] }, '/*']] },
      ];
      expect(statements).toContainEqual({
        Effect: 'Deny',
        Principal: { AWS: '*' },
        Action: 's3:*',
        Resource: everything,
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      });
      expect(statements).toContainEqual({
        Effect: 'Deny',
        Principal: { AWS: '*' },
        Action: 's3:*',
        Resource: everything,
        Condition: { NumericLessThan: { 's3:TlsVersion': 1.2 } },
      });
    }
  });

  it('keeps versions, and old versions for 90 days', () => {
    expect(props(ids.bucket).VersioningConfiguration).toEqual({ Status: 'Enabled' });
    expect(rule('noncurrent-versions')).toMatchObject({
      NoncurrentVersionExpiration: { NoncurrentDays: NONCURRENT_VERSION_DAYS },
      AbortIncompleteMultipartUpload: { DaysAfterInitiation: 7 },
    });
  });

  it('moves findings, work files and import reports to cheaper storage and expires them after the retention in cdk.json', () => {
    for (const prefix of ['findings', 'work', 'imports'] as const) {
      expect(rule(prefix)).toEqual({
        Id: prefix,
        Prefix: BUCKET_PREFIXES[prefix],
        Status: 'Enabled',
        ExpirationInDays: CDK_CONTEXT['iro-audit:retainFindingsDays'],
        Transitions: [
          { StorageClass: 'STANDARD_IA', TransitionInDays: 30 },
          { StorageClass: 'GLACIER_IR', TransitionInDays: 180 },
        ],
      });
    }
  });

  it('deletes uploaded import files (raw records) after the uploads retention', () => {
    expect(rule('uploads')).toEqual({
      Id: 'uploads',
      Prefix: 'uploads/',
      Status: 'Enabled',
      ExpirationInDays: CDK_CONTEXT['iro-audit:retainUploadsDays'],
    });
  });

  it('logs every request to a private, encrypted, TLS-only access log bucket', () => {
    expect(props(ids.bucket).LoggingConfiguration).toEqual({
      DestinationBucketName: { Ref: ids.accessLogs },
      LogFilePrefix: 'findings-bucket/',
    });
    const logs = props(ids.accessLogs);
    expect(logs.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
    expect(logs.BucketEncryption.ServerSideEncryptionConfiguration).toEqual([
      { ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } },
    ]);
  });

  it('allows browser uploads only from the web origin (the API itself by default), PUT only', () => {
    expect(props(ids.bucket).CorsConfiguration).toEqual({
      CorsRules: [
        {
          AllowedOrigins: [{ 'Fn::GetAtt': [ids.api, 'ApiEndpoint'] }],
          AllowedMethods: ['PUT'],
          AllowedHeaders: ['content-type'],
          MaxAge: 3000,
        },
      ],
    });
  });

  it('has no Object Lock unless asked for', () => {
    expect(props(ids.bucket).ObjectLockEnabled).toBeUndefined();
  });

  it('retains the bucket, its key and the access logs when the stack is deleted', () => {
    for (const id of [ids.bucket, ids.key, ids.accessLogs])
      expect(s.resources[id]).toMatchObject({ DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
  });
});

describe('auth: the user pool', () => {
  it('has exactly the three groups', () => {
    const groups = ofType('AWS::Cognito::UserPoolGroup').map(([, r]) => r.Properties!);
    expect(groups.map((g) => g.GroupName).sort()).toEqual(['iro', 'qa-lead', 'senior-manager']);
    expect(Object.keys(USER_GROUPS).sort()).toEqual(['iro', 'qa-lead', 'senior-manager']);
    for (const group of groups) expect(group.UserPoolId).toEqual({ Ref: ids.pool });
  });

  it('carries the authority as custom:authority, which the app client can read but not write', () => {
    expect(props(ids.pool).Schema).toContainEqual({
      Name: AUTHORITY_ATTRIBUTE,
      AttributeDataType: 'String',
      Mutable: true,
      StringAttributeConstraints: { MinLength: '2', MaxLength: '40' },
    });
    expect(props(ids.client).ReadAttributes).toContain('custom:authority');
    expect(props(ids.client).WriteAttributes).not.toContain('custom:authority');
    expect(props(ids.client).WriteAttributes).toEqual(['email', 'name']);
  });

  it('carries an IRO’s worker id as custom:worker_id, which the app client can read (it is in the ID token) but never write', () => {
    expect(props(ids.pool).Schema).toContainEqual({
      Name: WORKER_ID_ATTRIBUTE,
      AttributeDataType: 'String',
      Mutable: true,
      StringAttributeConstraints: { MinLength: '1', MaxLength: '64' },
    });
    expect(props(ids.client).ReadAttributes).toContain('custom:worker_id');
    expect(props(ids.client).WriteAttributes).not.toContain('custom:worker_id');
    // Sign-in stays by email: the username is Cognito's UUID, never the worker id.
    expect(props(ids.pool).UsernameAttributes).toEqual(['email']);
  });

  it('lets only administrators create users', () => {
    expect(props(ids.pool).AdminCreateUserConfig).toMatchObject({ AllowAdminCreateUserOnly: true });
  });

  it('requires strong passwords: 14+ characters of every class, no reuse of the last 12, temporary ones for 3 days', () => {
    expect(props(ids.pool).Policies.PasswordPolicy).toEqual({
      MinimumLength: 14,
      RequireLowercase: true,
      RequireUppercase: true,
      RequireNumbers: true,
      RequireSymbols: true,
      PasswordHistorySize: 12,
      TemporaryPasswordValidityDays: 3,
    });
  });

  it('offers MFA by authenticator app (TOTP), not SMS', () => {
    expect(props(ids.pool)).toMatchObject({ MfaConfiguration: 'OPTIONAL', EnabledMfas: ['SOFTWARE_TOKEN_MFA'] });
  });

  it('recovers accounts by verified email only, and is protected from deletion and retained', () => {
    expect(props(ids.pool).AccountRecoverySetting).toEqual({
      RecoveryMechanisms: [{ Name: 'verified_email', Priority: 1 }],
    });
    expect(props(ids.pool).DeletionProtection).toBe('ACTIVE');
    expect(s.resources[ids.pool]).toMatchObject({ DeletionPolicy: 'Retain' });
  });

  it('has one public app client: authorization code flow (PKCE), no secret, openid email profile, callbacks on the API', () => {
    expect(ofType('AWS::Cognito::UserPoolClient')).toHaveLength(1);
    const client = props(ids.client);
    expect(client).toMatchObject({
      GenerateSecret: false,
      AllowedOAuthFlows: ['code'],
      AllowedOAuthFlowsUserPoolClient: true,
      AllowedOAuthScopes: ['openid', 'email', 'profile'],
      SupportedIdentityProviders: ['COGNITO'],
      PreventUserExistenceErrors: 'ENABLED',
      EnableTokenRevocation: true,
      ExplicitAuthFlows: ['ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
    });
    expect(client.CallbackURLs.map(flat)).toEqual([`<${ids.api}.ApiEndpoint>/app/auth/callback`]);
    expect(client.LogoutURLs.map(flat)).toEqual([`<${ids.api}.ApiEndpoint>/app/signed-out`]);
  });

  it('issues tokens valid for an hour and refresh tokens for a working day', () => {
    expect(props(ids.client)).toMatchObject({
      IdTokenValidity: 60,
      AccessTokenValidity: 60,
      RefreshTokenValidity: 720,
      TokenValidityUnits: { IdToken: 'minutes', AccessToken: 'minutes', RefreshToken: 'minutes' },
    });
  });

  it('has a hosted sign-in domain, iro-audit-{account} unless a prefix is given', () => {
    expect(flat(props(ids.domain).Domain)).toBe('iro-audit-<AWS::AccountId>');
  });
});

describe('api: the HTTP API', () => {
  const routes = () =>
    ofType('AWS::ApiGatewayV2::Route').map(
      ([, r]) => r.Properties as { RouteKey: string; AuthorizationType?: string; AuthorizerId?: unknown },
    );

  it('has exactly the public routes and the authorized ones, nothing else', () => {
    const expected = [...PUBLIC_ROUTES, ...AUTHORIZED_ROUTES].map((r) => `${r.method} ${r.path}`).sort();
    expect(
      routes()
        .map((r) => r.RouteKey)
        .sort(),
    ).toEqual(expected);
    expect(PUBLIC_ROUTES.map((r) => `${r.method} ${r.path}`)).toEqual([
      'GET /health',
      'ANY /app',
      'ANY /app/{proxy+}',
      'GET /assets/{proxy+}',
      'GET /docs',
      'GET /docs/{proxy+}',
      'GET /openapi.json',
    ]);
  });

  it('puts the JWT authorizer on every route except the public ones', () => {
    const [authorizerId] = only('AWS::ApiGatewayV2::Authorizer');
    const publicKeys = new Set(PUBLIC_ROUTES.map((r) => `${r.method} ${r.path}`));
    for (const route of routes()) {
      if (publicKeys.has(route.RouteKey)) expect(route, route.RouteKey).toMatchObject({ AuthorizationType: 'NONE' });
      else
        expect(route, route.RouteKey).toMatchObject({ AuthorizationType: 'JWT', AuthorizerId: { Ref: authorizerId } });
    }
  });

  it("accepts only the pool's tokens for the app client, from the Authorization header", () => {
    const [, authorizer] = only('AWS::ApiGatewayV2::Authorizer');
    expect(authorizer).toMatchObject({
      AuthorizerType: 'JWT',
      IdentitySource: ['$request.header.Authorization'],
      JwtConfiguration: { Audience: [{ Ref: ids.client }] },
    });
    expect(flat(authorizer.JwtConfiguration.Issuer)).toBe(
      `https://cognito-idp.<AWS::Region>.amazonaws.com/<${ids.pool}>`,
    );
  });

  it('logs every request as JSON (no tokens, no query strings) and throttles', () => {
    const [, stageProps] = only('AWS::ApiGatewayV2::Stage');
    expect(stageProps).toMatchObject({
      StageName: '$default',
      AutoDeploy: true,
      DefaultRouteSettings: { ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100 },
    });
    const format = JSON.parse(stageProps.AccessLogSettings.Format) as Record<string, string>;
    expect(format).toMatchObject({
      requestId: '$context.requestId',
      route: '$context.routeKey',
      status: '$context.status',
      authorizerError: '$context.authorizer.error',
    });
    expect(Object.values(format).join(' ')).not.toMatch(/querystring|header|body|authorization/i);
    expect(flat(stageProps.AccessLogSettings.DestinationArn)).toMatch(/^<ApiAccessLogs\w+\.Arn>$/);
  });

  it('sends no CORS headers when the web is served by the API itself', () => {
    expect(props(ids.api).CorsConfiguration).toBeUndefined();
  });
});

describe('runner: the audit state machine', () => {
  let definition: ReturnType<typeof definitionOf>;
  let states: Record<string, StateDefinition>;
  let tasks: [string, StateDefinition][];
  beforeAll(() => {
    definition = definitionOf(s);
    const map = Object.values(definition.States).find((st) => st.Type === 'Map')!;
    states = { ...definition.States, ...map.ItemProcessor!.States };
    tasks = Object.entries(states).filter(([, st]) => st.Type === 'Task');
  });
  const fnArn = (name: keyof typeof ids.functions) => `<${ids.functions[name]}.Arn>`;
  const invoked = (st: StateDefinition) => (st.Parameters as { FunctionName: string }).FunctionName;

  it('checks its input, then fans out one Map iteration per scan segment (0 … segments - 1), at most segmentConcurrency at once', () => {
    const check = definition.States[definition.StartAt]!;
    expect(check.Type).toBe('Choice');
    expect(JSON.stringify(check.Choices)).toContain(`"NumericLessThanEquals":${MAX_SEGMENTS}`);
    expect(states[check.Default!]).toMatchObject({ Type: 'Fail', Error: 'InvalidExecutionInput' });
    const plan = states[check.Choices![0]!.Next as string]!;
    expect(plan.Parameters).toMatchObject({
      'segmentList.$': 'States.ArrayRange(0, States.MathAdd($.segments, -1), 1)',
    });
    const map = states[plan.Next!]!;
    expect(map).toMatchObject({
      Type: 'Map',
      ItemsPath: '$.segmentList',
      MaxConcurrency: CDK_CONTEXT['iro-audit:segmentConcurrency'],
      ItemSelector: { 'authorityId.$': '$.authorityId', 'auditId.$': '$.auditId', 'segment.$': '$$.Map.Item.Value' },
      ResultPath: null,
    });
    const iteration = map.ItemProcessor!;
    expect(invoked(iteration.States[iteration.StartAt]!)).toBe(fnArn('segment'));
  });

  it('finishes (samples, assigns or publishes) only after every segment, and fails the execution when the audit failed', () => {
    const map = Object.values(definition.States).find((st) => st.Type === 'Map')!;
    const finish = states[map.Next!]!;
    expect(invoked(finish)).toBe(fnArn('finish'));
    expect(finish.ResultSelector).toEqual({ 'status.$': '$.Payload.status', 'failure.$': '$.Payload.failure' });
    const finished = states[finish.Next!]!;
    expect(finished.Choices).toEqual([{ Variable: '$.outcome.status', StringEquals: 'failed', Next: 'Audit failed' }]);
    expect(states[finished.Default!]!.Type).toBe('Succeed');
    expect(states['Audit failed']).toEqual({ Type: 'Fail', Error: 'AuditFailed', CausePath: '$.outcome.failure' });
  });

  it('retries Lambda service faults and AWS throttling with jittered exponential backoff, on every task', () => {
    expect(tasks.length).toBe(4);
    for (const [name, task] of tasks) {
      const retried = (error: string) => task.Retry!.find((r) => r.ErrorEquals.includes(error));
      for (const error of [
        'Lambda.TooManyRequestsException',
        'Lambda.ServiceException',
        'ProvisionedThroughputExceededException',
        'ThrottlingException',
        'SlowDown',
      ]) {
        const retry = retried(error);
        expect(retry, `${name} retries ${error}`).toBeDefined();
        expect(retry!.BackoffRate, name).toBeGreaterThanOrEqual(2);
        expect(retry!.MaxAttempts, name).toBeGreaterThanOrEqual(3);
        expect(retry!.JitterStrategy, name).toBe('FULL');
        expect(retry!.MaxDelaySeconds, name).toBeGreaterThan(0);
      }
    }
  });

  it('never retries errors that would fail the same way again (bad events, refused requests, lifecycle moves)', () => {
    for (const [name, task] of tasks) {
      const retried = task.Retry!.flatMap((r) => r.ErrorEquals);
      for (const error of [
        'States.ALL',
        'States.TaskFailed',
        'RunnerEventError',
        'AuditRequestError',
        'LifecycleError',
        'AccessDeniedException',
      ]) {
        expect(retried, `${name} does not retry ${error}`).not.toContain(error);
      }
    }
  });

  it('catches any failure of the segments or of finish and marks the audit failed with the stage and the error', () => {
    const map = Object.values(definition.States).find((st) => st.Type === 'Map')!;
    const finish = states[map.Next!]!;
    for (const [catcher, stage] of [
      [map, 'gathering the population'],
      [finish, 'finishing the audit'],
    ] as const) {
      expect(catcher.Catch).toHaveLength(1);
      const [c] = catcher.Catch!;
      expect(c).toMatchObject({ ErrorEquals: ['States.ALL'], ResultPath: '$.error' });
      const record = states[c!.Next]!;
      expect(invoked(record)).toBe(fnArn('fail'));
      expect(record.Parameters).toMatchObject({
        Payload: { 'authorityId.$': '$.authorityId', 'auditId.$': '$.auditId', stage, 'error.$': '$.error' },
      });
      expect(record.Next).toBe('Audit failed');
      expect(record.ResultSelector).toEqual({ status: 'failed', 'failure.$': '$.Payload.reason' });
      expect(states[record.Catch![0]!.Next]).toMatchObject({ Type: 'Fail', Error: 'AuditFailureNotRecorded' });
    }
  });

  it('is a standard workflow that logs every event and is traced', () => {
    const machine = props(ids.stateMachine);
    expect(machine).toMatchObject({
      StateMachineType: 'STANDARD',
      TracingConfiguration: { Enabled: true },
      LoggingConfiguration: { Level: 'ALL', IncludeExecutionData: true },
    });
  });
});

describe('importer', () => {
  it('is invoked by the bucket for objects created under uploads/ only', () => {
    const [, notifications] = only('Custom::S3BucketNotifications');
    const config = notifications.NotificationConfiguration;
    expect(config.LambdaFunctionConfigurations).toHaveLength(1);
    expect(config.LambdaFunctionConfigurations[0]).toEqual({
      Events: ['s3:ObjectCreated:*'],
      Filter: { Key: { FilterRules: [{ Name: 'prefix', Value: 'uploads/' }] } },
      LambdaFunctionArn: { 'Fn::GetAtt': [ids.functions.importer, 'Arn'] },
    });
    expect(flat(notifications.BucketName)).toBe(`<${ids.bucket}>`);
  });

  it('may be invoked by S3 only for this bucket in this account', () => {
    const permissions = ofType('AWS::Lambda::Permission')
      .map(([, r]) => r.Properties as any)
      .filter((p) => flat(p.FunctionName) === `<${ids.functions.importer}.Arn>`);
    expect(permissions).toHaveLength(1);
    expect(permissions[0]).toMatchObject({
      Action: 'lambda:InvokeFunction',
      Principal: 's3.amazonaws.com',
      SourceAccount: { Ref: 'AWS::AccountId' },
      SourceArn: { 'Fn::GetAtt': [ids.bucket, 'Arn'] },
    });
  });

  it('keeps events that failed every retry in an encrypted, TLS-only dead-letter queue', () => {
    expect(props(ids.functions.importer).DeadLetterConfig).toBeDefined();
    const queueId = flat(props(ids.functions.importer).DeadLetterConfig.TargetArn).replace(/^<(.*)\.Arn>$/, '$1');
    expect(props(queueId)).toMatchObject({ SqsManagedSseEnabled: true, MessageRetentionPeriod: 14 * 24 * 3600 });
    const [, policy] = only('AWS::SQS::QueuePolicy');
    expect(policy.PolicyDocument.Statement).toContainEqual(
      expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
    );
  });
});

describe('functions', () => {
  const all = () => Object.entries(ids.functions);

  it('run Node.js 24 on ARM64 with X-Ray tracing and JSON logs', () => {
    for (const [name, id] of all()) {
      expect(props(id), name).toMatchObject({
        Runtime: 'nodejs24.x',
        Architectures: ['arm64'],
        Handler: 'index.handler',
        TracingConfig: { Mode: 'Active' },
        LoggingConfig: { LogFormat: 'JSON', ApplicationLogLevel: 'INFO', SystemLogLevel: 'WARN' },
      });
    }
  });

  it('log into their own log group, kept for the log retention in cdk.json', () => {
    const groups = new Set<string>();
    for (const [name, id] of all()) {
      const group = flat(props(id).LoggingConfig.LogGroup).replace(/^<(.*)>$/, '$1');
      groups.add(group);
      expect(s.resources[group], name).toMatchObject({
        Type: 'AWS::Logs::LogGroup',
        Properties: { RetentionInDays: CDK_CONTEXT['iro-audit:logRetentionDays'] },
      });
    }
    expect(groups.size).toBe(all().length);
  });

  it('have timeouts and memory sized to their work', () => {
    const sizes = Object.fromEntries(all().map(([name, id]) => [name, [props(id).Timeout, props(id).MemorySize]]));
    expect(sizes).toEqual({
      api: [29, 1024],
      importer: [900, 1769],
      segment: [900, 1024],
      finish: [900, 2048],
      fail: [30, 256],
    });
    expect(props(ids.functions.importer).EphemeralStorage).toEqual({ Size: 2048 });
  });

  it('find the table and the bucket through IRO_TABLE and IRO_BUCKET', () => {
    for (const [name, id] of all()) {
      expect(props(id).Environment.Variables, name).toMatchObject({
        IRO_TABLE: { Ref: ids.table },
        IRO_BUCKET: { Ref: ids.bucket },
      });
    }
  });

  it('give the API function the issuer, audience, state machine, web origin and sign-in settings', () => {
    const env = props(ids.functions.api).Environment.Variables as Record<string, unknown>;
    expect(Object.keys(env).sort()).toEqual([
      'IRO_AUDIT_STATE_MACHINE_ARN',
      'IRO_AUTH_AUDIENCE',
      'IRO_AUTH_ISSUER',
      'IRO_BUCKET',
      'IRO_COGNITO_CLIENT_ID',
      'IRO_COGNITO_DOMAIN',
      'IRO_DOCS_ASSETS_DIR',
      'IRO_LEASE_SECONDS',
      'IRO_TABLE',
      'IRO_WEB_ASSETS_DIR',
      'IRO_WEB_ORIGIN',
      'IRO_WEB_SECRET_ARN',
    ]);
    // The web secret by reference only: its value is never in the function's configuration.
    expect(env.IRO_WEB_SECRET_ARN).toEqual({ Ref: logicalId(s.stack.webSecret) });
    expect(env.IRO_WEB_SECRET).toBeUndefined();
    expect(flat(env.IRO_AUTH_ISSUER)).toBe(`https://cognito-idp.<AWS::Region>.amazonaws.com/<${ids.pool}>`);
    expect(env.IRO_AUTH_AUDIENCE).toEqual({ Ref: ids.client });
    expect(env.IRO_COGNITO_CLIENT_ID).toEqual({ Ref: ids.client });
    expect(env.IRO_AUDIT_STATE_MACHINE_ARN).toEqual({ Ref: ids.stateMachine });
    expect(env.IRO_WEB_ORIGIN).toEqual({ 'Fn::GetAtt': [ids.api, 'ApiEndpoint'] });
    expect(flat(env.IRO_COGNITO_DOMAIN)).toBe(`https://<${ids.domain}>.auth.<AWS::Region>.amazoncognito.com`);
  });

  it('generate the web secret in Secrets Manager (64 letters and digits), deleted with the stack', () => {
    const [id, secret] = only('AWS::SecretsManager::Secret');
    expect(id).toBe(logicalId(s.stack.webSecret));
    expect(secret.GenerateSecretString).toEqual({ PasswordLength: 64, ExcludePunctuation: true, IncludeSpace: false });
    expect(secret.SecretString).toBeUndefined();
    expect(s.resources[id]!.DeletionPolicy).toBe('Delete');
  });

  it('point the API function, and only it, at the GOV.UK Frontend and Swagger UI files in its bundle', () => {
    const dirs = Object.fromEntries(
      all().map(([name, id]) => [name, props(id).Environment.Variables.IRO_WEB_ASSETS_DIR]),
    );
    expect(dirs).toEqual({
      api: `/var/task/${WEB_ASSETS_FOLDER}`,
      importer: undefined,
      segment: undefined,
      finish: undefined,
      fail: undefined,
    });
    expect(WEB_ASSETS_DIR_IN_LAMBDA).toBe(`/var/task/${WEB_ASSETS_FOLDER}`);
    const docs = Object.fromEntries(
      all().map(([name, id]) => [name, props(id).Environment.Variables.IRO_DOCS_ASSETS_DIR]),
    );
    expect(docs).toEqual({
      api: '/var/task/swagger-ui',
      importer: undefined,
      segment: undefined,
      finish: undefined,
      fail: undefined,
    });
  });

  it('each run as their own role, with no managed policies', () => {
    const roles = new Set<string>();
    for (const [name, id] of all()) {
      const role = flat(props(id).Role).replace(/^<(.*)\.Arn>$/, '$1');
      roles.add(role);
      expect(s.resources[role]!.Properties!.ManagedPolicyArns, name).toBeUndefined();
    }
    expect(roles.size).toBe(all().length);
  });
});

describe('alerts', () => {
  it('mail the administrator (a stack parameter) through an encrypted, TLS-only topic', () => {
    s.template.hasParameter('AdminEmail', { Type: 'String', AllowedPattern: Match.anyValue() });
    s.template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: { Ref: 'AdminEmail' } });
    const [, topic] = only('AWS::SNS::Topic');
    expect(topic.KmsMasterKeyId).toBeDefined();
    const [, policy] = only('AWS::SNS::TopicPolicy');
    expect(policy.PolicyDocument.Statement).toContainEqual(
      expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
    );
  });

  it("alarm on every function's errors, failed audit runs, dead-lettered imports and API 5xx", () => {
    const alarms = ofType('AWS::CloudWatch::Alarm').map(([, r]) => r.Properties as any);
    const watched = alarms.map((a) => `${a.Namespace}:${a.MetricName}`).sort();
    expect(watched).toEqual([
      'AWS/ApiGateway:5xx',
      'AWS/Lambda:Errors',
      'AWS/Lambda:Errors',
      'AWS/Lambda:Errors',
      'AWS/Lambda:Errors',
      'AWS/Lambda:Errors',
      'AWS/Lambda:Errors',
      'AWS/SQS:ApproximateNumberOfMessagesVisible',
      'AWS/States:ExecutionsFailed',
    ]);
    for (const alarm of alarms) expect(alarm.AlarmActions).toHaveLength(1);
  });
});

describe('IAM: each function holds only what it needs', () => {
  const VIA_S3 = ' if {"StringEquals":{"kms:ViaService":"s3.<AWS::Region>.amazonaws.com"}}';
  const arn = (id: string) => `<${id}.Arn>`;
  const own = (fn: IroFunctionRef) => [
    `logs:CreateLogStream @ ${arn(logicalId(fn.logGroup))}`,
    `logs:PutLogEvents @ ${arn(logicalId(fn.logGroup))}`,
    'xray:PutTelemetryRecords @ *',
    'xray:PutTraceSegments @ *',
  ];
  const table = (...actions: string[]) => actions.map((a) => `dynamodb:${a} @ ${arn(ids.table)}`);
  const query = () =>
    [arn(ids.table), `${arn(ids.table)}/index/gsi1`, `${arn(ids.table)}/index/gsi2`].map(
      (r) => `dynamodb:Query @ ${r}`,
    );
  const objects = (action: string, ...prefixes: string[]) =>
    prefixes.map((p) => `${action} @ ${arn(ids.bucket)}/${p}/*`);
  const list = () => [`s3:ListBucket @ ${arn(ids.bucket)}`];
  const kms = (...actions: string[]) => actions.map((a) => `${a} @ ${arn(ids.key)}${VIA_S3}`);
  const held = (fn: keyof typeof ids.functions) => permissions(s, roleOf(s, ids.functions[fn]));

  it('the API function: table reads and writes (no scan), reads its S3 prefixes but writes only direct imports (uploads in, reports out), the bucket key through S3, starting audit runs, and reading the web secret', () => {
    expect(held('api')).toEqual(
      [
        ...own(s.stack.apiFunction),
        ...table('BatchGetItem', 'BatchWriteItem', 'DescribeTable', 'GetItem', 'PutItem'),
        ...query(),
        ...list(),
        ...objects('s3:GetObject', 'findings', 'imports', 'uploads', 'work'),
        ...objects('s3:PutObject', 'imports', 'uploads'),
        ...kms('kms:Decrypt', 'kms:GenerateDataKey'),
        `states:StartExecution @ <${ids.stateMachine}>`,
        `secretsmanager:GetSecretValue @ <${logicalId(s.stack.webSecret)}>`,
      ].sort(),
    );
  });

  it('no other function may read any secret', () => {
    for (const fn of ['importer', 'segment', 'finish', 'fail'] as const)
      expect(
        held(fn).filter((p) => p.startsWith('secretsmanager:')),
        fn,
      ).toEqual([]);
  });

  it('the importer: upserts only, reads uploads/, writes imports/, and its dead-letter queue', () => {
    expect(held('importer')).toEqual(
      [
        ...own(s.stack.importer.importer),
        `sqs:SendMessage @ ${arn(logicalId(s.stack.importer.deadLetters))}`,
        ...table('BatchGetItem', 'BatchWriteItem', 'GetItem', 'PutItem'),
        ...list(),
        ...objects('s3:GetObject', 'uploads'),
        ...objects('s3:PutObject', 'imports'),
        ...kms('kms:Decrypt', 'kms:GenerateDataKey'),
      ].sort(),
    );
  });

  it('the segment function: reads and scans the table, writes its checkpoint marker and work/ files, reads nothing from the bucket', () => {
    expect(held('segment')).toEqual(
      [
        ...own(s.stack.runner.segment),
        ...table('GetItem', 'PutItem', 'Scan'),
        ...query(),
        ...objects('s3:PutObject', 'work'),
        ...kms('kms:Decrypt', 'kms:GenerateDataKey'),
      ].sort(),
    );
  });

  it('the finish function: reads and scans the table, reads and writes work/ and findings/', () => {
    expect(held('finish')).toEqual(
      [
        ...own(s.stack.runner.finish),
        ...table('GetItem', 'PutItem', 'Scan'),
        ...query(),
        ...list(),
        ...objects('s3:GetObject', 'findings', 'work'),
        ...objects('s3:PutObject', 'findings', 'work'),
        ...kms('kms:Decrypt', 'kms:GenerateDataKey'),
      ].sort(),
    );
  });

  it("the fail function: gets and puts the audit's items, no bucket at all", () => {
    expect(held('fail')).toEqual([...own(s.stack.runner.fail), ...table('GetItem', 'PutItem')].sort());
  });

  it('the state machine may invoke only the three runner functions', () => {
    const machineRole = flat(props(ids.stateMachine).RoleArn).replace(/^<(.*)\.Arn>$/, '$1');
    const invokes = permissions(s, machineRole).filter((p) => p.startsWith('lambda:'));
    const fns = [ids.functions.segment, ids.functions.finish, ids.functions.fail];
    expect(invokes).toEqual(
      fns.flatMap((id) => [`lambda:InvokeFunction @ ${arn(id)}`, `lambda:InvokeFunction @ ${arn(id)}:*`]).sort(),
    );
  });

  it('no policy in the stack allows deleting or updating items or objects, or a wildcard action', () => {
    for (const [id, resource] of ofType('AWS::IAM::Policy')) {
      for (const statement of (resource.Properties as any).PolicyDocument.Statement) {
        for (const action of [statement.Action].flat() as string[]) {
          expect(action, id).not.toContain('*');
          if (/^(dynamodb|s3):/.test(action)) expect(action, id).not.toMatch(/Delete|Update/);
        }
      }
    }
  });
});

describe('recovery: the five-minute schedule that takes over stale job leases', () => {
  let recover: string;
  let rule: [string, Record<string, any>];
  beforeAll(() => {
    recover = logicalId(s.stack.recovery.recover.function);
    rule = only('AWS::Events::Rule');
  });
  const held = () => permissions(s, roleOf(s, recover));

  it('invokes the recover function every 5 minutes (an EventBridge rule, rate(5 minutes)), and only it', () => {
    const [ruleId, schedule] = rule;
    expect(schedule).toMatchObject({ ScheduleExpression: 'rate(5 minutes)', State: 'ENABLED' });
    expect(schedule.Targets).toHaveLength(1);
    expect(flat(schedule.Targets[0].Arn)).toBe(`<${recover}.Arn>`);
    // A missed tick is not worth more than the next one: a few delivery retries within the five minutes.
    expect(schedule.Targets[0].RetryPolicy).toEqual({ MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 300 });
    const invokers = ofType('AWS::Lambda::Permission')
      .map(([, r]) => r.Properties as any)
      .filter((p) => flat(p.FunctionName) === `<${recover}.Arn>`);
    expect(invokers.map((p) => [p.Action, p.Principal, flat(p.SourceArn)])).toEqual([
      ['lambda:InvokeFunction', 'events.amazonaws.com', `<${ruleId}.Arn>`],
    ]);
  });

  it('does not retry a failed run itself (the next tick is five minutes away), so one failure is one error in the metric', () => {
    const configs = ofType('AWS::Lambda::EventInvokeConfig')
      .map(([, r]) => r.Properties as any)
      .filter((c) => flat(c.FunctionName) === `<${recover}>`);
    expect(configs).toEqual([expect.objectContaining({ MaximumRetryAttempts: 0, MaximumEventAgeInSeconds: 300 })]);
  });

  it('runs Node.js 24 on ARM64 with X-Ray tracing and JSON logs into its own log group kept for the log retention, as every function', () => {
    expect(props(recover)).toMatchObject({
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      Handler: 'index.handler',
      TracingConfig: { Mode: 'Active' },
      LoggingConfig: { LogFormat: 'JSON', ApplicationLogLevel: 'INFO', SystemLogLevel: 'WARN' },
      Timeout: 120,
      MemorySize: 256,
    });
    const group = flat(props(recover).LoggingConfig.LogGroup).replace(/^<(.*)>$/, '$1');
    expect(group).toBe(logicalId(s.stack.recovery.recover.logGroup));
    expect(s.resources[group]).toMatchObject({
      Type: 'AWS::Logs::LogGroup',
      Properties: { RetentionInDays: CDK_CONTEXT['iro-audit:logRetentionDays'] },
    });
    const others = Object.values(ids.functions).map((id) => flat(props(id).LoggingConfig.LogGroup));
    expect(others).not.toContain(flat(props(recover).LoggingConfig.LogGroup));
  });

  it('finds the table, the bucket and the runner state machine through its environment, and nothing else', () => {
    expect(props(recover).Environment.Variables).toEqual({
      IRO_TABLE: { Ref: ids.table },
      IRO_BUCKET: { Ref: ids.bucket },
      IRO_LEASE_SECONDS: '300',
      IRO_AUDIT_STATE_MACHINE_ARN: { Ref: ids.stateMachine },
    });
  });

  it('runs as its own role, with no managed policies', () => {
    const role = roleOf(s, recover);
    expect(Object.values(ids.functions).map((id) => roleOf(s, id))).not.toContain(role);
    expect(s.resources[role]!.Properties!.ManagedPolicyArns).toBeUndefined();
  });

  it('holds only what recovery does: gets and puts job items, queries the leased-jobs index (gsi2) only, starts runner executions; no scan, no other index, no bucket, no key, no secret', () => {
    const logs = `<${logicalId(s.stack.recovery.recover.logGroup)}.Arn>`;
    const table = `<${ids.table}.Arn>`;
    expect(held()).toEqual(
      [
        `dynamodb:GetItem @ ${table}`,
        `dynamodb:PutItem @ ${table}`,
        `dynamodb:Query @ ${table}/index/gsi2`,
        `logs:CreateLogStream @ ${logs}`,
        `logs:PutLogEvents @ ${logs}`,
        `states:StartExecution @ <${ids.stateMachine}>`,
        'xray:PutTelemetryRecords @ *',
        'xray:PutTraceSegments @ *',
      ].sort(),
    );
  });

  it("names every resource it may touch: no wildcard but X-Ray's two actions, which take no resource", () => {
    const wild = held().filter((p) => p.split(' @ ')[1]!.includes('*'));
    expect(wild).toEqual(['xray:PutTelemetryRecords @ *', 'xray:PutTraceSegments @ *']);
  });
});

describe('cdk-nag (AwsSolutions)', () => {
  it('reports nothing unacknowledged, error or warning', () => {
    const report = new AwsSolutionsChecks().validateScope(s.app);
    expect(
      report.violations.map((v) => `${v.ruleName} at ${v.violatingResources.map((r) => r.constructPath).join(', ')}`),
    ).toEqual([]);
  });

  it('every acknowledgment states its own reason', () => {
    const acks = acknowledgments(s.app);
    expect(acks.length).toBeGreaterThan(10);
    for (const ack of acks) {
      expect(ack.reason.length, `${ack.id} at ${ack.path}`).toBeGreaterThanOrEqual(60);
      expect(ack.reason, ack.id).toMatch(/[a-z]{4,}.*[a-z]{4,}/);
    }
  });

  it('meets the latest-runtime rule (L1) rather than excusing it: every function runs the newest Node.js CDK knows', () => {
    expect(acknowledgments(s.app).filter((ack) => ack.id.startsWith('AwsSolutions-L1'))).toEqual([]);
    const newest = Runtime.ALL.filter((r) => /^nodejs\d+\.x$/.test(r.name))
      .map((r) => Number(r.name.match(/\d+/)![0]))
      .sort((a, b) => a - b)
      .pop();
    expect(newest).toBe(24);
  });

  it('every acknowledgment excuses a finding that is really there (none is stale or misplaced)', () => {
    const pack = new AwsSolutionsChecks();
    // The same pack with every acknowledgment ignored: the findings as they would be.
    (pack as unknown as { isAcknowledged: () => boolean }).isAcknowledged = () => false;
    const raw = pack
      .validateScope(s.app)
      .violations.flatMap((v) => v.violatingResources.map((r) => ({ rule: v.ruleName, path: r.constructPath })));
    for (const ack of acknowledgments(s.app)) {
      expect(
        raw.some((f) => f.rule === ack.id && (f.path === ack.path || (f.path ?? '').startsWith(`${ack.path}/`))),
        `${ack.id} at ${ack.path}`,
      ).toBe(true);
    }
  });
});

describe('options: MFA required, a separate web origin, Object Lock, a domain prefix', () => {
  const WEB = 'https://audits.demo-borough.example';
  let v: Synthesized;
  beforeAll(() => {
    v = synth({
      'iro-audit:requireMfa': 'true',
      'iro-audit:webOrigin': WEB,
      'iro-audit:objectLockDays': 2555,
      'iro-audit:authDomainPrefix': 'demo-borough-iro',
    });
  });
  const vprops = (construct: IConstruct) => v.resources[logicalId(construct)]!.Properties as Record<string, any>;

  it('requires MFA of every user', () => {
    expect(vprops(v.stack.users.userPool)).toMatchObject({
      MfaConfiguration: 'ON',
      EnabledMfas: ['SOFTWARE_TOKEN_MFA'],
    });
  });

  it('lets browsers call the API and upload to the bucket from that origin only', () => {
    expect(vprops(v.stack.api.httpApi).CorsConfiguration).toMatchObject({
      AllowOrigins: [WEB],
      AllowHeaders: ['authorization', 'content-type', 'if-match'],
    });
    expect(vprops(v.stack.api.httpApi).CorsConfiguration.AllowCredentials).toBeUndefined();
    expect(vprops(v.stack.storage.bucket).CorsConfiguration.CorsRules[0].AllowedOrigins).toEqual([WEB]);
    expect(vprops(v.stack.apiFunction.function).Environment.Variables.IRO_WEB_ORIGIN).toBe(WEB);
  });

  it('locks every object in compliance mode for the days asked', () => {
    expect(vprops(v.stack.storage.bucket)).toMatchObject({
      ObjectLockEnabled: true,
      ObjectLockConfiguration: {
        ObjectLockEnabled: 'Enabled',
        Rule: { DefaultRetention: { Mode: 'COMPLIANCE', Days: 2555 } },
      },
    });
  });

  it('uses the sign-in domain prefix given', () => {
    expect(vprops(v.stack.users.domain).Domain).toBe('demo-borough-iro');
  });

  it('still reports nothing unacknowledged to cdk-nag', () => {
    expect(new AwsSolutionsChecks().validateScope(v.app).violations.map((x) => x.ruleName)).toEqual([]);
  });
});

interface IroFunctionRef {
  logGroup: IConstruct;
}

/** Every acknowledgment in the tree: the construct it sits on, the rule finding and the reason. */
function acknowledgments(root: IConstruct): { path: string; id: string; reason: string }[] {
  return root.node
    .findAll()
    .flatMap((node) =>
      node.node.metadata
        .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
        .flatMap((entry) =>
          Object.entries(entry.data as Record<string, string>).map(([id, reason]) => ({
            path: node.node.path,
            id: id.replace(/^annotation::/i, ''),
            reason,
          })),
        ),
    );
}

function bucketPolicy(bucketId: string): Record<string, unknown>[] {
  const [, policy] = ofType('AWS::S3::BucketPolicy').find(([, r]) => flat(r.Properties!.Bucket) === `<${bucketId}>`)!;
  return (policy.Properties as any).PolicyDocument.Statement;
}

function rule(id: string): Record<string, unknown> {
  return (props(ids.bucket).LifecycleConfiguration.Rules as Record<string, unknown>[]).find((r) => r.Id === id)!;
}
