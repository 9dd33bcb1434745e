/** Each function's bundle, built with esbuild directly and the construct's own options: under its size budget, the pinned SDK inside. */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { pathToFileURL } from 'node:url';
import { App, Duration, Stack } from 'aws-cdk-lib';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { build, type Metafile } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { govukAssetFiles, govukAssetsDir } from '#web/assets';
import {
  API_ASSET_ENVIRONMENT,
  EXAMPLE_FUNCTION_ENVIRONMENT,
  FUNCTION_ENTRIES,
  IroFunction,
  PROJECT_ROOT,
  WEB_ASSETS_FOLDER,
  apiAssetFiles,
  esbuildOptions,
  type FunctionName,
} from '../../infra/functions.ts';
import { DOCS_ASSET_FILES, docsAssetsDir } from '#http/docs';

/**
 * Budgets (minified bytes), about 25% above the sizes measured when they were set (README, "Bundle
 * sizes"): a dependency that doubles a bundle fails here first.
 */
const BUDGET_KB: Record<FunctionName, number> = {
  // The API computes provisional findings and previews launches with the engine, so it carries it and the renderers as finish does (4.34 MB measured).
  api: 4_700,
  // The importer reads Annex A workbooks (exceljs) as well as CSV and XML (2.17 MB measured).
  importer: 2_700,
  // Gathers and checkpoints a segment: the engine's criteria with the bank-holiday calendar, no renderer (2.12 MB measured).
  segment: 2_700,
  // Publishes: the engine and every renderer (3.34 MB measured).
  finish: 4_200,
  // Marks an audit failed: the table only (532 KB measured: the DynamoDB client and SDK core about 360 KB, zod's used parts, our code).
  fail: 700,
  // Recovery reads and rewrites job items and starts executions: no engine run, no renderers (720 KB measured).
  recover: 900,
};

/**
 * The fail function's promise in the issue ("under 300 KB"), held as the compressed size (gzip,
 * level 9: about the zip Lambda stores and fetches on a cold start; 228 KB measured). Minified, it
 * cannot be met with the SDK bundled: a DynamoDB document client alone is 358 KB minified (109 KB
 * gzip), and every zod schema brings zod's 391 KB (README, "Bundle sizes").
 */
const FAIL_GZIP_BUDGET_KB = 300;

/**
 * What each function has no business carrying: a package name (found anywhere under node_modules) or
 * a folder of the project (ending in /). Test and local-only tooling belongs in no bundle.
 */
const NO_FUNCTION_CARRIES = [
  'aws-cdk-lib',
  'constructs',
  'cdk-nag',
  'esbuild',
  'vitest',
  'tsx',
  'typescript',
  'playwright-core',
  'axe-core',
  'dynalite',
  's3rver',
  'sql.js',
  'fast-check',
  'aws-sdk-client-mock',
  '@hono/node-server',
  'shared/local/',
  'shared/demo/',
  'shared/cli/',
  'bench/',
  'tests/',
  'infra/',
] as const;
const RENDERERS = ['exceljs', 'jszip', 'archiver', 'csv-stringify', 'shared/reports/'] as const;
const IMPORT_READERS = ['csv-parse', 'saxes', 'shared/loader/', 'shared/ssda903/'] as const;
const WEB = [
  'hono',
  '@hono/zod-openapi',
  'jose',
  'swagger-ui-dist',
  'govuk-frontend',
  'shared/http/',
  'shared/web/',
  'shared/auth/',
  '@aws-sdk/client-secrets-manager',
] as const;
const ENGINE = ['date-holidays', 'moment-timezone', 'pure-rand', 'shared/calendar/'] as const;
const MUST_NOT_CARRY: Record<FunctionName, readonly string[]> = {
  // Serves the pages, the API and the uploads, and runs small audits in process: only tooling is out of place.
  // (The demo users the local sign-in page lists come from shared/auth/demo-users.ts, not the command line's code.)
  api: [],
  // Reads files into the table: no engine run, no renderer, no web, no Step Functions.
  importer: [...ENGINE, ...WEB, 'shared/audit/', 'shared/reports/', '@aws-sdk/client-sfn'],
  // Gathers one segment: no renderer, no file reader, no web, no Step Functions.
  segment: [...RENDERERS, ...IMPORT_READERS, ...WEB, '@aws-sdk/client-sfn'],
  // Publishes: no file reader, no web, no Step Functions. (Not saxes: exceljs carries its own copy,
  // node_modules/exceljs/node_modules/saxes, for its workbook reader.)
  finish: [...IMPORT_READERS.filter((m) => m !== 'saxes'), ...WEB, '@aws-sdk/client-sfn'],
  // Rewrites one job item: nothing but the table.
  fail: [
    ...RENDERERS,
    ...IMPORT_READERS,
    ...WEB,
    ...ENGINE,
    '@aws-sdk/client-s3',
    '@aws-sdk/s3-request-presigner',
    '@aws-sdk/client-sfn',
    'shared/service/',
  ],
  // Reads and rewrites job items and starts executions: no engine run, no renderer, no web.
  recover: [...ENGINE, 'exceljs', 'jszip', 'archiver', 'saxes', 'shared/reports/', ...WEB],
};

