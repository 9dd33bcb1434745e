/** The findings bucket against a real s3rver: what goes in comes back byte for byte. */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { createS3Client } from '#config/aws-clients';
import type { StoreConfig } from '#config/config';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DirectoryObjectStore } from '#store/directory-object-store';
import { S3ObjectStore, UPLOAD_PART_BYTES, ensureBucket } from '#store/object-store';

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

describe('S3ObjectStore on s3rver', () => {
  const config: StoreConfig = {
    region: 'eu-west-2',
    tableName: 'unused',
    bucketName: `objects-${randomUUID()}`,
    s3Endpoint: inject('s3Endpoint'),
  };
  const s3 = createS3Client(config);
  const objects = new S3ObjectStore(s3, config.bucketName);

  beforeAll(async () => {
    await ensureBucket(s3, config.bucketName);
  });

  it('answers a ping once the bucket exists', async () => {
    await expect(objects.ping()).resolves.toBeUndefined();
  });

  it('fails a ping for a bucket that does not exist', async () => {
    await expect(new S3ObjectStore(s3, `missing-${randomUUID()}`).ping()).rejects.toThrow();
  });

  it('creates a bucket only once (ensureBucket is idempotent)', async () => {
    await expect(ensureBucket(s3, config.bucketName)).resolves.toBeUndefined();
  });

  it('returns every one of the 256 byte values exactly as stored', async () => {
    const bytes = Uint8Array.from({ length: 256 }, (_, i) => i);
    const stored = await objects.put('bytes/all-256.bin', bytes, 'application/octet-stream');
    expect(stored).toEqual({ sha256: sha256(bytes), size: 256 });
    const read = await objects.get('bytes/all-256.bin');
    expect(read).not.toBeNull();
    expect(Buffer.from(read!).equals(Buffer.from(bytes))).toBe(true);
  });

  it('returns a 1 MB random buffer byte for byte, with the SHA-256 it reported', async () => {
    const bytes = new Uint8Array(randomBytes(1024 * 1024 + 17));
    const stored = await objects.put('bytes/random.bin', bytes, 'application/octet-stream');
    expect(stored.size).toBe(bytes.byteLength);
    expect(stored.sha256).toBe(sha256(bytes));
    const read = await objects.get('bytes/random.bin');
    expect(read?.byteLength).toBe(bytes.byteLength);
    expect(sha256(read!)).toBe(stored.sha256);
    expect(Buffer.from(read!).equals(Buffer.from(bytes))).toBe(true);
  });

  it('stores a string as UTF-8, non-ASCII characters included', async () => {
    const text = 'Findings – Haringey IRO audit: “voice of the child” ✓ Zoë, Łódź, 日本語, emoji 👶🏽\n';
    const stored = await objects.put('reports/findings.md', text, 'text/markdown; charset=utf-8');
    const utf8 = Buffer.from(text, 'utf8');
    expect(stored).toEqual({ sha256: sha256(utf8), size: utf8.byteLength });
    const read = await objects.get('reports/findings.md');
    expect(new TextDecoder().decode(read!)).toBe(text);
  });

  it('overwrites an object in place', async () => {
    await objects.put('manifest.json', '{"v":1}', 'application/json');
    await objects.put('manifest.json', '{"v":2}', 'application/json');
    expect(new TextDecoder().decode((await objects.get('manifest.json'))!)).toBe('{"v":2}');
  });

  it('stores an empty object', async () => {
    const stored = await objects.put('empty.txt', '', 'text/plain');
    expect(stored.size).toBe(0);
    expect((await objects.get('empty.txt'))?.byteLength).toBe(0);
  });

  it('keeps aws-chunked framing out of a streamed upload through the local client (checksums WHEN_REQUIRED)', async () => {
    // With the SDK's default checksums a stream is sent aws-chunked and s3rver stores the framing
    // inside the object (299 bytes for these 256). The port sends whole buffers, but other code may stream.
    const bytes = Buffer.from(Uint8Array.from({ length: 256 }, (_, i) => 255 - i));
    await s3.send(
      new PutObjectCommand({
        Bucket: config.bucketName,
        Key: 'stream.bin',
        Body: Readable.from([bytes]),
        ContentLength: bytes.byteLength,
      }),
    );
    const read = await (
      await s3.send(new GetObjectCommand({ Bucket: config.bucketName, Key: 'stream.bin' }))
    ).Body!.transformToByteArray();
    expect(Buffer.from(read).equals(bytes)).toBe(true);
  });

  it('stores a stream larger than a part as a multipart upload, byte for byte, with the SHA-256 and size of the whole', async () => {
    const bytes = new Uint8Array(randomBytes(2 * UPLOAD_PART_BYTES + 12_345));
    // Odd-sized chunks, strings among them, so parts never line up with what the producer wrote.
    async function* chunks() {
      for (let at = 0; at < bytes.byteLength; at += 777_777)
        yield bytes.subarray(at, Math.min(at + 777_777, bytes.byteLength));
    }
    const stored = await objects.putStream('streams/large.bin', chunks(), 'application/octet-stream');
    expect(stored).toEqual({ sha256: sha256(bytes), size: bytes.byteLength });
    const read = await objects.get('streams/large.bin');
    expect(Buffer.from(read!).equals(Buffer.from(bytes))).toBe(true);
    const text = await objects.putStream(
      'streams/text.txt',
      (async function* () {
        yield 'Zoë ';
        yield Buffer.from('– Łódź');
        yield '';
      })(),
      'text/plain',
    );
    expect(new TextDecoder().decode((await objects.get('streams/text.txt'))!)).toBe('Zoë – Łódź');
    expect(text.size).toBe(Buffer.byteLength('Zoë – Łódź'));
    expect((await objects.putStream('streams/empty', (async function* () {})(), 'text/plain')).size).toBe(0);
    expect((await objects.get('streams/empty'))?.byteLength).toBe(0);
  });

  it('leaves no object when a streamed upload fails part way', async () => {
    async function* failing() {
      yield new Uint8Array(UPLOAD_PART_BYTES + 1);
      yield new Uint8Array(UPLOAD_PART_BYTES + 1);
      throw new Error('the renderer broke');
    }
    await expect(objects.putStream('streams/broken.bin', failing(), 'application/octet-stream')).rejects.toThrow(
      'the renderer broke',
    );
    await expect(objects.get('streams/broken.bin')).resolves.toBeNull();
  });

  it('reads a byte range: the bytes asked for, fewer at the end, none past it, null for a missing key', async () => {
    const bytes = Uint8Array.from({ length: 1000 }, (_, i) => i % 251);
    await objects.put('ranges/a.bin', bytes, 'application/octet-stream');
    expect(Buffer.from((await objects.getRange('ranges/a.bin', 10, 5))!)).toEqual(Buffer.from(bytes.subarray(10, 15)));
    expect((await objects.getRange('ranges/a.bin', 990, 100))?.byteLength).toBe(10);
    expect((await objects.getRange('ranges/a.bin', 1000, 10))?.byteLength).toBe(0);
    await expect(objects.getRange(`ranges/${randomUUID()}`, 0, 10)).resolves.toBeNull();
  });

  it('returns null for a key that was never stored', async () => {
    await expect(objects.get(`nothing/${randomUUID()}.json`)).resolves.toBeNull();
  });

  it('hands out a download link that fetches the object byte for byte and names the file, and refuses links over 5 minutes', async () => {
    const bytes = randomBytes(3000);
    await objects.put('findings/x/report.csv', bytes, 'text/csv');
    const url = await objects.downloadUrl('findings/x/report.csv', { expiresInSeconds: 300, fileName: 'report.csv' });
    expect(new URL(url).searchParams.get('X-Amz-Expires')).toBe('300');
    const response = await fetch(url);
    expect(response.status).toBe(200);
    expect(sha256(new Uint8Array(await response.arrayBuffer()))).toBe(sha256(bytes));
    await expect(objects.downloadUrl('findings/x/report.csv', { expiresInSeconds: 301 })).rejects.toThrow(
      'at most 300 s',
    );
  });

  it('takes an upload through a presigned PUT link and streams it back', async () => {
    const url = await objects.uploadUrl('uploads/x/episodes.csv', { expiresInSeconds: 900, contentType: 'text/csv' });
    const body = 'CHILD,DECOM\n1,01/01/2024\n';
    const put = await fetch(url, { method: 'PUT', body, headers: { 'content-type': 'text/csv' } });
    expect(put.status).toBe(200);
    const stream = await objects.getStream('uploads/x/episodes.csv');
    const chunks: Buffer[] = [];
    for await (const chunk of stream!) chunks.push(Buffer.from(chunk as Uint8Array));
    expect(Buffer.concat(chunks).toString('utf8')).toBe(body);
    expect(await objects.getStream('uploads/x/none.csv')).toBeNull();
  });
});

