/**
 * A table and a bucket of their own for one test file, on the emulators the global setup started
 * (dynalite and s3rver, through the real AWS SDK): random names, so files running side by side never
 * see each other's items.
 */
import { randomUUID } from 'node:crypto';
import { inject } from 'vitest';
import { createDynamoDocumentClient, createS3Client } from '#config/aws-clients';
import { DynamoRecordStore } from '#store/dynamo-store';
import { S3ObjectStore, ensureBucket } from '#store/object-store';
import { ensureTable } from '#store/table';

export async function freshStorage(prefix: string) {
  const config = {
    region: 'eu-west-2',
    tableName: `${prefix}-${randomUUID()}`,
    bucketName: `${prefix}-${randomUUID()}`,
    dynamoEndpoint: inject('dynamoEndpoint'),
    s3Endpoint: inject('s3Endpoint'),
  };
  const documents = createDynamoDocumentClient(config);
  const s3 = createS3Client(config);
  await ensureTable(documents, config.tableName);
  await ensureBucket(s3, config.bucketName);
  return {
    config,
    documents,
    s3,
    store: new DynamoRecordStore(documents, config.tableName),
    objects: new S3ObjectStore(s3, config.bucketName),
  };
}
