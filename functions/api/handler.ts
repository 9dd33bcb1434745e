/**
 * Lambda entry for the HTTP API and the web pages: the same Hono app as `npm start`, over the
 * function's own role. The pages sign in with Cognito's hosted UI when IRO_COGNITO_DOMAIN and
 * IRO_COGNITO_CLIENT_ID are set, with the web secret the stack generates (IRO_WEB_SECRET_ARN, or
 * IRO_WEB_SECRET given directly); their GOV.UK assets come from IRO_WEB_ASSETS_DIR.
 */
import { SFNClient } from '@aws-sdk/client-sfn';
import { handle } from 'hono/aws-lambda';
import { cognitoVerifier } from '#auth/tokens';
import { apiConfigFromEnv, configFromEnv } from '#config/config';
import { withWebSecret } from '#config/secrets';
import { createApp } from '#http/app';
import { StepFunctionsAuditRunner } from '#service/audit-runner';
import { openStores } from '#store/open';
import { cognitoSignInFromEnv } from '#web/sign-in';

// Built once per container, reused across invocations.
const api = apiConfigFromEnv();
const config = configFromEnv();
// The web secret is read from Secrets Manager once, at cold start (IRO_WEB_SECRET_ARN).
const signIn = cognitoSignInFromEnv(await withWebSecret(process.env));
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
