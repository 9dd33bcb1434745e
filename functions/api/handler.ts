/** Lambda entry for the HTTP API: the same Hono app as `npm start`, over the function's own role. */
import { SFNClient } from '@aws-sdk/client-sfn';
import { handle } from 'hono/aws-lambda';
import { cognitoVerifier } from '#auth/tokens';
import { apiConfigFromEnv, configFromEnv } from '#config/config';
import { createApp } from '#http/app';
import { StepFunctionsAuditRunner } from '#service/audit-runner';
import { openStores } from '#store/open';

// Built once per container, reused across invocations.
const api = apiConfigFromEnv();
const config = configFromEnv();
export const handler = handle(
  createApp({
    ...openStores(config),
    verifier: cognitoVerifier({ issuer: api.authIssuer, audience: api.authAudience }),
    runner: new StepFunctionsAuditRunner(new SFNClient({ region: config.region }), api.auditStateMachineArn),
    ...(api.webOrigin ? { webOrigin: api.webOrigin } : {}),
  }),
);
