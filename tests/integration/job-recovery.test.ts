/**
 * Every job finishes by itself (issue 12): an import, an audit's segment, its finish and its publishing
 * each end done or failed with a plain reason under DynamoDB throttling and S3 5xx answers (faults
 * injected with aws-sdk-client-mock in front of the real dynalite and s3rver), or are left under a
 * lease nobody renews that recovery then brings to an end; an import whose header has a million
 * columns ends with one short message in an item far under DynamoDB's 400 KB; and the local stack
 * killed mid-import, mid-audit and mid-publication recovers on its next start with no command.
 */
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  HeadBucketCommand,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import {
  BatchGetCommand,
  BatchWriteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  ScanCommand,
  TransactWriteCommand,
} from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AUDIT_PARTS } from '#audit/audit-record';
import {
  finishAuditJob,
  getAudit,
  launchAudit,
  requestClose,
  runAuditJob,
  runSegmentJob,
  type AuditServices,
  type LaunchRequest,
} from '#audit/jobs';
import { readTemplateLibrary } from '#audit/template-library';
import { localSigningKey, localVerifier, signDevelopmentToken } from '#auth/tokens';
import { DYNALITE_CREDENTIALS, S3RVER_CREDENTIALS } from '#config/aws-clients';
import { REGULATIONS_2010 } from '#domain/timescales';
import { leasePolicy, type LeasePolicy } from '#jobs/lease';
import { MAX_NOTE_CHARS, MAX_REASON_CHARS } from '#jobs/messages';
import { createApp } from '#http/app';
import {
  DIRECT_IMPORT_MAX_BYTES,
  ImportJob,
  createImport,
  importDirect,
  importReportKey,
  runUploadedImport,
  type ImportServices,
  type ImportView,
} from '#loader/import-jobs';
import { signingKeyPath } from '#local/stack';
import { localConfig } from '#local/connect';
import { InProcessAuditRunner } from '#service/audit-runner';
import { recoverStaleJobs, type RecoveredJob } from '#service/recovery';
import { importJobKeys } from '#store/keys';
import { DynamoRecordStore } from '#store/dynamo-store';
import { S3ObjectStore } from '#store/object-store';
import { openStores } from '#store/open';
import type { RecordStore } from '#store/record-store';
import { freshStorage } from '../support/storage.ts';
import { child, episode, involvement, professionals, review, toDomainRecords } from '../support/records.ts';

const AUTHORITY = 'recovery';
/** DynamoDB's own limit on one item. */
const DYNAMODB_ITEM_LIMIT = 400 * 1024;
const fast = { baseDelayMs: 1, maxDelayMs: 4 };
/** Short leases, so a run that stops is stale soon; recovery is asked "as if a minute had passed" rather than waited for. */
const leases: LeasePolicy = leasePolicy({}, { durationMs: 1_000, heartbeatMs: 250 });
const aMinuteOn = () => new Date(Date.now() + 60_000);

let storage: Awaited<ReturnType<typeof freshStorage>>;
let clean: AuditServices & ImportServices;
let base: Omit<LaunchRequest, 'auditId'>;

const throttled = () =>
  Object.assign(new Error('Rate of requests exceeds the allowed throughput.'), {
    name: 'ProvisionedThroughputExceededException',
    $fault: 'client',
    $metadata: { httpStatusCode: 400 },
  });
const slowDown = () =>
  Object.assign(new Error('Please reduce your request rate.'), {
    name: 'SlowDown',
    $fault: 'server',
    $metadata: { httpStatusCode: 503 },
  });
const internalError = () =>
  Object.assign(new Error('We encountered an internal error. Please try again.'), {
    name: 'InternalError',
    $fault: 'server',
    $metadata: { httpStatusCode: 500 },
  });

/** One injected fault: the calls it matches fail with `error`, `times` times (Infinity: every time). */
interface Fault {
  command: string;
  when: (input: Record<string, any>) => boolean;
  error: () => Error;
  times: number;
  /** How many calls it failed. */
  hits: number;
}

const DYNAMO_COMMANDS = [
  GetCommand,
  PutCommand,
  QueryCommand,
  ScanCommand,
  BatchWriteCommand,
  BatchGetCommand,
  TransactWriteCommand,
];
const S3_COMMANDS = [
  PutObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  UploadPartCommand,
  CompleteMultipartUploadCommand,
  AbortMultipartUploadCommand,
];

/**
 * Stores whose clients reach the real dynalite and s3rver, except for the faults queued with `fail`.
 * Their own retries are quick (the fault tests must not sleep through real backoff).
 */
