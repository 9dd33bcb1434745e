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

/** The API function's settings on AWS, every one required: a missing one stops the function at start, not at the first request. */
export interface ApiConfig {
  /** The Cognito user pool's issuer URL. */
  authIssuer: string;
  /** The app client id: the ID tokens' audience. */
  authAudience: string;
  /** The runner state machine the API starts for each launched audit. */
  auditStateMachineArn: string;
  /** The web origin allowed by CORS. */
  webOrigin?: string;
}

/** Reads the API settings (IRO_AUTH_ISSUER, IRO_AUTH_AUDIENCE, IRO_AUDIT_STATE_MACHINE_ARN, IRO_WEB_ORIGIN). */
export function apiConfigFromEnv(env: NodeJS.ProcessEnv = process.env): ApiConfig {
  const required = (name: string) => {
    const value = env[name];
    if (!value) throw new Error(`${name} is not set: the API cannot verify tokens or start audits without it`);
    return value;
  };
  return {
    authIssuer: required('IRO_AUTH_ISSUER'),
    authAudience: required('IRO_AUTH_AUDIENCE'),
    auditStateMachineArn: required('IRO_AUDIT_STATE_MACHINE_ARN'),
    ...(env.IRO_WEB_ORIGIN ? { webOrigin: env.IRO_WEB_ORIGIN } : {}),
  };
}
