import { describe, expect, it } from 'vitest';
import { addCalendarMonths, addDays, dayOfWeek, daysBetween } from '#calendar/dates';

const utcIso = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

describe('addDays', () => {
  it('moves across month, year and leap-day boundaries', () => {
    expect(addDays('2024-01-31', 1)).toBe('2024-02-01');
    expect(addDays('2023-12-31', 1)).toBe('2024-01-01');
    expect(addDays('2024-02-28', 1)).toBe('2024-02-29');
    expect(addDays('2023-02-28', 1)).toBe('2023-03-01');
    expect(addDays('2024-03-01', -1)).toBe('2024-02-29');
    expect(addDays('2024-01-01', -1)).toBe('2023-12-31');
    expect(addDays('2024-05-17', 0)).toBe('2024-05-17');
  });

  it('treats 2000 as a leap year (divisible by 400)', () => {
    expect(addDays('2000-02-28', 1)).toBe('2000-02-29');
    expect(daysBetween('2000-01-01', '2001-01-01')).toBe(366);
    expect(daysBetween('2001-01-01', '2002-01-01')).toBe(365);
  });

  it('is unaffected by the clocks changing (UTC day arithmetic, no local time)', () => {
    expect(addDays('2024-03-30', 1)).toBe('2024-03-31');
    expect(addDays('2024-03-31', 1)).toBe('2024-04-01');
    expect(addDays('2024-10-27', 1)).toBe('2024-10-28');
    expect(daysBetween('2024-03-30', '2024-04-01')).toBe(2);
  });

  it('agrees with Date.UTC for every day 1999–2031', () => {
    const start = Date.UTC(1999, 0, 1);
    const end = Date.UTC(2031, 11, 31);
    for (let ms = start, i = 0; ms <= end; ms += 86_400_000, i++) {
      const iso = utcIso(ms);
      expect(addDays('1999-01-01', i)).toBe(iso);
      expect(daysBetween('1999-01-01', iso)).toBe(i);
      expect(dayOfWeek(iso)).toBe(new Date(ms).getUTCDay());
    }
  });

  it('refuses dates that are not real YYYY-MM-DD dates and fractional day counts', () => {
    for (const bad of [
      '2023-02-29',
      '2024-02-30',
      '2024-13-01',
      '2024-00-10',
      '2024-1-01',
      '24-01-01',
      '',
      '2024/01/01',
      '2024-01-01T00:00',
    ]) {
      expect(() => addDays(bad, 1), bad).toThrow(RangeError);
    }
    expect(() => addDays('2024-01-01', 1.5)).toThrow(RangeError);
  });
});

describe('addCalendarMonths', () => {
  it('clamps 31 January + 1 month to 28 February in a common year', () => {
    expect(addCalendarMonths('2023-01-31', 1)).toBe('2023-02-28');
  });

  it('clamps 31 January + 1 month to 29 February in a leap year', () => {
    expect(addCalendarMonths('2024-01-31', 1)).toBe('2024-02-29');
    expect(addCalendarMonths('2000-01-31', 1)).toBe('2000-02-29');
  });

  it('clamps 31 March − 1 month to the end of February', () => {
    expect(addCalendarMonths('2023-03-31', -1)).toBe('2023-02-28');
    expect(addCalendarMonths('2024-03-31', -1)).toBe('2024-02-29');
  });

  it('keeps 30 April + 1 month on 30 May (the day is kept, not moved to month end)', () => {
    expect(addCalendarMonths('2024-04-30', 1)).toBe('2024-05-30');
  });

  it('takes 29 February 2024 + 12 months to 28 February 2025, and + 48 months back to a 29 February', () => {
    expect(addCalendarMonths('2024-02-29', 12)).toBe('2025-02-28');
    expect(addCalendarMonths('2024-02-29', 48)).toBe('2028-02-29');
  });

  it('clamps 31 August + 3 months to 30 November and 30 November + 3 months to 29 February 2024', () => {
    expect(addCalendarMonths('2023-08-31', 3)).toBe('2023-11-30');
    expect(addCalendarMonths('2023-11-30', 3)).toBe('2024-02-29');
    expect(addCalendarMonths('2023-08-31', 6)).toBe('2024-02-29');
  });

  it('rolls over year ends in both directions', () => {
    expect(addCalendarMonths('2023-12-15', 1)).toBe('2024-01-15');
    expect(addCalendarMonths('2024-01-15', -1)).toBe('2023-12-15');
    expect(addCalendarMonths('2024-01-15', -13)).toBe('2022-12-15');
    expect(addCalendarMonths('2024-07-10', 30)).toBe('2027-01-10');
    expect(addCalendarMonths('2024-07-10', 0)).toBe('2024-07-10');
  });
});

describe('daysBetween and dayOfWeek', () => {
  it('counts calendar days to − from, negative when to is earlier', () => {
    expect(daysBetween('2024-01-01', '2024-01-31')).toBe(30);
    expect(daysBetween('2024-01-31', '2024-01-01')).toBe(-30);
    expect(daysBetween('2024-02-29', '2024-02-29')).toBe(0);
  });

  it('numbers days 0 Sunday … 6 Saturday', () => {
    expect(dayOfWeek('1970-01-01')).toBe(4);
    expect(dayOfWeek('2000-01-01')).toBe(6);
    expect(dayOfWeek('2024-02-29')).toBe(4);
    expect(dayOfWeek('2024-03-31')).toBe(0);
  });
});
