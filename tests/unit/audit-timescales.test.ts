/**
 * Timescales named, never restated: rules that name an interval of the audit's timescale set
 * (withinTimescale, addTimescale), text whose placeholders are worded from the same set, template
 * validation of both, the findings recording the set, and Southwark 2008's set against its report.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addDays } from '#calendar/dates';
import { intervalWords } from '#calendar/reg33';
import { isWorkingDay, workingDaysBetween } from '#calendar/working-days';
import { describeCondition, evaluate, type Condition } from '#engine/conditions';
import { criterionRule, judgeUnit } from '#engine/evaluate';
import { computeFindings } from '#engine/findings';
import { FindingsDocument } from '#engine/findings-model';
import type { AuditUnit } from '#engine/population';
import { parseTemplate, type AuditTemplate } from '#engine/template';
import { placeholderProblemsIn, renderTemplate, renderText, timescalesInWords } from '#engine/timescale-text';
import { REGULATIONS_2010, SOUTHWARK_2008, TIMESCALE_NAMES, TimescaleSet, type Interval } from '#domain/timescales';

const REGS = REGULATIONS_2010;
const decisionsInTime: Condition = {
  withinTimescale: [{ fact: 'review.date' }, { fact: 'review.decisionsIssued' }, 'decisionsIssued'],
};
const judge = (condition: Condition, facts: Record<string, string | null>, timescales = REGS) =>
  evaluate(condition, facts, { timescales });
/** A set like the regulations' with one interval changed. */
const withInterval = (name: (typeof TIMESCALE_NAMES)[number], interval: Interval) =>
  TimescaleSet.parse({ ...REGS, id: 'test-set', [name]: interval });

