import { describe, expect, it } from 'vitest';
import {
  DEFAULT_EXCLUDE_REASON,
  drawSample,
  NOT_RECORDED,
  SamplingPlanSchema,
  validateSamplingPlan,
  type SamplingUnit,
} from '#engine/sampling';
import { marginOfError } from '#engine/statistics';

/** `n` units R-0001… spread over three services and four teams (some with neither recorded). */
function makeUnits(n: number): SamplingUnit[] {
  const services = ['North', 'South', 'Leaving care'];
  return Array.from({ length: n }, (_, i) => ({
    unitId: `R-${String(i + 1).padStart(4, '0')}`,
    childIds: [`C-${i + 1}`],
    service: i % 10 === 9 ? null : services[i % 3]!,
    team: i % 7 === 6 ? '' : `Team ${i % 4}`,
  }));
}

/** The same units in another order (reversed, then rotated), without randomness of its own. */
const reversedAndRotated = <T>(items: readonly T[]) => {
  const r = [...items].reverse();
  return [...r.slice(7), ...r.slice(0, 7)];
};

describe('drawSample', () => {
  it('gives the same sample for the same seed, whatever order the units come in', () => {
    const units = makeUnits(200);
    const a = drawSample(units, { type: 'count', value: 30 }, { seed: 42 });
    const b = drawSample(reversedAndRotated(units), { type: 'count', value: 30 }, { seed: 42 });
    expect(b.sample).toEqual(a.sample);
    expect(a.sample).toHaveLength(30);
    expect([...a.sample].sort()).toEqual(a.sample);
  });

  it('gives a different sample for a different seed', () => {
    const units = makeUnits(200);
    const a = drawSample(units, { type: 'count', value: 30 }, { seed: 1 });
    const b = drawSample(units, { type: 'count', value: 30 }, { seed: 2 });
    expect(b.sample).not.toEqual(a.sample);
  });

  it('keeps a smaller sample inside a larger one drawn with the same seed', () => {
    const units = makeUnits(150);
    const small = drawSample(units, { type: 'count', value: 20 }, { seed: 9 }).sample;
    const large = new Set(drawSample(units, { type: 'count', value: 45 }, { seed: 9 }).sample);
    expect(small.every((id) => large.has(id))).toBe(true);
  });

  it('samples every eligible unit for "all"', () => {
    const result = drawSample(makeUnits(25), { type: 'all' }, { seed: 3 });
    expect(result.sample).toHaveLength(25);
    expect(result.marginOfError).toBe(0);
  });

  it('rounds a percentage up, so a small percentage of a non-empty population is never 0', () => {
    expect(drawSample(makeUnits(470), { type: 'percent', value: 10 }, { seed: 5 }).sample).toHaveLength(47);
    expect(drawSample(makeUnits(471), { type: 'percent', value: 10 }, { seed: 5 }).sample).toHaveLength(48);
    expect(drawSample(makeUnits(3), { type: 'percent', value: 1 }, { seed: 5 }).sample).toHaveLength(1);
    expect(drawSample(makeUnits(100), { type: 'percent', value: 7 }, { seed: 5 }).sample).toHaveLength(7);
    expect(drawSample(makeUnits(40), { type: 'percent', value: 100 }, { seed: 5 }).sample).toHaveLength(40);
  });

  it('caps a count larger than the eligible units at all of them', () => {
    const result = drawSample(makeUnits(12), { type: 'count', value: 50 }, { seed: 8 });
    expect(result.sample).toHaveLength(12);
    expect(result.eligibleSize).toBe(12);
  });

  it('excludes a unit when any of its children was audited recently, and says why', () => {
    const units: SamplingUnit[] = [
      { unitId: 'G-1', childIds: ['C-1', 'C-2'], service: 'North', team: 'A' },
      { unitId: 'G-2', childIds: ['C-3'], service: 'North', team: 'A' },
      { unitId: 'G-3', childIds: ['C-4', 'C-5', 'C-6'], service: 'South', team: 'B' },
      { unitId: 'G-4', childIds: ['C-7'], service: 'South', team: 'B' },
    ];
    const result = drawSample(
      units,
      { type: 'all' },
      { seed: 1, excludeChildIds: new Set(['C-2', 'C-6']), excludeReason: 'audited in the last 6 months' },
    );
    expect(result.excluded).toEqual([
      { unitId: 'G-1', reason: 'audited in the last 6 months' },
      { unitId: 'G-3', reason: 'audited in the last 6 months' },
    ]);
    expect(result.sample).toEqual(['G-2', 'G-4']);
    expect(result.populationSize).toBe(4);
    expect(result.eligibleSize).toBe(2);
    expect(drawSample(units, { type: 'all' }, { seed: 1, excludeChildIds: new Set(['C-3']) }).excluded).toEqual([
      { unitId: 'G-2', reason: DEFAULT_EXCLUDE_REASON },
    ]);
  });

  it('shares a stratified total in proportion to stratum size (largest remainder), summing to the total', () => {
    // Services: North 120, South 60, East 20 → 25 × (0.6, 0.3, 0.1) = 15, 7.5, 2.5 → 15, 8, 2 (ties go to the larger stratum)
    const units: SamplingUnit[] = [
      ...Array.from({ length: 120 }, (_, i) => ({
        unitId: `N-${i}`,
        childIds: [`n${i}`],
        service: 'North',
        team: null,
      })),
      ...Array.from({ length: 60 }, (_, i) => ({
        unitId: `S-${i}`,
        childIds: [`s${i}`],
        service: 'South',
        team: null,
      })),
      ...Array.from({ length: 20 }, (_, i) => ({ unitId: `E-${i}`, childIds: [`e${i}`], service: 'East', team: null })),
    ];
    const result = drawSample(units, { type: 'stratified', by: 'service', value: 25 }, { seed: 11 });
    expect(result.strata).toEqual([
      { stratum: 'East', population: 20, sampled: 2 },
      { stratum: 'North', population: 120, sampled: 15 },
      { stratum: 'South', population: 60, sampled: 8 },
    ]);
    expect(result.sample).toHaveLength(25);
    for (const prefix of ['N-', 'S-', 'E-']) {
      const expected = result.strata!.find((s) => s.stratum.startsWith(prefix[0]!))!.sampled;
      expect(result.sample.filter((id) => id.startsWith(prefix))).toHaveLength(expected);
    }
  });

  it('keeps each stratum’s sample inside that stratum and the quotas summing to the total, across many populations', () => {
    for (let n = 1; n <= 120; n += 7) {
      const units = makeUnits(n);
      for (const total of [1, 3, 10, 50, 500]) {
        const result = drawSample(units, { type: 'stratified', by: 'team', value: total }, { seed: n * 1000 + total });
        const teamOf = new Map(units.map((u) => [u.unitId, u.team ? u.team : NOT_RECORDED]));
        expect(result.sample).toHaveLength(Math.min(total, n));
        expect(result.strata!.reduce((s, x) => s + x.sampled, 0)).toBe(Math.min(total, n));
        for (const stratum of result.strata!) {
          expect(stratum.sampled).toBeLessThanOrEqual(stratum.population);
          expect(result.sample.filter((id) => teamOf.get(id) === stratum.stratum)).toHaveLength(stratum.sampled);
          if (total >= result.strata!.length) expect(stratum.sampled).toBeGreaterThanOrEqual(1);
        }
      }
    }
  });

  it('gives every non-empty stratum at least one unit when the total allows, even a tiny one', () => {
    const units: SamplingUnit[] = [
      ...Array.from({ length: 97 }, (_, i) => ({ unitId: `B-${i}`, childIds: [`b${i}`], service: 'Big', team: null })),
      { unitId: 'T-1', childIds: ['t1'], service: 'Tiny', team: null },
      { unitId: 'U-1', childIds: ['u1'], service: null, team: null },
    ];
    const result = drawSample(units, { type: 'stratified', by: 'service', value: 5 }, { seed: 4 });
    expect(result.strata).toEqual([
      { stratum: 'Big', population: 97, sampled: 3 },
      { stratum: 'Tiny', population: 1, sampled: 1 },
      { stratum: NOT_RECORDED, population: 1, sampled: 1 },
    ]);
  });

  it('puts units with no service or team recorded in the "(not recorded)" stratum', () => {
    const result = drawSample(makeUnits(40), { type: 'stratified', by: 'team', value: 10 }, { seed: 2 });
    expect(result.strata!.map((s) => s.stratum)).toEqual(['Team 0', 'Team 1', 'Team 2', 'Team 3', NOT_RECORDED]);
  });

  it('takes explicit quotas per stratum, capped at the stratum size, and none from unnamed strata', () => {
    const units = makeUnits(60); // North 18, South 18, Leaving care 18, (not recorded) 6
    const result = drawSample(
      units,
      { type: 'stratified', by: 'service', quotas: { North: 5, 'Leaving care': 100, Gone: 3 } },
      { seed: 6 },
    );
    expect(result.strata).toEqual([
      { stratum: 'Gone', population: 0, sampled: 0 },
      { stratum: 'Leaving care', population: 18, sampled: 18 },
      { stratum: 'North', population: 18, sampled: 5 },
      { stratum: 'South', population: 18, sampled: 0 },
      { stratum: NOT_RECORDED, population: 6, sampled: 0 },
    ]);
    const serviceOf = new Map(units.map((u) => [u.unitId, u.service]));
    expect(result.sample.filter((id) => serviceOf.get(id) === 'North')).toHaveLength(5);
    expect(result.sample).toHaveLength(23);
  });

  it('draws nothing from an empty population, with no margin of error', () => {
    for (const plan of [
      { type: 'all' },
      { type: 'count', value: 5 },
      { type: 'percent', value: 10 },
      { type: 'stratified', by: 'team', value: 5 },
    ] as const) {
      const result = drawSample([], plan, { seed: 1 });
      expect(result).toMatchObject({
        populationSize: 0,
        eligibleSize: 0,
        sample: [],
        excluded: [],
        marginOfError: null,
      });
    }
  });

  it('reports the margin of error of the sample against the eligible units', () => {
    const result = drawSample(makeUnits(470), { type: 'count', value: 100 }, { seed: 7 });
    expect(result.marginOfError).toBe(marginOfError(100, 470));
    const excluded = drawSample(
      makeUnits(470),
      { type: 'count', value: 100 },
      { seed: 7, excludeChildIds: new Set(['C-1', 'C-2']) },
    );
    expect(excluded.marginOfError).toBe(marginOfError(100, 468));
  });

  it('chooses uniformly: over 2,000 seeds, each of 4 units is drawn 20–30% of the time', () => {
    const units = makeUnits(4);
    const counts = new Map<string, number>();
    for (let seed = 0; seed < 2000; seed++) {
      const [id] = drawSample(units, { type: 'count', value: 1 }, { seed }).sample;
      counts.set(id!, (counts.get(id!) ?? 0) + 1);
    }
    expect(counts.size).toBe(4);
    for (const count of counts.values()) {
      expect(count / 2000).toBeGreaterThanOrEqual(0.2);
      expect(count / 2000).toBeLessThanOrEqual(0.3);
    }
  });

  it('refuses a unit listed twice, an invalid plan and a seed that is not a whole number', () => {
    const twice = [...makeUnits(3), makeUnits(1)[0]!];
    expect(() => drawSample(twice, { type: 'all' }, { seed: 1 })).toThrow(/listed twice/);
    expect(() => drawSample(makeUnits(3), { type: 'count', value: 0 }, { seed: 1 })).toThrow(
      /a count must be a whole number/,
    );
    expect(() => drawSample(makeUnits(3), { type: 'all' }, { seed: 1.5 })).toThrow(RangeError);
  });
});

