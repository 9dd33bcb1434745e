/**
 * The declarative condition language of automatic criteria. Templates hold these trees as data;
 * one evaluator turns them into met / not met / cannot tell, with the values it used as evidence
 * and the rule in plain words. Templates never carry code.
 */
import { z } from 'zod';
import { ageOn } from '#domain/dates';
import { addCalendarMonths, addDays, daysBetween } from '#calendar/dates';
import { addWorkingDays, workingDaysBetween } from '#calendar/working-days';

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
  | { count: Operand };

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
  | { in: [Operand, (string | number)[]] };

const FactName = z.string().regex(/^[a-zA-Z][a-zA-Z0-9]*(\.[a-zA-Z0-9]+)+$/, 'a fact is a dotted name such as review.date');

export const OperandSchema: z.ZodType<Operand> = z.lazy(() =>
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
  ]),
  // A named schema: documents built from it (the OpenAPI description) refer to it rather than unroll the recursion.
).meta({ id: 'Operand' });

export const ConditionSchema: z.ZodType<Condition> = z.lazy(() =>
  z.union([
    z.strictObject({ all: z.array(ConditionSchema).min(1) }),
    z.strictObject({ any: z.array(ConditionSchema).min(1) }),
    z.strictObject({ not: ConditionSchema }),
    z.strictObject({ compare: z.tuple([OperandSchema, z.enum(COMPARATORS), OperandSchema]) }),
    z.strictObject({ present: OperandSchema }),
    z.strictObject({ nonEmpty: OperandSchema }),
    z.strictObject({ isTrue: OperandSchema }),
    z.strictObject({ in: z.tuple([OperandSchema, z.array(z.union([z.string(), z.number()])).min(1)]) }),
  ]),
).meta({ id: 'Condition' });

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

/** What one evaluation has read so far: the values in the order read (each once) and the facts found missing. */
interface Reading {
  facts: Facts;
  values: EvidenceValue[];
  missing: string[];
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
  note(reading, describeOperand(o), value);
  return value;
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
  const [left, op, right] = c.compare;
  const a = operandValue(reading, left);
  const b = operandValue(reading, right);
  if (a === null || b === null) return 'unknown';
  return compareValues(a, op, b);
}

/** Evaluates a condition over a unit's facts. */
export function evaluate(condition: Condition, facts: Facts): Evaluation {
  const reading: Reading = { facts, values: [], missing: [] };
  const result = truthOf(reading, condition);
  // `present` is a check on presence itself, so its missing fact does not make the rule unknown.
  return { truth: result, values: reading.values, missing: result === 'unknown' ? reading.missing : [] };
}

function compareValues(a: Exclude<FactValue, null>, op: Comparator, b: Exclude<FactValue, null>): boolean {
  const x = Array.isArray(a) ? a.length : a;
  const y = Array.isArray(b) ? b.length : b;
  switch (op) {
    case '<': return x < y;
    case '<=': return x <= y;
    case '=': return x === y;
    case '!=': return x !== y;
    case '>=': return x >= y;
    case '>': return x > y;
  }
}

// Symbols read the same for dates ("on or before") and numbers ("at most").
const COMPARATOR_WORDS: Record<Comparator, string> = { '<': '<', '<=': '≤', '=': '=', '!=': '≠', '>=': '≥', '>': '>' };

// Templates are parsed once and kept, so an operand's words are worked out once per operand, not per unit.
const operandWords = new WeakMap<Operand, string>();

/** An operand in plain words, e.g. "20 working days after period.start". */
export function describeOperand(o: Operand): string {
  let words = operandWords.get(o);
  if (words === undefined) operandWords.set(o, (words = operandInWords(o)));
  return words;
}

function operandInWords(o: Operand): string {
  if ('fact' in o) return o.fact;
  if ('value' in o) return String(o.value);
  if ('addWorkingDays' in o) return `${o.addWorkingDays[1]} working days after ${describeOperand(o.addWorkingDays[0])}`;
  if ('addDays' in o) return `${o.addDays[1]} days after ${describeOperand(o.addDays[0])}`;
  if ('addMonths' in o) {
    const n = o.addMonths[1];
    return n < 0 ? `${-n} calendar months before ${describeOperand(o.addMonths[0])}` : `${n} calendar months after ${describeOperand(o.addMonths[0])}`;
  }
  if ('workingDaysBetween' in o) return `working days from ${describeOperand(o.workingDaysBetween[0])} to ${describeOperand(o.workingDaysBetween[1])}`;
  if ('daysBetween' in o) return `days from ${describeOperand(o.daysBetween[0])} to ${describeOperand(o.daysBetween[1])}`;
  if ('ageAt' in o) return `age on ${describeOperand(o.ageAt[1])}`;
  return `number of ${describeOperand(o.count)}`;
}

/** A condition in plain words, for evidence and the template library. */
export function describeCondition(c: Condition): string {
  if ('all' in c) return c.all.map(describeCondition).join(' and ');
  if ('any' in c) return `(${c.any.map(describeCondition).join(' or ')})`;
  if ('not' in c) return `not (${describeCondition(c.not)})`;
  if ('present' in c) return `${describeOperand(c.present)} is recorded`;
  if ('nonEmpty' in c) return `${describeOperand(c.nonEmpty)} is not empty`;
  if ('isTrue' in c) return `${describeOperand(c.isTrue)} is yes`;
  if ('in' in c) return `${describeOperand(c.in[0])} is one of ${c.in[1].join(', ')}`;
  const [a, op, b] = c.compare;
  return `${describeOperand(a)} ${COMPARATOR_WORDS[op]} ${describeOperand(b)}`;
}
