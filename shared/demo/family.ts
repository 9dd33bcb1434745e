/**
 * One demo family at a time: a lone child or a sibling group, with dates of birth, periods of care, reviews, health
 * events and the professionals allocated. Everything comes from the family's own random stream, so families can be
 * generated one by one and written out as they are made.
 */
import type { CategoryOfNeed, ParticipationCode, PermanencePlanCode, Sex } from '#domain/codes';
import type { TimescaleSet } from '#domain/timescales';
import { addCalendarMonths, addDays, daysBetween } from '#calendar/dates';
import { addWorkingDays } from '#calendar/working-days';
import {
  yearsOld,
  buildPeriod,
  fakePostcode,
  healthEvents,
  lateReasonFor,
  participationFor,
  planAtReview,
  reviewSlots,
  sharePeriod,
  type HealthRow,
  type PathKind,
  type Period,
  type ReviewSlot,
} from './history.ts';
import type { Random, Weighted } from '#engine/random';
import type { Staff, Team } from './staff.ts';

export interface DemoContext {
  asAt: string;
  /** First day of the history window: children looked after on any day from here to `asAt` are in the files. */
  windowStart: string;
  timescales: TimescaleSet;
  staff: Staff;
  /** Chance that a family is still looked after at `asAt` rather than having left during the window. */
  stillInCareShare: number;
}

/** One allocation of a worker to a child; `end` inclusive, null while current. */
export interface Segment {
  workerId: string;
  start: string;
  end: string | null;
}

interface TeamSegment extends Segment {
  team: Team;
}

export interface ReviewRecord extends ReviewSlot {
  participation: ParticipationCode | null;
  iroId: string | null;
  plan: PermanencePlanCode[];
  carePlanUpToDate: boolean | null;
  childSeenBeforeReview: boolean | null;
  decisionsIssued: string | null;
  recordIssued: string | null;
  /** Why a late review was late, when recorded. */
  lateReason: string | null;
}

export interface ChildPeriod {
  period: Period;
  reviews: ReviewRecord[];
  health: HealthRow[];
}

export interface DemoChild {
  childId: string;
  sex: Sex;
  dob: string;
  ethnicity: string;
  upn: string;
  mother: '' | '0' | '1';
  motherChildDob: string | null;
  homePostcode: string;
  periods: ChildPeriod[];
  involvements: { workerId: string; role: 'SW' | 'TM' | 'IRO' | 'PA'; start: string; end: string | null }[];
  conflictOfInterest: boolean;
  /** Left care at 18 and still has a personal adviser at `asAt`. */
  careLeaver: boolean;
}

export interface DemoFamily {
  /** Null for a child with no looked-after siblings. */
  familyId: string | null;
  children: DemoChild[];
  /** How the group is allocated, for the summary. */
  allocation: 'single' | 'shared' | 'twoSw' | 'twoTeams';
  twoIros: boolean;
}

/** Family shapes the demo always includes, so every audit theme has examples even at small sizes. */
export type Showcase =
  | 'twoIrosWithConflict'
  | 'twoIrosWithoutConflict'
  | 'severalSwsAndTms'
  | 'groupWithCareLeaver'
  | 'returnedToCare'
  | 'shortBreaks';

// ---------------------------------------------------------------------------------------------------------------
// Dates and ages

type Band = readonly [fromYears: number, toYears: number];

function dateBetween(r: Random, from: string, to: string): string {
  return addDays(from, r.int(0, Math.max(0, daysBetween(from, to))));
}

/** A date of birth giving an age in whole years from `band[0]` to just under `band[1]` on `on`. */
function dobForAge(r: Random, on: string, band: Band): string {
  const earliest = addDays(addCalendarMonths(on, -12 * band[1]), 1);
  const latest = band[0] === 0 ? addDays(on, -7) : addCalendarMonths(on, -12 * band[0]);
  return dateBetween(r, earliest, latest);
}

function birthday(dob: string, years: number): string {
  return addCalendarMonths(dob, 12 * years);
}

/**
 * Ages of lone children in care at the as-at date. England at 31 March (DfE, about 2024–25) is under 1: 5%, 1–4: 15%,
 * 5–9: 18%, 10–15: 38%, 16–17: 24%; lone children lean older here because sibling groups add younger children.
 */
const AGE_LONE_CHILD: Weighted<Band> = [
  [[0, 1], 0.05],
  [[1, 5], 0.14],
  [[5, 10], 0.14],
  [[10, 16], 0.37],
  [[16, 18], 0.3],
];
/** Youngest sibling of a group in care: younger than the population, since older siblings stack on top. */
const AGE_YOUNGEST_SIBLING: Weighted<Band> = [
  [[0, 1], 0.07],
  [[1, 5], 0.28],
  [[5, 10], 0.25],
  [[10, 16], 0.34],
  [[16, 18], 0.06],
];

