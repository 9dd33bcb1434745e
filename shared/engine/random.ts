/** Seeded, forkable pseudo-random numbers: the sample, the assignment and moderation draws, and the demo generator; the same seed always gives the same result. */
import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import { uniformInt } from 'pure-rand/distribution/uniformInt';
import { xoroshiro128plusFromState } from 'pure-rand/generator/xoroshiro128plus';
import type { RandomGenerator } from 'pure-rand/types/RandomGenerator';

type Key = readonly [number, number, number, number];

/** `[value, weight]` pairs for `Random.weighted`. */
export type Weighted<T> = readonly (readonly [T, number])[];

/** Arbitrary odd constants (fractional digits of π, e, √2…): any non-zero start works, these just look deliberate. */
const ROOT: Key = [0x243f6a88, 0x85a308d3, 0xb7e15162, 0x6a09e667];

/**
 * cyrb128 keyed by a parent key: a child key depends only on (parent key, label), never on how many numbers the
 * parent has drawn, which is what makes forks order-independent.
 */
function derive(parent: Key, label: string): Key {
  let [h1, h2, h3, h4] = parent;
  for (let i = 0; i < label.length; i++) {
    const k = label.charCodeAt(i);
    h1 = h2 ^ Math.imul(h1 ^ k, 597_399_067);
    h2 = h3 ^ Math.imul(h2 ^ k, 2_869_860_233);
    h3 = h4 ^ Math.imul(h3 ^ k, 951_274_213);
    h4 = h1 ^ Math.imul(h4 ^ k, 2_716_044_179);
  }
  h1 = Math.imul(h3 ^ (h1 >>> 18), 597_399_067);
  h2 = Math.imul(h4 ^ (h2 >>> 22), 2_869_860_233);
  h3 = Math.imul(h1 ^ (h3 >>> 17), 951_274_213);
  h4 = Math.imul(h2 ^ (h4 >>> 19), 2_716_044_179);
  h1 ^= h2 ^ h3 ^ h4;
  h2 ^= h1;
  h3 ^= h1;
  h4 ^= h1;
  // xoroshiro's all-zero state is a fixed point; astronomically unlikely, but cheap to rule out.
  if ((h1 | h2 | h3 | h4) === 0) h4 = 1;
  return [h1 >>> 0, h2 >>> 0, h3 >>> 0, h4 >>> 0];
}

/** A deterministic random stream (xoroshiro128+ from pure-rand) that can fork independent named sub-streams. */
export class Random {
  private readonly generator: RandomGenerator;

  private constructor(private readonly key: Key) {
    this.generator = xoroshiro128plusFromState(key.map((w) => w | 0));
    // The first outputs of xoroshiro128+ mirror its state closely; a short warm-up decorrelates sibling forks.
    for (let i = 0; i < 4; i++) this.generator.next();
  }

  /** The root stream for a seed (any safe integer). */
  static seeded(seed: number): Random {
    if (!Number.isSafeInteger(seed)) throw new RangeError(`seed must be a whole number, got ${seed}`);
    return new Random(derive(ROOT, `seed:${seed}`));
  }

  /** An independent stream named by `label`: the same parent and label always give the same stream, whatever was drawn before. */
  fork(label: string | number): Random {
    return new Random(derive(this.key, String(label)));
  }

  /** A whole number from `min` to `max`, both included. */
  int(min: number, max: number): number {
    if (!Number.isSafeInteger(min) || !Number.isSafeInteger(max) || max < min)
      throw new RangeError(`bad int range ${min}..${max}`);
    return min === max ? min : uniformInt(this.generator, min, max);
  }

  /** A number in [0, 1). */
  float(): number {
    return uniformFloat64(this.generator);
  }

  /** True with probability `p`. */
  chance(p: number): boolean {
    return this.float() < p;
  }

  /**
   * `k` items chosen uniformly without replacement (a partial Fisher–Yates shuffle: every k-subset
   * equally likely). Draws are a prefix: with the same stream, a larger k keeps every item a smaller k chose.
   */
  sample<T>(items: readonly T[], k: number): T[] {
    const pool = [...items];
    const take = Math.min(k, pool.length);
    for (let i = 0; i < take; i++) {
      const j = this.int(i, pool.length - 1);
      const chosen = pool[j] as T;
      pool[j] = pool[i] as T;
      pool[i] = chosen;
    }
    return pool.slice(0, take);
  }

  /** The items in a uniformly random order. */
  shuffle<T>(items: readonly T[]): T[] {
    return this.sample(items, items.length);
  }

  /** One element of a non-empty array, uniformly. */
  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError('cannot pick from an empty list');
    return items[this.int(0, items.length - 1)] as T;
  }

  /** One value of `[value, weight]` pairs, in proportion to the weights (which need not sum to 1). */
  weighted<T>(pairs: Weighted<T>): T {
    let total = 0;
    for (const [, w] of pairs) total += w;
    if (!(total > 0)) throw new RangeError('weights must add up to more than 0');
    let x = this.float() * total;
    for (const [value, w] of pairs) {
      x -= w;
      if (x < 0) return value;
    }
    return pairs[pairs.length - 1]![0];
  }

  /** A sum of `shape` exponentials of mean `scale` (an Erlang variate): a cheap right-skewed positive number. */
  erlang(shape: number, scale: number): number {
    let sum = 0;
    for (let i = 0; i < shape; i++) sum -= Math.log(1 - this.float());
    return sum * scale;
  }
}
