import { describe, expect, it } from 'vitest';
import { addDays } from '#calendar/dates';
import { addWorkingDays, isWorkingDay, workingDaysBetween } from '#calendar/working-days';

/** Day-by-day reference the arithmetic version must match. */
function slowAddWorkingDays(date: string, n: number): string {
  let d = date;
  const step = n > 0 ? 1 : -1;
  for (let left = Math.abs(n); left > 0;) {
    d = addDays(d, step);
    if (isWorkingDay(d)) left--;
  }
  return d;
}

function slowWorkingDaysBetween(from: string, to: string): number {
  let count = 0;
  if (to >= from) {
    for (let d = addDays(from, 1); d <= to; d = addDays(d, 1)) if (isWorkingDay(d)) count++;
    return count;
  }
  for (let d = to; d < from; d = addDays(d, 1)) if (isWorkingDay(d)) count++;
  return -count;
}

/** Every 13th day 2000–2030: cycles through all weekdays and lands on weekends and bank holidays too. */
const SAMPLE: string[] = [];
for (let d = '2000-01-03'; d <= '2030-12-31'; d = addDays(d, 13)) SAMPLE.push(d);

describe('isWorkingDay', () => {
  it('excludes Saturdays and Sundays', () => {
    expect(isWorkingDay('2024-06-15')).toBe(false);
    expect(isWorkingDay('2024-06-16')).toBe(false);
    expect(isWorkingDay('2024-06-14')).toBe(true);
    expect(isWorkingDay('2024-06-17')).toBe(true);
  });

  it('excludes England & Wales bank holidays', () => {
    expect(isWorkingDay('2024-03-29')).toBe(false);
    expect(isWorkingDay('2024-04-01')).toBe(false);
    expect(isWorkingDay('2024-12-25')).toBe(false);
    expect(isWorkingDay('2024-04-02')).toBe(true);
  });

  it('treats Mon 4 May 2020 as a working day and Fri 8 May 2020 (VE Day) as a bank holiday', () => {
    expect(isWorkingDay('2020-05-04')).toBe(true);
    expect(isWorkingDay('2020-05-08')).toBe(false);
  });

  it('treats the 2002, 2011 and 2012 one-off holidays as days off', () => {
    for (const d of ['2002-06-03', '2002-06-04', '2011-04-29', '2012-06-04', '2012-06-05'])
      expect(isWorkingDay(d), d).toBe(false);
    expect(isWorkingDay('2002-05-27')).toBe(true);
    expect(isWorkingDay('2012-05-28')).toBe(true);
  });
});

describe('addWorkingDays', () => {
  it('counts 20 working days across the Easter weekend', () => {
    // Wed 20 Mar 2024: Good Friday 29 Mar and Easter Monday 1 Apr are skipped.
    expect(addWorkingDays('2024-03-20', 20)).toBe('2024-04-19');
    expect(workingDaysBetween('2024-03-20', '2024-04-19')).toBe(20);
  });

  it('counts across Christmas and New Year substitute days (27–28 Dec 2021, 3 Jan 2022)', () => {
    expect(addWorkingDays('2021-12-24', 1)).toBe('2021-12-29');
    expect(addWorkingDays('2021-12-31', 1)).toBe('2022-01-04');
    expect(addWorkingDays('2022-01-04', -1)).toBe('2021-12-31');
    expect(workingDaysBetween('2021-12-24', '2022-01-04')).toBe(4);
  });

  it('never counts the start date, and skips whole weeks exactly', () => {
    expect(addWorkingDays('2023-01-04', 1)).toBe('2023-01-05');
    expect(addWorkingDays('2023-01-04', 5)).toBe('2023-01-11');
    expect(addWorkingDays('2023-01-06', 1)).toBe('2023-01-09');
    expect(addWorkingDays('2023-01-06', 10)).toBe('2023-01-20');
  });

  it('returns the date itself for n = 0, even on a weekend or bank holiday', () => {
    expect(addWorkingDays('2024-06-15', 0)).toBe('2024-06-15');
    expect(addWorkingDays('2024-12-25', 0)).toBe('2024-12-25');
  });

  it('counts from a weekend start as from the Friday before (the first working day after is the Monday)', () => {
    expect(addWorkingDays('2024-06-15', 1)).toBe('2024-06-17');
    expect(addWorkingDays('2024-06-16', 1)).toBe('2024-06-17');
    expect(addWorkingDays('2024-06-16', 5)).toBe(addWorkingDays('2024-06-14', 5));
    expect(workingDaysBetween('2024-06-15', '2024-06-17')).toBe(1);
  });

  it('counts from a bank-holiday start as from the day before (Easter Saturday + 1 is the Tuesday)', () => {
    expect(addWorkingDays('2024-03-29', 1)).toBe('2024-04-02');
    expect(addWorkingDays('2024-03-30', 1)).toBe('2024-04-02');
    expect(workingDaysBetween('2024-03-29', '2024-04-02')).toBe(1);
  });

  it('counts backwards for negative n, skipping weekends and bank holidays', () => {
    expect(addWorkingDays('2024-04-02', -1)).toBe('2024-03-28');
    expect(addWorkingDays('2024-06-17', -1)).toBe('2024-06-14');
    expect(addWorkingDays('2024-06-15', -1)).toBe('2024-06-14');
    expect(addWorkingDays('2024-06-14', -5)).toBe('2024-06-07');
  });

  it('refuses a fractional count', () => {
    expect(() => addWorkingDays('2024-06-14', 2.5)).toThrow(RangeError);
  });

  it('matches a day-by-day count for spans of up to 300 working days either way, 2000–2030', () => {
    for (const [i, d] of SAMPLE.entries()) {
      const n = [1, 3, 5, 7, 20, 64, 130, 300][i % 8]!;
      expect(addWorkingDays(d, n), `${d} + ${n}`).toBe(slowAddWorkingDays(d, n));
      expect(addWorkingDays(d, -n), `${d} - ${n}`).toBe(slowAddWorkingDays(d, -n));
    }
  });
});

