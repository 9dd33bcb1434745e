/**
 * Faults injected with aws-sdk-client-mock in front of the real local servers: throttled scans and
 * failing S3 puts are retried with backoff and the audit's findings come out as without faults;
 * an error that would fail again is not retried and publishes nothing.
 */
import { randomUUID } from 'node:crypto';
import {
  GetCommand,
  QueryCommand,
  ScanCommand,
  PutCommand,
  type DynamoDBDocumentClient,
  DynamoDBDocumentClient as DocumentClient,
} from '@aws-sdk/lib-dynamodb';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { createDynamoDocumentClient, createS3Client } from '#config/aws-clients';
import { runAudit, type AuditRequest } from '#audit/runner';
import { readTemplateLibrary } from '#audit/template-library';
import { REGULATIONS_2010 } from '#domain/timescales';
import { MANIFEST_FILE, auditPrefix, publishFindings } from '#reports/publish';
import { DynamoRecordStore } from '#store/dynamo-store';
import { S3ObjectStore, ensureBucket } from '#store/object-store';
import { ensureTable } from '#store/table';
import { child, episode, involvement, review, toDomainRecords } from '../support/records.ts';

const tableName = `faults-${randomUUID()}`;
const bucketName = `faults-${randomUUID()}`;
let real: DynamoDBDocumentClient;
let realS3: S3Client;
let request: AuditRequest;
const fast = { baseDelayMs: 1, maxDelayMs: 2 };

const throttled = () =>
  Object.assign(new Error('Rate of requests exceeds the allowed throughput.'), {
    name: 'ProvisionedThroughputExceededException',
    $metadata: { httpStatusCode: 400 },
  });
const slowDown = () =>
  Object.assign(new Error('Please reduce your request rate.'), {
    name: 'SlowDown',
    $metadata: { httpStatusCode: 503 },
  });
const denied = () =>
  Object.assign(new Error('Access Denied'), { name: 'AccessDenied', $metadata: { httpStatusCode: 403 } });

/** A document client whose commands reach the real dynalite, except for the faults a test queues. */
function faultyDynamo() {
  const client = DocumentClient.from(new DynamoDBClient({ region: 'eu-west-2' }));
  const mock = mockClient(client);
  mock.on(GetCommand).callsFake((input) => real.send(new GetCommand(input)));
  mock.on(QueryCommand).callsFake((input) => real.send(new QueryCommand(input)));
  mock.on(PutCommand).callsFake((input) => real.send(new PutCommand(input)));
  mock.on(ScanCommand).callsFake((input) => real.send(new ScanCommand(input)));
  return { client, mock };
}

beforeAll(async () => {
  const config = {
    region: 'eu-west-2',
    tableName,
    bucketName,
    dynamoEndpoint: inject('dynamoEndpoint'),
    s3Endpoint: inject('s3Endpoint'),
  };
  real = createDynamoDocumentClient(config);
  realS3 = createS3Client(config);
  await ensureTable(real, tableName);
  await ensureBucket(realS3, bucketName);
  const store = new DynamoRecordStore(real, tableName);
  await store.putAuthority({ authorityId: 'faults', name: 'Faults Borough', timescales: REGULATIONS_2010 });
  const records = Array.from({ length: 12 }, (_, i) => {
    const id = `F${i}`;
    return child(id, '2012-01-01', {
      episodes: [episode(id, '2024-01-03')],
      reviews: [review(id, i % 3 === 0 ? '2024-02-01' : '2024-01-30')],
      involvements: [involvement(id, 'SW1', 'SW', '2024-01-03'), involvement(id, 'IRO1', 'IRO', '2024-01-03')],
    });
  });
  for (const r of records) await store.upsertRecords('faults', toDomainRecords(r));
  const template = (await readTemplateLibrary()).templates.get('review-timeliness-participation')!;
  request = {
    auditId: 'faulty-1',
    authorityId: 'faults',
    title: 'Faults',
    template,
    period: { from: '2024-01-01', to: '2024-03-31' },
    sampling: { type: 'all' },
    seed: 1,
    autoOnly: true,
  };
});

