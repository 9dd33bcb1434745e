import { describe, expect, it } from 'vitest';
import {
  cohensWeightedKappa,
  compliance,
  marginOfError,
  percentExactAgreement,
  sampleSizeFor,
  wilsonInterval,
} from '#engine/statistics';

/** Rounds to `dp` decimal places, so assertions read like the published tables. */
const round = (x: number, dp = 4) => Math.round(x * 10 ** dp) / 10 ** dp;

/** Pairs from a contingency table (rows: rater A's grade, columns: rater B's). */
function pairsFromTable(table: number[][]): [number, number][] {
  const pairs: [number, number][] = [];
  table.forEach((row, i) =>
    row.forEach((count, j) => {
      for (let c = 0; c < count; c++) pairs.push([i, j]);
    }),
  );
  return pairs;
}

/**
 * Independent reference: the agreement-weight form κw = (Po − Pe) / (1 − Pe) over the proportions table, with
 * agreement weights 1 − |i−j|/(k−1) or 1 − ((i−j)/(k−1))² (Cohen 1968), a different route from the disagreement form under test.
 */
function referenceKappa(table: number[][], weights: 'linear' | 'quadratic'): number {
  const k = table.length;
  const n = table.flat().reduce((a, b) => a + b, 0);
  const p = table.map((row) => row.map((c) => c / n));
  const rows = p.map((row) => row.reduce((a, b) => a + b, 0));
  const cols = p[0]!.map((_, j) => p.reduce((a, row) => a + row[j]!, 0));
  const w = (i: number, j: number) =>
    weights === 'linear' ? 1 - Math.abs(i - j) / (k - 1) : 1 - ((i - j) / (k - 1)) ** 2;
  let po = 0;
  let pe = 0;
  for (let i = 0; i < k; i++) {
    for (let j = 0; j < k; j++) {
      po += w(i, j) * p[i]![j]!;
      pe += w(i, j) * rows[i]! * cols[j]!;
    }
  }
  return (po - pe) / (1 - pe);
}

describe('wilsonInterval', () => {
  it('gives [0.4902, 0.9433] for 8 of 10 (the Wilson score formula worked by hand)', () => {
    const ci = wilsonInterval(8, 10)!;
    expect(round(ci.lower)).toBe(0.4902);
    expect(round(ci.upper)).toBe(0.9433);
  });

  it('matches the score-method intervals published by Newcombe (1998, Stat Med 17:857, Table II, method 3)', () => {
    const published: [number, number, number, number][] = [
      [81, 263, 0.2553, 0.3662],
      [15, 148, 0.0624, 0.1605],
      [0, 20, 0, 0.1611],
      [1, 29, 0.0061, 0.1718],
    ];
    for (const [successes, n, lower, upper] of published) {
      const ci = wilsonInterval(successes, n)!;
      expect([round(ci.lower), round(ci.upper)]).toEqual([lower, upper]);
    }
  });

  it('starts exactly at 0 when nothing met the rule, and ends exactly at 1 when everything did', () => {
    expect(wilsonInterval(0, 10)).toEqual({ lower: 0, upper: expect.closeTo(0.2775, 4) });
    expect(wilsonInterval(10, 10)).toEqual({ lower: expect.closeTo(0.7225, 4), upper: 1 });
    const one = wilsonInterval(1, 1)!;
    expect(one.upper).toBe(1);
    expect(round(one.lower)).toBe(0.2065);
  });

  it('is null when there is nothing to judge', () => {
    expect(wilsonInterval(0, 0)).toBeNull();
  });

  it('stays inside [0, 1] and contains the observed proportion', () => {
    for (let n = 1; n <= 60; n++) {
      for (let s = 0; s <= n; s++) {
        const ci = wilsonInterval(s, n)!;
        expect(ci.lower).toBeGreaterThanOrEqual(0);
        expect(ci.upper).toBeLessThanOrEqual(1);
        expect(ci.lower).toBeLessThanOrEqual(s / n + 1e-12);
        expect(ci.upper).toBeGreaterThanOrEqual(s / n - 1e-12);
      }
    }
  });

  it('refuses impossible counts', () => {
    expect(() => wilsonInterval(11, 10)).toThrow(RangeError);
    expect(() => wilsonInterval(-1, 10)).toThrow(RangeError);
    expect(() => wilsonInterval(1.5, 10)).toThrow(RangeError);
  });
});

