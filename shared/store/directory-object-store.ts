/**
 * The object store port over a local folder: `npm run audit -- --out <dir>` publishes through it,
 * so the files on disk are exactly the files in the bucket, manifest included.
 */
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, open, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { once } from 'node:events';
import { dirname, join, resolve, sep } from 'node:path';
import { rechunk, type ObjectStore } from './object-store.ts';

export class DirectoryObjectStore implements ObjectStore {
  private readonly root: string;

  constructor(root: string) {
    this.root = resolve(root);
  }

  async ping(): Promise<void> {
    await mkdir(this.root, { recursive: true });
  }

  async put(key: string, body: Uint8Array | string, _contentType: string): Promise<{ sha256: string; size: number }> {
    const bytes = typeof body === 'string' ? new TextEncoder().encode(body) : body;
    const path = this.pathOf(key);
    await mkdir(dirname(path), { recursive: true });
    // Write then rename, so a reader never sees half a file.
    await writeFile(`${path}.partial`, bytes);
    await rename(`${path}.partial`, path);
    return { sha256: createHash('sha256').update(bytes).digest('hex'), size: bytes.byteLength };
  }

  async putStream(
    key: string,
    chunks: AsyncIterable<Uint8Array | string>,
    _contentType: string,
  ): Promise<{ sha256: string; size: number }> {
    const path = this.pathOf(key);
    await mkdir(dirname(path), { recursive: true });
    const hash = createHash('sha256');
    let size = 0;
    const out = createWriteStream(`${path}.partial`);
    try {
      for await (const piece of rechunk(chunks, 1024 * 1024)) {
        hash.update(piece);
        size += piece.byteLength;
        if (!out.write(piece)) await once(out, 'drain');
      }
      await new Promise<void>((resolve, reject) =>
        out.end((error?: Error | null) => (error ? reject(error) : resolve())),
      );
    } catch (error) {
      // The file may still be opening: wait for the stream to close, or the open would recreate it after the rm.
      const closed = out.closed
        ? Promise.resolve()
        : new Promise<void>((resolve) => out.once('close', () => resolve()));
      out.destroy();
      await closed;
      await rm(`${path}.partial`, { force: true });
      throw error;
    }
    await rename(`${path}.partial`, path);
    return { sha256: hash.digest('hex'), size };
  }

  async getRange(key: string, start: number, length: number): Promise<Uint8Array | null> {
    let file;
    try {
      file = await open(this.pathOf(key), 'r');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw error;
    }
    try {
      const buffer = Buffer.alloc(Math.max(0, length));
      const { bytesRead } = await file.read(buffer, 0, buffer.byteLength, start);
      return new Uint8Array(buffer.buffer, buffer.byteOffset, bytesRead);
    } finally {
      await file.close();
    }
  }

  async get(key: string): Promise<Uint8Array | null> {
    try {
      return new Uint8Array(await readFile(this.pathOf(key)));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw error;
    }
  }

  /** Keys are paths inside the root, never outside it. */
  private pathOf(key: string): string {
    const path = resolve(join(this.root, key));
    if (!path.startsWith(this.root + sep)) throw new Error(`object key "${key}" would leave ${this.root}`);
    return path;
  }
}
