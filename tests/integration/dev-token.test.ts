/** `npm run dev-token` as a developer runs it: a real process printing a token the API's verifier accepts. */
import { spawnSync } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { localSigningKey, localVerifier } from '#auth/tokens';
import { signingKeyPath } from '#local/stack';

const tsx = join(process.cwd(), 'node_modules', '.bin', 'tsx');
let dataDir: string;

const run = (args: string[]) => {
  const result = spawnSync(tsx, ['shared/cli/dev-token.ts', ...args], {
    env: { ...process.env, IRO_DATA_DIR: dataDir, NODE_NO_WARNINGS: '1' },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { code: result.status, out: result.stdout.trim(), err: result.stderr };
};

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'iro-dev-token-'));
});

describe('npm run dev-token', () => {
  it('prints a token for the role, user and authority asked for, signed with the data folder’s key', async () => {
    const { code, out, err } = run(['--role', 'iro', '--user', 'IRO03', '--authority', 'demo']);
    expect(code, err).toBe(0);
    const verifier = localVerifier(await localSigningKey(signingKeyPath(dataDir)));
    expect(await verifier.verify(out)).toEqual({
      userId: 'IRO03',
      workerId: 'IRO03',
      roles: ['iro'],
      authorityId: 'demo',
    });
    // Later tokens are signed with the same key, not a new one.
    expect(await verifier.verify(run(['--role', 'qa-lead']).out)).toEqual({
      userId: 'qa-lead-1',
      roles: ['qa-lead'],
      authorityId: 'demo',
    });
  });

  it('refuses an unknown role, a bad authority and an over-long lifetime with exit code 1', () => {
    expect(run(['--role', 'admin'])).toMatchObject({
      code: 1,
      err: expect.stringContaining('--role must be one of qa-lead, iro, senior-manager'),
    });
    expect(run(['--role', 'iro', '--authority', 'Demo Borough'])).toMatchObject({
      code: 1,
      err: expect.stringContaining('--authority must be 2–40 lower-case letters'),
    });
    expect(run(['--role', 'iro', '--hours', '48'])).toMatchObject({
      code: 1,
      err: expect.stringContaining('--hours must be more than 0 and at most 24'),
    });
  });
});
