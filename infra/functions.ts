/**
 * The one Lambda construct every function is made with: Node.js 24 on ARM64, bundled by the local
 * esbuild (no Docker), X-Ray tracing, JSON logs into its own log group with a retention, its own role
 * holding nothing until a grant adds it. Secure defaults for Lambda live here and nowhere else.
 */
import { relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BuildOptions } from 'esbuild';
import { Duration, RemovalPolicy, Validations, type Size } from 'aws-cdk-lib';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import {
  ApplicationLogLevel,
  Architecture,
  LoggingFormat,
  Runtime,
  SystemLogLevel,
  Tracing,
} from 'aws-cdk-lib/aws-lambda';
import { Charset, NodejsFunction, OutputFormat, type BundlingOptions } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { DOCS_ASSET_FILES, docsAssetsDir } from '#http/docs';
import { govukAssetFiles, govukAssetsDir } from '#web/assets';

export const PROJECT_ROOT = fileURLToPath(new URL('..', import.meta.url));

/** The Lambda entry points, relative to the project root. */
export const FUNCTION_ENTRIES = {
  api: 'functions/api/handler.ts',
  importer: 'functions/importer/handler.ts',
  segment: 'functions/runner/segment.ts',
  finish: 'functions/runner/finish.ts',
  fail: 'functions/runner/fail.ts',
  recover: 'functions/recover/handler.ts',
} as const;
export type FunctionName = keyof typeof FUNCTION_ENTRIES;

/**
 * How every function is bundled, in one place: the construct passes it to NodejsFunction and the
 * bundle-size tests and benchmark pass it to esbuild directly. The AWS SDK is bundled (our pinned
 * 3.1162.0, tree-shaken and minified) rather than taken from the runtime: see the README's bundle
 * table for the measurement behind that choice.
 */
export const BUNDLE = {
  format: 'esm',
  // The Lambda runtime's major (Runtime.NODEJS_24_X below): esbuild keeps syntax that Node 24 runs as written.
  target: 'node24',
  platform: 'node',
  minify: true,
  // Function and class names survive minification, so stack traces in the logs stay readable (no source maps shipped).
  keepNames: true,
  sourcemap: false,
  charset: 'utf8',
  // Prefer ES modules, so esbuild can tree-shake the SDK.
  mainFields: ['module', 'main'],
  // A CommonJS dependency inside an ES module bundle still calls require() for Node built-ins.
  banner: "import { createRequire as __iroRequire } from 'node:module'; const require = __iroRequire(import.meta.url);",
  external: [] as string[],
} as const;

/** The absolute path of an entry given relative to the project root. */
export const entryPath = (entry: string) => fileURLToPath(new URL(entry, new URL('..', import.meta.url)));

/**
 * The esbuild options for `entries` (one path, or output names to paths), the same ones
 * NodejsFunction gets: used by the bundle tests and `npm run bench:bundles`.
 */
export function esbuildOptions(
  entries: string | Record<string, string>,
  overrides: { external?: string[] } = {},
): BuildOptions {
  return {
    entryPoints:
      typeof entries === 'string'
        ? [entryPath(entries)]
        : Object.fromEntries(Object.entries(entries).map(([name, entry]) => [name, entryPath(entry)])),
    bundle: true,
    format: BUNDLE.format,
    target: BUNDLE.target,
    platform: BUNDLE.platform,
    minify: BUNDLE.minify,
    keepNames: BUNDLE.keepNames,
    sourcemap: BUNDLE.sourcemap,
    charset: BUNDLE.charset,
    mainFields: [...BUNDLE.mainFields],
    banner: { js: BUNDLE.banner },
    external: overrides.external ?? [...BUNDLE.external],
    outExtension: { '.js': '.mjs' },
    logLevel: 'warning',
  };
}

/**
 * Settings of the kind the stack gives the functions, with example values (the API's included; the
 * others ignore them): enough for a bundle to start outside Lambda, as the bundle tests and
 * `npm run bench:bundles` load them. Nothing is sent anywhere on import.
 */
export const EXAMPLE_FUNCTION_ENVIRONMENT = {
  AWS_REGION: 'eu-west-2',
  IRO_TABLE: 'iro-audit',
  IRO_BUCKET: 'iro-audit-findings',
  IRO_AUTH_ISSUER: 'https://cognito-idp.eu-west-2.amazonaws.com/eu-west-2_example',
  IRO_AUTH_AUDIENCE: 'exampleclientid',
  IRO_AUDIT_STATE_MACHINE_ARN: 'arn:aws:states:eu-west-2:123456789012:stateMachine:example',
} as const;

/**
 * The package files the api function serves, each set copied into its bundle in a folder of its own
 * and found there through an environment variable (the bundle is unpacked in /var/task): GOV.UK
 * Frontend for the web pages, Swagger UI for /docs. The installed packages are the source, not the
 * variables: the deployed files are the ones package.json pins.
 */
export const API_ASSET_SETS = [
  {
    folder: 'govuk',
    variable: 'IRO_WEB_ASSETS_DIR',
    packageName: 'govuk-frontend',
    source: () => govukAssetsDir({}),
    files: govukAssetFiles,
  },
  {
    folder: 'swagger-ui',
    variable: 'IRO_DOCS_ASSETS_DIR',
    packageName: 'swagger-ui-dist',
    source: () => docsAssetsDir({}),
    files: () => [...DOCS_ASSET_FILES],
  },
] as const;

