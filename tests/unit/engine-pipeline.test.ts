/**
 * The one pipeline, population → sample → findings, in memory: segments' accumulators merge into
 * the same population however the children are split; a sibling group split across segments meets
 * itself; the sample is drawSample's; grading rebuilds a unit with the same builder.
 */
import { describe, expect, it } from 'vitest';
import { builtInTemplates } from '#audit/builtin-templates';
import type { ChildRecords } from '#domain/records';
import {
  DISCARD,
  populationOf,
  runPipeline,
  SegmentAccumulator,
  unitFromRecords,
  type AuditContext,
} from '#engine/pipeline';
import { recordId } from '#engine/findings';
import type { AuditUnit } from '#engine/population';
import { drawSample } from '#engine/sampling';
import type { AuditTemplate } from '#engine/template';
import { child, context, episode, involvement, review } from '../support/records.ts';

const templates = builtInTemplates();
const reviews = templates.get('review-timeliness-participation') as AuditTemplate;
const siblings = templates.get('sibling-allocation') as AuditTemplate;

const ctx: AuditContext = { ...context('2023-04-01', '2024-03-31'), authorityName: 'Test' };
const children: ChildRecords[] = ['A', 'B', 'C', 'D', 'E', 'F'].map((id, i) =>
  child(id, '2012-01-01', {
    episodes: [episode(id, `2022-0${i + 1}-10`)],
    reviews: [review(id, `2023-0${i + 4}-15`), review(id, `2023-1${i % 3}-20`)],
  }),
);

const member = (id: string, sw: string) =>
  child(id, '2012-01-01', {
    episodes: [episode(id, '2022-01-10')],
    involvements: [
      involvement(id, sw, 'SW', '2022-01-10'),
      involvement(id, 'TM1', 'TM', '2022-01-10'),
      involvement(id, 'IRO1', 'IRO', '2022-01-10'),
    ],
    families: [{ childId: id, familyId: 'F1', conflictOfInterest: false }],
  });

async function list(units: () => AsyncIterable<AuditUnit>): Promise<AuditUnit[]> {
  const all: AuditUnit[] = [];
  for await (const u of units()) all.push(u);
  return all;
}

describe('the pipeline', () => {
  it('gives the same population, and the same counts, however the children are split into segments', async () => {
    const whole = await populationOf(reviews, ctx, [children]);
    const split = await populationOf(reviews, ctx, [children.slice(0, 2), children.slice(2, 5), children.slice(5)]);
    expect(split.tally).toEqual(whole.tally);
    expect(whole.tally.childrenScanned).toBe(6);
    expect(await list(split.units)).toEqual(await list(whole.units));
    expect((await list(whole.units)).length).toBe(whole.tally.items);
  });

  it('merges segment counters', () => {
    const a = new SegmentAccumulator(reviews, ctx).merge({ childrenScanned: 2, items: 5 });
    expect(a.merge({ childrenScanned: 1, items: 1 }).tally()).toEqual({ childrenScanned: 3, items: 6 });
  });

  it('assembles a sibling group whose members were read in different segments', async () => {
    const { units, tally } = await populationOf(siblings, ctx, [[member('S1', 'SW1')], [member('S2', 'SW2')]]);
    const groups = await list(units);
    expect(tally).toEqual({ childrenScanned: 2, items: 2 });
    expect(groups.map((g) => [g.unitId, g.childIds])).toEqual([['family:F1', ['S1', 'S2']]]);
    // Grading rebuilds the same unit from the children's records as they stand.
    expect(unitFromRecords(siblings, ctx, 'family:F1', [member('S1', 'SW1'), member('S2', 'SW2')])).toEqual(groups[0]);
    expect(unitFromRecords(siblings, ctx, 'family:F2', [member('S1', 'SW1')])).toBeNull();
  });

  it("draws drawSample's sample and judges exactly the sampled units", async () => {
    const { units } = await populationOf(reviews, ctx, [children.slice(0, 3), children.slice(3)]);
    const all = await list(units);
    const expected = drawSample(all, { type: 'count', value: 4 }, { seed: 11 });
    const judged: string[] = [];
    const { drawn, findings } = await runPipeline({
      ctx,
      units,
      sample: { plan: { type: 'count', value: 4 }, seed: 11 },
      findings: {
        request: {
          auditId: 'a1',
          title: 'T',
          authorityId: ctx.authorityId,
          template: reviews,
          period: ctx.period,
          seed: 11,
          autoOnly: true,
        },
        sink: { record: (r) => void judged.push(r.recordId), alert: () => {} },
      },
    });
    expect(drawn!.unitIds).toEqual(expected.sample);
    expect(judged.sort()).toEqual(expected.sample.map((unitId) => recordId(ctx.authorityId, unitId)).sort());
    expect(findings!.document.population).toBe(all.length);
    expect(findings!.document.sampleSize).toBe(4);
    // A kept sample gives the same findings without drawing again.
    const again = await runPipeline({
      ctx,
      units,
      sample: { kept: drawn! },
      findings: {
        request: {
          auditId: 'a1',
          title: 'T',
          authorityId: ctx.authorityId,
          template: reviews,
          period: ctx.period,
          seed: 11,
          autoOnly: true,
        },
        sink: DISCARD,
        options: { now: () => new Date(findings!.document.audit.closedAt) },
      },
    });
    expect(again.drawn).toBeNull();
    expect(again.findings!.document).toEqual(findings!.document);
  });
});
