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
  const config = { region: 'eu-west-2', tableName: `formats-${randomUUID()}`, bucketName: 'unused', dynamoEndpoint: inject('dynamoEndpoint') };
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

const byFile = (report: LoadReport): Record<string, FileReport> => Object.fromEntries(report.files.map((f) => [f.file, f]));
const where = (report: LoadReport) => report.errors.map((e) => `${e.file}:${e.line}:${e.column ?? '-'}`);
const stored = async (authorityId: string, entry: DomainRecord) => (await store.getRecords(authorityId, [entry]))[0]?.record ?? null;

const HEADER = 'CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB';
const EPISODES = 'CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,PL_POST,URN';
const REVIEWS = 'CHILD,DOB,REVIEW,REVIEW_CODE';

describe('the MIT fake SSDA903 tables', () => {
  it('reads every table, reports the many rows their random values break, and writes the rest', async () => {
    const fixtures = join(process.cwd(), 'tests', 'fixtures', 'ssda903');
    const report = await loadFiles(store, [fixtures], { authorityId: 'fake-903', context: { yearEnding: '2018-03-31' }, maxErrorsKept: 100_000 });
    const files = byFile(report);
    expect(Object.keys(files).sort()).toEqual((await readdir(fixtures)).filter((n) => n.endsWith('.csv')).sort());
    const formats = Object.fromEntries(report.files.map((f) => [f.file, f.format]));
    expect(formats).toEqual({
      'header.csv': 'header', 'episodes.csv': 'episodes', 'reviews.csv': 'reviews', 'oc2.csv': 'oc2', 'oc3.csv': 'oc3', 'ad1.csv': 'ad1',
      'missing.csv': 'missing', 'uasc.csv': 'uasc', 'placed_for_adoption.csv': 'placed_for_adoption',
      'previous_permanence.csv': 'previous_permanence', 'sw_episodes.csv': 'sw_episodes',
    });
    for (const file of report.files) {
      expect(file.refused, file.file).toBeUndefined();
      const lines = (await readFile(join(fixtures, file.file), 'utf8')).split('\n').filter((l) => l.trim() !== '').length;
      expect(file.rows, file.file).toBe(lines - 1);
      expect(file.accepted + file.rejected, file.file).toBe(file.rows);
      expect(file.created, file.file).toBe(file.accepted * 1);
    }
    // Random values break the cross-row rules above all: reviews outside any period of care, PN0 at the wrong age.
    expect(files['reviews.csv']!.rejected).toBeGreaterThan(files['reviews.csv']!.rows / 2);
    expect(report.errors.some((e) => e.file === 'reviews.csv' && /falls in no period of care/.test(e.message))).toBe(true);
    expect(report.errors.some((e) => e.file === 'reviews.csv' && /PN0 is for a child under 4/.test(e.message))).toBe(true);
    // The one SW episode has a made-up reason; the adoption reversals a made-up code.
    expect(files['sw_episodes.csv']).toMatchObject({ rows: 1, rejected: 1 });
    expect(report.errors.find((e) => e.file === 'sw_episodes.csv')).toMatchObject({ line: 2, column: 'SW_REASON', message: expect.stringContaining('"SWLAZY" is not allowed') });
    expect(files['placed_for_adoption.csv']).toMatchObject({ rows: 29, rejected: 29 });
    expect(report.errorCount).toBe(report.errors.length);
    for (const error of report.errors) {
      expect(error.file).toMatch(/\.csv$/);
      expect(error.line).toBeGreaterThan(1);
      expect(error.message.length).toBeGreaterThan(10);
    }
  }, 120_000);
});