function faultyServices() {
  const faults: Fault[] = [];
  const { config } = storage;
  const documents = DynamoDBDocumentClient.from(
    new DynamoDBClient({ region: config.region, endpoint: config.dynamoEndpoint, credentials: DYNALITE_CREDENTIALS }),
    {
      marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
    },
  );
  const s3 = new S3Client({
    region: config.region,
    endpoint: config.s3Endpoint,
    credentials: S3RVER_CREDENTIALS,
    forcePathStyle: true,
  });
  const forward = (
    mock: ReturnType<typeof mockClient>,
    commands: (new (input: any) => any)[],
    real: { send(command: any): Promise<any> },
  ) => {
    for (const Command of commands) {
      mock.on(Command as never).callsFake(async (input: Record<string, any>) => {
        const fault = faults.find((f) => f.command === Command.name && f.hits < f.times && f.when(input));
        if (fault) {
          fault.hits += 1;
          throw fault.error();
        }
        return real.send(new Command(input));
      });
    }
  };
  const dynamoMock = mockClient(documents);
  const s3Mock = mockClient(s3);
  forward(dynamoMock as never, DYNAMO_COMMANDS, storage.documents);
  forward(s3Mock as never, S3_COMMANDS, storage.s3);
  const objects = new S3ObjectStore(s3, config.bucketName, fast);
  const svc = {
    store: new DynamoRecordStore(documents, config.tableName, { retry: fast }) as RecordStore,
    objects,
    links: objects,
    leases,
    retry: fast,
  };
  return {
    svc,
    /** Queues a fault; returns it, to count its hits. */
    fail(command: string, when: Fault['when'], error: () => Error, times = Number.POSITIVE_INFINITY): Fault {
      const fault: Fault = { command, when, error, times, hits: 0 };
      faults.push(fault);
      return fault;
    },
    restore() {
      dynamoMock.restore();
      s3Mock.restore();
    },
  };
}

/** Put of one job item, by its kind (an import's or an audit's record) and id. */
const importItem = (importId: string, statuses?: string[]) => (input: Record<string, any>) =>
  input.Item?.kind === 'importJob' &&
  input.Item.importId === importId &&
  (!statuses || statuses.includes(input.Item.body?.status));
const auditRecord = (auditId: string) => (input: Record<string, any>) =>
  input.Item?.kind === 'auditItem' && input.Item.auditId === auditId && input.Item.part === AUDIT_PARTS.meta;
const keyUnder = (prefix: string) => (input: Record<string, any>) => String(input.Key ?? '').startsWith(prefix);

/** The stored import, parsed, and the size of its item as JSON. */
async function storedImport(importId: string) {
  const stored = await storage.store.getImportJob<unknown>(AUTHORITY, importId);
  return { job: ImportJob.parse(stored!.body), bytes: Buffer.byteLength(JSON.stringify(stored)) };
}

/** The jobs recovery lists as leased (held by a run, or waiting for recovery). */
async function leasedIds(): Promise<string[]> {
  const ids: string[] = [];
  for await (const job of storage.store.leasedJobs()) ids.push(job.id);
  return ids;
}

/** Recovery as the stack (or the scheduled check) runs it, a minute on, with a clean store; waits for the runs it resumed. */
async function recoverAMinuteLater() {
  const runner = new InProcessAuditRunner({ store: storage.store, objects: storage.objects, leases });
  const recovered = await recoverStaleJobs({
    store: storage.store,
    objects: storage.objects,
    leases,
    runner,
    now: aMinuteOn,
  });
  await runner.idle();
  return recovered;
}

let failHandler: ((event: unknown) => Promise<{ status: string; reason: string }>) | undefined;
/** The runner's fail function (functions/runner/fail.ts), wired from the environment to this file's table and bucket, as in Lambda. */
const failFunction = () => failHandler!;

const PROFESSIONALS_CSV = `WORKER_ID,ROLE,TEAM,SERVICE\n${Array.from({ length: 30 }, (_, i) => `SWX${i},SW,North 1,CiN/CP North`).join('\n')}\nTMX,XX,North 1,CiN/CP North\n`;

/** An import of one professionals file (30 rows kept, 1 refused), uploaded and waiting for its notification. */
async function uploadedImport(
  fileName = 'professionals.csv',
  body: string = PROFESSIONALS_CSV,
): Promise<{ importId: string; key: string }> {
  const created = await createImport(clean, {
    authorityId: AUTHORITY,
    requestedBy: 'qa-lead-1',
    files: [{ fileName, contentType: 'text/csv' }],
  });
  const key = created.uploads[0]!.key;
  await storage.objects.put(key, body, 'text/csv');
  return { importId: created.importId, key };
}

