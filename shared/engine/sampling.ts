/** Draws the audit sample: a reproducible, seeded, unbiased choice of audit units under a sampling plan. */
import * as z from 'zod';
import { Random } from './random.ts';
import { marginOfError } from './statistics.ts';

/** The stratum of a unit whose service or team is missing: it is sampled like any other stratum, not dropped. */
export const NOT_RECORDED = '(not recorded)';

/** The default reason given for units left out because a child was audited recently. */
export const DEFAULT_EXCLUDE_REASON = 'a child in this unit was audited recently';

export type SamplingPlan =
  | { type: 'all' }
  | { type: 'count'; value: number }
  /** 0 < value ≤ 100, of the eligible units, rounded up so a percentage never yields 0 from a non-empty population. */
  | { type: 'percent'; value: number }
  | {
      type: 'stratified';
      by: 'service' | 'team';
      /** A total, shared out in proportion to stratum size (largest remainder), at least 1 per stratum when the total allows. */
      value?: number;
      /** Explicit counts per stratum (capped at the stratum's size); strata not named get none. */
      quotas?: Record<string, number>;
    };

export interface SamplingUnit {
  unitId: string;
  childIds: readonly string[];
  service: string | null;
  team: string | null;
}

export interface SampleResult {
  seed: number;
  plan: SamplingPlan;
  /** Every unit offered. */
  populationSize: number;
  /** The units left after exclusions: the frame the sample is drawn from and the population its margin of error refers to. */
  eligibleSize: number;
  excluded: { unitId: string; reason: string }[];
  /** The sampled unitIds, sorted (code-unit order), so the same draw always reads the same. */
  sample: string[];
  /** Stratified plans only: per stratum, the eligible units and how many were sampled. */
  strata?: { stratum: string; population: number; sampled: number }[];
  /** 95% margin of error of a proportion (worst case, finite population corrected) over the eligible units; null for an empty sample. */
  marginOfError: number | null;
}

export interface DrawOptions {
  /** Any safe integer; the same seed and units always give the same sample. */
  seed: number;
  /** Children audited recently (the caller decides the window): a unit is excluded when ANY of its children is in the set. */
  excludeChildIds?: ReadonlySet<string>;
  /** Shown against each excluded unit; defaults to DEFAULT_EXCLUDE_REASON. */
  excludeReason?: string;
}

const COUNT_MESSAGE = 'a count must be a whole number of at least 1';
const PERCENT_MESSAGE = 'a percentage must be a number more than 0 and at most 100';
const TOTAL_MESSAGE = 'a total must be a whole number of at least 1';
const QUOTA_MESSAGE = 'a quota must be a whole number of 0 or more';
const TYPE_MESSAGE = 'choose how to sample: "all", "count", "percent" or "stratified"';

const wholeNumber = (message: string, min: number) =>
  z.number({ error: message }).int({ error: message }).min(min, { error: message });

/** Unknown fields are refused by name, so a typo ("vaule") is not silently ignored. */
const strictMessages = {
  error: (issue: { code?: string; keys?: string[] }) =>
    issue.code === 'unrecognized_keys'
      ? `unknown field${issue.keys && issue.keys.length > 1 ? 's' : ''} ${(issue.keys ?? []).map((k) => `"${k}"`).join(', ')}`
      : undefined,
};

