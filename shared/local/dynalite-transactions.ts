/**
 * TransactWriteItems for dynalite, which has none: the grade and its trail entry are written in one
 * transaction on AWS, and the local stack and the tests must run the same code path.
 *
 * The emulation applies the transaction's writes one by one with dynalite's own conditional
 * writes (so conditions are judged by dynalite, exactly as for a single write), keeping each item's
 * old image; when a condition fails, the writes already made are put back and the caller gets
 * DynamoDB's TransactionCanceledException with a reason per write. Transactions run one at a time,
 * so none sees another half done. A ClientRequestToken that succeeded is remembered for 10 minutes:
 * the same request again succeeds without writing twice, as on DynamoDB. Put, Update and Delete
 * are supported (ConditionCheck is not: the product does not use it). Locally only; on AWS
 * DynamoDB does all of this itself.
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

const TARGET = 'DynamoDB_20120810.TransactWriteItems';
const JSON_TYPE = 'application/x-amz-json-1.0';
/** How long DynamoDB remembers a ClientRequestToken. */
const TOKEN_MS = 10 * 60_000;
const MAX_ITEMS = 100;

type AttributeMap = Record<string, unknown>;
type Operation = 'Put' | 'Update' | 'Delete';
interface TransactItem {
  Put?: { TableName: string; Item: AttributeMap; ReturnValuesOnConditionCheckFailure?: string } & AttributeMap;
  Update?: { TableName: string; Key: AttributeMap; ReturnValuesOnConditionCheckFailure?: string } & AttributeMap;
  Delete?: { TableName: string; Key: AttributeMap; ReturnValuesOnConditionCheckFailure?: string } & AttributeMap;
  ConditionCheck?: unknown;
}
interface Answer {
  status: number;
  body: Record<string, unknown>;
}

const fail = (status: number, type: string, message: string): Answer => ({
  status,
  body: { __type: `com.amazonaws.dynamodb.v20120810#${type}`, message },
});

