/**
 * The QA lead's import pages: the authority's imports with a form to upload files (a plain multipart
 * POST: no JavaScript needed), and one import's row-level report (status, counts per file and per
 * table, the first row errors, and the whole errors CSV through a 5-minute link). A failed import
 * offers "Try again" (a new import over the same files) on both.
 */
import type { Context, Hono, MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { hasRole } from '#auth/principal';
import { TokenError } from '#auth/tokens';
import {
  DIRECT_IMPORT_MAX_BYTES,
  DIRECT_IMPORT_MAX_TOTAL_BYTES,
  MAX_FILES_PER_IMPORT,
  StatedCollectionYear,
  type ImportContentType,
  type ImportFileState,
  type ImportJob,
  type ImportStatus,
  type ImportView,
} from '#loader/import-jobs';
import { collectionEnd, collectionStart } from '#domain/collection-year';
import { ANNEX_A_FORMAT, XLSX_TABLES_FORMAT, XML_FORMAT, type TableCounts } from '#loader/load';
import { IMPORT_FORMATS } from '#loader/formats';
import { placeOf, type ImportIssue, type IssueSeverity } from '#loader/issues';
import { longDate } from '#reports/csv';
import { ForbiddenError, InvalidInputError, NotFoundError } from '#service/errors';
import { importFiles, importReport, importStatus, imports, mayTryAgain, tryAgain } from '#service/imports';
import { me, type WebDeps, type WebEnv } from '../context.ts';
import { capitalise, formBody, text, type FormBody } from '../forms.ts';
import {
  Breadcrumbs,
  Button,
  ErrorSummary,
  FileUpload,
  Input,
  InsetText,
  NotificationBanner,
  SummaryList,
  Table,
  Tag,
  WarningText,
  type FieldError,
  type TagColour,
} from '../pages/govuk.tsx';
import { dateTimeLabel, sizeLabel } from '../pages/format.tsx';
import { Form, Layout, ProblemPage, type PageContext } from '../pages/layout.tsx';
import { sessionToken } from '../session.ts';

/** Where the upload form posts (the API's own body limit leaves this path to `importFormLimit`). */
export const IMPORT_FORM_PATH = '/app/imports';
/** The largest upload form read: the files together, with room for the multipart framing and the other fields. */
export const IMPORT_FORM_MAX_BYTES = DIRECT_IMPORT_MAX_TOTAL_BYTES + 256 * 1024;
/** Row errors shown on the report page; the errors CSV holds them all. */
export const ERRORS_SHOWN = 50;

const MB = (bytes: number) => `${Math.round(bytes / 1024 / 1024)} MB`;

/** What a file's extension says it is: the browser's own type is not relied on (Windows calls a CSV "application/vnd.ms-excel"). */
const TYPE_OF_EXTENSION: Record<string, ImportContentType> = {
  '.csv': 'text/csv',
  '.xml': 'application/xml',
  '.xlsx': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
};

const extensionOf = (name: string) => /\.[^.]*$/.exec(name)?.[0]?.toLowerCase() ?? '';

/**
 * The name a chosen file is imported under: the browser's name, kept readable but within the
 * characters an upload key allows (letters, digits, spaces, ".", "_", "-", brackets).
 */
export function importFileName(name: string): string {
  const base = name.split(/[\\/]/).pop() ?? '';
  const ext = extensionOf(base);
  const stem = base
    .slice(0, base.length - ext.length)
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^A-Za-z0-9 ._()-]+/g, '-')
    .replace(/^[^A-Za-z0-9]+/, '');
  return `${(stem || 'file').slice(0, 200 - ext.length)}${ext}`;
}

/** The files chosen in the form (a browser sends an empty part when none is chosen). */
function chosenFiles(body: FormBody): File[] {
  const value = body.files;
  const list = Array.isArray(value) ? value : value === undefined ? [] : [value];
  return list.filter((v): v is File => typeof v !== 'string' && !(v.name === '' && v.size === 0));
}

