import { describe, expect, it } from 'vitest';
import { BANK_HOLIDAY_COVERAGE, bankHolidays, isBankHoliday } from '#calendar/bank-holidays';
import { addDays, dayOfWeek } from '#calendar/dates';

/**
 * England & Wales bank holidays as days off (weekday dates only), written out independently of date-holidays from the
 * published lists: New Year, Good Friday, Easter Monday, Early May, Spring, Summer, Christmas, Boxing Day, with
 * substitute weekdays and the one-off proclamations of 2002, 2011, 2012, 2020, 2022 and 2023.
 */
const EXPECTED: Record<number, string[]> = {
  2000: ['01-03', '04-21', '04-24', '05-01', '05-29', '08-28', '12-25', '12-26'],
  2001: ['01-01', '04-13', '04-16', '05-07', '05-28', '08-27', '12-25', '12-26'],
  2002: ['01-01', '03-29', '04-01', '05-06', '06-03', '06-04', '08-26', '12-25', '12-26'],
  2003: ['01-01', '04-18', '04-21', '05-05', '05-26', '08-25', '12-25', '12-26'],
  2004: ['01-01', '04-09', '04-12', '05-03', '05-31', '08-30', '12-27', '12-28'],
  2005: ['01-03', '03-25', '03-28', '05-02', '05-30', '08-29', '12-26', '12-27'],
  2006: ['01-02', '04-14', '04-17', '05-01', '05-29', '08-28', '12-25', '12-26'],
  2007: ['01-01', '04-06', '04-09', '05-07', '05-28', '08-27', '12-25', '12-26'],
  2008: ['01-01', '03-21', '03-24', '05-05', '05-26', '08-25', '12-25', '12-26'],
  2009: ['01-01', '04-10', '04-13', '05-04', '05-25', '08-31', '12-25', '12-28'],
  2010: ['01-01', '04-02', '04-05', '05-03', '05-31', '08-30', '12-27', '12-28'],
  2011: ['01-03', '04-22', '04-25', '04-29', '05-02', '05-30', '08-29', '12-26', '12-27'],
  2012: ['01-02', '04-06', '04-09', '05-07', '06-04', '06-05', '08-27', '12-25', '12-26'],
  2013: ['01-01', '03-29', '04-01', '05-06', '05-27', '08-26', '12-25', '12-26'],
  2014: ['01-01', '04-18', '04-21', '05-05', '05-26', '08-25', '12-25', '12-26'],
  2015: ['01-01', '04-03', '04-06', '05-04', '05-25', '08-31', '12-25', '12-28'],
  2016: ['01-01', '03-25', '03-28', '05-02', '05-30', '08-29', '12-26', '12-27'],
  2017: ['01-02', '04-14', '04-17', '05-01', '05-29', '08-28', '12-25', '12-26'],
  2018: ['01-01', '03-30', '04-02', '05-07', '05-28', '08-27', '12-25', '12-26'],
  2019: ['01-01', '04-19', '04-22', '05-06', '05-27', '08-26', '12-25', '12-26'],
  2020: ['01-01', '04-10', '04-13', '05-08', '05-25', '08-31', '12-25', '12-28'],
  2021: ['01-01', '04-02', '04-05', '05-03', '05-31', '08-30', '12-27', '12-28'],
  2022: ['01-03', '04-15', '04-18', '05-02', '06-02', '06-03', '08-29', '09-19', '12-26', '12-27'],
  2023: ['01-02', '04-07', '04-10', '05-01', '05-08', '05-29', '08-28', '12-25', '12-26'],
  2024: ['01-01', '03-29', '04-01', '05-06', '05-27', '08-26', '12-25', '12-26'],
  2025: ['01-01', '04-18', '04-21', '05-05', '05-26', '08-25', '12-25', '12-26'],
  2026: ['01-01', '04-03', '04-06', '05-04', '05-25', '08-31', '12-25', '12-28'],
  2027: ['01-01', '03-26', '03-29', '05-03', '05-31', '08-30', '12-27', '12-28'],
  2028: ['01-03', '04-14', '04-17', '05-01', '05-29', '08-28', '12-25', '12-26'],
  2029: ['01-01', '03-30', '04-02', '05-07', '05-28', '08-27', '12-25', '12-26'],
  2030: ['01-01', '04-19', '04-22', '05-06', '05-27', '08-26', '12-25', '12-26'],
};

/** Years with more than the usual 8 days off, and why. */
const EXTRA_YEARS: Record<number, number> = {
  2002: 9, // Golden Jubilee 3 June; Spring bank holiday moved to 4 June
  2011: 9, // Royal Wedding 29 April
  2012: 9, // Spring bank holiday moved to 4 June; Diamond Jubilee 5 June
  2022: 10, // Spring bank holiday 2 June; Platinum Jubilee 3 June; State Funeral 19 September
  2023: 9, // Coronation 8 May
};

const YEARS = Array.from({ length: 31 }, (_, i) => 2000 + i);

