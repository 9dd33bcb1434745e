/**
 * Writes a synthetic demo authority as the import files of docs/data-formats.md (SSDA903 header, episodes, reviews;
 * SSD-shaped professionals, involvements, families, review details, health), family by family and streamed, so a
 * national-size demo runs in bounded memory and the same seed always gives byte-identical files.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { ParticipationCode } from '#domain/codes';
import { AuthorityId } from '#domain/records';
import { isIsoDate } from '#domain/dates';
import { REGULATIONS_2010 } from '#domain/timescales';
import { addCalendarMonths, addDays } from '#calendar/dates';
import { CsvFile } from './csv-writer.ts';
import { generateFamily, type DemoChild, type DemoContext, type DemoFamily, type Showcase } from './family.ts';
import { episodesOf } from './history.ts';
import { Random } from '#engine/random';
import { buildStaff } from './staff.ts';

export interface DemoOptions {
  seed: number;
  /** Children looked after at `asAt`; everything else (leavers, staff, reviews) scales with it. */
  children: number;
  /** The as-at date (ISO): nothing in the files is dated after it. */
  asAt: string;
  /** Years of history before `asAt` whose leavers and entrants are included. */
  years: number;
  authorityId: string;
}

export interface GenerateHooks {
  /** Called about every `progressEvery` children looked after, for large runs. */
  onProgress?: (progress: { childrenLookedAfter: number; target: number; childrenInFile: number }) => void;
  progressEvery?: number;
}

export interface DemoSummary {
  authorityId: string;
  seed: number;
  asAt: string;
  windowStart: string;
  files: Record<string, { path: string; rows: number }>;
  childrenLookedAfterAtAsAt: number;
  childrenInFile: number;
  /** Children with a period of care starting / ending in the 12 months to `asAt`. */
  entrantsLastYear: number;
  leaversLastYear: number;
  childrenWithSeveralPeriods: number;
  shortBreakChildren: number;
  /** Left care at 18 and still allocated a personal adviser at `asAt`. */
  careLeaversWithPa: number;
  families: number;
  siblingGroups: number;
  childrenInSiblingGroups: number;
  siblingGroupsWithSeveralSws: number;
  siblingGroupsWithTwoIros: number;
  conflictsOfInterest: number;
  reviews: number;
  lateReviews: number;
  /** Reviews by REVIEW_CODE; `blank` when none was recorded. */
  participation: Record<ParticipationCode | 'blank', number>;
  secondReviews: number;
  secondReviewsWithoutPlan: number;
  healthEvents: number;
  professionals: Record<'IRO' | 'SW' | 'TM' | 'PA', number>;
}

export const DEFAULT_DEMO_OPTIONS: DemoOptions = {
  seed: 1,
  children: 470,
  asAt: '2026-03-31',
  years: 3,
  authorityId: 'demo',
};

/** Share of looked-after children leaving care each year (England: about a third). */
const ANNUAL_TURNOVER = 1 / 3;

/** The columns of every file, in the contract's order. */
export const DEMO_FILES = {
  header: ['CHILD', 'SEX', 'DOB', 'ETHNIC', 'UPN', 'MOTHER', 'MC_DOB'],
  episodes: [
    'CHILD',
    'DECOM',
    'RNE',
    'LS',
    'CIN',
    'PLACE',
    'PLACE_PROVIDER',
    'DEC',
    'REC',
    'REASON_PLACE_CHANGE',
    'HOME_POST',
    'PL_POST',
    'URN',
  ],
  reviews: ['CHILD', 'DOB', 'REVIEW', 'REVIEW_CODE'],
  professionals: ['WORKER_ID', 'ROLE', 'TEAM', 'SERVICE'],
  involvements: ['CHILD', 'WORKER_ID', 'ROLE', 'START', 'END'],
  families: ['CHILD', 'FAMILY_ID', 'CONFLICT_OF_INTEREST'],
  review_details: [
    'CHILD',
    'REVIEW',
    'IRO_ID',
    'PERMANENCE_PLAN',
    'CARE_PLAN_UP_TO_DATE',
    'CHILD_SEEN_BEFORE_REVIEW',
    'DECISIONS_ISSUED',
    'RECORD_ISSUED',
    'STOOD_DOWN',
    'LATE_REASON',
  ],
  health: [
    'CHILD',
    'TYPE',
    'DATE',
    'STATUS',
    'CHILD_PRESENT',
    'VIEWS_RECORDED',
    'SDQ_SCORE',
    'SDQ_REASON',
    'IMMUNISATIONS_UP_TO_DATE',
  ],
} as const satisfies Record<string, readonly string[]>;
export type DemoFileName = keyof typeof DEMO_FILES;