/** The upload form as sent, or what is wrong with it (one message per field, as the summary and the field both show it). */
function readUploadForm(body: FormBody): { files: File[]; year: string; errors: FieldError[] } {
  const files = chosenFiles(body);
  const year = text(body, 'collectionYear');
  const fileProblems: string[] = [];
  if (files.length === 0) fileProblems.push('Select one or more files to import');
  else if (files.length > MAX_FILES_PER_IMPORT)
    fileProblems.push(`Select ${MAX_FILES_PER_IMPORT} files or fewer at once`);
  else {
    for (const file of files) {
      if (!TYPE_OF_EXTENSION[extensionOf(file.name)]) fileProblems.push(`${file.name} must be a CSV, XML or xlsx file`);
      else if (file.size > DIRECT_IMPORT_MAX_BYTES)
        fileProblems.push(
          `${file.name} is ${sizeLabel(file.size)}: each file must be ${MB(DIRECT_IMPORT_MAX_BYTES)} or smaller`,
        );
    }
    const names = files.map((f) => importFileName(f.name));
    const twice = [...new Set(names.filter((n, i) => names.indexOf(n) !== i))];
    for (const name of twice)
      fileProblems.push(
        `You selected ${names.filter((n) => n === name).length} files called ${name}: select each file once`,
      );
    const total = files.reduce((n, f) => n + f.size, 0);
    if (fileProblems.length === 0 && total > DIRECT_IMPORT_MAX_TOTAL_BYTES)
      fileProblems.push(
        `The files come to ${sizeLabel(total)}: select files that come to ${MB(DIRECT_IMPORT_MAX_TOTAL_BYTES)} or less at once`,
      );
  }
  const errors: FieldError[] = [];
  if (fileProblems.length) errors.push({ field: 'files', message: fileProblems.join('. ') });
  // The API's schema for the stated year (POST /imports reads it too).
  if (year && !StatedCollectionYear.safeParse(year).success)
    errors.push({ field: 'collectionYear', message: 'Enter the collection year like 2025-26, or leave it blank' });
  return { files, year, errors };
}

const STATUS: Record<ImportStatus, { text: string; colour: TagColour }> = {
  pending: { text: 'Waiting for files', colour: 'grey' },
  running: { text: 'Running', colour: 'light-blue' },
  done: { text: 'Imported', colour: 'green' },
  failed: { text: 'Failed', colour: 'red' },
};

/** An import's status: "Imported" is qualified when some rows were rejected or a file refused. */
function ImportStatusTag({ job }: { job: ImportJob }) {
  const partly = job.status === 'done' && (job.files.some((f) => f.rejected > 0 || f.refused) || job.errorCount > 0);
  const { text: label, colour } = partly
    ? { text: 'Imported with problems', colour: 'yellow' as const }
    : STATUS[job.status];
  return <Tag colour={colour}>{label}</Tag>;
}

const sum = (job: ImportJob, key: keyof TableCounts) => job.files.reduce((n, f) => n + f[key], 0);

/** A recognised format in words: "SSDA903 episodes (CSV, Windows-1252, semicolon-delimited)". */
function formatLabel(
  file: Pick<ImportFileState, 'format' | 'encoding' | 'delimiter' | 'sheets' | 'contentType'>,
): string {
  const { format } = file;
  if (format === XML_FORMAT)
    return `SSDA903 return (XML${file.encoding && file.encoding !== 'UTF-8' ? `, ${file.encoding}` : ''})`;
  if (format === ANNEX_A_FORMAT) return 'Ofsted Annex A, List 8 (xlsx)';
  if (format === XLSX_TABLES_FORMAT || file.sheets) {
    const read = (file.sheets ?? []).filter((s) => s.format).map((s) => `${s.name}: ${tableLabel(s.format!)}`);
    return `Tables in a workbook (xlsx) – ${read.join('; ')}`;
  }
  const csv = IMPORT_FORMATS.find((f) => f.name === format);
  if (!csv) return format ?? 'Not recognised';
  const notes = [
    'CSV',
    ...(file.encoding && file.encoding !== 'UTF-8'
      ? [file.encoding === 'Windows-1252' ? 'Windows-1252, converted' : file.encoding]
      : []),
    ...(file.delimiter && file.delimiter !== 'comma' ? [`${file.delimiter}-delimited`] : []),
  ];
  return `${csv.source} ${tableLabel(csv.name)} (${notes.join(', ')})`;
}

const tableLabel = (name: string) => name.replace(/_/g, ' ');

