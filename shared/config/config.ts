/**
 * Where the product's table and bucket are, read once from the environment. The same code runs in
 * Lambda and on a laptop: locally the endpoints point at dynalite and s3rver, on AWS they are unset
 * and the SDK uses the function's role.
 */
export interface StoreConfig {
  region: string;
  tableName: string;
  bucketName: string;
  /** Set only for the local stack (dynalite). */
  dynamoEndpoint?: string;
  /** Set only for the local stack (s3rver). */
  s3Endpoint?: string;
}

export const DEFAULT_TABLE_NAME = 'iro-audit';
export const DEFAULT_BUCKET_NAME = 'iro-audit-findings';

/** Reads the store configuration from environment variables (IRO_TABLE, IRO_BUCKET, DYNAMODB_ENDPOINT, S3_ENDPOINT, AWS_REGION). */
export function configFromEnv(env: NodeJS.ProcessEnv = process.env): StoreConfig {
  return {
    region: env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? 'eu-west-2',
    tableName: env.IRO_TABLE ?? DEFAULT_TABLE_NAME,
    bucketName: env.IRO_BUCKET ?? DEFAULT_BUCKET_NAME,
    ...(env.DYNAMODB_ENDPOINT ? { dynamoEndpoint: env.DYNAMODB_ENDPOINT } : {}),
    ...(env.S3_ENDPOINT ? { s3Endpoint: env.S3_ENDPOINT } : {}),
  };
}
