/**
 * The local stack behind `npm start`: dynalite (DynamoDB wire protocol, data on disk) and s3rver
 * (S3 wire protocol) on loopback, the table and bucket, the demo authority when the store is empty,
 * and the Hono app on @hono/node-server. Only endpoints and credentials differ from AWS. Jobs left
 * unfinished by a stopped process (the last run of this stack killed, a command-line import or audit
 * interrupted) are recovered when it starts and every minute while it runs, as AWS's scheduled check
 * does; uploads that landed while no stack was listening start their imports then too.
 */
import { mkdir, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { createAdaptorServer } from '@hono/node-server';
import type { StoreConfig } from '#config/config';
import { createDynamoDocumentClient, createS3Client } from '#config/aws-clients';
import { generateDemoAuthority } from '#demo/generator';
import { REGULATIONS_2010 } from '#domain/timescales';
import { localSigningKey, localVerifier, type LocalSigningKey } from '#auth/tokens';
import { createApp } from '#http/app';
import { InProcessAuditRunner } from '#service/audit-runner';
import { describeRecovery, recoverStaleJobs, type RecoveredJob } from '#service/recovery';
import { leasePolicy, type LeasePolicy } from '#jobs/lease';
import { UploadTrigger } from './upload-trigger.ts';
import { loadFiles, type LoadReport } from '#loader/load';
import { ImportJob } from '#loader/import-jobs';
import { ensureBucket, getBytes, type ObjectStore } from '#store/object-store';
import { openStores } from '#store/open';
import type { RecordStore } from '#store/record-store';
import { ensureTable } from '#store/table';
import { localConfig, removeStackFile, runningStack, writeStackFile } from './connect.ts';
import { startLocalServers } from './servers.ts';

export const DEMO_AUTHORITY = { authorityId: 'demo', name: 'Demo Borough Council (synthetic data)' } as const;

export interface LocalStackOptions {
  /** App port; undefined tries 3000 and falls back to a free port if 3000 is taken; 0 picks a free one. */
  port?: number;
  /** Where dynalite and s3rver keep their data (git-ignored). */
  dataDir?: string;
  dynamoPort?: number;
  s3Port?: number;
  /** The demo authority to load into an empty store; false loads nothing. */
  demo?: false | { children?: number; seed?: number };
  log?: (line: string) => void;
  /** Lease length and heartbeat of the jobs this stack runs (IRO_LEASE_SECONDS, default 90 s, when absent; tests use fractions of a second). */
  leases?: Partial<Pick<LeasePolicy, 'durationMs' | 'heartbeatMs'>>;
  /** How often stale jobs are looked for while the stack runs (default every minute; 0: only at start). */
  recoverEveryMs?: number;
}

export interface LocalStack {
  url: string;
  config: StoreConfig;
  store: RecordStore;
  objects: ObjectStore;
  /** The key development tokens are signed with (`npm run dev-token` uses the same file). */
  signingKey: LocalSigningKey;
  /** Runs launched audits in this process; `idle()` waits for them. */
  runner: InProcessAuditRunner;
  /** Runs imports as their uploads land, as the import function does on AWS; `idle()` waits for them. */
  imports: UploadTrigger;
  /** True when this start loaded the demo authority (false when it was already there). */
  demoLoaded: boolean;
  /** What recovery did at this start: jobs a stopped process had left unfinished. */
  recovered: RecoveredJob[];
  /** Looks for stale jobs now (as the stack does every minute), and says what it did. */
  recover(): Promise<RecoveredJob[]>;
  demoReport?: LoadReport;
  close(): Promise<void>;
}

export const DEFAULT_DATA_DIR = '.local-data';
/** The local signing key's file inside the data folder (git-ignored with it; readable by its owner only). */
export const signingKeyPath = (dataDir: string) => join(resolve(dataDir), 'dev-signing-key.json');
const DEFAULT_APP_PORT = 3000;
/** How often the running stack looks for jobs a stopped process left (AWS: every five minutes). */
const RECOVER_EVERY_MS = 60_000;

/** Starts everything; resolves when the app answers. */
export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  const log = options.log ?? (() => {});
  const dataDir = resolve(options.dataDir ?? DEFAULT_DATA_DIR);
  await mkdir(dataDir, { recursive: true });
  const running = await runningStack(dataDir);
  if (running)
    throw new Error(
      `iro-audit is already running over ${dataDir} at ${running.url} (process ${running.pid}); stop it first, or set IRO_DATA_DIR to another folder`,
    );
  const servers = await startLocalServers({
    dataDir: join(dataDir, 'dynamodb'),
    s3Dir: join(dataDir, 's3'),
    ...(options.dynamoPort !== undefined ? { dynamoPort: options.dynamoPort } : {}),
    ...(options.s3Port !== undefined ? { s3Port: options.s3Port } : {}),
  });
  const closers: (() => Promise<void>)[] = [() => servers.close()];
  const close = async () => {
    for (const closer of closers.reverse()) await closer().catch(() => {});
  };
  try {
    const config = localConfig(servers.dynamoEndpoint, servers.s3Endpoint);
    log(`DynamoDB (dynalite) on ${servers.dynamoEndpoint}, S3 (s3rver) on ${servers.s3Endpoint}, data in ${dataDir}`);
    await ensureTable(createDynamoDocumentClient(config), config.tableName);
    await ensureBucket(createS3Client(config), config.bucketName);
    const { store, objects, links } = openStores(config);

    let demoLoaded = false;
    let demoReport: LoadReport | undefined;
    if (options.demo !== false) {
      const existing = await store.getAuthority(DEMO_AUTHORITY.authorityId);
      if (existing) {
        log(
          `demo authority already loaded (${(await store.countChildren(DEMO_AUTHORITY.authorityId)).toLocaleString('en-GB')} children on record): nothing to do`,
        );
      } else {
        demoReport = await loadDemoAuthority(store, join(dataDir, 'demo-import'), options.demo ?? {}, log);
        demoLoaded = true;
      }
    }

    const signingKey = await localSigningKey(signingKeyPath(dataDir));
    const leases = leasePolicy(process.env, options.leases ?? {});
    const runner = new InProcessAuditRunner({ store, objects, leases }, log);
    // s3rver's object events stand in for the bucket's notification to the import function on AWS.
    const imports = new UploadTrigger({ store, objects, links, leases }, log);
    servers.onObjectEvent((event) => {
      for (const record of event.Records) {
        if (record.eventName.startsWith('ObjectCreated') && record.s3.bucket.name === config.bucketName)
          imports.notify(record.s3.object.key);
      }
    });
    const app = createApp({
      store,
      objects,
      links,
      leases,
      verifier: localVerifier(signingKey),
      runner,
      imports: { enabled: true },
      signIn: { kind: 'local', key: signingKey, authorityId: DEMO_AUTHORITY.authorityId },
    });
    const server = createAdaptorServer({ fetch: app.fetch, hostname: '127.0.0.1' });
    const port = await listen(server, options.port);
    closers.push(
      () =>
        new Promise<void>((done) => {
          server.close(() => done());
          (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
        }),
    );
    const url = `http://localhost:${port}`;
    await writeStackFile(dataDir, {
      pid: process.pid,
      url,
      dynamoEndpoint: servers.dynamoEndpoint,
      s3Endpoint: servers.s3Endpoint,
    });
    closers.push(() => removeStackFile(dataDir));
    // Audits still running finish (or are marked failed) before the servers go.
    closers.push(
      () => runner.idle(),
      () => imports.idle(),
    );
    // Jobs the last run of this stack (or an interrupted command) left unfinished: taken over now, with no command.
    const recover = async () => {
      const recovered = await recoverStaleJobs({ store, objects, leases, runner });
      for (const job of recovered) log(`recovered ${describeRecovery(job)}`);
      for (const key of await unnoticedUploads(store, objects, log)) {
        log(`upload ${key} arrived unnoticed (the stack stopped before it could start its import): starting it now`);
        imports.notify(key);
      }
      return recovered;
    };
    const recovered = await recover();
    const every = options.recoverEveryMs ?? RECOVER_EVERY_MS;
    if (every > 0) {
      let sweeping: Promise<unknown> | null = null;
      const timer = setInterval(() => {
        // One sweep at a time: a slow one is not joined by the next.
        if (sweeping) return;
        sweeping = recover()
          .catch((error: unknown) => log(`recovery could not run: ${(error as Error).message}`))
          .finally(() => {
            sweeping = null;
          });
      }, every);
      timer.unref();
      // Stopped first (closers run last to first): no sweep starts once the stack is closing.
      closers.push(async () => {
        clearInterval(timer);
        await sweeping;
      });
    }
    return {
      url,
      config,
      store,
      objects,
      signingKey,
      runner,
      imports,
      demoLoaded,
      recovered,
      recover,
      ...(demoReport ? { demoReport } : {}),
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}

/**
 * Files of pending imports that are in the bucket but not marked arrived: their notification was
 * lost (the stack killed between the upload and its import's start, or the start failed). S3 tries
 * a notification to the import function again on AWS; locally they are notified again. Starting an
 * import is idempotent, so a file noticed twice changes nothing.
 */
async function unnoticedUploads(
  store: RecordStore,
  objects: ObjectStore,
  log: (line: string) => void,
): Promise<string[]> {
  const keys: string[] = [];
  for await (const leased of store.leasedJobs()) {
    if (leased.kind !== 'import') continue;
    try {
      const stored = await store.getImportJob<unknown>(leased.authorityId, leased.id);
      const job = stored ? ImportJob.safeParse(stored.body) : null;
      if (!job?.success || job.data.status !== 'pending') continue;
      for (const file of job.data.files) {
        // One byte tells whether it is there, without reading a large file.
        if (!file.uploaded && (await getBytes(objects, file.key, 0, 1)) !== null) keys.push(file.key);
      }
    } catch (error) {
      // One import's trouble never stops the others, nor the stack's start: the next sweep looks again.
      log(`could not look at the uploads of import ${leased.id}: ${(error as Error).message}`);
    }
  }
  return keys;
}

/**
 * Generates the demo authority's import files and loads them through the same loader a QA lead's
 * files go through. The authority record is written last: it marks the load complete, so a start
 * interrupted midway loads again (idempotently) next time.
 */
export async function loadDemoAuthority(
  store: RecordStore,
  workDir: string,
  demo: { children?: number; seed?: number },
  log: (line: string) => void,
): Promise<LoadReport> {
  const started = performance.now();
  await rm(workDir, { recursive: true, force: true });
  const summary = await generateDemoAuthority(workDir, {
    authorityId: DEMO_AUTHORITY.authorityId,
    ...(demo.children !== undefined ? { children: demo.children } : {}),
    ...(demo.seed !== undefined ? { seed: demo.seed } : {}),
  });
  log(
    `generated the demo authority: ${summary.childrenLookedAfterAtAsAt} children looked after, ${summary.reviews} reviews`,
  );
  const report = await loadFiles(store, [workDir], { authorityId: DEMO_AUTHORITY.authorityId });
  if (report.errorCount > 0) {
    const first = report.errors.slice(0, 5).map((e) => `${e.file}:${e.line} ${e.column ?? ''} ${e.message}`);
    throw new Error(`the demo authority did not load cleanly (${report.errorCount} row errors):\n${first.join('\n')}`);
  }
  await store.putAuthority({ ...DEMO_AUTHORITY, timescales: REGULATIONS_2010 });
  const rows = report.files.reduce((n, f) => n + f.accepted, 0);
  log(`loaded ${rows} rows in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  return report;
}

async function listen(server: ReturnType<typeof createAdaptorServer>, wanted: number | undefined): Promise<number> {
  const attempt = (port: number) =>
    new Promise<number>((resolvePort, reject) => {
      const onError = (error: NodeJS.ErrnoException) => reject(error);
      server.once('error', onError);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', onError);
        resolvePort((server.address() as AddressInfo).port);
      });
    });
  if (wanted !== undefined) {
    try {
      return await attempt(wanted);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE')
        throw new Error(`port ${wanted} is already in use: set PORT to another port (or 0 for any free one)`);
      throw error;
    }
  }
  try {
    return await attempt(DEFAULT_APP_PORT);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw error;
    return attempt(0);
  }
}
