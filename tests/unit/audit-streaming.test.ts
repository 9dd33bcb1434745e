/** The streaming pieces of an audit: sorted runs and their merge, the sample drawn as units stream past, the published files written as they go. */
import { describe, expect, it } from 'vitest';
import type { AuditUnit } from '#engine/population';
import { drawPopulationSample } from '#engine/pipeline';
import { MemoryObjectStore } from '#audit/runner';
import { drawSample, type SamplingPlan } from '#engine/sampling';
import { LineSpool, mergeRuns, RunWriter, spoolLines, unitOrder } from '#audit/work-runs';
import { recordCells, recordsCsv, recordsCsvChunks } from '#reports/csv';
import { findingsJsonChunks, sourceOf } from '#reports/publish';
import type { FindingsDocument } from '#engine/findings-model';
import { findingsSample } from '../fixtures/findings-sample.ts';

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

const join = async (chunks: AsyncIterable<string | Uint8Array>) =>
  (await collect(chunks)).map((c) => (typeof c === 'string' ? c : Buffer.from(c).toString('utf8'))).join('');

describe('sorted runs in the bucket', () => {
  it('merges runs from several writers into one stream in unit order, lines cut by the read window included', async () => {
    const objects = new MemoryObjectStore();
    // Ids whose code-unit and locale orders differ (C1: before C10 only in locale order), and text that is not ASCII.
    const ids = Array.from(
      { length: 300 },
      (_, i) => `C${(i * 37) % 150}:${i % 2 ? '2024-01-0' + (i % 9) : 'Zoë–'}${i}`,
    );
    const writers = [0, 1, 2].map((k) => new RunWriter(objects, `work/t/a/segment-0${k}/`, 500));
    for (const [i, id] of ids.entries()) await writers[i % 3]!.add(id, { id, note: 'Łódź “plan”' });
    const runs = (await Promise.all(writers.map((w) => w.finish()))).flat();
    expect(runs.length).toBeGreaterThan(6);
    const merged = await collect(mergeRuns(objects, runs, 61));
    expect(merged.map((m) => m.key)).toEqual([...ids].sort(unitOrder));
    expect(merged.every((m) => (JSON.parse(m.json) as { id: string }).id === m.key)).toBe(true);
    expect(merged.map((m) => m.key)).not.toEqual([...ids].sort());
  });

  it('refuses a key with a tab or line end, and says which work file is missing', async () => {
    const objects = new MemoryObjectStore();
    const writer = new RunWriter(objects, 'work/t/b/');
    await expect(writer.add('a\tb', {})).rejects.toThrow(/tab or line end/);
    await expect(
      collect(mergeRuns(objects, [{ key: 'work/t/b/run-0009.jsonl', bytes: 10, items: 1 }])),
    ).rejects.toThrow('work file work/t/b/run-0009.jsonl is missing');
  });

  it('spools lines in chunks and reads them back in order', async () => {
    const objects = new MemoryObjectStore();
    const spool = new LineSpool(objects, 'work/t/c/records', 40);
    const lines = Array.from({ length: 50 }, (_, i) => JSON.stringify({ i, text: 'é'.repeat(i % 5) }));
    for (const line of lines) await spool.add(line);
    const chunks = await spool.finish();
    expect(chunks.length).toBeGreaterThan(5);
    expect(await collect(spoolLines(objects, chunks))).toEqual(lines);
  });
});

/** Review-like units in unit order, over three services and teams. */
function units(n: number): AuditUnit[] {
  return Array.from({ length: n }, (_, i) => ({
    unitId: `C${i % 40}:2024-0${1 + (i % 9)}-1${i % 10}`,
    childIds: [`C${i % 40}`],
    service: i % 11 === 0 ? null : ['North', 'South', 'Leaving care'][i % 3]!,
    team: `Team ${i % 4}`,
    ownIroIds: [],
    iroId: null,
    date: '2024-01-01',
    facts: {},
  }))
    .filter((u, i, all) => all.findIndex((v) => v.unitId === u.unitId) === i)
    .sort((a, b) => unitOrder(a.unitId, b.unitId));
}

