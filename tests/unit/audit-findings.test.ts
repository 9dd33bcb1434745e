import { describe, expect, it } from 'vitest';
import { judgeUnit } from '#engine/evaluate';
import { computeFindings, type JudgedUnit } from '#engine/findings';
import { childUnits, type AuditUnit } from '#engine/population';
import { participationMeasures, siblingSummary, TableAccumulator } from '#engine/tables';
import { readTemplateLibrary } from '#audit/template-library';
import type { AuditTemplate } from '#engine/template';
import { REGULATIONS_2010 } from '#domain/timescales';
import { child, context, episode, health, review } from '../support/records.ts';

const library = await readTemplateLibrary();
const template = (id: string) => library.templates.get(id) as AuditTemplate;
const audit = {
  id: 'audit-1',
  title: 'Test audit',
  authorityId: 'test',
  authorityName: 'Test Borough',
  closedAt: '2024-04-15T10:00:00.000Z',
  seed: 1,
  autoOnly: true,
};

/** One review unit per child: the child's first review, held `late` days after its due date (negative: early). */
function firstReview(
  id: string,
  dob: string,
  start: string,
  reviewDate: string,
  over: Parameters<typeof review>[2] = {},
): AuditUnit {
  const units = childUnits(
    'reviews-due-in-period',
    child(id, dob, { episodes: [episode(id, start)], reviews: [review(id, reviewDate, over)] }),
    context('2024-01-01', '2024-03-31'),
  );
  return units.find((u) => u.facts['review.date'] === reviewDate)!;
}

describe('findings tables', () => {
  it('counts participation codes PN0–PN7 and the reviews with none', () => {
    const tables = new TableAccumulator(['participation']);
    const codes = ['PN0', 'PN1', 'PN1', 'PN6', 'PN7', null] as const;
    codes.forEach((code, i) =>
      tables.add(
        firstReview(`P${i}`, code === 'PN0' ? '2022-01-01' : '2012-01-01', '2024-01-03', '2024-01-30', {
          participationCode: code,
        }),
      ),
    );
    expect(tables.tables().participation).toEqual({
      PN0: 1,
      PN1: 2,
      PN2: 0,
      PN3: 0,
      PN4: 0,
      PN5: 0,
      PN6: 1,
      PN7: 1,
      'not recorded': 1,
    });
  });
  it('gives both headline participation percentages the seeds use, from Southwark 2015-16’s counts', () => {
    // Southwark IRO annual report 2015-16, §5.3–5.4: 1,235 reviews; C63 "96.4% (1,190)".
    const southwark = { PN0: 159, PN1: 857, PN2: 19, PN3: 14, PN4: 7, PN5: 28, PN6: 106, PN7: 45, 'not recorded': 0 };
    const [withPn0, withoutPn0] = participationMeasures(southwark);
    expect(withPn0).toMatchObject({ id: 'with-pn0', participated: 1190, reviews: 1235 });
    expect(withPn0!.share!.toFixed(3)).toBe('0.964');
    expect(withPn0!.name).toMatch(/PN0–PN6 of PN0–PN7/);
    expect(withoutPn0).toMatchObject({ id: 'without-pn0', participated: 1031, reviews: 1076 });
    expect(withoutPn0!.share!.toFixed(3)).toBe('0.958');
    expect(withoutPn0!.name).toMatch(/PN1–PN6 of PN1–PN7/);
    // A review with no code is in neither denominator; no reviews at all is no percentage, not 0%.
    expect(participationMeasures({ ...southwark, 'not recorded': 40 }).map((m) => m.reviews)).toEqual([1235, 1076]);
    expect(participationMeasures({}).map((m) => m.share)).toEqual([null, null]);
  });
  it('carries the headline participation percentages with the table', () => {
    const tables = new TableAccumulator(['participation']);
    const codes = ['PN0', 'PN1', 'PN7', null] as const;
    codes.forEach((code, i) =>
      tables.add(
        firstReview(`Q${i}`, code === 'PN0' ? '2022-01-01' : '2012-01-01', '2024-01-03', '2024-01-30', {
          participationCode: code,
        }),
      ),
    );
    expect(tables.tables().participationMeasures?.map((m) => [m.id, m.participated, m.reviews])).toEqual([
      ['with-pn0', 2, 3],
      ['without-pn0', 1, 2],
    ]);
  });
  it('counts reviews held and held in timescale per month, a review on its due date being in time', () => {
    const tables = new TableAccumulator(['timeliness']);
    // Looked after Wed 3 Jan 2024: first review due Wed 31 Jan.
    tables.add(firstReview('T1', '2012-01-01', '2024-01-03', '2024-01-31'));
    tables.add(firstReview('T2', '2012-01-01', '2024-01-03', '2024-02-01'));
    tables.add(firstReview('T3', '2012-01-01', '2024-02-01', '2024-02-20'));
    expect(tables.tables().timeliness).toEqual([
      { month: '2024-01', held: 1, inTime: 1, share: 1 },
      { month: '2024-02', held: 2, inTime: 1, share: 0.5 },
    ]);
  });
  it('writes a sibling group in the Q1 check’s words', () => {
    expect(
      siblingSummary({
        familyId: 'F1',
        children: 5,
        careLeavers: 2,
        socialWorkers: 2,
        teamManagers: 2,
        personalAdvisers: 2,
        iros: 1,
        conflictOfInterest: false,
        oneIroMet: true,
      }),
    ).toBe('5 siblings (2 care leavers) – 2 SWs and 2 TMs + 2 PAs – 1 IRO');
    expect(
      siblingSummary({
        familyId: 'F2',
        children: 2,
        careLeavers: 1,
        socialWorkers: 1,
        teamManagers: 1,
        personalAdvisers: 1,
        iros: 2,
        conflictOfInterest: true,
        oneIroMet: true,
      }),
    ).toBe('2 siblings (1 care leaver) – 1 SW and 1 TM + 1 PA – 2 IROs');
  });
  it('counts the OC2 health table: assessment, immunisations, teeth, under-5 development, SDQ', () => {
    const tables = new TableAccumulator(['health']);
    const ctx = context('2023-04-01', '2024-03-31');
    const add = (id: string, dob: string, events: ReturnType<typeof health>[]) =>
      childUnits(
        'oc2-cohort-at-period-end',
        child(id, dob, { episodes: [episode(id, '2020-01-06')], health: events }),
        ctx,
      ).forEach((u) => tables.add(u));
    add('A', '2012-01-01', [
      health('A', 'RHA', '2023-10-01'),
      health('A', 'DENTAL', '2023-05-01'),
      health('A', 'SDQ', '2023-06-01', { sdqScore: 12, immunisationsUpToDate: null }),
    ]);
    add('B', '2012-01-01', [
      health('B', 'RHA', '2023-03-31', { immunisationsUpToDate: false }),
      health('B', 'DENTAL', '2023-03-31'),
    ]); // both exactly 12 months before: not within
    add('C', '2020-06-01', [health('C', 'RHA', '2024-01-05'), health('C', 'DEVELOPMENT', '2023-09-01')]);
    add('D', '2021-02-01', [health('D', 'RHA', '2023-12-01')]);
    expect(tables.tables().health).toEqual({
      cohort: 4,
      healthAssessment: 3,
      immunisations: 3,
      teethChecked: 1,
      under5: 2,
      developmentUpToDate: 1,
      sdqEligible: 2,
      sdqScored: 1,
      fromHealthExtract: 4,
      fromOc2: 0,
    });
  });
});