describe('the other SSDA903 tables, hand-made', () => {
  const A = 'tables-903';
  const files = {
    'uasc.csv': 'CHILD,SEX,DOB,DUC\nU1,1,01/05/2008,01/05/2026\nU2,1,01/05/2008,\n',
    'oc3.csv': 'CHILD,DOB,IN_TOUCH,ACTIV,ACCOM\nL1,01/06/2004,YES,F5,S2\nL2,01/06/2004,DIED,0,0\nL3,01/06/2004,MAYBE,F5,S2\nL4,01/06/2004,NO,F3,B1\n',
    'ad1.csv': 'CHILD,DOB,DATE_INT,DATE_MATCH,FOSTER_CARE,NB_ADOPTR,SEX_ADOPTR,LS_ADOPTR\nA1,01/01/2020,01/03/2022,01/06/2022,0,2,MF,L11\nA2,01/01/2020,01/03/2022,01/01/2022,1,1,F1,L2\nA3,01/01/2020,01/03/2022,01/06/2022,0,3,MM,L11\n',
    'placed_for_adoption.csv': 'CHILD,DOB,DATE_PLACED,DATE_PLACED_CEASED,REASON_PLACED_CEASED\nA1,01/01/2020,01/03/2022,,\nA4,01/01/2020,01/03/2022,01/09/2022,RD1\nA5,01/01/2020,01/03/2022,01/09/2022,\n',
    'previous_permanence.csv': 'CHILD,DOB,PREV_PERM,LA_PERM,DATE_PERM\nP1,01/01/2015,P2,209,zz/05/2016\nP2,01/01/2015,Z1,,\nP3,01/01/2015,P1,209,zz/zz/2014\nP4,01/01/2015,P9,,\nP5,01/01/2015,P1,,zz/13/2014\n',
    'missing.csv': 'CHILD,DOB,MISSING,MIS_START,MIS_END\nM1,01/01/2009,M,03/02/2024,05/02/2024\nM1,01/01/2009,A,10/03/2024,\nM2,01/01/2009,X,03/02/2024,05/02/2024\nM3,01/01/2009,M,03/02/2024,01/02/2024\n',
    // A deprivation of liberty still open, one ended, one ending the day it starts, one with no start.
    'dolo.csv': 'CHILD,DOB,DOLO_START,DOLO_END\nD1,01/01/2010,01/06/2023,\nD1,01/01/2010,01/01/2023,31/05/2023\nD2,01/01/2010,01/06/2023,01/06/2023\nD3,01/01/2010,,01/06/2023\n',
    'sw_episodes.csv': '\uFEFFCHILD,DOB,SW_ID,SW_DECOM,SW_DEC,SW_REASON\nS1,01/01/2012,SW7,01/04/2023,30/09/2023,\nS1,01/01/2012,SW8,30/09/2023,,LEFTRL\nS2,01/01/2012,SW7,01/04/2023,,SWLAZY\n',
  };

  it('recognises each by its columns and reports each bad row by line and column', async () => {
    const report = await loadFiles(store, [await folder(files)], { authorityId: A, context: { yearEnding: '2024-03-31' } });
    const f = byFile(report);
    expect(f['uasc.csv']).toMatchObject({ format: 'uasc', rows: 2, accepted: 1, rejected: 1 });
    expect(f['oc3.csv']).toMatchObject({ format: 'oc3', rows: 4, accepted: 2, rejected: 2 });
    expect(f['ad1.csv']).toMatchObject({ format: 'ad1', rows: 3, accepted: 1, rejected: 2 });
    expect(f['placed_for_adoption.csv']).toMatchObject({ format: 'placed_for_adoption', rows: 3, accepted: 2, rejected: 1 });
    expect(f['previous_permanence.csv']).toMatchObject({ format: 'previous_permanence', rows: 5, accepted: 3, rejected: 2 });
    expect(f['missing.csv']).toMatchObject({ format: 'missing', rows: 4, accepted: 2, rejected: 2 });
    expect(f['sw_episodes.csv']).toMatchObject({ format: 'sw_episodes', rows: 3, accepted: 2, rejected: 1 });
    expect(f['dolo.csv']).toMatchObject({ format: 'dolo', rows: 4, accepted: 2, rejected: 2 });
    expect(where(report).sort()).toEqual([
      'ad1.csv:3:DATE_MATCH', 'ad1.csv:4:NB_ADOPTR', 'dolo.csv:4:DOLO_END', 'dolo.csv:5:DOLO_START', 'missing.csv:4:MISSING', 'missing.csv:5:MIS_END', 'oc3.csv:4:IN_TOUCH', 'oc3.csv:5:ACTIV',
      'placed_for_adoption.csv:4:REASON_PLACED_CEASED', 'previous_permanence.csv:5:PREV_PERM', 'previous_permanence.csv:6:DATE_PERM',
      'sw_episodes.csv:4:SW_REASON', 'uasc.csv:3:DUC',
    ]);
    expect(report.errors.find((e) => e.column === 'DATE_MATCH')?.message).toBe('DATE_MATCH: the match must not come before the decision to place for adoption');
    expect(report.errors.find((e) => e.column === 'DUC')?.message).toBe('DUC is required');
    expect(report.errors.find((e) => e.column === 'DOLO_END')?.message).toBe('DOLO_END: the deprivation of liberty must end after it starts');
    expect(report.errors.find((e) => e.column === 'DOLO_START')?.message).toBe('DOLO_START is required');
  });

  it('stores what each row says, partial dates as far as they are known', async () => {
    expect(await stored(A, { kind: 'uascStatus', record: { childId: 'U1' } } as DomainRecord)).toEqual({ childId: 'U1', ceasedDate: '2026-05-01' });
    expect(await stored(A, { kind: 'careLeaverOutcome', record: { childId: 'L2', yearEnding: '2024-03-31' } } as DomainRecord)).toEqual({
      childId: 'L2', yearEnding: '2024-03-31', inTouch: 'DIED', activity: '0', accommodation: '0',
    });
    expect(await stored(A, { kind: 'adoption', record: { childId: 'A1', decisionDate: '2022-03-01' } } as DomainRecord)).toMatchObject({
      matchedDate: '2022-06-01', adoptedByFosterCarer: false, numberOfAdopters: 2, adopterSex: 'MF', adopterLegalStatus: 'L11',
    });
    expect(await stored(A, { kind: 'placedForAdoption', record: { childId: 'A4', decisionDate: '2022-03-01' } } as DomainRecord)).toMatchObject({ ceasedDate: '2022-09-01', ceasedReason: 'RD1' });
    expect(await stored(A, { kind: 'previousPermanence', record: { childId: 'P1' } } as DomainRecord)).toEqual({ childId: 'P1', option: 'P2', localAuthority: '209', date: '2016-05' });
    expect(await stored(A, { kind: 'previousPermanence', record: { childId: 'P3' } } as DomainRecord)).toMatchObject({ date: '2014' });
    expect(await stored(A, { kind: 'missingEpisode', record: { childId: 'M1', startDate: '2024-03-10' } } as DomainRecord)).toEqual({ childId: 'M1', type: 'A', startDate: '2024-03-10', endDate: null });
    expect(await stored(A, { kind: 'deprivationOfLiberty', record: { childId: 'D1', startDate: '2023-06-01' } } as DomainRecord)).toEqual({ childId: 'D1', startDate: '2023-06-01', endDate: null });
    expect(await stored(A, { kind: 'deprivationOfLiberty', record: { childId: 'D1', startDate: '2023-01-01' } } as DomainRecord)).toEqual({ childId: 'D1', startDate: '2023-01-01', endDate: '2023-05-31' });
    expect(await stored(A, { kind: 'socialWorkerEpisode', record: { childId: 'S1', startDate: '2023-09-30' } } as DomainRecord)).toEqual({
      childId: 'S1', workerId: 'SW8', startDate: '2023-09-30', endDate: null, changeReason: 'LEFTRL',
    });
  });

  it('changes nothing when the same tables are imported again', async () => {
    const again = await loadFiles(store, [await folder(files)], { authorityId: A, context: { yearEnding: '2024-03-31' } });
    for (const file of again.files) expect(file, file.file).toMatchObject({ created: 0, updated: 0, unchanged: file.accepted });
  });

  it('refuses OC3 without its collection year, which its rows do not carry', async () => {
    const report = await loadFiles(store, [await folder({ 'oc3.csv': files['oc3.csv'] })], { authorityId: A });
    expect(report.files[0]).toMatchObject({ format: 'oc3', rows: 0, refused: 'OC3 rows carry no year: say which 31 March the return is for (--year-ending YYYY-03-31)' });
  });
});

