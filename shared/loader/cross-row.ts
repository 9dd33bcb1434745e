/**
 * Rules one row cannot settle alone: the participation code against the child's age, and a review
 * against the child's periods of care. Pure: the loader gathers the facts (this import's children
 * and episodes first, the store's after) and these functions judge them.
 */
import { ageOn } from '#domain/dates';
import { periodContaining, periodsOfCare } from '#domain/period-of-care';
import type { Episode } from '#domain/records';

/** What the period-of-care rule needs of an episode (kept small: an import holds one per episode). */
export type EpisodeSpan = Pick<Episode, 'childId' | 'startDate' | 'endDate' | 'reasonNewEpisode' | 'reasonEpisodeCeased' | 'legalStatus'>;

/** The facts about a child that a review is checked against. */
export interface ChildFacts {
  dateOfBirth: string | null;
  episodes: readonly EpisodeSpan[];
}

/** What a review row asserts, with the columns (in the file's own words) that an error points at. */
export interface ReviewAssertion {
  childId: string;
  reviewDate: string;
  /** Null when the row has no participation code (review details). */
  participationCode: string | null;
  /** The DOB the row itself carries (SSDA903 Reviews repeats it); null when it has none. */
  dateOfBirth: string | null;
  columns: { date: string; code: string };
}

export interface CrossRowProblem {
  column: string;
  message: string;
}

/** Writes an ISO date the way the return does, dd/mm/YYYY, so messages quote the file's own values. */
const uk = (iso: string) => `${iso.slice(8, 10)}/${iso.slice(5, 7)}/${iso.slice(0, 4)}`;

/**
 * PN0 means "under 4 at the review" (DfE SSDA903 guide), so it must agree with the child's age both
 * ways: PN0 for a child of 4 or more is wrong, and so is any other code for a child under 4.
 */
export function participationAgeProblem(review: ReviewAssertion, dateOfBirth: string | null): CrossRowProblem | null {
  if (review.participationCode === null || dateOfBirth === null) return null;
  const age = ageOn(dateOfBirth, review.reviewDate);
  if (age < 0) {
    return { column: review.columns.date, message: `${review.columns.date} ${uk(review.reviewDate)} is before the child's date of birth (${uk(dateOfBirth)})` };
  }
  if (review.participationCode === 'PN0' && age >= 4) {
    return { column: review.columns.code, message: `${review.columns.code} PN0 is for a child under 4 at the review, but this child was ${age} on ${uk(review.reviewDate)}` };
  }
  if (review.participationCode !== 'PN0' && age < 4) {
    return {
      column: review.columns.code,
      message: `${review.columns.code} ${review.participationCode} is for a child aged 4 or over: this child was ${age} on ${uk(review.reviewDate)}, so the code is PN0`,
    };
  }
  return null;
}

/** A review must fall inside one of the child's periods of care (start and end days included). */
export function periodOfCareProblem(review: ReviewAssertion, episodes: readonly EpisodeSpan[]): CrossRowProblem | null {
  if (episodes.length === 0) {
    return {
      column: review.columns.date,
      message: `${review.columns.date} ${uk(review.reviewDate)} falls in no period of care: no episodes are known for CHILD ${review.childId} (import episodes with the reviews, or before them)`,
    };
  }
  const periods = periodsOfCare(episodes as Episode[]);
  if (periodContaining(periods, review.reviewDate)) return null;
  const spans = periods.map((p) => `${uk(p.startDate)}–${p.endDate ? uk(p.endDate) : 'still looked after'}`).join(', ');
  return { column: review.columns.date, message: `${review.columns.date} ${uk(review.reviewDate)} falls in no period of care of CHILD ${review.childId} (${spans})` };
}

/** Every cross-row problem of a review, given what is known of the child. */
export function reviewProblems(review: ReviewAssertion, facts: ChildFacts): CrossRowProblem[] {
  const problems: CrossRowProblem[] = [];
  const age = participationAgeProblem(review, review.dateOfBirth ?? facts.dateOfBirth);
  if (age) problems.push(age);
  const period = periodOfCareProblem(review, facts.episodes);
  if (period) problems.push(period);
  return problems;
}