/** Days looked after so far, for a child in care at the as-at date. */
function timeInCare(r: Random): number {
  const band = r.weighted([
    [[1, 182], 0.17],
    [[183, 364], 0.13],
    [[365, 729], 0.18],
    [[730, 1825], 0.3],
    [[1826, 6500], 0.22],
  ] as const);
  return r.int(band[0], band[1]);
}

const CATEGORY_OF_NEED: Weighted<CategoryOfNeed> = [
  ['N1', 0.63],
  ['N2', 0.03],
  ['N3', 0.03],
  ['N4', 0.08],
  ['N5', 0.14],
  ['N6', 0.02],
  ['N7', 0.005],
  ['N8', 0.065],
];

const ETHNICITY: Weighted<string> = [
  ['WBRI', 62],
  ['WIRI', 1],
  ['WIRT', 0.5],
  ['WROM', 0.5],
  ['WOTH', 6],
  ['MWBC', 4],
  ['MWBA', 1.5],
  ['MWAS', 1.5],
  ['MOTH', 3.5],
  ['AIND', 1],
  ['APKN', 1.5],
  ['ABAN', 0.8],
  ['AOTH', 1.5],
  ['BCRB', 1.5],
  ['BAFR', 3.5],
  ['BOTH', 1],
  ['CHNE', 0.3],
  ['OOTH', 4],
  ['REFU', 0.4],
  ['NOBT', 0.5],
];

const REC_AT_18: Weighted<string> = [
  ['E17', 0.25],
  ['E5', 0.3],
  ['E6', 0.1],
  ['E8', 0.27],
  ['E7', 0.03],
  ['E3', 0.05],
];
const REC_RETURN_HOME: Weighted<string> = [
  ['E4A', 0.7],
  ['E4B', 0.12],
  ['E13', 0.18],
];
const REC_SGO: Weighted<string> = [
  ['E45', 0.25],
  ['E46', 0.15],
  ['E47', 0.15],
  ['E48', 0.25],
  ['E41', 0.2],
];

function pathForAge(r: Random, ageAtStart: number, daysInCare: number): PathKind {
  if (ageAtStart < 5) {
    // Children still waiting for adoption years after entry are rare: placement orders lead to adoption within ~2 years.
    const adoption = daysInCare < 3 * 365 ? 0.28 : 0.03;
    return r.weighted([
      ['adoption', adoption],
      ['careOrder', 0.6],
      ['s20', 0.07],
      ['s20ThenOrder', 0.08],
    ] as const);
  }
  if (ageAtStart < 13)
    return r.weighted([
      ['careOrder', 0.72],
      ['s20', 0.18],
      ['s20ThenOrder', 0.1],
    ] as const);
  const remand = daysInCare < 240 ? 0.04 : 0;
  return r.weighted([
    ['careOrder', 0.55],
    ['s20', 0.36],
    ['s20ThenOrder', 0.05],
    ['remand', remand],
  ] as const);
}

// ---------------------------------------------------------------------------------------------------------------
// Plans of a family before allocation: who, born when, looked after from when to when

interface PeriodPlan {
  start: string;
  end: string | null;
  endReason: string | null;
  kind: PathKind;
}

interface ChildPlan {
  dob: string;
  periods: PeriodPlan[];
  /** Came into care on the group's day, so shares its legal path, placements and review dates. */
  sharesGroupPeriod: boolean;
  leftAt18: boolean;
}

/** A lone child looked after at the as-at date. */
function planInCare(r: Random, ctx: DemoContext, forceReturn: boolean): ChildPlan {
  const dob = dobForAge(r, ctx.asAt, r.weighted(AGE_LONE_CHILD));
  const age = daysBetween(dob, ctx.asAt);
  let t = timeInCare(r);
  if (t >= age) t = r.int(1, Math.max(1, age));
  const start = addDays(ctx.asAt, -t);
  const kind = pathForAge(r, yearsOld(dob, start), t);
  const periods: PeriodPlan[] = [{ start, end: null, endReason: null, kind }];
  addEarlierPeriod(r, dob, periods, forceReturn ? 1 : 0.06);
  return { dob, periods, sharesGroupPeriod: false, leftAt18: false };
}

/** Some children go home and come back: an earlier, shorter period that ended with a return home. */
function addEarlierPeriod(r: Random, dob: string, periods: PeriodPlan[], chance: number): void {
  if (!r.chance(chance)) return;
  const later = periods[0]!;
  const end = addDays(later.start, -r.int(60, 540));
  const start = addDays(end, -r.int(20, 300));
  if (start <= dob) return;
  const kind: PathKind = yearsOld(dob, start) >= 13 || r.chance(0.6) ? 's20' : 'careOrder';
  periods.unshift({ start, end, endReason: r.weighted(REC_RETURN_HOME), kind });
}

