/**
 * `npx tsx shared/cli/demo.ts --out <dir> [--children N] [--seed S] [--as-at YYYY-MM-DD] [--years N] [--authority <id>]`
 * Writes a synthetic demo authority as import files (SSDA903 + SSD-shaped CSVs) and prints what is in them.
 * Exit code 0: written; 1: bad arguments or the run failed.
 */
import { parseArgs } from 'node:util';
import { DEFAULT_DEMO_OPTIONS, generateDemoAuthority, resolveDemoOptions, type DemoOptions } from '#demo/generator';

const USAGE =
  'usage: npx tsx shared/cli/demo.ts --out <dir> [--children N] [--seed S] [--as-at YYYY-MM-DD] [--years N] [--authority <id>]';

function fail(message: string): never {
  console.error(`demo: ${message}`);
  console.error(USAGE);
  process.exit(1);
}

function wholeNumber(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  // Number('') is 0 and Number('1e3') is 1000: only plain digits are taken, so a typo never becomes a size.
  if (!/^-?\d+$/.test(value.trim())) fail(`--${name} must be a whole number, got "${value}"`);
  return Number(value);
}

let values;
try {
  ({ values } = parseArgs({
    strict: true,
    allowPositionals: false,
    options: {
      out: { type: 'string', short: 'o' },
      children: { type: 'string' },
      seed: { type: 'string' },
      'as-at': { type: 'string' },
      years: { type: 'string' },
      authority: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  }));
} catch (error) {
  fail((error as Error).message);
}
if (values.help) {
  console.log(USAGE);
  console.log(
    `defaults: --children ${DEFAULT_DEMO_OPTIONS.children} --seed ${DEFAULT_DEMO_OPTIONS.seed} --as-at ${DEFAULT_DEMO_OPTIONS.asAt} --years ${DEFAULT_DEMO_OPTIONS.years} --authority ${DEFAULT_DEMO_OPTIONS.authorityId}`,
  );
  process.exit(0);
}
if (!values.out) fail('--out <dir> is required');

let options: DemoOptions;
try {
  options = resolveDemoOptions({
    children: wholeNumber('children', values.children),
    seed: wholeNumber('seed', values.seed),
    asAt: values['as-at'],
    years: wholeNumber('years', values.years),
    authorityId: values.authority,
  });
} catch (error) {
  fail((error as Error).message);
}

const n = (x: number) => x.toLocaleString('en-GB');
const started = process.hrtime.bigint();
const seconds = () => Number(process.hrtime.bigint() - started) / 1e9;
console.error(
  `demo: ${n(options.children)} children looked after at ${options.asAt}, ${options.years} years of history, seed ${options.seed} → ${values.out}`,
);

try {
  const summary = await generateDemoAuthority(values.out, options, {
    progressEvery: 10_000,
    onProgress: (p) =>
      console.error(
        `demo: ${n(p.childrenLookedAfter)} / ${n(p.target)} children looked after (${n(p.childrenInFile)} in the files) after ${seconds().toFixed(1)} s`,
      ),
  });
  const pct = (part: number, whole: number) => (whole === 0 ? '–' : `${((100 * part) / whole).toFixed(1)}%`);
  const spoken = summary.reviews - summary.participation.PN0 - summary.participation.blank;
  console.table(
    Object.fromEntries(
      Object.entries(summary.files).map(([name, f]) => [`${name}.csv`, { rows: f.rows, path: f.path }]),
    ),
  );
  console.log(
    `children looked after at ${summary.asAt}: ${n(summary.childrenLookedAfterAtAsAt)}; children in the files: ${n(summary.childrenInFile)} (history from ${summary.windowStart})`,
  );
  console.log(
    `last 12 months: ${n(summary.entrantsLastYear)} came into care, ${n(summary.leaversLastYear)} left; ${n(summary.childrenWithSeveralPeriods)} with more than one period of care; ${n(summary.shortBreakChildren)} on short breaks`,
  );
  console.log(`care leavers with a current PA: ${n(summary.careLeaversWithPa)}`);
  console.log(
    `sibling groups: ${n(summary.siblingGroups)} holding ${n(summary.childrenInSiblingGroups)} children (${pct(summary.childrenInSiblingGroups, summary.childrenInFile)}); ${n(summary.siblingGroupsWithSeveralSws)} with several SWs, ${n(summary.siblingGroupsWithTwoIros)} with two IROs, ${n(summary.conflictsOfInterest)} conflicts of interest`,
  );
  console.log(
    `reviews: ${n(summary.reviews)}, late ${n(summary.lateReviews)} (${pct(summary.lateReviews, summary.reviews)}); PN1 ${pct(summary.participation.PN1, spoken)} of PN1–PN7; second reviews without a plan ${pct(summary.secondReviewsWithoutPlan, summary.secondReviews)}`,
  );
  console.log(
    `participation: ${Object.entries(summary.participation)
      .map(([k, v]) => `${k} ${n(v)}`)
      .join(', ')}`,
  );
  console.log(
    `professionals: ${Object.entries(summary.professionals)
      .map(([k, v]) => `${v} ${k}`)
      .join(', ')}`,
  );
  console.error(
    `demo: done in ${seconds().toFixed(1)} s, peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`,
  );
} catch (error) {
  fail(`generation failed: ${(error as Error).message}`);
}
