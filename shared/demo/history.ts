/** One period of care's history for the demo: legal status and placements (so episodes), reg 33 reviews and health events. */
import type {
  CategoryOfNeed,
  HealthEventStatus,
  HealthEventType,
  LegalStatus,
  NewEpisodeReason,
  ParticipationCode,
  PermanencePlanCode,
  SdqReason,
} from '#domain/codes';
import type { TimescaleSet } from '#domain/timescales';
import { addCalendarMonths, addDays, daysBetween } from '#calendar/dates';
import { isWorkingDay } from '#calendar/working-days';
import { reviewDueDate } from '#calendar/reg33';
import type { Random, Weighted } from '#engine/random';

/** How a period of care runs legally; chosen first, then fitted into the period's dates. */
export type PathKind = 'adoption' | 'careOrder' | 's20' | 's20ThenOrder' | 'remand' | 'shortBreak';

export interface LegalChange {
  date: string;
  status: LegalStatus;
}

export interface Placement {
  date: string;
  place: string;
  provider: string;
  postcode: string;
  urn: string;
  /** Why the placement before this one ended (SSDA903 REASON_PLACE_CHANGE, recorded on that earlier episode). */
  reasonPreviousEnded: string;
}

export interface Period {
  start: string;
  /** Null while the child is still looked after at the as-at date. */
  end: string | null;
  endReason: string | null;
  kind: PathKind;
  categoryOfNeed: CategoryOfNeed;
  legal: LegalChange[];
  placements: Placement[];
  /** Plan while proceedings run (C1, L1/L2): often two options, i.e. parallel planning. */
  interimPlan: PermanencePlanCode[];
  /** The plan once the court has decided, or for accommodated children. */
  finalPlan: PermanencePlanCode[];
}

export interface EpisodeRow {
  start: string;
  rne: NewEpisodeReason;
  legalStatus: LegalStatus;
  categoryOfNeed: CategoryOfNeed;
  place: string;
  provider: string;
  end: string | null;
  rec: string | null;
  reasonPlaceChange: string | null;
  homePostcode: string;
  placementPostcode: string;
  urn: string;
}

export interface ReviewSlot {
  date: string;
  due: string;
  sequence: number;
  late: boolean;
}

export interface HealthRow {
  type: HealthEventType;
  date: string;
  status: HealthEventStatus;
  childPresent: boolean | null;
  viewsRecorded: boolean | null;
  sdqScore: number | null;
  sdqReason: SdqReason | null;
  immunisationsUpToDate: boolean | null;
}

/**
 * Age in whole years on `on`: the rule of `ageOn` in #domain/dates (a 29 February birthday counts from 1 March), done by
 * comparing "MM-DD" strings because the generator asks it millions of times and the split-and-parse showed in profiles.
 */
export function yearsOld(dob: string, on: string): number {
  const years = Number(on.slice(0, 4)) - Number(dob.slice(0, 4));
  return on.slice(5) < dob.slice(5) ? years - 1 : years;
}

/** Today, if a working day, else the working day before: reviews and assessments are not held at weekends. */
export function workingDayOnOrBefore(date: string): string {
  let d = date;
  while (!isWorkingDay(d)) d = addDays(d, -1);
  return d;
}

/** Today, if a working day, else the next one. */
export function workingDayOnOrAfter(date: string): string {
  let d = date;
  while (!isWorkingDay(d)) d = addDays(d, 1);
  return d;
}

/**
 * A fake postcode, in a full postcode's shape (the DfE's rule 392c reads the shape): the ZZ area does
 * not exist in the UK, so it can never locate a real child.
 */
export function fakePostcode(r: Random): string {
  return `ZZ${r.int(1, 29)} ${r.int(0, 9)}ZZ`;
}

// ---------------------------------------------------------------------------------------------------------------
// Legal status

function laterThan(date: string, min: number, max: number, r: Random): string {
  return addDays(date, r.int(min, max));
}

/**
 * The legal statuses of a period from `start` to `stop` (its end, or the day after the as-at date). A change that
 * would fall on or after `stop` is dropped, so a short period is simply cut off mid-path (e.g. still on an interim order).
 */
