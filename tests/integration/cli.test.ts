/** The command-line tools as a QA lead runs them: real processes, real local servers, exit codes and files. */
import { spawnSync } from 'node:child_process';
import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';

const tsx = join(process.cwd(), 'node_modules', '.bin', 'tsx');
let dataDir: string;
let demoDir: string;

function run(script: string, args: string[]) {
  const result = spawnSync(tsx, [`shared/cli/${script}.ts`, ...args], {
    env: { ...process.env, IRO_DATA_DIR: dataDir, NODE_NO_WARNINGS: '1' },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { code: result.status, out: result.stdout, err: result.stderr };
}

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'iro-cli-data-'));
  demoDir = await mkdtemp(join(tmpdir(), 'iro-cli-demo-'));
});

describe('npm run demo, import and audit', () => {
  it('writes a small demo authority and imports every row of it (exit 0), then again with nothing changed', () => {
    const demo = run('demo', ['--out', demoDir, '--children', '30', '--seed', '5', '--as-at', '2025-03-31']);
    expect(demo.code, demo.err).toBe(0);
    const first = run('import', ['--authority', 'clitest', '--name', 'CLI Test Borough', demoDir]);
    expect(first.code, first.err).toBe(0);
    expect(first.out).not.toMatch(/row error/);
    const again = run('import', ['--authority', 'clitest', demoDir]);
    expect(again.code, again.err).toBe(0);
    // Every file's rows come back unchanged: the created and updated columns are all 0.
    const rows = again.out.split('\n').filter((line) => /\.csv'/.test(line));
    expect(rows).toHaveLength(8);
    for (const line of rows) {
      const cells = line.split('│').map((c) => c.trim());
      expect(cells.slice(-4, -1), line).toEqual(['0', '0', cells[5]]);
    }
  }, 120_000);

  it('reports rejected rows with exit code 2, and refuses a run where nothing could be imported with exit code 1', async () => {
    const bad = await mkdtemp(join(tmpdir(), 'iro-cli-bad-'));
    await writeFile(join(bad, 'reviews.csv'), 'CHILD,DOB,REVIEW,REVIEW_CODE\nX1,01/01/2015,01/02/2024,PN1\nX2,01/01/2015,31/02/2024,PN1\n');
    await writeFile(join(bad, 'notes.csv'), 'A,B\n1,2\n');
    const partial = run('import', ['--authority', 'clitest', join(bad, 'reviews.csv')]);
    expect(partial.code).toBe(2);
    expect(partial.out).toContain('reviews.csv line 3: REVIEW: "31/02/2024" is not a date');
    const nothing = run('import', ['--authority', 'clitest', join(bad, 'notes.csv')]);
    expect(nothing.code).toBe(1);
    expect(nothing.out).toContain('refused notes.csv: the columns A, B match no known file');
  }, 60_000);

  it('runs an automatic audit, prints the summary and writes every published file with its manifest', async () => {
    const out = await mkdtemp(join(tmpdir(), 'iro-cli-out-'));
    const audit = run('audit', ['--authority', 'clitest', '--template', 'review-timeliness-participation', '--from', '2024-04-01', '--to', '2025-03-31', '--auto-only', '--seed', '9', '--out', out]);
    expect(audit.code, audit.err).toBe(0);
    expect(audit.out).toMatch(/review-in-timescale/);
    const [auditDir] = await readdir(join(out, 'findings', 'clitest'));
    const files = (await readdir(join(out, 'findings', 'clitest', auditDir!))).sort();
    expect(files).toEqual(['action-plan.csv', 'findings.csv', 'findings.json', 'findings.xlsx', 'manifest.json', 'records.csv', 'report.html']);
    const findings = JSON.parse(await readFile(join(out, 'findings', 'clitest', auditDir!, 'findings.json'), 'utf8'));
    expect(findings).toMatchObject({ template: { id: 'review-timeliness-participation', version: 1 }, period: { from: '2024-04-01', to: '2025-03-31' }, audit: { seed: 9, authorityName: 'CLI Test Borough' } });
    expect(findings.population).toBeGreaterThan(0);
    const participation = Object.values(findings.tables.participation as Record<string, number>).reduce((a, b) => a + b, 0);
    expect(participation).toBe(findings.population);

    // The audit is kept: resuming a published audit prints its findings again and changes nothing.
    const again = run('audit', ['--authority', 'clitest', '--resume', auditDir!]);
    expect(again.code, again.err).toBe(0);
    expect(again.out).toContain(`(audit ${auditDir})`);
    expect(again.err).toContain('(published)');
  }, 60_000);

  it('launches an audit with manual criteria to grading, and says so', () => {
    const launched = run('audit', ['--authority', 'clitest', '--template', 'permanence-at-second-review', '--from', '2024-04-01', '--to', '2025-03-31', '--sample', '3', '--seed', '4']);
    expect(launched.code, launched.err).toBe(0);
    expect(launched.out).toMatch(/sample \d+ drawn with seed 4, .* It now waits for IROs' grades/);
  }, 60_000);

  it('exits 1 with a clear message on bad arguments', () => {
    const cases: [string[], RegExp][] = [
      [['--template', 'nope', '--from', '2024-01-01', '--to', '2024-03-31', '--auto-only'], /no template "nope": one of health-assessments, /],
      [['--template', 'sibling-allocation', '--from', '2024-02-30', '--to', '2024-03-31', '--auto-only'], /--from "2024-02-30" is not a date/],
      [['--template', 'sibling-allocation', '--from', '2024-04-01', '--to', '2024-03-31', '--auto-only'], /--from 2024-04-01 is after --to 2024-03-31/],
      [['--template', 'sibling-allocation', '--from', '2024-01-01', '--to', '2024-03-31', '--sample', '0', '--auto-only'], /--sample "0"/],
      [['--template', 'sibling-allocation', '--from', '2024-01-01', '--to', '2024-03-31', '--sample', '150%', '--auto-only'], /--sample "150%"/],
      [['--template', 'sibling-allocation', '--from', '2024-01-01', '--to', '2024-03-31', '--seed', 'x', '--auto-only'], /--seed "x"/],
      [['--template', 'sibling-allocation', '--from', '2024-01-01', '--to', '2024-03-31', '--frobnicate'], /Unknown option '--frobnicate'/],
      [['--resume', '2020-01-01-nosuch'], /no audit 2020-01-01-nosuch for authority "demo"/],
    ];
    for (const [args, message] of cases) {
      const result = run('audit', args);
      expect(result.code, args.join(' ')).toBe(1);
      expect(result.err).toMatch(message);
      expect(result.err).not.toMatch(/\n\s+at /); // no stack trace
    }
  }, 60_000);
});
