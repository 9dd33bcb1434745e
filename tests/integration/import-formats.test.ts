/**
 * Every import format through the real store: the MIT fake SSDA903 tables, hand-made files of each
 * format with known counts (the remaining SSDA903 tables, the XML return, Annex A List 8 workbooks),
 * the cross-row rules, and malformed files — each with a clear result.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, readFile, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { createDynamoDocumentClient } from '#config/aws-clients';
import type { DomainRecord } from '#domain/records';
import { loadFiles, type FileReport, type LoadReport } from '#loader/load';
import { DynamoRecordStore } from '#store/dynamo-store';
import { ensureTable } from '#store/table';

let store: DynamoRecordStore;
let root: string;

beforeAll(async () => {
  const config = {
    region: 'eu-west-2',
    tableName: `formats-${randomUUID()}`,
    bucketName: 'unused',
    dynamoEndpoint: inject('dynamoEndpoint'),
  };
  const client = createDynamoDocumentClient(config);
  await ensureTable(client, config.tableName);
  store = new DynamoRecordStore(client, config.tableName);
  root = await mkdtemp(join(tmpdir(), 'iro-formats-'));
});

/** A folder holding `files` (text or bytes). */
async function folder(files: Record<string, string | Uint8Array>): Promise<string> {
  const dir = join(root, randomUUID());
  await mkdir(dir);
  for (const [name, content] of Object.entries(files)) await writeFile(join(dir, name), content);
  return dir;
}

const byFile = (report: LoadReport): Record<string, FileReport> =>
  Object.fromEntries(report.files.map((f) => [f.file, f]));
const where = (report: LoadReport) => report.errors.map((e) => `${e.file}:${e.line}:${e.column ?? '-'}`);
const stored = async (authorityId: string, entry: DomainRecord) =>
  (await store.getRecords(authorityId, [entry]))[0]?.record ?? null;

const HEADER = 'CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB';
const EPISODES = 'CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,PL_POST,URN';
const REVIEWS = 'CHILD,DOB,REVIEW,REVIEW_CODE';

