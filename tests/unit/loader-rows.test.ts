import { describe, expect, it } from 'vitest';
import { dateCell, flagCell, codeListCell } from '#loader/cells';
import {
  IMPORT_FORMATS,
  recogniseFormat,
  unrecognisedHeaderMessage,
  describeNaturalKey,
  type ImportFormat,
} from '#loader/formats';
import { validateRow } from '#loader/validate-row';

const formatNamed = (name: string) => IMPORT_FORMATS.find((f) => f.name === name) as ImportFormat;
const where = { file: 'reviews.csv', line: 7 };

describe('cells', () => {
  it('reads dd/mm/YYYY and ISO dates, and blank as unknown', () => {
    expect(dateCell.parse('05/04/2024')).toBe('2024-04-05');
    expect(dateCell.parse('5/4/2024')).toBe('2024-04-05');
    expect(dateCell.parse('2024-04-05')).toBe('2024-04-05');
    expect(dateCell.parse('  ')).toBeNull();
  });
  it('refuses a date that does not exist', () => {
    expect(dateCell.safeParse('31/04/2024').success).toBe(false);
    expect(dateCell.safeParse('29/02/2023').success).toBe(false);
  });
  it('reads Y/N and 1/0 flags and never takes blank for no', () => {
    expect(flagCell.parse('y')).toBe(true);
    expect(flagCell.parse('0')).toBe(false);
    expect(flagCell.parse('')).toBeNull();
    expect(flagCell.safeParse('maybe').success).toBe(false);
  });
  it('splits parallel permanence plans on ";"', () => {
    expect(codeListCell.parse('ADOPTION; ltfost18')).toEqual(['ADOPTION', 'LTFOST18']);
    expect(codeListCell.parse('B')).toEqual(['b']);
    expect(codeListCell.parse('')).toEqual([]);
  });
});

describe('recognising a file by its columns', () => {
  it('recognises every format by its exact column set in any order and case, BOM tolerated', () => {
    for (const format of IMPORT_FORMATS) {
      const shuffled = [...format.columns].reverse().map((c, i) => (i === 0 ? `\uFEFF${c.toLowerCase()}` : c));
      expect(recogniseFormat(shuffled)?.name).toBe(format.name);
    }
  });
  it('recognises review_details with or without its optional SERIES_ID and LATE_REASON, and reads a missing one as not recorded', () => {
    const details = formatNamed('review_details');
    const required = [
      'CHILD',
      'REVIEW',
      'IRO_ID',
      'PERMANENCE_PLAN',
      'CARE_PLAN_UP_TO_DATE',
      'CHILD_SEEN_BEFORE_REVIEW',
      'DECISIONS_ISSUED',
      'RECORD_ISSUED',
      'STOOD_DOWN',
    ];
    expect(details.requiredColumns).toEqual(required);
    for (const header of [required, [...required, 'LATE_REASON'], [...required, 'SERIES_ID', 'LATE_REASON']])
      expect(recogniseFormat(header)?.name).toBe('review_details');
    expect(recogniseFormat(required.slice(1))).toBeUndefined();
    const cells = {
      CHILD: 'C1',
      REVIEW: '05/10/2023',
      IRO_ID: 'IRO1',
      PERMANENCE_PLAN: '',
      CARE_PLAN_UP_TO_DATE: 'Y',
      CHILD_SEEN_BEFORE_REVIEW: 'Y',
      DECISIONS_ISSUED: '',
      RECORD_ISSUED: '',
      STOOD_DOWN: 'N',
    };
    const without = validateRow(details, cells, { file: 'review_details.csv', line: 2 });
    expect(without.ok && without.record.record).toMatchObject({ seriesId: null, lateReason: null });
    const withBoth = validateRow(
      details,
      { ...cells, SERIES_ID: ' S-17 ', LATE_REASON: 'Care plan not ready' },
      { file: 'review_details.csv', line: 2 },
    );
    expect(withBoth.ok && withBoth.record.record).toMatchObject({
      seriesId: 'S-17',
      lateReason: 'Care plan not ready',
    });
    const tooLong = validateRow(
      details,
      { ...cells, LATE_REASON: 'x'.repeat(121) },
      { file: 'review_details.csv', line: 2 },
    );
    expect(tooLong.ok ? [] : tooLong.errors.map((e) => e.column)).toEqual(['LATE_REASON']);
    expect(unrecognisedHeaderMessage(required.slice(1))).toContain(
      'review_details.csv (CHILD, REVIEW, IRO_ID, PERMANENCE_PLAN, CARE_PLAN_UP_TO_DATE, CHILD_SEEN_BEFORE_REVIEW, DECISIONS_ISSUED, RECORD_ISSUED, STOOD_DOWN; optionally SERIES_ID, LATE_REASON): missing CHILD',
    );
  });
  it('refuses a column set with one column missing or extra, naming the sets it could have been', () => {
    expect(recogniseFormat(['CHILD', 'DOB', 'REVIEW'])).toBeUndefined();
    expect(recogniseFormat(['CHILD', 'DOB', 'REVIEW', 'REVIEW_CODE', 'EXTRA'])).toBeUndefined();
    const message = unrecognisedHeaderMessage(['CHILD', 'DOB', 'REVIEW']);
    expect(message).toContain('closest: reviews.csv (CHILD, DOB, REVIEW, REVIEW_CODE): missing REVIEW_CODE');
    expect(message).toContain('Known files: header.csv, episodes.csv, reviews.csv, oc2.csv');
    expect(unrecognisedHeaderMessage(['CHILD', 'DOB', 'REVIEW', 'NOTES'])).toContain(
      'reviews.csv (CHILD, DOB, REVIEW, REVIEW_CODE): missing REVIEW_CODE; unexpected NOTES',
    );
    expect(unrecognisedHeaderMessage(['NAME', 'NOTE'])).toBe(
      'the columns NAME, NOTE match no known file. Known files: header.csv, episodes.csv, reviews.csv, oc2.csv, professionals.csv, involvements.csv, families.csv, review_details.csv, health.csv, ' +
        'uasc.csv, oc3.csv, ad1.csv, placed_for_adoption.csv, previous_permanence.csv, missing.csv, dolo.csv, sw_episodes.csv',
    );
  });
  it('names a header of a million columns by its first twenty and a count, in a message that stays short', () => {
    const header = ['CHILD', 'DOB', 'REVIEW', ...Array.from({ length: 999_997 }, (_, i) => `COL${i + 1}`)];
    const message = unrecognisedHeaderMessage(header);
    expect(message.length).toBeLessThan(1_500);
    expect(message).toMatch(
      /^the columns CHILD, DOB, REVIEW, COL1, .*, COL17 and 999,980 more match no known file; closest: reviews\.csv/,
    );
    expect(message).toContain('missing REVIEW_CODE; unexpected COL1, ');
    expect(message).toContain('COL20 and 999,977 more');
    expect(message).toMatch(/Known files: header\.csv, .*sw_episodes\.csv$/);
  });
  it('describes natural keys in the file’s own column names', () => {
    expect(describeNaturalKey(formatNamed('reviews'))).toBe('CHILD and REVIEW');
    expect(describeNaturalKey(formatNamed('involvements'))).toBe('CHILD, ROLE, WORKER_ID and START');
  });
});

