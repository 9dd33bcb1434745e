/** The small statistics an audit report needs: compliance with its confidence interval, sampling error and inter-rater agreement. */

/** z for a two-sided 95% interval (the 97.5th percentile of the standard normal), to full double precision. */
export const Z_95 = 1.959963984540054;

function assertCount(name: string, value: number): void {
  if (!Number.isSafeInteger(value) || value < 0)
    throw new RangeError(`${name} must be a whole number of 0 or more, got ${value}`);
}

function assertZ(z: number): void {
  if (!(Number.isFinite(z) && z > 0)) throw new RangeError(`z must be a positive number, got ${z}`);
}

const clamp01 = (x: number) => Math.min(1, Math.max(0, x));

/**
 * The Wilson score interval for a proportion (95% by default), or null when n = 0. Chosen over the textbook
 * p ± z·√(p(1−p)/n) because audits are small and compliance is often near 0% or 100%, where that one collapses
 * to zero width or leaves [0, 1]. E.g. `wilsonInterval(8, 10)` → `{ lower: 0.4902, upper: 0.9433 }` (4 dp).
 */
export function wilsonInterval(
  successes: number,
  n: number,
  z: number = Z_95,
): { lower: number; upper: number } | null {
  assertCount('successes', successes);
  assertCount('n', n);
  assertZ(z);
  if (successes > n) throw new RangeError(`successes (${successes}) cannot exceed n (${n})`);
  if (n === 0) return null;
  const p = successes / n;
  const z2 = z * z;
  const denominator = 1 + z2 / n;
  const centre = (p + z2 / (2 * n)) / denominator;
  const halfWidth = (z / denominator) * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  // Analytically exact at the edges; pinning them stops rounding from printing "0 of 10 → lower 0.0000000001".
  return {
    lower: successes === 0 ? 0 : clamp01(centre - halfWidth),
    upper: successes === n ? 1 : clamp01(centre + halfWidth),
  };
}

/**
 * The share of judged units that met a rule: met / (met + notMet), or null when nothing was judged.
 * "Not applicable" and "cannot tell" are left out of the denominator on purpose: compliance is judged only where the
 * rule applied and the record let it be checked; counting them as failures (or passes) would measure recording, not
 * practice. E.g. `compliance(7, 3)` → 0.7; `compliance(0, 0)` → null.
 */
export function compliance(met: number, notMet: number): number | null {
  assertCount('met', met);
  assertCount('notMet', notMet);
  const judged = met + notMet;
  return judged === 0 ? null : met / judged;
}

export interface MarginOptions {
  /** The proportion assumed; 0.5 (the default) is the worst case, so the margin holds whatever the result. */
  p?: number;
  /** The normal quantile; the default gives 95%. */
  z?: number;
}

function finitePopulationFactor(sampleSize: number, populationSize: number): number {
  if (!Number.isFinite(populationSize)) return 1;
  if (populationSize <= 1) return 0;
  return Math.sqrt((populationSize - sampleSize) / (populationSize - 1));
}

function assertPopulation(populationSize: number): void {
  if (!(populationSize === Infinity || (Number.isSafeInteger(populationSize) && populationSize >= 0))) {
    throw new RangeError(`populationSize must be a whole number of 0 or more (or Infinity), got ${populationSize}`);
  }
}

function assertP(p: number): void {
  if (!(p >= 0 && p <= 1)) throw new RangeError(`p must be between 0 and 1, got ${p}`);
}

/**
 * Half-width of the 95% confidence interval of a proportion estimated from a simple random sample, at the worst
 * case p = 0.5, with the finite population correction √((N−n)/(N−1)): audits often sample a large share of a
 * small cohort, and ignoring that overstates the error. 0 when the sample is the whole population (a census has no
 * sampling error); null when nothing is sampled; N may be Infinity. E.g. `marginOfError(100, 470)` → 0.0870.
 */
export function marginOfError(sampleSize: number, populationSize: number, options: MarginOptions = {}): number | null {
  const { p = 0.5, z = Z_95 } = options;
  assertCount('sampleSize', sampleSize);
  assertPopulation(populationSize);
  assertP(p);
  assertZ(z);
  if (sampleSize > populationSize)
    throw new RangeError(`sampleSize (${sampleSize}) cannot exceed populationSize (${populationSize})`);
  if (sampleSize === 0) return null;
  if (sampleSize === populationSize) return 0;
  return z * Math.sqrt((p * (1 - p)) / sampleSize) * finitePopulationFactor(sampleSize, populationSize);
}

