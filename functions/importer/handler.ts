/** Lambda entry for imports: the bucket's notification for an upload under `uploads/` marks the file arrived and, once all have, runs the import. */
import type { S3Event } from 'aws-lambda';
import { configFromEnv } from '#config/config';
import { runUploadedImport } from '#loader/import-jobs';
import { openStores } from '#store/open';

const services = openStores(configFromEnv());

export async function handler(event: S3Event): Promise<void> {
  for (const record of event.Records) {
    // Keys arrive URL-encoded, with spaces as '+'.
    const key = decodeURIComponent(record.s3.object.key.replace(/\+/g, ' '));
    await runUploadedImport(services, key);
  }
}
