/**
 * The AWS SDK clients, one per configuration, created once: a Lambda container and the local stack
 * both reuse their clients (and connections) for every request. The only difference between AWS and
 * the local stack is here: an endpoint and static credentials.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import type { StoreConfig } from './config.ts';

/** The credentials s3rver accepts (it checks signatures made with them). */
export const S3RVER_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } as const;
/** dynalite checks that a request is signed, not by whom: any static pair will do. */
export const DYNALITE_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' } as const;

/**
 * The SDK's logger middleware copies every request and response through its redaction filter for
 * a logger that, unconfigured, discards them: for a Scan that is every item walked once more, a few
 * per cent of an audit's CPU. These clients configure no logger, so the step is removed.
 */
function withoutDiscardedLogging<T extends { middlewareStack: { remove(name: string): boolean } }>(client: T): T {
  client.middlewareStack.remove('loggerMiddleware');
  return client;
}

const documentClients = new Map<string, DynamoDBDocumentClient>();
const s3Clients = new Map<string, S3Client>();

/** The DynamoDB document client for `cfg`: static local credentials when an endpoint is set, the default chain otherwise. */
export function createDynamoDocumentClient(cfg: StoreConfig): DynamoDBDocumentClient {
  const key = JSON.stringify([cfg.region, cfg.dynamoEndpoint ?? null]);
  let client = documentClients.get(key);
  if (!client) {
    const base = withoutDiscardedLogging(
      new DynamoDBClient({
        region: cfg.region,
        ...(cfg.dynamoEndpoint ? { endpoint: cfg.dynamoEndpoint, credentials: DYNALITE_CREDENTIALS } : {}),
      }),
    );
    client = DynamoDBDocumentClient.from(base, {
      // Optional fields of domain records may be undefined; DynamoDB rejects undefined values.
      // Class instances (a Date, say) in a record are a bug to surface, not something to flatten silently.
      marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
    });
    documentClients.set(key, client);
  }
  return client;
}

/** The S3 client for `cfg`: path-style, S3RVER credentials and no default checksums when an endpoint is set. */
export function createS3Client(cfg: StoreConfig): S3Client {
  const key = JSON.stringify([cfg.region, cfg.s3Endpoint ?? null]);
  let client = s3Clients.get(key);
  if (!client) {
    client = withoutDiscardedLogging(
      new S3Client({
        region: cfg.region,
        ...(cfg.s3Endpoint
          ? {
              endpoint: cfg.s3Endpoint,
              credentials: S3RVER_CREDENTIALS,
              forcePathStyle: true,
              // Since SDK 3.729 uploads default to aws-chunked bodies with checksum trailers; s3rver
              // stores the chunk framing inside the object. AWS keeps the defaults (integrity checks on).
              requestChecksumCalculation: 'WHEN_REQUIRED' as const,
              responseChecksumValidation: 'WHEN_REQUIRED' as const,
            }
          : {}),
      }),
    );
    s3Clients.set(key, client);
  }
  return client;
}
