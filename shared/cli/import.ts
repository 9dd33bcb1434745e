/**
 * `npm run import -- [--authority <id>] [--name <name>] [--oc2-year-ending YYYY-MM-DD] [--errors-csv <file>] <files or folders>`
 * Validates every row, upserts the good ones by natural key and reports the bad ones by file, line
 * and column. Exit code 0: every row imported; 2: some rows rejected; 1: nothing could be imported.
 */
import { createWriteStream } from 'node:fs';
import { parseArgs } from 'node:util';
import { stringify } from 'csv-stringify';
import { AuthorityId } from '#domain/records';
import { isIsoDate } from '#domain/dates';
import { REGULATIONS_2010 } from '#domain/timescales';
import { loadFiles, type LoadReport } from '#loader/load';
import { connect } from '#local/connect';
import { DEFAULT_DATA_DIR } from '#local/stack';

function fail(message: string): never {
  console.error(`import: ${message}`);
  console.error('usage: npm run import -- [--authority <id>] [--name <name>] [--oc2-year-ending YYYY-MM-DD] [--errors-csv <file>] <files or folders>');
  process.exit(1);
}

let parsed;
try {
  parsed = parseArgs({
    allowPositionals: true,
    options: {
      authority: { type: 'string', default: 'demo' },
      name: { type: 'string' },
      'oc2-year-ending': { type: 'string' },
      'errors-csv': { type: 'string' },
    },
  });
} catch (error) {
  fail((error as Error).message);
}
const { values, positionals } = parsed;
const authorityId = AuthorityId.safeParse(values.authority);
if (!authorityId.success) fail(`--authority ${authorityId.error.issues[0]?.message}`);
const oc2YearEnding = values['oc2-year-ending'];
if (oc2YearEnding !== undefined && (!isIsoDate(oc2YearEnding) || !oc2YearEnding.endsWith('-03-31'))) fail('--oc2-year-ending must be a 31 March written YYYY-03-31');
if (positionals.length === 0) fail('name at least one file or folder to import');

const connection = await connect(process.env.IRO_DATA_DIR ?? DEFAULT_DATA_DIR);
let report: LoadReport;
try {
  console.error(`import: into authority "${authorityId.data}" through ${connection.description}`);
  if (!(await connection.store.getAuthority(authorityId.data))) {
    await connection.store.putAuthority({ authorityId: authorityId.data, name: values.name ?? authorityId.data, timescales: REGULATIONS_2010 });
  }
  report = await loadFiles(connection.store, positionals, {
    authorityId: authorityId.data,
    context: oc2YearEnding ? { oc2YearEnding } : {},
    // A progress line only where someone watches a terminal; logs stay clean.
    ...(process.stderr.isTTY ? { onProgress: ({ file, rows }: { file: string; rows: number }) => process.stderr.write(`\r\x1b[K  ${file}: ${rows.toLocaleString('en-GB')} rows`) } : {}),
  });
  if (process.stderr.isTTY) process.stderr.write('\r\x1b[K');
} catch (error) {
  await connection.close();
  if ((error as NodeJS.ErrnoException).code === 'ENOENT') fail(`no such file or folder: ${(error as NodeJS.ErrnoException).path}`);
  throw error;
}
await connection.close();

console.table(
  report.files.map((f) => ({
    file: f.file, format: f.format ?? 'refused', rows: f.rows, accepted: f.accepted, rejected: f.rejected,
    created: f.created, updated: f.updated, unchanged: f.unchanged,
  })),
);
for (const f of report.files.filter((f) => f.refused)) console.log(`refused ${f.file}: ${f.refused}`);
if (report.errorCount > 0) {
  console.log(`${report.errorCount} row error(s)${report.errorCount > 20 ? '; the first 20' : ''}:`);
  // Each message already names its column.
  for (const e of report.errors.slice(0, 20)) console.log(`  ${e.file} line ${e.line}: ${e.message}`);
}
if (values['errors-csv']) {
  const out = stringify({ header: true, columns: ['file', 'line', 'column', 'message'] });
  out.pipe(createWriteStream(values['errors-csv']));
  for (const e of report.errors) out.write(e);
  out.end();
  console.log(`errors written to ${values['errors-csv']}${report.errors.length < report.errorCount ? ` (the first ${report.errors.length})` : ''}`);
}
const accepted = report.files.reduce((n, f) => n + f.accepted, 0);
const rejected = report.files.reduce((n, f) => n + f.rejected, 0);
const refused = report.files.filter((f) => f.refused).length;
process.exitCode = accepted === 0 ? 1 : rejected > 0 || refused > 0 ? 2 : 0;
