/**
 * `npm start`: the whole product on a laptop. Ports come from PORT (app, default 3000),
 * DYNAMODB_PORT and S3_PORT (default: any free port, so two checkouts run side by side);
 * IRO_DATA_DIR moves the data folder (default .local-data). Ctrl-C stops everything.
 */
import { signDevelopmentToken } from '#auth/tokens';
import { ROLES } from '#auth/principal';
import { DEFAULT_DATA_DIR, startLocalStack } from '#local/stack';
import { DEFAULT_USERS } from '#auth/demo-users';

function portFromEnv(name: string): number | undefined {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return undefined;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`${name} must be a port number from 0 to 65535, not "${raw}"`);
    process.exit(1);
  }
  return port;
}

const started = performance.now();
const log = (line: string) => console.log(`iro-audit: ${line}`);
const appPort = portFromEnv('PORT');
const dynamoPort = portFromEnv('DYNAMODB_PORT');
const s3Port = portFromEnv('S3_PORT');
try {
  const stack = await startLocalStack({
    dataDir: process.env.IRO_DATA_DIR ?? DEFAULT_DATA_DIR,
    ...(appPort !== undefined ? { port: appPort } : {}),
    ...(dynamoPort !== undefined ? { dynamoPort } : {}),
    ...(s3Port !== undefined ? { s3Port } : {}),
    log,
  });
  log(`ready in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  const tokens = await Promise.all(
    ROLES.map(
      async (role) =>
        `  ${role.padEnd(15)} (${DEFAULT_USERS[role]})\n    ${await signDevelopmentToken(stack.signingKey, { userId: DEFAULT_USERS[role], roles: [role], authorityId: 'demo' })}`,
    ),
  );
  console.log(`
  iro-audit is running. Open the web app:

    ${stack.url}/app

  and sign in as a demo QA lead, IRO or senior manager. Also:

    ${stack.url}/health         the store and the bucket, reachable or not
    ${stack.url}/docs           the API, interactive (OpenAPI 3.1 at /openapi.json)

  Development tokens for the demo authority (8 hours; more with npm run dev-token):
${tokens.join('\n')}

  e.g. curl -H "Authorization: Bearer <token>" ${stack.url}/templates

  DynamoDB (dynalite)  ${stack.config.dynamoEndpoint}   table ${stack.config.tableName}
  S3 (s3rver)          ${stack.config.s3Endpoint}   bucket ${stack.config.bucketName}
  Demo authority "demo" (synthetic data only). Press Ctrl-C to stop.
`);
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log(`${signal}: stopping`);
    await stack.close();
    log('stopped; the data is kept for next time');
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
} catch (error) {
  console.error(`iro-audit: could not start: ${(error as Error).message}`);
  process.exit(1);
}
