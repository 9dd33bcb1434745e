/** Batch writes and reads survive partial batches and throttling, and give up loudly (faults injected with aws-sdk-client-mock). */
import { DynamoDBClient, ProvisionedThroughputExceededException, ThrottlingException } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, BatchWriteCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { BatchIncompleteError, backoffDelay, batchGetAll, batchWriteAll } from '#store/batch';

const TABLE = 'records';
const documents = DynamoDBDocumentClient.from(
  new DynamoDBClient({ region: 'eu-west-2', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } }),
);
const dynamo = mockClient(DynamoDBDocumentClient);

afterEach(() => dynamo.reset());

const items = (count: number) => Array.from({ length: count }, (_, i) => ({ pk: `A#t#C#${i}`, sk: 'CHILD', n: i }));
const unprocessed = (rows: Record<string, unknown>[]) => ({
  UnprocessedItems: { [TABLE]: rows.map((Item) => ({ PutRequest: { Item } })) },
});
const throttled = () => new ProvisionedThroughputExceededException({ message: 'slow down', $metadata: {} });

/** A sleep that records what it was asked to wait and returns at once. */
function recordingSleep() {
  const waits: number[] = [];
  return { waits, sleep: async (ms: number) => void waits.push(ms) };
}

/** Every item sent in a BatchWrite call, flattened. */
function written(): Record<string, unknown>[] {
  return dynamo
    .commandCalls(BatchWriteCommand)
    .flatMap((call) => call.args[0].input.RequestItems?.[TABLE] ?? [])
    .map((request) => request.PutRequest?.Item as Record<string, unknown>);
}

