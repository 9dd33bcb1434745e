/** Shares sampled units among the auditing IROs for manual grading: balanced by load, never to a child's own IRO. */
import { Random } from './random.ts';

export interface Auditor {
  iroId: string;
  /** Grading already assigned to this IRO in other open audits; counted when balancing. */
  currentLoad?: number;
}

export interface AssignableUnit {
  unitId: string;
  /** The IROs of the child(ren) in this unit at any time in the audit period: never assign to them. */
  ownIroIds: readonly string[];
}

export interface AssignmentResult {
  /** In unitId order. */
  assignments: { unitId: string; iroId: string }[];
  /** Units no auditor may grade, in unitId order, each with the reason in plain words. */
  unassigned: { unitId: string; reason: string }[];
  /** Every auditor's load after this assignment: their currentLoad plus the units given here (the quantity balanced). */
  loads: Record<string, number>;
}

const byCodeUnits = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Assigns each unit to the eligible auditor with the lowest load (currentLoad + units given so far), ties broken by a
 * seeded order of the auditors, and never to one of the unit's own IROs. Units with the fewest eligible auditors go
 * first, so balancing the easy units cannot use up the only auditors a constrained unit may have. The same units,
 * auditors and seed give the same result, whatever the input order.
 * E.g. `assignUnits([{ unitId: 'u1', ownIroIds: ['iro-a'] }], [{ iroId: 'iro-a' }, { iroId: 'iro-b' }], { seed: 1 })` → u1 to iro-b.
 */
export function assignUnits(
  units: readonly AssignableUnit[],
  auditors: readonly Auditor[],
  options: { seed: number },
): AssignmentResult {
  const random = Random.seeded(options.seed); // throws on a seed that is not a safe integer

  const auditorIds = auditors.map((a) => a.iroId).sort(byCodeUnits);
  const load = new Map<string, number>();
  for (const auditor of auditors) {
    if (auditor.iroId === '') throw new RangeError('an auditor has an empty iroId');
    if (load.has(auditor.iroId)) throw new RangeError(`auditor "${auditor.iroId}" is listed twice`);
    const current = auditor.currentLoad ?? 0;
    if (!(Number.isFinite(current) && current >= 0))
      throw new RangeError(`auditor "${auditor.iroId}" has an invalid currentLoad ${current}`);
    load.set(auditor.iroId, current);
  }
  // The tie-break order: seeded, so no IRO is always first in line (as alphabetical order would make them).
  const rank = new Map(
    random
      .fork('auditors')
      .shuffle(auditorIds)
      .map((id, i) => [id, i] as const),
  );

  const sortedUnits = [...units].sort((a, b) => byCodeUnits(a.unitId, b.unitId));
  for (let i = 1; i < sortedUnits.length; i++) {
    if (sortedUnits[i]!.unitId === sortedUnits[i - 1]!.unitId)
      throw new RangeError(`unit "${sortedUnits[i]!.unitId}" is listed twice`);
  }
  // Shuffled before the (stable) sort by constraint, so which unit an auditor gets among equals is random, not by id.
  const queue = random
    .fork('units')
    .shuffle(sortedUnits)
    .map((unit) => {
      const own = new Set(unit.ownIroIds);
      return { unit, eligible: auditorIds.filter((id) => !own.has(id)) };
    })
    .sort((a, b) => a.eligible.length - b.eligible.length);

  const assignments: AssignmentResult['assignments'] = [];
  const unassigned: AssignmentResult['unassigned'] = [];
  for (const { unit, eligible } of queue) {
    if (eligible.length === 0) {
      unassigned.push({
        unitId: unit.unitId,
        reason:
          auditorIds.length === 0
            ? 'no auditors were chosen for this audit'
            : 'every auditor chosen is the IRO of a child in this unit, and no IRO may grade their own child: add another auditor',
      });
      continue;
    }
    let best = eligible[0]!;
    for (const id of eligible) {
      const difference = load.get(id)! - load.get(best)!;
      if (difference < 0 || (difference === 0 && rank.get(id)! < rank.get(best)!)) best = id;
    }
    load.set(best, load.get(best)! + 1);
    assignments.push({ unitId: unit.unitId, iroId: best });
  }

  assignments.sort((a, b) => byCodeUnits(a.unitId, b.unitId));
  unassigned.sort((a, b) => byCodeUnits(a.unitId, b.unitId));
  return { assignments, unassigned, loads: Object.fromEntries(auditorIds.map((id) => [id, load.get(id)!])) };
}