/** What each function must carry, besides its handler: what it runs (each is also a check that the matching below finds what is there). */
const MUST_CARRY: Record<FunctionName, readonly string[]> = {
  api: [
    'hono',
    'jose',
    'shared/http/',
    'shared/web/',
    '@aws-sdk/client-dynamodb',
    '@aws-sdk/client-s3',
    '@aws-sdk/client-sfn',
  ],
  importer: ['csv-parse', 'saxes', 'exceljs', 'shared/loader/', '@aws-sdk/client-dynamodb', '@aws-sdk/client-s3'],
  segment: ['date-holidays', '@aws-sdk/client-dynamodb'],
  finish: ['exceljs', 'shared/reports/', '@aws-sdk/client-dynamodb', '@aws-sdk/client-s3'],
  fail: ['@aws-sdk/client-dynamodb', '@aws-sdk/lib-dynamodb'],
  recover: ['@aws-sdk/client-dynamodb', '@aws-sdk/client-sfn'],
};

/** The bundle's inputs (paths from the metafile) that belong to `module`: a package at any depth of node_modules, or a project folder. */
function inputsOf(inputs: readonly string[], module: string): string[] {
  if (module.endsWith('/')) return inputs.filter((path) => path.startsWith(module));
  return inputs.filter(
    (path) => path.startsWith(`node_modules/${module}/`) || path.includes(`/node_modules/${module}/`),
  );
}

const built = new Map<
  FunctionName,
  { bytes: number; gzipBytes: number; imports: Metafile['outputs'][string]['imports']; inputs: string[]; text: string }
>();
/** The one build's module graph (every input and what it imports), to name the chain that brings a module in. */
let graph: Metafile['inputs'] = {};

/** The import chain from `entry` to `target` in the module graph, one module a line (breadth first: a shortest chain). */
function importChain(entry: string, target: string): string {
  const cameFrom = new Map<string, string | null>([[entry, null]]);
  const queue = [entry];
  while (queue.length > 0 && !cameFrom.has(target)) {
    const path = queue.shift()!;
    for (const { path: next } of graph[path]?.imports ?? []) {
      if (!cameFrom.has(next)) {
        cameFrom.set(next, path);
        queue.push(next);
      }
    }
  }
  const chain: string[] = [];
  for (let at: string | null | undefined = target; at; at = cameFrom.get(at)) chain.unshift(at);
  return chain.join('\n  -> ');
}

/** The handler module as the metafile names it (relative to the project root, as vitest runs). */
const handlerInput = (name: FunctionName) => FUNCTION_ENTRIES[name];

beforeAll(async () => {
  // One build of every entry (each output is still a whole bundle of its own: no code splitting).
  const result = await build({ ...esbuildOptions(FUNCTION_ENTRIES), outdir: '/bundle', write: false, metafile: true });
  for (const name of Object.keys(FUNCTION_ENTRIES) as FunctionName[]) {
    const path = `/bundle/${name}.mjs`;
    const output = result.outputFiles.find((file) => file.path === path)!;
    const meta =
      result.metafile.outputs[path.slice(1)] ??
      Object.entries(result.metafile.outputs).find(([key]) => key.endsWith(`${name}.mjs`))![1];
    built.set(name, {
      bytes: output.contents.byteLength,
      gzipBytes: gzipSync(output.contents, { level: 9 }).byteLength,
      imports: meta.imports,
      inputs: Object.keys(meta.inputs),
      text: output.text,
    });
  }
  graph = result.metafile.inputs;
}, 120_000);

