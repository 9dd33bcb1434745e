/** The demo authority generator: the files it writes keep the import contract, repeat exactly, and look like a real authority. */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ageOn } from '#domain/dates';
import type {
  Child,
  DomainRecord,
  Episode,
  HealthEvent,
  Involvement,
  Professional,
  Review,
  ReviewDetails,
  ReviewParticipation,
  SiblingGroupMember,
} from '#domain/records';
import { periodsOfCare, sequenceReviews, lookedAfterOn, type PeriodOfCare } from '#domain/period-of-care';
import { childDueReviews } from '#domain/review-schedule';
import { REGULATIONS_2010 } from '#domain/timescales';
import { addCalendarMonths } from '#calendar/dates';
import { addWorkingDays, isWorkingDay } from '#calendar/working-days';
import { reviewSchedule } from '#calendar/reg33';
import { recogniseFormat } from '#loader/formats';
import { validateRow } from '#loader/validate-row';
import { DEMO_FILES, generateDemoAuthority, type DemoFileName, type DemoSummary } from '#demo/generator';
import { Random } from '#engine/random';
import { buildStaff } from '#demo/staff';

const AS_AT = '2026-03-31';
/** DEMO_TEST_SEED runs the same rules against another seed, to check the calibration is not one lucky draw. */
const SEED = Number(process.env.DEMO_TEST_SEED ?? 42);
let root: string;
let summary: DemoSummary;
const raw = new Map<DemoFileName, string>();
const rows = new Map<DemoFileName, Record<string, string>[]>();
const records = new Map<DemoFileName, DomainRecord['record'][]>();
const rowErrors: string[] = [];

// Everything read back from the files, joined per child.
const dobOf = new Map<string, string>();
const episodesOf = new Map<string, Episode[]>();
const periodsOf = new Map<string, PeriodOfCare[]>();
const involvementsOf = new Map<string, Involvement[]>();
const familyOf = new Map<string, SiblingGroupMember>();
const reviewsOf = new Map<string, Review[]>();
const professionals = new Map<string, Professional>();

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/** Current involvements of a child in one role at the as-at date. */
const current = (child: string, role: string) =>
  (involvementsOf.get(child) ?? []).filter((i) => i.role === role && i.endDate === null);
