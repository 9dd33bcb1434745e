/** Peak memory of a measured phase: RSS and heapUsed sampled every 50 ms, plus Linux's exact RSS high-water mark when readable. */
import { readFileSync, writeFileSync } from 'node:fs';

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
  samples: number;
}

/** Samples process.memoryUsage() every `intervalMs` until stopped; a sample is also taken at start and stop. */
export class MemorySampler {
  private readonly timer: NodeJS.Timeout;
  private readonly startRss: number;
  private readonly hwm: boolean;
  private peakRss = 0;
  private peakHeap = 0;
  private samples = 0;

  constructor(intervalMs = 50) {
    this.hwm = resetPeakRss();
    this.startRss = process.memoryUsage.rss();
    this.sample();
    this.timer = setInterval(() => this.sample(), intervalMs);
  }

  private sample(): void {
    const { rss, heapUsed } = process.memoryUsage();
    if (rss > this.peakRss) this.peakRss = rss;
    if (heapUsed > this.peakHeap) this.peakHeap = heapUsed;
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
      samples: this.samples,
    };
  }
}