/** A lone child who left care during the window, by one of the national routes out of care. */
function planLeaver(r: Random, ctx: DemoContext): ChildPlan {
  const route = r.weighted([
    ['adoption', 0.12],
    ['returnHome', 0.32],
    ['sgo', 0.11],
    ['at18', 0.28],
    ['independence', 0.1],
    ['remandEnded', 0.04],
  ] as const);
  let leave = dateBetween(r, ctx.windowStart, addDays(ctx.asAt, -1));
  let dob: string;
  let days: number;
  let kind: PathKind;
  let reason: string;
  switch (route) {
    case 'adoption':
      dob = dobForAge(
        r,
        leave,
        r.weighted([
          [[1, 2], 0.35],
          [[2, 4], 0.45],
          [[4, 6], 0.2],
        ] as const),
      );
      days = r.int(420, 1100);
      kind = 'adoption';
      reason = r.chance(0.7) ? 'E11' : 'E12';
      break;
    case 'returnHome':
      dob = dobForAge(
        r,
        leave,
        r.weighted([
          [[0, 1], 0.1],
          [[1, 5], 0.2],
          [[5, 10], 0.2],
          [[10, 16], 0.35],
          [[16, 18], 0.15],
        ] as const),
      );
      days = Math.max(7, Math.round(r.erlang(2, 110)));
      kind = yearsOld(dob, leave) >= 13 || r.chance(0.5) ? 's20' : 'careOrder';
      reason = r.weighted(REC_RETURN_HOME);
      break;
    case 'sgo':
      dob = dobForAge(r, leave, [1, 16]);
      days = r.int(270, 1100);
      kind = 'careOrder';
      reason = r.weighted(REC_SGO);
      break;
    case 'at18': {
      dob = addCalendarMonths(leave, -12 * 18);
      leave = birthday(dob, 18);
      const band = r.weighted([
        [[183, 729], 0.35],
        [[730, 1825], 0.35],
        [[1826, 4380], 0.3],
      ] as const);
      days = r.int(band[0], band[1]);
      kind = r.chance(0.55) ? 'careOrder' : 's20';
      reason = r.weighted(REC_AT_18);
      break;
    }
    case 'independence':
      dob = dobForAge(r, leave, [16, 18]);
      days = r.int(60, 1800);
      kind = r.chance(0.7) ? 's20' : 'careOrder';
      reason = r.weighted([
        ['E5', 0.4],
        ['E6', 0.15],
        ['E8', 0.25],
        ['E3', 0.1],
        ['E9', 0.05],
        ['E16', 0.05],
      ] as const);
      break;
    case 'remandEnded':
      dob = dobForAge(r, leave, [12, 18]);
      days = r.int(14, 180);
      kind = 'remand';
      reason = r.chance(0.8) ? 'E14' : 'E8';
      break;
  }
  let start = addDays(leave, -days);
  if (start < dob) start = addDays(dob, r.int(0, Math.min(20, daysBetween(dob, leave) - 1)));
  const periods: PeriodPlan[] = [{ start, end: leave, endReason: reason, kind }];
  if (route !== 'adoption') addEarlierPeriod(r, dob, periods, 0.05);
  return { dob, periods, sharesGroupPeriod: false, leftAt18: route === 'at18' };
}

interface GroupPlan {
  start: string;
  end: string | null;
  endReason: string | null;
  kind: PathKind;
  /** The youngest child who came in on the group's start: the group's shared placements follow their age. */
  leadDob: string;
  members: ChildPlan[];
}

const GROUP_SIZE: Weighted<number> = [
  [2, 0.45],
  [3, 0.27],
  [4, 0.15],
  [5, 0.08],
  [6, 0.05],
];

/** Dates of birth from the youngest up, one to four years apart (a 15-year spread at most). */
function siblingDobs(r: Random, youngest: string, size: number): string[] {
  const dobs = [youngest];
  for (let i = 1; i < size; i++) {
    const next = addDays(dobs[i - 1]!, -r.int(330, 1500));
    if (daysBetween(next, youngest) > 15 * 365) break;
    dobs.push(next);
  }
  return dobs;
}

/**
 * A sibling group: usually came into care together and shares a legal path; older siblings who turned 18 since left
 * care (care leavers), younger ones born after the others came in joined as babies, and a few came in at another time.
 */