/** Adds TransactWriteItems to a dynalite server: its requests are answered here, every other request by dynalite. */
export function withTransactWriteItems(server: Server): Server {
  const [dynalite] = server.listeners('request') as ((req: IncomingMessage, res: ServerResponse) => void)[];
  if (!dynalite) throw new Error('dynalite has no request handler to wrap');
  const emulator = new TransactionEmulator(() => `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  server.removeAllListeners('request');
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    if (req.headers['x-amz-target'] !== TARGET) return dynalite.call(server, req, res);
    void emulator.handle(req, res);
  });
  return server;
}

class TransactionEmulator {
  /** Transactions run one after another: none sees another's writes half made. */
  private queue: Promise<unknown> = Promise.resolve();
  private readonly tokens = new Map<string, { fingerprint: string; until: number }>();
  private readonly keySchemas = new Map<string, string[]>();

  constructor(private readonly endpoint: () => string) {}

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    send(
      res,
      await this.answer(req).catch((error: unknown) => fail(500, 'InternalServerError', (error as Error).message)),
    );
  }

  private async answer(req: IncomingMessage): Promise<Answer> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    let request: { TransactItems?: TransactItem[]; ClientRequestToken?: string };
    try {
      request = JSON.parse(Buffer.concat(chunks).toString('utf8')) as typeof request;
    } catch {
      return fail(400, 'SerializationException', 'the request is not JSON');
    }
    const run = this.queue.then(() => this.transact(request));
    this.queue = run.catch(() => {});
    return run;
  }

  private async transact(request: { TransactItems?: TransactItem[]; ClientRequestToken?: string }): Promise<Answer> {
    const items = request.TransactItems;
    if (!Array.isArray(items) || items.length === 0 || items.length > MAX_ITEMS) {
      return fail(400, 'ValidationException', `TransactItems must hold 1 to ${MAX_ITEMS} items`);
    }
    const fingerprint = JSON.stringify(items);
    const now = Date.now();
    for (const [token, seen] of this.tokens) if (seen.until < now) this.tokens.delete(token);
    const token = request.ClientRequestToken;
    if (token !== undefined) {
      const seen = this.tokens.get(token);
      if (seen && seen.fingerprint !== fingerprint)
        return fail(
          400,
          'IdempotentParameterMismatchException',
          'the ClientRequestToken was used for a different transaction',
        );
      if (seen) return { status: 200, body: {} };
    }
    const operations: { op: Operation; input: TransactItem[Operation] & {}; key: AttributeMap }[] = [];
    const seenKeys = new Set<string>();
    for (const item of items) {
      const ops = (['Put', 'Update', 'Delete', 'ConditionCheck'] as const).filter((op) => item[op] !== undefined);
      if (ops.length !== 1)
        return fail(
          400,
          'ValidationException',
          'each transact item must hold exactly one of Put, Update, Delete or ConditionCheck',
        );
      if (ops[0] === 'ConditionCheck')
        return fail(
          400,
          'ValidationException',
          'the local emulation of TransactWriteItems supports Put, Update and Delete',
        );
      const op = ops[0]!;
      const input = item[op]!;
      const key =
        op === 'Put'
          ? await this.keyOf(input.TableName, (input as { Item: AttributeMap }).Item)
          : (input as { Key: AttributeMap }).Key;
      const id = `${input.TableName}\u0000${JSON.stringify(key)}`;
      if (seenKeys.has(id))
        return fail(400, 'ValidationException', 'Transaction request cannot include multiple operations on one item');
      seenKeys.add(id);
      operations.push({ op, input, key });
    }
    const done: { table: string; key: AttributeMap; old: AttributeMap | undefined }[] = [];
    for (const [index, { op, input, key }] of operations.entries()) {
      const { ReturnValuesOnConditionCheckFailure: returnOld, ...single } = input;
      const answer = await this.call(`${op}Item`, { ...single, ReturnValues: 'ALL_OLD' });
      if (answer.status === 200) {
        done.push({ table: input.TableName, key, old: answer.body.Attributes as AttributeMap | undefined });
        continue;
      }
      await this.undo(done);
      if (!String(answer.body.__type ?? '').endsWith('#ConditionalCheckFailedException')) return answer;
      const current =
        returnOld === 'ALL_OLD'
          ? (await this.call('GetItem', { TableName: input.TableName, Key: key, ConsistentRead: true })).body.Item
          : undefined;
      const reasons = operations.map((_, i) =>
        i === index
          ? {
              Code: 'ConditionalCheckFailed',
              Message: 'The conditional request failed',
              ...(current ? { Item: current } : {}),
            }
          : { Code: 'None' },
      );
      return {
        status: 400,
        body: {
          __type: 'com.amazonaws.dynamodb.v20120810#TransactionCanceledException',
          Message: `Transaction cancelled, please refer cancellation reasons for specific reasons [${reasons.map((r) => r.Code).join(', ')}]`,
          CancellationReasons: reasons,
        },
      };
    }
    if (token !== undefined) this.tokens.set(token, { fingerprint, until: now + TOKEN_MS });
    return { status: 200, body: {} };
  }

  /** Puts back what the transaction's writes replaced, newest first. */
  private async undo(done: { table: string; key: AttributeMap; old: AttributeMap | undefined }[]): Promise<void> {
    for (const { table, key, old } of done.reverse()) {
      const answer = old
        ? await this.call('PutItem', { TableName: table, Item: old })
        : await this.call('DeleteItem', { TableName: table, Key: key });
      if (answer.status !== 200)
        throw new Error(`could not undo a write of a cancelled transaction: ${JSON.stringify(answer.body)}`);
    }
  }

  /** The key attributes of an item, from its table's key schema (read once per table). */
  private async keyOf(table: string, item: AttributeMap): Promise<AttributeMap> {
    let names = this.keySchemas.get(table);
    if (!names) {
      const answer = await this.call('DescribeTable', { TableName: table });
      const schema = (answer.body.Table as { KeySchema?: { AttributeName: string }[] } | undefined)?.KeySchema;
      if (!schema) return {};
      names = schema.map((k) => k.AttributeName);
      this.keySchemas.set(table, names);
    }
    return Object.fromEntries(names.map((name) => [name, item?.[name]]));
  }

  /** One of dynalite's own operations, over its own HTTP interface. */
  private async call(operation: string, input: Record<string, unknown>): Promise<Answer> {
    const response = await fetch(this.endpoint(), {
      method: 'POST',
      headers: {
        'content-type': JSON_TYPE,
        'x-amz-target': `DynamoDB_20120810.${operation}`,
        'x-amz-date': '20240101T000000Z',
        authorization:
          'AWS4-HMAC-SHA256 Credential=local/20240101/eu-west-2/dynamodb/aws4_request, SignedHeaders=host;x-amz-date, Signature=local',
      },
      body: JSON.stringify(input),
    });
    const text = await response.text();
    return { status: response.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
  }
}

function send(res: ServerResponse, answer: Answer): void {
  const body = JSON.stringify(answer.body);
  res.statusCode = answer.status;
  res.setHeader('Content-Type', JSON_TYPE);
  res.setHeader('Content-Length', Buffer.byteLength(body));
  res.end(body);
}
