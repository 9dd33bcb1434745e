import { TableAccumulator } from '#engine/tables';
import { describe, expect, it } from 'vitest';
import { childUnits, siblingGroupUnit, siblingStandings } from '#engine/population';
import { child, context, episode, health, involvement, review } from '../support/records.ts';

describe('review units and their reg 33 due dates', () => {
  // Became looked after Wed 3 Jan 2024: 20 working days later is Wed 31 Jan 2024.
  const records = child('C1', '2012-05-01', {
    episodes: [episode('C1', '2024-01-03')],
    reviews: [review('C1', '2024-02-01'), review('C1', '2024-05-01'), review('C1', '2024-11-01')],
  });
  const units = childUnits('reviews-in-period', records, context('2024-01-01', '2024-12-31'));

  it('dates the first review 20 working days after the child became looked after', () => {
    expect(units[0]?.facts).toMatchObject({
      'review.sequence': 1,
      'review.dueDate': '2024-01-31',
      'review.date': '2024-02-01',
    });
  });
  it('dates the second review 3 calendar months after the first review’s actual date, not its due date', () => {
    expect(units[1]?.facts).toMatchObject({
      'review.sequence': 2,
      'review.dueDate': '2024-05-01',
      'review.previousDate': '2024-02-01',
    });
  });
  it('dates later reviews 6 calendar months after the previous one', () => {
    expect(units[2]?.facts).toMatchObject({ 'review.sequence': 3, 'review.dueDate': '2024-11-01' });
  });
  it('keeps only reviews held in the audit period, but numbers them from the start of the period of care', () => {
    const late = childUnits('reviews-in-period', records, context('2024-03-01', '2024-12-31'));
    expect(late.map((u) => u.facts['review.sequence'])).toEqual([2, 3]);
  });
  it('takes only second reviews for the permanence population', () => {
    expect(
      childUnits('second-reviews-in-period', records, context('2024-01-01', '2024-12-31')).map((u) => u.date),
    ).toEqual(['2024-05-01']);
  });
  it('restarts the schedule when a child leaves care and comes back', () => {
    const returner = child('C2', '2010-01-01', {
      episodes: [
        episode('C2', '2023-01-09', { endDate: '2023-06-30', reasonEpisodeCeased: 'E11' }),
        episode('C2', '2024-03-04'),
      ],
      reviews: [review('C2', '2023-02-03'), review('C2', '2023-05-02'), review('C2', '2024-03-28')],
    });
    const [again] = childUnits('reviews-in-period', returner, context('2024-01-01', '2024-12-31'));
    // 20 working days from Mon 4 Mar 2024, skipping Good Friday 29 Mar and Easter Monday 1 Apr: due Wed 3 Apr.
    expect(again?.facts).toMatchObject({
      'review.sequence': 1,
      'period.start': '2024-03-04',
      'review.dueDate': '2024-04-03',
      'review.previousDate': null,
    });
  });
  it('leaves out short breaks (V3/V4), which have no reg 33 reviews', () => {
    const respite = child('C3', '2015-01-01', {
      episodes: [episode('C3', '2024-01-03', { legalStatus: 'V3' })],
      reviews: [review('C3', '2024-02-01')],
    });
    expect(childUnits('reviews-in-period', respite, context('2024-01-01', '2024-12-31'))).toEqual([]);
  });
  it('places a review with the social worker’s team and service at the review date, and never lets its IRO grade it', () => {
    expect(units[0]).toMatchObject({ service: 'CiN/CP North', team: 'North 1', iroId: 'IRO1', ownIroIds: ['IRO1'] });
  });
});

