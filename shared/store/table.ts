/**
 * The one table, as data: the CDK stack builds it from these constants on AWS, and `ensureTable`
 * creates the same table on dynalite for the local stack and the tests.
 */
import {
  CreateTableCommand,
  DescribeTableCommand,
  type CreateTableCommandInput,
  type DynamoDBClient,
  type TableDescription,
} from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/** Key attribute names of the table and its two global secondary indexes (all strings). */
export const TABLE_KEY_SCHEMA = {
  partitionKey: 'pk',
  sortKey: 'sk',
  indexes: {
    /** Overloaded: sibling groups, records by professional, the professional list, the child list. */
    gsi1: { indexName: 'gsi1', partitionKey: 'gsi1pk', sortKey: 'gsi1sk' },
    /** Reviews by date, one partition per authority and calendar year. */
    gsi2: { indexName: 'gsi2', partitionKey: 'gsi2pk', sortKey: 'gsi2sk' },
  },
} as const;

export type IndexName = keyof typeof TABLE_KEY_SCHEMA.indexes;

/** The CreateTable request for the table: on-demand, every index projecting ALL (queries read records, not keys). */
export function createTableInput(tableName: string): CreateTableCommandInput {
  const { partitionKey, sortKey, indexes } = TABLE_KEY_SCHEMA;
  const attributes = [
    partitionKey,
    sortKey,
    ...Object.values(indexes).flatMap((index) => [index.partitionKey, index.sortKey]),
  ];
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: attributes.map((name) => ({ AttributeName: name, AttributeType: 'S' })),
    KeySchema: [
      { AttributeName: partitionKey, KeyType: 'HASH' },
      { AttributeName: sortKey, KeyType: 'RANGE' },
    ],
    GlobalSecondaryIndexes: Object.values(indexes).map((index) => ({
      IndexName: index.indexName,
      KeySchema: [
        { AttributeName: index.partitionKey, KeyType: 'HASH' },
        { AttributeName: index.sortKey, KeyType: 'RANGE' },
      ],
      Projection: { ProjectionType: 'ALL' },
    })),
  };
}

/** Either client will do: the document client passes the table commands through untouched. */
type TableClient = Pick<DynamoDBDocumentClient, 'send'> | Pick<DynamoDBClient, 'send'>;

export interface EnsureTableOptions {
  /** How long to wait for ACTIVE (dynalite with createTableMs 0 is immediate). */
  timeoutMs?: number;
}

/**
 * Creates the table if it is missing and resolves once it and its indexes are ACTIVE. Refuses a
 * table of that name with another key layout (say, local data from an older version) rather than
 * failing later on the first query.
 */
export async function ensureTable(
  client: TableClient,
  tableName: string,
  options: EnsureTableOptions = {},
): Promise<void> {
  const send = client.send.bind(client) as DynamoDBClient['send'];
  let table = await describe(send, tableName);
  if (!table) {
    try {
      await send(new CreateTableCommand(createTableInput(tableName)));
    } catch (error) {
      // Someone else (another test file, another process) created it first: fine.
      if ((error as Error).name !== 'ResourceInUseException') throw error;
    }
    table = await describe(send, tableName);
  }
  const deadline = Date.now() + (options.timeoutMs ?? 120_000);
  while (!isActive(table)) {
    if (Date.now() > deadline)
      throw new Error(`table ${tableName} is not ACTIVE after ${options.timeoutMs ?? 120_000} ms`);
    await new Promise((resolve) => setTimeout(resolve, 250));
    table = await describe(send, tableName);
  }
  assertLayout(table!, tableName);
}

async function describe(send: DynamoDBClient['send'], tableName: string): Promise<TableDescription | undefined> {
  try {
    return (await send(new DescribeTableCommand({ TableName: tableName }))).Table;
  } catch (error) {
    if ((error as Error).name === 'ResourceNotFoundException') return undefined;
    throw error;
  }
}

function isActive(table: TableDescription | undefined): boolean {
  return (
    table?.TableStatus === 'ACTIVE' &&
    (table.GlobalSecondaryIndexes ?? []).every((index) => index.IndexStatus === 'ACTIVE')
  );
}

function assertLayout(table: TableDescription, tableName: string): void {
  const expected = createTableInput(tableName);
  const keys = (schema: { AttributeName?: string | undefined; KeyType?: string | undefined }[] | undefined) =>
    (schema ?? []).map((k) => `${k.AttributeName}:${k.KeyType}`).join(',');
  const describeLayout = (
    keySchema: Parameters<typeof keys>[0],
    indexes: { IndexName?: string | undefined; KeySchema?: Parameters<typeof keys>[0] }[] | undefined,
  ) =>
    [keys(keySchema), ...(indexes ?? []).map((index) => `${index.IndexName}(${keys(index.KeySchema)})`).sort()].join(
      ' ',
    );
  const want = describeLayout(expected.KeySchema, expected.GlobalSecondaryIndexes);
  const have = describeLayout(table.KeySchema, table.GlobalSecondaryIndexes);
  if (want !== have) {
    throw new Error(
      `table ${tableName} exists with another key layout (${have}; expected ${want}): delete it or use another table name`,
    );
  }
}
