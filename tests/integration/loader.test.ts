/** The loader through the real store: hand-made files with known counts, bad rows reported, re-import idempotent. */
import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { createDynamoDocumentClient } from '#config/aws-clients';
import { loadFiles } from '#loader/load';
import { DynamoRecordStore } from '#store/dynamo-store';
import { ensureTable } from '#store/table';

const AUTHORITY = 'loader-test';
let store: DynamoRecordStore;
let dir: string;

const files: Record<string, string> = {
  // BOM, columns out of order, lower case: all tolerated.
  'header.csv':
    '\uFEFFchild,DOB,SEX,ETHNIC,UPN,MOTHER,MC_DOB\nK1,14/03/2012,2,WBRI,,,\nK2,01/09/2021,1,MWBC,,,\nK3,30/02/2015,1,WBRI,,,\n',
  'episodes.csv':
    'CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,PL_POST,URN\n' +
    'K1,10/01/2023,S,C1,N1,U1,PR1,01/05/2023,X1,,,,\n' +
    'K1,01/05/2023,L,C2,N1,U1,PR1,,,,,,\n' +
    'K2,10/01/2023,S,C2,N1,U1,PR1,01/01/2023,E11,,,,\n',
  'reviews.csv':
    'CHILD,DOB,REVIEW,REVIEW_CODE\n' +
    'K1,14/03/2012,03/02/2023,PN1\n' +
    'K1,14/03/2012,02/05/2023,PN6\n' +
    'K1,14/03/2012,02/05/2023,PN7\n' +
    'K2,01/09/2021,,PN0\n' +
    'K2,01/09/2021,06/02/2023,PN9\n',
  'review_details.csv':
    'CHILD,REVIEW,IRO_ID,PERMANENCE_PLAN,CARE_PLAN_UP_TO_DATE,CHILD_SEEN_BEFORE_REVIEW,DECISIONS_ISSUED,RECORD_ISSUED,STOOD_DOWN\n' +
    'K1,03/02/2023,IRO1,,Y,Y,08/02/2023,20/02/2023,N\n' +
    'K1,02/05/2023,IRO1,ADOPTION;LTFOST18,Y,N,05/05/2023,,N\n',
  'professionals.csv':
    'WORKER_ID,ROLE,TEAM,SERVICE\nIRO1,IRO,IRO Service,Quality Assurance\nSW1,SW,North 1,CiN/CP North\nTM1,XX,North 1,CiN/CP North\n',
  'involvements.csv': 'CHILD,WORKER_ID,ROLE,START,END\nK1,IRO1,IRO,10/01/2023,\nK1,SW1,SW,10/01/2023,\n',
  'families.csv': 'CHILD,FAMILY_ID,CONFLICT_OF_INTEREST\nK1,F1,N\nK2,F1,maybe\n',
  'health.csv':
    'CHILD,TYPE,DATE,STATUS,CHILD_PRESENT,VIEWS_RECORDED,SDQ_SCORE,SDQ_REASON,IMMUNISATIONS_UP_TO_DATE\n' +
    'K1,IHA,01/02/2023,Completed,Y,Y,,,Y\n' +
    'K1,SDQ,01/03/2023,completed,,,17,,\n' +
    'K1,SDQ,01/04/2023,Completed,,,,SDQ2,\n' +
    'K1,RHA,01/04/2023,Done,Y,Y,,,Y\n',
  'notes.csv': 'NAME,NOTE\nx,y\n',
  'oc2.csv':
    'CHILD,DOB,SDQ_SCORE,SDQ_REASON,CONVICTED,HEALTH_CHECK,IMMUNISATIONS,TEETH_CHECK,HEALTH_ASSESSMENT,SUBSTANCE_MISUSE,INTERVENTION_RECEIVED,INTERVENTION_OFFERED\nK1,14/03/2012,12,,0,,1,1,1,0,0,0\n',
  'empty.csv': '',
};

beforeAll(async () => {
  const config = {
    region: 'eu-west-2',
    tableName: `loader-${randomUUID()}`,
    bucketName: 'unused',
    dynamoEndpoint: inject('dynamoEndpoint'),
  };
  const client = createDynamoDocumentClient(config);
  await ensureTable(client, config.tableName);
  store = new DynamoRecordStore(client, config.tableName);
  dir = await mkdtemp(join(tmpdir(), 'iro-loader-'));
  for (const [name, text] of Object.entries(files)) await writeFile(join(dir, name), text);
});

