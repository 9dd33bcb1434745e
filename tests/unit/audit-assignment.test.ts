import { describe, expect, it } from 'vitest';
import { assignUnits, type AssignableUnit, type Auditor } from '#engine/assignment';
import { Random } from '#engine/random';

/** A random audit: 1–8 auditors, 0–60 units, each unit's own IROs drawn from the auditors and from IROs not auditing. */
function randomCase(random: Random, constrained: boolean): { auditors: Auditor[]; units: AssignableUnit[] } {
  const auditors: Auditor[] = Array.from({ length: random.int(1, 8) }, (_, i) => ({
    iroId: `iro-${i}`,
    ...(random.chance(0.3) ? { currentLoad: random.int(0, 6) } : {}),
  }));
  const outsiders = ['iro-x', 'iro-y', 'iro-z'];
  const units: AssignableUnit[] = Array.from({ length: random.int(0, 60) }, (_, i) => {
    const own = new Set<string>();
    const howMany = random.int(0, 3);
    for (let k = 0; k < howMany; k++)
      own.add(constrained && random.chance(0.7) ? random.pick(auditors).iroId : random.pick(outsiders));
    // Now and then every auditor is one of the unit's own IROs.
    if (constrained && random.chance(0.05)) for (const a of auditors) own.add(a.iroId);
    return { unitId: `U-${String(i).padStart(3, '0')}`, ownIroIds: [...own] };
  });
  return { auditors, units };
}

const spread = (loads: Record<string, number>) => Math.max(...Object.values(loads)) - Math.min(...Object.values(loads));

