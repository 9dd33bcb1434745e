/**
 * A council's SSDA903 return as it really comes, through the real store: this year's return with
 * its M/F/U sex codes, the collection year stated or worked out, another year's codes refused once
 * per file, and files as councils' systems and Excel write them — Windows-1252, semicolons and
 * tabs, tables saved as xlsx, a title above the header, trailing empty rows, child ids in any case.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, readFile, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { createDynamoDocumentClient } from '#config/aws-clients';
import { loadFiles, type FileReport, type LoadReport } from '#loader/load';
import { DynamoRecordStore } from '#store/dynamo-store';
import { ensureTable } from '#store/table';

let store: DynamoRecordStore;
let root: string;
const TODAY = '2026-12-03';
const RETURN_2025_26 = join(process.cwd(), 'tests', 'fixtures', 'return-2025-26');

beforeAll(async () => {
  const config = {
    region: 'eu-west-2',
    tableName: `return-${randomUUID()}`,
    bucketName: 'unused',
    dynamoEndpoint: inject('dynamoEndpoint'),
  };
  const client = createDynamoDocumentClient(config);
  await ensureTable(client, config.tableName);
  store = new DynamoRecordStore(client, config.tableName);
  root = await mkdtemp(join(tmpdir(), 'iro-return-'));
});

async function folder(files: Record<string, string | Uint8Array>): Promise<string> {
  const dir = join(root, randomUUID());
  await mkdir(dir);
  for (const [name, content] of Object.entries(files)) await writeFile(join(dir, name), content);
  return dir;
}
/** The 2025-26 return's files, as text. */
async function return2025(): Promise<Record<string, string>> {
  const names = (await readdir(RETURN_2025_26)).filter((n) => n.endsWith('.csv'));
  return Object.fromEntries(
    await Promise.all(names.map(async (n) => [n, await readFile(join(RETURN_2025_26, n), 'utf8')] as const)),
  );
}
const byFile = (report: LoadReport): Record<string, FileReport> =>
  Object.fromEntries(report.files.map((f) => [f.file, f]));
const total = (report: LoadReport, key: 'rows' | 'accepted' | 'rejected' | 'warned') =>
  report.files.reduce((n, f) => n + f[key], 0);

const HEADER = 'CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB';
const EPISODES = 'CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,PL_POST,URN';
const REVIEWS = 'CHILD,DOB,REVIEW,REVIEW_CODE';

