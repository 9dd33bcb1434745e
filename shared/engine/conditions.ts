/**
 * The declarative condition language of automatic criteria. Templates hold these trees as data;
 * one evaluator turns them into met / not met / cannot tell, with the values it used as evidence
 * and the rule in plain words. Templates never carry code.
 */
import * as z from 'zod';
import { ageOn } from '#domain/dates';
import { addCalendarMonths, addDays, daysBetween } from '#calendar/dates';
import { addInterval, intervalWords } from '#calendar/reg33';
import { addWorkingDays, workingDaysBetween } from '#calendar/working-days';
import { isTimescaleName, TIMESCALE_NAMES, type Interval, type TimescaleSet } from '#domain/timescales';

/** A fact's value as the engine provides it: unknown facts are null. */
export type FactValue = string | number | boolean | null | string[];
/** The facts of one audit unit, by dotted name (`review.date`, `group.iros`, …). */
export type Facts = Readonly<Record<string, FactValue>>;

export type Operand =
  | { fact: string }
  | { value: string | number | boolean }
  | { addWorkingDays: [Operand, number] }
  | { addDays: [Operand, number] }
  | { addMonths: [Operand, number] }
  | { workingDaysBetween: [Operand, Operand] }
  | { daysBetween: [Operand, Operand] }
  | { ageAt: [Operand, Operand] }
  | { count: Operand }
  /** A date plus one interval of the audit's timescale set, by name: `{ "addTimescale": [{ "fact": "review.date" }, "decisionsIssued"] }`. */
  | { addTimescale: [Operand, string] };

export const COMPARATORS = ['<', '<=', '=', '!=', '>=', '>'] as const;
export type Comparator = (typeof COMPARATORS)[number];

export type Condition =
  | { all: Condition[] }
  | { any: Condition[] }
  | { not: Condition }
  | { compare: [Operand, Comparator, Operand] }
  | { present: Operand }
  | { nonEmpty: Operand }
  | { isTrue: Operand }
  | { in: [Operand, (string | number)[]] }
  /**
   * [from, to, interval]: `to` is on or before `from` plus the named interval of the audit's timescale
   * set (working days, calendar days or calendar months, as the set says). Unknown when either date is.
   */
  | { withinTimescale: [Operand, Operand, string] };

const FactName = z
  .string()
  .regex(/^[a-zA-Z][a-zA-Z0-9]*(\.[a-zA-Z0-9]+)+$/, 'a fact is a dotted name such as review.date');
/** An interval of the timescale set, by name; which names exist is checked with the template (parseTemplate), so the reason can list them. */
const TimescaleRef = z
  .string()
  .regex(
    /^[a-zA-Z][a-zA-Z0-9]*$/,
    'a timescale is named by its interval in the timescale set, such as decisionsIssued',
  );

export const OperandSchema: z.ZodType<Operand> = z
  .lazy(
    () =>
      z.union([
        z.strictObject({ fact: FactName }),
        z.strictObject({ value: z.union([z.string(), z.number(), z.boolean()]) }),
        z.strictObject({ addWorkingDays: z.tuple([OperandSchema, z.number().int()]) }),
        z.strictObject({ addDays: z.tuple([OperandSchema, z.number().int()]) }),
        z.strictObject({ addMonths: z.tuple([OperandSchema, z.number().int()]) }),
        z.strictObject({ workingDaysBetween: z.tuple([OperandSchema, OperandSchema]) }),
        z.strictObject({ daysBetween: z.tuple([OperandSchema, OperandSchema]) }),
        z.strictObject({ ageAt: z.tuple([OperandSchema, OperandSchema]) }),
        z.strictObject({ count: OperandSchema }),
        z.strictObject({ addTimescale: z.tuple([OperandSchema, TimescaleRef]) }),
      ]),
    // A named schema: documents built from it (the OpenAPI description) refer to it rather than unroll the recursion.
  )
  .meta({ id: 'Operand' });

export const ConditionSchema: z.ZodType<Condition> = z
  .lazy(() =>
    z.union([
      z.strictObject({ all: z.array(ConditionSchema).min(1) }),
      z.strictObject({ any: z.array(ConditionSchema).min(1) }),
      z.strictObject({ not: ConditionSchema }),
      z.strictObject({ compare: z.tuple([OperandSchema, z.enum(COMPARATORS), OperandSchema]) }),
      z.strictObject({ present: OperandSchema }),
      z.strictObject({ nonEmpty: OperandSchema }),
      z.strictObject({ isTrue: OperandSchema }),
      z.strictObject({ in: z.tuple([OperandSchema, z.array(z.union([z.string(), z.number()])).min(1)]) }),
      z.strictObject({ withinTimescale: z.tuple([OperandSchema, OperandSchema, TimescaleRef]) }),
    ]),
  )
  .meta({ id: 'Condition' });