describe('assignUnits', () => {
  it('never assigns a child to their own IRO', () => {
    const random = Random.seeded(2024);
    for (let round = 0; round < 400; round++) {
      const { auditors, units } = randomCase(random.fork(round), true);
      const result = assignUnits(units, auditors, { seed: round });
      const own = new Map(units.map((u) => [u.unitId, new Set(u.ownIroIds)]));
      for (const { unitId, iroId } of result.assignments) {
        expect(own.get(unitId)!.has(iroId)).toBe(false);
        expect(auditors.some((a) => a.iroId === iroId)).toBe(true);
      }
      // Every unit is accounted for exactly once, and left out only when no auditor may grade it.
      const seen = [...result.assignments.map((a) => a.unitId), ...result.unassigned.map((u) => u.unitId)].sort();
      expect(seen).toEqual(units.map((u) => u.unitId).sort());
      for (const { unitId } of result.unassigned)
        expect(auditors.every((a) => own.get(unitId)!.has(a.iroId))).toBe(true);
      // Loads are the current load plus what was given here.
      for (const a of auditors) {
        const given = result.assignments.filter((x) => x.iroId === a.iroId).length;
        expect(result.loads[a.iroId]).toBe((a.currentLoad ?? 0) + given);
      }
    }
  });

  it('keeps loads within one of each other when no unit is constrained', () => {
    const random = Random.seeded(7);
    for (let round = 0; round < 400; round++) {
      const { auditors, units } = randomCase(random.fork(round), false);
      const fresh = auditors.map((a) => ({ iroId: a.iroId }));
      const result = assignUnits(units, fresh, { seed: round });
      expect(result.unassigned).toEqual([]);
      expect(spread(result.loads)).toBeLessThanOrEqual(1);
    }
  });

  it('leaves a unit unassigned, with a plain reason, when every auditor is one of its own IROs', () => {
    const result = assignUnits(
      [
        { unitId: 'G-1', ownIroIds: ['iro-a', 'iro-b'] },
        { unitId: 'G-2', ownIroIds: ['iro-a'] },
      ],
      [{ iroId: 'iro-a' }, { iroId: 'iro-b' }],
      { seed: 1 },
    );
    expect(result.assignments).toEqual([{ unitId: 'G-2', iroId: 'iro-b' }]);
    expect(result.unassigned).toEqual([
      {
        unitId: 'G-1',
        reason:
          'every auditor chosen is the IRO of a child in this unit, and no IRO may grade their own child: add another auditor',
      },
    ]);
    expect(result.loads).toEqual({ 'iro-a': 0, 'iro-b': 1 });
  });

  it('leaves every unit unassigned when no auditors were chosen', () => {
    const result = assignUnits([{ unitId: 'R-1', ownIroIds: [] }], [], { seed: 1 });
    expect(result).toEqual({
      assignments: [],
      unassigned: [{ unitId: 'R-1', reason: 'no auditors were chosen for this audit' }],
      loads: {},
    });
  });

  it('counts grading already assigned in other open audits', () => {
    const units = Array.from({ length: 5 }, (_, i) => ({ unitId: `R-${i}`, ownIroIds: [] }));
    const result = assignUnits(units, [{ iroId: 'busy', currentLoad: 3 }, { iroId: 'free' }], { seed: 3 });
    expect(result.assignments.filter((a) => a.iroId === 'free')).toHaveLength(4);
    expect(result.assignments.filter((a) => a.iroId === 'busy')).toHaveLength(1);
    expect(result.loads).toEqual({ busy: 4, free: 4 });
    const swamped = assignUnits(units, [{ iroId: 'busy', currentLoad: 20 }, { iroId: 'free' }], { seed: 3 });
    expect(swamped.assignments.every((a) => a.iroId === 'free')).toBe(true);
  });

  it('gives the most constrained units out first, so they do not pile onto an auditor already loaded with easy ones', () => {
    // Three units only iro-a may grade, three anyone may: iro-a should get just the three it alone can take.
    const units: AssignableUnit[] = [
      ...['A-1', 'A-2', 'A-3'].map((unitId) => ({ unitId, ownIroIds: ['iro-b', 'iro-c'] })),
      ...['F-1', 'F-2', 'F-3'].map((unitId) => ({ unitId, ownIroIds: [] })),
    ];
    for (let seed = 0; seed < 50; seed++) {
      const result = assignUnits(units, [{ iroId: 'iro-a' }, { iroId: 'iro-b' }, { iroId: 'iro-c' }], { seed });
      expect(result.assignments.filter((a) => a.iroId === 'iro-a').map((a) => a.unitId)).toEqual(['A-1', 'A-2', 'A-3']);
      expect(result.loads['iro-a']).toBe(3);
    }
  });

  it('gives the same assignment for the same seed, whatever order units and auditors come in', () => {
    const { auditors, units } = randomCase(Random.seeded(99), true);
    const a = assignUnits(units, auditors, { seed: 5 });
    const b = assignUnits([...units].reverse(), [...auditors].reverse(), { seed: 5 });
    expect(b).toEqual(a);
  });

  it('breaks ties differently for different seeds', () => {
    const units = Array.from({ length: 12 }, (_, i) => ({ unitId: `R-${String(i).padStart(2, '0')}`, ownIroIds: [] }));
    const auditors = ['iro-a', 'iro-b', 'iro-c', 'iro-d'].map((iroId) => ({ iroId }));
    const distinct = new Set(
      Array.from({ length: 20 }, (_, seed) => JSON.stringify(assignUnits(units, auditors, { seed }).assignments)),
    );
    expect(distinct.size).toBeGreaterThan(1);
  });

  it('refuses an auditor listed twice, a unit listed twice and a negative current load', () => {
    expect(() => assignUnits([], [{ iroId: 'a' }, { iroId: 'a' }], { seed: 1 })).toThrow(/listed twice/);
    expect(() =>
      assignUnits(
        [
          { unitId: 'u', ownIroIds: [] },
          { unitId: 'u', ownIroIds: [] },
        ],
        [{ iroId: 'a' }],
        { seed: 1 },
      ),
    ).toThrow(/listed twice/);
    expect(() => assignUnits([], [{ iroId: 'a', currentLoad: -1 }], { seed: 1 })).toThrow(RangeError);
  });
});
