/**
 * The recover function (the five-minute schedule on AWS) over dynalite and s3rver, as EventBridge
 * invokes it: stale leases of audits become new runner executions (Step Functions faked), stale
 * imports end failed with the reason, live leases are left alone, and only an unreachable store throws.
 */
import { randomUUID } from 'node:crypto';
import { SFNClient, StartExecutionCommand, type StartExecutionCommandInput } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { auditTrail, getAudit, launchAudit, type AuditServices, type LaunchRequest } from '#audit/jobs';
import { readTemplateLibrary } from '#audit/template-library';
import { REGULATIONS_2010 } from '#domain/timescales';
import { leasePolicy, type Lease } from '#jobs/lease';
import { createImport, ImportJob } from '#loader/import-jobs';
import { executionName } from '#service/audit-runner';
import { describeRecovery, type RecoveredJob } from '#service/recovery';
import { freshStorage } from '../support/storage.ts';

const AUTHORITY = 'recover';
const STATE_MACHINE_ARN = 'arn:aws:states:eu-west-2:123456789012:stateMachine:iro-audit-runner';
const ENV_KEYS = [
  'IRO_TABLE',
  'IRO_BUCKET',
  'DYNAMODB_ENDPOINT',
  'S3_ENDPOINT',
  'AWS_REGION',
  'IRO_AUDIT_STATE_MACHINE_ARN',
] as const;
const savedEnv = Object.fromEntries(ENV_KEYS.map((k) => [k, process.env[k]]));
const MINUTE = 60_000;

type Summary = { recovered: number; byOutcome: Partial<Record<RecoveredJob['outcome'], number>> };
let handler: () => Promise<Summary>;
let storage: Awaited<ReturnType<typeof freshStorage>>;
let svc: AuditServices;
let base: Omit<LaunchRequest, 'auditId'>;
const sfn = mockClient(SFNClient);
let logged: unknown[];

beforeAll(async () => {
  storage = await freshStorage('recover');
  svc = { store: storage.store, objects: storage.objects };
  await storage.store.putAuthority({ authorityId: AUTHORITY, name: 'Recover Borough', timescales: REGULATIONS_2010 });
  const template = (await readTemplateLibrary()).templates.get('review-timeliness-participation')!;
  base = {
    authorityId: AUTHORITY,
    template,
    period: { from: '2024-01-01', to: '2024-03-31' },
    sampling: { type: 'all' },
    seed: 7,
    autoOnly: true,
    createdBy: 'qa-lead-1',
    segments: 3,
  };

  // The function reads its wiring from the environment, as in Lambda.
  const { config } = storage;
  Object.assign(process.env, {
    IRO_TABLE: config.tableName,
    IRO_BUCKET: config.bucketName,
    DYNAMODB_ENDPOINT: config.dynamoEndpoint,
    S3_ENDPOINT: config.s3Endpoint,
    AWS_REGION: config.region,
    IRO_AUDIT_STATE_MACHINE_ARN: STATE_MACHINE_ARN,
  });
  ({ handler } = await import('../../functions/recover/handler.ts'));
});

beforeEach(() => {
  sfn.reset();
  sfn
    .on(StartExecutionCommand)
    .resolves({
      executionArn: `${STATE_MACHINE_ARN.replace(':stateMachine:', ':execution:')}:x`,
      startDate: new Date(),
    });
  logged = [];
  vi.spyOn(console, 'info').mockImplementation((line: unknown) => void logged.push(line));
  vi.spyOn(console, 'error').mockImplementation((line: unknown) => void logged.push(line));
});

afterEach(() => {
  vi.restoreAllMocks();
});

afterAll(() => {
  sfn.restore();
  for (const key of ENV_KEYS) {
    if (savedEnv[key] === undefined) delete process.env[key];
    else process.env[key] = savedEnv[key];
  }
});

