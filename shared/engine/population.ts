/**
 * Population rules: which audit units a child's records (or a sibling group's) yield for a
 * template, and the facts each unit offers its criteria. Pure functions over records.
 */
import { createHash } from 'node:crypto';
import { addCalendarMonths, addDays } from '#calendar/dates';
import { ageOn } from '#domain/dates';
import type { ProfessionalRole } from '#domain/codes';
import type { ChildRecords, HealthEvent, Involvement, Oc2Outcome, Professional } from '#domain/records';
import { lookedAfterOn, periodContaining, periodsOfCare, type PeriodOfCare } from '#domain/period-of-care';
import { childDueReviews, DUE_OUTCOMES, REVIEW_KINDS } from '#domain/review-schedule';
import type { TimescaleSet } from '#domain/timescales';
import type { Facts } from './conditions.ts';
import type { PopulationRule } from './template.ts';

export interface AuditPeriod {
  from: string;
  to: string;
}

/** One thing the audit judges: a review, a child or a sibling group. */
export interface AuditUnit {
  /** Stable within the authority: the same review, child or group gives the same id in every audit. */
  unitId: string;
  childIds: string[];
  /** The service and team of the allocated social worker when the unit is judged (who should act). */
  service: string | null;
  team: string | null;
  /**
   * Every IRO the child(ren) ever had — allocated as their IRO at any date, before, during or after
   * the period, or chairing any of their reviews — and the unit's own IRO: none may grade this unit.
   */
  ownIroIds: string[];
  /** The IRO when the unit is judged (for the breakdown by IRO). */
  iroId: string | null;
  /** When the unit happened (a review's date; the period end for children and groups). */
  date: string;
  facts: Facts;
}

export interface PopulationContext {
  authorityId: string;
  period: AuditPeriod;
  timescales: TimescaleSet;
  professionals: ReadonlyMap<string, Professional>;
}

/** A child's id as published: a keyed hash, the same in every audit of the authority, so changes can be tracked without names or ids. */
export function pseudonymousChildId(authorityId: string, childId: string): string {
  return `P-${createHash('sha256').update(`${authorityId}\u0000${childId}`).digest('hex').slice(0, 10)}`;
}

const activeOn = (i: Involvement, date: string) => i.startDate <= date && (i.endDate === null || date <= i.endDate);

/** The worker of `role` allocated on `date` (the latest-started when several overlap). */
function allocatedOn(involvements: readonly Involvement[], role: ProfessionalRole, date: string): string | null {
  const active = involvements
    .filter((i) => i.role === role && activeOn(i, date))
    .sort((a, b) => b.startDate.localeCompare(a.startDate));
  return active[0]?.workerId ?? null;
}

function placeOf(
  involvements: readonly Involvement[],
  date: string,
  ctx: PopulationContext,
): { service: string | null; team: string | null } {
  const worker = allocatedOn(involvements, 'SW', date) ?? allocatedOn(involvements, 'PA', date);
  const professional = worker ? ctx.professionals.get(worker) : undefined;
  return { service: professional?.service ?? null, team: professional?.team ?? null };
}

/**
 * Every IRO a child has ever had, whatever the audit period: each IRO allocation at any date and the
 * chair of each review. Independence is for life: an IRO who was the child's from 2014 to 2021, or
 * chaired one review in 2024, never grades the child's record.
 */
export function iroIdsEver(
  records: Pick<ChildRecords, 'involvements' | 'reviews'>,
  extra: (string | null)[] = [],
): string[] {
  const ids = [
    ...records.involvements.filter((i) => i.role === 'IRO').map((i) => i.workerId),
    ...records.reviews.map((r) => r.iroId),
    ...extra,
  ];
  return [...new Set(ids.filter((x): x is string => x !== null))].sort();
}

/** Which reviews a review rule yields: held in the period (the rules of older templates), second reviews, or every review due or held. */
type ReviewSelection = 'held' | 'second' | 'due-or-held';

/** NI 66's cohort: looked after at the period end, continuously for at least 4 weeks, under reg 33 (not short breaks only). */
function lookedAfterFourWeeksAtEnd(periods: readonly PeriodOfCare[], to: string): boolean {
  const period = periodContaining(periods, to);
  return (
    period !== undefined &&
    !period.shortBreaksOnly &&
    (period.endDate === null || period.endDate > to) &&
    period.startDate <= addDays(to, -28)
  );
}