/** Three-valued truth: a rule over a missing fact can neither pass nor fail. */
export type Truth = true | false | 'unknown';

/** One value the evaluator used, named in words, for the evidence shown to IROs and managers. */
export interface EvidenceValue {
  name: string;
  value: FactValue;
}

export interface Evaluation {
  truth: Truth;
  /** Every fact and derived value the rule read, in the order read. */
  values: EvidenceValue[];
  /** The facts that were unknown, when the truth is unknown. */
  missing: string[];
}

/** Every fact an operand or condition reads, so a template can be checked against the facts a population provides. */
export function factsUsed(node: Condition | Operand): string[] {
  const found = new Set<string>();
  const visit = (n: unknown): void => {
    if (Array.isArray(n)) n.forEach(visit);
    else if (n && typeof n === 'object') {
      if ('fact' in n && typeof (n as { fact: unknown }).fact === 'string') found.add((n as { fact: string }).fact);
      else Object.values(n).forEach(visit);
    }
  };
  visit(node);
  return [...found];
}

/** Every timescale a condition or operand refers to by name, with where (`withinTimescale.2`), so a template can be checked against the set's intervals. */
export function timescalesUsed(node: Condition | Operand): { name: string; path: (string | number)[] }[] {
  const found: { name: string; path: (string | number)[] }[] = [];
  const visit = (n: unknown, path: (string | number)[]): void => {
    if (Array.isArray(n)) n.forEach((x, i) => visit(x, [...path, i]));
    else if (n && typeof n === 'object') {
      const o = n as Record<string, unknown>;
      if (Array.isArray(o.addTimescale) && typeof o.addTimescale[1] === 'string')
        found.push({ name: o.addTimescale[1], path: [...path, 'addTimescale', 1] });
      if (Array.isArray(o.withinTimescale) && typeof o.withinTimescale[2] === 'string')
        found.push({ name: o.withinTimescale[2], path: [...path, 'withinTimescale', 2] });
      for (const [key, value] of Object.entries(o)) visit(value, [...path, key]);
    }
  };
  visit(node, []);
  return found;
}

/** What judging a rule may need besides the unit's facts: the audit's timescale set, for rules that name its intervals. */
export interface EvaluationContext {
  timescales?: TimescaleSet | undefined;
}

/** What one evaluation has read so far: the values in the order read (each once) and the facts found missing. */
interface Reading {
  facts: Facts;
  values: EvidenceValue[];
  missing: string[];
  timescales: TimescaleSet | undefined;
}

// Module-level functions over a Reading rather than closures made afresh for every evaluation: an
// audit evaluates every criterion of every sampled unit.

function note(reading: Reading, name: string, value: FactValue): void {
  // A rule reads a handful of values: a scan beats a Set.
  for (const v of reading.values) if (v.name === name) return;
  reading.values.push({ name, value });
}

function dateOperand(reading: Reading, o: Operand): string | null {
  const v = operandValue(reading, o);
  return typeof v === 'string' ? v : null;
}

function derived(reading: Reading, o: Operand, value: FactValue): FactValue {
  note(reading, describeOperand(o, reading.timescales), value);
  return value;
}

/** The named interval of the evaluation's timescale set; a rule naming a timescale cannot be judged without one. */
function intervalOf(reading: Reading, name: string): Interval {
  if (!isTimescaleName(name))
    throw new RangeError(`no timescale "${name}" in a timescale set (its intervals: ${TIMESCALE_NAMES.join(', ')})`);
  if (!reading.timescales)
    throw new RangeError(`the rule refers to the timescale "${name}", but no timescale set was given to judge it by`);
  return reading.timescales[name];
}

