/**
 * The HTTP API over the real store and bucket (dynalite, s3rver), with really signed tokens: the
 * three roles' journeys, independence, optimistic locking, the lifecycle, the trail, and errors.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { freshStorage } from '../support/storage.ts';
import { SignJWT, importJWK } from 'jose';
import {
  LOCAL_AUDIENCE,
  LOCAL_ISSUER,
  localSigningKey,
  localVerifier,
  signDevelopmentToken,
  type LocalSigningKey,
} from '#auth/tokens';
import type { Role } from '#auth/principal';
import { REGULATIONS_2010 } from '#domain/timescales';
import { createApp } from '#http/app';
import { InProcessAuditRunner } from '#service/audit-runner';
import { DynamoRecordStore } from '#store/dynamo-store';
import { child, episode, involvement, review, toDomainRecords } from '../support/records.ts';
import type { Professional } from '#domain/records';

const AUTHORITY = 'api';
const OTHER = 'api-other';
let key: LocalSigningKey;
let app: ReturnType<typeof createApp>;
let runner: InProcessAuditRunner;
/** The same table the API uses, for changing records behind its back. */
let store: DynamoRecordStore;

const IROS: Professional[] = ['IRO1', 'IRO2', 'IRO3'].map((workerId) => ({
  workerId,
  role: 'IRO',
  team: 'IRO Service',
  service: 'Quality Assurance',
}));
const STAFF: Professional[] = [
  { workerId: 'SW1', role: 'SW', team: 'North 1', service: 'CiN/CP North' },
  { workerId: 'SW2', role: 'SW', team: 'South 1', service: 'CiN/CP South' },
  { workerId: 'TM1', role: 'TM', team: 'North 1', service: 'CiN/CP North' },
  ...IROS,
];

const token = (role: Role, userId: string, authorityId = AUTHORITY) =>
  signDevelopmentToken(key, { userId, roles: [role], authorityId });

async function call(
  method: string,
  path: string,
  options: { as?: [Role, string] | [Role, string, string]; body?: unknown; headers?: Record<string, string> } = {},
) {
  const headers: Record<string, string> = { ...(options.headers ?? {}) };
  if (options.as) headers.authorization = `Bearer ${await token(options.as[0], options.as[1], options.as[2])}`;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  const response = await app.request(path, {
    method,
    headers,
    ...(options.body !== undefined
      ? { body: typeof options.body === 'string' ? options.body : JSON.stringify(options.body) }
      : {}),
  });
  const text = await response.text();
  return {
    status: response.status,
    type: response.headers.get('content-type') ?? '',
    headers: response.headers,
    body: text ? JSON.parse(text) : null,
  };
}

const QA: [Role, string] = ['qa-lead', 'qa-lead-1'];
const SM: [Role, string] = ['senior-manager', 'sm-1'];
const iro = (id: string): [Role, string] => ['iro', id];

/** Launches and waits for the in-process run to settle. */
async function launched(body: Record<string, unknown>, headers: Record<string, string> = {}) {
  const response = await call('POST', '/audits', { as: QA, body, headers });
  await runner.idle();
  return response;
}

beforeAll(async () => {
  const storage = await freshStorage('api');
  store = storage.store;
  const objects = storage.objects;
  key = await localSigningKey(join(await mkdtemp(join(tmpdir(), 'api-key-')), 'key.json'));
  runner = new InProcessAuditRunner({ store, objects });
  app = createApp({ store, objects, links: objects, verifier: localVerifier(key), runner });

  for (const authorityId of [AUTHORITY, OTHER]) {
    await store.putAuthority({ authorityId, name: `${authorityId} Borough`, timescales: REGULATIONS_2010 });
    await store.upsertRecords(
      authorityId,
      STAFF.map((record) => ({ kind: 'professional' as const, record })),
    );
  }
  // 12 children looked after on Wed 3 Jan 2024; first reviews due 31 Jan; every fourth is late.
  // Their IROs: IRO1 for A00–A05, IRO2 for A06–A11; IRO3 chairs nobody's reviews.
  for (let i = 0; i < 12; i++) {
    const id = `A${String(i).padStart(2, '0')}`;
    const own = i < 6 ? 'IRO1' : 'IRO2';
    const records = child(id, '2012-01-01', {
      episodes: [episode(id, '2024-01-03')],
      reviews: [
        review(id, i % 4 === 0 ? '2024-02-02' : '2024-01-29', {
          iroId: own,
          decisionsIssued: '2024-02-05',
          recordIssued: '2024-02-20',
        }),
      ],
      involvements: [
        involvement(id, i % 2 ? 'SW1' : 'SW2', 'SW', '2024-01-03'),
        involvement(id, own, 'IRO', '2024-01-03'),
      ],
    });
    await store.upsertRecords(AUTHORITY, toDomainRecords(records));
  }
  await store.upsertRecords(
    OTHER,
    toDomainRecords(
      child('B00', '2012-01-01', { episodes: [episode('B00', '2024-01-03')], reviews: [review('B00', '2024-01-29')] }),
    ),
  );
});

const LAUNCH = { templateId: 'review-timeliness-participation', from: '2024-01-01', to: '2024-03-31', seed: 11 };