function legalPath(r: Random, kind: PathKind, start: string, stop: string, span: number): LegalChange[] {
  const changes: LegalChange[] = [];
  const push = (date: string, status: LegalStatus) => {
    const last = changes.at(-1);
    if (date < stop && (!last || date > last.date) && last?.status !== status) changes.push({ date, status });
  };
  const interimStart = (): string => {
    // A few children arrive through police protection or an emergency protection order before the interim order.
    if (r.chance(0.12)) {
      // Police protection lasts at most 72 hours (Children Act 1989 s46), an emergency protection order longer.
      const police = r.chance(0.6);
      push(start, police ? 'L1' : 'L2');
      const c1 = laterThan(start, 1, police ? 3 : 8, r);
      push(c1, 'C1');
      return c1;
    }
    push(start, 'C1');
    return start;
  };
  switch (kind) {
    case 'shortBreak':
      push(start, r.chance(0.5) ? 'V3' : 'V4');
      break;
    case 'remand':
      push(start, 'J1');
      break;
    case 's20':
      push(start, 'V2');
      break;
    case 's20ThenOrder': {
      push(start, 'V2');
      const c1 = laterThan(start, 30, Math.max(31, Math.min(180, Math.floor(span * 0.3))), r);
      push(c1, 'C1');
      push(laterThan(c1, 120, 280, r), 'C2');
      break;
    }
    case 'careOrder': {
      const c1 = interimStart();
      // Proceedings are meant to finish in 26 weeks; many take longer.
      push(laterThan(c1, 110, 270, r), 'C2');
      break;
    }
    case 'adoption': {
      const c1 = interimStart();
      // The placement order is made with the care order at the final hearing; it must leave time to place and adopt.
      const latest = Math.max(60, Math.min(300, Math.floor(span * 0.45)));
      push(laterThan(c1, Math.min(120, latest - 30), latest, r), 'E1');
      break;
    }
  }
  return changes;
}

// ---------------------------------------------------------------------------------------------------------------
// Placements

const PROVIDER_BY_PLACE: Record<string, Weighted<string>> = {
  U1: [['PR1', 1]],
  U3: [['PR1', 1]],
  U4: [
    ['PR1', 0.6],
    ['PR4', 0.4],
  ],
  U5: [
    ['PR1', 0.8],
    ['PR4', 0.2],
  ],
  U6: [
    ['PR1', 0.6],
    ['PR4', 0.4],
  ],
  K1: [
    ['PR1', 0.3],
    ['PR2', 0.7],
  ],
  K2: [
    ['PR4', 0.75],
    ['PR1', 0.25],
  ],
  H5: [
    ['PR4', 0.7],
    ['PR1', 0.3],
  ],
  K3: [
    ['PR4', 0.7],
    ['PR1', 0.3],
  ],
  P1: [['PR0', 1]],
  A4: [
    ['PR1', 0.7],
    ['PR5', 0.3],
  ],
  A6: [
    ['PR1', 0.6],
    ['PR5', 0.4],
  ],
};

/** Ofsted-registered settings carry a URN; the demo's are visibly fake. Others get the DfE "not applicable" XXXXXXX. */
function urnFor(place: string, r: Random): string {
  return place === 'K1' || place === 'K2' || place === 'H5' || place === 'K3'
    ? `DEMO${String(r.int(1, 9999)).padStart(4, '0')}`
    : 'XXXXXXX';
}

/** Supported accommodation is H5 until the DfE's 2024-25 return, K3 (registered supported accommodation) from it. */
const SUPPORTED_ACCOMMODATION_FROM_2024_25 = '2024-04-01';

/** The placement code of `place` on `date`, in the codes of that date's return. */
const placeOn = (place: string, date: string): string =>
  place === 'H5' && date >= SUPPORTED_ACCOMMODATION_FROM_2024_25 ? 'K3' : place;

function placementOf(r: Random, date: string, place: string, homePostcode: string, reason: string): Placement {
  return {
    date,
    place: placeOn(place, date),
    provider: r.weighted(PROVIDER_BY_PLACE[place] ?? [['PR1', 1]]),
    postcode: place === 'P1' ? homePostcode : fakePostcode(r),
    urn: urnFor(place, r),
    reasonPreviousEnded: reason,
  };
}

