/** Job leases, the heartbeat that renews them, and the bounded messages a job item keeps: pure rules, no store. */
import { spawnSync } from 'node:child_process';
import { hostname } from 'node:os';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Heartbeat } from '#jobs/heartbeat';
import {
  DEFAULT_LEASE_SECONDS,
  LeaseLostError,
  MAX_LEASE_SECONDS,
  UPLOADS_HOLDER,
  leasePolicy,
  mayClaim,
  newLease,
  processAlive,
  renewed,
  staleness,
  thisHolder,
  type LeasePolicy,
} from '#jobs/lease';
import { MAX_NOTE_CHARS, MAX_REASON_CHARS, boundedMessage, listSome, reasonOf } from '#jobs/messages';

const T0 = new Date('2026-12-01T09:00:00.000Z');
const at = (ms: number) => new Date(T0.getTime() + ms);
const policy = (holder: string, durationMs = 90_000): LeasePolicy => ({
  durationMs,
  heartbeatMs: durationMs / 3,
  holder,
});
const HOST = hostname();
/** A pid on this machine that no process has: a child that has exited. */
const deadPid = (() => {
  const child = spawnSync(process.execPath, ['-e', '']);
  return child.pid!;
})();

describe('staleness', () => {
  const lambda = newLease('run-1', policy('lambda:iro-audit-segment'), T0);

  it('keeps a lease live until the moment it expires, then calls it stale, saying when it was last renewed', () => {
    expect(staleness(lambda, at(89_999))).toEqual({ stale: false });
    expect(staleness(lambda, at(90_000))).toEqual({
      stale: true,
      why: 'the process running it (lambda:iro-audit-segment) stopped renewing its lease at 2026-12-01T09:00:00.000Z',
    });
  });

  it('says a pending import’s upload links expired, rather than naming a process', () => {
    const uploads = newLease('awaiting-uploads', policy(UPLOADS_HOLDER, 60_000), T0);
    expect(staleness(uploads, at(60_000))).toEqual({ stale: true, why: 'its upload links expired' });
  });

  it('calls a lease stale at once when the process of this machine that held it has gone, long before it expires', () => {
    const lease = newLease('run-2', policy(`${HOST}:${deadPid}`), T0);
    const alive = vi.fn(() => false);
    expect(staleness(lease, at(1), alive)).toEqual({
      stale: true,
      why: `the process running it (${HOST}:${deadPid}) stopped`,
    });
    expect(alive).toHaveBeenCalledWith(deadPid);
    // The real check too: the child has exited.
    expect(staleness(lease, at(1))).toMatchObject({ stale: true });
  });

  it('keeps a lease of a live process of this machine until it expires', () => {
    const lease = newLease('run-3', policy(`${HOST}:4242`), T0);
    expect(staleness(lease, at(89_999), () => true)).toEqual({ stale: false });
    expect(staleness(lease, at(90_000), () => true)).toMatchObject({
      stale: true,
      why: expect.stringContaining('stopped renewing its lease'),
    });
  });

  it('never asks about a process of another machine, nor about this very process', () => {
    const alive = vi.fn(() => false);
    expect(staleness(newLease('run-4', policy('laptop-2:4242'), T0), at(1), alive)).toEqual({ stale: false });
    expect(staleness(newLease('run-5', policy(`${HOST}:${process.pid}`), T0), at(1), alive)).toEqual({ stale: false });
    expect(staleness(lambda, at(1), alive)).toEqual({ stale: false });
    expect(alive).not.toHaveBeenCalled();
  });

  it('finds this process alive and an exited one gone', () => {
    expect(processAlive(process.pid)).toBe(true);
    expect(processAlive(deadPid)).toBe(false);
  });
});

describe('mayClaim', () => {
  const held = newLease('run-a', policy('lambda:x'), T0);

  it('lets a run take a job nobody holds, or one it holds already', () => {
    expect(mayClaim(null, 'run-b', T0)).toBe(true);
    expect(mayClaim(undefined, 'run-b', T0)).toBe(true);
    expect(mayClaim(held, 'run-a', at(1))).toBe(true);
  });

  it('refuses another run while the lease is live, and lets it take a stale one', () => {
    expect(mayClaim(held, 'run-b', at(89_999))).toBe(false);
    expect(mayClaim(held, 'run-b', at(90_000))).toBe(true);
  });
});

describe('newLease and renewed', () => {
  it('renews for another full length from now, in the renewing process’s name, keeping the owner, the start and the takeovers', () => {
    const lease = newLease('run-a', policy('laptop:1'), T0, 2);
    expect(lease).toEqual({
      owner: 'run-a',
      holder: 'laptop:1',
      acquiredAt: T0.toISOString(),
      renewedAt: T0.toISOString(),
      expiresAt: at(90_000).toISOString(),
      takeovers: 2,
    });
    const later = renewed(lease, policy('laptop:2', 30_000), at(45_000));
    expect(later).toEqual({
      owner: 'run-a',
      holder: 'laptop:2',
      acquiredAt: T0.toISOString(),
      renewedAt: at(45_000).toISOString(),
      expiresAt: at(75_000).toISOString(),
      takeovers: 2,
    });
  });
});

