/**
 * The local stack in a process of its own, for tests that kill it mid-way (tests/integration/job-recovery.test.ts).
 * Started with `node --import tsx tests/support/stack-process.ts`; reads its settings from the environment:
 *
 *   IRO_TEST_DATA_DIR   the data folder (kept across the processes of one test)
 *   IRO_TEST_DEMO       demo children to load into an empty store (0: none)
 *   IRO_TEST_LEASE_MS   lease length of the jobs it runs (renewed every third of it)
 *   IRO_TEST_HOLD       holds, comma-separated, armed once the stack is up: `import` (an import's first batch
 *                       of rows is written, then it waits for ever), `gather` (an audit's first child is
 *                       gathered, then it waits), `publish` (an audit's first published file never goes),
 *                       `uploads` (uploads land in the bucket but their notifications are lost, as when the
 *                       stack dies between the two). Each prints `holding <what>` when first reached: the
 *                       test then kills the process at a known point.
 *
 * When the stack is up it prints one line `ready {json}` (its URL, endpoints and what recovery did at start).
 * Everything it logs goes to stderr.
 */
import { DynamoRecordStore } from '#store/dynamo-store';
import { S3ObjectStore } from '#store/object-store';
import { startLocalStack } from '#local/stack';
import { UploadTrigger } from '#local/upload-trigger';
import { UPLOAD_PREFIX } from '#loader/import-jobs';

const env = process.env;
const dataDir = env.IRO_TEST_DATA_DIR;
if (!dataDir) throw new Error('set IRO_TEST_DATA_DIR');
const children = Number(env.IRO_TEST_DEMO ?? 0);
const leaseMs = Number(env.IRO_TEST_LEASE_MS ?? 2_000);

const stack = await startLocalStack({
  dataDir,
  port: 0,
  demo: children > 0 ? { children, seed: 7 } : false,
  leases: { durationMs: leaseMs, heartbeatMs: Math.max(50, Math.floor(leaseMs / 3)) },
  recoverEveryMs: leaseMs,
  log: (line) => process.stderr.write(`stack ${process.pid}: ${line}\n`),
});

const never = () => new Promise<never>(() => {});
const held = new Set<string>();
/** Says (once for each) where the process now waits for ever. */
const reached = (what: string) => {
  if (!held.has(what)) process.stdout.write(`holding ${what}\n`);
  held.add(what);
};
const hold = (what: string) => {
  reached(what);
  return never();
};

// Armed after the start, so the demo's own load and recovery at start are never held.
for (const what of (env.IRO_TEST_HOLD ?? '').split(',').filter(Boolean)) arm(what);

function arm(what: string): void {
  switch (what) {
    case 'import': {
      const upsert = DynamoRecordStore.prototype.upsertRecords;
      DynamoRecordStore.prototype.upsertRecords = async function (
        this: DynamoRecordStore,
        ...args: Parameters<typeof upsert>
      ) {
        await upsert.apply(this, args);
        return hold('import');
      };
      return;
    }
    case 'gather': {
      const scan = DynamoRecordStore.prototype.scanChildRecords;
      DynamoRecordStore.prototype.scanChildRecords = async function* (
        this: DynamoRecordStore,
        ...args: Parameters<typeof scan>
      ) {
        for await (const child of scan.apply(this, args)) {
          yield child;
          await hold('gather');
        }
      };
      return;
    }
    case 'publish': {
      const { put, putStream } = S3ObjectStore.prototype;
      S3ObjectStore.prototype.put = function (this: S3ObjectStore, key, ...rest) {
        return key.startsWith('findings/') ? hold('publish') : put.call(this, key, ...rest);
      };
      S3ObjectStore.prototype.putStream = function (this: S3ObjectStore, key, ...rest) {
        return key.startsWith('findings/') ? hold('publish') : putStream.call(this, key, ...rest);
      };
      return;
    }
    case 'uploads':
      UploadTrigger.prototype.notify = (key: string) => {
        if (key.startsWith(UPLOAD_PREFIX)) reached('uploads');
      };
      return;
    default:
      throw new Error(`IRO_TEST_HOLD: no such hold ${what}`);
  }
}

process.stdout.write(
  `ready ${JSON.stringify({ pid: process.pid, url: stack.url, dynamoEndpoint: stack.config.dynamoEndpoint, s3Endpoint: stack.config.s3Endpoint, recovered: stack.recovered })}\n`,
);
process.on('SIGTERM', () => void stack.close().then(() => process.exit(0)));
