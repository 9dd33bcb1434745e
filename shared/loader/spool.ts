/**
 * Holds an import's rows between reading and judging, partitioned by child, so that every row of a
 * child (whichever file it came in) can be judged together while memory stays bounded: rows are
 * kept in memory until they pass a size, then every partition spills to its own file on disk, and
 * the judge reads back one partition at a time.
 */
import { createReadStream } from 'node:fs';
import { appendFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

/** Partitions an import's rows are spread over (by a hash of the child's key). */
export const PARTITIONS = 64;
/** Bytes kept in memory before the spool moves to disk. */
const IN_MEMORY_BYTES = 24 * 1024 * 1024;
/** Bytes a partition buffers before it is appended to its file. */
const FLUSH_BYTES = 256 * 1024;

/** A row as spooled: any JSON value (the loader's compact row). */
export type SpooledRow = unknown;

/** FNV-1a over the key: stable, fast, spreads children evenly. */
export function partitionOf(key: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < key.length; i += 1) {
    hash ^= key.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % PARTITIONS;
}

export class RowSpool {
  private readonly buffers: string[][] = Array.from({ length: PARTITIONS }, () => []);
  private readonly bufferedBytes = new Array<number>(PARTITIONS).fill(0);
  private totalBytes = 0;
  private dir: string | null = null;
  private rows = 0;

  /** Rows spooled so far. */
  get size(): number {
    return this.rows;
  }

  /** Adds a row to the partition of `key`. */
  async add(key: string, row: SpooledRow): Promise<void> {
    const partition = partitionOf(key);
    const line = JSON.stringify(row);
    this.buffers[partition]!.push(line);
    this.bufferedBytes[partition]! += line.length + 1;
    this.totalBytes += line.length + 1;
    this.rows += 1;
    if (this.dir === null && this.totalBytes > IN_MEMORY_BYTES) {
      this.dir = await mkdtemp(join(tmpdir(), 'iro-import-spool-'));
      for (let p = 0; p < PARTITIONS; p += 1) await this.flush(p);
    } else if (this.dir !== null && this.bufferedBytes[partition]! >= FLUSH_BYTES) await this.flush(partition);
  }

  /** Every row of one partition, in the order added. */
  async partition(partition: number): Promise<SpooledRow[]> {
    if (this.dir === null) return this.buffers[partition]!.map((line) => JSON.parse(line) as SpooledRow);
    await this.flush(partition);
    const rows: SpooledRow[] = [];
    const lines = createInterface({ input: createReadStream(this.fileOf(partition)), crlfDelay: Infinity });
    try {
      for await (const line of lines) if (line !== '') rows.push(JSON.parse(line) as SpooledRow);
    } catch (error) {
      // A partition no row went to has no file.
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    return rows;
  }

  /** Removes the spool's files. */
  async close(): Promise<void> {
    if (this.dir !== null) await rm(this.dir, { recursive: true, force: true });
    this.dir = null;
  }

  private fileOf(partition: number): string {
    return join(this.dir!, `${partition}.ndjson`);
  }

  private async flush(partition: number): Promise<void> {
    const lines = this.buffers[partition]!;
    if (lines.length === 0 || this.dir === null) return;
    this.buffers[partition] = [];
    this.bufferedBytes[partition] = 0;
    await appendFile(this.fileOf(partition), `${lines.join('\n')}\n`);
  }
}