describe('the sample drawn from a streamed population', () => {
  const population = units(400);
  const stream = () =>
    (async function* () {
      yield* population;
    })();
  const exclude = new Set(['C3', 'C17']);
  const plans: SamplingPlan[] = [
    { type: 'all' },
    { type: 'count', value: 25 },
    { type: 'percent', value: 12.5 },
    { type: 'stratified', by: 'service', value: 20 },
    { type: 'stratified', by: 'team', quotas: { 'Team 1': 3, 'Team 3': 50 } },
  ];

  it.each(plans.map((p) => [JSON.stringify(p), p] as const))(
    'is exactly drawSample’s for %s, with children audited recently left out',
    async (_, plan) => {
      const expected = drawSample(population, plan, { seed: 7, excludeChildIds: exclude });
      const drawn = await drawPopulationSample(stream, plan, { seed: 7, excludeChildIds: exclude });
      expect(drawn.excluded).toEqual(expected.excluded);
      expect(drawn.marginOfError).toBe(expected.marginOfError);
      expect(drawn.sampleSize).toBe(expected.sample.length);
      expect(drawn.populationSize).toBe(population.length);
      const chosen = new Set(expected.sample);
      expect(drawn.childIds).toEqual(
        [...new Set(population.filter((u) => chosen.has(u.unitId)).flatMap((u) => u.childIds))].sort(),
      );
      // A census lists what it left out, not every unit it sampled.
      expect(drawn.unitIds).toEqual(plan.type === 'all' ? [] : expected.sample);
      expect(drawn.census).toBe(plan.type === 'all');
    },
  );

  it('refuses a bad plan before reading anything', async () => {
    let read = false;
    const watched = () =>
      (async function* () {
        read = true;
        yield* population;
      })();
    await expect(drawPopulationSample(watched, { type: 'count', value: 0 }, { seed: 1 })).rejects.toThrow(
      /invalid sampling plan/,
    );
    expect(read).toBe(false);
  });
});

describe('published files written as streams', () => {
  const withoutRecords = (): FindingsDocument => ({ ...structuredClone(findingsSample), records: [], alerts: [] });

  it('writes findings.json as the document, indented, with each record and each alert as compact JSON on a line of its own', async () => {
    const text = await join(findingsJsonChunks(sourceOf(findingsSample)));
    expect(JSON.parse(text)).toEqual(findingsSample);
    const lines = text.split('\n');
    const opens = (name: string) => lines.indexOf(`  "${name}": [`);
    expect(lines.slice(opens('records') + 1, opens('records') + 1 + findingsSample.records.length)).toEqual(
      findingsSample.records.map((r, i, all) => `    ${JSON.stringify(r)}${i < all.length - 1 ? ',' : ''}`),
    );
    expect(lines[opens('records') + 1 + findingsSample.records.length]).toBe('  ],');
    expect(lines.slice(opens('alerts') + 1, opens('alerts') + 1 + findingsSample.alerts.length)).toEqual(
      findingsSample.alerts.map((a, i, all) => `    ${JSON.stringify(a)}${i < all.length - 1 ? ',' : ''}`),
    );
    // Everything else as JSON.stringify(document, null, 2) writes it.
    const rest = (doc: FindingsDocument) => JSON.stringify({ ...doc, records: [], alerts: [] }, null, 2);
    expect(
      text
        .replace(/"records": \[\n[\s\S]*?\n {2}\]/, '"records": []')
        .replace(/"alerts": \[\n[\s\S]*?\n {2}\]/, '"alerts": []'),
    ).toBe(`${rest(findingsSample)}\n`);
    expect(await join(findingsJsonChunks(sourceOf(withoutRecords())))).toBe(
      `${JSON.stringify(withoutRecords(), null, 2)}\n`,
    );
  });

  it('writes findings.json the same from JSON lines however they are cut into chunks', async () => {
    const whole = await join(findingsJsonChunks(sourceOf(findingsSample)));
    const linesOf = (items: unknown[]) => items.map((item) => `${JSON.stringify(item)}\n`);
    // One line per chunk, and every line in one chunk.
    const source = {
      ...sourceOf(findingsSample),
      recordLines: () =>
        (async function* () {
          yield* linesOf(findingsSample.records);
        })(),
      alertLines: () =>
        (async function* () {
          yield linesOf(findingsSample.alerts).join('');
        })(),
    };
    expect(await join(findingsJsonChunks(source))).toBe(whole);
  });

  it('writes records.csv row by row with the same bytes as the whole file', async () => {
    const rows = () =>
      (async function* () {
        yield* findingsSample.records.map((r) => recordCells(findingsSample.criteria, r));
      })();
    expect(await join(recordsCsvChunks(findingsSample, rows()))).toBe(recordsCsv(findingsSample));
    const none = withoutRecords();
    expect(await join(recordsCsvChunks(none, (async function* () {})()))).toBe(recordsCsv(none));
    // Enough records for several batches of rows, one with a formula-like comment.
    const many: FindingsDocument = {
      ...structuredClone(findingsSample),
      records: Array.from({ length: 2503 }, (_, i) => ({
        ...findingsSample.records[i % 12]!,
        recordId: `R-${i}`,
        comment: i === 1700 ? '=HYPERLINK("x")' : findingsSample.records[i % 12]!.comment,
      })),
    };
    const manyRows = () =>
      (async function* () {
        yield* many.records.map((r) => recordCells(many.criteria, r));
      })();
    const csv = await join(recordsCsvChunks(many, manyRows()));
    expect(csv).toBe(recordsCsv(many));
    expect(csv).toContain(`"'=HYPERLINK(""x"")"`);
  });
});