describe('compliance', () => {
  it('is met / (met + not met), leaving not-applicable and cannot-tell out of the denominator', () => {
    expect(compliance(7, 3)).toBe(0.7);
    expect(compliance(5, 0)).toBe(1);
    expect(compliance(0, 4)).toBe(0);
  });

  it('is null when no unit was judged', () => {
    expect(compliance(0, 0)).toBeNull();
  });
});

describe('marginOfError', () => {
  it('is ±9.80% for 100 units from a very large population (1.96 × √(0.25/100))', () => {
    expect(round(marginOfError(100, Infinity)!)).toBe(0.098);
    expect(round(marginOfError(100, 1e12)!)).toBe(0.098);
  });

  it('applies the finite population correction: 100 of 470 gives 0.0870', () => {
    // 1.959964 × 0.05 × √(370/469) = 0.097998 × 0.888207 = 0.087043
    const expected = 1.959963984540054 * Math.sqrt(0.25 / 100) * Math.sqrt((470 - 100) / (470 - 1));
    expect(marginOfError(100, 470)).toBeCloseTo(expected, 12);
    expect(round(marginOfError(100, 470)!)).toBe(0.087);
  });

  it('is 0 when the sample is the whole population, and null when nothing is sampled', () => {
    expect(marginOfError(470, 470)).toBe(0);
    expect(marginOfError(1, 1)).toBe(0);
    expect(marginOfError(0, 470)).toBeNull();
  });

  it('takes another proportion or confidence level when asked', () => {
    expect(marginOfError(100, Infinity, { p: 0.1 })).toBeCloseTo(1.959963984540054 * 0.03, 12);
    expect(marginOfError(100, Infinity, { z: 2.5758293035489 })).toBeCloseTo(0.1288, 4);
  });

  it('refuses a sample larger than the population', () => {
    expect(() => marginOfError(471, 470)).toThrow(RangeError);
  });
});

describe('sampleSizeFor', () => {
  it('asks for 385 units for ±5% from a very large population', () => {
    expect(sampleSizeFor(0.05, Infinity)).toBe(385);
  });

  it('matches Krejcie & Morgan (1970) for N = 100, 1,000 and 10,000 (80, 278, 370)', () => {
    expect(sampleSizeFor(0.05, 100)).toBe(80);
    expect(sampleSizeFor(0.05, 1000)).toBe(278);
    expect(sampleSizeFor(0.05, 10000)).toBe(370);
  });

  it('gives the smallest sample that reaches the margin', () => {
    for (const [margin, population] of [
      [0.05, 470],
      [0.1, 470],
      [0.03, 1300],
      [0.07, 57],
      [0.2, 3],
    ] as const) {
      const n = sampleSizeFor(margin, population);
      expect(marginOfError(n, population)!).toBeLessThanOrEqual(margin);
      if (n > 1) expect(marginOfError(n - 1, population)!).toBeGreaterThan(margin);
    }
    expect(sampleSizeFor(0.05, 470)).toBe(212);
  });

  it('never asks for more than the population, and nothing from an empty one', () => {
    expect(sampleSizeFor(0.0001, 470)).toBe(470);
    expect(sampleSizeFor(0.05, 0)).toBe(0);
  });
});