describe('loading import files', () => {
  it('imports the good rows of every file, reports each problem by file, line, column and rule, and refuses unknown files', async () => {
    const report = await loadFiles(store, [dir], { authorityId: AUTHORITY });
    // No year was stated: the latest episode date, 1 May 2023, puts the return in 2023-24.
    expect(report.year).toMatchObject({
      year: '2023-24',
      how: 'inferred',
      reason: 'the latest episode date in the return is 1 May 2023 (DEC in episodes.csv)',
    });
    const byFile = Object.fromEntries(report.files.map((f) => [f.file, f]));
    expect(byFile['header.csv']).toMatchObject({
      format: 'header',
      encoding: 'UTF-8 with BOM',
      delimiter: 'comma',
      rows: 3,
      accepted: 2,
      rejected: 1,
      created: 2,
    });
    expect(byFile['episodes.csv']).toMatchObject({ format: 'episodes', rows: 3, accepted: 2, rejected: 1 });
    expect(byFile['reviews.csv']).toMatchObject({ format: 'reviews', rows: 5, accepted: 2, rejected: 3 });
    expect(byFile['review_details.csv']).toMatchObject({ accepted: 2, rejected: 0 });
    expect(byFile['professionals.csv']).toMatchObject({ accepted: 2, rejected: 1 });
    expect(byFile['involvements.csv']).toMatchObject({ accepted: 2, rejected: 0 });
    expect(byFile['families.csv']).toMatchObject({ accepted: 1, rejected: 1 });
    expect(byFile['health.csv']).toMatchObject({ accepted: 3, rejected: 1 });
    expect(byFile['notes.csv']?.refused).toMatch(
      /^the columns NAME, NOTE match no known file\. Known files: header\.csv, /,
    );
    // OC2 rows carry no year: the return's year (2023-24, ending 31 March 2024) is theirs.
    expect(byFile['oc2.csv']).toMatchObject({ format: 'oc2', rows: 1, accepted: 1 });
    expect(byFile['empty.csv']?.refused).toBe('the file is empty: expected a header row');

    const rejections = report.errors
      .filter((e) => e.severity === 'rejected')
      .map((e) => `${e.file}:${e.line}:${e.column ?? '-'}:${e.rule}`);
    expect([...rejections].sort()).toEqual(
      [
        'episodes.csv:4:DEC:356',
        'header.csv:4:DOB:102',
        'professionals.csv:4:ROLE:FORMAT',
        'reviews.csv:4:-:DUPLICATE',
        'reviews.csv:5:REVIEW:166',
        'families.csv:3:CONFLICT_OF_INTEREST:FORMAT',
        'health.csv:5:STATUS:FORMAT',
      ].sort(),
    );
    expect(report.errors.find((e) => e.file === 'reviews.csv' && e.line === 4)?.message).toBe(
      'DUPLICATE – the row repeats line 3 (same CHILD and REVIEW): only the first is kept',
    );
    expect(report.errors.find((e) => e.rule === '356')).toMatchObject({
      child: 'K2',
      severity: 'rejected',
      message: '356 – the episode ceased before it began: DEC is 1 January 2023, before DECOM 10 January 2023',
    });
    // Both of K2's problems in one row are reported, not only the first; a review's code only warns
    // (the review was held), so PN9 alone keeps no row out, but K2's rejected episode holds line 6 back.
    expect(
      report.errors.filter((e) => e.file === 'reviews.csv' && e.line === 5).map((e) => [e.rule, e.severity]),
    ).toEqual([
      ['166', 'rejected'],
      ['167', 'warning'],
    ]);
    expect(
      report.errors.filter((e) => e.file === 'reviews.csv' && e.line === 6).map((e) => [e.rule, e.severity]),
    ).toEqual([
      ['167', 'warning'],
      ['356', 'not imported'],
    ]);
    expect(report.errorCount).toBe(8);
    // Warnings keep their rows: K1's blank UPN (442) is noted, and K1 is stored.
    expect(report.errors).toContainEqual(
      expect.objectContaining({
        file: 'header.csv',
        line: 2,
        child: 'K1',
        column: 'UPN',
        rule: '442',
        severity: 'warning',
      }),
    );
    expect(report.rules[0]).toMatchObject({ rows: expect.any(Number), meaning: expect.any(String) });
    expect(report.rules.find((r) => r.rule === '167' && r.severity === 'warning')).toMatchObject({
      issues: 2,
      rows: 2,
      tables: ['reviews'],
    });
  });

  it('stores what was imported, with both halves of each review merged', async () => {
    const k1 = await store.getChildRecords(AUTHORITY, 'K1');
    expect(k1?.child?.dateOfBirth).toBe('2012-03-14');
    expect(k1?.episodes).toHaveLength(2);
    expect(k1?.reviews).toEqual([
      expect.objectContaining({
        reviewDate: '2023-02-03',
        participationCode: 'PN1',
        iroId: 'IRO1',
        permanencePlan: [],
      }),
      expect.objectContaining({
        reviewDate: '2023-05-02',
        participationCode: 'PN6',
        permanencePlan: ['ADOPTION', 'LTFOST18'],
        childSeenBeforeReview: false,
        recordIssued: null,
      }),
    ]);
    expect(k1?.healthEvents.map((h) => [h.type, h.sdqScore, h.sdqReason])).toEqual([
      ['IHA', null, null],
      ['SDQ', 17, null],
      ['SDQ', null, 'SDQ2'],
    ]);
    expect(await store.getChildRecords(AUTHORITY, 'K3')).toBeNull();
    expect(k1?.oc2).toEqual([
      expect.objectContaining({ yearEnding: '2024-03-31', sdqScore: 12, healthAssessment: true }),
    ]);
  });

  it('changes nothing when the same files are imported again', async () => {
    const again = await loadFiles(store, [dir], { authorityId: AUTHORITY });
    for (const file of again.files.filter((f) => !f.refused)) {
      expect(file, file.file).toMatchObject({ created: 0, updated: 0, unchanged: file.accepted });
    }
  });

  it('updates a changed row in place rather than adding another', async () => {
    const changed = join(dir, 'changed');
    await mkdir(changed);
    await writeFile(join(changed, 'reviews.csv'), 'CHILD,DOB,REVIEW,REVIEW_CODE\nK1,14/03/2012,03/02/2023,PN5\n');
    const report = await loadFiles(store, [changed], { authorityId: AUTHORITY });
    expect(report.files[0]).toMatchObject({ created: 0, updated: 1, unchanged: 0 });
    const k1 = await store.getChildRecords(AUTHORITY, 'K1');
    expect(k1?.reviews.map((r) => r.participationCode)).toEqual(['PN5', 'PN6']);
  });

  it('keeps a bad row from stopping the rows after it in a large file', async () => {
    const big = join(dir, 'big');
    await mkdir(big);
    const lines = ['CHILD,DOB,REVIEW,REVIEW_CODE'];
    const episodes = ['CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,PL_POST,URN'];
    for (let i = 0; i < 2500; i++) {
      lines.push(i === 1234 ? `B${i},01/01/2010,not-a-date,PN1` : `B${i},01/01/2010,01/02/2023,PN1`);
      episodes.push(`B${i},10/01/2023,S,C2,N1,U1,PR1,,,,,,`);
    }
    await writeFile(join(big, 'reviews.csv'), `${lines.join('\n')}\n`);
    await writeFile(join(big, 'episodes.csv'), `${episodes.join('\n')}\n`);
    // Named reviews first: each child's rows are judged together, whatever order the files come in.
    const report = await loadFiles(store, [join(big, 'reviews.csv'), join(big, 'episodes.csv')], {
      authorityId: AUTHORITY,
      batchSize: 400,
    });
    expect(report.files.map((f) => f.file)).toEqual(['reviews.csv', 'episodes.csv']);
    expect(report.files[0]).toMatchObject({ rows: 2500, accepted: 2499, rejected: 1, created: 2499 });
    expect(report.files[1]).toMatchObject({ rows: 2500, accepted: 2500, rejected: 0 });
    expect(report.errors.filter((e) => e.severity === 'rejected')).toEqual([
      expect.objectContaining({ file: 'reviews.csv', line: 1236, column: 'REVIEW', rule: '166' }),
    ]);
  });
});
