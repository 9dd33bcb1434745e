/** Each function's bundle, built with esbuild directly and the construct's own options: under its size budget, the pinned SDK inside. */
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { App, Duration, Stack } from 'aws-cdk-lib';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { build, type Metafile } from 'esbuild';
import { beforeAll, describe, expect, it } from 'vitest';
import { FUNCTION_ENTRIES, IroFunction, esbuildOptions, type FunctionName } from '../../infra/functions.ts';

/**
 * Budgets (minified bytes), about 25% above the sizes measured when they were set (README, "Bundle
 * sizes"): a dependency that doubles a bundle fails here first. The runner's three grow with the
 * audit engine and the report renderers (exceljs), which shared/audit/jobs.ts imports.
 */
const BUDGET_KB: Record<FunctionName, number> = {
  // The API closes graded audits, so it carries the engine and the renderers as finish does (3.75 MB measured).
  api: 4_700,
  // The importer reads Annex A workbooks (exceljs, 2.17 MB measured) as well as CSV and XML.
  importer: 2_700,
  segment: 4_400,
  finish: 4_500,
  fail: 3_800,
};

const built = new Map<FunctionName, { bytes: number; imports: Metafile['outputs'][string]['imports']; inputs: string[]; text: string }>();

beforeAll(async () => {
  // One build of all five entries (each output is still a whole bundle of its own: no code splitting).
  const result = await build({ ...esbuildOptions(FUNCTION_ENTRIES), outdir: '/bundle', write: false, metafile: true });
  for (const name of Object.keys(FUNCTION_ENTRIES) as FunctionName[]) {
    const path = `/bundle/${name}.mjs`;
    const output = result.outputFiles.find((file) => file.path === path)!;
    const meta = result.metafile.outputs[path.slice(1)] ?? Object.entries(result.metafile.outputs).find(([key]) => key.endsWith(`${name}.mjs`))![1];
    built.set(name, { bytes: output.contents.byteLength, imports: meta.imports, inputs: Object.keys(meta.inputs), text: output.text });
  }
}, 120_000);

/** What the stack sets on the functions (the API's settings included; the others ignore them). */
const DEPLOYED_ENVIRONMENT = {
  AWS_REGION: 'eu-west-2', IRO_TABLE: 'iro-audit', IRO_BUCKET: 'iro-audit-findings',
  IRO_AUTH_ISSUER: 'https://cognito-idp.eu-west-2.amazonaws.com/eu-west-2_example', IRO_AUTH_AUDIENCE: 'exampleclientid',
  IRO_AUDIT_STATE_MACHINE_ARN: 'arn:aws:states:eu-west-2:123456789012:stateMachine:example',
};

describe('function bundles', () => {
  it('are byte for byte what the stack\'s NodejsFunction deploys (same esbuild options)', async () => {
    const outdir = await mkdtemp(join(tmpdir(), 'iro-cdk-out-'));
    try {
      const app = new App({ outdir });
      new IroFunction(new Stack(app, 'BundleCheck'), 'Api', {
        name: 'api', description: 'bundle check', memorySize: 128, timeout: Duration.seconds(3), logRetention: RetentionDays.ONE_DAY, environment: {},
      });
      const assembly = app.synth();
      const assets = readdirSync(assembly.directory).filter((entry) => entry.startsWith('asset.'));
      expect(assets).toHaveLength(1);
      const deployed = readFileSync(join(assembly.directory, assets[0]!, 'index.mjs'));
      expect(Buffer.compare(deployed, Buffer.from(built.get('api')!.text))).toBe(0);
    } finally {
      await rm(outdir, { recursive: true, force: true });
    }
  }, 60_000);

  it.each(Object.keys(BUDGET_KB) as FunctionName[])('the %s bundle stays under its size budget', (name) => {
    expect(built.get(name)!.bytes / 1024).toBeLessThan(BUDGET_KB[name]);
  });

  it.each(Object.keys(BUDGET_KB) as FunctionName[])('the %s bundle carries the pinned AWS SDK and imports nothing but Node built-ins', (name) => {
    const { imports, inputs } = built.get(name)!;
    const externals = imports.filter((i) => i.external).map((i) => i.path);
    const builtins = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));
    expect(externals.filter((path) => !builtins.has(path))).toEqual([]);
    // The same @aws-sdk/* version as package.json pins, from the project's node_modules.
    expect(inputs.some((path) => path.startsWith('node_modules/@aws-sdk/'))).toBe(true);
  });

  it.each(Object.keys(BUDGET_KB) as FunctionName[])('the %s bundle loads in a fresh Node process as an ES module and exports its handler', async (name) => {
    const dir = await mkdtemp(join(tmpdir(), `iro-bundle-${name}-`));
    try {
      const file = join(dir, 'index.mjs');
      await writeFile(file, built.get(name)!.text);
      const script = 'const m = await import(process.argv[1]); process.stdout.write(typeof m.handler);';
      const child = spawnSync(process.execPath, ['--input-type=module', '-e', script, pathToFileURL(file).href], {
        encoding: 'utf8', env: { PATH: process.env.PATH ?? '', ...DEPLOYED_ENVIRONMENT },
      });
      // (On Node 20 the SDK prints a warning that it will want Node 22, which is what Lambda runs.)
      expect(child.status, child.stderr).toBe(0);
      expect(child.stdout).toBe('function');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('the api bundle refuses to start without its settings, naming the missing one', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'iro-bundle-api-bare-'));
    try {
      const file = join(dir, 'index.mjs');
      await writeFile(file, built.get('api')!.text);
      const { IRO_AUTH_ISSUER: _missing, ...rest } = DEPLOYED_ENVIRONMENT;
      // As the Lambda runtime does, catch the failed start and report its message. (Left uncaught, Node
      // prints the throwing line of the minified bundle first, hundreds of kilobytes, and a pipe may lose the rest.)
      const script = 'try { await import(process.argv[1]); } catch (error) { process.stderr.write(String(error.message)); process.exitCode = 1; }';
      const child = spawnSync(process.execPath, ['--input-type=module', '-e', script, pathToFileURL(file).href], {
        encoding: 'utf8', env: { PATH: process.env.PATH ?? '', ...rest },
      });
      expect(child.status).not.toBe(0);
      expect(child.stderr).toContain('IRO_AUTH_ISSUER is not set');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
