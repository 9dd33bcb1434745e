/** GET /health: is the store and the findings bucket reachable? Unauthenticated, reveals no data. */
import { Hono } from 'hono';
import type { AppDependencies } from '../app.ts';

const TIMEOUT_MS = 3000;

async function probe(check: () => Promise<void>): Promise<{ reachable: boolean; latencyMs: number; error?: string }> {
  const started = performance.now();
  try {
    await Promise.race([
      check(),
      new Promise((_, reject) =>
        setTimeout(() => reject(new Error(`no answer within ${TIMEOUT_MS} ms`)), TIMEOUT_MS).unref(),
      ),
    ]);
    return { reachable: true, latencyMs: Math.round(performance.now() - started) };
  } catch (error) {
    return {
      reachable: false,
      latencyMs: Math.round(performance.now() - started),
      error: (error as Error).name || 'Error',
    };
  }
}

/** Health routes. 200 when both the store and the bucket answer, 503 otherwise. */
export function healthRoutes(deps: AppDependencies): Hono {
  return new Hono().get('/', async (c) => {
    const [store, bucket] = await Promise.all([probe(() => deps.store.ping()), probe(() => deps.objects.ping())]);
    const ok = store.reachable && bucket.reachable;
    return c.json({ status: ok ? 'ok' : 'unavailable', store, bucket }, ok ? 200 : 503);
  });
}