function ordinaryPlacement(r: Random, age: number, kind: PathKind): string {
  if (kind === 'shortBreak') return r.chance(0.5) ? 'K2' : 'U6';
  if (kind === 'remand')
    return r.weighted([
      ['K1', 0.3],
      ['K2', 0.3],
      ['U6', 0.4],
    ]);
  if (age < 1)
    return r.weighted([
      ['U6', 0.65],
      ['U5', 0.15],
      ['U3', 0.2],
    ]);
  if (age < 8)
    return r.weighted([
      ['U6', 0.65],
      ['U3', 0.25],
      ['U5', 0.1],
    ]);
  if (age < 13)
    return r.weighted([
      ['U6', 0.7],
      ['U3', 0.2],
      ['K2', 0.1],
    ]);
  if (age < 16)
    return r.weighted([
      ['U6', 0.55],
      ['K2', 0.3],
      ['U3', 0.15],
    ]);
  return r.weighted([
    ['U6', 0.45],
    ['K2', 0.25],
    ['H5', 0.2],
    ['U3', 0.1],
  ]);
}

const MOVE_REASONS: Weighted<string> = [
  ['CARPL', 0.3],
  ['CREQB', 0.2],
  ['CREQO', 0.12],
  ['CHILD', 0.1],
  ['LAREQ', 0.1],
  ['CLOSE', 0.06],
  ['STAND', 0.04],
  ['ALLEG', 0.03],
  ['OTHER', 0.05],
];

/** Placements from `start` to `stop`: a first placement, planned moves the care plan brings, and unplanned moves. */
function placementPath(
  r: Random,
  kind: PathKind,
  dob: string,
  start: string,
  stop: string,
  legal: readonly LegalChange[],
  homePostcode: string,
): Placement[] {
  const placements: Placement[] = [];
  const ageAt = (date: string) => yearsOld(dob, date);
  const add = (date: string, place: string, reason: string) => {
    const last = placements.at(-1);
    if (date >= stop || (last && (date <= last.date || last.place === placeOn(place, date)))) return;
    placements.push(placementOf(r, date, place, homePostcode, reason));
  };
  placements.push(placementOf(r, start, ordinaryPlacement(r, ageAt(start), kind), homePostcode, ''));
  if (kind === 'shortBreak') return placements;

  // Planned moves follow the legal path: placed for adoption after the placement order, long-term carers after the care order.
  const planned: { date: string; place: string }[] = [];
  const e1 = legal.find((l) => l.status === 'E1');
  const c2 = legal.find((l) => l.status === 'C2');
  if (e1) planned.push({ date: laterThan(e1.date, 40, 200, r), place: r.chance(0.75) ? 'A6' : 'A4' });
  else if (c2 && r.chance(0.55)) {
    const age = ageAt(c2.date);
    const place = r.chance(0.06) ? 'P1' : age >= 13 && r.chance(0.25) ? 'K2' : r.chance(0.3) ? 'U1' : 'U4';
    planned.push({ date: laterThan(c2.date, 10, 150, r), place });
  }
  // Many 16- and 17-year-olds move to semi-independent accommodation before they leave care.
  const sixteenAndAHalf = addCalendarMonths(dob, 16 * 12 + 6);
  if (kind !== 'adoption' && sixteenAndAHalf > start && r.chance(0.4))
    planned.push({ date: laterThan(sixteenAndAHalf, 0, 150, r), place: 'H5' });

  // Unplanned moves: about one every three years in care, more for teenagers.
  const moves: { date: string; place: string; reason: string }[] = planned.map((p) => ({ ...p, reason: 'CARPL' }));
  let at = start;
  for (;;) {
    const rate = ageAt(at) >= 12 ? 0.45 : 0.28;
    at = addDays(at, Math.max(14, Math.round(r.erlang(1, 365 / rate))));
    if (at >= stop) break;
    moves.push({ date: at, place: '', reason: r.weighted(MOVE_REASONS) });
  }
  moves.sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
  let settled = false;
  for (const m of moves) {
    const last = placements.at(-1)!;
    // After adoption placement, unplanned moves are rare: keep the adoptive placement stable.
    if (m.place === '' && (last.place === 'A4' || last.place === 'A6' || last.place === 'P1')) continue;
    let place = m.place;
    if (place === '') {
      place =
        settled && (last.place === 'U4' || last.place === 'U1')
          ? r.chance(0.5)
            ? 'U4'
            : 'U6'
          : ordinaryPlacement(r, ageAt(m.date), kind);
      if (place === last.place) place = place === 'U6' ? 'U4' : 'U6';
    }
    if (m.place !== '') settled = true;
    add(m.date, place, m.reason);
  }
  return placements;
}

