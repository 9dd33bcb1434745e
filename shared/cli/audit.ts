/**
 * `npm run audit -- --template <id> --from <YYYY-MM-DD> --to <YYYY-MM-DD> [--authority <id>]
 *   [--sample all|<n>|<p>%] [--seed <n>] [--auto-only] [--out <dir>] [--segments <n>]`
 * `npm run audit -- --resume <audit id>`: carries on a failed or interrupted audit from its last finished segment.
 * Runs a themed audit against the local stack (running or not) or AWS (IRO_TARGET=aws),
 * publishes its findings to the bucket and, with --out, to a local folder too.
 */
import { randomInt, randomUUID } from 'node:crypto';
import { userInfo } from 'node:os';
import { parseArgs } from 'node:util';
import { parseFindings, type FindingsDocument } from '#engine/findings-model';
import { getAudit, launchAudit, runAuditJob, type LaunchRequest } from '#audit/jobs';
import { AuditRequestError } from '#audit/runner';
import { validateSamplingPlan, type SamplingPlan } from '#engine/sampling';
import { readTemplateLibrary } from '#audit/template-library';
import { isIsoDate } from '#domain/dates';
import { AuthorityId } from '#domain/records';
import { connect } from '#local/connect';
import { DEFAULT_DATA_DIR } from '#local/stack';
import { publishFindings } from '#reports/publish';
import { DirectoryObjectStore } from '#store/directory-object-store';

const USAGE =
  'usage: npm run audit -- --template <id> --from <YYYY-MM-DD> --to <YYYY-MM-DD> [--authority <id>] [--sample all|<n>|<p>%] [--seed <n>] [--auto-only] [--out <dir>] [--segments <n>]\n   or: npm run audit -- --resume <audit id> [--authority <id>] [--out <dir>]';

function fail(message: string): never {
  console.error(`audit: ${message}`);
  console.error(USAGE);
  process.exit(1);
}

/** `all`, a whole number, or a percentage such as `25%`, as a sampling plan. */
function parseSampleArgument(raw: string): SamplingPlan {
  const text = raw.trim();
  const plan =
    text === 'all'
      ? { type: 'all' }
      : text.endsWith('%')
        ? { type: 'percent', value: Number(text.slice(0, -1)) }
        : { type: 'count', value: Number(text) };
  const result = validateSamplingPlan(plan, '--sample');
  if (!result.ok) fail(`--sample "${raw}": ${result.errors.map((e) => e.message).join('; ')}`);
  return result.plan;
}

/** The summary table a QA lead reads in the terminal. */
function printSummary(auditId: string, findings: FindingsDocument, seconds: string): void {
  const pct = (x: number | null) => (x === null ? '' : `${(x * 100).toFixed(1)}%`);
  const margin =
    findings.marginOfError === null
      ? 'n/a'
      : findings.marginOfError === 0
        ? 'none (the whole population)'
        : `±${(findings.marginOfError * 100).toFixed(1)} points`;
  console.log(`\n${findings.audit.title} (audit ${auditId})`);
  console.log(
    `population ${findings.population}, sample ${findings.sampleSize}, margin of error ${margin}, ${seconds} s`,
  );
  console.table(
    findings.criteria.map((c) => ({
      criterion: c.id,
      kind: c.kind,
      met: c.met,
      'not met': c.notMet,
      'n/a': c.notApplicable,
      'cannot tell': c.cannotTell,
      compliance: pct(c.compliance),
      '95% CI': c.ci95 ? `${pct(c.ci95.lower)}–${pct(c.ci95.upper)}` : '',
      threshold: pct(c.threshold),
      below: c.belowThreshold ? 'yes' : '',
    })),
  );
  for (const alert of findings.alertSummary) console.log(`alert: ${alert.summary}`);
  console.log(`action plan: ${findings.actionPlan.length} action(s)`);
}

const OPTIONS = {
  template: { type: 'string' },
  from: { type: 'string' },
  to: { type: 'string' },
  authority: { type: 'string', default: 'demo' },
  sample: { type: 'string', default: 'all' },
  seed: { type: 'string' },
  'auto-only': { type: 'boolean', default: false },
  out: { type: 'string' },
  segments: { type: 'string', default: '4' },
  resume: { type: 'string' },
} as const;

function parseArguments() {
  try {
    return parseArgs({ options: OPTIONS }).values;
  } catch (error) {
    fail((error as Error).message);
  }
}