describe('withinTimescale', () => {
  it('meets the last day in time and not the day after, counting working days past a bank holiday', () => {
    // Review on Friday 22 March 2024; Good Friday (29 March) and Easter Monday (1 April) are bank
    // holidays, so the 5th working day after is Tuesday 2 April.
    const facts = (issued: string) => ({ 'review.date': '2024-03-22', 'review.decisionsIssued': issued });
    expect(judge(decisionsInTime, facts('2024-04-02')).truth).toBe(true);
    expect(judge(decisionsInTime, facts('2024-04-03')).truth).toBe(false);
    // The same dates with the holidays as working days would have been out of time by the 28th.
    expect(judge(decisionsInTime, facts('2024-03-29')).truth).toBe(true);
    // The due date is part of the evidence, named in the set's words.
    expect(judge(decisionsInTime, facts('2024-04-03')).values).toEqual([
      { name: 'review.date', value: '2024-03-22' },
      { name: 'review.decisionsIssued', value: '2024-04-03' },
      { name: '5 working days after review.date', value: '2024-04-02' },
    ]);
  });

  it('agrees with the working-day count the templates hard-coded before whenever the issue date is a working day', () => {
    // decisions-issued-in-5-days used to be workingDaysBetween(review, issued) <= 5.
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 365 * 10 }), fc.integer({ min: -3, max: 25 }), (offset, after) => {
        const reviewDate = addDays('2018-01-01', offset);
        const issued = addDays(reviewDate, after);
        fc.pre(isWorkingDay(issued));
        const old = workingDaysBetween(reviewDate, issued) <= 5;
        return judge(decisionsInTime, { 'review.date': reviewDate, 'review.decisionsIssued': issued }).truth === old;
      }),
      { numRuns: 2000 },
    );
    // Issued on a day that is not a working day, after the last one in time, is late: the 5th working
    // day after Thursday 11 April 2019 is Thursday 18 April, and 19 April was Good Friday. (The old
    // count saw no 6th working day and took it as in time.)
    const facts = { 'review.date': '2019-04-11', 'review.decisionsIssued': '2019-04-19' };
    expect(workingDaysBetween(facts['review.date'], facts['review.decisionsIssued'])).toBe(5);
    expect(judge(decisionsInTime, facts).truth).toBe(false);
    expect(judge(decisionsInTime, { ...facts, 'review.decisionsIssued': '2019-04-18' }).truth).toBe(true);
  });

  it('counts calendar days when the set says days: day 14 met, day 15 not (Southwark 2008)', () => {
    const facts = (issued: string) => ({ 'review.date': '2008-03-03', 'review.decisionsIssued': issued });
    expect(judge(decisionsInTime, facts('2008-03-17'), SOUTHWARK_2008).truth).toBe(true);
    expect(judge(decisionsInTime, facts('2008-03-18'), SOUTHWARK_2008).truth).toBe(false);
    // The same issue on day 8 is late by the regulations' 5 working days (Monday 10 March) but in time for Southwark.
    expect(judge(decisionsInTime, facts('2008-03-11')).truth).toBe(false);
    expect(judge(decisionsInTime, facts('2008-03-11'), SOUTHWARK_2008).truth).toBe(true);
  });

  it('clamps calendar months to the month end: 30 November + 3 months is 29 February in a leap year', () => {
    const second: Condition = {
      withinTimescale: [{ fact: 'review.previousDate' }, { fact: 'review.date' }, 'secondReview'],
    };
    const facts = (previous: string, held: string) => ({ 'review.previousDate': previous, 'review.date': held });
    expect(judge(second, facts('2023-11-30', '2024-02-29')).truth).toBe(true);
    expect(judge(second, facts('2023-11-30', '2024-03-01')).truth).toBe(false);
    expect(judge(second, facts('2024-11-30', '2025-02-28')).truth).toBe(true);
    expect(judge(second, facts('2024-11-30', '2025-03-01')).truth).toBe(false);
    // Without clamping: the same day of the month.
    expect(judge(second, facts('2024-01-15', '2024-04-15')).truth).toBe(true);
    expect(judge(second, facts('2024-01-15', '2024-04-16')).truth).toBe(false);
  });

  it('cannot tell when a date is not recorded, and says which', () => {
    const result = judge(decisionsInTime, { 'review.date': '2024-03-22', 'review.decisionsIssued': null });
    expect(result.truth).toBe('unknown');
    expect(result.missing).toEqual(['review.decisionsIssued']);
  });

  it('is judged by the set it is given: the same rule, other intervals', () => {
    const facts = { 'review.date': '2024-03-04', 'review.decisionsIssued': '2024-03-12' }; // Monday, then Tuesday week
    expect(judge(decisionsInTime, facts).truth).toBe(false); // 6 working days
    expect(
      judge(decisionsInTime, facts, withInterval('decisionsIssued', { unit: 'workingDays', count: 6 })).truth,
    ).toBe(true);
    expect(judge(decisionsInTime, facts, withInterval('decisionsIssued', { unit: 'days', count: 7 })).truth).toBe(
      false,
    );
    expect(judge(decisionsInTime, facts, withInterval('decisionsIssued', { unit: 'months', count: 1 })).truth).toBe(
      true,
    );
  });

  it('cannot be judged without a set: the rule names a timescale and nothing says how long it is', () => {
    expect(() =>
      evaluate(decisionsInTime, { 'review.date': '2024-03-04', 'review.decisionsIssued': '2024-03-05' }),
    ).toThrow(/no timescale set was given/);
  });
});

describe('addTimescale', () => {
  it('is the date plus the named interval, for compare', () => {
    const rule: Condition = {
      compare: [{ fact: 'review.recordIssued' }, '<=', { addTimescale: [{ fact: 'review.date' }, 'recordIssued'] }],
    };
    const facts = (issued: string) => ({ 'review.date': '2008-03-03', 'review.recordIssued': issued });
    expect(judge(rule, facts('2008-03-10'), SOUTHWARK_2008).truth).toBe(true); // day 7
    expect(judge(rule, facts('2008-03-11'), SOUTHWARK_2008).truth).toBe(false); // day 8
    expect(judge(rule, facts('2008-03-11'), SOUTHWARK_2008).values).toContainEqual({
      name: '7 calendar days after review.date',
      value: '2008-03-10',
    });
  });
});

describe('a rule naming a timescale, in words', () => {
  it('reads the interval in the words of the set it is judged by', () => {
    expect(describeCondition(decisionsInTime, REGS)).toBe(
      'review.decisionsIssued within 5 working days of review.date',
    );
    expect(describeCondition(decisionsInTime, SOUTHWARK_2008)).toBe(
      'review.decisionsIssued within 14 calendar days of review.date',
    );
    expect(
      describeCondition(
        {
          compare: [{ fact: 'review.date' }, '<=', { addTimescale: [{ fact: 'review.previousDate' }, 'secondReview'] }],
        },
        REGS,
      ),
    ).toBe('review.date ≤ 3 calendar months after review.previousDate');
    // With no set, it names the interval.
    expect(describeCondition(decisionsInTime)).toBe(
      'review.decisionsIssued within the decisionsIssued timescale of review.date',
    );
  });
});