// ---------------------------------------------------------------------------------------------------------------
// Permanence plans

const RETURN_PLANS: Weighted<PermanencePlanCode> = [
  ['RETURN6M', 0.5],
  ['RETURN1M', 0.2],
  ['REMAINSUP', 0.15],
  ['RETURNEV', 0.15],
];

function finalPlanFor(r: Random, kind: PathKind, endReason: string | null, ageAtStart: number): PermanencePlanCode[] {
  if (kind === 'adoption') return ['ADOPTION'];
  if (kind === 'remand') return [r.chance(0.6) ? 'RETURN1M' : 'OTHERPLN'];
  if (endReason && /^E4[15678]$/.test(endReason)) return ['LTRELFR'];
  if (endReason && /^(E4A|E4B|E13)$/.test(endReason)) return [r.weighted(RETURN_PLANS)];
  if (ageAtStart >= 15)
    return [
      r.weighted([
        ['LTFOST18', 0.45],
        ['SUPPLIV', 0.25],
        ['RESPLMT', 0.2],
        ['OTHERPLN', 0.1],
      ] as const),
    ];
  if (ageAtStart >= 10)
    return [
      r.weighted([
        ['LTFOST18', 0.6],
        ['LTRELFR', 0.15],
        ['RESPLMT', 0.15],
        ['RETURNEV', 0.05],
        ['OTHERPLN', 0.05],
      ] as const),
    ];
  if (kind === 's20')
    return [
      r.weighted([
        ['RETURN6M', 0.4],
        ['LTFOST18', 0.4],
        ['LTRELFR', 0.2],
      ] as const),
    ];
  return [
    r.weighted([
      ['LTFOST18', 0.6],
      ['LTRELFR', 0.3],
      ['RETURNEV', 0.05],
      ['OTHERPLN', 0.05],
    ] as const),
  ];
}

function interimPlanFor(r: Random, kind: PathKind, finalPlan: PermanencePlanCode[]): PermanencePlanCode[] {
  const final = finalPlan[0]!;
  if (kind === 'adoption')
    return r
      .weighted([
        [['RETURNEV', 'ADOPTION'], 0.4],
        [['LTRELFR', 'ADOPTION'], 0.25],
        [['ADOPTION'], 0.35],
      ] as const)
      .slice();
  if (kind === 's20' || kind === 'remand') return finalPlan;
  // Care proceedings: the court expects parallel (concurrent) planning, so two options are common.
  if (r.chance(0.65)) {
    if (final.startsWith('RETURN') || final === 'REMAINSUP') return [final, r.chance(0.6) ? 'LTRELFR' : 'LTFOST18'];
    return [r.chance(0.6) ? 'RETURN6M' : 'RETURNEV', final];
  }
  return [r.chance(0.5) ? final : 'RETURN6M'];
}

/** What a period's episodes need besides its dates. */
export interface PeriodSpec {
  kind: PathKind;
  dob: string;
  start: string;
  end: string | null;
  endReason: string | null;
  asAt: string;
  categoryOfNeed: CategoryOfNeed;
  homePostcode: string;
}

/** Fills a period's dates with a legal path, placements and plans. */
export function buildPeriod(r: Random, spec: PeriodSpec): Period {
  const stop = spec.end ?? addDays(spec.asAt, 1);
  const span = daysBetween(spec.start, stop);
  const legal = legalPath(r.fork('legal'), spec.kind, spec.start, stop, span);
  const placements = placementPath(
    r.fork('placements'),
    spec.kind,
    spec.dob,
    spec.start,
    stop,
    legal,
    spec.homePostcode,
  );
  const ageAtStart = yearsOld(spec.dob, spec.start);
  const finalPlan = finalPlanFor(r, spec.kind, spec.endReason, ageAtStart);
  return {
    start: spec.start,
    end: spec.end,
    endReason: spec.endReason,
    kind: spec.kind,
    categoryOfNeed: spec.categoryOfNeed,
    legal,
    placements,
    finalPlan,
    interimPlan: interimPlanFor(r, spec.kind, finalPlan),
  };
}

