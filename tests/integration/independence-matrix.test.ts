/**
 * The independence promise as a matrix, through the API and through the web pages: each person's
 * relation to a child (their current IRO, a former IRO from 2014 to 2021, the chair of one review in
 * 2024 only, a moderator, people in both the qa-lead and iro groups, an unrelated IRO, a QA lead)
 * against each action (being assigned, reading the record, saving grades, moderating), allowed or
 * refused. Identities are Cognito's shape: worker ids in `custom:worker_id`, and on AWS a UUID
 * username that never stands for one.
 *
 * Being assigned is the real assignment of a sample-all audit. For the other actions each record is
 * put in the state the row names (assigned to the person, or moderated by them) with the ownIroIds
 * an audit assigned under the old, period-only rule would have kept ([current IRO] only), so the
 * refusals come from the check against the child's records as they stand, on every read and write.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SignJWT, createLocalJWKSet, exportJWK, generateKeyPair, type CryptoKey } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { freshStorage } from '../support/storage.ts';
import { child, episode, involvement, review, toDomainRecords } from '../support/records.ts';
import { WebClient, csrfTokenIn, textOf } from '../support/web-client.ts';
import { AUDIT_PARTS, GradingRecord, ModerationRecord } from '#audit/audit-record';
import { auditTrail, gradingRecords } from '#audit/jobs';
import type { Role } from '#auth/principal';
import { jwtVerifier, localSigningKey, localVerifier, signDevelopmentToken, type LocalSigningKey } from '#auth/tokens';
import type { Professional } from '#domain/records';
import { REGULATIONS_2010 } from '#domain/timescales';
import { createApp } from '#http/app';
import { InProcessAuditRunner } from '#service/audit-runner';
import { TemplateCatalogue } from '#service/templates';
import type { DynamoRecordStore } from '#store/dynamo-store';
import type { S3ObjectStore } from '#store/object-store';

const AUTHORITY = 'matrix';
const CHILD = 'M1';
const QUESTION = 'voice-of-the-child';

interface Person {
  userId: string;
  workerId?: string;
  roles: Role[];
}
const person = (workerId: string | undefined, roles: Role[]): Person => ({
  userId: workerId ? `user-${workerId.toLowerCase()}` : 'qa-lead-1',
  ...(workerId ? { workerId } : {}),
  roles,
});

const PEOPLE = {
  current: person('IRO-CURRENT', ['iro']),
  former: person('IRO-FORMER', ['iro']),
  chair: person('IRO-CHAIR', ['iro']),
  moderator: person('IRO-MODERATOR', ['iro']),
  dual: person('MGR-1', ['qa-lead', 'iro']),
  dualGrader: person('MGR-2', ['qa-lead', 'iro']),
  dualFormer: person('MGR-OWN', ['qa-lead', 'iro']),
  unrelated: person('IRO-OTHER', ['iro']),
  auditor: person('IRO-AUDITOR', ['iro']),
  qa: person(undefined, ['qa-lead']),
};
/** The IROs of the authority: everyone with a worker id, and the one who grades S by default. */
const IRO_IDS = [...Object.values(PEOPLE).flatMap((p) => (p.workerId ? [p.workerId] : [])), 'IRO-GRADER'];
const RELATED = ['IRO-CURRENT', 'IRO-FORMER', 'IRO-CHAIR', 'MGR-OWN'];

/**
 * The child: in care since 2013; IRO-FORMER their IRO from 2014 to 2021 and MGR-OWN in 2016–17,
 * IRO-CURRENT since; IRO-CHAIR chaired one review, in May 2024, after the period, with no allocation.
 * Their two reviews in the period (June and November 2023) are the records R and S.
 */
const m1 = child(CHILD, '2010-05-01', {
  episodes: [episode(CHILD, '2013-09-02')],
  involvements: [
    involvement(CHILD, 'SW1', 'SW', '2013-09-02'),
    involvement(CHILD, 'IRO-FORMER', 'IRO', '2014-01-06', '2016-02-29'),
    involvement(CHILD, 'MGR-OWN', 'IRO', '2016-03-01', '2017-02-28'),
    involvement(CHILD, 'IRO-FORMER', 'IRO', '2017-03-01', '2021-07-30'),
    involvement(CHILD, 'IRO-CURRENT', 'IRO', '2021-08-02'),
  ],
  reviews: [
    review(CHILD, '2021-06-01', { iroId: 'IRO-FORMER' }),
    review(CHILD, '2022-12-01', { iroId: 'IRO-CURRENT' }),
    review(CHILD, '2023-06-01', { iroId: 'IRO-CURRENT' }),
    review(CHILD, '2023-11-30', { iroId: 'IRO-CURRENT' }),
    review(CHILD, '2024-05-20', { iroId: 'IRO-CHAIR' }),
  ],
});

