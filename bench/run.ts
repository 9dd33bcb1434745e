/**
 * `npm run bench`: the audit benchmark, one Markdown table on stdout and in bench/results.md.
 * `npm run bench -- [--sizes 10000,100000] [--segments 4] [--loader bulk|product] [--data-dir <dir>]
 *   [--keep] [--reuse <dir>] [--audit-heap-mb <n>] [--grading-iros 50] [--grading-seconds 60] [--no-grading]
 *   [--import-rows 40000,160000] [--no-import] [--no-audit]`
 * For each size (reviews audited): generate a demo authority, load it into an on-disk dynalite, time
 * the review-timeliness-participation audit against a bare parallel scan and against the same
 * criteria in SQLite, and cross-check the engine's counts with the SQL's. Then the grading load: many
 * IROs grading at once through the HTTP API on the local stack (bench/grading.ts). Then the importer:
 * a 2025-26-shaped return at two sizes, each imported with the DfE's rules and without them, side by
 * side, each run in its own process (bench/import-bench.ts): rows/s and peak memory.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, platform, release, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { DeleteTableCommand } from '@aws-sdk/client-dynamodb';
import { createDynamoDocumentClient } from '#config/aws-clients';
import { REGULATIONS_2010 } from '#domain/timescales';
import { localConfig } from '#local/connect';
import { DynamoRecordStore } from '#store/dynamo-store';
import { ensureTable } from '#store/table';
import { HEADLINE_CRITERION, runInChild, TEMPLATE_ID, type AuditBenchResult, type ScanResult } from './audit-bench.ts';
import { crossCheck, type CrossCheck } from './cross-check.ts';
import { benchGrading, type GradingBenchResult } from './grading.ts';
import {
  AUTHORITY_ID,
  auditFiles,
  calibrate,
  prepareDataset,
  writeMeta,
  YEARS,
  type Dataset,
  type LoadFigures,
} from './dataset.ts';
import { startDynaliteChild, type DynaliteChild } from './dynalite-child.ts';
import { bulkLoad, loadWithProductLoader, type LoaderKind } from './load.ts';
import { processCpuSeconds, waitUntilIdle } from './memory.ts';
import { loadSqlite, runCriteriaSql, SQL_CRITERIA, WORKING_DAYS_METHOD, type SqlResult } from './sqlite-baseline.ts';

const USAGE =
  'usage: npm run bench -- [--sizes 10000,100000] [--segments 4] [--loader bulk|product] [--data-dir <dir>] [--keep] [--reuse <dir>] [--audit-heap-mb <n>] [--grading-iros 50] [--grading-seconds 60] [--no-grading] [--import-rows 40000,160000] [--no-import] [--no-audit]';
const RESULTS_PATH = fileURLToPath(new URL('./results.md', import.meta.url));
const IMPORT_RESULTS_PATH = fileURLToPath(new URL('./import-results.md', import.meta.url));
/** Rows per second to expect from dynalite on this kind of machine, for the up-front time estimate only. */
const EXPECTED_BULK_ROWS_PER_SECOND = 3_500;
/** Longest wait for dynalite to finish background work (LevelDB compaction) before a measurement. */
const SETTLE_MAX_SECONDS = 300;
/** The product loader is measured once, on the smallest size, into a throwaway table. */
const IMPORT_TABLE = 'iro-audit-import';

function fail(message: string): never {
  console.error(`bench: ${message}`);
  console.error(USAGE);
  process.exit(1);
}

const log = (line: string) => console.error(line);

let args;
try {
  ({ values: args } = parseArgs({
    strict: true,
    allowPositionals: false,
    options: {
      sizes: { type: 'string', default: '10000,100000' },
      segments: { type: 'string', default: '4' },
      loader: { type: 'string', default: 'bulk' },
      'data-dir': { type: 'string' },
      keep: { type: 'boolean', default: false },
      reuse: { type: 'string' },
      'audit-heap-mb': { type: 'string' },
      'grading-iros': { type: 'string', default: '50' },
      'grading-seconds': { type: 'string', default: '60' },
      'no-grading': { type: 'boolean', default: false },
      'import-rows': { type: 'string', default: '40000,160000' },
      'no-import': { type: 'boolean', default: false },
      'no-audit': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h' },
    },
  }));
} catch (error) {
  fail((error as Error).message);
}
if (args.help) {
  console.log(USAGE);
  process.exit(0);
}

