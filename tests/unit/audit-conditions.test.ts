import { describe, expect, it } from 'vitest';
import { ConditionSchema, describeCondition, evaluate, factsUsed, type Condition } from '#engine/conditions';

const facts = {
  'review.date': '2024-04-02',
  'review.dueDate': '2024-04-01',
  'review.decisionsIssued': '2024-04-09',
  'review.recordIssued': null,
  'review.permanencePlan': ['ADOPTION', 'LTFOST18'],
  'review.participationCode': 'PN1',
  'child.dateOfBirth': '2020-04-03',
  'group.iros': ['IRO1', 'IRO2'],
  'group.conflictOfInterest': false,
};

describe('conditions', () => {
  it('compares dates as dates: a review the day after its due date is late', () => {
    expect(evaluate({ compare: [{ fact: 'review.date' }, '<=', { fact: 'review.dueDate' }] }, facts).truth).toBe(false);
    expect(evaluate({ compare: [{ fact: 'review.dueDate' }, '<=', { fact: 'review.dueDate' }] }, facts).truth).toBe(
      true,
    );
  });
  it('counts working days across the Easter weekend (29 March – 1 April 2024 are not working days)', () => {
    const rule: Condition = {
      compare: [{ workingDaysBetween: [{ value: '2024-03-27' }, { value: '2024-04-04' }] }, '=', { value: 4 }],
    };
    expect(evaluate(rule, facts).truth).toBe(true);
  });
  it('says "cannot tell" when a fact the rule needs is not recorded, and names it', () => {
    const result = evaluate(
      {
        compare: [
          { workingDaysBetween: [{ fact: 'review.date' }, { fact: 'review.recordIssued' }] },
          '<=',
          { value: 20 },
        ],
      },
      facts,
    );
    expect(result.truth).toBe('unknown');
    expect(result.missing).toEqual(['review.recordIssued']);
  });
  it('uses three-valued logic: false beats unknown in "all", true beats unknown in "any"', () => {
    const unknown: Condition = { isTrue: { fact: 'review.recordIssued' } };
    expect(evaluate({ all: [unknown, { isTrue: { fact: 'group.conflictOfInterest' } }] }, facts).truth).toBe(false);
    expect(evaluate({ any: [unknown, { nonEmpty: { fact: 'review.permanencePlan' } }] }, facts).truth).toBe(true);
    expect(evaluate({ all: [unknown, { nonEmpty: { fact: 'review.permanencePlan' } }] }, facts).truth).toBe('unknown');
    expect(evaluate({ not: unknown }, facts).truth).toBe('unknown');
  });
  it('treats "present" as a check of presence, never unknown', () => {
    expect(evaluate({ present: { fact: 'review.recordIssued' } }, facts)).toMatchObject({ truth: false, missing: [] });
    expect(evaluate({ present: { fact: 'review.participationCode' } }, facts).truth).toBe(true);
  });
  it('counts distinct professionals in a group', () => {
    expect(evaluate({ compare: [{ count: { fact: 'group.iros' } }, '<=', { value: 1 }] }, facts).truth).toBe(false);
  });
  it('takes age on a date from the birthday: 3 the day before the 4th birthday', () => {
    const under4: Condition = {
      compare: [{ ageAt: [{ fact: 'child.dateOfBirth' }, { fact: 'review.date' }] }, '<', { value: 4 }],
    };
    expect(evaluate(under4, facts).truth).toBe(true);
    expect(evaluate(under4, { ...facts, 'review.date': '2024-04-03' }).truth).toBe(false);
  });
  it('adds calendar months with month-end clamping', () => {
    const rule: Condition = { compare: [{ addMonths: [{ value: '2023-11-30' }, 3] }, '=', { value: '2024-02-29' }] };
    expect(evaluate(rule, facts).truth).toBe(true);
  });
  it('records every value it used as evidence, derived ones named in words', () => {
    const result = evaluate(
      {
        compare: [
          { workingDaysBetween: [{ fact: 'review.date' }, { fact: 'review.decisionsIssued' }] },
          '<=',
          { value: 5 },
        ],
      },
      facts,
    );
    expect(result.truth).toBe(true);
    expect(result.values).toEqual([
      { name: 'review.date', value: '2024-04-02' },
      { name: 'review.decisionsIssued', value: '2024-04-09' },
      { name: 'working days from review.date to review.decisionsIssued', value: 5 },
    ]);
  });
  it('describes a rule in plain words and lists the facts it reads', () => {
    const rule: Condition = {
      any: [
        { compare: [{ count: { fact: 'group.iros' } }, '<=', { value: 1 }] },
        { isTrue: { fact: 'group.conflictOfInterest' } },
      ],
    };
    expect(describeCondition(rule)).toBe('(number of group.iros ≤ 1 or group.conflictOfInterest is yes)');
    expect(factsUsed(rule).sort()).toEqual(['group.conflictOfInterest', 'group.iros']);
  });
  it('refuses a condition that is not in the language', () => {
    expect(ConditionSchema.safeParse({ compare: [{ fact: 'review.date' }, '~', { value: 1 }] }).success).toBe(false);
    expect(ConditionSchema.safeParse({ javascript: 'return true' }).success).toBe(false);
    expect(ConditionSchema.safeParse({ all: [] }).success).toBe(false);
  });
});
