/**
 * The issue's own check, on the demo authority as `npm start` loads it: in a sample-all graded audit
 * of a year of reviews, no record goes to an IRO the child ever had — not a former IRO, not the chair
 * of any of their reviews — and every one of the child's IROs is recorded as unable to grade it.
 * (Before the look-back covered the whole history, 22 of 1,145 records went to a former IRO.)
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { freshStorage } from '../support/storage.ts';
import { gradingRecords } from '#audit/jobs';
import type { Principal } from '#auth/principal';
import { DEMO_AUTHORITY, loadDemoAuthority } from '#local/stack';
import { InProcessAuditRunner } from '#service/audit-runner';
import { launch } from '#service/audits';
import type { ServiceContext } from '#service/context';
import { TemplateCatalogue } from '#service/templates';

const QA: Principal = { userId: 'qa-lead-1', roles: ['qa-lead'], authorityId: DEMO_AUTHORITY.authorityId };
let ctx: ServiceContext;
let runner: InProcessAuditRunner;

beforeAll(async () => {
  const { store, objects } = await freshStorage('demo-independence');
  await loadDemoAuthority(
    store,
    join(await mkdtemp(join(tmpdir(), 'demo-independence-')), 'demo'),
    { children: Number(process.env.N ?? 470) },
    () => {},
  );
  runner = new InProcessAuditRunner({ store, objects });
  ctx = { store, objects, links: objects, runner, templates: new TemplateCatalogue(store) };
}, 120_000);

describe('a sample-all audit of the demo authority', () => {
  it('gives no record to any IRO the child ever had, and records them all against it', async () => {
    const { audit } = await launch(ctx, QA, {
      templateId: 'review-timeliness-participation',
      from: '2025-04-01',
      to: '2026-03-31',
      sample: { type: 'all' },
      seed: 1,
    });
    await runner.idle();
    const records = (await gradingRecords(ctx, QA.authorityId, audit.auditId)).map((r) => r.body);
    const childIds = [...new Set(records.flatMap((r) => r.childIds))];
    // The children's IROs as the store holds them: every allocation and every review's chair, at any date.
    const irosOf = new Map(
      await Promise.all(childIds.map(async (id) => [id, await ctx.store.irosOfChild(QA.authorityId, id)] as const)),
    );
    const toOwnIro = records.filter((r) => r.childIds.some((id) => irosOf.get(id)!.includes(r.assignedTo!)));
    const unassigned = records.filter((r) => r.assignedTo === null);
    const notRecorded = records.filter((r) =>
      r.childIds.some((id) => irosOf.get(id)!.some((iro) => !r.ownIroIds.includes(iro))),
    );
    expect({ toOwnIro: toOwnIro.length, unassigned: unassigned.length, notRecorded: notRecorded.length }).toEqual({
      toOwnIro: 0,
      unassigned: 0,
      notRecorded: 0,
    });
    // The demo's children have had more than one IRO: the check is not empty.
    expect(childIds.filter((id) => irosOf.get(id)!.length > 1).length).toBeGreaterThan(50);
  }, 120_000);
});