describe('this year’s return', () => {
  it('imports a 2025-26 return with the sex codes M, F and U without a single rejection, its year worked out from its dates', async () => {
    const report = await loadFiles(store, [RETURN_2025_26], { authorityId: 'return-2025', today: TODAY });
    expect(report.year).toEqual({
      year: '2025-26',
      how: 'inferred',
      reason: 'the latest episode date in the return is 18 February 2026 (DEC in episodes.csv)',
      rulesOf: '2025-26',
    });
    expect(report.files.map((f) => f.refused)).toEqual(report.files.map(() => undefined));
    expect(total(report, 'rejected')).toBe(0);
    expect(total(report, 'accepted')).toBe(total(report, 'rows'));
    expect(byFile(report)['header.csv']).toMatchObject({ rows: 5, accepted: 5, rejected: 0 });
    // The one thing the DfE asks to check: a sex recorded as unknown.
    expect(report.errors).toEqual([
      expect.objectContaining({
        file: 'header.csv',
        line: 6,
        child: 'C105',
        column: 'SEX',
        rule: '232',
        severity: 'warning',
        message: '232 – the child\'s sex is given as unknown or indeterminate (U): SEX is "U"',
      }),
    ]);
    const sexes = await Promise.all(
      ['C101', 'C102', 'C105'].map(async (id) => (await store.getChildRecords('return-2025', id))?.child?.sex),
    );
    expect(sexes).toEqual(['F', 'M', 'U']);
    const c101 = await store.getChildRecords('return-2025', 'C101');
    expect(c101?.oc2).toEqual([
      expect.objectContaining({ yearEnding: '2026-03-31', sdqScore: 14, immunisations: true }),
    ]);
    expect(c101?.reviews.map((r) => [r.reviewDate, r.participationCode])).toEqual([
      ['2025-05-02', 'PN1'],
      ['2025-10-30', 'PN6'],
    ]);
  });

  it('changes nothing when the same return is imported again', async () => {
    const again = await loadFiles(store, [RETURN_2025_26], { authorityId: 'return-2025', today: TODAY });
    for (const file of again.files)
      expect(file, file.file).toMatchObject({ created: 0, updated: 0, unchanged: file.accepted, rejected: 0 });
  });

  it('refuses this year’s sex codes in a return stated to be for 2023-24, once for the file, naming the year’s codes', async () => {
    const report = await loadFiles(store, [RETURN_2025_26], {
      authorityId: 'return-2023-stated',
      context: { collectionYear: '2023-24' },
      today: TODAY,
    });
    expect(report.year).toMatchObject({ year: '2023-24', how: 'stated', rulesOf: '2023-24' });
    const year = report.errors.filter((e) => e.rule === 'YEAR' && e.severity === 'rejected');
    expect(year).toEqual([
      expect.objectContaining({
        file: 'header.csv',
        line: null,
        column: 'SEX',
        message:
          'YEAR – the file uses F, M and U (the codes of returns from 2024-25) on 5 rows (lines 2, 3, 4, 5, 6). ' +
          "The 2023-24 return's sex codes are 1 (male) and 2 (female): the 5 rows with F, M or U are not imported. Correct the codes, or import the file as the year it is for",
      }),
    ]);
    // The UASC table repeats the child's sex, which no audit reads there: its row is kept, with a warning.
    expect(report.errors.filter((e) => e.rule === 'YEAR' && e.severity === 'warning')).toEqual([
      expect.objectContaining({
        file: 'uasc.csv',
        column: 'SEX',
        message: expect.stringMatching(
          /^YEAR – the file uses M \(the codes of returns from 2024-25\) on 1 row \(line 2\)\. .* the 1 row with M is imported with the code as given\./,
        ),
      }),
    ]);
    // Never one 101 per row: the file's one YEAR issue says it all, and each child's other rows are held back under it.
    expect(report.errors.filter((e) => e.rule === '101')).toEqual([]);
    expect(report.rules.find((r) => r.rule === 'YEAR' && r.severity === 'rejected')).toMatchObject({
      issues: 1,
      rows: 5,
    });
    expect(report.rules.find((r) => r.rule === 'YEAR' && r.severity === 'not imported')).toMatchObject({
      rows: total(report, 'rows') - 5,
    });
    expect(total(report, 'accepted')).toBe(0);
  });
});

