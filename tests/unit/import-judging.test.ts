/**
 * The pure core of an import: the collection year, a child's rows judged together (what a rejected
 * row takes down, duplicates, warned values left blank), last year's return rebuilt from the store,
 * how a file's bytes and delimiter are told, and the spool that keeps memory bounded.
 */
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import {
  collectionYearContaining,
  collectionYearEnding,
  parseCollectionYear,
  ruleYearFor,
} from '#domain/collection-year';
import { judgeGroup, type GroupContext, type ReadRow } from '#loader/judge-group';
import { lastYearOf } from '#loader/last-year';
import { partitionOf, PARTITIONS, RowSpool } from '#loader/spool';
import { detectDelimiter, detectEncoding, openText } from '#loader/text';
import { returnContext } from '#ssda903/return';

describe('the collection year', () => {
  it('reads a year as people write it, and as the 31 March it ends', () => {
    for (const text of ['2025-26', '2025/26', '2025-2026', ' 2025 – 26 ', '2026-03-31'])
      expect(parseCollectionYear(text), text).toBe('2025-26');
    for (const text of ['2025-27', '2025', '26-27', '2026-04-01', ''])
      expect(parseCollectionYear(text), text).toBeUndefined();
    expect(collectionYearEnding('2000-03-31')).toBe('1999-00');
  });
  it('puts 31 March in the year it ends and 1 April in the next', () => {
    expect(collectionYearContaining('2026-03-31')).toBe('2025-26');
    expect(collectionYearContaining('2026-04-01')).toBe('2026-27');
  });
  it('judges a year the importer has no rules for by the nearest it has', () => {
    expect(ruleYearFor('2018-19')).toBe('2022-23');
    expect(ruleYearFor('2025-26')).toBe('2025-26');
    expect(ruleYearFor('2029-30')).toBe('2026-27');
  });
});

const FILES = [
  { name: 'header.csv', kind: 'csv' as const },
  { name: 'episodes.csv', kind: 'csv' as const },
  { name: 'reviews.csv', kind: 'csv' as const },
];
const context = (tables: ('Header' | 'Episodes' | 'Reviews')[]): GroupContext => ({
  files: FILES,
  ssda903: returnContext('2025-26', tables),
  formats: { yearEnding: '2026-03-31' },
});
let line = 1;
const header = (cells: Record<string, string> = {}): ReadRow => ({
  file: 0,
  table: 'header',
  line: ++line,
  element: null,
  cells: {
    CHILD: 'J1',
    SEX: 'F',
    DOB: '01/01/2012',
    ETHNIC: 'WBRI',
    UPN: 'A123456789012',
    MOTHER: '0',
    MC_DOB: '',
    ...cells,
  },
});
const episode = (cells: Record<string, string>): ReadRow => ({
  file: 1,
  table: 'episodes',
  line: ++line,
  element: null,
  cells: {
    CHILD: 'J1',
    RNE: 'S',
    LS: 'C2',
    CIN: 'N1',
    PLACE: 'U4',
    PLACE_PROVIDER: 'PR1',
    DEC: '',
    REC: '',
    REASON_PLACE_CHANGE: '',
    HOME_POST: 'SE1 7PB',
    PL_POST: 'SE5 8AF',
    URN: 'SC111111',
    ...cells,
  },
});
const review = (date: string, code = 'PN1'): ReadRow => ({
  file: 2,
  table: 'reviews',
  line: ++line,
  element: null,
  cells: { CHILD: 'J1', DOB: '01/01/2012', REVIEW: date, REVIEW_CODE: code },
});

