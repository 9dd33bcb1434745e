/**
 * The grading benchmark: many IROs grading at once through the real HTTP API on the local stack,
 * each opening a record and saving its grades, some from two tabs at once. Reports latency
 * percentiles and throughput, and checks afterwards that no saved grade was lost.
 * `npx tsx bench/grading.ts [--children 2000] [--sample 1500] [--second-tab 0.1]`
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
  records: number;
  requests: number;
  seconds: number;
  requestsPerSecond: number;
  latencyMs: Record<'openRecord' | 'saveGrades', { p50: number; p95: number; p99: number; max: number }>;
  secondTabSaves: number;
  conflicts: number;
  lostGrades: number;
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
const summary = (values: number[]) => {
  const s = [...values].sort((a, b) => a - b);
  const r = (x: number) => Math.round(x * 10) / 10;
  return { p50: r(percentile(s, 50)), p95: r(percentile(s, 95)), p99: r(percentile(s, 99)), max: r(s.at(-1) ?? 0) };
};

/** Runs the benchmark on a fresh local stack of `children` and returns its figures. */
export async function benchGrading(options: { children: number; sample: number; secondTab: number; log?: (line: string) => void }): Promise<GradingBenchResult> {
  const log = options.log ?? (() => {});
  const dataDir = await mkdtemp(join(tmpdir(), 'iro-grading-bench-'));
  const stack = await startLocalStack({ dataDir, port: 0, demo: { children: options.children }, log });
  try {
    const authorityId = DEMO_AUTHORITY.authorityId;
    const tokenFor = (userId: string, role: 'qa-lead' | 'iro') => signDevelopmentToken(stack.signingKey, { userId, roles: [role], authorityId });
    const qa = await tokenFor('qa-lead-1', 'qa-lead');
    const api = async (method: string, path: string, token: string, body?: unknown) => {
      const started = performance.now();
      const response = await fetch(`${stack.url}${path}`, {
        method, headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) }, ...(body ? { body: JSON.stringify(body) } : {}),
      });
      const json = (await response.json()) as Record<string, unknown>;
      return { status: response.status, json, ms: performance.now() - started };
    };

    const launched = await api('POST', '/audits', qa, { templateId: 'review-timeliness-participation', from: '2025-04-01', to: '2026-03-31', sample: { type: 'count', value: options.sample }, seed: 1 });
    if (launched.status !== 201) throw new Error(`launch failed: ${JSON.stringify(launched.json)}`);
    const auditId = String(launched.json.auditId);
    await stack.runner.idle();
    const iros: string[] = [];
    for await (const p of stack.store.professionals(authorityId)) if (p.role === 'IRO') iros.push(p.workerId);
    log(`grading: ${iros.length} IROs grade the sample of audit ${auditId} at once`);

    const open: number[] = [];
    const save: number[] = [];
    let conflicts = 0;
    let secondTabSaves = 0;
    const expected = new Map<string, string>();
    const started = performance.now();
    await Promise.all(iros.map(async (iroId, i) => {
      const token = await tokenFor(iroId, 'iro');
      const mine = await api('GET', '/assignments', token);
      const list = (mine.json.assignments as { auditId: string; recordId: string }[]).filter((a) => a.auditId === auditId);
      for (const [k, { recordId }] of list.entries()) {
        const record = await api('GET', `/audits/${auditId}/records/${recordId}`, token);
        if (record.status !== 200) throw new Error(`opening ${recordId} as ${iroId} answered ${record.status}: ${JSON.stringify(record.json)}`);
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
          else if (s.status === 200) expected.set(recordId, (s.json.grades as Record<string, string>)['voice-of-the-child']!);
          else throw new Error(`save answered ${s.status}: ${JSON.stringify(s.json)}`);
        }
      }
    }));
    const seconds = (performance.now() - started) / 1000;
    // No lost work: what is stored is exactly what the winning save of each record said.
    const records = await gradingRecords({ store: stack.store, objects: stack.objects }, authorityId, auditId);
    const lostGrades = records.filter((r) => r.body.assignedTo && expected.get(r.body.recordId) !== r.body.grades['voice-of-the-child']).length;
    const requests = open.length + save.length + iros.length;
    return {
      iros: iros.length, records: records.length, requests, seconds, requestsPerSecond: requests / seconds,
      latencyMs: { openRecord: summary(open), saveGrades: summary(save) }, secondTabSaves, conflicts, lostGrades,
    };
  } finally {
    await stack.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({ options: { children: { type: 'string', default: '2000' }, sample: { type: 'string', default: '1500' }, 'second-tab': { type: 'string', default: '0.1' } } });
  const result = await benchGrading({ children: Number(values.children), sample: Number(values.sample), secondTab: Number(values['second-tab']), log: (l) => console.error(l) });
  console.log(JSON.stringify(result, null, 2));
  if (result.lostGrades > 0) process.exitCode = 3;
}