type Status = 200 | 403 | 404 | 409;
interface Row {
  who: string;
  person: Person;
  /** Whether the audit's assignment may give them the child's records. */
  assigned: 'never' | 'eligible' | 'not an IRO';
  /** The record they read and save, and whether it is assigned to them (as its auditor). */
  on: 'R' | 'S';
  assignedToThem: boolean;
  /** Moderating: an IRO saves grades on S as its moderator (`moderatesS`: it is given to them); a QA lead records agreed grades on S. */
  moderatesS: boolean;
  /** Whether they graded S as its auditor. */
  gradedS?: boolean;
  read: Status;
  save: Status;
  moderate: Status;
}

const ROWS: Row[] = [
  {
    who: 'current IRO of the child',
    person: PEOPLE.current,
    assigned: 'never',
    on: 'R',
    assignedToThem: true,
    moderatesS: true,
    read: 403,
    save: 403,
    moderate: 403,
  },
  {
    who: 'former IRO, 2014–2021 (before the period)',
    person: PEOPLE.former,
    assigned: 'never',
    on: 'R',
    assignedToThem: true,
    moderatesS: true,
    read: 403,
    save: 403,
    moderate: 403,
  },
  {
    who: 'chaired one review in 2024 only, no allocation',
    person: PEOPLE.chair,
    assigned: 'never',
    on: 'R',
    assignedToThem: true,
    moderatesS: true,
    read: 403,
    save: 403,
    moderate: 403,
  },
  {
    who: 'moderator (unrelated), on the record they moderate',
    person: PEOPLE.moderator,
    assigned: 'eligible',
    on: 'S',
    assignedToThem: false,
    moderatesS: true,
    read: 200,
    save: 200,
    moderate: 200,
  },
  {
    who: 'qa-lead + iro, unrelated, not assigned',
    person: PEOPLE.dual,
    assigned: 'eligible',
    on: 'R',
    assignedToThem: false,
    moderatesS: false,
    read: 200,
    save: 404,
    moderate: 200,
  },
  {
    who: 'qa-lead + iro who graded S, after moderation froze it',
    person: PEOPLE.dualGrader,
    assigned: 'eligible',
    on: 'S',
    assignedToThem: true,
    moderatesS: false,
    gradedS: true,
    read: 200,
    save: 409,
    moderate: 403,
  },
  {
    who: 'qa-lead + iro, former IRO of the child (2016–17)',
    person: PEOPLE.dualFormer,
    assigned: 'never',
    on: 'R',
    assignedToThem: true,
    moderatesS: false,
    read: 403,
    save: 403,
    moderate: 403,
  },
  {
    who: 'unrelated IRO, not assigned',
    person: PEOPLE.unrelated,
    assigned: 'eligible',
    on: 'R',
    assignedToThem: false,
    moderatesS: false,
    read: 404,
    save: 404,
    moderate: 404,
  },
  {
    who: 'the IRO the record is assigned to (unrelated)',
    person: PEOPLE.auditor,
    assigned: 'eligible',
    on: 'R',
    assignedToThem: true,
    moderatesS: false,
    read: 200,
    save: 200,
    moderate: 404,
  },
  {
    who: 'QA lead (no worker id)',
    person: PEOPLE.qa,
    assigned: 'not an IRO',
    on: 'R',
    assignedToThem: false,
    moderatesS: false,
    read: 200,
    save: 403,
    moderate: 200,
  },
];

let key: LocalSigningKey;
let store: DynamoRecordStore;
let objects: S3ObjectStore;
let app: ReturnType<typeof createApp>;
let auditId: string;
let R: string;
let S: string;

const tokenOf = (p: Person) =>
  signDevelopmentToken(key, { userId: p.userId, roles: p.roles, authorityId: AUTHORITY, workerId: p.workerId ?? null });