describe('the collection year', () => {
  it('reads an older return by its own year’s rules: sex codes 1 and 2 in 2023-24, stored as M and F', async () => {
    const report = await loadFiles(
      store,
      [
        await folder({
          'header.csv': `${HEADER}\nO1,1,14/06/2012,WBRI,A123456789012,,\nO2,2,03/02/2014,WBRI,B123456789012,0,\n`,
          'episodes.csv': `${EPISODES}\nO1,10/01/2023,S,C2,N1,U4,PR1,,,,SE1 7PB,SE5 8AF,SC111111\nO2,15/07/2023,S,C2,N1,U4,PR1,,,,SE1 7PB,SE5 8AF,SC111111\n`,
        }),
      ],
      { authorityId: 'older', today: TODAY },
    );
    expect(report.year).toMatchObject({ year: '2023-24', how: 'inferred', rulesOf: '2023-24' });
    expect(byFile(report)['header.csv']).toMatchObject({ accepted: 2, rejected: 0 });
    expect((await store.getChildRecords('older', 'O1'))?.child?.sex).toBe('M');
    expect((await store.getChildRecords('older', 'O2'))?.child?.sex).toBe('F');
  });

  it('gives a file that mixes two years’ sex codes one clear error naming the year’s codes, and keeps the rows that are right', async () => {
    const report = await loadFiles(
      store,
      [
        await folder({
          'header.csv': `${HEADER}\nX1,M,14/06/2012,WBRI,,,\nX2,2,03/02/2014,WBRI,,0,\nX3,F,03/02/2014,WBRI,,0,\nX4,1,03/02/2014,WBRI,,,\n`,
        }),
      ],
      { authorityId: 'mixed', context: { collectionYear: '2025-26' }, today: TODAY },
    );
    expect(report.errors.filter((e) => e.severity !== 'warning')).toEqual([
      expect.objectContaining({
        file: 'header.csv',
        rule: 'YEAR',
        severity: 'rejected',
        column: 'SEX',
        message:
          "YEAR – the file mixes the sex codes of two collection years: F and M (2025-26's) on 2 rows, and 1 and 2 (the codes of returns up to 2023-24) on 2 rows (lines 3, 5). " +
          "The 2025-26 return's sex codes are M (male), F (female) and U (unknown or indeterminate): the 2 rows with 1 or 2 are not imported. Correct the codes, or import the file as the year it is for",
      }),
    ]);
    expect(byFile(report)['header.csv']).toMatchObject({ rows: 4, accepted: 2, rejected: 2 });
  });

  it('gives a placement type of another year one warning for the file, and keeps the episodes', async () => {
    const files = await return2025();
    // Z1 (other placement) was split into Z11–Z14 in 2025-26; H5 retired.
    const episodes = files['episodes.csv']!.replace(
      'C104,05/05/2025,S,V2,N8,U6,',
      'C104,05/05/2025,S,V2,N8,Z1,',
    ).replace('C101,10/01/2024,S,C2,N1,U4,', 'C101,10/01/2024,S,C2,N1,H5,');
    const report = await loadFiles(store, [await folder({ ...files, 'episodes.csv': episodes })], {
      authorityId: 'retired-codes',
      today: TODAY,
    });
    expect(report.errors.filter((e) => e.rule === 'YEAR' || e.rule === '146')).toEqual([
      expect.objectContaining({
        file: 'episodes.csv',
        column: 'PLACE',
        rule: 'YEAR',
        severity: 'warning',
        message:
          "YEAR – the file uses H5 and Z1 (the codes of returns up to 2024-25) on 2 rows (lines 2, 6). The 2025-26 return's placement types are " +
          'A3, A4, A5, A6, K1, K2, K3, P1 … and 21 more: the 2 rows with H5 or Z1 are imported with the code as given. Correct the codes, or import the file as the year it is for',
      }),
    ]);
    expect(byFile(report)['episodes.csv']).toMatchObject({ rows: 7, accepted: 7, rejected: 0 });
    expect((await store.getChildRecords('retired-codes', 'C104'))?.episodes[0]?.placement).toBe('Z1');
  });

  it('works the year out from the episodes before any other date, and says why', async () => {
    const report = await loadFiles(
      store,
      [
        await folder({
          'episodes.csv': `${EPISODES}\nY1,10/01/2024,S,C2,N1,U4,PR1,31/03/2025,E13,,,,\n`,
          // A review typed with next year's date does not move the return.
          'reviews.csv': `${REVIEWS}\nY1,14/06/2012,02/05/2025,PN1\n`,
        }),
      ],
      { authorityId: 'inferred', today: TODAY },
    );
    expect(report.year).toEqual({
      year: '2024-25',
      how: 'inferred',
      reason: 'the latest episode date in the return is 31 March 2025 (DEC in episodes.csv)',
      rulesOf: '2024-25',
    });
  });
});

/** Windows-1252 bytes of a string (Latin-1 letters only). */
const cp1252 = (text: string) => new Uint8Array([...text].map((c) => c.charCodeAt(0)));

