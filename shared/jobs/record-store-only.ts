/**
 * The record store alone, for a function that only ever writes job items (the runner's fail
 * function): opening the findings bucket as well would bundle the S3 client (about 150 KB of the
 * fail bundle) for nothing. Its `objects` refuses every call, naming the function, so a change that
 * starts writing objects on such a path fails loudly in the tests rather than silently without a bucket.
 */
import type { StoreConfig } from '#config/config';
import { createDynamoDocumentClient } from '#config/aws-clients';
import { DynamoRecordStore } from '#store/dynamo-store';
import type { ObjectStore } from '#store/object-store';
import type { RecordStore } from '#store/record-store';

/** An object store for a function given no bucket: every call throws, naming `who`. */
export function noBucket(who: string): ObjectStore {
  const refuse = async (): Promise<never> => {
    throw new Error(
      `${who} opens no findings bucket: it only writes job items (open the stores with openStores to read or write objects)`,
    );
  };
  return { ping: refuse, put: refuse, get: refuse };
}

/**
 * The DynamoDB record store for `config`, with an `objects` that refuses (see noBucket).
 * @example const services = openRecordStoreOnly(configFromEnv(), 'the fail function');
 */
export function openRecordStoreOnly(config: StoreConfig, who: string): { store: RecordStore; objects: ObjectStore } {
  return { store: new DynamoRecordStore(createDynamoDocumentClient(config), config.tableName), objects: noBucket(who) };
}