describe('findings', () => {
  const t = template('review-timeliness-participation');
  const judged = (unit: AuditUnit, grades: Record<string, string> = {}): JudgedUnit => ({
    unit,
    outcomes: judgeUnit(t, unit, REGULATIONS_2010),
    grades,
    overall: null,
    comment: null,
  });
  const units = [
    // In time, decisions on day 5 (met), record not issued (cannot tell).
    judged(firstReview('F1', '2012-01-01', '2024-01-03', '2024-01-31', { decisionsIssued: '2024-02-07' }), {
      'voice-of-the-child': 'Good',
    }),
    // A day late, decisions on day 6 (not met).
    judged(firstReview('F2', '2012-01-01', '2024-01-03', '2024-02-01', { decisionsIssued: '2024-02-09' }), {
      'voice-of-the-child': 'Inadequate',
    }),
    // Under 4 coded PN1: the PN0 rule fails; views rule not applicable.
    judged(
      firstReview('F3', '2021-06-01', '2024-01-03', '2024-01-30', {
        participationCode: 'PN1',
        decisionsIssued: '2024-01-31',
      }),
    ),
  ];
  const findings = computeFindings({
    audit,
    template: t,
    period: { from: '2024-01-01', to: '2024-03-31' },
    populationSize: 3,
    marginOfError: 0,
    units,
    tables: {},
  });
  const criterion = (id: string) => findings.criteria.find((c) => c.id === id)!;

  it('counts met, not met, not applicable and cannot tell per criterion, with compliance and its Wilson interval', () => {
    expect(criterion('review-in-timescale')).toMatchObject({
      n: 3,
      met: 2,
      notMet: 1,
      notApplicable: 0,
      cannotTell: 0,
      compliance: 2 / 3,
      belowThreshold: true,
    });
    expect(criterion('review-in-timescale').ci95?.lower).toBeCloseTo(0.2077, 4);
    expect(criterion('review-in-timescale').ci95?.upper).toBeCloseTo(0.9385, 4);
    expect(criterion('decisions-issued-in-5-days')).toMatchObject({ met: 2, notMet: 1 });
    expect(criterion('record-issued-in-20-days')).toMatchObject({
      met: 0,
      notMet: 0,
      cannotTell: 3,
      compliance: null,
      ci95: null,
      belowThreshold: false,
    });
    expect(criterion('pn0-matches-age')).toMatchObject({ met: 2, notMet: 1 });
    expect(criterion('child-views-conveyed')).toMatchObject({ met: 2, notApplicable: 1 });
  });
  it('grades manual criteria against the threshold grade and shows the distribution', () => {
    expect(criterion('voice-of-the-child')).toMatchObject({ met: 1, notMet: 1, cannotTell: 1, compliance: 0.5 });
    expect(criterion('voice-of-the-child').grades).toEqual({
      Outstanding: 0,
      Good: 1,
      'Requires improvement': 0,
      Inadequate: 1,
      'Not applicable': 0,
    });
  });
  it('raises a practice alert for every automatic criterion not met, naming the team to act', () => {
    expect(findings.alerts.map((a) => [a.criterionId, a.team])).toEqual([
      ['review-in-timescale', 'IRO Service'],
      ['pn0-matches-age', 'IRO Service'],
      ['decisions-issued-in-5-days', 'IRO Service'],
    ]);
    expect(findings.alertSummary[0]?.summary).toBe(
      'Review out of timescale (held late or overdue): 1 (CiN/CP North 1)',
    );
  });
  it('keeps evidence with each outcome: the values used and the rule in words', () => {
    const late = findings.records[1]!.outcomes['review-in-timescale']!;
    expect(late.outcome).toBe('not-met');
    expect(late.evidence?.values).toEqual([
      { name: 'review.dueInPeriod', value: true },
      { name: 'review.kind', value: 'looked after' },
      { name: 'review.date', value: '2024-02-01' },
      { name: 'review.dueDate', value: '2024-01-31' },
    ]);
    expect(criterion('review-in-timescale').rule).toContain('review.date ≤ review.dueDate');
  });
  it('states each automatic criterion’s rule once, in the criteria, and not again in every record’s evidence', () => {
    const rule = criterion('review-in-timescale').rule!;
    const automatic = t.criteria.find((c) => c.id === 'review-in-timescale')!;
    expect(rule.startsWith(`${automatic.kind === 'automatic' ? automatic.rule : ''} (`)).toBe(true);
    expect(findings.records[1]!.outcomes['review-in-timescale']!.evidence).toEqual({
      values: [
        { name: 'review.dueInPeriod', value: true },
        { name: 'review.kind', value: 'looked after' },
        { name: 'review.date', value: '2024-02-01' },
        { name: 'review.dueDate', value: '2024-01-31' },
      ],
      missing: [],
    });
    expect(JSON.stringify(findings).split(JSON.stringify(rule)).length - 1).toBe(1);
    expect(criterion('voice-of-the-child').rule).toBeUndefined();
    expect(
      findings.criteria
        .filter((c) => c.kind === 'automatic')
        .every((c) => typeof c.rule === 'string' && c.rule.length > 0),
    ).toBe(true);
  });
  it('never publishes a child id, only a stable pseudonym', () => {
    expect(JSON.stringify(findings)).not.toMatch(/"F[123]"|F[123]:/);
    expect(findings.records[0]!.children[0]).toMatch(/^P-[0-9a-f]{10}$/);
  });
  it('puts the template’s action into the plan where a criterion falls below its threshold, and only there', () => {
    expect(criterion('child-views-conveyed').belowThreshold).toBe(false);
    expect(findings.actionPlan.map((a) => [a.linkedCriteria[0], a.owner.team, a.dueDate])).toEqual([
      ['review-in-timescale', 'IRO Service', '2024-06-14'],
      ['decisions-issued-in-5-days', 'IRO Service', '2024-06-14'],
    ]);
  });
  it('compares with the previous audit: change per criterion and children newly not met, resolved and persisting', () => {
    const again = computeFindings({
      audit: { ...audit, id: 'audit-2' },
      template: t,
      period: { from: '2024-04-01', to: '2024-06-30' },
      populationSize: 2,
      marginOfError: 0,
      units: [
        judged(firstReview('F1', '2012-01-01', '2024-01-03', '2024-02-01')),
        judged(firstReview('F2', '2012-01-01', '2024-01-03', '2024-01-31')),
      ],
      tables: {},
      previous: findings,
    });
    expect(again.criteria.find((c) => c.id === 'review-in-timescale')?.change).toEqual({
      previousAuditId: 'audit-1',
      previousCompliance: 2 / 3,
      delta: 0.5 - 2 / 3,
    });
    const timeliness = again.comparison?.criteria.find((c) => c.criterionId === 'review-in-timescale');
    expect(timeliness?.newlyNotMet).toEqual(findings.records[0]!.children);
    expect(timeliness?.resolved).toEqual(findings.records[1]!.children);
    expect(timeliness?.persisting).toEqual([]);
  });
});