describe('validateSamplingPlan', () => {
  it('accepts each kind of plan', () => {
    for (const plan of [
      { type: 'all' },
      { type: 'count', value: 30 },
      { type: 'percent', value: 12.5 },
      { type: 'stratified', by: 'service', value: 40 },
      { type: 'stratified', by: 'team', quotas: { 'Team A': 5, 'Team B': 0 } },
    ]) {
      expect(validateSamplingPlan(plan)).toEqual({ ok: true, plan });
    }
  });

  it('says a count must be a whole number of at least 1, against the field', () => {
    for (const value of [0, 2.5, -3, '10', undefined]) {
      expect(validateSamplingPlan({ type: 'count', value })).toEqual({
        ok: false,
        errors: [{ field: 'sample.value', message: 'a count must be a whole number of at least 1' }],
      });
    }
  });

  it('says a percentage must be more than 0 and at most 100', () => {
    for (const value of [0, 100.5, -1]) {
      expect(validateSamplingPlan({ type: 'percent', value })).toEqual({
        ok: false,
        errors: [{ field: 'sample.value', message: 'a percentage must be a number more than 0 and at most 100' }],
      });
    }
  });

  it('names the sampling types when the type is wrong or missing', () => {
    for (const plan of [{ type: 'random' }, {}, null, 5]) {
      const result = validateSamplingPlan(plan);
      expect(result.ok).toBe(false);
      if (!result.ok)
        expect(result.errors[0]!.message).toBe('choose how to sample: "all", "count", "percent" or "stratified"');
    }
  });

  it('explains what a stratified plan needs', () => {
    expect(validateSamplingPlan({ type: 'stratified', by: 'service' })).toEqual({
      ok: false,
      errors: [{ field: 'sample.value', message: 'a stratified sample needs a total (value) or per-stratum quotas' }],
    });
    expect(validateSamplingPlan({ type: 'stratified', by: 'service', value: 5, quotas: { North: 1 } })).toEqual({
      ok: false,
      errors: [{ field: 'sample.quotas', message: 'give either a total (value) or per-stratum quotas, not both' }],
    });
    expect(validateSamplingPlan({ type: 'stratified', by: 'region', value: 5 })).toEqual({
      ok: false,
      errors: [{ field: 'sample.by', message: 'stratify by "service" or "team"' }],
    });
    expect(validateSamplingPlan({ type: 'stratified', by: 'team', quotas: { North: -1 } })).toEqual({
      ok: false,
      errors: [{ field: 'sample.quotas.North', message: 'a quota must be a whole number of 0 or more' }],
    });
    expect(validateSamplingPlan({ type: 'stratified', by: 'team', quotas: {} })).toEqual({
      ok: false,
      errors: [{ field: 'sample.quotas', message: 'give at least one stratum a quota of 1 or more' }],
    });
    expect(validateSamplingPlan({ type: 'stratified', by: 'team', quotas: { North: 0 } })).toEqual({
      ok: false,
      errors: [{ field: 'sample.quotas', message: 'give at least one stratum a quota of 1 or more' }],
    });
  });

  it('refuses unknown fields by name, so a typo is not ignored', () => {
    expect(validateSamplingPlan({ type: 'count', value: 5, vaule: 6 })).toEqual({
      ok: false,
      errors: [{ field: 'sample', message: 'unknown field "vaule"' }],
    });
  });

  it('uses the prefix the caller gives', () => {
    expect(validateSamplingPlan({ type: 'count', value: 0 }, 'defaultSampling')).toEqual({
      ok: false,
      errors: [{ field: 'defaultSampling.value', message: 'a count must be a whole number of at least 1' }],
    });
  });

  it('exports the schema for the API to embed', () => {
    expect(SamplingPlanSchema.safeParse({ type: 'percent', value: 10 }).success).toBe(true);
  });
});
