/**
 * Rule 444 (duplicate UPN) compares children, which a rule of one child cannot: the loader runs
 * `duplicateUpnRows` over every Header row of the import and reports the rows it returns under 444.
 */
import { describe, expect, it } from 'vitest';
import { duplicateUpnRows } from '#ssda903/rules/header';
import type { ReturnRow } from '#ssda903/return';

const header = (child: string, upn: string, line = 0): ReturnRow => ({
  table: 'Header',
  cells: { CHILD: child, UPN: upn },
  at: { file: 'header.csv', line, element: null },
});

describe('duplicateUpnRows (rule 444)', () => {
  it('returns every row whose UPN another child also has, in file order', () => {
    const rows = [
      header('C1', 'A123456789012'),
      header('C2', 'B123456789012'),
      header('C3', 'A123456789012'),
      header('C4', 'B123456789013'),
    ];
    expect(duplicateUpnRows(rows)).toEqual([rows[0], rows[2]]);
  });

  it('finds each shared UPN, however many children share it', () => {
    const rows = [
      header('C1', 'A123456789012'),
      header('C2', 'A123456789012'),
      header('C3', 'A123456789012'),
      header('C4', 'D123456789012'),
      header('C5', 'D123456789012'),
    ];
    expect(duplicateUpnRows(rows)).toEqual(rows);
  });

  it('never counts a blank UPN or the "UPN unknown" codes UN1 to UN5', () => {
    const rows = ['UN1', 'UN2', 'UN3', 'UN4', 'UN5'].flatMap((code, n) => [
      header(`A${n}`, code),
      header(`B${n}`, code.toLowerCase()),
    ]);
    expect(duplicateUpnRows([...rows, header('C1', ''), header('C2', '')])).toEqual([]);
  });

  it('compares UPNs in upper case, as the DfE does', () => {
    const rows = [header('C1', 'a123456789012'), header('C2', 'A123456789012')];
    expect(duplicateUpnRows(rows)).toEqual(rows);
  });

  it("leaves a child's own repeated Header row to INT32", () => {
    const rows = [header('C1', 'A123456789012', 2), header('c1', 'A123456789012', 3), header('C2', 'B123456789012')];
    expect(duplicateUpnRows(rows)).toEqual([]);
  });

  it('flags a repeated row of a child when another child shares its UPN too', () => {
    const rows = [header('C1', 'A123456789012', 2), header('C1', 'A123456789012', 3), header('C2', 'A123456789012')];
    expect(duplicateUpnRows(rows)).toEqual(rows);
  });

  it('reads any iterable, such as a generator over a large file', () => {
    function* rows() {
      yield header('C1', 'E123456789012');
      yield header('C2', 'E123456789012');
    }
    expect(duplicateUpnRows(rows())).toHaveLength(2);
  });
});