describe('batchWriteAll', () => {
  it('sends at most 25 items per request', async () => {
    dynamo.on(BatchWriteCommand).resolves({});
    await batchWriteAll(documents, TABLE, items(60));
    const sizes = dynamo.commandCalls(BatchWriteCommand).map((call) => call.args[0].input.RequestItems![TABLE]!.length);
    expect(sizes.sort((a, b) => b - a)).toEqual([25, 25, 10]);
  });

  it('sends nothing for no items', async () => {
    await batchWriteAll(documents, TABLE, []);
    expect(dynamo.commandCalls(BatchWriteCommand)).toHaveLength(0);
  });

  it('resends unprocessed items until all are written, waiting longer each time', async () => {
    const rows = items(10);
    dynamo
      .on(BatchWriteCommand)
      .resolvesOnce(unprocessed(rows.slice(4)))
      .resolvesOnce(unprocessed(rows.slice(8)))
      .resolves({});
    const { waits, sleep } = recordingSleep();
    await batchWriteAll(documents, TABLE, rows, { sleep, random: () => 0.999 });
    const calls = dynamo.commandCalls(BatchWriteCommand);
    expect(calls.map((call) => call.args[0].input.RequestItems![TABLE]!.length)).toEqual([10, 6, 2]);
    expect(
      new Set(
        written()
          .slice(-2)
          .map((item) => item.n),
      ),
    ).toEqual(new Set([8, 9]));
    expect(waits).toHaveLength(2);
    expect(waits[1]!).toBeGreaterThan(waits[0]!);
    expect(waits).toEqual([49, 99]);
  });

  it('retries a throttled request', async () => {
    dynamo
      .on(BatchWriteCommand)
      .rejectsOnce(throttled())
      .rejectsOnce(new ThrottlingException({ message: 'rate', $metadata: {} }))
      .resolves({});
    const { waits, sleep } = recordingSleep();
    await batchWriteAll(documents, TABLE, items(3), { sleep });
    expect(dynamo.commandCalls(BatchWriteCommand)).toHaveLength(3);
    expect(waits).toHaveLength(2);
  });

  it('passes any other error straight through, without retrying', async () => {
    dynamo.on(BatchWriteCommand).rejects(Object.assign(new Error('bad item'), { name: 'ValidationException' }));
    const { waits, sleep } = recordingSleep();
    await expect(batchWriteAll(documents, TABLE, items(3), { sleep })).rejects.toThrow('bad item');
    expect(dynamo.commandCalls(BatchWriteCommand)).toHaveLength(1);
    expect(waits).toEqual([]);
  });

  it('gives up after the last attempt, saying how many items were left', async () => {
    const rows = items(5);
    dynamo.on(BatchWriteCommand).resolves(unprocessed(rows.slice(2)));
    const { waits, sleep } = recordingSleep();
    const error = await batchWriteAll(documents, TABLE, rows, { sleep, maxAttempts: 8 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BatchIncompleteError);
    expect((error as Error).message).toBe('BatchWriteItem gave up after 8 attempts with 3 items left unprocessed');
    expect((error as BatchIncompleteError).remaining).toBe(3);
    expect(dynamo.commandCalls(BatchWriteCommand)).toHaveLength(8);
    expect(waits).toHaveLength(7);
  });

  it('gives up on endless throttling with the throttling error as the cause', async () => {
    dynamo.on(BatchWriteCommand).rejects(throttled());
    const { sleep } = recordingSleep();
    const error = await batchWriteAll(documents, TABLE, items(4), { sleep, maxAttempts: 3 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BatchIncompleteError);
    expect((error as Error).message).toMatch(/after 3 attempts with 4 items left/);
    expect((error as Error).cause).toBeInstanceOf(ProvisionedThroughputExceededException);
  });
});

describe('backoff', () => {
  it('doubles from 50 ms and stops growing at the cap (full jitter: a random share of it)', () => {
    const settings = { baseDelayMs: 50, maxDelayMs: 5_000, random: () => 0.5 };
    expect([1, 2, 3, 4, 7, 8, 12].map((retry) => backoffDelay(retry, settings))).toEqual([
      25, 50, 100, 200, 1600, 2500, 2500,
    ]);
    expect(backoffDelay(5, { ...settings, random: () => 0 })).toBe(0);
  });
});

describe('batchGetAll', () => {
  it('asks again for unprocessed keys and returns every item found', async () => {
    const rows = items(150);
    const keys = rows.map(({ pk, sk }) => ({ pk, sk }));
    dynamo
      .on(BatchGetCommand)
      // One chunk at a time: the first 100 keys (70 found, 30 unprocessed), those 30 again, then the last 50.
      .resolvesOnce({
        Responses: { [TABLE]: rows.slice(0, 70) },
        UnprocessedKeys: { [TABLE]: { Keys: keys.slice(70, 100) } },
      })
      .resolvesOnce({ Responses: { [TABLE]: rows.slice(70, 100) } })
      .resolvesOnce({ Responses: { [TABLE]: rows.slice(100) } });
    const { waits, sleep } = recordingSleep();
    const found = await batchGetAll(documents, TABLE, keys, {
      sleep,
      concurrency: 1,
      attributes: ['pk', 'sk', 'version'],
    });
    expect(found.map((item) => item.n).sort((a, b) => Number(a) - Number(b))).toEqual(rows.map((row) => row.n));
    const calls = dynamo.commandCalls(BatchGetCommand).map((call) => call.args[0].input.RequestItems![TABLE]!);
    expect(calls.map((request) => request.Keys!.length)).toEqual([100, 30, 50]);
    expect(calls[1]!.Keys).toEqual(keys.slice(70, 100));
    expect(calls[0]!.ProjectionExpression).toBe('#p0, #p1, #p2');
    expect(calls[0]!.ExpressionAttributeNames).toEqual({ '#p0': 'pk', '#p1': 'sk', '#p2': 'version' });
    expect(waits).toHaveLength(1);
  });

  it('retries a throttled read and gives up after the last attempt', async () => {
    dynamo
      .on(BatchGetCommand)
      .rejectsOnce(throttled())
      .resolves({ Responses: { [TABLE]: [] }, UnprocessedKeys: { [TABLE]: { Keys: [{ pk: 'a', sk: 'b' }] } } });
    const { sleep } = recordingSleep();
    const error = await batchGetAll(documents, TABLE, [{ pk: 'a', sk: 'b' }], { sleep, maxAttempts: 4 }).catch(
      (e: unknown) => e,
    );
    expect((error as Error).message).toBe('BatchGetItem gave up after 4 attempts with 1 item left unprocessed');
    expect(dynamo.commandCalls(BatchGetCommand)).toHaveLength(4);
  });
});
