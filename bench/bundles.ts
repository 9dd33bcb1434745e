/**
 * `npm run bench:bundles`: each Lambda function bundled two ways — the AWS SDK bundled (what the
 * stack deploys) and the SDK left to the runtime (`@aws-sdk/*` external) — with the size of each
 * bundle and the time to import its handler module in a fresh Node process. One Markdown table on
 * stdout and in bench/bundles.md.
 * `npm run bench:bundles -- [--runs 15]`
 */
import { spawnSync } from 'node:child_process';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import {
  BUNDLE,
  esbuildOptions,
  EXAMPLE_FUNCTION_ENVIRONMENT,
  FUNCTION_ENTRIES,
  PROJECT_ROOT,
  type FunctionName,
} from '../infra/functions.ts';

const { values: args } = parseArgs({ options: { runs: { type: 'string', default: '15' } } });
const runs = Number(args.runs);
if (!Number.isInteger(runs) || runs < 3) {
  console.error('bench:bundles: --runs must be a whole number of 3 or more');
  process.exit(1);
}

// Under node_modules, so the runtime-SDK variant resolves @aws-sdk/* from the project's node_modules,
// as the Lambda runtime resolves it from its own.
const OUT = join(PROJECT_ROOT, 'node_modules', '.cache', 'iro-audit-bundles');
const RESULTS_PATH = fileURLToPath(new URL('./bundles.md', import.meta.url));

const VARIANTS = {
  bundled: { label: 'SDK bundled', external: [] as string[] },
  runtime: { label: 'runtime SDK', external: ['@aws-sdk/*'] },
} as const;
type Variant = keyof typeof VARIANTS;

interface Figures {
  bytes: number;
  gzipBytes: number;
  loadMs: number[];
}

async function bundle(
  name: FunctionName,
  variant: Variant,
): Promise<{ file: string; bytes: number; gzipBytes: number }> {
  const outdir = join(OUT, variant, name);
  await rm(outdir, { recursive: true, force: true });
  await mkdir(outdir, { recursive: true });
  const result = await build({
    ...esbuildOptions(FUNCTION_ENTRIES[name], { external: [...VARIANTS[variant].external] }),
    entryNames: 'index',
    outdir,
    write: false,
  });
  const output = result.outputFiles.find((f) => f.path.endsWith('.mjs'))!;
  const file = join(outdir, 'index.mjs');
  await writeFile(file, output.contents);
  return { file, bytes: output.contents.byteLength, gzipBytes: gzipSync(output.contents, { level: 9 }).byteLength };
}

/** Milliseconds to import the handler module (clients created, nothing sent) in a fresh Node process. */
function loadTime(file: string): number {
  const script =
    'const t = performance.now(); await import(process.argv[1]); process.stdout.write(String(performance.now() - t));';
  const child = spawnSync(process.execPath, ['--input-type=module', '-e', script, pathToFileURL(file).href], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '', ...EXAMPLE_FUNCTION_ENVIRONMENT },
  });
  if (child.status !== 0) throw new Error(`importing ${file} failed: ${child.stderr}`);
  return Number(child.stdout);
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};
const kb = (bytes: number) => `${(bytes / 1024).toLocaleString('en-GB', { maximumFractionDigits: 0 })} KB`;
const ms = (value: number) => `${value.toFixed(0)} ms`;

const results = new Map<string, Figures>();
const names = Object.keys(FUNCTION_ENTRIES) as FunctionName[];
const files = new Map<string, string>();
for (const name of names) {
  for (const variant of Object.keys(VARIANTS) as Variant[]) {
    const built = await bundle(name, variant);
    files.set(`${name}/${variant}`, built.file);
    results.set(`${name}/${variant}`, { bytes: built.bytes, gzipBytes: built.gzipBytes, loadMs: [] });
  }
}
// Interleaved, so a busy moment on the machine falls on every variant alike.
for (let run = 0; run < runs; run += 1) {
  for (const [key, file] of files) results.get(key)!.loadMs.push(loadTime(file));
  process.stderr.write(`bench:bundles: run ${run + 1}/${runs}\r`);
}
process.stderr.write('\n');

const lines = [
  `Bundles (esbuild ${(await import('esbuild')).version}, options of infra/functions.ts: ESM, ${BUNDLE.target}, minified; gzip at level 9) and the median time to import each handler module in a fresh Node ${process.version} process, ${runs} runs, ${cpus().length} × ${cpus()[0]?.model.trim() ?? 'CPU'}.`,
  '',
  '| function | SDK bundled: size (gzip) | import | runtime SDK: size (gzip) | import |',
  '| --- | --- | --- | --- | --- |',
  ...names.map((name) => {
    const b = results.get(`${name}/bundled`)!;
    const r = results.get(`${name}/runtime`)!;
    return `| ${name} | ${kb(b.bytes)} (${kb(b.gzipBytes)}) | ${ms(median(b.loadMs))} | ${kb(r.bytes)} (${kb(r.gzipBytes)}) | ${ms(median(r.loadMs))} |`;
  }),
  '',
];
const report = lines.join('\n');
console.log(report);
await writeFile(RESULTS_PATH, report);
await rm(OUT, { recursive: true, force: true });
console.error(`bench:bundles: written to ${RESULTS_PATH}`);
