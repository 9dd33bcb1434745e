/**
 * An audit that does not exist is "not found", whatever is asked of it: a 404 problem+json through
 * the API and a GOV.UK "Page not found" page through the web, never a 409 (issue 13, item 6).
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Principal } from '#auth/principal';
import { localSigningKey, localVerifier, signDevelopmentToken, type LocalSigningKey } from '#auth/tokens';
import { REGULATIONS_2010 } from '#domain/timescales';
import { createApp } from '#http/app';
import { InProcessAuditRunner } from '#service/audit-runner';
import { TemplateCatalogue } from '#service/templates';
import { freshStorage } from '../support/storage.ts';
import { WebClient, csrfTokenIn, textOf } from '../support/web-client.ts';

const AUTHORITY = 'missing';
const QA: Principal = { userId: 'qa-lead-1', roles: ['qa-lead'], authorityId: AUTHORITY };
const IRO: Principal = { userId: 'IRO1', workerId: 'IRO1', roles: ['iro'], authorityId: AUTHORITY };
const NO_AUDIT = 'no-such-audit';
let key: LocalSigningKey;
let app: ReturnType<typeof createApp>;

beforeAll(async () => {
  const { store, objects } = await freshStorage('errors');
  key = await localSigningKey(join(await mkdtemp(join(tmpdir(), 'errors-key-')), 'key.json'));
  const runner = new InProcessAuditRunner({ store, objects });
  app = createApp({
    store,
    objects,
    links: objects,
    verifier: localVerifier(key),
    runner,
    templates: new TemplateCatalogue(store),
    signIn: { kind: 'local', key, authorityId: AUTHORITY },
  });
  await store.putAuthority({ authorityId: AUTHORITY, name: 'Missing Borough', timescales: REGULATIONS_2010 });
});

async function api(method: string, path: string, who: Principal, body?: unknown) {
  const headers: Record<string, string> = { authorization: `Bearer ${await signDevelopmentToken(key, who)}` };
  if (body !== undefined) headers['content-type'] = 'application/json';
  return app.request(path, { method, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
}

describe('an audit that does not exist', () => {
  const API: [string, string, Principal, unknown?][] = [
    ['GET', `/audits/${NO_AUDIT}`, QA],
    ['GET', `/audits/${NO_AUDIT}/history`, QA],
    ['GET', `/audits/${NO_AUDIT}/findings`, QA],
    ['GET', `/audits/${NO_AUDIT}/downloads/records.csv`, QA],
    ['GET', `/audits/${NO_AUDIT}/action-plan`, QA],
    ['GET', `/audits/${NO_AUDIT}/agreement`, QA],
    ['GET', `/audits/${NO_AUDIT}/records/R1`, IRO],
    ['POST', `/audits/${NO_AUDIT}/close`, QA],
    ['POST', `/audits/${NO_AUDIT}/try-again`, QA],
    ['POST', `/audits/${NO_AUDIT}/moderation`, QA, { share: 0.5 }],
    ['PATCH', `/audits/${NO_AUDIT}/action-plan`, QA, { version: 0, rows: [] }],
    ['PUT', `/audits/${NO_AUDIT}/records/R1/grades`, IRO, { version: 0, grades: {} }],
    [
      'PUT',
      `/audits/${NO_AUDIT}/records/R1/agreed-grades`,
      QA,
      { version: 1, grades: {}, reason: 'agreed at moderation' },
    ],
  ];

  it.each(API)('answers %s %s with a 404 problem+json', async (method, path, who, body) => {
    const response = await api(method, path, who, body);
    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    expect(await response.json()).toEqual({
      type: 'about:blank',
      title: 'Not found',
      status: 404,
      detail: expect.stringContaining(NO_AUDIT),
    });
  });

  it('shows a GOV.UK "Page not found" page with a 404 for each page and form of it', async () => {
    const browser = new WebClient(app);
    browser.cookies.set('__Host-iro-session', await signDevelopmentToken(key, QA));
    const csrf_token = csrfTokenIn((await browser.get('/app/audits/new')).html);
    const answers = [
      await browser.get(`/app/audits/${NO_AUDIT}`),
      await browser.get(`/app/audits/${NO_AUDIT}/action-plan`),
      await browser.get(`/app/audits/${NO_AUDIT}/close`),
      await browser.post(`/app/audits/${NO_AUDIT}/close`, { csrf_token }),
      await browser.post(`/app/audits/${NO_AUDIT}/try-again`, { csrf_token }),
      await browser.post(`/app/audits/${NO_AUDIT}/moderation`, { csrf_token, share: '50' }),
      await browser.post(`/app/audits/${NO_AUDIT}/action-plan`, { csrf_token, version: '0', edited: 'false' }),
    ];
    for (const page of answers) {
      expect(page.status).toBe(404);
      expect(page.headers.get('content-type')).toContain('text/html');
      expect(page.html).toContain('govuk-heading-l');
      expect(textOf(page.html)).toContain(`Page not found No audit ${NO_AUDIT}`);
    }
  });
});
