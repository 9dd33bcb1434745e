/**
 * The DfE's SSDA903 collection year: 1 April to 31 March, written `2025-26`. Each year's return has
 * its own code sets, tables and validation rules, so an import is always judged as one year's return.
 */
import * as z from 'zod';
import { isIsoDate } from './dates.ts';

/** A collection year, e.g. `2025-26` (1 April 2025 to 31 March 2026). */
export const CollectionYear = z
  .string()
  .regex(/^\d{4}-\d{2}$/, 'must be a collection year written like 2025-26')
  .refine((y) => (Number(y.slice(0, 4)) + 1) % 100 === Number(y.slice(5)), {
    message: 'must be two consecutive years, like 2025-26',
  })
  .describe('An SSDA903 collection year, 1 April to 31 March, written like 2025-26');
export type CollectionYear = z.infer<typeof CollectionYear>;

/** The collection years whose rules the importer knows, oldest first. Earlier years are judged by the first, later by the last. */
export const RULE_YEARS = ['2022-23', '2023-24', '2024-25', '2025-26', '2026-27'] as const;
export type RuleYear = (typeof RULE_YEARS)[number];

/** The year that begins on 1 April of `startYear`. */
export function collectionYearStarting(startYear: number): CollectionYear {
  return `${startYear}-${String((startYear + 1) % 100).padStart(2, '0')}`;
}

/** The first year of a collection year, e.g. 2025 for `2025-26`. */
export const startYearOf = (year: CollectionYear): number => Number(year.slice(0, 4));

/** 1 April that starts the year, as ISO. */
export const collectionStart = (year: CollectionYear): string => `${startYearOf(year)}-04-01`;
/** 31 March that ends the year, as ISO (the "year ending" of OC2 and OC3). */
export const collectionEnd = (year: CollectionYear): string => `${startYearOf(year) + 1}-03-31`;

/** The collection year ending on a 31 March (`2026-03-31` → `2025-26`). */
export function collectionYearEnding(yearEnding: string): CollectionYear {
  if (!isIsoDate(yearEnding) || !yearEnding.endsWith('-03-31')) throw new RangeError(`not a 31 March: ${yearEnding}`);
  return collectionYearStarting(Number(yearEnding.slice(0, 4)) - 1);
}

/** The collection year a date falls in. */
export function collectionYearContaining(isoDate: string): CollectionYear {
  const year = Number(isoDate.slice(0, 4));
  return collectionYearStarting(isoDate.slice(5) >= '04-01' ? year : year - 1);
}

/** Negative when `a` comes before `b`. */
export const compareYears = (a: CollectionYear, b: CollectionYear): number => startYearOf(a) - startYearOf(b);

/** Whether `year` lies in the inclusive range (either end open). */
export function yearWithin(
  year: CollectionYear,
  range: { from?: CollectionYear | undefined; until?: CollectionYear | undefined },
): boolean {
  return (
    (range.from === undefined || compareYears(year, range.from) >= 0) &&
    (range.until === undefined || compareYears(year, range.until) <= 0)
  );
}

/** The year whose rules judge a return of `year`: itself when known, else the nearest known year. */
export function ruleYearFor(year: CollectionYear): RuleYear {
  if ((RULE_YEARS as readonly string[]).includes(year)) return year as RuleYear;
  return compareYears(year, RULE_YEARS[0]) < 0 ? RULE_YEARS[0] : RULE_YEARS[RULE_YEARS.length - 1]!;
}

/**
 * Reads a collection year as people write it: `2025-26`, `2025/26`, `2025-2026`, or the 31 March it
 * ends (`2026-03-31`). Undefined when it is none of those.
 */
export function parseCollectionYear(text: string): CollectionYear | undefined {
  const v = text.trim();
  if (isIsoDate(v)) return v.endsWith('-03-31') ? collectionYearEnding(v) : undefined;
  const m = /^(\d{4})\s*[-/–]\s*(\d{2}|\d{4})$/.exec(v);
  if (!m) return undefined;
  const start = Number(m[1]);
  const end = Number(m[2]);
  const ok = m[2]!.length === 2 ? (start + 1) % 100 === end : start + 1 === end;
  return ok ? collectionYearStarting(start) : undefined;
}
