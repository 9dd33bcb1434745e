/** The DynamoDB record store against a real dynalite: every access pattern, isolation, idempotent upserts, versions. */
import { randomUUID } from 'node:crypto';
import { CreateTableCommand } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { createDynamoDocumentClient } from '#config/aws-clients';
import type { StoreConfig } from '#config/config';
import type {
  Child,
  DomainRecord,
  Episode,
  HealthEvent,
  Involvement,
  Oc2Outcome,
  Professional,
  Review,
  ReviewDetails,
  ReviewParticipation,
  SiblingGroupMember,
} from '#domain/records';
import { REGULATIONS_2010 } from '#domain/timescales';
import { DynamoRecordStore } from '#store/dynamo-store';
import { InvalidKeyError, childPartition, reviewSk } from '#store/keys';
import { VersionConflictError, type Versioned } from '#store/record-store';
import { ensureTable } from '#store/table';

// ---- fixtures -------------------------------------------------------------------------------

const NORTH = 'north-shire';
const SOUTH = 'south-shire';

const child = (childId: string, dateOfBirth: string): Child => ({
  childId,
  sex: 'F',
  dateOfBirth,
  ethnicity: 'WBRI',
  upn: null,
  motherChildDateOfBirth: null,
});
const episode = (childId: string, startDate: string, reasonNewEpisode: Episode['reasonNewEpisode']): Episode => ({
  childId,
  startDate,
  reasonNewEpisode,
  legalStatus: 'C2',
  categoryOfNeed: 'N1',
  placement: 'U1',
  placementProvider: 'PR1',
  endDate: null,
  reasonEpisodeCeased: null,
  reasonPlaceChange: null,
  homePostcode: 'M1 1AA',
  placementPostcode: 'M2 2BB',
  urn: null,
});
const participation = (
  childId: string,
  reviewDate: string,
  participationCode: ReviewParticipation['participationCode'],
): ReviewParticipation => ({
  childId,
  reviewDate,
  participationCode,
});
const details = (
  childId: string,
  reviewDate: string,
  iroId: string | null,
  extra: Partial<ReviewDetails> = {},
): ReviewDetails => ({
  childId,
  reviewDate,
  iroId,
  permanencePlan: ['f'],
  carePlanUpToDate: true,
  childSeenBeforeReview: true,
  decisionsIssued: null,
  recordIssued: null,
  stoodDown: false,
  ...extra,
});
const involvement = (childId: string, workerId: string, role: Involvement['role'], startDate: string): Involvement => ({
  childId,
  workerId,
  role,
  startDate,
  endDate: null,
});
const member = (childId: string, familyId: string): SiblingGroupMember => ({
  childId,
  familyId,
  conflictOfInterest: false,
});
const health = (childId: string, type: HealthEvent['type'], date: string): HealthEvent => ({
  childId,
  type,
  date,
  status: 'Completed',
  childPresent: true,
  viewsRecorded: true,
  sdqScore: null,
  sdqReason: null,
  immunisationsUpToDate: true,
});
const oc2 = (childId: string, yearEnding: string): Oc2Outcome => ({
  childId,
  yearEnding,
  sdqScore: 14,
  sdqReason: null,
  convicted: false,
  healthCheck: true,
  immunisations: true,
  teethCheck: true,
  healthAssessment: true,
  substanceMisuse: false,
  interventionReceived: null,
  interventionOffered: null,
});
const professional = (workerId: string, role: Professional['role']): Professional => ({
  workerId,
  role,
  team: 'Team North',
  service: 'Children in Care',
});

/** The merged review the store should return: the missing half contributes nulls. */
const review = (p: ReviewParticipation | null, d: ReviewDetails | null): Review => ({
  childId: (p ?? d)!.childId,
  reviewDate: (p ?? d)!.reviewDate,
  participationCode: p?.participationCode ?? null,
  iroId: d?.iroId ?? null,
  permanencePlan: d?.permanencePlan ?? null,
  carePlanUpToDate: d?.carePlanUpToDate ?? null,
  childSeenBeforeReview: d?.childSeenBeforeReview ?? null,
  decisionsIssued: d?.decisionsIssued ?? null,
  recordIssued: d?.recordIssued ?? null,
  stoodDown: d?.stoodDown ?? null,
  seriesId: d?.seriesId ?? null,
  lateReason: d?.lateReason ?? null,
});