describe('leasePolicy', () => {
  it('lasts 90 s, renewed every 30 s, unless IRO_LEASE_SECONDS says otherwise', () => {
    expect(leasePolicy({}, { holder: 'h' })).toEqual({
      durationMs: DEFAULT_LEASE_SECONDS * 1000,
      heartbeatMs: 30_000,
      holder: 'h',
    });
    expect(leasePolicy({ IRO_LEASE_SECONDS: '300' }, { holder: 'h' })).toEqual({
      durationMs: 300_000,
      heartbeatMs: 100_000,
      holder: 'h',
    });
    expect(leasePolicy({ IRO_LEASE_SECONDS: ' 120 ' }).durationMs).toBe(120_000);
    expect(leasePolicy({ IRO_LEASE_SECONDS: String(MAX_LEASE_SECONDS) }).durationMs).toBe(MAX_LEASE_SECONDS * 1000);
    expect(leasePolicy({ IRO_LEASE_SECONDS: '1' }).durationMs).toBe(1000);
  });

  it.each(['', '   ', 'ninety', '0', '-30', '0.5', 'Infinity', 'NaN', String(MAX_LEASE_SECONDS + 1), '1e9'])(
    'falls back to 90 s for IRO_LEASE_SECONDS=%j',
    (value) => {
      const chosen = leasePolicy({ IRO_LEASE_SECONDS: value });
      expect(chosen.durationMs).toBe(90_000);
      expect(chosen.heartbeatMs).toBe(30_000);
    },
  );

  it('takes milliseconds from overrides (never renewing more often than every 10 ms), and names the process', () => {
    expect(leasePolicy({ IRO_LEASE_SECONDS: '300' }, { durationMs: 600 })).toMatchObject({
      durationMs: 600,
      heartbeatMs: 200,
    });
    expect(leasePolicy({}, { durationMs: 15 }).heartbeatMs).toBe(10);
    expect(leasePolicy({}, { durationMs: 600, heartbeatMs: 50 }).heartbeatMs).toBe(50);
    expect(leasePolicy({ AWS_LAMBDA_FUNCTION_NAME: 'iro-audit-segment' }).holder).toBe('lambda:iro-audit-segment');
    expect(leasePolicy({}).holder).toBe(`${HOST}:${process.pid}`);
    expect(thisHolder({})).toBe(`${HOST}:${process.pid}`);
  });
});

describe('Heartbeat', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  /** A renewal that settles only when the test says so. */
  function deferred() {
    let settle!: (error?: unknown) => void;
    const promise = new Promise<void>((resolve, reject) => {
      settle = (error) => (error === undefined ? resolve() : reject(error));
    });
    return { promise, settle };
  }

  it('renews once every beat, the first one beat after it starts, and not after it stops', async () => {
    const renew = vi.fn(() => Promise.resolve());
    const beat = new Heartbeat(renew, 1_000).start();
    await vi.advanceTimersByTimeAsync(999);
    expect(renew).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(2_001);
    expect(renew).toHaveBeenCalledTimes(3);
    await beat.stop();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(renew).toHaveBeenCalledTimes(3);
    expect(beat.lost).toBeNull();
    expect(() => beat.assertHeld()).not.toThrow();
  });

  it('stops for good when a renewal finds the lease taken over, and the run then stops at its next check', async () => {
    const lost = new LeaseLostError('audit a1', 'run-1', newLease('recover-2', policy('laptop:2'), T0));
    const renew = vi.fn().mockResolvedValueOnce(undefined).mockRejectedValueOnce(lost).mockResolvedValue(undefined);
    const beat = new Heartbeat(renew, 1_000).start();
    await vi.advanceTimersByTimeAsync(2_000);
    expect(beat.lost).toBe(lost);
    expect(() => beat.assertHeld()).toThrow('audit a1: the run run-1 no longer holds its lease (now recover-2)');
    await vi.advanceTimersByTimeAsync(10_000);
    expect(renew).toHaveBeenCalledTimes(2);
    await beat.stop();
  });

  it('tries a renewal that failed for another reason (a throttled write) again at the next beat, still holding the lease', async () => {
    const throttled = Object.assign(new Error('Rate of requests exceeds the allowed throughput.'), {
      name: 'ProvisionedThroughputExceededException',
    });
    const renew = vi
      .fn()
      .mockRejectedValueOnce(throttled)
      .mockRejectedValueOnce(throttled)
      .mockResolvedValue(undefined);
    const beat = new Heartbeat(renew, 1_000).start();
    await vi.advanceTimersByTimeAsync(3_000);
    expect(renew).toHaveBeenCalledTimes(3);
    expect(beat.lost).toBeNull();
    expect(() => beat.assertHeld()).not.toThrow();
    await beat.stop();
  });

  it('never runs two renewals at once: a slow store does not pile them up', async () => {
    const slow = deferred();
    const renew = vi.fn(() => slow.promise);
    const beat = new Heartbeat(renew, 1_000).start();
    await vi.advanceTimersByTimeAsync(5_000);
    expect(renew).toHaveBeenCalledTimes(1);
    slow.settle();
    await vi.advanceTimersByTimeAsync(1_000);
    expect(renew).toHaveBeenCalledTimes(2);
    await beat.stop();
  });

  it('stop() waits for a renewal under way, so none lands after the run’s last write', async () => {
    const slow = deferred();
    const renew = vi.fn(() => slow.promise);
    const beat = new Heartbeat(renew, 1_000).start();
    await vi.advanceTimersByTimeAsync(1_000);
    let stopped = false;
    const stopping = beat.stop().then(() => {
      stopped = true;
    });
    await vi.advanceTimersByTimeAsync(5_000);
    expect(stopped).toBe(false);
    slow.settle(new Error('connection reset'));
    await stopping;
    expect(stopped).toBe(true);
    expect(renew).toHaveBeenCalledTimes(1);
  });
});