function planGroup(
  r: Random,
  ctx: DemoContext,
  inCare: boolean,
  showcase: Showcase | undefined,
): GroupPlan | undefined {
  const size = showcase ? 3 : r.weighted(GROUP_SIZE);
  let dobs: string[];
  let start: string;
  let end: string | null = null;
  let endReason: string | null = null;
  let kind: PathKind;

  if (inCare) {
    if (showcase === 'groupWithCareLeaver') {
      const oldest = addDays(addCalendarMonths(ctx.asAt, -12 * 18), -r.int(60, 800));
      dobs = [oldest];
      for (let i = 1; i < size; i++) dobs.unshift(addDays(dobs[0]!, r.int(400, 1400)));
    } else {
      dobs = siblingDobs(r, dobForAge(r, ctx.asAt, r.weighted(AGE_YOUNGEST_SIBLING)), size);
    }
    // Nobody in the files is 21 or over at the as-at date: personal-adviser support ends there.
    dobs = dobs.filter((d) => yearsOld(d, ctx.asAt) < 21);
    let t = timeInCare(r);
    // An older sibling who is now 18+ must have come in before their 18th birthday.
    const oldest = dobs[dobs.length - 1]!;
    const eighteenth = birthday(oldest, 18);
    if (eighteenth <= ctx.asAt) t = Math.max(t, daysBetween(eighteenth, ctx.asAt) + r.int(60, 700));
    start = addDays(ctx.asAt, -t);
    const youngestIn = dobs.filter((d) => d <= start)[0] ?? dobs[0]!;
    kind = pathForAge(r, Math.max(0, yearsOld(youngestIn, start)), t);
    if (kind === 'adoption' && (dobs.length > 3 || yearsOld(oldest, start) >= 7)) kind = 'careOrder';
    if (kind === 'remand') kind = 's20';
  } else {
    end = dateBetween(r, ctx.windowStart, addDays(ctx.asAt, -1));
    const route = r.weighted([
      ['returnHome', 0.5],
      ['sgo', 0.3],
      ['adoption', 0.2],
    ] as const);
    const youngestBand: Band =
      route === 'adoption'
        ? [1, 5]
        : r.weighted([
            [[0, 5], 0.5],
            [[5, 10], 0.3],
            [[10, 13], 0.2],
          ] as const);
    dobs = siblingDobs(r, dobForAge(r, end, youngestBand), route === 'adoption' ? Math.min(size, 3) : size);
    dobs = dobs.filter((d) => yearsOld(d, ctx.asAt) < 21);
    const days = route === 'returnHome' ? Math.max(14, Math.round(r.erlang(2, 150))) : r.int(300, 1000);
    start = addDays(end, -days);
    if (start < dobs[0]!) start = addDays(dobs[0]!, r.int(0, 14));
    if (start >= end) return undefined;
    kind =
      route === 'adoption' && yearsOld(dobs[dobs.length - 1]!, start) < 7
        ? 'adoption'
        : route === 'returnHome' && r.chance(0.4)
          ? 's20'
          : 'careOrder';
    endReason =
      kind === 'adoption'
        ? r.chance(0.7)
          ? 'E11'
          : 'E12'
        : route === 'sgo'
          ? r.weighted(REC_SGO)
          : r.weighted(REC_RETURN_HOME);
  }

  const members: ChildPlan[] = [];
  const stop = end ?? addDays(ctx.asAt, 1);
  for (const dob of dobs) {
    const eighteenth = birthday(dob, 18);
    // Too old to have come into care with the group.
    if (eighteenth <= addDays(start, 30)) continue;
    let memberStart = start;
    let shares = true;
    if (dob >= start) {
      // Born after the others came into care: looked after from birth or soon after.
      memberStart = addDays(dob, r.int(0, 14));
      shares = false;
    } else if (r.chance(0.12)) {
      const later = addDays(start, r.int(7, 400));
      if (later < addDays(stop, -30) && later < addDays(eighteenth, -30)) {
        memberStart = later;
        shares = false;
      }
    }
    const leftAt18 = eighteenth < stop;
    const memberEnd = leftAt18 ? eighteenth : end;
    if (memberEnd !== null && memberStart >= memberEnd) continue;
    if (memberStart > ctx.asAt) continue;
    const memberKind: PathKind = kind === 'adoption' && yearsOld(dob, memberStart) >= 5 ? 'careOrder' : kind;
    members.push({
      dob,
      periods: [
        {
          start: memberStart,
          end: memberEnd,
          endReason: leftAt18 ? r.weighted(REC_AT_18) : endReason,
          kind: memberKind,
        },
      ],
      sharesGroupPeriod: shares,
      leftAt18,
    });
  }
  if (members.length < 2) return undefined;
  // When nobody came in on the group's day the shared period goes unused; any member's date of birth will do for it.
  const leadDob =
    members
      .filter((m) => m.sharesGroupPeriod)
      .map((m) => m.dob)
      .sort()
      .at(-1) ?? members[0]!.dob;
  return { start, end, endReason, kind, leadDob, members };
}

// ---------------------------------------------------------------------------------------------------------------
// Allocation: social workers, team managers, IROs, personal advisers

/** A worker other than `avoid` (when there is one): redrawn rather than filtered, since national pools hold thousands. */
function pickOther<T>(r: Random, pool: readonly T[], avoid: T | undefined): T {
  if (avoid === undefined || pool.length === 1 || (pool.length === 2 && pool[0] === pool[1])) return r.pick(pool);
  for (;;) {
    const pick = r.pick(pool);
    if (pick !== avoid) return pick;
  }
}

/**
 * Social workers over [start, end]: changes of worker at random (turnover), and a transfer to a Permanence team once
 * the court has made its order. A change closes the old allocation the day before the new one opens.
 */