describe('DirectoryObjectStore', () => {
  it('streams a file in and reads it back whole and by range, and leaves nothing when the stream fails', async () => {
    const root = await mkdtemp(join(tmpdir(), 'iro-objects-'));
    try {
      const objects = new DirectoryObjectStore(root);
      const bytes = new Uint8Array(randomBytes(3 * 1024 * 1024 + 5));
      const stored = await objects.putStream(
        'a/b.bin',
        (async function* () {
          yield bytes.subarray(0, 100);
          yield bytes.subarray(100);
        })(),
        'application/octet-stream',
      );
      expect(stored).toEqual({ sha256: sha256(bytes), size: bytes.byteLength });
      expect(sha256((await objects.get('a/b.bin'))!)).toBe(stored.sha256);
      expect(Buffer.from((await objects.getRange('a/b.bin', 5, 7))!)).toEqual(Buffer.from(bytes.subarray(5, 12)));
      expect((await objects.getRange('a/b.bin', bytes.byteLength - 2, 10))?.byteLength).toBe(2);
      await expect(objects.getRange('a/none.bin', 0, 1)).resolves.toBeNull();
      await expect(
        objects.putStream(
          'a/c.bin',
          (async function* () {
            yield 'x';
            throw new Error('broke');
          })(),
          'text/plain',
        ),
      ).rejects.toThrow('broke');
      await expect(objects.get('a/c.bin')).resolves.toBeNull();
      await expect(objects.get('a/c.bin.partial')).resolves.toBeNull();
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