const n = {
  c1: child('C001', '2012-05-04'),
  c2: child('C002', '2014-09-30'),
  c3: child('C003', '2008-01-15'),
  ep1: episode('C001', '2023-11-20', 'S'),
  ep2: episode('C001', '2024-03-01', 'P'),
  // C001's first review has both halves, its second only the SSDA903 half, its third only the details.
  r1p: participation('C001', '2023-12-15', 'PN1'),
  r1d: details('C001', '2023-12-15', 'I01', { decisionsIssued: '2023-12-20', recordIssued: '2024-01-05' }),
  r2p: participation('C001', '2024-03-10', 'PN6'),
  r3d: details('C001', '2024-06-10', 'I02', {
    permanencePlan: ['a', 'RETURN6M'],
    seriesId: 'S-4',
    lateReason: 'Care plan not ready',
  }),
  // C002's reviews straddle the new year.
  r4p: participation('C002', '2023-12-31', 'PN0'),
  r4d: details('C002', '2023-12-31', 'I01'),
  r5p: participation('C002', '2024-01-02', 'PN7'),
  r5d: details('C002', '2024-01-02', 'I01', { permanencePlan: [] }),
  // C003's reviews fall outside the range queried below.
  r6p: participation('C003', '2022-12-31', 'PN4'),
  r7d: details('C003', '2025-01-05', null),
  inv1: involvement('C001', 'W01', 'SW', '2023-11-20'),
  inv2: involvement('C001', 'I01', 'IRO', '2023-11-20'),
  inv3: involvement('C002', 'W01', 'SW', '2023-12-01'),
  fam1: member('C001', 'F1'),
  fam2: member('C002', 'F1'),
  fam3: member('C003', 'F9'),
  he1: health('C001', 'IHA', '2023-12-01'),
  he2: health('C001', 'DENTAL', '2024-02-01'),
  oc: oc2('C001', '2024-03-31'),
  w01: professional('W01', 'SW'),
  i01: professional('I01', 'IRO'),
  t01: professional('T01', 'TM'),
};

const northRecords: DomainRecord[] = [
  { kind: 'child', record: n.c1 },
  { kind: 'child', record: n.c2 },
  { kind: 'child', record: n.c3 },
  { kind: 'episode', record: n.ep1 },
  { kind: 'episode', record: n.ep2 },
  ...[n.r1p, n.r2p, n.r4p, n.r5p, n.r6p].map((record): DomainRecord => ({ kind: 'reviewParticipation', record })),
  ...[n.r1d, n.r3d, n.r4d, n.r5d, n.r7d].map((record): DomainRecord => ({ kind: 'reviewDetails', record })),
  ...[n.inv1, n.inv2, n.inv3].map((record): DomainRecord => ({ kind: 'involvement', record })),
  ...[n.fam1, n.fam2, n.fam3].map((record): DomainRecord => ({ kind: 'siblingGroupMember', record })),
  { kind: 'healthEvent', record: n.he1 },
  { kind: 'healthEvent', record: n.he2 },
  { kind: 'oc2', record: n.oc },
  ...[n.w01, n.i01, n.t01].map((record): DomainRecord => ({ kind: 'professional', record })),
];

// The south has a child, a family and an IRO with the same ids as the north's.
const s = {
  c1: child('C001', '2019-02-28'),
  r1p: participation('C001', '2024-01-01', 'PN3'),
  r1d: details('C001', '2024-01-01', 'I01'),
  fam1: member('C001', 'F1'),
  i01: professional('I01', 'IRO'),
};
const southRecords: DomainRecord[] = [
  { kind: 'child', record: s.c1 },
  { kind: 'reviewParticipation', record: s.r1p },
  { kind: 'reviewDetails', record: s.r1d },
  { kind: 'siblingGroupMember', record: s.fam1 },
  { kind: 'professional', record: s.i01 },
];

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const values: T[] = [];
  for await (const value of iterable) values.push(value);
  return values;
}

