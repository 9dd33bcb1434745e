/**
 * Times one audit (runAudit, every review, automatic criteria) and a bare parallel scan of the same table.
 * Each runs in a fresh process, so the audit's peak memory is its own and not what loading left behind.
 */
import { fork } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ScanCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { recordId } from '#audit/findings';
import type { Outcome } from '#audit/findings-model';
import { runAudit } from '#audit/runner';
import { readTemplateLibrary } from '#audit/template-library';
import { createDynamoDocumentClient } from '#config/aws-clients';
import { localConfig } from '#local/connect';
import { childPartitionPrefix } from '#store/keys';
import { DynamoRecordStore } from '#store/dynamo-store';
import { MemorySampler, type MemoryPeaks } from './memory.ts';

export const TEMPLATE_ID = 'review-timeliness-participation';
/** The criterion whose compliance is printed as the sanity figure. */
export const HEADLINE_CRITERION = 'review-in-timescale';

export interface AuditBenchInput {
  dynamoEndpoint: string;
  authorityId: string;
  period: { from: string; to: string };
  segments: number;
  /** Where each unit's outcomes are written (after timing) for the SQL cross-check. */
  outcomesPath: string;
}

export interface CriterionCounts {
  id: string;
  met: number;
  notMet: number;
  notApplicable: number;
  cannotTell: number;
  compliance: number | null;
}

export interface AuditBenchResult {
  reviewsAudited: number;
  childrenScanned: number;
  auditSeconds: number;
  /** CPU seconds the audit process used during the audit (all its threads: GC, the SDK's parsing included). */
  auditCpuSeconds: number;
  memory: MemoryPeaks;
  criteria: CriterionCounts[];
  /** The order of the outcome letters in the outcomes file. */
  criterionIds: string[];
}

export interface ScanInput {
  dynamoEndpoint: string;
  authorityId: string;
  segments: number;
}

export interface ScanResult {
  items: number;
  seconds: number;
}

/** What a measuring child process is asked to do: each job gets a fresh process, so no job pays for another's heap. */
export type Job = { job: 'audit'; input: AuditBenchInput } | { job: 'scan'; input: ScanInput };
type JobResult<J extends Job> = J extends { job: 'audit' } ? AuditBenchResult : ScanResult;

/** One outcome as a letter in the outcomes file. */
export const OUTCOME_LETTER: Record<Outcome, string> = { met: 'M', 'not-met': 'N', 'not-applicable': 'A', 'cannot-tell': 'C' };