/** A copy of a sibling's period for a child who came in with them, cut short when this child left earlier (e.g. at 18). */
export function sharePeriod(period: Period, end: string | null, endReason: string | null): Period {
  if (end === period.end) return period;
  return {
    ...period,
    end,
    endReason,
    legal: period.legal.filter((l) => end === null || l.date < end),
    placements: period.placements.filter((p) => end === null || p.date < end),
  };
}

/** Legal status on `date` (the latest change on or before it). */
export function legalStatusOn(period: Period, date: string): LegalStatus {
  let status = period.legal[0]!.status;
  for (const l of period.legal) if (l.date <= date) status = l.status;
  return status;
}

/** SSDA903 episodes: a new one at each change of legal status or placement; only the last may end the period. */
export function episodesOf(period: Period, homePostcode: string): EpisodeRow[] {
  const legalDates = new Set(period.legal.map((l) => l.date));
  const placeDates = new Set(period.placements.map((p) => p.date));
  const dates = [...new Set([...legalDates, ...placeDates])].sort();
  const rows: EpisodeRow[] = [];
  let li = 0;
  let pi = 0;
  for (const [i, date] of dates.entries()) {
    while (li + 1 < period.legal.length && period.legal[li + 1]!.date <= date) li++;
    while (pi + 1 < period.placements.length && period.placements[pi + 1]!.date <= date) pi++;
    const placement = period.placements[pi]!;
    const last = i === dates.length - 1;
    const next = dates[i + 1];
    const rne: NewEpisodeReason =
      i === 0 ? 'S' : legalDates.has(date) && placeDates.has(date) ? 'T' : legalDates.has(date) ? 'L' : 'P';
    const nextPlacement =
      next !== undefined && placeDates.has(next) ? period.placements.find((p) => p.date === next) : undefined;
    rows.push({
      start: date,
      rne,
      legalStatus: period.legal[li]!.status,
      categoryOfNeed: period.categoryOfNeed,
      place: placement.place,
      provider: placement.provider,
      end: last ? period.end : next!,
      rec: last ? period.endReason : 'X1',
      reasonPlaceChange: nextPlacement ? nextPlacement.reasonPreviousEnded : null,
      homePostcode,
      placementPostcode: placement.postcode,
      urn: placement.urn,
    });
  }
  return rows;
}

// ---------------------------------------------------------------------------------------------------------------
// Reviews

const DAYS_LATE: Weighted<readonly [number, number]> = [
  [[1, 7], 0.5],
  [[8, 30], 0.35],
  [[31, 75], 0.15],
];

/** Share of reviews held after their reg 33 due date (Haringey 2018-19 and Thurrock 2022-23 report about 8%). */
export const LATE_REVIEW_SHARE = 0.08;

/**
 * Reviews of a period from its start: each due date runs from the previous review's actual date (reg 33), most held
 * a few days early, some late. Reviews stop before the period ends and after the as-at date.
 */
export function reviewSlots(
  r: Random,
  start: string,
  end: string | null,
  asAt: string,
  timescales: TimescaleSet,
): ReviewSlot[] {
  const slots: ReviewSlot[] = [];
  let previous = start;
  for (let sequence = 1; ; sequence++) {
    const due = reviewDueDate(sequence, previous, timescales);
    const late = r.chance(LATE_REVIEW_SHARE);
    let date: string;
    if (late) {
      const daysLate = r.weighted(DAYS_LATE);
      date = workingDayOnOrAfter(addDays(due, r.int(daysLate[0], daysLate[1])));
    } else {
      const early = sequence === 1 ? r.int(0, 6) : r.chance(0.6) ? r.int(0, 7) : r.int(8, 35);
      date = workingDayOnOrBefore(addDays(due, -early));
      if (date <= previous) date = workingDayOnOrBefore(due);
    }
    if (date > asAt || (end !== null && date >= end)) break;
    slots.push({ date, due, sequence, late: date > due });
    previous = date;
  }
  return slots;
}

