/**
 * No return, however broken, makes a rule fail to run: every rule of every year over children of
 * random rows — real and impossible dates, codes of any year, blanks, junk — runs to the end.
 * (A rule that threw would stop the child's judging and fail the import.)
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RULE_YEARS } from '#domain/collection-year';
import { judgeChild, rulesFor } from '#ssda903/judge';
import { childReturn, returnContext, SSDA903_TABLES, type ReturnRow, type Ssda903Table } from '#ssda903/return';

const COLUMNS: Record<Ssda903Table, readonly string[]> = {
  Header: ['SEX', 'DOB', 'ETHNIC', 'UPN', 'MOTHER', 'MC_DOB', 'UASC'],
  Episodes: [
    'DECOM',
    'RNE',
    'LS',
    'CIN',
    'PLACE',
    'PLACE_PROVIDER',
    'DEC',
    'REC',
    'REASON_PLACE_CHANGE',
    'HOME_POST',
    'PL_POST',
    'URN',
  ],
  Reviews: ['DOB', 'REVIEW', 'REVIEW_CODE'],
  UASC: ['SEX', 'DOB', 'DUC'],
  OC2: [
    'DOB',
    'SDQ_SCORE',
    'SDQ_REASON',
    'CONVICTED',
    'HEALTH_CHECK',
    'IMMUNISATIONS',
    'TEETH_CHECK',
    'HEALTH_ASSESSMENT',
    'SUBSTANCE_MISUSE',
    'INTERVENTION_RECEIVED',
    'INTERVENTION_OFFERED',
  ],
  OC3: ['DOB', 'IN_TOUCH', 'ACTIV', 'ACCOM'],
  AD1: ['DOB', 'DATE_INT', 'DATE_MATCH', 'FOSTER_CARE', 'NB_ADOPTR', 'SEX_ADOPTR', 'LS_ADOPTR'],
  PlacedAdoption: ['DOB', 'DATE_PLACED', 'DATE_PLACED_CEASED', 'REASON_PLACED_CEASED'],
  PrevPerm: ['DOB', 'PREV_PERM', 'LA_PERM', 'DATE_PERM'],
  Missing: ['DOB', 'MISSING', 'MIS_START', 'MIS_END'],
  SWEpisodes: ['DOB', 'SW_ID', 'SW_DECOM', 'SW_DEC', 'SW_REASON'],
  DoLo: ['DOB', 'DOLO_START', 'DOLO_END'],
};

const pad = (n: number) => String(n).padStart(2, '0');
/** A cell: a date near the year (real or impossible), a code of some year, a number, blank or junk. */
const cell = fc.oneof(
  fc
    .record({
      d: fc.integer({ min: 1, max: 31 }),
      m: fc.integer({ min: 1, max: 13 }),
      y: fc.integer({ min: 1990, max: 2028 }),
    })
    .map(({ d, m, y }) => `${pad(d)}/${pad(m)}/${y}`),
  fc.constantFrom(
    '',
    '',
    '0',
    '1',
    '2',
    'M',
    'F',
    'U',
    'S',
    'P',
    'L',
    'T',
    'X1',
    'E11',
    'E2',
    'E17',
    'C1',
    'C2',
    'V3',
    'J1',
    'L1',
    'U1',
    'U4',
    'T1',
    'H5',
    'K3',
    'Z1',
    'Z11',
    'A5',
    'P1',
    'PR0',
    'PR4',
    'PN0',
    'PN3',
    'SDQ1',
    'YES',
    'DIED',
    'F1',
    'B1',
    'MF',
    'L11',
    'RD1',
    'P1',
    'ZZ/05/2016',
    'UN1',
    'A123456789012',
    'SW1',
    'MANAGE',
    'CARPL',
    'SE1 7PB',
  ),
  fc.integer({ min: -5, max: 60 }).map(String),
  fc.string({ maxLength: 8 }),
);

const rowOf = (table: Ssda903Table) =>
  fc.tuple(...COLUMNS[table].map(() => cell)).map((values): ReturnRow => ({
    table,
    cells: { CHILD: 'F1', ...Object.fromEntries(COLUMNS[table].map((c, i) => [c, values[i]!])) },
    at: { file: table, line: 2, element: null },
  }));
const tables = fc.record(
  Object.fromEntries(
    SSDA903_TABLES.map((t) => [t, fc.array(rowOf(t), { maxLength: t === 'Header' ? 2 : 4 })]),
  ) as Record<Ssda903Table, fc.Arbitrary<ReturnRow[]>>,
);
const child = fc.record({ now: tables, last: fc.option(tables, { nil: null }) });

describe('every rule over broken returns', () => {
  for (const year of RULE_YEARS) {
    it(`${year}: every one of its ${rulesFor(year).length} rules runs to the end on any child`, () => {
      fc.assert(
        fc.property(child, ({ now, last }) => {
          const findings = judgeChild(childReturn('F1', now, last), returnContext(year, SSDA903_TABLES, 'xml'));
          for (const finding of findings) expect(finding.message.startsWith(`${finding.code} – `)).toBe(true);
        }),
        { numRuns: 150, seed: 903 },
      );
    });
  }
});