describe('the OC2 health cohort', () => {
  const started = (start: string) =>
    child('H1', '2015-06-01', { episodes: [episode('H1', start)], health: [health('H1', 'RHA', '2024-01-10')] });
  it('includes a child looked after for exactly 12 months at the period end: every day from 1 April to 31 March, as the DfE counts', () => {
    expect(
      childUnits('oc2-cohort-at-period-end', started('2023-04-01'), context('2023-04-01', '2024-03-31')),
    ).toHaveLength(1);
    expect(
      childUnits('oc2-cohort-at-period-end', started('2023-03-31'), context('2023-04-01', '2024-03-31')),
    ).toHaveLength(1);
  });
  it('leaves out a child one day short of 12 months', () => {
    expect(childUnits('oc2-cohort-at-period-end', started('2023-04-02'), context('2023-04-01', '2024-03-31'))).toEqual(
      [],
    );
  });
  it('offers the latest completed assessment, dental check and SDQ as facts', () => {
    const records = child('H2', '2015-06-01', {
      episodes: [episode('H2', '2020-01-06')],
      health: [
        health('H2', 'RHA', '2023-02-01'),
        health('H2', 'RHA', '2023-11-15', { immunisationsUpToDate: false }),
        health('H2', 'RHA', '2024-03-01', { status: 'Planned' }),
        health('H2', 'DENTAL', '2023-06-01'),
        health('H2', 'SDQ', '2023-09-01', { sdqScore: 17, immunisationsUpToDate: null }),
      ],
    });
    const [unit] = childUnits('oc2-cohort-at-period-end', records, context('2023-04-01', '2024-03-31'));
    expect(unit?.facts).toMatchObject({
      'health.lastAssessment': '2023-11-15',
      'health.lastAssessmentImmunisationsUpToDate': false,
      'health.lastDental': '2023-06-01',
      'health.lastSdq': '2023-09-01',
      'health.lastSdqScore': 17,
      'health.lastDevelopment': null,
    });
  });
});

