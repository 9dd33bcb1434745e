/** Opens the record store and the findings bucket for a configuration: the one wiring Lambda, the local stack and the CLIs share. */
import type { StoreConfig } from '#config/config';
import { createDynamoDocumentClient, createS3Client } from '#config/aws-clients';
import { DynamoRecordStore } from './dynamo-store.ts';
import { S3ObjectStore, type ObjectLinks, type ObjectStore } from './object-store.ts';
import type { RecordStore } from './record-store.ts';

export interface Stores {
  store: RecordStore;
  objects: ObjectStore;
  /** Presigned links and streams into the same bucket. */
  links: ObjectLinks;
}

/** The store and bucket adapters for `config` (clients are created once per configuration). */
export function openStores(config: StoreConfig): Stores {
  const bucket = new S3ObjectStore(createS3Client(config), config.bucketName);
  return {
    store: new DynamoRecordStore(createDynamoDocumentClient(config), config.tableName),
    objects: bucket,
    links: bucket,
  };
}
