/**
 * The web app over the real store and bucket (dynalite, s3rver) with local sign-in: the session
 * cookie, CSRF refusals, role refusals as GOV.UK error pages, and a grading conflict that keeps what
 * the IRO typed — checked at the HTTP level, as a browser without JavaScript would see it.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeJwt } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { freshStorage } from '../support/storage.ts';
import { localSigningKey, localVerifier, signDevelopmentToken, type LocalSigningKey } from '#auth/tokens';
import type { Principal } from '#auth/principal';
import { REGULATIONS_2010 } from '#domain/timescales';
import type { Professional } from '#domain/records';
import { createApp } from '#http/app';
import { InProcessAuditRunner } from '#service/audit-runner';
import { launch, listAudits, previewLaunch } from '#service/audits';
import { marginOfError } from '#engine/statistics';
import type { RecordStore } from '#store/record-store';
import type { ServiceContext } from '#service/context';
import { assignments, recordView, saveGrades } from '#service/grading';
import { TemplateCatalogue } from '#service/templates';
import { DynamoRecordStore } from '#store/dynamo-store';
import { child, episode, involvement, review, toDomainRecords } from '../support/records.ts';
import { WebClient, csrfTokenIn, inputValue, textOf } from '../support/web-client.ts';

const AUTHORITY = 'web';
let key: LocalSigningKey;
let app: ReturnType<typeof createApp>;
let ctx: ServiceContext;
let runner: InProcessAuditRunner;

const IROS: Professional[] = ['IRO1', 'IRO2', 'IRO3'].map((workerId) => ({
  workerId,
  role: 'IRO',
  team: 'IRO Service',
  service: 'Quality Assurance',
}));
const QA: Principal = { userId: 'qa-lead-1', roles: ['qa-lead'], authorityId: AUTHORITY };
const iro = (userId: string): Principal => ({ userId, workerId: userId, roles: ['iro'], authorityId: AUTHORITY });

/** A browser already signed in as `who`, with a development token as its session cookie. */
async function signedIn(who: Principal, options: { now?: Date; hours?: number } = {}): Promise<WebClient> {
  const client = new WebClient(app);
  client.cookies.set('__Host-iro-session', await signDevelopmentToken(key, who, options));
  return client;
}

beforeAll(async () => {
  const { store, objects } = await freshStorage('web');
  key = await localSigningKey(join(await mkdtemp(join(tmpdir(), 'web-key-')), 'key.json'));
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
  });
  await store.putAuthority({ authorityId: AUTHORITY, name: 'Web Borough', timescales: REGULATIONS_2010 });
  await store.upsertRecords(
    AUTHORITY,
    [{ workerId: 'SW1', role: 'SW', team: 'North 1', service: 'CiN/CP North' } as Professional, ...IROS].map(
      (record) => ({ kind: 'professional' as const, record }),
    ),
  );
  for (let i = 0; i < 6; i++) {
    const id = `W${i}`;
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
});