/** An audit launched `minutesAgo` by a run whose Lambda (`holder`) renewed its lease then and never again. */
async function auditLeasedBy(auditId: string, minutesAgo: number, holder = 'lambda:iro-audit-segment') {
  const then = new Date(Date.now() - minutesAgo * MINUTE);
  const runId = executionName(AUTHORITY, auditId);
  await launchAudit(
    { ...svc, now: () => then, leases: leasePolicy({}, { durationMs: 5 * MINUTE, holder }) },
    { ...base, auditId, runId },
  );
  return runId;
}

/** An import whose run (in the importer Lambda) stopped `minutesAgo`: status running, lease not renewed since. */
async function importStoppedMinutesAgo(minutesAgo: number): Promise<{ importId: string; lease: Lease }> {
  const { importId } = await createImport(
    { ...storage, links: storage.objects },
    {
      authorityId: AUTHORITY,
      requestedBy: 'qa-lead-1',
      files: [{ fileName: 'episodes.csv', contentType: 'text/csv' }],
    },
  );
  const stored = await storage.store.getImportJob<unknown>(AUTHORITY, importId);
  const job = ImportJob.parse(stored!.body);
  const at = new Date(Date.now() - minutesAgo * MINUTE).toISOString();
  const lease: Lease = {
    owner: `import-${randomUUID()}`,
    holder: 'lambda:iro-audit-importer',
    acquiredAt: at,
    renewedAt: at,
    expiresAt: new Date(Date.parse(at) + 5 * MINUTE).toISOString(),
    takeovers: 0,
  };
  const running: ImportJob = {
    ...job,
    status: 'running',
    startedAt: at,
    files: job.files.map((f) => ({ ...f, uploaded: true })),
    lease,
  };
  await storage.store.putImportJob(AUTHORITY, importId, running, stored!.version, { leased: true });
  return { importId, lease };
}

const starts = () =>
  sfn.commandCalls(StartExecutionCommand).map((call) => call.args[0].input as StartExecutionCommandInput);

