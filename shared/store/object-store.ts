/**
 * The findings bucket behind a three-method port: reports and manifests go in as bytes and come
 * back byte for byte. On AWS the bucket itself enforces SSE-KMS, versioning and TLS; locally it is s3rver.
 */
import { createHash } from 'node:crypto';
import { withRetry, type RetryOptions } from './retry.ts';
import type { Readable } from 'node:stream';
import {
  CreateBucketCommand, GetObjectCommand, HeadBucketCommand, PutObjectCommand, type S3Client,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';

export interface ObjectStore {
  /** Throws unless the bucket answers. */
  ping(): Promise<void>;
  /** Stores the bytes (a string is stored as UTF-8) and returns their SHA-256 (hex) and size, for manifests. */
  put(key: string, body: Uint8Array | string, contentType: string): Promise<{ sha256: string; size: number }>;
  /** The object's bytes, or null when there is no such object. */
  get(key: string): Promise<Uint8Array | null>;
}

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
    await withRetry(() => this.s3.send(
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
    ), this.retry);
    return { sha256: digest.toString('hex'), size: bytes.byteLength };
  }

  async get(key: string): Promise<Uint8Array | null> {
    try {
      const output = await withRetry(() => this.s3.send(new GetObjectCommand({ Bucket: this.bucketName, Key: key })), this.retry);
      if (!output.Body) return new Uint8Array();
      return await output.Body.transformToByteArray();
    } catch (error) {
      if ((error as Error).name === 'NoSuchKey') return null; // a missing bucket is a fault, not an absence
      throw error;
    }
  }

  async downloadUrl(key: string, options: { expiresInSeconds: number; fileName?: string }): Promise<string> {
    if (options.expiresInSeconds > MAX_DOWNLOAD_LINK_SECONDS) throw new RangeError(`a download link lives at most ${MAX_DOWNLOAD_LINK_SECONDS} s`);
    const command = new GetObjectCommand({
      Bucket: this.bucketName,
      Key: key,
      ...(options.fileName ? { ResponseContentDisposition: `attachment; filename="${options.fileName.replace(/["\\\r\n]/g, '_')}"` } : {}),
    });
    return getSignedUrl(this.s3, command, { expiresIn: options.expiresInSeconds });
  }

  async uploadUrl(key: string, options: { expiresInSeconds: number; contentType: string }): Promise<string> {
    if (options.expiresInSeconds > MAX_UPLOAD_LINK_SECONDS) throw new RangeError(`an upload link lives at most ${MAX_UPLOAD_LINK_SECONDS} s`);
    // The content type is signed, so the upload must declare the type the import expects.
    return getSignedUrl(this.s3, new PutObjectCommand({ Bucket: this.bucketName, Key: key, ContentType: options.contentType }), { expiresIn: options.expiresInSeconds, signableHeaders: new Set(['content-type']) });
  }

  async getStream(key: string): Promise<Readable | null> {
    try {
      const output = await withRetry(() => this.s3.send(new GetObjectCommand({ Bucket: this.bucketName, Key: key })), this.retry);
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