function socialWorkers(
  r: Random,
  ctx: DemoContext,
  team: Team,
  start: string,
  end: string | null,
  transfer: string | null,
  avoid?: string,
): TeamSegment[] {
  const stop = end ?? addDays(ctx.asAt, 1);
  const permanence = ctx.staff.teamsOf.permanence;
  let current: TeamSegment = { team, workerId: pickOther(r, team.workerIds, avoid), start, end: null };
  const segments: TeamSegment[] = [current];
  let pendingTransfer =
    transfer !== null && transfer > start && transfer < stop && team.serviceKey !== 'permanence' ? transfer : null;
  let at = start;
  for (;;) {
    const churn = addDays(at, Math.max(30, Math.round(r.erlang(1, 365 / 0.5))));
    const next = pendingTransfer !== null && pendingTransfer < churn ? pendingTransfer : churn;
    if (next >= stop) break;
    const nextTeam = next === pendingTransfer ? r.pick(permanence) : current.team;
    if (next === pendingTransfer) pendingTransfer = null;
    current.end = addDays(next, -1);
    current = { team: nextTeam, workerId: pickOther(r, nextTeam.workerIds, current.workerId), start: next, end: null };
    segments.push(current);
    at = next;
  }
  current.end = end;
  return segments;
}

/** Team managers follow the social worker's team: one allocation per stretch in the same team. */
function teamManagers(segments: readonly TeamSegment[]): Segment[] {
  const out: Segment[] = [];
  for (const s of segments) {
    const last = out.at(-1);
    if (last && last.workerId === s.team.managerId) last.end = s.end;
    else out.push({ workerId: s.team.managerId, start: s.start, end: s.end });
  }
  return out;
}

/** IROs rarely change: continuity is the point of the role. */
function iros(r: Random, ctx: DemoContext, start: string, end: string | null, first: string): Segment[] {
  const stop = end ?? addDays(ctx.asAt, 1);
  let current: Segment = { workerId: first, start, end: null };
  const segments: Segment[] = [current];
  let at = start;
  for (;;) {
    at = addDays(at, Math.max(90, Math.round(r.erlang(1, 365 / 0.08))));
    if (at >= stop) break;
    current.end = addDays(at, -1);
    current = { workerId: pickOther(r, ctx.staff.iroIds, current.workerId), start: at, end: null };
    segments.push(current);
  }
  current.end = end;
  return segments;
}

/** The part of a timeline within [from, to]. */
function clip<T extends Segment>(segments: readonly T[], from: string, to: string | null): Segment[] {
  const out: Segment[] = [];
  for (const s of segments) {
    const start = s.start > from ? s.start : from;
    const end = to === null ? s.end : s.end === null || s.end > to ? to : s.end;
    if (end !== null && end < start) continue;
    out.push({ workerId: s.workerId, start, end });
  }
  return out;
}

function workerAt(segments: readonly Segment[], date: string): string | null {
  for (const s of segments) if (s.start <= date && (s.end === null || date <= s.end)) return s.workerId;
  return null;
}

function transferDate(r: Random, period: Period): string | null {
  const order = period.legal.find((l) => l.status === 'C2' || l.status === 'E1');
  return order ? addDays(order.date, r.int(0, 60)) : null;
}

function homeTeam(r: Random, ctx: DemoContext, locality: 'north' | 'south', disabled: boolean): Team {
  return r.pick(ctx.staff.teamsOf[disabled ? 'disabilities' : locality]);
}

interface Allocation {
  sw: TeamSegment[];
  iro: Segment[];
}

// Per-review draws, hoisted: these run for every review, millions at national size.
const DECISIONS_DAYS: Weighted<readonly [number, number] | null> = [
  [[1, 5], 0.85],
  [[6, 15], 0.12],
  [null, 0.03],
];
const RECORD_DAYS: Weighted<readonly [number, number] | null> = [
  [[3, 20], 0.78],
  [[21, 45], 0.19],
  [null, 0.03],
];
const CARE_PLAN_UP_TO_DATE = [
  [true, 0.9],
  [false, 0.08],
  [null, 0.02],
] as const;
const CHILD_SEEN = [
  [true, 0.86],
  [false, 0.12],
  [null, 0.02],
] as const;

/** The review records of a period, with the IRO in post on each date and the record's timeliness. */
function reviewRecords(
  r: Random,
  ctx: DemoContext,
  dob: string,
  period: Period,
  slots: readonly ReviewSlot[],
  iroSegments: readonly Segment[],
): ReviewRecord[] {
  // One stream for the period's reviews in date order: a fork per review cost more than the rest of the review.
  return slots.map((slot) => {
    const decisionsDays = r.weighted(DECISIONS_DAYS);
    const recordDays = r.weighted(RECORD_DAYS);
    const decisions = decisionsDays ? addWorkingDays(slot.date, r.int(decisionsDays[0], decisionsDays[1])) : null;
    let record = recordDays ? addWorkingDays(slot.date, r.int(recordDays[0], recordDays[1])) : null;
    if (record !== null && decisions !== null && record < decisions) record = decisions;
    return {
      ...slot,
      participation: participationFor(r, yearsOld(dob, slot.date)),
      iroId: workerAt(iroSegments, slot.date),
      plan: planAtReview(r, period, slot.sequence, slot.date),
      carePlanUpToDate: r.weighted(CARE_PLAN_UP_TO_DATE),
      childSeenBeforeReview: r.weighted(CHILD_SEEN),
      // Nothing is dated after the as-at date: a record not yet issued is simply blank.
      decisionsIssued: decisions !== null && decisions <= ctx.asAt ? decisions : null,
      recordIssued: record !== null && record <= ctx.asAt ? record : null,
      // A stream of its own, so the other draws (and the demo's figures) are as they were before reasons were recorded.
      lateReason: slot.late ? lateReasonFor(r.fork(`late:${slot.date}`)) : null,
    };
  });
}

