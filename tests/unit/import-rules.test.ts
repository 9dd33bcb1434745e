/** The pure parts of the import: Annex A header matching and partly known dates. */
import { describe, expect, it } from 'vitest';
import { ANNEX_A_COLUMNS, isList8Sheet, matchAnnexHeader, normaliseHeader } from '#loader/annex-a';
import { partialDateCell } from '#loader/cells';

describe('Annex A headers', () => {
  it('matches every known wording of each column whatever its case, punctuation, spacing or bracketed note', () => {
    for (const column of ANNEX_A_COLUMNS) {
      for (const text of [column.header, ...column.variants]) {
        expect(matchAnnexHeader(text)?.field, text).toBe(column.field);
        expect(matchAnnexHeader(`  ${text.toUpperCase().replace(/ /g, '  ')} `)?.field, text).toBe(column.field);
      }
    }
    expect(matchAnnexHeader('Child’s Legal Status')?.field).toBe('legalStatus');
    expect(matchAnnexHeader('What is the permanence plan for this child? (a-g)')?.field).toBe('permanencePlan');
    expect(matchAnnexHeader('Date of Last IRO Visit/Contact to the Child')?.field).toBe('lastIroContact');
  });
  it('gives every wording to one column only, and matches nothing it does not know', () => {
    const seen = new Map<string, string>();
    for (const column of ANNEX_A_COLUMNS) {
      for (const text of [column.header, ...column.variants]) {
        const key = normaliseHeader(text);
        expect(seen.get(key) ?? column.field, text).toBe(column.field);
        seen.set(key, column.field);
      }
    }
    for (const other of [
      'Age of Child (Years)',
      'Placement Type',
      'Date of Last Social Work Visit',
      'Number of Placement Moves',
      'Child',
    ]) {
      expect(matchAnnexHeader(other), other).toBeUndefined();
    }
  });
  it('finds List 8 by its sheet name', () => {
    for (const name of ['List 8', 'list_8', 'LIST8', 'List 8 - Children in Care', 'Children in care'])
      expect(isList8Sheet(name), name).toBe(true);
    for (const name of ['List 1', 'List 80', 'List 9', 'Care leavers']) expect(isList8Sheet(name), name).toBe(false);
  });
});

describe('partly known dates (SSDA903 DATE_PERM)', () => {
  it('keeps as much of the date as is known', () => {
    expect(partialDateCell.parse('07/05/2016')).toBe('2016-05-07');
    expect(partialDateCell.parse('zz/05/2016')).toBe('2016-05');
    expect(partialDateCell.parse('ZZ/zz/2016')).toBe('2016');
    expect(partialDateCell.parse('2016-05-07')).toBe('2016-05-07');
    expect(partialDateCell.parse(' ')).toBeNull();
  });
  it('refuses what is not a date, known or partly known', () => {
    for (const bad of ['31/02/2016', 'zz/13/2016', '07/zz/2016', 'May 2016'])
      expect(partialDateCell.safeParse(bad).success, bad).toBe(false);
  });
});