describe('authentication', () => {
  it('answers /health and the API description without a token, and nothing else', async () => {
    expect((await call('GET', '/health')).status).toBe(200);
    const doc = await call('GET', '/openapi.json');
    expect(doc.status).toBe(200);
    expect(doc.body.openapi).toBe('3.1.0');
    // Every route is described, and every one but the public ones asks for the bearer token.
    const operations = Object.entries(doc.body.paths as Record<string, Record<string, { security?: unknown }>>).flatMap(
      ([path, ops]) => Object.entries(ops).map(([method, op]) => ({ path, method, op })),
    );
    expect(operations.map((o) => `${o.method.toUpperCase()} ${o.path}`).sort()).toEqual(
      [
        'GET /assignments',
        'GET /authority',
        'GET /timescale-sets',
        'PATCH /authority',
        'GET /audits',
        'GET /audits/{id}',
        'GET /audits/{id}/action-plan',
        'GET /audits/{id}/agreement',
        'GET /audits/{id}/downloads/{file}',
        'GET /audits/{id}/findings',
        'GET /audits/{id}/history',
        'GET /audits/{id}/records/{recordId}',
        'GET /health',
        'GET /templates',
        'GET /templates/{id}',
        'GET /imports',
        'GET /imports/{id}',
        'PATCH /audits/{id}/action-plan',
        'POST /audits',
        'POST /audits/{id}/close',
        'POST /audits/{id}/moderation',
        'POST /audits/{id}/try-again',
        'POST /imports',
        'POST /imports/{id}/try-again',
        'POST /templates',
        'PUT /audits/{id}/records/{recordId}/agreed-grades',
        'PUT /audits/{id}/records/{recordId}/grades',
      ].sort(),
    );
    for (const { path, op } of operations)
      expect(op.security).toEqual(path === '/health' ? undefined : [{ Bearer: [] }]);
    expect(doc.body.components.schemas.Condition).toBeDefined();
    // The interactive page loads Swagger UI from this server only: no CDN, no third-party script.
    const page = await app.request('/docs');
    expect(page.status).toBe(200);
    const html = await page.text();
    expect([...html.matchAll(/<script src="([^"]+)"/g)].map((m) => m[1])).toEqual([
      '/docs/swagger-ui-bundle.js',
      '/docs/init.js',
    ]);
    expect(html).not.toMatch(/https?:\/\//);
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    const bundle = await app.request('/docs/swagger-ui-bundle.js');
    expect(bundle.headers.get('content-type')).toContain('javascript');
    expect((await bundle.arrayBuffer()).byteLength).toBeGreaterThan(100_000);
    expect(await (await app.request('/docs/init.js')).text()).toContain("url: '/openapi.json'");
    expect((await app.request('/docs/package.json')).status).toBe(404);
    const missing = await call('GET', '/audits');
    expect(missing.status).toBe(401);
    expect(missing.type).toContain('application/problem+json');
    expect(missing.headers.get('www-authenticate')).toContain('Bearer');
  });

  it('refuses a token signed with another key, an expired one, and one of another issuer', async () => {
    const stranger = await localSigningKey(join(await mkdtemp(join(tmpdir(), 'api-key-')), 'key.json'));
    const forged = await signDevelopmentToken(stranger, {
      userId: 'qa-lead-1',
      roles: ['qa-lead'],
      authorityId: AUTHORITY,
    });
    const bad = await app.request('/audits', { headers: { authorization: `Bearer ${forged}` } });
    expect(bad.status).toBe(401);
    expect(((await bad.json()) as { detail: string }).detail).toMatch(/key this service does not trust|signature/);
    const expired = await signDevelopmentToken(
      key,
      { userId: 'qa-lead-1', roles: ['qa-lead'], authorityId: AUTHORITY },
      { now: new Date(Date.now() - 10 * 3600_000), hours: 1 },
    );
    const late = await app.request('/audits', { headers: { authorization: `Bearer ${expired}` } });
    expect(late.status).toBe(401);
    expect(((await late.json()) as { detail: string }).detail).toBe('the token has expired: sign in again');
    const signed = async (claims: Record<string, unknown>, issuer = LOCAL_ISSUER) =>
      new SignJWT(claims)
        .setProtectedHeader({ alg: 'ES256', kid: 'local-1' })
        .setIssuer(issuer)
        .setAudience(LOCAL_AUDIENCE)
        .setIssuedAt()
        .setExpirationTime('1h')
        .sign(await importJWK(key.privateJwk, 'ES256'));
    const claims = {
      'cognito:username': 'qa-lead-1',
      'cognito:groups': ['qa-lead'],
      'custom:authority': AUTHORITY,
      token_use: 'id',
    };
    const elsewhere = await app.request('/audits', {
      headers: {
        authorization: `Bearer ${await signed(claims, 'https://cognito-idp.eu-west-2.amazonaws.com/eu-west-2_other')}`,
      },
    });
    expect(elsewhere.status).toBe(401);
    expect(((await elsewhere.json()) as { detail: string }).detail).toBe(
      'the token was not issued for this service (iss is wrong)',
    );
    const access = await app.request('/audits', {
      headers: { authorization: `Bearer ${await signed({ ...claims, token_use: 'access' })}` },
    });
    expect(access.status).toBe(401);
    const noAuthority = await app.request('/audits', {
      headers: { authorization: `Bearer ${await signed({ ...claims, 'custom:authority': undefined })}` },
    });
    expect(noAuthority.status).toBe(403);
    expect(((await noAuthority.json()) as { detail: string }).detail).toBe(
      'the token carries no authority (custom:authority)',
    );
    const noGroup = await app.request('/audits', {
      headers: { authorization: `Bearer ${await signed({ ...claims, 'cognito:groups': '[admins]' })}` },
    });
    expect(noGroup.status).toBe(403);
    // API Gateway's flattened form of the groups is read the same as the array.
    expect(
      (
        await app.request('/audits', {
          headers: { authorization: `Bearer ${await signed({ ...claims, 'cognito:groups': '[qa-lead iro]' })}` },
        })
      ).status,
    ).toBe(200);
    expect((await app.request('/audits', { headers: { authorization: 'Basic abc' } })).status).toBe(401);
  });
});

