/** Audits kept in the store: launched, run, checkpointed by segment, resumed after a failure, sampled once, compared with the last one. */
import { DeleteObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { beforeAll, describe, expect, it } from 'vitest';
import { freshStorage } from '../support/storage.ts';
import type { ObjectStore } from '#store/object-store';
import { AUDIT_PARTS, StoredSample } from '#audit/audit-record';
import { FindingsDocument } from '#engine/findings-model';
import {
  auditTrail,
  closeAudit,
  editedActionPlan,
  failAuditJob,
  finishAuditJob,
  getAudit,
  gradingRecords,
  launchAudit,
  requestClose,
  runAuditJob,
  runSegmentJob,
  saveActionPlan,
  type AuditServices,
  type LaunchRequest,
} from '#audit/jobs';
import { runAudit } from '#audit/runner';
import { readTemplateLibrary } from '#audit/template-library';
import { REGULATIONS_2010 } from '#domain/timescales';
import type { RecordStore } from '#store/record-store';
import { child, episode, involvement, professionals, review, toDomainRecords } from '../support/records.ts';

const AUTHORITY = 'jobs';
let svc: AuditServices;
let s3: S3Client;
let bucketName: string;
let base: Omit<LaunchRequest, 'auditId'>;

/** A store whose scan of the given segment fails once with an error no retry would fix. */
function failingOnce(store: RecordStore, segment: number): RecordStore & { scanned: number[] } {
  let failed = false;
  const scanned: number[] = [];
  return Object.assign(Object.create(store) as RecordStore, {
    scanned,
    scanChildRecords(authorityId: string, k: number, total: number) {
      scanned.push(k);
      if (k === segment && !failed) {
        failed = true;
        throw Object.assign(new Error('AccessDeniedException: not authorised to perform dynamodb:Scan'), {
          name: 'AccessDeniedException',
        });
      }
      return store.scanChildRecords(authorityId, k, total);
    },
  });
}

beforeAll(async () => {
  const storage = await freshStorage('jobs');
  s3 = storage.s3;
  bucketName = storage.config.bucketName;
  const { store, objects } = storage;
  svc = { store, objects };
  await store.putAuthority({ authorityId: AUTHORITY, name: 'Jobs Borough', timescales: REGULATIONS_2010 });
  await store.upsertRecords(
    AUTHORITY,
    professionals.map((record) => ({ kind: 'professional' as const, record })),
  );
  for (let i = 0; i < 30; i++) {
    const id = `J${String(i).padStart(2, '0')}`;
    // Looked after Wed 3 Jan 2024 (first review due 31 Jan); every fifth child's review is a day late.
    const iro = i % 3 ? 'IRO1' : 'IRO2';
    const records = child(id, '2012-01-01', {
      episodes: [episode(id, '2024-01-03')],
      reviews: [
        review(id, i % 5 === 0 ? '2024-02-01' : '2024-01-29', {
          iroId: iro,
          decisionsIssued: '2024-02-05',
          recordIssued: '2024-02-20',
        }),
      ],
      involvements: [
        involvement(id, i % 2 ? 'SW1' : 'SW2', 'SW', '2024-01-03'),
        involvement(id, iro, 'IRO', '2024-01-03'),
      ],
    });
    await store.upsertRecords(AUTHORITY, toDomainRecords(records));
  }
  const template = (await readTemplateLibrary()).templates.get('review-timeliness-participation')!;
  base = {
    authorityId: AUTHORITY,
    template,
    period: { from: '2024-01-01', to: '2024-03-31' },
    sampling: { type: 'all' },
    seed: 3,
    autoOnly: true,
    createdBy: 'qa-lead-1',
    segments: 4,
  };
});

describe('audit jobs', () => {
  it('launches and runs an automatic audit to published, keeping the exact template and the seed', async () => {
    const launched = await launchAudit(svc, { ...base, auditId: 'jobs-a1' });
    expect(launched.body).toMatchObject({
      status: 'draft',
      seed: 3,
      template: { id: 'review-timeliness-participation', version: 2 },
    });
    const done = await runAuditJob(svc, AUTHORITY, 'jobs-a1');
    expect(done.body).toMatchObject({
      status: 'published',
      population: 30,
      sampleSize: 30,
      failure: null,
      manifestKey: 'findings/jobs/jobs-a1/manifest.json',
    });
    const findings = FindingsDocument.parse(
      JSON.parse(new TextDecoder().decode((await svc.objects.get('findings/jobs/jobs-a1/findings.json'))!)),
    );
    expect(findings.criteria.find((c) => c.id === 'review-in-timescale')).toMatchObject({ met: 24, notMet: 6 });
    const listed: string[] = [];
    for await (const a of svc.store.listAudits(AUTHORITY)) listed.push(a.auditId);
    expect(listed).toContain('jobs-a1');
  });

  it('keeps an append-only trail: launch, each status change and the publication, in order', async () => {
    const trail = await auditTrail(svc, AUTHORITY, 'jobs-a1');
    expect(trail.map((e) => e.action)).toEqual(['launch', 'status:closed', 'status:published', 'publish']);
    expect(trail[0]).toMatchObject({
      actor: 'qa-lead-1',
      details: { templateId: 'review-timeliness-participation', seed: 3 },
    });
    // An entry cannot be replaced: the store refuses a second write to the same trail item.
    const items: string[] = [];
    for await (const item of svc.store.auditItems(AUTHORITY, 'jobs-a1'))
      if (item.part.startsWith('trail#')) items.push(item.part);
    await expect(
      svc.store.putAuditItem(AUTHORITY, { auditId: 'jobs-a1', part: items[0]! }, { forged: true }, 0),
    ).rejects.toThrow(/version conflict/);
  });

  it('refuses a second launch with the same audit id', async () => {
    await expect(launchAudit(svc, { ...base, auditId: 'jobs-a1' })).rejects.toThrow(/version conflict/);
  });

  it('marks a run that cannot finish as failed with the reason, publishes nothing, and resumes from the segments already done', async () => {
    await launchAudit(svc, { ...base, auditId: 'jobs-resume' });
    const broken = failingOnce(svc.store, 2);
    const failed = await runAuditJob({ ...svc, store: broken }, AUTHORITY, 'jobs-resume');
    expect(failed.body.status).toBe('failed');
    expect(failed.body.failure?.reason).toMatch(/not authorised to perform dynamodb:Scan/);
    expect(await svc.objects.get('findings/jobs/jobs-resume/manifest.json')).toBeNull();
    for (const k of [0, 1, 3])
      expect(
        await svc.store.getAuditItem(AUTHORITY, { auditId: 'jobs-resume', part: AUDIT_PARTS.segment(k) }),
      ).not.toBeNull();
    expect(
      await svc.store.getAuditItem(AUTHORITY, { auditId: 'jobs-resume', part: AUDIT_PARTS.segment(2) }),
    ).toBeNull();

    const counting = failingOnce(svc.store, -1);
    const resumed = await runAuditJob({ ...svc, store: counting }, AUTHORITY, 'jobs-resume');
    expect(counting.scanned).toEqual([2]);
    expect(resumed.body).toMatchObject({ status: 'published', failure: null, population: 30 });
    const once = await runAudit(svc.store, { ...base, auditId: 'x', title: 'x' }, { segments: 4 });
    const findings = FindingsDocument.parse(
      JSON.parse(new TextDecoder().decode((await svc.objects.get('findings/jobs/jobs-resume/findings.json'))!)),
    );
    expect(findings.records.map((r) => r.recordId).sort()).toEqual(once.findings.records.map((r) => r.recordId).sort());
    expect(findings.criteria.map((c) => [c.id, c.met, c.notMet])).toEqual(
      once.findings.criteria.map((c) => [c.id, c.met, c.notMet]),
    );
  });

  it('runs as the state machine does: one job per segment (a retried segment is not scanned twice), then the finish', async () => {
    await launchAudit(svc, { ...base, auditId: 'jobs-sfn' });
    const counting = failingOnce(svc.store, -1);
    const segments = await Promise.all(
      [0, 1, 2, 3].map((k) => runSegmentJob({ ...svc, store: counting }, AUTHORITY, 'jobs-sfn', k)),
    );
    expect(segments.every((s) => s.scanned)).toBe(true);
    expect(segments.reduce((n, s) => n + s.childrenScanned, 0)).toBe(30);
    const retried = await runSegmentJob({ ...svc, store: counting }, AUTHORITY, 'jobs-sfn', 1);
    expect(retried).toMatchObject({ segment: 1, scanned: false, childrenScanned: segments[1]!.childrenScanned });
    expect(counting.scanned.sort()).toEqual([0, 1, 2, 3]);
    await expect(runSegmentJob(svc, AUTHORITY, 'jobs-sfn', 4)).rejects.toThrow(
      "segment 4 is outside the audit's 4 segments",
    );
    const done = await finishAuditJob({ ...svc, store: counting }, AUTHORITY, 'jobs-sfn');
    expect(counting.scanned).toHaveLength(4);
    expect(done.body).toMatchObject({ status: 'published', population: 30 });
  });

  it("marks an audit failed with the state machine's reason, and a failed audit can be run again", async () => {
    await launchAudit(svc, { ...base, auditId: 'jobs-sfn-fail' });
    const failed = await failAuditJob(
      svc,
      AUTHORITY,
      'jobs-sfn-fail',
      'States.Timeout: segment 2 did not finish in 15 minutes',
    );
    expect(failed.body).toMatchObject({
      status: 'failed',
      failure: { reason: 'States.Timeout: segment 2 did not finish in 15 minutes' },
    });
    expect((await runAuditJob(svc, AUTHORITY, 'jobs-sfn-fail')).body).toMatchObject({
      status: 'published',
      failure: null,
    });
  });

  it('draws a count sample reproducibly from the seed and keeps it', async () => {
    await launchAudit(svc, { ...base, auditId: 'jobs-s1', sampling: { type: 'count', value: 7 }, seed: 42 });
    await launchAudit(svc, { ...base, auditId: 'jobs-s2', sampling: { type: 'count', value: 7 }, seed: 42 });
    await runAuditJob(svc, AUTHORITY, 'jobs-s1');
    await runAuditJob(svc, AUTHORITY, 'jobs-s2');
    const sampleOf = async (auditId: string) => {
      const checkpoint = await svc.store.getAuditItem<{ workKey: string }>(AUTHORITY, {
        auditId,
        part: AUDIT_PARTS.sample,
      });
      return StoredSample.parse(
        JSON.parse(new TextDecoder().decode((await svc.objects.get(checkpoint!.body.workKey))!)),
      );
    };
    const [a, b] = [await sampleOf('jobs-s1'), await sampleOf('jobs-s2')];
    expect(a.unitIds).toHaveLength(7);
    expect(b.unitIds).toEqual(a.unitIds);
    expect((await getAudit(svc, AUTHORITY, 'jobs-s1'))?.body.marginOfError).toBeGreaterThan(0);
  });

  it('leaves out children audited in the months before, when asked', async () => {
    await launchAudit(svc, { ...base, auditId: 'jobs-x1', sampling: { type: 'count', value: 10 }, seed: 5 });
    await runAuditJob(svc, AUTHORITY, 'jobs-x1');
    await launchAudit(svc, { ...base, auditId: 'jobs-x2', sampling: { type: 'all' }, excludeAuditedWithinMonths: 6 });
    const done = await runAuditJob(svc, AUTHORITY, 'jobs-x2');
    // Every earlier audit in this file sampled children too: together they cover all 30, so nothing is left.
    expect(done.body.status).toBe('published');
    expect(done.body.sampleSize).toBe(0);
    expect(done.body.population).toBe(30);
  });

  it('compares with the latest published audit of the same template', async () => {
    const done = await runAuditJob(
      svc,
      AUTHORITY,
      (await launchAudit(svc, { ...base, auditId: 'jobs-z9' })).body.auditId,
    );
    const findings = FindingsDocument.parse(
      JSON.parse(
        new TextDecoder().decode(
          (await svc.objects.get(done.body.manifestKey!.replace('manifest.json', 'findings.json')))!,
        ),
      ),
    );
    // The latest published audit of this template is jobs-x2, which judged no one (all were left out).
    expect(findings.comparison?.previousAuditId).toBe('jobs-x2');
    expect(findings.criteria.find((c) => c.id === 'review-in-timescale')?.change).toEqual({
      previousAuditId: 'jobs-x2',
      previousCompliance: null,
      delta: null,
    });
    const timeliness = findings.comparison?.criteria.find((c) => c.criterionId === 'review-in-timescale');
    expect(timeliness?.newlyNotMet).toHaveLength(6);
    expect(timeliness?.persisting).toEqual([]);
  });

  it('sends an audit with manual criteria to grading: each sampled record assigned to an IRO who is not the child’s own', async () => {
    await launchAudit(svc, { ...base, auditId: 'jobs-g1', autoOnly: false, sampling: { type: 'count', value: 6 } });
    const done = await runAuditJob(svc, AUTHORITY, 'jobs-g1');
    expect(done.body).toMatchObject({ status: 'grading', sampleSize: 6, population: 30 });
    expect(await svc.objects.get('findings/jobs/jobs-g1/manifest.json')).toBeNull();
    const records = await gradingRecords(svc, AUTHORITY, 'jobs-g1');
    expect(records).toHaveLength(6);
    // Only two IROs audit here, so each record must go to the one who is not the child's IRO (balancing is tested in the unit tests).
    for (const { body } of records) {
      expect(body.ownIroIds).toHaveLength(1);
      expect(body.assignedTo).toBe(body.ownIroIds[0] === 'IRO1' ? 'IRO2' : 'IRO1');
    }
  });

  it('closes a graded audit: the IROs’ grades and the QA lead’s edited action plan go into the findings, which are published', async () => {
    const records = await gradingRecords(svc, AUTHORITY, 'jobs-g1');
    for (const [i, record] of records.entries()) {
      const grades = { 'voice-of-the-child': i < 4 ? 'Good' : 'Inadequate' };
      await svc.store.putAuditItem(
        AUTHORITY,
        { auditId: 'jobs-g1', part: AUDIT_PARTS.record(record.body.recordId) },
        { ...record.body, grades, comment: 'checked' },
        record.version,
      );
    }
    const row = {
      id: 'A1',
      action: 'Coach IROs on recording the child’s own words',
      owner: { role: 'IRO manager', team: 'IRO Service' },
      dueDate: '2024-07-01',
      expectedOutcome: 'Review records quote the child',
      successMeasure: 'Re-audit: 80% Good or better',
      linkedCriteria: ['voice-of-the-child'],
      source: 'qa-lead' as const,
    };
    const saved = await saveActionPlan(svc, AUTHORITY, 'jobs-g1', 'qa-lead-1', [row], 0);
    await expect(saveActionPlan(svc, AUTHORITY, 'jobs-g1', 'qa-lead-2', [], 0)).rejects.toThrow(/version conflict/);
    expect((await editedActionPlan(svc, AUTHORITY, 'jobs-g1'))?.body).toEqual([row]);
    expect((await auditTrail(svc, AUTHORITY, 'jobs-g1')).at(-1)).toMatchObject({
      actor: 'qa-lead-1',
      action: 'edit-action-plan',
      details: { added: ['A1'], removed: [], changed: [] },
    });
    expect(saved.version).toBe(1);

    const closed = await closeAudit(svc, AUTHORITY, 'jobs-g1');
    expect(closed.body.status).toBe('published');
    const findings = FindingsDocument.parse(
      JSON.parse(new TextDecoder().decode((await svc.objects.get('findings/jobs/jobs-g1/findings.json'))!)),
    );
    expect(findings.criteria.find((c) => c.id === 'voice-of-the-child')).toMatchObject({
      met: 4,
      notMet: 2,
      compliance: 4 / 6,
      thresholdGrade: 'Good',
    });
    expect(findings.records.every((r) => r.comment === 'checked')).toBe(true);
    expect(findings.actionPlan).toEqual([row]);
    await expect(closeAudit(svc, AUTHORITY, 'jobs-g1')).rejects.toThrow(
      'audit jobs-g1 is published: only an audit in grading or moderation can be closed',
    );
    await expect(saveActionPlan(svc, AUTHORITY, 'jobs-g1', 'qa-lead-1', [], 1)).rejects.toThrow(
      'audit jobs-g1 is published: its action plan can no longer be edited',
    );
  });

  it('publishes a closed audit in the run after closing; one whose publishing fails is failed with the reason, keeps its grades, and closing again publishes it', async () => {
    await launchAudit(svc, { ...base, auditId: 'jobs-g2', autoOnly: false, sampling: { type: 'count', value: 4 } });
    await runAuditJob(svc, AUTHORITY, 'jobs-g2');
    const [first] = await gradingRecords(svc, AUTHORITY, 'jobs-g2');
    await svc.store.putAuditItem(
      AUTHORITY,
      { auditId: 'jobs-g2', part: AUDIT_PARTS.record(first!.body.recordId) },
      { ...first!.body, grades: { 'voice-of-the-child': 'Good' } },
      first!.version,
    );

    const closed = await requestClose(svc, AUTHORITY, 'jobs-g2');
    expect(closed.body).toMatchObject({ status: 'closed', failure: null });
    expect(closed.body.closedAt).not.toBeNull();
    expect(await svc.objects.get('findings/jobs/jobs-g2/manifest.json')).toBeNull();
    await expect(requestClose(svc, AUTHORITY, 'jobs-g2')).rejects.toThrow(
      'audit jobs-g2 is closed: only an audit in grading or moderation can be closed',
    );

    // The bucket refuses the published files: the run fails, nothing is published.
    const refusing: ObjectStore = {
      ping: () => svc.objects.ping(),
      get: (key) => svc.objects.get(key),
      getRange: (key, start, length) => svc.objects.getRange!(key, start, length),
      put: (key, body, type) =>
        key.startsWith('findings/') ? Promise.reject(new Error('Access Denied')) : svc.objects.put(key, body, type),
      putStream: (key, chunks, type) =>
        key.startsWith('findings/')
          ? Promise.reject(new Error('Access Denied'))
          : svc.objects.putStream!(key, chunks, type),
    };
    const failed = await runAuditJob({ ...svc, objects: refusing }, AUTHORITY, 'jobs-g2');
    expect(failed.body).toMatchObject({ status: 'failed', failure: { reason: 'Access Denied' }, publishedAt: null });
    expect(failed.body.closedAt).not.toBeNull();
    expect(await svc.objects.get('findings/jobs/jobs-g2/manifest.json')).toBeNull();

    // Closing again retries the publishing (it does not gather, sample or assign again): the grade is in the findings.
    expect((await requestClose(svc, AUTHORITY, 'jobs-g2')).body.status).toBe('closed');
    const published = await runAuditJob(svc, AUTHORITY, 'jobs-g2');
    expect(published.body.status).toBe('published');
    const findings = FindingsDocument.parse(
      JSON.parse(new TextDecoder().decode((await svc.objects.get('findings/jobs/jobs-g2/findings.json'))!)),
    );
    expect(findings.sampleSize).toBe(4);
    expect(findings.criteria.find((c) => c.id === 'voice-of-the-child')).toMatchObject({ met: 1 });
    const statuses = (await auditTrail(svc, AUTHORITY, 'jobs-g2'))
      .map((e) => e.action)
      .filter((a) => a.startsWith('status:'));
    expect(statuses).toEqual(['status:grading', 'status:closed', 'status:failed', 'status:closed', 'status:published']);
  });

  it('compares with an audit published before the comparison was kept apart, from its findings.json of schema version 1', async () => {
    const earlier = await runAuditJob(
      svc,
      AUTHORITY,
      (await launchAudit(svc, { ...base, auditId: 'jobs-v1' })).body.auditId,
    );
    const key = earlier.body.manifestKey!.replace('manifest.json', 'findings.json');
    const v2 = FindingsDocument.parse(JSON.parse(new TextDecoder().decode((await svc.objects.get(key))!)));
    // As version 1 wrote it: no rule in the criteria, the rule in every record's evidence; and no comparison.json beside it.
    const rules = new Map(v2.criteria.map((c) => [c.id, c.rule]));
    const v1 = {
      ...v2,
      schemaVersion: 1,
      criteria: v2.criteria.map(({ rule: _, ...c }) => c),
      records: v2.records.map((r) => ({
        ...r,
        outcomes: Object.fromEntries(
          Object.entries(r.outcomes).map(([id, o]) => [
            id,
            o.evidence ? { ...o, evidence: { rule: rules.get(id), ...o.evidence } } : o,
          ]),
        ),
      })),
    };
    await svc.objects.put(key, JSON.stringify(v1, null, 2), 'application/json');
    await s3.send(new DeleteObjectCommand({ Bucket: bucketName, Key: 'work/jobs/jobs-v1/comparison.json' }));
    expect(await svc.objects.get('work/jobs/jobs-v1/comparison.json')).toBeNull();

    const done = await runAuditJob(
      svc,
      AUTHORITY,
      (await launchAudit(svc, { ...base, auditId: 'jobs-v2' })).body.auditId,
    );
    const findings = FindingsDocument.parse(
      JSON.parse(
        new TextDecoder().decode(
          (await svc.objects.get(done.body.manifestKey!.replace('manifest.json', 'findings.json')))!,
        ),
      ),
    );
    expect(findings.comparison?.previousAuditId).toBe('jobs-v1');
    const timeliness = findings.comparison?.criteria.find((c) => c.criterionId === 'review-in-timescale');
    // The same records, so the same six children are not met in both.
    expect(timeliness?.persisting).toHaveLength(6);
    expect(timeliness?.newlyNotMet).toEqual([]);
    expect(findings.criteria.find((c) => c.id === 'review-in-timescale')?.change).toEqual({
      previousAuditId: 'jobs-v1',
      previousCompliance: 0.8,
      delta: 0,
    });
  });
});
