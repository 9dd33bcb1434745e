/**
 * Import throughput and peak memory: `npx tsx bench/import-bench.ts [--rows 1000000] [--reviews-per-child 10] [--rules on|off] [--json] [--keep <dir>]`.
 * Generates a 2025-26-shaped return: a reviews.csv of `--rows` rows with the header.csv and
 * episodes.csv its rows need to pass every rejecting rule (one open period of care per child from
 * April 2025, every child 10 to 15), then imports them with the product loader (`loadFiles`, exactly
 * what `npm run import` runs) into a fresh on-disk dynalite in its own process: with the DfE's rules
 * of 2025-26 (`--rules on`, as the product runs) or without them (`--rules off`, to measure their cost
 * side by side). Reports rows/s, the importer's peak RSS (Linux high-water mark, reset at the start)
 * and dynalite's; `--json` prints them as one JSON line for `npm run bench`. Exit code 3 when any row is rejected.
 * With `NODE_OPTIONS=--expose-gc` it also reports the live heap (after a full GC) at each quarter of
 * reviews.csv: peak RSS shows what V8 chose to keep, the live heap what the import actually holds.
 */
import { createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, rm, stat } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { finished } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import { createDynamoDocumentClient } from '#config/aws-clients';
import { loadFiles } from '#loader/load';
import { DynamoRecordStore } from '#store/dynamo-store';
import { ensureTable } from '#store/table';
import { startDynaliteChild } from './dynalite-child.ts';
import { MemorySampler, processCpuSeconds } from './memory.ts';

const { values } = parseArgs({
  options: {
    rows: { type: 'string', default: '1000000' },
    'reviews-per-child': { type: 'string', default: '10' },
    rules: { type: 'string', default: 'on' },
    json: { type: 'boolean', default: false },
    keep: { type: 'string' },
    /** Import these files instead of generating them (e.g. the files an earlier loader's benchmark kept). */
    files: { type: 'string' },
  },
});
const rows = Number(values.rows);
const perChild = Number(values['reviews-per-child']);
if (
  !Number.isInteger(rows) ||
  rows < 1 ||
  !Number.isInteger(perChild) ||
  perChild < 1 ||
  (values.rules !== 'on' && values.rules !== 'off')
) {
  console.error(
    'usage: npx tsx bench/import-bench.ts [--rows N] [--reviews-per-child N] [--rules on|off] [--json] [--keep <dir>]',
  );
  process.exit(1);
}
const AUTHORITY = 'bench-import';
const TABLE = 'iro-audit-import-bench';

const uk = (d: Date) =>
  `${String(d.getUTCDate()).padStart(2, '0')}/${String(d.getUTCMonth() + 1).padStart(2, '0')}/${d.getUTCFullYear()}`;
const DAY = 86_400_000;

