/** Compares the engine's findings with the SQL baseline's counts; on any difference, names the reviews that differ. */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Database } from 'sql.js';
import { recordId } from '#audit/findings';
import type { AuditBenchResult } from './audit-bench.ts';
import { perUnitOutcomes, SQL_CRITERIA, type SqlResult } from './sqlite-baseline.ts';

export interface CrossCheck {
  agrees: boolean;
  rows: { id: string; engine: string; sql: string; agrees: boolean }[];
  /** Up to MAX_DIFFERENCES reviews whose outcomes differ, when any count does. */
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
    { id: 'reviews audited', engine: String(audit.reviewsAudited), sql: String(sql.units), agrees: audit.reviewsAudited === sql.units },
  ];
  for (const id of SQL_CRITERIA) {
    const engine = audit.criteria.find((c) => c.id === id);
    const other = sql.criteria.find((c) => c.id === id);
    rows.push({ id, engine: describe(engine), sql: describe(other), agrees: describe(engine) === describe(other) && engine !== undefined });
  }
  // The template's automatic criteria must be exactly the ones the SQL computes, in the same order.
  const sameCriteria = audit.criterionIds.join(',') === SQL_CRITERIA.join(',');
  if (!sameCriteria) rows.push({ id: 'criteria', engine: audit.criterionIds.join(', '), sql: SQL_CRITERIA.join(', '), agrees: false });
  const agrees = rows.every((r) => r.agrees);
  return { agrees, rows, differences: agrees || !sameCriteria ? [] : await differingReviews(db, period, engineOutcomesPath, authorityId) };
}

/**
 * The first reviews (in record order) whose letters differ, or that only one side audited. The
 * engine's file is keyed by published record id; the SQL's unit ids are turned into the same.
 */
async function differingReviews(db: Database, period: { from: string; to: string }, engineOutcomesPath: string, authorityId: string): Promise<string[]> {
  const fromSql = new Map<string, { unitId: string; letters: string }>();
  for (const [unitId, letters] of perUnitOutcomes(db, period)) fromSql.set(recordId(authorityId, unitId), { unitId, letters });
  const differences: string[] = [];
  for await (const line of createInterface({ input: createReadStream(engineOutcomesPath), crlfDelay: Infinity })) {
    const [id = '', letters = ''] = line.split('\t');
    const other = fromSql.get(id);
    fromSql.delete(id);
    if (other?.letters !== letters && differences.length < MAX_DIFFERENCES) differences.push(`${other?.unitId ?? id}: engine ${letters}, SQL ${other?.letters ?? 'not audited'}`);
  }
  for (const { unitId, letters } of fromSql.values()) {
    if (differences.length >= MAX_DIFFERENCES) break;
    differences.push(`${unitId}: engine not audited, SQL ${letters}`);
  }
  return differences;
}