const inCareAtAsAt = (child: string) => lookedAfterOn(periodsOf.get(child) ?? [], AS_AT);

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'iro-demo-'));
  summary = await generateDemoAuthority(join(root, 'a'), { seed: SEED });
  for (const name of Object.keys(DEMO_FILES) as DemoFileName[]) {
    const text = await readFile(join(root, 'a', `${name}.csv`), 'utf8');
    raw.set(name, text);
    const table = parse(text, { columns: true, skip_empty_lines: true }) as Record<string, string>[];
    rows.set(name, table);
    // The loader's own row path (format recognition, cell parsers, domain schema): what an import would accept.
    const format = recogniseFormat(Object.keys(table[0] ?? {}));
    if (!format) throw new Error(`${name}.csv is not recognised by the loader`);
    const parsed: DomainRecord['record'][] = [];
    table.forEach((cells, i) => {
      const result = validateRow(format, cells, { file: `${name}.csv`, line: i + 2 });
      if (result.ok) parsed.push(result.record.record);
      else rowErrors.push(...result.errors.map((e) => `${e.file}:${e.line} ${e.column ?? ''} ${e.message}`));
    });
    records.set(name, parsed);
  }
  for (const c of records.get('header') as Child[]) dobOf.set(c.childId, c.dateOfBirth);
  for (const e of records.get('episodes') as Episode[]) push(episodesOf, e.childId, e);
  for (const [child, episodes] of episodesOf) periodsOf.set(child, periodsOfCare(episodes));
  for (const i of records.get('involvements') as Involvement[]) push(involvementsOf, i.childId, i);
  for (const f of records.get('families') as SiblingGroupMember[]) familyOf.set(f.childId, f);
  for (const p of records.get('professionals') as Professional[]) professionals.set(p.workerId, p);
  const details = new Map(
    (records.get('review_details') as ReviewDetails[]).map((d) => [`${d.childId}|${d.reviewDate}`, d]),
  );
  for (const p of records.get('reviews') as ReviewParticipation[]) {
    const d = details.get(`${p.childId}|${p.reviewDate}`);
    push(reviewsOf, p.childId, { ...(d as ReviewDetails), ...p });
  }
}, 60_000);

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('the import contract', () => {
  it('writes every file with exactly the contract’s columns in order', () => {
    for (const [name, columns] of Object.entries(DEMO_FILES)) {
      expect(raw.get(name as DemoFileName)!.split('\n', 1)[0]).toBe(columns.join(','));
    }
    expect(Object.keys(summary.files).sort()).toEqual([
      'episodes',
      'families',
      'header',
      'health',
      'involvements',
      'professionals',
      'review_details',
      'reviews',
    ]);
  });

  it('writes only rows the loader accepts under the domain schemas', () => {
    expect(rowErrors.slice(0, 10)).toEqual([]);
    for (const name of Object.keys(DEMO_FILES) as DemoFileName[]) {
      expect(records.get(name)!.length, name).toBe(rows.get(name)!.length);
      expect(summary.files[name]!.rows, name).toBe(rows.get(name)!.length);
    }
  });

  it('never repeats a natural key, which the loader would reject as a duplicate', () => {
    const keys: Record<string, (r: Record<string, string>) => string> = {
      header: (r) => r.CHILD!,
      episodes: (r) => `${r.CHILD}|${r.DECOM}`,
      reviews: (r) => `${r.CHILD}|${r.REVIEW}`,
      review_details: (r) => `${r.CHILD}|${r.REVIEW}`,
      professionals: (r) => r.WORKER_ID!,
      involvements: (r) => `${r.CHILD}|${r.ROLE}|${r.WORKER_ID}|${r.START}`,
      families: (r) => r.CHILD!,
      health: (r) => `${r.CHILD}|${r.TYPE}|${r.DATE}`,
    };
    for (const [name, key] of Object.entries(keys)) {
      const table = rows.get(name as DemoFileName)!;
      expect(new Set(table.map(key)).size, name).toBe(table.length);
    }
  });

  it('joins every review detail to a review and every row to a child in the header', () => {
    expect(rows.get('review_details')!.length).toBe(rows.get('reviews')!.length);
    for (const name of ['episodes', 'reviews', 'involvements', 'families', 'health', 'review_details'] as const) {
      for (const r of rows.get(name)!) expect(dobOf.has(r.CHILD!), `${name} ${r.CHILD}`).toBe(true);
    }
    for (const i of records.get('involvements') as Involvement[])
      expect(professionals.get(i.workerId)?.role).toBe(i.role);
  });

  it('holds no real personal data: pseudonymous ids, ZZ postcodes, synthetic UPNs', () => {
    for (const r of rows.get('header')!) {
      expect(r.CHILD).toMatch(/^D\d{6,}$/);
      expect(r.UPN).toMatch(/^(UN1|Z999\d{9})$/);
    }
    for (const r of rows.get('episodes')!) {
      expect(r.HOME_POST).toMatch(/^ZZ\d+ \dZZ$/);
      expect(r.PL_POST).toMatch(/^ZZ\d+ \dZZ$/);
      expect(r.URN).toMatch(/^(XXXXXXX|DEMO\d{4})$/);
    }
  });

  it('dates nothing after the as-at date', () => {
    for (const [name, table] of rows) {
      for (const r of table) {
        for (const [column, value] of Object.entries(r)) {
          const m = /^(\d{2})\/(\d{2})\/(\d{4})$/.exec(value);
          if (m) expect(`${m[3]}-${m[2]}-${m[1]}` <= AS_AT, `${name} ${column} ${value}`).toBe(true);
        }
      }
    }
  });
});

describe('determinism', () => {
  it('writes byte-identical files for the same seed and different files for another seed', async () => {
    await generateDemoAuthority(join(root, 'b'), { seed: SEED });
    await generateDemoAuthority(join(root, 'c'), { seed: SEED + 1 });
    for (const name of Object.keys(DEMO_FILES) as DemoFileName[]) {
      expect(await readFile(join(root, 'b', `${name}.csv`), 'utf8'), name).toBe(raw.get(name));
    }
    for (const name of ['header', 'episodes', 'reviews', 'involvements', 'health'] as const) {
      expect(await readFile(join(root, 'c', `${name}.csv`), 'utf8'), name).not.toBe(raw.get(name));
    }
  }, 30_000);

  it('refuses options that cannot make a demo', async () => {
    await expect(generateDemoAuthority(join(root, 'x'), { children: 0 })).rejects.toThrow(/children/);
    await expect(generateDemoAuthority(join(root, 'x'), { asAt: '2026-02-30' })).rejects.toThrow(/asAt/);
    await expect(generateDemoAuthority(join(root, 'x'), { authorityId: 'Not Valid' })).rejects.toThrow(/authorityId/);
  });
});

