/** `npm start`'s stack: real dynalite and s3rver over a data folder, the demo loaded once, kept across restarts. */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startLocalStack, DEMO_AUTHORITY } from '#local/stack';

// A small demo keeps this test quick; the full-size demo is timed by hand and in the README.
const demo = { children: 40, seed: 11 };

describe('the local stack', () => {
  it('serves /health with the store and bucket reachable, and keeps its data across a restart with no reload', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'iro-stack-'));
    const first = await startLocalStack({ dataDir, port: 0, demo });
    let childrenBefore: number;
    try {
      expect(first.demoLoaded).toBe(true);
      const response = await fetch(`${first.url}/health`);
      expect(response.status).toBe(200);
      expect(await response.json()).toMatchObject({ status: 'ok', store: { reachable: true }, bucket: { reachable: true } });
      childrenBefore = await first.store.countChildren(DEMO_AUTHORITY.authorityId);
      expect(childrenBefore).toBeGreaterThan(30);
      expect(await first.store.getAuthority(DEMO_AUTHORITY.authorityId)).toMatchObject({ name: DEMO_AUTHORITY.name, timescales: { id: 'regulations-2010' } });
      await expect(startLocalStack({ dataDir, port: 0, demo })).rejects.toThrow(/already running/);
    } finally {
      await first.close();
    }

    const second = await startLocalStack({ dataDir, port: 0, demo });
    try {
      expect(second.demoLoaded).toBe(false);
      expect(await second.store.countChildren(DEMO_AUTHORITY.authorityId)).toBe(childrenBefore);
      expect((await fetch(`${second.url}/health`)).status).toBe(200);
    } finally {
      await second.close();
    }
  }, 60_000);

  it('answers an unknown path with problem+json, not a stack trace', async () => {
    const stack = await startLocalStack({ dataDir: await mkdtemp(join(tmpdir(), 'iro-stack-')), port: 0, demo: false });
    try {
      const response = await fetch(`${stack.url}/no/such/thing`);
      expect(response.status).toBe(404);
      expect(response.headers.get('content-type')).toBe('application/problem+json');
      expect(await response.json()).toEqual({ type: 'about:blank', title: 'Not found', status: 404, detail: 'no route for GET /no/such/thing' });
    } finally {
      await stack.close();
    }
  });
});