describe('faults', () => {
  it('retries throttled scans with backoff and produces the same findings as a run without faults', async () => {
    const clean = await runAudit(new DynamoRecordStore(real, tableName), request, {
      segments: 3,
      now: () => new Date('2024-04-10T09:00:00Z'),
    });
    const { client, mock } = faultyDynamo();
    mock
      .on(ScanCommand)
      .rejectsOnce(throttled())
      .rejectsOnce(throttled())
      .callsFake((input) => real.send(new ScanCommand(input)));
    const faulty = await runAudit(new DynamoRecordStore(client, tableName, { retry: fast }), request, {
      segments: 3,
      now: () => new Date('2024-04-10T09:00:00Z'),
    });
    expect(mock.commandCalls(ScanCommand).length).toBeGreaterThanOrEqual(5); // 3 segments + 2 retried
    expect(faulty.findings).toEqual(clean.findings);
    expect(faulty.findings.population).toBe(12);
    expect(faulty.findings.criteria.find((c) => c.id === 'review-in-timescale')).toMatchObject({ met: 8, notMet: 4 });
  });

  it('gives up on a scan that keeps being throttled, naming the fault', async () => {
    const { client, mock } = faultyDynamo();
    mock.on(ScanCommand).rejects(throttled());
    await expect(
      runAudit(new DynamoRecordStore(client, tableName, { retry: { ...fast, maxAttempts: 3 } }), request, {
        segments: 2,
      }),
    ).rejects.toThrow(/allowed throughput/);
    expect(mock.commandCalls(ScanCommand).length).toBe(6); // 2 segments × 3 attempts
  });

  it('retries S3 errors when publishing, and every file arrives whole', async () => {
    const { findings } = await runAudit(
      new DynamoRecordStore(real, tableName),
      { ...request, auditId: 'faulty-2' },
      { segments: 2 },
    );
    const s3 = new S3Client({ region: 'eu-west-2' });
    const mock = mockClient(s3);
    mock
      .on(PutObjectCommand)
      .rejectsOnce(slowDown())
      .rejectsOnce(slowDown())
      .callsFake((input) => realS3.send(new PutObjectCommand(input)));
    mock.on(GetObjectCommand).callsFake((input) => realS3.send(new GetObjectCommand(input)));
    const manifest = await publishFindings(new S3ObjectStore(s3, bucketName, fast), findings);
    const objects = new S3ObjectStore(realS3, bucketName);
    for (const file of manifest.files) {
      const bytes = await objects.get(file.key);
      expect(bytes?.byteLength, file.name).toBe(file.size);
    }
    expect(await objects.get(`${auditPrefix('faults', 'faulty-2')}${MANIFEST_FILE}`)).not.toBeNull();
  });

  it('does not retry an error that would fail again, and publishes no manifest', async () => {
    const { findings } = await runAudit(
      new DynamoRecordStore(real, tableName),
      { ...request, auditId: 'faulty-3' },
      { segments: 2 },
    );
    const s3 = new S3Client({ region: 'eu-west-2' });
    const mock = mockClient(s3);
    mock.on(GetObjectCommand).callsFake((input) => realS3.send(new GetObjectCommand(input)));
    mock
      .on(PutObjectCommand)
      .callsFakeOnce((input) => realS3.send(new PutObjectCommand(input)))
      .rejects(denied());
    await expect(publishFindings(new S3ObjectStore(s3, bucketName, fast), findings)).rejects.toThrow('Access Denied');
    expect(mock.commandCalls(PutObjectCommand)).toHaveLength(2);
    expect(
      await new S3ObjectStore(realS3, bucketName).get(`${auditPrefix('faults', 'faulty-3')}${MANIFEST_FILE}`),
    ).toBeNull();
  });
});