describe('sibling groups at the period end', () => {
  const ctx = context('2024-01-01', '2024-03-31');
  const member = (id: string, sw: string, tm: string, iro: string, over: { conflict?: boolean; ended?: string } = {}) =>
    child(id, '2012-01-01', {
      episodes: [episode(id, '2022-01-10', over.ended ? { endDate: over.ended, reasonEpisodeCeased: 'E8' } : {})],
      involvements: [
        involvement(id, sw, 'SW', '2022-01-10'),
        involvement(id, tm, 'TM', '2022-01-10'),
        involvement(id, iro, 'IRO', '2022-01-10'),
      ],
      families: [{ childId: id, familyId: 'F1', conflictOfInterest: over.conflict ?? false }],
    });

  it('counts distinct social workers, team managers and IROs current at the period end', () => {
    const standings = [
      member('S1', 'SW1', 'TM1', 'IRO1'),
      member('S2', 'SW2', 'TM2', 'IRO1'),
      member('S3', 'SW1', 'TM1', 'IRO2'),
    ].flatMap((m) => siblingStandings(m, ctx));
    const unit = siblingGroupUnit('F1', standings, ctx);
    expect(unit?.facts).toMatchObject({
      'group.children': ['S1', 'S2', 'S3'],
      'group.socialWorkers': ['SW1', 'SW2'],
      'group.teamManagers': ['TM1', 'TM2'],
      'group.iros': ['IRO1', 'IRO2'],
      'group.conflictOfInterest': false,
      'group.careLeavers': [],
    });
    expect(unit).toMatchObject({ team: 'North 1', service: 'CiN/CP North', ownIroIds: ['IRO1', 'IRO2'] });
  });
  it('counts a care leaver who still has a personal adviser apart, with the PA', () => {
    const leaver = child('S4', '2005-01-01', {
      episodes: [episode('S4', '2019-01-10', { endDate: '2023-01-01', reasonEpisodeCeased: 'E17' })],
      involvements: [
        involvement('S4', 'SW3', 'SW', '2019-01-10', '2023-01-01'),
        involvement('S4', 'PA1', 'PA', '2022-06-01'),
      ],
      families: [{ childId: 'S4', familyId: 'F1', conflictOfInterest: null }],
    });
    const standings = [member('S1', 'SW1', 'TM1', 'IRO1'), leaver].flatMap((m) => siblingStandings(m, ctx));
    expect(siblingGroupUnit('F1', standings, ctx)?.facts).toMatchObject({
      'group.careLeavers': ['S4'],
      'group.personalAdvisers': ['PA1'],
      'group.socialWorkers': ['SW1'],
    });
  });
  // Cheshire East 2017-18, the Q1 check: "2 siblings (1 of them a care leaver) – 2 SWs and 2 TMs – 1 IRO".
  it('counts a care leaver still allocated to a social worker, with the social worker and their team manager', () => {
    const leaver = child('S7', '2006-05-01', {
      episodes: [episode('S7', '2019-01-10', { endDate: '2023-06-01', reasonEpisodeCeased: 'E17' })],
      involvements: [
        involvement('S7', 'SW2', 'SW', '2019-01-10'),
        involvement('S7', 'TM2', 'TM', '2019-01-10'),
        involvement('S7', 'IRO1', 'IRO', '2019-01-10', '2023-06-01'),
      ],
      families: [{ childId: 'S7', familyId: 'F1', conflictOfInterest: false }],
    });
    const standings = [member('S1', 'SW1', 'TM1', 'IRO1'), leaver].flatMap((m) => siblingStandings(m, ctx));
    const unit = siblingGroupUnit('F1', standings, ctx)!;
    expect(unit.facts).toMatchObject({
      'group.careLeavers': ['S7'],
      'group.socialWorkers': ['SW1', 'SW2'],
      'group.teamManagers': ['TM1', 'TM2'],
      'group.iros': ['IRO1'],
      'group.personalAdvisers': [],
    });
    const accumulator = new TableAccumulator(['siblingGroups']);
    accumulator.add(unit);
    expect(accumulator.tables().siblingGroups?.[0]?.summary).toBe(
      '2 siblings (1 care leaver) – 2 SWs and 2 TMs – 1 IRO',
    );
  });
  // Cheshire East 2017-18: "5 siblings (2 care leavers) – 2 SWs and 2 TMs + 2 PAs and 1 TM – 1 IRO".
  it('counts care leavers with only a personal adviser on the advisers’ side, their team manager with them', () => {
    const leaver = (id: string, pa: string) =>
      child(id, '2005-01-01', {
        episodes: [episode(id, '2019-01-10', { endDate: '2023-01-01', reasonEpisodeCeased: 'E17' })],
        involvements: [involvement(id, pa, 'PA', '2022-06-01'), involvement(id, 'TM9', 'TM', '2022-06-01')],
        families: [{ childId: id, familyId: 'F1', conflictOfInterest: false }],
      });
    const members = [
      member('S1', 'SW1', 'TM1', 'IRO1'),
      member('S2', 'SW1', 'TM1', 'IRO1'),
      member('S3', 'SW2', 'TM2', 'IRO1'),
      leaver('S8', 'PA1'),
      leaver('S9', 'PA2'),
    ];
    const accumulator = new TableAccumulator(['siblingGroups']);
    accumulator.add(
      siblingGroupUnit(
        'F1',
        members.flatMap((m) => siblingStandings(m, ctx)),
        ctx,
      )!,
    );
    expect(accumulator.tables().siblingGroups?.[0]?.summary).toBe(
      '5 siblings (2 care leavers) – 2 SWs and 2 TMs + 2 PAs and 1 TM – 1 IRO',
    );
  });
  it('does not count a child who went home before 16, though still allocated a social worker', () => {
    const home = child('S10', '2012-01-01', {
      episodes: [episode('S10', '2022-01-10', { endDate: '2023-06-01', reasonEpisodeCeased: 'E13' })],
      involvements: [involvement('S10', 'SW5', 'SW', '2022-01-10')],
      families: [{ childId: 'S10', familyId: 'F1', conflictOfInterest: false }],
    });
    expect(siblingStandings(home, ctx)[0]?.status).toBe('not-counted');
  });
  it('ignores allocations that ended before the period end', () => {
    const moved = child('S5', '2012-01-01', {
      episodes: [episode('S5', '2022-01-10')],
      involvements: [
        involvement('S5', 'SW2', 'SW', '2022-01-10', '2024-02-01'),
        involvement('S5', 'SW1', 'SW', '2024-02-01'),
        involvement('S5', 'IRO1', 'IRO', '2022-01-10'),
      ],
      families: [{ childId: 'S5', familyId: 'F1', conflictOfInterest: false }],
    });
    const standings = [member('S1', 'SW1', 'TM1', 'IRO1'), moved].flatMap((m) => siblingStandings(m, ctx));
    expect(siblingGroupUnit('F1', standings, ctx)?.facts['group.socialWorkers']).toEqual(['SW1']);
  });
  it('is no group when fewer than two members are looked after or care leavers at the period end', () => {
    const standings = [
      member('S1', 'SW1', 'TM1', 'IRO1'),
      member('S6', 'SW1', 'TM1', 'IRO1', { ended: '2023-12-01' }),
    ].flatMap((m) => siblingStandings(m, ctx));
    expect(siblingGroupUnit('F1', standings, ctx)).toBeNull();
  });
});
