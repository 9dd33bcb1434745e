/**
 * `npm run audit -- --template <id> --from <YYYY-MM-DD> --to <YYYY-MM-DD> [--authority <id>]
 *   [--sample all|<n>|<p>%] [--seed <n>] [--auto-only] [--out <dir>] [--segments <n>]`
 * Runs a themed audit against the local stack (running or not) or AWS (IRO_TARGET=aws),
 * publishes its findings to the bucket and, with --out, to a local folder too.
 */
import { randomInt, randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { AuditRequestError, runAudit } from '#audit/runner';
import { validateSamplingPlan, type SamplingPlan } from '#audit/sampling';
import { readTemplateLibrary } from '#audit/template-library';
import { isIsoDate } from '#domain/dates';
import { AuthorityId } from '#domain/records';
import { connect } from '#local/connect';
import { DEFAULT_DATA_DIR } from '#local/stack';
import { publishFindings } from '#reports/publish';
import { DirectoryObjectStore } from '#store/directory-object-store';

const USAGE = 'usage: npm run audit -- --template <id> --from <YYYY-MM-DD> --to <YYYY-MM-DD> [--authority <id>] [--sample all|<n>|<p>%] [--seed <n>] [--auto-only] [--out <dir>]';

function fail(message: string): never {
  console.error(`audit: ${message}`);
  console.error(USAGE);
  process.exit(1);
}

/** `all`, a whole number, or a percentage such as `25%`, as a sampling plan. */
function parseSampleArgument(raw: string): SamplingPlan {
  const text = raw.trim();
  const plan = text === 'all' ? { type: 'all' } : text.endsWith('%') ? { type: 'percent', value: Number(text.slice(0, -1)) } : { type: 'count', value: Number(text) };
  const result = validateSamplingPlan(plan, '--sample');
  if (!result.ok) fail(`--sample "${raw}": ${result.errors.map((e) => e.message).join('; ')}`);
  return result.plan;
}

let args;
try {
  args = parseArgs({
    options: {
      template: { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
      authority: { type: 'string', default: 'demo' },
      sample: { type: 'string', default: 'all' },
      seed: { type: 'string' },
      'auto-only': { type: 'boolean', default: false },
      out: { type: 'string' },
      segments: { type: 'string', default: '4' },
    },
  }).values;
} catch (error) {
  fail((error as Error).message);
}

const library = await readTemplateLibrary();
for (const refused of library.refused) console.error(`audit: warning: ${refused.message}`);
if (!args.template) fail(`--template is required: one of ${[...library.templates.keys()].join(', ')}`);
const template = library.templates.get(args.template);
if (!template) fail(`no template "${args.template}": one of ${[...library.templates.keys()].join(', ')}`);
for (const name of ['from', 'to'] as const) {
  const value = args[name];
  if (!value) fail(`--${name} is required (YYYY-MM-DD)`);
  if (!isIsoDate(value)) fail(`--${name} "${value}" is not a date written YYYY-MM-DD`);
}
const period = { from: args.from!, to: args.to! };
if (period.from > period.to) fail(`--from ${period.from} is after --to ${period.to}`);
const authority = AuthorityId.safeParse(args.authority);
if (!authority.success) fail(`--authority "${args.authority}" ${authority.error.issues[0]?.message}`);
const sampling = parseSampleArgument(args.sample ?? 'all');
const seed = args.seed === undefined ? randomInt(1, 2 ** 31) : Number(args.seed);
if (!Number.isSafeInteger(seed) || seed < 0) fail(`--seed "${args.seed}" must be a whole number of 0 or more`);
const segments = Number(args.segments);
if (!Number.isInteger(segments) || segments < 1 || segments > 64) fail(`--segments "${args.segments}" must be a whole number from 1 to 64`);
if (!args['auto-only']) {
  fail('grading by IROs needs the API (POST /audits), which is not built yet: run with --auto-only to judge the automatic criteria now');
}

const auditId = `${new Date().toISOString().slice(0, 10)}-${randomUUID().slice(0, 8)}`;
const connection = await connect(process.env.IRO_DATA_DIR ?? DEFAULT_DATA_DIR);
try {
  console.error(`audit: ${template.title} (v${template.version}), ${period.from} to ${period.to}, authority "${authority.data}", seed ${seed}, through ${connection.description}`);
  const started = performance.now();
  const { findings, sample } = await runAudit(
    connection.store,
    { auditId, authorityId: authority.data, title: `${template.title}, ${period.from} to ${period.to}`, template, period, sampling, seed, autoOnly: true },
    {
      segments,
      onProgress: (p) => {
        if (process.stderr.isTTY) process.stderr.write(`\r\x1b[K  ${p.phase}: ${p.childrenScanned.toLocaleString('en-GB')} children, ${p.units.toLocaleString('en-GB')} units`);
      },
    },
  );
  if (process.stderr.isTTY) process.stderr.write('\r\x1b[K');
  const manifest = await publishFindings(connection.objects, findings);
  const seconds = ((performance.now() - started) / 1000).toFixed(1);

  console.log(`\n${findings.template.title} — ${findings.audit.title}`);
  console.log(`population ${findings.population}, sample ${findings.sampleSize}${sample.excluded.length ? ` (${sample.excluded.length} left out)` : ''}, margin of error ${findings.marginOfError === null ? 'n/a' : findings.marginOfError === 0 ? 'none (the whole population)' : `±${(findings.marginOfError * 100).toFixed(1)} points`}, ${seconds} s`);
  const pct = (x: number | null) => (x === null ? '' : `${(x * 100).toFixed(1)}%`);
  console.table(
    findings.criteria.map((c) => ({
      criterion: c.id, kind: c.kind, met: c.met, 'not met': c.notMet, 'n/a': c.notApplicable, 'cannot tell': c.cannotTell,
      compliance: pct(c.compliance), '95% CI': c.ci95 ? `${pct(c.ci95.lower)}–${pct(c.ci95.upper)}` : '', threshold: pct(c.threshold), below: c.belowThreshold ? 'yes' : '',
    })),
  );
  for (const alert of findings.alertSummary) console.log(`alert: ${alert.summary}`);
  console.log(`action plan: ${findings.actionPlan.length} action(s)`);
  console.log(`published to ${connection.config.s3Endpoint ?? 's3:/'}/${connection.config.bucketName}/${manifest.files[0]?.key.replace(/[^/]+$/, '') ?? ''}`);
  if (args.out) {
    const local = await publishFindings(new DirectoryObjectStore(args.out), findings);
    console.log(`written to ${args.out}: ${local.files.map((f) => f.key).join(', ')} and the manifest`);
  }
} catch (error) {
  if (error instanceof AuditRequestError) {
    console.error(`audit: ${error.message}`);
    process.exitCode = 1;
  } else throw error;
} finally {
  await connection.close();
}
