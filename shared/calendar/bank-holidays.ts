/** England & Wales bank holidays: the maintained date-holidays rules plus a small table of one-off proclamations they miss. */
import Holidays from 'date-holidays';
import { dayNumberOf, dayOfWeekOfDayNumber, fromDayNumber, parseIsoDate, toDayNumber } from '#calendar/dates';

/**
 * Years whose output has been checked day by day against the published England & Wales lists (and is pinned by
 * tests/unit/calendar-bank-holidays.test.ts). Outside it the library's rules are used unchecked: good for ordinary
 * years, blind to one-offs such as 8 May 1995 (VE Day) or 31 December 1999 (Millennium).
 */
export const BANK_HOLIDAY_COVERAGE: { from: number; to: number } = Object.freeze({ from: 2000, to: 2030 });

interface Correction {
  readonly year: number;
  /** Days the library lists that were NOT days off in England & Wales. */
  readonly remove: readonly string[];
  /** Days off the library does not list (or lists only by luck); applying them is idempotent. */
  readonly add: readonly string[];
  readonly source: string;
}

/**
 * Why this exists: date-holidays (3.37.0) encodes the recurring rules and some one-offs (8 May 2020, 2–3 June 2022,
 * 19 September 2022, 8 May 2023), but misses these historic one-off proclamations made under the Banking and
 * Financial Dealings Act 1971 s 1(2)–(3). Data only; every entry was checked against the sources named.
 */
const CORRECTIONS: readonly Correction[] = [
  {
    year: 2002,
    remove: ['2002-05-27'],
    add: ['2002-06-03', '2002-06-04'],
    source:
      'Golden Jubilee: Spring bank holiday moved from Mon 27 May to Tue 4 June 2002 and Mon 3 June 2002 appointed, by Royal Proclamation under BFDA 1971 s 1(2)–(3); https://en.wikipedia.org/wiki/Public_holidays_in_the_United_Kingdom',
  },
  {
    year: 2011,
    remove: [],
    add: ['2011-04-29'],
    source:
      'Wedding of Prince William and Catherine Middleton, Fri 29 April 2011, appointed by Royal Proclamation under BFDA 1971 s 1(3); direct.gov.uk bank holidays page (archived, DG_073741)',
  },
  {
    year: 2012,
    remove: ['2012-05-28'],
    add: ['2012-06-04', '2012-06-05'],
    source:
      'Diamond Jubilee: Spring bank holiday moved from Mon 28 May to Mon 4 June 2012 and Tue 5 June 2012 appointed, by Royal Proclamation under BFDA 1971 s 1(2)–(3); https://en.wikipedia.org/wiki/Public_holidays_in_the_United_Kingdom and direct.gov.uk bank holidays page (archived, DG_073741)',
  },
];

interface YearHolidays {
  /** Sorted weekday dates: what bankHolidays(year) hands out (as a copy). */
  readonly dates: readonly string[];
  /** The same days as day numbers, sorted, for working-day arithmetic. */
  readonly dayNumbers: readonly number[];
}

let library: Holidays | undefined;
const byYear = new Map<number, YearHolidays>();
/** Every bank holiday of every year loaded so far, so a lookup is one Set probe once its year is loaded. */
const allDayNumbers = new Set<number>();

function load(year: number): YearHolidays {
  library ??= new Holidays('GB', 'ENG');
  const prefix = `${String(year).padStart(4, '0')}-`;
  const days = new Set<string>();
  // `date` is the local date in Europe/London as "YYYY-MM-DD hh:mm:ss", so it does not depend on the process time zone.
  for (const h of library.getHolidays(year)) {
    if (h.type === 'public' && h.date.startsWith(prefix)) days.add(h.date.slice(0, 10));
  }
  for (const c of CORRECTIONS) {
    if (c.year !== year) continue;
    for (const d of c.remove) days.delete(d);
    for (const d of c.add) days.add(d);
  }
  // The library also lists the weekend date a holiday is substituted from (Sat 1 Jan 2000 beside Mon 3 Jan);
  // only the weekday is a day off, and keeping only weekdays lets working-day sums subtract holidays from weekdays.
  const dayNumbers = [...days]
    .map(toDayNumber)
    .filter((dn) => {
      const dow = dayOfWeekOfDayNumber(dn);
      return dow !== 0 && dow !== 6;
    })
    .sort((a, b) => a - b);
  const entry: YearHolidays = Object.freeze({
    dates: Object.freeze(dayNumbers.map(fromDayNumber)),
    dayNumbers: Object.freeze(dayNumbers),
  });
  for (const dn of dayNumbers) allDayNumbers.add(dn);
  byYear.set(year, entry);
  return entry;
}

function yearHolidays(year: number): YearHolidays {
  return byYear.get(year) ?? load(year);
}

/** Sorted day numbers of a year's weekday bank holidays; shared with working-days so it never re-parses strings. */
export function bankHolidayDayNumbers(year: number): readonly number[] {
  if (!Number.isSafeInteger(year)) throw new RangeError(`year must be a whole number, got ${year}`);
  return yearHolidays(year).dayNumbers;
}

/** Bank-holiday test on a day number whose calendar year the caller already knows (skips parsing on hot paths). */
export function isBankHolidayDayNumber(dayNumber: number, year: number): boolean {
  if (!byYear.has(year)) load(year);
  return allDayNumbers.has(dayNumber);
}

/** Sorted ISO dates of a year's England & Wales bank holidays as days off: substitute weekdays in, the weekend dates they replace out. */
export function bankHolidays(year: number): string[] {
  if (!Number.isSafeInteger(year)) throw new RangeError(`year must be a whole number, got ${year}`);
  return [...yearHolidays(year).dates];
}

/** True on a weekday that is an England & Wales bank holiday (false on Sat 25 Dec 2021: its day off is Mon 27 Dec). */
export function isBankHoliday(date: string): boolean {
  const [y, m, d] = parseIsoDate(date);
  return isBankHolidayDayNumber(dayNumberOf(y, m, d), y);
}