describe('the recover function', () => {
  it("resumes an audit whose run stopped by a new execution under a fresh name with the audit's input, fails a stopped import with the reason, and leaves live leases alone", async () => {
    const stoppedRun = await auditLeasedBy('rec-stale', 20);
    const liveRun = await auditLeasedBy('rec-live', 1);
    const stoppedImport = await importStoppedMinutesAgo(20);
    // A pending import whose upload links are still good: its lease is live too.
    const { importId: waitingImport } = await createImport(
      { ...storage, links: storage.objects },
      {
        authorityId: AUTHORITY,
        requestedBy: 'qa-lead-1',
        files: [{ fileName: 'reviews.csv', contentType: 'text/csv' }],
      },
    );

    const summary = await handler();

    expect(summary).toEqual({ recovered: 2, byOutcome: { resumed: 1, failed: 1 } });

    // One execution, for the stale audit only: a name of its own (a used one is refused for 90 days), the runner's input.
    expect(starts()).toHaveLength(1);
    const [start] = starts();
    expect(start!.stateMachineArn).toBe(STATE_MACHINE_ARN);
    expect(start!.name).toMatch(new RegExp(`^${AUTHORITY}--rec-stale--recover-[0-9a-f]{8}$`));
    expect(start!.name).not.toBe(stoppedRun);
    expect(start!.name!.length).toBeLessThanOrEqual(80);
    expect(JSON.parse(start!.input!)).toEqual({ authorityId: AUTHORITY, auditId: 'rec-stale', segments: 3 });
    // The new execution holds the audit's lease (its Lambdas renew it under $$.Execution.Name), taken over once.
    const resumed = await getAudit(svc, AUTHORITY, 'rec-stale');
    expect(resumed!.body.status).toBe('draft');
    expect(resumed!.body.lease).toMatchObject({ owner: start!.name, takeovers: 1 });
    expect((await auditTrail(svc, AUTHORITY, 'rec-stale')).at(-1)).toMatchObject({
      actor: 'system',
      action: 'recover',
      details: { run: start!.name, takeover: 1 },
    });

    // The import is failed, with the reason a QA lead reads, and no longer leased.
    const failed = ImportJob.parse(
      (await storage.store.getImportJob<unknown>(AUTHORITY, stoppedImport.importId))!.body,
    );
    expect(failed.status).toBe('failed');
    expect(failed.lease).toBeNull();
    expect(failed.failure).toContain('the import stopped before it finished');
    expect(failed.failure).toContain(
      `the process running it (lambda:iro-audit-importer) stopped renewing its lease at ${stoppedImport.lease.renewedAt}`,
    );
    expect(failed.trail.at(-1)).toMatchObject({ actor: 'system', action: 'recovered' });

    // The live ones are as they were.
    const live = await getAudit(svc, AUTHORITY, 'rec-live');
    expect(live!.body.lease).toMatchObject({ owner: liveRun, takeovers: 0 });
    const waiting = ImportJob.parse((await storage.store.getImportJob<unknown>(AUTHORITY, waitingImport))!.body);
    expect(waiting.status).toBe('pending');
    expect(waiting.lease).not.toBeNull();

    // One structured log line per job taken over, readable by itself.
    expect(logged).toHaveLength(2);
    const lines = logged as ({ recovery: string } & RecoveredJob)[];
    expect(lines.map((l) => [l.kind, l.id, l.outcome]).sort()).toEqual([
      ['audit', 'rec-stale', 'resumed'],
      ['import', stoppedImport.importId, 'failed'],
    ]);
    for (const line of lines) {
      expect(line.authorityId).toBe(AUTHORITY);
      expect(line.recovery).toBe(describeRecovery(line));
    }
  });

  it("does nothing the next time round: the resumed audit's new lease is live and the failed import holds none", async () => {
    expect(await handler()).toEqual({ recovered: 0, byOutcome: {} });
    expect(starts()).toEqual([]);
    expect(logged).toEqual([]);
  });

  it("marks an audit failed with the reason when its execution cannot be started, and still returns (one job's trouble is not the function's)", async () => {
    await auditLeasedBy('rec-refused', 20);
    sfn
      .on(StartExecutionCommand)
      .rejects(
        Object.assign(new Error('User is not authorized to perform: states:StartExecution'), {
          name: 'AccessDeniedException',
        }),
      );

    expect(await handler()).toEqual({ recovered: 1, byOutcome: { failed: 1 } });

    const audit = await getAudit(svc, AUTHORITY, 'rec-refused');
    expect(audit!.body.status).toBe('failed');
    expect(audit!.body.lease).toBeNull();
    expect(audit!.body.failure!.reason).toContain('could not be resumed');
    expect(audit!.body.failure!.reason).toContain('not authorized to perform: states:StartExecution');
    expect(logged).toEqual([
      expect.objectContaining({
        kind: 'audit',
        id: 'rec-refused',
        outcome: 'failed',
        why: expect.stringContaining('could not be resumed'),
      }),
    ]);
  });

  it("throws when the store cannot list the leased jobs, so the function's Errors metric shows it", async () => {
    vi.resetModules();
    process.env.IRO_TABLE = `missing-${randomUUID()}`;
    try {
      const { handler: unreachable } = await import('../../functions/recover/handler.ts');
      await expect(unreachable()).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
      expect(starts()).toEqual([]);
    } finally {
      process.env.IRO_TABLE = storage.config.tableName;
    }
  });

  it('refuses to start without the runner state machine, naming the setting', async () => {
    vi.resetModules();
    delete process.env.IRO_AUDIT_STATE_MACHINE_ARN;
    try {
      await expect(import('../../functions/recover/handler.ts')).rejects.toThrow(
        'IRO_AUDIT_STATE_MACHINE_ARN is not set',
      );
    } finally {
      process.env.IRO_AUDIT_STATE_MACHINE_ARN = STATE_MACHINE_ARN;
    }
  });
});
