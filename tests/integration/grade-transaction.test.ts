/**
 * A grade and its trail entry are one transaction (TransactWriteItems), on the local stack as on AWS:
 * with faults injected in front of the real dynalite (aws-sdk-client-mock), a failed transaction
 * leaves neither, a transaction whose answer was lost is retried without being applied twice (the
 * caller never sees a failure for a grade that was saved), and a stale version is a conflict that
 * writes nothing, as before.
 */
import { randomUUID } from 'node:crypto';
import { DynamoDBClient, TransactWriteItemsCommand } from '@aws-sdk/client-dynamodb';
import {
  DynamoDBDocumentClient as DocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { freshStorage } from '../support/storage.ts';
import { child, episode, involvement, review, toDomainRecords } from '../support/records.ts';
import { AUDIT_PARTS, GradingRecord } from '#audit/audit-record';
import { auditTrail, gradingRecords } from '#audit/jobs';
import type { Principal } from '#auth/principal';
import type { Professional } from '#domain/records';
import { REGULATIONS_2010 } from '#domain/timescales';
import { InProcessAuditRunner } from '#service/audit-runner';
import { launch } from '#service/audits';
import type { ServiceContext } from '#service/context';
import { ConflictError } from '#service/errors';
import { saveGrades } from '#service/grading';
import { TemplateCatalogue } from '#service/templates';
import { DynamoRecordStore } from '#store/dynamo-store';
import { auditItemKey } from '#store/keys';
import { VersionConflictError } from '#store/record-store';

const AUTHORITY = 'tx';
const fast = { baseDelayMs: 1, maxDelayMs: 2 };
const QA: Principal = { userId: 'qa-lead-1', roles: ['qa-lead'], authorityId: AUTHORITY };
let real: DynamoDBDocumentClient;
let tableName: string;
let ctx: ServiceContext;
let store: DynamoRecordStore;
let auditId: string;
let records: GradingRecord[];

const iro = (workerId: string): Principal => ({
  userId: randomUUID(),
  workerId,
  roles: ['iro'],
  authorityId: AUTHORITY,
});
const throttled = () =>
  Object.assign(new Error('Rate of requests exceeds the allowed throughput.'), {
    name: 'ProvisionedThroughputExceededException',
    $metadata: { httpStatusCode: 400 },
  });
const connectionLost = () =>
  Object.assign(new Error('socket hang up'), { name: 'TimeoutError', code: 'ECONNRESET', $metadata: {} });
const denied = () =>
  Object.assign(new Error('User is not authorized to perform: dynamodb:PutItem'), {
    name: 'AccessDeniedException',
    $metadata: { httpStatusCode: 400 },
  });

/** The service over a document client whose commands reach the real dynalite, except for the faults a test queues. */
function faulty() {
  const client = DocumentClient.from(new DynamoDBClient({ region: 'eu-west-2' }));
  const mock = mockClient(client);
  mock.on(GetCommand).callsFake((input) => real.send(new GetCommand(input)));
  mock.on(QueryCommand).callsFake((input) => real.send(new QueryCommand(input)));
  mock.on(PutCommand).callsFake((input) => real.send(new PutCommand(input)));
  mock.on(TransactWriteCommand).callsFake((input) => real.send(new TransactWriteCommand(input)));
  return { mock, ctx: { ...ctx, store: new DynamoRecordStore(client, tableName, { retry: fast }) } };
}

/** The record as stored now, and the trail entries of grades saved on it. */
async function storedNow(recordId: string) {
  const record = await store.getAuditItem<GradingRecord>(AUTHORITY, { auditId, part: AUDIT_PARTS.record(recordId) });
  const entries = (await auditTrail(ctx, AUTHORITY, auditId)).filter(
    (e) => e.action === 'grade' && e.details.recordId === recordId,
  );
  return { version: record!.version, grades: record!.body.grades, entries };
}

beforeAll(async () => {
  const storage = await freshStorage('tx');
  ({ store, documents: real } = storage);
  tableName = storage.config.tableName;
  const runner = new InProcessAuditRunner({ store, objects: storage.objects });
  ctx = { store, objects: storage.objects, links: storage.objects, runner, templates: new TemplateCatalogue(store) };
  await store.putAuthority({ authorityId: AUTHORITY, name: 'Transaction Borough', timescales: REGULATIONS_2010 });
  const staff: Professional[] = [
    { workerId: 'SW1', role: 'SW', team: 'North 1', service: 'CiN/CP North' },
    ...['IRO1', 'IRO2'].map((workerId) => ({ workerId, role: 'IRO' as const, team: 'IRO Service', service: 'QA' })),
  ];
  await store.upsertRecords(
    AUTHORITY,
    staff.map((record) => ({ kind: 'professional' as const, record })),
  );
  for (let i = 0; i < 6; i++) {
    const id = `T${i}`;
    await store.upsertRecords(
      AUTHORITY,
      toDomainRecords(
        child(id, '2012-01-01', {
          episodes: [episode(id, '2024-01-03')],
          reviews: [review(id, '2024-01-29', { iroId: 'IRO1' })],
          involvements: [involvement(id, 'SW1', 'SW', '2024-01-03'), involvement(id, 'IRO1', 'IRO', '2024-01-03')],
        }),
      ),
    );
  }
  const { audit } = await launch(ctx, QA, {
    templateId: 'review-timeliness-participation',
    from: '2024-01-01',
    to: '2024-03-31',
    sample: { type: 'all' },
    seed: 5,
  });
  await runner.idle();
  auditId = audit.auditId;
  records = (await gradingRecords(ctx, AUTHORITY, auditId))
    .map((r) => r.body)
    .sort((a, b) => a.recordId.localeCompare(b.recordId));
  // Every child's IRO is IRO1, so IRO2 grades them all.
  expect(records.map((r) => r.assignedTo)).toEqual(records.map(() => 'IRO2'));
});

describe('the store writes documents together or not at all', () => {
  const key = (part: string) => ({ auditId: 'tx-store', part });

  it('writes every document of a transaction, each at its next version', async () => {
    const written = await store.putAuditItems(AUTHORITY, [
      { key: key('a1'), body: { n: 1 }, expectedVersion: 0 },
      { key: key('b1'), body: { n: 2 }, expectedVersion: 0 },
    ]);
    expect(written.map((w) => w.version)).toEqual([1, 1]);
    expect((await store.getAuditItem(AUTHORITY, key('a1')))?.body).toEqual({ n: 1 });
    expect((await store.getAuditItem(AUTHORITY, key('b1')))?.body).toEqual({ n: 2 });
  });

  it('writes none when one write’s version is stale, and names that one; what the others would have replaced is as it was', async () => {
    await store.putAuditItem(AUTHORITY, key('a2'), { before: true }, 0);
    await store.putAuditItem(AUTHORITY, key('b2'), { taken: true }, 0);
    const error = await store
      .putAuditItems(AUTHORITY, [
        { key: key('a2'), body: { after: true }, expectedVersion: 1 },
        { key: key('c2'), body: { fresh: true }, expectedVersion: 0 },
        { key: key('b2'), body: { mine: true }, expectedVersion: 0 },
      ])
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(VersionConflictError);
    expect((error as VersionConflictError).key).toEqual(key('b2'));
    expect((error as VersionConflictError).current).toMatchObject({ version: 1, body: { taken: true } });
    expect(await store.getAuditItem(AUTHORITY, key('a2'))).toMatchObject({ version: 1, body: { before: true } });
    expect(await store.getAuditItem(AUTHORITY, key('c2'))).toBeNull();
  });

  it('applies a request sent twice with the same ClientRequestToken once, and refuses the token for another request', async () => {
    const low = new DynamoDBClient({
      region: 'eu-west-2',
      endpoint: inject('dynamoEndpoint'),
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    const item = (n: number) => ({
      Put: {
        TableName: tableName,
        Item: { ...itemKey('tok'), n: { N: String(n) } },
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    });
    const ClientRequestToken = randomUUID();
    await low.send(new TransactWriteItemsCommand({ TransactItems: [item(1)], ClientRequestToken }));
    // Sent again (an answer lost on the way back): the condition would now fail, but the token says it is done.
    await low.send(new TransactWriteItemsCommand({ TransactItems: [item(1)], ClientRequestToken }));
    await expect(
      low.send(new TransactWriteItemsCommand({ TransactItems: [item(2)], ClientRequestToken })),
    ).rejects.toMatchObject({ name: 'IdempotentParameterMismatchException' });
    await expect(low.send(new TransactWriteItemsCommand({ TransactItems: [item(3)] }))).rejects.toMatchObject({
      name: 'TransactionCanceledException',
      CancellationReasons: [{ Code: 'ConditionalCheckFailed' }],
    });
  });

  const itemKey = (part: string) => {
    const k = auditItemKey(AUTHORITY, 'tx-store', part);
    return { pk: { S: k.pk }, sk: { S: k.sk } };
  };
});

describe('a grade and its trail entry', () => {
  it('are saved together: one grade, one entry naming the worker and the version', async () => {
    const recordId = records[0]!.recordId;
    const saved = await saveGrades(ctx, iro('IRO2'), auditId, recordId, {
      version: 1,
      grades: { 'voice-of-the-child': 'Good' },
    });
    expect(saved.version).toBe(2);
    const now = await storedNow(recordId);
    expect(now).toMatchObject({ version: 2, grades: { 'voice-of-the-child': 'Good' } });
    expect(now.entries).toHaveLength(1);
    expect(now.entries[0]!.details).toMatchObject({ recordId, version: 2, workerId: 'IRO2' });
  });

  it('a transaction that fails leaves neither the grade nor the entry', async () => {
    const recordId = records[1]!.recordId;
    const { mock, ctx: faultyCtx } = faulty();
    mock.on(TransactWriteCommand).rejects(denied());
    await expect(
      saveGrades(faultyCtx, iro('IRO2'), auditId, recordId, { version: 1, grades: { 'voice-of-the-child': 'Good' } }),
    ).rejects.toThrow(/not authorized/);
    expect(await storedNow(recordId)).toEqual({ version: 1, grades: {}, entries: [] });
  });

  it('a transaction cancelled by its trail entry’s write leaves the grade unsaved too', async () => {
    const recordId = records[2]!.recordId;
    const { mock, ctx: faultyCtx } = faulty();
    // Another writer takes the entry's key first: the entry cannot be created, so the grade must not be either.
    mock
      .on(TransactWriteCommand)
      .callsFake(async (input: { TransactItems: { Put: { Item: { pk: string; sk: string } } }[] }) => {
        const entry = input.TransactItems[1]!.Put.Item;
        await real.send(
          new PutCommand({
            TableName: tableName,
            Item: { pk: entry.pk, sk: entry.sk, kind: 'auditItem', version: 1, body: { planted: true } },
          }),
        );
        return real.send(new TransactWriteCommand(input as never));
      });
    await expect(
      saveGrades(faultyCtx, iro('IRO2'), auditId, recordId, {
        version: 1,
        grades: { 'voice-of-the-child': 'Inadequate' },
      }),
    ).rejects.toBeInstanceOf(VersionConflictError);
    expect(await storedNow(recordId)).toEqual({ version: 1, grades: {}, entries: [] });
  });

  it('a transaction applied whose answer was lost is retried with the same token: the IRO sees it saved, and it is saved once', async () => {
    const recordId = records[3]!.recordId;
    const { mock, ctx: faultyCtx } = faulty();
    mock
      .on(TransactWriteCommand)
      .callsFakeOnce(async (input) => {
        await real.send(new TransactWriteCommand(input));
        throw connectionLost();
      })
      .callsFake((input) => real.send(new TransactWriteCommand(input)));
    const saved = await saveGrades(faultyCtx, iro('IRO2'), auditId, recordId, {
      version: 1,
      grades: { 'voice-of-the-child': 'Outstanding' },
    });
    expect(saved).toMatchObject({ version: 2, grades: { 'voice-of-the-child': 'Outstanding' } });
    const calls = mock.commandCalls(TransactWriteCommand);
    expect(calls).toHaveLength(2);
    expect(calls[1]!.args[0].input.ClientRequestToken).toBe(calls[0]!.args[0].input.ClientRequestToken);
    const now = await storedNow(recordId);
    expect(now).toMatchObject({ version: 2, grades: { 'voice-of-the-child': 'Outstanding' } });
    expect(now.entries).toHaveLength(1);
  });

  it('a throttled transaction is tried again and saved once', async () => {
    const recordId = records[4]!.recordId;
    const { mock, ctx: faultyCtx } = faulty();
    mock
      .on(TransactWriteCommand)
      .rejectsOnce(throttled())
      .callsFake((input) => real.send(new TransactWriteCommand(input)));
    expect(
      (
        await saveGrades(faultyCtx, iro('IRO2'), auditId, recordId, {
          version: 1,
          grades: { 'voice-of-the-child': 'Good' },
        })
      ).version,
    ).toBe(2);
    expect((await storedNow(recordId)).entries).toHaveLength(1);
  });

  it('over a stale version is a conflict carrying the grades as they are, with no entry; saved again over them, one entry more', async () => {
    const recordId = records[0]!.recordId;
    const stale = await saveGrades(ctx, iro('IRO2'), auditId, recordId, {
      version: 1,
      grades: { 'voice-of-the-child': 'Inadequate' },
    }).catch((e: unknown) => e);
    expect(stale).toBeInstanceOf(ConflictError);
    expect((stale as ConflictError).extra.current).toMatchObject({
      version: 2,
      grades: { 'voice-of-the-child': 'Good' },
    });
    expect(await storedNow(recordId)).toMatchObject({ version: 2, grades: { 'voice-of-the-child': 'Good' } });
    expect((await storedNow(recordId)).entries).toHaveLength(1);
    await saveGrades(ctx, iro('IRO2'), auditId, recordId, {
      version: 2,
      grades: { 'voice-of-the-child': 'Inadequate' },
    });
    expect(await storedNow(recordId)).toMatchObject({ version: 3, grades: { 'voice-of-the-child': 'Inadequate' } });
    expect((await storedNow(recordId)).entries.map((e) => e.details.version)).toEqual([2, 3]);
  });

  it('two saves at once over the same version: one is saved with its entry, the other is a conflict with none', async () => {
    const recordId = records[5]!.recordId;
    const results = await Promise.allSettled(
      ['Good', 'Outstanding', 'Inadequate'].map((grade) =>
        saveGrades(ctx, iro('IRO2'), auditId, recordId, { version: 1, grades: { 'voice-of-the-child': grade } }),
      ),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    for (const r of results.filter((r) => r.status === 'rejected'))
      expect((r as PromiseRejectedResult).reason).toBeInstanceOf(ConflictError);
    expect((await storedNow(recordId)).entries).toHaveLength(1);
  });
});