/** Writes lines through a stream, waiting when its buffer is full, so generation holds one buffer at a time. */
async function writeLines(path: string, header: string, lines: () => Generator<string>): Promise<number> {
  const out = createWriteStream(path);
  out.write(`${header}\n`);
  let n = 0;
  let chunk: string[] = [];
  for (const line of lines()) {
    chunk.push(line);
    n += 1;
    if (chunk.length === 1000) {
      if (!out.write(`${chunk.join('\n')}\n`)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
      chunk = [];
    }
  }
  if (chunk.length) out.write(`${chunk.join('\n')}\n`);
  out.end();
  await finished(out);
  return n;
}

const root = values.keep ?? (await mkdtemp(join(tmpdir(), 'iro-import-bench-')));
const filesDir = values.files ?? join(root, 'files');
const dataDir = join(root, 'dynamodb');
const children = Math.ceil(rows / perChild);
if (!values.files) await generate();

/** Writes the return's three files: one child per `perChild` reviews. */
async function generate(): Promise<void> {
  await mkdir(filesDir, { recursive: true });
  const PERIOD_START = Date.UTC(2025, 3, 7);
  // Every child is born 2010–2015 (10 to 15 when they come into care in April or May 2025) and stays in care.
  const childId = (i: number) => `B${String(i).padStart(7, '0')}`;
  const birth = (i: number) => new Date(Date.UTC(2010 + (i % 6), i % 12, 1 + (i % 28)));
  const generated = performance.now();
  await writeLines(join(filesDir, 'header.csv'), 'CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB', function* () {
    for (let i = 0; i < children; i += 1)
      yield `${childId(i)},${i % 2 ? 'F' : 'M'},${uk(birth(i))},WBRI,A${String(100_000_000_000 + i).padStart(12, '0')},${i % 2 ? '0' : ''},`;
  });
  await writeLines(
    join(filesDir, 'episodes.csv'),
    'CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,PL_POST,URN',
    function* () {
      for (let i = 0; i < children; i += 1)
        yield `${childId(i)},${uk(new Date(PERIOD_START + (i % 30) * DAY))},S,C2,N1,U4,PR1,,,,SE1 7PB,SE5 8AF,SC111111`;
    },
  );
  await writeLines(join(filesDir, 'reviews.csv'), 'CHILD,DOB,REVIEW,REVIEW_CODE', function* () {
    for (let n = 0; n < rows; n += 1) {
      const i = Math.floor(n / perChild);
      const k = n % perChild;
      // Reviews every 61 days from two months into the period: inside it, one per date.
      yield `${childId(i)},${uk(birth(i))},${uk(new Date(PERIOD_START + (i % 30) * DAY + (60 + 61 * k) * DAY))},PN${1 + ((i + k) % 7)}`;
    }
  });
  const sizeMb = (await stat(join(filesDir, 'reviews.csv'))).size / 1024 / 1024;
  console.error(
    `generated ${rows.toLocaleString('en-GB')} reviews (${sizeMb.toFixed(0)} MB), ${children.toLocaleString('en-GB')} children and episodes in ${((performance.now() - generated) / 1000).toFixed(1)} s`,
  );
}

const dynalite = await startDynaliteChild(dataDir);
let exitCode = 0;
try {
  const config = {
    region: 'eu-west-2',
    tableName: TABLE,
    bucketName: 'unused',
    dynamoEndpoint: dynalite.dynamoEndpoint,
  };
  const client = createDynamoDocumentClient(config);
  await ensureTable(client, TABLE);
  const store = new DynamoRecordStore(client, TABLE);
  const dynaliteCpuBefore = processCpuSeconds(dynalite.pid);
  const cpuBefore = process.cpuUsage();
  const sampler = new MemorySampler(100);
  const started = performance.now();
  let readEnded = started;
  let lastShown = 0;
  const gc = (globalThis as { gc?: () => void }).gc;
  const quarters = [1, 2, 3, 4].map((q) => Math.floor(((rows + 2 * children) * q) / 4));
  const liveHeap: string[] = [];
  const report = await loadFiles(store, [filesDir], {
    authorityId: AUTHORITY,
    dfeRules: values.rules === 'on',
    onProgress: ({ phase, rows: done, totalRows }) => {
      if (phase === 'reading') readEnded = performance.now();
      if (gc && phase === 'writing' && quarters.length > 0 && done >= quarters[0]!) {
        quarters.shift();
        gc();
        liveHeap.push(
          `${(done / 1000).toFixed(0)}k rows: ${(process.memoryUsage().heapUsed / 1024 / 1024).toFixed(0)} MB`,
        );
      }
      if (performance.now() - lastShown > 10_000) {
        lastShown = performance.now();
        console.error(
          `  ${phase}: ${done.toLocaleString('en-GB')} rows${phase === 'writing' ? ` of ${totalRows.toLocaleString('en-GB')}` : ''} (${((performance.now() - started) / 1000).toFixed(0)} s)`,
        );
      }
    },
  });
  const seconds = (performance.now() - started) / 1000;
  const memory = sampler.stop();
  const cpu = process.cpuUsage(cpuBefore);
  const dynaliteCpu = (processCpuSeconds(dynalite.pid) ?? 0) - (dynaliteCpuBefore ?? 0);
  const total = report.files.reduce((n, f) => n + f.rows, 0);
  const rejected = report.files.reduce((n, f) => n + f.rejected, 0);
  if (rejected > 0 || report.files.some((f) => f.refused)) {
    exitCode = 3;
    console.error(
      `rows were rejected or files refused: ${JSON.stringify(report.errors.filter((e) => e.severity !== 'warning').slice(0, 3))} ${report.files
        .map((f) => f.refused)
        .filter(Boolean)
        .join('; ')}`,
    );
  }
  const peak = memory.hwmPeakRssMb ?? memory.sampledPeakRssMb;
  const result = {
    rules: values.rules,
    rows: total,
    reviews: rows,
    children,
    seconds,
    rowsPerSecond: total / seconds,
    readSeconds: (readEnded - started) / 1000,
    peakRssMb: peak,
    startRssMb: memory.startRssMb,
    peakHeapMb: memory.peakHeapUsedMb,
    dynalitePeakRssMb: dynalite.peakRssMb() ?? null,
    importerCpuSeconds: (cpu.user + cpu.system) / 1e6,
    dynaliteCpuSeconds: dynaliteCpu,
    rejected,
    warnings: report.warningCount,
    year: report.year?.year ?? null,
    liveHeap,
  };
  if (values.json) console.log(JSON.stringify(result));
  else {
    console.log(
      `## Import benchmark (${new Date().toISOString().slice(0, 10)}, ${cpus().length} × ${cpus()[0]?.model ?? 'CPU'}, Node ${process.version}), DfE rules ${values.rules}`,
    );
    console.log('');
    console.log(
      `- ${total.toLocaleString('en-GB')} rows (${rows.toLocaleString('en-GB')} reviews, ${children.toLocaleString('en-GB')} children and episodes) in ${seconds.toFixed(1)} s = **${Math.round(total / seconds).toLocaleString('en-GB')} rows/s** (reading ${result.readSeconds.toFixed(1)} s, judging and writing the rest)`,
    );
    console.log(
      `- importer peak RSS **${peak.toFixed(0)} MB** (started at ${memory.startRssMb.toFixed(0)} MB; peak V8 heap ${memory.peakHeapUsedMb.toFixed(0)} MB); dynalite peak RSS ${dynalite.peakRssMb()?.toFixed(0) ?? '?'} MB`,
    );
    if (liveHeap.length > 0)
      console.log(`- live heap after a full GC, while judging and writing: ${liveHeap.join(', ')}`);
    console.log(`- CPU: importer ${result.importerCpuSeconds.toFixed(0)} s, dynalite ${dynaliteCpu.toFixed(0)} s`);
    console.log(`- collection year ${result.year}, rejected ${rejected}, warnings ${report.warningCount}`);
  }
} finally {
  await dynalite.stop();
  if (!values.keep) await rm(root, { recursive: true, force: true });
}
process.exitCode = exitCode;
