/**
 * The findings bucket behind a small port: reports and manifests go in as bytes (or as a stream of
 * chunks, for files too large to hold) and come back byte for byte, whole or by range. On AWS the
 * bucket itself enforces SSE-KMS, versioning and TLS; locally it is s3rver.
 */
import { createHash } from 'node:crypto';
import { withRetry, type RetryOptions } from './retry.ts';
import type { Readable } from 'node:stream';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  HeadBucketCommand,
  PutObjectCommand,
  UploadPartCommand,
  type CompletedPart,
  type S3Client,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';

export interface ObjectStore {
  /** Throws unless the bucket answers. */
  ping(): Promise<void>;
  /** Stores the bytes (a string is stored as UTF-8) and returns their SHA-256 (hex) and size, for manifests. */
  put(key: string, body: Uint8Array | string, contentType: string): Promise<{ sha256: string; size: number }>;
  /** The object's bytes, or null when there is no such object. */
  get(key: string): Promise<Uint8Array | null>;
  /**
   * Stores the chunks as one object without holding them all (a string chunk is UTF-8), and returns
   * the SHA-256 and size of the whole. The object appears only once complete. Optional: `putChunks`
   * buffers for an adapter without it (test doubles).
   */
  putStream?(
    key: string,
    chunks: AsyncIterable<Uint8Array | string>,
    contentType: string,
  ): Promise<{ sha256: string; size: number }>;
  /** `length` bytes from `start` (fewer at the end), or null when there is no such object. Optional: `getBytes` slices `get` without it. */
  getRange?(key: string, start: number, length: number): Promise<Uint8Array | null>;
  /** Copies an object inside the bucket, without its bytes passing through here. Optional: `copyObject` gets and puts without it. */
  copy?(fromKey: string, toKey: string): Promise<void>;
}

/** Copies an object through the port (a server-side copy when the adapter can); throws when there is no such object. */
export async function copyObject(
  objects: ObjectStore,
  fromKey: string,
  toKey: string,
  contentType: string,
): Promise<void> {
  if (objects.copy) return objects.copy(fromKey, toKey);
  const bytes = await objects.get(fromKey);
  if (!bytes) throw new Error(`there is no object ${fromKey} to copy`);
  await objects.put(toKey, bytes, contentType);
}

/** Stores a stream of chunks through the port: streamed when the adapter can, else gathered and put. */
export async function putChunks(
  objects: ObjectStore,
  key: string,
  chunks: AsyncIterable<Uint8Array | string>,
  contentType: string,
): Promise<{ sha256: string; size: number }> {
  if (objects.putStream) return objects.putStream(key, chunks, contentType);
  const parts: Buffer[] = [];
  for await (const chunk of chunks)
    parts.push(typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : Buffer.from(chunk));
  return objects.put(key, new Uint8Array(Buffer.concat(parts)), contentType);
}

/** A range of an object's bytes through the port: ranged when the adapter can, else sliced from the whole. */
export async function getBytes(
  objects: ObjectStore,
  key: string,
  start: number,
  length: number,
): Promise<Uint8Array | null> {
  if (objects.getRange) return objects.getRange(key, start, length);
  const whole = await objects.get(key);
  return whole === null ? null : whole.subarray(start, start + length);
}

/**
 * Regroups chunks into pieces of at least `size` bytes (the last may be smaller), so a writer sees
 * few large writes whatever the producer's chunking. Holds at most one piece plus one chunk.
 */
export async function* rechunk(chunks: AsyncIterable<Uint8Array | string>, size: number): AsyncIterable<Buffer> {
  let pending: Buffer[] = [];
  let bytes = 0;
  for await (const chunk of chunks) {
    const buffer =
      typeof chunk === 'string'
        ? Buffer.from(chunk, 'utf8')
        : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    pending.push(buffer);
    bytes += buffer.byteLength;
    if (bytes >= size) {
      yield Buffer.concat(pending, bytes);
      pending = [];
      bytes = 0;
    }
  }
  if (bytes > 0 || pending.length > 0) yield Buffer.concat(pending, bytes);
}

/** S3's smallest part (but the last): a streamed upload holds about one part. */
export const UPLOAD_PART_BYTES = 5 * 1024 * 1024;