// ---- setup ----------------------------------------------------------------------------------

const config: StoreConfig = {
  region: 'eu-west-2',
  tableName: `store-${randomUUID()}`,
  bucketName: 'unused',
  dynamoEndpoint: inject('dynamoEndpoint'),
};
const client = createDynamoDocumentClient(config);
const store = new DynamoRecordStore(client, config.tableName);
// Pages of two items: every paginated read crosses page boundaries.
const pagedStore = new DynamoRecordStore(client, config.tableName, { queryPageSize: 2 });

/** A client that counts the queries sent through it, to prove a read really took several pages. */
function countingQueries(): { client: DynamoDBDocumentClient; queries: () => number } {
  let queries = 0;
  const counting = {
    send: (command: Parameters<DynamoDBDocumentClient['send']>[0]) => {
      if (command instanceof QueryCommand) queries += 1;
      return client.send(command as never);
    },
  } as unknown as DynamoDBDocumentClient;
  return { client: counting, queries: () => queries };
}

/** The raw stored item, meta attributes and all. */
async function rawItem(pk: string, sk: string) {
  return (await client.send(new GetCommand({ TableName: config.tableName, Key: { pk, sk } }))).Item;
}

beforeAll(async () => {
  await ensureTable(client, config.tableName);
  expect(await store.upsertRecords(NORTH, northRecords)).toEqual({
    created: northRecords.length,
    updated: 0,
    unchanged: 0,
  });
  expect(await store.upsertRecords(SOUTH, southRecords)).toEqual({
    created: southRecords.length,
    updated: 0,
    unchanged: 0,
  });
});

// ---- tests ----------------------------------------------------------------------------------

describe('the table', () => {
  it('answers a ping', async () => {
    await expect(store.ping()).resolves.toBeUndefined();
  });

  it('fails a ping when the table does not exist', async () => {
    await expect(new DynamoRecordStore(client, `missing-${randomUUID()}`).ping()).rejects.toThrow();
  });

  it('ensureTable leaves an existing table alone', async () => {
    await expect(ensureTable(client, config.tableName)).resolves.toBeUndefined();
    expect(await store.countChildren(NORTH)).toBe(3);
  });

  it('ensureTable refuses a table of the same name with another key layout', async () => {
    const name = `other-${randomUUID()}`;
    await client.send(
      new CreateTableCommand({
        TableName: name,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      }),
    );
    await expect(ensureTable(client, name)).rejects.toThrow(/another key layout/);
  });
});

describe('a child with all its records', () => {
  it('returns every record held about the child, the two halves of each review merged', async () => {
    const records = await store.getChildRecords(NORTH, 'C001');
    expect(records).toEqual({
      child: n.c1,
      episodes: [n.ep1, n.ep2],
      reviews: [review(n.r1p, n.r1d), review(n.r2p, null), review(null, n.r3d)],
      involvements: [n.inv2, n.inv1], // by start date, then role: IRO before SW
      siblingGroups: [n.fam1],
      healthEvents: [n.he1, n.he2],
      oc2: [n.oc],
    });
  });

  it('returns null for a child the authority holds nothing about', async () => {
    await expect(store.getChildRecords(NORTH, 'C999')).resolves.toBeNull();
  });
});

describe('children by sibling group', () => {
  it('lists the members of one family', async () => {
    const members = await store.siblingGroup(NORTH, 'F1');
    expect(members).toEqual([n.fam1, n.fam2]);
  });

  it('lists across query pages', async () => {
    await store.upsertRecords(
      NORTH,
      ['C101', 'C102', 'C103'].map((id): DomainRecord => ({ kind: 'siblingGroupMember', record: member(id, 'F7') })),
    );
    expect((await pagedStore.siblingGroup(NORTH, 'F7')).map((m) => m.childId)).toEqual(['C101', 'C102', 'C103']);
  });

  it('returns nobody for an unknown family', async () => {
    await expect(store.siblingGroup(NORTH, 'F404')).resolves.toEqual([]);
  });
});