/** Family numbers that always take a given shape, so even a small demo shows every audit theme. */
const SHOWCASES: ReadonlyMap<number, Showcase> = new Map([
  [1, 'twoIrosWithConflict'],
  [3, 'severalSwsAndTms'],
  [5, 'groupWithCareLeaver'],
  [7, 'returnedToCare'],
  [9, 'shortBreaks'],
  [11, 'twoIrosWithoutConflict'],
]);

/** Fills in defaults and refuses options that would make a broken or endless run. */
export function resolveDemoOptions(options: Partial<DemoOptions>): DemoOptions {
  const o = {
    ...DEFAULT_DEMO_OPTIONS,
    ...Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)),
  } as DemoOptions;
  if (!Number.isSafeInteger(o.seed)) throw new RangeError(`seed must be a whole number, got ${o.seed}`);
  if (!Number.isSafeInteger(o.children) || o.children < 1 || o.children > 5_000_000)
    throw new RangeError(`children must be a whole number from 1 to 5,000,000, got ${o.children}`);
  if (typeof o.asAt !== 'string' || !isIsoDate(o.asAt))
    throw new RangeError(`asAt must be a real date written YYYY-MM-DD, got ${o.asAt}`);
  if (o.asAt < '2005-01-01' || o.asAt > '2035-12-31')
    throw new RangeError(`asAt must be from 2005 to 2035 (the bank-holiday tables' reach), got ${o.asAt}`);
  if (!Number.isSafeInteger(o.years) || o.years < 1 || o.years > 10)
    throw new RangeError(`years must be a whole number from 1 to 10, got ${o.years}`);
  const id = AuthorityId.safeParse(o.authorityId);
  if (!id.success)
    throw new RangeError(`authorityId ${id.error.issues[0]?.message ?? 'is not valid'}, got ${o.authorityId}`);
  return o;
}

const uk = (date: string | null): string =>
  date === null ? '' : `${date.slice(8, 10)}/${date.slice(5, 7)}/${date.slice(0, 4)}`;
const flag = (value: boolean | null): string => (value === null ? '' : value ? 'Y' : 'N');

function emptySummary(o: DemoOptions, windowStart: string): DemoSummary {
  return {
    authorityId: o.authorityId,
    seed: o.seed,
    asAt: o.asAt,
    windowStart,
    files: {},
    childrenLookedAfterAtAsAt: 0,
    childrenInFile: 0,
    entrantsLastYear: 0,
    leaversLastYear: 0,
    childrenWithSeveralPeriods: 0,
    shortBreakChildren: 0,
    careLeaversWithPa: 0,
    families: 0,
    siblingGroups: 0,
    childrenInSiblingGroups: 0,
    siblingGroupsWithSeveralSws: 0,
    siblingGroupsWithTwoIros: 0,
    conflictsOfInterest: 0,
    reviews: 0,
    lateReviews: 0,
    participation: { PN0: 0, PN1: 0, PN2: 0, PN3: 0, PN4: 0, PN5: 0, PN6: 0, PN7: 0, blank: 0 },
    secondReviews: 0,
    secondReviewsWithoutPlan: 0,
    healthEvents: 0,
    professionals: { IRO: 0, SW: 0, TM: 0, PA: 0 },
  };
}

type Sinks = Record<DemoFileName, CsvFile>;

async function writeChild(files: Sinks, child: DemoChild, familyId: string | null): Promise<void> {
  const dob = uk(child.dob);
  await files.header.write([
    child.childId,
    child.sex,
    dob,
    child.ethnicity,
    child.upn,
    child.mother,
    uk(child.motherChildDob),
  ]);
  for (const { period, reviews, health } of child.periods) {
    for (const e of episodesOf(period, child.homePostcode)) {
      await files.episodes.write([
        child.childId,
        uk(e.start),
        e.rne,
        e.legalStatus,
        e.categoryOfNeed,
        e.place,
        e.provider,
        uk(e.end),
        e.rec ?? '',
        e.reasonPlaceChange ?? '',
        e.homePostcode,
        e.placementPostcode,
        e.urn,
      ]);
    }
    for (const r of reviews) {
      await files.reviews.write([child.childId, dob, uk(r.date), r.participation ?? '']);
      await files.review_details.write([
        child.childId,
        uk(r.date),
        r.iroId ?? '',
        r.plan.join(';'),
        flag(r.carePlanUpToDate),
        flag(r.childSeenBeforeReview),
        uk(r.decisionsIssued),
        uk(r.recordIssued),
        'N',
        r.lateReason ?? '',
      ]);
    }
    for (const h of health) {
      await files.health.write([
        child.childId,
        h.type,
        uk(h.date),
        h.status,
        flag(h.childPresent),
        flag(h.viewsRecorded),
        h.sdqScore === null ? '' : String(h.sdqScore),
        h.sdqReason ?? '',
        flag(h.immunisationsUpToDate),
      ]);
    }
  }
  for (const i of child.involvements)
    await files.involvements.write([child.childId, i.workerId, i.role, uk(i.start), uk(i.end)]);
  if (familyId !== null) await files.families.write([child.childId, familyId, flag(child.conflictOfInterest)]);
}