beforeAll(async () => {
  storage = await freshStorage('recovery');
  clean = { store: storage.store, objects: storage.objects, links: storage.objects, leases };
  await storage.store.putAuthority({ authorityId: AUTHORITY, name: 'Recovery Borough', timescales: REGULATIONS_2010 });
  await storage.store.upsertRecords(
    AUTHORITY,
    professionals.map((record) => ({ kind: 'professional' as const, record })),
  );
  for (let i = 0; i < 12; i++) {
    const id = `V${String(i).padStart(2, '0')}`;
    await storage.store.upsertRecords(
      AUTHORITY,
      toDomainRecords(
        child(id, '2012-01-01', {
          episodes: [episode(id, '2024-01-03')],
          reviews: [
            review(id, i % 4 === 0 ? '2024-02-01' : '2024-01-29', {
              iroId: i % 2 ? 'IRO1' : 'IRO2',
              decisionsIssued: '2024-02-05',
              recordIssued: '2024-02-20',
            }),
          ],
          involvements: [
            involvement(id, 'SW1', 'SW', '2024-01-03'),
            involvement(id, i % 2 ? 'IRO1' : 'IRO2', 'IRO', '2024-01-03'),
          ],
        }),
      ),
    );
  }
  const template = (await readTemplateLibrary()).templates.get('review-timeliness-participation')!;
  base = {
    authorityId: AUTHORITY,
    template,
    period: { from: '2024-01-01', to: '2024-03-31' },
    sampling: { type: 'all' },
    seed: 9,
    autoOnly: true,
    createdBy: 'qa-lead-1',
    segments: 3,
  };

  // The function reads its wiring from the environment when it is loaded; the environment is put back at once.
  const { config } = storage;
  const wiring = {
    IRO_TABLE: config.tableName,
    IRO_BUCKET: config.bucketName,
    DYNAMODB_ENDPOINT: config.dynamoEndpoint,
    S3_ENDPOINT: config.s3Endpoint,
    AWS_REGION: config.region,
  };
  const saved = Object.fromEntries(Object.keys(wiring).map((k) => [k, process.env[k]]));
  Object.assign(process.env, wiring);
  try {
    ({ handler: failHandler } = await import('../../functions/runner/fail.ts'));
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
});

describe('an import under faults', () => {
  it('rides out S3 answering 503 to the read of its upload, and ends done', async () => {
    const faulty = faultyServices();
    try {
      const { importId, key } = await uploadedImport();
      const fault = faulty.fail('GetObjectCommand', (input) => input.Key === key, slowDown, 2);
      const job = await runUploadedImport(faulty.svc, key);
      expect(fault.hits).toBe(2);
      expect(job).toMatchObject({
        status: 'done',
        failure: null,
        lease: null,
        tables: { professionals: { accepted: 30, rejected: 1 } },
      });
      expect((await storedImport(importId)).job.status).toBe('done');
      expect(await leasedIds()).not.toContain(importId);
    } finally {
      faulty.restore();
    }
  });

  it('ends failed, naming the file it could not read, when S3 answers 500 to every read of the upload', async () => {
    const faulty = faultyServices();
    try {
      const { importId, key } = await uploadedImport();
      faulty.fail('GetObjectCommand', (input) => input.Key === key, internalError);
      const job = await runUploadedImport(faulty.svc, key);
      expect(job).toMatchObject({ status: 'failed', lease: null });
      expect(job!.failure).toBe(
        'the upload professionals.csv could not be read from the bucket: We encountered an internal error. Please try again.',
      );
      expect((await storedImport(importId)).job).toMatchObject({ status: 'failed', failure: job!.failure });
      expect(await leasedIds()).not.toContain(importId);
    } finally {
      faulty.restore();
    }
  });

  it('ends failed, saying the rows were imported but the problems CSV and report could not be saved, when S3 answers 500 to every put', async () => {
    const faulty = faultyServices();
    try {
      const { importId, key } = await uploadedImport();
      faulty.fail('PutObjectCommand', keyUnder('imports/'), internalError);
      const job = await runUploadedImport(faulty.svc, key);
      expect(job).toMatchObject({
        status: 'failed',
        lease: null,
        errorsInCsv: 0,
        tables: { professionals: { accepted: 30, rejected: 1 } },
      });
      expect(job!.failure).toMatch(
        /^its report could not be saved to the bucket \(We encountered an internal error\. Please try again\.\); the rows themselves were imported as counted\. Before that: the problems CSV could not be saved/,
      );
      expect(job!.failure!.length).toBeLessThanOrEqual(MAX_REASON_CHARS);
      expect((await storedImport(importId)).job.status).toBe('failed');
      expect(await leasedIds()).not.toContain(importId);
    } finally {
      faulty.restore();
    }
  });

  it('rides out DynamoDB throttling its own item’s writes (the claim and the last word), and ends done', async () => {
    const faulty = faultyServices();
    try {
      const { importId, key } = await uploadedImport();
      const claim = faulty.fail('PutCommand', importItem(importId, ['running']), throttled, 2);
      const last = faulty.fail('PutCommand', importItem(importId, ['done']), throttled, 2);
      const job = await runUploadedImport(faulty.svc, key);
      expect([claim.hits, last.hits]).toEqual([2, 2]);
      expect(job).toMatchObject({ status: 'done', lease: null });
      expect((await storedImport(importId)).job).toMatchObject({ status: 'done', lease: null });
      expect(await leasedIds()).not.toContain(importId);
    } finally {
      faulty.restore();
    }
  });

  it('when throttling never lets it write its last word, is left running under a lease nobody renews, and recovery ends it as its report says', async () => {
    const { importId, key } = await uploadedImport();
    const faulty = faultyServices();
    try {
      faulty.fail('PutCommand', importItem(importId, ['done', 'failed']), throttled);
      await expect(runUploadedImport(faulty.svc, key)).rejects.toThrow(/allowed throughput/);
      const stopped = (await storedImport(importId)).job;
      expect(stopped.status).toBe('running');
      expect(stopped.lease).not.toBeNull();
      expect(await leasedIds()).toContain(importId);
      // Nobody renews it now.
      const renewedAt = stopped.lease!.renewedAt;
      await new Promise((done) => setTimeout(done, leases.heartbeatMs * 2));
      expect((await storedImport(importId)).job.lease?.renewedAt).toBe(renewedAt);
    } finally {
      faulty.restore();
    }
    const recovered = (await recoverAMinuteLater()).filter((r) => r.id === importId);
    expect(recovered).toEqual([expect.objectContaining({ kind: 'import', outcome: 'released' })]);
    // The run had finished: its report was saved before the last write, so the import ends as it did.
    const { job } = await storedImport(importId);
    expect(job).toMatchObject({
      status: 'done',
      lease: null,
      failure: null,
      tables: { professionals: { accepted: 30, rejected: 1 } },
    });
    expect(job.trail.at(-1)).toMatchObject({ actor: 'system', action: 'recovered' });
    expect(job.trail.at(-1)!.detail).toMatch(
      /^it had finished \(done\), but its final status was not saved to the table \(the process running it \(.+\) stopped renewing its lease at .+\); taken from its report$/,
    );
    expect(await leasedIds()).not.toContain(importId);
  });

  it('when it stops before its report is saved, recovery marks it failed with a plain reason', async () => {
    const faulty = faultyServices();
    try {
      const { importId, key } = await uploadedImport();
      faulty.fail('PutObjectCommand', (input) => input.Key === importReportKey(AUTHORITY, importId), internalError);
      faulty.fail('PutCommand', importItem(importId, ['done', 'failed']), throttled);
      await expect(runUploadedImport(faulty.svc, key)).rejects.toThrow(/allowed throughput/);
      expect((await storedImport(importId)).job.status).toBe('running');
      const recovered = (await recoverAMinuteLater()).filter((r) => r.id === importId);
      expect(recovered).toEqual([expect.objectContaining({ kind: 'import', outcome: 'failed' })]);
      const { job } = await storedImport(importId);
      expect(job.status).toBe('failed');
      expect(job.failure).toMatch(
        /^the import stopped before it finished \(the process running it \(.+\) stopped renewing its lease at .+\); rows it had saved stay saved/,
      );
      expect(await leasedIds()).not.toContain(importId);
    } finally {
      faulty.restore();
    }
  });
});

describe('an audit’s segment under faults', () => {
  it('rides out S3 answering 503 to its work files and DynamoDB throttling its checkpoint, and checkpoints the segment', async () => {
    const auditId = 'seg-ok';
    await launchAudit(clean, { ...base, auditId, runId: 'sfn-seg-ok' });
    const faulty = faultyServices();
    try {
      const puts = faulty.fail('PutObjectCommand', keyUnder(`work/${AUTHORITY}/${auditId}/`), slowDown, 2);
      const checkpoint = faulty.fail(
        'PutCommand',
        (input) => input.Item?.auditId === auditId && input.Item.part === AUDIT_PARTS.segment(1),
        throttled,
        2,
      );
      const result = await runSegmentJob(faulty.svc, AUTHORITY, auditId, 1, { runId: 'sfn-seg-ok' });
      expect([puts.hits, checkpoint.hits]).toEqual([2, 2]);
      expect(result).toMatchObject({ segment: 1, scanned: true });
      expect(await storage.store.getAuditItem(AUTHORITY, { auditId, part: AUDIT_PARTS.segment(1) })).not.toBeNull();
    } finally {
      faulty.restore();
    }
    // The run carries on: its finish publishes.
    expect((await finishAuditJob(clean, AUTHORITY, auditId, { runId: 'sfn-seg-ok' })).body).toMatchObject({
      status: 'published',
      population: 12,
      lease: null,
    });
  });

  it('when every scan is throttled, fails; the state machine’s fail step ends the audit failed with the reason', async () => {
    const auditId = 'seg-fail';
    await launchAudit(clean, { ...base, auditId, runId: 'sfn-seg-fail' });
    const faulty = faultyServices();
    let error: Error;
    try {
      faulty.fail('ScanCommand', () => true, throttled);
      error = (await runSegmentJob(faulty.svc, AUTHORITY, auditId, 0, { runId: 'sfn-seg-fail' }).catch(
        (e: unknown) => e,
      )) as Error;
    } finally {
      faulty.restore();
    }
    expect(error).toMatchObject({ name: 'ProvisionedThroughputExceededException' });
    // The Catch hands the fail function what Lambda reported: the error's type and message, and a trace that is dropped.
    const cause = JSON.stringify({
      errorType: error.name,
      errorMessage: error.message,
      trace: ['at scan (/var/task/index.mjs:1:1)'],
    });
    const result = await failFunction()({
      authorityId: AUTHORITY,
      auditId,
      runId: 'sfn-seg-fail',
      stage: 'gathering the population',
      error: { Error: error.name, Cause: cause },
    });
    const reason =
      'gathering the population failed: ProvisionedThroughputExceededException: Rate of requests exceeds the allowed throughput.';
    expect(result).toEqual({ status: 'failed', reason });
    expect((await getAudit(clean, AUTHORITY, auditId))!.body).toMatchObject({
      status: 'failed',
      lease: null,
      failure: { reason },
    });
    expect(await leasedIds()).not.toContain(auditId);
  });

  it('when every scan is throttled and no fail step runs (its Lambda was killed), recovery resumes the run to published', async () => {
    const auditId = 'seg-stuck';
    await launchAudit(clean, { ...base, auditId, runId: 'sfn-seg-stuck' });
    const faulty = faultyServices();
    try {
      faulty.fail('ScanCommand', () => true, throttled);
      await expect(runSegmentJob(faulty.svc, AUTHORITY, auditId, 2, { runId: 'sfn-seg-stuck' })).rejects.toThrow(
        /allowed throughput/,
      );
    } finally {
      faulty.restore();
    }
    expect((await getAudit(clean, AUTHORITY, auditId))!.body).toMatchObject({
      status: 'draft',
      lease: { owner: 'sfn-seg-stuck' },
    });
    const recovered = (await recoverAMinuteLater()).filter((r) => r.id === auditId);
    expect(recovered).toEqual([expect.objectContaining({ kind: 'audit', outcome: 'resumed' })]);
    expect((await getAudit(clean, AUTHORITY, auditId))!.body).toMatchObject({
      status: 'published',
      population: 12,
      lease: null,
    });
  });
});

describe('an audit’s finish under faults', () => {
  it('rides out S3 503s and 500s on its reads and puts and DynamoDB throttling its record, and publishes', async () => {
    const auditId = 'fin-ok';
    await launchAudit(clean, { ...base, auditId, runId: 'sfn-fin-ok' });
    for (const k of [0, 1, 2]) await runSegmentJob(clean, AUTHORITY, auditId, k, { runId: 'sfn-fin-ok' });
    const faulty = faultyServices();
    try {
      const reads = faulty.fail('GetObjectCommand', keyUnder(`work/${AUTHORITY}/${auditId}/`), slowDown, 2);
      const puts = faulty.fail('PutObjectCommand', keyUnder(`findings/${AUTHORITY}/${auditId}/`), internalError, 2);
      const record = faulty.fail('PutCommand', auditRecord(auditId), throttled, 2);
      const done = await finishAuditJob(faulty.svc, AUTHORITY, auditId, { runId: 'sfn-fin-ok' });
      expect([reads.hits, puts.hits, record.hits]).toEqual([2, 2, 2]);
      expect(done.body).toMatchObject({ status: 'published', failure: null, lease: null });
    } finally {
      faulty.restore();
    }
    expect(await storage.objects.get(`findings/${AUTHORITY}/${auditId}/manifest.json`)).not.toBeNull();
  });

  it('when S3 answers 500 to every read of its work files, ends failed with the reason and publishes nothing', async () => {
    const auditId = 'fin-fail';
    await launchAudit(clean, { ...base, auditId, runId: 'sfn-fin-fail' });
    for (const k of [0, 1, 2]) await runSegmentJob(clean, AUTHORITY, auditId, k, { runId: 'sfn-fin-fail' });
    const faulty = faultyServices();
    try {
      faulty.fail('GetObjectCommand', keyUnder(`work/${AUTHORITY}/${auditId}/`), internalError);
      const done = await finishAuditJob(faulty.svc, AUTHORITY, auditId, { runId: 'sfn-fin-fail' });
      expect(done.body).toMatchObject({
        status: 'failed',
        lease: null,
        failure: { reason: 'We encountered an internal error. Please try again.' },
      });
    } finally {
      faulty.restore();
    }
    expect(await storage.objects.get(`findings/${AUTHORITY}/${auditId}/manifest.json`)).toBeNull();
    expect(await leasedIds()).not.toContain(auditId);
  });

  it('when DynamoDB throttles every write of its record, cannot even say it failed: left under a lease nobody renews, recovery resumes it to published', async () => {
    const auditId = 'fin-stuck';
    await launchAudit(clean, { ...base, auditId, runId: 'sfn-fin-stuck' });
    const faulty = faultyServices();
    try {
      faulty.fail('PutCommand', auditRecord(auditId), throttled);
      await expect(finishAuditJob(faulty.svc, AUTHORITY, auditId, { runId: 'sfn-fin-stuck' })).rejects.toThrow(
        /allowed throughput/,
      );
    } finally {
      faulty.restore();
    }
    expect((await getAudit(clean, AUTHORITY, auditId))!.body).toMatchObject({
      status: 'draft',
      lease: { owner: 'sfn-fin-stuck' },
    });
    expect(await leasedIds()).toContain(auditId);
    const recovered = (await recoverAMinuteLater()).filter((r) => r.id === auditId);
    expect(recovered).toEqual([expect.objectContaining({ kind: 'audit', outcome: 'resumed' })]);
    expect((await getAudit(clean, AUTHORITY, auditId))!.body).toMatchObject({ status: 'published', lease: null });
    expect(await leasedIds()).not.toContain(auditId);
  });
});

describe('a late failure', () => {
  it('from a run that was taken over changes nothing once the run that took over has published the audit', async () => {
    const auditId = 'late-fail';
    await launchAudit(clean, { ...base, auditId, runId: 'sfn-late-first' });
    // The first run's Lambda was thought stopped (its lease ran out); recovery's run took over and published.
    expect((await recoverAMinuteLater()).filter((r) => r.id === auditId)).toEqual([
      expect.objectContaining({ outcome: 'resumed' }),
    ]);
    const published = (await getAudit(clean, AUTHORITY, auditId))!;
    expect(published.body).toMatchObject({ status: 'published', lease: null });
    // Then the first run's Catch arrives.
    await expect(
      failFunction()({
        authorityId: AUTHORITY,
        auditId,
        runId: 'sfn-late-first',
        stage: 'finishing the audit',
        error: { Error: 'States.Timeout' },
      }),
    ).resolves.toMatchObject({ status: 'failed' });
    const after = (await getAudit(clean, AUTHORITY, auditId))!;
    expect(after.version).toBe(published.version);
    expect(after.body).toMatchObject({ status: 'published', failure: null });
  });
});

describe('an audit’s publishing under faults', () => {
  /** An audit graded by hand, closed for the run `runId` to publish. */
  async function closedAudit(auditId: string, runId: string) {
    await launchAudit(clean, { ...base, auditId, autoOnly: false, sampling: { type: 'count', value: 4 } });
    expect((await runAuditJob(clean, AUTHORITY, auditId)).body.status).toBe('grading');
    expect((await requestClose(clean, AUTHORITY, auditId, runId)).body).toMatchObject({
      status: 'closed',
      lease: { owner: runId },
    });
  }

  it('rides out S3 answering 503 to the published files and DynamoDB throttling its record, and ends published', async () => {
    await closedAudit('pub-ok', 'pub-ok--publish');
    const faulty = faultyServices();
    try {
      const puts = faulty.fail('PutObjectCommand', keyUnder(`findings/${AUTHORITY}/pub-ok/`), slowDown, 3);
      const record = faulty.fail('PutCommand', auditRecord('pub-ok'), throttled, 3);
      const done = await runAuditJob(faulty.svc, AUTHORITY, 'pub-ok', { runId: 'pub-ok--publish' });
      expect([puts.hits, record.hits]).toEqual([3, 3]);
      expect(done.body).toMatchObject({ status: 'published', lease: null });
    } finally {
      faulty.restore();
    }
    expect(await storage.objects.get(`findings/${AUTHORITY}/pub-ok/manifest.json`)).not.toBeNull();
  });

  it('when S3 answers 500 to every published file, ends failed with the reason, publishes nothing, and closing again publishes', async () => {
    await closedAudit('pub-fail', 'pub-fail--publish');
    const faulty = faultyServices();
    try {
      faulty.fail('PutObjectCommand', keyUnder(`findings/${AUTHORITY}/pub-fail/`), internalError);
      faulty.fail('UploadPartCommand', keyUnder(`findings/${AUTHORITY}/pub-fail/`), internalError);
      const done = await runAuditJob(faulty.svc, AUTHORITY, 'pub-fail', { runId: 'pub-fail--publish' });
      expect(done.body).toMatchObject({
        status: 'failed',
        lease: null,
        publishedAt: null,
        failure: { reason: 'We encountered an internal error. Please try again.' },
      });
      expect(done.body.closedAt).not.toBeNull();
    } finally {
      faulty.restore();
    }
    expect(await storage.objects.get(`findings/${AUTHORITY}/pub-fail/manifest.json`)).toBeNull();
    await requestClose(clean, AUTHORITY, 'pub-fail', 'pub-fail--again');
    expect((await runAuditJob(clean, AUTHORITY, 'pub-fail', { runId: 'pub-fail--again' })).body.status).toBe(
      'published',
    );
  });

  it('when DynamoDB throttles every write of its record, is left closed under a lease nobody renews, and recovery publishes it', async () => {
    await closedAudit('pub-stuck', 'pub-stuck--publish');
    const faulty = faultyServices();
    try {
      faulty.fail('PutCommand', auditRecord('pub-stuck'), throttled);
      await expect(runAuditJob(faulty.svc, AUTHORITY, 'pub-stuck', { runId: 'pub-stuck--publish' })).rejects.toThrow(
        /allowed throughput/,
      );
    } finally {
      faulty.restore();
    }
    expect((await getAudit(clean, AUTHORITY, 'pub-stuck'))!.body).toMatchObject({
      status: 'closed',
      lease: { owner: 'pub-stuck--publish' },
    });
    const recovered = (await recoverAMinuteLater()).filter((r) => r.id === 'pub-stuck');
    expect(recovered).toEqual([expect.objectContaining({ kind: 'audit', outcome: 'resumed' })]);
    expect((await getAudit(clean, AUTHORITY, 'pub-stuck'))!.body).toMatchObject({ status: 'published', lease: null });
    expect(await storage.objects.get(`findings/${AUTHORITY}/pub-stuck/manifest.json`)).not.toBeNull();
  });
});

describe('an import sent as bytes that the bucket will not take', () => {
  it('ends failed at once, saying the file could not be stored, rather than running with nothing to read', async () => {
    const faulty = faultyServices();
    let view: ImportView;
    try {
      faulty.fail('PutObjectCommand', keyUnder(`uploads/${AUTHORITY}/`), internalError);
      view = await importDirect(faulty.svc, {
        authorityId: AUTHORITY,
        requestedBy: 'qa-lead-1',
        fileName: 'professionals.csv',
        contentType: 'text/csv',
        body: new TextEncoder().encode(PROFESSIONALS_CSV),
      });
    } finally {
      faulty.restore();
    }
    expect(view).toMatchObject({
      status: 'failed',
      lease: null,
      failure:
        'the file professionals.csv could not be stored in the bucket (We encountered an internal error. Please try again.); nothing was imported: send it again',
    });
    expect(view.files[0]).toMatchObject({ uploaded: false, rows: 0 });
    expect((await storedImport(view.importId)).job.status).toBe('failed');
    expect(await leasedIds()).not.toContain(view.importId);
  });
});

describe('an import whose header has a million columns', () => {
  it('is answered by the API with one short note, not a 500, and its item stays far under DynamoDB’s 400 KB', async () => {
    const key = await localSigningKey(join(await mkdtemp(join(tmpdir(), 'iro-wide-')), 'key.json'));
    const app = createApp({ ...clean, verifier: localVerifier(key), runner: new InProcessAuditRunner(clean) });
    const token = await signDevelopmentToken(key, { userId: 'qa-lead-1', roles: ['qa-lead'], authorityId: AUTHORITY });
    // A million distinct column names of four characters: 5 MB, just inside what the API takes as a body.
    const header = `${Array.from({ length: 1_000_000 }, (_, i) => i.toString(36).padStart(4, '0')).join(',')}\n`;
    expect(header.length).toBeLessThanOrEqual(DIRECT_IMPORT_MAX_BYTES);

    const response = await app.request('/imports?fileName=wide.csv', {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'text/csv' },
      body: header,
    });
    const text = await response.text();
    expect(response.status, text.slice(0, 300)).toBe(201);
    expect(text.length).toBeLessThan(10_000);
    const view = JSON.parse(text) as ImportView;
    expect(view).toMatchObject({
      status: 'done',
      failure: null,
      errorCount: 0,
      lease: null,
      files: [{ fileName: 'wide.csv', rows: 0 }],
    });
    const note = view.files[0]!.refused!;
    expect(note.length).toBeLessThanOrEqual(MAX_NOTE_CHARS);
    // One short note that names the first columns and counts the rest, and says which files would have been known.
    expect(note).toMatch(/^the columns 0000, 0001, 0002, .*, 000J and 999,980 more match no known file/);
    expect(note).not.toContain('cut short');
    expect(note).toMatch(/Known files: header\.csv, episodes\.csv, .*, sw_episodes\.csv$/);

    const { Item } = await storage.documents.send(
      new GetCommand({
        TableName: storage.config.tableName,
        Key: (({ pk, sk }) => ({ pk, sk }))(importJobKeys(AUTHORITY, view.importId)),
      }),
    );
    expect(Item).toBeDefined();
    expect(Buffer.byteLength(JSON.stringify(Item))).toBeLessThan(DYNAMODB_ITEM_LIMIT / 50);
    expect(await leasedIds()).not.toContain(view.importId);
  }, 60_000);
});