/**
 * Why a late review was late, in the words the seeds give (Cheshire East 2017-18: staffing changes,
 * sickness, adverse weather, aligning siblings' reviews, documents for care proceedings not ready, an
 * IRO miscalculating the date; Haringey 2018-19: key people unable to attend). A third are not
 * recorded, as Haringey found of its own.
 */
const LATE_REASONS: Weighted<string | null> = [
  [null, 33],
  ['Key people unable to attend', 20],
  ['Staff sickness or staffing changes', 14],
  ['Care plan or reports not ready', 12],
  ["Aligned with a sibling's review", 8],
  ['Review date miscalculated or misrecorded', 7],
  ['Adverse weather', 6],
];

/** The reason recorded for a late review, or null when none was recorded. */
export function lateReasonFor(r: Random): string | null {
  return r.weighted(LATE_REASONS);
}

const PN_WEIGHTS: Weighted<ParticipationCode> = [
  ['PN1', 857],
  ['PN2', 19],
  ['PN3', 14],
  ['PN4', 7],
  ['PN5', 28],
  ['PN6', 106],
  ['PN7', 45],
];

/** Participation code: PN0 exactly when under 4, else in Southwark 2015-16 proportions; very rarely not recorded. */
export function participationFor(r: Random, age: number): ParticipationCode | null {
  if (age < 4) return 'PN0';
  if (r.chance(0.003)) return null;
  return r.weighted(PN_WEIGHTS);
}

const LETTER_OF: Record<string, PermanencePlanCode> = {
  REMAINSUP: 'a',
  RETURN1M: 'a',
  RETURN6M: 'a',
  RETURNEV: 'a',
  ADOPTION: 'b',
  LTRELFR: 'c',
  SUPPLIV: 'd',
  RESPLMT: 'e',
  LTFOST18: 'f',
  OTHERPLN: 'g',
};

/** The permanence plan recorded at a review: often missing at the first, sometimes at the second, rarely later. */
export function planAtReview(r: Random, period: Period, sequence: number, date: string): PermanencePlanCode[] {
  const blank = sequence === 1 ? 0.55 : sequence === 2 ? 0.12 : 0.03;
  if (r.chance(blank)) return [];
  const status = legalStatusOn(period, date);
  const plan = status === 'C1' || status === 'L1' || status === 'L2' ? period.interimPlan : period.finalPlan;
  // Some records still carry the Annex A letter instead of the finer SSD key.
  if (r.chance(0.05)) return [...new Set(plan.map((c) => LETTER_OF[c] ?? 'g'))];
  return plan;
}

// ---------------------------------------------------------------------------------------------------------------
// Health

const VIEWS_RECORDED = [
  [true, 0.82],
  [false, 0.14],
  [null, 0.04],
] as const;
const TEENAGE_RHA = [
  ['Completed', 0.93],
  ['Refused', 0.05],
  ['Cancelled', 0.02],
] as const;

/**
 * Health events of a period: IHA after entry, review health assessments (6-monthly under 5, yearly from 5), dental
 * checks, development checks under 5 and yearly SDQs for 4–16-year-olds in care 12+ months. Nothing after `asAt`.
 */
