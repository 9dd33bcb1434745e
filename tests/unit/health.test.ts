/** GET /health reports each dependency on its own, and fails closed with 503. */
import { describe, expect, it } from 'vitest';
import { createApp } from '#http/app';
import type { RecordStore } from '#store/record-store';
import type { ObjectLinks, ObjectStore } from '#store/object-store';

const reachable = { ping: async () => {} };
const unreachable = {
  ping: async () => {
    throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { name: 'TimeoutError' });
  },
};
const refuse = () => {
  throw new Error('health must not need this');
};
const app = (store: object, objects: object) =>
  createApp({
    store: store as RecordStore,
    objects: objects as ObjectStore,
    links: {} as ObjectLinks,
    verifier: { verify: refuse },
    runner: { start: refuse },
  });

describe('GET /health', () => {
  it('is 200 when the store and the bucket both answer', async () => {
    const response = await app(reachable, reachable).request('/health');
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({
      status: 'ok',
      store: { reachable: true },
      bucket: { reachable: true },
    });
  });
  it('is 503 naming the bucket when only the bucket is down, without leaking the error text', async () => {
    const response = await app(reachable, unreachable).request('/health');
    expect(response.status).toBe(503);
    const body = await response.json();
    expect(body).toMatchObject({
      status: 'unavailable',
      store: { reachable: true },
      bucket: { reachable: false, error: 'TimeoutError' },
    });
    expect(JSON.stringify(body)).not.toContain('127.0.0.1');
  });
  it('is 503 when the store is down', async () => {
    const response = await app(unreachable, reachable).request('/health');
    expect(response.status).toBe(503);
    expect(await response.json()).toMatchObject({ store: { reachable: false } });
  });
});
