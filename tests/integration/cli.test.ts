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
    // No year given: the demo's latest episode date (before its as-at day) says 2024-25.
    expect(first.out).toMatch(
      /^collection year 2024-25 \(worked out from the data: the latest episode date in the return is \d{1,2} \w+ 202[45] \(DECOM in episodes\.csv\)\)$/m,
    );
    // Every row imported: the DfE's rules may warn about the demo's made-up UPNs and postcodes, but nothing is kept out.
    expect(first.out).not.toMatch(/\[rejected\]|\[not imported\]/);
    expect(first.out).toMatch(/^0 problem\(s\) that kept rows out, \d+ warning\(s\)/m);
    expect(first.out).toMatch(
      /^([\d,]+) rows in 8 file\(s\), [\d.]+ s: \1 imported \(\d+ created, 0 updated, 0 unchanged records\), 0 rejected, 0 file\(s\) refused$/m,
    );
    const again = run('import', ['--authority', 'clitest', demoDir]);
    expect(again.code, again.out).toBe(0);
    // Every file's rows are accepted again and come back unchanged: the created and updated columns are all 0.
    const rows = again.out.split('\n').filter((line) => /\.csv'/.test(line));
    expect(rows).toHaveLength(8);
    for (const line of rows) {
      // │ (index) │ file │ read as │ rows │ accepted │ warnings │ rejected │ created │ updated │ unchanged │
      const cells = line.split('│').map((c) => c.trim());
      expect(cells[3], line).toBe(`'${cells[2]!.slice(1, -5)}'`);
      expect([cells[5], cells[7]], line).toEqual([cells[4], '0']);
      expect(cells.slice(-4, -1), line).toEqual(['0', '0', cells[5]]);
    }
  }, 120_000);

  it('reports rejected rows with exit code 2, and refuses a run where nothing could be imported with exit code 1', async () => {
    const bad = await mkdtemp(join(tmpdir(), 'iro-cli-bad-'));
    await writeFile(
      join(bad, 'reviews.csv'),
      'CHILD,DOB,REVIEW,REVIEW_CODE\nX1,01/01/2015,01/02/2024,PN1\nX2,01/01/2015,31/02/2024,PN1\n',
    );
    await writeFile(
      join(bad, 'episodes.csv'),
      'CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,PL_POST,URN\nX1,10/01/2024,S,C2,N1,U1,PR1,,,,AB1 2CD,AB3 4EF,SC123456\n',
    );
    await writeFile(join(bad, 'notes.csv'), 'A,B\n1,2\n');
    const partial = run('import', ['--authority', 'clitest', join(bad, 'reviews.csv'), join(bad, 'episodes.csv')]);
    expect(partial.code).toBe(2);
    expect(partial.out).toContain(
      'collection year 2023-24 (worked out from the data: the latest episode date in the return is 10 January 2024 (DECOM in episodes.csv))',
    );
    // Files in the order given, with what each was read as.
    expect(partial.out).toMatch(
      /'reviews\.csv'\s*│\s*'reviews'\s*│\s*2\s*│\s*1\s*│\s*0\s*│\s*1\s*│[^\n]*\n[^\n]*'episodes\.csv'\s*│\s*'episodes'\s*│\s*1\s*│\s*1\s*│\s*0\s*│\s*0\s*│/,
    );
    expect(partial.out).toMatch(
      /problems by rule, most rows first:[\s\S]*│ 0\s*│ '166'\s*│ 'rejected'\s*│ 1\s*│ 'reviews'\s*│ 'the date of the review is blank or not a real date written dd\/mm\/YYYY'\s*│/,
    );
    expect(partial.out).toContain(
      '1 problem(s) that kept rows out, 0 warning(s):\n  reviews.csv line 3 (CHILD X2) [rejected]: 166 – the date of the review is blank or not a real date written dd/mm/YYYY: REVIEW is "31/02/2024"\n',
    );
    expect(partial.out).toMatch(
      /3 rows in 2 file\(s\), [\d.]+ s: 2 imported \(2 created, 0 updated, 0 unchanged records\), 1 rejected, 0 file\(s\) refused/,
    );
    const nothing = run('import', ['--authority', 'clitest', join(bad, 'notes.csv')]);
    expect(nothing.code).toBe(1);
    expect(nothing.out).toContain('refused notes.csv: the columns A, B match no known file');
    const badYear = run('import', ['--authority', 'clitest', '--year', '2025/27', join(bad, 'episodes.csv')]);
    expect(badYear.code).toBe(1);
    expect(badYear.err).toContain('import: --year must be a collection year written like 2025-26, not "2025/27"');
  }, 60_000);

  it('imports an SSDA903 XML return and an Annex A workbook with the CSV tables of a folder as the year stated, and writes every problem to the errors CSV', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'iro-cli-formats-'));
    await writeFile(
      join(dir, 'return.xml'),
      `<?xml version="1.0"?>
<EXPSSDA903><CHILD><HEADER><CHILDID>Q1</CHILDID><SEX>1</SEX><DOB>14/03/2012</DOB><ETHNIC>WBRI</ETHNIC><UPN>A123456789012</UPN><MOTHER/><MC_DOB/><UASC>0</UASC>
<AREVIEW><REVIEW>01/02/2024</REVIEW><REVIEW_CODE>PN1</REVIEW_CODE></AREVIEW><AREVIEW><REVIEW>01/03/2024</REVIEW><REVIEW_CODE>PN0</REVIEW_CODE></AREVIEW></HEADER>
<EPISODE><DECOM>10/01/2024</DECOM><RNE>S</RNE><LS>C2</LS><CIN>N1</CIN><PL>U1</PL><PLACE_PROVIDER>PR1</PLACE_PROVIDER><DEC/><REC/><REASON_PLACE_CHANGE/><HOME_POST>AB1 2CD</HOME_POST><PL_POST>AB3 4EF</PL_POST><URN>SC123456</URN></EPISODE>
</CHILD></EXPSSDA903>`,
    );
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet('List 8');
    sheet.addRow([
      'Child Unique ID',
      'Gender',
      'Date of Birth',
      'Date Started to be Looked After',
      'Date of Latest Statutory Review',
      'What is the permanence plan for this child?',
    ]);
    sheet.addRow([
      'Q1',
      'a) Male',
      new Date('2012-03-14T00:00:00Z'),
      new Date('2024-01-10T00:00:00Z'),
      new Date('2024-02-01T00:00:00Z'),
      'f) Long-term fostering',
    ]);
    sheet.addRow(['Q2', 'b) Female', 'not a date', new Date('2024-01-10T00:00:00Z'), null, null]);
    await workbook.xlsx.writeFile(join(dir, 'annex-a.xlsx'));
    await writeFile(
      join(dir, 'professionals.csv'),
      'WORKER_ID,ROLE,TEAM,SERVICE\nIRO9,IRO,IRO Service,Quality Assurance\n',
    );
    const errorsCsv = join(await mkdtemp(join(tmpdir(), 'iro-cli-errors-')), 'errors.csv');
    const result = run('import', ['--authority', 'cliformats', '--year', '2023-24', '--errors-csv', errorsCsv, dir]);
    expect(result.code, result.err).toBe(2);
    expect(result.out).toMatch(/^collection year 2023-24 \(as stated\)$/m);
    // The folder's files in name order, each with what it was read as and its counts.
    expect(result.out).toMatch(/'annex-a\.xlsx'\s*│\s*'annex-a-list-8'\s*│\s*2\s*│\s*1\s*│\s*0\s*│\s*1\s*│/);
    expect(result.out).toMatch(/'professionals\.csv'\s*│\s*'professionals'\s*│\s*1\s*│\s*1\s*│\s*0\s*│\s*0\s*│/);
    expect(result.out).toMatch(/'return\.xml'\s*│\s*'ssda903-xml'\s*│\s*4\s*│\s*4\s*│\s*1\s*│\s*0\s*│/);
    expect(result.out).toContain('per table:');
    // Each problem where it is: the Annex A cell (rejected), the XML element (a DfE warning: the review is kept).
    expect(result.out).toContain('1 problem(s) that kept rows out, 1 warning(s):');
    expect(result.out).toContain(
      '  annex-a.xlsx row 3 of sheet List 8 (CHILD Q2) [rejected]: FORMAT – Date of Birth (C3): "not a date" is not a date: write dd/mm/YYYY (or YYYY-MM-DD)',
    );
    expect(result.out).toContain(
      '  return.xml CHILD[1]/HEADER/AREVIEW[2] (CHILD Q1) [warning]: 440 – the participation code is PN0 (child under 4 at the review), but the child was past their 4th birthday on the date of the review: PN0 at the review of 1 March 2024, but the child turned 4 on 14 March 2016',
    );
    // Annex A's row for Q1, read first, creates the child's record; the XML's Header then completes it (1 updated).
    expect(result.out).toMatch(
      /7 rows in 3 file\(s\), [\d.]+ s: 6 imported \(7 created, 1 updated, 0 unchanged records\), 1 rejected, 0 file\(s\) refused/,
    );
    const lines = (await readFile(errorsCsv, 'utf8')).trim().split('\n');
    expect(lines).toEqual([
      'file,line or element,child,column,rule,severity,message',
      'annex-a.xlsx,sheet List 8 row 3,Q2,Date of Birth,FORMAT,rejected,"FORMAT – Date of Birth (C3): ""not a date"" is not a date: write dd/mm/YYYY (or YYYY-MM-DD)"',
      'return.xml,CHILD[1]/HEADER/AREVIEW[2],Q1,REVIEW_CODE,440,warning,"440 – the participation code is PN0 (child under 4 at the review), but the child was past their 4th birthday on the date of the review: PN0 at the review of 1 March 2024, but the child turned 4 on 14 March 2016"',
    ]);
    expect(result.out).toContain(`problems written to ${errorsCsv} (2, in file order)`);
  }, 60_000);

  it('runs an automatic audit, prints the summary and writes every published file with its manifest', async () => {
    const out = await mkdtemp(join(tmpdir(), 'iro-cli-out-'));
    const audit = run('audit', [
      '--authority',
      'clitest',
      '--template',
      'review-timeliness-participation',
      '--from',
      '2024-04-01',
      '--to',
      '2025-03-31',
      '--auto-only',
      '--seed',
      '9',
      '--out',
      out,
    ]);
    expect(audit.code, audit.err).toBe(0);
    expect(audit.out).toMatch(/review-in-timescale/);
    const [auditDir] = await readdir(join(out, 'findings', 'clitest'));
    const files = (await readdir(join(out, 'findings', 'clitest', auditDir!))).sort();
    expect(files).toEqual([
      'action-plan.csv',
      'findings.csv',
      'findings.json',
      'findings.xlsx',
      'manifest.json',
      'records.csv',
      'report.html',
    ]);
    const findings = JSON.parse(await readFile(join(out, 'findings', 'clitest', auditDir!, 'findings.json'), 'utf8'));
    expect(findings).toMatchObject({
      template: { id: 'review-timeliness-participation', version: 2 },
      period: { from: '2024-04-01', to: '2025-03-31' },
      audit: { seed: 9, authorityName: 'CLI Test Borough' },
    });
    expect(findings.population).toBeGreaterThan(0);
    const participation = Object.values(findings.tables.participation as Record<string, number>).reduce(
      (a, b) => a + b,
      0,
    );
    expect(participation).toBe(findings.population);

    // The audit is kept: resuming a published audit prints its findings again and changes nothing.
    const again = run('audit', ['--authority', 'clitest', '--resume', auditDir!]);
    expect(again.code, again.err).toBe(0);
    expect(again.out).toContain(`(audit ${auditDir})`);
    expect(again.err).toContain('(published)');
  }, 60_000);

  it('launches an audit with manual criteria to grading, and says so', () => {
    const launched = run('audit', [
      '--authority',
      'clitest',
      '--template',
      'permanence-at-second-review',
      '--from',
      '2024-04-01',
      '--to',
      '2025-03-31',
      '--sample',
      '3',
      '--seed',
      '4',
    ]);
    expect(launched.code, launched.err).toBe(0);
    expect(launched.out).toMatch(/sample \d+ drawn with seed 4, .* It now waits for IROs' grades/);
  }, 60_000);

  it('creates an authority with the timescale set chosen, changes only the set when asked again, and refuses a set that does not exist', async () => {
    const unknown = run('import', ['--authority', 'clitime', '--timescales', 'southwark-2009', demoDir]);
    expect(unknown.code).toBe(1);
    expect(unknown.err).toContain(
      'import: --timescales "southwark-2009" is not a timescale set: choose one of regulations-2010, southwark-2008',
    );
    const created = run('import', [
      '--authority',
      'clitime',
      '--name',
      'Timescale Borough',
      '--timescales',
      'southwark-2008',
      demoDir,
    ]);
    expect(created.code, created.err).toBe(0);
    expect(created.err).toContain('import: created authority "clitime" with the timescale set southwark-2008');
    // An audit of it is judged by that set, and its findings say so.
    const auditOf = async () => {
      const out = await mkdtemp(join(tmpdir(), 'iro-cli-time-'));
      const audit = run('audit', [
        '--authority',
        'clitime',
        '--template',
        'permanence-at-second-review',
        '--from',
        '2024-04-01',
        '--to',
        '2025-03-31',
        '--auto-only',
        '--seed',
        '2',
        '--out',
        out,
      ]);
      expect(audit.code, audit.err).toBe(0);
      const [auditDir] = await readdir(join(out, 'findings', 'clitime'));
      return JSON.parse(await readFile(join(out, 'findings', 'clitime', auditDir!, 'findings.json'), 'utf8'));
    };
    const southwark = await auditOf();
    expect(southwark.audit.authorityName).toBe('Timescale Borough');
    expect(southwark.timescales.id).toBe('southwark-2008');
    // Importing again with another set changes the set and nothing else (the name stays).
    const changed = run('import', ['--authority', 'clitime', '--timescales', 'regulations-2010', demoDir]);
    expect(changed.code, changed.err).toBe(0);
    expect(changed.err).toContain(
      'import: authority "clitime" now uses the timescale set regulations-2010 (was southwark-2008)',
    );
    const regs = await auditOf();
    expect(regs.audit.authorityName).toBe('Timescale Borough');
    expect(regs.timescales.id).toBe('regulations-2010');
    expect(regs.population).toBe(southwark.population);
  }, 120_000);

  it('exits 1 with a clear message on bad arguments', () => {
    const cases: [string[], RegExp][] = [
      [
        ['--template', 'nope', '--from', '2024-01-01', '--to', '2024-03-31', '--auto-only'],
        /no template "nope": one of health-assessments, /,
      ],
      [
        ['--template', 'sibling-allocation', '--from', '2024-02-30', '--to', '2024-03-31', '--auto-only'],
        /--from "2024-02-30" is not a date/,
      ],
      [
        ['--template', 'sibling-allocation', '--from', '2024-04-01', '--to', '2024-03-31', '--auto-only'],
        /--from 2024-04-01 is after --to 2024-03-31/,
      ],
      [
        [
          '--template',
          'sibling-allocation',
          '--from',
          '2024-01-01',
          '--to',
          '2024-03-31',
          '--sample',
          '0',
          '--auto-only',
        ],
        /--sample "0"/,
      ],
      [
        [
          '--template',
          'sibling-allocation',
          '--from',
          '2024-01-01',
          '--to',
          '2024-03-31',
          '--sample',
          '150%',
          '--auto-only',
        ],
        /--sample "150%"/,
      ],
      [
        [
          '--template',
          'sibling-allocation',
          '--from',
          '2024-01-01',
          '--to',
          '2024-03-31',
          '--seed',
          'x',
          '--auto-only',
        ],
        /--seed "x"/,
      ],
      [
        ['--template', 'sibling-allocation', '--from', '2024-01-01', '--to', '2024-03-31', '--frobnicate'],
        /Unknown option '--frobnicate'/,
      ],
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
