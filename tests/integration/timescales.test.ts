/**
 * An authority chooses its timescale set, and its audits are judged and worded by the set they were
 * launched with: the settings through the API (read by everyone, changed by the QA lead only) and
 * the web page, and two audits of the same records — one launched under Southwark 2008, one under
 * the 2010 Regulations — judging the same decision dates differently.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { getAudit } from '#audit/jobs';
import { pseudonymousChildId } from '#engine/population';
import type { Principal, Role } from '#auth/principal';
import { localSigningKey, localVerifier, signDevelopmentToken, type LocalSigningKey } from '#auth/tokens';
import type { Professional } from '#domain/records';
import { REGULATIONS_2010 } from '#domain/timescales';
import { createApp } from '#http/app';
import { MANIFEST_FILE } from '#reports/publish';
import { InProcessAuditRunner } from '#service/audit-runner';
import type { DynamoRecordStore } from '#store/dynamo-store';
import { child, episode, involvement, review, toDomainRecords } from '../support/records.ts';
import { freshStorage } from '../support/storage.ts';
import { WebClient, textOf } from '../support/web-client.ts';

const AUTHORITY = 'timescales';
let key: LocalSigningKey;
let app: ReturnType<typeof createApp>;
let runner: InProcessAuditRunner;
let store: DynamoRecordStore;
let objects: Awaited<ReturnType<typeof freshStorage>>['objects'];

const STAFF: Professional[] = [
  { workerId: 'SW1', role: 'SW', team: 'North 1', service: 'CiN/CP North' },
  ...['IRO1', 'IRO2', 'IRO3'].map((workerId): Professional => ({
    workerId,
    role: 'IRO',
    team: 'IRO Service',
    service: 'Quality Assurance',
  })),
];

/**
 * Four children, each with a review on Monday 4 March 2024 whose decisions went out on a different
 * day: Monday 11 March is the 5th working day after (the regulations' last day in time), Tuesday 12
 * March the 6th; Monday 18 March is the 14th calendar day (Southwark's last), Tuesday 19 March the 15th.
 */
const ISSUED: Record<string, string> = { D07: '2024-03-11', D08: '2024-03-12', D14: '2024-03-18', D15: '2024-03-19' };

const TEMPLATE = {
  id: 'decisions-issued-timescale',
  version: 1,
  title: 'Review decisions issued in time',
  theme: 'Reviews',
  summary: 'The decisions of every review reach everyone within {timescale:decisionsIssued}.',
  statutoryBasis: [
    {
      citation: 'IRO Handbook (2010), paras 3.59–3.60',
      text: 'Decisions of the review circulated within {timescale:decisionsIssued}.',
    },
  ],
  population: { rule: 'reviews-in-period' },
  defaultSampling: { type: 'all' },
  criteria: [
    {
      id: 'decisions-in-time',
      kind: 'automatic',
      title: 'Review decisions issued within {timescale:decisionsIssued}',
      rule: 'The decisions were issued to everyone within {timescale:decisionsIssued} of the review.',
      condition: { withinTimescale: [{ fact: 'review.date' }, { fact: 'review.decisionsIssued' }, 'decisionsIssued'] },
      threshold: 0.9,
      alert: { title: 'Review decisions issued later than {timescale:decisionsIssued}', actingTeam: 'iro-service' },
    },
    {
      id: 'decisions-clear',
      kind: 'manual',
      title: 'The decisions are clear',
      question: 'Are the decisions clear, with who does what by when?',
      guidance: 'Good: each decision names a person and a date.',
      threshold: { atLeast: 'Good', share: 0.8 },
    },
  ],
  actions: [
    {
      criterion: 'decisions-in-time',
      action: 'Business support to send review decisions within {timescale:decisionsIssued}',
      owner: { role: 'Business support manager', team: 'IRO Service' },
      dueInDays: 60,
      expectedOutcome: 'Decisions reach everyone within {timescale:decisionsIssued}',
      successMeasure: 'Re-audit: 90% of decisions issued within {timescale:decisionsIssued}',
    },
  ],
};

const token = (role: Role, userId: string) =>
  signDevelopmentToken(key, { userId, roles: [role], authorityId: AUTHORITY });
