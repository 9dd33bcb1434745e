/**
 * Bearer tokens, verified the same way wherever they come from: Cognito ID tokens on AWS (keys from
 * the pool's JWKS), development tokens locally (signed with a key kept in the local data folder).
 * Both carry Cognito's claims — `cognito:username`, `cognito:groups`, `custom:authority`,
 * `custom:worker_id` — so one verifier and one mapping to a Principal serve both.
 */
import { readFile, writeFile, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { AppError } from '#errors';
import {
  SignJWT,
  createLocalJWKSet,
  createRemoteJWKSet,
  exportJWK,
  generateKeyPair,
  importJWK,
  jwtVerify,
  errors as joseErrors,
  type JWK,
  type JWTPayload,
  type JWTVerifyGetKey,
} from 'jose';
import { WorkerId } from '#domain/records';
import { Principal, ROLES, type Role } from './principal.ts';

/** Why a token was refused, in words fit for a 401 (unauthenticated) or 403 (refused). */
export class TokenError extends AppError {
  constructor(
    message: string,
    /** 401: not authenticated (missing, bad, expired); 403: authenticated but not allowed in at all. */
    readonly status: 401 | 403,
  ) {
    super(status === 401 ? 'unauthenticated' : 'refused', message, { name: 'TokenError', code: 'token' });
  }
}

export interface TokenVerifier {
  /** The principal a token proves, or a TokenError saying why not. */
  verify(token: string): Promise<Principal>;
}

/** Where tokens come from and who they are for. */
export interface TokenSettings {
  issuer: string;
  audience: string;
}

/** The local development issuer: never a Cognito URL, so a development token cannot pass for a real one. */
export const LOCAL_ISSUER = 'urn:iro-audit:local-development';
export const LOCAL_AUDIENCE = 'iro-audit-local';
const ALGORITHM = 'ES256';
/** Development tokens last a working day. */
const LOCAL_TOKEN_HOURS = 8;

/**
 * Cognito puts groups in an array; some paths (API Gateway's claim mapping) flatten them to a
 * string like "[qa-lead iro]". Both are read the same, and groups that are not roles are ignored.
 */
export function rolesFromGroups(groups: unknown): Role[] {
  const names = Array.isArray(groups)
    ? groups.map(String)
    : typeof groups === 'string'
      ? groups
          .replace(/^\[|\]$/g, '')
          .split(/[\s,]+/)
          .filter(Boolean)
      : [];
  return ROLES.filter((role) => names.includes(role));
}

/** The ID token claim holding a person's WORKER_ID: a Cognito custom attribute only an administrator can set. */
export const WORKER_ID_CLAIM = 'custom:worker_id';

/** The principal a verified token's claims describe, or a 403 when they give no role or no authority. */
export function principalFromClaims(claims: JWTPayload): Principal {
  if (claims.token_use !== undefined && claims.token_use !== 'id')
    throw new TokenError('send the ID token (token_use "id"): access tokens carry no authority', 401);
  const roles = rolesFromGroups(claims['cognito:groups']);
  if (roles.length === 0) throw new TokenError(`the token's user is in none of the groups ${ROLES.join(', ')}`, 403);
  const authorityId = claims['custom:authority'];
  if (typeof authorityId !== 'string' || authorityId === '')
    throw new TokenError('the token carries no authority (custom:authority)', 403);
  // The worker id comes only from its own admin-set attribute, never from the username: on AWS the
  // username is a UUID, and a worker id guessed from anything else could match someone else's records.
  const workerId = claims[WORKER_ID_CLAIM];
  if (workerId !== undefined && (typeof workerId !== 'string' || !WorkerId.safeParse(workerId).success)) {
    throw new TokenError(
      `the token's worker id (${WORKER_ID_CLAIM}) is not a worker id: ask your administrator to correct it`,
      403,
    );
  }
  const parsed = Principal.safeParse({
    userId: claims['cognito:username'] ?? claims.sub,
    ...(workerId ? { workerId } : {}),
    roles,
    authorityId,
  });
  if (!parsed.success)
    throw new TokenError(
      `the token's claims are not usable: ${parsed.error.issues.map((i) => `${i.path.join('.')} ${i.message}`).join('; ')}`,
      403,
    );
  return parsed.data;
}

/** A verifier over a key source (Cognito's JWKS, or the local public key). */
export function jwtVerifier(keys: JWTVerifyGetKey, settings: TokenSettings): TokenVerifier {
  return {
    async verify(token) {
      let payload: JWTPayload;
      try {
        // exp is required: a token that never expires would be a password that cannot be changed.
        ({ payload } = await jwtVerify(token, keys, {
          issuer: settings.issuer,
          audience: settings.audience,
          algorithms: ['RS256', ALGORITHM],
          clockTolerance: 5,
          requiredClaims: ['exp'],
        }));
      } catch (error) {
        throw new TokenError(describeJoseError(error), 401);
      }
      return principalFromClaims(payload);
    },
  };
}

function describeJoseError(error: unknown): string {
  if (error instanceof joseErrors.JWTExpired) return 'the token has expired: sign in again';
  if (error instanceof joseErrors.JWTClaimValidationFailed && error.claim === 'exp')
    return 'the token has no valid expiry (exp): tokens that never expire are refused, sign in again';
  if (error instanceof joseErrors.JWTClaimValidationFailed)
    return `the token was not issued for this service (${error.claim} is wrong)`;
  if (error instanceof joseErrors.JWSSignatureVerificationFailed) return 'the token signature is not valid';
  if (error instanceof joseErrors.JWKSNoMatchingKey)
    return 'the token was signed with a key this service does not trust';
  if (error instanceof joseErrors.JOSEError) return `the token is not valid (${error.code})`;
  return 'the token is not valid';
}

/** Verifies Cognito ID tokens of one user pool and app client; keys are fetched from the pool's JWKS and cached. */
export function cognitoVerifier(settings: TokenSettings): TokenVerifier {
  return jwtVerifier(
    createRemoteJWKSet(new URL(`${settings.issuer.replace(/\/$/, '')}/.well-known/jwks.json`)),
    settings,
  );
}

/** The local signing key: an ES256 key pair kept (private) in the local data folder, made on first use. */
export interface LocalSigningKey {
  privateJwk: JWK;
  publicJwk: JWK;
}

/** Reads the local signing key from `path`, creating it (readable by the owner only) when there is none. */
export async function localSigningKey(path: string): Promise<LocalSigningKey> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as LocalSigningKey;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const { privateKey, publicKey } = await generateKeyPair(ALGORITHM, { extractable: true });
  const key: LocalSigningKey = {
    privateJwk: { ...(await exportJWK(privateKey)), alg: ALGORITHM, kid: 'local-1' },
    publicJwk: { ...(await exportJWK(publicKey)), alg: ALGORITHM, kid: 'local-1', use: 'sig' },
  };
  await mkdir(dirname(path), { recursive: true });
  // wx: two processes starting at once never overwrite each other's key.
  try {
    await writeFile(path, JSON.stringify(key), { mode: 0o600, flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST')
      return JSON.parse(await readFile(path, 'utf8')) as LocalSigningKey;
    throw error;
  }
  return key;
}

/** Verifies development tokens signed with the local key. */
export function localVerifier(key: LocalSigningKey): TokenVerifier {
  return jwtVerifier(createLocalJWKSet({ keys: [key.publicJwk] }), { issuer: LOCAL_ISSUER, audience: LOCAL_AUDIENCE });
}

/**
 * Signs a development token with Cognito's claim shapes, `custom:worker_id` included. Locally an IRO
 * signs in by their worker id, so an IRO's token carries their user id as their worker id unless
 * `workerId` says otherwise (or is null: a token without one, as an IRO not yet set up on AWS has).
 */
export async function signDevelopmentToken(
  key: LocalSigningKey,
  user: { userId: string; roles: readonly Role[]; authorityId: string; workerId?: string | null },
  options: { now?: Date; hours?: number } = {},
): Promise<string> {
  const now = Math.floor((options.now ?? new Date()).getTime() / 1000);
  const hours = options.hours ?? LOCAL_TOKEN_HOURS;
  // Every token expires (the verifier refuses one that does not): a lifetime that is no number of hours is a mistake.
  if (!Number.isFinite(hours) || hours > 24)
    throw new RangeError(`a development token lasts a finite number of hours, at most 24 (not ${hours})`);
  const workerId = user.workerId === undefined ? (user.roles.includes('iro') ? user.userId : null) : user.workerId;
  return new SignJWT({
    'cognito:username': user.userId,
    'cognito:groups': [...user.roles],
    'custom:authority': user.authorityId,
    ...(workerId !== null ? { [WORKER_ID_CLAIM]: workerId } : {}),
    token_use: 'id',
  })
    .setProtectedHeader({ alg: ALGORITHM, kid: key.privateJwk.kid ?? 'local-1', typ: 'JWT' })
    .setIssuer(LOCAL_ISSUER)
    .setAudience(LOCAL_AUDIENCE)
    .setSubject(user.userId)
    .setIssuedAt(now)
    .setExpirationTime(now + Math.round(hours * 3600))
    .sign(await importJWK(key.privateJwk, ALGORITHM));
}
