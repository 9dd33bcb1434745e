/**
 * Cognito's hosted sign-in, end to end over real HTTP: a fake OAuth server on loopback plays the
 * hosted UI (/oauth2/authorize, /oauth2/token, /logout) and the user pool (its JWKS), issuing ID
 * tokens signed with a test key. The app runs the authorization code flow with PKCE against it and
 * verifies the tokens with the same Cognito verifier the Lambda uses.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignJWT, exportJWK, generateKeyPair, type CryptoKey } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshStorage } from '../support/storage.ts';
import { cognitoVerifier } from '#auth/tokens';
import { createApp } from '#http/app';
import { InProcessAuditRunner } from '#service/audit-runner';
import { WebClient, textOf } from '../support/web-client.ts';

const CLIENT_ID = 'iro-web-client';
const CALLBACK = 'http://localhost/app/auth/callback';

interface User {
  username: string;
  groups: string[];
  authority?: string;
}

/** The fake hosted UI and user pool: codes are single-use and bound to their PKCE challenge and redirect URI. */
class FakeCognito {
  server!: Server;
  base = '';
  privateKey!: CryptoKey;
  jwk: Record<string, unknown> = {};
  codes = new Map<string, { challenge: string; redirectUri: string; user: User; used: boolean }>();
  tokenRequests = 0;
  nextUser: User = { username: 'qa-lead-1', groups: ['qa-lead'], authority: 'cognito-web' };

  get issuer() {
    return `${this.base}/pool`;
  }

