/**
 * Times one stored audit (launchAudit + runAuditJob: segments, sample, findings, every file published
 * to the bucket; every review, automatic criteria) and a bare parallel scan of the same table. Each
 * runs in a fresh process, so the audit's peak memory is its own and not what loading left behind.
 */
import { fork } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'csv-parse';
import { DeleteCommand, ScanCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Outcome } from '#engine/findings-model';
import { launchAudit, runAuditJob } from '#audit/jobs';
import { readTemplateLibrary } from '#audit/template-library';
import { createDynamoDocumentClient, createS3Client } from '#config/aws-clients';
import { localConfig } from '#local/connect';
import { OUTCOME_LABEL } from '#reports/csv';
import { readManifest } from '#reports/publish';
import { auditItemKey, childPartitionPrefix } from '#store/keys';
import { DynamoRecordStore } from '#store/dynamo-store';
import { S3ObjectStore, ensureBucket, type ObjectStore } from '#store/object-store';
import { MemorySampler, type MemoryPeaks } from './memory.ts';

export const TEMPLATE_ID = 'review-timeliness-participation';
/** The criterion whose compliance is printed as the sanity figure. */
export const HEADLINE_CRITERION = 'review-in-timescale';

export interface AuditBenchInput {
  dynamoEndpoint: string;
  /** The bucket's s3rver (in the same server process as dynalite). */
  s3Endpoint: string;
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
  /** The audit's population: units, i.e. reviews due or held in the period (a review due and not held is a unit too). */
  reviewsAudited: number;
  childrenScanned: number;
  auditSeconds: number;
  /** CPU seconds the audit process used during the audit (all its threads: GC, the SDK's parsing included). */
  auditCpuSeconds: number;
  memory: MemoryPeaks;
  criteria: CriterionCounts[];
  /** The order of the outcome letters in the outcomes file. */
  criterionIds: string[];
  /** Seconds from the start: segments checkpointed, sample drawn, findings pass done (first published file begun), published. */
  phases: { segments: number; sample: number; findings: number; published: number };
  /** Each published file, its size and the seconds it took to write (rendering and upload). */
  files: { name: string; size: number; seconds: number | null }[];
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
export const OUTCOME_LETTER: Record<Outcome, string> = {
  met: 'M',
  'not-met': 'N',
  'not-applicable': 'A',
  'cannot-tell': 'C',
};

/** The SDK's Node-version notice is printed once by the parent; each child repeating it is noise. */
export const QUIET_SDK = { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' };

const ENTRY = fileURLToPath(new URL('./audit-process.ts', import.meta.url));
/** Generous: the 1M-review audit scans some 3.6 million items through dynalite. */
const CHILD_TIMEOUT_MS = 60 * 60_000;

/** Runs one job in a fresh child process (fork keeps tsx's loader flags) and returns its result. */
export function runInChild<J extends Job>(job: J, options: { heapMb?: number } = {}): Promise<JobResult<J>> {
  // Node's default old-space limit (about 4 GB here) is what an audit gets unless --audit-heap-mb raises it.
  const execArgv = options.heapMb ? [...process.execArgv, `--max-old-space-size=${options.heapMb}`] : process.execArgv;
  const child = fork(ENTRY, [], {
    execArgv,
    env: { ...process.env, ...QUIET_SDK },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
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
      settle(() =>
        reject(
          new Error(
            `the ${job.job} process ended (${signal ?? `code ${code}`}) without a result${code === 134 || signal === 'SIGABRT' ? ': most likely out of heap (see --audit-heap-mb)' : ''}`,
          ),
        ),
      );
    });
    child.send(job);
  });
}