const sizes = args.sizes.split(',').map((s) => s.trim().replace(/_/g, ''));
if (sizes.some((s) => !/^\d+$/.test(s) || Number(s) < 100 || Number(s) > 5_000_000))
  fail(`--sizes must be whole numbers from 100 to 5,000,000, got "${args.sizes}"`);
const targets = [...new Set(sizes.map(Number))].sort((a, b) => a - b);
const segments = Number(args.segments);
if (!Number.isInteger(segments) || segments < 1 || segments > 64)
  fail(`--segments must be a whole number from 1 to 64, got "${args.segments}"`);
if (args.loader !== 'bulk' && args.loader !== 'product') fail(`--loader must be bulk or product, got "${args.loader}"`);
const loader: LoaderKind = args.loader;
const heapMb = args['audit-heap-mb'] === undefined ? undefined : Number(args['audit-heap-mb']);
if (heapMb !== undefined && (!Number.isInteger(heapMb) || heapMb < 256))
  fail(`--audit-heap-mb must be a whole number of 256 or more, got "${args['audit-heap-mb']}"`);
const gradingIros = Number(args['grading-iros']);
if (!Number.isInteger(gradingIros) || gradingIros < 1 || gradingIros > 500)
  fail(`--grading-iros must be a whole number from 1 to 500, got "${args['grading-iros']}"`);
const gradingSeconds = Number(args['grading-seconds']);
if (!Number.isFinite(gradingSeconds) || gradingSeconds < 5 || gradingSeconds > 3600)
  fail(`--grading-seconds must be from 5 to 3600, got "${args['grading-seconds']}"`);
const importRows = args['import-rows'].split(',').map((v) => Number(v.trim().replace(/_/g, '')));
if (importRows.some((r) => !Number.isInteger(r) || r < 1_000 || r > 5_000_000))
  fail(`--import-rows must be whole numbers from 1,000 to 5,000,000, got "${args['import-rows']}"`);
if (args.reuse && args['data-dir']) fail('--reuse names the data folder itself: give --reuse or --data-dir, not both');

const dataDir = args.reuse
  ? resolve(args.reuse)
  : args['data-dir']
    ? resolve(args['data-dir'])
    : await mkdtemp(join(tmpdir(), 'iro-audit-bench-'));
// Data the caller named, or asked to keep, stays; a temporary folder of ours goes.
const keepData = args.keep || args.reuse !== undefined || args['data-dir'] !== undefined;

interface SizeResult {
  target: number;
  dataset: Dataset;
  load: LoadFigures;
  productLoad?: LoadFigures;
  /** Null when the audit failed; `auditError` says how. */
  audit: AuditBenchResult | null;
  auditError?: string;
  /** dynalite's CPU seconds during the audit and during each scan (null off Linux). */
  auditDynaliteCpuSeconds: number | null;
  scans: ScanResult[];
  scanDynaliteCpuSeconds: (number | null)[];
  sql: SqlResult;
  sqlLoad: { rows: number; seconds: number };
  /** Null when there was no audit to check. */
  check: CrossCheck | null;
  dynalitePeakRssMb: number | null;
}

log(
  `bench: ${TEMPLATE_ID}, every review due or held over ${YEARS} years of demo history, sizes ${targets.map((t) => t.toLocaleString('en-GB')).join(', ')} reviews, ${segments} scan segments, ${loader} loader`,
);
log(
  `bench: data in ${dataDir}${keepData ? ' (kept)' : ' (temporary, removed at the end; --keep keeps it for --reuse)'}`,
);
if (!targets.includes(1_000_000)) {
  log(
    'bench: 1,000,000 reviews is opt-in (--sizes 10000,100000,1000000): it first loads about 3.6 million rows, 12–17 minutes of dynalite writes on a 2-core machine (3,500–5,100 rows/s measured)',
  );
}