/** The sampling plan as the API receives it; issue paths are relative to the plan and messages are written for the launch form. */
export const SamplingPlanSchema = z.discriminatedUnion(
  'type',
  [
    z.strictObject({ type: z.literal('all') }, strictMessages),
    z.strictObject({ type: z.literal('count'), value: wholeNumber(COUNT_MESSAGE, 1) }, strictMessages),
    z.strictObject(
      {
        type: z.literal('percent'),
        value: z
          .number({ error: PERCENT_MESSAGE })
          .gt(0, { error: PERCENT_MESSAGE })
          .max(100, { error: PERCENT_MESSAGE }),
      },
      strictMessages,
    ),
    z
      .strictObject(
        {
          type: z.literal('stratified'),
          by: z.enum(['service', 'team'], { error: 'stratify by "service" or "team"' }),
          value: wholeNumber(TOTAL_MESSAGE, 1).optional(),
          quotas: z
            .record(z.string().min(1, { error: 'a stratum name cannot be empty' }), wholeNumber(QUOTA_MESSAGE, 0), {
              error: 'quotas must map each stratum name to a count',
            })
            .optional(),
        },
        strictMessages,
      )
      .superRefine((plan, ctx) => {
        if (plan.value !== undefined && plan.quotas !== undefined) {
          ctx.addIssue({
            code: 'custom',
            path: ['quotas'],
            message: 'give either a total (value) or per-stratum quotas, not both',
          });
        } else if (plan.value === undefined && plan.quotas === undefined) {
          ctx.addIssue({
            code: 'custom',
            path: ['value'],
            message: 'a stratified sample needs a total (value) or per-stratum quotas',
          });
        } else if (plan.quotas !== undefined && Object.values(plan.quotas).every((q) => q === 0)) {
          // `every … === 0` rather than `!some(q > 0)`: zod still runs this after a bad quota, which has its own message.
          ctx.addIssue({ code: 'custom', path: ['quotas'], message: 'give at least one stratum a quota of 1 or more' });
        }
      }),
  ],
  { error: TYPE_MESSAGE },
);

// Compile-time guard: what the schema accepts is a SamplingPlan.
type SchemaFitsPlan = z.infer<typeof SamplingPlanSchema> extends SamplingPlan ? true : never;
const schemaFitsPlan: SchemaFitsPlan = true;
void schemaFitsPlan;

/**
 * Checks a sampling plan from a request body; field names are prefixed (default "sample", the field of the launch
 * request), e.g. `{ field: 'sample.value', message: 'a count must be a whole number of at least 1' }`.
 */
export function validateSamplingPlan(
  plan: unknown,
  prefix = 'sample',
): { ok: true; plan: SamplingPlan } | { ok: false; errors: { field: string; message: string }[] } {
  const parsed = SamplingPlanSchema.safeParse(plan);
  if (parsed.success) return { ok: true, plan: parsed.data };
  const errors = parsed.error.issues.map((issue) => ({
    field: [prefix, ...issue.path.map(String)].filter((part) => part !== '').join('.') || '(plan)',
    message: issue.message,
  }));
  return { ok: false, errors };
}

const byCodeUnits = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

function stratumOf(unit: SamplingUnit, by: 'service' | 'team'): string {
  const value = unit[by];
  return value !== null && value.trim() !== '' ? value : NOT_RECORDED;
}

/**
 * Shares `total` among strata in proportion to size by largest remainder (Hamilton), then lifts every empty stratum to
 * 1 at the expense of the stratum most over its exact share, when the total allows one each. Integer arithmetic
 * throughout, so no rounding noise decides a tie. Never gives a stratum more than its size.
 */
function allocate(strata: readonly { name: string; size: number }[], total: number): Map<string, number> {
  const population = strata.reduce((sum, s) => sum + s.size, 0);
  const quotas = new Map<string, number>();
  if (population === 0 || total === 0) {
    for (const s of strata) quotas.set(s.name, 0);
    return quotas;
  }
  // exact share = total·size / population = floor + remainder / population
  const shares = strata.map((s) => {
    const scaled = total * s.size;
    const remainder = scaled % population;
    return { ...s, floor: (scaled - remainder) / population, remainder };
  });
  let left = total - shares.reduce((sum, s) => sum + s.floor, 0);
  const byRemainder = [...shares].sort(
    (a, b) => b.remainder - a.remainder || b.size - a.size || byCodeUnits(a.name, b.name),
  );
  for (const s of shares) quotas.set(s.name, s.floor);
  for (const s of byRemainder) {
    if (left === 0) break;
    quotas.set(s.name, s.floor + 1);
    left--;
  }
  if (total >= strata.length) {
    for (const s of [...shares].sort((a, b) => byCodeUnits(a.name, b.name))) {
      if (quotas.get(s.name) !== 0) continue;
      // The donor is the stratum furthest above its exact share: (quota·population − total·size) / population.
      let donor: (typeof shares)[number] | undefined;
      let donorExcess = -Infinity;
      for (const d of shares) {
        const q = quotas.get(d.name)!;
        if (q < 2) continue;
        const excess = q * population - total * d.size;
        if (
          excess > donorExcess ||
          (excess === donorExcess && donor !== undefined && byCodeUnits(d.name, donor.name) < 0)
        ) {
          donor = d;
          donorExcess = excess;
        }
      }
      // With total ≥ number of strata and a stratum at 0, some stratum must hold 2 or more.
      if (!donor) break;
      quotas.set(donor.name, quotas.get(donor.name)! - 1);
      quotas.set(s.name, 1);
    }
  }
  return quotas;
}