describe('placeholders', () => {
  it('are worded from the set with the one wording function', () => {
    const text =
      'Decisions within {timescale:decisionsIssued}; the record within {timescale:recordIssued}; the first review within {timescale:firstReview}.';
    expect(renderText(text, REGS)).toBe(
      `Decisions within ${intervalWords(REGS.decisionsIssued)}; the record within ${intervalWords(REGS.recordIssued)}; the first review within ${intervalWords(REGS.firstReview)}.`,
    );
    expect(renderText(text, REGS)).toBe(
      'Decisions within 5 working days; the record within 20 working days; the first review within 20 working days.',
    );
    expect(renderText(text, SOUTHWARK_2008)).toBe(
      'Decisions within 14 calendar days; the record within 7 calendar days; the first review within 28 calendar days.',
    );
    expect(renderText('Every {timescale:laterReviews}', REGS)).toBe('Every 6 calendar months');
    expect(renderText('No placeholder here', REGS)).toBe('No placeholder here');
  });

  it('are refused when they name no interval, and so is any other text in braces', () => {
    expect(placeholderProblemsIn('within {timescale:decisionsIssued}')).toEqual([]);
    expect(placeholderProblemsIn('within {timescale:decisionIssued}')).toEqual([
      expect.stringMatching(
        /^placeholder "\{timescale:decisionIssued\}" names no interval of a timescale set: use one of \{timescale:firstReview\}, /,
      ),
    ]);
    expect(placeholderProblemsIn('within {timescales:decisionsIssued}')).toEqual([
      expect.stringMatching(/^"\{timescales:decisionsIssued\}" is not a placeholder/),
    ]);
    expect(placeholderProblemsIn('ask {the child}')).toEqual([
      expect.stringMatching(/^"\{the child\}" is not a placeholder/),
    ]);
  });
});

/** A small template over reviews: decisions in time by the set, with the interval in its words. */
const template = (over: Record<string, unknown> = {}) => ({
  id: 'decisions-in-time',
  version: 1,
  title: 'Decisions issued in time',
  theme: 'Reviews',
  summary: 'Review decisions reach everyone within {timescale:decisionsIssued}.',
  statutoryBasis: [
    { citation: 'IRO Handbook (2010)', text: 'Decisions circulated within {timescale:decisionsIssued}.' },
  ],
  population: { rule: 'reviews-in-period' },
  defaultSampling: { type: 'all' },
  criteria: [
    {
      id: 'decisions-in-time',
      kind: 'automatic',
      title: 'Review decisions issued within {timescale:decisionsIssued}',
      rule: 'The decisions were issued within {timescale:decisionsIssued} of the review.',
      condition: decisionsInTime,
      threshold: 0.9,
      alert: { title: 'Decisions later than {timescale:decisionsIssued}', actingTeam: 'iro-service' },
    },
    {
      id: 'voice',
      kind: 'manual',
      title: 'The child’s voice is heard',
      question: 'Is it?',
      guidance: 'Read the record.',
      threshold: { atLeast: 'Good', share: 0.8 },
    },
  ],
  actions: [
    {
      criterion: 'decisions-in-time',
      action: 'Send decisions within {timescale:decisionsIssued}',
      owner: { role: 'Business support manager', team: 'IRO Service' },
      dueInDays: 60,
      expectedOutcome: 'Decisions within {timescale:decisionsIssued}',
      successMeasure: 'Re-audit: 90% within {timescale:decisionsIssued}',
    },
  ],
  ...over,
});

const parsed = (input: unknown): AuditTemplate => {
  const result = parseTemplate(input);
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  return result.template;
};