/** A local stack in a child process over `dataDir` (tests/support/stack-process.ts), holding at `hold` once up. */
interface StackProcess {
  pid: number;
  url: string;
  dynamoEndpoint: string;
  s3Endpoint: string;
  /** What recovery did as the stack started. */
  recovered: RecoveredJob[];
  /** Resolves once the process says it has reached the hold `what` (tests/support/stack-process.ts). */
  held(what: Hold): Promise<void>;
  /** SIGKILL: no clean-up of any kind, as a laptop switched off. */
  kill(): Promise<void>;
  /** SIGTERM: the stack closes itself. */
  stop(): Promise<void>;
}

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const STACK_LEASE_MS = 2_000;
const started: StackProcess[] = [];

type Hold = 'import' | 'gather' | 'publish' | 'uploads';

async function startStack(dataDir: string, holds: Hold[] = []): Promise<StackProcess> {
  const child: ChildProcessByStdio<null, Readable, Readable> = spawn(
    process.execPath,
    ['--import', 'tsx', 'tests/support/stack-process.ts'],
    {
      cwd: ROOT,
      env: {
        ...process.env,
        IRO_TEST_DATA_DIR: dataDir,
        IRO_TEST_DEMO: '12',
        IRO_TEST_LEASE_MS: String(STACK_LEASE_MS),
        IRO_TEST_HOLD: holds.join(','),
        NODE_NO_WARNINGS: '1',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let log = '';
  child.stderr.on('data', (chunk: Buffer) => {
    log += chunk.toString();
  });
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  const reached = new Map(
    holds.map((what) => {
      let done!: () => void;
      const promise = new Promise<void>((resolve) => {
        done = resolve;
      });
      return [what, { promise, done }] as const;
    }),
  );
  const ready = new Promise<Omit<StackProcess, 'held' | 'kill' | 'stop'>>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the stack did not start in 30 s:\n${log}`)), 30_000);
    void exited.then(() => reject(new Error(`the stack stopped before it was ready:\n${log}`)));
    createInterface({ input: child.stdout }).on('line', (line) => {
      if (line.startsWith('ready ')) {
        clearTimeout(timer);
        resolve(JSON.parse(line.slice('ready '.length)));
      } else if (line.startsWith('holding ')) reached.get(line.slice('holding '.length) as Hold)?.done();
    });
  });
  const stack: StackProcess = {
    ...(await ready),
    held: (what) =>
      withTimeout(reached.get(what)!.promise, 20_000, () => `the stack never reached its hold ${what}:\n${log}`),
    kill: async () => {
      child.kill('SIGKILL');
      await exited;
    },
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
    },
  };
  started.push(stack);
  return stack;
}

function withTimeout<T>(promise: Promise<T>, ms: number, message: () => string): Promise<T> {
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error(message())), ms).unref()),
  ]);
}

/** Polls `read` until `done` holds of what it returns (every 100 ms, at most `ms`), and returns that. */
async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, ms = 15_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline)
      throw new Error(`still not there after ${ms} ms: ${JSON.stringify(value).slice(0, 500)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('the local stack killed mid-way', () => {
  let dataDir: string;
  let token: string;
  let importId: string;
  let auditId: string;
  let killedPid: number;

  const api = async (stack: StackProcess, method: string, path: string, body?: unknown) => {
    const response = await fetch(`${stack.url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: response.status, body: (await response.json()) as Record<string, any> };
  };

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'iro-killed-'));
  });

  afterAll(async () => {
    // Only the processes this file started, by their own ids.
    for (const stack of started) await stack.kill().catch(() => {});
    await rm(dataDir, { recursive: true, force: true });
  });

  it('during an import: the next start marks it failed with a plain reason, with no command, and the rows it saved stay', async () => {
    const first = await startStack(dataDir, ['import']);
    token = await signDevelopmentToken(await localSigningKey(signingKeyPath(dataDir)), {
      userId: 'qa-lead-1',
      roles: ['qa-lead'],
      authorityId: 'demo',
    });
    const created = await api(first, 'POST', '/imports', {
      files: [{ fileName: 'professionals.csv', contentType: 'text/csv' }],
    });
    expect(created.status).toBe(201);
    importId = created.body.importId;
    const rows = Array.from({ length: 2_000 }, (_, i) => `KSW${i},SW,North 1,CiN/CP North`).join('\n');
    const put = await fetch(created.body.uploads[0].url, {
      method: 'PUT',
      headers: { 'content-type': 'text/csv' },
      body: `WORKER_ID,ROLE,TEAM,SERVICE\n${rows}\n`,
    });
    expect(put.status).toBe(200);
    await first.held('import');
    expect((await api(first, 'GET', `/imports/${importId}`)).body).toMatchObject({
      status: 'running',
      lease: { holder: expect.stringMatching(new RegExp(`:${first.pid}$`)) },
    });
    await first.kill();
    killedPid = first.pid;

    const second = await startStack(dataDir, ['gather', 'uploads']);
    expect(second.recovered).toContainEqual(
      expect.objectContaining({ kind: 'import', id: importId, outcome: 'failed' }),
    );
    const { body: job } = await api(second, 'GET', `/imports/${importId}`);
    expect(job).toMatchObject({ status: 'failed', lease: null });
    expect(job.failure).toMatch(
      new RegExp(
        `^the import stopped before it finished \\(the process running it \\(.+:${killedPid}\\) stopped\\); rows it had saved stay saved: try again to run it from the start`,
      ),
    );
    const store = openStores(localConfig(second.dynamoEndpoint, second.s3Endpoint)).store;
    let saved = 0;
    for await (const p of store.professionals('demo')) if (p.workerId.startsWith('KSW')) saved += 1;
    expect(saved).toBeGreaterThan(0);
    expect(saved).toBeLessThan(2_000);
  }, 60_000);

  it('during an audit’s run, with an upload not yet noticed: the next start resumes the audit to grading and starts the import', async () => {
    const second = started.at(-1)!;
    const launched = await api(second, 'POST', '/audits', {
      templateId: 'review-timeliness-participation',
      from: '2025-04-01',
      to: '2026-03-31',
      sample: { type: 'count', value: 5 },
      seed: 3,
    });
    expect(launched.status).toBe(201);
    auditId = launched.body.auditId;
    await second.held('gather');
    expect((await api(second, 'GET', `/audits/${auditId}`)).body.status).toBe('draft');
    // An upload lands, but the stack dies before its notification starts the import.
    const created = await api(second, 'POST', '/imports', {
      files: [{ fileName: 'professionals.csv', contentType: 'text/csv' }],
    });
    const put = await fetch(created.body.uploads[0].url, {
      method: 'PUT',
      headers: { 'content-type': 'text/csv' },
      body: 'WORKER_ID,ROLE,TEAM,SERVICE\nKSW-LATE,SW,North 1,CiN/CP North\n',
    });
    expect(put.status).toBe(200);
    await second.held('uploads');
    expect((await api(second, 'GET', `/imports/${created.body.importId}`)).body).toMatchObject({
      status: 'pending',
      files: [{ uploaded: false }],
    });
    await second.kill();

    const third = await startStack(dataDir, ['publish']);
    // Taken over at once: the process that held it is gone (no waiting for the lease to run out).
    expect(third.recovered).toContainEqual(
      expect.objectContaining({
        kind: 'audit',
        id: auditId,
        outcome: 'resumed',
        why: expect.stringMatching(new RegExp(`^the process running it \\(.+:${second.pid}\\) stopped$`)),
      }),
    );
    const graded = await until(
      () => api(third, 'GET', `/audits/${auditId}`),
      (r) => r.body.status !== 'draft',
    );
    expect(graded.body).toMatchObject({ status: 'grading', failure: null, sampleSize: 5 });
    expect(graded.body.population).toBeGreaterThan(5);
    const late = await until(
      () => api(third, 'GET', `/imports/${created.body.importId}`),
      (r) => r.body.status !== 'pending' && r.body.status !== 'running',
    );
    expect(late.body).toMatchObject({ status: 'done', tables: { professionals: { accepted: 1 } } });
  }, 60_000);

  it('while publishing: the next start resumes the publication, and the audit is published', async () => {
    const third = started.at(-1)!;
    const closed = await api(third, 'POST', `/audits/${auditId}/close`);
    expect(closed.status).toBe(202);
    await third.held('publish');
    expect((await api(third, 'GET', `/audits/${auditId}`)).body).toMatchObject({ status: 'closed', publishedAt: null });
    await third.kill();

    const fourth = await startStack(dataDir);
    expect(fourth.recovered).toContainEqual(
      expect.objectContaining({
        kind: 'audit',
        id: auditId,
        outcome: 'resumed',
        why: expect.stringMatching(new RegExp(`^the process running it \\(.+:${third.pid}\\) stopped$`)),
      }),
    );
    const published = await until(
      () => api(fourth, 'GET', `/audits/${auditId}`),
      (r) => r.body.status !== 'closed',
    );
    expect(published.body).toMatchObject({ status: 'published', failure: null });
    const { objects } = openStores(localConfig(fourth.dynamoEndpoint, fourth.s3Endpoint));
    expect(await objects.get(`findings/demo/${auditId}/manifest.json`)).not.toBeNull();
    // Nothing is left leased: no job waits for anyone.
    const store = openStores(localConfig(fourth.dynamoEndpoint, fourth.s3Endpoint)).store;
    const leased: string[] = [];
    for await (const job of store.leasedJobs()) leased.push(job.id);
    expect(leased).toEqual([]);
    await fourth.stop();
  }, 60_000);
});
