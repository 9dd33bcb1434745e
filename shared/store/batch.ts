/**
 * BatchWriteItem and BatchGetItem over any number of items. DynamoDB may process only part of a
 * batch (UnprocessedItems / UnprocessedKeys) or refuse it when throttled; both are normal under
 * load, and retrying them with backoff is the caller's job — so it is done once, here.
 */
import { BatchGetCommand, BatchWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { AppError } from '#errors';

/** DynamoDB's own per-request maxima: a larger batch is rejected outright, not split. */
export const BATCH_WRITE_LIMIT = 25;
export const BATCH_GET_LIMIT = 100;

export interface BatchOptions {
  /** Attempts per chunk, the first included (default 8). */
  maxAttempts?: number;
  /** Backoff before retry n is random in [0, min(maxDelayMs, baseDelayMs·2^(n−1))) ("full jitter"). */
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** Chunks in flight at once (default 8: on dynalite, 8 rather than 4 halves the time per item of an import). */
  concurrency?: number;
  /** Injected by tests to observe the backoff without waiting for it. */
  sleep?: (ms: number) => Promise<void>;
  /** Injected by tests to make the jitter predictable; returns [0, 1). */
  random?: () => number;
}

export interface BatchGetOptions extends BatchOptions {
  /** Attributes to read (names, not paths); all when absent. */
  attributes?: readonly string[];
  consistentRead?: boolean;
}

/**
 * A batch that still had unprocessed items when the attempts ran out: internal, and worth another
 * go later (the state machine retries it by its name, which stays).
 */
export class BatchIncompleteError extends AppError {
  constructor(
    readonly operation: 'BatchWriteItem' | 'BatchGetItem',
    readonly remaining: number,
    readonly attempts: number,
    options?: { cause?: unknown },
  ) {
    super(
      'internal',
      `${operation} gave up after ${attempts} attempts with ${remaining} item${remaining === 1 ? '' : 's'} left unprocessed`,
      {
        name: 'BatchIncompleteError',
        code: 'batch-incomplete',
        ...(options?.cause === undefined ? {} : { cause: options.cause }),
      },
    );
  }
}

type Item = Record<string, unknown>;
type Key = Record<string, unknown>;

const THROTTLING_ERRORS = new Set([
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'RequestLimitExceeded',
]);

/** True for the errors that mean "slow down and try again", not "this request is wrong". */
export function isThrottling(error: unknown): boolean {
  const e = error as { name?: string; $retryable?: { throttling?: boolean } } | undefined;
  return THROTTLING_ERRORS.has(e?.name ?? '') || e?.$retryable?.throttling === true;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

interface Resolved {
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  concurrency: number;
  sleep: (ms: number) => Promise<void>;
  random: () => number;
}

function resolve(options: BatchOptions): Resolved {
  return {
    maxAttempts: Math.max(1, options.maxAttempts ?? 8),
    baseDelayMs: options.baseDelayMs ?? 50,
    maxDelayMs: options.maxDelayMs ?? 5_000,
    concurrency: Math.max(1, options.concurrency ?? 8),
    sleep: options.sleep ?? defaultSleep,
    random: options.random ?? Math.random,
  };
}

/** The full-jitter delay before retry number `retry` (1 for the first retry). */
export function backoffDelay(retry: number, options: Pick<Resolved, 'baseDelayMs' | 'maxDelayMs' | 'random'>): number {
  return Math.floor(options.random() * Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** (retry - 1)));
}

/** Writes (puts) every item, 25 per request, retrying unprocessed items and throttling until done or out of attempts. */
export async function batchWriteAll(
  client: Pick<DynamoDBDocumentClient, 'send'>,
  tableName: string,
  items: readonly Item[],
  options: BatchOptions = {},
): Promise<void> {
  const settings = resolve(options);
  await forEachChunk(chunk(items, BATCH_WRITE_LIMIT), settings.concurrency, async (part) => {
    let pending: Item[] = part;
    await retrying(
      'BatchWriteItem',
      () => pending.length,
      settings,
      async () => {
        const output = await client.send(
          new BatchWriteCommand({ RequestItems: { [tableName]: pending.map((Item) => ({ PutRequest: { Item } })) } }),
        );
        pending = (output.UnprocessedItems?.[tableName] ?? []).flatMap((request) =>
          request.PutRequest?.Item ? [request.PutRequest.Item] : [],
        );
      },
    );
  });
}

/** Reads every key, 100 per request, retrying unprocessed keys and throttling; the order of the result is not the order of `keys`. */
export async function batchGetAll(
  client: Pick<DynamoDBDocumentClient, 'send'>,
  tableName: string,
  keys: readonly Key[],
  options: BatchGetOptions = {},
): Promise<Item[]> {
  const settings = resolve(options);
  const projection = options.attributes?.length
    ? {
        ProjectionExpression: options.attributes.map((_, i) => `#p${i}`).join(', '),
        ExpressionAttributeNames: Object.fromEntries(options.attributes.map((name, i) => [`#p${i}`, name])),
      }
    : {};
  const found: Item[] = [];
  await forEachChunk(chunk(keys, BATCH_GET_LIMIT), settings.concurrency, async (part) => {
    let pending: Key[] = part;
    await retrying(
      'BatchGetItem',
      () => pending.length,
      settings,
      async () => {
        const output = await client.send(
          new BatchGetCommand({
            RequestItems: {
              [tableName]: {
                Keys: pending,
                ...projection,
                ...(options.consistentRead ? { ConsistentRead: true } : {}),
              },
            },
          }),
        );
        found.push(...(output.Responses?.[tableName] ?? []));
        pending = output.UnprocessedKeys?.[tableName]?.Keys ?? [];
      },
    );
  });
  return found;
}

/**
 * Calls `attempt` until `remaining()` is zero. Unprocessed leftovers and throttling errors are
 * retried after a backoff; any other error is the caller's to see at once.
 */
async function retrying(
  operation: BatchIncompleteError['operation'],
  remaining: () => number,
  settings: Resolved,
  attempt: () => Promise<void>,
): Promise<void> {
  for (let n = 1; ; n += 1) {
    let throttled: unknown;
    try {
      await attempt();
    } catch (error) {
      if (!isThrottling(error)) throw error;
      throttled = error;
    }
    if (throttled === undefined && remaining() === 0) return;
    if (n >= settings.maxAttempts) {
      throw new BatchIncompleteError(
        operation,
        remaining(),
        n,
        throttled === undefined ? undefined : { cause: throttled },
      );
    }
    await settings.sleep(backoffDelay(n, settings));
  }
}

function chunk<T>(values: readonly T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let i = 0; i < values.length; i += size) chunks.push(values.slice(i, i + size));
  return chunks;
}

async function forEachChunk<T>(chunks: T[][], concurrency: number, work: (chunk: T[]) => Promise<void>): Promise<void> {
  let next = 0;
  let failed = false;
  const workers = Array.from({ length: Math.min(concurrency, chunks.length) }, async () => {
    // After one chunk fails the others stop taking new chunks: the caller gets the error promptly.
    while (next < chunks.length && !failed) {
      const index = next++;
      try {
        await work(chunks[index]!);
      } catch (error) {
        failed = true;
        throw error;
      }
    }
  });
  await Promise.all(workers);
}