function fileFormat(file: ImportFileState, status: ImportStatus) {
  if (file.refused) {
    return (
      <>
        <Tag colour="red">Refused</Tag> {capitalise(file.refused)}
      </>
    );
  }
  if (file.format) return formatLabel(file);
  if (status === 'pending') return file.uploaded ? 'Uploaded, not read yet' : 'Not uploaded yet';
  return status === 'running' ? 'Being read' : 'Not read';
}

/** A count as people read it: 10,255. */
const num = (n: number) => n.toLocaleString('en-GB');
const counts = (c: TableCounts) =>
  [c.rows, c.accepted, c.warned, c.rejected, c.created, c.updated, c.unchanged].map(num);
const COUNT_COLUMNS = ['Rows', 'Accepted', 'With warnings', 'Rejected', 'Created', 'Updated', 'Unchanged'].map(
  (header) => ({ header, numeric: true }),
);

const SEVERITY: Record<IssueSeverity, { text: string; colour: TagColour }> = {
  rejected: { text: 'Rejected', colour: 'red' },
  'not imported': { text: 'Held back', colour: 'orange' },
  warning: { text: 'Warning', colour: 'yellow' },
};

const crumbs = () => (
  <Breadcrumbs
    items={[
      { href: '/app', text: 'Home' },
      { href: '/app/imports', text: 'Imports' },
    ]}
  />
);

/** The "Try again" form of a failed import; `small` for a table row, with the import named for screen readers. */
function TryAgainForm({ page, job, small }: { page: PageContext; job: ImportJob; small?: boolean }) {
  return (
    <Form page={page} action={`/app/imports/${job.importId}/try-again`}>
      <button
        type="submit"
        class={`govuk-button${small ? ' govuk-button--secondary govuk-!-margin-bottom-0 govuk-!-margin-top-2' : ''}`}
        data-module="govuk-button"
        data-prevent-double-click="true"
      >
        Try again
        {small ? <span class="govuk-visually-hidden"> the import of {dateTimeLabel(job.createdAt)}</span> : null}
      </button>
    </Form>
  );
}

function ImportsPage({
  page,
  list,
  year,
  errors,
  triable,
}: {
  page: PageContext;
  list: ImportJob[];
  year: string;
  errors: FieldError[];
  triable: (job: ImportJob) => boolean;
}) {
  const e = Object.fromEntries(errors.map((x) => [x.field, x.message]));
  const filesKept = errors.length > 0 && !e.files;
  return (
    <Layout page={page} title="Imports" hasErrors={errors.length > 0}>
      <div class="govuk-grid-row">
        <div class="govuk-grid-column-two-thirds">
          <ErrorSummary errors={errors} />
          <h1 class="govuk-heading-l">Imports</h1>
          <p class="govuk-body">
            Import your authority’s records as you export them: the SSDA903 return (its CSV tables, or one XML file),
            Ofsted Annex A List 8 (xlsx) and case-management extracts (CSV). Every row is checked against the DfE’s
            validation rules for the return’s collection year and the importer’s own checks; good rows are saved, a row
            already held is updated in place, and each problem is reported with its file, line, column and the rule it
            breaks.
          </p>
          <Form page={page} action={IMPORT_FORM_PATH} multipart>
            <h2 class="govuk-heading-m">Import files</h2>
            {filesKept ? (
              <InsetText>
                Select your files again: a browser does not keep chosen files when a form comes back with a problem.
              </InsetText>
            ) : null}
            <FileUpload
              id="files"
              label="Files to import"
              labelSize="s"
              multiple
              accept=".csv,.xml,.xlsx"
              hint={`CSV, XML or xlsx files, each ${MB(DIRECT_IMPORT_MAX_BYTES)} or smaller (${MB(DIRECT_IMPORT_MAX_TOTAL_BYTES)} at once). Select several files to import them together: they are loaded in the right order, episodes before reviews.`}
              error={e.files}
            />
            <Input
              id="collectionYear"
              label="Collection year (optional)"
              hint="The SSDA903 collection year the return is for, like 2025-26 (1 April 2025 to 31 March 2026). Leave it blank and it is worked out from the dates in the return. The year decides which of the DfE's codes and rules apply."
              value={year}
              error={e.collectionYear}
              width="10"
            />
            <Button preventDoubleClick>Import the files</Button>
          </Form>
        </div>
      </div>
      <h2 class="govuk-heading-m">Your authority’s imports</h2>
      {list.length === 0 ? (
        <p class="govuk-body">No imports yet.</p>
      ) : (
        <Table
          caption="Imports, newest first"
          captionSize="s"
          small
          columns={[
            { header: 'Started' },
            { header: 'By' },
            { header: 'Status' },
            { header: 'Files' },
            { header: 'Rows accepted', numeric: true },
            { header: 'Rows rejected', numeric: true },
          ]}
          rows={list.map((job) => [
            <a class="govuk-link" href={`/app/imports/${job.importId}`}>
              {dateTimeLabel(job.createdAt)}
            </a>,
            job.requestedBy,
            triable(job) ? (
              <>
                <ImportStatusTag job={job} />
                <TryAgainForm page={page} job={job} small />
              </>
            ) : (
              <ImportStatusTag job={job} />
            ),
            job.files.map((f) => f.fileName).join(', '),
            num(sum(job, 'accepted')),
            num(sum(job, 'rejected')),
          ])}
        />
      )}
    </Layout>
  );
}

