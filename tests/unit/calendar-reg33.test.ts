import { describe, expect, it } from 'vitest';
import { addInterval, reviewDueDate, reviewSchedule } from '#calendar/reg33';
import { REGULATIONS_2010, SOUTHWARK_2008 } from '#domain/timescales';

const REGS = REGULATIONS_2010;

describe('addInterval', () => {
  it('adds working days, calendar days or clamped calendar months by the interval’s unit', () => {
    expect(addInterval('2024-03-20', { unit: 'workingDays', count: 20 })).toBe('2024-04-19');
    expect(addInterval('2024-03-20', { unit: 'days', count: 28 })).toBe('2024-04-17');
    expect(addInterval('2024-01-31', { unit: 'months', count: 1 })).toBe('2024-02-29');
  });
});

describe('reviewDueDate', () => {
  it('uses the first-review interval for sequence 1, the second for 2 and the later one from 3 on', () => {
    expect(reviewDueDate(1, '2024-03-20', REGS)).toBe('2024-04-19');
    expect(reviewDueDate(2, '2024-03-20', REGS)).toBe('2024-06-20');
    expect(reviewDueDate(3, '2024-03-20', REGS)).toBe('2024-09-20');
    expect(reviewDueDate(7, '2024-03-20', REGS)).toBe('2024-09-20');
  });

  it('refuses a sequence that is not a whole number from 1', () => {
    expect(() => reviewDueDate(0, '2024-03-20', REGS)).toThrow(RangeError);
    expect(() => reviewDueDate(1.5, '2024-03-20', REGS)).toThrow(RangeError);
  });
});