/** The dynalite of the size being measured, so an interrupt can close it before the temporary data goes. */
let running: DynaliteChild | undefined;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    log(`bench: ${signal}, stopping`);
    void (async () => {
      await running?.stop().catch(() => {});
      if (!keepData) await rm(dataDir, { recursive: true, force: true }).catch(() => {});
      process.exit(130);
    })();
  });
}

let perChild: Promise<number> | undefined;
const reviewsPerChild = () => (perChild ??= calibrate(dataDir));
const results: SizeResult[] = [];
try {
  for (const [index, target] of (args['no-audit'] ? [] : targets).entries()) {
    log(`\n== ${target.toLocaleString('en-GB')} reviews`);
    results.push(await benchSize(target, index === 0));
  }
} finally {
  if (!keepData) await rm(dataDir, { recursive: true, force: true });
}

let grading: GradingBenchResult | null = null;
if (!args['no-grading']) {
  log(`\n== grading: ${gradingIros} IROs at once for ${gradingSeconds} s`);
  grading = await benchGrading({
    iros: gradingIros,
    seconds: gradingSeconds,
    sample: 1500 /* enough that every IRO has work for the whole run */,
    secondTab: 0.1,
    log: (line) => log(`  ${line}`),
  });
}

const imports: ImportBenchResult[] = [];
if (!args['no-import']) {
  for (const reviews of importRows) {
    for (const rules of ['off', 'on'] as const) {
      log(`\n== import: ${reviews.toLocaleString('en-GB')} reviews, DfE rules ${rules}`);
      imports.push(await benchImport(reviews, rules));
    }
  }
}

// Each stage keeps its own file, so a run of one stage leaves the others' figures as they were.
const report = (results.length ? renderReport(results) : '') + (grading ? renderGrading(grading) : '');
const importReport = imports.length ? renderImports(imports) : '';
console.log(report + importReport);
if (report) {
  await writeFile(RESULTS_PATH, report);
  log(`bench: written to ${RESULTS_PATH}`);
}
if (importReport) {
  await writeFile(
    IMPORT_RESULTS_PATH,
    `# Import benchmark\n\n${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC · ${cpus().length} CPUs · Node ${process.version}\n\n${importReport}`,
  );
  log(`bench: written to ${IMPORT_RESULTS_PATH}`);
}
// 3: the engine and SQL disagree; 4: an audit failed.
if (results.some((r) => r.check && !r.check.agrees)) process.exitCode = 3;
// 5: a grade was lost.
if (grading && grading.lostGrades > 0) process.exitCode = 5;
// 6: the import bench rejected a row of its clean return.
else if (imports.some((i) => i.rejected > 0)) process.exitCode = 6;
else if (results.some((r) => !r.audit)) process.exitCode = 4;

