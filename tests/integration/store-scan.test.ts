/** Scanning an authority's children over segments: every child exactly once, whole, and never another authority's. */
import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { createDynamoDocumentClient } from '#config/aws-clients';
import type { DomainRecord } from '#domain/records';
import { DynamoRecordStore } from '#store/dynamo-store';
import type { ChildRecords } from '#store/record-store';
import { ensureTable } from '#store/table';

let store: DynamoRecordStore;

function recordsFor(childId: string, reviews: number): DomainRecord[] {
  const records: DomainRecord[] = [
    {
      kind: 'child',
      record: {
        childId,
        sex: 'M',
        dateOfBirth: '2012-01-01',
        ethnicity: null,
        upn: null,
        motherChildDateOfBirth: null,
      },
    },
    {
      kind: 'episode',
      record: {
        childId,
        startDate: '2020-01-06',
        reasonNewEpisode: 'S',
        legalStatus: 'C2',
        categoryOfNeed: 'N1',
        placement: 'U1',
        placementProvider: 'PR1',
        endDate: null,
        reasonEpisodeCeased: null,
        reasonPlaceChange: null,
        homePostcode: null,
        placementPostcode: null,
        urn: null,
      },
    },
  ];
  for (let i = 0; i < reviews; i++) {
    const reviewDate = `2021-${String(i + 1).padStart(2, '0')}-15`;
    records.push({ kind: 'reviewParticipation', record: { childId, reviewDate, participationCode: 'PN1' } });
    records.push({
      kind: 'reviewDetails',
      record: {
        childId,
        reviewDate,
        iroId: 'IRO1',
        permanencePlan: ['f'],
        carePlanUpToDate: true,
        childSeenBeforeReview: true,
        decisionsIssued: null,
        recordIssued: null,
        stoodDown: false,
      },
    });
  }
  return records;
}

beforeAll(async () => {
  const config = {
    region: 'eu-west-2',
    tableName: `scan-${randomUUID()}`,
    bucketName: 'unused',
    dynamoEndpoint: inject('dynamoEndpoint'),
  };
  const client = createDynamoDocumentClient(config);
  await ensureTable(client, config.tableName);
  // Pages of 7 items split children across pages, which the scan must stitch back together.
  store = new DynamoRecordStore(client, config.tableName, { queryPageSize: 7 });
  for (let c = 0; c < 40; c++) await store.upsertRecords('east', recordsFor(`E${c}`, c % 6));
  await store.upsertRecords('west', recordsFor('E1', 3));
  await store.upsertRecords('east', [
    { kind: 'professional', record: { workerId: 'IRO1', role: 'IRO', team: 'IRO Service', service: 'QA' } },
  ]);
});

describe('scanning children by segment', () => {
  it('yields every child of the authority exactly once across the segments, each with all its records', async () => {
    const seen: ChildRecords[] = [];
    for (let segment = 0; segment < 3; segment++) {
      for await (const records of store.scanChildRecords('east', segment, 3)) seen.push(records);
    }
    const ids = seen.map((r) => r.child?.childId).sort();
    expect(ids).toEqual(Array.from({ length: 40 }, (_, c) => `E${c}`).sort());
    for (const records of seen) {
      const n = Number(records.child!.childId.slice(1)) % 6;
      expect(records.reviews).toHaveLength(n);
      expect(records.episodes).toHaveLength(1);
      expect(records.reviews.every((r) => r.iroId === 'IRO1' && r.participationCode === 'PN1')).toBe(true);
    }
  });

  it('never yields another authority’s child with the same id', async () => {
    const west: ChildRecords[] = [];
    for await (const records of store.scanChildRecords('west', 0, 1)) west.push(records);
    expect(west).toHaveLength(1);
    expect(west[0]?.reviews).toHaveLength(3);
  });
});
