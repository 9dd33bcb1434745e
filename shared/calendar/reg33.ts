/** Review timeliness under reg 33 (or a local timescale set): when each review of a period of care fell due, and whether it was held in time. */
import type { Interval, TimescaleSet } from '#domain/timescales';
import { addCalendarMonths, addDays, daysBetween, parseIsoDate } from '#calendar/dates';
import { addWorkingDays } from '#calendar/working-days';

/** The date an interval after `date` runs to: working days skip weekends and E&W bank holidays, months clamp to month end. */
export function addInterval(date: string, interval: Interval): string {
  switch (interval.unit) {
    case 'workingDays':
      return addWorkingDays(date, interval.count);
    case 'days':
      return addDays(date, interval.count);
    case 'months':
      return addCalendarMonths(date, interval.count);
    default: {
      const unknown: never = interval;
      throw new RangeError(`unknown interval unit in ${JSON.stringify(unknown)}`);
    }
  }
}

export interface ScheduledReview {
  /** 1 for the first review of the period of care. */
  sequence: number;
  reviewDate: string;
  dueDate: string;
  inTime: boolean;
  /** Calendar days after the due date, 0 when in time. */
  daysLate: number;
  /** The rule applied, in plain words an auditor can quote. */
  rule: string;
}

function intervalFor(sequence: number, timescales: TimescaleSet): Interval {
  if (!Number.isSafeInteger(sequence) || sequence < 1)
    throw new RangeError(`review sequence must be 1 or more, got ${sequence}`);
  if (sequence === 1) return timescales.firstReview;
  if (sequence === 2) return timescales.secondReview;
  return timescales.laterReviews;
}

/** Latest in-time date for review `sequence`: reg 33 counts each from the child becoming looked after (1st) or the previous review's actual date. */
export function reviewDueDate(sequence: number, previous: string, timescales: TimescaleSet): string {
  return addInterval(previous, intervalFor(sequence, timescales));
}

function ordinal(n: number): string {
  const teen = n % 100 >= 11 && n % 100 <= 13;
  const suffix = teen ? 'th' : (({ 1: 'st', 2: 'nd', 3: 'rd' } as Record<number, string>)[n % 10] ?? 'th');
  return `${n}${suffix}`;
}

function ukDate(date: string): string {
  return `${date.slice(8, 10)}/${date.slice(5, 7)}/${date.slice(0, 4)}`;
}

/** An interval in words ("5 working days", "14 calendar days", "3 calendar months"): the one wording the prose, the rules and the findings use. */
export function intervalWords(interval: Interval): string {
  const one = interval.count === 1;
  switch (interval.unit) {
    case 'workingDays':
      return `${interval.count} working day${one ? '' : 's'}`;
    case 'days':
      return `${interval.count} calendar day${one ? '' : 's'}`;
    case 'months':
      return `${interval.count} calendar month${one ? '' : 's'}`;
  }
}

function ruleText(sequence: number, previous: string, dueDate: string, timescales: TimescaleSet): string {
  const from = sequence === 1 ? 'becoming looked after' : `the ${ordinal(sequence - 1)} review`;
  const within = intervalWords(intervalFor(sequence, timescales));
  return `${ordinal(sequence)} review due within ${within} of ${from} (${ukDate(previous)}): by ${ukDate(dueDate)}`;
}

/** Timeliness of ONE period of care's reviews (call again per return to care so the clock restarts); due dates run from the previous review's actual date, as reg 33 reads; a review before `periodStart` throws RangeError. */
export function reviewSchedule(
  periodStart: string,
  reviewDates: readonly string[],
  timescales: TimescaleSet,
): ScheduledReview[] {
  parseIsoDate(periodStart);
  for (const date of reviewDates) {
    parseIsoDate(date);
    if (date < periodStart) {
      throw new RangeError(
        `review on ${date} is before the period of care starting ${periodStart}: split reviews by period of care first`,
      );
    }
  }
  // Valid ISO dates sort chronologically as strings.
  const sorted = [...reviewDates].sort();
  const schedule: ScheduledReview[] = [];
  let previous = periodStart;
  for (const [i, reviewDate] of sorted.entries()) {
    const sequence = i + 1;
    const dueDate = reviewDueDate(sequence, previous, timescales);
    const inTime = reviewDate <= dueDate;
    schedule.push({
      sequence,
      reviewDate,
      dueDate,
      inTime,
      daysLate: inTime ? 0 : daysBetween(dueDate, reviewDate),
      rule: ruleText(sequence, previous, dueDate, timescales),
    });
    previous = reviewDate;
  }
  return schedule;
}