describe('random streams', () => {
  it('gives a fork the same numbers whatever its parent drew before, so families can be made in any order', () => {
    const draw = (r: Random) => Array.from({ length: 5 }, () => r.int(0, 1_000_000));
    const fresh = Random.seeded(7);
    const used = Random.seeded(7);
    draw(used);
    expect(draw(used.fork('family/3'))).toEqual(draw(fresh.fork('family/3')));
    expect(draw(fresh.fork('family/3'))).not.toEqual(draw(fresh.fork('family/4')));
    expect(draw(Random.seeded(7))).not.toEqual(draw(Random.seeded(8)));
  });

  it('draws weighted values in proportion to their weights', () => {
    const r = Random.seeded(1);
    const n = 20_000;
    let a = 0;
    for (let i = 0; i < n; i++)
      if (
        r.weighted([
          ['a', 3],
          ['b', 1],
        ] as const) === 'a'
      )
        a++;
    expect(a / n).toBeGreaterThan(0.73);
    expect(a / n).toBeLessThan(0.77);
  });
});

describe('periods of care', () => {
  it('has about 470 children looked after at the as-at date (±10%)', () => {
    const inCare = [...dobOf.keys()].filter(inCareAtAsAt).length;
    expect(inCare).toBeGreaterThanOrEqual(423);
    expect(inCare).toBeLessThanOrEqual(517);
    expect(summary.childrenLookedAfterAtAsAt).toBe(inCare);
  });

  it('turns over a third or more a year: entrants and leavers in the last 12 months (England 2024: about 40%)', () => {
    const yearAgo = addCalendarMonths(AS_AT, -12);
    const periods = [...periodsOf.values()].flat();
    const entrants = periods.filter((p) => p.startDate > yearAgo).length;
    const leavers = periods.filter((p) => p.endDate !== null && p.endDate > yearAgo).length;
    for (const n of [entrants, leavers]) {
      expect(n / 470).toBeGreaterThan(0.25);
      expect(n / 470).toBeLessThan(0.55);
    }
  });

  it('has ages like the national looked-after population', () => {
    const inCare = [...dobOf.entries()].filter(([c]) => inCareAtAsAt(c)).map(([, dob]) => ageOn(dob, AS_AT));
    const share = (from: number, to: number) => inCare.filter((a) => a >= from && a < to).length / inCare.length;
    // England: under 1 5%, 1–4 15%, 5–9 18%, 10–15 38%, 16–17 24%; 470 children in sibling clusters vary by a few points.
    expect(share(0, 1)).toBeGreaterThan(0.01);
    expect(share(0, 1)).toBeLessThan(0.1);
    expect(share(1, 5)).toBeGreaterThan(0.08);
    expect(share(1, 5)).toBeLessThan(0.23);
    expect(share(5, 10)).toBeGreaterThan(0.11);
    expect(share(5, 10)).toBeLessThan(0.27);
    expect(share(10, 16)).toBeGreaterThan(0.28);
    expect(share(10, 16)).toBeLessThan(0.48);
    expect(share(16, 18)).toBeGreaterThan(0.15);
    expect(share(16, 18)).toBeLessThan(0.33);
    expect(share(18, 99)).toBe(0);
  });

  it('ends every period of care by the 18th birthday', () => {
    for (const [child, periods] of periodsOf) {
      const eighteenth = addCalendarMonths(dobOf.get(child)!, 216);
      for (const p of periods) {
        expect(p.startDate >= dobOf.get(child)!).toBe(true);
        expect((p.endDate ?? AS_AT) <= eighteenth, child).toBe(true);
      }
    }
  });

  it('starts every period with RNE S and chains its episodes with X1', () => {
    for (const periods of periodsOf.values()) {
      for (const p of periods) {
        expect(p.episodes[0]!.reasonNewEpisode).toBe('S');
        p.episodes.slice(0, -1).forEach((e) => expect(e.reasonEpisodeCeased).toBe('X1'));
        p.episodes.slice(1).forEach((e) => expect(e.reasonNewEpisode).not.toBe('S'));
        expect(p.episodes.at(-1)!.reasonEpisodeCeased === null).toBe(p.endDate === null);
        if (p.endDate !== null) expect(p.episodes.at(-1)!.reasonEpisodeCeased).not.toBe('X1');
      }
    }
  });

  it('includes a child who left care and came back, whose review schedule restarts', () => {
    const returned = [...periodsOf.entries()].filter(([, ps]) => ps.length >= 2 && !ps.some((p) => p.shortBreaksOnly));
    expect(returned.length).toBeGreaterThan(0);
    const restarted = returned.some(([child, periods]) => {
      const sequenced = sequenceReviews(periods, reviewsOf.get(child) ?? []);
      const second = periods[1]!.startDate;
      return sequenced.some((r) => r.periodStart === second && r.sequence === 1);
    });
    expect(restarted).toBe(true);
  });

  it('has a handful of short-break children (V3/V4), reviewed under reg 48: first within 3 months, then every 6', () => {
    const shortBreak = [...periodsOf.entries()].filter(([, ps]) => ps.some((p) => p.shortBreaksOnly));
    expect(shortBreak.length).toBeGreaterThanOrEqual(1);
    expect(shortBreak.length).toBeLessThan(15);
    let reviews = 0;
    let inTime = 0;
    for (const [child, periods] of shortBreak) {
      const due = childDueReviews(periods, reviewsOf.get(child) ?? [], REGULATIONS_2010, AS_AT);
      expect(
        due.every((d) => d.kind === 'short-breaks'),
        child,
      ).toBe(true);
      reviews += due.filter((d) => d.review !== null).length;
      inTime += due.filter((d) => d.outcome === 'in-time').length;
    }
    expect(reviews).toBeGreaterThan(shortBreak.length);
    expect(inTime / reviews).toBeGreaterThan(0.8);
  });
});

