/**
 * The findings tables of the IRO annual reports, accumulated unit by unit over the whole
 * population (not the sample): participation (Southwark), monthly timeliness (Haringey, Thurrock),
 * sibling allocation (Cheshire East's Q1 check) and OC2 health (Southwark).
 */
import { ageOn } from '#domain/dates';
import { PARTICIPATION_CODES } from '#domain/codes';
import { DUE_OUTCOMES } from '#domain/review-schedule';
import type { DueMonthRow, HealthTable, ParticipationMeasure, SiblingGroupRow, Tables } from './findings-model.ts';
import type { AuditUnit } from './population.ts';
import type { FindingsTable } from './template.ts';

const NOT_RECORDED = 'not recorded';

const str = (v: unknown) => (typeof v === 'string' ? v : null);
const list = (v: unknown) => (Array.isArray(v) ? (v as string[]) : []);
const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/**
 * "N siblings (k care leavers) – x SWs and y TMs + p PAs and q TM – z IROs", the Q1 check's words:
 * personal advisers, and the team managers of care leavers who have only a personal adviser, apart.
 */
export function siblingSummary(row: Omit<SiblingGroupRow, 'summary'>): string {
  const leavers = row.careLeavers ? ` (${plural(row.careLeavers, 'care leaver')})` : '';
  const adviserTms = row.personalAdviserTeamManagers ?? 0;
  const pas = row.personalAdvisers
    ? ` + ${plural(row.personalAdvisers, 'PA')}${adviserTms ? ` and ${plural(adviserTms, 'TM')}` : ''}`
    : '';
  return `${row.children} siblings${leavers} – ${plural(row.socialWorkers, 'SW')} and ${plural(row.teamManagers, 'TM')}${pas} – ${plural(row.iros, 'IRO')}`;
}

const PARTICIPATED = ['PN1', 'PN2', 'PN3', 'PN4', 'PN5', 'PN6'];

/**
 * Both headline participation percentages from the counts by code. The seeds use both: Southwark's
 * C63 keeps PN0 (a child under 4) in the count and the denominator; others leave the under-4s out.
 * A review with no code is in neither: it cannot be said whether the child took part.
 */
export function participationMeasures(table: Readonly<Record<string, number>>): ParticipationMeasure[] {
  const sum = (codes: readonly string[]) => codes.reduce((n, code) => n + (table[code] ?? 0), 0);
  const measure = (
    id: ParticipationMeasure['id'],
    name: string,
    participated: number,
    reviews: number,
  ): ParticipationMeasure => ({
    id,
    name,
    participated,
    reviews,
    share: reviews > 0 ? participated / reviews : null,
  });
  return [
    measure(
      'with-pn0',
      'All reviews, children under 4 (PN0) counted as participating: PN0–PN6 of PN0–PN7 (as C63)',
      sum(['PN0', ...PARTICIPATED]),
      sum(['PN0', ...PARTICIPATED, 'PN7']),
    ),
    measure(
      'without-pn0',
      'Reviews of children aged 4 and over: PN1–PN6 of PN1–PN7 (under-4s, PN0, left out)',
      sum(PARTICIPATED),
      sum([...PARTICIPATED, 'PN7']),
    ),
  ];
}

/** Accumulates the requested tables as population units stream past; memory is one row per month or group. */
export class TableAccumulator {
  private participation = new Map<string, number>();
  private months = new Map<string, { held: number; inTime: number }>();
  private dueMonths = {
    'looked after': new Map<string, DueMonthRow>(),
    'short breaks': new Map<string, DueMonthRow>(),
  };
  private lateReasons = new Map<string, number>();
  private stoodDownMeetings = 0;
  private seriesOfMeetings = 0;
  /** NI 66: per child in the cohort, whether every review due so far was in time (one boolean per child). */
  private cohort = new Map<string, boolean>();
  private groups: SiblingGroupRow[] = [];
  private health: HealthTable = {
    cohort: 0,
    healthAssessment: 0,
    immunisations: 0,
    teethChecked: 0,
    under5: 0,
    developmentUpToDate: 0,
    sdqEligible: 0,
    sdqScored: 0,
    fromHealthExtract: 0,
    fromOc2: 0,
  };

  /** `pseudonym` turns a family id into what may be published (see pseudonymousChildId). */
  constructor(
    private readonly wanted: readonly FindingsTable[],
    private readonly pseudonym: (familyId: string) => string = (id) => id,
  ) {}