describe('templates', () => {
  it('lists the four shipped templates to every role, with their statutory basis and criteria', async () => {
    for (const as of [QA, SM, iro('IRO3')]) {
      const { status, body } = await call('GET', '/templates', { as });
      expect(status).toBe(200);
      expect(body.templates.map((t: { template: { id: string } }) => t.template.id)).toEqual([
        'health-assessments',
        'permanence-at-second-review',
        'review-timeliness-participation',
        'sibling-allocation',
      ]);
    }
    const one = await call('GET', '/templates/sibling-allocation', { as: QA });
    expect(one.body).toMatchObject({
      source: 'built-in',
      versions: [1],
      template: { id: 'sibling-allocation', version: 1 },
    });
    expect(one.body.template.statutoryBasis.length).toBeGreaterThan(0);
    expect((await call('GET', '/templates/no-such-template', { as: QA })).status).toBe(404);
  });

  it('lets a QA lead add a new version, refuses a version already held and a broken template with every reason, and keeps authorities apart', async () => {
    const shipped = (await call('GET', '/templates/sibling-allocation', { as: QA })).body.template;
    const v2 = { ...shipped, version: 2, title: 'Sibling groups: allocation consistency (2025 wording)' };
    expect((await call('POST', '/templates', { as: iro('IRO3'), body: v2 })).status).toBe(403);
    const added = await call('POST', '/templates', { as: QA, body: v2 });
    expect(added.status).toBe(201);
    expect(added.body).toMatchObject({ source: 'authority', versions: [1, 2], addedBy: 'qa-lead-1' });
    expect((await call('GET', '/templates/sibling-allocation', { as: QA })).body.template.title).toBe(v2.title);
    expect((await call('GET', '/templates/sibling-allocation?version=1', { as: QA })).body.template.title).toBe(
      shipped.title,
    );
    const again = await call('POST', '/templates', { as: QA, body: v2 });
    expect(again.status).toBe(409);
    expect(again.body.detail).toBe(
      'template "sibling-allocation" already has version 2: a new version must be 3 or more',
    );
    const broken = await call('POST', '/templates', {
      as: QA,
      body: { ...v2, version: 3, criteria: [], statutoryBasis: [] },
    });
    expect(broken.status).toBe(400);
    // With no criteria, the template's actions now point at criteria it does not have: every reason is given at once.
    expect(broken.body.errors.map((e: { field: string }) => e.field).sort()).toEqual([
      'actions.0.criterion',
      'actions.1.criterion',
      'actions.2.criterion',
      'criteria',
      'statutoryBasis',
    ]);
    expect(broken.body.errors.find((e: { field: string }) => e.field === 'statutoryBasis').message).toBe(
      'cite at least one statutory basis',
    );
    // The other authority still sees only the shipped version.
    expect(
      (await call('GET', '/templates/sibling-allocation', { as: ['qa-lead', 'qa-other', OTHER] })).body.versions,
    ).toEqual([1]);
  });
});