describe('the MIT fake SSDA903 tables', () => {
  it('reads every table, judges it by the DfE rules of the year its episodes fall in, and groups what a rejected row takes down under it', async () => {
    const fixtures = join(process.cwd(), 'tests', 'fixtures', 'ssda903');
    const report = await loadFiles(store, [fixtures], {
      authorityId: 'fake-903',
      maxErrorsKept: 100_000,
      today: '2026-12-03',
    });
    const files = byFile(report);
    expect(Object.keys(files).sort()).toEqual((await readdir(fixtures)).filter((n) => n.endsWith('.csv')).sort());
    const formats = Object.fromEntries(report.files.map((f) => [f.file, f.format]));
    expect(formats).toEqual({
      'header.csv': 'header',
      'episodes.csv': 'episodes',
      'reviews.csv': 'reviews',
      'oc2.csv': 'oc2',
      'oc3.csv': 'oc3',
      'ad1.csv': 'ad1',
      'missing.csv': 'missing',
      'uasc.csv': 'uasc',
      'placed_for_adoption.csv': 'placed_for_adoption',
      'previous_permanence.csv': 'previous_permanence',
      'sw_episodes.csv': 'sw_episodes',
    });
    // The fake episodes run to 1 April 2018 (their reviews, random, run on to 2030): a 2018-19 return,
    // judged by the earliest rules the importer knows, 2022-23's, with sex codes 1 and 2.
    expect(report.year).toEqual({
      year: '2018-19',
      how: 'inferred',
      reason: 'the latest episode date in the return is 1 April 2018 (DEC in episodes.csv)',
      rulesOf: '2022-23',
    });
    for (const file of report.files) {
      expect(file.refused, file.file).toBeUndefined();
      const lines = (await readFile(join(fixtures, file.file), 'utf8'))
        .split('\n')
        .filter((l) => l.trim() !== '').length;
      expect(file.rows, file.file).toBe(lines - 1);
      expect(file.accepted + file.rejected, file.file).toBe(file.rows);
      expect(file.created, file.file).toBe(file.accepted);
    }
    expect(files['header.csv']).toMatchObject({ rows: 2675, accepted: 2675, rejected: 0 });

    // Rule 148 (an end date and a reason for ending, both or neither) rejects 1,413 episodes: each is
    // reported once, as the cause. The sound rows it takes down with it are grouped under it, one
    // issue per child and table, never as thousands of unrelated errors.
    const rule = (code: string, severity: string) =>
      report.rules.find((r) => r.rule === code && r.severity === severity);
    expect(rule('148', 'rejected')).toMatchObject({ issues: 1413, rows: 1413, tables: ['episodes'] });
    const heldBack = report.errors.filter((e) => e.severity === 'not imported');
    expect(heldBack.length).toBeGreaterThan(0);
    for (const issue of heldBack)
      expect(issue.message).toMatch(/^(\d+[A-Z]?|[A-Z]+) → \d+ (episodes?|reviews?) of child \w+ \(/);
    expect(rule('148', 'not imported')!.rows).toBeGreaterThan(rule('148', 'not imported')!.issues);
    const childrenWithRejectedEpisode = new Set(
      report.errors.filter((e) => e.file === 'episodes.csv' && e.severity === 'rejected').map((e) => e.child),
    );
    const unplaced = report.errors.filter((e) => e.rule === 'NO-PERIOD');
    expect(unplaced.length).toBeGreaterThan(0);
    expect(unplaced.filter((e) => childrenWithRejectedEpisode.has(e.child))).toEqual([]);
    // One NO-PERIOD issue per child, however many of its reviews fall outside its periods of care.
    expect(new Set(unplaced.map((e) => e.child)).size).toBe(unplaced.length);
    expect(rule('NO-PERIOD', 'rejected')!.rows).toBeGreaterThan(unplaced.length);
    // PN0 for a child of 4 or more (440) is kept with a warning: the audit's own check reports it.
    expect(rule('440', 'warning')!.rows).toBeGreaterThan(100);
    // Most frequent first; every problem names its file, place, rule and what was found.
    expect(report.rules.map((r) => r.rows)).toEqual([...report.rules.map((r) => r.rows)].sort((x, y) => y - x));
    expect(report.errorCount + report.warningCount).toBe(report.errors.length);
    for (const error of report.errors) {
      expect(error.file).toMatch(/\.csv$/);
      expect(error.line).toBeGreaterThan(1);
      expect(error.message.startsWith(`${error.rule} `)).toBe(true);
    }
  }, 120_000);
});

describe('the other SSDA903 tables, hand-made', () => {
  const A = 'tables-903';
  const files = {
    'uasc.csv': 'CHILD,SEX,DOB,DUC\nU1,1,01/05/2008,01/05/2026\nU2,1,01/05/2008,\n',
    'oc3.csv':
      'CHILD,DOB,IN_TOUCH,ACTIV,ACCOM\nL1,01/06/2004,YES,F5,S2\nL2,01/06/2004,DIED,0,0\nL3,01/06/2004,MAYBE,F5,S2\nL4,01/06/2004,NO,F3,B1\n',
    'ad1.csv':
      'CHILD,DOB,DATE_INT,DATE_MATCH,FOSTER_CARE,NB_ADOPTR,SEX_ADOPTR,LS_ADOPTR\nA1,01/01/2020,01/03/2022,01/06/2022,0,2,MF,L11\nA2,01/01/2020,01/03/2022,01/01/2022,1,1,F1,L2\nA3,01/01/2020,01/03/2022,01/06/2022,0,3,MM,L11\n',
    'placed_for_adoption.csv':
      'CHILD,DOB,DATE_PLACED,DATE_PLACED_CEASED,REASON_PLACED_CEASED\nA1,01/01/2020,01/03/2022,,\nA4,01/01/2020,01/03/2022,01/09/2022,RD1\nA5,01/01/2020,01/03/2022,01/09/2022,\n',
    'previous_permanence.csv':
      'CHILD,DOB,PREV_PERM,LA_PERM,DATE_PERM\nP1,01/01/2015,P2,209,zz/05/2016\nP2,01/01/2015,Z1,,\nP3,01/01/2015,P1,209,zz/zz/2014\nP4,01/01/2015,P9,,\nP5,01/01/2015,P1,,zz/13/2014\n',
    'missing.csv':
      'CHILD,DOB,MISSING,MIS_START,MIS_END\nM1,01/01/2009,M,03/02/2024,05/02/2024\nM1,01/01/2009,A,10/03/2024,\nM2,01/01/2009,X,03/02/2024,05/02/2024\nM3,01/01/2009,M,03/02/2024,01/02/2024\n',
    // A deprivation of liberty still open, one ended, one ending the day it starts, one with no start.
    'dolo.csv':
      'CHILD,DOB,DOLO_START,DOLO_END\nD1,01/01/2010,01/06/2023,\nD1,01/01/2010,01/01/2023,31/05/2023\nD2,01/01/2010,01/06/2023,01/06/2023\nD3,01/01/2010,,01/06/2023\n',
    'sw_episodes.csv':
      '\uFEFFCHILD,DOB,SW_ID,SW_DECOM,SW_DEC,SW_REASON\nS1,01/01/2012,SW7,01/04/2023,30/09/2023,\nS1,01/01/2012,SW8,30/09/2023,,LEFTRL\nS2,01/01/2012,SW7,01/04/2023,,SWLAZY\n',
  };

  it('recognises each by its columns, keeps what only warrants a warning, and rejects what cannot be stored', async () => {
    const report = await loadFiles(store, [await folder(files)], {
      authorityId: A,
      context: { collectionYear: '2023-24' },
    });
    expect(report.year).toMatchObject({ year: '2023-24', how: 'stated' });
    const f = byFile(report);
    expect(f['uasc.csv']).toMatchObject({ format: 'uasc', rows: 2, accepted: 2, rejected: 0 });
    expect(f['oc3.csv']).toMatchObject({ format: 'oc3', rows: 4, accepted: 4, warned: 2, rejected: 0 });
    expect(f['ad1.csv']).toMatchObject({ format: 'ad1', rows: 3, accepted: 3, warned: 2, rejected: 0 });
    expect(f['placed_for_adoption.csv']).toMatchObject({
      format: 'placed_for_adoption',
      rows: 3,
      accepted: 3,
      warned: 1,
      rejected: 0,
    });
    expect(f['previous_permanence.csv']).toMatchObject({
      format: 'previous_permanence',
      rows: 5,
      accepted: 4,
      warned: 1,
      rejected: 1,
    });
    expect(f['missing.csv']).toMatchObject({ format: 'missing', rows: 4, accepted: 4, warned: 2, rejected: 0 });
    expect(f['sw_episodes.csv']).toMatchObject({ format: 'sw_episodes', rows: 3, accepted: 3, warned: 2, rejected: 0 });
    expect(f['dolo.csv']).toMatchObject({ format: 'dolo', rows: 4, accepted: 3, rejected: 1 });
    // No audit reads these tables yet: the DfE's rules on them warn, and a value the domain cannot hold is left blank.
    const issues = report.errors.map((e) => `${e.file}:${e.line}:${e.column}:${e.rule}:${e.severity}`);
    expect(issues).toEqual(
      expect.arrayContaining([
        'oc3.csv:4:IN_TOUCH:131:warning',
        'oc3.csv:5:ACTIV:132:warning',
        'ad1.csv:3:DATE_INT:333:warning',
        'ad1.csv:4:NB_ADOPTR:175:warning',
        'missing.csv:4:MISSING:1006:warning',
        'missing.csv:5:MIS_END:567:warning',
        'previous_permanence.csv:5:PREV_PERM:631:warning',
        'placed_for_adoption.csv:4:DATE_PLACED_CEASED:119:warning',
        'sw_episodes.csv:4:SW_REASON:SW13STG1:warning',
      ]),
    );
    // Rows without the date that keys them, or with a date that cannot be read, cannot be stored.
    expect(
      report.errors.filter((e) => e.severity === 'rejected').map((e) => [e.file, e.line, e.column, e.rule, e.message]),
    ).toEqual([
      [
        'previous_permanence.csv',
        6,
        'DATE_PERM',
        'FORMAT',
        'FORMAT – DATE_PERM: "zz/13/2014" is not a date: write dd/mm/YYYY, or zz/mm/YYYY or zz/zz/YYYY where the day or month is not known',
      ],
      ['dolo.csv', 5, 'DOLO_START', 'FORMAT', 'FORMAT – DOLO_START is required'],
    ]);
    expect(report.errors.find((e) => e.rule === '175')?.message).toBe(
      '175 – the number of adopters is not one of the 2023-24 return\'s codes (1 or 2): NB_ADOPTR is "3" (NB_ADOPTR is not stored: left blank, as not known)',
    );
  });

  it('stores what each row says, partial dates as far as they are known', async () => {
    expect(await stored(A, { kind: 'uascStatus', record: { childId: 'U1' } } as DomainRecord)).toEqual({
      childId: 'U1',
      ceasedDate: '2026-05-01',
    });
    expect(await stored(A, { kind: 'uascStatus', record: { childId: 'U2' } } as DomainRecord)).toEqual({
      childId: 'U2',
      ceasedDate: null,
    });
    expect(
      await stored(A, {
        kind: 'careLeaverOutcome',
        record: { childId: 'L3', yearEnding: '2024-03-31' },
      } as DomainRecord),
    ).toMatchObject({ inTouch: null, activity: 'F5' });
    expect(
      await stored(A, { kind: 'adoption', record: { childId: 'A3', decisionDate: '2022-03-01' } } as DomainRecord),
    ).toMatchObject({ numberOfAdopters: null, adopterSex: 'MM' });
    expect(
      await stored(A, {
        kind: 'careLeaverOutcome',
        record: { childId: 'L2', yearEnding: '2024-03-31' },
      } as DomainRecord),
    ).toEqual({
      childId: 'L2',
      yearEnding: '2024-03-31',
      inTouch: 'DIED',
      activity: '0',
      accommodation: '0',
    });
    expect(
      await stored(A, { kind: 'adoption', record: { childId: 'A1', decisionDate: '2022-03-01' } } as DomainRecord),
    ).toMatchObject({
      matchedDate: '2022-06-01',
      adoptedByFosterCarer: false,
      numberOfAdopters: 2,
      adopterSex: 'MF',
      adopterLegalStatus: 'L11',
    });
    expect(
      await stored(A, {
        kind: 'placedForAdoption',
        record: { childId: 'A4', decisionDate: '2022-03-01' },
      } as DomainRecord),
    ).toMatchObject({ ceasedDate: '2022-09-01', ceasedReason: 'RD1' });
    expect(await stored(A, { kind: 'previousPermanence', record: { childId: 'P1' } } as DomainRecord)).toEqual({
      childId: 'P1',
      option: 'P2',
      localAuthority: '209',
      date: '2016-05',
    });
    expect(await stored(A, { kind: 'previousPermanence', record: { childId: 'P3' } } as DomainRecord)).toMatchObject({
      date: '2014',
    });
    expect(
      await stored(A, { kind: 'missingEpisode', record: { childId: 'M1', startDate: '2024-03-10' } } as DomainRecord),
    ).toEqual({ childId: 'M1', type: 'A', startDate: '2024-03-10', endDate: null });
    expect(
      await stored(A, {
        kind: 'deprivationOfLiberty',
        record: { childId: 'D1', startDate: '2023-06-01' },
      } as DomainRecord),
    ).toEqual({ childId: 'D1', startDate: '2023-06-01', endDate: null });
    expect(
      await stored(A, {
        kind: 'deprivationOfLiberty',
        record: { childId: 'D1', startDate: '2023-01-01' },
      } as DomainRecord),
    ).toEqual({ childId: 'D1', startDate: '2023-01-01', endDate: '2023-05-31' });
    expect(
      await stored(A, {
        kind: 'socialWorkerEpisode',
        record: { childId: 'S1', startDate: '2023-09-30' },
      } as DomainRecord),
    ).toEqual({
      childId: 'S1',
      workerId: 'SW8',
      startDate: '2023-09-30',
      endDate: null,
      changeReason: 'LEFTRL',
    });
  });

  it('changes nothing when the same tables are imported again', async () => {
    const again = await loadFiles(store, [await folder(files)], {
      authorityId: A,
      context: { yearEnding: '2024-03-31' },
    });
    expect(again.year).toMatchObject({ year: '2023-24', how: 'stated' });
    for (const file of again.files)
      expect(file, file.file).toMatchObject({ created: 0, updated: 0, unchanged: file.accepted });
  });

  it('gives OC3 rows, which carry no year, the year the return is for: stated, or worked out from its dates', async () => {
    const report = await loadFiles(
      store,
      [await folder({ 'oc3.csv': files['oc3.csv'], 'missing.csv': files['missing.csv'] })],
      { authorityId: 'oc3-year', today: '2026-12-03' },
    );
    // The latest date is a missing period's (there are no episodes): 10 March 2024, in 2023-24.
    expect(report.year).toEqual({
      year: '2023-24',
      how: 'inferred',
      reason: 'the latest date in the return is 10 March 2024 (MIS_START in missing.csv)',
      rulesOf: '2023-24',
    });
    expect(byFile(report)['oc3.csv']).toMatchObject({ format: 'oc3', rows: 4, accepted: 4 });
    expect(
      await stored('oc3-year', {
        kind: 'careLeaverOutcome',
        record: { childId: 'L1', yearEnding: '2024-03-31' },
      } as DomainRecord),
    ).toMatchObject({ inTouch: 'YES' });
  });
});

describe('rules across rows and tables', () => {
  const A = 'cross-row';

  it('judges each child’s rows together whatever order the files come in: PN0 against age, duplicates, reviews inside the periods of care', async () => {
    const dir = await folder({
      // Named before the header and episodes they are judged against.
      'a-reviews.csv':
        `${REVIEWS}\n` +
        'R1,01/06/2021,10/01/2024,PN0\n' + // 2 at the review: PN0 right
        'R1,01/06/2021,10/04/2024,PN1\n' + // still 2: should be PN0 (441)
        'R2,15/03/2015,10/01/2024,PN0\n' + // 8: PN0 wrong (440)
        'R2,15/03/2015,10/01/2024,PN1\n' + // duplicate of the row above (same CHILD and REVIEW)
        'R2,15/03/2015,01/12/2023,PN1\n' + // before the period of care began
        'R2,15/03/2015,20/02/2024,PN1\n' + // in the period
        'R3,15/03/2015,20/02/2024,PN1\n', // a child the Header does not have
      'b-review_details.csv':
        'CHILD,REVIEW,IRO_ID,PERMANENCE_PLAN,CARE_PLAN_UP_TO_DATE,CHILD_SEEN_BEFORE_REVIEW,DECISIONS_ISSUED,RECORD_ISSUED,STOOD_DOWN\n' +
        'R2,20/02/2024,IRO1,f,Y,Y,,,N\nR2,01/07/2024,IRO1,f,Y,Y,,,N\n',
      'c-header.csv': `${HEADER}\nR1,M,01/06/2021,WBRI,,,\nR2,F,15/03/2015,WBRI,,,\n`,
      'd-episodes.csv': `${EPISODES}\nR1,02/01/2024,S,C1,N1,U1,PR1,,,,,,\nR2,02/01/2024,S,C2,N1,U1,PR1,30/06/2024,E11,,,,\n`,
    });
    const report = await loadFiles(store, [dir], { authorityId: A, today: '2026-12-03' });
    expect(report.files.map((f) => f.file)).toEqual([
      'a-reviews.csv',
      'b-review_details.csv',
      'c-header.csv',
      'd-episodes.csv',
    ]);
    expect(report.year).toMatchObject({ year: '2024-25', how: 'inferred' });
    const f = byFile(report);
    expect(f['a-reviews.csv']).toMatchObject({ rows: 7, accepted: 4, warned: 2, rejected: 3 });
    expect(f['b-review_details.csv']).toMatchObject({ rows: 2, accepted: 1, rejected: 1 });
    // Issues come child by child; within the file, line by line.
    const about = (file: string) =>
      report.errors
        .filter((e) => e.file === file && !['392b', '442', '218', '393'].includes(e.rule))
        .sort((x, y) => x.line! - y.line!)
        .map((e) => [e.line, e.rule, e.severity, e.message]);
    expect(about('a-reviews.csv')).toEqual([
      // PN0 and the child's age are kept with a warning: the review was held, and the audit's own check reports the code.
      [
        3,
        '441',
        'warning',
        '441 – the participation code (PN1 to PN7) is for a child of 4 or over, but the child was under 4 on the date of the review: PN1 at the review of 10 April 2024, but the child turned 4 only on 1 June 2025',
      ],
      [
        4,
        '440',
        'warning',
        '440 – the participation code is PN0 (child under 4 at the review), but the child was past their 4th birthday on the date of the review: PN0 at the review of 10 January 2024, but the child turned 4 on 15 March 2019',
      ],
      [
        5,
        'DUPLICATE',
        'rejected',
        'DUPLICATE – the row repeats line 4 (same CHILD and REVIEW): only the first is kept',
      ],
      [
        6,
        'NO-PERIOD',
        'rejected',
        "NO-PERIOD – 1 review of child R2 (line 6, on 1 December 2023) falls in no period of care: the child's periods of care are 2 January 2024 to 30 June 2024",
      ],
      [8, 'INT08', 'rejected', 'INT08 – the child of this review is not in the Header table'],
    ]);
    expect(about('b-review_details.csv')).toEqual([
      [
        3,
        'NO-PERIOD',
        'rejected',
        "NO-PERIOD – 1 review of child R2 (line 3, on 1 July 2024) falls in no period of care: the child's periods of care are 2 January 2024 to 30 June 2024",
      ],
    ]);
    const r2 = await store.getChildRecords(A, 'R2');
    expect(r2?.reviews.map((r) => [r.reviewDate, r.participationCode, r.iroId])).toEqual([
      ['2024-01-10', 'PN0', null],
      ['2024-02-20', 'PN1', 'IRO1'],
    ]);
  });

  it('checks a later import of reviews against the episodes already stored', async () => {
    const report = await loadFiles(
      store,
      [await folder({ 'reviews.csv': `${REVIEWS}\nR2,15/03/2015,01/05/2024,PN6\nR2,15/03/2015,01/08/2024,PN6\n` })],
      { authorityId: A },
    );
    expect(report.files[0]).toMatchObject({ accepted: 1, rejected: 1 });
    expect(report.errors).toEqual([
      expect.objectContaining({
        line: 3,
        column: 'REVIEW',
        rule: 'NO-PERIOD',
        message: expect.stringContaining('1 review of child R2 (line 3, on 1 August 2024) falls in no period of care'),
      }),
    ]);
  });

  it('reports a rejected episode once, as the cause, and groups the rows it takes down under it', async () => {
    const report = await loadFiles(
      store,
      [
        await folder({
          'header.csv': `${HEADER}\nG1,F,15/03/2015,WBRI,,,\n`,
          // The second episode's legal status is no code (144): without it the child's three episodes would leave a gap.
          'episodes.csv': `${EPISODES}\nG1,02/05/2025,S,C2,N1,U4,PR1,01/07/2025,X1,CARPL,,,\nG1,01/07/2025,P,C9,N1,U5,PR1,01/09/2025,X1,CARPL,,,\nG1,01/09/2025,P,C2,N1,U4,PR1,,,,,,\n`,
          'reviews.csv': `${REVIEWS}\n${['20/05/2025', '15/08/2025', '10/02/2026'].map((d) => `G1,15/03/2015,${d},PN1`).join('\n')}\n`,
        }),
      ],
      { authorityId: 'cascade', today: '2026-12-03' },
    );
    const problems = report.errors
      .filter((e) => e.severity !== 'warning')
      .map((e) => [e.file, e.line, e.rule, e.severity, e.message]);
    expect(problems).toEqual([
      [
        'episodes.csv',
        3,
        '144',
        'rejected',
        '144 – the legal status is not one of the 2025-26 return\'s codes (C1, C2, D1, E1, J1, J2, J3, L1, L2, L3, V2, V3 or V4): LS is "C9"',
      ],
      [
        'episodes.csv',
        2,
        '144',
        'not imported',
        '144 → 2 episodes of child G1 (lines 2 and 4) not imported: another episode of the child (episodes.csv line 3) was rejected, and a period of care is never stored with a gap',
      ],
      [
        'reviews.csv',
        2,
        '144',
        'not imported',
        "144 → 3 reviews of child G1 (lines 2, 3 and 4) could not be placed in a period of care: they fall in no period of care once the rejected episode (episodes.csv line 3) and the child's other episodes are left out",
      ],
    ]);
    expect(report.rules.filter((r) => r.rule === '144')).toEqual([
      expect.objectContaining({ severity: 'not imported', issues: 2, rows: 5 }),
      expect.objectContaining({ severity: 'rejected', issues: 1, rows: 1 }),
    ]);
    expect(byFile(report)['header.csv']).toMatchObject({ accepted: 1 });
  });
});

/** A small SSDA903 XML return: two children, one of them with faults, and an element the return does not have. */
const XML_RETURN = `<?xml version="1.0" encoding="UTF-8"?>
<EXPSSDA903>
  <CHILD>
    <HEADER>
      <CHILDID>X1</CHILDID><SEX>2</SEX><DOB>14/03/2012</DOB><ETHNIC>WBRI</ETHNIC><UPN>A123456789012</UPN><MOTHER /><MC_DOB />
      <UASC>1</UASC><DUC>14/03/2030</DUC>
      <AREVIEW><REVIEW>01/02/2023</REVIEW><REVIEW_CODE>PN1</REVIEW_CODE></AREVIEW>
      <AREVIEW><REVIEW>01/05/2023</REVIEW><REVIEW_CODE>PN0</REVIEW_CODE></AREVIEW>
      <AMISSING><MISSING>M</MISSING><MIS_START>03/03/2023</MIS_START><MIS_END>04/03/2023</MIS_END></AMISSING>
      <OC2><SDQ_SCORE>14</SDQ_SCORE><CONVICTED>0</CONVICTED><HEALTH_CHECK>1</HEALTH_CHECK><IMMUNISATIONS>1</IMMUNISATIONS><TEETH_CHECK>1</TEETH_CHECK><HEALTH_ASSESSMENT>1</HEALTH_ASSESSMENT><SUBSTANCE_MISUSE>0</SUBSTANCE_MISUSE><INTERVENTION_RECEIVED>0</INTERVENTION_RECEIVED><INTERVENTION_OFFERED>0</INTERVENTION_OFFERED></OC2>
    </HEADER>
    <EPISODE><DECOM>10/01/2023</DECOM><RNE>S</RNE><LS>C1</LS><CIN>N1</CIN><PL>U1</PL><PLACE_PROVIDER>PR1</PLACE_PROVIDER><DEC>01/04/2023</DEC><REC>X1</REC><REASON_PLACE_CHANGE>CARPL</REASON_PLACE_CHANGE><HOME_POST /><PL_POST /><URN /></EPISODE>
    <EPISODE><DECOM>01/04/2023</DECOM><RNE>P</RNE><LS>C2</LS><CIN>N1</CIN><PL>U9</PL><PLACE_PROVIDER>PR1</PLACE_PROVIDER><DEC /><REC /><REASON_PLACE_CHANGE /><HOME_POST /><PL_POST /><URN /></EPISODE>
  </CHILD>
  <CHILD>
    <HEADER>
      <CHILDID>X2</CHILDID><SEX>7</SEX><DOB>01/09/2021</DOB><ETHNIC>MWBC</ETHNIC><UPN /><MOTHER /><MC_DOB />
      <AREVIEW><REVIEW>20/02/2023</REVIEW><REVIEW_CODE>PN0</REVIEW_CODE></AREVIEW>
      <FAVOURITE_COLOUR>blue</FAVOURITE_COLOUR>
    </HEADER>
    <EPISODE><DECOM>10/01/2023</DECOM><RNE>S</RNE><LS>V2</LS><CIN>N2</CIN><PL>U1</PL><PLACE_PROVIDER>PR1</PLACE_PROVIDER><DEC /><REC /><REASON_PLACE_CHANGE /><HOME_POST /><PL_POST /><URN /></EPISODE>
    <EPISODE><DECOM>31/02/2023</DECOM><RNE>P</RNE><LS>V2</LS><CIN>N2</CIN><PL>U1</PL><PLACE_PROVIDER>PR1</PLACE_PROVIDER><DEC /><REC /><REASON_PLACE_CHANGE /><HOME_POST /><PL_POST /><URN /></EPISODE>
  </CHILD>
</EXPSSDA903>
`;
const lineOf = (text: string, needle: string, nth = 1) => {
  let index = -1;
  for (let i = 0; i < nth; i += 1) index = text.indexOf(needle, index + 1);
  return text.slice(0, index).split('\n').length;
};

describe('the SSDA903 XML return', () => {
  const A = 'xml-return';

  it('turns each part of a CHILD into a row of its table and locates each problem by element path and CHILD', async () => {
    const report = await loadFiles(store, [await folder({ 'return.xml': XML_RETURN })], {
      authorityId: A,
      context: { yearEnding: '2023-03-31' },
    });
    const [file] = report.files;
    expect(file).toMatchObject({
      file: 'return.xml',
      format: 'ssda903-xml',
      encoding: 'UTF-8',
      rows: 12,
      accepted: 8,
      rejected: 4,
    });
    expect(file!.refused).toBeUndefined();
    expect(file!.tables).toEqual({
      header: expect.objectContaining({ rows: 2, accepted: 1, rejected: 1 }),
      uasc: expect.objectContaining({ rows: 1, accepted: 1 }),
      episodes: expect.objectContaining({ rows: 4, accepted: 2, rejected: 2 }),
      reviews: expect.objectContaining({ rows: 3, accepted: 2, rejected: 1 }),
      missing: expect.objectContaining({ rows: 1, accepted: 1 }),
      oc2: expect.objectContaining({ rows: 1, accepted: 1 }),
    });
    // The return is often one long line: every problem names its element and its child, never a line.
    for (const error of report.errors) expect(error.line).toBeNull();
    const notWarnings = report.errors
      .filter((e) => e.severity !== 'warning')
      .map((e) => [e.element, e.child, e.column, e.rule, e.severity, e.message]);
    expect(notWarnings).toEqual([
      [
        'CHILD[2]/HEADER',
        'X2',
        'SEX',
        '101',
        'rejected',
        '101 – the child\'s sex is blank or not one of the 2022-23 return\'s codes (1 or 2): SEX is "7"',
      ],
      [
        'CHILD[2]/EPISODE[2]',
        'X2',
        'DECOM',
        '141',
        'rejected',
        '141 – the date the episode began is not a real date written dd/mm/YYYY: DECOM is "31/02/2023"',
      ],
      // The store holds nothing of X2, so with its Header row rejected its other rows cannot stand.
      [
        'CHILD[2]/EPISODE[1]',
        'X2',
        null,
        '101',
        'not imported',
        "101 → 1 episode of child X2 (CHILD[2]/EPISODE[1]) not imported: the child's Header row (return.xml CHILD[2]/HEADER) was rejected, and the store holds no record of this child",
      ],
      [
        'CHILD[2]/HEADER/AREVIEW[1]',
        'X2',
        null,
        '101',
        'not imported',
        "101 → 1 review of child X2 (CHILD[2]/HEADER/AREVIEW[1]) not imported: the child's Header row (return.xml CHILD[2]/HEADER) was rejected, and the store holds no record of this child",
      ],
    ]);
    // A column is named as the XML names it: PL for the placement.
    expect(report.errors).toContainEqual(
      expect.objectContaining({
        element: 'CHILD[1]/EPISODE[2]',
        child: 'X1',
        column: 'PL',
        rule: '146',
        severity: 'warning',
      }),
    );
    expect(report.errors).toContainEqual(
      expect.objectContaining({
        element: 'CHILD[1]/HEADER/AREVIEW[2]',
        child: 'X1',
        column: 'REVIEW_CODE',
        rule: '440',
        severity: 'warning',
      }),
    );
    expect(report.errors).toContainEqual(
      expect.objectContaining({
        element: 'CHILD[2]/HEADER/FAVOURITE_COLOUR',
        rule: 'ELEMENT',
        message:
          'ELEMENT – <HEADER/FAVOURITE_COLOUR> is not part of the SSDA903 return as this importer knows it: ignored (first at CHILD[2]/HEADER/FAVOURITE_COLOUR)',
      }),
    );
    const x1 = await store.getChildRecords(A, 'X1');
    expect(x1?.child).toEqual({
      childId: 'X1',
      sex: 'F',
      dateOfBirth: '2012-03-14',
      ethnicity: 'WBRI',
      upn: 'A123456789012',
      motherChildDateOfBirth: null,
    });
    expect(x1?.episodes.map((e) => [e.startDate, e.placement, e.legalStatus])).toEqual([
      ['2023-01-10', 'U1', 'C1'],
      ['2023-04-01', 'U9', 'C2'],
    ]);
    expect(x1?.reviews.map((r) => [r.reviewDate, r.participationCode])).toEqual([
      ['2023-02-01', 'PN1'],
      ['2023-05-01', 'PN0'],
    ]);
    expect(x1?.oc2).toEqual([expect.objectContaining({ yearEnding: '2023-03-31', sdqScore: 14, teethCheck: true })]);
    expect(await store.getChildRecords(A, 'X2')).toBeNull();
  });

  it('changes nothing when the same return is imported again', async () => {
    const again = await loadFiles(store, [await folder({ 'return.xml': XML_RETURN })], {
      authorityId: A,
      context: { yearEnding: '2023-03-31' },
    });
    expect(again.files[0]).toMatchObject({ accepted: 8, created: 0, updated: 0, unchanged: 8 });
  });

  it('refuses XML that is not the return, and stops at the place a broken file breaks, keeping what came before', async () => {
    const cut = XML_RETURN.slice(0, XML_RETURN.indexOf('<CHILDID>X2'));
    const report = await loadFiles(
      store,
      [
        await folder({
          'other.xml': '<?xml version="1.0"?>\n<CINCensus><Child/></CINCensus>\n',
          'broken.xml': `${cut}<CHILDID>X2</CHILD>`,
        }),
      ],
      {
        authorityId: 'xml-broken',
        context: { yearEnding: '2023-03-31' },
      },
    );
    const f = byFile(report);
    expect(f['other.xml']?.refused).toBe('the XML root is <CINCensus>, not <EXPSSDA903> (the SSDA903 return)');
    expect(f['broken.xml']?.refused).toMatch(
      /^the XML is not well-formed at \d+:\d+: .+ \(in CHILD\[2\]\) \(the 8 rows before it were read\)$/,
    );
    expect(f['broken.xml']).toMatchObject({ rows: 8, accepted: 8 });
    expect((await store.getChildRecords('xml-broken', 'X1'))?.episodes).toHaveLength(2);
  });
});

/** An Annex A workbook: a title row, then List 8 with the given headers and rows (other sheets before it). */
async function annexWorkbook(headers: string[], rows: unknown[][], sheetName = 'List 8'): Promise<Uint8Array> {
  const workbook = new ExcelJS.Workbook();
  workbook.addWorksheet('List 1').addRow(['Child Unique ID', 'Date of Contact']);
  const sheet = workbook.addWorksheet(sheetName);
  sheet.addRow(['Annex A – List 8: Children in care (synthetic test data)']);
  sheet.addRow([]);
  sheet.addRow(headers);
  for (const row of rows) sheet.addRow(row);
  return new Uint8Array(await workbook.xlsx.writeBuffer());
}
const day = (iso: string) => new Date(`${iso}T00:00:00Z`);
const serial = (iso: string) => (day(iso).getTime() - Date.UTC(1899, 11, 30)) / 86_400_000;

const HEADERS_2023 = [
  'Child Unique ID',
  'Gender',
  'Ethnicity',
  'Date of Birth',
  'Age of Child (Years)',
  'Date Started to be Looked After',
  "Child's Legal Status",
  'Date of Latest Statutory Review',
  'What is the permanence plan for this child?',
  'Date of Last IRO Visit / Contact to the Child',
  'Date of Last Health Assessment',
  'Date of Last Dental Check',
  'Number of Placements in the Last 12 months',
  'Allocated Team',
  'Allocated Worker',
];
// Other years' wording and an export's quirks: case, punctuation, a note in brackets, a curly apostrophe.
const HEADERS_VARIANT = [
  'CHILD UNIQUE ID',
  'Sex',
  'ethnicity',
  'Child’s Date of Birth',
  'Date Child Started to be Looked After',
  'Legal Status',
  'Date of last statutory review',
  'Permanence Plan (a-g)',
  'Date of Last IRO Visit',
  'Date of Latest Health Assessment',
  'Date of Last Dental Check-up',
  'Number of placements in last 12 months',
  'Team',
  'Allocated Social Worker',
];

describe('Ofsted Annex A, List 8', () => {
  const A = 'annex-a';

  it('reads List 8 by header text, whichever year’s wording, and maps each row to what it says', async () => {
    // A fuller source first: the child's UPN and the review's IRO come from SSDA903 and the SSD extract.
    await loadFiles(
      store,
      [
        await folder({
          // A 2022-23 return (its only episode starts 10 January 2023): sex 1 is male, stored as M.
          'header.csv': `${HEADER}\nN1,1,14/03/2012,WBRI,A123456789012,,\n`,
          'episodes.csv': `${EPISODES}\nN1,10/01/2023,S,C2,N1,U1,PR1,,,,,,\n`,
          'review_details.csv':
            'CHILD,REVIEW,IRO_ID,PERMANENCE_PLAN,CARE_PLAN_UP_TO_DATE,CHILD_SEEN_BEFORE_REVIEW,DECISIONS_ISSUED,RECORD_ISSUED,STOOD_DOWN\nN1,01/02/2024,IRO1,,Y,Y,05/02/2024,,N\n',
        }),
      ],
      { authorityId: A },
    );

    const y2023 = await annexWorkbook(HEADERS_2023, [
      [
        'N1',
        'a) Male',
        'WBRI',
        day('2012-03-14'),
        11,
        day('2023-01-10'),
        'C2',
        day('2024-02-01'),
        'f) Long-term fostering',
        day('2024-02-20'),
        day('2023-11-01'),
        day('2024-01-05'),
        2,
        'North 1',
        'Sam Worker',
      ],
      [
        'N2',
        'b) Female',
        'MWBC - White and Black Caribbean',
        '01/09/2016',
        7,
        '02/02/2022',
        'C1 - Interim care order',
        '15/03/2024',
        'b',
        '',
        '',
        '',
        1,
        'South 1',
        '',
      ],
      ['N3', 'Dragon', 'WBRI', day('2015-01-01'), 9, day('2022-01-01'), 'C2', '', '', '', '', '', '', '', ''],
      [
        'N4',
        'b) Female',
        'WBRI',
        day('2015-01-01'),
        9,
        day('2023-06-01'),
        'C2',
        day('2023-05-01'),
        'z) Something else',
        '',
        '',
        '',
        '',
        '',
        '',
      ],
      ['N5', 'a) Male', 'WBRI', '', 9, day('2023-06-01'), 'C2', '', '', '', '', '', '', '', ''],
      [null, null, null, null, null, null, null, null, null, null, null, null, null, null, null],
    ]);
    const variant = await annexWorkbook(
      HEADERS_VARIANT,
      [
        [
          'N6',
          'Female',
          'AIND',
          serial('2010-07-07'),
          serial('2021-05-05'),
          'E1',
          serial('2024-01-20'),
          'Adoption',
          '',
          serial('2023-12-12'),
          '',
          3,
          'Permanence',
          'Alex Worker',
        ],
        ['N7', 'Neither', '', '2011-02-02 00:00:00', '2020-02-02', 'XX', '', '', '', '', '', '', '', ''],
        [
          'N8',
          'Male',
          'WBRI',
          day('2011-02-02'),
          day('2020-02-02'),
          'C2',
          day('2020-01-01'),
          'a',
          '',
          '',
          '',
          '',
          '',
          '',
        ],
      ],
      'List_8 - Children in Care',
    );
    const report = await loadFiles(
      store,
      [await folder({ 'annex-a-2023.xlsx': y2023, 'annex-a-2019.xlsx': variant })],
      { authorityId: A },
    );
    const f = byFile(report);
    expect(f['annex-a-2023.xlsx']).toMatchObject({ format: 'annex-a-list-8', rows: 5, accepted: 2, rejected: 3 });
    expect(f['annex-a-2019.xlsx']).toMatchObject({ format: 'annex-a-list-8', rows: 3, accepted: 1, rejected: 2 });
    // Annex A is not the SSDA903 return: no collection year, and its rows are checked by the importer's own rules.
    expect(report.year).toBeNull();
    expect(
      report.errors
        .map((e) => `${e.file}:${e.element} row ${e.line}:${e.child}:${e.column}:${e.rule}: ${e.message}`)
        .sort(),
    ).toEqual([
      'annex-a-2019.xlsx:sheet List_8 - Children in Care row 5:N7:Legal Status:FORMAT: FORMAT – Legal Status (F5): "XX" is not allowed: Invalid option: expected one of "C1"|"C2"|"D1"|"E1"|"J1"|"J2"|"J3"|"L1"|"L2"|"L3"|"V2"|"V3"|"V4"',
      'annex-a-2019.xlsx:sheet List_8 - Children in Care row 6:N8:Date of last statutory review:FORMAT: FORMAT – Date of last statutory review (G6): the latest review must fall inside the period of care: it is before the date started to be looked after',
      'annex-a-2023.xlsx:sheet List 8 row 6:N3:Gender:FORMAT: FORMAT – Gender (B6): "Dragon" is not a gender Annex A uses: a) Male, b) Female, or not stated / neither',
      'annex-a-2023.xlsx:sheet List 8 row 7:N4:What is the permanence plan for this child?:FORMAT: FORMAT – What is the permanence plan for this child? (I7): "z) Something else" is not an Annex A permanence option: a) Return to family, b) Adoption, c) Special guardianship order or child arrangements order, d) Supported living in the community, e) Long-term residential placement, f) Long-term fostering, g) Other',
      'annex-a-2023.xlsx:sheet List 8 row 8:N5:Date of Birth:FORMAT: FORMAT – Date of Birth (D8): is required',
    ]);

    const n1 = await store.getChildRecords(A, 'N1');
    // What the sheet holds is written; what it does not (the UPN, the IRO, the record dates) is kept.
    expect(n1?.child).toEqual({
      childId: 'N1',
      sex: 'M',
      dateOfBirth: '2012-03-14',
      ethnicity: 'WBRI',
      upn: 'A123456789012',
      motherChildDateOfBirth: null,
    });
    expect(n1?.reviews).toEqual([
      expect.objectContaining({
        reviewDate: '2024-02-01',
        permanencePlan: ['f'],
        iroId: 'IRO1',
        decisionsIssued: '2024-02-05',
        carePlanUpToDate: true,
      }),
    ]);
    expect(n1?.healthEvents.map((h) => [h.type, h.date, h.status])).toEqual([
      ['HA', '2023-11-01', 'Completed'],
      ['DENTAL', '2024-01-05', 'Completed'],
    ]);
    expect(
      await stored(A, { kind: 'careSummary', record: { childId: 'N1', periodStart: '2023-01-10' } } as DomainRecord),
    ).toEqual({
      childId: 'N1',
      periodStart: '2023-01-10',
      legalStatus: 'C2',
      latestReviewDate: '2024-02-01',
      permanencePlan: ['f'],
      lastIroContact: '2024-02-20',
      lastHealthAssessment: '2023-11-01',
      lastDentalCheck: '2024-01-05',
      placementsLast12Months: 2,
      allocatedTeam: 'North 1',
      allocatedWorker: 'Sam Worker',
    });
    const n2 = await store.getChildRecords(A, 'N2');
    expect(n2?.child).toMatchObject({ sex: 'F', ethnicity: 'MWBC', dateOfBirth: '2016-09-01', upn: null });
    expect(n2?.reviews).toEqual([
      expect.objectContaining({ reviewDate: '2024-03-15', permanencePlan: ['b'], iroId: null }),
    ]);
    expect(n2?.healthEvents).toEqual([]);
    // Dates stored as serial numbers, plans written as words, a different year's header names.
    expect(
      await stored(A, { kind: 'careSummary', record: { childId: 'N6', periodStart: '2021-05-05' } } as DomainRecord),
    ).toEqual({
      childId: 'N6',
      periodStart: '2021-05-05',
      legalStatus: 'E1',
      latestReviewDate: '2024-01-20',
      permanencePlan: ['b'],
      lastIroContact: null,
      lastHealthAssessment: '2023-12-12',
      lastDentalCheck: null,
      placementsLast12Months: 3,
      allocatedTeam: 'Permanence',
      allocatedWorker: 'Alex Worker',
    });
    expect((await store.getChildRecords(A, 'N6'))?.child).toMatchObject({
      sex: 'F',
      dateOfBirth: '2010-07-07',
      ethnicity: 'AIND',
    });

    const again = await loadFiles(store, [await folder({ 'annex-a-2023.xlsx': y2023, 'annex-a-2019.xlsx': variant })], {
      authorityId: A,
    });
    for (const file of again.files) expect(file, file.file).toMatchObject({ created: 0, updated: 0 });

    // A later list that leaves cells blank does not erase what is known.
    const blanks = await annexWorkbook(HEADERS_2023, [
      ['N1', '', '', day('2012-03-14'), 11, day('2023-01-10'), 'C2', day('2024-02-01'), '', '', '', '', '', '', ''],
    ]);
    await loadFiles(store, [await folder({ 'annex-a-later.xlsx': blanks })], { authorityId: A });
    const later = await store.getChildRecords(A, 'N1');
    expect(later?.child).toMatchObject({ sex: 'M', ethnicity: 'WBRI', upn: 'A123456789012' });
    expect(later?.reviews[0]).toMatchObject({ permanencePlan: ['f'], iroId: 'IRO1' });
  });

  it('refuses a workbook without List 8, or whose List 8 lacks a column it needs', async () => {
    const noList8 = new ExcelJS.Workbook();
    noList8.addWorksheet('List 1').addRow(['Child Unique ID']);
    noList8.addWorksheet('List 9').addRow(['Child Unique ID']);
    const noStart = await annexWorkbook(
      ['Child Unique ID', 'Gender', 'Date of Birth'],
      [['Z1', 'a) Male', day('2012-01-01')]],
    );
    const report = await loadFiles(
      store,
      [
        await folder({
          'no-list-8.xlsx': new Uint8Array(await noList8.xlsx.writeBuffer()),
          'no-start.xlsx': noStart,
          'not-a-workbook.xlsx': new Uint8Array([0x50, 0x4b, 0x03, 0x04, 1, 2, 3, 4, 5, 6, 7, 8]),
        }),
      ],
      { authorityId: A },
    );
    const f = byFile(report);
    expect(f['no-list-8.xlsx']?.refused).toBe(
      'no sheet of the workbook is a table the importer knows (Ofsted Annex A List 8, or SSDA903 or extract tables with their column names in the first row): ' +
        '"List 1": the columns CHILD UNIQUE ID match no known file. Known files: header.csv, episodes.csv, reviews.csv, oc2.csv, professionals.csv, involvements.csv, families.csv, review_details.csv, health.csv, uasc.csv, oc3.csv, ad1.csv, placed_for_adoption.csv, previous_permanence.csv, missing.csv, dolo.csv, sw_episodes.csv; ' +
        '"List 9": the columns CHILD UNIQUE ID match no known file. Known files: header.csv, episodes.csv, reviews.csv, oc2.csv, professionals.csv, involvements.csv, families.csv, review_details.csv, health.csv, uasc.csv, oc3.csv, ad1.csv, placed_for_adoption.csv, previous_permanence.csv, missing.csv, dolo.csv, sw_episodes.csv',
    );
    expect(f['no-start.xlsx']?.refused).toContain(
      '"List 8": the List 8 sheet "List 8" has no "Date Started to be Looked After" column (its headers, row 3: "Child Unique ID", "Gender", "Date of Birth")',
    );
    expect(f['not-a-workbook.xlsx']?.refused).toMatch(/^could not be read as an xlsx workbook: /);
  });
});

describe('malformed files', () => {
  it('gives each a clear result: empty, UTF-16, binary, wrong header, ragged rows, bad dates, unknown codes, duplicates', async () => {
    const report = await loadFiles(
      store,
      [
        await folder({
          'empty.csv': '',
          'blank-lines.csv': '\n\n  \n',
          'utf16.csv': new Uint8Array([0xff, 0xfe, 0x43, 0x00, 0x48, 0x00]),
          'binary.csv': new Uint8Array([0x00, 0x01, 0x02, 0x22, 0x0a, 0x22, 0x22, 0x41, 0x22, 0x42]),
          'wrong-header.csv': 'CHILD,DOB,REVIEW_DATE,CODE\nK1,01/01/2015,01/02/2024,PN1\n',
          'header.csv': `${HEADER}\nK1,1,01/01/2015,WBRI,,,\nK2,1,2015-13-01,WBRI,,,\nK3,3,01/01/2015,WBRI,,,\nK1,2,01/01/2015,WBRI,,,\nK4,1,01/01/2015\n`,
        }),
      ],
      { authorityId: 'malformed', today: '2026-12-03' },
    );
    const f = byFile(report);
    expect(f['empty.csv']?.refused).toBe('the file is empty: expected a header row');
    expect(f['blank-lines.csv']?.refused).toBe('the file is empty: expected a header row');
    expect(f['utf16.csv']?.refused).toBe('the file is UTF-16 text: save it as "CSV UTF-8" and import it again');
    expect(f['binary.csv']?.refused).toMatch(/^(could not be read as CSV|the columns .* match no known file)/);
    expect(f['wrong-header.csv']?.refused).toContain(
      'closest: reviews.csv (CHILD, DOB, REVIEW, REVIEW_CODE): missing REVIEW, REVIEW_CODE; unexpected REVIEW_DATE, CODE',
    );
    // No dates to place the header in a year: its codes 1 and 2 are those of returns up to 2023-24.
    expect(report.year).toMatchObject({
      year: '2023-24',
      how: 'inferred',
      reason: 'the return has no dates, and its sex codes 1 and 2 were last used in 2023-24',
    });
    expect(f['header.csv']).toMatchObject({ rows: 5, accepted: 0, rejected: 5 });
    expect(
      report.errors
        .filter((e) => e.file === 'header.csv' && e.severity === 'rejected')
        .sort((a, b) => a.line! - b.line!)
        .map((e) => [e.line, e.column, e.rule, e.message]),
    ).toEqual([
      [2, 'CHILD', 'INT32', 'INT32 – the child is in the Header table more than once: 2 Header rows'],
      [
        3,
        'DOB',
        '102',
        '102 – the child\'s date of birth is blank or not a real date written dd/mm/YYYY: DOB is "2015-13-01"',
      ],
      [
        4,
        'SEX',
        '101',
        '101 – the child\'s sex is blank or not one of the 2023-24 return\'s codes (1 or 2): SEX is "3"',
      ],
      [5, 'CHILD', 'INT32', 'INT32 – the child is in the Header table more than once: 2 Header rows'],
      [6, null, 'CELLS', 'CELLS – the row has 3 cells but the header has 7'],
    ]);
  });

  it('reads a very large file of bad rows to the end with bounded errors kept, counting every one', async () => {
    const rows = 40_000;
    const lines = [REVIEWS];
    for (let i = 0; i < rows; i += 1) lines.push(`V${i},01/01/2015,${i % 2 ? '31/02/2024' : 'soon'},PN1`);
    const report = await loadFiles(store, [await folder({ 'reviews.csv': `${lines.join('\n')}\n` })], {
      authorityId: 'large',
      maxErrorsKept: 100,
      today: '2026-12-03',
    });
    expect(report.files[0]).toMatchObject({ rows, accepted: 0, rejected: rows, created: 0 });
    expect(report.errorCount).toBe(rows);
    expect(report.errors).toHaveLength(100);
    expect(report.rules).toEqual([expect.objectContaining({ rule: '166', severity: 'rejected', issues: rows, rows })]);
    for (const error of report.errors) expect(error).toMatchObject({ column: 'REVIEW', rule: '166' });
  }, 60_000);
});