function count(summary: DemoSummary, family: DemoFamily, asAt: string, yearAgo: string): void {
  let inCare = 0;
  summary.families += 1;
  if (family.familyId !== null) {
    summary.siblingGroups += 1;
    summary.childrenInSiblingGroups += family.children.length;
    if (family.allocation === 'twoSw' || family.allocation === 'twoTeams') summary.siblingGroupsWithSeveralSws += 1;
    if (family.twoIros) summary.siblingGroupsWithTwoIros += 1;
  }
  for (const child of family.children) {
    summary.childrenInFile += 1;
    if (child.conflictOfInterest) summary.conflictsOfInterest += 1;
    if (child.careLeaver) summary.careLeaversWithPa += 1;
    if (child.periods.length > 1) summary.childrenWithSeveralPeriods += 1;
    const last = child.periods.at(-1)!.period;
    if (last.end === null) inCare += 1;
    if (last.end === null && last.kind === 'shortBreak') summary.shortBreakChildren += 1;
    if (child.periods.some((p) => p.period.start > yearAgo && p.period.start <= asAt)) summary.entrantsLastYear += 1;
    if (child.periods.some((p) => p.period.end !== null && p.period.end > yearAgo)) summary.leaversLastYear += 1;
    for (const p of child.periods) {
      summary.healthEvents += p.health.length;
      for (const r of p.reviews) {
        summary.reviews += 1;
        if (r.late) summary.lateReviews += 1;
        summary.participation[r.participation ?? 'blank'] += 1;
        if (r.sequence === 2) {
          summary.secondReviews += 1;
          if (r.plan.length === 0) summary.secondReviewsWithoutPlan += 1;
        }
      }
    }
  }
  summary.childrenLookedAfterAtAsAt += inCare;
}

/** Generates a demo authority into `outDir` (created if needed): eight CSV files and a summary of what is in them. */
export async function generateDemoAuthority(
  outDir: string,
  options: Partial<DemoOptions> = {},
  hooks: GenerateHooks = {},
): Promise<DemoSummary> {
  const o = resolveDemoOptions(options);
  const windowStart = addDays(addCalendarMonths(o.asAt, -12 * o.years), 1);
  const yearAgo = addCalendarMonths(o.asAt, -12);
  const staff = buildStaff(o.children);
  const ctx: DemoContext = {
    asAt: o.asAt,
    windowStart,
    timescales: REGULATIONS_2010,
    staff,
    stillInCareShare: 1 / (1 + ANNUAL_TURNOVER * o.years),
  };
  const summary = emptySummary(o, windowStart);
  summary.professionals = { ...staff.counts };

  await mkdir(outDir, { recursive: true });
  const files = Object.fromEntries(
    (Object.keys(DEMO_FILES) as DemoFileName[]).map((name) => [
      name,
      new CsvFile(join(outDir, `${name}.csv`), DEMO_FILES[name]),
    ]),
  ) as Sinks;

  try {
    for (const m of staff.members) await files.professionals.write([m.workerId, m.role, m.team, m.service]);
    const root = Random.seeded(o.seed);
    const progressEvery = hooks.progressEvery ?? 10_000;
    let nextProgress = progressEvery;
    let childNumber = 1;
    // Families are drawn until enough children are in care at the as-at date; each family's stream depends only on
    // the seed and its number, so a bigger demo starts with exactly the families of a smaller one.
    for (let index = 0; summary.childrenLookedAfterAtAsAt < o.children; index++) {
      if (index > 20 * o.children + 100)
        throw new Error('demo generation is not converging: no children looked after are being drawn');
      const family = generateFamily(root.fork(`family/${index}`), ctx, index, childNumber, SHOWCASES.get(index));
      childNumber += family.children.length;
      count(summary, family, o.asAt, yearAgo);
      for (const child of family.children) await writeChild(files, child, family.familyId);
      if (hooks.onProgress && summary.childrenLookedAfterAtAsAt >= nextProgress) {
        hooks.onProgress({
          childrenLookedAfter: summary.childrenLookedAfterAtAsAt,
          target: o.children,
          childrenInFile: summary.childrenInFile,
        });
        nextProgress += progressEvery;
      }
    }
  } finally {
    await Promise.all(Object.values(files).map((f) => f.close()));
  }
  for (const name of Object.keys(DEMO_FILES) as DemoFileName[])
    summary.files[name] = { path: files[name].path, rows: files[name].rows };
  return summary;
}
