/** The pure parts of the import: cross-row rules, Annex A header matching, partial dates, natural ordering of formats. */
import { describe, expect, it } from 'vitest';
import { ANNEX_A_COLUMNS, isList8Sheet, matchAnnexHeader, normaliseHeader } from '#loader/annex-a';
import { partialDateCell } from '#loader/cells';
import { participationAgeProblem, periodOfCareProblem, reviewProblems, type EpisodeSpan, type ReviewAssertion } from '#loader/cross-row';
import { IMPORT_FORMATS, formatNamed } from '#loader/formats';

const review = (reviewDate: string, participationCode: string | null, dateOfBirth: string | null = null): ReviewAssertion => ({
  childId: 'C1', reviewDate, participationCode, dateOfBirth, columns: { date: 'REVIEW', code: 'REVIEW_CODE' },
});
const episode = (startDate: string, endDate: string | null, over: Partial<EpisodeSpan> = {}): EpisodeSpan => ({
  childId: 'C1', startDate, endDate, reasonNewEpisode: 'S', reasonEpisodeCeased: endDate ? 'E11' : null, legalStatus: 'C2', ...over,
});

describe('PN0 and the child’s age', () => {
  it('accepts PN0 the day before the 4th birthday and any other code on it', () => {
    expect(participationAgeProblem(review('2024-03-13', 'PN0'), '2020-03-14')).toBeNull();
    expect(participationAgeProblem(review('2024-03-14', 'PN1'), '2020-03-14')).toBeNull();
  });
  it('refuses PN0 on the 4th birthday, and another code the day before it', () => {
    expect(participationAgeProblem(review('2024-03-14', 'PN0'), '2020-03-14')?.message).toBe('REVIEW_CODE PN0 is for a child under 4 at the review, but this child was 4 on 14/03/2024');
    expect(participationAgeProblem(review('2024-03-13', 'PN6'), '2020-03-14')).toEqual({
      column: 'REVIEW_CODE', message: 'REVIEW_CODE PN6 is for a child aged 4 or over: this child was 3 on 13/03/2024, so the code is PN0',
    });
  });
  it('refuses a review before the child was born, and cannot judge without a date of birth or a code', () => {
    expect(participationAgeProblem(review('2019-01-01', 'PN0'), '2020-03-14')?.column).toBe('REVIEW');
    expect(participationAgeProblem(review('2024-03-13', 'PN1'), null)).toBeNull();
    expect(participationAgeProblem(review('2024-03-13', null), '2020-03-14')).toBeNull();
  });
  it('prefers the date of birth the row carries over the one known from elsewhere', () => {
    expect(reviewProblems(review('2024-03-13', 'PN1', '2010-01-01'), { dateOfBirth: '2020-03-14', episodes: [episode('2024-01-01', null)] })).toEqual([]);
  });
});

describe('a review inside a period of care', () => {
  it('counts the first and last days of a period, and an open period as going on', () => {
    const episodes = [episode('2024-01-10', '2024-05-01', { reasonEpisodeCeased: 'X1' }), episode('2024-05-01', '2024-06-30')];
    for (const date of ['2024-01-10', '2024-05-01', '2024-06-30']) expect(periodOfCareProblem(review(date, 'PN1'), episodes), date).toBeNull();
    expect(periodOfCareProblem(review('2030-01-01', 'PN1'), [episode('2024-01-10', null)])).toBeNull();
  });
  it('refuses a review between two periods of care, naming both', () => {
    const episodes = [episode('2022-01-10', '2022-05-01'), episode('2023-01-10', null)];
    expect(periodOfCareProblem(review('2022-08-01', 'PN1'), episodes)?.message).toBe(
      'REVIEW 01/08/2022 falls in no period of care of CHILD C1 (10/01/2022–01/05/2022, 10/01/2023–still looked after)',
    );
  });
  it('refuses a review of a child with no episodes, saying what to import', () => {
    expect(periodOfCareProblem(review('2022-08-01', 'PN1'), [])?.message).toMatch(/no episodes are known for CHILD C1 \(import episodes with the reviews, or before them\)/);
  });
});

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
    for (const other of ['Age of Child (Years)', 'Placement Type', 'Date of Last Social Work Visit', 'Number of Placement Moves', 'Child']) {
      expect(matchAnnexHeader(other), other).toBeUndefined();
    }
  });
  it('finds List 8 by its sheet name', () => {
    for (const name of ['List 8', 'list_8', 'LIST8', 'List 8 - Children in Care', 'Children in care']) expect(isList8Sheet(name), name).toBe(true);
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
    for (const bad of ['31/02/2016', 'zz/13/2016', '07/zz/2016', 'May 2016']) expect(partialDateCell.safeParse(bad).success, bad).toBe(false);
  });
});

describe('the order of an import', () => {
  it('loads what rows refer to first: professionals, children, episodes, then reviews and the rest', () => {
    const order = (name: string) => formatNamed(name).order;
    expect(order('professionals')).toBeLessThan(order('header'));
    expect(order('header')).toBeLessThan(order('episodes'));
    expect(order('episodes')).toBeLessThan(order('reviews'));
    expect(order('episodes')).toBeLessThan(order('review_details'));
    for (const format of IMPORT_FORMATS) expect(format.order, format.name).toBeGreaterThan(0);
  });
});