describe("judging one child's rows together", () => {
  it('imports a sound child: every row accepted, the records as the rows say', () => {
    const rows = [header(), episode({ DECOM: '01/05/2025' }), review('20/05/2025')];
    const outcome = judgeGroup('J1', rows, null, context(['Header', 'Episodes', 'Reviews']));
    expect(outcome.rejected).toEqual([]);
    expect(outcome.accepted.map((a) => a.entries[0]!.kind)).toEqual(['child', 'episode', 'reviewParticipation']);
    expect(outcome.accepted[0]!.entries[0]!.record).toMatchObject({
      childId: 'J1',
      sex: 'F',
      dateOfBirth: '2012-01-01',
    });
  });

  it('holds back a rejected Header row’s other rows when the store holds nothing of the child, and keeps them when it does', () => {
    const rows = [header({ DOB: '31/02/2012' }), episode({ DECOM: '01/05/2025' }), review('20/05/2025')];
    const alone = judgeGroup('J1', rows, null, context(['Header', 'Episodes', 'Reviews']));
    expect(alone.accepted).toEqual([]);
    expect(alone.issues.filter((i) => i.severity === 'not imported').map((i) => [i.table, i.rule, i.rows])).toEqual([
      ['episodes', '102', 1],
      ['reviews', '102', 1],
    ]);
    const known = judgeGroup(
      'J1',
      rows,
      { hasChild: true, episodes: [], previous: null },
      context(['Header', 'Episodes', 'Reviews']),
    );
    expect(known.accepted.map((a) => a.row.table)).toEqual(['episodes', 'reviews']);
  });

  it('places reviews in the store’s periods of care when the import holds none of the child’s episodes', () => {
    const rows = [review('20/05/2025'), review('20/05/2020')];
    const stored = {
      hasChild: true,
      episodes: [
        {
          childId: 'J1',
          startDate: '2025-05-01',
          endDate: null,
          reasonNewEpisode: 'S',
          reasonEpisodeCeased: null,
          legalStatus: 'C2',
        } as const,
      ],
      previous: null,
    };
    const outcome = judgeGroup('J1', rows, stored, context(['Reviews']));
    expect(outcome.accepted.map((a) => a.row)).toEqual([rows[0]]);
    expect(outcome.issues.filter((i) => i.rule === 'NO-PERIOD').map((i) => i.message)).toEqual([
      'NO-PERIOD – 1 review of child J1 (line ' +
        rows[1]!.line +
        ", on 20 May 2020) falls in no period of care: the child's periods of care are 1 May 2025 to now",
    ]);
  });

  it('refuses the second of two rows with the same natural key, naming the first', () => {
    const first = review('20/05/2025');
    const second = review('20/05/2025', 'PN6');
    const outcome = judgeGroup(
      'J1',
      [header(), episode({ DECOM: '01/05/2025' }), first, second],
      null,
      context(['Header', 'Episodes', 'Reviews']),
    );
    expect(outcome.issues.find((i) => i.rule === 'DUPLICATE')).toMatchObject({
      line: second.line,
      message: `DUPLICATE – the row repeats line ${first.line} (same CHILD and REVIEW): only the first is kept`,
    });
  });

  it('keeps a row whose fault is only a warning, leaving blank the value the domain cannot hold', () => {
    const outcome = judgeGroup(
      'J1',
      [header(), episode({ DECOM: '01/05/2025', REASON_PLACE_CHANGE: 'NOSUCH' })],
      null,
      context(['Header', 'Episodes']),
    );
    expect(outcome.warned).toHaveLength(1);
    expect(outcome.accepted[1]!.entries[0]!.record).toMatchObject({ startDate: '2025-05-01', reasonPlaceChange: null });
    expect(outcome.issues.find((i) => i.rule === '1009')?.message).toMatch(
      /\(REASON_PLACE_CHANGE is not stored: left blank, as not known\)$/,
    );
  });

  it('holds another year’s codes back without reporting each row again, or keeps them when the code rule only warns', () => {
    const row = header({ SEX: '2' });
    const outcome = judgeGroup('J1', [row], null, {
      ...context(['Header']),
      yearCode: (r) => (r === row ? { rule: '101', reject: true } : undefined),
    });
    expect(outcome.rejected).toEqual([row]);
    expect(outcome.issues.filter((i) => i.rule === '101')).toEqual([]);
    const z1 = episode({ DECOM: '01/05/2025', PLACE: 'Z1' });
    const kept = judgeGroup('J1', [header(), z1], null, {
      ...context(['Header', 'Episodes']),
      yearCode: (r) => (r === z1 ? { rule: '146', reject: false } : undefined),
    });
    expect(kept.accepted.map((a) => a.row)).toContain(z1);
    expect(kept.issues.filter((i) => i.rule === '146')).toEqual([]);
  });
});