function ReportPage({
  page,
  view,
  firstErrors,
  fresh,
  triable,
}: {
  page: PageContext;
  view: ImportView;
  firstErrors: ImportIssue[];
  fresh: boolean | 'tried-again';
  triable: boolean;
}) {
  const href = `/app/imports/${view.importId}`;
  const accepted = sum(view, 'accepted');
  const rejected = sum(view, 'rejected');
  const refused = view.files.filter((f) => f.refused).length;
  const finished = view.status === 'done' || view.status === 'failed';
  const clean = view.status === 'done' && rejected === 0 && refused === 0 && view.errorCount === 0;
  const tables = Object.entries(view.tables);
  const stopped = triable && !finished;
  const importLink = (importId: string) => (
    <a class="govuk-link" href={`/app/imports/${importId}`}>
      import {importId}
    </a>
  );
  return (
    <Layout page={page} title={`Import of ${dateTimeLabel(view.createdAt)}`} beforeContent={crumbs()}>
      {fresh === 'tried-again' && view.retryOf ? (
        <NotificationBanner
          success
          heading={`The import is being tried again, over the same files as import ${view.retryOf}.`}
        >
          <p class="govuk-body">
            It starts once its files have been copied, and runs from the start: rows the failed import saved come out
            unchanged.
          </p>
        </NotificationBanner>
      ) : null}
      {fresh === true && finished ? (
        <NotificationBanner
          success={clean}
          heading={
            clean
              ? `Every row was imported: ${num(accepted)} ${accepted === 1 ? 'row' : 'rows'}.`
              : `The import has finished: ${num(accepted)} ${accepted === 1 ? 'row' : 'rows'} accepted, ${num(rejected)} rejected${refused ? `, ${refused} ${refused === 1 ? 'file' : 'files'} refused` : ''}.`
          }
        >
          {clean ? null : (
            <p class="govuk-body">What was wrong is listed below by rule, then by file, line and column.</p>
          )}
        </NotificationBanner>
      ) : null}
      <span class="govuk-caption-l">Import {view.importId}</span>
      <h1 class="govuk-heading-l">Import of {dateTimeLabel(view.createdAt)}</h1>
      <SummaryList
        rows={[
          { key: 'Status', value: <ImportStatusTag job={view} /> },
          { key: 'Started by', value: view.requestedBy },
          view.retryOf ? { key: 'Tries again', value: importLink(view.retryOf) } : null,
          view.retriedAs ? { key: 'Tried again as', value: importLink(view.retriedAs) } : null,
          { key: 'Started', value: dateTimeLabel(view.startedAt ?? view.createdAt) },
          view.finishedAt ? { key: 'Finished', value: dateTimeLabel(view.finishedAt) } : null,
          view.collectionYear
            ? { key: 'Collection year', value: <YearValue year={view.collectionYear} /> }
            : view.statedYear
              ? { key: 'Collection year', value: `${view.statedYear}, as stated` }
              : null,
          { key: 'Rows read', value: num(finished ? sum(view, 'rows') : view.progress.rows) },
          {
            key: 'Rows accepted',
            value: `${num(accepted)}${sum(view, 'warned') ? ` (${num(sum(view, 'warned'))} with warnings)` : ''}`,
          },
          { key: 'Rows rejected', value: num(rejected) },
          {
            key: 'Problems',
            value:
              view.errorCount + view.warningCount === 0
                ? 'None'
                : `${num(view.errorCount)} that kept rows out, ${num(view.warningCount)} ${view.warningCount === 1 ? 'warning' : 'warnings'}`,
          },
        ]}
      />
      {stopped ? (
        <>
          <WarningText>
            {view.status === 'pending'
              ? 'The import stopped while its files were arriving, and nothing has picked it up since.'
              : 'The import stopped before it finished, and nothing has picked it up since.'}{' '}
            Rows already saved stay saved.
          </WarningText>
          <p class="govuk-body">
            Try again to import the same files again from the start, as a new import: rows already saved come out
            unchanged.
          </p>
          <TryAgainForm page={page} job={view} />
        </>
      ) : null}
      {(view.status === 'pending' || view.status === 'running') && !stopped ? (
        <InsetText>
          {view.status === 'pending'
            ? view.retryOf
              ? `The import starts when every file has been copied from import ${view.retryOf}: ${view.files.filter((f) => f.uploaded).length} of ${view.files.length} so far.`
              : `The import starts when every file has been uploaded: ${view.files.filter((f) => f.uploaded).length} of ${view.files.length} so far.`
            : view.progress.phase === 'writing'
              ? `The import is running: ${view.progress.rows} of ${view.progress.of ?? sum(view, 'rows')} rows checked and saved so far.`
              : `The import is running: ${view.progress.rows} rows read so far.`}{' '}
          <a class="govuk-link" href={href}>
            Refresh this page
          </a>{' '}
          to see its progress.
        </InsetText>
      ) : null}
      {view.status === 'failed' ? (
        <>
          <WarningText>
            The import could not finish: {view.failure ?? 'no reason was recorded'}. Rows already saved stay saved;
            importing the same files again changes nothing that is already right.
          </WarningText>
          {view.retriedAs ? (
            <p class="govuk-body">It has been tried again as {importLink(view.retriedAs)}.</p>
          ) : triable ? (
            <>
              <p class="govuk-body">
                Try again once the cause is put right: the same files are imported again from the start, as a new
                import. This one is kept as it is, with its report.
              </p>
              <TryAgainForm page={page} job={view} />
            </>
          ) : null}
        </>
      ) : null}

      <Table
        caption="Files"
        captionSize="m"
        small
        columns={[{ header: 'File' }, { header: 'Format' }, ...COUNT_COLUMNS]}
        rows={view.files.map((f) => [f.fileName, fileFormat(f, view.status), ...counts(f)])}
      />
      {tables.length ? (
        <Table
          caption="Rows by table"
          captionSize="m"
          small
          columns={[{ header: 'Table' }, ...COUNT_COLUMNS]}
          rows={tables.map(([table, c]) => [table.replace(/_/g, ' '), ...counts(c)])}
        />
      ) : null}

      {view.rules.length > 0 ? (
        <section aria-labelledby="rules-heading">
          <h2 class="govuk-heading-m" id="rules-heading">
            Problems by rule
          </h2>
          <p class="govuk-body">
            Each rule is a DfE validation rule of the {view.collectionYear?.year ?? ''} return (by its DfE code) or one
            of the importer’s own checks. Rejected rows were not imported; held-back rows are sound rows of a child
            whose other row was rejected (for example the child’s other episodes, so that no period of care is stored
            with a gap); a warning does not keep a row out (its row was imported unless another problem of the row kept
            it out). The most frequent come first.
          </p>
          <Table
            caption="Problems by rule"
            captionSize="s"
            small
            columns={[
              { header: 'Rule' },
              { header: 'What it means' },
              { header: 'Outcome' },
              { header: 'Rows', numeric: true },
              { header: 'Tables' },
            ]}
            rows={view.rules.map((r) => [
              r.rule,
              capitalise(r.meaning),
              <Tag colour={SEVERITY[r.severity].colour}>{SEVERITY[r.severity].text}</Tag>,
              num(r.rows),
              r.tables.map(tableLabel).join(', '),
            ])}
          />
        </section>
      ) : null}
      {view.errorCount + view.warningCount > 0 ? (
        <section aria-labelledby="errors-heading">
          <h2 class="govuk-heading-m" id="errors-heading">
            Problems, row by row
          </h2>
          <p class="govuk-body">
            {firstErrors.length < view.errorCount + view.warningCount
              ? `The first ${firstErrors.length} of ${view.errorCount + view.warningCount} problems, grouped by rule. The problems file has ${view.errorsInCsv < view.errorCount + view.warningCount ? `the first ${view.errorsInCsv}` : 'every one'}.`
              : `${view.errorCount + view.warningCount} ${view.errorCount + view.warningCount === 1 ? 'problem' : 'problems'}, grouped by rule.`}{' '}
            Correct these rows in your system, export again and import the files again: rows already right are left
            unchanged.
          </p>
          {[...groupByRule(firstErrors)].map(([rule, issues]) => (
            <Table
              caption={`Rule ${rule}: ${issues.length} ${issues.length === 1 ? 'problem' : 'problems'} shown`}
              captionSize="s"
              small
              firstCellIsHeader={false}
              columns={[
                { header: 'File' },
                { header: 'Where' },
                { header: 'Child' },
                { header: 'Column' },
                { header: 'Outcome' },
                { header: 'What is wrong' },
              ]}
              rows={issues.map((issue) => [
                issue.file,
                placeOf(issue) || 'The whole file',
                issue.child ?? '',
                issue.column ?? 'The whole row',
                <Tag colour={SEVERITY[issue.severity].colour}>{SEVERITY[issue.severity].text}</Tag>,
                issue.message,
              ])}
            />
          ))}
          {view.errorsCsv ? (
            <p class="govuk-body">
              <a
                class="govuk-button govuk-button--secondary"
                role="button"
                draggable="false"
                data-module="govuk-button"
                href={`${href}/errors.csv`}
              >
                Download every problem (CSV)
              </a>
              <br />
              <span class="govuk-body-s">
                The file lists each problem’s file, line or element, child, column, rule, outcome and message. The
                button fetches a link that works for 5 minutes.
              </span>
            </p>
          ) : null}
        </section>
      ) : null}
      <p class="govuk-body">
        <a class="govuk-link" href="/app/imports">
          Import more files
        </a>
      </p>
    </Layout>
  );
}