/** The SDK's Node-version notice is printed once by the parent; each child repeating it is noise. */
export const QUIET_SDK = { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' };

const ENTRY = fileURLToPath(new URL('./audit-process.ts', import.meta.url));
/** Generous: the 1M-review audit scans some 3.6 million items through dynalite. */
const CHILD_TIMEOUT_MS = 60 * 60_000;

/** Runs one job in a fresh child process (fork keeps tsx's loader flags) and returns its result. */
export function runInChild<J extends Job>(job: J, options: { heapMb?: number } = {}): Promise<JobResult<J>> {
  // Node's default old-space limit (about 4 GB here) is what an audit gets unless --audit-heap-mb raises it.
  const execArgv = options.heapMb ? [...process.execArgv, `--max-old-space-size=${options.heapMb}`] : process.execArgv;
  const child = fork(ENTRY, [], { execArgv, env: { ...process.env, ...QUIET_SDK }, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  return new Promise<JobResult<J>>((resolve, reject) => {
    let settled = false;
    const settle = (action: () => void) => {
      clearTimeout(timer);
      if (!settled) action();
      settled = true;
    };
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      settle(() => reject(new Error(`the ${job.job} did not finish within ${CHILD_TIMEOUT_MS / 60_000} minutes`)));
    }, CHILD_TIMEOUT_MS);
    child.on('message', (message) => {
      const m = message as { ok: true; result: JobResult<J> } | { ok: false; error: string };
      settle(() => (m.ok ? resolve(m.result) : reject(new Error(`${job.job} process: ${m.error}`))));
    });
    child.once('exit', (code, signal) => {
      settle(() => reject(new Error(`the ${job.job} process ended (${signal ?? `code ${code}`}) without a result${code === 134 || signal === 'SIGABRT' ? ': most likely out of heap (see --audit-heap-mb)' : ''}`)));
    });
    child.send(job);
  });
}

/** The audit, timed and sampled; runs inside the child process. */
export async function measureAudit(input: AuditBenchInput): Promise<AuditBenchResult> {
  const library = await readTemplateLibrary();
  const template = library.templates.get(TEMPLATE_ID);
  if (!template) throw new Error(`template ${TEMPLATE_ID} is missing from audit-templates/`);
  // The S3 endpoint is never used: the audit writes nothing.
  const config = localConfig(input.dynamoEndpoint, 'http://127.0.0.1:9');
  const client = createDynamoDocumentClient(config);
  const store = new DynamoRecordStore(client, config.tableName);

  const sampler = new MemorySampler(50);
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  const { findings, population } = await runAudit(
    store,
    {
      auditId: 'bench',
      authorityId: input.authorityId,
      title: 'benchmark',
      template,
      period: input.period,
      sampling: { type: 'all' },
      seed: 1,
      autoOnly: true,
    },
    { segments: input.segments, now: () => new Date('2026-04-01T00:00:00Z') },
  );
  const auditSeconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  const memory = sampler.stop();

  const criterionIds = findings.criteria.filter((c) => c.kind === 'automatic').map((c) => c.id);
  await writeOutcomes(input.outcomesPath, input.authorityId, findings.records.map((r) => r.recordId), findings.records, criterionIds);
  const criteria = findings.criteria
    .filter((c) => c.kind === 'automatic')
    .map(({ id, met, notMet, notApplicable, cannotTell, compliance }) => ({ id, met, notMet, notApplicable, cannotTell, compliance }));
  return {
    reviewsAudited: findings.population, childrenScanned: population.childrenScanned, auditSeconds, auditCpuSeconds: (cpu.user + cpu.system) / 1e6,
    memory, criteria, criterionIds,
  };
}

/**
 * The floor under any audit: the same Scan requests the store sends (every segment in parallel, the
 * same authority filter, the document client's unmarshalling), with the items only counted.
 */
export async function bareParallelScan(input: ScanInput): Promise<ScanResult> {
  const config = localConfig(input.dynamoEndpoint, 'http://127.0.0.1:9');
  const client: DynamoDBDocumentClient = createDynamoDocumentClient(config);
  const { authorityId, segments } = input;
  const tableName = config.tableName;
  const started = performance.now();
  let items = 0;
  await Promise.all(
    Array.from({ length: segments }, async (_, segment) => {
      let start: Record<string, unknown> | undefined;
      do {
        const output = await client.send(
          new ScanCommand({
            TableName: tableName,
            Segment: segment,
            TotalSegments: segments,
            FilterExpression: 'begins_with(pk, :prefix)',
            ExpressionAttributeValues: { ':prefix': childPartitionPrefix(authorityId) },
            ...(start ? { ExclusiveStartKey: start } : {}),
          }),
        );
        items += output.Items?.length ?? 0;
        start = output.LastEvaluatedKey;
      } while (start);
    }),
  );
  return { items, seconds: (performance.now() - started) / 1000 };
}

/** `unitId<TAB>letters` per unit, letters in `criterionIds` order; records come in population order, recordId ties them. */
async function writeOutcomes(
  path: string,
  authorityId: string,
  unitIds: string[],
  records: { recordId: string; outcomes: Record<string, { outcome: Outcome }> }[],
  criterionIds: string[],
): Promise<void> {
  const byRecord = new Map(records.map((r) => [r.recordId, r]));
  const out = createWriteStream(path);
  for (const unitId of unitIds) {
    const record = byRecord.get(recordId(authorityId, unitId));
    if (!record) continue;
    // '?' marks an outcome the findings lack, so the cross-check shows it rather than guessing.
    const letters = criterionIds.map((id) => { const o = record.outcomes[id]?.outcome; return o ? OUTCOME_LETTER[o] : '?'; }).join('');
    if (!out.write(`${unitId}\t${letters}\n`)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
  }
  await new Promise<void>((resolve, reject) => out.end((error?: Error | null) => (error ? reject(error) : resolve())));
}