async function benchSize(target: number, smallest: boolean): Promise<SizeResult> {
  const dataset = await prepareDataset(dataDir, target, reviewsPerChild, log);
  const { paths, rows } = auditFiles(dataset);
  if (!dataset.meta.load) await rm(dataset.dynamoDir, { recursive: true, force: true });
  const dynalite = await startDynaliteChild(dataset.dynamoDir);
  running = dynalite;
  let dynalitePeakRssMb: number | null = null;
  try {
    const config = localConfig(dynalite.dynamoEndpoint, 'http://127.0.0.1:9');
    const client = createDynamoDocumentClient(config);
    const store = new DynamoRecordStore(client, config.tableName);
    if (!dataset.meta.load) {
      await ensureTable(client, config.tableName);
      const estimate = rows / EXPECTED_BULK_ROWS_PER_SECOND / (loader === 'bulk' ? 1 : 0.7);
      log(
        `  loading ${rows.toLocaleString('en-GB')} rows (${paths.map((p) => p.replace(/^.*\//, '')).join(', ')}) with the ${loader} loader: roughly ${formatDuration(estimate)}`,
      );
      const progress = progressLogger(rows);
      const result =
        loader === 'bulk'
          ? await bulkLoad(client, config.tableName, store, paths, AUTHORITY_ID, progress)
          : await loadWithProductLoader(store, paths, AUTHORITY_ID, progress);
      // The authority settings item is what an import writes last; the audit refuses an authority without it.
      await store.putAuthority({
        authorityId: AUTHORITY_ID,
        name: 'Benchmark authority',
        timescales: REGULATIONS_2010,
      });
      dataset.meta.load = {
        loader,
        rows: result.rows,
        seconds: result.seconds,
        rowsPerSecond: result.rows / result.seconds,
      };
      await writeMeta(dataset);
      log(
        `  loaded ${result.rows.toLocaleString('en-GB')} rows in ${result.seconds.toFixed(1)} s: ${Math.round(result.rows / result.seconds).toLocaleString('en-GB')} rows/s`,
      );
    } else {
      log(
        `  loaded earlier: ${dataset.meta.load.rows.toLocaleString('en-GB')} rows at ${Math.round(dataset.meta.load.rowsPerSecond).toLocaleString('en-GB')} rows/s (${dataset.meta.load.loader} loader)`,
      );
    }
    const load = dataset.meta.load;

    const productLoad = smallest && loader === 'bulk' ? await measureProductLoader(dataset, dynalite) : undefined;

    const period = { from: dataset.meta.firstReview, to: dataset.meta.asAt };
    const scanInput = { dynamoEndpoint: dynalite.dynamoEndpoint, authorityId: AUTHORITY_ID, segments };
    // Each measurement starts with dynalite idle (LevelDB compacts for a while after a load) and notes dynalite's CPU during it.
    const withDynalite = async <T>(
      work: () => Promise<T>,
    ): Promise<{ result: T; dynaliteCpuSeconds: number | null }> => {
      const settled = await waitUntilIdle(dynalite.pid, SETTLE_MAX_SECONDS);
      if (settled.waitedSeconds > 4)
        log(
          `    (waited ${settled.waitedSeconds.toFixed(0)} s for dynalite to go idle${settled.idle ? '' : ': it did not'})`,
        );
      const before = processCpuSeconds(dynalite.pid);
      const result = await work();
      const after = processCpuSeconds(dynalite.pid);
      return { result, dynaliteCpuSeconds: before === null || after === null ? null : after - before };
    };
    // A bare scan before and after the audit, each in a fresh process: the floor is the faster of the two.
    log('  bare parallel scan (1 of 2)…');
    const first = await withDynalite(() => runInChild({ job: 'scan', input: scanInput }));
    log(`    ${first.result.items.toLocaleString('en-GB')} items in ${first.result.seconds.toFixed(2)} s`);
    log(`  audit ${TEMPLATE_ID}, ${period.from} to ${period.to}, every review due or held, automatic criteria…`);
    // An audit that fails (out of heap, say) is a result too: the row says so and the other figures still come.
    const audited = await withDynalite(() =>
      runInChild(
        {
          job: 'audit',
          input: {
            ...scanInput,
            s3Endpoint: dynalite.s3Endpoint,
            period,
            outcomesPath: join(dataset.dir, 'engine-outcomes.tsv'),
          },
        },
        heapMb === undefined ? {} : { heapMb },
      ).catch((error: unknown) => (error as Error).message),
    );
    const audit = typeof audited.result === 'string' ? null : audited.result;
    const auditError = typeof audited.result === 'string' ? audited.result : undefined;
    if (audit) {
      const headline = audit.criteria.find((c) => c.id === HEADLINE_CRITERION);
      log(
        `    ${audit.reviewsAudited.toLocaleString('en-GB')} reviews due or held of ${audit.childrenScanned.toLocaleString('en-GB')} children in ${audit.auditSeconds.toFixed(2)} s; peak RSS ${peakRss(audit).toFixed(0)} MB, heapUsed ${audit.memory.peakHeapUsedMb.toFixed(0)} MB; ${HEADLINE_CRITERION} ${percent(headline?.compliance ?? null)}`,
      );
    } else log(`    FAILED: ${auditError}`);
    log('  bare parallel scan (2 of 2)…');
    const second = await withDynalite(() => runInChild({ job: 'scan', input: scanInput }));
    log(`    ${second.result.items.toLocaleString('en-GB')} items in ${second.result.seconds.toFixed(2)} s`);
    dynalitePeakRssMb = dynalite.peakRssMb();

    log('  SQLite (sql.js): loading the CSVs…');
    const sqlite = await loadSqlite(dataset.csvDir);
    let sql: SqlResult;
    let check: CrossCheck | null = null;
    try {
      log(`    ${sqlite.rows.toLocaleString('en-GB')} rows in ${sqlite.seconds.toFixed(2)} s; running the criteria…`);
      sql = runCriteriaSql(sqlite.db, period);
      log(`    ${sql.units.toLocaleString('en-GB')} reviews due or held in ${sql.seconds.toFixed(2)} s`);
      if (audit)
        check = await crossCheck(audit, sql, sqlite.db, period, join(dataset.dir, 'engine-outcomes.tsv'), AUTHORITY_ID);
    } finally {
      sqlite.db.close();
    }
    if (check)
      log(`    cross-check: ${check.agrees ? 'the engine and SQL agree on every count' : 'MISMATCH (see the report)'}`);
    return {
      target,
      dataset,
      load,
      ...(productLoad ? { productLoad } : {}),
      audit,
      ...(auditError ? { auditError } : {}),
      auditDynaliteCpuSeconds: audited.dynaliteCpuSeconds,
      scans: [first.result, second.result],
      scanDynaliteCpuSeconds: [first.dynaliteCpuSeconds, second.dynaliteCpuSeconds],
      sql,
      sqlLoad: sqlite,
      check,
      dynalitePeakRssMb,
    };
  } finally {
    await dynalite.stop();
    running = undefined;
  }
}