describe('template validation', () => {
  it('takes timescale references and placeholders that name the set’s intervals', () => {
    expect(parseTemplate(template()).ok).toBe(true);
  });

  it('refuses an interval the set does not have, with the path to it and the intervals there are', () => {
    const criteria = template().criteria;
    const result = parseTemplate(
      template({
        criteria: [
          {
            ...criteria[0],
            condition: {
              withinTimescale: [{ fact: 'review.date' }, { fact: 'review.decisionsIssued' }, 'decisionIssued'],
            },
          },
          criteria[1],
        ],
      }),
    );
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems).toEqual([
      {
        path: 'criteria.0.condition.withinTimescale.2',
        message: `timescale "decisionIssued" is not an interval of a timescale set (its intervals: ${TIMESCALE_NAMES.join(', ')})`,
      },
    ]);
    const nested = parseTemplate(
      template({
        criteria: [
          {
            ...criteria[0],
            appliesWhen: {
              compare: [
                { fact: 'review.date' },
                '<=',
                { addTimescale: [{ fact: 'review.previousDate' }, 'thirdReview'] },
              ],
            },
          },
          criteria[1],
        ],
      }),
    );
    expect(nested.ok ? [] : nested.problems.map((p) => p.path)).toEqual([
      'criteria.0.appliesWhen.compare.2.addTimescale.1',
    ]);
  });

  it('refuses an unknown placeholder wherever the text is, naming the field', () => {
    const criteria = template().criteria;
    const result = parseTemplate(
      template({
        summary: 'Within {timescale:decisions}.',
        criteria: [{ ...criteria[0], title: 'Decisions issued within {days}' }, criteria[1]],
      }),
    );
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems.map((p) => p.path)).toEqual(['summary', 'criteria.0.title']);
    expect(result.problems[0]!.message).toMatch(
      /^placeholder "\{timescale:decisions\}" names no interval of a timescale set/,
    );
    expect(result.problems[1]!.message).toMatch(/^"\{days\}" is not a placeholder/);
  });

  it('refuses a placeholder in a grade, which grades are matched against', () => {
    const result = parseTemplate(
      template({
        gradeScale: [
          { grade: 'Within {timescale:decisionsIssued}', guidance: 'On time.' },
          { grade: 'Good', guidance: 'Fine.' },
        ],
      }),
    );
    expect(result.ok ? [] : result.problems.map((p) => p.path)).toEqual(['gradeScale.0.grade']);
  });

  it('refuses a timescale named with something other than a name', () => {
    const criteria = template().criteria;
    const result = parseTemplate(
      template({
        criteria: [
          {
            ...criteria[0],
            condition: { withinTimescale: [{ fact: 'review.date' }, { fact: 'review.decisionsIssued' }, 5] },
          },
          criteria[1],
        ],
      }),
    );
    expect(result.ok).toBe(false);
  });
});

describe('a template rendered for a set', () => {
  it('words every placeholder of its text and keeps its rules as they are', () => {
    const t = parsed(template());
    const southwark = renderTemplate(t, SOUTHWARK_2008);
    expect(southwark.summary).toBe('Review decisions reach everyone within 14 calendar days.');
    expect(southwark.criteria[0]!.title).toBe('Review decisions issued within 14 calendar days');
    expect(southwark.actions[0]!.successMeasure).toBe('Re-audit: 90% within 14 calendar days');
    expect(renderTemplate(t, REGS).criteria[0]!.title).toBe('Review decisions issued within 5 working days');
    const rule = southwark.criteria[0]!;
    expect(rule.kind === 'automatic' && rule.condition).toBe(
      t.criteria[0]!.kind === 'automatic' && t.criteria[0]!.condition,
    );
    // The template itself is not changed: it is kept as written.
    expect(t.summary).toBe('Review decisions reach everyone within {timescale:decisionsIssued}.');
    expect(criterionRule(rule.kind === 'automatic' ? rule : (undefined as never), SOUTHWARK_2008)).toBe(
      'The decisions were issued within 14 calendar days of the review. (review.decisionsIssued within 14 calendar days of review.date)',
    );
  });
});

