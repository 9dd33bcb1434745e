/** Streaming CSV files for the demo generator: rows go straight to disk with backpressure, so memory stays flat at any size. */
import { createWriteStream, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import { finished } from 'node:stream/promises';
import { stringify, type Stringifier } from 'csv-stringify';

/** One CSV file being written: a header row, then rows of strings in the header's column order. */
export class CsvFile {
  readonly path: string;
  readonly columns: readonly string[];
  private readonly stringifier: Stringifier;
  private readonly file: WriteStream;
  private count = 0;
  private failure: Error | undefined;

  constructor(path: string, columns: readonly string[]) {
    this.path = path;
    this.columns = columns;
    // '\n' line ends and no BOM: byte-identical output on every platform, and the loader tolerates either way.
    this.stringifier = stringify({ header: true, columns: [...columns], record_delimiter: 'unix' });
    this.file = createWriteStream(path);
    const remember = (error: Error) => (this.failure ??= error);
    this.stringifier.on('error', remember);
    this.file.on('error', remember);
    this.stringifier.pipe(this.file);
  }

  /** Rows written so far (the header not counted). */
  get rows(): number {
    return this.count;
  }

  /** Queues one row; resolves at once unless the buffers are full, in which case it waits for them to drain. */
  async write(row: readonly string[]): Promise<void> {
    if (this.failure) throw this.failure;
    if (row.length !== this.columns.length) {
      throw new RangeError(`${this.path}: a row of ${row.length} cells for ${this.columns.length} columns`);
    }
    this.count += 1;
    if (!this.stringifier.write(row)) await once(this.stringifier, 'drain');
  }

  /** Ends the file and waits until every byte is on disk. */
  async close(): Promise<void> {
    this.stringifier.end();
    await finished(this.file);
    if (this.failure) throw this.failure;
  }
}
