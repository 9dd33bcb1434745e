/**
 * Population rules: which audit units a child's records (or a sibling group's) yield for a
 * template, and the facts each unit offers its criteria. Pure functions over records.
 */
import { createHash } from 'node:crypto';
import { addCalendarMonths } from '#calendar/dates';
import { reviewDueDate } from '#calendar/reg33';
import type { ProfessionalRole } from '#domain/codes';
import type { HealthEvent, Involvement, Professional } from '#domain/records';
import { lookedAfterOn, periodContaining, periodsOfCare, sequenceReviews, type PeriodOfCare } from '#domain/period-of-care';
import type { TimescaleSet } from '#domain/timescales';
import type { ChildRecords } from '#store/record-store';
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
  /** The IRO(s) the child(ren) had during the audit period: they may never grade this unit. */
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
const overlaps = (i: Involvement, from: string, to: string) => i.startDate <= to && (i.endDate === null || from <= i.endDate);

/** The worker of `role` allocated on `date` (the latest-started when several overlap). */
function allocatedOn(involvements: readonly Involvement[], role: ProfessionalRole, date: string): string | null {
  const active = involvements.filter((i) => i.role === role && activeOn(i, date)).sort((a, b) => b.startDate.localeCompare(a.startDate));
  return active[0]?.workerId ?? null;
}

function placeOf(involvements: readonly Involvement[], date: string, ctx: PopulationContext): { service: string | null; team: string | null } {
  const worker = allocatedOn(involvements, 'SW', date) ?? allocatedOn(involvements, 'PA', date);
  const professional = worker ? ctx.professionals.get(worker) : undefined;
  return { service: professional?.service ?? null, team: professional?.team ?? null };
}

function iroIdsDuring(involvements: readonly Involvement[], period: AuditPeriod, extra: (string | null)[] = []): string[] {
  const ids = involvements.filter((i) => i.role === 'IRO' && overlaps(i, period.from, period.to)).map((i) => i.workerId);
  return [...new Set([...ids, ...extra.filter((x): x is string => x !== null)])].sort();
}

/** Review units: every review held in the period, or only the second reviews of a period of care. */
function reviewUnits(records: ChildRecords, ctx: PopulationContext, onlySecond: boolean): AuditUnit[] {
  const child = records.child;
  if (!child) return [];
  const periods = periodsOfCare(records.episodes);
  const sequenced = sequenceReviews(periods, records.reviews);
  const units: AuditUnit[] = [];
  for (let i = 0; i < sequenced.length; i++) {
    const review = sequenced[i]!;
    if (review.reviewDate < ctx.period.from || review.reviewDate > ctx.period.to) continue;
    if (review.sequence === null || review.periodStart === null) continue;
    if (onlySecond && review.sequence !== 2) continue;
    const period = periodContaining(periods, review.reviewDate)!;
    if (period.shortBreaksOnly) continue;
    const previous = review.sequence === 1 ? null : [...sequenced.slice(0, i)].reverse().find((r) => r.periodStart === review.periodStart && r.sequence !== null) ?? null;
    const dueDate = reviewDueDate(review.sequence, previous?.reviewDate ?? period.startDate, ctx.timescales);
    const episode = period.episodes.filter((e) => e.startDate <= review.reviewDate).at(-1);
    const iroId = review.iroId ?? allocatedOn(records.involvements, 'IRO', review.reviewDate);
    units.push({
      unitId: `${child.childId}:${review.reviewDate}`,
      childIds: [child.childId],
      ...placeOf(records.involvements, review.reviewDate, ctx),
      ownIroIds: iroIdsDuring(records.involvements, ctx.period, [iroId]),
      iroId,
      date: review.reviewDate,
      facts: {
        'audit.from': ctx.period.from,
        'audit.to': ctx.period.to,
        'child.dateOfBirth': child.dateOfBirth,
        'period.start': period.startDate,
        'period.end': period.endDate,
        'review.date': review.reviewDate,
        'review.sequence': review.sequence,
        'review.dueDate': dueDate,
        'review.previousDate': previous?.reviewDate ?? null,
        'review.participationCode': review.participationCode,
        'review.permanencePlan': review.permanencePlan,
        'review.carePlanUpToDate': review.carePlanUpToDate,
        'review.childSeenBeforeReview': review.childSeenBeforeReview,
        'review.decisionsIssued': review.decisionsIssued,
        'review.recordIssued': review.recordIssued,
        'review.iroId': iroId,
        'review.legalStatus': episode?.legalStatus ?? null,
      },
    });
  }
  return units;
}

