/**
 * Authentication in the app, for every route but the public ones: the bearer token is verified
 * (signature, issuer, audience, expiry) and turned into the principal the use cases check roles
 * and the authority against. On AWS the gateway has verified the token too; the app never relies on it.
 */
import type { MiddlewareHandler } from 'hono';
import { TokenError, type TokenVerifier } from '#auth/tokens';
import type { Principal } from '#auth/principal';
import { AppError } from '#errors';
import { problemFor } from './problem.ts';

/** Verifies `Authorization: Bearer …` and sets `principal`; answers 401/403 problem+json otherwise. */
export function authenticate(
  verifier: TokenVerifier,
  sessionToken?: (c: Parameters<MiddlewareHandler>[0]) => string | undefined,
): MiddlewareHandler<{ Variables: { principal: Principal } }> {
  return async (c, next) => {
    const header = c.req.header('authorization');
    const bearer = header?.match(/^Bearer\s+(\S+)$/i)?.[1];
    const token = bearer ?? sessionToken?.(c);
    if (!token) {
      c.header('WWW-Authenticate', 'Bearer realm="iro-audit"');
      return problemFor(
        c,
        new AppError(
          'unauthenticated',
          header
            ? 'the Authorization header must be "Bearer <token>"'
            : 'send an ID token as "Authorization: Bearer <token>"',
        ),
      );
    }
    try {
      c.set('principal', await verifier.verify(token));
    } catch (error) {
      if (!(error instanceof TokenError)) throw error;
      if (error.status === 401) c.header('WWW-Authenticate', 'Bearer realm="iro-audit", error="invalid_token"');
      return problemFor(c, error);
    }
    await next();
  };
}
