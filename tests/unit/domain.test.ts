import { describe, expect, it } from 'vitest';
import { ageOn, IsoDate } from '#domain/dates';
import { Episode, HealthEvent, Review } from '#domain/records';
import { periodsOfCare, sequenceReviews, lookedAfterOn } from '#domain/period-of-care';

const episode = (over: Partial<Episode>): Episode => ({
  childId: 'C1',
  startDate: '2023-01-10',
  reasonNewEpisode: 'S',
  legalStatus: 'C2',
  categoryOfNeed: 'N1',
  placement: 'U1',
  placementProvider: 'PR1',
  endDate: null,
  reasonEpisodeCeased: null,
  reasonPlaceChange: null,
  homePostcode: null,
  placementPostcode: null,
  urn: null,
  ...over,
});
const review = (reviewDate: string, over: Partial<Review> = {}): Review => ({
  childId: 'C1',
  reviewDate,
  participationCode: 'PN1',
  iroId: 'IRO01',
  permanencePlan: [],
  carePlanUpToDate: true,
  childSeenBeforeReview: true,
  decisionsIssued: null,
  recordIssued: null,
  stoodDown: false,
  ...over,
});

describe('dates', () => {
  it('accepts 29 February only in a leap year', () => {
    expect(IsoDate.safeParse('2024-02-29').success).toBe(true);
    expect(IsoDate.safeParse('2023-02-29').success).toBe(false);
    expect(IsoDate.safeParse('2000-02-29').success).toBe(true);
  });
  it('refuses dates not written YYYY-MM-DD', () => {
    expect(IsoDate.safeParse('01/02/2024').success).toBe(false);
    expect(IsoDate.safeParse('2024-1-2').success).toBe(false);
  });
  it('counts age in whole years, the birthday itself included', () => {
    expect(ageOn('2020-06-15', '2024-06-14')).toBe(3);
    expect(ageOn('2020-06-15', '2024-06-15')).toBe(4);
  });
  it('makes a child born on 29 February a year older on 1 March in a common year', () => {
    expect(ageOn('2020-02-29', '2021-02-28')).toBe(0);
    expect(ageOn('2020-02-29', '2021-03-01')).toBe(1);
  });
});

describe('record schemas', () => {
  it('refuses an episode that ends before it starts', () => {
    const result = Episode.safeParse(episode({ endDate: '2023-01-01', reasonEpisodeCeased: 'E11' }));
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.path).toEqual(['endDate']);
  });
  it('needs a reason exactly when an episode has ended', () => {
    expect(Episode.safeParse(episode({ endDate: '2023-02-01' })).success).toBe(false);
    expect(Episode.safeParse(episode({ reasonEpisodeCeased: 'X1' })).success).toBe(false);
    expect(Episode.safeParse(episode({ endDate: '2023-02-01', reasonEpisodeCeased: 'X1' })).success).toBe(true);
  });
  it('refuses a participation code outside PN0–PN7', () => {
    expect(Review.safeParse(review('2023-02-01', { participationCode: 'PN8' as 'PN1' })).success).toBe(false);
  });
  it('keeps an SDQ score or reason to SDQ events, and never both', () => {
    const base = {
      childId: 'C1',
      date: '2023-05-01',
      status: 'Completed',
      childPresent: true,
      viewsRecorded: true,
      immunisationsUpToDate: null,
    } as const;
    expect(HealthEvent.safeParse({ ...base, type: 'SDQ', sdqScore: 14, sdqReason: null }).success).toBe(true);
    expect(HealthEvent.safeParse({ ...base, type: 'SDQ', sdqScore: 14, sdqReason: 'SDQ2' }).success).toBe(false);
    expect(HealthEvent.safeParse({ ...base, type: 'RHA', sdqScore: 14, sdqReason: null }).success).toBe(false);
    expect(HealthEvent.safeParse({ ...base, type: 'SDQ', sdqScore: 41, sdqReason: null }).success).toBe(false);
  });
});

describe('periods of care', () => {
  it('keeps episodes joined by X1 in one period of care', () => {
    const periods = periodsOfCare([
      episode({ startDate: '2023-01-10', endDate: '2023-03-01', reasonEpisodeCeased: 'X1' }),
      episode({ startDate: '2023-03-01', reasonNewEpisode: 'P' }),
    ]);
    expect(periods).toHaveLength(1);
    expect(periods[0]).toMatchObject({ startDate: '2023-01-10', endDate: null });
  });
  it('starts a new period when a child leaves care and comes back', () => {
    const periods = periodsOfCare([
      episode({ startDate: '2024-02-01', reasonNewEpisode: 'S' }),
      episode({ startDate: '2023-01-10', endDate: '2023-06-30', reasonEpisodeCeased: 'E11' }),
    ]);
    expect(periods.map((p) => [p.startDate, p.endDate])).toEqual([
      ['2023-01-10', '2023-06-30'],
      ['2024-02-01', null],
    ]);
    expect(lookedAfterOn(periods, '2023-10-01')).toBe(false);
    expect(lookedAfterOn(periods, '2023-06-30')).toBe(true);
  });
  it('treats a gap between episodes as a new period even when the export says X1', () => {
    const periods = periodsOfCare([
      episode({ startDate: '2023-01-10', endDate: '2023-03-01', reasonEpisodeCeased: 'X1' }),
      episode({ startDate: '2023-04-01', reasonNewEpisode: 'P' }),
    ]);
    expect(periods).toHaveLength(2);
  });
  it('marks a period of short breaks only (V3/V4), which has no reg 33 reviews', () => {
    expect(periodsOfCare([episode({ legalStatus: 'V3' })])[0]?.shortBreaksOnly).toBe(true);
    expect(periodsOfCare([episode({ legalStatus: 'C2' })])[0]?.shortBreaksOnly).toBe(false);
  });
});

describe('review sequence', () => {
  const periods = periodsOfCare([
    episode({ startDate: '2023-01-10', endDate: '2023-09-30', reasonEpisodeCeased: 'E11' }),
    episode({ startDate: '2024-01-15', reasonNewEpisode: 'S' }),
  ]);
  it('numbers reviews within the period of care and restarts when the child comes back', () => {
    const sequenced = sequenceReviews(periods, [
      review('2023-07-20'),
      review('2023-02-03'),
      review('2023-05-02'),
      review('2024-02-09'),
      review('2024-05-08'),
    ]);
    expect(sequenced.map((r) => [r.reviewDate, r.sequence])).toEqual([
      ['2023-02-03', 1],
      ['2023-05-02', 2],
      ['2023-07-20', 3],
      ['2024-02-09', 1],
      ['2024-05-08', 2],
    ]);
    expect(sequenced[3]?.periodStart).toBe('2024-01-15');
  });
  it('gives a stood-down review no number and does not count it', () => {
    const sequenced = sequenceReviews(periods, [
      review('2023-02-03'),
      review('2023-04-20', { stoodDown: true }),
      review('2023-05-02'),
    ]);
    expect(sequenced.map((r) => r.sequence)).toEqual([1, null, 2]);
  });
  it('gives a review outside every period of care no number', () => {
    const [outside] = sequenceReviews(periods, [review('2023-11-01')]);
    expect(outside).toMatchObject({ sequence: null, periodStart: null });
  });
});