describe('the session cookie', () => {
  it('sends a visitor without a session to the sign-in page, and back to where they were going afterwards', async () => {
    const browser = new WebClient(app);
    const first = await browser.get('/app/audits');
    expect(first.status).toBe(303);
    expect(first.location).toBe('/app/sign-in?next=%2Fapp%2Faudits');
    const page = await browser.get(first.location!);
    expect(page.status).toBe(200);
    expect(textOf(page.html)).toContain('Who are you signing in as?');
    const signed = await browser.post('/app/sign-in', {
      csrf_token: csrfTokenIn(page.html),
      role: 'qa-lead',
      next: '/app/audits',
    });
    expect(signed.status).toBe(303);
    expect(signed.location).toBe('/app/audits');
    const cookie = signed.setCookies.find((c) => c.startsWith('__Host-iro-session='))!;
    // __Host-: Secure, Path=/ and no Domain; HttpOnly so no script reads it; Lax so another site's forms do not carry it.
    expect(cookie).toMatch(/; Path=\/(;|$)/);
    expect(cookie).toContain('; HttpOnly');
    expect(cookie).toContain('; Secure');
    expect(cookie).toContain('; SameSite=Lax');
    expect(cookie).not.toMatch(/Domain=/i);
    // It lives as long as the token it holds.
    const token = browser.cookies.get('__Host-iro-session')!;
    const { exp } = decodeJwt(token);
    const maxAge = Number(/Max-Age=(\d+)/.exec(cookie)![1]);
    expect(Math.abs(Date.now() / 1000 + maxAge - exp!)).toBeLessThanOrEqual(2);
    expect(await localVerifier(key).verify(token)).toEqual({
      userId: 'qa-lead-1',
      roles: ['qa-lead'],
      authorityId: AUTHORITY,
    });
    const audits = await browser.get('/app/audits');
    expect(audits.status).toBe(200);
    expect(textOf(audits.html)).toContain('Signed in as qa-lead-1 (QA lead, authority web)');
  });

  it('signs an IRO in by their worker id, and says what is wrong with a missing one', async () => {
    const browser = new WebClient(app);
    const page = await browser.get('/app/sign-in');
    const missing = await browser.post('/app/sign-in', { csrf_token: csrfTokenIn(page.html), role: 'iro', iroId: '' });
    expect(missing.status).toBe(400);
    expect(textOf(missing.html)).toContain('There is a problem Enter the IRO’s worker id, like IRO01');
    expect(missing.html).toContain('<title>Error: Sign in');
    const ok = await browser.post('/app/sign-in', { csrf_token: csrfTokenIn(page.html), role: 'iro', iroId: 'IRO3' });
    expect(ok.status).toBe(303);
    expect((await browser.get('/app/assignments')).status).toBe(200);
  });

  it('ends an expired or forged session: the cookie is cleared and the sign-in page says why', async () => {
    const expired = await signedIn(QA, { now: new Date(Date.now() - 10 * 3600_000), hours: 1 });
    const late = await expired.get('/app');
    expect(late.status).toBe(303);
    expect(late.location).toBe('/app/sign-in?next=%2Fapp&ended=1');
    expect(late.setCookies.some((c) => c.startsWith('__Host-iro-session=;') && /Max-Age=0/.test(c))).toBe(true);
    expect(textOf((await expired.get(late.location!)).html)).toContain(
      'Your session has ended. Sign in again to carry on.',
    );
    const stranger = await localSigningKey(join(await mkdtemp(join(tmpdir(), 'web-key-')), 'key.json'));
    const forged = new WebClient(app);
    forged.cookies.set('__Host-iro-session', await signDevelopmentToken(stranger, QA));
    expect((await forged.get('/app/audits')).location).toBe('/app/sign-in?next=%2Fapp%2Faudits&ended=1');
  });

  it('signs out: the session cookie is cleared and the pages ask for sign-in again', async () => {
    const browser = await signedIn(QA);
    const out = await browser.submit('/app', '/app/sign-out', {});
    expect(out.status).toBe(303);
    expect(out.location).toBe('/app/signed-out');
    expect(browser.cookies.has('__Host-iro-session')).toBe(false);
    expect((await browser.get('/app')).status).toBe(303);
  });

  it('never sends a visitor to another site after sign-in', async () => {
    for (const next of ['https://evil.example/', '//evil.example/app', '/\\evil.example', '/app/../../x y']) {
      const browser = new WebClient(app);
      const page = await browser.get('/app/sign-in');
      const signed = await browser.post('/app/sign-in', { csrf_token: csrfTokenIn(page.html), role: 'qa-lead', next });
      expect(signed.location, next).toBe('/app');
    }
  });
});

