/** The findings bucket against a real s3rver: what goes in comes back byte for byte. */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { createS3Client } from '#config/aws-clients';
import type { StoreConfig } from '#config/config';
import { S3ObjectStore, ensureBucket } from '#store/object-store';

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
    await s3.send(new PutObjectCommand({ Bucket: config.bucketName, Key: 'stream.bin', Body: Readable.from([bytes]), ContentLength: bytes.byteLength }));
    const read = await (await s3.send(new GetObjectCommand({ Bucket: config.bucketName, Key: 'stream.bin' }))).Body!.transformToByteArray();
    expect(Buffer.from(read).equals(bytes)).toBe(true);
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
    await expect(objects.downloadUrl('findings/x/report.csv', { expiresInSeconds: 301 })).rejects.toThrow('at most 300 s');
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