describe('reviews', () => {
  const all = () => [...reviewsOf.values()].flat();

  it('holds every review inside a period of care, on a working day', () => {
    for (const [child, reviews] of reviewsOf) {
      for (const r of reviews) {
        const period = (periodsOf.get(child) ?? []).find(
          (p) => p.startDate < r.reviewDate && (p.endDate === null || r.reviewDate < p.endDate),
        );
        expect(period, `${child} ${r.reviewDate}`).toBeDefined();
        expect(isWorkingDay(r.reviewDate), r.reviewDate).toBe(true);
      }
    }
  });

  it('holds 5–12% of reviews late against reg 33 (reg 48 for short breaks), each due date running from the previous actual review', () => {
    let total = 0;
    let late = 0;
    const reg48 = {
      ...REGULATIONS_2010,
      firstReview: REGULATIONS_2010.shortBreakFirstReview,
      secondReview: REGULATIONS_2010.shortBreakLaterReviews,
      laterReviews: REGULATIONS_2010.shortBreakLaterReviews,
    };
    for (const [child, reviews] of reviewsOf) {
      for (const period of periodsOf.get(child)!) {
        const dates = reviews
          .map((r) => r.reviewDate)
          .filter((d) => d > period.startDate && (period.endDate === null || d < period.endDate));
        for (const s of reviewSchedule(period.startDate, dates, period.shortBreaksOnly ? reg48 : REGULATIONS_2010)) {
          total += 1;
          if (!s.inTime) late += 1;
        }
      }
    }
    expect(total).toBe(all().length);
    expect(late / total).toBeGreaterThanOrEqual(0.05);
    expect(late / total).toBeLessThanOrEqual(0.12);
    expect(late).toBe(summary.lateReviews);
  });

  it('codes PN0 exactly when the child is under 4 at the review, and rarely leaves the code blank', () => {
    for (const [child, reviews] of reviewsOf) {
      for (const r of reviews) {
        const under4 = ageOn(dobOf.get(child)!, r.reviewDate) < 4;
        expect(r.participationCode === 'PN0', `${child} ${r.reviewDate}`).toBe(under4);
      }
    }
    expect(all().filter((r) => r.participationCode === null).length / all().length).toBeLessThan(0.01);
  });

  it('has PN1 as about 80% of PN1–PN7, as in Southwark 2015-16', () => {
    const spoken = all().filter((r) => r.participationCode !== null && r.participationCode !== 'PN0');
    const pn1 = spoken.filter((r) => r.participationCode === 'PN1').length / spoken.length;
    expect(pn1).toBeGreaterThan(0.72);
    expect(pn1).toBeLessThan(0.88);
    for (const code of ['PN2', 'PN3', 'PN4', 'PN5', 'PN6', 'PN7'] as const) {
      expect(
        spoken.some((r) => r.participationCode === code),
        code,
      ).toBe(true);
    }
  });

  it('records no permanence plan at some second reviews (about 10–15%) and parallel plans under interim orders', () => {
    let second = 0;
    let blank = 0;
    let interim = 0;
    let parallel = 0;
    for (const [child, reviews] of reviewsOf) {
      const periods = periodsOf.get(child)!;
      for (const r of sequenceReviews(periods, reviews)) {
        if (r.sequence === 2) {
          second += 1;
          if (r.permanencePlan!.length === 0) blank += 1;
        }
        const period = periods.find((p) => p.startDate === r.periodStart)!;
        const episode = period.episodes.filter((e) => e.startDate <= r.reviewDate).at(-1)!;
        if (episode.legalStatus === 'C1' && r.permanencePlan!.length > 0) {
          interim += 1;
          if (r.permanencePlan!.length >= 2) parallel += 1;
        }
      }
    }
    expect(blank / second).toBeGreaterThan(0.06);
    expect(blank / second).toBeLessThan(0.2);
    expect(parallel / interim).toBeGreaterThan(0.4);
  });

  it('records a reason for about two thirds of the late reviews, and for no review held in time', () => {
    const details = records.get('review_details') as ReviewDetails[];
    const withReason = details.filter((d) => d.lateReason);
    const lateDates = new Set<string>();
    for (const [child, reviews] of reviewsOf) {
      for (const d of childDueReviews(periodsOf.get(child)!, reviews, REGULATIONS_2010, AS_AT))
        if (d.outcome === 'late') lateDates.add(`${child}|${d.review!.reviewDate}`);
    }
    const late = [...lateDates];
    expect(late.length).toBeGreaterThan(20);
    expect(withReason.every((d) => lateDates.has(`${d.childId}|${d.reviewDate}`))).toBe(true);
    expect(withReason.length / late.length).toBeGreaterThan(0.5);
    expect(withReason.length / late.length).toBeLessThan(0.8);
  });

  it('names as IRO_ID the IRO allocated to the child on the review date', () => {
    for (const [child, reviews] of reviewsOf) {
      const iros = (involvementsOf.get(child) ?? []).filter((i) => i.role === 'IRO');
      for (const r of reviews) {
        const on = iros.filter((i) => i.startDate <= r.reviewDate && (i.endDate === null || r.reviewDate <= i.endDate));
        expect(
          on.map((i) => i.workerId),
          `${child} ${r.reviewDate}`,
        ).toEqual([r.iroId]);
      }
    }
  });

  it('issues decisions mostly within 5 working days and records mostly within 20, some late', () => {
    const details = records.get('review_details') as ReviewDetails[];
    const stoodDown = details.filter((d) => d.stoodDown !== false);
    expect(stoodDown).toEqual([]);
    const seen = details.filter((d) => d.childSeenBeforeReview === true).length / details.length;
    expect(seen).toBeGreaterThan(0.75);
    expect(seen).toBeLessThan(0.95);
    // Only reviews whose 45-working-day window closed before the as-at date, so a blank means "not recorded", not "not yet".
    const settled = details.filter((d) => addWorkingDays(d.reviewDate, 45) <= AS_AT);
    const within = (issued: string | null, days: number, review: string) =>
      issued !== null && issued <= addWorkingDays(review, days);
    const decisions = settled.filter((d) => within(d.decisionsIssued, 5, d.reviewDate)).length / settled.length;
    const record = settled.filter((d) => within(d.recordIssued, 20, d.reviewDate)).length / settled.length;
    expect(decisions).toBeGreaterThan(0.75);
    expect(decisions).toBeLessThan(0.95);
    expect(record).toBeGreaterThan(0.65);
    expect(record).toBeLessThan(0.9);
    for (const d of settled) if (d.decisionsIssued !== null) expect(d.decisionsIssued > d.reviewDate).toBe(true);
  });
});