describe('reviewSchedule under the 2010 Regulations (reg 33)', () => {
  it('makes the first review due 20 working days after becoming looked after, skipping the Easter bank holidays', () => {
    const [first] = reviewSchedule('2024-03-19', ['2024-04-18'], REGS);
    expect(first).toEqual({
      sequence: 1,
      reviewDate: '2024-04-18',
      dueDate: '2024-04-18',
      inTime: true,
      daysLate: 0,
      rule: '1st review due within 20 working days of becoming looked after (19/03/2024): by 18/04/2024',
    });
  });

  it('counts a review exactly on the due date as in time and one a day later as 1 day late', () => {
    expect(reviewSchedule('2024-03-19', ['2024-04-18'], REGS)[0]).toMatchObject({ inTime: true, daysLate: 0 });
    expect(reviewSchedule('2024-03-19', ['2024-04-19'], REGS)[0]).toMatchObject({
      dueDate: '2024-04-18',
      inTime: false,
      daysLate: 1,
    });
  });

  it('makes the second review due 3 calendar months after the actual first review, and later reviews 6 months apart', () => {
    const s = reviewSchedule('2023-12-15', ['2024-01-12', '2024-04-12', '2024-10-14', '2025-04-14'], REGS);
    expect(s.map((r) => [r.sequence, r.dueDate, r.inTime, r.daysLate])).toEqual([
      [1, '2024-01-17', true, 0],
      [2, '2024-04-12', true, 0],
      [3, '2024-10-12', false, 2],
      [4, '2025-04-14', true, 0], // runs from the late 3rd review's actual date, not its due date
    ]);
    expect(s[1]!.rule).toBe('2nd review due within 3 calendar months of the 1st review (12/01/2024): by 12/04/2024');
    expect(s[2]!.rule).toBe('3rd review due within 6 calendar months of the 2nd review (12/04/2024): by 12/10/2024');
  });

  it('moves the second review’s due date when the first review is late', () => {
    const s = reviewSchedule('2024-01-02', ['2024-02-09', '2024-05-09'], REGS);
    expect(s[0]).toMatchObject({ dueDate: '2024-01-30', inTime: false, daysLate: 10 });
    expect(s[1]).toMatchObject({ dueDate: '2024-05-09', inTime: true, daysLate: 0 });
  });

  it('clamps to month end in the schedule: a first review on 31 August makes the second due 30 November', () => {
    const s = reviewSchedule('2023-08-03', ['2023-08-31', '2023-11-30', '2024-05-30'], REGS);
    expect(s.map((r) => r.dueDate)).toEqual(['2023-09-01', '2023-11-30', '2024-05-30']);
    expect(s.every((r) => r.inTime)).toBe(true);
  });

  it('clamps a 6-month interval from 31 August to 29 February in a leap year', () => {
    // First review window includes the Coronation (8 May) and Spring (29 May) bank holidays of 2023.
    const s = reviewSchedule('2023-05-02', ['2023-05-31', '2023-08-31', '2024-02-29', '2024-03-01'], REGS);
    expect(s.map((r) => [r.dueDate, r.inTime])).toEqual([
      ['2023-06-01', true],
      ['2023-08-31', true],
      ['2024-02-29', true],
      ['2024-08-29', true],
    ]);
  });

  it('accepts reviews in any order and returns them in date order', () => {
    const s = reviewSchedule('2024-01-02', ['2024-05-09', '2024-02-09'], REGS);
    expect(s.map((r) => [r.sequence, r.reviewDate])).toEqual([
      [1, '2024-02-09'],
      [2, '2024-05-09'],
    ]);
  });

  it('returns an empty schedule when there are no reviews', () => {
    expect(reviewSchedule('2024-01-02', [], REGS)).toEqual([]);
  });

  it('restarts the schedule for a child who leaves care and comes back (one call per period of care)', () => {
    const first = reviewSchedule('2023-01-10', ['2023-02-03', '2023-05-01'], REGS);
    const second = reviewSchedule('2024-06-03', ['2024-07-01', '2024-09-30'], REGS);
    expect(first.map((r) => [r.sequence, r.dueDate, r.inTime])).toEqual([
      [1, '2023-02-07', true],
      [2, '2023-05-03', true],
    ]);
    // The second period's first review is again 20 working days from its own start, not 6 months from May 2023.
    expect(second.map((r) => [r.sequence, r.dueDate, r.inTime])).toEqual([
      [1, '2024-07-01', true],
      [2, '2024-10-01', true],
    ]);
    expect(second[0]!.rule).toBe(
      '1st review due within 20 working days of becoming looked after (03/06/2024): by 01/07/2024',
    );
  });

  it('refuses a review before the period of care starts (it belongs to another period)', () => {
    expect(() => reviewSchedule('2024-06-03', ['2023-05-01', '2024-07-01'], REGS)).toThrow(RangeError);
  });

  it('refuses dates that are not real YYYY-MM-DD dates', () => {
    expect(() => reviewSchedule('2024-02-30', [], REGS)).toThrow(RangeError);
    expect(() => reviewSchedule('2024-01-02', ['2024-2-9'], REGS)).toThrow(RangeError);
  });

  it('names reviews with English ordinals (1st, 2nd, 3rd, 4th, 11th, 12th, 13th, 21st, 22nd)', () => {
    const dates: string[] = [];
    let previous = '2010-01-04';
    for (let sequence = 1; sequence <= 22; sequence++) {
      previous = reviewDueDate(sequence, previous, REGS);
      dates.push(previous);
    }
    const s = reviewSchedule('2010-01-04', dates, REGS);
    const ordinals = s.map((r) => r.rule.split(' ')[0]);
    for (const n of [1, 2, 3, 4, 11, 12, 13, 21, 22]) {
      expect(ordinals[n - 1]).toBe(
        `${n}${n === 1 || n === 21 ? 'st' : n === 2 || n === 22 ? 'nd' : n === 3 ? 'rd' : 'th'}`,
      );
    }
    expect(s.every((r) => r.inTime)).toBe(true);
    expect(s[21]!.rule).toMatch(/^22nd review due within 6 calendar months of the 21st review /);
  });
});

describe('reviewSchedule under Southwark 2008 practice', () => {
  it('makes the first review due 28 calendar days after becoming looked after, bank holidays or not', () => {
    const s = reviewSchedule('2024-03-20', ['2024-04-17', '2024-07-17'], SOUTHWARK_2008);
    expect(s[0]).toMatchObject({
      dueDate: '2024-04-17',
      inTime: true,
      rule: '1st review due within 28 calendar days of becoming looked after (20/03/2024): by 17/04/2024',
    });
    expect(s[1]).toMatchObject({ dueDate: '2024-07-17', inTime: true });
  });

  it('marks a first review on day 29 as 1 day late', () => {
    expect(reviewSchedule('2024-03-20', ['2024-04-18'], SOUTHWARK_2008)[0]).toMatchObject({
      inTime: false,
      daysLate: 1,
    });
  });
});
