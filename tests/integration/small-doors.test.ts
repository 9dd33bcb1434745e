/**
 * Small doors, closed: answers carrying children's records are never cached, a token without an
 * expiry is refused, and an audit not yet published is "not found" to a senior manager — through
 * the API and through the web pages, over the real store and bucket with really signed tokens.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SignJWT, decodeJwt, importJWK } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  LOCAL_AUDIENCE,
  LOCAL_ISSUER,
  localSigningKey,
  localVerifier,
  signDevelopmentToken,
  type LocalSigningKey,
} from '#auth/tokens';
import type { Principal } from '#auth/principal';
import type { Professional } from '#domain/records';
import { REGULATIONS_2010 } from '#domain/timescales';
import { createApp } from '#http/app';
import { InProcessAuditRunner } from '#service/audit-runner';
import { launch } from '#service/audits';
import type { ServiceContext } from '#service/context';
import { assignments } from '#service/grading';
import { TemplateCatalogue } from '#service/templates';
import { freshStorage } from '../support/storage.ts';
import { child, episode, involvement, review, toDomainRecords } from '../support/records.ts';
import { WebClient, textOf } from '../support/web-client.ts';

const AUTHORITY = 'doors';
let key: LocalSigningKey;
let app: ReturnType<typeof createApp>;
let ctx: ServiceContext;
let runner: InProcessAuditRunner;
/** An audit being graded (not published), its first record and that record's IRO; and a published one. */
let grading: { auditId: string; recordId: string; iroId: string };
let published: string;

const QA: Principal = { userId: 'qa-lead-1', roles: ['qa-lead'], authorityId: AUTHORITY };
const SM: Principal = { userId: 'sm-1', roles: ['senior-manager'], authorityId: AUTHORITY };
const iro = (userId: string): Principal => ({ userId, workerId: userId, roles: ['iro'], authorityId: AUTHORITY });
const IROS: Professional[] = ['IRO1', 'IRO2', 'IRO3'].map((workerId) => ({
  workerId,
  role: 'IRO',
  team: 'IRO Service',
  service: 'Quality Assurance',
}));
const PERIOD = { templateId: 'review-timeliness-participation', from: '2024-01-01', to: '2024-03-31' };

const bearer = async (who: Principal) => ({ authorization: `Bearer ${await signDevelopmentToken(key, who)}` });
const get = async (path: string, who?: Principal) => app.request(path, { headers: who ? await bearer(who) : {} });

async function signedIn(who: Principal): Promise<WebClient> {
  const client = new WebClient(app);
  client.cookies.set('__Host-iro-session', await signDevelopmentToken(key, who));
  return client;
}

/** A token signed with the local key, with these claims and no more (no exp unless given). */
async function signedWith(claims: Record<string, unknown>): Promise<string> {
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'ES256', kid: 'local-1' })
    .setIssuer(LOCAL_ISSUER)
    .setAudience(LOCAL_AUDIENCE)
    .setIssuedAt()
    .sign(await importJWK(key.privateJwk, 'ES256'));
}
const QA_CLAIMS = {
  'cognito:username': 'qa-lead-1',
  'cognito:groups': ['qa-lead'],
  'custom:authority': AUTHORITY,
  token_use: 'id',
};

beforeAll(async () => {
  const { store, objects } = await freshStorage('doors');
  key = await localSigningKey(join(await mkdtemp(join(tmpdir(), 'doors-key-')), 'key.json'));
  runner = new InProcessAuditRunner({ store, objects });
  const templates = new TemplateCatalogue(store);
  ctx = { store, objects, links: objects, runner, templates };
  app = createApp({
    store,
    objects,
    links: objects,
    verifier: localVerifier(key),
    runner,
    templates,
    signIn: { kind: 'local', key, authorityId: AUTHORITY },
    imports: { enabled: true },
  });
  await store.putAuthority({ authorityId: AUTHORITY, name: 'Doors Borough', timescales: REGULATIONS_2010 });
  await store.upsertRecords(
    AUTHORITY,
    [{ workerId: 'SW1', role: 'SW', team: 'North 1', service: 'CiN/CP North' } as Professional, ...IROS].map(
      (record) => ({ kind: 'professional' as const, record }),
    ),
  );
  for (let i = 0; i < 6; i++) {
    const id = `D${i}`;
    const own = i < 3 ? 'IRO1' : 'IRO2';
    await store.upsertRecords(
      AUTHORITY,
      toDomainRecords(
        child(id, '2012-01-01', {
          episodes: [episode(id, '2024-01-03')],
          reviews: [review(id, '2024-01-29', { iroId: own })],
          involvements: [involvement(id, 'SW1', 'SW', '2024-01-03'), involvement(id, own, 'IRO', '2024-01-03')],
        }),
      ),
    );
  }
  const graded = (await launch(ctx, QA, { ...PERIOD, sample: { type: 'count', value: 3 }, seed: 5 })).audit.auditId;
  published = (await launch(ctx, QA, { ...PERIOD, autoOnly: true, title: 'Published' })).audit.auditId;
  await runner.idle();
  for (const id of ['IRO1', 'IRO2', 'IRO3']) {
    const mine = (await assignments(ctx, iro(id))).find((a) => a.auditId === graded);
    if (mine) {
      grading = { auditId: graded, recordId: mine.recordId, iroId: id };
      break;
    }
  }
});