describe('validating a row', () => {
  it('turns a good SSDA903 review row into a review participation record', () => {
    const result = validateRow(
      formatNamed('reviews'),
      { CHILD: 'D000001', DOB: '01/02/2015', REVIEW: '03/04/2024', REVIEW_CODE: 'pn1' },
      where,
    );
    expect(result).toEqual({
      ok: true,
      record: {
        kind: 'reviewParticipation',
        record: { childId: 'D000001', reviewDate: '2024-04-03', participationCode: 'PN1' },
      },
    });
  });
  it('names the column and the reason for a bad date and an unknown code', () => {
    const result = validateRow(
      formatNamed('reviews'),
      { CHILD: 'D1', DOB: '01/02/2015', REVIEW: '31/02/2024', REVIEW_CODE: 'PN9' },
      where,
    );
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors).toHaveLength(1);
    expect(result.errors[0]).toMatchObject({ file: 'reviews.csv', line: 7, column: 'REVIEW' });
    expect(result.errors[0]?.message).toContain('"31/02/2024" is not a date');
    const codeResult = validateRow(
      formatNamed('reviews'),
      { CHILD: 'D1', DOB: '01/02/2015', REVIEW: '01/02/2024', REVIEW_CODE: 'PN9' },
      where,
    );
    expect(codeResult.ok).toBe(false);
    if (!codeResult.ok)
      expect(codeResult.errors[0]).toMatchObject({
        column: 'REVIEW_CODE',
        message: 'REVIEW_CODE "PN9" is not one of the codes allowed: PN0, PN1, PN2, PN3, PN4, PN5, PN6, PN7',
      });
  });
  it('says a required cell is required', () => {
    const result = validateRow(formatNamed('reviews'), { CHILD: 'D1', DOB: '', REVIEW: '', REVIEW_CODE: 'PN1' }, where);
    expect(result.ok).toBe(false);
    if (!result.ok)
      expect(result.errors).toEqual([
        { file: 'reviews.csv', line: 7, column: 'REVIEW', message: 'REVIEW is required' },
      ]);
  });
  it('points a cross-field rule at the column that breaks it', () => {
    const cells = {
      CHILD: 'D1',
      DECOM: '10/01/2024',
      RNE: 'S',
      LS: 'C2',
      CIN: 'N1',
      PLACE: 'U1',
      PLACE_PROVIDER: 'PR1',
      DEC: '01/01/2024',
      REC: 'E11',
      REASON_PLACE_CHANGE: '',
      HOME_POST: '',
      PL_POST: '',
      URN: '',
    };
    const result = validateRow(formatNamed('episodes'), cells, { file: 'episodes.csv', line: 2 });
    expect(result.ok).toBe(false);
    if (!result.ok)
      expect(result.errors[0]).toMatchObject({
        column: 'DEC',
        message: 'DEC: the episode must not end before it starts',
      });
  });
  it('gives OC2 rows, which carry no year, the year the return ends', () => {
    const cells = {
      CHILD: 'D1',
      DOB: '01/02/2015',
      SDQ_SCORE: '12',
      SDQ_REASON: '',
      CONVICTED: '0',
      HEALTH_CHECK: '1',
      IMMUNISATIONS: '1',
      TEETH_CHECK: '1',
      HEALTH_ASSESSMENT: '1',
      SUBSTANCE_MISUSE: '0',
      INTERVENTION_RECEIVED: '0',
      INTERVENTION_OFFERED: '0',
    };
    const withoutYear = validateRow(formatNamed('oc2'), cells, { file: 'oc2.csv', line: 2 }, {});
    expect(withoutYear.ok).toBe(false);
    const withYear = validateRow(formatNamed('oc2'), cells, { file: 'oc2.csv', line: 2 }, { yearEnding: '2024-03-31' });
    expect(withYear.ok && withYear.record.record).toMatchObject({
      childId: 'D1',
      yearEnding: '2024-03-31',
      sdqScore: 12,
      teethCheck: true,
    });
  });
});
