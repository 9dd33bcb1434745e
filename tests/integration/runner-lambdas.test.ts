/** The runner's Lambda entries, driven as the state machine drives them, over dynalite and s3rver: segments, finish, fail. */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { AUDIT_PARTS, type SegmentCheckpoint } from '#audit/audit-record';
import { auditTrail, getAudit, launchAudit, type AuditServices, type LaunchRequest } from '#audit/jobs';
import { readTemplateLibrary } from '#audit/template-library';
import { createDynamoDocumentClient, createS3Client } from '#config/aws-clients';
import { REGULATIONS_2010 } from '#domain/timescales';
import { DynamoRecordStore } from '#store/dynamo-store';
import { S3ObjectStore, ensureBucket } from '#store/object-store';
import { ensureTable } from '#store/table';
import { BUCKET_PREFIXES } from '../../infra/storage.ts';
import { child, episode, involvement, professionals, review, toDomainRecords } from '../support/records.ts';

const AUTHORITY = 'runner';
const ENV_KEYS = ['IRO_TABLE', 'IRO_BUCKET', 'DYNAMODB_ENDPOINT', 'S3_ENDPOINT', 'AWS_REGION'] as const;
const savedEnv = Object.fromEntries(ENV_KEYS.map((k) => [k, process.env[k]]));

let svc: AuditServices;
let base: Omit<LaunchRequest, 'auditId'>;
let segment: (event: unknown) => Promise<{ segment: number; childrenScanned: number; units: number; scanned: boolean }>;
let finish: (event: unknown) => Promise<{ status: string; failure: string | null }>;
let fail: (event: unknown) => Promise<{ status: string; reason: string }>;

