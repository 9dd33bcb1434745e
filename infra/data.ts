/** The data construct: the one DynamoDB table, built from the same key schema the store and dynalite use. Secure defaults for DynamoDB live here. */
import { RemovalPolicy } from 'aws-cdk-lib';
import { AttributeType, Billing, TableEncryptionV2, TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement, type IGrantable } from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { TABLE_KEY_SCHEMA } from '#store/table';

/**
 * The DynamoDB actions the store makes (shared/store/dynamo-store.ts, batch.ts), each a function may
 * be granted one by one. The store never updates or deletes an item, so no function may.
 *   DescribeTable   ping(): the health check (no key, so no one's data)
 *   GetItem         one item by key: an audit document, authority settings, a row read again on a conflict
 *   BatchGetItem    upserts (versions and hashes of the rows), records by professional
 *   Query           a child's records, audit documents, and the two indexes (sibling groups, professionals, reviews by date)
 *   Scan            an audit's population, one scan segment at a time
 *   PutItem         audit documents (conditional on the version read) and changed imported rows
 *   BatchWriteItem  new imported rows
 */
export const TABLE_ACTIONS = [
  'DescribeTable',
  'GetItem',
  'BatchGetItem',
  'Query',
  'Scan',
  'PutItem',
  'BatchWriteItem',
] as const;
export type TableAction = (typeof TABLE_ACTIONS)[number];

/** On-demand, point-in-time recovery, deletion protection, encrypted: children's records are never lost by accident. */
export class RecordsTable extends Construct {
  readonly table: TableV2;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    const key = (name: string) => ({ name, type: AttributeType.STRING });
    this.table = new TableV2(this, 'Table', {
      partitionKey: key(TABLE_KEY_SCHEMA.partitionKey),
      sortKey: key(TABLE_KEY_SCHEMA.sortKey),
      billing: Billing.onDemand(),
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: true,
      encryption: TableEncryptionV2.awsManagedKey(),
      removalPolicy: RemovalPolicy.RETAIN,
      globalSecondaryIndexes: Object.values(TABLE_KEY_SCHEMA.indexes).map((index) => ({
        indexName: index.indexName,
        partitionKey: key(index.partitionKey),
        sortKey: key(index.sortKey),
      })),
    });
  }

  /** Grants exactly `actions` on this table; Query also on its two indexes, by name (no index wildcard). */
  grant(grantee: IGrantable, actions: readonly TableAction[]): void {
    const onTable = actions.filter((a) => a !== 'Query').map((a) => `dynamodb:${a}`);
    if (onTable.length)
      grantee.grantPrincipal.addToPrincipalPolicy(
        new PolicyStatement({ actions: onTable, resources: [this.table.tableArn] }),
      );
    if (actions.includes('Query')) {
      const indexes = Object.values(TABLE_KEY_SCHEMA.indexes).map(
        (index) => `${this.table.tableArn}/index/${index.indexName}`,
      );
      grantee.grantPrincipal.addToPrincipalPolicy(
        new PolicyStatement({ actions: ['dynamodb:Query'], resources: [this.table.tableArn, ...indexes] }),
      );
    }
  }
}
