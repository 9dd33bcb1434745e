/**
 * A run's heartbeat: renews its lease every `everyMs` while the run works. A renewal that finds the
 * lease taken over stops the heartbeat and marks the run lost (`assertHeld` then throws), so the run
 * stops before its next decisive write; any other failed renewal (a throttled write, a dropped
 * connection) is tried again at the next beat, and the lease's length leaves room for several.
 *
 * @example
 *   const beat = new Heartbeat(() => renewLease(), policy.heartbeatMs).start();
 *   try { await work(() => beat.assertHeld()); } finally { beat.stop(); }
 */
import { LeaseLostError } from './lease.ts';

export class Heartbeat {
  private timer: NodeJS.Timeout | undefined;
  private renewing: Promise<void> | null = null;
  private lostWith: LeaseLostError | null = null;

  constructor(
    private readonly renew: () => Promise<void>,
    private readonly everyMs: number,
  ) {}

  /** Starts beating (the first renewal after `everyMs`); the timer never keeps the process alive by itself. */
  start(): this {
    this.timer ??= setInterval(() => void this.beat(), this.everyMs);
    this.timer.unref();
    return this;
  }

  /** Stops beating and waits for a renewal under way, so none lands after the run's last write. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.renewing;
  }

  /** The lease was taken over: the error that said so, else null. */
  get lost(): LeaseLostError | null {
    return this.lostWith;
  }

  /** Throws the LeaseLostError once the lease has been taken over. */
  assertHeld(): void {
    if (this.lostWith) throw this.lostWith;
  }

  private beat(): Promise<void> {
    // One renewal at a time: a slow store must not pile them up.
    if (this.renewing || this.lostWith) return this.renewing ?? Promise.resolve();
    this.renewing = this.renew()
      .catch((error: unknown) => {
        if (error instanceof LeaseLostError) {
          this.lostWith = error;
          clearInterval(this.timer);
        }
      })
      .finally(() => {
        this.renewing = null;
      });
    return this.renewing;
  }
}