function operandValue(reading: Reading, o: Operand): FactValue {
  if ('fact' in o) {
    const value = reading.facts[o.fact] ?? null;
    note(reading, o.fact, value);
    if (value === null && !reading.missing.includes(o.fact)) reading.missing.push(o.fact);
    return value;
  }
  if ('value' in o) return o.value;
  if ('addWorkingDays' in o) {
    const [base, n] = o.addWorkingDays;
    const d = dateOperand(reading, base);
    return derived(reading, o, d === null ? null : addWorkingDays(d, n));
  }
  if ('addDays' in o) {
    const [base, n] = o.addDays;
    const d = dateOperand(reading, base);
    return derived(reading, o, d === null ? null : addDays(d, n));
  }
  if ('addMonths' in o) {
    const [base, n] = o.addMonths;
    const d = dateOperand(reading, base);
    return derived(reading, o, d === null ? null : addCalendarMonths(d, n));
  }
  if ('workingDaysBetween' in o) {
    const a = dateOperand(reading, o.workingDaysBetween[0]);
    const b = dateOperand(reading, o.workingDaysBetween[1]);
    return derived(reading, o, a === null || b === null ? null : workingDaysBetween(a, b));
  }
  if ('daysBetween' in o) {
    const a = dateOperand(reading, o.daysBetween[0]);
    const b = dateOperand(reading, o.daysBetween[1]);
    return derived(reading, o, a === null || b === null ? null : daysBetween(a, b));
  }
  if ('ageAt' in o) {
    const dob = dateOperand(reading, o.ageAt[0]);
    const at = dateOperand(reading, o.ageAt[1]);
    return derived(reading, o, dob === null || at === null ? null : ageOn(dob, at));
  }
  if ('addTimescale' in o) {
    const [base, name] = o.addTimescale;
    const interval = intervalOf(reading, name);
    const d = dateOperand(reading, base);
    return derived(reading, o, d === null ? null : addInterval(d, interval));
  }
  const list = operandValue(reading, o.count);
  return derived(reading, o, Array.isArray(list) ? list.length : typeof list === 'number' ? list : null);
}

function truthOf(reading: Reading, c: Condition): Truth {
  if ('all' in c) {
    const results = c.all.map((x) => truthOf(reading, x));
    return results.includes(false) ? false : results.includes('unknown') ? 'unknown' : true;
  }
  if ('any' in c) {
    const results = c.any.map((x) => truthOf(reading, x));
    return results.includes(true) ? true : results.includes('unknown') ? 'unknown' : false;
  }
  if ('not' in c) {
    const t = truthOf(reading, c.not);
    return t === 'unknown' ? t : !t;
  }
  if ('present' in c) {
    const v = operandValue(reading, c.present);
    return v !== null && !(Array.isArray(v) && v.length === 0);
  }
  if ('nonEmpty' in c) {
    const v = operandValue(reading, c.nonEmpty);
    return v === null ? 'unknown' : Array.isArray(v) ? v.length > 0 : v !== '';
  }
  if ('isTrue' in c) {
    const v = operandValue(reading, c.isTrue);
    return v === null ? 'unknown' : v === true;
  }
  if ('in' in c) {
    const v = operandValue(reading, c.in[0]);
    return v === null ? 'unknown' : (c.in[1] as readonly unknown[]).includes(v);
  }
  if ('withinTimescale' in c) {
    const [fromOperand, toOperand, name] = c.withinTimescale;
    const interval = intervalOf(reading, name);
    const from = dateOperand(reading, fromOperand);
    const to = dateOperand(reading, toOperand);
    // The last day in time is evidence too: "5 working days after review.date = 2024-03-11".
    const due = from === null ? null : addInterval(from, interval);
    note(
      reading,
      memoWords(
        c,
        reading.timescales,
        () => `${timescaleInWords(name, reading.timescales)} after ${describeOperand(fromOperand, reading.timescales)}`,
      ),
      due,
    );
    if (due === null || to === null) return 'unknown';
    return to <= due;
  }
  const [left, op, right] = c.compare;
  const a = operandValue(reading, left);
  const b = operandValue(reading, right);
  if (a === null || b === null) return 'unknown';
  return compareValues(a, op, b);
}

/** Evaluates a condition over a unit's facts (and the audit's timescale set, for rules that name its intervals). */
export function evaluate(condition: Condition, facts: Facts, context: EvaluationContext = {}): Evaluation {
  const reading: Reading = { facts, values: [], missing: [], timescales: context.timescales };
  const result = truthOf(reading, condition);
  // `present` is a check on presence itself, so its missing fact does not make the rule unknown.
  return { truth: result, values: reading.values, missing: result === 'unknown' ? reading.missing : [] };
}

