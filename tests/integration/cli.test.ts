/** The command-line tools as a QA lead runs them: real processes, real local servers, exit codes and files. */
import { spawnSync } from 'node:child_process';
import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
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
    await writeFile(join(bad, 'episodes.csv'), 'CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,PL_POST,URN\nX1,10/01/2024,S,C2,N1,U1,PR1,,,,,,\n');
    await writeFile(join(bad, 'notes.csv'), 'A,B\n1,2\n');
    const partial = run('import', ['--authority', 'clitest', join(bad, 'reviews.csv'), join(bad, 'episodes.csv')]);
    expect(partial.code).toBe(2);
    expect(partial.out).toContain('reviews.csv line 3: REVIEW: "31/02/2024" is not a date');
    expect(partial.out).toMatch(/3 rows in 2 file\(s\), [\d.]+ s: 2 imported \(2 created, 0 updated, 0 unchanged records\), 1 rejected, 0 file\(s\) refused/);
    const nothing = run('import', ['--authority', 'clitest', join(bad, 'notes.csv')]);
    expect(nothing.code).toBe(1);
    expect(nothing.out).toContain('refused notes.csv: the columns A, B match no known file');
  }, 60_000);

  it('imports an SSDA903 XML return and an Annex A workbook with the CSV tables of a folder, and writes every error to the errors CSV', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'iro-cli-formats-'));
    await writeFile(join(dir, 'return.xml'), `<?xml version="1.0"?>
<EXPSSDA903><CHILD><HEADER><CHILDID>Q1</CHILDID><SEX>1</SEX><DOB>14/03/2012</DOB><ETHNIC>WBRI</ETHNIC><UPN/><MOTHER/><MC_DOB/>
<AREVIEW><REVIEW>01/02/2024</REVIEW><REVIEW_CODE>PN1</REVIEW_CODE></AREVIEW><AREVIEW><REVIEW>01/03/2024</REVIEW><REVIEW_CODE>PN0</REVIEW_CODE></AREVIEW></HEADER>
<EPISODE><DECOM>10/01/2024</DECOM><RNE>S</RNE><LS>C2</LS><CIN>N1</CIN><PL>U1</PL><PLACE_PROVIDER>PR1</PLACE_PROVIDER><DEC/><REC/><REASON_PLACE_CHANGE/><HOME_POST/><PL_POST/><URN/></EPISODE>
</CHILD></EXPSSDA903>`);
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet('List 8');
    sheet.addRow(['Child Unique ID', 'Gender', 'Date of Birth', 'Date Started to be Looked After', 'Date of Latest Statutory Review', 'What is the permanence plan for this child?']);
    sheet.addRow(['Q1', 'a) Male', new Date('2012-03-14T00:00:00Z'), new Date('2024-01-10T00:00:00Z'), new Date('2024-02-01T00:00:00Z'), 'f) Long-term fostering']);
    sheet.addRow(['Q2', 'b) Female', 'not a date', new Date('2024-01-10T00:00:00Z'), null, null]);
    await workbook.xlsx.writeFile(join(dir, 'annex-a.xlsx'));
    await writeFile(join(dir, 'professionals.csv'), 'WORKER_ID,ROLE,TEAM,SERVICE\nIRO9,IRO,IRO Service,Quality Assurance\n');
    const errorsCsv = join(await mkdtemp(join(tmpdir(), 'iro-cli-errors-')), 'errors.csv');
    const result = run('import', ['--authority', 'cliformats', '--errors-csv', errorsCsv, dir]);
    expect(result.code, result.err).toBe(2);
    expect(result.out).toMatch(/'return\.xml'\s*│\s*'ssda903-xml'/);
    expect(result.out).toMatch(/'annex-a\.xlsx'\s*│\s*'annex-a-list-8'/);
    expect(result.out).toContain('per table:');
    expect(result.out).toContain('return.xml line 3: AREVIEW/REVIEW_CODE PN0 is for a child under 4 at the review, but this child was 11 on 01/03/2024');
    expect(result.out).toContain('annex-a.xlsx line 3: Date of Birth (C3): "not a date" is not a date');
    // Annex A's row for Q1 repeats what the XML said of the child: that record is unchanged.
    expect(result.out).toMatch(/7 rows in 3 file\(s\), [\d.]+ s: 5 imported \(6 created, 0 updated, 1 unchanged records\), 2 rejected, 0 file\(s\) refused/);
    const lines = (await readFile(errorsCsv, 'utf8')).trim().split('\n');
    expect(lines[0]).toBe('file,line,column,message');
    expect(lines).toHaveLength(3);
    expect(result.out).toContain(`errors written to ${errorsCsv} (2)`);
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