  /** Counts one population unit into every wanted table it belongs to. */
  add(unit: AuditUnit): void {
    const f = unit.facts;
    // A review not held has no date: it is in no table of reviews held.
    if (this.wanted.includes('participation') && typeof f['review.date'] === 'string') {
      const code = str(f['review.participationCode']) ?? NOT_RECORDED;
      this.participation.set(code, (this.participation.get(code) ?? 0) + 1);
    }
    // Reviews held in the period, by month held; short-break reviews (reg 48) are reported apart.
    if (
      this.wanted.includes('timeliness') &&
      typeof f['review.date'] === 'string' &&
      f['review.kind'] !== 'short breaks'
    ) {
      const date = str(f['review.date'])!;
      const month = this.months.get(date.slice(0, 7)) ?? { held: 0, inTime: 0 };
      month.held += 1;
      const due = str(f['review.dueDate']);
      if (due !== null && date <= due) month.inTime += 1;
      this.months.set(date.slice(0, 7), month);
    }
    if (this.wanted.includes('reviewsDue') && f['review.dueInPeriod'] === true) this.addDue(unit);
    if (this.wanted.includes('siblingGroups') && f['group.children'] !== undefined) {
      const iros = list(f['group.iros']).length;
      const conflictOfInterest = f['group.conflictOfInterest'] === true;
      const row = {
        familyId: this.pseudonym(unit.unitId.replace(/^family:/, '')),
        children: list(f['group.children']).length,
        careLeavers: list(f['group.careLeavers']).length,
        socialWorkers: list(f['group.socialWorkers']).length,
        teamManagers: list(f['group.teamManagers']).length,
        personalAdvisers: list(f['group.personalAdvisers']).length,
        personalAdviserTeamManagers: list(f['group.personalAdviserTeamManagers']).length,
        iros,
        conflictOfInterest,
        oneIroMet: iros <= 1 || conflictOfInterest,
      };
      this.groups.push({ ...row, summary: siblingSummary(row) });
    }
    if (this.wanted.includes('health') && f['health.source'] !== undefined) {
      // The population gives each child's figures from one source (the health extract or OC2), as at
      // that source's date: the period end, or the OC2 return's 31 March, where the DfE takes ages.
      const asAt = str(f['health.asAt']) ?? str(f['audit.to'])!;
      const age = ageOn(str(f['child.dateOfBirth'])!, asAt);
      const h = this.health;
      h.cohort += 1;
      if (f['health.source'] === 'health extract') h.fromHealthExtract = (h.fromHealthExtract ?? 0) + 1;
      if (f['health.source'] === 'OC2') {
        h.fromOc2 = (h.fromOc2 ?? 0) + 1;
        h.oc2YearEnding = asAt;
      }
      if (f['health.assessmentUpToDate'] === true) h.healthAssessment += 1;
      if (f['health.immunisationsUpToDate'] === true) h.immunisations += 1;
      if (f['health.teethChecked'] === true) h.teethChecked += 1;
      if (age < 5) {
        h.under5 += 1;
        if (f['health.developmentUpToDate'] === true) h.developmentUpToDate += 1;
      }
      if (age >= 4 && age <= 16) {
        h.sdqEligible += 1;
        if (f['health.sdqScored'] === true) h.sdqScored += 1;
      }
    }
  }

  /** One review due in the period: its month's row, its reason if late, and its child's NI 66 standing. */
  private addDue(unit: AuditUnit): void {
    const f = unit.facts;
    const kind = f['review.kind'] === 'short breaks' ? 'short breaks' : 'looked after';
    const outcome = str(f['review.outcome']);
    const month = str(f['review.dueDate'])!.slice(0, 7);
    const rows = this.dueMonths[kind];
    const row = rows.get(month) ?? { month, due: 0, inTime: 0, late: 0, notHeld: 0, share: null };
    row.due += 1;
    if (outcome === DUE_OUTCOMES['in-time']) row.inTime += 1;
    else if (outcome === DUE_OUTCOMES.late) row.late += 1;
    else row.notHeld += 1;
    rows.set(month, row);
    if (outcome !== DUE_OUTCOMES['in-time']) {
      const reason = str(f['review.lateReason']) ?? NOT_RECORDED;
      this.lateReasons.set(reason, (this.lateReasons.get(reason) ?? 0) + 1);
    }
    this.stoodDownMeetings += typeof f['review.stoodDownMeetings'] === 'number' ? f['review.stoodDownMeetings'] : 0;
    if (typeof f['review.meetings'] === 'number' && f['review.meetings'] > 1) this.seriesOfMeetings += 1;
    if (kind === 'looked after' && f['child.lookedAfter4WeeksAtPeriodEnd'] === true) {
      const child = unit.childIds[0]!;
      this.cohort.set(child, (this.cohort.get(child) ?? true) && outcome === DUE_OUTCOMES['in-time']);
    }
  }

  /** The finished tables, in the reports' order. */
  tables(): Tables {
    const tables: Tables = {};
    if (this.wanted.includes('participation')) {
      const codes = [...Object.keys(PARTICIPATION_CODES), NOT_RECORDED];
      tables.participation = Object.fromEntries(codes.map((c) => [c, this.participation.get(c) ?? 0]));
      tables.participationMeasures = participationMeasures(tables.participation);
    }
    if (this.wanted.includes('timeliness')) {
      tables.timeliness = [...this.months.entries()]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([month, m]) => ({ month, held: m.held, inTime: m.inTime, share: m.held ? m.inTime / m.held : null }));
    }
    if (this.wanted.includes('reviewsDue')) {
      const rows = (m: Map<string, DueMonthRow>) =>
        [...m.values()]
          .sort((a, b) => a.month.localeCompare(b.month))
          .map((r) => ({ ...r, share: r.due ? r.inTime / r.due : null }));
      const children = this.cohort.size;
      const allInTime = [...this.cohort.values()].filter(Boolean).length;
      tables.reviewsDue = {
        byMonthDue: rows(this.dueMonths['looked after']),
        shortBreaksByMonthDue: rows(this.dueMonths['short breaks']),
        lateReasons: [...this.lateReasons]
          .map(([reason, reviews]) => ({ reason, reviews }))
          .sort((a, b) => b.reviews - a.reviews || a.reason.localeCompare(b.reason)),
        stoodDownMeetings: this.stoodDownMeetings,
        seriesOfMeetings: this.seriesOfMeetings,
        children: { children, allInTime, share: children ? allInTime / children : null },
      };
    }
    if (this.wanted.includes('siblingGroups'))
      tables.siblingGroups = [...this.groups].sort((a, b) => a.familyId.localeCompare(b.familyId));
    if (this.wanted.includes('health')) tables.health = { ...this.health };
    return tables;
  }
}
