/**
 * Every review due, held or not: the statutory schedule (reg 33, reg 48) over a child's reviews, its
 * boundary cases, and the seeds' own tables reproduced from records — Thurrock 2022-23 by month due,
 * Haringey 2018-19 by month held, Southwark 2015-16's child-level measure (NI 66).
 */
import { describe, expect, it } from 'vitest';
import { judgeUnit } from '#engine/evaluate';
import { childUnits, type AuditUnit } from '#engine/population';
import { TableAccumulator } from '#engine/tables';
import { readTemplateLibrary } from '#audit/template-library';
import type { AuditTemplate } from '#engine/template';
import { addCalendarMonths, addDays } from '#calendar/dates';
import { addWorkingDays } from '#calendar/working-days';
import { periodsOfCare } from '#domain/period-of-care';
import { careSchedules, childDueReviews, heldReviews } from '#domain/review-schedule';
import type { Episode, Review } from '#domain/records';
import { REGULATIONS_2010 } from '#domain/timescales';
import { averageOfQuarters, dueLines, quarterRows } from '#reports/csv';
import { child, context, episode, review } from '../support/records.ts';

const library = await readTemplateLibrary();
const template = library.templates.get('review-timeliness-participation') as AuditTemplate;

const unitsOf = (
  id: string,
  episodes: Episode[],
  reviews: Review[],
  from: string,
  to: string,
  dob = '2010-05-01',
): AuditUnit[] => childUnits('reviews-due-in-period', child(id, dob, { episodes, reviews }), context(from, to));
const facts = (units: AuditUnit[]) =>
  units.map((u) => ({
    date: u.facts['review.date'],
    due: u.facts['review.dueDate'],
    outcome: u.facts['review.outcome'],
  }));
const outcome = (unit: AuditUnit, criterion: string) => judgeUnit(template, unit, REGULATIONS_2010)[criterion]!.outcome;
const left = (date: string) => ({ endDate: date, reasonEpisodeCeased: 'E13' as const });

// 2023-24: 1 April 2023 to 31 March 2024.
const FROM = '2023-04-01';
const TO = '2024-03-31';

