/**
 * The findings tables of the IRO annual reports, accumulated unit by unit over the whole
 * population (not the sample): participation (Southwark), monthly timeliness (Haringey, Thurrock),
 * sibling allocation (Cheshire East's Q1 check) and OC2 health (Southwark).
 */
import { addCalendarMonths } from '#calendar/dates';
import { ageOn } from '#domain/dates';
import { PARTICIPATION_CODES } from '#domain/codes';
import type { HealthTable, ParticipationMeasure, SiblingGroupRow, Tables } from './findings-model.ts';
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
  const pas = row.personalAdvisers ? ` + ${plural(row.personalAdvisers, 'PA')}${adviserTms ? ` and ${plural(adviserTms, 'TM')}` : ''}` : '';
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
  const measure = (id: ParticipationMeasure['id'], name: string, participated: number, reviews: number): ParticipationMeasure => ({
    id, name, participated, reviews, share: reviews > 0 ? participated / reviews : null,
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
  private groups: SiblingGroupRow[] = [];
  private health: HealthTable = { cohort: 0, healthAssessment: 0, immunisations: 0, teethChecked: 0, under5: 0, developmentUpToDate: 0, sdqEligible: 0, sdqScored: 0 };

  /** `pseudonym` turns a family id into what may be published (see pseudonymousChildId). */
  constructor(
    private readonly wanted: readonly FindingsTable[],
    private readonly pseudonym: (familyId: string) => string = (id) => id,
  ) {}

  /** Counts one population unit into every wanted table it belongs to. */
  add(unit: AuditUnit): void {
    const f = unit.facts;
    if (this.wanted.includes('participation') && f['review.date'] !== undefined) {
      const code = str(f['review.participationCode']) ?? NOT_RECORDED;
      this.participation.set(code, (this.participation.get(code) ?? 0) + 1);
    }
    if (this.wanted.includes('timeliness') && f['review.date'] !== undefined) {
      const date = str(f['review.date'])!;
      const month = this.months.get(date.slice(0, 7)) ?? { held: 0, inTime: 0 };
      month.held += 1;
      const due = str(f['review.dueDate']);
      if (due !== null && date <= due) month.inTime += 1;
      this.months.set(date.slice(0, 7), month);
    }
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
    if (this.wanted.includes('health') && f['health.lastAssessment'] !== undefined) {
      const to = str(f['audit.to'])!;
      const yearAgo = addCalendarMonths(to, -12);
      const within = (key: string) => {
        const d = str(f[key]);
        return d !== null && d > yearAgo && d <= to;
      };
      const age = ageOn(str(f['child.dateOfBirth'])!, to);
      const h = this.health;
      h.cohort += 1;
      if (within('health.lastAssessment')) h.healthAssessment += 1;
      if (f['health.lastAssessmentImmunisationsUpToDate'] === true) h.immunisations += 1;
      if (within('health.lastDental')) h.teethChecked += 1;
      if (age < 5) {
        h.under5 += 1;
        if (within('health.lastDevelopment')) h.developmentUpToDate += 1;
      }
      if (age >= 4 && age <= 16) {
        h.sdqEligible += 1;
        if (within('health.lastSdq') && typeof f['health.lastSdqScore'] === 'number') h.sdqScored += 1;
      }
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
    if (this.wanted.includes('siblingGroups')) tables.siblingGroups = [...this.groups].sort((a, b) => a.familyId.localeCompare(b.familyId));
    if (this.wanted.includes('health')) tables.health = { ...this.health };
    return tables;
  }
}
