/**
 * `npm run import -- [--authority <id>] [--name <name>] [--timescales <set id>] [--year 2025-26] [--errors-csv <file>] [--json] <files or folders>`
 * Imports SSDA903 CSV tables, xlsx sheets and XML returns, Ofsted Annex A workbooks and SSD-shaped
 * extracts: judges every row by the DfE's rules of the return's collection year (stated, or worked
 * out from the data) and the importer's own checks, upserts the good ones by natural key and
 * reports each problem by file, line or element, child, column and rule. Exit code 0: every row
 * imported; 2: some rows rejected or files refused; 1: nothing could be imported.
 * `--timescales` chooses the authority's timescale set by id (regulations-2010, the default for a
 * new authority, or southwark-2008): a new authority is created with it, an existing one changed to
 * it with nothing else it holds touched.
 */
import { parseArgs } from 'node:util';
import { AuthorityId } from '#domain/records';
import { parseCollectionYear } from '#domain/collection-year';
import { isIsoDate } from '#domain/dates';
import { inFileOrder, placeOf, writeIssuesCsv, type ImportIssue } from '#loader/issues';
import { REGULATIONS_2010, TIMESCALE_SETS } from '#domain/timescales';
import { loadFiles, type LoadReport, type TableCounts } from '#loader/load';
import { connect } from '#local/connect';
import { DEFAULT_DATA_DIR } from '#local/stack';

const USAGE =
  'usage: npm run import -- [--authority <id>] [--name <name>] [--timescales <set id>] [--year 2025-26] [--errors-csv <file>] [--json] <files or folders>';

function fail(message: string): never {
  console.error(`import: ${message}`);
  console.error(USAGE);
  process.exit(1);
}

let parsed;
try {
  parsed = parseArgs({
    allowPositionals: true,
    options: {
      authority: { type: 'string', default: 'demo' },
      name: { type: 'string' },
      timescales: { type: 'string' },
      year: { type: 'string' },
      'year-ending': { type: 'string' },
      // The earlier name of --year-ending, kept so existing scripts still run.
      'oc2-year-ending': { type: 'string' },
      'errors-csv': { type: 'string' },
      json: { type: 'boolean', default: false },
    },
  });
} catch (error) {
  fail((error as Error).message);
}
const { values, positionals } = parsed;
const authorityId = AuthorityId.safeParse(values.authority);
if (!authorityId.success) fail(`--authority ${authorityId.error.issues[0]?.message}`);
const yearEnding = values['year-ending'] ?? values['oc2-year-ending'];
if (yearEnding !== undefined && (!isIsoDate(yearEnding) || !yearEnding.endsWith('-03-31')))
  fail('--year-ending must be a 31 March written YYYY-03-31');
const collectionYear = values.year === undefined ? undefined : parseCollectionYear(values.year);
if (values.year !== undefined && !collectionYear)
  fail(`--year must be a collection year written like 2025-26, not "${values.year}"`);
const timescales =
  values.timescales === undefined
    ? undefined
    : Object.hasOwn(TIMESCALE_SETS, values.timescales)
      ? TIMESCALE_SETS[values.timescales]
      : undefined;
if (values.timescales !== undefined && !timescales)
  fail(
    `--timescales "${values.timescales}" is not a timescale set: choose one of ${Object.keys(TIMESCALE_SETS).join(', ')}`,
  );
if (positionals.length === 0) fail('name at least one file or folder to import (.csv, .xml or .xlsx)');

/** Problems written to --errors-csv, in file order (judging finds them child by child); beyond this many they are counted only. */
const MAX_ISSUES_WRITTEN = 1_000_000;
const issues: ImportIssue[] = [];

const connection = await connect(process.env.IRO_DATA_DIR ?? DEFAULT_DATA_DIR);
let report: LoadReport;
const started = performance.now();
try {
  console.error(`import: into authority "${authorityId.data}" through ${connection.description}`);
  const authority = await connection.store.getAuthority(authorityId.data);
  if (!authority) {
    await connection.store.putAuthority({
      authorityId: authorityId.data,
      name: values.name ?? authorityId.data,
      timescales: timescales ?? REGULATIONS_2010,
    });
    console.error(
      `import: created authority "${authorityId.data}" with the timescale set ${timescales?.id ?? REGULATIONS_2010.id}`,
    );
  } else if (timescales && authority.timescales.id !== timescales.id) {
    // Only the set changes; audits already launched keep the set they were launched with.
    await connection.store.putAuthority({ ...authority, timescales });
    console.error(
      `import: authority "${authorityId.data}" now uses the timescale set ${timescales.id} (was ${authority.timescales.id})`,
    );
  }
  const tty = process.stderr.isTTY;
  let lastLine = 0;
  report = await loadFiles(connection.store, positionals, {
    authorityId: authorityId.data,
    context: { ...(yearEnding ? { yearEnding } : {}), ...(collectionYear ? { collectionYear } : {}) },
    onProgress: ({ phase, file, rows, totalRows }) => {
      // A live line where someone watches a terminal; a line every 10 s in a log.
      const now = performance.now();
      const line =
        phase === 'reading'
          ? `  reading ${file}: ${rows.toLocaleString('en-GB')} rows (${totalRows.toLocaleString('en-GB')} in all)`
          : `  checking and saving: ${rows.toLocaleString('en-GB')} of ${totalRows.toLocaleString('en-GB')} rows`;
      if (tty) process.stderr.write(`\r\x1b[K${line}`);
      else if (now - lastLine > 10_000) {
        lastLine = now;
        console.error(line);
      }
    },
    ...(values['errors-csv']
      ? { onIssue: (issue: ImportIssue) => void (issues.length < MAX_ISSUES_WRITTEN && issues.push(issue)) }
      : {}),
  });
  if (tty) process.stderr.write('\r\x1b[K');
} catch (error) {
  await connection.close();
  if ((error as NodeJS.ErrnoException).code === 'ENOENT')
    fail(`no such file or folder: ${(error as NodeJS.ErrnoException).path}`);
  throw error;
}
await connection.close();