describe('reviews in a date range', () => {
  const expected = [review(n.r1p, n.r1d), review(n.r4p, n.r4d), review(n.r5p, n.r5d), review(n.r2p, null)];

  it('returns the reviews from one date to another across a year boundary, in date order, halves merged', async () => {
    await expect(collect(store.reviewsBetween(NORTH, '2023-12-15', '2024-03-10'))).resolves.toEqual(expected);
  });

  it.each([1, 3])('merges halves that a page boundary separates (pages of %i)', async (queryPageSize) => {
    const counting = countingQueries();
    const paged = new DynamoRecordStore(counting.client, config.tableName, { queryPageSize });
    await expect(collect(paged.reviewsBetween(NORTH, '2023-12-15', '2024-03-10'))).resolves.toEqual(expected);
    expect(counting.queries()).toBeGreaterThanOrEqual(Math.ceil(7 / queryPageSize));
  });

  it('yields the first reviews before it has read the last page', async () => {
    const whole = countingQueries();
    await collect(
      new DynamoRecordStore(whole.client, config.tableName, { queryPageSize: 1 }).reviewsBetween(
        NORTH,
        '2021-01-01',
        '2026-12-31',
      ),
    );
    const early = countingQueries();
    for await (const first of new DynamoRecordStore(early.client, config.tableName, {
      queryPageSize: 1,
    }).reviewsBetween(NORTH, '2021-01-01', '2026-12-31')) {
      expect(first.reviewDate).toBe('2022-12-31');
      break;
    }
    // 2021 (empty), 2022 (one review, then the empty last page), 2023's first page shows the 2022 review is whole.
    expect(early.queries()).toBe(4);
    expect(whole.queries()).toBeGreaterThan(12);
  });

  it('leaves out reviews before, after and on the edges just outside the range', async () => {
    const reviews = await collect(store.reviewsBetween(NORTH, '2023-12-16', '2024-03-09'));
    expect(reviews.map((r) => `${r.reviewDate} ${r.childId}`)).toEqual(['2023-12-31 C002', '2024-01-02 C002']);
  });

  it('covers several years, including a review-less year in between', async () => {
    const reviews = await collect(store.reviewsBetween(NORTH, '2021-01-01', '2026-12-31'));
    expect(reviews.map((r) => r.reviewDate)).toEqual([
      '2022-12-31',
      '2023-12-15',
      '2023-12-31',
      '2024-01-02',
      '2024-03-10',
      '2024-06-10',
      '2025-01-05',
    ]);
  });

  it('returns a single day, and nothing for a reversed range', async () => {
    expect(await collect(store.reviewsBetween(NORTH, '2024-01-02', '2024-01-02'))).toEqual([review(n.r5p, n.r5d)]);
    expect(await collect(store.reviewsBetween(NORTH, '2024-03-10', '2023-12-15'))).toEqual([]);
  });
});

describe('records by professional', () => {
  it("returns an IRO's allocations and the reviews they chaired, as whole reviews", async () => {
    const records = await store.recordsByProfessional(NORTH, 'I01');
    expect(records).toEqual({
      professional: n.i01,
      involvements: [n.inv2],
      reviewsChaired: [review(n.r1p, n.r1d), review(n.r4p, n.r4d), review(n.r5p, n.r5d)],
    });
  });

  it("returns a social worker's allocations across children", async () => {
    const records = await pagedStore.recordsByProfessional(NORTH, 'W01');
    expect(records).toEqual({ professional: n.w01, involvements: [n.inv1, n.inv3], reviewsChaired: [] });
  });

  it('returns a chaired review with no SSDA903 half', async () => {
    const records = await store.recordsByProfessional(NORTH, 'I02');
    expect(records).toEqual({ professional: null, involvements: [], reviewsChaired: [review(null, n.r3d)] });
  });

  it('lists every professional of the authority by worker id, across pages', async () => {
    expect(await collect(pagedStore.professionals(NORTH))).toEqual([n.i01, n.t01, n.w01]);
  });
});