/**
 * Review units, from the statutory schedule laid over the child's reviews (review-schedule.ts).
 * `due-or-held`: every review that fell due in the period, held or not, and every review held in the
 * period (one held late after falling due before the period is judged in the period it fell due, and
 * is still a review held, for the table by month held). `held` and `second`: reviews held in the
 * period under reg 33, all or only the second of a period of care.
 */
function reviewUnits(records: ChildRecords, ctx: PopulationContext, selection: ReviewSelection): AuditUnit[] {
  const child = records.child;
  if (!child) return [];
  const { from, to } = ctx.period;
  const periods = periodsOfCare(records.episodes);
  const ni66 = lookedAfterFourWeeksAtEnd(periods, to);
  const units: AuditUnit[] = [];
  for (const due of childDueReviews(periods, records.reviews, ctx.timescales, to)) {
    const review = due.review;
    const heldInPeriod = review !== null && review.reviewDate >= from && review.reviewDate <= to;
    const dueInPeriod = due.dueDate >= from && due.dueDate <= to;
    if (selection === 'due-or-held' ? !(heldInPeriod || dueInPeriod) : !heldInPeriod || due.kind !== 'looked-after')
      continue;
    if (selection === 'second' && due.sequence !== 2) continue;
    const date = review?.reviewDate ?? due.dueDate;
    const episode = due.schedule.periods
      .flatMap((p) => p.episodes)
      .filter((e) => e.startDate <= date)
      .at(-1);
    const iroId = review?.iroId ?? allocatedOn(records.involvements, 'IRO', date);
    const facts: Facts = {
      'audit.from': from,
      'audit.to': to,
      'child.dateOfBirth': child.dateOfBirth,
      'period.start': due.schedule.start,
      'period.end': due.schedule.end,
      'review.date': review?.reviewDate ?? null,
      'review.sequence': due.sequence,
      'review.dueDate': due.dueDate,
      'review.previousDate': due.sequence === 1 ? null : due.countedFrom,
      'review.participationCode': review?.participationCode ?? null,
      'review.permanencePlan': review?.permanencePlan ?? null,
      'review.carePlanUpToDate': review?.carePlanUpToDate ?? null,
      'review.childSeenBeforeReview': review?.childSeenBeforeReview ?? null,
      'review.decisionsIssued': review?.decisionsIssued ?? null,
      'review.recordIssued': review?.recordIssued ?? null,
      'review.iroId': iroId,
      'review.legalStatus': episode?.legalStatus ?? null,
    };
    if (selection === 'due-or-held') {
      Object.assign(facts, {
        'review.kind': REVIEW_KINDS[due.kind],
        'review.outcome': DUE_OUTCOMES[due.outcome],
        'review.daysLate': due.daysLate,
        'review.dueInPeriod': dueInPeriod,
        'review.heldInPeriod': heldInPeriod,
        'review.meetings': review?.meetings ?? 0,
        'review.firstMeeting': review?.firstMeeting ?? null,
        'review.stoodDownMeetings': due.stoodDown.length,
        'review.lateReason': review?.lateReason ?? null,
        'child.lookedAfter4WeeksAtPeriodEnd': ni66,
      });
    }
    units.push({
      unitId: review ? `${child.childId}:${review.reviewDate}` : `${child.childId}:due:${due.dueDate}`,
      childIds: [child.childId],
      ...placeOf(records.involvements, date, ctx),
      ownIroIds: iroIdsEver(records, [iroId]),
      iroId,
      date,
      facts,
    });
  }
  return units;
}

/**
 * The period of care containing `date` if the child had been looked after on every day of the 12
 * months ending on it: the DfE's OC2 cohort at 31 March is the children looked after from 1 April
 * (or earlier) to 31 March, so a child who came into care on 1 April 2015 is in the cohort at
 * 31 March 2016 and one who came in on 2 April is not. Short breaks alone (V3/V4) do not count.
 */
export function continuousTwelveMonths(periods: readonly PeriodOfCare[], date: string): PeriodOfCare | undefined {
  const period = periodContaining(periods, date);
  return period && period.startDate <= addDays(addCalendarMonths(date, -12), 1) && !period.shortBreaksOnly
    ? period
    : undefined;
}

// HA: an Ofsted Annex A health assessment, initial or review not stated; either kind counts here.
const ASSESSMENTS: ReadonlySet<HealthEvent['type']> = new Set(['IHA', 'RHA', 'HA']);

/** Where a child's health figures came from, as the findings name it. */
export type HealthSource = 'health extract' | 'OC2';

/**
 * The 31 March whose OC2 return an audit ending on `periodEnd` reads: the latest 31 March on or
 * before the period end, which is always within the 12 months to it (the period end itself when
 * the period ends on 31 March). An audit to 31 December 2016 reads the return for 31 March 2016.
 */