/** The period of care containing `date` if the child had then been looked after for 12 months or more. */
export function continuousTwelveMonths(periods: readonly PeriodOfCare[], date: string): PeriodOfCare | undefined {
  const period = periodContaining(periods, date);
  return period && period.startDate <= addCalendarMonths(date, -12) && !period.shortBreaksOnly ? period : undefined;
}

// HA: an Ofsted Annex A health assessment, initial or review not stated; either kind counts here.
const ASSESSMENTS: ReadonlySet<HealthEvent['type']> = new Set(['IHA', 'RHA', 'HA']);

/** The OC2 cohort unit for a child looked after continuously for 12+ months at the period end. */
function healthUnit(records: ChildRecords, ctx: PopulationContext): AuditUnit[] {
  const child = records.child;
  if (!child) return [];
  const periods = periodsOfCare(records.episodes);
  const period = continuousTwelveMonths(periods, ctx.period.to);
  if (!period) return [];
  const completed = records.healthEvents
    .filter((h) => h.status === 'Completed' && h.date <= ctx.period.to)
    .sort((a, b) => a.date.localeCompare(b.date));
  const last = (match: (h: HealthEvent) => boolean) => completed.filter(match).at(-1) ?? null;
  const assessment = last((h) => ASSESSMENTS.has(h.type));
  const sdq = last((h) => h.type === 'SDQ');
  const initial = completed.find((h) => h.type === 'IHA' && h.date >= period.startDate) ?? null;
  return [
    {
      unitId: `${child.childId}:oc2:${ctx.period.to}`,
      childIds: [child.childId],
      ...placeOf(records.involvements, ctx.period.to, ctx),
      ownIroIds: iroIdsDuring(records.involvements, ctx.period),
      iroId: allocatedOn(records.involvements, 'IRO', ctx.period.to),
      date: ctx.period.to,
      facts: {
        'audit.from': ctx.period.from,
        'audit.to': ctx.period.to,
        'child.dateOfBirth': child.dateOfBirth,
        'period.start': period.startDate,
        'health.lastAssessment': assessment?.date ?? null,
        'health.lastAssessmentImmunisationsUpToDate': assessment?.immunisationsUpToDate ?? null,
        'health.assessmentChildPresent': assessment?.childPresent ?? null,
        'health.assessmentViewsRecorded': assessment?.viewsRecorded ?? null,
        'health.initialAssessment': initial?.date ?? null,
        'health.lastDental': last((h) => h.type === 'DENTAL')?.date ?? null,
        'health.lastDevelopment': last((h) => h.type === 'DEVELOPMENT')?.date ?? null,
        'health.lastSdq': sdq?.date ?? null,
        'health.lastSdqScore': sdq?.sdqScore ?? null,
      },
    },
  ];
}

/** Units that one child's records yield under a per-child population rule. */
export function childUnits(rule: Exclude<PopulationRule, 'sibling-groups-at-period-end'>, records: ChildRecords, ctx: PopulationContext): AuditUnit[] {
  switch (rule) {
    case 'reviews-in-period': return reviewUnits(records, ctx, false);
    case 'second-reviews-in-period': return reviewUnits(records, ctx, true);
    case 'oc2-cohort-at-period-end': return healthUnit(records, ctx);
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
  /** Every IRO the child had during the audit period (they may not grade the group). */
  irosDuringPeriod: string[];
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
  const leftAt16OrOver = lastLeft !== null && dateOfBirth !== null && lastLeft >= addCalendarMonths(dateOfBirth, 16 * 12);
  const status = lookedAfterOn(periods, end)
    ? 'looked-after'
    : (personalAdviser !== null || (leftAt16OrOver && socialWorker !== null)) ? 'care-leaver' : 'not-counted';
  return records.siblingGroups.map((membership) => ({
    childId,
    familyId: membership.familyId,
    status,
    conflictOfInterest: membership.conflictOfInterest === true,
    socialWorker: status === 'not-counted' ? null : socialWorker,
    teamManager: status === 'not-counted' ? null : allocatedOn(records.involvements, 'TM', end),
    personalAdviser: status === 'care-leaver' ? personalAdviser : null,
    iro: allocatedOn(records.involvements, 'IRO', end),
    irosDuringPeriod: iroIdsDuring(records.involvements, ctx.period),
  }));
}

/** The sibling-group unit, when two or more members are looked after or still-allocated care leavers at the period end. */
export function siblingGroupUnit(familyId: string, members: readonly SiblingStanding[], ctx: PopulationContext): AuditUnit | null {
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
    ownIroIds: distinct([...members.flatMap((m) => m.irosDuringPeriod), ...iros]),
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