export function healthEvents(r: Random, dob: string, start: string, end: string | null, asAt: string): HealthRow[] {
  const rows: HealthRow[] = [];
  const inPeriod = (date: string) => date > start && date <= asAt && (end === null || date < end);
  const age = (date: string) => yearsOld(dob, date);
  const views = (date: string): boolean | null => (age(date) < 3 ? false : r.weighted(VIEWS_RECORDED));
  const event = (
    type: HealthEventType,
    date: string,
    status: HealthEventStatus,
    extra: Partial<HealthRow> = {},
  ): HealthRow => ({
    type,
    date,
    status,
    childPresent: null,
    viewsRecorded: null,
    sdqScore: null,
    sdqReason: null,
    immunisationsUpToDate: null,
    ...extra,
  });

  // Initial health assessment: due within 20 working days of entry.
  const ihaRoll = r.weighted([
    ['onTime', 0.8],
    ['late', 0.14],
    ['refused', 0.03],
    ['none', 0.03],
  ] as const);
  let baseline = addDays(start, 28);
  if (ihaRoll !== 'none') {
    const date = workingDayOnOrAfter(addDays(start, ihaRoll === 'late' ? r.int(29, 90) : r.int(5, 27)));
    if (inPeriod(date)) {
      const refused = ihaRoll === 'refused' && age(date) >= 10;
      rows.push(
        event('IHA', date, refused ? 'Refused' : 'Completed', {
          childPresent: refused ? false : r.chance(0.96),
          viewsRecorded: refused ? null : views(date),
        }),
      );
    }
    baseline = date;
  }

  // Review health assessments, each interval from the last one done.
  let previous = baseline;
  for (;;) {
    const due = addCalendarMonths(previous, age(previous) < 5 ? 6 : 12);
    const onTime = r.chance(0.9);
    let date = onTime
      ? workingDayOnOrBefore(addDays(due, -r.int(0, 40)))
      : workingDayOnOrAfter(addDays(due, r.int(7, 120)));
    if (date <= previous) date = workingDayOnOrAfter(addDays(previous, 30));
    if (!inPeriod(date)) break;
    const roll = age(date) >= 12 ? r.weighted(TEENAGE_RHA) : r.chance(0.98) ? 'Completed' : 'Cancelled';
    if (roll === 'Cancelled') {
      rows.push(event('RHA', date, 'Cancelled'));
      date = workingDayOnOrAfter(addDays(date, r.int(10, 40)));
      if (!inPeriod(date)) break;
      rows.push(
        event('RHA', date, 'Completed', {
          childPresent: r.chance(0.95),
          viewsRecorded: views(date),
          immunisationsUpToDate: r.chance(0.87),
        }),
      );
    } else if (roll === 'Refused') {
      rows.push(event('RHA', date, 'Refused', { childPresent: false }));
    } else {
      rows.push(
        event('RHA', date, 'Completed', {
          childPresent: r.chance(0.95),
          viewsRecorded: views(date),
          immunisationsUpToDate: r.chance(0.87),
        }),
      );
    }
    previous = date;
  }

  // Dental checks: yearly from the first birthday.
  const firstBirthday = addCalendarMonths(dob, 12);
  let dental = workingDayOnOrAfter(addDays(start > firstBirthday ? start : firstBirthday, r.int(20, 100)));
  while (inPeriod(dental)) {
    const refused = age(dental) >= 10 && r.chance(0.03);
    rows.push(event('DENTAL', dental, refused ? 'Refused' : 'Completed', { childPresent: !refused }));
    const due = addCalendarMonths(dental, 12);
    dental = r.chance(0.8)
      ? workingDayOnOrBefore(addDays(due, -r.int(0, 60)))
      : workingDayOnOrAfter(addDays(due, r.int(30, 300)));
  }

  // Development checks: six-monthly while under 5.
  let development = workingDayOnOrAfter(addDays(start, r.int(30, 120)));
  while (inPeriod(development) && age(development) < 5) {
    rows.push(event('DEVELOPMENT', development, 'Completed', { childPresent: true }));
    const due = addCalendarMonths(development, 6);
    development = r.chance(0.85)
      ? workingDayOnOrBefore(addDays(due, -r.int(0, 30)))
      : workingDayOnOrAfter(addDays(due, r.int(20, 120)));
  }

  // SDQ: yearly for 4–16-year-olds once looked after 12 months.
  let sdq = workingDayOnOrAfter(addDays(addCalendarMonths(start, 12), r.int(0, 60)));
  while (inPeriod(sdq)) {
    const a = age(sdq);
    if (a >= 4 && a <= 16) {
      if (r.chance(0.75)) {
        rows.push(event('SDQ', sdq, 'Completed', { sdqScore: Math.min(40, Math.round(r.erlang(4, 3.5))) }));
      } else {
        // SDQ1 (under 4 or over 17) cannot apply here: only 4–16-year-olds are asked.
        const reason = r.weighted([
          ['SDQ4', 0.4],
          ['SDQ5', 0.25],
          ['SDQ2', 0.18],
          ['SDQ3', 0.17],
        ] as const);
        rows.push(
          event('SDQ', sdq, reason === 'SDQ2' || reason === 'SDQ5' ? 'Refused' : 'Cancelled', { sdqReason: reason }),
        );
      }
    }
    sdq = workingDayOnOrAfter(addDays(addCalendarMonths(sdq, 12), -r.int(0, 30)));
  }

  rows.sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : a.type < b.type ? -1 : 1));
  return rows;
}