/** Short-lived links straight to the bucket: downloads for readers, uploads for import files. */
export interface ObjectLinks {
  /** A presigned GET, valid `expiresInSeconds` (at most 300: findings are children's records), saved as `fileName`. */
  downloadUrl(key: string, options: { expiresInSeconds: number; fileName?: string }): Promise<string>;
  /** A presigned PUT of exactly one object of `contentType`, valid `expiresInSeconds` (at most 900). */
  uploadUrl(key: string, options: { expiresInSeconds: number; contentType: string }): Promise<string>;
  /** The object as a stream (large import files are never held whole), or null when there is none. */
  getStream(key: string): Promise<Readable | null>;
}

/** Longest a download link may live. */
export const MAX_DOWNLOAD_LINK_SECONDS = 300;
/** Longest an upload link may live. */
export const MAX_UPLOAD_LINK_SECONDS = 900;

/** The S3 adapter of the object store port. */
export class S3ObjectStore implements ObjectStore, ObjectLinks {
  constructor(
    private readonly s3: S3Client,
    private readonly bucketName: string,
    /** Transient S3 faults (503 SlowDown, 500s, timeouts) are retried with backoff. */
    private readonly retry: RetryOptions = {},
  ) {}

  async ping(): Promise<void> {
    await this.s3.send(new HeadBucketCommand({ Bucket: this.bucketName }));
  }

  async put(key: string, body: Uint8Array | string, contentType: string): Promise<{ sha256: string; size: number }> {
    const bytes = typeof body === 'string' ? new TextEncoder().encode(body) : body;
    const digest = createHash('sha256').update(bytes).digest();
    await withRetry(
      () =>
        this.s3.send(
          new PutObjectCommand({
            Bucket: this.bucketName,
            Key: key,
            Body: bytes,
            ContentType: contentType,
            ContentLength: bytes.byteLength,
            // Our own digest, sent as a header: S3 rejects the upload if the bytes it got differ. No
            // SSE parameters: the bucket's default encryption applies, and s3rver has none.
            ChecksumSHA256: digest.toString('base64'),
          }),
        ),
      this.retry,
    );
    return { sha256: digest.toString('hex'), size: bytes.byteLength };
  }

  /**
   * A body of one part or less is one PutObject (as `put`); a larger one is a multipart upload of
   * parts of UPLOAD_PART_BYTES or more, each with its own SHA-256 for S3 to check, sent one at a time
   * so only one part is ever held. A failure aborts the upload: no partial object is left visible.
   */
  async putStream(
    key: string,
    chunks: AsyncIterable<Uint8Array | string>,
    contentType: string,
  ): Promise<{ sha256: string; size: number }> {
    const whole = createHash('sha256');
    let size = 0;
    let uploadId: string | undefined;
    const parts: CompletedPart[] = [];
    // The first piece waits until a second comes: a body of one piece is a plain put.
    let first: Buffer | undefined;
    const sendPart = async (part: Buffer) => {
      uploadId ??= (
        await withRetry(
          () =>
            this.s3.send(
              new CreateMultipartUploadCommand({
                Bucket: this.bucketName,
                Key: key,
                ContentType: contentType,
                ChecksumAlgorithm: 'SHA256',
              }),
            ),
          this.retry,
        )
      ).UploadId!;
      const checksum = createHash('sha256').update(part).digest('base64');
      const partNumber = parts.length + 1;
      const output = await withRetry(
        () =>
          this.s3.send(
            new UploadPartCommand({
              Bucket: this.bucketName,
              Key: key,
              UploadId: uploadId,
              PartNumber: partNumber,
              Body: part,
              ContentLength: part.byteLength,
              ChecksumSHA256: checksum,
            }),
          ),
        this.retry,
      );
      parts.push({ PartNumber: partNumber, ETag: output.ETag, ChecksumSHA256: checksum });
    };
    try {
      // rechunk yields pieces of at least a part's size but the last: every part but the last is big enough.
      for await (const piece of rechunk(chunks, UPLOAD_PART_BYTES)) {
        whole.update(piece);
        size += piece.byteLength;
        if (first === undefined && parts.length === 0) {
          first = piece;
          continue;
        }
        if (first !== undefined) {
          await sendPart(first);
          first = undefined;
        }
        await sendPart(piece);
      }
      if (parts.length === 0) return await this.put(key, first ?? new Uint8Array(), contentType);
      await withRetry(
        () =>
          this.s3.send(
            new CompleteMultipartUploadCommand({
              Bucket: this.bucketName,
              Key: key,
              UploadId: uploadId,
              MultipartUpload: { Parts: parts },
            }),
          ),
        this.retry,
      );
    } catch (error) {
      if (uploadId !== undefined) {
        await this.s3
          .send(new AbortMultipartUploadCommand({ Bucket: this.bucketName, Key: key, UploadId: uploadId }))
          .catch(() => {});
      }
      throw error;
    }
    return { sha256: whole.digest('hex'), size };
  }

