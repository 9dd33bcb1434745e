/**
 * Statutory timescales an authority works to. The Care Planning, Placement and Case Review (England)
 * Regulations 2010 (reg 33) are the default; older local practice (Southwark 2008: 28 days / 3 months /
 * 6 months) is kept as a named set so an authority can audit against what it actually promised.
 */
import * as z from 'zod';

/** An interval from one event to the next: counted in working days, calendar days or calendar months. */
export const Interval = z.discriminatedUnion('unit', [
  z.object({ unit: z.literal('workingDays'), count: z.number().int().positive() }),
  z.object({ unit: z.literal('days'), count: z.number().int().positive() }),
  z.object({ unit: z.literal('months'), count: z.number().int().positive() }),
]);
export type Interval = z.infer<typeof Interval>;

export const TimescaleSet = z.object({
  id: z.string().regex(/^[a-z0-9-]+$/, 'must be lower-case letters, digits and hyphens'),
  title: z.string().min(1),
  /** From the day the child became looked after to the first review. */
  firstReview: Interval,
  /** From the first review's actual date to the second. */
  secondReview: Interval,
  /** From each later review's actual date to the next. */
  laterReviews: Interval,
  /**
   * Reg 48: a child looked after only under a series of short breaks is reviewed on its own schedule,
   * the first within 3 months of the first break and later ones at most 6 months apart. Sets saved
   * before these existed read as the regulations' values.
   */
  shortBreakFirstReview: Interval.default({ unit: 'months', count: 3 }),
  shortBreakLaterReviews: Interval.default({ unit: 'months', count: 6 }),
  /** From the review to the decisions being issued to everyone. */
  decisionsIssued: Interval,
  /** From the review to the full review record being issued. */
  recordIssued: Interval,
  citation: z.string().min(1),
});
export type TimescaleSet = z.infer<typeof TimescaleSet>;
/** A set as written or stored, before the defaults of newer intervals are filled in. */
export type TimescaleSetInput = z.input<typeof TimescaleSet>;

export const REGULATIONS_2010: TimescaleSet = {
  id: 'regulations-2010',
  title: 'Care Planning, Placement and Case Review (England) Regulations 2010',
  firstReview: { unit: 'workingDays', count: 20 },
  secondReview: { unit: 'months', count: 3 },
  laterReviews: { unit: 'months', count: 6 },
  shortBreakFirstReview: { unit: 'months', count: 3 },
  shortBreakLaterReviews: { unit: 'months', count: 6 },
  decisionsIssued: { unit: 'workingDays', count: 5 },
  recordIssued: { unit: 'workingDays', count: 20 },
  citation: 'SI 2010/959 reg 33; IRO Handbook (2010) for the record timescales',
};

/**
 * Southwark's IRO service as its 2008 annual report describes it. Para 4.1: "A review is held at one
 * month (28 days) after a child or young person has become looked after, then 3 months and every 6
 * months minimum thereafter". Para 5.5: "IROs targets are to complete their reports and
 * recommendations within 7 days to send to Team Managers to ratify decisions and distribute by the
 * 14 day limit" (para 4.2: the process "should take 14 days post review date"). Mapped to the set's
 * concepts: the decisions reach everyone within 14 calendar days (`decisionsIssued`); the IRO's
 * written report of the review — the record this toolkit dates as issued — is completed within 7
 * calendar days (`recordIssued`). The report counts days, not working days. It says nothing of
 * short breaks, so those keep the regulations' intervals.
 */
export const SOUTHWARK_2008: TimescaleSet = {
  id: 'southwark-2008',
  title: 'Southwark IRO service practice, 2008 (28 days / 3 months / 6 months; report in 7 days, decisions in 14)',
  firstReview: { unit: 'days', count: 28 },
  secondReview: { unit: 'months', count: 3 },
  laterReviews: { unit: 'months', count: 6 },
  shortBreakFirstReview: { unit: 'months', count: 3 },
  shortBreakLaterReviews: { unit: 'months', count: 6 },
  decisionsIssued: { unit: 'days', count: 14 },
  recordIssued: { unit: 'days', count: 7 },
  citation: 'Southwark IRO annual report 2008, paras 4.1, 4.2 and 5.5',
};

export const TIMESCALE_SETS: Record<string, TimescaleSet> = {
  [REGULATIONS_2010.id]: REGULATIONS_2010,
  [SOUTHWARK_2008.id]: SOUTHWARK_2008,
};

/** The name of one interval of a timescale set, as templates refer to it (`{timescale:decisionsIssued}`). */
export type TimescaleName = {
  [K in keyof TimescaleSet]: TimescaleSet[K] extends Interval ? K : never;
}[keyof TimescaleSet];

/** Every interval a set defines, in the schema's order: read from the schema, so a new interval is named here without a list to keep. */
export const TIMESCALE_NAMES: readonly TimescaleName[] = Object.entries(TimescaleSet.shape)
  .filter(([, schema]) => (schema instanceof z.ZodDefault ? schema.def.innerType : schema) === Interval)
  .map(([name]) => name as TimescaleName);

export const isTimescaleName = (name: string): name is TimescaleName =>
  (TIMESCALE_NAMES as readonly string[]).includes(name);