/** "(not recorded)" last, the rest in code-unit order: how strata are listed. */
const strataOrder = (a: string, b: string) =>
  (a === NOT_RECORDED ? 1 : 0) - (b === NOT_RECORDED ? 1 : 0) || byCodeUnits(a, b);

/**
 * Draws the sample for an audit. Reproducible: units are sorted by unitId first, so the same seed and the same units in
 * any order give the same sample. Memory is O(population) of these small descriptors (id, child ids, two strings), fine
 * into the millions; records themselves are never loaded here.
 * E.g. `drawSample(units, { type: 'percent', value: 10 }, { seed: 42 })` samples ⌈10% of the eligible units⌉.
 */
export function drawSample(units: readonly SamplingUnit[], plan: SamplingPlan, options: DrawOptions): SampleResult {
  const checked = validateSamplingPlan(plan, 'plan');
  if (!checked.ok)
    throw new RangeError(`invalid sampling plan: ${checked.errors.map((e) => `${e.field}: ${e.message}`).join('; ')}`);
  const random = Random.seeded(options.seed); // throws on a seed that is not a safe integer

  const sorted = [...units].sort((a, b) => byCodeUnits(a.unitId, b.unitId));
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i]!.unitId === sorted[i - 1]!.unitId)
      throw new RangeError(`unit "${sorted[i]!.unitId}" is listed twice`);
  }

  const exclude = options.excludeChildIds;
  const reason = options.excludeReason ?? DEFAULT_EXCLUDE_REASON;
  const eligible: SamplingUnit[] = [];
  const excluded: { unitId: string; reason: string }[] = [];
  for (const unit of sorted) {
    if (exclude && unit.childIds.some((id) => exclude.has(id))) excluded.push({ unitId: unit.unitId, reason });
    else eligible.push(unit);
  }

  const valid = checked.plan;
  let chosen: SamplingUnit[];
  let strata: SampleResult['strata'];
  switch (valid.type) {
    case 'all':
      chosen = eligible;
      break;
    case 'count':
      chosen = random.fork('sample').sample(eligible, valid.value);
      break;
    case 'percent': {
      // The epsilon keeps float noise (e.g. 0.07 × 100 = 7.000000000000001) from rounding a whole result up by one.
      const wanted = Math.ceil((eligible.length * valid.value) / 100 - 1e-9);
      chosen = random.fork('sample').sample(eligible, wanted);
      break;
    }
    case 'stratified': {
      const groups = new Map<string, SamplingUnit[]>();
      for (const unit of eligible) {
        const name = stratumOf(unit, valid.by);
        const group = groups.get(name);
        if (group) group.push(unit);
        else groups.set(name, [unit]);
      }
      const names = [...new Set([...groups.keys(), ...Object.keys(valid.quotas ?? {})])].sort(strataOrder);
      const quotas =
        valid.quotas !== undefined
          ? new Map(names.map((name) => [name, valid.quotas![name] ?? 0]))
          : allocate(
              names.map((name) => ({ name, size: groups.get(name)?.length ?? 0 })),
              Math.min(valid.value ?? 0, eligible.length),
            );
      chosen = [];
      strata = names.map((name) => {
        const members = groups.get(name) ?? [];
        // A stream per stratum: one stratum's draw does not shift when another stratum grows or shrinks.
        const picked = random.fork(`stratum:${name}`).sample(members, Math.min(quotas.get(name) ?? 0, members.length));
        chosen.push(...picked);
        return { stratum: name, population: members.length, sampled: picked.length };
      });
      break;
    }
  }

  const sample = chosen.map((u) => u.unitId).sort(byCodeUnits);
  const result: SampleResult = {
    seed: options.seed,
    plan: valid,
    populationSize: units.length,
    eligibleSize: eligible.length,
    excluded,
    sample,
    // Simple-random-sampling formula: for proportional strata it is slightly conservative; for explicit quotas an approximation.
    marginOfError: marginOfError(sample.length, eligible.length),
  };
  if (strata) result.strata = strata;
  return result;
}