async function api(method: string, path: string, who: Person | string, body?: unknown) {
  const token = typeof who === 'string' ? who : await tokenOf(who);
  const headers: Record<string, string> = {
    authorization: `Bearer ${token}`,
    ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
  };
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

const part = (kind: 'record' | 'moderation', recordId: string) => ({ auditId, part: AUDIT_PARTS[kind](recordId) });
async function current<T>(kind: 'record' | 'moderation', recordId: string) {
  return (await store.getAuditItem<T>(AUTHORITY, part(kind, recordId)))!;
}

/**
 * Puts R and S in the state a row names. R: assigned to the row's person or to IRO-AUDITOR, ungraded.
 * S: graded by the row's person or IRO-GRADER, moderated by the row's person or IRO-MODERATOR, with
 * nothing agreed. Both keep only the ownIroIds a period-only assignment would have recorded.
 */
async function arrange(row: Row): Promise<void> {
  const worker = row.person.workerId;
  const r = await current<GradingRecord>('record', R);
  await store.putAuditItem(
    AUTHORITY,
    part('record', R),
    {
      ...r.body,
      ownIroIds: ['IRO-CURRENT'],
      assignedTo: row.assignedToThem && row.on === 'R' ? worker : 'IRO-AUDITOR',
      grades: {},
      overall: null,
      comment: null,
    },
    r.version,
  );
  const sAuditor = row.gradedS ? worker! : 'IRO-GRADER';
  const s = await current<GradingRecord>('record', S);
  await store.putAuditItem(
    AUTHORITY,
    part('record', S),
    { ...s.body, ownIroIds: ['IRO-CURRENT'], assignedTo: sAuditor },
    s.version,
  );
  const m = await current<ModerationRecord>('moderation', S);
  const moderation: ModerationRecord = {
    recordId: S,
    auditor: sAuditor,
    moderator: row.moderatesS ? worker! : 'IRO-MODERATOR',
    grades: {},
    overall: null,
    comment: null,
    agreed: null,
  };
  await store.putAuditItem(AUTHORITY, part('moderation', S), moderation, m.version);
}

const recordOf = (row: Row) => (row.on === 'R' ? R : S);

/** The version a save over the record the row acts on must carry: its grades', or its moderation's for the moderator. */
async function versionFor(row: Row, moderating: boolean): Promise<number> {
  if (moderating) return (await current('moderation', S)).version;
  return (await current('record', recordOf(row))).version;
}

beforeAll(async () => {
  const storage = await freshStorage('matrix');
  ({ store, objects } = storage);
  key = await localSigningKey(join(await mkdtemp(join(tmpdir(), 'matrix-key-')), 'key.json'));
  const runner = new InProcessAuditRunner({ store, objects: storage.objects });
  app = createApp({
    store,
    objects: storage.objects,
    links: storage.objects,
    verifier: localVerifier(key),
    runner,
    templates: new TemplateCatalogue(store),
    signIn: { kind: 'local', key, authorityId: AUTHORITY },
  });
  await store.putAuthority({ authorityId: AUTHORITY, name: 'Matrix Borough', timescales: REGULATIONS_2010 });
  const staff: Professional[] = [
    { workerId: 'SW1', role: 'SW', team: 'North 1', service: 'CiN/CP North' },
    ...IRO_IDS.map((workerId) => ({
      workerId,
      role: 'IRO' as const,
      team: 'IRO Service',
      service: 'Quality Assurance',
    })),
  ];
  await store.upsertRecords(
    AUTHORITY,
    staff.map((record) => ({ kind: 'professional' as const, record })),
  );
  await store.upsertRecords(AUTHORITY, toDomainRecords(m1));
  // Other children, IRO-CURRENT theirs, so the loads are shared and the child's records could go anywhere but for the rule.
  for (let i = 0; i < 5; i++) {
    const id = `N${i}`;
    await store.upsertRecords(
      AUTHORITY,
      toDomainRecords(
        child(id, '2011-01-01', {
          episodes: [episode(id, '2022-10-03')],
          reviews: [
            review(id, '2022-10-31', { iroId: 'IRO-CURRENT' }),
            review(id, '2023-01-30', { iroId: 'IRO-CURRENT' }),
            review(id, '2023-07-28', { iroId: 'IRO-CURRENT' }),
          ],
          involvements: [
            involvement(id, 'SW1', 'SW', '2022-10-03'),
            involvement(id, 'IRO-CURRENT', 'IRO', '2022-10-03'),
          ],
        }),
      ),
    );
  }
  const launched = await api('POST', '/audits', PEOPLE.qa, {
    templateId: 'review-timeliness-participation',
    from: '2023-04-01',
    to: '2024-03-31',
    sample: { type: 'all' },
    seed: 1,
  });
  expect(launched.status).toBe(201);
  auditId = launched.body.auditId;
  await runner.idle();
  const records = (await gradingRecords({ store, objects }, AUTHORITY, auditId)).map((r) => r.body);
  [R, S] = records
    .filter((r) => r.childIds.includes(CHILD))
    .map((r) => r.recordId)
    .sort() as [string, string];
  // S is graded by the IRO it went to, then chosen for moderation (the only record graded).
  const s = records.find((r) => r.recordId === S)!;
  const grader = Object.values(PEOPLE).find((p) => p.workerId === s.assignedTo) ?? person(s.assignedTo!, ['iro']);
  expect(
    (await api('PUT', `/audits/${auditId}/records/${S}/grades`, grader, { version: 1, grades: { [QUESTION]: 'Good' } }))
      .status,
  ).toBe(200);
  const started = await api('POST', `/audits/${auditId}/moderation`, PEOPLE.qa, { share: 0.1 });
  expect(started.status).toBe(201);
  expect(started.body.moderated).toEqual([{ recordId: S, moderator: expect.any(String) }]);
  expect([...RELATED, s.assignedTo]).not.toContain(started.body.moderated[0].moderator);
});

describe('being assigned: the audit’s own assignment', () => {
  it('records every IRO the child ever had against both of their records, and gives them to none of those', async () => {
    const records = (await gradingRecords({ store, objects }, AUTHORITY, auditId))
      .map((r) => r.body)
      .filter((r) => r.childIds.includes(CHILD));
    expect(records).toHaveLength(2);
    for (const r of records) {
      expect(r.ownIroIds).toEqual([...RELATED].sort());
      expect(r.assignedTo).not.toBeNull();
      expect(RELATED).not.toContain(r.assignedTo);
    }
  });

  for (const row of ROWS)
    it(`${row.who}: ${row.assigned}`, async () => {
      const list = await api('GET', '/assignments', row.person);
      if (row.assigned === 'not an IRO') {
        expect(list.status).toBe(403);
        return;
      }
      expect(list.status).toBe(200);
      const records = (await gradingRecords({ store, objects }, AUTHORITY, auditId))
        .map((r) => r.body)
        .filter((r) => r.childIds.includes(CHILD));
      // Excluded from both of the child's records, or from neither; and never given one when excluded.
      expect(records.map((r) => r.ownIroIds.includes(row.person.workerId!))).toEqual(
        records.map(() => row.assigned === 'never'),
      );
      if (row.assigned === 'never') {
        expect(list.body.assignments.filter((a: { recordId: string }) => a.recordId === R || a.recordId === S)).toEqual(
          [],
        );
      }
    });
});

describe('through the API', () => {
  for (const row of ROWS)
    it(`${row.who}: read ${row.read}, save grades ${row.save}, moderate ${row.moderate}`, async () => {
      await arrange(row);
      const recordId = recordOf(row);
      const read = await api('GET', `/audits/${auditId}/records/${recordId}`, row.person);
      expect(read.status, 'read').toBe(row.read);
      if (row.read === 200 && row.person === PEOPLE.moderator)
        expect(read.body).toMatchObject({ role: 'moderator', grades: { grades: {} } });
      if (row.read === 403) {
        expect(read.type).toContain('application/problem+json');
        expect(read.body.detail).toMatch(/you are, or have been, the IRO for a child in this record/);
      }

      const moderating = row.on === 'S' && row.moderatesS;
      const save = await api('PUT', `/audits/${auditId}/records/${recordId}/grades`, row.person, {
        version: await versionFor(row, moderating),
        grades: { [QUESTION]: 'Inadequate' },
      });
      expect(save.status, 'save grades').toBe(row.save);
      if (row.save !== 200) {
        // Nothing was written: neither the auditor's grades nor the moderator's.
        expect((await current<GradingRecord>('record', S)).body.grades).toEqual({ [QUESTION]: 'Good' });
        if (!moderating) expect((await current<ModerationRecord>('moderation', S)).body.grades).toEqual({});
      }

      await arrange(row);
      const moderate = row.person.roles.includes('qa-lead')
        ? await api('PUT', `/audits/${auditId}/records/${S}/agreed-grades`, row.person, {
            version: await versionFor(row, true),
            grades: { [QUESTION]: 'Requires improvement' },
            reason: 'the record quotes the child once',
          })
        : await api('PUT', `/audits/${auditId}/records/${S}/grades`, row.person, {
            version: await versionFor(row, true),
            grades: { [QUESTION]: 'Outstanding' },
          });
      expect(moderate.status, 'moderate').toBe(row.moderate);
      if (row.moderate === 403 && row.person.workerId && RELATED.includes(row.person.workerId))
        expect(moderate.body.detail).toMatch(/you are, or have been, the IRO/);
    });
});

describe('through the web pages', () => {
  const web = (status: Status, post: boolean) => (post && status === 200 ? 303 : status);

  for (const row of ROWS)
    it(`${row.who}: read ${row.read}, save grades ${row.save}, moderate ${row.moderate}`, async () => {
      await arrange(row);
      const browser = new WebClient(app);
      browser.cookies.set('__Host-iro-session', await tokenOf(row.person));
      const csrf = csrfTokenIn((await browser.get('/app')).html);
      const recordId = recordOf(row);
      const page = `/app/audits/${auditId}/records/${recordId}`;

      const read = await browser.get(page);
      expect(read.status, 'read').toBe(row.read);
      if (row.read === 403) {
        expect(textOf(read.html)).toContain('You cannot see this page');
        expect(textOf(read.html)).toContain('You are, or have been, the IRO for a child in this record');
      }

      const moderating = row.on === 'S' && row.moderatesS;
      const save = await browser.post(page, {
        csrf_token: csrf,
        version: String(await versionFor(row, moderating)),
        [`grade-${QUESTION}`]: 'Inadequate',
        action: 'save',
      });
      expect(save.status, 'save grades').toBe(web(row.save, true));
      if (row.save !== 200)
        expect((await current<GradingRecord>('record', S)).body.grades).toEqual({ [QUESTION]: 'Good' });

      await arrange(row);
      const moderate = row.person.roles.includes('qa-lead')
        ? await browser.post(`/app/audits/${auditId}/records/${S}/agreed`, {
            csrf_token: csrf,
            version: String(await versionFor(row, true)),
            [`agreed-${QUESTION}`]: 'Requires improvement',
            reason: 'the record quotes the child once',
          })
        : await browser.post(`/app/audits/${auditId}/records/${S}`, {
            csrf_token: csrf,
            version: String(await versionFor(row, true)),
            [`grade-${QUESTION}`]: 'Outstanding',
            action: 'save',
          });
      expect(moderate.status, 'moderate').toBe(web(row.moderate, true));
    });
});

describe('identity on AWS: the worker id from custom:worker_id, the username a UUID', () => {
  const ISSUER = 'https://cognito-idp.eu-west-2.amazonaws.com/eu-west-2_Matrix';
  const CLIENT = 'matrix-app-client';
  let cognitoApp: ReturnType<typeof createApp>;
  let signingKey: CryptoKey;

  /** An ID token as Cognito issues it when sign-in is by email. */
  const idToken = async (claims: Record<string, unknown>) =>
    new SignJWT({
      'cognito:groups': ['iro'],
      'custom:authority': AUTHORITY,
      token_use: 'id',
      email: 'iro@example.gov.uk',
      email_verified: true,
      ...claims,
    })
      .setProtectedHeader({ alg: 'RS256', kid: 'pool-key-1' })
      .setIssuer(ISSUER)
      .setAudience(CLIENT)
      .setSubject(randomUUID())
      .setIssuedAt()
      .setExpirationTime('1h')
      .sign(signingKey);

  const cognitoApi = async (method: string, path: string, token: string, body?: unknown) => {
    const response = await cognitoApp.request(path, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    return {
      status: response.status,
      body: (await response.json()) as { detail?: string; assignments: { recordId: string }[] },
    };
  };

  beforeAll(async () => {
    const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
    signingKey = privateKey;
    const jwks = createLocalJWKSet({
      keys: [{ ...(await exportJWK(publicKey)), kid: 'pool-key-1', alg: 'RS256', use: 'sig' }],
    });
    const runner = new InProcessAuditRunner({ store, objects });
    // The Cognito verifier's own code (jwtVerifier), with the pool's keys given instead of fetched.
    cognitoApp = createApp({
      store,
      objects,
      links: objects,
      verifier: jwtVerifier(jwks, { issuer: ISSUER, audience: CLIENT }),
      runner,
      templates: new TemplateCatalogue(store),
    });
  });

  it('reaches the IRO’s assignments and grades by custom:worker_id; the trail names the person and the worker', async () => {
    await arrange(ROWS.find((r) => r.person === PEOPLE.auditor)!);
    const username = randomUUID();
    const token = await idToken({ 'cognito:username': username, 'custom:worker_id': 'IRO-AUDITOR' });
    const list = await cognitoApi('GET', '/assignments', token);
    expect(list.status).toBe(200);
    expect(list.body.assignments.map((a) => a.recordId)).toContain(R);
    const version = (await current('record', R)).version;
    expect(
      (
        await cognitoApi('PUT', `/audits/${auditId}/records/${R}/grades`, token, {
          version,
          grades: { [QUESTION]: 'Good' },
        })
      ).status,
    ).toBe(200);
    const entry = (await auditTrail({ store, objects }, AUTHORITY, auditId))
      .filter((e) => e.action === 'grade')
      .at(-1)!;
    expect(entry).toMatchObject({ actor: username, details: { recordId: R, workerId: 'IRO-AUDITOR' } });
  });

  it('gives an IRO without a worker id no assignments and says why, even when their username looks like one', async () => {
    for (const claims of [{ 'cognito:username': randomUUID() }, { 'cognito:username': 'IRO-AUDITOR' }]) {
      const token = await idToken(claims);
      const list = await cognitoApi('GET', '/assignments', token);
      expect(list.status).toBe(403);
      expect(list.body.detail).toMatch(/no worker id \(custom:worker_id\).*Ask your administrator/);
      expect((await cognitoApi('GET', `/audits/${auditId}/records/${R}`, token)).status).toBe(403);
      expect(
        (await cognitoApi('PUT', `/audits/${auditId}/records/${R}/grades`, token, { version: 1, grades: {} })).status,
      ).toBe(403);
    }
  });

  it('shows the web pages the same: the home page says what is missing, the assignments page refuses plainly', async () => {
    const browser = new WebClient(cognitoApp);
    browser.cookies.set('__Host-iro-session', await idToken({ 'cognito:username': randomUUID() }));
    const home = await browser.get('/app');
    expect(home.status).toBe(200);
    expect(textOf(home.html)).toContain('Your account has no worker id (custom:worker_id)');
    const list = await browser.get('/app/assignments');
    expect(list.status).toBe(403);
    expect(textOf(list.html)).toContain('Ask your administrator to set it');
  });
});

describe('records changed after the assignment', () => {
  it('refuses the assigned IRO once a review they chaired years ago is imported, on reading and on saving', async () => {
    await arrange(ROWS.find((r) => r.person === PEOPLE.auditor)!);
    expect((await api('GET', `/audits/${auditId}/records/${R}`, PEOPLE.auditor)).status).toBe(200);
    await store.upsertRecords(
      AUTHORITY,
      toDomainRecords({
        ...m1,
        child: null,
        episodes: [],
        involvements: [],
        reviews: [review(CHILD, '2015-03-02', { iroId: 'IRO-AUDITOR' })],
      }),
    );
    const refused = await api('GET', `/audits/${auditId}/records/${R}`, PEOPLE.auditor);
    expect(refused.status).toBe(403);
    expect(refused.body.detail).toMatch(/chairing one of their reviews, at any date/);
    const version = (await current('record', R)).version;
    expect(
      (
        await api('PUT', `/audits/${auditId}/records/${R}/grades`, PEOPLE.auditor, {
          version,
          grades: { [QUESTION]: 'Good' },
        })
      ).status,
    ).toBe(403);
    expect((await current<GradingRecord>('record', R)).version).toBe(version);
  });
});