describe('findings under a timescale set', () => {
  const t = parsed(template());
  const unit = (id: string, issued: string): AuditUnit => ({
    unitId: `${id}:2024-03-04`,
    childIds: [id],
    service: 'North',
    team: 'North 1',
    ownIroIds: [],
    iroId: 'IRO1',
    date: '2024-03-04',
    facts: { 'review.date': '2024-03-04', 'review.decisionsIssued': issued },
  });
  // Monday 4 March 2024: the 5th working day after is Monday 11 March; the 14th calendar day Monday 18 March.
  const units = [unit('A', '2024-03-11'), unit('B', '2024-03-18'), unit('C', '2024-03-19')];
  const audit = {
    id: 'a1',
    title: 'Decisions',
    authorityId: 'test',
    authorityName: 'Test Borough',
    closedAt: '2024-04-15T10:00:00.000Z',
    seed: 1,
    autoOnly: true,
  };
  const findings = (timescales: TimescaleSet) =>
    computeFindings({
      audit,
      template: t,
      period: { from: '2024-03-01', to: '2024-03-31' },
      populationSize: 3,
      marginOfError: 0,
      tables: {},
      timescales,
      units: units.map((u) => ({
        unit: u,
        outcomes: judgeUnit(t, u, timescales),
        grades: {},
        overall: null,
        comment: null,
      })),
    });

  it('judge by the set, word the criteria, alerts and actions from it, and record it', () => {
    const regs = findings(REGS);
    const southwark = findings(SOUTHWARK_2008);
    expect(regs.criteria[0]).toMatchObject({
      title: 'Review decisions issued within 5 working days',
      met: 1,
      notMet: 2,
    });
    expect(southwark.criteria[0]).toMatchObject({
      title: 'Review decisions issued within 14 calendar days',
      met: 2,
      notMet: 1,
    });
    expect(southwark.criteria[0]!.rule).toContain('within 14 calendar days of review.date');
    expect(southwark.alerts.map((a) => a.title)).toEqual(['Decisions later than 14 calendar days']);
    expect(regs.actionPlan.map((a) => [a.action, a.expectedOutcome])).toEqual([
      ['Send decisions within 5 working days', 'Decisions within 5 working days'],
    ]);
    expect(southwark.timescales).toEqual(timescalesInWords(SOUTHWARK_2008));
    expect(regs.timescales?.summary).toBe(
      'Care Planning, Placement and Case Review (England) Regulations 2010 — first review within 20 working days of becoming looked after; second review within 3 calendar months of the first; ' +
        'later reviews within 6 calendar months of the one before; the review’s decisions issued within 5 working days of the review; the review record issued within 20 working days of the review; ' +
        'for a child looked after only for short breaks, the first review within 3 calendar months of the first break; and later reviews within 6 calendar months of the one before.',
    );
    // The document with its set is a valid findings document, and one without (published before sets were recorded) still is.
    expect(FindingsDocument.parse(southwark).timescales?.id).toBe('southwark-2008');
    const { timescales: _older, ...older } = southwark;
    expect(FindingsDocument.safeParse(older).success).toBe(true);
  });
});

describe('Southwark 2008’s timescale set', () => {
  // Southwark IRO annual report 2008 (seed 001), quoted.
  const PARA_4_1 =
    'A review is held at one month (28 days) after a child or young person has become looked after, then 3 months and every 6 months minimum thereafter.';
  const PARA_5_5 =
    'IROs targets are to complete their reports and recommendations within 7 days to send to Team Managers to ratify decisions and distribute by the 14 day limit.';
  const figure = (text: string, pattern: RegExp) => Number(pattern.exec(text)![1]);

  it('is the report’s figures: 28 days, 3 months, 6 months; the report in 7 days, decisions distributed in 14', () => {
    expect(SOUTHWARK_2008.firstReview).toEqual({ unit: 'days', count: figure(PARA_4_1, /\((\d+) days\)/) });
    expect(SOUTHWARK_2008.secondReview).toEqual({ unit: 'months', count: figure(PARA_4_1, /then (\d+) months/) });
    expect(SOUTHWARK_2008.laterReviews).toEqual({ unit: 'months', count: figure(PARA_4_1, /every (\d+) months/) });
    expect(SOUTHWARK_2008.recordIssued).toEqual({ unit: 'days', count: figure(PARA_5_5, /within (\d+) days/) });
    expect(SOUTHWARK_2008.decisionsIssued).toEqual({ unit: 'days', count: figure(PARA_5_5, /by the (\d+) day limit/) });
    expect(SOUTHWARK_2008.citation).toMatch(/4\.1.*5\.5/);
    // A valid set, as stored.
    expect(TimescaleSet.parse(SOUTHWARK_2008)).toEqual(SOUTHWARK_2008);
  });

  it('reads in words as the report puts it', () => {
    const words = Object.fromEntries(timescalesInWords(SOUTHWARK_2008).intervals.map((i) => [i.name, i.words]));
    expect(words).toMatchObject({
      firstReview: '28 calendar days',
      secondReview: '3 calendar months',
      laterReviews: '6 calendar months',
      recordIssued: '7 calendar days',
      decisionsIssued: '14 calendar days',
    });
  });
});
