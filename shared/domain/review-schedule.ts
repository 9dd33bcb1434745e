/**
 * Every review a child's care called for, held or not: the statutory schedule laid over the reviews
 * the records show. Reg 33 for a period of care (the first review within 20 working days of the
 * child becoming looked after, the second within 3 months of the first, then every 6 months), reg 48
 * for a series of short breaks (the first within 3 months, then at most every 6 months); the
 * intervals are the authority's timescale set. Pure functions over records.
 *
 * - Each interval runs from the previous review's actual date, as reg 33 reads, so one late review
 *   moves the next due date on; a review never held leaves the schedule waiting on it.
 * - A stood-down meeting did not take place: it is counted against the review it delayed and does
 *   not reset the schedule.
 * - A series of meetings is one review, held on the date of its last meeting.
 * - A return to care is a new period of care, with its own schedule from its first review.
 */
import { daysBetween } from '#calendar/dates';
import { addInterval } from '#calendar/reg33';
import type { PeriodOfCare } from './period-of-care.ts';
import type { Review } from './records.ts';
import type { Interval, TimescaleSet } from './timescales.ts';

/** Reg 33 (looked after) or reg 48 (only a series of short breaks): reported apart. */
export type ReviewKind = 'looked-after' | 'short-breaks';

/** In words for findings: a template compares `review.kind` with these. */
export const REVIEW_KINDS: Record<ReviewKind, string> = {
  'looked-after': 'looked after',
  'short-breaks': 'short breaks',
};

/** In time; held late; or due and not held by the date the schedule is read at (overdue). */
export type DueOutcome = 'in-time' | 'late' | 'not-held';

/** In words for findings and evidence: a template compares `review.outcome` with these. */
export const DUE_OUTCOMES: Record<DueOutcome, string> = {
  'in-time': 'in time',
  late: 'held late',
  'not-held': 'overdue, not held',
};

/** A review as held: a series of meetings made one, dated on its last meeting. */
export interface HeldReview extends Review {
  /** How many meetings the review took: 1, or more for a series. */
  meetings: number;
  /** The first meeting's date, for a series; null for a single meeting. */
  firstMeeting: string | null;
}

/** A run of care reviewed on one schedule: a period of care, or a series of short breaks. */
export interface CareSchedule {
  kind: ReviewKind;
  start: string;
  /** The day care ended (the child is no longer looked after that day); null while it continues. */
  end: string | null;
  /** The periods of care it covers: one, or each short break of a series. */
  periods: PeriodOfCare[];
}

/** One review the schedule called for. */
export interface DueReview {
  kind: ReviewKind;
  schedule: CareSchedule;
  /** 1 for the first review of the period of care or series of short breaks. */
  sequence: number;
  /** The date the interval runs from: the start of care, or the previous review's actual date. */
  countedFrom: string;
  dueDate: string;
  /** The review that met this due date, in time or late; null when none was held by `asAt`. */
  review: HeldReview | null;
  outcome: DueOutcome;
  /** Calendar days past the due date: when it was held, or, not held, at `asAt`. 0 when in time. */
  daysLate: number;
  /** Dates of meetings stood down while this review was awaited. */
  stoodDown: string[];
}

/**
 * Reviews as held: stood-down meetings left out, and the meetings of one series (same series id)
 * made one review on the date of its last meeting. What a meeting did not record is taken from the
 * series' earlier meetings, latest first.
 */
export function heldReviews(reviews: readonly Review[]): HeldReview[] {
  const series = new Map<string, Review[]>();
  const held: HeldReview[] = [];
  for (const review of reviews) {
    if (review.stoodDown === true) continue;
    if (review.seriesId) {
      const meetings = series.get(review.seriesId) ?? [];
      meetings.push(review);
      series.set(review.seriesId, meetings);
    } else {
      held.push({ ...review, meetings: 1, firstMeeting: null });
    }
  }
  for (const meetings of series.values()) {
    const sorted = [...meetings].sort((a, b) => a.reviewDate.localeCompare(b.reviewDate));
    const merged = { ...sorted.at(-1)! } as Record<string, unknown>;
    for (const earlier of sorted.slice(0, -1).reverse()) {
      for (const [field, value] of Object.entries(earlier))
        if ((merged[field] ?? null) === null && value !== null) merged[field] = value;
    }
    held.push({
      ...(merged as unknown as Review),
      meetings: sorted.length,
      firstMeeting: sorted.length > 1 ? sorted[0]!.reviewDate : null,
    });
  }
  return held.sort((a, b) => a.reviewDate.localeCompare(b.reviewDate));
}

