/** England & Wales working days (not Saturday, Sunday or a bank holiday), counted arithmetically so long spans stay cheap. */
import { bankHolidayDayNumbers, isBankHolidayDayNumber } from '#calendar/bank-holidays';
import { dayNumberOf, fromDayNumber, parseIsoDate, toDayNumber, yearOfDayNumber } from '#calendar/dates';

/** Monday 0 … Sunday 6: weekends become the two top values, which keeps the week-skipping sums simple. */
function mondayIndex(dayNumber: number): number {
  return (((dayNumber + 3) % 7) + 7) % 7;
}

/** Weekdays on or before `dayNumber`, counted from a fixed Monday; only differences of it mean anything. */
function weekdaysThrough(dayNumber: number): number {
  const k = dayNumber + 3;
  const weeks = Math.floor(k / 7);
  return weeks * 5 + Math.min(k - weeks * 7 + 1, 5);
}

/** Bank holidays in (after, upTo]; every stored holiday is a weekday, so this can be subtracted from a weekday count. */
function bankHolidaysIn(after: number, upTo: number): number {
  if (upTo <= after) return 0;
  let count = 0;
  const last = yearOfDayNumber(upTo);
  for (let year = yearOfDayNumber(after + 1); year <= last; year++) {
    for (const dn of bankHolidayDayNumbers(year)) if (dn > after && dn <= upTo) count++;
  }
  return count;
}

/** Working days in (after, upTo]. */
function workingDaysIn(after: number, upTo: number): number {
  if (upTo <= after) return 0;
  return weekdaysThrough(upTo) - weekdaysThrough(after) - bankHolidaysIn(after, upTo);
}

/** The n-th weekday after `dayNumber` (n > 0), skipping whole weeks at once. */
function weekdayAfter(dayNumber: number, n: number): number {
  let d = dayNumber;
  let w = mondayIndex(d);
  if (w > 4) {
    d -= w - 4; // from a weekend, count as if from the Friday before: the 1st weekday after either is Monday
    w = 4;
  }
  const weeks = Math.floor(n / 5);
  const rest = n - weeks * 5;
  d += weeks * 7;
  if (rest > 0) d += w + rest > 4 ? rest + 2 : rest;
  return d;
}

/** The n-th weekday before `dayNumber` (n > 0), skipping whole weeks at once. */
function weekdayBefore(dayNumber: number, n: number): number {
  let d = dayNumber;
  let w = mondayIndex(d);
  if (w > 4) {
    d += 7 - w; // from a weekend, count as if from the Monday after: the 1st weekday before either is Friday
    w = 0;
  }
  const weeks = Math.floor(n / 5);
  const rest = n - weeks * 5;
  d -= weeks * 7;
  if (rest > 0) d -= w - rest < 0 ? rest + 2 : rest;
  return d;
}

/** True on a Monday–Friday that is not an England & Wales bank holiday. */
export function isWorkingDay(date: string): boolean {
  const [y, m, d] = parseIsoDate(date);
  const dn = dayNumberOf(y, m, d);
  return mondayIndex(dn) < 5 && !isBankHolidayDayNumber(dn, y);
}

/** The n-th working day after `date` (never counting `date` itself, so a weekend start behaves like the Friday before); n < 0 counts back; n = 0 returns `date` unchanged. */
export function addWorkingDays(date: string, n: number): string {
  const start = toDayNumber(date);
  if (!Number.isSafeInteger(n)) throw new RangeError(`working days must be a whole number, got ${n}`);
  if (n === 0) return date;
  if (n > 0) {
    // Land on the n-th weekday, then step forward by the holidays just crossed until a stretch crosses none.
    let from = start;
    let to = weekdayAfter(start, n);
    let missing = bankHolidaysIn(from, to);
    while (missing > 0) {
      from = to;
      to = weekdayAfter(to, missing);
      missing = bankHolidaysIn(from, to);
    }
    return fromDayNumber(to);
  }
  let from = start;
  let to = weekdayBefore(start, -n);
  let missing = bankHolidaysIn(to - 1, from - 1);
  while (missing > 0) {
    from = to;
    to = weekdayBefore(to, missing);
    missing = bankHolidaysIn(to - 1, from - 1);
  }
  return fromDayNumber(to);
}

/** Working days after `from` up to and including `to`; when `to` is earlier, minus the working days from `to` up to but excluding `from` (so it inverts addWorkingDays both ways). */
export function workingDaysBetween(from: string, to: string): number {
  const f = toDayNumber(from);
  const t = toDayNumber(to);
  return t >= f ? workingDaysIn(f, t) : -workingDaysIn(t - 1, f - 1);
}
