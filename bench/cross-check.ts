/**
 * Compares the engine's findings with the SQL baseline's counts; on any difference, names the units
 * that differ: `child:date` for a review held, `child:due:date` for a review due and not held.
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Database } from 'sql.js';
import { recordId } from '#engine/findings';
import { pseudonymousChildId } from '#engine/population';
import type { AuditBenchResult } from './audit-bench.ts';
import { perUnitOutcomes, SQL_CRITERIA, type SqlResult } from './sqlite-baseline.ts';

export interface CrossCheck {
  agrees: boolean;
  rows: { id: string; engine: string; sql: string; agrees: boolean }[];
  /** Up to MAX_DIFFERENCES units whose outcomes differ (or that only one side audited), when any count does. */
  differences: string[];
}

const MAX_DIFFERENCES = 10;

type Counts = { met: number; notMet: number; notApplicable: number; cannotTell: number };
const describe = (c: Counts | undefined) => (c ? `${c.met} / ${c.notMet} / ${c.notApplicable} / ${c.cannotTell}` : '—');

export async function crossCheck(
  audit: AuditBenchResult,
  sql: SqlResult,
  db: Database,
  period: { from: string; to: string },
  engineOutcomesPath: string,
  authorityId: string,
): Promise<CrossCheck> {
  const rows: CrossCheck['rows'] = [
    // Units: every review due in the period (held or not) and every review held in it.
    {
      id: 'reviews due or held (units)',
      engine: String(audit.reviewsAudited),
      sql: String(sql.units),
      agrees: audit.reviewsAudited === sql.units,
    },
  ];
  for (const id of SQL_CRITERIA) {
    const engine = audit.criteria.find((c) => c.id === id);
    const other = sql.criteria.find((c) => c.id === id);
    rows.push({
      id,
      engine: describe(engine),
      sql: describe(other),
      agrees: describe(engine) === describe(other) && engine !== undefined,
    });
  }
  // The template's automatic criteria must be exactly the ones the SQL computes, in the same order.
  const sameCriteria = audit.criterionIds.join(',') === SQL_CRITERIA.join(',');
  if (!sameCriteria)
    rows.push({ id: 'criteria', engine: audit.criterionIds.join(', '), sql: SQL_CRITERIA.join(', '), agrees: false });
  const agrees = rows.every((r) => r.agrees);
  return {
    agrees,
    rows,
    differences: agrees || !sameCriteria ? [] : await differingReviews(db, period, engineOutcomesPath, authorityId),
  };
}

/**
 * The first units (in record order) whose letters differ, or that only one side audited. The
 * engine's file is keyed by published record id; the SQL's unit ids are turned into the same. A unit
 * only the engine audited is named from its published child and date: the child's id is found by
 * its pseudonym among the header's children, and the unit id is whichever of `child:date` and
 * `child:due:date` gives its record id.
 */
async function differingReviews(
  db: Database,
  period: { from: string; to: string },
  engineOutcomesPath: string,
  authorityId: string,
): Promise<string[]> {
  const fromSql = new Map<string, { unitId: string; letters: string }>();
  for (const [unitId, letters] of perUnitOutcomes(db, period))
    fromSql.set(recordId(authorityId, unitId), { unitId, letters });
  const differences: string[] = [];
  let children: Map<string, string> | undefined;
  const engineUnitId = (id: string, published: string, ukDate: string): string => {
    children ??= childrenByPseudonym(db, authorityId);
    const date = `${ukDate.slice(6, 10)}-${ukDate.slice(3, 5)}-${ukDate.slice(0, 2)}`;
    const child = children.get(published.split(';')[0] ?? '');
    if (child === undefined) return `${id} (child ${published}, ${date})`;
    return (
      [`${child}:${date}`, `${child}:due:${date}`].find((unitId) => recordId(authorityId, unitId) === id) ??
      `${id} (child ${child}, ${date})`
    );
  };
  for await (const line of createInterface({ input: createReadStream(engineOutcomesPath), crlfDelay: Infinity })) {
    const [id = '', letters = '', published = '', date = ''] = line.split('\t');
    const other = fromSql.get(id);
    fromSql.delete(id);
    if (other?.letters !== letters && differences.length < MAX_DIFFERENCES) {
      differences.push(
        `${other?.unitId ?? engineUnitId(id, published, date)}: engine ${letters}, SQL ${other?.letters ?? 'not audited'}`,
      );
    }
  }
  for (const { unitId, letters } of fromSql.values()) {
    if (differences.length >= MAX_DIFFERENCES) break;
    differences.push(`${unitId}: engine not audited, SQL ${letters}`);
  }
  return differences;
}

/** Every header child's published pseudonym, to its id. */
function childrenByPseudonym(db: Database, authorityId: string): Map<string, string> {
  const result = new Map<string, string>();
  const statement = db.prepare('SELECT child FROM child');
  while (statement.step()) {
    const [child] = statement.get() as [string];
    result.set(pseudonymousChildId(authorityId, child), child);
  }
  statement.free();
  return result;
}
