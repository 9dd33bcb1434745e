/**
 * The Hono app: one app for Lambda (functions/api) and the laptop (@hono/node-server). Routes are
 * modules mounted here; dependencies (store, bucket) are passed in, so tests and the local stack
 * swap adapters, not code paths.
 */
import { Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { RecordStore } from '#store/record-store';
import type { ObjectStore } from '#store/object-store';
import { problem } from './problem.ts';
import { healthRoutes } from './routes/health.ts';

export interface AppDependencies {
  store: RecordStore;
  objects: ObjectStore;
}

/** Builds the app over the given store and bucket. */
export function createApp(deps: AppDependencies): Hono {
  const app = new Hono();
  app.route('/health', healthRoutes(deps));
  app.get('/', (c) =>
    c.json({ name: 'iro-audit', description: 'Themed audits for Independent Reviewing Officer services', links: { health: '/health' } }),
  );
  app.notFound((c) => problem(c, 404, 'Not found', { detail: `no route for ${c.req.method} ${new URL(c.req.url).pathname}` }));
  app.onError((error, c) => {
    if (error instanceof HTTPException) return problem(c, error.status as 400, error.message || 'Request refused');
    // Log for the operator; the client gets no internals.
    console.error('unhandled error', error);
    return problem(c, 500, 'Internal error', { detail: 'something went wrong on our side; it has been logged' });
  });
  return app;
}
