/**
 * The storage construct: the findings bucket (published findings, audit work files, uploads and
 * import reports, each under its own prefix), its KMS key and its server access log bucket.
 * Secure defaults for S3 live here and nowhere else.
 */
import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { AnyPrincipal, Effect, PolicyStatement, type IGrantable } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import {
  BlockPublicAccess,
  Bucket,
  BucketEncryption,
  HttpMethods,
  ObjectLockRetention,
  ObjectOwnership,
  StorageClass,
  type LifecycleRule,
} from 'aws-cdk-lib/aws-s3';
import { Construct, type IConstruct } from 'constructs';
import { wildcardFinding } from './nag.ts';
import { IMPORT_REPORT_PREFIX, UPLOAD_PREFIX } from '#loader/import-jobs';

/**
 * The bucket's key prefixes. Published findings are `findings/{authority}/{audit}/…` (see
 * `findingsPrefix` in shared/reports/publish.ts), an audit's checkpoints `work/{authority}/{audit}/…`
 * (shared/audit/jobs.ts), uploads and import reports as in shared/loader/import-jobs.ts.
 */
export const BUCKET_PREFIXES = {
  findings: 'findings/',
  work: 'work/',
  uploads: UPLOAD_PREFIX,
  imports: IMPORT_REPORT_PREFIX,
} as const;
export type BucketPrefix = keyof typeof BUCKET_PREFIXES;

/** What one function may do in the bucket: read objects under some prefixes, write objects under some. */
export interface BucketAccess {
  read?: readonly BucketPrefix[];
  write?: readonly BucketPrefix[];
}

export interface FindingsStorageProps {
  retainFindingsDays: number;
  retainUploadsDays: number;
  logRetentionDays: number;
  /** 0: no Object Lock. */
  objectLockDays: number;
  /** Browsers upload import files straight to the bucket (presigned PUT) from this origin. */
  uploadOrigin: string;
}

/** Findings live for years but are rarely read after the first weeks: cheaper classes, still instant to download. */
const COLDER_STORAGE = [
  { storageClass: StorageClass.INFREQUENT_ACCESS, transitionAfter: Duration.days(30) },
  { storageClass: StorageClass.GLACIER_INSTANT_RETRIEVAL, transitionAfter: Duration.days(180) },
];

/** An overwritten or deleted object stays recoverable this long as a noncurrent version. */
export const NONCURRENT_VERSION_DAYS = 90;

export class FindingsStorage extends Construct {
  readonly bucket: Bucket;
  readonly key: Key;
  readonly accessLogs: Bucket;