const args = parseArguments();
const authority = AuthorityId.safeParse(args.authority);
if (!authority.success) fail(`--authority "${args.authority}" ${authority.error.issues[0]?.message}`);

/** What to launch, from the arguments; undefined with --resume (the stored audit says it all). */
async function launchFromArguments(): Promise<Omit<LaunchRequest, 'createdBy'> | undefined> {
  if (args.resume !== undefined) {
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/.test(args.resume)) fail(`--resume "${args.resume}" is not an audit id`);
    return undefined;
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
  const sampling = parseSampleArgument(args.sample ?? 'all');
  const seed = args.seed === undefined ? randomInt(1, 2 ** 31) : Number(args.seed);
  if (!Number.isSafeInteger(seed) || seed < 0 || !/^\d+$/.test(args.seed ?? '0'))
    fail(`--seed "${args.seed}" must be a whole number of 0 or more`);
  const segments = Number(args.segments);
  if (!Number.isInteger(segments) || segments < 1 || segments > 64)
    fail(`--segments "${args.segments}" must be a whole number from 1 to 64`);
  const auditId = `${new Date().toISOString().slice(0, 10)}-${randomUUID().slice(0, 8)}`;
  return {
    auditId,
    authorityId: authority.data!,
    template,
    period,
    sampling,
    seed,
    autoOnly: args['auto-only'] === true,
    segments,
  };
}

const launch = await launchFromArguments();
const auditId = launch?.auditId ?? args.resume!;
const connection = await connect(process.env.IRO_DATA_DIR ?? DEFAULT_DATA_DIR);
const svc = { store: connection.store, objects: connection.objects };
try {
  const started = performance.now();
  if (launch) {
    console.error(
      `audit: ${launch.template.title} (v${launch.template.version}), ${launch.period.from} to ${launch.period.to}, authority "${launch.authorityId}", seed ${launch.seed}, through ${connection.description}`,
    );
    await launchAudit(svc, { ...launch, createdBy: `cli:${userInfo().username}` });
  } else {
    const stored = await getAudit(svc, authority.data, auditId);
    if (!stored) throw new AuditRequestError(`no audit ${auditId} for authority "${authority.data}"`, 'not-found');
    console.error(`audit: resuming ${auditId} (${stored.body.status}) through ${connection.description}`);
  }
  const done = await runAuditJob(svc, authority.data, auditId, {
    onProgress: (p) => {
      if (process.stderr.isTTY)
        process.stderr.write(`\r\x1b[K  ${p.phase}: segment ${p.segmentsDone} of ${p.segmentsTotal}`);
    },
  });
  if (process.stderr.isTTY) process.stderr.write('\r\x1b[K');
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  const audit = done.body;
  if (audit.status === 'failed') {
    console.error(
      `audit: ${auditId} failed: ${audit.failure?.reason}. Nothing was published; run it again with --resume ${auditId} once the cause is fixed.`,
    );
    process.exitCode = 1;
  } else if (audit.status === 'grading') {
    console.log(
      `audit ${auditId}: population ${audit.population}, sample ${audit.sampleSize} drawn with seed ${audit.seed}, ${seconds} s. It now waits for IROs' grades (through the API); run with --auto-only to judge only the automatic criteria and publish at once.`,
    );
  } else {
    const bytes = await connection.objects.get(audit.manifestKey!.replace(/manifest\.json$/, 'findings.json'));
    const findings = parseFindings(JSON.parse(new TextDecoder().decode(bytes!)));
    if (!findings.success) throw new Error(`findings.json of ${auditId} does not read: ${findings.error.message}`);
    printSummary(auditId, findings.data, seconds);
    console.log(
      `published to ${connection.config.s3Endpoint ?? 's3:/'}/${connection.config.bucketName}/${audit.manifestKey!.replace(/manifest\.json$/, '')}`,
    );
    if (args.out) {
      const local = await publishFindings(new DirectoryObjectStore(args.out), findings.data, {
        publishedAt: audit.publishedAt!,
      });
      console.log(`written to ${args.out}: ${local.files.map((f) => f.key).join(', ')} and the manifest`);
    }
  }
} catch (error) {
  if (error instanceof AuditRequestError) {
    console.error(`audit: ${error.message}`);
    process.exitCode = 1;
  } else throw error;
} finally {
  await connection.close();
}