/** The year an import was judged as, and how it was known. */
function YearValue({ year }: { year: NonNullable<ImportView['collectionYear']> }) {
  return (
    <>
      {year.year} (1 April {year.year.slice(0, 4)} to 31 March {Number(year.year.slice(0, 4)) + 1}),{' '}
      {year.how === 'stated' ? 'as stated' : `worked out from the data: ${year.reason}`}.
      {year.rulesOf !== year.year
        ? ` The DfE’s rules of ${year.rulesOf} were applied, the nearest year the importer knows.`
        : ''}
    </>
  );
}

/** Issues by rule, in the order their rules first appear. */
function groupByRule(issues: readonly ImportIssue[]): Map<string, ImportIssue[]> {
  const groups = new Map<string, ImportIssue[]>();
  for (const issue of issues) groups.set(issue.rule, [...(groups.get(issue.rule) ?? []), issue]);
  return groups;
}

const requireQaLead = (c: Context<WebEnv>) => {
  if (!hasRole(me(c), 'qa-lead')) throw new ForbiddenError('imports are for QA leads');
};

/** The field of the form an import refusal belongs to. */
const formField = (field: string) =>
  field === 'collectionYear' || field === 'yearEnding' ? 'collectionYear' : 'files';

/** What any other form may send (the API's limit for every request but its own imports). */
const OTHER_FORM_MAX_BYTES = 256 * 1024;