const total = (k: keyof TableCounts) => report.files.reduce((n, f) => n + f[k], 0);
const refused = report.files.filter((f) => f.refused).length;
const exitCode = total('accepted') === 0 ? 1 : total('rejected') > 0 || refused > 0 ? 2 : 0;
if (values.json) {
  // The report as the API gives it (its files, year, counts per rule), for scripts.
  const { errors: _kept, ...summary } = report;
  if (values['errors-csv'])
    await writeIssuesCsv(
      values['errors-csv'],
      inFileOrder(
        issues,
        report.files.map((f) => f.file),
      ),
    );
  console.log(JSON.stringify(summary, null, 2));
  process.exit(exitCode);
}

const counts = (c: TableCounts) => ({
  rows: c.rows,
  accepted: c.accepted,
  warnings: c.warned,
  rejected: c.rejected,
  created: c.created,
  updated: c.updated,
  unchanged: c.unchanged,
});
/** How a file was read, in a few words: "episodes (Windows-1252, semicolon)". */
const readAs = (f: LoadReport['files'][number]) =>
  f.refused
    ? 'refused'
    : `${f.format ?? '?'}${[
        f.encoding && f.encoding !== 'UTF-8' ? f.encoding : '',
        f.delimiter && f.delimiter !== 'comma' ? f.delimiter : '',
      ]
        .filter(Boolean)
        .map((n) => `, ${n}`)
        .join('')}`;
if (report.year) {
  const { year, how, reason, rulesOf } = report.year;
  console.log(
    `collection year ${year} (${how === 'stated' ? 'as stated' : `worked out from the data: ${reason}`})${rulesOf === year ? '' : `; judged by the DfE's rules of ${rulesOf}, the nearest year the importer knows`}`,
  );
}
console.table(report.files.map((f) => ({ file: f.file, 'read as': readAs(f), ...counts(f) })));
// Per table too when a file held several (the XML return) or a table came in several files.
const tables = new Map<string, TableCounts>();
for (const file of report.files) {
  for (const [name, c] of Object.entries(file.tables)) {
    const total: TableCounts = tables.get(name) ?? {
      rows: 0,
      accepted: 0,
      rejected: 0,
      warned: 0,
      created: 0,
      updated: 0,
      unchanged: 0,
    };
    for (const k of Object.keys(total) as (keyof TableCounts)[]) total[k] += c[k];
    tables.set(name, total);
  }
}
if (
  report.files.some((f) => Object.keys(f.tables).length > 1) ||
  tables.size < report.files.filter((f) => !f.refused).length
) {
  console.log('per table:');
  console.table([...tables].map(([table, c]) => ({ table, ...counts(c) })));
}
for (const f of report.files.filter((f) => f.refused)) console.log(`refused ${f.file}: ${f.refused}`);
if (report.rules.length > 0) {
  console.log('problems by rule, most rows first:');
  console.table(
    report.rules.map((r) => ({
      rule: r.rule,
      outcome: r.severity,
      rows: r.rows,
      tables: r.tables.join(' '),
      meaning: r.meaning.length > 90 ? `${r.meaning.slice(0, 89)}…` : r.meaning,
    })),
  );
}
const problems = report.errorCount + report.warningCount;
if (problems > 0) {
  console.log(
    `${report.errorCount} problem(s) that kept rows out, ${report.warningCount} warning(s)${problems > 20 ? '; the first 20' : ''}:`,
  );
  // Each message names its rule and what was found.
  for (const e of inFileOrder(
    report.errors,
    report.files.map((f) => f.file),
  ).slice(0, 20))
    console.log(`  ${e.file} ${placeOf(e)}${e.child ? ` (CHILD ${e.child})` : ''} [${e.severity}]: ${e.message}`);
}
if (values['errors-csv']) {
  await writeIssuesCsv(
    values['errors-csv'],
    inFileOrder(
      issues,
      report.files.map((f) => f.file),
    ),
  );
  console.log(
    `problems written to ${values['errors-csv']} (${issues.length < problems ? `the first ${issues.length} of ${problems}` : problems}, in file order)`,
  );
}
const seconds = (performance.now() - started) / 1000;
console.log(
  `${total('rows').toLocaleString('en-GB')} rows in ${report.files.length} file(s), ${seconds.toFixed(1)} s: ${total('accepted').toLocaleString('en-GB')} imported ` +
    `(${total('created')} created, ${total('updated')} updated, ${total('unchanged')} unchanged records), ${total('rejected').toLocaleString('en-GB')} rejected, ${refused} file(s) refused`,
);
process.exitCode = exitCode;