describe('the reviews due in the period', () => {
  it('counts a review due on the last day of the period: in time when held that day, overdue when not', () => {
    // Looked after Mon 4 Dec 2023: first review due Thu 4 Jan 2024 (20 working days past Christmas and New Year); held 31 Dec; the second is due 3 months on, 31 March 2024.
    const held = unitsOf(
      'A',
      [episode('A', '2023-12-04')],
      [review('A', '2023-12-31'), review('A', '2024-03-31')],
      FROM,
      TO,
    );
    expect(facts(held)).toEqual([
      { date: '2023-12-31', due: '2024-01-04', outcome: 'in time' },
      { date: '2024-03-31', due: '2024-03-31', outcome: 'in time' },
    ]);
    const missed = unitsOf('A', [episode('A', '2023-12-04')], [review('A', '2023-12-31')], FROM, TO);
    expect(facts(missed)).toEqual([
      { date: '2023-12-31', due: '2024-01-04', outcome: 'in time' },
      { date: null, due: '2024-03-31', outcome: 'overdue, not held' },
    ]);
    expect(missed[1]).toMatchObject({ unitId: 'A:due:2024-03-31', date: '2024-03-31' });
    expect(missed[1]!.facts['review.daysLate']).toBe(0);
    expect(outcome(missed[1]!, 'review-in-timescale')).toBe('not-met');
    // A first review on 1 January makes the second due on 1 April 2024: after the period, so not in it.
    const next = unitsOf('B', [episode('B', '2023-12-04')], [review('B', '2024-01-01')], FROM, TO);
    expect(facts(next)).toEqual([{ date: '2024-01-01', due: '2024-01-04', outcome: 'in time' }]);
  });

  it('marks a review overdue, not held at the period end, and waits on it: no second overdue review is invented', () => {
    const units = unitsOf(
      'C',
      [episode('C', '2022-09-05')],
      [review('C', '2022-09-30'), review('C', '2022-12-15'), review('C', '2023-06-15')],
      FROM,
      TO,
    );
    expect(facts(units)).toEqual([
      { date: '2023-06-15', due: '2023-06-15', outcome: 'in time' },
      { date: null, due: '2023-12-15', outcome: 'overdue, not held' },
    ]);
    // 16 days left of December, then January, February and March 2024.
    expect(units[1]!.facts['review.daysLate']).toBe(16 + 31 + 29 + 31);
    expect(units[1]!.facts['review.dueInPeriod']).toBe(true);
    expect(units[1]!.facts['review.heldInPeriod']).toBe(false);
  });

  it('counts a stood-down meeting against the review it delayed, and runs the next due date from the review actually held', () => {
    // Looked after Fri 1 Sep 2023: first review due Fri 29 Sep. A meeting on 20 September was stood down; the review was held on 5 October.
    const units = unitsOf(
      'D',
      [episode('D', '2023-09-01')],
      [review('D', '2023-09-20', { stoodDown: true }), review('D', '2023-10-05'), review('D', '2024-01-05')],
      FROM,
      TO,
    );
    expect(facts(units)).toEqual([
      { date: '2023-10-05', due: '2023-09-29', outcome: 'held late' },
      // 3 months from 5 October, not from the stood-down 20 September (which would make it due 20 December).
      { date: '2024-01-05', due: '2024-01-05', outcome: 'in time' },
    ]);
    expect(
      units.map((u) => [u.facts['review.sequence'], u.facts['review.stoodDownMeetings'], u.facts['review.daysLate']]),
    ).toEqual([
      [1, 1, 6],
      [2, 0, 0],
    ]);
  });

  it('makes a series of meetings one review, on the date of its last meeting', () => {
    const units = unitsOf(
      'E',
      [episode('E', '2023-09-01')],
      [
        review('E', '2023-09-25', { seriesId: 'S1', participationCode: 'PN1', lateReason: null }),
        review('E', '2023-10-02', {
          seriesId: 'S1',
          participationCode: null,
          lateReason: 'Series of meetings to hear everyone',
        }),
      ],
      FROM,
      TO,
    );
    expect(units).toHaveLength(2);
    expect(units[0]).toMatchObject({ unitId: 'E:2023-10-02' });
    expect(units[0]!.facts).toMatchObject({
      'review.date': '2023-10-02',
      'review.dueDate': '2023-09-29',
      'review.outcome': 'held late',
      'review.sequence': 1,
      'review.meetings': 2,
      'review.firstMeeting': '2023-09-25',
      'review.participationCode': 'PN1',
      'review.lateReason': 'Series of meetings to hear everyone',
    });
    // The second review runs 3 months from the last meeting: 2 January 2024, not held by 31 March.
    expect(facts(units)[1]).toEqual({ date: null, due: '2024-01-02', outcome: 'overdue, not held' });
    expect(
      heldReviews([
        review('E', '2023-09-25', { seriesId: 'S1' }),
        review('E', '2023-10-02', { seriesId: 'S1' }),
        review('E', '2023-11-01'),
      ]).map((r) => [r.reviewDate, r.meetings]),
    ).toEqual([
      ['2023-10-02', 2],
      ['2023-11-01', 1],
    ]);
  });

  it('starts a new schedule on a return to care, and counts a review missed before the child left', () => {
    // Looked after Mon 3 Apr 2023: 20 working days past Good Friday, Easter Monday and the May Day holiday is Thu 4 May; the child left on 10 May, the review not held.
    // Back in care Tue 1 Aug 2023: the first review of the new period is due Wed 30 August (the 28th is a bank holiday).
    const episodes = [episode('F', '2023-04-03', left('2023-05-10')), episode('F', '2023-08-01')];
    const units = unitsOf('F', episodes, [review('F', '2023-08-29'), review('F', '2023-11-28')], FROM, TO);
    expect(facts(units)).toEqual([
      { date: null, due: '2023-05-04', outcome: 'overdue, not held' },
      { date: '2023-08-29', due: '2023-08-30', outcome: 'in time' },
      { date: '2023-11-28', due: '2023-11-29', outcome: 'in time' },
    ]);
    expect(units.map((u) => [u.facts['period.start'], u.facts['review.sequence']])).toEqual([
      ['2023-04-03', 1],
      ['2023-08-01', 1],
      ['2023-08-01', 2],
    ]);
  });

  it('gives a review on the day care ended and began again to the new period only', () => {
    // Looked after Sun 27 Aug 2023 (Monday the 28th a bank holiday): first review due Mon 25 September, never held; care ended 4 October and began again that day.
    const episodes = [episode('X', '2023-08-27', left('2023-10-04')), episode('X', '2023-10-04')];
    const units = unitsOf('X', episodes, [review('X', '2023-10-04')], FROM, TO);
    expect(units.map((u) => u.unitId)).toEqual(['X:due:2023-09-25', 'X:2023-10-04', 'X:due:2024-01-04']);
    expect(facts(units)).toEqual([
      { date: null, due: '2023-09-25', outcome: 'overdue, not held' },
      { date: '2023-10-04', due: '2023-11-01', outcome: 'in time' },
      { date: null, due: '2024-01-04', outcome: 'overdue, not held' },
    ]);
  });

  it('calls for no review once the child has left care on its due date, but does the day after', () => {
    expect(unitsOf('G', [episode('G', '2023-09-01', left('2023-09-29'))], [], FROM, TO)).toEqual([]);
    expect(facts(unitsOf('G', [episode('G', '2023-09-01', left('2023-09-30'))], [], FROM, TO))).toEqual([
      { date: null, due: '2023-09-29', outcome: 'overdue, not held' },
    ]);
  });

  it('leaves out a first review that falls due after the period end', () => {
    // Looked after Mon 4 Mar 2024: 20 working days past Good Friday and Easter Monday is Wed 3 April.
    expect(unitsOf('H', [episode('H', '2024-03-04')], [], FROM, TO)).toEqual([]);
  });

  it('judges a review held in the period that fell due before it only in the table by month held', () => {
    const units = unitsOf(
      'I',
      [episode('I', '2022-09-05')],
      [review('I', '2022-09-30'), review('I', '2022-12-15'), review('I', '2023-06-20')],
      FROM,
      TO,
    );
    expect(units[0]!.facts).toMatchObject({
      'review.date': '2023-06-20',
      'review.dueDate': '2023-06-15',
      'review.dueInPeriod': true,
      'review.outcome': 'held late',
    });
    const carried = unitsOf(
      'J',
      [episode('J', '2022-09-05')],
      [review('J', '2022-09-30'), review('J', '2023-04-03')],
      FROM,
      TO,
    );
    // The second review fell due on 30 December 2022 (3 months from the first) and was held on 3 April 2023, in this period.
    expect(carried[0]!.facts).toMatchObject({
      'review.date': '2023-04-03',
      'review.dueDate': '2022-12-30',
      'review.dueInPeriod': false,
      'review.heldInPeriod': true,
    });
    expect(outcome(carried[0]!, 'review-in-timescale')).toBe('not-applicable');
    expect(outcome(carried[0]!, 'participation-recorded')).toBe('met');
    const tables = new TableAccumulator(['timeliness', 'reviewsDue']);
    carried.forEach((u) => tables.add(u));
    expect(tables.tables().timeliness).toEqual([{ month: '2023-04', held: 1, inTime: 0, share: 0 }]);
    // Its successor, due 3 October 2023 and not held, is the one due in the period.
    expect(tables.tables().reviewsDue?.byMonthDue).toEqual([
      { month: '2023-10', due: 1, inTime: 0, late: 0, notHeld: 1, share: 0 },
    ]);
  });

  it('asks nothing of a review not held: its participation and record criteria do not apply', () => {
    const [overdue] = unitsOf('K', [episode('K', '2023-09-01')], [], FROM, TO);
    expect(overdue!.facts['review.outcome']).toBe('overdue, not held');
    for (const id of [
      'participation-recorded',
      'pn0-matches-age',
      'child-views-conveyed',
      'decisions-issued-in-5-days',
      'record-issued-in-20-days',
      'short-break-review-in-timescale',
    ]) {
      expect([id, outcome(overdue!, id)]).toEqual([id, 'not-applicable']);
    }
  });
});