describe('bank holiday coverage', () => {
  it('checks at least 2000–2030', () => {
    expect(BANK_HOLIDAY_COVERAGE.from).toBeLessThanOrEqual(2000);
    expect(BANK_HOLIDAY_COVERAGE.to).toBeGreaterThanOrEqual(2030);
  });

  it.each(YEARS)('lists exactly the England & Wales days off in %i', (year) => {
    expect(bankHolidays(year)).toEqual(EXPECTED[year]!.map((md) => `${year}-${md}`));
  });

  it('has 8 bank holidays every year 2000–2030 except 2002 (9), 2011 (9), 2012 (9), 2022 (10) and 2023 (9)', () => {
    const counts = Object.fromEntries(YEARS.map((y) => [y, bankHolidays(y).length]));
    const expected = Object.fromEntries(YEARS.map((y) => [y, EXTRA_YEARS[y] ?? 8]));
    expect(counts).toEqual(expected);
    expect(counts[2020]).toBe(8); // VE Day replaced the Early May holiday rather than adding one
  });

  it('returns sorted weekday dates only, and a fresh array each call', () => {
    for (const year of YEARS) {
      const days = bankHolidays(year);
      expect([...days].sort()).toEqual(days);
      for (const d of days) expect([1, 2, 3, 4, 5], d).toContain(dayOfWeek(d));
    }
    const mine = bankHolidays(2024);
    mine.push('2024-07-04');
    expect(bankHolidays(2024)).toHaveLength(8);
    expect(isBankHoliday('2024-07-04')).toBe(false);
  });

  it('agrees with bankHolidays for every day 2000–2030', () => {
    const all = new Set(YEARS.flatMap((y) => bankHolidays(y)));
    let found = 0;
    for (let d = '2000-01-01'; d <= '2030-12-31'; d = addDays(d, 1)) {
      const expected = all.has(d);
      if (isBankHoliday(d) !== expected) expect(isBankHoliday(d), d).toBe(expected);
      if (expected) found++;
    }
    expect(found).toBe(all.size);
  });
});

describe('one-off bank holidays', () => {
  it('makes Mon 3 June 2002 (Golden Jubilee) and Tue 4 June 2002 (moved Spring bank holiday) days off, not 27 May 2002', () => {
    expect(isBankHoliday('2002-06-03')).toBe(true);
    expect(isBankHoliday('2002-06-04')).toBe(true);
    expect(isBankHoliday('2002-05-27')).toBe(false);
  });

  it('makes Fri 29 April 2011 (Royal Wedding) a day off', () => {
    expect(isBankHoliday('2011-04-29')).toBe(true);
  });

  it('makes Mon 4 June 2012 (moved Spring bank holiday) and Tue 5 June 2012 (Diamond Jubilee) days off, not 28 May 2012', () => {
    expect(isBankHoliday('2012-06-04')).toBe(true);
    expect(isBankHoliday('2012-06-05')).toBe(true);
    expect(isBankHoliday('2012-05-28')).toBe(false);
  });

  it('moves the 2020 Early May bank holiday to Fri 8 May (VE Day), leaving Mon 4 May 2020 a working day', () => {
    expect(isBankHoliday('2020-05-08')).toBe(true);
    expect(isBankHoliday('2020-05-04')).toBe(false);
  });

  it('makes Thu 2 and Fri 3 June 2022 (Platinum Jubilee) days off, not 30 May 2022', () => {
    expect(isBankHoliday('2022-06-02')).toBe(true);
    expect(isBankHoliday('2022-06-03')).toBe(true);
    expect(isBankHoliday('2022-05-30')).toBe(false);
  });

  it('makes Mon 19 September 2022 (State Funeral of Queen Elizabeth II) a day off', () => {
    expect(isBankHoliday('2022-09-19')).toBe(true);
  });

  it('makes Mon 8 May 2023 (Coronation) a day off alongside Mon 1 May 2023', () => {
    expect(isBankHoliday('2023-05-08')).toBe(true);
    expect(isBankHoliday('2023-05-01')).toBe(true);
  });
});

describe('substitute days', () => {
  it('gives Mon 27 and Tue 28 December 2021 off when Christmas and Boxing Day fall at the weekend', () => {
    expect(isBankHoliday('2021-12-27')).toBe(true);
    expect(isBankHoliday('2021-12-28')).toBe(true);
    expect(isBankHoliday('2021-12-29')).toBe(false);
  });

  it('gives Mon 3 January 2022 off for New Year’s Day on a Saturday', () => {
    expect(isBankHoliday('2022-01-03')).toBe(true);
  });

  it('gives Tue 27 December 2022 off when Christmas Day is a Sunday and Boxing Day the Monday', () => {
    expect(isBankHoliday('2022-12-26')).toBe(true);
    expect(isBankHoliday('2022-12-27')).toBe(true);
  });

  it('reports the weekend date a holiday is moved from as not a bank holiday (only the substitute weekday is a day off)', () => {
    expect(isBankHoliday('2021-12-25')).toBe(false);
    expect(isBankHoliday('2000-01-01')).toBe(false);
    expect(isBankHoliday('2000-01-03')).toBe(true);
    expect(bankHolidays(2000)).not.toContain('2000-01-01');
  });

  it('refuses a date that is not a real YYYY-MM-DD date', () => {
    expect(() => isBankHoliday('2023-02-29')).toThrow(RangeError);
    expect(() => isBankHoliday('29/02/2024')).toThrow(RangeError);
  });
});
