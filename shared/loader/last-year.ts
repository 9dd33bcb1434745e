/**
 * Last year's return, rebuilt from what the store holds of a child: the DfE's rules that compare a
 * return with the year before (a changed date of birth, the open episode carried over) read it.
 * Records are turned back into cells through the formats' own column mapping, and cut at the end of
 * last year: what started this year is left out, and what was still going on on 31 March last year
 * is open again, as last year's return had it. Pure.
 */
import { compareYears, type CollectionYear } from '#domain/collection-year';
import { SEXES_UNTIL_2023_24 } from '#domain/codes';
import type { DomainRecord } from '#domain/records';
import type { ChildRecords } from '#store/record-store';
import type { ReturnRow, Ssda903Table } from '#ssda903/return';
import { IMPORT_FORMATS, type ImportFormat } from './formats.ts';

const FORMAT_OF_KIND = new Map<string, ImportFormat>(IMPORT_FORMATS.filter((f) => f.table).map((f) => [f.kind, f]));

/** The date fields that say when a record starts and ends, per kind (an open end is blank). */
const SPANS: Partial<Record<DomainRecord['kind'], { start: string; end?: string; endReason?: string }>> = {
  episode: { start: 'startDate', end: 'endDate', endReason: 'reasonEpisodeCeased' },
  missingEpisode: { start: 'startDate', end: 'endDate' },
  placedForAdoption: { start: 'decisionDate', end: 'ceasedDate', endReason: 'ceasedReason' },
  socialWorkerEpisode: { start: 'startDate', end: 'endDate' },
  deprivationOfLiberty: { start: 'startDate', end: 'endDate' },
  reviewParticipation: { start: 'reviewDate' },
  adoption: { start: 'decisionDate' },
};

/** A stored value as the return writes it: dates stay ISO (the rules read both), flags 1/0, blank for unknown. */
function asCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'boolean') return value ? '1' : '0';
  if (Array.isArray(value)) return value.join(';');
  return String(value);
}

/** One stored record as a row of its table, or null when it is not part of last year's return. */
function lastYearRow(entry: DomainRecord, start: string, year: CollectionYear): ReturnRow | null {
  const format = FORMAT_OF_KIND.get(entry.kind);
  if (!format?.table) return null;
  const record = { ...(entry.record as Record<string, unknown>) };
  const span = SPANS[entry.kind];
  if (span) {
    const begun = record[span.start];
    if (typeof begun === 'string' && begun >= start) return null; // began this year: not in last year's return
    const ended = span.end ? record[span.end] : null;
    if (span.end && typeof ended === 'string' && ended >= start) {
      record[span.end] = null; // still going on at the end of last year
      if (span.endReason) record[span.endReason] = null;
    }
  }
  const cells: Record<string, string> = {};
  for (const [field, column] of Object.entries(format.fieldColumns))
    if (column in format.cells) cells[column] = asCell(record[field]);
  // The sex as that year's return wrote it: 1 and 2 up to 2023-24.
  if (format.table === 'Header' && compareYears(year, '2024-25') < 0) {
    const old = Object.entries(SEXES_UNTIL_2023_24).find(([, current]) => current === cells.SEX)?.[0];
    if (old) cells.SEX = old;
  }
  return { table: format.table, cells, at: { file: 'last year (stored)', line: null, element: null } };
}

/** Last year's return for a child of a return of `year`, from the store's records of them. */
export function lastYearOf(
  records: ChildRecords,
  year: CollectionYear,
  start: string,
): Partial<Record<Ssda903Table, ReturnRow[]>> {
  const entries: DomainRecord[] = [
    ...(records.child ? [{ kind: 'child', record: records.child } as DomainRecord] : []),
    ...records.episodes.map((record) => ({ kind: 'episode', record }) as DomainRecord),
    ...records.reviews
      .filter((r) => r.participationCode !== null)
      .map(
        (r) =>
          ({
            kind: 'reviewParticipation',
            record: { childId: r.childId, reviewDate: r.reviewDate, participationCode: r.participationCode },
          }) as DomainRecord,
      ),
    ...records.oc2.map((record) => ({ kind: 'oc2', record }) as DomainRecord),
    ...(records.otherReturnRecords ?? []),
  ];
  const tables: Partial<Record<Ssda903Table, ReturnRow[]>> = {};
  for (const entry of entries) {
    // OC2 and OC3 carry the year they are for: only last year's (or earlier) count.
    const yearEnding = (entry.record as { yearEnding?: string }).yearEnding;
    if (yearEnding !== undefined && yearEnding >= start) continue;
    const row = lastYearRow(entry, start, year);
    if (row) (tables[row.table] ??= []).push(row);
  }
  return tables;
}
