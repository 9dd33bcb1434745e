/**
 * Lambda entry for the HTTP API and the web pages: the same Hono app as `npm start`, over the
 * function's own role. The pages sign in with Cognito's hosted UI when IRO_COGNITO_DOMAIN,
 * IRO_COGNITO_CLIENT_ID and IRO_WEB_SECRET are set; their GOV.UK assets come from IRO_WEB_ASSETS_DIR.
 */
import { SFNClient } from '@aws-sdk/client-sfn';
import { handle } from 'hono/aws-lambda';
import { cognitoVerifier } from '#auth/tokens';
import { apiConfigFromEnv, configFromEnv } from '#config/config';
import { createApp } from '#http/app';
import { StepFunctionsAuditRunner } from '#service/audit-runner';
import { openStores } from '#store/open';
import { cognitoSignInFromEnv } from '#web/sign-in';

// Built once per container, reused across invocations.
const api = apiConfigFromEnv();
const config = configFromEnv();
const signIn = cognitoSignInFromEnv();
export const handler = handle(
  createApp({
    ...openStores(config),
    verifier: cognitoVerifier({ issuer: api.authIssuer, audience: api.authAudience }),
    runner: new StepFunctionsAuditRunner(new SFNClient({ region: config.region }), api.auditStateMachineArn),
    // The web's import pages: files sent from the page are imported here (uploads/ in, imports/ out), as the API's direct import.
    imports: { enabled: true },
    ...(api.webOrigin ? { webOrigin: api.webOrigin } : {}),
    ...(signIn ? { signIn } : {}),
  }),
);