  constructor(scope: Construct, id: string, props: FindingsStorageProps) {
    super(scope, id);

    this.key = new Key(this, 'Key', {
      description: 'iro-audit findings bucket (SSE-KMS)',
      enableKeyRotation: true,
      // Retained with the bucket: without the key, retained findings could never be read again.
      removalPolicy: RemovalPolicy.RETAIN,
    });

    this.accessLogs = new Bucket(this, 'AccessLogs', {
      // S3 delivers server access logs only to buckets encrypted with SSE-S3.
      encryption: BucketEncryption.S3_MANAGED,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      lifecycleRules: [{ id: 'expire-access-logs', expiration: Duration.days(props.logRetentionDays) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const days = (n: number) => Duration.days(n);
    const lifecycleRules: LifecycleRule[] = [
      { id: 'uploads', prefix: BUCKET_PREFIXES.uploads, expiration: days(props.retainUploadsDays) },
      ...(['findings', 'work', 'imports'] as const).map((prefix) => ({
        id: prefix,
        prefix: BUCKET_PREFIXES[prefix],
        transitions: COLDER_STORAGE,
        expiration: days(props.retainFindingsDays),
      })),
      {
        id: 'noncurrent-versions',
        noncurrentVersionExpiration: days(NONCURRENT_VERSION_DAYS),
        abortIncompleteMultipartUploadAfter: days(7),
        expiredObjectDeleteMarker: true,
      },
    ];

    this.bucket = new Bucket(this, 'Bucket', {
      encryption: BucketEncryption.KMS,
      encryptionKey: this.key,
      // One data key per bucket, not per object: far fewer KMS calls, same protection.
      bucketKeyEnabled: true,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      versioned: true,
      lifecycleRules,
      serverAccessLogsBucket: this.accessLogs,
      serverAccessLogsPrefix: 'findings-bucket/',
      ...(props.objectLockDays > 0
        ? {
            objectLockEnabled: true,
            objectLockDefaultRetention: ObjectLockRetention.compliance(days(props.objectLockDays)),
          }
        : {}),
      cors: [
        {
          allowedOrigins: [props.uploadOrigin],
          allowedMethods: [HttpMethods.PUT],
          allowedHeaders: ['content-type'],
          maxAge: 3000,
        },
      ],
      removalPolicy: RemovalPolicy.RETAIN,
    });

    // Nothing may be stored under another key or without encryption, whatever a client asks for.
    this.bucket.addToResourcePolicy(
      new PolicyStatement({
        sid: 'DenyOtherEncryption',
        effect: Effect.DENY,
        principals: [new AnyPrincipal()],
        actions: ['s3:PutObject'],
        resources: [this.bucket.arnForObjects('*')],
        conditions: { StringNotEqualsIfExists: { 's3:x-amz-server-side-encryption': 'aws:kms' } },
      }),
    );
    this.bucket.addToResourcePolicy(
      new PolicyStatement({
        sid: 'DenyOtherKeys',
        effect: Effect.DENY,
        principals: [new AnyPrincipal()],
        actions: ['s3:PutObject'],
        resources: [this.bucket.arnForObjects('*')],
        conditions: { StringNotEqualsIfExists: { 's3:x-amz-server-side-encryption-aws-kms-key-id': this.key.keyArn } },
      }),
    );
  }

  /**
   * Grants `grantee` exactly `access`: GetObject / PutObject under its prefixes only, the key only
   * through S3 (Decrypt to read, GenerateDataKey and Decrypt to write), and ListBucket to a reader (see below).
   */
  grant(grantee: IGrantable & IConstruct, access: BucketAccess): void {
    const viaS3 = { StringEquals: { 'kms:ViaService': `s3.${Stack.of(this).region}.amazonaws.com` } };
    const add = (statement: PolicyStatement) => grantee.grantPrincipal.addToPrincipalPolicy(statement);
    const objects = (prefixes: readonly BucketPrefix[], action: string) => {
      const resources = prefixes.map((p) => this.bucket.arnForObjects(`${BUCKET_PREFIXES[p]}*`));
      add(new PolicyStatement({ actions: [action], resources }));
      Validations.of(grantee).acknowledge(
        ...prefixes.map((p, i) => ({
          id: wildcardFinding(this, resources[i]!),
          reason: `${action} on objects under ${BUCKET_PREFIXES[p]} only: keys below the prefix name the authority and the audit or import, made at run time.`,
        })),
      );
    };
    if (access.read?.length) {
      // Without ListBucket, S3 answers a read of a missing key with 403 instead of 404, and the code
      // tells "not there yet" (no manifest, no report, no checkpoint) from "refused" by the 404;
      // HeadBucket (the health check) needs it too. It reveals key names only, never contents.
      add(new PolicyStatement({ actions: ['s3:ListBucket'], resources: [this.bucket.bucketArn] }));
      objects(access.read, 's3:GetObject');
      add(new PolicyStatement({ actions: ['kms:Decrypt'], resources: [this.key.keyArn], conditions: viaS3 }));
    }
    if (access.write?.length) {
      objects(access.write, 's3:PutObject');
      // S3 asks for both of an SSE-KMS upload (Decrypt for multipart and bucket-key reuse); through S3
      // only, and with no GetObject on these prefixes Decrypt reads nothing.
      add(
        new PolicyStatement({
          actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
          resources: [this.key.keyArn],
          conditions: viaS3,
        }),
      );
    }
  }
}