// ---------------------------------------------------------------------------------------------------------------
// The family

interface Identity {
  childId: string;
  sex: Sex;
  ethnicity: string;
  upn: string;
  mother: '' | '0' | '1';
  motherChildDob: string | null;
}

function identity(r: Random, ctx: DemoContext, number: number, dob: string, familyEthnicity: string): Identity {
  const sex: Sex = r.chance(0.56) ? 'M' : 'F';
  const age = yearsOld(dob, ctx.asAt);
  let mother: '' | '0' | '1' = '';
  let motherChildDob: string | null = null;
  // The DfE asks whether every girl looked after is a mother (rule 393): 0 unless she is.
  if (sex === 'F') {
    mother = '0';
    const fourteenth = birthday(dob, 14);
    if (age >= 15 && r.chance(0.02) && fourteenth < ctx.asAt) {
      mother = '1';
      motherChildDob = dateBetween(r, birthday(dob, 15), addDays(ctx.asAt, -1));
    }
  }
  return {
    childId: `D${String(number).padStart(6, '0')}`,
    sex,
    ethnicity: r.chance(0.9) ? familyEthnicity : r.weighted(ETHNICITY),
    // Synthetic UPNs only; UN1 is the SSDA903 code for a child not yet of school age with no UPN.
    // A UPN's shape (a letter, then 12 digits: the DfE's rule 168), under the local authority number 999, which no authority has.
    upn: age < 5 ? 'UN1' : `Z999${String(number).padStart(9, '0')}`,
    mother,
    motherChildDob,
  };
}

/** Personal adviser and Leaving Care team manager from shortly before the 18th birthday until 21 (or still current). */
function leavingCareSupport(
  r: Random,
  ctx: DemoContext,
  dob: string,
  periodStart: string,
  leftCare: string,
  pa: { team: Team; workerId: string },
): Segment[] {
  const sixteenth = birthday(dob, 16);
  let start = addDays(leftCare, -r.int(0, 240));
  if (start < sixteenth) start = sixteenth;
  if (start < periodStart) start = periodStart;
  const twentyFirst = birthday(dob, 21);
  const end = twentyFirst <= ctx.asAt ? addDays(twentyFirst, -1) : null;
  return [
    { workerId: pa.workerId, start, end },
    { workerId: pa.team.managerId, start, end },
  ];
}

function pickPa(r: Random, ctx: DemoContext): { team: Team; workerId: string } {
  const team = r.pick(ctx.staff.teamsOf.leavingCare);
  return { team, workerId: r.pick(team.workerIds) };
}

