/**
 * Import files as byte streams, wherever they live (a folder, the bucket), and what kind each one is:
 * told from its first bytes, not its name, so a renamed or mis-named upload is still read right.
 */
import { createReadStream } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { Readable } from 'node:stream';
import { parse } from 'csv-parse';
import { recogniseFormat, type ImportFormat } from './formats.ts';

/** One file to import: its name (for reports) and a way to read it, as often as needed. */
export interface ImportSource {
  name: string;
  open(): Promise<Readable>;
}

/** What a file's first bytes say it is. */
export type SourceKind = 'csv' | 'xml' | 'xlsx' | 'empty' | 'utf16';

/** Extensions a folder is searched for. */
export const IMPORT_EXTENSIONS = ['.csv', '.xml', '.xlsx'] as const;

/** Local files named on the command line, with folders expanded to the import files inside them (sorted, so runs repeat). */
export async function fileSources(paths: readonly string[]): Promise<ImportSource[]> {
  const files: string[] = [];
  for (const path of paths) {
    if ((await stat(path)).isDirectory()) {
      const names = (await readdir(path))
        .filter((n) => IMPORT_EXTENSIONS.some((ext) => n.toLowerCase().endsWith(ext)))
        .sort();
      files.push(...names.map((n) => join(path, n)));
    } else files.push(path);
  }
  return files.map((path) => ({ name: basename(path), open: async () => createReadStream(path) }));
}

/** The first `size` bytes of a source (fewer if it is shorter). */
async function head(source: ImportSource, size: number): Promise<Buffer> {
  const stream = await source.open();
  const chunks: Buffer[] = [];
  let length = 0;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      chunks.push(chunk);
      length += chunk.length;
      if (length >= size) break;
    }
  } finally {
    stream.destroy();
  }
  return Buffer.concat(chunks).subarray(0, size);
}

/** The kind of file: a zip is an xlsx workbook, `<` starts XML, anything else is read as CSV. */
export async function sniff(source: ImportSource): Promise<SourceKind> {
  const bytes = await head(source, 512);
  if (bytes.length === 0) return 'empty';
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) return 'utf16';
  if (bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04) return 'xlsx';
  const text = bytes
    .toString('utf8')
    .replace(/^\uFEFF/, '')
    .trimStart();
  if (text === '') return 'empty';
  return text.startsWith('<') ? 'xml' : 'csv';
}

/** The CSV format a file's header row names, if any (read from the first line only). */
export async function csvFormatOf(source: ImportSource): Promise<ImportFormat | undefined> {
  const stream = await source.open();
  const parser = stream.pipe(parse({ bom: true, relax_column_count: true, skip_empty_lines: true, to_line: 1 }));
  try {
    for await (const header of parser as AsyncIterable<string[]>) return recogniseFormat(header);
  } catch {
    return undefined; // unreadable: the loader reports it when it reads the file
  } finally {
    stream.destroy();
  }
  return undefined;
}
