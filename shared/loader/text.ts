/**
 * Text files as they really come: UTF-8 with or without a byte-order mark, or Windows-1252 (what
 * Excel's "CSV" writes on a UK Windows machine), told apart by reading the bytes; and the delimiter
 * a CSV export uses (comma, semicolon or tab), told from its first line.
 */
import { Transform, type Readable } from 'node:stream';
import type { ImportSource } from './sources.ts';

export type TextEncoding = 'UTF-8' | 'UTF-8 with BOM' | 'Windows-1252';

/** Bytes Windows-1252 leaves undefined: a file holding one is in neither encoding the importer reads. */
const UNDEFINED_IN_1252 = new Set([0x81, 0x8d, 0x8f, 0x90, 0x9d]);

/**
 * Reads the whole file once: UTF-8 when every byte sequence is valid UTF-8 (with or without a BOM),
 * otherwise Windows-1252 when every byte is defined there; otherwise a reason to refuse the file.
 */
export async function detectEncoding(source: ImportSource): Promise<{ encoding: TextEncoding } | { refused: string }> {
  const stream = await source.open();
  const utf8 = new TextDecoder('utf-8', { fatal: true });
  let isUtf8 = true;
  let first = true;
  let bom = false;
  let undefinedByte: { byte: number; offset: number } | null = null;
  let offset = 0;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      if (first) {
        bom = chunk.length >= 3 && chunk[0] === 0xef && chunk[1] === 0xbb && chunk[2] === 0xbf;
        first = false;
      }
      if (isUtf8) {
        try {
          utf8.decode(chunk, { stream: true });
        } catch {
          isUtf8 = false;
        }
      }
      if (!isUtf8 && undefinedByte === null) {
        const at = chunk.findIndex((byte) => UNDEFINED_IN_1252.has(byte));
        if (at >= 0) undefinedByte = { byte: chunk[at]!, offset: offset + at };
      }
      offset += chunk.length;
    }
    if (isUtf8) {
      try {
        utf8.decode();
      } catch {
        isUtf8 = false;
      }
    }
  } finally {
    stream.destroy();
  }
  if (isUtf8) return { encoding: bom ? 'UTF-8 with BOM' : 'UTF-8' };
  if (undefinedByte) {
    return {
      refused: `the file is neither UTF-8 nor Windows-1252 text (byte 0x${undefinedByte.byte.toString(16).toUpperCase()} at byte ${undefinedByte.offset + 1} means nothing in either): save it as "CSV UTF-8" and import it again`,
    };
  }
  return { encoding: 'Windows-1252' };
}

/** The file's text as a stream of strings, decoded from its encoding (a BOM dropped). */
export async function openText(source: ImportSource, encoding: TextEncoding): Promise<Readable> {
  const decoder = new TextDecoder(encoding === 'Windows-1252' ? 'windows-1252' : 'utf-8', { ignoreBOM: false });
  const bytes = await source.open();
  const text = new Transform({
    readableObjectMode: false,
    decodeStrings: true,
    transform(chunk: Buffer, _encoding, done) {
      done(null, decoder.decode(chunk, { stream: true }));
    },
    flush(done) {
      done(null, decoder.decode());
    },
  });
  bytes.on('error', (error) => text.destroy(error));
  text.on('close', () => bytes.destroy());
  return bytes.pipe(text);
}

export type Delimiter = ',' | ';' | '\t';
export const DELIMITER_NAMES: Record<Delimiter, string> = { ',': 'comma', ';': 'semicolon', '\t': 'tab' };

/**
 * The delimiter of a CSV file, from its first line: whichever of comma, semicolon and tab appears
 * most often outside quotes (a comma when none does, e.g. a one-column file).
 */
export function detectDelimiter(firstLine: string): Delimiter {
  const counts: Record<Delimiter, number> = { ',': 0, ';': 0, '\t': 0 };
  let quoted = false;
  for (const char of firstLine) {
    if (char === '"') quoted = !quoted;
    else if (!quoted && (char === ',' || char === ';' || char === '\t')) counts[char] += 1;
  }
  const best = (Object.entries(counts) as [Delimiter, number][]).sort((a, b) => b[1] - a[1])[0]!;
  return best[1] === 0 ? ',' : best[0];
}

/** The first line of a text stream (without its line ending), reading no more than needed. */
export async function firstLineOf(text: Readable): Promise<string> {
  let seen = '';
  try {
    for await (const chunk of text as AsyncIterable<string>) {
      seen += chunk;
      const end = seen.search(/\r?\n/);
      if (end >= 0) return seen.slice(0, end);
      if (seen.length > 1_000_000) break; // a "line" that long is not a header: the reader reports it
    }
  } finally {
    text.destroy();
  }
  return seen;
}