describe('short breaks (reg 48)', () => {
  const breaks = (id: string, spans: [string, string][]) =>
    spans.map(([start, end]) => episode(id, start, { legalStatus: 'V3', ...left(end) }));

  it('reviews a series of short breaks on its own schedule, reported apart and judged by its own criterion', () => {
    const episodes = breaks('S', [
      ['2023-05-01', '2023-05-03'],
      ['2023-06-10', '2023-06-12'],
      ['2023-10-01', '2023-10-03'],
      ['2024-02-01', '2024-02-03'],
    ]);
    const units = unitsOf('S', episodes, [review('S', '2023-07-20')], FROM, TO);
    // First within 3 months of the first break (1 August); the next 6 months from the review held, 20 January 2024, before the last break ended.
    expect(facts(units)).toEqual([
      { date: '2023-07-20', due: '2023-08-01', outcome: 'in time' },
      { date: null, due: '2024-01-20', outcome: 'overdue, not held' },
    ]);
    expect(units.map((u) => u.facts['review.kind'])).toEqual(['short breaks', 'short breaks']);
    expect(units.map((u) => outcome(u, 'short-break-review-in-timescale'))).toEqual(['met', 'not-met']);
    expect(units.map((u) => outcome(u, 'review-in-timescale'))).toEqual(['not-applicable', 'not-applicable']);
    const tables = new TableAccumulator(['timeliness', 'reviewsDue']);
    units.forEach((u) => tables.add(u));
    expect(tables.tables().timeliness).toEqual([]);
    expect(tables.tables().reviewsDue).toMatchObject({
      byMonthDue: [],
      shortBreaksByMonthDue: [
        { month: '2023-08', due: 1, inTime: 1, late: 0, notHeld: 0, share: 1 },
        { month: '2024-01', due: 1, inTime: 0, late: 0, notHeld: 1, share: 0 },
      ],
    });
  });

  it('ends a series when no break starts within 6 months of the last, and calls for no review after its last break', () => {
    const periods = (spans: [string, string][]) => periodsOfCare(breaks('T', spans));
    expect(
      careSchedules(
        periods([
          ['2023-01-01', '2023-01-03'],
          ['2023-07-03', '2023-07-05'],
        ]),
        REGULATIONS_2010,
      ).map((s) => [s.kind, s.start, s.end]),
    ).toEqual([['short-breaks', '2023-01-01', '2023-07-05']]);
    expect(
      careSchedules(
        periods([
          ['2023-01-01', '2023-01-03'],
          ['2023-07-04', '2023-07-05'],
        ]),
        REGULATIONS_2010,
      ).map((s) => s.start),
    ).toEqual(['2023-01-01', '2023-07-04']);
    // One break in May: its review was due 1 August, after the break ended, so none is counted.
    expect(childDueReviews(periods([['2023-05-01', '2023-05-03']]), [], REGULATIONS_2010, TO)).toEqual([]);
  });
});