/** Where GOV.UK Frontend's files are in the api bundle. */
export const WEB_ASSETS_FOLDER = API_ASSET_SETS[0].folder;
export const WEB_ASSETS_DIR_IN_LAMBDA = `/var/task/${WEB_ASSETS_FOLDER}`;

/** Each asset variable and its folder in Lambda, as the api function is given them. */
export const API_ASSET_ENVIRONMENT: Record<string, string> = Object.fromEntries(
  API_ASSET_SETS.map((set) => [set.variable, `/var/task/${set.folder}`]),
);

/** Each asset set's installed folder and the files it carries (relative paths with /). */
export function apiAssetFiles(): { folder: string; source: string; files: string[] }[] {
  return API_ASSET_SETS.map((set) => {
    const source = set.source();
    if (!source)
      throw new Error(
        `${set.packageName} is not installed: run npm ci before synthesizing (the api function serves its files)`,
      );
    return { folder: set.folder, source, files: set.files(source) };
  });
}

/**
 * The commands that copy exactly the files the api function serves (apiAssetFiles) from the installed
 * packages into the bundle, keeping their layout. `inputDir` is the project root as the bundler sees
 * it, so they work for local bundling (mkdir -p and cp, on Linux and macOS) and in CDK's Docker
 * fallback alike.
 */
export function webAssetCommands(inputDir: string, outputDir: string): string[] {
  const quote = (path: string) => {
    if (/["$`\\]/.test(path))
      throw new Error(`cannot copy the web assets from or to a path with quotes, $, backticks or backslashes: ${path}`);
    return `"${path}"`;
  };
  return apiAssetFiles().flatMap(({ folder, source, files }) => {
    const from = relative(PROJECT_ROOT, source).split(sep).join('/');
    const folders = [...new Set(files.map((f) => f.split('/').slice(0, -1).join('/')))];
    return [
      `mkdir -p ${folders.map((f) => quote(`${outputDir}/${folder}${f ? `/${f}` : ''}`)).join(' ')}`,
      ...files.map((f) => `cp ${quote(`${inputDir}/${from}/${f}`)} ${quote(`${outputDir}/${folder}/${f}`)}`),
    ];
  });
}

function nodejsBundling(webAssets: boolean): BundlingOptions {
  return {
    format: OutputFormat.ESM,
    target: BUNDLE.target,
    minify: BUNDLE.minify,
    keepNames: BUNDLE.keepNames,
    sourceMap: BUNDLE.sourcemap,
    charset: Charset.UTF8,
    // NodejsFunction does not pass `charset` on to esbuild itself (aws-cdk-lib 2.275).
    esbuildArgs: { '--charset': 'utf8' },
    mainFields: [...BUNDLE.mainFields],
    banner: BUNDLE.banner,
    // Bundle the SDK (NodejsFunction leaves @aws-sdk/* to the runtime unless told otherwise).
    bundleAwsSDK: true,
    externalModules: [...BUNDLE.external],
    forceDockerBundling: false,
    ...(webAssets
      ? { commandHooks: { beforeBundling: () => [], beforeInstall: () => [], afterBundling: webAssetCommands } }
      : {}),
  };
}

export interface IroFunctionProps {
  name: FunctionName;
  description: string;
  memorySize: number;
  timeout: Duration;
  logRetention: RetentionDays;
  environment: Record<string, string>;
  ephemeralStorageSize?: Size;
  /** Where asynchronous invocations that failed every retry are kept. */
  deadLetterQueue?: IQueue;
  /** Carries the files the web pages and /docs serve (the api function only), found through API_ASSET_ENVIRONMENT. */
  webAssets?: boolean;
}

export class IroFunction extends Construct {
  readonly function: NodejsFunction;
  readonly role: Role;
  readonly logGroup: LogGroup;

  constructor(scope: Construct, id: string, props: IroFunctionProps) {
    super(scope, id);
    this.logGroup = new LogGroup(this, 'Logs', { retention: props.logRetention, removalPolicy: RemovalPolicy.DESTROY });
    // Its own role, not the managed AWSLambdaBasicExecutionRole: it may write only to its own log group.
    this.role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `iro-audit ${props.name} function`,
    });
    this.role.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [this.logGroup.logGroupArn],
      }),
    );

    this.function = new NodejsFunction(this, 'Function', {
      entry: entryPath(FUNCTION_ENTRIES[props.name]),
      handler: 'handler',
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: `${PROJECT_ROOT}package-lock.json`,
      runtime: Runtime.NODEJS_24_X,
      architecture: Architecture.ARM_64,
      description: props.description,
      memorySize: props.memorySize,
      timeout: props.timeout,
      ...(props.ephemeralStorageSize ? { ephemeralStorageSize: props.ephemeralStorageSize } : {}),
      ...(props.deadLetterQueue ? { deadLetterQueue: props.deadLetterQueue } : {}),
      tracing: Tracing.ACTIVE,
      role: this.role,
      logGroup: this.logGroup,
      loggingFormat: LoggingFormat.JSON,
      applicationLogLevelV2: ApplicationLogLevel.INFO,
      systemLogLevelV2: SystemLogLevel.WARN,
      environment: { ...props.environment, ...(props.webAssets ? API_ASSET_ENVIRONMENT : {}) },
      bundling: nodejsBundling(Boolean(props.webAssets)),
    });

    Validations.of(this.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'X-Ray tracing: xray:PutTraceSegments and xray:PutTelemetryRecords support no resource-level permissions (the only actions on *).',
    });
  }
}