describe('cohensWeightedKappa', () => {
  // scikit-learn's published test case (sklearn/metrics/tests/test_classification.py, test_cohen_kappa):
  // rater A 46×0, 44×1, 10×2; rater B 50×0, 40×1, 10×2, paired in order → linear 0.9412, quadratic 0.9541.
  const sklearnTable = [
    [46, 0, 0],
    [4, 40, 0],
    [0, 0, 10],
  ];

  it('matches published values for linear (0.941) and quadratic (0.954) weights', () => {
    const pairs = pairsFromTable(sklearnTable);
    expect(round(cohensWeightedKappa(pairs, 3, 'linear')!, 3)).toBe(0.941);
    expect(round(cohensWeightedKappa(pairs, 3, 'quadratic')!, 3)).toBe(0.954);
    // and by hand: linear 1 − 0.02/0.34, quadratic 1 − 0.01/0.218
    expect(cohensWeightedKappa(pairs, 3, 'linear')).toBeCloseTo(1 - 0.02 / 0.34, 12);
    expect(cohensWeightedKappa(pairs, 3)).toBeCloseTo(1 - 0.01 / 0.218, 12);
  });

  it('reduces to Cohen’s unweighted kappa on two categories (Wikipedia’s worked example: 0.4)', () => {
    // 50 proposals: both yes 20, A yes/B no 5, A no/B yes 10, both no 15 → po 0.7, pe 0.5, κ 0.4
    const pairs = pairsFromTable([
      [20, 5],
      [10, 15],
    ]);
    expect(cohensWeightedKappa(pairs, 2, 'linear')).toBeCloseTo(0.4, 12);
    expect(cohensWeightedKappa(pairs, 2, 'quadratic')).toBeCloseTo(0.4, 12);
  });

  it('agrees with an independent agreement-weight computation on a four-grade table', () => {
    // An ILACS-style 4-point scale (Outstanding … Inadequate), two auditors on 60 files.
    const table = [
      [5, 3, 0, 0],
      [2, 18, 4, 1],
      [0, 3, 14, 2],
      [0, 0, 2, 6],
    ];
    for (const weights of ['linear', 'quadratic'] as const) {
      const expected = referenceKappa(table, weights);
      expect(round(cohensWeightedKappa(pairsFromTable(table), 4, weights)!, 3)).toBe(round(expected, 3));
    }
  });

  it('is 1 for perfect agreement', () => {
    expect(
      cohensWeightedKappa(
        [
          [0, 0],
          [1, 1],
          [2, 2],
          [3, 3],
          [1, 1],
        ],
        4,
      ),
    ).toBe(1);
  });

  it('is negative for systematic disagreement (one rater reverses the scale)', () => {
    const reversed: [number, number][] = [
      [0, 2],
      [1, 1],
      [2, 0],
    ];
    expect(cohensWeightedKappa(reversed, 3, 'quadratic')).toBeCloseTo(-1, 12);
    expect(cohensWeightedKappa(reversed, 3, 'linear')!).toBeLessThan(0);
  });

  it('is undefined (null) when both raters gave every unit the same grade, and when there are no pairs', () => {
    expect(
      cohensWeightedKappa(
        [
          [1, 1],
          [1, 1],
          [1, 1],
        ],
        4,
      ),
    ).toBeNull();
    expect(cohensWeightedKappa([], 4)).toBeNull();
  });

  it('is 0 when each rater sticks to one grade but they differ (agreement no better than chance)', () => {
    expect(
      cohensWeightedKappa(
        [
          [0, 1],
          [0, 1],
        ],
        3,
      ),
    ).toBe(0);
  });

  it('refuses grades outside the scale', () => {
    expect(() => cohensWeightedKappa([[0, 4]], 4)).toThrow(RangeError);
    expect(() => cohensWeightedKappa([[0, 1.5]], 4)).toThrow(RangeError);
    expect(() => cohensWeightedKappa([[0, 0]], 1)).toThrow(RangeError);
  });
});

describe('percentExactAgreement', () => {
  it('is the share of pairs graded the same', () => {
    expect(
      percentExactAgreement([
        [1, 1],
        [0, 2],
        [3, 3],
        [2, 1],
      ]),
    ).toBe(0.5);
    expect(
      percentExactAgreement(
        pairsFromTable([
          [20, 5],
          [10, 15],
        ]),
      ),
    ).toBe(0.7);
  });

  it('is null for no pairs', () => {
    expect(percentExactAgreement([])).toBeNull();
  });
});