describe('caching', () => {
  it('sends Cache-Control: no-store with every API answer that carries child data, and with refusals', async () => {
    const { auditId, recordId, iroId } = grading;
    const answers: [string, Principal | undefined, number][] = [
      ['/audits', QA, 200],
      [`/audits/${auditId}`, QA, 200],
      [`/audits/${auditId}/records/${recordId}`, iro(iroId), 200],
      [`/audits/${auditId}/records/${recordId}`, QA, 200],
      [`/audits/${auditId}/history`, QA, 200],
      [`/audits/${auditId}/action-plan`, QA, 200],
      [`/audits/${published}/findings`, SM, 200],
      [`/audits/${published}/downloads/records.csv`, SM, 200],
      ['/assignments', iro(iroId), 200],
      ['/imports', QA, 200],
      ['/authority', QA, 200],
      ['/templates', QA, 200],
      ['/audits', undefined, 401],
      [`/audits/${auditId}`, SM, 404],
      ['/audits/no-such-audit', QA, 404],
      ['/no-such-route', QA, 404],
    ];
    for (const [path, who, status] of answers) {
      const response = await get(path, who);
      expect(response.status, path).toBe(status);
      expect(response.headers.get('cache-control'), path).toBe('no-store');
    }
  });

  it('sends no-store with the web pages too, while GOV.UK Frontend’s fingerprinted assets may be cached', async () => {
    const browser = await signedIn(QA);
    for (const path of [
      '/app',
      `/app/audits/${grading.auditId}`,
      `/app/findings/${published}`,
      '/app/imports',
      '/app/sign-in',
    ]) {
      const page = await browser.get(path);
      expect(page.status, path).toBe(200);
      expect(page.headers.get('cache-control'), path).toBe('no-store');
    }
    const css = /href="(\/assets\/[^"?]+\.css(?:\?[^"]*)?)"/.exec((await browser.get('/app')).html)?.[1];
    expect(css).toBeDefined();
    const asset = await app.request(css!);
    expect(asset.status).toBe(200);
    expect(asset.headers.get('cache-control')).toContain('max-age=');
  });
});

describe('tokens', () => {
  it('refuses a token without exp with a 401 problem that says so', async () => {
    const forever = await signedWith(QA_CLAIMS);
    expect(decodeJwt(forever).exp).toBeUndefined();
    const refused = await app.request('/audits', { headers: { authorization: `Bearer ${forever}` } });
    expect(refused.status).toBe(401);
    expect(refused.headers.get('content-type')).toContain('application/problem+json');
    expect(refused.headers.get('www-authenticate')).toContain('invalid_token');
    expect(((await refused.json()) as { detail: string }).detail).toBe(
      'the token has no valid expiry (exp): tokens that never expire are refused, sign in again',
    );
    await expect(localVerifier(key).verify(forever)).rejects.toMatchObject({ status: 401 });
  });

  it('refuses an exp that is no number of seconds', async () => {
    const odd = await signedWith({ ...QA_CLAIMS, exp: 'never' });
    const refused = await app.request('/audits', { headers: { authorization: `Bearer ${odd}` } });
    expect(refused.status).toBe(401);
    expect(((await refused.json()) as { detail: string }).detail).toContain('exp');
  });

  it('ends a web session whose token has no exp: back to sign-in, the cookie cleared', async () => {
    const browser = new WebClient(app);
    browser.cookies.set('__Host-iro-session', await signedWith(QA_CLAIMS));
    const page = await browser.get('/app/audits');
    expect(page.status).toBe(303);
    expect(page.location).toBe('/app/sign-in?next=%2Fapp%2Faudits&ended=1');
    expect(browser.cookies.has('__Host-iro-session')).toBe(false);
  });

  it('always puts exp in a development token, and refuses a lifetime that is not a number of hours', async () => {
    const now = new Date('2026-01-05T09:00:00Z');
    const token = await signDevelopmentToken(key, QA, { now });
    expect(decodeJwt(token).exp).toBe(now.getTime() / 1000 + 8 * 3600);
    for (const hours of [Number.POSITIVE_INFINITY, Number.NaN, 25]) {
      await expect(signDevelopmentToken(key, QA, { hours })).rejects.toThrow(
        'a development token lasts a finite number of hours',
      );
    }
  });
});

describe('audits not yet published', () => {
  it('are "not found" to a senior manager through the API, in the same words as an audit that does not exist', async () => {
    const { auditId } = grading;
    for (const path of [
      `/audits/${auditId}`,
      `/audits/${auditId}/findings`,
      `/audits/${auditId}/downloads/records.csv`,
      `/audits/${auditId}/history`,
      `/audits/${auditId}/action-plan`,
    ]) {
      const response = await get(path, SM);
      expect(response.status, path).toBe(404);
      const body = (await response.json()) as { detail: string };
      const missing = (await (await get(path.replace(auditId, 'no-such-audit'), SM)).json()) as { detail: string };
      expect(body.detail, path).toBe(missing.detail.replace('no-such-audit', auditId));
    }
    expect((await get('/audits', SM)).status).toBe(200);
    expect(
      ((await (await get('/audits', SM)).json()) as { audits: { auditId: string }[] }).audits.map((a) => a.auditId),
    ).toEqual([published]);
    // The QA lead, and the senior manager once it is published, read it as before.
    expect((await get(`/audits/${auditId}`, QA)).status).toBe(200);
    expect((await get(`/audits/${published}`, SM)).status).toBe(200);
    expect((await get(`/audits/${published}/findings`, SM)).status).toBe(200);
  });

  it('are "not found" to a senior manager through the web pages', async () => {
    const browser = await signedIn(SM);
    for (const path of [`/app/audits/${grading.auditId}`, `/app/findings/${grading.auditId}`]) {
      const page = await browser.get(path);
      expect(page.status, path).toBe(404);
      expect(textOf(page.html), path).toContain(`Page not found No audit ${grading.auditId}`);
    }
    expect((await browser.get(`/app/findings/${published}`)).status).toBe(200);
  });
});