/** The bucket port, noting when the audit first writes each kind of file (the phases of a run, seen from outside) and how long each published file took. */
class PhaseWatch implements ObjectStore {
  readonly firstPut = new Map<string, number>();
  /** Seconds from the start of each published file's write to its end, by key. */
  readonly fileSeconds = new Map<string, number>();
  constructor(
    private readonly inner: S3ObjectStore,
    private readonly started: number,
  ) {}
  private note(key: string) {
    const kind = /\/sample\.json$/.test(key)
      ? 'sample'
      : key.startsWith('findings/')
        ? 'findings'
        : key.includes('/publish/')
          ? 'spool'
          : 'work';
    if (!this.firstPut.has(kind)) this.firstPut.set(kind, (performance.now() - this.started) / 1000);
  }
  private async timed<T>(key: string, write: () => Promise<T>): Promise<T> {
    this.note(key);
    const begun = performance.now();
    const result = await write();
    if (key.startsWith('findings/')) this.fileSeconds.set(key, (performance.now() - begun) / 1000);
    return result;
  }
  ping() {
    return this.inner.ping();
  }
  get(key: string) {
    return this.inner.get(key);
  }
  getRange(key: string, start: number, length: number) {
    return this.inner.getRange(key, start, length);
  }
  put(key: string, body: Uint8Array | string, contentType: string) {
    return this.timed(key, () => this.inner.put(key, body, contentType));
  }
  putStream(key: string, chunks: AsyncIterable<Uint8Array | string>, contentType: string) {
    return this.timed(key, () => this.inner.putStream(key, chunks, contentType));
  }
}

/** The audit, timed and sampled; runs inside the child process. */
export async function measureAudit(input: AuditBenchInput): Promise<AuditBenchResult> {
  const library = await readTemplateLibrary();
  const template = library.templates.get(TEMPLATE_ID);
  if (!template) throw new Error(`template ${TEMPLATE_ID} is missing from audit-templates/`);
  // Never fall back to AWS's default endpoint and credential chain: the bench only talks to loopback.
  if (!input.s3Endpoint?.startsWith('http://127.0.0.1:'))
    throw new Error(`the audit needs the local s3rver's endpoint, got ${String(input.s3Endpoint)}`);
  const config = { ...localConfig(input.dynamoEndpoint, input.s3Endpoint), bucketName: `bench-${randomUUID()}` };
  const client = createDynamoDocumentClient(config);
  const store = new DynamoRecordStore(client, config.tableName);
  const s3 = createS3Client(config);
  await ensureBucket(s3, config.bucketName);
  const bucket = new S3ObjectStore(s3, config.bucketName);
  // Audits of earlier measurements (their files went with that run's s3rver folder) are removed first:
  // each measurement is a first audit, compared with nothing.
  await removeAudits(client, config.tableName, store, input.authorityId);
  const now = () => new Date('2026-04-01T00:00:00Z');
  const auditId = `bench-${Date.now().toString(36)}`;
  await launchAudit(
    { store, objects: bucket, now },
    {
      auditId,
      authorityId: input.authorityId,
      title: 'benchmark',
      template,
      period: input.period,
      sampling: { type: 'all' },
      seed: 1,
      autoOnly: true,
      createdBy: 'bench',
      segments: input.segments,
    },
  );

  const sampler = new MemorySampler(50);
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  const watch = new PhaseWatch(bucket, started);
  let childrenScanned = 0;
  let segmentsDone = 0;
  const done = await runAuditJob({ store, objects: watch, now }, input.authorityId, auditId, {
    onProgress: (p) => {
      childrenScanned += p.childrenScanned;
      segmentsDone = (performance.now() - started) / 1000;
    },
  });
  const auditSeconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  const memory = sampler.stop();
  if (done.body.status !== 'published')
    throw new Error(`the audit ended ${done.body.status}: ${done.body.failure?.reason ?? ''}`);

  const manifest = (await readManifest(bucket, input.authorityId, auditId))!;
  const criterionIds = template.criteria.filter((c) => c.kind === 'automatic').map((c) => c.id);
  const criteria = await criteriaCounts(
    bucket,
    manifest.files.find((f) => f.name === 'findings.csv')!.key,
    criterionIds,
  );
  await writeOutcomes(
    bucket,
    manifest.files.find((f) => f.name === 'records.csv')!.key,
    input.outcomesPath,
    criterionIds,
  );
  return {
    reviewsAudited: done.body.population ?? 0,
    childrenScanned,
    auditSeconds,
    auditCpuSeconds: (cpu.user + cpu.system) / 1e6,
    memory,
    criteria,
    criterionIds,
    phases: {
      segments: segmentsDone,
      sample: watch.firstPut.get('sample') ?? 0,
      findings: watch.firstPut.get('findings') ?? 0,
      published: auditSeconds,
    },
    files: manifest.files.map((f) => ({ name: f.name, size: f.size, seconds: watch.fileSeconds.get(f.key) ?? null })),
  };
}