describe('child count', () => {
  it('counts the children an authority holds, across pages', async () => {
    expect(await store.countChildren(NORTH)).toBe(3);
    const counting = countingQueries();
    expect(
      await new DynamoRecordStore(counting.client, config.tableName, { queryPageSize: 2 }).countChildren(NORTH),
    ).toBe(3);
    expect(counting.queries()).toBe(2);
    expect(await store.countChildren(SOUTH)).toBe(1);
    expect(await store.countChildren('nobody')).toBe(0);
  });
});

describe('two authorities in one table', () => {
  it("never return each other's records for the same child id", async () => {
    const south = await store.getChildRecords(SOUTH, 'C001');
    expect(south).toEqual({
      child: s.c1,
      episodes: [],
      reviews: [review(s.r1p, s.r1d)],
      involvements: [],
      siblingGroups: [s.fam1],
      healthEvents: [],
      oc2: [],
    });
    expect((await store.getChildRecords(NORTH, 'C001'))?.child).toEqual(n.c1);
  });

  it('keep sibling groups, professionals and reviews apart', async () => {
    expect(await store.siblingGroup(SOUTH, 'F1')).toEqual([s.fam1]);
    expect(await collect(store.professionals(SOUTH))).toEqual([s.i01]);
    expect(await store.recordsByProfessional(SOUTH, 'I01')).toEqual({
      professional: s.i01,
      involvements: [],
      reviewsChaired: [review(s.r1p, s.r1d)],
    });
    expect(await collect(store.reviewsBetween(SOUTH, '2023-01-01', '2024-12-31'))).toEqual([review(s.r1p, s.r1d)]);
    expect(await store.getChildRecords(SOUTH, 'C002')).toBeNull();
  });

  it('keep audit documents apart', async () => {
    await store.putAuditItem(NORTH, { auditId: 'AUD1', part: 'meta' }, { owner: 'north' }, 0);
    await expect(store.getAuditItem(SOUTH, { auditId: 'AUD1', part: 'meta' })).resolves.toBeNull();
    await expect(collect(store.auditItems(SOUTH, 'AUD1'))).resolves.toEqual([]);
  });

  it('refuse ids that would reach into another key', async () => {
    await expect(store.getChildRecords('north-shire#C#C001', 'x')).rejects.toThrow(InvalidKeyError);
    await expect(store.getChildRecords(NORTH, 'C001#EP')).rejects.toThrow(InvalidKeyError);
    await expect(store.siblingGroup('NORTH', 'F1')).rejects.toThrow(InvalidKeyError);
    await expect(store.getAuditItem(NORTH, { auditId: 'A#1', part: 'meta' })).rejects.toThrow(InvalidKeyError);
  });
});

