/**
 * Leases on job items (an import, an audit's run): which run owns the job, which process last
 * renewed it, and until when. A run renews its lease while it works and gives it up when the job
 * comes to rest; a lease not renewed in time, or renewed last by a process on this machine that no
 * longer exists, is stale, and recovery (shared/service/recovery.ts) takes it over. Every change
 * to a lease is a conditional write of the job item over the version read, so of two takers only
 * one wins. Pure: no I/O but asking the operating system whether a process is alive.
 *
 * @example
 *   const policy = leasePolicy({ IRO_LEASE_SECONDS: '90' });
 *   const lease = newLease('demo--a1', policy, new Date());
 *   staleness(lease, new Date(Date.now() + 91_000)).stale; // true: not renewed within 90 s
 */
import { hostname } from 'node:os';
import * as z from 'zod';
import { AppError } from '#errors';

export const Lease = z.object({
  /** The run holding the job: one attempt at it (a Step Functions execution's name, or an id made for the run). */
  owner: z.string().min(1).max(200),
  /**
   * The process that last wrote the lease: `{host}:{pid}` on a laptop, `lambda:{function}` on AWS,
   * `uploads` while a pending import waits for its files (no process holds it).
   */
  holder: z.string().min(1).max(200),
  acquiredAt: z.string(),
  renewedAt: z.string(),
  expiresAt: z.string(),
  /** How often a stale lease of this job has been taken over: recovery gives up after MAX_TAKEOVERS. */
  takeovers: z.number().int().min(0),
});
export type Lease = z.infer<typeof Lease>;

/** How long a lease lasts and how often its run renews it. */
export interface LeasePolicy {
  durationMs: number;
  heartbeatMs: number;
  /** This process, as leases name it (see `thisHolder`). */
  holder: string;
}

/** A lease lasts 90 s unless IRO_LEASE_SECONDS says otherwise (AWS: 300, to ride out Step Functions' own retry pauses). */
export const DEFAULT_LEASE_SECONDS = 90;
/** Recovery takes over a job's stale lease this many times, then marks the job failed: a job that stops every time needs a person. */
export const MAX_TAKEOVERS = 3;
/** The holder of a pending import's lease: nobody works on it while its files are being uploaded. */
export const UPLOADS_HOLDER = 'uploads';

/** This process as a lease holder: the Lambda function on AWS, `{host}:{pid}` elsewhere. */
export function thisHolder(env: NodeJS.ProcessEnv = process.env): string {
  return env.AWS_LAMBDA_FUNCTION_NAME ? `lambda:${env.AWS_LAMBDA_FUNCTION_NAME}` : `${hostname()}:${process.pid}`;
}

/**
 * The most IRO_LEASE_SECONDS may say: a day. A longer lease would leave a stopped job unnoticed for
 * days, and its heartbeat would ask a timer for longer than Node's can wait (about 24.8 days: past
 * that, a timer fires after 1 ms, and the heartbeat would hammer the table).
 */
export const MAX_LEASE_SECONDS = 86_400;

/**
 * The lease policy from IRO_LEASE_SECONDS (seconds, from 1 to MAX_LEASE_SECONDS; default 90: a value
 * that is not a number in that range falls back to it), renewed every third of it. `overrides` set
 * milliseconds directly (tests use leases of a fraction of a second).
 */
export function leasePolicy(env: NodeJS.ProcessEnv = process.env, overrides: Partial<LeasePolicy> = {}): LeasePolicy {
  const raw = env.IRO_LEASE_SECONDS?.trim();
  const seconds = raw ? Number(raw) : DEFAULT_LEASE_SECONDS;
  const durationMs =
    overrides.durationMs ??
    (Number.isFinite(seconds) && seconds >= 1 && seconds <= MAX_LEASE_SECONDS
      ? seconds * 1000
      : DEFAULT_LEASE_SECONDS * 1000);
  return {
    durationMs,
    heartbeatMs: overrides.heartbeatMs ?? Math.max(10, Math.floor(durationMs / 3)),
    holder: overrides.holder ?? thisHolder(env),
  };
}

/** A fresh lease of `owner`, held by this process. */
export function newLease(owner: string, policy: LeasePolicy, now: Date, takeovers = 0): Lease {
  const at = now.toISOString();
  return {
    owner,
    holder: policy.holder,
    acquiredAt: at,
    renewedAt: at,
    expiresAt: new Date(now.getTime() + policy.durationMs).toISOString(),
    takeovers,
  };
}

/** The lease renewed by this process for another `policy.durationMs`. */
export function renewed(lease: Lease, policy: LeasePolicy, now: Date): Lease {
  return {
    ...lease,
    holder: policy.holder,
    renewedAt: now.toISOString(),
    expiresAt: new Date(now.getTime() + policy.durationMs).toISOString(),
  };
}

/** Whether a process of this machine is alive (signal 0 tests without signalling; EPERM: alive, another user's). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export type Staleness = { stale: false } | { stale: true; why: string };

/**
 * Whether a lease is stale, and why in plain words: it expired, or the process of this machine
 * that held it has gone (a laptop's stack killed and started again need not wait for the expiry).
 */
export function staleness(
  lease: Lease,
  now: Date,
  alive: (pid: number) => boolean = processAlive,
  host = hostname(),
): Staleness {
  const local = /^(.+):(\d+)$/.exec(lease.holder);
  if (local && local[1] === host && Number(local[2]) !== process.pid && !alive(Number(local[2]))) {
    return { stale: true, why: `the process running it (${lease.holder}) stopped` };
  }
  if (Date.parse(lease.expiresAt) <= now.getTime()) {
    return {
      stale: true,
      why:
        lease.holder === UPLOADS_HOLDER
          ? 'its upload links expired'
          : `the process running it (${lease.holder}) stopped renewing its lease at ${lease.renewedAt}`,
    };
  }
  return { stale: false };
}

/** Whether `owner` may take the job: nobody holds it, it holds it already, or the lease is stale. */
export function mayClaim(lease: Lease | null | undefined, owner: string, now: Date): boolean {
  return !lease || lease.owner === owner || staleness(lease, now).stale;
}

/** The run's lease was taken over (it was stale, or another run claimed it): the run must stop writing. */
export class LeaseLostError extends AppError {
  constructor(
    readonly job: string,
    readonly owner: string,
    readonly holder: Lease | null | undefined,
  ) {
    super('conflict', `${job}: the run ${owner} no longer holds its lease${holder ? ` (now ${holder.owner})` : ''}`, {
      name: 'LeaseLostError',
      code: 'lease-lost',
    });
  }
}

/** Another run holds a live lease on the job. */
export class LeaseHeldError extends AppError {
  constructor(
    readonly job: string,
    readonly lease: Lease,
  ) {
    super(
      'conflict',
      `${job} is being run by ${lease.owner} (renewed at ${lease.renewedAt}, held until ${lease.expiresAt}): wait for it to finish or stop`,
      {
        name: 'LeaseHeldError',
        code: 'lease-held',
      },
    );
  }
}
