/**
 * The grading benchmark: many IROs grading at once through the real HTTP API on the local stack for
 * a set time, each opening a record and saving its grades, then the next (round its assignments
 * again, revising, once through), some saves from two tabs at once. Reports throughput, latency
 * percentiles and conflicts, and checks afterwards that no saved grade was lost. Part of `npm run
 * bench`; alone: `npx tsx bench/grading.ts [--iros 50] [--seconds 60] [--sample 1500] [--second-tab 0.1]`
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { gradingRecords } from '#audit/jobs';
import { signDevelopmentToken } from '#auth/tokens';
import { DEMO_AUTHORITY, startLocalStack } from '#local/stack';

export interface GradingBenchResult {
  iros: number;
  children: number;
  records: number;
  requests: number;
  seconds: number;
  requestsPerSecond: number;
  latencyMs: Record<'openRecord' | 'saveGrades', { p50: number; p95: number; p99: number; max: number }>;
  secondTabSaves: number;
  conflicts: number;
  lostGrades: number;
}

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
const summary = (values: number[]) => {
  const s = [...values].sort((a, b) => a - b);
  const r = (x: number) => Math.round(x * 10) / 10;
  return { p50: r(percentile(s, 50)), p95: r(percentile(s, 95)), p99: r(percentile(s, 99)), max: r(s.at(-1) ?? 0) };
};

export interface GradingBenchOptions {
  /** How many IROs grade at once: the demo authority is made big enough to employ them (10 per 470 children). */
  iros: number;
  /** How long they grade for. */
  seconds: number;
  sample: number;
  /** The share of saves made from two tabs at once. */
  secondTab: number;
  log?: (line: string) => void;
}

/** The demo authority's size that employs `iros` IROs (buildStaff: 10 per 470 children). */
export const childrenForIros = (iros: number) => Math.ceil((iros * 470) / 10);

/** Runs the benchmark on a fresh local stack and returns its figures. */
export async function benchGrading(options: GradingBenchOptions): Promise<GradingBenchResult> {
  const log = options.log ?? (() => {});
  const children = childrenForIros(options.iros);
  const dataDir = await mkdtemp(join(tmpdir(), 'iro-grading-bench-'));
  log(
    `grading: a local stack with a demo authority of ${children.toLocaleString('en-GB')} children (loading takes a few minutes)`,
  );
  const stack = await startLocalStack({ dataDir, port: 0, demo: { children }, log });
  try {
    const authorityId = DEMO_AUTHORITY.authorityId;
    const tokenFor = (userId: string, role: 'qa-lead' | 'iro') =>
      signDevelopmentToken(stack.signingKey, { userId, roles: [role], authorityId });
    const qa = await tokenFor('qa-lead-1', 'qa-lead');
    const api = async (method: string, path: string, token: string, body?: unknown) => {
      const started = performance.now();
      const response = await fetch(`${stack.url}${path}`, {
        method,
        headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
        ...(body ? { body: JSON.stringify(body) } : {}),
      });
      const json = (await response.json()) as Record<string, unknown>;
      return { status: response.status, json, ms: performance.now() - started };
    };

    const launched = await api('POST', '/audits', qa, {
      templateId: 'review-timeliness-participation',
      from: '2025-04-01',
      to: '2026-03-31',
      sample: { type: 'count', value: options.sample },
      seed: 1,
    });
    if (launched.status !== 201) throw new Error(`launch failed: ${JSON.stringify(launched.json)}`);
    const auditId = String(launched.json.auditId);
    await stack.runner.idle();
    const iros: string[] = [];
    for await (const p of stack.store.professionals(authorityId)) if (p.role === 'IRO') iros.push(p.workerId);
    if (iros.length < options.iros)
      throw new Error(`the demo authority employs ${iros.length} IROs, not ${options.iros}`);
    const grading = iros.slice(0, options.iros);
    log(`grading: ${grading.length} IROs grade the sample of audit ${auditId} at once for ${options.seconds} s`);

    const open: number[] = [];
    const save: number[] = [];
    let conflicts = 0;
    let secondTabSaves = 0;
    const expected = new Map<string, string>();
    const started = performance.now();
    const deadline = started + options.seconds * 1000;
    let assignmentLists = 0;
    await Promise.all(
      grading.map(async (iroId, i) => {
        const token = await tokenFor(iroId, 'iro');
        const mine = await api('GET', '/assignments', token);
        assignmentLists += 1;
        const list = (mine.json.assignments as { auditId: string; recordId: string }[]).filter(
          (a) => a.auditId === auditId,
        );
        if (list.length === 0) return;
        // Round the IRO's assignments until the time is up: after the first pass, each save revises a grade.
        for (let k = 0; performance.now() < deadline; k += 1) {
          const { recordId } = list[k % list.length]!;
          const record = await api('GET', `/audits/${auditId}/records/${recordId}`, token);
          if (record.status !== 200)
            throw new Error(
              `opening ${recordId} as ${iroId} answered ${record.status}: ${JSON.stringify(record.json)}`,
            );
          open.push(record.ms);
          const version = (record.json.grades as { version: number }).version;
          const grade = (i + k) % 3 === 0 ? 'Good' : (i + k) % 3 === 1 ? 'Requires improvement' : 'Outstanding';
          const path = `/audits/${auditId}/records/${recordId}/grades`;
          // Every so often the same IRO saves from a second tab at the same moment, with a different grade.
          const twoTabs = ((i * 7919 + k * 104729) % 1000) / 1000 < options.secondTab;
          const saves = await Promise.all([
            api('PUT', path, token, { version, grades: { 'voice-of-the-child': grade } }),
            ...(twoTabs ? [api('PUT', path, token, { version, grades: { 'voice-of-the-child': 'Inadequate' } })] : []),
          ]);
          if (twoTabs) secondTabSaves += 1;
          for (const s of saves) {
            save.push(s.ms);
            if (s.status === 409) conflicts += 1;
            else if (s.status === 200)
              expected.set(recordId, (s.json.grades as Record<string, string>)['voice-of-the-child']!);
            else throw new Error(`save answered ${s.status}: ${JSON.stringify(s.json)}`);
          }
        }
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    // No lost work: what is stored is exactly what the winning save of each record said.
    const records = await gradingRecords({ store: stack.store, objects: stack.objects }, authorityId, auditId);
    const lostGrades = records.filter(
      (r) => r.body.assignedTo && expected.get(r.body.recordId) !== r.body.grades['voice-of-the-child'],
    ).length;
    const requests = open.length + save.length + assignmentLists;
    return {
      iros: grading.length,
      children,
      records: records.length,
      requests,
      seconds,
      requestsPerSecond: requests / seconds,
      latencyMs: { openRecord: summary(open), saveGrades: summary(save) },
      secondTabSaves,
      conflicts,
      lostGrades,
    };
  } finally {
    await stack.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({
    options: {
      iros: { type: 'string', default: '50' },
      seconds: { type: 'string', default: '60' },
      sample: { type: 'string', default: '1500' },
      'second-tab': { type: 'string', default: '0.1' },
    },
  });
  const result = await benchGrading({
    iros: Number(values.iros),
    seconds: Number(values.seconds),
    sample: Number(values.sample),
    secondTab: Number(values['second-tab']),
    log: (l) => console.error(l),
  });
  console.log(JSON.stringify(result, null, 2));
  if (result.lostGrades > 0) process.exitCode = 3;
}