async function call(method: string, path: string, as: [Role, string], body?: unknown) {
  const headers: Record<string, string> = { authorization: `Bearer ${await token(as[0], as[1])}` };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const response = await app.request(path, {
    method,
    headers,
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await response.text();
  return {
    status: response.status,
    type: response.headers.get('content-type') ?? '',
    body: text ? JSON.parse(text) : null,
  };
}
const QA: [Role, string] = ['qa-lead', 'qa-lead-1'];
const IRO: [Role, string] = ['iro', 'IRO3'];
const SM: [Role, string] = ['senior-manager', 'sm-1'];

/** Each child's outcome on the automatic criterion, from published findings. */
async function outcomesOf(auditId: string) {
  const findings = await call('GET', `/audits/${auditId}/findings`, SM);
  expect(findings.status).toBe(200);
  const stored = (await getAudit({ store, objects }, AUTHORITY, auditId))!.body;
  const json = JSON.parse(
    new TextDecoder().decode((await objects.get(stored.manifestKey!.replace(MANIFEST_FILE, 'findings.json')))!),
  ) as { records: { children: string[]; outcomes: Record<string, { outcome: string }> }[] };
  const byChild = Object.fromEntries(Object.keys(ISSUED).map((id) => [pseudonymousChildId(AUTHORITY, id), id]));
  const outcomes = Object.fromEntries(
    json.records.map((r) => [byChild[r.children[0]!], r.outcomes['decisions-in-time']!.outcome]),
  );
  const report = new TextDecoder().decode(
    (await objects.get(stored.manifestKey!.replace(MANIFEST_FILE, 'report.html')))!,
  );
  return { findings: findings.body, outcomes, report };
}

async function signedIn(who: Principal): Promise<WebClient> {
  const client = new WebClient(app);
  client.cookies.set('__Host-iro-session', await signDevelopmentToken(key, who));
  return client;
}

beforeAll(async () => {
  ({ store, objects } = await freshStorage('timescales'));
  key = await localSigningKey(join(await mkdtemp(join(tmpdir(), 'timescales-key-')), 'key.json'));
  runner = new InProcessAuditRunner({ store, objects });
  app = createApp({
    store,
    objects,
    links: objects,
    verifier: localVerifier(key),
    runner,
    signIn: { kind: 'local', key, authorityId: AUTHORITY },
  });
  await store.putAuthority({ authorityId: AUTHORITY, name: 'Timescale Borough', timescales: REGULATIONS_2010 });
  await store.upsertRecords(
    AUTHORITY,
    STAFF.map((record) => ({ kind: 'professional' as const, record })),
  );
  for (const [id, issued] of Object.entries(ISSUED)) {
    await store.upsertRecords(
      AUTHORITY,
      toDomainRecords(
        child(id, '2012-01-01', {
          episodes: [episode(id, '2024-02-05')],
          reviews: [review(id, '2024-03-04', { iroId: 'IRO1', decisionsIssued: issued })],
          involvements: [involvement(id, 'SW1', 'SW', '2024-02-05'), involvement(id, 'IRO1', 'IRO', '2024-02-05')],
        }),
      ),
    );
  }
  expect((await call('POST', '/templates', QA, TEMPLATE)).status).toBe(201);
});

describe('the authority’s timescale set', () => {
  it('is read by every role, in words, with the sets there are to choose from', async () => {
    const read = await call('GET', '/authority', IRO);
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({
      authorityId: AUTHORITY,
      name: 'Timescale Borough',
      canChange: false,
      timescales: { id: 'regulations-2010' },
    });
    expect(read.body.timescales.intervals.find((i: { name: string }) => i.name === 'decisionsIssued')).toMatchObject({
      words: '5 working days',
      rule: 'the review’s decisions issued within 5 working days of the review',
    });
    expect(read.body.timescales.summary).toMatch(
      /^Care Planning, Placement and Case Review \(England\) Regulations 2010 — first review within 20 working days of becoming looked after; /,
    );
    expect((await call('GET', '/authority', QA)).body.canChange).toBe(true);
    const sets = await call('GET', '/timescale-sets', SM);
    expect(sets.body.sets.map((s: { id: string }) => s.id)).toEqual(['regulations-2010', 'southwark-2008']);
  });

  it('is changed by the QA lead only: anyone else gets a 403 problem and nothing changes', async () => {
    for (const who of [IRO, SM]) {
      const refused = await call('PATCH', '/authority', who, { timescales: 'southwark-2008' });
      expect(refused.status).toBe(403);
      expect(refused.type).toContain('application/problem+json');
      expect(refused.body.detail).toMatch(/only a QA lead can change/);
    }
    expect((await store.getAuthority(AUTHORITY))?.timescales.id).toBe('regulations-2010');
  });

  it('refuses a set that does not exist, naming the field and the sets there are', async () => {
    const refused = await call('PATCH', '/authority', QA, { timescales: 'southwark-2009' });
    expect(refused.status).toBe(400);
    expect(refused.type).toContain('application/problem+json');
    expect(refused.body.errors).toEqual([
      {
        field: 'timescales',
        message: 'there is no timescale set "southwark-2009": choose one of regulations-2010, southwark-2008',
      },
    ]);
    expect((await call('PATCH', '/authority', QA, {})).body.errors.map((e: { field: string }) => e.field)).toEqual([
      'timescales',
    ]);
  });

  it('changes for the QA lead, keeping everything else the authority holds', async () => {
    const before = {
      children: await store.countChildren(AUTHORITY),
      professionals: await countOf(store.professionals(AUTHORITY)),
    };
    const changed = await call('PATCH', '/authority', QA, { timescales: 'southwark-2008' });
    expect(changed.status).toBe(200);
    expect(changed.body).toMatchObject({ name: 'Timescale Borough', timescales: { id: 'southwark-2008' } });
    expect(changed.body.timescales.intervals.find((i: { name: string }) => i.name === 'decisionsIssued').words).toBe(
      '14 calendar days',
    );
    expect((await call('GET', '/authority', IRO)).body.timescales.id).toBe('southwark-2008');
    expect({
      children: await store.countChildren(AUTHORITY),
      professionals: await countOf(store.professionals(AUTHORITY)),
    }).toEqual(before);
    expect((await store.getAuthority(AUTHORITY))?.name).toBe('Timescale Borough');
    // The template the QA lead added is still there: as written, and worded from the new set.
    const entry = await call('GET', `/templates/${TEMPLATE.id}`, SM);
    expect(entry.status).toBe(200);
    expect(entry.body.template.criteria[0].title).toBe('Review decisions issued within {timescale:decisionsIssued}');
    expect(entry.body.rendered.timescales.id).toBe('southwark-2008');
    expect(entry.body.rendered.template.criteria[0].title).toBe('Review decisions issued within 14 calendar days');
    expect(entry.body.rendered.template.actions[0].successMeasure).toBe(
      'Re-audit: 90% of decisions issued within 14 calendar days',
    );
  });
});

describe('audits under a timescale set', () => {
  it('judge decisions by the set the audit was launched with, even when the authority changes it before the audit closes', async () => {
    // Launched under Southwark 2008 and graded, so it closes later.
    const graded = await call('POST', '/audits', QA, {
      templateId: TEMPLATE.id,
      from: '2024-03-01',
      to: '2024-03-31',
      seed: 3,
    });
    expect(graded.status).toBe(201);
    expect(graded.body.timescales).toEqual({ id: 'southwark-2008', title: expect.stringContaining('Southwark') });
    await runner.idle();
    expect((await call('GET', `/audits/${graded.body.auditId}`, QA)).body.status).toBe('grading');

    // The authority goes back to the regulations; an automatic audit of the same records is judged by them.
    expect((await call('PATCH', '/authority', QA, { timescales: 'regulations-2010' })).status).toBe(200);
    const auto = await call('POST', '/audits', QA, {
      templateId: TEMPLATE.id,
      from: '2024-03-01',
      to: '2024-03-31',
      seed: 3,
      autoOnly: true,
    });
    await runner.idle();
    const regs = await outcomesOf(auto.body.auditId);
    expect(regs.outcomes).toEqual({ D07: 'met', D08: 'not-met', D14: 'not-met', D15: 'not-met' });
    expect(regs.findings.timescales.id).toBe('regulations-2010');
    expect(regs.findings.criteria[0]).toMatchObject({
      title: 'Review decisions issued within 5 working days',
      met: 1,
      notMet: 3,
    });
    expect(regs.findings.actionPlan[0]).toMatchObject({
      action: 'Business support to send review decisions within 5 working days',
    });
    expect(regs.report).toContain(
      '<dt>Timescales</dt><dd>Care Planning, Placement and Case Review (England) Regulations 2010 — first review within 20 working days of becoming looked after;',
    );

    // The graded audit closes now, and is still judged by Southwark's 14 days.
    expect((await call('POST', `/audits/${graded.body.auditId}/close`, QA)).status).toBe(202);
    await runner.idle();
    const southwark = await outcomesOf(graded.body.auditId);
    expect(southwark.outcomes).toEqual({ D07: 'met', D08: 'met', D14: 'met', D15: 'not-met' });
    expect(southwark.findings.timescales).toMatchObject({ id: 'southwark-2008' });
    expect(southwark.findings.timescales.summary).toContain(
      'the review’s decisions issued within 14 calendar days of the review',
    );
    expect(southwark.findings.criteria[0]).toMatchObject({
      title: 'Review decisions issued within 14 calendar days',
      met: 3,
      notMet: 1,
    });
    expect(southwark.findings.criteria[0].rule).toContain(
      'review.decisionsIssued within 14 calendar days of review.date',
    );
    expect(southwark.report).toContain('<dt>Timescales</dt><dd>Southwark IRO service practice, 2008');

    // The findings page says which set each audit was judged by.
    const manager = await signedIn({ userId: 'sm-1', roles: ['senior-manager'], authorityId: AUTHORITY });
    expect(textOf((await manager.get(`/app/findings/${graded.body.auditId}`)).html)).toContain(
      'Timescales Southwark IRO service practice, 2008',
    );
    expect(textOf((await manager.get(`/app/findings/${auto.body.auditId}`)).html)).toContain(
      'Timescales Care Planning, Placement and Case Review (England) Regulations 2010 — first review within 20 working days',
    );
  });
});

describe('the Timescales page', () => {
  it('shows the set in words to everyone, and lets only the QA lead choose another', async () => {
    const qa = await signedIn({ userId: 'qa-lead-1', roles: ['qa-lead'], authorityId: AUTHORITY });
    const page = await qa.get('/app/settings');
    expect(page.status).toBe(200);
    const text = textOf(page.html);
    expect(text).toContain(
      'Decisions issued 5 working days The review’s decisions issued within 5 working days of the review.',
    );
    expect(text).toContain('Save timescales');

    const empty = await qa.submit('/app/settings', '/app/settings', {});
    expect(empty.status).toBe(400);
    expect(textOf(empty.html)).toContain('There is a problem Choose a timescale set');
    const unknown = await qa.submit('/app/settings', '/app/settings', { timescales: 'nowhere-1999' });
    expect(unknown.status).toBe(400);
    expect(textOf(unknown.html)).toContain(
      'There is no timescale set "nowhere-1999": choose one of regulations-2010, southwark-2008',
    );

    const saved = await qa.submit('/app/settings', '/app/settings', { timescales: 'southwark-2008' });
    expect(saved.status).toBe(303);
    expect(saved.location).toBe('/app/settings?saved=1');
    const after = textOf((await qa.get(saved.location!)).html);
    expect(after).toContain('Audits you launch from now on are judged by Southwark IRO service practice, 2008');
    expect(after).toContain('Decisions issued 14 calendar days');
    expect((await store.getAuthority(AUTHORITY))?.timescales.id).toBe('southwark-2008');
    // The template pages word their intervals from the set too.
    expect(textOf((await qa.get(`/app/templates/${TEMPLATE.id}`)).html)).toContain(
      'Review decisions issued within 14 calendar days',
    );

    const iro = await signedIn({ userId: 'IRO3', roles: ['iro'], authorityId: AUTHORITY });
    const readOnly = await iro.get('/app/settings');
    expect(readOnly.status).toBe(200);
    expect(textOf(readOnly.html)).toContain('Decisions issued 14 calendar days');
    expect(textOf(readOnly.html)).not.toContain('Save timescales');
    const refused = await iro.submit('/app/settings', '/app/settings', { timescales: 'regulations-2010' });
    expect(refused.status).toBe(403);
    expect((await store.getAuthority(AUTHORITY))?.timescales.id).toBe('southwark-2008');
  });
});

async function countOf(items: AsyncIterable<unknown>): Promise<number> {
  let n = 0;
  for await (const _ of items) n += 1;
  return n;
}