function compareValues(a: Exclude<FactValue, null>, op: Comparator, b: Exclude<FactValue, null>): boolean {
  const x = Array.isArray(a) ? a.length : a;
  const y = Array.isArray(b) ? b.length : b;
  switch (op) {
    case '<':
      return x < y;
    case '<=':
      return x <= y;
    case '=':
      return x === y;
    case '!=':
      return x !== y;
    case '>=':
      return x >= y;
    case '>':
      return x > y;
  }
}

// Symbols read the same for dates ("on or before") and numbers ("at most").
const COMPARATOR_WORDS: Record<Comparator, string> = { '<': '<', '<=': '≤', '=': '=', '!=': '≠', '>=': '≥', '>': '>' };

// Templates are parsed once and kept, so an operand's words are worked out once per operand (and
// timescale set: a rule naming a timescale reads "5 working days" under one set, "14 calendar days"
// under another), not per unit.
const NO_SET = {};
const wordsBySet = new WeakMap<object, WeakMap<object, string>>();

function memoWords(node: object, timescales: TimescaleSet | undefined, make: () => string): string {
  const key = timescales ?? NO_SET;
  let byNode = wordsBySet.get(key);
  if (!byNode) wordsBySet.set(key, (byNode = new WeakMap()));
  let words = byNode.get(node);
  if (words === undefined) byNode.set(node, (words = make()));
  return words;
}

/** A named interval in words: the set's ("5 working days"), or its name when no set is given. */
function timescaleInWords(name: string, timescales: TimescaleSet | undefined): string {
  return timescales && isTimescaleName(name) ? intervalWords(timescales[name]) : `the ${name} timescale`;
}

/** An operand in plain words, e.g. "20 working days after period.start"; a named timescale in the words of `timescales` when given. */
export function describeOperand(o: Operand, timescales?: TimescaleSet): string {
  return memoWords(o, timescales, () => operandInWords(o, timescales));
}

function operandInWords(o: Operand, t: TimescaleSet | undefined): string {
  if ('fact' in o) return o.fact;
  if ('value' in o) return String(o.value);
  if ('addWorkingDays' in o)
    return `${o.addWorkingDays[1]} working days after ${describeOperand(o.addWorkingDays[0], t)}`;
  if ('addDays' in o) return `${o.addDays[1]} days after ${describeOperand(o.addDays[0], t)}`;
  if ('addMonths' in o) {
    const n = o.addMonths[1];
    return n < 0
      ? `${-n} calendar months before ${describeOperand(o.addMonths[0], t)}`
      : `${n} calendar months after ${describeOperand(o.addMonths[0], t)}`;
  }
  if ('workingDaysBetween' in o)
    return `working days from ${describeOperand(o.workingDaysBetween[0], t)} to ${describeOperand(o.workingDaysBetween[1], t)}`;
  if ('daysBetween' in o)
    return `days from ${describeOperand(o.daysBetween[0], t)} to ${describeOperand(o.daysBetween[1], t)}`;
  if ('ageAt' in o) return `age on ${describeOperand(o.ageAt[1], t)}`;
  if ('addTimescale' in o)
    return `${timescaleInWords(o.addTimescale[1], t)} after ${describeOperand(o.addTimescale[0], t)}`;
  return `number of ${describeOperand(o.count, t)}`;
}

/** A condition in plain words, for evidence and the template library; named timescales in the words of `timescales` when given. */
export function describeCondition(c: Condition, timescales?: TimescaleSet): string {
  const d = (x: Condition) => describeCondition(x, timescales);
  const o = (x: Operand) => describeOperand(x, timescales);
  if ('all' in c) return c.all.map(d).join(' and ');
  if ('any' in c) return `(${c.any.map(d).join(' or ')})`;
  if ('not' in c) return `not (${d(c.not)})`;
  if ('present' in c) return `${o(c.present)} is recorded`;
  if ('nonEmpty' in c) return `${o(c.nonEmpty)} is not empty`;
  if ('isTrue' in c) return `${o(c.isTrue)} is yes`;
  if ('in' in c) return `${o(c.in[0])} is one of ${c.in[1].join(', ')}`;
  if ('withinTimescale' in c) {
    const [from, to, name] = c.withinTimescale;
    return `${o(to)} within ${timescaleInWords(name, timescales)} of ${o(from)}`;
  }
  const [a, op, b] = c.compare;
  return `${o(a)} ${COMPARATOR_WORDS[op]} ${o(b)}`;
}