describe('upserting by natural key', () => {
  it('re-importing the same records writes nothing: all unchanged, versions stay 1', async () => {
    const before = await rawItem(childPartition(NORTH, 'C001'), 'CHILD');
    expect(await store.upsertRecords(NORTH, northRecords)).toEqual({
      created: 0,
      updated: 0,
      unchanged: northRecords.length,
    });
    const after = await rawItem(childPartition(NORTH, 'C001'), 'CHILD');
    expect(after?.version).toBe(1);
    expect(after?.updatedAt).toBe(before?.updatedAt);
    expect((await rawItem(childPartition(NORTH, 'C002'), reviewSk('2023-12-31', 'P')))?.version).toBe(1);
  });

  it('treats the same record with its fields in another order as unchanged', async () => {
    const reordered = Object.fromEntries(Object.entries(n.he1).reverse()) as HealthEvent;
    expect(await store.upsertRecords(NORTH, [{ kind: 'healthEvent', record: reordered }])).toEqual({
      created: 0,
      updated: 0,
      unchanged: 1,
    });
  });

  it('writes a changed row as version 2 and leaves the rest alone', async () => {
    const changed = participation('C002', '2024-01-02', 'PN5');
    const summary = await store.upsertRecords(NORTH, [
      { kind: 'reviewParticipation', record: changed },
      { kind: 'reviewParticipation', record: n.r4p },
    ]);
    expect(summary).toEqual({ created: 0, updated: 1, unchanged: 1 });
    const item = await rawItem(childPartition(NORTH, 'C002'), reviewSk('2024-01-02', 'P'));
    expect(item?.version).toBe(2);
    expect(item?.participationCode).toBe('PN5');
    expect((await store.getChildRecords(NORTH, 'C002'))?.reviews[1]).toEqual(review(changed, n.r5d));
    await store.upsertRecords(NORTH, [{ kind: 'reviewParticipation', record: n.r5p }]); // restore for other tests
  });

  it('applies a key repeated within one call in order', async () => {
    const first = child('C050', '2015-01-01');
    const second = { ...first, ethnicity: 'MWBC' };
    expect(
      await store.upsertRecords(NORTH, [
        { kind: 'child', record: first },
        { kind: 'child', record: second },
      ]),
    ).toEqual({
      created: 1,
      updated: 1,
      unchanged: 0,
    });
    expect((await store.getChildRecords(NORTH, 'C050'))?.child).toEqual(second);
    expect((await rawItem(childPartition(NORTH, 'C050'), 'CHILD'))?.version).toBe(2);
  });

  it('rejects a record its schema refuses, before writing anything', async () => {
    const bad = { ...child('C060', '2015-01-01'), dateOfBirth: '2015-02-30' };
    await expect(
      store.upsertRecords(NORTH, [
        { kind: 'child', record: child('C061', '2015-01-01') },
        { kind: 'child', record: bad },
      ]),
    ).rejects.toThrow();
    await expect(store.getChildRecords(NORTH, 'C061')).resolves.toBeNull();
  });

  it('writes more rows than one batch holds', async () => {
    const many = Array.from({ length: 130 }, (_, i): DomainRecord => ({
      kind: 'healthEvent',
      record: health(
        'C200',
        'RHA',
        `2020-01-01`.replace(
          '01-01',
          `${String(1 + Math.floor(i / 28)).padStart(2, '0')}-${String(1 + (i % 28)).padStart(2, '0')}`,
        ),
      ),
    }));
    expect(await store.upsertRecords(NORTH, many)).toEqual({ created: 130, updated: 0, unchanged: 0 });
    expect(await store.upsertRecords(NORTH, many)).toEqual({ created: 0, updated: 0, unchanged: 130 });
    expect((await store.getChildRecords(NORTH, 'C200'))?.healthEvents).toHaveLength(130);
  });

  it('retries a changed row that another writer changed between the read and the write, and counts it updated', async () => {
    const key = { pk: childPartition(NORTH, 'C003'), sk: 'CHILD' };
    const rival = child('C003', '2008-01-16');
    const mine = child('C003', '2008-01-17');
    let interfered = false;
    // A client that lets a rival import land just before our first conditional put.
    const racing = {
      send: async (command: Parameters<DynamoDBDocumentClient['send']>[0]) => {
        if (command instanceof PutCommand && !interfered) {
          interfered = true;
          await store.upsertRecords(NORTH, [{ kind: 'child', record: rival }]);
        }
        return client.send(command as never);
      },
    } as unknown as DynamoDBDocumentClient;
    const summary = await new DynamoRecordStore(racing, config.tableName).upsertRecords(NORTH, [
      { kind: 'child', record: mine },
    ]);
    expect(interfered).toBe(true);
    expect(summary).toEqual({ created: 0, updated: 1, unchanged: 0 });
    const item = await rawItem(key.pk, key.sk);
    expect(item?.version).toBe(3); // 1 → 2 by the rival, → 3 by us: neither write was lost unseen
    expect(item?.dateOfBirth).toBe('2008-01-17');
    await store.upsertRecords(NORTH, [{ kind: 'child', record: n.c3 }]);
  });
});

