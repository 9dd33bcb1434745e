/**
 * The web session and its CSRF tokens. The session is the verified ID token itself, kept in a
 * `__Host-` cookie (HttpOnly, Secure, SameSite=Lax, Path=/) that lives exactly as long as the token;
 * every request verifies it again with the API's TokenVerifier, so there is no server-side session
 * store to keep or to leak. A form's CSRF token is an HMAC of what the browser holds (the session
 * token, or before sign-in a random pre-session nonce) under a server secret: unguessable without
 * the HttpOnly cookie, and checked on every POST beside the Origin check.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Context } from 'hono';
import { deleteCookie, getCookie, getSignedCookie, setCookie, setSignedCookie } from 'hono/cookie';
import { decodeJwt } from 'jose';
import type { LocalSigningKey } from '#auth/tokens';

/** Cookie names, without the `__Host-` prefix hono adds. */
export const SESSION_COOKIE = 'iro-session';
export const PRE_SESSION_COOKIE = 'iro-pre-session';
export const OAUTH_COOKIE = 'iro-oauth';
/** The hidden field every form carries. */
export const CSRF_FIELD = 'csrf_token';

/** A pre-session nonce lasts an hour: long enough to read the sign-in page, short enough not to matter. */
const PRE_SESSION_SECONDS = 3600;
/** The OAuth state cookie lasts ten minutes: the time to sign in at Cognito. */
export const OAUTH_STATE_SECONDS = 600;

/**
 * The server secret for CSRF tokens and the OAuth state cookie. Locally it is derived from the
 * development signing key (stable across restarts, never written anywhere else); on AWS it is
 * IRO_WEB_SECRET, the same in every Lambda container so a form rendered by one is accepted by another
 * (see cognitoSignInFromEnv for what holds without it).
 */
export function localWebSecret(key: LocalSigningKey): string {
  if (!key.privateJwk.d) throw new Error('the local signing key has no private part');
  return createHash('sha256').update(`iro-audit web secret\u0000${key.privateJwk.d}`).digest('base64url');
}

/** The session token in the request's cookie, if any (not yet verified). */
export const sessionToken = (c: Context): string | undefined => getCookie(c, SESSION_COOKIE, 'host') || undefined;

/** Keeps the verified token as the session, expiring with the token. */
export function setSession(c: Context, token: string, now: Date = new Date()): void {
  const { exp } = decodeJwt(token);
  const maxAge = Math.max(0, Math.floor((exp ?? 0) - now.getTime() / 1000));
  setCookie(c, SESSION_COOKIE, token, {
    prefix: 'host',
    httpOnly: true,
    secure: true,
    sameSite: 'Lax',
    path: '/',
    maxAge,
  });
}

export function clearSession(c: Context): void {
  deleteCookie(c, SESSION_COOKIE, { prefix: 'host', httpOnly: true, secure: true, sameSite: 'Lax', path: '/' });
}

/** What a form's CSRF token is bound to: the session, or before sign-in a pre-session nonce (made on first need). */
function csrfBinding(c: Context, create: boolean): string | undefined {
  const session = sessionToken(c);
  if (session) return `session\u0000${session}`;
  let nonce = getCookie(c, PRE_SESSION_COOKIE, 'host');
  if (!nonce && create) {
    nonce = randomBytes(24).toString('base64url');
    setCookie(c, PRE_SESSION_COOKIE, nonce, {
      prefix: 'host',
      httpOnly: true,
      secure: true,
      sameSite: 'Lax',
      path: '/',
      maxAge: PRE_SESSION_SECONDS,
    });
  }
  return nonce ? `pre-session\u0000${nonce}` : undefined;
}

const hmac = (secret: string, value: string) => createHmac('sha256', secret).update(value).digest('base64url');

/** The CSRF token for forms on this page (sets the pre-session cookie when there is no session yet). */
export function csrfToken(c: Context, secret: string): string {
  return hmac(secret, csrfBinding(c, true)!);
}

/** True when `submitted` is this browser's CSRF token. */
export function csrfTokenValid(c: Context, secret: string, submitted: unknown): boolean {
  const binding = csrfBinding(c, false);
  if (!binding || typeof submitted !== 'string' || submitted === '') return false;
  const expected = Buffer.from(hmac(secret, binding));
  const given = Buffer.from(submitted);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** What the sign-in at Cognito must come back with: the state, the PKCE verifier and where to go next. */
export interface OAuthState {
  state: string;
  verifier: string;
  next: string;
}

/** Keeps the OAuth state in a short-lived signed cookie (SameSite=Lax, so it comes back on Cognito's redirect). */
export async function setOAuthState(c: Context, secret: string, value: OAuthState): Promise<void> {
  await setSignedCookie(c, OAUTH_COOKIE, JSON.stringify(value), secret, {
    prefix: 'host',
    httpOnly: true,
    secure: true,
    sameSite: 'Lax',
    path: '/',
    maxAge: OAUTH_STATE_SECONDS,
  });
}

/** The OAuth state kept at sign-in, or null when missing, expired or tampered with. */
export async function oauthState(c: Context, secret: string): Promise<OAuthState | null> {
  const raw = await getSignedCookie(c, secret, OAUTH_COOKIE, 'host');
  if (!raw) return null;
  try {
    const parsed = JSON.parse(raw) as Partial<OAuthState>;
    return typeof parsed.state === 'string' && typeof parsed.verifier === 'string' && typeof parsed.next === 'string'
      ? (parsed as OAuthState)
      : null;
  } catch {
    return null;
  }
}

export function clearOAuthState(c: Context): void {
  deleteCookie(c, OAUTH_COOKIE, { prefix: 'host', httpOnly: true, secure: true, sameSite: 'Lax', path: '/' });
}

/** A `next` page to return to after sign-in: only a path of the web app itself, never another site. */
export function safeNext(next: unknown): string {
  if (typeof next !== 'string') return '/app';
  return /^\/app(?:[/?#]|$)/.test(next) && !/[\\\s]|\/\//.test(next) ? next : '/app';
}