export function oc2YearEndingFor(periodEnd: string): string {
  const year = Number(periodEnd.slice(0, 4));
  return `${periodEnd.slice(5) >= '03-31' ? year : year - 1}-03-31`;
}

/**
 * Whether the health extract covers a child for an audit ending on `periodEnd`: it holds at least
 * one event for the child (any type, any status: planned, refused and cancelled ones too) dated in
 * the 12 months to the period end. An extract that recorded the child during the year the audit
 * looks back over is the richer source (dates, the child's presence); one silent about the child
 * that year says nothing either way, so the OC2 return is read instead.
 */
export function healthExtractCovers(events: readonly HealthEvent[], periodEnd: string): boolean {
  const yearAgo = addCalendarMonths(periodEnd, -12);
  return events.some((h) => h.date > yearAgo && h.date <= periodEnd);
}

/** The figures both sources can give, as facts the health template's criteria and the health table read. */
interface HealthFigures {
  source: HealthSource | null;
  /** The date the figures describe and ages are taken at: the period end, or the OC2 return's 31 March. */
  asAt: string;
  assessmentUpToDate: boolean | null;
  immunisationsUpToDate: boolean | null;
  teethChecked: boolean | null;
  developmentUpToDate: boolean | null;
  sdqScored: boolean | null;
}

/** The latest completed events of each kind the audit reads from the health extract, up to the period end. */
interface ExtractEvents {
  assessment: HealthEvent | null;
  dental: HealthEvent | null;
  development: HealthEvent | null;
  sdq: HealthEvent | null;
  /** The initial health assessment of the current period of care. */
  initial: HealthEvent | null;
}

function latestExtractEvents(events: readonly HealthEvent[], periodStart: string, periodEnd: string): ExtractEvents {
  const completed = events
    .filter((h) => h.status === 'Completed' && h.date <= periodEnd)
    .sort((a, b) => a.date.localeCompare(b.date));
  const last = (match: (h: HealthEvent) => boolean) => completed.filter(match).at(-1) ?? null;
  return {
    assessment: last((h) => ASSESSMENTS.has(h.type)),
    dental: last((h) => h.type === 'DENTAL'),
    development: last((h) => h.type === 'DEVELOPMENT'),
    sdq: last((h) => h.type === 'SDQ'),
    initial: completed.find((h) => h.type === 'IHA' && h.date >= periodStart) ?? null,
  };
}

/**
 * From the health extract, as at the period end: an assessment within the statutory interval (6
 * months under 5, 12 months from 5), the latest assessment's immunisations, and a dental check,
 * development check and scored SDQ within the 12 months.
 */
function extractFigures(latest: ExtractEvents, dateOfBirth: string, periodEnd: string): HealthFigures {
  const within = (months: number, event: HealthEvent | null) =>
    event !== null && event.date > addCalendarMonths(periodEnd, -months);
  return {
    source: 'health extract',
    asAt: periodEnd,
    assessmentUpToDate: within(ageOn(dateOfBirth, periodEnd) < 5 ? 6 : 12, latest.assessment),
    immunisationsUpToDate: latest.assessment?.immunisationsUpToDate ?? null,
    teethChecked: within(12, latest.dental),
    developmentUpToDate: within(12, latest.development),
    sdqScored: within(12, latest.sdq) && latest.sdq?.sdqScore !== null,
  };
}

/** From the DfE's OC2 return, as at its 31 March: its flags as returned (a blank flag stays unknown). */
function oc2Figures(row: Oc2Outcome): HealthFigures {
  return {
    source: 'OC2',
    asAt: row.yearEnding,
    assessmentUpToDate: row.healthAssessment,
    immunisationsUpToDate: row.immunisations,
    teethChecked: row.teethCheck,
    // HEALTH_CHECK: the development assessment, returned only for children under 5 at 31 March (DfE rules 545 and 546).
    developmentUpToDate: row.healthCheck,
    // A reason instead of a score (SDQ1–SDQ5) is an SDQ not scored; neither is not recorded.
    sdqScored: row.sdqScore !== null ? true : row.sdqReason !== null ? false : null,
  };
}

/**
 * The OC2 cohort unit for a child looked after continuously for 12+ months at the period end. The
 * cohort is decided by the episodes, as the DfE derives its own: an OC2 row for a child the
 * episodes leave out is not counted. The figures come from one source per child, never both: the
 * health extract when it covers the child (healthExtractCovers); otherwise the child's OC2 row for
 * the return the audit reads (oc2YearEndingFor); otherwise the extract's older events, which show
 * what is overdue. A child with none of these has no source, and every figure is unknown.
 */
