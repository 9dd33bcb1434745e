/** What a measured phase costs in memory (peak RSS and heapUsed) and CPU, and waiting for a process to go idle first. */
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';

const MB = 1024 * 1024;

/** A field of /proc/<pid>/status in kB (VmRSS, VmHWM), or null off Linux. */
export function procStatusKb(pid: number | 'self', field: 'VmRSS' | 'VmHWM'): number | null {
  try {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) : null;
  } catch {
    return null;
  }
}

/**
 * Resets this process's RSS high-water mark to its current RSS (Linux ≥ 4.0: "5" > clear_refs),
 * so VmHWM afterwards is the peak of the phase alone, including moments the sampler cannot see
 * because the event loop is busy with synchronous work. False when not possible here.
 */
export function resetPeakRss(): boolean {
  try {
    writeFileSync('/proc/self/clear_refs', '5');
    return procStatusKb('self', 'VmHWM') !== null;
  } catch {
    return false;
  }
}

export interface MemoryPeaks {
  /** RSS when sampling started (the process before the phase). */
  startRssMb: number;
  /** Highest sampled RSS. */
  sampledPeakRssMb: number;
  /** Linux's exact peak since resetPeakRss(), when available. */
  hwmPeakRssMb: number | null;
  /** Highest sampled V8 heapUsed. */
  peakHeapUsedMb: number;
  /** Highest sampled memory outside the V8 heap held by JS objects (Buffers and other ArrayBuffers among it). */
  peakExternalMb: number;
  /** Seconds from the start of sampling to the highest sampled RSS: which phase it fell in. */
  peakRssAtSeconds: number;
  samples: number;
}

/** Samples process.memoryUsage() every `intervalMs` until stopped; a sample is also taken at start and stop. */
export class MemorySampler {
  private readonly timer: NodeJS.Timeout;
  private readonly startRss: number;
  private readonly hwm: boolean;
  private peakRss = 0;
  private peakHeap = 0;
  private peakExternal = 0;
  private peakRssAt = 0;
  private samples = 0;
  private readonly started = performance.now();

  constructor(intervalMs = 50) {
    this.hwm = resetPeakRss();
    this.startRss = process.memoryUsage.rss();
    this.sample();
    this.timer = setInterval(() => this.sample(), intervalMs);
  }

  private sample(): void {
    const { rss, heapUsed, external } = process.memoryUsage();
    if (rss > this.peakRss) {
      this.peakRss = rss;
      this.peakRssAt = (performance.now() - this.started) / 1000;
    }
    if (heapUsed > this.peakHeap) this.peakHeap = heapUsed;
    if (external > this.peakExternal) this.peakExternal = external;
    // IRO_BENCH_MEMORY_TRACE=<file>: one line a second (seconds, RSS, heapUsed, external, in MB) to see where memory goes.
    const trace = process.env.IRO_BENCH_MEMORY_TRACE;
    if (trace && this.samples % 20 === 0) {
      appendFileSync(
        trace,
        `${((performance.now() - this.started) / 1000).toFixed(1)}\t${(rss / MB).toFixed(0)}\t${(heapUsed / MB).toFixed(0)}\t${(external / MB).toFixed(0)}\n`,
      );
    }
    this.samples += 1;
  }

  stop(): MemoryPeaks {
    this.sample();
    clearInterval(this.timer);
    const hwmKb = this.hwm ? procStatusKb('self', 'VmHWM') : null;
    return {
      startRssMb: this.startRss / MB,
      sampledPeakRssMb: this.peakRss / MB,
      hwmPeakRssMb: hwmKb === null ? null : hwmKb / 1024,
      peakHeapUsedMb: this.peakHeap / MB,
      peakExternalMb: this.peakExternal / MB,
      peakRssAtSeconds: this.peakRssAt,
      samples: this.samples,
    };
  }
}

/** CPU seconds (user + system, all threads) a process has used so far, from /proc/<pid>/stat; null off Linux. */
export function processCpuSeconds(pid: number): number | null {
  try {
    // Fields after the command name (which may hold spaces) start at state; utime and stime are the 12th and 13th of those.
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return null;
  }
}

/**
 * Waits until a process has been nearly idle (under 5% of a core) for three one-second samples, or
 * `maxSeconds` pass. After a bulk load LevelDB keeps compacting in background threads for a while,
 * and a measurement started then would share the two cores with it.
 */
export async function waitUntilIdle(
  pid: number,
  maxSeconds: number,
): Promise<{ waitedSeconds: number; idle: boolean }> {
  const started = performance.now();
  let last = processCpuSeconds(pid);
  if (last === null) return { waitedSeconds: 0, idle: false };
  let quiet = 0;
  while ((performance.now() - started) / 1000 < maxSeconds) {
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const now = processCpuSeconds(pid);
    if (now === null) break;
    quiet = now - last < 0.05 ? quiet + 1 : 0;
    last = now;
    if (quiet >= 3) return { waitedSeconds: (performance.now() - started) / 1000, idle: true };
  }
  return { waitedSeconds: (performance.now() - started) / 1000, idle: false };
}