/** The product loader (BatchGet for idempotency, then BatchWrite) on the same files, into a throwaway table of the same dynalite. */
async function measureProductLoader(dataset: Dataset, dynalite: DynaliteChild): Promise<LoadFigures> {
  if (dataset.meta.productLoad) return dataset.meta.productLoad;
  const config = { ...localConfig(dynalite.dynamoEndpoint, 'http://127.0.0.1:9'), tableName: IMPORT_TABLE };
  const client = createDynamoDocumentClient(config);
  await ensureTable(client, IMPORT_TABLE);
  const { paths, rows } = auditFiles(dataset);
  log(`  product loader (loadFiles) on the same ${rows.toLocaleString('en-GB')} rows, into a throwaway table…`);
  try {
    const result = await loadWithProductLoader(
      new DynamoRecordStore(client, IMPORT_TABLE),
      paths,
      AUTHORITY_ID,
      () => {},
    );
    dataset.meta.productLoad = {
      loader: 'product',
      rows: result.rows,
      seconds: result.seconds,
      rowsPerSecond: result.rows / result.seconds,
    };
    await writeMeta(dataset);
    log(`    ${Math.round(dataset.meta.productLoad.rowsPerSecond).toLocaleString('en-GB')} rows/s`);
    return dataset.meta.productLoad;
  } finally {
    await client.send(new DeleteTableCommand({ TableName: IMPORT_TABLE }));
  }
}

/** Logs load progress about every 15 s, so a long load shows it is moving and when it will end. */
function progressLogger(total: number): (rows: number) => void {
  const started = performance.now();
  let next = started + 15_000;
  return (rows) => {
    const now = performance.now();
    if (now < next) return;
    next = now + 15_000;
    const rate = rows / ((now - started) / 1000);
    log(
      `    ${rows.toLocaleString('en-GB')} of ${total.toLocaleString('en-GB')} rows, ${Math.round(rate).toLocaleString('en-GB')} rows/s, about ${formatDuration((total - rows) / rate)} to go`,
    );
  };
}

function peakRss(audit: AuditBenchResult): number {
  return Math.max(audit.memory.sampledPeakRssMb, audit.memory.hwmPeakRssMb ?? 0);
}

function percent(share: number | null): string {
  return share === null ? 'n/a' : `${(share * 100).toFixed(1)}%`;
}

function formatDuration(seconds: number): string {
  return seconds < 90 ? `${Math.round(seconds)} s` : `${(seconds / 60).toFixed(1)} min`;
}

