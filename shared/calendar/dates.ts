/** Calendar arithmetic on ISO `YYYY-MM-DD` strings, done in whole days so no clock or time zone can shift a date. */

function fail(date: string): never {
  throw new RangeError(`not a real date written YYYY-MM-DD: ${JSON.stringify(date)}`);
}

function digit(date: string, i: number): number {
  const d = date.charCodeAt(i) - 48;
  if (d < 0 || d > 9) fail(date);
  return d;
}

/** Days in a month of the proleptic Gregorian calendar (month 1–12). */
export function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** Year, month (1–12) and day of an ISO date; hand-parsed because it sits on the hot path of every working-day sum. */
export function parseIsoDate(date: string): [year: number, month: number, day: number] {
  if (typeof date !== 'string' || date.length !== 10 || date.charCodeAt(4) !== 45 || date.charCodeAt(7) !== 45)
    fail(date);
  const year = digit(date, 0) * 1000 + digit(date, 1) * 100 + digit(date, 2) * 10 + digit(date, 3);
  const month = digit(date, 5) * 10 + digit(date, 6);
  const day = digit(date, 8) * 10 + digit(date, 9);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) fail(date);
  return [year, month, day];
}

/** Days since 1970-01-01 for a year/month/day; pure integer arithmetic (H. Hinnant's days_from_civil) so it is exact and fast. */
export function dayNumberOf(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146_097 + doe - 719_468;
}

/** Days since 1970-01-01 for an ISO date (throws RangeError on anything that is not a real date). */
export function toDayNumber(date: string): number {
  const [y, m, d] = parseIsoDate(date);
  return dayNumberOf(y, m, d);
}

/** Year, month and day of a day number (Howard Hinnant's civil_from_days), without building a Date. */
function civilFromDays(dayNumber: number): { year: number; month: number; day: number } {
  const z = dayNumber + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const month = mp < 10 ? mp + 3 : mp - 9;
  return { year: yoe + era * 400 + (month <= 2 ? 1 : 0), month, day: doy - Math.floor((153 * mp + 2) / 5) + 1 };
}

/** Calendar year of a day number, without building a Date. */
export function yearOfDayNumber(dayNumber: number): number {
  return civilFromDays(dayNumber).year;
}

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/** ISO date for a day number; refuses years that cannot be written with four digits. */
export function fromDayNumber(dayNumber: number): string {
  if (!Number.isSafeInteger(dayNumber)) throw new RangeError(`not a whole day number: ${dayNumber}`);
  const { year, month, day } = civilFromDays(dayNumber);
  if (year < 0 || year > 9999) throw new RangeError(`date out of range for YYYY-MM-DD: day ${dayNumber}`);
  return `${String(year).padStart(4, '0')}-${pad2(month)}-${pad2(day)}`;
}

function wholeNumber(n: number, what: string): number {
  if (!Number.isSafeInteger(n)) throw new RangeError(`${what} must be a whole number, got ${n}`);
  return n;
}

/** The date `n` calendar days after `date` (before it when `n` is negative). */
export function addDays(date: string, n: number): string {
  return fromDayNumber(toDayNumber(date) + wholeNumber(n, 'days'));
}

/** The same day `n` calendar months later, clamped to the month's last day (31 Jan + 1 → 28/29 Feb) as "within N months" is read. */
export function addCalendarMonths(date: string, n: number): string {
  const [y, m, d] = parseIsoDate(date);
  const total = y * 12 + (m - 1) + wholeNumber(n, 'months');
  const year = Math.floor(total / 12);
  const month = total - year * 12 + 1;
  if (year < 0 || year > 9999) throw new RangeError(`date out of range for YYYY-MM-DD: ${date} + ${n} months`);
  const day = Math.min(d, daysInMonth(year, month));
  return `${String(year).padStart(4, '0')}-${pad2(month)}-${pad2(day)}`;
}

/** Calendar days from `from` to `to` (negative when `to` is earlier). */
export function daysBetween(from: string, to: string): number {
  return toDayNumber(to) - toDayNumber(from);
}

/** Day of the week, 0 Sunday … 6 Saturday, as `Date.prototype.getUTCDay` numbers it. */
export function dayOfWeek(date: string): number {
  return dayOfWeekOfDayNumber(toDayNumber(date));
}

/** Day of the week (0 Sunday … 6 Saturday) of a day number; 1970-01-01 was a Thursday. */
export function dayOfWeekOfDayNumber(dayNumber: number): number {
  return (((dayNumber + 4) % 7) + 7) % 7;
}