function healthUnit(records: ChildRecords, ctx: PopulationContext): AuditUnit[] {
  const child = records.child;
  if (!child) return [];
  const period = continuousTwelveMonths(periodsOfCare(records.episodes), ctx.period.to);
  if (!period) return [];
  const to = ctx.period.to;
  const oc2 = records.oc2.find((o) => o.yearEnding === oc2YearEndingFor(to));
  const hasExtract = records.healthEvents.some((h) => h.date <= to);
  const useExtract = healthExtractCovers(records.healthEvents, to) || (!oc2 && hasExtract);
  // The extract's own dates and details stay unknown for a child whose figures come from OC2, which has none.
  const latest = useExtract ? latestExtractEvents(records.healthEvents, period.startDate, to) : null;
  const figures: HealthFigures = latest
    ? extractFigures(latest, child.dateOfBirth, to)
    : oc2
      ? oc2Figures(oc2)
      : {
          source: null,
          asAt: to,
          assessmentUpToDate: null,
          immunisationsUpToDate: null,
          teethChecked: null,
          developmentUpToDate: null,
          sdqScored: null,
        };
  return [
    {
      unitId: `${child.childId}:oc2:${to}`,
      childIds: [child.childId],
      ...placeOf(records.involvements, to, ctx),
      ownIroIds: iroIdsEver(records),
      iroId: allocatedOn(records.involvements, 'IRO', to),
      date: to,
      facts: {
        'audit.from': ctx.period.from,
        'audit.to': to,
        'child.dateOfBirth': child.dateOfBirth,
        'period.start': period.startDate,
        'health.source': figures.source,
        'health.asAt': figures.asAt,
        'health.assessmentUpToDate': figures.assessmentUpToDate,
        'health.immunisationsUpToDate': figures.immunisationsUpToDate,
        'health.teethChecked': figures.teethChecked,
        'health.developmentUpToDate': figures.developmentUpToDate,
        'health.sdqScored': figures.sdqScored,
        'health.lastAssessment': latest?.assessment?.date ?? null,
        'health.lastAssessmentImmunisationsUpToDate': latest?.assessment?.immunisationsUpToDate ?? null,
        'health.assessmentChildPresent': latest?.assessment?.childPresent ?? null,
        'health.assessmentViewsRecorded': latest?.assessment?.viewsRecorded ?? null,
        'health.initialAssessment': latest?.initial?.date ?? null,
        'health.lastDental': latest?.dental?.date ?? null,
        'health.lastDevelopment': latest?.development?.date ?? null,
        'health.lastSdq': latest?.sdq?.date ?? null,
        'health.lastSdqScore': latest ? (latest.sdq?.sdqScore ?? null) : (oc2?.sdqScore ?? null),
      },
    },
  ];
}

/** Units that one child's records yield under a per-child population rule. */
export function childUnits(
  rule: Exclude<PopulationRule, 'sibling-groups-at-period-end'>,
  records: ChildRecords,
  ctx: PopulationContext,
): AuditUnit[] {
  switch (rule) {
    case 'reviews-in-period':
      return reviewUnits(records, ctx, 'held');
    case 'second-reviews-in-period':
      return reviewUnits(records, ctx, 'second');
    case 'reviews-due-in-period':
      return reviewUnits(records, ctx, 'due-or-held');
    case 'oc2-cohort-at-period-end':
      return healthUnit(records, ctx);
  }
}

/** How one member of a sibling group stands at the period end: all the group unit needs of a child, so a scan keeps only this. */
export interface SiblingStanding {
  childId: string;
  familyId: string;
  status: 'looked-after' | 'care-leaver' | 'not-counted';
  conflictOfInterest: boolean;
  /** The social worker allocated at the period end (a care leaver may have one, as the Q1 check's rows show). */
  socialWorker: string | null;
  teamManager: string | null;
  /** A care leaver's personal adviser at the period end. */
  personalAdviser: string | null;
  iro: string | null;
  /** Every IRO the child ever had (iroIdsEver): none of them may grade the group. */
  irosEver: string[];
}

/**
 * A child's standing in each sibling group they belong to, at the period end. Only allocations
 * current at the period end count. A care leaver is a young person no longer looked after, who left
 * care on or after their 16th birthday (or has a personal adviser, whom only care leavers have),
 * and who is still allocated to a worker at the period end: a personal adviser, or a social worker
 * (the Cheshire East Q1 check's row "2 siblings (1 of them a care leaver) – 2 SWs and 2 TMs – 1 IRO"
 * counts a care leaver under a social worker).
 */