describe('launching audits', () => {
  it('validates the body field by field, with problem+json', async () => {
    const bad = await call('POST', '/audits', {
      as: QA,
      body: {
        templateId: 'review-timeliness-participation',
        from: '2024-02-30',
        to: '2024-03-31',
        sample: { type: 'count', vaule: 3 },
      },
    });
    expect(bad.status).toBe(400);
    expect(bad.type).toContain('application/problem+json');
    const fields = Object.fromEntries(
      bad.body.errors.map((e: { field: string; message: string }) => [e.field, e.message]),
    );
    expect(fields.from).toBe('must be a real date written YYYY-MM-DD');
    expect(fields['sample.value']).toBe('a count must be a whole number of at least 1');
    expect(fields.sample).toBe('unknown field "vaule"');
    const backwards = await call('POST', '/audits', { as: QA, body: { ...LAUNCH, from: '2024-04-01' } });
    expect(backwards.body.errors).toEqual([
      { field: 'to', message: 'the period ends (2024-03-31) before it starts (2024-04-01)' },
    ]);
    const unknown = await call('POST', '/audits', { as: QA, body: { ...LAUNCH, templateId: 'nope' } });
    expect(unknown.body.errors).toEqual([{ field: 'templateId', message: 'no template "nope"' }]);
    const notJson = await call('POST', '/audits', { as: QA, body: '{"templateId": ' });
    expect(notJson.status).toBe(400);
    expect(notJson.type).toContain('application/problem+json');
  });

  it('refuses a body over the size limit with 413', async () => {
    const huge = await call('POST', '/audits', { as: QA, body: { ...LAUNCH, title: 'x'.repeat(300 * 1024) } });
    expect(huge.status).toBe(413);
    expect(huge.type).toContain('application/problem+json');
  });

  it('is for QA leads only', async () => {
    expect((await call('POST', '/audits', { as: SM, body: LAUNCH })).status).toBe(403);
    expect((await call('POST', '/audits', { as: iro('IRO3'), body: LAUNCH })).status).toBe(403);
  });

  it('returns the same audit for a retry with the same Idempotency-Key, and refuses the key for a different request', async () => {
    const headers = { 'idempotency-key': `launch-${randomUUID()}` };
    const first = await launched({ ...LAUNCH, autoOnly: true }, headers);
    expect(first.status).toBe(201);
    expect(first.headers.get('location')).toBe(`/audits/${first.body.auditId}`);
    const retry = await launched({ ...LAUNCH, autoOnly: true }, headers);
    expect(retry.status).toBe(200);
    expect(retry.body.auditId).toBe(first.body.auditId);
    const other = await call('POST', '/audits', {
      as: QA,
      body: { ...LAUNCH, autoOnly: true, to: '2024-02-29' },
      headers,
    });
    expect(other.status).toBe(409);
    const listed = (await call('GET', '/audits', { as: QA })).body.audits.filter(
      (a: { auditId: string }) => a.auditId === first.body.auditId,
    );
    expect(listed).toHaveLength(1);
  });

  it('runs an automatic-only audit to published, readable and downloadable by a senior manager', async () => {
    const { body } = await launched({ ...LAUNCH, autoOnly: true, title: 'Timeliness Q4' });
    const done = await call('GET', `/audits/${body.auditId}`, { as: SM });
    expect(done.body).toMatchObject({ status: 'published', population: 12, sampleSize: 12, title: 'Timeliness Q4' });
    const findings = await call('GET', `/audits/${body.auditId}/findings`, { as: SM });
    expect(findings.status).toBe(200);
    expect(findings.body.records).toBe(12);
    expect(findings.body.criteria.find((c: { id: string }) => c.id === 'review-in-timescale')).toMatchObject({
      met: 9,
      notMet: 3,
    });
    const link = await call('GET', `/audits/${body.auditId}/downloads/records.csv`, { as: SM });
    expect(link.status).toBe(200);
    expect(new URL(link.body.url).searchParams.get('X-Amz-Expires')).toBe('300');
    expect(Date.parse(link.body.expiresAt) - Date.now()).toBeLessThanOrEqual(300_000);
    const file = await fetch(link.body.url);
    expect(file.status).toBe(200);
    expect((await file.text()).split('\n')[0]).toMatch(/^Record id,Children,Date,Service,Team,IRO,review-in-timescale/);
    const redirect = await app.request(`/audits/${body.auditId}/downloads/report.html?redirect=true`, {
      headers: { authorization: `Bearer ${await token(...SM)}` },
    });
    expect(redirect.status).toBe(302);
    expect(redirect.headers.get('location')).toContain('X-Amz-Signature=');
    expect((await call('GET', `/audits/${body.auditId}/downloads/secrets.txt`, { as: SM })).status).toBe(400);
    const trail = (await call('GET', `/audits/${body.auditId}/history`, { as: SM })).body.entries;
    expect(
      trail
        .filter((e: { action: string }) => e.action === 'download')
        .map((e: { actor: string; details: { file: string } }) => [e.actor, e.details.file]),
    ).toEqual([
      ['sm-1', 'records.csv'],
      ['sm-1', 'report.html'],
    ]);
  });
});

