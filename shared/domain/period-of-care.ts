/** Periods of care derived from SSDA903 episodes, and each review's sequence within its period. */
import type { Episode, Review } from './records.ts';
import { CONTINUES_PERIOD_OF_CARE, SHORT_BREAK_STATUSES } from './codes.ts';

/** One continuous time looked after: from an episode starting it to the episode whose end is not X1. */
export interface PeriodOfCare {
  childId: string;
  startDate: string;
  /** Null while the child is still looked after. */
  endDate: string | null;
  episodes: Episode[];
  /** Every episode is a short break (V3/V4): reg 33 reviews do not apply. */
  shortBreaksOnly: boolean;
}

/**
 * Groups a child's episodes into periods of care. A new period starts with RNE 'S', after an episode
 * that ended with a code other than X1, or after a gap between episodes — the last two catch the
 * exports where RNE is wrong, because a reviewer would count that as a new period too.
 */
export function periodsOfCare(episodes: readonly Episode[]): PeriodOfCare[] {
  const sorted = [...episodes].sort((a, b) => a.startDate.localeCompare(b.startDate));
  const periods: PeriodOfCare[] = [];
  let current: PeriodOfCare | undefined;
  for (const episode of sorted) {
    const previous = current?.episodes.at(-1);
    const continues =
      current !== undefined &&
      previous !== undefined &&
      episode.reasonNewEpisode !== 'S' &&
      previous.reasonEpisodeCeased === CONTINUES_PERIOD_OF_CARE &&
      previous.endDate === episode.startDate;
    if (!continues || current === undefined) {
      current = {
        childId: episode.childId,
        startDate: episode.startDate,
        endDate: null,
        episodes: [],
        shortBreaksOnly: true,
      };
      periods.push(current);
    }
    current.episodes.push(episode);
    current.endDate = episode.endDate;
    current.shortBreaksOnly &&= SHORT_BREAK_STATUSES.has(episode.legalStatus);
  }
  return periods;
}

/** The period of care that contains `date`, if any (start and end days included). */
export function periodContaining(periods: readonly PeriodOfCare[], date: string): PeriodOfCare | undefined {
  return periods.find((p) => p.startDate <= date && (p.endDate === null || date <= p.endDate));
}

/** True when the child was looked after on `date`. */
export function lookedAfterOn(periods: readonly PeriodOfCare[], date: string): boolean {
  return periodContaining(periods, date) !== undefined;
}

/** A review with its place in the period of care: derived here, never typed in. */
export interface SequencedReview extends Review {
  /** 1 for the first review of the period of care; null when stood down, an earlier meeting of a series, or outside any period. */
  sequence: number | null;
  /** Start of the period of care the review falls in; null when it falls in none. */
  periodStart: string | null;
}

/**
 * Numbers each review within its period of care, restarting at 1 when the child comes back into care.
 * A stood-down review did not take place, so it takes no number and does not move the count on.
 */
export function sequenceReviews(periods: readonly PeriodOfCare[], reviews: readonly Review[]): SequencedReview[] {
  const counters = new Map<string, number>();
  // A series of meetings is one review, numbered on its last meeting; the earlier meetings take no number.
  const lastMeeting = new Map<string, string>();
  for (const r of reviews) {
    if (r.seriesId && r.stoodDown !== true && r.reviewDate > (lastMeeting.get(r.seriesId) ?? ''))
      lastMeeting.set(r.seriesId, r.reviewDate);
  }
  return [...reviews]
    .sort((a, b) => a.reviewDate.localeCompare(b.reviewDate))
    .map((review) => {
      const period = periodContaining(periods, review.reviewDate);
      if (!period) return { ...review, sequence: null, periodStart: null };
      if (review.stoodDown === true) return { ...review, sequence: null, periodStart: period.startDate };
      if (review.seriesId && review.reviewDate < lastMeeting.get(review.seriesId)!)
        return { ...review, sequence: null, periodStart: period.startDate };
      const sequence = (counters.get(period.startDate) ?? 0) + 1;
      counters.set(period.startDate, sequence);
      return { ...review, sequence, periodStart: period.startDate };
    });
}