function cpuText(seconds: number | null): string {
  return seconds === null ? 'n/a' : `${s(seconds)} s`;
}

/** A whole number with thousands separators. */
function n(x: number): string {
  return Math.round(x).toLocaleString('en-GB');
}

/** Bytes as MB with one decimal (or kB under 1 MB). */
function mb(bytes: number): string {
  return bytes < 1e6 ? `${(bytes / 1e3).toFixed(1)} kB` : `${(bytes / 1e6).toFixed(1)} MB`;
}

/** Seconds: two decimals under 10, one above. */
function s(x: number): string {
  return x < 10 ? x.toFixed(2) : x.toFixed(1);
}

function renderReport(rows: SizeResult[]): string {
  const cpu = cpus();
  const lines: string[] = [
    '# Audit benchmark',
    '',
    `${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC · ${cpu.length} CPUs (${cpu[0]?.model.trim() ?? 'unknown'}) · ${(totalmem() / 2 ** 30).toFixed(0)} GB · ${platform()} ${release()} · Node ${process.version}`,
    '',
    `Template \`${TEMPLATE_ID}\` (population: every review due or held in the period, a review due and not held included), over ${YEARS} years of demo history (seed 1, as at ${rows[0]?.dataset.meta.asAt ?? '—'}), sampling all, automatic criteria, ${segments} scan segments. dynalite (on an on-disk LevelDB) and s3rver (the bucket) run in their own process; the audit and each bare scan run in a fresh process each. The audit is the stored one (launchAudit, runAuditJob): every file published to the bucket, manifest last.`,
    '',
    '| size | reviews audited | load rows/s | audit s | records/s | peak RSS MB | bare scan s | ratio to scan | SQLite s | ratio to SQLite |',
    '| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const r of rows) {
    const scan = Math.min(...r.scans.map((x) => x.seconds));
    const a = r.audit;
    lines.push(
      a
        ? `| ${n(r.target)} | ${n(a.reviewsAudited)} | ${n(r.load.rowsPerSecond)} (${r.load.loader}) | ${s(a.auditSeconds)} | ${n(a.reviewsAudited / a.auditSeconds)} | ${n(peakRss(a))} | ${s(scan)} | ${(a.auditSeconds / scan).toFixed(2)} | ${s(r.sql.seconds)} | ${(a.auditSeconds / r.sql.seconds).toFixed(1)} |`
        : `| ${n(r.target)} | ${n(r.sql.units)} (SQL) | ${n(r.load.rowsPerSecond)} (${r.load.loader}) | failed | — | — | ${s(scan)} | — | ${s(r.sql.seconds)} | — |`,
    );
  }
  lines.push('', '## Details', '');
  for (const r of rows) {
    const m = r.dataset.meta;
    const a = r.audit;
    const items = r.scans[0]?.items ?? 0;
    lines.push(
      `**${n(r.target)}** — ${n(m.children)} children looked after at the as-at date (${a ? `${n(a.childrenScanned)} in the table` : 'audit failed'}), ${n(m.reviewsInFiles)} reviews in the files since ${m.firstReview}; ${n(r.load.rows)} rows loaded in ${s(r.load.seconds)} s (${r.load.loader} loader)${r.productLoad ? `; product loader (loadFiles, BatchGet + BatchWrite) on the same rows: ${n(r.productLoad.rowsPerSecond)} rows/s` : ''}.`,
      a
        ? `- audit: ${s(a.auditSeconds)} s, ${n(items / a.auditSeconds)} items/s; CPU: audit process ${s(a.auditCpuSeconds)} s, server process (dynalite and s3rver) ${cpuText(r.auditDynaliteCpuSeconds)}; RSS ${n(a.memory.startRssMb)} MB before, peak ${n(peakRss(a))} MB (sampled every 50 ms: ${n(a.memory.sampledPeakRssMb)} MB${a.memory.hwmPeakRssMb === null ? '' : `; kernel high-water mark: ${n(a.memory.hwmPeakRssMb)} MB`}); peak heapUsed ${n(a.memory.peakHeapUsedMb)} MB, peak outside the heap (Buffers) ${n(a.memory.peakExternalMb)} MB; RSS highest ${s(a.memory.peakRssAtSeconds)} s in; ${HEADLINE_CRITERION} ${percent(a.criteria.find((c) => c.id === HEADLINE_CRITERION)?.compliance ?? null)}\n` +
            `- audit phases: segments scanned and written ${s(a.phases.segments)} s, sample drawn ${s(a.phases.sample - a.phases.segments)} s, findings pass (judging, spooling records and alerts) ${s(a.phases.findings - a.phases.sample)} s, files published ${s(a.phases.published - a.phases.findings)} s (the finish step, all but the segments: ${s(a.phases.published - a.phases.segments)} s); published ${a.files.map((f) => `${f.name} ${mb(f.size)}${f.seconds === null ? '' : ` (${s(f.seconds)} s)`}`).join(', ')}`
        : `- audit FAILED after ${cpuText(r.auditDynaliteCpuSeconds)} of dynalite CPU: ${r.auditError ?? 'unknown error'}`,
      `- bare scan: ${n(items)} items, ${r.scans.map((x, i) => `${s(x.seconds)} s (dynalite CPU ${cpuText(r.scanDynaliteCpuSeconds[i] ?? null)})`).join(' before and ')} after the audit (${n(items / Math.min(...r.scans.map((x) => x.seconds)))} items/s); dynalite's own peak RSS ${r.dynalitePeakRssMb === null ? 'n/a' : `${n(r.dynalitePeakRssMb)} MB`}`,
      `- SQLite: ${n(r.sqlLoad.rows)} CSV rows loaded in ${s(r.sqlLoad.seconds)} s; criteria query ${s(r.sql.seconds)} s over ${n(r.sql.units)} reviews`,
      '',
    );
    if (r.check) {
      lines.push(
        `| criterion | engine met / not met / n/a / cannot tell | SQL met / not met / n/a / cannot tell | |`,
        '| --- | --- | --- | --- |',
        ...r.check.rows.map((c) => `| ${c.id} | ${c.engine} | ${c.sql} | ${c.agrees ? 'same' : '**MISMATCH**'} |`),
        '',
        ...(r.check.differences.length > 0
          ? [
              'Differing reviews (letters M/N/A/C per criterion, engine vs SQL):',
              '',
              ...r.check.differences.map((d) => `- ${d}`),
              '',
            ]
          : []),
      );
    }
  }
  lines.push(
    '## What the figures mean',
    '',
    "- **size**: the target number of reviews audited; **reviews audited** is the audit's actual population (findings.population): every review that fell due in the period, held or not, and every review held in it.",
    "- **load rows/s**: rows written into the fresh on-disk dynalite (header, episodes, reviews, review_details, professionals, involvements), validated by the loader's row path; not part of the audit time. `bulk` skips the idempotency BatchGet, which finds nothing in a fresh table.",
    '- **audit s**: wall time of `runAuditJob` for a launched audit: segments scanned and their sorted runs written to the bucket, the sample (all) drawn from the merged runs, the findings pass (tables, automatic criteria, records and alerts spooled to the bucket), and every published file streamed to the bucket (findings.json, CSVs, XLSX, HTML, manifest); **records/s** = reviews audited / audit s.',
    '- **peak RSS MB**: the audit process (a fresh Node process with tsx, the AWS SDK and the engine loaded) at its highest during the audit. Server CPU (dynalite) in the details includes s3rver, which shares its process.',
    '- **bare scan s**: the same parallel Scan requests the store sends, items only counted: the floor for any audit that reads every child. **ratio to scan** = audit s / bare scan s.',
    `- **SQLite s**: one SQL query over an in-memory sql.js database loaded from the same CSVs, computing the same ${SQL_CRITERIA.length} criteria and the same population, the schedule (series of short breaks, reviews overdue and not held) included (${WORKING_DAYS_METHOD}); loading is timed separately. **ratio to SQLite** = audit s / SQLite s.`,
    '',
  );
  return lines.join('\n');
}