const DEPLOYED_ENVIRONMENT = EXAMPLE_FUNCTION_ENVIRONMENT;

/**
 * The api and importer functions as the stack makes them, synthesized once with real bundling (the
 * local esbuild, as `cdk synth` runs it): each function's asset folder, by name.
 */
let deployed: Promise<{ outdir: string; assets: Record<'api' | 'importer', string> }> | undefined;
function deployedAssets() {
  deployed ??= (async () => {
    const outdir = await mkdtemp(join(tmpdir(), 'iro-cdk-out-'));
    const app = new App({ outdir });
    const stack = new Stack(app, 'BundleCheck');
    const common = {
      memorySize: 128,
      timeout: Duration.seconds(3),
      logRetention: RetentionDays.ONE_DAY,
      environment: {},
    };
    new IroFunction(stack, 'Api', { name: 'api', description: 'bundle check', webAssets: true, ...common });
    new IroFunction(stack, 'Importer', { name: 'importer', description: 'bundle check', ...common });
    const assembly = app.synth();
    const template = assembly.getStackByName('BundleCheck').template as {
      Resources: Record<string, { Type: string; Properties: { Code?: { S3Key?: string } } }>;
    };
    const assetOf = (prefix: string) => {
      const [, fn] = Object.entries(template.Resources).find(
        ([id, r]) => r.Type === 'AWS::Lambda::Function' && id.startsWith(prefix),
      )!;
      return join(assembly.directory, `asset.${fn.Properties.Code!.S3Key!.replace(/\.zip$/, '')}`);
    };
    return { outdir, assets: { api: assetOf('Api'), importer: assetOf('Importer') } };
  })();
  return deployed;
}

afterAll(async () => {
  if (deployed) await rm((await deployed).outdir, { recursive: true, force: true });
});

/** The Lambda's own view: the bundle folder stands for /var/task, where the asset variables point. */
function bundleView(bundle: string): Record<string, string> {
  return Object.fromEntries(
    Object.entries(API_ASSET_ENVIRONMENT).map(([name, dir]) => [name, dir.replace(/^\/var\/task/, bundle)]),
  );
}

/** Every file under `dir`, relative to it, with / between folders. */
function filesUnder(dir: string, prefix = ''): string[] {
  return readdirSync(join(dir, prefix), { withFileTypes: true })
    .flatMap((entry) => (entry.isDirectory() ? filesUnder(dir, `${prefix}${entry.name}/`) : [`${prefix}${entry.name}`]))
    .sort();
}