/**
 * The smallest sample whose margin of error (as `marginOfError` computes it) is at most `margin`, capped at the
 * population. E.g. `sampleSizeFor(0.05, Infinity)` → 385; `sampleSizeFor(0.05, 470)` → 212.
 */
export function sampleSizeFor(margin: number, populationSize: number, options: MarginOptions = {}): number {
  const { p = 0.5, z = Z_95 } = options;
  if (!(Number.isFinite(margin) && margin > 0))
    throw new RangeError(`the margin of error must be more than 0, got ${margin}`);
  assertPopulation(populationSize);
  assertP(p);
  assertZ(z);
  if (populationSize === 0) return 0;
  const n0 = (z * z * p * (1 - p)) / (margin * margin);
  // Solving e = z·√(pq/n)·√((N−n)/(N−1)) for n gives n = n0·N / (n0 + N − 1).
  const exact = Number.isFinite(populationSize) ? (n0 * populationSize) / (n0 + populationSize - 1) : n0;
  let n = Math.max(1, Math.ceil(exact));
  if (Number.isFinite(populationSize)) n = Math.min(n, populationSize);
  // The closed form can land one off through rounding: settle on the exact smallest n by the same function that reports it.
  const meets = (k: number) => (marginOfError(k, populationSize, { p, z }) ?? Infinity) <= margin;
  while (n > 1 && meets(n - 1)) n--;
  while (!meets(n) && n < populationSize) n++;
  return n;
}

/** How two raters' disagreements are weighted on an ordinal scale: by distance, or by squared distance. */
export type KappaWeights = 'linear' | 'quadratic';

/**
 * Cohen's weighted kappa for two raters grading the same units on an ordinal scale of `categories` levels
 * (values 0 … categories−1), as 1 − (observed weighted disagreement) / (disagreement expected by chance from the raters'
 * own grade distributions). 1 is perfect agreement, 0 chance-level, below 0 worse than chance.
 * Null when there are no pairs, or when chance disagreement is 0: that happens only when both raters gave every unit
 * the same single grade, and then kappa is 0/0 — undefined, as statisticians report it — rather than 1 (agreement
 * you cannot tell from chance is not evidence of reliability; show `percentExactAgreement` instead).
 * E.g. `cohensWeightedKappa([[0, 0], [1, 1], [2, 1]], 3)` → 0.667 (quadratic); with 'linear' → 0.571.
 */
export function cohensWeightedKappa(
  pairs: readonly (readonly [number, number])[],
  categories: number,
  weights: KappaWeights = 'quadratic',
): number | null {
  if (!Number.isSafeInteger(categories) || categories < 2)
    throw new RangeError(`categories must be a whole number of 2 or more, got ${categories}`);
  if (weights !== 'linear' && weights !== 'quadratic')
    throw new RangeError(`weights must be "linear" or "quadratic", got ${String(weights)}`);
  if (pairs.length === 0) return null;
  const k = categories;
  const rowTotals = new Array<number>(k).fill(0);
  const columnTotals = new Array<number>(k).fill(0);
  const disagreement = (i: number, j: number) => {
    const d = Math.abs(i - j) / (k - 1);
    return weights === 'linear' ? d : d * d;
  };
  let observed = 0;
  for (const [a, b] of pairs) {
    for (const grade of [a, b]) {
      if (!Number.isInteger(grade) || grade < 0 || grade >= k)
        throw new RangeError(`grade ${grade} is not one of 0…${k - 1}`);
    }
    rowTotals[a]!++;
    columnTotals[b]!++;
    observed += disagreement(a, b);
  }
  const n = pairs.length;
  let expected = 0;
  for (let i = 0; i < k; i++) {
    for (let j = 0; j < k; j++) expected += rowTotals[i]! * columnTotals[j]! * disagreement(i, j);
  }
  observed /= n;
  expected /= n * n;
  // Exactly 0 only when both raters used one and the same grade throughout (every weight off the diagonal is > 0).
  if (expected === 0) return null;
  return 1 - observed / expected;
}

/** The share (0–1) of pairs where both raters gave the same grade, or null for no pairs. E.g. `percentExactAgreement([[1, 1], [0, 2]])` → 0.5. */
export function percentExactAgreement(pairs: readonly (readonly [number, number])[]): number | null {
  if (pairs.length === 0) return null;
  let same = 0;
  for (const [a, b] of pairs) if (a === b) same++;
  return same / pairs.length;
}