/** Builds family number `index`; child ids are numbered on from `firstChildNumber`. */
export function generateFamily(
  r: Random,
  ctx: DemoContext,
  index: number,
  firstChildNumber: number,
  showcase?: Showcase,
): DemoFamily {
  const locality: 'north' | 'south' = r.chance(0.5) ? 'north' : 'south';
  const familyEthnicity = r.weighted(ETHNICITY);
  const homePostcode = fakePostcode(r);
  const inCare = showcase !== undefined || r.chance(ctx.stillInCareShare);
  const groupShowcase =
    showcase === 'twoIrosWithConflict' ||
    showcase === 'twoIrosWithoutConflict' ||
    showcase === 'severalSwsAndTms' ||
    showcase === 'groupWithCareLeaver';
  const isGroup = groupShowcase || (showcase === undefined && r.chance(0.145));

  if (isGroup) {
    // A drawn group can come out too small (siblings too old to have been in care together): draw again a few times.
    let group: GroupPlan | undefined;
    for (let attempt = 0; attempt < 5 && !group; attempt++)
      group = planGroup(r.fork(`plan/${attempt}`), ctx, inCare, showcase);
    if (group)
      return buildGroup(r, ctx, index, firstChildNumber, group, locality, familyEthnicity, homePostcode, showcase);
  }

  // A lone child.
  const shortBreak = showcase === 'shortBreaks' || (showcase === undefined && inCare && r.chance(0.006));
  let plan: ChildPlan;
  if (shortBreak) {
    const dob = dobForAge(r, ctx.asAt, [5, 18]);
    const start = addDays(ctx.asAt, -r.int(60, Math.min(5 * 365, daysBetween(dob, ctx.asAt) - 1)));
    plan = {
      dob,
      periods: [{ start, end: null, endReason: null, kind: 'shortBreak' }],
      sharesGroupPeriod: false,
      leftAt18: false,
    };
  } else {
    plan = inCare ? planInCare(r.fork('plan'), ctx, showcase === 'returnedToCare') : planLeaver(r.fork('plan'), ctx);
  }
  const cr = r.fork('child/0');
  const id = identity(cr.fork('identity'), ctx, firstChildNumber, plan.dob, familyEthnicity);
  const disabled = shortBreak || cr.chance(0.03);
  const categoryOfNeed: CategoryOfNeed = disabled ? 'N2' : cr.weighted(CATEGORY_OF_NEED);
  const child: DemoChild = {
    ...id,
    dob: plan.dob,
    homePostcode,
    periods: [],
    involvements: [],
    conflictOfInterest: false,
    careLeaver: false,
  };
  let previousIro: string | undefined;
  plan.periods.forEach((pp, i) => {
    const pr = cr.fork(`period/${i}`);
    const period = buildPeriod(pr, { ...pp, dob: plan.dob, asAt: ctx.asAt, categoryOfNeed, homePostcode });
    const firstIro = previousIro !== undefined && pr.chance(0.5) ? previousIro : pr.pick(ctx.staff.iroIds);
    const alloc: Allocation = {
      sw: socialWorkers(
        pr.fork('sw'),
        ctx,
        homeTeam(pr, ctx, locality, disabled),
        pp.start,
        pp.end,
        disabled ? null : transferDate(pr, period),
      ),
      iro: iros(pr.fork('iro'), ctx, pp.start, pp.end, firstIro),
    };
    previousIro = alloc.iro.at(-1)!.workerId;
    addPeriod(pr, ctx, child, period, alloc, undefined);
  });
  const last = plan.periods.at(-1)!;
  if (plan.leftAt18 && last.end !== null) {
    const support = leavingCareSupport(
      cr.fork('pa'),
      ctx,
      plan.dob,
      last.start,
      last.end,
      pickPa(cr.fork('pa-pick'), ctx),
    );
    addInvolvements(child, 'PA', [support[0]!]);
    addInvolvements(child, 'TM', [support[1]!]);
    child.careLeaver = support[0]!.end === null;
  }
  return { familyId: null, children: [child], allocation: 'single', twoIros: false };
}

function addInvolvements(child: DemoChild, role: 'SW' | 'TM' | 'IRO' | 'PA', segments: readonly Segment[]): void {
  for (const s of segments) child.involvements.push({ workerId: s.workerId, role, start: s.start, end: s.end });
}

/** Adds one period with its reviews, health events and allocations; `slots` are shared when siblings are reviewed together. */
function addPeriod(
  r: Random,
  ctx: DemoContext,
  child: DemoChild,
  period: Period,
  alloc: Allocation,
  slots: readonly ReviewSlot[] | undefined,
): void {
  const end = period.end;
  const sw = clip(alloc.sw, period.start, end);
  const tm = clip(teamManagers(alloc.sw), period.start, end);
  const iro = clip(alloc.iro, period.start, end);
  addInvolvements(child, 'SW', sw);
  addInvolvements(child, 'TM', tm);
  addInvolvements(child, 'IRO', iro);
  // A child on short breaks only is reviewed under reg 48: the short-break intervals stand in for reg 33's.
  const timescales =
    period.kind === 'shortBreak'
      ? {
          ...ctx.timescales,
          firstReview: ctx.timescales.shortBreakFirstReview,
          secondReview: ctx.timescales.shortBreakLaterReviews,
          laterReviews: ctx.timescales.shortBreakLaterReviews,
        }
      : ctx.timescales;
  const ownSlots = (
    period.kind === 'shortBreak'
      ? reviewSlots(r.fork('short-break-reviews'), period.start, end, ctx.asAt, timescales)
      : (slots ?? reviewSlots(r.fork('reviews'), period.start, end, ctx.asAt, timescales))
  ).filter((s) => end === null || s.date < end);
  child.periods.push({
    period,
    reviews: reviewRecords(r.fork('review-records'), ctx, child.dob, period, ownSlots, iro),
    health: period.kind === 'shortBreak' ? [] : healthEvents(r.fork('health'), child.dob, period.start, end, ctx.asAt),
  });
}