describe('files as they really come', () => {
  it('converts Windows-1252 text, and refuses a file in neither encoding rather than store it corrupted', async () => {
    const report = await loadFiles(
      store,
      [
        await folder({
          'professionals.csv': cp1252('WORKER_ID,ROLE,TEAM,SERVICE\nIRO7,IRO,Équipe révisions,Qualité\n'),
          'broken.csv': new Uint8Array([
            ...cp1252('WORKER_ID,ROLE,TEAM,SERVICE\nIRO8,IRO,Team '),
            0x81,
            ...cp1252(',QA\n'),
          ]),
        }),
      ],
      { authorityId: 'encodings', today: TODAY },
    );
    const f = byFile(report);
    expect(f['professionals.csv']).toMatchObject({ encoding: 'Windows-1252', accepted: 1 });
    expect(f['broken.csv']?.refused).toBe(
      'the file is neither UTF-8 nor Windows-1252 text (byte 0x81 at byte 43 means nothing in either): save it as "CSV UTF-8" and import it again',
    );
    const stored = await store.getRecords('encodings', [
      { kind: 'professional', record: { workerId: 'IRO7' } } as never,
    ]);
    expect(stored[0]?.record).toMatchObject({ team: 'Équipe révisions', service: 'Qualité' });
  });

  it('detects a semicolon- or tab-delimited export and says so', async () => {
    const files = await return2025();
    const report = await loadFiles(
      store,
      [
        await folder({
          'header.csv': files['header.csv']!.replace(/,/g, ';'),
          'episodes.csv': files['episodes.csv']!.replace(/,/g, '\t'),
          'reviews.csv': files['reviews.csv']!,
        }),
      ],
      { authorityId: 'delimiters', context: { collectionYear: '2025-26' }, today: TODAY },
    );
    const f = byFile(report);
    expect([f['header.csv']?.delimiter, f['episodes.csv']?.delimiter, f['reviews.csv']?.delimiter]).toEqual([
      'semicolon',
      'tab',
      'comma',
    ]);
    expect(f['header.csv']).toMatchObject({ format: 'header', rows: 5, accepted: 5, rejected: 0 });
    expect(f['episodes.csv']).toMatchObject({ format: 'episodes', rows: 7, accepted: 7, rejected: 0 });
  });

  it('reads SSDA903 tables saved as xlsx, one table per sheet or one per file', async () => {
    const files = await return2025();
    const sheetOf = (workbook: ExcelJS.Workbook, name: string, csv: string) => {
      const sheet = workbook.addWorksheet(name);
      for (const line of csv.trim().split('\n')) {
        sheet.addRow(
          line.split(',').map((cell) => {
            // Dates as Excel stores them when a cell is formatted as a date.
            const m = /^(\d{2})\/(\d{2})\/(\d{4})$/.exec(cell);
            return m ? new Date(Date.UTC(Number(m[3]), Number(m[2]) - 1, Number(m[1]))) : cell;
          }),
        );
      }
    };
    const together = new ExcelJS.Workbook();
    sheetOf(together, 'Header', files['header.csv']!);
    sheetOf(together, 'Episodes', files['episodes.csv']!);
    sheetOf(together, 'Reviews', files['reviews.csv']!);
    const alone = new ExcelJS.Workbook();
    sheetOf(alone, 'Sheet1', files['oc2.csv']!);
    const report = await loadFiles(
      store,
      [
        await folder({
          'return.xlsx': new Uint8Array(await together.xlsx.writeBuffer()),
          'oc2.xlsx': new Uint8Array(await alone.xlsx.writeBuffer()),
        }),
      ],
      { authorityId: 'xlsx-return', today: TODAY },
    );
    const f = byFile(report);
    expect(f['return.xlsx']).toMatchObject({ format: 'xlsx-tables', rows: 23, accepted: 23, rejected: 0 });
    expect(f['return.xlsx']?.sheets).toEqual([
      { name: 'Header', format: 'header' },
      { name: 'Episodes', format: 'episodes' },
      { name: 'Reviews', format: 'reviews' },
    ]);
    expect(f['oc2.xlsx']).toMatchObject({ format: 'oc2', rows: 2, accepted: 2 });
    expect(report.year).toMatchObject({ year: '2025-26', how: 'inferred' });
    expect((await store.getChildRecords('xlsx-return', 'C102'))?.episodes.map((e) => e.startDate)).toEqual([
      '2025-07-15',
      '2025-10-20',
    ]);
  });

  it('refuses a title line above the header, saying what was expected where', async () => {
    const files = await return2025();
    const report = await loadFiles(
      store,
      [
        await folder({
          'header.csv': `Children looked after 2025-26,,,,,,\nExported 1 April 2026,,,,,,\n${files['header.csv']}`,
        }),
      ],
      { authorityId: 'titles', today: TODAY },
    );
    expect(report.files[0]?.refused).toBe(
      'the first line is not the header: line 1 reads "Children looked after 2025-26", and the header.csv header (CHILD, SEX, DOB, ETHNIC, UPN, MOTHER, MC_DOB) is on line 3. Delete the 2 lines above the header and import the file again',
    );
    expect(report.files[0]).toMatchObject({ rows: 0, accepted: 0 });
  });

  it('ignores trailing empty and comma-only rows, and matches child ids whatever their case', async () => {
    const files = await return2025();
    const report = await loadFiles(
      store,
      [
        await folder({
          'header.csv': `${files['header.csv']!.replace('C102,', 'c102,')},,,,,,\n\n,,,,,,\n`,
          'episodes.csv': files['episodes.csv']!,
          'reviews.csv': files['reviews.csv']!.replace(/^C102,/gm, 'c102,'),
        }),
      ],
      { authorityId: 'quirks', today: TODAY },
    );
    expect(byFile(report)['header.csv']).toMatchObject({ rows: 5, accepted: 5, rejected: 0 });
    expect(total(report, 'rejected')).toBe(0);
    const c102 = await store.getChildRecords('quirks', 'C102');
    expect(c102?.child?.childId).toBe('C102');
    expect(c102?.reviews).toHaveLength(2);
  });
});
