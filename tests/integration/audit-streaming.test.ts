/** Streamed audits against dynalite and s3rver: sibling groups met across scan segments, and what a stored audit keeps in the bucket. */
import { beforeAll, describe, expect, it } from 'vitest';
import { freshStorage } from '../support/storage.ts';
import { AUDIT_PARTS, SegmentRuns, StoredSample } from '#audit/audit-record';
import { launchAudit, runAuditJob, type AuditServices } from '#audit/jobs';
import { pseudonymousChildId, siblingGroupUnit, siblingStandings, type SiblingStanding } from '#engine/population';
import { populationContext, runAudit } from '#audit/runner';
import { TableAccumulator } from '#engine/tables';
import { readTemplateLibrary } from '#audit/template-library';
import { REGULATIONS_2010 } from '#domain/timescales';
import { child, episode, involvement, professionals, review, toDomainRecords } from '../support/records.ts';

const AUTHORITY = 'streaming';
let svc: AuditServices;

beforeAll(async () => {
  const { store, objects } = await freshStorage('streaming');
  svc = { store, objects };
  await store.putAuthority({ authorityId: AUTHORITY, name: 'Streaming Borough', timescales: REGULATIONS_2010 });
  await store.upsertRecords(
    AUTHORITY,
    professionals.map((record) => ({ kind: 'professional' as const, record })),
  );
  // 40 children in 12 families of 2–5 (one left alone): looked after, a care leaver with a PA, or gone; IROs and SWs mixed.
  for (let i = 0; i < 40; i++) {
    const id = `S${String(i).padStart(2, '0')}`;
    const family = `F${i % 12}`;
    const leftCare = i % 7 === 3;
    const records = child(id, i % 5 === 0 ? '2006-05-01' : '2014-01-01', {
      episodes: [episode(id, '2023-06-01', leftCare ? { endDate: '2024-01-10', reasonEpisodeCeased: 'E13' } : {})],
      reviews: [review(id, '2023-06-28')],
      involvements: [
        involvement(id, i % 3 ? 'SW1' : 'SW2', 'SW', '2023-06-01'),
        involvement(id, i % 2 ? 'TM1' : 'TM2', 'TM', '2023-06-01'),
        involvement(id, i % 4 ? 'IRO1' : 'IRO2', 'IRO', '2023-06-01'),
        ...(leftCare && i % 2 ? [involvement(id, 'PA1', 'PA', '2024-01-10')] : []),
      ],
      families: i === 39 ? [] : [{ childId: id, familyId: family, conflictOfInterest: i === 14 ? true : null }],
    });
    await store.upsertRecords(AUTHORITY, toDomainRecords(records));
  }
});

describe('streamed audits', () => {
  it('assembles sibling groups whose members fall in different scan segments, as one pass over every child would', async () => {
    const template = (await readTemplateLibrary()).templates.get('sibling-allocation')!;
    const period = { from: '2024-01-01', to: '2024-03-31' };
    const request = {
      auditId: 'sib-1',
      authorityId: AUTHORITY,
      title: 'siblings',
      template,
      period,
      sampling: { type: 'all' } as const,
      seed: 1,
      autoOnly: true,
    };
    const { findings } = await runAudit(svc.store, request, { segments: 4, objects: svc.objects });

    // The oracle: every child's standings from one unsegmented scan, grouped in memory.
    const ctx = await populationContext(svc.store, request);
    const standings: SiblingStanding[] = [];
    for await (const records of svc.store.scanChildRecords(AUTHORITY, 0, 1))
      standings.push(...siblingStandings(records, ctx));
    const families = [...new Set(standings.map((s) => s.familyId))];
    const units = families
      .map((f) =>
        siblingGroupUnit(
          f,
          standings.filter((s) => s.familyId === f),
          ctx,
        ),
      )
      .filter((u) => u !== null)
      .sort((a, b) => a.unitId.localeCompare(b.unitId));
    const tables = new TableAccumulator(
      template.tables,
      (familyId) => `G-${pseudonymousChildId(AUTHORITY, `family:${familyId}`).slice(2)}`,
    );
    for (const unit of units) tables.add(unit);

    expect(units.length).toBeGreaterThan(8);
    expect(findings.population).toBe(units.length);
    expect(findings.tables).toEqual(tables.tables());
    expect(findings.records.map((r) => r.children)).toEqual(
      units.map((u) => u.childIds.map((c) => pseudonymousChildId(AUTHORITY, c))),
    );
  });

  it('keeps a census without listing its units, and each segment as runs of units in the bucket', async () => {
    const template = (await readTemplateLibrary()).templates.get('review-timeliness-participation')!;
    await launchAudit(svc, {
      auditId: 'census-1',
      authorityId: AUTHORITY,
      template,
      period: { from: '2023-06-01', to: '2023-12-31' },
      sampling: { type: 'all' },
      seed: 2,
      autoOnly: true,
      createdBy: 'qa-lead',
      segments: 3,
    });
    const done = await runAuditJob(svc, AUTHORITY, 'census-1');
    // Every review due or held: each child's first review (28 June), and its second, due 28 September and never held (overdue).
    expect(done.body).toMatchObject({ status: 'published', population: 80, sampleSize: 80 });
    const checkpoint = await svc.store.getAuditItem<{ workKey: string }>(AUTHORITY, {
      auditId: 'census-1',
      part: AUDIT_PARTS.sample,
    });
    const sample = StoredSample.parse(
      JSON.parse(new TextDecoder().decode((await svc.objects.get(checkpoint!.body.workKey))!)),
    );
    expect(sample).toMatchObject({ census: true, unitIds: [], sampleSize: 80, population: 80, excluded: [] });
    expect(sample.childIds).toHaveLength(40);
    let units = 0;
    for (let k = 0; k < 3; k++) {
      const segment = await svc.store.getAuditItem<{ workKey: string }>(AUTHORITY, {
        auditId: 'census-1',
        part: AUDIT_PARTS.segment(k),
      });
      const runs = SegmentRuns.parse(
        JSON.parse(new TextDecoder().decode((await svc.objects.get(segment!.body.workKey))!)),
      );
      for (const run of runs.runs) {
        const lines = new TextDecoder()
          .decode((await svc.objects.get(run.key))!)
          .trim()
          .split('\n');
        const keys = lines.map((l) => l.slice(0, l.indexOf('\t')));
        expect(keys).toEqual([...keys].sort((a, b) => a.localeCompare(b)));
        units += lines.length;
      }
    }
    expect(units).toBe(80);
  });
});