describe('workingDaysBetween', () => {
  it('is 0 for the same date and counts the end date but not the start', () => {
    expect(workingDaysBetween('2024-06-14', '2024-06-14')).toBe(0);
    expect(workingDaysBetween('2024-06-13', '2024-06-14')).toBe(1);
    expect(workingDaysBetween('2024-06-14', '2024-06-16')).toBe(0);
  });

  it('is negative when to is earlier, counting from to up to but not including from', () => {
    expect(workingDaysBetween('2024-06-14', '2024-06-13')).toBe(-1);
    expect(workingDaysBetween('2024-06-17', '2024-06-14')).toBe(-1);
    expect(workingDaysBetween('2024-06-16', '2024-06-14')).toBe(-1);
    expect(workingDaysBetween('2024-04-19', '2024-03-20')).toBe(-20);
  });

  it('counts 254 working days in 2024 (262 weekdays − 8) and 250 in 2022 (260 − 10)', () => {
    expect(workingDaysBetween('2023-12-31', '2024-12-31')).toBe(254);
    expect(workingDaysBetween('2021-12-31', '2022-12-31')).toBe(250);
  });

  it('matches a day-by-day count across many months, 2000–2030', () => {
    for (const [i, d] of SAMPLE.entries()) {
      const other = SAMPLE[Math.min(i + (i % 37), SAMPLE.length - 1)]!; // up to 16 months ahead
      expect(workingDaysBetween(d, other), `${d} → ${other}`).toBe(slowWorkingDaysBetween(d, other));
      expect(workingDaysBetween(other, d), `${other} → ${d}`).toBe(slowWorkingDaysBetween(other, d));
    }
    for (const [i, d] of SAMPLE.entries()) {
      const to = addDays(d, (i % 41) * 11 - 200);
      expect(workingDaysBetween(d, to), `${d} → ${to}`).toBe(slowWorkingDaysBetween(d, to));
    }
  });

  it('is the inverse of addWorkingDays for every sampled start date (weekends and bank holidays included)', () => {
    for (const [i, d] of SAMPLE.entries()) {
      for (const n of [-250, -61, -20, -5, -1, 0, 1, 5, 20, 61, 250, (i % 97) - 48]) {
        const end = addWorkingDays(d, n);
        expect(workingDaysBetween(d, end), `${d} ${n}`).toBe(n);
        // Working-day end dates map straight back; from a non-working start the count is the only round trip.
        if (isWorkingDay(end)) expect(addWorkingDays(d, workingDaysBetween(d, end))).toBe(end);
      }
    }
  });

  it('maps any working day back to itself through the count from a fixed start', () => {
    for (let d = '2019-12-01'; d <= '2021-01-31'; d = addDays(d, 1)) {
      if (!isWorkingDay(d)) continue;
      expect(addWorkingDays('2020-06-13', workingDaysBetween('2020-06-13', d)), d).toBe(d);
    }
  });
});
