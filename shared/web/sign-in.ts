/**
 * How people sign in to the web app. Locally: a page of demo users, each signed a development token
 * with the local key. On AWS: Cognito's hosted sign-in, the OAuth 2.0 authorization code flow with
 * PKCE for a public client (no client secret); the ID token it returns becomes the session.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { LocalSigningKey } from '#auth/tokens';

/** The sign-in the app was built with (AppDependencies.signIn). */
export type SignIn =
  | {
      kind: 'local';
      /** The development signing key: tokens signed here verify with the app's local verifier. */
      key: LocalSigningKey;
      /** The authority the demo users belong to. */
      authorityId: string;
    }
  | {
      kind: 'cognito';
      /** The hosted UI's base URL, e.g. https://iro-audit.auth.eu-west-2.amazoncognito.com (IRO_COGNITO_DOMAIN). */
      domain: string;
      /** The app client id (IRO_COGNITO_CLIENT_ID): a public client, so no secret. */
      clientId: string;
      /** The callback registered with the app client; `${origin}/app/auth/callback` of the request when absent. */
      redirectUri?: string;
      /** Signs the OAuth state cookie and keys CSRF tokens (IRO_WEB_SECRET; see cognitoSignInFromEnv): the same in every container. */
      secret: string;
      scopes?: readonly string[];
    };

export const CALLBACK_PATH = '/app/auth/callback';
export const SIGNED_OUT_PATH = '/app/signed-out';

const base = (domain: string) => domain.replace(/\/+$/, '');

/** A PKCE pair (RFC 7636, S256): the verifier stays in our cookie, the challenge goes to Cognito. */
export function pkcePair(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

/** A fresh, unguessable OAuth state. */
export const newState = () => randomBytes(24).toString('base64url');

/** Cognito's /oauth2/authorize URL for this sign-in. */
export function authorizeUrl(
  signIn: Extract<SignIn, { kind: 'cognito' }>,
  redirectUri: string,
  state: string,
  challenge: string,
): string {
  const url = new URL(`${base(signIn.domain)}/oauth2/authorize`);
  url.search = new URLSearchParams({
    response_type: 'code',
    client_id: signIn.clientId,
    redirect_uri: redirectUri,
    scope: (signIn.scopes ?? ['openid', 'email', 'profile']).join(' '),
    state,
    code_challenge: challenge,
    code_challenge_method: 'S256',
  }).toString();
  return url.toString();
}

/** Cognito's /logout URL, which ends the hosted UI's own session and comes back to `logoutUri`. */
export function logoutUrl(signIn: Extract<SignIn, { kind: 'cognito' }>, logoutUri: string): string {
  const url = new URL(`${base(signIn.domain)}/logout`);
  url.search = new URLSearchParams({ client_id: signIn.clientId, logout_uri: logoutUri }).toString();
  return url.toString();
}

/** Why a code exchange failed, in words for the sign-in page (the details go to the log). */
export class SignInError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SignInError';
  }
}

/** Exchanges the authorization code for tokens at /oauth2/token and returns the ID token (verified by the caller). */
export async function exchangeCode(
  signIn: Extract<SignIn, { kind: 'cognito' }>,
  code: string,
  verifier: string,
  redirectUri: string,
  fetchImpl: typeof fetch = fetch,
): Promise<string> {
  let response: Response;
  try {
    response = await fetchImpl(`${base(signIn.domain)}/oauth2/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        client_id: signIn.clientId,
        code,
        redirect_uri: redirectUri,
        code_verifier: verifier,
      }).toString(),
      signal: AbortSignal.timeout(10_000),
    });
  } catch (error) {
    console.error('sign-in: the token endpoint did not answer', error);
    throw new SignInError('the sign-in service did not answer: try again in a moment');
  }
  const text = await response.text();
  let body: { id_token?: unknown; error?: unknown } = {};
  try {
    body = JSON.parse(text) as typeof body;
  } catch {
    // fall through: reported below
  }
  if (!response.ok || typeof body.id_token !== 'string') {
    console.error(
      `sign-in: the token endpoint refused the code (${response.status}): ${String(body.error ?? text.slice(0, 200))}`,
    );
    throw new SignInError(
      body.error === 'invalid_grant'
        ? 'the sign-in link has expired or was already used: sign in again'
        : 'the sign-in service refused the sign-in: sign in again',
    );
  }
  return body.id_token;
}

/**
 * The Cognito sign-in from the Lambda's environment: IRO_COGNITO_DOMAIN (the hosted UI's base URL)
 * and IRO_COGNITO_CLIENT_ID (a public app client), optionally IRO_WEB_REDIRECT_URI and IRO_WEB_SECRET.
 * Neither of the first two set: no web sign-in (the pages say so; the API is unaffected); one alone:
 * the function stops at start, saying which is missing.
 *
 * IRO_WEB_SECRET (32+ random characters, the same in every container) signs the OAuth state cookie
 * and keys the CSRF tokens. Without it both still hold: a CSRF token is an HMAC of the browser's own
 * HttpOnly session (or pre-session) cookie, which another site cannot read, and the state cookie is
 * `__Host-`, HttpOnly and Secure, so no other site can set it; the secret adds a second lock.
 */
export function cognitoSignInFromEnv(
  env: NodeJS.ProcessEnv = process.env,
): Extract<SignIn, { kind: 'cognito' }> | undefined {
  const { IRO_COGNITO_DOMAIN: domain, IRO_COGNITO_CLIENT_ID: clientId, IRO_WEB_SECRET: secret } = env;
  if (!domain && !clientId) return undefined;
  if (!domain || !clientId)
    throw new Error(
      `${domain ? 'IRO_COGNITO_CLIENT_ID' : 'IRO_COGNITO_DOMAIN'} is not set: the web sign-in needs IRO_COGNITO_DOMAIN and IRO_COGNITO_CLIENT_ID together`,
    );
  if (secret !== undefined && secret.length < 32)
    throw new Error('IRO_WEB_SECRET must be at least 32 characters of random data');
  return {
    kind: 'cognito',
    domain: /^https?:\/\//.test(domain) ? domain : `https://${domain}`,
    clientId,
    // Stable across containers either way (see above): a state cookie signed by one container is read by another.
    secret: secret ?? `iro-audit web \u0000${clientId}\u0000${domain}`,
    ...(env.IRO_WEB_REDIRECT_URI ? { redirectUri: env.IRO_WEB_REDIRECT_URI } : {}),
  };
}
