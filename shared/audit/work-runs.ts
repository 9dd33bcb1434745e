/**
 * Sorted runs in the bucket and their merge: how an audit keeps a national population out of memory.
 * A segment writes what it gathers as runs of JSON Lines, each sorted by key; the finishing step
 * reads every run through a small window at a time and merges them into one stream in key order.
 */
import { unitOrder } from '#engine/order';
import { getBytes, type ObjectStore } from '#store/object-store';

/** One run as its segment checkpoint lists it. */
export interface RunRef {
  key: string;
  bytes: number;
  items: number;
}

/** One merged item: its sort key and its JSON. */
export interface RunItem {
  key: string;
  json: string;
}

/** The order everything is published in: the engine's. */
export { unitOrder };

/** A run is written once this much JSON has gathered: a segment holds at most about this much. */
export const RUN_BYTES = 4 * 1024 * 1024;
/** How much of each run the merge reads at a time: the merge holds about twice this much per run. */
export const MERGE_WINDOW_BYTES = 128 * 1024;

/**
 * Puts one object at a time without waiting for it: the writer carries on while its last chunk
 * travels, and the next put (or `settle`) waits for it first, so a failed put still surfaces, and
 * at most one chunk is in flight.
 */
class WriteBehind {
  private pending: Promise<unknown> | undefined;
  constructor(private readonly objects: ObjectStore) {}

  async put(key: string, body: Uint8Array, contentType: string): Promise<void> {
    await this.settle();
    const put = this.objects.put(key, body, contentType);
    // Awaited by the next put or settle, which rethrows; marked handled now so a writer given up early leaves no unhandled rejection.
    put.catch(() => {});
    this.pending = put;
  }

  /** Waits for the put in flight, if any; throws if it failed. */
  async settle(): Promise<void> {
    const pending = this.pending;
    this.pending = undefined;
    await pending;
  }
}

/** Gathers keyed items, writes them as sorted runs of at most about RUN_BYTES, and lists what it wrote. */
export class RunWriter {
  private buffer: RunItem[] = [];
  private bytes = 0;
  private readonly runs: RunRef[] = [];
  private readonly writer: WriteBehind;

  /** `prefix` ends in '/'; runs are named run-0000.jsonl, run-0001.jsonl, … so a retried segment overwrites its own. */
  constructor(
    objects: ObjectStore,
    private readonly prefix: string,
    private readonly runBytes = RUN_BYTES,
  ) {
    this.writer = new WriteBehind(objects);
  }

  /** Adds one item; writes a run when enough has gathered. Keys never hold a tab or a line end. */
  async add(key: string, value: unknown): Promise<void> {
    if (/[\t\n\r]/.test(key)) throw new Error(`a run key cannot hold a tab or line end: ${JSON.stringify(key)}`);
    const json = JSON.stringify(value);
    this.buffer.push({ key, json });
    this.bytes += key.length + json.length + 2;
    if (this.bytes >= this.runBytes) await this.flush();
  }

  /** Writes what is left and returns every run written, in order, once all are stored. */
  async finish(): Promise<RunRef[]> {
    await this.flush();
    await this.writer.settle();
    return [...this.runs];
  }

  private async flush(): Promise<void> {
    if (this.buffer.length === 0) return;
    const items = this.buffer.sort((a, b) => unitOrder(a.key, b.key));
    this.buffer = [];
    this.bytes = 0;
    const body = Buffer.from(items.map((i) => `${i.key}\t${i.json}\n`).join(''), 'utf8');
    const key = `${this.prefix}run-${String(this.runs.length).padStart(4, '0')}.jsonl`;
    await this.writer.put(key, body, 'application/x-ndjson');
    this.runs.push({ key, bytes: body.byteLength, items: items.length });
  }
}

/** Reads one run a window at a time, as lines, the next window fetched while this one is worked through. */
class RunCursor {
  private lines: string[] = [];
  private index = 0;
  /** Where the next window to fetch begins. */
  private offset = 0;
  private rest: Buffer = Buffer.alloc(0);
  /** The window at `offset`, already asked for. */
  private ahead: Promise<Uint8Array | null> | undefined;

  constructor(
    private readonly objects: ObjectStore,
    readonly run: RunRef,
    private readonly window: number,
  ) {}

  /** The current item, or undefined at the end (call `fill` first). */
  current: RunItem | undefined;

  /** Moves to the next item if it is in hand (no read needed); false when `next` must read. */
  advance(): boolean {
    if (this.index >= this.lines.length) return false;
    this.take();
    return true;
  }

  private fetch(): Promise<Uint8Array | null> | undefined {
    if (this.offset >= this.run.bytes) return undefined;
    const read = getBytes(this.objects, this.run.key, this.offset, Math.min(this.window, this.run.bytes - this.offset));
    // Awaited when its turn comes, which rethrows; marked handled now so a merge given up early leaves no unhandled rejection.
    read.catch(() => {});
    return read;
  }