/** The signed-in principal of the request's session, or null (none, expired, forged); the session middleware says why later. */
async function sessionPrincipal(deps: WebDeps, c: Context<WebEnv>) {
  const token = sessionToken(c);
  if (!token) return null;
  try {
    return await deps.verifier.verify(token);
  } catch (error) {
    if (error instanceof TokenError) return null;
    throw error;
  }
}

/**
 * The upload form's own body limit (the API's 256 KiB is too small for files), checked before
 * anything reads the body (the CSRF check does): an upload over it is refused with a GOV.UK page,
 * nothing read or stored. The large limit is for a signed-in QA lead only: anyone else's post is
 * held to what every other form may send, so no one else can make the app read megabytes.
 */
export function importFormLimit(deps: WebDeps): MiddlewareHandler<WebEnv> {
  const tooLarge = (c: Context<WebEnv>, message: string) =>
    deps.render(
      c,
      <ProblemPage
        page={deps.page(c)}
        status={413}
        title="The files were too large"
        message={message}
        next={
          <p class="govuk-body">
            <a class="govuk-link" href="/app/imports">
              Go back to imports
            </a>
          </p>
        }
      />,
      413,
    );
  const forQaLeads = bodyLimit({
    maxSize: IMPORT_FORM_MAX_BYTES,
    onError: (c) =>
      tooLarge(
        c,
        `The files you selected come to more than ${MB(DIRECT_IMPORT_MAX_TOTAL_BYTES)}. Import them a few at a time: each file may be up to ${MB(DIRECT_IMPORT_MAX_BYTES)}.`,
      ),
  });
  const forOthers = bodyLimit({
    maxSize: OTHER_FORM_MAX_BYTES,
    onError: (c) => tooLarge(c, 'Only QA leads, signed in, may import files.'),
  });
  return async (c, next) => {
    if (c.req.method !== 'POST') return next();
    const principal = await sessionPrincipal(deps, c);
    if (!principal || !hasRole(principal, 'qa-lead')) return forOthers(c, next);
    // Set here as well, so a refusal page still shows who is signed in (the session middleware runs later).
    c.set('principal', principal);
    return forQaLeads(c, next);
  };
}