beforeAll(async () => {
  const config = {
    region: 'eu-west-2',
    tableName: `runner-${randomUUID()}`,
    bucketName: `runner-${randomUUID()}`,
    dynamoEndpoint: inject('dynamoEndpoint'),
    s3Endpoint: inject('s3Endpoint'),
  };
  const documents = createDynamoDocumentClient(config);
  await ensureTable(documents, config.tableName);
  await ensureBucket(createS3Client(config), config.bucketName);
  const store = new DynamoRecordStore(documents, config.tableName);
  svc = { store, objects: new S3ObjectStore(createS3Client(config), config.bucketName) };
  await store.putAuthority({ authorityId: AUTHORITY, name: 'Runner Borough', timescales: REGULATIONS_2010 });
  await store.upsertRecords(
    AUTHORITY,
    professionals.map((record) => ({ kind: 'professional' as const, record })),
  );
  for (let i = 0; i < 12; i++) {
    const id = `R${String(i).padStart(2, '0')}`;
    await store.upsertRecords(
      AUTHORITY,
      toDomainRecords(
        child(id, '2012-01-01', {
          episodes: [episode(id, '2024-01-03')],
          reviews: [
            review(id, i % 4 === 0 ? '2024-02-01' : '2024-01-29', {
              decisionsIssued: '2024-02-05',
              recordIssued: '2024-02-20',
            }),
          ],
          involvements: [involvement(id, 'SW1', 'SW', '2024-01-03'), involvement(id, 'IRO1', 'IRO', '2024-01-03')],
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
    seed: 5,
    autoOnly: true,
    createdBy: 'qa-lead-1',
    segments: 3,
  };

  // The functions read their wiring from the environment, as in Lambda.
  Object.assign(process.env, {
    IRO_TABLE: config.tableName,
    IRO_BUCKET: config.bucketName,
    DYNAMODB_ENDPOINT: config.dynamoEndpoint,
    S3_ENDPOINT: config.s3Endpoint,
    AWS_REGION: config.region,
  });
  ({ handler: segment } = await import('../../functions/runner/segment.ts'));
  ({ handler: finish } = await import('../../functions/runner/finish.ts'));
  ({ handler: fail } = await import('../../functions/runner/fail.ts'));
});

afterAll(() => {
  for (const key of ENV_KEYS) {
    if (savedEnv[key] === undefined) delete process.env[key];
    else process.env[key] = savedEnv[key];
  }
});

describe('the runner functions', () => {
  it('gather each segment once, checkpoint it under work/, then finish by publishing under findings/', async () => {
    await launchAudit(svc, { ...base, auditId: 'run-a1' });
    const results = [];
    for (const k of [0, 1, 2]) results.push(await segment({ authorityId: AUTHORITY, auditId: 'run-a1', segment: k }));
    expect(results.every((r) => r.scanned)).toBe(true);
    expect(results.reduce((sum, r) => sum + r.childrenScanned, 0)).toBe(12);
    for (const k of [0, 1, 2]) {
      const checkpoint = await svc.store.getAuditItem<SegmentCheckpoint>(AUTHORITY, {
        auditId: 'run-a1',
        part: AUDIT_PARTS.segment(k),
      });
      expect(checkpoint!.body.workKey.startsWith(`${BUCKET_PREFIXES.work}${AUTHORITY}/run-a1/`)).toBe(true);
    }
    // A retried iteration (Step Functions retries) scans nothing again.
    expect(await segment({ authorityId: AUTHORITY, auditId: 'run-a1', segment: 1 })).toMatchObject({
      segment: 1,
      scanned: false,
    });

    expect(await finish({ authorityId: AUTHORITY, auditId: 'run-a1' })).toEqual({ status: 'published', failure: null });
    const audit = await getAudit(svc, AUTHORITY, 'run-a1');
    expect(audit!.body.manifestKey).toBe(`${BUCKET_PREFIXES.findings}${AUTHORITY}/run-a1/manifest.json`);
    expect(audit!.body.population).toBe(12);
  });

  it("record a caught failure as the audit's reason, in its trail too, and publish nothing", async () => {
    await launchAudit(svc, { ...base, auditId: 'run-a2' });
    const error = {
      Error: 'ProvisionedThroughputExceededException',
      Cause: JSON.stringify({
        errorType: 'ProvisionedThroughputExceededException',
        errorMessage: 'Rate of requests exceeds the allowed throughput.',
        trace: ['at scan (/var/task/index.mjs:1:1)'],
      }),
    };
    const reason =
      'gathering the population failed: ProvisionedThroughputExceededException: Rate of requests exceeds the allowed throughput.';
    expect(await fail({ authorityId: AUTHORITY, auditId: 'run-a2', stage: 'gathering the population', error })).toEqual(
      { status: 'failed', reason },
    );
    const audit = await getAudit(svc, AUTHORITY, 'run-a2');
    expect(audit!.body).toMatchObject({ status: 'failed', failure: { reason }, manifestKey: null });
    expect((await auditTrail(svc, AUTHORITY, 'run-a2')).at(-1)).toMatchObject({
      action: 'status:failed',
      details: { from: 'draft', reason },
    });
    expect(await svc.objects.get(`${BUCKET_PREFIXES.findings}${AUTHORITY}/run-a2/manifest.json`)).toBeNull();
  });

  it("refuse a segment outside the audit's segments (AuditRequestError: the state machine does not retry it)", async () => {
    await launchAudit(svc, { ...base, auditId: 'run-a3' });
    await expect(segment({ authorityId: AUTHORITY, auditId: 'run-a3', segment: 3 })).rejects.toMatchObject({
      name: 'AuditRequestError',
      message: expect.stringContaining("outside the audit's 3 segments"),
    });
  });

  it('refuse an event the state machine should never send, before touching the store', async () => {
    await expect(finish({ authorityId: AUTHORITY })).rejects.toMatchObject({
      name: 'RunnerEventError',
      message: expect.stringContaining('auditId:'),
    });
    await expect(
      fail({ authorityId: AUTHORITY, auditId: 'run-a3', stage: 'somewhere', error: { Error: 'x' } }),
    ).rejects.toMatchObject({ name: 'RunnerEventError', message: expect.stringContaining('stage:') });
    expect((await getAudit(svc, AUTHORITY, 'run-a3'))!.body.status).toBe('draft');
  });
});