describe('CSRF protection', () => {
  const LAUNCH_FORM = {
    templateId: 'review-timeliness-participation',
    'from-day': '1',
    'from-month': '1',
    'from-year': '2024',
    'to-day': '31',
    'to-month': '3',
    'to-year': '2024',
    mode: 'graded',
    sampleType: 'all',
    action: 'launch',
    key: 'csrf-test-key',
  };

  it('refuses a form post without the token, with a wrong one, or with another session’s, and launches nothing', async () => {
    const browser = await signedIn(QA);
    const other = await signedIn({ ...QA, userId: 'qa-lead-2' });
    const othersToken = csrfTokenIn((await other.get('/app')).html);
    for (const token of [undefined, 'not-the-token', othersToken]) {
      const refused = await browser.post('/app/audits/new', {
        ...LAUNCH_FORM,
        ...(token ? { csrf_token: token } : {}),
      });
      expect(refused.status).toBe(403);
      expect(refused.headers.get('content-type')).toContain('text/html');
      expect(textOf(refused.html)).toContain('This form could not be accepted');
    }
    expect(await listAudits(ctx, QA)).toEqual([]);
  });

  it('refuses a post from another site even with the right token (Origin check)', async () => {
    const browser = await signedIn(QA);
    const token = csrfTokenIn((await browser.get('/app/audits/new')).html);
    const refused = await browser.post(
      '/app/audits/new',
      { ...LAUNCH_FORM, csrf_token: token },
      { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' },
    );
    expect(refused.status).toBe(403);
    expect(textOf(refused.html)).toContain('This form could not be accepted');
    expect(await listAudits(ctx, QA)).toEqual([]);
  });

  it('accepts the same form with the token from this session and this origin', async () => {
    const browser = await signedIn(QA);
    const checked = await browser.submit('/app/audits/new', '/app/audits/new', { ...LAUNCH_FORM, action: 'check' });
    expect(checked.status).toBe(200);
    expect(textOf(checked.html)).toMatch(
      /Population 6 records .*Sample 6 records \(all of them\) Margin of error None: every record is audited/,
    );
  });
});

describe('checking the sample before launching', () => {
  const CHECK = {
    templateId: 'review-timeliness-participation',
    'from-day': '1',
    'from-month': '1',
    'from-year': '2024',
    'to-day': '31',
    'to-month': '3',
    'to-year': '2024',
    mode: 'graded',
    sampleType: 'count',
    'sample-count': '4',
    action: 'check',
    key: 'check-key-1',
  };

  it('counts the population with the engine and gives the finite-population margin', async () => {
    const browser = await signedIn(QA);
    const checked = await browser.submit('/app/audits/new', '/app/audits/new', CHECK);
    expect(textOf(checked.html)).toContain(
      `Population 6 records Sample 4 records Margin of error ±${Math.round(marginOfError(4, 6)! * 1000) / 10} percentage points`,
    );
    expect(textOf(checked.html)).toContain('These figures were counted just now from the records held');
  });

  it('estimates, and says so, when the store may not be scanned from the web app (the API role on AWS) or counting is slow', async () => {
    const denied = new Proxy(ctx.store, {
      get(target, name, receiver) {
        if (name === 'scanChildRecords')
          return () => {
            throw Object.assign(new Error('User is not authorized to perform: dynamodb:Scan'), {
              name: 'AccessDeniedException',
            });
          };
        const value = Reflect.get(target, name, receiver);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    }) as RecordStore;
    const noScan = createApp({
      store: denied,
      objects: ctx.objects,
      links: ctx.links,
      verifier: localVerifier(key),
      runner,
      templates: ctx.templates,
      signIn: { kind: 'local', key, authorityId: AUTHORITY },
    });
    const browser = new WebClient(noScan);
    browser.cookies.set('__Host-iro-session', await signDevelopmentToken(key, QA));
    const checked = await browser.submit('/app/audits/new', '/app/audits/new', CHECK);
    expect(checked.status).toBe(200);
    const words = textOf(checked.html);
    expect(words).toContain(
      `Population Counted when the audit runs Sample 4 records at most Margin of error At most ±${Math.round(marginOfError(4, Infinity)! * 1000) / 10} percentage points`,
    );
    expect(words).toContain(
      'The population was not counted before launching: this copy of the service counts populations only when an audit runs.',
    );
    const percent = await browser.submit('/app/audits/new', '/app/audits/new', {
      ...CHECK,
      sampleType: 'percent',
      'sample-percent': '10',
    });
    expect(textOf(percent.html)).toContain(
      'Sample Worked out from the population when the audit runs Margin of error Shown on the audit’s page once the population is counted',
    );
    const slow = await previewLaunch(
      ctx,
      QA,
      {
        templateId: 'review-timeliness-participation',
        from: '2024-01-01',
        to: '2024-03-31',
        sample: { type: 'count', value: 4 },
      },
      { countBudgetMs: 0 },
    );
    expect(slow).toMatchObject({
      counted: false,
      notCountedBecause: 'too-slow',
      population: null,
      sampleSize: 4,
      marginOfError: marginOfError(4, Infinity),
    });
  });
});

describe('roles', () => {
  it('answers each role’s pages to that role only, with GOV.UK error pages and no internals', async () => {
    const asIro = await signedIn(iro('IRO3'));
    const asSm = await signedIn({ userId: 'sm-1', roles: ['senior-manager'], authorityId: AUTHORITY });
    const asQa = await signedIn(QA);
    for (const [browser, path] of [
      [asIro, '/app/audits/new'],
      [asIro, '/app/audits'],
      [asSm, '/app/assignments'],
      [asSm, '/app/audits/new'],
      [asQa, '/app/assignments'],
    ] as const) {
      const page = await browser.get(path);
      expect(page.status, path).toBe(403);
      expect(page.headers.get('content-type')).toContain('text/html');
      expect(textOf(page.html)).toContain('You cannot see this page');
      expect(page.html).not.toMatch(/at .*\.ts:\d+|Error:/);
    }
    const missing = await asQa.get('/app/audits/no-such-audit');
    expect(missing.status).toBe(404);
    expect(textOf(missing.html)).toContain('Page not found No audit no-such-audit');
    expect((await asQa.get('/app/nothing-here')).status).toBe(404);
  });

  it('answers a failure it did not expect with a plain 500 page, logging the details for the operator only', async () => {
    const broken = new Proxy(ctx.store, {
      get(target, name, receiver) {
        if (name === 'listAudits')
          return () => {
            throw new Error('socket hang up at DynamoRecordStore.listAudits (dynamo-store.ts:123)');
          };
        const value = Reflect.get(target, name, receiver);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    }) as RecordStore;
    const failing = createApp({
      store: broken,
      objects: ctx.objects,
      links: ctx.links,
      verifier: localVerifier(key),
      runner,
      templates: ctx.templates,
      signIn: { kind: 'local', key, authorityId: AUTHORITY },
    });
    const browser = new WebClient(failing);
    browser.cookies.set('__Host-iro-session', await signDevelopmentToken(key, QA));
    const logged: unknown[] = [];
    const original = console.error;
    console.error = (...args: unknown[]) => void logged.push(args);
    try {
      const page = await browser.get('/app/audits');
      expect(page.status).toBe(500);
      expect(textOf(page.html)).toContain(
        'Sorry, there is a problem with the service Try again later. What happened has been logged.',
      );
      expect(page.html).not.toContain('socket hang up');
      expect(page.html).not.toContain('dynamo-store.ts');
      expect(logged).toHaveLength(1);
    } finally {
      console.error = original;
    }
  });
});

describe('grading in the web app', () => {
  it('on a version conflict tells the IRO, keeps what they typed, shows the grades saved meanwhile and overwrites nothing', async () => {
    const { audit } = await launch(ctx, QA, {
      templateId: 'review-timeliness-participation',
      from: '2024-01-01',
      to: '2024-03-31',
      sample: { type: 'count', value: 4 },
      seed: 3,
    });
    await runner.idle();
    let mine: Awaited<ReturnType<typeof assignments>> = [];
    let who = '';
    for (const id of ['IRO1', 'IRO2', 'IRO3']) {
      mine = (await assignments(ctx, iro(id))).filter((a) => a.auditId === audit.auditId);
      who = id;
      if (mine.length) break;
    }
    const recordId = mine[0]!.recordId;
    const path = `/app/audits/${audit.auditId}/records/${recordId}`;
    const browser = await signedIn(iro(who));
    const page = await browser.get(path);
    expect(page.status).toBe(200);
    const version = inputValue(page.html, 'version')!;
    // Someone saves the record after the IRO opened it.
    const now = await saveGrades(ctx, iro(who), audit.auditId, recordId, {
      version: Number(version),
      grades: { 'voice-of-the-child': 'Outstanding' },
      comment: 'Saved elsewhere.',
    });
    const conflict = await browser.post(path, {
      csrf_token: csrfTokenIn(page.html),
      version,
      'grade-voice-of-the-child': 'Inadequate',
      overall: 'none',
      comment: 'What I typed <em>here</em>.',
      action: 'save',
    });
    expect(conflict.status).toBe(409);
    const words = textOf(conflict.html);
    expect(words).toContain('Someone else saved grades for this record after you opened it. Nothing was overwritten.');
    expect(words).toContain('Saved meanwhile: Outstanding');
    expect(words).toContain('Saved meanwhile: Saved elsewhere.');
    // What the IRO typed is in the form, escaped, and their choice still chosen.
    expect(conflict.html).toContain('What I typed &lt;em&gt;here&lt;/em&gt;.</textarea>');
    expect(conflict.html).toMatch(/<input[^>]*value="Inadequate"[^>]*checked/);
    // The form now carries the version saved meanwhile, so saving again is a deliberate choice.
    expect(inputValue(conflict.html, 'version')).toBe(String(now.version));
    expect((await recordView(ctx, iro(who), audit.auditId, recordId)).grades).toMatchObject({
      grades: { 'voice-of-the-child': 'Outstanding' },
      comment: 'Saved elsewhere.',
    });
    const again = await browser.post(path, {
      csrf_token: csrfTokenIn(conflict.html),
      version: String(now.version),
      'grade-voice-of-the-child': 'Inadequate',
      overall: 'none',
      comment: 'What I typed.',
      action: 'done',
    });
    expect(again.status).toBe(303);
    expect(again.location).toBe(`/app/assignments?done=${encodeURIComponent(recordId)}`);
    expect((await recordView(ctx, iro(who), audit.auditId, recordId)).grades).toMatchObject({
      grades: { 'voice-of-the-child': 'Inadequate' },
      comment: 'What I typed.',
      complete: true,
    });
  });
});