describe('cross-row rules', () => {
  const A = 'cross-row';

  it('checks PN0 against the age at the review and each review against the periods of care, in whichever order the files are named', async () => {
    const dir = await folder({
      // Named first, loaded after the header and episodes it needs.
      'a-reviews.csv': `${REVIEWS}\n` +
        'R1,01/06/2021,10/01/2024,PN0\n' + // 2 at the review: PN0 right
        'R1,01/06/2021,10/04/2024,PN1\n' + // still 2: should be PN0
        'R2,15/03/2015,10/01/2024,PN0\n' + // 8: PN0 wrong
        'R2,15/03/2015,10/01/2024,PN1\n' + // duplicate of the row above (same CHILD and REVIEW)
        'R2,15/03/2015,01/12/2023,PN1\n' + // before the period of care began
        'R2,15/03/2015,20/02/2024,PN1\n' + // in the period
        'R3,15/03/2015,20/02/2024,PN1\n', // no episodes at all
      'b-review_details.csv': 'CHILD,REVIEW,IRO_ID,PERMANENCE_PLAN,CARE_PLAN_UP_TO_DATE,CHILD_SEEN_BEFORE_REVIEW,DECISIONS_ISSUED,RECORD_ISSUED,STOOD_DOWN\n' +
        'R2,20/02/2024,IRO1,f,Y,Y,,,N\nR2,01/07/2024,IRO1,f,Y,Y,,,N\n',
      'c-header.csv': `${HEADER}\nR1,1,01/06/2021,WBRI,,,\nR2,2,15/03/2015,WBRI,,,\n`,
      'd-episodes.csv': `${EPISODES}\nR1,02/01/2024,S,C1,N1,U1,PR1,,,,,,\nR2,02/01/2024,S,C2,N1,U1,PR1,30/06/2024,E11,,,,\n`,
    });
    const report = await loadFiles(store, [dir], { authorityId: A });
    expect(report.files.map((f) => f.file)).toEqual(['c-header.csv', 'd-episodes.csv', 'a-reviews.csv', 'b-review_details.csv']);
    const f = byFile(report);
    expect(f['a-reviews.csv']).toMatchObject({ rows: 7, accepted: 2, rejected: 5 });
    expect(f['b-review_details.csv']).toMatchObject({ rows: 2, accepted: 1, rejected: 1 });
    const messages = Object.fromEntries(report.errors.map((e) => [`${e.file}:${e.line}`, e.message]));
    expect(messages).toEqual({
      'a-reviews.csv:3': 'REVIEW_CODE PN1 is for a child aged 4 or over: this child was 2 on 10/04/2024, so the code is PN0',
      'a-reviews.csv:4': 'REVIEW_CODE PN0 is for a child under 4 at the review, but this child was 8 on 10/01/2024',
      'a-reviews.csv:5': 'duplicates line 4 (same CHILD and REVIEW); only the first is kept',
      'a-reviews.csv:6': 'REVIEW 01/12/2023 falls in no period of care of CHILD R2 (02/01/2024–30/06/2024)',
      'a-reviews.csv:8': 'REVIEW 20/02/2024 falls in no period of care: no episodes are known for CHILD R3 (import episodes with the reviews, or before them)',
      'b-review_details.csv:3': 'REVIEW 01/07/2024 falls in no period of care of CHILD R2 (02/01/2024–30/06/2024)',
    });
    const r2 = await store.getChildRecords(A, 'R2');
    expect(r2?.reviews.map((r) => [r.reviewDate, r.participationCode, r.iroId])).toEqual([['2024-02-20', 'PN1', 'IRO1']]);
  });

  it('checks a later import of reviews against the episodes already stored', async () => {
    const report = await loadFiles(store, [await folder({ 'reviews.csv': `${REVIEWS}\nR2,15/03/2015,01/05/2024,PN6\nR2,15/03/2015,01/08/2024,PN6\n` })], { authorityId: A });
    expect(report.files[0]).toMatchObject({ accepted: 1, rejected: 1 });
    expect(report.errors[0]).toMatchObject({ line: 3, column: 'REVIEW', message: expect.stringContaining('falls in no period of care of CHILD R2') });
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

  it('turns each part of a CHILD into a row of its table and reports faults by element and line', async () => {
    const report = await loadFiles(store, [await folder({ 'return.xml': XML_RETURN })], { authorityId: A, context: { yearEnding: '2023-03-31' } });
    const [file] = report.files;
    expect(file).toMatchObject({ file: 'return.xml', format: 'ssda903-xml', rows: 12, accepted: 9, rejected: 3 });
    expect(file!.refused).toBeUndefined();
    expect(file!.tables).toEqual({
      header: expect.objectContaining({ rows: 2, accepted: 1, rejected: 1 }),
      uasc: expect.objectContaining({ rows: 1, accepted: 1 }),
      episodes: expect.objectContaining({ rows: 4, accepted: 3, rejected: 1 }),
      reviews: expect.objectContaining({ rows: 3, accepted: 2, rejected: 1 }),
      missing: expect.objectContaining({ rows: 1, accepted: 1 }),
      oc2: expect.objectContaining({ rows: 1, accepted: 1 }),
    });
    const errors = report.errors.map((e) => [e.line, e.column, e.message]);
    expect(errors).toEqual([
      [lineOf(XML_RETURN, '<AREVIEW>', 2), 'AREVIEW/REVIEW_CODE', 'AREVIEW/REVIEW_CODE PN0 is for a child under 4 at the review, but this child was 11 on 01/05/2023'],
      [lineOf(XML_RETURN, '<HEADER>', 2), 'HEADER/SEX', 'HEADER/SEX "7" is not allowed: Invalid option: expected one of "1"|"2"'],
      [lineOf(XML_RETURN, '31/02/2023'), 'EPISODE/DECOM', 'EPISODE/DECOM: "31/02/2023" is not a date: write dd/mm/YYYY (or YYYY-MM-DD)'],
      [lineOf(XML_RETURN, 'FAVOURITE_COLOUR'), 'HEADER/FAVOURITE_COLOUR', '<HEADER/FAVOURITE_COLOUR> is not part of the SSDA903 return as this importer knows it: ignored'],
    ]);
    const x1 = await store.getChildRecords(A, 'X1');
    expect(x1?.child).toEqual({ childId: 'X1', sex: '2', dateOfBirth: '2012-03-14', ethnicity: 'WBRI', upn: 'A123456789012', motherChildDateOfBirth: null });
    expect(x1?.episodes.map((e) => [e.startDate, e.placement, e.legalStatus])).toEqual([['2023-01-10', 'U1', 'C1'], ['2023-04-01', 'U9', 'C2']]);
    expect(x1?.reviews.map((r) => [r.reviewDate, r.participationCode])).toEqual([['2023-02-01', 'PN1']]);
    expect(x1?.oc2).toEqual([expect.objectContaining({ yearEnding: '2023-03-31', sdqScore: 14, teethCheck: true })]);
    // The second child's header was refused, but its own episodes and review stand on their own keys.
    expect((await store.getChildRecords(A, 'X2'))?.reviews.map((r) => r.participationCode)).toEqual(['PN0']);
  });

  it('changes nothing when the same return is imported again', async () => {
    const again = await loadFiles(store, [await folder({ 'return.xml': XML_RETURN })], { authorityId: A, context: { yearEnding: '2023-03-31' } });
    expect(again.files[0]).toMatchObject({ accepted: 9, created: 0, updated: 0, unchanged: 9 });
  });

  it('imports the rest of a return without its year, and says what it left out', async () => {
    const report = await loadFiles(store, [await folder({ 'return.xml': XML_RETURN })], { authorityId: 'xml-no-year' });
    expect(report.files[0]!.tables.oc2).toMatchObject({ rows: 1, accepted: 0, rejected: 1 });
    expect(report.errors.find((e) => e.column === 'OC2')?.message).toBe('1 OC2 element(s) not imported: OC2 rows carry no year: say which 31 March the return is for (--year-ending YYYY-03-31)');
    expect(report.files[0]!.tables.episodes?.accepted).toBe(3);
  });

  it('refuses XML that is not the return, and stops at the place a broken file breaks, keeping what came before', async () => {
    const cut = XML_RETURN.slice(0, XML_RETURN.indexOf('<CHILDID>X2'));
    const report = await loadFiles(store, [await folder({ 'other.xml': '<?xml version="1.0"?>\n<CINCensus><Child/></CINCensus>\n', 'broken.xml': `${cut}<CHILDID>X2</CHILD>` })], {
      authorityId: 'xml-broken', context: { yearEnding: '2023-03-31' },
    });
    const f = byFile(report);
    expect(f['other.xml']?.refused).toBe('the XML root is <CINCensus>, not <EXPSSDA903> (the SSDA903 return)');
    expect(f['broken.xml']?.refused).toMatch(/^the XML is not well-formed at \d+:\d+: .+ \(the 8 rows before it were read\)$/);
    expect(f['broken.xml']).toMatchObject({ rows: 8, accepted: 7 });
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
  'Child Unique ID', 'Gender', 'Ethnicity', 'Date of Birth', 'Age of Child (Years)', 'Date Started to be Looked After', "Child's Legal Status",
  'Date of Latest Statutory Review', 'What is the permanence plan for this child?', 'Date of Last IRO Visit / Contact to the Child',
  'Date of Last Health Assessment', 'Date of Last Dental Check', 'Number of Placements in the Last 12 months', 'Allocated Team', 'Allocated Worker',
];
// Other years' wording and an export's quirks: case, punctuation, a note in brackets, a curly apostrophe.
const HEADERS_VARIANT = [
  'CHILD UNIQUE ID', 'Sex', 'ethnicity', 'Child’s Date of Birth', 'Date Child Started to be Looked After', 'Legal Status',
  'Date of last statutory review', 'Permanence Plan (a-g)', 'Date of Last IRO Visit', 'Date of Latest Health Assessment', 'Date of Last Dental Check-up',
  'Number of placements in last 12 months', 'Team', 'Allocated Social Worker',
];

describe('Ofsted Annex A, List 8', () => {
  const A = 'annex-a';

  it('reads List 8 by header text, whichever year’s wording, and maps each row to what it says', async () => {
    // A fuller source first: the child's UPN and the review's IRO come from SSDA903 and the SSD extract.
    await loadFiles(store, [await folder({
      'header.csv': `${HEADER}\nN1,1,14/03/2012,WBRI,A123456789012,,\n`,
      'episodes.csv': `${EPISODES}\nN1,10/01/2023,S,C2,N1,U1,PR1,,,,,,\n`,
      'review_details.csv': 'CHILD,REVIEW,IRO_ID,PERMANENCE_PLAN,CARE_PLAN_UP_TO_DATE,CHILD_SEEN_BEFORE_REVIEW,DECISIONS_ISSUED,RECORD_ISSUED,STOOD_DOWN\nN1,01/02/2024,IRO1,,Y,Y,05/02/2024,,N\n',
    })], { authorityId: A });

    const y2023 = await annexWorkbook(HEADERS_2023, [
      ['N1', 'a) Male', 'WBRI', day('2012-03-14'), 11, day('2023-01-10'), 'C2', day('2024-02-01'), 'f) Long-term fostering', day('2024-02-20'), day('2023-11-01'), day('2024-01-05'), 2, 'North 1', 'Sam Worker'],
      ['N2', 'b) Female', 'MWBC - White and Black Caribbean', '01/09/2016', 7, '02/02/2022', 'C1 - Interim care order', '15/03/2024', 'b', '', '', '', 1, 'South 1', ''],
      ['N3', 'Dragon', 'WBRI', day('2015-01-01'), 9, day('2022-01-01'), 'C2', '', '', '', '', '', '', '', ''],
      ['N4', 'b) Female', 'WBRI', day('2015-01-01'), 9, day('2023-06-01'), 'C2', day('2023-05-01'), 'z) Something else', '', '', '', '', '', ''],
      ['N5', 'a) Male', 'WBRI', '', 9, day('2023-06-01'), 'C2', '', '', '', '', '', '', '', ''],
      [null, null, null, null, null, null, null, null, null, null, null, null, null, null, null],
    ]);
    const variant = await annexWorkbook(HEADERS_VARIANT, [
      ['N6', 'Female', 'AIND', serial('2010-07-07'), serial('2021-05-05'), 'E1', serial('2024-01-20'), 'Adoption', '', serial('2023-12-12'), '', 3, 'Permanence', 'Alex Worker'],
      ['N7', 'Neither', '', '2011-02-02 00:00:00', '2020-02-02', 'XX', '', '', '', '', '', '', '', ''],
      ['N8', 'Male', 'WBRI', day('2011-02-02'), day('2020-02-02'), 'C2', day('2020-01-01'), 'a', '', '', '', '', '', ''],
    ], 'List_8 - Children in Care');
    const report = await loadFiles(store, [await folder({ 'annex-a-2023.xlsx': y2023, 'annex-a-2019.xlsx': variant })], { authorityId: A });
    const f = byFile(report);
    expect(f['annex-a-2023.xlsx']).toMatchObject({ format: 'annex-a-list-8', rows: 5, accepted: 2, rejected: 3 });
    expect(f['annex-a-2019.xlsx']).toMatchObject({ format: 'annex-a-list-8', rows: 3, accepted: 1, rejected: 2 });
    expect(report.errors.map((e) => `${e.file}:${e.line}:${e.column}: ${e.message}`)).toEqual([
      'annex-a-2019.xlsx:5:Legal Status: Legal Status (F5): "XX" is not allowed: Invalid option: expected one of "C1"|"C2"|"D1"|"E1"|"J1"|"J2"|"J3"|"L1"|"L2"|"L3"|"V2"|"V3"|"V4"',
      'annex-a-2019.xlsx:6:Date of last statutory review: Date of last statutory review (G6): the latest review must fall inside the period of care: it is before the date started to be looked after',
      'annex-a-2023.xlsx:6:Gender: Gender (B6): "Dragon" is not a gender Annex A uses: a) Male, b) Female, or not stated / neither',
      'annex-a-2023.xlsx:7:What is the permanence plan for this child?: What is the permanence plan for this child? (I7): "z) Something else" is not an Annex A permanence option: a) Return to family, b) Adoption, c) Special guardianship order or child arrangements order, d) Supported living in the community, e) Long-term residential placement, f) Long-term fostering, g) Other',
      'annex-a-2023.xlsx:8:Date of Birth: Date of Birth (D8): is required',
    ]);

    const n1 = await store.getChildRecords(A, 'N1');
    // What the sheet holds is written; what it does not (the UPN, the IRO, the record dates) is kept.
    expect(n1?.child).toEqual({ childId: 'N1', sex: '1', dateOfBirth: '2012-03-14', ethnicity: 'WBRI', upn: 'A123456789012', motherChildDateOfBirth: null });
    expect(n1?.reviews).toEqual([expect.objectContaining({ reviewDate: '2024-02-01', permanencePlan: ['f'], iroId: 'IRO1', decisionsIssued: '2024-02-05', carePlanUpToDate: true })]);
    expect(n1?.healthEvents.map((h) => [h.type, h.date, h.status])).toEqual([['HA', '2023-11-01', 'Completed'], ['DENTAL', '2024-01-05', 'Completed']]);
    expect(await stored(A, { kind: 'careSummary', record: { childId: 'N1', periodStart: '2023-01-10' } } as DomainRecord)).toEqual({
      childId: 'N1', periodStart: '2023-01-10', legalStatus: 'C2', latestReviewDate: '2024-02-01', permanencePlan: ['f'], lastIroContact: '2024-02-20',
      lastHealthAssessment: '2023-11-01', lastDentalCheck: '2024-01-05', placementsLast12Months: 2, allocatedTeam: 'North 1', allocatedWorker: 'Sam Worker',
    });
    const n2 = await store.getChildRecords(A, 'N2');
    expect(n2?.child).toMatchObject({ sex: '2', ethnicity: 'MWBC', dateOfBirth: '2016-09-01', upn: null });
    expect(n2?.reviews).toEqual([expect.objectContaining({ reviewDate: '2024-03-15', permanencePlan: ['b'], iroId: null })]);
    expect(n2?.healthEvents).toEqual([]);
    // Dates stored as serial numbers, plans written as words, a different year's header names.
    expect(await stored(A, { kind: 'careSummary', record: { childId: 'N6', periodStart: '2021-05-05' } } as DomainRecord)).toEqual({
      childId: 'N6', periodStart: '2021-05-05', legalStatus: 'E1', latestReviewDate: '2024-01-20', permanencePlan: ['b'], lastIroContact: null,
      lastHealthAssessment: '2023-12-12', lastDentalCheck: null, placementsLast12Months: 3, allocatedTeam: 'Permanence', allocatedWorker: 'Alex Worker',
    });
    expect((await store.getChildRecords(A, 'N6'))?.child).toMatchObject({ sex: '2', dateOfBirth: '2010-07-07', ethnicity: 'AIND' });

    const again = await loadFiles(store, [await folder({ 'annex-a-2023.xlsx': y2023, 'annex-a-2019.xlsx': variant })], { authorityId: A });
    for (const file of again.files) expect(file, file.file).toMatchObject({ created: 0, updated: 0 });

    // A later list that leaves cells blank does not erase what is known.
    const blanks = await annexWorkbook(HEADERS_2023, [['N1', '', '', day('2012-03-14'), 11, day('2023-01-10'), 'C2', day('2024-02-01'), '', '', '', '', '', '', '']]);
    await loadFiles(store, [await folder({ 'annex-a-later.xlsx': blanks })], { authorityId: A });
    const later = await store.getChildRecords(A, 'N1');
    expect(later?.child).toMatchObject({ sex: '1', ethnicity: 'WBRI', upn: 'A123456789012' });
    expect(later?.reviews[0]).toMatchObject({ permanencePlan: ['f'], iroId: 'IRO1' });
  });

  it('refuses a workbook without List 8, or whose List 8 lacks a column it needs', async () => {
    const noList8 = new ExcelJS.Workbook();
    noList8.addWorksheet('List 1').addRow(['Child Unique ID']);
    noList8.addWorksheet('List 9').addRow(['Child Unique ID']);
    const noStart = await annexWorkbook(['Child Unique ID', 'Gender', 'Date of Birth'], [['Z1', 'a) Male', day('2012-01-01')]]);
    const report = await loadFiles(store, [await folder({
      'no-list-8.xlsx': new Uint8Array(await noList8.xlsx.writeBuffer()),
      'no-start.xlsx': noStart,
      'not-a-workbook.xlsx': new Uint8Array([0x50, 0x4b, 0x03, 0x04, 1, 2, 3, 4, 5, 6, 7, 8]),
    })], { authorityId: A });
    const f = byFile(report);
    expect(f['no-list-8.xlsx']?.refused).toBe('the workbook has no List 8 sheet (children in care): its sheets are "List 1", "List 9"');
    expect(f['no-start.xlsx']?.refused).toBe('the List 8 sheet "List 8" has no "Date Started to be Looked After" column (its headers, row 3: "Child Unique ID", "Gender", "Date of Birth")');
    expect(f['not-a-workbook.xlsx']?.refused).toMatch(/^could not be read as an xlsx workbook: /);
  });
});

describe('malformed files', () => {
  it('gives each a clear result: empty, UTF-16, binary, wrong header, ragged rows, bad dates, unknown codes, duplicates', async () => {
    const report = await loadFiles(store, [await folder({
      'empty.csv': '',
      'blank-lines.csv': '\n\n  \n',
      'utf16.csv': new Uint8Array([0xff, 0xfe, 0x43, 0x00, 0x48, 0x00]),
      'binary.csv': new Uint8Array([0x00, 0x01, 0x02, 0x22, 0x0a, 0x22, 0x22, 0x41, 0x22, 0x42]),
      'wrong-header.csv': 'CHILD,DOB,REVIEW_DATE,CODE\nK1,01/01/2015,01/02/2024,PN1\n',
      'header.csv': `${HEADER}\nK1,1,01/01/2015,WBRI,,,\nK2,1,2015-13-01,WBRI,,,\nK3,3,01/01/2015,WBRI,,,\nK1,2,01/01/2015,WBRI,,,\nK4,1,01/01/2015\n`,
    })], { authorityId: 'malformed' });
    const f = byFile(report);
    expect(f['empty.csv']?.refused).toBe('the file is empty: expected a header row');
    expect(f['blank-lines.csv']?.refused).toBe('the file is empty: expected a header row');
    expect(f['utf16.csv']?.refused).toBe('the file is UTF-16 text: save it as CSV UTF-8 and import it again');
    expect(f['binary.csv']?.refused).toMatch(/^(could not be read as CSV|the columns .* match no known file)/);
    expect(f['wrong-header.csv']?.refused).toContain('closest: reviews.csv (CHILD, DOB, REVIEW, REVIEW_CODE): missing REVIEW, REVIEW_CODE; unexpected REVIEW_DATE, CODE');
    expect(f['header.csv']).toMatchObject({ rows: 5, accepted: 1, rejected: 4 });
    expect(report.errors.filter((e) => e.file === 'header.csv').map((e) => [e.line, e.column, e.message])).toEqual([
      [3, 'DOB', 'DOB: "2015-13-01" is not a date: write dd/mm/YYYY (or YYYY-MM-DD)'],
      [4, 'SEX', 'SEX "3" is not allowed: Invalid option: expected one of "1"|"2"'],
      [5, null, 'duplicates line 2 (same CHILD); only the first is kept'],
      [6, null, 'the row has 3 cells but the header has 7'],
    ]);
  });

  it('reads a very large file of bad rows to the end with bounded errors kept, counting every one', async () => {
    const rows = 40_000;
    const lines = [REVIEWS];
    for (let i = 0; i < rows; i += 1) lines.push(`V${i},01/01/2015,${i % 2 ? '31/02/2024' : 'soon'},PN1`);
    const report = await loadFiles(store, [await folder({ 'reviews.csv': `${lines.join('\n')}\n` })], { authorityId: 'large', maxErrorsKept: 100 });
    expect(report.files[0]).toMatchObject({ rows, accepted: 0, rejected: rows, created: 0 });
    expect(report.errorCount).toBe(rows);
    expect(report.errors).toHaveLength(100);
    expect(report.errors.at(-1)).toMatchObject({ line: 101, column: 'REVIEW' });
  }, 60_000);
});