describe('bounded messages', () => {
  const letters = (n: number) => Array.from({ length: n }, (_, i) => String.fromCharCode(97 + (i % 26))).join('');

  it('keeps a message of exactly the limit as it is, and cuts one character more to the limit, saying so', () => {
    const exact = letters(MAX_REASON_CHARS);
    expect(boundedMessage(exact)).toBe(exact);
    const over = letters(MAX_REASON_CHARS + 1);
    const cut = boundedMessage(over);
    expect(cut).toHaveLength(MAX_REASON_CHARS);
    expect(cut).toContain(' … (cut short) … ');
    const [head, tail] = cut.split(' … (cut short) … ');
    expect(over.startsWith(head!)).toBe(true);
    expect(over.endsWith(tail!)).toBe(true);
    expect(head!.length).toBeGreaterThan(tail!.length);
  });

  it('squeezes whitespace runs (new lines, tabs) to single spaces, so a long-looking but short message is kept whole', () => {
    expect(boundedMessage('  the file\n\n\tcould not\r\n be read  ')).toBe('the file could not be read');
    const padded = `start${' \n'.repeat(MAX_REASON_CHARS)}end`;
    expect(boundedMessage(padded)).toBe('start end');
    expect(boundedMessage(' \n\t ')).toBe('');
  });

  it('cuts a huge message (a header of a million columns) to the limit, keeping its start and the end that says why', () => {
    const columns = Array.from({ length: 1_000_000 }, (_, i) => `C${i}`).join(', ');
    const refusal = `the columns ${columns} match no known file. Known files: header.csv, episodes.csv, reviews.csv`;
    const note = boundedMessage(refusal, MAX_NOTE_CHARS);
    expect(note.length).toBeLessThanOrEqual(MAX_NOTE_CHARS);
    expect(note.length).toBeGreaterThan(MAX_NOTE_CHARS - 10);
    expect(note.startsWith('the columns C0, C1, C2')).toBe(true);
    expect(note).toContain(' … (cut short) … ');
    expect(note.endsWith('match no known file. Known files: header.csv, episodes.csv, reviews.csv')).toBe(true);
  });

  it('reads only the ends of a huge message padded with whitespace, and keeps what it says', () => {
    expect(boundedMessage(`start${' '.repeat(5_000_000)}end`)).toBe('start end');
    const both = boundedMessage(`${'a'.repeat(3_000_000)}${' '.repeat(3_000_000)}${'z'.repeat(3_000_000)}`, 100);
    expect(both).toBe(`${'a'.repeat(50)} … (cut short) … ${'z'.repeat(33)}`);
  });

  it('never goes past a limit smaller than the cut mark itself', () => {
    expect(boundedMessage('a long reason indeed', 5)).toBe('a lon');
    expect(boundedMessage('a long reason indeed', 0)).toBe('');
  });

  it('lists the first few of a list and counts the rest', () => {
    expect(listSome([])).toBe('');
    expect(listSome(['a.csv', 'b.csv'], 2)).toBe('a.csv, b.csv');
    expect(listSome(['a.csv', 'b.csv', 'c.csv'], 2)).toBe('a.csv, b.csv and 1 more');
    const many = Array.from({ length: 1_000_000 }, (_, i) => `C${i}`);
    expect(listSome(many)).toBe(`${many.slice(0, 20).join(', ')} and 999,980 more`);
  });

  it('gives an error’s message as its reason, bounded, never its stack or "[object Object]"', () => {
    const error = new Error('the upload episodes.csv is not in the bucket');
    expect(error.stack).toContain('    at ');
    expect(reasonOf(error)).toBe('the upload episodes.csv is not in the bucket');
    expect(reasonOf(Object.assign(new Error(''), { name: 'TimeoutError' }))).toBe('TimeoutError');
    expect(reasonOf('States.Timeout')).toBe('States.Timeout');
    expect(reasonOf({ message: 'Access Denied', Code: 'AccessDenied' })).toBe('Access Denied');
    expect(reasonOf(42)).toBe('42');
    expect(reasonOf(new Error('x'.repeat(50_000)), 300)).toHaveLength(300);
  });
});
