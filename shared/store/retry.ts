/**
 * Retries a single AWS call through transient faults (throttling, 5xx, timeouts, dropped
 * connections) with full-jitter exponential backoff. The SDK retries too, but only a few times
 * and not at all behind a mocked client; long audits need to ride out a throttled minute.
 */
import { backoffDelay, isThrottling } from './batch.ts';

export interface RetryOptions {
  maxAttempts?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
}

const TRANSIENT_NAMES = new Set([
  'InternalServerError',
  'InternalError',
  'ServiceUnavailable',
  'SlowDown',
  'RequestTimeout',
  'RequestTimeoutException',
  'TimeoutError',
]);
const TRANSIENT_CODES = new Set(['ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN']);

/** True for faults worth waiting out; false for errors that would fail again (bad request, access denied, conflict). */
export function isTransient(error: unknown): boolean {
  const e = error as
    { name?: string; code?: string; $metadata?: { httpStatusCode?: number }; $retryable?: unknown } | undefined;
  if (isThrottling(error)) return true;
  if (TRANSIENT_NAMES.has(e?.name ?? '') || TRANSIENT_CODES.has(e?.code ?? '')) return true;
  const status = e?.$metadata?.httpStatusCode;
  return (status !== undefined && status >= 500) || e?.$retryable !== undefined;
}

/** Calls `call` until it succeeds, retrying transient faults; the last fault is thrown after `maxAttempts`. */
export async function withRetry<T>(call: () => Promise<T>, options: RetryOptions = {}): Promise<T> {
  const settings = {
    maxAttempts: Math.max(1, options.maxAttempts ?? 8),
    baseDelayMs: options.baseDelayMs ?? 100,
    maxDelayMs: options.maxDelayMs ?? 10_000,
    random: options.random ?? Math.random,
  };
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((done) => setTimeout(done, ms)));
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await call();
    } catch (error) {
      if (!isTransient(error) || attempt >= settings.maxAttempts) throw error;
      await sleep(backoffDelay(attempt, settings));
    }
  }
}