describe('professionals and allocation', () => {
  it('has 10 IROs, 25 social workers, 8 team managers and 6 personal advisers at the default size', () => {
    const byRole = (role: string) => [...professionals.values()].filter((p) => p.role === role);
    expect(byRole('IRO').length).toBe(10);
    expect(byRole('SW').length).toBe(25);
    expect(byRole('TM').length).toBe(8);
    expect(byRole('PA').length).toBe(6);
    expect(new Set(byRole('TM').map((p) => p.team)).size).toBe(8);
    expect(byRole('IRO').every((p) => p.team === 'IRO Service' && p.service === 'Quality Assurance')).toBe(true);
    expect(byRole('PA').every((p) => p.service === 'Leaving Care')).toBe(true);
  });

  it('scales the workforce linearly with the number of children looked after', () => {
    expect(buildStaff(4700).counts).toEqual({ IRO: 100, SW: 250, TM: 80, PA: 60 });
    const small = buildStaff(20);
    // Every service keeps a team and a manager, however small the demo.
    expect(new Set(small.teams.map((t) => t.service)).size).toBe(5);
    expect(small.teams.every((t) => t.workerIds.length >= 1)).toBe(true);
  });

  it('gives each child in care one current SW, their team’s TM and one IRO', () => {
    for (const child of [...dobOf.keys()].filter(inCareAtAsAt)) {
      const sw = current(child, 'SW');
      const iro = current(child, 'IRO');
      expect(sw.length, child).toBe(1);
      expect(iro.length, child).toBe(1);
      const team = professionals.get(sw[0]!.workerId)!.team;
      expect(
        current(child, 'TM').some((t) => professionals.get(t.workerId)!.team === team),
        child,
      ).toBe(true);
    }
  });

  it('ends social-work and IRO involvements when the period of care ends', () => {
    for (const [child, periods] of periodsOf) {
      if (inCareAtAsAt(child)) continue;
      expect(current(child, 'SW')).toEqual([]);
      expect(current(child, 'IRO')).toEqual([]);
      const lastEnd = periods.at(-1)!.endDate!;
      for (const i of involvementsOf.get(child) ?? [])
        if (i.role === 'SW' || i.role === 'IRO') expect(i.endDate! <= lastEnd).toBe(true);
    }
  });

  it('includes care leavers aged 18–20 whose care ended at 18 and who still have a personal adviser', () => {
    const leavers = [...dobOf.keys()].filter((child) => current(child, 'PA').length > 0);
    expect(leavers.length).toBeGreaterThan(20);
    for (const child of leavers) {
      const dob = dobOf.get(child)!;
      expect(ageOn(dob, AS_AT)).toBeGreaterThanOrEqual(18);
      expect(ageOn(dob, AS_AT)).toBeLessThanOrEqual(20);
      expect(periodsOf.get(child)!.at(-1)!.endDate).toBe(addCalendarMonths(dob, 216));
      const team = professionals.get(current(child, 'PA')[0]!.workerId)!.team;
      expect(current(child, 'TM').some((t) => professionals.get(t.workerId)!.team === team)).toBe(true);
    }
  });
});

