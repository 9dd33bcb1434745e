/**
 * The object store port over a local folder: `npm run audit -- --out <dir>` publishes through it,
 * so the files on disk are exactly the files in the bucket, manifest included.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import type { ObjectStore } from './object-store.ts';

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
