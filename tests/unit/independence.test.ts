/**
 * Independence for life, in the pure core: a unit's own IROs are every IRO the child ever had (any
 * allocation, any review chaired, at any date), a sibling group's those of any member; and the
 * worker id an IRO acts by comes only from `custom:worker_id`, never from the username.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { childUnits, iroIdsEver, siblingGroupUnit, siblingStandings } from '#engine/population';
import { principalFromClaims, TokenError, WORKER_ID_CLAIM } from '#auth/tokens';
import { child, context, episode, involvement, review } from '../support/records.ts';

const PERIOD = context('2023-04-01', '2024-03-31');

/** In care since 2013: IRO7 from 2014 to 2021, IRO1 since; IRO9 chaired one review, in 2024, after the period. */
const longHistory = child('L1', '2010-05-01', {
  episodes: [episode('L1', '2013-09-02')],
  involvements: [
    involvement('L1', 'SW1', 'SW', '2013-09-02'),
    involvement('L1', 'IRO7', 'IRO', '2014-01-06', '2021-07-30'),
    involvement('L1', 'IRO1', 'IRO', '2021-08-02'),
  ],
  reviews: [
    review('L1', '2022-12-01', { iroId: 'IRO1' }),
    review('L1', '2023-06-01', { iroId: 'IRO1' }),
    review('L1', '2023-11-30', { iroId: 'IRO1' }),
    review('L1', '2024-05-20', { iroId: 'IRO9' }),
  ],
});

describe('the IROs a unit may never be graded by', () => {
  it('are every IRO the child ever had: the one before the period (2014–2021), the current one, and the chair of a review after the period', () => {
    const units = childUnits('reviews-due-in-period', longHistory, PERIOD);
    expect(units.length).toBeGreaterThan(0);
    for (const unit of units) expect(unit.ownIroIds).toEqual(['IRO1', 'IRO7', 'IRO9']);
  });

  it('count a review chaired with no allocation at all, and an allocation with no review', () => {
    const chairOnly = { involvements: [], reviews: [review('X', '2012-03-01', { iroId: 'IRO3' })] };
    const allocationOnly = { involvements: [involvement('X', 'IRO4', 'IRO', '2009-01-05', '2009-02-01')], reviews: [] };
    expect(iroIdsEver(chairOnly)).toEqual(['IRO3']);
    expect(iroIdsEver(allocationOnly)).toEqual(['IRO4']);
  });

  it('leave out other roles and reviews with no IRO recorded', () => {
    const records = {
      involvements: [involvement('X', 'SW1', 'SW', '2020-01-01'), involvement('X', 'PA1', 'PA', '2020-01-01')],
      reviews: [review('X', '2020-02-01', { iroId: null })],
    };
    expect(iroIdsEver(records)).toEqual([]);
  });

  it('for the health cohort too, whatever the period', () => {
    const [unit] = childUnits('oc2-cohort-at-period-end', longHistory, PERIOD);
    expect(unit?.ownIroIds).toEqual(['IRO1', 'IRO7', 'IRO9']);
  });

  it('for a sibling group, are every IRO any member ever had, a member not counted in the group included', () => {
    const member = (id: string, iros: [string, string, string | null][], ended?: string) =>
      child(id, '2012-01-01', {
        episodes: [episode(id, '2015-01-05', ended ? { endDate: ended, reasonEpisodeCeased: 'E8' } : {})],
        involvements: [
          involvement(id, 'SW1', 'SW', '2015-01-05'),
          involvement(id, 'TM1', 'TM', '2015-01-05'),
          ...iros.map(([w, s, e]) => involvement(id, w, 'IRO', s, e)),
        ],
        families: [{ childId: id, familyId: 'F9', conflictOfInterest: false }],
      });
    const members = [
      member('G1', [
        ['IRO5', '2015-01-05', '2016-01-01'],
        ['IRO1', '2016-01-02', null],
      ]),
      member('G2', [['IRO2', '2015-01-05', null]]),
      // Left care in 2019 without a worker: not counted in the group, yet their IROs may not grade it.
      member('G3', [['IRO6', '2015-01-05', '2019-06-01']], '2019-06-01'),
    ];
    const unit = siblingGroupUnit(
      'F9',
      members.flatMap((m) => siblingStandings(m, PERIOD)),
      PERIOD,
    );
    expect(unit?.childIds).toEqual(['G1', 'G2']);
    expect(unit?.ownIroIds).toEqual(['IRO1', 'IRO2', 'IRO5', 'IRO6']);
  });
});

describe('the worker id an IRO acts by', () => {
  const cognito = (extra: Record<string, unknown>) => ({
    sub: randomUUID(),
    'cognito:username': randomUUID(),
    'cognito:groups': ['iro'],
    'custom:authority': 'demo',
    token_use: 'id',
    email: 'iro.one@example.gov.uk',
    ...extra,
  });

  it('comes from custom:worker_id; the username (a UUID on AWS) stays the person’s id', () => {
    const claims = cognito({ [WORKER_ID_CLAIM]: 'IRO07' });
    expect(principalFromClaims(claims)).toEqual({
      userId: claims['cognito:username'],
      workerId: 'IRO07',
      roles: ['iro'],
      authorityId: 'demo',
    });
  });

  it('is never taken from the username: a token without custom:worker_id has none', () => {
    const principal = principalFromClaims(cognito({ 'cognito:username': 'IRO07' }));
    expect(principal.userId).toBe('IRO07');
    expect(principal.workerId).toBeUndefined();
  });

  it('refuses a worker id that is not one, with a reason', () => {
    expect(() => principalFromClaims(cognito({ [WORKER_ID_CLAIM]: 'IRO#7' }))).toThrow(TokenError);
    expect(() => principalFromClaims(cognito({ [WORKER_ID_CLAIM]: 7 }))).toThrow(/custom:worker_id/);
  });

  it('is carried by a person in two groups as by anyone', () => {
    expect(
      principalFromClaims(cognito({ 'cognito:groups': ['qa-lead', 'iro'], [WORKER_ID_CLAIM]: 'IRO02' })),
    ).toMatchObject({ roles: ['qa-lead', 'iro'], workerId: 'IRO02' });
  });
});