function buildGroup(
  r: Random,
  ctx: DemoContext,
  index: number,
  firstChildNumber: number,
  group: GroupPlan,
  locality: 'north' | 'south',
  familyEthnicity: string,
  homePostcode: string,
  showcase: Showcase | undefined,
): DemoFamily {
  const gr = r.fork('group');
  const categoryOfNeed: CategoryOfNeed = gr.weighted(CATEGORY_OF_NEED);
  const disabledGroup = categoryOfNeed === 'N2';
  const groupPeriod = buildPeriod(gr.fork('period'), {
    kind: group.kind,
    dob: group.leadDob,
    start: group.start,
    end: group.end,
    endReason: group.endReason,
    asAt: ctx.asAt,
    categoryOfNeed,
    homePostcode,
  });
  const groupSlots = reviewSlots(gr.fork('reviews'), group.start, group.end, ctx.asAt, ctx.timescales);

  // The group's allocation spans every member's time in care.
  const spanStart = group.members.map((m) => m.periods[0]!.start).sort()[0]!;
  const spanEnd = group.members.some((m) => m.periods[0]!.end === null)
    ? null
    : group.members
        .map((m) => m.periods[0]!.end!)
        .sort()
        .at(-1)!;
  const team = homeTeam(gr, ctx, locality, disabledGroup);
  const transfer = disabledGroup ? null : transferDate(gr, groupPeriod);
  const shared: Allocation = {
    sw: socialWorkers(gr.fork('sw'), ctx, team, spanStart, spanEnd, transfer),
    iro: iros(gr.fork('iro'), ctx, spanStart, spanEnd, gr.pick(ctx.staff.iroIds)),
  };

  // Like Cheshire East's Q1 check: most groups share one SW, TM and IRO; a good share do not.
  const allocation =
    showcase === 'severalSwsAndTms'
      ? 'twoTeams'
      : showcase !== undefined
        ? 'shared'
        : gr.weighted([
            ['shared', 0.63],
            ['twoSw', 0.2],
            ['twoTeams', 0.17],
          ] as const);
  const twoIros =
    showcase === 'twoIrosWithConflict' ||
    showcase === 'twoIrosWithoutConflict' ||
    (showcase === undefined && gr.chance(0.08));
  const conflict = showcase === 'twoIrosWithConflict' || (showcase === undefined && twoIros && gr.chance(0.5));

  const divergent = new Set<number>();
  if (allocation !== 'shared') {
    // Members are listed youngest first; the older ones are the ones who most often get a worker of their own.
    const k = gr.int(1, group.members.length - 1);
    for (let i = group.members.length - 1; divergent.size < k; i--) divergent.add(i);
  }
  let alternative: TeamSegment[] | undefined;
  if (allocation === 'twoSw') {
    alternative = socialWorkers(gr.fork('sw-alt'), ctx, team, spanStart, spanEnd, transfer, shared.sw[0]!.workerId);
  } else if (allocation === 'twoTeams') {
    const field = ctx.staff.fieldTeams;
    const otherTeam = field.length > 1 ? pickOther(gr, field, team) : team;
    alternative = socialWorkers(
      gr.fork('sw-alt'),
      ctx,
      otherTeam,
      spanStart,
      spanEnd,
      otherTeam.serviceKey === 'permanence' ? null : transfer,
      shared.sw[0]!.workerId,
    );
  }
  // The member with the second IRO is one still in care where possible, so the split shows in current allocations.
  const stillIn = group.members.flatMap((m, i) => (m.periods[0]!.end === null ? [i] : []));
  const otherIroMember = twoIros ? gr.pick(stillIn.length ? stillIn : group.members.map((_, i) => i)) : -1;
  const otherIro = twoIros
    ? iros(gr.fork('iro-alt'), ctx, spanStart, spanEnd, pickOther(gr, ctx.staff.iroIds, shared.iro[0]!.workerId))
    : undefined;
  const groupPa = pickPa(gr.fork('pa'), ctx);

  const familyId = `F${String(index + 1).padStart(4, '0')}`;
  const children = group.members.map((m, i) => {
    const cr = r.fork(`child/${i}`);
    const id = identity(cr.fork('identity'), ctx, firstChildNumber + i, m.dob, familyEthnicity);
    const child: DemoChild = {
      ...id,
      dob: m.dob,
      homePostcode,
      periods: [],
      involvements: [],
      conflictOfInterest: conflict && i === otherIroMember,
      careLeaver: false,
    };
    const pp = m.periods[0]!;
    const period = m.sharesGroupPeriod
      ? sharePeriod(groupPeriod, pp.end, pp.endReason)
      : buildPeriod(cr.fork('period'), { ...pp, dob: m.dob, asAt: ctx.asAt, categoryOfNeed, homePostcode });
    const alloc: Allocation = {
      sw: divergent.has(i) && alternative ? alternative : shared.sw,
      iro: i === otherIroMember && otherIro ? otherIro : shared.iro,
    };
    addPeriod(cr, ctx, child, period, alloc, m.sharesGroupPeriod ? groupSlots : undefined);
    if (m.leftAt18 && pp.end !== null) {
      // Some care leavers who are siblings have different PAs each (Cheshire East).
      const pa = cr.chance(0.6) ? groupPa : pickPa(cr.fork('pa-pick'), ctx);
      const support = leavingCareSupport(cr.fork('pa'), ctx, m.dob, pp.start, pp.end, pa);
      addInvolvements(child, 'PA', [support[0]!]);
      addInvolvements(child, 'TM', [support[1]!]);
      child.careLeaver = support[0]!.end === null;
    }
    return child;
  });
  return { familyId, children, allocation, twoIros };
}