function renderGrading(g: GradingBenchResult): string {
  const l = (x: { p50: number; p95: number; p99: number; max: number }) =>
    `p50 ${n(x.p50)} ms, p95 ${n(x.p95)} ms, p99 ${n(x.p99)} ms, max ${n(x.max)} ms`;
  return [
    '## Grading load',
    '',
    `${n(g.iros)} IROs of a demo authority of ${n(g.children)} children grade a sample of ${n(g.records)} records at once for ${s(g.seconds)} s, through the HTTP API of the local stack (\`npm start\`'s: the app and dynalite in one process, local tokens verified on every request). Each opens a record, saves its grades, and goes on round its assignments (revising after the first pass); 10% of saves come from two tabs at once.`,
    '',
    '| IROs | requests | requests/s | open a record | save grades | two-tab saves | conflicts (409) | grades lost |',
    '| ---: | ---: | ---: | --- | --- | ---: | ---: | ---: |',
    `| ${n(g.iros)} | ${n(g.requests)} | ${n(g.requestsPerSecond)} | ${l(g.latencyMs.openRecord)} | ${l(g.latencyMs.saveGrades)} | ${n(g.secondTabSaves)} | ${n(g.conflicts)} | ${n(g.lostGrades)} |`,
    '',
    '**grades lost**: records whose stored grade is not the one the last successful save returned (must be 0).',
    '',
  ].join('\n');
}