describe('the seeds’ tables, from records', () => {
  /**
   * One child per review: looked after 20 working days before `due` (a working day), the first
   * review held on `held`, and leaving care three weeks after it so no other review falls due.
   */
  function firstReviewChild(id: string, due: string, held: string | null, from: string, to: string): AuditUnit[] {
    const start = addWorkingDays(due, -20);
    const end = addDays(held ?? due, 21);
    return unitsOf(id, [episode(id, start, left(end))], held ? [review(id, held)] : [], from, to);
  }
  /** The first working day on or after the 10th of the month. */
  const tenth = (month: string) => addWorkingDays(addWorkingDays(`${month}-10`, -1), 1);
  const monthsFrom = (first: string) =>
    Array.from({ length: 12 }, (_, i) => addCalendarMonths(`${first}-01`, i).slice(0, 7));

  it('reproduces Thurrock 2022-23’s table by month due, with its quarters and year to date', () => {
    // Thurrock IRO annual report 2022-23, §7: "Due in month", total held and held in timescale.
    const held = [58, 99, 44, 63, 39, 74, 84, 71, 63, 64, 63, 78];
    const inTime = [55, 95, 44, 63, 39, 73, 84, 71, 63, 64, 62, 77];
    const tables = new TableAccumulator(['reviewsDue']);
    let n = 0;
    monthsFrom('2022-04').forEach((month, i) => {
      const due = tenth(month);
      for (let k = 0; k < held[i]!; k += 1) {
        const late = k >= inTime[i]!;
        firstReviewChild(`T${(n += 1)}`, due, late ? addDays(due, 2) : due, '2022-04-01', '2023-03-31').forEach((u) =>
          tables.add(u),
        );
      }
    });
    const table = tables.tables().reviewsDue!;
    expect(table.byMonthDue.map((r) => [r.month, r.due, r.inTime])).toEqual(
      monthsFrom('2022-04').map((m, i) => [m, held[i], inTime[i]]),
    );
    const lines = dueLines(table.byMonthDue);
    const percent = (share: number | null) => (share === null ? null : Math.round(share * 1000) / 10);
    expect(lines.filter((l) => l.kind === 'month').map((l) => percent(l.share))).toEqual([
      94.8, 96, 100, 100, 100, 98.6, 100, 100, 100, 100, 98.4, 98.7,
    ]);
    const quarters = lines.filter((l) => l.kind === 'quarter');
    expect(quarters.map((q) => [q.label, q.due, percent(q.share)])).toEqual([
      ['Q1 2022-23 (April to June 2022)', 201, 96.5],
      ['Q2 2022-23 (July to September 2022)', 176, 99.4],
      ['Q3 2022-23 (October to December 2022)', 218, 100],
      ['Q4 2022-23 (January to March 2023)', 205, 99],
    ]);
    expect(lines.at(-1)).toMatchObject({ label: 'Year to date', due: 800, inTime: 790, late: 10, notHeld: 0 });
    expect(percent(lines.at(-1)!.share)).toBe(98.8);
    // Thurrock's "Average 98.7%" is the mean of the four quarters' percentages.
    expect(percent(averageOfQuarters(quarters.map((q) => q.share)))).toBe(98.7);
  });

  it('reproduces Haringey 2018-19’s table by month held, late reviews that fell due the month before included', () => {
    // Haringey IRO annual report 2018-19, §3.10.2, Q6a: reviews held in and not in timescale by month; 1,220 in all, 1,115 in timescale.
    const inTime = [72, 122, 88, 95, 67, 65, 122, 121, 86, 95, 68, 114];
    const notInTime = [10, 16, 13, 9, 5, 7, 10, 9, 7, 8, 7, 4];
    const tables = new TableAccumulator(['timeliness', 'reviewsDue']);
    let n = 0;
    monthsFrom('2018-04').forEach((month, i) => {
      const due = tenth(month);
      for (let k = 0; k < inTime[i]!; k += 1)
        firstReviewChild(`H${(n += 1)}`, due, due, '2018-04-01', '2019-03-31').forEach((u) => tables.add(u));
      for (let k = 0; k < notInTime[i]!; k += 1) {
        // Half the late reviews fell due in the month before and were held on the 3rd: still held late this month.
        const lateDue = k % 2 === 0 ? tenth(addCalendarMonths(`${month}-01`, -1).slice(0, 7)) : due;
        firstReviewChild(
          `H${(n += 1)}`,
          lateDue,
          k % 2 === 0 ? addWorkingDays(`${month}-02`, 1) : addDays(due, 3),
          '2018-04-01',
          '2019-03-31',
        ).forEach((u) => tables.add(u));
      }
    });
    const { timeliness } = tables.tables();
    expect(timeliness!.map((r) => [r.month, r.held, r.inTime])).toEqual(
      monthsFrom('2018-04').map((m, i) => [m, inTime[i]! + notInTime[i]!, inTime[i]]),
    );
    const { yearToDate, quarters } = quarterRows(timeliness!, ['held', 'inTime']);
    expect(yearToDate.counts).toEqual({ held: 1220, inTime: 1115 });
    expect(quarters).toHaveLength(4);
    // The late reviews due in March 2018 belong to the year before in the table by month due: 5 fewer reviews due there.
    expect(dueLines(tables.tables().reviewsDue!.byMonthDue).at(-1)).toMatchObject({
      due: 1215,
      inTime: 1115,
      late: 100,
    });
  });

  it('reproduces Southwark 2015-16’s child-level measure: 416 of 474 children (87.8%) with every review in timescale', () => {
    // Southwark IRO annual report 2015-16, §5.3: "NI66 Reviews in timescales 87.8% (416)"; 474 children looked after at 31 March 2016.
    const tables = new TableAccumulator(['reviewsDue']);
    const from = '2015-04-01';
    const to = '2016-03-31';
    const add = (units: AuditUnit[]) => units.forEach((u) => tables.add(u));
    for (let i = 0; i < 474; i += 1) {
      const id = `N${i}`;
      // Looked after Mon 5 October 2015: first review due 2 November, held 30 October; the second due 3 months on, 30 January 2016.
      const second = i < 416 ? ['2016-01-29'] : i < 466 ? ['2016-02-02'] : [];
      add(
        unitsOf(
          id,
          [episode(id, '2015-10-05')],
          [review(id, '2015-10-30'), ...second.map((d) => review(id, d))],
          from,
          to,
        ),
      );
    }
    // Not in the cohort: a child who left care before 31 March with a late review; one looked after for less than 4 weeks; one on short breaks only.
    add(unitsOf('X1', [episode('X1', '2015-10-05', left('2016-03-01'))], [review('X1', '2015-11-20')], from, to));
    add(unitsOf('X2', [episode('X2', '2016-03-07')], [], from, to));
    add(
      unitsOf(
        'X3',
        [
          episode('X3', '2015-06-01', { legalStatus: 'V3', ...left('2015-06-03') }),
          episode('X3', '2015-08-01', { legalStatus: 'V3', ...left('2015-08-03') }),
        ],
        [],
        from,
        to,
      ),
    );
    const { children } = tables.tables().reviewsDue!;
    expect(children).toMatchObject({ children: 474, allInTime: 416 });
    expect(Math.round(children.share! * 1000) / 10).toBe(87.8);
  });

  it('counts the reasons recorded for late and missed reviews, stood-down meetings and series of meetings', () => {
    const tables = new TableAccumulator(['reviewsDue']);
    const add = (units: AuditUnit[]) => units.forEach((u) => tables.add(u));
    add(
      unitsOf(
        'R1',
        [episode('R1', '2023-09-01')],
        [review('R1', '2023-10-05', { lateReason: 'Care plan not ready' }), review('R1', '2024-01-05')],
        FROM,
        TO,
      ),
    );
    add(
      unitsOf(
        'R2',
        [episode('R2', '2023-09-01')],
        [
          review('R2', '2023-09-20', { stoodDown: true }),
          review('R2', '2023-10-04', { lateReason: 'Care plan not ready' }),
          review('R2', '2024-01-04'),
        ],
        FROM,
        TO,
      ),
    );
    add(
      unitsOf(
        'R3',
        [episode('R3', '2023-09-01')],
        [
          review('R3', '2023-09-25', { seriesId: 'A' }),
          review('R3', '2023-10-02', { seriesId: 'A' }),
          review('R3', '2024-01-02'),
        ],
        FROM,
        TO,
      ),
    );
    add(unitsOf('R4', [episode('R4', '2023-09-01')], [], FROM, TO));
    const table = tables.tables().reviewsDue!;
    expect(table.lateReasons).toEqual([
      { reason: 'Care plan not ready', reviews: 2 },
      { reason: 'not recorded', reviews: 2 },
    ]);
    expect(table.stoodDownMeetings).toBe(1);
    expect(table.seriesOfMeetings).toBe(1);
  });
});
