/** `npm start`'s stack: real dynalite and s3rver over a data folder, the demo loaded once, kept across restarts. */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { signDevelopmentToken } from '#auth/tokens';
import { REGULATIONS_2010 } from '#domain/timescales';
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
      expect(await response.json()).toMatchObject({
        status: 'ok',
        store: { reachable: true },
        bucket: { reachable: true },
      });
      childrenBefore = await first.store.countChildren(DEMO_AUTHORITY.authorityId);
      expect(childrenBefore).toBeGreaterThan(30);
      expect(await first.store.getAuthority(DEMO_AUTHORITY.authorityId)).toMatchObject({
        name: DEMO_AUTHORITY.name,
        timescales: { id: 'regulations-2010' },
      });
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
      expect(await response.json()).toEqual({
        type: 'about:blank',
        title: 'Not found',
        status: 404,
        detail: 'no route for GET /no/such/thing',
      });
    } finally {
      await stack.close();
    }
  });

  it('imports a file uploaded through the API’s link, as the bucket’s notification does on AWS', async () => {
    const stack = await startLocalStack({ dataDir: await mkdtemp(join(tmpdir(), 'iro-stack-')), port: 0, demo: false });
    try {
      await stack.store.putAuthority({
        authorityId: 'upload-test',
        name: 'Upload Test Borough',
        timescales: REGULATIONS_2010,
      });
      const token = await signDevelopmentToken(stack.signingKey, {
        userId: 'qa-lead-1',
        roles: ['qa-lead'],
        authorityId: 'upload-test',
      });
      const created = await fetch(`${stack.url}/imports`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ files: [{ fileName: 'professionals.csv', contentType: 'text/csv' }] }),
      });
      expect(created.status).toBe(201);
      const { importId, uploads } = (await created.json()) as { importId: string; uploads: { url: string }[] };
      const put = await fetch(uploads[0]!.url, {
        method: 'PUT',
        headers: { 'content-type': 'text/csv' },
        body: 'WORKER_ID,ROLE,TEAM,SERVICE\nIRO1,IRO,IRO Service,Quality Assurance\nSW1,SW,North 1,CiN/CP North\nTM1,XX,North 1,CiN/CP North\n',
      });
      expect(put.status).toBe(200);
      await stack.imports.idle();
      const status = await fetch(`${stack.url}/imports/${importId}`, { headers: { authorization: `Bearer ${token}` } });
      const body = (await status.json()) as {
        status: string;
        files: { accepted: number; rejected: number }[];
        errorsCsv: { url: string; errors: number } | null;
      };
      expect(body.status).toBe('done');
      expect(body.files[0]).toMatchObject({ accepted: 2, rejected: 1 });
      expect(body.errorsCsv?.errors).toBe(1);
      const errors = await (await fetch(body.errorsCsv!.url)).text();
      expect(errors.trim().split('\n')).toEqual([
        'file,line or element,child,column,rule,severity,message',
        'professionals.csv,4,,ROLE,FORMAT,rejected,"FORMAT – ROLE ""XX"" is not one of the codes allowed: SW, TM, IRO, PA"',
      ]);
      const professionals: string[] = [];
      for await (const p of stack.store.professionals('upload-test')) professionals.push(p.workerId);
      expect(professionals).toEqual(['IRO1', 'SW1']);
    } finally {
      await stack.close();
    }
  });
});