/** What bench/import-bench.ts reports with --json. */
interface ImportBenchResult {
  rules: 'on' | 'off';
  rows: number;
  reviews: number;
  children: number;
  seconds: number;
  rowsPerSecond: number;
  readSeconds: number;
  peakRssMb: number;
  startRssMb: number;
  peakHeapMb: number;
  dynalitePeakRssMb: number | null;
  importerCpuSeconds: number;
  dynaliteCpuSeconds: number;
  rejected: number;
  warnings: number;
  year: string | null;
}

/** One import of a generated return, in its own process (so its peak RSS is its own). */
async function benchImport(reviews: number, rules: 'on' | 'off'): Promise<ImportBenchResult> {
  const { spawn } = await import('node:child_process');
  const script = fileURLToPath(new URL('./import-bench.ts', import.meta.url));
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', script, '--rows', String(reviews), '--rules', rules, '--json'],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const code = await new Promise<number | null>((done) => child.on('close', done));
  const line = out.trim().split('\n').at(-1) ?? '';
  if (!line.startsWith('{')) throw new Error(`the import bench ended with code ${code} and no result`);
  return JSON.parse(line) as ImportBenchResult;
}

function renderImports(results: ImportBenchResult[]): string {
  const off = (r: ImportBenchResult) => results.find((o) => o.rules === 'off' && o.reviews === r.reviews);
  return [
    '## Import',
    '',
    "A generated 2025-26 return (header, episodes and reviews: one child in care from April 2025 per 10 reviews) imported by the product loader (`loadFiles`, as `npm run import` runs it) into a fresh on-disk dynalite in its own process, once with the DfE's rules of 2025-26 (as the product runs) and once without them, each run in its own process. Every row is valid: none rejected.",
    '',
    "| reviews | rows | DfE rules | seconds | rows/s | reading s | peak RSS MB | peak heap MB | importer CPU s | dynalite CPU s | rules' cost |",
    '| ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |',
    ...results.map((r) => {
      const base = off(r);
      const cost =
        r.rules === 'on' && base
          ? `${((r.seconds / base.seconds - 1) * 100).toFixed(0)}% time, ${(r.peakRssMb - base.peakRssMb).toFixed(0)} MB`
          : '';
      return `| ${n(r.reviews)} | ${n(r.rows)} | ${r.rules} | ${s(r.seconds)} | ${n(r.rowsPerSecond)} | ${s(r.readSeconds)} | ${n(r.peakRssMb)} | ${n(r.peakHeapMb)} | ${n(r.importerCpuSeconds)} | ${n(r.dynaliteCpuSeconds)} | ${cost} |`;
    }),
    '',
    '**rows/s** over the whole import (reading, then judging each child and writing in batches). Linear means rows/s holds as the return grows; bounded memory means peak RSS does too (rows wait on disk, partitioned by child, once past 24 MB).',
    '',
  ].join('\n');
}