  /** Moves to the next item, reading another window when the lines in hand are used up. */
  async next(): Promise<void> {
    while (this.index >= this.lines.length) {
      const read = this.ahead ?? this.fetch();
      this.ahead = undefined;
      if (!read) {
        if (this.rest.byteLength > 0) throw new Error(`work file ${this.run.key} does not end with a line end`);
        this.current = undefined;
        return;
      }
      const bytes = await read;
      if (bytes === null) throw new Error(`work file ${this.run.key} is missing`);
      if (bytes.byteLength === 0)
        throw new Error(`work file ${this.run.key} is shorter than its ${this.run.bytes} bytes`);
      this.offset += bytes.byteLength;
      // The next window travels while this one's lines are merged: the merge seldom waits for a read.
      this.ahead = this.fetch();
      const chunk =
        this.rest.byteLength > 0
          ? Buffer.concat([this.rest, bytes])
          : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      const last = chunk.lastIndexOf(0x0a);
      // A line cut by the window is kept (as bytes, so a character split in two survives) for the next read.
      this.rest = Buffer.from(chunk.subarray(last + 1));
      this.lines = last < 0 ? [] : chunk.toString('utf8', 0, last).split('\n');
      this.index = 0;
    }
    this.take();
  }

  private take(): void {
    const line = this.lines[this.index++]!;
    const tab = line.indexOf('\t');
    this.current = { key: line.slice(0, tab), json: line.slice(tab + 1) };
  }
}

/**
 * Every item of the runs, in key order (unitOrder). Memory is two windows per run (the one being
 * merged and the next), whatever their size; items with the same key come out together (in no particular order).
 */
export async function* mergeRuns(
  objects: ObjectStore,
  runs: readonly RunRef[],
  window = MERGE_WINDOW_BYTES,
): AsyncIterable<RunItem> {
  const heap: RunCursor[] = [];
  const less = (a: RunCursor, b: RunCursor) => unitOrder(a.current!.key, b.current!.key) < 0;
  const up = (i: number) => {
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!less(heap[i]!, heap[parent]!)) break;
      [heap[i], heap[parent]] = [heap[parent]!, heap[i]!];
      i = parent;
    }
  };
  const down = (i: number) => {
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let least = i;
      if (l < heap.length && less(heap[l]!, heap[least]!)) least = l;
      if (r < heap.length && less(heap[r]!, heap[least]!)) least = r;
      if (least === i) return;
      [heap[i], heap[least]] = [heap[least]!, heap[i]!];
      i = least;
    }
  };
  // The first windows are read a few at a time rather than all at once or one by one.
  const cursors = runs.filter((r) => r.items > 0).map((r) => new RunCursor(objects, r, window));
  for (let i = 0; i < cursors.length; i += 8) await Promise.all(cursors.slice(i, i + 8).map((c) => c.next()));
  for (const cursor of cursors) {
    if (cursor.current) {
      heap.push(cursor);
      up(heap.length - 1);
    }
  }
  while (heap.length > 0) {
    const top = heap[0]!;
    yield top.current!;
    if (!top.advance()) await top.next();
    if (top.current) down(0);
    else {
      const last = heap.pop()!;
      if (heap.length > 0) {
        heap[0] = last;
        down(0);
      }
    }
  }
}

/** Lines written to the bucket in order, as numbered chunks of about `chunkBytes` each: the findings pass's spools. */
export class LineSpool {
  private lines: string[] = [];
  private bytes = 0;
  private readonly chunks: RunRef[] = [];
  private readonly writer: WriteBehind;

  constructor(
    objects: ObjectStore,
    private readonly prefix: string,
    private readonly chunkBytes: number,
  ) {
    this.writer = new WriteBehind(objects);
  }

  async add(line: string): Promise<void> {
    this.lines.push(line);
    this.bytes += line.length + 1;
    if (this.bytes >= this.chunkBytes) await this.flush();
  }

  /** Writes what is left and lists every chunk, in order, once all are stored. */
  async finish(): Promise<RunRef[]> {
    await this.flush();
    await this.writer.settle();
    return [...this.chunks];
  }

  private async flush(): Promise<void> {
    if (this.lines.length === 0) return;
    const body = Buffer.from(`${this.lines.join('\n')}\n`, 'utf8');
    const key = `${this.prefix}-${String(this.chunks.length).padStart(4, '0')}.jsonl`;
    await this.writer.put(key, body, 'application/x-ndjson');
    this.chunks.push({ key, bytes: body.byteLength, items: this.lines.length });
    this.lines = [];
    this.bytes = 0;
  }
}

/**
 * A spool's chunks as text, in order: whole lines, each ending in '\n'. The next chunk is fetched
 * while the caller works on this one, so about two chunks are in memory.
 */
export async function* spoolText(objects: ObjectStore, chunks: readonly RunRef[]): AsyncIterable<string> {
  const fetch = (chunk: RunRef) =>
    objects.get(chunk.key).then((bytes) => {
      if (bytes === null) throw new Error(`work file ${chunk.key} is missing`);
      return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
    });
  let next = chunks.length > 0 ? fetch(chunks[0]!) : undefined;
  // A fetch begun ahead is awaited even if the caller stops early, so it never rejects unseen.
  try {
    for (let i = 0; next; i += 1) {
      const text = await next;
      next = i + 1 < chunks.length ? fetch(chunks[i + 1]!) : undefined;
      yield text;
    }
  } finally {
    await next?.catch(() => {});
  }
}

/** A spool's lines, in order, about two chunks in memory at a time. */
export async function* spoolLines(objects: ObjectStore, chunks: readonly RunRef[]): AsyncIterable<string> {
  for await (const text of spoolText(objects, chunks)) {
    const lines = text.split('\n');
    lines.pop();
    yield* lines;
  }
}
