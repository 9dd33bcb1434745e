/** Partial rows in the store (an Annex A row knows a child's date of birth, not their UPN): merged over what is stored, never blanking it, even under a concurrent write. */
import { randomUUID } from 'node:crypto';
import { PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { createDynamoDocumentClient } from '#config/aws-clients';
import type { Child } from '#domain/records';
import { DynamoRecordStore } from '#store/dynamo-store';
import { ensureTable } from '#store/table';

const A = 'partial';
let client: DynamoDBDocumentClient;
let tableName: string;
let store: DynamoRecordStore;

beforeAll(async () => {
  tableName = `partial-${randomUUID()}`;
  client = createDynamoDocumentClient({
    region: 'eu-west-2',
    tableName,
    bucketName: 'unused',
    dynamoEndpoint: inject('dynamoEndpoint'),
  });
  await ensureTable(client, tableName);
  store = new DynamoRecordStore(client, tableName);
});

const child = (over: Partial<Child>): Child => ({
  childId: 'P1',
  sex: 'M',
  dateOfBirth: '2012-03-14',
  ethnicity: 'WBRI',
  upn: null,
  motherChildDateOfBirth: null,
  ...over,
});
const childOf = async (childId: string) => (await store.getChildRecords(A, childId))?.child;

describe('partial rows', () => {
  it('are written whole when nothing is stored, and merged over what is when something is', async () => {
    expect(await store.holdsRecords('partial-none')).toBe(false);
    expect(
      await store.upsertRecords(A, [
        { kind: 'child', record: child({ ethnicity: null }), heldFields: ['childId', 'dateOfBirth'] },
      ]),
    ).toEqual({ created: 1, updated: 0, unchanged: 0 });
    expect(await store.holdsRecords(A)).toBe(true);
    expect(await childOf('P1')).toEqual(child({ ethnicity: null }));
    await store.upsertRecords(A, [{ kind: 'child', record: child({ upn: 'A123456789012', ethnicity: 'MWBC' }) }]);
    const summary = await store.upsertRecords(A, [
      {
        kind: 'child',
        record: child({ sex: 'F', upn: null, ethnicity: null }),
        heldFields: ['childId', 'dateOfBirth', 'sex'],
      },
    ]);
    expect(summary).toEqual({ created: 0, updated: 1, unchanged: 0 });
    expect(await childOf('P1')).toEqual(child({ sex: 'F', upn: 'A123456789012', ethnicity: 'MWBC' }));
    // The same partial row again: it holds nothing new.
    expect(
      await store.upsertRecords(A, [
        {
          kind: 'child',
          record: child({ sex: 'F', upn: null, ethnicity: null }),
          heldFields: ['childId', 'dateOfBirth', 'sex'],
        },
      ]),
    ).toEqual({ created: 0, updated: 0, unchanged: 1 });
  });

  it('keep a field another writer changed between the read and the write', async () => {
    await store.upsertRecords(A, [{ kind: 'child', record: child({ childId: 'P2' }) }]);
    let raced = false;
    // A client that lets another writer change the UPN just before the partial row's conditional put.
    const racing = {
      send: async (command: unknown) => {
        if (!raced && command instanceof PutCommand && command.input.Item?.pk === `A#${A}#C#P2`) {
          raced = true;
          await new DynamoRecordStore(client, tableName).upsertRecords(A, [
            { kind: 'child', record: child({ childId: 'P2', upn: 'Z999999999999' }) },
          ]);
        }
        return client.send(command as never);
      },
    } as unknown as DynamoDBDocumentClient;
    const summary = await new DynamoRecordStore(racing, tableName).upsertRecords(A, [
      { kind: 'child', record: child({ childId: 'P2', sex: 'F' }), heldFields: ['childId', 'dateOfBirth', 'sex'] },
    ]);
    expect(raced).toBe(true);
    expect(summary).toEqual({ created: 0, updated: 1, unchanged: 0 });
    expect(await childOf('P2')).toEqual(child({ childId: 'P2', sex: 'F', upn: 'Z999999999999' }));
  });
});