  async getRange(key: string, start: number, length: number): Promise<Uint8Array | null> {
    if (length <= 0) return new Uint8Array();
    try {
      const output = await withRetry(
        () =>
          this.s3.send(
            new GetObjectCommand({ Bucket: this.bucketName, Key: key, Range: `bytes=${start}-${start + length - 1}` }),
          ),
        this.retry,
      );
      if (!output.Body) return new Uint8Array();
      return await output.Body.transformToByteArray();
    } catch (error) {
      if ((error as Error).name === 'NoSuchKey') return null;
      // A range starting at or past the end: nothing left to read.
      if (
        (error as Error).name === 'InvalidRange' ||
        (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 416
      )
        return new Uint8Array();
      throw error;
    }
  }

  async copy(fromKey: string, toKey: string): Promise<void> {
    // Server-side, with the source's type and metadata; the bucket's default encryption applies, as for put.
    const source = `${this.bucketName}/${fromKey.split('/').map(encodeURIComponent).join('/')}`;
    await withRetry(
      () => this.s3.send(new CopyObjectCommand({ Bucket: this.bucketName, Key: toKey, CopySource: source })),
      this.retry,
    );
  }

  async get(key: string): Promise<Uint8Array | null> {
    try {
      const output = await withRetry(
        () => this.s3.send(new GetObjectCommand({ Bucket: this.bucketName, Key: key })),
        this.retry,
      );
      if (!output.Body) return new Uint8Array();
      return await output.Body.transformToByteArray();
    } catch (error) {
      if ((error as Error).name === 'NoSuchKey') return null; // a missing bucket is a fault, not an absence
      throw error;
    }
  }

  async downloadUrl(key: string, options: { expiresInSeconds: number; fileName?: string }): Promise<string> {
    if (options.expiresInSeconds > MAX_DOWNLOAD_LINK_SECONDS)
      throw new RangeError(`a download link lives at most ${MAX_DOWNLOAD_LINK_SECONDS} s`);
    const command = new GetObjectCommand({
      Bucket: this.bucketName,
      Key: key,
      ...(options.fileName
        ? { ResponseContentDisposition: `attachment; filename="${options.fileName.replace(/["\\\r\n]/g, '_')}"` }
        : {}),
    });
    return getSignedUrl(this.s3, command, { expiresIn: options.expiresInSeconds });
  }

  async uploadUrl(key: string, options: { expiresInSeconds: number; contentType: string }): Promise<string> {
    if (options.expiresInSeconds > MAX_UPLOAD_LINK_SECONDS)
      throw new RangeError(`an upload link lives at most ${MAX_UPLOAD_LINK_SECONDS} s`);
    // The content type is signed, so the upload must declare the type the import expects.
    return getSignedUrl(
      this.s3,
      new PutObjectCommand({ Bucket: this.bucketName, Key: key, ContentType: options.contentType }),
      { expiresIn: options.expiresInSeconds, signableHeaders: new Set(['content-type']) },
    );
  }

  async getStream(key: string): Promise<Readable | null> {
    try {
      const output = await withRetry(
        () => this.s3.send(new GetObjectCommand({ Bucket: this.bucketName, Key: key })),
        this.retry,
      );
      return (output.Body as Readable | undefined) ?? null;
    } catch (error) {
      if ((error as Error).name === 'NoSuchKey') return null;
      throw error;
    }
  }
}

/** Creates the bucket if it is missing (the local stack and tests; on AWS the CDK stack owns it). */
export async function ensureBucket(s3: S3Client, name: string): Promise<void> {
  try {
    await s3.send(new HeadBucketCommand({ Bucket: name }));
    return;
  } catch (error) {
    if (!isMissingBucket(error)) throw error;
  }
  try {
    await s3.send(new CreateBucketCommand({ Bucket: name }));
  } catch (error) {
    // Created meanwhile by another test file or process: fine.
    const code = (error as Error).name;
    if (code !== 'BucketAlreadyOwnedByYou' && code !== 'BucketAlreadyExists') throw error;
  }
}

function isMissingBucket(error: unknown): boolean {
  // HeadBucket has no response body, so a missing bucket arrives as a bare 404 named NotFound.
  const e = error as { name?: string; $metadata?: { httpStatusCode?: number } };
  return e.name === 'NotFound' || e.name === 'NoSuchBucket' || e.$metadata?.httpStatusCode === 404;
}
