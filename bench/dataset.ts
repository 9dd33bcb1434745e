/**
 * The benchmark's data: a demo authority sized so the audited reviews come near a target, one folder per size.
 * Each folder's meta.json records what was generated and loaded, so --reuse can skip that work.
 */
import { createReadStream } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { generateDemoAuthority, type DemoSummary } from '#demo/generator';

export const AUTHORITY_ID = 'bench';
export const AS_AT = '2026-03-31';
export const SEED = 1;
/**
 * Three years of history, audited over the whole of it (first review to the as-at date). A child
 * in care at the window start brings its earlier reviews too, so auditing everything costs about
 * 3.6 loaded rows per audited review; a 12-month audit of the same files would cost about 13.5.
 */
export const YEARS = 3;

/** The files the review-timeliness-participation template reads (families and health are not loaded). */
export const AUDIT_FILES = [
  'header',
  'episodes',
  'reviews',
  'review_details',
  'professionals',
  'involvements',
] as const;

export interface LoadFigures {
  loader: 'product' | 'bulk';
  rows: number;
  seconds: number;
  rowsPerSecond: number;
}

/** What meta.json records about one size's data. */
export interface DatasetMeta {
  targetReviews: number;
  children: number;
  seed: number;
  asAt: string;
  years: number;
  authorityId: string;
  /** Reviews in the files and the date of the earliest: the audit runs from it to asAt. */
  reviewsInFiles: number;
  firstReview: string;
  rowsByFile: Record<string, number>;
  generateSeconds: number;
  /** Set once the dynalite folder holds every row (a load cut short leaves it unset and is redone). */
  load?: LoadFigures;
  /** The product loader's rate on the same rows (measured on the smallest size only). */
  productLoad?: LoadFigures;
}

export interface Dataset {
  dir: string;
  csvDir: string;
  dynamoDir: string;
  meta: DatasetMeta;
}

const metaPath = (dir: string) => join(dir, 'meta.json');

export async function readMeta(dir: string): Promise<DatasetMeta | undefined> {
  try {
    return JSON.parse(await readFile(metaPath(dir), 'utf8')) as DatasetMeta;
  } catch {
    return undefined;
  }
}

export async function writeMeta(dataset: Dataset): Promise<void> {
  await writeFile(metaPath(dataset.dir), `${JSON.stringify(dataset.meta, null, 2)}\n`);
}

/** Reviews per child looked after at the as-at date, from a small run of the same generator settings. */
export async function calibrate(dataDir: string): Promise<number> {
  const dir = join(dataDir, 'calibration');
  const children = 2_000;
  const summary = await generateDemoAuthority(dir, {
    children,
    seed: SEED,
    asAt: AS_AT,
    years: YEARS,
    authorityId: AUTHORITY_ID,
  });
  await rm(dir, { recursive: true, force: true });
  return summary.reviews / children;
}

/** The earliest REVIEW date (dd/mm/YYYY in the demo files) in reviews.csv, read as a stream. */
async function firstReviewDate(path: string): Promise<string> {
  let first = '9999-12-31';
  let header = true;
  for await (const line of createInterface({ input: createReadStream(path), crlfDelay: Infinity })) {
    if (header) {
      header = false;
      continue;
    }
    // The demo's CHILD and DOB cells never hold commas, so the third cell is REVIEW.
    const cell = line.split(',')[2] ?? '';
    const iso = `${cell.slice(6, 10)}-${cell.slice(3, 5)}-${cell.slice(0, 2)}`;
    if (iso < first) first = iso;
  }
  return first;
}

/** Generates (or, when a complete earlier run is found, reuses) the data for one target size. */
export async function prepareDataset(
  dataDir: string,
  targetReviews: number,
  reviewsPerChild: () => Promise<number>,
  log: (line: string) => void,
): Promise<Dataset> {
  const dir = join(dataDir, `reviews-${targetReviews}`);
  const dataset = (meta: DatasetMeta): Dataset => ({
    dir,
    csvDir: join(dir, 'csv'),
    dynamoDir: join(dir, 'dynamodb'),
    meta,
  });
  const existing = await readMeta(dir);
  if (
    existing &&
    existing.targetReviews === targetReviews &&
    existing.seed === SEED &&
    existing.years === YEARS &&
    existing.asAt === AS_AT
  ) {
    log(
      `  reusing ${dir}: ${existing.children.toLocaleString('en-GB')} children, ${existing.reviewsInFiles.toLocaleString('en-GB')} reviews in the files${existing.load ? ', already loaded' : ''}`,
    );
    return dataset(existing);
  }
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  const children = Math.max(10, Math.round(targetReviews / (await reviewsPerChild())));
  const started = performance.now();
  const summary: DemoSummary = await generateDemoAuthority(join(dir, 'csv'), {
    children,
    seed: SEED,
    asAt: AS_AT,
    years: YEARS,
    authorityId: AUTHORITY_ID,
  });
  const meta: DatasetMeta = {
    targetReviews,
    children,
    seed: SEED,
    asAt: AS_AT,
    years: YEARS,
    authorityId: AUTHORITY_ID,
    reviewsInFiles: summary.reviews,
    firstReview: await firstReviewDate(summary.files.reviews!.path),
    rowsByFile: Object.fromEntries(Object.entries(summary.files).map(([name, f]) => [name, f.rows])),
    generateSeconds: (performance.now() - started) / 1000,
  };
  const result = dataset(meta);
  await writeMeta(result);
  log(
    `  generated ${children.toLocaleString('en-GB')} children (${summary.childrenInFile.toLocaleString('en-GB')} in the files), ${summary.reviews.toLocaleString('en-GB')} reviews since ${meta.firstReview}, in ${meta.generateSeconds.toFixed(1)} s`,
  );
  return result;
}

/** Paths of the files the audited template needs, and how many rows they hold. */
export function auditFiles(dataset: Dataset): { paths: string[]; rows: number } {
  const paths = AUDIT_FILES.map((name) => join(dataset.csvDir, `${name}.csv`));
  const rows = AUDIT_FILES.reduce((n, name) => n + (dataset.meta.rowsByFile[name] ?? 0), 0);
  return { paths, rows };
}