describe('grading, moderation and publishing', () => {
  let auditId: string;
  const records = new Map<string, { recordId: string; assignedTo: string; ownIroIds: string[] }>();
  const moderated: { recordId: string; moderator: string }[] = [];

  it('sends a graded audit to the IROs: each record to an IRO who is not the child’s own', async () => {
    const { body } = await launched({ ...LAUNCH, sample: { type: 'count', value: 8 } });
    auditId = body.auditId;
    const view = await call('GET', `/audits/${auditId}`, { as: QA });
    expect(view.body).toMatchObject({ status: 'grading', population: 12, sampleSize: 8 });
    expect(view.body.grading.records).toBe(8);
    expect(view.body.grading.byIro.reduce((n: number, p: { assigned: number }) => n + p.assigned, 0)).toBe(8);
    for (const id of ['IRO1', 'IRO2', 'IRO3']) {
      const { body: mine } = await call('GET', '/assignments', { as: iro(id) });
      for (const a of mine.assignments) {
        expect(a).toMatchObject({ auditId, role: 'auditor', progress: 'not started' });
        records.set(a.recordId, { recordId: a.recordId, assignedTo: id, ownIroIds: [] });
      }
    }
    expect(records.size).toBe(8);
  });

  it('senior managers cannot see the audit before it is published, and nobody sees another authority’s', async () => {
    expect((await call('GET', `/audits/${auditId}`, { as: SM })).status).toBe(404);
    expect((await call('GET', `/audits/${auditId}`, { as: ['qa-lead', 'qa-other', OTHER] })).status).toBe(404);
    expect((await call('GET', '/assignments', { as: ['iro', 'IRO1', OTHER] })).body.assignments).toEqual([]);
  });

  it('shows the assigned IRO the record with its timeline and automatic evidence, and hides it from every other IRO', async () => {
    const [recordId, { assignedTo }] = [...records.entries()][0]!;
    const view = await call('GET', `/audits/${auditId}/records/${recordId}`, { as: iro(assignedTo) });
    expect(view.status).toBe(200);
    expect(view.body.role).toBe('auditor');
    expect(view.body.timeline[0].periodsOfCare[0].start).toBe('2024-01-03');
    expect(view.body.timeline[0].reviews[0]).toMatchObject({ sequence: 1 });
    const timescale = view.body.automatic.find((a: { criterionId: string }) => a.criterionId === 'review-in-timescale');
    expect(timescale.evidence.values.map((v: { name: string }) => v.name)).toContain('review.dueDate');
    expect(view.body.manual.map((m: { criterionId: string }) => m.criterionId)).toEqual(['voice-of-the-child']);
    expect(view.body.grades).toEqual({ version: 1, grades: {}, overall: null, comment: null, complete: false });
    for (const other of ['IRO1', 'IRO2', 'IRO3'].filter((id) => id !== assignedTo)) {
      expect((await call('GET', `/audits/${auditId}/records/${recordId}`, { as: iro(other) })).status).toBe(404);
    }
    expect((await call('GET', `/audits/${auditId}/records/${recordId}`, { as: SM })).status).toBe(403);
  });

  it('saves grades over the version read; a stale version gets 409 with the current grades and overwrites nothing', async () => {
    const [recordId, { assignedTo }] = [...records.entries()][0]!;
    const path = `/audits/${auditId}/records/${recordId}/grades`;
    const saved = await call('PUT', path, {
      as: iro(assignedTo),
      body: { version: 1, grades: { 'voice-of-the-child': 'Good' }, comment: 'the child’s words are quoted' },
    });
    expect(saved.status).toBe(200);
    expect(saved.body).toMatchObject({ version: 2, complete: true });
    const stale = await call('PUT', path, {
      as: iro(assignedTo),
      body: { version: 1, grades: { 'voice-of-the-child': 'Inadequate' } },
    });
    expect(stale.status).toBe(409);
    expect(stale.body.current).toMatchObject({
      version: 2,
      grades: { 'voice-of-the-child': 'Good' },
      comment: 'the child’s words are quoted',
    });
    const bad = await call('PUT', path, {
      as: iro(assignedTo),
      body: { version: 2, grades: { 'voice-of-the-child': 'Brilliant', 'made-up': 'Good' } },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: { field: string }) => e.field).sort()).toEqual([
      'grades.made-up',
      'grades.voice-of-the-child',
    ]);
    const other = ['IRO1', 'IRO2', 'IRO3'].find((id) => id !== assignedTo)!;
    expect(
      (
        await call('PUT', path, {
          as: iro(other),
          body: { version: 2, grades: { 'voice-of-the-child': 'Inadequate' } },
        })
      ).status,
    ).toBe(404);
    expect(
      (await call('PUT', path, { as: QA, body: { version: 2, grades: { 'voice-of-the-child': 'Inadequate' } } }))
        .status,
    ).toBe(403);
  });

  it('loses no grade when the same IRO saves from two tabs at once: one save wins, the other gets 409', async () => {
    const [recordId, { assignedTo }] = [...records.entries()][3]!;
    const path = `/audits/${auditId}/records/${recordId}/grades`;
    const read = (await call('GET', `/audits/${auditId}/records/${recordId}`, { as: iro(assignedTo) })).body.grades
      .version;
    const results = await Promise.all(
      ['Good', 'Outstanding', 'Inadequate', 'Requires improvement'].map((grade) =>
        call('PUT', path, {
          as: iro(assignedTo),
          body: { version: read, grades: { 'voice-of-the-child': grade }, comment: grade },
        }),
      ),
    );
    expect(results.map((r) => r.status).sort()).toEqual([200, 409, 409, 409]);
    const winner = results.find((r) => r.status === 200)!.body;
    const now = (await call('GET', `/audits/${auditId}/records/${recordId}`, { as: iro(assignedTo) })).body.grades;
    expect(now).toEqual(winner);
    for (const loser of results.filter((r) => r.status === 409))
      expect(loser.body.current.grades).toEqual(winner.grades);
  });

  it('refuses an IRO a record of a child they have since become the IRO for, even though it was assigned to them', async () => {
    const [recordId, { assignedTo }] = [...records.entries()][1]!;
    const view = await call('GET', `/audits/${auditId}/records/${recordId}`, { as: iro(assignedTo) });
    const childId = view.body.summary.childIds[0];
    // The child's allocation changes after the sample was assigned: the assigned IRO is now their IRO.
    await store.upsertRecords(AUTHORITY, [
      { kind: 'involvement', record: involvement(childId, assignedTo, 'IRO', '2024-03-01') },
    ]);
    const refused = await call('GET', `/audits/${auditId}/records/${recordId}`, { as: iro(assignedTo) });
    expect(refused.status).toBe(403);
    expect(refused.body.detail).toMatch(/you are, or have been, the IRO for a child in this record/);
    expect(
      (
        await call('PUT', `/audits/${auditId}/records/${recordId}/grades`, {
          as: iro(assignedTo),
          body: { version: 1, grades: { 'voice-of-the-child': 'Good' } },
        })
      ).status,
    ).toBe(403);
  });

  it('grades every other record, then moderation gives a share to second IROs who grade blind', async () => {
    for (const [recordId, { assignedTo }] of [...records.entries()].slice(2)) {
      const grade = recordId < 'm' ? 'Good' : 'Requires improvement';
      const { version } = (await call('GET', `/audits/${auditId}/records/${recordId}`, { as: iro(assignedTo) })).body
        .grades;
      expect(
        (
          await call('PUT', `/audits/${auditId}/records/${recordId}/grades`, {
            as: iro(assignedTo),
            body: { version, grades: { 'voice-of-the-child': grade } },
          })
        ).status,
      ).toBe(200);
    }
    expect((await call('POST', `/audits/${auditId}/moderation`, { as: iro('IRO3'), body: {} })).status).toBe(403);
    const started = await call('POST', `/audits/${auditId}/moderation`, { as: QA, body: { share: 0.5 } });
    expect(started.status).toBe(201);
    // 7 records are fully graded (one could not be: its IRO is now the child's own); half, rounded up.
    expect(started.body.graded).toBe(7);
    expect(started.body.moderated).toHaveLength(4);
    moderated.push(...started.body.moderated);
    for (const { recordId, moderator } of started.body.moderated) {
      expect(moderator).not.toBe(records.get(recordId)!.assignedTo);
      const blind = await call('GET', `/audits/${auditId}/records/${recordId}`, { as: iro(moderator) });
      expect(blind.status).toBe(200);
      expect(blind.body.role).toBe('moderator');
      expect(blind.body.grades.grades).toEqual({});
      const saved = await call('PUT', `/audits/${auditId}/records/${recordId}/grades`, {
        as: iro(moderator),
        body: { version: blind.body.grades.version, grades: { 'voice-of-the-child': 'Good' } },
      });
      expect(saved.status).toBe(200);
      // The auditor's grades on a moderated record are now fixed.
      const auditor = records.get(recordId)!.assignedTo;
      const fixed = await call('PUT', `/audits/${auditId}/records/${recordId}/grades`, {
        as: iro(auditor),
        body: { version: 2, grades: { 'voice-of-the-child': 'Outstanding' } },
      });
      expect(fixed.status).toBe(409);
      expect(fixed.body.detail).toMatch(/chosen for moderation: its grades are now fixed/);
    }
    expect((await call('GET', `/audits/${auditId}`, { as: QA })).body.status).toBe('moderation');
    expect((await call('POST', `/audits/${auditId}/moderation`, { as: QA, body: {} })).status).toBe(409);
  });

  it('reports agreement per criterion, and takes the QA lead’s agreed grades with a reason', async () => {
    const agreement = await call('GET', `/audits/${auditId}/agreement`, { as: QA });
    expect(agreement.status).toBe(200);
    expect(agreement.body.moderatedRecords).toBe(4);
    // Every moderator said Good; the auditors said Good (ids before "m") or Requires improvement.
    const auditorGood = moderated.filter((m) => m.recordId < 'm').length;
    const voice = agreement.body.criteria[0];
    expect(voice).toMatchObject({ criterionId: 'voice-of-the-child', pairs: 4, exactAgreement: auditorGood / 4 });
    // One rater using a single grade throughout agrees no better than chance: kappa 0 — or undefined when both did.
    expect(voice.weightedKappa).toBe(auditorGood === 4 ? null : 0);
    const first = moderated[0]!;
    const qaView = await call('GET', `/audits/${auditId}/records/${first.recordId}`, { as: QA });
    expect(qaView.body.moderation).toMatchObject({
      moderator: first.moderator,
      grades: { grades: { 'voice-of-the-child': 'Good' } },
    });
    const agreed = await call('PUT', `/audits/${auditId}/records/${first.recordId}/agreed-grades`, {
      as: QA,
      body: {
        version: qaView.body.moderation.grades.version,
        grades: { 'voice-of-the-child': 'Requires improvement' },
        reason: 'the record quotes the child once, in passing',
      },
    });
    expect(agreed.status).toBe(200);
    expect(agreed.body.agreed).toMatchObject({
      grades: { 'voice-of-the-child': 'Requires improvement' },
      by: 'qa-lead-1',
    });
    const noReason = await call('PUT', `/audits/${auditId}/records/${first.recordId}/agreed-grades`, {
      as: QA,
      body: { version: 9, grades: {}, reason: '' },
    });
    expect(noReason.status).toBe(400);
    expect(noReason.body.errors).toEqual([{ field: 'reason', message: 'say why these grades were agreed' }]);
    expect(
      (
        await call('PUT', `/audits/${auditId}/records/${first.recordId}/agreed-grades`, {
          as: iro(first.moderator),
          body: { version: 3, grades: {}, reason: 'mine' },
        })
      ).status,
    ).toBe(403);
  });

  it('drafts the action plan from the findings so far; the QA lead edits it over the version read', async () => {
    const plan = await call('GET', `/audits/${auditId}/action-plan`, { as: QA });
    expect(plan.status).toBe(200);
    expect(plan.body).toMatchObject({ version: 0, edited: false });
    const row = {
      id: 'QA1',
      action: 'Coach IROs on recording the child’s own words',
      owner: { role: 'IRO manager', team: 'IRO Service' },
      dueDate: '2024-07-01',
      expectedOutcome: 'Records quote the child',
      successMeasure: 'Re-audit: 80% Good or better',
      linkedCriteria: ['voice-of-the-child'],
    };
    const saved = await call('PATCH', `/audits/${auditId}/action-plan`, {
      as: QA,
      body: {
        version: 0,
        rows: [...plan.body.rows.map((r: { source?: string }) => ({ ...r, source: undefined })), row],
      },
    });
    expect(saved.status, JSON.stringify(saved.body)).toBe(200);
    expect(saved.body).toMatchObject({ version: 1, edited: true });
    expect(saved.body.rows.at(-1)).toMatchObject({ id: 'QA1', source: 'qa-lead' });
    expect(saved.body.rows.length).toBe(plan.body.rows.length + 1);
    const stale = await call('PATCH', `/audits/${auditId}/action-plan`, { as: QA, body: { version: 0, rows: [] } });
    expect(stale.status).toBe(409);
    expect(stale.body.current.version).toBe(1);
    const badLink = await call('PATCH', `/audits/${auditId}/action-plan`, {
      as: QA,
      body: { version: 1, rows: [{ ...row, linkedCriteria: ['nope'] }] },
    });
    expect(badLink.body.errors).toEqual([
      { field: 'rows.0.linkedCriteria.0', message: 'no criterion "nope" in this audit\'s template' },
    ]);
    expect(
      (await call('PATCH', `/audits/${auditId}/action-plan`, { as: SM, body: { version: 1, rows: [] } })).status,
    ).toBe(403);
  });

  it('closes and publishes: the grades (agreed ones standing) and the edited plan are in the findings; then everything is final', async () => {
    expect((await call('POST', `/audits/${auditId}/close`, { as: SM })).status).toBe(403);
    const closed = await call('POST', `/audits/${auditId}/close`, { as: QA });
    // Accepted: the runner publishes in the background; grades are final at once.
    expect(closed.status).toBe(202);
    expect(closed.body.status).toBe('closed');
    expect(closed.headers.get('location')).toBe(`/audits/${auditId}`);
    const [firstId, { assignedTo: firstIro }] = [...records.entries()][0]!;
    const late = await call('PUT', `/audits/${auditId}/records/${firstId}/grades`, {
      as: iro(firstIro),
      body: { version: 99, grades: { 'voice-of-the-child': 'Good' } },
    });
    expect(late.status).toBe(409);
    // Closed, or already published by the background run: either way the grade is refused for the audit's state.
    expect(late.body.detail).toMatch(
      /^the audit is (closed|published): grades can only be saved while it is in grading or moderation$/,
    );
    await runner.idle();
    expect((await call('GET', `/audits/${auditId}`, { as: QA })).body).toMatchObject({ status: 'published' });
    const findings = await call('GET', `/audits/${auditId}/findings`, { as: SM });
    const voice = findings.body.criteria.find((c: { id: string }) => c.id === 'voice-of-the-child');
    expect(voice.grades['Requires improvement'] + voice.grades.Good).toBe(7);
    expect(findings.body.actionPlan.at(-1)).toMatchObject({ id: 'QA1', source: 'qa-lead' });
    // The moderation's agreement is published with the findings, as GET …/agreement reported it then.
    expect(findings.body.moderation).toMatchObject({
      moderatedRecords: 4,
      weights: 'quadratic',
      criteria: [{ criterionId: 'voice-of-the-child', pairs: 4, agreed: 1 }],
    });
    const again = await call('POST', `/audits/${auditId}/close`, { as: QA });
    expect(again.status).toBe(409);
    expect(again.body.detail).toBe(
      'the audit is published: only an audit in grading or moderation can be closed (published findings are final)',
    );
    const [recordId, { assignedTo }] = [...records.entries()][2]!;
    expect(
      (
        await call('PUT', `/audits/${auditId}/records/${recordId}/grades`, {
          as: iro(assignedTo),
          body: { version: 3, grades: { 'voice-of-the-child': 'Good' } },
        })
      ).status,
    ).toBe(409);
    expect(
      (await call('PATCH', `/audits/${auditId}/action-plan`, { as: QA, body: { version: 1, rows: [] } })).status,
    ).toBe(409);
  });

  it('keeps the whole story in the trail: launch, assignment, grades, moderation, plan edit, close, publication', async () => {
    const { body } = await call('GET', `/audits/${auditId}/history`, { as: QA });
    const actions = body.entries.map((e: { action: string }) => e.action);
    for (const action of [
      'launch',
      'assign',
      'grade',
      'moderation',
      'moderation-grade',
      'agree-grades',
      'edit-action-plan',
      'close',
      'status:closed',
      'status:published',
      'publish',
    ]) {
      expect(actions).toContain(action);
    }
    expect(body.entries.find((e: { action: string }) => e.action === 'launch').actor).toBe('qa-lead-1');
    expect(body.entries.find((e: { action: string }) => e.action === 'grade').details).toMatchObject({
      criteria: ['voice-of-the-child'],
    });
  });
});