describe('authority settings', () => {
  it('stores and returns an authority, with the default timescales', async () => {
    await store.putAuthority({ authorityId: NORTH, name: 'North Shire Council', timescales: REGULATIONS_2010 });
    await expect(store.getAuthority(NORTH)).resolves.toEqual({
      authorityId: NORTH,
      name: 'North Shire Council',
      timescales: REGULATIONS_2010,
    });
    await expect(store.getAuthority('east-shire')).resolves.toBeNull();
  });

  it('keeps the authority item out of the child count and the child partitions', async () => {
    expect(await store.countChildren(NORTH)).toBeGreaterThanOrEqual(3);
    expect(await store.getChildRecords(NORTH, 'AUTHORITY')).toBeNull();
  });
});

describe('audit items', () => {
  const key = { auditId: 'AUD-2024-Q1', part: 'record#R12' };

  it('creates a document at version 1 only when nothing is stored', async () => {
    const created = await store.putAuditItem(NORTH, key, { grade: 'good' }, 0);
    expect(created.version).toBe(1);
    expect(await store.getAuditItem(NORTH, key)).toEqual(created);
    const conflict = await store.putAuditItem(NORTH, key, { grade: 'inadequate' }, 0).catch((e: unknown) => e);
    expect(conflict).toBeInstanceOf(VersionConflictError);
    expect((conflict as VersionConflictError).current).toEqual(created);
  });

  it('lets one of two writers who read version 1 win; the other gets the winner’s document and overwrites nothing', async () => {
    const part = { auditId: 'AUD-2024-Q1', part: 'record#R13' };
    await store.putAuditItem(NORTH, part, { grade: 'requires improvement', by: 'nobody' }, 0);
    const [readByA, readByB] = await Promise.all([store.getAuditItem(NORTH, part), store.getAuditItem(NORTH, part)]);
    expect(readByA?.version).toBe(1);
    expect(readByB?.version).toBe(1);
    const winner = await store.putAuditItem(NORTH, part, { grade: 'good', by: 'iro-a' }, readByA!.version);
    expect(winner.version).toBe(2);
    const loser = await store
      .putAuditItem(NORTH, part, { grade: 'outstanding', by: 'iro-b' }, readByB!.version)
      .catch((e: unknown) => e);
    expect(loser).toBeInstanceOf(VersionConflictError);
    const conflict = loser as VersionConflictError<{ grade: string; by: string }>;
    expect(conflict.expectedVersion).toBe(1);
    expect(conflict.current).toEqual<Versioned<{ grade: string; by: string }>>({
      version: 2,
      updatedAt: winner.updatedAt,
      body: { grade: 'good', by: 'iro-a' },
    });
    expect((await store.getAuditItem(NORTH, part))?.body).toEqual({ grade: 'good', by: 'iro-a' });
  });

  it('reports a conflict with nothing stored when a version is expected of a missing document', async () => {
    const error = await store
      .putAuditItem(NORTH, { auditId: 'AUD-2024-Q1', part: 'never' }, {}, 3)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(VersionConflictError);
    expect((error as VersionConflictError).current).toBeNull();
  });

  it('refuses an expected version that is not a whole number', async () => {
    await expect(store.putAuditItem(NORTH, key, {}, -1)).rejects.toThrow(RangeError);
    await expect(store.putAuditItem(NORTH, key, {}, 1.5)).rejects.toThrow(RangeError);
  });

  it('lists the documents of one audit in part order, across pages, and nothing of other audits', async () => {
    const auditId = 'AUD-LIST';
    for (const part of ['record#R2', 'meta', 'record#R1', 'action-plan'])
      await store.putAuditItem(NORTH, { auditId, part }, { part }, 0);
    await store.putAuditItem(NORTH, { auditId: 'AUD-LISTX', part: 'meta' }, {}, 0);
    const items = await collect(pagedStore.auditItems<{ part: string }>(NORTH, auditId));
    expect(items.map((i) => i.part)).toEqual(['action-plan', 'meta', 'record#R1', 'record#R2']);
    expect(items.every((i) => i.version === 1 && i.body.part === i.part)).toBe(true);
  });
});