describe('last year’s return, rebuilt from the store', () => {
  it('leaves out what began this year, reopens what was still going on at 31 March, and writes the sex as that year did', () => {
    const previous = lastYearOf(
      {
        child: {
          childId: 'J1',
          sex: 'F',
          dateOfBirth: '2012-01-01',
          ethnicity: 'WBRI',
          upn: null,
          motherChildDateOfBirth: null,
        },
        episodes: [
          {
            childId: 'J1',
            startDate: '2023-01-10',
            endDate: '2023-06-01',
            reasonNewEpisode: 'S',
            reasonEpisodeCeased: 'X1',
            legalStatus: 'C2',
            categoryOfNeed: 'N1',
            placement: 'U4',
            placementProvider: 'PR1',
            reasonPlaceChange: null,
            homePostcode: null,
            placementPostcode: null,
            urn: null,
          },
          {
            childId: 'J1',
            startDate: '2023-06-01',
            endDate: null,
            reasonNewEpisode: 'P',
            reasonEpisodeCeased: null,
            legalStatus: 'C2',
            categoryOfNeed: 'N1',
            placement: 'U6',
            placementProvider: 'PR1',
            reasonPlaceChange: null,
            homePostcode: null,
            placementPostcode: null,
            urn: null,
          },
        ],
        reviews: [],
        involvements: [],
        siblingGroups: [],
        healthEvents: [],
        oc2: [],
      },
      '2023-24',
      '2023-04-01',
    );
    expect(previous.Header?.[0]?.cells).toMatchObject({ CHILD: 'J1', SEX: '2', DOB: '2012-01-01' });
    expect(previous.Episodes?.map((e) => [e.cells.DECOM, e.cells.DEC, e.cells.REC])).toEqual([['2023-01-10', '', '']]);
  });
});

const source = (bytes: Uint8Array) => ({ name: 'f.csv', open: async () => Readable.from([Buffer.from(bytes)]) });

describe('a file’s bytes and delimiter', () => {
  it('tells UTF-8 (with or without a BOM) from Windows-1252, and refuses bytes neither has', async () => {
    expect(await detectEncoding(source(new TextEncoder().encode('CHILD\nÉ\n')))).toEqual({ encoding: 'UTF-8' });
    expect(await detectEncoding(source(new Uint8Array([0xef, 0xbb, 0xbf, 0x41])))).toEqual({
      encoding: 'UTF-8 with BOM',
    });
    expect(await detectEncoding(source(new Uint8Array([0x41, 0xc9, 0x0a])))).toEqual({ encoding: 'Windows-1252' });
    expect(await detectEncoding(source(new Uint8Array([0x41, 0x9d, 0xc9])))).toMatchObject({
      refused: expect.stringContaining('byte 0x9D at byte 2'),
    });
    let text = '';
    for await (const chunk of await openText(source(new Uint8Array([0x52, 0xe9, 0x80])), 'Windows-1252')) text += chunk;
    expect(text).toBe('Ré€');
  });
  it('takes the delimiter the header uses most outside quotes', () => {
    expect(detectDelimiter('CHILD,SEX,DOB')).toBe(',');
    expect(detectDelimiter('CHILD;SEX;DOB')).toBe(';');
    expect(detectDelimiter('CHILD\tSEX\tDOB')).toBe('\t');
    expect(detectDelimiter('"A;B",C,D')).toBe(',');
    expect(detectDelimiter('CHILD')).toBe(',');
  });
});

describe('the spool', () => {
  it('gives back each partition’s rows in the order added, every row of a child in one partition, in memory or spilled to disk', async () => {
    const spool = new RowSpool();
    const keys = Array.from({ length: 2_000 }, (_, i) => `C${i % 300}`);
    // Rows large enough to pass the in-memory limit, so the spool moves to disk part way.
    const filler = 'x'.repeat(16_000);
    for (const [i, key] of keys.entries()) await spool.add(key, [key, i, filler]);
    const seen: number[] = [];
    for (let p = 0; p < PARTITIONS; p += 1) {
      const rows = (await spool.partition(p)) as [string, number, string][];
      for (const [key, i] of rows) {
        expect(partitionOf(key)).toBe(p);
        seen.push(i);
      }
      const order = rows.map(([, i]) => i);
      expect(order).toEqual([...order].sort((a, b) => a - b));
    }
    expect(seen.sort((a, b) => a - b)).toEqual(keys.map((_, i) => i));
    await spool.close();
  });
});