describe('function bundles', () => {
  it("are byte for byte what the stack's NodejsFunction deploys (same esbuild options)", async () => {
    const { assets } = await deployedAssets();
    for (const name of ['api', 'importer'] as const) {
      const deployedCode = readFileSync(join(assets[name], 'index.mjs'));
      expect(Buffer.compare(deployedCode, Buffer.from(built.get(name)!.text)), name).toBe(0);
    }
  }, 90_000);

  it('the api bundle carries exactly the GOV.UK Frontend and Swagger UI files the app serves, as installed; no other function carries them', async () => {
    const { assets } = await deployedAssets();
    const sets = apiAssetFiles();
    const govuk = sets.find((set) => set.folder === WEB_ASSETS_FOLDER)!;
    expect(govuk.source).toBe(govukAssetsDir({}));
    expect(govuk.files).toContain('govuk-frontend.min.css');
    expect(govuk.files.some((f) => f.startsWith('assets/fonts/'))).toBe(true);
    const docs = sets.find((set) => set.folder === 'swagger-ui')!;
    expect(docs.files).toEqual([...DOCS_ASSET_FILES]);
    expect(filesUnder(assets.api)).toEqual(
      ['index.mjs', ...sets.flatMap(({ folder, files }) => files.map((f) => `${folder}/${f}`))].sort(),
    );
    for (const { folder, source, files } of sets) {
      for (const file of files)
        expect(
          Buffer.compare(readFileSync(join(assets.api, folder, file)), readFileSync(join(source, file))),
          file,
        ).toBe(0);
    }
    expect(filesUnder(assets.importer)).toEqual(['index.mjs']);
  }, 90_000);

  it('the deployed api bundle serves those files (GOV.UK at /assets, Swagger UI at /docs) from its own folders, and its pages link to them', async () => {
    const { assets } = await deployedAssets();
    const source = govukAssetsDir({})!;
    const paths = govukAssetFiles(source).map((f) => `/assets/${f.replace(/^assets\//, '')}`);
    const script = `
      const { createHash } = await import('node:crypto');
      const { handler } = await import(process.argv[1]);
      const paths = JSON.parse(process.argv[2]);
      const get = (rawPath) => handler({ version: '2.0', routeKey: '$default', rawPath, rawQueryString: '', headers: { host: 'api.example' }, isBase64Encoded: false,
        requestContext: { accountId: '1', apiId: 'x', domainName: 'api.example', domainPrefix: 'api', requestId: 'r', routeKey: '$default', stage: '$default', time: '', timeEpoch: 0,
          http: { method: 'GET', path: rawPath, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'test' } } }, {});
      const out = {};
      for (const path of paths) {
        const r = await get(path);
        out[path] = [r.statusCode, createHash('sha256').update(Buffer.from(r.body, r.isBase64Encoded ? 'base64' : 'utf8')).digest('hex')];
      }
      for (const file of JSON.parse(process.argv[3])) {
        const r = await get('/docs/' + file);
        out['/docs/' + file] = [r.statusCode, createHash('sha256').update(Buffer.from(r.body, r.isBase64Encoded ? 'base64' : 'utf8')).digest('hex')];
      }
      const signIn = await get('/app/signed-out');
      out.page = [signIn.statusCode, signIn.body];
      process.stdout.write(JSON.stringify(out));`;
    const child = spawnSync(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        script,
        pathToFileURL(join(assets.api, 'index.mjs')).href,
        JSON.stringify(paths),
        JSON.stringify(DOCS_ASSET_FILES),
      ],
      {
        encoding: 'utf8',
        env: { PATH: process.env.PATH ?? '', ...DEPLOYED_ENVIRONMENT, ...bundleView(assets.api) },
      },
    );
    expect(child.status, child.stderr).toBe(0);
    // Found, so nothing was logged about missing assets.
    expect(child.stderr).not.toContain('were not found');
    expect(child.stderr).not.toContain('no Swagger UI files');
    const out = JSON.parse(child.stdout) as Record<string, [number, string]>;
    for (const [file, path] of govukAssetFiles(source).map((f, i) => [f, paths[i]!] as const)) {
      expect(out[path], path).toEqual([
        200,
        createHash('sha256')
          .update(readFileSync(join(source, file)))
          .digest('hex'),
      ]);
    }
    const docsSource = docsAssetsDir({})!;
    for (const file of DOCS_ASSET_FILES) {
      expect(out[`/docs/${file}`], file).toEqual([
        200,
        createHash('sha256')
          .update(readFileSync(join(docsSource, file)))
          .digest('hex'),
      ]);
    }
    const [status, html] = out.page!;
    expect(status).toBe(200);
    expect(html).toMatch(/<link rel="stylesheet" href="\/assets\/govuk-frontend\.min\.css\?v=[0-9a-f]{12}"/);
  }, 90_000);

  it.each(Object.keys(BUDGET_KB) as FunctionName[])('the %s bundle stays under its size budget', (name) => {
    expect(built.get(name)!.bytes / 1024).toBeLessThan(BUDGET_KB[name]);
  });

  it.each(Object.keys(BUDGET_KB) as FunctionName[])(
    'the %s bundle carries the pinned AWS SDK and imports nothing but Node built-ins',
    (name) => {
      const { imports, inputs } = built.get(name)!;
      const externals = imports.filter((i) => i.external).map((i) => i.path);
      const builtins = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));
      expect(externals.filter((path) => !builtins.has(path))).toEqual([]);
      // The same @aws-sdk/* version as package.json pins, from the project's node_modules.
      expect(inputs.some((path) => path.startsWith('node_modules/@aws-sdk/'))).toBe(true);
    },
  );

  it.each(Object.keys(BUDGET_KB) as FunctionName[])(
    'the %s bundle loads in a fresh Node process as an ES module and exports its handler',
    async (name) => {
      const dir = await mkdtemp(join(tmpdir(), `iro-bundle-${name}-`));
      try {
        const file = join(dir, 'index.mjs');
        await writeFile(file, built.get(name)!.text);
        const script = 'const m = await import(process.argv[1]); process.stdout.write(typeof m.handler);';
        const child = spawnSync(process.execPath, ['--input-type=module', '-e', script, pathToFileURL(file).href], {
          encoding: 'utf8',
          env: { PATH: process.env.PATH ?? '', ...DEPLOYED_ENVIRONMENT },
        });
        // (On Node 20 the SDK prints a warning that it will want Node 22; Lambda and CI run Node 24.)
        expect(child.status, child.stderr).toBe(0);
        expect(child.stdout).toBe('function');
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    },
  );

  it.each(Object.keys(BUDGET_KB) as FunctionName[])('the %s bundle carries its handler and what it runs', (name) => {
    const { inputs } = built.get(name)!;
    expect(inputs).toContain(handlerInput(name));
    for (const module of MUST_CARRY[name])
      expect(inputsOf(inputs, module), `${name} carries ${module}`).not.toEqual([]);
  });

  it.each(Object.keys(BUDGET_KB) as FunctionName[])('the %s bundle carries nothing it has no business with', (name) => {
    const { inputs } = built.get(name)!;
    const found = [...NO_FUNCTION_CARRIES, ...MUST_NOT_CARRY[name]].flatMap((module) => {
      const paths = inputsOf(inputs, module);
      // Name the chain that brings it in: where to cut it is the fix.
      return paths.length > 0
        ? [`${module} (${paths.length} modules), through:\n  ${importChain(handlerInput(name), paths[0]!)}`]
        : [];
    });
    expect(found.join('\n\n')).toBe('');
  });

  it('every module those lists name is there to be found: a misspelt name would check nothing', () => {
    const named = new Set([
      ...NO_FUNCTION_CARRIES,
      ...Object.values(MUST_NOT_CARRY).flat(),
      ...Object.values(MUST_CARRY).flat(),
    ]);
    for (const module of named) {
      const where = module.endsWith('/')
        ? join(PROJECT_ROOT, module)
        : join(PROJECT_ROOT, 'node_modules', module, 'package.json');
      expect(existsSync(where), module).toBe(true);
    }
  });

  it('the same matching finds each group of forbidden code where it belongs, so it would find it where it does not', () => {
    // Swagger UI and GOV.UK Frontend are files the api serves, not code any bundle imports.
    const groups: [FunctionName, readonly string[]][] = [
      ['finish', RENDERERS],
      ['importer', IMPORT_READERS],
      ['api', WEB.filter((m) => m !== 'swagger-ui-dist' && m !== 'govuk-frontend')],
      ['finish', ENGINE],
    ];
    for (const [name, modules] of groups) {
      for (const module of modules)
        expect(inputsOf(built.get(name)!.inputs, module), `${module} in ${name}`).not.toEqual([]);
    }
  });

  it(`the fail bundle stays under ${FAIL_GZIP_BUDGET_KB} KB compressed (gzip), the size Lambda stores and fetches`, () => {
    expect(built.get('fail')!.gzipBytes / 1024).toBeLessThan(FAIL_GZIP_BUDGET_KB);
  });

  it('the recover bundle refuses to start without the runner state machine, naming the setting', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'iro-bundle-recover-bare-'));
    try {
      const file = join(dir, 'index.mjs');
      await writeFile(file, built.get('recover')!.text);
      const { IRO_AUDIT_STATE_MACHINE_ARN: _missing, ...rest } = DEPLOYED_ENVIRONMENT;
      const script =
        'try { await import(process.argv[1]); } catch (error) { process.stderr.write(String(error.message)); process.exitCode = 1; }';
      const child = spawnSync(process.execPath, ['--input-type=module', '-e', script, pathToFileURL(file).href], {
        encoding: 'utf8',
        env: { PATH: process.env.PATH ?? '', ...rest },
      });
      expect(child.status).not.toBe(0);
      expect(child.stderr).toContain('IRO_AUDIT_STATE_MACHINE_ARN is not set');
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
      const script =
        'try { await import(process.argv[1]); } catch (error) { process.stderr.write(String(error.message)); process.exitCode = 1; }';
      const child = spawnSync(process.execPath, ['--input-type=module', '-e', script, pathToFileURL(file).href], {
        encoding: 'utf8',
        env: { PATH: process.env.PATH ?? '', ...rest },
      });
      expect(child.status).not.toBe(0);
      expect(child.stderr).toContain('IRO_AUTH_ISSUER is not set');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