export function importPages(app: Hono<WebEnv>, deps: WebDeps): void {
  const { ctx } = deps;

  app.get('/imports', async (c) => {
    requireQaLead(c);
    return deps.render(
      c,
      <ImportsPage
        page={deps.page(c)}
        list={await imports(ctx, me(c))}
        year=""
        errors={[]}
        triable={(job) => mayTryAgain(ctx, job)}
      />,
    );
  });

  app.post('/imports', async (c) => {
    requireQaLead(c);
    const form = readUploadForm(await formBody(c));
    const again = async (errors: FieldError[]) =>
      deps.render(
        c,
        <ImportsPage
          page={deps.page(c)}
          list={await imports(ctx, me(c))}
          year={form.year}
          errors={errors}
          triable={(job) => mayTryAgain(ctx, job)}
        />,
        400,
      );
    if (form.errors.length) return again(form.errors);
    try {
      const done = await importFiles(ctx, me(c), {
        files: await Promise.all(
          form.files.map(async (f) => ({
            fileName: importFileName(f.name),
            contentType: TYPE_OF_EXTENSION[extensionOf(f.name)]!,
            body: new Uint8Array(await f.arrayBuffer()),
          })),
        ),
        ...(form.year ? { collectionYear: form.year } : {}),
      });
      return c.redirect(`/app/imports/${done.importId}?done=1`, 303);
    } catch (error) {
      if (error instanceof InvalidInputError)
        return again(error.errors.map((x) => ({ field: formField(x.field), message: capitalise(x.message) })));
      throw error;
    }
  });

  app.get('/imports/:id', async (c) => {
    requireQaLead(c);
    const report = await importReport(ctx, me(c), c.req.param('id'), { errors: ERRORS_SHOWN });
    const done = c.req.query('done');
    return deps.render(
      c,
      <ReportPage
        page={deps.page(c)}
        view={report.import}
        firstErrors={report.firstErrors}
        fresh={done === 'tried-again' ? 'tried-again' : done === '1'}
        triable={mayTryAgain(ctx, report.import)}
      />,
    );
  });

  app.post('/imports/:id/try-again', async (c) => {
    requireQaLead(c);
    const started = await tryAgain(ctx, me(c), c.req.param('id'));
    return c.redirect(`/app/imports/${started.importId}?done=tried-again`, 303);
  });

  app.get('/imports/:id/errors.csv', async (c) => {
    requireQaLead(c);
    const view = await importStatus(ctx, me(c), c.req.param('id'));
    if (!view.errorsCsv) throw new NotFoundError(`import ${view.importId} has no row errors to download`);
    c.header('Cache-Control', 'no-store');
    return c.redirect(view.errorsCsv.url, 303);
  });
}