async function removeAudits(
  client: DynamoDBDocumentClient,
  tableName: string,
  store: DynamoRecordStore,
  authorityId: string,
): Promise<void> {
  const audits: string[] = [];
  for await (const a of store.listAudits(authorityId)) audits.push(a.auditId);
  for (const auditId of audits) {
    const parts: string[] = [];
    for await (const item of store.auditItems(authorityId, auditId)) parts.push(item.part);
    for (const part of parts)
      await client.send(new DeleteCommand({ TableName: tableName, Key: auditItemKey(authorityId, auditId, part) }));
  }
}

/** Rows of a published CSV, parsed as they stream from the bucket (BOM dropped). */
async function* csvRows(bucket: S3ObjectStore, key: string): AsyncIterable<string[]> {
  const stream = await bucket.getStream(key);
  if (!stream) throw new Error(`${key} is missing`);
  yield* stream.pipe(parse({ bom: true })) as AsyncIterable<string[]>;
}

/** The criteria's counts as findings.csv publishes them. */
async function criteriaCounts(bucket: S3ObjectStore, key: string, criterionIds: string[]): Promise<CriterionCounts[]> {
  const counts: CriterionCounts[] = [];
  let header = true;
  for await (const row of csvRows(bucket, key)) {
    if (header) {
      header = false;
      continue;
    }
    const [id = '', , , , met, notMet, notApplicable, cannotTell] = row;
    if (!criterionIds.includes(id)) continue;
    const [m, nm] = [Number(met), Number(notMet)];
    counts.push({
      id,
      met: m,
      notMet: nm,
      notApplicable: Number(notApplicable),
      cannotTell: Number(cannotTell),
      compliance: m + nm > 0 ? m / (m + nm) : null,
    });
  }
  return counts;
}

const LETTER_OF_LABEL = new Map(
  Object.entries(OUTCOME_LABEL).map(([outcome, label]) => [label, OUTCOME_LETTER[outcome as Outcome]]),
);

/**
 * `recordId<TAB>letters<TAB>children<TAB>date` per published record (records.csv, streamed), letters in
 * `criterionIds` order; children as published (pseudonymous), the date as records.csv gives it
 * (dd/mm/YYYY: the review's date, or the due date of a review not held), so a difference can be named.
 */
async function writeOutcomes(bucket: S3ObjectStore, key: string, path: string, criterionIds: string[]): Promise<void> {
  const out = createWriteStream(path);
  let columns: number[] | undefined;
  let childrenColumn = 1;
  let dateColumn = 2;
  for await (const row of csvRows(bucket, key)) {
    if (!columns) {
      columns = criterionIds.map((id) => row.indexOf(id));
      childrenColumn = row.indexOf('Children');
      dateColumn = row.indexOf('Date');
      continue;
    }
    // '?' marks an outcome the records lack, so the cross-check shows it rather than guessing.
    const letters = columns.map((i) => LETTER_OF_LABEL.get(row[i] ?? '') ?? '?').join('');
    if (!out.write(`${row[0]}\t${letters}\t${row[childrenColumn] ?? ''}\t${row[dateColumn] ?? ''}\n`))
      await new Promise<void>((resolve) => out.once('drain', () => resolve()));
  }
  await new Promise<void>((resolve, reject) => out.end((error?: Error | null) => (error ? reject(error) : resolve())));
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