describe('sibling groups', () => {
  const groups = () => {
    const byFamily = new Map<string, string[]>();
    for (const [child, f] of familyOf) push(byFamily, f.familyId, child);
    return [...byFamily.values()];
  };
  const distinct = (members: string[], role: string, when: (i: Involvement) => boolean = () => true) =>
    new Set(
      members.flatMap((c) =>
        (involvementsOf.get(c) ?? []).filter((i) => i.role === role && when(i)).map((i) => i.workerId),
      ),
    ).size;

  it('puts about a third of the children in sibling groups of 2–6', () => {
    const share = familyOf.size / dobOf.size;
    expect(share).toBeGreaterThan(0.25);
    expect(share).toBeLessThan(0.42);
    for (const g of groups()) {
      expect(g.length).toBeGreaterThanOrEqual(2);
      expect(g.length).toBeLessThanOrEqual(6);
    }
  });

  it('gives siblings plausible ages: born within 15 years of each other, never on the same day', () => {
    for (const g of groups()) {
      const dobs = g.map((c) => dobOf.get(c)!).sort();
      expect(ageOn(dobs[0]!, dobs.at(-1)!)).toBeLessThanOrEqual(15);
      expect(new Set(dobs).size).toBe(dobs.length);
    }
  });

  it('has groups allocated to several social workers, as in the Cheshire East Q1 check', () => {
    const several = groups().filter((g) => distinct(g, 'SW') >= 2);
    expect(several.length / groups().length).toBeGreaterThan(0.25);
    expect(
      groups().some(
        (g) => distinct(g, 'SW', (i) => i.endDate === null) >= 2 && distinct(g, 'TM', (i) => i.endDate === null) >= 2,
      ),
    ).toBe(true);
  });

  it('has a group with two IROs and a conflict of interest, and one with two IROs and none', () => {
    const twoIros = groups().filter((g) => distinct(g, 'IRO', (i) => i.endDate === null) >= 2);
    expect(twoIros.length).toBeGreaterThanOrEqual(2);
    const withConflict = (g: string[]) => g.some((c) => familyOf.get(c)!.conflictOfInterest === true);
    expect(twoIros.some(withConflict)).toBe(true);
    expect(twoIros.some((g) => !withConflict(g))).toBe(true);
  });

  it('has a group with a care leaver who still has a personal adviser', () => {
    expect(groups().some((g) => g.some((c) => current(c, 'PA').length > 0) && g.some(inCareAtAsAt))).toBe(true);
  });

  it('usually brings siblings into care on the same day', () => {
    const together = groups().filter(
      (g) => new Set(g.map((c) => periodsOf.get(c)!.at(-1)!.startDate)).size === 1,
    ).length;
    expect(together / groups().length).toBeGreaterThan(0.5);
  });
});