export function siblingStandings(records: ChildRecords, ctx: PopulationContext): SiblingStanding[] {
  const end = ctx.period.to;
  const childId = records.child?.childId ?? records.siblingGroups[0]?.childId;
  if (childId === undefined) return [];
  const periods = periodsOfCare(records.episodes);
  const personalAdviser = allocatedOn(records.involvements, 'PA', end);
  const socialWorker = allocatedOn(records.involvements, 'SW', end);
  const lastLeft = periods.filter((p) => p.endDate !== null && p.endDate <= end).at(-1)?.endDate ?? null;
  const dateOfBirth = records.child?.dateOfBirth ?? null;
  const leftAt16OrOver =
    lastLeft !== null && dateOfBirth !== null && lastLeft >= addCalendarMonths(dateOfBirth, 16 * 12);
  const status = lookedAfterOn(periods, end)
    ? 'looked-after'
    : personalAdviser !== null || (leftAt16OrOver && socialWorker !== null)
      ? 'care-leaver'
      : 'not-counted';
  return records.siblingGroups.map((membership) => ({
    childId,
    familyId: membership.familyId,
    status,
    conflictOfInterest: membership.conflictOfInterest === true,
    socialWorker: status === 'not-counted' ? null : socialWorker,
    teamManager: status === 'not-counted' ? null : allocatedOn(records.involvements, 'TM', end),
    personalAdviser: status === 'care-leaver' ? personalAdviser : null,
    iro: allocatedOn(records.involvements, 'IRO', end),
    irosEver: iroIdsEver(records),
  }));
}

/** The sibling-group unit, when two or more members are looked after or still-allocated care leavers at the period end. */
export function siblingGroupUnit(
  familyId: string,
  members: readonly SiblingStanding[],
  ctx: PopulationContext,
): AuditUnit | null {
  const standings = members.filter((s) => s.familyId === familyId && s.status !== 'not-counted');
  if (standings.length < 2) return null;
  const distinct = (values: (string | null)[]) => [...new Set(values.filter((v): v is string => v !== null))].sort();
  const lookedAfter = standings.filter((s) => s.status === 'looked-after');
  const careLeavers = standings.filter((s) => s.status === 'care-leaver');
  // Social workers' side: every member with a social worker; a care leaver with only a personal adviser is on the PAs' side, their team manager with them ("+ 2 PAs and 1 TM").
  const withSocialWorker = standings.filter((s) => s.socialWorker !== null || s.status === 'looked-after');
  const withAdviserOnly = careLeavers.filter((s) => s.socialWorker === null && s.personalAdviser !== null);
  const iros = distinct(standings.map((s) => s.iro));
  // The group is placed with the team of the most common social worker (ties: by team name), so one team is named to act.
  const counts = new Map<string, { p: Professional; n: number }>();
  for (const s of withSocialWorker) {
    const p = s.socialWorker ? ctx.professionals.get(s.socialWorker) : undefined;
    if (p) counts.set(p.team, { p, n: (counts.get(p.team)?.n ?? 0) + 1 });
  }
  const lead = [...counts.values()].sort((a, b) => b.n - a.n || a.p.team.localeCompare(b.p.team))[0]?.p;
  const childIds = standings.map((s) => s.childId).sort();
  return {
    unitId: `family:${familyId}`,
    childIds,
    service: lead?.service ?? null,
    team: lead?.team ?? null,
    // Any member's IROs, ever: `?? []` reads a segment's standings written before they were kept.
    ownIroIds: distinct([...members.flatMap((m) => m.irosEver ?? []), ...iros]),
    iroId: iros.length === 1 ? iros[0]! : null,
    date: ctx.period.to,
    facts: {
      'audit.from': ctx.period.from,
      'audit.to': ctx.period.to,
      'group.children': childIds,
      'group.lookedAfter': lookedAfter.map((s) => s.childId).sort(),
      'group.careLeavers': careLeavers.map((s) => s.childId).sort(),
      'group.socialWorkers': distinct(withSocialWorker.map((s) => s.socialWorker)),
      'group.teamManagers': distinct(withSocialWorker.map((s) => s.teamManager)),
      'group.personalAdvisers': distinct(careLeavers.map((s) => s.personalAdviser)),
      'group.personalAdviserTeamManagers': distinct(withAdviserOnly.map((s) => s.teamManager)),
      'group.iros': iros,
      'group.conflictOfInterest': standings.some((s) => s.conflictOfInterest),
    },
  };
}