  async start() {
    const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
    this.privateKey = privateKey;
    this.jwk = { ...(await exportJWK(publicKey)), kid: 'test-key-1', alg: 'RS256', use: 'sig' };
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((done) => this.server.listen(0, '127.0.0.1', done));
    this.base = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  private async handle(req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse) {
    const url = new URL(req.url ?? '/', this.base);
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (req.method === 'GET' && url.pathname === '/pool/.well-known/jwks.json') return json(200, { keys: [this.jwk] });
    if (req.method === 'GET' && url.pathname === '/oauth2/authorize') {
      const q = url.searchParams;
      if (
        q.get('response_type') !== 'code' ||
        q.get('client_id') !== CLIENT_ID ||
        q.get('code_challenge_method') !== 'S256' ||
        !q.get('code_challenge')
      )
        return json(400, { error: 'invalid_request' });
      // The person signs in at the hosted UI; the fake signs in `nextUser` at once.
      const code = randomBytes(16).toString('hex');
      this.codes.set(code, {
        challenge: q.get('code_challenge')!,
        redirectUri: q.get('redirect_uri')!,
        user: this.nextUser,
        used: false,
      });
      const back = new URL(q.get('redirect_uri')!);
      back.searchParams.set('code', code);
      back.searchParams.set('state', q.get('state')!);
      res.writeHead(302, { location: back.toString() });
      return res.end();
    }
    if (req.method === 'POST' && url.pathname === '/oauth2/token') {
      this.tokenRequests += 1;
      let raw = '';
      for await (const chunk of req) raw += chunk;
      if (!String(req.headers['content-type']).startsWith('application/x-www-form-urlencoded'))
        return json(400, { error: 'invalid_request' });
      const form = new URLSearchParams(raw);
      const grant = this.codes.get(form.get('code') ?? '');
      const verifierMatches =
        grant &&
        createHash('sha256')
          .update(form.get('code_verifier') ?? '')
          .digest('base64url') === grant.challenge;
      if (
        form.get('grant_type') !== 'authorization_code' ||
        form.get('client_id') !== CLIENT_ID ||
        !grant ||
        grant.used ||
        !verifierMatches ||
        form.get('redirect_uri') !== grant.redirectUri
      ) {
        return json(400, { error: 'invalid_grant' });
      }
      grant.used = true;
      const now = Math.floor(Date.now() / 1000);
      const idToken = await new SignJWT({
        'cognito:username': grant.user.username,
        'cognito:groups': grant.user.groups,
        token_use: 'id',
        ...(grant.user.authority ? { 'custom:authority': grant.user.authority } : {}),
      })
        .setProtectedHeader({ alg: 'RS256', kid: 'test-key-1' })
        .setIssuer(this.issuer)
        .setAudience(CLIENT_ID)
        .setSubject(randomUUID())
        .setIssuedAt(now)
        .setExpirationTime(now + 3600)
        .sign(this.privateKey);
      return json(200, {
        id_token: idToken,
        access_token: 'not-used',
        refresh_token: 'not-used',
        token_type: 'Bearer',
        expires_in: 3600,
      });
    }
    json(404, { error: 'not_found' });
  }

  /** What the browser does at the hosted UI: follow the authorize link, get sent back with a code. */
  async signInAt(authorizeUrl: string): Promise<URL> {
    const response = await fetch(authorizeUrl, { redirect: 'manual' });
    expect(response.status).toBe(302);
    return new URL(response.headers.get('location')!);
  }
}

const cognito = new FakeCognito();
let app: ReturnType<typeof createApp>;

beforeAll(async () => {
  await cognito.start();
  const { store, objects } = await freshStorage('webc');
  app = createApp({
    store,
    objects,
    links: objects,
    runner: new InProcessAuditRunner({ store, objects }),
    verifier: cognitoVerifier({ issuer: cognito.issuer, audience: CLIENT_ID }),
    signIn: {
      kind: 'cognito',
      domain: cognito.base,
      clientId: CLIENT_ID,
      secret: randomBytes(32).toString('base64url'),
    },
  });
});

afterAll(() => new Promise<void>((done) => cognito.server.close(() => done())));

/** Starts a sign-in: the app's redirect to the hosted UI. */
async function startSignIn(browser: WebClient, next = '/app/audits') {
  const login = await browser.get(`/app/auth/login?next=${encodeURIComponent(next)}`);
  expect(login.status).toBe(302);
  return login;
}

describe('signing in with Cognito (authorization code flow with PKCE)', () => {
  it('sends the person to the hosted UI, exchanges the code for the ID token and keeps it as the session', async () => {
    const browser = new WebClient(app);
    const page = await browser.get('/app/sign-in?next=%2Fapp%2Faudits');
    expect(page.html).toContain('href="/app/auth/login?next=%2Fapp%2Faudits"');
    const login = await startSignIn(browser);
    const authorize = new URL(login.location!);
    expect(`${authorize.origin}${authorize.pathname}`).toBe(`${cognito.base}/oauth2/authorize`);
    expect(Object.fromEntries(authorize.searchParams)).toMatchObject({
      response_type: 'code',
      client_id: CLIENT_ID,
      redirect_uri: CALLBACK,
      scope: 'openid email profile',
      code_challenge_method: 'S256',
    });
    expect(authorize.searchParams.get('state')!.length).toBeGreaterThanOrEqual(32);
    // The state and the PKCE verifier wait in a short-lived, signed, HttpOnly cookie; the verifier never leaves the app.
    const oauthCookie = login.setCookies.find((c) => c.startsWith('__Host-iro-oauth='))!;
    expect(oauthCookie).toMatch(/Max-Age=600;.*HttpOnly; Secure; SameSite=Lax/);
    expect(authorize.toString()).not.toContain('code_verifier');

    const back = await cognito.signInAt(authorize.toString());
    expect(`${back.origin}${back.pathname}`).toBe(CALLBACK);
    const callback = await browser.get(`${back.pathname}${back.search}`);
    expect(callback.status).toBe(303);
    expect(callback.location).toBe('/app/audits');
    expect(callback.setCookies.find((c) => c.startsWith('__Host-iro-session='))).toMatch(
      /HttpOnly; Secure; SameSite=Lax/,
    );
    expect(browser.cookies.has('__Host-iro-oauth')).toBe(false);
    const audits = await browser.get('/app/audits');
    expect(audits.status).toBe(200);
    expect(textOf(audits.html)).toContain('Signed in as qa-lead-1 (QA lead, authority cognito-web)');
  });

  it('refuses a callback whose state is not the one it sent, without asking for tokens', async () => {
    const browser = new WebClient(app);
    const login = await startSignIn(browser);
    const back = await cognito.signInAt(login.location!);
    back.searchParams.set('state', 'someone-elses-state');
    const before = cognito.tokenRequests;
    const refused = await browser.get(`${back.pathname}${back.search}`);
    expect(refused.status).toBe(400);
    expect(textOf(refused.html)).toContain(
      'Your sign-in took too long, or was started in another window. Sign in again.',
    );
    expect(cognito.tokenRequests).toBe(before);
    expect(browser.cookies.has('__Host-iro-session')).toBe(false);
  });

  it('refuses a tampered state cookie, and a callback in a browser that never started the sign-in', async () => {
    const browser = new WebClient(app);
    const login = await startSignIn(browser);
    const back = await cognito.signInAt(login.location!);
    const stranger = new WebClient(app);
    expect((await stranger.get(`${back.pathname}${back.search}`)).status).toBe(400);
    const signed = browser.cookies.get('__Host-iro-oauth')!;
    browser.cookies.set(
      '__Host-iro-oauth',
      signed.replace(/^[^.]/, (c) => (c === 'a' ? 'b' : 'a')),
    );
    const refused = await browser.get(`${back.pathname}${back.search}`);
    expect(refused.status).toBe(400);
    expect(browser.cookies.has('__Host-iro-session')).toBe(false);
  });

  it('says so when the code was already used (the token endpoint refuses it)', async () => {
    const first = new WebClient(app);
    const back = await cognito.signInAt((await startSignIn(first)).location!);
    expect((await first.get(`${back.pathname}${back.search}`)).status).toBe(303);
    // The same code again, with a fresh sign-in's state: Cognito answers invalid_grant.
    const second = new WebClient(app);
    const state = new URL((await startSignIn(second)).location!).searchParams.get('state')!;
    back.searchParams.set('state', state);
    const refused = await second.get(`${back.pathname}${back.search}`);
    expect(refused.status).toBe(502);
    expect(textOf(refused.html)).toContain(
      'Sign-in failed: the sign-in link has expired or was already used: sign in again.',
    );
    expect(second.cookies.has('__Host-iro-session')).toBe(false);
  });

  it('signs nobody in whose account is in no role group', async () => {
    cognito.nextUser = { username: 'someone', groups: ['admins'], authority: 'cognito-web' };
    try {
      const browser = new WebClient(app);
      const back = await cognito.signInAt((await startSignIn(browser)).location!);
      const refused = await browser.get(`${back.pathname}${back.search}`);
      expect(refused.status).toBe(403);
      expect(textOf(refused.html)).toContain(
        "Your account was recognised, but the token's user is in none of the groups qa-lead, iro, senior-manager",
      );
      expect(browser.cookies.has('__Host-iro-session')).toBe(false);
    } finally {
      cognito.nextUser = { username: 'qa-lead-1', groups: ['qa-lead'], authority: 'cognito-web' };
    }
  });

  it('signs out of the app and of the hosted UI, coming back to the signed-out page', async () => {
    const browser = new WebClient(app);
    const back = await cognito.signInAt((await startSignIn(browser, '/app')).location!);
    await browser.get(`${back.pathname}${back.search}`);
    const home = await browser.get('/app');
    // Signing out posts a form whose redirect goes to Cognito: the CSP lets forms go there and nowhere else.
    expect(home.headers.get('content-security-policy')).toContain(`form-action 'self' ${cognito.base}`);
    const out = await browser.submit('/app', '/app/sign-out', {});
    expect(out.status).toBe(303);
    const logout = new URL(out.location!);
    expect(`${logout.origin}${logout.pathname}`).toBe(`${cognito.base}/logout`);
    expect(Object.fromEntries(logout.searchParams)).toEqual({
      client_id: CLIENT_ID,
      logout_uri: 'http://localhost/app/signed-out',
    });
    expect(browser.cookies.has('__Host-iro-session')).toBe(false);
  });
});