describe('health', () => {
  const events = () => records.get('health') as HealthEvent[];

  it('keeps SDQ scores and reasons to SDQ rows, one or the other, for 4–16-year-olds', () => {
    const sdq = events().filter((h) => h.type === 'SDQ');
    for (const h of sdq) {
      expect((h.sdqScore === null) !== (h.sdqReason === null)).toBe(true);
      const age = ageOn(dobOf.get(h.childId)!, h.date);
      expect(age >= 4 && age <= 16).toBe(true);
    }
    const scored = sdq.filter((h) => h.sdqScore !== null);
    expect(scored.length / sdq.length).toBeGreaterThan(0.65);
    expect(scored.length / sdq.length).toBeLessThan(0.85);
    const mean = scored.reduce((s, h) => s + h.sdqScore!, 0) / scored.length;
    expect(mean).toBeGreaterThan(11);
    expect(mean).toBeLessThan(17);
  });

  it('records immunisations on review health assessments, mostly up to date', () => {
    const rha = events().filter((h) => h.type === 'RHA' && h.status === 'Completed');
    expect(rha.every((h) => h.immunisationsUpToDate !== null)).toBe(true);
    const yes = rha.filter((h) => h.immunisationsUpToDate).length / rha.length;
    expect(yes).toBeGreaterThan(0.8);
    expect(yes).toBeLessThan(0.94);
  });

  it('gives most children looked after 12+ months an assessment and a dental check in the last year (Southwark-like)', () => {
    const yearAgo = addCalendarMonths(AS_AT, -12);
    const cohort = [...periodsOf.entries()]
      .filter(([, ps]) => {
        const p = ps.at(-1)!;
        return p.endDate === null && p.startDate <= yearAgo && !p.shortBreaksOnly;
      })
      .map(([c]) => c);
    const recent = (type: string) =>
      new Set(
        events()
          .filter((h) => h.type === type && h.status === 'Completed' && h.date > yearAgo)
          .map((h) => h.childId),
      );
    const assessed = recent('RHA');
    const dental = recent('DENTAL');
    const share = (set: Set<string>, who: string[]) => who.filter((c) => set.has(c)).length / who.length;
    expect(share(assessed, cohort)).toBeGreaterThan(0.8);
    expect(
      share(
        dental,
        cohort.filter((c) => ageOn(dobOf.get(c)!, AS_AT) >= 2),
      ),
    ).toBeGreaterThan(0.75);
  });

  it('keeps health events inside the child’s periods of care', () => {
    for (const h of events()) {
      const period = (periodsOf.get(h.childId) ?? []).find(
        (p) => p.startDate < h.date && (p.endDate === null || h.date < p.endDate),
      );
      expect(period, `${h.childId} ${h.type} ${h.date}`).toBeDefined();
    }
  });
});