describe('imports', () => {
  const csv = 'WORKER_ID,ROLE,TEAM,SERVICE\nSW9,SW,North 2,CiN/CP North\nSW10,XX,North 2,CiN/CP North\n';
  const send = async (
    body: string | Uint8Array,
    query: string,
    as: [Role, string] | [Role, string, string] = QA,
    type = 'text/csv',
  ) =>
    app.request(`/imports${query}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${await token(...(as as [Role, string]))}`, 'content-type': type },
      body,
    });

  it('imports a small file sent directly: good rows stored, the bad row reported by line, column and rule', async () => {
    const response = await send(csv, '?fileName=professionals.csv');
    expect(response.status).toBe(201);
    const done = (await response.json()) as {
      importId: string;
      status: string;
      files: { accepted: number; rejected: number }[];
      errorsCsv: { url: string; errors: number };
    };
    // No SSDA903 table: no collection year to judge by.
    expect(done).toMatchObject({
      status: 'done',
      files: [{ accepted: 1, rejected: 1, warned: 0 }],
      errorCount: 1,
      warningCount: 0,
      collectionYear: null,
      errorsCsv: { errors: 1 },
      rules: [
        {
          rule: 'FORMAT',
          severity: 'rejected',
          meaning: 'a cell is not written as the import format requires',
          issues: 1,
          rows: 1,
          tables: ['professionals'],
        },
      ],
    });
    const errors = await (await fetch(done.errorsCsv.url)).text();
    expect(errors.trim().split('\n')).toEqual([
      'file,line or element,child,column,rule,severity,message',
      'professionals.csv,3,,ROLE,FORMAT,rejected,"FORMAT – ROLE ""XX"" is not one of the codes allowed: SW, TM, IRO, PA"',
    ]);
    const again = await call('GET', `/imports/${done.importId}`, { as: QA });
    expect(again.body).toMatchObject({ importId: done.importId, status: 'done' });
    expect(
      (await call('GET', '/imports', { as: QA })).body.imports.map((i: { importId: string }) => i.importId),
    ).toContain(done.importId);
  });

  it('judges a file sent directly as the collection year given in the query; OC2 rows take that year', async () => {
    const oc2 =
      'CHILD,DOB,SDQ_SCORE,SDQ_REASON,CONVICTED,HEALTH_CHECK,IMMUNISATIONS,TEETH_CHECK,HEALTH_ASSESSMENT,SUBSTANCE_MISUSE,INTERVENTION_RECEIVED,INTERVENTION_OFFERED\nN1,14/03/2012,12,,0,1,1,1,1,0,,\n';
    const response = await send(oc2, '?fileName=oc2.csv&collectionYear=2024/25');
    expect(response.status).toBe(201);
    expect(await response.json()).toMatchObject({
      status: 'done',
      statedYear: '2024-25',
      collectionYear: {
        year: '2024-25',
        how: 'stated',
        reason: 'stated when the import was started',
        rulesOf: '2024-25',
      },
      files: [{ fileName: 'oc2.csv', format: 'oc2', rows: 1, accepted: 1, rejected: 0 }],
      errorCount: 0,
      warningCount: 0,
      errorsCsv: null,
    });
    expect((await store.getChildRecords(AUTHORITY, 'N1'))?.oc2.map((r) => r.yearEnding)).toEqual(['2025-03-31']);
    const bad = await send(oc2, '?fileName=oc2.csv&collectionYear=2024-26');
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { errors: { field: string; message: string }[] }).errors[0]).toMatchObject({
      field: 'collectionYear',
      message: expect.stringMatching(/collection year written like 2025-26/),
    });
  });

  it('gives upload links for named files, each valid 15 minutes, keeps the collection year stated, and refuses a file whose name and type disagree', async () => {
    const created = await call('POST', '/imports', {
      as: QA,
      body: {
        files: [
          { fileName: 'episodes.csv', contentType: 'text/csv' },
          { fileName: 'return.xml', contentType: 'application/xml' },
        ],
        collectionYear: '2025-26',
      },
    });
    expect(created.status).toBe(201);
    expect(created.body.uploads.map((u: { fileName: string }) => u.fileName)).toEqual(['episodes.csv', 'return.xml']);
    for (const u of created.body.uploads) {
      expect(new URL(u.url).searchParams.get('X-Amz-Expires')).toBe('900');
      expect(u.key).toBe(`uploads/${AUTHORITY}/${created.body.importId}/${u.fileName}`);
    }
    expect((await call('GET', `/imports/${created.body.importId}`, { as: QA })).body).toMatchObject({
      status: 'pending',
      statedYear: '2025-26',
      collectionYear: null,
    });
    const badYear = await call('POST', '/imports', {
      as: QA,
      body: { files: [{ fileName: 'episodes.csv', contentType: 'text/csv' }], collectionYear: '2025/27' },
    });
    expect(badYear.status).toBe(400);
    expect(badYear.body.errors[0].field).toBe('collectionYear');
    const mismatch = await call('POST', '/imports', {
      as: QA,
      body: { files: [{ fileName: 'episodes.xlsx', contentType: 'text/csv' }] },
    });
    expect(mismatch.status).toBe(400);
    expect(mismatch.body.errors[0].field).toBe('files.0.fileName');
  });

  it('is for QA leads of the authority only; refuses a body without a file name, and one over 5 MiB with 413', async () => {
    expect((await send(csv, '?fileName=professionals.csv', iro('IRO3'))).status).toBe(403);
    expect((await send(csv, '?fileName=professionals.csv', SM)).status).toBe(403);
    const mine = (await call('GET', '/imports', { as: QA })).body.imports[0].importId;
    expect((await call('GET', `/imports/${mine}`, { as: ['qa-lead', 'qa-other', OTHER] })).status).toBe(404);
    const nameless = await send(csv, '');
    expect(nameless.status).toBe(400);
    expect(((await nameless.json()) as { errors: { field: string }[] }).errors[0]!.field).toBe('fileName');
    const huge = await send(new Uint8Array(6 * 1024 * 1024), '?fileName=reviews.csv');
    expect(huge.status).toBe(413);
  });
});