/**
 * The schedules a child's periods of care run on. A period with any episode that is not a short break
 * runs on reg 33. Periods that are short breaks only (V3/V4) form one series of short breaks while each
 * break starts within the later-review interval (6 months) of the last one ending: reg 48 reviews the
 * series, not each break. A series lasts from its first break's start to its last break's end; a review
 * that would fall due after that is not counted, since the records cannot show whether the
 * short-break agreement went on.
 */
export function careSchedules(periods: readonly PeriodOfCare[], timescales: TimescaleSet): CareSchedule[] {
  const schedules: CareSchedule[] = [];
  let series: CareSchedule | null = null;
  for (const period of [...periods].sort((a, b) => a.startDate.localeCompare(b.startDate))) {
    if (!period.shortBreaksOnly) {
      series = null;
      schedules.push({ kind: 'looked-after', start: period.startDate, end: period.endDate, periods: [period] });
      continue;
    }
    const joins =
      series !== null &&
      series.end !== null &&
      period.startDate <= addInterval(series.end, timescales.shortBreakLaterReviews);
    if (joins && series) {
      series.periods.push(period);
      series.end = period.endDate;
    } else {
      series = { kind: 'short-breaks', start: period.startDate, end: period.endDate, periods: [period] };
      schedules.push(series);
    }
  }
  return schedules;
}

function intervalFor(kind: ReviewKind, sequence: number, timescales: TimescaleSet): Interval {
  if (kind === 'short-breaks')
    return sequence === 1 ? timescales.shortBreakFirstReview : timescales.shortBreakLaterReviews;
  if (sequence === 1) return timescales.firstReview;
  return sequence === 2 ? timescales.secondReview : timescales.laterReviews;
}

/** Whether `date` falls within the schedule's care: a period of care, or anywhere in a series of short breaks. */
function within(schedule: CareSchedule, date: string): boolean {
  return schedule.start <= date && (schedule.end === null || date <= schedule.end);
}

/**
 * The reviews one schedule called for, as known at `asAt` (reviews after it are not yet known).
 * Each held review meets the next due date, in time or late; after the last one, the next review is
 * due once more and, if that date has passed while the child was still in care, it is overdue, not
 * held. A review falls due only while the child is looked after: on the day care ends it no longer does.
 */
export function dueReviews(
  schedule: CareSchedule,
  reviews: readonly Review[],
  timescales: TimescaleSet,
  asAt: string,
): DueReview[] {
  const inCare = reviews.filter((r) => r.reviewDate <= asAt && within(schedule, r.reviewDate));
  const held = heldReviews(inCare);
  const stoodDown = inCare
    .filter((r) => r.stoodDown === true)
    .map((r) => r.reviewDate)
    .sort();
  // A stood-down meeting and a review cannot share a date (one record per child and date), so the bounds may both be inclusive.
  const awaited = (from: string, to: string) => stoodDown.filter((d) => d >= from && d <= to);
  const due: DueReview[] = [];
  let countedFrom = schedule.start;
  for (const review of held) {
    const sequence = due.length + 1;
    const dueDate = addInterval(countedFrom, intervalFor(schedule.kind, sequence, timescales));
    const inTime = review.reviewDate <= dueDate;
    due.push({
      kind: schedule.kind,
      schedule,
      sequence,
      countedFrom,
      dueDate,
      review,
      outcome: inTime ? 'in-time' : 'late',
      daysLate: inTime ? 0 : daysBetween(dueDate, review.reviewDate),
      stoodDown: awaited(countedFrom, review.reviewDate),
    });
    countedFrom = review.reviewDate;
  }
  const sequence = due.length + 1;
  const dueDate = addInterval(countedFrom, intervalFor(schedule.kind, sequence, timescales));
  if (dueDate <= asAt && (schedule.end === null || dueDate < schedule.end)) {
    due.push({
      kind: schedule.kind,
      schedule,
      sequence,
      countedFrom,
      dueDate,
      review: null,
      outcome: 'not-held',
      daysLate: daysBetween(dueDate, asAt),
      stoodDown: awaited(countedFrom, asAt),
    });
  }
  return due;
}

/**
 * Every review a child's care called for, schedule by schedule, as known at `asAt`. A review belongs
 * to one schedule: when care ends and starts again on the same day, a review that day is the new
 * period's (the child ceased to be looked after under the old one that day).
 */
export function childDueReviews(
  periods: readonly PeriodOfCare[],
  reviews: readonly Review[],
  timescales: TimescaleSet,
  asAt: string,
): DueReview[] {
  const schedules = careSchedules(periods, timescales);
  const owner = (review: Review) => schedules.filter((s) => within(s, review.reviewDate)).at(-1);
  return schedules.flatMap((schedule) =>
    schedule.start <= asAt
      ? dueReviews(
          schedule,
          reviews.filter((r) => owner(r) === schedule),
          timescales,
          asAt,
        )
      : [],
  );
}
